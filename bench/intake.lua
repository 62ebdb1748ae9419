-- wrk script for bench/intake_bench.py: the same script (and so the same per-request work in
-- wrk) for the intake run and for its HTTP ceiling.
--
-- Environment:
--   INTAKE_KEY     the API key (sent with every request, /healthz included)
--   INTAKE_BODIES  a file of JSON case bodies, one a line: POST /api/v1/cases with each in turn;
--                  empty or unset: GET INTAKE_PATH (default /healthz)
--   INTAKE_PATH    the GET path without bodies: /healthz, or /api/v1/me (authenticated, no store)
--   INTAKE_OUT     where done() writes its JSON summary (requests, errors, latency percentiles)
--
-- Every request is formatted once in init(); request() only picks the next one, so wrk spends
-- the same (small) time per request in both runs. There is no response() callback: wrk counts
-- non-2xx answers itself (errors.status).

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  threads[#threads + 1] = thread
end

local reqs = {}
local next_req = 0

function init(args)
  local key = os.getenv("INTAKE_KEY") or ""
  local file = os.getenv("INTAKE_BODIES") or ""
  if file == "" then
    reqs[1] = wrk.format("GET", os.getenv("INTAKE_PATH") or "/healthz",
                         {["Authorization"] = "Bearer " .. key})
  else
    local headers = {["Authorization"] = "Bearer " .. key,
                     ["Content-Type"] = "application/json"}
    for line in io.lines(file) do
      if #line > 0 then reqs[#reqs + 1] = wrk.format("POST", "/api/v1/cases", headers, line) end
    end
  end
  -- Threads start at different places in the bodies so that they do not send the same texts.
  next_req = (tid * 7919) % #reqs
end

function request()
  next_req = next_req % #reqs + 1
  return reqs[next_req]
end

function done(summary, latency, requests)
  local e = summary.errors
  local pct = {}
  for _, p in ipairs({50, 90, 99, 99.9}) do
    pct[#pct + 1] = string.format('"%s":%d', tostring(p), latency:percentile(p))
  end
  local f = assert(io.open(os.getenv("INTAKE_OUT"), "w"))
  f:write(string.format(
    '{"duration_us":%d,"requests":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{%s,"min":%d,"max":%d,"mean":%f}}\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, table.concat(pct, ","), latency.min, latency.max, latency.mean))
  f:close()
end

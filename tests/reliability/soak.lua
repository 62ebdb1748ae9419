-- wrk script for the jiesu soak (tests/reliability/soak.py starts the server and runs wrk with
-- this script; docs/reliability.md, "Soak", says how). One connection per wrk thread (-t N -c N), so that a thread's
-- responses come back in the order of its requests and the write flow can use the ids it gets.
--
-- Pace: every connection sends one request per period (SOAK_PERIOD_MS), on a fixed schedule
-- (delay() waits until the next slot, not a fixed pause after the response), phase-shifted per
-- connection; a late connection sends at once to catch up, and one more than 5 s behind its
-- schedule drops the slots it missed (counted).
-- Target rate = connections x 1000 / SOAK_PERIOD_MS.
--
-- Mix (per 1000 requests; writes = SOAK_WRITE_PERMILLE, reads scaled to the rest):
--   reads  healthz 50, metrics 10, list (operator) 195, list (supervisor) 90, list (handler) 80,
--          next page (cursor) 40, get by id (operator/supervisor) 160, get own case (handler) 40,
--          units/categories 20, assessments 10, monthly report 5 (json, md or html)
--   writes create 100 (operator; 85% straight to SOAK_UNIT with a category and a caller, 15% left
--          to the router), action 200: the next step of one of this connection's open cases:
--          accept, reply (handler) -> callback (operator; 10% 不满意 -> reopen -> accept ...)
--          -> close (operator); 10% of accepted cases are also supervised (督办, supervisor).
--          With no open case ready an action slot creates a case instead.
-- SOAK_ONLY (comma-separated read kinds: healthz, metrics, list, list_supervisor, list_handler,
-- list_next, get, get_own, units, assessments, report) keeps only those reads, to narrow a
-- finding down; SOAK_WRITE_PERMILLE=0 makes a read-only run, 1000 a write-only one.
--
-- Everything is counted in flat tables (wrk crashes copying nested ones between threads), which
-- done() merges and writes as JSON to SOAK_OUT for soak.py: per kind and status counts, a
-- latency histogram per kind (5% buckets), a per-10-second series, and a few non-2xx samples.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } soak_timespec;
int clock_gettime(int clk, soak_timespec *tp);
]]
local ts = ffi.new("soak_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local function env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then
    if default == nil then error("soak.lua: " .. name .. " is not set") end
    return default
  end
  return v
end

local function split(s)
  local out = {}
  for part in string.gmatch(s, "[^,]+") do out[#out + 1] = part end
  return out
end

local function urlencode(s)
  return (string.gsub(s, "[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- ------------------------------------------------------------------------- main state (setup/done)

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("tid", #threads)
end

-- --------------------------------------------------------------------------------- thread state

local period, write_permille, max_id, unit, months, townships, only
local keys = {}
local next_due, started
local open_cases = {}      -- {id=, step=} of this connection's cases in the flow
local own_ids = {}         -- ids this connection created (for the handler's reads)
local cursor = nil         -- next_cursor of the last operator list
local pending = nil        -- what the request in flight is
local seq = 0

stats = {}                 -- flat: "n|kind|status", "h|kind|bucket", "s|slot|what" -> number
samples = {}               -- a few non-2xx, as strings
missed = 0                 -- slots dropped because the connection was over 1 s behind

local function add(key, v)
  stats[key] = (stats[key] or 0) + (v or 1)
end

local PLACES = {"群芳园社区", "梨园小区", "大稿新村", "九棵树东路", "云景里", "翠屏北里",
                "半壁店村", "颐瑞东里", "车里坟村", "梨园东里"}
local PROBLEMS = {
  {"0101", "楼道堆放杂物，存在消防隐患，物业一直不清理"},
  {"0101", "电梯停运三天，老人上下楼困难，物业推诿"},
  {"0109", "路灯坏了一周，晚上出行不便"},
  {"0112", "小区门口垃圾无人清运，气味很大"},
  {"0110", "雨后路面积水严重，下水道堵塞"},
  {"0202", "夜间施工噪音扰民，影响休息"},
  {"0114", "早市占道经营，堵塞消防通道"},
  {"0105", "自来水水压不足，高层住户用水困难"},
}
local TYPES = {"投诉", "求助", "投诉", "建议", "举报", "投诉"}
local SATISFACTION = {"满意", "满意", "满意", "基本满意", "基本满意", "不满意"}
local STATUSES = {"dispatched", "accepted", "replied", "called_back", "closed"}
local CATEGORIES = {"01", "0101", "0109", "0112", "02", "0202", "03"}
local QUERIES = {"路灯", "电梯", "垃圾", "噪音", "积水", "物业"}
local LIMITS = {20, 20, 20, 50, 100}

local function pick(t) return t[math.random(#t)] end

function init(args)
  local conns = tonumber(env("SOAK_CONNS"))
  period = tonumber(env("SOAK_PERIOD_MS"))
  write_permille = tonumber(env("SOAK_WRITE_PERMILLE", "300"))
  max_id = tonumber(env("SOAK_MAX_ID"))
  unit = env("SOAK_UNIT")
  months = split(env("SOAK_MONTHS"))
  townships = split(env("SOAK_TOWNSHIPS"))
  local o = env("SOAK_ONLY", "")
  if o ~= "" then
    only = {}
    for _, k in ipairs(split(o)) do only[k] = true end
  end
  keys.operator = env("SOAK_KEY_OPERATOR")
  keys.handler = env("SOAK_KEY_HANDLER")
  keys.supervisor = env("SOAK_KEY_SUPERVISOR")
  math.randomseed(tonumber(env("SOAK_SEED", "1")) * 1000 + tid)
  started = now_ms()
  -- The first slot of connection tid: phases spread evenly over one period.
  next_due = started + (tid - 1) * period / conns - period
end

function delay()
  local t = now_ms()
  next_due = next_due + period
  if next_due < t - 5000 then
    missed = missed + math.floor((t - next_due) / period)
    next_due = t
  end
  local d = next_due - t
  if d < 0 then d = 0 end
  return math.floor(d)
end

-- One request: kind, role, method, path, body; remembered in `pending` for response().
local function make(kind, role, method, path, body, case)
  pending = {kind = kind, method = method, path = path, case = case, t0 = now_ms()}
  local headers = {["Authorization"] = "Bearer " .. keys[role]}
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(method, path, headers, body)
end

local function list_query(role)
  local q = {"limit=" .. pick(LIMITS)}
  local r = math.random(10)
  if r == 1 then q[#q + 1] = "status=" .. pick(STATUSES)
  elseif r == 2 then q[#q + 1] = "category=" .. pick(CATEGORIES)
  elseif r == 3 then q[#q + 1] = "q=" .. urlencode(pick(QUERIES))
  elseif r == 4 then q[#q + 1] = "overdue=true"
  elseif r == 5 then q[#q + 1] = "type=" .. urlencode(pick(TYPES))
  elseif r == 6 then
    local m = pick(months)
    q[#q + 1] = "from=" .. urlencode(m .. "-01T00:00:00+08:00")
    q[#q + 1] = "to=" .. urlencode(m .. "-15T00:00:00+08:00")
  elseif r == 7 and role ~= "handler" then q[#q + 1] = "unit=" .. pick(townships)
  elseif r == 8 then q[#q + 1] = "supervised=true"
  elseif r == 9 then
    q[#q + 1] = "status=" .. pick(STATUSES)
    q[#q + 1] = "category=" .. pick(CATEGORIES)
  end  -- r == 10: no filter
  return "/api/v1/cases?" .. table.concat(q, "&")
end

local function create(tracked)
  seq = seq + 1
  local place = pick(PLACES)
  local problem = pick(PROBLEMS)
  local marker = string.format("（soak %d-%d）", tid, seq)
  local body = string.format(
    '{"type":"%s","text":"%s%d号楼%s%s","address":"通州区梨园镇%s%d号楼",' ..
    '"caller":{"name":"市民%d","phone":"139%08d"}',
    pick(TYPES), place, math.random(30), problem[2], marker, place, math.random(30),
    math.random(999), math.random(99999999))
  if tracked then
    body = body .. string.format(',"unit":"%s","category":"%s"}', unit, problem[1])
  else
    body = body .. "}"
  end
  return make(tracked and "create" or "create_routed", "operator", "POST", "/api/v1/cases", body)
end

-- The next step of an open case of this connection.
local function act(c)
  local path = "/api/v1/cases/" .. c.id .. "/actions"
  if c.step == "accept" then
    return make("act_accept", "handler", "POST", path, '{"action":"accept"}', c)
  elseif c.step == "supervise" then
    return make("act_supervise", "supervisor", "POST", path,
                '{"action":"supervise","note":"请加快办理，按期反馈"}', c)
  elseif c.step == "reply" then
    local resolved = math.random(10) <= 8 and "true" or "false"
    return make("act_reply", "handler", "POST", path,
                '{"action":"reply","text":"已现场核实并处理，结果已告知来电人","resolved":' ..
                resolved .. '}', c)
  elseif c.step == "callback" then
    local s = pick(SATISFACTION)
    c.unhappy = (s == "不满意")
    return make("act_callback", "operator", "POST", path, string.format(
      '{"action":"callback","reachable":true,"contacted":true,"resolved":%s,"satisfaction":"%s"}',
      c.unhappy and "false" or "true", s), c)
  elseif c.step == "reopen" then
    return make("act_reopen", "operator", "POST", path,
                '{"action":"reopen","reason":"回访不满意，重新办理"}', c)
  else  -- close
    return make("act_close", "operator", "POST", path, '{"action":"close"}', c)
  end
end

-- What comes after a successful step.
local function advance(c)
  if c.step == "accept" then
    c.step = math.random(10) == 1 and "supervise" or "reply"
  elseif c.step == "supervise" then c.step = "reply"
  elseif c.step == "reply" then c.step = "callback"
  elseif c.step == "callback" then c.step = (c.unhappy and math.random(2) == 1) and "reopen" or "close"
  elseif c.step == "reopen" then c.step = "accept"
  else c.step = nil end
end

-- The reads, by the upper end of their share of 700 (the weights above).
local READS = {
  {50, "healthz"}, {60, "metrics"}, {255, "list"}, {345, "list_supervisor"},
  {425, "list_handler"}, {465, "list_next"}, {625, "get"}, {665, "get_own"},
  {685, "units"}, {695, "assessments"}, {700, "report"},
}

local function read_request(kind)
  if kind == "healthz" then
    return make("healthz", "operator", "GET", "/healthz")
  elseif kind == "metrics" then
    return make("metrics", "operator", "GET", "/metrics")
  elseif kind == "list" or (kind == "list_next" and not cursor) then
    return make("list", "operator", "GET", list_query("operator"))
  elseif kind == "list_supervisor" then
    return make("list", "supervisor", "GET", list_query("supervisor"))
  elseif kind == "list_handler" then
    return make("list_handler", "handler", "GET", list_query("handler"))
  elseif kind == "list_next" then
    return make("list_next", "operator", "GET", "/api/v1/cases?limit=20&cursor=" .. cursor)
  elseif kind == "get_own" and #own_ids > 0 then
    return make("get_own", "handler", "GET", "/api/v1/cases/" .. own_ids[math.random(#own_ids)])
  elseif kind == "get" or kind == "get_own" then
    return make("get", math.random(2) == 1 and "operator" or "supervisor", "GET",
                "/api/v1/cases/" .. math.random(max_id))
  elseif kind == "units" then
    if math.random(2) == 1 then
      return make("units", "operator", "GET", "/api/v1/units?level=township")
    end
    return make("categories", "operator", "GET", "/api/v1/categories")
  elseif kind == "assessments" then
    local level = math.random(4) == 1 and "&level=community" or ""
    return make("assessments", "supervisor", "GET",
                "/api/v1/assessments?month=" .. pick(months) .. level)
  else
    local format = pick({"json", "json", "md", "html"})
    return make("report", "supervisor", "GET",
                "/api/v1/reports/monthly?month=" .. pick(months) .. "&format=" .. format)
  end
end

function request()
  local r = math.random(1000)
  if r <= write_permille then
    if r <= write_permille / 3 or #open_cases == 0 then
      return create(math.random(100) <= 85)
    end
    return act(open_cases[math.random(#open_cases)])
  end
  -- Reads: the weights scaled to the reads' share; SOAK_ONLY narrows them to some kinds.
  while true do
    local x = math.floor((r - write_permille) * 700 / (1000 - write_permille))
    for _, read in ipairs(READS) do
      if x < read[1] or read[1] == 700 then
        if only == nil or only[read[2]] then return read_request(read[2]) end
        break
      end
    end
    r = write_permille + math.random(1000 - write_permille)
  end
end

-- Top-level members of a JSON object (depth 1), as raw text; only the names in `want`.
local function top_members(body, want)
  local out, depth, i = {}, 0, 1
  while true do
    i = string.find(body, '[{}%[%]"]', i)
    if not i then break end
    local c = string.byte(body, i)
    if c == 34 then
      local j = i + 1
      while true do
        j = string.find(body, '[\\"]', j)
        if not j then return out end
        if string.byte(body, j) == 92 then j = j + 2 else break end
      end
      if depth == 1 and string.byte(body, j + 1) == 58 then
        local name = string.sub(body, i + 1, j - 1)
        if want[name] then out[name] = string.match(body, '^"?([^,}"]*)', j + 2) end
      end
      i = j + 1
    else
      depth = depth + ((c == 123 or c == 91) and 1 or -1)
      i = i + 1
    end
  end
  return out
end

local WANT = {id = true, status = true, next_cursor = true}
local EXPECT = {act_accept = "accepted", act_supervise = nil, act_reply = "replied",
                act_callback = "called_back", act_reopen = "dispatched", act_close = "closed"}

function response(status, headers, body)
  local p = pending
  if not p then return end
  pending = nil
  local t = now_ms()
  local ms = t - p.t0
  add("n|" .. p.kind .. "|" .. status)
  add("h|" .. p.kind .. "|" .. math.floor(math.log(math.max(ms, 0.01) * 1000) / math.log(1.05)))
  local slot = math.floor((t - started) / 10000)
  add("s|" .. slot .. "|n")
  add("s|" .. slot .. "|ms", ms)
  if status < 200 or status > 299 then
    add("s|" .. slot .. "|bad")
    if #samples < 5 then
      samples[#samples + 1] = string.format("%s %s -> %d: %s", p.method, p.path, status,
                                            string.sub(body or "", 1, 300))
    end
    if p.case then  -- out of the flow
      for k, c in ipairs(open_cases) do
        if c == p.case then table.remove(open_cases, k) break end
      end
    end
    return
  end
  if p.kind == "create" then
    local m = top_members(body, WANT)
    local id = tonumber(m.id)
    if id and m.status == "dispatched" then
      open_cases[#open_cases + 1] = {id = id, step = "accept"}
      own_ids[#own_ids + 1] = id
    else
      add("wrong|create")
      if #samples < 5 then
        samples[#samples + 1] = "create answered 201 without a dispatched case: " ..
                                string.sub(body, 1, 300)
      end
    end
  elseif p.case then
    local expect = EXPECT[p.kind]
    if expect then
      local m = top_members(body, WANT)
      if m.status ~= expect then
        add("wrong|" .. p.kind)
        if #samples < 5 then
          samples[#samples + 1] = string.format("%s %s -> %d with status %s, expected %s",
                                                p.method, p.path, status, tostring(m.status), expect)
        end
      end
    end
    advance(p.case)
    if p.case.step == nil then
      for k, c in ipairs(open_cases) do
        if c == p.case then table.remove(open_cases, k) break end
      end
    end
  elseif p.kind == "list" then
    local c = string.match(body, '"next_cursor":"(%d+)"}$')
    if c then cursor = c end
  end
end

-- ------------------------------------------------------------------------------ done (main state)

local function json_string(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    if c == '"' then return '\\"' elseif c == "\\" then return "\\\\" end
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end

function done(summary, latency, requests)
  local merged, all_samples, open_total, missed_total = {}, {}, 0, 0
  for _, t in ipairs(threads) do
    local s = t:get("stats")
    for k, v in pairs(s) do merged[k] = (merged[k] or 0) + v end
    local smp = t:get("samples")
    for _, v in ipairs(smp) do all_samples[#all_samples + 1] = v end
    missed_total = missed_total + (t:get("missed") or 0)
  end
  local parts = {}
  local function put(k, v) parts[#parts + 1] = json_string(k) .. ":" .. v end
  put("duration_us", summary.duration)
  put("requests", summary.requests)
  put("bytes", summary.bytes)
  put("errors", string.format('{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}',
                              summary.errors.connect, summary.errors.read, summary.errors.write,
                              summary.errors.status, summary.errors.timeout))
  local pct = {}
  for _, p in ipairs({50, 90, 99, 99.9}) do
    pct[#pct + 1] = json_string(tostring(p)) .. ":" .. latency:percentile(p)
  end
  put("latency_us", "{" .. table.concat(pct, ",") ..
                    string.format(',"min":%d,"max":%d,"mean":%f}', latency.min, latency.max,
                                  latency.mean))
  put("missed_slots", missed_total)
  local st = {}
  for k, v in pairs(merged) do st[#st + 1] = json_string(k) .. ":" .. string.format("%.3f", v) end
  put("stats", "{" .. table.concat(st, ",") .. "}")
  local sm = {}
  for _, v in ipairs(all_samples) do sm[#sm + 1] = json_string(v) end
  put("samples", "[" .. table.concat(sm, ",") .. "]")
  local f = assert(io.open(env("SOAK_OUT"), "w"))
  f:write("{" .. table.concat(parts, ",") .. "}\n")
  f:close()
end

#!/usr/bin/env python3
"""Soak test for jiesu: mixed reads and writes at a fixed rate with wrk on loopback.

Makes a temp dir, fills a fresh SQLite database with the demo data (`jiesu demo --no-serve`,
three months, about 15,000 cases), creates an operator, a handler (梨园镇) and a supervisor key
(`jiesu keys create`), writes a config with the rate limits in force, starts `jiesu serve` on
127.0.0.1 (port 0, read back), warms up, then runs wrk with tests/reliability/soak.lua: a fixed
rate (connections x requests a second each, on a schedule) of 70% reads (case lists with filters
and cursors, cases by id, units, categories, assessments, monthly reports, /healthz, /metrics)
and 30% writes (creates, and accept / reply / callback / close / reopen / supervise on the cases
it created). The server's RSS is sampled every --sample-every seconds from /proc/PID/status.
At the end the server is stopped with SIGTERM and `jiesu check` runs on the database.

It prints the duration, target and achieved rate, requests, non-2xx, socket errors, latency
p50/p90/p99 (wrk's, and per request kind), RSS after warm-up, at the end, the maximum and the
slope over the last half of the run, and a per-minute series.

Usage:
  python3 tests/reliability/soak.py --jiesu build/jiesu [--seconds 600] [--warmup 30]
      [--rate 100] [--connections 16] [--write-permille 300] [--timeout 5]
      [--rate-per-second 200] [--rate-burst 1000] [--rss-growth-mib 32]
      [--rss-slope-kib-min 1024] [--sample-every 10] [--months 3] [--only KINDS] [--seed N]
      [--keep]

Exit status 0 when the run passed: no socket error or timeout, every response 2xx, every
action answered with the expected status, the achieved rate at least 90% of the target, RSS
growth within the thresholds (runs of 120 s or more), a clean SIGTERM stop and an intact
`jiesu check`; 1 otherwise
(details on stdout); 2 on bad usage. Python 3 standard library only; needs wrk (Debian package).
"""
import argparse
import http.client
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "soak.lua")
UNIT = "110112121"  # 梨园镇: the handler's unit; the flow's cases go there
SERVE_LINE = re.compile(rb"serving on http://127\.0\.0\.1:(\d+)/")
DEMO_LINE = re.compile(r"demo: (\d+) cases.* (\d{4}-\d{2}) to (\d{4}-\d{2})")
LOG_ALARMS = ("[error]", "[critical]", "terminate called", "AddressSanitizer", "runtime error:")
# Share of each key in the mix (soak.lua's weights, per request): the per-key rate limit
# applies to these; /healthz and /metrics are never limited.
RSS_MIN_SECONDS = 120  # shorter runs report RSS but are not judged on it
KEY_SHARE = {"operator": 0.53, "supervisor": 0.19, "handler": 0.22}


class SoakError(Exception):
    pass


def now():
    return time.monotonic()


def run_cli(args, timeout=600):
    p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def create_key(jiesu, db_url, role, unit=None):
    args = [jiesu, "keys", "create", "--db", db_url, "--role", role, "--name", "soak " + role]
    if unit:
        args += ["--unit", unit]
    rc, out, err = run_cli(args)
    lines = out.strip().splitlines()
    if rc != 0 or not lines or not lines[-1].startswith("jz_"):
        raise SoakError(f"keys create --role {role}: exit {rc}\n{out}\n{err}")
    return lines[-1].strip()


def http_json(port, method, path, key=None, body=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {}
        data = None
        if key:
            headers["Authorization"] = "Bearer " + key
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        try:
            parsed = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            parsed = None
        return resp.status, parsed
    finally:
        conn.close()


def proc_status(pid):
    """VmRSS and VmHWM in KiB, threads, open fds, CPU seconds (user+system)."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])
            elif k == "Threads":
                out[k] = int(v)
    out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    out["cpu"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


class Sampler(threading.Thread):
    """Samples the server every `every` seconds: (t, phase, status dict, {"": db, "-wal": wal})."""

    def __init__(self, pid, every, db_path):
        super().__init__(daemon=True)
        self.pid = pid
        self.every = every
        self.db_path = db_path
        self.samples = []
        self.phase = "start"
        self.stop_event = threading.Event()
        self.t0 = now()

    def sample(self):
        try:
            st = proc_status(self.pid)
        except OSError:
            return None
        size = {}
        for suffix in ("", "-wal"):
            try:
                size[suffix] = os.path.getsize(self.db_path + suffix)
            except OSError:
                size[suffix] = 0
        s = (now() - self.t0, self.phase, st, size)
        self.samples.append(s)
        return s

    def run(self):
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(self.every)


def slope_per_min(points):
    """Least-squares slope of (seconds, KiB) points, in KiB per minute."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points)
    if sxx == 0:
        return 0.0
    return sum((p[0] - mx) * (p[1] - my) for p in points) / sxx * 60.0


def histogram_percentile(buckets, q):
    """buckets: {bucket: count} with bucket b covering [1.05^b, 1.05^(b+1)) µs; ms."""
    total = sum(buckets.values())
    if total == 0:
        return 0.0
    want = q / 100.0 * total
    seen = 0
    for b in sorted(buckets):
        seen += buckets[b]
        if seen >= want:
            return 1.05 ** (b + 1) / 1000.0
    return 1.05 ** (max(buckets) + 1) / 1000.0


def fmt_ms(us):
    return f"{us / 1000:.1f} ms" if us < 1e6 else f"{us / 1e6:.2f} s"


def malloc_stats(pid, err_path, trim=False):
    """glibc's malloc_stats() in the server through gdb: (system bytes, in-use bytes) or None.

    malloc_stats() writes to the server's stderr; its last "Total" block is read back.
    """
    cmds = ["-ex", "call (void)malloc_stats()"]
    if trim:
        cmds += ["-ex", "call (int)malloc_trim(0)"]
    try:
        subprocess.run(["gdb", "-p", str(pid), "-batch", "-nx"] + cmds, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    with open(err_path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    totals = re.findall(r"Total \(incl\. mmap\):\s*system bytes\s*=\s*(\d+)\s*"
                        r"in use bytes\s*=\s*(\d+)", text)
    return (int(totals[-1][0]), int(totals[-1][1])) if totals else None


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--jiesu", required=True, help="the jiesu binary (a Release build)")
    ap.add_argument("--seconds", type=int, default=600, help="measured run (default 600)")
    ap.add_argument("--warmup", type=int, default=30,
                    help="warm-up at the same rate and mix before it (default 30); RSS at start "
                    "is taken after it")
    ap.add_argument("--rate", type=float, default=100.0,
                    help="target requests a second, all connections together (default 100)")
    ap.add_argument("--connections", type=int, default=16,
                    help="wrk connections, one per wrk thread (default 16; the server has 32 "
                    "worker threads by default)")
    ap.add_argument("--write-permille", type=int, default=300,
                    help="writes per 1000 requests (default 300)")
    ap.add_argument("--timeout", type=int, default=5,
                    help="wrk request timeout in seconds; a slower response counts as an "
                    "error (default 5)")
    ap.add_argument("--rate-per-second", type=float, default=200.0,
                    help="[http] rate_per_second for the server (default 200, the server's "
                    "default; 0 turns limiting off)")
    ap.add_argument("--rate-burst", type=float, default=1000.0,
                    help="[http] rate_burst (default 1000, the server's default)")
    ap.add_argument("--months", type=int, default=3,
                    help="months of demo data preloaded (jiesu demo --months; default 3)")
    ap.add_argument("--rss-growth-mib", type=float, default=32.0,
                    help="fail when RSS at the end exceeds RSS after warm-up by more than this "
                    "(default 32 MiB)")
    ap.add_argument("--rss-slope-kib-min", type=float, default=1024.0,
                    help="fail when RSS grows faster than this over the last half of the run "
                    "(least squares, default 1024 KiB/min)")
    ap.add_argument("--sample-every", type=float, default=10.0,
                    help="RSS sampling interval in seconds (default 10)")
    ap.add_argument("--only", default="",
                    help="keep only these read kinds (comma-separated, as named in soak.lua: "
                    "healthz, metrics, list, list_supervisor, list_handler, list_next, get, "
                    "get_own, units, assessments, report), to narrow a finding down")
    ap.add_argument("--malloc-stats", action="store_true",
                    help="diagnosis (needs gdb): attach to the server after the warm-up and after "
                    "the run, call glibc's malloc_stats() (bytes held vs in use) and, at the "
                    "end, malloc_trim(0), and print the RSS after it; pauses the server a second "
                    "or two each time, outside the measured run")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: from time)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (kept on failure)")
    args = ap.parse_args(argv)
    if args.seconds < 1 or args.warmup < 0 or args.rate <= 0 or args.connections < 1:
        ap.error("--seconds, --rate and --connections must be positive, --warmup not negative")
    if not 0 <= args.write_permille <= 1000:
        ap.error("--write-permille must be between 0 and 1000")
    if not os.access(args.jiesu, os.X_OK):
        ap.error(f"{args.jiesu}: not an executable")
    if shutil.which("wrk") is None:
        ap.error("wrk is not installed (apt-get install wrk; scripts/install-deps.sh has it)")
    args.jiesu = os.path.abspath(args.jiesu)
    if args.seed is None:
        args.seed = int(time.time()) % 1000000
    return args


def months_between(first, last):
    y, m = map(int, first.split("-"))
    ly, lm = map(int, last.split("-"))
    out = []
    while (y, m) <= (ly, lm):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def run_wrk(args, port, env, out_json, log_path, seconds):
    env = dict(env, SOAK_OUT=out_json)
    cmd = ["wrk", "-t", str(args.connections), "-c", str(args.connections), "-d", f"{seconds}s",
           "--timeout", f"{args.timeout}s", "--latency", "-s", LUA, f"http://127.0.0.1:{port}"]
    with open(log_path, "wb") as log:
        p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                           stderr=subprocess.STDOUT, timeout=seconds + 120)
    if p.returncode != 0:
        with open(log_path, "rb") as f:
            raise SoakError(f"wrk exited with {p.returncode}:\n"
                            + f.read().decode("utf-8", "replace")[-2000:])
    with open(out_json) as f:
        return json.load(f)


def summarize_kinds(stats):
    """{kind: {"status": {code: n}, "hist": {bucket: n}}} from the flat counters."""
    kinds = {}
    for k, v in stats.items():
        parts = k.split("|")
        if parts[0] == "n":
            kinds.setdefault(parts[1], {"status": {}, "hist": {}})["status"][int(parts[2])] = int(v)
        elif parts[0] == "h":
            kinds.setdefault(parts[1], {"status": {}, "hist": {}})["hist"][int(parts[2])] = int(v)
    return kinds


def scan_logs(paths):
    alarms, warnings = [], []
    for path in paths:
        try:
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        for line in text.splitlines():
            if any(a in line for a in LOG_ALARMS):
                alarms.append(line.strip()[:300])
            elif "[warning]" in line or "[warn]" in line:
                warnings.append(line.strip()[:300])
    return alarms, warnings


def main(argv):
    args = parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="jiesu-soak-")
    db_path = os.path.join(workdir, "soak.db")
    db_url = "sqlite:" + db_path
    failures, notes = [], []
    proc = None
    sampler = None
    t_start = now()
    load_before = os.getloadavg()
    print(f"jiesu soak: {args.seconds} s at {args.rate:g} requests/s ({args.connections} "
          f"connections), {args.write_permille / 10:g}% writes, warm-up {args.warmup} s, "
          f"seed {args.seed}")
    print(f"  binary {args.jiesu}; temp dir {workdir}")
    sys.stdout.flush()
    try:
        # The database: demo data, then the keys.
        t0 = now()
        rc, out, err = run_cli([args.jiesu, "demo", "--db", db_url, "--no-serve",
                                "--months", str(args.months), "--seed", str(args.seed)])
        m = DEMO_LINE.search(out)
        if rc != 0 or not m:
            raise SoakError(f"jiesu demo: exit {rc}\n{out[-1000:]}\n{err[-1000:]}")
        months = months_between(m.group(2), m.group(3))
        print(f"  demo data: {m.group(1)} cases, {months[0]} to {months[-1]} "
              f"({now() - t0:.1f} s)")
        keys = {"operator": create_key(args.jiesu, db_url, "operator"),
                "handler": create_key(args.jiesu, db_url, "handler", UNIT),
                "supervisor": create_key(args.jiesu, db_url, "supervisor")}

        config = os.path.join(workdir, "soak.toml")
        with open(config, "w") as f:
            f.write("[http]\n"
                    f"rate_per_second = {args.rate_per_second:g}\n"
                    f"rate_burst = {args.rate_burst:g}\n")
        if args.rate_per_second > 0:
            peak = max(args.rate * s for s in KEY_SHARE.values())
            if peak > 0.9 * args.rate_per_second:
                notes.append(f"the busiest key (operator) sends about {peak:.0f} requests/s, "
                             f"close to or over rate_per_second {args.rate_per_second:g}: "
                             "expect 429s")

        # The server.
        out_path = os.path.join(workdir, "serve.out")
        err_path = os.path.join(workdir, "serve.err")
        with open(out_path, "wb") as o, open(err_path, "wb") as e:
            proc = subprocess.Popen([args.jiesu, "serve", "--db", db_url, "--listen",
                                     "127.0.0.1:0", "--config", config],
                                    stdin=subprocess.DEVNULL, stdout=o, stderr=e, cwd=workdir)
        port = None
        t0 = now()
        while port is None or http_json(port, "GET", "/healthz", timeout=5)[0] != 200:
            if proc.poll() is not None:
                raise SoakError(f"server exited with {proc.returncode}")
            if now() - t0 > 120:
                raise SoakError("server not healthy after 120 s")
            with open(out_path, "rb") as f:
                mm = SERVE_LINE.search(f.read())
            if mm:
                port = int(mm.group(1))
            time.sleep(0.05)
        print(f"  server pid {proc.pid} on 127.0.0.1:{port}, rate limit "
              + (f"{args.rate_per_second:g}/s burst {args.rate_burst:g} per key"
                 if args.rate_per_second > 0 else "off"))
        sampler = Sampler(proc.pid, args.sample_every, db_path)
        sampler.start()

        # Keys verified once (argon2id), one case created: its id - 1 is the last demo case.
        for role, key in keys.items():
            status, body = http_json(port, "GET", "/api/v1/me", key)
            if status != 200:
                raise SoakError(f"GET /api/v1/me as {role}: {status} {body}")
        status, body = http_json(port, "POST", "/api/v1/cases", keys["operator"],
                                 {"type": "投诉", "text": "soak: 开始前的探测工单", "unit": UNIT,
                                  "category": "0101"})
        if status != 201:
            raise SoakError(f"POST /api/v1/cases: {status} {body}")
        max_id = body["id"] - 1
        status, body = http_json(port, "GET", "/api/v1/units?level=township", keys["operator"])
        if status != 200:
            raise SoakError(f"GET /api/v1/units: {status} {body}")
        townships = [u["code"] for u in body["units"]]
        env = dict(os.environ, SOAK_CONNS=str(args.connections),
                   SOAK_PERIOD_MS=f"{args.connections * 1000.0 / args.rate:.3f}",
                   SOAK_WRITE_PERMILLE=str(args.write_permille), SOAK_MAX_ID=str(max_id),
                   SOAK_UNIT=UNIT, SOAK_MONTHS=",".join(months),
                   SOAK_TOWNSHIPS=",".join(townships), SOAK_SEED=str(args.seed),
                   SOAK_ONLY=args.only,
                   SOAK_KEY_OPERATOR=keys["operator"], SOAK_KEY_HANDLER=keys["handler"],
                   SOAK_KEY_SUPERVISOR=keys["supervisor"])

        runs = {}
        if args.warmup > 0:
            sampler.phase = "warm-up"
            print(f"  warm-up: {args.warmup} s …")
            sys.stdout.flush()
            runs["warm-up"] = run_wrk(args, port, env, os.path.join(workdir, "warmup.json"),
                                      os.path.join(workdir, "wrk-warmup.txt"), args.warmup)
        sampler.phase = "run"
        first = sampler.sample()
        if first is None:
            raise SoakError("server gone after the warm-up")
        run_t0 = first[0]
        heap_start = malloc_stats(proc.pid, err_path) if args.malloc_stats else None
        print(f"  run: {args.seconds} s from {time.strftime('%H:%M:%S')} …")
        sys.stdout.flush()
        runs["run"] = run_wrk(args, port, env, os.path.join(workdir, "run.json"),
                              os.path.join(workdir, "wrk-run.txt"), args.seconds)
        last = sampler.sample()
        sampler.phase = "after"
        sampler.stop_event.set()
        sampler.join()
        load_after = os.getloadavg()
        heap_end = trimmed = None
        if args.malloc_stats:
            heap_end = malloc_stats(proc.pid, err_path, trim=True)
            trimmed = proc_status(proc.pid)["VmRSS"]

        status, health = http_json(port, "GET", "/healthz")
        rc_stop = None
        t0 = now()
        os.kill(proc.pid, signal.SIGTERM)
        try:
            rc_stop = proc.wait(60)
        except subprocess.TimeoutExpired:
            failures.append("the server did not stop within 60 s of SIGTERM")
        stop_secs = now() - t0
        if rc_stop not in (0, None):
            failures.append(f"SIGTERM stop: exit {rc_stop}")
        rc, out, err = run_cli([args.jiesu, "check", "--db", db_url])
        check_line = out.strip().splitlines()[-1] if out.strip() else ""
        try:
            check = json.loads(check_line)
        except ValueError:
            check = None
        if rc != 0 or not isinstance(check, dict) or check.get("integrity") != "ok" \
                or check.get("mismatched") != []:
            failures.append(f"jiesu check: exit {rc}: {check_line} {err.strip()[-300:]}")

        # ----------------------------------------------------------------------------- figures
        run = runs["run"]
        secs = run["duration_us"] / 1e6
        errs = run["errors"]
        socket_errors = errs["connect"] + errs["read"] + errs["write"] + errs["timeout"]
        kinds = summarize_kinds(run["stats"])
        non2xx = {}
        for kind, k in kinds.items():
            for code, n in k["status"].items():
                if not 200 <= code <= 299:
                    non2xx[f"{kind} {code}"] = n
        counted = sum(sum(k["status"].values()) for k in kinds.values())
        wrong = {k.split("|", 1)[1]: int(v) for k, v in run["stats"].items()
                 if k.startswith("wrong|")}
        writes = sum(sum(k["status"].values()) for kname, k in kinds.items()
                     if kname.startswith(("create", "act_")))
        creates_ok = sum(k["status"].get(201, 0) for kname, k in kinds.items()
                         if kname.startswith("create"))
        achieved = run["requests"] / secs
        lat = run["latency_us"]

        rss_run = [(s[0] - run_t0, s[2]["VmRSS"]) for s in sampler.samples
                   if s[1] == "run" and s[0] >= run_t0]
        rss_start = first[2]["VmRSS"]
        rss_end = last[2]["VmRSS"] if last else rss_run[-1][1]
        rss_max = max(r for _, r in rss_run)
        half = [p for p in rss_run if p[0] >= args.seconds / 2]
        slope_half = slope_per_min(half)
        slope_all = slope_per_min(rss_run)
        cpu_secs = (last[2]["cpu"] - first[2]["cpu"]) if last else float("nan")
        warm = runs.get("warm-up")

        print()
        print("figures")
        print(f"  duration:              {secs:.1f} s measured (+{args.warmup} s warm-up), "
              f"{now() - t_start:.0f} s in all")
        print(f"  rate:                  target {args.rate:g}/s, achieved {achieved:.1f}/s "
              f"({run['requests']} requests; {run['missed_slots']} schedule slots dropped)")
        print(f"  mix:                   {writes} writes ({100 * writes / max(counted, 1):.1f}%), "
              f"{counted - writes} reads; {creates_ok} cases created")
        print(f"  non-2xx:               {sum(non2xx.values())}"
              + (" (" + ", ".join(f"{k}: {v}" for k, v in sorted(non2xx.items())) + ")"
                 if non2xx else ""))
        print(f"  wrong action results:  {sum(wrong.values())}"
              + (f" {wrong}" if wrong else ""))
        print(f"  socket errors:         connect {errs['connect']}, read {errs['read']}, "
              f"write {errs['write']}, timeout {errs['timeout']} (over {args.timeout} s)")
        print(f"  latency (wrk):         p50 {fmt_ms(lat['50'])}, p90 {fmt_ms(lat['90'])}, "
              f"p99 {fmt_ms(lat['99'])}, p99.9 {fmt_ms(lat['99.9'])}, max {fmt_ms(lat['max'])}")
        if warm:
            we = warm["errors"]
            wn = sum(n for kind in summarize_kinds(warm["stats"]).values()
                     for c, n in kind["status"].items() if not 200 <= c <= 299)
            print(f"  warm-up:               {warm['requests']} requests, non-2xx {wn}, "
                  f"socket errors {we['connect'] + we['read'] + we['write'] + we['timeout']}")
        print(f"  RSS:                   after warm-up {rss_start / 1024:.1f} MiB, end "
              f"{rss_end / 1024:.1f} MiB ({(rss_end - rss_start) / 1024:+.1f} MiB), max "
              f"{rss_max / 1024:.1f} MiB; slope last half {slope_half:+.0f} KiB/min "
              f"(whole run {slope_all:+.0f} KiB/min); VmHWM {last[2]['VmHWM'] / 1024:.1f} MiB")
        if heap_start and heap_end:
            print(f"  malloc (glibc):        in use {heap_start[1] / 2**20:.1f} MiB of "
                  f"{heap_start[0] / 2**20:.1f} MiB held after warm-up, {heap_end[1] / 2**20:.1f} "
                  f"MiB of {heap_end[0] / 2**20:.1f} MiB at the end; RSS after malloc_trim(0) "
                  f"{trimmed / 1024:.1f} MiB")
        elif args.malloc_stats:
            print("  malloc (glibc):        gdb could not read malloc_stats()")
        print(f"  server:                {cpu_secs:.0f} CPU s in the run "
              f"({100 * cpu_secs / secs:.0f}% of one core), threads {first[2]['Threads']} -> "
              f"{last[2]['Threads']}, fds {first[2]['fds']} -> {last[2]['fds']}")
        print(f"  database:              {first[3][''] / 2**20:.1f} MiB -> "
              f"{last[3][''] / 2**20:.1f} MiB, WAL {first[3]['-wal'] / 2**20:.1f} MiB -> "
              f"{last[3]['-wal'] / 2**20:.1f} MiB (max "
              f"{max(s[3]['-wal'] for s in sampler.samples) / 2**20:.1f} MiB)")
        print(f"  load average:          {load_before[0]:.2f} before, {load_after[0]:.2f} after "
              f"({os.cpu_count()} CPUs)")
        print(f"  stop:                  SIGTERM -> exit {rc_stop} in {stop_secs:.2f} s")
        print(f"  check:                 {check_line}")
        print()
        print("  per kind                  n    share   p50 ms   p99 ms   max ms  statuses")
        for kind in sorted(kinds, key=lambda k: -sum(kinds[k]["status"].values())):
            k = kinds[kind]
            n = sum(k["status"].values())
            hist = k["hist"]
            mx = 1.05 ** (max(hist) + 1) / 1000.0 if hist else 0.0
            print(f"  {kind:20s} {n:7d} {100 * n / max(counted, 1):6.1f}% "
                  f"{histogram_percentile(hist, 50):8.1f} {histogram_percentile(hist, 99):8.1f} "
                  f"{mx:8.1f}  " + " ".join(f"{c}:{v}" for c, v in sorted(k["status"].items())))
        print()
        print("  minute   req/s  mean ms  non-2xx   RSS MiB  threads  fds  db MiB  WAL MiB")
        series = {}
        for key, v in run["stats"].items():
            if key.startswith("s|"):
                _, slot, what = key.split("|")
                series.setdefault(int(slot) // 6, {}).setdefault(what, 0)
                series[int(slot) // 6][what] += v
        run_samples = [s for s in sampler.samples if s[1] == "run"]
        for minute in sorted(series):
            d = series[minute]
            if d.get("n", 0) == 0:
                continue
            span = min(60.0, secs - minute * 60)
            if span < 1:
                continue
            at = [s for s in run_samples if s[0] - run_t0 <= (minute + 1) * 60 + 1]
            s = at[-1] if at else run_samples[-1]
            print(f"  {minute + 1:6d} {d['n'] / span:7.1f} {d['ms'] / d['n']:8.1f} "
                  f"{int(d.get('bad', 0)):8d} {s[2]['VmRSS'] / 1024:9.1f} {s[2]['Threads']:8d} "
                  f"{s[2]['fds']:4d} {s[3][''] / 2**20:7.1f} {s[3]['-wal'] / 2**20:8.1f}")
        print()
        print("  RSS series (KiB, every {:g} s from the end of the warm-up): ".format(
            args.sample_every) + " ".join(str(r) for _, r in rss_run))
        for s in run.get("samples", []):
            print(f"  sample: {s}")
        if warm:
            for s in warm.get("samples", []):
                print(f"  warm-up sample: {s}")

        # ---------------------------------------------------------------------------- verdicts
        if socket_errors:
            failures.append(f"{socket_errors} socket errors / timeouts")
        if non2xx or run["errors"]["status"]:
            failures.append(f"{sum(non2xx.values())} non-2xx responses")
        if warm and (sum(warm["errors"].values()) or any(
                not 200 <= c <= 299 for kind in summarize_kinds(warm["stats"]).values()
                for c in kind["status"])):
            failures.append("errors or non-2xx responses in the warm-up")
        if wrong:
            failures.append(f"{sum(wrong.values())} writes answered 2xx with an unexpected status")
        if counted != run["requests"]:
            notes.append(f"the script counted {counted} responses, wrk {run['requests']}")
        if achieved < 0.9 * args.rate:
            failures.append(f"achieved {achieved:.1f}/s, under 90% of the target {args.rate:g}/s")
        if args.seconds < RSS_MIN_SECONDS:
            notes.append(f"RSS not judged: the run is shorter than {RSS_MIN_SECONDS} s")
        elif (rss_end - rss_start) / 1024 > args.rss_growth_mib:
            failures.append(f"RSS grew {(rss_end - rss_start) / 1024:.1f} MiB "
                            f"(threshold {args.rss_growth_mib:g} MiB)")
        if args.seconds >= RSS_MIN_SECONDS and slope_half > args.rss_slope_kib_min:
            failures.append(f"RSS slope over the last half {slope_half:.0f} KiB/min "
                            f"(threshold {args.rss_slope_kib_min:g} KiB/min)")
        if check and check.get("cases", 0) < max_id + 1 + creates_ok:
            failures.append(f"check counts {check.get('cases')} cases, expected at least "
                            f"{max_id + 1 + creates_ok}")
        if health and health.get("status") != "ok":
            failures.append(f"/healthz after the run: {health}")
    except (SoakError, OSError, http.client.HTTPException, subprocess.TimeoutExpired) as e:
        failures.append(f"{type(e).__name__}: {e}")
    finally:
        if sampler is not None:
            sampler.stop_event.set()
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    alarms, warnings = scan_logs([os.path.join(workdir, "serve.out"),
                                  os.path.join(workdir, "serve.err")])
    if alarms:
        failures.append(f"{len(alarms)} error lines in the server log, e.g. {alarms[0]}")
    if warnings:
        notes.append(f"{len(warnings)} warning lines in the server log, e.g. {warnings[0]}")
    for n in notes:
        print(f"NOTE {n}")
    for f in failures:
        print(f"FAIL {f}")
    passed = not failures
    print("PASS" if passed else "FAIL")
    if passed and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"temp dir kept: {workdir}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

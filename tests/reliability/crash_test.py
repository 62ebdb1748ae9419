#!/usr/bin/env python3
"""Crash test for jiesu: a 201/200 on a write means it is on disk (DESIGN §6.4).

Starts the real server on a fresh SQLite database and, cycle after cycle, lets many
writer threads (each on its own keep-alive connection) create cases and act on their
own cases while the server is killed with SIGKILL at a random moment. Every write the
server acknowledged (a 200/201 received completely) is recorded with the case id and
the version the response reported; after every restart on the same database each one
must still be there: the case with its marker text, a version at least the
acknowledged one, and the acknowledged event kind in its event log. At the end the
server is stopped and `jiesu check` must report an intact database in which every case
row equals the fold of its events. docs/reliability.md ("Crash test") says what this
covers and what it does not.

Usage:
  python3 tests/reliability/crash_test.py --jiesu PATH [--cycles 20] [--writers 16]
      [--seconds-per-cycle 3] [--soak] [--seed N] [--keep] [--check-every-cycle]
      [--no-warm-up] [--inject-loss]

The defaults take about 60-80 s with the ASan build (build-test/jiesu) on 2 shared
cores; --soak (300 cycles unless --cycles says otherwise) is the long run.
--inject-loss is the test's self-test: it must FAIL.

Python 3 standard library only. Exit status 0 when nothing acknowledged was lost and
the final check passed, 1 otherwise (details on stdout), 2 on bad usage.
"""
import argparse
import collections
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

LIYUAN = "110112121"  # 梨园镇
CATEGORY = "0101"     # 物业管理
ACTION_KIND = {"accept": "accepted", "reply": "replied", "callback": "callback",
               "close": "closed"}
ACTION_STATUS = {"accept": "accepted", "reply": "replied", "callback": "called_back",
                 "close": "closed"}
ACTION_ROLE = {"accept": "handler", "reply": "handler", "callback": "operator",
               "close": "operator"}
PLACES = ["群芳园社区", "梨园小区", "大稿新村", "九棵树东路", "云景里", "翠屏北里",
          "半壁店村", "颐瑞东里"]
PROBLEMS = ["路灯坏了一周，晚上老人出行不便", "电梯停运三天，物业一直不修",
            "楼道堆放杂物，存在消防隐患", "小区门口垃圾无人清运，气味很大",
            "地下室漏水，物业推诿", "楼顶防水层破损，雨天屋内渗水"]
SERVE_LINE = re.compile(rb"serving on http://127\.0\.0\.1:(\d+)/")
LOG_ALARMS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "[error]",
              "[critical]", "terminate called")

HTTP_TIMEOUT = 30.0        # s: one request; longer with the server up is an anomaly
START_TIMEOUT = 120.0      # s: spawn to a healthy /healthz
SLOW_START = 10.0          # s: a restart slower than this is reported
PARK_TIMEOUT = 30.0        # s: writers must notice the kill within this


class TestError(Exception):
    """The run cannot go on (the server does not start, a key cannot be made)."""


def now():
    return time.monotonic()


# --------------------------------------------------------------------------- server

class Server:
    """One `jiesu serve` process at a time on the same database; port 0, re-read."""

    def __init__(self, jiesu, db_url, workdir):
        self.jiesu = jiesu
        self.db_url = db_url
        self.workdir = workdir
        self.proc = None
        self.port = None
        self.starts = 0
        self.start_seconds = []
        self.binary_stamp = binary_stamp(jiesu)
        self.binary_changes = []

    def logs(self):
        return [os.path.join(self.workdir, f"serve-{i}.{ext}")
                for i in range(1, self.starts + 1) for ext in ("out", "err")]

    def start(self):
        stamp = binary_stamp(self.jiesu)
        if stamp != self.binary_stamp:
            self.binary_changes.append(f"before start {self.starts + 1}")
            self.binary_stamp = stamp
        self.starts += 1
        out_path = os.path.join(self.workdir, f"serve-{self.starts}.out")
        err_path = os.path.join(self.workdir, f"serve-{self.starts}.err")
        t0 = now()
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            try:
                self.proc = subprocess.Popen(
                    [self.jiesu, "serve", "--db", self.db_url, "--listen", "127.0.0.1:0"],
                    stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=self.workdir)
            except OSError as e:  # e.g. ETXTBSY while the binary is being rebuilt
                raise TestError(f"server start {self.starts}: {e}") from e
        self.port = None
        while now() - t0 < START_TIMEOUT:
            if self.proc.poll() is not None:
                raise TestError(f"server start {self.starts} exited with "
                                f"{self.proc.returncode}:\n{tail(err_path)}")
            if self.port is None:
                with open(out_path, "rb") as f:
                    m = SERVE_LINE.search(f.read())
                if m:
                    self.port = int(m.group(1))
            if self.port is not None:
                try:
                    status, body = http_once(self.port, "GET", "/healthz", timeout=5)
                    if status == 200 and body.get("status") == "ok":
                        secs = now() - t0
                        self.start_seconds.append(secs)
                        return secs, body
                except (OSError, http.client.HTTPException, ValueError):
                    pass
            time.sleep(0.02)
        self.kill9()
        raise TestError(f"server start {self.starts} not healthy after {START_TIMEOUT:.0f} s:\n"
                        f"{tail(err_path)}")

    def kill9(self):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        rc = self.proc.wait()
        self.proc = None
        return rc

    def stop(self, timeout=30.0):
        """SIGTERM; returns (exit code, seconds) or (None, seconds) after a SIGKILL."""
        if self.proc is None:
            return None, 0.0
        t0 = now()
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            return None, now() - t0
        self.proc = None
        return rc, now() - t0


def binary_stamp(path):
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def tail(path, lines=20):
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def scan_logs(paths):
    """Lines in the server's output that a healthy run should not have."""
    alarms = []
    for path in paths:
        try:
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        for line in text.splitlines():
            if any(a in line for a in LOG_ALARMS):
                alarms.append(f"{os.path.basename(path)}: {line.strip()[:300]}")
    return alarms


def run_cli(args, timeout=120):
    p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def create_key(jiesu, db_url, role, unit=None):
    args = [jiesu, "keys", "create", "--db", db_url, "--role", role]
    if unit:
        args += ["--unit", unit]
    rc, out, err = run_cli(args)
    lines = out.strip().splitlines()
    if rc != 0 or not lines or not lines[-1].startswith("jz_"):
        raise TestError(f"keys create --role {role}: exit {rc}\n{out}\n{err}")
    return lines[-1].strip()


# ----------------------------------------------------------------------------- http

def http_request(conn, method, path, key=None, body=None):
    """One request on a keep-alive connection; (status, parsed JSON or None, headers).

    Raises OSError / http.client.HTTPException when no complete response came back.
    """
    headers = {}
    data = None
    if key:
        headers["Authorization"] = "Bearer " + key
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    raw = resp.read()  # IncompleteRead when the body is cut short
    try:
        parsed = json.loads(raw.decode("utf-8")) if raw else None
    except ValueError:
        parsed = None
    return resp.status, parsed, resp


def http_once(port, method, path, key=None, body=None, timeout=HTTP_TIMEOUT):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        status, parsed, _ = http_request(conn, method, path, key, body)
        if parsed is None:
            raise ValueError("no JSON body")
        return status, parsed
    finally:
        conn.close()


# -------------------------------------------------------------------------- records

class Ledger:
    """What the server acknowledged, what it did not, and what looked wrong."""

    def __init__(self):
        self.lock = threading.Lock()
        self.cases = {}           # id -> {"text", "version", "kinds", "cycle", "last_cycle"}
        self.creates = 0
        self.actions = collections.Counter()
        self.unacked = collections.Counter()   # error class -> count
        self.unacked_creates = []              # texts of creates with no response
        self.unacked_up_creates = []           # the same, while the server was up
        self.unacked_actions = []              # (id, kind)
        self.resolved_actions = 0              # unanswered actions looked up afterwards
        self.landed_actions = 0                # ... and found to have landed
        self.rate_limited = 0
        self.anomalies = []                    # server misbehaving while up
        self.latencies = []                    # acknowledged writes, seconds
        self.cycle_writes = collections.Counter()
        self.first_ack = {}                    # cycle -> monotonic time of its first ack

    def ack_create(self, cycle, case_id, text, version, latency):
        with self.lock:
            if case_id in self.cases:
                self.anomalies.append(f"id {case_id} acknowledged for two creates")
            self.cases[case_id] = {"text": text, "version": version,
                                   "kinds": {"created"}, "cycle": cycle, "last_cycle": cycle}
            self.creates += 1
            self.latencies.append(latency)
            self.cycle_writes[cycle] += 1
            self.first_ack.setdefault(cycle, now())

    def ack_action(self, cycle, case_id, action, version, latency):
        with self.lock:
            c = self.cases[case_id]
            c["version"] = max(c["version"], version)
            c["kinds"].add(ACTION_KIND[action])
            c["last_cycle"] = cycle
            self.actions[action] += 1
            self.latencies.append(latency)
            self.cycle_writes[cycle] += 1
            self.first_ack.setdefault(cycle, now())

    def no_ack(self, kind, op, case_id, text, expected, detail):
        with self.lock:
            self.unacked[kind] += 1
            if op == "create":
                self.unacked_creates.append(text)
                if not expected:
                    self.unacked_up_creates.append(text)
            else:
                self.unacked_actions.append((case_id, ACTION_KIND[op]))
            if not expected:
                self.anomalies.append(f"{op} on case {case_id}: no response while the "
                                      f"server was up: {detail}")

    def anomaly(self, text):
        with self.lock:
            self.anomalies.append(text)


# --------------------------------------------------------------------------- writers

class Coordinator:
    """Cycles: the main thread opens a generation, kills it, and waits for the writers."""

    def __init__(self, writers):
        self.cv = threading.Condition()
        self.writers = writers
        self.gen = 0
        self.port = None
        self.killed_gen = -1
        self.parked = 0
        self.stop = False

    def open(self, gen, port):
        with self.cv:
            self.gen, self.port, self.parked = gen, port, 0
            self.cv.notify_all()

    def mark_killed(self, gen):
        with self.cv:
            self.killed_gen = gen

    def wait_for_work(self, done_gen):
        with self.cv:
            # A generation already killed is still joined (and parked at once), so that
            # every writer parks once per generation.
            while not self.stop and self.gen == done_gen:
                self.cv.wait()
            return None if self.stop else (self.gen, self.port)

    def park(self):
        with self.cv:
            self.parked += 1
            self.cv.notify_all()

    def wait_parked(self, timeout):
        deadline = now() + timeout
        with self.cv:
            while self.parked < self.writers:
                left = deadline - now()
                if left <= 0:
                    return False
                self.cv.wait(left)
            return True

    def finish(self):
        with self.cv:
            self.stop = True
            self.cv.notify_all()


def classify(exc):
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, TimeoutError):
        return "timeout"
    return "in_flight"   # reset, EOF, broken pipe, cut-short body


STATUS_STEP = {"dispatched": 0, "accepted": 1, "replied": 2, "called_back": 3, "closed": 4}
IN_PROGRESS = 3   # cases a writer keeps going at once


class Writer:
    """One thread, one keep-alive connection per server start, a few cases of its own.

    Each step either creates a case (while the writer has fewer than IN_PROGRESS) or
    takes the next action on one of its cases: accept and reply as the 梨园镇 handler,
    then for half of the cases callback and close as the operator. An action that got no
    answer leaves its case uncertain; after the restart the writer reads the case
    (GET) to learn whether the action landed, and goes on from there.
    """

    def __init__(self, w, coord, ledger, keys, run_id, seed):
        self.w, self.coord, self.ledger, self.keys, self.run_id = w, coord, ledger, keys, run_id
        self.rng = random.Random(seed * 1009 + w)
        self.n = 0
        self.cases = []   # {"id", "plan", "step", "uncertain"}

    def run(self):
        try:
            self.loop()
        except Exception as e:  # a bug here must not hang the run
            import traceback
            self.ledger.anomaly(f"writer {self.w} died: {type(e).__name__}: {e}\n"
                                + traceback.format_exc())
            self.coord.park()

    def loop(self):
        done_gen = 0  # generations (cycles) count from 1
        while True:
            work = self.coord.wait_for_work(done_gen)
            if work is None:
                return
            gen, port = work
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT)
            try:
                self.cycle(gen, port, conn)
            finally:
                self.conn.close()
            done_gen = gen
            self.coord.park()

    def cycle(self, gen, port, conn):
        self.conn = conn
        while self.coord.killed_gen != gen:
            uncertain = [c for c in self.cases if c["uncertain"]]
            if uncertain:
                op, case = "resolve", uncertain[0]
            elif len(self.cases) < IN_PROGRESS and (not self.cases or self.rng.random() < 0.4):
                op, case = "create", None
            else:
                case = self.rng.choice(self.cases)
                op = case["plan"][case["step"]]
            if not self.step(gen, port, op, case):
                return

    def request(self, gen, port, method, path, role, body, op, case_id, text):
        """(status, parsed, resp), or None after an error; False when killed."""
        t0 = now()
        try:
            return http_request(self.conn, method, path, self.keys[role], body) + (now() - t0,)
        except (OSError, http.client.HTTPException) as e:
            expected = self.coord.killed_gen == gen
            detail = f"{type(e).__name__}: {e} after {now() - t0:.2f} s"
            if op == "resolve":
                if not expected:
                    self.ledger.anomaly(f"GET case {case_id}: no response while the server "
                                        f"was up: {detail}")
            else:
                self.ledger.no_ack(classify(e) if expected else "server_up_" + classify(e),
                                   op, case_id, text, expected, detail)
            self.conn.close()
            if expected:
                return False
            time.sleep(0.05)
            self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT)
            return None

    def step(self, gen, port, op, case):
        """One request; False once the server is gone."""
        ledger = self.ledger
        case_id = case["id"] if case else None
        text = None
        if op == "resolve":
            method, path, role, body = "GET", f"/api/v1/cases/{case_id}", "operator", None
        elif op == "create":
            self.n += 1
            text = (f"{self.rng.choice(PLACES)}{self.rng.randint(1, 30)}号楼"
                    f"{self.rng.choice(PROBLEMS)}（崩溃测试 {self.run_id}-w{self.w}-n{self.n}）")
            method, path, role = "POST", "/api/v1/cases", "operator"
            body = {"type": "投诉", "text": text, "unit": LIYUAN, "category": CATEGORY}
        else:
            method, path, role = "POST", f"/api/v1/cases/{case_id}/actions", ACTION_ROLE[op]
            body = {"action": op}
            if op == "reply":
                body.update(text=f"已处理，{self.run_id}-w{self.w} 回复", resolved=True)
            elif op == "callback":
                body.update(reachable=True, contacted=True, resolved=True,
                            satisfaction=self.rng.choice(["满意", "基本满意"]))
        got = self.request(gen, port, method, path, role, body, op, case_id, text)
        if got is False:
            if case is not None and op != "resolve":
                case["uncertain"] = True
            return False
        if got is None:
            if case is not None and op != "resolve":
                case["uncertain"] = True
            return True
        status, parsed, resp, latency = got
        if status == 429:
            with ledger.lock:
                ledger.rate_limited += 1
            try:
                wait = float(resp.getheader("Retry-After") or 0.1)
            except ValueError:
                wait = 0.1
            time.sleep(min(max(wait, 0.05), 1.0))
            return True
        want = {"resolve": 200, "create": 201}.get(op, 200)
        if status != want or not isinstance(parsed, dict) or "id" not in parsed:
            ledger.anomaly(f"{op} on case {case_id} as {role}: HTTP {status} (wanted {want}): "
                           f"{json.dumps(parsed, ensure_ascii=False)[:400]}")
            if case is not None:
                self.cases.remove(case)   # its state is unknown; leave it
            return True
        if op == "resolve":
            got_step = STATUS_STEP.get(parsed.get("status"))
            if got_step is None or got_step < case["step"]:
                ledger.anomaly(f"case {case_id}: status {parsed.get('status')!r} after the "
                               f"restart, acknowledged step {case['step']}")
                self.cases.remove(case)
                return True
            with ledger.lock:
                ledger.resolved_actions += 1
                if got_step > case["step"]:
                    ledger.landed_actions += 1
            case["step"], case["uncertain"] = got_step, False
        elif op == "create":
            cid = parsed["id"]
            ledger.ack_create(gen, cid, text, parsed.get("version", 0), latency)
            if parsed.get("text") != text or parsed.get("status") != "dispatched":
                ledger.anomaly(f"create {cid}: 201 with text/status "
                               f"{parsed.get('text')!r}/{parsed.get('status')!r}")
            plan = ["accept", "reply"] + (["callback", "close"] if self.rng.random() < 0.5
                                          else [])
            case = {"id": cid, "plan": plan, "step": 0, "uncertain": False}
            self.cases.append(case)
        else:
            ledger.ack_action(gen, case_id, op, parsed.get("version", 0), latency)
            if parsed.get("status") != ACTION_STATUS[op] or parsed.get("id") != case_id:
                ledger.anomaly(f"{op} on case {case_id}: 200 with id/status "
                               f"{parsed.get('id')}/{parsed.get('status')!r}")
            case["step"] += 1
        if case["step"] >= len(case["plan"]):
            self.cases.remove(case)
        return True


# ---------------------------------------------------------------------------- checks

class Reader:
    """GETs from the verifying threads, one keep-alive connection per thread and port."""

    def __init__(self, port, key, ledger):
        self.port, self.key, self.ledger = port, key, ledger
        self.local = threading.local()

    def get(self, path):
        """(status, parsed); a 429 is waited out as its Retry-After says (the verifying threads
        read faster than the key's rate limit allows), at most 60 times."""
        for _ in range(60):
            status, parsed, resp = self.get_once(path)
            if status != 429:
                return status, parsed
            with self.ledger.lock:
                self.ledger.rate_limited += 1
            try:
                wait = float(resp.getheader("Retry-After") or 0.1)
            except ValueError:
                wait = 0.1
            time.sleep(min(max(wait, 0.05), 1.0))
        return status, parsed

    def get_once(self, path):
        for attempt in (1, 2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
            try:
                return http_request(conn, "GET", path, self.key)
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
                # A keep-alive connection the server closed is retried once; note it.
                self.ledger.anomaly(f"GET {path} while verifying: {type(e).__name__}: {e} "
                                    "(retried)")
        raise AssertionError("unreachable")


def list_all(reader):
    """Every case the operator can list: id -> (version, text)."""
    out = {}
    cursor = None
    for _ in range(100000):
        path = "/api/v1/cases?limit=500" + (f"&cursor={cursor}" if cursor else "")
        status, body = reader.get(path)
        if status != 200 or not isinstance(body, dict):
            raise TestError(f"GET {path}: HTTP {status}: {str(body)[:300]}")
        for c in body.get("cases", []):
            out[c["id"]] = (c.get("version", 0), c.get("text"))
        cursor = body.get("next_cursor")
        if not cursor:
            return out
    raise TestError("case list paging did not end")


def check_case(reader, case_id, want):
    """Problems with one acknowledged case, by its full GET (events included)."""
    status, body = reader.get(f"/api/v1/cases/{case_id}")
    if status != 200 or not isinstance(body, dict):
        return [(case_id, f"case {case_id}: GET -> HTTP {status}: {str(body)[:200]}")]
    problems = []
    if body.get("text") != want["text"]:
        problems.append((case_id, f"case {case_id}: text {body.get('text')!r}, acknowledged "
                                  f"{want['text']!r}"))
    if body.get("version", 0) < want["version"]:
        problems.append((case_id, f"case {case_id}: version {body.get('version')} < "
                                  f"acknowledged {want['version']} (status {body.get('status')})"))
    kinds = {e.get("kind") for e in body.get("events", [])}
    missing = want["kinds"] - kinds
    if missing:
        problems.append((case_id, f"case {case_id}: acknowledged events {sorted(missing)} "
                                  f"missing; events are "
                                  f"{[e.get('kind') for e in body.get('events', [])]}"))
    return problems


def verify(port, key, ledger, full_ids, pool_size):
    """After a restart: every acknowledged case listed with its text and at least its
    acknowledged version; the cases in full_ids also by GET with their events."""
    with ledger.lock:
        snapshot = {cid: {"text": c["text"], "version": c["version"], "kinds": set(c["kinds"])}
                    for cid, c in ledger.cases.items()}
    reader = Reader(port, key, ledger)
    problems = []
    listed = list_all(reader)
    for cid, want in snapshot.items():
        got = listed.get(cid)
        if got is None:
            problems.append((cid, f"case {cid}: acknowledged, not in the case list"))
        elif got[1] != want["text"]:
            problems.append((cid, f"case {cid}: listed text {got[1]!r}, acknowledged "
                                  f"{want['text']!r}"))
        elif got[0] < want["version"]:
            problems.append((cid, f"case {cid}: listed version {got[0]} < acknowledged "
                                  f"{want['version']}"))
    ids = sorted(i for i in full_ids if i in snapshot)
    with ThreadPoolExecutor(max_workers=pool_size) as ex:
        for p in ex.map(lambda i: check_case(reader, i, snapshot[i]), ids):
            problems.extend(p)
    return problems, listed


# ------------------------------------------------------------------------------ main

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jiesu", required=True, help="the jiesu binary")
    ap.add_argument("--cycles", type=int, default=None,
                    help="kill/restart cycles (default 20; 300 with --soak)")
    ap.add_argument("--writers", type=int, default=16, help="writer threads (default 16)")
    ap.add_argument("--seconds-per-cycle", type=float, default=3.0,
                    help="writing time per cycle (default 3); the kill falls at a random "
                    "moment in it, or shortly after the first acknowledged write when none "
                    "came before (at most twice as long then)")
    ap.add_argument("--soak", action="store_true", help="a long run: 300 cycles by default")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: from time)")
    ap.add_argument("--check-every-cycle", action="store_true",
                    help="also run `jiesu check` on the killed database before each restart")
    ap.add_argument("--no-warm-up", action="store_true",
                    help="let the writers' first requests verify the keys after each restart")
    ap.add_argument("--inject-loss", action="store_true",
                    help="self-test: pretend two writes were acknowledged that the server never "
                    "made (the run must then FAIL with LOST lines)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (kept on failure)")
    args = ap.parse_args(argv)
    if args.cycles is None:
        args.cycles = 300 if args.soak else 20
    if args.cycles < 1 or args.writers < 1 or args.seconds_per_cycle <= 0:
        ap.error("--cycles, --writers and --seconds-per-cycle must be positive")
    if not os.access(args.jiesu, os.X_OK):
        ap.error(f"{args.jiesu}: not an executable")
    args.jiesu = os.path.abspath(args.jiesu)
    if args.seed is None:
        args.seed = int(time.time()) % 1000000
    return args


def warm_up(port, keys):
    """One request per key, so that the writers do not all verify the keys at once.

    The server caches a key after its first argon2id verification; with a cold cache
    every concurrent first request verifies it again (64 MiB and ~0.2 s each on the
    ASan build), which would spend most of a short cycle before any write commits.
    """
    t0 = now()
    for role, key in keys.items():
        status, body = http_once(port, "GET", "/api/v1/me", key)
        if status != 200:
            raise TestError(f"GET /api/v1/me as {role}: HTTP {status}: {body}")
    return now() - t0


TCP_COUNTERS = ("ListenOverflows", "SyncookiesSent", "SyncookiesFailed")


def tcp_counters():
    """The machine's TcpExt listen-queue counters (None where unreadable)."""
    try:
        with open("/proc/net/netstat") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            table = dict(zip(names.split()[1:], values.split()[1:]))
            return {k: int(table.get(k, 0)) for k in TCP_COUNTERS}
    return None


def run_check(jiesu, db_url):
    rc, out, err = run_cli([jiesu, "check", "--db", db_url])
    line = out.strip().splitlines()[-1] if out.strip() else ""
    try:
        parsed = json.loads(line)
    except ValueError:
        parsed = None
    ok = (rc == 0 and isinstance(parsed, dict) and parsed.get("integrity") == "ok"
          and parsed.get("mismatched") == [])
    return ok, rc, line, err


def main(argv):
    args = parse_args(argv)
    run_id = uuid.uuid4().hex[:8]
    rng = random.Random(args.seed)
    workdir = tempfile.mkdtemp(prefix="jiesu-crash-")
    db_url = "sqlite:" + os.path.join(workdir, "t.db")
    server = Server(args.jiesu, db_url, workdir)
    ledger = Ledger()
    coord = Coordinator(args.writers)
    losses = []          # findings: acknowledged writes that are not there
    lost_ids = set()     # the acknowledged cases they concern
    failures = []        # failed checks other than losses
    cycle_rows = []
    threads = []
    writers = []
    check_line = ""
    t_start = now()
    write_seconds = 0.0
    warm_seconds = []
    overflows_before = None
    print(f"jiesu crash test: {args.cycles} cycles, {args.writers} writers, "
          f"{args.seconds_per_cycle:g} s per cycle, seed {args.seed}, run {run_id}")
    print(f"  binary {args.jiesu}; temp dir {workdir}")
    sys.stdout.flush()
    try:
        keys = {"operator": create_key(args.jiesu, db_url, "operator"),
                "handler": create_key(args.jiesu, db_url, "handler", LIYUAN)}
        overflows_before = tcp_counters()
        secs, _ = server.start()
        if not args.no_warm_up:
            warm_seconds.append(warm_up(server.port, keys))
        print(f"  first start: {secs:.2f} s on port {server.port}")
        for w in range(args.writers):
            wr = Writer(w, coord, ledger, keys, run_id, args.seed)
            writers.append(wr)
            t = threading.Thread(target=wr.run, name=f"writer-{w}", daemon=True)
            t.start()
            threads.append(t)

        for cycle in range(1, args.cycles + 1):
            # The kill falls at a random moment of the cycle. When no write has been
            # acknowledged by then (on the ASan build 16 concurrent creates can take
            # seconds), it waits for the first acknowledgement, up to another
            # --seconds-per-cycle, and falls within 0.5 s after it: a kill with no
            # acknowledged write before it tests less.
            S = args.seconds_per_cycle
            kill_at = rng.uniform(0.2, 1.0) * S
            with ledger.lock:
                unacked_before = sum(ledger.unacked.values())
            coord.open(cycle, server.port)
            t0 = now()
            time.sleep(kill_at)
            if cycle not in ledger.first_ack:
                while now() - t0 < kill_at + S and cycle not in ledger.first_ack:
                    time.sleep(0.005)
                if cycle in ledger.first_ack:
                    time.sleep(rng.uniform(0.0, min(0.5, S)))
            kill_after = now() - t0
            coord.mark_killed(cycle)
            rc = server.kill9()
            write_seconds += now() - t0
            if rc != -signal.SIGKILL:
                failures.append(f"cycle {cycle}: server exited with {rc} before the kill")
            if not coord.wait_parked(PARK_TIMEOUT):
                ledger.anomaly(f"cycle {cycle}: writers still busy {PARK_TIMEOUT:.0f} s after "
                               "the kill")
                coord.wait_parked(HTTP_TIMEOUT * 2)
            if args.check_every_cycle:
                ok, crc, line, err = run_check(args.jiesu, db_url)
                if not ok:
                    failures.append(f"cycle {cycle}: check after the kill: exit {crc}: "
                                    f"{line} {err.strip()[-300:]}")
            if args.inject_loss and cycle == 1:
                with ledger.lock:
                    some = next(iter(ledger.cases.values()), None)
                    if some:
                        some["version"] += 100
                        some["kinds"].add("merged")
                    ledger.cases[10 ** 9] = {"text": "never written", "version": 2,
                                             "kinds": {"created"}, "cycle": cycle,
                                             "last_cycle": cycle}
                    ledger.creates += 1
            restart, health = server.start()
            if not args.no_warm_up:
                warm_seconds.append(warm_up(server.port, keys))
            if restart > SLOW_START:
                ledger.anomaly(f"cycle {cycle}: restart took {restart:.1f} s")
            with ledger.lock:
                touched = {cid for cid, c in ledger.cases.items() if c["last_cycle"] == cycle}
                acked_creates = ledger.creates
                writes = ledger.cycle_writes[cycle]
                unacked_now = sum(ledger.unacked.values()) - unacked_before
                first = ledger.first_ack.get(cycle)
            first_txt = f"first at {first - t0:4.2f} s" if first else "none"
            if health.get("cases", 0) < acked_creates:
                losses.append(f"cycle {cycle}: /healthz counts {health.get('cases')} cases, "
                              f"{acked_creates} creates were acknowledged")
            tv = now()
            problems, _ = verify(server.port, keys["operator"], ledger, touched,
                                 min(8, args.writers))
            verify_secs = now() - tv
            for cid, p in problems:
                lost_ids.add(cid)
                losses.append(f"cycle {cycle}: {p}")
            cycle_rows.append((cycle, kill_after, writes, unacked_now, restart, verify_secs))
            print(f"  cycle {cycle:3d}: killed after {kill_after:4.2f} s; {writes:4d} acknowledged "
                  f"writes ({first_txt}), {unacked_now:2d} unacknowledged; restart {restart:5.2f} s; "
                  f"verified {len(ledger.cases)} cases ({len(touched)} in full) in "
                  f"{verify_secs:.2f} s; {'LOST ' + str(len(problems)) if problems else 'ok'}")
            sys.stdout.flush()
            if len(losses) > 200:
                failures.append("stopped early: over 200 losses")
                break

        coord.finish()
        for t in threads:
            t.join(HTTP_TIMEOUT)

        # The end: every acknowledged case in full, what landed without an answer, a clean stop.
        problems, listed = verify(server.port, keys["operator"], ledger, set(ledger.cases),
                                  min(8, args.writers))
        for cid, p in problems:
            lost_ids.add(cid)
            losses.append(f"final: {p}")
        texts = collections.Counter(t for _, t in listed.values())
        dup = [t for t, k in texts.items() if k > 1 and run_id in t]
        if dup:
            failures.append(f"{len(dup)} marker texts appear in more than one case, e.g. {dup[0]!r}")
        landed_creates = sum(1 for t in ledger.unacked_creates if t in texts)
        if ledger.unacked_up_creates:
            up = sum(1 for t in ledger.unacked_up_creates if t in texts)
            ledger.anomaly(f"of the {len(ledger.unacked_up_creates)} creates with no response "
                           f"while the server was up, {up} are in the database")
        reader = Reader(server.port, keys["operator"], ledger)
        for wr in writers:   # the actions of the last kill, looked up as the writers would
            for c in wr.cases:
                if c["uncertain"]:
                    status, body = reader.get(f"/api/v1/cases/{c['id']}")
                    if status == 200:
                        ledger.resolved_actions += 1
                        if STATUS_STEP.get(body.get("status"), -1) > c["step"]:
                            ledger.landed_actions += 1
        landed_actions = ledger.landed_actions
        stop_rc, stop_secs = server.stop()
        if stop_rc != 0:
            failures.append(f"SIGTERM stop: exit {stop_rc} after {stop_secs:.1f} s "
                            f"(see serve-{server.starts}.err)")
        ok, crc, check_line, err = run_check(args.jiesu, db_url)
        if not ok:
            failures.append(f"jiesu check: exit {crc}: {check_line} {err.strip()[-500:]}")
        else:
            parsed = json.loads(check_line)
            n_actions = sum(ledger.actions.values())
            if parsed.get("cases", 0) < ledger.creates:
                losses.append(f"check counts {parsed.get('cases')} cases < {ledger.creates} "
                              "acknowledged creates")
            if parsed.get("events", 0) < 2 * ledger.creates + n_actions:
                losses.append(f"check counts {parsed.get('events')} events < "
                              f"{2 * ledger.creates + n_actions} acknowledged")
    except (TestError, OSError, http.client.HTTPException) as e:
        failures.append(f"{type(e).__name__}: {e}")
        landed_creates = landed_actions = None
    finally:
        coord.finish()
        server.kill9()

    alarms = scan_logs(server.logs())
    for a in alarms:
        if "AddressSanitizer" in a or "runtime error:" in a or "LeakSanitizer" in a:
            failures.append(f"sanitizer report in the server log: {a}")
    if server.binary_changes:
        failures.append("the binary changed during the run (" + ", ".join(server.binary_changes)
                        + "); rerun")

    elapsed = now() - t_start
    n_actions = sum(ledger.actions.values())
    n_unacked = sum(ledger.unacked.values())
    lat = sorted(ledger.latencies)
    starts = server.start_seconds[1:] or server.start_seconds
    print()
    print("figures")
    print(f"  cycles:                   {len(cycle_rows)} (kill -9 and restart each), "
          f"{elapsed:.0f} s in all, {write_seconds:.0f} s writing")
    print(f"  acknowledged creates:     {ledger.creates}")
    print(f"  acknowledged actions:     {n_actions} ("
          + ", ".join(f"{a} {ledger.actions[a]}" for a in ACTION_KIND) + ")")
    print(f"  unacknowledged attempts:  {n_unacked} ("
          + ", ".join(f"{k} {v}" for k, v in sorted(ledger.unacked.items())) + ")"
          + ("" if landed_creates is None else
             f"; landed anyway: {landed_creates} of {len(ledger.unacked_creates)} creates, "
             f"{landed_actions} of {ledger.resolved_actions} actions looked up"))
    print(f"  lost:                     {len(lost_ids) or (1 if losses else 0)}"
          + (f" acknowledged cases with a write missing ({len(losses)} findings)"
             if losses else ""))
    if lat:
        print(f"  acknowledged write latency: median {statistics.median(lat) * 1000:.0f} ms, "
              f"p99 {lat[int(0.99 * (len(lat) - 1))] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms; "
              f"{(ledger.creates + n_actions) / max(write_seconds, 1e-9):.0f} writes/s")
    if starts:
        print(f"  restart to healthy:       median {statistics.median(starts):.2f} s, "
              f"max {max(starts):.2f} s")
    if warm_seconds:
        print(f"  key warm-up after start:  median {statistics.median(warm_seconds):.2f} s, "
              f"max {max(warm_seconds):.2f} s (two keys, one request each)")
    overflows_after = tcp_counters()
    if overflows_before is not None and overflows_after is not None:
        print("  TCP listen queue:         " + ", ".join(
            f"{k} {overflows_after[k] - overflows_before[k]}" for k in TCP_COUNTERS)
            + " (whole machine, during the run)")
    print(f"  rate limited (429):       {ledger.rate_limited}")
    print(f"  anomalies:                {len(ledger.anomalies)}")
    for a in ledger.anomalies[:30]:
        print(f"    {a}")
    if len(ledger.anomalies) > 30:
        print(f"    … {len(ledger.anomalies) - 30} more")
    other_alarms = [a for a in alarms if not any(s in a for s in ("Sanitizer", "runtime error:"))]
    if other_alarms:
        print(f"  server log errors:        {len(other_alarms)}")
        for a in other_alarms[:10]:
            print(f"    {a}")
    print(f"  check:                    {check_line or '(not run)'}")
    for item in losses[:50]:
        print(f"LOST {item}")
    if len(losses) > 50:
        print(f"LOST … {len(losses) - 50} more")
    for item in failures:
        print(f"FAIL {item}")
    passed = not losses and not failures
    print("PASS" if passed else "FAIL")
    if passed and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"temp dir kept: {workdir}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

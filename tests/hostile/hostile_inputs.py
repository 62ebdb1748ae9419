#!/usr/bin/env python3
"""Hostile-input test for jiesu: one table row per hostile request.

    python3 tests/hostile/hostile_inputs.py --jiesu build-test/jiesu [--keep] [--only SUBSTRING]

Starts the real binary on a fresh SQLite database in a temporary directory (one key per role,
created with `jiesu keys create`), builds a few fixture cases in known states, then sends every
row of ROWS below. For each row:

  * the status is the row's expected one (a 4xx for every hostile row; never a 5xx, never a
    2xx unless the row says the input must be *accepted as inert text*, e.g. `<script>`);
  * a refusal has jiesu's error shape — `{"error":{"code","message","request_id"}}` with the
    documented code for the status and the same id in `X-Request-Id` — or, under
    `/open311/`, the GeoReport v2 form (`[{"code","description"}]` JSON or `<errors>` XML);
  * afterwards the server is alive and `GET /healthz` answers 200; the case count of
    /healthz moved by exactly what the row may create (0 for a refused write); the fixture
    cases the row names kept their `version` and events; inspection rounds and findings are
    unchanged by a refused inspection write; on the community routes (buildings, proposals,
    enterprises, consultations: docs/community.md) no building, resident, proposal, vote,
    comment, enterprise, consultation or opinion changed or appeared; nothing new in the
    server's output looks like a sanitizer report or a logged error.

Prints one PASS/FAIL line per row and `hostile: N rows, F failures`; exit 1 on any failure,
2 when the test could not run. Python 3 standard library only. See README.md beside this file
for how to add a row.
"""
import argparse
import io
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zipfile
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))
UNIT = "110112121"          # 梨园镇 — the handler's unit and the fixtures' unit
CATEGORY = "0101"           # 物业管理 (a 小类; also an Open311 service_code)
COMMUNITY = "110112121013"  # 群芳园社区 (梨园镇): the building fixtures' community
COMMUNITY2 = "110112121014" # 颐瑞西里社区 (梨园镇): the second building's
FOREIGN_COMMUNITY = "110112001006"  # 悟仙观社区, not within the handler's 梨园镇
OFFICE = "110112D01"        # 区住建委: the consultations' drafting office
ROLES = ["operator", "handler", "supervisor", "inspector", "admin", "public"]
HTTP_THREADS = 32           # [http] threads default (configs/jiesu.example.toml)
OBSERVERS = 4               # admin keys reading the community state between rows
READ_TIMEOUT = 10           # the server's read timeout in seconds (the brief)

# Error codes jiesu documents per status (docs/openapi.yaml, "Errors have one shape").
ERROR_CODES = {400: "invalid_argument", 401: "unauthenticated", 403: "forbidden",
               404: "not_found", 409: "conflict", 413: "too_large"}


class Abort(Exception):
    """The test cannot go on."""


def now_iso(delta=timedelta()):
    return (datetime.now(BEIJING) + delta).isoformat(timespec="seconds")


def this_month():
    return datetime.now(BEIJING).strftime("%Y-%m")


def snippet(data, n=140):
    if isinstance(data, bytes):
        data = data.decode("utf-8", "backslashreplace")
    data = data.replace("\r", "\\r").replace("\n", "\\n")
    return data if len(data) <= n else data[:n] + "…"


# ---------------------------------------------------------------------------------------------
# A raw HTTP/1.1 client: hostile requests need bytes no library would send.

class Resp:
    def __init__(self):
        self.status = None
        self.headers = {}        # lower-case name → last value
        self.body = b""
        self.error = None        # transport problem, e.g. "closed without an answer"
        self.elapsed = 0.0

    def header(self, name):
        return self.headers.get(name.lower(), "")

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def describe(self):
        if self.status is None:
            return f"no answer ({self.error})"
        return f"{self.status} {snippet(self.body)}"


def read_response(sock, deadline):
    """Reads one response (status line, headers, body by Content-Length or chunked or until
    close) from sock; returns a Resp with error set when the connection ended first."""
    r = Resp()
    buf = b""
    def more():
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        sock.settimeout(left)
        data = sock.recv(65536)
        return data
    try:
        while b"\r\n\r\n" not in buf:
            data = more()
            if not data:
                r.error = "closed without an answer" if not buf else "closed inside the headers"
                return r
            buf += data
        head, _, rest = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        r.status = int(parts[1])
        for line in lines[1:]:
            name, _, value = line.partition(":")
            r.headers[name.strip().lower()] = value.strip()
        if r.headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                while b"\r\n" not in rest:
                    data = more()
                    if not data:
                        r.error = "closed inside a chunk"
                        r.body = body
                        return r
                    rest += data
                size_line, _, rest = rest.partition(b"\r\n")
                size = int(size_line.split(b";")[0], 16)
                while len(rest) < size + 2:
                    data = more()
                    if not data:
                        r.error = "closed inside a chunk"
                        r.body = body + rest
                        return r
                    rest += data
                body += rest[:size]
                rest = rest[size + 2:]
                if size == 0:
                    break
            r.body = body
        elif "content-length" in r.headers:
            n = int(r.headers["content-length"])
            while len(rest) < n:
                data = more()
                if not data:
                    r.error = "closed inside the body"
                    break
                rest += data
            r.body = rest[:n]
        else:
            while True:
                data = more()
                if not data:
                    break
                rest += data
            r.body = rest
    except TimeoutError:
        r.error = "timed out"
    except (ConnectionResetError, BrokenPipeError) as e:
        r.error = f"connection reset ({e.__class__.__name__})"
    except (ValueError, IndexError) as e:
        r.error = f"unparsable answer ({e}): {snippet(buf)}"
    return r


def build_request(method, path, headers, body, length="auto"):
    """headers: list of (name, value) with str or bytes values; a Content-Length is added unless
    length is None (none), an int/str (that value) or "auto" (len(body) for anything but GET)."""
    if isinstance(path, str):
        path = path.encode("utf-8")
    out = method.encode() + b" " + path + b" HTTP/1.1\r\n"
    names = {n.lower() for n, _ in headers}
    if "host" not in names:
        out += b"Host: 127.0.0.1\r\n"
    if "connection" not in names:
        out += b"Connection: close\r\n"
    for name, value in headers:
        if isinstance(value, str):
            value = value.encode("utf-8")
        out += name.encode() + b": " + value + b"\r\n"
    if "content-length" not in names:
        if length == "auto":
            if method not in ("GET", "HEAD") or body:
                out += b"Content-Length: %d\r\n" % len(body)
        elif length is not None:
            out += b"Content-Length: " + str(length).encode() + b"\r\n"
    return out + b"\r\n" + body


def http(port, method, path, headers=(), body=b"", length="auto", timeout=20.0):
    r = Resp()
    start = time.monotonic()
    deadline = start + timeout
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError as e:
        r.error = f"cannot connect: {e}"
        return r
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        data = build_request(method, path, list(headers), body, length)
        send_error = None
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as e:
            send_error = e   # the server may have answered and closed early (413): read it
        r = read_response(sock, deadline)
        if r.status is None and send_error is not None:
            r.error = f"connection reset while sending ({send_error.__class__.__name__})"
    finally:
        sock.close()
    r.elapsed = time.monotonic() - start
    return r


# ---------------------------------------------------------------------------------------------
# The server under test.

class Server:
    def __init__(self, jiesu, tmp):
        self.jiesu = jiesu
        self.tmp = tmp
        self.db = "sqlite:" + os.path.join(tmp, "t.db")
        self.proc = None
        self.port = None
        self.out_path = os.path.join(tmp, "serve.out")
        self.err_path = os.path.join(tmp, "serve.err")
        self.starts = 0

    def cli(self, *args):
        last = None
        for attempt in range(3):   # the binary may be replaced under us by a rebuild
            p = subprocess.run([self.jiesu, *args], capture_output=True, text=True, timeout=120)
            if p.returncode == 0:
                return p.stdout
            last = p
            time.sleep(2)
        raise Abort(f"jiesu {' '.join(args)} failed ({last.returncode}): {last.stderr.strip()}")

    def create_key(self, role, unit=None, name=None):
        args = ["keys", "create", "--db", self.db, "--role", role, "--name", name or role]
        if unit:
            args += ["--unit", unit]
        lines = [l for l in self.cli(*args).splitlines() if l.strip()]
        if not lines:
            raise Abort(f"keys create --role {role} printed nothing")
        return lines[-1].strip()

    def start(self):
        for attempt in range(3):
            self.starts += 1
            out = open(self.out_path, "ab")
            err = open(self.err_path, "ab")
            self.proc = subprocess.Popen(
                [self.jiesu, "serve", "--db", self.db, "--listen", "127.0.0.1:0"],
                stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=self.tmp)
            out.close()
            err.close()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                text = open(self.out_path, "rb").read().decode("utf-8", "replace")
                found = re.findall(r"serving on http://127\.0\.0\.1:(\d+)/", text)
                if len(found) >= self.starts:
                    self.port = int(found[self.starts - 1])
                    return
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
            self.stop()
            time.sleep(2)
        raise Abort("jiesu serve did not start: " + snippet(open(self.err_path, "rb").read(), 400))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def log_size(self):
        return (os.path.getsize(self.out_path), os.path.getsize(self.err_path))

    def log_since(self, sizes):
        text = b""
        for path, size in zip((self.out_path, self.err_path), sizes):
            with open(path, "rb") as f:
                f.seek(size)
                text += f.read()
        return text.decode("utf-8", "replace")


SUSPICIOUS = re.compile(r"runtime error|AddressSanitizer|LeakSanitizer|UndefinedBehavior|"
                        r"\[error\]|\[critical\]|terminate called|Segmentation|Aborted")


# ---------------------------------------------------------------------------------------------
# The run: keys, fixtures, helpers the rows use.

class Run:
    def __init__(self, server):
        self.s = server
        self.keys = {}
        self.fixtures = {}       # name → id
        self.dirty = set()       # fixtures a row changed: rebuilt before their next use
        self.created_ids = []    # cases created by rows accepted as inert text

    # -- plumbing
    def req(self, method, path, key=None, body=b"", headers=(), ctype=None, **kw):
        h = list(headers)
        if key:
            h.append(("Authorization", "Bearer " + self.keys[key]))
        if ctype:
            h.append(("Content-Type", ctype))
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode()
            if not ctype:
                h.append(("Content-Type", "application/json"))
        return http(self.s.port, method, path, h, body, **kw)

    def ok(self, resp, *statuses, what=""):
        if resp.status not in statuses:
            raise Abort(f"fixture step {what} answered {resp.describe()}")
        return resp.json() if resp.body else None

    def health(self):
        """(status, case count) of GET /healthz; count None when unreadable."""
        r = http(self.s.port, "GET", "/healthz", timeout=5)
        try:
            return r.status, int(r.json()["cases"]) if r.status == 200 else None
        except (ValueError, KeyError, TypeError):
            return r.status, None

    def case_state(self, cid):
        r = self.req("GET", f"/api/v1/cases/{cid}", "supervisor", timeout=10)
        if r.status != 200:
            return (r.status,)
        c = r.json()
        return (c.get("version"), len(c.get("events", [])), c.get("status"),
                json.dumps(c.get("events"), sort_keys=True))

    def inspection_state(self):
        r = self.req("GET", "/api/v1/inspections", "inspector", timeout=10)
        if r.status != 200:
            return (r.status,)
        rounds = r.json().get("inspections", [])
        return (len(rounds), tuple((x.get("id"), x.get("found")) for x in rounds))

    # -- fixtures: cases in the states the action rows need
    def new_case(self, **over):
        body = {"type": "投诉", "text": "群芳园社区3号楼前的路灯坏了一周，晚上老人出行不便（fixture）",
                "address": "通州区梨园镇群芳园社区3号楼", "unit": UNIT, "category": CATEGORY,
                "caller": {"name": "王芳", "phone": "13812345678"}}
        body.update(over)
        body = {k: v for k, v in body.items() if v is not None}
        return self.ok(self.req("POST", "/api/v1/cases", "operator", body), 201,
                       what="create case")["id"]

    def act(self, cid, key, body, what):
        return self.ok(self.req("POST", f"/api/v1/cases/{cid}/actions", key, body), 200,
                       what=what)

    def build_fixture(self, name):
        if name == "A":        # dispatched to 梨园镇
            cid = self.new_case()
            want = "dispatched"
        elif name == "B":      # accepted by 梨园镇
            cid = self.new_case()
            self.act(cid, "handler", {"action": "accept"}, "accept B")
            want = "accepted"
        elif name == "C":      # replied, waiting for the callback
            cid = self.new_case()
            self.act(cid, "handler", {"action": "accept"}, "accept C")
            self.act(cid, "handler", {"action": "reply", "text": "已修复", "resolved": True},
                     "reply C")
            want = "replied"
        elif name == "D":      # objected, waiting for review
            cid = self.new_case()
            self.act(cid, "handler", {"action": "object", "reason": "不属于本单位职责"}, "object D")
            want = "objected"
        elif name == "E":      # a 咨询 received, not dispatched (answer)
            cid = self.new_case(type="咨询", text="请问居住证办理需要哪些材料？（fixture）",
                                unit=None, category=None, address=None)
            want = "received"
        elif name == "R":      # an inspection round over 梨园镇
            body = {"name": "hostile-test 巡察组", "units": [UNIT]}
            return self.ok(self.req("POST", "/api/v1/inspections", "inspector", body), 201,
                           what="create round")["id"]
        elif name == "F":      # an inspection finding, replied (verify)
            rid = self.fixture("R")
            body = {"unit": UNIT, "text": "专项资金使用台账不健全（fixture）",
                    "due": now_iso(timedelta(days=30))}
            cid = self.ok(self.req("POST", f"/api/v1/inspections/{rid}/findings", "inspector",
                                   body), 201, what="create finding")["id"]
            self.act(cid, "handler", {"action": "accept"}, "accept F")
            self.act(cid, "handler", {"action": "reply", "text": "已建立台账"}, "reply F")
            want = "replied"
        else:
            raise Abort(f"unknown fixture {name}")
        status = self.case_state(cid)[2]
        if status != want:
            raise Abort(f"fixture {name} (case {cid}) is {status}, want {want}")
        return cid

    def fixture(self, name):
        if name in SUB_FIXTURES:          # an id (or code) made with its parent fixture
            self.fixture(SUB_FIXTURES[name])
            return self.fixtures[name]
        if name not in self.fixtures or name in self.dirty:
            # What lives in a rebuilt fixture (a proposal in a building) is rebuilt too.
            self.dirty.update(DEPENDENTS.get(name, ()))
            build = self.build_community if name in COMMUNITY_FIXTURES else self.build_fixture
            self.fixtures[name] = build(name)
            self.dirty.discard(name)
        return self.fixtures[name]

    # -- community fixtures: buildings with residents, proposals, an enterprise, consultations
    def resident(self, bid, name, room, role):
        made = self.ok(self.req("POST", f"/api/v1/buildings/{bid}/residents", "admin",
                                {"name": name, "room": room}), 201, what=f"register {role}")
        self.keys[role] = made["key"]
        return made["resident"]["id"]

    def build_community(self, name):
        if name == "BLD":      # 群芳园: 楼门公约, 王芳 (楼门长, key "leader"), 李建国 (key "resident")
            bid = self.ok(self.req("POST", "/api/v1/buildings", "admin", {
                "community": COMMUNITY, "name": "群芳园小区3号楼2单元（fixture）",
                "covenant": "一、爱护楼道公共卫生；二、电动车不进楼道（fixture）"}), 201,
                what="create building")["id"]
            self.fixtures["RLEAD"] = self.resident(bid, "王芳", "302", "leader")
            self.fixtures["RRES"] = self.resident(bid, "李建国", "501", "resident")
            self.ok(self.req("POST", f"/api/v1/buildings/{bid}", "admin",
                             {"leader_id": self.fixtures["RLEAD"]}), 200, what="name 楼门长")
            return bid
        if name == "BLD2":     # 颐瑞西里: 张敏 (key "outsider"), no 楼门长; 陈刚 moved out
            bid = self.ok(self.req("POST", "/api/v1/buildings", "admin", {
                "community": COMMUNITY2, "name": "颐瑞西里5号楼（fixture）"}), 201,
                what="create building 2")["id"]
            self.fixtures["ROUT"] = self.resident(bid, "张敏", "201", "outsider")
            left = self.resident(bid, "陈刚", "202", "departed")
            self.ok(self.req("POST", f"/api/v1/buildings/{bid}/residents/{left}/leave", "admin"),
                    200, what="a resident moves out")
            self.fixtures["RLEFT"] = left
            return bid
        if name == "PROP":     # open, one vote for, one comment
            bid = self.fixture("BLD")
            pid = self.ok(self.req("POST", f"/api/v1/buildings/{bid}/proposals", "resident", {
                "title": "楼道加装扶手（fixture）", "text": "三楼以上老人上下楼不便，建议加装扶手"}),
                201, what="create proposal")["id"]
            self.ok(self.req("POST", f"/api/v1/proposals/{pid}/votes", "resident",
                             {"choice": "for"}), 200, what="vote")
            self.ok(self.req("POST", f"/api/v1/proposals/{pid}/comments", "leader",
                             {"text": "同意，建议先征求一层住户意见"}), 201, what="comment")
            return pid
        if name == "PCLOSED":  # closed (rejected) by the 楼门长
            bid = self.fixture("BLD")
            pid = self.ok(self.req("POST", f"/api/v1/buildings/{bid}/proposals", "resident", {
                "title": "楼顶加装太阳能（fixture）", "text": "建议楼顶加装太阳能热水器"}),
                201, what="create proposal 2")["id"]
            self.ok(self.req("POST", f"/api/v1/proposals/{pid}/close", "leader",
                             {"outcome": "rejected", "agreement": "经协商暂不实施"}), 200,
                    what="close proposal")
            return pid
        if name == "ENT":      # an enterprise of 梨园镇 with one 企业诉求
            code = credit_code("91110112MB", next(CODE_SERIAL))
            eid = self.ok(self.req("POST", "/api/v1/enterprises", "supervisor", {
                "name": "北京云帆科技有限公司（fixture）", "credit_code": code, "township": UNIT,
                "address": "梨园镇云景东路1号", "manager_name": "赵磊", "manager_unit": UNIT}), 201,
                what="create enterprise")["id"]
            self.fixtures["ENTCODE"] = code
            self.ok(self.req("POST", "/api/v1/cases", "operator", {
                "enterprise_id": eid, "type": "求助", "text": "企业门前道路积水，员工出行不便（fixture）"}),
                201, what="enterprise request")
            return eid
        if name in ("CONS", "CCLOSED", "CUPCOMING"):
            opens, closes = {"CONS": (None, now_iso(timedelta(days=30))),
                             "CCLOSED": ("2020-01-01T09:00:00+08:00", "2020-03-01T00:00:00+08:00"),
                             "CUPCOMING": (now_iso(timedelta(days=365)),
                                           now_iso(timedelta(days=400)))}[name]
            body = {"title": f"《北京市建筑绿色发展条例（草案）》公开征求意见（fixture {name}）",
                    "summary": "为推动建筑绿色发展，现公开征求意见。", "office": OFFICE,
                    "closes": closes, "sections": [
                        {"title": "第一章 总则", "text": "第一条 为了推动建筑绿色发展……"},
                        {"title": "第二章 规划与建设", "text": "第五条 新建民用建筑应当……"}]}
            if opens:
                body["opens"] = opens
            cid = self.ok(self.req("POST", "/api/v1/consultations", "supervisor", body), 201,
                          what=f"create consultation {name}")["id"]
            if name == "CONS":
                self.ok(self.req("POST", f"/api/v1/consultations/{cid}/opinions", "public",
                                 {"section": 1, "text": "建议明确适用范围（fixture）"}), 201,
                        what="give an opinion")
            return cid
        raise Abort(f"unknown fixture {name}")

    def observer(self):
        """The next observer key: the state reads of a row (about ten) are spread over a few
        admin keys so that none reaches the per-key rate limit ([http] rate_per_second 200)."""
        self.observed = getattr(self, "observed", 0) + 1
        return f"observer{self.observed % OBSERVERS}"

    def community_lists(self):
        """Every building, enterprise and consultation as admin sees them: kind → {id: doc}."""
        out = {}
        for kind in ("buildings", "enterprises", "consultations"):
            r = self.req("GET", f"/api/v1/{kind}", self.observer(), timeout=10)
            try:
                out[kind] = {x["id"]: x for x in r.json()[kind]}
            except (ValueError, KeyError, TypeError):
                out[kind] = {"?": r.describe()}
        return out

    def community_fixture_state(self, name):
        """What a refused request must leave as it was in a community fixture."""
        fid = self.fixtures[name]
        def get(path):
            r = self.req("GET", path, self.observer(), timeout=10)
            try:
                return r.json() if r.status == 200 else r.describe()
            except ValueError:
                return r.describe()
        if name in ("BLD", "BLD2"):
            props = get(f"/api/v1/buildings/{fid}/proposals")
            if isinstance(props, dict):   # proposals by id and status (votes: on PROP itself)
                props = [(p.get("id"), p.get("status")) for p in props.get("proposals", [])]
            return {"building": get(f"/api/v1/buildings/{fid}"), "proposals": props}
        if name in ("PROP", "PCLOSED"):
            return {"proposal": get(f"/api/v1/proposals/{fid}")}
        if name == "ENT":
            return {"enterprise": get(f"/api/v1/enterprises/{fid}")}
        return {"consultation": get(f"/api/v1/consultations/{fid}"),
                "opinions": get(f"/api/v1/consultations/{fid}/opinions")}

    def community_state(self, names):
        return (self.community_lists(),
                {n: self.community_fixture_state(n) for n in names})


# ---------------------------------------------------------------------------------------------
# Row helpers.

# ${A} … a fixture's id in a path or body; #{A} inside a dict body is the same id as a JSON
# number (the quoted "#{A}" becomes a bare ${A} when the body is encoded).
FIXTURE_TOKEN = re.compile(r"\$\{([A-Z][A-Z0-9]*)\}")
ANY_FIXTURE_TOKEN = re.compile(r"[$#]\{([A-Z][A-Z0-9]*)\}")
INT_TOKEN = re.compile(rb'"#\{([A-Z][A-Z0-9]*)\}"')
CASE_FIXTURES = set("ABCDEF")
# Community fixtures (Run.build_community): BLD a building of 群芳园社区 with its 楼门长 and a
# resident, BLD2 another building with one resident, PROP an open proposal in BLD (a vote, a
# comment), PCLOSED a closed one, ENT an enterprise with one request, CONS an open consultation
# (two sections, one opinion), CCLOSED a closed one, CUPCOMING one that opens in a year.
# BLD2 also holds a resident who moved out (POST …/residents/{rid}/leave): his key is revoked.
COMMUNITY_FIXTURES = {"BLD", "BLD2", "PROP", "PCLOSED", "ENT", "CONS", "CCLOSED", "CUPCOMING"}
# Ids made with a fixture: the 楼门长's and the resident's resident ids (BLD), the outsider's
# and the one who moved out (BLD2), the enterprise's credit code (ENT).
SUB_FIXTURES = {"RLEAD": "BLD", "RRES": "BLD", "ROUT": "BLD2", "RLEFT": "BLD2",
                "ENTCODE": "ENT"}
DEPENDENTS = {"BLD": ("PROP", "PCLOSED")}
# Resident keys exist once their building does.
KEY_FIXTURE = {"leader": "BLD", "resident": "BLD", "outsider": "BLD2", "departed": "BLD2"}
COMMUNITY_ROUTE = re.compile(r"^/api/v1/(buildings|proposals|enterprises|consultations)\b")
KEY_TOKEN = re.compile(r"\$\{KEY:([a-z]+)\}")
BADKEY_TOKEN = re.compile(r"\$\{BADKEY:([a-z]+)\}")


class Row:
    """One hostile request. expect: an int or a set of ints. key: a role whose key goes in
    `Authorization: Bearer`, or None. body: bytes, or a dict/list sent as JSON. ctype: the
    Content-Type (default application/json when body is a dict and ctype is not given; pass
    "" for none). headers: extra (name, value) pairs. length: Content-Length override
    ("auto", None, or a value). creates: cases the row may add (inert rows). check: a function
    (run, resp) → list of problems. special: a function (run, row) → Resp for rows that are not
    one request/answer. ${A}…${F}, ${R} in path and body are fixture ids; ${KEY:role} a key."""

    def __init__(self, name, method, path, expect, key="operator", body=b"", ctype=None,
                 headers=(), length="auto", creates=0, check=None, special=None, fixtures=(),
                 timeout=20.0, grows=None, alters=()):
        self.name, self.method, self.path, self.key = name, method, path, key
        self.path_str = path.decode("latin-1") if isinstance(path, bytes) else path
        self.expect = {expect} if isinstance(expect, int) else set(expect)
        self.body, self.ctype, self.headers, self.length = body, ctype, list(headers), length
        self.creates, self.check, self.special, self.timeout = creates, check, special, timeout
        # Community records a 2xx may add ({"buildings": 1}) and fixtures it may change.
        self.grows, self.alters = dict(grows or {}), tuple(alters)
        text = self.path_str + (body.decode("utf-8", "replace") if isinstance(body, bytes)
                                else json.dumps(body, ensure_ascii=False))
        named = set(ANY_FIXTURE_TOKEN.findall(text)) | set(fixtures) | set(self.alters)
        if key in KEY_FIXTURE:
            named.add(KEY_FIXTURE[key])
        self.fixtures = sorted(named)
        # Rows on the community routes (or naming their fixtures, or an enterprise_id) also
        # check that no building, resident, proposal, enterprise or consultation changed.
        self.community = bool(COMMUNITY_ROUTE.match(self.path_str) or "enterprise_id" in text or
                              {SUB_FIXTURES.get(n, n) for n in named} & COMMUNITY_FIXTURES)

    def hostile(self):
        return all(isinstance(s, str) or 400 <= s < 500 for s in self.expect)


def J(obj):
    """JSON bytes, UTF-8, non-ASCII kept."""
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


DROP = object()


def over(base, **changes):
    """base with fields changed (DROP removes one)."""
    body = dict(base)
    for k, v in changes.items():
        if v is DROP:
            body.pop(k, None)
        else:
            body[k] = v
    return body


def splice(body, field, raw):
    """JSON bytes of body with field's value replaced by the raw bytes (which no encoder would
    write: invalid UTF-8, a raw NUL, a duplicate key), appended last."""
    rest = encode_ints(over(body, **{field: DROP}))
    sep = b"" if rest == b"{}" else b","
    return rest[:-1] + sep + b'"' + field.encode() + b'":' + raw + b"}"


def encode_ints(data):
    """A dict as JSON bytes, or bytes, with every "#{X}" turned into a bare ${X} (a number)."""
    if isinstance(data, (dict, list)):
        data = J(data)
    return INT_TOKEN.sub(rb"${\1}", data)


CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"   # GB 32100-2015


def credit_check(first17):
    """The check character of a 统一社会信用代码's first 17 characters."""
    total, weight = 0, 1
    for ch in first17:
        total += CREDIT_ALPHABET.index(ch) * weight
        weight = weight * 3 % 31
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code(prefix, n):
    """A valid credit code: prefix (10 characters), n in 7 digits, the check character."""
    first17 = prefix + f"{n:07d}"
    return first17 + credit_check(first17)


CODE_SERIAL = iter(range(1, 10 ** 7))   # a fresh credit code for every row and fixture


def case_body(**over):
    """A valid POST /api/v1/cases body by the operator, with fields overridden (DROP removes)."""
    body = {"type": "投诉", "text": "小区楼道灯坏了（hostile row）", "address": "通州区梨园镇群芳园社区3号楼",
            "unit": UNIT, "category": CATEGORY, "caller": {"name": "李雷", "phone": "13900001111"}}
    for k, v in over.items():
        if v is DROP:
            body.pop(k, None)
        else:
            body[k] = v
    return body


def action(cid_token, key, name, body, expect=400, **kw):
    """A POST …/actions row on a fixture case."""
    return Row(name, "POST", f"/api/v1/cases/{cid_token}/actions", expect, key=key, body=body,
               **kw)


def form(**fields):
    """A form-encoded Open311 body from already-encoded values (so rows can break the encoding)."""
    return "&".join(f"{k}={v}" for k, v in fields.items()).encode("utf-8")


O311_OK = {"api_key": "${KEY:public}", "service_code": CATEGORY, "lat": "39.87",
           "long": "116.67", "description": urllib.parse.quote("小区电梯停运三天（hostile row）")}


def o311(**over):
    f = dict(O311_OK)
    for k, v in over.items():
        if v is DROP:
            f.pop(k, None)
        else:
            f[k] = v
    return form(**f)


FORM = "application/x-www-form-urlencoded"


def nest(depth, inner='"x"'):
    return "[" * depth + inner + "]" * depth


def nested_caller(depth):
    return ('{"type":"投诉","text":"nesting","unit":"' + UNIT + '","caller":{"name":' +
            '{"a":' * depth + '"x"' + "}" * depth + "}}").encode()


# ---------------------------------------------------------------------------------------------
# Checks for rows whose input must be accepted as inert text.

SCRIPT_TITLE = '<script>alert("title")</script>'
SCRIPT_TEXT = '"><img src=x onerror=alert(1)><script>alert(document.cookie)</script>楼道灯坏了'
SCRIPT_ADDR = "</script><script>alert('addr')</script>群芳园社区"
SCRIPT_NAME = "<svg onload=alert(1)>"
SQL_TEXT = "'); DROP TABLE cases; -- 楼道灯坏了"
SQL_TITLE = "\" OR 1=1 -- 标题"
SQL_ADDR = "1' UNION SELECT key_hash FROM api_keys -- 群芳园"


def read_back(run, resp, fields):
    """The case the row created, read as operator; problems when a field differs or the raw
    body does not carry it JSON-escaped with Content-Type application/json."""
    problems = []
    if resp.status != 201:
        return problems
    try:
        cid = resp.json()["id"]
    except (ValueError, KeyError, TypeError):
        return ["201 without a case id"]
    run.created_ids.append(cid)
    r = run.req("GET", f"/api/v1/cases/{cid}", "operator")
    if r.status != 200:
        return [f"reading case {cid} back: {r.describe()}"]
    ctype = r.header("Content-Type")
    if not ctype.startswith("application/json"):
        problems.append(f"case read Content-Type is {ctype!r}, want application/json")
    try:
        c = r.json()
    except ValueError:
        return problems + ["case read is not JSON"]
    raw = r.body.decode("utf-8", "replace")
    for path, want in fields.items():
        got = c
        for part in path.split("."):
            got = got.get(part) if isinstance(got, dict) else None
        if got != want:
            problems.append(f"{path} came back as {snippet(str(got), 60)!r}, want {want!r}")
        escaped = json.dumps(want, ensure_ascii=False)
        if escaped not in raw:
            problems.append(f"{path} not JSON-escaped in the raw body (looked for {escaped})")
    return problems


def check_script_case(run, resp):
    return read_back(run, resp, {"title": SCRIPT_TITLE, "text": SCRIPT_TEXT,
                                 "address": SCRIPT_ADDR, "caller.name": SCRIPT_NAME})


def check_sql_case(run, resp):
    problems = read_back(run, resp, {"title": SQL_TITLE, "text": SQL_TEXT, "address": SQL_ADDR})
    if problems or resp.status != 201:
        return problems
    # The tables are still there and the text is searchable as text.
    r = run.req("GET", "/api/v1/cases?q=" + urllib.parse.quote("DROP TABLE cases"), "operator")
    if r.status != 200:
        return [f"search for the stored SQL text: {r.describe()}"]
    ids = [c["id"] for c in r.json().get("cases", [])]
    if run.created_ids[-1] not in ids:
        problems.append(f"search for the stored SQL text does not find case {run.created_ids[-1]}")
    return problems


def check_list_contains_q(q):
    def check(run, resp):
        if resp.status != 200:
            return []
        problems = []
        for c in resp.json().get("cases", []):
            hay = " ".join(str(c.get(f, "")) for f in ("title", "text", "address"))
            if q not in hay:
                problems.append(f"case {c.get('id')} listed for q={q!r} but does not contain it "
                                "(pattern or SQL semantics leaked into the search)")
        return problems[:3]
    return check


def check_empty_if_200(run, resp):
    if resp.status != 200:
        return []
    try:
        n = len(resp.json().get("cases", []))
    except (ValueError, AttributeError):
        return ["200 without a case list"]
    return [] if n == 0 else [f"200 listing {n} cases for a value no case has"]


def check_open311_script(run, resp):
    """POST answered 201: read the request back in XML and JSON."""
    problems = []
    if resp.status != 201:
        return problems
    try:
        rid = resp.json()[0]["service_request_id"]
    except (ValueError, KeyError, IndexError, TypeError):
        return ["201 without service_request_id"]
    run.created_ids.append(int(rid))
    want = O311_SCRIPT
    x = http(run.s.port, "GET", f"/open311/v2/requests/{rid}.xml")
    if x.status != 200:
        return [f"requests/{rid}.xml: {x.describe()}"]
    if "<script>" in x.body.decode("utf-8", "replace"):
        problems.append("raw <script> in the XML answer")
    try:
        root = ET.fromstring(x.body)
        got = root.findtext("./request/description")
        if got != want:
            problems.append(f"XML description {snippet(str(got), 60)!r}, want {want!r}")
    except ET.ParseError as e:
        problems.append(f"XML answer not well-formed: {e}")
    j = http(run.s.port, "GET", f"/open311/v2/requests/{rid}.json")
    if j.status != 200 or not j.header("Content-Type").startswith("application/json"):
        problems.append(f"requests/{rid}.json: {j.status} {j.header('Content-Type')!r}")
    else:
        got = j.json()[0].get("description")
        if got != want:
            problems.append(f"JSON description {snippet(str(got), 60)!r}, want {want!r}")
    return problems


O311_SCRIPT = "<script>alert(1)</script>]]><x>&amp;&lt; 电梯停运"
CTL_TEXT = "a\u0001b\u001bc\u000bd\u007f 电梯停运"


def check_control_chars(run, resp):
    """Accepted control characters must not break Open311's XML (XML 1.0 forbids them):
    the request alone and the list, both well-formed."""
    if not (200 <= resp.status < 300):
        return []
    try:
        doc = resp.json()
        cid = int(doc[0]["service_request_id"]) if isinstance(doc, list) else doc["id"]
    except (ValueError, KeyError, IndexError, TypeError):
        return ["2xx without an id"]
    run.created_ids.append(cid)
    problems = []
    for path in (f"/open311/v2/requests/{cid}.xml", "/open311/v2/requests.xml"):
        r = http(run.s.port, "GET", path)
        if r.status != 200:
            problems.append(f"{path}: {r.describe()}")
            continue
        try:
            ET.fromstring(r.body)
        except ET.ParseError as e:
            problems.append(f"{path} is not well-formed XML: {e}")
    return problems


# ---------------------------------------------------------------------------------------------
# Special rows: connection-level behaviour.

def special_truncated(run, row):
    """Content-Length 1000, 40 bytes sent, then the write side closed: the server must not
    store anything and must stay healthy; an answer, if any, is a 4xx."""
    head = build_request("POST", "/api/v1/cases",
                         [("Authorization", "Bearer " + run.keys["operator"]),
                          ("Content-Type", "application/json")], b"", length=1000)
    sock = socket.create_connection(("127.0.0.1", run.s.port))
    try:
        sock.sendall(head + J(case_body())[:40])
        sock.shutdown(socket.SHUT_WR)
        r = read_response(sock, time.monotonic() + READ_TIMEOUT + 5)
    finally:
        sock.close()
    if r.status is None and r.error and r.error.startswith("closed"):
        r.error = "closed"        # what the row expects
    return r


def trickle(run, head, total, label):
    """Sends head, then one byte a second for READ_TIMEOUT + 3 s; returns a Resp: the answer if
    one came, error "closed" if the server hung up, error "still reading" if it kept waiting."""
    sock = socket.create_connection(("127.0.0.1", run.s.port))
    r = Resp()
    start = time.monotonic()
    try:
        sock.sendall(head)
        for i in range(total):
            ready, _, _ = select.select([sock], [], [], 1.0)
            if ready:
                r = read_response(sock, time.monotonic() + 5)
                if r.status is None:
                    r.error = "closed"
                break
            try:
                sock.send(b" " if label == "body" else b"a")
            except (BrokenPipeError, ConnectionResetError):
                r.error = "closed"
                break
        else:
            r.error = f"still reading after {total} s of one byte a second"
    finally:
        sock.close()
    r.elapsed = time.monotonic() - start
    return r


def special_slow_body(run, row):
    head = build_request("POST", "/api/v1/cases",
                         [("Authorization", "Bearer " + run.keys["operator"]),
                          ("Content-Type", "application/json")], b"", length=100)
    return trickle(run, head, READ_TIMEOUT + 3, "body")


def special_slow_headers(run, row):
    head = b"GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    return trickle(run, head, READ_TIMEOUT + 3, "headers")


def special_slowloris(run, row):
    """HTTP_THREADS + 8 connections, no key, each sending its body one byte every 2 s (each
    read well within the per-read timeout); while they trickle, GET /healthz must answer within
    5 s. The answer reported is that of /healthz (expected 200 → the row passes only then)."""
    n = HTTP_THREADS + 8
    socks, stop = [], threading.Event()
    head = build_request("POST", "/api/v1/cases", [("Content-Type", "application/json")], b"",
                         length=10000)
    try:
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", run.s.port))
            s.sendall(head)
            socks.append(s)

        def feed():
            while not stop.wait(2.0):
                for s in socks:
                    try:
                        s.send(b" ")
                    except OSError:
                        pass
        t = threading.Thread(target=feed, daemon=True)
        t.start()
        time.sleep(3)
        r = http(run.s.port, "GET", "/healthz", timeout=5)
        if r.status is None:
            r.error = f"/healthz unanswered with {n} slow connections open ({r.error})"
        stop.set()
        t.join()
    finally:
        for s in socks:
            s.close()
    return r


def special_many_truncated(run, row):
    """200 connections that announce a 1 MiB body, send 100 bytes and vanish: nothing stored,
    the server healthy. Reported: /healthz right after."""
    head = build_request("POST", "/api/v1/cases",
                         [("Authorization", "Bearer " + run.keys["operator"]),
                          ("Content-Type", "application/json")], b"", length=1 << 20)
    for _ in range(200):
        s = socket.create_connection(("127.0.0.1", run.s.port))
        try:
            s.sendall(head + J(case_body())[:100])
        finally:
            s.close()
    time.sleep(1)
    return http(run.s.port, "GET", "/healthz", timeout=5)


def special_review_html(run, row):
    """Three similar dispatched cases with a <script> title make a 每月一题 topic; the review's
    HTML must not carry the tag raw. Reported: the HTML answer."""
    title = "<script>alert('review')</script>群芳园小区楼道灯坏了"
    for i in range(3):
        cid = run.new_case(title=title, text=f"群芳园小区3号楼楼道灯坏了很久没人修（第{i + 1}次反映）")
        run.created_ids.append(cid)
    r = run.req("GET", f"/api/v1/reports/monthly?month={this_month()}&format=html", "supervisor")
    return r


def check_review_html(run, resp):
    problems = []
    if resp.status != 200:
        return problems
    html = resp.body.decode("utf-8", "replace")
    if "<script>alert('review')" in html:
        problems.append("raw <script> from a case title in the review HTML")
    j = run.req("GET", f"/api/v1/reports/monthly?month={this_month()}", "supervisor")
    titles = json.dumps(j.json().get("hot_topics", []), ensure_ascii=False) if j.status == 200 else ""
    if "alert('review')" not in titles:
        print("    note: the <script> title is not among the hot topics; the HTML check saw no "
              "case text (inconclusive)")
    elif "&lt;script&gt;alert(&#39;review&#39;)" not in html and "&lt;script&gt;" not in html:
        problems.append("the hot topic's title is not HTML-escaped in the review HTML")
    return problems


# ---------------------------------------------------------------------------------------------
# Checks for the community rows whose input must be stored as inert text.

def get_json(run, path, key="admin"):
    """(document, raw text) of a GET that must answer 200 with JSON; ValueError otherwise."""
    r = run.req("GET", path, key, timeout=10)
    if r.status != 200:
        raise ValueError(f"GET {path}: {r.describe()}")
    if not r.header("Content-Type").startswith("application/json"):
        raise ValueError(f"GET {path}: Content-Type {r.header('Content-Type')!r}")
    return r.json(), r.body.decode("utf-8")


def same_text(raw, label, got, want):
    """got must be want, and the raw answer must carry it JSON-escaped."""
    problems = []
    if got != want:
        problems.append(f"{label} came back as {snippet(str(got), 60)!r}, want {want!r}")
    escaped = json.dumps(want, ensure_ascii=False)
    if escaped not in raw:
        problems.append(f"{label} not JSON-escaped in the raw body (looked for {escaped})")
    return problems


def created_id(resp, *path):
    doc = resp.json()
    for part in path:
        doc = doc[part]
    return doc


def check_building_inert(name, covenant):
    def check(run, resp):
        if resp.status != 201:
            return []
        doc, raw = get_json(run, f"/api/v1/buildings/{created_id(resp, 'id')}")
        return (same_text(raw, "name", doc.get("name"), name) +
                same_text(raw, "covenant", doc.get("covenant"), covenant))
    return check


def check_resident_inert(name, room):
    def check(run, resp):
        if resp.status != 201:
            return []
        rid = created_id(resp, "resident", "id")
        doc, raw = get_json(run, f"/api/v1/buildings/{run.fixtures['BLD2']}")
        mine = [r for r in doc.get("residents", []) if r.get("id") == rid]
        if not mine:
            return [f"resident {rid} not among the building's residents"]
        return (same_text(raw, "resident name", mine[0].get("name"), name) +
                same_text(raw, "room", mine[0].get("room"), room))
    return check


def check_proposal_inert(title, text):
    def check(run, resp):
        if resp.status != 201:
            return []
        doc, raw = get_json(run, f"/api/v1/proposals/{created_id(resp, 'id')}", "resident")
        return (same_text(raw, "title", doc.get("title"), title) +
                same_text(raw, "text", doc.get("text"), text))
    return check


def check_comment_inert(text):
    """A 201 comment on PROP is its last comment, verbatim."""
    def check(run, resp):
        if resp.status != 201:
            return []
        doc, raw = get_json(run, f"/api/v1/proposals/{run.fixtures['PROP']}", "resident")
        comments = doc.get("comments") or [{}]
        return same_text(raw, "comment text", comments[-1].get("text"), text)
    return check


def check_enterprise_inert(name, address, manager):
    def check(run, resp):
        if resp.status != 201:
            return []
        doc, raw = get_json(run, f"/api/v1/enterprises/{created_id(resp, 'id')}")
        return (same_text(raw, "name", doc.get("name"), name) +
                same_text(raw, "address", doc.get("address"), address) +
                same_text(raw, "manager.name", (doc.get("manager") or {}).get("name"), manager))
    return check


def check_sql_enterprise(name):
    """Stored as text; the registry and the other records still read; a search for the SQL
    finds exactly this enterprise as text."""
    def check(run, resp):
        if resp.status != 201:
            return []
        eid = created_id(resp, "id")
        doc, raw = get_json(run, f"/api/v1/enterprises/{eid}")
        problems = same_text(raw, "name", doc.get("name"), name)
        found, _ = get_json(run, "/api/v1/enterprises?q=" + urllib.parse.quote("DROP TABLE records"))
        if [e.get("id") for e in found.get("enterprises", [])] != [eid]:
            problems.append(f"q=DROP TABLE records lists {[e.get('id') for e in found.get('enterprises', [])]}"
                            f", want [{eid}]")
        for kind in ("buildings", "consultations"):
            get_json(run, f"/api/v1/{kind}")
        return problems
    return check


def check_consultation_inert(title, summary, section_title, section_text):
    def check(run, resp):
        if resp.status != 201:
            return []
        doc, raw = get_json(run, f"/api/v1/consultations/{created_id(resp, 'id')}", "public")
        first = (doc.get("sections") or [{}])[0]
        return (same_text(raw, "title", doc.get("title"), title) +
                same_text(raw, "summary", doc.get("summary"), summary) +
                same_text(raw, "sections[0].title", first.get("title"), section_title) +
                same_text(raw, "sections[0].text", first.get("text"), section_text))
    return check


def check_opinion_inert(text, name):
    """The opinion read back by the drafting office verbatim; the XLSX export well-formed,
    carrying it as text, with no raw tag in any part."""
    def check(run, resp):
        if resp.status != 201:
            return []
        oid = created_id(resp, "opinion", "id")
        cid = run.fixtures["CONS"]
        doc, raw = get_json(run, f"/api/v1/consultations/{cid}/opinions", "supervisor")
        mine = [o for o in doc.get("opinions", []) if o.get("id") == oid]
        if not mine:
            return [f"opinion {oid} not among the consultation's opinions"]
        problems = (same_text(raw, "opinion text", mine[0].get("text"), text) +
                    same_text(raw, "opinion name", mine[0].get("name"), name))
        x = run.req("GET", f"/api/v1/consultations/{cid}/export", "supervisor", timeout=20)
        if x.status != 200:
            return problems + [f"export: {x.describe()}"]
        try:
            book = zipfile.ZipFile(io.BytesIO(x.body))
        except zipfile.BadZipFile:
            return problems + ["the export is not an XLSX (zip) file"]
        found = False
        for part in book.namelist():
            data = book.read(part)
            if not part.endswith((".xml", ".rels")):
                continue
            if b"<script" in data:
                problems.append(f"raw <script> in the workbook's {part}")
            try:
                root = ET.fromstring(data)
            except ET.ParseError as e:
                problems.append(f"the workbook's {part} is not well-formed XML: {e}")
                continue
            found = found or any(el.text == text for el in root.iter())
        if not found:
            problems.append("the opinion's text is not a cell of the workbook")
        return problems
    return check


def check_closes(want):
    """A consultation answered 201 with `closes` as want (Beijing time)."""
    def check(run, resp):
        if resp.status != 201:
            return []
        doc, _ = get_json(run, f"/api/v1/consultations/{created_id(resp, 'id')}", "public")
        return [] if doc.get("closes") == want else [f"closes {doc.get('closes')!r}, want {want!r}"]
    return check


def check_enterprises_contain(q):
    """A 200 list names only enterprises whose name, code or address holds q literally."""
    def check(run, resp):
        if resp.status != 200:
            return []
        bad = [e.get("id") for e in resp.json().get("enterprises", [])
               if not any(q in str(e.get(f, "")) for f in ("name", "credit_code", "address"))]
        return [f"enterprises {bad[:5]} listed for q={q!r} without containing it"] if bad else []
    return check


def check_no_enterprises_if_200(run, resp):
    if resp.status != 200:
        return []
    n = len(resp.json().get("enterprises", []))
    return [f"200 listing {n} enterprises for a value none has"] if n else []


def check_names_check_character(first17):
    """The documented message names the check character the first 17 give."""
    want = f"the first 17 characters give {credit_check(first17)}"
    def check(run, resp):
        if resp.status != 400:
            return []
        msg = resp.json().get("error", {}).get("message", "")
        return [] if want in msg else [f"message {msg!r} does not say {want!r}"]
    return check


# ---------------------------------------------------------------------------------------------
# THE TABLE.

LONG = 5001
BIG_JSON = '{"type":"投诉","text":"'.encode() + b"a" * (1 << 20) + b'"}'     # > 1 MiB


def rows():
    R = []
    add = R.append

    # --- invalid UTF-8 in JSON strings and query strings
    add(Row("utf8: 0xFF in text", "POST", "/api/v1/cases", 400,
            body=b'{"type":"\xe6\x8a\x95\xe8\xaf\x89","text":"bad \xff byte"}',
            ctype="application/json"))
    add(Row("utf8: overlong encoding of / in title", "POST", "/api/v1/cases", 400,
            body=J(case_body())[:-1] + b',"title":"\xc0\xaf\xc0\xaf"}', ctype="application/json"))
    add(Row("utf8: UTF-8-encoded surrogate in address", "POST", "/api/v1/cases", 400,
            body=J(case_body(address=DROP))[:-1] + b',"address":"\xed\xa0\x80"}',
            ctype="application/json"))
    add(Row("utf8: truncated sequence in caller.name", "POST", "/api/v1/cases", 400,
            body=J(case_body(caller=DROP))[:-1] + b',"caller":{"name":"\xe7\x8e"}}',
            ctype="application/json"))
    add(Row("utf8: lone surrogate escape \\ud800 in text", "POST", "/api/v1/cases", 400,
            body=J(case_body(text=DROP))[:-1] + b',"text":"a\\ud800b"}',
            ctype="application/json"))
    add(Row("utf8: lone low surrogate escape \\udc00 in reply text", "POST",
            "/api/v1/cases/${B}/actions", 400, key="handler",
            body=b'{"action":"reply","text":"x\\udc00"}', ctype="application/json"))
    add(Row("utf8: 0xFE in reason of object", "POST", "/api/v1/cases/${A}/actions", 400,
            key="handler", body=b'{"action":"object","reason":"\xfe\xfe"}',
            ctype="application/json"))
    add(Row("utf8: q=%FF%FE", "GET", "/api/v1/cases?q=%FF%FE", 400))
    add(Row("utf8: unit=%C0%AF", "GET", "/api/v1/cases?unit=%C0%AF", 400))
    add(Row("utf8: category=%ED%A0%80 (surrogate)", "GET", "/api/v1/cases?category=%ED%A0%80", 400))
    add(Row("utf8: raw 0xFF byte in the query", "GET", b"/api/v1/cases?q=\xff", 400))
    add(Row("utf8: units parent=%E4%B8 (truncated)", "GET", "/api/v1/units?parent=%E4%B8", 400))

    # --- overlong fields
    add(Row("long: text 5001 ASCII chars", "POST", "/api/v1/cases", 400,
            body=case_body(text="a" * LONG)))
    add(Row("long: text 5001 Chinese chars", "POST", "/api/v1/cases", 400,
            body=case_body(text="灯" * LONG)))
    add(Row("long: title 201 chars", "POST", "/api/v1/cases", 400,
            body=case_body(title="题" * 201)))
    add(Row("long: address 501 chars", "POST", "/api/v1/cases", 400,
            body=case_body(address="址" * 501)))
    add(Row("long: caller.name 51 chars", "POST", "/api/v1/cases", 400,
            body=case_body(caller={"name": "名" * 51, "phone": "13900001111"})))
    add(Row("long: caller.email 300 bytes", "POST", "/api/v1/cases", 400,
            body=case_body(caller={"name": "李", "email": "a" * 290 + "@example.com"})))
    add(Row("long: media_url 2001 bytes", "POST", "/api/v1/cases", 400,
            body=case_body(media_url="https://example.com/" + "a" * 1981)))
    add(action("${A}", "handler", "long: object reason 1001 chars",
               {"action": "object", "reason": "理" * 1001}))
    add(action("${B}", "handler", "long: extend reason 1001 chars",
               {"action": "extend", "until": now_iso(timedelta(days=20)), "reason": "r" * 1001}))
    add(action("${C}", "operator", "long: reopen reason 1001 chars",
               {"action": "reopen", "reason": "r" * 1001}))
    add(action("${A}", "supervisor", "long: supervise note 1001 chars",
               {"action": "supervise", "note": "n" * 1001}))
    add(action("${B}", "handler", "long: reply text 5001 chars",
               {"action": "reply", "text": "t" * LONG}))
    add(action("${E}", "operator", "long: answer text 5001 chars",
               {"action": "answer", "text": "t" * LONG}))
    add(Row("long: q 101 chars", "GET", "/api/v1/cases?q=" + urllib.parse.quote("查" * 101), 400))
    add(Row("long: inspection name 201 chars", "POST", "/api/v1/inspections", 400,
            key="inspector", body={"name": "巡" * 201, "units": [UNIT]}))
    add(Row("long: finding text 5001 chars", "POST", "/api/v1/inspections/${R}/findings", 400,
            key="inspector",
            body={"unit": UNIT, "text": "t" * LONG, "due": now_iso(timedelta(days=30))}))

    # --- deep nesting
    add(Row("nest: caller.name 33 objects deep", "POST", "/api/v1/cases", 400,
            body=nested_caller(33), ctype="application/json"))
    add(Row("nest: top-level array 100000 deep", "POST", "/api/v1/cases", 400,
            body=nest(100000).encode(), ctype="application/json"))
    add(Row("nest: text value 40 arrays deep", "POST", "/api/v1/cases", 400,
            body=('{"type":"投诉","text":' + nest(40) + "}").encode(), ctype="application/json"))
    add(Row("nest: action body 150000 objects deep", "POST", "/api/v1/cases/${A}/actions", 400,
            key="handler", body=('{"action":"accept","x":' + '{"a":' * 150000 + "1" +
                                 "}" * 150000 + "}").encode(), ctype="application/json"))

    # --- wrong types, POST /api/v1/cases (one bad field each, the rest valid)
    wrong = [("type", 3), ("type", None), ("type", ["投诉"]), ("type", "spam"),
             ("title", 12), ("title", {"a": 1}), ("text", 42), ("text", None),
             ("text", ["a"]), ("text", ""), ("address", True), ("lat", "39.87"),
             ("lon", [116.6]), ("source", 1), ("category", 101), ("unit", 110112121),
             ("urgency", ["urgent"]), ("urgency", "panic"), ("caller", "王芳"),
             ("caller", [{"name": "王"}]), ("anonymous", "true"), ("anonymous", 1),
             ("media_url", {"href": "https://x"}), ("media_url", "javascript:alert(1)")]
    for field, value in wrong:
        add(Row(f"type: cases.{field} = {json.dumps(value, ensure_ascii=False)}", "POST",
                "/api/v1/cases", 400, body=case_body(**{field: value})))
    for field, value in [("name", 7), ("phone", 13812345678), ("email", False),
                         ("name", ["王"])]:
        add(Row(f"type: cases.caller.{field} = {json.dumps(value, ensure_ascii=False)}", "POST",
                "/api/v1/cases", 400, body=case_body(caller={field: value})))
    add(Row("type: text missing", "POST", "/api/v1/cases", 400, body=case_body(text=DROP)))
    add(Row("type: unknown field", "POST", "/api/v1/cases", 400, body=case_body(admin=True)))
    add(Row("type: lat without lon", "POST", "/api/v1/cases", 400, body=case_body(lat=39.87)))
    add(Row("type: lat 1e999 (infinite)", "POST", "/api/v1/cases", 400,
            body=J(case_body())[:-1] + b',"lat":1e999,"lon":116.6}', ctype="application/json"))
    add(Row("type: lat 91", "POST", "/api/v1/cases", 400, body=case_body(lat=91, lon=116.6)))
    add(Row("type: body is a JSON array", "POST", "/api/v1/cases", 400, body=[case_body()]))
    add(Row("type: body is a JSON string", "POST", "/api/v1/cases", 400, body=b'"text"',
            ctype="application/json"))
    add(Row("type: trailing garbage after the object", "POST", "/api/v1/cases", 400,
            body=J(case_body()) + b"xyz", ctype="application/json"))

    # --- wrong types, actions (case in the state and role the action needs)
    add(action("${A}", "handler", "act: action = 7", {"action": 7}))
    add(action("${A}", "handler", "act: action = null", {"action": None}))
    add(action("${A}", "handler", "act: action missing", {"reason": "x"}))
    add(action("${A}", "operator", "act: dispatch unit = 110112121 (number)",
               {"action": "dispatch", "unit": 110112121}))
    add(action("${A}", "operator", "act: dispatch category = [\"0101\"]",
               {"action": "dispatch", "unit": UNIT, "category": ["0101"]}))
    add(action("${A}", "operator", "act: dispatch unit missing", {"action": "dispatch"}))
    add(action("${B}", "handler", "act: reply text = 5", {"action": "reply", "text": 5}))
    add(action("${B}", "handler", "act: reply resolved = \"true\"",
               {"action": "reply", "text": "已修复", "resolved": "true"}))
    add(action("${A}", "handler", "act: object reason = {}", {"action": "object", "reason": {}}))
    add(action("${A}", "handler", "act: object reason missing", {"action": "object"}))
    add(action("${D}", "supervisor", "act: review_objection uphold = \"yes\"",
               {"action": "review_objection", "uphold": "yes"}))
    add(action("${D}", "supervisor", "act: review_objection unit = 1 (number)",
               {"action": "review_objection", "uphold": True, "unit": 1}))
    add(action("${B}", "handler", "act: extend until = 20261231 (number)",
               {"action": "extend", "until": 20261231, "reason": "需协调"}))
    add(action("${B}", "handler", "act: extend reason = null",
               {"action": "extend", "until": now_iso(timedelta(days=20)), "reason": None}))
    add(action("${A}", "supervisor", "act: supervise note = 5", {"action": "supervise", "note": 5}))
    add(action("${C}", "operator", "act: callback reachable = \"true\"",
               {"action": "callback", "reachable": "true", "contacted": True, "resolved": True,
                "satisfaction": "满意"}))
    add(action("${C}", "operator", "act: callback contacted = 1",
               {"action": "callback", "reachable": True, "contacted": 1, "resolved": True,
                "satisfaction": "满意"}))
    add(action("${C}", "operator", "act: callback satisfaction = 1",
               {"action": "callback", "reachable": True, "contacted": True, "resolved": True,
                "satisfaction": 1}))
    add(action("${C}", "operator", "act: callback satisfaction = \"非常满意\"",
               {"action": "callback", "reachable": True, "contacted": True, "resolved": True,
                "satisfaction": "非常满意"}))
    add(action("${C}", "operator", "act: reopen reason = [\"x\"]",
               {"action": "reopen", "reason": ["x"]}))
    add(action("${A}", "operator", "act: merge into = \"abc\"", {"action": "merge", "into": "abc"}))
    add(action("${A}", "operator", "act: merge into = 1.5", {"action": "merge", "into": 1.5}))
    add(action("${A}", "operator", "act: merge into = 2^64",
               b'{"action":"merge","into":18446744073709551616}', ctype="application/json"))
    add(action("${A}", "operator", "act: merge into = own id as a string",
               {"action": "merge", "into": "${A}"}))
    add(Row("act: merge into itself", "POST",
            "/api/v1/cases/${A}/actions", {400, 409},
            body=b'{"action":"merge","into":${A}}', ctype="application/json"))
    add(action("${A}", "operator", "act: transfer to = 110 (number)",
               {"action": "transfer", "to": 110}))
    add(action("${A}", "operator", "act: transfer to = \"../../peer\"",
               {"action": "transfer", "to": "../../peer"}))
    add(action("${F}", "inspector", "act: verify rectified = \"true\"",
               {"action": "verify", "rectified": "true"}))
    add(action("${E}", "operator", "act: answer text = null", {"action": "answer", "text": None}))

    # --- NUL bytes
    add(Row("nul: \\u0000 in text", "POST", "/api/v1/cases", 400,
            body=J(case_body(text=DROP))[:-1] + b',"text":"a\\u0000b"}', ctype="application/json"))
    add(Row("nul: raw NUL byte inside a JSON string", "POST", "/api/v1/cases", 400,
            body=J(case_body(title=DROP))[:-1] + b',"title":"a\x00b"}', ctype="application/json"))
    add(Row("nul: \\u0000 in caller.phone", "POST", "/api/v1/cases", 400,
            body=J(case_body(caller=DROP))[:-1] + b',"caller":{"phone":"138\\u000012345678"}}',
            ctype="application/json"))
    add(action("${A}", "handler", "nul: \\u0000 in action name",
               b'{"action":"accept\\u0000"}', ctype="application/json"))
    add(action("${C}", "operator", "nul: \\u0000 in reopen reason",
               b'{"action":"reopen","reason":"x\\u0000y"}', ctype="application/json"))
    add(Row("nul: q=a%00b", "GET", "/api/v1/cases?q=a%00b", 400))

    # --- SQL injection strings
    add(Row("sql: text/title/address stored as text", "POST", "/api/v1/cases", 201,
            body=case_body(text=SQL_TEXT, title=SQL_TITLE, address=SQL_ADDR), creates=1,
            check=check_sql_case))
    add(Row("sql: q=' OR '1'='1 finds nothing", "GET",
            "/api/v1/cases?q=" + urllib.parse.quote("' OR '1'='1"), 200,
            check=check_list_contains_q("' OR '1'='1")))
    add(Row("sql: q=% (LIKE wildcard) matches only a literal %", "GET", "/api/v1/cases?q=%25",
            200, check=check_list_contains_q("%")))
    add(Row("sql: q=_ (LIKE wildcard) matches only a literal _", "GET", "/api/v1/cases?q=_",
            200, check=check_list_contains_q("_")))
    add(Row("sql: unit=110112121' OR '1'='1 (list)", "GET",
            "/api/v1/cases?unit=" + urllib.parse.quote("110112121' OR '1'='1"), {400, 200},
            check=check_empty_if_200))
    add(Row("sql: category=0101') OR 1=1-- (list)", "GET",
            "/api/v1/cases?category=" + urllib.parse.quote("0101') OR 1=1--"), {400, 200},
            check=check_empty_if_200))
    add(Row("sql: cursor=1 OR 1=1", "GET", "/api/v1/cases?cursor=" +
            urllib.parse.quote("1 OR 1=1"), 400))
    add(Row("sql: cursor=1;DROP TABLE cases", "GET", "/api/v1/cases?cursor=" +
            urllib.parse.quote("1;DROP TABLE cases"), 400))
    add(Row("sql: create with unit=110112121' OR '1'='1", "POST", "/api/v1/cases", 400,
            body=case_body(unit="110112121' OR '1'='1")))
    add(Row("sql: create with category=0101'; DROP TABLE cases;--", "POST", "/api/v1/cases", 400,
            body=case_body(category="0101'; DROP TABLE cases;--")))
    add(action("${A}", "operator", "sql: dispatch unit='; DELETE FROM events;--",
               {"action": "dispatch", "unit": "'; DELETE FROM events;--"}))
    add(Row("sql: units parent=' OR 1=1--", "GET",
            "/api/v1/units?parent=" + urllib.parse.quote("' OR 1=1--"), {400, 200},
            check=lambda run, r: [] if r.status != 200 or not r.json().get("units")
            else ["200 listing units for a parent that does not exist"]))

    # --- script payloads: stored as text, served as JSON, escaped
    add(Row("xss: <script> in title/text/address/caller stored as text", "POST", "/api/v1/cases",
            201, body=case_body(title=SCRIPT_TITLE, text=SCRIPT_TEXT, address=SCRIPT_ADDR,
                                caller={"name": SCRIPT_NAME, "phone": "13900001111"}),
            creates=1, check=check_script_case))
    add(Row("xss: Open311 description with <script> and ]]> read back as XML/JSON", "POST",
            "/open311/v2/requests.json", 201, key=None, ctype=FORM,
            body=o311(description=urllib.parse.quote(O311_SCRIPT)), creates=1,
            check=check_open311_script))
    add(Row("xss: <script> titles in the monthly review HTML", "GET", "(review)", 200,
            creates=3, special=special_review_html, check=check_review_html))
    add(Row("ctl: control characters (\\u0001 \\u001b \\u000b \\u007f) in text", "POST",
            "/api/v1/cases", {201, 400}, body=case_body(text=CTL_TEXT, unit=DROP, category=DROP),
            creates="auto", check=check_control_chars))
    add(Row("ctl: control characters %01%1B%0B in an Open311 description", "POST",
            "/open311/v2/requests.json", {201, 400}, key=None, ctype=FORM,
            body=o311(description="a%01b%1Bc%0Bd" + urllib.parse.quote("电梯")), creates="auto",
            check=check_control_chars))
    add(Row("xss: units level=<script>", "GET",
            "/api/v1/units?level=" + urllib.parse.quote("<script>alert(1)</script>"), 400,
            check=lambda run, r: ["error message echoes raw <script>"]
            if b"<script>" in r.body and not r.header("Content-Type").startswith(
                "application/json") else []))

    # --- path traversal
    add(Row("path: /api/v1/cases/..%2f..%2fetc/passwd", "GET",
            "/api/v1/cases/..%2f..%2fetc/passwd", {400, 404}))
    add(Row("path: attachment hash ../../../../etc/passwd (encoded)", "GET",
            "/api/v1/cases/${A}/attachments/..%2f..%2f..%2f..%2fetc%2fpasswd", 404))
    add(Row("path: attachment hash ../../ (raw)", "GET",
            "/api/v1/cases/${A}/attachments/../../../../etc/passwd", {400, 404}))
    add(Row("path: attachment hash = 64 chars of ../", "GET",
            "/api/v1/cases/${A}/attachments/" + "../" * 21 + "a", {400, 404}))
    add(Row("path: attachment hash uppercase hex", "GET",
            "/api/v1/cases/${A}/attachments/" + "A" * 64, 404))
    add(Row("path: static /../../etc/passwd", "GET", "/../../../../etc/passwd", {400, 403, 404},
            key=None, check=lambda run, r: ["served /etc/passwd"] if b"root:" in r.body else []))
    add(Row("path: static /%2e%2e/%2e%2e/etc/passwd", "GET", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            {400, 403, 404}, key=None,
            check=lambda run, r: ["served /etc/passwd"] if b"root:" in r.body else []))
    add(Row("path: static /..%5c..%5cetc%5cpasswd", "GET", "/..%5c..%5c..%5cetc%5cpasswd",
            {400, 403, 404}, key=None,
            check=lambda run, r: ["served /etc/passwd"] if b"root:" in r.body else []))
    add(Row("path: Open311 requests/..%2f..%2fetc%2fpasswd.json", "GET",
            "/open311/v2/requests/..%2f..%2fetc%2fpasswd.json", {400, 404}, key=None))
    add(Row("path: case id 99999999999999999999 (overflow)", "GET",
            "/api/v1/cases/99999999999999999999", {400, 404}))
    add(Row("path: case id 0", "GET", "/api/v1/cases/0", {400, 404}))
    add(Row("path: actions on case 99999999999999999999", "POST",
            "/api/v1/cases/99999999999999999999/actions", {400, 404}, key="handler",
            body={"action": "accept"}))

    # --- unknown actions
    for name in ["delete", "attach", "remote_update", "", "ACCEPT", "accept ", "__proto__"]:
        add(action("${A}", "admin", f"act: unknown action {name!r}", {"action": name}))

    # --- dates far in the past or future
    add(action("${B}", "handler", "date: extend until 9999-12-31",
               {"action": "extend", "until": "9999-12-31T23:59:59+08:00", "reason": "需协调"}))
    add(action("${B}", "handler", "date: extend until 1970-01-01",
               {"action": "extend", "until": "1970-01-01", "reason": "需协调"}))
    add(action("${B}", "handler", "date: extend until 2026-13-45",
               {"action": "extend", "until": "2026-13-45", "reason": "需协调"}))
    add(action("${B}", "handler", "date: extend until +275760-09-13 (JS max date)",
               {"action": "extend", "until": "+275760-09-13T00:00:00Z", "reason": "需协调"}))
    add(Row("date: cases from=0000-01-01", "GET", "/api/v1/cases?from=0000-01-01", 400))
    add(Row("date: cases to=9999-12-31T24:00:00", "GET", "/api/v1/cases?to=9999-12-31T24:00:00",
            400))
    add(Row("date: cases from=garbage", "GET", "/api/v1/cases?from=yesterday", 400))
    add(Row("date: finding due 1970-01-01", "POST", "/api/v1/inspections/${R}/findings", 400,
            key="inspector", body={"unit": UNIT, "text": "台账不健全", "due": "1970-01-01T00:00:00Z"}))
    add(Row("date: finding due 9999-12-31", "POST", "/api/v1/inspections/${R}/findings", 400,
            key="inspector", body={"unit": UNIT, "text": "台账不健全", "due": "9999-12-31"}))
    add(Row("date: inspection ends before starts", "POST", "/api/v1/inspections", 400,
            key="inspector", body={"name": "时间颠倒", "units": [UNIT], "starts": "2026-12-01",
                                   "ends": "2026-01-01"}))
    add(Row("date: assessments month=0000-00", "GET", "/api/v1/assessments?month=0000-00", 400,
            key="supervisor"))
    add(Row("date: reports month=9999-99", "GET", "/api/v1/reports/monthly?month=9999-99", 400,
            key="supervisor"))
    add(Row("date: export month=' OR 1=1", "GET",
            "/api/v1/export?month=" + urllib.parse.quote("' OR 1=1"), 400, key="supervisor"))

    # --- limits and cursors
    for v in ["-1", "0", "501", "99999999999999999999", "1e3", "abc", "5abc", " 5"]:
        add(Row(f"limit: limit={v}", "GET", "/api/v1/cases?limit=" + urllib.parse.quote(v), 400))
    for v in ["-1", "0", "99999999999999999999"]:
        add(Row(f"cursor: cursor={v}", "GET", f"/api/v1/cases?cursor={v}", 400))

    # --- duplicates
    add(Row("dup: JSON key text twice", "POST", "/api/v1/cases", 400,
            body=J(case_body())[:-1] + b',"text":"second text"}', ctype="application/json"))
    add(Row("dup: JSON key unit twice (operator names two units)", "POST", "/api/v1/cases", 400,
            body=J(case_body())[:-1] + b',"unit":"110112001"}', ctype="application/json"))
    add(action("${C}", "operator", "dup: JSON key satisfaction twice",
               b'{"action":"callback","reachable":true,"contacted":true,"resolved":true,'
               b'"satisfaction":"\xe4\xb8\x8d\xe6\xbb\xa1\xe6\x84\x8f","satisfaction":"\xe6\xbb\xa1\xe6\x84\x8f"}',
               ctype="application/json"))
    add(action("${A}", "handler", "dup: JSON key action twice (accept, then object)",
               b'{"action":"accept","action":"object","reason":"x"}', ctype="application/json"))
    add(Row("dup: query limit twice", "GET", "/api/v1/cases?limit=5&limit=6", 400))
    add(Row("dup: query status twice", "GET", "/api/v1/cases?status=closed&status=received", 400))
    add(Row("dup: query month twice (assessments)", "GET",
            f"/api/v1/assessments?month={this_month()}&month=2020-01", 400, key="supervisor"))
    add(Row("dup: query level twice (units)", "GET", "/api/v1/units?level=township&level=community",
            400))

    # --- Content-Type, empty and truncated bodies
    add(Row("ctype: text/plain", "POST", "/api/v1/cases", 400, body=J(case_body()),
            ctype="text/plain"))
    add(Row("ctype: multipart/form-data on a JSON route", "POST", "/api/v1/cases", 400,
            body=b'--b\r\nContent-Disposition: form-data; name="text"\r\n\r\nx\r\n--b--\r\n',
            ctype="multipart/form-data; boundary=b"))
    add(Row("ctype: form-urlencoded on a JSON route", "POST", "/api/v1/cases", 400,
            body=b"type=%E6%8A%95%E8%AF%89&text=x", ctype=FORM))
    add(Row("ctype: none", "POST", "/api/v1/cases", 400, body=J(case_body()), ctype=""))
    add(Row("ctype: application/jsonp", "POST", "/api/v1/cases", 400, body=J(case_body()),
            ctype="application/jsonp"))
    add(action("${A}", "handler", "ctype: text/plain on actions", J({"action": "accept"}),
               ctype="text/plain"))
    add(Row("body: empty", "POST", "/api/v1/cases", 400, body=b"", ctype="application/json"))
    add(action("${A}", "handler", "body: empty on actions", b"", ctype="application/json"))
    add(Row("body: Content-Length: abc", "POST", "/api/v1/cases", {400, 411},
            body=J(case_body()), ctype="application/json", length="abc"))
    # cpp-httplib reads the length as unsigned: -5 is a huge body, refused as too large.
    add(Row("body: Content-Length: -5", "POST", "/api/v1/cases", {400, 411, 413},
            body=J(case_body()), ctype="application/json", length="-5"))
    add(Row("body: truncated (Content-Length 1000, 40 bytes, close)", "POST", "/api/v1/cases",
            {400, 408, "closed"}, special=special_truncated))
    add(Row("body: 200 truncated 1 MiB bodies in a row", "GET", "(200 connections)", 200,
            special=special_many_truncated))
    add(Row("body: slow body, one byte a second for 13 s", "POST", "/api/v1/cases",
            {400, 408, "closed"}, special=special_slow_body, timeout=30))
    add(Row("body: slow headers, one byte a second for 13 s", "GET", "/api/v1/me",
            {400, 408, 431, "closed"}, special=special_slow_headers, timeout=30))
    add(Row(f"body: {HTTP_THREADS + 8} slow connections; /healthz still answers", "GET",
            "/healthz", 200, special=special_slowloris, key=None, timeout=30))

    # --- sizes
    add(Row("size: JSON body over 1 MiB", "POST", "/api/v1/cases", 413, body=BIG_JSON,
            ctype="application/json"))
    add(action("${A}", "handler", "size: action body over 1 MiB",
               b'{"action":"object","reason":"' + b"r" * (1 << 20) + b'"}', expect=413,
               ctype="application/json"))
    add(Row("size: inspection body over 1 MiB", "POST", "/api/v1/inspections", 413,
            key="inspector", body=b'{"name":"' + b"n" * (1 << 20) + b'"}',
            ctype="application/json"))
    add(Row("size: header over 8 KiB", "GET", "/api/v1/me", {400, 413, 431},
            headers=[("X-Filler", "a" * 9000)]))
    add(Row("size: URL over 8 KiB (q)", "GET", "/api/v1/cases?q=" + "a" * 9000, {400, 414}))
    add(Row("size: URL over 8 KiB (path)", "GET", "/api/v1/" + "a" * 9000, {400, 404, 414}))
    add(Row("size: Open311 form over 1 MiB", "POST", "/open311/v2/requests.json", 413, key=None,
            ctype=FORM, body=o311(description="d" * (1 << 20))))

    # --- unknown routes, wrong methods
    add(Row("route: GET /api/v1/nope", "GET", "/api/v1/nope", 404))
    add(Row("route: GET /api/v2/cases", "GET", "/api/v2/cases", 404))
    add(Row("route: GET /api/v1/cases/abc", "GET", "/api/v1/cases/abc", {400, 404}))
    add(Row("route: POST /api/v1/cases/${A}/actions/extra", "POST",
            "/api/v1/cases/${A}/actions/extra", {404, 405}, key="handler", body={"action": "accept"}))
    add(Row("method: PUT /api/v1/cases", "PUT", "/api/v1/cases", {404, 405},
            body=case_body()))
    add(Row("method: DELETE /api/v1/cases/${A}", "DELETE", "/api/v1/cases/${A}", {404, 405},
            key="admin"))
    add(Row("method: PATCH /api/v1/cases/${A}", "PATCH", "/api/v1/cases/${A}", {404, 405},
            key="admin", body={"status": "closed"}))
    add(Row("method: DELETE /open311/v2/requests/${A}.json", "DELETE",
            "/open311/v2/requests/${A}.json", {404, 405}, key=None))
    add(Row("method: garbage request line", "FOO\x01", "/", {400, 404, 405, "closed"},
            key=None, special=special_garbage))

    # --- bad bearer keys
    add(Row("auth: no Authorization", "GET", "/api/v1/cases", 401, key=None))
    add(Row("auth: Bearer (empty)", "GET", "/api/v1/cases", 401, key=None,
            headers=[("Authorization", "Bearer ")]))
    add(Row("auth: Bearer garbage", "GET", "/api/v1/cases", 401, key=None,
            headers=[("Authorization", "Bearer garbage")]))
    add(Row("auth: revoked-looking well-formed key", "GET", "/api/v1/cases", 401, key=None,
            headers=[("Authorization", "Bearer jz_000000000000_00000000000000000000000000000000")]))
    add(Row("auth: real key id with a wrong secret", "GET", "/api/v1/cases", 401, key=None,
            headers=[("Authorization", "Bearer ${BADKEY:operator}")]))
    add(Row("auth: Basic scheme", "GET", "/api/v1/cases", 401, key=None,
            headers=[("Authorization", "Basic b3BlcmF0b3I6b3BlcmF0b3I=")]))
    add(Row("auth: 6000-character key", "GET", "/api/v1/cases", 401, key=None,
            headers=[("Authorization", "Bearer jz_" + "f" * 6000)]))
    add(Row("auth: key with SQL", "GET", "/api/v1/cases", 401, key=None,
            headers=[("Authorization", "Bearer jz_' OR '1'='1")]))
    add(Row("auth: bad key on a write", "POST", "/api/v1/cases", 401, key=None,
            headers=[("Authorization", "Bearer jz_000000000000_00000000000000000000000000000000")],
            body=case_body()))

    # --- Open311 POST with malformed form data
    add(Row("o311: bad percent-encoding %ZZ in description", "POST", "/open311/v2/requests.json",
            400, key=None, ctype=FORM, body=o311(description="%ZZbad%")))
    add(Row("o311: truncated %E4%B8 (invalid UTF-8) in description", "POST",
            "/open311/v2/requests.json", 400, key=None, ctype=FORM, body=o311(description="%E4%B8")))
    add(Row("o311: raw 0xFF byte in the form", "POST", "/open311/v2/requests.xml", 400, key=None,
            ctype=FORM, body=o311(description="x") + b"&address_string=\xff"))
    add(Row("o311: lat=NaN", "POST", "/open311/v2/requests.json", 400, key=None, ctype=FORM,
            body=o311(lat="NaN")))
    add(Row("o311: long=1e999", "POST", "/open311/v2/requests.json", 400, key=None, ctype=FORM,
            body=o311(long="1e999")))
    add(Row("o311: lat=inf", "POST", "/open311/v2/requests.xml", 400, key=None, ctype=FORM,
            body=o311(lat="inf")))
    add(Row("o311: service_code with SQL", "POST", "/open311/v2/requests.json", 404, key=None,
            ctype=FORM, body=o311(service_code=urllib.parse.quote("0101' OR '1'='1"))))
    add(Row("o311: %00 in description", "POST", "/open311/v2/requests.json", 400, key=None,
            ctype=FORM, body=o311(description="a%00b")))
    add(Row("o311: api_key garbage", "POST", "/open311/v2/requests.json", 403, key=None,
            ctype=FORM, body=o311(api_key="garbage")))
    add(Row("o311: JSON body instead of a form", "POST", "/open311/v2/requests.json", 400,
            key=None, body={"api_key": "${KEY:public}", "service_code": CATEGORY, "lat": 39.8,
                            "long": 116.6}))
    add(Row("o311: multipart body", "POST", "/open311/v2/requests.xml", 400, key=None,
            ctype="multipart/form-data; boundary=b",
            body=b'--b\r\nContent-Disposition: form-data; name="service_code"\r\n\r\n0101\r\n--b--\r\n'))
    add(Row("o311: description 5001 chars", "POST", "/open311/v2/requests.json", {400, 413},
            key=None, ctype=FORM, body=o311(description="d" * LONG)))
    add(Row("o311: attribute[urgency]=<script>", "POST", "/open311/v2/requests.json", 400,
            key=None, ctype=FORM, body=o311(**{"attribute[urgency]": "%3Cscript%3E"})))

    # --- Open311 GET garbage
    add(Row("o311: start_date garbage", "GET", "/open311/v2/requests.json?start_date=garbage", 400,
            key=None))
    add(Row("o311: start_date=0000-01-01", "GET", "/open311/v2/requests.xml?start_date=0000-01-01",
            400, key=None))
    add(Row("o311: end_date=9999-12-31T23:59:59Z", "GET",
            "/open311/v2/requests.json?end_date=9999-12-31T23:59:59Z", 400, key=None))
    add(Row("o311: start_date %FF", "GET", "/open311/v2/requests.json?start_date=%FF", 400,
            key=None))
    add(Row("o311: service_code with SQL (list)", "GET", "/open311/v2/requests.json?service_code=" +
            urllib.parse.quote("0101' OR '1'='1"), {400, 404}, key=None))
    add(Row("o311: service_request_id with SQL", "GET",
            "/open311/v2/requests.json?service_request_id=" + urllib.parse.quote("1 OR 1=1"),
            {400, 404}, key=None))
    add(Row("o311: requests/1%20OR%201=1.json", "GET", "/open311/v2/requests/1%20OR%201=1.json",
            {400, 404}, key=None))
    add(Row("o311: status=<script>", "GET", "/open311/v2/requests.xml?status=%3Cscript%3E", 400,
            key=None, check=lambda run, r: ["raw <script> echoed in the XML error"]
            if b"<script>" in r.body else []))
    R.extend(community_rows())
    return R


# ---------------------------------------------------------------------------------------------
# THE COMMUNITY TABLE: buildings and residents, deliberation, enterprises, consultations
# (docs/community.md). Every row also checks that no building, resident, proposal, enterprise
# or consultation changed or appeared (Run.community_state), besides the case count.

BUILDING_OK = {"community": COMMUNITY, "name": "群芳园小区5号楼1单元（hostile row）",
               "covenant": "一、爱护楼道公共卫生"}
EDIT_OK = {"name": "群芳园小区3号楼2单元（改名 hostile row）"}
RESIDENT_OK = {"name": "赵敏", "room": "601"}
PROPOSAL_OK = {"title": "楼道加装扶手（hostile row）", "text": "三楼以上老人上下楼不便，建议加装扶手"}
COMMENT_OK = {"text": "同意加装，建议选用不锈钢扶手"}
VOTE_OK = {"choice": "against"}
CLOSE_OK = {"outcome": "agreed", "agreement": "同意加装，费用按户分摊"}
OPINION_OK = {"section": 1, "text": "建议明确适用范围（hostile row）", "name": "市民"}
EREQUEST_OK = {"enterprise_id": "#{ENT}", "type": "求助",
               "text": "企业门前道路积水，员工出行不便（hostile row）"}


def enterprise_ok(**changes):
    """A valid POST /api/v1/enterprises body with a credit code no other row uses."""
    return over({"name": "北京云帆科技有限公司（hostile row）",
                 "credit_code": credit_code("91110112MA", next(CODE_SERIAL)), "township": UNIT,
                 "address": "梨园镇云景东路1号", "manager_name": "赵磊", "manager_unit": UNIT},
                **changes)


def consultation_ok(**changes):
    return over({"title": "《北京市建筑绿色发展条例（草案）》公开征求意见（hostile row）",
                 "summary": "为推动建筑绿色发展，现公开征求意见。", "office": OFFICE,
                 "closes": now_iso(timedelta(days=30)),
                 "sections": [{"title": "第一章 总则", "text": "第一条 为了推动建筑绿色发展……"},
                              {"title": "第二章 规划与建设", "text": "第五条 新建民用建筑应当……"}]},
                **changes)


def show(value):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else f"{text[:30]}… ({len(text)} chars)"


def community_rows():
    R = []
    add = R.append

    def typed(route, path, key, base, field, values, expect=400, **kw):
        """One row per value of field on a route (the rest of base valid)."""
        for value in values:
            body = base() if callable(base) else base
            add(Row(f"type: {route}.{field} = {show(value)}", "POST", path, expect, key=key,
                    body=over(body, **{field: value}), **kw))

    # --- every write route: the body itself malformed (ctype, empty, array, garbage, bad UTF-8,
    #     NUL, duplicate keys, nesting, unknown field, over 1 MiB)
    writes = [
        ("buildings", "/api/v1/buildings", "admin", BUILDING_OK, "name"),
        ("buildings/{id}", "/api/v1/buildings/${BLD}", "admin", EDIT_OK, "name"),
        ("residents", "/api/v1/buildings/${BLD}/residents", "admin", RESIDENT_OK, "name"),
        ("proposals", "/api/v1/buildings/${BLD}/proposals", "resident", PROPOSAL_OK, "text"),
        ("comments", "/api/v1/proposals/${PROP}/comments", "resident", COMMENT_OK, "text"),
        ("votes", "/api/v1/proposals/${PROP}/votes", "resident", VOTE_OK, "choice"),
        ("close", "/api/v1/proposals/${PROP}/close", "leader", CLOSE_OK, "agreement"),
        ("enterprises", "/api/v1/enterprises", "supervisor", enterprise_ok, "name"),
        ("consultations", "/api/v1/consultations", "supervisor", consultation_ok, "title"),
        ("opinions", "/api/v1/consultations/${CONS}/opinions", "public", OPINION_OK, "text"),
        ("cases+enterprise_id", "/api/v1/cases", "operator", EREQUEST_OK, "text"),
    ]
    for route, path, key, base, field in writes:
        def ok():
            return base() if callable(base) else dict(base)
        jt = "application/json"
        add(Row(f"ctype: {route} text/plain", "POST", path, 400, key=key,
                body=encode_ints(ok()), ctype="text/plain"))
        add(Row(f"ctype: {route} none", "POST", path, 400, key=key, body=encode_ints(ok()),
                ctype=""))
        add(Row(f"ctype: {route} form-urlencoded", "POST", path, 400, key=key, ctype=FORM,
                body=urllib.parse.urlencode({k: str(v) for k, v in ok().items()}).encode()))
        add(Row(f"body: {route} empty", "POST", path, 400, key=key, body=b"", ctype=jt))
        add(Row(f"type: {route} body is a JSON array", "POST", path, 400, key=key,
                body=b"[" + encode_ints(ok()) + b"]", ctype=jt))
        add(Row(f"type: {route} trailing garbage", "POST", path, 400, key=key,
                body=encode_ints(ok()) + b"}xyz", ctype=jt))
        add(Row(f"utf8: {route} 0xFF in {field}", "POST", path, 400, key=key,
                body=splice(ok(), field, b'"bad \xff byte"'), ctype=jt))
        add(Row(f"utf8: {route} overlong C0 AF in {field}", "POST", path, 400, key=key,
                body=splice(ok(), field, b'"\xc0\xaf\xc0\xaf"'), ctype=jt))
        add(Row(f"utf8: {route} lone surrogate \\ud800 in {field}", "POST", path, 400, key=key,
                body=splice(ok(), field, b'"a\\ud800b"'), ctype=jt))
        add(Row(f"nul: {route} raw NUL in {field}", "POST", path, 400, key=key,
                body=splice(ok(), field, b'"a\x00b"'), ctype=jt))
        add(Row(f"nul: {route} \\u0000 in {field}", "POST", path, 400, key=key,
                body=splice(ok(), field, b'"a\\u0000b"'), ctype=jt))
        add(Row(f"dup: {route} JSON key {field} twice", "POST", path, 400, key=key,
                body=encode_ints(ok())[:-1] + b',"' + field.encode() + b'":' +
                J(ok()[field]) + b"}", ctype=jt))
        add(Row(f"nest: {route} {field} 40 arrays deep", "POST", path, 400, key=key,
                body=splice(ok(), field, nest(40).encode()), ctype=jt))
        add(Row(f"type: {route} unknown field", "POST", path, 400, key=key,
                body=over(ok(), admin=True)))
        add(Row(f"size: {route} body over 1 MiB", "POST", path, 413, key=key,
                body=splice(ok(), field, b'"' + b"a" * (1 << 20) + b'"'), ctype=jt))

    # --- POST /api/v1/buildings
    typed("buildings", "/api/v1/buildings", "admin", BUILDING_OK, "community",
          [110112121013, [COMMUNITY], {"code": COMMUNITY}, True, None, "", UNIT, "110112",
           OFFICE, "999999999999", COMMUNITY + " ", FOREIGN_COMMUNITY + "' OR '1'='1",
           "<script>alert(1)</script>"])
    typed("buildings", "/api/v1/buildings", "admin", BUILDING_OK, "name",
          [12, ["群芳园"], {"zh": "群芳园"}, False, None, "", "   ", "\u3000\u3000", "\t\r\n",
           "楼" * 101, "a\u0001b", "a\u001bb"])
    typed("buildings", "/api/v1/buildings", "admin", BUILDING_OK, "covenant",
          [5, ["一、爱护楼道"], {"一": "爱护楼道"}, True, "约" * 5001, "约" * 100000, "一\u0007二",
           "一\u007f二"])
    add(Row("type: buildings community missing", "POST", "/api/v1/buildings", 400, key="admin",
            body=over(BUILDING_OK, community=DROP)))
    add(Row("type: buildings name missing", "POST", "/api/v1/buildings", 400, key="admin",
            body=over(BUILDING_OK, name=DROP)))
    for extra, value in [("leader_id", 1), ("id", 1), ("township", UNIT), ("residents", [])]:
        add(Row(f"type: buildings unknown field {extra}", "POST", "/api/v1/buildings", 400,
                key="admin", body=over(BUILDING_OK, **{extra: value})))
    add(Row("auth: buildings by a handler outside the community's township", "POST",
            "/api/v1/buildings", 403, key="handler",
            body=over(BUILDING_OK, community=FOREIGN_COMMUNITY)))
    for role in ("operator", "supervisor", "inspector", "public", "resident", "leader"):
        add(Row(f"auth: buildings by {role}", "POST", "/api/v1/buildings", 403, key=role,
                body=BUILDING_OK))

    # --- POST /api/v1/buildings/{id}: name, covenant, 楼门长
    edit = "/api/v1/buildings/${BLD}"
    for label, raw in [("the 楼门长's id as a string", b'"${RLEAD}"'), ("1.5", b"1.5"),
                       ("true", b"true"), ("[id]", b"[${RLEAD}]"), ("{id}", b'{"id":${RLEAD}}'),
                       ("1e300", b"1e300"), ("2^63", b"9223372036854775808"),
                       ("2^64", b"18446744073709551616"), ("-1", b"-1"),
                       ("-9223372036854775808", b"-9223372036854775808"),
                       ("99999999", b"99999999"), ('""', b'""'), ('"0"', b'"0"'),
                       ("a resident who moved out", b"${RLEFT}"),
                       ("the building's own id", b"${BLD}"), ("a proposal's id", b"${PROP}"),
                       ("an enterprise's id", b"${ENT}"),
                       ("a resident of another building", b"${ROUT}")]:
        add(Row(f"type: buildings/{{id}}.leader_id = {label}", "POST", edit, 400, key="admin",
                body=b'{"leader_id":' + raw + b"}", ctype="application/json",
                fixtures=("PROP", "ENT", "BLD2")))
    typed("buildings/{id}", edit, "admin", {}, "name",
          [12, ["群芳园"], True, "", "   ", "\u3000", "楼" * 101, "a\u0001b"])
    typed("buildings/{id}", edit, "admin", {}, "covenant",
          [5, ["一"], {"一": "二"}, "约" * 5001, "约" * 100000, "一\u000b二"])
    for extra, value in [("community", COMMUNITY2), ("id", 1), ("residents", []),
                         ("leader", {"id": 1})]:
        add(Row(f"type: buildings/{{id}} unknown field {extra}", "POST", edit, 400, key="admin",
                body={extra: value}))
    # A valid change beside an invalid one: nothing of either is stored.
    add(Row("type: buildings/{id} new name + leader_id of another building", "POST", edit, 400,
            key="admin", body={"name": "新楼名", "leader_id": "#{ROUT}"}))
    add(Row("type: buildings/{id} new covenant + leader_id \"x\"", "POST", edit, 400,
            key="admin", body={"covenant": "新公约", "leader_id": "x"}))
    add(Row("type: buildings/{id} new leader + empty name", "POST", edit, 400, key="admin",
            body={"leader_id": "#{RRES}", "name": ""}))
    add(Row("long: buildings/{id} new leader + covenant 5001 chars", "POST", edit, 400,
            key="admin", body={"leader_id": "#{RRES}", "covenant": "约" * 5001}))
    for role in ("leader", "resident", "outsider", "supervisor", "operator", "public"):
        add(Row(f"auth: buildings/{{id}} edited by {role}", "POST", edit, 403, key=role,
                body={"covenant": "楼门长自己改的公约", "leader_id": "#{RRES}"}))
    for path in ["/api/v1/buildings/99999999999999999999", "/api/v1/buildings/0",
                 "/api/v1/buildings/${PROP}", "/api/v1/buildings/${ENT}",
                 "/api/v1/buildings/${CONS}"]:
        add(Row(f"path: POST {path}", "POST", path, 404, key="admin", body={"name": "新楼名"},
                fixtures=("BLD",)))

    # --- POST /api/v1/buildings/{id}/residents
    residents = "/api/v1/buildings/${BLD}/residents"
    typed("residents", residents, "admin", RESIDENT_OK, "name",
          [7, ["赵敏"], {"x": 1}, None, "", "  ", "\u3000", "名" * 51, "赵\u001b敏"])
    typed("residents", residents, "admin", RESIDENT_OK, "room",
          [601, ["601"], True, None, "", "   ", "室" * 21, "6\u00070\u00071"])
    for extra, value in [("role", "admin"), ("building_id", "#{BLD2}"),
                         ("key", "jz_000000000000_00000000000000000000000000000000"),
                         ("leader", True), ("unit", UNIT)]:
        add(Row(f"type: residents unknown field {extra}", "POST", residents, 400, key="admin",
                body=over(RESIDENT_OK, **{extra: value})))
    for role in ("leader", "resident", "outsider", "supervisor", "operator", "public"):
        add(Row(f"auth: residents registered by {role}", "POST", residents, 403, key=role,
                body=RESIDENT_OK))
    for path in ["/api/v1/buildings/99999999999999999999/residents",
                 "/api/v1/buildings/0/residents", "/api/v1/buildings/${PROP}/residents",
                 "/api/v1/buildings/${ENT}/residents"]:
        add(Row(f"path: POST {path}", "POST", path, 404, key="admin", body=RESIDENT_OK,
                fixtures=("BLD",)))

    # --- POST /api/v1/buildings/{id}/residents/{rid}/key and …/leave (no body is read):
    #     ids that are not this building's resident, a resident who moved out, roles that may not
    for action in ("key", "leave"):
        for label, path, expect in [
                ("a resident of another building", "/api/v1/buildings/${BLD}/residents/${ROUT}", 404),
                ("resident 0", "/api/v1/buildings/${BLD}/residents/0", 404),
                ("resident 99999999999999999999",
                 "/api/v1/buildings/${BLD}/residents/99999999999999999999", 404),
                ("resident -1", "/api/v1/buildings/${BLD}/residents/-1", 404),
                ("the building's own id as resident", "/api/v1/buildings/${BLD}/residents/${BLD}",
                 404),
                ("a proposal's id as resident", "/api/v1/buildings/${BLD}/residents/${PROP}", 404),
                ("an enterprise's id as resident", "/api/v1/buildings/${BLD}/residents/${ENT}",
                 404),
                ("building 99999999999999999999",
                 "/api/v1/buildings/99999999999999999999/residents/${RRES}", 404),
                ("building 0", "/api/v1/buildings/0/residents/${RRES}", 404),
                ("a proposal's id as building", "/api/v1/buildings/${PROP}/residents/${RRES}", 404),
                ("the resident's id as building", "/api/v1/buildings/${RRES}/residents/${RRES}",
                 404),
                ("the resident under another building", "/api/v1/buildings/${BLD2}/residents/${RRES}",
                 404),
                ("a resident who moved out", "/api/v1/buildings/${BLD2}/residents/${RLEFT}", 409)]:
            add(Row(f"path: residents/{{rid}}/{action}, {label}", "POST", f"{path}/{action}",
                    expect, key="admin", fixtures=("BLD", "BLD2", "PROP")))
        for role in ("leader", "resident", "outsider", "supervisor", "operator", "public"):
            add(Row(f"auth: residents/{{rid}}/{action} of the 楼门长 by {role}", "POST",
                    f"/api/v1/buildings/${{BLD}}/residents/${{RLEAD}}/{action}", 403, key=role,
                    fixtures=("PROP",)))
        add(Row(f"method: GET residents/{{rid}}/{action}", "GET",
                f"/api/v1/buildings/${{BLD}}/residents/${{RRES}}/{action}", {404, 405},
                key="admin"))
    add(Row("auth: the key of a resident who moved out (GET /me)", "GET", "/api/v1/me", 401,
            key="departed"))
    add(Row("auth: the key of a resident who moved out (proposal)", "POST",
            "/api/v1/buildings/${BLD2}/proposals", 401, key="departed", body=PROPOSAL_OK))

    # --- GET /api/v1/buildings?community=
    for query, expect in [("community=999999999999", 400), ("community=abc", 400),
                          ("community=%FF%FE", 400), ("community=%E4%B8", 400),
                          ("community=a%00b", 400),
                          (f"community={COMMUNITY}&community={COMMUNITY2}", 400),
                          (f"community={COMMUNITY}&community={COMMUNITY}", 400),
                          (f"community={COMMUNITY}&%63ommunity={COMMUNITY}", 400),
                          ("foo=1", 400), ("township=" + UNIT, 400), ("limit=5", 400),
                          ("community=" + urllib.parse.quote("' OR '1'='1"), 400),
                          (f"community={COMMUNITY}%20", 400),
                          ("community=%3Cscript%3E", 400),
                          ("community=" + "1" * 9000, {400, 414})]:
        add(Row(f"query: buildings?{snippet(query, 60)}", "GET", "/api/v1/buildings?" + query,
                expect, key="admin", fixtures=("BLD",)))
    for role in ("operator", "inspector", "public"):
        add(Row(f"auth: GET buildings by {role}", "GET", "/api/v1/buildings", 403, key=role))
    for path in ["/api/v1/buildings/99999999999999999999", "/api/v1/buildings/0",
                 "/api/v1/buildings/${PROP}", "/api/v1/buildings/${CONS}",
                 "/api/v1/buildings/abc", "/api/v1/buildings/1e3",
                 "/api/v1/buildings/99999999999999999999/proposals",
                 "/api/v1/buildings/${ENT}/proposals", "/api/v1/buildings/0/proposals"]:
        add(Row(f"path: GET {path}", "GET", path, 404, key="admin", fixtures=("BLD",)))
    add(Row("auth: GET another building by a resident", "GET", "/api/v1/buildings/${BLD2}", 403,
            key="resident"))
    add(Row("auth: GET another building's proposals by a resident", "GET",
            "/api/v1/buildings/${BLD}/proposals", 403, key="outsider"))

    # --- POST /api/v1/buildings/{id}/proposals (a resident of the building)
    proposals = "/api/v1/buildings/${BLD}/proposals"
    typed("proposals", proposals, "resident", PROPOSAL_OK, "title",
          [12, ["扶手"], {}, True, None, "", "   ", "\u3000", "题" * 101, "a\u001bb"])
    typed("proposals", proposals, "resident", PROPOSAL_OK, "text",
          [5, ["a"], {"zh": "扶手"}, False, None, "", "  \n ", "t" * 2001, "议" * 2001,
           "a\u0001b"])
    for missing in ("title", "text"):
        add(Row(f"type: proposals {missing} missing", "POST", proposals, 400, key="resident",
                body=over(PROPOSAL_OK, **{missing: DROP})))
    for extra, value in [("status", "agreed"), ("author_id", "#{RLEAD}"),
                         ("votes", {"for": 99}), ("building_id", "#{BLD2}"),
                         ("closed_at", "2026-01-01")]:
        add(Row(f"type: proposals unknown field {extra}", "POST", proposals, 400,
                key="resident", body=over(PROPOSAL_OK, **{extra: value})))
    add(Row("auth: proposal in another building by a resident", "POST",
            "/api/v1/buildings/${BLD2}/proposals", 403, key="resident", body=PROPOSAL_OK))
    add(Row("auth: proposal in a building by a resident of another", "POST", proposals, 403,
            key="outsider", body=PROPOSAL_OK))
    for role in ("admin", "handler", "supervisor", "public", "operator"):
        add(Row(f"auth: proposal by {role}", "POST", proposals, 403, key=role, body=PROPOSAL_OK))
    for path in ["/api/v1/buildings/99999999999999999999/proposals",
                 "/api/v1/buildings/0/proposals", "/api/v1/buildings/${PROP}/proposals"]:
        add(Row(f"path: POST {path}", "POST", path, 404, key="resident", body=PROPOSAL_OK))

    # --- GET /api/v1/proposals/{id}
    for path in ["/api/v1/proposals/99999999999999999999", "/api/v1/proposals/0",
                 "/api/v1/proposals/${BLD}", "/api/v1/proposals/${CONS}",
                 "/api/v1/proposals/${RLEAD}", "/api/v1/proposals/-1"]:
        add(Row(f"path: GET {path}", "GET", path, 404, key="admin", fixtures=("PROP",)))
    add(Row("auth: GET a proposal of another building", "GET", "/api/v1/proposals/${PROP}", 403,
            key="outsider"))
    for role in ("operator", "public", "inspector"):
        add(Row(f"auth: GET a proposal by {role}", "GET", "/api/v1/proposals/${PROP}", 403,
                key=role))

    # --- POST /api/v1/proposals/{id}/comments
    comments = "/api/v1/proposals/${PROP}/comments"
    typed("comments", comments, "resident", COMMENT_OK, "text",
          [5, ["同意"], {"zh": "同意"}, True, None, "", "    ", "\u3000\u3000", "\n\t\r",
           "c" * 2001, "评" * 2001, " " + "评" * 2001 + " "])
    add(Row("type: comments text missing", "POST", comments, 400, key="resident", body={}))
    for extra, value in [("resident_id", "#{RLEAD}"), ("id", 1), ("at", "2020-01-01"),
                         ("proposal_id", "#{PCLOSED}")]:
        add(Row(f"type: comments unknown field {extra}", "POST", comments, 400,
                key="resident", body=over(COMMENT_OK, **{extra: value})))
    add(Row("state: comment on a closed proposal", "POST", "/api/v1/proposals/${PCLOSED}/comments",
            409, key="resident", body=COMMENT_OK))
    add(Row("auth: comment by a resident of another building", "POST", comments, 403,
            key="outsider", body=COMMENT_OK))
    for role in ("admin", "handler", "supervisor", "public"):
        add(Row(f"auth: comment by {role}", "POST", comments, 403, key=role, body=COMMENT_OK,
                fixtures=("PROP",)))
    for path in ["/api/v1/proposals/99999999999999999999/comments",
                 "/api/v1/proposals/0/comments", "/api/v1/proposals/${BLD}/comments",
                 "/api/v1/proposals/${CONS}/comments"]:
        add(Row(f"path: POST {path}", "POST", path, 404, key="resident", body=COMMENT_OK,
                fixtures=("PROP",)))

    # --- POST /api/v1/proposals/{id}/votes
    votes = "/api/v1/proposals/${PROP}/votes"
    typed("votes", votes, "resident", VOTE_OK, "choice",
          ["maybe", "FOR", "For", "for ", " against", "", "赞成", "yes", "1", "agreed",
           "abstain\u0001", 1, 0, True, None, ["for"], {"for": 1}, 1e300])
    add(Row("type: votes choice missing", "POST", votes, 400, key="resident", body={}))
    for extra, value in [("resident_id", "#{RLEAD}"), ("count", 100), ("weight", 5),
                         ("proposal_id", "#{PCLOSED}")]:
        add(Row(f"type: votes unknown field {extra}", "POST", votes, 400, key="resident",
                body=over(VOTE_OK, **{extra: value})))
    add(Row("state: vote on a closed proposal", "POST", "/api/v1/proposals/${PCLOSED}/votes",
            409, key="resident", body=VOTE_OK))
    add(Row("auth: vote by a resident of another building", "POST", votes, 403,
            key="outsider", body=VOTE_OK))
    for role in ("admin", "handler", "supervisor", "public"):
        add(Row(f"auth: vote by {role}", "POST", votes, 403, key=role, body=VOTE_OK,
                fixtures=("PROP",)))
    for path in ["/api/v1/proposals/99999999999999999999/votes", "/api/v1/proposals/0/votes",
                 "/api/v1/proposals/${BLD}/votes", "/api/v1/proposals/${ENT}/votes"]:
        add(Row(f"path: POST {path}", "POST", path, 404, key="resident", body=VOTE_OK,
                fixtures=("PROP",)))

    # --- POST /api/v1/proposals/{id}/close (the 楼门长); a refusal makes no case
    close = "/api/v1/proposals/${PROP}/close"
    typed("close", close, "leader", CLOSE_OK, "outcome",
          ["maybe", "AGREED", "open", "closed", "", " agreed", "agreed\u0007", 1, True, None,
           ["agreed"], {"agreed": True}])
    typed("close", close, "leader", CLOSE_OK, "agreement",
          [5, ["同意"], {"zh": "同意"}, False, None, "", "   ", "\u3000", "协" * 2001])
    typed("close", close, "leader", CLOSE_OK, "needs_unit", ["true", 1, 0, "yes", [True], {}])
    typed("close", close, "leader", over(CLOSE_OK, needs_unit=True), "type",
          [5, ["help"], "spam", "HELP", "help\u0001"])
    typed("close", close, "leader", over(CLOSE_OK, needs_unit=True), "category",
          [101, ["0101"], "9999", "0101'; DROP TABLE records;--", "0101 ", "%"])
    add(Row("type: close type = \"spam\" without needs_unit", "POST", close, 400, key="leader",
            body=over(CLOSE_OK, type="spam")))
    add(Row("type: close category = \"9999\" without needs_unit", "POST", close, 400,
            key="leader", body=over(CLOSE_OK, category="9999")))
    add(Row("type: close needs_unit with outcome rejected", "POST", close, 400, key="leader",
            body=over(CLOSE_OK, outcome="rejected", needs_unit=True)))
    add(Row("ctl: close needs_unit, agreement with U+0001", "POST", close, 400, key="leader",
            body=over(CLOSE_OK, needs_unit=True, agreement="同意\u0001加装")))
    for missing in ("outcome", "agreement"):
        add(Row(f"type: close {missing} missing", "POST", close, 400, key="leader",
                body=over(CLOSE_OK, **{missing: DROP})))
    for extra, value in [("case_id", 1), ("status", "agreed"), ("closed_by", "#{RRES}"),
                         ("unit", UNIT), ("votes", {"for": 9})]:
        add(Row(f"type: close unknown field {extra}", "POST", close, 400, key="leader",
                body=over(CLOSE_OK, **{extra: value})))
    add(Row("state: close a closed proposal", "POST", "/api/v1/proposals/${PCLOSED}/close", 409,
            key="leader", body=CLOSE_OK))
    for role in ("resident", "outsider", "admin", "handler", "supervisor", "public"):
        add(Row(f"auth: close by {role}", "POST", close, 403, key=role,
                body=over(CLOSE_OK, needs_unit=True), fixtures=("PROP",)))
    for path in ["/api/v1/proposals/99999999999999999999/close", "/api/v1/proposals/0/close",
                 "/api/v1/proposals/${BLD}/close", "/api/v1/proposals/${RLEAD}/close"]:
        add(Row(f"path: POST {path}", "POST", path, 404, key="leader", body=CLOSE_OK,
                fixtures=("PROP",)))

    # --- POST /api/v1/enterprises: the 统一社会信用代码 and the other fields
    first17 = "91110112MA01ABCD1"
    valid = first17 + credit_check(first17)
    for label, code in [
            ("full-width", "".join(chr(ord(c) + 0xFEE0) for c in valid)),
            ("lowercase", valid.lower()),
            ("17 characters", first17),
            ("19 characters", valid + "0"),
            ("15 ASCII + 1 full-width (18 bytes)", valid[:15] + "Ｄ"),
            ("with a space inside", valid[:8] + " " + valid[9:]),
            ("with a tab inside", valid[:8] + "\t" + valid[9:]),
            ("empty", ""), ("18 spaces", " " * 18),
            ("letters in positions 3-8", "91ABCDEF" + valid[8:]),
            ("SQL", "91110112MA01' OR 1=1--"), ("<script>", "<script>alert(1)</script>")]:
        add(Row(f"code: credit_code {label}", "POST", "/api/v1/enterprises", 400,
                key="supervisor", body=enterprise_ok(credit_code=code)))
    for letter in "IOSVZ":
        code = "91110112M" + letter + "01ABCD1"
        add(Row(f"code: credit_code with the letter {letter}", "POST", "/api/v1/enterprises",
                400, key="supervisor", body=enterprise_ok(credit_code=code + "7")))
    wrong = first17 + ("X" if credit_check(first17) != "X" else "Y")
    add(Row("code: credit_code with a wrong check character names the right one", "POST",
            "/api/v1/enterprises", 400, key="supervisor", body=enterprise_ok(credit_code=wrong),
            check=check_names_check_character(first17)))
    add(Row("code: credit_code registered already (409)", "POST", "/api/v1/enterprises", 409,
            key="supervisor", body=enterprise_ok(credit_code="${ENTCODE}")))
    add(Row("code: credit_code registered already, in lowercase", "POST", "/api/v1/enterprises",
            400, key="supervisor", fixtures=("ENT",), special=special_lowercase_duplicate))
    typed("enterprises", "/api/v1/enterprises", "supervisor", enterprise_ok, "credit_code",
          [911101120, 9.1110112e17, ["91110112MA01ABCD17"], True, None])
    typed("enterprises", "/api/v1/enterprises", "supervisor", enterprise_ok, "name",
          [7, ["云帆"], None, "", "   ", "\u3000", "企" * 101, "云\u001b帆"])
    typed("enterprises", "/api/v1/enterprises", "supervisor", enterprise_ok, "township",
          [110112121, [UNIT], None, "", COMMUNITY, "110112", OFFICE, "999999999", UNIT + " ",
           UNIT + "' OR '1'='1"])
    typed("enterprises", "/api/v1/enterprises", "supervisor", enterprise_ok, "manager_unit",
          [110112121, [UNIT], None, "", "999999999", "../" + UNIT])
    typed("enterprises", "/api/v1/enterprises", "supervisor", enterprise_ok, "manager_name",
          [5, ["赵磊"], None, "", "  ", "管" * 51, "赵\u0001磊"])
    typed("enterprises", "/api/v1/enterprises", "supervisor", enterprise_ok, "address",
          [1, ["云景东路"], {"road": "云景东路"}, "址" * 201, "云景\u0007东路"])
    for missing in ("name", "credit_code", "township", "manager_name", "manager_unit"):
        add(Row(f"type: enterprises {missing} missing", "POST", "/api/v1/enterprises", 400,
                key="supervisor", body=enterprise_ok(**{missing: DROP})))
    for extra, value in [("id", 1), ("requests", {"total": 0}), ("cases", []),
                         ("created_at", "2020-01-01")]:
        add(Row(f"type: enterprises unknown field {extra}", "POST", "/api/v1/enterprises", 400,
                key="supervisor", body=enterprise_ok(**{extra: value})))
    for role in ("operator", "handler", "inspector", "public", "resident"):
        add(Row(f"auth: enterprises by {role}", "POST", "/api/v1/enterprises", 403, key=role,
                body=enterprise_ok(), fixtures=("ENT",)))

    # --- GET /api/v1/enterprises?township=&q=
    for query, expect, check in [
            ("township=999999999", 400, None), ("township=abc", 400, None),
            ("township=%FF", 400, None), (f"township={UNIT}&township={UNIT}", 400, None),
            ("q=a&q=b", 400, None), ("name=x", 400, None), ("community=" + COMMUNITY, 400, None),
            ("township=" + urllib.parse.quote("' OR 1=1--"), 400, None),
            ("q=%FF%FE", 400, None), ("q=%E4%B8", 400, None), ("q=%ED%A0%80", 400, None),
            ("q=a%00b", {200, 400}, check_no_enterprises_if_200),
            ("q=" + urllib.parse.quote("' OR '1'='1"), 200, check_enterprises_contain("' OR '1'='1")),
            ("q=%25", 200, check_enterprises_contain("%")),
            ("q=_", 200, check_enterprises_contain("_")),
            ("q=" + "a" * 9000, {400, 414}, None)]:
        add(Row(f"query: enterprises?{snippet(query, 60)}", "GET", "/api/v1/enterprises?" + query,
                expect, key="admin", check=check, fixtures=("ENT",)))
    for role in ("public", "resident", "inspector"):
        add(Row(f"auth: GET enterprises by {role}", "GET", "/api/v1/enterprises", 403, key=role))
    for path in ["/api/v1/enterprises/99999999999999999999", "/api/v1/enterprises/0",
                 "/api/v1/enterprises/${BLD}", "/api/v1/enterprises/${CONS}",
                 "/api/v1/enterprises/abc"]:
        add(Row(f"path: GET {path}", "GET", path, 404, key="admin", fixtures=("ENT",)))
    add(Row("auth: GET an enterprise by public", "GET", "/api/v1/enterprises/${ENT}", 403,
            key="public"))

    # --- POST /api/v1/cases with enterprise_id (企业诉求)
    for value, expect in [(b'"${ENT}"', 400), (b"1.5", 400), (b"true", 400), (b"[${ENT}]", 400),
                          (b'{"id":${ENT}}', 400), (b"1e300", 400),
                          (b"9223372036854775808", {400, 404}), (b"18446744073709551616", 400),
                          (b"-1", {400, 404}), (b"0", {400, 404}), (b"99999999", 404),
                          (b"${BLD}", 404), (b"${CONS}", 404), (b"${PROP}", 404),
                          (b"${RLEAD}", 404)]:
        label = {"${BLD}": "a building's id", "${CONS}": "a consultation's id",
                 "${PROP}": "a proposal's id", "${RLEAD}": "a resident's id"}.get(
                     value.decode(), value.decode())
        add(Row(f"type: cases.enterprise_id = {label}", "POST", "/api/v1/cases", expect,
                body=splice(EREQUEST_OK, "enterprise_id", value), ctype="application/json",
                fixtures=("ENT", "BLD", "CONS", "PROP")))
    add(Row("type: cases.enterprise_id with unit", "POST", "/api/v1/cases", 400,
            body=over(EREQUEST_OK, unit=UNIT)))
    add(Row("type: cases.enterprise_id with category 0101", "POST", "/api/v1/cases", 400,
            body=over(EREQUEST_OK, category=CATEGORY)))
    add(Row("type: cases.enterprise_id with category 1205 as a number", "POST", "/api/v1/cases",
            400, body=over(EREQUEST_OK, category=1205)))
    add(Row("type: cases.enterprise_id with type spam", "POST", "/api/v1/cases", 400,
            body=over(EREQUEST_OK, type="spam")))
    add(Row("type: cases.enterprise_id without text", "POST", "/api/v1/cases", 400,
            body=over(EREQUEST_OK, text=DROP)))
    add(Row("type: cases.enterprise_id with text 5001 chars", "POST", "/api/v1/cases", 400,
            body=over(EREQUEST_OK, text="诉" * LONG)))
    add(Row("dup: cases.enterprise_id twice", "POST", "/api/v1/cases", 400,
            body=encode_ints(EREQUEST_OK)[:-1] + b',"enterprise_id":99999999}',
            ctype="application/json"))
    for role in ("handler", "supervisor", "public", "inspector", "resident"):
        add(Row(f"auth: cases.enterprise_id by {role}", "POST", "/api/v1/cases", 403, key=role,
                body=EREQUEST_OK))

    # --- POST /api/v1/consultations
    cons = "/api/v1/consultations"
    typed("consultations", cons, "supervisor", consultation_ok, "title",
          [5, ["草案"], None, "", "   ", "\u3000", "题" * 201, "条例\u001b草案"])
    typed("consultations", cons, "supervisor", consultation_ok, "summary",
          [5, ["说明"], {"zh": "说明"}, "说" * 5001, "说\u0001明"])
    typed("consultations", cons, "supervisor", consultation_ok, "office",
          [110112, ["110112D01"], None, "", "110112D99", "999999999",
           OFFICE + "' OR '1'='1"])
    bad_times = ["garbage", "yesterday", "2026-13-45", "2027-02-30", "2027-01-01T25:00:00+08:00",
                 "2027-01-01T10:60:00+08:00", "2027-01-01T10:00:00+8", "2027-01-01T10:00:00+08",
                 "2027-01-01T10:00:00+0800", "2027-01-01T10:00:00+14:60",
                 "2027-01-01T10:00:00+15:00", "2027-01-01T10:00:00 +08:00",
                 "2027-01-01T10:00:00ZZ", "2027-01-01T10:00:00Z+08:00", "2027-1-1",
                 "27-01-01", "+275760-09-13T00:00:00Z", "0000-01-01", "2027-01-01T10",
                 1798732800, 1.5, True, {"at": "2027-01-01"}, ["2027-01-01"]]
    typed("consultations", cons, "supervisor", consultation_ok, "closes",
          bad_times + [None, "", "2020-01-01", now_iso(timedelta(days=-1))])
    typed("consultations", cons, "supervisor", consultation_ok, "opens", bad_times)
    add(Row("date: consultations closes before opens", "POST", cons, 400, key="supervisor",
            body=consultation_ok(opens="2027-02-01T09:00:00+08:00",
                                 closes="2027-01-01T09:00:00+08:00")))
    add(Row("date: consultations closes == opens", "POST", cons, 400, key="supervisor",
            body=consultation_ok(opens="2027-02-01T09:00:00+08:00",
                                 closes="2027-02-01T01:00:00Z")))
    add(Row("date: consultations closes a second before opens (offsets)", "POST", cons, 400,
            key="supervisor", body=consultation_ok(opens="2027-02-01T09:00:00+08:00",
                                                  closes="2027-02-01T00:59:59Z")))
    add(Row("type: consultations closes missing", "POST", cons, 400, key="supervisor",
            body=consultation_ok(closes=DROP)))
    many = [{"title": f"第{i}条", "text": "内容"} for i in range(1, 202)]
    typed("consultations", cons, "supervisor", consultation_ok, "sections",
          ["第一章", {"title": "第一章", "text": "x"}, [], ["第一章"], [None], [1],
           [[{"title": "第一章"}]], [{"title": "第一章"}, "第二章"], None, True, many])
    for label, section in [
            ("title missing", {"text": "第一条"}), ("title empty", {"title": "", "text": "x"}),
            ("title spaces", {"title": "   ", "text": "x"}),
            ("title ideographic spaces", {"title": "\u3000", "text": "x"}),
            ("title 201 chars", {"title": "章" * 201}), ("title a number", {"title": 1}),
            ("title an array", {"title": ["第一章"]}), ("text a number", {"title": "章", "text": 5}),
            ("text an object", {"title": "章", "text": {"a": 1}}),
            ("text 20001 chars", {"title": "章", "text": "条" * 20001}),
            ("unknown field no", {"title": "章", "no": 7}),
            ("unknown field opinions", {"title": "章", "opinions": 3}),
            ("title with U+001B", {"title": "第\u001b一章"}),
            ("text with U+0001", {"title": "章", "text": "第一条\u0001"}),
            ("text with \\u0000", {"title": "章", "text": "第一条\u0000"})]:
        add(Row(f"type: consultations section {label}", "POST", cons, 400, key="supervisor",
                body=consultation_ok(sections=[{"title": "第一章", "text": "x"}, section])))
    for missing in ("title", "office", "sections"):
        add(Row(f"type: consultations {missing} missing", "POST", cons, 400, key="supervisor",
                body=consultation_ok(**{missing: DROP})))
    for extra, value in [("state", "closed"), ("opinions", 5), ("id", 1),
                         ("created_at", "2020-01-01")]:
        add(Row(f"type: consultations unknown field {extra}", "POST", cons, 400,
                key="supervisor", body=consultation_ok(**{extra: value})))
    for role in ("operator", "handler", "inspector", "public", "resident"):
        add(Row(f"auth: consultations by {role}", "POST", cons, 403, key=role,
                body=consultation_ok()))

    # --- POST /api/v1/consultations/{id}/opinions (any key)
    opinions = "/api/v1/consultations/${CONS}/opinions"
    for value in [b'"1"', b"1.5", b"1.0e0", b"true", b"[1]", b"{}", b"null", b"0", b"-1",
                  b"1e300", b"9223372036854775808", b"18446744073709551615",
                  b"18446744073709551616", b"4294967297", b"3", b"201", b"10000", b"10001",
                  b"-9223372036854775808"]:
        add(Row(f"type: opinions.section = {value.decode()}", "POST", opinions, 400,
                key="public", body=splice(OPINION_OK, "section", value),
                ctype="application/json"))
    add(Row("type: opinions section missing", "POST", opinions, 400, key="public",
            body=over(OPINION_OK, section=DROP)))
    typed("opinions", opinions, "public", OPINION_OK, "text",
          [12345, ["建议"], {"zh": "建议"}, True, None, "", "     ", "\u3000" * 6, "四个字符",
           "   四个字符   ", "o" * 2001, "意" * 2001, "建议\u0001明确", "建议\u001b[2J明确",
           "建议\u007f明确"])
    add(Row("type: opinions text missing", "POST", opinions, 400, key="public",
            body=over(OPINION_OK, text=DROP)))
    typed("opinions", opinions, "public", OPINION_OK, "name",
          [5, ["市民"], {"x": 1}, True, "名" * 51, "市\u0001民"])
    for extra, value in [("role", "admin"), ("at", "2020-01-01"), ("id", 1),
                         ("consultation_id", "#{CCLOSED}"), ("group", 1)]:
        add(Row(f"type: opinions unknown field {extra}", "POST", opinions, 400, key="public",
                body=over(OPINION_OK, **{extra: value})))
    add(Row("state: opinion on a closed consultation", "POST",
            "/api/v1/consultations/${CCLOSED}/opinions", 409, key="public", body=OPINION_OK))
    add(Row("state: opinion on a consultation not open yet", "POST",
            "/api/v1/consultations/${CUPCOMING}/opinions", 409, key="public", body=OPINION_OK))
    add(Row("auth: opinion without a key", "POST", opinions, 401, key=None, body=OPINION_OK))
    add(Row("auth: opinion with a wrong secret", "POST", opinions, 401, key=None,
            headers=[("Authorization", "Bearer ${BADKEY:public}")], body=OPINION_OK))
    for path in ["/api/v1/consultations/99999999999999999999/opinions",
                 "/api/v1/consultations/0/opinions", "/api/v1/consultations/${ENT}/opinions",
                 "/api/v1/consultations/${BLD}/opinions"]:
        add(Row(f"path: POST {path}", "POST", path, 404, key="public", body=OPINION_OK,
                fixtures=("CONS",)))
    for path in ["/api/v1/consultations/99999999999999999999",
                 "/api/v1/consultations/${PROP}", "/api/v1/consultations/0",
                 "/api/v1/consultations/99999999999999999999/opinions",
                 "/api/v1/consultations/${ENT}/opinions",
                 "/api/v1/consultations/99999999999999999999/export",
                 "/api/v1/consultations/${BLD}/export"]:
        add(Row(f"path: GET {path}", "GET", path, 404, key="admin", fixtures=("CONS",)))
    for role in ("public", "resident", "operator", "inspector"):
        for what in ("opinions", "export"):
            add(Row(f"auth: GET consultation {what} by {role}", "GET",
                    f"/api/v1/consultations/${{CONS}}/{what}", 403, key=role))

    # --- routes and methods that do not exist
    for method, path in [("DELETE", "/api/v1/buildings/${BLD}"),
                         ("PUT", "/api/v1/buildings/${BLD}"),
                         ("PATCH", "/api/v1/proposals/${PROP}"),
                         ("DELETE", "/api/v1/proposals/${PROP}/votes"),
                         ("GET", "/api/v1/proposals/${PROP}/votes"),
                         ("POST", "/api/v1/proposals/${PROP}/close/now"),
                         ("DELETE", "/api/v1/enterprises/${ENT}"),
                         ("POST", "/api/v1/enterprises/${ENT}"),
                         ("PUT", "/api/v1/consultations/${CONS}"),
                         ("POST", "/api/v1/consultations/${CONS}"),
                         ("DELETE", "/api/v1/consultations/${CONS}/opinions")]:
        add(Row(f"method: {method} {path}", method, path, {404, 405}, key="admin",
                body={"name": "x"} if method != "GET" else b""))

    # --- hostile-looking text stored as inert text, read back verbatim
    add(Row("xss: <script> in a building's name and covenant stored as text", "POST",
            "/api/v1/buildings", 201, key="admin",
            body=over(BUILDING_OK, name=SCRIPT_TITLE, covenant=SCRIPT_TEXT),
            grows={"buildings": 1}, check=check_building_inert(SCRIPT_TITLE, SCRIPT_TEXT)))
    add(Row("xss: <svg onload> in a resident's name and room stored as text", "POST",
            "/api/v1/buildings/${BLD2}/residents", 201, key="admin",
            body={"name": SCRIPT_NAME, "room": "<b>3</b>"}, alters=("BLD2",),
            check=check_resident_inert(SCRIPT_NAME, "<b>3</b>")))
    add(Row("xss: <script> in a proposal's title and text stored as text", "POST", proposals,
            201, key="resident", body={"title": SCRIPT_TITLE, "text": SCRIPT_TEXT},
            alters=("BLD",), check=check_proposal_inert(SCRIPT_TITLE, SCRIPT_TEXT)))
    add(Row("xss: <script> in a comment stored as text", "POST", comments, 201, key="resident",
            body={"text": SCRIPT_ADDR}, alters=("PROP",), check=check_comment_inert(SCRIPT_ADDR)))
    add(Row("sql: SQL in a comment stored as text", "POST", comments, 201, key="resident",
            body={"text": SQL_TEXT}, alters=("PROP",), check=check_comment_inert(SQL_TEXT)))
    # README: "no control characters in text" — as in every other text of these routes.
    add(Row("ctl: control characters in a comment", "POST", comments, 400, key="resident",
            body={"text": "同意\u0001加装\u001b[2J扶手\u007f"}))
    add(Row("ctl: control characters in an agreement (no case)", "POST", close, 400,
            key="leader", body=over(CLOSE_OK, agreement="同意\u0001加装\u001b[2J")))
    add(Row("xss: <script> in an enterprise's name, address and manager stored as text", "POST",
            "/api/v1/enterprises", 201, key="supervisor",
            body=enterprise_ok(name=SCRIPT_TITLE, address=SCRIPT_ADDR, manager_name=SCRIPT_NAME),
            grows={"enterprises": 1},
            check=check_enterprise_inert(SCRIPT_TITLE, SCRIPT_ADDR, SCRIPT_NAME)))
    sql_name = "云帆'); DROP TABLE records; --"
    add(Row("sql: SQL in an enterprise's name stored as text", "POST", "/api/v1/enterprises",
            201, key="supervisor", body=enterprise_ok(name=sql_name), grows={"enterprises": 1},
            check=check_sql_enterprise(sql_name)))
    add(Row("xss: <script> in a consultation's title, summary and section stored as text",
            "POST", cons, 201, key="supervisor",
            body=consultation_ok(title=SCRIPT_TITLE, summary=SCRIPT_TEXT,
                                 sections=[{"title": SCRIPT_NAME, "text": SCRIPT_ADDR}]),
            grows={"consultations": 1},
            check=check_consultation_inert(SCRIPT_TITLE, SCRIPT_TEXT, SCRIPT_NAME, SCRIPT_ADDR)))
    add(Row("xss: <script> in an opinion and its signature, read back and exported", "POST",
            opinions, 201, key="public", body={"section": 2, "text": SCRIPT_TEXT,
                                               "name": SCRIPT_NAME},
            alters=("CONS",), check=check_opinion_inert(SCRIPT_TEXT, SCRIPT_NAME)))
    add(Row("date: consultations closes without an offset is Beijing time", "POST", cons, 201,
            key="supervisor", body=consultation_ok(closes="2099-01-01T10:00:00"),
            grows={"consultations": 1}, check=check_closes("2099-01-01T10:00:00+08:00")))
    return R


def special_lowercase_duplicate(run, row):
    """The enterprise fixture's own credit code in lowercase: a 400 (not a 409, and not a
    second registration of the same code)."""
    body = J(enterprise_ok(credit_code=run.fixture("ENTCODE").lower()))
    return run.req("POST", "/api/v1/enterprises", "supervisor", body,
                   ctype="application/json")


# ---------------------------------------------------------------------------------------------
# Evaluation.

def substitute(run, data):
    """${A}… fixture ids and ${KEY:role} keys in a str or bytes."""
    is_bytes = isinstance(data, bytes)
    text = data.decode("latin-1") if is_bytes else data
    text = FIXTURE_TOKEN.sub(lambda m: str(run.fixture(m.group(1))), text)
    text = KEY_TOKEN.sub(lambda m: run.keys[m.group(1)], text)
    text = BADKEY_TOKEN.sub(lambda m: wrong_secret(run.keys[m.group(1)]), text)
    return text.encode("latin-1") if is_bytes else text


def wrong_secret(key):
    """The same key id with the last hex digit of the secret changed."""
    return key[:-1] + ("0" if key[-1] != "0" else "1")


def body_bytes(row):
    if isinstance(row.body, (dict, list)):
        return encode_ints(row.body)
    return row.body


def send_row(run, row):
    if row.special:
        return row.special(run, row)
    path = substitute(run, row.path)
    body = body_bytes(row)
    body = substitute(run, body)    # tokens are ASCII: a latin-1 round trip keeps every byte
    headers = [(n, substitute(run, v) if isinstance(v, (str, bytes)) else v)
               for n, v in row.headers]
    if row.key:
        headers.append(("Authorization", "Bearer " + run.keys[row.key]))
    ctype = row.ctype
    if ctype is None and isinstance(row.body, (dict, list)):
        ctype = "application/json"
    if ctype:
        headers.append(("Content-Type", ctype))
    return http(run.s.port, row.method, path, headers, body, row.length, row.timeout)


def special_garbage(run, row):
    """A request line that is not HTTP: a 4xx or a closed connection."""
    sock = socket.create_connection(("127.0.0.1", run.s.port))
    try:
        sock.sendall(b"FOO\x01 / HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.shutdown(socket.SHUT_WR)
        r = read_response(sock, time.monotonic() + 12)
    finally:
        sock.close()
    if r.status is None and r.error and r.error.startswith("closed"):
        r.error = "closed"
    return r


def shape_problems(path, resp):
    """The documented error form for a refusal."""
    problems = []
    route = path.split("?", 1)[0]
    body = resp.body
    if route.startswith("/open311/"):
        if route.endswith(".xml"):
            try:
                root = ET.fromstring(body)
                errs = root.findall("error")
                if root.tag != "errors" or not errs or any(
                        e.find("code") is None or e.find("description") is None for e in errs):
                    problems.append("Open311 XML error is not <errors><error><code>+<description>")
            except ET.ParseError:
                problems.append("Open311 XML error is not well-formed XML")
        else:
            try:
                doc = json.loads(body)
                if not (isinstance(doc, list) and doc and all(
                        isinstance(e, dict) and "code" in e and "description" in e for e in doc)):
                    problems.append("Open311 JSON error is not [{code, description}]")
            except ValueError:
                problems.append("Open311 error is not JSON")
        return problems
    ctype = resp.header("Content-Type")
    if not ctype.startswith("application/json"):
        problems.append(f"error Content-Type {ctype!r}")
    try:
        err = json.loads(body)["error"]
        for f in ("code", "message", "request_id"):
            if not isinstance(err.get(f), str) or not err.get(f):
                problems.append(f"error.{f} missing or not a string")
        want = ERROR_CODES.get(resp.status)
        if want and err.get("code") != want:
            problems.append(f"error.code {err.get('code')!r} for {resp.status}, want {want!r}")
        rid = resp.header("X-Request-Id")
        if not rid:
            problems.append("no X-Request-Id header (openapi: every response carries it)")
        elif rid != err.get("request_id"):
            problems.append(f"X-Request-Id {rid!r} differs from error.request_id")
    except (ValueError, KeyError, TypeError, AttributeError):
        problems.append("not the error shape {\"error\":{code,message,request_id}}")
    return problems


def evaluate(run, row):
    """Runs one row; returns (resp, problems)."""
    problems = []
    # Fixtures first, so that their creation is not counted against the row.
    for name in row.fixtures:
        run.fixture(name)
    hs, before = run.health()
    if hs != 200 or before is None:
        raise Abort(f"/healthz before row {row.name!r}: {hs}")
    # Case fixtures keep their version and events; R (a round) is covered by inspection_state.
    fixture_before = {n: run.case_state(run.fixtures[n]) for n in row.fixtures
                      if n in CASE_FIXTURES}
    community_named = sorted({SUB_FIXTURES.get(n, n) for n in row.fixtures} & COMMUNITY_FIXTURES)
    community_before = run.community_state(community_named) if row.community else None
    touches_inspections = "/api/v1/inspections" in row.path_str
    insp_before = run.inspection_state() if touches_inspections else None
    logs = run.s.log_size()

    resp = send_row(run, row)

    got = resp.status if resp.status is not None else resp.error
    if resp.status is None and resp.error == "closed" and "closed" in row.expect:
        pass
    elif resp.status is None:
        problems.append(f"no answer: {resp.error}")
    elif resp.status not in row.expect:
        want = "/".join(str(s) for s in sorted(row.expect, key=str))
        problems.append(f"status {resp.status}, want {want}")
    if resp.status is not None:
        if resp.status >= 500:
            problems.append("5xx for a client's input")
        if row.hostile() and 200 <= resp.status < 300:
            problems.append("2xx for a hostile request")
        if 400 <= resp.status < 500 and not row.special:
            problems += shape_problems(row.path_str, resp)
        elif 400 <= resp.status < 500 and row.special and resp.body:
            problems += shape_problems(row.path_str, resp)
    if row.check is not None and resp.status is not None:
        try:
            problems += row.check(run, resp)
        except Exception as e:  # a check that cannot read the answer is a failure of the row
            problems.append(f"check failed: {e.__class__.__name__}: {e}")

    # Afterwards: alive, healthy, nothing partially stored.
    if not run.s.alive():
        problems.append(f"the server died (exit {run.s.proc.returncode})")
    else:
        hs, after = run.health()
        if hs != 200:
            problems.append(f"/healthz after the row: {hs}")
        else:
            want = row.creates
            if want == "auto":   # an inert row that may be accepted (1 case) or refused (none)
                want = 1 if resp.status is not None and 200 <= resp.status < 300 else 0
            if after - before != want:
                problems.append(f"case count {before} → {after}, want +{want}")
        for n, state in fixture_before.items():
            now = run.case_state(run.fixtures[n])
            if now != state:
                problems.append(f"fixture {n} (case {run.fixtures[n]}) changed: version "
                                f"{state[0]} → {now[0]}, events {state[1] if len(state) > 1 else '?'}"
                                f" → {now[1] if len(now) > 1 else '?'}")
                run.dirty.add(n)
        if touches_inspections and run.inspection_state() != insp_before:
            problems.append("inspection rounds or findings changed")
        if community_before is not None:
            problems += community_problems(run, row, resp, community_before,
                                           run.community_state(community_named))
    new_log = run.s.log_since(logs)
    bad = [l for l in new_log.splitlines() if SUSPICIOUS.search(l)]
    if bad:
        problems.append("server log: " + snippet(bad[0], 200))
    return resp, problems


def differences(before, after, where=""):
    """Paths where two JSON values differ (at most a few)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for k in sorted(set(before) | set(after), key=str):
            out += differences(before.get(k), after.get(k), f"{where}.{k}" if where else str(k))
        return out
    if before != after:
        return [f"{where or 'value'} {snippet(json.dumps(before, ensure_ascii=False), 50)} → "
                f"{snippet(json.dumps(after, ensure_ascii=False), 50)}"]
    return []


def community_problems(run, row, resp, before, after):
    """Buildings, residents, proposals, enterprises and consultations after a row: the fixtures
    it names unchanged (unless it was accepted and may alter them), no record of any kind added
    or changed except what an accepted row may add."""
    problems = []
    accepted = resp.status is not None and 200 <= resp.status < 300
    may_alter = set(row.alters) if accepted else set()
    lists_before, fixtures_before = before
    lists_after, fixtures_after = after
    named_ids = {run.fixtures[n] for n in fixtures_before if n in run.fixtures}
    for kind, items in lists_before.items():
        now = lists_after[kind]
        if "?" in items or "?" in now:
            problems.append(f"GET /api/v1/{kind}: {items.get('?') or now.get('?')}")
            continue
        for rid, doc in items.items():
            if rid not in now:
                problems.append(f"{kind} {rid} vanished")
            elif rid not in named_ids and now[rid] != doc:
                problems.append(f"{kind} {rid} changed: " + "; ".join(differences(doc, now[rid])[:3]))
        added = [rid for rid in now if rid not in items]
        want = row.grows.get(kind, 0) if accepted else 0
        if len(added) != want:
            problems.append(f"{len(added)} new {kind} (ids {added[:5]}), want {want}")
    for name, state in fixtures_before.items():
        if name in may_alter:
            run.dirty.add(name)     # changed on purpose: rebuilt before its next use
            continue
        if fixtures_after.get(name) != state:
            problems.append(f"fixture {name} ({run.fixtures[name]}) changed: " +
                            "; ".join(differences(state, fixtures_after.get(name))[:3]))
            run.dirty.add(name)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jiesu", required=True, help="path to the jiesu binary")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--only", help="run only the rows whose name contains this")
    args = ap.parse_args()
    jiesu = os.path.abspath(args.jiesu)
    if not os.access(jiesu, os.X_OK):
        print(f"hostile: {jiesu} is not an executable", file=sys.stderr)
        return 2

    table = rows()
    if args.only:
        table = [r for r in table if args.only in r.name]
    tmp = tempfile.mkdtemp(prefix="jiesu-hostile-")
    server = Server(jiesu, tmp)
    failures = 0
    try:
        run = Run(server)
        run.keys["operator"] = server.create_key("operator")   # creates the database
        run.keys["handler"] = server.create_key("handler", UNIT, "梨园镇")
        for role in ("supervisor", "inspector", "admin", "public"):
            run.keys[role] = server.create_key(role)
        for i in range(OBSERVERS):   # admin keys that only read the community state
            run.keys[f"observer{i}"] = server.create_key("admin", name=f"hostile observer {i}")
        server.start()
        print(f"hostile: jiesu on 127.0.0.1:{server.port}, {len(table)} rows, tmp {tmp}")
        for row in table:
            try:
                resp, problems = evaluate(run, row)
            except Abort as e:
                resp, problems = Resp(), [f"could not run: {e}"]
            got = resp.status if resp.status is not None else (resp.error or "-")
            if problems:
                failures += 1
                print(f"FAIL {row.name}: {got} — " + "; ".join(problems))
                print(f"     answer: {snippet(resp.body, 200) if resp.body else resp.error}")
            else:
                print(f"PASS {row.name}: {got} {snippet(resp.body, 90) if resp.body else ''}")
            if not server.alive():
                print("     the server is down: restarting it on the same database")
                server.stop()
                server.start()
        print(f"hostile: {len(table)} rows, {failures} failures")
        return 1 if failures else 0
    except Abort as e:
        print(f"hostile: cannot run: {e}", file=sys.stderr)
        return 2
    finally:
        server.stop()
        if args.keep:
            print(f"hostile: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

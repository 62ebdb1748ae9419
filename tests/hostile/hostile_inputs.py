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
    unchanged by a refused inspection write; nothing new in the server's output looks like a
    sanitizer report or a logged error.

Prints one PASS/FAIL line per row and `hostile: N rows, F failures`; exit 1 on any failure,
2 when the test could not run. Python 3 standard library only. See README.md beside this file
for how to add a row.
"""
import argparse
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
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))
UNIT = "110112121"          # 梨园镇 — the handler's unit and the fixtures' unit
CATEGORY = "0101"           # 物业管理 (a 小类; also an Open311 service_code)
ROLES = ["operator", "handler", "supervisor", "inspector", "admin", "public"]
HTTP_THREADS = 32           # [http] threads default (configs/jiesu.example.toml)
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
        if name not in self.fixtures or name in self.dirty:
            self.fixtures[name] = self.build_fixture(name)
            self.dirty.discard(name)
        return self.fixtures[name]


# ---------------------------------------------------------------------------------------------
# Row helpers.

FIXTURE_TOKEN = re.compile(r"\$\{([A-Z])\}")
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
                 timeout=20.0):
        self.name, self.method, self.path, self.key = name, method, path, key
        self.path_str = path.decode("latin-1") if isinstance(path, bytes) else path
        self.expect = {expect} if isinstance(expect, int) else set(expect)
        self.body, self.ctype, self.headers, self.length = body, ctype, list(headers), length
        self.creates, self.check, self.special, self.timeout = creates, check, special, timeout
        text = self.path_str + (body.decode("utf-8", "replace") if isinstance(body, bytes)
                                else json.dumps(body, ensure_ascii=False))
        self.fixtures = sorted(set(FIXTURE_TOKEN.findall(text)) | set(fixtures))

    def hostile(self):
        return all(isinstance(s, str) or 400 <= s < 500 for s in self.expect)


def J(obj):
    """JSON bytes, UTF-8, non-ASCII kept."""
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


DROP = object()


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
    return R


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
        return J(row.body)
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
    fixture_before = {n: run.case_state(run.fixtures[n]) for n in row.fixtures if n != "R"}
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
    new_log = run.s.log_since(logs)
    bad = [l for l in new_log.splitlines() if SUSPICIOUS.search(l)]
    if bad:
        problems.append("server log: " + snippet(bad[0], 200))
    return resp, problems


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

#!/usr/bin/env python3
"""Access-control matrix for jiesu, generated from its route table.

    python3 tests/access/access_matrix.py --jiesu build-test/jiesu [--keep]

Starts the real binary on a fresh database in a temporary directory, creates one key per caller
(operator, supervisor, inspector, admin, public, a handler of 梨园镇 110112121 and a handler of
中仓街道 110112001), reads the route table from `jiesu routes` and sends every route a plausible
request as every caller. EXPECTATIONS below is the intended policy (README.md beside this file);
the test fails when the server disagrees with it, when a route of the table has no row in
EXPECTATIONS, or when EXPECTATIONS names a route the table does not have.

"Allowed" means the answer is neither 401 nor 403 (a 400, 404, 409 or 503 is the route doing its
work for a caller it let in; a 5xx other than 503 is reported). "Denied" means exactly 403 for a
valid key and exactly 401 without one, except where DENIED_STATUS says otherwise (Open311's
api_key error is a 403; a public key asking for an inspection finding gets 404, which is how jiesu
hides findings from the public).

Beyond the route × caller matrix, ACTION_CHECKS tries each action of cases.act with one or more
allowed and denied roles on a case in the state the action needs, and SCOPE_CHECKS looks at what
lists and Open311 show to whom.

Exit status 0 when everything matches, 1 on any mismatch or table problem, 2 when the test could
not run (bad usage, the binary failed, a fixture could not be made). Python 3 standard library only.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from jiesu_server import JiesuServer, ServerError  # noqa: E402

BEIJING = timezone(timedelta(hours=8))
OWN_UNIT = "110112121"      # 梨园镇
FOREIGN_UNIT = "110112001"  # 中仓街道
CATEGORY = "0101"           # 物业管理 (a 小类; also an Open311 service_code)
PNG = b"\x89PNG\r\n\x1a\n"

# The callers, in matrix column order: key name → (role, unit) for `jiesu keys create`.
CALLERS = ["none", "operator", "supervisor", "inspector", "admin", "public", "h-own", "h-foreign"]
KEYS = {
    "operator": ("operator", None),
    "supervisor": ("supervisor", None),
    "inspector": ("inspector", None),
    "admin": ("admin", None),
    "public": ("public", None),
    "h-own": ("handler", OWN_UNIT),
    "h-foreign": ("handler", FOREIGN_UNIT),
}
SHORT = {"none": "none", "operator": "op", "supervisor": "sup", "inspector": "insp",
         "admin": "adm", "public": "pub", "h-own": "h-own", "h-foreign": "h-for"}

# ---------------------------------------------------------------------------------------------
# The intended policy: Y = allowed, N = denied, one column per caller (see CALLERS). Every route
# of `jiesu routes` must have a row, and every row must be a route of the table.
# none = no key; h-own = handler of 梨园镇 (the fixture case's unit); h-foreign = handler of 中仓街道.
EXPECTATIONS_TABLE = """
# route                          none operator supervisor inspector admin public h-own h-foreign
healthz                          Y    Y        Y          Y         Y     Y      Y     Y
metrics                          Y    Y        Y          Y         Y     Y      Y     Y
me                               N    Y        Y          Y         Y     Y      Y     Y
cases.create                     N    Y        N          N         Y     Y      Y     Y
dispatch.preview                 N    Y        N          N         Y     N      N     N
cases.list                       N    Y        Y          Y         Y     Y      Y     N
cases.get                        N    Y        Y          Y         Y     Y      Y     N
cases.act                        N    Y        Y          Y         Y     N      Y     N
cases.attachments.create         N    Y        N          Y         Y     N      Y     N
cases.attachments.get            N    Y        Y          Y         Y     N      Y     N
cases.remote_status              N    Y        Y          N         Y     N      N     N
peers.list                       N    Y        Y          N         Y     N      N     N
units.list                       N    Y        Y          Y         Y     Y      Y     Y
categories.list                  N    Y        Y          Y         Y     Y      Y     Y
assessments                      N    Y        Y          Y         Y     N      Y     Y
reports.monthly                  N    Y        Y          Y         Y     N      Y     Y
export                           N    Y        Y          N         Y     N      N     N
inspections.create               N    N        N          Y         Y     N      N     N
inspections.list                 N    N        Y          Y         Y     N      N     N
inspections.get                  N    N        Y          Y         Y     N      N     N
inspections.findings.create      N    N        N          Y         Y     N      N     N
audit                            N    N        N          N         Y     N      N     N
admin.model.reload               N    N        N          N         Y     N      N     N
open311.discovery                Y    Y        Y          Y         Y     Y      Y     Y
open311.services                 Y    Y        Y          Y         Y     Y      Y     Y
open311.service                  Y    Y        Y          Y         Y     Y      Y     Y
open311.requests.create          N    Y        N          N         Y     Y      N     N
open311.requests.list            Y    Y        Y          Y         Y     Y      Y     Y
open311.requests.get             Y    Y        Y          Y         Y     Y      Y     Y
open311.tokens.get               Y    Y        Y          Y         Y     Y      Y     Y
"""

# Where a denial is not the usual 401 (no key) / 403 (a key): (route, caller) → status.
DENIED_STATUS = {
    # Open311 (GeoReport v2): a missing api_key is the specification's 403, in its error form.
    ("open311.requests.create", "none"): 403,
}


def parse_expectations(text):
    table, problems = {}, []
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        name, marks = fields[0], fields[1:]
        if len(marks) != len(CALLERS) or any(m not in ("Y", "N") for m in marks):
            problems.append(f"EXPECTATIONS line {no}: {name}: want {len(CALLERS)} Y/N marks, "
                            f"got {' '.join(marks)!r}")
            continue
        if name in table:
            problems.append(f"EXPECTATIONS names {name} twice")
        table[name] = {c: m == "Y" for c, m in zip(CALLERS, marks)}
    return table, problems


EXPECTATIONS, EXPECTATION_PROBLEMS = parse_expectations(EXPECTATIONS_TABLE)


class Abort(Exception):
    """The test cannot go on (a prerequisite or fixture failed)."""


def now_iso(delta=timedelta()):
    return (datetime.now(BEIJING) + delta).isoformat(timespec="seconds")


def this_month():
    return datetime.now(BEIJING).strftime("%Y-%m")


# ---------------------------------------------------------------------------------------------
# HTTP

class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def excerpt(self, n=300):
        ctype = self.headers.get("content-type", "")
        if ctype.startswith(("application/json", "text/")) or not self.body:
            text = self.body.decode("utf-8", "replace")
        else:
            text = f"<{len(self.body)} bytes of {ctype}>"
        return text if len(text) <= n else text[:n] + "…"


class Request:
    """One HTTP request, kept so a mismatch can be shown as it was sent."""

    def __init__(self, method, path, key=None, query=None, json_body=None, form=None,
                 files=None):
        self.method, self.path, self.key = method, path, key
        self.query, self.json_body, self.form, self.files = query, json_body, form, files

    def target(self):
        return self.path + ("?" + urllib.parse.urlencode(self.query) if self.query else "")

    def describe(self):
        out = f"{self.method} {self.target()}"
        if self.key:
            out += "  [Authorization: Bearer <key>]"
        if self.json_body is not None:
            out += "  json " + json.dumps(self.json_body, ensure_ascii=False)
        if self.form is not None:
            out += "  form " + "&".join(f"{k}={'<key>' if k == 'api_key' else v}"
                                        for k, v in self.form)
        if self.files:
            out += "  multipart " + ", ".join(f"{k}={n} ({len(b)} bytes)"
                                              for k, (n, b) in self.files.items())
        return out


class Client:
    def __init__(self, root):
        u = urllib.parse.urlsplit(root)
        self.host, self.port = u.hostname, u.port

    def send(self, req):
        headers = {}
        body = None
        if req.key:
            headers["Authorization"] = "Bearer " + req.key
        if req.json_body is not None:
            body = json.dumps(req.json_body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        elif req.form is not None:
            body = urllib.parse.urlencode(req.form).encode("ascii")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif req.files:
            boundary = "----jiesu-access-" + uuid.uuid4().hex
            parts = []
            for field, (filename, data) in req.files.items():
                parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                             f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream"
                             f"\r\n\r\n".encode() + data + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif req.method == "POST":
            body = b""
        for attempt in range(4):
            conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                conn.request(req.method, req.target(), body=body, headers=headers)
                r = conn.getresponse()
                resp = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
            except (ConnectionError, http.client.HTTPException) as e:
                if attempt == 3:
                    raise Abort(f"{req.describe()}: no answer ({e!r})")
                time.sleep(0.5)
                continue
            finally:
                conn.close()
            # A 429 (rate limit) says nothing about access: wait as told and ask again.
            if resp.status == 429 and attempt < 3:
                try:
                    wait = float(resp.headers.get("retry-after", "1"))
                except ValueError:
                    wait = 1.0
                time.sleep(min(max(wait, 0.1), 5.0))
                continue
            return resp
        return resp


# ---------------------------------------------------------------------------------------------
# The server and the keys

class Server(JiesuServer):
    def routes(self):
        made = self.run("routes", timeout=60)
        if made.returncode != 0:
            raise Abort(f"jiesu routes exited with {made.returncode}: {made.stderr.strip()[-800:]}")
        routes = []
        for no, raw in enumerate(made.stdout.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split()
            if len(fields) < 3 or fields[0] not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                raise Abort(f"jiesu routes line {no}: expected 'METHOD PATH NAME', got {raw!r}")
            routes.append((fields[0], fields[1], fields[2]))
        if not routes:
            raise Abort("jiesu routes printed no routes")
        return routes


# ---------------------------------------------------------------------------------------------
# Fixtures: cases in the states the actions need, an inspection round, findings, an attachment.

class Fixtures:
    def __init__(self, client, keys):
        self.c, self.keys = client, keys
        self.serial = 0

    def key(self, caller):
        return self.keys.get(caller)

    def must(self, req, want, what):
        r = self.c.send(req)
        if r.status not in want:
            raise Abort(f"fixture {what}: {req.describe()} → {r.status} {r.excerpt(500)}")
        return r

    def text(self, what):
        self.serial += 1
        return f"{what}（访问控制测试 {self.serial}）小区楼道灯坏了，物业一直没有修"

    def case(self, state="dispatched"):
        """A fresh case created by the operator and dispatched to 梨园镇, then taken to `state`."""
        body = {"type": "投诉", "text": self.text("工单"), "unit": OWN_UNIT, "category": CATEGORY}
        r = self.must(Request("POST", "/api/v1/cases", self.key("operator"), json_body=body),
                      (201,), "create a case dispatched to 梨园镇")
        cid = r.json()["id"]
        steps = {
            "dispatched": [],
            "accepted": [("h-own", {"action": "accept"})],
            "objected": [("h-own", {"action": "object", "reason": "不属于本单位职责"})],
            "replied": [("h-own", {"action": "accept"}),
                        ("h-own", {"action": "reply", "text": "已修复", "resolved": True})],
            "called_back": [("h-own", {"action": "accept"}),
                            ("h-own", {"action": "reply", "text": "已修复", "resolved": True}),
                            ("operator", {"action": "callback", "reachable": True,
                                          "contacted": True, "resolved": True,
                                          "satisfaction": "满意"})],
            "closed": [("h-own", {"action": "accept"}),
                       ("h-own", {"action": "reply", "text": "已修复", "resolved": True}),
                       ("operator", {"action": "callback", "reachable": True, "contacted": True,
                                     "resolved": True, "satisfaction": "满意"}),
                       ("operator", {"action": "close"})],
        }[state]
        for who, body in steps:
            self.act(cid, who, body, f"take case {cid} to {state}")
        return cid

    def act(self, cid, who, body, what):
        return self.must(Request("POST", f"/api/v1/cases/{cid}/actions", self.key(who),
                                 json_body=body), (200,), what)

    def consult(self):
        """A fresh 咨询 that is not dispatched (answer needs a received 咨询)."""
        body = {"type": "咨询", "text": f"请问办理居住证需要带哪些材料？（访问控制测试 {self.serial}）"}
        self.serial += 1
        r = self.must(Request("POST", "/api/v1/cases", self.key("operator"), json_body=body),
                      (201,), "create a 咨询")
        return r.json()["id"], r.json().get("status")

    def round(self):
        body = {"name": f"区委巡察组对梨园镇的巡察（访问控制测试 {self.serial}）", "units": [OWN_UNIT]}
        self.serial += 1
        r = self.must(Request("POST", "/api/v1/inspections", self.key("inspector"),
                              json_body=body), (201,), "create an inspection round")
        return r.json()["id"]

    def finding_body(self):
        return {"unit": OWN_UNIT, "text": self.text("巡察发现：专项资金台账不健全"),
                "due": now_iso(timedelta(days=30))}

    def finding(self, round_id, state="dispatched"):
        r = self.must(Request("POST", f"/api/v1/inspections/{round_id}/findings",
                              self.key("inspector"), json_body=self.finding_body()),
                      (201,), "record a finding")
        fid = r.json()["id"]
        if state == "replied":
            self.act(fid, "h-own", {"action": "accept"}, f"accept finding {fid}")
            self.act(fid, "h-own", {"action": "reply", "text": "已建立台账"},
                     f"reply to finding {fid}")
        return fid

    def png(self):
        self.serial += 1
        return PNG + f"access-matrix {self.serial} {uuid.uuid4().hex}".encode()

    def attach(self, cid, who="h-own"):
        r = self.must(Request("POST", f"/api/v1/cases/{cid}/attachments", self.key(who),
                              files={"file": ("photo.png", self.png())}),
                      (201,), f"attach a PNG to case {cid}")
        return r.json()["attachment"]["hash"]


# ---------------------------------------------------------------------------------------------
# One plausible request per route and caller. A builder gets the fixtures, the caller, its key
# and the path with its parameters filled, and returns a Request. GET routes without a builder
# are sent as they are; every other method needs one (a bare POST would stop at 400 before any
# role check and prove nothing).

def b_cases_create(fx, caller, key, path):
    body = {"type": "投诉", "text": fx.text("新诉求")}
    if caller in ("operator", "admin"):
        body.update(unit=OWN_UNIT, category=CATEGORY)   # the hotline dispatches at intake
    elif caller == "h-own":
        body["unit"] = OWN_UNIT                          # a grid report of its own unit
    elif caller == "h-foreign":
        body["unit"] = FOREIGN_UNIT
    return Request("POST", path, key, json_body=body)


def b_dispatch_preview(fx, caller, key, path):
    return Request("POST", path, key, json_body={"type": "投诉", "text": "梨园镇云景东路路灯不亮",
                                                 "address": "梨园镇云景东路"})


def b_cases_list(fx, caller, key, path):
    return Request("GET", path, key, query={"unit": OWN_UNIT})


# cases.act in the matrix: each caller's most ordinary action, on a fresh case.
def b_cases_act(fx, caller, key, path):
    if caller == "inspector":
        cid = fx.finding(fx.round_id, "replied")
        body = {"action": "verify", "rectified": True}
    else:
        cid = fx.case("dispatched")
        body = {
            "operator": {"action": "dispatch", "unit": OWN_UNIT},
            "admin": {"action": "dispatch", "unit": OWN_UNIT},
            "supervisor": {"action": "supervise", "note": "请加快办理"},
            "public": {"action": "reopen", "reason": "问题没有解决"},
        }.get(caller, {"action": "accept"})  # handlers, and the caller without a key
    return Request("POST", f"/api/v1/cases/{cid}/actions", key, json_body=body)


def b_attachments_create(fx, caller, key, path):
    cid = fx.case("dispatched")
    return Request("POST", f"/api/v1/cases/{cid}/attachments", key,
                   files={"file": ("photo.png", fx.png())})


def b_remote_status(fx, caller, key, path):
    return Request("POST", path, key)


def b_month(extra=None):
    def build(fx, caller, key, path):
        return Request("GET", path, key, query={"month": this_month(), **(extra or {})})
    return build


def b_inspections_create(fx, caller, key, path):
    body = {"name": f"区委巡察组对梨园镇的巡察（{SHORT[caller]}）", "units": [OWN_UNIT]}
    return Request("POST", path, key, json_body=body)


def b_findings_create(fx, caller, key, path):
    return Request("POST", path, key, json_body=fx.finding_body())


def b_model_reload(fx, caller, key, path):
    return Request("POST", path, key)


def b_open311_create(fx, caller, key, path):
    form = [("service_code", CATEGORY), ("lat", "39.87"), ("long", "116.67"),
            ("description", fx.text("小区电梯停运"))]
    if key:
        form.insert(0, ("api_key", key))
    return Request("POST", path, None, form=form)


BUILDERS = {
    "cases.create": b_cases_create,
    "dispatch.preview": b_dispatch_preview,
    "cases.list": b_cases_list,
    "cases.act": b_cases_act,
    "cases.attachments.create": b_attachments_create,
    "cases.remote_status": b_remote_status,
    "assessments": b_month({"level": "township"}),
    "reports.monthly": b_month({"format": "json"}),
    "export": b_month({"format": "csv"}),
    "inspections.create": b_inspections_create,
    "inspections.findings.create": b_findings_create,
    "admin.model.reload": b_model_reload,
    "open311.requests.create": b_open311_create,
}


def fill(path, fx):
    """The path with its template parameters filled from the fixtures."""
    def one(m):
        name = m.group(1)
        if name == "id":
            return str(fx.round_id if path.startswith("/api/v1/inspections") else fx.case_id)
        if name == "hash":
            return fx.hash
        if name == "format":
            return "json"
        if name == "code":
            return CATEGORY
        if name == "token":
            return str(fx.case_id)
        raise KeyError(name)
    return re.sub(r"\{([^{}/]+)\}", one, path)


# ---------------------------------------------------------------------------------------------
# Judging one answer

def verdict(resp, expect_allowed, caller, deny_status=None, hidden_404=False):
    """(ok, got_allowed, note)."""
    s = resp.status
    if expect_allowed:
        if s in (401, 403):
            return False, False, "want allowed: neither 401 nor 403"
        if s >= 500 and s != 503:
            return False, True, f"server error {s}"
        return True, True, ""
    want = deny_status or (401 if caller == "none" else 403)
    if s == want:
        return True, False, ""
    if hidden_404 and s == 404:
        return True, False, "hidden (404)"
    got_allowed = s not in (401, 403)
    return False, got_allowed, f"want {want}"


class Results:
    def __init__(self):
        self.mismatches = []   # (label, request, response, note)
        self.table_problems = []
        self.checks = 0

    def record(self, label, req, resp, ok, note=""):
        self.checks += 1
        if not ok:
            self.mismatches.append((label, req, resp, note))


# ---------------------------------------------------------------------------------------------
# cases.act by action: (action, state of a fresh case, body, {caller: allowed?})
# States: dispatched, accepted, objected, replied, called_back, closed (cases of 梨园镇 made by
# the operator), consult (a 咨询 the operator records without a unit), finding (an inspection
# finding of 梨园镇 the unit has replied to).

ACTION_CHECKS = [
    ("accept", "dispatched", {"action": "accept"},
     {"h-own": True, "h-foreign": False, "operator": False}),
    ("reply", "accepted", {"action": "reply", "text": "已修复", "resolved": True},
     {"h-own": True, "h-foreign": False}),
    ("object", "dispatched", {"action": "object", "reason": "不属于本单位职责"},
     {"h-own": True, "h-foreign": False}),
    ("extend", "dispatched", {"action": "extend", "until": None, "reason": "需协调产权单位"},
     {"h-own": True, "h-foreign": False}),
    ("dispatch", "dispatched", {"action": "dispatch", "unit": OWN_UNIT},
     {"operator": True, "admin": True, "supervisor": False}),
    ("answer", "consult", {"action": "answer", "text": "需携带身份证和居住证明"},
     {"operator": True, "h-own": False}),
    ("callback", "replied", {"action": "callback", "reachable": True, "contacted": True,
                             "resolved": True, "satisfaction": "满意"},
     {"operator": True, "supervisor": False}),
    ("close", "called_back", {"action": "close"},
     {"operator": True, "h-own": False}),
    ("transfer", "dispatched", {"action": "transfer", "to": "110"},
     {"operator": True, "h-own": False}),
    ("review_objection", "objected", {"action": "review_objection", "uphold": False},
     {"supervisor": True, "operator": False}),
    ("supervise", "dispatched", {"action": "supervise", "note": "请加快办理"},
     {"supervisor": True, "operator": False}),
    ("reopen", "closed", {"action": "reopen", "reason": "诉求人反映问题仍未解决"},
     {"operator": True, "supervisor": True, "inspector": True, "h-own": False,
      "public": False}),
    ("merge", "dispatched", {"action": "merge", "into": None},
     {"operator": True, "supervisor": True, "inspector": False}),
    ("verify", "finding", {"action": "verify", "rectified": True},
     {"inspector": True, "operator": False, "h-own": False}),
]


def run_action_checks(fx, results, rows):
    for action, state, body, callers in ACTION_CHECKS:
        for caller, allowed in callers.items():
            if state == "consult":
                cid, status = fx.consult()
            elif state == "finding":
                cid = fx.finding(fx.round_id, "replied")
            else:
                cid = fx.case(state)
            b = dict(body)
            if action == "extend":
                b["until"] = now_iso(timedelta(days=60))
            if action == "merge":
                b["into"] = fx.case_id
            req = Request("POST", f"/api/v1/cases/{cid}/actions", fx.key(caller), json_body=b)
            resp = fx.c.send(req)
            ok, got, note = verdict(resp, allowed, caller)
            results.record(f"cases.act {action} as {caller}", req, resp, ok, note)
            rows.append((f"{action} ({state})", caller, allowed, got, resp.status, ok))


# ---------------------------------------------------------------------------------------------
# What lists and Open311 show to whom (the scope side of "may see the case").

def run_scope_checks(fx, results, rows):
    def ids(resp, field="cases"):
        doc = resp.json()
        if isinstance(doc, dict):
            return {c.get("id") for c in doc.get(field) or []}
        if isinstance(doc, list):  # Open311
            return {int(r["service_request_id"]) for r in doc if "service_request_id" in r}
        return set()

    def check(label, req, ok_fn):
        resp = fx.c.send(req)
        ok, note = ok_fn(resp)
        results.record(label, req, resp, ok, note)
        rows.append((label, ok, resp.status))

    f = fx.finding_id
    # The public never sees inspection findings: 404 on the case, absent from lists and Open311.
    req = Request("GET", f"/api/v1/cases/{f}", fx.key("public"))
    resp = fx.c.send(req)
    ok, got, note = verdict(resp, False, "public", hidden_404=True)
    results.record("cases.get of a finding as public", req, resp, ok, note)
    rows.append(("cases.get of a finding as public: denied (403, or 404 hiding it)", ok,
                 resp.status))
    check("cases.list as public does not list the finding",
          Request("GET", "/api/v1/cases", fx.key("public"),
                  query={"unit": OWN_UNIT, "limit": "500"}),
          lambda r: (r.status == 200 and f not in ids(r) and fx.case_id in ids(r),
                     "want 200 listing the case and not the finding"))
    check("open311.requests.get of a finding is 404",
          Request("GET", f"/open311/v2/requests/{f}.json"),
          lambda r: (r.status == 404, "want 404"))
    check("open311.requests.list does not list the finding",
          Request("GET", "/open311/v2/requests.json", query={"service_request_id": f"{fx.case_id},{f}"}),
          lambda r: (r.status == 200 and f not in ids(r), "want 200 without the finding"))
    # The staff do see the finding.
    for caller in ("operator", "supervisor", "inspector", "admin", "h-own"):
        req = Request("GET", f"/api/v1/cases/{f}", fx.key(caller))
        resp = fx.c.send(req)
        ok = resp.status == 200
        results.record(f"cases.get of a finding as {caller}", req, resp, ok, "want 200")
        rows.append((f"cases.get of a finding as {caller}: 200", ok, resp.status))
    # A foreign-unit handler's own list does not carry the other unit's case.
    check("cases.list as h-foreign (no filter) leaves out 梨园镇's case",
          Request("GET", "/api/v1/cases", fx.key("h-foreign"), query={"limit": "500"}),
          lambda r: (r.status == 200 and fx.case_id not in ids(r),
                     "want 200 without the 梨园镇 case"))
    check("cases.list as h-own (no filter) lists its case",
          Request("GET", "/api/v1/cases", fx.key("h-own"), query={"limit": "500"}),
          lambda r: (r.status == 200 and fx.case_id in ids(r), "want 200 with the case"))
    # Open311's api_key error: 403 in the specification's error form, also for a wrong key.
    for label, key in (("no api_key", None), ("a wrong api_key", "jz_000000000000_" + "0" * 32)):
        req = b_open311_create(fx, "none", key, "/open311/v2/requests.json")

        def open311_error(r):
            doc = r.json()
            shaped = (isinstance(doc, list) and len(doc) == 1 and isinstance(doc[0], dict)
                      and doc[0].get("code") in (403, "403") and bool(doc[0].get("description")))
            return r.status == 403 and shaped, "want 403 [{code, description}]"
        check(f"open311.requests.create with {label}: 403 in Open311's error form", req,
              open311_error)
    # cases.create: the supervisor records only 主动治理 (source proactive) cases, nothing else;
    # the inspector's findings go through inspections.
    for caller, source in (("supervisor", "hotline"), ("inspector", "hotline")):
        req = Request("POST", "/api/v1/cases", fx.key(caller),
                      json_body={"type": "投诉", "text": fx.text("主动治理"), "source": source})
        resp = fx.c.send(req)
        ok, got, note = verdict(resp, False, caller)
        results.record(f"cases.create as {caller} with source {source}", req, resp, ok, note)
        rows.append((f"cases.create as {caller} with source={source}: 403", ok, resp.status))


# ---------------------------------------------------------------------------------------------

def mark(b):
    return "✓" if b else "✗"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jiesu", required=True, help="path to the jiesu binary")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    jiesu = os.path.abspath(args.jiesu)
    if not os.access(jiesu, os.X_OK):
        print(f"access: {jiesu} is not an executable", file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="jiesu-access-")
    server = Server(jiesu, tmp)
    results = Results()
    try:
        routes = server.routes()
        keys = {c: server.create_key(role, unit, f"access {c}") for c, (role, unit) in KEYS.items()}
        root = server.start()
        print(f"server at {root}, temp dir {tmp}", flush=True)
        client = Client(root)

        # The route table against EXPECTATIONS (and the builders).
        results.table_problems += EXPECTATION_PROBLEMS
        names = [n for _, _, n in routes]
        for name in sorted({n for n in names if names.count(n) > 1}):
            results.table_problems.append(f"jiesu routes lists {name} more than once")
        for method, path, name in routes:
            if name not in EXPECTATIONS:
                results.table_problems.append(
                    f"route {method} {path} {name} has no row in EXPECTATIONS")
            if method != "GET" and name not in BUILDERS:
                results.table_problems.append(
                    f"route {method} {path} {name} has no request builder in BUILDERS")
        for name in EXPECTATIONS:
            if name not in names:
                results.table_problems.append(
                    f"EXPECTATIONS names {name}, which is not a route of `jiesu routes`")
        for name in BUILDERS:
            if name not in names:
                results.table_problems.append(
                    f"BUILDERS names {name}, which is not a route of `jiesu routes`")

        # Fixtures: the case of 梨园镇 with an attachment, a round with a finding.
        fx = Fixtures(client, keys)
        fx.case_id = fx.case("dispatched")
        fx.hash = fx.attach(fx.case_id, "h-own")
        fx.round_id = fx.round()
        fx.finding_id = fx.finding(fx.round_id)

        # The matrix.
        cells = {}
        for method, path, name in routes:
            if name not in EXPECTATIONS or (method != "GET" and name not in BUILDERS):
                continue
            try:
                filled = fill(path, fx)
            except KeyError as e:
                results.table_problems.append(f"route {name}: no fixture for {{{e.args[0]}}}")
                continue
            for caller in CALLERS:
                key = keys.get(caller)
                build = BUILDERS.get(name)
                req = build(fx, caller, key, filled) if build else Request(method, filled, key)
                if req.method != method:
                    raise Abort(f"builder for {name} sent {req.method}, the route is {method}")
                resp = client.send(req)
                expect = EXPECTATIONS[name][caller]
                ok, got, note = verdict(resp, expect, caller, DENIED_STATUS.get((name, caller)))
                results.record(f"{name} as {caller}", req, resp, ok, note)
                cells[(name, caller)] = (expect, got, resp.status, ok)

        action_rows, scope_rows = [], []
        run_action_checks(fx, results, action_rows)
        run_scope_checks(fx, results, scope_rows)
    except (Abort, ServerError) as e:
        print(f"access: cannot run: {e}", file=sys.stderr)
        return 2
    except Exception:
        print("access: the test broke:\n" + traceback.format_exc(), file=sys.stderr)
        return 2
    finally:
        server.stop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    # Report.
    width = max(len(n) for _, _, n in routes) + 2
    print("\nroute × caller: expected then got (✓ allowed, ✗ denied), the status, ! on a mismatch")
    print(" " * width + "".join(f"{SHORT[c]:<11}" for c in CALLERS))
    for method, path, name in routes:
        line = f"{name:<{width}}"
        for caller in CALLERS:
            if (name, caller) not in cells:
                line += f"{'?':<11}"
                continue
            expect, got, status, ok = cells[(name, caller)]
            line += f"{mark(expect) + mark(got) + ' ' + str(status) + ('' if ok else ' !'):<11}"
        print(line)

    print("\ncases.act by action (a fresh case in the state the action needs):")
    for label, caller, expect, got, status, ok in action_rows:
        print(f"  {label:<30} {caller:<11} {mark(expect)}{mark(got)} {status}{'' if ok else ' !'}")

    print("\nscope:")
    for label, ok, status in scope_rows:
        print(f"  {'ok  ' if ok else 'FAIL'} {label} ({status})")

    if results.table_problems:
        print("\nroute table problems:")
        for p in results.table_problems:
            print(f"  {p}")
    if results.mismatches:
        print("\nmismatches:")
        for label, req, resp, note in results.mismatches:
            print(f"  {label}: got {resp.status}" + (f" ({note})" if note else ""))
            print(f"    request:  {req.describe()}")
            print(f"    response: {resp.status} {resp.excerpt()}")
    matrix_bad = sum(1 for v in cells.values() if not v[3])
    print(f"\naccess: {len(routes)} routes × {len(CALLERS)} callers, {len(results.mismatches)}"
          f" mismatches ({matrix_bad} of {len(cells)} matrix cells,"
          f" {len(results.mismatches) - matrix_bad} of {results.checks - len(cells)} action and"
          f" scope checks), {len(results.table_problems)} route table problems")
    return 1 if results.mismatches or results.table_problems else 0


if __name__ == "__main__":
    sys.exit(main())

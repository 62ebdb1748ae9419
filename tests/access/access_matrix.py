#!/usr/bin/env python3
"""Access-control matrix for jiesu, generated from its route table.

    python3 tests/access/access_matrix.py --jiesu build-test/jiesu [--keep]

Starts the real binary on a fresh database in a temporary directory, creates one key per caller
(operator, supervisor, inspector, admin, public, a handler of 梨园镇 110112121 and a handler of
中仓街道 110112001 with `jiesu keys create`; two residents of a building of 群芳园社区 in 梨园镇,
an ordinary one and its 楼门长, through the API as admin, since resident keys are only made by
registering a resident), reads the route table from `jiesu routes` and sends every route a
plausible request as every caller. EXPECTATIONS below is the intended policy (README.md beside this
file); the test fails when the server disagrees with it, when a route of the table has no row in
EXPECTATIONS, or when EXPECTATIONS names a route the table does not have.

"Allowed" means the answer is neither 401 nor 403 (a 400, 404, 409 or 503 is the route doing its
work for a caller it let in; a 5xx other than 503 is reported). "Denied" means exactly 403 for a
valid key and exactly 401 without one, except where DENIED_STATUS says otherwise (Open311's
api_key error is a 403; a public key asking for an inspection finding gets 404, which is how jiesu
hides findings from the public).

Beyond the route × caller matrix, ACTION_CHECKS tries each action of cases.act with one or more
allowed and denied roles on a case in the state the action needs, run_scope_checks looks at what
lists and Open311 show to whom, and run_community_checks at the community routes' scopes (another
building, another unit, 企业诉求 through cases.create, a proposal closed into a case).

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
OWN_COMMUNITY = "110112121013"      # 群芳园社区居委会, in 梨园镇: the fixture buildings' community
FOREIGN_COMMUNITY = "110112001017"  # 中仓社区居委会, in 中仓街道
CREDIT_CODE = "91110112MA01ABCD17"  # docs/community.md's example; further codes from credit_code()
PNG = b"\x89PNG\r\n\x1a\n"

# The callers, in matrix column order. KEYS: key name → (role, unit) for `jiesu keys create`;
# "resident" and "leader" are registered through the API (Fixtures.community): a resident of the
# fixture building, and the resident the admin made its 楼门长.
CALLERS = ["none", "operator", "supervisor", "inspector", "admin", "public", "h-own", "h-foreign",
           "resident", "leader"]
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
         "admin": "adm", "public": "pub", "h-own": "h-own", "h-foreign": "h-for",
         "resident": "res", "leader": "ldr"}

# ---------------------------------------------------------------------------------------------
# The intended policy: Y = allowed, N = denied, one column per caller (see CALLERS). Every route
# of `jiesu routes` must have a row, and every row must be a route of the table.
# none = no key; h-own = handler of 梨园镇 (the fixture case's unit, and the township of the fixture
# building, enterprise and consultation office); h-foreign = handler of 中仓街道; resident = a
# registered resident of the fixture building; leader = its 楼门长 (also a resident).
# The community routes (buildings … consultations) follow docs/community.md's access table.
EXPECTATIONS_TABLE = """
# route                          none operator supervisor inspector admin public h-own h-foreign resident leader
healthz                          Y    Y        Y          Y         Y     Y      Y     Y         Y        Y
metrics                          Y    Y        Y          Y         Y     Y      Y     Y         Y        Y
me                               N    Y        Y          Y         Y     Y      Y     Y         Y        Y
cases.create                     N    Y        N          N         Y     Y      Y     Y         N        N
dispatch.preview                 N    Y        N          N         Y     N      N     N         N        N
cases.list                       N    Y        Y          Y         Y     Y      Y     N         N        N
cases.get                        N    Y        Y          Y         Y     Y      Y     N         N        N
cases.act                        N    Y        Y          Y         Y     N      Y     N         N        N
cases.attachments.create         N    Y        N          Y         Y     N      Y     N         N        N
cases.attachments.get            N    Y        Y          Y         Y     N      Y     N         N        N
cases.remote_status              N    Y        Y          N         Y     N      N     N         N        N
peers.list                       N    Y        Y          N         Y     N      N     N         N        N
units.list                       N    Y        Y          Y         Y     Y      Y     Y         Y        Y
categories.list                  N    Y        Y          Y         Y     Y      Y     Y         Y        Y
assessments                      N    Y        Y          Y         Y     N      Y     Y         N        N
reports.monthly                  N    Y        Y          Y         Y     N      Y     Y         N        N
export                           N    Y        Y          N         Y     N      N     N         N        N
inspections.create               N    N        N          Y         Y     N      N     N         N        N
inspections.list                 N    N        Y          Y         Y     N      N     N         N        N
inspections.get                  N    N        Y          Y         Y     N      N     N         N        N
inspections.findings.create      N    N        N          Y         Y     N      N     N         N        N
audit                            N    N        N          N         Y     N      N     N         N        N
admin.model.reload               N    N        N          N         Y     N      N     N         N        N
buildings.create                 N    N        N          N         Y     N      Y     N         N        N
buildings.list                   N    N        Y          N         Y     N      Y     Y         Y        Y
buildings.get                    N    N        Y          N         Y     N      Y     N         Y        Y
buildings.edit                   N    N        N          N         Y     N      Y     N         N        N
buildings.residents.create       N    N        N          N         Y     N      Y     N         N        N
buildings.residents.key          N    N        N          N         Y     N      Y     N         N        N
buildings.residents.leave        N    N        N          N         Y     N      Y     N         N        N
proposals.create                 N    N        N          N         N     N      N     N         Y        Y
proposals.list                   N    N        Y          N         Y     N      Y     N         Y        Y
proposals.get                    N    N        Y          N         Y     N      Y     N         Y        Y
proposals.comment                N    N        N          N         N     N      N     N         Y        Y
proposals.vote                   N    N        N          N         N     N      N     N         Y        Y
proposals.close                  N    N        N          N         N     N      N     N         N        Y
enterprises.create               N    N        Y          N         Y     N      N     N         N        N
enterprises.list                 N    Y        Y          N         Y     N      Y     Y         N        N
enterprises.get                  N    Y        Y          N         Y     N      Y     N         N        N
consultations.create             N    N        Y          N         Y     N      N     N         N        N
consultations.list               N    Y        Y          Y         Y     Y      Y     Y         Y        Y
consultations.get                N    Y        Y          Y         Y     Y      Y     Y         Y        Y
consultations.opinions.create    N    Y        Y          Y         Y     Y      Y     Y         Y        Y
consultations.opinions.list      N    N        Y          N         Y     N      Y     N         N        N
consultations.export             N    N        Y          N         Y     N      Y     N         N        N
open311.discovery                Y    Y        Y          Y         Y     Y      Y     Y         Y        Y
open311.services                 Y    Y        Y          Y         Y     Y      Y     Y         Y        Y
open311.service                  Y    Y        Y          Y         Y     Y      Y     Y         Y        Y
open311.requests.create          N    Y        N          N         Y     Y      N     N         N        N
open311.requests.list            Y    Y        Y          Y         Y     Y      Y     Y         Y        Y
open311.requests.get             Y    Y        Y          Y         Y     Y      Y     Y         Y        Y
open311.tokens.get               Y    Y        Y          Y         Y     Y      Y     Y         Y        Y
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


# 统一社会信用代码 (GB 32100-2015, src/domain/credit_code.hpp): 0–9 and the 21 capitals without
# I, O, S, V, Z are worth 0–30; the 18th character is worth 31 − (Σ value_i × 3^(i−1) mod 31), with
# 31 written as 0.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(first17):
    """The code `first17` followed by its check character."""
    total = sum(CREDIT_ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(first17)) % 31
    return first17 + CREDIT_ALPHABET[(31 - total) % 31]


assert credit_code(CREDIT_CODE[:17]) == CREDIT_CODE


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
        self.codes = 0

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

    # --- the community (docs/community.md): buildings, residents, proposals, enterprises,
    # consultations.

    def building_body(self, community=OWN_COMMUNITY, who="admin"):
        self.serial += 1
        return {"community": community,
                "name": f"群芳园小区{self.serial}号楼2单元（访问控制测试 {SHORT.get(who, who)}）",
                "covenant": "一、爱护楼道公共设施；二、不在楼道堆放杂物；三、邻里互助。"}

    def building(self, community=OWN_COMMUNITY, who="admin"):
        r = self.must(Request("POST", "/api/v1/buildings", self.key(who),
                              json_body=self.building_body(community, who)),
                      (201,), f"create a building in {community} as {who}")
        return r.json()["id"]

    def resident(self, building_id, name, room, who="admin"):
        """Registers a resident as `who`: (resident id, key)."""
        r = self.must(Request("POST", f"/api/v1/buildings/{building_id}/residents", self.key(who),
                              json_body={"name": name, "room": room}),
                      (201,), f"register {name} ({room}) in building {building_id}")
        doc = r.json()
        return doc["resident"]["id"], doc["key"]

    def make_leader(self, building_id, resident_id):
        self.must(Request("POST", f"/api/v1/buildings/{building_id}", self.key("admin"),
                          json_body={"leader_id": resident_id}),
                  (200,), f"make resident {resident_id} the 楼门长 of building {building_id}")

    def proposal_body(self, who="resident"):
        self.serial += 1
        return {"title": f"楼道加装扶手（访问控制测试 {self.serial} {SHORT.get(who, who)}）",
                "text": "楼里老人多，建议在一至六层楼道加装扶手，费用从公共维修资金列支。"}

    def proposal(self, building_id=None, key=None):
        """A fresh open proposal of the fixture building (by its ordinary resident)."""
        building_id = building_id or self.building_id
        r = self.must(Request("POST", f"/api/v1/buildings/{building_id}/proposals",
                              key or self.key("resident"), json_body=self.proposal_body()),
                      (201,), f"propose in building {building_id}")
        return r.json()["id"]

    def credit_code(self):
        """A credit code not used before in this run: docs/community.md's example first."""
        self.codes += 1
        if self.codes == 1:
            return CREDIT_CODE
        n, body = self.codes, ""
        for _ in range(7):
            n, d = divmod(n, 31)
            body = CREDIT_ALPHABET[d] + body
        return credit_code("91110112MA" + body)

    def enterprise_body(self, who="admin", township=OWN_UNIT, manager_unit=OWN_UNIT):
        self.serial += 1
        return {"name": f"北京云帆科技有限公司（访问控制测试 {self.serial} {SHORT.get(who, who)}）",
                "credit_code": self.credit_code(), "township": township,
                "address": "梨园镇云景东路1号", "manager_name": "赵磊", "manager_unit": manager_unit}

    def enterprise(self, township=OWN_UNIT, manager_unit=OWN_UNIT):
        r = self.must(Request("POST", "/api/v1/enterprises", self.key("admin"),
                              json_body=self.enterprise_body("admin", township, manager_unit)),
                      (201,), f"register an enterprise of {township} managed by {manager_unit}")
        return r.json()["id"]

    def consultation_body(self, who="admin"):
        """Open now for 30 days; the drafting office is 梨园镇, so h-own is the office."""
        self.serial += 1
        return {"title": f"《北京市建筑绿色发展条例（草案）》公开征求意见（访问控制测试 {self.serial} "
                         f"{SHORT.get(who, who)}）",
                "summary": "为推动建筑绿色发展，现公开征求意见。",
                "office": OWN_UNIT, "closes": now_iso(timedelta(days=30)),
                "sections": [{"title": "第一章 总则", "text": "第一条 为了推动建筑绿色发展……"},
                             {"title": "第二章 规划与建设", "text": "第八条 新建建筑应当……"}]}

    def consultation(self):
        r = self.must(Request("POST", "/api/v1/consultations", self.key("admin"),
                              json_body=self.consultation_body()),
                      (201,), "open a consultation")
        return r.json()["id"]

    def opinion_body(self, who):
        return {"section": 1, "text": f"建议明确既有建筑绿色改造的资金支持渠道（{SHORT.get(who, who)}）",
                "name": "访问控制测试"}

    def community(self):
        """A building of 群芳园社区 (梨园镇) with two residents, the second its 楼门长, and an open
        proposal; another building of the same community with a resident and a proposal; an
        enterprise of 梨园镇 managed by 梨园镇; an open consultation drafted by 梨园镇. Adds the
        keys "resident" and "leader" (made by registering them, as the admin)."""
        self.building_id = self.building()
        self.resident_id, self.keys["resident"] = self.resident(self.building_id, "李建国", "501")
        self.leader_id, self.keys["leader"] = self.resident(self.building_id, "王芳", "302")
        self.make_leader(self.building_id, self.leader_id)
        self.proposal_id = self.proposal()
        self.other_building_id = self.building()
        self.other_resident_id, self.other_key = self.resident(self.other_building_id, "张敏", "201")
        self.other_proposal_id = self.proposal(self.other_building_id, self.other_key)
        self.enterprise_id = self.enterprise()
        self.consultation_id = self.consultation()


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


# The community routes. Writes that would change what other rows read go elsewhere: buildings.edit
# changes the covenant only (the 楼门长 stays), proposals.close closes a fresh proposal per caller
# (comments and votes need the fixture proposal open), every enterprise gets its own credit code.

def b_buildings_create(fx, caller, key, path):
    return Request("POST", path, key, json_body=fx.building_body(OWN_COMMUNITY, caller))


def b_buildings_edit(fx, caller, key, path):
    return Request("POST", path, key,
                   json_body={"covenant": f"一、爱护楼道公共设施；二、不在楼道堆放杂物（{SHORT[caller]} 修订）。"})


def b_residents_create(fx, caller, key, path):
    fx.serial += 1
    return Request("POST", path, key, json_body={"name": f"住户{fx.serial}",
                                                 "room": str(100 + fx.serial)})


def b_residents_key(fx, caller, key, path):
    """A fresh resident of the fixture building, so that no caller's answer changes another's."""
    fx.serial += 1
    rid, _ = fx.resident(fx.building_id, f"住户{fx.serial}", str(100 + fx.serial))
    return Request("POST", f"/api/v1/buildings/{fx.building_id}/residents/{rid}/key", key,
                   json_body={})


def b_residents_leave(fx, caller, key, path):
    fx.serial += 1
    rid, _ = fx.resident(fx.building_id, f"住户{fx.serial}", str(100 + fx.serial))
    return Request("POST", f"/api/v1/buildings/{fx.building_id}/residents/{rid}/leave", key,
                   json_body={})


def b_proposals_create(fx, caller, key, path):
    return Request("POST", path, key, json_body=fx.proposal_body(caller))


def b_proposals_comment(fx, caller, key, path):
    return Request("POST", path, key, json_body={"text": f"同意，扶手装在靠墙一侧（{SHORT[caller]}）"})


def b_proposals_vote(fx, caller, key, path):
    return Request("POST", path, key, json_body={"choice": "for"})


def b_proposals_close(fx, caller, key, path):
    pid = fx.proposal()
    return Request("POST", f"/api/v1/proposals/{pid}/close", key,
                   json_body={"outcome": "agreed", "agreement": "同意加装扶手，由物业报价后公示。"})


def b_enterprises_create(fx, caller, key, path):
    return Request("POST", path, key, json_body=fx.enterprise_body(caller))


def b_consultations_create(fx, caller, key, path):
    return Request("POST", path, key, json_body=fx.consultation_body(caller))


def b_opinions_create(fx, caller, key, path):
    return Request("POST", path, key, json_body=fx.opinion_body(caller))


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
    "buildings.create": b_buildings_create,
    "buildings.edit": b_buildings_edit,
    "buildings.residents.create": b_residents_create,
    "buildings.residents.key": b_residents_key,
    "buildings.residents.leave": b_residents_leave,
    "proposals.create": b_proposals_create,
    "proposals.comment": b_proposals_comment,
    "proposals.vote": b_proposals_vote,
    "proposals.close": b_proposals_close,
    "enterprises.create": b_enterprises_create,
    "consultations.create": b_consultations_create,
    "consultations.opinions.create": b_opinions_create,
}


def fill(path, fx):
    """The path with its template parameters filled from the fixtures."""
    def one(m):
        name = m.group(1)
        if name == "id":
            for prefix, fixture in (("/api/v1/inspections/", fx.round_id),
                                    ("/api/v1/buildings/", fx.building_id),
                                    ("/api/v1/proposals/", fx.proposal_id),
                                    ("/api/v1/enterprises/", fx.enterprise_id),
                                    ("/api/v1/consultations/", fx.consultation_id)):
                if path.startswith(prefix):
                    return str(fixture)
            return str(fx.case_id)
        if name == "hash":
            return fx.hash
        if name == "format":
            return "json"
        if name == "code":
            return CATEGORY
        if name == "token":
            return str(fx.case_id)
        if name == "rid":
            return str(fx.resident_id)
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
      "public": False, "resident": False}),
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
# The community routes beyond the matrix (docs/community.md): a resident's building is its only
# one, a handler's "within its unit" both ways, 企业诉求 through cases.create, and a proposal
# the 楼门长 closes into a case that the residents follow on the proposal, not in the case engine.

def run_community_checks(fx, results, rows):
    def doc_of(r):
        d = r.json()
        return d if isinstance(d, dict) else {}

    def check(label, req, ok_fn):
        resp = fx.c.send(req)
        ok, note = ok_fn(resp)
        results.record(label, req, resp, ok, note)
        rows.append((label, ok, resp.status))
        return resp

    def access(label, req, caller, allowed):
        resp = fx.c.send(req)
        ok, got, note = verdict(resp, allowed, caller)
        results.record(label, req, resp, ok, note)
        rows.append((f"{label}: {'allowed' if allowed else 'denied'}", ok, resp.status))
        return resp

    def get(path, caller, key=None, query=None):
        return Request("GET", path, key or fx.key(caller), query=query)

    def post(path, caller, body, key=None):
        return Request("POST", path, key or fx.key(caller), json_body=body)

    def ids(resp, field):
        return {x.get("id") for x in doc_of(resp).get(field) or [] if isinstance(x, dict)}

    b, ob, p, op = fx.building_id, fx.other_building_id, fx.proposal_id, fx.other_proposal_id

    # me: a resident's key names its resident and building.
    for caller, rid in (("resident", fx.resident_id), ("leader", fx.leader_id)):
        check(f"me as {caller}: role resident, resident {{id, building_id}}",
              get("/api/v1/me", caller),
              lambda r, rid=rid: (r.status == 200 and doc_of(r).get("role") == "resident"
                                  and (doc_of(r).get("resident") or {}).get("id") == rid
                                  and (doc_of(r).get("resident") or {}).get("building_id") == b,
                                  f"want 200 with resident {rid} of building {b}"))

    # A resident reads its own building only, even in the same community.
    check("buildings.list as resident lists its building only",
          get("/api/v1/buildings", "resident"),
          lambda r: (r.status == 200 and ids(r, "buildings") == {b},
                     f"want 200 listing building {b} and no other"))
    for caller in ("resident", "leader"):
        access(f"buildings.get of another building of the community as {caller}",
               get(f"/api/v1/buildings/{ob}", caller), caller, False)
        access(f"proposals.list of another building as {caller}",
               get(f"/api/v1/buildings/{ob}/proposals", caller), caller, False)
        access(f"proposals.get of another building's proposal as {caller}",
               get(f"/api/v1/proposals/{op}", caller), caller, False)
        access(f"proposals.create in another building as {caller}",
               post(f"/api/v1/buildings/{ob}/proposals", caller, fx.proposal_body(caller)),
               caller, False)
        access(f"proposals.comment on another building's proposal as {caller}",
               post(f"/api/v1/proposals/{op}/comments", caller, {"text": "我也同意这个提议"}),
               caller, False)
        access(f"proposals.vote on another building's proposal as {caller}",
               post(f"/api/v1/proposals/{op}/votes", caller, {"choice": "for"}), caller, False)
    access("proposals.close of another building's proposal as leader (楼门长 of its own only)",
           post(f"/api/v1/proposals/{op}/close", "leader",
                {"outcome": "agreed", "agreement": "同意加装扶手。"}), "leader", False)
    access("buildings.get of its building as the other building's resident",
           get(f"/api/v1/buildings/{b}", "other", key=fx.other_key), "other", False)

    # "Within its unit": a handler manages the buildings of its own unit, not another's.
    fb = check("buildings.create in 中仓社区 as h-foreign (its own unit): 201",
               post("/api/v1/buildings", "h-foreign",
                    fx.building_body(FOREIGN_COMMUNITY, "h-foreign")),
               lambda r: (r.status == 201, "want 201"))
    fb_id = doc_of(fb).get("id")
    if fb_id:
        check("buildings.residents.create in its building as h-foreign: 201",
              post(f"/api/v1/buildings/{fb_id}/residents", "h-foreign",
                   {"name": "刘洋", "room": "101"}),
              lambda r: (r.status == 201 and bool(doc_of(r).get("key")), "want 201 with a key"))
        access("buildings.get of 中仓社区's building as h-own", get(f"/api/v1/buildings/{fb_id}",
                                                              "h-own"), "h-own", False)
        access("buildings.residents.create in 中仓社区's building as h-own",
               post(f"/api/v1/buildings/{fb_id}/residents", "h-own", {"name": "陈静", "room": "102"}),
               "h-own", False)
    check("buildings.list as h-own lists 群芳园's buildings, not 中仓社区's",
          get("/api/v1/buildings", "h-own"),
          lambda r: (r.status == 200 and {b, ob} <= ids(r, "buildings")
                     and fb_id not in ids(r, "buildings"), "want 200 with both buildings of 梨园镇"))
    check("buildings.list as h-foreign leaves out 梨园镇's buildings",
          get("/api/v1/buildings", "h-foreign"),
          lambda r: (r.status == 200 and not ({b, ob} & ids(r, "buildings"))
                     and fb_id in ids(r, "buildings"), "want 200 without 梨园镇's buildings"))
    access("buildings.edit making a resident 楼门长 as h-foreign (another unit's building)",
           post(f"/api/v1/buildings/{b}", "h-foreign", {"leader_id": fx.resident_id}),
           "h-foreign", False)

    # Enterprises: "managed or located within its unit" — an enterprise of 中仓街道 whose 服务管家
    # is 梨园镇's is read by both handlers; the fixture enterprise (梨园镇, managed by 梨园镇) by
    # 梨园镇's only.
    e, e2 = fx.enterprise_id, fx.enterprise(township=FOREIGN_UNIT, manager_unit=OWN_UNIT)
    for caller in ("h-own", "h-foreign"):
        access(f"enterprises.get of 中仓街道's enterprise managed by 梨园镇 as {caller}",
               get(f"/api/v1/enterprises/{e2}", caller), caller, True)
    check("enterprises.list as h-foreign: the managed one of 中仓街道, not 梨园镇's",
          get("/api/v1/enterprises", "h-foreign"),
          lambda r: (r.status == 200 and e2 in ids(r, "enterprises")
                     and e not in ids(r, "enterprises"), f"want 200 with {e2} and without {e}"))
    check("enterprises.list as h-own lists both",
          get("/api/v1/enterprises", "h-own"),
          lambda r: (r.status == 200 and {e, e2} <= ids(r, "enterprises"), "want 200 with both"))
    check("enterprises.create with a wrong check character: 400 naming the right one",
          post("/api/v1/enterprises", "admin",
               {**fx.enterprise_body(), "credit_code": CREDIT_CODE[:17] + "X"}),
          lambda r: (r.status == 400 and CREDIT_CODE[17] in r.excerpt(1000),
                     f"want 400 naming check character {CREDIT_CODE[17]}"))
    check("enterprises.create with a code already registered: 409",
          post("/api/v1/enterprises", "admin",
               {**fx.enterprise_body(), "credit_code": CREDIT_CODE}),
          lambda r: (r.status == 409, "want 409"))

    # 企业诉求: POST /cases with enterprise_id, the hotline (operator, admin) only.
    def request_body(caller):
        return {"type": "求助", "text": fx.text(f"企业诉求（{SHORT[caller]}）办理施工许可需要哪些材料"),
                "enterprise_id": e}
    made = None
    for caller, allowed in (("operator", True), ("admin", True), ("supervisor", False),
                            ("inspector", False), ("public", False), ("h-own", False),
                            ("h-foreign", False), ("resident", False), ("leader", False)):
        resp = access(f"cases.create with enterprise_id (企业诉求) as {caller}",
                      post("/api/v1/cases", caller, request_body(caller)), caller, allowed)
        if caller == "operator":
            made = doc_of(resp)
    if made:
        check("the 企业诉求 goes to the manager's unit under 1205 and names its enterprise",
              get(f"/api/v1/cases/{made.get('id')}", "operator"),
              lambda r: (r.status == 200 and (doc_of(r).get("category") or {}).get("code") == "1205"
                         and (doc_of(r).get("unit") or {}).get("code") == OWN_UNIT
                         and doc_of(r).get("enterprise_id") == e,
                         "want category 1205, unit 梨园镇, enterprise_id"))
        check("enterprises.get as h-own carries the 企业诉求",
              get(f"/api/v1/enterprises/{e}", "h-own"),
              lambda r: (r.status == 200 and made.get("id") in ids(r, "cases"),
                         "want 200 with the case in cases"))

    # The 楼门长 closes an agreed item that needs a unit: a proactive case of 梨园镇, linked both
    # ways. The residents follow it on the proposal; the case itself stays out of their reach.
    pid = fx.proposal()
    closed = check("proposals.close agreed, needs_unit, as leader: 200 with a case",
                   post(f"/api/v1/proposals/{pid}/close", "leader",
                        {"outcome": "agreed", "agreement": "同意加装扶手，请镇里协调施工。",
                         "needs_unit": True}),
                   lambda r: (r.status == 200 and doc_of(r).get("status") == "agreed"
                              and isinstance(doc_of(r).get("case"), dict),
                              "want 200, status agreed, a case"))
    cid = (doc_of(closed).get("case") or {}).get("id")
    if cid:
        check("proposals.get of the closed proposal as resident shows its case",
              get(f"/api/v1/proposals/{pid}", "resident"),
              lambda r: (r.status == 200 and (doc_of(r).get("case") or {}).get("id") == cid,
                         f"want 200 with case {cid}"))
        for caller in ("resident", "leader"):
            access(f"cases.get of its proposal's case as {caller}",
                   get(f"/api/v1/cases/{cid}", caller), caller, False)
        check("cases.get of the proposal's case as h-own: proactive, of 梨园镇, proposal_id",
              get(f"/api/v1/cases/{cid}", "h-own"),
              lambda r: (r.status == 200 and doc_of(r).get("source") == "proactive"
                         and (doc_of(r).get("unit") or {}).get("code") == OWN_UNIT
                         and doc_of(r).get("proposal_id") == pid,
                         "want 200, source proactive, unit 梨园镇, proposal_id"))
    for route, what, body in (("comment", "comments", {"text": "已经结束了还能说吗"}),
                              ("vote", "votes", {"choice": "against"})):
        check(f"proposals.{route} on a closed proposal as resident: 409",
              post(f"/api/v1/proposals/{pid}/{what}", "resident", body),
              lambda r: (r.status == 409, "want 409"))


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
        fx.community()

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

        action_rows, scope_rows, community_rows = [], [], []
        run_action_checks(fx, results, action_rows)
        run_scope_checks(fx, results, scope_rows)
        run_community_checks(fx, results, community_rows)
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

    print("\ncommunity (docs/community.md):")
    for label, ok, status in community_rows:
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

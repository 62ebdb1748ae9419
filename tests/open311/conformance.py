#!/usr/bin/env python3
"""Open311 GeoReport v2 conformance test for jiesu.

Written from the specification (http://wiki.open311.org/GeoReport_v2 and
http://wiki.open311.org/Service_Discovery), not from the server's code. It starts
the real binary on a fresh database and acts as an Open311 client, calling every
method in both formats. README.md beside this file says which spec section each
check comes from and what the spec leaves open.

Usage: python3 tests/open311/conformance.py --jiesu PATH/TO/jiesu [--keep]
Exit status 0 when every check passes, 1 otherwise.
"""
import argparse
import html
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from jiesu_server import JiesuServer, ServerError  # noqa: E402

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
PREFIX = "/open311/v2"
FORMATS = ("json", "xml")
BEIJING = timezone(timedelta(hours=8))

# Field tables: name -> (kind, required). A kind is "str", "code" (a string in
# JSON), "id" (string or integer), "bool", "int", "num", "dt" (w3 datetime with a
# zone) or a tuple of the allowed values. Optional fields may be absent or null.
SERVICE = {"service_code": ("code", True), "service_name": ("str", True),
           "description": ("str", False), "metadata": ("bool", True),
           "type": (("realtime", "batch", "blackbox"), True),
           "keywords": ("str", False), "group": ("str", False)}
DEFINITION = {"service_code": ("code", True)}
ATTRIBUTE = {"variable": ("bool", True), "code": ("code", True),
             "datatype": (("string", "number", "datetime", "text",
                           "singlevaluelist", "multivaluelist"), True),
             "required": ("bool", True), "datatype_description": ("str", False),
             "order": ("int", True), "description": ("str", True)}
VALUE = {"key": ("id", True), "name": ("str", True)}
CREATED = {"service_request_id": ("id", False), "token": ("id", False),
           "service_notice": ("str", False), "account_id": ("id", False)}
TOKEN = {"service_request_id": ("id", False), "token": ("id", True)}
REQUEST = {"service_request_id": ("id", True), "status": (("open", "closed"), True),
           "status_notes": ("str", False), "service_name": ("str", True),
           "service_code": ("code", True), "description": ("str", False),
           "agency_responsible": ("str", False), "service_notice": ("str", False),
           "requested_datetime": ("dt", True), "updated_datetime": ("dt", True),
           "expected_datetime": ("dt", False), "address": ("str", False),
           "address_id": ("id", False), "zipcode": ("id", False),
           "lat": ("num", False), "long": ("num", False), "media_url": ("str", False)}
DISCOVERY = {"changeset": ("str", True), "contact": ("str", True), "key_service": ("str", True)}
ENDPOINT = {"specification": ("str", True), "url": ("str", True), "changeset": ("str", True),
            "type": (("production", "test"), True)}
ERROR = {"code": ("id", True), "description": ("str", True)}

# XML containers whose children form an array (the spec's "⇊"), and the item name.
ITEM = {"services": "service", "service_requests": "request", "errors": "error",
        "attributes": "attribute", "values": "value", "endpoints": "endpoint",
        "formats": "format"}
DT_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$")


class Abort(Exception):
    """A prerequisite failed; the checks that depend on it cannot run."""


class Report:
    def __init__(self):
        self.passed, self.failed, self.extra = 0, [], {}

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS  {name}", flush=True)
        else:
            self.failed.append(name)
            print(f"FAIL  {name}" + (f"\n      {detail}" if detail else ""), flush=True)
        return ok

    def note(self, name, detail):
        print(f"NOTE  {name}: {detail}", flush=True)


REPORT = Report()
check, note = REPORT.check, REPORT.note


def empty(v):
    return v is None or v == "" or v == []


def parse_dt(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def kind_ok(kind, v, fmt):
    if isinstance(kind, tuple):
        return v in kind
    if fmt == "xml":  # every XML value is text
        if not isinstance(v, str):
            return False  # an element where text was expected (e.g. unescaped markup)
        if kind == "bool":
            return v in ("true", "false")
        if kind == "int":
            return re.fullmatch(r"-?\d+", v) is not None
        if kind == "num":
            return re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", v) is not None
        return kind != "dt" or DT_RE.match(v) is not None
    number = isinstance(v, (int, float)) and not isinstance(v, bool)
    return {"bool": isinstance(v, bool), "int": isinstance(v, int) and not isinstance(v, bool),
            "num": number, "id": isinstance(v, str) or (number and isinstance(v, int)),
            "dt": isinstance(v, str) and DT_RE.match(v) is not None}.get(kind, isinstance(v, str))


def validate(obj, table, fmt, where, containers=()):
    """Problems of one object (JSON, or XML mapped by the Spark convention)."""
    if not isinstance(obj, dict):
        return [f"{where} is {type(obj).__name__}, expected an object"]
    problems = []
    for name, (kind, required) in table.items():
        v = obj.get(name)
        if empty(v):
            if required:
                problems.append(f"{where}.{name} missing or empty")
        elif not kind_ok(kind, v, fmt):
            problems.append(f"{where}.{name} = {v!r}: not {kind if isinstance(kind, str) else '|'.join(kind)}")
    extra = set(obj) - set(table) - set(containers)
    REPORT.extra.setdefault(re.sub(r"\[\d+\]", "", where).split(".")[-1], set()).update(extra)
    return problems


def spark(el):
    """XML element -> JSON-shaped value (Spark convention): containers -> arrays."""
    if el.tag in ITEM:
        return [spark(ch) for ch in el]
    if len(el) == 0:
        return el.text or ""
    return {ch.tag: spark(ch) for ch in el}


def diff(j, x, path, out):
    """Differences between a JSON value and the same data read from XML."""
    if empty(j) and empty(x):
        return out
    if isinstance(j, list) and isinstance(x, list):
        if len(j) != len(x):
            out.append(f"{path}: {len(j)} items in JSON, {len(x)} in XML")
        for i, (a, b) in enumerate(zip(j, x)):
            diff(a, b, f"{path}[{i}]", out)
    elif isinstance(j, dict) and isinstance(x, dict):
        for k in sorted(set(j) | set(x)):
            diff(j.get(k), x.get(k), f"{path}.{k}", out)
    elif isinstance(j, bool):
        if x != ("true" if j else "false"):
            out.append(f"{path}: JSON {j!r}, XML {x!r}")
    elif isinstance(j, (int, float)) and isinstance(x, str):
        try:
            if abs(float(x) - j) > 1e-9:
                out.append(f"{path}: JSON {j!r}, XML {x!r}")
        except ValueError:
            out.append(f"{path}: JSON {j!r}, XML {x!r}")
    elif not (isinstance(x, str) and str(j) == x):
        out.append(f"{path}: JSON {j!r}, XML {x!r}")
    return out


def same_in_both(name, docs):
    if docs.get("json") is not None and docs.get("xml") is not None:
        d = diff(docs["json"], docs["xml"], "", [])
        check(f"{name}: same data in JSON and XML", not d, "; ".join(d[:6]))


# ---------------------------------------------------------------- HTTP client
class Client:
    def __init__(self, root):
        self.root = root.rstrip("/")
        self.bodies = []  # (label, raw) of every response, for the privacy check

    def call(self, method, path, query=None, form=None):
        url = self.root + PREFIX + "/" + path
        if query is not None:
            url += "?" + urllib.parse.urlencode(query)
        data, headers = None, {}
        if form is not None:
            data = urllib.parse.urlencode(form).encode("utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, ctype, raw = r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as e:
            status, ctype, raw = e.code, e.headers.get("Content-Type", ""), e.read()
        self.bodies.append((f"{method} {PREFIX}/{path}", raw))
        return status, ctype, raw

    def fetch(self, method, path, fmt, want, name, root, query=None, form=None):
        """One call checked for status, Content-Type, UTF-8, XML declaration,
        well-formedness and element names. Returns (ok, JSON-shaped body or None)."""
        status, ctype, raw = self.call(method, path, query, form)
        problems, doc = [], None
        if status not in want:
            problems.append(f"HTTP {status}, expected {'/'.join(map(str, want))}")
        mime, _, params = ctype.partition(";")
        charset = re.search(r"charset=\"?([\w-]+)", params, re.I)
        allowed = ("application/json",) if fmt == "json" else ("text/xml", "application/xml")
        if mime.strip().lower() not in allowed or (charset and charset.group(1).lower() not in ("utf-8", "utf8")):
            problems.append(f"Content-Type {ctype!r}, expected {' or '.join(allowed)}; charset=utf-8")
        try:
            text = raw.decode("utf-8")
            if fmt == "json":
                doc = json.loads(text)
            else:
                if not re.match(r"\ufeff?<\?xml[^>]*encoding\s*=\s*[\"']utf-8[\"']", text, re.I):
                    problems.append("no XML declaration with encoding=\"UTF-8\" before the root")
                el = ET.fromstring(raw)
                if el.tag != root:
                    problems.append(f"root <{el.tag}>, expected <{root}>")
                for parent in el.iter():
                    for ch in parent:
                        if parent.tag in ITEM and ch.tag != ITEM[parent.tag]:
                            problems.append(f"<{ch.tag}> inside <{parent.tag}>, expected <{ITEM[parent.tag]}>")
                doc = spark(el)
            if not isinstance(doc, list if root in ITEM else dict):
                problems.append(f"top level is {type(doc).__name__}, expected "
                                f"{'an array' if root in ITEM else 'an object'}")
        except (UnicodeDecodeError, ValueError, ET.ParseError) as e:
            problems.append(f"not well-formed {fmt.upper()} ({e})")
        if problems:
            problems.append(f"body: {raw[:300].decode('utf-8', 'replace')!r}")
        what = f"HTTP {'/'.join(map(str, want))}, {fmt}" + (f" <{root}>" if fmt == "xml" else "")
        return check(f"{name}: {what}", not problems, "; ".join(problems)), doc


# ---------------------------------------------------------------- endpoints
def test_discovery(c):
    docs = {}
    for fmt in FORMATS:
        name = f"GET discovery.{fmt}"
        ok, doc = c.fetch("GET", f"discovery.{fmt}", fmt, (200,), name, "discovery")
        if not ok:
            continue
        problems = validate(doc, DISCOVERY, fmt, "discovery", ("endpoints",))
        eps = doc.get("endpoints")
        if not isinstance(eps, list) or not eps:
            problems.append("endpoints is not a non-empty array")
            eps = []
        for i, ep in enumerate(eps):
            problems += validate(ep, ENDPOINT, fmt, f"endpoints[{i}]", ("formats",))
            formats = ep.get("formats") if isinstance(ep, dict) else None
            if not (isinstance(formats, list) and formats and all(isinstance(f, str) for f in formats)):
                problems.append(f"endpoints[{i}].formats is not a non-empty array of MIME types")
        v2 = [ep for ep in eps if isinstance(ep, dict) and ep.get("specification") == SPEC_URL]
        if not v2:
            problems.append(f"no endpoint with specification {SPEC_URL}")
        elif not any({"text/xml", "application/json"} <= set(ep.get("formats") or []) for ep in v2):
            problems.append("the GeoReport_v2 endpoint does not list both text/xml and application/json")
        check(f"{name}: fields (changeset, contact, key_service, endpoints)", not problems, "; ".join(problems))
        docs[fmt] = doc
    same_in_both("discovery", docs)


def test_services(c):
    docs = {}
    for fmt in FORMATS:
        name = f"GET services.{fmt}"
        ok, doc = c.fetch("GET", f"services.{fmt}", fmt, (200,), name, "services")
        if not ok:
            continue
        problems = [] if doc else ["no services"]
        for i, s in enumerate(doc):
            problems += validate(s, SERVICE, fmt, f"service[{i}]")
        codes = [s.get("service_code") for s in doc if isinstance(s, dict)]
        if len(set(codes)) != len(codes):
            problems.append("service_code values are not unique")
        check(f"{name}: service fields and types", not problems, "; ".join(problems[:8]))
        docs[fmt] = doc
    same_in_both("services", docs)
    services = [s for s in docs.get("json") or [] if not validate(s, SERVICE, "json", "service")]
    if not services:
        raise Abort("no valid service in GET services.json; cannot post requests")
    return services


def test_service_definition(c, code):
    docs = {}
    for fmt in FORMATS:
        name = f"GET services/{code}.{fmt}"
        path = f"services/{urllib.parse.quote(code, safe='')}.{fmt}"
        ok, doc = c.fetch("GET", path, fmt, (200,), name, "service_definition")
        if not ok:
            continue
        problems = validate(doc, DEFINITION, fmt, "service_definition", ("attributes",))
        if doc.get("service_code") != code:
            problems.append(f"service_code {doc.get('service_code')!r}, expected {code!r}")
        attrs = doc.get("attributes")
        if not isinstance(attrs, list) or not attrs:
            problems.append("metadata is true but attributes is not a non-empty array")
            attrs = []
        orders = []
        for i, a in enumerate(attrs):
            problems += validate(a, ATTRIBUTE, fmt, f"attribute[{i}]", ("values",))
            if not isinstance(a, dict):
                continue
            orders.append(str(a.get("order")))
            values = a.get("values") or []
            if a.get("datatype") in ("singlevaluelist", "multivaluelist") and not values:
                problems.append(f"attribute[{i}] is a {a['datatype']} without values")
            for k, v in enumerate(values if isinstance(values, list) else [values]):
                problems += validate(v, VALUE, fmt, f"attribute[{i}].value[{k}]")
        if len(set(orders)) != len(orders) or any(o.startswith(("-", "0")) for o in orders):
            problems.append(f"order values {orders} are not distinct positive integers")
        check(f"{name}: service_definition/attributes/attribute/values/value fields", not problems,
              "; ".join(problems[:8]))
        docs[fmt] = doc
    same_in_both(f"services/{code}", docs)
    return docs.get("json")


def attribute_form(definition):
    """attribute[code]=value pairs for every variable attribute, per its datatype."""
    form = []
    for a in sorted((definition or {}).get("attributes") or [], key=lambda a: a.get("order", 0)):
        if not a.get("variable"):
            continue
        code, dt = a.get("code"), a.get("datatype")
        if empty(code):
            continue
        keys = [str(v["key"]) for v in a.get("values") or []]
        if dt == "multivaluelist":
            form += [(f"attribute[{code}][]", k) for k in keys[:2]]
        elif dt == "singlevaluelist":
            form += [(f"attribute[{code}]", k) for k in keys[:1]]
        else:
            value = {"number": "3", "text": "第一行\n第二行",
                     "datetime": datetime.now(BEIJING).replace(microsecond=0).isoformat()}
            form.append((f"attribute[{code}]", value.get(dt, "测试")))
    return form


def post_request(c, fmt, service, form):
    name = f"POST requests.{fmt} ({service['service_code']}, type {service['type']})"
    ok, doc = c.fetch("POST", f"requests.{fmt}", fmt, (200, 201), name, "service_requests", form=form)
    if not ok:
        return None
    problems = [] if len(doc) == 1 else [f"{len(doc)} request elements, expected 1"]
    item = doc[0] if doc and isinstance(doc[0], dict) else {}
    problems += validate(item, CREATED, fmt, "created")
    rid, token = item.get("service_request_id"), item.get("token")
    if not empty(rid) and not empty(token):
        problems.append("both service_request_id and token returned")
    if service["type"] == "realtime" and empty(rid):
        problems.append("type realtime but no service_request_id returned")
    if service["type"] == "batch" and empty(token):
        problems.append("type batch but no token returned")
    check(f"{name}: service_request_id xor token", not problems, "; ".join(problems))
    if not empty(rid):
        return str(rid)
    if not empty(token):
        return resolve_token(c, str(token))
    note(name, "no service_request_id nor token (blackbox): the request cannot be followed")
    return None


def resolve_token(c, token):
    docs, rid = {}, None
    deadline = time.monotonic() + 15
    for fmt in FORMATS:
        name = f"GET tokens/{token}.{fmt}"
        while True:
            ok, doc = c.fetch("GET", f"tokens/{urllib.parse.quote(token, safe='')}.{fmt}", fmt,
                              (200,), name, "service_requests")
            if (not ok or (doc and isinstance(doc[0], dict) and not empty(doc[0].get("service_request_id")))
                    or time.monotonic() > deadline):
                break
            time.sleep(1)
        if not ok:
            continue
        problems = [] if len(doc) == 1 else [f"{len(doc)} request elements, expected 1"]
        item = doc[0] if doc and isinstance(doc[0], dict) else {}
        problems += validate(item, TOKEN, fmt, "token")
        if str(item.get("token")) != token:
            problems.append(f"token {item.get('token')!r}, expected {token!r}")
        if empty(item.get("service_request_id")):
            problems.append("no service_request_id within 15 s")
        else:
            rid = str(item["service_request_id"])
        check(f"{name}: service_request_id and token", not problems, "; ".join(problems))
        docs[fmt] = doc
    same_in_both(f"tokens/{token}", docs)
    return rid


def request_problems(item, fmt, where):
    problems = validate(item, REQUEST, fmt, where)
    for f in ("requested_datetime", "updated_datetime", "expected_datetime"):
        if isinstance(item, dict) and isinstance(item.get(f), str) and DT_RE.match(item[f]):
            try:
                parse_dt(item[f])
            except ValueError:
                problems.append(f"{where}.{f} = {item[f]!r}: not a valid date")
    return problems


def test_get_request(c, rid, expect, services):
    """GET requests/{id} in both formats; expect holds what was posted."""
    docs, names = {}, {s["service_code"]: s["service_name"] for s in services}
    for fmt in FORMATS:
        name = f"GET requests/{rid}.{fmt}"
        path = f"requests/{urllib.parse.quote(rid, safe='')}.{fmt}"
        ok, doc = c.fetch("GET", path, fmt, (200,), name, "service_requests")
        if not ok:
            continue
        docs[fmt] = doc
        problems = [] if len(doc) == 1 else [f"{len(doc)} request elements, expected 1"]
        item = doc[0] if doc and isinstance(doc[0], dict) else {}
        problems += request_problems(item, fmt, "request")
        check(f"{name}: request fields and types", not problems, "; ".join(problems))
        check(f"{name}: description round-trips exactly (XML escaping, Chinese, line break)",
              item.get("description") == expect["description"],
              f"posted {expect['description']!r}, got {item.get('description')!r}")
        if problems:
            continue
        if str(item["service_request_id"]) != rid:
            problems.append(f"service_request_id {item['service_request_id']!r}, expected {rid!r}")
        if item["service_code"] != expect["service_code"]:
            problems.append(f"service_code {item['service_code']!r}, expected {expect['service_code']!r}")
        if item["service_name"] != names.get(expect["service_code"]):
            problems.append(f"service_name {item['service_name']!r} is not the services list's "
                            f"{names.get(expect['service_code'])!r}")
        if item["status"] != "open":
            problems.append(f"status {item['status']!r} for a request just reported, expected open")
        requested, updated = parse_dt(item["requested_datetime"]), parse_dt(item["updated_datetime"])
        if abs(requested - datetime.now(timezone.utc)) > timedelta(minutes=10):
            problems.append(f"requested_datetime {item['requested_datetime']} is not within 10 min of now "
                            f"({datetime.now(BEIJING).isoformat(timespec='seconds')})")
        if updated < requested:
            problems.append("updated_datetime is before requested_datetime")
        if "lat" in expect:
            for f in ("lat", "long"):
                if empty(item.get(f)) or abs(float(item[f]) - float(expect[f])) > 1e-3:
                    problems.append(f"{f} {item.get(f)!r}, posted {expect[f]}")
        check(f"{name}: posted values (id, service, status open, time, location)", not problems,
              "; ".join(problems))
        if "address_string" in expect and item.get("address") != expect["address_string"]:
            note(name, f"address {item.get('address')!r} differs from the posted address_string")
        if "media_url" in expect and item.get("media_url") != expect["media_url"]:
            note(name, f"media_url {item.get('media_url')!r} differs from the posted one")
    same_in_both(f"requests/{rid}", docs)


def query_requests(c, params, label, predicate):
    """GET requests in both formats with params; predicate(items) -> list of problems."""
    docs = {}
    for fmt in FORMATS:
        name = f"GET requests.{fmt} {label}"
        ok, doc = c.fetch("GET", f"requests.{fmt}", fmt, (200,), name, "service_requests", query=params)
        if not ok:
            continue
        problems = []
        for i, item in enumerate(doc):
            problems += request_problems(item, fmt, f"request[{i}]")
        if len(doc) > 1000:
            problems.append(f"{len(doc)} requests, the spec's default limit is 1000")
        if not problems:
            problems = predicate(doc)
        check(f"{name}: results", not problems, "; ".join(problems[:6]))
        docs[fmt] = doc
    same_in_both(f"GET requests {label}", docs)


def test_get_requests(c, r1, r2):
    """r1, r2: (id, service_code). Both are open and were requested in the last minutes."""
    ids = lambda doc: [str(i["service_request_id"]) for i in doc]
    ours = [r1[0], r2[0]]

    def has(wanted, absent=()):
        return lambda doc: ([f"{r} missing" for r in wanted if r not in ids(doc)]
                            + [f"{r} returned, should not be" for r in absent if r in ids(doc)])

    def all_(field, allowed):
        return lambda doc: [f"request {i['service_request_id']} has {field} {i[field]!r}"
                            for i in doc if i[field] not in allowed]

    def both(*preds):
        return lambda doc: [p for pred in preds for p in pred(doc)]

    def exactly(doc):
        return [] if sorted(ids(doc)) == sorted(ours) else [f"got ids {ids(doc)}, expected {ours}"]

    now = datetime.now(BEIJING).replace(microsecond=0)
    start, end = now - timedelta(days=1), now + timedelta(days=1)

    def in_range(lo, hi):
        return lambda doc: [f"request {i['service_request_id']} requested {i['requested_datetime']}"
                            for i in doc if not lo <= parse_dt(i["requested_datetime"]) <= hi]

    id_list = ",".join(ours)
    query_requests(c, {"service_request_id": id_list}, "service_request_id=a,b", exactly)
    query_requests(c, {"service_request_id": id_list, "status": "closed", "service_code": "no-such-code"},
                   "service_request_id=a,b overrides status/service_code", exactly)
    query_requests(c, {"service_code": r1[1]}, f"service_code={r1[1]}",
                   both(has([r1[0]], [r2[0]] if r2[1] != r1[1] else []), all_("service_code", [r1[1]])))
    if r2[1] != r1[1]:
        query_requests(c, {"service_code": f"{r1[1]},{r2[1]}"}, "service_code=a,b",
                       both(has(ours), all_("service_code", [r1[1], r2[1]])))
    query_requests(c, {"start_date": start.isoformat(), "end_date": end.astimezone(timezone.utc)
                       .strftime("%Y-%m-%dT%H:%M:%SZ")}, "start_date/end_date around now",
                   both(has(ours), in_range(start, end)))
    old_lo, old_hi = datetime(2020, 1, 1, tzinfo=timezone.utc), datetime(2020, 2, 1, tzinfo=timezone.utc)
    query_requests(c, {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"},
                   "start_date/end_date in 2020", both(has([], ours), in_range(old_lo, old_hi)))
    query_requests(c, {"status": "open"}, "status=open", both(has(ours), all_("status", ["open"])))
    query_requests(c, {"status": "closed"}, "status=closed", both(has([], ours), all_("status", ["closed"])))
    query_requests(c, {"status": "open,closed"}, "status=open,closed", has(ours))
    query_requests(c, None, "(no arguments: last 90 days)",
                   both(has(ours), in_range(now - timedelta(days=90, minutes=5), now + timedelta(minutes=5))))
    # "Optional" means an empty parameter is the same as no parameter.
    plain = c.call("GET", "requests.json")[2]
    blank = c.call("GET", "requests.json", {"service_code": "", "status": "", "start_date": "",
                                            "end_date": "", "service_request_id": ""})
    check("GET requests.json with empty optional arguments: same answer as without them",
          blank[0] == 200 and blank[2] == plain, f"HTTP {blank[0]}, body {blank[2][:200]!r}")


def expect_error(c, method, path, fmt, status, name, query=None, form=None):
    ok, doc = c.fetch(method, path, fmt, status, name, "errors", query=query, form=form)
    if doc is None:
        return
    problems = [] if isinstance(doc, list) and doc else ["not a non-empty array of errors"]
    for i, e in enumerate(doc if isinstance(doc, list) else []):
        problems += validate(e, ERROR, fmt, f"error[{i}]")
    check(f"{name}: error form errors/error/code+description", not problems, "; ".join(problems))


def test_errors(c, key, service, definition, base_form):
    code = service["service_code"]
    without = lambda *names: [(k, v) for k, v in base_form if not k.startswith(names)]
    span_end = datetime.now(timezone.utc).replace(microsecond=0)
    long_range = {"start_date": (span_end - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "end_date": span_end.strftime("%Y-%m-%dT%H:%M:%SZ")}
    required = [a for a in (definition or {}).get("attributes") or []
                if a.get("variable") and a.get("required")]
    for fmt in FORMATS:
        post = lambda form, status, what: expect_error(c, "POST", f"requests.{fmt}", fmt, status,
                                                       f"POST requests.{fmt} {what}", form=form)
        post(without("api_key"), (403,), "without api_key")
        post(without("api_key") + [("api_key", "jz_not_a_key_0000")], (403,), "with an invalid api_key")
        post(without("service_code") + [("service_code", "no-such-service")], (404,),
             "with an unknown service_code")
        post(without("service_code"), (400,), "without service_code")
        post(without("lat", "long", "address_string", "address_id"), (400,), "without any location")
        if required:
            post(without("attribute["), (400,), f"without the required attribute {required[0]['code']}")
        expect_error(c, "GET", f"services/no-such-service.{fmt}", fmt, (404,),
                     f"GET services/no-such-service.{fmt}")
        expect_error(c, "GET", f"requests/999999999.{fmt}", fmt, (404,), f"GET requests/999999999.{fmt}")
        expect_error(c, "GET", f"tokens/no-such-token.{fmt}", fmt, (404,), f"GET tokens/no-such-token.{fmt}")
        expect_error(c, "GET", f"requests.{fmt}", fmt, (400,), f"GET requests.{fmt} over 120 days",
                     query=long_range)
    if not required:
        note("POST without a required attribute", f"service {code} has no required attribute; not tested")
    for path in ("services.yaml", "discovery.html"):
        status = c.call("GET", path)[0]
        check(f"GET {path} (unknown format): HTTP 400 or 404", status in (400, 404), f"HTTP {status}")


def test_privacy(c, secrets):
    """jiesu-specific, not from the spec: contact details never leave the server."""
    leaks = []
    for label, raw in c.bodies:
        text = raw.decode("utf-8", "replace")
        views = [text, html.unescape(text)]
        try:
            views.append(json.dumps(json.loads(text), ensure_ascii=False))
        except ValueError:
            pass
        for what, value in secrets.items():
            if any(value in v for v in views):
                leaks.append(f"{what} {value!r} in {label}")
    check(f"privacy (jiesu): phone, email and last_name in none of {len(c.bodies)} response bodies",
          not leaks, "; ".join(sorted(set(leaks))[:8]))


# ---------------------------------------------------------------- session
def run_session(c, key):
    test_discovery(c)
    services = test_services(c)
    usable = [s for s in services if s["type"] != "blackbox"] or services
    with_meta = [s for s in usable if s["metadata"]]
    if not check("services: at least one service with metadata=true", bool(with_meta)):
        with_meta = usable
    s1 = with_meta[0]
    others = [s for s in usable if s["service_code"] != s1["service_code"]]
    s2 = next((s for s in others if not s["metadata"]), others[0] if others else s1)
    d1 = test_service_definition(c, s1["service_code"]) if s1["metadata"] else None
    d2 = (d1 if s2 is s1 else test_service_definition(c, s2["service_code"])) if s2["metadata"] else None

    tag = "".join(random.choices("0123456789", k=8))
    secrets = {"phone": "139" + tag, "email": f"privacy.{tag}@example.cn", "last_name": "司徒"}
    contact = [("first_name", "谨言"), ("last_name", secrets["last_name"]),
               ("phone", secrets["phone"]), ("email", secrets["email"])]
    e1 = {"service_code": s1["service_code"], "lat": "39.9012", "long": "116.6634",
          "media_url": "https://example.org/open311/photo-1.jpg",
          "description": "通州区中仓街道路灯不亮 <b>&\"'</b>\n晚上十点以后整条路都是黑的。"}
    e2 = {"service_code": s2["service_code"], "address_string": "北京市通州区中仓街道新华南路1号",
          "description": "新华南路1号门口 <b>&\"'</b> 垃圾桶满溢，&amp; 无人清运"}
    f1 = [("api_key", key)] + list(e1.items()) + contact + attribute_form(d1)
    f2 = [("api_key", key)] + list(e2.items()) + contact + attribute_form(d2)
    r1, r2 = post_request(c, "json", s1, f1), post_request(c, "xml", s2, f2)
    if not (r1 and r2):
        test_errors(c, key, s1, d1, f1)
        test_privacy(c, secrets)
        raise Abort("POST requests did not give two service_request_ids; request queries not run")
    test_get_request(c, r1, e1, services)
    test_get_request(c, r2, e2, services)
    test_get_requests(c, (r1, s1["service_code"]), (r2, s2["service_code"]))
    test_errors(c, key, s1, d1, f1)
    test_privacy(c, secrets)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jiesu", required=True, help="path to the jiesu binary")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (database, log)")
    args = ap.parse_args()
    jiesu = os.path.abspath(args.jiesu)
    tmp = tempfile.mkdtemp(prefix="open311-conformance-")
    server = JiesuServer(jiesu, tmp)
    try:
        key = server.create_key("public", name="conformance")
        root = server.start()
        print(f"server at {root}, temp dir {tmp}", flush=True)
        run_session(Client(root), key)
    except (Abort, ServerError) as e:
        check("prerequisite", False, str(e))
    except Exception:
        check("session ran to the end", False, traceback.format_exc())
    finally:
        server.stop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for where, extra in sorted(REPORT.extra.items()):
        if extra:
            note(f"{where} fields outside the spec", ", ".join(sorted(extra)))
    print(f"\n{REPORT.passed} passed, {len(REPORT.failed)} failed")
    return 1 if REPORT.failed else 0


if __name__ == "__main__":
    sys.exit(main())

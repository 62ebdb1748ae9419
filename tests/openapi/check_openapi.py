#!/usr/bin/env python3
"""Checks docs/openapi.yaml against jiesu's route table.

    python3 tests/openapi/check_openapi.py --jiesu build/jiesu --spec docs/openapi.yaml
    python3 tests/openapi/check_openapi.py --routes-file routes.txt --spec docs/openapi.yaml

The route table comes from `jiesu routes` (or a file in the same format): one route per line,
`METHOD PATH NAME`, PATH in OpenAPI template form (`/api/v1/cases/{id}`); blank lines and lines
starting with `#` are skipped, further columns are ignored.

Checks: the spec parses and says `openapi: 3.x`; every route of the table (except those under
/open311/, which follow the Open311 spec) is in `paths` with its method; every operation in the
spec is a route of the table (no stale entries); each operation's operationId is the route's NAME
and it has responses; every `$ref` resolves inside the document; every path template parameter
is declared as a required `in: path` parameter, and no undeclared one is. Exit status 0 with a
one-line summary, 1 listing every problem, 2 on bad usage or when the table cannot be read.

Needs Python 3 and PyYAML only.
"""

import argparse
import re
import subprocess
import sys

import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
EXCLUDED_PREFIXES = ("/open311/",)
PARAM_RE = re.compile(r"\{([^{}/]+)\}")


class UsageError(Exception):
    pass


def parse_routes(text, origin):
    """[(method, path, name, line_no)] from `METHOD PATH NAME` lines."""
    routes = []
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        if len(fields) < 3:
            raise UsageError(f"{origin}:{no}: expected 'METHOD PATH NAME', got {raw!r}")
        method, path, name = fields[0].upper(), fields[1], fields[2]
        if method.lower() not in METHODS:
            raise UsageError(f"{origin}:{no}: unknown method {fields[0]!r}")
        if not path.startswith("/"):
            raise UsageError(f"{origin}:{no}: path {path!r} does not start with '/'")
        if any(ch in path for ch in "()\\^$*+?[]|"):
            raise UsageError(
                f"{origin}:{no}: path {path!r} looks like a regex, not an OpenAPI template")
        routes.append((method, path, name, no))
    if not routes:
        raise UsageError(f"{origin}: no routes")
    return routes


def read_routes(args):
    if args.routes_file:
        try:
            with open(args.routes_file, encoding="utf-8") as f:
                return parse_routes(f.read(), args.routes_file)
        except OSError as e:
            raise UsageError(f"cannot read {args.routes_file}: {e}")
    cmd = [args.jiesu, "routes"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise UsageError(f"cannot run {' '.join(cmd)}: {e}")
    if proc.returncode != 0:
        raise UsageError(f"{' '.join(cmd)} exited with {proc.returncode}: "
                         f"{proc.stderr.strip() or proc.stdout.strip()}")
    return parse_routes(proc.stdout, "jiesu routes")


def shape(path):
    """The path with parameter names erased: /a/{id}/b/{hash} -> /a/{}/b/{}."""
    return PARAM_RE.sub("{}", path)


def resolve_pointer(doc, ref):
    """The node a local `#/...` reference names, or raises KeyError/IndexError/TypeError."""
    node = doc
    pointer = ref[1:]
    if pointer == "":
        return node
    if not pointer.startswith("/"):
        raise KeyError(ref)
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node[token]
        else:
            raise TypeError(ref)
    return node


def walk_refs(node, where, out):
    """Collects (location, ref) for every `$ref` in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                out.append((where, value))
            else:
                token = str(key).replace("~", "~0").replace("/", "~1")
                walk_refs(value, f"{where}/{token}", out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            walk_refs(value, f"{where}/{i}", out)


def deref(doc, node, depth=0):
    """Follows `$ref` chains (for parameters); returns None when one does not resolve."""
    while isinstance(node, dict) and "$ref" in node and depth < 20:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            return None
        try:
            node = resolve_pointer(doc, ref)
        except (KeyError, IndexError, TypeError, ValueError):
            return None
        depth += 1
    return node


def check(spec, routes):
    """Returns (problems, documented route count)."""
    problems = []

    version = spec.get("openapi")
    if not isinstance(version, str) or not re.fullmatch(r"3\.\d+(\.\d+)?", version):
        problems.append(f"'openapi' must be a 3.x version string, found {version!r}")
    if not isinstance(spec.get("info"), dict):
        problems.append("'info' is missing")
    paths = spec.get("paths")
    if not isinstance(paths, dict):
        problems.append("'paths' is missing or not a mapping")
        paths = {}

    # Every $ref resolves (local references only: the spec is one self-contained file).
    refs = []
    walk_refs(spec, "#", refs)
    for where, ref in refs:
        if not isinstance(ref, str) or not ref.startswith("#"):
            problems.append(f"{where}: $ref {ref!r} is not a local reference ('#/...')")
            continue
        try:
            resolve_pointer(spec, ref)
        except (KeyError, IndexError, TypeError, ValueError):
            problems.append(f"{where}: $ref {ref!r} does not resolve")

    # The spec's operations, keyed by (METHOD, path shape).
    spec_ops = {}
    for path, item in paths.items():
        if not isinstance(path, str) or not path.startswith("/"):
            problems.append(f"paths: key {path!r} does not start with '/'")
            continue
        if not isinstance(item, dict):
            problems.append(f"paths: {path} is not a mapping")
            continue
        item = deref(spec, item) or {}
        for method in METHODS:
            if method in item:
                key = (method.upper(), shape(path))
                if key in spec_ops:
                    problems.append(f"paths: {method.upper()} {path} is described twice "
                                    f"(also as {spec_ops[key][0]})")
                    continue
                spec_ops[key] = (path, item, item[method])

    # The table's routes, keyed the same way.
    table = {}
    for method, path, name, no in routes:
        key = (method, shape(path))
        if key in table:
            problems.append(f"route table line {no}: {method} {path} appears twice")
            continue
        table[key] = (path, name)

    missing = [(m, p, n) for (m, _), (p, n) in table.items()
               if (m, shape(p)) not in spec_ops and not p.startswith(EXCLUDED_PREFIXES)]
    for method, path, name in sorted(missing, key=lambda r: (r[1], r[0])):
        problems.append(f"missing from the spec: {method} {path} ({name})")

    stale = [(m, spec_ops[(m, s)][0]) for (m, s) in spec_ops if (m, s) not in table]
    for method, path in sorted(stale, key=lambda r: (r[1], r[0])):
        problems.append(f"not in the route table (stale?): {method} {path}")

    operation_ids = {}
    documented = 0
    for key, (path, item, op) in sorted(spec_ops.items(), key=lambda kv: (kv[1][0], kv[0][0])):
        method = key[0]
        label = f"{method} {path}"
        if not isinstance(op, dict):
            problems.append(f"{label}: the operation is not a mapping")
            continue
        route = table.get(key)
        if route is not None:
            route_path, name = route
            if route_path != path:
                problems.append(f"{label}: the route table names its parameters differently: "
                                f"{route_path}")
            if "operationId" in op and op.get("operationId") != name:
                problems.append(f"{label}: operationId is {op.get('operationId')!r}, "
                                f"the route's name is {name!r}")
            documented += 1
        op_id = op.get("operationId")
        if not isinstance(op_id, str) or not op_id:
            problems.append(f"{label}: no operationId" + (f" (the route's name is {route[1]!r})"
                                                          if route else ""))
        elif op_id in operation_ids:
            problems.append(f"{label}: operationId {op_id!r} also used by {operation_ids[op_id]}")
        else:
            operation_ids[op_id] = label

        responses = op.get("responses")
        if not isinstance(responses, dict) or not responses:
            problems.append(f"{label}: no responses")
        else:
            for code in responses:
                if not (isinstance(code, str) and re.fullmatch(r"[1-5](\d\d|XX)|default", code)):
                    problems.append(f"{label}: response key {code!r} is not a quoted status "
                                    "code or 'default'")

        # Path parameters: operation-level ones override path-level ones with the same name+in.
        declared = {}
        for level in (item.get("parameters") or [], op.get("parameters") or []):
            if not isinstance(level, list):
                problems.append(f"{label}: 'parameters' is not a list")
                continue
            for p in level:
                p = deref(spec, p)
                if not isinstance(p, dict):
                    continue  # an unresolved $ref is reported above
                if "name" not in p or "in" not in p:
                    problems.append(f"{label}: a parameter lacks 'name' or 'in'")
                    continue
                declared[(p["name"], p["in"])] = p
        in_template = PARAM_RE.findall(path)
        for pname in in_template:
            p = declared.get((pname, "path"))
            if p is None:
                problems.append(f"{label}: path parameter {{{pname}}} is not declared")
            elif p.get("required") is not True:
                problems.append(f"{label}: path parameter {{{pname}}} must be required: true")
        for (pname, where) in declared:
            if where == "path" and pname not in in_template:
                problems.append(f"{label}: declares path parameter {pname!r} "
                                "that is not in the path")

    return problems, documented


def main(argv):
    ap = argparse.ArgumentParser(
        description="Check the OpenAPI description against jiesu's route table.")
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--jiesu", help="the jiesu binary; its `routes` subcommand gives the table")
    source.add_argument("--routes-file",
                        help="the route table as a file of 'METHOD PATH NAME' lines")
    ap.add_argument("--spec", required=True, help="the OpenAPI file (docs/openapi.yaml)")
    args = ap.parse_args(argv)

    try:
        routes = read_routes(args)
    except UsageError as e:
        print(f"openapi: {e}", file=sys.stderr)
        return 2
    try:
        with open(args.spec, encoding="utf-8") as f:
            spec = yaml.safe_load(f)
    except OSError as e:
        print(f"openapi: cannot read {args.spec}: {e}", file=sys.stderr)
        return 1
    except yaml.YAMLError as e:
        print(f"openapi: {args.spec} is not valid YAML: {e}", file=sys.stderr)
        return 1
    if not isinstance(spec, dict):
        print(f"openapi: {args.spec} is not a mapping at the top", file=sys.stderr)
        return 1

    problems, documented = check(spec, routes)
    if problems:
        print(f"openapi: {len(problems)} problem(s) in {args.spec}:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    skipped = sum(1 for _, path, _, _ in routes if path.startswith(EXCLUDED_PREFIXES))
    tail = f" ({skipped} Open311 routes left to the Open311 spec)" if skipped else ""
    print(f"openapi: {documented} routes documented{tail}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

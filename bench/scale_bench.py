#!/usr/bin/env python3
"""jiesu's read paths at scale against plain SQL on the same database, in the same run (issue 7).

Runs against an EXISTING database filled beforehand (e.g. `jiesu demo --no-serve --months 36
--cases-per-month 30000`). The script starts `jiesu serve --db URL` on 127.0.0.1 (a free port,
rate limiting off, run from a copy of the binary), waits for /healthz, creates one supervisor
key with `jiesu keys create` (the only row it adds; the server itself also migrates the schema
and, at start, flags overdue cases as 督办 as it always does), measures, and stops the server with
SIGTERM. The baseline queries run on the same database while the server is up: SQLite through
Python's sqlite3 module (the file opened read-only, one connection, bound parameters as jiesu
binds them); PostgreSQL through one `psql` session per series with `\\timing on` (the server's
round trip as psql reports it: neither psql's start nor its connection is counted).

Measures (each: one untimed warm-up of jiesu and of the baseline first, then the series; jiesu's
series, then the baseline's):

  assessment  GET /api/v1/assessments?month=M&level=township (M: --month, default last month),
              wall time of the whole HTTP exchange on a keep-alive connection, median of
              --repeat. Baseline: ONE SQL statement computing what the assessment counts per
              township-level unit (communities and grids rolled up through `units.parent` by a
              recursive CTE, departments excluded): over the cases dispatched in M (dispatched_at
              in the month; due and response_due set; not merged; not inspection findings) the
              number dispatched, accepted on time (doc accepted_at <= response_due), still open
              past due, replied late; over the month's callback events (case_events.kind
              'callback', `at` in M, by the event's unit) the valid ones (reachable) and how many
              were contacted, resolved, 满意, 基本满意, 不满意; the month's reopened events of
              non-inspection cases. Same rows as jiesu reads, grouped in SQL. Goal ≤ 100 ms.
              Check: the baseline's dispatched, overdue, valid-callback and 满意 counts must equal
              jiesu's for every township (units with no valid callback: jiesu lists them without
              figures; the baseline must count 0 valid callbacks for them), else exit 1.
  trend       the 60 monthly assessments before the current month, requested one after another;
              the sum of their times, median of --repeat. Baseline: the same statement over the
              60 months at once, grouped by month (Beijing time) and unit. Goal ≤ 1 s. Checked as
              above for every month and unit.
  queue       a handler's queue: GET /api/v1/cases?unit=U&status=S&limit=L with U one of the
              --units township codes with the most open cases, S dispatched and accepted in turn
              (the list takes one status; the 待办 screen asks dispatched, accepted and objected
              apart), L --queue-limit (default 500, the 待办 screen's page), with the supervisor key
              (a handler key of U gets the same query); p50/p95 over --requests. Baseline: the
              query jiesu issues for it (case documents of U's subtree in status S, newest first,
              L + 1 rows), fetched in full. Goal p95 ≤ 50 ms.
  search      GET /api/v1/cases?q=T (supervisor: every case; 50 per page, jiesu reads 51), T
              Chinese terms of 2, 3 and 4 characters drawn (--seed) from the titles and texts of
              3,000 random cases of the database: --terms frequent ones (among the 50 found in the
              most sampled cases: the first page fills at once) and --terms rare ones (in one
              sampled case only); p50/p95 over --requests per length. jiesu answers terms of 3
              characters or more from its text index (SQLite FTS5 trigram, PostgreSQL pg_trgm),
              shorter ones by a scan, newest first, that stops at the page. Baseline: the plain
              query without an index (LIKE '%T%' on title, text or address, newest first, 51
              rows: a rare term scans the whole table). Goal p95 ≤ 50 ms for each length.
  memory      the server's VmRSS after start (/healthz answered), after the benchmarks, and its
              VmHWM (peak) at the end, from /proc/PID/status, sampled every 50 ms as well.
              Goal ≤ 500 MB.

Ratios are jiesu ÷ baseline (medians; p95 for queue and search). The table gives measure | jiesu
| baseline | ratio | goal | met?, then the machine (CPU model, cores, load before and after,
case and event counts, database size) and the details (terms, hits, per-class times, checks).

Usage (from the repository root):
  python3 bench/scale_bench.py --db sqlite:/tmp/big.db [--jiesu build/jiesu] [--repeat 5]
      [--requests 100] [--month YYYY-MM] [--units 5] [--queue-limit 500] [--terms 5]
      [--seed 20261127] [--out FILE] [--keep]
  python3 bench/scale_bench.py --db 'postgresql:///jiesu?host=/tmp/jpg&user=postgres' ...

Python 3 standard library only; psql for a PostgreSQL URL (the caller-contact key: as for
`jiesu serve`, ./jiesu.key or JIESU_SECRET_KEY; without either the server gets a throwaway key,
which the lists never need). Exit status 0 when everything ran (goals missed are reported, not
judged), 1 on a failure (a non-200 answer, a baseline that disagrees, a server that will not
start), 2 on bad usage.
"""
import argparse
import http.client
import json
import os
import platform
import random
import re
import shutil
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

from jiesu_bench import ROOT, BenchError, Server, create_key, now, percentile

BEIJING = timezone(timedelta(hours=8))
OPEN_STATUSES = ("dispatched", "accepted", "objected")  # domain::IsOpenForUnit
TREND_MONTHS = 60
SEARCH_PAGE = 50          # jiesu's default list limit; it reads one more row
SAMPLE_CASES = 3000       # cases whose texts the search terms come from
GOALS = {"assessment": 100.0, "trend": 1000.0, "queue": 50.0, "search": 50.0, "memory": 500.0}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------ months

def month_bounds(month):
    """(from, to) Unix seconds of a YYYY-MM month at Beijing midnight (jiesu's BeijingMidnight)."""
    y, m = int(month[:4]), int(month[5:7])
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    return (int(datetime(y, m, 1, tzinfo=BEIJING).timestamp()),
            int(datetime(ny, nm, 1, tzinfo=BEIJING).timestamp()))


def shift_month(month, k):
    y, m = int(month[:4]), int(month[5:7])
    i = y * 12 + (m - 1) + k
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def current_month():
    return datetime.now(BEIJING).strftime("%Y-%m")


# ---------------------------------------------------------------------------------- baselines

class Dialect:
    """The few places where the baseline SQL differs between SQLite and PostgreSQL."""

    def __init__(self, pg):
        self.pg = pg

    def jint(self, col, key):
        return f"({col}->>'{key}')::BIGINT" if self.pg else f"json_extract({col}, '$.{key}')"

    def jtext(self, col, key):
        return f"({col}->>'{key}')" if self.pg else f"json_extract({col}, '$.{key}')"

    def jtrue(self, col, key):
        """The JSON field is true (false or missing: not)."""
        return (f"COALESCE(({col}->>'{key}')::BOOLEAN, FALSE)" if self.pg
                else f"COALESCE(json_extract({col}, '$.{key}'), 0) = 1")

    def month_of(self, col):
        """YYYY-MM of a Unix time in Beijing."""
        return (f"to_char(to_timestamp({col} + 28800) AT TIME ZONE 'UTC', 'YYYY-MM')" if self.pg
                else f"strftime('%Y-%m', {col} + 28800, 'unixepoch')")

    def month_end(self, col):
        """The Unix time of the Beijing midnight that ends the month of a Unix time."""
        return (f"(EXTRACT(EPOCH FROM date_trunc('month', to_timestamp({col} + 28800) AT TIME "
                f"ZONE 'UTC') + INTERVAL '1 month'))::BIGINT - 28800" if self.pg else
                f"CAST(strftime('%s', {col} + 28800, 'unixepoch', 'start of month', '+1 month') "
                "AS INTEGER) - 28800")

    def least(self, a, b):
        return f"LEAST({a}, {b})" if self.pg else f"MIN({a}, {b})"

    def contains(self, col):
        # jiesu's SqlDialect::contains: LIKE … ESCAPE '\' (SQLite), ILIKE (PostgreSQL).
        return f"{col} ILIKE ?" if self.pg else f"{col} LIKE ? ESCAPE '\\'"


# A unit → its township, as AssessedUnitOf does for level township: the unit itself, its parent
# or its grandparent, whichever is a township first (jiesu's levels are district, township,
# community, grid: a township is at most two steps up); departments count for no township.
TOWN_JOINS = """JOIN units u ON u.code = {col} AND u.level <> 'department'
  LEFT JOIN units p ON p.code = u.parent LEFT JOIN units g ON g.code = p.parent"""
TOWN_EXPR = ("CASE WHEN u.level = 'township' THEN u.code WHEN p.level = 'township' THEN p.code "
             "WHEN g.level = 'township' THEN g.code END")


def assessment_sql(d, by_month):
    """One statement: per township (and month when by_month) what the assessment counts.
    Parameters: from, to (cases dispatched), from, to (events), as_of."""
    month_d = d.month_of("c.dispatched_at") + " AS month, " if by_month else ""
    month_e = d.month_of("e.at") + " AS month, " if by_month else ""
    group = "month, township" if by_month else "township"
    m = "month, " if by_month else ""

    def on(t):
        return (f"{t}.month = x.month AND " if by_month else "") + f"{t}.township = x.township"
    open_list = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    # jiesu judges a month's open cases overdue at min(now, the month's end) (MonthFacts::as_of):
    # the parameter for one month; for several, each case's own month end, at most now.
    as_of = (d.least("CAST(? AS BIGINT)", d.month_end("c.dispatched_at")) if by_month
             else "CAST(? AS BIGINT)")
    return f"""WITH
-- The month's rows first (the planner must not walk every unit's cases by cases_unit).
mc AS MATERIALIZED (
  SELECT unit, status, source, dispatched_at, replied_at, due, merged_into,
    {d.jint('doc', 'accepted_at')} AS accepted_at, {d.jint('doc', 'response_due')} AS response_due
  FROM cases WHERE dispatched_at >= ? AND dispatched_at < ?
),
me AS MATERIALIZED (
  SELECT case_id, at, kind, unit, payload FROM case_events
  WHERE kind IN ('callback', 'reopened') AND at >= ? AND at < ?
),
d AS (
  SELECT {month_d}{TOWN_EXPR} AS township, COUNT(*) AS dispatched,
    SUM(CASE WHEN c.accepted_at IS NOT NULL AND c.accepted_at <= c.response_due
        THEN 1 ELSE 0 END) AS accepted_on_time,
    SUM(CASE WHEN c.status IN ({open_list}) AND {as_of} > c.due
        THEN 1 ELSE 0 END) AS open_overdue,
    SUM(CASE WHEN c.status NOT IN ({open_list}) AND c.replied_at IS NOT NULL
        AND c.replied_at > c.due THEN 1 ELSE 0 END) AS replied_late
  FROM mc c {TOWN_JOINS.format(col='c.unit')}
  WHERE c.due IS NOT NULL AND c.response_due IS NOT NULL AND c.merged_into IS NULL
    AND c.source <> 'inspection'
  GROUP BY {group}
),
cb AS (
  SELECT {month_e}{TOWN_EXPR} AS township, COUNT(*) AS valid,
    SUM(CASE WHEN {d.jtrue('e.payload', 'contacted')} THEN 1 ELSE 0 END) AS contacted,
    SUM(CASE WHEN {d.jtrue('e.payload', 'resolved')} THEN 1 ELSE 0 END) AS resolved,
    SUM(CASE WHEN {d.jtext('e.payload', 'satisfaction')} = '满意' THEN 1 ELSE 0 END) AS satisfied,
    SUM(CASE WHEN {d.jtext('e.payload', 'satisfaction')} = '基本满意' THEN 1 ELSE 0 END)
      AS basically_satisfied,
    SUM(CASE WHEN {d.jtext('e.payload', 'satisfaction')} = '不满意' THEN 1 ELSE 0 END)
      AS dissatisfied
  FROM me e {TOWN_JOINS.format(col='e.unit')}
  WHERE e.kind = 'callback' AND {d.jtrue('e.payload', 'reachable')}
  GROUP BY {group}
),
ro AS (
  SELECT {month_e}{TOWN_EXPR} AS township, COUNT(*) AS reopened
  FROM me e JOIN cases c ON c.id = e.case_id {TOWN_JOINS.format(col='e.unit')}
  WHERE e.kind = 'reopened' AND c.source <> 'inspection'
  GROUP BY {group}
),
x AS (
  SELECT {m}township FROM d UNION SELECT {m}township FROM cb UNION SELECT {m}township FROM ro
)
SELECT {"x.month" if by_month else "''"}, x.township,
  COALESCE(d.dispatched, 0), COALESCE(d.accepted_on_time, 0),
  COALESCE(d.open_overdue, 0) + COALESCE(d.replied_late, 0),
  COALESCE(cb.valid, 0), COALESCE(cb.contacted, 0), COALESCE(cb.resolved, 0),
  COALESCE(cb.satisfied, 0), COALESCE(cb.basically_satisfied, 0), COALESCE(cb.dissatisfied, 0),
  COALESCE(ro.reopened, 0)
FROM x
LEFT JOIN d ON {on('d')}
LEFT JOIN cb ON {on('cb')}
LEFT JOIN ro ON {on('ro')}
WHERE x.township IS NOT NULL
ORDER BY 1, 2"""


FIELDS = ("dispatched", "accepted_on_time", "overdue", "valid", "contacted", "resolved",
          "satisfied", "basically_satisfied", "dissatisfied", "reopened")


def figures_by_unit(rows, month=None):
    """{(month, unit): {field: n}} from assessment_sql's rows (month: of a one-month query)."""
    return {(month or r[0], r[1]): dict(zip(FIELDS, (int(v) for v in r[2:]))) for r in rows}


def subtree_sql():
    return """WITH RECURSIVE sub(code) AS (
  SELECT code FROM units WHERE code = ?
  UNION ALL SELECT u.code FROM units u JOIN sub ON u.parent = sub.code
) SELECT code FROM sub ORDER BY code"""


def queue_sql(n_units):
    # ListCasesQuery for {units, statuses: [S], limit}: jiesu selects the case document.
    return (f"SELECT doc FROM cases WHERE 1=1 AND unit IN ({','.join('?' * n_units)}) "
            "AND status IN (?) ORDER BY id DESC LIMIT ?")


def search_sql(d):
    return (f"SELECT doc FROM cases WHERE 1=1 AND ({d.contains('title')} OR "
            f"{d.contains('text')} OR {d.contains('address')}) ORDER BY id DESC LIMIT ?")


def like_pattern(term):
    """rows.cpp SubstringPattern: %, _ and \\ escaped with \\."""
    return "%" + re.sub(r"([%_\\])", r"\\\1", term) + "%"


class SqliteBaseline:
    """The SQLite file, read-only, through Python's sqlite3 (Debian's libsqlite3)."""

    def __init__(self, path):
        self.path = path
        self.dialect = Dialect(pg=False)
        self.conn = sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True,
                                    check_same_thread=False)
        self.version = f"SQLite {sqlite3.sqlite_version} (Python sqlite3)"

    def rows(self, sql, params=()):
        return self.conn.execute(sql, params).fetchall()

    def time_series(self, queries):
        """[(ms, rows)] for each (sql, params), after one untimed run of the first."""
        self.rows(*queries[0])
        out = []
        for sql, params in queries:
            t0 = now()
            rows = self.conn.execute(sql, params).fetchall()
            out.append(((now() - t0) * 1e3, len(rows)))
        return out

    def size_note(self):
        size = sum(os.path.getsize(self.path + s) for s in ("", "-wal")
                   if os.path.exists(self.path + s))
        return f"SQLite file {size / 2**20:,.0f} MiB (with its WAL)"

    def close(self):
        self.conn.close()


def sql_literal(v):
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def inline(sql, params):
    """`?` placeholders replaced by literals, for psql (the SQL here has no other `?`)."""
    parts = sql.split("?")
    if len(parts) != len(params) + 1:
        raise BenchError("internal: placeholder count")
    return "".join(p + (sql_literal(params[i]) if i < len(params) else "")
                   for i, p in enumerate(parts))


class PsqlBaseline:
    """A PostgreSQL URL through `psql` (-X: no psqlrc; C locale for the timing lines)."""

    TIME = re.compile(r"^Time: ([0-9.]+) ms")

    def __init__(self, url):
        self.url = url
        self.dialect = Dialect(pg=True)
        self.env = dict(os.environ, LC_ALL="C", LANG="C", PGOPTIONS="-c client_min_messages=warning")
        self.version = self._psql("SELECT version()", timing=False)[0].split(" on ")[0]

    def _psql(self, script, timing):
        cmd = ["psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-v", "ON_ERROR_STOP=1",
               "-d", self.url]
        text = ("\\timing on\n" if timing else "") + script.rstrip().rstrip(";") + ";\n"
        p = subprocess.run(cmd, input=text, capture_output=True, text=True, env=self.env,
                           timeout=3600)
        if p.returncode != 0:
            raise BenchError(f"psql: exit {p.returncode}: {p.stderr.strip()[-800:]}")
        return p.stdout.splitlines()

    def rows(self, sql, params=()):
        return [tuple(ln.split("\x1f")) for ln in self._psql(inline(sql, params), timing=False)
                if ln != ""]

    def time_series(self, queries):
        """One psql session: an untimed warm-up of the first query, then each; psql's times."""
        script = [inline(*queries[0]) + ";"] + [inline(sql, p) + ";" for sql, p in queries]
        out, rows = [], 0
        for ln in self._psql("\n".join(script), timing=True):
            m = self.TIME.match(ln)
            if m:
                out.append((float(m.group(1)), rows))
                rows = 0
            elif ln != "":
                rows += 1
        if len(out) != len(queries) + 1:
            raise BenchError(f"psql: {len(out)} timings for {len(queries) + 1} queries")
        return out[1:]

    def size_note(self):
        r = self.rows("SELECT pg_database_size(current_database())")
        return f"PostgreSQL database {int(r[0][0]) / 2**20:,.0f} MiB"

    def close(self):
        pass


# -------------------------------------------------------------------------------------- server

def rss_mb(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for ln in f:
                if ln.startswith(field + ":"):
                    return int(ln.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


class MemorySampler(threading.Thread):
    """The server's VmRSS every 50 ms; the largest seen."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.halt = pid, 0.0, threading.Event()

    def run(self):
        while not self.halt.is_set():
            v = rss_mb(self.pid)
            if v == v:
                self.peak = max(self.peak, v)
            self.halt.wait(0.05)

    def stop(self):
        self.halt.set()
        self.join()


class Client:
    """One keep-alive HTTP connection; get() times the whole exchange, body read included."""

    def __init__(self, port, key):
        self.port, self.key, self.conn = port, key, None

    def get(self, path):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
            try:
                t0 = now()
                self.conn.request("GET", path, headers={"Authorization": "Bearer " + self.key})
                r = self.conn.getresponse()
                body = r.read()
                ms = (now() - t0) * 1e3
            except (http.client.HTTPException, ConnectionError) as e:
                # The server closed the keep-alive connection: once more on a new one.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise BenchError(f"GET {path}: {e}")
                continue
            if r.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            if r.status != 200:
                raise BenchError(f"GET {urllib.parse.unquote(path)}: {r.status} "
                                 f"{body[:500].decode('utf-8', 'replace')}")
            return ms, json.loads(body.decode("utf-8"))

    def close(self):
        if self.conn is not None:
            self.conn.close()


def jiesu_env():
    env = dict(os.environ)
    if not os.environ.get("JIESU_DATA_DIR") and os.path.isdir(os.path.join(ROOT, "data")):
        env["JIESU_DATA_DIR"] = os.path.join(ROOT, "data")
    return env


# ------------------------------------------------------------------------------------ measures

def jiesu_figures(answer, month):
    """{(month, code): {dispatched, overdue, valid, satisfied}} for the scored units; the
    zero-request units (listed without figures) as a set."""
    scored = {}
    for u in answer["units"]:
        scored[(month, u["code"])] = {"dispatched": u["timeliness"]["dispatched"],
                                      "overdue": u["timeliness"]["overdue"],
                                      "valid": u["valid_callbacks"],
                                      "satisfied": u["counts"]["satisfied"]}
    zero = {(month, u["code"]) for u in answer["zero_request_units"]}
    return scored, zero


def compare(what, answers, base):
    """Raises when the baseline's counts differ from jiesu's; returns the number of units
    (unit-months) compared on dispatched counts."""
    empty = dict.fromkeys(FIELDS, 0)
    diffs, n = [], 0
    for month, answer in answers:
        scored, zero = jiesu_figures(answer, month)
        for k, j in scored.items():
            b = base.get(k, empty)
            n += 1
            for field, v in j.items():
                if b[field] != v:
                    diffs.append(f"{k[0]} {k[1]} {field}: jiesu {v}, SQL {b[field]}")
        for k in zero:
            if base.get(k, empty)["valid"] != 0:
                diffs.append(f"{k[0]} {k[1]}: jiesu has no valid callback, SQL "
                             f"{base[k]['valid']}")
    if diffs:
        raise BenchError(f"{what}: the baseline disagrees with jiesu on {len(diffs)} figures: "
                         + "; ".join(diffs[:8]))
    return n


def measure_assessment(args, client, base, as_of):
    month = args.month
    lo, hi = month_bounds(month)
    path = f"/api/v1/assessments?month={month}&level=township"
    sql = assessment_sql(base.dialect, by_month=False)
    params = (lo, hi, lo, hi, min(as_of, hi))
    _, answer = client.get(path)                                  # warm-up, and the check
    n = compare("assessment", [(month, answer)], figures_by_unit(base.rows(sql, params), month))
    j = [client.get(path)[0] for _ in range(args.repeat)]
    b = [ms for ms, _ in base.time_series([(sql, params)] * args.repeat)]
    dispatched = sum(u["timeliness"]["dispatched"] for u in answer["units"])
    return {"jiesu": j, "base": b, "checked": n, "dispatched": dispatched,
            "valid": sum(u["valid_callbacks"] for u in answer["units"])}


def measure_trend(args, client, base, as_of):
    cur = current_month()
    months = [shift_month(cur, k) for k in range(-TREND_MONTHS, 0)]
    lo, hi = month_bounds(months[0])[0], month_bounds(months[-1])[1]
    sql = assessment_sql(base.dialect, by_month=True)
    params = (lo, hi, lo, hi, as_of)
    paths = [f"/api/v1/assessments?month={m}&level=township" for m in months]
    answers = [(m, client.get(p)[1]) for m, p in zip(months, paths)]  # warm-up, and the check
    n = compare("trend", answers, figures_by_unit(base.rows(sql, params)))
    j = []
    for _ in range(args.repeat):
        j.append(sum(client.get(p)[0] for p in paths))
    b = [ms for ms, _ in base.time_series([(sql, params)] * args.repeat)]
    with_data = sum(1 for _, a in answers if any(u["timeliness"]["dispatched"] for u in a["units"]))
    return {"jiesu": j, "base": b, "checked": n, "months": months, "with_data": with_data}


def busiest_townships(base, k):
    open_list = ", ".join(f"'{s}'" for s in OPEN_STATUSES[:2])
    rows = base.rows(f"""SELECT t.code, COALESCE(n.open, 0) FROM units t LEFT JOIN (
  SELECT {TOWN_EXPR} AS township, COUNT(*) AS open FROM cases c {TOWN_JOINS.format(col='c.unit')}
  WHERE c.status IN ({open_list}) GROUP BY township) n ON n.township = t.code
WHERE t.level = 'township' ORDER BY 2 DESC, 1 LIMIT {int(k)}""")
    return [(r[0], int(r[1])) for r in rows]


def measure_queue(args, client, base):
    units = busiest_townships(base, args.units)
    if not units:
        raise BenchError("no township-level unit in the database")
    subtree = {u: [r[0] for r in base.rows(subtree_sql(), (u,))] for u, _ in units}
    plan = [(units[i % len(units)][0], ("dispatched", "accepted")[(i // len(units)) % 2])
            for i in range(args.requests)]
    path = lambda u, s: f"/api/v1/cases?unit={u}&status={s}&limit={args.queue_limit}"  # noqa
    rows_seen = {}
    for u, _ in units:                                           # warm-up
        for s in ("dispatched", "accepted"):
            rows_seen[(u, s)] = len(client.get(path(u, s))[1]["cases"])
    j, jrows = [], []
    for u, s in plan:
        ms, ans = client.get(path(u, s))
        j.append(ms)
        jrows.append(len(ans["cases"]))
    sql_of = {u: queue_sql(len(t)) for u, t in subtree.items()}
    series = base.time_series([(sql_of[u], tuple(subtree[u]) + (s, args.queue_limit + 1))
                               for u, s in plan])
    return {"jiesu": j, "base": [ms for ms, _ in series], "units": units,
            "rows": statistics.mean(jrows), "base_rows": statistics.mean(r for _, r in series),
            "page_rows": rows_seen, "subtree": {u: len(t) for u, t in subtree.items()}}


CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def sample_terms(args, base, rng):
    """{length: [(term, class, sample share)]}: frequent and rare terms of each length."""
    lo, hi = (int(x) for x in base.rows("SELECT MIN(id), MAX(id) FROM cases")[0])
    ids = sorted(rng.sample(range(lo, hi + 1), min(SAMPLE_CASES * 2, hi - lo + 1)))
    texts = []
    text_expr = ("translate(title || '。' || text, E'\\n\\r\\t\\x1f', '    ')"
                 if base.dialect.pg else "title || '。' || text")
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        texts += [r[0] for r in base.rows(
            f"SELECT {text_expr} FROM cases WHERE id IN ({','.join('?' * len(chunk))})",
            tuple(chunk))]
    rng.shuffle(texts)
    texts = texts[:SAMPLE_CASES]
    if not texts:
        raise BenchError("no case texts to draw search terms from")
    out = {}
    for length in args.lengths:
        df = {}
        for t in texts:
            grams = set()
            for run in CJK_RUN.findall(t):
                grams.update(run[i:i + length] for i in range(len(run) - length + 1))
            for g in grams:
                df[g] = df.get(g, 0) + 1
        by_df = sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))
        top = by_df[:50]
        rare = sorted(g for g, n in df.items() if n == 1)
        picked = [(g, "frequent", n / len(texts))
                  for g, n in rng.sample(top, min(args.terms, len(top)))]
        picked += [(g, "rare", 1 / len(texts)) for g in rng.sample(rare, min(args.terms, len(rare)))]
        out[length] = picked
    return out, len(texts)


def measure_search(args, client, base, rng):
    terms, n_texts = sample_terms(args, base, rng)
    sql = search_sql(base.dialect)
    result = {"n_texts": n_texts, "lengths": {}}
    for length, picked in terms.items():
        hits = {}
        for term, _, _ in picked:                                # warm-up, and the hits
            hits[term] = len(client.get("/api/v1/cases?q=" + urllib.parse.quote(term))[1]["cases"])
        plan = [picked[i % len(picked)] for i in range(args.search_requests)]
        j = [client.get("/api/v1/cases?q=" + urllib.parse.quote(t))[0] for t, _, _ in plan]
        pattern = lambda t: like_pattern(t)  # noqa
        # --base-requests: the first ones of the same plan (a rare term's scan of a database
        # larger than the memory takes minutes).
        b = [ms for ms, _ in base.time_series(
            [(sql, (pattern(t), pattern(t), pattern(t), SEARCH_PAGE + 1))
             for t, _, _ in plan[:args.base_requests or len(plan)]])]
        by_class = {}
        for (term, cls, _), jm in zip(plan, j):
            by_class.setdefault(cls, ([], []))[0].append(jm)
        for (term, cls, _), bm in zip(plan, b):
            by_class[cls][1].append(bm)
        result["lengths"][length] = {"jiesu": j, "base": b, "terms": picked, "hits": hits,
                                     "by_class": by_class}
    return result


# -------------------------------------------------------------------------------------- report

def fmt_ms(x):
    if x != x:
        return "—"
    if x >= 1000:
        return f"{x / 1000:.2f} s"
    return f"{x:.2f} ms" if x < 10 else f"{x:.1f} ms" if x < 100 else f"{x:.0f} ms"


def fmt_ratio(a, b):
    return f"{a / b:.1f}×" if b and b == b and a == a else "—"


def met(value, goal):
    return "yes" if value <= goal else "**no**"


def machine(args, base, health_cases, counts):
    def cpu_model():
        try:
            with open("/proc/cpuinfo") as f:
                for ln in f:
                    if ln.startswith("model name"):
                        return ln.split(":", 1)[1].strip()
        except OSError:
            pass
        return platform.processor() or "unknown"
    return (f"CPU: {cpu_model()}, {os.cpu_count()} cores; Linux {platform.release()}; "
            f"{base.version}. Database: {counts['cases']:,} cases ({health_cases:,} by /healthz), "
            f"{counts['events']:,} events, {counts['callbacks']:,} callbacks, dispatched "
            f"{counts['first']} to {counts['last']}; {base.size_note()}.")


def report(args, argv, r, mem, load_before, load_after, mach, binary_note, total, server_note):
    a, t, q, s = (r.get(k) for k in ("assessment", "trend", "queue", "search"))  # None: --skip
    med = statistics.median
    rows = []
    if a:
        ja, ba = med(a["jiesu"]), med(a["base"])
        rows.append((f"assessment {args.month}, township (median of {args.repeat})", fmt_ms(ja),
                     fmt_ms(ba), fmt_ratio(ja, ba), "≤ 100 ms", met(ja, GOALS["assessment"])))
    if t:
        jt, bt = med(t["jiesu"]), med(t["base"])
        rows.append((f"trend: {TREND_MONTHS} assessments {t['months'][0]}…{t['months'][-1]}, "
                     f"one after another (sum; median of {args.repeat}) vs one SQL", fmt_ms(jt),
                     fmt_ms(bt), fmt_ratio(jt, bt), "≤ 1 s", met(jt, GOALS["trend"])))
    for p in ((50, 95) if q else ()):
        jq, bq = percentile(q["jiesu"], p), percentile(q["base"], p)
        rows.append((f"queue p{p} ({len(q['units'])} townships × dispatched/accepted, "
                     f"limit {args.queue_limit}; {len(q['jiesu'])} requests)", fmt_ms(jq),
                     fmt_ms(bq), fmt_ratio(jq, bq), "≤ 50 ms" if p == 95 else "",
                     met(jq, GOALS["queue"]) if p == 95 else ""))
    for length, x in (s["lengths"].items() if s else ()):
        for p in (50, 95):
            js, bs = percentile(x["jiesu"], p), percentile(x["base"], p)
            rows.append((f"search p{p}, {length} characters ({len(x['terms'])} terms; "
                         f"{len(x['jiesu'])} requests)", fmt_ms(js), fmt_ms(bs),
                         fmt_ratio(js, bs), "≤ 50 ms" if p == 95 else "",
                         met(js, GOALS["search"]) if p == 95 else ""))
    for label, v in (("memory: server VmRSS after start", mem["start"]),
                     ("memory: server VmRSS after the benchmarks", mem["end"]),
                     ("memory: server peak (VmHWM; sampled VmRSS max "
                      f"{mem['sampled']:,.0f} MB)", mem["hwm"])):
        rows.append((label, f"{v:,.0f} MB", "—", "—", "≤ 500 MB", met(v, GOALS["memory"])))

    md = [f"Run of {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M')}, {total:.0f} s: "
          f"`python3 bench/scale_bench.py {shlex.join(argv)}`; binary {binary_note}; "
          f"{server_note}. Load average (1/5/15 min) before "
          f"{' / '.join(f'{x:.2f}' for x in load_before)}, after "
          f"{' / '.join(f'{x:.2f}' for x in load_after)}.", "", mach, "",
          "| measure | jiesu | baseline | ratio | goal | met? |",
          "| --- | ---: | ---: | ---: | --- | --- |"]
    md += ["| " + " | ".join(row) + " |" for row in rows]
    md.append("")
    if args.skip:
        md.append(f"- left out (--skip): {', '.join(sorted(args.skip))}")
    if a:
        md.append(f"- baseline agrees on dispatched counts for {a['checked']} units (and on "
                  f"overdue, valid callbacks and 满意; {a['dispatched']:,} cases dispatched, "
                  f"{a['valid']:,} valid callbacks in {args.month})")
    if t:
        md.append(f"- trend baseline agrees on dispatched counts for {t['checked']} unit-months "
                  f"({t['with_data']} of the {TREND_MONTHS} months have dispatched cases)")
    if q:
        md.append("- queue units (open cases dispatched/accepted; units in the subtree; rows of the "
                  "two pages): " + ", ".join(
                      f"{u} ({n}; {q['subtree'][u]}; {q['page_rows'][(u, 'dispatched')]}+"
                      f"{q['page_rows'][(u, 'accepted')]})" for u, n in q["units"])
                  + f"; mean rows per answer {q['rows']:.1f} (baseline {q['base_rows']:.1f})")
    for length, x in (s["lengths"].items() if s else ()):
        parts = []
        for cls, (jv, bv) in x["by_class"].items():
            terms = [f"{t} {x['hits'][t]}" for t, c, _ in x["terms"] if c == cls]
            parts.append(f"{cls} p50/p95 {fmt_ms(percentile(jv, 50))}/"
                         f"{fmt_ms(percentile(jv, 95))} (baseline {fmt_ms(percentile(bv, 50))}/"
                         f"{fmt_ms(percentile(bv, 95))}; term hits: {', '.join(terms)})")
        md.append(f"- search, {length} characters: " + "; ".join(parts))
    if s:
        md.append(f"- search terms drawn from the titles and texts of {s['n_texts']:,} random "
                  "cases: frequent = among the 50 in the most of them, rare = in one of them; "
                  f"hits = rows on jiesu's first page (at most {SEARCH_PAGE})")
    md.append("")
    return "\n".join(md) + "\n"


# ---------------------------------------------------------------------------------------- main

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--jiesu", default=os.path.join(ROOT, "build", "jiesu"),
                    help="the jiesu binary, a Release build (default build/jiesu)")
    ap.add_argument("--db", required=True,
                    help="sqlite:PATH or postgresql://… of an existing, filled database")
    ap.add_argument("--repeat", type=int, default=5,
                    help="assessment and trend runs; medians reported (default 5)")
    ap.add_argument("--requests", type=int, default=100,
                    help="queue requests, and search requests per term length (default 100)")
    ap.add_argument("--month", default=None, help="the assessed month (default: last month)")
    ap.add_argument("--units", type=int, default=5,
                    help="townships for the queue, those with the most open cases (default 5)")
    ap.add_argument("--queue-limit", type=int, default=500,
                    help="limit of the queue requests (default 500, the 待办 screen's page)")
    ap.add_argument("--terms", type=int, default=5,
                    help="frequent and as many rare search terms per length (default 5)")
    ap.add_argument("--lengths", default="2,3,4",
                    help="search term lengths in characters (default 2,3,4)")
    ap.add_argument("--search-requests", type=int, default=None,
                    help="search requests per length (default: --requests)")
    ap.add_argument("--base-requests", type=int, default=0,
                    help="run the search baseline for only the first N requests of each "
                    "length's plan (default: all)")
    ap.add_argument("--skip", default="",
                    help="measures to leave out, comma-separated: assessment, trend, queue, "
                    "search")
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--out", default=None, help="append the Markdown report to this file")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (server log)")
    args = ap.parse_args(argv)
    if min(args.repeat, args.requests, args.units, args.terms) < 1:
        ap.error("--repeat, --requests, --units and --terms must be at least 1")
    if args.search_requests is None:
        args.search_requests = args.requests
    try:
        args.lengths = [int(x) for x in args.lengths.split(",")]
    except ValueError:
        ap.error("--lengths must be numbers, e.g. 2,3,4")
    args.skip = {x for x in args.skip.split(",") if x}
    if args.skip - {"assessment", "trend", "queue", "search"} or min(args.lengths) < 1:
        ap.error("--skip takes assessment, trend, queue, search; --lengths positive numbers")
    if args.search_requests < 1 or args.base_requests < 0:
        ap.error("--search-requests must be at least 1, --base-requests at least 0")
    if not 1 <= args.queue_limit <= 500:
        ap.error("--queue-limit must be between 1 and 500 (jiesu's list limit)")
    if args.month is None:
        args.month = shift_month(current_month(), -1)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        ap.error("--month must be YYYY-MM")
    if not os.access(args.jiesu, os.X_OK):
        ap.error(f"{args.jiesu}: not an executable (make build)")
    args.jiesu = os.path.abspath(args.jiesu)
    if args.db.startswith("sqlite:"):
        path = args.db[len("sqlite:"):]
        if not os.path.isfile(path):
            ap.error(f"{path}: no such database (fill one first: jiesu demo --db {args.db} "
                     "--no-serve)")
        args.sqlite_path = os.path.abspath(path)
        args.db = "sqlite:" + args.sqlite_path
    elif args.db.startswith(("postgresql://", "postgres://")):
        args.sqlite_path = None
        if shutil.which("psql") is None:
            ap.error("psql is not installed (apt-get install postgresql-client-15)")
    else:
        ap.error("--db must be sqlite:PATH or postgresql://…")
    return args


def db_counts(base):
    r = base.rows("SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM case_events), "
                  "(SELECT COUNT(*) FROM case_events WHERE kind = 'callback'), "
                  "(SELECT MIN(dispatched_at) FROM cases), (SELECT MAX(dispatched_at) FROM cases)")
    cases, events, callbacks, first, last = r[0]
    day = lambda t: (datetime.fromtimestamp(int(t), BEIJING).strftime("%Y-%m-%d")  # noqa
                     if t not in (None, "") else "—")
    return {"cases": int(cases), "events": int(events), "callbacks": int(callbacks),
            "first": day(first), "last": day(last)}


def main(argv):
    args = parse_args(argv)
    rng = random.Random(args.seed)
    workdir = tempfile.mkdtemp(prefix="jiesu-scale-")
    # Others may rebuild build/ meanwhile: the server runs from this copy.
    pinned = os.path.join(workdir, "jiesu")
    shutil.copy2(args.jiesu, pinned)
    binary_note = (f"{os.path.relpath(args.jiesu, ROOT)} of "
                   f"{datetime.fromtimestamp(os.path.getmtime(args.jiesu)).strftime('%Y-%m-%d %H:%M')}")
    env = jiesu_env()
    # The caller-contact key: beside the SQLite file; for PostgreSQL ./jiesu.key (or the
    # environment's); without one the server and the key command share a throwaway one.
    cwd = workdir
    if args.sqlite_path is None and (os.environ.get("JIESU_SECRET_KEY")
                                     or os.path.exists("jiesu.key")):
        cwd = os.getcwd()
    t_start = now()
    load_before = os.getloadavg()
    server = client = base = sampler = None
    failed = None
    results, mem = {}, {}
    try:
        base = (SqliteBaseline(args.sqlite_path) if args.sqlite_path else PsqlBaseline(args.db))
        log(f"scale bench: {args.db}; work dir {workdir}; load {load_before[0]:.2f}")
        server = Server(pinned, args.db, cwd, env, "serve", "[http]\nrate_per_second = 0\n",
                        log_dir=workdir, timeout=300)
        mem["start"] = rss_mb(server.pid)
        sampler = MemorySampler(server.pid)
        sampler.start()
        log(f"  server up in {server.started_in:.1f} s on port {server.port}, "
            f"RSS {mem['start']:.0f} MB")
        key = create_key(pinned, args.db, cwd, env, "supervisor", "scale bench", timeout=300)
        client = Client(server.port, key)
        _, health = client.get("/healthz")
        counts = db_counts(base)
        as_of = int(time.time())
        t0 = now()
        if "assessment" not in args.skip:
            results["assessment"] = measure_assessment(args, client, base, as_of)
            log(f"  assessment: {statistics.median(results['assessment']['jiesu']):.1f} ms, SQL "
                f"{statistics.median(results['assessment']['base']):.1f} ms ({now() - t0:.0f} s)")
        t0 = now()
        if "trend" not in args.skip:
            results["trend"] = measure_trend(args, client, base, as_of)
            log(f"  trend: {statistics.median(results['trend']['jiesu']):.0f} ms, SQL "
                f"{statistics.median(results['trend']['base']):.1f} ms ({now() - t0:.0f} s)")
        t0 = now()
        if "queue" not in args.skip:
            results["queue"] = measure_queue(args, client, base)
            log(f"  queue: p95 {percentile(results['queue']['jiesu'], 95):.1f} ms ({now() - t0:.0f} s)")
        t0 = now()
        if "search" not in args.skip:
            results["search"] = measure_search(args, client, base, rng)
            log("  search: p95 " + ", ".join(
                f"{n} chars {percentile(x['jiesu'], 95):.1f} ms"
                for n, x in results["search"]["lengths"].items()) + f" ({now() - t0:.0f} s)")
        mem["end"] = rss_mb(server.pid)
        mem["hwm"] = rss_mb(server.pid, "VmHWM")
        sampler.stop()
        mem["sampled"] = sampler.peak
        mach = machine(args, base, int(health.get("cases", 0)), counts)
    except (BenchError, OSError, subprocess.SubprocessError, sqlite3.Error, ValueError,
            KeyError) as e:
        failed = f"{type(e).__name__}: {e}" if not isinstance(e, BenchError) else str(e)
    finally:
        if sampler is not None and sampler.is_alive():
            sampler.stop()
        if client is not None:
            client.close()
        rc = server.stop() if server is not None else None
        if base is not None:
            base.close()
    if server is not None:
        text = server.log_text()
        errors = len(re.findall(r"\[(error|critical)\]", text))
        flagged = sum(int(n) for n in re.findall(r"flagged (\d+) overdue", text))
        server_note = (f"server start {server.started_in or float('nan'):.1f} s, "
                       f"stopped with exit {rc}, {errors} [error] lines in its log, "
                       f"督办 sweep flagged {flagged} cases at start")
        if rc not in (0, None) and not failed:
            failed = f"jiesu serve exited with {rc} on SIGTERM"
    if failed:
        log(f"FAILED: {failed}")
        log(f"work dir kept: {workdir}")
        return 1
    text = report(args, argv, results, mem, load_before, os.getloadavg(), mach, binary_note,
                  now() - t_start, server_note)
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            f.write(text + "\n")
        log(f"appended to {args.out}")
    if args.keep:
        log(f"work dir kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

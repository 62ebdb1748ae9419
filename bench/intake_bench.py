#!/usr/bin/env python3
"""Intake throughput of jiesu against its two ceilings, measured in the same run (issue 7).

For each backend (a SQLite file; PostgreSQL on a throwaway server made by scripts/pg-test.sh) and
each of --runs runs, on a fresh database each time:

  1. jiesu: `jiesu serve` (Release build, rate limiting off, the category model when there is
     one) and wrk with --connections keep-alive connections sending POST /api/v1/cases with
     varied Chinese hotline texts (sampled from ../shared/data/requests/*.csv when present, else
     a built-in list) and Tongzhou addresses; every 201 means the case is on disk (DESIGN §6.4).
     Modes (--modes):
       router  the router proposes category and unit, dispatching when confident (the default)
       given   the operator names category and unit: every case is dispatched at once
       nodup   as router, on a server with [dispatch] duplicate_window_days = 0, so that the
               duplicate check finds (almost) no open case to compare with (a diagnosis)
  2. the HTTP ceiling: GET /healthz on the same server, with the same wrk script and settings,
     measured first, on the empty database (/healthz counts the cases: one read of the store);
     beside it GET /api/v1/me (the same key check, no store) unless --no-me;
  3. the storage ceiling: the same rows jiesu stored in step 1 (case row, its events and the
     sealed contact, copied from jiesu's own database) inserted raw into a fresh database of the
     same schema (made by jiesu itself) with the same durability:
       SQLite  WAL, synchronous=FULL, one writer (Python's sqlite3 over Debian's libsqlite3):
               one case per transaction, and --batch cases per transaction (a group commit);
       PostgreSQL  synchronous_commit=on, pgbench -c --connections -j 2 -M prepared, one case
               (one INSERT … RETURNING with the events and contact in the same statement) per
               transaction; --pg-clients adds other client counts (jiesu's pool holds 8).

Each measurement has a warm-up (--warmup) then a fixed time (--seconds for jiesu, --ceiling-seconds
for the ceilings). The tables give the median over the runs of throughput, p50 and p99 latency,
and of jiesu's ratio to each ceiling (ratios are taken within a run: the machine is shared).
Server, wrk and PostgreSQL CPU time per case is reported beside them; --perf SECONDS adds a
profile of the server (perf record -g) during one more router run per backend.

Usage (from the repository root, after `make build`):
  python3 bench/intake_bench.py [--jiesu build/jiesu] [--backends sqlite,postgres]
      [--connections 64] [--seconds 20] [--ceiling-seconds 8] [--warmup 2] [--runs 3]
      [--modes router] [--batch 64] [--pg-clients 64] [--model FILE|none] [--perf SECONDS]
      [--out FILE] [--keep]

Needs wrk (Debian 4.1) and, for PostgreSQL, Debian's postgresql-15 (initdb, pg_ctl, pgbench,
psql, createdb); Python 3 standard library only. With the defaults it runs about 6 minutes.
Exit status 0 when every measurement ran (errors are reported, not judged), 1 on a failure, 2 on
bad usage.
"""
import argparse
import csv
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime

from jiesu_bench import ROOT, BenchError, Server, create_key, now, percentile

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "intake.lua")
PG_TEST = os.path.join(ROOT, "scripts", "pg-test.sh")
PG_BIN = "/usr/lib/postgresql/15/bin"
DEFAULT_REQUESTS = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "requests"))
DEFAULT_MODEL = os.path.join(ROOT, "build", "category.model")
N_BODIES = 2000      # distinct request bodies per mode (wrk cycles through them)
N_TEMPLATES = 1000   # cases copied from jiesu's database as the storage ceiling's rows
MODES = ("router", "given", "nodup")

# Case rows as jiesu stores them (storage/migrations/0001_init.sql, postgres/migrations/0001).
CASE_COLS = ("version, status, type, source, unit, category, title, text, address, created_at, "
             "updated_at, dispatched_at, replied_at, due, merged_into, doc")
EVENT_COLS = "seq, at, kind, actor_role, actor_unit, actor_name, unit, payload"

# Hotline texts for a machine without ../shared/data/requests: what 12345 agents write down.
BUILTIN_TEXTS = [
    ("路灯不亮", "小区3号楼前的路灯坏了一周，晚上老人出行不便，请尽快维修。"),
    ("楼道堆物", "楼道里长期堆放杂物和电动车，存在消防隐患，物业不管。"),
    ("暖气不热", "家里暖气温度只有十四五度，老人孩子受不了，请供热公司检查。"),
    ("电梯故障", "单元电梯这周已经坏了三次，有老人被困过，希望彻底检修。"),
    ("噪音扰民", "附近工地夜间施工到凌晨两点，严重影响休息，请执法部门处理。"),
    ("垃圾清运", "小区垃圾桶满了三天没人清运，气味很大，招来很多苍蝇。"),
    ("占道经营", "路口早市商贩占用人行道和非机动车道，行人只能走机动车道。"),
    ("违章建筑", "一楼住户在楼前私自搭建彩钢房，占用公共绿地，请核实拆除。"),
    ("停水", "小区从昨天上午开始停水，没有任何通知，请问什么时候恢复。"),
    ("井盖缺失", "辅路上有一个井盖丢了，晚上很危险，已经有人骑车摔倒。"),
    ("公交站", "公交站台的顶棚破损漏雨，候车的乘客没有地方躲雨。"),
    ("物业收费", "物业费上涨没有召开业主大会，也没有公示，请相关部门核查。"),
    ("拖欠工资", "在工地干了四个月活，包工头拖欠工资两万多元，一直不给。"),
    ("社保转移", "咨询外地社保转入本区需要准备什么材料，在哪里办理。"),
    ("入学咨询", "孩子明年上小学，户口在外区，房子在本区，能否在本区入学。"),
    ("油烟扰民", "楼下饭馆油烟直排，家里窗户都不敢开，请环保部门检查。"),
    ("树木修剪", "小区里的大杨树枝杈伸到三楼窗户，刮风时很危险，请修剪。"),
    ("道路破损", "村里主路坑洼不平，下雨积水，电动车经常陷进去。"),
    ("违法停车", "消防通道长期被私家车占用，物业劝说无效，请交管部门处理。"),
    ("燃气问题", "家里燃气表显示异常，燃气公司电话一直打不通，担心漏气。"),
    ("宠物扰民", "邻居养的狗每天夜里叫，沟通多次无果，影响全楼休息。"),
    ("积水", "下雨后小区门口积水没过脚踝，排水口堵了，请疏通。"),
    ("健身器材", "社区广场的健身器材坏了好几件，有安全隐患，请维修更换。"),
    ("充电桩", "小区没有电动自行车充电桩，大家只能飞线充电，很不安全。"),
    ("医保报销", "咨询门诊慢特病医保报销的比例和办理流程。"),
    ("学校周边", "学校门口上下学时段交通拥堵，希望增派交警疏导。"),
    ("虚假宣传", "药店向老人推销保健品，宣传能治病，涉嫌虚假宣传。"),
    ("食品安全", "在超市买的牛奶已经过期还在销售，请市场监管部门处理。"),
    ("房屋漏水", "顶层房屋漏雨，屋顶防水层老化，找物业维修一直推诿。"),
    ("绿化带", "小区绿地被个别居民改成菜地，还施用粪肥，气味难闻。"),
    ("自来水", "自来水发黄有异味，烧开后有沉淀，担心水质问题。"),
    ("共享单车", "地铁站出口共享单车乱停乱放，堵住了盲道和出入口。"),
    ("农村厕所", "村里改厕后化粪池满了没人抽，污水外溢。"),
    ("养老服务", "家里有失能老人，咨询社区养老驿站能提供哪些上门服务。"),
    ("落户咨询", "咨询人才引进落户需要满足什么条件，需要提交哪些材料。"),
    ("中介纠纷", "租房中介不退押金，合同到期已经一个月了，请协调。"),
    ("装修扰民", "楼上装修周末一早就开始电钻施工，违反装修管理规定。"),
    ("路口信号灯", "十字路口的信号灯坏了，早高峰车辆混行，很容易出事故。"),
    ("野广告", "小区楼道和电线杆上贴满了小广告，清理后又被贴上。"),
    ("烧烤摊", "夜市烧烤摊烟雾很大，经营到深夜，周边居民无法开窗。"),
    ("停车收费", "小区地面停车费突然涨价，没有经过业主同意。"),
    ("公厕", "公园里的公共厕所没有水，卫生条件很差，无人管理。"),
    ("快递柜", "快递柜超时收费不合理，希望有关部门规范。"),
    ("低保申请", "家庭生活困难，咨询如何申请低保，需要到哪里办理。"),
    ("建筑垃圾", "有人在村边空地倾倒建筑垃圾，已经堆成小山。"),
    ("无障碍设施", "小区单元门口台阶没有无障碍坡道，轮椅无法进出。"),
    ("供电", "小区频繁停电，冰箱里的东西都坏了，请供电公司排查线路。"),
    ("流浪犬", "村里有几条流浪狗经常追咬路人，孩子上学很害怕。"),
    ("消防通道", "商场后门消防通道被货物堵死，存在严重安全隐患。"),
    ("河道污染", "小河沟里有人排放污水，河水发黑发臭，鱼都死了。"),
]
TYPES = (("咨询", 25), ("求助", 20), ("投诉", 35), ("举报", 5), ("建议", 15))
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹"


def log(msg):
    print(msg, flush=True)


def run(cmd, timeout=600, **kw):
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=timeout, **kw)
    if p.returncode != 0:
        raise BenchError(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stdout[-1500:]}"
                         f"{p.stderr[-1500:]}")
    return p.stdout


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds(ppid):
    """CPU seconds of `ppid`, of the children it has waited for and of its live direct children:
    a postmaster and its backends, including those that exited in between."""
    try:
        with open(f"/proc/{ppid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total = sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == ppid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


# --------------------------------------------------------------------------------------- texts

def load_texts(requests_dir, rng):
    """(title, text) pairs: the shared messages when present (titles cut to 40 characters, texts
    to about 400 at a sentence end), else the built-in list."""
    rows, seen = [], set()
    for name in ("labelled-train.csv", "unlabelled.csv", "replied.csv"):
        path = os.path.join(requests_dir, name)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                text = (r.get("text") or "").strip()
                if len(text) < 10 or text in seen:
                    continue
                seen.add(text)
                if len(text) > 400:
                    cut = max(text.rfind(p, 0, 400) for p in "。！？!?")
                    text = text[:cut + 1] if cut > 100 else text[:400]
                rows.append(((r.get("title") or "").strip()[:40], text))
    if len(rows) < 50:
        return list(BUILTIN_TEXTS), "built-in list of %d hotline texts" % len(BUILTIN_TEXTS)
    rng.shuffle(rows)
    return rows, f"{len(rows)} messages from {requests_dir} (texts cut to about 400 characters)"


def make_bodies(path, mode, texts, ref, rng):
    """N_BODIES case bodies, one JSON a line; the places spread over the Tongzhou communities."""
    weights = [w for _, w in TYPES]
    kinds = [t for t, _ in TYPES]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(N_BODIES):
            title, text = texts[i % len(texts)]
            town, community = rng.choice(ref["communities"])
            body = {"type": rng.choices(kinds, weights)[0], "source": "hotline",
                    "title": title, "text": text,
                    "address": f"北京市通州区{town['name']}{community['short_name']}"
                               f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元"}
            if rng.random() < 0.85:
                body["caller"] = {"name": rng.choice(SURNAMES) + rng.choice(("先生", "女士")),
                                  "phone": "13%d%08d" % (rng.randint(0, 9),
                                                         rng.randint(0, 99999999))}
            if mode == "given":
                cat = rng.choice(ref["leaf_categories"])
                unit = cat.get("department") if cat.get("handling") == "department" else None
                unit = unit.get("code") if isinstance(unit, dict) else unit
                body["category"] = cat["code"]
                body["unit"] = unit if unit in ref["unit_codes"] else town["code"]
            f.write(json.dumps(body, ensure_ascii=False) + "\n")


# -------------------------------------------------------------------------------------- server

def http_get(port, path, key=None, timeout=30):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if key:
        req.add_header("Authorization", "Bearer " + key)
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, json.loads(resp.read().decode("utf-8"))


def server_env():
    """The environment for jiesu: a fresh contact key per database, the repository's data."""
    env = {k: v for k, v in os.environ.items() if k != "JIESU_SECRET_KEY"}
    env["JIESU_DATA_DIR"] = os.path.join(ROOT, "data")
    return env


def operator_key(args, db_url, cwd):
    return create_key(args.jiesu, db_url, cwd, server_env(), "operator", "intake bench")


def reference_data(port, key):
    _, towns = http_get(port, "/api/v1/units?level=township", key)
    _, comms = http_get(port, "/api/v1/units?level=community", key)
    _, depts = http_get(port, "/api/v1/units?level=department", key)
    _, cats = http_get(port, "/api/v1/categories", key)
    by_code = {u["code"]: u for u in towns["units"]}
    communities = [(by_code[c["parent"]], c) for c in comms["units"] if c["parent"] in by_code]
    return {"communities": communities,
            "unit_codes": {u["code"] for u in towns["units"] + comms["units"] + depts["units"]},
            "leaf_categories": [c for c in cats["categories"] if c.get("parent")]}


def run_wrk(args, port, key, bodies, seconds, out_json, path="/healthz"):
    env = dict(os.environ, INTAKE_KEY=key, INTAKE_BODIES=bodies or "", INTAKE_OUT=out_json,
               INTAKE_PATH=path)
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{seconds}s",
           "--timeout", "10s", "-s", LUA, f"http://127.0.0.1:{port}"]
    before = os.times()
    p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=seconds + 120)
    after = os.times()
    if p.returncode != 0:
        raise BenchError(f"wrk exited with {p.returncode}: {p.stdout[-1000:]}{p.stderr[-1000:]}")
    with open(out_json) as f:
        r = json.load(f)
    r["wrk_cpu"] = (after.children_user - before.children_user
                    + after.children_system - before.children_system)
    return r


def measure_http(args, server, key, bodies, tag, workdir, pg_pid=None, path="/healthz"):
    """Warm-up, then the measured wrk run (POST the bodies, or GET `path` without them);
    throughput, latency and CPU per request."""
    if args.warmup > 0:
        run_wrk(args, server.port, key, bodies, args.warmup,
                os.path.join(workdir, f"{tag}-warmup.json"), path)
    seconds = args.seconds if bodies else args.ceiling_seconds
    cpu0 = cpu_seconds(server.pid)
    pg0 = children_cpu_seconds(pg_pid) if pg_pid else 0.0
    r = run_wrk(args, server.port, key, bodies, seconds, os.path.join(workdir, f"{tag}.json"),
                path)
    cpu = cpu_seconds(server.pid) - cpu0
    pg_cpu = (children_cpu_seconds(pg_pid) - pg0) if pg_pid else 0.0
    e = r["errors"]
    n = max(r["requests"], 1)
    return {"tput": r["requests"] / (r["duration_us"] / 1e6), "p50": r["latency_us"]["50"] / 1e3,
            "p99": r["latency_us"]["99"] / 1e3, "n": r["requests"], "non2xx": e["status"],
            "socket_errors": e["connect"] + e["read"] + e["write"] + e["timeout"],
            "server_cpu_us": cpu / n * 1e6, "wrk_cpu_us": r["wrk_cpu"] / n * 1e6,
            "pg_cpu_us": pg_cpu / n * 1e6 if pg_pid else None}


def short_symbol(line):
    """A perf report line without its padding and with C++ template arguments elided."""
    line = re.sub(r"\s+", " ", line).strip()
    line = re.sub(r" -( -)*$", "", line)
    for _ in range(20):  # innermost first; \x00 stands for an elided "<…>"
        shorter = re.sub(r"<[^<>]*>", "\x00", line)
        if shorter == line:
            break
        line = shorter
    return line.replace("\x00", "<…>").replace("nlohmann::json_abi_v3_11_2::", "nlohmann::")


# Where the server's time goes, as perf's "children" share (the function and what it calls).
PERF_FUNCTIONS = (
    ("httplib::Server::process_request", "HTTP request handling, all of it"),
    ("jiesu::service::CaseService::Create", "CaseService::Create"),
    ("jiesu::dispatch::Router::Propose", "  router proposal (classifier, places)"),
    ("jiesu::service::CaseService::FindDuplicates", "  duplicate check"),
    ("Database::ListCases", "    its query (ListCases)"),
    ("jiesu::storage::CaseFromDocText", "      decoding case documents (JSON)"),
    ("sqlite3_step", "      SQLite steps (all queries)"),
    ("PQexecPrepared", "      libpq round trips (all, prepared)"),
    ("PQexecParams", "      libpq round trips (all, unprepared)"),
    ("Database::CreateCases", "  storing the case (CreateCases)"),
    ("WriterLoop", "SQLite writer thread (group commit)"),
    ("CaseToJson", "response JSON"),
)


def perf_profile(args, server, key, bodies, workdir, tag):
    """perf record (DWARF call graphs) on the server for --perf seconds of a run of the first
    mode: the share of its CPU in the functions above, and the top functions by self time."""
    out = os.path.join(workdir, f"{tag}.perf.data")
    env = dict(os.environ, INTAKE_KEY=key, INTAKE_BODIES=bodies, INTAKE_OUT=out + ".json")
    wrk = subprocess.Popen(["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d",
                            f"{args.perf + 4}s", "--timeout", "10s", "-s", LUA,
                            f"http://127.0.0.1:{server.port}"], env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        time.sleep(2)
        p = subprocess.run(["perf", "record", "--call-graph", "dwarf,16384", "-F", "499", "-o",
                            out, "-p", str(server.pid), "--", "sleep", str(args.perf)],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=args.perf + 120)
        if p.returncode != 0:
            return [f"perf record failed: {p.stderr.strip()[-300:]}"]
    finally:
        wrk.wait()

    def report(extra):
        rep = subprocess.run(["perf", "report", "-i", out, "--stdio", "--sort", "symbol",
                              "-g", "none"] + extra, stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=600)
        return [ln for ln in rep.stdout.splitlines() if ln.strip() and not ln.startswith("#")]

    lines = [f"share of the server's CPU ({args.perf} s, perf --call-graph dwarf; a function "
             "with what it calls):"]
    children = report(["--children"])
    for needle, label in PERF_FUNCTIONS:
        for ln in children:
            if needle in ln:
                lines.append(f"  {ln.split()[0]:>7}  {label}")
                break
    lines.append("top functions by self time:")
    lines += ["  " + short_symbol(ln) for ln in report(["--no-children", "--percent-limit",
                                                         "1.5"])][:18]
    os.remove(out)
    return lines


def dup_check_probe(backend, path=None, cluster=None, db=None):
    """The duplicate check's query as jiesu issues it (storage/case_filter_sql.cpp) for the
    busiest township (with its communities) and the busiest department, on the store the run
    left: rows, time and plan. Lines of text."""
    open_st = "('received','dispatched','accepted','objected','replied','called_back')"
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True) if backend == "sqlite" else None

    def query(sql, params=()):
        if con:
            return con.execute(sql, params).fetchall()
        return [ln.split("|") for ln in cluster.psql(db, sql).splitlines() if ln]

    try:
        n_open = int(query("SELECT count(*) FROM cases WHERE status IN " + open_st)[0][0])
        created = int(query("SELECT coalesce(max(created_at), 0) FROM cases")[0][0])
        units = {code: (level, parent) for code, level, parent in
                 query("SELECT code, level, parent FROM units")}
        busiest = {}
        for unit, n in query("SELECT unit, count(*) FROM cases WHERE unit <> '' GROUP BY unit"):
            level, parent = units.get(unit, ("", ""))
            top = parent if level == "community" else unit
            busiest[top] = busiest.get(top, 0) + int(n)
        lines = [f"{n_open} open cases in the store"]
        for level in ("township", "department"):
            tops = sorted((n, u) for u, n in busiest.items() if units.get(u, ("",))[0] == level)
            if not tops:
                continue
            code = tops[-1][1]
            subtree = [u for u, (_, parent) in units.items() if u == code or parent == code]
            where = (f"unit IN ({','.join(repr(u) for u in subtree)}) AND status IN {open_st} "
                     f"AND created_at>={created - 30 * 86400}")
            sql = f"SELECT doc FROM cases WHERE 1=1 AND {where} ORDER BY id DESC LIMIT 500"
            if con:
                plan = "; ".join(r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql))
                times, n = [], 0
                for _ in range(7):
                    t = time.perf_counter()
                    n = len(con.execute(sql).fetchall())
                    times.append((time.perf_counter() - t) * 1e3)
                took = f"{statistics.median(times):.1f} ms (median of 7, Python's sqlite3)"
            else:
                for _ in range(2):
                    cluster.psql(db, sql)  # warm the cache like the running server's
                out = cluster.psql(db, "EXPLAIN ANALYZE " + sql).splitlines()
                took = next((ln.split(":", 1)[1].strip() for ln in out
                             if ln.startswith("Execution Time")), "?") + " (EXPLAIN ANALYZE)"
                plan = " / ".join(ln.strip().lstrip("-> ").split("  (")[0] for ln in out
                                  if "(cost=" in ln)
                n = cluster.psql(db, f"SELECT count(*) FROM (SELECT 1 FROM cases WHERE {where} "
                                     "LIMIT 500) x").strip()
            lines.append(f"{level} {code} ({len(subtree)} units, {busiest[code]} cases): "
                         f"{n} rows in {took}; plan: {plan}")
        return lines
    finally:
        if con:
            con.close()


# ------------------------------------------------------------------------------ SQLite ceiling

def sqlite_templates(db_path):
    """The last N_TEMPLATES cases jiesu stored: (case row values, [event rows], sealed or None)."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        cases = con.execute(f"SELECT id, {CASE_COLS} FROM cases ORDER BY id DESC LIMIT ?",
                            (N_TEMPLATES,)).fetchall()
        out = []
        for row in cases:
            events = con.execute(f"SELECT {EVENT_COLS} FROM case_events WHERE case_id=? "
                                 "ORDER BY seq", (row[0],)).fetchall()
            sealed = con.execute("SELECT sealed FROM case_contacts WHERE case_id=?",
                                 (row[0],)).fetchone()
            out.append((row[1:], events, sealed[0] if sealed else None))
        return out
    finally:
        con.close()


def sqlite_ceiling(args, db_path, templates, batch, seconds):
    """Inserts copies of `templates` for `seconds`, `batch` cases per transaction, into db_path
    (a fresh database that jiesu migrated); cases/s and the latency of each commit in ms."""
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    case_sql = f"INSERT INTO cases(id, {CASE_COLS}) VALUES (?{',?' * 16})"
    event_sql = f"INSERT INTO case_events(case_id, {EVENT_COLS}) VALUES (?,?,?,?,?,?,?,?,?)"
    contact_sql = "INSERT INTO case_contacts(case_id, sealed) VALUES (?,?)"
    next_id = (con.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM cases").fetchone()[0])
    lat, n, i = [], 0, 0

    def one_batch():
        nonlocal next_id, i
        rows, events, contacts = [], [], []
        for _ in range(batch):
            case, evs, sealed = templates[i % len(templates)]
            i += 1
            rows.append((next_id,) + tuple(case))
            events.extend((next_id,) + tuple(e) for e in evs)
            if sealed is not None:
                contacts.append((next_id, sealed))
            next_id += 1
        t = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.executemany(case_sql, rows)
        con.executemany(event_sql, events)
        con.executemany(contact_sql, contacts)
        con.execute("COMMIT")
        return time.perf_counter() - t

    end = now() + args.warmup
    while now() < end:
        one_batch()
    t0 = now()
    end = t0 + seconds
    while now() < end:
        lat.append(one_batch() * 1e3)
        n += batch
    elapsed = now() - t0
    con.close()
    return {"tput": n / elapsed, "p50": percentile(lat, 50), "p99": percentile(lat, 99), "n": n}


# -------------------------------------------------------------------------- PostgreSQL ceiling

class PgCluster:
    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "pg")
        run([PG_TEST, "start", self.dir], timeout=180)
        with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
            self.pid = int(f.readline())
        self.version = run(["psql", "-h", self.dir, "-U", "postgres", "-At", "-c",
                            "SHOW server_version"]).strip()

    def url(self, db):
        return f"postgresql:///{db}?host={self.dir}&user=postgres"

    def psql(self, db, sql):
        return run(["psql", "-h", self.dir, "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1",
                    "-At", "-c", sql])

    def createdb(self, db):
        run(["createdb", "-h", self.dir, "-U", "postgres", "-E", "UTF8", "-T", "template0", db])

    def dropdb(self, db):
        subprocess.run(["dropdb", "-h", self.dir, "-U", "postgres", "--if-exists", "--force", db],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=120)

    def stop(self):
        subprocess.run([PG_TEST, "stop", self.dir], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=120)


def pg_copy(cluster, src_db, dst_db, select_sql, table):
    dump = subprocess.Popen(["psql", "-h", cluster.dir, "-U", "postgres", "-d", src_db, "-At",
                             "-c", f"COPY ({select_sql}) TO STDOUT"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    load = subprocess.run(["psql", "-h", cluster.dir, "-U", "postgres", "-d", dst_db,
                           "-v", "ON_ERROR_STOP=1", "-c", f"COPY {table} FROM STDIN"],
                          stdin=dump.stdout, capture_output=True, text=True, timeout=300)
    dump.stdout.close()
    if dump.wait() != 0 or load.returncode != 0:
        raise BenchError(f"copying {table}: {load.stderr[-800:]}")


def pg_prepare_ceiling(cluster, src_db, dst_db):
    """Copies the last N_TEMPLATES cases of src_db (jiesu's) into template tables of dst_db (a
    fresh database that jiesu migrated); doc and payload kept as text, so that the server parses
    them into jsonb on every insert as it does for jiesu. Returns how many."""
    cluster.psql(dst_db, f"""
        CREATE TABLE bench_case_tpl (k INT PRIMARY KEY, version INT, status TEXT, type TEXT,
          source TEXT, unit TEXT, category TEXT, title TEXT, text TEXT, address TEXT,
          created_at BIGINT, updated_at BIGINT, dispatched_at BIGINT, replied_at BIGINT,
          due BIGINT, merged_into BIGINT, doc TEXT, sealed BYTEA);
        CREATE TABLE bench_event_tpl (k INT, seq INT, at BIGINT, kind TEXT, actor_role TEXT,
          actor_unit TEXT, actor_name TEXT, unit TEXT, payload TEXT);
        CREATE INDEX ON bench_event_tpl(k);""")
    picked = (f"SELECT id, row_number() OVER (ORDER BY id) AS k FROM "
              f"(SELECT id FROM cases ORDER BY id DESC LIMIT {N_TEMPLATES}) last")
    pg_copy(cluster, src_db, dst_db,
            f"SELECT p.k, {', '.join('c.' + c.strip() for c in CASE_COLS.split(','))}, "
            f"ct.sealed FROM ({picked}) p JOIN cases c ON c.id = p.id "
            f"LEFT JOIN case_contacts ct ON ct.case_id = c.id", "bench_case_tpl")
    pg_copy(cluster, src_db, dst_db,
            f"SELECT p.k, {', '.join('e.' + c.strip() for c in EVENT_COLS.split(','))} "
            f"FROM ({picked}) p JOIN case_events e ON e.case_id = p.id", "bench_event_tpl")
    cluster.psql(dst_db, "ANALYZE bench_case_tpl; ANALYZE bench_event_tpl;")
    return int(cluster.psql(dst_db, "SELECT count(*) FROM bench_case_tpl").strip())


PGBENCH_SCRIPT = """\\set k random(1, {n})
WITH t AS (SELECT * FROM bench_case_tpl WHERE k = :k),
c AS (INSERT INTO cases({cols})
      SELECT {tcols} FROM t RETURNING id),
e AS (INSERT INTO case_events(case_id, {ecols})
      SELECT c.id, {evcols} FROM c, bench_event_tpl v WHERE v.k = :k)
INSERT INTO case_contacts(case_id, sealed) SELECT c.id, t.sealed FROM c, t WHERE t.sealed IS NOT NULL;
"""


def pg_ceiling(args, cluster, db, n_tpl, clients, seconds, workdir, tag):
    """pgbench, one case (row, events, contact) per transaction, synchronous_commit on."""
    script = os.path.join(workdir, f"{tag}.sql")
    case_cols = [c.strip() for c in CASE_COLS.split(",")]
    event_cols = [c.strip() for c in EVENT_COLS.split(",")]
    with open(script, "w") as f:
        f.write(PGBENCH_SCRIPT.format(
            n=n_tpl, cols=", ".join(case_cols),
            tcols=", ".join("doc::jsonb" if c == "doc" else c for c in case_cols),
            ecols=", ".join(event_cols),
            evcols=", ".join("v.payload::jsonb" if c == "payload" else "v." + c
                             for c in event_cols)))
    base = [os.path.join(PG_BIN, "pgbench"), "-h", cluster.dir, "-U", "postgres", "-n",
            "-M", "prepared", "-c", str(clients), "-j", str(min(args.threads, clients)),
            "-f", script]
    if args.warmup > 0:
        run(base + ["-T", str(args.warmup), db], timeout=args.warmup + 120)
    logdir = os.path.join(workdir, f"{tag}-log")
    os.makedirs(logdir, exist_ok=True)
    pg0 = children_cpu_seconds(cluster.pid)
    out = run(base + ["-T", str(seconds), "-l", "--log-prefix", os.path.join(logdir, "pgbench"),
                      db], timeout=seconds + 120)
    pg_cpu = children_cpu_seconds(cluster.pid) - pg0
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    lat = []
    for name in os.listdir(logdir):
        with open(os.path.join(logdir, name)) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[2].isdigit():
                    lat.append(int(parts[2]) / 1e3)
    shutil.rmtree(logdir, ignore_errors=True)
    if not m:
        raise BenchError("pgbench printed no tps:\n" + out[-1500:])
    n = max(len(lat), 1)
    return {"tput": float(m.group(1)), "p50": percentile(lat, 50), "p99": percentile(lat, 99),
            "n": len(lat), "failed": int(failed.group(1)) if failed else 0,
            "pg_cpu_us": pg_cpu / n * 1e6}


# ------------------------------------------------------------------------------------- one run

def status_counts(backend, db_path=None, cluster=None, db=None):
    sql = "SELECT status, count(*) FROM cases GROUP BY status"
    if backend == "sqlite":
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return dict(con.execute(sql).fetchall())
        finally:
            con.close()
    out = cluster.psql(db, sql)
    return {k: int(v) for k, v in (ln.split("|") for ln in out.strip().splitlines() if ln)}


def run_backend(args, backend, run_no, ref_holder, texts, workdir, cluster, rng):
    """One run on one backend: {measurement name: figures}."""
    res = {}
    rdir = os.path.join(workdir, f"{backend}-run{run_no}")
    os.makedirs(rdir, exist_ok=True)
    pg_pid = cluster.pid if cluster else None

    def fresh_store(name):
        if backend == "sqlite":
            path = os.path.join(rdir, f"{name}.db")
            return f"sqlite:{path}", path, None
        db = f"bench_{run_no}_{name}"
        cluster.dropdb(db)
        cluster.createdb(db)
        return cluster.url(db), None, db

    router_store = None
    for i, mode in enumerate(args.modes):
        url, path, db = fresh_store(mode)
        key = operator_key(args, url, rdir)
        config = (f"[http]\nrate_per_second = 0\nthreads = {max(64, args.connections)}\n"
                  + ("[dispatch]\nduplicate_window_days = 0\n" if mode == "nodup" else ""))
        server = Server(args.jiesu, url, rdir, server_env(), f"serve-{mode}", config,
                        extra_args=["--model", args.model] if args.model else [])
        try:
            http_get(server.port, "/api/v1/me", key)  # the key's argon2id check, once
            if ref_holder.get("ref") is None:
                ref_holder["ref"] = reference_data(server.port, key)
            bodies = os.path.join(workdir, f"bodies-{'given' if mode == 'given' else 'router'}"
                                           ".jsonl")
            if not os.path.exists(bodies):
                make_bodies(bodies, "given" if mode == "given" else "router", texts,
                            ref_holder["ref"], rng)
            if i == 0:  # the HTTP ceilings, on the empty database
                res["healthz"] = measure_http(args, server, key, None, f"{backend}-{run_no}-hz",
                                              rdir, pg_pid, "/healthz")
                if args.me:
                    res["me"] = measure_http(args, server, key, None, f"{backend}-{run_no}-me",
                                             rdir, pg_pid, "/api/v1/me")
            res[mode] = measure_http(args, server, key, bodies, f"{backend}-{run_no}-{mode}",
                                     rdir, pg_pid)
            if args.perf and run_no == args.runs and mode == args.modes[0]:
                res["perf"] = perf_profile(args, server, key, bodies, rdir, f"{backend}-{mode}")
        finally:
            server.stop()
        res[mode]["status"] = status_counts(backend, path, cluster, db)
        if i == 0 and run_no == args.runs:
            res["probe"] = dup_check_probe(backend, path, cluster, db)
        res[mode]["log_errors"] = sum(1 for ln in open(server.err_path, errors="replace")
                                      if "[error]" in ln or "[critical]" in ln)
        if mode == args.modes[0]:
            router_store = (url, path, db)
        elif backend == "postgres":
            cluster.dropdb(db)

    # The storage ceiling: the rows of the first mode's database, into fresh databases.
    url, path, db = router_store
    if backend == "sqlite":
        templates = sqlite_templates(path)
        for batch in (1, args.batch):
            ceil_url, ceil_path, _ = fresh_store(f"ceiling{batch}")
            operator_key(args, ceil_url, rdir)  # jiesu makes the schema
            res[f"sqlite{batch}"] = sqlite_ceiling(args, ceil_path, templates, batch,
                                                   args.ceiling_seconds)
        res["templates"] = len(templates)
        res["events_per_case"] = sum(len(t[1]) for t in templates) / max(len(templates), 1)
    else:
        ceil_url, _, ceil_db = fresh_store("ceiling")
        operator_key(args, ceil_url, rdir)
        n_tpl = pg_prepare_ceiling(cluster, db, ceil_db)
        for clients in args.pg_clients:
            res[f"pg{clients}"] = pg_ceiling(args, cluster, ceil_db, n_tpl, clients,
                                             args.ceiling_seconds, rdir, f"pg-{run_no}-{clients}")
        res["templates"] = n_tpl
        res["events_per_case"] = float(cluster.psql(
            ceil_db, "SELECT count(*)::float / (SELECT count(*) FROM bench_case_tpl) "
                     "FROM bench_event_tpl").strip())
        cluster.dropdb(ceil_db)
        cluster.dropdb(db)
    if not args.keep:
        for name in os.listdir(rdir):
            if name.endswith((".db", ".db-wal", ".db-shm")):
                os.remove(os.path.join(rdir, name))
    return res


# ------------------------------------------------------------------------------------- figures

def fmt_rate(x):
    return f"{x:,.0f}"


def fmt_ms(x):
    if x != x:
        return "—"
    return f"{x:.2f} ms" if x < 10 else f"{x:.0f} ms"


MODE_LABEL = {
    "router": "jiesu `POST /api/v1/cases`, router decides",
    "given": "jiesu `POST /api/v1/cases`, category and unit given",
    "nodup": "jiesu `POST /api/v1/cases`, router decides, duplicate window 0 days",
}


def backend_table(args, backend, runs, pg_version):
    """Markdown lines for one backend: medians over the runs."""
    def med(name, field):
        vals = [r[name][field] for r in runs if name in r and r[name].get(field) is not None]
        return statistics.median(vals) if vals else float("nan")

    def med_ratio(mode, ceiling):
        vals = [r[mode]["tput"] / r[ceiling]["tput"] for r in runs if r[ceiling]["tput"] > 0]
        return statistics.median(vals)

    def per_run(name):
        return ", ".join(fmt_rate(r[name]["tput"]) for r in runs)

    http = [("healthz", "HTTP ceiling: `GET /healthz`, same server, same wrk settings", "req/s")]
    if all("me" in r for r in runs):
        http.append(("me", "(HTTP without the store: `GET /api/v1/me`, same settings)",
                     "req/s"))
    if backend == "sqlite":
        ceilings = http + [
            ("sqlite1", "storage ceiling: one case per transaction, one writer", "cases/s"),
            (f"sqlite{args.batch}",
             f"storage ceiling: {args.batch} cases per transaction (group commit; latency of "
             "a whole batch)", "cases/s")]
        title = "SQLite file (WAL, `synchronous=FULL`)"
    else:
        ceilings = http + [
            (f"pg{c}", f"storage ceiling: pgbench, {c} clients, one case per transaction",
             "cases/s") for c in args.pg_clients]
        title = f"PostgreSQL {pg_version} (`synchronous_commit=on`, throwaway local server)"
    modes = args.modes
    lines = [f"#### {title} — medians of {len(runs)} runs", ""]
    head = "| measurement | throughput | p50 | p99 | per run |"
    sep = "| --- | ---: | ---: | ---: | --- |"
    for m in modes:
        head += f" {m} ÷ this |"
        sep += " ---: |"
    lines += [head, sep]
    for m in modes:
        st = {}
        for r in runs:
            for k, v in r[m]["status"].items():
                st[k] = st.get(k, 0) + v
        total = sum(st.values()) or 1
        share = st.get("dispatched", 0) / total
        lines.append(f"| {MODE_LABEL[m]} ({share:.0%} dispatched) | {fmt_rate(med(m, 'tput'))} "
                     f"cases/s | {fmt_ms(med(m, 'p50'))} | {fmt_ms(med(m, 'p99'))} | "
                     f"{per_run(m)} |" + " |" * len(modes))
    for name, label, unit in ceilings:
        row = (f"| {label} | {fmt_rate(med(name, 'tput'))} {unit} | {fmt_ms(med(name, 'p50'))} | "
               f"{fmt_ms(med(name, 'p99'))} | {per_run(name)} |")
        for m in modes:
            row += f" {med_ratio(m, name):.3f} |"
        lines.append(row)
    lines.append("")
    # The goal: >= 10,000 cases/s and within 2x of the lower ceiling.
    storage = [n for n, _, _ in ceilings if n not in ("healthz", "me")]
    best_storage = storage[-1] if backend == "sqlite" else storage[0]
    lower = "healthz" if med("healthz", "tput") < med(best_storage, "tput") else best_storage
    main = modes[0]
    tput = med(main, "tput")
    ratio = med_ratio(main, lower)
    lines.append(f"Goal (issue 7): ≥ 10,000 durable cases/s and ≥ 0.5 × the lower ceiling. "
                 f"{MODE_LABEL[main].replace('jiesu `POST /api/v1/cases`, ', '')}: "
                 f"{fmt_rate(tput)} cases/s = {tput / 10000:.1%} of 10,000 "
                 f"({10000 / tput:.0f}× short); lower ceiling = "
                 f"{'HTTP' if lower == 'healthz' else 'storage'} "
                 f"({fmt_rate(med(lower, 'tput'))}/s), jiesu at {ratio:.3f} of it "
                 f"(goal 0.5: {0.5 / ratio:.0f}× short)." if tput < 10000 or ratio < 0.5 else
                 f"Goal (issue 7) met: {fmt_rate(tput)} cases/s, {ratio:.3f} of the lower ceiling.")
    lines.append("")
    # CPU per request.
    lines.append("CPU per request (medians; the machine has "
                 f"{os.cpu_count()} cores, shared by wrk, jiesu"
                 + (" and PostgreSQL" if backend == "postgres" else "") + "):")
    lines.append("")
    lines.append("| measurement | jiesu CPU | wrk CPU | PostgreSQL CPU | non-2xx | socket errors |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in [n for n, _, _ in http] + list(modes):
        pg = med(name, "pg_cpu_us")
        lines.append(f"| {name} | {med(name, 'server_cpu_us'):,.0f} µs | "
                     f"{med(name, 'wrk_cpu_us'):,.0f} µs | "
                     f"{'—' if pg != pg else f'{pg:,.0f} µs'} | "
                     f"{sum(r[name]['non2xx'] for r in runs)} | "
                     f"{sum(r[name]['socket_errors'] for r in runs)} |")
    if backend == "postgres":
        for c in args.pg_clients:
            lines.append(f"| pgbench {c} clients | — | — | {med(f'pg{c}', 'pg_cpu_us'):,.0f} µs "
                         f"| {sum(r[f'pg{c}'].get('failed', 0) for r in runs)} failed | — |")
    lines.append("")
    log_errors = sum(r[m].get("log_errors", 0) for r in runs for m in modes)
    if log_errors:
        lines += [f"The servers logged {log_errors} [error] or [critical] lines (kept with "
                  "--keep).", ""]
    lines.append(f"Storage ceiling rows: the last {runs[0]['templates']} cases jiesu stored in "
                 f"the {main} run, {statistics.mean(r['events_per_case'] for r in runs):.2f} "
                 "events per case, each with its sealed contact when it had one.")
    lines.append("")
    return lines


def busy_processes():
    """Other processes using at least 10% of a CPU right now (top, over one second)."""
    try:
        out = subprocess.run(["top", "-b", "-n", "2", "-d", "1", "-w", "512", "-c", "-o", "%CPU"],
                             capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    block = out.split("\ntop - ")[-1].splitlines()
    head = next((i for i, ln in enumerate(block) if ln.lstrip().startswith("PID")), None)
    busy = []
    for ln in block[head + 1:] if head is not None else []:
        f = ln.split(None, 11)
        if len(f) < 12:
            continue
        try:
            cpu = float(f[8])
        except ValueError:
            continue
        if cpu < 10 or f[11].startswith("top "):
            continue
        argv = f[11].split()
        busy.append(f"{cpu:.0f}% {' '.join([os.path.basename(argv[0])] + argv[1:4])[:70]}")
    return "; ".join(busy[:6]) or "none above 10% of a CPU"


def machine_lines():
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                                  timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""
    return [f"nproc: {sh('nproc')}; kernel: {platform.release()}; "
            f"date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
            "", "```", sh("lscpu | head -n 15"), "```"]


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--jiesu", default=os.path.join(ROOT, "build", "jiesu"),
                    help="the jiesu binary, a Release build (default build/jiesu)")
    ap.add_argument("--backends", default="sqlite,postgres", help="default sqlite,postgres")
    ap.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads, pgbench -j (default 2)")
    ap.add_argument("--seconds", type=int, default=20,
                    help="measured time of each jiesu intake run (default 20)")
    ap.add_argument("--ceiling-seconds", type=int, default=8,
                    help="measured time of each ceiling (default 8; they vary less than jiesu)")
    ap.add_argument("--warmup", type=int, default=2,
                    help="warm-up before each measurement, same load (default 2)")
    ap.add_argument("--runs", type=int, default=3, help="runs; medians reported (default 3)")
    ap.add_argument("--modes", default="router",
                    help="intake modes, comma-separated: router, given, nodup (default router; "
                    "the first is the one judged against the goal)")
    ap.add_argument("--batch", type=int, default=None,
                    help="SQLite ceiling's cases per transaction (default: --connections, the "
                    "most writes jiesu's writer can find queued)")
    ap.add_argument("--pg-clients", default=None,
                    help="pgbench client counts, comma-separated (default: --connections)")
    ap.add_argument("--model", default=None,
                    help="category model for the server (default build/category.model when "
                    "present; 'none': the catalogue's keywords)")
    ap.add_argument("--requests", default=DEFAULT_REQUESTS,
                    help="folder of the shared request CSVs for the texts")
    ap.add_argument("--no-me", dest="me", action="store_false",
                    help="skip the second HTTP figure, GET /api/v1/me (authenticated, no store)")
    ap.add_argument("--perf", type=int, default=0,
                    help="profile the server for this many seconds (perf record -g) during one "
                    "more run of the first mode after the last run, per backend (default off)")
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--out", default=None, help="append the Markdown tables to this file")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not args.backends or any(b not in ("sqlite", "postgres") for b in args.backends):
        ap.error("--backends: sqlite and/or postgres")
    if not args.modes or any(m not in MODES for m in args.modes):
        ap.error("--modes: " + ", ".join(MODES))
    if min(args.connections, args.threads, args.seconds, args.ceiling_seconds, args.runs) < 1 \
            or args.warmup < 0:
        ap.error("counts and times must be positive")
    args.batch = args.batch or args.connections
    args.pg_clients = [int(c) for c in (args.pg_clients or str(args.connections)).split(",")]
    if args.model is None:
        args.model = DEFAULT_MODEL if os.path.exists(DEFAULT_MODEL) else ""
    elif args.model == "none":
        args.model = ""
    if args.model:
        args.model = os.path.abspath(args.model)
    if not os.access(args.jiesu, os.X_OK):
        ap.error(f"{args.jiesu}: not an executable (make build)")
    args.jiesu = os.path.abspath(args.jiesu)
    if shutil.which("wrk") is None:
        ap.error("wrk is not installed (apt-get install wrk)")
    if "postgres" in args.backends and not os.path.exists(os.path.join(PG_BIN, "pgbench")):
        ap.error(f"no pgbench in {PG_BIN} (apt-get install postgresql-15)")
    return args


def main(argv):
    args = parse_args(argv)
    rng = random.Random(args.seed)
    texts, texts_note = load_texts(args.requests, rng)
    workdir = tempfile.mkdtemp(prefix="jiesu-intake-")
    # Others may rebuild build/ meanwhile: every server of the run starts from this copy.
    pinned = os.path.join(workdir, "jiesu")
    shutil.copy2(args.jiesu, pinned)
    binary_note = (f"{os.path.relpath(args.jiesu, ROOT)} of "
                   f"{datetime.fromtimestamp(os.path.getmtime(args.jiesu)).strftime('%Y-%m-%d %H:%M')}")
    args.jiesu = pinned
    t_start = now()
    load_before = os.getloadavg()
    busy_before = busy_processes()
    log(f"intake bench: {args.backends}, modes {args.modes}, {args.connections} connections, "
        f"{args.runs} runs of {args.seconds} s (ceilings {args.ceiling_seconds} s), warm-up "
        f"{args.warmup} s; work dir {workdir}")
    log(f"  texts: {texts_note}; model: {args.model or 'none (catalogue keywords)'}")
    log(f"  load average before: {' '.join(f'{x:.2f}' for x in load_before)}; busy: "
        f"{busy_before}")
    cluster = None
    results = {b: [] for b in args.backends}
    ref_holder = {}
    failed = False
    try:
        if "postgres" in args.backends:
            cluster = PgCluster(workdir)
        for run_no in range(1, args.runs + 1):
            for backend in args.backends:
                t0 = now()
                r = run_backend(args, backend, run_no, ref_holder, texts, workdir,
                                cluster if backend == "postgres" else None, rng)
                results[backend].append(r)
                parts = [f"{k} {fmt_rate(v['tput'])}/s p99 {fmt_ms(v['p99'])}"
                         for k, v in r.items() if isinstance(v, dict) and "tput" in v]
                log(f"  run {run_no} {backend} ({now() - t0:.0f} s): " + "; ".join(parts)
                    + f"; load {os.getloadavg()[0]:.2f}")
    except (BenchError, OSError, subprocess.SubprocessError) as e:
        log(f"FAILED: {e}")
        failed = True
    finally:
        if cluster:
            cluster.stop()
    load_after = os.getloadavg()
    busy_after = busy_processes()
    total = now() - t_start
    if failed or not all(results.values()):
        log(f"work dir kept: {workdir}")
        return 1
    md = [f"Run of {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M')}, {total:.0f} s: "
          f"`python3 bench/intake_bench.py {' '.join(argv)}`".rstrip() + "; "
          f"{args.connections} connections, wrk {args.threads} threads, {args.seconds} s per "
          f"intake run, {args.ceiling_seconds} s per ceiling, {args.warmup} s warm-up each, "
          f"{args.runs} runs; binary {binary_note}. Texts: {texts_note}. Category model: "
          f"{os.path.relpath(args.model, ROOT) if args.model else 'none'}. Load average "
          f"(1/5/15 min) before {' / '.join(f'{x:.2f}' for x in load_before)}, after "
          f"{' / '.join(f'{x:.2f}' for x in load_after)}. Other processes busy before: "
          f"{busy_before}; after: {busy_after}.", ""]
    for backend in args.backends:
        md += backend_table(args, backend, results[backend],
                            cluster.version if cluster else "")
        probe = [r["probe"] for r in results[backend] if "probe" in r]
        if probe:
            md += [f"The duplicate check's query after the last {args.modes[0]} run "
                   "(as jiesu issues it for a new case of that unit; 30-day window):", ""]
            md += [f"- {ln}" for ln in probe[0]] + [""]
        perf = [r["perf"] for r in results[backend] if "perf" in r]
        if perf:
            md += [f"Profile of the server during one more {args.modes[0]} run:", "", "```"]
            md += perf[0] + ["```", ""]
    md += machine_lines()
    text = "\n".join(md) + "\n"
    print()
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            f.write(text)
        log(f"appended to {args.out}")
    if args.keep:
        log(f"work dir kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

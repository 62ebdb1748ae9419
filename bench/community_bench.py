"""Public consultations at volume (docs/community.md): what grouping the opinions costs.

Runs `jiesu serve` (Release build, rate limiting off) on a fresh SQLite database, opens a
consultation with three sections and gives it N opinions (real citizen messages from
../shared/data/requests, about 7,400, spread over the sections; templated sentences beyond them or
when the data is absent, said so in the output). Then, alternating, --runs times each:

  baseline  GET /api/v1/consultations/{id}           reads every opinion record and counts them
  grouped   GET /api/v1/consultations/{id}/opinions  the same reads, then the similarity groups
                                                     per section and every opinion in the JSON
  xlsx      GET /api/v1/consultations/{id}/export    the grouped digest as a workbook

and prints the medians, the ratios to the baseline and the server's peak RSS (VmHWM).

  python3 bench/community_bench.py [--jiesu build/jiesu] [--opinions 2000] [--runs 7]
"""
import argparse
import csv
import http.client
import json
import os
import statistics
import sys
import tempfile

from jiesu_bench import ROOT, BenchError, Server, create_key, now

SECTIONS = [("第一章 总则", "第一条 为了推动建筑绿色发展……"),
            ("第二章 规划与建设", "第十条 新建民用建筑应当执行绿色建筑标准……"),
            ("第三章 既有建筑改造", "第二十条 鼓励对既有建筑实施节能绿色改造……")]


def texts(n):
    """n opinion texts: the shared real messages (unlabelled, replied, labelled-train; about 7,400
    in all), then templated sentences for the rest; and a word on where they came from."""
    out = []
    folder = os.path.join(ROOT, "..", "shared", "data", "requests")
    for name in ("unlabelled.csv", "replied.csv", "labelled-train.csv"):
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            continue
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                t = " ".join((row.get("text") or "").split())[:2000]
                if len(t) >= 5 and len(out) < n:
                    out.append(t)
    real = len(out)
    topics = ["节能改造补贴标准", "光伏屋顶产权", "绿色建材目录", "充电设施配建", "老旧小区加装电梯"]
    out += [f"建议第{i % 97}条明确{topics[i % len(topics)]}，并公开申请流程（{i}）"
            for i in range(real, n)]
    if real == n:
        return out, "real citizen messages from ../shared/data/requests"
    return out, f"{real} real citizen messages, {n - real} templated sentences"


def call(port, method, path, key, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        headers = {"Authorization": f"Bearer {key}"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        c.request(method, path, data, headers)
        r = c.getresponse()
        raw = r.read()
        if r.status >= 300:
            raise BenchError(f"{method} {path}: {r.status} {raw[:300]!r}")
        return raw
    finally:
        c.close()


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jiesu", default=os.path.join(ROOT, "build", "jiesu"))
    ap.add_argument("--opinions", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    if not os.access(args.jiesu, os.X_OK):
        raise BenchError(f"{args.jiesu} is not an executable (make build)")
    with tempfile.TemporaryDirectory(prefix="jiesu-community-bench-") as tmp:
        db = f"sqlite:{tmp}/c.db"
        env = dict(os.environ)
        sup = create_key(args.jiesu, db, tmp, env, "supervisor", "bench")
        pub = create_key(args.jiesu, db, tmp, env, "public", "bench")
        server = Server(args.jiesu, db, tmp, env, "serve", "[http]\nrate_per_second = 0\n")
        try:
            port = server.port
            c = json.loads(call(port, "POST", "/api/v1/consultations", sup, {
                "title": "基准测试征求意见", "summary": "", "office": "110112D01",
                "closes": "2099-01-01T00:00:00+08:00",
                "sections": [{"title": t, "text": x} for t, x in SECTIONS]}))
            base = f"/api/v1/consultations/{c['id']}"
            corpus, source = texts(args.opinions)
            t0 = now()
            for i, t in enumerate(corpus):
                call(port, "POST", base + "/opinions", pub, {"section": i % 3 + 1, "text": t})
            posted = now() - t0
            times = {"baseline": [], "grouped": [], "xlsx": []}
            paths = {"baseline": base, "grouped": base + "/opinions", "xlsx": base + "/export"}
            groups = None
            for _ in range(args.runs):
                for name in times:
                    t = now()
                    raw = call(port, "GET", paths[name], sup)
                    times[name].append(now() - t)
                    if name == "grouped":
                        groups = [len(s["groups"]) for s in json.loads(raw)["sections"]]
            hwm = vm_hwm_kib(server.pid)
        finally:
            server.stop()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"community_bench: {len(corpus)} opinions ({source}) over 3 sections, "
          f"posted one by one in {posted:.1f} s ({len(corpus) / posted:.0f}/s)")
    print(f"  groups per section: {groups}")
    print(f"  median of {args.runs}: baseline {med['baseline'] * 1000:.1f} ms, grouped "
          f"{med['grouped'] * 1000:.1f} ms ({med['grouped'] / med['baseline']:.1f}x), xlsx "
          f"{med['xlsx'] * 1000:.1f} ms ({med['xlsx'] / med['baseline']:.1f}x)")
    print(f"  server peak RSS {hwm / 1024:.1f} MiB")


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        print(f"community_bench: {e}", file=sys.stderr)
        sys.exit(1)

#!/usr/bin/env python3
"""jiesu's category classifier against Debian's fastText, side by side (issue 3, DESIGN §5).

On the same stratified 5 folds of ../shared/data/requests/labelled-train.csv (written once, with
a fixed seed) this trains and tests
  - fastText `supervised` with its defaults,
  - fastText with `-autotune-validation` on a stratified 80/20 split of each training fold,
  - fastText as DESIGN §5 describes its best configuration: character vectors pretrained with
    `fasttext skipgram` on the unlabelled messages, then 50 epochs, word bigrams,
    `-pretrainedVectors` (the baseline to beat),
  - jiesu (`jiesu model train` / `jiesu model eval`) with its recommended options,
and prints macro-F1 (mean ± sample std over the folds) and per-label F1. fastText reads exactly
the tokens jiesu's classifier sees (`jiesu model tokenize`), so tokenisation is the same.

Then it times classification of the same texts (all messages, repeated to about 7,000): the
wall time of `fasttext predict` and of `jiesu model eval`, both including process start and model
load, and jiesu's in-process docs/s as `model eval` reports it.

Results are printed and, with --append, added to docs/benchmarks.md with the machine's
description. Usage (from the repository root, after building build/jiesu):
  python3 bench/classifier_baseline.py [--jiesu build/jiesu] [--append] [--autotune-duration 60]
"""
import argparse
import csv
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "requests"))

# jiesu's recommended training options (docs/dispatch.md explains each).
JIESU_TRAIN_ARGS = []


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path, rows, fields=("id", "title", "text", "label")):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(fields), extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def stratified_folds(rows, k, seed):
    """Fold index per row: each label's rows shuffled with `seed`, dealt round-robin."""
    rng = random.Random(seed)
    by_label = defaultdict(list)
    for i, r in enumerate(rows):
        by_label[r["label"]].append(i)
    fold = [0] * len(rows)
    nxt = 0
    for label in sorted(by_label):
        idx = by_label[label]
        rng.shuffle(idx)
        for i in idx:
            fold[i] = nxt
            nxt = (nxt + 1) % k
    return fold


def scores(truth, predicted):
    labels = sorted(set(truth) | {p for p in predicted if p})
    per = {}
    for lab in labels:
        tp = sum(1 for t, p in zip(truth, predicted) if t == lab and p == lab)
        fp = sum(1 for t, p in zip(truth, predicted) if t != lab and p == lab)
        fn = sum(1 for t, p in zip(truth, predicted) if t == lab and p != lab)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per[lab] = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return sum(per.values()) / len(per), per


def fasttext_predict(model, tokens_file):
    out = run(["fasttext", "predict", model, tokens_file]).stdout.splitlines()
    return [line.split(" ")[0].replace("__label__", "", 1) for line in out]


def tokenize(jiesu, csv_path, out_path, labels):
    cmd = [jiesu, "model", "tokenize", "--data", csv_path]
    if labels:
        cmd.append("--labels")
    with open(out_path, "w", encoding="utf-8") as f:
        subprocess.run(cmd, check=True, stdout=f)


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} × {cpu}, {platform.system()} {platform.release()}, load {load:.1f} at start"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jiesu", default=os.path.join(ROOT, "build", "jiesu"))
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20240607)
    ap.add_argument("--autotune-duration", type=int, default=60,
                    help="seconds of fastText autotune per fold (fastText's default is 300)")
    ap.add_argument("--repeat", type=int, default=20, help="copies of the messages for timing")
    ap.add_argument("--only", default="default,autotune,pretrained,jiesu",
                    help="comma-separated subset of systems to run")
    ap.add_argument("--jiesu-args", default="", help="extra options for jiesu model train")
    ap.add_argument("--keep", help="keep the fold files and models in this directory")
    ap.add_argument("--append", action="store_true", help="append the results to docs/benchmarks.md")
    args = ap.parse_args()

    labelled = os.path.join(args.data, "labelled-train.csv")
    unlabelled = [os.path.join(args.data, f) for f in ("unlabelled.csv", "replied.csv")]
    taxonomy = os.path.join(args.data, "taxonomy.csv")
    if not os.path.exists(labelled):
        sys.exit(f"skipped: {labelled} is absent (the shared data is not part of the repository)")
    if not shutil.which("fasttext"):
        sys.exit("fastText's command line is missing: apt-get install fasttext")
    if not os.access(args.jiesu, os.X_OK):
        sys.exit(f"{args.jiesu} is missing: build jiesu first (make build)")
    systems = args.only.split(",")

    work = args.keep or tempfile.mkdtemp(prefix="jiesu-bench-")
    os.makedirs(work, exist_ok=True)
    started = time.time()
    rows = read_csv(labelled)
    fold = stratified_folds(rows, args.folds, args.seed)
    # Fold files, written once: CSV for jiesu, the same messages tokenised for fastText.
    for k in range(args.folds):
        d = os.path.join(work, f"fold{k}")
        os.makedirs(d, exist_ok=True)
        train = [r for r, f in zip(rows, fold) if f != k]
        test = [r for r, f in zip(rows, fold) if f == k]
        write_csv(os.path.join(d, "train.csv"), train)
        write_csv(os.path.join(d, "test.csv"), test)
        # autotune's own split of the training fold (80/20, stratified)
        sub = stratified_folds(train, 5, args.seed + k)
        write_csv(os.path.join(d, "train-sub.csv"), [r for r, f in zip(train, sub) if f != 0])
        write_csv(os.path.join(d, "valid.csv"), [r for r, f in zip(train, sub) if f == 0])
        for name in ("train", "test", "train-sub", "valid"):
            tokenize(args.jiesu, os.path.join(d, name + ".csv"), os.path.join(d, name + ".txt"), True)

    results = {}  # system -> list of (macro_f1, per_label)
    seconds = defaultdict(float)

    def record(system, k, truth, predicted):
        m, per = scores(truth, predicted)
        results.setdefault(system, []).append((m, per))
        print(f"  {system:<22} fold {k + 1}: macro-F1 {m:.4f}", file=sys.stderr, flush=True)

    pretrained_vec = None
    if "pretrained" in systems:
        corpus = os.path.join(work, "unlabelled.txt")
        with open(corpus, "w", encoding="utf-8") as out:
            for path in unlabelled:
                tmp = os.path.join(work, "tok.txt")
                tokenize(args.jiesu, path, tmp, False)
                with open(tmp, encoding="utf-8") as f:
                    out.write(f.read())
        t0 = time.time()
        run(["fasttext", "skipgram", "-input", corpus, "-output", os.path.join(work, "pretrained"),
             "-dim", "100", "-minn", "0", "-maxn", "0", "-minCount", "2", "-thread",
             str(os.cpu_count()), "-verbose", "0"])
        seconds["pretrained"] += time.time() - t0
        pretrained_vec = os.path.join(work, "pretrained.vec")

    for k in range(args.folds):
        d = os.path.join(work, f"fold{k}")
        test_rows = [r for r, f in zip(rows, fold) if f == k]
        truth = [r["label"] for r in test_rows]
        ft = lambda *a: ["fasttext", "supervised", "-verbose", "0", *a]  # noqa: E731
        if "default" in systems:
            t0 = time.time()
            run(ft("-input", f"{d}/train.txt", "-output", f"{d}/ft-default"))
            seconds["default"] += time.time() - t0
            record("default", k, truth, fasttext_predict(f"{d}/ft-default.bin", f"{d}/test.txt"))
        if "autotune" in systems:
            t0 = time.time()
            run(ft("-input", f"{d}/train-sub.txt", "-output", f"{d}/ft-autotune",
                   "-autotune-validation", f"{d}/valid.txt",
                   "-autotune-duration", str(args.autotune_duration)))
            seconds["autotune"] += time.time() - t0
            record("autotune", k, truth, fasttext_predict(f"{d}/ft-autotune.bin", f"{d}/test.txt"))
        if "pretrained" in systems:
            t0 = time.time()
            run(ft("-input", f"{d}/train.txt", "-output", f"{d}/ft-pretrained", "-epoch", "50",
                   "-wordNgrams", "2", "-dim", "100", "-pretrainedVectors", pretrained_vec,
                   "-thread", "1"))
            seconds["pretrained"] += time.time() - t0
            record("pretrained", k, truth,
                   fasttext_predict(f"{d}/ft-pretrained.bin", f"{d}/test.txt"))
        if "jiesu" in systems:
            t0 = time.time()
            run([args.jiesu, "model", "train", "--data", f"{d}/train.csv", "--out",
                 f"{d}/jiesu.model", "--pretrain", *unlabelled, "--taxonomy", taxonomy,
                 *JIESU_TRAIN_ARGS, *args.jiesu_args.split()])
            seconds["jiesu"] += time.time() - t0
            ev = json.loads(run([args.jiesu, "model", "eval", "--model", f"{d}/jiesu.model",
                                 "--data", f"{d}/test.csv"]).stdout)
            # jiesu's own macro-F1 must agree with this script's computation
            results.setdefault("jiesu", []).append(
                (ev["macro_f1"], {lab: v["f1"] for lab, v in ev["per_label"].items()}))
            print(f"  {'jiesu':<22} fold {k + 1}: macro-F1 {ev['macro_f1']:.4f}",
                  file=sys.stderr, flush=True)

    # Speed: the same texts, repeated, through both.
    speed = {}
    d0 = os.path.join(work, "fold0")
    timing_csv = os.path.join(work, "timing.csv")
    write_csv(timing_csv, rows * args.repeat)
    timing_txt = os.path.join(work, "timing.txt")
    tokenize(args.jiesu, timing_csv, timing_txt, False)
    n_timing = len(rows) * args.repeat
    for system in ("default", "pretrained", "autotune"):
        model = f"{d0}/ft-{system}.bin"
        if system in systems and os.path.exists(model):
            t0 = time.time()
            with open(os.devnull, "w") as null:
                subprocess.run(["fasttext", "predict", model, timing_txt], check=True, stdout=null)
            speed[f"fastText {system}"] = n_timing / (time.time() - t0)
    if "jiesu" in systems:
        t0 = time.time()
        ev = json.loads(run([args.jiesu, "model", "eval", "--model", f"{d0}/jiesu.model",
                             "--data", timing_csv]).stdout)
        speed["jiesu (process)"] = n_timing / (time.time() - t0)
        speed["jiesu (in process)"] = ev["docs_per_s"]

    names = {"default": "fastText supervised, defaults",
             "autotune": f"fastText autotune ({args.autotune_duration} s/fold)",
             "pretrained": "fastText + pretrained vectors (DESIGN §5)",
             "jiesu": "jiesu model train/eval"}
    lines = []
    lines.append(f"Data: {labelled} ({len(rows)} messages, {len(set(r['label'] for r in rows))} "
                 f"labels), stratified {args.folds}-fold, seed {args.seed}.")
    lines.append("")
    lines.append("| system | macro-F1 mean ± std | min | max | train s (all folds) |")
    lines.append("| --- | --- | --- | --- | --- |")
    for system in ("default", "autotune", "pretrained", "jiesu"):
        if system not in results:
            continue
        f1 = [m for m, _ in results[system]]
        sd = statistics.stdev(f1) if len(f1) > 1 else 0.0
        lines.append(f"| {names[system]} | {statistics.mean(f1):.4f} ± {sd:.4f} | {min(f1):.4f} | "
                     f"{max(f1):.4f} | {seconds[system]:.0f} |")
    labels = sorted({lab for r in results.values() for _, per in r for lab in per})
    lines.append("")
    lines.append("Per-label F1 (mean over folds):")
    lines.append("")
    lines.append("| label | " + " | ".join(names[s].split(",")[0] for s in results) + " |")
    lines.append("| --- |" + " --- |" * len(results))
    for lab in labels:
        cells = [f"{statistics.mean(per.get(lab, 0.0) for _, per in results[s]):.3f}"
                 for s in results]
        lines.append(f"| {lab} | " + " | ".join(cells) + " |")
    if speed:
        lines.append("")
        lines.append(f"Classification speed on the same {n_timing} texts (fold-1 models; "
                     "process = wall time of the whole command, start and model load included):")
        lines.append("")
        lines.append("| classifier | docs/s |")
        lines.append("| --- | --- |")
        for name, v in speed.items():
            lines.append(f"| {name} | {v:,.0f} |")
    report = "\n".join(lines)
    print(report)
    print(f"\n(total {time.time() - started:.0f} s; work files in {work})", file=sys.stderr)

    if args.append:
        path = os.path.join(ROOT, "docs", "benchmarks.md")
        new = not os.path.exists(path)
        with open(path, "a", encoding="utf-8") as f:
            if new:
                f.write("# Benchmarks\n\nMeasured results, newest last under each heading. "
                        "Each run names its machine.\n")
            f.write("\n## Category classifier vs fastText (bench/classifier_baseline.py)\n\n")
            f.write(f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, "
                    f"{machine()}, fastText {fasttext_version()}.\n\n")
            f.write(report + "\n")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def fasttext_version():
    try:
        out = run(["dpkg-query", "-W", "-f=${Version}", "fasttext"]).stdout
        return out or "?"
    except (OSError, subprocess.CalledProcessError):
        return "?"


if __name__ == "__main__":
    main()

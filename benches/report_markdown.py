#!/usr/bin/env python3
"""Turns the report's output into the Markdown of BENCHMARKS.md.

usage: python3 benches/report_markdown.py REPORT.txt OUT_DIR "how the run was made"
       python3 benches/report_markdown.py --targets OUT_DIR...

The first form prints the results section: REPORT.txt is the report's stdout, OUT_DIR the
directory it wrote (its latency.csv names the tables, in print order, so each table links
to its chart under benches/charts/). The second prints one table of every target with one
column per run (the runs' targets.csv): each run's figure with its min–max over the
rounds; "holds" when the target held in every run, "within noise" where the limit lay
inside a run's spread.
"""

import csv
import os
import re
import sys

# This project's systems in the memory and fragmentation tables (the latency tables say
# which rows are ours in latency.csv's `ours` column).
OURS = ("HiSlab", "alloc bounded", "alloc unbounded", "TaggedHiSlab", "BufferSlab", "nexus-slab")


def ours_in(out_dir):
    """Every system latency.csv marks as ours, plus OURS."""
    names = set(OURS)
    with open(os.path.join(out_dir, "latency.csv")) as f:
        for row in csv.DictReader(f):
            if row["ours"] == "true":
                names.add(row["system"])
    return tuple(sorted(names))


def chart_ids(out_dir):
    """Table ids in print order: latency tables first, from latency.csv."""
    ids = []
    with open(os.path.join(out_dir, "latency.csv")) as f:
        for row in csv.DictReader(f):
            if row["table"] not in ids:
                ids.append(row["table"])
    return ids


def cells(line):
    return re.split(r"\s{2,}", line.strip())


def verdict(r):
    """holds, misses or within_noise: the run's `result` (older runs: from `holds`)."""
    if "result" in r and r["result"]:
        return r["result"]
    return "holds" if r["holds"] == "true" else "misses"


def fmt(v):
    return f"{v:.3f}" if abs(v) < 10 else f"{v:.2f}"


def targets(dirs):
    """One row per target of any run, keyed by (target, unit, limit): a target whose peer
    figure was 0 in a run (no ratio) is missing from that run's targets.csv, shown as "–".
    Each run's cell is its figure and the spread over its rounds, `figure [min–max]`."""
    runs = []
    for d in dirs:
        with open(os.path.join(d, "targets.csv")) as f:
            runs.append({(r["target"], r["unit"], r["limit"]): r for r in csv.DictReader(f)})
    keys = []
    for run in runs:
        keys += [k for k in run if k not in keys]
    print("| target | limit | " + " | ".join(f"run {i + 1} [min–max]" for i in range(len(runs))) + " | result |")
    print("|---|---:|" + "---:|" * len(runs) + "---|")
    for key in keys:
        rows = [run.get(key) for run in runs]
        row = next(r for r in rows if r)
        verdicts = [verdict(r) for r in rows if r]
        bound = "≤" if row["bound"] == "at_most" else "≥"
        n = len(verdicts)
        if all(v == "holds" for v in verdicts):
            result = "**holds**"
        elif all(v == "misses" for v in verdicts):
            result = "**misses**"
        elif all(v == "within_noise" for v in verdicts):
            result = "**within noise**"
        else:
            parts = []
            for v, name in (("holds", "holds"), ("within_noise", "within noise"), ("misses", "misses")):
                k = sum(x == v for x in verdicts)
                if k:
                    parts.append(f"{name} in {k}")
            result = "**" + ", ".join(parts) + f" of {n}**"
        if n < len(rows):
            result += f" (no ratio in {len(rows) - n} run(s): the peer's figure was 0)"
        figs = []
        for r in rows:
            if r is None:
                figs.append("–")
                continue
            cell = fmt(float(r["figure"]))
            if r.get("min") and r.get("max"):
                lo, hi = float(r["min"]), float(r["max"])
                if lo != hi:
                    cell += f" [{fmt(lo)}–{fmt(hi)}]"
            figs.append(cell)
        limit = f"{bound} {float(row['limit']):g} {row['unit']}"
        print(f"| {row['target']} | {limit} | " + " | ".join(figs) + f" | {result} |")


def main():
    if sys.argv[1] == "--targets":
        targets(sys.argv[2:])
        return
    report, out_dir, how = sys.argv[1], sys.argv[2], sys.argv[3]
    lines = open(report).read().splitlines()
    charts = {i for i in os.listdir(out_dir) if i.endswith(".svg")}
    ids = chart_ids(out_dir)
    ours = ours_in(out_dir)
    out = []
    i = 0
    # Skip the header (machine and clock), keep it as a paragraph.
    head = []
    while i < len(lines) and lines[i].strip():
        head.append(lines[i].strip())
        i += 1
    out.append("; ".join(head[1:]) + ".\n")
    table_no = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if line.startswith("targets"):
            break
        if line.startswith("wrote "):
            i += 1
            continue
        title = line.strip()
        out.append(f"### {title}\n")
        i += 1
        header = None
        rows = []
        notes = []
        while i < len(lines) and lines[i].startswith("  "):
            text = lines[i]
            c = cells(text)
            if c[0] == "system":
                header = c
            elif header and len(c) == len(header):
                rows.append(c)
            else:
                notes.append(text.strip())
            i += 1
        before = [n for n in notes if not n.startswith(tuple(o + " /" for o in ours))]
        after = [n for n in notes if n not in before]
        for n in before:
            out.append(n + "\n")
        if header:
            out.append("| " + " | ".join(header) + " |")
            # Text columns (the system, the unit) to the left, figures to the right.
            out.append("|" + "".join("---|" if h in ("system", "unit") else "---:|" for h in header))
            for r in rows:
                name = f"**{r[0]}**" if r[0] in ours else r[0]
                out.append("| " + " | ".join([name] + r[1:]) + " |")
            out.append("")
        for n in after:
            out.append(n + "\n")
        is_latency = header and header[1:2] == ["p50"]
        if is_latency and table_no < len(ids):
            tid = ids[table_no]
            table_no += 1
            if tid + ".svg" in charts:
                out.append(f"![{title}](benches/charts/{tid}.svg)\n")
        out.append(f"Produced by {how}.\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Turns the report's printed tables into the Markdown of BENCHMARKS.md's results section.

usage: python3 benches/report_markdown.py REPORT.txt OUT_DIR "how the run was made"

REPORT.txt is the report's stdout; OUT_DIR the directory it wrote (its latency.csv names
the tables, in print order, so each table links to its chart under benches/charts/).
Prints Markdown on stdout.
"""

import csv
import os
import re
import sys

OURS = ("HiSlab", "alloc bounded", "alloc unbounded", "TaggedHiSlab", "BufferSlab", "nexus-slab")


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


def main():
    report, out_dir, how = sys.argv[1], sys.argv[2], sys.argv[3]
    lines = open(report).read().splitlines()
    charts = {i for i in os.listdir(out_dir) if i.endswith(".svg")}
    ids = chart_ids(out_dir)
    out = []
    i = 0
    # Skip the header (machine and clock), keep it as a paragraph.
    head = []
    while i < len(lines) and lines[i].strip():
        head.append(lines[i].strip())
        i += 1
    out.append(" ".join(head[1:]) + ".\n")
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
        before = [n for n in notes if not n.startswith(tuple(o + " /" for o in OURS))]
        after = [n for n in notes if n not in before]
        for n in before:
            out.append(n + "\n")
        if header:
            out.append("| " + " | ".join(header) + " |")
            out.append("|---|" + "---:|" * (len(header) - 2) + "---|")
            for r in rows:
                name = f"**{r[0]}**" if r[0] in OURS else r[0]
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

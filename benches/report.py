#!/usr/bin/env python3
"""Summarise the criterion results of the `pipeline` and `peers` benches as Markdown.

Reads every `<criterion dir>/**/<baseline>/estimates.json` (with the `benchmark.json` next
to it, which names the group, the function and the throughput) and prints:

1. throughput per corpus file: the median in MB/s (10^6 bytes per second) of ours fed
   whole, in 4096-, 64- and 1-byte chunks, ours with view access, and of every peer;
2. ratios: the headline, ours reading everything (whole, 4096) / quick-xml NsReader
   doing the same reads (target >= 2.5) and ours / rxml both reading everything one byte
   at a time (target >= 4); then ours parse-only (whole) / each peer;
3. with features xso and minidom, stanzas to xmpp-parsers values: rxml + xso (as
   tokio-xmpp does), ours + minidom + TryFrom, ours + xso (target (c) / (a) >= 1.5);
4. linearity: one-byte feeding on N and ~10N bytes (target: <= 12x the time for 10x the
   bytes).

Ours in the ratios comes from the `peers.<file>` group (measured in the same run as the
peers) when it is there, else from `pipeline.<file>`.

Usage: python3 benches/report.py [CRITERION_DIR] [--baseline NAME] [--no-header]
CRITERION_DIR defaults to $CARGO_TARGET_DIR/criterion, else target/criterion next to
this script's crate. NAME defaults to `new` (the last run); use the name given to
`--save-baseline` to report a saved baseline. Standard library only.
"""

import datetime
import json
import os
import platform
import sys

FILE_ORDER = [
    "c2s-chat",
    "s2c-mixed",
    "s2c-payload",
    "pubsub-nested",
    "roster-push",
    "s2s-dialback",
    "c2s-negotiation",
    "s2c-negotiation",
    "s2c-unclosed",
]

OURS = [
    ("ours-read-all-whole", "ours read-all whole"),
    ("ours-read-all-4096", "ours read-all 4096"),
    ("ours-read-all-1", "ours read-all 1-byte*"),
    ("ours-whole", "ours whole"),
    ("ours-4096", "ours 4096"),
    ("ours-64", "ours 64"),
    ("ours-1", "ours 1-byte*"),
    ("ours-views", "ours views"),
]

PEERS = [
    ("quick-xml-read-all", "quick-xml read-all"),
    ("rxml-read-all-whole", "rxml read-all whole"),
    ("rxml-read-all-1", "rxml read-all 1-byte*"),
    ("quick-xml-reader", "quick-xml Reader"),
    ("quick-xml-nsreader", "quick-xml NsReader"),
    ("quick-xml-nsreader-unescape", "quick-xml NsReader+unescape"),
    ("rxml-whole", "rxml whole"),
    ("rxml-4096", "rxml 4096"),
    ("rxml-1", "rxml 1-byte*"),
    ("xml-rs", "xml-rs"),
]

TARGET_READ_ALL = 2.5
TARGET_TYPED = 1.5
TARGET_1BYTE = 4.0
# Peers of the parse-only ratios (the read-all and one-byte peers have their own columns).
PARSE_ONLY_PEERS = [(k, h) for k, h in PEERS if "read-all" not in k and k not in ("rxml-1", "rxml-4096")]
TARGET_LINEAR = 12.0


def default_dir():
    target = os.environ.get("CARGO_TARGET_DIR")
    if target:
        return os.path.join(target, "criterion")
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(os.path.dirname(here), "target", "criterion")


def load(root, baseline):
    """{(group, function, value): (median_ns, bytes)}"""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        if os.path.basename(dirpath) != baseline or "estimates.json" not in files:
            continue
        try:
            with open(os.path.join(dirpath, "benchmark.json")) as f:
                bench = json.load(f)
            with open(os.path.join(dirpath, "estimates.json")) as f:
                est = json.load(f)
        except (OSError, ValueError):
            continue
        tp = bench.get("throughput") or {}
        nbytes = tp.get("Bytes") or tp.get("BytesDecimal")
        median = est["median"]["point_estimate"]
        key = (bench.get("group_id"), bench.get("function_id"), bench.get("value_str"))
        out[key] = (median, nbytes)
    return out


def mbps(entry):
    if not entry or not entry[1]:
        return None
    median_ns, nbytes = entry
    return nbytes / median_ns * 1e3  # bytes/ns * 1e9 / 1e6


def fmt(x, digits=0):
    if x is None:
        return "–"
    if digits == 0 and x >= 10:
        return f"{x:,.0f}"
    return f"{x:.{max(digits, 1)}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def mark(r, target):
    if r is None:
        return "–"
    s = f"{r:.2f}×"
    return f"**{s}**" if r >= target else f"{s} ✗"


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}"


def main(argv):
    root, baseline, header = None, "new", True
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--baseline":
            baseline = args.pop(0)
        elif a == "--no-header":
            header = False
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            root = a
    root = root or default_dir()
    data = load(root, baseline)
    if not data:
        print(f"no criterion results under {root} (baseline {baseline!r})", file=sys.stderr)
        return 1

    files = sorted(
        {v for (g, _f, v) in data if g and (g.startswith("peers.") or g.startswith("pipeline."))},
        key=lambda v: (FILE_ORDER.index(v) if v in FILE_ORDER else len(FILE_ORDER), v),
    )

    def get(file, func, prefer_peers=True):
        groups = [f"peers.{file}", f"pipeline.{file}"]
        if not prefer_peers:
            groups.reverse()
        for g in groups:
            e = data.get((g, func, file))
            if e:
                return mbps(e)
        return None

    if header:
        print(f"Results of {datetime.date.today().isoformat()} on {machine()}; "
              f"criterion baseline `{baseline}` under `{root}`.\n")

    print("### Throughput (median, MB/s)\n")
    print("| file | " + " | ".join(h for _, h in OURS + PEERS) + " |")
    print("|---|" + "---:|" * (len(OURS) + len(PEERS)))
    for file in files:
        cells = [fmt(get(file, k, prefer_peers=False)) for k, _ in OURS]
        cells += [fmt(get(file, k)) for k, _ in PEERS]
        print(f"| {file} | " + " | ".join(cells) + " |")
    print("\n\\* 1-byte rows are measured on a prefix of the file (cut at a stanza end, at "
          "most 256 KiB); MB/s are comparable across columns. Our columns here come from "
          "`pipeline.<file>` when present.\n")

    print("### Ratios (ours ÷ peer, same run)\n")
    heads = [f"parse-only whole ÷ {h}" for _, h in PARSE_ONLY_PEERS]
    print(f"| file | **read-all whole ÷ quick-xml read-all** (≥{TARGET_READ_ALL:g}) "
          + f"| **read-all 4096 ÷ quick-xml read-all** (≥{TARGET_READ_ALL:g}) "
          + f"| **read-all 1-byte ÷ rxml read-all 1-byte** (≥{TARGET_1BYTE:g}) | "
          + " | ".join(heads) + " |")
    print("|---|" + "---:|" * (len(heads) + 3))
    for file in files:
        qx = get(file, "quick-xml-read-all")
        if qx is None and get(file, "rxml-read-all-1") is None:
            continue
        cells = [
            mark(ratio(get(file, "ours-read-all-whole"), qx), TARGET_READ_ALL),
            mark(ratio(get(file, "ours-read-all-4096"), qx), TARGET_READ_ALL),
            mark(ratio(get(file, "ours-read-all-1"), get(file, "rxml-read-all-1")), TARGET_1BYTE),
        ]
        whole = get(file, "ours-whole")
        cells += [fmt(ratio(whole, get(file, k)), 2) for k, _ in PARSE_ONLY_PEERS]
        print(f"| {file} | " + " | ".join(cells) + " |")
    print()

    typed_files = sorted(
        {v for (g, _f, v) in data if g and g.startswith("typed.")},
        key=lambda v: (FILE_ORDER.index(v) if v in FILE_ORDER else len(FILE_ORDER), v),
    )
    if typed_files:
        print("### Stanzas to xmpp-parsers values (features xso, minidom; median MB/s)\n")
        print("| file | (a) rxml-xso | (b) ours-minidom | (c) ours-xso "
              f"| **(c) ÷ (a)** (≥{TARGET_TYPED:g}) | (c) ÷ (b) |")
        print("|---|---:|---:|---:|---:|---:|")
        for file in typed_files:
            a, b, c = (mbps(data.get((f"typed.{file}", k, file)))
                       for k in ("rxml-xso", "ours-minidom", "ours-xso"))
            print(f"| {file} | {fmt(a)} | {fmt(b)} | {fmt(c)} | {mark(ratio(c, a), TARGET_TYPED)} "
                  f"| {fmt(ratio(c, b), 2)} |")
        print()

    lin = {(f, v): e for (g, f, v), e in data.items() if g == "linearity"}
    if lin:
        print("### Linearity, fed one byte at a time\n")
        print("| input | small | large | bytes × | time × | time × scaled to 10× bytes "
              f"(≤{TARGET_LINEAR:g}) | MB/s small | MB/s large |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        by_func = {}
        for (f, v), e in lin.items():
            by_func.setdefault(f, []).append((e[1] or 0, v, e))
        for f, rows in sorted(by_func.items()):
            rows.sort()
            if len(rows) < 2:
                continue
            (b1, v1, e1), (b2, v2, e2) = rows[0], rows[-1]
            bx = b2 / b1
            tx = e2[0] / e1[0]
            scaled = tx * 10 / bx
            ok = f"**{scaled:.1f}**" if scaled <= TARGET_LINEAR else f"{scaled:.1f} ✗"
            print(f"| {f} | {v1} ({b1:,} B) | {v2} ({b2:,} B) | {bx:.2f} | {tx:.2f} | {ok} "
                  f"| {fmt(mbps(e1))} | {fmt(mbps(e2))} |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

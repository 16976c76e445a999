#!/usr/bin/env python3
"""Describe the character of corpus streams (for corpus/README.md).

    python3 tools/corpus_stats.py corpus/streams/*.xml

For each file prints one Markdown table row: size, depth-1 elements (stanzas
and nonzas), stream headers (restarts = headers - 1), whether it is closed,
% of bytes that are base64 payload (character data of <data/> and <BINVAL/>
elements), maximum element depth (a stanza is depth 1), number of distinct
namespaces, and counts of escapes in the raw bytes: predefined entity
references, character references, CDATA sections, CR bytes.
Uses the oracle in tools/expat_dump.py, so the numbers describe what it parses.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import expat_dump  # noqa: E402

PAYLOAD_NAMES = ("data", "BINVAL")


def walk(elem, depth, acc):
    acc["depth"] = max(acc["depth"], depth)
    acc["ns"].add(elem["name"][0])
    for a in elem["attrs"]:
        if a[0]:
            acc["ns"].add(a[0])
    payload = elem["name"][1] in PAYLOAD_NAMES
    for ch in elem.get("children", []):
        if isinstance(ch, str):
            if payload:
                acc["payload"] += len(ch.encode("utf-8"))
        else:
            walk(ch, depth + 1, acc)


def stats(path):
    with open(path, "rb") as f:
        buf = f.read()
    acc = {"depth": 0, "ns": set(), "payload": 0, "stanzas": 0, "headers": 0, "closed": False}

    def emit(obj):
        if "stanza" in obj:
            acc["stanzas"] += 1
            walk(obj["stanza"], 1, acc)
        elif "header" in obj:
            acc["headers"] += 1
            acc["ns"].add(obj["header"]["name"][0])
        elif "close" in obj:
            acc["closed"] = True

    expat_dump.Oracle(buf, emit).run()
    acc["ns"].discard("")
    acc["size"] = len(buf)
    acc["entities"] = len(re.findall(rb"&(?:amp|lt|gt|quot|apos);", buf))
    acc["charrefs"] = len(re.findall(rb"&#x?[0-9a-fA-F]+;", buf))
    acc["cdata"] = buf.count(b"<![CDATA[")
    acc["cr"] = buf.count(b"\r")
    return acc


def main(paths):
    print("| file | bytes | depth-1 elements | headers | closed | payload % | max depth | namespaces "
          "| entity refs | char refs | CDATA | CR bytes |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for p in paths:
        a = stats(p)
        print("| %s | %d | %d | %d | %s | %.1f | %d | %d | %d | %d | %d | %d |" % (
            os.path.basename(p), a["size"], a["stanzas"], a["headers"], "yes" if a["closed"] else "no",
            100.0 * a["payload"] / a["size"], a["depth"], len(a["ns"]), a["entities"], a["charrefs"],
            a["cdata"], a["cr"]))


if __name__ == "__main__":
    main(sys.argv[1:])

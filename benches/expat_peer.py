#!/usr/bin/env python3
"""libexpat as a peer, through Python's pyexpat (namespace mode, the way XMPP servers such
as Prosody use expat): median MB/s over N runs per corpus file, counting depth-1 elements.

    python3 benches/expat_peer.py [RUNS]

Python's callbacks cost more than expat's C scanning, so this measures what a
Python (or Lua) XMPP stack gets from expat, not expat alone.
"""
import os
import statistics
import sys
import time
import xml.parsers.expat

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus", "streams")
FILES = ["c2s-chat", "s2c-mixed", "s2c-payload", "pubsub-nested", "roster-push", "s2s-dialback"]


def parse(data: bytes) -> int:
    p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    depth = 0
    stanzas = 0

    def start(name, attrs):
        nonlocal depth, stanzas
        depth += 1
        if depth == 2:
            stanzas += 1

    def end(name):
        nonlocal depth
        depth -= 1

    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = lambda text: None
    p.buffer_text = True
    p.Parse(data, True)
    return stanzas


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    print("| file | stanzas | libexpat (pyexpat) MB/s |")
    print("|---|---:|---:|")
    for name in FILES:
        data = open(os.path.join(ROOT, name + ".xml"), "rb").read()
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            n = parse(data)
            times.append(time.perf_counter() - t)
        print(f"| {name} | {n} | {len(data) / statistics.median(times) / 1e6:.0f} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Print the digest line of a golden dump: `lines bytes fnv1a64-hex`.

Large golden outputs are committed as this one line instead of the whole JSON-lines file;
tests/it/support/golden.rs computes the same line over the parser's dump. FNV-1a 64 is a checksum,
not a security measure: it only has to notice a difference.
"""
import sys


def digest(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    lines = data.count(b"\n")
    return f"{lines} {len(data)} {h:016x}"


if __name__ == "__main__":
    print(digest(open(sys.argv[1], "rb").read() if len(sys.argv) > 1 else sys.stdin.buffer.read()))

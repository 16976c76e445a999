#!/usr/bin/env python3
"""Run the oracle (tools/expat_dump.py) on every corpus/faults/*.xml and
compare with corpus/faults/EXPECTED.tsv.

    python3 tools/check_faults.py [FAULTS_DIR]

Prints one line per file: OK, or the disagreement. The condition must match
(exit status 1 otherwise); a different offset is reported as "offset differs"
but is not a failure: the oracle's offsets are expat's best effort, the
expected ones are exact by construction. Also checks that the oracle exits
with status 1 and that its last line is the error.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    d = argv[0] if argv else os.path.join(HERE, "..", "corpus", "faults")
    expected = {}
    with open(os.path.join(d, "EXPECTED.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            name, cond, off = line.rstrip("\n").split("\t")
            expected[name] = (cond, int(off))
    files = sorted(n for n in os.listdir(d) if n.endswith(".xml"))
    missing = sorted(set(files) ^ set(expected))
    bad = 0
    if missing:
        print("files and EXPECTED.tsv rows differ:", missing)
        bad += 1
    offsets = 0
    for n in files:
        if n not in expected:
            continue
        p = subprocess.run([sys.executable, os.path.join(HERE, "expat_dump.py"), os.path.join(d, n)],
                           stdout=subprocess.PIPE)
        last = json.loads(p.stdout.decode("utf-8").splitlines()[-1])
        cond, off = expected[n]
        if p.returncode != 1 or "error" not in last:
            print("FAIL %-55s expected %s@%d, oracle exited %d without an error" % (n, cond, off, p.returncode))
            bad += 1
            continue
        e = last["error"]
        if e["condition"] != cond:
            print("FAIL %-55s expected %s@%d, oracle %s@%d (%s)" % (n, cond, off, e["condition"], e["offset"],
                                                                   e["message"]))
            bad += 1
        elif e["offset"] != off:
            print("ok   %-55s %s; offset differs: expected %d, oracle %d (%s)" % (n, cond, off, e["offset"],
                                                                               e["message"]))
            offsets += 1
        else:
            print("OK   %-55s %s@%d" % (n, cond, off))
    print("%d files, %d condition failures, %d offset differences" % (len(files), bad, offsets))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

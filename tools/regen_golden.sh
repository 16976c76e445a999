#!/bin/sh
# Regenerate everything under corpus/ from the scripts, then verify it.
#   sh tools/regen_golden.sh          (from anywhere; Python 3.8+ standard library only)
# 1. corpus/streams/*.xml   <- corpus/gen.py (deterministic, fixed seed)
# 2. corpus/faults/*.xml + EXPECTED.tsv <- corpus/gen_faults.py
# 3. corpus/golden/NAME.jsonl <- tools/expat_dump.py corpus/streams/NAME.xml (must exit 0)
# 4. tools/check_faults.py: the oracle's condition must match EXPECTED.tsv for every fault
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PY=${PYTHON:-python3}
$PY corpus/gen.py
rm -f corpus/faults/*.xml corpus/faults/EXPECTED.tsv
$PY corpus/gen_faults.py
mkdir -p corpus/golden
rm -f corpus/golden/*.jsonl corpus/golden/*.digest
for f in corpus/streams/*.xml; do
    name=$(basename "$f" .xml)
    $PY tools/expat_dump.py "$f" > "corpus/golden/$name.jsonl"
    # Large outputs are committed as a digest line (see tools/golden_digest.py).
    if [ "$(wc -c < "corpus/golden/$name.jsonl")" -gt 200000 ]; then
        $PY tools/golden_digest.py "corpus/golden/$name.jsonl" > "corpus/golden/$name.digest"
        mv "corpus/golden/$name.jsonl" "/tmp/$name.golden.jsonl"
    fi
    printf '%-22s %s\n' "$name" \
        "$($PY tools/expat_dump.py --count "$f")"
done
$PY tools/check_faults.py > /tmp/check_faults.$$ || { cat /tmp/check_faults.$$; rm -f /tmp/check_faults.$$; exit 1; }
tail -n 1 /tmp/check_faults.$$
rm -f /tmp/check_faults.$$

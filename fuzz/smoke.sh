#!/bin/sh
# Builds every fuzz target and runs each for SECONDS (default 60) with -max_total_time,
# one after the other. Exits non-zero if any target found a crash, assertion failure or
# timeout (the input is left in fuzz/artifacts/<target>/ and its path printed).
#
# Usage: sh fuzz/smoke.sh [SECONDS]    (needs a nightly toolchain and `cargo install cargo-fuzz`)
# CI budget: 7 targets x 60 s + about 2 minutes of building.
#
# The corpus is seeded first (fuzz/seed.sh); a run starts from whatever fuzz/corpus/
# already holds, so a cached corpus makes the smoke run go deeper. -max_len keeps inputs
# small (the seeds are at most a few KiB); -timeout catches runaway inputs (a single input
# taking over 10 s is a bug for a linear parser); -rss_limit_mb catches unbounded memory.
set -eu
secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
sh ./seed.sh >/dev/null
targets="feed chunked limits structured restart transports classify"
cargo +nightly fuzz build # all targets: release, debug assertions, AddressSanitizer
status=0
for t in $targets; do
    echo "== fuzz $t for ${secs}s"
    log=$(mktemp)
    if cargo +nightly fuzz run "$t" -- -max_total_time="$secs" -max_len=4096 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec)' "$log" || true
    else
        status=1
        echo "!! $t failed:"
        grep -E -A6 'panicked|ERROR: libFuzzer|SUMMARY' "$log" | head -n 40 || tail -n 40 "$log"
        ls -1 "artifacts/$t" 2>/dev/null | sed "s|^|   artifact: fuzz/artifacts/$t/|"
    fi
    rm -f "$log"
done
exit "$status"

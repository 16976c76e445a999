#!/usr/bin/env bash
# Prosody on our lua-expat compatible module (bindings/lua, `lxp`) against Prosody on
# Debian's lua-expat, in one run (called from .ci/run as root):
#
#   1. setup.sh: Debian's prosody (which brings lua5.4 and lua-expat) and slixmpp; the
#      `websockets` package from PyPI
#   2. cargo build --release -p xmpp-stream-lua (target/release/liblxp.so)
#   3. bindings/lua/tests/lxp_oracle.lua under lua5.4: our module against lua-expat on
#      the same inputs, callbacks compared, and Prosody's own util/xmppstream.lua and
#      util/xml.lua driven by each module
#   4. lxp_bench.lua: util/xmppstream.lua on each module in-process, same bytes,
#      interleaved (median CPU seconds; a report, not a test)
#   5. prosody_lxp.py: two throwaway Prosody servers on 127.0.0.1 (free ports), one with
#      package.cpath putting our lxp.so first (a probe plugin logs which lxp loaded and
#      its _VERSION; the run fails unless it is ours), one on lua-expat; the slixmpp
#      two-client scenario (clients.py), MUC join + message (muc_probe.py), a BOSH and a
#      WebSocket session (transports_probe.py), throughput
#      with raw-socket clients (blast.py: messages/s and Prosody CPU per message), the
#      hostile streams of tests/hostile.rs pre-auth (hostile_streams.py: stream error and
#      peak RSS of the Prosody process), for each.
#
# Exit: 0 passed; 77 skipped because a package registry (Debian archive, PyPI) is
# unreachable (prints "SKIP: ..."); anything else is a failure. Needs root (packages,
# servers run as the prosody user).
# Env: PYTHON, CARGO_TARGET_DIR, LXP_MESSAGES (200), LXP_ROUNDS (3), LXP_HOSTILE_MIB (16),
#      LXP_REPORT (write the JSON report there), LXP_KEEP=1 (keep the work dir).
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PYTHON="${PYTHON:-python3}"
start=$(date +%s)
step() { echo "=== prosody_lxp: $* ($(( $(date +%s) - start ))s)"; }

if [ "$(id -u)" -ne 0 ]; then
    echo "FAIL: prosody_lxp.sh needs root (it installs packages and starts Prosody as its own user)"
    exit 1
fi

step "setup: prosody, lua5.4, lua-expat, slixmpp"
INTEROP_SERVERS="prosody lua5.4 lua-expat" PYTHON="$PYTHON" bash tests/interop/setup.sh
rc=$?
if [ $rc -eq 77 ]; then
    echo "SKIP: prosody_lxp: package registries unreachable; not run"
    exit 77
elif [ $rc -ne 0 ]; then
    echo "FAIL: tests/interop/setup.sh exited $rc"
    exit 1
fi

if ! "$PYTHON" -c "import websockets" 2>/dev/null; then
    step "pip install websockets (the WebSocket client of transports_probe.py)"
    out="$(mktemp)"
    if ! timeout 300 "$PYTHON" -m pip install --disable-pip-version-check -q "websockets==13.1" >"$out" 2>&1; then
        cat "$out"
        if grep -qiE 'Could not resolve|Could not connect|Connection (timed out|refused)|Network is unreachable|NewConnectionError|ConnectTimeout|Max retries exceeded|from versions: none\)' "$out"; then
            rm -f "$out"; echo "SKIP: prosody_lxp: PyPI unreachable; not run"; exit 77
        fi
        rm -f "$out"; echo "FAIL: pip install websockets"; exit 1
    fi
    rm -f "$out"
fi

step "cargo build --release -p xmpp-stream-lua"
cargo build --release -p xmpp-stream-lua || { echo "FAIL: build"; exit 1; }
so="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/liblxp.so"
[ -f "$so" ] || { echo "FAIL: $so not found after the build"; exit 1; }

step "lxp_oracle.lua: our lxp against lua-expat, and Prosody's xmppstream on each"
expat_so="$(dpkg -L lua-expat 2>/dev/null | grep -E '/lua/5\.4/lxp\.so$' | head -n1)"
[ -n "$expat_so" ] || { echo "FAIL: lua-expat's lxp.so for Lua 5.4 not found"; exit 1; }
lua5.4 bindings/lua/tests/lxp_oracle.lua "$so" "$expat_so" /usr/lib/prosody || {
    echo "FAIL: lxp_oracle.lua"; exit 1; }

step "lxp_bench.lua: Prosody's xmppstream on each module, in-process, interleaved"
lua5.4 bindings/lua/tests/lxp_bench.lua "$so" "$expat_so" /usr/lib/prosody 20000 7 || {
    echo "FAIL: lxp_bench.lua"; exit 1; }

step "Prosody on our lxp and on lua-expat"
work="$(mktemp -d /tmp/prosody-lxp.XXXXXX)"
chmod 755 "$work"
report="${LXP_REPORT:-$work/report.json}"
"$PYTHON" tests/interop/prosody_lxp.py --lxp "$so" --work "$work" \
    --messages "${LXP_MESSAGES:-200}" --rounds "${LXP_ROUNDS:-3}" \
    --hostile-mib "${LXP_HOSTILE_MIB:-16}" --report "$report"
rc=$?
if [ $rc -eq 0 ] && [ "${LXP_KEEP:-0}" != 1 ]; then
    rm -rf "$work"
else
    echo "work dir kept: $work"
fi
step "$([ $rc -eq 0 ] && echo PASS || echo FAIL)"
exit $rc

#!/usr/bin/env bash
# Every XMPP role and transport against Debian's Prosody (issue 13): the gateway
# component example (XEP-0114: right secret, wrong secret, reconnect), and client
# sessions over WebSocket (RFC 7395) and BOSH (XEP-0206) whose every message/body is
# read by the crate (WebSocketParser, BoshReader) exactly as the expat oracle reads it.
# See tests/interop/roles.py for what each line checks.
#
#   tests/interop/roles.sh
#
# Installs what it needs: Debian prosody and slixmpp (tests/interop/setup.sh), PyPI
# websockets (pinned). Starts one throwaway Prosody on free ports of 127.0.0.1 and
# stops it by pid. Prints one line per role/transport, last line `N passed, M failed`.
# Exit: 0 all passed; 77 a package registry (Debian archive, PyPI) is unreachable
# (prints SKIP); anything else is a failure. Needs root.
# Env: PYTHON (python3), CARGO_TARGET_DIR, ROLES_MESSAGES (20),
#      WEBSOCKETS_VERSION (13.1).
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PYTHON="${PYTHON:-python3}"
WEBSOCKETS_VERSION="${WEBSOCKETS_VERSION:-13.1}"
start=$(date +%s)
step() { echo "=== roles: $* ($(( $(date +%s) - start ))s)" >&2; }
fail() { echo "FAIL setup: $*"; echo "0 passed, 1 failed"; exit 1; }
skip() { echo "SKIP: roles: $*"; echo "0 passed, 0 failed"; exit 77; }

[ "$(id -u)" -eq 0 ] || fail "needs root (Prosody runs as its own user)"

step "prosody and slixmpp (tests/interop/setup.sh)"
INTEROP_SERVERS="prosody" PYTHON="$PYTHON" bash tests/interop/setup.sh
rc=$?
[ $rc -eq 77 ] && skip "package registry unreachable (setup.sh)"
[ $rc -eq 0 ] || fail "tests/interop/setup.sh exited $rc"

step "websockets==$WEBSOCKETS_VERSION (PyPI)"
if ! "$PYTHON" -c "import websockets, sys; sys.exit(websockets.__version__ != '$WEBSOCKETS_VERSION')" 2>/dev/null; then
    out="$(mktemp)"
    if ! timeout 600 "$PYTHON" -m pip install --disable-pip-version-check -q \
            "websockets==$WEBSOCKETS_VERSION" >"$out" 2>&1; then
        cat "$out" >&2
        if grep -qiE 'Could not resolve|Temporary failure|Connection (timed out|refused)|Network is unreachable|NewConnectionError|ConnectTimeout|ReadTimeout|Max retries exceeded|from versions: none\)' "$out"; then
            rm -f "$out"; skip "PyPI unreachable (pip install websockets)"
        fi
        rm -f "$out"; fail "pip install websockets==$WEBSOCKETS_VERSION failed"
    fi
    rm -f "$out"
fi

# The test profile with all features: `cargo test --all-features` (which CI runs first)
# built the dependencies already, so this only links the two examples.
step "cargo build --profile test --all-features --example component --example framedump"
cargo build --profile test --all-features --example component --example framedump >&2 \
    || fail "cargo build"
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/examples"

step "roles.py against Prosody $(dpkg-query -W -f='${Version}' prosody)"
"$PYTHON" tests/interop/roles.py --component "$bin/component" --framedump "$bin/framedump" \
    --messages "${ROLES_MESSAGES:-20}"
rc=$?
step "done (exit $rc)"
exit $rc

#!/usr/bin/env bash
# Interop test of examples/c2s_server/ (the `tokio` feature: FramedRead/FramedWrite with
# XmppCodec) against a real client library: the two-client slixmpp scenario of clients.py
# (SASL PLAIN, stream restart, bind, session, roster get, presence and subscriptions,
# N messages each way with large and tricky bodies, disco#info, </stream:stream>).
#
#   tests/interop/c2s_example.sh
#
# Cases (each a fresh server on a free port of 127.0.0.1):
#   any-password   server accepts any password; clients.py must pass
#   accounts       server with --user romeo:... --user juliet:...; clients.py must pass
#   wrong-password same server, romeo with a wrong password; clients.py must FAIL (and the
#                  server must have refused the login)
#   limits         c2s_limits.py over a raw socket: XEP-0478 <limits/> in the features,
#                  16384 bytes before SASL (a 20 KiB stanza is a policy-violation), 262144
#                  after the restart (a 20 KiB message is echoed)
# After every case the server must still be running, and its log must show no parse error.
#
# Exit: 0 all passed; 77 skipped because PyPI is unreachable (slixmpp cannot be
# installed; prints "SKIP: ..."); anything else is a failure. Last line:
# "c2s_example: N passed, M failed" (", K skipped" when skipped).
# Needs no root once slixmpp is installed (setup.sh installs it with pip).
# Env: PYTHON (python3), CARGO_TARGET_DIR, C2S_MESSAGES (200),
#      C2S_SERVER_BIN (a prebuilt examples/c2s_server binary: no cargo build).
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PYTHON="${PYTHON:-python3}"
MESSAGES="${C2S_MESSAGES:-200}"
start=$(date +%s)
step() { echo "=== c2s_example: $* ($(( $(date +%s) - start ))s)"; }
passed=0
failed=0

step "slixmpp (tests/interop/setup.sh, no XMPP servers)"
INTEROP_SERVERS="" PYTHON="$PYTHON" bash tests/interop/setup.sh
rc=$?
if [ $rc -eq 77 ]; then
    echo "SKIP: c2s_example: PyPI unreachable, slixmpp not installed; not run"
    echo "c2s_example: 0 passed, 0 failed, 3 skipped"
    exit 77
elif [ $rc -ne 0 ]; then
    echo "FAIL: tests/interop/setup.sh exited $rc"
    echo "c2s_example: 0 passed, 1 failed"
    exit 1
fi

bin="${C2S_SERVER_BIN:-}"
if [ -z "$bin" ]; then
    # The test profile and all features: the artifacts `cargo test --all-features` built
    # are reused (CI runs that first), so this is only a link step there.
    step "cargo build --profile test --all-features --example c2s_server"
    cargo build --profile test --all-features --example c2s_server || {
        echo "FAIL: build"; echo "c2s_example: 0 passed, 1 failed"; exit 1; }
    bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/examples/c2s_server"
fi
[ -x "$bin" ] || { echo "FAIL: $bin not found"; echo "c2s_example: 0 passed, 1 failed"; exit 1; }

work="$(mktemp -d /tmp/c2s-example.XXXXXX)"
server_pid=""
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=""
    fi
}
trap stop_server EXIT

# start_server NAME ARGS...: starts the server, sets server_pid and port.
start_server() {
    local name="$1"
    shift
    "$bin" --port 0 --domain localhost "$@" >"$work/$name.server.out" 2>"$work/$name.server.log" &
    server_pid=$!
    port=""
    for _ in $(seq 1 300); do
        port="$(sed -n 's/^PORT=//p' "$work/$name.server.out")"
        [ -n "$port" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "FAIL: $name: the server did not start"
    cat "$work/$name.server.log"
    return 1
}

# run_case NAME EXPECT(pass|fail) CLIENT_ARGS -- SERVER_ARGS
run_case() {
    local name="$1" expect="$2"
    shift 2
    local client_args=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do client_args+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    step "case $name (expect clients to $expect)"
    if ! start_server "$name" "$@"; then
        failed=$((failed + 1))
        return
    fi
    local ok=1
    "$PYTHON" tests/interop/clients.py 127.0.0.1 "$port" --summary "$work/$name.summary.json" \
        --messages "$MESSAGES" --timeout 120 "${client_args[@]}" >"$work/$name.clients.out" 2>&1
    local crc=$?
    cat "$work/$name.clients.out"
    if [ "$expect" = pass ] && [ $crc -ne 0 ]; then
        echo "FAIL: $name: clients.py exited $crc"; ok=0
    fi
    if [ "$expect" = fail ]; then
        if [ $crc -eq 0 ]; then echo "FAIL: $name: clients.py passed but should not have"; ok=0; fi
        if ! grep -q "not authorized" "$work/$name.server.log"; then
            echo "FAIL: $name: the server did not refuse the login"; ok=0
        fi
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "FAIL: $name: the server died"; ok=0
    fi
    if grep -q "parse error" "$work/$name.server.log"; then
        echo "FAIL: $name: the server reported a parse error:"; grep "parse error" "$work/$name.server.log"; ok=0
    fi
    stop_server
    if [ $ok -eq 1 ]; then
        passed=$((passed + 1)); echo "PASS: $name"
    else
        failed=$((failed + 1)); echo "--- server log ($name)"; tail -n 40 "$work/$name.server.log"
    fi
}

run_case any-password pass -- 
run_case accounts pass -- --user romeo:r0meo-pass --user juliet:jul1et-pass
run_case wrong-password fail --romeo romeo:wrong --messages 5 --timeout 20 -- \
    --user romeo:r0meo-pass --user juliet:jul1et-pass

step "case limits (XEP-0478, limits that follow the session)"
if start_server limits; then
    if "$PYTHON" tests/interop/c2s_limits.py 127.0.0.1 "$port" >"$work/limits.out" 2>&1 \
        && kill -0 "$server_pid" 2>/dev/null; then
        cat "$work/limits.out"; passed=$((passed + 1)); echo "PASS: limits"
    else
        cat "$work/limits.out"; failed=$((failed + 1)); echo "FAIL: limits"
        tail -n 20 "$work/limits.server.log"
    fi
    stop_server
else
    failed=$((failed + 1))
fi

if [ $failed -eq 0 ]; then
    rm -rf "$work"
else
    echo "work dir kept: $work"
fi
step "done"
echo "c2s_example: $passed passed, $failed failed"
[ $failed -eq 0 ]

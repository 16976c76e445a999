#!/usr/bin/env bash
# Real-peer XMPP interop run: real servers (Prosody, ejabberd) + two slixmpp
# clients, optionally with a proxy in between.
#
#   tests/interop/run.sh [prosody|ejabberd|all] [options]
#
# Options:
#   --proxy-cmd 'CMD'    start CMD (via bash -c) between clients and server.
#                        Placeholders: {listen} {upstream} (HOST:PORT),
#                        {listen_port} {upstream_port}, {log} (a file path in the
#                        run's work dir), {server} (prosody|ejabberd).
#                        The proxy must listen on {listen} within --proxy-wait seconds
#                        (pre-build it: don't `cargo run` here) and exit on the stop
#                        signal, sent to its whole process group after the clients are done.
#                        Without it the clients connect to the server directly.
#   --proxy-wait S       seconds to wait for the proxy to listen (default 30)
#   --proxy-signal SIG   signal that stops the proxy (default TERM; e.g. INT)
#   --proxy-check 'CMD'  run after the proxy stopped; non-zero exit = failure.
#                        Placeholders: {log} {summary} (clients' JSON summary) {server}.
#   --messages N         messages each client sends (default 200)
#   --timeout S          clients' global timeout in seconds (default 120)
#   --workdir DIR        where configs/data/logs go (default: mktemp -d /tmp/xmpp-interop.XXXXXX)
#   --keep               keep the work dir even on success (it is always kept on failure)
#   --no-setup           don't run setup.sh
#
# Exit: 0 all passed, 77 skipped (package registries unreachable), else failure.
# Must run as root (servers are started as their own users via setpriv).
set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"

# Run under a child subreaper (reaper.py): processes orphaned by the servers
# (e.g. beam.smp when its ejabberdctl wrapper is killed) are reaped instead of
# lingering as zombies of PID 1, and anything left alive at the end is reported
# and killed (and fails the run).
if [ -z "${XMPP_INTEROP_UNDER_REAPER:-}" ] && [ "${XMPP_INTEROP_NO_REAPER:-0}" != 1 ]; then
    export XMPP_INTEROP_UNDER_REAPER=1
    exec "$PYTHON" "$HERE/reaper.py" bash "${BASH_SOURCE[0]}" "$@"
fi


which_servers=all
proxy_cmd=""
proxy_check=""
proxy_wait=30
proxy_signal=TERM
messages=200
client_timeout=120
workdir=""
keep=0
do_setup=1

usage() { sed -n '2,/^set -u/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        prosody|ejabberd|all) which_servers="$1"; shift ;;
        --proxy-cmd) proxy_cmd="$2"; shift 2 ;;
        --proxy-cmd=*) proxy_cmd="${1#*=}"; shift ;;
        --proxy-check) proxy_check="$2"; shift 2 ;;
        --proxy-check=*) proxy_check="${1#*=}"; shift ;;
        --proxy-wait) proxy_wait="$2"; shift 2 ;;
        --proxy-signal) proxy_signal="${2#SIG}"; shift 2 ;;
        --messages) messages="$2"; shift 2 ;;
        --timeout) client_timeout="$2"; shift 2 ;;
        --workdir) workdir="$2"; shift 2 ;;
        --keep) keep=1; shift ;;
        --no-setup) do_setup=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

case "$which_servers" in
    all) servers=(prosody ejabberd) ;;
    *) servers=("$which_servers") ;;
esac

say() { echo "[interop] $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

if [ "$(id -u)" -ne 0 ]; then
    echo "FAIL: run.sh must run as root (it installs packages and starts servers as their own users)" >&2
    exit 1
fi

t_all=$(now)

# ------------------------------------------------------------------ setup
if [ "$do_setup" = 1 ]; then
    t=$(now)
    INTEROP_SERVERS="${servers[*]}" bash "$HERE/setup.sh"
    rc=$?
    if [ $rc -eq 77 ]; then
        echo "interop: 0 passed, 0 failed, ${#servers[@]} skipped"
        exit 77
    fi
    if [ $rc -ne 0 ]; then echo "FAIL: setup.sh exited $rc" >&2; exit $rc; fi
    say "setup done in $(since "$t")s"
fi

# ------------------------------------------------------------------ work dir + cleanup
if [ -z "$workdir" ]; then
    workdir="$(mktemp -d /tmp/xmpp-interop.XXXXXX)"
else
    mkdir -p "$workdir"
fi
workdir="$(cd "$workdir" && pwd)"
chmod 755 "$workdir"   # the prosody/ejabberd users must be able to enter it

started_servers=()   # server dirs handed to servers.py start
proxy_pid=""
failed=0

stop_proxy() {
    [ -n "$proxy_pid" ] || return 0
    local pid="$proxy_pid" i
    proxy_pid=""
    # the proxy runs in its own process group whose id is $pid
    if kill -0 -- "-$pid" 2>/dev/null; then
        kill -"$proxy_signal" -- "-$pid" 2>/dev/null
        for i in $(seq 1 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 -- "-$pid" 2>/dev/null; then
            say "proxy (pgid $pid) ignored SIG$proxy_signal for 5s: SIGKILL"
            kill -KILL -- "-$pid" 2>/dev/null
        fi
    fi
    wait "$pid" 2>/dev/null
    proxy_rc=$?
    return 0
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_proxy
    local d
    for d in "${started_servers[@]}"; do
        "$PYTHON" "$HERE/servers.py" stop --dir "$d" || rc=1
    done
    if [ "$rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$keep" -eq 0 ]; then
        rm -rf "$workdir"
    else
        say "work dir kept: $workdir"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

free_port() {
    "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

is_listening() {  # port: is some socket in LISTEN state on it? (no probe connection,
                  # so the proxy's log has no spurious empty connection)
    local hex; hex="$(printf '%04X' "$1")"
    awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" {found=1} END {exit !found}' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

wait_listen() {  # port pid timeout
    local port="$1" pid="$2" deadline=$(( $(date +%s) + $3 ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        kill -0 "$pid" 2>/dev/null || return 2
        is_listening "$port" && return 0
        sleep 0.1
    done
    return 1
}

subst() {  # template -> stdout, replacing {name} placeholders given as name=value args
    local s="$1"; shift
    local kv
    for kv in "$@"; do s="${s//\{${kv%%=*}\}/${kv#*=}}"; done
    printf '%s' "$s"
}

results=()

run_one() {
    local srv="$1" sdir="$workdir/$srv" t port target summary rc
    mkdir -p "$sdir"
    chmod 755 "$sdir"
    t=$(now)
    port="$("$PYTHON" "$HERE/servers.py" start "$srv" --dir "$sdir/server" | sed -n 's/^PORT=//p')"
    started_servers+=("$sdir/server")
    if [ -z "$port" ]; then
        results+=("$srv: FAIL (server did not start)")
        return 1
    fi
    local t_server; t_server=$(since "$t")
    target="$port"

    if [ -n "$proxy_cmd" ]; then
        local lport cmd
        lport="$(free_port)"
        cmd="$(subst "$proxy_cmd" "listen=127.0.0.1:$lport" "upstream=127.0.0.1:$port" \
              "listen_port=$lport" "upstream_port=$port" "log=$sdir/proxy.log" "server=$srv")"
        say "$srv: proxy: $cmd"
        # own process group (setsid execs: $! is the group leader), so that a
        # compound command is stopped as a whole with kill -- -PGID
        setsid bash -c "$cmd" >"$sdir/proxy.out" 2>&1 </dev/null &
        proxy_pid=$!
        wait_listen "$lport" "$proxy_pid" "$proxy_wait"
        rc=$?
        if [ $rc -ne 0 ]; then
            say "$srv: proxy did not listen on 127.0.0.1:$lport (rc=$rc); its output:"
            tail -n 30 "$sdir/proxy.out" >&2
            results+=("$srv: FAIL (proxy did not start)")
            stop_proxy
            return 1
        fi
        target="$lport"
    fi

    summary="$sdir/summary.json"
    say "$srv: server on 127.0.0.1:$port (up in ${t_server}s), clients -> 127.0.0.1:$target"
    t=$(now)
    "$PYTHON" "$HERE/clients.py" 127.0.0.1 "$target" --summary "$summary" \
        --wire-dir "$sdir/wire" --messages "$messages" --timeout "$client_timeout" \
        2>"$sdir/clients.err"
    rc=$?
    local t_clients; t_clients=$(since "$t")
    if [ $rc -ne 0 ]; then
        tail -n 40 "$sdir/clients.err" >&2
    fi

    if [ -n "$proxy_cmd" ]; then
        stop_proxy
        if [ -n "$proxy_check" ] && [ $rc -eq 0 ]; then
            local ccmd
            ccmd="$(subst "$proxy_check" "log=$sdir/proxy.log" "summary=$summary" "server=$srv")"
            say "$srv: proxy check: $ccmd"
            bash -c "$ccmd" </dev/null >&2 || { say "$srv: proxy check FAILED"; rc=1; }
        fi
    fi
    "$PYTHON" "$HERE/servers.py" stop --dir "$sdir/server" || rc=1

    local version
    version="$(dpkg-query -W -f='${Version}' "$srv" 2>/dev/null)"
    if [ $rc -eq 0 ]; then
        results+=("$srv $version: PASS (server start ${t_server}s, clients ${t_clients}s${proxy_cmd:+, via proxy})")
    else
        results+=("$srv $version: FAIL (clients rc=$rc; see $sdir)")
    fi
    return $rc
}

for srv in "${servers[@]}"; do
    run_one "$srv" || failed=1
done

echo "== XMPP interop summary (${messages} messages each way, total $(since "$t_all")s) =="
npass=0
for r in "${results[@]}"; do
    echo "  $r"
    case "$r" in *": PASS"*) npass=$((npass + 1)) ;; esac
done
nfail=$(( ${#servers[@]} - npass ))
echo "interop: $npass passed, $nfail failed"
[ "$failed" -eq 0 ] && [ "$nfail" -eq 0 ] || exit 1
exit 0

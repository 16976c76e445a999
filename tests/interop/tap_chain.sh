#!/usr/bin/env bash
# Put xmpptap in front of a server with an independent byte recorder behind it:
#
#   client -> xmpptap (LISTEN) -> passthru.py (free port; PASSTHRU_RAW=1) -> UPSTREAM
#
#   tests/interop/tap_chain.sh TAP LISTEN UPSTREAM LOG [more xmpptap options]
#
# xmpptap logs to LOG; passthru.py logs to LOG.hop and writes the bytes of each
# connection as they travelled between the tap and the server to
# LOG.hop.<conn>.c2s.bin / .s2c.bin. Together with the clients' own captures
# (clients.py --wire-dir) check_tap.py can then prove, without trusting the tap's
# accounting, that what the clients sent is what the server received and the
# other way round.
#
# Made for run.sh --proxy-cmd: both processes stay in run.sh's process group for the
# proxy (this script execs xmpptap, passthru.py is its child), so the stop signal
# reaches both.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"

if [ $# -lt 4 ]; then
    echo "usage: tap_chain.sh TAP LISTEN UPSTREAM LOG [xmpptap options]" >&2
    exit 2
fi
tap="$1" listen="$2" upstream="$3" log="$4"
shift 4

port="$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
PASSTHRU_RAW=1 "$PYTHON" "$HERE/passthru.py" "127.0.0.1:$port" "$upstream" "$log.hop" &
hop=$!

# wait for passthru's LISTEN socket (no probe connection: it would show up in its log)
hex="$(printf '%04X' "$port")"
for _ in $(seq 1 100); do
    if awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" {f=1} END {exit !f}' /proc/net/tcp 2>/dev/null; then
        exec "$tap" --listen "$listen" --upstream "127.0.0.1:$port" --log "$log" "$@"
    fi
    kill -0 "$hop" 2>/dev/null || { echo "tap_chain: passthru.py exited" >&2; exit 1; }
    sleep 0.1
done
echo "tap_chain: passthru.py did not listen on 127.0.0.1:$port within 10s" >&2
kill "$hop" 2>/dev/null
wait "$hop" 2>/dev/null
exit 1

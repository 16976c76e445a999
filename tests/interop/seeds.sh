#!/usr/bin/env bash
# Seed clients against seed servers, through xmpptap, each with a slixmpp peer:
#
#   tests/interop/seeds.sh [--servers prosody,jabberd2] [--clients mcabber,profanity,...]
#                          [--tls-clients profanity,mcabber,nbxmpp,poezio,gosendxmpp]
#                          [--captures corpus/captures] [--keep]
#
#   1. setup.sh: Debian packages (servers, clients, tmux) and slixmpp, idempotently;
#   2. cargo build --release --example xmpptap --example xmppdump;
#   3. seeds.py: each server started once, then one pair per client (seeds.py, check_seeds.py
#      say what is checked); then the TLS run (Prosody requiring STARTTLS, the tap decrypting,
#      the --tls-clients, and the certificate checks); one line per pair or check, then
#      `seeds: N passed, M failed[, K skipped]`.
#
# Exit: 0 all passed; 77 (prints SKIP) only when a package registry is unreachable;
# anything else is a failure. Needs root (installs packages, starts servers as their own
# users). Env: PYTHON (the one with slixmpp), CARGO_TARGET_DIR.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
HERE=tests/interop
PYTHON="${PYTHON:-python3}"

# run under the child subreaper: anything left running at the end fails the run
if [ -z "${XMPP_INTEROP_UNDER_REAPER:-}" ]; then
    export XMPP_INTEROP_UNDER_REAPER=1
    exec "$PYTHON" "$HERE/reaper.py" bash "${BASH_SOURCE[0]}" "$@"
fi

servers=prosody,jabberd2
clients=mcabber,profanity,nbxmpp,poezio,finch
tls_clients=profanity,mcabber,nbxmpp,poezio,gosendxmpp
captures=""
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --servers) servers="$2"; shift 2 ;;
        --clients) clients="$2"; shift 2 ;;
        --tls-clients) tls_clients="$2"; shift 2 ;;
        --captures) captures="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
        --keep) keep=1; shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

start=$(date +%s)
step() { echo "=== seeds: $* ($(( $(date +%s) - start ))s)"; }

if [ "$(id -u)" -ne 0 ]; then
    echo "FAIL: seeds.sh must run as root (it installs packages and starts servers as their own users)"
    exit 1
fi

step "setup: Debian packages and slixmpp"
pkgs="tmux ${servers//,/ }"
[ -n "$tls_clients" ] && pkgs="$pkgs prosody openssl"
for c in ${clients//,/ } ${tls_clients//,/ }; do
    case "$c" in
        nbxmpp) pkgs="$pkgs python3-nbxmpp python3-gi" ;;
        finch) pkgs="$pkgs finch dbus-daemon dbus-bin" ;;
        gosendxmpp) pkgs="$pkgs go-sendxmpp" ;;
        *) pkgs="$pkgs $c" ;;
    esac
done
pkgs="$(printf '%s\n' $pkgs | sort -u | tr '\n' ' ')"
INTEROP_SERVERS="$pkgs" bash "$HERE/setup.sh"
rc=$?
if [ $rc -eq 77 ]; then
    echo "SKIP: seeds: package registries unreachable (Debian archive / PyPI), not run"
    exit 77
fi
[ $rc -eq 0 ] || { echo "FAIL: setup.sh exited $rc"; exit 1; }

step "cargo build --release --example xmpptap --example xmppdump"
cargo build --release --example xmpptap --example xmppdump || { echo "FAIL: build"; exit 1; }
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/examples"

step "pairs"
work="$(mktemp -d /tmp/xmpp-seeds.XXXXXX)"
chmod 755 "$work"
"$PYTHON" "$HERE/seeds.py" --tap "$bin/xmpptap" --xmppdump "$bin/xmppdump" --workdir "$work" \
    --servers "$servers" --clients "$clients" --tls-clients "$tls_clients" \
    ${captures:+--captures "$captures"}
rc=$?
if [ $rc -eq 0 ] && [ "$keep" -eq 0 ]; then
    rm -rf "$work"
else
    echo "seeds: work dir kept: $work"
fi
step "done (exit $rc)"
exit $rc

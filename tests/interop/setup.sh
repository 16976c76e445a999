#!/usr/bin/env bash
# Idempotently install what the XMPP interop tests need:
#   - Debian packages `prosody` and `ejabberd` (their services are NOT left running)
#   - PyPI package `slixmpp` (pinned)
#
# Exit codes: 0 ok, 77 skip (package registries unreachable), other = failure.
# Must run as root when something is missing (CI runs as root).
#
# Env:
#   PYTHON            python interpreter to install slixmpp for (default: python3)
#   SLIXMPP_VERSION   pinned slixmpp version (default: 1.17.0)
#   INTEROP_SERVERS   which Debian servers to install: "prosody ejabberd" (default)
set -u

PYTHON="${PYTHON:-python3}"
SLIXMPP_VERSION="${SLIXMPP_VERSION:-1.17.0}"
INTEROP_SERVERS="${INTEROP_SERVERS:-prosody ejabberd}"

log() { echo "[setup] $*" >&2; }
skip() { echo "SKIP: $*" >&2; exit 77; }
die() { echo "FAIL: $*" >&2; exit 1; }

pkg_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# Does the output of an apt/pip command look like "could not reach the registry"?
looks_unreachable() {
    grep -qiE 'Failed to fetch|Temporary failure resolving|Could not resolve|Could not connect|Connection (timed out|refused)|Network is unreachable|No route to host|Unable to connect|Some index files failed|NewConnectionError|ConnectTimeout|ReadTimeout|Max retries exceeded|from versions: none\)' "$1"
}

# ---------------------------------------------------------------- Debian packages
missing=()
for p in $INTEROP_SERVERS; do
    pkg_installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || die "need root to apt-get install ${missing[*]}"
    command -v apt-get >/dev/null || skip "apt-get not available (not a Debian machine); cannot install ${missing[*]}"
    out="$(mktemp)"
    log "apt-get update"
    if ! timeout 1200 apt-get -o DPkg::Lock::Timeout=900 update -q >"$out" 2>&1 || grep -qE '^(W|E): (Failed to fetch|Some index files failed)' "$out"; then
        cat "$out" >&2
        if looks_unreachable "$out"; then rm -f "$out"; skip "Debian package archive unreachable (apt-get update failed)"; fi
        rm -f "$out"; die "apt-get update failed"
    fi

    # Prevent the packages' postinst from starting the system services:
    # invoke-rc.d consults /usr/sbin/policy-rc.d; exit 101 = "action forbidden".
    # Keep whatever policy-rc.d was there before (Docker images ship one).
    policy=/usr/sbin/policy-rc.d
    policy_backup=""
    if [ -e "$policy" ]; then
        policy_backup="$(mktemp)"
        cp -p "$policy" "$policy_backup"
    fi
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    restore_policy() {
        if [ -n "$policy_backup" ]; then cp -p "$policy_backup" "$policy"; rm -f "$policy_backup"
        else rm -f "$policy"; fi
    }
    # Remember which service-user processes existed before, so that we kill only
    # what the install itself started.
    before="$(ps -eo pid= -o user= | awk '$2=="prosody"||$2=="ejabberd"{print $1}' | sort)"

    log "apt-get install ${missing[*]}"
    t0=$(date +%s)
    DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}" >"$out" 2>&1
    rc=$?
    restore_policy
    # Stop anything the postinst may still have started (e.g. via systemd, epmd).
    after="$(ps -eo pid= -o user= | awk '$2=="prosody"||$2=="ejabberd"{print $1}' | sort)"
    new_pids="$(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
        for s in "${missing[@]}"; do
            systemctl stop "$s" >/dev/null 2>&1 || true
            systemctl disable "$s" >/dev/null 2>&1 || true
        done
    fi
    if [ -n "${new_pids// /}" ]; then
        log "killing service processes started by the install: $new_pids"
        kill $new_pids 2>/dev/null || true
        sleep 2
        kill -9 $new_pids 2>/dev/null || true
    fi
    if [ $rc -ne 0 ]; then
        tail -n 40 "$out" >&2
        if looks_unreachable "$out"; then rm -f "$out"; skip "Debian package archive unreachable (apt-get install failed)"; fi
        rm -f "$out"; die "apt-get install ${missing[*]} failed (rc=$rc)"
    fi
    rm -f "$out"
    log "installed ${missing[*]} in $(( $(date +%s) - t0 ))s"
fi
for p in $INTEROP_SERVERS; do
    pkg_installed "$p" || die "$p still not installed"
done

# ---------------------------------------------------------------- slixmpp
have_slix() {
    "$PYTHON" - "$SLIXMPP_VERSION" <<'EOF' >/dev/null 2>&1
import sys, importlib.metadata as m
sys.exit(0 if m.version("slixmpp") == sys.argv[1] else 1)
EOF
}
if ! have_slix; then
    command -v "$PYTHON" >/dev/null || die "$PYTHON not found"
    out="$(mktemp)"
    log "pip install slixmpp==$SLIXMPP_VERSION"
    if ! timeout 600 "$PYTHON" -m pip install --disable-pip-version-check -q \
            "slixmpp==$SLIXMPP_VERSION" >"$out" 2>&1; then
        cat "$out" >&2
        if looks_unreachable "$out"; then rm -f "$out"; skip "PyPI unreachable (pip install slixmpp failed)"; fi
        rm -f "$out"; die "pip install slixmpp==$SLIXMPP_VERSION failed"
    fi
    rm -f "$out"
    have_slix || die "slixmpp $SLIXMPP_VERSION not importable after install"
fi

log "ok: $(for p in $INTEROP_SERVERS; do printf '%s=%s ' "$p" "$(dpkg-query -W -f='${Version}' "$p")"; done)slixmpp=$SLIXMPP_VERSION"
exit 0

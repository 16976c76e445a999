#!/usr/bin/env python3
"""The hostile streams of tests/hostile.rs, sent over TCP to a real server, with the
stream error it answers and the peak RSS of its process.

    hostile_streams.py HOST PORT [--pid PID] [--case NAME ...] [--mib 16] [--auth USER:PASS]

Each case opens a plaintext c2s stream to `localhost` and, before authentication (or,
with --auth, after SASL PLAIN and resource binding, where the server's stanza size limit
is the authenticated one), sends a prefix and then endless filler (in 64 KiB writes, up to --mib MiB) while reading
what the server says, until the server closes the connection or everything was sent
(then it waits up to 5 s for an answer). With --pid (root: the server runs as its own
user), the process's peak RSS (VmHWM) is reset before each case through
/proc/PID/clear_refs and read after it (a server whose heap grew in an earlier case keeps
it, so the peak over the RSS at the case's start is what the case cost). Prints one JSON
object per case:
    {"case", "sent", "closed_by_server", "stream_error", "seconds", "rss_before_kib",
     "rss_kib", "peak_rss_kib"}
"""

import argparse
import json
import os
import re
import select
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blast import Raw  # noqa: E402  (raw-socket login)

HEADER = (b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
          b"xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>")
CHUNK = 64 * 1024


def repeat(unit):
    block = unit * max(1, CHUNK // len(unit))
    while True:
        yield block


def numbered(fmt):
    i = 0
    while True:
        out = bytearray()
        while len(out) < CHUNK:
            out += fmt.format(i=i).encode()
            i += 1
        yield bytes(out)


def alternating_redeclarations():
    # tests/hostile.rs alternating_prefix_redeclarations, without end: every element
    # rebinds p, so each prefixed name resolves through a fresh binding.
    k = 0
    while True:
        out = bytearray()
        while len(out) < CHUNK:
            out += b"<p:e xmlns:p='urn:%s'>" % (b"b" if k % 2 == 0 else b"a")
            k += 1
        yield bytes(out)


# name -> (prefix after the stream header, filler generator); the names are those of
# the tests in tests/hostile.rs.
CASES = {
    "never_ending_start_tag": (b"<message to='juliet@example.com'", lambda: repeat(b" \t\r\n")),
    "never_ending_attribute_value": (b"<message to='", lambda: repeat(b"a")),
    "hundred_megabyte_text_node": (b"<message><body>", lambda: repeat(b"x")),
    "million_nested_elements": (b"<message>", lambda: repeat(b"<a>")),
    "hundred_thousand_attributes": (b"<message", lambda: numbered(" a{i}=''")),
    "hundred_thousand_namespace_declarations": (b"<message", lambda: numbered(" xmlns:p{i}='urn:{i}'")),
    "huge_names": (b"<", lambda: repeat(b"n")),
    "long_runs_of_character_references": (b"<message><body>", lambda: repeat(b"&#x1F600;&amp;&#60;")),
    "long_runs_of_invalid_utf8": (b"<message><body>", lambda: repeat(b"\xff")),
    "alternating_prefix_redeclarations": (b"<m xmlns:p='urn:a'>", alternating_redeclarations),
    "many_small_elements": (b"<message>", lambda: repeat(b"<a/>")),
    "endless_keepalives": (b"", lambda: repeat(b" \n\t\r")),
}

ERROR_RE = re.compile(rb"<(?:stream:)?error[^>]*>\s*<([a-z-]+)[^>]*xmlns=['\"]urn:ietf:params:xml:ns:xmpp-streams['\"]")


def proc_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak(pid):
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# Whitespace is legal: the keepalive case sends less, it only shows the server copes.
KEEPALIVE_LIMIT = 4 * 1024 * 1024


def run_case(host, port, name, limit, pid=None, auth=None):
    prefix, gen = CASES[name]
    if name == "endless_keepalives":
        limit = min(limit, KEEPALIVE_LIMIT)
    if auth:
        user, password = auth.split(":", 1)
        raw = Raw(host, port, "localhost", user, password, f"hostile-{name}")
        s, received = raw.s, bytearray(raw.buf)
        pending = prefix
    else:
        s = socket.create_connection((host, port), timeout=10)
        received = bytearray()
        pending = HEADER + prefix
    before = None
    if pid:
        reset_peak(pid)
        before = proc_kib(pid, "VmRSS")
    t0 = time.monotonic()
    s.setblocking(False)
    closed = False
    sent = 0
    filler = gen()

    def read_some():
        nonlocal closed
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    closed = True
                    return
                received.extend(data)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            closed = True

    while not closed and sent < limit:
        if not pending:
            pending = next(filler)
        _, w, _ = select.select([s], [s], [], 5)
        read_some()
        if closed or not w:
            if not w and time.monotonic() - t0 > 120:
                break
            continue
        try:
            n = s.send(pending[:CHUNK])
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            closed = True
            break
        sent += n
        pending = pending[n:]
    deadline = time.monotonic() + 5
    while not closed and time.monotonic() < deadline:
        select.select([s], [], [], 0.2)
        read_some()
    s.close()
    m = ERROR_RE.search(bytes(received))
    return {
        "case": name,
        "sent": sent,
        "closed_by_server": closed,
        "stream_error": m.group(1).decode() if m else None,
        "seconds": round(time.monotonic() - t0, 3),
        "rss_before_kib": before,
        "rss_kib": proc_kib(pid, "VmRSS") if pid else None,
        "peak_rss_kib": proc_kib(pid, "VmHWM") if pid else None,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--pid", type=int)
    ap.add_argument("--case", action="append", choices=sorted(CASES))
    ap.add_argument("--mib", type=float, default=16)
    ap.add_argument("--auth", help="USER:PASSWORD: send the streams after logging in")
    args = ap.parse_args()
    for name in args.case or list(CASES):
        print(json.dumps(run_case(args.host, args.port, name, int(args.mib * 1024 * 1024),
                                  args.pid, args.auth)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

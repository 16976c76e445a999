#!/usr/bin/env python3
"""xmpptap against scripted peers: the cases real servers don't produce on demand.

    tap_selftest.py TAP [--keep DIR] [-v]

Each case starts its own fake upstream server (a thread on 127.0.0.1) and its own xmpptap
process in front of it, plays a scripted client against the tap, stops the tap by pid and
checks the tap's log. Needs no root, no network, no packages (Python 3 stdlib only).

Cases:
  restart       SASL login with both stream restarts (server sends a new XML declaration,
                in the same write as <success/> and split in two; client sends none), a 4-byte UTF-8 character split across two writes, and a
                half-written stanza that must reach the server before the client completes
                it (the tap must not hold bytes back waiting for a stanza to end)
  isolation     a parse error (a comment) on one of two concurrent connections: logged
                with condition and offset, that connection closed on both sides, the other
                one keeps working
  starttls      <starttls/> / <proceed/>, then binary "TLS" bytes both ways: one tls line,
                no error, the binary bytes forwarded exactly and counted as opaque
  half-close    the client shuts down writing after </stream:stream>; the server still
                sends afterwards and the client receives it
  reset         the client resets the connection mid-stanza; the server sees the end, the
                tap keeps serving new connections
  limit         a stanza over --max-stanza-bytes: policy-violation, connection closed
  no-upstream   the upstream refuses: logged, client closed, the tap keeps running
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

TIMEOUT = 5.0
VERBOSE = False

C_HDR = (b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
         b" to='localhost' version='1.0'>")
S_HDR = (b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
         b"xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='s1' version='1.0'>")
FEAT_SASL = (b"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
             b"<mechanism>PLAIN</mechanism></mechanisms></stream:features>")
FEAT_BIND = b"<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
FEAT_TLS = (b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
            b"</starttls></stream:features>")
AUTH = b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AHJvbWVvAHNlY3JldA==</auth>"
SUCCESS = b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
CLOSE = b"</stream:stream>"


def log(*a):
    if VERBOSE:
        print("   ", *a, file=sys.stderr)


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Peer:
    """A socket with a receive buffer and helpers that time out."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.all_in = b""
        self.all_out = b""
        sock.settimeout(TIMEOUT)

    def send(self, data):
        self.sock.sendall(data)
        self.all_out += data

    def expect(self, marker):
        """Reads until `marker` has arrived; returns everything up to and including it."""
        deadline = time.monotonic() + TIMEOUT
        while marker not in self.buf:
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {marker[:60]!r}; have {self.buf[-200:]!r}")
            data = self.sock.recv(65536)
            if not data:
                raise AssertionError(f"EOF while waiting for {marker[:60]!r}; have {self.buf[-200:]!r}")
            self.buf += data
            self.all_in += data
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def expect_n(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            if not data:
                raise AssertionError(f"EOF after {len(self.buf)} of {n} bytes")
            self.buf += data
            self.all_in += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def expect_eof(self):
        """Reads until the peer closed (EOF or reset); returns what came before."""
        rest = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                return rest
            if not data:
                return rest
            rest += data
            self.all_in += data

    def close(self):
        self.sock.close()


class Upstream:
    """A fake XMPP server: runs `script(peer, index)` for each accepted connection."""

    def __init__(self, script):
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.port = self.lsock.getsockname()[1]
        self.script = script
        self.errors = []
        self.peers = []
        self.threads = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def _accept(self):
        i = 0
        while True:
            try:
                s, _ = self.lsock.accept()
            except OSError:
                return
            p = Peer(s)
            self.peers.append(p)
            t = threading.Thread(target=self._run, args=(p, i), daemon=True)
            t.start()
            self.threads.append(t)
            i += 1

    def _run(self, peer, i):
        try:
            self.script(peer, i)
        except Exception as e:  # noqa: BLE001
            self.errors.append(f"server conn {i}: {type(e).__name__}: {e}")
            log(traceback.format_exc())
        finally:
            peer.close()

    def join(self):
        for t in self.threads:
            t.join(TIMEOUT)
        self.lsock.close()
        if self.errors:
            raise AssertionError("; ".join(self.errors))


class Tap:
    def __init__(self, binary, upstream_port, logdir, name, extra=()):
        self.port = free_port()
        self.log = os.path.join(logdir, f"{name}.log")
        self.proc = subprocess.Popen(
            [binary, "--listen", f"127.0.0.1:{self.port}", "--upstream", f"127.0.0.1:{upstream_port}",
             "--log", self.log, *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + TIMEOUT
        while not (os.path.exists(self.log) and os.path.getsize(self.log) > 0):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"xmpptap did not start: {self.proc.stderr.read()!r}")
            time.sleep(0.02)

    def connect(self):
        return Peer(socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT))

    def lines(self):
        with open(self.log, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def wait_disconnects(self, n):
        deadline = time.monotonic() + TIMEOUT
        while True:
            lines = self.lines()
            if sum(1 for ln in lines if ln["event"] in ("disconnect",)) >= n:
                return lines
            if time.monotonic() > deadline:
                raise AssertionError(f"only {sum(1 for ln in lines if ln['event'] == 'disconnect')} "
                                     f"of {n} connections ended in the tap log")
            time.sleep(0.02)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stderr.close()


def events(lines, conn, dirn=None, event=None):
    return [ln for ln in lines if ln.get("conn") == conn and (dirn is None or ln.get("dir") == dirn)
            and (event is None or ln["event"] == event)]


def disconnect(lines, conn):
    d = events(lines, conn, event="disconnect")
    assert len(d) == 1, f"conn {conn}: {len(d)} disconnect lines"
    return d[0]


def check_exact(lines, conn, c2s_bytes, s2c_bytes):
    """The tap read and forwarded exactly these bytes."""
    d = disconnect(lines, conn)
    for dirn, data in (("c2s", c2s_bytes), ("s2c", s2c_bytes)):
        st = d[dirn]
        want = (len(data), fnv1a64(data))
        for k in ("bytes", "forwarded"):
            assert st[k] == want[0], f"conn {conn} {dirn}: {k}={st[k]}, sent {want[0]}"
        for k in ("fnv1a64_in", "fnv1a64_out"):
            assert st[k] == want[1], f"conn {conn} {dirn}: {k}={st[k]}, bytes sent hash to {want[1]}"
    return d


def no_errors(lines):
    bad = [ln for ln in lines if ln["event"] in ("error", "accept-error")]
    assert not bad, f"unexpected error lines: {bad}"


# ------------------------------------------------------------------------------ cases

def case_restart(binary, logdir):
    got_partial = threading.Event()
    msg_a = "<message to='juliet@localhost' id='m1' type='chat'><body>hallo 🎉 wörld".encode()
    msg_b = " &amp; more</body></message>".encode()

    def server(p, i):
        p.expect(C_HDR)
        p.send(S_HDR + FEAT_SASL)
        p.expect(AUTH)
        # <success/> and the first half of the new header (XML declaration included) in
        # one write: the tap's restart() must keep and re-read the half-fed header
        hdr2 = S_HDR.replace(b"s1", b"s2")
        p.send(SUCCESS + hdr2[:40])
        p.expect(C_HDR)
        p.send(hdr2[40:] + FEAT_BIND)
        p.expect(msg_a)
        got_partial.set()  # the half stanza arrived before the client sent the rest
        p.expect(msg_b)
        p.send("<message from='juliet@localhost/x' id='r1'><body>ok ✓ &lt;&gt;</body></message>".encode())
        p.expect(CLOSE)
        p.send(CLOSE)

    up = Upstream(server)
    tap = Tap(binary, up.port, logdir, "restart")
    try:
        c = tap.connect()
        c.send(b"<?xml version='1.0'?>" + C_HDR)
        c.expect(FEAT_SASL)
        c.send(AUTH)
        c.expect(SUCCESS)
        c.send(C_HDR)
        c.expect(FEAT_BIND)
        # split inside the 4-byte UTF-8 sequence of the emoji
        cut = msg_a.index("🎉".encode()) + 2
        c.send(msg_a[:cut])
        time.sleep(0.05)
        c.send(msg_a[cut:])
        assert got_partial.wait(TIMEOUT), "the tap held back a partial stanza"
        c.send(msg_b)
        c.expect(b"</message>")
        c.send(CLOSE)
        c.expect(CLOSE)
        assert c.expect_eof() == b""
        c.close()
        up.join()
        lines = tap.wait_disconnects(1)
    finally:
        tap.stop()
    no_errors(lines)
    d = check_exact(lines, 1, c.all_out, c.all_in)
    for dirn, kinds in (("c2s", {"other:auth": 1, "message": 1}),
                        ("s2c", {"other:features": 2, "other:success": 1, "message": 1})):
        st = d[dirn]
        assert st["kinds"] == kinds, f"{dirn} kinds {st['kinds']} != {kinds}"
        assert (st["headers"], st["closes"], st["clean"], st["parsed"]) == (2, 1, True, st["bytes"]), st
    heads = events(lines, 1, "s2c", "header")
    assert [h["id"] for h in heads] == ["s1", "s2"], heads
    m = events(lines, 1, "c2s", "stanza")[-1]
    assert (m["kind"], m["to"], m["id"], m["type"]) == ("message", "juliet@localhost", "m1", "chat"), m
    return "2 restarts, split UTF-8, partial stanza forwarded at once, bytes exact"


def case_isolation(binary, logdir):
    def server(p, i):
        p.expect(C_HDR)
        p.send(S_HDR)
        if i == 0:  # the bad one: the tap must close us
            rest = p.expect_eof()
            log("server saw EOF on the bad connection after", len(rest), "bytes")
            return
        p.expect(b"</message>")
        p.send(b"<message id='back'/>")
        p.expect(CLOSE)
        p.send(CLOSE)

    up = Upstream(server)
    tap = Tap(binary, up.port, logdir, "isolation")
    try:
        bad = tap.connect()
        bad.send(C_HDR)
        bad.expect(S_HDR)
        good = tap.connect()
        good.send(C_HDR)
        good.expect(S_HDR)
        prefix = b"<message><body>x</body></message>"
        bad.send(prefix + b"<!-- comments are not allowed in XMPP --><message/>")
        bad.expect_eof()  # the tap closed the client side of the bad connection
        bad.close()
        good.send(b"<message to='a@b'><body>still here</body></message>")
        good.expect(b"<message id='back'/>")
        good.send(CLOSE)
        good.expect(CLOSE)
        good.expect_eof()
        good.close()
        up.join()
        lines = tap.wait_disconnects(2)
    finally:
        tap.stop()
    errs = [ln for ln in lines if ln["event"] == "error"]
    assert len(errs) == 1, f"expected one error line, got {errs}"
    e = errs[0]
    want_off = len(C_HDR) + len(prefix)
    assert (e["conn"], e["dir"], e["condition"], e["offset"]) == (1, "c2s", "restricted-xml", want_off), e
    d1 = disconnect(lines, 1)
    assert d1["c2s"]["end"] == "parse-error" and not d1["c2s"]["clean"], d1
    d2 = check_exact(lines, 2, good.all_out, good.all_in)
    assert d2["c2s"]["clean"] and d2["s2c"]["clean"], d2
    return f"error {e['condition']} at offset {e['offset']} closed conn 1 only; conn 2 clean"


def case_starttls(binary, logdir):
    rnd = random.Random(6120)
    hello = bytes([0x16, 0x03, 0x01]) + bytes(rnd.randrange(256) for _ in range(3000))
    reply = bytes([0x16, 0x03, 0x03]) + bytes(rnd.randrange(256) for _ in range(5000))

    def server(p, i):
        p.expect(C_HDR)
        p.send(S_HDR + FEAT_TLS)
        p.expect(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        p.send(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        assert p.expect_n(len(hello)) == hello, "TLS bytes altered c2s"
        p.send(reply)
        p.expect_eof()

    up = Upstream(server)
    tap = Tap(binary, up.port, logdir, "starttls")
    try:
        c = tap.connect()
        c.send(C_HDR)
        c.expect(FEAT_TLS)
        c.send(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        c.expect(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        c.send(hello)
        assert c.expect_n(len(reply)) == reply, "TLS bytes altered s2c"
        c.sock.shutdown(socket.SHUT_WR)
        c.expect_eof()
        c.close()
        up.join()
        lines = tap.wait_disconnects(1)
    finally:
        tap.stop()
    no_errors(lines)
    tls = [ln for ln in lines if ln["event"] == "tls"]
    assert len(tls) == 1 and "cannot see inside TLS" in tls[0]["note"], tls
    d = check_exact(lines, 1, c.all_out, c.all_in)
    assert d["c2s"]["opaque_bytes"] == len(hello) and d["s2c"]["opaque_bytes"] == len(reply), d
    assert d["c2s"]["parsed"] + len(hello) == d["c2s"]["bytes"], d
    return f"one tls line; {len(hello)}/{len(reply)} opaque bytes forwarded exactly"


def case_half_close(binary, logdir):
    late = b"<message id='late'><body>after your EOF</body></message>" + CLOSE

    def server(p, i):
        p.expect(C_HDR)
        p.send(S_HDR)
        p.expect(CLOSE)
        p.expect_eof()  # the tap passed the client's half-close on
        time.sleep(0.1)
        p.send(late)
        p.sock.shutdown(socket.SHUT_WR)

    up = Upstream(server)
    tap = Tap(binary, up.port, logdir, "half-close")
    try:
        c = tap.connect()
        c.send(C_HDR)
        c.expect(S_HDR)
        c.send(CLOSE)
        c.sock.shutdown(socket.SHUT_WR)
        rest = c.buf + c.expect_eof()
        assert rest == late, f"after half-close the client got {rest!r}"
        c.close()
        up.join()
        lines = tap.wait_disconnects(1)
    finally:
        tap.stop()
    no_errors(lines)
    d = check_exact(lines, 1, c.all_out, c.all_in)
    eofs = [ln["dir"] for ln in lines if ln["event"] == "eof"]
    assert eofs == ["c2s", "s2c"], eofs
    assert d["c2s"]["clean"] and d["s2c"]["clean"], d
    return "client EOF forwarded, server's later bytes still delivered"


def case_reset(binary, logdir):
    saw_end = threading.Event()

    def server(p, i):
        if i == 0:
            p.expect(b"<body>abc")
            p.expect_eof()
            saw_end.set()
            return
        p.expect(C_HDR)
        p.send(S_HDR)
        p.expect(CLOSE)
        p.send(CLOSE)

    up = Upstream(server)
    tap = Tap(binary, up.port, logdir, "reset")
    try:
        c = tap.connect()
        c.send(C_HDR + b"<message><body>abc")
        time.sleep(0.2)
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()  # RST
        assert saw_end.wait(TIMEOUT), "the server never learned that the client went away"
        c2 = tap.connect()  # the tap still serves
        c2.send(C_HDR)
        c2.expect(S_HDR)
        c2.send(CLOSE)
        c2.expect(CLOSE)
        c2.expect_eof()
        c2.close()
        up.join()
        lines = tap.wait_disconnects(2)
    finally:
        tap.stop()
    no_errors(lines)
    d1 = disconnect(lines, 1)
    assert d1["c2s"]["end"] in ("reset", "eof") and not d1["c2s"]["clean"], d1
    d2 = disconnect(lines, 2)
    assert d2["c2s"]["clean"] and d2["s2c"]["clean"], d2
    return f"c2s ended with {d1['c2s']['end']} (stream cut short), server saw the end, next conn fine"


def case_limit(binary, logdir):
    def server(p, i):
        p.expect(C_HDR)
        p.send(S_HDR)
        p.expect_eof()

    up = Upstream(server)
    tap = Tap(binary, up.port, logdir, "limit", ["--max-stanza-bytes", "1000"])
    try:
        c = tap.connect()
        c.send(C_HDR)
        c.expect(S_HDR)
        try:
            c.send(b"<message><body>" + b"x" * 5000 + b"</body></message>")
        except OSError:
            pass  # the tap may have closed already
        c.expect_eof()
        c.close()
        up.join()
        lines = tap.wait_disconnects(1)
    finally:
        tap.stop()
    errs = [ln for ln in lines if ln["event"] == "error"]
    assert len(errs) == 1 and errs[0]["condition"] == "policy-violation", errs
    assert errs[0]["offset"] <= len(C_HDR) + 1001, errs
    return f"policy-violation at offset {errs[0]['offset']}, connection closed"


def case_no_upstream(binary, logdir):
    port = free_port()  # nothing listens there
    tap = Tap(binary, port, logdir, "no-upstream")
    try:
        c = tap.connect()
        c.send(C_HDR)
        c.expect_eof()
        c.close()
        deadline = time.monotonic() + TIMEOUT
        while not any(ln["event"] == "connect" for ln in tap.lines()):
            assert time.monotonic() < deadline, "no connect line"
            time.sleep(0.02)
        assert tap.proc.poll() is None, "the tap exited"
        lines = tap.lines()
    finally:
        tap.stop()
    con = [ln for ln in lines if ln["event"] == "connect"]
    assert len(con) == 1 and "error" in con[0], con
    return f"logged: {con[0]['error']}"


CASES = [("restart", case_restart), ("isolation", case_isolation), ("starttls", case_starttls),
         ("half-close", case_half_close), ("reset", case_reset), ("limit", case_limit),
         ("no-upstream", case_no_upstream)]


def main():
    global VERBOSE
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tap", help="path to the built xmpptap binary")
    ap.add_argument("--keep", help="write the tap logs to this directory and keep them")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    VERBOSE = args.verbose
    logdir = args.keep or tempfile.mkdtemp(prefix="xmpptap-selftest.")
    os.makedirs(logdir, exist_ok=True)
    failed = 0
    t0 = time.monotonic()
    for name, fn in CASES:
        t = time.monotonic()
        try:
            note = fn(args.tap, logdir)
            print(f"  ok   {name:12} {time.monotonic() - t:5.2f}s  {note}", file=sys.stderr)
        except Exception as e:  # noqa: BLE001
            failed += 1
            print(f"  FAIL {name:12} {type(e).__name__}: {e}", file=sys.stderr)
            if VERBOSE:
                traceback.print_exc()
    print(f"tap_selftest: {len(CASES) - failed} passed, {failed} failed "
          f"({time.monotonic() - t0:.1f}s)", file=sys.stderr)
    if failed:
        print(f"tap_selftest: logs kept in {logdir}", file=sys.stderr)
    elif not args.keep:
        shutil.rmtree(logdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Message throughput through a real XMPP server, with the server as the bottleneck.

    blast.py HOST PORT [--messages 20000] [--domain localhost] [--pid PID]
             [--romeo romeo:PASS] [--juliet juliet:PASS]

Two raw-socket clients (no XMPP library: SASL PLAIN, restart, bind, presence written by
hand, so the client side costs next to nothing): juliet connects and waits; romeo writes
N chat messages to juliet's full JID as fast as the socket takes them (bodies with
non-ASCII text, entities and an extension element, ~300 bytes each, all different); the
time runs from romeo's first byte to juliet's last `</message>`. With --pid, the server
process's CPU time (user + system) over that span is reported too. Prints one JSON line:
    {"messages", "seconds", "msg_per_s", "server_cpu_s"}
"""

import argparse
import base64
import json
import os
import socket
import sys
import threading
import time

HEADER = ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
          "xmlns:stream='http://etherx.jabber.org/streams' to='{d}' version='1.0'>")


class Raw:
    def __init__(self, host, port, domain, user, password, resource):
        self.s = socket.create_connection((host, port), timeout=30)
        self.buf = b""
        self.domain = domain
        self.send(HEADER.format(d=domain))
        self.until(b"</stream:features>")
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        self.send(f"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{token}</auth>")
        self.until(b"<success")
        self.send(HEADER.format(d=domain))
        self.until(b"</stream:features>")
        self.send("<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                  f"<resource>{resource}</resource></bind></iq>")
        self.until(b"</iq>")
        self.send("<presence/>")
        self.jid = f"{user}@{domain}/{resource}"

    def send(self, text):
        self.s.sendall(text.encode() if isinstance(text, str) else text)

    def until(self, marker):
        while marker not in self.buf:
            data = self.s.recv(65536)
            if not data:
                raise RuntimeError(f"connection closed waiting for {marker!r}: {self.buf[-300:]!r}")
            self.buf += data
        i = self.buf.index(marker) + len(marker)
        self.buf = self.buf[i:]

    def close(self):
        try:
            self.send("</stream:stream>")
            self.s.close()
        except OSError:
            pass


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


def messages(to, n):
    out = []
    for i in range(n):
        out.append(
            f"<message to='{to}' type='chat' id='b{i}'><body>#{i} café 日本語 🎉 a &lt; b &amp;&amp; "
            f"c &gt; d \"quoted\" 'single' and some plain text to make it a realistic size {i * 7919}"
            f"</body><probe xmlns='urn:xmpp-stream:blast' n='{i}' a='&lt;&amp;&gt;'/></message>")
    return "".join(out).encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--domain", default="localhost")
    ap.add_argument("--pid", type=int)
    ap.add_argument("--romeo", default="romeo:r0meo-pass")
    ap.add_argument("--juliet", default="juliet:jul1et-pass")
    args = ap.parse_args()
    (ru, rp), (ju, jp) = args.romeo.split(":", 1), args.juliet.split(":", 1)
    juliet = Raw(args.host, args.port, args.domain, ju, jp, "blast")
    romeo = Raw(args.host, args.port, args.domain, ru, rp, "blast")
    payload = messages(juliet.jid, args.messages)
    time.sleep(0.5)  # presence broadcasts settle
    juliet.buf = b""
    juliet.s.settimeout(60)
    c0 = cpu_seconds(args.pid) if args.pid else None
    t0 = time.monotonic()
    writer = threading.Thread(target=romeo.send, args=(payload,))
    writer.start()
    seen, tail = 0, b""
    marker = b"</message>"
    while seen < args.messages:
        data = juliet.s.recv(1 << 20)
        if not data:
            break
        chunk = tail + data
        seen += chunk.count(marker)
        # keep a tail that cannot hold a whole marker, so a split one is counted once
        cut = max(chunk.rfind(marker) + len(marker), len(chunk) - len(marker) + 1)
        tail = chunk[cut:]
    elapsed = time.monotonic() - t0
    cpu = round(cpu_seconds(args.pid) - c0, 3) if args.pid else None
    writer.join()
    romeo.close()
    juliet.close()
    ok = seen == args.messages
    print(json.dumps({"ok": ok, "messages": seen, "seconds": round(elapsed, 3),
                      "msg_per_s": round(seen / elapsed, 1) if elapsed > 0 else None,
                      "server_cpu_s": cpu}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

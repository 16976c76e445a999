#!/usr/bin/env python3
"""A BOSH session and a WebSocket session through a real Prosody, each exchanging
messages with a plain c2s client.

    transports_probe.py C2S_PORT HTTP_PORT [--messages 10] [--domain localhost]
                        [--romeo romeo:PASS] [--juliet juliet:PASS]

juliet logs in over plain TCP (raw socket: SASL PLAIN, bind, presence). Then romeo
  - over BOSH (XEP-0124/0206 on mod_bosh, stdlib HTTP): session request, SASL PLAIN,
    restart, bind, presence; N messages to juliet in one request body; juliet's N
    answers collected by polling; terminate;
  - over WebSocket (RFC 7395 on mod_websocket, the `websockets` package): open, SASL
    PLAIN, open, bind, presence; N messages each way; close.
Bodies carry non-ASCII text and XML specials; every message must arrive unchanged.
Prints one JSON line {"bosh": {...}, "websocket": {...}, "ok": bool}; exit 0 iff ok.
"""

import argparse
import asyncio
import base64
import json
import os
import random
import re
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blast import Raw  # noqa: E402

HTTPBIND = "http://jabber.org/protocol/httpbind"
FRAMING = "urn:ietf:params:xml:ns:xmpp-framing"
MESSAGE_RE = re.compile(rb"<message\b.*?</message>", re.S)


def text(who, i):
    return f"{who} #{i}: ünïcødé 日本語 🎉 <&>\"' ]]> &amp; {'z' * (i * 37 % 300)}"


def message(to, body, i, ns=True):
    x = " xmlns='jabber:client'" if ns else ""
    return f"<message{x} to='{to}' type='chat' id='t{i}'><body>{escape(body)}</body></message>"


class Juliet:
    """The c2s peer: a raw socket, messages read as they come."""

    def __init__(self, host, port, domain, user, password):
        self.raw = Raw(host, port, domain, user, password, "transports")
        self.raw.s.settimeout(0.2)
        self.buf = bytearray()
        self.got = []  # (from, body)

    def poll(self):
        try:
            while True:
                data = self.raw.s.recv(65536)
                if not data:
                    break
                self.buf += data
        except (TimeoutError, BlockingIOError, OSError):
            pass
        while True:
            m = MESSAGE_RE.search(self.buf)
            if not m:
                break
            stanza = bytes(m.group(0))
            del self.buf[: m.end()]
            try:
                # stanzas to a c2s client inherit the stream's default namespace
                e = ET.fromstring(b"<r xmlns='jabber:client'>" + stanza + b"</r>")[0]
            except ET.ParseError:
                continue
            body = e.findtext("{jabber:client}body")
            if body is not None:
                self.got.append((e.get("from"), body))

    def from_peer(self, jid):
        return [b for f, b in self.got if f == jid]

    def say(self, to, body, i):
        self.raw.send(message(to, body, i, ns=False))


def take(inbox, tag):
    """Removes and returns the first element `tag` of `inbox` and those before it."""
    for i, e in enumerate(inbox):
        if e.tag == tag:
            del inbox[: i + 1]
            return e
    return None


def http_post(url, body):
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "text/xml; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


def bosh(args, juliet):
    url = f"http://127.0.0.1:{args.http_port}/http-bind"
    user, password = args.romeo.split(":", 1)
    n, dom = args.messages, args.domain
    rid, sid = random.randrange(1 << 20, 1 << 40), None
    inbox = []

    def request(attrs, payload=""):
        nonlocal rid
        rid += 1
        a = f"rid='{rid}'" + (f" sid='{sid}'" if sid else "") + attrs
        resp = http_post(url, f"<body xmlns='{HTTPBIND}' {a}>{payload}</body>".encode())
        root = ET.fromstring(resp)
        inbox.extend(list(root))
        return root

    def until(tag, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            e = take(inbox, tag)
            if e is not None:
                return e
            request("")
        raise RuntimeError(f"BOSH: no {tag} within {timeout}s")

    root = request(f" to='{dom}' wait='2' hold='1' ver='1.6' xml:lang='en' "
                   "content='text/xml; charset=utf-8' xmlns:xmpp='urn:xmpp:xbosh' xmpp:version='1.0'")
    sid = root.get("sid")
    if not sid:
        raise RuntimeError("BOSH: no sid")
    until("{http://etherx.jabber.org/streams}features")
    cred = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
    request("", f"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{cred}</auth>")
    until("{urn:ietf:params:xml:ns:xmpp-sasl}success")
    request(f" to='{dom}' xmlns:xmpp='urn:xmpp:xbosh' xmpp:restart='true'")
    until("{http://etherx.jabber.org/streams}features")
    request("", "<iq xmlns='jabber:client' type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:"
                "xmpp-bind'><resource>bosh</resource></bind></iq>")
    jid = until("{jabber:client}iq").findtext(
        "{urn:ietf:params:xml:ns:xmpp-bind}bind/{urn:ietf:params:xml:ns:xmpp-bind}jid")
    request("", "<presence xmlns='jabber:client'/>" + "".join(
        message(juliet.raw.jid, text("bosh", i), i) for i in range(n)))
    deadline = time.monotonic() + 30
    while len(juliet.from_peer(jid)) < n and time.monotonic() < deadline:
        juliet.poll()
    for i in range(n):
        juliet.say(jid, text("juliet-bosh", i), i)
    got = []
    deadline = time.monotonic() + 30
    while len(got) < n and time.monotonic() < deadline:
        got += [e.findtext("{jabber:client}body") for e in inbox if e.tag == "{jabber:client}message"]
        inbox.clear()
        if len(got) < n:
            request("")
    request(" type='terminate'", "<presence xmlns='jabber:client' type='unavailable'/>")
    sent_ok = juliet.from_peer(jid) == [text("bosh", i) for i in range(n)]
    recv_ok = got == [text("juliet-bosh", i) for i in range(n)]
    return {"ok": sent_ok and recv_ok, "jid": jid, "to_juliet": len(juliet.from_peer(jid)),
            "from_juliet": len(got)}


async def websocket(args, juliet):
    import websockets  # the one non-stdlib piece (installed by prosody_lxp.sh)
    url = f"ws://127.0.0.1:{args.http_port}/xmpp-websocket"
    user, password = args.romeo.split(":", 1)
    n, dom = args.messages, args.domain
    async with websockets.connect(url, subprotocols=["xmpp"], max_size=None) as ws:
        inbox = []

        async def until(tag, timeout=20):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                e = take(inbox, tag)
                if e is not None:
                    return e
                try:
                    frame = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
                except asyncio.TimeoutError:
                    break
                inbox.append(ET.fromstring(frame))
            raise RuntimeError(f"WebSocket: no {tag} within {timeout}s")

        open_frame = f"<open xmlns='{FRAMING}' to='{dom}' version='1.0'/>"
        await ws.send(open_frame)
        await until("{http://etherx.jabber.org/streams}features")
        cred = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        await ws.send(f"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{cred}</auth>")
        await until("{urn:ietf:params:xml:ns:xmpp-sasl}success")
        await ws.send(open_frame)
        await until("{http://etherx.jabber.org/streams}features")
        await ws.send("<iq xmlns='jabber:client' type='set' id='bind1'><bind xmlns='urn:ietf:params:"
                      "xml:ns:xmpp-bind'><resource>ws</resource></bind></iq>")
        jid = (await until("{jabber:client}iq")).findtext(
            "{urn:ietf:params:xml:ns:xmpp-bind}bind/{urn:ietf:params:xml:ns:xmpp-bind}jid")
        await ws.send("<presence xmlns='jabber:client'/>")
        for i in range(n):
            await ws.send(message(juliet.raw.jid, text("ws", i), i))
        deadline = time.monotonic() + 30
        while len(juliet.from_peer(jid)) < n and time.monotonic() < deadline:
            await asyncio.to_thread(juliet.poll)
        for i in range(n):
            juliet.say(jid, text("juliet-ws", i), i)
        got = []
        deadline = time.monotonic() + 30
        while len(got) < n and time.monotonic() < deadline:
            try:
                frame = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                break
            e = ET.fromstring(frame)
            if e.tag == "{jabber:client}message":
                got.append(e.findtext("{jabber:client}body"))
        await ws.send(f"<close xmlns='{FRAMING}'/>")
        closed = False
        try:
            while True:
                frame = await asyncio.wait_for(ws.recv(), 5)
                if ET.fromstring(frame).tag == f"{{{FRAMING}}}close":
                    closed = True
                    break
        except (asyncio.TimeoutError, websockets.ConnectionClosed):
            pass
    sent_ok = juliet.from_peer(jid) == [text("ws", i) for i in range(n)]
    recv_ok = got == [text("juliet-ws", i) for i in range(n)]
    return {"ok": sent_ok and recv_ok and closed, "jid": jid, "to_juliet": len(juliet.from_peer(jid)),
            "from_juliet": len(got), "closed": closed}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("c2s_port", type=int)
    ap.add_argument("http_port", type=int)
    ap.add_argument("--messages", type=int, default=10)
    ap.add_argument("--domain", default="localhost")
    ap.add_argument("--romeo", default="romeo:r0meo-pass")
    ap.add_argument("--juliet", default="juliet:jul1et-pass")
    args = ap.parse_args()
    ju, jp = args.juliet.split(":", 1)
    juliet = Juliet("127.0.0.1", args.c2s_port, args.domain, ju, jp)
    result = {}
    for name, run in (("bosh", lambda: bosh(args, juliet)),
                      ("websocket", lambda: asyncio.run(websocket(args, juliet)))):
        try:
            result[name] = run()
        except Exception as e:  # noqa: BLE001 (reported as the failure)
            result[name] = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    juliet.raw.close()
    result["ok"] = all(r.get("ok") for r in result.values())
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

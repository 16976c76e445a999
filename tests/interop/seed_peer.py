#!/usr/bin/env python3
"""The slixmpp end of a seed-client pair (seeds.py drives it over stdin/stdout).

    seed_peer.py HOST PORT JID PASSWORD CLIENT_BARE_JID --summary FILE [--wire-dir DIR]
                 [--starttls | --direct-tls] [--cafile CA]

Logs in (plaintext unless --starttls), fetches the roster, sends available presence and
then reports, one JSON object per stdout line (flushed):

    {"ev":"ready"}                               session started, presence sent
    {"ev":"presence","type":T,"show":S,"status":X}   presence from the client's bare JID
    {"ev":"message","id":I,"body":B}              a message with a body from the client

Commands on stdin, one JSON object per line:

    {"cmd":"send","body":B,"id":I}   a type=chat message to the client's bare JID
    {"cmd":"close"}                   </stream:stream>, wait for the server's, write the
                                      summary (counts by kind as clients.py, bodies, wire
                                      capture) and exit 0

The client never subscribes: the accounts are mutual contacts already (servers.py --roster).
"""

import argparse
import asyncio
import json
import os
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clients  # noqa: E402  (Client: counting filters, wire capture, local_addr)


def emit(**kw):
    sys.stdout.write(json.dumps(kw, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class Peer(clients.Client):
    def __init__(self, jid, password, client_bare, starttls, cafile, direct_tls=False):
        ctx = {"t0": asyncio.get_event_loop().time(), "failures": [], "expected": {},
               "fatal": asyncio.Event()}
        super().__init__("peer", jid, password, client_bare, 0, ctx)
        if direct_tls:
            self.enable_direct_tls = True
            self.enable_starttls = False
            self.plugin["feature_mechanisms"].unencrypted_plain = False
            self.ssl_context = ssl.create_default_context(cafile=cafile)
        elif starttls:
            self.enable_starttls = True
            self.plugin["feature_mechanisms"].unencrypted_plain = False
            self.ssl_context = ssl.create_default_context(cafile=cafile)
        self.bodies_received = []
        self.bodies_sent = []
        self.presences = []
        self.del_event_handler("session_start", self._on_session_start)
        self.add_event_handler("session_start", self._start)
        self.add_event_handler("presence", self._presence)
        self.add_event_handler("message", self._message)

    async def _start(self, _):
        self.bound_jid = str(self.boundjid)
        self._record_local_addr()
        await self.get_roster(timeout=20)
        self.roster_items = len(self.client_roster)
        self.send_presence(pstatus="peer here — prêt ✓ <&>")
        emit(ev="ready", jid=self.bound_jid, local_addr=self.local_addr)

    def _presence(self, p):
        if p["from"].bare != self.peer_bare:
            return
        ev = {"type": p["type"], "show": p["show"], "status": p["status"]}
        self.presences.append(ev)
        emit(ev="presence", **ev)

    def _message(self, m):
        if m["from"].bare == self.peer_bare and m["body"]:
            self.bodies_received.append({"id": m["id"], "body": m["body"]})
            emit(ev="message", id=m["id"], body=m["body"])

    def send_body(self, body, mid):
        msg = self.make_message(mto=self.peer_bare, mbody=body, mtype="chat")
        msg["id"] = mid
        msg.send()
        self.bodies_sent.append({"id": mid, "body": body})


async def main_async(args):
    peer = Peer(args.jid, args.password, args.client, args.starttls, args.cafile, args.direct_tls)
    peer.connect(host=args.host, port=args.port)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            raise RuntimeError("stdin closed before the close command")
        cmd = json.loads(line)
        if cmd["cmd"] == "send":
            peer.send_body(cmd["body"], cmd["id"])
        elif cmd["cmd"] == "close":
            break
    peer.closing = True
    await peer.disconnect(wait=10, reason="pair done")
    peer.closed_cleanly = peer.disconnect_reason == "End of stream"
    return peer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("jid")
    ap.add_argument("password")
    ap.add_argument("client", help="the seed client's bare JID")
    ap.add_argument("--summary", required=True)
    ap.add_argument("--wire-dir")
    ap.add_argument("--starttls", action="store_true")
    ap.add_argument("--direct-tls", action="store_true", help="XEP-0368: TLS from the first byte")
    ap.add_argument("--cafile")
    args = ap.parse_args()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    peer = loop.run_until_complete(asyncio.wait_for(main_async(args), 600))
    if args.wire_dir:
        os.makedirs(args.wire_dir, exist_ok=True)
    s = peer.summary()
    out = {"jid": s["jid"], "local_addr": s["local_addr"], "sasl_mechanism": s["sasl_mechanism"],
           "stanzas_sent": s["stanzas_sent"], "stanzas_received": s["stanzas_received"],
           "bodies_sent": peer.bodies_sent, "bodies_received": peer.bodies_received,
           "presences": peer.presences, "error_stanzas": s["error_stanzas"],
           "closed_cleanly": peer.closed_cleanly, "failures": peer.ctx["failures"],
           "wire": peer.wire_summary(args.wire_dir)}
    with open(args.summary, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

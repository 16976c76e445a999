#!/usr/bin/env python3
"""MUC join and a groupchat message through a real server (slixmpp, XEP-0045).

    muc_probe.py HOST PORT --room ROOM@conference.DOMAIN [--domain localhost]
                 [--romeo romeo:PASS] [--juliet juliet:PASS] [--timeout 60]

romeo and juliet log in (plaintext, SASL PLAIN, as clients.py does), both join ROOM
(romeo first: he creates it; the test config turns room locking off, so it is an
instant room), each waits
until it sees the other's occupant presence, then romeo sends one groupchat message
with non-ASCII text, XML-special characters and a 30 KB tail; juliet must receive it
from the room with the body unchanged, and romeo must get his own reflection. Prints
one JSON line and exits 0 only if all of that happened.
"""

import argparse
import asyncio
import json
import sys

import slixmpp

BODY = "MUC ünïcødé 日本語 🎉 <&>\"' ]]> &amp; " + "x" * 30000


class Occupant(slixmpp.ClientXMPP):
    def __init__(self, jid, password, room, nick):
        super().__init__(jid, password)
        self.enable_starttls = False
        self.enable_direct_tls = False
        self.enable_plaintext = True
        self.plugin["feature_mechanisms"].unencrypted_plain = True
        self.plugin["feature_mechanisms"].use_mech = "PLAIN"
        self.register_plugin("xep_0045")
        self.room, self.nick = room, nick
        self.started = asyncio.Event()
        self.joined = asyncio.Event()
        self.peer_in_room = asyncio.Event()
        self.got_message = asyncio.Event()
        self.received = None
        self.add_event_handler("session_start", self._start)
        self.add_event_handler(f"muc::{room}::got_online", self._online)
        self.add_event_handler("groupchat_message", self._message)

    async def _start(self, _):
        self.send_presence()
        self.started.set()

    def _online(self, pres):
        if pres["muc"]["nick"] == self.nick:
            self.joined.set()
        else:
            self.peer_in_room.set()

    def _message(self, msg):
        if msg["mucroom"] == self.room and msg["body"]:
            self.received = (msg["mucnick"], msg["body"])
            self.got_message.set()

    async def join(self):
        await self.plugin["xep_0045"].join_muc_wait(self.room, self.nick, timeout=20)
        self.joined.set()


async def scenario(args):
    (ru, rp), (ju, jp) = args.romeo.split(":", 1), args.juliet.split(":", 1)
    romeo = Occupant(f"{ru}@{args.domain}/muc", rp, args.room, "romeo")
    juliet = Occupant(f"{ju}@{args.domain}/muc", jp, args.room, "juliet")
    for c in (romeo, juliet):
        c.connect(host=args.host, port=args.port)
    await asyncio.wait_for(asyncio.gather(romeo.started.wait(), juliet.started.wait()), 20)
    await romeo.join()
    await juliet.join()
    await asyncio.wait_for(asyncio.gather(romeo.peer_in_room.wait(), juliet.peer_in_room.wait()), 20)
    romeo.send_message(mto=args.room, mbody=BODY, mtype="groupchat")
    await asyncio.wait_for(asyncio.gather(juliet.got_message.wait(), romeo.got_message.wait()), 20)
    result = {
        "joined": True,
        "juliet_got": juliet.received is not None and juliet.received == ("romeo", BODY),
        "romeo_reflection": romeo.received is not None and romeo.received == ("romeo", BODY),
    }
    for c in (romeo, juliet):
        await c.disconnect(wait=5)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--room", required=True)
    ap.add_argument("--domain", default="localhost")
    ap.add_argument("--romeo", default="romeo:r0meo-pass")
    ap.add_argument("--juliet", default="juliet:jul1et-pass")
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        result = loop.run_until_complete(asyncio.wait_for(scenario(args), args.timeout))
    except Exception as e:  # noqa: BLE001
        result = {"joined": False, "error": f"{type(e).__name__}: {e}"}
    ok = bool(result.get("juliet_got") and result.get("romeo_reflection"))
    result["ok"] = ok
    print(json.dumps(result))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

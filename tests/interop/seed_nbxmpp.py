#!/usr/bin/python3
"""A headless nbxmpp client (Gajim's XMPP library) on a GLib main loop, for seeds.py.

    /usr/bin/python3 seed_nbxmpp.py JID PASSWORD HOST PORT [--starttls --cafile CA]

Connects to HOST:PORT (plaintext, or STARTTLS trusting CA), logs in, requests the roster,
sends available presence; then reads commands from stdin, one JSON object per line:

    {"cmd":"away","status":S}          presence show=away with status S
    {"cmd":"send","to":J,"body":B}     a chat message
    {"cmd":"quit"}                     unavailable presence, close the stream, exit 0

and reports on stdout, one JSON object per line: {"ev":"login"}, {"ev":"roster"},
{"ev":"message","from":F,"body":B}, {"ev":"disconnected"}.
"""

import argparse
import logging
import os
import json
import sys

import gi

gi.require_version("GLib", "2.0")
gi.require_version("Gio", "2.0")
gi.require_version("Soup", "3.0")
from gi.repository import GLib  # noqa: E402

from nbxmpp.client import Client  # noqa: E402
from nbxmpp.const import ConnectionProtocol, ConnectionType  # noqa: E402
from nbxmpp.namespaces import Namespace  # noqa: E402
from nbxmpp.protocol import JID, Iq, Message, Presence  # noqa: E402
from nbxmpp.structs import StanzaHandler  # noqa: E402


def emit(**kw):
    sys.stdout.write(json.dumps(kw, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jid")
    ap.add_argument("password")
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--starttls", action="store_true")
    ap.add_argument("--cafile")
    args = ap.parse_args()
    logging.basicConfig(level=logging.DEBUG if os.environ.get("SEED_NBXMPP_DEBUG") else logging.INFO,
                        stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    jid = JID.from_string(args.jid)
    loop = GLib.MainLoop()
    client = Client()
    client.set_username(jid.localpart)
    client.set_domain(jid.domain)
    client.set_resource("seed")
    client.set_password(args.password)
    ctype = ConnectionType.START_TLS if args.starttls else ConnectionType.PLAIN
    client.set_connection_types([ctype])
    client.set_custom_host(f"{args.host}:{args.port}", ConnectionProtocol.TCP, ctype)
    client.set_sm_disabled(True)
    if args.starttls and args.cafile:
        from gi.repository import Gio
        client.set_accepted_certificates([Gio.TlsCertificate.new_from_file(args.cafile)])
    state = {"rc": 1}

    def on_login(_client, _signal):
        emit(ev="login")
        client.send_stanza(Iq(typ="get", queryNS=Namespace.ROSTER))
        client.send_stanza(Presence())

    def on_message(_client, stanza, _props):
        body = stanza.getBody()
        if body:
            emit(ev="message", **{"from": str(stanza.getFrom()), "body": body})

    def on_iq(_client, stanza, _props):
        if stanza.getType() == "result" and stanza.getQueryNS() == Namespace.ROSTER:
            emit(ev="roster", items=[str(i.getAttr("jid")) for i in stanza.getQuery().getTags("item")])

    def on_disconnected(_client, _signal):
        emit(ev="disconnected")
        loop.quit()

    def on_failed(_client, _signal):
        emit(ev="connection-failed", error=str(client.get_error()))
        loop.quit()

    def on_stdin(source, _cond):
        line = source.readline()
        if not line:
            client.disconnect()
            return False
        cmd = json.loads(line)
        if cmd["cmd"] == "away":
            client.send_stanza(Presence(show="away", status=cmd["status"]))
        elif cmd["cmd"] == "send":
            client.send_stanza(Message(to=JID.from_string(cmd["to"]), body=cmd["body"], typ="chat"))
        elif cmd["cmd"] == "quit":
            state["rc"] = 0
            client.send_stanza(Presence(typ="unavailable"))
            client.disconnect()
            return False
        return True

    client.subscribe("connected", on_login)
    client.subscribe("disconnected", on_disconnected)
    client.subscribe("connection-failed", on_failed)
    client.register_handler(StanzaHandler(name="message", callback=on_message))
    client.register_handler(StanzaHandler(name="iq", callback=on_iq, typ="result", ns=Namespace.ROSTER))
    GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.PRIORITY_DEFAULT,
                      GLib.IOCondition.IN | GLib.IOCondition.HUP,
                      lambda ch, cond: on_stdin(sys.stdin, cond))
    client.connect()
    loop.run()
    return state["rc"]


if __name__ == "__main__":
    sys.exit(main())

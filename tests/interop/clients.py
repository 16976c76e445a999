#!/usr/bin/env python3
"""Two-client slixmpp scenario against a real XMPP server (or a proxy in front).

    clients.py HOST PORT --summary FILE [--domain localhost]
               [--romeo romeo:PASS] [--juliet juliet:PASS]
               [--messages 200] [--timeout 120] [--wire-dir DIR] [-v]

romeo and juliet each: connect to HOST:PORT over plaintext TCP (no STARTTLS,
no direct TLS, no DNS), authenticate with SASL PLAIN, bind a resource, fetch
the roster, send initial presence, subscribe to each other and wait until each
sees the other online; then each sends the other N chat messages (non-ASCII,
XML-special characters, a few 20-40 KB bodies, and on every 10th message an
extension element whose attribute values need escaping), waits until all N of
the peer's messages arrived, queries the server's disco#info, and closes its
stream (</stream:stream>, waiting for the server's).

Writes a JSON summary to FILE and exits 0 only if every message sent by each
client was received by the peer with identical content, nothing came back as
an error, and both streams closed cleanly.  A global timeout (default 120 s)
bounds the whole run; a hard watchdog kills the process 15 s after that.
"""

import argparse
import asyncio
import faulthandler
import hashlib
import json
import logging
import os
import sys
import time
import xml.etree.ElementTree as ET

import slixmpp

PROBE_NS = "urn:xmpp-stream:interop:probe"
PROBE_TAG = "{%s}probe" % PROBE_NS

FRAGMENTS = [
    "café crème brûlée",
    "naïve façade, Ærøskøbing, Łódź, ß",
    "日本語のテキスト、漢字とかな",
    "中文消息：你好，世界",
    "한국어 메시지",
    "emoji 🎉🚀👩‍💻🏳️‍🌈 and 𝄞",
    "Ωμέγα, русский текст, עברית, العربية",
    "a < b && c > d",
    "\"double quotes\" and 'single quotes'",
    "]]> looks like a CDATA end",
    "&amp; is not an entity here, nor is &#60; or &lt;",
    "<not-a-tag attr=\"x\">text</not-a-tag>",
    "tab\there, newline\nthere",
    "zero-width\u200bjoiner\u200d and nbsp\u00a0here",
]
PROBE_ATTR = "<&>\"' ünï 💡"


def make_body(sender, peer, i):
    head = f"{sender}→{peer} #{i:04d}: "
    k = i % len(FRAGMENTS)
    parts = [FRAGMENTS[(k + j) % len(FRAGMENTS)] for j in range(1 + i % 4)]
    body = head + " | ".join(parts)
    if i % 50 == 25:  # a few large bodies: ~20, 28, 36, 40 KB (UTF-8)
        target = [20, 28, 36, 40][(i // 50) % 4] * 1024
        chunk = " / ".join(FRAGMENTS) + f" [{i}] "
        big = []
        size = len(body.encode())
        n = 0
        while size < target:
            piece = f"{n:05d} {chunk}\n"
            big.append(piece)
            size += len(piece.encode())
            n += 1
        body = body + "\n" + "".join(big)
    return body


def content_hash(body, probe):
    h = hashlib.sha256()
    h.update(body.encode())
    h.update(b"\0")
    h.update((probe if probe is not None else "").encode())
    return h.hexdigest()[:32]


class Client(slixmpp.ClientXMPP):
    def __init__(self, name, jid, password, peer_bare, n_messages, ctx):
        super().__init__(jid, password)
        self.name = name
        self.peer_bare = peer_bare
        self.n = n_messages
        self.ctx = ctx
        # plaintext only: no STARTTLS, no direct TLS; allow PLAIN without TLS
        self.enable_starttls = False
        self.enable_direct_tls = False
        self.enable_plaintext = True
        # feature_mechanisms is already registered by ClientXMPP: configure it
        self.plugin["feature_mechanisms"].unencrypted_plain = True
        self.plugin["feature_mechanisms"].use_mech = "PLAIN"
        self.register_plugin("xep_0030")  # disco
        self.register_plugin("xep_0199")  # ping (answers server pings)

        self.counts = {"sent": {}, "received": {}}
        self.sent_msgs = {}      # id -> hash
        self.recv_msgs = {}      # id -> hash
        self.recv_dups = 0
        self.recv_mismatch = []  # ids whose content differs from what the peer sent
        self.errors = []         # error stanzas received
        self.events = []         # (t, event) timeline
        self.peer_online = asyncio.Event()
        self.all_received = asyncio.Event()
        self.session_started = asyncio.Event()
        self.disconnect_reason = None
        self.closed_cleanly = None
        self.closing = False
        self.disco = None
        self.sasl_mech = None
        self.bound_jid = None
        self.roster_items = None
        self.stream_features = []
        self.local_addr = None   # our end of the TCP connection (the proxy sees it as peer)
        # every byte handed to the transport / received from it, for byte-exact
        # comparisons with what a proxy forwarded (see --wire-dir)
        self.wire = {"c2s": bytearray(), "s2c": bytearray()}

        self.add_filter("in", self._count_in)
        self.add_filter("out", self._count_out)
        self.add_event_handler("session_start", self._on_session_start)
        self.add_event_handler("message", self._on_message)
        self.add_event_handler("presence_available", self._on_available)
        self.add_event_handler("disconnected", self._on_disconnected)
        self.add_event_handler("failed_auth", lambda e: self._fail("SASL authentication failed", fatal=True))
        self.add_event_handler("failed_all_auth",
                               lambda e: self._fail("no usable SASL mechanism / all auth failed", fatal=True))
        self.add_event_handler("auth_success", self._on_auth_success)
        self.add_event_handler("stream_negotiated", lambda e: self._ev("stream_negotiated"))
        self.add_event_handler("connected", self._on_connected)
        self.add_event_handler("connection_failed", lambda e: self._ev(f"connection_failed: {e}"))

    # -- wire capture (all writes go through send_raw, all reads through data_received)
    def send_raw(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        if self.transport is not None and not self.transport.is_closing():
            self.wire["c2s"] += data  # what asyncio will put on the wire
        super().send_raw(data)

    def data_received(self, data):
        self.wire["s2c"] += data.encode("utf-8") if isinstance(data, str) else data
        super().data_received(data)

    def wire_summary(self, wire_dir):
        out = {}
        for d, data in self.wire.items():
            out[d] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            if wire_dir:
                path = f"{wire_dir}/{self.name}.{d}.bin"
                with open(path, "wb") as f:
                    f.write(data)
                out[d]["file"] = path
        return out

    # -- bookkeeping
    def _ev(self, what):
        self.events.append((round(time.monotonic() - self.ctx["t0"], 3), what))

    def _fail(self, why, fatal=False):
        self._ev("FAIL " + why)
        self.ctx["failures"].append(f"{self.name}: {why}")
        if fatal:
            self.ctx["fatal"].set()

    @staticmethod
    def _kind(stanza):
        name = stanza.xml.tag.split("}")[-1]
        return name if name in ("message", "presence", "iq") else "other:" + name

    def _count_in(self, stanza):
        k = self._kind(stanza)
        self.counts["received"][k] = self.counts["received"].get(k, 0) + 1
        if k == "other:features":
            self.stream_features.append([c.tag for c in stanza.xml])
        if k in ("message", "presence", "iq") and stanza.xml.get("type") == "error":
            self.errors.append(str(stanza)[:500])
        return stanza

    def _count_out(self, stanza):
        k = self._kind(stanza)
        self.counts["sent"][k] = self.counts["sent"].get(k, 0) + 1
        return stanza

    def _on_connected(self, _):
        self._ev("tcp connected")

    def _record_local_addr(self):
        if self.transport is not None and self.local_addr is None:
            addr = self.transport.get_extra_info("sockname")
            self.local_addr = f"{addr[0]}:{addr[1]}" if addr else None

    def _on_auth_success(self, _):
        self._record_local_addr()
        mech = self.plugin["feature_mechanisms"].mech
        self.sasl_mech = getattr(mech, "name", None) if mech else None
        self._ev(f"auth_success {self.sasl_mech}")

    # -- handlers
    async def _on_session_start(self, _):
        self.bound_jid = str(self.boundjid)
        self._ev(f"session_start {self.bound_jid}")
        try:
            await self.get_roster(timeout=20)
        except Exception as e:  # noqa: BLE001
            self._fail(f"roster fetch failed: {e!r}")
        self.roster_items = len(self.client_roster)
        self.send_presence(pstatus=f"{self.name} here — prêt ✓ <&>")
        # subscribe to the peer (and auto-accept their request, slixmpp default)
        self.send_presence_subscription(pto=self.peer_bare, ptype="subscribe")
        self.session_started.set()

    def _on_available(self, pres):
        if pres["from"].bare == self.peer_bare and not self.peer_online.is_set():
            self._ev(f"peer online {pres['from']}")
            self.peer_online.set()

    def _on_message(self, msg):
        if msg["type"] == "error":
            self._fail(f"message error: {str(msg)[:300]}")
            return
        if msg["from"].bare != self.peer_bare:
            return
        mid = msg["id"]
        probe_el = msg.xml.find(PROBE_TAG)
        probe = probe_el.get("a") if probe_el is not None else None
        h = content_hash(msg["body"], probe)
        if mid in self.recv_msgs:
            self.recv_dups += 1
        self.recv_msgs[mid] = h
        expected = self.ctx["expected"].get(mid)
        if expected is not None and expected != h:
            self.recv_mismatch.append(mid)
        if len(self.recv_msgs) >= self.n:
            self.all_received.set()

    def _on_disconnected(self, reason):
        self.disconnect_reason = str(reason)
        self._ev(f"disconnected: {reason}")
        if not self.closing:
            self._fail(f"unexpected disconnect: {reason}", fatal=True)

    # -- the scenario, after session start
    async def send_all(self):
        me = self.boundjid.bare.split("@")[0]
        peer = self.peer_bare.split("@")[0]
        for i in range(self.n):
            mid = f"{me}-{i:04d}"
            body = make_body(me, peer, i)
            msg = self.make_message(mto=self.peer_bare, mbody=body, mtype="chat")
            msg["id"] = mid
            probe = None
            if i % 10 == 0:
                probe = PROBE_ATTR + f" {i}"
                el = ET.Element(PROBE_TAG, {"a": probe, "n": str(i)})
                el.text = "probe text <&> ✓"
                msg.xml.append(el)
            h = content_hash(body, probe)
            self.sent_msgs[mid] = h
            self.ctx["expected"][mid] = h
            msg.send()
            if i % 20 == 19:
                await asyncio.sleep(0)  # let the loop flush / read
        self._ev(f"sent {self.n} messages")

    async def query_disco(self):
        iq = await self.plugin["xep_0030"].get_info(jid=self.boundjid.domain, timeout=20)
        info = iq["disco_info"]
        self.disco = {
            "identities": sorted("/".join(x for x in ident[:2] if x) for ident in info["identities"]),
            "features": len(info["features"]),
        }
        self._ev("disco#info ok")

    def summary(self):
        return {
            "jid": self.bound_jid,
            "local_addr": self.local_addr,
            "sasl_mechanism": self.sasl_mech,
            "stream_features": self.stream_features,
            "roster_items": self.roster_items,
            "stanzas_sent": dict(sorted(self.counts["sent"].items())),
            "stanzas_received": dict(sorted(self.counts["received"].items())),
            "messages_sent": len(self.sent_msgs),
            "messages_received": len(self.recv_msgs),
            "duplicate_messages_received": self.recv_dups,
            "content_mismatches": self.recv_mismatch[:20],
            "error_stanzas": self.errors[:10],
            "disco_info": self.disco,
            "closed_cleanly": self.closed_cleanly,
            "disconnect_reason": self.disconnect_reason,
            "sent": self.sent_msgs,
            "received": self.recv_msgs,
            "events": self.events,
        }


async def scenario(args, ctx):
    dom = args.domain
    (ru, rp), (ju, jp) = args.romeo.split(":", 1), args.juliet.split(":", 1)
    romeo = Client("romeo", f"{ru}@{dom}/balcony", rp, f"{ju}@{dom}", args.messages, ctx)
    juliet = Client("juliet", f"{ju}@{dom}/garden", jp, f"{ru}@{dom}", args.messages, ctx)
    ctx["clients"] = [romeo, juliet]
    ctx["fatal"] = asyncio.Event()
    both = [romeo, juliet]

    async def step(name, aws, timeout):
        work = asyncio.ensure_future(asyncio.gather(*aws))
        fatal = asyncio.ensure_future(ctx["fatal"].wait())
        done, _ = await asyncio.wait({work, fatal}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        fatal.cancel()
        if work not in done:
            work.cancel()
            await asyncio.gather(work, return_exceptions=True)
            why = "fatal error" if ctx["fatal"].is_set() else "timeout"
            raise RuntimeError(f"{why} during: {name}")
        work.result()
        ctx["phases"][name] = round(time.monotonic() - ctx["t0"], 3)

    for c in both:
        c.connect(host=args.host, port=args.port)
    await step("login+roster+presence", [c.session_started.wait() for c in both], 30)
    await step("presence exchange", [c.peer_online.wait() for c in both], 30)
    await step("messages sent", [c.send_all() for c in both], 60)
    await step("messages received", [c.all_received.wait() for c in both], 60)
    await step("disco#info", [c.query_disco() for c in both], 20)

    async def close(c):
        c.closing = True
        # sends </stream:stream>, then waits (<= 10 s) for the server's
        # </stream:stream> / TCP close before aborting the transport
        await c.disconnect(wait=10, reason="scenario done")
        # slixmpp sets this reason when the server's </stream:stream> arrived
        c.closed_cleanly = c.disconnect_reason == "End of stream"

    await step("disconnect", [close(c) for c in both], 30)


def verify(ctx):
    romeo, juliet = ctx["clients"]
    fails = list(ctx["failures"])
    for a, b in ((romeo, juliet), (juliet, romeo)):
        missing = sorted(set(a.sent_msgs) - set(b.recv_msgs))
        extra = sorted(set(b.recv_msgs) - set(a.sent_msgs))
        differ = sorted(m for m in a.sent_msgs if m in b.recv_msgs and a.sent_msgs[m] != b.recv_msgs[m])
        if len(a.sent_msgs) != ctx["n"]:
            fails.append(f"{a.name} sent {len(a.sent_msgs)} of {ctx['n']} messages")
        if missing:
            fails.append(f"{b.name} missed {len(missing)} of {a.name}'s messages, e.g. {missing[:5]}")
        if extra:
            fails.append(f"{b.name} got {len(extra)} unexpected messages, e.g. {extra[:5]}")
        if differ:
            fails.append(f"{len(differ)} of {a.name}'s messages arrived altered, e.g. {differ[:5]}")
        if b.recv_dups:
            fails.append(f"{b.name} received {b.recv_dups} duplicates")
    for c in (romeo, juliet):
        if c.errors:
            fails.append(f"{c.name} received {len(c.errors)} error stanzas, first: {c.errors[0][:200]}")
        if c.sasl_mech != "PLAIN":
            fails.append(f"{c.name} authenticated with {c.sasl_mech!r}, not PLAIN")
        if not c.disco:
            fails.append(f"{c.name} got no disco#info result")
        if c.closed_cleanly is not True:
            fails.append(f"{c.name} stream not closed cleanly (reason {c.disconnect_reason!r})")
    return fails


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--summary", required=True, help="write the JSON summary here")
    ap.add_argument("--domain", default="localhost")
    ap.add_argument("--romeo", default="romeo:r0meo-pass", help="USER:PASSWORD")
    ap.add_argument("--juliet", default="juliet:jul1et-pass", help="USER:PASSWORD")
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--wire-dir", help="write each client's raw bytes sent / received to "
                    "DIR/<name>.c2s.bin / .s2c.bin (sizes and sha256 are always in the summary)")
    ap.add_argument("-v", "--verbose", action="count", default=0)
    args = ap.parse_args()

    logging.basicConfig(level=[logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # hard watchdog: even if the event loop wedges, never hang
    faulthandler.dump_traceback_later(args.timeout + 15, exit=True)

    ctx = {"t0": time.monotonic(), "failures": [], "expected": {}, "phases": {}, "n": args.messages}
    error = None
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(asyncio.wait_for(scenario(args, ctx), args.timeout))
    except asyncio.TimeoutError:
        error = f"global timeout ({args.timeout}s)"
    except Exception as e:  # noqa: BLE001
        error = f"{type(e).__name__}: {e}"
    finally:
        for c in ctx.get("clients", []):
            c.closing = True
            if c.transport is not None:
                c.abort()
        try:
            loop.run_until_complete(asyncio.sleep(0.1))
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for t in pending:  # slixmpp's send-queue loops etc.
                t.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        except Exception:  # noqa: BLE001
            pass
        loop.close()

    fails = ([error] if error else []) + (verify(ctx) if "clients" in ctx else ["clients not created"])
    elapsed = round(time.monotonic() - ctx["t0"], 3)
    summary = {
        "ok": not fails,
        "failures": fails,
        "target": f"{args.host}:{args.port}",
        "domain": args.domain,
        "messages_per_client": args.messages,
        "slixmpp_version": slixmpp.__version__,
        "elapsed_s": elapsed,
        "phases_done_at_s": ctx["phases"],
        "clients": {c.name: c.summary() for c in ctx.get("clients", [])},
    }
    if args.wire_dir:
        os.makedirs(args.wire_dir, exist_ok=True)
    for c in ctx.get("clients", []):
        summary["clients"][c.name]["wire"] = c.wire_summary(args.wire_dir)
    if "clients" in ctx:
        romeo, juliet = ctx["clients"]
        for a, b in ((romeo, juliet), (juliet, romeo)):
            summary["clients"][a.name]["all_sent_received_by_peer"] = (
                len(a.sent_msgs) == args.messages
                and all(b.recv_msgs.get(m) == h for m, h in a.sent_msgs.items()))
    with open(args.summary, "w") as f:
        json.dump(summary, f, indent=1, ensure_ascii=False)

    for c in ctx.get("clients", []):
        s = c.summary()
        print(f"{c.name}: sent {s['stanzas_sent']} received {s['stanzas_received']} "
              f"msgs {s['messages_sent']}->/{s['messages_received']}<- "
              f"sasl={s['sasl_mechanism']} clean_close={s['closed_cleanly']}")
    if fails:
        print("FAILED:\n  " + "\n  ".join(fails), file=sys.stderr)
        return 1
    print(f"OK: {args.messages} messages each way verified, {elapsed}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

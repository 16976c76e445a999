#!/usr/bin/env python3
"""The crate in every XMPP role and transport against Debian's Prosody (issue 13).

    roles.py --component BIN --framedump BIN [--messages N] [--keep]

Starts one throwaway Prosody on 127.0.0.1 (free ports: c2s, component, HTTP for BOSH
and WebSocket; its own config and data under a temporary directory; run as the
`prosody` user, stopped by pid), a slixmpp client `juliet` on c2s, and then:

  gateway/component      examples/component (XEP-0114 on the tokio codec) with the
                         right secret: CONNECTED; juliet's N messages to
                         echoK@gw.localhost come back reversed; disco#info, ping, and
                         service-unavailable for anything else
  gateway/wrong-secret   the same binary with a wrong secret: Prosody answers
                         not-authorized, the component exits with status 3
  client/websocket       a Python `websockets` client logs in over mod_websocket
                         (RFC 7395: open, SASL PLAIN, open, bind), exchanges N messages
                         each way with juliet, closes; every WebSocket message both ways
                         is parsed by the crate's WebSocketParser (examples/framedump)
                         to exactly what the expat oracle (tools/expat_dump.py
                         --document) gives, and the message counts match both clients
  client/bosh            a BOSH session over mod_bosh (XEP-0124/0206: session request,
                         SASL PLAIN, restart, bind, presence, N messages each way with
                         juliet, terminate); every request and response body is read
                         by the crate's BoshReader to what the oracle (--bosh) gives,
                         and the message counts match both clients
  gateway/reconnect      Prosody is restarted on the same ports; the component must
                         reconnect by itself and echo again

Prints one line per role/transport (`PASS name: ...` or `FAIL name: ...`) and exits 0
only if all passed. Needs root (Prosody runs as its own user), Debian's prosody,
slixmpp and websockets (tests/interop/roles.sh installs them).
"""

import argparse
import asyncio
import base64
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import queue
import time
import urllib.request
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))

import servers  # noqa: E402  (free_port, as_user, chown_tree, process records, stop)
import expat_dump  # noqa: E402  (the oracle)
import slixmpp  # noqa: E402
import websockets  # noqa: E402

DOMAIN = "localhost"
GATEWAY = "gw.localhost"
SECRET = "gw-s3cret"
USERS = {"juliet": "jul1et-pass", "wsuser": "ws-pass", "boshuser": "bosh-pass"}
FRAMING = "urn:ietf:params:xml:ns:xmpp-framing"
HTTPBIND = "http://jabber.org/protocol/httpbind"

PROSODY_CFG = """\
-- throwaway config for xmpp-stream's roles test (generated)
daemonize = false
pidfile = "{dir}/prosody.pid"
data_path = "{dir}/data"
certificates = "{dir}/certs"
plugin_paths = {{}}
admins = {{}}
log = {{ {{ levels = {{ min = "info" }}, to = "file", filename = "{dir}/prosody.log" }}; }}
interfaces = {{ "127.0.0.1" }}
local_interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {c2s} }}
c2s_interfaces = {{ "127.0.0.1" }}
c2s_direct_tls_ports = {{}}
s2s_ports = {{}}
component_ports = {{ {component} }}
component_interfaces = {{ "127.0.0.1" }}
http_ports = {{ {http} }}
http_interfaces = {{ "127.0.0.1" }}
https_ports = {{}}
c2s_require_encryption = false
s2s_require_encryption = false
allow_unencrypted_plain_auth = true
consider_websocket_secure = true
cross_domain_websocket = true
consider_bosh_secure = true
cross_domain_bosh = true
bosh_max_inactivity = 30
authentication = "internal_hashed"
storage = "internal"
modules_enabled = {{ "roster"; "saslauth"; "disco"; "ping"; "bosh"; "websocket"; }}
modules_disabled = {{ "tls"; "s2s"; "posix"; "limits"; "smacks"; }}

VirtualHost "{domain}"

Component "{gateway}"
    component_secret = "{secret}"
"""

# Bodies with what XML makes hard: markup characters, quotes, non-ASCII, astral
# characters, a tab and a newline (no CR: XML turns it into LF).
FRAGMENTS = [
    "a < b && c > d", "\"double\" and 'single'", "]]> not a CDATA end",
    "café, Łódź, 日本語, 한국어", "emoji 🎉👩‍💻 and 𝄞", "&amp; is text, &#60; too",
    "tab\there, newline\nthere",
]


def body_text(who, i):
    return f"{who} #{i:03d}: " + " | ".join(FRAGMENTS[(i + j) % len(FRAGMENTS)]
                                            for j in range(1 + i % 3))


def log(msg):
    print(f"[roles] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ Prosody

class Prosody:
    def __init__(self, d):
        self.d = d
        self.ports = {}
        self.cfg = os.path.join(d, "prosody.cfg.lua")

    def configure(self):
        ports = set()
        for name in ("c2s", "component", "http"):
            p = servers.free_port()
            while p in ports:
                p = servers.free_port()
            ports.add(p)
            self.ports[name] = p
        os.makedirs(f"{self.d}/data", exist_ok=True)
        os.makedirs(f"{self.d}/certs", exist_ok=True)
        with open(self.cfg, "w") as f:
            f.write(PROSODY_CFG.format(dir=self.d, domain=DOMAIN, gateway=GATEWAY,
                                       secret=SECRET, **self.ports))
        os.chmod(self.cfg, 0o644)
        servers.chown_tree(self.d, "prosody")
        for user, pw in USERS.items():
            servers.run(servers.as_user("prosody", ["prosodyctl", "--config", self.cfg,
                                                    "register", user, DOMAIN, pw]))

    def start(self):
        out = open(f"{self.d}/prosody.stdout", "a")
        proc = subprocess.Popen(servers.as_user("prosody", ["prosody", "--config", self.cfg]),
                                stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        servers.write_state(self.d, "prosody", DOMAIN, self.ports["c2s"],
                            servers.record([proc.pid]))
        for name in ("c2s", "component", "http"):
            servers.wait_port(self.ports[name], proc, 60, f"prosody ({name})")

    def stop(self):
        return servers.cmd_stop(self.d)

    def log_tail(self, n=4000):
        try:
            with open(f"{self.d}/prosody.log", errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""


# ------------------------------------------------------------------ the component

class Component:
    """examples/component as a child process; its stdout lines go to a queue."""

    def __init__(self, binary, port, secret, work, name):
        self.err = open(os.path.join(work, f"{name}.stderr"), "w")
        self.proc = subprocess.Popen(
            [binary, "--port", str(port), "--domain", GATEWAY, "--secret", secret,
             "--reconnects", "30"],
            stdout=subprocess.PIPE, stderr=self.err, stdin=subprocess.DEVNULL, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    async def expect(self, prefix, timeout):
        """Waits for a stdout line starting with prefix; returns it (None on EOF/timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.05)
                continue
            if line is None:
                return None
            log(f"component: {line}")
            if line.startswith(prefix):
                return line
        return None

    async def wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return self.proc.returncode
            await asyncio.sleep(0.05)
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ------------------------------------------------------------------ juliet (slixmpp)

class Juliet(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(f"juliet@{DOMAIN}/garden", USERS["juliet"])
        self.enable_starttls = False
        self.enable_direct_tls = False
        self.enable_plaintext = True
        self.plugin["feature_mechanisms"].unencrypted_plain = True
        self.plugin["feature_mechanisms"].use_mech = "PLAIN"
        self.register_plugin("xep_0030")
        self.register_plugin("xep_0199")
        self.inbox = []          # (from, body)
        self.sent = 0
        self.started = asyncio.Event()
        self.add_event_handler("session_start", self._start)
        self.add_event_handler("message", self._message)

    async def _start(self, _):
        self.send_presence()
        self.started.set()

    def _message(self, msg):
        if msg["type"] in ("chat", "normal") and msg["body"]:
            self.inbox.append((str(msg["from"]), msg["body"]))

    def say(self, to, body):
        self.send_message(mto=to, mbody=body, mtype="chat")
        self.sent += 1

    def received_from(self, jid):
        return [b for f, b in self.inbox if f == jid]


async def connect_juliet(port):
    j = Juliet()
    j.connect(host="127.0.0.1", port=port)
    await asyncio.wait_for(j.started.wait(), 30)
    return j


async def until(pred, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        await asyncio.sleep(step)
    return pred()


# ------------------------------------------------------------------ crate vs oracle

def write_records(path, records):
    with open(path, "wb") as f:
        for tag, data in records:
            f.write(b"%s %d\n" % (tag.encode(), len(data)))
            f.write(data)
            f.write(b"\n")


def crate_vs_oracle(framedump, mode, records, path):
    """Runs framedump over the records and the oracle over each; returns
    (mismatches, crate lines per record, BOSH body views per record)."""
    write_records(path, records)
    r = subprocess.run([framedump, f"--{mode}", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    per, views = [], []
    for line in r.stdout.decode("utf-8").splitlines():
        if line.startswith("#"):
            per.append([])
            views.append(None)
        elif line.startswith('{"bosh":'):
            views[-1] = json.loads(line)["bosh"]
        else:
            per[-1].append(line)
    if len(per) != len(records):
        return [f"framedump printed {len(per)} records for {len(records)} "
                f"(exit {r.returncode}: {r.stderr.decode(errors='replace')[:300]})"], per, views
    oracle_mode = "document" if mode == "websocket" else "bosh"
    bad = []
    for i, ((tag, data), got) in enumerate(zip(records, per)):
        want = expat_dump.dump_lines(data, oracle_mode)
        if got != want:
            bad.append(f"record {i} ({tag}, {len(data)} bytes): crate {got!r} != oracle {want!r}")
    if r.returncode != 0 and not bad:
        bad.append(f"framedump exited {r.returncode}")
    return bad, per, views


def count_messages(per, records, direction):
    """Message stanzas with a body in the crate's reading of records of one direction."""
    n = 0
    for (tag, _), lines in zip(records, per):
        if tag != direction:
            continue
        for line in lines:
            if line.startswith('{"stanza":{"name":["jabber:client","message"]') \
                    and '["jabber:client","body"]' in line:
                n += 1
    return n


def finish_transport(args, results, mode, records, problems, directions, got, jid):
    """The checks common to WebSocket and BOSH: every record read by the crate as the
    oracle reads it (and BOSH body views as ElementTree reads them), and the crate's
    message counts equal to both clients' (args.messages each way)."""
    n = args.messages
    bad, per, views = crate_vs_oracle(args.framedump, mode, records,
                                      os.path.join(args.work, f"{mode}.records"))
    problems += bad[:5]
    if mode == "bosh":
        problems += check_body_views(records, views)
    sent = count_messages(per, records, directions[0])
    recvd = count_messages(per, records, directions[1])
    if (sent, recvd) != (n, n) or got != n:
        problems.append(f"crate counted {sent} sent / {recvd} received messages, "
                        f"client received {got}, juliet sent {n}")
    what = "WebSocket messages" if mode == "websocket" else "bodies"
    results.report(f"client/{mode}", not problems,
                   "; ".join(problems) or f"{len(records)} {what} "
                   f"({sum(len(d) for _, d in records)} bytes) identical to the oracle; "
                   f"{sent} sent, {recvd} received, as both clients counted; bound {jid}")


def xml_kind(text):
    try:
        e = ET.fromstring(text)
    except ET.ParseError:
        return None
    return e.tag


# ------------------------------------------------------------------ the tests

class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def report(self, name, ok, detail):
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1


async def test_wrong_secret(args, prosody, results):
    c = Component(args.component, prosody.ports["component"], "not-the-secret", args.work,
                  "component-wrong")
    try:
        line = await c.expect("STREAM-ERROR", 20)
        rc = await c.wait_exit(10)
    finally:
        c.stop()
    ok = line == "STREAM-ERROR not-authorized" and rc == 3
    results.report("gateway/wrong-secret", ok,
                   f"component said {line!r}, exit status {rc} (want not-authorized, 3)")


async def echo_round(juliet, n, tag):
    """juliet messages echoK@gateway n times; returns the list of problems."""
    want = {}
    for i in range(n):
        jid = f"echo{i % 3}@{GATEWAY}"
        body = body_text(f"{tag}-juliet", i)
        want.setdefault(jid, []).append("echo: " + body[::-1])
        juliet.say(jid, body)
    total = sum(len(v) for v in want.values())
    await until(lambda: sum(len(juliet.received_from(j)) for j in want) >= total, 30)
    problems = []
    for jid, bodies in want.items():
        got = juliet.received_from(jid)
        if got != bodies:
            problems.append(f"{jid}: {len(got)} echoes, want {len(bodies)}"
                            + ("" if len(got) != len(bodies) else " (bodies differ)"))
    return problems


async def test_component(args, prosody, juliet, results):
    c = Component(args.component, prosody.ports["component"], SECRET, args.work, "component")
    line = await c.expect("CONNECTED", 20)
    if line is None:
        c.stop()
        results.report("gateway/component", False, "the component did not connect "
                       f"(exit {c.proc.poll()})\n{prosody.log_tail(1500)}")
        return None
    problems = await echo_round(juliet, args.messages, "tcp")
    info = await juliet.plugin["xep_0030"].get_info(jid=GATEWAY, timeout=10)
    identities = {(i[0], i[1]) for i in info["disco_info"]["identities"]}
    features = set(info["disco_info"]["features"])
    if ("gateway", "echo") not in identities or "urn:xmpp:ping" not in features:
        problems.append(f"disco#info: {identities} {features}")
    try:
        await juliet.plugin["xep_0199"].send_ping(GATEWAY, timeout=10)
    except Exception as e:  # noqa: BLE001 (any failure is the finding)
        problems.append(f"ping: {e!r}")
    iq = juliet.make_iq_get(queryxmlns="jabber:iq:version", ito=GATEWAY)
    try:
        await iq.send(timeout=10)
        problems.append("jabber:iq:version got a result, want service-unavailable")
    except slixmpp.exceptions.IqError as e:
        if e.iq["error"]["condition"] != "service-unavailable":
            problems.append(f"jabber:iq:version: {e.iq['error']['condition']}")
    if c.proc.poll() is not None:
        problems.append(f"the component exited ({c.proc.returncode})")
    results.report("gateway/component", not problems,
                   "; ".join(problems) or f"handshake, {args.messages} echoes from "
                   f"{GATEWAY} users, disco#info, ping, service-unavailable")
    return c


async def test_websocket(args, prosody, juliet, results):
    url = f"ws://127.0.0.1:{prosody.ports['http']}/xmpp-websocket"
    records = []
    problems = []
    n = args.messages
    jid = None
    async with websockets.connect(url, subprotocols=["xmpp"], max_size=None,
                                  open_timeout=20) as ws:
        async def send(text):
            records.append(("out", text.encode("utf-8")))
            await ws.send(text)

        async def recv(timeout=20):
            m = await asyncio.wait_for(ws.recv(), timeout)
            records.append(("in", m.encode("utf-8") if isinstance(m, str) else m))
            return m

        async def recv_until(tag, timeout=20):
            deadline = time.monotonic() + timeout
            while True:
                m = await recv(max(0.1, deadline - time.monotonic()))
                if xml_kind(m) == tag:
                    return m

        open_ = f"<open xmlns='{FRAMING}' to='{DOMAIN}' version='1.0' xml:lang='en'/>"
        await send(open_)
        await recv_until(f"{{{FRAMING}}}open")
        await recv_until("{http://etherx.jabber.org/streams}features")
        cred = base64.b64encode(f"\0wsuser\0{USERS['wsuser']}".encode()).decode()
        await send(f"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{cred}</auth>")
        await recv_until("{urn:ietf:params:xml:ns:xmpp-sasl}success")
        await send(open_)
        await recv_until(f"{{{FRAMING}}}open")
        await recv_until("{http://etherx.jabber.org/streams}features")
        await send("<iq xmlns='jabber:client' type='set' id='bind1'><bind "
                   "xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>ws</resource></bind></iq>")
        res = ET.fromstring(await recv_until("{jabber:client}iq"))
        jid = res.findtext("{urn:ietf:params:xml:ns:xmpp-bind}bind/{urn:ietf:params:xml:ns:xmpp-bind}jid")
        await send("<presence xmlns='jabber:client'/>")
        for i in range(n):
            body = escape(body_text("ws", i))
            await send(f"<message xmlns='jabber:client' to='juliet@{DOMAIN}/garden' "
                       f"type='chat' id='ws{i}'><body>{body}</body></message>")
        ws_jid = jid
        await until(lambda: len(juliet.received_from(ws_jid)) >= n, 30)
        for i in range(n):
            juliet.say(ws_jid, body_text("juliet-ws", i))
        got = 0
        deadline = time.monotonic() + 30
        while got < n and time.monotonic() < deadline:
            m = await recv(max(0.1, deadline - time.monotonic()))
            if xml_kind(m) == "{jabber:client}message":
                got += 1
        await send(f"<close xmlns='{FRAMING}'/>")
        try:
            await recv_until(f"{{{FRAMING}}}close", 10)
        except (asyncio.TimeoutError, websockets.ConnectionClosed):
            problems.append("no <close/> from the server")
    from_ws = juliet.received_from(jid)
    if from_ws != [body_text("ws", i) for i in range(n)]:
        problems.append(f"juliet got {len(from_ws)} of the client's {n} messages (or different bodies)")
    finish_transport(args, results, "websocket", records, problems, ("out", "in"), got, jid)


NUMERIC = ("rid", "ack", "wait", "hold", "requests", "polling", "inactivity")
STRINGS = ("sid", "authid", "from", "to", "ver", "type", "condition")


def check_body_views(records, views):
    """The crate's typed body accessors agree with ElementTree's reading of each body."""
    bad = []
    for i, ((tag, data), view) in enumerate(zip(records, views)):
        if view is None:
            bad.append(f"record {i}: no body view")
            continue
        attrs = ET.fromstring(data).attrib
        want = {k: int(attrs[k]) for k in NUMERIC if k in attrs}
        want.update({k: attrs[k] for k in STRINGS if k in attrs})
        v = attrs.get("{urn:xmpp:xbosh}version")
        if v:
            want["xmpp_version"] = v
        want["xmpp_restart"] = attrs.get("{urn:xmpp:xbosh}restart") in ("true", "1")
        if view != want:
            bad.append(f"record {i} ({tag}): body view {view} != {want}")
    return bad[:5]


def http_post(url, body, timeout=30):
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "text/xml; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


async def test_bosh(args, prosody, juliet, results):
    url = f"http://127.0.0.1:{prosody.ports['http']}/http-bind"
    records = []
    problems = []
    n = args.messages
    rid = random.randrange(1 << 20, 1 << 40)
    sid = None
    inbox = []  # every stanza received, as ElementTree elements

    async def request(attrs, payload=""):
        nonlocal rid
        rid += 1
        a = f"rid='{rid}'" + (f" sid='{sid}'" if sid else "") + attrs
        body = f"<body xmlns='{HTTPBIND}' {a}>{payload}</body>".encode("utf-8")
        records.append(("request", body))
        resp = await asyncio.to_thread(http_post, url, body)
        records.append(("response", resp))
        root = ET.fromstring(resp)
        inbox.extend(list(root))
        return root

    async def until_stanza(tag, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, e in enumerate(inbox):
                if e.tag == tag:
                    del inbox[: i + 1]
                    return e
            await request("")
        raise RuntimeError(f"no {tag} within {timeout}s")

    try:
        root = await request(f" to='{DOMAIN}' wait='2' hold='1' ver='1.6' xml:lang='en' "
                             f"content='text/xml; charset=utf-8' "
                             f"xmlns:xmpp='urn:xmpp:xbosh' xmpp:version='1.0'")
        sid = root.get("sid")
        if not sid:
            raise RuntimeError(f"no sid in the session response: {records[-1][1][:300]!r}")
        await until_stanza("{http://etherx.jabber.org/streams}features")
        cred = base64.b64encode(f"\0boshuser\0{USERS['boshuser']}".encode()).decode()
        await request("", f"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' "
                          f"mechanism='PLAIN'>{cred}</auth>")
        await until_stanza("{urn:ietf:params:xml:ns:xmpp-sasl}success")
        await request(f" to='{DOMAIN}' xmlns:xmpp='urn:xmpp:xbosh' xmpp:restart='true'")
        await until_stanza("{http://etherx.jabber.org/streams}features")
        # Unqualified, as XEP-0206 allows: the server reads it as jabber:client.
        await request("", "<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:"
                          "xmpp-bind'><resource>bosh</resource></bind></iq>")
        res = await until_stanza("{jabber:client}iq")
        jid = res.findtext("{urn:ietf:params:xml:ns:xmpp-bind}bind/"
                           "{urn:ietf:params:xml:ns:xmpp-bind}jid")
        payload = "<presence/>" + "".join(
            f"<message xmlns='jabber:client' to='juliet@{DOMAIN}/garden' type='chat' "
            f"id='b{i}'><body>{escape(body_text('bosh', i))}"
            f"</body></message>" for i in range(n))
        await request("", payload)
        await until(lambda: len(juliet.received_from(jid)) >= n, 30)
        for i in range(n):
            juliet.say(jid, body_text("juliet-bosh", i))
        got = 0
        deadline = time.monotonic() + 40
        while got < n and time.monotonic() < deadline:
            got += sum(1 for e in inbox if e.tag == "{jabber:client}message")
            inbox.clear()
            if got < n:
                await request("")
        root = await request(" type='terminate'",
                             "<presence xmlns='jabber:client' type='unavailable'/>")
        if root.get("type") != "terminate":
            problems.append(f"terminate answered with type={root.get('type')!r}")
    except Exception as e:  # noqa: BLE001 (reported as the failure)
        problems.append(f"session failed: {e!r}")
        jid, got = None, 0
    if jid:
        from_bosh = juliet.received_from(jid)
        if from_bosh != [body_text("bosh", i) for i in range(n)]:
            problems.append(f"juliet got {len(from_bosh)} of the client's {n} messages "
                            "(or different bodies)")
    finish_transport(args, results, "bosh", records, problems, ("request", "response"),
                     got, jid)


async def test_reconnect(args, prosody, component, results):
    problems = []
    if not prosody.stop() == 0:
        problems.append("prosody did not stop")
    prosody.start()
    line = await component.expect("CONNECTED", 30)
    if line is None:
        problems.append(f"no reconnect (component exit {component.proc.poll()})")
    else:
        juliet = await connect_juliet(prosody.ports["c2s"])
        problems += await echo_round(juliet, 3, "again")
        juliet.disconnect()
    results.report("gateway/reconnect", not problems,
                   "; ".join(problems) or "Prosody restarted; the component reconnected "
                   "and echoed again")


async def main_async(args, prosody, results):
    juliet = await connect_juliet(prosody.ports["c2s"])
    await test_wrong_secret(args, prosody, results)
    component = await test_component(args, prosody, juliet, results)
    try:
        for test in (test_websocket, test_bosh):
            try:
                await test(args, prosody, juliet, results)
            except Exception as e:  # noqa: BLE001 (reported as the failure)
                results.report("client/" + test.__name__[5:], False, f"{e!r}")
        juliet.disconnect()
        if component is not None:
            await test_reconnect(args, prosody, component, results)
    finally:
        if component is not None:
            alive = component.proc.poll() is None
            component.stop()
            if not alive:
                results.report("gateway/alive", False, "the component had exited")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--component", required=True)
    ap.add_argument("--framedump", required=True)
    ap.add_argument("--messages", type=int, default=20)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        ap.error("needs root (Prosody runs as its own user)")
    work = tempfile.mkdtemp(prefix="xs-roles-", dir="/tmp")
    os.chmod(work, 0o755)
    args.work = work
    prosody = Prosody(os.path.join(work, "prosody"))
    os.makedirs(prosody.d)
    results = Results()
    try:
        prosody.configure()
        prosody.start()
        log(f"prosody up: {prosody.ports}")
        asyncio.run(asyncio.wait_for(main_async(args, prosody, results), 300))
    except Exception as e:  # noqa: BLE001 (reported as the failure)
        results.report("setup", False, f"{e!r}\n{prosody.log_tail(2000)}")
    finally:
        if prosody.stop() != 0:
            results.report("teardown", False, "prosody did not stop")
    if results.failed == 0 and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        log(f"work dir kept: {work}")
    print(f"{results.passed} passed, {results.failed} failed", flush=True)
    return 0 if results.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

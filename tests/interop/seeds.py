#!/usr/bin/env python3
"""Seed clients against seed servers through xmpptap, each with a slixmpp peer.

    seeds.py --tap XMPPTAP --xmppdump XMPPDUMP --workdir DIR
             [--servers prosody,jabberd2] [--clients mcabber,profanity,...]
             [--captures DIR]   (write the seed clients' recordings, cut at restarts)

Each server starts once (servers.py, every account and roster made before start); each
pair then gets a fresh xmpptap (tap_chain.sh: client -> xmpptap -> passthru.py recorder
-> server) with a slixmpp peer (seed_peer.py) on the other end. A pair, every step
waiting for its condition (never a fixed sleep):

  1. the peer logs in and sends presence; the seed client starts and logs in (the peer
     sees its available presence: login, roster, initial presence);
  2. the client sets away with a status text, the peer sees exactly that presence;
  3. the client sends a chat message, the peer gets exactly its body; the peer replies,
     the client shows / stores the reply;
  4. the client quits, the peer sees it unavailable, the peer closes, the tap stops;
  5. check_seeds.check_pair on the tap log and the recordings (see there).

Prints one line per pair and `seeds: N passed, M failed`. Exit 0 when all passed.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_seeds  # noqa: E402
import seed_clients  # noqa: E402

PYTHON = sys.executable
# pairs that cannot work, and why (printed as SKIP, not run)
CANNOT = {
    ("jabberd2", "poezio"): "jabberd2 2.7 offers only PLAIN and DIGEST-MD5; poezio's slixmpp 1.8 "
                            "refuses PLAIN without TLS and has no DIGEST-MD5 (no setting changes either)",
}
STATUS = "gone fishing — ✓ <&> ]]> 🎣"


def bodies(client):
    """(client -> peer, peer -> client) message bodies: non-ASCII, entity-like text, `]]>`,
    markup-like text and emoji, with an ASCII token at the end to look for on a screen.
    What the client types has no `"`: poezio's command line takes it as quoting."""
    return (f"héllo wörld ✓ <b>&amp; ]]> 'q' 🎉 日本語 Ωμέγα #c2p{client}",
            f"ünïcödé réply ✓ <i>&lt; ]]> 'a' \"b\" 🚀👍 한국어 עברית #p2c{client}")


def log(msg):
    print(f"[seeds] {msg}", file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def is_listening(port):
    hexp = ":%04X" % port
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                for ln in f.readlines()[1:]:
                    parts = ln.split()
                    if parts[1].endswith(hexp) and parts[3] == "0A":
                        return True
        except OSError:
            pass
    return False


class Timeout(Exception):
    pass


def wait_for(what, cond, timeout=30, alive=None):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if alive is not None:
            why = alive()
            if why:
                raise Timeout(f"{what}: {why}")
        if time.monotonic() > deadline:
            raise Timeout(f"timed out ({timeout}s) waiting for {what}")
        time.sleep(0.05)


class Peer(seed_clients.JsonChild):
    """seed_peer.py (slixmpp) as a child spoken to in JSON lines."""

    def __init__(self, pdir, port, acct, client_bare, tls=None, direct=False):
        argv = [PYTHON, os.path.join(HERE, "seed_peer.py"), "127.0.0.1", str(port),
                acct["jid"] + "/peer", acct["password"], client_bare,
                "--summary", os.path.join(pdir, "peer.json"), "--wire-dir", os.path.join(pdir, "wire")]
        if tls:
            argv += ["--direct-tls" if direct else "--starttls", "--cafile", tls]
        super().__init__(argv, os.path.join(pdir, "peer.err"))

    def dead(self):
        return f"peer exited ({self.proc.returncode})" if self.proc.poll() is not None else None

    def find(self, pred, after=0):
        for i, e in enumerate(self.snapshot()[after:], after):
            if pred(e):
                return i + 1
        return None


class Tap:
    def __init__(self, pdir, tap_bin, upstream_port, extra=(), wait_file=None):
        self.log = os.path.join(pdir, "tap.log")
        self.port = free_port()
        self.out = open(os.path.join(pdir, "tap.out"), "w")
        self.proc = subprocess.Popen(
            ["bash", os.path.join(HERE, "tap_chain.sh"), tap_bin, f"127.0.0.1:{self.port}",
             f"127.0.0.1:{upstream_port}", self.log, *extra],
            stdout=self.out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env={**os.environ, "PYTHON": PYTHON})
        wait_for("xmpptap to listen", lambda: is_listening(self.port) and
                 (wait_file is None or os.path.exists(wait_file)), 30,
                 lambda: self.proc.poll() is not None and "tap_chain.sh exited")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        # passthru.py (the recorder) is in the same process group: wait until it is gone
        wait_for("the recorder to exit", lambda: not _group_alive(self.proc.pid), 10)


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def accounts(clients):
    out = {}
    for c in clients:
        out[c] = {"user": c, "password": f"{c}-pw1", "peer": f"{c}peer", "peer_password": f"{c}-pw2"}
    return out


def make_certs(d):
    """A CA and a `localhost` server certificate signed by it (the server's), and a second
    CA that signed nothing (the wrong trust anchor), with openssl."""
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def ossl(*a):
        subprocess.run(["openssl", *a], check=True, capture_output=True, timeout=60)

    for ca in ("ca", "wrong-ca"):
        ossl("req", "-x509", *ec, "-keyout", f"{d}/{ca}.key", "-out", f"{d}/{ca}.pem", "-days", "2",
             "-subj", f"/CN=xmpp-stream seeds test {ca}")
    ossl("req", *ec, "-keyout", f"{d}/key.pem", "-out", f"{d}/server.csr", "-subj", "/CN=localhost")
    with open(f"{d}/ext.cnf", "w") as f:
        f.write("subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n")
    ossl("x509", "-req", "-in", f"{d}/server.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca.key",
         "-CAcreateserial", "-out", f"{d}/cert.pem", "-days", "2", "-extfile", f"{d}/ext.cnf")
    for f in os.listdir(d):
        os.chmod(f"{d}/{f}", 0o644)
    return d


def start_server(server, sdir, accts, certs=None):
    argv = [PYTHON, os.path.join(HERE, "servers.py"), "start", server, "--dir", sdir]
    if certs:
        argv += ["--tls-cert", f"{certs}/cert.pem", "--tls-key", f"{certs}/key.pem"]
    for a in accts.values():
        argv += ["--user", f"{a['user']}:{a['password']}", "--user", f"{a['peer']}:{a['peer_password']}",
                 "--roster", f"{a['user']}:{a['peer']}"]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=180)
    port = [ln[5:] for ln in r.stdout.splitlines() if ln.startswith("PORT=")]
    if r.returncode != 0 or not port:
        raise RuntimeError(f"servers.py start {server} failed:\n{r.stderr[-3000:]}")
    return int(port[0])


def stop_server(sdir):
    return subprocess.run([PYTHON, os.path.join(HERE, "servers.py"), "stop", "--dir", sdir]).returncode


def run_pair(args, server, port, client, acct, tmux, workdir):
    pdir = os.path.join(workdir, f"{server}-{client}")
    os.makedirs(pdir, exist_ok=True)
    os.chmod(pdir, 0o755)
    host = "localhost"
    c_bare, p_bare = f"{acct['user']}@{host}", f"{acct['peer']}@{host}"
    body_c, body_p = bodies(client)
    tap = peer = drv = None
    t0 = time.monotonic()
    tls = bool(args.certs)
    tap_ca = os.path.join(pdir, "tap-cert.pem")
    plain = os.path.join(pdir, "plain")
    try:
        extra = []
        if tls:
            os.makedirs(plain, exist_ok=True)
            extra = ["--tls-name", host, "--cert-out", tap_ca, "--ca", f"{args.certs}/ca.pem",
                     "--plaintext-dir", plain]
        tap = Tap(pdir, args.tap, port, extra, tap_ca if tls else None)
        peer = Peer(pdir, tap.port, {"jid": p_bare, "password": acct["peer_password"]}, c_bare,
                    tap_ca if tls else None)
        wait_for("the peer's session", lambda: peer.find(lambda e: e["ev"] == "ready"), 30, peer.dead)
        drv = seed_clients.DRIVERS[client](pdir, {"jid": c_bare, "password": acct["password"],
                                                  "port": tap.port, "tls": tls, "cafile": tap_ca}, tmux)
        drv.start()
        if getattr(drv, "oneshot", False):
            return finish_oneshot(args, tap, peer, drv, pdir, t0, c_bare, p_bare, body_c, server, client)

        def gone():
            if peer.dead():
                return peer.dead()
            return f"{client} exited" if drv.exited() else None

        def presence(pred):
            return lambda e: e["ev"] == "presence" and pred(e)

        i = wait_for(f"{client}'s available presence at the peer (login, roster, presence)",
                     lambda: peer.find(presence(lambda e: e["type"] == "available")), 45, gone)
        drv.set_away(STATUS)
        i = wait_for(f"{client}'s away presence with the status text at the peer",
                     lambda: peer.find(presence(lambda e: e["show"] == "away" and e["status"] == STATUS), i),
                     30, gone)
        drv.send(p_bare, body_c)
        got = wait_for(f"{client}'s message at the peer",
                       lambda: peer.find(lambda e: e["ev"] == "message"), 30, gone)
        if peer.events[got - 1]["body"] != body_c:
            raise Timeout(f"the peer got body {peer.events[got - 1]['body']!r}, {client} typed {body_c!r}")
        peer.cmd(cmd="send", body=body_p, id=f"p2c-{client}-1")
        token = f"#p2c{client}"
        wait_for(f"the peer's reply shown by {client}", lambda: drv.received(token), 30, gone)
        drv.quit()
        wait_for(f"{client} to exit", drv.exited, 30, peer.dead)
        wait_for(f"{client}'s unavailable presence at the peer",
                 lambda: peer.find(presence(lambda e: e["type"] == "unavailable"), i), 30, peer.dead)
        peer.cmd(cmd="close")
        wait_for("the peer to close", lambda: peer.proc.poll() is not None, 30)
        if peer.proc.returncode != 0:
            raise Timeout(f"the peer exited {peer.proc.returncode}")
        tap.stop()
        expect = {"client": client, "client_jid": c_bare, "peer_jid": p_bare, "status": STATUS,
                  "body_c2p": body_c, "body_p2c": body_p, "server": server,
                  "tls": tls, "plain_dir": plain}
        fails, facts = check_seeds.check_pair(tap.log, os.path.join(pdir, "peer.json"), expect,
                                              args.xmppdump)
        if not fails and args.captures:
            facts["captures"] = check_seeds.write_captures(
                tap.log, facts, args.captures, f"{server}-{client}")
        return fails, facts, time.monotonic() - t0, pdir
    except (Timeout, RuntimeError, OSError) as e:
        extra = ""
        if drv is not None:
            extra = f"\n--- {client} screen/diagnostics:\n{drv.diagnostics()}"
        if peer is not None:
            extra += f"\n--- peer events: {json.dumps(peer.events, ensure_ascii=False)[-1500:]}"
        return [f"{e}{extra}"], {}, time.monotonic() - t0, pdir
    finally:
        if drv is not None:
            drv.stop()
        if peer is not None:
            peer.stop()
        if tap is not None:
            tap.stop()


README = """\
# corpus/captures/

Real XMPP traffic of the seed clients, recorded by `tests/interop/seeds.sh --captures
corpus/captures` (between xmpptap and the server, by tests/interop/passthru.py) on
127.0.0.1, plaintext, with throwaway accounts: one seed client's connection per pair, both
directions, cut at stream restarts (`NAME.c2s.1.xml` is the client's first stream up to
its SASL exchange, `NAME.c2s.2.xml` the stream after the restart; a restart's fresh
`<?xml?>` goes with the new stream). Beside each `.xml` is the expat oracle's dump
(`tools/expat_dump.py FILE > FILE.jsonl`), which `tests/captures.rs` compares with the
crate's parse (whole, one byte per feed, odd pieces; and each direction put back together
across its restarts). The scenario: log in, roster, available presence, away with a status
text, one chat message each way (non-ASCII, `<&>`, `]]>`, entity-like text, emoji), quit
(see tests/interop/seeds.py). Ids, nonces and SASL exchanges are those of the recorded run;
the passwords are the test's own.

Regenerate: `sudo tests/interop/seeds.sh --captures corpus/captures` (as root; it also
rewrites this file). Some clients send whitespace keepalives and timestamps, so a new run
never gives the same bytes: commit a regeneration only with the test passing.

| pair | server | client | files | bytes c2s / s2c | stanzas c2s / s2c |
| --- | --- | --- | --- | ---: | ---: |
"""


def write_readme(outdir, made):
    rows = []
    for server, sver, client, cver, f in made:
        k = f["conns"]["client"]
        rows.append(f"| `{server}-{client}` | {server} {sver} | {client} {cver} | "
                    f"{len(f['captures'])} | {k['c2s']['bytes']} / {k['s2c']['bytes']} | "
                    f"{sum(k['c2s']['kinds'].values())} / {sum(k['s2c']['kinds'].values())} |")
    with open(os.path.join(outdir, "README.md"), "w") as fh:
        fh.write(README + "\n".join(rows) + "\n")


def tap_lines(log_path):
    try:
        with open(log_path, encoding="utf-8") as f:
            return [json.loads(x) for x in f if x.endswith("\n")]
    except FileNotFoundError:
        return []


def cert_checks(args, port, acct, workdir):
    """Certificates that must not be accepted, and --insecure that accepts: a slixmpp
    client through the tap with STARTTLS. Returns (label, ok, detail, seconds) rows."""
    certs = args.certs
    c_bare, p_bare = f"{acct['user']}@localhost", f"{acct['peer']}@localhost"
    cases = [
        # name, tap options, the client's trust anchor, expected failing side or None
        ("server cert from an untrusted CA is refused", ["--ca", f"{certs}/wrong-ca.pem"], "tap", "server"),
        ("--insecure accepts it", ["--insecure"], "tap", None),
        ("a client that does not trust the tap refuses it", ["--ca", f"{certs}/ca.pem"],
         f"{certs}/wrong-ca.pem", "client"),
    ]
    with open(os.path.join(workdir, "prosody", "server", "direct_tls_port")) as f:
        direct_port = int(f.read())
    cases.append(("direct TLS (XEP-0368) on both legs", ["--direct-tls", "--ca", f"{certs}/ca.pem"],
                  "tap", None))
    rows = []
    for i, (name, opts, trust, fails_at) in enumerate(cases, 1):
        t0 = time.monotonic()
        pdir = os.path.join(workdir, f"certcheck{i}")
        os.makedirs(pdir, exist_ok=True)
        os.chmod(pdir, 0o755)
        tap_ca = os.path.join(pdir, "tap-cert.pem")
        tap = peer = None
        try:
            direct = "--direct-tls" in opts
            tap = Tap(pdir, args.tap, direct_port if direct else port,
                      ["--tls-name", "localhost", "--cert-out", tap_ca, *opts], tap_ca)
            peer = Peer(pdir, tap.port, {"jid": p_bare, "password": acct["peer_password"]}, c_bare,
                        tap_ca if trust == "tap" else trust, direct)
            if fails_at is None:
                wait_for("the client's session", lambda: peer.find(lambda e: e["ev"] == "ready"), 30, peer.dead)
                peer.cmd(cmd="close")
                wait_for("the client to close", lambda: peer.proc.poll() is not None, 30)
                tap.stop()
                lines = tap_lines(tap.log)
                hs = [ln for ln in lines if ln.get("event") == "tls-handshake" and ln.get("side") == "server"]
                ok = len(hs) == 1 and hs[0].get("verify") == ("ca" if direct else "insecure")
                disc = [ln for ln in lines if ln.get("event") == "disconnect"]
                # every decrypted byte parsed, both directions
                ok = ok and len(disc) == 1 and all(
                    disc[0][d]["parsed"] == disc[0][d]["bytes"] > 0 and disc[0][d]["clean"]
                    and disc[0][d]["tls_at"] == (0 if direct else disc[0][d]["tls_at"])
                    for d in ("c2s", "s2c"))
                rows.append((f"TLS: {name}", ok, f"server handshake {hs[:1]}", time.monotonic() - t0))
            else:
                errs = wait_for(f"a tls-error on the {fails_at} side",
                                lambda: [ln for ln in tap_lines(tap.log) if ln.get("event") == "tls-error"], 30)
                ready = peer.find(lambda e: e["ev"] == "ready")
                ok = errs[0].get("side") == fails_at and not ready
                rows.append((f"TLS: {name}", ok, f"{errs[0].get('side')}: {errs[0].get('message')}",
                             time.monotonic() - t0))
        except (Timeout, RuntimeError, OSError) as e:
            rows.append((f"TLS: {name}", False, str(e), time.monotonic() - t0))
        finally:
            if peer is not None:
                peer.stop()
            if tap is not None:
                tap.stop()
    return rows


def finish_oneshot(args, tap, peer, drv, pdir, t0, c_bare, p_bare, body_c, server, client):
    """A client that sends one message and quits (go-sendxmpp)."""
    drv.send(p_bare, body_c)
    got = wait_for(f"{client}'s message at the peer", lambda: peer.find(lambda e: e["ev"] == "message"),
                   30, lambda: peer.dead() or (drv.exited() and drv.proc.returncode != 0
                                               and f"{client} exited {drv.proc.returncode}"))
    if peer.events[got - 1]["body"] != body_c:
        raise Timeout(f"the peer got body {peer.events[got - 1]['body']!r}, {client} sent {body_c!r}")
    wait_for(f"{client} to exit", drv.exited, 30)
    if drv.proc.returncode != 0:
        raise Timeout(f"{client} exited {drv.proc.returncode}")
    peer.cmd(cmd="close")
    wait_for("the peer to close", lambda: peer.proc.poll() is not None, 30)
    tap.stop()
    expect = {"client": client, "client_jid": c_bare, "peer_jid": p_bare, "body_c2p": body_c,
              "server": server, "tls": bool(args.certs), "plain_dir": os.path.join(pdir, "plain"),
              "oneshot": True}
    fails, facts = check_seeds.check_pair(tap.log, os.path.join(pdir, "peer.json"), expect, args.xmppdump)
    return fails, facts, time.monotonic() - t0, pdir


def run_phase(args, servers, clients, workdir, tls, tmux, made):
    """Every pair of servers x clients, each server started once; plaintext, or with
    `tls` STARTTLS everywhere (Prosody requiring it, certificates made here) followed by
    the certificate checks."""
    os.makedirs(workdir, exist_ok=True)
    os.chmod(workdir, 0o755)
    accts = accounts(clients)
    args.certs = make_certs(os.path.join(workdir, "certs")) if tls else None
    results = []
    for server in servers:
        sdir = os.path.join(workdir, server, "server")
        os.makedirs(os.path.dirname(sdir), exist_ok=True)
        os.chmod(os.path.dirname(sdir), 0o755)
        t = time.monotonic()
        try:
            port = start_server(server, sdir, accts, args.certs)
        except RuntimeError as e:
            log(str(e))
            results += [(f"{server}+{c}", False, "server did not start", 0) for c in clients]
            stop_server(sdir)
            continue
        sver = seed_clients.version(server)
        log(f"{server} {sver} on 127.0.0.1:{port} in {time.monotonic() - t:.1f}s")
        for client in clients:
            if (server, client) in CANNOT:
                results.append((f"{server} {sver} + {client}", None, CANNOT[(server, client)], 0))
                continue
            fails, facts, secs, pdir = run_pair(args, server, port, client, accts[client], tmux, workdir)
            cver = seed_clients.version(seed_clients.DRIVERS[client].package)
            label = f"{server} {sver} + {client} {cver}" + (" STARTTLS" if tls else "")
            if fails:
                log(f"{label}: FAIL (kept {pdir})\n  - " + "\n  - ".join(fails))
                results.append((label, False, fails[0].splitlines()[0][:200], secs))
            else:
                results.append((label, True, facts["summary"], secs))
                if args.captures and not tls:
                    made.append((server, sver, client, cver, facts))
        if tls and server == "prosody":
            results += cert_checks(args, port, accts[clients[0]], workdir)
        if stop_server(sdir) != 0:
            results.append((f"{server} stop", False, "server processes left", 0))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tap", required=True)
    ap.add_argument("--xmppdump", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--servers", default="prosody,jabberd2")
    ap.add_argument("--clients", default="mcabber,profanity,nbxmpp,poezio,finch")
    ap.add_argument("--tls-clients", default="",
                    help="then a TLS run: Prosody with c2s_require_encryption and a certificate "
                         "made here, these clients with STARTTLS trusting the tap's certificate, "
                         "the tap decrypting; then the certificate checks")
    ap.add_argument("--captures", help="write the seed clients' recordings here (corpus/captures)")
    args = ap.parse_args()
    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)
    os.chmod(workdir, 0o755)
    split = lambda v: [x for x in v.split(",") if x]  # noqa: E731
    tmux = seed_clients.Tmux(workdir)
    results, made = [], []
    try:
        if split(args.clients):
            results += run_phase(args, split(args.servers), split(args.clients),
                                 os.path.join(workdir, "plain"), False, tmux, made)
        if split(args.tls_clients):
            results += run_phase(args, ["prosody"], split(args.tls_clients),
                                 os.path.join(workdir, "tls"), True, tmux, made)
    finally:
        tmux.shutdown()
    if args.captures and made:
        write_readme(args.captures, made)
    npass = sum(1 for r in results if r[1])
    nskip = sum(1 for r in results if r[1] is None)
    for label, ok, detail, secs in results:
        print(f"{'SKIP' if ok is None else 'PASS' if ok else 'FAIL'} {label} ({secs:.1f}s): {detail}")
    nfail = len(results) - npass - nskip
    print(f"seeds: {npass} passed, {nfail} failed" + (f", {nskip} skipped" if nskip else ""))
    return 0 if nfail == 0 and results else 1


if __name__ == "__main__":
    sys.exit(main())

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
import queue
import signal
import socket
import subprocess
import sys
import threading
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


class Peer:
    def __init__(self, pdir, port, acct, client_bare, tls=None):
        argv = [PYTHON, os.path.join(HERE, "seed_peer.py"), "127.0.0.1", str(port),
                acct["jid"] + "/peer", acct["password"], client_bare,
                "--summary", os.path.join(pdir, "peer.json"), "--wire-dir", os.path.join(pdir, "wire")]
        if tls:
            argv += ["--starttls", "--cafile", tls]
        self.err = open(os.path.join(pdir, "peer.err"), "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True, encoding="utf-8", bufsize=1)
        self.events = []
        self.q = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.events.append(json.loads(line))

    def dead(self):
        return f"peer exited ({self.proc.returncode})" if self.proc.poll() is not None else None

    def find(self, pred, after=0):
        for i, e in enumerate(self.events[after:], after):
            if pred(e):
                return i + 1
        return None

    def cmd(self, **kw):
        self.proc.stdin.write(json.dumps(kw, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Tap:
    def __init__(self, pdir, tap_bin, upstream_port, extra=()):
        self.log = os.path.join(pdir, "tap.log")
        self.port = free_port()
        self.out = open(os.path.join(pdir, "tap.out"), "w")
        self.proc = subprocess.Popen(
            ["bash", os.path.join(HERE, "tap_chain.sh"), tap_bin, f"127.0.0.1:{self.port}",
             f"127.0.0.1:{upstream_port}", self.log, *extra],
            stdout=self.out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env={**os.environ, "PYTHON": PYTHON})
        wait_for("xmpptap to listen", lambda: is_listening(self.port), 30,
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


def start_server(server, sdir, accts):
    argv = [PYTHON, os.path.join(HERE, "servers.py"), "start", server, "--dir", sdir]
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
    try:
        tap = Tap(pdir, args.tap, port)
        peer = Peer(pdir, tap.port, {"jid": p_bare, "password": acct["peer_password"]}, c_bare)
        wait_for("the peer's session", lambda: peer.find(lambda e: e["ev"] == "ready"), 30, peer.dead)
        drv = seed_clients.DRIVERS[client](pdir, {"jid": c_bare, "password": acct["password"],
                                                  "port": tap.port}, tmux)
        drv.start()

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
                  "body_c2p": body_c, "body_p2c": body_p, "server": server}
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tap", required=True)
    ap.add_argument("--xmppdump", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--servers", default="prosody,jabberd2")
    ap.add_argument("--clients", default=",".join(seed_clients.DRIVERS))
    ap.add_argument("--captures", help="write the seed clients' recordings here (corpus/captures)")
    args = ap.parse_args()
    servers = [s for s in args.servers.split(",") if s]
    clients = [c for c in args.clients.split(",") if c]
    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)
    os.chmod(workdir, 0o755)
    accts = accounts(clients)
    tmux = seed_clients.Tmux(workdir)
    results = []
    made = []
    try:
        for server in servers:
            sdir = os.path.join(workdir, server, "server")
            os.makedirs(os.path.dirname(sdir), exist_ok=True)
            os.chmod(os.path.dirname(sdir), 0o755)
            t = time.monotonic()
            try:
                port = start_server(server, sdir, accts)
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
                label = f"{server} {sver} + {client} {cver}"
                if fails:
                    log(f"{label}: FAIL (kept {pdir})\n  - " + "\n  - ".join(fails))
                    results.append((label, False, fails[0].splitlines()[0][:200], secs))
                else:
                    results.append((label, True, facts["summary"], secs))
                    if args.captures:
                        made.append((server, sver, client, cver, facts))
            if stop_server(sdir) != 0:
                results.append((f"{server} stop", False, "server processes left", 0))
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
    return 0 if nfail == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Start/stop a throwaway Prosody or ejabberd on 127.0.0.1 for interop tests.

    servers.py start prosody|ejabberd --dir DIR [--port N] [--host localhost]
                     [--user romeo:PASS --user juliet:PASS] [--timeout 60]
    servers.py stop --dir DIR
    servers.py status --dir DIR

`start` writes everything (config, data, logs) under DIR, starts the server as
its own system user (never as root), waits until the c2s port accepts TCP
connections, registers the accounts, and writes
    DIR/server.json  {"server", "host", "port", "pids": [...], ...}
    DIR/pids         one pid per line (every process we started)
and prints `PORT=<n>` on stdout.

`stop` kills exactly the recorded processes (and any descendants they spawned
since, e.g. erl_child_setup/inet_gethost), SIGTERM then SIGKILL, and checks that
none is left.  ejabberd is run with ERL_DIST_PORT set, so Erlang distribution
needs no epmd: the only long-lived processes are the ejabberdctl shell and its
beam.smp (+ children).

Runs as root (CI); the server processes drop to the `prosody` / `ejabberd`
users with setpriv (which execs, so the pid we get is the server's own).
"""

import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def log(msg):
    print(f"[servers] {msg}", file=sys.stderr, flush=True)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


# ------------------------------------------------------------ process helpers

def proc_start_time(pid):
    """Start time (clock ticks since boot) of pid, or None if gone/zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    rest = data[data.rindex(")") + 2:].split()
    if rest[0] == "Z":
        return None
    return int(rest[19])


def proc_ppid(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    return int(data[data.rindex(")") + 2:].split()[1])


def proc_cmd(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def descendants(roots):
    """All live descendants of the given pids (not including them)."""
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            pp = proc_ppid(int(name))
            if pp is not None:
                children.setdefault(pp, []).append(int(name))
    out, stack = [], list(roots)
    while stack:
        for c in children.get(stack.pop(), []):
            out.append(c)
            stack.append(c)
    return out


def alive(pid, start):
    st = proc_start_time(pid)
    return st is not None and (start is None or st == start)


def record(pids):
    return [{"pid": p, "start": proc_start_time(p), "cmd": proc_cmd(p)[:200]}
            for p in pids if proc_start_time(p) is not None]


def kill_recorded(recs, timeout=15):
    """Stop the recorded processes (+ their descendants) and wait for them.

    Phase 1 SIGTERMs the children of the top-level processes (beam.smp under
    the ejabberdctl shell), so that the wrapper can reap them and exit on its
    own; phase 2 SIGTERMs whatever is left (the prosody process itself, the
    wrapper); then SIGKILL.  Pids are checked against their recorded start
    time, so a recycled pid is never hit.
    """
    recs = [r for r in recs if alive(r["pid"], r["start"])]
    known = {r["pid"] for r in recs}
    recs += [{"pid": p, "start": proc_start_time(p), "cmd": proc_cmd(p)}
             for p in descendants(list(known)) if p not in known]
    pids = {r["pid"] for r in recs}
    roots = [r for r in recs if proc_ppid(r["pid"]) not in pids]
    root_pids = {r["pid"] for r in roots}
    first = [r for r in recs if proc_ppid(r["pid"]) in root_pids]

    def term(batch):
        for r in batch:
            if alive(r["pid"], r["start"]):
                try:
                    os.kill(r["pid"], signal.SIGTERM)
                except ProcessLookupError:
                    pass

    def wait_gone(batch, secs):
        deadline = time.time() + secs
        while time.time() < deadline:
            batch = [r for r in batch if alive(r["pid"], r["start"])]
            if not batch:
                return []
            time.sleep(0.1)
        return batch

    if first:
        term(first)
        wait_gone(recs, timeout * 2 / 3)
    left = [r for r in recs if alive(r["pid"], r["start"])]
    term(left)
    left = wait_gone(left, timeout / 3)
    for r in left:
        log(f"SIGKILL {r['pid']} {r['cmd'][:80]}")
        try:
            os.kill(r["pid"], signal.SIGKILL)
        except ProcessLookupError:
            pass
    return wait_gone(left, 2)


# ------------------------------------------------------------ common

def as_user(user, argv, env_extra=None):
    """argv prefix that runs argv as `user` (exec, no intermediate process)."""
    env = ["env", f"HOME={env_extra.pop('HOME')}"] if env_extra and "HOME" in env_extra else []
    if env_extra:
        env = (env or ["env"]) + [f"{k}={v}" for k, v in env_extra.items()]
    return ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--"] + env + argv


def chown_tree(path, user):
    pw = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, pw.pw_uid, pw.pw_gid)
        for f in files:
            os.chown(os.path.join(root, f), pw.pw_uid, pw.pw_gid)


def run(argv, timeout=60, check=True):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, text=True, stdin=subprocess.DEVNULL)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({r.returncode}):\n{r.stdout}")
    return r


def wait_port(port, proc, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening")
        if port_open(port):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout}s")


# ------------------------------------------------------------ prosody

PROSODY_CFG = """\
-- throwaway config for xmpp-stream interop tests (generated)
daemonize = false
pidfile = "{dir}/prosody.pid"
data_path = "{dir}/data"
certificates = "{dir}/certs"
plugin_paths = {{}}
admins = {{}}
log = {{
    {{ levels = {{ min = "{loglevel}" }}, to = "file", filename = "{dir}/prosody.log" }};
}}

-- plaintext c2s on loopback only, nothing else listens
interfaces = {{ "127.0.0.1" }}
local_interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {port} }}
c2s_interfaces = {{ "127.0.0.1" }}
c2s_direct_tls_ports = {{}}
s2s_ports = {{}}
component_ports = {{}}
http_ports = {{}}
https_ports = {{}}

c2s_require_encryption = false
s2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_hashed"
storage = "internal"
c2s_stanza_size_limit = 1024 * 1024

modules_enabled = {{
    "roster"; "saslauth"; "disco"; "ping"; "time"; "version"; "uptime";
    "private"; "blocklist"; "carbons"; "pep"; "vcard_legacy"; "lastactivity";
}}
modules_disabled = {{ "tls"; "s2s"; "posix"; "limits"; "smacks"; }}

VirtualHost "{host}"
"""


def write_prosody_rosters(d, host, pairs, user):
    """Mutual contacts (subscription both) in Prosody's internal roster storage
    (data/HOST/roster/USER.dat; names must be [A-Za-z0-9] so that no %-encoding applies)."""
    items = {}
    for a, b in pairs:
        items.setdefault(a, []).append(b)
        items.setdefault(b, []).append(a)
    for owner, others in items.items():
        if not (owner + host.replace(".", "")).isalnum():
            raise RuntimeError(f"roster seeding needs alphanumeric names, not {owner!r}@{host!r}")
        path = f"{d}/data/{host}/roster"
        os.makedirs(path, exist_ok=True)
        body = "".join(f'\t["{o}@{host}"] = {{ ["subscription"] = "both"; ["groups"] = {{}}; '
                       f'["name"] = "{o}"; }};\n' for o in others)
        with open(f"{path}/{owner}.dat", "w") as f:
            f.write("return {\n\t[false] = { [\"version\"] = 1; };\n" + body + "};\n")
    chown_tree(f"{d}/data", user)


def start_prosody(args, d):
    user = "prosody"
    port = args.port or free_port()
    os.makedirs(f"{d}/data", exist_ok=True)
    os.makedirs(f"{d}/certs", exist_ok=True)  # empty: no TLS; silences a startup error
    cfg = f"{d}/prosody.cfg.lua"
    text = PROSODY_CFG.format(dir=d, port=port, host=args.host, loglevel=args.loglevel)
    if args.tls_cert:
        # TLS required on c2s (STARTTLS), with the caller's certificate
        for f in ("cert.pem", "key.pem"):
            shutil.copy(args.tls_cert if f == "cert.pem" else args.tls_key, f"{d}/certs/{f}")
        text = text.replace("c2s_require_encryption = false", "c2s_require_encryption = true")
        # and direct TLS (XEP-0368) on a second port, written to DIR/direct_tls_port
        dport = free_port()
        text = text.replace("c2s_direct_tls_ports = {}", f"c2s_direct_tls_ports = {{ {dport} }}")
        with open(f"{d}/direct_tls_port", "w") as f:
            f.write(f"{dport}\n")
        text = text.replace('modules_disabled = { "tls"; ', "modules_disabled = { ")
        text = text.replace('modules_enabled = {\n', 'modules_enabled = {\n    "tls";\n')
        text = text.replace("\nVirtualHost", f'\nssl = {{ certificate = "{d}/certs/cert.pem"; '
                            f'key = "{d}/certs/key.pem"; }}\n\nVirtualHost')
    with open(cfg, "w") as f:
        f.write(text)
    os.chmod(cfg, 0o644)
    chown_tree(d, user)
    # Register before starting: prosodyctl writes the internal storage directly.
    for u, pw in args.users:
        run(as_user(user, ["prosodyctl", "--config", cfg, "register", u, args.host, pw]))
    write_prosody_rosters(d, args.host, getattr(args, "roster", []), user)
    out = open(f"{d}/prosody.stdout", "w")
    proc = subprocess.Popen(as_user(user, ["prosody", "--config", cfg]),
                            stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    pids = [proc.pid]
    write_state(d, "prosody", args.host, port, record(pids), cfg=cfg)
    wait_port(port, proc, args.timeout, "prosody")
    version = run(["dpkg-query", "-W", "-f=${Version}", "prosody"], check=False).stdout
    write_state(d, "prosody", args.host, port, record(pids + descendants(pids)),
                cfg=cfg, version=version)
    return port


# ------------------------------------------------------------ ejabberd

EJABBERD_YML = """\
# throwaway config for xmpp-stream interop tests (generated)
loglevel: {loglevel}
log_rotate_count: 0
hosts:
  - "{host}"
listen:
  -
    port: {port}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    max_stanza_size: 1048576
    starttls: false
    starttls_required: false
    access: c2s
auth_method: internal
auth_password_format: plain
acme:
  auto: false
acl:
  local:
    user_regexp: ""
  loopback:
    ip:
      - 127.0.0.0/8
access_rules:
  local:
    allow: local
  c2s:
    deny: blocked
    allow: all
api_permissions:
  "console commands":
    from:
      - ejabberd_ctl
    who: all
    what: "*"
shaper_rules:
  max_user_sessions: 10
modules:
  mod_disco: {{}}
  mod_roster: {{}}
  mod_ping: {{}}
  mod_version: {{}}
  mod_last: {{}}
  mod_offline: {{}}
  mod_private: {{}}
  mod_blocking: {{}}
  mod_privacy: {{}}
  mod_carboncopy: {{}}
  mod_caps: {{}}
  mod_vcard:
    search: false
"""


def ejabberdctl_argv(d, node):
    return ["ejabberdctl", "--config-dir", f"{d}/etc", "--ctl-config", f"{d}/etc/ejabberdctl.cfg",
            "--spool", f"{d}/db", "--logs", f"{d}/logs", "--node", node]


def start_ejabberd(args, d):
    user = "ejabberd"
    port = args.port or free_port()
    dist_port = free_port()
    while dist_port == port:
        dist_port = free_port()
    node = f"xsint{port}@localhost"
    for sub in ("etc", "etc/modules.d", "db", "logs", "home"):
        os.makedirs(f"{d}/{sub}", exist_ok=True)
    yml = f"{d}/etc/ejabberd.yml"
    with open(yml, "w") as f:
        f.write(EJABBERD_YML.format(port=port, host=args.host, loglevel=args.loglevel))
    # ejabberdctl sources ejabberdctl.cfg *after* parsing --config, so its
    # EJABBERD_CONFIG_PATH line wins: rewrite it (and the pid path) to ours.
    # ERL_DIST_PORT makes Erlang distribution use a fixed port without epmd.
    stock = "/etc/ejabberd/ejabberdctl.cfg"
    lines = open(stock).read().splitlines() if os.path.exists(stock) else []
    keep = [l for l in lines if not l.startswith(("EJABBERD_CONFIG_PATH=", "EJABBERD_PID_PATH=",
                                                   "CONTRIB_MODULES_CONF_DIR=", "ERL_DIST_PORT=",
                                                   "INET_DIST_INTERFACE=", "ERLANG_NODE="))]
    keep += [f"EJABBERD_CONFIG_PATH={yml}",
             f"EJABBERD_PID_PATH={d}/ejabberd.pid",
             f"CONTRIB_MODULES_CONF_DIR={d}/etc/modules.d",
             f"ERL_DIST_PORT={dist_port}",
             "INET_DIST_INTERFACE=127.0.0.1"]
    with open(f"{d}/etc/ejabberdctl.cfg", "w") as f:
        f.write("\n".join(keep) + "\n")
    if os.path.exists("/etc/ejabberd/inetrc"):
        shutil.copy("/etc/ejabberd/inetrc", f"{d}/etc/inetrc")
    for p in (yml, f"{d}/etc/ejabberdctl.cfg"):
        os.chmod(p, 0o644)
    chown_tree(d, user)
    env = {"HOME": f"{d}/home"}
    out = open(f"{d}/ejabberd.stdout", "w")
    proc = subprocess.Popen(as_user(user, ejabberdctl_argv(d, node) + ["foreground"], dict(env)),
                            stdout=out, stderr=subprocess.STDOUT, cwd=f"{d}/db",
                            stdin=subprocess.DEVNULL, start_new_session=True)
    pids = [proc.pid]
    write_state(d, "ejabberd", args.host, port, record(pids), node=node, dist_port=dist_port)
    try:
        wait_port(port, proc, args.timeout, "ejabberd")
    finally:
        write_state(d, "ejabberd", args.host, port, record(pids + descendants(pids)),
                    node=node, dist_port=dist_port)
    for u, pw in args.users:
        r = run(as_user(user, ejabberdctl_argv(d, node) + ["register", u, args.host, pw], dict(env)),
                timeout=60)
        log(f"ejabberd register {u}: {r.stdout.strip()}")
    version = run(["dpkg-query", "-W", "-f=${Version}", "ejabberd"], check=False).stdout
    write_state(d, "ejabberd", args.host, port, record(pids + descendants(pids)),
                node=node, dist_port=dist_port, version=version)
    return port


# ------------------------------------------------------------ state

def write_state(d, server, host, port, recs, **extra):
    state = {"server": server, "host": host, "port": port, "processes": recs,
             "pids": [r["pid"] for r in recs], **extra}
    tmp = f"{d}/server.json.tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=1)
    os.replace(tmp, f"{d}/server.json")
    with open(f"{d}/pids", "w") as f:
        f.write("".join(f"{r['pid']}\n" for r in recs))


def load_state(d):
    try:
        with open(f"{d}/server.json") as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def cmd_stop(d):
    st = load_state(d)
    if not st:
        log(f"nothing to stop in {d}")
        return 0
    if st.get("stopped"):
        return 0
    left = kill_recorded(st["processes"])
    if left:
        log(f"still alive: {[r['pid'] for r in left]}")
        return 1
    st["stopped"] = True
    with open(f"{d}/server.json", "w") as f:
        json.dump(st, f, indent=1)
    log(f"stopped {st['server']} (pids {st['pids']})")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("action", choices=["start", "stop", "status"])
    ap.add_argument("server", nargs="?", choices=["prosody", "ejabberd", "jabberd2"])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="localhost")
    ap.add_argument("--user", action="append", default=[],
                    help="USER:PASSWORD (repeatable; default romeo/juliet)")
    ap.add_argument("--roster", action="append", default=[],
                    help="A:B: make users A and B mutual contacts (subscription both) before "
                         "start (prosody, jabberd2; repeatable)")
    ap.add_argument("--tls-cert", help="prosody: PEM certificate; c2s then requires STARTTLS")
    ap.add_argument("--tls-key", help="prosody: PEM key of --tls-cert")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--loglevel", default="info")
    args = ap.parse_args()
    d = os.path.abspath(args.dir)

    if args.action == "stop":
        return cmd_stop(d)
    if args.action == "status":
        st = load_state(d)
        if not st:
            print("not started")
            return 1
        live = [r["pid"] for r in st["processes"] if alive(r["pid"], r["start"])]
        live += descendants(live)
        print(json.dumps({"server": st["server"], "port": st["port"], "live_pids": live,
                          "listening": port_open(st["port"])}))
        return 0 if live else 1

    if not args.server:
        ap.error("start needs a server name")
    if os.geteuid() != 0:
        ap.error("start must run as root (servers are started as their own users)")
    args.users = [tuple(u.split(":", 1)) for u in args.user] or [
        ("romeo", os.environ.get("ROMEO_PASSWORD", "r0meo-pass")),
        ("juliet", os.environ.get("JULIET_PASSWORD", "jul1et-pass"))]
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)  # the server user must be able to enter it
    # ...and every parent of it (mktemp -d makes 0700 dirs: chmod those yourself)
    p = os.path.dirname(d)
    while p not in ("/", ""):
        if not os.stat(p).st_mode & 0o001:
            log(f"{p} is not traversable by other users (mode {oct(os.stat(p).st_mode & 0o777)}); "
                f"the {args.server} user could not reach {d}. Use a dir under /tmp or chmod o+x it.")
            return 1
        p = os.path.dirname(p)
    if load_state(d) and any(alive(r["pid"], r["start"]) for r in load_state(d)["processes"]):
        log(f"a server is already running from {d}; stop it first")
        return 1
    t0 = time.time()
    try:
        args.roster = [tuple(r.split(":", 1)) for r in args.roster]
        if args.server == "jabberd2":
            import jabberd2  # tests/interop/jabberd2.py
            port = jabberd2.start(args, d, sys.modules[__name__])
        else:
            port = (start_prosody if args.server == "prosody" else start_ejabberd)(args, d)
    except Exception as e:
        log(f"start {args.server} failed: {e}")
        for name in ("prosody.log", "prosody.stdout", "ejabberd.stdout", "logs/ejabberd.log",
                     "logs/error.log", "router.log", "sm.log", "c2s.log"):
            p = os.path.join(d, name)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    tail = f.read()[-4000:]
                log(f"--- {name} (tail)\n{tail}")
        cmd_stop(d)
        return 1
    log(f"{args.server} up on 127.0.0.1:{port} in {time.time() - t0:.1f}s")
    print(f"PORT={port}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

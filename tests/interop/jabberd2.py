"""jabberd2 for servers.py: a throwaway router + sm + c2s on 127.0.0.1.

Debian's jabberd2 2.7 is three cooperating processes: the router (a component port),
the session manager and c2s, which both log in to the router. Each is started as the
`jabber` user from a config derived from the package's own /etc/jabberd2/*.xml (paths,
ports and the host name rewritten, everything else as shipped), with sqlite storage
created from the package's schema (/usr/share/doc/jabberd2/db-setup.sqlite.gz) and the
accounts inserted into it directly: `authreg` (plaintext passwords), `active` (so that
the sm knows the user) and, for `--roster A:B`, mutual `roster-items`.
c2s listens without TLS (no pemfile) on the chosen loopback port.

Readiness: c2s accepts TCP before the sm has joined the router, so start() waits for
the sm's "ready for sessions" line in its log and the c2s port, in that order.
"""

import gzip
import os
import secrets
import sqlite3
import subprocess
import time
import xml.etree.ElementTree as ET

ETC = "/etc/jabberd2"
SCHEMA = "/usr/share/doc/jabberd2/db-setup.sqlite.gz"
USER = "jabber"


def _set(root, path, text):
    e = root.find(path)
    if e is None:
        raise RuntimeError(f"jabberd2 stock config has no <{path}>")
    e.text = str(text)
    return e


def _log_to(root, d, name):
    lg = root.find("log")
    for c in list(lg):
        lg.remove(c)
    lg.set("type", "file")
    ET.SubElement(lg, "file").text = f"{d}/{name}.log"


def write_configs(d, host, c2s_port, router_port, secret):
    db = f"{d}/sqlite.db"
    # router
    r = ET.parse(f"{ETC}/router.xml").getroot()
    _set(r, "pidfile", f"{d}/router.pid")
    _log_to(r, d, "router")
    _set(r, "local/ip", "127.0.0.1")
    _set(r, "local/port", router_port)
    _set(r, "local/users", f"{d}/router-users.xml")
    _set(r, "local/secret", secret)
    flt = r.find("aci/filter")
    if flt is not None:
        flt.text = f"{ETC}/router-filter.xml"
    ET.ElementTree(r).write(f"{d}/router.xml")
    with open(f"{d}/router-users.xml", "w") as f:
        f.write(f"<users><user><name>jabberd</name><secret>{secret}</secret></user></users>\n")
    # sm and c2s share the router login
    for name in ("sm", "c2s"):
        x = ET.parse(f"{ETC}/{name}.xml").getroot()
        _set(x, "pidfile", f"{d}/{name}.pid")
        _log_to(x, d, name)
        _set(x, "router/ip", "127.0.0.1")
        _set(x, "router/port", router_port)
        _set(x, "router/user", "jabberd")
        _set(x, "router/pass", secret)
        if name == "sm":
            _set(x, "local/id", host)
            _set(x, "storage/sqlite/dbname", db)
            acl = x.find("aci/acl/jid")
            if acl is not None:
                acl.text = f"admin@{host}"
        else:
            loc = x.find("local")
            for c in list(loc):
                loc.remove(c)
            ET.SubElement(loc, "id").text = host
            ET.SubElement(loc, "ip").text = "127.0.0.1"
            ET.SubElement(loc, "port").text = str(c2s_port)
            _set(x, "authreg/sqlite/dbname", db)
        ET.ElementTree(x).write(f"{d}/{name}.xml")
    for f in ("router.xml", "router-users.xml", "sm.xml", "c2s.xml"):
        os.chmod(f"{d}/{f}", 0o640)
    return db


def create_db(db, host, users, rosters):
    with gzip.open(SCHEMA, "rt") as f:
        schema = f.read()
    con = sqlite3.connect(db)
    con.executescript(schema)
    now = int(time.time())
    for u, pw in users:
        con.execute('INSERT INTO "authreg" ("username","realm","password") VALUES (?,?,?)',
                    (u, host, pw))
        con.execute('INSERT INTO "active" ("collection-owner","time") VALUES (?,?)',
                    (f"{u}@{host}", now))
    for a, b in rosters:
        for owner, other in ((a, b), (b, a)):
            con.execute('INSERT INTO "roster-items" ("collection-owner","jid","name","to","from","ask") '
                        "VALUES (?,?,?,1,1,0)", (f"{owner}@{host}", f"{other}@{host}", other))
    con.commit()
    con.close()


def wait_log(path, needle, procs, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for name, p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"jabberd2 {name} exited with {p.returncode}")
        try:
            with open(path, errors="replace") as f:
                if needle in f.read():
                    return
        except FileNotFoundError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"no {needle!r} in {path} within {timeout}s")


def start(args, d, h):
    """h: servers.py's helpers (free_port, as_user, chown_tree, wait_port, record,
    descendants, write_state, run)."""
    c2s_port = args.port or h.free_port()
    router_port = h.free_port()
    while router_port == c2s_port:
        router_port = h.free_port()
    secret = secrets.token_hex(12)
    db = write_configs(d, args.host, c2s_port, router_port, secret)
    create_db(db, args.host, args.users, getattr(args, "roster", []) or [])
    h.chown_tree(d, USER)
    procs, pids = [], []

    def spawn(name):
        out = open(f"{d}/{name}.stdout", "w")
        p = subprocess.Popen(h.as_user(USER, [f"/usr/sbin/jabberd2-{name}", "-c", f"{d}/{name}.xml"]),
                             stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True, cwd=d)
        procs.append((name, p))
        pids.append(p.pid)
        h.write_state(d, "jabberd2", args.host, c2s_port, h.record(pids), router_port=router_port)
        return p

    router = spawn("router")
    h.wait_port(router_port, router, args.timeout, "jabberd2 router")
    spawn("sm")
    wait_log(f"{d}/sm.log", "ready for sessions", procs, args.timeout)
    c2s = spawn("c2s")
    h.wait_port(c2s_port, c2s, args.timeout, "jabberd2 c2s")
    version = h.run(["dpkg-query", "-W", "-f=${Version}", "jabberd2"], check=False).stdout
    h.write_state(d, "jabberd2", args.host, c2s_port, h.record(pids + h.descendants(pids)),
                  router_port=router_port, version=version)
    return c2s_port

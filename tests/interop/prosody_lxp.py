#!/usr/bin/env python3
"""Debian's Prosody on our `lxp` module (bindings/lua) and on lua-expat, side by side.

    prosody_lxp.py --lxp PATH/TO/liblxp.so --work DIR [--messages 200] [--rounds 2]
                   [--hostile-mib 16] [--report FILE]

Starts two throwaway Prosody servers on free ports of 127.0.0.1 (as the prosody user,
config and data under DIR/<variant>/): `ours`, whose package.cpath puts DIR/ours/lib
(holding a copy of our lxp.so) first through LUA_CPATH_5_4, and `expat`, Debian's
lua-expat. Each has a probe plugin that logs `require "lxp"._VERSION` and the file
it came from; the run fails unless `ours` loaded our module and `expat` lua-expat.
Then, with the servers both up:

  1. clients.py (the slixmpp two-client scenario: SASL PLAIN, bind, roster, presence,
     N messages each way with non-ASCII text, entities and 20-40 KB bodies, disco,
     </stream:stream>) against each server, `--rounds` times, alternating servers;
  2. muc_probe.py (MUC join of both clients and a groupchat message) and
     transports_probe.py (a BOSH session on mod_bosh and a WebSocket session on
     mod_websocket, messages both ways with a c2s client) against each;
  3. blast.py (raw-socket clients: Prosody is the bottleneck) against each, `--rounds`
     times, alternating servers: messages per second and Prosody CPU time;
  4. hostile_streams.py, every case against each, before authentication and after it
     (where Prosody's authenticated stanza size limit applies): stream error, peak RSS.

Throughput is reported as messages per second (blast.py, and the message phases of
clients.py, where the Python clients are the bottleneck) and as Prosody CPU time (user +
system, from /proc) per 1000 messages, medians over the rounds. Writes the report (JSON) and prints a table. Exit 0 only if every scenario
passed on both servers and every hostile stream ended with a stream error or a closed
connection on ours (endless_keepalives excepted: whitespace is legal).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import servers  # noqa: E402  (the project's server helpers: users, pids, ports)
import hostile_streams  # noqa: E402

PROBE = """\
local lxp = require "lxp";
local where = package.searchpath("lxp", package.cpath) or "?";
module:log("info", "lxp_probe: _VERSION=%s file=%s", tostring(lxp._VERSION), where);
"""

HTTP = """
http_ports = {{ {http} }}
http_interfaces = {{ "127.0.0.1" }}
consider_bosh_secure = true
consider_websocket_secure = true
cross_domain_bosh = true
cross_domain_websocket = true
"""

MUC = 'Component "conference.{host}" "muc"\n    restrict_room_creation = false\n    muc_room_locking = false\n'


def start(variant, d, lxp_so, host="localhost"):
    """Starts one Prosody; returns (c2s port, pid, HTTP port for BOSH and WebSocket)."""
    user = "prosody"
    port = servers.free_port()
    http = servers.free_port()
    while http == port:
        http = servers.free_port()
    for sub in ("data", "certs", "plugins", "lib"):
        os.makedirs(f"{d}/{sub}", exist_ok=True)
    with open(f"{d}/plugins/mod_lxp_probe.lua", "w") as f:
        f.write(PROBE)
    env = {"HOME": d}
    if variant == "ours":
        shutil.copy(lxp_so, f"{d}/lib/lxp.so")
        env["LUA_CPATH_5_4"] = f"{d}/lib/?.so;;"
    cfg_text = servers.PROSODY_CFG.format(dir=d, port=port, host=host, loglevel="info")
    cfg_text = cfg_text.replace("plugin_paths = {}", f'plugin_paths = {{ "{d}/plugins" }}')
    cfg_text = cfg_text.replace('"roster"; "saslauth";', '"lxp_probe"; "bosh"; "websocket"; "roster"; "saslauth";')
    cfg_text = cfg_text.replace("http_ports = {}\n", "")
    vhost = f'VirtualHost "{host}"'
    cfg_text = cfg_text.replace(vhost, HTTP.format(http=http) + "\n" + vhost)
    cfg_text += MUC.format(host=host)
    cfg = f"{d}/prosody.cfg.lua"
    with open(cfg, "w") as f:
        f.write(cfg_text)
    os.chmod(d, 0o755)
    servers.chown_tree(d, user)
    for u, pw in (("romeo", "r0meo-pass"), ("juliet", "jul1et-pass")):
        servers.run(servers.as_user(user, ["prosodyctl", "--config", cfg, "register", u, host, pw],
                                    dict(env)))
    out = open(f"{d}/prosody.stdout", "w")
    proc = subprocess.Popen(servers.as_user(user, ["prosody", "--config", cfg], dict(env)),
                            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    servers.write_state(d, "prosody", host, port, servers.record([proc.pid]), cfg=cfg)
    servers.wait_port(port, proc, 60, f"prosody ({variant})")
    servers.wait_port(http, proc, 30, f"prosody ({variant}) HTTP")
    return port, proc.pid, http


def probe_line(d):
    deadline = time.time() + 10
    while time.time() < deadline:
        with open(f"{d}/prosody.log", errors="replace") as f:
            for line in f:
                if "lxp_probe:" in line:
                    return line.split("lxp_probe:", 1)[1].strip()
        time.sleep(0.2)
    return None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


def kib(pid, field):
    return hostile_streams.proc_kib(pid, field)


def run_json(script, argv, timeout):
    """Runs one of the probe scripts here; its last JSON line on stdout, or a failure."""
    r = subprocess.run([sys.executable, f"{HERE}/{script}"] + [str(a) for a in argv],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    lines = [line for line in r.stdout.splitlines() if line.startswith("{")]
    try:
        return json.loads(lines[-1])
    except (ValueError, IndexError):
        return {"ok": False, "output": (r.stdout + r.stderr)[-1000:]}


def run_clients(port, d, messages, k):
    summary = f"{d}/summary.{k}.json"
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, f"{HERE}/clients.py", "127.0.0.1", str(port),
                        "--summary", summary, "--messages", str(messages)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=200)
    wall = time.monotonic() - t0
    try:
        with open(summary) as f:
            s = json.load(f)
    except (OSError, ValueError):
        s = {"ok": False, "failures": ["no summary"], "phases_done_at_s": {}}
    ph = s.get("phases_done_at_s", {})
    msg_s = None
    if "presence exchange" in ph and "messages received" in ph:
        span = ph["messages received"] - ph["presence exchange"]
        msg_s = 2 * messages / span if span > 0 else None
    return {"ok": r.returncode == 0 and s.get("ok", False), "failures": s.get("failures", []),
            "msg_per_s": msg_s, "wall_s": round(wall, 2), "output": r.stdout[-2000:]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lxp", required=True, help="the built module (target/.../liblxp.so)")
    ap.add_argument("--work", required=True)
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--hostile-mib", type=float, default=16)
    ap.add_argument("--blast", type=int, default=20000, help="messages per blast.py round")
    ap.add_argument("--report")
    args = ap.parse_args()
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)
    variants = ["ours", "expat"]
    srv = {}
    failures = []
    report = {"variants": {}}
    try:
        for v in variants:
            d = f"{work}/{v}"
            port, pid, http = start(v, d, args.lxp)
            srv[v] = (d, port, pid)
            report["variants"][v] = {"http_port": http}
            line = probe_line(d)
            want = "xmpp-stream lxp" if v == "ours" else "LuaExpat"
            loaded_ok = bool(line) and want in line
            if not loaded_ok:
                failures.append(f"{v}: probe says {line!r}, expected {want!r}")
            report["variants"][v].update({"port": port, "pid": pid, "probe": line,
                                          "idle_rss_kib": kib(pid, "VmRSS"), "rounds": []})
            print(f"[prosody_lxp] {v}: port {port} pid {pid} lxp: {line}", flush=True)

        # 1. the two-client scenario, alternating servers
        for k in range(args.rounds):
            for v in variants:
                d, port, pid = srv[v]
                c0 = cpu_seconds(pid)
                r = run_clients(port, d, args.messages, k)
                r["prosody_cpu_s"] = round(cpu_seconds(pid) - c0, 3)
                report["variants"][v]["rounds"].append(r)
                print(f"[prosody_lxp] {v} round {k}: ok={r['ok']} msg/s={r['msg_per_s'] and round(r['msg_per_s'])} "
                      f"prosody cpu {r['prosody_cpu_s']} s", flush=True)
                if not r["ok"]:
                    failures.append(f"{v}: clients.py round {k} failed: {r['failures'][:3]} {r['output'][-500:]}")

        # 2. MUC, and BOSH and WebSocket sessions
        for v in variants:
            d, port, pid = srv[v]
            http = report["variants"][v]["http_port"]
            for key, what, script, argv, timeout in (
                    ("muc", "MUC", "muc_probe.py",
                     ["127.0.0.1", port, "--room", "lobby@conference.localhost"], 120),
                    ("transports", "BOSH + WebSocket", "transports_probe.py", [port, http], 300)):
                r = run_json(script, argv, timeout)
                report["variants"][v][key] = r
                print(f"[prosody_lxp] {v} {what}: {r}", flush=True)
                if not r.get("ok"):
                    failures.append(f"{v}: {what} probe failed: {r}")

        # 3. throughput with Prosody as the bottleneck, alternating servers
        for k in range(args.rounds):
            for v in variants:
                d, port, pid = srv[v]
                b = run_json("blast.py", ["127.0.0.1", port, "--messages", args.blast, "--pid", pid], 600)
                report["variants"][v].setdefault("blast", []).append(b)
                print(f"[prosody_lxp] {v} blast {k}: {b}", flush=True)
                if not b.get("ok"):
                    failures.append(f"{v}: blast.py round {k} failed: {b}")

        # 4. hostile streams, before and after authentication
        limit = int(args.hostile_mib * 1024 * 1024)
        for phase, auth in (("hostile", None), ("hostile_authed", "romeo:r0meo-pass")):
            for name in hostile_streams.CASES:
                for v in variants:
                    d, port, pid = srv[v]
                    try:
                        r = hostile_streams.run_case("127.0.0.1", port, name, limit, pid, auth)
                    except (OSError, RuntimeError) as e:
                        r = {"case": name, "error": f"{type(e).__name__}: {e}", "stream_error": None,
                             "closed_by_server": None, "peak_rss_kib": None, "seconds": None}
                    report["variants"][v].setdefault(phase, []).append(r)
                    if (v == "ours" and name != "endless_keepalives"
                            and not (r["stream_error"] or r["closed_by_server"])):
                        failures.append(f"ours: {phase} {name} did not end the stream: {r}")
        for v in variants:
            d, port, pid = srv[v]
            report["variants"][v]["after_rss_kib"] = kib(pid, "VmRSS")
            # the server must have survived every case
            if servers.proc_start_time(pid) is None:
                failures.append(f"{v}: prosody died")
    finally:
        for v, (d, port, pid) in srv.items():
            servers.cmd_stop(d)

    # summary table
    def med(v, key):
        xs = [r[key] for r in report["variants"][v]["rounds"] if r.get(key) is not None]
        return statistics.median(xs) if xs else None

    def blast_med(v, key):
        xs = [b[key] for b in report["variants"][v].get("blast", []) if b.get(key) is not None]
        return statistics.median(xs) if xs else None

    n = 2 * args.messages
    table = {}
    for v in variants:
        cpu = blast_med(v, "server_cpu_s")
        table[v] = {"clients_msg_per_s": med(v, "msg_per_s"),
                    "clients_prosody_cpu_ms_per_1000_msgs": (med(v, "prosody_cpu_s") or 0) * 1000 / n * 1000,
                    "msg_per_s": blast_med(v, "msg_per_s"),
                    "prosody_cpu_ms_per_1000_msgs": cpu * 1000 / args.blast * 1000 if cpu else None}
    report["throughput"] = table
    if table["ours"]["msg_per_s"] and table["expat"]["msg_per_s"]:
        report["throughput"]["msg_per_s_ratio_ours_over_expat"] = table["ours"]["msg_per_s"] / table["expat"]["msg_per_s"]
    cpu_o, cpu_e = (table[v]["prosody_cpu_ms_per_1000_msgs"] for v in variants)
    if cpu_o is None or cpu_e is None:
        cpu_o = cpu_e = None
    if cpu_o and cpu_e:
        report["throughput"]["cpu_ratio_ours_over_expat"] = cpu_o / cpu_e
    report["failures"] = failures
    report["ok"] = not failures
    if args.report:
        with open(args.report, "w") as f:
            json.dump(report, f, indent=1)

    for phase, title in (("hostile", "before authentication"), ("hostile_authed", "after authentication")):
        print(f"\nhostile streams, {title}: stream error, peak RSS of the Prosody process (KiB; "
              "+ its growth during the case), seconds to close")
        print(f"{'case':42} {'ours':>36} {'lua-expat':>36}")
        rows = {v: {r["case"]: r for r in report["variants"][v].get(phase, [])} for v in variants}
        for name in hostile_streams.CASES:
            cells = []
            for v in variants:
                r = rows[v].get(name)
                grew = (r["peak_rss_kib"] - r["rss_before_kib"]
                        if r and r.get("peak_rss_kib") and r.get("rss_before_kib") else None)
                cells.append("-" if not r else
                             f"{r['stream_error'] or ('closed' if r['closed_by_server'] else 'open')} "
                             f"{r['peak_rss_kib']} (+{grew}) {r['seconds']}")
            print(f"{name:42} {cells[0]:>36} {cells[1]:>36}")
    for v in variants:
        vv, t = report["variants"][v], table[v]
        fmt = lambda x, spec: "-" if x is None else format(x, spec)  # noqa: E731
        print(f"{v}: idle RSS {vv['idle_rss_kib']} KiB, after {vv.get('after_rss_kib')} KiB; "
              f"blast.py {fmt(t['msg_per_s'], '.0f')} msg/s, Prosody CPU "
              f"{fmt(t['prosody_cpu_ms_per_1000_msgs'], '.1f')} ms per 1000 messages; "
              f"clients.py {fmt(t['clients_msg_per_s'], '.0f')} msg/s")
    for f in failures:
        print(f"FAIL: {f}")
    print(f"prosody_lxp: {'PASS' if not failures else 'FAIL'}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())

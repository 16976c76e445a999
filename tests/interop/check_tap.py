#!/usr/bin/env python3
"""Check an xmpptap log against what the clients did (a run.sh --proxy-check).

    check_tap.py --log LOG --summary SUMMARY [--server NAME]
                 [--require-wire] [--require-hop] [--oracle XMPPDUMP]

run.sh all --proxy-cmd 'tests/interop/tap_chain.sh TAP {listen} {upstream} {log}' \\
           --proxy-check 'python3 tests/interop/check_tap.py --log {log} --summary {summary} \\
                          --server {server} --require-wire --require-hop'

Asserts, per client connection (matched to the clients by their local address):

1. the tap parsed every byte: no `error` (or `tls`, `accept-error`) line anywhere; per
   direction `parsed == bytes`, `clean`, no opaque bytes, two stream headers (before and
   after SASL), one `</stream:stream>`, and the event order of a SASL login
   (s2c: header, features, success, header ...; c2s: header, auth, header ...);
2. the tap's stanza counts by kind equal what the client sent (c2s) and received (s2c),
   counted by slixmpp (an independent parser), both in the `disconnect` totals and line by
   line; the 200 message ids each way are exactly the ones the clients sent and received;
3. the tap forwarded what it read: `bytes == forwarded`, `fnv1a64_in == fnv1a64_out`;
4. with the clients' wire captures (clients.py --wire-dir): the bytes the client wrote are
   the bytes the tap read from it (size and FNV-1a 64), the bytes the client read are the
   bytes the tap wrote to it, and every stanza the tap reported is at its reported offset in
   those bytes (starts with `<name`, ends with `>`) with nothing but whitespace, stream
   headers and the stream close between stanzas;
5. with the recorder behind the tap (tap_chain.sh: passthru.py, LOG.hop*): the bytes the
   server received are byte-identical (sha256) to the bytes the client sent, and the bytes
   the client received to the bytes the server sent, measured by two observers that are
   not the tap. Together with 3 and 4 that is end-to-end proof that forwarding is exact;
6. with --oracle (the built xmppdump example): the crate's complete parse of each client's
   wire bytes (every element, attribute and text node), fed whole and one byte at a time,
   equals tools/expat_dump.py's (pyexpat) on the same bytes, and the tap's per-stanza
   name/to/from/id/type equal the oracle's, stanza by stanza.

Exit 0 if everything holds, 1 otherwise (each failed assertion is printed).
"""

import argparse
import hashlib
import subprocess
import json
import os
import re
import sys
from collections import Counter, defaultdict

FAILS = []


def fail(msg):
    FAILS.append(msg)


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def read_jsonl(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.endswith("\n"):
                fail(f"{path}:{n}: last line is not terminated (log cut short?)")
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                fail(f"{path}:{n}: not JSON ({e}): {line[:200]!r}")
    return out


# between stanzas: whitespace, an XML declaration, a stream header, the stream close
GAP_TOKEN = re.compile(
    rb"\s+|<\?xml[^>]*\?>|<(?:[A-Za-z_][\w.-]*:)?stream[\s/>][^>]*>|</(?:[A-Za-z_][\w.-]*:)?stream\s*>")


def check_framing(who, d, data, lines):
    """Every stanza line's (offset, size) is an element in `data`; the gaps are stream
    syntax only."""
    pos = 0
    headers = closes = 0
    for ln in lines:
        if ln["event"] != "stanza":
            continue
        off, size, name = ln["offset"], ln["size"], ln["name"]
        if off < pos:
            fail(f"{who} {d}: stanza at {off} overlaps the previous one (ends at {pos})")
            return
        piece = data[off:off + size]
        if not (re.match(rb"<(?:[A-Za-z_][\w.-]*:)?" + re.escape(name.encode()) + rb"[\s/>]", piece)
                and piece.endswith(b">") and len(piece) == size):
            fail(f"{who} {d}: stanza <{name}> at {off}+{size} is not there in the wire bytes: "
                 f"{piece[:60]!r}...{piece[-30:]!r}")
            return
        headers, closes = check_gap(who, d, data, pos, off, headers, closes)
        pos = off + size
    headers, closes = check_gap(who, d, data, pos, len(data), headers, closes)
    if (headers, closes) != (2, 1):
        fail(f"{who} {d}: between stanzas the wire bytes hold {headers} stream headers and "
             f"{closes} closes, expected 2 and 1")


def check_gap(who, d, data, start, end, headers, closes):
    i = start
    while i < end:
        m = GAP_TOKEN.match(data, i, end)
        if not m:
            fail(f"{who} {d}: bytes {i}..{end} between stanzas are not stream syntax: "
                 f"{data[i:min(end, i + 80)]!r}")
            return headers, closes
        tok = m.group()
        if tok.startswith(b"</"):
            closes += 1
        elif tok.startswith(b"<") and not tok.startswith(b"<?"):
            headers += 1
        i = m.end()
    return headers, closes


EXPAT_DUMP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "expat_dump.py")


def check_oracle(who, d, path, xmppdump, tap_lines):
    """xmppdump (the crate) and expat_dump.py (pyexpat) agree on the real bytes, and the
    tap's stanza lines agree with the oracle."""
    ref = subprocess.run([sys.executable, EXPAT_DUMP, path], capture_output=True)
    if ref.returncode != 0:
        fail(f"{who} {d}: the expat oracle rejects the wire bytes: {ref.stdout[-300:]!r} {ref.stderr[-300:]!r}")
        return
    for chunk in (None, 1):
        cmd = [xmppdump] + (["--chunk", str(chunk)] if chunk else []) + [path]
        out = subprocess.run(cmd, capture_output=True)
        if (out.returncode, out.stdout) != (0, ref.stdout):
            a, b = ref.stdout.split(b"\n"), out.stdout.split(b"\n")
            k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            fail(f"{who} {d}: xmppdump{' --chunk %d' % chunk if chunk else ''} (rc {out.returncode}) "
                 f"differs from the expat oracle at event {k}: "
                 f"oracle {a[k][:200] if k < len(a) else None!r} / crate {b[k][:200] if k < len(b) else None!r}"
                 " -- a parser bug on real server output?")
            return
    stanzas = [json.loads(x)["stanza"] for x in ref.stdout.splitlines() if x.startswith(b'{"stanza"')]
    mine = [ln for ln in tap_lines if ln["event"] == "stanza"]
    if len(stanzas) != len(mine):
        fail(f"{who} {d}: oracle has {len(stanzas)} stanzas, the tap logged {len(mine)}")
        return
    for i, (o, t) in enumerate(zip(stanzas, mine)):
        attrs = {local: v for ns, local, v in o["attrs"] if ns == ""}
        want = {"name": o["name"][1], **{k: attrs[k] for k in ("to", "from", "id", "type") if k in attrs}}
        got = {k: t[k] for k in ("name", "to", "from", "id", "type") if k in t}
        if want != got:
            fail(f"{who} {d}: stanza {i}: tap logged {got}, oracle says {want}")
            return


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", required=True)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--server", default="?")
    ap.add_argument("--require-wire", action="store_true",
                    help="fail if the clients' wire captures are missing")
    ap.add_argument("--require-hop", action="store_true",
                    help="fail if the recorder behind the tap (LOG.hop) is missing")
    ap.add_argument("--oracle", metavar="XMPPDUMP",
                    help="compare the crate's full parse (this xmppdump binary) with the expat "
                         "oracle on the clients' wire bytes")
    args = ap.parse_args()
    tag = f"check_tap[{args.server}]"

    with open(args.summary, encoding="utf-8") as f:
        summary = json.load(f)
    clients = summary["clients"]
    lines = read_jsonl(args.log)
    if not lines or lines[0].get("event") != "listening" or "pid" not in lines[0]:
        fail("the log does not start with xmpptap's 'listening' line: not an xmpptap log?")
        return report_and_exit(tag, lines, [])

    for ln in lines:
        if ln.get("event") in ("error", "tls", "accept-error"):
            fail(f"unexpected {ln['event']} line: {json.dumps(ln)[:300]}")

    connects = [ln for ln in lines if ln.get("event") == "connect"]
    by_addr = {c["local_addr"]: name for name, c in clients.items()}
    conn_of = {}  # client name -> conn id
    for c in connects:
        if "error" in c:
            fail(f"conn {c['conn']}: upstream connect failed: {c['error']}")
        name = by_addr.get(c.get("client"))
        if name is None:
            fail(f"conn {c['conn']} from {c.get('client')} is not one of the clients {sorted(by_addr)}")
        elif name in conn_of:
            fail(f"client {name} has two connections ({conn_of[name]}, {c['conn']})")
        else:
            conn_of[name] = c["conn"]
    for name in clients:
        if name not in conn_of:
            fail(f"client {name} ({clients[name]['local_addr']}) has no connection in the tap log")

    events = defaultdict(list)  # (conn, dir) -> stream event lines, in order
    disconnects = {}
    for ln in lines:
        if ln.get("event") in ("header", "stanza", "close"):
            events[(ln["conn"], ln["dir"])].append(ln)
        elif ln.get("event") == "disconnect":
            if ln["conn"] in disconnects:
                fail(f"conn {ln['conn']}: two disconnect lines")
            disconnects[ln["conn"]] = ln

    hop = None
    hop_log = args.log + ".hop"
    if os.path.exists(hop_log):
        hop = read_jsonl(hop_log)
    elif args.require_hop:
        fail(f"no recorder log {hop_log} (run the tap through tap_chain.sh)")

    report = []
    for name, client in sorted(clients.items()):
        conn = conn_of.get(name)
        if conn is None:
            continue
        who = f"{name} (conn {conn})"
        disc = disconnects.get(conn)
        if disc is None:
            fail(f"{who}: no disconnect line (was the tap stopped before the connection ended?)")
            continue
        connect = next(c for c in connects if c["conn"] == conn)
        peer = client["jid"].split("@")[0]
        other = next((c for n, c in clients.items() if n != name), None)
        expect_kinds = {"c2s": client["stanzas_sent"], "s2c": client["stanzas_received"]}
        wire = client.get("wire", {})
        for d in ("c2s", "s2c"):
            st = disc.get(d)
            if not isinstance(st, dict):
                fail(f"{who} {d}: no totals in the disconnect line")
                continue
            # 1. parsed every byte, cleanly
            if not (st["parsed"] == st["bytes"] and st["clean"] and st["opaque_bytes"] == 0):
                fail(f"{who} {d}: parsed {st['parsed']} of {st['bytes']} bytes, clean={st['clean']}, "
                     f"opaque={st['opaque_bytes']}, end={st['end']}")
            if st["end"] not in ("eof", "reset"):
                fail(f"{who} {d}: direction ended with {st['end']}")
            if (st["headers"], st["closes"]) != (2, 1):
                fail(f"{who} {d}: {st['headers']} headers / {st['closes']} closes, expected 2 / 1")
            # 3. forwarded what it read
            if st["bytes"] != st["forwarded"] or st["fnv1a64_in"] != st["fnv1a64_out"]:
                fail(f"{who} {d}: read {st['bytes']} B ({st['fnv1a64_in']}) but forwarded "
                     f"{st['forwarded']} B ({st['fnv1a64_out']})")
            # 2. stanza counts = the client's
            if st["kinds"] != expect_kinds[d]:
                fail(f"{who} {d}: tap counted {st['kinds']}, client {expect_kinds[d]}")
            if st["stanzas"] != sum(st["kinds"].values()):
                fail(f"{who} {d}: stanzas {st['stanzas']} != sum of kinds {st['kinds']}")
            ev = events[(conn, d)]
            kinds = Counter(ln["kind"] if ln["kind"] != "other" else "other:" + ln["name"]
                            for ln in ev if ln["event"] == "stanza")
            if dict(kinds) != st["kinds"]:
                fail(f"{who} {d}: stanza lines count {dict(kinds)}, totals say {st['kinds']}")
            seq = [ln["event"] if ln["event"] != "stanza" else ln["name"] for ln in ev]
            want = (["header", "features", "success", "header", "features"] if d == "s2c"
                    else ["header", "auth", "header"])
            if seq[:len(want)] != want or seq[-1:] != ["close"]:
                fail(f"{who} {d}: event order {seq[:6]}...{seq[-2:]}, expected {want}...['close']")
            if [ln["stream"] for ln in ev if ln["event"] == "header"] != [1, 2]:
                fail(f"{who} {d}: stream numbers of the headers are not [1, 2]")
            msgs = [ln for ln in ev if ln["event"] == "stanza" and ln["kind"] == "message"]
            ids = Counter(ln.get("id") for ln in msgs)
            want_ids = set(client["sent"] if d == "c2s" else client["received"])
            if set(ids) != want_ids or max(ids.values(), default=1) != 1:
                fail(f"{who} {d}: message ids seen by the tap differ from the client's "
                     f"({len(ids)} distinct vs {len(want_ids)}; e.g. "
                     f"{sorted(set(ids) ^ want_ids)[:5]})")
            if d == "c2s" and other is not None:
                bad = [ln for ln in msgs if ln.get("type") != "chat"
                       or ln.get("to") != other["jid"].split("/")[0]]
                if bad:
                    fail(f"{who} c2s: {len(bad)} messages not type=chat to the peer, e.g. {bad[0]}")
            if d == "s2c":
                bad = [ln for ln in msgs if not ln.get("from", "").startswith(other["jid"].split("/")[0])]
                if bad:
                    fail(f"{who} s2c: {len(bad)} messages not from the peer, e.g. {bad[0]}")
            # 4. the client's own capture of its side of the wire
            w = wire.get(d)
            if not w or "file" not in w:
                if args.require_wire:
                    fail(f"{who} {d}: no wire capture in the summary (clients.py --wire-dir)")
                continue
            with open(w["file"], "rb") as f:
                data = f.read()
            if hashlib.sha256(data).hexdigest() != w["sha256"] or len(data) != w["bytes"]:
                fail(f"{who} {d}: {w['file']} does not match the summary's size/sha256")
            tap_side = ("bytes", "fnv1a64_in") if d == "c2s" else ("forwarded", "fnv1a64_out")
            h = fnv1a64(data)
            if (len(data), h) != (st[tap_side[0]], st[tap_side[1]]):
                fail(f"{who} {d}: client {'sent' if d == 'c2s' else 'received'} {len(data)} B "
                     f"(fnv {h}); the tap {'read' if d == 'c2s' else 'wrote'} "
                     f"{st[tap_side[0]]} B (fnv {st[tap_side[1]]})")
            check_framing(who, d, data, ev)
            if args.oracle:
                check_oracle(who, d, w["file"], args.oracle, ev)
            w["_data_sha"] = hashlib.sha256(data).hexdigest()
            w["_fnv"] = h
        # 5. the recorder between the tap and the server
        hop_note = ""
        if hop is not None:
            hport = connect.get("upstream_local", "").rpartition(":")[2]
            hconns = [ln for ln in hop if ln.get("event") == "open"
                      and re.search(r"[ ,]%s\)$" % re.escape(hport), ln.get("peer", ""))]
            if len(hconns) != 1:
                fail(f"{who}: {len(hconns)} recorder connections from the tap's upstream port {hport}")
                continue
            hc = hconns[0]["conn"]
            for d in ("c2s", "s2c"):
                path = f"{hop_log}.{hc}.{d}.bin"
                try:
                    with open(path, "rb") as f:
                        hdata = f.read()
                except OSError as e:
                    fail(f"{who} {d}: recorder capture missing: {e}")
                    continue
                st = disc[d]
                tap_n = st["forwarded"] if d == "c2s" else st["bytes"]
                if len(hdata) != tap_n:
                    fail(f"{who} {d}: the server leg carried {len(hdata)} B, the tap says {tap_n}")
                w = wire.get(d, {})
                if "_data_sha" in w and hashlib.sha256(hdata).hexdigest() != w["_data_sha"]:
                    fail(f"{who} {d}: bytes on the server leg differ from the client leg "
                         f"({len(hdata)} vs {w['bytes']} B)")
            if not any(ln.get("event") == "close" and ln.get("conn") == hc for ln in hop):
                fail(f"{who}: the recorder's connection {hc} did not close")
            hop_note = ", = server leg (sha256)"
        report.append(
            f"  {who} from {connect['client']}: "
            + "; ".join(f"{d} {disc[d]['bytes']} B fnv {disc[d]['fnv1a64_in']} "
                        f"{disc[d]['stanzas']} stanzas {disc[d]['kinds']}" for d in ("c2s", "s2c"))
            + (", = client's bytes" if wire.get("c2s", {}).get("_fnv") else "") + hop_note
            + (", = expat oracle" if args.oracle else ""))

    extra = sorted(set(c["conn"] for c in connects) - set(conn_of.values()))
    if extra:
        fail(f"connections not from the clients: {extra}")
    if hop is not None:
        opens = [ln for ln in hop if ln.get("event") == "open"]
        if len(opens) != len(connects):
            fail(f"the recorder saw {len(opens)} connections, the tap made {len(connects)}")

    return report_and_exit(tag, lines, report, len(conn_of))


def report_and_exit(tag, lines, report, nconn=0):
    if FAILS:
        print(f"{tag}: FAIL", file=sys.stderr)
        for m in FAILS:
            print(f"  - {m}", file=sys.stderr)
        return 1
    print(f"{tag}: OK, {len(lines)} log lines, {nconn} connections, every byte parsed, "
          f"stanza counts = clients', forwarded bytes identical", file=sys.stderr)
    for r in report:
        print(r, file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (KeyError, TypeError, ValueError, StopIteration) as e:
        # a log or summary of an unexpected shape: a failure, reported as one
        import traceback
        traceback.print_exc()
        print(f"check_tap: FAIL: unexpected log/summary content ({type(e).__name__}: {e})", file=sys.stderr)
        sys.exit(1)

"""Checks of one seeds.py pair: the tap log against the recorder behind the tap and what
both ends did, and the golden captures cut from the recordings.

check_pair(tap_log, peer_summary, expect, xmppdump) -> (failures, facts). Asserts:

1. exactly two connections (the slixmpp peer, matched by its local address, and the
   seed client), no `error`/`tls`/`accept-error` line (plaintext runs);
2. per connection and direction: the tap parsed every byte (`parsed == bytes`, clean,
   no opaque bytes), forwarded what it read (`bytes == forwarded`, FNV-1a in == out);
3. the recorder behind the tap (passthru.py) holds exactly the bytes the tap forwarded to
   the server and read from it (size and FNV-1a 64): forwarded bytes identical to a
   recording behind the tap;
4. the crate's complete parse (xmppdump, whole and one byte per feed) of each recorded
   direction equals the expat oracle's, and the tap's per-stanza lines equal the
   oracle's stanzas (check_tap.check_oracle);
5. stanza counts per kind: the tap's equal the oracle's on the recordings, and the peer's
   own counts (slixmpp) for its connection; what the client typed is what the peer got
   and the other way round: message bodies (exact text) both ways, message ids kept,
   the client's broadcast presences (show, status) in order at the peer, the roster
   fetched (the client's roster get answered with the peer in it), the client's stream
   restarted after SASL (>= 2 headers) and closed by the client (`</stream:stream>`; the
   server's close is not required: mcabber and finch close TCP right after their own).
"""

import json
import os
import re
import subprocess
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_tap  # noqa: E402

EXPAT_DUMP = os.path.join(HERE, "..", "..", "tools", "expat_dump.py")
CLIENT_NS = "jabber:client"
ROSTER_NS = "jabber:iq:roster"
STANZA_KINDS = ("message", "presence", "iq")


def oracle(path):
    """The expat oracle's stanzas (tools/expat_dump.py) of a recorded direction."""
    r = subprocess.run([sys.executable, EXPAT_DUMP, path], capture_output=True)
    if r.returncode != 0:
        raise ValueError(f"expat oracle rejects {path}: {r.stdout[-300:]!r}")
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    return [x["stanza"] for x in lines if "stanza" in x], sum(1 for x in lines if "header" in x), \
        sum(1 for x in lines if "close" in x)


def attr(e, name):
    return next((v for ns, n, v in e["attrs"] if ns == "" and n == name), None)


def kids(e, local, ns=None):
    return [c for c in e["children"] if isinstance(c, dict) and c["name"][1] == local
            and (ns is None or c["name"][0] == ns)]


def text(e):
    return "".join(c if isinstance(c, str) else text(c) for c in e["children"])


def kind(e):
    ns, local = e["name"]
    return local if local in STANZA_KINDS and ns == CLIENT_NS else "other:" + local


def child_text(e, local):
    k = kids(e, local, CLIENT_NS)
    return text(k[0]) if k else None


def bodies_of(stanzas, **want):
    out = []
    for s in stanzas:
        if kind(s) == "message" and kids(s, "body", CLIENT_NS):
            if all((attr(s, k) or "").split("/")[0] == v for k, v in want.items()):
                out.append((attr(s, "id"), child_text(s, "body")))
    return out


def broadcast_presences(stanzas):
    """The client's presences without a `to` (broadcast): (type, show, status)."""
    return [(attr(s, "type") or "available", child_text(s, "show") or "", child_text(s, "status") or "")
            for s in stanzas if kind(s) == "presence" and attr(s, "to") is None]


def check_pair(tap_log, peer_summary, expect, xmppdump):
    fails = []
    check_tap.FAILS.clear()
    lines = check_tap.read_jsonl(tap_log)
    with open(peer_summary, encoding="utf-8") as f:
        peer = json.load(f)
    hop_log = tap_log + ".hop"
    hop = check_tap.read_jsonl(hop_log)
    tls = expect.get("tls")
    for ln in lines:
        bad = ("error", "tls-error", "accept-error") + (() if tls else ("tls", "tls-handshake"))
        if ln.get("event") in bad:
            fails.append(f"unexpected {ln['event']} line: {json.dumps(ln)[:300]}")
    connects = [ln for ln in lines if ln.get("event") == "connect"]
    discs = {ln["conn"]: ln for ln in lines if ln.get("event") == "disconnect"}
    if len(connects) != 2:
        return fails + [f"{len(connects)} connections through the tap, expected 2 (peer + client)"], {}
    roles = {}
    for c in connects:
        roles["peer" if c.get("client") == peer["local_addr"] else "client"] = c
    if set(roles) != {"peer", "client"}:
        return fails + [f"cannot tell the peer ({peer['local_addr']}) from the client: {connects}"], {}
    facts = {"conns": {}}
    parsed = {}
    for role, c in roles.items():
        conn = c["conn"]
        d = discs.get(conn)
        if d is None:
            fails.append(f"{role}: no disconnect line")
            continue
        hport = c.get("upstream_local", "").rpartition(":")[2]
        hc = [ln["conn"] for ln in hop if ln.get("event") == "open"
              and re.search(r"[ ,]%s\)$" % re.escape(hport), ln.get("peer", ""))]
        if len(hc) != 1:
            fails.append(f"{role}: {len(hc)} recorder connections from the tap's port {hport}")
            continue
        events = [ln for ln in lines if ln.get("conn") == conn and ln.get("event") in ("header", "stanza", "close")]
        facts["conns"][role] = {"conn": conn, "hop": hc[0]}
        for dr in ("c2s", "s2c"):
            st = d[dr]
            if not (st["parsed"] == st["bytes"] and st["opaque_bytes"] == 0):
                fails.append(f"{role} {dr}: parsed {st['parsed']} of {st['bytes']} bytes "
                             f"(opaque {st['opaque_bytes']}, end {st['end']})")
            if not st["clean"]:
                fails.append(f"{role} {dr}: not clean (end {st['end']})")
            if st["end"] not in ("eof", "reset"):
                fails.append(f"{role} {dr}: ended with {st['end']}")
            if st["bytes"] != st["forwarded"] or st["fnv1a64_in"] != st["fnv1a64_out"]:
                fails.append(f"{role} {dr}: read {st['bytes']} B, forwarded {st['forwarded']} B")
            path = f"{hop_log}.{hc[0]}.{dr}.bin"
            with open(path, "rb") as f:
                data = f.read()
            if tls:
                # the recorder saw ciphertext after STARTTLS: the clear prefix must be the
                # tap's, the rest exactly as many bytes as the tap wrote/read as TLS there
                with open(path, "rb") as f:
                    hop_bytes = f.read()
                path = os.path.join(expect["plain_dir"], f"conn{conn}.{dr}.bin")
                with open(path, "rb") as f:
                    data = f.read()
                at = st.get("tls_at")
                tls_n = st["tls_out"] if dr == "c2s" else st["tls_in"]
                if at is None:
                    fails.append(f"{role} {dr}: not decrypted (no tls_at)")
                elif hop_bytes[:at] != data[:at] or len(hop_bytes) != at + tls_n:
                    fails.append(f"{role} {dr}: the recorder has {len(hop_bytes)} B, expected the "
                                 f"tap's {at} clear bytes + {tls_n} TLS bytes")
                if (len(data), check_tap.fnv1a64(data)) != (st["bytes"], st["fnv1a64_in"]):
                    fails.append(f"{role} {dr}: the tap's plaintext file differs from its totals")
            want = (st["forwarded"], st["fnv1a64_out"]) if dr == "c2s" else (st["bytes"], st["fnv1a64_in"])
            if (len(data), check_tap.fnv1a64(data)) != want:
                fails.append(f"{role} {dr}: the recorder behind the tap has {len(data)} B "
                             f"fnv {check_tap.fnv1a64(data)}, the tap says {want}")
            if role == "peer":
                # slixmpp's own record of its side (plaintext, also under TLS)
                w = peer.get("wire", {}).get(dr, {})
                if "file" in w:
                    with open(w["file"], "rb") as f:
                        if f.read() != data:
                            fails.append(f"peer {dr}: slixmpp's own capture differs from the bytes "
                                         f"{'the tap decrypted' if tls else 'on the server leg'}")
            dir_events = [e for e in events if e["dir"] == dr]
            check_tap.check_oracle(role, dr, path, xmppdump, dir_events)
            try:
                stanzas, headers, closes = oracle(path)
            except ValueError as e:
                fails.append(str(e))
                continue
            parsed[(role, dr)] = stanzas
            ok = dict(Counter(kind(s) for s in stanzas))
            if ok != st["kinds"]:
                fails.append(f"{role} {dr}: tap counted {st['kinds']}, the oracle {ok}")
            if (headers, closes) != (st["headers"], st["closes"]):
                fails.append(f"{role} {dr}: tap saw {st['headers']} headers / {st['closes']} closes, "
                             f"the oracle {headers} / {closes}")
            facts["conns"][role][dr] = {"bytes": st["bytes"], "kinds": st["kinds"],
                                        "headers": st["headers"], "closes": st["closes"],
                                        "header_sizes": [e["size"] for e in dir_events if e["event"] == "header"],
                                        "stanza_offsets": [(e["offset"], e["size"]) for e in dir_events
                                                           if e["event"] == "stanza"],
                                        "file": path}
            if role == "peer":
                mine = peer["stanzas_sent" if dr == "c2s" else "stanzas_received"]
                if mine != st["kinds"]:
                    fails.append(f"peer {dr}: slixmpp counted {mine}, the tap {st['kinds']}")
        if "c2s" in facts["conns"][role]:
            cs = facts["conns"][role]["c2s"]
            if cs["headers"] < (3 if tls else 2):
                fails.append(f"{role} c2s: {cs['headers']} stream headers: no restart after "
                             f"{'STARTTLS and ' if tls else ''}SASL?")
            # go-sendxmpp (oneshot) just closes TCP after its message, without </stream:stream>
            if cs["closes"] != (0 if expect.get("oneshot") and role == "client" else 1):
                fails.append(f"{role} c2s: {cs['closes']} stream closes from the client")
        if tls:
            hs = {ln["side"]: ln for ln in lines if ln.get("event") == "tls-handshake" and ln["conn"] == conn}
            if set(hs) != {"client", "server"}:
                fails.append(f"{role}: TLS handshakes logged for {sorted(hs)}, expected client and server")
            else:
                facts["conns"][role]["tls"] = {s: (h["version"], h["cipher"]) for s, h in hs.items()}
    fails += check_tap.FAILS
    check_tap.FAILS.clear()
    if len(parsed) == 4:
        fails += check_content(parsed, peer, expect)
    if not fails:
        k = facts["conns"]["client"]
        tls_note = ""
        if tls:
            tls_note = "; decrypted " + ", ".join(f"{s} {v[0]} {v[1]}" for s, v in sorted(k["tls"].items()))
        facts["summary"] = (
            f"c2s {k['c2s']['bytes']} B {sum(k['c2s']['kinds'].values())} stanzas, "
            f"s2c {k['s2c']['bytes']} B {sum(k['s2c']['kinds'].values())} stanzas, "
            f"{k['c2s']['headers']}+{k['s2c']['headers']} headers; peer "
            f"{facts['conns']['peer']['c2s']['bytes']}+{facts['conns']['peer']['s2c']['bytes']} B; "
            "all parsed, = oracle, = recorder" + tls_note)
    return fails, facts


def check_content(parsed, peer, x):
    fails = []
    cc, cs, pc, ps = (parsed[("client", "c2s")], parsed[("client", "s2c")],
                      parsed[("peer", "c2s")], parsed[("peer", "s2c")])
    if x.get("oneshot"):
        sent, got = bodies_of(cc), bodies_of(ps, **{"from": x["client_jid"]})
        if [b for _, b in sent] != [x["body_c2p"]] or [b for _, b in got] != [x["body_c2p"]]:
            fails.append(f"one message: the client sent {sent!r}, the peer got {got!r}")
        return fails
    sent = bodies_of(cc)
    if [b for _, b in sent] != [x["body_c2p"]]:
        fails.append(f"client sent bodies {[b for _, b in sent]!r}, expected [{x['body_c2p']!r}]")
    got = bodies_of(ps, **{"from": x["client_jid"]})
    if [b for _, b in got] != [x["body_c2p"]] or [b["body"] for b in peer["bodies_received"]] != [x["body_c2p"]]:
        fails.append(f"peer received bodies {got!r} / {peer['bodies_received']!r}")
    elif sent and sent[0][0] is not None and got[0][0] != sent[0][0]:
        fails.append(f"message id {sent[0][0]!r} arrived as {got[0][0]!r}")
    if [b for _, b in bodies_of(pc)] != [x["body_p2c"]]:
        fails.append(f"peer sent bodies {bodies_of(pc)!r}")
    if [b for _, b in bodies_of(cs, **{"from": x["peer_jid"]})] != [x["body_p2c"]]:
        fails.append(f"client received bodies {bodies_of(cs)!r}, expected [{x['body_p2c']!r}]")
    mine = broadcast_presences(cc)
    avail = [p for p in mine if p[0] == "available"]
    if ("available", "away", x["status"]) not in avail:
        fails.append(f"client's broadcast presences {mine!r} lack show=away with the status text")
    at_peer = [(attr(s, "type") or "available", child_text(s, "show") or "", child_text(s, "status") or "")
               for s in ps if kind(s) == "presence" and (attr(s, "from") or "").split("/")[0] == x["client_jid"]]
    if [p for p in at_peer if p[0] == "available"] != avail:
        fails.append(f"the peer got the client's available presences {at_peer!r}, the client sent {avail!r}")
    if not at_peer or at_peer[-1][0] != "unavailable":
        fails.append(f"the peer's last presence from the client is {at_peer[-1:]!r}, not unavailable")
    gets = [attr(s, "id") for s in cc if kind(s) == "iq" and attr(s, "type") == "get"
            and kids(s, "query", ROSTER_NS)]
    results = [s for s in cs if kind(s) == "iq" and attr(s, "type") == "result" and attr(s, "id") in gets]
    items = [attr(i, "jid") for r in results for q in kids(r, "query", ROSTER_NS) for i in kids(q, "item", ROSTER_NS)]
    if not gets or x["peer_jid"] not in items:
        fails.append(f"roster: client's gets {gets}, items in the results {items}")
    # iq errors are servers saying "not implemented" (jabberd2 to profanity's PEP/MAM
    # queries); a message error would mean the chat itself failed
    errors = [s for s in cs + ps if kind(s) == "message" and attr(s, "type") == "error"]
    if errors:
        fails.append(f"{len(errors)} message errors, first {json.dumps(errors[0])[:300]}")
    return fails


HEADER = re.compile(rb"(?:<\?xml[^>]*\?>\s*)?<stream:stream[\s>]")


def cut_at_restarts(data, nheaders):
    """Split a recorded direction before each stream header after the first (the XML
    declaration in front of a restart goes with the new stream)."""
    starts = [m.start() for m in HEADER.finditer(data)]
    if len(starts) != nheaders or (starts and starts[0] != 0):
        raise ValueError(f"found {len(starts)} stream headers at {starts[:5]}, the tap saw {nheaders}")
    return [data[a:b] for a, b in zip(starts, starts[1:] + [len(data)])]


def write_captures(tap_log, facts, outdir, name):
    """The seed client's connection, both directions, one file per stream (cut at
    restarts), each with the expat oracle's dump beside it (.jsonl)."""
    os.makedirs(outdir, exist_ok=True)
    for old in os.listdir(outdir):
        if old.startswith(name + "."):
            os.remove(os.path.join(outdir, old))
    written = []
    for dr in ("c2s", "s2c"):
        f = facts["conns"]["client"][dr]
        with open(f["file"], "rb") as fh:
            data = fh.read()
        for n, seg in enumerate(cut_at_restarts(data, f["headers"]), 1):
            base = os.path.join(outdir, f"{name}.{dr}.{n}")
            with open(base + ".xml", "wb") as out:
                out.write(seg)
            r = subprocess.run([sys.executable, EXPAT_DUMP, base + ".xml"], capture_output=True)
            if r.returncode != 0:
                raise ValueError(f"the oracle rejects {base}.xml: {r.stdout[-200:]!r}")
            with open(base + ".jsonl", "wb") as out:
                out.write(r.stdout)
            written.append(os.path.basename(base))
    return written

#!/usr/bin/env python3
"""Write corpus/faults/: small streams with exactly one injected fault each,
plus EXPECTED.tsv (file, condition, offset).

    python3 corpus/gen_faults.py [--out DIR]

Every fault is built as BEFORE + BAD + AFTER, where BEFORE + (a valid
replacement for BAD) + AFTER would be a valid stream, and BAD starts with the
first offending byte; so the offset in EXPECTED.tsv is len(BEFORE), by
construction. For `incomplete` faults the input simply stops, and the offset
is the length of the file. Conventions for "the first offending byte" are
listed in corpus/README.md. Deterministic, standard library only.
"""

import argparse
import os
import sys

DECL = b"<?xml version='1.0'?>"
HDR_ATTRS = (b" xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
             b" from='capulet.lit' id='c2s-8a3f61d0' to='juliet@capulet.lit' version='1.0' xml:lang='en'")
HDR = b"<stream:stream" + HDR_ATTRS + b">"
FEATURES = (b"\n<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/></bind>"
            b"<sm xmlns='urn:xmpp:sm:3'/></stream:features>\n")
MSG1 = ("<message from='romeo@montague.lit/orchard' to='juliet@capulet.lit/balcony' type='chat' "
        "id='f-0001' xml:lang='en'><body>But soft! What light through yonder window breaks? "
        "Ça va ? 你好 👋</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>\n").encode()
PRES = (b"<presence from='benvolio@montague.lit/street' to='juliet@capulet.lit/balcony' id='f-0002'>"
        b"<show>away</show><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
        b"node='https://gajim.org' ver='Y8PlczVmSYIw6G0IorykM8l1gfE='/></presence>\n")
TAIL = (b" <r xmlns='urn:xmpp:sm:3'/>\n<message from='romeo@montague.lit/orchard' "
        b"to='juliet@capulet.lit/balcony' type='chat' id='f-0009'><body>Good night &amp; "
        b"sweet dreams</body></message>\n</stream:stream>")

PRE = DECL + HDR + FEATURES + MSG1 + PRES          # a valid prefix, ends between stanzas
M_OPEN = b"<message from='romeo@montague.lit/orchard' to='juliet@capulet.lit/balcony' type='chat' id='f-0003'>"
M_CLOSE = b"</message>\n"


def stanza_text_fault(bad, text_before=b"Thou knowest ", text_after=b" the mask of night"):
    """A fault inside the text of a <body>."""
    before = PRE + M_OPEN + b"<body>" + text_before
    after = text_after + b"</body>" + M_CLOSE + TAIL
    return before, bad, after


DEEP_OPEN = (b"<message from='pubsub.capulet.lit' to='juliet@capulet.lit/balcony' id='f-0004'>"
             b"<event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:microblog:0'>"
             b"<item id='1cb57d9c'><entry xmlns='http://www.w3.org/2005/Atom'><content type='xhtml'>"
             b"<div xmlns='http://www.w3.org/1999/xhtml'><ul><li>")
DEEP_CLOSE = b"</li></ul></div></content></entry></item></items></event></message>\n"


def deep_fault(bad, good_before=b"deep ", good_after=b" text"):
    return PRE + DEEP_OPEN + good_before, bad, good_after + DEEP_CLOSE + TAIL


def F(name, condition, before, bad, after):
    return (name, condition, before, bad, after)


def faults():
    out = []
    nwf = "not-well-formed"
    # ---------------------------------------------------------------- not-well-formed
    out.append(F("not-well-formed-mismatched-tag", nwf,
                 PRE + M_OPEN + b"<body>hi", b"</bdy>", b"</message>\n" + TAIL))
    out.append(F("not-well-formed-stray-end-tag-at-stream-level", nwf,
                 PRE, b"</message>", b"\n" + TAIL))
    out.append(F("not-well-formed-lt-in-attr", nwf, PRE + b"<message to='juliet@capulet.lit/balcony' id='a",
                 b"<b' type='chat'>", b"<body>x</body>" + M_CLOSE + TAIL))
    out.append(F("not-well-formed-lt-in-header-attr", nwf,
                 DECL + b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='capulet",
                 b"<lit' version='1.0'>", FEATURES + MSG1 + TAIL))
    out.append(F("not-well-formed-lt-in-text", nwf, *stanza_text_fault(b"< b")))
    out.append(F("not-well-formed-amp-alone", nwf, *stanza_text_fault(b"& Jerry")))
    out.append(F("not-well-formed-cdata-end-in-text", nwf, *stanza_text_fault(b"]]> not allowed")))
    out.append(F("not-well-formed-duplicate-attr", nwf,
                 PRE + b"<message to='juliet@capulet.lit/balcony' id='f-0005' type='chat' ", b"id='f-0006'>",
                 b"<body>x</body>" + M_CLOSE + TAIL))
    out.append(F("not-well-formed-duplicate-expanded-attr", nwf,
                 PRE + M_OPEN + b"<body>x</body><x:foo xmlns:a='urn:example:same' xmlns:b='urn:example:same' "
                 b"xmlns:x='urn:example:x' a:color='red' ", b"b:color='blue'/>", M_CLOSE + TAIL))
    out.append(F("not-well-formed-unbound-prefix", nwf,
                 PRE + M_OPEN + b"<body>x</body>", b"<foo:bar/>", M_CLOSE + TAIL))
    out.append(F("not-well-formed-unbound-prefix-attr", nwf,
                 PRE + M_OPEN + b"<body ", b"foo:lang='en'>x</body>", M_CLOSE + TAIL))
    out.append(F("not-well-formed-unbound-prefix-header", nwf,
                 DECL, b"<stream:stream xmlns='jabber:client' to='capulet.lit' version='1.0'>",
                 FEATURES + MSG1 + TAIL))
    out.append(F("not-well-formed-prefix-out-of-scope", nwf,
                 PRE + M_OPEN + b"<x:foo xmlns:x='urn:example:x'><x:bar/></x:foo>", b"<x:baz/>", M_CLOSE + TAIL))
    out.append(F("not-well-formed-bad-charref", nwf, *stanza_text_fault(b"&#0;")))
    out.append(F("not-well-formed-bad-charref-surrogate", nwf, *stanza_text_fault(b"&#xD800;")))
    out.append(F("not-well-formed-bad-charref-ctrl", nwf, *stanza_text_fault(b"&#1;")))
    out.append(F("not-well-formed-bad-charref-uppercase-x", nwf, *stanza_text_fault(b"&#X41;")))
    out.append(F("not-well-formed-ctrl-char", nwf, *stanza_text_fault(b"\x01 control")))
    out.append(F("not-well-formed-ctrl-char-in-attr", nwf,
                 PRE + b"<message to='juliet@capulet.lit/balcony' id='f-00", b"\x1b08' type='chat'>",
                 b"<body>x</body>" + M_CLOSE + TAIL))
    out.append(F("not-well-formed-nonchar-ffff", nwf, *stanza_text_fault("\uffff".encode())))
    out.append(F("not-well-formed-xmlns-p-empty", nwf,
                 PRE + M_OPEN + b"<body>x</body><x:foo xmlns:x='urn:example:x'><bar ", b"xmlns:x=''/></x:foo>",
                 M_CLOSE + TAIL))
    out.append(F("not-well-formed-xml-prefix-rebound", nwf,
                 PRE + M_OPEN + b"<body ", b"xmlns:xml='urn:example:not-xml'>x</body>", M_CLOSE + TAIL))
    out.append(F("not-well-formed-text-at-stream-level", nwf, PRE + b"  ", b"hello", b"\n" + TAIL))
    out.append(F("not-well-formed-text-after-header", nwf, DECL + HDR + b"\n", b"x", FEATURES + MSG1 + TAIL))
    out.append(F("not-well-formed-charref-at-stream-level", nwf, PRE, b"&#32;", b"\n" + TAIL))
    out.append(F("not-well-formed-cdata-at-stream-level", nwf, PRE, b"<![CDATA[ ]]>", b"\n" + TAIL))
    out.append(F("not-well-formed-missing-space-between-attrs", nwf,
                 PRE + b"<message to='juliet@capulet.lit/balcony'", b"type='chat' id='f-0008'>",
                 b"<body>x</body>" + M_CLOSE + TAIL))
    out.append(F("not-well-formed-bad-name", nwf, PRE + M_OPEN + b"<", b"1body>x</1body>", M_CLOSE + TAIL))
    out.append(F("not-well-formed-unquoted-attr", nwf,
                 PRE + b"<message to='juliet@capulet.lit/balcony' type=", b"chat id='f-0011'>",
                 b"<body>x</body>" + M_CLOSE + TAIL))
    out.append(F("not-well-formed-xml-decl-in-stanza", nwf,
                 PRE + M_OPEN, b"<?xml version='1.0'?>", b"<body>x</body>" + M_CLOSE + TAIL))
    out.append(F("not-well-formed-xml-decl-after-space", nwf, b" ", DECL, HDR + FEATURES + MSG1 + TAIL))
    out.append(F("not-well-formed-deep-mismatch-in-xhtml", nwf, *deep_fault(b"</ul>")))
    out.append(F("not-well-formed-bad-close-tag", nwf, PRE + TAIL[:-len(b"</stream:stream>")],
                 b"</stream:streams>", b""))
    out.append(F("not-well-formed-close-tag-other-prefix", nwf,
                 DECL + b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                 b"xmlns:s='http://etherx.jabber.org/streams' to='capulet.lit' version='1.0'>" + FEATURES + MSG1,
                 b"</s:stream>", b""))
    # ---------------------------------------------------------------- restricted-xml
    rx = "restricted-xml"
    out.append(F("restricted-xml-comment", rx, *stanza_text_fault(b"<!-- a comment -->")))
    out.append(F("restricted-xml-comment-stream-level", rx, PRE, b"<!-- keepalive -->", b"\n" + TAIL))
    out.append(F("restricted-xml-comment-before-header", rx, DECL, b"<!-- hello -->", HDR + FEATURES + MSG1 + TAIL))
    out.append(F("restricted-xml-pi", rx, *stanza_text_fault(b"<?php echo 1; ?>")))
    out.append(F("restricted-xml-pi-before-header", rx, DECL,
                 b"<?xml-stylesheet type='text/xsl' href='s.xsl'?>", HDR + FEATURES + MSG1 + TAIL))
    out.append(F("restricted-xml-doctype", rx, DECL, b"<!DOCTYPE stream:stream>", HDR + FEATURES + MSG1 + TAIL))
    out.append(F("restricted-xml-doctype-internal-subset", rx, DECL,
                 b"<!DOCTYPE stream:stream [<!ENTITY boom 'kaboom'>]>", HDR + FEATURES + MSG1 + TAIL))
    out.append(F("restricted-xml-entity", rx, *stanza_text_fault(b"&nbsp;")))
    out.append(F("restricted-xml-entity-in-attr", rx,
                 PRE + b"<message to='juliet@capulet.lit/balcony' id='f-0014' type='chat'><body xml:lang='en' title='",
                 b"&copy; 2024'>x</body>", M_CLOSE + TAIL))
    out.append(F("restricted-xml-entity-in-header", rx,
                 DECL + b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='",
                 b"&host;' version='1.0'>", FEATURES + MSG1 + TAIL))
    out.append(F("restricted-xml-bom", rx, b"", b"\xef\xbb\xbf", DECL + HDR + FEATURES + MSG1 + TAIL))
    # ---------------------------------------------------------------- unsupported-encoding
    ue = "unsupported-encoding"
    out.append(F("unsupported-encoding-latin1-decl", ue, b"<?xml version='1.0' encoding='",
                 b"ISO-8859-1'?>", HDR + FEATURES + MSG1 + TAIL))
    out.append(F("unsupported-encoding-utf16-decl", ue, b'<?xml version="1.0" encoding="',
                 b'UTF-16"?>', HDR + FEATURES + MSG1 + TAIL))
    out.append(F("unsupported-encoding-invalid-utf8", ue, *stanza_text_fault(b"\xff")))
    out.append(F("unsupported-encoding-latin1-bytes", ue, *stanza_text_fault(b"\xe9t\xe9", b"caf", b" au lait")))
    out.append(F("unsupported-encoding-overlong", ue, *stanza_text_fault(b"\xc0\xaf")))
    out.append(F("unsupported-encoding-surrogate", ue, *stanza_text_fault(b"\xed\xa0\x80")))
    out.append(F("unsupported-encoding-above-max", ue, *stanza_text_fault(b"\xf4\x90\x80\x80")))
    out.append(F("unsupported-encoding-truncated-sequence", ue, *stanza_text_fault(b"\xe2\x82", b"price ", b" 10")))
    out.append(F("unsupported-encoding-in-attr", ue,
                 PRE + b"<message to='juliet@capulet.lit/balcony' type='chat' id='f-", b"\xfe0015'>",
                 b"<body>x</body>" + M_CLOSE + TAIL))
    out.append(F("unsupported-encoding-in-header", ue,
                 DECL + b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                 b"to='caf", b"\xe9.example' version='1.0'>", FEATURES + MSG1 + TAIL))
    out.append(F("unsupported-encoding-deep", ue, *deep_fault(b"\xc3\x28")))
    # ---------------------------------------------------------------- invalid-namespace
    inv = "invalid-namespace"
    out.append(F("invalid-namespace-root", inv, DECL,
                 b"<stream xmlns='jabber:client' to='capulet.lit' version='1.0'>", FEATURES + MSG1 + TAIL[:-16] + b"</stream>"))
    out.append(F("invalid-namespace-stream-ns-typo", inv, DECL,
                 b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/stream' "
                 b"to='capulet.lit' version='1.0'>", FEATURES + MSG1 + TAIL))
    out.append(F("invalid-namespace-root-is-stanza", inv, DECL, MSG1[:-1], b""))
    out.append(F("invalid-namespace-after-restart", inv,
                 DECL + HDR + b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMG8=</auth>\n"
                 + DECL,
                 b"<stream:stream xmlns='jabber:client' xmlns:stream='urn:example:wrong' to='capulet.lit' version='1.0'>",
                 FEATURES + MSG1 + TAIL))
    return out


def incompletes():
    """(name, content): the input just stops; offset = len(content)."""
    return [
        ("incomplete-mid-stanza", PRE + M_OPEN + b"<body>Thou knowest the mask of ni"),
        ("incomplete-mid-header", DECL + b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='capu"),
        ("incomplete-only-xml-decl", DECL),
        ("incomplete-mid-start-tag", PRE + b"<message to='juliet@capulet.lit/balcony' ty"),
        ("incomplete-mid-end-tag", PRE + M_OPEN + b"<body>x</body></mess"),
        ("incomplete-mid-cdata", PRE + M_OPEN + b"<body><![CDATA[if (a < b"),
        ("incomplete-mid-utf8-char", PRE + M_OPEN + b"<body>caf\xc3"),
        ("incomplete-deep", PRE + DEEP_OPEN + b"deep text</li></ul>"),
        ("incomplete-after-restart-decl", DECL + HDR + b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' "
         b"mechanism='PLAIN'>AGp1bGlldAByMG0zMG8=</auth>" + DECL),
        ("incomplete-empty", b""),
    ]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="write corpus/faults/")
    ap.add_argument("--out", default=os.path.join(here, "faults"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    names = []
    for name, cond, before, bad, after in faults():
        data = before + bad + after
        rows.append((name + ".xml", cond, len(before)))
        names.append((name, data))
    for name, data in incompletes():
        rows.append((name + ".xml", "incomplete", len(data)))
        names.append((name, data))
    seen = set()
    for name, data in names:
        assert name not in seen, name
        seen.add(name)
        with open(os.path.join(args.out, name + ".xml"), "wb") as f:
            f.write(data)
    rows.sort()
    with open(os.path.join(args.out, "EXPECTED.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("file\tcondition\toffset\n")
        for r in rows:
            f.write("%s\t%s\t%d\n" % r)
    print("%d fault files written to %s" % (len(rows), args.out))


if __name__ == "__main__":
    sys.exit(main())

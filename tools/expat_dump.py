#!/usr/bin/env python3
"""Reference implementation ("oracle") of the xmppdump JSON-lines format.

Reads one XMPP stream (a file, or stdin when FILE is '-' or absent) and writes
one JSON object per line, per stream event, exactly as described in the
"dump format" section of the design and in corpus/README.md:

    {"header":ELEM}       ELEM without a "children" key
    {"stanza":ELEM}       one per depth-1 element
    {"close":true}        </stream:stream>
    {"error":{"condition":C,"offset":N,"message":M}}   then exit status 1

ELEM = {"name":[NS,LOCAL],"attrs":[[NS,LOCAL,VALUE],...],"children":[ELEM|STRING,...]}

Serialisation: json.dumps(obj, ensure_ascii=False, separators=(',', ':')),
encoded as UTF-8, each line terminated by a single '\\n'.

The XML work is done by pyexpat in namespace mode; this script adds the XMPP
stream framing (header / stanzas / close), stream restarts, the restricted-XML
checks of RFC 6120 section 11 and the mapping of errors to stream-error
conditions. It reads the whole input into memory (it is an oracle, not the
streaming implementation). Python 3.8+ standard library only.

Usage: expat_dump.py [--count] [--chunk N] [--document|--any-root|--bosh] [FILE|-]
  --count    print only {"stanzas":N,"bytes":B} (B = input length in bytes)
  --document one XML document (the crate's Mode::Document, and each WebSocket
             message): the root element is the one {"stanza":...}, no header
  --any-root a stream whose root may have any name (Mode::AnyRoot): the root
             start tag is the header, depth-1 elements stanzas; no restarts
  --bosh     --any-root, and elements below the root in the httpbind namespace
             read as jabber:client (XEP-0206 section 5, the crate's BoshReader)
  --chunk N  accepted for command-line compatibility with xmppdump; ignored
             (the output never depends on chunking)
Exit status: 0 clean end (closed, or input ended between stanzas), 1 error,
2 bad usage.
"""

import codecs
import json
import re
import sys
import pyexpat

STREAMS_NS = "http://etherx.jabber.org/streams"
SEP = "\x01"  # namespace separator: cannot occur in XML 1.0 text
WS = b" \t\r\n"
BOM = b"\xef\xbb\xbf"

# expat error codes that, when reported at end of input, mean "the input stopped
# in the middle of something" rather than "the bytes are wrong".
EOF_CODES = {
    pyexpat.errors.codes[pyexpat.errors.XML_ERROR_NO_ELEMENTS],
    pyexpat.errors.codes[pyexpat.errors.XML_ERROR_UNCLOSED_TOKEN],
    pyexpat.errors.codes[pyexpat.errors.XML_ERROR_PARTIAL_CHAR],
    pyexpat.errors.codes[pyexpat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
}
NO_ELEMENTS = pyexpat.errors.codes[pyexpat.errors.XML_ERROR_NO_ELEMENTS]
UNDEFINED_ENTITY = pyexpat.errors.codes[pyexpat.errors.XML_ERROR_UNDEFINED_ENTITY]

# A stream-root start tag at stream level: '<stream' or '<PREFIX:stream'
# followed by whitespace, '>' or '/'.
STREAM_TAG_RE = re.compile(rb"<(?:([^\s<>/=:'\"]+):)?stream(?=[ \t\r\n/>])")
# Attributes inside a start tag (values never contain their own quote).
ATTR_RE = re.compile(rb"""[ \t\r\n]+([^\s=/>]+)[ \t\r\n]*=[ \t\r\n]*(?:'([^']*)'|"([^"]*)")""")
ENCODING_RE = re.compile(rb"""encoding[ \t\r\n]*=[ \t\r\n]*['"]""")


class StreamError(Exception):
    def __init__(self, condition, offset, message):
        super().__init__(message)
        self.condition = condition
        self.offset = offset
        self.message = message


class Restart(Exception):
    """Raised from a handler: a new stream header starts at absolute offset pos."""

    def __init__(self, pos):
        super().__init__(pos)
        self.pos = pos


class CleanEnd(Exception):
    """Input ended at stream level (between stanzas): a legal end."""


def split_name(name):
    ns, sep, local = name.rpartition(SEP)
    return [ns, local] if sep else ["", name]


def first_invalid_utf8(buf):
    """Offset of the first byte that is not valid UTF-8, or None.

    A multi-byte sequence that is merely cut off by the end of the input is not
    counted here (the input ended in the middle of a character: that is decided
    by the end-of-input rules)."""
    dec = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        dec.decode(buf, False)
    except UnicodeDecodeError as e:
        return e.start
    return None


def tag_end(buf, lt, end):
    """Offset just after the '>' of the tag starting at buf[lt] == '<'.

    Quote-aware ('>' may occur inside attribute values). Returns None when the
    tag is not complete before `end`."""
    i = lt + 1
    quote = None
    while i < end:
        c = buf[i]
        if quote is not None:
            if c == quote:
                quote = None
        elif c == 0x27 or c == 0x22:
            quote = c
        elif c == 0x3E:
            return i + 1
        i += 1
    return None


HTTPBIND_NS = "http://jabber.org/protocol/httpbind"


class Oracle:
    def __init__(self, buf, emit, mode="stream"):
        self.buf = buf
        self.emit = emit
        self.stanzas = 0
        self.mode = mode  # "stream", "document", "any-root" or "bosh"

    # ------------------------------------------------------------------ driver
    def run(self):
        buf = self.buf
        if buf.startswith(BOM):
            raise StreamError("restricted-xml", 0, "byte order mark at start of stream")
        bad = first_invalid_utf8(buf)
        # Parse up to the first invalid byte without declaring end of input:
        # any error that lies wholly before it wins; otherwise the bad byte does.
        self.end = len(buf) if bad is None else bad
        final = bad is None
        pos = 0
        while True:
            try:
                self.parse_segment(pos, final)
            except Restart as r:
                pos = r.pos
                continue
            except CleanEnd:
                return 0
            break
        if bad is not None:
            raise StreamError("unsupported-encoding", bad,
                              "invalid UTF-8 byte 0x%02X" % buf[bad])
        return 0

    def parse_segment(self, base, final):
        """Parse one stream (header ... close) starting at absolute offset base."""
        self.base = base
        # 0 = prolog, 1 = stream level, >= 2 inside a stanza; a document starts at
        # "stream level" so that its root element is framed as the one stanza
        self.depth = 1 if self.mode == "document" else 0
        self.closed = False
        self.root_ns = {}       # prefix (None = default) -> uri, declared on the root
        self.stack = []         # open stanza elements: [elem, pending_text_list]
        self.ws_checked = base  # stream-level whitespace verified up to here
        self.stanza_start_end = None
        p = pyexpat.ParserCreate(encoding="UTF-8", namespace_separator=SEP)
        self.p = p
        p.ordered_attributes = True
        p.buffer_text = False
        p.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.XmlDeclHandler = self.on_xml_decl
        p.StartDoctypeDeclHandler = self.on_doctype
        p.CommentHandler = self.on_comment
        p.ProcessingInstructionHandler = self.on_pi
        p.SkippedEntityHandler = self.on_skipped_entity
        p.StartNamespaceDeclHandler = self.on_ns_decl
        p.StartElementHandler = self.on_start
        p.EndElementHandler = self.on_end
        p.CharacterDataHandler = self.on_text
        p.StartCdataSectionHandler = self.on_cdata_start
        data = self.buf[base:self.end]
        try:
            p.Parse(data, False)
        except pyexpat.ExpatError as e:
            raise self.expat_error(e) from None
        if not final:
            return
        try:
            p.Parse(b"", True)
        except pyexpat.ExpatError as e:
            code = e.code
            if self.closed or code not in EOF_CODES:
                raise self.expat_error(e) from None
            if self.depth == 1 and not self.stack and code == NO_ELEMENTS \
                    and self.mode != "document":
                raise CleanEnd() from None
            where = "the stream header" if self.depth == 0 else (
                "a stanza" if self.stack else "a stanza's start tag")
            raise StreamError("incomplete", len(self.buf),
                              "input ended inside " + where) from None

    def expat_error(self, e):
        off = self.base + max(self.p.ErrorByteIndex, 0)
        msg = pyexpat.ErrorString(e.code)
        if e.code == UNDEFINED_ENTITY:
            return StreamError("restricted-xml", off, "entity reference other than the predefined ones (" + msg + ")")
        return StreamError("not-well-formed", off, msg)

    def here(self):
        return self.base + self.p.CurrentByteIndex

    # ---------------------------------------------------------------- handlers
    def on_xml_decl(self, version, encoding, standalone):
        if encoding is not None and encoding.lower() != "utf-8":
            at = self.here()
            stop = self.buf.find(b"?>", at, self.end)
            m = ENCODING_RE.search(self.buf, at, stop if stop >= 0 else self.end)
            off = m.end() if m else at
            raise StreamError("unsupported-encoding", off, "declared encoding %r" % encoding)

    def on_doctype(self, *args):
        at = self.here()
        lt = self.buf.rfind(b"<!DOCTYPE", self.base, at + 1)
        raise StreamError("restricted-xml", lt if lt >= 0 else at, "document type declaration")

    def on_comment(self, data):
        raise StreamError("restricted-xml", self.here(), "comment")

    def on_pi(self, target, data):
        raise StreamError("restricted-xml", self.here(), "processing instruction")

    def on_skipped_entity(self, name, is_param):
        raise StreamError("restricted-xml", self.here(), "entity reference &%s;" % name)

    def on_ns_decl(self, prefix, uri):
        if self.depth == 0:
            self.root_ns[prefix] = uri

    def on_cdata_start(self):
        if self.depth == 1:
            raise StreamError("not-well-formed", self.here(), "CDATA section at stream level")

    def on_text(self, data):
        if self.depth >= 2:
            self.stack[-1][1].append(data)
            return
        if self.depth == 1:
            # Only literal whitespace may appear between stanzas (keepalives).
            buf, end = self.buf, self.end
            i = max(self.here(), self.ws_checked)
            while i < end and buf[i] in WS:
                i += 1
            self.ws_checked = i
            if i < end and buf[i] != 0x3C:
                raise StreamError("not-well-formed", i, "text at stream level")
        # depth 0: expat only reports whitespace here (prolog / after close)

    def on_start(self, name, attrs):
        pairs = []
        for k in range(0, len(attrs), 2):
            ns, local = split_name(attrs[k])
            pairs.append([ns, local, attrs[k + 1]])
        pairs.sort(key=lambda a: (a[0], a[1]))
        nm = split_name(name)
        if self.mode == "bosh" and self.depth >= 1 and nm[0] == HTTPBIND_NS:
            nm = ["jabber:client", nm[1]]
        if self.depth == 0:
            if nm != [STREAMS_NS, "stream"] and self.mode == "stream":
                raise StreamError("invalid-namespace", self.here(),
                                  "stream root is {%s}%s" % (nm[0], nm[1]))
            self.depth = 1
            self.emit({"header": {"name": nm, "attrs": pairs}})
            lt = self.here()
            te = tag_end(self.buf, lt, self.end)
            if te is not None and self.buf[te - 2] != 0x2F:  # not <stream:stream/>
                self.check_restart(te)
            return
        elem = {"name": nm, "attrs": pairs, "children": []}
        if self.stack:
            parent = self.stack[-1]
            self.flush_text(parent)
            parent[0]["children"].append(elem)
        else:
            # A new stanza: remember where its start tag ends and whether it is
            # an empty-element tag, to find the end of the stanza later.
            lt = self.here()
            te = tag_end(self.buf, lt, self.end)
            self.stanza_start_end = (te, self.buf[te - 2] == 0x2F)
        self.stack.append([elem, []])
        self.depth += 1

    def on_end(self, name):
        if self.depth == 1:
            self.depth = 0
            self.closed = True
            self.emit({"close": True})
            return
        frame = self.stack.pop()
        self.flush_text(frame)
        self.depth -= 1
        if self.stack:
            return
        self.stanzas += 1
        self.emit({"stanza": frame[0]})
        te, empty = self.stanza_start_end
        if empty:
            after = te
        else:
            after = self.buf.index(b">", self.here(), self.end) + 1
        self.check_restart(after)

    @staticmethod
    def flush_text(frame):
        if frame[1]:
            text = "".join(frame[1])
            frame[1] = []
            children = frame[0]["children"]
            if children and isinstance(children[-1], str):
                children[-1] += text
            else:
                children.append(text)

    # ----------------------------------------------------------------- restart
    def check_restart(self, pos):
        """At stream level, just after the header or a stanza ended at pos:
        a new stream header (XML declaration or a stream-root start tag)
        means a stream restart (streams only)."""
        if self.mode != "stream":
            return
        buf, end = self.buf, self.end
        i = pos
        while i < end and buf[i] in WS:
            i += 1
        if i >= end or buf[i] != 0x3C:
            return
        if buf.startswith(b"<?xml", i) and i + 5 < end and buf[i + 5] in WS:
            raise Restart(i)
        m = STREAM_TAG_RE.match(buf, i, end)
        if not m:
            return
        prefix = m.group(1).decode("utf-8", "replace") if m.group(1) else None
        te = tag_end(buf, i, end)
        own = {}
        if te is not None:
            for a in ATTR_RE.finditer(buf, m.end(), te):
                an = a.group(1)
                val = a.group(2) if a.group(2) is not None else a.group(3)
                if an == b"xmlns":
                    own[None] = val.decode("utf-8", "replace")
                elif an.startswith(b"xmlns:"):
                    own[an[6:].decode("utf-8", "replace")] = val.decode("utf-8", "replace")
        ns = own.get(prefix, self.root_ns.get(prefix))
        if ns == STREAMS_NS:
            raise Restart(i)


def dump_lines(buf, mode="stream"):
    """The dump lines (without line ends) for buf, the error line included."""
    lines = []
    oracle = Oracle(buf, lambda obj: lines.append(dumps(obj)), mode)
    try:
        oracle.run()
    except StreamError as e:
        lines.append(dumps({"error": {"condition": e.condition, "offset": e.offset,
                                      "message": e.message}}))
    return lines


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def main(argv):
    count = False
    path = None
    mode = "stream"
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--count":
            count = True
        elif a == "--chunk":
            if not args or not args[0].isdigit() or int(args[0]) == 0:
                sys.stderr.write("--chunk needs a positive integer\n")
                return 2
            args.pop(0)
        elif a in ("--document", "--any-root", "--bosh"):
            mode = a[2:]
        elif a in ("-h", "--help"):
            sys.stdout.write(__doc__)
            return 0
        elif a.startswith("--") or path is not None:
            sys.stderr.write("usage: expat_dump.py [--count] [--chunk N] "
                             "[--document|--any-root|--bosh] [FILE|-]\n")
            return 2
        else:
            path = a
    try:
        if path is None or path == "-":
            buf = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as f:
                buf = f.read()
    except OSError as e:
        sys.stderr.write("expat_dump.py: %s\n" % e)
        return 2
    out = sys.stdout.buffer

    if count:
        def emit(obj):
            pass
    else:
        def emit(obj):
            out.write(dumps(obj).encode("utf-8") + b"\n")

    oracle = Oracle(buf, emit, mode)
    try:
        status = oracle.run()
    except StreamError as e:
        out.write(dumps({"error": {"condition": e.condition, "offset": e.offset,
                                   "message": e.message}}).encode("utf-8") + b"\n")
        out.flush()
        return 1
    if count:
        out.write(dumps({"stanzas": oracle.stanzas, "bytes": len(buf)}).encode("utf-8") + b"\n")
    out.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

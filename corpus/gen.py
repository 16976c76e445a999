#!/usr/bin/env python3
"""Deterministic generator of the sample XMPP streams in corpus/streams/.

    python3 corpus/gen.py [--out DIR] [--seed N]

Standard library only. Every file is built from its own random.Random seeded
with (SEED, file name), so the output is byte-for-byte identical on every run
and every Python 3.8+ (only Random.random/randrange/choice/getrandbits are used,
whose sequences are stable for integer seeds; no set or hash ordering is used).

The streams are synthetic but shaped like real traffic: XEP example shapes,
real-looking JIDs and ids, several serialiser "personalities" (quote style,
escaping of '>', pretty printing, char refs for non-ASCII text), non-ASCII
text (accents, CJK, emoji, RTL), entities and character references, CDATA,
CR/CRLF line ends, attribute values that exercise normalisation, prefixed
elements, namespace redeclarations, whitespace keepalives and stream restarts.
See corpus/README.md for what each file contains.
"""

import argparse
import base64
import datetime
import hashlib
import os
import random
import sys

SEED = 6120

STREAMS = "http://etherx.jabber.org/streams"
NS_CLIENT = "jabber:client"
NS_SERVER = "jabber:server"
NS_COMPONENT = "jabber:component:accept"
NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind"
NS_SESSION = "urn:ietf:params:xml:ns:xmpp-session"
NS_STREAMS_ERR = "urn:ietf:params:xml:ns:xmpp-streams"
NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
NS_SM = "urn:xmpp:sm:3"
NS_ROSTER = "jabber:iq:roster"
NS_CAPS = "http://jabber.org/protocol/caps"
NS_DISCO_INFO = "http://jabber.org/protocol/disco#info"
NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items"
NS_MUC = "http://jabber.org/protocol/muc"
NS_MUC_USER = "http://jabber.org/protocol/muc#user"
NS_MUC_ADMIN = "http://jabber.org/protocol/muc#admin"
NS_DELAY = "urn:xmpp:delay"
NS_CHATSTATES = "http://jabber.org/protocol/chatstates"
NS_RECEIPTS = "urn:xmpp:receipts"
NS_MARKERS = "urn:xmpp:chat-markers:0"
NS_SID = "urn:xmpp:sid:0"
NS_PING = "urn:xmpp:ping"
NS_CARBONS = "urn:xmpp:carbons:2"
NS_FORWARD = "urn:xmpp:forward:0"
NS_MAM = "urn:xmpp:mam:2"
NS_PUBSUB = "http://jabber.org/protocol/pubsub"
NS_PUBSUB_EVENT = "http://jabber.org/protocol/pubsub#event"
NS_PUBSUB_OWNER = "http://jabber.org/protocol/pubsub#owner"
NS_TUNE = "http://jabber.org/protocol/tune"
NS_NICK = "http://jabber.org/protocol/nick"
NS_AVATAR_META = "urn:xmpp:avatar:metadata"
NS_AVATAR_DATA = "urn:xmpp:avatar:data"
NS_VCARD = "vcard-temp"
NS_VCARD_UPDATE = "vcard-temp:x:update"
NS_IBB = "http://jabber.org/protocol/ibb"
NS_BOB = "urn:xmpp:bob"
NS_XDATA = "jabber:x:data"
NS_XHTML_IM = "http://jabber.org/protocol/xhtml-im"
NS_XHTML = "http://www.w3.org/1999/xhtml"
NS_ATOM = "http://www.w3.org/2005/Atom"
NS_THR = "http://purl.org/syndication/thread/1.0"
NS_ACTIVITY = "http://activitystrea.ms/spec/1.0/"
NS_GEOLOC = "http://jabber.org/protocol/geoloc"
NS_OOB = "jabber:x:oob"
NS_HINTS = "urn:xmpp:hints"
NS_CSI = "urn:xmpp:csi:0"
NS_VERSION = "jabber:iq:version"
NS_LAST = "jabber:iq:last"
NS_TIME = "urn:xmpp:time"
NS_BLOCKING = "urn:xmpp:blocking"
NS_BOOKMARKS2 = "urn:xmpp:bookmarks:1"
NS_OMEMO = "eu.siacs.conversations.axolotl"
NS_DIALBACK = "jabber:server:dialback"
NS_RSM = "http://jabber.org/protocol/rsm"
NS_RSM_SET = NS_RSM
NS_EXAMPLE = "urn:example:x"


# --------------------------------------------------------------------------
# Tree and serialiser
# --------------------------------------------------------------------------

class E:
    """An element: name (qualified, as written), attrs (list of pairs), kids."""
    __slots__ = ("name", "attrs", "kids")

    def __init__(self, name, attrs=None, *kids):
        self.name = name
        if attrs is None:
            attrs = []
        elif isinstance(attrs, dict):
            attrs = list(attrs.items())
        self.attrs = [kv for kv in attrs if kv is not None and kv[1] is not None]
        self.kids = [k for k in kids if k is not None]

    def add(self, *kids):
        self.kids.extend(k for k in kids if k is not None)
        return self


class Lit(str):
    """Attribute value whose TAB/LF/CR are written literally (and so are
    normalised to spaces by the parser); a plain str uses &#9; &#10; &#13;."""


class NL(str):
    """Text whose '\\n' are written as CRLF ('crlf') or lone CR ('cr')."""

    def __new__(cls, s, mode):
        o = str.__new__(cls, s)
        o.mode = mode
        return o


class CD(str):
    """Text written as a CDATA section (']]>' split across two sections)."""


class Raw(str):
    """Already-serialised character data or markup, written verbatim."""


class Style:
    """A serialiser personality (one per simulated client or server)."""

    def __init__(self, rng, quote="'", gt=False, aposquot=0.0, cref=0.0, cref_hex=True,
                 empty=" />", pretty=0.0, indent="  ", attr_nl=False, odd=0.0, other_quote=0.02):
        self.rng = rng
        self.quote = quote            # preferred attribute quote
        self.gt = gt                  # escape '>' in text as &gt;
        self.aposquot = aposquot      # probability of &apos;/&quot; in text
        self.cref = cref              # probability that a text node writes non-ASCII as char refs
        self.cref_hex = cref_hex
        self.empty = empty            # "/>" or " />"
        self.pretty = pretty          # probability a stanza is pretty-printed
        self.indent = indent
        self.attr_nl = attr_nl        # pretty mode puts each attribute on its own line
        self.odd = odd                # probability of legal-but-odd spacing in a tag
        self.other_quote = other_quote

    # -- attribute values
    def attr_value(self, v):
        rng = self.rng
        q = self.quote
        if rng.random() < self.other_quote:
            q = '"' if q == "'" else "'"
        literal = isinstance(v, Lit)
        out = []
        for ch in v:
            if ch == "&":
                out.append("&amp;")
            elif ch == "<":
                out.append("&lt;")
            elif ch == q:
                out.append("&apos;" if q == "'" else "&quot;")
            elif ch == ">" and rng.random() < 0.3:
                out.append("&gt;")
            elif ch in "\t\n\r" and not literal:
                out.append("&#%d;" % ord(ch))
            elif ch == "\n" and literal and rng.random() < 0.3:
                out.append("\r\n")  # CRLF inside a value: one space after normalisation
            else:
                out.append(ch)
        return q + "".join(out) + q

    # -- text
    def text(self, s):
        rng = self.rng
        if isinstance(s, Raw):
            return str(s)
        if isinstance(s, CD):
            return "<![CDATA[" + str(s).replace("]]>", "]]]]><![CDATA[>") + "]]>"
        nl = "\n"
        if isinstance(s, NL):
            nl = "\r\n" if s.mode == "crlf" else "\r"
        cref = rng.random() < self.cref
        aq = rng.random() < self.aposquot
        out = []
        n = len(s)
        for i, ch in enumerate(s):
            o = ord(ch)
            if ch == "&":
                out.append("&amp;")
            elif ch == "<":
                out.append("&lt;")
            elif ch == ">":
                if self.gt or (i >= 2 and s[i - 2:i] == "]]"):
                    out.append("&gt;")
                else:
                    out.append(">")
            elif ch == "'" and aq:
                out.append("&apos;")
            elif ch == '"' and aq:
                out.append("&quot;")
            elif ch == "\n":
                out.append(nl)
            elif ch == "\r":
                out.append("&#13;")
            elif o > 127 and cref:
                if self.cref_hex:
                    out.append("&#x%X;" % o if rng.random() < 0.7 else "&#x%x;" % o)
                else:
                    out.append("&#%d;" % o)
            else:
                out.append(ch)
        return "".join(out)

    # -- elements
    def start(self, el, level, pretty):
        rng = self.rng
        parts = ["<", el.name]
        multi = pretty and self.attr_nl and len(el.attrs) > 2
        pad = "\n" + self.indent * level + " " * (len(el.name) + 2)
        for i, (k, v) in enumerate(el.attrs):
            if multi and i > 0:
                parts.append(pad)
            elif self.odd and rng.random() < self.odd:
                parts.append(rng.choice(["  ", "\t", "\n    ", " \r\n  "]))
            else:
                parts.append(" ")
            eq = "="
            if self.odd and rng.random() < self.odd:
                eq = rng.choice([" = ", " =", "= ", "\t=\t"])
            parts.append(k + eq + self.attr_value(v))
        return "".join(parts)

    def render(self, el, pretty=None, level=0):
        if pretty is None:
            pretty = self.rng.random() < self.pretty
        out = []
        self._render(el, pretty, level, out)
        return "".join(out)

    def _render(self, el, pretty, level, out):
        rng = self.rng
        out.append(self.start(el, level, pretty))
        if not el.kids:
            if self.odd and rng.random() < self.odd * 3:
                out.append("></" + el.name + ">")
            else:
                out.append(self.empty)
            return
        if self.odd and rng.random() < self.odd:
            out.append(rng.choice([" >", "\n>", "\t>"]))
        else:
            out.append(">")
        has_elems = any(isinstance(k, E) for k in el.kids)
        has_text = any(not isinstance(k, E) for k in el.kids)
        block = pretty and has_elems and not has_text
        for k in el.kids:
            if block:
                out.append("\n" + self.indent * (level + 1))
            if isinstance(k, E):
                self._render(k, pretty, level + 1, out)
            else:
                out.append(self.text(k))
        if block:
            out.append("\n" + self.indent * level)
        if self.odd and rng.random() < self.odd:
            out.append("</" + el.name + rng.choice([" >", "\n>", "  >"]))
        else:
            out.append("</" + el.name + ">")


# --------------------------------------------------------------------------
# Content pools
# --------------------------------------------------------------------------

FIRST = ["romeo", "juliet", "benvolio", "mercutio", "tybalt", "nurse", "paris", "rosaline",
         "hamlet", "ophelia", "horatio", "laertes", "polonius", "gertrude", "macbeth", "banquo",
         "alice", "bob", "carol", "dave", "eve", "mallory", "trent", "peggy", "victor", "walter",
         "stpeter", "kev", "zash", "mwild", "holger", "daniel", "lance", "edhelas", "pep.",
         "renée", "zoë", "françois", "josé", "müller", "åsa", "björn", "łukasz", "øystein",
         "jürgen", "ñoño", "李雷", "韩梅梅", "さくら", "민준", "иван", "αλέξης", "عمر", "דוד",
         "anna.k", "j_doe", "x-ray", "o'brien", "dev+test"]
DOMAINS = ["montague.lit", "capulet.lit", "shakespeare.lit", "denmark.lit", "example.org",
           "example.com", "jabber.example.net", "xmpp.example.de", "chat.example.fr",
           "im.example.jp", "messaging.example.cn", "conversations.example", "jabber.ccc.example"]
RESOURCES = ["balcony", "orchard", "garden", "chamber", "Conversations.x7Gq", "gajim.4FJ2K1IR",
             "Psi+", "Dino.8f3c1a2b", "Monal-iOS.3a9e", "Smack-android.5f1", "profanity.Xw2",
             "poezio", "laptop", "phone", "desktop", "Siskin-iOS.1b9", "movim", "Cheogram.7Hq2",
             "work station", "büro", "移动端"]
MUC_ROOMS = ["coven", "xsf", "jdev", "prosody", "ejabberd", "cafe", "darkcave", "kitchen",
             "les-misérables", "東京", "general", "ops-alerts", "book.club"]
MUC_DOMAINS = ["chat.shakespeare.lit", "conference.example.org", "muc.xmpp.example.de",
               "rooms.example.com"]
NICKS = ["firstwitch", "secondwitch", "thirdwitch", "Hecate", "thane", "oldhag", "wiccarocks",
         "Romeo", "Juliet 🌹", "Zoë", "O'Neil", "Dr. \"Who\"", "<admin>", "Tom & Jerry", "李雷",
         "محمد", "שרה", "Björk", "ñandú", "x", "nick with  two spaces", "🦊fox", "Ω-mega",
         "Ivan Иванов", "user_42", "bot@work", "Ana-María"]
GROUPS = ["Friends", "Family", "Work", "Coworkers", "Uni", "Bots", "Familie", "Amis", "家族",
          "同事", "Футбол", "Ελλάδα", "Tom & Jerry's club", "<none>", "VIP \"gold\"", "Ünïcødé",
          "Work/Project X", "Sports ⚽", "عائلة", "חברים"]

MESSAGES = [
    "hey, are you there?", "lol", "ok", "see you at 5", "👍", "🎉🎉🎉", "brb",
    "Did you get the file I sent yesterday?", "thanks!", "no worries :)",
    "What man art thou that, thus bescreen'd in night, so stumblest on my counsel?",
    "Thrice the brinded cat hath mew'd.", "Harpier cries 'Tis time, 'tis time.",
    "But soft! What light through yonder window breaks?",
    "Ça va ? On se voit à l'école demain, n'oublie pas le gâteau 🎂",
    "Schöne Grüße aus München – bis später!", "¿Qué tal? ¡Mañana nos vemos en la estación!",
    "Vi ses på fredag. Hälsningar från Göteborg.", "Dziękuję bardzo, to było świetne!",
    "你好，今天晚上一起吃饭吗？", "了解です。また後で連絡します。", "안녕하세요, 반갑습니다!",
    "مرحبا، كيف حالك؟", "שלום, מה שלומך?", "Привет! Как дела? Давно не виделись.",
    "Καλημέρα! Τι κάνεις;", "नमस्ते, आप कैसे हैं?", "สวัสดีครับ ยินดีที่ได้รู้จัก",
    "the word שלום means peace (and سلام too)", "café vs cafe\u0301 (combining accent)",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝄞 and 𠀋 are outside the BMP", "👨\u200d👩\u200d👧\u200d👦 family pic incoming",
    "🇫🇷 vs 🇩🇪 tonight?", "👋🏽 hi", "a < b && c > d", "Tom & Jerry", 'He said "hi" to me',
    "it's <b>not</b> HTML", "if (x < 10 && y > 3) { return x >> 1; }",
    "https://example.com/search?q=xmpp&lang=en&page=2", "5 > 3 and 2 < 4",
    "]]> is not allowed raw in text, ]] alone is fine", "quote: 'single' and \"double\"",
    "mail me at alice@example.org <alice@example.org>", "100% done & dusted",
    "Meeting moved to 14:30 (room 2.04)", "\u00a0non-breaking\u00a0spaces\u00a0here",
    "tab\tseparated\tvalues", "price: 12,50 € / £10.99 / ¥1200 / ₹999",
    "zero\u200bwidth\u200bspace and soft\u00adhyphen", "RTL mark \u200fעברית\u200f in LTR text",
]
MULTILINE = [
    "First line\nsecond line\nthird line",
    "Shopping list:\n- milk\n- eggs\n- bread & butter\n- 🍎 apples",
    "To be, or not to be: that is the question:\nWhether 'tis nobler in the mind to suffer\n"
    "The slings and arrows of outrageous fortune,\nOr to take arms against a sea of troubles,\n"
    "And by opposing end them?",
    "```\nfn main() {\n    println!(\"<hello & goodbye>\");\n}\n```",
    "Line one\n\nLine three after an empty line",
    "Adresse :\n12, rue de l'Église\n75004 Paris\nFrance",
    "收件人：\n北京市海淀区\n中关村大街 1 号",
]
CDATA_TEXTS = [
    "if (a < b && c > d) { swap(a, b); }",
    "<p>raw <b>HTML</b> pasted here</p>",
    "x]]y ]] > ]> and & < are all literal here",
    "SELECT * FROM users WHERE name = 'O''Brien' AND age > 21;",
    "<?xml version='1.0'?><not-parsed/>",
    "emoji in cdata 😀 and CJK 漢字",
]
STATUSES = ["Available", "In a meeting", "Working from home 🏠", "Away from keyboard",
            "En vacances ☀️", "Im Urlaub", "仕事中", "忙碌中", "Не беспокоить", "زيارة",
            "Listening to music & coding", "Do not disturb <really>", "'quoted' status",
            "back at 3pm", ""]
SHOWS = ["away", "chat", "dnd", "xa", None, None]
LANGS = ["en", "en-US", "fr", "de", "es", "sv", "pl", "zh-CN", "ja", "ko", "ar", "he", "ru",
         "el", "hi", "th"]
CLIENTS = [("https://conversations.im", "Conversations", "2.16.8"),
           ("https://gajim.org", "Gajim", "1.9.5"),
           ("https://dino.im", "Dino", "0.4.4"),
           ("http://monal-im.org/", "Monal", "6.4.2"),
           ("https://www.igniterealtime.org/projects/smack", "Smack", "4.4.8"),
           ("https://psi-plus.com", "Psi+", "1.5.1650"),
           ("https://profanity-im.github.io", "Profanity", "0.14.0"),
           ("http://code.google.com/p/exodus", "Exodus", "0.9.1.0"),
           ("https://poez.io", "Poezio", "0.14")]
TUNES = [("Yes", "Heart of the Sunrise", "Fragile", "686", "3"),
         ("Nina Simone", "Feeling Good", "I Put a Spell on You", "174", "6"),
         ("Daft Punk", "Harder, Better, Faster, Stronger", "Discovery", "224", "4"),
         ("Björk", "Jóga", "Homogenic", "305", "2"),
         ("坂本龍一", "Merry Christmas Mr. Lawrence", "Coda", "290", "1"),
         ("Édith Piaf", "Non, je ne regrette rien", "Single", "141", "1"),
         ("Rammstein", "Du hast", "Sehnsucht", "234", "5"),
         ("Simon & Garfunkel", "The Sound of Silence", "Sounds of Silence", "185", "1")]
FEATURES = [NS_DISCO_INFO, NS_DISCO_ITEMS, NS_MUC, NS_CAPS, NS_PING, NS_RECEIPTS, NS_CHATSTATES,
            NS_CARBONS, NS_MAM, NS_VERSION, NS_TIME, NS_LAST, NS_BLOCKING, NS_SM, NS_CSI,
            "urn:xmpp:avatar:metadata+notify", "http://jabber.org/protocol/tune+notify",
            "http://jabber.org/protocol/nick+notify", "urn:xmpp:bookmarks:1+notify",
            "urn:xmpp:jingle:1", "urn:xmpp:jingle:apps:file-transfer:5",
            "urn:xmpp:jingle:transports:s5b:1", "urn:xmpp:jingle:transports:ibb:1", NS_IBB,
            "jabber:iq:register", "jabber:iq:search", "http://jabber.org/protocol/commands",
            "urn:xmpp:http:upload:0", "eu.siacs.conversations.axolotl.devicelist+notify",
            "urn:xmpp:message-correct:0", "urn:xmpp:reactions:0", "urn:xmpp:sid:0"]


def b64(data):
    return base64.b64encode(data).decode("ascii")


def b64_wrapped(data, eol="\n"):
    s = base64.encodebytes(data).decode("ascii")  # 76-character lines, '\n' after each
    if eol != "\n":
        s = s.replace("\n", eol)
    return s


class Ctx:
    """Per-file random state: ids, clock, JIDs, styles."""

    def __init__(self, name, seed):
        self.rng = random.Random("%d/%s" % (seed, name))
        self.used_ids = set()
        self.clock = datetime.datetime(2024, 5, 17, 8, 0, 0)
        self.counter = 0

    # -- randomness helpers
    def ch(self, seq):
        return self.rng.choice(seq)

    def p(self, prob):
        return self.rng.random() < prob

    def rint(self, a, b):
        return self.rng.randrange(a, b + 1)

    def rand_bytes(self, n):
        return self.rng.getrandbits(8 * n).to_bytes(n, "little") if n else b""

    def alnum(self, n, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"):
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def hexs(self, n):
        return "%0*x" % (n, self.rng.getrandbits(4 * n))

    # -- ids (unique within a file)
    def new_id(self, style=None):
        while True:
            s = style or self.ch(["uuid", "b64", "smack", "short", "purple", "UUID"])
            if s == "uuid" or s == "UUID":
                h = self.hexs(32)
                v = "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], "89ab"[int(h[16], 16) % 4],
                                           h[17:20], h[20:32])
                v = v.upper() if s == "UUID" else v
            elif s == "b64":
                v = self.alnum(12, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
            elif s == "smack":
                self.counter += 1
                v = "%s-%d" % (self.alnum(5), self.counter)
            elif s == "purple":
                v = "purple" + self.hexs(8)
            else:
                v = self.alnum(6, "abcdefghijklmnopqrstuvwxyz0123456789")
            if v not in self.used_ids:
                self.used_ids.add(v)
                return v

    # -- time
    def tick(self, lo=1, hi=90):
        self.clock += datetime.timedelta(seconds=self.rint(lo, hi),
                                         milliseconds=self.rint(0, 999))
        return self.clock

    def stamp(self, t=None, frac=None):
        t = t or self.clock
        if frac is None:
            frac = self.p(0.3)
        if frac:
            return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (t.microsecond // 1000)
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")

    def past(self, days=30):
        return self.clock - datetime.timedelta(seconds=self.rint(60, days * 86400))

    # -- JIDs
    def bare(self):
        return "%s@%s" % (self.ch(FIRST), self.ch(DOMAINS))

    def full(self, bare=None):
        return "%s/%s" % (bare or self.bare(), self.ch(RESOURCES))

    def room(self):
        return "%s@%s" % (self.ch(MUC_ROOMS), self.ch(MUC_DOMAINS))

    # -- text
    def body_text(self, crlf_prob=0.0, cdata_prob=0.0):
        r = self.rng.random()
        if r < cdata_prob:
            return self.cdata_mix()
        if r < 0.12 + cdata_prob:
            t = self.ch(MULTILINE)
            if self.p(crlf_prob):
                return NL(t, self.ch(["crlf", "crlf", "cr"]))
            return t
        if r < 0.16 + cdata_prob:
            return self.ch(MESSAGES) + " " + self.ch(MESSAGES)
        return self.ch(MESSAGES)

    def cdata_mix(self):
        c = self.ch(CDATA_TEXTS)
        form = self.rint(0, 3)
        if form == 0:
            return CD(c)
        if form == 1:
            return Raw("look: " + Style(self.rng).text(self.ch(MESSAGES)) + " <![CDATA[" + c + "]]> ok?")
        if form == 2:
            # ']]>' inside CDATA content, written as two adjacent sections
            return CD("a]]>b " + c)
        return Raw("<![CDATA[]]>" + "empty CDATA before text &amp; after<![CDATA[" + c + "]]>")


# --------------------------------------------------------------------------
# Stanza builders (return E trees)
# --------------------------------------------------------------------------

def caps_el(c, client=None):
    node, name, ver = client or c.ch(CLIENTS)
    h = hashlib.sha1(("%s%s%s" % (node, name, ver)).encode()).digest()
    return E("c", [("xmlns", NS_CAPS), ("hash", "sha-1"), ("node", node), ("ver", b64(h))])


def delay_el(c, frm=None, reason=None):
    return E("delay", [("xmlns", NS_DELAY), ("from", frm), ("stamp", c.stamp(c.past(3)))],
             reason)


def chat_message(c, frm, to, crlf=0.0, cdata=0.0, lang=None, with_id=True, markers=True,
                 thread=None):
    el = E("message", [("from", frm), ("to", to), ("type", "chat"),
                       ("id", c.new_id() if with_id else None),
                       ("xml:lang", lang)])
    if c.p(0.06):
        # several bodies in different languages (RFC 6121 5.2.3)
        el.add(E("body", None, c.ch(MESSAGES)))
        for lg in ("de", "fr")[: c.rint(1, 2)]:
            el.add(E("body", [("xml:lang", lg)], c.ch(MESSAGES)))
    else:
        el.add(E("body", None, c.body_text(crlf, cdata)))
    if thread or c.p(0.15):
        el.add(E("thread", None, thread or c.hexs(32)))
    r = c.rng.random()
    if r < 0.7:
        el.add(E("active", [("xmlns", NS_CHATSTATES)]))
    if markers and c.p(0.6):
        el.add(E("request", [("xmlns", NS_RECEIPTS)]))
    if markers and c.p(0.4):
        el.add(E("markable", [("xmlns", NS_MARKERS)]))
    if c.p(0.35):
        el.add(E("origin-id", [("xmlns", NS_SID), ("id", c.new_id("uuid"))]))
    if c.p(0.05):
        el.add(E("replace", [("id", c.new_id("uuid")), ("xmlns", "urn:xmpp:message-correct:0")]))
    if c.p(0.04):
        url = "https://upload.%s/%s/IMG_%04d.jpg" % (c.ch(DOMAINS), c.alnum(24), c.rint(1, 9999))
        el.kids[0] = E("body", None, url)
        el.add(E("x", [("xmlns", NS_OOB)], E("url", None, url)))
    if c.p(0.03):
        el.add(E("store", [("xmlns", NS_HINTS)]))
    if c.p(0.03):
        el.add(xhtml_im(c))
    if c.p(0.02):
        el.add(custom_prefixed(c))
    return el


def xhtml_im(c):
    """XEP-0071: default namespace redeclared twice, mixed content."""
    return E("html", [("xmlns", NS_XHTML_IM)],
             E("body", [("xmlns", NS_XHTML)],
               E("p", [("style", "font-weight:bold")], "Hey, are you licensed to ",
                 E("a", [("href", "http://www.jabber.org/?a=1&b=2")], "Jabber"), "?"),
               E("p", None, E("img", [("src", "http://www.xmpp.org/images/psa-license.jpg"),
                                      ("alt", "A License to Jabber"), ("height", "261"),
                                      ("width", "537")])),
               E("p", None, "Ünïcødé ", E("em", None, "emphasis"), " & ",
                 E("strong", None, "strong <text>"), " 😀")))


def custom_prefixed(c):
    """A custom prefix, a prefixed attribute, a prefix rebound in a nested scope
    and a default namespace undeclared with xmlns=''."""
    r = c.rint(0, 3)
    if r == 0:
        return E("x:foo", [("xmlns:x", NS_EXAMPLE), ("x:level", "1"), ("plain", "yes")],
                 E("x:bar", [("x:id", c.hexs(8))], "prefixed text"),
                 E("x:baz", [("xmlns:x", "urn:example:other")], E("x:qux")))
    if r == 1:
        return E("ext:data", [("xmlns:ext", "urn:example:ext"), ("xmlns:geo", NS_GEOLOC)],
                 E("geo:geoloc", None, E("geo:lat", None, "45.44"), E("geo:lon", None, "12.33")),
                 E("unqualified", [("xmlns", "")], "no namespace here"))
    if r == 2:
        return E("meta", [("xmlns", "urn:example:meta"), ("xmlns:m", "urn:example:meta")],
                 E("m:tag", [("m:k", "v"), ("k", "w")], "same namespace, prefixed and not"))
    return E("stream:note", [("xmlns:stream", "urn:example:not-the-stream-namespace")],
             "the 'stream' prefix rebound locally")


def chatstate_message(c, frm, to, state=None):
    return E("message", [("from", frm), ("to", to), ("type", "chat"), ("id", c.new_id())],
             E(state or c.ch(["composing", "paused", "active", "inactive", "gone"]),
               [("xmlns", NS_CHATSTATES)]),
             E("no-store", [("xmlns", NS_HINTS)]) if c.p(0.3) else None)


def receipt_message(c, frm, to):
    el = E("message", [("from", frm), ("to", to), ("id", c.new_id())])
    if c.p(0.5):
        el.add(E("received", [("xmlns", NS_RECEIPTS), ("id", c.new_id("uuid"))]))
    else:
        el.attrs.insert(2, ("type", "chat"))
        el.add(E("displayed", [("xmlns", NS_MARKERS), ("id", c.new_id("b64"))]))
    return el


def presence_caps(c, frm, to=None, client=None, status=True):
    el = E("presence", [("from", frm), ("to", to), ("id", c.new_id() if c.p(0.5) else None)])
    show = c.ch(SHOWS)
    if show:
        el.add(E("show", None, show))
    if status and c.p(0.5):
        st = c.ch(STATUSES)
        if c.p(0.2):
            el.add(E("status", [("xml:lang", c.ch(LANGS))], st))
        else:
            el.add(E("status", None, st))
    if c.p(0.6):
        el.add(E("priority", None, str(c.ch([0, 1, 5, 10, 24, 50, 127, -1]))))
    el.add(caps_el(c, client))
    if c.p(0.4):
        el.add(E("x", [("xmlns", NS_VCARD_UPDATE)],
                 E("photo", None, hashlib.sha1(c.rand_bytes(8)).hexdigest() if c.p(0.8) else None)))
    if frm and c.p(0.1):
        el.add(delay_el(c, frm.split("/")[0]))
    return el


def muc_presence(c, room, nick, to, affiliation=None, role=None, jid=None, self_pres=False,
                 unavailable=False):
    el = E("presence", [("from", "%s/%s" % (room, nick)), ("id", c.new_id() if c.p(0.7) else None),
                        ("to", to), ("type", "unavailable" if unavailable else None)])
    if not unavailable and c.p(0.3):
        el.add(E("show", None, c.ch(["away", "xa", "dnd", "chat"])))
    if not unavailable:
        el.add(caps_el(c))
    x = E("x", [("xmlns", NS_MUC_USER)])
    aff = affiliation or c.ch(["owner", "admin", "member", "member", "none", "none"])
    rl = role or ("moderator" if aff in ("owner", "admin") else c.ch(["participant", "participant", "visitor"]))
    if unavailable:
        rl = "none"
    x.add(E("item", [("affiliation", aff), ("role", rl), ("jid", jid), ("nick", None)]))
    if self_pres:
        x.add(E("status", [("code", "110")]))
        if c.p(0.5):
            x.add(E("status", [("code", "100")]))
    if unavailable and c.p(0.2):
        x.kids[0].add(E("reason", None, c.ch(["Avaunt, you cullion!", "spam", "Ciao 👋"])))
        x.add(E("status", [("code", "307")]))
    el.add(x)
    if c.p(0.15):
        el.add(E("occupant-id", [("xmlns", "urn:xmpp:occupant-id:0"), ("id", b64(c.rand_bytes(24)))]))
    return el


def muc_groupchat(c, room, nick, to, delayed=False):
    el = E("message", [("from", "%s/%s" % (room, nick)), ("id", c.new_id()), ("to", to),
                       ("type", "groupchat")],
           E("body", None, c.body_text(0.0, 0.03)))
    if delayed:
        el.add(E("delay", [("xmlns", NS_DELAY), ("from", room), ("stamp", c.stamp(c.past(2)))]))
    if c.p(0.5):
        el.add(E("stanza-id", [("xmlns", NS_SID), ("id", c.new_id("uuid")), ("by", room)]))
    if c.p(0.2):
        el.add(E("occupant-id", [("xmlns", "urn:xmpp:occupant-id:0"), ("id", b64(c.rand_bytes(24)))]))
    return el


def muc_subject(c, room, to):
    return E("message", [("from", "%s/%s" % (room, c.ch(NICKS))), ("id", c.new_id()), ("to", to),
                         ("type", "groupchat")],
             E("subject", None, c.ch(["Fire Burn and Cauldron Bubble!",
                                      "Welcome! Be nice & stay on topic <3",
                                      "Réunion hebdomadaire — ordre du jour : « budget »",
                                      "今週の議題", "XMPP & friends"])))


def pep_event(c, frm, to, kind=None):
    kind = kind or c.ch(["tune", "nick", "avatar", "geoloc"])
    if kind == "tune":
        artist, title, source, length, track = c.ch(TUNES)
        payload = E("tune", [("xmlns", NS_TUNE)], E("artist", None, artist), E("length", None, length),
                    E("rating", None, str(c.rint(1, 10))), E("source", None, source),
                    E("title", None, title), E("track", None, track),
                    E("uri", None, "http://musicbrainz.org/recording/%s" % c.new_id("uuid")))
        node = NS_TUNE
    elif kind == "nick":
        payload = E("nick", [("xmlns", NS_NICK)], c.ch(NICKS))
        node = NS_NICK
    elif kind == "geoloc":
        payload = E("geoloc", [("xmlns", NS_GEOLOC), ("xml:lang", c.ch(LANGS))],
                    E("accuracy", None, "20"), E("country", None, c.ch(["Italia", "Deutschland", "日本", "France"])),
                    E("lat", None, "%.4f" % (c.rng.random() * 180 - 90)),
                    E("locality", None, c.ch(["Venezia", "München", "東京", "Saint-Étienne"])),
                    E("lon", None, "%.4f" % (c.rng.random() * 360 - 180)))
        node = NS_GEOLOC
    else:
        n = c.rint(4000, 30000)
        h = hashlib.sha1(c.rand_bytes(16)).hexdigest()
        payload = E("metadata", [("xmlns", NS_AVATAR_META)],
                    E("info", [("bytes", str(n)), ("height", "64"), ("id", h), ("type", "image/png"),
                               ("width", "64")]))
        if c.p(0.3):
            payload.add(E("info", [("bytes", str(n * 3)), ("height", "128"), ("id", hashlib.sha1(h.encode()).hexdigest()),
                                   ("type", "image/jpeg"), ("url", "https://avatars.example.org/%s.jpg?s=128&f=y" % h),
                                   ("width", "128")]))
        node = NS_AVATAR_META
        return E("message", [("from", frm), ("to", to), ("type", "headline"), ("id", c.new_id())],
                 E("event", [("xmlns", NS_PUBSUB_EVENT)],
                   E("items", [("node", node)], E("item", [("id", h)], payload))))
    return E("message", [("from", frm), ("to", to), ("type", "headline"), ("id", c.new_id())],
             E("event", [("xmlns", NS_PUBSUB_EVENT)],
               E("items", [("node", node)], E("item", [("id", "current" if c.p(0.5) else c.new_id("uuid"))], payload))),
             E("addresses", [("xmlns", "http://jabber.org/protocol/address")],
               E("address", [("type", "replyto"), ("jid", frm + "/" + c.ch(RESOURCES))])) if c.p(0.2) else None)


def roster_item(c, jid=None, push=False):
    sub = c.ch(["both", "both", "both", "to", "from", "none", "remove" if push else "both"])
    name = c.ch(NICKS) if c.p(0.8) else None
    if name is not None and c.p(0.08):
        # literal TAB/LF/CRLF inside the value: normalised to spaces by the parser
        name = Lit(name + c.ch(["\tat work", "\n(old)", "\t\tx", " \n "]))
    elif name is not None and c.p(0.05):
        name = name + c.ch(["\tpreserved tab", "\nkept newline", "\r\nkept CRLF"])  # as &#9; &#10; &#13;
    item = E("item", [("jid", jid or c.bare()), ("name", name), ("subscription", sub),
                      ("ask", "subscribe" if sub in ("none", "from") and c.p(0.4) else None),
                      ("approved", "true" if c.p(0.05) else None)])
    if sub != "remove":
        for _ in range(c.ch([0, 1, 1, 1, 2, 3])):
            item.add(E("group", None, c.ch(GROUPS)))
    return item


def roster_push(c, to):
    return E("iq", [("id", c.new_id()), ("to", to), ("type", "set")],
             E("query", [("xmlns", NS_ROSTER), ("ver", "ver%d" % c.rint(10, 9999))], roster_item(c, push=True)))


def disco_info_result(c, frm, to, rich=False):
    q = E("query", [("xmlns", NS_DISCO_INFO),
                    ("node", "%s#%s" % (c.ch(CLIENTS)[0], b64(c.rand_bytes(20)))) if c.p(0.5) else None])
    q.add(E("identity", [("category", "client"), ("name", c.ch(CLIENTS)[1]), ("type", c.ch(["pc", "phone", "bot"]))]))
    if c.p(0.2):
        q.add(E("identity", [("category", "client"), ("name", "Gajim (Deutsch)"), ("type", "pc"), ("xml:lang", "de")]))
    start = c.rint(0, 8)
    for f in FEATURES[start:start + c.rint(8, len(FEATURES))]:
        q.add(E("feature", [("var", f)]))
    if rich or c.p(0.3):
        q.add(E("x", [("xmlns", NS_XDATA), ("type", "result")],
                E("field", [("type", "hidden"), ("var", "FORM_TYPE")], E("value", None, "urn:xmpp:dataforms:softwareinfo")),
                E("field", [("var", "os")], E("value", None, c.ch(["Linux", "Android", "iOS", "Windows"]))),
                E("field", [("var", "os_version")], E("value", None, "%d.%d" % (c.rint(5, 17), c.rint(0, 9)))),
                E("field", [("var", "software")], E("value", None, c.ch(CLIENTS)[1])),
                E("field", [("var", "software_version")], E("value", None, c.ch(CLIENTS)[2]))))
    return E("iq", [("from", frm), ("id", c.new_id()), ("to", to), ("type", "result")], q)


def forwarded(c, inner_from, inner_to, delay=True):
    inner = E("message", [("xmlns", NS_CLIENT), ("from", inner_from), ("to", inner_to), ("type", "chat"),
                          ("id", c.new_id())],
              E("body", None, c.body_text(0.0, 0.03)))
    if c.p(0.3):
        inner.add(E("thread", None, c.hexs(32)))
    f = E("forwarded", [("xmlns", NS_FORWARD)])
    if delay:
        f.add(E("delay", [("xmlns", NS_DELAY), ("stamp", c.stamp(c.past(60)))]))
    f.add(inner)
    return f


def mam_result(c, me, queryid):
    other = c.full()
    a, b = (other, me) if c.p(0.5) else (me, other)
    return E("message", [("id", c.new_id()), ("to", me)],
             E("result", [("xmlns", NS_MAM), ("queryid", queryid), ("id", c.new_id("uuid"))],
               forwarded(c, a, b)))


def carbon(c, me):
    bare = me.split("/")[0]
    kind = c.ch(["received", "sent"])
    other = c.full()
    a, b = (other, bare + "/" + c.ch(RESOURCES)) if kind == "received" else (bare + "/" + c.ch(RESOURCES), other)
    return E("message", [("from", bare), ("id", c.new_id()), ("to", me), ("type", "chat")],
             E(kind, [("xmlns", NS_CARBONS)], forwarded(c, a, b, delay=False)))


def ping(c, frm, to):
    return E("iq", [("from", frm), ("id", c.new_id()), ("to", to), ("type", "get")], E("ping", [("xmlns", NS_PING)]))


def iq_result(c, frm, to, id_):
    return E("iq", [("from", frm), ("id", id_), ("to", to), ("type", "result")])


def sm_r():
    return E("r", [("xmlns", NS_SM)])


def sm_a(h):
    return E("a", [("xmlns", NS_SM), ("h", str(h))])


def fake_image(c, n, kind=None):
    kind = kind or c.ch(["png", "jpeg"])
    if kind == "png":
        head = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x60\x00\x00\x00\x60\x08\x06\x00\x00\x00"
    else:
        head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00"
    return head + c.rand_bytes(max(0, n - len(head))), "image/" + kind


def vcard_result(c, frm, to, b64len):
    raw_n = b64len * 3 // 4
    img, mime = fake_image(c, raw_n)
    mode = c.ch(["wrap", "wrap", "wrap", "plain", "crlf"])
    if mode == "wrap":
        binval = b64_wrapped(img)
    elif mode == "crlf":
        binval = NL(b64_wrapped(img), "crlf")
    else:
        binval = b64(img)
    given, family = c.ch([("Peter", "Saint-Andre"), ("Zoë", "Lefèvre"), ("雷", "李"), ("Ана", "Петрова"),
                          ("Óscar", "Núñez"), ("Jürgen", "Groß")])
    vc = E("vCard", [("xmlns", NS_VCARD)],
           E("FN", None, "%s %s" % (given, family)),
           E("N", None, E("FAMILY", None, family), E("GIVEN", None, given), E("MIDDLE")),
           E("NICKNAME", None, c.ch(NICKS)),
           E("URL", None, "http://www.example.org/~%s?lang=en&amp=1" % c.ch(FIRST)),
           E("BDAY", None, "19%02d-%02d-%02d" % (c.rint(50, 99), c.rint(1, 12), c.rint(1, 28))),
           E("ORG", None, E("ORGNAME", None, "XMPP Standards Foundation"), E("ORGUNIT")),
           E("TEL", None, E("WORK"), E("VOICE"), E("NUMBER", None, "+1-303-308-%04d" % c.rint(0, 9999))),
           E("ADR", None, E("HOME"), E("EXTADD"), E("STREET", None, "1899 Wynkoop Street"),
             E("LOCALITY", None, c.ch(["Denver", "Zürich", "Kraków", "Québec"])), E("PCODE", None, "80202"),
             E("CTRY", None, "USA")),
           E("EMAIL", None, E("INTERNET"), E("PREF"), E("USERID", None, c.bare())),
           E("DESC", None, NL("More information about me is located on my\npersonal website.", "crlf")
             if c.p(0.2) else "More information about me is located on my\npersonal website."),
           E("PHOTO", None, E("TYPE", None, mime), E("BINVAL", None, binval)))
    return E("iq", [("from", frm), ("id", c.new_id()), ("to", to), ("type", "result")], vc)


def avatar_data_result(c, frm, to, b64len, wrapped=None):
    raw_n = b64len * 3 // 4
    img, mime = fake_image(c, raw_n, "png")
    h = hashlib.sha1(img).hexdigest()
    if wrapped is None:
        wrapped = c.p(0.4)
    data = b64_wrapped(img) if wrapped else b64(img)
    return E("iq", [("from", frm), ("id", c.new_id()), ("to", to), ("type", "result")],
             E("pubsub", [("xmlns", NS_PUBSUB)],
               E("items", [("node", NS_AVATAR_DATA)],
                 E("item", [("id", h)], E("data", [("xmlns", NS_AVATAR_DATA)], data)))))


# --------------------------------------------------------------------------
# Stream assembly
# --------------------------------------------------------------------------

def payload_len(el):
    """Bytes of base64 text inside <data/> and <BINVAL/> elements of a tree."""
    n = 0
    for k in el.kids:
        if isinstance(k, E):
            n += payload_len(k)
        elif el.name.split(":")[-1] in ("data", "BINVAL"):
            n += len(k.encode("utf-8"))
    return n


class Out:
    """Collects the bytes of one stream, inserting keepalive whitespace."""

    def __init__(self, c, sep_weights):
        self.c = c
        self.parts = []
        self.size = 0
        self.stanzas = 0
        self.seps, self.weights = zip(*sep_weights)
        self.cum = []
        t = 0
        for w in self.weights:
            t += w
            self.cum.append(t)

    def raw(self, s):
        self.parts.append(s)
        self.size += len(s.encode("utf-8"))

    def sep(self):
        x = self.c.rng.random() * self.cum[-1]
        for s, cu in zip(self.seps, self.cum):
            if x < cu:
                if s:
                    self.raw(s)
                return

    def stanza(self, style, el, pretty=None):
        self.raw(style.render(el, pretty))
        self.stanzas += 1
        self.sep()

    def data(self):
        return "".join(self.parts).encode("utf-8")


def header(style, attrs, decl=None, prefix="stream"):
    s = ""
    if decl:
        s += decl
    el = E(prefix + ":stream", attrs)
    return s + style.start(el, 0, False) + ">"


def client_header(c, domain, lang="en", quote="'", order=0):
    if order == 0:
        a = [("to", domain), ("version", "1.0"), ("xml:lang", lang), ("xmlns", NS_CLIENT),
             ("xmlns:stream", STREAMS)]
    else:
        a = [("xmlns", NS_CLIENT), ("xmlns:stream", STREAMS), ("to", domain), ("version", "1.0"),
             ("xml:lang", lang)]
    return a


def server_header_attrs(c, domain, to=None, lang="en"):
    return [("xmlns", NS_CLIENT), ("xmlns:stream", STREAMS), ("id", c.new_id("uuid")), ("from", domain),
            ("to", to), ("version", "1.0"), ("xml:lang", lang)]


# ---------------------------------------------------------------- negotiation

def gen_negotiation(seed):
    """c2s-negotiation.xml and s2c-negotiation.xml: the two directions of one
    session, built from one script so ids, SM counters and results match."""
    c = Ctx("negotiation", seed)
    cs = Style(c.rng, quote="'", gt=False, empty="/>", pretty=0.0)      # the client (Gajim-like)
    ss = Style(c.rng, quote="'", gt=True, aposquot=0.0, empty="/>", pretty=0.0)  # the server (Prosody-like)
    ss_pretty = Style(c.rng, quote="'", gt=True, empty="/>", pretty=1.0, attr_nl=True)
    domain = "capulet.lit"
    me_bare = "juliet@capulet.lit"
    me = me_bare + "/balcony"
    cli = Out(c, [("", 8), ("\n", 1)])
    srv = Out(c, [("", 3), ("\n", 4), ("\n\n", 1)])
    sm = {"on_c": False, "on_s": False, "c_sent": 0, "s_sent": 0}

    def C(el, style=cs, pretty=None):
        cli.stanza(style, el, pretty)
        if sm["on_c"] and el.name in ("message", "presence", "iq"):
            sm["c_sent"] += 1

    def S(el, style=ss, pretty=None):
        srv.stanza(style, el, pretty)
        if sm["on_s"] and el.name in ("message", "presence", "iq"):
            sm["s_sent"] += 1

    # -- stream 1: plaintext, STARTTLS
    cli.raw("<?xml version='1.0'?>")
    cli.raw(header(cs, client_header(c, domain)))
    cli.raw("\n")
    srv.raw("<?xml version='1.0'?>")
    srv.raw(header(ss, server_header_attrs(c, domain)))
    S(E("stream:features", None,
        E("starttls", [("xmlns", NS_TLS)], E("required"))))
    C(E("starttls", [("xmlns", NS_TLS)]))
    S(E("proceed", [("xmlns", NS_TLS)]))
    # -- stream 2 (after TLS): client restarts WITHOUT an XML declaration
    cli.raw(header(cs, client_header(c, domain)))
    srv.raw("<?xml version='1.0'?>")
    srv.raw(header(ss, server_header_attrs(c, domain)))
    S(E("stream:features", None,
        E("mechanisms", [("xmlns", NS_SASL)], E("mechanism", None, "SCRAM-SHA-1-PLUS"),
          E("mechanism", None, "SCRAM-SHA-1"), E("mechanism", None, "PLAIN")),
        E("register", [("xmlns", "http://jabber.org/features/iq-register")])), style=ss_pretty)
    C(E("auth", [("xmlns", NS_SASL), ("mechanism", "PLAIN")], b64(b"\x00juliet\x00r0m30myr0m30")))
    S(E("success", [("xmlns", NS_SASL)]))
    # -- stream 3 (after SASL): restart WITH an XML declaration, no close before it
    cli.raw("<?xml version='1.0'?>")
    cli.raw(header(cs, client_header(c, domain, order=1)))
    srv.raw("<?xml version='1.0'?>")
    srv.raw(header(ss, server_header_attrs(c, domain, to=me_bare)))
    S(E("stream:features", None,
        E("bind", [("xmlns", NS_BIND)], E("required")),
        E("session", [("xmlns", NS_SESSION)], E("optional")),
        E("sm", [("xmlns", NS_SM)], E("optional")),
        E("csi", [("xmlns", NS_CSI)]),
        E("ver", [("xmlns", "urn:xmpp:features:rosterver")]),
        E("c", [("xmlns", NS_CAPS), ("hash", "sha-1"), ("node", "http://prosody.im"),
                ("ver", "xL8M0wqQK4w/ElsjMFo3sZ2D9zk=")])))
    C(E("iq", [("type", "set"), ("id", "bind_1")],
        E("bind", [("xmlns", NS_BIND)], E("resource", None, "balcony"))))
    S(E("iq", [("id", "bind_1"), ("type", "result")],
        E("bind", [("xmlns", NS_BIND)], E("jid", None, me))))
    C(E("iq", [("type", "set"), ("id", "sess_1")], E("session", [("xmlns", NS_SESSION)])))
    S(E("iq", [("id", "sess_1"), ("type", "result"), ("to", me)]))
    C(E("enable", [("xmlns", NS_SM), ("resume", "true"), ("max", "600")]))
    sm["on_c"] = True
    S(E("enabled", [("xmlns", NS_SM), ("id", "g2gCZAAEbm9uZWQA" + c.alnum(16)), ("resume", "true"), ("max", "300")]))
    sm["on_s"] = True
    # roster
    rid = c.new_id("uuid")
    C(E("iq", [("type", "get"), ("id", rid)], E("query", [("xmlns", NS_ROSTER), ("ver", "")])))
    contacts = []
    q = E("query", [("xmlns", NS_ROSTER), ("ver", "ver%d" % c.rint(100, 999))])
    while len(contacts) < 55:
        jid = "%s%s@%s" % (c.ch(FIRST), "" if len(contacts) < 30 else str(len(contacts)), c.ch(DOMAINS))
        if jid not in contacts:
            contacts.append(jid)
            q.add(roster_item(c, jid))
    S(E("iq", [("id", rid), ("to", me), ("type", "result")], q), style=ss_pretty)
    # initial presence, carbons, disco
    client = ("https://gajim.org", "Gajim", "1.9.5")
    C(E("presence", None, E("priority", None, "50"), caps_el(c, client)))
    cid = c.new_id("uuid")
    C(E("iq", [("type", "set"), ("id", cid)], E("enable", [("xmlns", NS_CARBONS)])))
    S(E("iq", [("id", cid), ("to", me), ("type", "result")]))
    did = c.new_id("uuid")
    C(E("iq", [("type", "get"), ("id", did), ("to", domain)], E("query", [("xmlns", NS_DISCO_INFO)])))
    S(E("iq", [("from", domain), ("id", did), ("to", me), ("type", "result")],
        E("query", [("xmlns", NS_DISCO_INFO)],
          E("identity", [("category", "server"), ("name", "Prosody"), ("type", "im")]),
          E("identity", [("category", "pubsub"), ("type", "pep")]),
          *[E("feature", [("var", f)]) for f in FEATURES[:20]],
          E("x", [("xmlns", NS_XDATA), ("type", "result")],
            E("field", [("var", "FORM_TYPE"), ("type", "hidden")], E("value", None, "http://jabber.org/network/serverinfo")),
            E("field", [("var", "abuse-addresses"), ("type", "list-multi")],
              E("value", None, "mailto:abuse@capulet.lit"), E("value", None, "xmpp:abuse@capulet.lit"))))),
        style=ss_pretty)
    # presences from contacts, offline messages
    for jid in contacts[:30]:
        S(presence_caps(c, jid + "/" + c.ch(RESOURCES), me))
    for i in range(6):
        m = chat_message(c, contacts[i] + "/" + c.ch(RESOURCES), me_bare, lang=c.ch(LANGS), cdata=0.15)
        m.add(E("delay", [("xmlns", NS_DELAY), ("from", domain), ("stamp", c.stamp(c.past(2)))], "Offline Storage"))
        S(m)
    # a conversation
    peer = contacts[1] + "/orchard"
    thread = c.hexs(32)
    for i in range(90):
        c.tick()
        r = c.rng.random()
        if r < 0.45:
            m = chat_message(c, None, peer.split("/")[0] if i % 3 else peer, thread=thread, crlf=0.1, cdata=0.05)
            m.attrs = [(k, v) for k, v in m.attrs if k != "from"]
            C(m)
            if c.p(0.5):
                S(receipt_message(c, peer, me))
        elif r < 0.8:
            S(chat_message(c, peer, me, thread=thread, crlf=0.1, cdata=0.05))
            if c.p(0.5):
                C(E("message", [("to", peer), ("id", c.new_id())],
                    E("received", [("xmlns", NS_RECEIPTS), ("id", c.new_id("uuid"))])))
        elif r < 0.88:
            m = chatstate_message(c, None, peer)
            C(m)
        elif r < 0.94:
            C(sm_r())
            S(sm_a(sm["c_sent"]))
        else:
            S(sm_r())
            C(sm_a(sm["s_sent"]))
        if c.p(0.1):
            cli.raw(" ")  # whitespace keepalive
    # ping from server, pong from client
    pid = c.new_id()
    S(E("iq", [("from", domain), ("id", pid), ("to", me), ("type", "get")], E("ping", [("xmlns", NS_PING)])))
    C(E("iq", [("to", domain), ("id", pid), ("type", "result")]))
    # a few edge-ish characters in one message each way
    C(E("message", [("to", peer), ("type", "chat"), ("id", c.new_id())],
        E("body", None, Raw("char refs: &#x41;&#66;&#x0043;&#0068; &#xE9;&#233; &#x1F600;&#128512; "
                            "&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF; DEL&#x7F; NEL&#x85; LS&#x2028; "
                            "quotes &quot;&apos; ampersand &amp;amp; tab&#9;cr&#13;lf&#10;end"))))
    S(E("message", [("from", peer), ("to", me), ("type", "chat"), ("id", c.new_id())],
        E("body", [("xml:lang", "ar")], "مرحبا بالعالم 123 abc — RTL with digits")))
    C(sm_r())
    S(sm_a(sm["c_sent"]))
    C(E("presence", [("type", "unavailable")], E("status", None, "Logged out")))
    C(sm_a(sm["s_sent"]))
    cli.raw("</stream:stream>")
    srv.raw("</stream:stream>")
    return {"c2s-negotiation.xml": cli, "s2c-negotiation.xml": srv}


# ---------------------------------------------------------------- c2s-chat

def gen_c2s_chat(seed, target=1_050_000):
    c = Ctx("c2s-chat", seed)
    st = Style(c.rng, quote="'", gt=False, empty="/>", pretty=0.0, other_quote=0.01, odd=0.002)
    alt = Style(c.rng, quote='"', gt=True, aposquot=0.5, cref=0.05, cref_hex=False, empty=" />", pretty=0.3)
    domain = "montague.lit"
    me = "romeo@montague.lit/Conversations.x7Gq"
    out = Out(c, [("", 30), (" ", 6), ("\n", 2), ("  ", 1), ("\n\n", 1), ("    ", 1), ("\t", 1)])
    out.raw("<?xml version='1.0'?>")
    out.raw(header(st, [("to", domain), ("xmlns", NS_CLIENT), ("xmlns:stream", STREAMS), ("version", "1.0"),
                        ("xml:lang", "en")]))
    bid = c.new_id()
    out.stanza(st, E("iq", [("id", bid), ("type", "set")], E("bind", [("xmlns", NS_BIND)],
                                                              E("resource", None, "Conversations.x7Gq"))))
    out.stanza(st, E("enable", [("xmlns", NS_SM), ("resume", "true")]))
    client = CLIENTS[0]
    out.stanza(st, presence_caps(c, None, None, client))
    peers = ["%s@%s" % (c.ch(FIRST), c.ch(DOMAINS)) for _ in range(25)]
    sent = 0
    crlf_budget = 6  # "only a few" CR/CRLF bodies in this file
    while out.size < target:
        c.tick(1, 40)
        peer = c.ch(peers)
        r = c.rng.random()
        style = alt if c.p(0.05) else st
        if r < 0.45:
            cr = 0.0
            if crlf_budget and c.p(0.01):
                cr = 1.0
                crlf_budget -= 1
            m = chat_message(c, None, peer if c.p(0.7) else peer + "/" + c.ch(RESOURCES),
                             crlf=cr, cdata=0.01, lang=c.ch(LANGS) if c.p(0.05) else None)
            m.attrs = [(k, v) for k, v in m.attrs if k != "from"]
            out.stanza(style, m)
        elif r < 0.62:
            m = chatstate_message(c, None, peer)
            m.attrs = [(k, v) for k, v in m.attrs if k != "from"]
            out.stanza(style, m)
        elif r < 0.77:
            m = receipt_message(c, None, peer + "/" + c.ch(RESOURCES))
            m.attrs = [(k, v) for k, v in m.attrs if k != "from"]
            out.stanza(style, m)
        elif r < 0.82:
            p = presence_caps(c, None, None, client)
            out.stanza(style, p)
        elif r < 0.88:
            out.stanza(style, ping(c, None, domain) if c.p(0.7) else
                       E("iq", [("id", c.new_id()), ("to", domain), ("type", "result")]))
        elif r < 0.92:
            out.stanza(st, sm_r() if c.p(0.3) else sm_a(sent))
            continue
        elif r < 0.94:
            out.stanza(st, E(c.ch(["active", "inactive"]), [("xmlns", NS_CSI)]))
            continue
        elif r < 0.96:
            # MUC join / groupchat message
            room = c.room()
            if c.p(0.5):
                out.stanza(style, E("presence", [("to", "%s/%s" % (room, "Romeo")), ("id", c.new_id())],
                                    E("x", [("xmlns", NS_MUC)], E("history", [("maxstanzas", "20")]),
                                      E("password", None, "cauldronburn") if c.p(0.2) else None), caps_el(c, client)))
            else:
                out.stanza(style, E("message", [("to", room), ("type", "groupchat"), ("id", c.new_id())],
                                    E("body", None, c.body_text(0.0, 0.02)), E("active", [("xmlns", NS_CHATSTATES)])))
        elif r < 0.98:
            # subscription management / roster
            if c.p(0.5):
                out.stanza(style, E("presence", [("to", c.bare()), ("type", c.ch(["subscribe", "subscribed", "unsubscribe"])),
                                                 ("id", c.new_id())],
                                    E("nick", [("xmlns", NS_NICK)], "Romeo") if c.p(0.5) else None))
            else:
                out.stanza(style, E("iq", [("type", "set"), ("id", c.new_id())],
                                    E("query", [("xmlns", NS_ROSTER)], roster_item(c))))
        else:
            # MAM query
            out.stanza(style, E("iq", [("type", "set"), ("id", c.new_id())],
                                E("query", [("xmlns", NS_MAM), ("queryid", c.new_id("short"))],
                                  E("x", [("xmlns", NS_XDATA), ("type", "submit")],
                                    E("field", [("var", "FORM_TYPE"), ("type", "hidden")], E("value", None, NS_MAM)),
                                    E("field", [("var", "with")], E("value", None, peer)),
                                    E("field", [("var", "start")], E("value", None, c.stamp(c.past(10), False)))),
                                  E("set", [("xmlns", NS_RSM)], E("max", None, "50"), E("before")))))
        sent += 1
    out.stanza(st, E("presence", [("type", "unavailable")]))
    out.raw("</stream:stream>")
    return {"c2s-chat.xml": out}


# ---------------------------------------------------------------- s2c-mixed

def gen_s2c_mixed(seed, target=2_100_000):
    c = Ctx("s2c-mixed", seed)
    st = Style(c.rng, quote="'", gt=True, empty="/>", pretty=0.0, other_quote=0.02, odd=0.001)
    pr = Style(c.rng, quote="'", gt=False, empty="/>", pretty=1.0, attr_nl=True)   # XEP-example-like
    dq = Style(c.rng, quote='"', gt=False, aposquot=0.3, cref=0.1, empty=" />", pretty=0.2, indent="\t")
    domain = "example.org"
    me_bare = "hecate@example.org"
    me = me_bare + "/broom"
    out = Out(c, [("", 12), ("\n", 6), (" ", 2), ("\n\n", 1), ("   ", 1), ("\r\n", 1)])
    out.raw("<?xml version='1.0' encoding='UTF-8'?>\n")
    out.raw(header(st, server_header_attrs(c, domain, me_bare)))
    out.stanza(st, E("stream:features", None, E("bind", [("xmlns", NS_BIND)]), E("sm", [("xmlns", NS_SM)])))
    out.stanza(st, E("iq", [("id", c.new_id()), ("type", "result")],
                     E("bind", [("xmlns", NS_BIND)], E("jid", None, me))))
    rooms = [c.room() for _ in range(6)]
    occupants = {r: [c.ch(NICKS) for _ in range(12)] for r in rooms}
    contacts = [c.bare() for _ in range(40)]
    h = 0
    n = 0
    next_big = c.rint(60, 140)
    queryid = c.new_id("short")
    while out.size < target:
        c.tick(1, 30)
        n += 1
        style = st if c.p(0.85) else (pr if c.p(0.4) else dq)
        if n >= next_big:
            next_big = n + c.rint(70, 130)
            blen = c.rint(30_000, 60_000)
            if c.p(0.5):
                out.stanza(st, vcard_result(c, c.ch(contacts), me, blen), pretty=c.p(0.5))
            else:
                out.stanza(st, avatar_data_result(c, c.ch(contacts), me, blen))
            continue
        r = c.rng.random()
        if r < 0.24:
            out.stanza(style, chat_message(c, c.ch(contacts) + "/" + c.ch(RESOURCES), me, crlf=0.05, cdata=0.03,
                                           lang=c.ch(LANGS) if c.p(0.1) else None))
        elif r < 0.28:
            out.stanza(style, chatstate_message(c, c.ch(contacts) + "/" + c.ch(RESOURCES), me))
        elif r < 0.42:
            out.stanza(style, presence_caps(c, c.ch(contacts) + "/" + c.ch(RESOURCES), me))
        elif r < 0.55:
            room = c.ch(rooms)
            out.stanza(style, muc_presence(c, room, c.ch(occupants[room]), me,
                                           jid=c.full() if c.p(0.4) else None, self_pres=c.p(0.05),
                                           unavailable=c.p(0.1)))
        elif r < 0.66:
            room = c.ch(rooms)
            out.stanza(style, muc_groupchat(c, room, c.ch(occupants[room]), me, delayed=c.p(0.5)))
        elif r < 0.67:
            out.stanza(style, muc_subject(c, c.ch(rooms), me))
        elif r < 0.75:
            out.stanza(style, pep_event(c, c.ch(contacts), me))
        elif r < 0.77:
            out.stanza(style, roster_push(c, me))
        elif r < 0.80:
            out.stanza(style, disco_info_result(c, c.ch(contacts) + "/" + c.ch(RESOURCES), me))
        elif r < 0.86:
            out.stanza(style, mam_result(c, me, queryid))
            if c.p(0.05):
                out.stanza(style, E("iq", [("id", c.new_id()), ("to", me), ("type", "result")],
                                    E("fin", [("xmlns", NS_MAM), ("complete", "true")],
                                      E("set", [("xmlns", NS_RSM)], E("first", [("index", "0")], c.new_id("uuid")),
                                        E("last", None, c.new_id("uuid")), E("count", None, str(c.rint(10, 900)))))))
                queryid = c.new_id("short")
        elif r < 0.92:
            out.stanza(style, carbon(c, me))
        elif r < 0.95:
            out.stanza(st, sm_r() if c.p(0.4) else sm_a(h))
            continue
        elif r < 0.97:
            out.stanza(style, ping(c, domain, me))
        elif r < 0.985:
            # error stanza
            out.stanza(style, E("message", [("from", c.bare()), ("id", c.new_id()), ("to", me), ("type", "error")],
                                E("error", [("type", "cancel"), ("by", domain)],
                                  E("service-unavailable", [("xmlns", NS_STANZAS)]),
                                  E("text", [("xmlns", NS_STANZAS), ("xml:lang", "en")],
                                    "The recipient is not available & the message wasn't stored"))))
        else:
            out.stanza(style, E("message", [("from", c.bare() + "/" + c.ch(RESOURCES)), ("to", me), ("type", "chat"),
                                            ("id", c.new_id())], E("body", None, c.ch(MESSAGES)), custom_prefixed(c)))
        h += 1
    # the server shuts down: stream error with a prefixed element, then close
    out.stanza(st, E("stream:error", None, E("system-shutdown", [("xmlns", NS_STREAMS_ERR)]),
                     E("text", [("xmlns", NS_STREAMS_ERR), ("xml:lang", "en")], "Server is going down for maintenance")))
    out.raw("</stream:stream>")
    return {"s2c-mixed.xml": out}


# ---------------------------------------------------------------- s2c-payload

def gen_s2c_payload(seed, target=2_100_000):
    c = Ctx("s2c-payload", seed)
    st = Style(c.rng, quote="'", gt=False, empty="/>", pretty=0.0)
    pr = Style(c.rng, quote='"', gt=False, empty=" />", pretty=1.0)
    domain = "example.com"
    me = "juliet@example.com/chamber"
    peer = "romeo@montague.lit/orchard"
    out = Out(c, [("", 10), ("\n", 3), (" ", 1)])
    out.raw(header(st, server_header_attrs(c, domain, "juliet@example.com")))
    out.stanza(st, E("stream:features", None, E("bind", [("xmlns", NS_BIND)], E("required"))))
    rooms = [c.room() for _ in range(3)]
    payload = [0]

    def chatter():
        # small everyday stanzas between payloads, so that about 85% of bytes are payload
        while out.size - payload[0] < 0.15 * out.size:
            r = c.rng.random()
            if r < 0.35:
                out.stanza(st, chat_message(c, peer, me))
            elif r < 0.55:
                out.stanza(st, presence_caps(c, c.full(), me))
            elif r < 0.75:
                room = c.ch(rooms)
                out.stanza(st, muc_groupchat(c, room, c.ch(NICKS), me))
            elif r < 0.85:
                out.stanza(st, receipt_message(c, peer, me))
            elif r < 0.95:
                out.stanza(st, chatstate_message(c, peer, me))
            else:
                out.stanza(st, sm_r() if c.p(0.5) else sm_a(c.rint(100, 900)))

    def pst(style, el, pretty=None):
        out.stanza(style, el, pretty)
        payload[0] += payload_len(el)

    while out.size < target:
        c.tick(1, 5)
        chatter()
        r = c.rng.random()
        if r < 0.45:
            # an IBB session: open, N data chunks of 4096 bytes, close
            sid = c.new_id("b64")
            size = c.rint(3, 40) * 4096 + c.rint(0, 4095)
            blob = c.rand_bytes(size)
            use_msg = c.p(0.2)
            pst(st, E("iq", [("from", peer), ("id", c.new_id()), ("to", me), ("type", "set")],
                             E("open", [("xmlns", NS_IBB), ("block-size", "4096"), ("sid", sid),
                                        ("stanza", "message" if use_msg else "iq")])))
            seq = 0
            for off in range(0, size, 4096):
                chunk = b64(blob[off:off + 4096])
                data = E("data", [("xmlns", NS_IBB), ("seq", str(seq)), ("sid", sid)], chunk)
                if use_msg:
                    pst(st, E("message", [("from", peer), ("id", c.new_id()), ("to", me)], data))
                else:
                    pst(st, E("iq", [("from", peer), ("id", c.new_id()), ("to", me), ("type", "set")], data))
                seq = (seq + 1) % 65536
            pst(st, E("iq", [("from", peer), ("id", c.new_id()), ("to", me), ("type", "set")],
                             E("close", [("xmlns", NS_IBB), ("sid", sid)])))
        elif r < 0.70:
            pst(st, avatar_data_result(c, c.bare(), me, c.rint(8_000, 60_000)))
        elif r < 0.85:
            pst(st, vcard_result(c, c.bare(), me, c.rint(10_000, 50_000)), pretty=c.p(0.5))
        elif r < 0.95:
            # XEP-0231 bits of binary in a message
            img, mime = fake_image(c, c.rint(2_000, 8_000))
            cid = "sha1+%s@bob.xmpp.org" % hashlib.sha1(img).hexdigest()
            pst(st, E("message", [("from", peer), ("id", c.new_id()), ("to", me), ("type", "chat")],
                             E("body", None, "Look at this!"),
                             E("html", [("xmlns", NS_XHTML_IM)],
                               E("body", [("xmlns", NS_XHTML)],
                                 E("p", None, "Look at this: ", E("img", [("alt", "a picture"), ("src", "cid:" + cid)])))),
                             E("data", [("xmlns", NS_BOB), ("cid", cid), ("max-age", "86400"), ("type", mime)],
                               b64(img))))
        else:
            # avatar metadata notification (small) and a few chats
            pst(pr, pep_event(c, c.bare(), me, "avatar"))
            for _ in range(c.rint(1, 4)):
                pst(st, chat_message(c, peer, me))
    out.raw("</stream:stream>")
    return {"s2c-payload.xml": out}


# ---------------------------------------------------------------- pubsub-nested

def xhtml_content(c, depth):
    """Nested XHTML (lists in lists) of roughly the given depth."""
    if depth <= 1:
        return E(c.ch(["em", "strong", "code", "a"]),
                 [("href", "https://example.org/p?id=%d&amp;x=1" % c.rint(1, 999))] if c.p(0.3) else None,
                 c.ch(MESSAGES))
    kind = c.ch(["ul", "ol", "blockquote", "div"])
    if kind in ("ul", "ol"):
        return E(kind, None, E("li", None, c.ch(MESSAGES) + " ", xhtml_content(c, depth - 2)),
                 E("li", None, c.ch(MESSAGES)) if c.p(0.5) else None)
    return E(kind, [("class", "q%d" % depth)] if c.p(0.5) else None, xhtml_content(c, depth - 1))


def atom_entry(c, author, deep):
    t = c.past(90)
    e = E("entry", [("xmlns", NS_ATOM)],
          E("title", [("type", "text")], c.ch(MESSAGES)),
          E("author", None, E("name", None, c.ch(NICKS)), E("uri", None, "xmpp:" + author)),
          E("published", None, c.stamp(t, False)), E("updated", None, c.stamp(t, False)),
          E("id", None, "tag:%s,%s:posts-%s" % (author.split("@")[1], t.strftime("%Y-%m-%d"), c.new_id("uuid"))),
          E("link", [("rel", "alternate"), ("type", "text/html"),
                     ("href", "https://%s/blog/%s?utm=a&b=c" % (author.split("@")[1], c.new_id("short")))]))
    if c.p(0.4):
        e.add(E("thr:in-reply-to", [("xmlns:thr", NS_THR), ("ref", "tag:example.org,2024:posts-%s" % c.hexs(8)),
                                    ("href", "xmpp:%s?;node=urn%%3Axmpp%%3Amicroblog%%3A0;item=%s" % (author, c.hexs(8)))]))
    if c.p(0.3):
        e.add(E("activity:verb", [("xmlns:activity", NS_ACTIVITY)], "post"),
              E("activity:object", [("xmlns:activity", NS_ACTIVITY)],
                E("activity:object-type", None, "note")))
    for _ in range(c.rint(0, 3)):
        e.add(E("category", [("term", c.ch(GROUPS)), ("label", c.ch(GROUPS))]))
    if deep:
        e.add(E("content", [("type", "xhtml")],
                E("div", [("xmlns", NS_XHTML)],
                  E("p", None, c.ch(MESSAGES), " ", xhtml_content(c, deep)))))
    else:
        e.add(E("content", [("type", "text")], c.body_text(0.02, 0.05)))
    return e


def data_form(c, form_type, n_fields):
    x = E("x", [("xmlns", NS_XDATA), ("type", c.ch(["form", "submit", "result"]))],
          E("title", None, "Node configuration for “%s”" % c.ch(MUC_ROOMS)),
          E("instructions", None, "Fill in the form below.\nFields marked * are required & <checked>."),
          E("field", [("type", "hidden"), ("var", "FORM_TYPE")], E("value", None, form_type)))
    for i in range(n_fields):
        t = c.ch(["text-single", "boolean", "list-single", "list-multi", "jid-multi", "text-multi", "fixed", "hidden"])
        f = E("field", [("label", "%s %d" % (c.ch(["Max items", "Deliver payloads", "Access model",
                                                    "Notification type", "Titre", "Beschreibung", "タイトル"]), i)),
                        ("type", t), ("var", "pubsub#opt_%d" % i)])
        if t == "boolean":
            f.add(E("value", None, c.ch(["0", "1", "true", "false"])))
        elif t in ("list-single", "list-multi"):
            f.add(E("value", None, "opt%d" % c.rint(0, 3)))
            for j in range(c.rint(2, 6)):
                f.add(E("option", [("label", "Option %d – %s" % (j, c.ch(MESSAGES)[:20]))], E("value", None, "opt%d" % j)))
        elif t in ("jid-multi", "text-multi"):
            for _ in range(c.rint(1, 4)):
                f.add(E("value", None, c.bare() if t == "jid-multi" else c.ch(MESSAGES)))
        else:
            f.add(E("value", None, c.ch(MESSAGES)))
        if c.p(0.2):
            f.add(E("desc", None, "Description with <markup> & \"quotes\""))
        if c.p(0.15):
            f.add(E("required"))
        if c.p(0.1):
            f.add(E("validate", [("xmlns", "http://jabber.org/protocol/xdata-validate"), ("datatype", "xs:integer")],
                    E("range", [("min", "1"), ("max", "1000")])))
        x.add(f)
    return x


def gen_pubsub_nested(seed, target=1_000_000):
    c = Ctx("pubsub-nested", seed)
    st = Style(c.rng, quote='"', gt=False, empty="/>", pretty=0.5, indent="  ", attr_nl=False)
    st2 = Style(c.rng, quote="'", gt=True, empty="/>", pretty=0.0)
    svc = "pubsub.example.org"
    out = Out(c, [("", 3), ("\n", 6), ("\n\n", 1)])
    # a component stream (XEP-0114) as the pubsub service sees it from the server
    out.raw(header(st, [("xmlns:stream", STREAMS), ("xmlns", NS_COMPONENT), ("from", svc),
                        ("id", c.new_id("uuid"))]))
    out.stanza(st, E("handshake", None, hashlib.sha1(b"3BF96D75secret").hexdigest()))
    authors = [c.bare() for _ in range(20)]
    subscribers = [c.full() for _ in range(30)]
    while out.size < target:
        c.tick(5, 300)
        r = c.rng.random()
        author = c.ch(authors)
        node = c.ch(["urn:xmpp:microblog:0", "princely_musings", "urn:xmpp:microblog:0:comments/" + c.hexs(16),
                     "blog/général", "ニュース"])
        style = st if c.p(0.7) else st2
        if r < 0.35:
            # event notification to a subscriber, deep XHTML content
            item = E("item", [("id", c.new_id("uuid")), ("publisher", author)], atom_entry(c, author, c.rint(2, 6)))
            out.stanza(style, E("message", [("from", svc), ("to", c.ch(subscribers)), ("type", "headline"),
                                            ("id", c.new_id())],
                                E("event", [("xmlns", NS_PUBSUB_EVENT)], E("items", [("node", node)], item)),
                                E("headers", [("xmlns", "http://jabber.org/protocol/shim")],
                                  E("header", [("name", "SubID")], c.hexs(24))) if c.p(0.3) else None))
        elif r < 0.55:
            # publish request from an author, with publish-options form
            out.stanza(style, E("iq", [("from", author + "/" + c.ch(RESOURCES)), ("id", c.new_id()), ("to", svc),
                                       ("type", "set")],
                                E("pubsub", [("xmlns", NS_PUBSUB)],
                                  E("publish", [("node", node)],
                                    E("item", [("id", c.new_id("uuid"))], atom_entry(c, author, c.rint(0, 6)))),
                                  E("publish-options", None, data_form(c, "http://jabber.org/protocol/pubsub#publish-options",
                                                                       c.rint(2, 6))))))
        elif r < 0.70:
            # items result (several items, RSM)
            items = E("items", [("node", node)])
            for _ in range(c.rint(2, 6)):
                items.add(E("item", [("id", c.new_id("uuid"))], atom_entry(c, author, c.rint(0, 5))))
            out.stanza(style, E("iq", [("from", svc), ("id", c.new_id()), ("to", c.ch(subscribers)), ("type", "result")],
                                E("pubsub", [("xmlns", NS_PUBSUB)], items,
                                  E("set", [("xmlns", NS_RSM)], E("first", [("index", "0")], c.hexs(8)),
                                    E("last", None, c.hexs(8)), E("count", None, str(c.rint(5, 500)))))))
        elif r < 0.85:
            # node configuration form (owner), many fields
            out.stanza(style, E("iq", [("from", svc), ("id", c.new_id()), ("to", author + "/" + c.ch(RESOURCES)),
                                       ("type", "result")],
                                E("pubsub", [("xmlns", NS_PUBSUB_OWNER)],
                                  E("configure", [("node", node)],
                                    data_form(c, "http://jabber.org/protocol/pubsub#node_config", c.rint(10, 30))))))
        elif r < 0.93:
            # MAM-archived event: message > result > forwarded > message > event > items > item > entry > content...
            to = c.ch(subscribers)
            inner = E("message", [("xmlns", NS_CLIENT), ("from", svc), ("to", to), ("type", "headline"), ("id", c.new_id())],
                      E("event", [("xmlns", NS_PUBSUB_EVENT)],
                        E("items", [("node", node)],
                          E("item", [("id", c.new_id("uuid"))], atom_entry(c, author, c.rint(2, 3))))))
            out.stanza(style, E("message", [("from", svc), ("id", c.new_id()), ("to", to)],
                                E("result", [("xmlns", NS_MAM), ("queryid", c.new_id("short")), ("id", c.new_id("uuid"))],
                                  E("forwarded", [("xmlns", NS_FORWARD)],
                                    E("delay", [("xmlns", NS_DELAY), ("stamp", c.stamp(c.past(30)))]), inner))))
        else:
            # subscriptions / affiliations lists, retract, purge
            kind = c.rint(0, 2)
            if kind == 0:
                subs = E("subscriptions", [("node", node)])
                for _ in range(c.rint(3, 15)):
                    subs.add(E("subscription", [("jid", c.full()), ("subscription", c.ch(["subscribed", "pending", "unconfigured"])),
                                                ("subid", c.hexs(24))]))
                out.stanza(style, E("iq", [("from", svc), ("id", c.new_id()), ("to", author), ("type", "result")],
                                    E("pubsub", [("xmlns", NS_PUBSUB_OWNER)], subs)))
            elif kind == 1:
                out.stanza(style, E("message", [("from", svc), ("to", c.ch(subscribers)), ("id", c.new_id())],
                                    E("event", [("xmlns", NS_PUBSUB_EVENT)],
                                      E("items", [("node", node)], E("retract", [("id", c.new_id("uuid"))])))))
            else:
                out.stanza(style, E("iq", [("from", author + "/" + c.ch(RESOURCES)), ("id", c.new_id()), ("to", svc),
                                           ("type", "set")],
                                    E("pubsub", [("xmlns", NS_PUBSUB_OWNER)], E("purge", [("node", node)]))))
    out.raw("</stream:stream>")
    return {"pubsub-nested.xml": out}


# ---------------------------------------------------------------- roster-push

def gen_roster_push(seed, target=1_000_000):
    c = Ctx("roster-push", seed)
    st = Style(c.rng, quote='"', gt=True, aposquot=0.2, empty="/>", pretty=0.3, other_quote=0.1, odd=0.003)
    st2 = Style(c.rng, quote="'", gt=False, empty=" />", pretty=0.0, other_quote=0.05)
    domain = "jabber.example.net"
    me_bare = "alice@jabber.example.net"
    me = me_bare + "/laptop"
    out = Out(c, [("", 5), ("\n", 4), ("\r\n", 1), (" ", 1)])
    out.raw('<?xml version="1.0" encoding="utf-8"?>\n')
    out.raw(header(st, server_header_attrs(c, domain, me_bare)))
    while out.size < target:
        c.tick(1, 120)
        r = c.rng.random()
        style = st if c.p(0.6) else st2
        if r < 0.12:
            q = E("query", [("xmlns", NS_ROSTER), ("ver", "ver%d" % c.rint(1000, 99999))])
            seen = set()
            for _ in range(c.rint(40, 250)):
                jid = c.bare()
                if jid not in seen:
                    seen.add(jid)
                    q.add(roster_item(c, jid))
            out.stanza(style, E("iq", [("id", c.new_id()), ("to", me), ("type", "result")], q))
        elif r < 0.50:
            out.stanza(style, roster_push(c, me))
        elif r < 0.62:
            # MUC admin: member / outcast list
            room = c.room()
            q = E("query", [("xmlns", NS_MUC_ADMIN)])
            for _ in range(c.rint(10, 80)):
                q.add(E("item", [("affiliation", c.ch(["member", "admin", "owner", "outcast"])), ("jid", c.bare()),
                                 ("nick", c.ch(NICKS) if c.p(0.7) else None), ("role", c.ch(["participant", "moderator", "visitor", None]))],
                        E("reason", None, c.ch(["Be nice", "Spammer!", "Café regular ☕", "<no reason>"])) if c.p(0.1) else None))
            out.stanza(style, E("iq", [("from", room), ("id", c.new_id()), ("to", me), ("type", "result")], q))
        elif r < 0.80:
            # occupant presence flood when joining a room
            room = c.room()
            for _ in range(c.rint(5, 25)):
                out.stanza(style, muc_presence(c, room, c.ch(NICKS) + str(c.rint(1, 99)), me,
                                               jid=c.full() if c.p(0.6) else None))
        elif r < 0.92:
            # disco#items with many items
            q = E("query", [("xmlns", NS_DISCO_ITEMS), ("node", "http://jabber.org/protocol/commands") if c.p(0.2) else None])
            for i in range(c.rint(20, 120)):
                q.add(E("item", [("jid", c.ch([c.room(), "pubsub." + domain, "upload." + domain, c.bare()])),
                                 ("name", c.ch(MUC_ROOMS + NICKS) if c.p(0.7) else None),
                                 ("node", c.ch(["urn:xmpp:microblog:0", "princely_musings", "config", None]))]))
            if c.p(0.5):
                q.add(E("set", [("xmlns", NS_RSM)], E("first", [("index", "0")], "0"), E("last", None, "99"),
                        E("count", None, str(c.rint(100, 5000)))))
            out.stanza(style, E("iq", [("from", c.ch([domain, "conference." + domain])), ("id", c.new_id()),
                                       ("to", me), ("type", "result")], q))
        elif r < 0.96:
            # blocklist
            bl = E("blocklist", [("xmlns", NS_BLOCKING)])
            for _ in range(c.rint(5, 40)):
                bl.add(E("item", [("jid", c.bare() if c.p(0.7) else c.ch(DOMAINS))]))
            out.stanza(style, E("iq", [("id", c.new_id()), ("to", me), ("type", "result")], bl))
        else:
            # bookmarks (XEP-0402) notification: many attributes, conference extensions
            items = E("items", [("node", NS_BOOKMARKS2)])
            for _ in range(c.rint(3, 12)):
                items.add(E("item", [("id", c.room())],
                            E("conference", [("xmlns", NS_BOOKMARKS2), ("name", c.ch(MUC_ROOMS)),
                                             ("autojoin", c.ch(["true", "false", "1", "0"]))],
                              E("nick", None, c.ch(NICKS)),
                              E("extensions", None, E("state", [("xmlns", "http://myclient.example/bookmark/state"),
                                                                 ("minimized", "true")])) if c.p(0.3) else None)))
            out.stanza(style, E("message", [("from", me_bare), ("id", c.new_id()), ("to", me), ("type", "headline")],
                                E("event", [("xmlns", NS_PUBSUB_EVENT)], items)))
    out.raw("</stream:stream>")
    return {"roster-push.xml": out}


# ---------------------------------------------------------------- extras

def gen_s2c_unclosed(seed):
    """Server-to-client stream using an unusual (legal) prefix for the stream
    namespace, that ends between two stanzas: a legal end of input."""
    c = Ctx("s2c-unclosed", seed)
    st = Style(c.rng, quote='"', gt=False, empty="/>", pretty=0.2)
    out = Out(c, [("", 2), ("\n", 3), (" ", 1)])
    domain = "shakespeare.lit"
    me = "macbeth@shakespeare.lit/castle"
    out.raw("<?xml version='1.0'?>")
    out.raw(header(st, [("xmlns:ss", STREAMS), ("xmlns", NS_CLIENT), ("from", domain), ("id", c.new_id("uuid")),
                        ("version", "1.0"), ("xml:lang", "en")], prefix="ss"))
    out.stanza(st, E("ss:features", None, E("bind", [("xmlns", NS_BIND)])))
    out.stanza(st, E("iq", [("id", c.new_id()), ("type", "result")], E("bind", [("xmlns", NS_BIND)], E("jid", None, me))))
    room = "coven@chat.shakespeare.lit"
    for i in range(60):
        c.tick()
        r = c.rng.random()
        if r < 0.4:
            out.stanza(st, muc_groupchat(c, room, c.ch(["firstwitch", "secondwitch", "thirdwitch"]), me, delayed=i < 20))
        elif r < 0.7:
            out.stanza(st, muc_presence(c, room, c.ch(NICKS), me))
        else:
            out.stanza(st, chat_message(c, c.full(), me))
    out.raw("\n  ")  # the connection drops here: between stanzas, after some whitespace
    return {"s2c-unclosed.xml": out}


def gen_s2s_dialback(seed):
    """A server-to-server stream (jabber:server) with dialback (db: prefix)."""
    c = Ctx("s2s-dialback", seed)
    st = Style(c.rng, quote="'", gt=True, empty="/>", pretty=0.0)
    out = Out(c, [("", 4), (" ", 1), ("\n", 1)])
    a, b = "capulet.lit", "montague.lit"
    out.raw("<?xml version='1.0'?>")
    out.raw(header(st, [("xmlns:stream", STREAMS), ("xmlns", NS_SERVER), ("xmlns:db", NS_DIALBACK),
                        ("from", a), ("to", b), ("version", "1.0"), ("id", c.new_id("uuid"))]))
    out.stanza(st, E("stream:features", None, E("dialback", [("xmlns", "urn:xmpp:features:dialback")], E("errors"))))
    out.stanza(st, E("db:result", [("from", a), ("to", b)], hashlib.sha256(b"key").hexdigest()))
    out.stanza(st, E("db:verify", [("from", a), ("id", c.new_id("b64")), ("to", b), ("type", "valid")]))
    users_a = ["%s@%s" % (c.ch(FIRST), a) for _ in range(10)]
    users_b = ["%s@%s" % (c.ch(FIRST), b) for _ in range(10)]
    for _ in range(120):
        c.tick()
        r = c.rng.random()
        frm = c.ch(users_a) + "/" + c.ch(RESOURCES)
        to = c.ch(users_b)
        if r < 0.5:
            out.stanza(st, chat_message(c, frm, to))
        elif r < 0.8:
            out.stanza(st, presence_caps(c, frm, to))
        elif r < 0.9:
            out.stanza(st, E("iq", [("from", a), ("id", c.new_id()), ("to", b), ("type", "get")],
                             E("ping", [("xmlns", NS_PING)])))
        else:
            out.stanza(st, E("presence", [("from", c.ch(users_a)), ("to", to), ("type", "probe"), ("id", c.new_id())]))
    out.raw("</stream:stream>")
    return {"s2s-dialback.xml": out}


GENERATORS = [gen_negotiation, gen_c2s_chat, gen_s2c_mixed, gen_s2c_payload, gen_pubsub_nested,
              gen_roster_push, gen_s2c_unclosed, gen_s2s_dialback]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "streams"))
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    total = 0
    for g in GENERATORS:
        for name, out in g(args.seed).items():
            data = out.data()
            with open(os.path.join(args.out, name), "wb") as f:
                f.write(data)
            total += len(data)
            print("%-22s %9d bytes %6d depth-1 elements" % (name, len(data), out.stanzas))
    print("%-22s %9d bytes" % ("total", total))


if __name__ == "__main__":
    sys.exit(main())

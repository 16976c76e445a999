//! Writing XML: escaping, a small element writer, stream headers and closes (TCP and
//! WebSocket framing), stream errors, and framed stanzas written as they were read,
//! standalone (with the namespace declarations they inherited from the stream header) or
//! re-targeted to another content namespace.
//!
//! Everything appends to a `Vec<u8>`; nothing here allocates beyond growing it.

use super::header::Version;
use super::ns;
use crate::condition::Condition;
use crate::escape::{escape_attr, escape_text};
use crate::tree::{Element, Node, Nodes, Stanza};
use crate::tree::{STREAMS_NS, XML_NS};
use smallvec::SmallVec;

fn push_attr(out: &mut Vec<u8>, qname: &str, value: &str) {
    out.push(b' ');
    out.extend_from_slice(qname.as_bytes());
    out.extend_from_slice(b"='");
    escape_attr(out, value);
    out.push(b'\'');
}

fn push_decl(out: &mut Vec<u8>, prefix: Option<&str>, uri: &str) {
    out.extend_from_slice(b" xmlns");
    if let Some(p) = prefix {
        out.push(b':');
        out.extend_from_slice(p.as_bytes());
    }
    out.extend_from_slice(b"='");
    escape_attr(out, uri);
    out.push(b'\'');
}

/// How [`write_stanza`] writes a stanza.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target<'a> {
    /// The exact bytes read: right for a stream whose header declares the same
    /// namespaces (forwarding on the same kind of stream).
    AsIs,
    /// The exact bytes, plus on the root's start tag the namespace declarations the
    /// stanza inherited from its stream header (see [`Stanza::inherited_namespaces`]) and,
    /// when the root has no `xml:lang`, the header's (as a server adds it to the stanzas
    /// it routes, RFC 6120 section 8.1.5): the result is a complete document that means
    /// the same anywhere (a WebSocket message, storage, another stream).
    Standalone,
    /// Standalone, with every namespace declaration (inherited or in the stanza) of
    /// namespace `from` changed to `to`: routes a `jabber:client` stanza onto a
    /// `jabber:server` stream, for example. Every element that was in `from` is in `to`;
    /// nothing else changes.
    Retarget {
        /// The namespace to replace (normally the stream's content namespace).
        from: &'a str,
        /// Its replacement.
        to: &'a str,
    },
}

/// Appends a stanza as `target` says. Only the root's start tag and, when re-targeting,
/// namespace declaration values change; every other byte is copied as read.
///
/// ```
/// use xmpp_stream::{Config, Event, Mode, Parser};
/// use xmpp_stream::xmpp::{ns, write_stanza, Kind, Target};
///
/// let mut parser = Parser::new();
/// parser.feed(b"<stream:stream xmlns='jabber:client' xml:lang='en' \
///     xmlns:stream='http://etherx.jabber.org/streams'>\
///     <message to='romeo@example.net'><body>hi</body></message>");
/// parser.next_event()?;
/// let Some(Event::Stanza(s)) = parser.next_event()? else { panic!() };
/// let mut out = Vec::new();
/// write_stanza(&mut out, &s, Target::AsIs);
/// assert_eq!(out, b"<message to='romeo@example.net'><body>hi</body></message>");
/// out.clear();
/// write_stanza(&mut out, &s, Target::Standalone);
/// assert_eq!(out, &b"<message xmlns='jabber:client' xml:lang='en' to='romeo@example.net'>\
///     <body>hi</body></message>"[..]);
/// out.clear();
/// write_stanza(&mut out, &s, Target::Retarget { from: ns::CLIENT, to: ns::SERVER });
/// assert_eq!(out, &b"<message xmlns='jabber:server' xml:lang='en' to='romeo@example.net'>\
///     <body>hi</body></message>"[..]);
///
/// // The result parses on its own, with the same meaning.
/// let mut doc = Parser::with_config(Config::default().with_mode(Mode::Document));
/// doc.feed(&out);
/// let Some(Event::Stanza(m)) = doc.next_event()? else { panic!() };
/// assert_eq!(m.kind(), Kind::Message);
/// assert_eq!(m.child(ns::SERVER, "body").unwrap().text(), "hi");
/// # Ok::<(), xmpp_stream::Error>(())
/// ```
pub fn write_stanza(out: &mut Vec<u8>, stanza: &Stanza<'_>, target: Target<'_>) {
    let raw = stanza.raw();
    if target == Target::AsIs {
        out.extend_from_slice(raw);
        return;
    }
    let map =
        |uri: &str| -> bool { matches!(target, Target::Retarget { from, .. } if uri == from) };
    let to = match target {
        Target::Retarget { to, .. } => to,
        _ => "",
    };
    let root = stanza.root();
    let name_end = (1 + root.qname().len()).min(raw.len());
    out.extend_from_slice(&raw[..name_end]);
    for (p, uri) in stanza.inherited_namespaces() {
        push_decl(out, p, if map(uri) { to } else { uri });
    }
    if root.attr(XML_NS, "lang").is_none() {
        if let Some(lang) = stanza.lang() {
            push_attr(out, "xml:lang", lang);
        }
    }
    let mut pos = name_end;
    if let Target::Retarget { from, to } = target {
        for a in stanza.declarations() {
            let range = a.raw_value_range();
            if a.value() == from && range.start >= pos && range.end <= raw.len() {
                out.extend_from_slice(&raw[pos..range.start]);
                escape_attr(out, to);
                pos = range.end;
            }
        }
    }
    out.extend_from_slice(&raw[pos..]);
}

/// A small XML writer appending to a `Vec<u8>`: start tags with attributes, text, end
/// tags (empty elements are written `<x/>`), pre-serialised XML, and whole element views.
/// Names are written as given (the caller provides valid names); text and attribute
/// values are escaped.
///
/// ```
/// use xmpp_stream::xmpp::Writer;
/// let mut out = Vec::new();
/// let mut w = Writer::new(&mut out);
/// w.start("message").xmlns(None, "jabber:client").attr("to", "juliet@example.com")
///     .attr("type", "chat");
/// w.start("body").text("Wherefore art thou, <Romeo> & co?").end();
/// w.start("active").xmlns(None, "http://jabber.org/protocol/chatstates").end();
/// w.end();
/// assert_eq!(w.depth(), 0);
/// assert_eq!(out, b"<message xmlns='jabber:client' to='juliet@example.com' type='chat'>\
///     <body>Wherefore art thou, &lt;Romeo&gt; &amp; co?</body>\
///     <active xmlns='http://jabber.org/protocol/chatstates'/></message>");
/// ```
#[derive(Debug)]
pub struct Writer<'w> {
    out: &'w mut Vec<u8>,
    /// Ranges of the open elements' qualified names in `out`.
    open: SmallVec<[(usize, usize); 8]>,
    in_start_tag: bool,
}

impl<'w> Writer<'w> {
    /// A writer appending to `out`.
    pub fn new(out: &'w mut Vec<u8>) -> Self {
        Writer {
            out,
            open: SmallVec::new(),
            in_start_tag: false,
        }
    }

    fn close_start_tag(&mut self) {
        if self.in_start_tag {
            self.out.push(b'>');
            self.in_start_tag = false;
        }
    }

    /// Opens an element (its start tag stays open for attributes until content or
    /// [`end`](Self::end) follows).
    pub fn start(&mut self, qname: &str) -> &mut Self {
        self.close_start_tag();
        self.out.push(b'<');
        let s = self.out.len();
        self.out.extend_from_slice(qname.as_bytes());
        self.open.push((s, self.out.len()));
        self.in_start_tag = true;
        self
    }

    /// Adds an attribute to the open start tag.
    ///
    /// # Panics
    /// If no start tag is open (content was written since [`start`](Self::start)).
    pub fn attr(&mut self, qname: &str, value: &str) -> &mut Self {
        assert!(self.in_start_tag, "attribute {qname} outside a start tag");
        push_attr(self.out, qname, value);
        self
    }

    /// Adds a namespace declaration to the open start tag (`None`: the default namespace).
    ///
    /// # Panics
    /// If no start tag is open.
    pub fn xmlns(&mut self, prefix: Option<&str>, uri: &str) -> &mut Self {
        assert!(
            self.in_start_tag,
            "namespace declaration outside a start tag"
        );
        push_decl(self.out, prefix, uri);
        self
    }

    /// Writes escaped character data.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.close_start_tag();
        escape_text(self.out, s);
        self
    }

    /// Writes pre-serialised XML as is (for example a stanza's [`raw`](Stanza::raw)
    /// bytes, or the output of [`write_stanza`]).
    pub fn raw(&mut self, xml: &[u8]) -> &mut Self {
        self.close_start_tag();
        self.out.extend_from_slice(xml);
        self
    }

    /// Serialises an element view with its descendants: names as written, every
    /// attribute (namespace declarations included) with its decoded value re-escaped,
    /// text decoded and re-escaped (CDATA sections become escaped text). Declarations the
    /// element inherits from outside it are not added: for a stanza that must stand
    /// alone, use [`write_stanza`] with [`Target::Standalone`].
    pub fn element(&mut self, e: &Element<'_>) -> &mut Self {
        let base = self.open.len();
        self.open_view(e);
        let mut stack: SmallVec<[Nodes<'_>; 16]> = SmallVec::new();
        stack.push(e.nodes());
        while let Some(top) = stack.last_mut() {
            match top.next() {
                Some(Node::Text(t)) => {
                    self.text(t.as_str());
                }
                Some(Node::Element(c)) => {
                    self.open_view(&c);
                    stack.push(c.nodes());
                }
                None => {
                    stack.pop();
                    self.end();
                }
            }
        }
        debug_assert_eq!(self.open.len(), base);
        self
    }

    fn open_view(&mut self, e: &Element<'_>) {
        self.start(e.qname());
        for a in e.raw_attrs() {
            push_attr(self.out, a.qname(), a.value());
        }
    }

    /// Closes the innermost open element.
    ///
    /// # Panics
    /// If no element is open.
    pub fn end(&mut self) -> &mut Self {
        let (s, e) = self.open.pop().expect("end() with no open element");
        if self.in_start_tag {
            self.out.extend_from_slice(b"/>");
            self.in_start_tag = false;
        } else {
            self.out.extend_from_slice(b"</");
            self.out.extend_from_within(s..e);
            self.out.push(b'>');
        }
        self
    }

    /// Closes every open element.
    pub fn finish(&mut self) {
        while !self.open.is_empty() {
            self.end();
        }
    }

    /// How many elements are open.
    pub fn depth(&self) -> usize {
        self.open.len()
    }
}

/// The attributes of a stream header to write (see [`write_header`] and
/// [`write_open`]). The default is a `jabber:client` header for version 1.0 with an XML
/// declaration and nothing else.
///
/// ```
/// use xmpp_stream::xmpp::{ns, write_header, HeaderSpec};
/// let mut out = Vec::new();
/// write_header(&mut out, &HeaderSpec {
///     from: Some("im.example.com"),
///     to: Some("juliet@im.example.com"),
///     id: Some("t7AMCin9zjMNwQKDnplntZPIDEI="),
///     lang: Some("en"),
///     ..HeaderSpec::default()
/// });
/// assert_eq!(out, &b"<?xml version='1.0'?><stream:stream from='im.example.com' \
///     id='t7AMCin9zjMNwQKDnplntZPIDEI=' to='juliet@im.example.com' version='1.0' \
///     xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"[..]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderSpec<'a> {
    /// `from`.
    pub from: Option<&'a str>,
    /// `id` (the receiving entity's stream id).
    pub id: Option<&'a str>,
    /// `to`.
    pub to: Option<&'a str>,
    /// `version` (default 1.0).
    pub version: Option<Version>,
    /// `xml:lang`.
    pub lang: Option<&'a str>,
    /// The content namespace, declared as the default namespace (default
    /// `jabber:client`; not written by [`write_open`]).
    pub content_ns: Option<&'a str>,
    /// Whether to begin with `<?xml version='1.0'?>` (default true; not written by
    /// [`write_open`]).
    pub xml_declaration: bool,
}

impl Default for HeaderSpec<'_> {
    fn default() -> Self {
        HeaderSpec {
            from: None,
            id: None,
            to: None,
            version: Some(Version::V1_0),
            lang: None,
            content_ns: Some(ns::CLIENT),
            xml_declaration: true,
        }
    }
}

fn push_header_attrs(out: &mut Vec<u8>, h: &HeaderSpec<'_>) {
    for (name, v) in [("from", h.from), ("id", h.id), ("to", h.to)] {
        if let Some(v) = v {
            push_attr(out, name, v);
        }
    }
    if let Some(v) = h.version {
        out.extend_from_slice(b" version='");
        push_u32(out, v.major);
        out.push(b'.');
        push_u32(out, v.minor);
        out.push(b'\'');
    }
    if let Some(lang) = h.lang {
        push_attr(out, "xml:lang", lang);
    }
}

/// Appends `n` in decimal.
fn push_u32(out: &mut Vec<u8>, n: u32) {
    let mut digits = [0u8; 10];
    let mut k = digits.len();
    let mut n = n;
    loop {
        k -= 1;
        digits[k] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[k..]);
}

/// Appends a stream header: the optional XML declaration and the `<stream:stream>` start
/// tag with `from`, `id`, `to`, `version`, `xml:lang`, the content namespace and the
/// `stream` prefix declaration, in that order (as in RFC 6120's examples).
pub fn write_header(out: &mut Vec<u8>, h: &HeaderSpec<'_>) {
    if h.xml_declaration {
        out.extend_from_slice(b"<?xml version='1.0'?>");
    }
    out.extend_from_slice(b"<stream:stream");
    push_header_attrs(out, h);
    if let Some(c) = h.content_ns {
        push_decl(out, None, c);
    }
    push_decl(out, Some("stream"), STREAMS_NS);
    out.push(b'>');
}

/// Appends the stream close, `</stream:stream>`.
pub fn write_close(out: &mut Vec<u8>) {
    out.extend_from_slice(b"</stream:stream>");
}

/// Appends a WebSocket `<open/>` (RFC 7395 section 3.3.1) with the header's `from`,
/// `id`, `to`, `version` and `xml:lang`.
///
/// ```
/// use xmpp_stream::xmpp::{write_open, HeaderSpec};
/// let mut out = Vec::new();
/// write_open(&mut out, &HeaderSpec { to: Some("example.com"), ..HeaderSpec::default() });
/// assert_eq!(out, &b"<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.com' \
///     version='1.0'/>"[..]);
/// ```
pub fn write_open(out: &mut Vec<u8>, h: &HeaderSpec<'_>) {
    out.extend_from_slice(b"<open");
    push_decl(out, None, ns::FRAMING);
    push_header_attrs(out, h);
    out.extend_from_slice(b"/>");
}

/// Appends a WebSocket `<close/>` (RFC 7395 section 3.6), with `see-other-uri` when
/// redirecting the client (section 3.6.1).
///
/// ```
/// let mut out = Vec::new();
/// xmpp_stream::xmpp::write_ws_close(&mut out, None);
/// assert_eq!(out, b"<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>");
/// ```
pub fn write_ws_close(out: &mut Vec<u8>, see_other_uri: Option<&str>) {
    out.extend_from_slice(b"<close");
    push_decl(out, None, ns::FRAMING);
    if let Some(uri) = see_other_uri {
        push_attr(out, "see-other-uri", uri);
    }
    out.extend_from_slice(b"/>");
}

/// Appends a `<stream:error/>` with `condition` and an optional text. The `stream`
/// prefix is declared on the element itself, so the result is right both inside a
/// stream and as a WebSocket message. Conditions RFC 6120 does not define
/// ([`Condition::Incomplete`]) are written as `undefined-condition`.
///
/// ```
/// use xmpp_stream::Condition;
/// let mut out = Vec::new();
/// xmpp_stream::xmpp::write_stream_error(&mut out, Condition::HostUnknown, Some("no such host"));
/// assert_eq!(out, &b"<stream:error xmlns:stream='http://etherx.jabber.org/streams'>\
///     <host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
///     <text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>no such host</text></stream:error>"[..]);
/// ```
pub fn write_stream_error(out: &mut Vec<u8>, condition: Condition, text: Option<&str>) {
    let name = if condition.is_rfc6120() {
        condition.as_str()
    } else {
        Condition::UndefinedCondition.as_str()
    };
    let mut w = Writer::new(out);
    w.start("stream:error").xmlns(Some("stream"), STREAMS_NS);
    w.start(name).xmlns(None, ns::STREAM_ERRORS).end();
    if let Some(t) = text {
        w.start("text").xmlns(None, ns::STREAM_ERRORS).text(t).end();
    }
    w.end();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Vec<u8> {
        let mut v = Vec::new();
        escape_text(&mut v, s);
        v
    }

    #[test]
    fn escaping_replaces_what_xml_cannot_carry() {
        assert_eq!(text("plain"), b"plain");
        assert_eq!(text("\u{0}x\u{1b}"), "\u{FFFD}x\u{FFFD}".as_bytes());
        assert_eq!(
            text("a\u{FFFE}b\u{FFFF}c\u{FFFD}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}".as_bytes()
        );
        assert_eq!(text("é\u{10FFFF}\t\n"), "é\u{10FFFF}\t\n".as_bytes());
        let mut v = Vec::new();
        escape_attr(&mut v, "\r\n\t'\"<>&");
        assert_eq!(v, b"&#xD;&#xA;&#9;&apos;&quot;&lt;>&amp;");
    }

    #[test]
    fn writer_nests_and_closes() {
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out);
        w.start("a").start("b").attr("x", "1").text("t").start("c");
        assert_eq!(w.depth(), 3);
        w.finish();
        assert_eq!(out, b"<a><b x='1'>t<c/></b></a>");
    }

    #[test]
    #[should_panic(expected = "outside a start tag")]
    fn attr_after_text_panics() {
        let mut out = Vec::new();
        Writer::new(&mut out).start("a").text("x").attr("b", "c");
    }

    #[test]
    fn header_without_declaration_or_version() {
        let mut out = Vec::new();
        write_header(
            &mut out,
            &HeaderSpec {
                version: None,
                xml_declaration: false,
                content_ns: Some(ns::COMPONENT_ACCEPT),
                to: Some("it's"),
                ..HeaderSpec::default()
            },
        );
        assert_eq!(
            out,
            &b"<stream:stream to='it&apos;s' xmlns='jabber:component:accept' \
               xmlns:stream='http://etherx.jabber.org/streams'>"[..]
        );
        out.clear();
        write_stream_error(&mut out, Condition::Incomplete, None);
        assert!(out.windows(19).any(|w| w == b"undefined-condition"));
        out.clear();
        write_ws_close(&mut out, Some("wss://other.example/ws"));
        assert_eq!(
            out,
            &b"<close xmlns='urn:ietf:params:xml:ns:xmpp-framing' \
               see-other-uri='wss://other.example/ws'/>"[..]
        );
    }
}

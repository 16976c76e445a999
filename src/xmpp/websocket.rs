//! XMPP over WebSocket (RFC 7395): every WebSocket message is one complete XML element
//! with its own namespace declarations. `<open xmlns='urn:ietf:params:xml:ns:xmpp-framing'
//! .../>` plays the stream header, `<close/>` the stream close, and everything else is a
//! stanza or nonza, read through the same [`Stanza`] views as on a TCP stream.
//!
//! The layer is thin: each message is read in place (its views borrow the message, no
//! byte of it is copied) by a [`Parser`] in [`Mode::Document`], recycled between messages
//! (its records are kept, so steady state allocates nothing), and the last `<open/>` is
//! kept (copied like an [`OwnedStanza`](crate::OwnedStanza)'s records) so that stanzas
//! can see it (its `xml:lang`, through [`Stanza::header`] and [`Stanza::lang`]). There is no restart to
//! call: after SASL success the client simply sends a new `<open/>`.

use super::ns;
use crate::error::{Error, ErrorKind};
use crate::frame::Mode;
use crate::limits::Limits;
use crate::parser::{Config, Event, Parser};
use crate::tree::{Arena, Context, Element, OwnedStanza, Stanza};
use core::fmt;

/// One WebSocket message, read.
#[derive(Debug)]
#[non_exhaustive]
pub enum WsEvent<'a> {
    /// `<open/>`: the stream header of RFC 7395 (a new one after each restart); wrap it
    /// in a [`StreamHeader`](super::StreamHeader) for the XMPP reading.
    Open(Element<'a>),
    /// Any other element: a stanza, `<stream:features/>`, `<stream:error/>`, a nonza.
    Stanza(Stanza<'a>),
    /// `<close/>`: the stream is being closed (its `see-other-uri` attribute, if any,
    /// redirects the client).
    Close(Element<'a>),
}

/// Reads the messages of an XMPP-over-WebSocket connection (RFC 7395), one message per
/// call.
///
/// ```
/// use xmpp_stream::xmpp::{Kind, WebSocketParser, WsEvent};
///
/// let mut ws = WebSocketParser::new();
/// let WsEvent::Open(open) = ws.parse(b"<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' \
///     to='example.com' version='1.0' xml:lang='en'/>")? else { panic!() };
/// assert_eq!(open.attr("", "to"), Some("example.com"));
///
/// let WsEvent::Stanza(s) = ws.parse(b"<message xmlns='jabber:client' to='juliet@example.com' \
///     type='chat'><body>hi</body></message>")? else { panic!() };
/// assert_eq!(s.kind(), Kind::Message);
/// assert_eq!(s.lang(), Some("en")); // from the <open/>
/// assert_eq!(s.child("jabber:client", "body").unwrap().text(), "hi");
///
/// let WsEvent::Stanza(f) = ws.parse(b"<stream:features \
///     xmlns:stream='http://etherx.jabber.org/streams'/>")? else { panic!() };
/// assert_eq!(f.kind(), Kind::StreamFeatures);
///
/// assert!(matches!(ws.parse(b"<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>")?,
///     WsEvent::Close(_)));
///
/// // A message must be exactly one element.
/// assert!(ws.parse(b"<presence xmlns='jabber:client'/><presence xmlns='jabber:client'/>").is_err());
/// assert!(ws.parse(b"<presence xmlns='jabber:client'>").is_err());
/// # Ok::<(), xmpp_stream::Error>(())
/// ```
pub struct WebSocketParser {
    parser: Parser,
    /// The last `<open/>`, kept for the stanzas that follow it.
    open: OwnedStanza,
    has_open: bool,
    arena: Arena,
}

impl Default for WebSocketParser {
    fn default() -> Self {
        WebSocketParser::new()
    }
}

impl fmt::Debug for WebSocketParser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebSocketParser")
            .field("open", &self.open())
            .finish_non_exhaustive()
    }
}

impl WebSocketParser {
    /// A parser with default [`Limits`] (`max_stanza_bytes` bounds each message's
    /// element).
    pub fn new() -> Self {
        WebSocketParser::with_limits(Limits::default())
    }

    /// A parser with the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        WebSocketParser {
            parser: Parser::with_config(
                Config::default()
                    .with_mode(Mode::Document)
                    .with_limits(limits),
            ),
            open: OwnedStanza::empty(),
            has_open: false,
            arena: Arena::new(),
        }
    }

    /// Reads one complete WebSocket (text) message. Errors: anything the XML parser
    /// rejects (each with its [`Condition`](crate::Condition)), an incomplete element or
    /// an empty message ([`ErrorKind::UnexpectedEof`]), and anything but whitespace
    /// after the element ([`ErrorKind::ContentAfterRoot`] or
    /// [`ErrorKind::TextOutsideRoot`]). Error offsets count from the message's first
    /// byte. Errors are not sticky: the next message is read afresh.
    ///
    /// The message is read in place: the event's views borrow `message` itself (and the
    /// parser's records), nothing of it is copied, and the parser's input buffer is never
    /// used.
    pub fn parse<'a>(&'a mut self, message: &'a [u8]) -> Result<WsEvent<'a>, Error> {
        self.parser.recycle();
        self.arena.reset();
        let stanza = match self.parser.first_event_in_place(message) {
            Ok(Some(Event::Stanza(s))) => s,
            Ok(_) => return Err(Error::new(ErrorKind::UnexpectedEof, message.len() as u64)),
            Err(e) => return Err(e),
        };
        let end = stanza.offset() as usize + stanza.raw().len();
        let rest = message.get(end..).unwrap_or(b"");
        if let Some(k) = rest
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            let kind = if rest[k] == b'<' {
                ErrorKind::ContentAfterRoot
            } else {
                ErrorKind::TextOutsideRoot
            };
            return Err(Error::new(kind, (end + k) as u64));
        }
        let root = stanza.root();
        if root.is(ns::FRAMING, "open") {
            self.open.assign(&stanza);
            self.has_open = true;
            return Ok(WsEvent::Open(self.open.root_in(self.arena.bump())));
        }
        if root.is(ns::FRAMING, "close") {
            return Ok(WsEvent::Close(root));
        }
        // The <open/> stands beside the stanza: its declarations are not in scope.
        let context = if self.has_open {
            self.open.as_open()
        } else {
            Context::None
        };
        Ok(WsEvent::Stanza(stanza.with_context(context)))
    }

    /// The last `<open/>` read, if any.
    pub fn open(&self) -> Option<Element<'_>> {
        self.has_open.then(|| self.open.root_in(self.arena.bump()))
    }

    /// Forgets the last `<open/>` (for a new connection).
    pub fn reset(&mut self) {
        self.has_open = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::{ContentNamespace, HeaderCheck, Kind, StreamHeader, Target};

    const OPEN: &[u8] = b"<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.com' \
                          version='1.0' xml:lang='en'/>";

    #[test]
    fn open_plays_the_header() {
        let mut ws = WebSocketParser::new();
        assert!(ws.open().is_none());
        let WsEvent::Open(h) = ws.parse(OPEN).unwrap() else {
            panic!()
        };
        let h = StreamHeader::new(h);
        assert!(h.is_websocket());
        assert_eq!(h.content_ns(), ContentNamespace::Undeclared);
        assert_eq!(h.check(&HeaderCheck::client()), Ok(()));
        assert_eq!(h.lang(), Some("en"));
        assert_eq!(ws.open().unwrap().attr("", "to"), Some("example.com"));
        let WsEvent::Stanza(s) = ws
            .parse(b" <iq xmlns='jabber:client' type='get' id='1' xml:lang='fr'/>\n")
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(s.kind(), Kind::Iq);
        assert_eq!(s.offset(), 1);
        assert_eq!(s.lang(), Some("fr"));
        assert_eq!(s.content_ns(), None);
        assert_eq!(s.header().unwrap().attr("", "to"), Some("example.com"));
        assert_eq!(s.inherited_namespaces().count(), 0);
        let mut out = Vec::new();
        s.write_to(&mut out, Target::Standalone);
        assert_eq!(out, s.raw());
        // Owned copies keep the <open/>'s language.
        let o = s.to_owned_stanza();
        assert_eq!(o.view().stanza().lang(), Some("fr"));
        let WsEvent::Stanza(s) = ws.parse(b"<presence xmlns='jabber:client'/>").unwrap() else {
            panic!()
        };
        let o = s.to_owned_stanza();
        assert_eq!(o.view().stanza().lang(), Some("en"));
        assert!(StreamHeader::new(o.view().stanza().header().unwrap()).is_websocket());
        ws.reset();
        assert!(ws.open().is_none());
    }

    /// The views borrow the message: its stanza's bytes and text are the message's own,
    /// and the parser holds no copy of them however long they are.
    #[test]
    fn messages_are_read_in_place() {
        let mut ws = WebSocketParser::new();
        // No reference: the text is the message's bytes too (decoded text would go to
        // the parser's arena). Shorter under miri (which checks the unchecked `&str`).
        let n = if cfg!(miri) { 500 } else { 25_000 };
        let body = "xy".repeat(n);
        let msg = format!("<message xmlns='jabber:client' id='1'><body>{body}</body></message>");
        for _ in 0..3 {
            let WsEvent::Stanza(s) = ws.parse(msg.as_bytes()).unwrap() else {
                panic!()
            };
            assert_eq!(s.raw(), msg.as_bytes());
            assert_eq!(s.raw().as_ptr(), msg.as_ptr());
            let inside = msg.as_bytes().as_ptr_range();
            let id = s.root().attr("", "id").unwrap();
            assert!(inside.contains(&id.as_ptr()));
            let text = s.root().child("jabber:client", "body").unwrap().text();
            assert_eq!(text.len(), 2 * n);
            assert!(inside.contains(&text.as_ptr()));
        }
        assert!(
            ws.parser.heap_bytes() < 16 * 1024,
            "{}",
            ws.parser.heap_bytes()
        );
    }

    #[test]
    fn bad_messages_are_errors_and_do_not_stick() {
        let mut ws = WebSocketParser::new();
        for (msg, kind, at) in [
            (&b""[..], ErrorKind::UnexpectedEof, 0),
            (b"  ", ErrorKind::UnexpectedEof, 2),
            (b"<a/>x", ErrorKind::TextOutsideRoot, 4),
            (b"<a/> <b/>", ErrorKind::ContentAfterRoot, 5),
            (b"<a>", ErrorKind::UnexpectedEof, 3),
        ] {
            let e = ws.parse(msg).unwrap_err();
            assert_eq!((e.kind(), e.offset()), (kind, at), "{msg:?}");
            assert!(ws.parse(b"<a/>").is_ok());
        }
        let e = ws.parse(b"<a><!-- c --></a>").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Comment);
        let e = ws.parse(b"<p:a/>").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnboundPrefix);
        assert!(ws.parse(b"<?xml version='1.0'?><a/>").is_ok());
    }
}

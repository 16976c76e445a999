//! Owned events: what [`Event`] says, copied out of the parser so that it can be queued,
//! sent to another task, or yielded by a codec (`Send + Sync + 'static`).

use super::header::StreamHeader;
use super::owned::{OwnedStanza, OwnedView};
use crate::frame::Mode;
use crate::limits::Limits;
use crate::parser::{Config, Event, Parser};
use crate::view::Element;
use bumpalo::Bump;
use core::fmt;

/// A stream header copied out of the parser: its start tag, readable again as a
/// [`StreamHeader`] (with every attribute and namespace declaration) without the
/// parser.
///
/// ```
/// use xmpp_stream::{Event, Parser};
/// use xmpp_stream::xmpp::{ContentNamespace, OwnedHeader};
///
/// let mut parser = Parser::new();
/// parser.feed(b"<?xml version='1.0'?><stream:stream to='im.example.com' version='1.0' \
///     xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
/// let Some(Event::Header(h)) = parser.next_event()? else { panic!() };
/// let owned = OwnedHeader::new(&h);
/// drop(parser);
///
/// let view = owned.view();
/// let h = view.header();
/// assert_eq!(h.to(), Some("im.example.com"));
/// assert_eq!(h.lang(), Some("en"));
/// assert_eq!(h.content_ns(), ContentNamespace::Client);
/// assert!(owned.raw().starts_with(b"<stream:stream to="));
/// # Ok::<(), xmpp_stream::Error>(())
/// ```
#[derive(Clone)]
pub struct OwnedHeader {
    /// The start tag closed by an end tag (or the empty element of a WebSocket
    /// `<open/>`), read as a one-element document.
    doc: OwnedStanza,
    tag_len: usize,
}

impl OwnedHeader {
    /// Copies a header: the element of an [`Event::Header`], of
    /// [`Parser::header`], or a [`StreamHeader`]'s [`element`](StreamHeader::element)
    /// (a WebSocket `<open/>` too).
    pub fn new(header: &Element<'_>) -> OwnedHeader {
        let raw = header.raw();
        let mut bytes = Vec::with_capacity(raw.len() + header.qname().len() + 3);
        bytes.extend_from_slice(raw);
        if !raw.ends_with(b"/>") {
            bytes.extend_from_slice(b"</");
            bytes.extend_from_slice(header.qname().as_bytes());
            bytes.push(b'>');
        }
        match reparse(&bytes) {
            Some(doc) => OwnedHeader {
                doc,
                tag_len: raw.len(),
            },
            None => {
                // Unreachable: the parser accepted the start tag, and every declaration
                // it needs is on it. Fall back to a bare header rather than panic.
                debug_assert!(false, "header did not reparse: {header:?}");
                let fallback: &[u8] =
                    b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams'/>";
                OwnedHeader {
                    doc: reparse(fallback).unwrap_or_else(OwnedStanza::empty),
                    tag_len: fallback.len(),
                }
            }
        }
    }

    /// The start tag's exact bytes as read (no XML declaration).
    pub fn raw(&self) -> &[u8] {
        &self.doc.raw()[..self.tag_len]
    }

    /// A view with its own arena for decoded values.
    pub fn view(&self) -> OwnedHeaderView<'_> {
        OwnedHeaderView {
            view: self.doc.view(),
        }
    }

    /// The header view, decoding values into the caller's `arena`.
    pub fn header_in<'a>(&'a self, arena: &'a Bump) -> StreamHeader<'a> {
        StreamHeader::new(self.doc.stanza_in(arena).root())
    }
}

fn reparse(bytes: &[u8]) -> Option<OwnedStanza> {
    let mut p = Parser::with_config(
        Config::default()
            .mode(Mode::Document)
            .limits(Limits::generous()),
    );
    p.feed(bytes);
    match p.next_event() {
        Ok(Some(Event::Stanza(s))) => Some(OwnedStanza::new(&s)),
        _ => None,
    }
}

impl fmt::Debug for OwnedHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OwnedHeader")
            .field(&self.view().header().element())
            .finish()
    }
}

/// A view of an [`OwnedHeader`] (see [`OwnedHeader::view`]).
pub struct OwnedHeaderView<'o> {
    view: OwnedView<'o>,
}

impl OwnedHeaderView<'_> {
    /// The header.
    pub fn header(&self) -> StreamHeader<'_> {
        StreamHeader::new(self.view.root())
    }
}

impl fmt::Debug for OwnedHeaderView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OwnedHeaderView")
            .field(&self.header().element())
            .finish()
    }
}

/// An [`Event`] copied out of the parser (what the `tokio` feature's codec yields).
///
/// ```
/// use xmpp_stream::{OwnedEvent, Parser};
/// use xmpp_stream::xmpp::Kind;
///
/// let mut parser = Parser::new();
/// parser.feed(b"<stream:stream xmlns='jabber:client' \
///     xmlns:stream='http://etherx.jabber.org/streams'><presence/></stream:stream>");
/// let mut events = Vec::new();
/// while let Some(event) = parser.next_event()? {
///     events.push(OwnedEvent::new(&event));
/// }
/// assert!(matches!(events[0], OwnedEvent::Header(_)));
/// let OwnedEvent::Stanza(s) = &events[1] else { panic!() };
/// assert_eq!(s.view().stanza().kind(), Kind::Presence);
/// assert!(matches!(events[2], OwnedEvent::Close));
/// # Ok::<(), xmpp_stream::Error>(())
/// ```
#[derive(Debug, Clone)]
pub enum OwnedEvent {
    /// The stream header ([`Event::Header`]).
    Header(OwnedHeader),
    /// A stanza or nonza ([`Event::Stanza`]).
    Stanza(OwnedStanza),
    /// The stream close ([`Event::Close`]).
    Close,
}

impl OwnedEvent {
    /// Copies an event.
    pub fn new(event: &Event<'_>) -> OwnedEvent {
        match event {
            Event::Header(h) => OwnedEvent::Header(OwnedHeader::new(h)),
            Event::Stanza(s) => OwnedEvent::Stanza(OwnedStanza::new(s)),
            Event::Close => OwnedEvent::Close,
        }
    }
}

impl From<&Event<'_>> for OwnedEvent {
    fn from(event: &Event<'_>) -> Self {
        OwnedEvent::new(event)
    }
}

impl From<Event<'_>> for OwnedEvent {
    fn from(event: Event<'_>) -> Self {
        OwnedEvent::new(&event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::{ns, HeaderCheck, Version, WebSocketParser, WsEvent};

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn owned_events_are_send_sync() {
        assert_send_sync::<OwnedEvent>();
        assert_send_sync::<OwnedHeader>();
    }

    #[test]
    fn header_keeps_every_attribute_and_declaration() {
        let mut p = Parser::new();
        p.feed(
            b"<?xml version='1.0'?><s:stream from='a&amp;b' id='x' version='1.0' \
            xml:lang='fr' xmlns='jabber:server' xmlns:db='jabber:server:dialback' \
            xmlns:s='http://etherx.jabber.org/streams'>",
        );
        let Some(Event::Header(h)) = p.next_event().unwrap() else {
            panic!()
        };
        let owned = OwnedHeader::new(&h);
        assert_eq!(owned.raw(), h.raw());
        let v = owned.view();
        let oh = v.header();
        assert_eq!(oh.from(), Some("a&b"));
        assert_eq!(oh.version(), Some(Version::V1_0));
        assert_eq!(oh.lang(), Some("fr"));
        assert_eq!(oh.stream_prefix(), Some("s"));
        assert_eq!(oh.content_ns().as_str(), Some(ns::SERVER));
        let decls: Vec<_> = oh.element().ns_decls().collect();
        assert_eq!(
            decls,
            [
                (None, ns::SERVER),
                (Some("db"), ns::DIALBACK),
                (Some("s"), ns::STREAMS)
            ]
        );
        assert_eq!(oh.check(&HeaderCheck::server()), Ok(()));
        let arena = Bump::new();
        assert_eq!(owned.header_in(&arena).id(), Some("x"));
        assert!(format!("{owned:?}").contains("a&b"));
    }

    #[test]
    fn websocket_open_is_a_header_too() {
        let mut ws = WebSocketParser::new();
        let WsEvent::Open(open) = ws
            .parse(b"<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.com' version='1.0'/>")
            .unwrap()
        else {
            panic!()
        };
        let owned = OwnedHeader::new(&open.element());
        let v = owned.view();
        assert!(v.header().is_websocket());
        assert_eq!(v.header().to(), Some("example.com"));
    }
}

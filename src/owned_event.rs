//! Owned events: what [`Event`] says, copied out of the parser so that it can be queued,
//! sent to another task, or yielded by a codec (`Send + Sync + 'static`).

use crate::frame::Mode;
use crate::limits::Limits;
use crate::parser::{Config, Event, Parser};
use crate::tree::{Arena, Element, OwnedStanza, OwnedView};
use core::fmt;

/// A stream header copied out of the parser: its start tag, readable again as an
/// [`Element`] (with every attribute and namespace declaration; wrap it in a
/// [`StreamHeader`](crate::xmpp::StreamHeader) for the XMPP reading) without the parser.
///
/// ```
/// use xmpp_stream::{Event, OwnedHeader, Parser};
/// use xmpp_stream::xmpp::{ContentNamespace, StreamHeader};
///
/// let mut parser = Parser::new();
/// parser.feed(b"<?xml version='1.0'?><stream:stream to='im.example.com' version='1.0' \
///     xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
/// let Some(Event::Header(h)) = parser.next_event()? else { panic!() };
/// let owned = OwnedHeader::new(&h);
/// drop(parser);
///
/// let view = owned.view();
/// let h = StreamHeader::new(view.header());
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
    /// Copies a header: the element of an [`Event::Header`], of [`Parser::header`], or
    /// of a WebSocket `<open/>`.
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

    /// The header element, decoding values into the caller's `arena`.
    pub fn header_in<'a>(&'a self, arena: &'a Arena) -> Element<'a> {
        self.doc.stanza_in(arena).root()
    }
}

fn reparse(bytes: &[u8]) -> Option<OwnedStanza> {
    let mut p = Parser::with_config(
        Config::default()
            .with_mode(Mode::Document)
            .with_limits(Limits::generous()),
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
            .field(&self.view().header())
            .finish()
    }
}

/// A view of an [`OwnedHeader`] (see [`OwnedHeader::view`]).
pub struct OwnedHeaderView<'o> {
    view: OwnedView<'o>,
}

impl OwnedHeaderView<'_> {
    /// The header element.
    pub fn header(&self) -> Element<'_> {
        self.view.root()
    }
}

impl fmt::Debug for OwnedHeaderView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OwnedHeaderView")
            .field(&self.header())
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
#[non_exhaustive]
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

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn owned_events_are_send_sync() {
        assert_send_sync::<OwnedEvent>();
        assert_send_sync::<OwnedHeader>();
    }
}

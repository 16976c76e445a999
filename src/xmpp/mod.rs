//! The XMPP layer: what stanzas and stream headers say, read through the core's views
//! (it never touches raw records), plus writing and WebSocket framing.
//!
//! - [`StreamHeader`]: `to`, `from`, `id`, [`Version`], `xml:lang`, the
//!   [`ContentNamespace`], the streams prefix, and [`StreamHeader::check`] which applies
//!   RFC 6120 section 4.7/4.8 and names the stream error to send. The core hands out
//!   headers as [`Element`](crate::Element)s ([`Event::Header`](crate::Event::Header),
//!   [`Parser::header`](crate::Parser::header), [`Stanza::header`], [`WsEvent::Open`]);
//!   [`StreamHeader::new`] reads one.
//! - Every [`Stanza`] (an [`Event::Stanza`](crate::Event::Stanza)) has XMPP accessors:
//!   [`kind`](Stanza::kind) ([`Kind`]), [`to`](Stanza::to), [`from`](Stanza::from),
//!   [`id`](Stanza::id), [`type_`](Stanza::type_) ([`StanzaType`]), the
//!   [`content_ns`](Stanza::content_ns), the [`error`](Stanza::error) of a
//!   `type='error'` stanza ([`StanzaError`]) and the
//!   [`stream_error`](Stanza::stream_error) of a `<stream:error/>` ([`StreamError`]),
//!   next to the core's element navigation, effective [`lang`](Stanza::lang) and
//!   [`inherited_namespaces`](Stanza::inherited_namespaces).
//! - Owned copies ([`OwnedStanza`], [`OwnedHeader`], [`OwnedEvent`]) are the core's and
//!   have the same accessors.
//! - Writing: [`escape_text`], [`escape_attr`], a small [`Writer`], [`write_header`],
//!   [`write_stream_error`], and [`write_stanza`] which writes a framed stanza as read,
//!   standalone (with the namespace declarations inherited from the stream header), or
//!   re-targeted to another content namespace ([`Target`]).
//! - [`WebSocketParser`]: RFC 7395 framing, one element per message, same views.
//!
//! # No allocation per stanza
//!
//! Views borrow the parser's buffer and its flat element index (reused from stanza to
//! stanza); text that needs decoding goes into the parser's arena, reset at each event.
//! Every accessor here returns borrowed data or small `Copy` values, so once the buffers
//! have grown to the largest stanza, reading stanzas allocates nothing (the crate's
//! `tests/no_alloc.rs` checks this with a counting allocator over the whole corpus).
//!
//! # Stream restarts, client side
//!
//! A client reads the server's stream. After `<proceed/>` (then the TLS handshake) and
//! after SASL `<success/>` both sides start a new stream: the client calls
//! [`Parser::restart`](crate::Parser::restart) and sends a new header; the server's new
//! header and features follow.
//!
//! ```
//! use xmpp_stream::{Event, Parser};
//! use xmpp_stream::xmpp::{ns, IqType, Kind, StanzaType, StreamHeader, Version};
//!
//! // What the server sends: three streams, each begun after a restart.
//! let server: [&[u8]; 3] = [
//!     b"<?xml version='1.0'?><stream:stream from='im.example.com' id='t7AMCin9zjMNwQKD' \
//!       to='juliet@im.example.com' version='1.0' xml:lang='en' xmlns='jabber:client' \
//!       xmlns:stream='http://etherx.jabber.org/streams'>\
//!       <stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>\
//!       <required/></starttls></stream:features>\
//!       <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
//!     // (TLS handshake)
//!     b"<?xml version='1.0'?><stream:stream from='im.example.com' id='vgKi/bkYME8OAj4r' \
//!       to='juliet@im.example.com' version='1.0' xml:lang='en' xmlns='jabber:client' \
//!       xmlns:stream='http://etherx.jabber.org/streams'>\
//!       <stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
//!       <mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms>\
//!       </stream:features>\
//!       <success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
//!     b"<?xml version='1.0'?><stream:stream from='im.example.com' id='gPybzaOzBmaADgxK' \
//!       to='juliet@im.example.com' version='1.0' xml:lang='en' xmlns='jabber:client' \
//!       xmlns:stream='http://etherx.jabber.org/streams'>\
//!       <stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>\
//!       <iq id='yhc13a95' type='result'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
//!       <jid>juliet@im.example.com/balcony</jid></bind></iq>",
//! ];
//!
//! let mut parser = Parser::new();
//! let mut sent = Vec::new(); // what the client would write, in order
//! let mut streams = Vec::new();
//! let mut jid = String::new();
//! for bytes in server {
//!     parser.feed(bytes);
//!     while let Some(event) = parser.next_event()? {
//!         let mut restart = false;
//!         match event {
//!             Event::Header(h) => {
//!                 let h = StreamHeader::new(h);
//!                 assert_eq!(h.from(), Some("im.example.com"));
//!                 assert_eq!(h.version(), Some(Version::V1_0));
//!                 streams.push(h.id().unwrap().to_string());
//!             }
//!             Event::Stanza(s) => match s.kind() {
//!                 Kind::StreamFeatures => {
//!                     if s.child(ns::TLS, "starttls").is_some() {
//!                         sent.push("<starttls/>");
//!                     } else if let Some(m) = s.child(ns::SASL, "mechanisms") {
//!                         let plain = m
//!                             .children_named(ns::SASL, "mechanism")
//!                             .any(|m| m.text() == "PLAIN");
//!                         assert!(plain);
//!                         sent.push("<auth mechanism='PLAIN'/>");
//!                     } else if s.child(ns::BIND, "bind").is_some() {
//!                         sent.push("<iq type='set'><bind/></iq>");
//!                     }
//!                 }
//!                 Kind::TlsProceed | Kind::SaslSuccess => {
//!                     assert!(s.kind().restarts_stream());
//!                     restart = true;
//!                     sent.push("<stream:stream>");
//!                 }
//!                 Kind::Iq if s.type_() == Some(StanzaType::Iq(IqType::Result)) => {
//!                     let bind = s.child(ns::BIND, "bind").unwrap();
//!                     jid = bind.child(ns::BIND, "jid").unwrap().text().to_string();
//!                 }
//!                 other => panic!("unexpected {other}"),
//!             },
//!             Event::Close => panic!("closed"),
//!             _ => {}
//!         }
//!         if restart {
//!             // The event is no longer used: the parser can be restarted. Bytes fed
//!             // after the <proceed/> or <success/> are kept for the new stream.
//!             parser.restart();
//!         }
//!     }
//! }
//! assert_eq!(streams, ["t7AMCin9zjMNwQKD", "vgKi/bkYME8OAj4r", "gPybzaOzBmaADgxK"]);
//! assert_eq!(sent, ["<starttls/>", "<stream:stream>", "<auth mechanism='PLAIN'/>",
//!     "<stream:stream>", "<iq type='set'><bind/></iq>"]);
//! assert_eq!(jid, "juliet@im.example.com/balcony");
//! # Ok::<(), xmpp_stream::Error>(())
//! ```
//!
//! # Stream restarts, server side
//!
//! A server reads the client's stream, checks each header, and restarts its parser right
//! after *writing* `<proceed/>` and `<success/>`: the client's next bytes are a new stream
//! header.
//!
//! ```
//! use xmpp_stream::{Event, Parser};
//! use xmpp_stream::xmpp::{
//!     ns, write_header, write_stream_error, HeaderCheck, HeaderSpec, IqType, Kind,
//!     StanzaType, StreamHeader,
//! };
//!
//! // What the client sends, each piece once the server has answered the previous one.
//! let client: [&[u8]; 4] = [
//!     b"<?xml version='1.0'?><stream:stream to='im.example.com' version='1.0' \
//!       xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
//!     b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
//!     // (TLS handshake, then a new stream)
//!     b"<stream:stream to='im.example.com' version='1.0' xml:lang='en' \
//!       xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\
//!       <auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>\
//!       AGp1bGlldAByMG0zMG15cjBtMzA=</auth>",
//!     b"<stream:stream to='im.example.com' version='1.0' xml:lang='en' \
//!       xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\
//!       <iq id='tn281v37' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
//!       <resource>balcony</resource></bind></iq>",
//! ];
//!
//! let check = HeaderCheck::client().hosts(&["im.example.com"]);
//! let mut parser = Parser::new();
//! let mut out = Vec::new(); // what the server writes
//! let mut log = Vec::new();
//! let (mut tls, mut authenticated) = (false, false);
//! for bytes in client {
//!     parser.feed(bytes);
//!     while let Some(event) = parser.next_event()? {
//!         let mut restart = false;
//!         match event {
//!             Event::Header(h) => {
//!                 let h = StreamHeader::new(h);
//!                 write_header(&mut out, &HeaderSpec {
//!                     from: h.to(),
//!                     id: Some("c2s-1"),
//!                     lang: Some("en"),
//!                     ..HeaderSpec::default()
//!                 });
//!                 if let Err(condition) = h.check(&check) {
//!                     write_stream_error(&mut out, condition, None);
//!                     return Ok(());
//!                 }
//!                 log.push(format!("header tls={tls} auth={authenticated}"));
//!                 out.extend_from_slice(match (tls, authenticated) {
//!                     (false, _) => &b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"[..],
//!                     (true, false) => b"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>",
//!                     (true, true) => b"<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
//!                 });
//!             }
//!             Event::Stanza(s) => match s.kind() {
//!                 Kind::StartTls => {
//!                     out.extend_from_slice(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
//!                     log.push("starttls".to_string());
//!                     tls = true;
//!                     restart = true;
//!                 }
//!                 Kind::SaslAuth => {
//!                     assert_eq!(s.attr("", "mechanism"), Some("PLAIN"));
//!                     assert_eq!(s.root().text(), "AGp1bGlldAByMG0zMG15cjBtMzA=");
//!                     out.extend_from_slice(b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
//!                     log.push("auth".to_string());
//!                     authenticated = true;
//!                     restart = true;
//!                 }
//!                 Kind::Iq if s.type_() == Some(StanzaType::Iq(IqType::Set)) => {
//!                     let bind = s.child(ns::BIND, "bind").unwrap();
//!                     let resource = bind.child(ns::BIND, "resource").unwrap().text();
//!                     log.push(format!("bind {resource} id={}", s.id().unwrap()));
//!                 }
//!                 other => panic!("unexpected {other}"),
//!             },
//!             Event::Close => log.push("close".to_string()),
//!             _ => {}
//!         }
//!         if restart {
//!             parser.restart();
//!         }
//!     }
//! }
//! assert_eq!(log, ["header tls=false auth=false", "starttls", "header tls=true auth=false",
//!     "auth", "header tls=true auth=true", "bind balcony id=tn281v37"]);
//! # Ok::<(), xmpp_stream::Error>(())
//! ```

mod error;
mod header;
mod kind;
pub mod ns;
mod stanza;
mod websocket;
mod writer;

pub use self::error::{StanzaError, StanzaErrorCondition, StanzaErrorType, StreamError};
pub use self::header::{ContentNamespace, HeaderCheck, StreamHeader, Version};
pub use self::kind::{IqType, Kind, MessageType, PresenceType, StanzaType};
pub use self::websocket::{WebSocketParser, WsEvent};
pub use self::writer::{
    write_close, write_header, write_open, write_stanza, write_stream_error, write_ws_close,
    HeaderSpec, Target, Writer,
};
pub use crate::escape::{escape_attr, escape_text};

#[cfg(doc)]
use crate::owned_event::{OwnedEvent, OwnedHeader};
#[cfg(doc)]
use crate::tree::{OwnedStanza, Stanza};

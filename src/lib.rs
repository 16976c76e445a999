//! # xmpp-stream
//!
//! The XML core of XMPP software: a resumable, zero-copy push parser for RFC 6120 streams
//! that turns the bytes of a connection into a stream header, stanzas and a stream close.
//!
//! - **Push, resumable, linear.** Feed bytes in chunks of any size; the scanner keeps its
//!   state across chunks, so one-byte feeds cost the same order of work as one big feed.
//! - **Framing.** The depth-0 start tag is the [`Event::Header`]; every complete depth-1
//!   element is an [`Event::Stanza`] with its exact raw bytes; whitespace keepalives produce
//!   nothing; `</stream:stream>` is [`Event::Close`]. [`Parser::restart`] begins a new
//!   stream after STARTTLS or SASL success.
//! - **Namespaces.** Element and attribute names are resolved; prefixes declared on the
//!   stream header apply to every stanza; unbound prefixes are errors.
//! - **Restricted XML** (RFC 6120 section 11): comments, processing instructions, DTDs and
//!   entity references other than the five predefined ones are rejected; UTF-8 only.
//! - **Bounded.** [`Limits`] cap stanza size, depth, attributes, names and namespace
//!   declarations; exceeding one is a `policy-violation` error raised before more than the
//!   limit is buffered.
//! - **Typed errors.** Every [`Error`] has a byte offset and maps to the RFC 6120
//!   stream-error [`Condition`] to send.
//!
//! ```
//! use xmpp_stream::{Event, Parser};
//!
//! let mut parser = Parser::new();
//! parser.feed(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
//!     xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>");
//! parser.feed(b"<message to='juliet@example.com' type='chat'><body>Art thou not Romeo, \
//!     and a Montague?</body></message>");
//! let mut seen = Vec::new();
//! while let Some(event) = parser.next_event()? {
//!     match event {
//!         Event::Header(h) => seen.push(format!("header to={}", h.attr("", "to").unwrap())),
//!         Event::Stanza(s) => {
//!             let m = s.root();
//!             let body = m.child("jabber:client", "body").map(|b| b.text()).unwrap_or("");
//!             seen.push(format!("{} {}", m.local_name(), body));
//!         }
//!         Event::Close => seen.push("close".into()),
//!     }
//! }
//! assert_eq!(seen, ["header to=example.com", "message Art thou not Romeo, and a Montague?"]);
//! # Ok::<(), xmpp_stream::Error>(())
//! ```
//!
//! ## Byte order mark
//! RFC 6120 section 11.6 says entities MUST NOT send a byte order mark; a leading UTF-8 BOM
//! is rejected as [`ErrorKind::ByteOrderMark`] (`restricted-xml`).

#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod chars;
mod condition;
mod decode;
pub mod dump;
mod error;
mod frame;
mod limits;
mod ns;
mod parser;
mod scan;
mod tree;
mod view;
pub mod xmpp;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[doc(inline)]
pub use crate::condition::Condition;
#[doc(inline)]
pub use crate::error::{Error, ErrorKind};
#[doc(inline)]
pub use crate::frame::Mode;
#[doc(inline)]
pub use crate::limits::{Limit, Limits};
#[doc(inline)]
pub use crate::ns::{STREAMS_NS, XMLNS_NS, XML_NS};
#[doc(inline)]
pub use crate::parser::{Config, Event, Parser, Stanza};
#[doc(inline)]
pub use crate::view::{Attribute, Attributes, Element, Node, Nodes, Text};
#[doc(inline)]
pub use crate::xmpp::{Kind, OwnedStanza, StanzaType, StreamHeader, WebSocketParser};

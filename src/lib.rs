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
//!         _ => {} // `Event` is `#[non_exhaustive]`: later versions may add events
//!     }
//! }
//! assert_eq!(seen, ["header to=example.com", "message Art thou not Romeo, and a Montague?"]);
//! # Ok::<(), xmpp_stream::Error>(())
//! ```
//!
//! # Guide
//!
//! ## Feeding
//!
//! A [`Parser`] owns its input buffer. Give it bytes as they arrive, in chunks of any size:
//! [`Parser::feed`] copies a slice in; [`Parser::spare_capacity`] and [`Parser::commit`]
//! (or [`Parser::read_from`]) let a socket read straight into the buffer;
//! [`Parser::feed_in_place`] reads a complete buffer (a file, a WebSocket message, a BOSH
//! body) where it lies, its events ([`InPlace`]) borrowing it, nothing copied but a stanza
//! cut at its end. Then call
//! [`Parser::next_event`] until it returns `Ok(None)`, which means "feed me more". Events
//! borrow the parser: each one is released by the next call, which is what lets the
//! parser hand out slices of its buffer and reuse its memory. At end of input,
//! [`Parser::finish`] says whether the stream was cut short (the `incomplete` error).
//!
//! The [`io`] module does the reading for you: [`io::Reader`] drives a parser from any
//! [`std::io::Read`] (a `TcpStream`, a file, stdin), reading into the parser's buffer only
//! when it needs bytes, and [`AsyncReader`] (feature `tokio`) does the same over a
//! `tokio::io::AsyncRead`. Both lend events like the parser, have the same methods, and
//! report one [`io::ReadError`] (an I/O error or a parse [`Error`]). For another runtime,
//! [`Parser::advance`] and [`Parser::take_event`] (the two halves of `next_event`) are
//! what the crate's own drivers are written with.
//!
//! ```
//! use xmpp_stream::io::Reader;
//! use xmpp_stream::Event;
//!
//! let wire: &[u8] = b"<stream:stream xmlns='jabber:client' \
//!     xmlns:stream='http://etherx.jabber.org/streams'><presence/> <iq type='get' id='1'/>";
//! let mut reader = Reader::new(wire); // any std::io::Read
//! let mut kinds = Vec::new();
//! while let Some(event) = reader.next_event()? {
//!     if let Event::Stanza(s) = event {
//!         kinds.push(s.kind().to_string()); // the event is released by the next call
//!     }
//! }
//! assert_eq!(kinds, ["presence", "iq"]);
//! # Ok::<(), xmpp_stream::io::ReadError>(())
//! ```
//!
//! ## Framing
//!
//! In [`Mode::Stream`] (the default) the stream root's start tag is [`Event::Header`]
//! (also kept as [`Parser::header`]), every complete depth-1 element (a stanza, or a
//! nonza such as `<stream:features/>` or `<sm:r/>`) is one [`Event::Stanza`] with its
//! exact input bytes ([`Stanza::raw`]) and stream offset, whitespace between stanzas
//! (keepalives) produces nothing, and `</stream:stream>` is [`Event::Close`]. A stanza is
//! handed out only once it is complete, so a handler never sees half an element.
//! [`Mode::Document`] parses one plain XML document instead (its root is the one stanza).
//! [`Mode::AnyRoot`] frames like [`Mode::Stream`] but accepts a root of any name and
//! namespace (a BOSH `<body/>`, or any stream-shaped XML).
//!
//! ## Views
//!
//! Events are views, not trees: an [`Element`] reads names ([`Element::local_name`],
//! [`Element::ns`] resolved), attributes ([`Element::attr`], [`Attribute`]) and children
//! ([`Element::nodes`], [`Node`], [`Text`]) straight from the buffer and a flat index
//! reused from stanza to stanza. Values that need decoding (references, CDATA, line ends)
//! are decoded on access into a per-event arena, so reading a stanza does not allocate
//! once the buffers have grown. A [`Stanza`] also knows its context: the stream header it
//! was read under ([`Stanza::header`]), the effective `xml:lang` ([`Stanza::lang`]) and
//! the namespace declarations it inherits ([`Stanza::inherited_namespaces`]). Headers
//! are handed out as [`Element`]s everywhere ([`Event::Header`], [`Parser::header`],
//! [`Stanza::header`], [`xmpp::WsEvent::Open`]).
//!
//! The [`xmpp`] module reads what they mean: stanzas get XMPP accessors
//! ([`Stanza::kind`], `to`/`from`/`id`/`type_`, the content namespace, stanza and stream
//! errors) and [`xmpp::StreamHeader`] reads a header element.
//!
//! To keep a stanza past the next event (to queue it, send it to another task), copy it
//! into an [`OwnedStanza`] (`Send + Sync + 'static`, same views, no reparsing; one heap
//! allocation holding bytes and index; cloning it is a reference count, so one stanza
//! routed to many sessions is never copied; its
//! views decode into an [`Arena`] of their own or one the caller lends);
//! [`OwnedEvent`] and [`OwnedHeader`] do the same for whole events. To write, use
//! [`xmpp::Writer`], [`xmpp::write_stanza`] (as read, standalone or re-targeted to another
//! content namespace) and the header, close and stream-error writers of [`xmpp`].
//!
//! ## Limits
//!
//! [`Limits`] (set through [`Config::with_limits`]) bound the stanza size, the header size,
//! nesting depth, attributes per element, name length, namespace declarations and
//! bindings, and the index entries per stanza. Passing one is an
//! [`ErrorKind::LimitExceeded`] error (`policy-violation`) raised as soon as the limit is
//! passed, before more than the limit's worth of the element is buffered; memory is
//! bounded by the current stanza plus the chunk being fed, and
//! [`Parser::release_memory`] gives grown buffers back on idle connections.
//!
//! Limits can follow the session: [`Parser::set_limits`] (and the same method on the
//! readers and the codec) changes them from the next stanza on, as a server does when a
//! client authenticates (small limits before SASL, larger after; a stanza half-read is
//! finished under the limits it started with). [`xmpp::StreamLimits`] and
//! [`xmpp::StreamLimitsSpec`] read and write the XEP-0478 `<limits/>` that advertises
//! them.
//!
//! Memory idles small by itself under the readers and the codec: about to wait for the
//! peer with nothing buffered and more than a threshold held (1 KiB by default,
//! [`Config::with_idle_release`]), they give grown buffers back, so that a large
//! stanza's growth does not outlive it (10 000 idle tokio connections hold about 1.4 KiB
//! each, the reader's own size included).
//!
//! ## Errors
//!
//! Every [`Error`] says which rule was broken ([`Error::kind`], an [`ErrorKind`]), where
//! ([`Error::offset`], bytes from the start of the stream) and which RFC 6120 stream
//! error to send ([`Error::condition`], a [`Condition`]; [`xmpp::write_stream_error`]
//! writes it). Errors are sticky: the parser returns the same error until
//! [`Parser::reset`]. The parser never panics on input.
//!
//! ## Restarts
//!
//! After STARTTLS (`<proceed/>` and the TLS handshake) and after SASL `<success/>` both
//! sides start a new stream on the same connection: call [`Parser::restart`] (or
//! [`io::Reader::restart`], or `XmppCodec::restart`) once the event that asked for it is
//! no longer used; bytes already read are kept for the new stream.
//! [`xmpp::Kind::restarts_stream`] says which elements do that. The [`xmpp`] module walks through both sides of a
//! negotiation as tested examples: [client side](xmpp#stream-restarts-client-side) and
//! [server side](xmpp#stream-restarts-server-side). Tools that read one direction of a
//! connection without following the negotiation can set
//! [`Config::with_implicit_restart`]: a new header between stanzas then restarts the stream
//! by itself.
//!
//! ## WebSocket mode
//!
//! XMPP over WebSocket (RFC 7395) sends one complete element per message, `<open/>`
//! instead of the stream header and `<close/>` instead of the stream close.
//! [`xmpp::WebSocketParser`] reads each message in place as one document (the views
//! borrow the message; nothing is copied) and yields [`xmpp::WsEvent`]s with the same
//! stanza views; [`xmpp::write_open`] and [`xmpp::write_ws_close`] write the framing
//! elements, and [`xmpp::Target::Standalone`] writes stanzas that stand alone as
//! messages.
//!
//! ## BOSH
//!
//! XMPP over BOSH (XEP-0124/XEP-0206) wraps stanzas in one
//! `<body xmlns='http://jabber.org/protocol/httpbind'>` per HTTP request and response.
//! [`xmpp::BoshReader`] reads one body: the [`xmpp::Body`] view with typed attributes,
//! then the stanzas inside with the same views (unqualified ones read as
//! `jabber:client`); [`xmpp::write_body`] writes bodies. Underneath is
//! [`Mode::AnyRoot`], stream framing under a root of any name.
//!
//! ## Roles and transports
//!
//! The [`roles`] page says which reader, header check and writer each role (client,
//! server, gateway component) and transport (TCP, WebSocket, BOSH) uses, and which
//! example or interop test shows it against a real server (`examples/component.rs` is a
//! XEP-0114 gateway on the `tokio` codec; `tests/interop/roles.sh` runs it, a WebSocket
//! session and a BOSH session against Prosody).
//!
//! ## Async I/O and codecs (feature `tokio`)
//!
//! [`AsyncReader`] reads a `tokio::io::AsyncRead` straight into the parser and lends
//! events (its `next_event` is cancel-safe). [`XmppCodec`] implements
//! `tokio_util::codec::Decoder` (yielding [`OwnedEvent`]s: the header, stanzas, the close)
//! and `Encoder` (of [`Packet`]s: headers, stanzas, raw XML, stream errors, the close), so
//! a connection drops into `FramedRead`, `FramedWrite` or `Framed`; it recycles the
//! owned stanzas its caller has dropped, so that decoding allocates nothing per stanza in
//! steady state. The
//! `examples/c2s_server/` example is a small client-to-server server built that way
//! (SASL PLAIN, restarts, binding, roster, presence, routing) that real clients such as
//! slixmpp log in to.
//!
//! ## minidom interop (feature `minidom`)
//!
//! The [`minidom`] module converts views, stanzas and owned stanzas into
//! `minidom::Element` (the DOM that xmpp-rs's `xmpp-parsers` types convert from), and
//! `minidom::Element` back into bytes and [`OwnedStanza`]s, so a project built on
//! xmpp-rs can read its streams with this crate and keep its stanza handling.
//!
//! ## Typed stanzas with xso (feature `xso`)
//!
//! The [`xso`] module builds [`xso::FromXml`](https://docs.rs/xso/0.4) values, such as
//! `xmpp-parsers` 0.23's `Message`, `Presence`, `Iq` or `StreamFeatures`, straight from a
//! view: `xmpp_stream::xso::from_element::<Message>(stanza)` replays the element as the
//! `rxml` events xso's builders take (no DOM, no second parse), from an [`Element`], a
//! [`Stanza`] (which inherits the stream header's `xml:lang`, as tokio-xmpp reads it) or
//! an [`OwnedStanza`]. `xso::write_xso` writes an `AsXml` value with the crate's
//! [`xmpp::Writer`].
//!
//! ## Feature flags
//!
//! No feature is on by default: the default build depends on `memchr`, `smallvec` and
//! `bumpalo` only.
//!
//! | feature | adds | dependencies |
//! |---|---|---|
//! | `tokio` | [`AsyncReader`], the [`codec`] module ([`XmppCodec`], [`Packet`]) | `tokio` (no runtime features), `tokio-util` (`codec`), `bytes` |
//! | `minidom` | the [`minidom`] module | `minidom` 0.19 |
//! | `xso` | the [`xso`] module | `xso` 0.4, `rxml` 0.14 (no default features) |
//!
//! ## Byte order mark
//! RFC 6120 section 11.6 says entities MUST NOT send a byte order mark; a leading UTF-8 BOM
//! is rejected as [`ErrorKind::ByteOrderMark`] (`restricted-xml`).
//!
//! ## Minimum supported Rust version
//!
//! 1.82 (`rust-version` in Cargo.toml), with or without features.
//!
#![cfg_attr(feature = "tokio", doc = "[`AsyncReader`]: crate::io::AsyncReader")]
#![cfg_attr(feature = "tokio", doc = "[`XmppCodec`]: crate::codec::XmppCodec")]
#![cfg_attr(feature = "tokio", doc = "[`Packet`]: crate::codec::Packet")]
#![cfg_attr(feature = "tokio", doc = "[`codec`]: crate::codec")]
#![cfg_attr(not(feature = "tokio"), doc = "[`AsyncReader`]: #feature-flags")]
#![cfg_attr(not(feature = "tokio"), doc = "[`XmppCodec`]: #feature-flags")]
#![cfg_attr(not(feature = "tokio"), doc = "[`Packet`]: #feature-flags")]
#![cfg_attr(not(feature = "tokio"), doc = "[`codec`]: #feature-flags")]
#![cfg_attr(feature = "minidom", doc = "[`minidom`]: crate::minidom")]
#![cfg_attr(not(feature = "minidom"), doc = "[`minidom`]: #feature-flags")]
#![cfg_attr(feature = "xso", doc = "[`xso`]: crate::xso")]
#![cfg_attr(not(feature = "xso"), doc = "[`xso`]: #feature-flags")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod bytes_eq;
mod chars;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod codec;
mod condition;
mod config;
mod decode;
#[doc(hidden)]
pub mod dump;
mod error;
mod escape;
mod frame;
pub mod io;
mod limits;
#[cfg(feature = "minidom")]
#[cfg_attr(docsrs, doc(cfg(feature = "minidom")))]
pub mod minidom;
mod ns;
mod owned_event;
mod parser;
pub mod roles;
mod scan;
mod tree;
mod window;
pub mod xmpp;
#[cfg(feature = "xso")]
#[cfg_attr(docsrs, doc(cfg(feature = "xso")))]
pub mod xso;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// Hooks for the fuzz targets (`cfg(fuzzing)`, set by `cargo fuzz`; not part of the API).
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod __fuzz {
    /// Checks every SIMD classification backend against the scalar one on `data` at every
    /// alignment; panics on a disagreement.
    pub fn classify(data: &[u8]) {
        crate::scan::classify::check_backends(data);
    }
}

#[doc(inline)]
pub use crate::condition::Condition;
#[doc(inline)]
pub use crate::config::{Config, DEFAULT_IDLE_RELEASE};
#[doc(inline)]
pub use crate::error::{Error, ErrorKind};
#[doc(inline)]
pub use crate::frame::Mode;
#[doc(inline)]
pub use crate::limits::{Limit, Limits};
#[doc(inline)]
pub use crate::owned_event::{OwnedEvent, OwnedHeader, OwnedHeaderView};
pub use crate::parser::{Event, InPlace, Parser};
#[doc(inline)]
pub use crate::tree::{
    Arena, Attribute, Attributes, Element, Node, Nodes, OwnedStanza, OwnedView, Stanza, Text,
};
#[doc(inline)]
pub use crate::tree::{XMLNS_NS, XML_NS};

//! Drivers that read a byte stream straight into a [`Parser`]'s buffer and hand out its
//! events: [`Reader`] over any [`std::io::Read`] (a `TcpStream`, a file, stdin) and, with
//! the `tokio` feature, [`AsyncReader`] over any `tokio::io::AsyncRead`.
//!
//! Both lend their events the way [`Parser::next_event`] does: an event borrows the
//! reader until the next call, so the loop is `while let Some(event) =
//! reader.next_event()? { ... }`, and restarting the stream (after STARTTLS or SASL
//! success) is a call to [`Reader::restart`] once the event that asked for it is no
//! longer used. No byte is copied between the reader and the parser: each read goes into
//! the parser's spare capacity ([`Parser::spare_capacity`]).
//!
//! Errors are one [`ReadError`]: an I/O error from the reader, or a parse [`Error`]
//! (sticky, like the parser's) including the `incomplete` error of a stream that ended
//! inside its header or a stanza.
//!
//! ```
//! use xmpp_stream::io::Reader;
//! use xmpp_stream::Event;
//!
//! let input: &[u8] = b"<stream:stream xmlns='jabber:client' \
//!     xmlns:stream='http://etherx.jabber.org/streams'>\
//!     <message><body>hi</body></message></stream:stream>";
//! let mut reader = Reader::new(input);
//! let mut seen = Vec::new();
//! while let Some(event) = reader.next_event()? {
//!     seen.push(match event {
//!         Event::Header(_) => "header".to_string(),
//!         Event::Stanza(s) => s.root().child("jabber:client", "body").unwrap().text().into(),
//!         Event::Close => "close".to_string(),
//!         _ => "other".to_string(), // `Event` is `#[non_exhaustive]`
//!     });
//! }
//! assert_eq!(seen, ["header", "hi", "close"]);
//! assert_eq!(reader.bytes_read(), input.len() as u64);
//! # Ok::<(), xmpp_stream::io::ReadError>(())
//! ```
//!
//! The two drivers share one core (`driver.rs`): the same loop (scan, hand out the event,
//! or read more), the same state and the same methods, [`chunk_size`](Reader::chunk_size)
//! included; only the read itself differs. A driver for another runtime (smol, glommio,
//! mio, a completion-based API) is the same loop around that runtime's read, written with
//! the parser's lending step, [`Parser::advance`] and [`Parser::take_event`] (see there
//! for an example).
//!
//! [`Parser`]: crate::Parser
//! [`Parser::next_event`]: crate::Parser::next_event
//! [`Parser::spare_capacity`]: crate::Parser::spare_capacity
//! [`Parser::advance`]: crate::Parser::advance
//! [`Parser::take_event`]: crate::Parser::take_event
//! [`Error`]: crate::Error
#![cfg_attr(not(feature = "tokio"), doc = "[`AsyncReader`]: crate#feature-flags")]

mod blocking;
mod driver;
mod error;
#[cfg(feature = "tokio")]
mod tokio;

pub use self::blocking::Reader;
pub use self::error::ReadError;
#[cfg(feature = "tokio")]
pub use self::tokio::AsyncReader;

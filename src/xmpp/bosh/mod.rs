//! XMPP over BOSH (XEP-0124, XEP-0206): every HTTP request and response carries one
//! `<body xmlns='http://jabber.org/protocol/httpbind'>` wrapper whose children are
//! stanzas. [`BoshReader`] reads one HTTP body: the [`Body`] view of the wrapper, then
//! each stanza inside through the same [`Stanza`] views as on a TCP stream; [`write_body`]
//! writes bodies (session request and response, restart, terminate).
//!
//! The layer is thin: each body is parsed by a [`Parser`] in [`Mode::AnyRoot`]
//! (the `<body>` start tag is the header, bounded by [`Limits::max_header_bytes`]; each
//! child is a stanza, bounded by the stanza limits), recycled between bodies (its
//! buffers are kept, so steady state allocates nothing). As XEP-0206 section 5 (and
//! Prosody's `mod_bosh`) say, stanzas that inherit the body's default namespace are read
//! as `jabber:client`: `<body xmlns='http://jabber.org/protocol/httpbind'><message/>`
//! holds a `jabber:client` message, with `jabber:client` children. An element that
//! declares the httpbind namespace itself stays in it.

mod body;
mod writer;

pub use self::body::{Body, BodyType, BoshCondition};
pub use self::writer::{write_body, BodySpec};

use super::ns;
use crate::condition::Condition;
use crate::error::{Error, ErrorKind};
use crate::frame::Mode;
use crate::limits::Limits;
use crate::parser::{Config, Event, Parser};
use crate::tree::Stanza;
use core::fmt;

/// Default [`BoshReader`] body limit: 1 MiB (Prosody's `bosh_max_request_size` is 10 KiB
/// for requests; responses carry whole stanzas).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// Why a BOSH body was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoshError {
    /// The body's XML is wrong or breaks a [`Limits`] value (offsets count from the
    /// body's first byte), or the body ends early ([`ErrorKind::UnexpectedEof`]) or has
    /// something after `</body>`.
    Xml(Error),
    /// The HTTP body is longer than the reader's `max_body_bytes`.
    TooLarge {
        /// The body's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The root element is not `body` in `http://jabber.org/protocol/httpbind`.
    NotBody,
}

impl BoshError {
    /// The stream-error condition of the error (as a TCP stream would close with).
    pub fn stream_condition(&self) -> Condition {
        match self {
            BoshError::Xml(e) => e.condition(),
            BoshError::TooLarge { .. } => Condition::PolicyViolation,
            BoshError::NotBody => Condition::InvalidNamespace,
        }
    }

    /// The terminal binding condition a connection manager answers with
    /// (`policy-violation` for a limit, `bad-request` otherwise).
    pub fn condition(&self) -> BoshCondition<'static> {
        BoshCondition::for_stream_condition(self.stream_condition())
    }
}

impl From<Error> for BoshError {
    fn from(e: Error) -> Self {
        BoshError::Xml(e)
    }
}

impl fmt::Display for BoshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoshError::Xml(e) => write!(f, "BOSH body: {e}"),
            BoshError::TooLarge { len, max } => {
                write!(f, "BOSH body of {len} bytes exceeds the limit of {max}")
            }
            BoshError::NotBody => f.write_str("BOSH body: the root is not <body/> in httpbind"),
        }
    }
}

impl std::error::Error for BoshError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No body read (or the last one failed).
    Idle,
    /// Between stanzas of the current body.
    Stanzas,
    /// The current body was read to its end.
    Done,
}

/// Reads BOSH bodies (XEP-0124/XEP-0206), one HTTP body per [`read`](Self::read), then
/// its stanzas one by one with [`next_stanza`](Self::next_stanza).
///
/// ```
/// use xmpp_stream::xmpp::{ns, BoshReader, Kind};
///
/// let mut bosh = BoshReader::new();
/// let body = bosh.read(b"<body xmlns='http://jabber.org/protocol/httpbind' rid='2' \
///     sid='s1' xmlns:stream='http://etherx.jabber.org/streams'>\
///     <message to='juliet@example.com' type='chat'><body>hi</body></message>\
///     <stream:features/></body>")?;
/// assert_eq!((body.rid(), body.sid()), (Some(2), Some("s1")));
///
/// let s = bosh.next_stanza()?.unwrap();
/// // Unqualified stanzas in a body are jabber:client (XEP-0206 section 5).
/// assert_eq!(s.kind(), Kind::Message);
/// assert_eq!(s.child(ns::CLIENT, "body").unwrap().text(), "hi");
/// assert_eq!(s.content_ns(), Some(ns::CLIENT));
/// let mut standalone = Vec::new();
/// s.write_to(&mut standalone, xmpp_stream::xmpp::Target::Standalone);
/// assert!(standalone.starts_with(b"<message xmlns='jabber:client'"));
///
/// assert_eq!(bosh.next_stanza()?.unwrap().kind(), Kind::StreamFeatures);
/// assert!(bosh.next_stanza()?.is_none()); // </body>
/// assert_eq!(bosh.body().unwrap().sid(), Some("s1"));
///
/// // A body must be complete and alone.
/// bosh.read(b"<body xmlns='http://jabber.org/protocol/httpbind'><presence/>")?;
/// assert!(bosh.next_stanza()?.is_some());
/// assert!(bosh.next_stanza().is_err());
/// # Ok::<(), xmpp_stream::xmpp::BoshError>(())
/// ```
pub struct BoshReader {
    parser: Parser,
    max_body_bytes: usize,
    state: State,
    len: usize,
}

impl Default for BoshReader {
    fn default() -> Self {
        BoshReader::new()
    }
}

impl fmt::Debug for BoshReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoshReader")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl BoshReader {
    /// A reader with default [`Limits`] and [`DEFAULT_MAX_BODY_BYTES`].
    pub fn new() -> Self {
        BoshReader::with_limits(Limits::default(), DEFAULT_MAX_BODY_BYTES)
    }

    /// A reader with the given limits (`max_header_bytes` bounds the `<body>` start tag,
    /// the stanza limits each stanza) and a bound on the whole HTTP body.
    pub fn with_limits(limits: Limits, max_body_bytes: usize) -> Self {
        let mut config = Config::default()
            .with_mode(Mode::AnyRoot)
            .with_limits(limits);
        config.rebind_default = Some((ns::HTTPBIND, ns::CLIENT));
        BoshReader {
            parser: Parser::with_config(config),
            max_body_bytes,
            state: State::Idle,
            len: 0,
        }
    }

    /// Reads the start of one HTTP body, up to the end of its `<body>` start tag, and
    /// returns its view; the stanzas follow from [`next_stanza`](Self::next_stanza).
    /// Whatever was left of the previous body is dropped. Errors are not sticky across
    /// bodies: the next `read` starts afresh.
    pub fn read(&mut self, http_body: &[u8]) -> Result<Body<'_>, BoshError> {
        self.state = State::Idle;
        if http_body.len() > self.max_body_bytes {
            return Err(BoshError::TooLarge {
                len: http_body.len(),
                max: self.max_body_bytes,
            });
        }
        self.parser.recycle();
        self.parser.feed(http_body);
        self.len = http_body.len();
        match self.parser.next_event()? {
            Some(Event::Header(h)) if h.is(ns::HTTPBIND, "body") => {}
            Some(_) => return Err(BoshError::NotBody),
            None => {
                return Err(BoshError::Xml(Error::new(
                    ErrorKind::UnexpectedEof,
                    self.len as u64,
                )))
            }
        }
        self.state = State::Stanzas;
        self.body().ok_or(BoshError::NotBody)
    }

    /// The body last read by [`read`](Self::read), if it was one.
    pub fn body(&self) -> Option<Body<'_>> {
        if self.state == State::Idle {
            return None;
        }
        self.parser.header().map(Body::new)
    }

    /// The next stanza of the current body; `Ok(None)` once `</body>` has been read (and
    /// nothing but whitespace follows it). An error when the body ends early or has
    /// something after `</body>`.
    pub fn next_stanza(&mut self) -> Result<Option<Stanza<'_>>, BoshError> {
        if self.state != State::Stanzas {
            return Ok(None);
        }
        let ready = match self.parser.advance() {
            Ok(r) => r,
            Err(e) => return Err(self.fail(e)),
        };
        if !ready {
            let e = Error::new(ErrorKind::UnexpectedEof, self.len as u64);
            return Err(self.fail(e));
        }
        if self.parser.is_closed() {
            // The pending event is the close; anything after `</body>` but whitespace is
            // an error, and so is a body cut short.
            let _close = self.parser.take_event();
            // After the root's close the framer reports anything but whitespace as an
            // error, so no event can follow; should one, it is content after the root.
            let end = match self.parser.advance() {
                Ok(true) => Err(Error::new(
                    ErrorKind::ContentAfterRoot,
                    self.parser.offset(),
                )),
                Ok(false) => self.parser.finish(),
                Err(e) => Err(e),
            };
            if let Err(e) = end {
                return Err(self.fail(e));
            }
            self.state = State::Done;
            return Ok(None);
        }
        match self.parser.take_event() {
            Some(Event::Stanza(s)) => Ok(Some(s)),
            _ => Ok(None),
        }
    }

    fn fail(&mut self, e: Error) -> BoshError {
        self.state = State::Idle;
        BoshError::Xml(e)
    }
}

#[cfg(test)]
mod tests;

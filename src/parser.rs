//! The push driver: runs the scanner over its input buffer with the framer (seen through
//! the event window) as sink, lends one event at a time, keeps the sticky error and applies
//! limits between events. The one type most users touch. The buffer's bookkeeping
//! (appending, compaction, memory) is in `parser/buffer.rs`.

mod buffer;
mod in_place;
#[cfg(test)]
pub(crate) mod render;

pub(crate) use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::frame::{Framer, Mode, Pending, Phase};
use crate::limits::Limits;
use crate::scan::{Scanner, Step};
use crate::tree::{Context, Element, Stanza, Store, TreeRef};
use crate::window::{Framing, Window};
pub(crate) use buffer::MIN_READ;
use bumpalo::Bump;
use core::fmt;
pub use in_place::InPlace;

/// One stream event. Events borrow the parser; the next call to
/// [`Parser::next_event`] releases them.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The stream header (`<stream:stream ...>` start tag; in [`Mode::AnyRoot`] the
    /// root's start tag): an element with attributes and no children. Also available
    /// later from [`Parser::header`].
    Header(Element<'a>),
    /// A complete depth-1 element (a stanza or a nonza such as `<stream:features/>`).
    /// In [`Mode::Document`] the root element.
    Stanza(Stanza<'a>),
    /// The stream root was closed (`</stream:stream>`, or the root's end tag in
    /// [`Mode::AnyRoot`]).
    Close,
}

/// The bytes of a framed stanza (or document root) as the `&str` the views slice, without
/// validating them again: one conversion per event instead of a `from_utf8` per name,
/// value and text read (which cost as much as parsing, issue 11).
#[allow(unsafe_code)]
#[inline]
fn scanned_str(tree: &[u8]) -> &str {
    debug_assert!(
        core::str::from_utf8(tree).is_ok(),
        "scanner let invalid UTF-8 through"
    );
    // SAFETY: `tree` is the range of a complete stanza (`Pending::Tree`) in the bytes the
    // scanner ran over (the buffer, or input read in place, `InPlace`, whose ranges are
    // the same as if it had been fed): it lies before the scanner's position, and the
    // scanner validates every byte it passes as UTF-8
    // (an invalid sequence is `ErrorKind::InvalidUtf8`, raised before any event after
    // it); the range starts at the stanza's `<` and ends after its last `>`, both ASCII,
    // so it cuts no character. Debug builds (tests, fuzzing) check it above; the fuzz
    // targets also assert it of every stanza (`fuzz/src/lib.rs`).
    unsafe { core::str::from_utf8_unchecked(tree) }
}

/// A resumable push parser for one XMPP stream (or one XML document).
///
/// Feed it bytes as they arrive, in chunks of any size, with [`feed`](Self::feed) (or read
/// straight into its buffer with [`spare_capacity`](Self::spare_capacity) and
/// [`commit`](Self::commit), or read a complete buffer where it lies with
/// [`feed_in_place`](Self::feed_in_place)); then call [`next_event`](Self::next_event) until it returns
/// `Ok(None)`, which means "feed me more". At end of input call
/// [`finish`](Self::finish) to learn whether the stream was cut short.
///
/// ```
/// use xmpp_stream::{Event, Parser};
/// let mut parser = Parser::new();
/// let mut stanzas = 0;
/// for chunk in [&b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx"[..],
///               b".jabber.org/streams'><message><body>hi</bo", b"dy></message> </stream:stream>"] {
///     parser.feed(chunk);
///     while let Some(event) = parser.next_event()? {
///         match event {
///             Event::Header(h) => assert_eq!(h.attr("", "to"), None),
///             Event::Stanza(s) => {
///                 stanzas += 1;
///                 assert_eq!(s.root().child("jabber:client", "body").unwrap().text(), "hi");
///             }
///             Event::Close => {}
///             _ => {}
///         }
///     }
/// }
/// parser.finish()?;
/// assert_eq!(stanzas, 1);
/// # Ok::<(), xmpp_stream::Error>(())
/// ```
pub struct Parser {
    /// Input bytes; `buf[..filled]` is data, the rest is zeroed space for readers.
    buf: Vec<u8>,
    filled: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    scanner: Scanner,
    window: Window,
    framer: Framer,
    arena: Bump,
    /// Whether a view may have decoded into the arena since it was last reset (set when
    /// an event or the header is handed out), so idle calls skip the reset.
    arena_lent: core::cell::Cell<bool>,
    error: Option<Error>,
    config: Config,
    /// [`Parser::set_limits`] was called while an event was being read: the limits in
    /// `config` take effect once it is complete.
    limits_pending: bool,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new()
    }
}

impl fmt::Debug for Parser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Parser")
            .field("offset", &self.offset())
            .field("buffered", &self.buffered())
            .field("error", &self.error)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Parser {
    /// A stream parser with default [`Limits`].
    pub fn new() -> Self {
        Parser::with_config(Config::default())
    }

    /// A parser with the given configuration.
    pub fn with_config(config: Config) -> Self {
        let stream = config.mode != Mode::Document;
        Parser {
            buf: Vec::new(),
            filled: 0,
            base: 0,
            scanner: Scanner::new(config.limits.max_name_bytes),
            window: Window::new(&config.limits, stream, config.implicit_restart),
            framer: {
                let mut f = Framer::new(config.mode, config.limits, config.implicit_restart);
                f.rebind_default = config.rebind_default;
                f
            },
            arena: Bump::new(),
            arena_lent: core::cell::Cell::new(false),
            error: None,
            config,
            limits_pending: false,
        }
    }

    /// The configuration this parser was built with (its limits are the last ones
    /// [`set_limits`](Self::set_limits) set, if it was called).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Changes the limits for the rest of the stream, as a server does after
    /// authentication (small limits for an unauthenticated peer, larger ones after SASL
    /// success), like fast_xml's `change_limits`.
    ///
    /// The new limits apply from the next event on: called between events (after
    /// `next_event` returned an event or `Ok(None)` with nothing half-read), they apply
    /// at once; called while a stanza (or the header) is half-read, that stanza is
    /// finished under the limits it started with and the new ones apply from the event
    /// after it. They survive [`restart`](Self::restart) and [`reset`](Self::reset)
    /// (they are this parser's [`config`](Self::config) limits from the call on).
    ///
    /// ```
    /// use xmpp_stream::{ErrorKind, Event, Limits, Parser};
    /// let mut small = Limits::default();
    /// small.max_stanza_bytes = 16;
    /// let mut parser = Parser::with_config(xmpp_stream::Config::default().with_limits(small));
    /// parser.feed(b"<stream:stream xmlns='jabber:client' \
    ///     xmlns:stream='http://etherx.jabber.org/streams'><presence/>");
    /// parser.next_event()?;
    /// assert!(matches!(parser.next_event()?, Some(Event::Stanza(_))));
    /// // Authenticated: allow more.
    /// parser.set_limits(Limits::default());
    /// parser.feed(b"<message><body>longer than sixteen bytes</body></message>");
    /// assert!(matches!(parser.next_event()?, Some(Event::Stanza(_))));
    /// # Ok::<(), xmpp_stream::Error>(())
    /// ```
    pub fn set_limits(&mut self, limits: Limits) {
        self.config.limits = limits;
        self.limits_pending = true;
        if self.window.start().is_none() {
            self.apply_next_limits();
        }
    }

    /// Puts limits set by [`set_limits`](Self::set_limits) in force (no event window is
    /// open: nothing but whitespace between events is half-read).
    #[cold]
    fn apply_next_limits(&mut self) {
        let limits = self.config.limits;
        self.limits_pending = false;
        self.scanner.set_max_name(limits.max_name_bytes);
        self.window.set_limits(&limits);
        self.framer.set_limits(limits);
    }

    /// Whether end of input now would cut something short (an event, or a construct
    /// the scanner is in).
    fn in_progress(&self) -> bool {
        self.window.start().is_some() || self.scanner.eof_error(self.filled).is_some()
    }

    /// The next event, `Ok(None)` when more input is needed, or the (sticky) error.
    ///
    /// The returned event borrows the parser; it is released by the next call, which may
    /// then reuse its bytes.
    #[inline]
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, Error> {
        if self.skip_plain() {
            return Ok(None);
        }
        self.next_event_scanning()
    }

    /// [`next_event`](Self::next_event) past its shortcut.
    #[inline(never)]
    fn next_event_scanning(&mut self) -> Result<Option<Event<'_>>, Error> {
        if self.advance_scanning()? {
            Ok(self.take_event())
        } else {
            Ok(None)
        }
    }

    /// The shortcut of small feeds: `true` when the bytes fed since the last call are all
    /// plain bytes of the text, value or name the scanner is in (see
    /// `Scanner::skip_plain`), which it has consumed: then scanning would find no event,
    /// and nothing else would change (no error, no arena to reset, no limits to apply; a
    /// construct is half-read, so the buffer is not reset either). This is what makes a
    /// one-byte feed cost a few instructions in most places (issue 11).
    #[inline(always)]
    fn skip_plain(&mut self) -> bool {
        // An empty header's close (`close_after_header`) follows a complete event, where
        // the scanner is in text outside elements: never a plain run.
        let plain = self.error.is_none()
            && !self.arena_lent.get()
            && !self.limits_pending
            && self
                .scanner
                .skip_plain(&self.buf[..self.filled], self.window.end());
        debug_assert!(!(plain && self.framer.close_after_header));
        plain
    }

    /// The first half of [`next_event`](Self::next_event), the parser's lending step:
    /// scans until an event is complete (`Ok(true)`; [`take_event`](Self::take_event)
    /// then hands it out) or more input is needed (`Ok(false)`), or returns the (sticky)
    /// error. Releases the previous event.
    ///
    /// This is what a zero-copy driver for a runtime of its own (smol, glommio, mio, a
    /// completion-based API) is built on. A loop around `next_event` that returns the
    /// event or else reads more does not compile: the returned event borrows the parser
    /// for the rest of the loop, so the read cannot borrow it again. Asking "is an event
    /// ready?" first, without a borrow, and taking the event only then, does; the
    /// crate's own `io::Reader` and `io::AsyncReader` are this loop.
    ///
    /// ```
    /// use std::io::Read;
    /// use xmpp_stream::{Error, Event, Parser};
    ///
    /// /// A driver over a runtime's read (here `std::io::Read`; with smol or glommio the
    /// /// same loop awaits `AsyncReadExt::read`).
    /// struct Driver<S> {
    ///     socket: S,
    ///     parser: Parser,
    ///     eof: bool,
    /// }
    ///
    /// impl<S: Read> Driver<S> {
    ///     fn next_event(&mut self) -> Result<Option<Event<'_>>, Error> {
    ///         loop {
    ///             if self.parser.advance()? {
    ///                 return Ok(self.parser.take_event());
    ///             }
    ///             if self.eof {
    ///                 self.parser.finish()?;
    ///                 return Ok(None);
    ///             }
    ///             // The runtime's read, straight into the parser's buffer.
    ///             let n = self.socket.read(self.parser.spare_capacity()).expect("read");
    ///             self.parser.commit(n);
    ///             self.eof = n == 0;
    ///         }
    ///     }
    /// }
    ///
    /// let socket: &[u8] = b"<stream:stream xmlns='jabber:client' \
    ///     xmlns:stream='http://etherx.jabber.org/streams'><presence/></stream:stream>";
    /// let mut d = Driver { socket, parser: Parser::new(), eof: false };
    /// let mut kinds = Vec::new();
    /// while let Some(event) = d.next_event()? {
    ///     kinds.push(match event {
    ///         Event::Header(_) => "header",
    ///         Event::Stanza(_) => "stanza",
    ///         Event::Close => "close",
    ///         _ => "other", // `Event` is `#[non_exhaustive]`
    ///     });
    /// }
    /// assert_eq!(kinds, ["header", "stanza", "close"]);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// `next_event` is `advance` then `take_event`; both begin with the same shortcut for
    /// small feeds, inlined into the caller.
    #[inline]
    pub fn advance(&mut self) -> Result<bool, Error> {
        if self.skip_plain() {
            return Ok(false);
        }
        self.advance_scanning()
    }

    /// [`advance`](Self::advance) past its shortcut.
    #[inline(always)]
    fn advance_scanning(&mut self) -> Result<bool, Error> {
        self.advance_in(None)
    }

    /// The lending step over the buffer (`input` `None`) or over input read in place
    /// ([`InPlace`]; the buffer is then empty, and `input` stands where its bytes would
    /// be: every index is the same as if `input` had been fed).
    #[inline(always)]
    fn advance_in(&mut self, input: Option<&[u8]>) -> Result<bool, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.arena_lent.replace(false) {
            self.arena.reset();
        }
        if self.framer.close_after_header && self.framer.pending.is_none() {
            self.framer.close_after_header = false;
            self.framer.pending = Some(Pending::Close);
            return Ok(true);
        }
        let mut sink = Framing {
            framer: &mut self.framer,
            window: &mut self.window,
        };
        let buf = match input {
            Some(input) => input,
            None => &self.buf[..self.filled],
        };
        let step = self.scanner.scan(buf, &mut sink);
        match step {
            Err(e) => {
                let e = e.rebase(self.base);
                self.error = Some(e);
                Err(e)
            }
            Ok(Step::NeedMore) => {
                if self.limits_pending && self.window.start().is_none() {
                    self.apply_next_limits();
                }
                // (Input read in place keeps what it needs when it is spent, `InPlace`.)
                if input.is_none() && self.scanner.pos() == self.filled && !self.in_progress() {
                    // Everything consumed: start over at the front of the buffer.
                    self.base += self.filled as u64;
                    self.shift(self.filled);
                    self.filled = 0;
                }
                Ok(false)
            }
            Ok(Step::Event) => {
                self.window.close();
                if self.limits_pending {
                    self.apply_next_limits();
                }
                Ok(true)
            }
        }
    }

    /// The second half of [`next_event`](Self::next_event): hands out the event that
    /// [`advance`](Self::advance) completed, borrowing the parser until the next call to
    /// `advance` or `next_event`. `None` if `advance` has not returned `Ok(true)` since
    /// the last event was taken.
    pub fn take_event(&mut self) -> Option<Event<'_>> {
        self.take_event_in(None)
    }

    /// [`take_event`](Self::take_event) over the buffer (`input` `None`) or over input
    /// read in place, as [`advance_in`](Self::advance_in).
    #[inline(always)]
    fn take_event_in<'a>(&'a mut self, input: Option<&'a [u8]>) -> Option<Event<'a>> {
        let pending = self.framer.pending.take()?;
        self.arena_lent.set(true);
        Some(match pending {
            Pending::Header => {
                let table = &self.framer.resolver.table;
                self.framer.header.make_reduced(table, &self.arena);
                Event::Header(self.header_doc().root())
            }
            Pending::Close => Event::Close,
            Pending::Tree { start, end } => Event::Stanza(Stanza::new(
                TreeRef {
                    src: scanned_str(&input.unwrap_or(&self.buf)[start..end]),
                    store: Store::Parser(&self.framer.builder.tree, &self.framer.resolver.table),
                    arena: &self.arena,
                },
                self.base + start as u64,
                if self.framer.header.is_present() {
                    Context::Header(&self.framer.header)
                } else {
                    Context::None
                },
            )),
        })
    }

    fn header_doc(&self) -> TreeRef<'_> {
        self.arena_lent.set(true);
        TreeRef {
            src: &self.framer.header.bytes,
            store: Store::Parser(&self.framer.header.tree, &self.framer.resolver.table),
            arena: &self.arena,
        }
    }

    /// The current stream's header, once it has been read.
    pub fn header(&self) -> Option<Element<'_>> {
        self.framer
            .header
            .is_present()
            .then(|| self.header_doc().root())
    }

    /// Declares the end of input. `Ok(())` when the input ended cleanly: after the stream
    /// was closed or between stanzas (in [`Mode::Document`], after the root element).
    /// Otherwise, also before the stream header or the root (nothing but whitespace was
    /// fed, or a [`restart`](Self::restart) was not followed by the new header), the error
    /// [`ErrorKind::UnexpectedEof`] (condition `incomplete`), which is sticky.
    pub fn finish(&mut self) -> Result<(), Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.in_progress() || self.framer.incomplete() {
            let e = Error::new(ErrorKind::UnexpectedEof, self.base + self.filled as u64);
            self.error = Some(e);
            return Err(e);
        }
        Ok(())
    }

    /// Begins a new stream on the same connection, as after STARTTLS or SASL success
    /// (RFC 6120 sections 5.3.3 and 6.4.6): the header, namespace bindings and depth are
    /// forgotten, and the next bytes must be a new stream header. Bytes already fed after
    /// the last event are kept and read as the new stream. Whitespace before the new
    /// stream lies between the two streams: whether it was read before the restart (as
    /// whitespace between stanzas) or after, the new stream begins at the first other
    /// byte, which may be an XML declaration. Offsets keep counting.
    pub fn restart(&mut self) {
        if self.error.is_some() {
            return;
        }
        // Markup already half read (the start of the new stream's header, fed before
        // the restart) is read again as part of the new stream.
        self.scanner.restart_at(self.keep_from());
        self.window.close();
        self.framer.restart();
    }

    /// Clears everything, buffered input and errors included, as for a new connection.
    /// Grown buffers are kept for reuse (see [`release_memory`](Self::release_memory)).
    pub fn reset(&mut self) {
        let config = self.config.clone();
        let buf = core::mem::take(&mut self.buf);
        let arena = core::mem::take(&mut self.arena);
        *self = Parser::with_config(config);
        self.buf = buf;
        self.arena = arena;
    }

    /// Like [`reset`](Self::reset) but without allocating: every grown buffer (input,
    /// index, namespace table, arena) is kept. For parsers reused per message (WebSocket
    /// framing parses each message as one document).
    pub(crate) fn recycle(&mut self) {
        let stream = self.config.mode != Mode::Document;
        self.filled = 0;
        self.base = 0;
        self.error = None;
        self.scanner = Scanner::new(self.config.limits.max_name_bytes);
        self.window = Window::new(&self.config.limits, stream, self.config.implicit_restart);
        self.framer.restart();
        self.arena.reset();
    }

    /// Stream offset of the next byte the parser will examine (every byte before it has
    /// been scanned).
    pub fn offset(&self) -> u64 {
        self.base + self.scanner.pos() as u64
    }

    /// The error the parser stopped at, if any.
    pub fn error(&self) -> Option<Error> {
        self.error
    }

    /// Whether the stream root has been closed (`</stream:stream>` read, or in document
    /// mode the root element).
    pub fn is_closed(&self) -> bool {
        self.framer.phase == Phase::Closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limit;

    #[test]
    fn hot_types_stay_small() {
        assert!(
            core::mem::size_of::<Event<'_>>() <= 64,
            "{}",
            core::mem::size_of::<Event<'_>>()
        );
        assert!(core::mem::size_of::<Element<'_>>() <= 48);
        assert!(core::mem::size_of::<Result<Option<Event<'_>>, Error>>() <= 72);
        // An idle parser is dominated by its inline state, not its heap. Grown on
        // purpose (issues 11, 12): the duplicate check's name words and the namespace
        // index (the resolver, the name cache) and the reduced header's pieces (40 bytes,
        // the stored header) took it from 936 to 1064 bytes; the resolver's duplicate
        // filter and declaration positions (24 bytes) replacing its name words (56)
        // brought it to 1032. Anything more needs the same kind of reason.
        assert!(
            core::mem::size_of::<Parser>() <= 1032,
            "{}",
            core::mem::size_of::<Parser>()
        );
    }

    /// `advance` + `take_event` (the I/O drivers) and `next_event` give the same events
    /// and errors at the same offsets, whatever the feeding.
    #[test]
    fn advance_then_take_is_next_event() {
        let inputs: [&[u8]; 4] = [
            b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
              xmlns:stream='http://etherx.jabber.org/streams'><presence/> \
              <message><body>a&amp;b</body></message></stream:stream>",
            // An empty stream root: header, then close without a stanza.
            b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams'/>",
            b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><a><!-- --></a>",
            b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><a>\xff</a>",
        ];
        let dump = |ev: Option<Event<'_>>| ev.as_ref().map(render::render);
        for input in inputs {
            for chunk in [1, 3, input.len()] {
                let (mut a, mut b) = (Parser::new(), Parser::new());
                let (mut ea, mut eb) = (Vec::new(), Vec::new());
                for c in input.chunks(chunk) {
                    a.feed(c);
                    b.feed(c);
                    loop {
                        match a.next_event() {
                            Ok(None) => break,
                            Ok(ev) => ea.push(Ok(dump(ev))),
                            Err(e) => {
                                ea.push(Err(e));
                                break;
                            }
                        }
                    }
                    loop {
                        match b.advance() {
                            Ok(false) => break,
                            Ok(true) => eb.push(Ok(dump(b.take_event()))),
                            Err(e) => {
                                eb.push(Err(e));
                                break;
                            }
                        }
                    }
                }
                assert_eq!(ea, eb, "chunk {chunk}");
                assert_eq!(a.finish(), b.finish());
                assert!(!ea.is_empty());
            }
        }
    }

    /// Events and errors (kind and offset) of `input` fed in `chunk`-byte pieces.
    fn outcome(config: &Config, input: &[u8], chunk: usize) -> (Vec<String>, Option<Error>) {
        let mut p = Parser::with_config(config.clone());
        let mut events = Vec::new();
        for c in input.chunks(chunk) {
            p.feed(c);
            loop {
                match p.next_event() {
                    Ok(Some(ev)) => events.push(render::render(&ev)),
                    Ok(None) => break,
                    Err(e) => return (events, Some(e)),
                }
            }
        }
        (events, p.finish().err())
    }

    /// The small-feed shortcut (`skip_plain`) stops where the scan loop would report
    /// something: the name length limit, the stanza limit, an end tag's first byte, the
    /// end of a value or a text; one-byte feeds give what one whole feed gives.
    #[test]
    fn small_feeds_reach_limits_and_ends_where_whole_feeds_do() {
        let header = "<stream:stream xmlns='jabber:client' \
                      xmlns:stream='http://etherx.jabber.org/streams'>";
        let limits = Limits {
            max_name_bytes: 16,
            max_stanza_bytes: 60,
            ..Limits::default()
        };
        let config = Config::default().with_limits(limits);
        let cases: [(&str, Option<ErrorKind>); 10] = [
            // Cut inside a name past the limit: the error comes before the end of input.
            (
                "<abcdefghijklmnopq",
                Some(ErrorKind::LimitExceeded(Limit::NameBytes)),
            ),
            (
                "<a b='c' abcdefghijklmnopq",
                Some(ErrorKind::LimitExceeded(Limit::NameBytes)),
            ),
            (
                "<message to='a@b'><body>hi &amp; bye</body></message><presence/>",
                None,
            ),
            (
                "<abcdefghijklmnopq/>",
                Some(ErrorKind::LimitExceeded(Limit::NameBytes)),
            ),
            (
                "<a abcdefghijklmnopq='v'/>",
                Some(ErrorKind::LimitExceeded(Limit::NameBytes)),
            ),
            (
                "<a></abcdefghijklmnopq>",
                Some(ErrorKind::LimitExceeded(Limit::NameBytes)),
            ),
            ("<a></-a>", Some(ErrorKind::InvalidName)),
            (
                "<a v='0123456789012345678901234567890123456789012345678901234'/>",
                Some(ErrorKind::LimitExceeded(Limit::StanzaBytes)),
            ),
            (
                "<a>0123456789012345678901234567890123456789012345678901234</a>",
                Some(ErrorKind::LimitExceeded(Limit::StanzaBytes)),
            ),
            ("<a v='x\ty'>a]]>b</a>", Some(ErrorKind::CDataEndInText)),
        ];
        for (body, kind) in cases {
            let input = format!("{header}{body}");
            let whole = outcome(&config, input.as_bytes(), input.len());
            assert_eq!(whole.1.map(|e| e.kind()), kind, "{body}");
            assert_eq!(whole.0.len(), 1 + usize::from(kind.is_none()) * 2, "{body}");
            // Under miri (slow), one-byte feeds only.
            let chunks: &[usize] = if cfg!(miri) { &[1] } else { &[1, 2, 3] };
            for &chunk in chunks {
                assert_eq!(
                    outcome(&config, input.as_bytes(), chunk),
                    whole,
                    "{body} {chunk}"
                );
            }
        }
    }
}

//! Event windows: the thin layer between the scanner and the framer that bounds the
//! bytes of the event being read. An event (the stream header, a stanza, the stream
//! close; in document mode the prolog's declaration and the root element) begins at the
//! `<` of markup outside any element; from there the scanner may not read past the
//! event's limit (`max_header_bytes` for the header and whatever precedes it in its
//! prolog, `max_stanza_bytes` for the rest), so that the parser never holds more than one
//! window of input, and the limit error comes at the first byte past the limit.
//!
//! [`Framing`] is what the scanner's [`Sink`] sees: it passes every token on to the
//! [`Framer`] and moves the window (the scanner's horizon) at the few points where the
//! stream's phase decides it:
//! - at a `<` outside elements, the window opens: the header limit before a stream's
//!   header, the stanza limit otherwise;
//! - in a document's prolog the byte after that `<` decides first (a declaration is
//!   bounded by the header limit, the root by the stanza limit), so that one byte may be
//!   read before either limit applies; anything after it is within the window chosen;
//! - with implicit restarts, an XML declaration or a `<stream:stream` start tag between
//!   stanzas is the next stream's header: the header limit applies from its `<`, and the
//!   declaration restarts the framer;
//! - a complete event (the parser calls [`Window::close`] when the scanner stops at it)
//!   or a document's declaration closes the window: whitespace between events is not
//!   held.

use crate::error::{Error, ErrorKind};
use crate::frame::{Framer, Phase};
use crate::limits::{Limit, Limits};
use crate::scan::{Context, Sink};

/// The window of the event being read (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Window {
    /// Buffer index of the event's `<`, if an event is being read.
    start: Option<usize>,
    /// The first index the event may not reach (`usize::MAX` without a window).
    end: usize,
    /// Which limit `end` is; `header` says whether it is the header limit.
    limit: Limit,
    header: bool,
    stanza_bytes: usize,
    header_bytes: usize,
    stream: bool,
    implicit_restart: bool,
}

impl Window {
    /// No window yet; `stream` is stream mode (else document mode).
    pub(crate) fn new(limits: &Limits, stream: bool, implicit_restart: bool) -> Self {
        Window {
            start: None,
            end: usize::MAX,
            limit: Limit::StanzaBytes,
            header: false,
            stanza_bytes: limits.stanza_bytes(),
            header_bytes: limits.header_bytes(),
            stream,
            implicit_restart,
        }
    }

    /// Takes the byte limits of `limits` for the windows opened from now on (the one
    /// open, if any, keeps its end).
    pub(crate) fn set_limits(&mut self, limits: &Limits) {
        self.stanza_bytes = limits.stanza_bytes();
        self.header_bytes = limits.header_bytes();
    }

    /// Buffer index of the `<` of the event being read, if any: the first byte the
    /// parser must keep.
    pub(crate) fn start(&self) -> Option<usize> {
        self.start
    }

    /// The first buffer index the event being read may not reach (`usize::MAX` without
    /// a window): the scanner's horizon.
    #[inline(always)]
    pub(crate) fn end(&self) -> usize {
        self.end
    }

    /// Makes `lt` the start of the current event, bounded by the header or stanza limit.
    fn open(&mut self, lt: usize, header: bool) {
        let (size, limit) = if header {
            (self.header_bytes, Limit::HeaderBytes)
        } else {
            (self.stanza_bytes, Limit::StanzaBytes)
        };
        self.start = Some(lt);
        self.end = lt.saturating_add(size);
        self.limit = limit;
        self.header = header;
    }

    /// No event is being read.
    pub(crate) fn close(&mut self) {
        self.start = None;
        self.end = usize::MAX;
        self.header = false;
    }

    /// The buffer dropped its first `k` bytes.
    pub(crate) fn shift(&mut self, k: usize) {
        if let Some(s) = &mut self.start {
            *s = s.saturating_sub(k);
        }
        if self.end != usize::MAX {
            self.end -= k;
        }
    }
}

/// The scanner's sink: the framer, seen through the event window.
pub(crate) struct Framing<'a> {
    pub(crate) framer: &'a mut Framer,
    pub(crate) window: &'a mut Window,
}

impl Framing<'_> {
    /// Before the root: a stream's header or a document's prolog.
    #[inline]
    fn in_prolog(&self) -> bool {
        self.framer.phase == Phase::Prolog
    }
}

impl Sink for Framing<'_> {
    #[inline(always)]
    fn start_tag(&mut self, buf: &[u8], lt: usize, name: (usize, usize)) -> Result<(), Error> {
        self.framer.start_tag(buf, lt, name)
    }

    fn outside_start_tag(&mut self, lt: usize) {
        if !self.window.header && self.framer.reading_header() {
            // An implicit restart by start tag: a header, so the header limit applies
            // from its '<'.
            self.window.open(lt, true);
        }
    }

    #[inline(always)]
    fn attribute(
        &mut self,
        buf: &[u8],
        name: (usize, usize),
        value: (usize, usize),
        flags: u8,
    ) -> Result<(), Error> {
        self.framer.attribute(buf, name, value, flags)
    }

    #[inline(always)]
    fn start_tag_end(&mut self, buf: &[u8], empty: bool, end: usize) -> Result<(), Error> {
        self.framer.start_tag_end(buf, empty, end)
    }

    #[inline(always)]
    fn end_tag(
        &mut self,
        buf: &[u8],
        lt: usize,
        name: (usize, usize),
        end: usize,
    ) -> Result<(), Error> {
        self.framer.end_tag(buf, lt, name, end)
    }

    #[inline(always)]
    fn text(&mut self, buf: &[u8], start: usize, end: usize, flags: u8) -> Result<(), Error> {
        self.framer.text(buf, start, end, flags)
    }

    fn markup_start(&mut self, lt: usize) {
        if self.window.start.is_some() {
            // Already bounded: the header after its declaration.
            return;
        }
        if self.in_prolog() && !self.window.stream {
            // A document's prolog: the next byte picks the limit (see `markup_kind`), so
            // the window admits exactly that byte until then.
            self.window.start = Some(lt);
            self.window.end = lt.saturating_add(2);
            self.window.header = false;
            self.window.limit = Limit::StanzaBytes;
        } else {
            // A stream's prolog is bounded by the header limit as a whole.
            let header = self.in_prolog();
            self.window.open(lt, header);
        }
    }

    fn markup_kind(&mut self, lt: usize, next: u8, document_start: bool) -> bool {
        let between = self.window.stream && self.framer.phase == Phase::Open;
        let declaration =
            next == b'?' && (document_start || (between && self.window.implicit_restart));
        if declaration {
            // A declaration belongs to a (new) stream's header, or to a document's
            // prolog: the header limit applies from its '<'.
            self.window.open(lt, true);
        } else if self.in_prolog() && !self.window.stream {
            // A document's root element (or an error): bounded as a stanza.
            self.window.open(lt, false);
        }
        declaration
    }

    fn declaration(&mut self, _lt: usize, _end: usize) {
        if !self.window.stream {
            // A document's declaration is not part of its root element: the root's own
            // window opens at its '<'.
            self.window.close();
        } else if self.framer.phase == Phase::Open {
            // Between stanzas (implicit restart): a new stream, whose header window is
            // already open.
            self.framer.restart();
        }
    }

    #[inline(always)]
    fn context(&self) -> Context {
        self.framer.context()
    }

    #[inline(always)]
    fn event_ready(&self) -> bool {
        // The parser closes the window when the scanner stops at the event.
        self.framer.pending.is_some()
    }

    #[inline(always)]
    fn horizon(&self) -> usize {
        self.window.end
    }

    #[cold]
    fn horizon_error(&self, at: usize) -> Error {
        Error::new(ErrorKind::LimitExceeded(self.window.limit), at as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Mode;

    /// Runs `test` on the `Framing` of a new framer in `mode` and its window, with a
    /// stanza limit of 100 bytes and a header limit of 10.
    fn with_framing(mode: Mode, test: impl FnOnce(Framing<'_>)) {
        let limits = Limits {
            max_stanza_bytes: 100,
            max_header_bytes: 10,
            ..Limits::default()
        };
        let mut framer = Framer::new(mode, limits, false);
        let mut window = Window::new(&limits, mode == Mode::Stream, false);
        test(Framing {
            framer: &mut framer,
            window: &mut window,
        });
    }

    #[test]
    fn document_prolog_admits_the_deciding_byte_then_picks_the_limit() {
        with_framing(Mode::Document, |mut sink| {
            assert_eq!(sink.horizon(), usize::MAX);
            sink.markup_start(5);
            assert_eq!(sink.horizon(), 7, "only the byte after '<'");
            assert!(
                sink.markup_kind(5, b'?', true),
                "a declaration at the start"
            );
            assert_eq!(sink.horizon(), 15);
            let e = sink.horizon_error(15);
            assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::HeaderBytes));
            sink.declaration(5, 12);
            assert_eq!((sink.window.start(), sink.horizon()), (None, usize::MAX));
            // Anything but a declaration: the root's (stanza) limit, from its '<'.
            sink.markup_start(20);
            assert!(!sink.markup_kind(20, b'!', false));
            assert_eq!((sink.window.start(), sink.horizon()), (Some(20), 120));
            sink.window.shift(8);
            assert_eq!((sink.window.start(), sink.horizon()), (Some(12), 112));
            sink.window.close();
            assert_eq!((sink.window.start(), sink.horizon()), (None, usize::MAX));
        });
    }

    #[test]
    fn a_stream_prolog_is_bounded_by_the_header_limit_at_once() {
        with_framing(Mode::Stream, |mut sink| {
            sink.markup_start(3);
            assert_eq!(sink.horizon(), 13);
            // `<?` later than the document's first byte is no declaration; same window.
            assert!(!sink.markup_kind(3, b'?', false));
            assert_eq!(sink.horizon(), 13);
            sink.markup_start(9);
            assert_eq!((sink.window.start(), sink.horizon()), (Some(3), 13));
        });
    }
}

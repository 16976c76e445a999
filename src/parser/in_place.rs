//! Reading input in place: events that borrow the caller's bytes instead of a copy of
//! them ([`Parser::feed_in_place`]), and keeping what they did not consume when the
//! input is spent or put down.

use super::{Event, Parser};
use crate::error::Error;

/// Input the parser reads in place, from [`Parser::feed_in_place`]: its events borrow
/// the input itself, so that a complete buffer (a file, a WebSocket message, a BOSH body,
/// a capture) is parsed without the copy [`Parser::feed`] makes.
///
/// Call [`next_event`](Self::next_event) until it returns `Ok(None)`, then feed on as
/// usual. The bytes no event has consumed (the start of a stanza cut at the end of the
/// input) are copied into the parser's buffer when the input is spent, or when the
/// `InPlace` is dropped before that, so the parser goes on exactly as if the input had
/// been fed: the same events, errors and offsets, whatever the mix of `feed` and
/// `feed_in_place`.
///
/// ```
/// use xmpp_stream::{Event, Parser};
///
/// let capture = b"<stream:stream xmlns='jabber:client' \
///     xmlns:stream='http://etherx.jabber.org/streams'><message><body>hi</body></message>\
///     <presence";
/// let mut parser = Parser::new();
/// let mut input = parser.feed_in_place(capture);
/// let mut bodies = Vec::new();
/// while let Some(event) = input.next_event()? {
///     if let Event::Stanza(s) = event {
///         // Borrowed from `capture`, not from a copy of it (as events of `feed`, valid
///         // until the next event: the records they read are the parser's).
///         let body = s.root().child("jabber:client", "body").unwrap().text();
///         assert!(capture.as_ptr_range().contains(&body.as_ptr()));
///         bodies.push(body.to_owned());
///     }
/// }
/// drop(input);
/// assert_eq!(bodies, ["hi"]);
/// // `<presence` was kept: the parser reads on from it.
/// parser.feed(b"/>");
/// assert!(matches!(parser.next_event()?, Some(Event::Stanza(_))));
/// # Ok::<(), xmpp_stream::Error>(())
/// ```
pub struct InPlace<'p, 'i> {
    parser: &'p mut Parser,
    /// The input while it is read in place; `None` once it is spent (or was fed to the
    /// buffer at once, when the parser held bytes of its own).
    input: Option<&'i [u8]>,
}

impl Parser {
    /// Reads `input` in place: the events of the returned [`InPlace`] borrow `input`
    /// rather than a copy in the parser's buffer. When the parser holds no unconsumed
    /// bytes (between stanzas, as after `next_event` returned `Ok(None)` at a stanza
    /// boundary), nothing is copied but what the input's events leave unconsumed;
    /// otherwise (a stanza already begun in the buffer) `input` is fed as by
    /// [`feed`](Self::feed), its stanza completing that one.
    pub fn feed_in_place<'i>(&mut self, input: &'i [u8]) -> InPlace<'_, 'i> {
        if self.filled != 0 || self.error.is_some() {
            self.feed(input);
            return InPlace {
                parser: self,
                input: None,
            };
        }
        InPlace {
            parser: self,
            input: Some(input),
        }
    }

    /// The first event of `input`, read in place, for readers of one complete document
    /// per input (WebSocket messages, `crate::xmpp::WebSocketParser`): the event borrows
    /// `input` and the parser, and nothing of `input` is kept, so the parser is to be
    /// [`recycle`](Self::recycle)d (as it was before this call) before the next input.
    /// `Ok(None)` when `input` ends before an event does.
    pub(crate) fn first_event_in_place<'a>(
        &'a mut self,
        input: &'a [u8],
    ) -> Result<Option<Event<'a>>, Error> {
        debug_assert_eq!(
            self.filled, 0,
            "a document read in place over buffered bytes"
        );
        if self.advance_in(Some(input))? {
            Ok(self.take_event_in(Some(input)))
        } else {
            Ok(None)
        }
    }

    /// The end of input read in place: keeps its bytes from the first one still needed
    /// (as [`compact`](Self::compact) would after feeding them), so that scanning goes
    /// on in the buffer.
    fn keep_unconsumed(&mut self, input: &[u8]) {
        debug_assert_eq!(self.filled, 0, "input read in place over buffered bytes");
        if self.error.is_some() {
            return;
        }
        let keep = self.keep_from().min(input.len());
        self.base += keep as u64;
        self.shift(keep);
        self.feed(&input[keep..]);
    }
}

impl InPlace<'_, '_> {
    /// The next event, borrowed from the input (or, once it is spent, from the parser,
    /// as [`Parser::next_event`]); `Ok(None)` when more input is needed, or the (sticky)
    /// error.
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, Error> {
        let Some(input) = self.input else {
            return self.parser.next_event();
        };
        match self.parser.advance_in(Some(input)) {
            Ok(true) => Ok(self.parser.take_event_in(Some(input))),
            Ok(false) => {
                self.input = None;
                self.parser.keep_unconsumed(input);
                Ok(None)
            }
            Err(e) => {
                self.input = None;
                Err(e)
            }
        }
    }
}

impl core::fmt::Debug for InPlace<'_, '_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("InPlace")
            .field("parser", &self.parser)
            .field("in_place", &self.input.map(<[u8]>::len))
            .finish()
    }
}

impl Drop for InPlace<'_, '_> {
    fn drop(&mut self) {
        if let Some(input) = self.input.take() {
            self.parser.keep_unconsumed(input);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::parser::{render, Event, Parser};
    use crate::Error;

    const STREAM: &[u8] = b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams'><presence/> \
        <message to='a@b'><body>a&amp;b\r\n</body><x xmlns='urn:x' y='&lt;'/></message>\
        <iq type='get' id='1'><q xmlns='jabber:iq:roster'/></iq></stream:stream>";

    /// What a parser gave: every event rendered, or the error it stopped at.
    type Log = Vec<Result<String, Error>>;

    fn drain(next: &mut dyn FnMut() -> Result<Option<String>, Error>, log: &mut Log) {
        loop {
            match next() {
                Ok(None) => return,
                Ok(Some(ev)) => log.push(Ok(ev)),
                Err(e) => return log.push(Err(e)),
            }
        }
    }

    fn render(ev: Option<Event<'_>>) -> Option<String> {
        ev.as_ref().map(render::render)
    }

    /// `chunks` fed by `feed`, every chunk.
    fn fed(chunks: &[&[u8]]) -> Log {
        let (mut p, mut log) = (Parser::new(), Vec::new());
        for c in chunks {
            p.feed(c);
            drain(&mut || p.next_event().map(render), &mut log);
        }
        log.push(p.finish().map(|()| "end".into()));
        log
    }

    /// `chunks` read in place, every other one fed instead when `mix`; `stop_after`
    /// events of each chunk read before the `InPlace` is dropped (the rest read from
    /// the parser).
    fn in_place(chunks: &[&[u8]], mix: bool, stop_after: usize) -> Log {
        let (mut p, mut log) = (Parser::new(), Vec::new());
        for (k, c) in chunks.iter().enumerate() {
            if mix && k % 2 == 1 {
                p.feed(c);
            } else {
                let mut input = p.feed_in_place(c);
                let mut failed = false;
                for _ in 0..stop_after {
                    match input.next_event() {
                        Ok(None) => break,
                        Ok(ev) => log.push(Ok(render(ev).unwrap())),
                        Err(e) => {
                            // Reported once per chunk, as `drain` does.
                            log.push(Err(e));
                            failed = true;
                            break;
                        }
                    }
                }
                if failed {
                    continue;
                }
            }
            drain(&mut || p.next_event().map(render), &mut log);
        }
        log.push(p.finish().map(|()| "end".into()));
        log
    }

    /// `chunks` read in place alone, mixed with `feed` (every other chunk), and put down
    /// after each of `stops` events give what feeding them gives (`what` names the case);
    /// returns what feeding gives.
    fn assert_in_place_reads_as_fed(chunks: &[&[u8]], stops: [usize; 2], what: &str) -> Log {
        let want = fed(chunks);
        for (mix, stop_after) in [
            (false, usize::MAX),
            (true, usize::MAX),
            (false, stops[0]),
            (false, stops[1]),
        ] {
            assert_eq!(
                in_place(chunks, mix, stop_after),
                want,
                "{what}; mix {mix}, stop after {stop_after}"
            );
        }
        want
    }

    /// Every split of the stream into two and three pieces, read in place (alone, mixed
    /// with `feed`, put down after each number of events) gives what feeding gives.
    #[test]
    fn in_place_reads_as_feed_does() {
        let inputs: [&[u8]; 3] = [
            STREAM,
            // Invalid UTF-8 in a stanza: the same error at the same offset.
            b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><a/><a>\xff</a>",
            // Cut inside a stanza: `finish` reports it.
            b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><a><b/>",
        ];
        // Fewer splits under miri, which runs the parser's tests (for `scanned_str`).
        let (step_a, step_b) = if cfg!(miri) { (41, 67) } else { (1, 7) };
        for input in inputs {
            let n = input.len();
            for a in (0..=n).step_by(step_a) {
                for b in (a..=n).step_by(step_b) {
                    let chunks = [&input[..a], &input[a..b], &input[b..]];
                    assert_in_place_reads_as_fed(&chunks, [1, 0], &format!("split at {a}, {b}"));
                }
            }
        }
    }

    /// Events of input read in place borrow it: no byte of a stanza complete in the
    /// input is copied into the parser's buffer; only the cut stanza at the end is.
    #[test]
    fn complete_stanzas_are_not_copied() {
        let mut p = Parser::new();
        let cut = STREAM.len() - 40;
        let mut input = p.feed_in_place(&STREAM[..cut]);
        let mut raw = Vec::new();
        while let Some(ev) = input.next_event().unwrap() {
            if let Event::Stanza(s) = ev {
                raw.push(s.raw().as_ptr_range());
            }
        }
        drop(input);
        let inside = STREAM.as_ptr_range();
        assert_eq!(raw.len(), 2);
        assert!(raw
            .iter()
            .all(|r| inside.start <= r.start && r.end <= inside.end));
        // Kept: from the `<iq` cut short, nothing before it.
        let iq = STREAM.windows(3).position(|w| w == b"<iq").unwrap();
        assert_eq!(p.buffered(), cut - iq);
        p.feed(&STREAM[cut..]);
        let mut rest = Vec::new();
        while let Some(ev) = p.next_event().unwrap() {
            rest.push(render::render(&ev));
        }
        assert_eq!(rest.len(), 2, "{rest:?}");
        p.finish().unwrap();
    }

    /// A stream of stanzas of up to 12 KiB, with references and line ends, cut every
    /// `chunk` bytes: read in place (alone, mixed with `feed`, put down after some
    /// events), each chunk gives what feeding it gives.
    #[test]
    fn inputs_that_complete_long_stanzas_read_as_feed_does() {
        let mut stream = b"<stream:stream xmlns='jabber:client' \
            xmlns:stream='http://etherx.jabber.org/streams'>"
            .to_vec();
        // Two stanzas under miri (a 70 kB stream took it eight minutes), cut at 700 bytes.
        for k in 0..if cfg!(miri) { 2 } else { 12 } {
            let text = "ab&amp;c\r\n".repeat(40 + 97 * k);
            stream.extend_from_slice(
                format!("<message id='m{k}'><body>{text}</body></message>").as_bytes(),
            );
            stream.extend_from_slice(b"<presence/>");
        }
        stream.extend_from_slice(b"</stream:stream>");
        let sizes: &[usize] = if cfg!(miri) {
            &[700]
        } else {
            &[1, 37, 300, 511, 512, 700, 1500, 4096]
        };
        for &chunk in sizes {
            let chunks: Vec<&[u8]> = stream.chunks(chunk).collect();
            let want = assert_in_place_reads_as_fed(&chunks, [1, 3], &format!("chunk {chunk}"));
            assert!(want.iter().all(Result::is_ok), "{want:?}");
        }
    }
}

//! The restricted-XML scanner: small resumable machines over the parser's buffer, one per
//! construct, reporting tokens as buffer ranges to a [`Sink`]. It validates the lexical
//! rules of XML 1.0 (fifth edition) as restricted by RFC 6120 section 11 (characters,
//! UTF-8, names, tags, attribute syntax, references, CDATA, the XML declaration; comments,
//! PIs, DOCTYPE and other entities are rejected).
//!
//! | file | machine (state enum) | construct |
//! |---|---|---|
//! | `text.rs` | [`St::Text`], [`St::Cdata`] | character data (element content, or whitespace outside elements), CDATA sections |
//! | `markup.rs` | [`Markup`] | what follows a `<`: the keyword lookahead of `<![CDATA[`, `<!DOCTYPE`, `<!--`, `<?xml` |
//! | `tag.rs` | [`Tag`], [`End`] | start tags (name, the space between attributes, `/>`), end tags |
//! | `attribute.rs` | [`Attr`] | one attribute: name, `=`, quote, value |
//! | `reference.rs` | [`St::Ref`] | `&...;` in text and attribute values |
//! | `xmldecl.rs` | [`St::Start`], [`St::Decl`] | the document's first bytes (encoding sniffing), the XML declaration |
//!
//! Each machine is a state enum with a step (a method of [`Scanner`] that runs from any of
//! its states as far as the input goes) and an `eof_error`. A fast path and a resumed
//! state run the same code: the step enters at the state it was left in, so the common
//! case (a whole tag in the buffer) and a tag cut by the end of a chunk are one path.
//!
//! What it does **not** know: streams, stanzas, tag nesting, namespaces, duplicate
//! attributes, element counts and depth, and every limit except the name length a token
//! needs. The sink says, after every tag, what character data means there
//! ([`Context`]); it is told where markup outside elements begins and which byte follows
//! the `<` (so that it can bound what comes next); and it sets the [`Sink::horizon`], the
//! first index the scanner may not read (the framer's event windows), with the error for
//! reaching it.
//!
//! Resumption: all state lives in [`Scanner`] between calls; when the input runs out in
//! the middle of anything, the scanner saves its state and resumes at the first byte it
//! has not consumed. The only bytes ever looked at again are at most three bytes of a
//! multi-byte UTF-8 character or of a `]]>` cut by the end of a chunk, so total work is
//! linear in the input whatever the chunking.

mod attribute;
#[allow(unsafe_code)]
pub(crate) mod classify;
mod markup;
mod reference;
#[allow(unsafe_code)]
mod simd;
mod tag;
mod text;
mod xmldecl;

pub(crate) use reference::{parse_reference, Reference};

use crate::chars::{class, decode_utf8, is_char, is_name_char, is_name_start_char, Utf8};
use crate::chars::{ATTR, NAME, NAME_START, TEXT};
use crate::error::{err, Error, ErrorKind};
use crate::limits::Limit;
use attribute::Attr;
use markup::Markup;
use tag::{End, Tag};

/// Calls with fewer bytes than this to scan skip text without vectors (see `scan`).
const NARROW_BELOW: usize = 64;

/// Text-node flag: the raw text contains a reference.
pub(crate) const F_REF: u8 = 1;
/// Text-node flag: the raw text contains a CR (end-of-line handling needed).
pub(crate) const F_CR: u8 = 2;
/// Text-node flag: the raw text contains a CDATA section.
pub(crate) const F_CDATA: u8 = 4;
/// Attribute flag: the raw value contains TAB, LF or CR (normalisation needed).
pub(crate) const F_WS: u8 = 8;

/// What character data means where the scanner is; the sink says after every tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    /// Inside an element: any character data, reported as text.
    Content,
    /// Outside any element: whitespace only (and nothing reported for it); what else is
    /// an error here.
    Outside(Outside),
}

/// The rules for markup and character data outside any element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Outside {
    /// The error for character data other than whitespace (or a CDATA section).
    pub text: ErrorKind,
    /// The error for an end tag, if none may appear here.
    pub end_tag: Option<ErrorKind>,
    /// The error for a start tag, if none may appear here.
    pub start_tag: Option<ErrorKind>,
}

impl Outside {
    /// XML's prolog: before a document's root element.
    pub(crate) const PROLOG: Outside = Outside {
        text: ErrorKind::TextOutsideRoot,
        end_tag: Some(ErrorKind::MismatchedEndTag),
        start_tag: None,
    };
}

/// Receiver of the scanner's tokens. Ranges are buffer indices; errors carry buffer
/// indices too (the parser rebases them to stream offsets).
pub(crate) trait Sink {
    /// A start tag's name has been read; `lt` is the index of its `<`.
    fn start_tag(&mut self, buf: &[u8], lt: usize, name: (usize, usize)) -> Result<(), Error>;
    /// After `start_tag`, when the tag is outside any element (it begins an event).
    fn outside_start_tag(&mut self, lt: usize);
    /// One attribute of the current start tag; `value` excludes the quotes.
    fn attribute(
        &mut self,
        buf: &[u8],
        name: (usize, usize),
        value: (usize, usize),
        flags: u8,
    ) -> Result<(), Error>;
    /// The current start tag ended with `>` (or `/>` when `empty`); `end` is the index
    /// after the `>`.
    fn start_tag_end(&mut self, buf: &[u8], empty: bool, end: usize) -> Result<(), Error>;
    /// An end tag; `end` is the index after its `>`.
    fn end_tag(
        &mut self,
        buf: &[u8],
        lt: usize,
        name: (usize, usize),
        end: usize,
    ) -> Result<(), Error>;
    /// A maximal run of character data, references and CDATA sections (in
    /// [`Context::Content`] only), with `F_*` flags saying what decoding it needs.
    fn text(&mut self, buf: &[u8], start: usize, end: usize, flags: u8) -> Result<(), Error>;
    /// Markup begins at the `<` at `lt`, outside any element.
    fn markup_start(&mut self, lt: usize);
    /// The byte after that `<` is `next`; `document_start` says whether the `<` is the
    /// document's first byte (where XML allows its declaration). Returns whether a `<?`
    /// here may be an XML declaration.
    fn markup_kind(&mut self, lt: usize, next: u8, document_start: bool) -> bool;
    /// A complete, well-formed XML declaration from `lt` to `end`.
    fn declaration(&mut self, lt: usize, end: usize);
    /// What character data means after the last tag (or declaration).
    fn context(&self) -> Context;
    /// Whether the last tag completed an event; the scanner then stops right after it.
    fn event_ready(&self) -> bool;
    /// The first buffer index the scanner may not read (`usize::MAX` for none). Read at
    /// the start of every scan and after `markup_start`, `markup_kind`, `declaration`
    /// and `outside_start_tag`.
    fn horizon(&self) -> usize;
    /// The error for needing input at the horizon `at`.
    fn horizon_error(&self, at: usize) -> Error;
}

/// The outcome of one [`Scanner::scan`] call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// All input has been consumed; more bytes are needed.
    NeedMore,
    /// The sink has a complete event; the scanner stopped right after it.
    Event,
}

/// Which machine runs, and in which of its states: one byte, flat, so that resuming and
/// moving between states is a single jump. The machines' own state enums ([`Markup`],
/// [`Tag`], [`Attr`], [`End`]) map onto it with their `st()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    /// The first byte of a document (`xmldecl.rs`; a BOM is rejected here).
    Start,
    /// Character data in the current [`Context`] (`text.rs`).
    Text,
    /// Inside a CDATA section (`text.rs`).
    Cdata,
    /// Inside an XML declaration, looking for `?>` (`xmldecl.rs`).
    Decl,
    /// Inside a reference, after `&` (`reference.rs`).
    Ref,
    /// [`Markup::Lt`].
    Lt,
    /// [`Markup::Bang`].
    Bang,
    /// [`Markup::Cdata`].
    CdataOpen,
    /// [`Markup::Comment`].
    CommentOpen,
    /// [`Markup::Doctype`].
    DoctypeOpen,
    /// [`Markup::Pi`].
    PiOpen,
    /// [`Tag::Name`].
    TagName,
    /// [`Tag::Between`].
    TagBetween,
    /// [`Tag::EmptyClose`].
    EmptyClose,
    /// [`Attr::Name`].
    AttrName,
    /// [`Attr::Eq`].
    AttrEq,
    /// [`Attr::Quote`].
    AttrQuote,
    /// [`Attr::Value`].
    AttrValue,
    /// [`End::Name`].
    EndName,
    /// [`End::Ws`].
    EndWs,
}

/// What a machine's step asks for next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    /// Continue in this state.
    Go(St),
    /// The input ran out: resume in this state.
    More(St),
    /// An event is complete (the scanner is back in text).
    Event,
}

/// The resumable scanner state (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Scanner {
    st: St,
    /// Next byte to examine.
    pos: usize,
    /// Character data is element content (the context is [`Context::Content`]).
    content: bool,
    /// Otherwise, the rules outside elements.
    outside: Outside,
    /// The `<` of the current markup.
    lt: usize,
    /// Current element or attribute name.
    name_start: usize,
    name_end: usize,
    value_start: usize,
    quote: u8,
    val_flags: u8,
    /// Start and flags of the pending text node (`Content` only).
    text_start: usize,
    text_flags: u8,
    ref_start: usize,
    ref_in_attr: bool,
    /// Bytes of a markup keyword matched so far (`[CDATA[`, `DOCTYPE`, `xml`).
    match_k: u8,
    /// Whitespace seen since the last attribute (attributes must be separated).
    had_ws: bool,
    /// The document has just started: an XML declaration is allowed at the next `<`.
    decl_ok: bool,
    /// The document began at a stream restart: whitespace before its first byte lies
    /// between the two streams and is skipped ([`St::Start`]).
    restarted: bool,
    /// Whether the `<?` being read may start an XML declaration.
    decl_here: bool,
    /// The name length limit (the one limit a token needs).
    max_name: usize,
    /// The byte class of a plain byte where the scanner stopped (see
    /// [`Scanner::skip_plain`]), 0 where there is none or where it is not known: set
    /// after every `scan`.
    plain: u8,
}

enum NameStop {
    Delim,
    NeedMore,
    BadUtf8,
}

/// Scans name characters from `i` up to `end`; returns where it stopped and why.
#[inline(always)]
fn scan_name<const WIDE: bool>(buf: &[u8], mut i: usize, end: usize) -> (usize, NameStop) {
    loop {
        i = simd::skip_name::<WIDE>(buf, i, end);
        if i >= end {
            return (i, NameStop::NeedMore);
        }
        if buf[i] < 0x80 {
            return (i, NameStop::Delim);
        }
        match decode_utf8(&buf[i..end]) {
            Utf8::Char(c, l) if is_name_char(c) => i += l,
            Utf8::Char(..) => return (i, NameStop::Delim),
            Utf8::Incomplete => return (i, NameStop::NeedMore),
            Utf8::Invalid => return (i, NameStop::BadUtf8),
        }
    }
}

/// Whether a name may start at `buf[i]` (`i < end`): `Some(true/false)`, or `None` when
/// the bytes of a non-ASCII character are cut short. Invalid UTF-8 is an error.
#[inline(always)]
fn name_start_at(buf: &[u8], i: usize, end: usize) -> Result<Option<bool>, Error> {
    let b = buf[i];
    if b < 0x80 {
        return Ok(Some(class(b) & NAME_START != 0));
    }
    non_ascii_name_start_at(buf, i, end)
}

#[inline(never)]
fn non_ascii_name_start_at(buf: &[u8], i: usize, end: usize) -> Result<Option<bool>, Error> {
    match decode_utf8(&buf[i..end]) {
        Utf8::Char(c, _) => Ok(Some(is_name_start_char(c))),
        Utf8::Incomplete => Ok(None),
        Utf8::Invalid => err(ErrorKind::InvalidUtf8, i),
    }
}

/// The length of the non-ASCII character at `buf[i]` if it is whole and a `Char`; `None`
/// when its bytes are cut short by `end`.
#[inline(always)]
fn char_len(buf: &[u8], i: usize, end: usize) -> Result<Option<usize>, Error> {
    match decode_utf8(&buf[i..end]) {
        Utf8::Char(c, l) if is_char(c) => Ok(Some(l)),
        Utf8::Char(..) => err(ErrorKind::InvalidChar, i),
        Utf8::Incomplete => Ok(None),
        Utf8::Invalid => err(ErrorKind::InvalidUtf8, i),
    }
}

/// Index of the first byte at or after `i` (before `end`) whose class lacks `mask`.
/// From the non-ASCII byte at `i`: the characters of the run of non-ASCII characters
/// there, checked as [`char_len`] checks one (same errors at the same index). Returns the
/// index after the run and `true` (`end`, or an ASCII byte, is next), or the start of a
/// character cut by `end` and `false`. Multilingual text is runs of such characters:
/// one call per run, not a return to the vector skip per character (issue 11).
#[inline(always)]
fn char_run(buf: &[u8], mut i: usize, end: usize) -> Result<(usize, bool), Error> {
    loop {
        match char_len(buf, i, end)? {
            Some(l) => i += l,
            None => return Ok((i, false)),
        }
        if i >= end || buf[i] < 0x80 {
            return Ok((i, true));
        }
    }
}

#[inline(always)]
fn skip(buf: &[u8], i: usize, end: usize, mask: u8) -> usize {
    // Most runs skipped this way (the space between attributes, before `=` or `>`) are
    // empty or one byte: the first byte is tested before any loop is set up.
    if i >= end || class(buf[i]) & mask == 0 {
        return i;
    }
    match buf[i + 1..end].iter().position(|&b| class(b) & mask == 0) {
        Some(k) => i + 1 + k,
        None => end,
    }
}

impl Scanner {
    /// A scanner at the start of a document; `max_name` bounds names and references.
    /// Bounds names and references from now on (between events: see
    /// [`Parser::set_limits`](crate::Parser::set_limits)).
    pub(crate) fn set_max_name(&mut self, max_name: usize) {
        self.max_name = max_name;
    }

    pub(crate) fn new(max_name: usize) -> Self {
        Scanner {
            st: St::Start,
            pos: 0,
            content: false,
            outside: Outside::PROLOG,
            lt: 0,
            name_start: 0,
            name_end: 0,
            value_start: 0,
            quote: 0,
            val_flags: 0,
            text_start: 0,
            text_flags: 0,
            ref_start: 0,
            ref_in_attr: false,
            match_k: 0,
            had_ws: false,
            decl_ok: true,
            restarted: false,
            decl_here: false,
            max_name,
            plain: 0,
        }
    }

    /// Begins a new document at buffer index `at` (a stream restart: markup already half
    /// read there is read again as part of the new document). Whitespace before the new
    /// document's first byte is skipped, wherever the restart came: the old stream may
    /// already have read part of it as whitespace between stanzas, so the new document
    /// starts (XML declaration, encoding sniffing) at its first other byte.
    pub(crate) fn restart_at(&mut self, at: usize) {
        *self = Scanner {
            pos: at,
            restarted: true,
            ..Scanner::new(self.max_name)
        };
    }

    /// Index of the next byte to examine.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// What end of input here means, given `filled` bytes: `None` when the scanner is
    /// between constructs (outside any element, every byte consumed), otherwise the error
    /// of the construct it is in.
    pub(crate) fn eof_error(&self, filled: usize) -> Option<ErrorKind> {
        if self.pos < filled {
            // Bytes it could not consume yet: a character cut short.
            return Some(ErrorKind::UnexpectedEof);
        }
        match self.st {
            St::Start => None,
            St::Text => text::eof_error(self.content),
            St::Cdata => Some(text::CDATA_EOF),
            St::Decl => Some(xmldecl::DECL_EOF),
            St::Ref => Some(reference::REF_EOF),
            St::Lt => Some(Markup::Lt.eof_error()),
            St::Bang => Some(Markup::Bang.eof_error()),
            St::CdataOpen => Some(Markup::Cdata.eof_error()),
            St::CommentOpen => Some(Markup::Comment.eof_error()),
            St::DoctypeOpen => Some(Markup::Doctype.eof_error()),
            St::PiOpen => Some(Markup::Pi.eof_error()),
            St::TagName => Some(Tag::Name.eof_error()),
            St::TagBetween => Some(Tag::Between.eof_error()),
            St::EmptyClose => Some(Tag::EmptyClose.eof_error()),
            St::AttrName => Some(Attr::Name.eof_error()),
            St::AttrEq => Some(Attr::Eq.eof_error()),
            St::AttrQuote => Some(Attr::Quote.eof_error()),
            St::AttrValue => Some(Attr::Value.eof_error()),
            St::EndName => Some(End::Name.eof_error()),
            St::EndWs => Some(End::Ws.eof_error()),
        }
    }

    /// The buffer dropped its first `k` bytes: move every index.
    pub(crate) fn shift(&mut self, k: usize) {
        for p in [
            &mut self.pos,
            &mut self.lt,
            &mut self.name_start,
            &mut self.name_end,
            &mut self.value_start,
            &mut self.text_start,
            &mut self.ref_start,
        ] {
            *p = p.saturating_sub(k);
        }
    }

    #[inline(always)]
    fn in_content(&self) -> bool {
        self.content
    }

    /// The rules outside elements (only called there).
    #[inline]
    fn outside(&self) -> Outside {
        self.outside
    }

    /// Takes the sink's context.
    #[inline(always)]
    fn set_context(&mut self, ctx: Context) {
        match ctx {
            Context::Content => self.content = true,
            Context::Outside(o) => {
                self.content = false;
                self.outside = o;
            }
        }
    }

    /// After a tag: pick up the sink's new context, start a text node, stop on events.
    #[inline(always)]
    fn after_tag<S: Sink>(&mut self, i: usize, sink: &mut S) -> Flow {
        self.set_context(sink.context());
        self.text_start = i;
        self.text_flags = 0;
        if sink.event_ready() {
            Flow::Event
        } else {
            Flow::Go(St::Text)
        }
    }

    /// Flushes the pending text node (if any) before markup at `lt`.
    #[inline]
    fn flush_text<S: Sink>(&mut self, buf: &[u8], sink: &mut S, lt: usize) -> Result<(), Error> {
        if self.in_content() && lt > self.text_start {
            sink.text(buf, self.text_start, lt, self.text_flags)?;
        }
        Ok(())
    }

    /// Scans the rest of the name that starts at `self.name_start`, from `i`: the index
    /// where it stopped, and whether the name is complete (a delimiter follows) rather
    /// than cut by the end of the input. Enforces the name length limit.
    #[inline(always)]
    fn name_at<const WIDE: bool>(
        &self,
        buf: &[u8],
        i: usize,
        end: usize,
    ) -> Result<(usize, bool), Error> {
        let (j, stop) = scan_name::<WIDE>(buf, i, end);
        self.check_name_len(self.name_start, j)?;
        match stop {
            NameStop::Delim => Ok((j, true)),
            NameStop::NeedMore => Ok((j, false)),
            NameStop::BadUtf8 => err(ErrorKind::InvalidUtf8, j),
        }
    }

    fn check_name_len(&self, start: usize, i: usize) -> Result<(), Error> {
        if i - start > self.max_name {
            return err(
                ErrorKind::LimitExceeded(Limit::NameBytes),
                start + self.max_name,
            );
        }
        Ok(())
    }

    /// Scans `buf[self.pos..]`, feeding tokens to `sink`, until the input runs out
    /// ([`Step::NeedMore`]) or an event is complete ([`Step::Event`]).
    ///
    /// A call with a few bytes to scan (small feeds, down to one byte) runs a copy of
    /// the loop without the vectorised skipping: the results are the same (see `simd`),
    /// and the call does not pay for setting up what only long runs use.
    #[inline]
    pub(crate) fn scan<S: Sink>(&mut self, buf: &[u8], sink: &mut S) -> Result<Step, Error> {
        // `plain` is set here, out of the loop's function (whose code stays as it was),
        // and only after the short calls that small feeds make: after a long one, 0
        // (no shortcut) is always right, and the next short call sets it.
        if buf.len() - self.pos.min(buf.len()) >= NARROW_BELOW {
            let step = self.run::<S, true>(buf, sink);
            self.plain = 0;
            step
        } else {
            let step = self.run::<S, false>(buf, sink);
            self.plain = self.plain_class();
            step
        }
    }

    /// The shortcut of small feeds (a byte or a few at a time): when every byte from the
    /// scanner's position to the end of `buf` (and before `horizon`) is a plain byte of
    /// the run it is in, consumes them and returns `true`. A plain byte is ordinary
    /// character data in element content, an ordinary attribute-value byte, or an ASCII
    /// name byte after a name's first (within the name length limit): the scan would
    /// consume it, change nothing but the position and ask for more input. Otherwise
    /// returns `false`, having consumed at most a prefix of plain bytes, and
    /// [`scan`](Self::scan) goes on from there.
    ///
    /// The parser calls it before `scan` so that a one-byte feed inside a text, a value
    /// or a name costs a few instructions instead of a run of the scan loop (issue 11).
    #[inline(always)]
    pub(crate) fn skip_plain(&mut self, buf: &[u8], horizon: usize) -> bool {
        let mut i = self.pos;
        let mask = self.plain;
        if mask == 0 || buf.len().wrapping_sub(i) >= NARROW_BELOW {
            // No plain run here, or long input (`pos` past `buf` never happens), which
            // goes to the loop with its vectors.
            return false;
        }
        debug_assert_eq!(mask, self.plain_class());
        let end = buf.len().min(horizon);
        while i < end && class(buf[i]) & mask != 0 {
            i += 1;
        }
        if mask == NAME && i - self.name_start > self.max_name {
            // Over the name length limit: the step reports it.
            return false;
        }
        self.pos = i;
        i == buf.len()
    }

    /// The byte class of a plain byte in the current state (0 for none): ordinary text
    /// in element content, ordinary value bytes, ASCII name bytes after a name's first
    /// (an end tag's first name byte must start a name, which its step checks).
    #[inline(always)]
    fn plain_class(&self) -> u8 {
        match self.st {
            St::Text if self.content => TEXT,
            St::AttrValue => ATTR,
            St::TagName | St::AttrName => NAME,
            St::EndName if self.pos > self.name_start => NAME,
            _ => 0,
        }
    }

    /// The scan loop; `WIDE` enables the vectorised skipping.
    #[inline(never)]
    fn run<S: Sink, const WIDE: bool>(&mut self, buf: &[u8], sink: &mut S) -> Result<Step, Error> {
        let mut i = self.pos;
        let mut st = self.st;
        let mut end = buf.len().min(sink.horizon());
        loop {
            match self.step::<S, WIDE>(st, buf, &mut i, &mut end, sink)? {
                Flow::Go(next) => st = next,
                flow => return self.stop(flow, buf, i, end, sink),
            }
        }
    }

    /// Saves the state where a step stopped: for more input (an error if the horizon,
    /// not the input, ran out) or after an event.
    #[inline(always)]
    fn stop<S: Sink>(
        &mut self,
        flow: Flow,
        buf: &[u8],
        i: usize,
        end: usize,
        sink: &mut S,
    ) -> Result<Step, Error> {
        self.pos = i;
        match flow {
            Flow::More(at) => {
                self.st = at;
                if end < buf.len() {
                    Err(sink.horizon_error(end))
                } else {
                    Ok(Step::NeedMore)
                }
            }
            _ => {
                self.st = St::Text;
                Ok(Step::Event)
            }
        }
    }

    /// One step of the machine whose state is `st`.
    #[inline(always)]
    fn step<S: Sink, const WIDE: bool>(
        &mut self,
        st: St,
        buf: &[u8],
        i: &mut usize,
        end: &mut usize,
        sink: &mut S,
    ) -> Result<Flow, Error> {
        // The rare machines are not inlined; they get copies of `i` and `end`, so that the
        // hot loop keeps its own in registers.
        macro_rules! cold {
            ($step:ident($($arg:expr),*)) => {{
                let (mut j, mut e) = (*i, *end);
                let flow = self.$step($($arg,)* buf, &mut j, &mut e, sink);
                (*i, *end) = (j, e);
                flow
            }};
        }
        match st {
            St::Start => cold!(start()),
            St::Text => self.text::<S, WIDE>(buf, i, end, sink),
            St::Cdata => self.cdata(buf, i, *end),
            // After every `<` outside elements (and a `<` at the end of a chunk): inline.
            St::Lt => self.lt(buf, i, end, sink),
            St::Bang | St::CdataOpen | St::CommentOpen | St::DoctypeOpen | St::PiOpen => {
                cold!(markup(Markup::of(st)))
            }
            St::Decl => cold!(decl()),
            St::TagName | St::TagBetween | St::EmptyClose => {
                self.start_tag::<S, WIDE>(Tag::of(st), buf, i, end, sink)
            }
            // Constant states, so that each resumed part runs only its own code.
            St::AttrName => self.attribute::<S, WIDE>(Attr::Name, buf, i, *end, sink),
            St::AttrEq => self.attribute::<S, WIDE>(Attr::Eq, buf, i, *end, sink),
            St::AttrQuote => self.attribute::<S, WIDE>(Attr::Quote, buf, i, *end, sink),
            St::AttrValue => self.attribute::<S, WIDE>(Attr::Value, buf, i, *end, sink),
            St::EndName => self.end_tag::<S, WIDE>(End::Name, buf, i, *end, sink),
            St::EndWs => self.end_tag::<S, WIDE>(End::Ws, buf, i, *end, sink),
            St::Ref => self.reference(buf, i, *end),
        }
    }
}

#[cfg(test)]
mod tests;

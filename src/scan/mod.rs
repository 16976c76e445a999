//! The restricted-XML scanner: a resumable byte-level state machine over the parser's
//! buffer. It validates the lexical rules of XML 1.0 (fifth edition) as restricted by
//! RFC 6120 section 11 (characters, UTF-8, names, tags, attribute syntax, references,
//! CDATA, the XML declaration; comments, PIs, DOCTYPE and other entities are rejected) and
//! reports tokens as buffer ranges to a [`Sink`].
//!
//! What it does **not** check: tag nesting, namespaces, duplicate attributes, element
//! counts and depth: those belong to the sink (the framer). It knows nothing of XMPP
//! beyond the event windows the framer's modes imply.
//!
//! Resumption: all state lives in [`Scanner`] between calls; when the input runs out in
//! the middle of anything, the scanner saves its state and resumes at the first byte it
//! has not consumed. The only bytes ever looked at again are at most three bytes of a
//! multi-byte UTF-8 character or of a `]]>` cut by the end of a chunk, so total work is
//! linear in the input whatever the chunking.

mod reference;
#[allow(unsafe_code)]
mod simd;
mod xmldecl;

pub(crate) use reference::{parse_reference, Reference};

use crate::chars::{class, decode_utf8, is_char, is_name_char, is_name_start_char, is_ws, Utf8};
use crate::chars::{CDATA, NAME, NAME_START, REF, WS};
use crate::error::{err, Error, ErrorKind};
use crate::limits::{Limit, Limits};

/// Text-node flag: the raw text contains a reference.
pub(crate) const F_REF: u8 = 1;
/// Text-node flag: the raw text contains a CR (end-of-line handling needed).
pub(crate) const F_CR: u8 = 2;
/// Text-node flag: the raw text contains a CDATA section.
pub(crate) const F_CDATA: u8 = 4;
/// Attribute flag: the raw value contains TAB, LF or CR (normalisation needed).
pub(crate) const F_WS: u8 = 8;

/// What character data means where the scanner currently is; chosen by the sink after
/// every tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextMode {
    /// Before the root element: whitespace, the XML declaration (at the very start), the
    /// root's start tag.
    Prolog,
    /// Inside an element that collects content: any character data.
    Content,
    /// Directly inside the stream root, between stanzas: whitespace keepalives only.
    Between,
    /// After the root element (or the stream) has been closed: whitespace only.
    Epilog,
}

/// Receiver of the scanner's tokens. Ranges are buffer indices; errors carry buffer
/// indices too (the parser rebases them to stream offsets).
pub(crate) trait Sink {
    /// A start tag's name has been read; `lt` is the index of its `<`.
    fn start_tag(&mut self, buf: &[u8], lt: usize, name: (usize, usize)) -> Result<(), Error>;
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
    /// A maximal run of character data, references and CDATA sections (`Content` mode
    /// only), with `F_*` flags saying what decoding it needs.
    fn text(&mut self, buf: &[u8], start: usize, end: usize, flags: u8) -> Result<(), Error>;
    /// An XML declaration was read between stanzas: an implicit stream restart.
    fn restart_declaration(&mut self);
    /// The text mode that applies after the last tag.
    fn text_mode(&self) -> TextMode;
    /// Whether the start tag just reported is a stream header (the scanner then bounds it
    /// by the header limit, also when it implicitly restarts a stream between stanzas).
    fn reading_header(&self) -> bool;
    /// Whether the last tag completed an event (header, stanza, close).
    fn event_ready(&self) -> bool;
}

/// The outcome of one [`Scanner::scan`] call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// All input has been consumed; more bytes are needed.
    NeedMore,
    /// The sink has a complete event; the scanner stopped right after it.
    Event,
}

/// Scanner settings derived from the parser's configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScanConfig {
    pub max_name: usize,
    pub stanza_bytes: usize,
    pub header_bytes: usize,
    /// Stream mode: the header limit bounds the prolog and the stream header together;
    /// otherwise it bounds the prolog (the XML declaration) only and the root element of a
    /// document is bounded as a stanza.
    pub prolog_is_header: bool,
    /// An XML declaration between stanzas restarts the stream (instead of being an error).
    pub implicit_restart: bool,
}

impl ScanConfig {
    pub(crate) fn new(limits: &Limits, stream: bool, implicit_restart: bool) -> Self {
        ScanConfig {
            max_name: limits.max_name_bytes,
            stanza_bytes: limits.stanza_bytes(),
            header_bytes: limits.header_bytes(),
            prolog_is_header: stream,
            implicit_restart,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    /// The first byte of a document (a BOM is rejected here).
    DocStart,
    /// Character data in the current [`TextMode`].
    Text,
    /// After `<`.
    Lt,
    /// After `<!`.
    Bang,
    /// Matching `[CDATA[` after `<!`.
    CdataOpen,
    /// After `<!-`.
    CommentOpen,
    /// Matching `DOCTYPE` after `<!`.
    DoctypeOpen,
    /// Inside a CDATA section.
    Cdata,
    /// After `<?`, matching `xml`.
    PiOpen,
    /// Inside an XML declaration, looking for `?>`.
    XmlDecl,
    /// In a start tag's name.
    StartName,
    /// Inside a start tag, between attributes.
    TagWs,
    /// In an attribute name.
    AttrName,
    /// After an attribute name, before `=`.
    AttrEq,
    /// After `=`, before the opening quote.
    AttrQuote,
    /// Inside an attribute value.
    AttrValue,
    /// After the `/` of `/>`.
    EmptyClose,
    /// In an end tag's name.
    EndName,
    /// After an end tag's name, before `>`.
    EndWs,
    /// Inside a reference, after `&`.
    Ref,
}

const NO_WINDOW: usize = usize::MAX;
const CDATA_OPEN: &[u8] = b"[CDATA[";
const DOCTYPE: &[u8] = b"DOCTYPE";

/// The resumable scanner state (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Scanner {
    st: St,
    /// Next byte to examine.
    pos: usize,
    mode: TextMode,
    /// The `<` of the current markup.
    lt: usize,
    /// Current element or attribute name.
    name_start: usize,
    name_end: usize,
    value_start: usize,
    quote: u8,
    val_flags: u8,
    /// Start and flags of the pending text node (`Content` mode).
    text_start: usize,
    text_flags: u8,
    ref_start: usize,
    ref_in_attr: bool,
    /// Bytes of a fixed keyword matched so far (`[CDATA[`, `DOCTYPE`, `xml`).
    match_k: usize,
    /// Whitespace seen since the last attribute (attributes must be separated).
    had_ws: bool,
    /// The document has just started: an XML declaration is allowed at the next `<`.
    decl_ok: bool,
    /// Whether the `<?` being read may start an XML declaration.
    decl_here: bool,
    /// `<` of the event being read (header, stanza, close tag), if any.
    event_start: Option<usize>,
    /// Index the current event may not reach, and which limit that is.
    window_end: usize,
    window_limit: Limit,
    cfg: ScanConfig,
}

enum NameStop {
    Delim,
    NeedMore,
    BadUtf8,
}

/// Scans name characters from `i` up to `end`; returns where it stopped and why.
#[inline(always)]
fn scan_name(buf: &[u8], mut i: usize, end: usize) -> (usize, NameStop) {
    loop {
        while i < end && class(buf[i]) & NAME != 0 {
            i += 1;
        }
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

/// Whether a name may start at `buf[i]`: `Some(true/false)`, or `None` when the bytes of
/// a non-ASCII character are cut short. Invalid UTF-8 is an error.
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

/// Index of the first byte at or after `i` (before `end`) whose class lacks `mask`.
#[inline(always)]
fn skip(buf: &[u8], i: usize, end: usize, mask: u8) -> usize {
    match buf[i..end].iter().position(|&b| class(b) & mask == 0) {
        Some(k) => i + k,
        None => end,
    }
}

/// How an attribute value scan stopped.
enum Value {
    /// At the closing quote.
    Closed,
    NeedMore,
    /// At the byte after a `&` (the reference state takes over).
    Ref,
}

impl Scanner {
    /// Starts an attribute value at the quote at `buf[i]`.
    #[inline(always)]
    fn open_value(&mut self, buf: &[u8], i: usize) -> Result<(), Error> {
        let q = buf[i];
        if q != b'"' && q != b'\'' {
            return err(ErrorKind::UnexpectedByte, i);
        }
        self.quote = q;
        self.value_start = i + 1;
        self.val_flags = 0;
        Ok(())
    }

    /// Reports the attribute whose value's closing quote is at `i`.
    #[inline(always)]
    fn close_value<S: Sink>(&mut self, buf: &[u8], sink: &mut S, i: usize) -> Result<(), Error> {
        self.had_ws = false;
        sink.attribute(
            buf,
            (self.name_start, self.name_end),
            (self.value_start, i),
            self.val_flags,
        )
    }

    /// Scans attribute-value bytes from `*i`.
    #[inline(always)]
    fn attr_value(&mut self, buf: &[u8], i: &mut usize, end: usize) -> Result<Value, Error> {
        loop {
            *i = simd::skip_attr(buf, *i, end);
            if *i >= end {
                return Ok(Value::NeedMore);
            }
            let b = buf[*i];
            if b == self.quote {
                return Ok(Value::Closed);
            }
            match b {
                b'"' | b'\'' => *i += 1,
                b'<' => return err(ErrorKind::LtInAttributeValue, *i),
                b'&' => {
                    self.val_flags |= F_REF;
                    self.ref_start = *i;
                    self.ref_in_attr = true;
                    *i += 1;
                    return Ok(Value::Ref);
                }
                b'\t' | b'\n' | b'\r' => {
                    self.val_flags |= F_WS;
                    *i += 1;
                }
                0x80.. => match decode_utf8(&buf[*i..end]) {
                    Utf8::Char(c, l) if is_char(c) => *i += l,
                    Utf8::Char(..) => return err(ErrorKind::InvalidChar, *i),
                    Utf8::Incomplete => return Ok(Value::NeedMore),
                    Utf8::Invalid => return err(ErrorKind::InvalidUtf8, *i),
                },
                _ => return err(ErrorKind::InvalidChar, *i),
            }
        }
    }
}

impl Scanner {
    pub(crate) fn new(cfg: ScanConfig) -> Self {
        Scanner {
            st: St::DocStart,
            pos: 0,
            mode: TextMode::Prolog,
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
            decl_here: false,
            event_start: None,
            window_end: NO_WINDOW,
            window_limit: Limit::StanzaBytes,
            cfg,
        }
    }

    /// Begins a new document (stream restart) at the first byte not yet part of a complete
    /// event: markup already half read (the start of the new stream's header, fed before
    /// the restart) is read again as part of the new document.
    pub(crate) fn restart(&mut self) {
        *self = Scanner {
            pos: self.keep_from(),
            ..Scanner::new(self.cfg)
        };
    }

    /// Index of the first byte the scanner (or the event being read) still needs.
    pub(crate) fn keep_from(&self) -> usize {
        self.event_start.unwrap_or(self.pos)
    }

    /// Index of the next byte to examine.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Whether the scanner is in the middle of something (an event, or bytes it could not
    /// consume yet): end of input here means the input was cut short.
    pub(crate) fn in_progress(&self, filled: usize) -> bool {
        self.event_start.is_some() || self.pos < filled
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
        if let Some(e) = &mut self.event_start {
            *e = e.saturating_sub(k);
        }
        if self.window_end != NO_WINDOW {
            self.window_end -= k;
        }
    }

    #[inline(always)]
    fn out_of_input(&self, len: usize, end: usize) -> Result<Step, Error> {
        if end < len {
            err(ErrorKind::LimitExceeded(self.window_limit), end)
        } else {
            Ok(Step::NeedMore)
        }
    }

    fn text_error(&self) -> ErrorKind {
        match self.mode {
            TextMode::Between => ErrorKind::TextAtStreamLevel,
            _ => ErrorKind::TextOutsideRoot,
        }
    }

    /// Opens the window of the event starting at `lt` unless one is open: the header
    /// limit for a stream's prolog, the stanza limit otherwise (a document's root element;
    /// a declaration switches to the header limit when it shows up, see `header_window`).
    fn open_window(&mut self, lt: usize) {
        if self.event_start.is_none() {
            let header = self.mode == TextMode::Prolog && self.cfg.prolog_is_header;
            self.set_window(lt, header);
        }
    }

    /// Makes `lt` the start of the current event, bounded by the header or stanza limit.
    fn set_window(&mut self, lt: usize, header: bool) {
        self.event_start = Some(lt);
        let (size, limit) = if header {
            (self.cfg.header_bytes, Limit::HeaderBytes)
        } else {
            (self.cfg.stanza_bytes, Limit::StanzaBytes)
        };
        self.window_end = lt.saturating_add(size);
        self.window_limit = limit;
    }

    /// Flushes the pending text node (if any) before markup at `lt`.
    #[inline]
    fn flush_text<S: Sink>(&mut self, buf: &[u8], sink: &mut S, lt: usize) -> Result<(), Error> {
        if self.mode == TextMode::Content && lt > self.text_start {
            sink.text(buf, self.text_start, lt, self.text_flags)?;
        }
        Ok(())
    }

    /// Scans the rest of the name that starts at `self.name_start`, from `i`: the index
    /// where it stopped, and whether the name is complete (a delimiter follows) rather
    /// than cut by the end of the input. Enforces the name length limit.
    #[inline(always)]
    fn name_at(&self, buf: &[u8], i: usize, end: usize) -> Result<(usize, bool), Error> {
        let (j, stop) = scan_name(buf, i, end);
        self.check_name_len(self.name_start, j)?;
        match stop {
            NameStop::Delim => Ok((j, true)),
            NameStop::NeedMore => Ok((j, false)),
            NameStop::BadUtf8 => err(ErrorKind::InvalidUtf8, j),
        }
    }

    fn check_name_len(&self, start: usize, i: usize) -> Result<(), Error> {
        if i - start > self.cfg.max_name {
            return err(
                ErrorKind::LimitExceeded(Limit::NameBytes),
                start + self.cfg.max_name,
            );
        }
        Ok(())
    }

    /// Scans `buf[self.pos..]`, feeding tokens to `sink`, until the input runs out
    /// ([`Step::NeedMore`]) or an event is complete ([`Step::Event`]).
    pub(crate) fn scan<S: Sink>(&mut self, buf: &[u8], sink: &mut S) -> Result<Step, Error> {
        let mut i = self.pos;
        let mut st = self.st;
        let len = buf.len();
        let mut end = len.min(self.window_end);

        macro_rules! need_more {
            () => {{
                self.st = st;
                self.pos = i;
                return self.out_of_input(len, end);
            }};
        }
        // After a tag: pick up the sink's new mode, start a text node, stop on events.
        macro_rules! after_tag {
            () => {{
                self.mode = sink.text_mode();
                self.text_start = i;
                self.text_flags = 0;
                st = St::Text;
                if sink.event_ready() {
                    self.event_start = None;
                    self.window_end = NO_WINDOW;
                    self.st = st;
                    self.pos = i;
                    return Ok(Step::Event);
                }
            }};
        }

        loop {
            match st {
                St::DocStart => {
                    if i >= end {
                        need_more!();
                    }
                    // A UTF-8 BOM is restricted; UTF-16 and UTF-32 (by BOM, or by a zero
                    // byte beside the first '<') are unsupported encodings.
                    let avail = &buf[i..end.min(i + 3)];
                    let sniff: [(&[u8], ErrorKind); 5] = [
                        (b"\xEF\xBB\xBF", ErrorKind::ByteOrderMark),
                        (b"\xFE\xFF", ErrorKind::UnsupportedEncoding),
                        (b"\xFF\xFE", ErrorKind::UnsupportedEncoding),
                        (b"\x00", ErrorKind::UnsupportedEncoding),
                        (b"<\x00", ErrorKind::UnsupportedEncoding),
                    ];
                    for (sig, kind) in sniff {
                        let n = avail.len().min(sig.len());
                        if avail[..n] == sig[..n] {
                            if n < sig.len() {
                                need_more!();
                            }
                            return err(kind, i);
                        }
                    }
                    self.decl_ok = buf[i] == b'<';
                    st = St::Text;
                }
                St::Text => {
                    if self.mode == TextMode::Content {
                        loop {
                            i = simd::skip_text(buf, i, end);
                            if i >= end {
                                need_more!();
                            }
                            match buf[i] {
                                b'<' => {
                                    self.lt = i;
                                    // Fast paths for the common tags; anything else (and
                                    // anything cut short) goes through the Lt state.
                                    let next = buf.get(i + 1).copied().filter(|_| i + 1 < end);
                                    match next {
                                        Some(b'/') => {
                                            self.flush_text(buf, sink, i)?;
                                            i += 2;
                                            self.name_start = i;
                                            if i >= end || class(buf[i]) & NAME_START == 0 {
                                                st = St::EndName;
                                                break;
                                            }
                                            let (j, complete) = self.name_at(buf, i, end)?;
                                            i = j;
                                            if !complete {
                                                st = St::EndName;
                                                need_more!();
                                            }
                                            self.name_end = i;
                                            i = skip(buf, i, end, WS);
                                            if i >= end {
                                                st = St::EndWs;
                                                need_more!();
                                            }
                                            if buf[i] != b'>' {
                                                return err(ErrorKind::UnexpectedByte, i);
                                            }
                                            i += 1;
                                            sink.end_tag(
                                                buf,
                                                self.lt,
                                                (self.name_start, self.name_end),
                                                i,
                                            )?;
                                            after_tag!();
                                            if self.mode != TextMode::Content {
                                                break;
                                            }
                                            continue;
                                        }
                                        Some(b) if class(b) & NAME_START != 0 => {
                                            self.flush_text(buf, sink, i)?;
                                            i += 1;
                                            self.name_start = i;
                                            st = St::StartName;
                                            break;
                                        }
                                        _ => {
                                            i += 1;
                                            st = St::Lt;
                                            break;
                                        }
                                    }
                                }
                                b'&' => {
                                    self.text_flags |= F_REF;
                                    self.ref_start = i;
                                    self.ref_in_attr = false;
                                    i += 1;
                                    st = St::Ref;
                                    break;
                                }
                                b'\r' => {
                                    self.text_flags |= F_CR;
                                    i += 1;
                                }
                                b'>' => {
                                    // Markup always ends in '>' or ';', so two ']' right
                                    // before are character data of this text node.
                                    if i >= 2 && buf[i - 1] == b']' && buf[i - 2] == b']' {
                                        return err(ErrorKind::CDataEndInText, i - 2);
                                    }
                                    i += 1;
                                }
                                0x80.. => match decode_utf8(&buf[i..end]) {
                                    Utf8::Char(c, l) if is_char(c) => i += l,
                                    Utf8::Char(..) => return err(ErrorKind::InvalidChar, i),
                                    Utf8::Incomplete => need_more!(),
                                    Utf8::Invalid => return err(ErrorKind::InvalidUtf8, i),
                                },
                                _ => return err(ErrorKind::InvalidChar, i),
                            }
                        }
                    } else {
                        while i < end && is_ws(buf[i]) {
                            i += 1;
                        }
                        if i >= end {
                            need_more!();
                        }
                        if buf[i] != b'<' {
                            if buf[i] >= 0x80 {
                                match decode_utf8(&buf[i..end]) {
                                    Utf8::Incomplete => need_more!(),
                                    Utf8::Invalid => return err(ErrorKind::InvalidUtf8, i),
                                    Utf8::Char(..) => {}
                                }
                            }
                            return err(self.text_error(), i);
                        }
                        self.open_window(i);
                        end = len.min(self.window_end);
                        self.lt = i;
                        i += 1;
                        st = St::Lt;
                    }
                }
                St::Lt => {
                    let document_prolog =
                        self.mode == TextMode::Prolog && !self.cfg.prolog_is_header;
                    if document_prolog {
                        // The byte after a document's first '<' decides which limit bounds
                        // it (a declaration: the header limit; the root: the stanza
                        // limit), so it is looked at before either window applies.
                        end = len;
                    }
                    if i >= end {
                        need_more!();
                    }
                    let decl_ok = core::mem::take(&mut self.decl_ok);
                    match buf[i] {
                        b'/' => {
                            match self.mode {
                                TextMode::Prolog => {
                                    return err(ErrorKind::MismatchedEndTag, self.lt)
                                }
                                TextMode::Epilog => {
                                    return err(ErrorKind::ContentAfterRoot, self.lt)
                                }
                                _ => {}
                            }
                            self.flush_text(buf, sink, self.lt)?;
                            i += 1;
                            self.name_start = i;
                            st = St::EndName;
                        }
                        b'!' => {
                            i += 1;
                            st = St::Bang;
                        }
                        b'?' => {
                            i += 1;
                            self.match_k = 0;
                            let restart =
                                self.mode == TextMode::Between && self.cfg.implicit_restart;
                            self.decl_here = decl_ok || restart;
                            if self.decl_here {
                                // A declaration belongs to a (new) stream's header, or to a
                                // document's prolog: the header limit applies from its '<'.
                                self.set_window(self.lt, true);
                                end = len.min(self.window_end);
                            }
                            st = St::PiOpen;
                        }
                        _ => match name_start_at(buf, i, end)? {
                            None => {
                                // Give the '<' decision back until the character is whole.
                                self.decl_ok = decl_ok;
                                need_more!();
                            }
                            // A lone '<' (followed by whitespace) is reported at the
                            // '<'; a name that starts wrongly at its first byte.
                            Some(false) if is_ws(buf[i]) => {
                                return err(ErrorKind::UnexpectedByte, self.lt)
                            }
                            Some(false) => return err(ErrorKind::InvalidName, i),
                            Some(true) => {
                                if self.mode == TextMode::Epilog {
                                    return err(ErrorKind::ContentAfterRoot, self.lt);
                                }
                                if document_prolog {
                                    self.set_window(self.lt, false);
                                }
                                end = len.min(self.window_end);
                                self.flush_text(buf, sink, self.lt)?;
                                self.name_start = i;
                                st = St::StartName;
                            }
                        },
                    }
                }
                St::Bang => {
                    if i >= end {
                        need_more!();
                    }
                    match buf[i] {
                        b'[' => st = St::CdataOpen,
                        b'-' => st = St::CommentOpen,
                        b'D' => st = St::DoctypeOpen,
                        _ => return err(ErrorKind::UnexpectedByte, i),
                    }
                    i += 1;
                    self.match_k = 1;
                }
                St::CdataOpen => {
                    while self.match_k < CDATA_OPEN.len() {
                        if i >= end {
                            need_more!();
                        }
                        if buf[i] != CDATA_OPEN[self.match_k] {
                            return err(ErrorKind::UnexpectedByte, i);
                        }
                        i += 1;
                        self.match_k += 1;
                    }
                    match self.mode {
                        TextMode::Content => {
                            self.text_flags |= F_CDATA;
                            st = St::Cdata;
                        }
                        _ => return err(self.text_error(), self.lt),
                    }
                }
                St::CommentOpen => {
                    if i >= end {
                        need_more!();
                    }
                    if buf[i] == b'-' {
                        return err(ErrorKind::Comment, self.lt);
                    }
                    return err(ErrorKind::UnexpectedByte, i);
                }
                St::DoctypeOpen => {
                    while self.match_k < DOCTYPE.len() {
                        if i >= end {
                            need_more!();
                        }
                        if buf[i] != DOCTYPE[self.match_k] {
                            return err(ErrorKind::UnexpectedByte, i);
                        }
                        i += 1;
                        self.match_k += 1;
                    }
                    return err(ErrorKind::Doctype, self.lt);
                }
                St::Cdata => loop {
                    while i < end && class(buf[i]) & CDATA != 0 {
                        i += 1;
                    }
                    if i >= end {
                        need_more!();
                    }
                    match buf[i] {
                        b']' => {
                            if end - i < 3 {
                                need_more!();
                            }
                            if buf[i + 1] == b']' && buf[i + 2] == b'>' {
                                i += 3;
                                st = St::Text;
                                break;
                            }
                            i += 1;
                        }
                        b'\r' => {
                            self.text_flags |= F_CR;
                            i += 1;
                        }
                        0x80.. => match decode_utf8(&buf[i..end]) {
                            Utf8::Char(c, l) if is_char(c) => i += l,
                            Utf8::Char(..) => return err(ErrorKind::InvalidChar, i),
                            Utf8::Incomplete => need_more!(),
                            Utf8::Invalid => return err(ErrorKind::InvalidUtf8, i),
                        },
                        _ => return err(ErrorKind::InvalidChar, i),
                    }
                },
                St::PiOpen => {
                    const XML: &[u8] = b"xml";
                    while self.match_k < XML.len() {
                        if i >= end {
                            need_more!();
                        }
                        if buf[i] != XML[self.match_k] {
                            return err(ErrorKind::ProcessingInstruction, self.lt);
                        }
                        i += 1;
                        self.match_k += 1;
                    }
                    if i >= end {
                        need_more!();
                    }
                    let b = buf[i];
                    if is_ws(b) {
                        if !self.decl_here {
                            return err(ErrorKind::MisplacedXmlDeclaration, self.lt);
                        }
                        st = St::XmlDecl;
                    } else if b >= 0x80 || class(b) & NAME != 0 {
                        return err(ErrorKind::ProcessingInstruction, self.lt);
                    } else if self.decl_here {
                        return err(ErrorKind::MalformedXmlDeclaration, self.lt);
                    } else {
                        return err(ErrorKind::MisplacedXmlDeclaration, self.lt);
                    }
                }
                St::XmlDecl => loop {
                    match memchr::memchr3(b'?', b'>', b'<', &buf[i..end]) {
                        None => {
                            i = end;
                            need_more!();
                        }
                        Some(k) => {
                            let q = i + k;
                            if buf[q] != b'?' {
                                return err(ErrorKind::MalformedXmlDeclaration, self.lt);
                            }
                            if q + 1 >= end {
                                i = q;
                                need_more!();
                            }
                            if buf[q + 1] != b'>' {
                                i = q + 1;
                                continue;
                            }
                            i = q + 2;
                            if let Err((kind, at)) = xmldecl::check_xml_decl(&buf[self.lt..i]) {
                                return err(kind, self.lt + at);
                            }
                            if self.mode == TextMode::Prolog && !self.cfg.prolog_is_header {
                                // A document's declaration is not part of its root element:
                                // the root's own window opens at its '<'.
                                self.event_start = None;
                                self.window_end = NO_WINDOW;
                                end = len;
                            }
                            if self.mode == TextMode::Between {
                                // The new stream's header window is already open.
                                sink.restart_declaration();
                                self.mode = sink.text_mode();
                            }
                            st = St::Text;
                            break;
                        }
                    }
                },
                St::StartName | St::TagWs => {
                    if st == St::StartName {
                        let (j, complete) = self.name_at(buf, i, end)?;
                        i = j;
                        if !complete {
                            need_more!();
                        }
                        self.name_end = i;
                        sink.start_tag(buf, self.lt, (self.name_start, i))?;
                        if self.mode == TextMode::Between && sink.reading_header() {
                            // An implicit restart by start tag: a header, so the header
                            // limit applies from its '<'.
                            self.mode = TextMode::Prolog;
                            self.set_window(self.lt, true);
                            end = len.min(self.window_end);
                        }
                        self.had_ws = false;
                        st = St::TagWs;
                    }
                    // Attributes are read here in one go while the input lasts; the
                    // Attr* states only resume one cut by the end of a chunk.
                    loop {
                        if i < end && is_ws(buf[i]) {
                            self.had_ws = true;
                            i = skip(buf, i + 1, end, WS);
                        }
                        if i >= end {
                            need_more!();
                        }
                        match buf[i] {
                            b'>' => {
                                i += 1;
                                sink.start_tag_end(buf, false, i)?;
                                after_tag!();
                                break;
                            }
                            b'/' => {
                                i += 1;
                                st = St::EmptyClose;
                                break;
                            }
                            _ => match name_start_at(buf, i, end)? {
                                None => need_more!(),
                                Some(false) => return err(ErrorKind::UnexpectedByte, i),
                                Some(true) => {
                                    if !self.had_ws {
                                        return err(ErrorKind::MissingWhitespace, i);
                                    }
                                    self.name_start = i;
                                }
                            },
                        }
                        let (j, complete) = self.name_at(buf, i, end)?;
                        i = j;
                        if !complete {
                            st = St::AttrName;
                            need_more!();
                        }
                        self.name_end = i;
                        i = skip(buf, i, end, WS);
                        if i >= end {
                            st = St::AttrEq;
                            need_more!();
                        }
                        if buf[i] != b'=' {
                            return err(ErrorKind::UnexpectedByte, i);
                        }
                        i = skip(buf, i + 1, end, WS);
                        if i >= end {
                            st = St::AttrQuote;
                            need_more!();
                        }
                        self.open_value(buf, i)?;
                        i += 1;
                        match self.attr_value(buf, &mut i, end)? {
                            Value::Closed => {
                                self.close_value(buf, sink, i)?;
                                i += 1;
                            }
                            Value::NeedMore => {
                                st = St::AttrValue;
                                need_more!();
                            }
                            Value::Ref => {
                                st = St::Ref;
                                break;
                            }
                        }
                    }
                }
                St::AttrName => {
                    let (j, complete) = self.name_at(buf, i, end)?;
                    i = j;
                    if !complete {
                        need_more!();
                    }
                    self.name_end = i;
                    st = St::AttrEq;
                }
                St::AttrEq => {
                    i = skip(buf, i, end, WS);
                    if i >= end {
                        need_more!();
                    }
                    if buf[i] != b'=' {
                        return err(ErrorKind::UnexpectedByte, i);
                    }
                    i += 1;
                    st = St::AttrQuote;
                }
                St::AttrQuote => {
                    i = skip(buf, i, end, WS);
                    if i >= end {
                        need_more!();
                    }
                    self.open_value(buf, i)?;
                    i += 1;
                    st = St::AttrValue;
                }
                St::AttrValue => match self.attr_value(buf, &mut i, end)? {
                    Value::Closed => {
                        self.close_value(buf, sink, i)?;
                        i += 1;
                        st = St::TagWs;
                    }
                    Value::NeedMore => need_more!(),
                    Value::Ref => st = St::Ref,
                },
                St::EmptyClose => {
                    if i >= end {
                        need_more!();
                    }
                    if buf[i] != b'>' {
                        return err(ErrorKind::UnexpectedByte, i);
                    }
                    i += 1;
                    sink.start_tag_end(buf, true, i)?;
                    after_tag!();
                }
                St::EndName => {
                    if i == self.name_start {
                        if i >= end {
                            need_more!();
                        }
                        match name_start_at(buf, i, end)? {
                            None => need_more!(),
                            Some(false) => return err(ErrorKind::InvalidName, i),
                            Some(true) => {}
                        }
                    }
                    let (j, complete) = self.name_at(buf, i, end)?;
                    i = j;
                    if !complete {
                        need_more!();
                    }
                    self.name_end = i;
                    st = St::EndWs;
                }
                St::EndWs => {
                    while i < end && is_ws(buf[i]) {
                        i += 1;
                    }
                    if i >= end {
                        need_more!();
                    }
                    if buf[i] != b'>' {
                        return err(ErrorKind::UnexpectedByte, i);
                    }
                    i += 1;
                    sink.end_tag(buf, self.lt, (self.name_start, self.name_end), i)?;
                    after_tag!();
                }
                St::Ref => {
                    while i < end && class(buf[i]) & REF != 0 {
                        i += 1;
                    }
                    let body_start = self.ref_start + 1;
                    self.check_name_len(body_start, i)?;
                    if i >= end {
                        need_more!();
                    }
                    if buf[i] != b';' {
                        return err(ErrorKind::MalformedReference, self.ref_start);
                    }
                    if let Err(kind) = parse_reference(&buf[body_start..i]) {
                        return err(kind, self.ref_start);
                    }
                    i += 1;
                    st = if self.ref_in_attr {
                        St::AttrValue
                    } else {
                        St::Text
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;

    /// Records tokens as strings with their exact spans; Content everywhere but before
    /// the first tag.
    #[derive(Default)]
    struct Rec {
        out: Vec<String>,
        depth: usize,
        seen_root: bool,
    }

    impl Sink for Rec {
        fn start_tag(&mut self, _: &[u8], lt: usize, n: (usize, usize)) -> Result<(), Error> {
            self.out.push(format!("start@{lt} {}..{}", n.0, n.1));
            Ok(())
        }
        fn attribute(
            &mut self,
            _: &[u8],
            n: (usize, usize),
            v: (usize, usize),
            f: u8,
        ) -> Result<(), Error> {
            self.out
                .push(format!("attr {}..{}={}..{} f{f}", n.0, n.1, v.0, v.1));
            Ok(())
        }
        fn start_tag_end(&mut self, _: &[u8], empty: bool, end: usize) -> Result<(), Error> {
            self.out
                .push(format!("{}@{end}", if empty { "empty" } else { "open" }));
            if !empty {
                self.depth += 1;
            }
            self.seen_root = true;
            Ok(())
        }
        fn end_tag(
            &mut self,
            _: &[u8],
            lt: usize,
            n: (usize, usize),
            end: usize,
        ) -> Result<(), Error> {
            self.out.push(format!("end@{lt} {}..{} @{end}", n.0, n.1));
            self.depth -= 1;
            Ok(())
        }
        fn text(&mut self, _: &[u8], s: usize, e: usize, f: u8) -> Result<(), Error> {
            self.out.push(format!("text {s}..{e} f{f}"));
            Ok(())
        }
        fn restart_declaration(&mut self) {}
        fn reading_header(&self) -> bool {
            false
        }
        fn text_mode(&self) -> TextMode {
            match (self.depth, self.seen_root) {
                (0, false) => TextMode::Prolog,
                (0, true) => TextMode::Epilog,
                _ => TextMode::Content,
            }
        }
        fn event_ready(&self) -> bool {
            false
        }
    }

    /// Scans `input` whole and byte by byte; both must record the same tokens.
    fn tokens(input: &str) -> Result<Vec<String>, (ErrorKind, u64)> {
        let cfg = ScanConfig::new(&Limits::default(), false, false);
        let run = |step: usize| {
            let mut sc = Scanner::new(cfg);
            let mut rec = Rec::default();
            let b = input.as_bytes();
            let mut n = 0;
            while n < b.len() {
                n = (n + step).min(b.len());
                sc.scan(&b[..n], &mut rec)
                    .map_err(|e| (e.kind(), e.offset()))?;
            }
            Ok(rec.out)
        };
        let whole = run(input.len().max(1));
        assert_eq!(whole, run(1), "{input:?}");
        whole
    }

    #[test]
    fn tokens_with_exact_spans() {
        assert_eq!(
            tokens("<a x='1' y = \"2&amp;\t\"><b/>t&lt;<![CDATA[c]]>\r</a>").unwrap(),
            [
                "start@0 1..2",
                "attr 3..4=6..7 f0",
                "attr 9..10=14..21 f9",
                "open@23",
                "start@23 24..25",
                "empty@27",
                "text 27..46 f7",
                "end@46 48..49 @50",
            ]
        );
        assert_eq!(
            tokens("<?xml version='1.0'?>\n<r/>").unwrap(),
            ["start@22 23..24", "empty@26"]
        );
        assert_eq!(tokens("<r>]]></r>"), Err((ErrorKind::CDataEndInText, 3)));
        assert_eq!(
            tokens("<r a='x'b='y'/>"),
            Err((ErrorKind::MissingWhitespace, 8))
        );
        assert_eq!(
            tokens("<r>&unknown;</r>"),
            Err((ErrorKind::EntityReference, 3))
        );
        assert_eq!(tokens("<r><!DOCTYPE"), Err((ErrorKind::Doctype, 3)));
        assert_eq!(tokens("<r/> x"), Err((ErrorKind::TextOutsideRoot, 5)));
    }
}

//! The framer: receives the scanner's tokens and cuts the stream into events: the stream
//! header (depth-0 start tag), stanzas (complete depth-1 elements), and the stream close;
//! in document mode the root element is the one "stanza". It tracks the stream phase,
//! restarts and depth, and enforces the structural limits; it hands every name to the
//! namespace [`Resolver`] and every token to the tree [`Builder`].

use crate::error::{err, Error, ErrorKind};
use crate::limits::{Limit, Limits};
use crate::ns::Resolver;
use crate::scan::{Context, Outside};
use crate::tree::{Builder, StoredTree, STREAMS_NS};

/// What the parser is reading: an XMPP stream or a plain XML document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mode {
    /// An XMPP stream: the root must be `<stream:stream/>` in
    /// `http://etherx.jabber.org/streams`; it yields a header event, one event per
    /// depth-1 element, and a close event.
    #[default]
    Stream,
    /// A plain XML document (restricted XML all the same): the root element is delivered
    /// as a single [`Event::Stanza`](crate::Event::Stanza) once it is complete, whatever
    /// its name.
    Document,
    /// A stream whose root may have any name and namespace: like [`Mode::Stream`] (the
    /// root start tag is an [`Event::Header`](crate::Event::Header) bounded by
    /// [`Limits::max_header_bytes`](crate::Limits::max_header_bytes), each complete
    /// depth-1 element an [`Event::Stanza`](crate::Event::Stanza) bounded by the stanza
    /// limits, the root end tag [`Event::Close`](crate::Event::Close)), without the check
    /// that the root is `<stream:stream>`. For XML streams with another root, such as a
    /// BOSH `<body xmlns='http://jabber.org/protocol/httpbind'>` or a generic
    /// stream-oriented XML reader.
    ///
    /// ```
    /// use xmpp_stream::{Config, Event, Mode, Parser};
    /// let mut p = Parser::with_config(Config::default().with_mode(Mode::AnyRoot));
    /// p.feed(b"<body xmlns='http://jabber.org/protocol/httpbind' rid='1'><message/></body>");
    /// assert!(matches!(p.next_event()?, Some(Event::Header(h)) if h.attr("", "rid") == Some("1")));
    /// assert!(matches!(p.next_event()?, Some(Event::Stanza(s))
    ///     if s.root().is("http://jabber.org/protocol/httpbind", "message")));
    /// assert!(matches!(p.next_event()?, Some(Event::Close)));
    /// p.finish()?;
    /// # Ok::<(), xmpp_stream::Error>(())
    /// ```
    AnyRoot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Before the root start tag.
    Prolog,
    /// Inside the stream root (stream mode) or the document root.
    Open,
    /// The root was closed.
    Closed,
}

/// A complete event waiting to be handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pending {
    Header,
    /// A stanza (or document root) from buffer index `start` to `end`.
    Tree {
        start: usize,
        end: usize,
    },
    Close,
}

/// The framer state (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Framer {
    mode: Mode,
    limits: Limits,
    implicit_restart: bool,
    pub(crate) phase: Phase,
    /// The start tag being read is the stream header.
    reading_header: bool,
    /// A tree (header, stanza or document root) has begun and is not complete yet.
    building: bool,
    /// The records of the tree being read (the stanza once it is pending).
    pub(crate) builder: Builder,
    /// Namespace names, bindings and resolution.
    pub(crate) resolver: Resolver,
    /// The stream header, copied out of the buffer so that it outlives the header event.
    pub(crate) header: StoredTree,
    pub(crate) pending: Option<Pending>,
    /// A `<stream:stream/>` header was empty: its close follows the header event.
    pub(crate) close_after_header: bool,
    /// `(from, to)`: when the root's default namespace is `from`, elements inside it
    /// that inherit it are read in `to` instead (BOSH: unqualified stanzas in
    /// `<body xmlns='http://jabber.org/protocol/httpbind'>` are `jabber:client`).
    pub(crate) rebind_default: Option<(&'static str, &'static str)>,
}

impl Framer {
    pub(crate) fn new(mode: Mode, limits: Limits, implicit_restart: bool) -> Self {
        Framer {
            mode,
            implicit_restart,
            phase: Phase::Prolog,
            reading_header: false,
            building: false,
            builder: Builder::default(),
            resolver: Resolver::new(limits.max_namespace_bindings),
            limits,
            header: StoredTree::default(),
            pending: None,
            close_after_header: false,
            rebind_default: None,
        }
    }

    /// Checks `limits` from now on (between events: see
    /// [`Parser::set_limits`](crate::Parser::set_limits)).
    pub(crate) fn set_limits(&mut self, limits: Limits) {
        self.resolver
            .set_max_bindings(limits.max_namespace_bindings);
        self.limits = limits;
    }

    /// Forgets the current stream (header, bindings, open elements), keeping storage.
    pub(crate) fn restart(&mut self) {
        self.phase = Phase::Prolog;
        self.reading_header = false;
        self.building = false;
        self.builder.clear();
        self.resolver.restart();
        self.header.clear();
        self.pending = None;
        self.close_after_header = false;
    }

    pub(crate) fn shift(&mut self, k: usize) {
        self.builder.shift(k);
    }

    /// Whether end of input now is premature: before the stream header (or the document's
    /// root) or inside an element.
    pub(crate) fn incomplete(&self) -> bool {
        self.phase == Phase::Prolog || self.building
    }

    /// Whether the parser sits between stanzas or before a stream (nothing half-read).
    pub(crate) fn at_rest(&self) -> bool {
        !self.building
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.builder.heap_bytes() + self.resolver.heap_bytes() + self.header.heap_bytes()
    }

    pub(crate) fn shrink(&mut self) {
        if self.at_rest() {
            self.builder.shrink();
            self.resolver.shrink();
            self.header.shrink();
        }
    }

    fn begin_tree(&mut self, lt: usize, header: bool) {
        self.builder.begin(lt);
        self.reading_header = header;
        self.building = true;
        if !header {
            self.resolver.begin_stanza();
        }
    }

    /// Checks that the index has room for one more record (element, text run, attribute).
    #[inline]
    fn room(&self, at: usize) -> Result<(), Error> {
        if self.builder.records() >= self.limits.max_stanza_nodes {
            return err(ErrorKind::LimitExceeded(Limit::StanzaNodes), at);
        }
        Ok(())
    }

    fn close_element(&mut self, end: usize) {
        if self.builder.depth() == 0 {
            return;
        }
        self.builder.close(end);
        self.resolver.end_element();
        if self.builder.depth() == 0 {
            self.building = false;
            self.pending = Some(Pending::Tree {
                start: self.builder.origin(),
                end,
            });
            if self.mode == Mode::Document {
                self.phase = Phase::Closed;
            }
        }
    }

    /// The stream header's start tag is complete at `end`: keep it for the stream.
    #[cold]
    #[inline(never)]
    fn end_header(&mut self, buf: &[u8], empty: bool, end: usize) -> Result<(), Error> {
        let node = self.builder.tree.nodes[self.builder.current() as usize];
        let lt = self.builder.origin() + node.start as usize;
        let local_start = lt
            + 1
            + if node.prefix_len > 0 {
                node.prefix_len as usize + 1
            } else {
                0
            };
        let local = &buf[local_start..lt + 1 + node.name_len as usize];
        if self.mode == Mode::Stream
            && (self.resolver.table.get(node.ns) != STREAMS_NS || local != b"stream")
        {
            return err(ErrorKind::InvalidStreamRoot, lt);
        }
        self.builder.end_current(end);
        // Once per stream: checked (the scanner validated these bytes; see
        // `parser::scanned_str`).
        let bytes = core::str::from_utf8(&buf[self.builder.origin()..end]);
        debug_assert!(bytes.is_ok(), "scanner let invalid UTF-8 through");
        self.header.store(bytes.unwrap_or(""), &self.builder.tree);
        self.builder.clear();
        self.header.default_override = self.resolver.seal_stream(self.rebind_default);
        self.reading_header = false;
        self.building = false;
        self.pending = Some(Pending::Header);
        if empty {
            self.close_after_header = true;
            self.phase = Phase::Closed;
        } else {
            self.phase = Phase::Open;
        }
        Ok(())
    }
}

/// The scanner's tokens (through the event windows, `crate::window`).
impl Framer {
    // Inlined into both copies of the scan loop (as it was into the one loop before).
    #[inline(always)]
    pub(crate) fn start_tag(
        &mut self,
        buf: &[u8],
        lt: usize,
        name: (usize, usize),
    ) -> Result<(), Error> {
        let qname = &buf[name.0..name.1];
        let depth = self.builder.depth();
        if depth == 0 {
            match (self.mode, self.phase) {
                (Mode::Stream | Mode::AnyRoot, Phase::Prolog) => self.begin_tree(lt, true),
                (Mode::Stream | Mode::AnyRoot, Phase::Open) => {
                    if self.implicit_restart && qname == self.header.root_qname() {
                        self.restart();
                        self.begin_tree(lt, true);
                    } else {
                        self.begin_tree(lt, false);
                    }
                }
                (Mode::Document, Phase::Prolog) => self.begin_tree(lt, false),
                (_, _) => return err(ErrorKind::ContentAfterRoot, lt),
            }
        }
        if !self.reading_header && depth + 1 > self.limits.max_depth {
            return err(ErrorKind::LimitExceeded(Limit::Depth), lt);
        }
        let plen = self
            .resolver
            .start_element(buf, name)
            .or_else(|_| err(ErrorKind::InvalidQName, name.0))?;
        self.room(lt)?;
        self.builder.start_element(lt, qname.len(), plen);
        Ok(())
    }

    // Inlined into the scan loop: one call per attribute showed as a tenth of the
    // instructions (issue 11).
    #[inline(always)]
    pub(crate) fn attribute(
        &mut self,
        buf: &[u8],
        name: (usize, usize),
        value: (usize, usize),
        flags: u8,
    ) -> Result<(), Error> {
        if self.builder.attr_count() >= self.limits.max_attributes {
            return err(ErrorKind::LimitExceeded(Limit::Attributes), name.0);
        }
        self.room(name.0)?;
        let an = self
            .resolver
            .attribute_name(buf, name)
            .or_else(|_| err(ErrorKind::InvalidQName, name.0))?;
        if an.is_decl && self.resolver.declarations() > self.limits.max_namespace_declarations {
            return err(
                ErrorKind::LimitExceeded(Limit::NamespaceDeclarations),
                name.0,
            );
        }
        self.builder
            .attribute(name, value, an.prefix_len, flags, an.is_decl);
        Ok(())
    }

    pub(crate) fn start_tag_end(
        &mut self,
        buf: &[u8],
        empty: bool,
        end: usize,
    ) -> Result<(), Error> {
        let origin = self.builder.origin();
        if let Some((node, attrs)) = self.builder.seal_current() {
            self.resolver
                .resolve_start_tag(buf, origin, node, attrs, self.reading_header)?;
        }
        if self.reading_header {
            return self.end_header(buf, empty, end);
        }
        if self.builder.depth() == 0 && self.mode == Mode::Document {
            self.phase = Phase::Open;
        }
        self.builder.open_current();
        if empty {
            self.close_element(end);
        }
        Ok(())
    }

    pub(crate) fn end_tag(
        &mut self,
        buf: &[u8],
        lt: usize,
        name: (usize, usize),
        end: usize,
    ) -> Result<(), Error> {
        let Some((open, len)) = self.builder.open_name() else {
            let qname = &buf[name.0..name.1];
            if self.mode != Mode::Document
                && self.phase == Phase::Open
                && qname == self.header.root_qname()
            {
                self.phase = Phase::Closed;
                self.pending = Some(Pending::Close);
                return Ok(());
            }
            return err(ErrorKind::MismatchedEndTag, lt);
        };
        if name.1 - name.0 != len || !same_bytes(buf, open, name.0, len) {
            return err(ErrorKind::MismatchedEndTag, lt);
        }
        self.close_element(end);
        Ok(())
    }

    pub(crate) fn text(
        &mut self,
        _buf: &[u8],
        start: usize,
        end: usize,
        flags: u8,
    ) -> Result<(), Error> {
        self.room(start)?;
        self.builder.text(start, end, flags);
        Ok(())
    }

    /// What character data means after the last tag: content inside an element;
    /// outside, whitespace only, with the error for anything else by phase (text between
    /// stanzas is text at stream level; nothing but whitespace after the root).
    #[inline]
    pub(crate) fn context(&self) -> Context {
        if self.builder.depth() > 0 {
            return Context::Content;
        }
        match self.phase {
            Phase::Prolog => Context::Outside(Outside::PROLOG),
            Phase::Open => Context::Outside(Outside {
                text: ErrorKind::TextAtStreamLevel,
                end_tag: None,
                start_tag: None,
            }),
            Phase::Closed => Context::Outside(Outside {
                text: ErrorKind::TextOutsideRoot,
                end_tag: Some(ErrorKind::ContentAfterRoot),
                start_tag: Some(ErrorKind::ContentAfterRoot),
            }),
        }
    }

    /// Whether the start tag being read is a stream header.
    #[inline]
    pub(crate) fn reading_header(&self) -> bool {
        self.reading_header
    }
}

/// Whether `buf[a..a + len]` and `buf[b..b + len]` (both in `buf`) are the same bytes:
/// names of up to 16 bytes as one or two word compares where the words are in `buf`,
/// others (and names at the buffer's end) as slices. An end tag's name against its
/// element's: the slice compare was a `memcmp` call per end tag (issue 11).
#[inline(always)]
fn same_bytes(buf: &[u8], a: usize, b: usize, len: usize) -> bool {
    let word = |at: usize| {
        buf.get(at..)
            .and_then(|s| s.first_chunk::<8>())
            .map(|w| u64::from_le_bytes(*w))
    };
    if len.wrapping_sub(1) < 8 {
        if let (Some(x), Some(y)) = (word(a), word(b)) {
            // `len` is 1..=8: the shift is 0..=56.
            return (x ^ y) & (u64::MAX >> (64 - 8 * len as u32)) == 0;
        }
    } else if len <= 16 {
        // Two words that overlap when `len` < 16; both lie within the names.
        if let (Some(x), Some(y), Some(x2), Some(y2)) =
            (word(a), word(b), word(a + len - 8), word(b + len - 8))
        {
            return x == y && x2 == y2;
        }
    }
    buf.get(a..a + len) == buf.get(b..b + len)
}

#[cfg(test)]
mod tests {
    use super::same_bytes;

    #[test]
    fn same_bytes_agrees_with_slices_at_every_length_and_position() {
        // Two copies of a 20-byte name, the second at the buffer's end (words past it
        // are not there), and one byte changed at every position.
        let name = b"abcdefghijklmnopqrst";
        for len in 1..=name.len() {
            for pad in 0..10 {
                let mut buf = Vec::new();
                buf.extend_from_slice(&name[..len]);
                buf.resize(buf.len() + pad, b'>');
                let b = buf.len();
                buf.extend_from_slice(&name[..len]);
                assert!(same_bytes(&buf, 0, b, len), "{len} {pad}");
                for k in 0..len {
                    let mut other = buf.clone();
                    other[b + k] = b'_';
                    assert!(!same_bytes(&other, 0, b, len), "{len} {pad} {k}");
                    let mut other = buf.clone();
                    other[k] = b'_';
                    assert!(!same_bytes(&other, 0, b, len), "{len} {pad} {k}");
                }
            }
        }
    }
}

//! The framer: receives the scanner's tokens, tracks depth, resolves namespaces, enforces
//! the structural limits and cuts the stream into events: the stream header (depth-0 start
//! tag), stanzas (complete depth-1 elements, indexed into a [`Tree`]), and the stream
//! close. In document mode the root element is the one "stanza".

use crate::decode::decode_attr;
use crate::error::{err, Error, ErrorKind};
use crate::limits::{Limit, Limits};
use crate::ns::{Bindings, NsTable, NS_NONE, NS_XML, STREAMS_NS, XMLNS_NS, XML_NS};
use crate::scan::{Sink, TextMode};
use crate::tree::{AttrRec, NodeRec, Tree, NONE};
use smallvec::SmallVec;

/// What the parser is reading: an XMPP stream or a plain XML document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
    /// let mut p = Parser::with_config(Config::default().mode(Mode::AnyRoot));
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

#[derive(Debug, Clone, Copy)]
struct Open {
    node: u32,
    default_ns: u32,
    bindings_len: usize,
    last_child: u32,
}

/// The stream header, copied out of the buffer so that it outlives the header event.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeaderStore {
    pub bytes: Vec<u8>,
    pub tree: Tree,
    pub present: bool,
}

/// Per-element scratch of the attribute being checked for duplicates.
type HashScratch = Vec<(u64, u32)>;

/// The framer state (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Framer {
    mode: Mode,
    limits: Limits,
    implicit_restart: bool,
    pub(crate) phase: Phase,
    /// Open elements of the current tree.
    depth: usize,
    /// A `Vec` rather than a `SmallVec`: it is touched for every element and tag, and
    /// `SmallVec`'s inline/heap check showed in profiles; it is reused, so it allocates
    /// only while growing, and `release_memory` frees it.
    stack: Vec<Open>,
    /// Buffer index of the current tree's `<` (ranges in `tree` are relative to it).
    origin: usize,
    /// The start tag being read is the stream header.
    reading_header: bool,
    /// A tree (header, stanza or document root) has begun and is not complete yet.
    building: bool,
    /// Node index of the element whose start tag is being read, and how many of its
    /// attributes are namespace declarations and prefixed attributes.
    cur: u32,
    cur_decls: u32,
    cur_prefixed: u32,
    pub(crate) tree: Tree,
    pub(crate) ns: NsTable,
    bindings: Bindings,
    /// Namespace table and bindings as they stand after the stream header.
    stream_ns_mark: (usize, usize),
    stream_bindings: usize,
    stream_default_ns: u32,
    pub(crate) header: HeaderStore,
    pub(crate) pending: Option<Pending>,
    /// A `<stream:stream/>` header was empty: its close follows the header event.
    pub(crate) close_after_header: bool,
    scratch: HashScratch,
    /// `(from, to)`: when the root's default namespace is `from`, elements inside it
    /// that inherit it are read in `to` instead (BOSH: unqualified stanzas in
    /// `<body xmlns='http://jabber.org/protocol/httpbind'>` are `jabber:client`).
    pub(crate) rebind_default: Option<(&'static str, &'static str)>,
}

#[inline]
fn rel(i: usize, origin: usize) -> u32 {
    (i - origin) as u32
}

/// Splits a qualified name; `Err` when it is not a `QName` (Namespaces in XML 1.0,
/// section 4: `QName ::= PrefixedName | UnprefixedName`, both parts `NCName`s).
#[inline]
fn prefix_len(name: &[u8]) -> Result<usize, ()> {
    // Names are short: a plain loop beats a memchr call here.
    match name.iter().position(|&b| b == b':') {
        None => Ok(0),
        Some(p) => {
            if p == 0 || p + 1 == name.len() || name[p + 1..].contains(&b':') {
                Err(())
            } else {
                Ok(p)
            }
        }
    }
}

fn fx_hash(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h = (h ^ x as u64).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Framer {
    pub(crate) fn new(mode: Mode, limits: Limits, implicit_restart: bool) -> Self {
        Framer {
            mode,
            limits,
            implicit_restart,
            phase: Phase::Prolog,
            depth: 0,
            stack: Vec::new(),
            origin: 0,
            reading_header: false,
            building: false,
            cur: NONE,
            cur_decls: 0,
            cur_prefixed: 0,
            tree: Tree::default(),
            ns: NsTable::default(),
            bindings: Bindings::default(),
            stream_ns_mark: (0, 0),
            stream_bindings: 0,
            stream_default_ns: NS_NONE,
            header: HeaderStore::default(),
            pending: None,
            close_after_header: false,
            scratch: Vec::new(),
            rebind_default: None,
        }
    }

    /// Forgets the current stream (header, bindings, open elements), keeping storage.
    pub(crate) fn restart(&mut self) {
        self.phase = Phase::Prolog;
        self.depth = 0;
        self.stack.clear();
        self.reading_header = false;
        self.building = false;
        self.cur = NONE;
        self.tree.clear();
        self.ns.reset();
        self.bindings.truncate(0);
        self.stream_ns_mark = self.ns.mark();
        self.stream_bindings = 0;
        self.stream_default_ns = NS_NONE;
        self.header.present = false;
        self.header.bytes.clear();
        self.header.tree.clear();
        self.pending = None;
        self.close_after_header = false;
    }

    pub(crate) fn shift(&mut self, k: usize) {
        self.origin = self.origin.saturating_sub(k);
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
        self.tree.heap_bytes()
            + self.ns.heap_bytes()
            + self.bindings.heap_bytes()
            + self.header.bytes.capacity()
            + self.header.tree.heap_bytes()
            + self.scratch.capacity() * 16
            + self.stack.capacity() * core::mem::size_of::<Open>()
    }

    pub(crate) fn shrink(&mut self) {
        if self.at_rest() {
            self.tree.clear();
            self.tree.shrink();
            self.scratch = Vec::new();
            self.stack.shrink_to_fit();
            self.ns.truncate(self.stream_ns_mark);
            self.ns.clear_cache();
            self.bindings.truncate(self.stream_bindings);
            self.ns.shrink();
            self.bindings.shrink();
            self.header.bytes.shrink_to_fit();
            self.header.tree.shrink();
        }
    }

    fn current_default_ns(&self) -> u32 {
        match self.stack.last() {
            Some(o) => o.default_ns,
            None => self.stream_default_ns,
        }
    }

    /// Resolves a prefix to a namespace id.
    #[inline]
    fn resolve(&self, prefix: &[u8]) -> Option<u32> {
        if prefix == b"xml" {
            return Some(NS_XML);
        }
        self.bindings.lookup(&self.ns, prefix)
    }

    fn begin_tree(&mut self, lt: usize, header: bool) {
        self.origin = lt;
        self.tree.clear();
        self.reading_header = header;
        self.building = true;
        if !header {
            self.ns.truncate(self.stream_ns_mark);
            self.bindings.truncate(self.stream_bindings);
        }
    }

    /// Checks the attributes of the current start tag for duplicate qualified names.
    fn check_duplicate_qnames(&mut self, buf: &[u8], first: usize) -> Result<(), Error> {
        let attrs = &self.tree.attrs[first..];
        let name = |a: &AttrRec| {
            let s = self.origin + a.name_start as usize;
            &buf[s..s + a.name_len as usize]
        };
        if attrs.len() <= 12 {
            for (j, b) in attrs.iter().enumerate().skip(1) {
                let nb = name(b);
                if attrs[..j]
                    .iter()
                    .any(|a| a.name_len == b.name_len && name(a) == nb)
                {
                    return err(
                        ErrorKind::DuplicateAttribute,
                        self.origin + b.name_start as usize,
                    );
                }
            }
            return Ok(());
        }
        self.scratch.clear();
        self.scratch.extend(
            attrs
                .iter()
                .enumerate()
                .map(|(j, a)| (fx_hash(name(a)), j as u32)),
        );
        self.scratch.sort_unstable();
        let mut worst: Option<usize> = None;
        for w in self.scratch.windows(2) {
            let (a, b) = (&attrs[w[0].1 as usize], &attrs[w[1].1 as usize]);
            if w[0].0 == w[1].0 && name(a) == name(b) {
                let later = a.name_start.max(b.name_start) as usize;
                worst = Some(worst.map_or(later, |x: usize| x.min(later)));
            }
        }
        match worst {
            Some(at) => err(ErrorKind::DuplicateAttribute, self.origin + at),
            None => Ok(()),
        }
    }

    /// Processes the namespace declarations of the current start tag; returns the
    /// element's default namespace.
    fn declare_namespaces(&mut self, buf: &[u8], first: usize) -> Result<u32, Error> {
        let mut default_ns = self.current_default_ns();
        if self.cur_decls == 0 {
            return Ok(default_ns);
        }
        for k in first..self.tree.attrs.len() {
            let a = self.tree.attrs[k];
            if !a.is_decl {
                continue;
            }
            let at = self.origin + a.name_start as usize;
            let vs = self.origin + a.value_start as usize;
            let raw = &buf[vs..vs + a.value_len as usize];
            let name = &buf[at..at + a.name_len as usize];
            let prefix = (a.prefix_len != 0).then(|| &name[6..]);
            if prefix == Some(b"xmlns") {
                return err(ErrorKind::ReservedPrefix, at);
            }
            // Namespace names seen before in stanzas come from the cache (never reserved
            // ones, never empty); the header's stay in the per-stream part of the table.
            let cached = if a.flags == 0 && !self.reading_header {
                self.ns.cached(raw)
            } else {
                None
            };
            let id = match cached {
                Some(id) => {
                    if prefix == Some(b"xml") {
                        return err(ErrorKind::ReservedPrefix, at);
                    }
                    id
                }
                None => {
                    let start = self.ns.text_mut().len();
                    if a.flags == 0 {
                        self.ns
                            .text_mut()
                            .push_str(core::str::from_utf8(raw).unwrap_or(""));
                    } else {
                        decode_attr(raw, self.ns.text_mut());
                    }
                    let uri = &self.ns.text_mut()[start..];
                    let (is_xml_ns, is_xmlns_ns, empty) =
                        (uri == XML_NS, uri == XMLNS_NS, uri.is_empty());
                    match prefix {
                        Some(b"xml") if is_xml_ns => {
                            self.ns.text_mut().truncate(start);
                            continue;
                        }
                        Some(b"xml") => return err(ErrorKind::ReservedPrefix, at),
                        _ if is_xml_ns || is_xmlns_ns => {
                            return err(ErrorKind::ReservedNamespace, at)
                        }
                        Some(_) if empty => return err(ErrorKind::EmptyPrefixBinding, at),
                        None if empty => {
                            default_ns = NS_NONE;
                            continue;
                        }
                        _ => {}
                    }
                    if self.reading_header {
                        self.ns.seal_from(start)
                    } else {
                        self.ns.cache_or_seal(start)
                    }
                }
            };
            match prefix {
                None => default_ns = id,
                Some(p) => {
                    if self.bindings.len() >= self.limits.max_namespace_bindings {
                        return err(ErrorKind::LimitExceeded(Limit::NamespaceBindings), at);
                    }
                    let p = core::str::from_utf8(p).unwrap_or("");
                    self.bindings.push(&mut self.ns, p, id);
                }
            }
        }
        Ok(default_ns)
    }

    /// Resolves the attributes' prefixes and checks expanded-name uniqueness.
    fn resolve_attributes(&mut self, buf: &[u8], first: usize) -> Result<(), Error> {
        if self.cur_prefixed == 0 {
            return Ok(());
        }
        let mut prefixed: SmallVec<[usize; 8]> = SmallVec::new();
        for k in first..self.tree.attrs.len() {
            let a = self.tree.attrs[k];
            if a.is_decl || a.prefix_len == 0 {
                continue;
            }
            let at = self.origin + a.name_start as usize;
            let prefix = &buf[at..at + a.prefix_len as usize];
            match self.resolve(prefix) {
                Some(ns) => self.tree.attrs[k].ns = ns,
                None => return err(ErrorKind::UnboundPrefix, at),
            }
            prefixed.push(k);
        }
        if prefixed.len() > 12 {
            return self.check_duplicate_expanded(buf, &prefixed);
        }
        if prefixed.len() > 1 {
            let local = |a: &AttrRec| {
                let s = self.origin + (a.name_start + a.prefix_len + 1) as usize;
                &buf[s..self.origin + (a.name_start + a.name_len) as usize]
            };
            for (j, &kb) in prefixed.iter().enumerate().skip(1) {
                let b = &self.tree.attrs[kb];
                for &ka in &prefixed[..j] {
                    let a = &self.tree.attrs[ka];
                    if local(a) == local(b) && self.ns.get(a.ns) == self.ns.get(b.ns) {
                        return err(
                            ErrorKind::DuplicateAttribute,
                            self.origin + b.name_start as usize,
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// [`resolve_attributes`](Self::resolve_attributes)'s duplicate check for many
    /// prefixed attributes: hash (namespace name, local name), sort, compare neighbours.
    fn check_duplicate_expanded(&mut self, buf: &[u8], prefixed: &[usize]) -> Result<(), Error> {
        let origin = self.origin;
        let local = |a: &AttrRec| {
            let s = origin + (a.name_start + a.prefix_len + 1) as usize;
            &buf[s..origin + (a.name_start + a.name_len) as usize]
        };
        self.scratch.clear();
        for (j, &k) in prefixed.iter().enumerate() {
            let a = &self.tree.attrs[k];
            let h = fx_hash(local(a)) ^ fx_hash(self.ns.get(a.ns).as_bytes()).rotate_left(17);
            self.scratch.push((h, j as u32));
        }
        self.scratch.sort_unstable();
        let mut first_dup: Option<usize> = None;
        for w in self.scratch.windows(2) {
            let a = &self.tree.attrs[prefixed[w[0].1 as usize]];
            let b = &self.tree.attrs[prefixed[w[1].1 as usize]];
            if w[0].0 == w[1].0 && local(a) == local(b) && self.ns.get(a.ns) == self.ns.get(b.ns) {
                let later = a.name_start.max(b.name_start) as usize;
                first_dup = Some(first_dup.map_or(later, |x| x.min(later)));
            }
        }
        match first_dup {
            Some(at) => err(ErrorKind::DuplicateAttribute, origin + at),
            None => Ok(()),
        }
    }

    /// Checks that the index has room for one more record (element, text run, attribute).
    #[inline]
    fn room(&self, at: usize) -> Result<(), Error> {
        if self.tree.nodes.len() + self.tree.attrs.len() >= self.limits.max_stanza_nodes {
            return err(ErrorKind::LimitExceeded(Limit::StanzaNodes), at);
        }
        Ok(())
    }

    fn link_child(&mut self, idx: u32) {
        if let Some(top) = self.stack.last_mut() {
            if top.last_child == NONE {
                self.tree.nodes[top.node as usize].first_child = idx;
            } else {
                self.tree.nodes[top.last_child as usize].next_sibling = idx;
            }
            top.last_child = idx;
        }
    }

    fn close_element(&mut self, end: usize) {
        if let Some(open) = self.stack.pop() {
            self.tree.nodes[open.node as usize].end = rel(end, self.origin);
            self.bindings.truncate(open.bindings_len);
            self.depth -= 1;
            if self.depth == 0 {
                self.building = false;
                self.pending = Some(Pending::Tree {
                    start: self.origin,
                    end,
                });
                if self.mode == Mode::Document {
                    self.phase = Phase::Closed;
                }
            }
        }
    }

    fn header_qname(&self) -> &[u8] {
        match self.header.tree.nodes.first() {
            Some(n) => self
                .header
                .bytes
                .get(1..1 + n.name_len as usize)
                .unwrap_or(b""),
            None => b"",
        }
    }
}

impl Sink for Framer {
    fn start_tag(&mut self, buf: &[u8], lt: usize, name: (usize, usize)) -> Result<(), Error> {
        let qname = &buf[name.0..name.1];
        if self.depth == 0 {
            match (self.mode, self.phase) {
                (Mode::Stream | Mode::AnyRoot, Phase::Prolog) => self.begin_tree(lt, true),
                (Mode::Stream | Mode::AnyRoot, Phase::Open) => {
                    if self.implicit_restart && qname == self.header_qname() {
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
        if !self.reading_header && self.depth + 1 > self.limits.max_depth {
            return err(ErrorKind::LimitExceeded(Limit::Depth), lt);
        }
        let plen = prefix_len(qname).or_else(|_| err(ErrorKind::InvalidQName, name.0))?;
        self.room(lt)?;
        let idx = self.tree.nodes.len() as u32;
        self.tree.nodes.push(NodeRec {
            is_element: true,
            flags: 0,
            start: rel(lt, self.origin),
            end: 0,
            name_len: qname.len() as u32,
            prefix_len: plen as u32,
            ns: NS_NONE,
            attrs: self.tree.attrs.len() as u32,
            attr_count: 0,
            first_child: NONE,
            next_sibling: NONE,
        });
        self.link_child(idx);
        self.cur = idx;
        self.cur_decls = 0;
        self.cur_prefixed = 0;
        Ok(())
    }

    fn attribute(
        &mut self,
        buf: &[u8],
        name: (usize, usize),
        value: (usize, usize),
        flags: u8,
    ) -> Result<(), Error> {
        let node = &mut self.tree.nodes[self.cur as usize];
        if node.attr_count as usize >= self.limits.max_attributes {
            return err(ErrorKind::LimitExceeded(Limit::Attributes), name.0);
        }
        node.attr_count += 1;
        self.room(name.0)?;
        let qname = &buf[name.0..name.1];
        let plen = prefix_len(qname).or_else(|_| err(ErrorKind::InvalidQName, name.0))?;
        let is_decl = qname == b"xmlns" || (plen == 5 && qname.starts_with(b"xmlns"));
        if is_decl {
            self.cur_decls += 1;
            if self.cur_decls as usize > self.limits.max_namespace_declarations {
                return err(
                    ErrorKind::LimitExceeded(Limit::NamespaceDeclarations),
                    name.0,
                );
            }
        } else if plen > 0 {
            self.cur_prefixed += 1;
        }
        self.tree.attrs.push(AttrRec {
            name_start: rel(name.0, self.origin),
            name_len: qname.len() as u32,
            prefix_len: plen as u32,
            value_start: rel(value.0, self.origin),
            value_len: (value.1 - value.0) as u32,
            ns: NS_NONE,
            flags,
            is_decl,
        });
        Ok(())
    }

    fn start_tag_end(&mut self, buf: &[u8], empty: bool, end: usize) -> Result<(), Error> {
        let node = self.tree.nodes[self.cur as usize];
        let first = node.attrs as usize;
        let lt = self.origin + node.start as usize;
        self.check_duplicate_qnames(buf, first)?;
        let bindings_len = self.bindings.len();
        let default_ns = self.declare_namespaces(buf, first)?;
        let ns = if node.prefix_len == 0 {
            default_ns
        } else {
            let prefix = &buf[lt + 1..lt + 1 + node.prefix_len as usize];
            if prefix == b"xmlns" {
                return err(ErrorKind::ReservedPrefix, lt + 1);
            }
            match self.resolve(prefix) {
                Some(ns) => ns,
                None => return err(ErrorKind::UnboundPrefix, lt),
            }
        };
        self.tree.nodes[self.cur as usize].ns = ns;
        self.resolve_attributes(buf, first)?;

        if self.reading_header {
            let local_start = lt
                + 1
                + if node.prefix_len > 0 {
                    node.prefix_len as usize + 1
                } else {
                    0
                };
            let local = &buf[local_start..lt + 1 + node.name_len as usize];
            if self.mode == Mode::Stream && (self.ns.get(ns) != STREAMS_NS || local != b"stream") {
                return err(ErrorKind::InvalidStreamRoot, lt);
            }
            self.tree.nodes[self.cur as usize].end = rel(end, self.origin);
            self.header.bytes.clear();
            self.header.bytes.extend_from_slice(&buf[self.origin..end]);
            // Copy (not swap) so that the stanza index keeps its grown storage across
            // restarts: no allocation per stanza once both have grown.
            self.header.tree.nodes.clear();
            self.header.tree.nodes.extend_from_slice(&self.tree.nodes);
            self.header.tree.attrs.clear();
            self.header.tree.attrs.extend_from_slice(&self.tree.attrs);
            self.tree.clear();
            self.header.present = true;
            self.reading_header = false;
            self.building = false;
            let mut default_ns = default_ns;
            if let Some((from, to)) = self.rebind_default {
                if self.ns.get(default_ns) == from {
                    let start = self.ns.text_mut().len();
                    self.ns.text_mut().push_str(to);
                    default_ns = self.ns.seal_from(start);
                }
            }
            self.stream_ns_mark = self.ns.mark();
            self.stream_bindings = self.bindings.len();
            self.stream_default_ns = default_ns;
            self.pending = Some(Pending::Header);
            if empty {
                self.close_after_header = true;
                self.phase = Phase::Closed;
            } else {
                self.phase = Phase::Open;
            }
            return Ok(());
        }

        if self.depth == 0 && self.mode == Mode::Document {
            self.phase = Phase::Open;
        }
        self.stack.push(Open {
            node: self.cur,
            default_ns,
            bindings_len,
            last_child: NONE,
        });
        self.depth += 1;
        if empty {
            self.close_element(end);
        }
        Ok(())
    }

    fn end_tag(
        &mut self,
        buf: &[u8],
        lt: usize,
        name: (usize, usize),
        end: usize,
    ) -> Result<(), Error> {
        let qname = &buf[name.0..name.1];
        let Some(top) = self.stack.last() else {
            if self.mode != Mode::Document
                && self.phase == Phase::Open
                && qname == self.header_qname()
            {
                self.phase = Phase::Closed;
                self.pending = Some(Pending::Close);
                return Ok(());
            }
            return err(ErrorKind::MismatchedEndTag, lt);
        };
        let n = &self.tree.nodes[top.node as usize];
        let s = self.origin + n.start as usize + 1;
        if &buf[s..s + n.name_len as usize] != qname {
            return err(ErrorKind::MismatchedEndTag, lt);
        }
        self.close_element(end);
        Ok(())
    }

    fn text(&mut self, _buf: &[u8], start: usize, end: usize, flags: u8) -> Result<(), Error> {
        self.room(start)?;
        let idx = self.tree.nodes.len() as u32;
        self.tree.nodes.push(NodeRec {
            is_element: false,
            flags,
            start: rel(start, self.origin),
            end: rel(end, self.origin),
            name_len: 0,
            prefix_len: 0,
            ns: NS_NONE,
            attrs: 0,
            attr_count: 0,
            first_child: NONE,
            next_sibling: NONE,
        });
        self.link_child(idx);
        Ok(())
    }

    fn restart_declaration(&mut self) {
        self.restart();
    }

    #[inline]
    fn text_mode(&self) -> TextMode {
        if self.depth > 0 {
            return TextMode::Content;
        }
        match self.phase {
            Phase::Prolog => TextMode::Prolog,
            Phase::Open => TextMode::Between,
            Phase::Closed => TextMode::Epilog,
        }
    }

    #[inline]
    fn reading_header(&self) -> bool {
        self.reading_header
    }

    #[inline]
    fn event_ready(&self) -> bool {
        self.pending.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_names_split_once() {
        assert_eq!(prefix_len(b"message"), Ok(0));
        assert_eq!(prefix_len(b"stream:features"), Ok(6));
        for bad in [&b":a"[..], b"a:", b"a:b:c", b":"] {
            assert_eq!(prefix_len(bad), Err(()), "{bad:?}");
        }
    }

    #[test]
    fn hash_is_stable_and_spreads() {
        assert_eq!(fx_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fx_hash(b"to"), fx_hash(b"ot"));
    }
}

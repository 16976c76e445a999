//! Owned stanzas: a stanza's bytes and index copied out of the parser, so that it can be
//! queued or sent to another thread and read again through the same views without
//! reparsing.
//!
//! ## Layout
//!
//! An [`OwnedStanza`] holds exactly what the borrowed views read, in the same shapes:
//!
//! - `bytes`: the stanza's exact bytes, followed by a *reduced header*: a synthetic
//!   start tag that carries only what the stanza's meaning depends on: the namespace
//!   declarations it inherits from the stream header (the content namespace, the prefixes
//!   it uses), the header's `xml:lang`, and the header element's own name and namespace;
//! - `tree`: copies of the parser's element, text and attribute records (offsets are
//!   relative to the stanza's first byte, so they are copied unchanged), followed by the
//!   records of the reduced header;
//! - `ns`: a namespace table with only the names the records use, their ids remapped.
//!
//! These sit in one reference-counted block (`Arc`), so that cloning an owned stanza is
//! a count increment: one stanza routed to many sessions (MUC, carbons) is never copied,
//! and clones may be read on any thread. The block holds five vectors, each sized
//! exactly once by [`OwnedStanza::new`]: bytes, element records, attribute records,
//! namespace names and the namespace index, so a new owned stanza is six heap blocks.
//! Not one: the views borrow a `Tree` (two vectors of different record types) and a
//! `NsTable` (a string and a vector), and carving bytes and records of different types
//! out of one block would take `unsafe` code or a change of the views' representation
//! (views over slices of one buffer, with padding-free records). What keeps the
//! codec's path at no allocation per stanza instead is reuse:
//! [`assign`](OwnedStanza::assign) refills a value whose block is not shared, and the
//! codec recycles the blocks of stanzas its caller has dropped.
//!
//! ## Views and the arena
//!
//! Decoded text (values with references, text runs with CDATA, ...) is written into a
//! [`Arena`]. An arena is not `Sync`, so the owned stanza does not hold one:
//! a view brings its own. [`OwnedStanza::view`] returns an [`OwnedView`] that owns a fresh,
//! empty arena (creating one does not allocate; it only allocates if some text needs
//! decoding), and [`OwnedStanza::stanza_in`] borrows the caller's arena, for callers that
//! reuse one and want no allocation at all.

use super::arena::Arena;
use super::names::{NsTable, NS_NONE, NS_XML, XML_NS};
use super::records::{AttrRec, NodeRec, Tree, NONE};
use super::stanza::{Context, Stanza};
use super::stored::StoredStanza;
use super::view::Element;
use crate::escape::escape_attr_into;
use crate::scan::F_REF;
use bumpalo::Bump;
use core::fmt;
use smallvec::SmallVec;
use std::sync::Arc;

/// A stanza copied out of the parser: `Send + Sync + 'static`, one pointer wide, cheap to
/// clone (a reference count: clones share the bytes and index), and readable through the
/// same [`Stanza`] views without reparsing.
///
/// ```
/// use xmpp_stream::{Event, OwnedStanza, Parser};
/// use xmpp_stream::xmpp::Kind;
///
/// let mut parser = Parser::new();
/// parser.feed(b"<stream:stream xmlns='jabber:client' xml:lang='en' \
///     xmlns:stream='http://etherx.jabber.org/streams'>\
///     <message to='romeo@example.net' type='chat'><body>Wherefore &amp; why?</body></message>");
/// parser.next_event()?;
/// let Some(Event::Stanza(s)) = parser.next_event()? else { panic!() };
/// let owned = OwnedStanza::new(&s);
///
/// // Send it to another thread and read it there.
/// let body = std::thread::spawn(move || {
///     let view = owned.view();
///     let s = view.stanza();
///     assert_eq!(s.kind(), Kind::Message);
///     assert_eq!(s.lang(), Some("en"));
///     s.child("jabber:client", "body").unwrap().text().to_string()
/// })
/// .join()
/// .unwrap();
/// assert_eq!(body, "Wherefore & why?");
/// # Ok::<(), xmpp_stream::Error>(())
/// ```
#[derive(Clone)]
pub struct OwnedStanza {
    s: Arc<StoredStanza>,
}

/// A view of an [`OwnedStanza`] with its own arena for decoded text (see
/// [`OwnedStanza::view`]). `Send`, not `Sync`: create one per thread that reads.
pub struct OwnedView<'o> {
    owned: &'o OwnedStanza,
    arena: Arena,
}

impl<'o> OwnedView<'o> {
    /// The stanza view.
    pub fn stanza(&self) -> Stanza<'_> {
        self.owned.stanza_in(&self.arena)
    }

    /// The stanza's root element.
    pub fn root(&self) -> Element<'_> {
        self.stanza().root()
    }
}

impl fmt::Debug for OwnedView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedView")
            .field("stanza", &self.stanza())
            .finish()
    }
}

/// Maps namespace ids of the source table to ids of the owned one.
type IdMap = SmallVec<[(u32, u32); 16]>;

fn remap(map: &mut IdMap, table: &mut NsTable, from: &NsTable, old: u32) -> u32 {
    if old == NS_NONE || old == NS_XML {
        return old;
    }
    if let Some(&(_, new)) = map.iter().find(|(o, _)| *o == old) {
        return new;
    }
    let new = table.push(from.get(old));
    map.push((old, new));
    new
}

/// Appends `s` as an attribute value (between `'` quotes); returns whether anything was
/// escaped.
fn push_attr_value(out: &mut String, s: &str) -> bool {
    let before = out.len();
    escape_attr_into(out, s);
    out.len() - before != s.len()
}

impl OwnedStanza {
    /// Copies a stanza view (from a parser, another owned stanza, or WebSocket framing).
    pub fn new(stanza: &Stanza<'_>) -> OwnedStanza {
        let doc = stanza.tree();
        let scope = stanza.header();
        // Size every block once: the reduced header is at most as long as the header's
        // start tag (it keeps a subset of its attributes) unless re-escaping lengthens a
        // value; namespace names are counted exactly.
        let extra_bytes = scope.map_or(0, |h| h.raw().len());
        let extra_attrs = scope.map_or(0, |h| h.raw_attrs().count());
        let (nodes, attrs) = stanza.records();
        let (n, a) = (nodes.len(), attrs.len());
        let mut ids = IdMap::new();
        let (mut names, mut text) = scope.map_or((0, 0), |h| (1, h.ns().len()));
        let used = nodes
            .iter()
            .filter(|r| r.is_element)
            .map(|r| r.ns)
            .chain(attrs.iter().filter(|r| !r.is_decl).map(|r| r.ns));
        for id in used {
            if id != NS_NONE && id != NS_XML && !ids.iter().any(|&(o, _)| o == id) {
                ids.push((id, 0));
                names += 1;
                text += doc.ns.get(id).len();
            }
        }
        let mut s = StoredStanza::new(
            String::with_capacity(doc.src.len() + extra_bytes),
            Tree {
                nodes: Vec::with_capacity(n + scope.is_some() as usize),
                attrs: Vec::with_capacity(a + extra_attrs),
            },
            NsTable::with_capacity(names, text),
        );
        s.assign(stanza);
        OwnedStanza { s: Arc::new(s) }
    }

    /// An empty value for [`assign`](Self::assign) to fill; its views must not be used.
    pub(crate) fn empty() -> OwnedStanza {
        OwnedStanza {
            s: Arc::new(StoredStanza::default()),
        }
    }

    /// Replaces the contents with a copy of `stanza`, reusing this value's storage (no
    /// allocation once it has grown to the sizes needed) when no clone shares it
    /// ([`is_unique`](Self::is_unique)); otherwise the clones keep the old stanza and
    /// this value gets new storage.
    ///
    /// ```
    /// use xmpp_stream::{Event, OwnedStanza, Parser};
    /// let mut parser = Parser::new();
    /// parser.feed(b"<stream:stream xmlns='jabber:client' \
    ///     xmlns:stream='http://etherx.jabber.org/streams'><presence/><message/>");
    /// parser.next_event()?;
    /// let Some(Event::Stanza(s)) = parser.next_event()? else { panic!() };
    /// let mut slot = OwnedStanza::new(&s);
    /// let Some(Event::Stanza(s)) = parser.next_event()? else { panic!() };
    /// slot.assign(&s);
    /// assert_eq!(slot.raw(), b"<message/>");
    /// # Ok::<(), xmpp_stream::Error>(())
    /// ```
    pub fn assign(&mut self, stanza: &Stanza<'_>) {
        match Arc::get_mut(&mut self.s) {
            Some(s) => s.assign(stanza),
            None => *self = OwnedStanza::new(stanza),
        }
    }

    /// Whether this value is the only handle on its storage (no clone of it is alive),
    /// so that [`assign`](Self::assign) reuses it.
    pub fn is_unique(&self) -> bool {
        Arc::strong_count(&self.s) == 1
    }

    /// The context a stanza read beside this one sees (WebSocket framing: this is the
    /// `<open/>`).
    pub(crate) fn as_open(&self) -> Context<'_> {
        Context::Open(&self.s)
    }

    /// The root element, decoding text into `arena`.
    pub(crate) fn root_in<'a>(&'a self, arena: &'a Bump) -> Element<'a> {
        self.s.root_in(arena)
    }

    /// The stanza view, decoding text into the caller's `arena` (which the caller may
    /// [`reset`](Arena::reset) between uses: then reading allocates nothing once the
    /// arena has grown).
    ///
    /// ```
    /// # use xmpp_stream::{Arena, Event, OwnedStanza, Parser};
    /// # let mut parser = Parser::new();
    /// # parser.feed(b"<stream:stream xmlns='jabber:client' \
    /// #     xmlns:stream='http://etherx.jabber.org/streams'><presence id='a&amp;b'/>");
    /// # parser.next_event()?;
    /// # let Some(Event::Stanza(s)) = parser.next_event()? else { panic!() };
    /// let owned = OwnedStanza::new(&s);
    /// let mut arena = Arena::new();
    /// for _ in 0..3 {
    ///     assert_eq!(owned.stanza_in(&arena).id(), Some("a&b"));
    ///     arena.reset();
    /// }
    /// # Ok::<(), xmpp_stream::Error>(())
    /// ```
    pub fn stanza_in<'a>(&'a self, arena: &'a Arena) -> Stanza<'a> {
        Stanza::new(
            self.s.tree_in(arena.bump()),
            self.s.offset,
            Context::Reduced(&self.s),
        )
    }

    /// A view with its own arena (see the module docs).
    pub fn view(&self) -> OwnedView<'_> {
        OwnedView {
            owned: self,
            arena: Arena::new(),
        }
    }

    /// The stanza's exact bytes.
    pub fn raw(&self) -> &[u8] {
        &self.s.bytes.as_bytes()[..self.s.stanza_len as usize]
    }

    /// The stream offset the stanza was read at.
    pub fn offset(&self) -> u64 {
        self.s.offset
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        2 * core::mem::size_of::<usize>()
            + core::mem::size_of::<StoredStanza>()
            + self.s.bytes.capacity()
            + self.s.tree.heap_bytes()
            + self.s.ns.heap_bytes()
    }
}

/// Filling an owned stanza's storage (see the module docs).
impl StoredStanza {
    /// Replaces the contents with a copy of `stanza`, reusing the storage.
    pub(super) fn assign(&mut self, stanza: &Stanza<'_>) {
        let doc = stanza.tree();
        let (nodes, attrs) = stanza.records();
        let (n_nodes, n_attrs) = (nodes.len(), attrs.len());
        self.bytes.clear();
        self.bytes.push_str(doc.src);
        self.tree.clear();
        self.tree.nodes.extend_from_slice(nodes);
        self.tree.attrs.extend_from_slice(attrs);
        self.ns.reset();
        let mut map = IdMap::new();
        for node in &mut self.tree.nodes {
            if node.is_element {
                node.ns = remap(&mut map, &mut self.ns, doc.ns, node.ns);
            }
        }
        for attr in &mut self.tree.attrs {
            if !attr.is_decl {
                attr.ns = remap(&mut map, &mut self.ns, doc.ns, attr.ns);
            }
        }
        self.stanza_len = doc.src.len() as u32;
        self.stanza_nodes = n_nodes as u32;
        self.stanza_attrs = n_attrs as u32;
        self.offset = stanza.offset();
        self.scope = NONE;
        self.encloses = stanza.enclosing_header().is_some();
        if let Some(h) = stanza.header() {
            self.push_reduced_header(stanza, &h);
        }
    }

    /// Appends the reduced header standing for `h` (see the module docs).
    fn push_reduced_header(&mut self, stanza: &Stanza<'_>, h: &Element<'_>) {
        let base = self.bytes.len();
        let rel = |bytes: &String| (bytes.len() - base) as u32;
        self.bytes.push('<');
        self.bytes.push_str(h.qname());
        let first_attr = self.tree.attrs.len() as u32;
        let add = |this: &mut StoredStanza, prefix: &str, local: &str, value: &str| {
            this.bytes.push(' ');
            let name_start = rel(&this.bytes);
            let prefix_len = prefix.len() as u32;
            this.bytes.push_str(prefix);
            if !prefix.is_empty() {
                this.bytes.push(':');
            }
            this.bytes.push_str(local);
            let name_len = rel(&this.bytes) - name_start;
            this.bytes.push_str("='");
            let value_start = rel(&this.bytes);
            let escaped = push_attr_value(&mut this.bytes, value);
            let value_len = rel(&this.bytes) - value_start;
            this.bytes.push('\'');
            let is_decl = prefix == "xmlns" || (prefix.is_empty() && local == "xmlns");
            this.tree.attrs.push(AttrRec {
                name_start,
                name_len,
                prefix_len,
                value_start,
                value_len,
                ns: if prefix == "xml" { NS_XML } else { NS_NONE },
                flags: if escaped { F_REF } else { 0 },
                is_decl,
            });
        };
        // The header's declarations, in its order: its own name's, and when the stanza
        // inherits them, the default (content) namespace and the prefixes it uses.
        let inherits = self.encloses;
        for (p, uri) in h.ns_decls() {
            let keep = p == h.prefix()
                || (inherits && p.is_none())
                || (inherits && stanza.inherited_namespaces().any(|(q, _)| q == p));
            if keep {
                match p {
                    Some(p) => add(self, "xmlns", p, uri),
                    None => add(self, "", "xmlns", stanza.effective_default(uri)),
                }
            }
        }
        if let Some(lang) = h.attr(XML_NS, "lang") {
            add(self, "xml", "lang", lang);
        }
        self.bytes.push('>');
        let attr_count = self.tree.attrs.len() as u32 - first_attr;
        let ns = self.ns.push(h.ns());
        self.scope = self.tree.nodes.len() as u32;
        self.tree.nodes.push(NodeRec {
            is_element: true,
            flags: 0,
            start: 0,
            end: rel(&self.bytes),
            name_len: h.qname().len() as u32,
            prefix_len: h.prefix().map_or(0, |p| p.len() as u32),
            ns,
            attrs: first_attr,
            attr_count,
            first_child: NONE,
            next_sibling: NONE,
        });
    }
}

impl From<Stanza<'_>> for OwnedStanza {
    fn from(s: Stanza<'_>) -> Self {
        OwnedStanza::new(&s)
    }
}

impl fmt::Debug for OwnedStanza {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let arena = Bump::new();
        f.debug_struct("OwnedStanza")
            .field("offset", &self.s.offset)
            .field("root", &self.root_in(&arena))
            .field("header", &self.s.reduced_header_in(&arena))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn clones_share_and_assign_keeps_clones_intact() {
        let mut p = crate::Parser::new();
        p.feed(
            b"<stream:stream xmlns='jabber:client' \
            xmlns:stream='http://etherx.jabber.org/streams'><presence id='1'/><message id='2'/>",
        );
        p.next_event().unwrap();
        let Some(crate::Event::Stanza(s)) = p.next_event().unwrap() else {
            panic!()
        };
        let mut a = OwnedStanza::new(&s);
        let b = a.clone();
        assert!(!a.is_unique());
        assert!(core::ptr::eq(a.raw(), b.raw()));
        let Some(crate::Event::Stanza(s)) = p.next_event().unwrap() else {
            panic!()
        };
        a.assign(&s);
        assert_eq!(a.raw(), b"<message id='2'/>");
        assert_eq!(b.raw(), b"<presence id='1'/>");
        assert!(a.is_unique() && b.is_unique());
        let before = a.raw().as_ptr();
        a.assign(&s);
        assert_eq!(a.raw().as_ptr(), before, "unique storage is reused");
    }

    #[test]
    fn owned_is_send_sync_static() {
        assert_send_sync::<OwnedStanza>();
        assert_eq!(
            core::mem::size_of::<OwnedStanza>(),
            core::mem::size_of::<usize>()
        );
    }
}

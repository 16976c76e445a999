//! Owned stanzas: a stanza's bytes and index copied out of the parser, so that it can be
//! queued or sent to another thread and read again through the same views without
//! reparsing.
//!
//! ## Layout
//!
//! An [`OwnedStanza`] holds exactly what the borrowed views read, in the same shapes:
//!
//! - the stanza's exact bytes, followed by a *reduced header*: a synthetic start tag
//!   that carries only what the stanza's meaning depends on: the namespace declarations
//!   it inherits from the stream header (the content namespace, the prefixes it uses),
//!   the header's `xml:lang`, and the header element's own name and namespace;
//! - copies of the parser's element, text and attribute records (offsets are relative to
//!   the stanza's first byte, so they are copied unchanged), followed by the records of
//!   the reduced header;
//! - a namespace index and names: the source table's ids outside its cache copied as
//!   they are, then the cached names the stanza uses, then the header's.
//!
//! All of it sits in **one heap block** (`block.rs`: a header of offsets and counts,
//! then each region), sized exactly before it is written: a new owned stanza is one
//! allocation whatever its shape. The block is reference-counted, so cloning an owned
//! stanza is a count increment: one stanza routed to many sessions (MUC, carbons) is
//! never copied, and clones may be read on any thread. The views read the block through
//! typed slices of its regions, as they read a parser's records.
//! [`assign`](OwnedStanza::assign) refills a value whose block is not shared and large
//! enough (no allocation), and the codec recycles the blocks of stanzas its caller has
//! dropped.
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
use super::block::{Block, Counter, Header, Plan, Sink, Store};
use super::names::{CACHED, NS_NONE};
use super::records::{AttrRec, NodeRec, NONE};
use super::reduced;
use super::stanza::{Context, Stanza};
use super::view::{Element, TreeRef};
use crate::escape::Out;
use bumpalo::Bump;
use core::fmt;

/// A stanza copied out of the parser into one heap block: `Send + Sync + 'static`, two
/// pointers wide, cheap to clone (a reference count: clones share the bytes and index),
/// and readable through the same [`Stanza`] views without reparsing.
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
    b: Block,
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

/// How the source's namespace ids map to the owned table's: the source's ids outside
/// its cache (`0..local`) are copied as they are (names the stanza does not use among
/// them are few: the stream header's and the stanza's own declarations), and the cached
/// ids the stanza uses (a mask: a parser caches at most 64 names) follow in order. No
/// map to build, so a copy never allocates more than its block whatever its shape.
#[derive(Clone, Copy)]
struct Ids {
    local: u32,
    cached: u64,
    /// Which of the first 64 declarations of the header the reduced header keeps
    /// (found while planning, so that filling does not look for them again).
    kept: u64,
}

impl Ids {
    /// The owned id of source id `old`.
    #[inline]
    fn owned(self, old: u32) -> u32 {
        if old & CACHED == 0 {
            return if old < self.local { old } else { NS_NONE };
        }
        match 1u64.checked_shl(old & !CACHED) {
            Some(bit) if self.cached & bit != 0 => {
                self.local + (self.cached & (bit - 1)).count_ones()
            }
            _ => NS_NONE,
        }
    }
}

/// The exact sizes of `stanza`'s copy, and its id map.
fn plan(stanza: &Stanza<'_>) -> (Plan, Ids) {
    let doc = stanza.tree();
    let (nodes, attrs) = stanza.records();
    let used = nodes
        .iter()
        .filter(|r| r.is_element)
        .map(|r| r.ns)
        .chain(attrs.iter().filter(|r| !r.is_decl).map(|r| r.ns));
    let mut ids = Ids {
        local: doc.store.ns_len().max(2),
        cached: 0,
        kept: 0,
    };
    for id in used {
        if id & CACHED != 0 {
            ids.cached |= 1u64.checked_shl(id & !CACHED).unwrap_or(0);
        }
    }
    let mut plan = Counter::default();
    for_each_name(doc.store, ids, |name| {
        plan.name(name);
    });
    plan.plan.nodes += nodes.len();
    plan.plan.attrs += attrs.len();
    plan.put(doc.src);
    if let Some(h) = stanza.header() {
        reduced::write(&mut plan, stanza, &h, &mut ids.kept, false);
    }
    (plan.plan, ids)
}

/// Calls `f` with the names of the owned table's ids 2, 3, ... in order.
fn for_each_name<'a>(store: Store<'a>, ids: Ids, mut f: impl FnMut(&'a str)) {
    for id in 2..ids.local {
        f(store.ns(id));
    }
    let mut cached = ids.cached;
    while cached != 0 {
        f(store.ns(cached.trailing_zeros() | CACHED));
        cached &= cached - 1;
    }
}

/// Writes the copy of `stanza` into `block` (reusing it when it can).
fn fill(block: &mut Block, stanza: &Stanza<'_>, plan: Plan, ids: Ids) {
    let doc = stanza.tree();
    let (nodes, attrs) = stanza.records();
    let mut w = block.writer(plan);
    for_each_name(doc.store, ids, |name| {
        w.name(name);
    });
    w.put(doc.src);
    for n in nodes {
        let mut n = *n;
        if n.is_element {
            n.ns = ids.owned(n.ns);
        }
        w.node(n);
    }
    for a in attrs {
        let mut a = *a;
        if !a.is_decl {
            a.ns = ids.owned(a.ns);
        }
        w.attr(a);
    }
    let scope = match stanza.header() {
        Some(h) => reduced::write(&mut w, stanza, &h, &mut { ids.kept }, true),
        None => NONE,
    };
    let encloses = stanza.enclosing_header().is_some();
    w.finish(Header::stanza(
        stanza.offset(),
        doc.src.len(),
        nodes.len(),
        attrs.len(),
        scope,
        encloses,
    ));
}

impl OwnedStanza {
    /// Copies a stanza view (from a parser, another owned stanza, or WebSocket framing):
    /// one allocation, sized exactly.
    pub fn new(stanza: &Stanza<'_>) -> OwnedStanza {
        let (plan, ids) = plan(stanza);
        let mut b = Block::for_plan(plan);
        fill(&mut b, stanza, plan, ids);
        OwnedStanza { b }
    }

    /// An empty value for [`assign`](Self::assign) to fill; its views must not be used.
    pub(crate) fn empty() -> OwnedStanza {
        OwnedStanza { b: Block::empty() }
    }

    /// Replaces the contents with a copy of `stanza`, reusing this value's storage (no
    /// allocation when it is large enough) when no clone shares it
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
        let (plan, ids) = plan(stanza);
        fill(&mut self.b, stanza, plan, ids);
    }

    /// Whether this value is the only handle on its storage (no clone of it is alive),
    /// so that [`assign`](Self::assign) reuses it.
    pub fn is_unique(&self) -> bool {
        self.b.is_unique()
    }

    /// The context a stanza read beside this one sees (WebSocket framing: this is the
    /// `<open/>`).
    pub(crate) fn as_open(&self) -> Context<'_> {
        Context::Open(&self.b)
    }

    /// The root element, decoding text into `arena`.
    pub(crate) fn root_in<'a>(&'a self, arena: &'a Bump) -> Element<'a> {
        tree_in(&self.b, arena).root()
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
            tree_in(&self.b, arena.bump()),
            self.b.info().offset,
            Context::Reduced(&self.b),
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
        stanza_src(&self.b).as_bytes()
    }

    /// The stream offset the stanza was read at.
    pub fn offset(&self) -> u64 {
        self.b.info().offset
    }

    /// Heap bytes held (the one block, reference counts included).
    pub fn heap_bytes(&self) -> usize {
        self.b.heap_bytes()
    }
}

/// The stanza's bytes in `b`.
fn stanza_src(b: &Block) -> &str {
    b.bytes().get(..b.info().stanza_len as usize).unwrap_or("")
}

/// The stanza's tree in `b`, decoding text into `arena`.
pub(super) fn tree_in<'a>(b: &'a Block, arena: &'a Bump) -> TreeRef<'a> {
    TreeRef {
        src: stanza_src(b),
        store: Store::Block(b),
        arena,
    }
}

/// The reduced header in `b`, decoding text into `arena`.
pub(super) fn reduced_header_in<'a>(b: &'a Block, arena: &'a Bump) -> Option<Element<'a>> {
    let h = b.info();
    (h.scope != NONE).then(|| {
        TreeRef {
            src: b.bytes().get(h.stanza_len as usize..).unwrap_or(""),
            store: Store::Block(b),
            arena,
        }
        .element(h.scope)
    })
}

/// The records of the stanza in `b` (the reduced header's follow them).
pub(super) fn stanza_records(b: &Block) -> (&[NodeRec], &[AttrRec]) {
    let h = b.info();
    let (n, a) = (b.nodes(), b.attrs());
    (
        n.get(..h.stanza_nodes as usize).unwrap_or(n),
        a.get(..h.stanza_attrs as usize).unwrap_or(a),
    )
}

/// Whether the reduced header in `b` encloses the stanza.
pub(super) fn encloses(b: &Block) -> bool {
    b.info().encloses != 0
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
            .field("offset", &self.offset())
            .field("root", &self.root_in(&arena))
            .field("header", &reduced_header_in(&self.b, &arena))
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
    fn copies_read_as_the_live_stanza() {
        let mut p = crate::Parser::new();
        p.feed(
            b"<stream:stream xmlns='jabber:client' xmlns:db='jabber:server:dialback' \
            xmlns:stream='http://etherx.jabber.org/streams' xml:lang=\"it's\">\
            <iq id='a&amp;b'><q xmlns='urn:q' xmlns:r='urn:r' r:v='1'>t<![CDATA[<x>]]>\
            <db:k/></q></iq><iq id='2'><q xmlns='urn:q'/></iq>",
        );
        p.next_event().unwrap();
        let mut slot = OwnedStanza::empty();
        for _ in 0..2 {
            let Some(crate::Event::Stanza(s)) = p.next_event().unwrap() else {
                panic!()
            };
            let live = format!("{:?}", s.root());
            let o = OwnedStanza::new(&s);
            let v = o.view();
            assert_eq!(format!("{:?}", v.root()), live);
            assert_eq!(v.stanza().lang(), Some("it's"));
            let copy = OwnedStanza::new(&v.stanza());
            assert_eq!(format!("{:?}", copy.view().root()), live);
            slot.assign(&s);
            assert_eq!(format!("{:?}", slot.view().root()), live);
            assert_eq!(
                format!("{:?}", slot.view().stanza().header()),
                format!("{:?}", v.stanza().header())
            );
        }
    }

    #[test]
    fn owned_is_send_sync_static() {
        assert_send_sync::<OwnedStanza>();
        assert_eq!(
            core::mem::size_of::<OwnedStanza>(),
            2 * core::mem::size_of::<usize>()
        );
    }
}

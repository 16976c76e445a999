//! The one heap block an owned stanza lives in: a header, then the element, text and
//! attribute records, the namespace index, the bytes (the stanza's and its reduced
//! header's) and the namespace names, each region at an offset the header records; and
//! [`Store`], what views read records and namespace names from: a parser's tree and
//! [`NsTable`], or a block.
//!
//! The block is an `Arc<[MaybeUninit<u64>]>` (8-byte aligned, one allocation, shared by
//! clones). It is written only through a [`Writer`], which copies whole values into it
//! (records with `write_unaligned`, bytes from `&str` pieces) and writes the header last,
//! recording how much of each region it wrote; it is read through typed slices over the
//! regions the header describes. This is the crate's only `unsafe` outside the scanner:
//! the views borrow records and `&str` bytes, and one block holding records of different
//! types and bytes can only be read as such by casting.

use super::names::{NsTable, NO_NAMES, NS_NONE, NS_XML, XML_NS};
use super::records::{AttrRec, NodeRec, Tree, NONE};
use crate::escape::Out;
use core::mem::{align_of, size_of, MaybeUninit};
use std::sync::Arc;

/// The records and namespace names a view reads: a parser's tree and table, or an owned
/// block. Two pointers wide (the block's variant sits in the niche of the first).
#[derive(Clone, Copy)]
pub(crate) enum Store<'a> {
    Parser(&'a Tree, &'a NsTable),
    Block(&'a Block),
}

impl<'a> Store<'a> {
    /// Element and text records.
    #[inline]
    pub(crate) fn nodes(self) -> &'a [NodeRec] {
        match self {
            Store::Parser(t, _) => &t.nodes,
            Store::Block(b) => b.nodes(),
        }
    }

    /// Attribute records.
    #[inline]
    pub(crate) fn attrs(self) -> &'a [AttrRec] {
        match self {
            Store::Parser(t, _) => &t.attrs,
            Store::Block(b) => b.attrs(),
        }
    }

    /// The namespace name of `id` ("" for none, or for an unknown id).
    #[inline]
    pub(crate) fn ns(self, id: u32) -> &'a str {
        match self {
            Store::Parser(_, t) => t.get(id),
            Store::Block(b) => b.ns(id),
        }
    }

    /// How many ids the namespace names have outside a parser's cache (ids `0..len`).
    pub(crate) fn ns_len(self) -> u32 {
        match self {
            Store::Parser(_, t) => t.len(),
            Store::Block(b) => b.header().ns as u32 + 2,
        }
    }

    /// The same namespace table over `tree` (the stream header's records beside a
    /// parser's stanza; never asked of a block, which has no table to share).
    pub(crate) fn with_tree(self, tree: &'a Tree) -> Store<'a> {
        match self {
            Store::Parser(_, t) => Store::Parser(tree, t),
            Store::Block(_) => Store::Parser(tree, &NO_NAMES),
        }
    }
}

/// Where the regions of a block are and how much of each was written. All fields are
/// integers (any bit pattern is a value) and there is no padding.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Header {
    /// Stream offset the stanza was read at.
    pub offset: u64,
    // Regions: byte offset from the block's start and length (records: count). `usize`:
    // a block may exceed 4 GiB under limits that let a stanza be that large.
    nodes_at: usize,
    nodes: usize,
    attrs_at: usize,
    attrs: usize,
    /// Namespace index: `(start, len)` in the names of ids 2, 3, ... (0 and 1 are fixed).
    ns_at: usize,
    ns: usize,
    bytes_at: usize,
    bytes: usize,
    names_at: usize,
    names: usize,
    /// Length of the stanza's bytes (the reduced header's follow them).
    pub stanza_len: u32,
    pub stanza_nodes: u32,
    pub stanza_attrs: u32,
    /// Node index of the reduced header, or `NONE`.
    pub scope: u32,
    /// Whether the reduced header encloses the stanza (see `Stanza::enclosing_header`).
    pub encloses: u32,
    _pad: u32,
}

impl Header {
    /// What the stanza's copy records beside the regions (which `Writer::finish` fills).
    pub(crate) fn stanza(
        offset: u64,
        len: usize,
        nodes: usize,
        attrs: usize,
        scope: u32,
        encloses: bool,
    ) -> Header {
        Header {
            offset,
            stanza_len: len as u32,
            stanza_nodes: nodes as u32,
            stanza_attrs: attrs as u32,
            scope,
            encloses: encloses as u32,
            ..Header::default()
        }
    }
}

type Slot = MaybeUninit<u64>;
type Entry = (u32, u32);

// Every region starts aligned for its type: the block is 8-aligned, the header's size is
// a multiple of 8, each record size a multiple of the next region's alignment.
const _: () = {
    assert!(align_of::<Header>() <= align_of::<Slot>());
    assert!(size_of::<Header>() % align_of::<NodeRec>() == 0);
    assert!(size_of::<NodeRec>() % align_of::<AttrRec>() == 0);
    assert!(size_of::<AttrRec>() % align_of::<Entry>() == 0);
    assert!(align_of::<NodeRec>() <= align_of::<Slot>());
};

/// How many of each a block is planned for.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Plan {
    pub nodes: usize,
    pub attrs: usize,
    pub ns: usize,
    pub bytes: usize,
    pub names: usize,
}

/// Where each region of a block for a [`Plan`] starts and ends (bytes from its start).
struct Layout {
    starts: [usize; 5],
    ends: [usize; 5],
}

impl Layout {
    fn of(plan: Plan) -> Layout {
        let nodes_at = size_of::<Header>();
        let attrs_at = nodes_at + plan.nodes * size_of::<NodeRec>();
        let ns_at = attrs_at + plan.attrs * size_of::<AttrRec>();
        let bytes_at = ns_at + plan.ns * size_of::<Entry>();
        let names_at = bytes_at + plan.bytes;
        let end = names_at + plan.names;
        Layout {
            starts: [nodes_at, attrs_at, ns_at, bytes_at, names_at],
            ends: [attrs_at, ns_at, bytes_at, names_at, end],
        }
    }

    fn slots(&self) -> usize {
        self.ends[NAMES].div_ceil(size_of::<Slot>())
    }
}

/// An owned stanza's storage (see the module docs).
///
/// INVARIANT: `slots` starts with a [`Header`] written by [`Writer::finish`] (or an empty
/// one), and every region it describes lies inside `slots`, starts aligned for its type,
/// and was entirely written by the writer before that header was: records are copies of
/// valid records, `bytes` and `names` concatenations of whole `&str`s (so UTF-8).
#[derive(Clone)]
pub(crate) struct Block {
    slots: Arc<[Slot]>,
}

impl core::fmt::Debug for Block {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Block")
            .field("header", self.header())
            .field("bytes", &self.bytes())
            .finish()
    }
}

const HEADER_SLOTS: usize = size_of::<Header>().div_ceil(size_of::<Slot>());

impl Block {
    /// A block holding nothing (no records, no bytes).
    pub(crate) fn empty() -> Block {
        let mut b = Block {
            slots: Arc::new_uninit_slice(HEADER_SLOTS),
        };
        if let Some(s) = Arc::get_mut(&mut b.slots) {
            write_header(s, Header::default());
        }
        b
    }

    /// Whether no clone shares the block.
    #[inline]
    pub(crate) fn is_unique(&self) -> bool {
        Arc::strong_count(&self.slots) == 1
    }

    /// Heap bytes held (the reference counts and the slots).
    pub(crate) fn heap_bytes(&self) -> usize {
        2 * size_of::<usize>() + self.slots.len() * size_of::<Slot>()
    }

    /// A block with room for `plan` (one allocation), empty until written.
    pub(crate) fn for_plan(plan: Plan) -> Block {
        let mut b = Block {
            slots: Arc::new_uninit_slice(Layout::of(plan).slots()),
        };
        if let Some(s) = Arc::get_mut(&mut b.slots) {
            write_header(s, Header::default());
        }
        b
    }

    /// A writer over storage for `plan`: this block's when no clone shares it and it is
    /// large enough, a new block otherwise (the clones keep the old one; a unique block
    /// too small grows by half at least).
    pub(crate) fn writer(&mut self, plan: Plan) -> Writer<'_> {
        let l = Layout::of(plan);
        let slots = l.slots();
        match Arc::get_mut(&mut self.slots) {
            Some(s) if s.len() >= slots => {}
            // Unique but too small: grow by half at least, so that refilling one value
            // with stanzas of varying sizes settles at the largest (as vectors would).
            Some(s) => {
                let grown = slots.max(s.len() + s.len() / 2);
                self.slots = Arc::new_uninit_slice(grown);
            }
            // Shared: the clones keep the old block; this value gets one of its own.
            None => self.slots = Arc::new_uninit_slice(slots),
        }
        let s = Arc::get_mut(&mut self.slots).unwrap_or(&mut []);
        // An empty header first: until `finish`, the block reads as empty.
        write_header(s, Header::default());
        let len = core::mem::size_of_val(s);
        // SAFETY: the slots are `len` initialised-or-not bytes, 8-aligned, borrowed
        // mutably for the writer's lifetime; `MaybeUninit<u8>` has no validity
        // requirement and alignment 1.
        let buf = unsafe { core::slice::from_raw_parts_mut(s.as_mut_ptr().cast(), len) };
        Writer {
            buf,
            at: l.starts,
            start: l.starts,
            ends: l.ends.map(|e| e.min(len)),
        }
    }

    #[inline]
    fn header(&self) -> &Header {
        debug_assert!(self.slots.len() >= HEADER_SLOTS);
        // SAFETY: by the invariant, the first slots hold a written `Header` (integers
        // only), and the block is 8-aligned.
        unsafe { &*self.slots.as_ptr().cast::<Header>() }
    }

    /// The header's values.
    #[inline]
    pub(crate) fn info(&self) -> &Header {
        self.header()
    }

    /// `len` values of `T` at byte `at`.
    #[inline]
    fn region<T>(&self, at: usize, len: usize) -> &[T] {
        debug_assert!(at % align_of::<T>() == 0);
        debug_assert!(at + len * size_of::<T>() <= self.slots.len() * size_of::<Slot>());
        // SAFETY: by the invariant, the `len` values at byte `at` lie in the block,
        // aligned, and were written as valid `T`s; the block is immutable while shared
        // (`Writer` needs it unique) and lives as long as `self`.
        unsafe { core::slice::from_raw_parts(self.slots.as_ptr().cast::<u8>().add(at).cast(), len) }
    }

    #[inline]
    fn str_region(&self, at: usize, len: usize) -> &str {
        let b = self.region::<u8>(at, len);
        debug_assert!(core::str::from_utf8(b).is_ok());
        // SAFETY: by the invariant, the region is a concatenation of whole `&str`s.
        unsafe { core::str::from_utf8_unchecked(b) }
    }

    /// Element and text records: the stanza's, then the reduced header's.
    #[inline]
    pub(crate) fn nodes(&self) -> &[NodeRec] {
        let h = self.header();
        self.region(h.nodes_at, h.nodes)
    }

    /// Attribute records: the stanza's, then the reduced header's.
    #[inline]
    pub(crate) fn attrs(&self) -> &[AttrRec] {
        let h = self.header();
        self.region(h.attrs_at, h.attrs)
    }

    /// The bytes: the stanza's, then the reduced header's start tag.
    #[inline]
    pub(crate) fn bytes(&self) -> &str {
        let h = self.header();
        self.str_region(h.bytes_at, h.bytes)
    }

    /// The namespace name of `id` ("" for none, or for an unknown id).
    pub(crate) fn ns(&self, id: u32) -> &str {
        match id {
            NS_NONE => "",
            NS_XML => XML_NS,
            _ => {
                let h = self.header();
                let entries = self.region::<Entry>(h.ns_at, h.ns);
                match entries.get(id as usize - 2) {
                    Some(&(s, l)) => self
                        .str_region(h.names_at, h.names)
                        .get(s as usize..(s + l) as usize)
                        .unwrap_or(""),
                    None => "",
                }
            }
        }
    }
}

fn write_header(slots: &mut [Slot], h: Header) {
    debug_assert!(slots.len() >= HEADER_SLOTS);
    if slots.len() >= HEADER_SLOTS {
        // SAFETY: the slots hold at least `size_of::<Header>()` bytes, 8-aligned.
        unsafe { slots.as_mut_ptr().cast::<Header>().write(h) }
    }
}

/// Fills a block region by region (see [`Block::writer`]); [`finish`](Self::finish)
/// writes the header. Writes past a region's planned end are dropped (and assert in
/// debug builds): the plan is exact, so they never happen.
pub(crate) struct Writer<'b> {
    buf: &'b mut [MaybeUninit<u8>],
    /// Next byte to write of each region: nodes, attrs, ns, bytes, names.
    at: [usize; 5],
    start: [usize; 5],
    ends: [usize; 5],
}

const NODES: usize = 0;
const ATTRS: usize = 1;
const NS: usize = 2;
const BYTES: usize = 3;
const NAMES: usize = 4;

impl Writer<'_> {
    fn put_rec<T: Copy>(&mut self, region: usize, v: T) -> bool {
        let at = self.at[region];
        let end = at + size_of::<T>();
        debug_assert!(end <= self.ends[region], "owned stanza plan too small");
        if end > self.ends[region] {
            return false;
        }
        let dst = &mut self.buf[at..end];
        // SAFETY: `dst` is `size_of::<T>()` bytes of the block; `write_unaligned` needs
        // no alignment (the region is aligned anyway).
        unsafe { dst.as_mut_ptr().cast::<T>().write_unaligned(v) }
        self.at[region] = end;
        true
    }

    fn put_str(&mut self, region: usize, s: &str) {
        let at = self.at[region];
        let end = at + s.len();
        debug_assert!(end <= self.ends[region], "owned stanza plan too small");
        if end > self.ends[region] {
            return;
        }
        let dst = &mut self.buf[at..end];
        // SAFETY: `dst` is `s.len()` bytes of the block, which `s` cannot overlap (the
        // block is borrowed mutably).
        unsafe {
            core::ptr::copy_nonoverlapping(s.as_ptr(), dst.as_mut_ptr().cast::<u8>(), s.len())
        }
        self.at[region] = end;
    }

    fn count(&self, region: usize, size: usize) -> usize {
        (self.at[region] - self.start[region]) / size
    }

    /// Writes the header: the block now reads as what was written (and `h`'s offset,
    /// stanza lengths, scope and enclosure).
    pub(crate) fn finish(self, mut h: Header) {
        let s = self.start;
        h.nodes_at = s[NODES];
        h.nodes = self.count(NODES, size_of::<NodeRec>());
        h.attrs_at = s[ATTRS];
        h.attrs = self.count(ATTRS, size_of::<AttrRec>());
        h.ns_at = s[NS];
        h.ns = self.count(NS, size_of::<Entry>());
        h.bytes_at = s[BYTES];
        h.bytes = self.at[BYTES] - s[BYTES];
        h.names_at = s[NAMES];
        h.names = self.at[NAMES] - s[NAMES];
        // (Lengths the views slice by are checked there: `get`, never an index.)
        if h.scope != NONE && h.scope as usize >= h.nodes {
            h.scope = NONE;
        }
        debug_assert!(self.at == self.ends, "owned stanza plan not filled exactly");
        if self.buf.len() < size_of::<Header>() {
            return;
        }
        // SAFETY: the buffer is the block's slots, 8-aligned, at least a header long
        // (`Block::writer` wrote one there).
        unsafe { self.buf.as_mut_ptr().cast::<Header>().write(h) }
    }
}

/// What the owned stanza's copy writes to: a [`Writer`], or a [`Counter`] planning it.
pub(crate) trait Sink: Out {
    /// Appends an element or text record.
    fn node(&mut self, rec: NodeRec);
    /// Appends an attribute record.
    fn attr(&mut self, rec: AttrRec);
    /// Appends a namespace name; returns its id.
    fn name(&mut self, uri: &str) -> u32;
    /// Bytes written so far.
    fn len(&self) -> u32;
    /// Node records written so far.
    fn node_count(&self) -> u32;
    /// Attribute records written so far.
    fn attr_count(&self) -> u32;
}

impl Out for Writer<'_> {
    fn put(&mut self, s: &str) {
        self.put_str(BYTES, s);
    }
}

impl Sink for Writer<'_> {
    fn node(&mut self, rec: NodeRec) {
        self.put_rec(NODES, rec);
    }

    fn attr(&mut self, rec: AttrRec) {
        self.put_rec(ATTRS, rec);
    }

    fn name(&mut self, uri: &str) -> u32 {
        let start = (self.at[NAMES] - self.start[NAMES]) as u32;
        let id = self.count(NS, size_of::<Entry>()) as u32 + 2;
        if self.put_rec::<Entry>(NS, (start, uri.len() as u32)) {
            self.put_str(NAMES, uri);
        }
        id
    }

    fn len(&self) -> u32 {
        (self.at[BYTES] - self.start[BYTES]) as u32
    }

    fn node_count(&self) -> u32 {
        self.count(NODES, size_of::<NodeRec>()) as u32
    }

    fn attr_count(&self) -> u32 {
        self.count(ATTRS, size_of::<AttrRec>()) as u32
    }
}

/// Counts what a [`Writer`] would be given, for the [`Plan`].
#[derive(Default)]
pub(crate) struct Counter {
    pub plan: Plan,
}

impl Out for Counter {
    fn put(&mut self, s: &str) {
        self.plan.bytes += s.len();
    }
}

impl Sink for Counter {
    fn node(&mut self, _: NodeRec) {
        self.plan.nodes += 1;
    }

    fn attr(&mut self, _: AttrRec) {
        self.plan.attrs += 1;
    }

    fn name(&mut self, uri: &str) -> u32 {
        self.plan.ns += 1;
        self.plan.names += uri.len();
        NS_NONE
    }

    fn len(&self) -> u32 {
        self.plan.bytes as u32
    }

    fn node_count(&self) -> u32 {
        self.plan.nodes as u32
    }

    fn attr_count(&self) -> u32 {
        self.plan.attrs as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_regions_read_back_and_the_empty_block_reads_empty() {
        let e = Block::empty();
        assert!(e.nodes().is_empty() && e.attrs().is_empty() && e.bytes().is_empty());
        assert_eq!(e.ns(5), "");
        let mut b = Block::empty();
        let plan = Plan {
            nodes: 1,
            attrs: 0,
            ns: 1,
            bytes: 4,
            names: 5,
        };
        let mut w = b.writer(plan);
        w.put("<a/>");
        let id = w.name("urn:x");
        w.node(NodeRec {
            is_element: true,
            flags: 0,
            start: 0,
            end: 4,
            name_len: 1,
            prefix_len: 0,
            ns: id,
            attrs: 0,
            attr_count: 0,
            first_child: NONE,
            next_sibling: NONE,
        });
        w.finish(Header::stanza(7, 4, 1, 0, NONE, false));
        assert_eq!(b.bytes(), "<a/>");
        assert_eq!(b.nodes()[0].end, 4);
        assert_eq!(b.ns(id), "urn:x");
        assert_eq!(b.ns(NS_XML), XML_NS);
        assert_eq!(b.ns(id + 1), "");
        assert_eq!(b.info().offset, 7);
        // A shared block is not written: the writer gets a new one.
        let c = b.clone();
        let w = b.writer(Plan::default());
        w.finish(Header::default());
        assert!(b.bytes().is_empty());
        assert_eq!(c.bytes(), "<a/>");
    }
}

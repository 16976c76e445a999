//! Read-only views over one framed tree (a stanza, the stream header or a document root):
//! elements, attributes, text. Views borrow the parser's buffer and index; decoded text
//! is borrowed from the input when nothing needs decoding, and otherwise written into the
//! parser's per-event arena (reset when the next event is read), so reading a view never
//! touches the heap once the arena has grown.

use super::block::Store;
use super::names::NS_NONE;
use super::records::{AttrRec, NodeRec, NONE};
use crate::bytes_eq::str_eq;
use crate::decode::{decode_attr, decode_text, Push};
use bumpalo::Bump;
use core::fmt;

/// The borrows every view of one tree holds: the tree's bytes, its records, the
/// namespace table its ids refer to and the arena for decoded text.
///
/// Every view holds one by value (an `Element` is this and a record pointer), so it is
/// kept at five words: holding the store's record slices resolved here as well (no
/// dispatch per access) was measured slower, the larger copy per element costing more
/// than the dispatch, which the compiler hoists out of the views' loops (issue 11).
#[derive(Clone, Copy)]
pub(crate) struct TreeRef<'a> {
    /// The tree's bytes: UTF-8, as the scanner validated them, and every record's ranges
    /// start and end at character boundaries (they are delimited by ASCII markup).
    pub src: &'a str,
    /// The records (node 0 is the root element) and the namespace names their ids
    /// refer to.
    pub store: Store<'a>,
    pub arena: &'a Bump,
}

impl<'a> TreeRef<'a> {
    /// `src[start..start + len]`, "" when out of range. The hottest line of the views
    /// (every name, value and text read goes through it): the bounds are checked (one
    /// compare and a branch the records never take), the character boundaries are not
    /// (issue 11).
    #[allow(unsafe_code)]
    #[inline(always)]
    fn str(&self, start: u32, len: u32) -> &'a str {
        // In `u64`: no overflow on any target, so `s <= e` and one compare bounds both.
        let (s, e) = (start as u64, start as u64 + len as u64);
        let b = self.src.as_bytes();
        if e > b.len() as u64 {
            return out_of_range();
        }
        let (s, e) = (s as usize, e as usize);
        debug_assert!(
            self.src.is_char_boundary(s) && self.src.is_char_boundary(e),
            "record range {s}..{e} cuts a character"
        );
        // SAFETY: `s <= e <= src.len()` (checked just above, in `u64`), so the range lies
        // in `src`; `src` is a `&str`, and every range the views ask for starts and ends
        // at a character boundary of it: record ranges are delimited by ASCII markup
        // (`<`, `>`, `:`, quotes, the ends of names, which end at an ASCII delimiter) or
        // by the end of `src` (see the field's docs), so a slice of the valid UTF-8 `src`
        // between two boundaries is valid UTF-8. Debug builds (tests, fuzzing: every fuzz
        // target walks every view of every stanza, `fuzz/src/lib.rs`) assert it above;
        // miri runs `tree::`.
        unsafe { core::str::from_utf8_unchecked(b.get_unchecked(s..e)) }
    }

    /// `src[start + 1 + skip..start + name_len]` with `skip` the prefix and its colon
    /// (none when unprefixed): the local part of a qualified name at `start`, without a
    /// branch on whether it is prefixed.
    #[inline(always)]
    fn local(&self, start: u32, name_len: u32, prefix_len: u32) -> &'a str {
        let skip = prefix_len + (prefix_len != 0) as u32;
        // (A malformed record wraps to a length the bounds check turns into "".)
        self.str(start.wrapping_add(skip), name_len.wrapping_sub(skip))
    }

    #[inline]
    fn bytes(&self, start: u32, len: u32) -> &'a [u8] {
        self.str(start, len).as_bytes()
    }

    pub(crate) fn root(self) -> Element<'a> {
        match self.store.nodes().first() {
            Some(rec) if rec.is_element => Element { doc: self, rec },
            // Unreachable: every framed tree has its root element at index 0.
            _ => Element {
                doc: self,
                rec: &EMPTY,
            },
        }
    }

    /// The element at node index `idx` (which must be an element record).
    pub(crate) fn element(self, idx: u32) -> Element<'a> {
        match self.store.nodes().get(idx as usize) {
            Some(rec) if rec.is_element => Element { doc: self, rec },
            _ => {
                debug_assert!(false, "no element at {idx}");
                Element {
                    doc: self,
                    rec: &EMPTY,
                }
            }
        }
    }

    /// The view of attribute record `rec` (one of this tree's).
    pub(crate) fn attribute(self, rec: &'a AttrRec) -> Attribute<'a> {
        Attribute { doc: self, rec }
    }
}

/// What [`TreeRef::str`] gives for a range outside the tree (never, for records the
/// builder wrote): out of line, so that the check is one compare and a branch.
#[cold]
#[inline(never)]
fn out_of_range() -> &'static str {
    ""
}

/// The attributes of an element whose range lies outside the tree (never, for records
/// the builder wrote): out of line, as [`out_of_range`].
#[cold]
#[inline(never)]
fn no_attrs() -> &'static [AttrRec] {
    &[]
}

/// Stands for a missing element (never read in practice: see [`TreeRef::root`]).
static EMPTY: NodeRec = NodeRec {
    is_element: true,
    flags: 0,
    start: 0,
    end: 0,
    name_len: 0,
    prefix_len: 0,
    ns: 0,
    attrs: 0,
    attr_count: 0,
    first_child: NONE,
    next_sibling: NONE,
};

/// An element of a framed tree.
#[derive(Clone, Copy)]
pub struct Element<'a> {
    doc: TreeRef<'a>,
    /// The element's record (held rather than its index: no bounds check per access).
    rec: &'a NodeRec,
}

impl<'a> Element<'a> {
    #[inline]
    fn rec(&self) -> &'a NodeRec {
        self.rec
    }

    /// The qualified name as written (`stream:features`, `message`).
    #[inline]
    pub fn qname(&self) -> &'a str {
        let n = self.rec();
        self.doc.str(n.start + 1, n.name_len)
    }

    /// The local part of the name (`features` for `stream:features`).
    #[inline]
    pub fn local_name(&self) -> &'a str {
        let n = self.rec();
        self.doc.local(n.start + 1, n.name_len, n.prefix_len)
    }

    /// The prefix as written, if any.
    #[inline]
    pub fn prefix(&self) -> Option<&'a str> {
        let n = self.rec();
        (n.prefix_len > 0).then(|| self.doc.str(n.start + 1, n.prefix_len))
    }

    /// The namespace name the element's name resolved to ("" for no namespace).
    #[inline]
    pub fn ns(&self) -> &'a str {
        self.doc.store.ns(self.rec().ns)
    }

    /// Whether the element is `local` in namespace `ns`.
    #[inline]
    pub fn is(&self, ns: &str, local: &str) -> bool {
        str_eq(self.local_name(), local) && str_eq(self.ns(), ns)
    }

    /// The attributes, in document order, without namespace declarations.
    #[inline]
    pub fn attrs(&self) -> Attributes<'a> {
        Attributes {
            all: self.all_attrs(),
            decls: false,
        }
    }

    /// Every attribute as written, namespace declarations (`xmlns`, `xmlns:p`) included.
    #[inline]
    pub fn raw_attrs(&self) -> Attributes<'a> {
        Attributes {
            all: self.all_attrs(),
            decls: true,
        }
    }

    #[inline]
    fn all_attrs(&self) -> AttrIter<'a> {
        let n = self.rec();
        // In `usize` from two `u32`s: one bounds check (`s <= e` always).
        let (s, e) = (n.attrs as usize, n.attrs as usize + n.attr_count as usize);
        let all = self.doc.store.attrs();
        let recs = if e <= all.len() {
            &all[s..e]
        } else {
            no_attrs()
        };
        AttrIter {
            doc: self.doc,
            recs: recs.iter(),
        }
    }

    /// The decoded value of the attribute `local` in namespace `ns` ("" for unprefixed
    /// attributes).
    pub fn attr(&self, ns: &str, local: &str) -> Option<&'a str> {
        self.attrs()
            .find(|a| str_eq(a.local_name(), local) && str_eq(a.ns(), ns))
            .map(|a| a.value())
    }

    /// The namespace declarations made on this element, as (prefix, namespace name);
    /// the prefix is `None` for the default namespace.
    pub fn ns_decls(&self) -> impl Iterator<Item = (Option<&'a str>, &'a str)> + 'a {
        self.raw_attrs()
            .filter(|a| a.is_namespace_declaration())
            .map(|a| {
                let p = if a.prefix().is_some() {
                    Some(a.local_name())
                } else {
                    None
                };
                (p, a.value())
            })
    }

    /// Child nodes (elements and text runs) in document order.
    #[inline]
    pub fn nodes(&self) -> Nodes<'a> {
        Nodes {
            doc: self.doc,
            next: self.rec().first_child,
        }
    }

    /// Child elements in document order.
    pub fn children(&self) -> impl Iterator<Item = Element<'a>> + 'a {
        self.nodes().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element named `local` in namespace `ns`.
    pub fn child(&self, ns: &str, local: &str) -> Option<Element<'a>> {
        self.children().find(|e| e.is(ns, local))
    }

    /// The child elements named `local` in namespace `ns`.
    pub fn children_named<'s>(
        &self,
        ns: &'s str,
        local: &'s str,
    ) -> impl Iterator<Item = Element<'a>> + 's
    where
        'a: 's,
    {
        self.children().filter(move |e| e.is(ns, local))
    }

    /// The decoded character data directly inside this element (child elements'
    /// text excluded), references resolved, line ends normalised, CDATA included.
    /// Borrowed from the input when a single run needs no decoding.
    pub fn text(&self) -> &'a str {
        let mut texts = self.nodes().filter_map(|n| match n {
            Node::Text(t) => Some(t),
            Node::Element(_) => None,
        });
        let Some(first) = texts.next() else { return "" };
        let Some(second) = texts.next() else {
            return first.as_str();
        };
        let mut out = bumpalo::collections::String::new_in(self.doc.arena);
        first.decode_into(&mut out);
        second.decode_into(&mut out);
        for t in texts {
            t.decode_into(&mut out);
        }
        out.into_bump_str()
    }

    /// The exact input bytes of this element, from its `<` to its final `>` (for the
    /// stream header: its start tag).
    #[inline]
    pub fn raw(&self) -> &'a [u8] {
        let n = self.rec();
        self.doc.bytes(n.start, n.end - n.start)
    }
}

impl fmt::Debug for Element<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Element")
            .field("ns", &self.ns())
            .field("name", &self.local_name())
            .field("attrs", &self.attrs().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
struct AttrIter<'a> {
    doc: TreeRef<'a>,
    recs: core::slice::Iter<'a, AttrRec>,
}

/// Iterator over an element's attributes (see [`Element::attrs`] and
/// [`Element::raw_attrs`]).
#[derive(Clone)]
pub struct Attributes<'a> {
    all: AttrIter<'a>,
    decls: bool,
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Attribute<'a>;

    #[inline]
    fn next(&mut self) -> Option<Attribute<'a>> {
        loop {
            let rec = self.all.recs.next()?;
            if self.decls || !rec.is_decl {
                return Some(Attribute {
                    doc: self.all.doc,
                    rec,
                });
            }
        }
    }
}

impl fmt::Debug for Attributes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// One attribute of an element.
#[derive(Clone, Copy)]
pub struct Attribute<'a> {
    doc: TreeRef<'a>,
    rec: &'a AttrRec,
}

impl<'a> Attribute<'a> {
    /// The qualified name as written (`xml:lang`, `to`, `xmlns:stream`).
    #[inline]
    pub fn qname(&self) -> &'a str {
        self.doc.str(self.rec.name_start, self.rec.name_len)
    }

    /// The local part of the name.
    #[inline]
    pub fn local_name(&self) -> &'a str {
        let r = self.rec;
        self.doc.local(r.name_start, r.name_len, r.prefix_len)
    }

    /// The prefix as written, if any.
    #[inline]
    pub fn prefix(&self) -> Option<&'a str> {
        (self.rec.prefix_len > 0).then(|| self.doc.str(self.rec.name_start, self.rec.prefix_len))
    }

    /// The namespace name ("" for unprefixed attributes; the XMLNS namespace is not
    /// reported for declarations, which also give "").
    #[inline]
    pub fn ns(&self) -> &'a str {
        // Most attributes are unprefixed: no namespace, no table to read (elements
        // mostly have one, so theirs takes no such branch).
        if self.rec.ns == NS_NONE {
            return "";
        }
        self.doc.store.ns(self.rec.ns)
    }

    /// Whether this is a namespace declaration (`xmlns` or `xmlns:p`).
    #[inline]
    pub fn is_namespace_declaration(&self) -> bool {
        self.rec.is_decl
    }

    /// Where [`raw_value`](Self::raw_value) lies in the tree's bytes.
    pub(crate) fn raw_value_range(&self) -> core::ops::Range<usize> {
        let s = self.rec.value_start as usize;
        s..s + self.rec.value_len as usize
    }

    /// The value as written between the quotes.
    #[inline]
    pub fn raw_value(&self) -> &'a [u8] {
        self.doc.bytes(self.rec.value_start, self.rec.value_len)
    }

    /// The decoded, normalised value (references resolved; TAB, LF, CR and CR LF become a
    /// space). Borrowed from the input when nothing needs decoding.
    #[inline]
    pub fn value(&self) -> &'a str {
        let raw = self.doc.str(self.rec.value_start, self.rec.value_len);
        if self.rec.flags == 0 {
            return raw;
        }
        decoded_value(raw, self.doc.arena)
    }
}

impl fmt::Debug for Attribute<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{{}}}{}={:?}",
            self.ns(),
            self.local_name(),
            self.value()
        )
    }
}

/// Bytes reserved in the arena before decoding `raw`: all of it for a short value or
/// text (decoding never lengthens: a reference is longer than its character, CR LF
/// becomes one byte, CDATA markup is dropped), so that it is decoded without regrowing
/// (each regrowth copies what was decoded); longer ones grow as before from there, so
/// that the arena's chunks grow as they did (a second pass over the same input
/// allocates nothing, `tests/it/no_alloc.rs`).
#[inline(always)]
fn reserve_for(raw: &str) -> usize {
    raw.len().min(RESERVE_MAX)
}

/// The most [`reserve_for`] reserves up front.
const RESERVE_MAX: usize = 512;

/// `raw` (an attribute value needing decoding) decoded into `arena`: out of line, so that
/// the views' common path (nothing to decode) stays a slice.
#[inline(never)]
fn decoded_value<'a>(raw: &str, arena: &'a Bump) -> &'a str {
    let mut out = bumpalo::collections::String::with_capacity_in(reserve_for(raw), arena);
    decode_attr(raw, &mut out);
    out.into_bump_str()
}

/// `raw` (a text run needing decoding) decoded into `arena` (as [`decoded_value`]).
#[inline(never)]
fn decoded_text<'a>(raw: &str, arena: &'a Bump) -> &'a str {
    let mut out = bumpalo::collections::String::with_capacity_in(reserve_for(raw), arena);
    decode_text(raw, &mut out);
    out.into_bump_str()
}

/// A child node: an element or a run of character data.
#[derive(Clone, Copy, Debug)]
pub enum Node<'a> {
    /// A child element.
    Element(Element<'a>),
    /// A maximal run of character data, references and CDATA sections.
    Text(Text<'a>),
}

/// A run of character data between two tags.
#[derive(Clone, Copy)]
pub struct Text<'a> {
    doc: TreeRef<'a>,
    rec: &'a NodeRec,
}

impl<'a> Text<'a> {
    /// The raw bytes of the run, as written (references and CDATA markup included).
    #[inline]
    pub fn raw(&self) -> &'a [u8] {
        self.doc
            .bytes(self.rec.start, self.rec.end - self.rec.start)
    }

    /// The decoded text; borrowed from the input when the run has no reference, CR or
    /// CDATA section.
    #[inline]
    pub fn as_str(&self) -> &'a str {
        let raw = self.raw_str();
        if self.rec.flags == 0 {
            return raw;
        }
        decoded_text(raw, self.doc.arena)
    }

    /// The raw run as the `&str` the scanner validated.
    #[inline(always)]
    fn raw_str(&self) -> &'a str {
        self.doc
            .str(self.rec.start, self.rec.end.wrapping_sub(self.rec.start))
    }

    fn decode_into(&self, out: &mut impl Push) {
        if self.rec.flags == 0 {
            out.push_str(self.raw_str());
        } else {
            decode_text(self.raw_str(), out);
        }
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Text({:?})", self.as_str())
    }
}

/// Iterator over an element's child nodes.
#[derive(Clone)]
pub struct Nodes<'a> {
    doc: TreeRef<'a>,
    next: u32,
}

impl<'a> Iterator for Nodes<'a> {
    type Item = Node<'a>;

    #[inline]
    fn next(&mut self) -> Option<Node<'a>> {
        // `NONE` is past the end of every tree's records: one check ends the siblings
        // and bounds the index.
        let rec = self.doc.store.nodes().get(self.next as usize)?;
        self.next = rec.next_sibling;
        Some(if rec.is_element {
            Node::Element(Element { doc: self.doc, rec })
        } else {
            Node::Text(Text { doc: self.doc, rec })
        })
    }
}

impl fmt::Debug for Nodes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::names::NsTable;
    use super::super::records::Tree;
    use super::*;

    fn element(start: u32, end: u32, name_len: u32, prefix_len: u32) -> NodeRec {
        NodeRec {
            start,
            end,
            name_len,
            prefix_len,
            ..EMPTY
        }
    }

    #[test]
    fn names_values_and_links_read_as_written() {
        // `<p:a x='1' p:y='&amp;'>t</p:a>` with `p` unbound: records only matter here.
        let src = "<p:a x='1' p:y='&amp;'>t</p:a>";
        let a = |name_start, name_len, prefix_len, value_start, value_len, flags| AttrRec {
            name_start,
            name_len,
            prefix_len,
            value_start,
            value_len,
            ns: NS_NONE,
            flags,
            is_decl: false,
        };
        let tree = Tree {
            nodes: vec![
                NodeRec {
                    attrs: 0,
                    attr_count: 2,
                    first_child: 1,
                    ..element(0, 30, 3, 1)
                },
                NodeRec {
                    is_element: false,
                    start: 23,
                    end: 24,
                    ..EMPTY
                },
            ],
            attrs: vec![a(5, 1, 0, 8, 1, 0), a(11, 3, 1, 16, 5, 1)],
        };
        let (table, arena) = (NsTable::default(), Bump::new());
        let doc = tree_ref(src, &tree, &table, &arena);
        let e = doc.root();
        assert_eq!(
            (e.qname(), e.local_name(), e.prefix()),
            ("p:a", "a", Some("p"))
        );
        let attrs: Vec<_> = e
            .attrs()
            .map(|a| (a.qname(), a.local_name(), a.prefix(), a.value()))
            .collect();
        assert_eq!(attrs, [("x", "x", None, "1"), ("p:y", "y", Some("p"), "&")]);
        assert_eq!(e.attr("", "x"), Some("1"));
        assert_eq!(e.attr("", "xx"), None);
        assert_eq!(e.text(), "t");
        assert_eq!(e.raw(), src.as_bytes());
    }

    /// The views' borrows over hand-made records.
    fn tree_ref<'a>(
        src: &'a str,
        tree: &'a Tree,
        table: &'a NsTable,
        arena: &'a Bump,
    ) -> TreeRef<'a> {
        TreeRef {
            src,
            store: Store::Parser(tree, table),
            arena,
        }
    }

    #[test]
    fn records_outside_the_tree_read_empty() {
        // Never written by the builder; the views stay total all the same.
        let src = "<abc/>";
        let tree = Tree {
            nodes: vec![
                NodeRec {
                    attrs: 5,
                    attr_count: 2,
                    first_child: 7,
                    ..element(0, 6, 40, 0)
                },
                // Prefix longer than the name: the local part's length wraps.
                element(0, 6, 2, 3),
                // Ranges past the end of `src`, and `start + len` past `u32::MAX`.
                element(u32::MAX - 1, u32::MAX, u32::MAX, 0),
            ],
            attrs: Vec::new(),
        };
        let (table, arena) = (NsTable::default(), Bump::new());
        let doc = tree_ref(src, &tree, &table, &arena);
        let e = doc.root();
        assert_eq!(e.qname(), "");
        assert_eq!(e.attrs().count(), 0);
        assert_eq!(e.nodes().count(), 0);
        let short = doc.element(1);
        assert_eq!((short.qname(), short.local_name()), ("ab", ""));
        let far = doc.element(2);
        assert_eq!(
            (far.qname(), far.local_name(), far.raw()),
            ("", "", &b""[..])
        );
        assert_eq!(far.ns(), "");
    }
}

//! Trees copied out of the input buffer, so that they outlive the event that lent them:
//! [`StoredTree`], the stream header a parser keeps for its stanzas (its namespace ids
//! refer to the parser's table). Owned stanzas live in a block of their own
//! (`block.rs`).

use super::block::Store;
use super::names::NsTable;
use super::records::Tree;
use super::reduced::Pieces;
use super::view::{Element, TreeRef};
use bumpalo::Bump;

/// A tree's bytes (offsets in its records are relative to `bytes[0]`) and records.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoredTree {
    pub(crate) bytes: String,
    pub(crate) tree: Tree,
    /// What the elements inheriting the root's default namespace read instead of its
    /// declared value, when the framer rebinds it (BOSH: an httpbind `<body/>`'s
    /// unqualified stanzas are `jabber:client`); `None` otherwise.
    pub(crate) default_override: Option<&'static str>,
    /// The reduced header's pieces for owned copies of the stanzas under this header
    /// (`reduced.rs`), made by [`make_reduced`](Self::make_reduced); unmade whenever the
    /// tree is replaced, so that they always belong to the header stored now.
    reduced: Pieces,
}

impl StoredTree {
    /// Replaces the contents with a copy of `bytes` and `tree`. Copies (rather than
    /// swapping storage with the builder) so that both keep their grown storage: no
    /// allocation per stream restart once both have grown.
    pub(crate) fn store(&mut self, bytes: &str, tree: &Tree) {
        self.default_override = None;
        self.reduced.made = false;
        self.bytes.clear();
        self.bytes.push_str(bytes);
        self.tree.nodes.clear();
        self.tree.nodes.extend_from_slice(&tree.nodes);
        self.tree.attrs.clear();
        self.tree.attrs.extend_from_slice(&tree.attrs);
    }

    /// The root element, reading namespace names from `store`'s table and decoding into
    /// `arena`.
    pub(crate) fn root<'a>(&'a self, store: Store<'a>, arena: &'a Bump) -> Element<'a> {
        TreeRef {
            src: &self.bytes,
            store: store.with_tree(&self.tree),
            arena,
        }
        .root()
    }

    /// Whether a tree is stored.
    #[inline]
    pub(crate) fn is_present(&self) -> bool {
        !self.tree.nodes.is_empty()
    }

    /// The qualified name of the root element as written ("" when nothing is stored).
    pub(crate) fn root_qname(&self) -> &[u8] {
        match self.tree.nodes.first() {
            Some(n) => self
                .bytes
                .as_bytes()
                .get(1..1 + n.name_len as usize)
                .unwrap_or(b""),
            None => b"",
        }
    }

    /// Makes the reduced header's pieces of the header stored now (the parser, when it
    /// lends the header's event), reading namespace names from `table` and decoding into
    /// `arena`; no allocation.
    pub(crate) fn make_reduced(&mut self, table: &NsTable, arena: &Bump) {
        let mut pieces = core::mem::take(&mut self.reduced);
        let first = self.tree.nodes.first().map_or(0, |n| n.attrs);
        let h = self.root(Store::Parser(&self.tree, table), arena);
        let rebound = self.default_override.is_some();
        pieces.make(&h, first, rebound, |i| self.raw_value(i));
        self.reduced = pieces;
    }

    /// The reduced header's pieces of the header stored now, if made.
    pub(crate) fn reduced(&self) -> Option<&Pieces> {
        let p = &self.reduced;
        (p.made && self.default_override.is_none()).then_some(p)
    }

    /// The value of attribute record `i` as written.
    pub(crate) fn raw_value(&self, i: u32) -> Option<&str> {
        let a = self.tree.attrs.get(i as usize)?;
        let end = a.value_start.checked_add(a.value_len)?;
        self.bytes.get(a.value_start as usize..end as usize)
    }

    /// The prefix declaration record `i` declares (`None`: the default namespace) and its
    /// value as written.
    pub(crate) fn raw_decl(&self, i: u32) -> Option<(Option<&str>, &str)> {
        let a = self.tree.attrs.get(i as usize)?;
        let prefix = match a.prefix_len {
            0 => None,
            len => {
                let start = a.name_start.checked_add(len + 1)?;
                let end = a.name_start.checked_add(a.name_len)?;
                Some(self.bytes.get(start as usize..end as usize)?)
            }
        };
        Some((prefix, self.raw_value(i)?))
    }

    pub(crate) fn clear(&mut self) {
        self.default_override = None;
        self.reduced.made = false;
        self.bytes.clear();
        self.tree.clear();
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.tree.heap_bytes()
    }

    pub(crate) fn shrink(&mut self) {
        self.bytes.shrink_to_fit();
        self.tree.shrink();
    }
}

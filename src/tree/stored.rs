//! Trees copied out of the input buffer, so that they outlive the event that lent them:
//! [`StoredTree`], the stream header a parser keeps for its stanzas (its namespace ids
//! refer to the parser's table), and [`StoredStanza`], what an owned stanza holds (a
//! stanza with its reduced header and a namespace table of its own).

use super::names::NsTable;
use super::records::{AttrRec, NodeRec, Tree, NONE};
use super::view::{Element, TreeRef};
use bumpalo::Bump;

/// A tree's bytes (offsets in its records are relative to `bytes[0]`) and records.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoredTree {
    pub(crate) bytes: String,
    pub(crate) tree: Tree,
}

impl StoredTree {
    /// Replaces the contents with a copy of `bytes` and `tree`. Copies (rather than
    /// swapping storage with the builder) so that both keep their grown storage: no
    /// allocation per stream restart once both have grown.
    pub(crate) fn store(&mut self, bytes: &str, tree: &Tree) {
        self.bytes.clear();
        self.bytes.push_str(bytes);
        self.tree.nodes.clear();
        self.tree.nodes.extend_from_slice(&tree.nodes);
        self.tree.attrs.clear();
        self.tree.attrs.extend_from_slice(&tree.attrs);
    }

    /// The root element, reading namespace names from `ns` and decoding into `arena`.
    pub(crate) fn root<'a>(&'a self, ns: &'a NsTable, arena: &'a Bump) -> Element<'a> {
        TreeRef {
            src: &self.bytes,
            tree: &self.tree,
            ns,
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

    pub(crate) fn clear(&mut self) {
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

/// A stanza's bytes and records followed by those of its reduced header, with a
/// namespace table of its own (see [`OwnedStanza`](crate::OwnedStanza), which fills it).
#[derive(Debug, Clone)]
pub(crate) struct StoredStanza {
    /// The stanza's bytes, then the reduced header's start tag.
    pub(crate) bytes: String,
    /// The stanza's records, then the reduced header's.
    pub(crate) tree: Tree,
    pub(crate) ns: NsTable,
    pub(crate) stanza_len: u32,
    pub(crate) stanza_nodes: u32,
    pub(crate) stanza_attrs: u32,
    /// Node index of the reduced header, or `NONE`.
    pub(crate) scope: u32,
    /// Whether the reduced header encloses the stanza (it stands for a stream header,
    /// whose declarations are in scope) rather than a WebSocket `<open/>`.
    pub(crate) encloses: bool,
    /// Stream offset the stanza was read at.
    pub(crate) offset: u64,
}

impl Default for StoredStanza {
    fn default() -> Self {
        StoredStanza::new(String::new(), Tree::default(), NsTable::default())
    }
}

impl StoredStanza {
    /// Empty, over the given storage (for a copy to fill without growing it).
    pub(crate) fn new(bytes: String, tree: Tree, ns: NsTable) -> Self {
        StoredStanza {
            bytes,
            tree,
            ns,
            stanza_len: 0,
            stanza_nodes: 0,
            stanza_attrs: 0,
            scope: NONE,
            encloses: false,
            offset: 0,
        }
    }

    /// The stanza's tree, decoding text into `arena`.
    pub(crate) fn tree_in<'a>(&'a self, arena: &'a Bump) -> TreeRef<'a> {
        TreeRef {
            src: &self.bytes[..self.stanza_len as usize],
            tree: &self.tree,
            ns: &self.ns,
            arena,
        }
    }

    /// The root element, decoding text into `arena`.
    pub(crate) fn root_in<'a>(&'a self, arena: &'a Bump) -> Element<'a> {
        self.tree_in(arena).root()
    }

    /// The reduced header, decoding text into `arena`.
    pub(crate) fn reduced_header_in<'a>(&'a self, arena: &'a Bump) -> Option<Element<'a>> {
        (self.scope != NONE).then(|| {
            TreeRef {
                src: &self.bytes[self.stanza_len as usize..],
                tree: &self.tree,
                ns: &self.ns,
                arena,
            }
            .element(self.scope)
        })
    }

    /// The records of the stanza (the reduced header's follow them).
    pub(crate) fn stanza_records(&self) -> (&[NodeRec], &[AttrRec]) {
        (
            &self.tree.nodes[..self.stanza_nodes as usize],
            &self.tree.attrs[..self.stanza_attrs as usize],
        )
    }
}

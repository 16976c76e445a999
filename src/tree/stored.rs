//! A tree copied out of the input buffer: its bytes and records, so that it outlives the
//! event that lent it (the stream header a parser keeps for its stanzas; the parts of an
//! owned stanza). Namespace ids keep referring to the table the records were built with.

use super::Tree;

/// A tree's bytes (offsets in its records are relative to `bytes[0]`) and records.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoredTree {
    pub(crate) bytes: Vec<u8>,
    pub(crate) tree: Tree,
}

impl StoredTree {
    /// Replaces the contents with a copy of `bytes` and `tree`. Copies (rather than
    /// swapping storage with the builder) so that both keep their grown storage: no
    /// allocation per stream restart once both have grown.
    pub(crate) fn store(&mut self, bytes: &[u8], tree: &Tree) {
        self.bytes.clear();
        self.bytes.extend_from_slice(bytes);
        self.tree.nodes.clear();
        self.tree.nodes.extend_from_slice(&tree.nodes);
        self.tree.attrs.clear();
        self.tree.attrs.extend_from_slice(&tree.attrs);
    }

    /// Whether a tree is stored.
    #[inline]
    pub(crate) fn is_present(&self) -> bool {
        !self.tree.nodes.is_empty()
    }

    /// The qualified name of the root element as written ("" when nothing is stored).
    pub(crate) fn root_qname(&self) -> &[u8] {
        match self.tree.nodes.first() {
            Some(n) => self.bytes.get(1..1 + n.name_len as usize).unwrap_or(b""),
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

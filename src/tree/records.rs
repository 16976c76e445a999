//! The records of one framed tree: flat records of elements, text runs and attributes,
//! with offsets relative to the tree's first byte. Storage only; built by the
//! [`Builder`](super::Builder), read by the views.

/// "No node" in links.
pub(crate) const NONE: u32 = u32::MAX;

/// An element or a text run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NodeRec {
    /// `true` for elements, `false` for text runs.
    pub is_element: bool,
    /// Text: `F_*` decoding flags of the run.
    pub flags: u8,
    /// Element: offset of `<`; text: offset of its first byte.
    pub start: u32,
    /// Element: offset after the `>` that ends it; text: offset after its last byte.
    pub end: u32,
    /// Element: length of the qualified name (which starts at `start + 1`).
    pub name_len: u32,
    /// Element: length of the prefix, 0 when unprefixed.
    pub prefix_len: u32,
    /// Element: namespace id in the tree's namespace table.
    pub ns: u32,
    /// Element: index of its first attribute in [`Tree::attrs`] and how many it has
    /// (namespace declarations included).
    pub attrs: u32,
    pub attr_count: u32,
    /// Element: first child node, or [`NONE`].
    pub first_child: u32,
    /// Next sibling node, or [`NONE`].
    pub next_sibling: u32,
}

/// One attribute (namespace declarations included, flagged by `is_decl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AttrRec {
    pub name_start: u32,
    pub name_len: u32,
    /// Length of the prefix, 0 when unprefixed.
    pub prefix_len: u32,
    pub value_start: u32,
    pub value_len: u32,
    /// Namespace id (0, no namespace, for unprefixed attributes and declarations).
    pub ns: u32,
    /// `F_REF` / `F_WS` decoding flags of the raw value.
    pub flags: u8,
    /// `xmlns` or `xmlns:p`.
    pub is_decl: bool,
}

/// The records of one tree; node 0 is its root element.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tree {
    pub nodes: Vec<NodeRec>,
    pub attrs: Vec<AttrRec>,
}

impl Tree {
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.attrs.clear();
    }

    /// Heap bytes held by the tree's storage.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * core::mem::size_of::<NodeRec>()
            + self.attrs.capacity() * core::mem::size_of::<AttrRec>()
    }

    pub(crate) fn shrink(&mut self) {
        self.nodes.shrink_to_fit();
        self.attrs.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_stay_small() {
        assert!(core::mem::size_of::<NodeRec>() <= 44);
        assert!(core::mem::size_of::<AttrRec>() <= 28);
    }
}

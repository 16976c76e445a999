//! The tree builder: appends the records of one tree as the framer reports its tokens,
//! links every node to its parent's children, and tracks the open elements. It enforces
//! nothing (limits and nesting rules are the framer's, names the resolver's).

use super::names::NS_NONE;
use super::records::{AttrRec, NodeRec, Tree, NONE};

/// An open element of the tree being built.
#[derive(Debug, Clone, Copy)]
struct Open {
    node: u32,
    last_child: u32,
}

/// Builds one [`Tree`] at a time (see the module docs). Buffer indices passed in are
/// stored relative to the tree's origin (the buffer index of its `<`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Builder {
    /// The records built so far (read by the views once the tree is complete).
    pub(crate) tree: Tree,
    /// A `Vec` rather than a `SmallVec`: it is touched for every element, and
    /// `SmallVec`'s inline/heap check showed in profiles; it is reused, so it allocates
    /// only while growing.
    stack: Vec<Open>,
    /// Buffer index of the tree's `<`.
    origin: usize,
    /// The element whose start tag is being read.
    cur: u32,
    /// Index in `tree.attrs` of its first attribute: its attributes so far are
    /// `tree.attrs[cur_attrs..]`, and its record's `attr_count` is written once, by
    /// [`seal_current`](Self::seal_current) (not once per attribute: issue 11).
    cur_attrs: usize,
}

impl Builder {
    /// Starts a new tree whose `<` is at buffer index `origin`.
    #[inline]
    pub(crate) fn begin(&mut self, origin: usize) {
        self.origin = origin;
        self.tree.clear();
        self.stack.clear();
        self.cur = NONE;
    }

    /// Forgets the tree being built, keeping storage.
    pub(crate) fn clear(&mut self) {
        self.tree.clear();
        self.stack.clear();
        self.cur = NONE;
    }

    /// The buffer moved `k` bytes towards its start.
    pub(crate) fn shift(&mut self, k: usize) {
        self.origin = self.origin.saturating_sub(k);
    }

    /// Buffer index of the tree's first byte.
    #[inline]
    pub(crate) fn origin(&self) -> usize {
        self.origin
    }

    #[inline]
    fn rel(&self, i: usize) -> u32 {
        (i - self.origin) as u32
    }

    /// Open elements.
    #[inline]
    pub(crate) fn depth(&self) -> usize {
        self.stack.len()
    }

    /// Records (elements, text runs and attributes) in the tree.
    #[inline]
    pub(crate) fn records(&self) -> usize {
        self.tree.nodes.len() + self.tree.attrs.len()
    }

    /// Appends an element whose `<` is at `lt`, as the next child of the innermost open
    /// element; it becomes the current element (the one attributes are added to).
    #[inline]
    pub(crate) fn start_element(&mut self, lt: usize, name_len: usize, prefix_len: usize) {
        let idx = self.tree.nodes.len() as u32;
        self.tree.nodes.push(NodeRec {
            is_element: true,
            flags: 0,
            start: self.rel(lt),
            end: 0,
            name_len: name_len as u32,
            prefix_len: prefix_len as u32,
            ns: NS_NONE,
            attrs: self.tree.attrs.len() as u32,
            attr_count: 0,
            first_child: NONE,
            next_sibling: NONE,
        });
        self.link(idx);
        self.cur = idx;
        self.cur_attrs = self.tree.attrs.len();
    }

    /// Node index of the current element.
    #[inline]
    pub(crate) fn current(&self) -> u32 {
        self.cur
    }

    /// Attributes of the current element so far.
    #[inline]
    pub(crate) fn attr_count(&self) -> usize {
        self.tree.attrs.len().saturating_sub(self.cur_attrs)
    }

    /// The current element's start tag is complete: writes its attribute count into its
    /// record (before anything reads the record's attributes).
    /// Seals the current element's attribute count and lends its record and its attributes' records, found once for the resolver
    /// (which read and wrote the record by index three times; issue 11). `None` when
    /// there is no current element.
    #[inline]
    pub(crate) fn seal_current(&mut self) -> Option<(&mut NodeRec, &mut [AttrRec])> {
        let first = self.cur_attrs;
        let Tree { nodes, attrs } = &mut self.tree;
        let attrs = attrs.get_mut(first..)?;
        let node = nodes.get_mut(self.cur as usize)?;
        node.attr_count = attrs.len() as u32;
        Some((node, attrs))
    }

    /// Appends an attribute of the current element (`name` and `value` are buffer
    /// ranges; `flags` the scanner's decoding flags of the value).
    #[inline]
    pub(crate) fn attribute(
        &mut self,
        name: (usize, usize),
        value: (usize, usize),
        prefix_len: u32,
        flags: u8,
        is_decl: bool,
    ) {
        self.tree.attrs.push(AttrRec {
            name_start: self.rel(name.0),
            name_len: (name.1 - name.0) as u32,
            prefix_len,
            value_start: self.rel(value.0),
            value_len: (value.1 - value.0) as u32,
            ns: NS_NONE,
            flags,
            is_decl,
        });
    }

    /// The current element's start tag ended at buffer index `end` and its content
    /// follows: it becomes the innermost open element.
    #[inline]
    pub(crate) fn open_current(&mut self) {
        self.stack.push(Open {
            node: self.cur,
            last_child: NONE,
        });
    }

    /// The current element is complete at `end` without being opened (the stream
    /// header: a start tag read as a tree of its own).
    pub(crate) fn end_current(&mut self, end: usize) {
        let end = self.rel(end);
        self.tree.nodes[self.cur as usize].end = end;
    }

    /// The innermost open element ended at buffer index `end` (after its `>`).
    #[inline]
    pub(crate) fn close(&mut self, end: usize) {
        let end = self.rel(end);
        if let Some(open) = self.stack.pop() {
            self.tree.nodes[open.node as usize].end = end;
        }
    }

    /// The qualified name of the innermost open element, from the buffer.
    /// Where the qualified name of the innermost open element lies in the buffer: its
    /// start and length.
    #[inline]
    pub(crate) fn open_name(&self) -> Option<(usize, usize)> {
        let n = self.tree.nodes.get(self.stack.last()?.node as usize)?;
        Some((self.origin + n.start as usize + 1, n.name_len as usize))
    }

    /// Appends a run of character data from buffer index `start` to `end`.
    #[inline]
    pub(crate) fn text(&mut self, start: usize, end: usize, flags: u8) {
        let idx = self.tree.nodes.len() as u32;
        self.tree.nodes.push(NodeRec {
            is_element: false,
            flags,
            start: self.rel(start),
            end: self.rel(end),
            name_len: 0,
            prefix_len: 0,
            ns: NS_NONE,
            attrs: 0,
            attr_count: 0,
            first_child: NONE,
            next_sibling: NONE,
        });
        self.link(idx);
    }

    /// Makes node `idx` the last child of the innermost open element.
    #[inline]
    fn link(&mut self, idx: u32) {
        if let Some(top) = self.stack.last_mut() {
            if top.last_child == NONE {
                self.tree.nodes[top.node as usize].first_child = idx;
            } else {
                self.tree.nodes[top.last_child as usize].next_sibling = idx;
            }
            top.last_child = idx;
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.tree.heap_bytes() + self.stack.capacity() * core::mem::size_of::<Open>()
    }

    /// Gives back grown storage (between trees only).
    pub(crate) fn shrink(&mut self) {
        self.tree.clear();
        self.tree.shrink();
        self.stack.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_linked_in_order() {
        // <a x='1'>t<b/><c>u</c></a> at buffer index 10.
        let mut b = Builder::default();
        b.begin(10);
        b.start_element(10, 1, 0);
        b.attribute((13, 14), (16, 17), 0, 0, false);
        assert_eq!(b.attr_count(), 1);
        assert_eq!(
            b.seal_current().map(|(n, a)| (n.attr_count, a.len())),
            Some((1, 1))
        );
        b.open_current();
        b.text(19, 20, 0);
        b.start_element(20, 1, 0);
        b.open_current();
        b.close(24);
        b.start_element(24, 1, 0);
        b.open_current();
        b.text(27, 28, 0);
        assert_eq!(b.open_name(), Some((25, 1)));
        b.close(32);
        b.close(36);
        assert_eq!(b.depth(), 0);
        assert_eq!(b.records(), 6);
        let t = &b.tree;
        let a = t.nodes[0];
        assert_eq!((a.start, a.end, a.attr_count), (0, 26, 1));
        let kids: Vec<u32> = core::iter::successors(Some(a.first_child), |&k| {
            Some(t.nodes[k as usize].next_sibling).filter(|&n| n != NONE)
        })
        .collect();
        assert_eq!(kids, [1, 2, 3]);
        assert_eq!(t.nodes[3].first_child, 4);
        assert_eq!(t.attrs[0].value_start, 6);
    }
}

//! The stack of in-scope `xmlns:prefix` bindings (the prefix text lives in the namespace
//! table's storage).

use crate::tree::NsTable;
use smallvec::SmallVec;

/// One `xmlns:prefix` binding in scope. The prefix text lives in the table's text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Binding {
    prefix: (u32, u32),
    ns: u32,
}

/// The stack of in-scope prefixed bindings; default namespaces are tracked by the
/// resolver per open element.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bindings {
    stack: SmallVec<[Binding; 8]>,
}

impl Bindings {
    pub(crate) fn len(&self) -> usize {
        self.stack.len()
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        self.stack.truncate(len);
    }

    /// Binds `prefix` (stored in `table`) to namespace id `ns`.
    pub(crate) fn push(&mut self, table: &mut NsTable, prefix: &str, ns: u32) {
        let start = table.text.len() as u32;
        table.text.push_str(prefix);
        self.stack.push(Binding {
            prefix: (start, prefix.len() as u32),
            ns,
        });
    }

    /// The namespace id bound to `prefix`, innermost first; `None` when unbound.
    /// (`xml` is fixed and handled by the caller.)
    #[inline]
    pub(crate) fn lookup(&self, table: &NsTable, prefix: &[u8]) -> Option<u32> {
        self.stack.iter().rev().find_map(|b| {
            let p = table
                .text
                .as_bytes()
                .get(b.prefix.0 as usize..(b.prefix.0 + b.prefix.1) as usize)?;
            (p == prefix).then_some(b.ns)
        })
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        if self.stack.spilled() {
            self.stack.capacity() * core::mem::size_of::<Binding>()
        } else {
            0
        }
    }

    pub(crate) fn shrink(&mut self) {
        self.stack.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{NS_NONE, NS_XML, STREAMS_NS, XML_NS};

    #[test]
    fn table_and_bindings_scope() {
        let mut t = NsTable::default();
        assert_eq!(t.get(NS_NONE), "");
        assert_eq!(t.get(NS_XML), XML_NS);
        let mut b = Bindings::default();
        let s = t.push(STREAMS_NS);
        b.push(&mut t, "stream", s);
        let mark = t.mark();
        let blen = b.len();
        let x = t.push("urn:x");
        b.push(&mut t, "x", x);
        b.push(&mut t, "stream", x);
        assert_eq!(b.lookup(&t, b"stream"), Some(x));
        assert_eq!(b.lookup(&t, b"x"), Some(x));
        b.truncate(blen);
        t.truncate(mark);
        assert_eq!(b.lookup(&t, b"stream"), Some(s));
        assert_eq!(b.lookup(&t, b"x"), None);
        assert_eq!(t.get(s), STREAMS_NS);
        assert_eq!(t.get(99), "");
        t.reset();
        assert_eq!(t.get(s), "");
    }
}

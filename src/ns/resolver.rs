//! The namespace resolver: splits qualified names, processes `xmlns` declarations into
//! scoped bindings, resolves every element and attribute prefix to a namespace id in the
//! tree's records, enforces the reserved names (`xml`, `xmlns` and their namespaces) and
//! the uniqueness of attributes by qualified and by expanded name.
//!
//! The framer calls it per token: [`Resolver::start_element`] at a start tag's name,
//! [`Resolver::attribute_name`] per attribute, [`Resolver::resolve_start_tag`] once the
//! start tag is complete, [`Resolver::end_element`] when the element closes. Bindings made
//! on the stream header stay in scope for every stanza ([`Resolver::seal_stream`]);
//! everything a stanza declares is dropped when the next one begins.

use super::bindings::Bindings;
use super::duplicates::{first_duplicate, fnv1a, Scratch};
use crate::decode::decode_attr;
use crate::error::{err, Error, ErrorKind};
use crate::limits::Limit;
use crate::tree::{AttrRec, NsTable, Tree, NS_NONE, NS_XML, XMLNS_NS, XML_NS};

/// Splits a qualified name: the length of its prefix (0 when unprefixed), or `Err` when
/// it is not a `QName` (Namespaces in XML 1.0, section 4: `QName ::= PrefixedName |
/// UnprefixedName`, both parts `NCName`s).
#[inline]
pub(crate) fn split_qname(name: &[u8]) -> Result<usize, ()> {
    // Names are short: a plain loop beats a memchr call here.
    match name.iter().position(|&b| b == b':') {
        None => Ok(0),
        Some(p) => {
            if p == 0 || p + 1 == name.len() || name[p + 1..].contains(&b':') {
                Err(())
            } else {
                Ok(p)
            }
        }
    }
}

/// What an attribute's qualified name is (see [`Resolver::attribute_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AttrName {
    /// Length of the prefix, 0 when unprefixed.
    pub prefix_len: u32,
    /// `xmlns` or `xmlns:p`: a namespace declaration.
    pub is_decl: bool,
}

/// The namespace context of one open element.
#[derive(Debug, Clone, Copy)]
struct Scope {
    default_ns: u32,
    bindings_len: u32,
}

/// The resolver state (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Resolver {
    /// Namespace names the records' ids refer to (read by the views).
    pub(crate) table: NsTable,
    bindings: Bindings,
    /// One entry per open element of the current tree.
    scopes: Vec<Scope>,
    /// Table and bindings as they stand after the stream header, and its default.
    stream_mark: (usize, usize),
    stream_bindings: usize,
    stream_default: u32,
    /// Declarations and prefixed attributes of the start tag being read.
    decls: u32,
    prefixed: u32,
    max_bindings: usize,
    scratch: Scratch,
}

impl Resolver {
    /// A resolver allowing at most `max_bindings` prefixed bindings in scope.
    pub(crate) fn new(max_bindings: usize) -> Self {
        let table = NsTable::default();
        Resolver {
            stream_mark: table.mark(),
            table,
            bindings: Bindings::default(),
            scopes: Vec::new(),
            stream_bindings: 0,
            stream_default: NS_NONE,
            decls: 0,
            prefixed: 0,
            max_bindings,
            scratch: Vec::new(),
        }
    }

    /// Allows at most `max_bindings` prefixed bindings in scope from now on.
    pub(crate) fn set_max_bindings(&mut self, max_bindings: usize) {
        self.max_bindings = max_bindings;
    }

    /// Forgets the stream (header bindings included), keeping storage.
    pub(crate) fn restart(&mut self) {
        self.table.reset();
        self.bindings.truncate(0);
        self.scopes.clear();
        self.stream_mark = self.table.mark();
        self.stream_bindings = 0;
        self.stream_default = NS_NONE;
    }

    /// A new stanza (or document root) begins: drops what the previous one declared.
    pub(crate) fn begin_stanza(&mut self) {
        self.table.truncate(self.stream_mark);
        self.bindings.truncate(self.stream_bindings);
        self.scopes.clear();
    }

    /// The start tag just resolved is the stream header: its bindings and default
    /// namespace stay in scope for the whole stream. With `rebind = Some((from, to))`, a
    /// header default namespace `from` is read as `to` by the elements that inherit it
    /// (BOSH: unqualified stanzas in an httpbind `<body/>` are `jabber:client`).
    /// Returns the namespace name read instead when `rebind` applied.
    pub(crate) fn seal_stream(
        &mut self,
        rebind: Option<(&'static str, &'static str)>,
    ) -> Option<&'static str> {
        let mut rebound = None;
        if let Some(s) = self.scopes.pop() {
            self.stream_default = s.default_ns;
        }
        if let Some((from, to)) = rebind {
            if self.table.get(self.stream_default) == from {
                let start = self.table.text_mut().len();
                self.table.text_mut().push_str(to);
                self.stream_default = self.table.seal_from(start);
                rebound = Some(to);
            }
        }
        self.stream_mark = self.table.mark();
        self.stream_bindings = self.bindings.len();
        rebound
    }

    /// A start tag's name was read: `Err` when it is not a `QName`, else its prefix
    /// length.
    #[inline]
    pub(crate) fn start_element(&mut self, qname: &[u8]) -> Result<usize, ()> {
        self.decls = 0;
        self.prefixed = 0;
        split_qname(qname)
    }

    /// Classifies one attribute name of the current start tag; `Err` when it is not a
    /// `QName`.
    #[inline]
    pub(crate) fn attribute_name(&mut self, qname: &[u8]) -> Result<AttrName, ()> {
        let plen = split_qname(qname)?;
        let is_decl = qname == b"xmlns" || (plen == 5 && qname.starts_with(b"xmlns"));
        if is_decl {
            self.decls += 1;
        } else if plen > 0 {
            self.prefixed += 1;
        }
        Ok(AttrName {
            prefix_len: plen as u32,
            is_decl,
        })
    }

    /// Namespace declarations on the current start tag so far.
    #[inline]
    pub(crate) fn declarations(&self) -> usize {
        self.decls as usize
    }

    /// The current start tag (element `node` of `tree`, offsets relative to `origin` in
    /// `buf`) is complete: checks attribute uniqueness by qualified name, processes its
    /// declarations, resolves the element's and attributes' prefixes (writing the ids
    /// into the records) and checks uniqueness by expanded name. The element's scope is
    /// entered; [`end_element`](Self::end_element) leaves it. `header`: the stream
    /// header (its namespace names are kept for the stream, never cached).
    pub(crate) fn resolve_start_tag(
        &mut self,
        buf: &[u8],
        origin: usize,
        tree: &mut Tree,
        node: u32,
        header: bool,
    ) -> Result<(), Error> {
        let n = tree.nodes[node as usize];
        let first = n.attrs as usize;
        let lt = origin + n.start as usize;
        self.check_unique_qnames(buf, origin, &tree.attrs[first..])?;
        let bindings_len = self.bindings.len() as u32;
        let default_ns = self.declare(buf, origin, &tree.attrs[first..], header)?;
        let ns = if n.prefix_len == 0 {
            default_ns
        } else {
            let prefix = &buf[lt + 1..lt + 1 + n.prefix_len as usize];
            if prefix == b"xmlns" {
                return err(ErrorKind::ReservedPrefix, lt + 1);
            }
            match self.lookup(prefix) {
                Some(ns) => ns,
                None => return err(ErrorKind::UnboundPrefix, lt),
            }
        };
        tree.nodes[node as usize].ns = ns;
        self.scopes.push(Scope {
            default_ns,
            bindings_len,
        });
        if self.prefixed > 0 {
            self.resolve_attributes(buf, origin, &mut tree.attrs[first..])?;
        }
        Ok(())
    }

    /// The innermost open element closed: its bindings go out of scope.
    #[inline]
    pub(crate) fn end_element(&mut self) {
        if let Some(s) = self.scopes.pop() {
            self.bindings.truncate(s.bindings_len as usize);
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.table.heap_bytes()
            + self.bindings.heap_bytes()
            + self.scratch.capacity() * core::mem::size_of::<(u64, u32)>()
            + self.scopes.capacity() * core::mem::size_of::<Scope>()
    }

    /// Gives back storage beyond what the stream header needs (between stanzas only).
    pub(crate) fn shrink(&mut self) {
        self.scratch = Vec::new();
        self.scopes = Vec::new();
        self.table.truncate(self.stream_mark);
        self.table.clear_cache();
        self.bindings.truncate(self.stream_bindings);
        self.table.shrink();
        self.bindings.shrink();
    }

    /// The namespace id bound to `prefix` (`xml` is fixed), `None` when unbound.
    #[inline]
    fn lookup(&self, prefix: &[u8]) -> Option<u32> {
        if prefix == b"xml" {
            return Some(NS_XML);
        }
        self.bindings.lookup(&self.table, prefix)
    }

    fn current_default(&self) -> u32 {
        self.scopes
            .last()
            .map_or(self.stream_default, |s| s.default_ns)
    }

    /// XML 1.0 WFC "Unique Att Spec": no qualified name twice on one start tag.
    fn check_unique_qnames(
        &mut self,
        buf: &[u8],
        origin: usize,
        attrs: &[AttrRec],
    ) -> Result<(), Error> {
        let name = |j: usize| {
            let a = &attrs[j];
            let s = origin + a.name_start as usize;
            &buf[s..s + a.name_len as usize]
        };
        match first_duplicate(attrs.len(), name, |k| fnv1a(k), &mut self.scratch) {
            Some(j) => err(
                ErrorKind::DuplicateAttribute,
                origin + attrs[j].name_start as usize,
            ),
            None => Ok(()),
        }
    }

    /// Processes the declarations among `attrs`; returns the element's default namespace.
    fn declare(
        &mut self,
        buf: &[u8],
        origin: usize,
        attrs: &[AttrRec],
        header: bool,
    ) -> Result<u32, Error> {
        let mut default_ns = self.current_default();
        if self.decls == 0 {
            return Ok(default_ns);
        }
        for a in attrs.iter().filter(|a| a.is_decl) {
            let at = origin + a.name_start as usize;
            let vs = origin + a.value_start as usize;
            let raw = &buf[vs..vs + a.value_len as usize];
            let name = &buf[at..at + a.name_len as usize];
            let prefix = (a.prefix_len != 0).then(|| &name[6..]);
            if prefix == Some(b"xmlns") {
                return err(ErrorKind::ReservedPrefix, at);
            }
            // Namespace names seen before in stanzas come from the cache (never reserved
            // ones, never empty); the header's stay in the per-stream part of the table.
            let cached = if a.flags == 0 && !header {
                self.table.cached(raw)
            } else {
                None
            };
            let id = match cached {
                Some(id) => {
                    if prefix == Some(b"xml") {
                        return err(ErrorKind::ReservedPrefix, at);
                    }
                    id
                }
                None => {
                    let text = self.table.text_mut();
                    let start = text.len();
                    if a.flags == 0 {
                        text.push_str(core::str::from_utf8(raw).unwrap_or(""));
                    } else {
                        decode_attr(raw, text);
                    }
                    let uri = &text[start..];
                    let (is_xml_ns, is_xmlns_ns, empty) =
                        (uri == XML_NS, uri == XMLNS_NS, uri.is_empty());
                    match prefix {
                        Some(b"xml") if is_xml_ns => {
                            text.truncate(start);
                            continue;
                        }
                        Some(b"xml") => return err(ErrorKind::ReservedPrefix, at),
                        _ if is_xml_ns || is_xmlns_ns => {
                            return err(ErrorKind::ReservedNamespace, at)
                        }
                        Some(_) if empty => return err(ErrorKind::EmptyPrefixBinding, at),
                        None if empty => {
                            default_ns = NS_NONE;
                            continue;
                        }
                        _ => {}
                    }
                    if header {
                        self.table.seal_from(start)
                    } else {
                        self.table.cache_or_seal(start)
                    }
                }
            };
            match prefix {
                None => default_ns = id,
                Some(p) => {
                    if self.bindings.len() >= self.max_bindings {
                        return err(ErrorKind::LimitExceeded(Limit::NamespaceBindings), at);
                    }
                    let p = core::str::from_utf8(p).unwrap_or("");
                    self.bindings.push(&mut self.table, p, id);
                }
            }
        }
        Ok(default_ns)
    }

    /// Resolves the prefixed attributes among `attrs` and checks Namespaces in XML 1.0
    /// section 6.3: no expanded name twice on one start tag.
    fn resolve_attributes(
        &mut self,
        buf: &[u8],
        origin: usize,
        attrs: &mut [AttrRec],
    ) -> Result<(), Error> {
        let mut prefixed: smallvec::SmallVec<[u32; 8]> = smallvec::SmallVec::new();
        for (k, a) in attrs.iter_mut().enumerate() {
            if a.is_decl || a.prefix_len == 0 {
                continue;
            }
            let at = origin + a.name_start as usize;
            match self.lookup(&buf[at..at + a.prefix_len as usize]) {
                Some(ns) => a.ns = ns,
                None => return err(ErrorKind::UnboundPrefix, at),
            }
            prefixed.push(k as u32);
        }
        if prefixed.len() < 2 {
            return Ok(());
        }
        let attrs = &*attrs;
        let table = &self.table;
        let expanded = |j: usize| {
            let a = &attrs[prefixed[j] as usize];
            let s = origin + (a.name_start + a.prefix_len + 1) as usize;
            let local = &buf[s..origin + (a.name_start + a.name_len) as usize];
            (local, table.get(a.ns))
        };
        let hash = |k: &(&[u8], &str)| fnv1a(k.0) ^ fnv1a(k.1.as_bytes()).rotate_left(17);
        match first_duplicate(prefixed.len(), expanded, hash, &mut self.scratch) {
            Some(j) => err(
                ErrorKind::DuplicateAttribute,
                origin + attrs[prefixed[j] as usize].name_start as usize,
            ),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_names_split_once() {
        assert_eq!(split_qname(b"message"), Ok(0));
        assert_eq!(split_qname(b"stream:features"), Ok(6));
        for bad in [&b":a"[..], b"a:", b"a:b:c", b":"] {
            assert_eq!(split_qname(bad), Err(()), "{bad:?}");
        }
    }

    #[test]
    fn declarations_are_recognised_by_name() {
        let mut r = Resolver::new(8);
        assert_eq!(r.start_element(b"a"), Ok(0));
        let decl = |prefix_len| AttrName {
            prefix_len,
            is_decl: true,
        };
        assert_eq!(r.attribute_name(b"xmlns"), Ok(decl(0)));
        assert_eq!(r.attribute_name(b"xmlns:p"), Ok(decl(5)));
        let plain = r.attribute_name(b"xmlnsx").unwrap();
        assert!(!plain.is_decl);
        let prefixed = r.attribute_name(b"xml:lang").unwrap();
        assert_eq!((prefixed.prefix_len, prefixed.is_decl), (3, false));
        assert_eq!(r.declarations(), 2);
        assert_eq!(r.start_element(b"b"), Ok(0));
        assert_eq!(r.declarations(), 0);
    }
}

//! [`Stanza`]: a complete framed element with its exact bytes, its stream offset and its
//! in-scope context: the stored element that stands for the stream root (the stream
//! header, a WebSocket `<open/>`, or the reduced header an owned stanza keeps), whose
//! namespace declarations and `xml:lang` the stanza may inherit.
//!
//! The XMPP reading of a stanza (kind, addressing, types, errors) is added by the
//! [`xmpp`](crate::xmpp) layer as further methods of the same type.

use super::block::Block;
use super::names::XML_NS;
use super::owned::{encloses, reduced_header_in, stanza_records, tree_in};
use super::records::{AttrRec, NodeRec};
use super::stored::StoredTree;
use super::view::{Attribute, Attributes, Element, TreeRef};
use core::fmt;

/// What stands for the stream root of a stanza, whose namespace declarations and
/// `xml:lang` are in scope for it. Small on purpose (a tag and a pointer): it is part of
/// every [`Event`](crate::Event).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Context<'a> {
    /// No stream root: a document, or WebSocket framing before any `<open/>`.
    None,
    /// The live stream header of a parser (its ids refer to the stanza's table).
    Header(&'a StoredTree),
    /// The reduced header an owned stanza keeps (the stanza is that owned stanza).
    Reduced(&'a Block),
    /// The root of an owned element standing beside the stanza: the stored `<open/>` of
    /// WebSocket framing (its declarations are not in scope for the stanza).
    Open(&'a Block),
}

/// A complete stanza: its root element, its exact input bytes and what is in scope for
/// it (see the [module docs](crate::xmpp) for the XMPP accessors).
#[derive(Clone, Copy)]
pub struct Stanza<'a> {
    tree: TreeRef<'a>,
    offset: u64,
    context: Context<'a>,
}

impl<'a> Stanza<'a> {
    /// A stanza over `tree` read at stream offset `offset`.
    pub(crate) fn new(tree: TreeRef<'a>, offset: u64, context: Context<'a>) -> Self {
        Stanza {
            tree,
            offset,
            context,
        }
    }

    /// The same stanza read in another context.
    pub(crate) fn with_context(self, context: Context<'a>) -> Self {
        Stanza { context, ..self }
    }

    /// The tree the stanza reads.
    pub(crate) fn tree(&self) -> TreeRef<'a> {
        self.tree
    }

    /// The stanza's element.
    pub fn root(&self) -> Element<'a> {
        self.tree.root()
    }

    /// The exact input bytes of the stanza, from its `<` to its final `>`.
    pub fn raw(&self) -> &'a [u8] {
        self.tree.src.as_bytes()
    }

    /// Byte offset of the stanza's `<` from the start of the stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The element standing for the stream root the stanza was read under, if any: the
    /// `<stream:stream>` start tag, or the WebSocket `<open/>`
    /// ([`StreamHeader::new`](crate::xmpp::StreamHeader::new) reads it). For an
    /// [`OwnedStanza`](crate::OwnedStanza) it is the reduced header it keeps: only the
    /// namespace declarations the stanza inherits and `xml:lang`, no `to`/`from`/`id`.
    /// `None` in [`Mode::Document`](crate::Mode::Document).
    pub fn header(&self) -> Option<Element<'a>> {
        let arena = self.tree.arena;
        match self.context {
            Context::None => None,
            Context::Header(h) => Some(h.root(self.tree.store, arena)),
            Context::Reduced(o) => reduced_header_in(o, arena),
            Context::Open(o) => Some(tree_in(o, arena).root()),
        }
    }

    /// The [`header`](Self::header) when it encloses the stanza (a stream header, whose
    /// namespace declarations are in scope for it), `None` otherwise (no header, or a
    /// WebSocket `<open/>`: each message is a document of its own). A parser's header
    /// always encloses its stanzas: in [`Mode::Stream`](crate::Mode::Stream) it is the
    /// `<stream:stream>`, in [`Mode::AnyRoot`](crate::Mode::AnyRoot) the root whose
    /// declarations the resolver kept in scope (a BOSH `<body/>`, for one); an owned
    /// stanza keeps what its source said.
    pub(crate) fn enclosing_header(&self) -> Option<Element<'a>> {
        match self.context {
            Context::Header(_) => self.header(),
            Context::Reduced(o) if encloses(o) => self.header(),
            _ => None,
        }
    }

    /// The parser's stored stream header the stanza was read under, if any.
    pub(crate) fn stored_header(&self) -> Option<&'a StoredTree> {
        match self.context {
            Context::Header(h) => Some(h),
            _ => None,
        }
    }

    /// The default namespace the stanza inherits for a header whose default declaration
    /// is `declared`: `declared`, unless the framer rebound it when it read the header
    /// (see `StoredTree::default_override`).
    pub(crate) fn effective_default(&self, declared: &'a str) -> &'a str {
        match self.context {
            Context::Header(h) => h.default_override.unwrap_or(declared),
            _ => declared,
        }
    }

    /// The records of the stanza's tree that belong to the stanza (an owned stanza's
    /// tree also holds its reduced header).
    pub(crate) fn records(&self) -> (&'a [NodeRec], &'a [AttrRec]) {
        match self.context {
            Context::Reduced(o) => stanza_records(o),
            _ => (self.tree.store.nodes(), self.tree.store.attrs()),
        }
    }

    /// Every namespace declaration in the stanza, in document order.
    pub(crate) fn declarations(&self) -> impl Iterator<Item = Attribute<'a>> {
        let tree = self.tree;
        self.records()
            .1
            .iter()
            .filter(|r| r.is_decl)
            .map(move |rec| tree.attribute(rec))
    }

    /// Whether some element or attribute name of the stanza is prefixed with `prefix`.
    fn uses_prefix(&self, prefix: &str) -> bool {
        let (nodes, attrs) = self.records();
        let p = prefix.as_bytes();
        let src = self.tree.src.as_bytes();
        let at = |start: u32, len: u32| src.get(start as usize..(start + len) as usize);
        nodes.iter().any(|n| {
            n.is_element
                && n.prefix_len as usize == p.len()
                && at(n.start + 1, n.prefix_len) == Some(p)
        }) || attrs.iter().any(|a| {
            !a.is_decl
                && a.prefix_len as usize == p.len()
                && at(a.name_start, a.prefix_len) == Some(p)
        })
    }

    /// Whether the stanza inherits the enclosing header's declaration of `prefix`, if
    /// the header has one: a name in the stanza uses the prefix and the root does not
    /// declare it itself (`xml` is never inherited: it is bound everywhere).
    pub(crate) fn inherits_prefix(&self, prefix: &str) -> bool {
        prefix != "xml"
            && !self.root().ns_decls().any(|(q, _)| q == Some(prefix))
            && self.uses_prefix(prefix)
    }

    /// The effective language: the root's own `xml:lang`, else the header's.
    pub fn lang(&self) -> Option<&'a str> {
        let root = self.root();
        root.attr(XML_NS, "lang")
            .or_else(|| self.header().and_then(|h| h.attr(XML_NS, "lang")))
    }

    /// The namespace declarations the stanza inherits from the stream header and needs
    /// in order to stand alone, as (prefix, namespace name) with `None` for the default
    /// namespace: the header's default namespace unless the root declares its own, and
    /// each prefix the header binds that a name in the stanza uses and the root does not
    /// declare itself. Empty for WebSocket and document stanzas, which declare their own.
    ///
    /// ```
    /// use xmpp_stream::{Event, Parser};
    /// let mut p = Parser::new();
    /// p.feed(b"<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' \
    ///     xmlns:stream='http://etherx.jabber.org/streams'>\
    ///     <db:result from='a.example' to='b.example'>abc</db:result>");
    /// p.next_event()?;
    /// let Some(Event::Stanza(s)) = p.next_event()? else { panic!() };
    /// let decls: Vec<_> = s.inherited_namespaces().collect();
    /// assert_eq!(decls, [(None, "jabber:server"), (Some("db"), "jabber:server:dialback")]);
    /// # Ok::<(), xmpp_stream::Error>(())
    /// ```
    pub fn inherited_namespaces(&self) -> impl Iterator<Item = (Option<&'a str>, &'a str)> + 'a {
        let root = self.root();
        let this = *self;
        let declares_default = move || root.ns_decls().any(|(q, _)| q.is_none());
        self.enclosing_header()
            .into_iter()
            .flat_map(|h| h.ns_decls())
            .map(move |(p, uri)| match p {
                None => (p, this.effective_default(uri)),
                Some(_) => (p, uri),
            })
            .filter(move |&(p, _)| match p {
                None => !declares_default(),
                Some(p) => this.inherits_prefix(p),
            })
    }

    /// The root's attributes (namespace declarations left out).
    pub fn attrs(&self) -> Attributes<'a> {
        self.root().attrs()
    }

    /// The decoded value of the root's attribute `local` in namespace `ns`.
    pub fn attr(&self, ns: &str, local: &str) -> Option<&'a str> {
        self.root().attr(ns, local)
    }

    /// The root's child elements.
    pub fn children(&self) -> impl Iterator<Item = Element<'a>> + 'a {
        self.root().children()
    }

    /// The root's first child element named `local` in namespace `ns`.
    pub fn child(&self, ns: &str, local: &str) -> Option<Element<'a>> {
        self.root().child(ns, local)
    }

    /// The root's child elements named `local` in namespace `ns`.
    pub fn children_named<'s>(
        &self,
        ns: &'s str,
        local: &'s str,
    ) -> impl Iterator<Item = Element<'a>> + 's
    where
        'a: 's,
    {
        self.root().children_named(ns, local)
    }
}

impl fmt::Debug for Stanza<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stanza")
            .field("offset", &self.offset)
            .field("root", &self.root())
            .finish()
    }
}

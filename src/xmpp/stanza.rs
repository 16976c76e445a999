//! The XMPP reading of a [`Stanza`]: kind, addressing, typed `type`, effective language,
//! errors, and the namespace declarations it inherits from the stream header. These are
//! inherent methods of [`crate::Stanza`], so every stanza view (from a [`crate::Parser`],
//! an [`OwnedStanza`] or the [`WebSocketParser`](super::WebSocketParser)) has them.

use super::error::{StanzaError, StreamError};
use super::header::{default_decl, StreamHeader};
use super::kind::{Kind, StanzaType};
use super::ns;
use super::owned::{stanza_records, OwnedStanza};
use super::writer::{write_stanza, Target};
use crate::frame::HeaderStore;
use crate::ns::{STREAMS_NS, XML_NS};
use crate::parser::Stanza;
use crate::view::{Attributes, Doc, Element};

/// What stands for the stream root of a stanza (see [`Stanza`]'s `scope` field). Small
/// on purpose: it is part of every [`crate::Event`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scope<'a> {
    /// No stream root: a document, or WebSocket framing before any `<open/>`.
    None,
    /// The live stream header of a parser (same namespace table as the stanza).
    Header(&'a HeaderStore),
    /// The reduced header an owned stanza keeps.
    Reduced(&'a OwnedStanza),
    /// The root of an owned element: the stored `<open/>` of WebSocket framing.
    Open(&'a OwnedStanza),
}

/// The element standing for the stream root of `s`, if any.
pub(crate) fn scope_element<'a>(s: &Stanza<'a>) -> Option<Element<'a>> {
    let doc = s.doc();
    match s.scope() {
        Scope::None => None,
        Scope::Header(h) => Some(
            Doc {
                src: &h.bytes,
                tree: &h.tree,
                ns: doc.ns,
                arena: doc.arena,
            }
            .root(),
        ),
        Scope::Reduced(o) => o.scope_in(doc.arena),
        Scope::Open(o) => Some(o.root_in(doc.arena)),
    }
}

/// Whether the namespace declarations of the scope element are in scope for the stanza:
/// true for a `<stream:stream>` header and a BOSH `<body/>`, false for a WebSocket
/// `<open/>` (each message is a document of its own).
pub(crate) fn inherits_namespaces(scope: &Element<'_>) -> bool {
    scope.is(STREAMS_NS, "stream") || is_bosh_body(scope)
}

/// Whether the scope element is a BOSH `<body/>` (XEP-0124), whose unqualified content
/// is `jabber:client` (XEP-0206 section 5).
fn is_bosh_body(scope: &Element<'_>) -> bool {
    scope.is(ns::HTTPBIND, "body")
}

/// The default namespace the scope element gives its stanzas: its own default
/// declaration, except that a BOSH `<body/>`'s is read as `jabber:client`.
fn scope_default_ns<'a>(scope: &Element<'a>, decl: &'a str) -> &'a str {
    if decl == ns::HTTPBIND && is_bosh_body(scope) {
        ns::CLIENT
    } else {
        decl
    }
}

/// Whether some element or attribute name of the stanza uses `prefix`.
fn uses_prefix(s: &Stanza<'_>, prefix: &str) -> bool {
    let doc = s.doc();
    let (nodes, attrs) = stanza_records(s);
    let p = prefix.as_bytes();
    let src = doc.src;
    let at = |start: u32, len: u32| src.get(start as usize..(start + len) as usize);
    doc.tree.nodes[..nodes].iter().any(|n| {
        n.is_element && n.prefix_len as usize == p.len() && at(n.start + 1, n.prefix_len) == Some(p)
    }) || doc.tree.attrs[..attrs].iter().any(|a| {
        !a.is_decl && a.prefix_len as usize == p.len() && at(a.name_start, a.prefix_len) == Some(p)
    })
}

/// Whether `e` itself declares `prefix` (`None`: the default namespace).
fn declares(e: &Element<'_>, prefix: Option<&str>) -> bool {
    e.ns_decls().any(|(p, _)| p == prefix)
}

impl<'a> Stanza<'a> {
    /// The stream header the stanza was read under, if any: the `<stream:stream>` start
    /// tag, or the WebSocket `<open/>`. For an [`OwnedStanza`] it is the reduced header
    /// it keeps: only its namespace declarations and `xml:lang`, no `to`/`from`/`id`.
    /// `None` in [`Mode::Document`](crate::Mode::Document).
    pub fn header(&self) -> Option<StreamHeader<'a>> {
        scope_element(self).map(StreamHeader::new)
    }

    /// The stream's content namespace: the default namespace declared on the stream
    /// header (`jabber:client`, `jabber:server`, ...). `None` without a header, or with a
    /// WebSocket `<open/>` (RFC 7395 stanzas declare their own).
    pub fn content_ns(&self) -> Option<&'a str> {
        let scope = scope_element(self)?;
        if !inherits_namespaces(&scope) {
            return None;
        }
        default_decl(&scope)
            .filter(|ns| !ns.is_empty())
            .map(|ns| scope_default_ns(&scope, ns))
    }

    /// What the stanza is (see [`Kind`]).
    ///
    /// ```
    /// use xmpp_stream::{Event, Parser};
    /// use xmpp_stream::xmpp::{IqType, Kind, StanzaType};
    /// let mut p = Parser::new();
    /// p.feed(b"<stream:stream xmlns='jabber:client' xml:lang='en' \
    ///     xmlns:stream='http://etherx.jabber.org/streams'>\
    ///     <iq type='get' id='p1' to='example.com' from='juliet@example.com/balcony'>\
    ///     <ping xmlns='urn:xmpp:ping'/></iq>");
    /// p.next_event()?;
    /// let Some(Event::Stanza(s)) = p.next_event()? else { panic!() };
    /// assert_eq!(s.kind(), Kind::Iq);
    /// assert_eq!(s.type_(), Some(StanzaType::Iq(IqType::Get)));
    /// assert_eq!((s.to(), s.from(), s.id()), (Some("example.com"),
    ///     Some("juliet@example.com/balcony"), Some("p1")));
    /// assert_eq!(s.lang(), Some("en")); // inherited from the header
    /// assert_eq!(s.content_ns(), Some("jabber:client"));
    /// assert!(s.child("urn:xmpp:ping", "ping").is_some());
    /// # Ok::<(), xmpp_stream::Error>(())
    /// ```
    pub fn kind(&self) -> Kind<'a> {
        let root = self.root();
        Kind::of(root.ns(), root.local_name(), self.content_ns())
    }

    /// Whether the stanza is a message, presence or iq.
    pub fn is_stanza(&self) -> bool {
        self.kind().is_stanza()
    }

    /// The `to` attribute of the root element.
    pub fn to(&self) -> Option<&'a str> {
        self.root().attr("", "to")
    }

    /// The `from` attribute of the root element.
    pub fn from(&self) -> Option<&'a str> {
        self.root().attr("", "from")
    }

    /// The `id` attribute of the root element.
    pub fn id(&self) -> Option<&'a str> {
        self.root().attr("", "id")
    }

    /// The `type` attribute of the root element, as written.
    pub fn type_attr(&self) -> Option<&'a str> {
        self.root().attr("", "type")
    }

    /// The typed `type` of a message, presence or iq (absent types read as `normal` and
    /// available); `None` for other elements. See [`StanzaType::of`].
    pub fn type_(&self) -> Option<StanzaType<'a>> {
        StanzaType::of(self.kind(), self.type_attr())
    }

    /// The effective language: the root's own `xml:lang`, else the stream header's.
    pub fn lang(&self) -> Option<&'a str> {
        let root = self.root();
        root.attr(XML_NS, "lang")
            .or_else(|| scope_element(self).and_then(|h| h.attr(XML_NS, "lang")))
    }

    /// The stanza error of a message, presence or iq of type `error`: its `<error/>`
    /// child in the stanza's namespace (see [`StanzaError`]).
    pub fn error(&self) -> Option<StanzaError<'a>> {
        if self.type_attr() != Some("error") || !self.is_stanza() {
            return None;
        }
        let root = self.root();
        root.child(root.ns(), "error").map(StanzaError::new)
    }

    /// The stream error, if this is a `<stream:error/>` (see [`StreamError`]).
    pub fn stream_error(&self) -> Option<StreamError<'a>> {
        (self.kind() == Kind::StreamError).then(|| StreamError::new(self.root()))
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
        scope_element(self)
            .filter(inherits_namespaces)
            .into_iter()
            .flat_map(|h| {
                h.ns_decls().map(move |(p, uri)| match p {
                    None => (p, scope_default_ns(&h, uri)),
                    Some(_) => (p, uri),
                })
            })
            .filter(move |&(p, _)| match p {
                None => !declares(&root, None),
                Some("xml") => false,
                Some(p) => !declares(&root, Some(p)) && uses_prefix(&this, p),
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

    /// Copies the stanza into an [`OwnedStanza`] (same as [`OwnedStanza::new`]).
    pub fn to_owned_stanza(&self) -> OwnedStanza {
        OwnedStanza::new(self)
    }

    /// Appends the stanza to `out` as `target` says (see [`write_stanza`]).
    pub fn write_to(&self, out: &mut Vec<u8>, target: Target<'_>) {
        write_stanza(out, self, target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::ns;
    use crate::{Config, Event, Mode, Parser};

    fn with_stanza(header: &str, stanza: &str, f: impl FnOnce(Stanza<'_>)) {
        let mut p = Parser::new();
        p.feed(header.as_bytes());
        p.feed(stanza.as_bytes());
        assert!(matches!(p.next_event().unwrap(), Some(Event::Header(_))));
        match p.next_event().unwrap() {
            Some(Event::Stanza(s)) => f(s),
            other => panic!("{other:?}"),
        }
    }

    const H: &str = "<stream:stream xmlns='jabber:client' xml:lang='de' \
                     xmlns:stream='http://etherx.jabber.org/streams' xmlns:x='urn:x' xmlns:y='urn:y'>";

    #[test]
    fn kinds_and_types_in_context() {
        with_stanza(H, "<message xml:lang='fr'/>", |s| {
            assert_eq!(s.kind(), Kind::Message);
            assert_eq!(s.lang(), Some("fr"));
            assert_eq!(
                s.type_(),
                Some(StanzaType::Message(crate::xmpp::MessageType::Normal))
            );
            assert_eq!(s.inherited_namespaces().count(), 1);
        });
        with_stanza(H, "<message xmlns='jabber:server'/>", |s| {
            assert_eq!(
                s.kind(),
                Kind::Other {
                    ns: ns::SERVER,
                    name: "message"
                }
            );
            assert_eq!(s.type_(), None);
            assert_eq!(s.lang(), Some("de"));
            assert_eq!(s.inherited_namespaces().count(), 0);
        });
        with_stanza(H, "<x:a y:b='1'><c/></x:a>", |s| {
            let d: Vec<_> = s.inherited_namespaces().collect();
            assert_eq!(
                d,
                [
                    (None, "jabber:client"),
                    (Some("x"), "urn:x"),
                    (Some("y"), "urn:y")
                ]
            );
        });
        with_stanza(H, "<x:a xmlns:x='urn:other'/>", |s| {
            let d: Vec<_> = s.inherited_namespaces().collect();
            assert_eq!(d, [(None, "jabber:client")]);
        });
        with_stanza(H, "<stream:features/>", |s| {
            assert_eq!(s.kind(), Kind::StreamFeatures);
            let d: Vec<_> = s.inherited_namespaces().collect();
            assert_eq!(d, [(None, "jabber:client"), (Some("stream"), STREAMS_NS)]);
        });
    }

    #[test]
    fn errors_only_on_error_stanzas() {
        let e = "<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>";
        with_stanza(H, &format!("<iq type='error' id='1'>{e}</iq>"), |s| {
            let err = s.error().unwrap();
            assert_eq!(
                err.condition(),
                Some(crate::xmpp::StanzaErrorCondition::ItemNotFound)
            );
            assert_eq!(err.text(), None);
            assert!(err.app_specific().is_none());
        });
        with_stanza(H, &format!("<iq type='result' id='1'>{e}</iq>"), |s| {
            assert!(s.error().is_none());
        });
        with_stanza(H, "<iq type='error' id='1'/>", |s| {
            assert!(s.error().is_none());
            assert!(s.stream_error().is_none());
        });
    }

    #[test]
    fn documents_have_no_header() {
        let mut p = Parser::with_config(Config::default().mode(Mode::Document));
        p.feed(b"<message xmlns='jabber:client' type='chat'><body>x</body></message>");
        let Some(Event::Stanza(s)) = p.next_event().unwrap() else {
            panic!()
        };
        assert!(s.header().is_none());
        assert_eq!(s.content_ns(), None);
        assert_eq!(s.kind(), Kind::Message);
        assert_eq!(s.lang(), None);
        assert_eq!(s.inherited_namespaces().count(), 0);
    }
}

//! The XMPP reading of a [`Stanza`]: kind, addressing, typed `type`, the content
//! namespace, stanza and stream errors. These are inherent methods of [`crate::Stanza`]
//! (whose element navigation, header, language and inherited namespaces are the tree
//! layer's), so every stanza view (from a [`crate::Parser`], an [`OwnedStanza`] or the
//! [`WebSocketParser`](super::WebSocketParser)) has them.

use super::error::{StanzaError, StreamError};
use super::header::default_decl;
use super::kind::{Kind, StanzaType};
use super::writer::{write_stanza, Target};
use crate::tree::{OwnedStanza, Stanza};

impl<'a> Stanza<'a> {
    /// The stream's content namespace: the default namespace declared on the stream
    /// header (`jabber:client`, `jabber:server`, ...). `None` without a header, or with a
    /// WebSocket `<open/>` (RFC 7395 stanzas declare their own).
    pub fn content_ns(&self) -> Option<&'a str> {
        default_decl(&self.enclosing_header()?).filter(|ns| !ns.is_empty())
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
    use crate::tree::STREAMS_NS;
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
        let mut p = Parser::with_config(Config::default().with_mode(Mode::Document));
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

//! What a depth-1 element is ([`Kind`]) and the typed `type` attribute of stanzas
//! ([`StanzaType`]). Pure classification of names and attribute values.

use super::ns;
use crate::bytes_eq::str_eq;
use crate::tree::STREAMS_NS;
use core::fmt;

/// What a depth-1 element is: one of the three stanzas, a stream-level element, one of
/// the negotiation elements ("nonzas") XMPP software handles itself, or something else.
///
/// Stanzas are recognised only in the stream's content namespace (the stream header's
/// default namespace, see [`Stanza::content_ns`](crate::Stanza::content_ns)); when there
/// is none (WebSocket framing, documents), in any of `jabber:client`, `jabber:server` and
/// `jabber:component:accept`. A `<message/>` in another namespace is [`Kind::Other`].
///
/// The known nonzas are those of stream negotiation in RFC 6120 (STARTTLS, SASL), stream
/// management (XEP-0198, `urn:xmpp:sm:3` and `urn:xmpp:sm:2`), server dialback
/// (XEP-0220) and component handshakes (XEP-0114). Everything else is
/// `Other { ns, name }` with the element's namespace and local name.
///
/// ```
/// use xmpp_stream::xmpp::{ns, Kind};
/// assert_eq!(Kind::of(ns::CLIENT, "message", Some(ns::CLIENT)), Kind::Message);
/// assert_eq!(
///     Kind::of(ns::SERVER, "message", Some(ns::CLIENT)),
///     Kind::Other { ns: ns::SERVER, name: "message" }
/// );
/// assert_eq!(Kind::of(ns::SASL, "success", None), Kind::SaslSuccess);
/// assert!(Kind::SaslSuccess.restarts_stream());
/// assert_eq!(Kind::SmRequest.to_string(), "sm-r");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind<'a> {
    /// `<message/>` in the content namespace.
    Message,
    /// `<presence/>` in the content namespace.
    Presence,
    /// `<iq/>` in the content namespace.
    Iq,
    /// `<stream:features/>`.
    StreamFeatures,
    /// `<stream:error/>`.
    StreamError,
    /// `<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`.
    StartTls,
    /// `<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`: TLS negotiation begins, and
    /// the stream restarts after it.
    TlsProceed,
    /// `<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`.
    TlsFailure,
    /// `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`.
    SaslAuth,
    /// `<challenge/>` (SASL).
    SaslChallenge,
    /// `<response/>` (SASL).
    SaslResponse,
    /// `<success/>` (SASL): the stream restarts after it.
    SaslSuccess,
    /// `<failure/>` (SASL).
    SaslFailure,
    /// `<abort/>` (SASL).
    SaslAbort,
    /// `<enable/>` (stream management).
    SmEnable,
    /// `<enabled/>` (stream management).
    SmEnabled,
    /// `<resume/>` (stream management).
    SmResume,
    /// `<resumed/>` (stream management).
    SmResumed,
    /// `<failed/>` (stream management).
    SmFailed,
    /// `<r/>`, an acknowledgement request (stream management).
    SmRequest,
    /// `<a/>`, an acknowledgement (stream management).
    SmAck,
    /// `<db:result/>` (server dialback).
    DialbackResult,
    /// `<db:verify/>` (server dialback).
    DialbackVerify,
    /// `<handshake/>` in `jabber:component:accept` (XEP-0114).
    Handshake,
    /// Any other element: its namespace name and local name.
    Other {
        /// The namespace name ("" for none).
        ns: &'a str,
        /// The local name.
        name: &'a str,
    },
}

impl<'a> Kind<'a> {
    /// Classifies an element by its namespace name and local name. `content_ns` is the
    /// stream's content namespace, or `None` to accept the three standard ones.
    pub fn of(ns: &'a str, name: &'a str, content_ns: Option<&str>) -> Kind<'a> {
        let in_content = match content_ns {
            Some(c) => str_eq(ns, c),
            None => matches!(ns, ns::CLIENT | ns::SERVER | ns::COMPONENT_ACCEPT),
        };
        if in_content {
            match name {
                "message" => return Kind::Message,
                "presence" => return Kind::Presence,
                "iq" => return Kind::Iq,
                _ => {}
            }
        }
        match (ns, name) {
            (STREAMS_NS, "features") => Kind::StreamFeatures,
            (STREAMS_NS, "error") => Kind::StreamError,
            (ns::TLS, "starttls") => Kind::StartTls,
            (ns::TLS, "proceed") => Kind::TlsProceed,
            (ns::TLS, "failure") => Kind::TlsFailure,
            (ns::SASL, "auth") => Kind::SaslAuth,
            (ns::SASL, "challenge") => Kind::SaslChallenge,
            (ns::SASL, "response") => Kind::SaslResponse,
            (ns::SASL, "success") => Kind::SaslSuccess,
            (ns::SASL, "failure") => Kind::SaslFailure,
            (ns::SASL, "abort") => Kind::SaslAbort,
            (ns::SM | ns::SM_2, "enable") => Kind::SmEnable,
            (ns::SM | ns::SM_2, "enabled") => Kind::SmEnabled,
            (ns::SM | ns::SM_2, "resume") => Kind::SmResume,
            (ns::SM | ns::SM_2, "resumed") => Kind::SmResumed,
            (ns::SM | ns::SM_2, "failed") => Kind::SmFailed,
            (ns::SM | ns::SM_2, "r") => Kind::SmRequest,
            (ns::SM | ns::SM_2, "a") => Kind::SmAck,
            (ns::DIALBACK, "result") => Kind::DialbackResult,
            (ns::DIALBACK, "verify") => Kind::DialbackVerify,
            (ns::COMPONENT_ACCEPT, "handshake") => Kind::Handshake,
            _ => Kind::Other { ns, name },
        }
    }

    /// Whether this is one of the three stanzas (message, presence, iq).
    pub fn is_stanza(self) -> bool {
        matches!(self, Kind::Message | Kind::Presence | Kind::Iq)
    }

    /// Whether both parties restart the stream once this element has been sent
    /// ([`Kind::TlsProceed`] after the TLS handshake, [`Kind::SaslSuccess`]; RFC 6120
    /// sections 5.4.3.3 and 6.4.6): the receiver calls
    /// [`Parser::restart`](crate::Parser::restart) after reading it, the sender after
    /// writing it.
    pub fn restarts_stream(self) -> bool {
        matches!(self, Kind::TlsProceed | Kind::SaslSuccess)
    }

    /// A short fixed name (`"message"`, `"stream-features"`, `"sasl-success"`, `"sm-r"`),
    /// or `None` for [`Kind::Other`]. [`Display`](fmt::Display) writes the same names,
    /// and `{ns}name` for `Other`.
    pub fn as_str(self) -> Option<&'static str> {
        Some(match self {
            Kind::Message => "message",
            Kind::Presence => "presence",
            Kind::Iq => "iq",
            Kind::StreamFeatures => "stream-features",
            Kind::StreamError => "stream-error",
            Kind::StartTls => "starttls",
            Kind::TlsProceed => "tls-proceed",
            Kind::TlsFailure => "tls-failure",
            Kind::SaslAuth => "sasl-auth",
            Kind::SaslChallenge => "sasl-challenge",
            Kind::SaslResponse => "sasl-response",
            Kind::SaslSuccess => "sasl-success",
            Kind::SaslFailure => "sasl-failure",
            Kind::SaslAbort => "sasl-abort",
            Kind::SmEnable => "sm-enable",
            Kind::SmEnabled => "sm-enabled",
            Kind::SmResume => "sm-resume",
            Kind::SmResumed => "sm-resumed",
            Kind::SmFailed => "sm-failed",
            Kind::SmRequest => "sm-r",
            Kind::SmAck => "sm-a",
            Kind::DialbackResult => "db-result",
            Kind::DialbackVerify => "db-verify",
            Kind::Handshake => "handshake",
            Kind::Other { .. } => return None,
        })
    }
}

impl fmt::Display for Kind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.as_str(), self) {
            (Some(n), _) => f.write_str(n),
            (None, Kind::Other { ns, name }) => write!(f, "{{{ns}}}{name}"),
            (None, _) => Ok(()),
        }
    }
}

/// The `type` of an `<iq/>` (RFC 6120 section 8.2.3).
///
/// ```
/// use xmpp_stream::xmpp::IqType;
/// assert_eq!(IqType::from_name("result"), Some(IqType::Result));
/// assert_eq!(IqType::Get.as_str(), "get");
/// assert!(IqType::Set.is_request());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IqType {
    /// `get`: a request for information.
    Get,
    /// `set`: a request to change something.
    Set,
    /// `result`: the successful response.
    Result,
    /// `error`: the error response.
    Error,
}

impl IqType {
    /// Parses an attribute value.
    pub fn from_name(s: &str) -> Option<IqType> {
        Some(match s {
            "get" => IqType::Get,
            "set" => IqType::Set,
            "result" => IqType::Result,
            "error" => IqType::Error,
            _ => return None,
        })
    }

    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            IqType::Get => "get",
            IqType::Set => "set",
            IqType::Result => "result",
            IqType::Error => "error",
        }
    }

    /// `get` or `set`: the recipient must answer with `result` or `error`.
    pub fn is_request(self) -> bool {
        matches!(self, IqType::Get | IqType::Set)
    }
}

/// The `type` of a `<message/>` (RFC 6121 section 5.2.2); absent means
/// [`Normal`](MessageType::Normal).
///
/// ```
/// use xmpp_stream::xmpp::MessageType;
/// assert_eq!(MessageType::from_name("groupchat"), Some(MessageType::Groupchat));
/// assert_eq!(MessageType::Chat.as_str(), "chat");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// `normal`, or no `type` attribute.
    Normal,
    /// `chat`: one-to-one conversation.
    Chat,
    /// `groupchat`: multi-user chat.
    Groupchat,
    /// `headline`: alerts, no reply expected.
    Headline,
    /// `error`: an error response.
    Error,
}

impl MessageType {
    /// Parses an attribute value.
    pub fn from_name(s: &str) -> Option<MessageType> {
        Some(match s {
            "normal" => MessageType::Normal,
            "chat" => MessageType::Chat,
            "groupchat" => MessageType::Groupchat,
            "headline" => MessageType::Headline,
            "error" => MessageType::Error,
            _ => return None,
        })
    }

    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Normal => "normal",
            MessageType::Chat => "chat",
            MessageType::Groupchat => "groupchat",
            MessageType::Headline => "headline",
            MessageType::Error => "error",
        }
    }
}

/// The `type` of a `<presence/>` (RFC 6121 section 4.7.1); absent means
/// [`Available`](PresenceType::Available).
///
/// ```
/// use xmpp_stream::xmpp::PresenceType;
/// assert_eq!(PresenceType::from_name("unavailable"), Some(PresenceType::Unavailable));
/// assert_eq!(PresenceType::Subscribe.as_str(), "subscribe");
/// assert_eq!(PresenceType::Available.as_str(), "");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PresenceType {
    /// No `type` attribute: the sender is available.
    Available,
    /// `unavailable`.
    Unavailable,
    /// `subscribe`.
    Subscribe,
    /// `subscribed`.
    Subscribed,
    /// `unsubscribe`.
    Unsubscribe,
    /// `unsubscribed`.
    Unsubscribed,
    /// `probe`.
    Probe,
    /// `error`.
    Error,
}

impl PresenceType {
    /// Parses an attribute value (`Available` has none, so `""` gives `None`).
    pub fn from_name(s: &str) -> Option<PresenceType> {
        Some(match s {
            "unavailable" => PresenceType::Unavailable,
            "subscribe" => PresenceType::Subscribe,
            "subscribed" => PresenceType::Subscribed,
            "unsubscribe" => PresenceType::Unsubscribe,
            "unsubscribed" => PresenceType::Unsubscribed,
            "probe" => PresenceType::Probe,
            "error" => PresenceType::Error,
            _ => return None,
        })
    }

    /// The attribute value (`""` for `Available`, which is written without one).
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceType::Available => "",
            PresenceType::Unavailable => "unavailable",
            PresenceType::Subscribe => "subscribe",
            PresenceType::Subscribed => "subscribed",
            PresenceType::Unsubscribe => "unsubscribe",
            PresenceType::Unsubscribed => "unsubscribed",
            PresenceType::Probe => "probe",
            PresenceType::Error => "error",
        }
    }
}

/// The typed `type` attribute of a stanza (see [`Stanza::type_`](crate::Stanza::type_)).
///
/// ```
/// use xmpp_stream::xmpp::{IqType, Kind, MessageType, StanzaType};
/// assert_eq!(StanzaType::of(Kind::Iq, Some("get")), Some(StanzaType::Iq(IqType::Get)));
/// assert_eq!(StanzaType::of(Kind::Message, None), Some(StanzaType::Message(MessageType::Normal)));
/// assert_eq!(StanzaType::of(Kind::Iq, None), Some(StanzaType::Missing));
/// assert_eq!(StanzaType::of(Kind::Iq, Some("nope")), Some(StanzaType::Unknown("nope")));
/// assert_eq!(StanzaType::of(Kind::StreamFeatures, None), None);
/// assert!(StanzaType::of(Kind::Presence, Some("error")).unwrap().is_error());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StanzaType<'a> {
    /// The type of an `<iq/>`.
    Iq(IqType),
    /// The type of a `<message/>`.
    Message(MessageType),
    /// The type of a `<presence/>`.
    Presence(PresenceType),
    /// An `<iq/>` without the `type` attribute RFC 6120 requires.
    Missing,
    /// A value the stanza's kind does not define (the raw value).
    Unknown(&'a str),
}

impl<'a> StanzaType<'a> {
    /// Types the `type` attribute value of a stanza of kind `kind`; `None` when `kind` is
    /// not a stanza.
    pub fn of(kind: Kind<'_>, value: Option<&'a str>) -> Option<StanzaType<'a>> {
        let unknown = |v: Option<&'a str>| match v {
            Some(v) => StanzaType::Unknown(v),
            None => StanzaType::Missing,
        };
        Some(match kind {
            Kind::Iq => value
                .and_then(IqType::from_name)
                .map_or_else(|| unknown(value), StanzaType::Iq),
            Kind::Message => match value {
                None => StanzaType::Message(MessageType::Normal),
                Some(v) => MessageType::from_name(v).map_or(unknown(value), StanzaType::Message),
            },
            Kind::Presence => match value {
                None => StanzaType::Presence(PresenceType::Available),
                Some(v) => PresenceType::from_name(v).map_or(unknown(value), StanzaType::Presence),
            },
            _ => return None,
        })
    }

    /// Whether the type is `error`.
    pub fn is_error(self) -> bool {
        matches!(
            self,
            StanzaType::Iq(IqType::Error)
                | StanzaType::Message(MessageType::Error)
                | StanzaType::Presence(PresenceType::Error)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_need_the_content_namespace() {
        assert_eq!(Kind::of(ns::CLIENT, "iq", None), Kind::Iq);
        assert_eq!(Kind::of(ns::SERVER, "presence", None), Kind::Presence);
        assert_eq!(Kind::of("", "iq", None), Kind::Other { ns: "", name: "iq" });
        assert_eq!(
            Kind::of(ns::CLIENT, "iq", Some(ns::SERVER)),
            Kind::Other {
                ns: ns::CLIENT,
                name: "iq"
            }
        );
        assert_eq!(Kind::of(ns::SM_2, "a", None), Kind::SmAck);
        assert_eq!(Kind::of(STREAMS_NS, "features", None), Kind::StreamFeatures);
        let other = Kind::of("urn:x", "y", None);
        assert_eq!(other.to_string(), "{urn:x}y");
        assert_eq!(other.as_str(), None);
        assert!(!Kind::TlsProceed.is_stanza());
        assert!(Kind::TlsProceed.restarts_stream());
    }

    #[test]
    fn type_names_round_trip() {
        for t in [IqType::Get, IqType::Set, IqType::Result, IqType::Error] {
            assert_eq!(IqType::from_name(t.as_str()), Some(t));
        }
        for t in [
            MessageType::Normal,
            MessageType::Chat,
            MessageType::Groupchat,
            MessageType::Headline,
            MessageType::Error,
        ] {
            assert_eq!(MessageType::from_name(t.as_str()), Some(t));
        }
        for t in [
            PresenceType::Unavailable,
            PresenceType::Subscribe,
            PresenceType::Subscribed,
            PresenceType::Unsubscribe,
            PresenceType::Unsubscribed,
            PresenceType::Probe,
            PresenceType::Error,
        ] {
            assert_eq!(PresenceType::from_name(t.as_str()), Some(t));
        }
        assert_eq!(PresenceType::from_name(""), None);
        assert_eq!(
            StanzaType::of(Kind::Presence, Some("")),
            Some(StanzaType::Unknown(""))
        );
    }
}

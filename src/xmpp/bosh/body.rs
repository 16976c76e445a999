//! The `<body/>` view of BOSH (XEP-0124, XEP-0206): typed accessors for the attributes
//! of a body wrapper, and the terminal binding conditions.

use super::super::header::Version;
use super::super::ns;
use crate::condition::Condition;
use crate::tree::{Element, XML_NS};
use core::fmt;

/// The `type` attribute of a body (XEP-0124 sections 8 and 17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyType<'a> {
    /// `terminate`: the session ends (with a [`BoshCondition`] when it is an error).
    Terminate,
    /// `error`: a recoverable binding error (XEP-0124 section 17.3, with
    /// `<body type='error'/>` only in the legacy HTTP-error scheme).
    Error,
    /// Any other value.
    Other(&'a str),
}

impl<'a> BodyType<'a> {
    /// Classifies a `type` value.
    pub fn parse(s: &'a str) -> BodyType<'a> {
        match s {
            "terminate" => BodyType::Terminate,
            "error" => BodyType::Error,
            other => BodyType::Other(other),
        }
    }
}

/// A terminal binding condition (XEP-0124 section 17.2), the `condition` attribute of a
/// `<body type='terminate'/>`.
///
/// ```
/// use xmpp_stream::xmpp::BoshCondition;
/// assert_eq!(BoshCondition::parse("item-not-found"), BoshCondition::ItemNotFound);
/// assert_eq!(BoshCondition::ItemNotFound.as_str(), "item-not-found");
/// assert_eq!(BoshCondition::parse("x").as_str(), "x");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoshCondition<'a> {
    /// `bad-request`: the format of an HTTP header or binding element is unacceptable.
    BadRequest,
    /// `host-gone`: the target domain is no longer serviced.
    HostGone,
    /// `host-unknown`: the target domain is unknown.
    HostUnknown,
    /// `improper-addressing`: the initialization element lacks a `to` or `route`.
    ImproperAddressing,
    /// `internal-server-error`: the connection manager had an internal error.
    InternalServerError,
    /// `item-not-found`: an invalid `sid`, an invalid `rid`, or a repeated `rid`.
    ItemNotFound,
    /// `other-request`: another request with the same `rid` overrides this one.
    OtherRequest,
    /// `policy-violation`: the client broke a rule of the connection manager (too many
    /// requests, too large a body, ...).
    PolicyViolation,
    /// `remote-connection-failed`: the connection manager could not reach the server.
    RemoteConnectionFailed,
    /// `remote-stream-error`: the server sent a stream error (it is in the body).
    RemoteStreamError,
    /// `see-other-uri`: use the URI of the `<uri/>` child instead.
    SeeOtherUri,
    /// `system-shutdown`: the connection manager is shutting down.
    SystemShutdown,
    /// `undefined-condition`: none of the above.
    UndefinedCondition,
    /// A condition XEP-0124 does not define.
    Other(&'a str),
}

impl<'a> BoshCondition<'a> {
    /// Classifies a `condition` value.
    pub fn parse(s: &'a str) -> BoshCondition<'a> {
        use BoshCondition::*;
        match s {
            "bad-request" => BadRequest,
            "host-gone" => HostGone,
            "host-unknown" => HostUnknown,
            "improper-addressing" => ImproperAddressing,
            "internal-server-error" => InternalServerError,
            "item-not-found" => ItemNotFound,
            "other-request" => OtherRequest,
            "policy-violation" => PolicyViolation,
            "remote-connection-failed" => RemoteConnectionFailed,
            "remote-stream-error" => RemoteStreamError,
            "see-other-uri" => SeeOtherUri,
            "system-shutdown" => SystemShutdown,
            "undefined-condition" => UndefinedCondition,
            other => Other(other),
        }
    }

    /// The condition's name as written in the `condition` attribute.
    pub fn as_str(&self) -> &'a str {
        use BoshCondition::*;
        match *self {
            BadRequest => "bad-request",
            HostGone => "host-gone",
            HostUnknown => "host-unknown",
            ImproperAddressing => "improper-addressing",
            InternalServerError => "internal-server-error",
            ItemNotFound => "item-not-found",
            OtherRequest => "other-request",
            PolicyViolation => "policy-violation",
            RemoteConnectionFailed => "remote-connection-failed",
            RemoteStreamError => "remote-stream-error",
            SeeOtherUri => "see-other-uri",
            SystemShutdown => "system-shutdown",
            UndefinedCondition => "undefined-condition",
            Other(s) => s,
        }
    }

    /// The condition a connection manager answers with when a client's body breaks a
    /// rule the parser enforces (its stream-error [`Condition`]): `policy-violation`
    /// for a limit, `host-unknown` and `host-gone` as such, `bad-request` for anything
    /// wrong with the XML (XEP-0124 section 17.2).
    pub fn for_stream_condition(c: Condition) -> BoshCondition<'static> {
        match c {
            Condition::PolicyViolation => BoshCondition::PolicyViolation,
            Condition::HostUnknown => BoshCondition::HostUnknown,
            Condition::HostGone => BoshCondition::HostGone,
            Condition::ImproperAddressing => BoshCondition::ImproperAddressing,
            Condition::InternalServerError => BoshCondition::InternalServerError,
            Condition::SystemShutdown => BoshCondition::SystemShutdown,
            _ => BoshCondition::BadRequest,
        }
    }
}

impl fmt::Display for BoshCondition<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A view of a BOSH `<body/>` wrapper's start tag (XEP-0124 section 4): the session and
/// request attributes as typed values. Numeric accessors return `None` when the
/// attribute is absent or not a decimal number (see [`Body::element`] for the raw
/// value).
///
/// ```
/// use xmpp_stream::xmpp::{BodyType, BoshCondition, BoshReader, Version};
/// let mut bosh = BoshReader::new();
/// let body = bosh.read(b"<body xmlns='http://jabber.org/protocol/httpbind' \
///     xmlns:xmpp='urn:xmpp:xbosh' rid='1573741820' sid='SomeSID' wait='60' hold='1' \
///     ack='1573741819' xmpp:version='1.0' xmpp:restart='true' type='terminate' \
///     condition='item-not-found'/>")?;
/// assert_eq!(body.rid(), Some(1573741820));
/// assert_eq!(body.sid(), Some("SomeSID"));
/// assert_eq!((body.wait(), body.hold(), body.ack()), (Some(60), Some(1), Some(1573741819)));
/// assert_eq!(body.xmpp_version(), Some(Version::V1_0));
/// assert!(body.xmpp_restart());
/// assert_eq!(body.type_(), Some(BodyType::Terminate));
/// assert_eq!(body.condition(), Some(BoshCondition::ItemNotFound));
/// # Ok::<(), xmpp_stream::xmpp::BoshError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Body<'a> {
    elem: Element<'a>,
}

impl<'a> Body<'a> {
    /// A body view over an element (normally the root read by
    /// [`BoshReader`](super::BoshReader)).
    pub fn new(elem: Element<'a>) -> Self {
        Body { elem }
    }

    /// The underlying element.
    pub fn element(&self) -> Element<'a> {
        self.elem
    }

    fn attr(&self, name: &str) -> Option<&'a str> {
        self.elem.attr("", name)
    }

    fn number(&self, name: &str) -> Option<u64> {
        let v = self.attr(name)?;
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        v.parse().ok()
    }

    fn small(&self, name: &str) -> Option<u32> {
        self.number(name).and_then(|n| u32::try_from(n).ok())
    }

    /// `rid`: the request id (XEP-0124 section 14).
    pub fn rid(&self) -> Option<u64> {
        self.number("rid")
    }

    /// `sid`: the session id.
    pub fn sid(&self) -> Option<&'a str> {
        self.attr("sid")
    }

    /// `type` (see [`BodyType`]).
    pub fn type_(&self) -> Option<BodyType<'a>> {
        self.attr("type").map(BodyType::parse)
    }

    /// Whether this body terminates the session (`type='terminate'`).
    pub fn is_terminate(&self) -> bool {
        self.type_() == Some(BodyType::Terminate)
    }

    /// `condition` (see [`BoshCondition`]).
    pub fn condition(&self) -> Option<BoshCondition<'a>> {
        self.attr("condition").map(BoshCondition::parse)
    }

    /// `wait`: the longest time in seconds the connection manager may wait to answer.
    pub fn wait(&self) -> Option<u32> {
        self.small("wait")
    }

    /// `hold`: the most requests the connection manager may keep waiting at once.
    pub fn hold(&self) -> Option<u32> {
        self.small("hold")
    }

    /// `ack`: the highest `rid` answered (or received) in order (XEP-0124 section 9).
    pub fn ack(&self) -> Option<u64> {
        self.number("ack")
    }

    /// `requests`: the most simultaneous requests the client may make.
    pub fn requests(&self) -> Option<u32> {
        self.small("requests")
    }

    /// `polling`: the shortest interval in seconds between polling requests.
    pub fn polling(&self) -> Option<u32> {
        self.small("polling")
    }

    /// `inactivity`: the longest time in seconds without a waiting request.
    pub fn inactivity(&self) -> Option<u32> {
        self.small("inactivity")
    }

    /// `maxpause`: the longest pause in seconds the client may ask for.
    pub fn maxpause(&self) -> Option<u32> {
        self.small("maxpause")
    }

    /// `pause`: the pause in seconds the client asks for.
    pub fn pause(&self) -> Option<u32> {
        self.small("pause")
    }

    /// `ver`: the highest BOSH version the sender supports, as written.
    pub fn ver(&self) -> Option<&'a str> {
        self.attr("ver")
    }

    /// `to`: the target domain (session request).
    pub fn to(&self) -> Option<&'a str> {
        self.attr("to")
    }

    /// `from`: the sender's identity (session request or response).
    pub fn from(&self) -> Option<&'a str> {
        self.attr("from")
    }

    /// `route`: `xmpp:host:port` of the server to connect to (session request).
    pub fn route(&self) -> Option<&'a str> {
        self.attr("route")
    }

    /// `authid`: the stream id of the server's stream (XEP-0206 section 3, session
    /// response).
    pub fn authid(&self) -> Option<&'a str> {
        self.attr("authid")
    }

    /// `xml:lang`: the default language.
    pub fn lang(&self) -> Option<&'a str> {
        self.elem.attr(XML_NS, "lang")
    }

    /// `xmpp:version` (XEP-0206 section 3: the XMPP version, `1.0` in practice).
    pub fn xmpp_version(&self) -> Option<Version> {
        self.elem
            .attr(ns::XBOSH, "version")
            .and_then(Version::parse)
    }

    /// Whether `xmpp:restart='true'` asks for a stream restart (XEP-0206 section 5).
    pub fn xmpp_restart(&self) -> bool {
        matches!(self.elem.attr(ns::XBOSH, "restart"), Some("true" | "1"))
    }

    /// Whether the connection manager announces `xmpp:restartlogic='true'`.
    pub fn xmpp_restartlogic(&self) -> bool {
        matches!(
            self.elem.attr(ns::XBOSH, "restartlogic"),
            Some("true" | "1")
        )
    }
}

//! Stanza errors (RFC 6120 section 8.3) and stream errors (section 4.9): the conditions
//! and error types as enums, and views over the `<error/>` and `<stream:error/>` elements.

use super::ns;
use crate::bytes_eq::str_eq;
use crate::condition::Condition;
use crate::tree::Element;
use crate::tree::XML_NS;
use core::fmt;

/// The `type` of a stanza error (RFC 6120 section 8.3.2): what the sender should do.
///
/// ```
/// use xmpp_stream::xmpp::StanzaErrorType;
/// assert_eq!(StanzaErrorType::from_name("wait"), Some(StanzaErrorType::Wait));
/// assert_eq!(StanzaErrorType::Modify.as_str(), "modify");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StanzaErrorType {
    /// `auth`: retry after providing credentials.
    Auth,
    /// `cancel`: do not retry (the error cannot be remedied).
    Cancel,
    /// `continue`: proceed (the condition was only a warning).
    Continue,
    /// `modify`: retry after changing the data sent.
    Modify,
    /// `wait`: retry after waiting (the error is temporary).
    Wait,
}

impl StanzaErrorType {
    /// Parses an attribute value.
    pub fn from_name(s: &str) -> Option<StanzaErrorType> {
        Some(match s {
            "auth" => StanzaErrorType::Auth,
            "cancel" => StanzaErrorType::Cancel,
            "continue" => StanzaErrorType::Continue,
            "modify" => StanzaErrorType::Modify,
            "wait" => StanzaErrorType::Wait,
            _ => return None,
        })
    }

    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            StanzaErrorType::Auth => "auth",
            StanzaErrorType::Cancel => "cancel",
            StanzaErrorType::Continue => "continue",
            StanzaErrorType::Modify => "modify",
            StanzaErrorType::Wait => "wait",
        }
    }
}

impl fmt::Display for StanzaErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stanza-error condition of RFC 6120 section 8.3.3 (elements in
/// `urn:ietf:params:xml:ns:xmpp-stanzas`).
///
/// ```
/// use xmpp_stream::xmpp::{StanzaErrorCondition, StanzaErrorType};
/// let c = StanzaErrorCondition::from_name("item-not-found").unwrap();
/// assert_eq!(c, StanzaErrorCondition::ItemNotFound);
/// assert_eq!(c.as_str(), "item-not-found");
/// assert_eq!(c.default_type(), StanzaErrorType::Cancel);
/// assert_eq!(StanzaErrorCondition::from_name("not-a-condition"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum StanzaErrorCondition {
    /// `bad-request`: the request was malformed or not understood.
    BadRequest,
    /// `conflict`: a resource or session with the name already exists.
    Conflict,
    /// `feature-not-implemented`: the feature requested is not implemented.
    FeatureNotImplemented,
    /// `forbidden`: the requester lacks the permissions.
    Forbidden,
    /// `gone`: the recipient is no longer at this address (may carry a new address).
    Gone,
    /// `internal-server-error`: the server could not process the stanza.
    InternalServerError,
    /// `item-not-found`: the addressed JID or item does not exist.
    ItemNotFound,
    /// `jid-malformed`: the address violates the rules for XMPP addresses.
    JidMalformed,
    /// `not-acceptable`: the request does not meet the recipient's criteria.
    NotAcceptable,
    /// `not-allowed`: the recipient does not allow any entity to perform the action.
    NotAllowed,
    /// `not-authorized`: the sender must authenticate first.
    NotAuthorized,
    /// `policy-violation`: a local policy was violated.
    PolicyViolation,
    /// `recipient-unavailable`: the intended recipient is temporarily unavailable.
    RecipientUnavailable,
    /// `redirect`: the recipient is at another address (may carry it).
    Redirect,
    /// `registration-required`: the requester must register first.
    RegistrationRequired,
    /// `remote-server-not-found`: a remote server does not exist or cannot be resolved.
    RemoteServerNotFound,
    /// `remote-server-timeout`: a remote server could not be reached in time.
    RemoteServerTimeout,
    /// `resource-constraint`: the server lacks the resources to service the request.
    ResourceConstraint,
    /// `service-unavailable`: the recipient does not provide the service.
    ServiceUnavailable,
    /// `subscription-required`: the requester must subscribe first.
    SubscriptionRequired,
    /// `undefined-condition`: none of the others; an application-specific condition
    /// usually follows.
    UndefinedCondition,
    /// `unexpected-request`: the request was out of order.
    UnexpectedRequest,
}

const STANZA_CONDITIONS: [(StanzaErrorCondition, &str, StanzaErrorType); 22] = {
    use StanzaErrorCondition as C;
    use StanzaErrorType as T;
    [
        (C::BadRequest, "bad-request", T::Modify),
        (C::Conflict, "conflict", T::Cancel),
        (
            C::FeatureNotImplemented,
            "feature-not-implemented",
            T::Cancel,
        ),
        (C::Forbidden, "forbidden", T::Auth),
        (C::Gone, "gone", T::Cancel),
        (C::InternalServerError, "internal-server-error", T::Cancel),
        (C::ItemNotFound, "item-not-found", T::Cancel),
        (C::JidMalformed, "jid-malformed", T::Modify),
        (C::NotAcceptable, "not-acceptable", T::Modify),
        (C::NotAllowed, "not-allowed", T::Cancel),
        (C::NotAuthorized, "not-authorized", T::Auth),
        (C::PolicyViolation, "policy-violation", T::Modify),
        (C::RecipientUnavailable, "recipient-unavailable", T::Wait),
        (C::Redirect, "redirect", T::Modify),
        (C::RegistrationRequired, "registration-required", T::Auth),
        (
            C::RemoteServerNotFound,
            "remote-server-not-found",
            T::Cancel,
        ),
        (C::RemoteServerTimeout, "remote-server-timeout", T::Wait),
        (C::ResourceConstraint, "resource-constraint", T::Wait),
        (C::ServiceUnavailable, "service-unavailable", T::Cancel),
        (C::SubscriptionRequired, "subscription-required", T::Auth),
        (C::UndefinedCondition, "undefined-condition", T::Modify),
        (C::UnexpectedRequest, "unexpected-request", T::Wait),
    ]
};

impl StanzaErrorCondition {
    /// The element name (`"item-not-found"`).
    pub fn as_str(self) -> &'static str {
        STANZA_CONDITIONS[self as usize].1
    }

    /// Looks a condition up by its element name.
    pub fn from_name(name: &str) -> Option<StanzaErrorCondition> {
        STANZA_CONDITIONS
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(c, _, _)| *c)
    }

    /// The error type RFC 6120's example for this condition uses (section 8.3.3), a
    /// sensible default when generating the error.
    pub fn default_type(self) -> StanzaErrorType {
        STANZA_CONDITIONS[self as usize].2
    }
}

impl fmt::Display for StanzaErrorCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `<text/>` children of an error element in namespace `ns`, as (`xml:lang`, text).
fn texts<'a>(
    e: Element<'a>,
    ns: &'static str,
) -> impl Iterator<Item = (Option<&'a str>, &'a str)> + 'a {
    e.children_named(ns, "text")
        .map(|t| (t.attr(XML_NS, "lang"), t.text()))
}

/// The first child in `ns` other than `<text/>`: the defined condition element.
fn condition_element<'a>(e: &Element<'a>, ns: &str) -> Option<Element<'a>> {
    e.children()
        .find(|c| str_eq(c.ns(), ns) && c.local_name() != "text")
}

/// The first child outside `ns`: the application-specific condition.
fn app_specific<'a>(e: &Element<'a>, ns: &str) -> Option<Element<'a>> {
    e.children().find(|c| c.ns() != ns)
}

/// A view of a stanza's `<error/>` child (RFC 6120 section 8.3): its type, defined
/// condition, optional descriptive text and application-specific condition.
///
/// ```
/// use xmpp_stream::{Event, Parser};
/// use xmpp_stream::xmpp::{StanzaErrorCondition, StanzaErrorType};
///
/// let mut parser = Parser::new();
/// parser.feed(b"<stream:stream xmlns='jabber:client' \
///     xmlns:stream='http://etherx.jabber.org/streams'>\
///     <iq type='error' id='b1' from='im.example.com'><error type='modify' by='im.example.com'>\
///     <bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
///     <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>No &lt;query/&gt;</text>\
///     <too-many-children xmlns='urn:xmpp:example'/></error></iq>");
/// parser.next_event()?; // the header
/// let Some(Event::Stanza(s)) = parser.next_event()? else { panic!() };
/// let err = s.error().unwrap();
/// assert_eq!(err.type_(), Some(StanzaErrorType::Modify));
/// assert_eq!(err.by(), Some("im.example.com"));
/// assert_eq!(err.condition(), Some(StanzaErrorCondition::BadRequest));
/// assert_eq!(err.text(), Some("No <query/>"));
/// assert_eq!(err.texts().collect::<Vec<_>>(), [(Some("en"), "No <query/>")]);
/// assert_eq!(err.app_specific().unwrap().local_name(), "too-many-children");
/// assert_eq!(err.alternate_address(), None);
/// # Ok::<(), xmpp_stream::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct StanzaError<'a> {
    elem: Element<'a>,
}

impl<'a> StanzaError<'a> {
    /// A view over an `<error/>` element.
    pub fn new(elem: Element<'a>) -> Self {
        StanzaError { elem }
    }

    /// The `<error/>` element.
    pub fn element(&self) -> Element<'a> {
        self.elem
    }

    /// The `type` attribute as written.
    pub fn type_attr(&self) -> Option<&'a str> {
        self.elem.attr("", "type")
    }

    /// The error type; `None` when absent or not one RFC 6120 defines.
    pub fn type_(&self) -> Option<StanzaErrorType> {
        self.type_attr().and_then(StanzaErrorType::from_name)
    }

    /// The `by` attribute: the entity that generated the error.
    pub fn by(&self) -> Option<&'a str> {
        self.elem.attr("", "by")
    }

    /// The defined condition; `None` when the condition element is missing or its name
    /// is not one RFC 6120 defines (see [`condition_element`](Self::condition_element)).
    pub fn condition(&self) -> Option<StanzaErrorCondition> {
        self.condition_element()
            .and_then(|c| StanzaErrorCondition::from_name(c.local_name()))
    }

    /// The condition element: the first child in `urn:ietf:params:xml:ns:xmpp-stanzas`
    /// other than `<text/>`.
    pub fn condition_element(&self) -> Option<Element<'a>> {
        condition_element(&self.elem, ns::STANZAS)
    }

    /// The alternate address carried by `<gone/>` and `<redirect/>` (RFC 6120 sections
    /// 8.3.3.5 and 8.3.3.14), when present and not empty.
    pub fn alternate_address(&self) -> Option<&'a str> {
        let c = self.condition_element()?;
        if !matches!(c.local_name(), "gone" | "redirect") {
            return None;
        }
        Some(c.text()).filter(|t| !t.is_empty())
    }

    /// The text of the first `<text/>` child.
    pub fn text(&self) -> Option<&'a str> {
        self.texts().next().map(|(_, t)| t)
    }

    /// Every `<text/>` child as (`xml:lang`, text): RFC 6120 allows one per language.
    pub fn texts(&self) -> impl Iterator<Item = (Option<&'a str>, &'a str)> + 'a {
        texts(self.elem, ns::STANZAS)
    }

    /// The application-specific condition: the first child outside the stanza-errors
    /// namespace.
    pub fn app_specific(&self) -> Option<Element<'a>> {
        app_specific(&self.elem, ns::STANZAS)
    }
}

/// A view of a `<stream:error/>` (RFC 6120 section 4.9): its defined condition
/// ([`Condition`]), optional descriptive text and application-specific condition.
///
/// ```
/// use xmpp_stream::{Condition, Event, Parser};
/// use xmpp_stream::xmpp::Kind;
///
/// let mut parser = Parser::new();
/// parser.feed(b"<stream:stream xmlns='jabber:client' \
///     xmlns:stream='http://etherx.jabber.org/streams'><stream:error>\
///     <see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>[2001:db8::ea]:5222</see-other-host>\
///     <text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>moving</text>\
///     <escape-your-data xmlns='http://example.org/ns'/></stream:error>");
/// parser.next_event()?; // the header
/// let Some(Event::Stanza(s)) = parser.next_event()? else { panic!() };
/// assert_eq!(s.kind(), Kind::StreamError);
/// let err = s.stream_error().unwrap();
/// assert_eq!(err.condition(), Some(Condition::SeeOtherHost));
/// assert_eq!(err.see_other_host(), Some("[2001:db8::ea]:5222"));
/// assert_eq!(err.text(), Some("moving"));
/// assert_eq!(err.app_specific().unwrap().local_name(), "escape-your-data");
/// # Ok::<(), xmpp_stream::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct StreamError<'a> {
    elem: Element<'a>,
}

impl<'a> StreamError<'a> {
    /// A view over a `<stream:error/>` element.
    pub fn new(elem: Element<'a>) -> Self {
        StreamError { elem }
    }

    /// The `<stream:error/>` element.
    pub fn element(&self) -> Element<'a> {
        self.elem
    }

    /// The defined condition; `None` when the condition element is missing or its name
    /// is not one RFC 6120 defines.
    pub fn condition(&self) -> Option<Condition> {
        self.condition_element()
            .and_then(|c| Condition::from_name(c.local_name()))
            .filter(|c| c.is_rfc6120())
    }

    /// The condition element: the first child in `urn:ietf:params:xml:ns:xmpp-streams`
    /// other than `<text/>`.
    pub fn condition_element(&self) -> Option<Element<'a>> {
        condition_element(&self.elem, ns::STREAM_ERRORS)
    }

    /// The host (and port) carried by `<see-other-host/>` (RFC 6120 section 4.9.3.19).
    pub fn see_other_host(&self) -> Option<&'a str> {
        let c = self.condition_element()?;
        if c.local_name() != "see-other-host" {
            return None;
        }
        Some(c.text()).filter(|t| !t.is_empty())
    }

    /// The text of the first `<text/>` child.
    pub fn text(&self) -> Option<&'a str> {
        self.texts().next().map(|(_, t)| t)
    }

    /// Every `<text/>` child as (`xml:lang`, text).
    pub fn texts(&self) -> impl Iterator<Item = (Option<&'a str>, &'a str)> + 'a {
        texts(self.elem, ns::STREAM_ERRORS)
    }

    /// The application-specific condition: the first child outside the stream-errors
    /// namespace.
    pub fn app_specific(&self) -> Option<Element<'a>> {
        app_specific(&self.elem, ns::STREAM_ERRORS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stanza_condition_table_is_in_declaration_order() {
        for (i, (c, name, _)) in STANZA_CONDITIONS.iter().enumerate() {
            assert_eq!(*c as usize, i, "{name}");
            assert_eq!(StanzaErrorCondition::from_name(name), Some(*c));
            assert_eq!(c.to_string(), *name);
        }
        for t in [
            StanzaErrorType::Auth,
            StanzaErrorType::Cancel,
            StanzaErrorType::Continue,
            StanzaErrorType::Modify,
            StanzaErrorType::Wait,
        ] {
            assert_eq!(StanzaErrorType::from_name(t.as_str()), Some(t));
        }
    }
}

//! RFC 6120 stream-error conditions (section 4.9.3): the vocabulary a server or client uses
//! to tell its peer why a stream is being closed. Pure data, no behaviour beyond naming.

use core::fmt;

/// A stream-error condition of RFC 6120 section 4.9.3, plus [`Condition::Incomplete`].
///
/// [`crate::Error::condition`] maps every parser error to the condition an XMPP entity
/// sends in `<stream:error/>`. The parser itself only produces `NotWellFormed`,
/// `RestrictedXml`, `UnsupportedEncoding`, `InvalidNamespace`, `PolicyViolation` and
/// `Incomplete`; the other conditions are here so that higher layers (header checks,
/// `<stream:error/>` parsing) share one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Condition {
    /// `bad-format`: XML that cannot be processed.
    BadFormat,
    /// `bad-namespace-prefix`: an unsupported namespace prefix, or a missing one.
    BadNamespacePrefix,
    /// `conflict`: a new stream conflicts with an existing one.
    Conflict,
    /// `connection-timeout`: the peer has not generated traffic for some time.
    ConnectionTimeout,
    /// `host-gone`: the `to` address is no longer serviced.
    HostGone,
    /// `host-unknown`: the `to` address is not serviced.
    HostUnknown,
    /// `improper-addressing`: a stanza lacks a required `to` or `from`.
    ImproperAddressing,
    /// `internal-server-error`: a misconfiguration or other internal error.
    InternalServerError,
    /// `invalid-from`: the `from` address does not match an authorized JID.
    InvalidFrom,
    /// `invalid-namespace`: the stream or content namespace is wrong.
    InvalidNamespace,
    /// `invalid-xml`: XML that fails validation.
    InvalidXml,
    /// `not-authorized`: data sent before stream negotiation completed.
    NotAuthorized,
    /// `not-well-formed`: XML that violates XML 1.0 or Namespaces in XML well-formedness.
    NotWellFormed,
    /// `policy-violation`: a local policy (here: a [`crate::Limits`] value) was violated.
    PolicyViolation,
    /// `remote-connection-failed`: a remote server could not be reached.
    RemoteConnectionFailed,
    /// `reset`: the stream is being reset (e.g. credentials changed).
    Reset,
    /// `resource-constraint`: the server lacks the resources to service the stream.
    ResourceConstraint,
    /// `restricted-xml`: a comment, processing instruction, DTD or non-predefined entity
    /// reference (RFC 6120 section 11.1).
    RestrictedXml,
    /// `see-other-host`: the client should connect to another host.
    SeeOtherHost,
    /// `system-shutdown`: the server is shutting down.
    SystemShutdown,
    /// `undefined-condition`: none of the other conditions applies.
    UndefinedCondition,
    /// `unsupported-encoding`: an encoding other than UTF-8, or bytes that break UTF-8.
    UnsupportedEncoding,
    /// `unsupported-feature`: a mandatory-to-negotiate feature is not supported.
    UnsupportedFeature,
    /// `unsupported-stanza-type`: a first-level child the entity does not support.
    UnsupportedStanzaType,
    /// `unsupported-version`: the `version` of the stream header is not supported.
    UnsupportedVersion,
    /// Not an RFC 6120 condition: the input ended inside the stream header or a stanza
    /// (the peer went away mid-element). There is nobody left to send an error to.
    Incomplete,
}

const NAMES: [(Condition, &str); 26] = [
    (Condition::BadFormat, "bad-format"),
    (Condition::BadNamespacePrefix, "bad-namespace-prefix"),
    (Condition::Conflict, "conflict"),
    (Condition::ConnectionTimeout, "connection-timeout"),
    (Condition::HostGone, "host-gone"),
    (Condition::HostUnknown, "host-unknown"),
    (Condition::ImproperAddressing, "improper-addressing"),
    (Condition::InternalServerError, "internal-server-error"),
    (Condition::InvalidFrom, "invalid-from"),
    (Condition::InvalidNamespace, "invalid-namespace"),
    (Condition::InvalidXml, "invalid-xml"),
    (Condition::NotAuthorized, "not-authorized"),
    (Condition::NotWellFormed, "not-well-formed"),
    (Condition::PolicyViolation, "policy-violation"),
    (
        Condition::RemoteConnectionFailed,
        "remote-connection-failed",
    ),
    (Condition::Reset, "reset"),
    (Condition::ResourceConstraint, "resource-constraint"),
    (Condition::RestrictedXml, "restricted-xml"),
    (Condition::SeeOtherHost, "see-other-host"),
    (Condition::SystemShutdown, "system-shutdown"),
    (Condition::UndefinedCondition, "undefined-condition"),
    (Condition::UnsupportedEncoding, "unsupported-encoding"),
    (Condition::UnsupportedFeature, "unsupported-feature"),
    (Condition::UnsupportedStanzaType, "unsupported-stanza-type"),
    (Condition::UnsupportedVersion, "unsupported-version"),
    (Condition::Incomplete, "incomplete"),
];

impl Condition {
    /// The element name used in `<stream:error/>` (e.g. `"not-well-formed"`), or
    /// `"incomplete"` for [`Condition::Incomplete`].
    pub fn as_str(self) -> &'static str {
        NAMES[self as usize].1
    }

    /// Looks a condition up by its element name; `None` for names RFC 6120 does not define
    /// (`"incomplete"` is accepted and gives [`Condition::Incomplete`]).
    pub fn from_name(name: &str) -> Option<Condition> {
        NAMES.iter().find(|(_, n)| *n == name).map(|(c, _)| *c)
    }

    /// Whether this is one of the conditions RFC 6120 defines (everything but
    /// [`Condition::Incomplete`]).
    pub fn is_rfc6120(self) -> bool {
        self != Condition::Incomplete
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_table_is_in_declaration_order() {
        for (i, (c, name)) in NAMES.iter().enumerate() {
            assert_eq!(*c as usize, i, "{name} out of order");
            assert_eq!(c.as_str(), *name);
            assert_eq!(Condition::from_name(name), Some(*c));
        }
        assert_eq!(Condition::from_name("no-such-condition"), None);
        assert!(!Condition::Incomplete.is_rfc6120());
        assert!(Condition::NotWellFormed.is_rfc6120());
        assert_eq!(Condition::RestrictedXml.to_string(), "restricted-xml");
    }
}

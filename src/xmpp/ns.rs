//! Namespace names XMPP uses.

/// `jabber:client`: the content namespace of client-to-server streams.
pub const CLIENT: &str = "jabber:client";
/// `jabber:server`: the content namespace of server-to-server streams.
pub const SERVER: &str = "jabber:server";
/// `jabber:component:accept`: the content namespace of component streams (XEP-0114).
pub const COMPONENT_ACCEPT: &str = "jabber:component:accept";
/// `http://etherx.jabber.org/streams`: the streams namespace.
pub const STREAMS: &str = crate::tree::STREAMS_NS;
/// `urn:ietf:params:xml:ns:xmpp-streams`: stream-error conditions.
pub const STREAM_ERRORS: &str = "urn:ietf:params:xml:ns:xmpp-streams";
/// `urn:ietf:params:xml:ns:xmpp-stanzas`: stanza-error conditions.
pub const STANZAS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";
/// `urn:ietf:params:xml:ns:xmpp-tls`: STARTTLS.
pub const TLS: &str = "urn:ietf:params:xml:ns:xmpp-tls";
/// `urn:ietf:params:xml:ns:xmpp-sasl`: SASL.
pub const SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";
/// `urn:ietf:params:xml:ns:xmpp-bind`: resource binding.
pub const BIND: &str = "urn:ietf:params:xml:ns:xmpp-bind";
/// `urn:ietf:params:xml:ns:xmpp-session`: the legacy session establishment.
pub const SESSION: &str = "urn:ietf:params:xml:ns:xmpp-session";
/// `urn:xmpp:sm:3`: stream management (XEP-0198).
pub const SM: &str = "urn:xmpp:sm:3";
/// `urn:xmpp:sm:2`: stream management, the older namespace.
pub const SM_2: &str = "urn:xmpp:sm:2";
/// `jabber:server:dialback`: server dialback (XEP-0220).
pub const DIALBACK: &str = "jabber:server:dialback";
/// `urn:ietf:params:xml:ns:xmpp-framing`: WebSocket framing (RFC 7395).
pub const FRAMING: &str = "urn:ietf:params:xml:ns:xmpp-framing";

//! Writing BOSH `<body/>` wrappers (XEP-0124, XEP-0206): session request and response,
//! restart, terminate, and plain bodies carrying stanzas.

use super::super::header::Version;
use super::super::ns;
use super::super::writer::push_attr;
use super::BoshCondition;

/// The attributes of a `<body/>` to write with [`write_body`]; `None` fields are left
/// out. The constructors fill in what XEP-0124/XEP-0206 require for each kind of body.
///
/// ```
/// use xmpp_stream::xmpp::{write_body, BodySpec, BoshCondition};
/// let mut out = Vec::new();
/// write_body(&mut out, &BodySpec::session_request(1573741820, "example.com", 60, 1), b"");
/// assert_eq!(out, &b"<body xmlns='http://jabber.org/protocol/httpbind' \
///     xmlns:xmpp='urn:xmpp:xbosh' content='text/xml; charset=utf-8' hold='1' \
///     rid='1573741820' to='example.com' ver='1.6' wait='60' xmpp:version='1.0'/>"[..]);
///
/// out.clear();
/// write_body(&mut out, &BodySpec::restart(1573741822, "SomeSID", "example.com"), b"");
/// assert_eq!(out, &b"<body xmlns='http://jabber.org/protocol/httpbind' \
///     xmlns:xmpp='urn:xmpp:xbosh' rid='1573741822' sid='SomeSID' to='example.com' \
///     xmpp:restart='true'/>"[..]);
///
/// out.clear();
/// let spec = BodySpec::terminate(1573741823, "SomeSID", Some(BoshCondition::PolicyViolation));
/// write_body(&mut out, &spec, b"<presence type='unavailable' xmlns='jabber:client'/>");
/// assert_eq!(out, &b"<body xmlns='http://jabber.org/protocol/httpbind' \
///     condition='policy-violation' rid='1573741823' sid='SomeSID' type='terminate'>\
///     <presence type='unavailable' xmlns='jabber:client'/></body>"[..]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BodySpec<'a> {
    /// `ack`.
    pub ack: Option<u64>,
    /// `authid` (session response: the server's stream id).
    pub authid: Option<&'a str>,
    /// `condition` (with `type='terminate'`).
    pub condition: Option<BoshCondition<'a>>,
    /// `content` (session request; XEP-0124 suggests `text/xml; charset=utf-8`).
    pub content: Option<&'a str>,
    /// `from`.
    pub from: Option<&'a str>,
    /// `hold`.
    pub hold: Option<u32>,
    /// `inactivity` (session response).
    pub inactivity: Option<u32>,
    /// `polling` (session response).
    pub polling: Option<u32>,
    /// `requests` (session response).
    pub requests: Option<u32>,
    /// `rid` (every request).
    pub rid: Option<u64>,
    /// `route`.
    pub route: Option<&'a str>,
    /// `sid` (every request after the first; the session response).
    pub sid: Option<&'a str>,
    /// `to`.
    pub to: Option<&'a str>,
    /// `type` (`terminate`, ...).
    pub type_: Option<&'a str>,
    /// `ver`: the BOSH version (XEP-0124 is at 1.11; Prosody and Strophe send 1.6).
    pub ver: Option<&'a str>,
    /// `wait`.
    pub wait: Option<u32>,
    /// `xml:lang`.
    pub lang: Option<&'a str>,
    /// `xmpp:version` (XEP-0206 session request and response).
    pub xmpp_version: Option<Version>,
    /// `xmpp:restart='true'` (XEP-0206 restart request).
    pub xmpp_restart: bool,
}

impl<'a> BodySpec<'a> {
    /// A session request (XEP-0124 section 7.1, XEP-0206 section 3): `rid`, `to`,
    /// `wait`, `hold`, `content`, `ver='1.6'`, `xmpp:version='1.0'`.
    pub fn session_request(rid: u64, to: &'a str, wait: u32, hold: u32) -> Self {
        BodySpec {
            rid: Some(rid),
            to: Some(to),
            wait: Some(wait),
            hold: Some(hold),
            content: Some("text/xml; charset=utf-8"),
            ver: Some("1.6"),
            xmpp_version: Some(Version::V1_0),
            ..BodySpec::default()
        }
    }

    /// A request carrying stanzas (or an empty poll): `rid` and `sid`.
    pub fn request(rid: u64, sid: &'a str) -> Self {
        BodySpec {
            rid: Some(rid),
            sid: Some(sid),
            ..BodySpec::default()
        }
    }

    /// A restart request after SASL success (XEP-0206 section 5): `rid`, `sid`, `to`,
    /// `xmpp:restart='true'`.
    pub fn restart(rid: u64, sid: &'a str, to: &'a str) -> Self {
        BodySpec {
            to: Some(to),
            xmpp_restart: true,
            ..BodySpec::request(rid, sid)
        }
    }

    /// A terminate request or response (XEP-0124 sections 12 and 17.2), with a
    /// condition when it ends the session on an error.
    pub fn terminate(rid: u64, sid: &'a str, condition: Option<BoshCondition<'a>>) -> Self {
        BodySpec {
            type_: Some("terminate"),
            condition,
            ..BodySpec::request(rid, sid)
        }
    }
}

fn push_num(out: &mut Vec<u8>, name: &str, n: Option<u64>) {
    if let Some(n) = n {
        push_attr(out, name, &n.to_string());
    }
}

/// Appends a `<body/>` with the attributes of `spec` (in alphabetical order, the
/// `xmpp:` ones last) around `payload`, which must be well-formed XML content (stanzas
/// that declare their namespace, as [`write_stanza`](crate::xmpp::write_stanza) with
/// [`Target::Standalone`](crate::xmpp::Target::Standalone) writes them). An empty
/// payload gives an empty-element tag. The `xmpp` prefix is declared only when an
/// `xmpp:` attribute is written.
pub fn write_body(out: &mut Vec<u8>, spec: &BodySpec<'_>, payload: &[u8]) {
    out.extend_from_slice(b"<body xmlns='");
    out.extend_from_slice(ns::HTTPBIND.as_bytes());
    out.push(b'\'');
    if spec.xmpp_version.is_some() || spec.xmpp_restart {
        out.extend_from_slice(b" xmlns:xmpp='");
        out.extend_from_slice(ns::XBOSH.as_bytes());
        out.push(b'\'');
    }
    push_num(out, "ack", spec.ack);
    for (name, v) in [
        ("authid", spec.authid),
        (
            "condition",
            spec.condition.as_ref().map(BoshCondition::as_str),
        ),
        ("content", spec.content),
        ("from", spec.from),
    ] {
        if let Some(v) = v {
            push_attr(out, name, v);
        }
    }
    push_num(out, "hold", spec.hold.map(u64::from));
    push_num(out, "inactivity", spec.inactivity.map(u64::from));
    push_num(out, "polling", spec.polling.map(u64::from));
    push_num(out, "requests", spec.requests.map(u64::from));
    push_num(out, "rid", spec.rid);
    for (name, v) in [
        ("route", spec.route),
        ("sid", spec.sid),
        ("to", spec.to),
        ("type", spec.type_),
        ("ver", spec.ver),
    ] {
        if let Some(v) = v {
            push_attr(out, name, v);
        }
    }
    push_num(out, "wait", spec.wait.map(u64::from));
    if let Some(lang) = spec.lang {
        push_attr(out, "xml:lang", lang);
    }
    if let Some(v) = spec.xmpp_version {
        push_attr(out, "xmpp:version", &v.to_string());
    }
    if spec.xmpp_restart {
        push_attr(out, "xmpp:restart", "true");
    }
    if payload.is_empty() {
        out.extend_from_slice(b"/>");
    } else {
        out.push(b'>');
        out.extend_from_slice(payload);
        out.extend_from_slice(b"</body>");
    }
}

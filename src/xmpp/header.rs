//! The stream header view ([`StreamHeader`]): addressing attributes, version, language,
//! content namespace, and the RFC 6120 section 4.7/4.8 checks a receiving entity makes
//! ([`HeaderCheck`]).

use super::ns;
use crate::condition::Condition;
use crate::tree::Element;
use crate::tree::{STREAMS_NS, XML_NS};
use core::fmt;

/// An XMPP version, `major.minor` (RFC 6120 section 4.7.5). Ordered by major, then
/// minor number.
///
/// ```
/// use xmpp_stream::xmpp::Version;
/// assert_eq!(Version::parse("1.0"), Some(Version::V1_0));
/// assert_eq!(Version::parse("01.010"), Some(Version { major: 1, minor: 10 }));
/// assert!(Version::parse("1.10").unwrap() > Version::parse("1.9").unwrap());
/// assert_eq!(Version::parse("1"), None);
/// assert_eq!(Version::V1_0.to_string(), "1.0");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// The major number.
    pub major: u32,
    /// The minor number.
    pub minor: u32,
}

impl Version {
    /// Version 1.0, the version of RFC 6120.
    pub const V1_0: Version = Version { major: 1, minor: 0 };

    /// Parses `major.minor`: two non-negative decimal integers (leading zeros ignored, as
    /// RFC 6120 asks); `None` for anything else.
    pub fn parse(s: &str) -> Option<Version> {
        let (major, minor) = s.split_once('.')?;
        let num = |p: &str| -> Option<u32> {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse().ok()
        };
        Some(Version {
            major: num(major)?,
            minor: num(minor)?,
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The content namespace a stream header declares as its default namespace (RFC 6120
/// section 4.8.2).
///
/// ```
/// use xmpp_stream::xmpp::ContentNamespace;
/// assert_eq!(ContentNamespace::from_ns(Some("jabber:server")), ContentNamespace::Server);
/// assert_eq!(ContentNamespace::from_ns(Some("urn:x")).as_str(), Some("urn:x"));
/// assert_eq!(ContentNamespace::from_ns(None), ContentNamespace::Undeclared);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentNamespace<'a> {
    /// `jabber:client`.
    Client,
    /// `jabber:server`.
    Server,
    /// `jabber:component:accept` (XEP-0114).
    ComponentAccept,
    /// Another namespace name.
    Other(&'a str),
    /// No default namespace declaration (or `xmlns=''`); also what a WebSocket `<open/>`
    /// reports, since RFC 7395 stanzas declare their own namespace.
    Undeclared,
}

impl<'a> ContentNamespace<'a> {
    /// Classifies a namespace name (`None` or `""`: undeclared).
    pub fn from_ns(ns: Option<&'a str>) -> ContentNamespace<'a> {
        match ns {
            None | Some("") => ContentNamespace::Undeclared,
            Some(ns::CLIENT) => ContentNamespace::Client,
            Some(ns::SERVER) => ContentNamespace::Server,
            Some(ns::COMPONENT_ACCEPT) => ContentNamespace::ComponentAccept,
            Some(other) => ContentNamespace::Other(other),
        }
    }

    /// The namespace name, `None` when undeclared.
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            ContentNamespace::Client => Some(ns::CLIENT),
            ContentNamespace::Server => Some(ns::SERVER),
            ContentNamespace::ComponentAccept => Some(ns::COMPONENT_ACCEPT),
            ContentNamespace::Other(s) => Some(s),
            ContentNamespace::Undeclared => None,
        }
    }
}

/// A view of a stream header: the `<stream:stream>` start tag of a stream, or the
/// `<open/>` element of WebSocket framing (RFC 7395), which plays the same part.
///
/// ```
/// use xmpp_stream::{Event, Parser};
/// use xmpp_stream::xmpp::{ContentNamespace, HeaderCheck, StreamHeader, Version};
///
/// let mut parser = Parser::new();
/// parser.feed(b"<stream:stream from='juliet@im.example.com' to='im.example.com' \
///     version='1.0' xml:lang='en' xmlns='jabber:client' \
///     xmlns:stream='http://etherx.jabber.org/streams'>");
/// let Some(Event::Header(h)) = parser.next_event()? else { panic!() };
/// let h = StreamHeader::new(h);
/// assert_eq!(h.to(), Some("im.example.com"));
/// assert_eq!(h.from(), Some("juliet@im.example.com"));
/// assert_eq!(h.id(), None);
/// assert_eq!(h.version(), Some(Version::V1_0));
/// assert_eq!(h.lang(), Some("en"));
/// assert_eq!(h.content_ns(), ContentNamespace::Client);
/// assert_eq!(h.stream_prefix(), Some("stream"));
/// assert_eq!(h.check(&HeaderCheck::client().hosts(&["im.example.com"])), Ok(()));
/// # Ok::<(), xmpp_stream::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct StreamHeader<'a> {
    elem: Element<'a>,
}

impl<'a> From<Element<'a>> for StreamHeader<'a> {
    fn from(elem: Element<'a>) -> Self {
        StreamHeader { elem }
    }
}

impl<'a> StreamHeader<'a> {
    /// A header view over an element (normally from [`Event::Header`](crate::Event) or
    /// [`Parser::header`](crate::Parser::header)).
    pub fn new(elem: Element<'a>) -> Self {
        StreamHeader { elem }
    }

    /// The underlying element.
    pub fn element(&self) -> Element<'a> {
        self.elem
    }

    /// The `to` attribute.
    pub fn to(&self) -> Option<&'a str> {
        self.elem.attr("", "to")
    }

    /// The `from` attribute.
    pub fn from(&self) -> Option<&'a str> {
        self.elem.attr("", "from")
    }

    /// The `id` attribute (the stream id, set by the receiving entity).
    pub fn id(&self) -> Option<&'a str> {
        self.elem.attr("", "id")
    }

    /// The `version` attribute as written.
    pub fn version_attr(&self) -> Option<&'a str> {
        self.elem.attr("", "version")
    }

    /// The version; `None` when absent (RFC 6120 reads that as 0.9) or malformed (see
    /// [`version_attr`](Self::version_attr)).
    pub fn version(&self) -> Option<Version> {
        self.version_attr().and_then(Version::parse)
    }

    /// The `xml:lang` attribute: the stream's default language.
    pub fn lang(&self) -> Option<&'a str> {
        self.elem.attr(XML_NS, "lang")
    }

    /// The default namespace declared on the header: the content namespace.
    pub fn content_ns(&self) -> ContentNamespace<'a> {
        if self.is_websocket() {
            return ContentNamespace::Undeclared;
        }
        ContentNamespace::from_ns(default_decl(&self.elem))
    }

    /// The prefix bound to the streams namespace on the header (`stream` in practice);
    /// `None` when the header element is unprefixed.
    pub fn stream_prefix(&self) -> Option<&'a str> {
        self.elem.prefix()
    }

    /// Whether this is a WebSocket `<open/>` (RFC 7395) rather than a `<stream:stream>`.
    pub fn is_websocket(&self) -> bool {
        self.elem.is(ns::FRAMING, "open")
    }

    /// Checks the header as a receiving entity does (RFC 6120 sections 4.7 and 4.8,
    /// 4.9.3) and says which stream error to send if it fails. In order:
    ///
    /// 1. the element must be `stream` in the streams namespace (or `open` in the framing
    ///    namespace), else `invalid-namespace`;
    /// 2. `<stream:stream>` only: it must be prefixed, and with the required prefix if
    ///    one is set ([`HeaderCheck::stream_prefix`]), else `bad-namespace-prefix`
    ///    (section 4.8.5);
    /// 3. `<stream:stream>` only: the default namespace must be the expected content
    ///    namespace, if one is set, else `invalid-namespace` (sections 4.8.2, 4.9.3.10);
    /// 4. the version: absent or malformed while a minimum is set, lower than the
    ///    minimum, or with a major number above the maximum: `unsupported-version`
    ///    (sections 4.7.5, 4.9.3.25);
    /// 5. the `to` address, if hosts are set: absent or not one of them (compared ASCII
    ///    case-insensitively): `host-unknown` (section 4.9.3.6).
    ///
    /// `xml:lang` is not checked: RFC 6120 section 4.7.4 asks for a default language
    /// rather than an error.
    pub fn check(&self, rules: &HeaderCheck<'_>) -> Result<(), Condition> {
        let e = &self.elem;
        let websocket = self.is_websocket();
        if !websocket && !e.is(STREAMS_NS, "stream") {
            return Err(Condition::InvalidNamespace);
        }
        if !websocket {
            match (e.prefix(), rules.stream_prefix) {
                (None, _) => return Err(Condition::BadNamespacePrefix),
                (Some(p), Some(want)) if p != want => return Err(Condition::BadNamespacePrefix),
                _ => {}
            }
            if let Some(want) = rules.content_ns {
                if default_decl(e) != Some(want) {
                    return Err(Condition::InvalidNamespace);
                }
            }
        }
        let min = rules.min_version;
        let version_ok = match self.version_attr().map(Version::parse) {
            // Absent (0.9) or malformed: acceptable only without a minimum.
            None | Some(None) => min.is_none(),
            Some(Some(v)) => v.major <= rules.max_major && min.is_none_or(|m| v >= m),
        };
        if !version_ok {
            return Err(Condition::UnsupportedVersion);
        }
        if let Some(hosts) = rules.hosts {
            match self.to() {
                Some(to) if hosts.iter().any(|h| h.eq_ignore_ascii_case(to)) => {}
                _ => return Err(Condition::HostUnknown),
            }
        }
        Ok(())
    }
}

/// The value of the element's `xmlns='...'` declaration, if it has one.
pub(crate) fn default_decl<'a>(e: &Element<'a>) -> Option<&'a str> {
    e.ns_decls()
        .find_map(|(p, ns)| if p.is_none() { Some(ns) } else { None })
}

/// What [`StreamHeader::check`] requires of a header.
///
/// ```
/// use xmpp_stream::{Condition, Event, Parser};
/// use xmpp_stream::xmpp::{HeaderCheck, StreamHeader};
///
/// let mut parser = Parser::new();
/// parser.feed(b"<stream:stream to='example.com' version='2.0' xmlns='jabber:client' \
///     xmlns:stream='http://etherx.jabber.org/streams'>");
/// let Some(Event::Header(h)) = parser.next_event()? else { panic!() };
/// let h = StreamHeader::new(h);
/// assert_eq!(h.check(&HeaderCheck::client()), Err(Condition::UnsupportedVersion));
/// assert_eq!(h.check(&HeaderCheck::server()), Err(Condition::InvalidNamespace));
/// assert_eq!(h.check(&HeaderCheck::client().max_major(2)), Ok(()));
/// assert_eq!(
///     h.check(&HeaderCheck::client().max_major(2).hosts(&["example.net"])),
///     Err(Condition::HostUnknown)
/// );
/// # Ok::<(), xmpp_stream::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HeaderCheck<'a> {
    content_ns: Option<&'a str>,
    min_version: Option<Version>,
    max_major: u32,
    stream_prefix: Option<&'a str>,
    hosts: Option<&'a [&'a str]>,
}

impl<'a> HeaderCheck<'a> {
    /// Expects the content namespace `content_ns`, version 1.0 or later with major
    /// version 1, any streams prefix, any `to`.
    pub fn new(content_ns: &'a str) -> Self {
        HeaderCheck {
            content_ns: Some(content_ns),
            min_version: Some(Version::V1_0),
            max_major: 1,
            stream_prefix: None,
            hosts: None,
        }
    }

    /// A server reading a client's header: `jabber:client`, version 1.x.
    pub fn client() -> Self {
        HeaderCheck::new(ns::CLIENT)
    }

    /// A server reading a peer server's header: `jabber:server`, version 1.x.
    pub fn server() -> Self {
        HeaderCheck::new(ns::SERVER)
    }

    /// A server reading an external component's header (XEP-0114):
    /// `jabber:component:accept`, no version required.
    pub fn component() -> Self {
        HeaderCheck::new(ns::COMPONENT_ACCEPT).min_version(None)
    }

    /// The expected content namespace (`None`: any).
    pub fn content_ns(mut self, ns: Option<&'a str>) -> Self {
        self.content_ns = ns;
        self
    }

    /// The lowest version accepted (`None`: any, and a missing or malformed version
    /// passes).
    pub fn min_version(mut self, v: Option<Version>) -> Self {
        self.min_version = v;
        self
    }

    /// The highest major version accepted (default 1).
    pub fn max_major(mut self, major: u32) -> Self {
        self.max_major = major;
        self
    }

    /// The only prefix accepted for the streams namespace (RFC 6120 section 4.8.5 lets
    /// implementations accept only `stream`); `None` (the default): any prefix.
    pub fn stream_prefix(mut self, prefix: Option<&'a str>) -> Self {
        self.stream_prefix = prefix;
        self
    }

    /// The domains this entity serves; the header's `to` must be one of them.
    pub fn hosts(mut self, hosts: &'a [&'a str]) -> Self {
        self.hosts = Some(hosts);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Event, Parser};

    fn header_check(tag: &str, rules: &HeaderCheck<'_>) -> Result<(), Condition> {
        let mut p = Parser::new();
        p.feed(tag.as_bytes());
        match p.next_event().unwrap() {
            Some(Event::Header(h)) => StreamHeader::new(h).check(rules),
            other => panic!("{other:?}"),
        }
    }

    const S: &str = "xmlns:stream='http://etherx.jabber.org/streams'";

    #[test]
    fn checks_follow_rfc6120() {
        let c = HeaderCheck::client();
        let ok = format!("<stream:stream version='1.0' xmlns='jabber:client' {S}>");
        assert_eq!(header_check(&ok, &c), Ok(()));
        let v09 = format!("<stream:stream xmlns='jabber:client' {S}>");
        assert_eq!(header_check(&v09, &c), Err(Condition::UnsupportedVersion));
        assert_eq!(header_check(&v09, &c.min_version(None)), Ok(()));
        let v11 = format!("<stream:stream version='1.1' xmlns='jabber:client' {S}>");
        assert_eq!(header_check(&v11, &c), Ok(()));
        let bad = format!("<stream:stream version='one' xmlns='jabber:client' {S}>");
        assert_eq!(header_check(&bad, &c), Err(Condition::UnsupportedVersion));
        let no_ns = format!("<stream:stream version='1.0' {S}>");
        assert_eq!(header_check(&no_ns, &c), Err(Condition::InvalidNamespace));
        assert_eq!(header_check(&no_ns, &c.content_ns(None)), Ok(()));
        let foobar = "<foobar:stream version='1.0' xmlns='jabber:client' \
                      xmlns:foobar='http://etherx.jabber.org/streams'>";
        assert_eq!(header_check(foobar, &c), Ok(()));
        assert_eq!(
            header_check(foobar, &c.stream_prefix(Some("stream"))),
            Err(Condition::BadNamespacePrefix)
        );
        let unprefixed =
            "<stream version='1.0' xmlns='http://etherx.jabber.org/streams'>".to_string();
        assert_eq!(
            header_check(&unprefixed, &c),
            Err(Condition::BadNamespacePrefix)
        );
        let to =
            format!("<stream:stream to='Example.COM' version='1.0' xmlns='jabber:client' {S}>");
        assert_eq!(header_check(&to, &c.hosts(&["example.com"])), Ok(()));
        assert_eq!(
            header_check(&ok, &c.hosts(&["example.com"])),
            Err(Condition::HostUnknown)
        );
        let comp =
            format!("<stream:stream to='x.example.com' xmlns='jabber:component:accept' {S}>");
        assert_eq!(header_check(&comp, &HeaderCheck::component()), Ok(()));
    }

    #[test]
    fn versions() {
        assert_eq!(Version::parse("1.0"), Some(Version::V1_0));
        assert_eq!(Version::parse("001.000"), Some(Version::V1_0));
        for bad in [
            "",
            ".",
            "1.",
            ".0",
            "1.0.0",
            "+1.0",
            "1.-0",
            " 1.0",
            "99999999999.0",
        ] {
            assert_eq!(Version::parse(bad), None, "{bad:?}");
        }
        assert!(Version { major: 0, minor: 9 } < Version::V1_0);
    }
}

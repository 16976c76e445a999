//! XEP-0478 Stream Limits Advertisement: the `<limits xmlns='urn:xmpp:stream-limits:0'/>`
//! a receiving entity puts in its `<stream:features/>` to say the largest top-level
//! element it accepts (`<max-bytes/>`) and after how many idle seconds it may check or
//! close the stream (`<idle-seconds/>`). [`StreamLimits`] reads it from the features as a
//! view; [`StreamLimitsSpec`] writes it with the crate's [`Writer`].

use super::ns::STREAM_LIMITS;
use super::writer::Writer;
use crate::Element;
use core::fmt;
use core::num::NonZeroU32;

/// A `<limits/>` element of XEP-0478, read from stream features.
///
/// ```
/// use xmpp_stream::{Event, Parser};
/// use xmpp_stream::xmpp::StreamLimits;
///
/// let mut p = Parser::new();
/// p.feed(b"<stream:stream xmlns='jabber:client' \
///     xmlns:stream='http://etherx.jabber.org/streams'><stream:features>\
///     <limits xmlns='urn:xmpp:stream-limits:0'><max-bytes>262144</max-bytes>\
///     <idle-seconds>840</idle-seconds></limits></stream:features>");
/// p.next_event()?;
/// let Some(Event::Stanza(s)) = p.next_event()? else { panic!() };
/// let limits = StreamLimits::in_features(s.root()).unwrap();
/// assert_eq!(limits.max_bytes().unwrap().map(|n| n.get()), Some(262_144));
/// assert_eq!(limits.idle_seconds().unwrap().map(|n| n.get()), Some(840));
/// # Ok::<(), xmpp_stream::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct StreamLimits<'a> {
    el: Element<'a>,
}

/// A `<limits/>` child whose value is not a positive integer that fits a `u32`, or that
/// appears twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamLimitsError {
    /// The value of `<max-bytes/>` or `<idle-seconds/>` (named) is not a positive
    /// decimal integer of at most `u32::MAX` (surrounding whitespace is allowed).
    Invalid {
        /// The child's local name.
        limit: &'static str,
    },
    /// The child appears more than once.
    Repeated {
        /// The child's local name.
        limit: &'static str,
    },
}

impl fmt::Display for StreamLimitsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamLimitsError::Invalid { limit } => {
                write!(f, "<{limit}/> is not a positive 32-bit integer")
            }
            StreamLimitsError::Repeated { limit } => write!(f, "<{limit}/> appears twice"),
        }
    }
}

impl std::error::Error for StreamLimitsError {}

const MAX_BYTES: &str = "max-bytes";
const IDLE_SECONDS: &str = "idle-seconds";

impl<'a> StreamLimits<'a> {
    /// `el` as a limits element, if it is `<limits/>` in the XEP-0478 namespace.
    pub fn new(el: Element<'a>) -> Option<Self> {
        el.is(STREAM_LIMITS, "limits")
            .then_some(StreamLimits { el })
    }

    /// The limits advertised in a `<stream:features/>` element (its first `<limits/>`
    /// child), if any.
    pub fn in_features(features: Element<'a>) -> Option<Self> {
        features
            .child(STREAM_LIMITS, "limits")
            .map(|el| StreamLimits { el })
    }

    /// The element read.
    pub fn element(&self) -> Element<'a> {
        self.el
    }

    /// `<max-bytes/>`: the largest top-level element (stanza or nonza), in bytes, the
    /// advertising entity accepts. `Ok(None)` when not advertised.
    pub fn max_bytes(&self) -> Result<Option<NonZeroU32>, StreamLimitsError> {
        self.value(MAX_BYTES)
    }

    /// `<idle-seconds/>`: seconds without traffic after which the advertising entity may
    /// check the stream's liveness or close it. `Ok(None)` when not advertised.
    pub fn idle_seconds(&self) -> Result<Option<NonZeroU32>, StreamLimitsError> {
        self.value(IDLE_SECONDS)
    }

    /// Both values.
    pub fn spec(&self) -> Result<StreamLimitsSpec, StreamLimitsError> {
        Ok(StreamLimitsSpec {
            max_bytes: self.max_bytes()?,
            idle_seconds: self.idle_seconds()?,
        })
    }

    fn value(&self, limit: &'static str) -> Result<Option<NonZeroU32>, StreamLimitsError> {
        let mut found = self.el.children_named(STREAM_LIMITS, limit);
        let Some(first) = found.next() else {
            return Ok(None);
        };
        if found.next().is_some() {
            return Err(StreamLimitsError::Repeated { limit });
        }
        parse_positive(first.text())
            .map(Some)
            .ok_or(StreamLimitsError::Invalid { limit })
    }
}

/// A positive decimal integer of at most `u32::MAX`, XML whitespace around it allowed.
fn parse_positive(s: &str) -> Option<NonZeroU32> {
    let s = s.trim_matches([' ', '\t', '\r', '\n']);
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u32>().ok().and_then(NonZeroU32::new)
}

/// The limits to advertise, written as a XEP-0478 `<limits/>` element.
///
/// ```
/// use core::num::NonZeroU32;
/// use xmpp_stream::xmpp::{StreamLimitsSpec, Writer};
///
/// let mut out = Vec::new();
/// let mut w = Writer::new(&mut out);
/// w.start("stream:features");
/// StreamLimitsSpec { max_bytes: NonZeroU32::new(262_144), idle_seconds: None }.write(&mut w);
/// w.end();
/// assert_eq!(out, b"<stream:features><limits xmlns='urn:xmpp:stream-limits:0'>\
///     <max-bytes>262144</max-bytes></limits></stream:features>");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamLimitsSpec {
    /// `<max-bytes/>`, if advertised.
    pub max_bytes: Option<NonZeroU32>,
    /// `<idle-seconds/>`, if advertised.
    pub idle_seconds: Option<NonZeroU32>,
}

impl StreamLimitsSpec {
    /// Writes the `<limits/>` element (with its namespace declaration) at the writer's
    /// position, normally inside `<stream:features/>`.
    pub fn write(&self, w: &mut Writer<'_>) {
        w.start("limits").xmlns(None, STREAM_LIMITS);
        for (name, v) in [
            (MAX_BYTES, self.max_bytes),
            (IDLE_SECONDS, self.idle_seconds),
        ] {
            if let Some(v) = v {
                w.start(name).text(&v.to_string()).end();
            }
        }
        w.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Event, Parser};

    /// Parses `features` (the `<stream:features>` element) in a client stream and calls
    /// `f` with the features' root element.
    fn with_features(features: &str, f: impl FnOnce(Element<'_>)) {
        let mut p = Parser::new();
        p.feed(
            b"<stream:stream xmlns='jabber:client' \
              xmlns:stream='http://etherx.jabber.org/streams'>",
        );
        p.feed(features.as_bytes());
        assert!(matches!(p.next_event(), Ok(Some(Event::Header(_)))));
        match p.next_event() {
            Ok(Some(Event::Stanza(s))) => f(s.root()),
            other => panic!("{other:?}"),
        }
    }

    fn features(limits: &str) -> String {
        format!("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>{limits}</stream:features>")
    }

    fn n(v: u32) -> Option<NonZeroU32> {
        NonZeroU32::new(v)
    }

    #[test]
    fn reads_the_xep_example() {
        let xml = features(
            "<limits xmlns='urn:xmpp:stream-limits:0'>\
             <max-bytes>262144</max-bytes><idle-seconds>840</idle-seconds></limits>",
        );
        with_features(&xml, |f| {
            let l = StreamLimits::in_features(f).unwrap();
            assert!(l.element().is(STREAM_LIMITS, "limits"));
            assert_eq!(
                l.spec(),
                Ok(StreamLimitsSpec {
                    max_bytes: n(262_144),
                    idle_seconds: n(840)
                })
            );
        });
    }

    #[test]
    fn absent_limits_and_absent_values() {
        with_features(&features(""), |f| {
            assert!(StreamLimits::in_features(f).is_none());
        });
        with_features(
            &features("<limits xmlns='urn:xmpp:stream-limits:0'/>"),
            |f| {
                let l = StreamLimits::in_features(f).unwrap();
                assert_eq!(l.max_bytes(), Ok(None));
                assert_eq!(l.idle_seconds(), Ok(None));
            },
        );
        // Same local name, other namespace: not XEP-0478.
        with_features(&features("<limits xmlns='urn:example'/>"), |f| {
            assert!(StreamLimits::in_features(f).is_none());
            assert!(StreamLimits::new(f.children().last().unwrap()).is_none());
        });
        // Children in another namespace are not values.
        with_features(
            &features(
                "<limits xmlns='urn:xmpp:stream-limits:0'>\
                 <max-bytes xmlns='urn:example'>5</max-bytes></limits>",
            ),
            |f| {
                let l = StreamLimits::in_features(f).unwrap();
                assert_eq!(l.max_bytes(), Ok(None));
            },
        );
    }

    #[test]
    fn values_are_positive_u32() {
        let cases: &[(&str, Result<Option<NonZeroU32>, StreamLimitsError>)] = &[
            ("1", Ok(n(1))),
            (" 4096\n", Ok(n(4096))),
            ("4294967295", Ok(n(u32::MAX))),
            ("0", Err(StreamLimitsError::Invalid { limit: MAX_BYTES })),
            (
                "4294967296",
                Err(StreamLimitsError::Invalid { limit: MAX_BYTES }),
            ),
            ("-5", Err(StreamLimitsError::Invalid { limit: MAX_BYTES })),
            ("+5", Err(StreamLimitsError::Invalid { limit: MAX_BYTES })),
            ("1e3", Err(StreamLimitsError::Invalid { limit: MAX_BYTES })),
            ("", Err(StreamLimitsError::Invalid { limit: MAX_BYTES })),
            ("1 2", Err(StreamLimitsError::Invalid { limit: MAX_BYTES })),
        ];
        for (text, want) in cases {
            let xml = features(&format!(
                "<limits xmlns='urn:xmpp:stream-limits:0'><max-bytes>{text}</max-bytes></limits>"
            ));
            with_features(&xml, |f| {
                let l = StreamLimits::in_features(f).unwrap();
                assert_eq!(l.max_bytes(), *want, "{text:?}");
                assert_eq!(l.idle_seconds(), Ok(None));
            });
        }
    }

    #[test]
    fn repeated_value_is_an_error() {
        let xml = features(
            "<limits xmlns='urn:xmpp:stream-limits:0'>\
             <idle-seconds>1</idle-seconds><idle-seconds>2</idle-seconds></limits>",
        );
        with_features(&xml, |f| {
            let l = StreamLimits::in_features(f).unwrap();
            let e = l.idle_seconds().unwrap_err();
            assert_eq!(
                e,
                StreamLimitsError::Repeated {
                    limit: IDLE_SECONDS
                }
            );
            assert_eq!(e.to_string(), "<idle-seconds/> appears twice");
            assert_eq!(l.spec(), Err(e));
        });
    }

    #[test]
    fn written_limits_read_back() {
        let specs = [
            StreamLimitsSpec::default(),
            StreamLimitsSpec {
                max_bytes: n(10_000),
                idle_seconds: None,
            },
            StreamLimitsSpec {
                max_bytes: None,
                idle_seconds: n(30),
            },
            StreamLimitsSpec {
                max_bytes: n(u32::MAX),
                idle_seconds: n(1),
            },
        ];
        for spec in specs {
            let mut out = Vec::new();
            let mut w = Writer::new(&mut out);
            w.start("stream:features");
            w.start("bind")
                .xmlns(None, "urn:ietf:params:xml:ns:xmpp-bind")
                .end();
            spec.write(&mut w);
            w.end();
            let xml = String::from_utf8(out).unwrap();
            with_features(&xml, |f| {
                let l = StreamLimits::in_features(f).unwrap();
                assert_eq!(l.spec(), Ok(spec), "{xml}");
            });
        }
    }
}

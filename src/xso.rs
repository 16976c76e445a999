//! Typed values straight from views with [`xso`](https://docs.rs/xso/0.4) 0.4 (feature
//! `xso`), the XML binding of the xmpp-rs crates: `xmpp-parsers` 0.23 builds its
//! `Message`, `Presence`, `Iq`, stream features, SASL and the rest through
//! [`xso::FromXml`], which tokio-xmpp feeds with `rxml` events. [`from_element`] replays a
//! view as those events, so a stanza read by this crate becomes an `xmpp_parsers` value
//! without a DOM and without parsing the bytes again; [`write_xso`] goes the other way, an
//! [`xso::AsXml`] value through the crate's [`Writer`].
//!
//! The replay is what `rxml` would hand the builder for the same element: element and
//! attribute names as (namespace name, local name), namespace declarations left out,
//! attribute values and text decoded, `xml:lang` kept as an attribute in the XML
//! namespace and tracked as the builder's context language (as `xso::from_bytes` and
//! tokio-xmpp do).
//!
//! **Language.** An [`Element`] is read as a detached element: only its own and its
//! descendants' `xml:lang` count. A [`Stanza`] (or an [`OwnedStanza`]) is read as
//! tokio-xmpp reads it from the stream: the header's `xml:lang` is the inherited language
//! ([`Stanza::lang`]), so a `<body/>` without its own `xml:lang` in an `xml:lang='en'`
//! stream is in `en`. [`from_element_in`] takes the inherited language explicitly.
//!
//! ```
//! use xmpp_parsers::message::{Lang, Message};
//! use xmpp_stream::{Event, Parser};
//!
//! let mut parser = Parser::new();
//! parser.feed(b"<stream:stream xmlns='jabber:client' xml:lang='en' \
//!     xmlns:stream='http://etherx.jabber.org/streams'>\
//!     <message to='juliet@example.com' type='chat'><body>hi &amp; bye</body></message>");
//! parser.next_event()?;
//! let Some(Event::Stanza(s)) = parser.next_event()? else { panic!() };
//!
//! let m: Message = xmpp_stream::xso::from_element(s).unwrap();
//! assert_eq!(m.to.unwrap().to_string(), "juliet@example.com");
//! assert_eq!(m.bodies[&Lang("en".into())], "hi & bye"); // the stream's language
//!
//! // A detached element has only its own language.
//! let m: Message = xmpp_stream::xso::from_element(s.root()).unwrap();
//! assert_eq!(m.bodies[&Lang::new()], "hi & bye");
//!
//! // And back, through the crate's writer, in the stream's namespace.
//! let mut out = Vec::new();
//! xmpp_stream::xso::write_xso(&mut out, &m, "jabber:client").unwrap();
//! assert_eq!(out, b"<message to='juliet@example.com' type='chat'><body>hi &amp; bye</body></message>");
//! # Ok::<(), xmpp_stream::Error>(())
//! ```

use crate::xmpp::ns::STREAMS as STREAMS_NS;
use crate::xmpp::Writer;
use crate::{Element, Node, Nodes, OwnedStanza, Stanza, XML_NS};
use ::xso::{error::Error, error::FromEventsError, AsXml, Context, FromEventsBuilder, FromXml};
use core::cell::RefCell;
use rxml::parser::EventMetrics;
use rxml::{AttrMap, Namespace, NcName};
use smallvec::SmallVec;

/// What [`from_element`] reads: an element view, a stanza (with its stream's language),
/// or an owned stanza.
pub trait Source {
    /// Calls `f` with the element to replay and the language it inherits.
    fn with_element<R>(&self, f: impl FnOnce(Element<'_>, Option<&str>) -> R) -> R;
}

impl Source for Element<'_> {
    fn with_element<R>(&self, f: impl FnOnce(Element<'_>, Option<&str>) -> R) -> R {
        f(*self, None)
    }
}

impl Source for Stanza<'_> {
    fn with_element<R>(&self, f: impl FnOnce(Element<'_>, Option<&str>) -> R) -> R {
        f(self.root(), self.lang())
    }
}

impl<S: Source + ?Sized> Source for &S {
    fn with_element<R>(&self, f: impl FnOnce(Element<'_>, Option<&str>) -> R) -> R {
        (**self).with_element(f)
    }
}

impl Source for OwnedStanza {
    fn with_element<R>(&self, f: impl FnOnce(Element<'_>, Option<&str>) -> R) -> R {
        let view = self.view();
        let s = view.stanza();
        f(s.root(), s.lang())
    }
}

/// Builds a `T` from an element view, a [`Stanza`] or an [`OwnedStanza`] (see the module
/// docs for the language each gets). Errors are xso's: [`Error::TypeMismatch`] when the
/// element is not one `T` is built from (as `xso::from_bytes` reports it), else what the
/// builder rejects.
pub fn from_element<T: FromXml>(source: impl Source) -> Result<T, Error> {
    source.with_element(|e, lang| from_element_in(e, lang))
}

/// Builds a `T` from an element view that inherits the language `lang` (the effective
/// `xml:lang` of its parent), as if read inside a stream or document.
pub fn from_element_in<T: FromXml>(e: Element<'_>, lang: Option<&str>) -> Result<T, Error> {
    // The effective language of each open element, as rxml's `XmlLangStack` tracks it,
    // but borrowed from the views (no allocation).
    let (qname, attrs, own) = start(&e)?;
    let root_lang = own.or(lang);
    let ctx = Context::empty().with_language(root_lang);
    let mut builder = match T::from_events(qname, attrs, &ctx) {
        Ok(b) => b,
        Err(FromEventsError::Mismatch { .. }) => return Err(Error::TypeMismatch),
        Err(FromEventsError::Invalid(e)) => return Err(e),
    };
    let mut stack: SmallVec<[(Nodes<'_>, Option<&str>); 8]> = SmallVec::new();
    stack.push((e.nodes(), root_lang));
    while let Some((top, top_lang)) = stack.last_mut() {
        let top_lang = *top_lang;
        let (ev, lang) = match top.next() {
            Some(Node::Element(c)) => {
                let (qname, attrs, own) = start(&c)?;
                let lang = own.or(top_lang);
                stack.push((c.nodes(), lang));
                let ev = rxml::Event::StartElement(EventMetrics::zero(), qname, attrs);
                (ev, lang)
            }
            Some(Node::Text(t)) => {
                let ev = rxml::Event::Text(EventMetrics::zero(), t.as_str().to_owned());
                (ev, top_lang)
            }
            None => {
                stack.pop();
                let parent = stack.last().map_or(lang, |(_, l)| *l);
                (rxml::Event::EndElement(EventMetrics::zero()), parent)
            }
        };
        let ctx = Context::empty().with_language(lang);
        if let Some(v) = builder.feed(ev, &ctx)? {
            return Ok(v);
        }
    }
    // A builder that has not finished at its element's end is broken; xso reports a
    // document that ends too early so.
    Err(Error::XmlError(rxml::Error::InvalidEof(None)))
}

/// Namespaces that need no allocation.
static STATIC_NS: &[&str] = &[
    "jabber:client",
    "jabber:server",
    "jabber:component:accept",
    STREAMS_NS,
    "urn:ietf:params:xml:ns:xmpp-stanzas",
    "urn:ietf:params:xml:ns:xmpp-streams",
    "urn:ietf:params:xml:ns:xmpp-sasl",
    "urn:ietf:params:xml:ns:xmpp-bind",
    "urn:ietf:params:xml:ns:xmpp-tls",
];

/// How many other namespace names each thread keeps for reuse.
const NS_CACHE: usize = 64;

std::thread_local! {
    /// Namespace names met before on this thread (shared `Arc`s: one allocation per
    /// namespace name, not per element).
    static SEEN: RefCell<Vec<Namespace<'static>>> = const { RefCell::new(Vec::new()) };
}

/// The rxml namespace name for `ns`.
fn namespace(ns: &str) -> Namespace<'static> {
    if let Some(n) = Namespace::try_share_static(ns) {
        return n;
    }
    if let Some(s) = STATIC_NS.iter().find(|s| **s == ns) {
        return Namespace::from_str(s);
    }
    SEEN.with_borrow_mut(|seen| {
        if let Some(n) = seen.iter().find(|n| n.as_str() == ns) {
            return n.clone();
        }
        let n = Namespace::from(ns.to_owned());
        if seen.len() < NS_CACHE {
            seen.push(n.clone());
        }
        n
    })
}

/// The name and attributes of `e` as rxml reports them (declarations left out), and its
/// own `xml:lang`.
fn start<'a>(e: &Element<'a>) -> Result<(rxml::QName, AttrMap, Option<&'a str>), Error> {
    let qname = (namespace(e.ns()), ncname(e.local_name())?);
    let mut attrs = AttrMap::new();
    let mut lang = None;
    for a in e.attrs() {
        let (ns, local, value) = (a.ns(), a.local_name(), a.value());
        let ns = if ns.is_empty() {
            Namespace::NONE
        } else if ns == XML_NS {
            if local == "lang" {
                lang = Some(value);
            }
            Namespace::XML
        } else {
            namespace(ns)
        };
        attrs.insert(ns, ncname(local)?, value.to_owned());
    }
    Ok((qname, attrs, lang))
}

fn ncname(s: &str) -> Result<NcName, Error> {
    NcName::try_from(s).map_err(|_| Error::Other("name is not an NCName"))
}

/// Writes an [`xso::AsXml`] value (an `xmpp_parsers` stanza, say) with the crate's
/// [`Writer`]: unprefixed element names with a default-namespace declaration wherever the
/// namespace changes (none on the root when it is `default_ns`, the namespace in scope
/// where the output goes, such as a stream's content namespace), `xml:lang` as is, other
/// namespaced attributes with generated prefixes (`ns0`, `ns1`, ...) declared on their
/// element. Errors are the value's own (from `as_xml_iter`); on error `out` may hold part
/// of the element.
pub fn write_xso(out: &mut Vec<u8>, value: &impl AsXml, default_ns: &str) -> Result<(), Error> {
    use ::xso::Item;
    let mut w = Writer::new(out);
    // The default namespace in scope for each open element, the outer scope first.
    let mut scopes: Vec<String> = vec![default_ns.to_owned()];
    let mut prefixes = 0usize;
    for item in value.as_xml_iter()? {
        match item? {
            Item::XmlDeclaration(_) => {}
            Item::ElementHeadStart(ns, name) => {
                let ns = ns.as_str();
                let parent = scopes.last().map(String::as_str).unwrap_or("");
                w.start(name.as_str());
                if ns != parent {
                    w.xmlns(None, ns);
                }
                scopes.push(ns.to_owned());
                prefixes = 0;
            }
            Item::Attribute(ns, name, value) => {
                let ns = ns.as_str();
                if ns.is_empty() {
                    w.attr(name.as_str(), &value);
                } else if ns == XML_NS {
                    w.attr(&format!("xml:{}", name.as_str()), &value);
                } else {
                    let p = format!("ns{prefixes}");
                    prefixes += 1;
                    w.xmlns(Some(&p), ns);
                    w.attr(&format!("{p}:{}", name.as_str()), &value);
                }
            }
            Item::ElementHeadEnd => {}
            Item::Text(t) => {
                w.text(&t);
            }
            Item::ElementFoot => {
                scopes.pop();
                w.end();
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Event, Parser};
    use xmpp_parsers::message::{Lang, Message};
    use xmpp_parsers::presence::Presence;
    use xmpp_parsers::stream_limits::Limits;

    /// Calls `f` with the first stanza of `stanza` read in an `xml:lang='en'` client stream.
    fn with_stanza(stanza: &str, f: impl FnOnce(Stanza<'_>)) {
        let mut p = Parser::new();
        p.feed(
            b"<stream:stream xmlns='jabber:client' xml:lang='en' \
              xmlns:stream='http://etherx.jabber.org/streams'>",
        );
        p.feed(stanza.as_bytes());
        assert!(matches!(p.next_event(), Ok(Some(Event::Header(_)))));
        match p.next_event() {
            Ok(Some(Event::Stanza(s))) => f(s),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn languages_of_stanza_element_and_explicit() {
        with_stanza(
            "<message><body>a</body><body xml:lang='fr'>b</body></message>",
            |s| {
                let m: Message = from_element(s).unwrap();
                assert_eq!(m.bodies[&Lang("en".into())], "a");
                assert_eq!(m.bodies[&Lang("fr".into())], "b");
                let m: Message = from_element(s.root()).unwrap();
                assert_eq!(m.bodies[&Lang::new()], "a");
                let m: Message = from_element_in(s.root(), Some("de")).unwrap();
                assert_eq!(m.bodies[&Lang("de".into())], "a");
                let owned = OwnedStanza::new(&s);
                let m: Message = from_element(&owned).unwrap();
                assert_eq!(m.bodies[&Lang("en".into())], "a");
            },
        );
        // The stanza's own xml:lang wins over the stream's.
        with_stanza("<message xml:lang='it'><body>a</body></message>", |s| {
            let m: Message = from_element(s).unwrap();
            assert_eq!(m.bodies.keys().collect::<Vec<_>>(), [&Lang("it".into())]);
        });
    }

    #[test]
    fn mismatch_and_invalid_are_xso_errors() {
        with_stanza("<message type='chat'><body>a</body></message>", |s| {
            assert!(matches!(
                from_element::<Presence>(s),
                Err(Error::TypeMismatch)
            ));
        });
        with_stanza("<presence type='nonsense'/>", |s| {
            let e = from_element::<Presence>(s).unwrap_err();
            assert!(!matches!(e, Error::TypeMismatch), "{e}");
        });
    }

    #[test]
    fn any_child_element() {
        with_stanza(
            "<stream:features><limits xmlns='urn:xmpp:stream-limits:0'>\
             <max-bytes>10000</max-bytes><idle-seconds>60</idle-seconds></limits>\
             </stream:features>",
            |s| {
                let el = s.root().children().next().unwrap();
                let l: Limits = from_element(el).unwrap();
                assert_eq!(l.max_bytes.map(|n| n.get()), Some(10_000));
                assert_eq!(l.idle_seconds.map(|n| n.get()), Some(60));
            },
        );
        // xmpp-parsers takes no whitespace around the number (our view does).
        with_stanza(
            "<stream:features><limits xmlns='urn:xmpp:stream-limits:0'>\
             <idle-seconds> 60 </idle-seconds></limits></stream:features>",
            |s| {
                let el = s.root().children().next().unwrap();
                assert!(from_element::<Limits>(el).is_err());
            },
        );
    }
}

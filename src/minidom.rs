//! Interop with [`minidom`](https://docs.rs/minidom/0.19) 0.19 (feature `minidom`), the DOM of
//! the xmpp-rs crates: `xmpp-parsers` types convert from and to `minidom::Element`, so a
//! project built on them can read its streams with this crate and keep its stanza handling.
//!
//! - Views to minidom: [`to_element`] (any [`Element`] view), [`stanza_to_element`]
//!   (a [`Stanza`], with the namespace prefixes it inherits from the stream header), and
//!   the matching `From` impls, also for [`OwnedStanza`]. Names, namespaces, attributes
//!   (decoded; namespace declarations become minidom's prefixes) and text (decoded, one
//!   minidom text node per run of character data) carry over; nothing is re-parsed.
//! - minidom to bytes and back: [`write_element`] serialises a `minidom::Element` with
//!   the crate's writer (unprefixed names with default-namespace declarations, generated
//!   prefixes for namespaced attributes), and [`to_owned_stanza`] (or
//!   `OwnedStanza::try_from`) parses that back into an [`OwnedStanza`], so a stanza built
//!   with minidom is checked by the same rules as one read from the wire.
//!
//! ```
//! use xmpp_stream::{Event, OwnedStanza, Parser};
//!
//! let mut parser = Parser::new();
//! parser.feed(b"<stream:stream xmlns='jabber:client' \
//!     xmlns:stream='http://etherx.jabber.org/streams'>\
//!     <message to='juliet@example.com' xml:lang='en'><body>hi &amp; bye</body></message>");
//! parser.next_event()?;
//! let Some(Event::Stanza(s)) = parser.next_event()? else { panic!() };
//!
//! let dom = minidom::Element::from(&s);
//! assert!(dom.is("message", "jabber:client"));
//! assert_eq!(dom.attr("to"), Some("juliet@example.com"));
//! assert_eq!(dom.attr_ns("http://www.w3.org/XML/1998/namespace", "lang"), Some("en"));
//! assert_eq!(dom.get_child("body", "jabber:client").unwrap().text(), "hi & bye");
//!
//! // And back: minidom element -> bytes (our writer) -> our parser.
//! let owned = OwnedStanza::try_from(&dom)?;
//! let view = owned.view();
//! assert_eq!(view.stanza().to(), Some("juliet@example.com"));
//! assert_eq!(minidom::Element::from(&owned), dom);
//! # Ok::<(), xmpp_stream::Error>(())
//! ```

use crate::error::Error;
use crate::frame::Mode;
use crate::limits::Limits;
use crate::parser::{Config, Event, Parser};
use crate::tree::XML_NS;
use crate::tree::{Element, Node, Nodes, OwnedStanza, Stanza};
use crate::xmpp::Writer;
use ::minidom::rxml::{Namespace, NcName};
use ::minidom::{Element as DomElement, Node as DomNode};
use std::collections::BTreeMap;

/// Builds the minidom element for `e` without its children. `root_prefixes`: the
/// prefixes declared on the converted root, which are left out of the prefixes recorded
/// on descendants (minidom's writer, through rxml, makes the root's prefixes global and
/// panics if a descendant declares one again, which XML allows).
fn shallow(
    e: &Element<'_>,
    extra_prefixes: &[(Option<&str>, &str)],
    root_prefixes: Option<&[&str]>,
) -> DomElement {
    let mut out = DomElement::bare(e.local_name(), e.ns());
    for a in e.attrs() {
        // Cannot fail: the parser checked the name against the same production
        // (XML 1.0 fifth edition NCName) as rxml does.
        let Ok(name) = NcName::try_from(a.local_name()) else {
            debug_assert!(
                false,
                "attribute name {:?} is not an NCName",
                a.local_name()
            );
            continue;
        };
        let ns = match a.ns() {
            "" => Namespace::NONE,
            XML_NS => Namespace::XML,
            other => Namespace::from(other.to_string()),
        };
        out.set_attr(ns, name, a.value());
    }
    let mut prefixes: BTreeMap<Option<String>, String> = BTreeMap::new();
    for (p, uri) in e.ns_decls().chain(extra_prefixes.iter().copied()) {
        let skip = match (p, root_prefixes) {
            // Declaring `xml` is allowed (with its fixed name) but rxml refuses it.
            (Some("xml"), _) => true,
            (Some(p), Some(root)) => root.contains(&p),
            _ => false,
        };
        if !skip {
            prefixes.insert(p.map(str::to_string), uri.to_string());
        }
    }
    if !prefixes.is_empty() {
        out.prefixes = prefixes.into();
    }
    out
}

/// Converts an element view (with its descendants) into a `minidom::Element`.
///
/// Namespace declarations made on the element and its descendants become minidom
/// prefixes (minidom uses them as hints when it writes the element), except those that
/// minidom's writer would refuse: a declaration of the `xml` prefix, and a descendant's
/// re-declaration of a prefix declared on the root. Those the element inherits from
/// outside it (the stream header's) are not added: use [`stanza_to_element`] for a
/// stanza. Iterative: deep trees do not grow the call stack.
pub fn to_element(e: &Element<'_>) -> DomElement {
    convert(e, &[])
}

/// Converts a stanza into a `minidom::Element`: [`to_element`] of its root, plus, as
/// minidom prefixes on the root, the namespace declarations it inherits from the stream
/// header ([`Stanza::inherited_namespaces`]), so that minidom writes it back with the
/// same prefixes. The header's `xml:lang` is not copied onto the element
/// ([`Stanza::lang`] has it).
pub fn stanza_to_element(s: &Stanza<'_>) -> DomElement {
    let inherited: Vec<(Option<&str>, &str)> = s.inherited_namespaces().collect();
    convert(&s.root(), &inherited)
}

fn convert(e: &Element<'_>, extra_prefixes: &[(Option<&str>, &str)]) -> DomElement {
    let root_prefixes: Vec<&str> = e
        .ns_decls()
        .chain(extra_prefixes.iter().copied())
        .filter_map(|(p, _)| p)
        .collect();
    let mut stack: Vec<(DomElement, Nodes<'_>)> =
        vec![(shallow(e, extra_prefixes, None), e.nodes())];
    loop {
        let top = stack
            .last_mut()
            .expect("stack holds the root until it is returned");
        match top.1.next() {
            Some(Node::Text(t)) => top.0.append_text_node(t.as_str()),
            Some(Node::Element(c)) => {
                stack.push((shallow(&c, &[], Some(&root_prefixes)), c.nodes()))
            }
            None => {
                let (done, _) = stack.pop().expect("non-empty");
                match stack.last_mut() {
                    Some(parent) => {
                        parent.0.append_child(done);
                    }
                    None => return done,
                }
            }
        }
    }
}

impl From<&Element<'_>> for DomElement {
    fn from(e: &Element<'_>) -> Self {
        to_element(e)
    }
}

impl From<&Stanza<'_>> for DomElement {
    fn from(s: &Stanza<'_>) -> Self {
        stanza_to_element(s)
    }
}

impl From<&OwnedStanza> for DomElement {
    fn from(s: &OwnedStanza) -> Self {
        stanza_to_element(&s.view().stanza())
    }
}

/// Appends `e` as XML with the crate's [`Writer`]: element names unprefixed, a default
/// namespace declaration wherever an element's namespace differs from its parent's (on
/// the root unless it has no namespace), `xml:` for attributes in the XML namespace and
/// generated prefixes (`ns0`, `ns1`, ...) declared on the element for attributes in
/// other namespaces; text and attribute values escaped. minidom's recorded prefixes are
/// not used. Names are written as minidom holds them: an invalid one makes the output
/// ill-formed, which [`to_owned_stanza`] reports.
pub fn write_element(out: &mut Vec<u8>, e: &DomElement) {
    let mut w = Writer::new(out);
    // (children still to write, the default namespace in scope)
    let mut stack: Vec<(core::slice::Iter<'_, DomNode>, String)> = Vec::new();
    open(&mut w, e, None);
    stack.push((e.nodes(), e.ns()));
    while let Some((nodes, ns)) = stack.last_mut() {
        match nodes.next() {
            Some(DomNode::Text(t)) => {
                w.text(t);
            }
            Some(DomNode::Element(c)) => {
                let parent_ns = ns.clone();
                open(&mut w, c, Some(&parent_ns));
                stack.push((c.nodes(), c.ns()));
            }
            None => {
                stack.pop();
                w.end();
            }
        }
    }
}

fn open(w: &mut Writer<'_>, e: &DomElement, parent_ns: Option<&str>) {
    let ns = e.ns();
    w.start(e.name());
    match parent_ns {
        None if ns.is_empty() => {}
        Some(p) if p == ns => {}
        _ => {
            w.xmlns(None, &ns);
        }
    }
    let mut prefixes: Vec<&str> = Vec::new();
    let mut qname = String::new();
    for ((ans, name), value) in e.attrs().iter() {
        qname.clear();
        if ans.is_none() {
        } else if *ans == Namespace::XML {
            qname.push_str("xml:");
        } else {
            let uri = ans.as_str();
            let k = match prefixes.iter().position(|p| *p == uri) {
                Some(k) => k,
                None => {
                    prefixes.push(uri);
                    let k = prefixes.len() - 1;
                    w.xmlns(Some(&format!("ns{k}")), uri);
                    k
                }
            };
            qname.push_str(&format!("ns{k}:"));
        }
        qname.push_str(name.as_str());
        w.attr(&qname, value);
    }
}

/// Serialises a `minidom::Element` ([`write_element`]) and parses it back into an
/// [`OwnedStanza`] (as a standalone document with [`Limits::generous`]): the reverse of
/// the `From` conversions. Fails if minidom holds something XML cannot carry (an invalid
/// name, say); characters XML does not allow in text are replaced by U+FFFD by the
/// writer.
pub fn to_owned_stanza(e: &DomElement) -> Result<OwnedStanza, Error> {
    let mut bytes = Vec::new();
    write_element(&mut bytes, e);
    let mut p = Parser::with_config(
        Config::default()
            .with_mode(Mode::Document)
            .with_limits(Limits::generous()),
    );
    p.feed(&bytes);
    match p.next_event()? {
        Some(Event::Stanza(s)) => Ok(OwnedStanza::new(&s)),
        _ => Err(p.finish().err().unwrap_or(Error::new(
            crate::error::ErrorKind::UnexpectedEof,
            bytes.len() as u64,
        ))),
    }
}

impl TryFrom<&DomElement> for OwnedStanza {
    type Error = Error;

    fn try_from(e: &DomElement) -> Result<Self, Error> {
        to_owned_stanza(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_stanza(xml: &[u8], f: impl FnOnce(Stanza<'_>)) {
        let mut p = Parser::new();
        p.feed(xml);
        assert!(matches!(p.next_event().unwrap(), Some(Event::Header(_))));
        let Some(Event::Stanza(s)) = p.next_event().unwrap() else {
            panic!()
        };
        f(s)
    }

    #[test]
    fn prefixes_and_namespaced_attributes_survive() {
        first_stanza(
            b"<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' \
              xmlns:stream='http://etherx.jabber.org/streams'>\
              <db:result from='a' to='b' xmlns:x='urn:x' x:y='1&amp;2'>key<x:z/>tail</db:result>",
            |s| {
                let dom = stanza_to_element(&s);
                assert!(dom.is("result", "jabber:server:dialback"));
                assert_eq!(dom.attr_ns("urn:x", "y"), Some("1&2"));
                assert_eq!(dom.nodes().count(), 3);
                assert_eq!(dom.text(), "keytail");
                let prefixes = dom.prefixes.declared_prefixes();
                assert_eq!(
                    prefixes.get(&Some("db".to_string())).map(String::as_str),
                    Some("jabber:server:dialback")
                );
                // minidom's own writer accepts the prefixes.
                let mut out = Vec::new();
                dom.write_to(&mut out).unwrap();
                let text = String::from_utf8(out).unwrap();
                assert!(text.starts_with("<db:result"), "{text}");
                // And our writer + parser round-trip it.
                let mut ours = Vec::new();
                write_element(&mut ours, &dom);
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    "<result xmlns='jabber:server:dialback' from='a' to='b' \
                     xmlns:ns0='urn:x' ns0:y='1&amp;2'>key<z xmlns='urn:x'/>tail</result>"
                );
                let back = to_owned_stanza(&dom).unwrap();
                assert_eq!(DomElement::from(&back), dom);
            },
        );
    }

    #[test]
    fn prefixes_minidom_cannot_write_are_left_out() {
        let mut p = Parser::with_config(Config::default().with_mode(Mode::Document));
        p.feed(
            b"<a xmlns='urn:a' xmlns:p='urn:p'><b xmlns:p='urn:q' p:x='1' \
              xmlns:xml='http://www.w3.org/XML/1998/namespace' xml:lang='en'/></a>",
        );
        let Some(Event::Stanza(s)) = p.next_event().unwrap() else {
            panic!()
        };
        let dom = to_element(&s.root());
        let b = dom.get_child("b", "urn:a").unwrap();
        assert_eq!(b.attr_ns("urn:q", "x"), Some("1"));
        assert!(b.prefixes.declared_prefixes().is_empty());
        let mut out = Vec::new();
        dom.write_to(&mut out).unwrap();
        let back: DomElement = String::from_utf8(out).unwrap().parse().unwrap();
        assert_eq!(back, dom);
    }

    #[test]
    fn empty_namespace_children_are_undeclared() {
        let dom = DomElement::builder("a", "urn:a")
            .append(DomElement::bare("b", ""))
            .build();
        let mut out = Vec::new();
        write_element(&mut out, &dom);
        assert_eq!(out, b"<a xmlns='urn:a'><b xmlns=''/></a>");
        let back = to_owned_stanza(&dom).unwrap();
        assert_eq!(back.view().root().child("", "b").unwrap().ns(), "");
    }

    #[test]
    fn invalid_names_are_errors() {
        let dom = DomElement::bare("a b", "urn:a");
        assert!(to_owned_stanza(&dom).is_err());
        let dom = DomElement::bare("p:a", "urn:a");
        let e = to_owned_stanza(&dom).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::UnboundPrefix);
    }
}

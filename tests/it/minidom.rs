//! The `minidom` feature over the whole corpus: every stanza of corpus/streams converted to
//! a `minidom::Element` equals its view (names, namespaces, attributes, text, node by
//! node), equals what minidom's own parser (rxml) makes of the stanza written standalone,
//! and comes back unchanged through our writer and parser (`to_owned_stanza`).

use crate::support::corpus::{streams, Stream};
use crate::support::stream_config;
use minidom::Element as Dom;
use minidom::Node as DomNode;
use xmpp_stream::minidom::{stanza_to_element, to_owned_stanza};
use xmpp_stream::xmpp::Target;
use xmpp_stream::{Element, Event, Node, Parser};

/// Asserts that `dom` is `view`: name, namespace, attributes (namespace declarations
/// aside) and child nodes in order, text decoded.
fn assert_same(view: &Element<'_>, dom: &Dom, at: &str) {
    assert_eq!(dom.name(), view.local_name(), "{at}: name");
    assert_eq!(dom.ns(), view.ns(), "{at}: namespace of {}", view.qname());
    let mut want: Vec<(String, String, String)> = view
        .attrs()
        .map(|a| {
            (
                a.ns().to_string(),
                a.local_name().to_string(),
                a.value().to_string(),
            )
        })
        .collect();
    want.sort();
    let mut got: Vec<(String, String, String)> = dom
        .attrs()
        .iter()
        .map(|((ns, name), value)| (ns.as_str().to_string(), name.to_string(), value.clone()))
        .collect();
    got.sort();
    assert_eq!(got, want, "{at}: attributes of {}", view.qname());
    let vnodes: Vec<Node<'_>> = view.nodes().collect();
    let dnodes: Vec<&DomNode> = dom.nodes().collect();
    assert_eq!(
        dnodes.len(),
        vnodes.len(),
        "{at}: children of {}",
        view.qname()
    );
    for (k, (v, d)) in vnodes.iter().zip(dnodes).enumerate() {
        match (v, d) {
            (Node::Text(t), DomNode::Text(s)) => assert_eq!(s, t.as_str(), "{at}: text {k}"),
            (Node::Element(e), DomNode::Element(c)) => {
                assert_same(e, c, &format!("{at}/{}", e.local_name()))
            }
            _ => panic!("{at}: node {k} differs in kind"),
        }
    }
}

/// minidom's parser may split or merge text runs differently (it reads the document
/// afresh); compare with adjacent text merged and empty text dropped.
fn normalised(e: &Dom) -> Dom {
    let mut out = Dom::bare(e.name(), e.ns());
    for ((ns, name), value) in e.attrs().iter() {
        out.set_attr(ns.clone(), name.clone(), value.as_str());
    }
    for n in e.nodes() {
        match n {
            DomNode::Text(t) if t.is_empty() => {}
            DomNode::Text(t) => out.append_text(t.as_str()),
            DomNode::Element(c) => {
                out.append_child(normalised(c));
            }
        }
    }
    out
}

#[test]
fn every_corpus_stanza_converts_and_round_trips() {
    let mut total = 0;
    for Stream { name, data, .. } in streams() {
        let mut p = Parser::with_config(stream_config());
        p.feed(&data);
        let mut k = 0;
        // s2c-unclosed ends inside a stanza; everything before it is checked.
        while let Ok(Some(ev)) = p.next_event() {
            let Event::Stanza(s) = ev else { continue };
            k += 1;
            let at = format!("{name} stanza {k}");
            let dom = stanza_to_element(&s);
            assert_same(&s.root(), &dom, &at);

            // minidom's own parser reads the standalone stanza the same way.
            let mut standalone = Vec::new();
            s.write_to(&mut standalone, Target::Standalone);
            let theirs = Dom::from_reader(&standalone[..])
                .unwrap_or_else(|e| panic!("{at}: minidom rejects it: {e}"));
            let ours = normalised(&dom);
            if s.root().attr(xmpp_stream::XML_NS, "lang").is_none() && s.lang().is_some() {
                // Standalone adds the header's xml:lang; minidom keeps it as an attribute.
                let mut theirs = normalised(&theirs);
                let lang = theirs
                    .attrs_mut()
                    .remove(&minidom::rxml::Namespace::XML, "lang");
                assert_eq!(lang.as_deref(), s.lang(), "{at}");
                assert!(theirs == ours, "{at}: minidom parses it differently");
            } else {
                assert!(
                    normalised(&theirs) == ours,
                    "{at}: minidom parses it differently"
                );
            }

            // minidom's writer accepts the prefixes we recorded.
            let mut written = Vec::new();
            dom.write_to(&mut written)
                .unwrap_or_else(|e| panic!("{at}: minidom cannot write it: {e}"));

            // And back through our writer and parser.
            let owned = to_owned_stanza(&dom).unwrap_or_else(|e| panic!("{at}: {e}"));
            let again = Dom::from(&owned);
            assert!(again == dom, "{at}: round trip changed it");
            assert_same(&owned.view().root(), &dom, &format!("{at} (round trip)"));
        }
        assert!(k > 0, "{name}: no stanza");
        total += k;
    }
    assert!(total > 1000, "{total} stanzas");
}

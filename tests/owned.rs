//! Owned copies (`OwnedStanza`, `OwnedHeader`) read back through the same views as the
//! live events they were copied from, with the context (reduced header) they keep.

use xmpp_stream::dump::write_element;
use xmpp_stream::xmpp::{ns, HeaderCheck, StreamHeader, Version, WebSocketParser, WsEvent};
use xmpp_stream::{Arena, Element, Event, OwnedHeader, OwnedStanza, Parser};

fn json(e: &Element<'_>) -> String {
    let mut s = String::new();
    write_element(&mut s, e, true);
    s
}

#[test]
fn owned_views_equal_live_views_and_keep_context() {
    let mut p = Parser::new();
    p.feed(
        b"<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' \
          xmlns:stream='http://etherx.jabber.org/streams' xml:lang='it&apos;s' \
          to='b.example' xmlns:unused='urn:unused'>\
          <db:result from='a.example' to='b.example' xml:lang='en'>k&amp;ey</db:result>\
          <message><body>a<![CDATA[<b>]]>c</body><x xmlns='urn:x' a='1&#9;2'/></message>",
    );
    p.next_event().unwrap();
    let mut owned = Vec::new();
    while let Some(Event::Stanza(s)) = p.next_event().unwrap() {
        let o = OwnedStanza::new(&s);
        let v = o.view();
        let os = v.stanza();
        assert_eq!(json(&s.root()), json(&os.root()));
        assert_eq!(os.raw(), s.raw());
        assert_eq!(os.kind(), s.kind());
        assert_eq!(os.content_ns(), Some("jabber:server"));
        let live: Vec<_> = s.inherited_namespaces().collect();
        let kept: Vec<_> = os.inherited_namespaces().collect();
        assert_eq!(live, kept);
        assert_eq!(StreamHeader::new(os.header().unwrap()).to(), None);
        drop(v);
        owned.push(o);
    }
    let a = Arena::new();
    let s0 = owned[0].stanza_in(&a);
    assert_eq!(s0.lang(), Some("en"));
    let s1 = owned[1].stanza_in(&a);
    assert_eq!(s1.lang(), Some("it's"));
    assert_eq!(
        s1.header().unwrap().raw(),
        b"<stream:stream xmlns='jabber:server' \
          xmlns:stream='http://etherx.jabber.org/streams' xml:lang='it&apos;s'>"
    );
    let s0h = s0.header().unwrap();
    let decls: Vec<_> = s0h.ns_decls().collect();
    assert_eq!(
        decls,
        [
            (None, "jabber:server"),
            (Some("db"), "jabber:server:dialback"),
            (Some("stream"), ns::STREAMS)
        ]
    );
    // Owning an owned view again gives the same thing.
    let again = OwnedStanza::new(&s0);
    let b = Arena::new();
    let s2 = again.stanza_in(&b);
    assert_eq!(json(&s2.root()), json(&s0.root()));
    assert_eq!(s2.header().unwrap().raw(), s0.header().unwrap().raw());
    assert_eq!(again.raw(), owned[0].raw());
    assert_eq!(s2.content_ns(), Some("jabber:server"));
    // Debug does not panic.
    let _ = format!("{again:?} {:?}", again.view());
}

#[test]
fn header_keeps_every_attribute_and_declaration() {
    let mut p = Parser::new();
    p.feed(
        b"<?xml version='1.0'?><s:stream from='a&amp;b' id='x' version='1.0' \
        xml:lang='fr' xmlns='jabber:server' xmlns:db='jabber:server:dialback' \
        xmlns:s='http://etherx.jabber.org/streams'>",
    );
    let Some(Event::Header(h)) = p.next_event().unwrap() else {
        panic!()
    };
    let owned = OwnedHeader::new(&h);
    assert_eq!(owned.raw(), h.raw());
    let v = owned.view();
    let oh = StreamHeader::new(v.header());
    assert_eq!(oh.from(), Some("a&b"));
    assert_eq!(oh.version(), Some(Version::V1_0));
    assert_eq!(oh.lang(), Some("fr"));
    assert_eq!(oh.stream_prefix(), Some("s"));
    assert_eq!(oh.content_ns().as_str(), Some(ns::SERVER));
    let decls: Vec<_> = oh.element().ns_decls().collect();
    assert_eq!(
        decls,
        [
            (None, ns::SERVER),
            (Some("db"), ns::DIALBACK),
            (Some("s"), ns::STREAMS)
        ]
    );
    assert_eq!(oh.check(&HeaderCheck::server()), Ok(()));
    let arena = Arena::new();
    assert_eq!(owned.header_in(&arena).attr("", "id"), Some("x"));
    assert!(format!("{owned:?}").contains("a&b"));
}

#[test]
fn websocket_open_is_a_header_too() {
    let mut ws = WebSocketParser::new();
    let WsEvent::Open(open) = ws
        .parse(
            b"<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.com' version='1.0'/>",
        )
        .unwrap()
    else {
        panic!()
    };
    let owned = OwnedHeader::new(&open);
    let v = owned.view();
    assert!(StreamHeader::new(v.header()).is_websocket());
    assert_eq!(v.header().attr("", "to"), Some("example.com"));
}

//! Owned copies (`OwnedStanza`, `OwnedHeader`) read back through the same views as the
//! live events they were copied from, with the context (reduced header) they keep.

use crate::support::alloc::measure;
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

/// The reduced header's pieces a parser keeps for its header belong to the header read
/// last: after a restart with a different header, new owned copies and a value refilled
/// with `assign` carry the new header's namespaces and `xml:lang`, and copies made
/// before keep the old one's; a stanza that uses a prefix keeps that declaration too.
#[test]
fn owned_copies_follow_the_header_across_restarts() {
    let headers: [&[u8]; 3] = [
        b"<stream:stream xmlns='jabber:client' xml:lang='en' \
          xmlns:stream='http://etherx.jabber.org/streams'>",
        b"<s:stream xmlns='jabber:server' xmlns:s='http://etherx.jabber.org/streams' \
          xmlns:db='jabber:server:dialback' xml:lang='fr'>",
        b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
    ];
    let want = [
        (
            "<stream:stream xmlns='jabber:client' \
             xmlns:stream='http://etherx.jabber.org/streams' xml:lang='en'>",
            "jabber:client",
            Some("en"),
        ),
        (
            "<s:stream xmlns='jabber:server' xmlns:s='http://etherx.jabber.org/streams' \
             xml:lang='fr'>",
            "jabber:server",
            Some("fr"),
        ),
        (
            "<stream:stream xmlns='jabber:client' \
             xmlns:stream='http://etherx.jabber.org/streams'>",
            "jabber:client",
            None,
        ),
    ];
    let mut p = Parser::new();
    let mut slot = OwnedStanza::new(&{
        p.feed(headers[0]);
        p.feed(b"<presence/>");
        p.next_event().unwrap();
        let Some(Event::Stanza(s)) = p.next_event().unwrap() else {
            panic!()
        };
        s
    });
    let mut earlier: Vec<(OwnedStanza, usize)> = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        if i > 0 {
            p.restart();
            p.feed(header);
            assert!(matches!(p.next_event().unwrap(), Some(Event::Header(_))));
        }
        p.feed(b"<message><body>hi</body></message><iq id='1'/>");
        for _ in 0..2 {
            let Some(Event::Stanza(s)) = p.next_event().unwrap() else {
                panic!()
            };
            for o in [OwnedStanza::new(&s), {
                slot.assign(&s);
                slot.clone()
            }] {
                let v = o.view();
                let os = v.stanza();
                let (raw, content, lang) = want[i];
                assert_eq!(os.header().unwrap().raw(), raw.as_bytes(), "header {i}");
                assert_eq!(os.content_ns(), Some(content), "header {i}");
                assert_eq!(os.lang(), lang, "header {i}");
                assert_eq!(json(&os.root()), json(&s.root()));
                drop(v);
                earlier.push((o, i));
            }
        }
        if i == 1 {
            // A stanza using the header's `db` prefix inherits its declaration.
            p.feed(b"<db:result to='a'>k</db:result>");
            let Some(Event::Stanza(s)) = p.next_event().unwrap() else {
                panic!()
            };
            slot.assign(&s);
            let v = slot.view();
            let decls: Vec<_> = v.stanza().header().unwrap().ns_decls().collect();
            assert_eq!(
                decls,
                [
                    (None, "jabber:server"),
                    (Some("s"), ns::STREAMS),
                    (Some("db"), "jabber:server:dialback")
                ]
            );
            assert_eq!(v.root().ns(), "jabber:server:dialback");
        }
    }
    for (o, i) in &earlier {
        assert_eq!(o.view().stanza().lang(), want[*i].2, "kept {i}");
    }
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

/// Stanzas of every shape a copy handles: attributes, prefixes and declarations of their
/// own, inherited prefixes, text and values needing decoding, CDATA,
/// a header whose `xml:lang` needs escaping again, many namespaces.
fn shapes() -> Vec<(Vec<u8>, usize)> {
    let header = |extra: &str| {
        format!(
            "<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' \
             xmlns:stream='http://etherx.jabber.org/streams' xml:lang=\"a'b\"{extra}>"
        )
    };
    let many: String = (0..30)
        .map(|i| format!("<x{i} xmlns='urn:n:{i}' xmlns:p{i}='urn:p:{i}' p{i}:a='&lt;{i}'/>"))
        .collect();
    [
        "<presence/>".to_string(),
        "<message to='a@b' type='chat'><body>Wherefore &amp; why?</body></message>".into(),
        "<db:result from='a.example' to='b.example'>abc</db:result>".into(),
        "<iq type='get' id='1'><query xmlns='jabber:iq:roster' xmlns:r='urn:r' \
         r:ver='&#x31;'><![CDATA[<raw>]]> tail</query></iq>"
            .into(),
        format!("<message><body>{}</body>{many}</message>", "x".repeat(5000)),
    ]
    .into_iter()
    .map(|s| {
        let mut data = header("").into_bytes();
        data.extend_from_slice(s.as_bytes());
        (data, s.len())
    })
    .collect()
}

#[test]
fn a_new_owned_stanza_is_one_allocation_and_a_clone_none() {
    for (data, len) in shapes() {
        let mut p = Parser::new();
        p.feed(&data);
        p.next_event().unwrap();
        let Some(Event::Stanza(s)) = p.next_event().unwrap() else {
            panic!()
        };
        let (o, a) = measure(|| s.to_owned_stanza());
        assert_eq!(a.count, 1, "{a:?} for {}", String::from_utf8_lossy(s.raw()));
        assert_eq!(o.raw().len(), len);
        assert!(
            o.heap_bytes() >= a.bytes,
            "{} < {}",
            o.heap_bytes(),
            a.bytes
        );
        let (mut c, a) = measure(|| o.clone());
        assert_eq!(a.count, 0, "a clone is a reference count");
        // Refilling a shared value gives it a block of its own (one allocation) and
        // leaves the clone intact; refilling a unique one that is large enough, none.
        let ((), a) = measure(|| c.assign(&s));
        assert_eq!(a.count, 1);
        assert_eq!(o.raw(), c.raw());
        assert!(!std::ptr::eq(o.raw(), c.raw()));
        let ((), a) = measure(|| c.assign(&s));
        assert_eq!(a.count, 0);
        // The copy reads as the original.
        let v = c.view();
        assert_eq!(
            format!("{:?}", v.stanza().root()),
            format!("{:?}", s.root())
        );
        assert_eq!(
            v.stanza().inherited_namespaces().collect::<Vec<_>>(),
            s.inherited_namespaces().collect::<Vec<_>>()
        );
        assert_eq!(v.stanza().lang(), Some("a'b"));
    }
}

const fn assert_send_sync_static<T: Send + Sync + 'static>() {}
const _: () = assert_send_sync_static::<OwnedStanza>();

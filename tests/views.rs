//! The XMPP views against the dump of the core (which the corpus tests hold to the expat
//! oracle): every stanza of every corpus stream read live, owned, written standalone and
//! re-parsed as a document, re-targeted, re-serialised, and framed as WebSocket messages
//! gives the same names, attributes and text. Plus round-trip property tests over
//! generated stanzas, and WebSocket framing.

mod common;

use common::{crate_file, stream_config, HEADER};
use proptest::prelude::*;
use xmpp_stream::xmpp::{
    ns, write_stanza, Kind, StanzaType, StreamHeader, Target, WebSocketParser, Writer, WsEvent,
};
use xmpp_stream::{dump, Config, Element, Event, Mode, Node, OwnedStanza, Parser, Stanza, XML_NS};

fn json(e: &Element<'_>) -> String {
    let mut s = String::new();
    dump::write_element(&mut s, e, true);
    s
}

/// Compares two trees: names (namespaces through `map`), attributes (sorted, the root's
/// `xml:lang` left out when `skip_root_lang`), text runs merged.
fn same(a: &Element<'_>, b: &Element<'_>, map: &dyn Fn(&str) -> String, skip_root_lang: bool) {
    assert_eq!(map(a.ns()), b.ns(), "{a:?} / {b:?}");
    assert_eq!(a.local_name(), b.local_name());
    let attrs = |e: &Element<'_>, mapped: bool| {
        let mut v: Vec<(String, String, String)> = e
            .attrs()
            .filter(|x| !(skip_root_lang && x.ns() == XML_NS && x.local_name() == "lang"))
            .map(|x| {
                let ns = if mapped {
                    map(x.ns())
                } else {
                    x.ns().to_string()
                };
                (ns, x.local_name().to_string(), x.value().to_string())
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        attrs(a, true),
        attrs(b, false),
        "attributes of {}",
        a.local_name()
    );
    let kids = |e: &Element<'_>| {
        let mut out: Vec<Result<String, usize>> = Vec::new();
        let mut k = 0;
        for n in e.nodes() {
            match n {
                Node::Text(t) => match out.last_mut() {
                    Some(Ok(s)) => s.push_str(t.as_str()),
                    _ => out.push(Ok(t.as_str().to_string())),
                },
                Node::Element(_) => {
                    out.push(Err(k));
                    k += 1;
                }
            }
        }
        out
    };
    assert_eq!(kids(a), kids(b), "children of {}", a.local_name());
    for (x, y) in a.children().zip(b.children()) {
        same(&x, &y, map, false);
    }
}

fn identity(s: &str) -> String {
    s.to_string()
}

fn document(bytes: &[u8], f: impl FnOnce(Stanza<'_>)) {
    let mut p = Parser::with_config(Config::default().with_mode(Mode::Document));
    p.feed(bytes);
    match p.next_event() {
        Ok(Some(Event::Stanza(s))) => f(s),
        other => panic!("{other:?} for {}", String::from_utf8_lossy(bytes)),
    }
    p.finish().unwrap();
}

fn in_stream(header: &[u8], bytes: &[u8], f: impl FnOnce(Stanza<'_>)) {
    let mut p = Parser::new();
    p.feed(header);
    p.feed(bytes);
    assert!(matches!(p.next_event(), Ok(Some(Event::Header(_)))));
    match p.next_event() {
        Ok(Some(Event::Stanza(s))) => f(s),
        other => panic!("{other:?} for {}", String::from_utf8_lossy(bytes)),
    }
}

/// Every check one stanza goes through (`live` straight from the parser).
fn check_stanza(live: &Stanza<'_>, ws: &mut WebSocketParser, out: &mut Vec<u8>) {
    let want = json(&live.root());
    let root = live.root();

    // The XMPP accessors read the same attributes as the element view.
    assert_eq!(live.to(), root.attr("", "to"));
    assert_eq!(live.from(), root.attr("", "from"));
    assert_eq!(live.id(), root.attr("", "id"));
    assert_eq!(live.type_attr(), root.attr("", "type"));
    let lang = live.lang();
    assert_eq!(
        lang,
        root.attr(XML_NS, "lang")
            .or_else(|| live.header().and_then(|h| h.attr(XML_NS, "lang")))
    );
    let kind = live.kind();
    assert_eq!(kind.is_stanza(), live.type_().is_some());
    if let (true, Some(content)) = (kind.is_stanza(), live.content_ns()) {
        assert_eq!(root.ns(), content);
    }

    // Owned.
    let owned = OwnedStanza::new(live);
    let view = owned.view();
    let o = view.stanza();
    assert_eq!(json(&o.root()), want);
    assert_eq!(o.raw(), live.raw());
    assert_eq!((o.kind(), o.type_(), o.lang()), (kind, live.type_(), lang));
    assert_eq!(o.content_ns(), live.content_ns());
    assert_eq!(
        o.inherited_namespaces().collect::<Vec<_>>(),
        live.inherited_namespaces().collect::<Vec<_>>()
    );

    // Standalone, parsed as a document of its own.
    out.clear();
    write_stanza(out, live, Target::Standalone);
    let standalone = out.clone();
    document(&standalone, |d| {
        same(&live.root(), &d.root(), &identity, true);
        assert_eq!(d.lang(), lang);
        // The content namespace is explicit now: the kind is the same without a header.
        assert_eq!(d.kind(), kind);
        if live.root().attr(XML_NS, "lang").is_some() || lang.is_none() {
            assert_eq!(json(&d.root()), want);
        }
    });

    // The same bytes as a WebSocket message.
    match ws.parse(&standalone).unwrap() {
        WsEvent::Stanza(w) => {
            same(&live.root(), &w.root(), &identity, true);
            assert_eq!((w.kind(), w.lang()), (kind, lang));
            let owned = OwnedStanza::new(&w);
            same(&live.root(), &owned.view().root(), &identity, true);
        }
        other => panic!("{other:?}"),
    }

    // Re-targeted from the content namespace to another one.
    if let Some(content) = live.content_ns() {
        let other = if content == ns::CLIENT {
            ns::SERVER
        } else {
            ns::CLIENT
        };
        out.clear();
        write_stanza(
            out,
            live,
            Target::Retarget {
                from: content,
                to: other,
            },
        );
        let map = |n: &str| {
            if n == content {
                other.to_string()
            } else {
                n.to_string()
            }
        };
        document(out, |d| {
            same(&live.root(), &d.root(), &map, true);
            if kind.is_stanza() {
                assert_eq!(d.kind(), kind);
            }
        });
    }

    // Re-serialised from the views, inside the original header.
    out.clear();
    Writer::new(out).element(&live.root());
    let header = live.header().map(|h| h.raw().to_vec());
    match header {
        Some(h) => in_stream(&h, out, |r| assert_eq!(json(&r.root()), want)),
        None => document(out, |r| assert_eq!(json(&r.root()), want)),
    }
}

fn corpus_streams() -> Vec<std::path::PathBuf> {
    let dir = format!("{}/corpus/streams", env!("CARGO_MANIFEST_DIR"));
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    v.sort();
    assert!(v.len() >= 7);
    v
}

#[test]
fn views_agree_with_the_dump_on_every_corpus_file() {
    let mut ws = WebSocketParser::new();
    let mut out = Vec::new();
    for path in corpus_streams() {
        let input = std::fs::read(&path).unwrap();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let mut parser = Parser::with_config(stream_config());
        let mut dump_lines = String::new();
        let mut kinds = std::collections::BTreeMap::new();
        parser.feed(&input);
        while let Some(event) = parser.next_event().unwrap() {
            dump::write_event(&mut dump_lines, &event);
            if let Event::Stanza(s) = &event {
                *kinds.entry(s.kind().to_string()).or_insert(0) += 1;
                check_stanza(s, &mut ws, &mut out);
            }
        }
        parser.finish().unwrap();
        // The live views are the dump, which the oracle checks (tests/corpus.rs); the
        // checks above hold every other path to them.
        let golden = format!("{}/corpus/golden/{name}.jsonl", env!("CARGO_MANIFEST_DIR"));
        if let Ok(want) = std::fs::read_to_string(golden) {
            assert_eq!(dump_lines, want, "{name}");
        }
        assert!(!kinds.is_empty());
        eprintln!("{name}: {kinds:?}");
    }
}

#[test]
fn negotiation_corpus_kinds() {
    let input = crate_file("corpus/streams/s2c-negotiation.xml");
    let mut parser = Parser::with_config(stream_config());
    parser.feed(&input);
    let mut seen = Vec::new();
    let mut headers = 0;
    while let Some(event) = parser.next_event().unwrap() {
        match event {
            Event::Header(_) => headers += 1,
            Event::Stanza(s) => {
                let k = s.kind();
                if !k.is_stanza() && !seen.contains(&k.to_string()) {
                    seen.push(k.to_string());
                }
            }
            Event::Close => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(headers, 3);
    for k in ["stream-features", "tls-proceed", "sasl-success"] {
        assert!(seen.iter().any(|s| s == k), "{k} not in {seen:?}");
    }
}

#[test]
fn websocket_session_with_restart() {
    let mut ws = WebSocketParser::new();
    let msgs: &[&[u8]] = &[
        b"<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='example.com' id='s1' version='1.0' xml:lang='en'/>",
        b"<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>",
        b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
        b"<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='example.com' id='s2' version='1.0' xml:lang='de'/>",
        b"<iq xmlns='jabber:client' type='result' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>j@example.com/r</jid></bind></iq>",
        b"<message xmlns='jabber:client' type='chat' from='r@example.net'><body>&#x1F600; &amp;</body></message>",
        b"<stream:error xmlns:stream='http://etherx.jabber.org/streams'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
        b"<close xmlns='urn:ietf:params:xml:ns:xmpp-framing' see-other-uri='wss://b.example/ws'/>",
    ];
    let mut log = Vec::new();
    for m in msgs {
        match ws.parse(m).unwrap() {
            WsEvent::Open(h) => {
                let h = StreamHeader::new(h);
                log.push(format!("open {} {:?}", h.id().unwrap(), h.lang()))
            }
            WsEvent::Stanza(s) => {
                let mut line = format!("{} lang={:?}", s.kind(), s.lang());
                if let Some(StanzaType::Iq(_)) = s.type_() {
                    let jid = s
                        .child(ns::BIND, "bind")
                        .unwrap()
                        .child(ns::BIND, "jid")
                        .unwrap();
                    line.push_str(&format!(" jid={}", jid.text()));
                }
                if s.kind() == Kind::Message {
                    line.push_str(&format!(
                        " body={}",
                        s.child(ns::CLIENT, "body").unwrap().text()
                    ));
                }
                if let Some(e) = s.stream_error() {
                    line.push_str(&format!(" condition={}", e.condition().unwrap()));
                }
                log.push(line);
            }
            WsEvent::Close(c) => log.push(format!("close {:?}", c.attr("", "see-other-uri"))),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        log,
        [
            "open s1 Some(\"en\")",
            "stream-features lang=Some(\"en\")",
            "sasl-success lang=Some(\"en\")",
            "open s2 Some(\"de\")",
            "iq lang=Some(\"de\") jid=j@example.com/r",
            "message lang=Some(\"de\") body=\u{1F600} &",
            "stream-error lang=Some(\"de\") condition=conflict",
            "close Some(\"wss://b.example/ws\")",
        ]
    );
}

// ---- round-trip properties over generated stanzas ----

/// A generated element: its XML text is built with varied but well-formed spellings.
#[derive(Debug, Clone)]
struct Gen {
    /// 0: unprefixed, 1: `p:` (bound on the header), 2: `q:` (declared here).
    prefix: u8,
    name: &'static str,
    /// Some(uri): `xmlns='uri'` on this element ("" un-declares).
    default_ns: Option<&'static str>,
    attrs: Vec<(u8, &'static str, String)>,
    lang: Option<String>,
    children: Vec<GenNode>,
}

#[derive(Debug, Clone)]
enum GenNode {
    Elem(Gen),
    Text(String),
}

const GEN_HEADER: &str = "<stream:stream xmlns='jabber:client' xml:lang='en' \
    xmlns:stream='http://etherx.jabber.org/streams' xmlns:p='urn:p' xmlns:unused='urn:u'>";

fn text_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,6}",
        Just("&amp;".to_string()),
        Just("&lt;".to_string()),
        Just("&gt;".to_string()),
        Just("&quot;&apos;".to_string()),
        Just("&#9;&#xD;&#10;".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("\t".to_string()),
        Just("é\u{10000}".to_string()),
        Just("<![CDATA[<&>\r]]]>".to_string()),
        Just("]]&gt;".to_string()),
        Just("'\"".to_string()),
    ]
}

fn attr_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,6}",
        Just("&amp;&lt;".to_string()),
        Just("&#9;&#10;&#13;".to_string()),
        Just("\t\n\r\n".to_string()),
        Just(">".to_string()),
        Just("&apos;&quot;".to_string()),
        Just("ü\u{1F600}".to_string()),
    ]
}

fn gen_element(depth: u32) -> BoxedStrategy<Gen> {
    let names = prop::sample::select(vec!["a", "body", "x-y", "é", "n.1", "message", "iq"]);
    let attr_names = prop::sample::select(vec!["to", "from", "id", "type", "k"]);
    let attrs = prop::collection::vec(
        (
            0u8..3,
            attr_names,
            prop::collection::vec(attr_piece(), 0..4),
        ),
        0..4,
    )
    .prop_map(|v| {
        let mut seen = Vec::new();
        v.into_iter()
            .filter(|(p, n, _)| {
                let key = (*p, *n);
                let fresh = !seen.contains(&key);
                seen.push(key);
                fresh
            })
            .map(|(p, n, pieces)| (p, n, pieces.concat()))
            .collect::<Vec<_>>()
    });
    let default_ns = prop::sample::select(vec![None, None, None, Some("urn:d"), Some("")]);
    let lang = prop::option::of(prop::sample::select(vec![
        "fr".to_string(),
        "x&amp;y".into(),
    ]));
    let leaf = (0u8..3, names, default_ns, attrs, lang).prop_map(
        |(prefix, name, default_ns, attrs, lang)| Gen {
            prefix,
            name,
            default_ns,
            attrs,
            lang,
            children: Vec::new(),
        },
    );
    if depth == 0 {
        return leaf.boxed();
    }
    let child = prop_oneof![
        prop::collection::vec(text_piece(), 1..4).prop_map(|v| GenNode::Text(v.concat())),
        gen_element(depth - 1).prop_map(GenNode::Elem),
    ];
    (leaf, prop::collection::vec(child, 0..4))
        .prop_map(|(mut g, children)| {
            g.children = children;
            g
        })
        .boxed()
}

fn write_gen(out: &mut String, g: &Gen, dq: bool) {
    let prefix = ["", "p:", "q:"][g.prefix as usize];
    let q = if dq { '"' } else { '\'' };
    out.push('<');
    out.push_str(prefix);
    out.push_str(g.name);
    if g.prefix == 2 || g.attrs.iter().any(|a| a.0 == 2) {
        out.push_str(&format!(" xmlns:q={q}urn:q{q}"));
    }
    if let Some(d) = g.default_ns {
        out.push_str(&format!(" xmlns = {q}{d}{q}"));
    }
    for (p, n, v) in &g.attrs {
        let v = if dq {
            v.replace('"', "&quot;")
        } else {
            v.replace('\'', "&apos;")
        };
        out.push_str(&format!(
            "\n {}{n}={q}{v}{q}",
            ["", "p:", "q:"][*p as usize]
        ));
    }
    if let Some(l) = &g.lang {
        out.push_str(&format!(" xml:lang={q}{l}{q}"));
    }
    if g.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for c in &g.children {
        match c {
            GenNode::Text(t) => out.push_str(t),
            GenNode::Elem(e) => write_gen(out, e, !dq),
        }
    }
    out.push_str(&format!("</{prefix}{} >", g.name));
}

proptest! {
    // 256 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn parse_write_parse_gives_equal_views(g in gen_element(3), dq in any::<bool>()) {
        let mut xml = String::new();
        write_gen(&mut xml, &g, dq);
        let mut ws = WebSocketParser::new();
        let mut out = Vec::new();
        in_stream(GEN_HEADER.as_bytes(), xml.as_bytes(), |s| {
            check_stanza(&s, &mut ws, &mut out);
            // Writing the views from scratch with the Writer, inside the header.
            let want = json(&s.root());
            let mut again = Vec::new();
            Writer::new(&mut again).element(&s.root());
            in_stream(GEN_HEADER.as_bytes(), &again, |r| {
                assert_eq!(json(&r.root()), want);
                // Writing is idempotent on normalised output.
                let mut third = Vec::new();
                Writer::new(&mut third).element(&r.root());
                assert_eq!(third, again);
            });
        });
    }

    #[test]
    fn escaping_round_trips_any_string(s in "\\PC*", t in any::<String>()) {
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out);
        w.start("m").attr("a", &s).attr("b", &t).text(&s).start("c").text(&t).end().end();
        let clean = |x: &str| -> String {
            x.chars()
                .map(|c| match c {
                    '\t' | '\n' | '\r' => c,
                    c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
                    c => c,
                })
                .collect()
        };
        document(&out, |d| {
            let r = d.root();
            assert_eq!(r.attr("", "a"), Some(clean(&s).as_str()));
            assert_eq!(r.attr("", "b"), Some(clean(&t).as_str()));
            assert_eq!(r.text(), clean(&s));
            assert_eq!(r.child("", "c").unwrap().text(), clean(&t));
        });
    }
}

#[test]
fn standalone_carries_inherited_prefixes() {
    let header = b"<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' \
        xmlns:stream='http://etherx.jabber.org/streams'>";
    in_stream(
        header,
        b"<db:verify from='a' to='b' id='1'>k</db:verify>",
        |s| {
            assert_eq!(s.kind(), Kind::DialbackVerify);
            let mut out = Vec::new();
            write_stanza(&mut out, &s, Target::Standalone);
            assert_eq!(
                out,
                &b"<db:verify xmlns='jabber:server' xmlns:db='jabber:server:dialback' from='a' \
               to='b' id='1'>k</db:verify>"[..]
            );
            document(&out, |d| assert_eq!(d.kind(), Kind::DialbackVerify));
        },
    );
    // A client stanza with an explicit jabber:client inside, routed to a server stream.
    in_stream(
        HEADER.as_bytes(),
        b"<message><body>x</body><forwarded xmlns='urn:xmpp:forward:0'>\
          <message xmlns='jabber:client' from='a@b'><body>y</body></message></forwarded></message>",
        |s| {
            let mut out = Vec::new();
            write_stanza(
                &mut out,
                &s,
                Target::Retarget {
                    from: ns::CLIENT,
                    to: ns::SERVER,
                },
            );
            assert_eq!(
                out,
                &b"<message xmlns='jabber:server'><body>x</body><forwarded xmlns='urn:xmpp:forward:0'>\
                   <message xmlns='jabber:server' from='a@b'><body>y</body></message></forwarded></message>"[..]
            );
        },
    );
}

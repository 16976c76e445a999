//! Table-driven integration tests of the whole pipeline: every construct, every error
//! kind with its offset, framing, restarts, limits, end of input.

mod common;

use common::*;
use xmpp_stream::{Condition, Config, ErrorKind, Event, Limit, Limits, Mode, Parser};

const H: &str = common::HEADER;
const HDR_JSON: &str = r#"{"header":{"name":["http://etherx.jabber.org/streams","stream"],"attrs":[["","to","example.com"],["","version","1.0"]]}}"#;

/// Runs `body` after the standard header, whole and one byte at a time, asserts both agree
/// and returns the events after the header.
fn stanzas(body: &str) -> Outcome {
    let input = format!("{H}{body}");
    let whole = run_whole(&stream_config(), input.as_bytes());
    let bytewise = run_chunked(&stream_config(), input.as_bytes(), &[1]);
    assert_eq!(whole, bytewise, "chunking changed the outcome for {body:?}");
    assert_eq!(
        whole.events.first().map(String::as_str),
        Some(HDR_JSON),
        "{body:?}: {whole:?}"
    );
    Outcome {
        events: whole.events[1..].to_vec(),
        error: whole.error,
    }
}

fn one_stanza(body: &str) -> String {
    let o = stanzas(body);
    assert_eq!(o.error, None, "{body:?}");
    assert_eq!(o.events.len(), 1, "{body:?}: {:?}", o.events);
    o.events[0].clone()
}

/// Asserts that `input` (a whole stream) fails with `kind` at `offset`, whole and
/// chunked.
fn fails(input: &str, kind: ErrorKind, offset: u64) {
    fails_bytes(input.as_bytes(), kind, offset)
}

fn fails_bytes(input: &[u8], kind: ErrorKind, offset: u64) {
    for sizes in [&[][..], &[1], &[3, 1, 7]] {
        let o = run_chunked(&stream_config(), input, sizes);
        let e = o
            .error
            .unwrap_or_else(|| panic!("{input:?} accepted ({sizes:?}): {:?}", o.events));
        assert_eq!(
            (e.kind(), e.offset()),
            (kind, offset),
            "{:?} ({sizes:?})",
            String::from_utf8_lossy(input)
        );
    }
}

/// As [`fails`], with the offset given relative to the end of the standard header.
fn fails_after_header(body: &str, kind: ErrorKind, offset_in_body: u64) {
    fails(&format!("{H}{body}"), kind, H.len() as u64 + offset_in_body);
}

#[test]
fn header_stanzas_keepalives_close() {
    let input = format!("<?xml version='1.0' encoding='UTF-8'?>\n{H} \n\t<presence/>\r\n <message to='a@b'/> </stream:stream>  \n");
    let o = run_whole(&stream_config(), input.as_bytes());
    assert_eq!(o.error, None);
    assert_eq!(
        o.events,
        [
            HDR_JSON,
            r#"{"stanza":{"name":["jabber:client","presence"],"attrs":[],"children":[]}}"#,
            r#"{"stanza":{"name":["jabber:client","message"],"attrs":[["","to","a@b"]],"children":[]}}"#,
            r#"{"close":true}"#,
        ]
    );
}

#[test]
fn raw_bytes_and_offsets_of_stanzas() {
    let body = " <iq id='1' type='get'><query xmlns='jabber:iq:roster'/></iq>\n<presence/>";
    let input = format!("{H}{body}");
    let mut p = Parser::new();
    p.feed(input.as_bytes());
    assert!(matches!(p.next_event().unwrap(), Some(Event::Header(_))));
    let Some(Event::Stanza(s)) = p.next_event().unwrap() else {
        panic!()
    };
    assert_eq!(
        s.raw(),
        &b"<iq id='1' type='get'><query xmlns='jabber:iq:roster'/></iq>"[..]
    );
    assert_eq!(s.offset(), H.len() as u64 + 1);
    let q = s.root().child("jabber:iq:roster", "query").unwrap();
    assert_eq!(q.raw(), &b"<query xmlns='jabber:iq:roster'/>"[..]);
    let Some(Event::Stanza(s)) = p.next_event().unwrap() else {
        panic!()
    };
    assert_eq!(s.raw(), b"<presence/>");
    assert_eq!(p.next_event().unwrap().map(|_| ()), None);
    assert_eq!(p.finish(), Ok(()));
}

#[test]
fn namespaces_resolve_and_scope() {
    assert_eq!(
        one_stanza("<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>"),
        r#"{"stanza":{"name":["http://etherx.jabber.org/streams","features"],"attrs":[],"children":[{"name":["urn:ietf:params:xml:ns:xmpp-sasl","mechanisms"],"attrs":[],"children":[{"name":["urn:ietf:params:xml:ns:xmpp-sasl","mechanism"],"attrs":[],"children":["PLAIN"]}]}]}}"#
    );
    // Default namespace undeclared, prefixes scoped per element, prefixed attributes.
    assert_eq!(
        one_stanza(
            "<a xmlns:p='urn:p'><b xmlns=''><c p:x='1' y='2'/></b><p:d xmlns:p='urn:q'/><p:e/></a>"
        ),
        r#"{"stanza":{"name":["jabber:client","a"],"attrs":[],"children":[{"name":["","b"],"attrs":[],"children":[{"name":["","c"],"attrs":[["","y","2"],["urn:p","x","1"]],"children":[]}]},{"name":["urn:q","d"],"attrs":[],"children":[]},{"name":["urn:p","e"],"attrs":[],"children":[]}]}}"#
    );
    // xml:lang, and the xml prefix may be declared to its own namespace.
    assert_eq!(
        one_stanza("<m xml:lang='fr' xmlns:xml='http://www.w3.org/XML/1998/namespace'/>"),
        r#"{"stanza":{"name":["jabber:client","m"],"attrs":[["http://www.w3.org/XML/1998/namespace","lang","fr"]],"children":[]}}"#
    );
    // Bindings made inside one stanza do not leak into the next.
    let o = stanzas("<a xmlns:q='urn:q'/><q:b/>");
    assert_eq!(o.events.len(), 1);
    assert_eq!(o.error.unwrap().kind(), ErrorKind::UnboundPrefix);
}

#[test]
fn text_references_cdata_and_line_ends() {
    assert_eq!(
        one_stanza("<m a='x&amp;y&#9;z\tw\r\nv &lt;&#x3C;'>A &amp; B &lt;&gt;&quot;&apos; &#233;&#x1F600; <![CDATA[<&>]]>\r\n\rend<![CDATA[]]>!</m>"),
        r#"{"stanza":{"name":["jabber:client","m"],"attrs":[["","a","x&y\tz w v <<"]],"children":["A & B <>\"' é😀 <&>\n\nend!"]}}"#
    );
    // Non-ASCII names and text, `>` and `]]` alone in text.
    assert_eq!(
        one_stanza("<héllo 属性='值'>ü ] ]] > x]>y</héllo>"),
        r#"{"stanza":{"name":["jabber:client","héllo"],"attrs":[["","属性","值"]],"children":["ü ] ]] > x]>y"]}}"#
    );
}

#[test]
fn mixed_content_is_ordered() {
    assert_eq!(
        one_stanza("<b>one<i>two</i>three<br/></b>"),
        r#"{"stanza":{"name":["jabber:client","b"],"attrs":[],"children":["one",{"name":["jabber:client","i"],"attrs":[],"children":["two"]},"three",{"name":["jabber:client","br"],"attrs":[],"children":[]}]}}"#
    );
}

#[test]
fn restricted_constructs() {
    fails_after_header("<m><!-- hi --></m>", ErrorKind::Comment, 3);
    fails_after_header("<!-- hi -->", ErrorKind::Comment, 0);
    fails("<!-- hi -->", ErrorKind::Comment, 0);
    fails_after_header("<m><?pi x?></m>", ErrorKind::ProcessingInstruction, 3);
    fails(
        "<?xml-stylesheet href='a'?>",
        ErrorKind::ProcessingInstruction,
        0,
    );
    fails("<!DOCTYPE stream>", ErrorKind::Doctype, 0);
    fails_after_header("<m>&nbsp;</m>", ErrorKind::EntityReference, 3);
    fails_after_header("<m a='&foo;'/>", ErrorKind::EntityReference, 6);
    fails_bytes(b"\xEF\xBB\xBF<stream:stream/>", ErrorKind::ByteOrderMark, 0);
    for k in [
        ErrorKind::Comment,
        ErrorKind::Doctype,
        ErrorKind::EntityReference,
    ] {
        assert_eq!(k.condition(), Condition::RestrictedXml);
    }
}

#[test]
fn encoding_errors() {
    fails(
        "<?xml version='1.0' encoding='ISO-8859-1'?><stream:stream/>",
        ErrorKind::UnsupportedEncoding,
        30,
    );
    let bad: &[&[u8]] = &[
        b"\xFF",
        b"\xC0\xAF",
        b"\xE0\x80\xAF",
        b"\xED\xA0\x80",
        b"\xF4\x90\x80\x80",
        b"\x80",
    ];
    for b in bad {
        let mut text = format!("{H}<m>ok").into_bytes();
        let at = text.len() as u64;
        text.extend_from_slice(b);
        text.extend_from_slice(b"</m>");
        fails_bytes(&text, ErrorKind::InvalidUtf8, at);
        let mut attr = format!("{H}<m a='").into_bytes();
        let at = attr.len() as u64;
        attr.extend_from_slice(b);
        attr.extend_from_slice(b"'/>");
        fails_bytes(&attr, ErrorKind::InvalidUtf8, at);
    }
    // UTF-16 and UTF-32 are detected at the start; invalid UTF-8 between stanzas too.
    fails_bytes(b"\xFF\xFE<\x00", ErrorKind::UnsupportedEncoding, 0);
    fails_bytes(b"\xFE\xFF\x00<", ErrorKind::UnsupportedEncoding, 0);
    fails_bytes(b"\x00<\x00s", ErrorKind::UnsupportedEncoding, 0);
    fails_bytes(b"<\x00s\x00", ErrorKind::UnsupportedEncoding, 0);
    let mut between = H.as_bytes().to_vec();
    between.extend_from_slice(b" \xC0\xAF");
    fails_bytes(&between, ErrorKind::InvalidUtf8, H.len() as u64 + 1);
    fails_bytes(b"<?xml version='1.0'\x85?>", ErrorKind::InvalidUtf8, 19);
    // Characters outside Char are not-well-formed, not encoding errors.
    fails_after_header("<m>\u{1}</m>", ErrorKind::InvalidChar, 3);
    fails_after_header("<m>\u{FFFE}</m>", ErrorKind::InvalidChar, 3);
    fails_after_header("<m a='\u{FFFF}'/>", ErrorKind::InvalidChar, 6);
    fails_after_header("<m>&#0;</m>", ErrorKind::InvalidCharReference, 3);
    fails_after_header("<m>&#xD800;</m>", ErrorKind::InvalidCharReference, 3);
}

#[test]
fn syntax_errors_with_offsets() {
    use ErrorKind::*;
    let cases: &[(&str, ErrorKind, u64)] = &[
        ("<m></n>", MismatchedEndTag, 3),
        ("<m><x></m>", MismatchedEndTag, 6),
        ("<m a='<'/>", LtInAttributeValue, 6),
        ("<m>]]></m>", CDataEndInText, 3),
        ("<m>a]]]></m>", CDataEndInText, 5),
        ("<m a='1'b='2'/>", MissingWhitespace, 8),
        ("<m a='1' a='2'/>", DuplicateAttribute, 9),
        (
            "<m xmlns:p='u' xmlns:q='u' p:a='1' q:a='2'/>",
            DuplicateAttribute,
            35,
        ),
        ("<m a=1/>", UnexpectedByte, 5),
        ("<m a/>", UnexpectedByte, 4),
        ("< m/>", UnexpectedByte, 0),
        ("<1m/>", InvalidName, 1),
        ("<m/ >", UnexpectedByte, 3),
        ("<m>& </m>", MalformedReference, 3),
        ("<m>&#x;</m>", MalformedReference, 3),
        ("<m>&amp</m>", MalformedReference, 3),
        ("hello", TextAtStreamLevel, 0),
        ("  x<m/>", TextAtStreamLevel, 2),
        ("&amp;", TextAtStreamLevel, 0),
        ("<![CDATA[x]]>", TextAtStreamLevel, 0),
        ("<m><!x></m>", UnexpectedByte, 5),
        ("<a:b:c/>", InvalidQName, 1),
        ("<m :a='1'/>", InvalidQName, 3),
        ("<m a:='1'/>", InvalidQName, 3),
        ("<p:m/>", UnboundPrefix, 0),
        ("<m p:a='1'/>", UnboundPrefix, 3),
        ("<m xmlns:p=''/>", EmptyPrefixBinding, 3),
        ("<m xmlns:xml='urn:x'/>", ReservedPrefix, 3),
        ("<m xmlns:xmlns='urn:x'/>", ReservedPrefix, 3),
        ("<xmlns:m/>", ReservedPrefix, 1),
        (
            "<m xmlns:p='http://www.w3.org/XML/1998/namespace'/>",
            ReservedNamespace,
            3,
        ),
        (
            "<m xmlns='http://www.w3.org/2000/xmlns/'/>",
            ReservedNamespace,
            3,
        ),
        ("<m><?xml version='1.0'?></m>", MisplacedXmlDeclaration, 3),
        ("</m>", MismatchedEndTag, 0),
        ("</stream:stream> <m/>", ContentAfterRoot, 17),
        ("</stream:stream> x", TextOutsideRoot, 17),
    ];
    for (body, kind, off) in cases {
        fails_after_header(body, *kind, *off);
    }
    fails(
        "<stream:stream xmlns:stream='urn:wrong'>",
        ErrorKind::InvalidStreamRoot,
        0,
    );
    fails("<message/>", ErrorKind::InvalidStreamRoot, 0);
    fails(
        " <?xml version='1.0'?><stream:stream/>",
        ErrorKind::MisplacedXmlDeclaration,
        1,
    );
    fails(
        "<?xml version='1.0'>",
        ErrorKind::MalformedXmlDeclaration,
        0,
    );
    fails(
        "<?xml version='2.0'?>",
        ErrorKind::MalformedXmlDeclaration,
        0,
    );
    fails("x", ErrorKind::TextOutsideRoot, 0);
}

#[test]
fn errors_are_sticky() {
    let mut p = Parser::new();
    p.feed(b"<!-- x -->");
    let e = p.next_event().unwrap_err();
    p.feed(format!("{H}<m/>").as_bytes());
    assert_eq!(p.next_event().unwrap_err(), e);
    assert_eq!(p.finish(), Err(e));
    p.restart();
    assert_eq!(p.next_event().unwrap_err(), e);
    p.reset();
    p.feed(format!("{H}<m/>").as_bytes());
    assert!(matches!(p.next_event(), Ok(Some(Event::Header(_)))));
}

#[test]
fn end_of_input() {
    let cfg = stream_config();
    for ok in [H, &format!("{H}<m/> "), &format!("{H}</stream:stream>")] {
        assert_eq!(run_whole(&cfg, ok.as_bytes()).error, None, "{ok:?}");
    }
    for (cut, at) in [
        ("", 0),
        ("  \n", 3),
        ("<stream:stream", 14),
        ("<?xml version='1.0'?>", 21),
        ("<?xml version='1.0'?> ", 22),
        (&format!("{H}<m>text"), H.len() + 7),
        (&format!("{H}<m><![CDATA[x"), H.len() + 13),
        (&format!("{H}</stream:str"), H.len() + 12),
    ] {
        let e = run_whole(&cfg, cut.as_bytes())
            .error
            .unwrap_or_else(|| panic!("{cut:?}"));
        assert_eq!(
            (e.kind(), e.offset()),
            (ErrorKind::UnexpectedEof, at as u64),
            "{cut:?}"
        );
        assert_eq!(e.condition(), Condition::Incomplete);
    }
    // A UTF-8 character cut by the end of input.
    let mut cut = format!("{H}<m>").into_bytes();
    cut.push(0xC3);
    assert_eq!(
        run_whole(&cfg, &cut).error.unwrap().kind(),
        ErrorKind::UnexpectedEof
    );
}

#[test]
fn empty_stream_root_is_header_then_close() {
    let o = run_whole(
        &stream_config(),
        b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams'/>",
    );
    assert_eq!(o.error, None);
    assert_eq!(o.events.len(), 2);
    assert_eq!(o.events[1], r#"{"close":true}"#);
}

#[test]
fn explicit_restart_after_sasl_success() {
    let mut p = Parser::new();
    let s2 = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='2'>";
    p.feed(
        format!(
            "{H}<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/><?xml version='1.0'?>{s2}<iq/>"
        )
        .as_bytes(),
    );
    assert!(matches!(p.next_event(), Ok(Some(Event::Header(_)))));
    let Ok(Some(Event::Stanza(s))) = p.next_event() else {
        panic!()
    };
    assert!(s.root().is("urn:ietf:params:xml:ns:xmpp-sasl", "success"));
    p.restart();
    assert!(p.header().is_none());
    let Ok(Some(Event::Header(h))) = p.next_event() else {
        panic!()
    };
    assert_eq!(h.attr("", "id"), Some("2"));
    assert!(matches!(p.next_event(), Ok(Some(Event::Stanza(_)))));
    assert_eq!(p.header().unwrap().attr("", "id"), Some("2"));
    // Without restart(), and without implicit restarts, a second header is an error.
    let o = run_whole(
        &Config::default(),
        format!("{H}<a/><?xml version='1.0'?>{s2}").as_bytes(),
    );
    assert_eq!(o.error.unwrap().kind(), ErrorKind::MisplacedXmlDeclaration);
}

#[test]
fn implicit_restarts() {
    let s2 = "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' id='2'>";
    // By XML declaration, and by a start tag with the root's qualified name.
    for input in [
        format!("{H}<a/><?xml version='1.0'?>\n{s2}<b/>"),
        format!("{H}<a/> {s2}<b/>"),
    ] {
        let o = run_whole(&stream_config(), input.as_bytes());
        assert_eq!(o.error, None, "{input}");
        assert_eq!(o.events.len(), 4);
        assert!(
            o.events[2].starts_with(r#"{"header""#) && o.events[2].contains(r#"["","id","2"]"#)
        );
        assert_eq!(
            o.events[3],
            r#"{"stanza":{"name":["jabber:server","b"],"attrs":[],"children":[]}}"#
        );
        assert_eq!(o, run_chunked(&stream_config(), input.as_bytes(), &[1]));
    }
}

#[test]
fn header_view_and_bindings_persist() {
    let mut p = Parser::new();
    p.feed(b"<s:stream xmlns:s='http://etherx.jabber.org/streams' xmlns='jabber:client' xmlns:x='urn:x' xml:lang='en' from='example.com'>");
    let Ok(Some(Event::Header(h))) = p.next_event() else {
        panic!()
    };
    assert_eq!(h.qname(), "s:stream");
    assert_eq!(h.attr(xmpp_stream::XML_NS, "lang"), Some("en"));
    assert_eq!(h.ns_decls().count(), 3);
    for _ in 0..3 {
        p.feed(b"<x:y a='1'><s:z/></x:y>");
        let Ok(Some(Event::Stanza(s))) = p.next_event() else {
            panic!()
        };
        assert!(s.root().is("urn:x", "y"));
        assert!(s
            .root()
            .child(xmpp_stream::xmpp::ns::STREAMS, "z")
            .is_some());
    }
    assert_eq!(p.header().unwrap().attr("", "from"), Some("example.com"));
    p.feed(b"</s:stream>");
    assert!(matches!(p.next_event(), Ok(Some(Event::Close))));
    assert!(p.is_closed());
}

#[test]
fn document_mode() {
    let cfg = Config::default().with_mode(Mode::Document);
    let o = run_whole(&cfg, b"<?xml version='1.0'?>\n<doc a='1'>x<e/></doc>\n");
    assert_eq!(o.error, None);
    assert_eq!(
        o.events,
        [
            r#"{"stanza":{"name":["","doc"],"attrs":[["","a","1"]],"children":["x",{"name":["","e"],"attrs":[],"children":[]}]}}"#
        ]
    );
    assert_eq!(
        run_whole(&cfg, b"<a/><b/>").error.unwrap().kind(),
        ErrorKind::ContentAfterRoot
    );
    assert_eq!(
        run_whole(&cfg, b"<a/>x").error.unwrap().kind(),
        ErrorKind::TextOutsideRoot
    );
    assert_eq!(
        run_whole(&cfg, b"").error.unwrap().kind(),
        ErrorKind::UnexpectedEof
    );
    assert_eq!(
        run_whole(&cfg, b"<a>").error.unwrap().kind(),
        ErrorKind::UnexpectedEof
    );
}

fn limited(f: impl FnOnce(&mut Limits)) -> Config {
    let mut l = Limits::default();
    f(&mut l);
    stream_config().with_limits(l)
}

fn limit_error(cfg: &Config, input: &str) -> (ErrorKind, u64) {
    let whole = run_whole(cfg, input.as_bytes());
    let bytewise = run_chunked(cfg, input.as_bytes(), &[1]);
    assert_eq!(whole, bytewise);
    let e = whole.error.expect("limit not enforced");
    assert_eq!(e.condition(), Condition::PolicyViolation);
    (e.kind(), e.offset())
}

#[test]
fn limits_trip_exactly_where_passed() {
    let h = H.len() as u64;
    // Stanza bytes: a stanza of exactly the limit passes, one byte more fails at the limit.
    let cfg = limited(|l| l.max_stanza_bytes = 10);
    assert_eq!(
        run_whole(&cfg, format!("{H}<a>12</a>").as_bytes()).error,
        None
    );
    assert_eq!(
        limit_error(&cfg, &format!("{H}<a>1234</a>")),
        (ErrorKind::LimitExceeded(Limit::StanzaBytes), h + 10)
    );
    assert_eq!(
        limit_error(&cfg, &format!("{H}<a b='{}'/>", "x".repeat(100))),
        (ErrorKind::LimitExceeded(Limit::StanzaBytes), h + 10)
    );
    let cfg = limited(|l| l.max_header_bytes = 20);
    assert_eq!(
        limit_error(&cfg, H),
        (ErrorKind::LimitExceeded(Limit::HeaderBytes), 20)
    );
    let cfg = limited(|l| l.max_depth = 3);
    assert_eq!(
        run_whole(&cfg, format!("{H}<a><b><c/></b></a>").as_bytes()).error,
        None
    );
    assert_eq!(
        limit_error(&cfg, &format!("{H}<a><b><c><d/></c></b></a>")),
        (ErrorKind::LimitExceeded(Limit::Depth), h + 9)
    );
    // The header has four attributes (namespace declarations count).
    let cfg = limited(|l| l.max_attributes = 4);
    assert_eq!(
        limit_error(&cfg, &format!("{H}<a x='1' y='2' z='3' u='4' v='5'/>")),
        (ErrorKind::LimitExceeded(Limit::Attributes), h + 27)
    );
    // 13 bytes: just enough for the header's `stream:stream`.
    let cfg = limited(|l| l.max_name_bytes = 13);
    assert_eq!(
        run_whole(&cfg, format!("{H}<abcdefghijklm/>").as_bytes()).error,
        None
    );
    assert_eq!(
        limit_error(&cfg, &format!("{H}<abcdefghijklmn/>")),
        (ErrorKind::LimitExceeded(Limit::NameBytes), h + 14)
    );
    assert_eq!(
        limit_error(&cfg, &format!("{H}<a>&#00000000000065;</a>")),
        (ErrorKind::LimitExceeded(Limit::NameBytes), h + 17)
    );
    // The header declares two.
    let cfg = limited(|l| l.max_namespace_declarations = 2);
    assert_eq!(
        limit_error(
            &cfg,
            &format!("{H}<a xmlns:p='1' xmlns:q='2' xmlns:r='3'/>")
        ),
        (
            ErrorKind::LimitExceeded(Limit::NamespaceDeclarations),
            h + 27
        )
    );
}

#[test]
fn namespace_limits_trip_as_declarations_arrive() {
    let h = H.len() as u64;
    // The 33rd declaration fails at its name, before the tag ends.
    let decls: String = (0..40).map(|k| format!(" xmlns:p{k}='urn:{k}'")).collect();
    let at = h
        + 2
        + (0..32)
            .map(|k| format!(" xmlns:p{k}='urn:{k}'").len() as u64)
            .sum::<u64>()
        + 1;
    assert_eq!(
        limit_error(&limited(|_| {}), &format!("{H}<m{decls}")),
        (ErrorKind::LimitExceeded(Limit::NamespaceDeclarations), at)
    );
    // Bindings in scope are bounded too (here 4: the header's `stream` plus three).
    let cfg = limited(|l| l.max_namespace_bindings = 4);
    assert_eq!(
        run_whole(
            &cfg,
            format!("{H}<a xmlns:x='1'><b xmlns:y='2'><c xmlns:z='3'/></b></a>").as_bytes()
        )
        .error,
        None
    );
    let nested = format!("{H}<a xmlns:x='1'><b xmlns:y='2'><c xmlns:z='3' xmlns:w='4'/></b></a>");
    let at = h + nested[H.len()..].find("xmlns:w").unwrap() as u64;
    assert_eq!(
        limit_error(&cfg, &nested),
        (ErrorKind::LimitExceeded(Limit::NamespaceBindings), at)
    );
}

#[test]
fn index_entries_are_bounded() {
    let h = H.len() as u64;
    // 3 entries per <a x='1'/> (element, attribute) plus the root: the 11th entry fails.
    let cfg = limited(|l| l.max_stanza_nodes = 10);
    assert_eq!(
        run_whole(
            &cfg,
            format!("{H}<m>t<a x='1'/><a x='1'/>u<a/><a/><a/></m>").as_bytes()
        )
        .error,
        None
    );
    let body = "<m>t<a x='1'/><a x='1'/>u<a/><a/><a/><a/></m>";
    let at = h + body.rfind("<a/>").unwrap() as u64;
    assert_eq!(
        limit_error(&cfg, &format!("{H}{body}")),
        (ErrorKind::LimitExceeded(Limit::StanzaNodes), at)
    );
}

#[test]
fn many_prefixed_attributes_are_checked_for_duplicates() {
    let attrs: String = (0..40)
        .map(|k| format!(" p:a{k}='{k}' q:a{k}='{k}'"))
        .collect();
    let ok = format!("{H}<m xmlns:p='urn:p' xmlns:q='urn:q'{attrs}/>");
    assert_eq!(run_whole(&stream_config(), ok.as_bytes()).error, None);
    let dup = format!("{H}<m xmlns:p='urn:p' xmlns:q='urn:p'{attrs}/>");
    let e = run_whole(&stream_config(), dup.as_bytes()).error.unwrap();
    assert_eq!(e.kind(), ErrorKind::DuplicateAttribute);
    assert_eq!(
        e.offset(),
        (H.len() + dup[H.len()..].find("q:a0").unwrap()) as u64
    );
}

#[test]
fn read_into_spare_capacity() {
    let input = format!("{H}<m>{}</m>", "x".repeat(50_000));
    let mut reader = input.as_bytes();
    let mut p = Parser::new();
    let mut got = 0;
    loop {
        let n = p.read_from(&mut reader).unwrap();
        while let Some(ev) = p.next_event().unwrap() {
            if let Event::Stanza(s) = ev {
                assert_eq!(s.root().text().len(), 50_000);
                got += 1;
            }
        }
        if n == 0 {
            break;
        }
    }
    assert_eq!(got, 1);
    assert_eq!(p.finish(), Ok(()));
}

#[test]
fn buffer_is_released_between_stanzas() {
    let mut p = Parser::new();
    p.feed(H.as_bytes());
    while p.next_event().unwrap().is_some() {}
    for _ in 0..1000 {
        p.feed(b"<message><body>hello</body></message>");
        while p.next_event().unwrap().is_some() {}
        assert_eq!(p.buffered(), 0);
    }
    let before = p.heap_bytes();
    p.feed(b"<m>");
    assert!(p.next_event().unwrap().is_none());
    assert_eq!(p.buffered(), 3);
    assert!(p.heap_bytes() <= before + 64);
}

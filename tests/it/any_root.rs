//! `Mode::AnyRoot`: stream framing (header, depth-1 stanzas, close) under a root of any
//! name and namespace, with the header and stanza limits and the stream-level errors of
//! `Mode::Stream`, the same whatever the chunking.

use crate::support::*;
use xmpp_stream::{Condition, Config, ErrorKind, Event, Limit, Limits, Mode, Parser};

const HTTPBIND: &str = "http://jabber.org/protocol/httpbind";

fn any_root() -> Config {
    Config::default().with_mode(Mode::AnyRoot)
}

/// Runs `input` whole, one byte at a time and in 7-byte pieces; asserts all three agree
/// and returns the outcome.
fn run_all(config: &Config, input: &[u8]) -> Outcome {
    let whole = run_whole(config, input);
    for sizes in [&[1usize][..], &[7], &[2, 5, 1, 13]] {
        let other = run_chunked(config, input, sizes);
        assert_eq!(
            whole,
            other,
            "chunking {sizes:?} of {:?}",
            String::from_utf8_lossy(input)
        );
    }
    whole
}

const BODY: &[u8] = b"<?xml version='1.0'?><body xmlns='http://jabber.org/protocol/httpbind' \
    xmlns:xmpp='urn:xmpp:xbosh' rid='1573741820' sid='SomeSID' xmpp:version='1.0'>\
    <message xmlns='jabber:client' to='a@b'><body>hi &amp; bye</body></message> \
    <iq type='get' id='1'/><stream:features xmlns:stream='http://etherx.jabber.org/streams'/>\
    </body>";

#[test]
fn bosh_body_frames_as_a_stream() {
    let out = run_all(&any_root(), BODY);
    assert_eq!(out.error, None);
    assert_eq!(out.events.len(), 5, "{:#?}", out.events);
    assert!(out.events[0].starts_with(&format!(
        "{{\"header\":{{\"name\":[\"{HTTPBIND}\",\"body\"]"
    )));
    assert!(out.events[0].contains("[\"urn:xmpp:xbosh\",\"version\",\"1.0\"]"));
    assert!(out.events[1].contains("[\"jabber:client\",\"message\"]"));
    // An unqualified child of <body/> is in the body's default namespace, as XML says.
    assert!(out.events[2].contains(&format!("[\"{HTTPBIND}\",\"iq\"]")));
    assert!(out.events[3].contains("[\"http://etherx.jabber.org/streams\",\"features\"]"));
    assert_eq!(out.events[4], "{\"close\":true}");
}

#[test]
fn views_read_the_root_and_the_stanzas() {
    let mut p = Parser::with_config(any_root());
    p.feed(BODY);
    let mut stanzas = Vec::new();
    while let Some(ev) = p.next_event().unwrap() {
        match ev {
            Event::Header(h) => {
                assert!(h.is(HTTPBIND, "body"));
                assert_eq!(h.attr("", "rid"), Some("1573741820"));
                assert_eq!(h.attr("urn:xmpp:xbosh", "version"), Some("1.0"));
            }
            Event::Stanza(s) => {
                let at = s.offset() as usize;
                assert_eq!(&BODY[at..at + s.raw().len()], s.raw());
                stanzas.push(s.root().local_name().to_string());
            }
            Event::Close => assert!(p.is_closed()),
            other => panic!("unexpected {other:?}"),
        }
    }
    p.finish().unwrap();
    assert_eq!(stanzas, ["message", "iq", "features"]);
    assert!(p.header().unwrap().is(HTTPBIND, "body"));
}

#[test]
fn any_name_and_namespace_is_a_root() {
    for (input, name) in [
        (&b"<root><a/></root>"[..], "[\"\",\"root\"]"),
        (b"<p:x xmlns:p='urn:a'><p:y/></p:x>", "[\"urn:a\",\"x\"]"),
        // A stream:stream root is still fine (AnyRoot accepts what Stream accepts).
        (
            b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><a/></stream:stream>",
            "[\"http://etherx.jabber.org/streams\",\"stream\"]",
        ),
    ] {
        let out = run_all(&any_root(), input);
        assert_eq!(out.error, None);
        assert_eq!(out.events.len(), 3, "{:#?}", out.events);
        assert!(out.events[0].contains(name), "{}", out.events[0]);
        assert!(out.events[1].starts_with("{\"stanza\":"));
        assert_eq!(out.events[2], "{\"close\":true}");
    }
}

#[test]
fn an_empty_root_is_a_header_then_a_close() {
    let input = b"<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' condition='item-not-found'/>";
    let out = run_all(&any_root(), input);
    assert_eq!(out.error, None);
    assert_eq!(out.events.len(), 2);
    assert!(out.events[0].contains("[\"\",\"condition\",\"item-not-found\"]"));
    assert_eq!(out.events[1], "{\"close\":true}");
}

#[test]
fn stream_mode_still_rejects_other_roots() {
    let out = run_all(
        &Config::default(),
        b"<body xmlns='http://jabber.org/protocol/httpbind'/>",
    );
    assert_eq!(
        out.error.map(|e| (e.kind(), e.offset())),
        Some((ErrorKind::InvalidStreamRoot, 0))
    );
}

#[test]
fn the_root_start_tag_is_bounded_by_the_header_limit() {
    let mut limits = Limits::default();
    limits.max_header_bytes = 64;
    limits.max_stanza_bytes = 1 << 20;
    let config = any_root().with_limits(limits);
    let fits = format!("<body xmlns='{HTTPBIND}' rid='{}'>", "1".repeat(64 - 57));
    assert_eq!(fits.len(), 64);
    let out = run_all(&config, fits.as_bytes());
    assert_eq!(out.events.len(), 1, "{:#?}", out);
    let long = format!("<body xmlns='{HTTPBIND}' rid='{}'>", "1".repeat(100));
    let out = run_all(&config, long.as_bytes());
    let e = out.error.expect("header limit");
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::HeaderBytes));
    assert_eq!(e.condition(), Condition::PolicyViolation);
    assert_eq!(e.offset(), 64, "the first byte past the limit");
    assert!(out.events.is_empty());
}

#[test]
fn depth_one_elements_are_bounded_by_the_stanza_limit() {
    let mut limits = Limits::default();
    limits.max_stanza_bytes = 32;
    let config = any_root().with_limits(limits);
    let head = "<root>";
    let ok = format!("<a>{}</a>", "1".repeat(25));
    assert_eq!(ok.len(), 32);
    let big = format!("<a>{}</a>", "1".repeat(26));
    let input = format!("{head}{ok}{big}</root>");
    let out = run_all(&config, input.as_bytes());
    assert_eq!(out.events.len(), 2, "{:#?}", out);
    let e = out.error.expect("stanza limit");
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::StanzaBytes));
    assert_eq!(e.offset() as usize, head.len() + ok.len() + 32);
}

#[test]
fn structural_errors_carry_their_offsets() {
    let cases: [(&[u8], ErrorKind, u64); 6] = [
        // The root's end tag must match its start tag.
        (b"<root><a/></toor>", ErrorKind::MismatchedEndTag, 10),
        // Nothing after the root is closed.
        (b"<root/><again/>", ErrorKind::ContentAfterRoot, 7),
        // Text between depth-1 elements, as between stanzas.
        (b"<root><a/>text</root>", ErrorKind::TextAtStreamLevel, 10),
        // Namespaces still apply to the root.
        (b"<p:root><a/></p:root>", ErrorKind::UnboundPrefix, 0),
        (b"<root xmlns:xml='urn:x'/>", ErrorKind::ReservedPrefix, 6),
        // Restricted XML still applies.
        (b"<root><!-- c --></root>", ErrorKind::Comment, 6),
    ];
    for (input, kind, offset) in cases {
        let out = run_all(&any_root(), input);
        let e = out
            .error
            .unwrap_or_else(|| panic!("{:?}", String::from_utf8_lossy(input)));
        assert_eq!(
            (e.kind(), e.offset()),
            (kind, offset),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn end_of_input_inside_the_root_is_incomplete_between_stanzas_is_not() {
    let out = run_all(&any_root(), b"<root><a/>");
    assert_eq!(out.events.len(), 2);
    // Like a stream cut between stanzas: finish() accepts it (no half-read element).
    assert_eq!(out.error, None);
    let out = run_all(&any_root(), b"<root><a>");
    assert_eq!(out.error.map(|e| e.kind()), Some(ErrorKind::UnexpectedEof));
    let out = run_all(&any_root(), b"<ro");
    assert_eq!(
        out.error.map(|e| (e.kind(), e.offset())),
        Some((ErrorKind::UnexpectedEof, 3))
    );
}

#[test]
fn restart_reads_a_new_root() {
    let mut p = Parser::with_config(any_root());
    p.feed(b"<body xmlns='http://jabber.org/protocol/httpbind'><a/></body>");
    let mut n = 0;
    while let Some(ev) = p.next_event().unwrap() {
        n += matches!(ev, Event::Stanza(_)) as usize;
    }
    assert!(p.is_closed());
    p.restart();
    p.feed(b"<other xmlns='urn:o'><b/><c/></other>");
    while let Some(ev) = p.next_event().unwrap() {
        if let Event::Stanza(s) = ev {
            assert_eq!(s.root().ns(), "urn:o");
            n += 1;
        }
    }
    p.finish().unwrap();
    assert_eq!(n, 3);
    assert!(p.header().unwrap().is("urn:o", "other"));
}

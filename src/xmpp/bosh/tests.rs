use super::*;
use crate::limits::Limit;
use crate::xmpp::{Kind, Target};

const HB: &str = "xmlns='http://jabber.org/protocol/httpbind'";

fn stanzas(bosh: &mut BoshReader) -> Result<Vec<String>, BoshError> {
    let mut out = Vec::new();
    while let Some(s) = bosh.next_stanza()? {
        out.push(format!("{{{}}}{}", s.root().ns(), s.root().local_name()));
    }
    Ok(out)
}

#[test]
fn writer_output_reads_back() {
    let mut out = Vec::new();
    let mut spec = BodySpec::session_request(10, "example.com", 60, 1);
    spec.lang = Some("en");
    write_body(&mut out, &spec, b"");
    let mut bosh = BoshReader::new();
    let b = bosh.read(&out).unwrap();
    assert_eq!(b.rid(), Some(10));
    assert_eq!(b.to(), Some("example.com"));
    assert_eq!((b.wait(), b.hold()), (Some(60), Some(1)));
    assert_eq!(b.ver(), Some("1.6"));
    assert_eq!(b.lang(), Some("en"));
    assert_eq!(b.xmpp_version(), Some(crate::xmpp::Version::V1_0));
    assert!(!b.xmpp_restart());
    assert_eq!(stanzas(&mut bosh).unwrap(), Vec::<String>::new());

    out.clear();
    let spec = BodySpec::terminate(11, "s'1", Some(BoshCondition::SeeOtherUri));
    write_body(
        &mut out,
        &spec,
        b"<presence xmlns='jabber:client' type='unavailable'/>",
    );
    let b = bosh.read(&out).unwrap();
    assert!(b.is_terminate());
    assert_eq!(b.sid(), Some("s'1"));
    assert_eq!(b.condition(), Some(BoshCondition::SeeOtherUri));
    assert_eq!(stanzas(&mut bosh).unwrap(), ["{jabber:client}presence"]);
}

#[test]
fn unqualified_content_is_jabber_client() {
    let body = format!(
        "<body {HB} xmlns:stream='http://etherx.jabber.org/streams' rid='1'>\
         <message to='a@b'><body>hi</body><x xmlns='urn:x'><y/></x></message>\
         <iq xmlns='jabber:client' type='get' id='1'/>\
         <stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>\
         <a {HB}/></body>"
    );
    let mut bosh = BoshReader::new();
    bosh.read(body.as_bytes()).unwrap();
    let s = bosh.next_stanza().unwrap().unwrap();
    assert_eq!(s.kind(), Kind::Message);
    assert_eq!(s.child(ns::CLIENT, "body").unwrap().text(), "hi");
    let x = s.child("urn:x", "x").unwrap();
    assert_eq!(x.children().next().unwrap().ns(), "urn:x");
    assert_eq!(s.content_ns(), Some(ns::CLIENT));
    assert_eq!(
        s.inherited_namespaces().collect::<Vec<_>>(),
        [(None, ns::CLIENT)]
    );
    let mut w = Vec::new();
    s.write_to(&mut w, Target::Standalone);
    assert_eq!(
        w,
        &b"<message xmlns='jabber:client' to='a@b'><body>hi</body><x xmlns='urn:x'><y/></x></message>"[..]
    );
    // Owned copies keep the namespaces.
    let o = s.to_owned_stanza();
    assert_eq!(o.view().stanza().kind(), Kind::Message);
    assert!(o.view().stanza().child(ns::CLIENT, "body").is_some());

    assert_eq!(bosh.next_stanza().unwrap().unwrap().kind(), Kind::Iq);
    let f = bosh.next_stanza().unwrap().unwrap();
    assert_eq!(f.kind(), Kind::StreamFeatures);
    assert!(f
        .inherited_namespaces()
        .any(|d| d == (Some("stream"), ns::STREAMS)));
    // Declared explicitly, the httpbind namespace stays.
    let a = bosh.next_stanza().unwrap().unwrap();
    assert_eq!(a.root().ns(), ns::HTTPBIND);
    assert!(bosh.next_stanza().unwrap().is_none());
    assert!(bosh.next_stanza().unwrap().is_none());
}

#[test]
fn errors_and_their_conditions() {
    let mut bosh = BoshReader::with_limits(Limits::default(), 64);
    let long = format!("<body {HB}>{}</body>", "<a/>".repeat(10));
    assert_eq!(
        bosh.read(long.as_bytes()).unwrap_err(),
        BoshError::TooLarge {
            len: long.len(),
            max: 64
        }
    );
    assert_eq!(
        BoshError::TooLarge { len: 1, max: 0 }.condition(),
        BoshCondition::PolicyViolation
    );

    let mut bosh = BoshReader::new();
    let e = bosh
        .read(b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>")
        .unwrap_err();
    assert_eq!(e, BoshError::NotBody);
    assert_eq!(e.condition(), BoshCondition::BadRequest);
    assert!(bosh.body().is_none());
    let e = bosh.read(b"<body xmlns='urn:other'/>").unwrap_err();
    assert_eq!(e, BoshError::NotBody);

    let cases: [(&str, ErrorKind, u64); 5] = [
        ("", ErrorKind::UnexpectedEof, 0),
        (
            "<body xmlns='http://jabber.org/protocol/httpbind' rid='1'",
            ErrorKind::UnexpectedEof,
            57,
        ),
        (
            "<body xmlns='http://jabber.org/protocol/httpbind'><a>",
            ErrorKind::UnexpectedEof,
            53,
        ),
        (
            "<body xmlns='http://jabber.org/protocol/httpbind'/><a/>",
            ErrorKind::ContentAfterRoot,
            51,
        ),
        (
            "<body xmlns='http://jabber.org/protocol/httpbind'><a/>x</body>",
            ErrorKind::TextAtStreamLevel,
            54,
        ),
    ];
    for (input, kind, offset) in cases {
        let e = match bosh.read(input.as_bytes()) {
            Err(e) => e,
            Ok(_) => stanzas(&mut bosh).unwrap_err(),
        };
        let BoshError::Xml(x) = e else {
            panic!("{input}: {e:?}")
        };
        assert_eq!((x.kind(), x.offset()), (kind, offset), "{input}");
        assert_eq!(e.condition(), BoshCondition::BadRequest);
        // Not sticky.
        bosh.read(format!("<body {HB}><a/></body>").as_bytes())
            .unwrap();
        assert_eq!(stanzas(&mut bosh).unwrap().len(), 1);
    }
}

#[test]
fn limits_bound_the_start_tag_and_each_stanza() {
    let limits = Limits {
        max_header_bytes: 80,
        max_stanza_bytes: 20,
        ..Limits::default()
    };
    let mut bosh = BoshReader::with_limits(limits, 4096);
    let big_head = format!("<body {HB} sid='{}'/>", "s".repeat(60));
    let BoshError::Xml(e) = bosh.read(big_head.as_bytes()).unwrap_err() else {
        panic!()
    };
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::HeaderBytes));
    assert_eq!(e.offset(), 80);
    let head = format!("<body {HB}>");
    let body = format!("{head}<a>0123456789012</a><a>01234567890123</a></body>");
    bosh.read(body.as_bytes()).unwrap();
    assert!(bosh.next_stanza().unwrap().is_some());
    let e = bosh.next_stanza().unwrap_err();
    let BoshError::Xml(x) = e else { panic!() };
    assert_eq!(x.kind(), ErrorKind::LimitExceeded(Limit::StanzaBytes));
    assert_eq!(x.offset() as usize, head.len() + 20 + 20);
    assert_eq!(e.condition(), BoshCondition::PolicyViolation);
    assert!(bosh.next_stanza().unwrap().is_none());
}

#[test]
fn typed_accessors_reject_malformed_numbers() {
    let mut bosh = BoshReader::new();
    let b = bosh
        .read(
            format!("<body {HB} rid='-1' wait='99999999999' hold='x' ack='' type='error'/>")
                .as_bytes(),
        )
        .unwrap();
    assert_eq!(
        (b.rid(), b.wait(), b.hold(), b.ack()),
        (None, None, None, None)
    );
    assert_eq!(b.type_(), Some(BodyType::Error));
    assert_eq!(b.element().attr("", "wait"), Some("99999999999"));
    assert_eq!(b.condition(), None);
}

//! BOSH against TCP streams: every stanza of the bundled c2s corpus, carried in BOSH
//! bodies, reads through `BoshReader` as it reads elsewhere — written standalone
//! (`Target::Standalone`), exactly as those bytes read as a document; and as its raw
//! bytes, unqualified, where it relies on nothing of the stream header but the
//! `jabber:client` default namespace, exactly as it reads on its TCP stream (XEP-0206
//! section 5 reads such stanzas as `jabber:client`).

use crate::support::{crate_file, stream_config};
use xmpp_stream::xmpp::{ns, write_body, BodySpec, BoshReader, Target};
use xmpp_stream::{dump, Config, Event, Mode, Parser};

/// The dump line of `bytes` read as one document.
fn document_line(bytes: &[u8]) -> String {
    let mut p = Parser::with_config(Config::default().with_mode(Mode::Document));
    p.feed(bytes);
    let ev = p.next_event().unwrap().unwrap();
    let mut line = String::new();
    dump::write_event(&mut line, &ev);
    line
}

/// (dump line, standalone bytes, raw bytes if the stanza may go unqualified) per stanza.
fn stanzas_of(stream: &[u8]) -> Vec<(String, Vec<u8>, Option<Vec<u8>>)> {
    let mut p = Parser::with_config(stream_config());
    p.feed(stream);
    let mut out = Vec::new();
    while let Some(ev) = p.next_event().unwrap() {
        let Event::Stanza(s) = ev else { continue };
        if s.content_ns() != Some(ns::CLIENT) {
            continue;
        }
        let mut line = String::new();
        dump::write_event(&mut line, &Event::Stanza(s));
        let mut standalone = Vec::new();
        s.write_to(&mut standalone, Target::Standalone);
        let inherited: Vec<_> = s.inherited_namespaces().collect();
        let raw =
            (inherited.is_empty() || inherited == [(None, ns::CLIENT)]).then(|| s.raw().to_vec());
        out.push((line, standalone, raw));
    }
    p.finish().unwrap();
    out
}

fn read_body(bosh: &mut BoshReader, body: &[u8]) -> Vec<String> {
    bosh.read(body).unwrap();
    let mut lines = Vec::new();
    while let Some(s) = bosh.next_stanza().unwrap() {
        let mut line = String::new();
        dump::write_event(&mut line, &Event::Stanza(s));
        lines.push(line);
    }
    lines
}

#[test]
fn corpus_stanzas_read_the_same_in_bosh_bodies() {
    let mut bosh = BoshReader::new();
    let mut unqualified = 0;
    let mut total = 0;
    for file in ["c2s-chat.xml", "c2s-negotiation.xml", "roster-push.xml"] {
        let stanzas = stanzas_of(&crate_file(&format!("corpus/streams/{file}")));
        assert!(!stanzas.is_empty(), "{file}");
        // Standalone, a few stanzas per body.
        for (k, group) in stanzas.chunks(3).enumerate() {
            let payload: Vec<u8> = group.iter().flat_map(|(_, b, _)| b.clone()).collect();
            let mut body = Vec::new();
            write_body(
                &mut body,
                &BodySpec::request(1000 + k as u64, "sid"),
                &payload,
            );
            let want: Vec<_> = group.iter().map(|(_, b, _)| document_line(b)).collect();
            assert_eq!(read_body(&mut bosh, &body), want, "{file} body {k}");
            total += group.len();
        }
        // Raw and unqualified, one body for all of them.
        let raw: Vec<_> = stanzas.iter().filter(|s| s.2.is_some()).collect();
        let payload: Vec<u8> = raw.iter().flat_map(|s| s.2.clone().unwrap()).collect();
        let mut body = Vec::new();
        write_body(&mut body, &BodySpec::request(1, "sid"), &payload);
        let want: Vec<_> = raw.iter().map(|s| s.0.clone()).collect();
        assert_eq!(read_body(&mut bosh, &body), want, "{file} unqualified");
        unqualified += raw.len();
    }
    // The corpus holds both kinds, so neither half of the test is empty.
    assert!(
        unqualified > 10 && total > unqualified,
        "{unqualified} of {total}"
    );
}

//! The other framings: `Mode::AnyRoot` (chunking invariance, as `chunked` checks for
//! streams), `BoshReader` and `WebSocketParser` (no panic; stanzas are slices of the
//! input at their offsets; a stanza written standalone reads back as a document with
//! the same name and namespace).
//!
//! Input layout: `selector`, then the data. Selector % 3: 0 AnyRoot (whole, one byte at
//! a time, and split in three), 1 one BOSH body, 2 one WebSocket message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmpp_stream::xmpp::{BoshReader, Target, WebSocketParser, WsEvent};
use xmpp_stream::{Config, Event, Mode, Parser, Stanza};
use xmpp_stream_fuzz::{parse_chunks, parse_whole, split_at_points};

/// The stanza's raw bytes are the input's at its offset, and written standalone they
/// read back as a document with the same root name.
fn check_stanza(s: &Stanza<'_>, input: &[u8]) {
    let off = s.offset() as usize;
    assert_eq!(input.get(off..off + s.raw().len()), Some(s.raw()), "stanza raw");
    let _ = (s.kind(), s.to(), s.from(), s.id(), s.type_(), s.lang(), s.content_ns());
    let _ = s.inherited_namespaces().count();
    let mut out = Vec::new();
    s.write_to(&mut out, Target::Standalone);
    let mut doc = Parser::with_config(Config::default().with_mode(Mode::Document));
    doc.feed(&out);
    match doc.next_event() {
        Ok(Some(Event::Stanza(t))) => {
            let (a, b) = (s.root(), t.root());
            assert_eq!((a.ns(), a.local_name()), (b.ns(), b.local_name()), "{out:?}");
        }
        other => panic!("standalone stanza does not read back: {other:?} {out:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let [selector, input @ ..] = data else {
        return;
    };
    match selector % 3 {
        0 => {
            let config = Config::default().with_mode(Mode::AnyRoot);
            let whole = parse_whole(&config, input, false);
            if input.len() <= 2048 {
                assert_eq!(whole, parse_chunks(&config, input.chunks(1), None), "bytewise");
            }
            let n = input.len();
            let split = split_at_points(input, &[n / 3, 2 * n / 3 + (*selector as usize)]);
            assert_eq!(whole, parse_chunks(&config, split, None), "split");
        }
        1 => {
            let mut bosh = BoshReader::new();
            if let Ok(body) = bosh.read(input) {
                let _ = (body.rid(), body.sid(), body.type_(), body.condition(), body.wait());
                let _ = (body.hold(), body.ack(), body.xmpp_version(), body.xmpp_restart());
                while let Ok(Some(s)) = bosh.next_stanza() {
                    check_stanza(&s, input);
                }
            }
        }
        _ => {
            let mut ws = WebSocketParser::new();
            if let Ok(WsEvent::Stanza(s)) = ws.parse(input) {
                // Read in place: the stanza is the message's own bytes (and, as every
                // stanza, UTF-8: the invariant of the views' `&str`).
                assert!(input.as_ptr_range().contains(&s.raw().as_ptr()), "copied");
                assert!(std::str::from_utf8(s.raw()).is_ok(), "stanza not UTF-8");
                check_stanza(&s, input);
            }
        }
    }
});

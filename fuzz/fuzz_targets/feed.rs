//! Arbitrary bytes in one feed. The first byte picks the configuration (bit 0: implicit
//! restart, bit 1: document mode); the rest is the input. Every event's views and
//! accessors are exercised (see `xmpp_stream_fuzz::exercise`), and the parser's own
//! invariants are checked: errors are sticky and in range, a clean end means every byte
//! was examined, `reset()` gives a parser that behaves like a new one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmpp_stream::{Event, Limits, Parser};
use xmpp_stream_fuzz::{config_from_byte, exercise, parse_whole, render, End, Outcome};

fuzz_target!(|data: &[u8]| {
    let Some((&first, input)) = data.split_first() else {
        return;
    };
    let config = config_from_byte(first, Limits::default());
    let mut parser = Parser::with_config(config.clone());
    parser.feed(input);
    let mut events = Vec::new();
    let mut last_header: Option<Vec<u8>> = None;
    let mut last_stanza_end = 0u64;
    let result = loop {
        let event = match parser.next_event() {
            Ok(Some(event)) => event,
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        };
        exercise(&event, Some(input));
        match &event {
            Event::Header(h) => last_header = Some(h.raw().to_vec()),
            Event::Stanza(s) => {
                assert!(s.offset() >= last_stanza_end, "stanzas in order");
                last_stanza_end = s.offset() + s.raw().len() as u64;
            }
            Event::Close => {}
            other => panic!("unknown event {other:?}"),
        }
        events.push(render(&event));
        assert!(events.len() <= input.len(), "more events than input bytes");
    };
    if let (Some(h), Some(expected)) = (parser.header(), &last_header) {
        assert_eq!(
            h.raw(),
            &expected[..],
            "header() is the last header event's"
        );
    }
    let len = input.len() as u64;
    let end = match result {
        Err(e) => {
            assert!(
                e.offset() <= len,
                "error offset {} past the input",
                e.offset()
            );
            assert!(!e.message().is_empty());
            let _ = (e.to_string(), e.condition().as_str());
            assert_eq!(parser.error(), Some(e));
            assert_eq!(parser.next_event().err(), Some(e), "errors are sticky");
            assert_eq!(parser.finish(), Err(e), "errors are sticky");
            let before = parser.buffered();
            parser.feed(b"<a>");
            assert_eq!(parser.buffered(), before, "input after an error is ignored");
            End::from_error(e)
        }
        Ok(()) => {
            assert!(parser.offset() <= len);
            match parser.finish() {
                Ok(()) => {
                    assert_eq!(parser.offset(), len, "a clean end examined every byte");
                    End::Clean
                }
                Err(e) => {
                    assert_eq!(e.kind(), xmpp_stream::ErrorKind::UnexpectedEof);
                    assert_eq!(e.offset(), len);
                    assert_eq!(parser.finish(), Err(e), "errors are sticky");
                    End::from_error(e)
                }
            }
        }
    };
    let _ = (
        format!("{parser:?}"),
        parser.heap_bytes(),
        parser.is_closed(),
    );

    // reset() and release_memory() give a parser that behaves like a new one.
    parser.release_memory();
    parser.reset();
    assert_eq!(parser.offset(), 0);
    assert_eq!(parser.buffered(), 0);
    assert!(parser.error().is_none() && parser.header().is_none());
    parser.feed(input);
    let mut again = Vec::new();
    let end_again = match xmpp_stream_fuzz::drain(&mut parser, &mut again, None) {
        Err(e) => End::from_error(e),
        Ok(()) => match parser.finish() {
            Ok(()) => End::Clean,
            Err(e) => End::from_error(e),
        },
    };
    let first_run = Outcome { events, end };
    assert_eq!(
        first_run,
        Outcome {
            events: again,
            end: end_again
        },
        "after reset()"
    );
    // And a fresh parser agrees too (the helper is what the other targets use).
    assert_eq!(first_run, parse_whole(&config, input, false));
});

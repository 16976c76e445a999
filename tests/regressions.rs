//! Regression tests for fuzzer findings, one `#[test]` per finding, named
//! `fuzz_<target>_<what>` after the target that found it (see `fuzz/README.md` for how a
//! crash becomes a test here). Each test states the expected behaviour; the finding's
//! history (input as found, what the parser did) is in the lead's bug log.

use xmpp_stream::{dump, Config, ErrorKind, Limit, Limits, Mode, Parser};

/// Feeds `chunks` in order, draining after each, then finishes; returns the dump lines of
/// the events and how the parse ended.
fn run(config: Config, chunks: &[&[u8]]) -> (Vec<String>, Result<(), (ErrorKind, u64)>) {
    let mut parser = Parser::with_config(config);
    let mut lines = Vec::new();
    for chunk in chunks {
        parser.feed(chunk);
        loop {
            match parser.next_event() {
                Ok(Some(event)) => {
                    let mut s = String::new();
                    dump::write_event(&mut s, &event);
                    lines.push(s);
                }
                Ok(None) => break,
                Err(e) => return (lines, Err((e.kind(), e.offset()))),
            }
        }
    }
    let end = parser.finish().map_err(|e| (e.kind(), e.offset()));
    (lines, end)
}

/// Found by `limits`: in document mode the XML declaration counted toward the root
/// element's `max_stanza_bytes`, although the limit bounds "the root element".
#[test]
fn fuzz_limits_document_xml_decl_counts_toward_root_limit() {
    let mut limits = Limits::default();
    limits.max_stanza_bytes = 10;
    let config = Config::default().mode(Mode::Document).limits(limits);
    let (lines, end) = run(config.clone(), &[b"<?xml version='1.0'?><a/>"]);
    assert_eq!(lines.len(), 1, "the 4-byte root is within the limit");
    assert_eq!(end, Ok(()));
    // A root longer than the limit still fails at its `<` + the limit.
    let (_, end) = run(config, &[b"<?xml version='1.0'?><a>0123456789</a>"]);
    assert_eq!(
        end,
        Err((ErrorKind::LimitExceeded(Limit::StanzaBytes), 21 + 10))
    );
}

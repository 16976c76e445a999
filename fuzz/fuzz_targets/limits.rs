//! Tiny limits derived from the input; every limit path must end cleanly, and the limits
//! must be exact.
//!
//! Input layout: 8 bytes of settings, then the data:
//! `[cfg, stanza, header, depth, attributes, name, ns, chunk]`: `cfg` bit 0 is implicit
//! restart, bit 1 document mode, bit 7 multiplies the byte limits (`stanza`, `header`) by
//! 16; `depth % 10` is the depth limit and `3 * (depth / 10)` the node limit;
//! `attributes % 10`, `name % 40`; `ns % 6` is the declaration limit, `ns / 6 % 12` the
//! bindings limit.
//! The data is fed in chunks of `1 + chunk % 64` bytes (all at once when `chunk` is 255).
//!
//! Checked:
//! - **Memory bound.** `feed` appends the whole chunk it is given (it never fails), so what
//!   the API guarantees is about the state the parser asks for more input in: whenever
//!   `next_event` returns `Ok(None)`, `buffered()` is at most the window of the event being
//!   read, `max(max_stanza_bytes, max_header_bytes)` (the header, or in document mode the
//!   prolog, is bounded by the header limit; the rest by the stanza limit), or up to 3
//!   bytes of a cut UTF-8 character (or byte order mark) outside any window. A caller
//!   feeding chunks of at most C bytes therefore never holds more than that bound + C
//!   bytes of input, and `heap_bytes()` stays linear in it.
//! - **Limits are enforced:** every event the limited parser delivers is within the limits.
//! - **Limits only truncate:** the limited parser's events are a prefix of those of a
//!   parser without limits; an error that is not `LimitExceeded` is that parser's error;
//!   a `LimitExceeded(l)` error means the unlimited parser's next event breaks `l` (or it
//!   fails too), and for `max_stanza_bytes` the error is at exactly the stanza's offset +
//!   the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmpp_stream::{Condition, ErrorKind, Limit, Limits, Parser};
use xmpp_stream_fuzz::{config_from_byte, metrics, render, skip_known, unlimited, Metrics};

struct Run {
    events: Vec<(String, Metrics)>,
    error: Option<xmpp_stream::Error>,
}

fn within_limits(m: &Metrics, l: &Limits) -> bool {
    let stanza_ok = m.kind != 1 || (m.raw_len <= l.max_stanza_bytes && m.depth <= l.max_depth);
    let header_ok = m.kind != 0 || m.raw_len <= l.max_header_bytes;
    stanza_ok
        && header_ok
        && m.attributes <= l.max_attributes
        && m.ns_decls <= l.max_namespace_declarations
        && m.bindings <= l.max_namespace_bindings
        && m.nodes <= l.max_stanza_nodes
        && m.name <= l.max_name_bytes
}

/// Whether the unlimited parse's next event `m` explains a `limit` error at `at`.
fn breaks(m: &Metrics, limit: Limit, l: &Limits, document: bool, at: u64) -> bool {
    match limit {
        Limit::StanzaBytes => m.kind == 2 || m.raw_len > l.max_stanza_bytes,
        // In document mode the prolog (XML declaration and whitespace before the root) is
        // bounded by the header limit.
        Limit::HeaderBytes => m.kind == 0 || (document && m.kind == 1 && at <= m.offset),
        Limit::Depth => m.kind == 1 && m.depth > l.max_depth,
        Limit::Attributes => m.attributes > l.max_attributes,
        Limit::NameBytes => {
            m.kind == 2 || m.name > l.max_name_bytes || m.reference > l.max_name_bytes
        }
        Limit::NamespaceDeclarations => m.ns_decls > l.max_namespace_declarations,
        Limit::NamespaceBindings => m.bindings > l.max_namespace_bindings,
        Limit::StanzaNodes => m.nodes > l.max_stanza_nodes,
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let (s, input) = data.split_at(8);
    let scale = if s[0] & 0x80 != 0 { 16 } else { 1 };
    let mut limits = Limits::default();
    limits.max_stanza_bytes = s[1] as usize * scale;
    limits.max_header_bytes = s[2] as usize * scale;
    limits.max_depth = (s[3] % 10) as usize;
    limits.max_stanza_nodes = 3 * (s[3] / 10) as usize;
    limits.max_attributes = (s[4] % 10) as usize;
    limits.max_name_bytes = (s[5] % 40) as usize;
    limits.max_namespace_declarations = (s[6] % 6) as usize;
    limits.max_namespace_bindings = (s[6] / 6 % 12) as usize;
    let chunk = if s[7] == 255 {
        input.len().max(1)
    } else {
        1 + (s[7] % 64) as usize
    };
    let config = config_from_byte(s[0], limits);
    // The header (stream mode) or the prolog (document mode) is bounded by the header
    // limit, everything else by the stanza limit.
    let window = limits.max_stanza_bytes.max(limits.max_header_bytes);
    let held_bound = window.max(3);

    // The limited parser, fed in chunks.
    let mut parser = Parser::with_config(config.clone());
    let mut header_bindings = 0;
    let mut run = Run {
        events: Vec::new(),
        error: None,
    };
    'feed: for piece in input.chunks(chunk) {
        parser.feed(piece);
        loop {
            match parser.next_event() {
                Ok(Some(event)) => {
                    let m = metrics(&event, header_bindings);
                    if m.kind == 0 {
                        header_bindings = m.bindings;
                    }
                    assert!(
                        within_limits(&m, &limits),
                        "{m:?} delivered under {limits:?}"
                    );
                    run.events.push((render(&event), m));
                }
                Ok(None) => break,
                Err(e) => {
                    run.error = Some(e);
                    break 'feed;
                }
            }
        }
        assert!(
            parser.buffered() <= held_bound,
            "asks for more input holding {} bytes (bound {held_bound})",
            parser.buffered()
        );
        let heap = parser.heap_bytes();
        assert!(
            heap <= 64 * (held_bound + chunk) + 64 * 1024,
            "heap {heap} for bound {held_bound} + chunk {chunk}"
        );
    }
    if run.error.is_none() {
        run.error = parser.finish().err();
    }

    // The same input without limits, in one feed.
    let free_config = config_from_byte(s[0], unlimited());
    let mut free = Parser::with_config(free_config);
    let mut free_header_bindings = 0;
    free.feed(input);
    let mut free_run = Run {
        events: Vec::new(),
        error: None,
    };
    loop {
        match free.next_event() {
            Ok(Some(event)) => {
                let m = metrics(&event, free_header_bindings);
                if m.kind == 0 {
                    free_header_bindings = m.bindings;
                }
                free_run.events.push((render(&event), m));
            }
            Ok(None) => {
                free_run.error = free.finish().err();
                break;
            }
            Err(e) => {
                free_run.error = Some(e);
                break;
            }
        }
    }

    let n = run.events.len();
    assert!(
        n <= free_run.events.len(),
        "more events with limits than without"
    );
    for (k, ((a, _), (b, _))) in run.events.iter().zip(&free_run.events).enumerate() {
        assert_eq!(a, b, "event {k} differs from the unlimited parse");
    }
    match run.error {
        None => assert_eq!(
            (n, free_run.error),
            (free_run.events.len(), None),
            "clean with limits, so clean without"
        ),
        Some(e) => {
            assert!(e.offset() <= input.len() as u64);
            let _ = e.to_string();
            match e.kind() {
                ErrorKind::LimitExceeded(limit) => {
                    assert_eq!(e.condition(), Condition::PolicyViolation);
                    // Known: fuzz_limits_document_declaration_charged_to_tiny_stanza_limit.
                    if skip_known() && limit == Limit::StanzaBytes && limits.max_stanza_bytes < 2 {
                        return;
                    }
                    match free_run.events.get(n) {
                        Some((_, m)) => {
                            assert!(
                                breaks(m, limit, &limits, s[0] & 2 != 0, e.offset()),
                                "{limit:?} at {} but the next event {m:?} is within {limits:?}",
                                e.offset()
                            );
                            if limit == Limit::StanzaBytes && m.kind == 1 {
                                assert_eq!(
                                    e.offset(),
                                    m.offset + limits.max_stanza_bytes as u64,
                                    "stanza limit error at the first byte past the limit"
                                );
                            }
                        }
                        None => assert!(
                            free_run.error.is_some(),
                            "{limit:?} at {} but the unlimited parse ends cleanly",
                            e.offset()
                        ),
                    }
                }
                _ => {
                    assert_eq!(n, free_run.events.len(), "error {e:?} cut events short");
                    assert_eq!(Some(e), free_run.error, "same error without limits");
                }
            }
        }
    }
});

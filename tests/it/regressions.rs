//! Regression tests for fuzzer findings, one `#[test]` per finding, named
//! `fuzz_<target>_<what>` after the target that found it (see `fuzz/README.md` for how a
//! crash becomes a test here). Each test states the expected behaviour; the finding's
//! history (input as found, what the parser did) is in the lead's bug log.

use crate::support::drain::dump_line;
use crate::support::{drain_with, run_pieces, MINIMAL_HEADER};
use xmpp_stream::{Config, ErrorKind, Limit, Limits, Mode, Parser};

/// Feeds `chunks` in order, draining after each, then finishes; returns the dump lines of
/// the events and how the parse ended.
fn run(config: Config, chunks: &[&[u8]]) -> (Vec<String>, Result<(), (ErrorKind, u64)>) {
    let o = run_pieces(&config, chunks.iter().copied());
    let end = o.error.map_or(Ok(()), |e| Err((e.kind(), e.offset())));
    (o.events, end)
}

/// Found by `limits`: in document mode the XML declaration counted toward the root
/// element's `max_stanza_bytes`, although the limit bounds "the root element".
#[test]
fn fuzz_limits_document_xml_decl_counts_toward_root_limit() {
    let mut limits = Limits::default();
    limits.max_stanza_bytes = 10;
    let config = Config::default()
        .with_mode(Mode::Document)
        .with_limits(limits);
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

const HEADER: &[u8] = MINIMAL_HEADER;

/// Found by `chunked` (minimised: document mode, `b"<y "` then `b"x=\"\""` with
/// `release_memory()` in between): `release_memory()` while a stanza's (or a document
/// root's) start tag was half read cleared the element index, and the next attribute
/// indexed an empty vector (panic at `frame.rs` `attribute`).
#[test]
fn fuzz_chunked_release_memory_inside_start_tag() {
    for (mode, head) in [(Mode::Stream, HEADER), (Mode::Document, &b""[..])] {
        let mut parser = Parser::with_config(Config::default().with_mode(mode));
        parser.feed(head);
        parser.feed(b"<message ");
        while parser.next_event().expect("no error yet").is_some() {}
        parser.release_memory();
        parser.feed(b"to='x'/>");
        let event = parser.next_event().expect("the stanza parses");
        match event {
            Some(xmpp_stream::Event::Stanza(s)) => {
                assert_eq!(s.root().attr("", "to"), Some("x"));
                assert_eq!(s.raw(), b"<message to='x'/>");
            }
            other => panic!("expected the stanza, got {other:?}"),
        }
    }
}

/// Found by `restart` (drain variant) and by reading `Scanner::restart`: the usual server
/// loop drains `next_event` to `Ok(None)` and only then calls `restart()`. If the first
/// bytes of the new stream header had already been fed (and scanned as the start of a
/// would-be stanza), `restart()` dropped them, and the rest of the header was read as
/// text before the root (`TextOutsideRoot`). `restart()` documents that "bytes already
/// fed after the last event are kept and read as the new stream".
#[test]
fn fuzz_restart_after_drain_keeps_partial_header() {
    let mut parser = Parser::new();
    parser.feed(HEADER);
    parser.feed(b"<auth/>");
    parser.feed(&HEADER[..20]);
    let mut n = 0;
    while parser.next_event().expect("first stream").is_some() {
        n += 1;
    }
    assert_eq!(n, 2, "header and <auth/>");
    parser.restart();
    parser.feed(&HEADER[20..]);
    parser.feed(b"<iq/>");
    let mut lines = Vec::new();
    if let Err(e) = drain_with(&mut parser, |event| lines.push(dump_line(&event))) {
        panic!("after restart: {e} (events so far: {lines:?})");
    }
    assert_eq!(lines.len(), 2, "new header and <iq/>: {lines:?}");
    assert!(lines[0].starts_with("{\"header\""));
}

/// Found while extending `restart` to implicit restarts by start tag: with
/// `implicit_restart(true)`, a `<stream:stream` start tag between stanzas begins a new
/// stream "exactly as if `restart` had been called just before it", but its header was
/// bounded by `max_stanza_bytes` (the window opened for a would-be stanza) instead of
/// `max_header_bytes`. An XML declaration restart gets the header limit right.
#[test]
fn fuzz_restart_implicit_tag_restart_keeps_header_limit() {
    let mut limits = Limits::default();
    limits.max_header_bytes = 200;
    let config = Config::default()
        .with_limits(limits)
        .with_implicit_restart(true);
    let open = &HEADER[..HEADER.len() - 1]; // without its '>'
    let pad = [b' '; 300];
    let first = [HEADER, b"<a/>"].concat();
    // The restart header starts right after the stanza.
    let (lines, end) = run(config.clone(), &[&first, open, &pad, b">"]);
    assert_eq!(lines.len(), 2, "header and <a/>: {lines:?}");
    assert_eq!(
        end,
        Err((
            ErrorKind::LimitExceeded(Limit::HeaderBytes),
            (first.len() + 200) as u64
        ))
    );
    // The same through a declaration, for comparison (passes).
    let decl = b"<?xml version='1.0'?>";
    let (_, end) = run(config, &[&first, decl, open, &pad, b">"]);
    assert_eq!(
        end,
        Err((
            ErrorKind::LimitExceeded(Limit::HeaderBytes),
            (first.len() + 200) as u64
        ))
    );
}

/// Found by `restart` (implicit mode, tight header limit): a restart by XML declaration
/// scanned the declaration itself under the stanza limit (the window opened for a
/// would-be stanza at its `<`) and applied the header limit only once the declaration had
/// ended. A malformed declaration longer than `max_header_bytes` was then reported as
/// `MalformedXmlDeclaration` at its `<` instead of `HeaderBytes` at `<` + the limit, as
/// for a new stream.
#[test]
fn fuzz_restart_implicit_decl_restart_keeps_header_limit() {
    let mut limits = Limits::default();
    limits.max_header_bytes = 100;
    let config = Config::default()
        .with_limits(limits)
        .with_implicit_restart(true);
    let long_bad_decl = [&b"<?xml version='1.0'"[..], &[b' '; 150], b"x?>"].concat();
    // A new stream: the header limit applies to the declaration.
    let (_, end) = run(config.clone(), &[&long_bad_decl]);
    assert_eq!(
        end,
        Err((ErrorKind::LimitExceeded(Limit::HeaderBytes), 100))
    );
    // The same declaration restarting a stream.
    let first = [HEADER, b"<a/>"].concat();
    let (lines, end) = run(config, &[&first, &long_bad_decl]);
    assert_eq!(lines.len(), 2);
    assert_eq!(
        end,
        Err((
            ErrorKind::LimitExceeded(Limit::HeaderBytes),
            (first.len() + 100) as u64
        ))
    );
}

/// Found by `limits` (document mode, `max_header_bytes` 1, `max_stanza_bytes` 16, input
/// `<eeeeeeeeeee-ee/>`): in document mode the window opened at the first `<` uses the
/// header limit (meant for the prolog's XML declaration), and the root element's own
/// window only replaces it once the byte after `<` has been checked against it; so a
/// header limit below 2 refused every document, even one without a prolog.
#[test]
fn fuzz_limits_document_root_blocked_by_tiny_header_limit() {
    for header in [0, 1] {
        let mut limits = Limits::default();
        limits.max_header_bytes = header;
        let config = Config::default()
            .with_mode(Mode::Document)
            .with_limits(limits);
        let (lines, end) = run(config, &[b"<a/>"]);
        assert_eq!((lines.len(), end), (1, Ok(())), "max_header_bytes {header}");
    }
}

/// Found by `limits` (document mode, `max_stanza_bytes` 1): the window opened at a
/// document's first `<` now takes the stanza limit, and switches to the header limit only
/// once `<?` shows a declaration, but the byte after `<` is checked against the stanza
/// window first. With a stanza limit below 2 the declaration was refused at byte 1
/// instead of the root at its `<` + the limit. (Any document fails with such a limit; only
/// the offset, and which window was charged, are wrong.)
#[test]
fn fuzz_limits_document_declaration_charged_to_tiny_stanza_limit() {
    for stanza in [0, 1] {
        let mut limits = Limits::default();
        limits.max_stanza_bytes = stanza;
        let config = Config::default()
            .with_mode(Mode::Document)
            .with_limits(limits);
        let (_, end) = run(config, &[b"<?xml version='1.0'?><a/>"]);
        assert_eq!(
            end,
            Err((
                ErrorKind::LimitExceeded(Limit::StanzaBytes),
                21 + stanza as u64
            )),
            "max_stanza_bytes {stanza}"
        );
    }
}

/// Found by `limits` (input `020100090927253e3c215b43`: document mode,
/// `max_stanza_bytes` 1, `max_header_bytes` 0, data `<![C`): "asks for more input
/// holding 4 bytes (bound 3)". In a document's prolog the byte after the first `<` is
/// read before either limit applies (it picks the limit), but the keyword lookahead after
/// `<!` (`[CDATA[`, `DOCTYPE`, `--`) was then read outside any window too; so was `xml`
/// after a `<?` that cannot be a declaration, and the rest of a non-ASCII character
/// after `<`. Everything after the deciding byte is now within the stanza window: the
/// parser never asks for more input holding more than `max(max_stanza_bytes,
/// max_header_bytes, 3)` bytes, and the limit error comes at `<` + the limit. With
/// ordinary limits the errors are what they were.
#[test]
fn fuzz_limits_document_keyword_lookahead_outside_window() {
    let mut limits = Limits::default();
    limits.max_stanza_bytes = 1;
    limits.max_header_bytes = 0;
    let tiny = Config::default()
        .with_mode(Mode::Document)
        .with_limits(limits);
    type Case = (&'static [u8], u64, Result<(), (ErrorKind, u64)>);
    let cases: [Case; 5] = [
        (b"<![C", 0, Err((ErrorKind::TextOutsideRoot, 0))),
        (b"<!DOC", 0, Err((ErrorKind::Doctype, 0))),
        (b"<!--", 0, Err((ErrorKind::Comment, 0))),
        (b" <?xm", 1, Err((ErrorKind::MisplacedXmlDeclaration, 1))),
        (b"<\xF0\x90\x80", 0, Err((ErrorKind::UnexpectedEof, 4))),
    ];
    for (data, lt, ordinary) in cases {
        for chunk in [1, data.len()] {
            let mut parser = Parser::with_config(tiny.clone());
            let mut end = Ok(());
            for piece in data.chunks(chunk) {
                parser.feed(piece);
                match parser.next_event() {
                    Ok(None) => assert!(
                        parser.buffered() <= 3,
                        "{data:?} by {chunk}: asks for more holding {} bytes",
                        parser.buffered()
                    ),
                    Ok(Some(_)) => panic!("{data:?}: an event under a 1-byte limit"),
                    Err(e) => {
                        end = Err((e.kind(), e.offset()));
                        break;
                    }
                }
            }
            assert_eq!(
                end,
                Err((ErrorKind::LimitExceeded(Limit::StanzaBytes), lt + 1)),
                "{data:?} by {chunk}"
            );
        }
        // Completed, with default limits: the construct's own error, as before.
        let mut full = data.to_vec();
        full.extend_from_slice(match data {
            b"<![C" => b"DATA[x]]>",
            b"<!DOC" => b"TYPE a>",
            b"<!--" => b" c -->",
            b" <?xm" => b"l version='1.0'?>",
            _ => b"",
        });
        let config = Config::default().with_mode(Mode::Document);
        assert_eq!(run(config, &[&full]).1, ordinary, "{full:?}");
    }
}

/// Found by `restart` (drain variant; input: a stream header and `<body>...` in one feed):
/// the target restarted after draining to `Ok(None)` and then waited for the next feed,
/// so at the end of the input it called `finish()` with the new stream's bytes never
/// read (`UnexpectedEof` instead of the new stream's own error). The parser was right;
/// the target now reads on after `restart()`. This pins the contract it relies on: bytes
/// fed before `restart()` are read as the new stream by the next `next_event`, and
/// `finish()` without that call reports them as cut short.
#[test]
fn fuzz_restart_drain_then_restart_reads_fed_bytes() {
    let mut input = HEADER.to_vec();
    let body_at = input.len() as u64;
    input.extend_from_slice(b"<body>cut short");
    for read_after_restart in [true, false] {
        let mut parser = Parser::new();
        parser.feed(&input);
        assert!(matches!(
            parser.next_event(),
            Ok(Some(xmpp_stream::Event::Header(_)))
        ));
        assert!(matches!(parser.next_event(), Ok(None)), "the stanza is cut");
        parser.restart();
        if read_after_restart {
            let e = parser.next_event().expect_err("<body> is no stream root");
            assert_eq!(
                (e.kind(), e.offset()),
                (ErrorKind::InvalidStreamRoot, body_at)
            );
        } else {
            let e = parser
                .finish()
                .expect_err("bytes of the new stream are pending");
            assert_eq!(
                (e.kind(), e.offset()),
                (ErrorKind::UnexpectedEof, input.len() as u64)
            );
        }
    }
}

/// Found by `restart` (drain variant; flags 0xFE): after the last event of a stream, the
/// drain to `Ok(None)` read the following whitespace as whitespace between stanzas; the
/// new stream then started at the byte after it, while a restart right after the event
/// started it at the whitespace. A later `0xFE 0xFF` was `UnsupportedEncoding` (sniffed at
/// the new document's first byte) one way and `InvalidUtf8` (in text before the root) the
/// other. Now whitespace before a restarted stream is between the streams wherever the
/// restart comes: the new stream begins at its first other byte, both ways, so it may open
/// with an XML declaration after a newline and its first bytes are sniffed there.
#[test]
fn fuzz_restart_whitespace_before_new_stream_is_between_streams() {
    // (whitespace after the last event, what follows it, the end of the new stream with
    // offsets counted from the whitespace)
    type Case = (&'static [u8], &'static [u8], Result<(), (ErrorKind, u64)>);
    let cases: [Case; 3] = [
        // Where the reference parse of "  \n \xFE\xFF" as a fresh document differs: a
        // UTF-16 byte order mark at the new stream's first non-whitespace byte.
        (
            b"  \n ",
            b"\xFE\xFF\xFF",
            Err((ErrorKind::UnsupportedEncoding, 4)),
        ),
        // A client that ends its `<auth/>` with a newline, then opens the new stream
        // with an XML declaration and a header.
        (
            b"\n",
            b"<?xml version='1.0'?>",
            Err((ErrorKind::UnexpectedEof, 22)),
        ),
        // Nothing but whitespace: the new stream's header never came.
        (b"\r\n\t", b"", Err((ErrorKind::UnexpectedEof, 3))),
    ];
    for (gap, after, want) in cases {
        for drain in [false, true] {
            let mut parser = Parser::new();
            parser.feed(HEADER);
            parser.feed(gap);
            assert!(matches!(
                parser.next_event(),
                Ok(Some(xmpp_stream::Event::Header(_)))
            ));
            if drain {
                // The drain reads the whitespace as whitespace between stanzas.
                assert!(matches!(parser.next_event(), Ok(None)), "{gap:?}");
                assert_eq!(parser.offset(), (HEADER.len() + gap.len()) as u64);
            }
            parser.restart();
            parser.feed(after);
            let at = HEADER.len() as u64;
            let got = match parser.next_event() {
                Ok(None) => parser.finish().map_err(|e| (e.kind(), e.offset() - at)),
                Ok(Some(e)) => panic!("{after:?}: unexpected event {e:?}"),
                Err(e) => Err((e.kind(), e.offset() - at)),
            };
            assert_eq!(got, want, "{gap:?} {after:?}, drain first: {drain}");
        }
    }
    // The first stream of a connection is a document from its first byte: whitespace
    // before its XML declaration is an error there.
    let (_, end) = run(Config::default(), &[b"\n<?xml version='1.0'?>"]);
    assert!(end.is_err(), "{end:?}");
}

//! Hostile peers: inputs built to make the parser buffer, allocate or work without bound.
//! Every test asserts a bound on what the parser holds or examines, measured by the
//! parser itself (`buffered()`, `heap_bytes()`, `offset()`) or by the counting allocator
//! below (live bytes, peak, number of allocations on the test's own thread), never by
//! wall-clock time, and ends in the documented error (kind, condition, offset).
//!
//! Bounds, from the `Limits` and `Parser::feed` docs: the parser asks for more input
//! (`next_event` returns `Ok(None)`) only while holding at most the current event's window
//! (`max_stanza_bytes`, or `max_header_bytes` for the header); `feed` appends the whole
//! chunk it is given, so a caller feeding chunks of at most C bytes holds at most
//! limit + C bytes of input, and the error comes at the first byte past the limit.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use xmpp_stream::{Condition, Config, Error, ErrorKind, Event, Limit, Limits, Parser};

// ---------------------------------------------------------------------------------------
// A counting allocator. Counters are per thread (tests run in parallel), const-initialised
// and without destructors, so the allocator never allocates itself.

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

fn note_alloc(size: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + size as isize;
        live.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
    let _ = ALLOCS.try_with(|a| a.set(a.get() + 1));
}

fn note_free(size: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get() - size as isize));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// bookkeeping only touches thread-local `Cell`s.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            note_alloc(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            note_alloc(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) };
        note_free(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            note_free(layout.size());
            note_alloc(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What the code run by [`measure`] allocated on this thread.
#[derive(Debug, Clone, Copy)]
struct Allocated {
    /// Highest live heap bytes above the level at the start.
    peak: usize,
    /// Number of allocations (and reallocations).
    count: usize,
}

fn measure<R>(f: impl FnOnce() -> R) -> (R, Allocated) {
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let count0 = ALLOCS.with(Cell::get);
    let r = f();
    let peak = PEAK.with(Cell::get) - start;
    let count = ALLOCS.with(Cell::get) - count0;
    (
        r,
        Allocated {
            peak: peak.max(0) as usize,
            count,
        },
    )
}

// ---------------------------------------------------------------------------------------
// Helpers.

const HEADER: &[u8] =
    b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
const KIB: usize = 1024;
const CHUNK: usize = 64 * KIB;

fn parser_with(limits: Limits) -> Parser {
    Parser::with_config(Config::default().with_limits(limits))
}

/// Drains events; returns how many there were, or the error.
fn drain(parser: &mut Parser) -> Result<usize, Error> {
    let mut n = 0;
    while parser.next_event()?.is_some() {
        n += 1;
    }
    Ok(n)
}

/// What a flood did to the parser.
#[derive(Debug)]
struct Flood {
    error: Option<Error>,
    /// Bytes fed up to and including the chunk that produced the error.
    fed: usize,
    /// Most bytes held right after a feed (before draining).
    max_buffered_after_feed: usize,
    /// Most bytes held when the parser asked for more input.
    max_buffered_idle: usize,
    max_heap: usize,
}

/// Feeds `prefix`, then `filler` repeated, in chunks of `chunk` bytes, until an error or
/// `total` bytes; after an error keeps feeding the rest (which must be ignored).
fn flood(parser: &mut Parser, prefix: &[u8], filler: &[u8], chunk: usize, total: usize) -> Flood {
    let mut f = Flood {
        error: None,
        fed: 0,
        max_buffered_after_feed: 0,
        max_buffered_idle: 0,
        max_heap: 0,
    };
    let mut stream = prefix.iter().chain(filler.iter().cycle()).copied();
    let mut buf = vec![0u8; chunk];
    let mut sent = 0;
    let mut held_at_error = None;
    while sent < total {
        let n = chunk.min(total - sent);
        for b in &mut buf[..n] {
            *b = stream.next().unwrap_or(b' ');
        }
        parser.feed(&buf[..n]);
        sent += n;
        if f.error.is_some() {
            // Input after an error is ignored: nothing more is held.
            assert_eq!(Some(parser.buffered()), held_at_error);
            continue;
        }
        f.fed = sent;
        f.max_buffered_after_feed = f.max_buffered_after_feed.max(parser.buffered());
        f.max_heap = f.max_heap.max(parser.heap_bytes());
        match drain(parser) {
            Ok(_) => f.max_buffered_idle = f.max_buffered_idle.max(parser.buffered()),
            Err(e) => {
                f.error = Some(e);
                held_at_error = Some(parser.buffered());
            }
        }
    }
    f
}

/// Asserts a policy-violation error of `limit` at `offset`.
fn assert_limit(error: Option<Error>, limit: Limit, offset: usize) {
    let e = error.unwrap_or_else(|| panic!("expected {limit:?}, got no error"));
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(limit), "{e}");
    assert_eq!(e.condition(), Condition::PolicyViolation);
    assert_eq!(e.offset(), offset as u64, "{e}");
}

/// Asserts the bounds of a flood that tripped the stanza limit: idle buffering within the
/// limit, at most limit + one chunk held, stopped within one chunk of the limit, heap
/// linear in limit + chunk.
fn assert_bounded(f: &Flood, limit: usize, chunk: usize, stanza_start: usize) {
    eprintln!("limit {limit}, chunk {chunk}: {f:?}");
    assert!(f.max_buffered_idle <= limit, "{f:?}");
    assert!(f.max_buffered_after_feed <= limit + chunk, "{f:?}");
    assert!(f.fed <= stanza_start + limit + chunk, "{f:?}");
    assert!(f.max_heap <= 4 * (limit + chunk) + 64 * KIB, "{f:?}");
}

// ---------------------------------------------------------------------------------------
// Tests.

/// `<message` followed by whitespace forever: the start tag never ends.
#[test]
fn never_ending_start_tag() {
    let limits = Limits::default();
    let mut parser = parser_with(limits);
    let prefix = [HEADER, b"<message to='juliet@example.com'"].concat();
    let (f, alloc) = measure(|| flood(&mut parser, &prefix, b" \t\r\n", CHUNK, 16 << 20));
    assert_limit(
        f.error,
        Limit::StanzaBytes,
        HEADER.len() + limits.max_stanza_bytes,
    );
    assert_bounded(&f, limits.max_stanza_bytes, CHUNK, HEADER.len());
    assert!(
        alloc.peak <= 4 * (limits.max_stanza_bytes + CHUNK) + 64 * KIB,
        "{alloc:?}"
    );
}

/// `<message to='` followed by `a` forever: the attribute value never ends.
#[test]
fn never_ending_attribute_value() {
    let limits = Limits::default();
    let mut parser = parser_with(limits);
    let prefix = [HEADER, b"<message to='"].concat();
    let (f, alloc) = measure(|| flood(&mut parser, &prefix, b"a", CHUNK, 16 << 20));
    assert_limit(
        f.error,
        Limit::StanzaBytes,
        HEADER.len() + limits.max_stanza_bytes,
    );
    assert_bounded(&f, limits.max_stanza_bytes, CHUNK, HEADER.len());
    assert!(
        alloc.peak <= 4 * (limits.max_stanza_bytes + CHUNK) + 64 * KIB,
        "{alloc:?}"
    );
}

/// A 100 MB text node fed in 64 KiB chunks: stops once `max_stanza_bytes` is passed,
/// having buffered at most the limit + one chunk; the rest of the 100 MB is ignored.
#[test]
fn hundred_megabyte_text_node() {
    for max in [256 * KIB, 1024 * KIB] {
        let mut limits = Limits::default();
        limits.max_stanza_bytes = max;
        let mut parser = parser_with(limits);
        let prefix = [HEADER, b"<message><body>"].concat();
        let (f, alloc) = measure(|| flood(&mut parser, &prefix, b"x", CHUNK, 100 << 20));
        assert_limit(f.error, Limit::StanzaBytes, HEADER.len() + max);
        assert_bounded(&f, max, CHUNK, HEADER.len());
        assert!(alloc.peak <= 4 * (max + CHUNK) + 64 * KIB, "{alloc:?}");
        // Ignored after the error: nothing more is held.
        let held = parser.buffered();
        parser.feed(&[b'x'; 4096]);
        assert_eq!(parser.buffered(), held);
    }
}

/// A 100 MB text node that is within a (raised) limit is delivered, and the parser holds
/// the stanza once: heap linear in the stanza size.
#[test]
fn large_text_node_within_limit_is_held_once() {
    let size = 8 << 20;
    let mut limits = Limits::default();
    limits.max_stanza_bytes = size + 64;
    let mut parser = parser_with(limits);
    parser.feed(HEADER);
    drain(&mut parser).unwrap();
    let (len, alloc) = measure(|| {
        parser.feed(b"<message><body>");
        let chunk = vec![b'y'; CHUNK];
        for _ in 0..size / CHUNK {
            parser.feed(&chunk);
            assert_eq!(drain(&mut parser).unwrap(), 0);
        }
        parser.feed(b"</body></message>");
        match parser.next_event().unwrap() {
            Some(Event::Stanza(s)) => s
                .root()
                .child("jabber:client", "body")
                .unwrap()
                .text()
                .len(),
            other => panic!("{other:?}"),
        }
    });
    assert_eq!(len, size);
    // Buffer doubling: at most twice the stanza, plus small change.
    assert!(alloc.peak <= 2 * size + 256 * KIB, "{alloc:?}");
}

/// 1 000 000 nested elements: with the default limits the 129th level is refused at its
/// `<`; with the depth limit raised the stanza is indexed without recursion, in memory
/// linear in its size.
#[test]
fn million_nested_elements() {
    const N: usize = 1_000_000;
    let limits = Limits::default();
    let mut parser = parser_with(limits);
    let prefix = [HEADER, b"<message>"].concat();
    let f = flood(
        &mut parser,
        &prefix,
        b"<a>",
        CHUNK,
        HEADER.len() + 9 + 3 * N,
    );
    // `<message>` is depth 1, so the `<a>` at depth max_depth + 1 is the max_depth-th.
    let offset = HEADER.len() + 9 + 3 * (limits.max_depth - 1);
    assert_limit(f.error, Limit::Depth, offset);
    assert!(f.fed <= CHUNK, "stopped in the first chunk: {f:?}");

    let mut limits = Limits::default();
    limits.max_depth = N + 1;
    limits.max_stanza_nodes = 2 * N;
    limits.max_stanza_bytes = 8 * N;
    let mut parser = parser_with(limits);
    parser.feed(HEADER);
    drain(&mut parser).unwrap();
    let (depth, alloc) = measure(|| {
        let open = b"<a>".repeat(N);
        let close = b"</a>".repeat(N);
        let mut depth = 0;
        for chunk in open.chunks(CHUNK).chain(close.chunks(CHUNK)) {
            parser.feed(chunk);
            while let Some(event) = parser.next_event().unwrap() {
                let Event::Stanza(s) = event else {
                    panic!("{event:?}")
                };
                assert_eq!(s.raw().len(), 7 * N);
                let mut e = Some(s.root());
                while let Some(x) = e {
                    depth += 1;
                    e = x.children().next();
                }
            }
        }
        depth
    });
    assert_eq!(depth, N);
    eprintln!("{N} nested: heap_bytes {}, {alloc:?}", parser.heap_bytes());
    assert!(
        parser.heap_bytes() <= 128 * N,
        "heap {} for {N} elements",
        parser.heap_bytes()
    );
    assert!(alloc.peak <= 128 * N, "{alloc:?}");
}

fn attributes(n: usize, prefixed: bool) -> Vec<u8> {
    let mut s = Vec::new();
    for k in 0..n {
        s.extend_from_slice(if prefixed { b" p:a" } else { b" a" });
        s.extend_from_slice(k.to_string().as_bytes());
        s.extend_from_slice(b"=''");
    }
    s
}

/// 100 000 attributes on one element: refused at the first attribute past
/// `max_attributes`; with the limit raised they are indexed and looked up.
#[test]
fn hundred_thousand_attributes() {
    const N: usize = 100_000;
    let limits = Limits::default();
    let attrs = attributes(N, false);
    let mut parser = parser_with(limits);
    let prefix = [HEADER, b"<message"].concat();
    parser.feed(&prefix);
    parser.feed(&attrs);
    let e = drain(&mut parser).unwrap_err();
    // The name of attribute number max_attributes (0-based).
    let before = attributes(limits.max_attributes, false).len();
    assert_limit(Some(e), Limit::Attributes, prefix.len() + before + 1);

    let mut limits = Limits::default();
    limits.max_attributes = N;
    limits.max_stanza_nodes = 2 * N;
    limits.max_stanza_bytes = 16 << 20;
    let mut parser = parser_with(limits);
    parser.feed(HEADER);
    drain(&mut parser).unwrap();
    let (found, alloc) = measure(|| {
        parser.feed(b"<message");
        parser.feed(&attrs);
        parser.feed(b"/>");
        match parser.next_event().unwrap() {
            Some(Event::Stanza(s)) => {
                let root = s.root();
                (root.attrs().count(), root.attr("", "a99999").is_some())
            }
            other => panic!("{other:?}"),
        }
    });
    assert_eq!(found, (N, true));
    assert!(alloc.peak <= 64 * attrs.len(), "{alloc:?}");
}

/// 100 000 namespace declarations on one element: refused at the first declaration past
/// `max_namespace_declarations` (the 33rd by default), before the attribute limit (the
/// 129th attribute) comes into play, and at that declaration's name.
#[test]
fn hundred_thousand_namespace_declarations() {
    const N: usize = 100_000;
    let mut decls = Vec::new();
    for k in 0..N {
        decls.extend_from_slice(format!(" xmlns:p{k}='urn:{k}'").as_bytes());
    }
    let offset_of = |k: usize| {
        let mut n = 0;
        for j in 0..k {
            n += format!(" xmlns:p{j}='urn:{j}'").len();
        }
        n + 1
    };
    let prefix = [HEADER, b"<message"].concat();

    // Default limits.
    let limits = Limits::default();
    let mut parser = parser_with(limits);
    parser.feed(&prefix);
    parser.feed(&decls);
    let e = drain(&mut parser).unwrap_err();
    assert_limit(
        Some(e),
        Limit::NamespaceDeclarations,
        prefix.len() + offset_of(limits.max_namespace_declarations),
    );

    // With the attribute limit out of the way, the declaration limit must still trip at
    // the declaration, not at the end of the tag or at the stanza limit.
    let mut limits = Limits::default();
    limits.max_attributes = 10 * N;
    let mut parser = parser_with(limits);
    let f = flood(
        &mut parser,
        &prefix,
        &decls,
        CHUNK,
        prefix.len() + decls.len(),
    );
    assert_limit(
        f.error,
        Limit::NamespaceDeclarations,
        prefix.len() + offset_of(limits.max_namespace_declarations),
    );
}

/// Names longer than `max_name_bytes`: element, attribute, end tag, prefix, and a
/// reference body; each refused at the first byte past the limit.
#[test]
fn huge_names() {
    let limits = Limits::default();
    let max = limits.max_name_bytes;
    let huge = vec![b'n'; 10 << 20];
    let cases: Vec<(Vec<u8>, usize)> = vec![
        // (prefix before the huge name, index of the name's first byte)
        (b"<".to_vec(), 1),
        (b"<message ".to_vec(), 9),
        (b"<message></".to_vec(), 11),
        (b"<p".to_vec(), 1),
        (b"<message>&".to_vec(), 10),
        (b"<message>&#".to_vec(), 10),
        (b"<message a='&".to_vec(), 13),
    ];
    for (prefix, name_at) in cases {
        let mut parser = parser_with(limits);
        let start = [HEADER, &prefix].concat();
        let filler: &[u8] = if prefix.ends_with(b"&#") {
            b"0"
        } else {
            &huge[..1]
        };
        let f = flood(&mut parser, &start, filler, CHUNK, start.len() + huge.len());
        assert_limit(f.error, Limit::NameBytes, HEADER.len() + name_at + max);
        assert!(f.fed <= CHUNK, "stopped in the first chunk: {f:?}");
    }
}

/// A whole stream fed one byte at a time: the parser examines each byte as it arrives
/// (`offset()` keeps up with the input, at most three bytes behind for a cut UTF-8
/// character), holds no more than the current stanza, and allocates only while its
/// buffers grow, not per byte.
#[test]
fn one_byte_feeds() {
    let mut stream = HEADER.to_vec();
    let mut k = 0;
    while stream.len() < 400 * KIB {
        stream.extend_from_slice(
            format!(
                "<message to='r{k}@example.com' id='m{k}' xml:lang='en'><body>h\u{e9}llo &amp; \
                 \u{1F600} {k}</body><x xmlns='urn:x'><![CDATA[a]]b]]></x></message>\r\n "
            )
            .as_bytes(),
        );
        k += 1;
    }
    stream.extend_from_slice(b"</stream:stream>");
    let largest = 200;

    let mut parser = Parser::new();
    // Warm up: the first stanzas grow the buffers.
    let warm = 4 * KIB;
    let mut warm_events = 0;
    for b in &stream[..warm] {
        parser.feed(std::slice::from_ref(b));
        warm_events += drain(&mut parser).unwrap();
    }
    let ((events, behind), alloc) = measure(|| {
        let mut events = warm_events;
        let mut behind = 0u64;
        for (i, b) in stream.iter().enumerate().skip(warm) {
            parser.feed(std::slice::from_ref(b));
            events += drain(&mut parser).unwrap();
            let fed = i as u64 + 1;
            assert!(parser.offset() <= fed);
            behind = behind.max(fed - parser.offset());
            assert!(parser.buffered() <= largest, "{}", parser.buffered());
        }
        (events, behind)
    });
    assert!(behind <= 3, "offset lags the input by {behind}");
    assert_eq!(parser.offset(), stream.len() as u64);
    assert!(parser.finish().is_ok());
    assert!(parser.is_closed());
    assert_eq!(events, k + 2, "header, {k} stanzas, close");
    let bytes = stream.len() - warm;
    eprintln!("{bytes} one-byte feeds: {alloc:?}, offset lag {behind}");
    assert!(
        alloc.count <= 64,
        "{} allocations for {bytes} one-byte feeds",
        alloc.count
    );
    assert!(alloc.peak <= 64 * KIB, "{alloc:?}");
}

/// Whitespace keepalives forever: nothing is held, nothing grows, no error.
#[test]
fn endless_keepalives() {
    let mut parser = Parser::new();
    parser.feed(HEADER);
    drain(&mut parser).unwrap();
    let (f, alloc) = measure(|| flood(&mut parser, b"", b" \n\t\r", CHUNK, 64 << 20));
    assert!(f.error.is_none(), "{f:?}");
    assert_eq!(f.max_buffered_idle, 0);
    assert!(alloc.peak <= 2 * CHUNK, "{alloc:?}");
    assert_eq!(parser.offset(), (HEADER.len() + (64 << 20)) as u64);
}

/// Alternating prefix redeclarations, within stanzas and across 100 000 of them: the
/// namespace table and bindings are scoped, so memory stays flat across stanzas and
/// each element resolves to its innermost binding.
#[test]
fn alternating_prefix_redeclarations() {
    let mut parser = Parser::new();
    parser.feed(HEADER);
    drain(&mut parser).unwrap();
    // Within one stanza: 60 levels, each redeclaring `p` to the other namespace (with the
    // header's `stream` and `<m>`'s `p`, 62 bindings in scope: within the default 64).
    let mut s = b"<m xmlns:p='urn:a'>".to_vec();
    for k in 0..60 {
        let ns = if k % 2 == 0 { "urn:b" } else { "urn:a" };
        s.extend_from_slice(format!("<p:e xmlns:p='{ns}'>").as_bytes());
    }
    s.extend_from_slice(b"</p:e>".repeat(60).as_slice());
    s.extend_from_slice(b"</m>");
    parser.feed(&s);
    match parser.next_event().unwrap() {
        Some(Event::Stanza(st)) => {
            let mut e = st.root().children().next();
            let mut k = 0;
            while let Some(x) = e {
                assert_eq!(x.ns(), if k % 2 == 0 { "urn:b" } else { "urn:a" });
                k += 1;
                e = x.children().next();
            }
            assert_eq!(k, 60);
        }
        other => panic!("{other:?}"),
    }
    // Across stanzas: the same stanza pair again and again, memory must not grow.
    let pair = b"<m xmlns:p='urn:a'><p:x xmlns:p='urn:b'><p:y/></p:x></m>\
                 <m xmlns:p='urn:b'><p:x xmlns:p='urn:a'><p:y/></p:x></m>";
    let mut batch = Vec::new();
    for _ in 0..500 {
        batch.extend_from_slice(pair);
    }
    for _ in 0..10 {
        parser.feed(&batch);
        assert_eq!(drain(&mut parser).unwrap(), 1000);
    }
    let heap = parser.heap_bytes();
    let (n, alloc) = measure(|| {
        let mut n = 0;
        for _ in 0..90 {
            parser.feed(&batch);
            n += drain(&mut parser).unwrap();
        }
        n
    });
    assert_eq!(n, 90_000);
    assert_eq!(parser.heap_bytes(), heap, "no growth across stanzas");
    assert_eq!(alloc.count, 0, "{alloc:?}");
}

/// Long runs of character references: refused at the stanza limit like any text, and
/// within the limit decoded into memory linear in the text.
#[test]
fn long_runs_of_character_references() {
    let limits = Limits::default();
    let mut parser = parser_with(limits);
    let prefix = [HEADER, b"<message><body>"].concat();
    let f = flood(
        &mut parser,
        &prefix,
        b"&#x1F600;&amp;&#60;",
        CHUNK,
        64 << 20,
    );
    assert_limit(
        f.error,
        Limit::StanzaBytes,
        HEADER.len() + limits.max_stanza_bytes,
    );
    assert_bounded(&f, limits.max_stanza_bytes, CHUNK, HEADER.len());

    // Within the limit: 200 KiB of references decode to the right text.
    let mut parser = parser_with(limits);
    parser.feed(HEADER);
    drain(&mut parser).unwrap();
    let run = b"&#x1F600;&amp;&#60;".repeat(200 * KIB / 19);
    let (text_len, alloc) = measure(|| {
        parser.feed(b"<message><body>");
        parser.feed(&run);
        parser.feed(b"</body></message>");
        match parser.next_event().unwrap() {
            Some(Event::Stanza(s)) => {
                let body = s.root().child("jabber:client", "body").unwrap();
                let t = body.text();
                assert!(t.starts_with("\u{1F600}&<\u{1F600}&<"));
                t.len()
            }
            other => panic!("{other:?}"),
        }
    });
    assert_eq!(text_len, (4 + 1 + 1) * (200 * KIB / 19));
    assert!(alloc.peak <= 4 * run.len() + 128 * KIB, "{alloc:?}");
}

/// Long runs of invalid UTF-8, in text, attribute values, names and CDATA: refused at
/// the first bad byte (`unsupported-encoding`), whatever follows.
#[test]
fn long_runs_of_invalid_utf8() {
    let runs: [&[u8]; 5] = [
        b"\xFF",             // never UTF-8
        b"\xC0\xAF",         // overlong '/'
        b"\xED\xA0\x80",     // surrogate U+D800
        b"\xF4\x90\x80\x80", // above U+10FFFF
        b"\x80",             // stray continuation byte
    ];
    let places: [&[u8]; 5] = [
        b"<message><body>",
        b"<message to='",
        b"<message><x",
        b"<message><![CDATA[",
        b"", // between stanzas
    ];
    for run in runs {
        for place in places {
            let mut parser = Parser::new();
            let prefix = [HEADER, place].concat();
            let f = flood(&mut parser, &prefix, run, CHUNK, prefix.len() + (4 << 20));
            let e = f
                .error
                .unwrap_or_else(|| panic!("{run:?} after {place:?}: no error"));
            assert_eq!(
                e.kind(),
                ErrorKind::InvalidUtf8,
                "{run:?} after {place:?}: {e}"
            );
            assert_eq!(e.condition(), Condition::UnsupportedEncoding);
            assert_eq!(e.offset(), prefix.len() as u64, "{run:?} after {place:?}");
            assert!(f.fed <= CHUNK);
        }
    }
    // A stream in another encoding: UTF-16 with either byte order mark, or without one.
    for start in [&b"\xFE\xFF\x00<"[..], b"\xFF\xFE<\x00", b"<\x00s\x00"] {
        let mut parser = Parser::new();
        let f = flood(&mut parser, start, b"\x00 ", CHUNK, 4 << 20);
        let e = f.error.unwrap_or_else(|| panic!("{start:?}: no error"));
        assert_eq!(
            e.condition(),
            Condition::UnsupportedEncoding,
            "{start:?}: {e}"
        );
        assert_eq!(e.offset(), 0, "{start:?}");
    }
}

/// A stanza made of the smallest nodes (`x<a/>` repeated: a text run and an element every
/// 5 bytes). Each index entry costs a few dozen bytes, so without a bound the index of a
/// stanza at the byte limit takes ~21 times the stanza (design.md: "Bounded memory: at most
/// about `max_stanza_bytes` + O(max depth) per stream"). `max_stanza_nodes` refuses the
/// entry past the limit, at its first byte, and keeps the heap within a few times the
/// stanza limit.
#[test]
fn smallest_nodes_index_memory() {
    let limits = Limits::default();
    let mut parser = parser_with(limits);
    let prefix = [HEADER, b"<m>"].concat();
    let (f, alloc) = measure(|| {
        flood(
            &mut parser,
            &prefix,
            b"x<a/>",
            CHUNK,
            HEADER.len() + limits.max_stanza_bytes,
        )
    });
    // Entries: `<m>` is the first, then a text run and an element per 5 bytes; the entry
    // numbered max_stanza_nodes + 1 is a text run (odd count of pairs) or an element.
    let n = limits.max_stanza_nodes; // entries allowed
    let pairs = (n - 1) / 2; // complete `x<a/>` pairs within the limit
    let offset = prefix.len() + 5 * pairs + if (n - 1) % 2 == 1 { 1 } else { 0 };
    assert_limit(f.error, Limit::StanzaNodes, offset);
    let heap = f.max_heap.max(parser.heap_bytes());
    eprintln!("node flood: {f:?}, heap {heap}, {alloc:?}");
    assert!(
        heap <= 4 * limits.max_stanza_bytes + 64 * KIB,
        "heap_bytes {heap} for a {} byte stanza limit",
        limits.max_stanza_bytes
    );
    assert!(
        alloc.peak <= 4 * limits.max_stanza_bytes + 64 * KIB,
        "{alloc:?}"
    );
}

/// Many prefix bindings in scope, then many lookups of the outermost one: each lookup
/// walks the bindings, so `max_namespace_bindings` (64 by default, the header's included)
/// bounds the work per prefixed name. Without it, 126 levels of 32 declarations made each
/// `<q:x/>` walk ~4 000 bindings (about 40x slower than plain elements). Refused at the
/// declaration that would be the 65th binding.
#[test]
fn deep_bindings_then_outermost_lookups() {
    let limits = Limits::default();
    let mut s = b"<m xmlns:q='urn:q'>".to_vec();
    let mut decl_at = Vec::new(); // stanza offsets of the declarations' names
    for _ in 1..127 {
        s.extend_from_slice(b"<e");
        for k in 0..32 {
            s.push(b' ');
            decl_at.push(s.len());
            s.extend_from_slice(format!("xmlns:p{k}='u'").as_bytes());
        }
        s.push(b'>');
    }
    while s.len() < 200 * KIB {
        s.extend_from_slice(b"<q:x/>");
    }
    let mut parser = parser_with(limits);
    parser.feed(HEADER);
    drain(&mut parser).unwrap();
    parser.feed(&s);
    let e = drain(&mut parser).unwrap_err();
    // In scope before the `<e>`s: the header's `stream` and `<m>`'s `q`.
    let k = limits.max_namespace_bindings - 2;
    assert_limit(Some(e), Limit::NamespaceBindings, HEADER.len() + decl_at[k]);
}

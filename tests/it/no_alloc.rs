//! No heap allocation per stanza in steady state: a counting global allocator, the whole
//! corpus fed twice through the same parsers, and every stanza's views built and read
//! (accessors included) on both passes. The second pass must not allocate at all.
//!
//! The same holds, and is checked separately, for the writing and copying paths that
//! reuse their storage: `write_stanza` into a reused buffer, `OwnedStanza::assign` into a
//! reused slot read through `stanza_in` with a reused arena, and WebSocket framing.
//!
//! The counting allocator (`support::alloc`) counts per thread, so the other tests of the
//! binary, running in parallel threads, do not disturb the figures.

use crate::support::alloc::{measure, trace_from_env};
use crate::support::corpus::streams;
use xmpp_stream::xmpp::{write_stanza, StreamHeader, Target, WebSocketParser, WsEvent};
use xmpp_stream::{Arena, Config, Element, Event, Node, OwnedStanza, Parser, Stanza, XML_NS};

/// Runs `f` under the counting allocator; returns (allocations, bytes) it made on this
/// thread.
fn counted<R>(f: impl FnOnce() -> R) -> (R, usize, usize) {
    let (r, a) = measure(f);
    (r, a.count, a.bytes)
}

/// Something every read feeds, so that nothing is optimised away.
#[derive(Default)]
struct Tally {
    stanzas: u64,
    elements: u64,
    bytes: u64,
}

impl Tally {
    fn s(&mut self, s: Option<&str>) {
        self.bytes += s.map_or(1, |s| s.len() as u64 + 1);
    }
}

/// Reads every part of an element tree through the views.
fn walk(t: &mut Tally, e: &Element<'_>) {
    t.elements += 1;
    t.s(Some(e.qname()));
    t.s(Some(e.local_name()));
    t.s(e.prefix());
    t.s(Some(e.ns()));
    t.bytes += e.raw().len() as u64;
    for a in e.raw_attrs() {
        t.s(Some(a.qname()));
        t.s(Some(a.local_name()));
        t.s(a.prefix());
        t.s(Some(a.ns()));
        t.s(Some(a.value()));
        t.bytes += a.raw_value().len() as u64 + a.is_namespace_declaration() as u64;
    }
    for (p, ns) in e.ns_decls() {
        t.s(p);
        t.s(Some(ns));
    }
    t.s(e.attr("", "id"));
    t.s(e.attr(XML_NS, "lang"));
    t.s(Some(e.text()));
    for n in e.nodes() {
        match n {
            Node::Text(x) => {
                t.s(Some(x.as_str()));
                t.bytes += x.raw().len() as u64;
            }
            Node::Element(c) => walk(t, &c),
        }
    }
    if let Some(first) = e.children().next() {
        let (ns, name) = (first.ns(), first.local_name());
        t.bytes += e.child(ns, name).is_some() as u64;
        t.bytes += e.children_named(ns, name).count() as u64;
    }
}

fn header(t: &mut Tally, h: &StreamHeader<'_>) {
    t.s(h.to());
    t.s(h.from());
    t.s(h.id());
    t.s(h.lang());
    t.s(h.version_attr());
    t.s(h.stream_prefix());
    t.s(h.content_ns().as_str());
    t.bytes += h.version().map_or(0, |v| v.major as u64 + v.minor as u64);
    t.bytes += h.check(&xmpp_stream::xmpp::HeaderCheck::client()).is_ok() as u64;
    t.bytes += h.is_websocket() as u64;
}

/// Every XMPP accessor of a stanza, then the whole tree.
fn read_stanza(t: &mut Tally, s: &Stanza<'_>) {
    t.stanzas += 1;
    let kind = s.kind();
    t.s(kind.as_str());
    t.bytes += kind.is_stanza() as u64 + kind.restarts_stream() as u64 + s.is_stanza() as u64;
    t.s(s.to());
    t.s(s.from());
    t.s(s.id());
    t.s(s.type_attr());
    t.bytes += s.type_().is_some_and(|ty| ty.is_error()) as u64;
    t.s(s.lang());
    t.s(s.content_ns());
    t.bytes += s.raw().len() as u64;
    for (p, ns) in s.inherited_namespaces() {
        t.s(p);
        t.s(Some(ns));
    }
    if let Some(h) = s.header() {
        header(t, &StreamHeader::new(h));
    }
    if let Some(e) = s.error() {
        t.s(e.type_attr());
        t.bytes += e.type_().is_some() as u64 + e.condition().is_some() as u64;
        t.s(e.by());
        t.s(e.text());
        t.s(e.alternate_address());
        t.bytes += e.texts().count() as u64 + e.app_specific().is_some() as u64;
    }
    if let Some(e) = s.stream_error() {
        t.bytes += e.condition().is_some() as u64;
        t.s(e.text());
        t.s(e.see_other_host());
        t.bytes += e.texts().count() as u64 + e.app_specific().is_some() as u64;
    }
    t.bytes += s.attrs().count() as u64 + s.children().count() as u64;
    walk(t, &s.root());
}

/// The reusable storage of the writing and copying paths.
struct Extras {
    out: Vec<u8>,
    slot: Option<OwnedStanza>,
    arena: Arena,
    ws: WebSocketParser,
}

fn extras(t: &mut Tally, x: &mut Extras, s: &Stanza<'_>) {
    x.out.clear();
    write_stanza(&mut x.out, s, Target::Standalone);
    write_stanza(
        &mut x.out,
        s,
        Target::Retarget {
            from: "jabber:client",
            to: "jabber:server",
        },
    );
    t.bytes += x.out.len() as u64;
    match &mut x.slot {
        Some(slot) => slot.assign(s),
        None => x.slot = Some(OwnedStanza::new(s)),
    }
    if let Some(slot) = &x.slot {
        x.arena.reset();
        read_stanza(t, &slot.stanza_in(&x.arena));
    }
    x.out.clear();
    write_stanza(&mut x.out, s, Target::Standalone);
    match x.ws.parse(&x.out) {
        Ok(WsEvent::Stanza(w)) => read_stanza(t, &w),
        other => panic!("{other:?}"),
    }
}

/// Reads one event: every view, and with `x` the writing and copying paths.
fn read_event(t: &mut Tally, event: Event<'_>, x: Option<&mut Extras>) {
    match event {
        Event::Header(h) => header(t, &StreamHeader::new(h)),
        Event::Stanza(s) => {
            read_stanza(t, &s);
            if let Some(x) = x {
                extras(t, x, &s);
            }
        }
        Event::Close => t.bytes += 1,
        other => panic!("unexpected {other:?}"),
    }
}

/// Feeds one input in socket-sized chunks, reading every event.
fn pass(t: &mut Tally, parser: &mut Parser, input: &[u8], mut x: Option<&mut Extras>) {
    for chunk in input.chunks(4096) {
        parser.feed(chunk);
        while let Some(event) = parser.next_event().unwrap() {
            read_event(t, event, x.as_deref_mut());
        }
    }
    parser.finish().unwrap();
    // Ready for the same input again.
    parser.restart();
}

/// [`pass`] with every chunk read in place (`Parser::feed_in_place`).
fn pass_in_place(t: &mut Tally, parser: &mut Parser, input: &[u8]) {
    for chunk in input.chunks(4096) {
        let mut chunk = parser.feed_in_place(chunk);
        while let Some(event) = chunk.next_event().unwrap() {
            read_event(t, event, None);
        }
    }
    parser.finish().unwrap();
    // Ready for the same input again.
    parser.restart();
}

#[test]
fn second_pass_over_the_corpus_allocates_nothing() {
    trace_from_env("NO_ALLOC_TRACE");
    let inputs: Vec<Vec<u8>> = streams().into_iter().map(|s| s.data).collect();
    let total: usize = inputs.iter().map(|i| i.len()).sum();
    let config = Config::default().with_implicit_restart(true);

    // Views only.
    let mut parsers: Vec<Parser> = inputs
        .iter()
        .map(|_| Parser::with_config(config.clone()))
        .collect();
    let mut first = Tally::default();
    let ((), a1, b1) = counted(|| {
        for (p, input) in parsers.iter_mut().zip(&inputs) {
            pass(&mut first, p, input, None);
        }
    });
    let mut second = Tally::default();
    let ((), a2, b2) = counted(|| {
        for (p, input) in parsers.iter_mut().zip(&inputs) {
            pass(&mut second, p, input, None);
        }
    });
    eprintln!(
        "views: {} files, {} bytes, {} stanzas, {} elements; pass 1: {a1} allocations ({b1} bytes); pass 2: {a2} allocations ({b2} bytes)",
        inputs.len(),
        total,
        second.stanzas,
        second.elements,
    );
    assert_eq!(
        (first.stanzas, first.elements, first.bytes),
        (second.stanzas, second.elements, second.bytes)
    );
    assert!(second.stanzas > 10_000);
    if a2 != 0 {
        let mut t = Tally::default();
        let ((), a3, b3) = counted(|| {
            for (p, input) in parsers.iter_mut().zip(&inputs) {
                pass(&mut t, p, input, None);
            }
        });
        panic!(
            "the second pass allocated {a2} times ({b2} bytes), a third pass {a3} times \
             ({b3} bytes); run with NO_ALLOC_TRACE=1 for backtraces (a framer that swaps its \
             stanza index with the header's at every stream header makes the index regrow \
             after restarts until both have grown)"
        );
    }

    // Views, the input read in place: what is kept between chunks goes to the buffer
    // the first pass grew; the views read the same as fed.
    let fed = (second.stanzas, second.elements, second.bytes);
    let mut parsers: Vec<Parser> = inputs
        .iter()
        .map(|_| Parser::with_config(config.clone()))
        .collect();
    let mut first = Tally::default();
    counted(|| {
        for (p, input) in parsers.iter_mut().zip(&inputs) {
            pass_in_place(&mut first, p, input);
        }
    });
    let mut second = Tally::default();
    let ((), a2, b2) = counted(|| {
        for (p, input) in parsers.iter_mut().zip(&inputs) {
            pass_in_place(&mut second, p, input);
        }
    });
    assert_eq!(
        (first.stanzas, first.elements, first.bytes),
        (second.stanzas, second.elements, second.bytes)
    );
    assert!(second.stanzas > 10_000);
    assert_eq!(fed, (second.stanzas, second.elements, second.bytes));
    assert_eq!((a2, b2), (0, 0), "in place: the second pass allocated");

    // Views plus writing, owned copies into a reused slot, and WebSocket framing.
    let mut parsers: Vec<Parser> = inputs
        .iter()
        .map(|_| Parser::with_config(config.clone()))
        .collect();
    let mut x = Extras {
        out: Vec::new(),
        slot: None,
        arena: Arena::new(),
        ws: WebSocketParser::new(),
    };
    let mut first = Tally::default();
    let ((), a1, b1) = counted(|| {
        for (p, input) in parsers.iter_mut().zip(&inputs) {
            pass(&mut first, p, input, Some(&mut x));
        }
    });
    let mut second = Tally::default();
    let ((), a2, b2) = counted(|| {
        for (p, input) in parsers.iter_mut().zip(&inputs) {
            pass(&mut second, p, input, Some(&mut x));
        }
    });
    eprintln!(
        "views + write_stanza + OwnedStanza::assign + WebSocketParser: pass 1: {a1} allocations ({b1} bytes); pass 2: {a2} allocations ({b2} bytes)"
    );
    assert_eq!(first.bytes, second.bytes);
    assert_eq!(a2, 0, "the second pass allocated {a2} times ({b2} bytes)");

    // For the record: what one `OwnedStanza::new` costs (it allocates by design: the
    // shared block and the five vectors it holds; the codec recycles them instead).
    let mut parser = Parser::with_config(config.clone());
    let mut histogram = std::collections::BTreeMap::new();
    let mut kept = Vec::new();
    for input in &inputs {
        parser.feed(input);
        while let Some(event) = parser.next_event().unwrap() {
            if let Event::Stanza(s) = event {
                let (owned, a, _) = counted(|| OwnedStanza::new(&s));
                *histogram.entry(a).or_insert(0u32) += 1;
                kept.push(owned);
            }
        }
        parser.restart();
    }
    eprintln!("allocations per OwnedStanza::new: {histogram:?} (allocations: stanzas)");
    assert!(histogram.keys().all(|&a| a <= 6), "{histogram:?}");
}

//! Helpers shared by the fuzz targets: running a parser over chunks, rendering events so
//! that two parses can be compared, and walking every view accessor with invariant checks.
//!
//! Nothing here is fuzz-specific: the functions can be called from a test to replay a
//! finding (see `fuzz/README.md`).

use std::fmt::Write as _;
use xmpp_stream::{
    dump, Config, Element, Error, ErrorKind, Event, Limits, Mode, Node, Parser, Text,
};

/// How a parse ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// `finish()` returned `Ok(())`.
    Clean,
    /// `next_event()` or `finish()` returned this error (kind and offset).
    Error(ErrorKind, u64),
}

impl End {
    /// The end as a result.
    pub fn from_error(e: Error) -> End {
        End::Error(e.kind(), e.offset())
    }
}

/// Everything a parse produced: each event rendered by [`render`], and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Rendered events, in order.
    pub events: Vec<String>,
    /// How the parse ended.
    pub end: End,
}

/// A small config chooser: bit 0 = implicit restart, bit 1 = document mode.
pub fn config_from_byte(b: u8, limits: Limits) -> Config {
    Config::default()
        .with_limits(limits)
        .with_implicit_restart(b & 1 != 0)
        .with_mode(if b & 2 != 0 {
            Mode::Document
        } else {
            Mode::Stream
        })
}

/// Renders one event with everything that must not depend on how the input was chunked:
/// the dump line, plus what the dump leaves out (offsets, raw bytes, qualified names,
/// namespace declarations, attribute order, text-run boundaries and raw text).
pub fn render(event: &Event<'_>) -> String {
    render_rel(event, 0)
}

/// [`render`] with stanza offsets counted from `base`.
pub fn render_rel(event: &Event<'_>, base: u64) -> String {
    let mut out = String::new();
    dump::write_event(&mut out, event);
    match event {
        Event::Header(h) => {
            let _ = write!(out, "raw={:?} ", bytes(h.raw()));
            render_element(&mut out, h);
        }
        Event::Stanza(s) => {
            let _ = write!(
                out,
                "offset={} raw={:?} ",
                s.offset().wrapping_sub(base),
                bytes(s.raw())
            );
            render_element(&mut out, &s.root());
        }
        Event::Close => {}
        other => panic!("unknown event {other:?}"),
    }
    out
}

fn bytes(b: &[u8]) -> String {
    b.escape_ascii().to_string()
}

fn render_element(out: &mut String, e: &Element<'_>) {
    // Iterative, so that deep trees cannot overflow the stack.
    enum Item<'a> {
        Open(Element<'a>),
        Text(Text<'a>),
        Close,
    }
    let mut stack = vec![Item::Open(*e)];
    while let Some(item) = stack.pop() {
        match item {
            Item::Close => out.push(')'),
            Item::Text(t) => {
                let _ = write!(out, "[{:?}={:?}]", bytes(t.raw()), t.as_str());
            }
            Item::Open(e) => {
                let _ = write!(out, "({}|{}|{}", e.qname(), e.ns(), e.raw().len());
                for a in e.raw_attrs() {
                    let _ = write!(
                        out,
                        " {}={:?}/{:?}/{}",
                        a.qname(),
                        a.ns(),
                        bytes(a.raw_value()),
                        a.is_namespace_declaration()
                    );
                }
                stack.push(Item::Close);
                let nodes: Vec<Node<'_>> = e.nodes().collect();
                for n in nodes.into_iter().rev() {
                    stack.push(match n {
                        Node::Element(c) => Item::Open(c),
                        Node::Text(t) => Item::Text(t),
                    });
                }
            }
        }
    }
}

/// Calls `next_event` until it returns `Ok(None)` or an error; renders each event (and
/// checks it with [`exercise`] when `check` is set).
pub fn drain(
    parser: &mut Parser,
    events: &mut Vec<String>,
    check: Option<&[u8]>,
) -> Result<(), Error> {
    while let Some(event) = parser.next_event()? {
        if let Some(input) = check {
            exercise(&event, Some(input));
        }
        events.push(render(&event));
    }
    Ok(())
}

/// Feeds `chunks` in order (draining after each) and finishes.
pub fn parse_chunks<'a>(
    config: &Config,
    chunks: impl IntoIterator<Item = &'a [u8]>,
    check: Option<&[u8]>,
) -> Outcome {
    let mut parser = Parser::with_config(config.clone());
    let mut events = Vec::new();
    for chunk in chunks {
        parser.feed(chunk);
        if let Err(e) = drain(&mut parser, &mut events, check) {
            return Outcome {
                events,
                end: End::from_error(e),
            };
        }
    }
    let end = match parser.finish() {
        Ok(()) => End::Clean,
        Err(e) => End::from_error(e),
    };
    Outcome { events, end }
}

/// Feeds `input` in one call and finishes.
pub fn parse_whole(config: &Config, input: &[u8], check: bool) -> Outcome {
    parse_chunks(config, [input], check.then_some(input))
}

/// Splits `data` at the given positions (taken modulo `data.len() + 1`, sorted).
pub fn split_at_points<'a>(data: &'a [u8], points: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = points.iter().map(|p| p % (data.len() + 1)).collect();
    cuts.sort_unstable();
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut last = 0;
    for c in cuts {
        out.push(&data[last..c]);
        last = c;
    }
    out.push(&data[last..]);
    out
}

/// Whether `inner` lies within `outer` in memory.
fn within(inner: &[u8], outer: &[u8]) -> bool {
    let (o0, o1) = (
        outer.as_ptr() as usize,
        outer.as_ptr() as usize + outer.len(),
    );
    let i0 = inner.as_ptr() as usize;
    inner.is_empty() || (i0 >= o0 && i0 + inner.len() <= o1)
}

/// Exercises every accessor of `event` and checks the invariants that hold for any
/// input: raw bytes are the input's, names split consistently, lookups find what the
/// iterators yield, undecoded text and values are borrowed as written, and
/// formatting works. `input` is the whole input when the event came from one feed
/// starting at offset 0.
pub fn exercise(event: &Event<'_>, input: Option<&[u8]>) {
    let mut s = String::new();
    dump::write_event(&mut s, event);
    assert!(s.ends_with('\n'));
    let _ = format!("{event:?}");
    match event {
        Event::Header(h) => {
            assert!(h.nodes().next().is_none(), "a header has no children");
            assert!(std::str::from_utf8(h.raw()).is_ok(), "header is not UTF-8");
            assert_eq!(h.raw().first(), Some(&b'<'));
            assert_eq!(h.raw().last(), Some(&b'>'));
            assert_eq!(h.ns(), xmpp_stream::xmpp::ns::STREAMS);
            assert_eq!(h.local_name(), "stream");
            check_element(h, h.raw());
        }
        Event::Stanza(st) => {
            let raw = st.raw();
            // The invariant behind `parser::scanned_str` (the views slice the stanza as a
            // `&str` without validating it again): a stanza is valid UTF-8.
            assert!(std::str::from_utf8(raw).is_ok(), "stanza is not UTF-8");
            assert_eq!(raw.first(), Some(&b'<'));
            assert_eq!(raw.last(), Some(&b'>'));
            if let Some(input) = input {
                let off = st.offset() as usize;
                assert_eq!(input.get(off..off + raw.len()), Some(raw), "stanza raw");
            }
            let root = st.root();
            assert_eq!(root.raw(), raw, "root raw is the stanza raw");
            let _ = format!("{st:?}");
            check_element(&root, raw);
            check_owned(st, &root);
        }
        Event::Close => {}
        other => panic!("unknown event {other:?}"),
    }
}

/// The owned copy (one block read through typed slices: `src/tree/block.rs`) reads as
/// the live stanza, and so does a copy of the copy and a value refilled in place.
fn check_owned(st: &xmpp_stream::Stanza<'_>, root: &Element<'_>) {
    let json = |e: &Element<'_>| {
        let mut s = String::new();
        dump::write_element(&mut s, e, true);
        s
    };
    let owned = xmpp_stream::OwnedStanza::new(st);
    let v = owned.view();
    assert_eq!(owned.raw(), st.raw(), "owned raw");
    assert_eq!(json(&v.root()), json(root), "owned copy");
    assert_eq!(v.stanza().lang(), st.lang(), "owned lang");
    let mut again = xmpp_stream::OwnedStanza::new(&v.stanza());
    assert_eq!(json(&again.view().root()), json(root), "copy of the copy");
    // The copy's reduced header comes from what the parser learnt of its header once
    // (`src/tree/reduced.rs`), the copy of the copy's from the copy's header element.
    let header = |o: &xmpp_stream::OwnedStanza| {
        let v = o.view();
        let raw = v.stanza().header().map(|h| h.raw().to_vec());
        raw
    };
    assert_eq!(header(&again), header(&owned), "reduced header of the copy of the copy");
    again.assign(st);
    assert_eq!(json(&again.view().root()), json(root), "refilled copy");
    let _ = format!("{owned:?}");
}

fn check_element(root: &Element<'_>, tree_raw: &[u8]) {
    let mut stack = vec![*root];
    while let Some(e) = stack.pop() {
        let _ = format!("{e:?} {:?} {:?}", e.attrs(), e.nodes());
        let (qname, local, ns) = (e.qname(), e.local_name(), e.ns());
        match e.prefix() {
            Some(p) => {
                assert!(!p.is_empty());
                assert_eq!(qname, format!("{p}:{local}"));
            }
            None => assert_eq!(qname, local),
        }
        assert!(!local.is_empty() && !local.contains(':'));
        assert!(e.is(ns, local));
        let raw = e.raw();
        assert!(within(raw, tree_raw), "element raw inside the tree's raw");
        assert!(raw.starts_with(b"<") && raw[1..].starts_with(qname.as_bytes()));
        assert_eq!(raw.last(), Some(&b'>'));

        // Attributes.
        let all: Vec<_> = e.raw_attrs().collect();
        let plain: Vec<_> = e.attrs().collect();
        let decls = e.ns_decls().count();
        assert_eq!(all.len(), plain.len() + decls);
        for a in &all {
            let (aq, al) = (a.qname(), a.local_name());
            match a.prefix() {
                Some(p) => assert_eq!(aq, format!("{p}:{al}")),
                None => assert_eq!(aq, al),
            }
            assert!(within(a.raw_value(), raw));
            let v = a.value();
            let rv = a.raw_value();
            if !rv.iter().any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r')) {
                assert_eq!(v.as_bytes(), rv, "undecoded value is the raw value");
            }
            if !rv.contains(&b'&') {
                assert!(!v.contains(['\t', '\n', '\r']), "value normalised");
            }
            let _ = format!("{a:?}");
            if a.is_namespace_declaration() {
                assert!(aq == "xmlns" || aq.starts_with("xmlns:"));
            } else {
                assert_eq!(e.attr(a.ns(), al), Some(v), "attr() finds {aq}");
            }
        }
        for (p, uri) in e.ns_decls() {
            if let Some(p) = p {
                assert!(!p.is_empty());
                assert!(!uri.is_empty(), "xmlns:{p}='' is rejected");
            }
        }

        // Children and text.
        let mut text = String::new();
        let mut kids = Vec::new();
        for n in e.nodes() {
            match n {
                Node::Text(t) => {
                    let r = t.raw();
                    assert!(within(r, raw));
                    assert!(!r.is_empty(), "text runs are not empty");
                    let s = t.as_str();
                    let plain = !r.contains(&b'&') && !r.contains(&b'\r') && !r.contains(&b'<');
                    if plain {
                        assert_eq!(s.as_bytes(), r, "undecoded text is the raw text");
                    }
                    if !r.contains(&b'&') {
                        assert!(!s.contains('\r'), "line ends normalised");
                    }
                    let _ = format!("{t:?}");
                    text.push_str(s);
                }
                Node::Element(c) => kids.push(c),
            }
        }
        assert_eq!(e.text(), text, "text() is the concatenated runs");
        let children: Vec<_> = e.children().collect();
        assert_eq!(children.len(), kids.len());
        for c in &kids {
            let first = e.child(c.ns(), c.local_name()).expect("child() finds it");
            assert!(first.is(c.ns(), c.local_name()));
            assert!(e.children_named(c.ns(), c.local_name()).count() >= 1);
        }
        stack.extend(kids);
    }
}

/// What an event is, and the measures the [`Limits`] bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Metrics {
    /// 0 header, 1 stanza, 2 close.
    pub kind: u8,
    /// Stanza: offset of its `<`.
    pub offset: u64,
    /// Stanza: raw length; header: start tag length.
    pub raw_len: usize,
    /// Deepest element (the stanza root is at depth 1).
    pub depth: usize,
    /// Most attributes on one element, namespace declarations included.
    pub attributes: usize,
    /// Most namespace declarations on one element.
    pub ns_decls: usize,
    /// Most prefix bindings in scope at once (the header's included for a stanza).
    pub bindings: usize,
    /// Index entries: elements, text runs and attributes (declarations included).
    pub nodes: usize,
    /// Longest element or attribute qualified name.
    pub name: usize,
    /// Longest run from a `&` to the next `;` in the raw bytes (an upper bound of the
    /// longest reference body, CDATA sections included).
    pub reference: usize,
}

/// The prefix bindings `e` declares (`xmlns:p`, except the redundant `xmlns:xml`).
pub fn prefix_bindings(e: &Element<'_>) -> usize {
    e.ns_decls()
        .filter(|(p, _)| p.is_some_and(|p| p != "xml"))
        .count()
}

/// Measures `event` (see [`Metrics`]); `header_bindings` is the number of prefix
/// bindings the current stream header declares (in scope for stanzas).
pub fn metrics(event: &Event<'_>, header_bindings: usize) -> Metrics {
    let (kind, root, offset, raw) = match event {
        Event::Header(h) => (0, *h, 0, h.raw()),
        Event::Stanza(s) => (1, s.root(), s.offset(), s.raw()),
        Event::Close => {
            return Metrics {
                kind: 2,
                ..Metrics::default()
            }
        }
        other => panic!("unknown event {other:?}"),
    };
    let mut m = Metrics {
        kind,
        offset,
        raw_len: raw.len(),
        ..Metrics::default()
    };
    let outer = if kind == 1 { header_bindings } else { 0 };
    let mut stack = vec![(root, 1usize, outer)];
    while let Some((e, d, b)) = stack.pop() {
        let b = b + prefix_bindings(&e);
        m.bindings = m.bindings.max(b);
        m.depth = m.depth.max(d);
        m.nodes += e.nodes().count() - e.children().count() + 1 + e.raw_attrs().count();
        m.name = m.name.max(e.qname().len());
        m.attributes = m.attributes.max(e.raw_attrs().count());
        m.ns_decls = m.ns_decls.max(e.ns_decls().count());
        for a in e.raw_attrs() {
            m.name = m.name.max(a.qname().len());
        }
        stack.extend(e.children().map(|c| (c, d + 1, b)));
    }
    let mut i = 0;
    while let Some(k) = raw[i..].iter().position(|&b| b == b'&') {
        let start = i + k + 1;
        let len = raw[start..]
            .iter()
            .position(|&b| b == b';')
            .unwrap_or(raw.len() - start);
        m.reference = m.reference.max(len);
        i = start;
    }
    m
}

/// Limits no input shorter than 4 GiB can reach.
pub fn unlimited() -> Limits {
    let mut l = Limits::default();
    l.max_stanza_bytes = usize::MAX;
    l.max_header_bytes = usize::MAX;
    l.max_depth = usize::MAX;
    l.max_attributes = usize::MAX;
    l.max_name_bytes = usize::MAX;
    l.max_namespace_declarations = usize::MAX;
    l.max_namespace_bindings = usize::MAX;
    l.max_stanza_nodes = usize::MAX;
    l
}

/// Whether to let known, already reported findings pass (set `XMPP_FUZZ_SKIP_KNOWN=1`),
/// so that a long run can look for new ones. Each use names its entry in the bug log and
/// its regression test; remove the use once the test passes.
pub fn skip_known() -> bool {
    static SKIP: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SKIP.get_or_init(|| std::env::var_os("XMPP_FUZZ_SKIP_KNOWN").is_some_and(|v| v == "1"))
}

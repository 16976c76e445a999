//! "Read everything": the work a server or client does with what it parses, done the same
//! way by us and by quick-xml so that the two compare equal work. For every element of
//! every stanza (every depth-1 element and everything below it; the stream header is not
//! read): its namespace name and local name; for every attribute that is not a namespace
//! declaration: its namespace name, local name and decoded, normalised value; for every
//! run of character data: its decoded text (references resolved, line ends normalised,
//! CDATA included).
//!
//! Both sides fold what they read into a [`ReadSum`]: lengths and a few bytes of each
//! string, so that the compiler cannot drop a read and a contender that reads less (or
//! decodes differently) fails the equality the benches assert. Text is folded by length
//! only, because the two split a run of text differently (ours: one run between tags;
//! quick-xml: text, reference and CDATA events).

use std::hint::black_box;

use xmpp_stream::{Config, Element, Event, Node, Parser};

/// What a read-everything walk saw.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReadSum {
    /// Depth-1 elements (stanzas and nonzas).
    pub stanzas: usize,
    /// Every name, value and text read, folded (a wrapping sum, so independent of the
    /// order attributes come in).
    pub sum: u64,
}

impl ReadSum {
    #[inline(always)]
    fn name(&mut self, ns: &str, local: &str) {
        let l = local.as_bytes();
        self.sum = self.sum.wrapping_add(
            (ns.len() as u64) << 32 | (l.len() as u64) << 16 | *l.first().unwrap_or(&0) as u64,
        );
    }

    #[inline(always)]
    fn value(&mut self, v: &str) {
        let v = v.as_bytes();
        self.sum = self
            .sum
            .wrapping_add((v.len() as u64) << 8 | *v.last().unwrap_or(&0) as u64);
    }

    #[inline(always)]
    fn text(&mut self, len: usize) {
        self.sum = self.sum.wrapping_add((len as u64) << 8);
    }
}

/// Reads everything of `e` and below into `acc`.
#[inline]
pub fn read_element(e: Element<'_>, acc: &mut ReadSum) {
    acc.name(black_box(e.ns()), black_box(e.local_name()));
    for a in e.attrs() {
        acc.name(black_box(a.ns()), black_box(a.local_name()));
        acc.value(black_box(a.value()));
    }
    for n in e.nodes() {
        match n {
            Node::Element(c) => read_element(c, acc),
            Node::Text(t) => acc.text(black_box(t.as_str()).len()),
        }
    }
}

/// Our pipeline fed `chunk` bytes at a time (`usize::MAX`: whole), reading everything of
/// every stanza through the views; `finish()` at the end.
#[inline(never)]
pub fn ours_read_all(data: &[u8], chunk: usize, config: &Config) -> ReadSum {
    let mut p = Parser::with_config(config.clone());
    let mut acc = ReadSum::default();
    for c in data.chunks(chunk.max(1)) {
        p.feed(c);
        while let Some(ev) = p.next_event().expect("parse error") {
            if let Event::Stanza(s) = ev {
                acc.stanzas += 1;
                read_element(s.root(), &mut acc);
            }
        }
    }
    p.finish().expect("finish");
    acc
}

/// Our pipeline reading the whole of `data` in place ([`Parser::feed_in_place`]: the
/// views borrow `data`, nothing is copied), reading everything of every stanza as
/// [`ours_read_all`]; `finish()` at the end. The same input as quick-xml's borrowed
/// reader below gets: a slice it does not copy.
#[inline(never)]
pub fn ours_read_all_in_place(data: &[u8], config: &Config) -> ReadSum {
    let mut p = Parser::with_config(config.clone());
    let mut acc = ReadSum::default();
    let mut input = p.feed_in_place(data);
    while let Some(ev) = input.next_event().expect("parse error") {
        if let Event::Stanza(s) = ev {
            acc.stanzas += 1;
            read_element(s.root(), &mut acc);
        }
    }
    drop(input);
    p.finish().expect("finish");
    acc
}

/// quick-xml 0.42 `NsReader` over the slice doing the same reads: element names resolved
/// (`read_resolved_event`), attribute names resolved (`resolve_attribute`) and values
/// unescaped and normalised (`normalized_value`, what the deprecated
/// `decode_and_unescape_value` / `unescape_value` call), declarations skipped, text and
/// CDATA end-of-line normalised (`xml10_content`), references resolved.
#[inline(never)]
pub fn quick_xml_read_all(data: &[u8]) -> ReadSum {
    quick_xml_read_from(data, 1)
}

/// Every stanza of a stream written on its own (`Target::Standalone`: it declares its
/// namespaces), as the WebSocket messages of RFC 7395 carry them.
pub fn websocket_messages(data: &[u8], config: &Config) -> Vec<Vec<u8>> {
    let mut p = Parser::with_config(config.clone());
    p.feed(data);
    let mut out = Vec::new();
    while let Some(ev) = p.next_event().expect("parse error") {
        if let Event::Stanza(s) = ev {
            let mut m = Vec::new();
            s.write_to(&mut m, xmpp_stream::xmpp::Target::Standalone);
            out.push(m);
        }
    }
    p.finish().expect("finish");
    out
}

/// Our `WebSocketParser` reading each message (in place), everything of every stanza
/// read as [`ours_read_all`] reads it.
#[inline(never)]
pub fn ours_websocket_read_all(messages: &[Vec<u8>]) -> ReadSum {
    use xmpp_stream::xmpp::{WebSocketParser, WsEvent};
    let mut ws = WebSocketParser::new();
    let mut acc = ReadSum::default();
    for m in messages {
        if let WsEvent::Stanza(s) = ws.parse(m).expect("parse error") {
            acc.stanzas += 1;
            read_element(s.root(), &mut acc);
        }
    }
    acc
}

/// quick-xml's `NsReader` over each message, its root the stanza, the same reads as
/// [`quick_xml_read_all`].
#[inline(never)]
pub fn quick_xml_websocket_read_all(messages: &[Vec<u8>]) -> ReadSum {
    let mut acc = ReadSum::default();
    for m in messages {
        let r = quick_xml_read_from(m, 0);
        acc.stanzas += r.stanzas;
        acc.sum = acc.sum.wrapping_add(r.sum);
    }
    acc
}

/// [`quick_xml_read_all`] with the stanzas at depth `top` (1 in a stream, 0 in a message).
/// Out of line: inlined into both of its callers, the two copies made the compiler inline
/// less of quick-xml into each, and quick-xml's rows ran ~15 % slower than the same code
/// in a binary with one caller (`benches/minimal.rs`). The comparison gives quick-xml its
/// best code.
#[inline(never)]
fn quick_xml_read_from(data: &[u8], top: u32) -> ReadSum {
    use quick_xml::events::Event as Q;
    use quick_xml::name::ResolveResult;
    let mut r = quick_xml::NsReader::from_reader(data);
    let mut acc = ReadSum::default();
    let mut depth = 0u32;
    loop {
        let (ns, ev) = r.read_resolved_event().expect("quick-xml");
        let start = match &ev {
            Q::Start(e) | Q::Empty(e) => Some(e),
            _ => None,
        };
        if let Some(e) = start {
            if depth >= top {
                if depth == top {
                    acc.stanzas += 1;
                }
                let ns = match ns {
                    ResolveResult::Bound(n) => n.into_inner(),
                    _ => "",
                };
                acc.name(black_box(ns), black_box(e.local_name().into_inner()));
                for a in e.attributes() {
                    let a = a.expect("quick-xml attribute");
                    if a.key.as_namespace_binding().is_some() {
                        continue;
                    }
                    let (ans, local) = r.resolver().resolve_attribute(a.key);
                    let ans = match ans {
                        ResolveResult::Bound(n) => n.into_inner(),
                        _ => "",
                    };
                    acc.name(black_box(ans), black_box(local.into_inner()));
                    let v = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .expect("quick-xml attribute value");
                    acc.value(black_box(&v));
                }
            }
            if matches!(ev, Q::Start(_)) {
                depth += 1;
            }
            continue;
        }
        match ev {
            Q::End(_) => depth -= 1,
            Q::Text(t) if depth > top => acc.text(black_box(t.xml10_content()).len()),
            Q::CData(t) if depth > top => acc.text(black_box(t.xml10_content()).len()),
            Q::GeneralRef(g) if depth > top => acc.text(black_box(qx_ref(&g))),
            Q::Eof => break,
            e => {
                black_box(e);
            }
        }
    }
    acc
}

/// rxml 0.14's push `Parser` fed `chunk` bytes at a time (`usize::MAX`: whole), reading
/// the same things from its events: element and attribute `(namespace, local name)`
/// pairs and attribute values (already resolved and decoded by rxml), and text.
/// `complete`: the input is the whole document, so end of input is signalled and must be
/// clean (otherwise it is a prefix cut after a stanza).
#[inline(never)]
pub fn rxml_read_all(data: &[u8], chunk: usize, complete: bool) -> ReadSum {
    let mut p = rxml::Parser::new();
    let mut st = (ReadSum::default(), 0u32);
    for piece in data.chunks(chunk.max(1)) {
        rxml_read_feed(&mut p, piece, false, &mut st);
    }
    if complete {
        rxml_read_feed(&mut p, &[], true, &mut st);
    }
    st.0
}

/// Hands `piece` to `p` and reads every event it yields into `st` (sum, depth).
#[inline]
fn rxml_read_feed(p: &mut rxml::Parser, mut piece: &[u8], at_eof: bool, st: &mut (ReadSum, u32)) {
    use rxml::error::EndOrError;
    use rxml::Parse;
    let (acc, depth) = st;
    loop {
        match p.parse(&mut piece, at_eof) {
            Ok(Some(ev)) => match ev {
                rxml::Event::StartElement(_, (ns, local), attrs) => {
                    if *depth >= 1 {
                        if *depth == 1 {
                            acc.stanzas += 1;
                        }
                        acc.name(black_box(ns.as_str()), black_box(local.as_str()));
                        for ((ans, alocal), v) in attrs.iter() {
                            acc.name(black_box(ans.as_str()), black_box(alocal.as_str()));
                            acc.value(black_box(v.as_str()));
                        }
                    }
                    *depth += 1;
                }
                rxml::Event::EndElement(_) => *depth -= 1,
                rxml::Event::Text(_, t) => {
                    if *depth >= 2 {
                        acc.text(black_box(t.as_str()).len());
                    }
                }
                ev => {
                    black_box(ev);
                }
            },
            Ok(None) => {
                assert!(at_eof, "rxml: end of document before end of input");
                return;
            }
            Err(EndOrError::NeedMoreData) => {
                assert!(!at_eof && piece.is_empty());
                return;
            }
            Err(EndOrError::Error(e)) => panic!("rxml: {e}"),
        }
    }
}

/// The decoded bytes of a reference event.
pub fn qx_ref(g: &quick_xml::events::BytesRef<'_>) -> usize {
    match g.resolve_char_ref().expect("quick-xml char ref") {
        Some(c) => c.len_utf8(),
        None => quick_xml::escape::resolve_predefined_entity(g)
            .expect("undefined entity")
            .len(),
    }
}

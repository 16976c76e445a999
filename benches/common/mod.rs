//! Shared by the bench targets (`pipeline`, `peers`, `alloc`): the corpus, our pipeline
//! driven in chunks, the peers driven the way an XMPP stack would drive them, and the
//! reference figures every bench asserts against.
//!
//! Every driver returns the number of depth-1 elements (stanzas and nonzas) it saw, so that
//! each bench can assert it did the whole job.
#![allow(dead_code)]

use std::hint::black_box;

use xmpp_stream::{Config, Event, Parser};

mod files;
mod read_all;
mod rounds;
pub use files::*;
pub use read_all::*;
// Only the custom-harness benches time rounds.
#[allow(unused_imports)]
pub use rounds::*;
#[cfg(all(feature = "xso", feature = "minidom"))]
mod typed;
#[cfg(all(feature = "xso", feature = "minidom"))]
#[allow(unused_imports)] // not every bench target uses them
pub use typed::*;

/// One corpus file and what we know about it.
pub struct CorpusFile {
    /// File stem, e.g. `c2s-chat`: the `value` part of every `BenchmarkId`.
    pub name: &'static str,
    /// Depth-1 elements of all streams in the file (corpus/README.md,
    /// `python3 tools/expat_dump.py --count`).
    pub stanzas: usize,
    /// The file contains stream restarts: parsed with `implicit_restart(true)`, and left
    /// out of peer comparisons (the peers read one document).
    pub restarts: bool,
    /// The file is one complete document the peers can read (no restart, closed).
    pub peers: bool,
    pub data: Vec<u8>,
}

/// Size of the prefix fed one byte at a time (cut at the last stanza end at or before it).
pub const ONE_BYTE_PREFIX: usize = 256 * 1024;

/// Every corpus file, in a fixed order (the five characters first).
pub fn corpus() -> Vec<CorpusFile> {
    FILES
        .iter()
        .map(|&(name, stanzas, restarts, peers)| CorpusFile {
            name,
            stanzas,
            restarts,
            peers,
            data: load(name),
        })
        .collect()
}

/// The files the peers can read as one document.
pub fn peer_corpus() -> Vec<CorpusFile> {
    corpus().into_iter().filter(|f| f.peers).collect()
}

impl CorpusFile {
    /// Our parser configuration for this file: the defaults (256 KiB stanzas), plus
    /// implicit restarts where the file has them (as `xmppdump` does).
    pub fn config(&self) -> Config {
        Config::default().with_implicit_restart(self.restarts)
    }

    /// The longest prefix of at most `max` bytes that ends right after a stanza (so that
    /// every parser sees a whole number of stanzas), and how many stanzas it holds.
    pub fn prefix(&self, max: usize) -> (&[u8], usize) {
        let ends = stanza_ends(&self.data, &self.config());
        let k = ends.partition_point(|&e| e <= max);
        assert!(k > 0, "{}: no stanza ends within {max} bytes", self.name);
        (&self.data[..ends[k - 1]], k)
    }
}

/// Stream offsets just after each stanza's final `>`, in order.
pub fn stanza_ends(data: &[u8], config: &Config) -> Vec<usize> {
    let mut p = Parser::with_config(config.clone());
    p.feed(data);
    let mut ends = Vec::new();
    while let Some(ev) = p.next_event().expect("parse error") {
        if let Event::Stanza(s) = ev {
            ends.push(s.offset() as usize + s.raw().len());
        }
    }
    ends
}

/// The largest stanza of `data`, in bytes.
pub fn largest_stanza(data: &[u8], config: &Config) -> usize {
    let mut p = Parser::with_config(config.clone());
    p.feed(data);
    let mut max = 0;
    while let Some(ev) = p.next_event().expect("parse error") {
        if let Event::Stanza(s) = ev {
            max = max.max(s.raw().len());
        }
    }
    max
}

// ---------------------------------------------------------------------------------------
// Our pipeline

/// Feeds `data` to a fresh parser in `chunk`-byte pieces (`usize::MAX`: all at once),
/// draining the events after each feed; the full pipeline runs inside `next_event`.
/// `complete`: the input ends at a clean point, so `finish()` must succeed.
#[inline(never)]
pub fn ours(data: &[u8], chunk: usize, config: &Config, complete: bool) -> usize {
    let mut p = Parser::with_config(config.clone());
    let n = ours_on(&mut p, data, chunk);
    if complete {
        p.finish().expect("finish");
    }
    n
}

/// Our pipeline over the whole of `data` in place ([`Parser::feed_in_place`]: events
/// borrow `data`, nothing is copied), reading nothing but each stanza's length, then
/// `finish()`; returns the number of stanzas. Parse only, as [`ours`] fed whole, without
/// the copy that `feed` makes.
#[inline(never)]
pub fn ours_in_place(data: &[u8], config: &Config) -> usize {
    let mut p = Parser::with_config(config.clone());
    let mut n = 0;
    let mut input = p.feed_in_place(data);
    while let Some(ev) = input.next_event().expect("parse error") {
        if let Event::Stanza(s) = ev {
            black_box(s.raw().len());
            n += 1;
        }
    }
    drop(input);
    p.finish().expect("finish");
    n
}

/// Feeds `data` to `p` in `chunk`-byte pieces, draining events after each; returns the
/// number of stanzas.
#[inline]
pub fn ours_on(p: &mut Parser, data: &[u8], chunk: usize) -> usize {
    let mut n = 0;
    for c in data.chunks(chunk.max(1)) {
        p.feed(c);
        while let Some(ev) = p.next_event().expect("parse error") {
            if let Event::Stanza(s) = ev {
                black_box(s.raw().len());
                n += 1;
            }
        }
    }
    n
}

/// What the view bench reads from every stanza, summed; compared with [`views_reference`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ViewSum {
    pub stanzas: usize,
    /// Stanzas that have each attribute: to, from, id, type, xml:lang.
    pub have: [usize; 5],
    /// Total decoded bytes of those attribute values.
    pub value_bytes: usize,
    /// Messages (in their stream's content namespace) with a `<body/>` child.
    pub bodies: usize,
    /// Total decoded bytes of the first body's own text.
    pub body_bytes: usize,
}

impl ViewSum {
    /// The sums as one [`ReadSum`], so that the interleaved bench checks every row alike.
    pub fn fold(&self) -> ReadSum {
        let mut sum = (self.value_bytes as u64) << 32 ^ (self.body_bytes as u64) << 8;
        for (k, h) in self.have.iter().enumerate() {
            sum = sum.wrapping_mul(31).wrapping_add(*h as u64 + k as u64);
        }
        ReadSum {
            stanzas: self.stanzas,
            sum: sum.wrapping_mul(31).wrapping_add(self.bodies as u64),
        }
    }
}

pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const CONTENT_NS: [&str; 3] = ["jabber:client", "jabber:server", "jabber:component:accept"];

fn is_content_ns(ns: &str) -> bool {
    CONTENT_NS.contains(&ns)
}

/// Our pipeline plus per-stanza view access: to/from/id/type/xml:lang and, for messages,
/// `child(ns, "body").text()`.
#[inline(never)]
pub fn ours_views(data: &[u8], config: &Config) -> ViewSum {
    let mut p = Parser::with_config(config.clone());
    p.feed(data);
    let mut sum = ViewSum::default();
    while let Some(ev) = p.next_event().expect("parse error") {
        if let Event::Stanza(s) = ev {
            let r = s.root();
            sum.stanzas += 1;
            let vals = [
                r.attr("", "to"),
                r.attr("", "from"),
                r.attr("", "id"),
                r.attr("", "type"),
                r.attr(XML_NS, "lang"),
            ];
            for (k, v) in vals.into_iter().enumerate() {
                if let Some(v) = v {
                    sum.have[k] += 1;
                    sum.value_bytes += black_box(v).len();
                }
            }
            let ns = r.ns();
            if r.local_name() == "message" && is_content_ns(ns) {
                if let Some(b) = r.child(ns, "body") {
                    sum.bodies += 1;
                    sum.body_bytes += black_box(b.text()).len();
                }
            }
        }
    }
    p.finish().expect("finish");
    sum
}

// ---------------------------------------------------------------------------------------
// Peers. Each reads the stream as one document: the `stream:stream` start tag is the root,
// depth-1 elements are the stanzas.

/// quick-xml `Reader` over a byte slice, no namespaces, no unescaping.
#[inline(never)]
pub fn quick_xml_reader(data: &[u8]) -> usize {
    use quick_xml::events::Event as Q;
    let mut r = quick_xml::Reader::from_reader(data);
    let (mut depth, mut n) = (0u32, 0usize);
    loop {
        match r.read_event().expect("quick-xml") {
            Q::Start(e) => {
                if depth == 1 {
                    n += 1;
                }
                depth += 1;
                black_box(e);
            }
            Q::Empty(e) => {
                if depth == 1 {
                    n += 1;
                }
                black_box(e);
            }
            Q::End(_) => depth -= 1,
            Q::Eof => break,
            e => {
                black_box(e);
            }
        }
    }
    n
}

/// quick-xml `NsReader`: element names resolved, nothing else.
#[inline(never)]
pub fn quick_xml_nsreader(data: &[u8]) -> usize {
    use quick_xml::events::Event as Q;
    let mut r = quick_xml::NsReader::from_reader(data);
    let (mut depth, mut n) = (0u32, 0usize);
    loop {
        let (ns, ev) = r.read_resolved_event().expect("quick-xml");
        black_box(ns);
        match ev {
            Q::Start(_) => {
                if depth == 1 {
                    n += 1;
                }
                depth += 1;
            }
            Q::Empty(_) => {
                if depth == 1 {
                    n += 1;
                }
            }
            Q::End(_) => depth -= 1,
            Q::Eof => break,
            e => {
                black_box(e);
            }
        }
    }
    n
}

/// quick-xml `NsReader` doing what an XMPP stack must: element and attribute names
/// resolved, attribute values unescaped and normalised (`normalized_value`, which is what
/// the deprecated `decode_and_unescape_value` / `unescape_value` call), namespace
/// declarations skipped, text and CDATA end-of-line normalised, references resolved.
#[inline(never)]
pub fn quick_xml_nsreader_unescape(data: &[u8]) -> usize {
    use quick_xml::events::Event as Q;
    let mut r = quick_xml::NsReader::from_reader(data);
    let (mut depth, mut n) = (0u32, 0usize);
    loop {
        let (ns, ev) = r.read_resolved_event().expect("quick-xml");
        black_box(ns);
        match ev {
            Q::Start(e) => {
                if depth == 1 {
                    n += 1;
                }
                depth += 1;
                qx_attrs(&r, &e);
            }
            Q::Empty(e) => {
                if depth == 1 {
                    n += 1;
                }
                qx_attrs(&r, &e);
            }
            Q::End(_) => depth -= 1,
            Q::Text(t) => {
                black_box(t.xml10_content());
            }
            Q::CData(t) => {
                black_box(t.xml10_content());
            }
            Q::GeneralRef(g) => {
                black_box(qx_ref(&g));
            }
            Q::Eof => break,
            e => {
                black_box(e);
            }
        }
    }
    n
}

/// Resolves, unescapes and normalises the attributes of `e` (declarations skipped).
#[inline]
pub fn qx_attrs<R>(r: &quick_xml::NsReader<R>, e: &quick_xml::events::BytesStart<'_>) {
    for a in e.attributes() {
        let a = a.expect("quick-xml attribute");
        if a.key.as_namespace_binding().is_some() {
            continue;
        }
        let (ns, local) = r.resolver().resolve_attribute(a.key);
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .expect("quick-xml attribute value");
        black_box((ns, local, v));
    }
}

/// What [`ours_views`] must find, computed outside the timed code with xml-rs (an
/// independent implementation, and one no timed contender uses: a second caller of the
/// quick-xml code the timed `quick_xml_read_all` runs made the compiler lay that code out
/// differently, and quick-xml's timed rows ~15 % slower than in a binary without it).
pub fn views_reference(data: &[u8]) -> ViewSum {
    use xml::reader::XmlEvent as X;
    let mut r = xml::reader::ParserConfig::new()
        .whitespace_to_characters(true)
        .cdata_to_characters(true)
        .coalesce_characters(true)
        .create_reader(data);
    let mut sum = ViewSum::default();
    let mut depth = 0u32;
    // Inside a message: its namespace, and whether its first body was seen.
    let mut msg: Option<(String, bool)> = None;
    // Depth of the text directly inside the body being read.
    let mut body_depth: Option<u32> = None;
    loop {
        match r.next().expect("xml-rs") {
            X::StartElement {
                name, attributes, ..
            } => {
                let ns = name.namespace.as_deref().unwrap_or("");
                let local = name.local_name.as_str();
                if depth == 1 {
                    sum.stanzas += 1;
                    for a in &attributes {
                        let ans = a.name.namespace.as_deref().unwrap_or("");
                        let k = match (ans, a.name.local_name.as_str()) {
                            ("", "to") => 0,
                            ("", "from") => 1,
                            ("", "id") => 2,
                            ("", "type") => 3,
                            (XML_NS, "lang") => 4,
                            _ => continue,
                        };
                        sum.have[k] += 1;
                        sum.value_bytes += a.value.len();
                    }
                    if local == "message" && is_content_ns(ns) {
                        msg = Some((ns.to_owned(), false));
                    }
                } else if depth == 2 {
                    if let Some((mns, seen)) = &mut msg {
                        if !*seen && local == "body" && ns == mns {
                            *seen = true;
                            sum.bodies += 1;
                            body_depth = Some(depth + 1);
                        }
                    }
                }
                depth += 1;
            }
            X::EndElement { .. } => {
                depth -= 1;
                if body_depth == Some(depth + 1) {
                    body_depth = None;
                }
                if depth == 1 {
                    msg = None;
                }
            }
            X::Characters(t) if body_depth == Some(depth) => sum.body_bytes += t.len(),
            X::EndDocument => break,
            _ => {}
        }
    }
    sum
}

/// rxml's push `Parser` (full namespace resolution and attribute maps), fed `chunk`
/// bytes at a time (`usize::MAX`: all at once). `complete`: the input is the whole
/// document, so end of input is signalled and must be clean.
#[inline(never)]
pub fn rxml(data: &[u8], chunk: usize, complete: bool) -> usize {
    let mut p = rxml::Parser::new();
    let mut c = RxmlCount::default();
    for piece in data.chunks(chunk.max(1)) {
        rxml_feed(&mut p, piece, false, &mut c);
    }
    if complete {
        rxml_feed(&mut p, &[], true, &mut c);
    }
    c.n
}

#[derive(Default)]
pub struct RxmlCount {
    pub depth: u32,
    pub n: usize,
}

/// Hands `piece` to `p` and handles every event it yields.
#[inline]
pub fn rxml_feed(p: &mut rxml::Parser, mut piece: &[u8], at_eof: bool, c: &mut RxmlCount) {
    use rxml::error::EndOrError;
    use rxml::Parse;
    loop {
        match p.parse(&mut piece, at_eof) {
            Ok(Some(ev)) => match ev {
                rxml::Event::StartElement(_, name, attrs) => {
                    if c.depth == 1 {
                        c.n += 1;
                    }
                    c.depth += 1;
                    black_box((name, attrs));
                }
                rxml::Event::EndElement(_) => c.depth -= 1,
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

/// xml-rs (`xml` 1.x) `EventReader`: namespaces resolved, text and attributes decoded.
#[inline(never)]
pub fn xml_rs(data: &[u8]) -> usize {
    use xml::reader::XmlEvent as X;
    let mut r = xml::reader::EventReader::new(data);
    let (mut depth, mut n) = (0u32, 0usize);
    loop {
        match r.next().expect("xml-rs") {
            X::StartElement {
                name,
                attributes,
                namespace,
            } => {
                if depth == 1 {
                    n += 1;
                }
                depth += 1;
                black_box((name, attributes, namespace));
            }
            X::EndElement { .. } => depth -= 1,
            X::EndDocument => break,
            e => {
                black_box(e);
            }
        }
    }
    n
}

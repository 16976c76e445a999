//! Round trip of generated streams: an `arbitrary` stream (header with random stream
//! prefix or default namespace and extra declarations, stanza trees with names from a
//! small pool, prefixes declared anywhere up the tree or on the header, default namespace
//! changes, attributes, text with characters that need escaping, line ends, character and
//! entity references, CDATA sections, whitespace keepalives between stanzas) is
//! serialised and parsed (in chunks of a generated size). The parsed header, stanza trees
//! (names resolved, attribute values decoded and normalised, text merged, namespace
//! declarations), stanza offsets and raw bytes must equal the generated ones.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use xmpp_stream::xmpp::ns::STREAMS as STREAMS_NS;
use xmpp_stream::{Config, Element, Event, Limits, Node, Parser, XML_NS};

const NAMES: &[&str] = &[
    "a", "b", "message", "body", "item", "x-y", "_z", "é", "名前", "a.b1", "lang",
];
const PREFIXES: &[&str] = &["p", "q", "stream", "db", "ns1", "é"];
const NSES: &[&str] = &[
    "",
    "jabber:client",
    "urn:a",
    "urn:b",
    STREAMS_NS,
    "urn:é&<>\"'\t",
    "jabber:server",
];

#[derive(Arbitrary, Debug)]
struct Input {
    xml_decl: bool,
    /// 0: no prefix (the stream namespace is the default), else `PREFIXES`-like.
    stream_prefix: u8,
    content_ns: u8,
    header_decls: Vec<(u8, u8)>,
    stanzas: Vec<(Vec<u8>, Elem)>,
    trailing_ws: Vec<u8>,
    close: bool,
    chunk: u16,
}

#[derive(Arbitrary, Debug)]
struct Elem {
    name: u8,
    prefix: Option<u8>,
    default_decl: Option<u8>,
    decls: Vec<(u8, u8)>,
    attrs: Vec<Attr>,
    children: Vec<Child>,
    self_close: bool,
    tag_ws: u8,
}

#[derive(Arbitrary, Debug)]
struct Attr {
    name: u8,
    /// `Some(255)` is the `xml` prefix.
    prefix: Option<u8>,
    value: Vec<Piece>,
    double_quote: bool,
}

#[derive(Arbitrary, Debug)]
enum Child {
    Elem(Elem),
    Text(Vec<Piece>),
    Cdata(String),
}

#[derive(Arbitrary, Debug)]
enum Piece {
    Chars(String),
    CharRef(char, bool),
    Entity(u8),
    LineEnd(u8),
}

/// The expected tree of an element.
#[derive(Debug, PartialEq, Eq)]
struct Tree {
    prefix: Option<String>,
    ns: String,
    local: String,
    /// Namespace declarations in document order: (prefix, namespace name).
    decls: Vec<(Option<String>, String)>,
    /// (ns, local, value), sorted.
    attrs: Vec<(String, String, String)>,
    children: Vec<Kid>,
}

#[derive(Debug, PartialEq, Eq)]
enum Kid {
    E(Tree),
    T(String),
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Text,
    Attr(char),
}

/// Serialises `pieces` into `raw` (which holds everything written so far) and appends the
/// decoded value to `exp`.
fn write_pieces(pieces: &[Piece], ctx: Ctx, raw: &mut String, exp: &mut String) {
    for p in pieces {
        match p {
            Piece::Chars(s) => {
                for c in s.chars().filter(|&c| is_xml_char(c)) {
                    write_char(c, ctx, raw, exp);
                }
            }
            Piece::CharRef(c, hex) => {
                if is_xml_char(*c) {
                    if *hex {
                        raw.push_str(&format!("&#x{:X};", *c as u32));
                    } else {
                        raw.push_str(&format!("&#{};", *c as u32));
                    }
                    exp.push(*c);
                }
            }
            Piece::Entity(k) => {
                let (r, c) = [
                    ("&amp;", '&'),
                    ("&lt;", '<'),
                    ("&gt;", '>'),
                    ("&quot;", '"'),
                    ("&apos;", '\''),
                ][*k as usize % 5];
                raw.push_str(r);
                exp.push(c);
            }
            Piece::LineEnd(k) => {
                let s = ["\n", "\r\n", "\r", "\t", "\r\r\n"][*k as usize % 5];
                for c in s.chars() {
                    write_char(c, ctx, raw, exp);
                }
            }
        }
    }
}

/// Writes one literal character, escaped as needed, and its decoded form: line ends are
/// normalised (XML 1.0 section 2.11), and in attribute values whitespace becomes a space
/// (section 3.3.3).
fn write_char(c: char, ctx: Ctx, raw: &mut String, exp: &mut String) {
    let after_cr = raw.ends_with('\r');
    match (c, ctx) {
        ('<', _) => raw.push_str("&lt;"),
        ('&', _) => raw.push_str("&amp;"),
        ('>', Ctx::Text) if raw.ends_with("]]") => raw.push_str("&gt;"),
        (q, Ctx::Attr(quote)) if q == quote => {
            raw.push_str(if q == '"' { "&quot;" } else { "&apos;" })
        }
        _ => raw.push(c),
    }
    match (c, ctx) {
        ('\n', _) if after_cr => {}
        ('\r', Ctx::Text) => exp.push('\n'),
        ('\t' | '\n' | '\r', Ctx::Attr(_)) => exp.push(' '),
        _ => exp.push(c),
    }
}

fn push_text(kids: &mut Vec<Kid>, s: String) {
    if s.is_empty() {
        return;
    }
    if let Some(Kid::T(t)) = kids.last_mut() {
        t.push_str(&s);
    } else {
        kids.push(Kid::T(s));
    }
}

/// In-scope prefix bindings, innermost last.
struct Scope {
    bindings: Vec<(String, String)>,
    default: String,
}

impl Scope {
    fn lookup(&self, p: &str) -> Option<&str> {
        self.bindings
            .iter()
            .rev()
            .find(|(q, _)| q == p)
            .map(|(_, n)| n.as_str())
    }

    /// The distinct prefixes in scope, in first-binding order.
    fn prefixes(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for (p, _) in &self.bindings {
            if !v.contains(p) {
                v.push(p.clone());
            }
        }
        v
    }
}

/// Writes `value` as an attribute value; returns what it decodes to.
fn attr_value(raw: &mut String, value: &str, quote: char) -> String {
    let mut exp = String::new();
    write_pieces(
        &[Piece::Chars(value.to_string())],
        Ctx::Attr(quote),
        raw,
        &mut exp,
    );
    exp
}

fn tag_ws(bits: u8, k: u8) -> &'static str {
    match (bits >> k) & 3 {
        0 | 1 => "",
        2 => " ",
        _ => "\n\t",
    }
}

fn write_elem(e: &Elem, scope: &mut Scope, raw: &mut String, depth: usize) -> Tree {
    let saved_len = scope.bindings.len();
    let saved_default = scope.default.clone();
    let mut decls = Vec::new();
    let mut decl_text = String::new();
    if let Some(k) = e.default_decl {
        let ns = NSES[k as usize % NSES.len()];
        decl_text.push_str(" xmlns='");
        let ns = attr_value(&mut decl_text, ns, '\'');
        decl_text.push('\'');
        scope.default = ns.to_string();
        decls.push((None, ns.to_string()));
    }
    let mut declared: Vec<&str> = Vec::new();
    for &(p, n) in e.decls.iter().take(6) {
        let p = PREFIXES[p as usize % PREFIXES.len()];
        let ns = NSES[1 + n as usize % (NSES.len() - 1)];
        if declared.contains(&p) {
            continue;
        }
        declared.push(p);
        decl_text.push_str(&format!(
            " xmlns:{p}{}={}\"",
            tag_ws(e.tag_ws, 0),
            tag_ws(e.tag_ws, 2)
        ));
        let ns = attr_value(&mut decl_text, ns, '"');
        decl_text.push('"');
        scope.bindings.push((p.to_string(), ns.to_string()));
        decls.push((Some(p.to_string()), ns.to_string()));
    }
    let in_scope = scope.prefixes();
    let local = NAMES[e.name as usize % NAMES.len()];
    let (prefix, ns) = match e.prefix {
        Some(i) if !in_scope.is_empty() => {
            let p = in_scope[i as usize % in_scope.len()].clone();
            let ns = scope.lookup(&p).unwrap_or_default().to_string();
            (Some(p), ns)
        }
        _ => (None, scope.default.clone()),
    };
    let qname = match &prefix {
        Some(p) => format!("{p}:{local}"),
        None => local.to_string(),
    };
    raw.push('<');
    raw.push_str(&qname);
    raw.push_str(&decl_text);

    let mut attrs: Vec<(String, String, String)> = Vec::new();
    let mut qnames: Vec<String> = Vec::new();
    for a in e.attrs.iter().take(12) {
        let local = NAMES[a.name as usize % NAMES.len()];
        let (aq, ans) = match a.prefix {
            Some(255) => (format!("xml:{local}"), XML_NS.to_string()),
            Some(i) if !in_scope.is_empty() => {
                let p = &in_scope[i as usize % in_scope.len()];
                (
                    format!("{p}:{local}"),
                    scope.lookup(p).unwrap_or_default().to_string(),
                )
            }
            _ => (local.to_string(), String::new()),
        };
        if qnames.contains(&aq) || attrs.iter().any(|(n, l, _)| *n == ans && l == local) {
            continue;
        }
        let quote = if a.double_quote { '"' } else { '\'' };
        raw.push_str(if e.tag_ws & 16 != 0 { "\n  " } else { " " });
        raw.push_str(&aq);
        raw.push_str(tag_ws(e.tag_ws, 2));
        raw.push('=');
        raw.push_str(tag_ws(e.tag_ws, 4));
        raw.push(quote);
        let mut value = String::new();
        write_pieces(&a.value, Ctx::Attr(quote), raw, &mut value);
        raw.push(quote);
        qnames.push(aq);
        attrs.push((ans, local.to_string(), value));
    }
    attrs.sort();
    raw.push_str(tag_ws(e.tag_ws, 6));

    let mut children = Vec::new();
    let kids: &[Child] = if depth > 60 { &[] } else { &e.children };
    if kids.is_empty() && e.self_close {
        raw.push_str("/>");
    } else {
        raw.push('>');
        for c in kids {
            match c {
                Child::Elem(c) => children.push(Kid::E(write_elem(c, scope, raw, depth + 1))),
                Child::Text(pieces) => {
                    let mut s = String::new();
                    write_pieces(pieces, Ctx::Text, raw, &mut s);
                    push_text(&mut children, s);
                }
                Child::Cdata(content) => {
                    raw.push_str("<![CDATA[");
                    let mut s = String::new();
                    for c in content.chars().filter(|&c| is_xml_char(c)) {
                        if c == '>' && raw.ends_with("]]") {
                            // Split the section so that its content can hold "]]>".
                            raw.push_str("]]><![CDATA[");
                        }
                        let after_cr = raw.ends_with('\r');
                        raw.push(c);
                        match c {
                            '\n' if after_cr => {}
                            '\r' => s.push('\n'),
                            _ => s.push(c),
                        }
                    }
                    raw.push_str("]]>");
                    push_text(&mut children, s);
                }
            }
        }
        raw.push_str("</");
        raw.push_str(&qname);
        raw.push_str(tag_ws(e.tag_ws, 4));
        raw.push('>');
    }
    scope.bindings.truncate(saved_len);
    scope.default = saved_default;
    Tree {
        prefix,
        ns,
        local: local.to_string(),
        decls,
        attrs,
        children,
    }
}

fn parsed_tree(e: &Element<'_>) -> Tree {
    let mut attrs: Vec<(String, String, String)> = e
        .attrs()
        .map(|a| (a.ns().into(), a.local_name().into(), a.value().into()))
        .collect();
    attrs.sort();
    let mut children = Vec::new();
    for n in e.nodes() {
        match n {
            Node::Element(c) => children.push(Kid::E(parsed_tree(&c))),
            Node::Text(t) => push_text(&mut children, t.as_str().to_string()),
        }
    }
    Tree {
        prefix: e.prefix().map(String::from),
        ns: e.ns().into(),
        local: e.local_name().into(),
        decls: e
            .ns_decls()
            .map(|(p, n)| (p.map(String::from), n.to_string()))
            .collect(),
        attrs,
        children,
    }
}

fn ws(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take(8)
        .map(|b| [' ', '\t', '\n', '\r'][*b as usize % 4])
        .collect()
}

fuzz_target!(|input: Input| {
    // The stream header.
    let mut raw = String::new();
    if input.xml_decl {
        raw.push_str("<?xml version='1.0' encoding='UTF-8'?>\n");
    }
    let sp = match input.stream_prefix % 4 {
        0 => None,
        k => Some(["stream", "s", "é"][k as usize - 1]),
    };
    let root_q = match sp {
        Some(p) => format!("{p}:stream"),
        None => "stream".to_string(),
    };
    let mut scope = Scope {
        bindings: Vec::new(),
        default: String::new(),
    };
    raw.push('<');
    raw.push_str(&root_q);
    let mut header_decls = Vec::new();
    match sp {
        Some(p) => {
            raw.push_str(&format!(" xmlns:{p}='{STREAMS_NS}'"));
            scope.bindings.push((p.to_string(), STREAMS_NS.to_string()));
            header_decls.push((Some(p.to_string()), STREAMS_NS.to_string()));
            let ns = NSES[input.content_ns as usize % NSES.len()];
            if !ns.is_empty() {
                raw.push_str(" xmlns='");
                let ns = attr_value(&mut raw, ns, '\'');
                raw.push('\'');
                scope.default = ns.to_string();
                header_decls.push((None, ns.to_string()));
            }
        }
        None => {
            raw.push_str(&format!(" xmlns='{STREAMS_NS}'"));
            scope.default = STREAMS_NS.to_string();
            header_decls.push((None, STREAMS_NS.to_string()));
        }
    }
    for &(p, n) in input.header_decls.iter().take(4) {
        let p = PREFIXES[p as usize % PREFIXES.len()];
        if sp == Some(p) || scope.lookup(p).is_some() {
            continue;
        }
        let ns = NSES[1 + n as usize % (NSES.len() - 1)];
        raw.push_str(&format!(" xmlns:{p}='"));
        let ns = attr_value(&mut raw, ns, '\'');
        raw.push('\'');
        scope.bindings.push((p.to_string(), ns.to_string()));
        header_decls.push((Some(p.to_string()), ns.to_string()));
    }
    raw.push_str(" version='1.0' xml:lang='en'>");
    let header_attrs = vec![
        (String::new(), "version".to_string(), "1.0".to_string()),
        (XML_NS.to_string(), "lang".to_string(), "en".to_string()),
    ];

    // The stanzas.
    let mut expected = Vec::new();
    for (keepalive, elem) in input.stanzas.iter().take(16) {
        raw.push_str(&ws(keepalive));
        let start = raw.len();
        let tree = write_elem(elem, &mut scope, &mut raw, 1);
        expected.push((start as u64, raw[start..].to_string(), tree));
    }
    raw.push_str(&ws(&input.trailing_ws));
    if input.close {
        raw.push_str(&format!("</{root_q}>"));
    }

    // Parse.
    let bytes = raw.as_bytes();
    let chunk = if input.chunk == 0 {
        bytes.len().max(1)
    } else {
        input.chunk as usize
    };
    let mut parser = Parser::with_config(Config::default().with_limits(Limits::generous()));
    let mut seen_header = false;
    let mut stanzas = 0;
    let mut closed = false;
    for piece in bytes.chunks(chunk) {
        parser.feed(piece);
        loop {
            let event = match parser.next_event() {
                Ok(Some(event)) => event,
                Ok(None) => break,
                Err(e) => panic!("{e} for a generated stream:\n{raw}"),
            };
            match event {
                Event::Header(h) => {
                    assert!(!seen_header);
                    seen_header = true;
                    assert_eq!(
                        (h.ns(), h.local_name(), h.prefix()),
                        (STREAMS_NS, "stream", sp)
                    );
                    let mut attrs: Vec<(String, String, String)> = h
                        .attrs()
                        .map(|a| (a.ns().into(), a.local_name().into(), a.value().into()))
                        .collect();
                    attrs.sort();
                    assert_eq!(attrs, header_attrs);
                    let decls: Vec<(Option<String>, String)> = h
                        .ns_decls()
                        .map(|(p, n)| (p.map(String::from), n.to_string()))
                        .collect();
                    assert_eq!(decls, header_decls);
                }
                Event::Stanza(s) => {
                    let (offset, exp_raw, tree) = &expected[stanzas];
                    stanzas += 1;
                    assert_eq!(s.offset(), *offset, "stanza offset");
                    assert_eq!(s.raw(), exp_raw.as_bytes(), "stanza raw");
                    assert_eq!(&parsed_tree(&s.root()), tree, "stanza tree in\n{raw}");
                }
                Event::Close => {
                    assert!(!closed);
                    closed = true;
                }
                other => panic!("unknown event {other:?}"),
            }
        }
    }
    assert!(seen_header);
    assert_eq!(stanzas, expected.len());
    assert_eq!(closed, input.close);
    assert_eq!(parser.finish(), Ok(()));
    assert_eq!(parser.offset(), bytes.len() as u64);
});

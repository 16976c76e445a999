//! Generated XML for the property tests: element trees written with varied but well-formed
//! spellings (prefixes bound on the stream header, on the stanza or on the element that
//! uses them; default namespaces declared and undeclared; `xml:lang`; character and entity
//! references, CDATA, every line end, non-ASCII names and text; both quotes; white space
//! around `=`, between attributes and before `>`), and the stream they are written in.

use proptest::prelude::*;

/// The stream header generated stanzas are written inside: it binds `p:` (and a prefix no
/// stanza uses) and gives an `xml:lang` for stanzas to inherit.
pub const HEADER: &str = "<stream:stream xmlns='jabber:client' xml:lang='en' \
    xmlns:stream='http://etherx.jabber.org/streams' xmlns:p='urn:p' xmlns:unused='urn:u'>";

/// Prefixes by [`Gen::prefix`]: none; `p:`, bound on the header; `q:`, declared on each
/// element that uses it; `a:`, declared on the stanza root.
const PREFIXES: [&str; 4] = ["", "p:", "q:", "a:"];

/// A generated element.
#[derive(Debug, Clone)]
pub struct Gen {
    /// Index into the prefixes (see [`PREFIXES`]).
    pub prefix: u8,
    pub name: &'static str,
    /// `Some(uri)`: `xmlns='uri'` on this element (`""` undeclares).
    pub default_ns: Option<&'static str>,
    pub attrs: Vec<Attr>,
    pub lang: Option<&'static str>,
    pub children: Vec<GenNode>,
}

/// A generated attribute.
#[derive(Debug, Clone)]
pub struct Attr {
    /// Index into the prefixes, as [`Gen::prefix`].
    pub prefix: u8,
    pub name: &'static str,
    /// The value as written (references unexpanded), before its quote is escaped.
    pub value: String,
    /// Written in double quotes.
    pub double: bool,
    /// Picks the white space before the name and around `=`.
    pub space: u8,
}

/// A generated child node.
#[derive(Debug, Clone)]
pub enum GenNode {
    Elem(Gen),
    /// Text as written (references unexpanded); `]` is written as `&#93;` so that no `]]>`
    /// forms across pieces.
    Text(String),
    /// The content of a CDATA section (never empty, never holding `]]>`).
    CData(String),
}

fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "a",
            " ",
            "\n",
            "\r\n",
            "\r",
            "\t",
            "&amp;",
            "&lt;",
            "&gt;",
            "&quot;",
            "&apos;",
            "&#233;",
            "&#x1F600;",
            "&#9;&#xD;&#10;",
            "é",
            "日本",
            "😀",
            "\u{10000}",
            "]",
            "]]",
            "]]&gt;",
            ">",
            "'",
            "\"",
        ])
        .prop_map(String::from),
        "[a-z ]{0,6}",
    ];
    prop::collection::vec(piece, 0..6).prop_map(|v| v.concat())
}

fn attr_value() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "v",
            " ",
            "\t",
            "\n",
            "\r\n",
            "\t\n\r\n",
            "&amp;",
            "&lt;",
            "&amp;&lt;",
            "&#9;",
            "&#x20;",
            "&#9;&#10;&#13;",
            "&apos;&quot;",
            "é",
            "ü\u{1F600}",
            ">",
            "]]>",
            "'",
            "\"",
        ])
        .prop_map(String::from),
        "[a-z ]{0,6}",
    ];
    prop::collection::vec(piece, 0..5).prop_map(|v| v.concat())
}

/// An element whose children come from `children`.
fn element(children: impl Strategy<Value = Vec<GenNode>>) -> impl Strategy<Value = Gen> {
    let names = prop::sample::select(vec![
        "m", "body", "x", "é", "item", "query", "n.1", "s-2", "_u", "属", "a", "x-y", "message",
        "iq",
    ]);
    let attr_names = prop::sample::select(vec![
        "to", "from", "id", "type", "k", "m", "x", "é", "n.1", "_u", "属",
    ]);
    let attrs = prop::collection::vec(
        (0u8..4, attr_names, attr_value(), any::<bool>(), 0u8..16),
        0..4,
    )
    .prop_map(|v| {
        let mut seen = Vec::new();
        v.into_iter()
            .filter(|(p, n, ..)| {
                let fresh = !seen.contains(&(*p, *n));
                seen.push((*p, *n));
                fresh
            })
            .map(|(prefix, name, value, double, space)| Attr {
                prefix,
                name,
                value,
                double,
                space,
            })
            .collect::<Vec<_>>()
    });
    let default_ns = prop::sample::select(vec![None, None, None, Some("urn:d"), Some("")]);
    let lang = prop::sample::select(vec![None, None, Some("fr"), Some("x&amp;y")]);
    (0u8..4, names, default_ns, attrs, lang, children).prop_map(
        |(prefix, name, default_ns, attrs, lang, children)| Gen {
            prefix,
            name,
            default_ns,
            attrs,
            lang,
            children,
        },
    )
}

/// A generated stanza: an element up to five levels deep.
pub fn stanza() -> BoxedStrategy<Gen> {
    let leaf = prop_oneof![
        text().prop_map(GenNode::Text),
        // Never empty: an empty section gives an empty text node, which the writer spells
        // `<m></m>` and a second writing `<m/>` (tests/it/parse.rs covers empty sections).
        "[a-z<&> \r\n\\]]{1,8}".prop_map(|s| match s.replace("]]>", "") {
            s if s.is_empty() => GenNode::CData("]".into()),
            s => GenNode::CData(s),
        }),
        element(Just(Vec::new())).prop_map(GenNode::Elem),
    ];
    let node = leaf.prop_recursive(4, 48, 4, |inner| {
        element(prop::collection::vec(inner, 0..5)).prop_map(GenNode::Elem)
    });
    element(prop::collection::vec(node, 0..5)).boxed()
}

fn quoted(out: &mut String, value: &str, double: bool) {
    let (q, escaped) = if double {
        ('"', value.replace('"', "&quot;"))
    } else {
        ('\'', value.replace('\'', "&apos;"))
    };
    out.push(q);
    out.push_str(&escaped);
    out.push(q);
}

/// Writes `g` as a stanza (depth 0) inside [`HEADER`].
pub fn write(out: &mut String, g: &Gen) {
    write_at(out, g, 0);
}

fn write_at(out: &mut String, g: &Gen, depth: usize) {
    let prefix = PREFIXES[g.prefix as usize];
    let dq = depth % 2 == 1;
    out.push('<');
    out.push_str(prefix);
    out.push_str(g.name);
    if depth == 0 {
        out.push_str(" xmlns:a=");
        quoted(out, "urn:a", dq);
    }
    if g.prefix == 2 || g.attrs.iter().any(|a| a.prefix == 2) {
        out.push_str(" xmlns:q=");
        quoted(out, "urn:q", !dq);
    }
    if let Some(d) = g.default_ns {
        out.push_str(" xmlns = ");
        quoted(out, d, dq);
    }
    for a in &g.attrs {
        out.push_str([" ", "\n ", "\t", "\r\n"][(a.space % 4) as usize]);
        out.push_str(PREFIXES[a.prefix as usize]);
        out.push_str(a.name);
        out.push_str([" =", "=", "= ", " = "][(a.space / 4) as usize]);
        quoted(out, &a.value, a.double);
    }
    if let Some(l) = g.lang {
        out.push_str(" xml:lang=");
        quoted(out, l, dq);
    }
    if g.children.is_empty() && depth % 2 == 0 {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for c in &g.children {
        match c {
            GenNode::Elem(e) => write_at(out, e, depth + 1),
            GenNode::Text(t) => out.push_str(&t.replace(']', "&#93;")),
            GenNode::CData(t) => {
                out.push_str("<![CDATA[");
                out.push_str(t);
                out.push_str("]]>");
            }
        }
    }
    out.push_str("</");
    out.push_str(prefix);
    out.push_str(g.name);
    out.push_str(" >");
}

/// A whole stream: an XML declaration, [`HEADER`], the stanzas with white space of every
/// kind between them, and the close tag.
pub fn stream(stanzas: &[Gen]) -> String {
    let mut s = format!("<?xml version='1.0'?>{HEADER}");
    for (i, g) in stanzas.iter().enumerate() {
        s.push_str(["", " ", "\n", "\r\n\t"][i % 4]);
        write(&mut s, g);
    }
    s.push_str("</stream:stream>");
    s
}

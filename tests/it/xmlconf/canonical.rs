//! James Clark's canonical XML (the suite's `out/` files; `xmltest/canonxml.html`), written
//! from the parser's views. Not W3C C14N:
//!
//! ```text
//! element  ::= Stag (Datachar | element)* Etag
//! Stag     ::= '<' Name Atts '>'          Etag ::= '</' Name '>'
//! Atts     ::= (' ' Name '=' '"' Datachar* '"')*
//! Datachar ::= '&amp;' | '&lt;' | '&gt;' | '&quot;' | '&#9;' | '&#10;' | '&#13;'
//!            | (Char - ('&' | '<' | '>' | '"' | #x9 | #xA | #xD))
//! ```
//!
//! Attributes are sorted by qualified name in code-point order; there is no namespace
//! processing, so `xmlns` declarations are written as ordinary attributes. Processing
//! instructions, the only other item of the form, cannot occur in restricted XML.

use xmpp_stream::{Element, Node};

/// The canonical form of `root` and everything inside it.
pub fn canonical(root: Element<'_>) -> Vec<u8> {
    let mut out = String::new();
    write_element(root, &mut out);
    out.into_bytes()
}

fn write_element(e: Element<'_>, out: &mut String) {
    out.push('<');
    out.push_str(e.qname());
    let mut attrs: Vec<(&str, &str)> = e.raw_attrs().map(|a| (a.qname(), a.value())).collect();
    // `str` ordering is byte order, which for UTF-8 is code-point order.
    attrs.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (name, value) in attrs {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        escape(value, out);
        out.push('"');
    }
    out.push('>');
    for node in e.nodes() {
        match node {
            Node::Element(child) => write_element(child, out),
            Node::Text(text) => escape(text.as_str(), out),
        }
    }
    out.push_str("</");
    out.push_str(e.qname());
    out.push('>');
}

/// Appends `s` as `Datachar*`.
fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

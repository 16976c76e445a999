//! Test support shared by the unit tests of the parser and of the readers above it
//! (`io/`): one line per event, through the views only, so that two event sequences
//! compare as strings. Complete enough to tell any two different events apart: names
//! with their namespaces, attributes with their decoded values, text, and each stanza's
//! offset.

use super::Event;
use crate::tree::{Element, Node};
use core::fmt::Write;

/// The line of `event`: `header <{ns}name {ns}attr="value" ...>`,
/// `stanza @offset <{ns}name ...>children</>` or `close`.
pub(crate) fn render(event: &Event<'_>) -> String {
    let mut out = String::new();
    match event {
        Event::Header(h) => {
            out.push_str("header ");
            element(&mut out, h, false);
        }
        Event::Stanza(s) => {
            let _ = write!(out, "stanza @{} ", s.offset());
            element(&mut out, &s.root(), true);
        }
        Event::Close => out.push_str("close"),
    }
    out
}

/// Appends `e`'s start tag, and with `children` its child nodes and an end mark.
fn element(out: &mut String, e: &Element<'_>, children: bool) {
    let _ = write!(out, "<{{{}}}{}", e.ns(), e.local_name());
    for a in e.attrs() {
        let _ = write!(out, " {a:?}");
    }
    out.push('>');
    if children {
        for n in e.nodes() {
            match n {
                Node::Element(c) => element(out, &c, true),
                Node::Text(t) => {
                    let _ = write!(out, "{:?}", t.as_str());
                }
            }
        }
        out.push_str("</>");
    }
}

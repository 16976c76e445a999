//! The JSON-lines dump format of the `xmppdump` example (one object per stream event),
//! shared with the tests that compare it against reference outputs. Reads views only.
//!
//! - header: `{"header":ELEM}` where ELEM has no `"children"` key;
//! - stanza: `{"stanza":ELEM}`; close: `{"close":true}`;
//! - error: `{"error":{"condition":C,"offset":N,"message":M}}`;
//! - `ELEM = {"name":[NS,LOCAL],"attrs":[[NS,LOCAL,VALUE],...],"children":[ELEM|STRING,...]}`
//!   with attributes sorted by (NS, LOCAL), namespace declarations left out, adjacent
//!   character data merged, nothing trimmed.
//!
//! Strings are written as Python's `json.dumps(..., ensure_ascii=False,
//! separators=(',', ':'))` writes them: `"` and `\` escaped, `\n \r \t \b \f` as such,
//! other control characters as `\u00XX` (lowercase hex), everything else literally.

use crate::error::Error;
use crate::parser::Event;
use crate::tree::{Element, Node};

/// Appends `s` as a JSON string literal.
pub fn write_json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0..=0x1F => "",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        } else {
            out.push_str(esc);
        }
        last = i + 1;
    }
    out.push_str(&s[last..]);
    out.push('"');
}

/// Appends ELEM for `e` (with children when `children` is true).
pub fn write_element(out: &mut String, e: &Element<'_>, children: bool) {
    out.push_str("{\"name\":[");
    write_json_str(out, e.ns());
    out.push(',');
    write_json_str(out, e.local_name());
    out.push_str("],\"attrs\":[");
    let mut attrs: Vec<(&str, &str, &str)> = e
        .attrs()
        .map(|a| (a.ns(), a.local_name(), a.value()))
        .collect();
    attrs.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for (k, (ns, local, value)) in attrs.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push('[');
        write_json_str(out, ns);
        out.push(',');
        write_json_str(out, local);
        out.push(',');
        write_json_str(out, value);
        out.push(']');
    }
    out.push(']');
    if children {
        out.push_str(",\"children\":[");
        let mut first = true;
        let mut text = String::new();
        let flush = |out: &mut String, text: &mut String, first: &mut bool| {
            if !text.is_empty() {
                if !*first {
                    out.push(',');
                }
                write_json_str(out, text);
                text.clear();
                *first = false;
            }
        };
        for node in e.nodes() {
            match node {
                Node::Text(t) => text.push_str(t.as_str()),
                Node::Element(child) => {
                    flush(out, &mut text, &mut first);
                    if !first {
                        out.push(',');
                    }
                    write_element(out, &child, true);
                    first = false;
                }
            }
        }
        flush(out, &mut text, &mut first);
        out.push(']');
    }
    out.push('}');
}

/// Appends the line (with its `\n`) for one event.
pub fn write_event(out: &mut String, event: &Event<'_>) {
    match event {
        Event::Header(h) => {
            out.push_str("{\"header\":");
            write_element(out, h, false);
            out.push('}');
        }
        Event::Stanza(s) => {
            out.push_str("{\"stanza\":");
            write_element(out, &s.root(), true);
            out.push('}');
        }
        Event::Close => out.push_str("{\"close\":true}"),
    }
    out.push('\n');
}

/// Appends the line (with its `\n`) for an error.
pub fn write_error(out: &mut String, error: &Error) {
    out.push_str("{\"error\":{\"condition\":");
    write_json_str(out, error.condition().as_str());
    out.push_str(",\"offset\":");
    out.push_str(&error.offset().to_string());
    out.push_str(",\"message\":");
    write_json_str(out, error.message());
    out.push_str("}}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_match_python() {
        let mut s = String::new();
        write_json_str(&mut s, "a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1f}é/\u{7f}");
        assert_eq!(
            s,
            r#""a\"b\\c\n\r\t\b\f\u0001\u001fé/"#.to_string() + "\u{7f}\""
        );
    }
}

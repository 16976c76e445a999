//! Decoding raw character data and attribute values into text: references, end-of-line
//! handling (XML 1.0 section 2.11), attribute-value normalisation (section 3.3.3) and CDATA
//! sections. Input has already been validated by the scanner and comes as `&str`: the
//! pieces copied out are slices of it cut at ASCII bytes, so nothing is validated again
//! (issue 11); output is appended to a caller-supplied string.

use crate::scan::{parse_reference, Reference};
use memchr::{memchr, memchr3};

/// Resolves the reference whose body starts at `s[0]` (just after `&`); returns the
/// character and the length consumed including the `;`.
fn reference(s: &[u8]) -> (char, usize) {
    // The five predefined entities (most references in XMPP traffic) by their bytes,
    // without a search for the `;` or a call (issue 11).
    match s {
        [b'a', b'm', b'p', b';', ..] => return ('&', 4),
        [b'l', b't', b';', ..] => return ('<', 3),
        [b'g', b't', b';', ..] => return ('>', 3),
        [b'a', b'p', b'o', b's', b';', ..] => return ('\'', 5),
        [b'q', b'u', b'o', b't', b';', ..] => return ('"', 5),
        _ => {}
    }
    let semi = memchr(b';', s).unwrap_or(s.len());
    let c = match parse_reference(&s[..semi]) {
        Ok(Reference::Char(c)) => c,
        // Unreachable for scanner-validated input; keep decoding total anyway.
        Err(_) => char::REPLACEMENT_CHARACTER,
    };
    (c, semi + 1)
}

/// Appends `raw[a..b]`; `a` and `b` are the end of `raw` or indices of ASCII bytes, so
/// always character boundaries (`get` keeps this total all the same).
#[inline(always)]
fn push_part(out: &mut impl Push, raw: &str, a: usize, b: usize) {
    out.push_str(raw.get(a..b).unwrap_or("\u{FFFD}"));
}

/// Where decoded text goes: `String` and `bumpalo::collections::String`.
pub(crate) trait Push {
    fn push_str(&mut self, s: &str);
    fn push(&mut self, c: char);
}

impl Push for String {
    #[inline]
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s)
    }
    #[inline]
    fn push(&mut self, c: char) {
        String::push(self, c)
    }
}

impl Push for bumpalo::collections::String<'_> {
    #[inline]
    fn push_str(&mut self, s: &str) {
        bumpalo::collections::String::push_str(self, s)
    }
    #[inline]
    fn push(&mut self, c: char) {
        bumpalo::collections::String::push(self, c)
    }
}

/// Copies `raw` with CR LF and lone CR turned into LF.
fn push_eol(out: &mut impl Push, raw: &str) {
    let b = raw.as_bytes();
    let mut i = 0;
    while let Some(k) = memchr(b'\r', &b[i..]) {
        push_part(out, raw, i, i + k);
        out.push('\n');
        i += k + 1;
        if b.get(i) == Some(&b'\n') {
            i += 1;
        }
    }
    push_part(out, raw, i, b.len());
}

/// Decodes a raw text run (character data, references and CDATA sections).
pub(crate) fn decode_text(text: &str, out: &mut impl Push) {
    let raw = text.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        match memchr3(b'&', b'\r', b'<', &raw[i..]) {
            None => {
                push_part(out, text, i, raw.len());
                break;
            }
            Some(k) => {
                push_part(out, text, i, i + k);
                i += k;
                match raw[i] {
                    b'&' => {
                        let (c, n) = reference(&raw[i + 1..]);
                        out.push(c);
                        i += 1 + n;
                    }
                    b'\r' => {
                        out.push('\n');
                        i += 1;
                        if raw.get(i) == Some(&b'\n') {
                            i += 1;
                        }
                    }
                    _ => {
                        // "<![CDATA[" ... "]]>"
                        let body = i + 9;
                        let close = memchr::memmem::find(&raw[body.min(raw.len())..], b"]]>")
                            .map_or(raw.len(), |k| body + k);
                        push_eol(out, text.get(body.min(close)..close).unwrap_or(""));
                        i = close + 3;
                    }
                }
            }
        }
    }
}

/// Decodes a raw attribute value: references resolved, TAB/LF/CR (and CR LF) become one
/// space each; characters from character references are kept as they are.
pub(crate) fn decode_attr(value: &str, out: &mut impl Push) {
    let raw = value.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        let next = raw[i..]
            .iter()
            .position(|&b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'));
        match next {
            None => {
                push_part(out, value, i, raw.len());
                break;
            }
            Some(k) => {
                push_part(out, value, i, i + k);
                i += k;
                match raw[i] {
                    b'&' => {
                        let (c, n) = reference(&raw[i + 1..]);
                        out.push(c);
                        i += 1 + n;
                    }
                    b'\r' => {
                        out.push(' ');
                        i += 1;
                        if raw.get(i) == Some(&b'\n') {
                            i += 1;
                        }
                    }
                    _ => {
                        out.push(' ');
                        i += 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(raw: &str) -> String {
        let mut s = String::new();
        decode_text(raw, &mut s);
        s
    }

    fn attr(raw: &str) -> String {
        let mut s = String::new();
        decode_attr(raw, &mut s);
        s
    }

    #[test]
    fn text_decoding() {
        assert_eq!(text("a &amp; b"), "a & b");
        assert_eq!(text("&lt;&gt;&quot;&apos;&#65;&#x42;"), "<>\"'AB");
        assert_eq!(text("x\r\ny\rz\n"), "x\ny\nz\n");
        assert_eq!(text("a<![CDATA[<&>\r\n]]>b"), "a<&>\nb");
        assert_eq!(text("<![CDATA[]]>"), "");
        assert_eq!(text("&#13;&#10;"), "\r\n");
        assert_eq!(text("é&#x1F600;"), "é\u{1F600}");
    }

    #[test]
    fn attr_normalisation() {
        assert_eq!(attr("a\tb\nc\r\nd\re"), "a b c d e");
        assert_eq!(attr("&#9;&#10;&#13;"), "\t\n\r");
        assert_eq!(attr("&amp;x&lt;"), "&x<");
        assert_eq!(attr("  two  spaces "), "  two  spaces ");
    }
}

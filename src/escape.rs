//! Escaping text and attribute values for writing XML: what the writer, owned stanzas'
//! reduced headers and the minidom bridge all use.

const REPLACEMENT: &str = "\u{FFFD}";

/// Where escaped text goes: a byte buffer (the writer) or a `String` (owned stanzas).
pub(crate) trait Out {
    fn put(&mut self, s: &str);
}

impl Out for Vec<u8> {
    fn put(&mut self, s: &str) {
        self.extend_from_slice(s.as_bytes());
    }
}

impl Out for String {
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

fn escape(out: &mut impl Out, s: &str, attr: bool) {
    let b = s.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let (rep, len): (&str, usize) = match c {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' if !attr => ("&gt;", 1),
            b'\'' if attr => ("&apos;", 1),
            b'"' if attr => ("&quot;", 1),
            b'\t' if attr => ("&#9;", 1),
            b'\n' if attr => ("&#xA;", 1),
            b'\r' => ("&#xD;", 1),
            b'\t' | b'\n' => {
                i += 1;
                continue;
            }
            0x00..=0x1F => (REPLACEMENT, 1),
            // U+FFFE and U+FFFF are not XML characters.
            0xEF if b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)) => {
                (REPLACEMENT, 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        // `last` and `i` are at character boundaries: after an ASCII byte or a whole
        // U+FFFE/U+FFFF, and before one.
        out.put(s.get(last..i).unwrap_or(""));
        out.put(rep);
        i += len;
        last = i;
    }
    out.put(s.get(last..).unwrap_or(""));
}

/// [`escape_attr`] into any [`Out`].
pub(crate) fn escape_attr_into(out: &mut impl Out, s: &str) {
    escape(out, s, true)
}

/// Appends `s` as character data: `&`, `<` and `>` escaped, CR written as `&#xD;` (so
/// that it survives end-of-line normalisation); characters XML does not allow (control
/// characters other than TAB, LF and CR; U+FFFE; U+FFFF) are replaced by U+FFFD.
///
/// ```
/// let mut out = Vec::new();
/// xmpp_stream::xmpp::escape_text(&mut out, "a < b && c > d\r\n]]>");
/// assert_eq!(out, b"a &lt; b &amp;&amp; c &gt; d&#xD;\n]]&gt;");
/// ```
pub fn escape_text(out: &mut Vec<u8>, s: &str) {
    escape(out, s, false)
}

/// Appends `s` as an attribute value to be quoted with `'` or `"`: `&`, `<`, `'` and `"`
/// escaped, TAB, LF and CR written as character references (so that they survive
/// attribute-value normalisation); characters XML does not allow are replaced by U+FFFD.
///
/// ```
/// let mut out = Vec::new();
/// xmpp_stream::xmpp::escape_attr(&mut out, "it's \"<&>\"\t\n");
/// assert_eq!(out, b"it&apos;s &quot;&lt;&amp;>&quot;&#9;&#xA;");
/// ```
pub fn escape_attr(out: &mut Vec<u8>, s: &str) {
    escape(out, s, true)
}

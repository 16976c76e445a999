//! Character classes of XML 1.0 (fifth edition) and strict UTF-8 decoding. Pure functions
//! and lookup tables; nothing here knows about tokens or streams.

/// Byte-class bits of [`CLASS`], for the ASCII range and the lead bytes of UTF-8.
pub(crate) const NAME_START: u8 = 1;
/// Byte may continue a Name (ASCII only; non-ASCII is decided by [`is_name_char`]).
pub(crate) const NAME: u8 = 2;
/// Byte is ordinary character data: no special meaning in text (not `<`, `&`, `>`, CR,
/// a forbidden control character, or a non-ASCII byte).
pub(crate) const TEXT: u8 = 4;
/// Byte is ordinary in an attribute value (as [`TEXT`], and also not a quote, TAB or LF;
/// `>` is ordinary there).
pub(crate) const ATTR: u8 = 8;
/// Byte is whitespace (`S ::= (#x20 | #x9 | #xD | #xA)+`).
pub(crate) const WS: u8 = 16;
/// Byte may appear in the body of a reference before its `;` (name characters, `#`, and
/// non-ASCII bytes, whose validity is checked when the reference is complete).
pub(crate) const REF: u8 = 32;
/// Byte is ordinary inside a CDATA section (not `]`, CR, a control character or non-ASCII).
pub(crate) const CDATA: u8 = 64;

const fn build_class() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        let mut v = 0u8;
        let name_start = c.is_ascii_alphabetic() || c == b'_' || c == b':';
        let name = name_start || c.is_ascii_digit() || c == b'-' || c == b'.';
        if name_start {
            v |= NAME_START;
        }
        if name {
            v |= NAME | REF;
        }
        if c == b'#' || c >= 0x80 {
            v |= REF;
        }
        let ws = c == b' ' || c == b'\t' || c == b'\n' || c == b'\r';
        if ws {
            v |= WS;
        }
        // Ordinary ASCII characters: TAB, LF, and 0x20..0x7F.
        let plain = c == b'\t' || c == b'\n' || (c >= 0x20 && c < 0x80);
        if plain && c != b'<' && c != b'&' && c != b'>' {
            v |= TEXT;
        }
        if plain && c != b'<' && c != b'&' && c != b'"' && c != b'\'' && c != b'\t' && c != b'\n' {
            v |= ATTR;
        }
        if plain && c != b']' {
            v |= CDATA;
        }
        t[b] = v;
        b += 1;
    }
    t
}

/// Per-byte class bits (see the constants above).
pub(crate) static CLASS: [u8; 256] = build_class();

#[inline(always)]
pub(crate) fn class(b: u8) -> u8 {
    CLASS[b as usize]
}

#[inline(always)]
pub(crate) fn is_ws(b: u8) -> bool {
    class(b) & WS != 0
}

/// `Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`
#[inline]
pub(crate) fn is_char(c: u32) -> bool {
    matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// `NameStartChar ::= ":" | [A-Z] | "_" | [a-z] | [#xC0-#xD6] | [#xD8-#xF6] |
/// [#xF8-#x2FF] | [#x370-#x37D] | [#x37F-#x1FFF] | [#x200C-#x200D] | [#x2070-#x218F] |
/// [#x2C00-#x2FEF] | [#x3001-#xD7FF] | [#xF900-#xFDCF] | [#xFDF0-#xFFFD] | [#x10000-#xEFFFF]`
#[inline]
pub(crate) fn is_name_start_char(c: u32) -> bool {
    if c < 0x80 {
        return class(c as u8) & NAME_START != 0;
    }
    matches!(c,
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x2FF | 0x370..=0x37D | 0x37F..=0x1FFF
        | 0x200C..=0x200D | 0x2070..=0x218F | 0x2C00..=0x2FEF | 0x3001..=0xD7FF
        | 0xF900..=0xFDCF | 0xFDF0..=0xFFFD | 0x10000..=0xEFFFF)
}

/// `NameChar ::= NameStartChar | "-" | "." | [0-9] | #xB7 | [#x0300-#x036F] | [#x203F-#x2040]`
#[inline]
pub(crate) fn is_name_char(c: u32) -> bool {
    if c < 0x80 {
        return class(c as u8) & NAME != 0;
    }
    is_name_start_char(c)
        || c == 0xB7
        || (0x300..=0x36F).contains(&c)
        || (0x203F..=0x2040).contains(&c)
}

/// Result of decoding one UTF-8 sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Utf8 {
    /// A scalar value and the number of bytes it took.
    Char(u32, usize),
    /// The bytes seen so far are a valid prefix of a sequence, but it is cut short.
    Incomplete,
    /// Not UTF-8 (overlong, surrogate, above U+10FFFF, stray continuation, or bad lead).
    Invalid,
}

/// Decodes the UTF-8 sequence at the start of `s` (which must not be empty) strictly:
/// RFC 3629 well-formed sequences only.
#[inline(always)]
pub(crate) fn decode_utf8(s: &[u8]) -> Utf8 {
    let b0 = s[0];
    if b0 < 0x80 {
        return Utf8::Char(b0 as u32, 1);
    }
    // (length, range allowed for the second byte)
    let (len, lo, hi) = match b0 {
        0xC2..=0xDF => (2, 0x80, 0xBF),
        0xE0 => (3, 0xA0, 0xBF),
        0xE1..=0xEC | 0xEE..=0xEF => (3, 0x80, 0xBF),
        0xED => (3, 0x80, 0x9F),
        0xF0 => (4, 0x90, 0xBF),
        0xF1..=0xF3 => (4, 0x80, 0xBF),
        0xF4 => (4, 0x80, 0x8F),
        _ => return Utf8::Invalid,
    };
    let mut c = (b0 as u32) & (0x7F >> len);
    for i in 1..len {
        let Some(&b) = s.get(i) else {
            return Utf8::Incomplete;
        };
        let (l, h) = if i == 1 { (lo, hi) } else { (0x80, 0xBF) };
        if b < l || b > h {
            return Utf8::Invalid;
        }
        c = (c << 6) | (b as u32 & 0x3F);
    }
    Utf8::Char(c, len)
}

/// Whether `s` (complete, UTF-8 checked or not) matches the `Name` production.
/// Returns `Err(index)` of the first offending byte; invalid UTF-8 is reported the same way.
pub(crate) fn check_name(s: &[u8]) -> Result<(), usize> {
    let mut i = 0;
    while i < s.len() {
        let (c, len) = match decode_utf8(&s[i..]) {
            Utf8::Char(c, l) => (c, l),
            _ => return Err(i),
        };
        let ok = if i == 0 {
            is_name_start_char(c)
        } else {
            is_name_char(c)
        };
        if !ok {
            return Err(i);
        }
        i += len;
    }
    if s.is_empty() {
        Err(0)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_decoding_matches_std_on_every_short_sequence() {
        // Exhaustive over 1- and 2-byte inputs, sampled over 3- and 4-byte ones.
        let mut buf = [0u8; 4];
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                buf[0] = a;
                buf[1] = b;
                check_against_std(&buf[..2]);
                check_against_std(&buf[..1]);
                for c in [0x00u8, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0] {
                    buf[2] = c;
                    check_against_std(&buf[..3]);
                    buf[3] = 0xB0;
                    check_against_std(&buf[..4]);
                }
            }
        }
    }

    fn check_against_std(s: &[u8]) {
        let got = decode_utf8(s);
        let valid_len = (1..=s.len()).find(|&n| std::str::from_utf8(&s[..n]).is_ok());
        match got {
            Utf8::Char(c, n) => {
                assert_eq!(Some(n), valid_len, "{s:x?}");
                let ch = std::str::from_utf8(&s[..n])
                    .unwrap()
                    .chars()
                    .next()
                    .unwrap();
                assert_eq!(ch as u32, c);
            }
            Utf8::Incomplete => {
                assert_eq!(valid_len, None, "{s:x?}");
                let e = std::str::from_utf8(s).unwrap_err();
                assert!(e.error_len().is_none(), "std says invalid: {s:x?}");
            }
            Utf8::Invalid => {
                // std must agree that the first character is broken, not just cut short.
                let e = std::str::from_utf8(s).unwrap_err();
                assert_eq!(e.valid_up_to(), 0, "{s:x?}");
                assert!(e.error_len().is_some(), "{s:x?}");
            }
        }
    }

    #[test]
    fn char_production() {
        assert!(is_char(0x9) && is_char(0xA) && is_char(0xD) && is_char(0x20));
        assert!(!is_char(0x0) && !is_char(0x1F) && !is_char(0xFFFE) && !is_char(0xFFFF));
        assert!(!is_char(0xD800) && is_char(0x10FFFF) && !is_char(0x110000));
    }

    #[test]
    fn names() {
        assert!(check_name(b"stream:stream").is_ok());
        assert!(check_name("é-1.x".as_bytes()).is_ok());
        assert_eq!(check_name(b"1abc"), Err(0));
        assert_eq!(check_name(b"a b"), Err(1));
        assert_eq!(check_name(b""), Err(0));
        assert!(check_name("a\u{B7}\u{300}".as_bytes()).is_ok());
        assert!(check_name("\u{B7}".as_bytes()).is_err());
        assert!(check_name("\u{10000}".as_bytes()).is_ok());
        assert!(check_name("\u{F0000}".as_bytes()).is_err());
    }

    #[test]
    fn classes() {
        assert!(class(b'<') & TEXT == 0 && class(b'a') & TEXT != 0);
        assert!(class(b'>') & TEXT == 0 && class(b'>') & ATTR != 0);
        assert!(class(b'\r') & TEXT == 0 && class(b'\r') & ATTR == 0);
        assert!(class(0x80) & (TEXT | ATTR | NAME) == 0 && class(0x80) & REF != 0);
        assert!(class(b']') & CDATA == 0 && class(b']') & TEXT != 0);
        assert!(is_ws(b'\r') && !is_ws(0x0C));
    }
}

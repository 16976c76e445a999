//! Entity and character references (XML 1.0 section 4.1): the machine that reads one
//! (`&` to `;`, in text or in an attribute value), validating a complete reference body,
//! and computing the character it stands for.

use super::attribute::Attr;
use super::{Flow, Scanner, St};
use crate::chars::{check_name, class, is_char, REF};
use crate::error::{err, Error, ErrorKind};

/// End of input inside a reference.
pub(super) const REF_EOF: ErrorKind = ErrorKind::UnexpectedEof;

impl Scanner {
    /// [`St::Ref`]: the body of the reference whose `&` is at `ref_start`, up to its `;`;
    /// then back to the text or the attribute value it is in.
    #[inline(always)]
    pub(super) fn reference(
        &mut self,
        buf: &[u8],
        i: &mut usize,
        end: usize,
    ) -> Result<Flow, Error> {
        while *i < end && class(buf[*i]) & REF != 0 {
            *i += 1;
        }
        let body_start = self.ref_start + 1;
        self.check_name_len(body_start, *i)?;
        if *i >= end {
            return Ok(Flow::More(St::Ref));
        }
        if buf[*i] != b';' {
            return err(ErrorKind::MalformedReference, self.ref_start);
        }
        if let Err(kind) = parse_reference(&buf[body_start..*i]) {
            return err(kind, self.ref_start);
        }
        *i += 1;
        Ok(Flow::Go(if self.ref_in_attr {
            Attr::Value.st()
        } else {
            St::Text
        }))
    }
}

/// What a syntactically valid, allowed reference stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reference {
    /// A character reference or one of the five predefined entities.
    Char(char),
}

/// Parses the body of a reference (the bytes between `&` and `;`).
///
/// `CharRef ::= '&#' [0-9]+ ';' | '&#x' [0-9a-fA-F]+ ';'` (the character must match
/// `Char`), `EntityRef ::= '&' Name ';'` restricted to `amp`, `lt`, `gt`, `quot`, `apos`
/// (RFC 6120 section 11.1; other well-formed names are [`ErrorKind::EntityReference`]).
pub(crate) fn parse_reference(body: &[u8]) -> Result<Reference, ErrorKind> {
    match body {
        b"amp" => return Ok(Reference::Char('&')),
        b"lt" => return Ok(Reference::Char('<')),
        b"gt" => return Ok(Reference::Char('>')),
        b"quot" => return Ok(Reference::Char('"')),
        b"apos" => return Ok(Reference::Char('\'')),
        _ => {}
    }
    if let Some(digits) = body.strip_prefix(b"#") {
        let (digits, radix) = match digits.strip_prefix(b"x") {
            Some(hex) => (hex, 16),
            None => (digits, 10),
        };
        if digits.is_empty() {
            return Err(ErrorKind::MalformedReference);
        }
        let mut value: u32 = 0;
        for &d in digits {
            let v = match (d as char).to_digit(radix) {
                Some(v) => v,
                None => return Err(ErrorKind::MalformedReference),
            };
            // Saturate well above U+10FFFF so that long runs of leading zeros stay exact
            // and huge values stay invalid.
            value = value
                .saturating_mul(radix)
                .saturating_add(v)
                .min(0x0100_0000);
        }
        return match char::from_u32(value) {
            Some(c) if is_char(value) => Ok(Reference::Char(c)),
            _ => Err(ErrorKind::InvalidCharReference),
        };
    }
    match check_name(body) {
        Ok(()) => Err(ErrorKind::EntityReference),
        Err(_) => Err(ErrorKind::MalformedReference),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> char {
        match parse_reference(body.as_bytes()) {
            Ok(Reference::Char(c)) => c,
            Err(e) => panic!("{body}: {e:?}"),
        }
    }

    #[test]
    fn predefined_and_char_refs() {
        assert_eq!(ok("amp"), '&');
        assert_eq!(ok("lt"), '<');
        assert_eq!(ok("gt"), '>');
        assert_eq!(ok("quot"), '"');
        assert_eq!(ok("apos"), '\'');
        assert_eq!(ok("#65"), 'A');
        assert_eq!(ok("#x41"), 'A');
        assert_eq!(ok("#x1F600"), '\u{1F600}');
        assert_eq!(ok("#0000000000000000065"), 'A');
        assert_eq!(ok("#9"), '\t');
        assert_eq!(ok("#13"), '\r');
    }

    #[test]
    fn rejected_refs() {
        use ErrorKind::*;
        let cases: &[(&str, ErrorKind)] = &[
            ("", MalformedReference),
            ("#", MalformedReference),
            ("#x", MalformedReference),
            ("#X41", MalformedReference),
            ("#12a", MalformedReference),
            ("#xG", MalformedReference),
            ("#0", InvalidCharReference),
            ("#x1", InvalidCharReference),
            ("#xD800", InvalidCharReference),
            ("#xFFFE", InvalidCharReference),
            ("#x110000", InvalidCharReference),
            ("#99999999999999999999", InvalidCharReference),
            ("nbsp", EntityReference),
            ("AMP", EntityReference),
            ("1a", MalformedReference),
            ("a b", MalformedReference),
        ];
        for (body, want) in cases {
            assert_eq!(parse_reference(body.as_bytes()), Err(*want), "{body:?}");
        }
    }
}

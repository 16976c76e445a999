//! The document's start and its XML declaration (XML 1.0 sections 2.8 and 4.3.3): the
//! encoding sniffing of the first bytes, the machine that reads a declaration up to its
//! `?>`, and validating one complete `<?xml ... ?>`.

use super::{Flow, Scanner, Sink, St};
use crate::chars::is_ws;
use crate::error::{err, Error, ErrorKind};

/// End of input inside an XML declaration.
pub(super) const DECL_EOF: ErrorKind = ErrorKind::UnexpectedEof;

impl Scanner {
    /// [`St::Start`]: the document's first byte (after a restart: its first byte that is
    /// not whitespace). A UTF-8 BOM is restricted; UTF-16 and UTF-32 (by BOM, or by a
    /// zero byte beside the first '<') are unsupported encodings.
    #[inline(never)]
    pub(super) fn start<S: Sink>(
        &mut self,
        buf: &[u8],
        i: &mut usize,
        end: &mut usize,
        _sink: &mut S,
    ) -> Result<Flow, Error> {
        let end = *end;
        if self.restarted {
            while *i < end && is_ws(buf[*i]) {
                *i += 1;
            }
        }
        if *i >= end {
            return Ok(Flow::More(St::Start));
        }
        let avail = &buf[*i..end.min(*i + 3)];
        // The common start: `<` and a byte that is not NUL (no signature below begins so),
        // decided without the five comparisons (each a `memcmp` call; a WebSocket message
        // is a document: one start per message).
        if let [b'<', b1, ..] = *avail {
            if b1 != 0 {
                self.decl_ok = true;
                return Ok(Flow::Go(St::Text));
            }
        }
        let sniff: [(&[u8], ErrorKind); 5] = [
            (b"\xEF\xBB\xBF", ErrorKind::ByteOrderMark),
            (b"\xFE\xFF", ErrorKind::UnsupportedEncoding),
            (b"\xFF\xFE", ErrorKind::UnsupportedEncoding),
            (b"\x00", ErrorKind::UnsupportedEncoding),
            (b"<\x00", ErrorKind::UnsupportedEncoding),
        ];
        for (sig, kind) in sniff {
            let n = avail.len().min(sig.len());
            if avail[..n] == sig[..n] {
                if n < sig.len() {
                    return Ok(Flow::More(St::Start));
                }
                return err(kind, *i);
            }
        }
        self.decl_ok = buf[*i] == b'<';
        Ok(Flow::Go(St::Text))
    }

    /// [`St::Decl`]: inside `<?xml ` (at `lt`), up to `?>`; then the whole declaration is
    /// checked and handed to the sink.
    #[inline(never)]
    pub(super) fn decl<S: Sink>(
        &mut self,
        buf: &[u8],
        i: &mut usize,
        end: &mut usize,
        sink: &mut S,
    ) -> Result<Flow, Error> {
        loop {
            let Some(k) = memchr::memchr3(b'?', b'>', b'<', &buf[*i..*end]) else {
                *i = *end;
                return Ok(Flow::More(St::Decl));
            };
            let q = *i + k;
            if buf[q] != b'?' {
                return err(ErrorKind::MalformedXmlDeclaration, self.lt);
            }
            if q + 1 >= *end {
                *i = q;
                return Ok(Flow::More(St::Decl));
            }
            if buf[q + 1] != b'>' {
                *i = q + 1;
                continue;
            }
            *i = q + 2;
            if let Err((kind, at)) = check_xml_decl(&buf[self.lt..*i]) {
                return err(kind, self.lt + at);
            }
            sink.declaration(self.lt, *i);
            self.set_context(sink.context());
            *end = buf.len().min(sink.horizon());
            return Ok(Flow::Go(St::Text));
        }
    }
}

/// Checks a complete XML declaration, `decl` running from `<?xml` to `?>` inclusive.
///
/// ```text
/// XMLDecl      ::= '<?xml' VersionInfo EncodingDecl? SDDecl? S? '?>'
/// VersionInfo  ::= S 'version' Eq ("'" VersionNum "'" | '"' VersionNum '"')
/// VersionNum   ::= '1.' [0-9]+
/// EncodingDecl ::= S 'encoding' Eq ('"' EncName '"' | "'" EncName "'")
/// EncName      ::= [A-Za-z] ([A-Za-z0-9._] | '-')*
/// SDDecl       ::= S 'standalone' Eq (("'" ('yes' | 'no') "'") | ('"' ('yes' | 'no') '"'))
/// ```
///
/// An encoding other than UTF-8 (compared case-insensitively) is
/// [`ErrorKind::UnsupportedEncoding`], reported at the encoding name's first byte; anything
/// else wrong is [`ErrorKind::MalformedXmlDeclaration`], reported at the declaration's `<`.
/// Invalid UTF-8 is [`ErrorKind::InvalidUtf8`] at the first bad byte. The error carries
/// its offset within `decl`.
pub(crate) fn check_xml_decl(decl: &[u8]) -> Result<(), (ErrorKind, usize)> {
    check(decl).map_err(|(kind, at)| match kind {
        ErrorKind::UnsupportedEncoding => (kind, at + 5),
        ErrorKind::InvalidUtf8 => (kind, at),
        _ => (kind, 0),
    })
}

fn check(decl: &[u8]) -> Result<(), (ErrorKind, usize)> {
    if let Err(e) = core::str::from_utf8(decl) {
        return Err((ErrorKind::InvalidUtf8, e.valid_up_to()));
    }
    let bad = (ErrorKind::MalformedXmlDeclaration, 0);
    let inner = decl
        .strip_prefix(b"<?xml")
        .and_then(|d| d.strip_suffix(b"?>"))
        .ok_or(bad)?;
    let mut c = Cursor { s: inner, i: 0 };
    if !c.ws() {
        return Err(bad);
    }
    let version = c.pseudo_attr(b"version").ok_or(bad)?;
    let valid_version = version.len() > 2
        && version.starts_with(b"1.")
        && version[2..].iter().all(u8::is_ascii_digit);
    if !valid_version {
        return Err(bad);
    }
    let mut had_ws = c.ws();
    if had_ws && c.peek_word(b"encoding") {
        let enc = c.pseudo_attr(b"encoding").ok_or(bad)?;
        let valid_name = enc.first().is_some_and(u8::is_ascii_alphabetic)
            && enc
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !valid_name {
            return Err(bad);
        }
        if !enc.eq_ignore_ascii_case(b"utf-8") {
            return Err((ErrorKind::UnsupportedEncoding, c.i - 1 - enc.len()));
        }
        had_ws = c.ws();
    }
    if had_ws && c.peek_word(b"standalone") {
        let sd = c.pseudo_attr(b"standalone").ok_or(bad)?;
        if sd != b"yes" && sd != b"no" {
            return Err(bad);
        }
        c.ws();
    }
    if c.i == inner.len() {
        Ok(())
    } else {
        Err(bad)
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    /// Skips whitespace; says whether there was any.
    fn ws(&mut self) -> bool {
        let start = self.i;
        while self.i < self.s.len() && is_ws(self.s[self.i]) {
            self.i += 1;
        }
        self.i > start
    }

    fn peek_word(&self, w: &[u8]) -> bool {
        self.s[self.i..].starts_with(w)
    }

    /// `name Eq quoted-value`, returning the value.
    fn pseudo_attr(&mut self, name: &[u8]) -> Option<&'a [u8]> {
        if !self.peek_word(name) {
            return None;
        }
        self.i += name.len();
        self.ws();
        if self.s.get(self.i) != Some(&b'=') {
            return None;
        }
        self.i += 1;
        self.ws();
        let q = *self.s.get(self.i)?;
        if q != b'"' && q != b'\'' {
            return None;
        }
        let start = self.i + 1;
        let len = self.s[start..].iter().position(|&b| b == q)?;
        self.i = start + len + 1;
        Some(&self.s[start..start + len])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted() {
        for d in [
            "<?xml version='1.0'?>",
            "<?xml version=\"1.0\" ?>",
            "<?xml version = '1.0' encoding = 'UTF-8' standalone = 'yes' ?>",
            "<?xml version='1.0' encoding='utf-8'?>",
            "<?xml version='1.0' standalone='no'?>",
            "<?xml\tversion='1.1'?>",
        ] {
            assert_eq!(check_xml_decl(d.as_bytes()), Ok(()), "{d}");
        }
    }

    #[test]
    fn unsupported_encoding_points_at_the_name() {
        let d = "<?xml version='1.0' encoding='latin1'?>";
        assert_eq!(
            check_xml_decl(d.as_bytes()),
            Err((ErrorKind::UnsupportedEncoding, 30))
        );
        assert_eq!(
            check_xml_decl(b"<?xml?>"),
            Err((ErrorKind::MalformedXmlDeclaration, 0))
        );
    }

    #[test]
    fn rejected() {
        let bad = ErrorKind::MalformedXmlDeclaration;
        for (d, want) in [
            ("<?xml?>", bad),
            ("<?xml ?>", bad),
            ("<?xml encoding='UTF-8'?>", bad),
            ("<?xml version='1.0'encoding='UTF-8'?>", bad),
            ("<?xml version='2.0'?>", bad),
            ("<?xml version='1.'?>", bad),
            ("<?xml version='1.0\"?>", bad),
            ("<?xml version='1.0' standalone='maybe'?>", bad),
            (
                "<?xml version='1.0' standalone='yes' encoding='UTF-8'?>",
                bad,
            ),
            ("<?xml version='1.0' encoding='_UTF-8'?>", bad),
            ("<?xml version='1.0' foo='bar'?>", bad),
            (
                "<?xml version='1.0' encoding='ISO-8859-1'?>",
                ErrorKind::UnsupportedEncoding,
            ),
            (
                "<?xml version='1.0' encoding='UTF-16'?>",
                ErrorKind::UnsupportedEncoding,
            ),
        ] {
            assert_eq!(
                check_xml_decl(d.as_bytes()).map_err(|e| e.0),
                Err(want),
                "{d}"
            );
        }
    }
}

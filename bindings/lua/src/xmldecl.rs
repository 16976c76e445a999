//! The XML declaration's pseudo-attributes, for the `XmlDecl` callback. The parser has
//! already checked the declaration against the `XMLDecl` production (and rejected any
//! encoding but UTF-8), so this only splits it.

/// `version`, `encoding` and `standalone` of an XML declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XmlDecl<'a> {
    pub version: &'a [u8],
    pub encoding: Option<&'a [u8]>,
    pub standalone: Option<bool>,
    /// Bytes from `<?xml` to `?>` inclusive.
    pub len: usize,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Reads the declaration at the start of `prolog`, if there is one.
pub(crate) fn parse(prolog: &[u8]) -> Option<XmlDecl<'_>> {
    let rest = prolog.strip_prefix(b"<?xml")?;
    if !rest.first().copied().is_some_and(is_space) {
        return None;
    }
    let end = memchr::memmem::find(rest, b"?>")?;
    let mut body = &rest[..end];
    let mut decl = XmlDecl {
        version: b"",
        encoding: None,
        standalone: None,
        len: 5 + end + 2,
    };
    loop {
        while let [b, tail @ ..] = body {
            if !is_space(*b) {
                break;
            }
            body = tail;
        }
        if body.is_empty() {
            break;
        }
        let eq = memchr::memchr(b'=', body)?;
        let name = body[..eq].trim_ascii_end();
        let after = body[eq + 1..].trim_ascii_start();
        let quote = *after.first()?;
        let close = memchr::memchr(quote, &after[1..])?;
        let value = &after[1..1 + close];
        match name {
            b"version" => decl.version = value,
            b"encoding" => decl.encoding = Some(value),
            b"standalone" => decl.standalone = Some(value == b"yes"),
            _ => return None,
        }
        body = &after[close + 2..];
    }
    Some(decl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_pseudo_attributes() {
        let d = parse(b"<?xml version='1.0' encoding=\"UTF-8\" standalone='no' ?><a/>").unwrap();
        assert_eq!(d.version, b"1.0");
        assert_eq!(d.encoding, Some(&b"UTF-8"[..]));
        assert_eq!(d.standalone, Some(false));
        assert_eq!(d.len, 55);
        let d = parse(b"<?xml version = '1.0'?>").unwrap();
        assert_eq!(
            (d.version, d.encoding, d.standalone, d.len),
            (&b"1.0"[..], None, None, 23)
        );
    }

    #[test]
    fn no_declaration() {
        assert_eq!(parse(b"<stream:stream>"), None);
        assert_eq!(parse(b"<?xml-stylesheet a='b'?>"), None);
        assert_eq!(parse(b"<?xml version='1.0'"), None);
    }
}

//! The harness step of the `restricted_nodoctype` manifest column: cut out a document type
//! declaration that only declares elements. Such a DOCTYPE (no external ID; an internal
//! subset of nothing but `<!ELEMENT>` declarations, comments and whitespace) changes
//! nothing in canonical form 1: it declares no attribute defaults, entities or notations.

/// `doc` with its DOCTYPE declaration removed (the bytes from `<!DOCTYPE` to its closing
/// `>`; surrounding whitespace is kept). `None` if the prolog has no DOCTYPE, or if the
/// DOCTYPE is not one that may be cut (external ID, or anything but element declarations,
/// comments and whitespace in its internal subset), or if it is not terminated.
///
/// The prolog is walked item by item (XML declaration and PIs `<?...?>`, comments
/// `<!--...-->`, whitespace), so a `<!DOCTYPE` inside a comment or PI is never taken for
/// the declaration, and comments in the internal subset may contain `]` and `>`.
pub fn cut_element_only_doctype(doc: &[u8]) -> Option<Vec<u8>> {
    let start = find_doctype(doc)?;
    let end = doctype_end(doc, start)?;
    let mut out = Vec::with_capacity(doc.len() - (end - start));
    out.extend_from_slice(&doc[..start]);
    out.extend_from_slice(&doc[end..]);
    Some(out)
}

/// Offset of the `<` of the prolog's `<!DOCTYPE`, if the prolog has one.
fn find_doctype(doc: &[u8]) -> Option<usize> {
    let mut pos = 0;
    loop {
        pos = skip_space(doc, pos);
        let rest = &doc[pos..];
        if rest.starts_with(b"<!DOCTYPE") {
            return Some(pos);
        } else if rest.starts_with(b"<?") {
            pos = after(doc, pos + 2, b"?>")?;
        } else if rest.starts_with(b"<!--") {
            pos = after(doc, pos + 4, b"-->")?;
        } else {
            // The root element, end of input, or something this harness does not cut.
            return None;
        }
    }
}

/// Offset just past the `>` closing the DOCTYPE that starts at `start`, if it may be cut.
///
/// ```text
/// doctypedecl ::= '<!DOCTYPE' S Name (S ExternalID)? S? ('[' intSubset ']' S?)? '>'
/// ```
fn doctype_end(doc: &[u8], start: usize) -> Option<usize> {
    let mut pos = start + b"<!DOCTYPE".len();
    let name_start = skip_space(doc, pos);
    if name_start == pos {
        return None;
    }
    pos = name_start;
    while pos < doc.len() && !is_space(doc[pos]) && doc[pos] != b'[' && doc[pos] != b'>' {
        pos += 1;
    }
    if pos == name_start {
        return None;
    }
    pos = skip_space(doc, pos);
    match doc.get(pos)? {
        b'>' => return Some(pos + 1),
        b'[' => pos += 1,
        // `SYSTEM` or `PUBLIC`: an external subset may declare anything.
        _ => return None,
    }
    loop {
        pos = skip_space(doc, pos);
        let rest = &doc[pos..];
        if rest.starts_with(b"]") {
            pos = skip_space(doc, pos + 1);
            return (doc.get(pos) == Some(&b'>')).then_some(pos + 1);
        } else if rest.starts_with(b"<!--") {
            pos = after(doc, pos + 4, b"-->")?;
        } else if rest.starts_with(b"<!ELEMENT") && rest.get(9).is_some_and(|&b| is_space(b)) {
            // A contentspec holds no quoted strings, so the first `>` ends it.
            pos = after(doc, pos + 9, b">")?;
        } else {
            // ATTLIST, ENTITY, NOTATION, PI, PE reference, or garbage.
            return None;
        }
    }
}

/// `S ::= (#x20 | #x9 | #xD | #xA)+`
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn skip_space(doc: &[u8], mut pos: usize) -> usize {
    while pos < doc.len() && is_space(doc[pos]) {
        pos += 1;
    }
    pos
}

/// Offset just past the first `needle` at or after `from`.
fn after(doc: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    doc.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i + needle.len())
}

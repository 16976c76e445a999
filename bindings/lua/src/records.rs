//! Turns the parser's events into lua-expat callback records: the one place that reads the
//! crate's views. Records are written into one byte string per batch of parser events,
//! which the dispatcher (lxp.lua) reads with `string.unpack`: that makes one Lua string
//! per batch instead of a protected Lua API call per name, value and table slot. Each record is a
//! code byte (read with `string.byte`) that names its layout, then one `unpack` with the
//! format of that code (little endian; `s` is a string with a u32 length, `count` the
//! record's byte count, `u32`):
//!
//! | code | record | after the code |
//! |---|---|---|
//! | 1 to 4 | `StartElement` with 0 to 3 attributes | count, name `s`, (name `s`, value `s`) per attribute |
//! | 5 | `StartElement` with more | count, name `s`, n `u32`, (name `s`, value `s`) × n |
//! | 6 | `EndElement` | count, name `s` |
//! | 7 | `CharacterData` | count, text `s` |
//! | 8 | `StartNamespaceDecl` | count, flags `u32` (1: prefix, 2: namespace), prefix or "" `s`, [namespace `s`] |
//! | 9 | `EndNamespaceDecl` | count, flags `u32` (1: prefix), prefix or "" `s` |
//! | 10 | `XmlDecl` | count, flags `u32` (1: encoding, 2: standalone, 4: standalone='yes'), version `s`, [encoding `s`] |

use memchr::memrchr;
use xmpp_stream::{Element, Node, Nodes};

/// Record codes; lxp.lua maps them to callback names.
/// `START_ELEMENT + n` for n attributes up to `INLINE_ATTRS`.
pub(crate) const START_ELEMENT: u8 = 1;
pub(crate) const INLINE_ATTRS: usize = 3;
pub(crate) const START_ELEMENT_N: u8 = 5;
pub(crate) const END_ELEMENT: u8 = 6;
pub(crate) const CHARACTER_DATA: u8 = 7;
pub(crate) const START_NAMESPACE_DECL: u8 = 8;
pub(crate) const END_NAMESPACE_DECL: u8 = 9;
pub(crate) const XML_DECL: u8 = 10;

/// Which callbacks the callback table had when the parser was made (lua-expat installs
/// an expat handler only for those, so only those produce records).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Wants {
    pub elements: bool,
    pub chars: bool,
    pub ns_decls: bool,
    pub xml_decl: bool,
}

impl Wants {
    pub(crate) fn from_bits(bits: u32) -> Wants {
        Wants {
            elements: bits & 1 != 0,
            chars: bits & 2 != 0,
            ns_decls: bits & 4 != 0,
            xml_decl: bits & 8 != 0,
        }
    }
}

/// How names are written: `namespace .. sep .. local` (and `.. sep .. prefix` in triplet
/// mode) when there is a separator, the qualified name as written when there is none.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    pub sep: Option<u8>,
    pub triplet: bool,
}

impl Names {
    pub(crate) fn new(sep: Option<u8>) -> Names {
        Names {
            sep,
            triplet: false,
        }
    }

    /// Writes a name as a length-prefixed string.
    fn write(&self, out: &mut Vec<u8>, ns: &str, local: &str, prefix: Option<&str>, qname: &str) {
        let Some(sep) = self.sep else {
            put_str(out, qname.as_bytes());
            return;
        };
        if ns.is_empty() {
            put_str(out, local.as_bytes());
            return;
        }
        let triplet = match (self.triplet, prefix) {
            (true, Some(p)) => Some(p),
            _ => None,
        };
        let len = ns.len() + 1 + local.len() + triplet.map_or(0, |p| 1 + p.len());
        out.extend_from_slice(&(len as u32).to_le_bytes());
        out.extend_from_slice(ns.as_bytes());
        out.push(sep);
        out.extend_from_slice(local.as_bytes());
        if let Some(p) = triplet {
            out.push(sep);
            out.extend_from_slice(p.as_bytes());
        }
    }

    fn element(&self, out: &mut Vec<u8>, e: &Element<'_>) {
        self.write(out, e.ns(), e.local_name(), e.prefix(), e.qname());
    }

    /// The attributes lua-expat passes to `StartElement`, in document order: namespace
    /// declarations are attributes only without namespace processing, as in expat.
    fn attr_list<'a>(&self, e: &Element<'a>) -> xmpp_stream::Attributes<'a> {
        if self.sep.is_some() {
            e.attrs()
        } else {
            e.raw_attrs()
        }
    }

    /// Each attribute's name and its decoded, normalised value.
    fn attrs(&self, out: &mut Vec<u8>, list: xmpp_stream::Attributes<'_>) {
        for a in list {
            self.write(out, a.ns(), a.local_name(), a.prefix(), a.qname());
            put_str(out, a.value().as_bytes());
        }
    }
}

fn put_str(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s);
}

/// The records of one parser event being written.
#[derive(Debug, Default)]
pub(crate) struct Out {
    pub buf: Vec<u8>,
    /// Records written.
    pub records: usize,
    /// Records still to drop instead of writing: the Lua side already has them (see
    /// the document fallback in core.rs).
    pub skip: usize,
}

impl Out {
    /// Starts a record (code and byte count); false when it is to be dropped (then write
    /// nothing more of it).
    fn begin(&mut self, code: u8, count: usize) -> bool {
        if self.skip > 0 {
            self.skip -= 1;
            return false;
        }
        self.records += 1;
        self.buf.push(code);
        self.put_u32(count.min(u32::MAX as usize) as u32);
        true
    }

    fn put_u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn chars(&mut self, text: &[u8], count: usize) {
        if self.begin(CHARACTER_DATA, count) {
            put_str(&mut self.buf, text);
        }
    }

    pub(crate) fn xml_decl(&mut self, d: &crate::xmldecl::XmlDecl<'_>) {
        let flags = u32::from(d.encoding.is_some())
            | match d.standalone {
                None => 0,
                Some(false) => 2,
                Some(true) => 6,
            };
        if self.begin(XML_DECL, d.len) {
            self.put_u32(flags);
            put_str(&mut self.buf, d.version);
            if let Some(e) = d.encoding {
                put_str(&mut self.buf, e);
            }
        }
    }

    fn ns_decls(&mut self, e: &Element<'_>, count: usize) {
        for (prefix, uri) in e.ns_decls() {
            // expat reports an un-declaration (`xmlns=''`) with a nil namespace.
            let uri = (!uri.is_empty()).then_some(uri);
            let flags = u32::from(prefix.is_some()) | (u32::from(uri.is_some()) << 1);
            if self.begin(START_NAMESPACE_DECL, count) {
                self.put_u32(flags);
                put_str(&mut self.buf, prefix.unwrap_or("").as_bytes());
                if let Some(u) = uri {
                    put_str(&mut self.buf, u.as_bytes());
                }
            }
        }
    }

    fn end_ns_decls(&mut self, e: &Element<'_>, count: usize) {
        let prefixes: Vec<Option<&str>> = e.ns_decls().map(|(p, _)| p).collect();
        for p in prefixes.into_iter().rev() {
            if self.begin(END_NAMESPACE_DECL, count) {
                self.put_u32(u32::from(p.is_some()));
                put_str(&mut self.buf, p.unwrap_or("").as_bytes());
            }
        }
    }

    /// `StartNamespaceDecl`s and `StartElement` for an element's start tag of `count`
    /// bytes. Returns the range of the name written, for the `EndElement` (`None` when
    /// nothing was written).
    pub(crate) fn start(
        &mut self,
        wants: Wants,
        names: &Names,
        e: &Element<'_>,
        count: usize,
    ) -> Option<(usize, usize)> {
        if wants.ns_decls && names.sep.is_some() {
            self.ns_decls(e, count);
        }
        if wants.elements {
            let list = names.attr_list(e);
            let n = list.clone().count();
            let code = if n <= INLINE_ATTRS {
                START_ELEMENT + n as u8
            } else {
                START_ELEMENT_N
            };
            if self.begin(code, count) {
                let at = self.buf.len();
                names.element(&mut self.buf, e);
                let name = (at, self.buf.len());
                if n > INLINE_ATTRS {
                    self.put_u32(n as u32);
                }
                names.attrs(&mut self.buf, list);
                return Some(name);
            }
        }
        None
    }

    /// `EndElement` and `EndNamespaceDecl`s for an end tag of `count` bytes; the name
    /// is copied from `name` (a range of this buffer) or written anew.
    pub(crate) fn end(
        &mut self,
        wants: Wants,
        names: &Names,
        e: &Element<'_>,
        name: Option<(usize, usize)>,
        count: usize,
    ) {
        if wants.elements && self.begin(END_ELEMENT, count) {
            match name {
                Some((a, b)) => self.buf.extend_from_within(a..b),
                None => names.element(&mut self.buf, e),
            }
        }
        if wants.ns_decls && names.sep.is_some() {
            self.end_ns_decls(e, count);
        }
    }
}

/// Byte offset of `part` inside `whole` (both borrow the same buffer), clamped so that
/// a view that is not a subslice can never index out of range.
fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize)
        .wrapping_sub(whole.as_ptr() as usize)
        .min(whole.len())
}

/// Where an element's start tag ends and its end tag begins, relative to `raw` (the
/// bytes the element lies in): an empty-element tag is all start tag; otherwise the end
/// tag starts at the last `<` (attribute values and end tags hold none) and the start
/// tag ends where the first child begins (content is only elements and text runs once
/// comments and processing instructions are rejected).
fn tag_bounds(raw: &[u8], e: &Element<'_>) -> (usize, usize, usize) {
    let r = e.raw();
    let s = offset_in(raw, r);
    let end = s + r.len();
    if r.ends_with(b"/>") {
        return (s, end, end);
    }
    let end_tag = s + memrchr(b'<', r).unwrap_or(0);
    let first = e.nodes().next().map(|n| match n {
        Node::Element(c) => offset_in(raw, c.raw()),
        Node::Text(t) => offset_in(raw, t.raw()),
    });
    (s, first.unwrap_or(end_tag), end_tag)
}

struct Frame<'a> {
    el: Element<'a>,
    name: Option<(usize, usize)>,
    nodes: Nodes<'a>,
    end: usize,
}

/// Every record of one complete element (a stanza, or a document's root) whose exact
/// bytes are `raw`. Each record's byte count runs from where the previous one ended, so
/// they add up to `raw.len()`.
pub(crate) fn element_tree(
    out: &mut Out,
    wants: Wants,
    names: &Names,
    root: Element<'_>,
    raw: &[u8],
) {
    let mut cursor = 0usize;
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut next = Some(root);
    loop {
        if let Some(el) = next.take() {
            let (_, tag_end, _) = tag_bounds(raw, &el);
            let end = offset_in(raw, el.raw()) + el.raw().len();
            let name = out.start(wants, names, &el, tag_end.saturating_sub(cursor));
            cursor = cursor.max(tag_end);
            stack.push(Frame {
                el,
                name,
                nodes: el.nodes(),
                end,
            });
        }
        let Some(top) = stack.last_mut() else {
            return;
        };
        match top.nodes.next() {
            Some(Node::Element(c)) => next = Some(c),
            Some(Node::Text(t)) => {
                let t_end = offset_in(raw, t.raw()) + t.raw().len();
                if wants.chars {
                    out.chars(t.as_str().as_bytes(), t_end.saturating_sub(cursor));
                }
                cursor = cursor.max(t_end);
            }
            None => {
                let f = stack.pop().expect("stack is not empty");
                out.end(wants, names, &f.el, f.name, f.end.saturating_sub(cursor));
                cursor = cursor.max(f.end);
            }
        }
    }
}

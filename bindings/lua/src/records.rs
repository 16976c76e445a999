//! Turns the parser's events into lua-expat callback records: the one place that reads the
//! crate's views. A record is five slots of the Lua table the dispatcher (lxp.lua) reads:
//! `code, a, b, c, bytecount`, with `false` standing for `nil` (a table cannot hold nil).

use memchr::memrchr;
use mlua::{Lua, Result, String as LuaString, Table, Value};
use xmpp_stream::{Element, Node, Nodes};

/// Record codes; lxp.lua maps them to callback names.
pub(crate) const START_ELEMENT: i64 = 1;
pub(crate) const END_ELEMENT: i64 = 2;
pub(crate) const CHARACTER_DATA: i64 = 3;
pub(crate) const START_NAMESPACE_DECL: i64 = 4;
pub(crate) const END_NAMESPACE_DECL: i64 = 5;
/// `XmlDecl(version, encoding)` (no standalone pseudo-attribute).
pub(crate) const XML_DECL: i64 = 6;
/// `XmlDecl(version, encoding, standalone)`.
pub(crate) const XML_DECL_STANDALONE: i64 = 7;

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
    buf: Vec<u8>,
}

impl Names {
    pub(crate) fn new(sep: Option<u8>) -> Names {
        Names {
            sep,
            triplet: false,
            buf: Vec::new(),
        }
    }

    fn join(
        &mut self,
        lua: &Lua,
        ns: &str,
        local: &str,
        prefix: Option<&str>,
        qname: &str,
    ) -> Result<LuaString> {
        let Some(sep) = self.sep else {
            return lua.create_string(qname);
        };
        if ns.is_empty() {
            return lua.create_string(local);
        }
        self.buf.clear();
        self.buf.extend_from_slice(ns.as_bytes());
        self.buf.push(sep);
        self.buf.extend_from_slice(local.as_bytes());
        if let (true, Some(p)) = (self.triplet, prefix) {
            self.buf.push(sep);
            self.buf.extend_from_slice(p.as_bytes());
        }
        lua.create_string(&self.buf)
    }

    pub(crate) fn element(&mut self, lua: &Lua, e: &Element<'_>) -> Result<LuaString> {
        self.join(lua, e.ns(), e.local_name(), e.prefix(), e.qname())
    }

    /// The attribute table lua-expat passes to `StartElement`: `t[i]` = the i-th name in
    /// document order, `t[name]` = its decoded value. Namespace declarations are
    /// attributes only without namespace processing, as in expat.
    pub(crate) fn attrs(&mut self, lua: &Lua, e: &Element<'_>) -> Result<Table> {
        let namespaced = self.sep.is_some();
        let list = if namespaced { e.attrs() } else { e.raw_attrs() };
        let n = list.clone().count();
        let t = lua.create_table_with_capacity(n, n)?;
        for (i, a) in list.enumerate() {
            let name = self.join(lua, a.ns(), a.local_name(), a.prefix(), a.qname())?;
            t.raw_set(i + 1, name.clone())?;
            t.raw_set(name, a.value())?;
        }
        Ok(t)
    }
}

/// The record table being filled for one parser event.
pub(crate) struct Out<'l> {
    pub lua: &'l Lua,
    ev: &'l Table,
    /// Slots used.
    pub n: usize,
    /// Slots still to drop instead of filling: records the Lua side already has (see
    /// the document fallback in core.rs).
    pub skip: usize,
}

fn opt_str(lua: &Lua, s: Option<&[u8]>) -> Result<Value> {
    Ok(match s {
        Some(s) => Value::String(lua.create_string(s)?),
        None => Value::Boolean(false),
    })
}

impl<'l> Out<'l> {
    pub(crate) fn new(lua: &'l Lua, ev: &'l Table) -> Self {
        Out {
            lua,
            ev,
            n: 0,
            skip: 0,
        }
    }

    pub(crate) fn push(
        &mut self,
        code: i64,
        a: Value,
        b: Value,
        c: Value,
        count: usize,
    ) -> Result<()> {
        if self.skip >= 5 {
            self.skip -= 5;
            return Ok(());
        }
        let n = self.n;
        self.ev.raw_set(n + 1, code)?;
        self.ev.raw_set(n + 2, a)?;
        self.ev.raw_set(n + 3, b)?;
        self.ev.raw_set(n + 4, c)?;
        self.ev.raw_set(n + 5, count as i64)?;
        self.n = n + 5;
        Ok(())
    }

    pub(crate) fn chars(&mut self, text: &[u8], count: usize) -> Result<()> {
        let s = Value::String(self.lua.create_string(text)?);
        self.push(CHARACTER_DATA, s, Value::Nil, Value::Nil, count)
    }

    pub(crate) fn xml_decl(&mut self, d: &crate::xmldecl::XmlDecl<'_>) -> Result<()> {
        let v = Value::String(self.lua.create_string(d.version)?);
        let e = opt_str(self.lua, d.encoding)?;
        match d.standalone {
            None => self.push(XML_DECL, v, e, Value::Nil, d.len),
            Some(s) => self.push(XML_DECL_STANDALONE, v, e, Value::Boolean(s), d.len),
        }
    }

    fn ns_decls(&mut self, e: &Element<'_>, count: usize) -> Result<()> {
        for (prefix, uri) in e.ns_decls() {
            let p = opt_str(self.lua, prefix.map(str::as_bytes))?;
            // expat reports an un-declaration (`xmlns=''`) with a nil namespace.
            let u = opt_str(self.lua, (!uri.is_empty()).then_some(uri.as_bytes()))?;
            self.push(START_NAMESPACE_DECL, p, u, Value::Nil, count)?;
        }
        Ok(())
    }

    fn end_ns_decls(&mut self, e: &Element<'_>, count: usize) -> Result<()> {
        let prefixes: Vec<Option<&str>> = e.ns_decls().map(|(p, _)| p).collect();
        for p in prefixes.into_iter().rev() {
            let p = opt_str(self.lua, p.map(str::as_bytes))?;
            self.push(END_NAMESPACE_DECL, p, Value::Nil, Value::Nil, count)?;
        }
        Ok(())
    }

    /// `StartNamespaceDecl`s and `StartElement` for an element's start tag of
    /// `count` bytes.
    pub(crate) fn start(
        &mut self,
        wants: Wants,
        names: &mut Names,
        e: &Element<'_>,
        count: usize,
    ) -> Result<()> {
        if wants.ns_decls && names.sep.is_some() {
            self.ns_decls(e, count)?;
        }
        if wants.elements {
            let name = Value::String(names.element(self.lua, e)?);
            let attrs = Value::Table(names.attrs(self.lua, e)?);
            self.push(START_ELEMENT, name, attrs, Value::Nil, count)?;
        }
        Ok(())
    }

    /// `EndElement` (named `name`) and `EndNamespaceDecl`s for an end tag of `count`
    /// bytes.
    pub(crate) fn end(
        &mut self,
        wants: Wants,
        names: &Names,
        e: &Element<'_>,
        name: &LuaString,
        count: usize,
    ) -> Result<()> {
        if wants.elements {
            self.push(
                END_ELEMENT,
                Value::String(name.clone()),
                Value::Nil,
                Value::Nil,
                count,
            )?;
        }
        if wants.ns_decls && names.sep.is_some() {
            self.end_ns_decls(e, count)?;
        }
        Ok(())
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
    name: LuaString,
    nodes: Nodes<'a>,
    end: usize,
}

/// Every record of one complete element (a stanza, or a document's root) whose exact
/// bytes are `raw`. Each record's byte count runs from where the previous one ended, so
/// they add up to `raw.len()`.
pub(crate) fn element_tree(
    out: &mut Out<'_>,
    wants: Wants,
    names: &mut Names,
    root: Element<'_>,
    raw: &[u8],
) -> Result<()> {
    let mut cursor = 0usize;
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut next = Some(root);
    loop {
        if let Some(el) = next.take() {
            let (_, tag_end, _) = tag_bounds(raw, &el);
            let end = offset_in(raw, el.raw()) + el.raw().len();
            out.start(wants, names, &el, tag_end.saturating_sub(cursor))?;
            cursor = cursor.max(tag_end);
            let name = if wants.elements {
                names.element(out.lua, &el)?
            } else {
                out.lua.create_string("")?
            };
            stack.push(Frame {
                el,
                name,
                nodes: el.nodes(),
                end,
            });
        }
        let Some(top) = stack.last_mut() else {
            return Ok(());
        };
        match top.nodes.next() {
            Some(Node::Element(c)) => next = Some(c),
            Some(Node::Text(t)) => {
                let t_end = offset_in(raw, t.raw()) + t.raw().len();
                if wants.chars {
                    out.chars(t.as_str().as_bytes(), t_end.saturating_sub(cursor))?;
                }
                cursor = cursor.max(t_end);
            }
            None => {
                let f = stack.pop().expect("stack is not empty");
                out.end(wants, names, &f.el, &f.name, f.end.saturating_sub(cursor))?;
                cursor = cursor.max(f.end);
            }
        }
    }
}

/// The records of a stream root's start tag (the header event): namespace declarations
/// and `StartElement`, counted as `count` bytes. Returns the root's name for its
/// `EndElement` and the bounds of its start tag.
pub(crate) fn root_start(
    out: &mut Out<'_>,
    wants: Wants,
    names: &mut Names,
    root: &Element<'_>,
    count: usize,
) -> Result<LuaString> {
    out.start(wants, names, root, count)?;
    names.element(out.lua, root)
}

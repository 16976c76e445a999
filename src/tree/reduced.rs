//! The reduced header an owned stanza keeps (see `owned.rs`): a synthetic start tag with
//! the header element's name, the namespace declarations the stanza inherits from it and
//! its `xml:lang`; and [`Pieces`], what writing it learns from a parser's stream header,
//! kept with that header (`StoredTree`) so that each stanza's copy walks only the stanza.
//!
//! A header's pieces say which of its attributes the reduced header may take from (its
//! declarations, its `xml:lang`) and that each is written as the reduced header writes
//! it (no reference to decode, nothing to escape), so that a copy takes them as they are
//! in the stored header instead of finding, decoding and escaping them again. The parser
//! makes them when it lends the header's event; per stanza only the choice of
//! declarations remains, which depends on the prefixes the stanza uses.

use super::block::Sink;
use super::names::{NS_NONE, NS_XML, XML_NS};
use super::records::{AttrRec, NodeRec, NONE};
use super::stanza::Stanza;
use super::view::Element;
use crate::escape::{escape_attr_into, Out};
use crate::scan::F_REF;

/// Writes the reduced header standing for `h` (the stanza's header) to `out`; returns its
/// node index. Which declarations it keeps is recorded in `kept` (when not `known`) or
/// read from it (when `known`), for the first 64. Under a parser's header, from its
/// [`Pieces`] when they are made.
pub(super) fn write<S: Sink>(
    out: &mut S,
    stanza: &Stanza<'_>,
    h: &Element<'_>,
    kept: &mut u64,
    known: bool,
) -> u32 {
    let stored = stanza.stored_header();
    match stored.and_then(|stored| Some((stored, stored.reduced()?))) {
        Some((stored, pieces)) => {
            let from = Source {
                decls: pieces.decls().iter().filter_map(|&i| stored.raw_decl(i)),
                lang: pieces.lang.and_then(|i| stored.raw_value(i)),
                escape: false,
                inherits: true,
            };
            write_from(out, stanza, h, from, kept, known)
        }
        None => {
            let from = Source {
                decls: h.ns_decls().map(|(p, uri)| match p {
                    None => (p, stanza.effective_default(uri)),
                    Some(_) => (p, uri),
                }),
                lang: h.attr(XML_NS, "lang"),
                escape: true,
                inherits: stanza.enclosing_header().is_some(),
            };
            write_from(out, stanza, h, from, kept, known)
        }
    }
}

/// What a reduced header is written from: the header's declarations as (prefix, value)
/// and its `xml:lang`, decoded (to be escaped) or as written.
struct Source<'a, I> {
    decls: I,
    lang: Option<&'a str>,
    escape: bool,
    /// Whether the stanza inherits the header's declarations.
    inherits: bool,
}

/// [`write`] from `from`.
fn write_from<'a, S: Sink>(
    out: &mut S,
    stanza: &Stanza<'_>,
    h: &Element<'_>,
    from: Source<'a, impl Iterator<Item = (Option<&'a str>, &'a str)>>,
    kept: &mut u64,
    known: bool,
) -> u32 {
    let base = out.len();
    out.put("<");
    out.put(h.qname());
    let first_attr = out.attr_count();
    for (i, (p, uri)) in from.decls.enumerate() {
        let bit = 1u64.checked_shl(i as u32).unwrap_or(0);
        let keep = if known && bit != 0 {
            *kept & bit != 0
        } else {
            p == h.prefix() || (from.inherits && p.is_none_or(|p| stanza.inherits_prefix(p)))
        };
        if keep && !known {
            *kept |= bit;
        }
        if keep {
            match p {
                Some(p) => add(out, base, ("xmlns", p), uri, from.escape),
                None => add(out, base, ("", "xmlns"), uri, from.escape),
            }
        }
    }
    if let Some(lang) = from.lang {
        add(out, base, ("xml", "lang"), lang, from.escape);
    }
    out.put(">");
    let attr_count = out.attr_count() - first_attr;
    let ns = out.name(h.ns());
    let scope = out.node_count();
    out.node(NodeRec {
        is_element: true,
        flags: 0,
        start: 0,
        end: out.len() - base,
        name_len: h.qname().len() as u32,
        prefix_len: h.prefix().map_or(0, |p| p.len() as u32),
        ns,
        attrs: first_attr,
        attr_count,
        first_child: NONE,
        next_sibling: NONE,
    });
    scope
}

/// Writes the attribute ` prefix:local='value'` (`value` escaped when `escape`, else as
/// it is) and its record, with offsets from `base`.
fn add<S: Sink>(out: &mut S, base: u32, (prefix, local): (&str, &str), value: &str, escape: bool) {
    out.put(" ");
    let name_start = out.len() - base;
    out.put(prefix);
    if !prefix.is_empty() {
        out.put(":");
    }
    out.put(local);
    let name_len = out.len() - base - name_start;
    out.put("='");
    let value_start = out.len() - base;
    if escape {
        escape_attr_into(out, value);
    } else {
        out.put(value);
    }
    let value_len = out.len() - base - value_start;
    out.put("'");
    let is_decl = prefix == "xmlns" || (prefix.is_empty() && local == "xmlns");
    out.attr(AttrRec {
        name_start,
        name_len,
        prefix_len: prefix.len() as u32,
        value_start,
        value_len,
        ns: if prefix == "xml" { NS_XML } else { NS_NONE },
        flags: if value_len as usize != value.len() {
            F_REF
        } else {
            0
        },
        is_decl,
    });
}

/// How many declarations a header may have for its [`Pieces`] to be made (a stream
/// header has two or three; a header with more is read by each copy).
const MAX_DECLS: usize = 6;

/// What the reduced header of a parser's stream header takes from it (see the module
/// docs): kept in the parser's `StoredTree`, made again for each header. Small, inline
/// and allocation-free (a parser is kept small).
#[derive(Debug, Clone, Default)]
pub(crate) struct Pieces {
    /// Whether the pieces are made (for the header stored now: `StoredTree` clears this
    /// when it stores another). Not made when some value is not as written, when the
    /// default namespace is rebound, or past [`MAX_DECLS`] declarations.
    pub(super) made: bool,
    /// The header's declarations (indices of its attribute records), in its order: the
    /// first `len`.
    decls: [u32; MAX_DECLS],
    len: u8,
    /// Its `xml:lang` attribute.
    lang: Option<u32>,
}

impl Pieces {
    /// Makes the pieces of `h`, a parser's stream header whose attribute records start
    /// at index `first` and whose raw values `raw` gives by index; `rebound` when its
    /// stanzas read its default declaration as another namespace.
    pub(super) fn make<'a>(
        &mut self,
        h: &Element<'a>,
        first: u32,
        rebound: bool,
        raw: impl Fn(u32) -> Option<&'a str>,
    ) {
        self.made = false;
        self.len = 0;
        self.lang = None;
        if rebound {
            return;
        }
        for (k, a) in h.raw_attrs().enumerate() {
            let i = first + k as u32;
            let as_written = raw(i).is_some_and(|r| r == a.value() && escapes_to_itself(r));
            if a.is_namespace_declaration() {
                match self.decls.get_mut(self.len as usize) {
                    Some(slot) if as_written => *slot = i,
                    _ => return,
                }
                self.len += 1;
            } else if self.lang.is_none() && a.local_name() == "lang" && a.ns() == XML_NS {
                if !as_written {
                    return;
                }
                self.lang = Some(i);
            }
        }
        self.made = true;
    }

    /// The declarations' attribute record indices, in the header's order.
    fn decls(&self) -> &[u32] {
        self.decls.get(..self.len as usize).unwrap_or(&[])
    }
}

/// Whether escaping `value` as an attribute value gives `value`.
fn escapes_to_itself(value: &str) -> bool {
    /// Compares what is written with `rest` instead of keeping it.
    struct Same<'a> {
        rest: &'a str,
        same: bool,
    }
    impl Out for Same<'_> {
        fn put(&mut self, s: &str) {
            match self.rest.strip_prefix(s) {
                Some(rest) if self.same => self.rest = rest,
                _ => self.same = false,
            }
        }
    }
    let mut same = Same {
        rest: value,
        same: true,
    };
    escape_attr_into(&mut same, value);
    same.same && same.rest.is_empty()
}

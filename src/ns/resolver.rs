//! The namespace resolver: splits qualified names, processes `xmlns` declarations into
//! scoped bindings, resolves every element and attribute prefix to a namespace id in the
//! tree's records, enforces the reserved names (`xml`, `xmlns` and their namespaces) and
//! the uniqueness of attributes by qualified and by expanded name.
//!
//! The framer calls it per token: [`Resolver::start_element`] at a start tag's name,
//! [`Resolver::attribute_name`] per attribute, [`Resolver::resolve_start_tag`] once the
//! start tag is complete, [`Resolver::end_element`] when the element closes. Bindings made
//! on the stream header stay in scope for every stanza ([`Resolver::seal_stream`]);
//! everything a stanza declares is dropped when the next one begins.

use super::bindings::Bindings;
use super::duplicates::{first_duplicate, fnv1a, Bytes, Scratch};
use crate::decode::decode_attr;
use crate::error::{err, Error, ErrorKind};
use crate::limits::Limit;
use crate::tree::{AttrRec, NodeRec, NsTable, NS_NONE, NS_XML, XMLNS_NS, XML_NS};

/// Splits a qualified name: the length of its prefix (0 when unprefixed), or `Err` when
/// it is not a `QName` (Namespaces in XML 1.0, section 4: `QName ::= PrefixedName |
/// UnprefixedName`, both parts `NCName`s).
#[inline]
pub(crate) fn split_qname(name: &[u8]) -> Result<usize, ()> {
    // Names are short: a plain loop beats a memchr call here, and one that counts the
    // colons while it looks for the first keeps a single index (the `position` +
    // `contains` pair compiled to a loop of seven counters per byte: issue 11).
    let mut first = usize::MAX;
    let mut colons = 0usize;
    for (k, &b) in name.iter().enumerate() {
        if b == b':' {
            first = first.min(k);
            colons += 1;
        }
    }
    match colons {
        0 => Ok(0),
        1 if first != 0 && first + 1 != name.len() => Ok(first),
        _ => Err(()),
    }
}

/// A qualified name of at most 8 bytes as one little-endian word (the bytes after it
/// zeroed), read from `buf` when the 8 bytes from its start are in `buf`: split and
/// compared without a loop. `None` otherwise (the caller takes the slice path).
#[inline(always)]
fn name_word(buf: &[u8], start: usize, end: usize) -> Option<(u64, usize)> {
    let n = end.checked_sub(start)?;
    if n.wrapping_sub(1) >= 8 {
        // Empty (never from the scanner) or longer than a word.
        return None;
    }
    let w = u64::from_le_bytes(*buf.get(start..)?.first_chunk::<8>()?);
    // `n` is 1..=8: the shift is 0..=56.
    Some((w & (u64::MAX >> (64 - 8 * n as u32)), n))
}

/// The [`name_word`] of a short `name` that is not followed by 8 bytes in its buffer
/// (at a buffer's end), byte by byte; 0 for a name longer than 8 bytes. The duplicate
/// check needs the same word for the same name wherever it lies.
#[inline(never)]
fn short_word(name: &[u8]) -> u64 {
    if name.len() > 8 {
        return 0;
    }
    name.iter().rev().fold(0u64, |w, &b| w << 8 | b as u64)
}

/// [`split_qname`] of a [`name_word`]: bit 8k+7 of the mask is set where byte k is a
/// colon (exact per byte: no borrow runs between bytes).
#[inline(always)]
fn split_word(w: u64, n: usize) -> Result<usize, ()> {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // Colons become zero bytes; the zeroed bytes past the name become ':' (not zero).
    let x = w ^ 0x3a3a_3a3a_3a3a_3a3a;
    let colons = !(((x & LOW7) + LOW7) | x) & !LOW7;
    if colons == 0 {
        return Ok(0);
    }
    let first = (colons.trailing_zeros() / 8) as usize;
    // One colon, not first nor last. (No `count_ones`: without POPCNT in the x86_64
    // baseline it is a dozen instructions, 3 % of a chat stream's parse; issue 11.)
    if colons & (colons - 1) == 0 && first != 0 && first + 1 != n {
        Ok(first)
    } else {
        Err(())
    }
}

/// Attributes per start tag that the exact duplicate check compares pairwise by
/// [`name_word`]; more go through the general check (hashed).
const WORDS: usize = 8;

/// The bit of an attribute name in the resolver's duplicate filter: the top six bits of
/// its word (a [`name_word`], or [`slice_filter_word`]) times [`FILTER_K`].
#[inline(always)]
fn filter_bit(word: u64) -> u64 {
    1 << (word.wrapping_mul(FILTER_K) >> 58)
}

/// The multiplier of [`filter_bit`]. Any odd constant is correct (equal names always
/// meet, and a tag whose names meet takes the exact check); this one gives distinct bits
/// to the attributes that share a start tag in RFC 6120/6121 and the common XEPs (the
/// stream header; `to from id type xml:lang xmlns` of stanzas; roster items; disco
/// identities, items and features; caps; delay; MUC items; data-form fields; pubsub;
/// avatar metadata; SASL; stanza ids; MAM; stream management; Jingle; IBB; BOSH bodies;
/// dialback), so such tags skip the check. Found by a search over random odd constants
/// for those groups, which the unit test
/// `attributes_that_share_an_xmpp_tag_take_distinct_filter_bits` lists. On the bundled
/// corpus and the external excerpts no tag of distinct names takes the check.
const FILTER_K: u64 = 0x8d11_6ece_1738_f7d9;

/// The filter word of a name read as a slice (no [`name_word`]): its [`short_word`]
/// when it is at most 8 bytes, else its first and last 8 bytes and its length mixed
/// (long names all have word 0, which would make any two of them meet).
#[inline(never)]
fn slice_filter_word(name: &[u8]) -> u64 {
    match (name.first_chunk::<8>(), name.last_chunk::<8>()) {
        (Some(a), Some(b)) if name.len() > 8 => {
            u64::from_le_bytes(*a) ^ u64::from_le_bytes(*b).rotate_left(5) ^ name.len() as u64
        }
        _ => short_word(name),
    }
}

/// The bit of [`Resolver`]'s `decl_bits` that stands for every attribute from the 64th.
const DECL_BITS_REST: usize = 63;

/// `xmlns` as a [`name_word`].
const XMLNS_WORD: u64 = 0x73_6e_6c_6d_78;

/// [`split_qname`] of `buf[start..end]`, by word when the name is short.
#[inline(always)]
fn split_qname_at(buf: &[u8], start: usize, end: usize) -> Result<usize, ()> {
    match name_word(buf, start, end) {
        Some((w, n)) => split_word(w, n),
        None => split_qname(buf.get(start..end).ok_or(())?),
    }
}

/// What an attribute's qualified name is (see [`Resolver::attribute_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AttrName {
    /// Length of the prefix, 0 when unprefixed.
    pub prefix_len: u32,
    /// `xmlns` or `xmlns:p`: a namespace declaration.
    pub is_decl: bool,
}

/// The namespace context of one open element.
#[derive(Debug, Clone, Copy)]
struct Scope {
    default_ns: u32,
    bindings_len: u32,
}

/// The resolver state (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Resolver {
    /// Namespace names the records' ids refer to (read by the views).
    pub(crate) table: NsTable,
    bindings: Bindings,
    /// One entry per open element of the current tree.
    scopes: Vec<Scope>,
    /// Table and bindings as they stand after the stream header, and its default.
    stream_mark: (usize, usize),
    stream_bindings: usize,
    stream_default: u32,
    /// Declarations and prefixed attributes of the start tag being read.
    decls: u32,
    prefixed: u32,
    /// Attributes of the start tag being read.
    attrs: u32,
    /// A filter of the start tag's attribute names so far: one bit per name, chosen by
    /// [`filter_bit`]; `clash` has the bits that two of them took. Equal names take
    /// the same bit, so a start tag whose `clash` is 0 has no name twice and skips the
    /// exact check (a tag of distinct names whose bits meet just takes it).
    seen: u64,
    clash: u64,
    /// Bit k set when attribute k of the start tag is a declaration (bit
    /// [`DECL_BITS_REST`] for any from that one on).
    decl_bits: u64,
    max_bindings: usize,
    scratch: Scratch,
}

impl Resolver {
    /// A resolver allowing at most `max_bindings` prefixed bindings in scope.
    pub(crate) fn new(max_bindings: usize) -> Self {
        let table = NsTable::default();
        Resolver {
            stream_mark: table.mark(),
            table,
            bindings: Bindings::default(),
            scopes: Vec::new(),
            stream_bindings: 0,
            stream_default: NS_NONE,
            decls: 0,
            prefixed: 0,
            attrs: 0,
            seen: 0,
            clash: 0,
            decl_bits: 0,
            max_bindings,
            scratch: Vec::new(),
        }
    }

    /// Allows at most `max_bindings` prefixed bindings in scope from now on.
    pub(crate) fn set_max_bindings(&mut self, max_bindings: usize) {
        self.max_bindings = max_bindings;
    }

    /// Forgets the stream (header bindings included), keeping storage.
    pub(crate) fn restart(&mut self) {
        self.table.reset();
        self.bindings.truncate(0);
        self.scopes.clear();
        self.stream_mark = self.table.mark();
        self.stream_bindings = 0;
        self.stream_default = NS_NONE;
    }

    /// A new stanza (or document root) begins: drops what the previous one declared.
    pub(crate) fn begin_stanza(&mut self) {
        self.table.truncate(self.stream_mark);
        self.bindings.truncate(self.stream_bindings);
        self.scopes.clear();
    }

    /// The start tag just resolved is the stream header: its bindings and default
    /// namespace stay in scope for the whole stream. With `rebind = Some((from, to))`, a
    /// header default namespace `from` is read as `to` by the elements that inherit it
    /// (BOSH: unqualified stanzas in an httpbind `<body/>` are `jabber:client`).
    /// Returns the namespace name read instead when `rebind` applied.
    pub(crate) fn seal_stream(
        &mut self,
        rebind: Option<(&'static str, &'static str)>,
    ) -> Option<&'static str> {
        let mut rebound = None;
        if let Some(s) = self.scopes.pop() {
            self.stream_default = s.default_ns;
        }
        if let Some((from, to)) = rebind {
            if self.table.get(self.stream_default) == from {
                let start = self.table.text_mut().len();
                self.table.text_mut().push_str(to);
                self.stream_default = self.table.seal_from(start);
                rebound = Some(to);
            }
        }
        self.stream_mark = self.table.mark();
        self.stream_bindings = self.bindings.len();
        rebound
    }

    /// A start tag's name was read: `Err` when it is not a `QName`, else its prefix
    /// length.
    #[inline]
    pub(crate) fn start_element(&mut self, buf: &[u8], name: (usize, usize)) -> Result<usize, ()> {
        self.decls = 0;
        self.prefixed = 0;
        self.attrs = 0;
        self.seen = 0;
        self.clash = 0;
        self.decl_bits = 0;
        split_qname_at(buf, name.0, name.1)
    }

    /// Classifies one attribute name of the current start tag; `Err` when it is not a
    /// `QName`.
    /// (`buf[name.0..name.1]`).
    #[inline(always)]
    pub(crate) fn attribute_name(
        &mut self,
        buf: &[u8],
        name: (usize, usize),
    ) -> Result<AttrName, ()> {
        let (plen, is_decl, bit) = match name_word(buf, name.0, name.1) {
            Some((w, n)) => {
                let plen = split_word(w, n)?;
                let is_decl =
                    (n == 5 && w == XMLNS_WORD) || (plen == 5 && w & 0xff_ffff_ffff == XMLNS_WORD);
                (plen, is_decl, filter_bit(w))
            }
            None => {
                let qname = buf.get(name.0..name.1).ok_or(())?;
                let plen = split_qname(qname)?;
                let is_decl = qname == b"xmlns" || (plen == 5 && qname.starts_with(b"xmlns"));
                (plen, is_decl, filter_bit(slice_filter_word(qname)))
            }
        };
        self.attrs += 1;
        self.clash |= self.seen & bit;
        self.seen |= bit;
        if is_decl {
            self.decls += 1;
            self.decl_bits |= 1 << (self.attrs as usize - 1).min(DECL_BITS_REST);
        } else if plen > 0 {
            self.prefixed += 1;
        }
        Ok(AttrName {
            prefix_len: plen as u32,
            is_decl,
        })
    }

    /// Namespace declarations on the current start tag so far.
    #[inline]
    pub(crate) fn declarations(&self) -> usize {
        self.decls as usize
    }

    /// The current start tag (element record `node` with its attributes' records
    /// `attrs`, offsets relative to `origin` in `buf`) is complete: checks attribute uniqueness by qualified name, processes its
    /// declarations, resolves the element's and attributes' prefixes (writing the ids
    /// into the records) and checks uniqueness by expanded name. The element's scope is
    /// entered; [`end_element`](Self::end_element) leaves it. `header`: the stream
    /// header (its namespace names are kept for the stream, never cached).
    pub(crate) fn resolve_start_tag(
        &mut self,
        buf: &[u8],
        origin: usize,
        node: &mut NodeRec,
        attrs: &mut [AttrRec],
        header: bool,
    ) -> Result<(), Error> {
        let (start, prefix_len) = (node.start, node.prefix_len);
        let lt = origin + start as usize;
        if self.clash != 0 {
            self.check_unique_qnames(buf, origin, attrs)?;
        }
        let bindings_len = self.bindings.len() as u32;
        let default_ns = if self.decls == 0 {
            self.current_default()
        } else {
            self.declare(buf, origin, attrs, header)?
        };
        let ns = if prefix_len == 0 {
            default_ns
        } else {
            let prefix = &buf[lt + 1..lt + 1 + prefix_len as usize];
            if prefix == b"xmlns" {
                return err(ErrorKind::ReservedPrefix, lt + 1);
            }
            match self.lookup(prefix) {
                Some(ns) => ns,
                None => return err(ErrorKind::UnboundPrefix, lt),
            }
        };
        node.ns = ns;
        self.scopes.push(Scope {
            default_ns,
            bindings_len,
        });
        if self.prefixed > 0 {
            self.resolve_attributes(buf, origin, attrs)?;
        }
        Ok(())
    }

    /// The innermost open element closed: its bindings go out of scope.
    #[inline]
    pub(crate) fn end_element(&mut self) {
        if let Some(s) = self.scopes.pop() {
            self.bindings.truncate(s.bindings_len as usize);
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.table.heap_bytes()
            + self.bindings.heap_bytes()
            + self.scratch.capacity() * core::mem::size_of::<(u64, u32)>()
            + self.scopes.capacity() * core::mem::size_of::<Scope>()
    }

    /// Gives back storage beyond what the stream header needs (between stanzas only).
    pub(crate) fn shrink(&mut self) {
        self.scratch = Vec::new();
        self.scopes = Vec::new();
        self.table.truncate(self.stream_mark);
        self.table.clear_cache();
        self.bindings.truncate(self.stream_bindings);
        self.table.shrink();
        self.bindings.shrink();
    }

    /// The namespace id bound to `prefix` (`xml` is fixed), `None` when unbound.
    #[inline]
    fn lookup(&self, prefix: &[u8]) -> Option<u32> {
        if prefix == b"xml" {
            return Some(NS_XML);
        }
        self.bindings.lookup(&self.table, prefix)
    }

    fn current_default(&self) -> u32 {
        self.scopes
            .last()
            .map_or(self.stream_default, |s| s.default_ns)
    }

    /// XML 1.0 WFC "Unique Att Spec": no qualified name twice on one start tag; called
    /// only when two of its names met in the filter (so it has two or more).
    // Out of line, as `declare` and `resolve_attributes`: the common start tag (no
    // declaration, no prefixed attribute, no names meeting in the filter) then runs a
    // short function with few registers to save (issue 11).
    #[inline(never)]
    fn check_unique_qnames(
        &mut self,
        buf: &[u8],
        origin: usize,
        attrs: &[AttrRec],
    ) -> Result<(), Error> {
        if attrs.len() <= WORDS {
            // Pairwise over one word per name: a name of at most 8 bytes is its
            // `name_word` exactly (names have no NUL), so equal words are equal names;
            // longer names (word 0) are compared as slices.
            let slice = |a: &AttrRec| {
                let s = origin + a.name_start as usize;
                buf.get(s..s + a.name_len as usize).unwrap_or(&[])
            };
            let mut words = [0u64; WORDS];
            for (w, a) in words.iter_mut().zip(attrs) {
                let s = origin + a.name_start as usize;
                *w = match name_word(buf, s, s + a.name_len as usize) {
                    Some((w, _)) => w,
                    None => short_word(slice(a)),
                };
            }
            for j in 1..attrs.len() {
                for i in 0..j {
                    if words[i] == words[j]
                        && (words[j] != 0 || Bytes(slice(&attrs[i])) == Bytes(slice(&attrs[j])))
                    {
                        return err(
                            ErrorKind::DuplicateAttribute,
                            origin + attrs[j].name_start as usize,
                        );
                    }
                }
            }
            return Ok(());
        }
        let name = |j: usize| {
            let a = &attrs[j];
            let s = origin + a.name_start as usize;
            Bytes(buf.get(s..s + a.name_len as usize).unwrap_or(&[]))
        };
        match first_duplicate(attrs.len(), name, |k| fnv1a(k.0), &mut self.scratch) {
            Some(j) => err(
                ErrorKind::DuplicateAttribute,
                origin + attrs[j].name_start as usize,
            ),
            None => Ok(()),
        }
    }

    /// Processes the declarations among `attrs`; returns the element's default namespace.
    /// Only the declarations are visited: `decl_bits` has their positions.
    #[inline(never)]
    fn declare(
        &mut self,
        buf: &[u8],
        origin: usize,
        attrs: &[AttrRec],
        header: bool,
    ) -> Result<u32, Error> {
        let mut default_ns = self.current_default();
        let mut bits = self.decl_bits;
        while bits != 0 {
            let k = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if k == DECL_BITS_REST {
                // The 64th attribute and those after it share the last bit.
                for a in attrs.iter().skip(k).filter(|a| a.is_decl) {
                    self.declare_one(buf, origin, a, header, &mut default_ns)?;
                }
            } else if let Some(a) = attrs.get(k) {
                self.declare_one(buf, origin, a, header, &mut default_ns)?;
            }
        }
        Ok(default_ns)
    }

    /// One declaration `a` of [`declare`](Self::declare): binds its prefix, or sets
    /// `default_ns` for `xmlns`.
    #[inline(always)]
    fn declare_one(
        &mut self,
        buf: &[u8],
        origin: usize,
        a: &AttrRec,
        header: bool,
        default_ns: &mut u32,
    ) -> Result<(), Error> {
        let at = origin + a.name_start as usize;
        let vs = origin + a.value_start as usize;
        let raw = &buf[vs..vs + a.value_len as usize];
        let name = &buf[at..at + a.name_len as usize];
        let prefix = (a.prefix_len != 0).then(|| &name[6..]);
        if prefix == Some(b"xmlns") {
            return err(ErrorKind::ReservedPrefix, at);
        }
        // Namespace names seen before in stanzas come from the cache (never reserved
        // ones, never empty); the header's stay in the per-stream part of the table.
        let cached = if a.flags == 0 && !header {
            self.table.cached(raw)
        } else {
            None
        };
        let id = match cached {
            Some(id) => {
                if prefix == Some(b"xml") {
                    return err(ErrorKind::ReservedPrefix, at);
                }
                id
            }
            None => {
                let text = self.table.text_mut();
                let start = text.len();
                let raw = core::str::from_utf8(raw).unwrap_or("");
                if a.flags == 0 {
                    text.push_str(raw);
                } else {
                    decode_attr(raw, text);
                }
                let uri = &text[start..];
                let (is_xml_ns, is_xmlns_ns, empty) =
                    (uri == XML_NS, uri == XMLNS_NS, uri.is_empty());
                match prefix {
                    Some(b"xml") if is_xml_ns => {
                        text.truncate(start);
                        return Ok(());
                    }
                    Some(b"xml") => return err(ErrorKind::ReservedPrefix, at),
                    _ if is_xml_ns || is_xmlns_ns => return err(ErrorKind::ReservedNamespace, at),
                    Some(_) if empty => return err(ErrorKind::EmptyPrefixBinding, at),
                    None if empty => {
                        *default_ns = NS_NONE;
                        return Ok(());
                    }
                    _ => {}
                }
                if header {
                    self.table.seal_from(start)
                } else {
                    self.table.cache_or_seal(start)
                }
            }
        };
        match prefix {
            None => *default_ns = id,
            Some(p) => {
                if self.bindings.len() >= self.max_bindings {
                    return err(ErrorKind::LimitExceeded(Limit::NamespaceBindings), at);
                }
                let p = core::str::from_utf8(p).unwrap_or("");
                self.bindings.push(&mut self.table, p, id);
            }
        }
        Ok(())
    }

    /// Resolves the prefixed attributes among `attrs` and checks Namespaces in XML 1.0
    /// section 6.3: no expanded name twice on one start tag.
    #[inline(never)]
    fn resolve_attributes(
        &mut self,
        buf: &[u8],
        origin: usize,
        attrs: &mut [AttrRec],
    ) -> Result<(), Error> {
        let mut prefixed: smallvec::SmallVec<[u32; 8]> = smallvec::SmallVec::new();
        for (k, a) in attrs.iter_mut().enumerate() {
            if a.is_decl || a.prefix_len == 0 {
                continue;
            }
            let at = origin + a.name_start as usize;
            match self.lookup(&buf[at..at + a.prefix_len as usize]) {
                Some(ns) => a.ns = ns,
                None => return err(ErrorKind::UnboundPrefix, at),
            }
            prefixed.push(k as u32);
        }
        if prefixed.len() < 2 {
            return Ok(());
        }
        let attrs = &*attrs;
        let table = &self.table;
        let expanded = |j: usize| {
            let a = &attrs[prefixed[j] as usize];
            let s = origin + (a.name_start + a.prefix_len + 1) as usize;
            let local = &buf[s..origin + (a.name_start + a.name_len) as usize];
            (local, table.get(a.ns))
        };
        let hash = |k: &(&[u8], &str)| fnv1a(k.0) ^ fnv1a(k.1.as_bytes()).rotate_left(17);
        match first_duplicate(prefixed.len(), expanded, hash, &mut self.scratch) {
            Some(j) => err(
                ErrorKind::DuplicateAttribute,
                origin + attrs[prefixed[j] as usize].name_start as usize,
            ),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_names_split_once() {
        assert_eq!(split_qname(b"message"), Ok(0));
        assert_eq!(split_qname(b"stream:features"), Ok(6));
        for bad in [&b":a"[..], b"a:", b"a:b:c", b":"] {
            assert_eq!(split_qname(bad), Err(()), "{bad:?}");
        }
    }

    /// `name` in a buffer with `pad` bytes after it (0: the name ends the buffer, so the
    /// slice path runs; 8: the word path runs for short names).
    fn padded(name: &[u8], pad: usize) -> (Vec<u8>, (usize, usize)) {
        let mut buf = b"<".to_vec();
        buf.extend_from_slice(name);
        buf.resize(buf.len() + pad, b':');
        (buf, (1, 1 + name.len()))
    }

    #[test]
    fn a_name_has_one_word_wherever_it_lies() {
        for name in [&b"a"[..], b"to", b"xml:lang", b"abcdefgh"] {
            let (buf, (s, e)) = padded(name, 8);
            assert_eq!(
                name_word(&buf, s, e).map(|(w, _)| w),
                Some(short_word(name))
            );
        }
        assert_eq!(short_word(b"abcdefghi"), 0);
    }

    #[test]
    fn short_names_split_by_word_as_by_slice() {
        let names = [
            &b"a"[..],
            b"to",
            b"xmlns",
            b"xmlns:p",
            b"xmlnsx",
            b"xml:lang",
            b"xmlns:ab",
            b"xmlns:abc",
            b"a:b",
            b":a",
            b"a:",
            b":",
            b"::",
            b"a:b:c",
            b"abcdefgh",
            b"abcdefg:",
            b"abcdefgh:i",
            b"p:q",
            b"stream:features",
            b"xmlns::",
            b"xmlns:",
        ];
        for name in names {
            let want = split_qname(name);
            for pad in [0, 1, 8] {
                let (buf, (s, e)) = padded(name, pad);
                assert_eq!(split_qname_at(&buf, s, e), want, "{name:?} pad {pad}");
                let mut r = Resolver::new(8);
                let want_decl = want.is_ok()
                    && (name == b"xmlns" || (want == Ok(5) && name.starts_with(b"xmlns")));
                let got = r.attribute_name(&buf, (s, e));
                assert_eq!(
                    got.map(|a| a.prefix_len as usize),
                    want,
                    "{name:?} pad {pad}"
                );
                assert_eq!(
                    got.is_ok_and(|a| a.is_decl),
                    want_decl,
                    "{name:?} pad {pad}"
                );
            }
        }
    }

    #[test]
    fn declarations_are_recognised_by_name() {
        let mut r = Resolver::new(8);
        let name = |n: &[u8]| padded(n, 8);
        let (b, n) = name(b"a");
        assert_eq!(r.start_element(&b, n), Ok(0));
        let decl = |prefix_len| AttrName {
            prefix_len,
            is_decl: true,
        };
        let (b, n) = name(b"xmlns");
        assert_eq!(r.attribute_name(&b, n), Ok(decl(0)));
        let (b, n) = name(b"xmlns:p");
        assert_eq!(r.attribute_name(&b, n), Ok(decl(5)));
        let (b, n) = name(b"xmlnsx");
        assert!(!r.attribute_name(&b, n).unwrap().is_decl);
        let (b, n) = name(b"xml:lang");
        let prefixed = r.attribute_name(&b, n).unwrap();
        assert_eq!((prefixed.prefix_len, prefixed.is_decl), (3, false));
        assert_eq!(r.declarations(), 2);
        let (b, n) = name(b"b");
        assert_eq!(r.start_element(&b, n), Ok(0));
        assert_eq!(r.declarations(), 0);
    }

    /// The first error of `doc` read as a document (`None` when it is well-formed).
    fn document_error(doc: &str) -> Option<ErrorKind> {
        use crate::{Config, Mode, Parser};
        let mut p = Parser::with_config(Config::default().with_mode(Mode::Document));
        p.feed(doc.as_bytes());
        loop {
            match p.next_event() {
                Ok(Some(_)) => {}
                Ok(None) => return p.finish().err().map(|e| e.kind()),
                Err(e) => return Some(e.kind()),
            }
        }
    }

    #[test]
    fn attributes_that_share_an_xmpp_tag_take_distinct_filter_bits() {
        // The groups `FILTER_K` was picked for (attribute names that one start tag has
        // together in RFC 6120/6121 and the common XEPs).
        let groups = [
            "to from id type xml:lang xmlns",
            "to from id version xml:lang xmlns xmlns:stream",
            "jid name subscription ask approved",
            "category type name xml:lang",
            "jid node name",
            "xmlns hash node ver ext",
            "xmlns from stamp",
            "affiliation role jid nick",
            "var type label",
            "node max_items subid",
            "id publisher",
            "id type bytes width height url",
            "xmlns mechanism",
            "xmlns id by",
            "xmlns queryid id",
            "xmlns resume max id location h previd",
            "action sid initiator responder",
            "sid block-size stanza seq",
            "rid sid xmlns to xml:lang wait hold ver xmpp:version xmlns:xmpp content ack route secure",
            "from to type id xmlns:db",
            "type by code",
            "jid host port",
            "xmlns name size date hash",
            "xmlns with start end",
        ];
        for group in groups {
            let mut seen = 0u64;
            for name in group.split(' ') {
                let (buf, (s, e)) = padded(name.as_bytes(), 8);
                let mut r = Resolver::new(8);
                r.attribute_name(&buf, (s, e)).unwrap();
                assert_eq!(seen & r.seen, 0, "{name} in {group:?}");
                seen |= r.seen;
            }
        }
    }

    #[test]
    fn names_that_meet_in_the_filter_are_told_apart_and_equal_ones_are_caught() {
        // Two distinct short names with the same filter bit, and two distinct long ones.
        let bit = |n: &str| filter_bit(short_word(n.as_bytes()));
        let names: Vec<String> = (b'a'..=b'z')
            .flat_map(|a| (b'a'..=b'z').map(move |b| format!("{}{}", a as char, b as char)))
            .collect();
        let (x, y) = names
            .iter()
            .enumerate()
            .find_map(|(k, x)| {
                names[k + 1..]
                    .iter()
                    .find(|y| bit(x) == bit(y))
                    .map(|y| (x, y))
            })
            .unwrap();
        let (p, q) = ("abcdefghijk", "abcdefghijkl");
        for pad in ["", " z='0'"] {
            for (a, b) in [(x.as_str(), y.as_str()), (p, q), (x, p)] {
                let ok = format!("<m {a}='1'{pad} {b}='2'/>");
                assert_eq!(document_error(&ok), None, "{ok}");
                for dup in [a, b] {
                    let bad = format!("<m {a}='1' {b}='2'{pad} {dup}='3'/>");
                    assert_eq!(
                        document_error(&bad),
                        Some(ErrorKind::DuplicateAttribute),
                        "{bad}"
                    );
                }
            }
        }
        // At a buffer's end the names take the slice path: the same bits.
        let (buf, n) = padded(x.as_bytes(), 0);
        let mut r = Resolver::new(8);
        r.attribute_name(&buf, n).unwrap();
        assert_eq!(r.seen, bit(x));
    }
}

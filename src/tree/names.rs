//! Namespace names: the well-known ones, and the table that tree records refer to by id
//! (the resolver fills it, the views read it). Reads only names it is handed; never
//! touches the buffer itself.

use crate::bytes_eq::bytes_eq;

/// `http://www.w3.org/XML/1998/namespace`, bound to the `xml` prefix.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// `http://www.w3.org/2000/xmlns/`, the namespace of `xmlns` declarations.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
/// `http://etherx.jabber.org/streams`, the namespace of the stream root (the framer
/// checks it).
pub const STREAMS_NS: &str = "http://etherx.jabber.org/streams";

/// Namespace id of "no namespace".
pub(crate) const NS_NONE: u32 = 0;
/// Namespace id of [`XML_NS`].
pub(crate) const NS_XML: u32 = 1;

/// Fixed ids: [`NS_NONE`] and [`NS_XML`].
const FIXED: usize = 2;

/// Ids with this bit set refer to the cache of namespace names.
pub(crate) const CACHED: u32 = 1 << 31;
/// Most namespace names the cache holds, and the longest it takes.
const CACHE_ENTRIES: usize = 64;
const CACHE_NAME_BYTES: usize = 256;
/// Slots of the cache's open-addressing index (twice its entries: probes stay short).
const INDEX_SLOTS: usize = 128;

/// The index slot a cached name starts probing at: a hash of its length and three of
/// its bytes (namespace names differ in length or near their end; a full hash of each
/// declared name would cost more than the lookup it saves).
#[inline(always)]
fn slot(uri: &[u8]) -> usize {
    let l = uri.len();
    let at = |k: usize| uri.get(k).copied().unwrap_or(0) as u32;
    let h = (l as u32).wrapping_mul(0x9E37_79B1)
        ^ at(l.wrapping_sub(1)).wrapping_mul(0x85EB_CA6B)
        ^ at(l / 2).wrapping_mul(0xC2B2_AE35)
        ^ at(l.wrapping_sub(2)).wrapping_mul(0x27D4_EB2F);
    (h >> 25) as usize % INDEX_SLOTS
}

/// What an unknown id reads: out of line, so that the lookup's checks are a compare
/// and a branch each.
#[cold]
#[inline(never)]
fn unknown() -> &'static str {
    ""
}

/// Namespace names referenced by id from tree records. Ids below a mark (taken after the
/// stream header) survive from stanza to stanza; the rest are dropped per stanza.
///
/// A small cache keeps the namespace names that stanzas declare (`jabber:iq:roster`,
/// `urn:xmpp:receipts`, ...) so that declaring them again costs one comparison instead of
/// a copy; it is bounded (64 names of at most 256 bytes), so a peer inventing new names
/// only fills it once. Cached ids stay valid until [`NsTable::clear_cache`].
#[derive(Debug, Clone)]
pub(crate) struct NsTable {
    pub(crate) text: String,
    entries: Vec<(u32, u32)>,
    cache_text: String,
    cache: Vec<(u32, u32)>,
    /// The cache's index: slot -> 1 + position in `cache`, 0 for an empty slot (linear
    /// probing; entries are never removed one by one); empty until the first name is
    /// cached (on the heap: an idle parser stays small). Looking a declared name up was
    /// a scan of the whole cache (issue 11).
    index: Vec<u8>,
}

/// A table without names (not even the fixed ones): every id reads "".
pub(crate) static NO_NAMES: NsTable = NsTable {
    text: String::new(),
    entries: Vec::new(),
    cache_text: String::new(),
    cache: Vec::new(),
    index: Vec::new(),
};

impl Default for NsTable {
    fn default() -> Self {
        let mut t = NsTable {
            text: String::new(),
            entries: Vec::new(),
            cache_text: String::new(),
            cache: Vec::new(),
            index: Vec::new(),
        };
        t.entries.push((0, 0));
        t.push(XML_NS);
        t
    }
}

impl NsTable {
    /// Adds a namespace name; returns its id.
    pub(crate) fn push(&mut self, uri: &str) -> u32 {
        let start = self.text.len() as u32;
        self.text.push_str(uri);
        self.entries.push((start, uri.len() as u32));
        (self.entries.len() - 1) as u32
    }

    /// How many ids the table has outside its cache (ids `0..len`; those of the cache
    /// are `k | CACHED`, `k` below 64).
    pub(crate) fn len(&self) -> u32 {
        self.entries.len() as u32
    }

    /// The namespace name of `id` ("" for none, or for an unknown id). Read for every
    /// element and attribute a reader looks at: the table is chosen without a branch,
    /// and the two bounds checks are a compare and a branch each that known ids never
    /// take (issue 11).
    #[allow(unsafe_code)]
    #[inline]
    pub(crate) fn get(&self, id: u32) -> &str {
        let (text, entries) = if id & CACHED != 0 {
            (&self.cache_text, &self.cache)
        } else {
            (&self.text, &self.entries)
        };
        let Some(&(s, l)) = entries.get((id & !CACHED) as usize) else {
            return unknown();
        };
        // In `u64`: no overflow on any target, so `s <= e` and one compare bounds both.
        let (s, e) = (s as u64, s as u64 + l as u64);
        if e > text.len() as u64 {
            return unknown();
        }
        let (s, e) = (s as usize, e as usize);
        debug_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        // SAFETY: `s <= e <= text.len()` (checked just above, in `u64`), so the range
        // lies in `text`. Every entry is the range of one whole name appended to `text`
        // (`push`, `seal_from`, `cache_or_seal` record `start..len()` right after
        // appending a `&str`; `truncate` cuts at the end of a kept entry), so it starts
        // and ends at character boundaries of the valid UTF-8 `text`. Namespace names
        // are read for every element and attribute a reader looks at; the boundary
        // checks were a third of the lookup (issue 11). Debug builds assert it above;
        // miri runs `tree::`.
        unsafe { core::str::from_utf8_unchecked(text.as_bytes().get_unchecked(s..e)) }
    }

    /// The cached id of namespace name `uri`, if it is cached.
    #[inline]
    pub(crate) fn cached(&self, uri: &[u8]) -> Option<u32> {
        let text = self.cache_text.as_bytes();
        let mut h = slot(uri);
        // At most 64 of the 128 slots are taken: a probe always meets an empty one.
        loop {
            let k = *self.index.get(h)? as usize;
            let &(s, l) = self.cache.get(k.checked_sub(1)?)?;
            if text
                .get(s as usize..(s + l) as usize)
                .is_some_and(|t| bytes_eq(t, uri))
            {
                return Some((k - 1) as u32 | CACHED);
            }
            h = (h + 1) % INDEX_SLOTS;
        }
    }

    /// Registers `text[start..]` (just written through [`text_mut`](Self::text_mut)) as
    /// a namespace name, in the cache when it has room (the per-stanza copy is dropped).
    pub(crate) fn cache_or_seal(&mut self, start: usize) -> u32 {
        let len = self.text.len() - start;
        if self.cache.len() >= CACHE_ENTRIES || len > CACHE_NAME_BYTES {
            return self.seal_from(start);
        }
        let cs = self.cache_text.len();
        self.cache_text.push_str(&self.text[start..]);
        self.text.truncate(start);
        self.cache.push((cs as u32, len as u32));
        let k = self.cache.len();
        if self.index.is_empty() {
            self.index = vec![0; INDEX_SLOTS];
        }
        let mut h = slot(&self.cache_text.as_bytes()[cs..]);
        while self.index[h] != 0 {
            h = (h + 1) % INDEX_SLOTS;
        }
        self.index[h] = k as u8;
        (k - 1) as u32 | CACHED
    }

    /// Empties the cache; only when no id of it is in use (between stanzas: the stream
    /// header's names are never cached).
    pub(crate) fn clear_cache(&mut self) {
        self.cache_text = String::new();
        self.cache = Vec::new();
        self.index = Vec::new();
    }

    /// Mutable access to the text storage, for decoding a value straight into it.
    pub(crate) fn text_mut(&mut self) -> &mut String {
        &mut self.text
    }

    /// Registers `text[start..]` (just written through [`text_mut`](Self::text_mut)) as
    /// a namespace name; returns its id.
    pub(crate) fn seal_from(&mut self, start: usize) -> u32 {
        let len = self.text.len() - start;
        self.entries.push((start as u32, len as u32));
        (self.entries.len() - 1) as u32
    }

    pub(crate) fn mark(&self) -> (usize, usize) {
        (self.entries.len(), self.text.len())
    }

    pub(crate) fn truncate(&mut self, mark: (usize, usize)) {
        self.entries.truncate(mark.0.max(FIXED));
        let keep = self.entries.last().map_or(0, |&(s, l)| (s + l) as usize);
        self.text.truncate(mark.1.max(keep));
    }

    pub(crate) fn reset(&mut self) {
        self.truncate((FIXED, 0));
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.entries.capacity() * 8
            + self.cache_text.capacity()
            + self.cache.capacity() * 8
            + self.index.capacity()
    }

    pub(crate) fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.entries.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_marks_and_cache() {
        let mut t = NsTable::default();
        assert_eq!(t.get(NS_NONE), "");
        assert_eq!(t.get(NS_XML), XML_NS);
        let s = t.push(STREAMS_NS);
        let mark = t.mark();
        let x = t.push("urn:x");
        assert_eq!(t.get(x), "urn:x");
        t.truncate(mark);
        assert_eq!(t.get(x), "");
        assert_eq!(t.get(s), STREAMS_NS);
        let start = t.text_mut().len();
        t.text_mut().push_str("urn:cached");
        let c = t.cache_or_seal(start);
        assert_eq!(t.cached(b"urn:cached"), Some(c));
        assert_eq!(t.get(c), "urn:cached");
        assert_eq!(t.get(99), "");
        t.reset();
        assert_eq!(t.get(s), "");
        assert_eq!(t.get(c), "urn:cached");
        t.clear_cache();
        assert_eq!(t.get(c), "");
        assert_eq!(t.cached(b"urn:cached"), None);
    }

    #[test]
    fn a_full_cache_finds_every_name_and_only_those() {
        let mut t = NsTable::default();
        // Names alike in length and ends, so that slots collide and probes run on.
        let names: Vec<String> = (0..CACHE_ENTRIES + 8)
            .map(|k| format!("urn:{k:03}x"))
            .collect();
        let mut ids = Vec::new();
        for n in &names {
            let start = t.text_mut().len();
            t.text_mut().push_str(n);
            ids.push(t.cache_or_seal(start));
        }
        for (k, n) in names.iter().enumerate() {
            if k < CACHE_ENTRIES {
                assert_eq!(t.cached(n.as_bytes()), Some(ids[k]), "{n}");
                assert_eq!(t.get(ids[k]), n);
            } else {
                // Sealed in the per-stanza part: not cached.
                assert_eq!(t.cached(n.as_bytes()), None, "{n}");
                assert_eq!(ids[k] & CACHED, 0);
            }
        }
        assert_eq!(t.cached(b"urn:999x"), None);
        assert_eq!(t.cached(b""), None);
    }
}

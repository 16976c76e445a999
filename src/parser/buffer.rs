//! The parser's input buffer: appending (`feed`, or reading straight into the spare
//! capacity), compaction once events release their bytes, and giving memory back when
//! idle. Every index into the buffer (the scanner's, the event window's, the tree's) moves
//! with it in [`Parser::shift`].

use super::Parser;
use bumpalo::Bump;

/// Smallest free space offered to readers by [`Parser::spare_capacity`].
pub(crate) const MIN_READ: usize = 8 * 1024;

/// Feeds of at most this many bytes are copied without a `memcpy` call, and grow a full
/// buffer geometrically.
const SMALL_FEED: usize = 16;

impl Parser {
    /// Appends bytes to the input. Never fails: errors surface from
    /// [`next_event`](Self::next_event). The parser keeps the unconsumed bytes until
    /// events release them, so call `next_event` until it returns `Ok(None)` between
    /// feeds; the bytes kept are then at most the current, incomplete stanza (which the
    /// limits bound).
    #[inline]
    pub fn feed(&mut self, bytes: &[u8]) {
        let n = bytes.len();
        let free = &mut self.buf[self.filled..];
        if n <= free.len() && self.error.is_none() {
            let dst = &mut free[..n];
            if let ([d], [s]) = (&mut *dst, bytes) {
                // One byte at a time: no loop either.
                *d = *s;
            } else if n <= SMALL_FEED {
                // Small feeds (down to one byte at a time) skip the memcpy call.
                for (d, s) in dst.iter_mut().zip(bytes) {
                    *d = *s;
                }
            } else {
                dst.copy_from_slice(bytes);
            }
            self.filled += n;
        } else {
            self.feed_growing(bytes);
        }
    }

    /// [`feed`](Self::feed) when the buffer has no room: compacts, then appends without
    /// zero-filling the new space first; small feeds grow it to twice its length
    /// instead, so that the feeds after them find room and take `feed`'s inline path
    /// (one byte at a time into a growing stanza would otherwise come here every time).
    #[cold]
    fn feed_growing(&mut self, bytes: &[u8]) {
        if self.error.is_some() {
            return;
        }
        self.compact();
        let n = bytes.len();
        if self.buf.len() - self.filled < n && n <= SMALL_FEED {
            let need = self.filled + n;
            self.buf
                .resize(need.max(self.buf.len().saturating_mul(2)), 0);
        }
        if self.buf.len() - self.filled >= n {
            self.buf[self.filled..self.filled + n].copy_from_slice(bytes);
        } else {
            self.buf.truncate(self.filled);
            self.buf.extend_from_slice(bytes);
        }
        self.filled += bytes.len();
    }

    /// Free space at the end of the buffer to read into (at least 8 KiB), for reading from
    /// a socket without an intermediate copy; follow with [`commit`](Self::commit).
    ///
    /// ```
    /// # use std::io::Read;
    /// let mut input = &b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>"[..];
    /// let mut parser = xmpp_stream::Parser::new();
    /// let n = input.read(parser.spare_capacity())?;
    /// parser.commit(n);
    /// assert!(matches!(parser.next_event(), Ok(Some(xmpp_stream::Event::Header(_)))));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn spare_capacity(&mut self) -> &mut [u8] {
        self.reserve(MIN_READ);
        &mut self.buf[self.filled..]
    }

    /// Like [`spare_capacity`](Self::spare_capacity), with room for at least `min` bytes
    /// (and at least 8 KiB): for readers that fill a chunk of a given size before
    /// committing it.
    ///
    /// ```
    /// let mut parser = xmpp_stream::Parser::new();
    /// assert!(parser.spare_capacity_for(100_000).len() >= 100_000);
    /// ```
    pub fn spare_capacity_for(&mut self, min: usize) -> &mut [u8] {
        self.reserve(min.max(MIN_READ));
        &mut self.buf[self.filled..]
    }

    /// Marks `n` bytes written into [`spare_capacity`](Self::spare_capacity) as input.
    ///
    /// # Panics
    /// If `n` is larger than the space `spare_capacity` offered.
    pub fn commit(&mut self, n: usize) {
        assert!(
            n <= self.buf.len() - self.filled,
            "commit({n}) beyond spare capacity"
        );
        if self.error.is_none() {
            self.filled += n;
        }
    }

    /// Reads once from `reader` straight into the buffer; returns the number of bytes
    /// read (0 at end of input).
    pub fn read_from<R: std::io::Read + ?Sized>(
        &mut self,
        reader: &mut R,
    ) -> std::io::Result<usize> {
        let n = reader.read(self.spare_capacity())?;
        self.commit(n);
        Ok(n)
    }

    /// Makes room for `extra` more bytes, compacting consumed bytes away first.
    fn reserve(&mut self, extra: usize) {
        if self.buf.len() - self.filled >= extra {
            return;
        }
        self.compact();
        let need = self.filled + extra;
        if self.buf.len() < need {
            let new_len = need.max(self.buf.len().saturating_mul(2)).max(MIN_READ);
            self.buf.resize(new_len, 0);
        }
    }

    /// Drops the bytes no event or scan state needs any more.
    fn compact(&mut self) {
        let keep = self.keep_from().min(self.filled);
        if keep == 0 {
            return;
        }
        self.buf.copy_within(keep..self.filled, 0);
        self.filled -= keep;
        self.base += keep as u64;
        self.shift(keep);
    }

    /// Index of the first byte still needed: the start of the event being read, or the
    /// next byte to scan.
    pub(super) fn keep_from(&self) -> usize {
        self.window.start().unwrap_or(self.scanner.pos())
    }

    /// The buffer dropped its first `k` bytes: moves every index.
    pub(super) fn shift(&mut self, k: usize) {
        self.scanner.shift(k);
        self.window.shift(k);
        self.framer.shift(k);
    }

    /// Returns grown buffers to the allocator, keeping only what the current state needs
    /// (between stanzas: the stream header and its namespace bindings). For idle
    /// connections.
    pub fn release_memory(&mut self) {
        self.compact();
        self.buf.truncate(self.filled);
        self.buf.shrink_to_fit();
        self.arena = Bump::new();
        self.framer.shrink();
    }

    /// What the readers and the codec do when they are about to wait with nothing
    /// buffered ([`Config::with_idle_release`]): if more than `threshold` heap bytes are
    /// held, gives the input buffer back, and if that is not enough, everything
    /// [`release_memory`](Self::release_memory) gives back. Returns whether it released
    /// anything.
    pub(crate) fn release_over(&mut self, threshold: usize) -> bool {
        if self.heap_bytes() <= threshold || self.buffered() != 0 {
            return false;
        }
        self.compact();
        self.buf.truncate(self.filled);
        self.buf.shrink_to_fit();
        if self.heap_bytes() > threshold {
            self.release_memory();
        }
        true
    }

    /// Heap bytes this parser holds (buffer, index, namespace table, header copy, arena).
    pub fn heap_bytes(&self) -> usize {
        self.buf.capacity() + self.framer.heap_bytes() + self.arena.allocated_bytes()
    }

    /// Bytes [`spare_capacity`](Self::spare_capacity) can offer without growing the
    /// buffer.
    pub(crate) fn room(&self) -> usize {
        self.buf.len() - self.buffered()
    }

    /// Bytes of input held in the buffer and not yet released by an event.
    pub fn buffered(&self) -> usize {
        self.filled - self.keep_from().min(self.filled)
    }
}

#[cfg(test)]
mod tests {
    use crate::parser::{Event, Parser};

    /// One byte at a time into a growing stanza: the buffer grows geometrically (so
    /// `feed` finds room inline almost always), and every byte is kept.
    #[test]
    fn small_feeds_grow_the_buffer_geometrically() {
        let mut p = Parser::new();
        let mut input = b"<stream:stream xmlns='jabber:client' \
            xmlns:stream='http://etherx.jabber.org/streams'><message><body>"
            .to_vec();
        // Smaller under miri, which runs these tests (slowly) for `scanned_str`.
        let body = if cfg!(miri) { 1_500 } else { 20_000 };
        input.resize(input.len() + body, b'x');
        input.extend_from_slice(b"</body></message>");
        let mut lengths = Vec::new();
        let mut stanzas = 0;
        for b in input.chunks(1) {
            p.feed(b);
            if lengths.last() != Some(&p.buf.len()) {
                lengths.push(p.buf.len());
            }
            while let Some(ev) = p.next_event().unwrap() {
                if let Event::Stanza(s) = ev {
                    assert_eq!(s.raw().len(), body + 32);
                    stanzas += 1;
                }
            }
        }
        assert_eq!(stanzas, 1);
        assert!(lengths.len() <= 20, "{} lengths", lengths.len());
        assert!(p.buf.len() <= 2 * (body + 100), "{}", p.buf.len());
    }

    #[test]
    fn idle_parser_releases_memory() {
        let mut p = Parser::new();
        p.feed(b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com'>");
        for _ in 0..100 {
            p.feed(b"<message to='a@b'><body>hello &amp; bye</body><x xmlns='urn:x'/></message>");
            while let Some(ev) = p.next_event().unwrap() {
                if let Event::Stanza(s) = ev {
                    assert_eq!(
                        s.root().child("jabber:client", "body").unwrap().text(),
                        "hello & bye"
                    );
                }
            }
        }
        assert!(p.heap_bytes() > 1024);
        p.release_memory();
        assert!(p.heap_bytes() <= 1024, "{}", p.heap_bytes());
        // Still usable, header bindings intact.
        p.feed(b"<message><body>again</body></message>");
        let Some(Event::Stanza(s)) = p.next_event().unwrap() else {
            panic!()
        };
        assert!(s.root().is("jabber:client", "message"));
    }
}

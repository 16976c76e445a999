//! Vectorised skipping of ordinary text and attribute-value bytes, the scanner's two
//! hottest loops, and of names. On x86_64 the first 128 bytes of a text or value go
//! through an inlined SSE2 loop (16 bytes per step; SSE2 is the x86_64 baseline), whose
//! stop is the answer; a run that goes on is handed to the 64-byte block classification
//! of `classify.rs` when the CPU has AVX2 (without it, the SSE2 loop goes on: SSE2 blocks
//! were slower), and only the last bytes of a buffer come back to the word loop. On
//! aarch64 the NEON block classification runs first; elsewhere a portable SWAR version
//! does 8 bytes per step. The SWAR loop only finds *candidates*, and the byte-class
//! table has the final word; the SSE2 tests of text, values and names and the block
//! masks are exact (debug-asserted against the table). Either way the result is exactly
//! that of the plain table loop (see the tests, which also run under miri).
//!
//! With `classify.rs`, this is the scanner's only `unsafe` code. It pays: on
//! payload-heavy traffic (long base64 text) the scanner spent ~5 instructions per byte in
//! the table loop; a name took a table load and a branch per byte (issue 11); see
//! benches/README.md.

use super::classify;
use crate::chars::{class, ATTR, NAME, TEXT};

/// Bytes the inlined SSE2 loop scans before a run is handed to the block classification
/// (`classify.rs`): most text and attribute values end within them, and pay no dispatch.
#[cfg(target_arch = "x86_64")]
const HEAD: usize = 128;

/// Index of the first byte in `buf[i..end]` outside [`TEXT`] (`end` when none); without
/// `WIDE`, the plain table loop (for scans of a few bytes, which need no set-up).
#[inline(always)]
pub(crate) fn skip_text<const WIDE: bool>(buf: &[u8], i: usize, end: usize) -> usize {
    let buf = &buf[..end];
    if !WIDE {
        return table(buf, i, TEXT);
    }
    #[cfg(target_arch = "x86_64")]
    let i = match sse2::skip(
        buf,
        i,
        sse2::text_candidates,
        classify::skip::<{ classify::TEXT }>,
    ) {
        // The stop itself: the word loop has nothing to add.
        Ok(stop) => return stop,
        Err(tail) => tail,
    };
    #[cfg(target_arch = "aarch64")]
    let i = classify::skip::<{ classify::TEXT }>(buf, i);
    swar::skip(buf, i, TEXT, swar::text_special)
}

/// Index of the first byte in `buf[i..end]` outside [`ATTR`] (`end` when none); `WIDE`
/// as for [`skip_text`].
#[inline(always)]
pub(crate) fn skip_attr<const WIDE: bool>(buf: &[u8], i: usize, end: usize) -> usize {
    let buf = &buf[..end];
    if !WIDE {
        return table(buf, i, ATTR);
    }
    #[cfg(target_arch = "x86_64")]
    let i = match sse2::skip(
        buf,
        i,
        sse2::attr_candidates,
        classify::skip::<{ classify::ATTR }>,
    ) {
        // The stop itself: the word loop has nothing to add.
        Ok(stop) => return stop,
        Err(tail) => tail,
    };
    #[cfg(target_arch = "aarch64")]
    let i = classify::skip::<{ classify::ATTR }>(buf, i);
    swar::skip(buf, i, ATTR, swar::attr_special)
}

/// Index of the first byte in `buf[i..end]` that cannot continue a name in ASCII
/// (outside [`NAME`]: a delimiter or a non-ASCII byte, which the caller decodes; `end`
/// when none); without `WIDE`, the plain table loop. Names are short: on x86_64 one
/// exact 16-byte SSE2 test per step (most names end in the first) instead of a table
/// load and branch per byte (issue 11).
#[inline(always)]
pub(crate) fn skip_name<const WIDE: bool>(buf: &[u8], i: usize, end: usize) -> usize {
    let buf = &buf[..end];
    #[cfg(target_arch = "x86_64")]
    if WIDE {
        return sse2::skip_name(buf, i);
    }
    table(buf, i, NAME)
}

/// The plain table loop: the first byte from `i` whose class lacks `mask`.
#[inline(always)]
fn table(buf: &[u8], i: usize, mask: u8) -> usize {
    match buf.get(i..) {
        Some(rest) => rest
            .iter()
            .position(|&b| class(b) & mask == 0)
            .map_or(buf.len(), |k| i + k),
        // Past the end: names may be asked to start past the horizon (which may lie
        // before the name); nothing is skipped.
        None => i,
    }
}

/// Portable word-at-a-time version (also finishes the last few bytes on x86_64).
mod swar {
    use super::class;

    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;

    /// Non-zero when some byte of `x` is below `n` (`n <= 128`); exact as a boolean.
    #[inline(always)]
    fn has_less(x: u64, n: u64) -> u64 {
        x.wrapping_sub(ONES * n) & !x & HIGH
    }

    /// Non-zero when some byte of `x` equals `b`.
    #[inline(always)]
    fn has_byte(x: u64, b: u8) -> u64 {
        let y = x ^ (ONES * b as u64);
        y.wrapping_sub(ONES) & !y & HIGH
    }

    /// Candidates for a byte outside TEXT; TAB and LF are false positives.
    #[inline(always)]
    pub(super) fn text_special(w: u64) -> u64 {
        has_less(w, 0x20) | (w & HIGH) | has_byte(w, b'<') | has_byte(w, b'&') | has_byte(w, b'>')
    }

    /// Candidates for a byte outside ATTR.
    #[inline(always)]
    pub(super) fn attr_special(w: u64) -> u64 {
        has_less(w, 0x20)
            | (w & HIGH)
            | has_byte(w, b'"')
            | has_byte(w, b'\'')
            | has_byte(w, b'<')
            | has_byte(w, b'&')
    }

    #[inline(always)]
    pub(super) fn skip(buf: &[u8], mut i: usize, mask: u8, special: fn(u64) -> u64) -> usize {
        while i + 8 <= buf.len() {
            let mut word = [0u8; 8];
            word.copy_from_slice(&buf[i..i + 8]);
            if special(u64::from_le_bytes(word)) != 0 {
                if let Some(k) = word.iter().position(|&b| class(b) & mask == 0) {
                    return i + k;
                }
            }
            i += 8;
        }
        match buf[i..].iter().position(|&b| class(b) & mask == 0) {
            Some(k) => i + k,
            None => buf.len(),
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::class;
    use crate::chars::NAME;
    // `in_range`: one add and one signed compare per range.
    use crate::scan::classify::Vector;
    use core::arch::x86_64::{
        __m128i, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    /// Bit k set when byte k of `v` is an ASCII name byte (`A-Z a-z 0-9 - . : _`, the
    /// [`NAME`] class exactly; non-ASCII bytes are negative as `i8`, so no range takes
    /// them).
    #[inline(always)]
    fn name_bytes(v: __m128i) -> u32 {
        // SAFETY: SSE2 is part of the x86_64 baseline; these intrinsics only compute on
        // register values.
        let m = unsafe {
            // `A`-`Z` folded onto `a`-`z` (a byte from 0x80 keeps its bit 7).
            let alpha = _mm_or_si128(v, _mm_set1_epi8(0x20)).in_range(b'a', b'z');
            // `-` `.` `/` `0`-`9` `:` are 0x2D..=0x3A; `/` is not a name byte.
            let punct_digit = _mm_andnot_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'/' as i8)),
                v.in_range(b'-', b':'),
            );
            let underscore = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'_' as i8));
            _mm_movemask_epi8(_mm_or_si128(alpha, _mm_or_si128(punct_digit, underscore)))
        };
        m as u32
    }

    /// The first byte from `i` outside [`NAME`], 16 bytes per step; the last bytes (fewer
    /// than 16) by the table.
    #[inline(always)]
    pub(super) fn skip_name(buf: &[u8], mut i: usize) -> usize {
        while i + 16 <= buf.len() {
            let block = &buf[i..i + 16];
            // SAFETY: `block` is exactly 16 readable bytes; `_mm_loadu_si128` has no
            // alignment requirement, and SSE2 is part of the x86_64 baseline.
            let v = unsafe { _mm_loadu_si128(block.as_ptr().cast::<__m128i>()) };
            let stops = !name_bytes(v) & 0xFFFF;
            if stops != 0 {
                let k = stops.trailing_zeros() as usize;
                debug_assert!(class(block[k]) & NAME == 0);
                debug_assert!(block[..k].iter().all(|&b| class(b) & NAME != 0));
                return i + k;
            }
            i += 16;
        }
        super::table(buf, i, NAME)
    }

    /// Bit k set when byte k of `v` may be outside TEXT: a control character other than
    /// TAB and LF, a non-ASCII byte, `<`, `&` or `>`. Exact for ASCII.
    #[inline(always)]
    pub(super) fn text_candidates(v: __m128i) -> (u32, u8) {
        // SAFETY: SSE2 is part of the x86_64 baseline; these intrinsics only compute on
        // register values.
        let m = unsafe {
            // Signed compare: bytes 0x00..0x1F and 0x80..0xFF are "less than 0x20".
            let low_or_high = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
            let tab_lf = v.in_range(b'\t', b'\n');
            // `<` and `>` (0x3C, 0x3E) are the bytes that become `>` with bit 1 set.
            let markup = _mm_or_si128(
                _mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(2)), _mm_set1_epi8(b'>' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'&' as i8)),
            );
            _mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(tab_lf, low_or_high), markup))
        };
        (m as u32, crate::chars::TEXT)
    }

    /// Bit k set when byte k of `v` may be outside ATTR: a control character (TAB, LF and
    /// CR included), a non-ASCII byte, a quote, `<` or `&`. Exact for ASCII.
    #[inline(always)]
    pub(super) fn attr_candidates(v: __m128i) -> (u32, u8) {
        // SAFETY: as in `text_candidates`.
        let m = unsafe {
            let low_or_high = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
            // `&` and `'` (0x26, 0x27) are the bytes that become `'` with bit 0 set.
            let amp_apos = _mm_cmpeq_epi8(
                _mm_or_si128(v, _mm_set1_epi8(1)),
                _mm_set1_epi8(b'\'' as i8),
            );
            let quot_lt = _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'<' as i8)),
            );
            _mm_movemask_epi8(_mm_or_si128(low_or_high, _mm_or_si128(amp_apos, quot_lt)))
        };
        (m as u32, crate::chars::ATTR)
    }

    /// Skips 16-byte blocks with no stop (the candidates are exact): `Ok` with the first special byte, or `Err` with where fewer than 16
    /// bytes remain (for the word loop to finish; it
    /// used to run after a stop too, a fifth of a chat stream's scanning). After
    /// [`HEAD`](super::HEAD) bytes without a stop, the run is handed to `long` (the
    /// block classification), which returns the exact stop or where fewer than a block
    /// remain; this loop then finishes.
    #[inline(always)]
    pub(super) fn skip(
        buf: &[u8],
        mut i: usize,
        candidates: fn(__m128i) -> (u32, u8),
        long: fn(&[u8], usize) -> usize,
    ) -> Result<usize, usize> {
        let mut head = i + super::HEAD;
        while i + 16 <= buf.len() {
            let block = &buf[i..i + 16];
            // SAFETY: `block` is exactly 16 readable bytes; `_mm_loadu_si128` has no
            // alignment requirement, and SSE2 is part of the x86_64 baseline.
            let v = unsafe { _mm_loadu_si128(block.as_ptr().cast::<__m128i>()) };
            let (bits, mask) = candidates(v);
            if bits != 0 {
                let k = bits.trailing_zeros() as usize;
                debug_assert!(class(block[k]) & mask == 0);
                debug_assert!(block[..k].iter().all(|&b| class(b) & mask != 0));
                return Ok(i + k);
            }
            i += 16;
            if i == head {
                i = long(buf, i);
                head = usize::MAX;
            }
        }
        Err(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oracle(buf: &[u8], i: usize, end: usize, mask: u8) -> usize {
        buf[i..end]
            .iter()
            .position(|&b| class(b) & mask == 0)
            .map_or(end, |k| i + k)
    }

    #[test]
    fn agrees_with_the_table_for_every_byte_at_every_position() {
        // Long enough for the SSE2 head, a block of `classify` and the tails after it.
        let n = if cfg!(miri) { 200 } else { 210 };
        let step = if cfg!(miri) { 17 } else { 1 };
        let bytes: Vec<u8> = if cfg!(miri) {
            vec![
                0, 9, 10, 13, 0x1F, 0x20, b'"', b'&', b'\'', b'<', b'>', b']', 0x7F, 0x80, 0xC3,
                0xFF,
            ]
        } else {
            (0..=255).collect()
        };
        for &b in &bytes {
            for at in (0..n).step_by(step) {
                let mut buf = vec![b'a'; n];
                buf[at] = b;
                for (start, end) in [(0, n), (3, n - 1), (at.min(5), at + 1)] {
                    let text = oracle(&buf, start, end, TEXT);
                    let attr = oracle(&buf, start, end, ATTR);
                    assert_eq!(skip_text::<true>(&buf, start, end), text, "{b:#x}@{at}");
                    assert_eq!(skip_text::<false>(&buf, start, end), text, "{b:#x}@{at}");
                    assert_eq!(skip_attr::<true>(&buf, start, end), attr, "{b:#x}@{at}");
                    assert_eq!(skip_attr::<false>(&buf, start, end), attr, "{b:#x}@{at}");
                    let name = oracle(&buf, start, end, NAME);
                    assert_eq!(skip_name::<true>(&buf, end + 1, end), end + 1);
                    assert_eq!(skip_name::<true>(&buf, start, end), name, "{b:#x}@{at}");
                    assert_eq!(skip_name::<false>(&buf, start, end), name, "{b:#x}@{at}");
                }
            }
        }
    }

    #[test]
    fn tabs_and_newlines_do_not_stop_text() {
        let text = "line one\n\tline two\nline three with = signs and / slashes ".repeat(3);
        type Skip = fn(&[u8], usize, usize) -> usize;
        let pairs: [(Skip, Skip); 2] = [
            (skip_text::<true>, skip_attr::<true>),
            (skip_text::<false>, skip_attr::<false>),
        ];
        for (t, a) in pairs {
            assert_eq!(t(text.as_bytes(), 0, text.len()), text.len());
            assert_eq!(a(text.as_bytes(), 0, text.len()), 8);
        }
    }
}

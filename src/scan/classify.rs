//! Classification of 64-byte blocks into bitmasks, simdjson-style: bit k of a mask says
//! whether byte k of the block is in a class (`<`, `>`, `&`, a quote, `]`, CR, TAB/LF, a
//! forbidden control character, a non-ASCII byte, an ASCII byte that breaks a name).
//! The machines ask for one combined mask ([`Stop`]) and jump to its lowest set bit.
//!
//! Backends: AVX2 (two 32-byte vectors per block; detected at run time, the answer
//! cached by `std`), SSE2 (four 16-byte vectors; the x86_64 baseline), NEON on aarch64,
//! and the scalar classification, which is the oracle every other backend is tested
//! against (unit tests here, a proptest, and the `classify` fuzz target). Under miri the
//! AVX2 backend is never chosen, so miri runs the SSE2 and scalar code. The vector
//! backends share one classification, written over the small [`Vector`] trait (load,
//! splat, compare-equal, or, and-not, an unsigned range test, movemask) that each
//! implements for its vector type. On AVX2 the `TEXT` and `ATTR` skips, the long runs
//! of text and values, instead look each byte's two nibbles up in two 16-byte tables
//! (`avx2::Nibbles`, simdjson's classification) and test a whole block with one
//! `vptest`, computing the masks only at the block that stops.
//!
//! Only long runs come here (see `simd.rs`): a scan that stops in its first 128 bytes is
//! done by the inlined SSE2 loop there, so short text and attribute values, and calls
//! with fewer than 64 bytes, never pay for the dispatch.
//!
//! The scans use the combined masks only; the per-class [`Masks`] and the scalar oracle
//! serve the tests and the fuzz target.
#![cfg_attr(not(any(test, fuzzing)), allow(dead_code))]

use crate::chars::class;

/// Bytes per block.
pub(crate) const BLOCK: usize = 64;

/// Which combined mask a scan stops at (a const parameter of the scans).
pub(crate) type Stop = u8;
/// A byte outside `chars::TEXT`: `<`, `&`, `>`, CR, a forbidden control character, or
/// a non-ASCII byte.
pub(crate) const TEXT: Stop = 0;
/// A byte outside `chars::ATTR`: `<`, `&`, a quote, TAB, LF, CR, a forbidden control
/// character, or a non-ASCII byte.
pub(crate) const ATTR: Stop = 1;
/// A byte outside `chars::CDATA`: `]`, CR, a forbidden control character, or a
/// non-ASCII byte.
pub(crate) const CDATA: Stop = 2;
/// A byte outside `chars::NAME` (a non-ASCII byte included).
pub(crate) const NAME: Stop = 3;

/// The class masks of one block: bit k describes byte k.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Masks {
    pub lt: u64,
    pub gt: u64,
    pub amp: u64,
    pub quot: u64,
    pub apos: u64,
    pub rbracket: u64,
    pub cr: u64,
    /// TAB or LF.
    pub tab_lf: u64,
    /// Below 0x20 and not TAB, LF or CR (never allowed).
    pub ctrl: u64,
    /// 0x80 and above.
    pub high: u64,
    /// ASCII and not a name character (`[A-Za-z0-9._:-]`).
    pub name_break: u64,
}

impl Masks {
    /// The combined mask for `stop`.
    #[inline(always)]
    pub(crate) fn stop(&self, stop: Stop) -> u64 {
        let always = self.cr | self.ctrl | self.high;
        match stop {
            TEXT => self.lt | self.gt | self.amp | always,
            ATTR => self.lt | self.amp | self.quot | self.apos | self.tab_lf | always,
            CDATA => self.rbracket | always,
            _ => self.name_break | self.high,
        }
    }
}

/// The scalar classification: the oracle.
pub(crate) fn scalar(block: &[u8; BLOCK]) -> Masks {
    let mut m = Masks::default();
    for (k, &b) in block.iter().enumerate() {
        let bit = 1u64 << k;
        let set = |mask: &mut u64, yes: bool| *mask |= if yes { bit } else { 0 };
        set(&mut m.lt, b == b'<');
        set(&mut m.gt, b == b'>');
        set(&mut m.amp, b == b'&');
        set(&mut m.quot, b == b'"');
        set(&mut m.apos, b == b'\'');
        set(&mut m.rbracket, b == b']');
        set(&mut m.cr, b == b'\r');
        set(&mut m.tab_lf, b == b'\t' || b == b'\n');
        set(&mut m.ctrl, b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'));
        set(&mut m.high, b >= 0x80);
        set(
            &mut m.name_break,
            b < 0x80 && class(b) & crate::chars::NAME == 0,
        );
    }
    m
}

/// The first index at or after `i` where the `STOP` mask has a bit, or the first index
/// from which fewer than [`BLOCK`] bytes remain, with the fastest backend this machine
/// has. Exact: the stop is the first byte of that class (the tests check every backend).
///
/// On x86_64 without AVX2 it returns `i`: SSE2 blocks were measured 11 % slower on
/// s2c-payload than `simd.rs`'s own SSE2 loop, which then goes on (the SSE2 backend
/// here is kept as a tested reference, and for miri).
#[inline(always)]
pub(crate) fn skip<const STOP: Stop>(buf: &[u8], i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        if has_avx2() {
            // SAFETY: the CPU has AVX2 (checked at run time just above).
            return unsafe { avx2::skip::<STOP>(buf, i) };
        }
        i
    }
    #[cfg(target_arch = "aarch64")]
    {
        neon::skip::<STOP>(buf, i)
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        skip_with(buf, i, |b| scalar(b).stop(STOP))
    }
}

/// Whether the AVX2 backend may run: detected at run time (`std` caches the answer in an
/// atomic), never under miri, which runs the SSE2 and scalar backends instead.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn has_avx2() -> bool {
    !cfg!(miri) && std::is_x86_feature_detected!("avx2")
}

/// The block loop of [`skip`] over a block-to-mask function.
#[inline(always)]
fn skip_with(buf: &[u8], mut i: usize, stops: impl Fn(&[u8; BLOCK]) -> u64) -> usize {
    while let Some(block) = buf.get(i..i + BLOCK) {
        let block: &[u8; BLOCK] = block.try_into().unwrap_or(&[0; BLOCK]);
        let m = stops(block);
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += BLOCK;
    }
    i
}

/// The vector operations the block classification is written with, one implementation
/// per backend (memchr's `Vector` design); [`lanes`], [`masks`] and [`stops`] are written
/// once over them.
///
/// # Safety
///
/// A method may only be called where the CPU has the backend's instructions (SSE2 and
/// NEON are baseline on x86_64 and aarch64; AVX2 is detected at run time, `has_avx2`),
/// and `load` only with at least `BYTES` bytes. They compute on register values only.
pub(super) trait Vector: Copy {
    /// Bytes per vector (16 or 32).
    const BYTES: usize;
    /// The first `BYTES` bytes of `bytes`.
    unsafe fn load(bytes: &[u8]) -> Self;
    /// `b` in every lane.
    unsafe fn splat(b: u8) -> Self;
    /// 0xFF where the lanes are equal, 0 elsewhere.
    unsafe fn eq(self, other: Self) -> Self;
    unsafe fn or(self, other: Self) -> Self;
    /// `self` and not `other`.
    unsafe fn and_not(self, other: Self) -> Self;
    /// 0xFF where `lo <= lane <= hi` (unsigned; `lo <= hi`), 0 elsewhere.
    unsafe fn in_range(self, lo: u8, hi: u8) -> Self;
    /// The mask of one block from its vectors' lane masks (each lane 0 or 0xFF), the
    /// first vector's lanes in the lowest bits.
    unsafe fn movemask(vectors: &[Self]) -> u64;
}

/// Vectors per block.
const fn per_block<V: Vector>() -> usize {
    BLOCK / V::BYTES
}

/// Per-class lanes of one vector (0xFF where the byte is in the class).
struct Lanes<V> {
    lt: V,
    gt: V,
    amp: V,
    quot: V,
    apos: V,
    rbracket: V,
    cr: V,
    tab_lf: V,
    ctrl: V,
    high: V,
    name_break: V,
}

/// The class lanes of `v` (the [`Masks`] of its bytes).
///
/// # Safety
/// As [`Vector`]'s methods.
#[inline(always)]
unsafe fn lanes<V: Vector>(v: V) -> Lanes<V> {
    // SAFETY: the caller's contract.
    unsafe {
        let eq = |b: u8| v.eq(V::splat(b));
        let high = v.in_range(0x80, 0xFF);
        let cr = eq(b'\r');
        let tab_lf = eq(b'\t').or(eq(b'\n'));
        let ctrl = v.in_range(0, 0x1F).and_not(cr.or(tab_lf));
        // `a`..`z` once `A`..`Z` are folded onto them.
        let alpha = v.or(V::splat(0x20)).in_range(b'a', b'z');
        // `-` `.` `/` `0`..`9` `:`, without `/`.
        let punct = v.in_range(b'-', b':').and_not(eq(b'/'));
        let name = alpha.or(punct).or(eq(b'_'));
        Lanes {
            lt: eq(b'<'),
            gt: eq(b'>'),
            amp: eq(b'&'),
            quot: eq(b'"'),
            apos: eq(b'\''),
            rbracket: eq(b']'),
            cr,
            tab_lf,
            ctrl,
            high,
            name_break: V::splat(0xFF).and_not(name.or(high)),
        }
    }
}

/// The combined lanes for `stop` of the vector `v` (as [`Masks::stop`]). `TEXT` and
/// `ATTR`, the long runs the blocks are for, straight from the bytes: every byte outside
/// 0x20..=0x7F but TAB and LF (controls, CR, non-ASCII: one range) and the markup bytes
/// (`<` and `>` as one compare of `v | 2` with `>`); for `ATTR` TAB and LF too, the
/// quotes, and not `>` (about two thirds of the operations of combining [`lanes`];
/// issue 11). `CDATA` and `NAME` from [`lanes`]. The tests compare every backend's masks
/// with the scalar classification.
///
/// # Safety
/// As [`Vector`]'s methods.
#[inline(always)]
unsafe fn stop_lanes<V: Vector>(v: V, stop: Stop) -> V {
    // SAFETY: the caller's contract.
    unsafe {
        let eq = |b: u8| v.eq(V::splat(b));
        match stop {
            TEXT => {
                let ok = v.in_range(0x20, 0x7F).or(eq(b'\t').or(eq(b'\n')));
                let lt_gt = v.or(V::splat(0x02)).eq(V::splat(b'>'));
                V::splat(0xFF).and_not(ok).or(lt_gt.or(eq(b'&')))
            }
            ATTR => {
                let quotes = eq(b'"').or(eq(b'\''));
                V::splat(0xFF)
                    .and_not(v.in_range(0x20, 0x7F))
                    .or(eq(b'<').or(eq(b'&')).or(quotes))
            }
            CDATA => {
                let l = lanes(v);
                l.rbracket.or(l.cr.or(l.ctrl).or(l.high))
            }
            _ => {
                let l = lanes(v);
                l.name_break.or(l.high)
            }
        }
    }
}

/// The lanes of each vector of `block`, first to last (`per_block::<V>()` of them; the
/// rest repeat the first).
///
/// # Safety
/// As [`Vector`]'s methods.
#[inline(always)]
unsafe fn block_lanes<V: Vector>(block: &[u8; BLOCK]) -> [Lanes<V>; 4] {
    let vector = |k: usize| block.get(k * V::BYTES..).unwrap_or(block);
    // SAFETY: the caller's contract; each slice holds `V::BYTES` bytes at least.
    core::array::from_fn(|k| unsafe { lanes(V::load(vector(k % per_block::<V>()))) })
}

/// All masks of `block`.
///
/// # Safety
/// As [`Vector`]'s methods.
#[inline(always)]
unsafe fn masks<V: Vector>(block: &[u8; BLOCK]) -> Masks {
    // SAFETY: the caller's contract.
    let l = unsafe { block_lanes::<V>(block) };
    let field = |f: fn(&Lanes<V>) -> V| {
        let v = l.each_ref().map(f);
        // SAFETY: the caller's contract.
        unsafe { V::movemask(&v[..per_block::<V>()]) }
    };
    Masks {
        lt: field(|l| l.lt),
        gt: field(|l| l.gt),
        amp: field(|l| l.amp),
        quot: field(|l| l.quot),
        apos: field(|l| l.apos),
        rbracket: field(|l| l.rbracket),
        cr: field(|l| l.cr),
        tab_lf: field(|l| l.tab_lf),
        ctrl: field(|l| l.ctrl),
        high: field(|l| l.high),
        name_break: field(|l| l.name_break),
    }
}

/// The `STOP` mask of `block`.
///
/// # Safety
/// As [`Vector`]'s methods.
#[inline(always)]
unsafe fn stops<V: Vector, const STOP: Stop>(block: &[u8; BLOCK]) -> u64 {
    // SAFETY: the caller's contract; each slice holds `V::BYTES` bytes at least.
    unsafe {
        let mut v = [V::splat(0); 4];
        for (k, lane) in v.iter_mut().take(per_block::<V>()).enumerate() {
            let bytes = block.get(k * V::BYTES..).unwrap_or(block);
            *lane = stop_lanes(V::load(bytes), STOP);
        }
        V::movemask(&v[..per_block::<V>()])
    }
}

/// [`skip`] with the backend of `V`.
///
/// # Safety
/// As [`Vector`]'s methods.
#[inline(always)]
unsafe fn skip_vectors<V: Vector, const STOP: Stop>(buf: &[u8], i: usize) -> usize {
    // SAFETY: the caller's contract.
    skip_with(buf, i, |block| unsafe { stops::<V, STOP>(block) })
}

/// [`Vector`] for an x86_64 vector type from its intrinsics: SSE2 and AVX2 have the same
/// operations under other names (`$t`, its bytes, then load, set1, cmpeq, cmpgt, or,
/// andnot, add and movemask).
#[cfg(target_arch = "x86_64")]
macro_rules! x86_vector {
    ($t:ty, $bytes:literal, $load:ident, $set1:ident, $cmpeq:ident, $cmpgt:ident, $or:ident,
     $andnot:ident, $add:ident, $movemask:ident) => {
        // SAFETY (every block here): the trait's contract is that the CPU has the
        // instructions; they compute on register values, but the load, argued there.
        impl Vector for $t {
            const BYTES: usize = $bytes;

            #[inline(always)]
            unsafe fn load(bytes: &[u8]) -> Self {
                debug_assert!(bytes.len() >= $bytes);
                // SAFETY: `BYTES` readable bytes (the trait's contract); no alignment
                // required.
                unsafe { $load(bytes.as_ptr().cast::<$t>()) }
            }

            #[inline(always)]
            unsafe fn splat(b: u8) -> Self {
                // SAFETY: see the impl.
                unsafe { $set1(b as i8) }
            }

            #[inline(always)]
            unsafe fn eq(self, other: Self) -> Self {
                // SAFETY: see the impl.
                unsafe { $cmpeq(self, other) }
            }

            #[inline(always)]
            unsafe fn or(self, other: Self) -> Self {
                // SAFETY: see the impl.
                unsafe { $or(self, other) }
            }

            #[inline(always)]
            unsafe fn and_not(self, other: Self) -> Self {
                // SAFETY: see the impl.
                unsafe { $andnot(other, self) }
            }

            /// With signed compares: shifted by 0x80 - lo, the range becomes
            /// -128..=-128+(hi-lo).
            #[inline(always)]
            unsafe fn in_range(self, lo: u8, hi: u8) -> Self {
                debug_assert!(lo <= hi);
                // SAFETY: see the impl.
                unsafe {
                    let y = $add(self, $set1(0x80u8.wrapping_sub(lo) as i8));
                    $cmpgt($set1((-128 + (hi - lo) as i32 + 1) as i8), y)
                }
            }

            #[inline(always)]
            unsafe fn movemask(vectors: &[Self]) -> u64 {
                let mut m = 0;
                for (k, &v) in vectors.iter().enumerate() {
                    // SAFETY: see the impl.
                    m |= (unsafe { $movemask(v) } as u32 as u64) << ($bytes * k);
                }
                m
            }
        }
    };
}
#[cfg(target_arch = "x86_64")]
use x86_vector;

#[cfg(target_arch = "x86_64")]
pub(crate) mod sse2 {
    use super::{Masks, Stop, Vector, BLOCK};
    use core::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    // The CPU has SSE2: it is part of the x86_64 baseline.
    super::x86_vector!(
        __m128i,
        16,
        _mm_loadu_si128,
        _mm_set1_epi8,
        _mm_cmpeq_epi8,
        _mm_cmpgt_epi8,
        _mm_or_si128,
        _mm_andnot_si128,
        _mm_add_epi8,
        _mm_movemask_epi8
    );

    /// All masks of `block`.
    pub(crate) fn masks(block: &[u8; BLOCK]) -> Masks {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { super::masks::<__m128i>(block) }
    }

    /// The `STOP` mask of `block`.
    #[inline(always)]
    pub(crate) fn stops<const STOP: Stop>(block: &[u8; BLOCK]) -> u64 {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { super::stops::<__m128i, STOP>(block) }
    }

    /// [`super::skip`] with this backend.
    #[inline(always)]
    pub(crate) fn skip<const STOP: Stop>(buf: &[u8], i: usize) -> usize {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { super::skip_vectors::<__m128i, STOP>(buf, i) }
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2 {
    use super::{Masks, Stop, Vector, ATTR, BLOCK, TEXT};
    use core::arch::x86_64::{
        __m256i, _mm256_add_epi8, _mm256_and_si256, _mm256_andnot_si256, _mm256_cmpeq_epi8,
        _mm256_cmpgt_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8, _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_srli_epi16,
        _mm256_testz_si256,
    };

    // The CPU has AVX2: the `#[target_feature(enable = "avx2")]` entry points below, into
    // which the methods are inlined (they are no `#[target_feature]` functions themselves,
    // which the generic classification could not inline), are called only after
    // `has_avx2`.
    super::x86_vector!(
        __m256i,
        32,
        _mm256_loadu_si256,
        _mm256_set1_epi8,
        _mm256_cmpeq_epi8,
        _mm256_cmpgt_epi8,
        _mm256_or_si256,
        _mm256_andnot_si256,
        _mm256_add_epi8,
        _mm256_movemask_epi8
    );

    /// All masks of `block`.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn masks(block: &[u8; BLOCK]) -> Masks {
        // SAFETY: the caller's contract (AVX2).
        unsafe { super::masks::<__m256i>(block) }
    }

    /// The `STOP` mask of `block` (`TEXT` and `ATTR` by [`Nibbles`], as [`skip`] finds
    /// them).
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) unsafe fn stops<const STOP: Stop>(block: &[u8; BLOCK]) -> u64 {
        if let Some(n) = Nibbles::of(STOP) {
            // SAFETY: the caller's contract (AVX2).
            return unsafe { Nibbles::mask(n.block(block)) };
        }
        // SAFETY: the caller's contract (AVX2).
        unsafe { super::stops::<__m256i, STOP>(block) }
    }

    /// [`super::skip`] with this backend: `TEXT` and `ATTR`, the long runs of text and
    /// attribute values, by [`Nibbles`]; `CDATA` and `NAME` by the compares of
    /// `stop_lanes`.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn skip<const STOP: Stop>(buf: &[u8], mut i: usize) -> usize {
        let Some(n) = Nibbles::of(STOP) else {
            // SAFETY: the caller's contract (AVX2).
            return unsafe { super::skip_vectors::<__m256i, STOP>(buf, i) };
        };
        while let Some(block) = buf.get(i..i + BLOCK) {
            let block: &[u8; BLOCK] = block.try_into().unwrap_or(&[0; BLOCK]);
            // SAFETY: the caller's contract (AVX2); register values only past the loads.
            unsafe {
                let halves = n.block(block);
                // One test of the block on the way through a run; the mask only at its
                // stop.
                let any = _mm256_or_si256(halves.0, halves.1);
                if _mm256_testz_si256(any, any) == 0 {
                    return i + Nibbles::mask(halves).trailing_zeros() as usize;
                }
            }
            i += BLOCK;
        }
        i
    }

    /// A stop class by nibble lookup (simdjson's classification): a byte stops when
    /// the table entry of its low nibble and that of its high nibble share a bit; two
    /// `vpshufb` and four other operations per 32 bytes, where the compares of
    /// `stop_lanes` take twelve (issue 11: the long base64 runs of s2c-payload). Each
    /// bit is one group of stop bytes:
    ///
    /// | bit | high nibble | low nibbles | `TEXT` | `ATTR` |
    /// |---|---|---|---|---|
    /// | 1 | 0 | all but 9, A | controls and CR | (in bit 2) |
    /// | 2 | 1, 8..F (`ATTR`: 0 too) | all | controls, non-ASCII | controls, TAB, LF, CR, non-ASCII |
    /// | 4 | 2 | 6 (`&`); `ATTR` also 2, 7 (quotes) | `&` | `&`, `"`, `'` |
    /// | 8 | 3 | C (`<`); `TEXT` also E (`>`) | `<`, `>` | `<` |
    ///
    /// The backend tests and the `classify` fuzz target compare it with the scalar
    /// classification for every byte at every position.
    #[derive(Clone, Copy)]
    struct Nibbles {
        low: __m256i,
        high: __m256i,
    }

    impl Nibbles {
        /// The tables of `TEXT` or `ATTR` (none for the other stops).
        #[inline(always)]
        fn of(stop: Stop) -> Option<Self> {
            // Indexed by the nibble, 0 to F; the bits of the table above.
            let (low, high): ([u8; 16], [u8; 16]) = match stop {
                TEXT => (
                    [3, 3, 3, 3, 3, 3, 7, 3, 3, 2, 2, 3, 11, 3, 11, 3],
                    [1, 2, 4, 8, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2],
                ),
                ATTR => (
                    [2, 2, 6, 2, 2, 2, 6, 6, 2, 2, 2, 2, 10, 2, 2, 2],
                    [2, 2, 4, 8, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2],
                ),
                _ => return None,
            };
            // Each table in both 128-bit lanes (`vpshufb` looks up within a lane).
            let lane = |t: [u8; 16]| {
                let both: [u8; 32] = core::array::from_fn(|k| t[k % 16]);
                // SAFETY: 32 readable bytes, no alignment required; AVX, which every
                // caller's `#[target_feature(enable = "avx2")]` implies.
                unsafe { _mm256_loadu_si256(both.as_ptr().cast()) }
            };
            Some(Nibbles {
                low: lane(low),
                high: lane(high),
            })
        }

        /// Non-zero lanes where a byte of `v` stops.
        ///
        /// # Safety
        /// The CPU must have AVX2.
        #[inline(always)]
        unsafe fn stops(self, v: __m256i) -> __m256i {
            // SAFETY: the caller's contract (AVX2); register values only.
            unsafe {
                let nibble = _mm256_set1_epi8(0x0F);
                // Masked to 0..=15, so `vpshufb` never zeroes a lane for its bit 7.
                let lo = _mm256_and_si256(v, nibble);
                let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
                _mm256_and_si256(
                    _mm256_shuffle_epi8(self.low, lo),
                    _mm256_shuffle_epi8(self.high, hi),
                )
            }
        }

        /// [`stops`](Self::stops) of the two halves of `block`.
        ///
        /// # Safety
        /// The CPU must have AVX2.
        #[inline(always)]
        unsafe fn block(self, block: &[u8; BLOCK]) -> (__m256i, __m256i) {
            // SAFETY: `block` is 64 readable bytes, two unaligned loads of 32; the
            // caller's contract (AVX2).
            unsafe {
                (
                    self.stops(_mm256_loadu_si256(block.as_ptr().cast())),
                    self.stops(_mm256_loadu_si256(block[32..].as_ptr().cast())),
                )
            }
        }

        /// The 64-bit mask of the non-zero lanes of a block's [`block`](Self::block).
        ///
        /// # Safety
        /// The CPU must have AVX2.
        #[inline(always)]
        unsafe fn mask((lo, hi): (__m256i, __m256i)) -> u64 {
            // SAFETY: the caller's contract (AVX2); register values only.
            let half = |v| unsafe {
                !(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_setzero_si256())) as u32) as u64
            };
            half(lo) | half(hi) << 32
        }
    }
}

#[cfg(target_arch = "aarch64")]
pub(crate) mod neon {
    use super::{Masks, Stop, Vector, BLOCK};
    use core::arch::aarch64::{
        uint8x16_t, vandq_u8, vbicq_u8, vceqq_u8, vcgeq_u8, vcleq_u8, vdupq_n_u8, vgetq_lane_u64,
        vld1q_u8, vorrq_u8, vpaddq_u8, vreinterpretq_u64_u8,
    };

    // SAFETY (every block here): NEON is part of the aarch64 baseline; the intrinsics
    // compute on register values, but `vld1q_u8`, argued at its blocks.
    impl Vector for uint8x16_t {
        const BYTES: usize = 16;

        #[inline(always)]
        unsafe fn load(bytes: &[u8]) -> Self {
            debug_assert!(bytes.len() >= 16);
            // SAFETY: 16 readable bytes (the trait's contract); byte alignment.
            unsafe { vld1q_u8(bytes.as_ptr()) }
        }

        #[inline(always)]
        unsafe fn splat(b: u8) -> Self {
            // SAFETY: see the impl.
            unsafe { vdupq_n_u8(b) }
        }

        #[inline(always)]
        unsafe fn eq(self, other: Self) -> Self {
            // SAFETY: see the impl.
            unsafe { vceqq_u8(self, other) }
        }

        #[inline(always)]
        unsafe fn or(self, other: Self) -> Self {
            // SAFETY: see the impl.
            unsafe { vorrq_u8(self, other) }
        }

        #[inline(always)]
        unsafe fn and_not(self, other: Self) -> Self {
            // SAFETY: see the impl.
            unsafe { vbicq_u8(self, other) }
        }

        #[inline(always)]
        unsafe fn in_range(self, lo: u8, hi: u8) -> Self {
            // SAFETY: see the impl.
            unsafe {
                vandq_u8(
                    vcgeq_u8(self, vdupq_n_u8(lo)),
                    vcleq_u8(self, vdupq_n_u8(hi)),
                )
            }
        }

        /// Four vectors at once (simdjson's `to_bitmask`): each lane weighted by its bit,
        /// then pairwise sums down to one 64-bit lane.
        #[inline(always)]
        unsafe fn movemask(vectors: &[Self]) -> u64 {
            const WEIGHTS: [u8; 16] = [1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128];
            debug_assert!(vectors.len() == 4);
            let m = |k: usize| vectors.get(k).copied();
            let (Some(m0), Some(m1), Some(m2), Some(m3)) = (m(0), m(1), m(2), m(3)) else {
                return 0;
            };
            // SAFETY: see the impl; `WEIGHTS` is 16 readable bytes.
            unsafe {
                let w = vld1q_u8(WEIGHTS.as_ptr());
                let s01 = vpaddq_u8(vandq_u8(m0, w), vandq_u8(m1, w));
                let s23 = vpaddq_u8(vandq_u8(m2, w), vandq_u8(m3, w));
                let s = vpaddq_u8(s01, s23);
                let s = vpaddq_u8(s, s);
                vgetq_lane_u64::<0>(vreinterpretq_u64_u8(s))
            }
        }
    }

    /// All masks of `block`.
    pub(crate) fn masks(block: &[u8; BLOCK]) -> Masks {
        // SAFETY: NEON is part of the aarch64 baseline.
        unsafe { super::masks::<uint8x16_t>(block) }
    }

    /// The `STOP` mask of `block`.
    #[inline(always)]
    pub(crate) fn stops<const STOP: Stop>(block: &[u8; BLOCK]) -> u64 {
        // SAFETY: NEON is part of the aarch64 baseline.
        unsafe { super::stops::<uint8x16_t, STOP>(block) }
    }

    /// [`super::skip`] with this backend.
    #[inline(always)]
    pub(crate) fn skip<const STOP: Stop>(buf: &[u8], i: usize) -> usize {
        // SAFETY: NEON is part of the aarch64 baseline.
        unsafe { super::skip_vectors::<uint8x16_t, STOP>(buf, i) }
    }
}

/// Checks every backend this machine has against the scalar classification on `data`
/// at every alignment: the masks of each 64-byte window, each combined mask, and the
/// skips. Panics on a disagreement (the `classify` fuzz target and the tests).
pub(crate) fn check_backends(data: &[u8]) {
    for start in 0..data.len().min(BLOCK) {
        let bytes = &data[start..];
        for block in bytes.chunks_exact(BLOCK) {
            let block: &[u8; BLOCK] = block.try_into().unwrap_or(&[0; BLOCK]);
            let want = scalar(block);
            #[cfg(target_arch = "x86_64")]
            {
                assert_eq!(sse2::masks(block), want, "sse2 masks");
                if has_avx2() {
                    // SAFETY: the CPU has AVX2 (checked just above).
                    assert_eq!(unsafe { avx2::masks(block) }, want, "avx2 masks");
                }
            }
            #[cfg(target_arch = "aarch64")]
            assert_eq!(neon::masks(block), want, "neon masks");
            check_stops::<TEXT>(block, &want);
            check_stops::<ATTR>(block, &want);
            check_stops::<CDATA>(block, &want);
            check_stops::<NAME>(block, &want);
        }
        check_skip::<TEXT>(bytes);
        check_skip::<ATTR>(bytes);
        check_skip::<CDATA>(bytes);
        check_skip::<NAME>(bytes);
    }
}

fn check_stops<const STOP: Stop>(block: &[u8; BLOCK], want: &Masks) {
    let want = want.stop(STOP);
    #[cfg(target_arch = "x86_64")]
    {
        assert_eq!(sse2::stops::<STOP>(block), want, "sse2 stops {STOP}");
        if has_avx2() {
            // SAFETY: the CPU has AVX2 (checked just above).
            let got = unsafe { avx2::stops::<STOP>(block) };
            assert_eq!(got, want, "avx2 stops {STOP}");
        }
    }
    #[cfg(target_arch = "aarch64")]
    assert_eq!(neon::stops::<STOP>(block), want, "neon stops {STOP}");
    let _ = (block, want);
}

fn check_skip<const STOP: Stop>(bytes: &[u8]) {
    let want = skip_with(bytes, 0, |b| scalar(b).stop(STOP));
    let got = skip::<STOP>(bytes, 0);
    #[cfg(target_arch = "x86_64")]
    let got = if has_avx2() {
        got
    } else {
        sse2::skip::<STOP>(bytes, got)
    };
    assert_eq!(got, want, "skip {STOP}");
    #[cfg(target_arch = "x86_64")]
    {
        assert_eq!(sse2::skip::<STOP>(bytes, 0), want, "sse2 skip {STOP}");
        if has_avx2() {
            // SAFETY: the CPU has AVX2 (checked just above).
            let got = unsafe { avx2::skip::<STOP>(bytes, 0) };
            assert_eq!(got, want, "avx2 skip {STOP}");
        }
    }
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;

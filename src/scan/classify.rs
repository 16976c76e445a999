//! Classification of 64-byte blocks into bitmasks, simdjson-style: bit k of a mask says
//! whether byte k of the block is in a class (`<`, `>`, `&`, a quote, `]`, CR, TAB/LF, a
//! forbidden control character, a non-ASCII byte, an ASCII byte that breaks a name).
//! The machines ask for one combined mask ([`Stop`]) and jump to its lowest set bit.
//!
//! Backends: AVX2 (two 32-byte vectors per block; detected at run time, the answer
//! cached by `std`), SSE2 (four 16-byte vectors; the x86_64 baseline), NEON on aarch64,
//! and the scalar classification, which is the oracle every other backend is tested
//! against (unit tests here, a proptest, and the `classify` fuzz target). Under miri the
//! AVX2 backend is never chosen, so miri runs the SSE2 and scalar code.
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

#[cfg(target_arch = "x86_64")]
pub(crate) mod sse2 {
    use super::{skip_with, Masks, Stop, BLOCK};
    use core::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_setzero_si128,
    };

    /// Per-class lanes of one 16-byte vector (0xFF where the byte is in the class).
    struct Lanes {
        lt: __m128i,
        gt: __m128i,
        amp: __m128i,
        quot: __m128i,
        apos: __m128i,
        rbracket: __m128i,
        cr: __m128i,
        tab_lf: __m128i,
        ctrl: __m128i,
        high: __m128i,
        name_break: __m128i,
    }

    /// 0xFF where `lo <= byte <= hi` (unsigned; `lo <= hi`), with signed compares.
    #[inline(always)]
    fn in_range(v: __m128i, lo: u8, hi: u8) -> __m128i {
        debug_assert!(lo <= hi);
        // SAFETY: SSE2 is part of the x86_64 baseline; these intrinsics only compute on
        // register values. Shifted by 0x80 - lo, the range becomes -128..=-128+(hi-lo).
        unsafe {
            let y = _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
            _mm_cmplt_epi8(y, _mm_set1_epi8((-128 + (hi - lo) as i32 + 1) as i8))
        }
    }

    #[inline(always)]
    fn lanes(v: __m128i) -> Lanes {
        // SAFETY: as in `in_range`.
        unsafe {
            let eq = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
            let high = _mm_cmplt_epi8(v, _mm_setzero_si128());
            let cr = eq(b'\r');
            let tab_lf = _mm_or_si128(eq(b'\t'), eq(b'\n'));
            // Signed: below 0x20 or 0x80 and above.
            let low_or_high = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
            let ctrl = _mm_andnot_si128(_mm_or_si128(_mm_or_si128(high, cr), tab_lf), low_or_high);
            let alpha = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', b'z');
            // `-` `.` `/` `0`..`9` `:`, without `/`.
            let punct = _mm_andnot_si128(eq(b'/'), in_range(v, b'-', b':'));
            let name = _mm_or_si128(_mm_or_si128(alpha, punct), eq(b'_'));
            let name_break = _mm_andnot_si128(_mm_or_si128(name, high), _mm_set1_epi8(-1));
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
                name_break,
            }
        }
    }

    /// The combined lanes for `stop` (as [`Masks::stop`]).
    #[inline(always)]
    fn stop_lanes(l: &Lanes, stop: Stop) -> __m128i {
        // SAFETY: as in `in_range`.
        unsafe {
            let or = |a, b| _mm_or_si128(a, b);
            let always = or(or(l.cr, l.ctrl), l.high);
            match stop {
                super::TEXT => or(or(l.lt, l.gt), or(l.amp, always)),
                super::ATTR => or(
                    or(or(l.lt, l.amp), or(l.quot, l.apos)),
                    or(l.tab_lf, always),
                ),
                super::CDATA => or(l.rbracket, always),
                _ => or(l.name_break, l.high),
            }
        }
    }

    #[inline(always)]
    fn load(block: &[u8; BLOCK], k: usize) -> __m128i {
        debug_assert!(k < 4);
        let part = &block[16 * k..16 * k + 16];
        // SAFETY: `part` is exactly 16 readable bytes; `_mm_loadu_si128` has no
        // alignment requirement, and SSE2 is part of the x86_64 baseline.
        unsafe { _mm_loadu_si128(part.as_ptr().cast::<__m128i>()) }
    }

    #[inline(always)]
    fn bits(m: __m128i) -> u64 {
        // SAFETY: as in `in_range`.
        (unsafe { _mm_movemask_epi8(m) } as u32 & 0xFFFF) as u64
    }

    /// All masks of `block`.
    pub(crate) fn masks(block: &[u8; BLOCK]) -> Masks {
        let mut m = Masks::default();
        for k in 0..4 {
            let l = lanes(load(block, k));
            let s = 16 * k;
            m.lt |= bits(l.lt) << s;
            m.gt |= bits(l.gt) << s;
            m.amp |= bits(l.amp) << s;
            m.quot |= bits(l.quot) << s;
            m.apos |= bits(l.apos) << s;
            m.rbracket |= bits(l.rbracket) << s;
            m.cr |= bits(l.cr) << s;
            m.tab_lf |= bits(l.tab_lf) << s;
            m.ctrl |= bits(l.ctrl) << s;
            m.high |= bits(l.high) << s;
            m.name_break |= bits(l.name_break) << s;
        }
        m
    }

    /// The `STOP` mask of `block`.
    #[inline(always)]
    pub(crate) fn stops<const STOP: Stop>(block: &[u8; BLOCK]) -> u64 {
        let part = |k: usize| bits(stop_lanes(&lanes(load(block, k)), STOP)) << (16 * k);
        part(0) | part(1) | part(2) | part(3)
    }

    /// [`super::skip`] with this backend.
    #[inline(always)]
    pub(crate) fn skip<const STOP: Stop>(buf: &[u8], i: usize) -> usize {
        skip_with(buf, i, stops::<STOP>)
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2 {
    use super::{Masks, Stop, BLOCK};
    use core::arch::x86_64::{
        __m256i, _mm256_add_epi8, _mm256_andnot_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8,
        _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
        _mm256_setzero_si256,
    };

    /// Per-class lanes of one 32-byte vector (0xFF where the byte is in the class).
    struct Lanes {
        lt: __m256i,
        gt: __m256i,
        amp: __m256i,
        quot: __m256i,
        apos: __m256i,
        rbracket: __m256i,
        cr: __m256i,
        tab_lf: __m256i,
        ctrl: __m256i,
        high: __m256i,
        name_break: __m256i,
    }

    // Every function here is `unsafe` with `avx2` enabled: the caller has checked that
    // the CPU has AVX2 (`super::has_avx2`). They only compute on register values, except
    // `load`, whose safety is argued there.

    /// 0xFF where `lo <= byte <= hi` (unsigned; `lo <= hi`), as in the SSE2 backend.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn in_range(v: __m256i, lo: u8, hi: u8) -> __m256i {
        debug_assert!(lo <= hi);
        let y = _mm256_add_epi8(v, _mm256_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
        _mm256_cmpgt_epi8(_mm256_set1_epi8((-128 + (hi - lo) as i32 + 1) as i8), y)
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn eq(v: __m256i, b: u8) -> __m256i {
        _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b as i8))
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn lanes(v: __m256i) -> Lanes {
        let or = |a, b| _mm256_or_si256(a, b);
        let high = _mm256_cmpgt_epi8(_mm256_setzero_si256(), v);
        let cr = eq(v, b'\r');
        let tab_lf = or(eq(v, b'\t'), eq(v, b'\n'));
        let low_or_high = _mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), v);
        let ctrl = _mm256_andnot_si256(or(or(high, cr), tab_lf), low_or_high);
        let alpha = in_range(or(v, _mm256_set1_epi8(0x20)), b'a', b'z');
        let punct = _mm256_andnot_si256(eq(v, b'/'), in_range(v, b'-', b':'));
        let name = or(or(alpha, punct), eq(v, b'_'));
        let name_break = _mm256_andnot_si256(or(name, high), _mm256_set1_epi8(-1));
        Lanes {
            lt: eq(v, b'<'),
            gt: eq(v, b'>'),
            amp: eq(v, b'&'),
            quot: eq(v, b'"'),
            apos: eq(v, b'\''),
            rbracket: eq(v, b']'),
            cr,
            tab_lf,
            ctrl,
            high,
            name_break,
        }
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn stop_lanes(l: &Lanes, stop: Stop) -> __m256i {
        let or = |a, b| _mm256_or_si256(a, b);
        let always = or(or(l.cr, l.ctrl), l.high);
        match stop {
            super::TEXT => or(or(l.lt, l.gt), or(l.amp, always)),
            super::ATTR => or(
                or(or(l.lt, l.amp), or(l.quot, l.apos)),
                or(l.tab_lf, always),
            ),
            super::CDATA => or(l.rbracket, always),
            _ => or(l.name_break, l.high),
        }
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn load(block: &[u8; BLOCK], k: usize) -> __m256i {
        debug_assert!(k < 2);
        let part = &block[32 * k..32 * k + 32];
        // SAFETY: `part` is exactly 32 readable bytes; `_mm256_loadu_si256` has no
        // alignment requirement; AVX2 is enabled (the caller's contract).
        unsafe { _mm256_loadu_si256(part.as_ptr().cast::<__m256i>()) }
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn bits(m: __m256i) -> u64 {
        _mm256_movemask_epi8(m) as u32 as u64
    }

    /// All masks of `block`.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn masks(block: &[u8; BLOCK]) -> Masks {
        let mut m = Masks::default();
        for k in 0..2 {
            // SAFETY: the caller's contract (AVX2).
            let l = unsafe { lanes(load(block, k)) };
            let s = 32 * k;
            // SAFETY: as above.
            unsafe {
                m.lt |= bits(l.lt) << s;
                m.gt |= bits(l.gt) << s;
                m.amp |= bits(l.amp) << s;
                m.quot |= bits(l.quot) << s;
                m.apos |= bits(l.apos) << s;
                m.rbracket |= bits(l.rbracket) << s;
                m.cr |= bits(l.cr) << s;
                m.tab_lf |= bits(l.tab_lf) << s;
                m.ctrl |= bits(l.ctrl) << s;
                m.high |= bits(l.high) << s;
                m.name_break |= bits(l.name_break) << s;
            }
        }
        m
    }

    /// The `STOP` mask of `block`.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) unsafe fn stops<const STOP: Stop>(block: &[u8; BLOCK]) -> u64 {
        // SAFETY: the caller's contract (AVX2).
        unsafe {
            let a = bits(stop_lanes(&lanes(load(block, 0)), STOP));
            let b = bits(stop_lanes(&lanes(load(block, 1)), STOP));
            a | b << 32
        }
    }

    /// [`super::skip`] with this backend.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn skip<const STOP: Stop>(buf: &[u8], mut i: usize) -> usize {
        while let Some(block) = buf.get(i..i + BLOCK) {
            let block: &[u8; BLOCK] = block.try_into().unwrap_or(&[0; BLOCK]);
            // SAFETY: the caller's contract (AVX2).
            let m = unsafe { stops::<STOP>(block) };
            if m != 0 {
                return i + m.trailing_zeros() as usize;
            }
            i += BLOCK;
        }
        i
    }
}

#[cfg(target_arch = "aarch64")]
pub(crate) mod neon {
    use super::{skip_with, Masks, Stop, BLOCK};
    use core::arch::aarch64::{
        uint8x16_t, vandq_u8, vbicq_u8, vceqq_u8, vcgeq_u8, vcleq_u8, vcltq_u8, vdupq_n_u8,
        vgetq_lane_u64, vld1q_u8, vmvnq_u8, vorrq_u8, vpaddq_u8, vreinterpretq_u64_u8,
    };

    /// Per-class lanes of one 16-byte vector (0xFF where the byte is in the class).
    struct Lanes {
        lt: uint8x16_t,
        gt: uint8x16_t,
        amp: uint8x16_t,
        quot: uint8x16_t,
        apos: uint8x16_t,
        rbracket: uint8x16_t,
        cr: uint8x16_t,
        tab_lf: uint8x16_t,
        ctrl: uint8x16_t,
        high: uint8x16_t,
        name_break: uint8x16_t,
    }

    #[inline(always)]
    fn lanes(v: uint8x16_t) -> Lanes {
        // SAFETY: NEON is part of the aarch64 baseline; these intrinsics only compute on
        // register values.
        unsafe {
            let eq = |b: u8| vceqq_u8(v, vdupq_n_u8(b));
            let range =
                |lo: u8, hi: u8| vandq_u8(vcgeq_u8(v, vdupq_n_u8(lo)), vcleq_u8(v, vdupq_n_u8(hi)));
            let high = vcgeq_u8(v, vdupq_n_u8(0x80));
            let cr = eq(b'\r');
            let tab_lf = vorrq_u8(eq(b'\t'), eq(b'\n'));
            let ctrl = vbicq_u8(vcltq_u8(v, vdupq_n_u8(0x20)), vorrq_u8(cr, tab_lf));
            let name = vorrq_u8(
                vorrq_u8(range(b'a', b'z'), range(b'A', b'Z')),
                vorrq_u8(vbicq_u8(range(b'-', b':'), eq(b'/')), eq(b'_')),
            );
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
                name_break: vmvnq_u8(vorrq_u8(name, high)),
            }
        }
    }

    #[inline(always)]
    fn stop_lanes(l: &Lanes, stop: Stop) -> uint8x16_t {
        // SAFETY: as in `lanes`.
        unsafe {
            let or = |a, b| vorrq_u8(a, b);
            let always = or(or(l.cr, l.ctrl), l.high);
            match stop {
                super::TEXT => or(or(l.lt, l.gt), or(l.amp, always)),
                super::ATTR => or(
                    or(or(l.lt, l.amp), or(l.quot, l.apos)),
                    or(l.tab_lf, always),
                ),
                super::CDATA => or(l.rbracket, always),
                _ => or(l.name_break, l.high),
            }
        }
    }

    #[inline(always)]
    fn load(block: &[u8; BLOCK], k: usize) -> uint8x16_t {
        debug_assert!(k < 4);
        let part = &block[16 * k..16 * k + 16];
        // SAFETY: `part` is exactly 16 readable bytes; `vld1q_u8` has no alignment
        // requirement beyond a byte's.
        unsafe { vld1q_u8(part.as_ptr()) }
    }

    /// The 64-bit mask of four lane masks (simdjson's `to_bitmask`).
    #[inline(always)]
    fn bits4(m: [uint8x16_t; 4]) -> u64 {
        const WEIGHTS: [u8; 16] = [1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128];
        // SAFETY: as in `lanes`; `WEIGHTS` is 16 readable bytes.
        unsafe {
            let w = vld1q_u8(WEIGHTS.as_ptr());
            let s01 = vpaddq_u8(vandq_u8(m[0], w), vandq_u8(m[1], w));
            let s23 = vpaddq_u8(vandq_u8(m[2], w), vandq_u8(m[3], w));
            let s = vpaddq_u8(s01, s23);
            let s = vpaddq_u8(s, s);
            vgetq_lane_u64::<0>(vreinterpretq_u64_u8(s))
        }
    }

    /// All masks of `block`.
    pub(crate) fn masks(block: &[u8; BLOCK]) -> Masks {
        let l = [0, 1, 2, 3].map(|k| lanes(load(block, k)));
        macro_rules! field {
            ($f:ident) => {
                bits4([l[0].$f, l[1].$f, l[2].$f, l[3].$f])
            };
        }
        Masks {
            lt: field!(lt),
            gt: field!(gt),
            amp: field!(amp),
            quot: field!(quot),
            apos: field!(apos),
            rbracket: field!(rbracket),
            cr: field!(cr),
            tab_lf: field!(tab_lf),
            ctrl: field!(ctrl),
            high: field!(high),
            name_break: field!(name_break),
        }
    }

    /// The `STOP` mask of `block`.
    #[inline(always)]
    pub(crate) fn stops<const STOP: Stop>(block: &[u8; BLOCK]) -> u64 {
        bits4([0, 1, 2, 3].map(|k| stop_lanes(&lanes(load(block, k)), STOP)))
    }

    /// [`super::skip`] with this backend.
    #[inline(always)]
    pub(crate) fn skip<const STOP: Stop>(buf: &[u8], i: usize) -> usize {
        skip_with(buf, i, stops::<STOP>)
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

use super::*;
use crate::chars::{ATTR as C_ATTR, CDATA as C_CDATA, NAME as C_NAME, TEXT as C_TEXT};

/// The combined masks agree with the byte-class table they replace.
#[test]
fn stops_are_the_class_table() {
    let block: [u8; BLOCK] = core::array::from_fn(|k| k as u8);
    for base in [0u8, 64, 128, 192] {
        let block = block.map(|b| b + base);
        let m = scalar(&block);
        for (k, &b) in block.iter().enumerate() {
            let bit = |mask: u64| mask >> k & 1 == 1;
            let c = class(b);
            assert_eq!(bit(m.stop(TEXT)), c & C_TEXT == 0, "text {b:#x}");
            assert_eq!(bit(m.stop(ATTR)), c & C_ATTR == 0, "attr {b:#x}");
            assert_eq!(bit(m.stop(CDATA)), c & C_CDATA == 0, "cdata {b:#x}");
            assert_eq!(bit(m.stop(NAME)), c & C_NAME == 0, "name {b:#x}");
        }
    }
}

/// Every byte value at every position of a block, on every backend.
#[test]
fn backends_agree_on_every_byte_at_every_position() {
    let bytes: Vec<u8> = if cfg!(miri) {
        vec![
            0, 9, 10, 13, 0x1F, b' ', b'"', b'&', b'\'', b'-', b'/', b':', b'<', b'>', b'@', b'[',
            b']', b'_', b'`', b'{', 0x7F, 0x80, 0xC3, 0xFF,
        ]
    } else {
        (0..=255).collect()
    };
    let positions: Vec<usize> = if cfg!(miri) {
        vec![0, 15, 16, 31, 32, 47, 63]
    } else {
        (0..BLOCK).collect()
    };
    for &b in &bytes {
        for &at in &positions {
            let mut buf = [b'a'; 2 * BLOCK + 7];
            buf[3 + at] = b;
            buf[3 + BLOCK + at] = b;
            let block: &[u8; BLOCK] = buf[3..3 + BLOCK].try_into().unwrap();
            let want = scalar(block);
            #[cfg(target_arch = "x86_64")]
            {
                assert_eq!(sse2::masks(block), want, "{b:#x}@{at}");
                if has_avx2() {
                    // SAFETY: the CPU has AVX2 (checked just above).
                    assert_eq!(unsafe { avx2::masks(block) }, want, "{b:#x}@{at}");
                }
            }
            for stop in [TEXT, ATTR, CDATA, NAME] {
                let expect = if want.stop(stop) != 0 {
                    3 + at
                } else {
                    3 + 2 * BLOCK
                };
                let got = match stop {
                    TEXT => (skip::<TEXT>(&buf, 3), sse2_skip::<TEXT>(&buf, 3)),
                    ATTR => (skip::<ATTR>(&buf, 3), sse2_skip::<ATTR>(&buf, 3)),
                    CDATA => (skip::<CDATA>(&buf, 3), sse2_skip::<CDATA>(&buf, 3)),
                    _ => (skip::<NAME>(&buf, 3), sse2_skip::<NAME>(&buf, 3)),
                };
                // Without AVX2, `skip` leaves the run to simd.rs (it returns where it began).
                let got = if cfg!(target_arch = "x86_64") && !avx2() && got.0 == 3 {
                    (expect, got.1)
                } else {
                    got
                };
                assert_eq!(got.1, expect, "sse2 skip {stop} {b:#x}@{at}");
                let got = got.0;
                assert_eq!(got, expect, "skip {stop} {b:#x}@{at}");
            }
        }
    }
}

/// The SSE2 block skip (x86_64), else the dispatching one.
fn sse2_skip<const STOP: Stop>(buf: &[u8], i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    return sse2::skip::<STOP>(buf, i);
    #[cfg(not(target_arch = "x86_64"))]
    skip::<STOP>(buf, i)
}

fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    return has_avx2();
    #[cfg(not(target_arch = "x86_64"))]
    true
}

#[test]
fn skip_stops_where_fewer_than_a_block_remain() {
    let buf = [b'a'; 3 * BLOCK - 1];
    assert_eq!(sse2_skip::<TEXT>(&buf, 0), 2 * BLOCK);
    assert_eq!(sse2_skip::<ATTR>(&buf, 5), 2 * BLOCK + 5);
    assert_eq!(sse2_skip::<NAME>(&buf, BLOCK), 2 * BLOCK);
    assert_eq!(sse2_skip::<TEXT>(&buf[..10], 0), 0);
    if avx2() {
        assert_eq!(skip::<TEXT>(&buf, 0), 2 * BLOCK);
        assert_eq!(skip::<ATTR>(&buf, 5), 2 * BLOCK + 5);
        assert_eq!(skip::<TEXT>(&buf[..10], 0), 0);
    } else {
        assert_eq!(skip::<TEXT>(&buf, 7), 7);
    }
}

#[test]
fn check_backends_on_markup() {
    let xml = "<message to='a@b.example/r' id=\"x&amp;1\"><body>h\u{e9}llo ]]&gt; \r\n\t</body></message>\u{1}";
    check_backends(xml.repeat(3).as_bytes());
}

#[cfg(target_arch = "x86_64")]
#[test]
fn avx2_is_tested_natively_when_the_cpu_has_it() {
    // Not under miri (which cannot run AVX2): there the SSE2 and scalar paths run.
    if cfg!(miri) {
        assert!(!has_avx2());
    } else {
        assert_eq!(has_avx2(), std::is_x86_feature_detected!("avx2"));
    }
}

#[cfg(not(miri))]
mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_backend_is_the_scalar_classification(
            data in proptest::collection::vec(
                prop_oneof![
                    4 => any::<u8>(),
                    4 => proptest::sample::select(b"<>&\"']\r\n\t\x01 az_:-./09\x80\xc3\xff".to_vec()),
                ],
                0..300,
            )
        ) {
            check_backends(&data);
        }
    }
}

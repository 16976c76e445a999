//! Arbitrary bytes through the 64-byte block classification (`src/scan/classify.rs`):
//! every backend this machine has (AVX2, SSE2, NEON) must give exactly the scalar
//! classification's masks, combined masks and skips, at every alignment of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    xmpp_stream::__fuzz::classify(data);
});

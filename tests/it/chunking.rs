//! Property tests: any chunking of any input yields exactly the events (and the error, with
//! its offset) of one whole feed; no input panics.

use crate::support::corpus::{streams, Stream};
use crate::support::{
    gen, pieces, run_chunked, run_pieces_in_place, run_whole, stream_config, HEADER,
};
use proptest::prelude::*;
use xmpp_stream::{Config, Mode};

fn check_chunkings(cfg: &Config, input: &[u8], sizes: &[usize]) -> Result<(), TestCaseError> {
    let whole = run_whole(cfg, input);
    let chunked = run_chunked(cfg, input, sizes);
    prop_assert_eq!(&whole, &chunked, "sizes {:?}", sizes);
    let bytewise = run_chunked(cfg, input, &[1]);
    prop_assert_eq!(&whole, &bytewise);
    // Read in place, whole and in the same pieces: the same events and error.
    let in_place = run_pieces_in_place(cfg, pieces(input, &[]));
    prop_assert_eq!(&whole, &in_place, "in place, whole");
    let in_place = run_pieces_in_place(cfg, pieces(input, sizes));
    prop_assert_eq!(&whole, &in_place, "in place, sizes {:?}", sizes);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_streams_parse_and_chunking_is_invisible(
        stanzas in prop::collection::vec(gen::stanza(), 1..6),
        sizes in prop::collection::vec(1usize..40, 1..8),
    ) {
        let input = gen::stream(&stanzas);
        let whole = run_whole(&stream_config(), input.as_bytes());
        prop_assert_eq!(whole.error, None, "{}", input);
        prop_assert_eq!(whole.events.len(), stanzas.len() + 2);
        check_chunkings(&stream_config(), input.as_bytes(), &sizes)?;
    }

    #[test]
    fn mutated_streams_fail_the_same_way_whatever_the_chunking(
        stanzas in prop::collection::vec(gen::stanza(), 1..4),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..4, any::<u8>()), 1..3),
        sizes in prop::collection::vec(1usize..20, 1..6),
    ) {
        let mut input = gen::stream(&stanzas).into_bytes();
        for (at, op, byte) in edits {
            if input.is_empty() {
                break;
            }
            let i = at.index(input.len());
            let b = [b'<', b'>', b'&', b'\'', b'"', b'/', b':', b']', 0xC3, 0xFF, 0x01, byte][byte as usize % 12];
            match op {
                0 => { input.remove(i); }
                1 => input.insert(i, b),
                2 => input[i] = b,
                _ => { input.truncate(i); }
            }
        }
        check_chunkings(&stream_config(), &input, &sizes)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_chunk_invariantly(
        input in prop::collection::vec(
            prop_oneof![any::<u8>(), prop::sample::select(b"<>/&;'\"=:! ?[]xmlsa".to_vec())], 0..200),
        sizes in prop::collection::vec(1usize..9, 1..5),
        document in any::<bool>(),
    ) {
        let cfg = if document { Config::default().with_mode(Mode::Document) } else { stream_config() };
        check_chunkings(&cfg, &input, &sizes)?;
        let mut prefixed = HEADER.as_bytes().to_vec();
        prefixed.extend_from_slice(&input);
        check_chunkings(&stream_config(), &prefixed, &sizes)?;
    }
}

#[test]
fn corpus_files_chunk_invariantly() {
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for Stream {
        name, data: bytes, ..
    } in &streams()
    {
        let whole = run_whole(&stream_config(), bytes);
        assert_eq!(whole.error, None, "{name}");
        // 1-byte feeds on the first 200 KB (the whole file is covered by the other sizes).
        let cut = &bytes[..bytes.len().min(200_000)];
        assert_eq!(
            run_whole(&stream_config(), cut),
            run_chunked(&stream_config(), cut, &[1]),
            "{name} 1-byte"
        );
        for sizes in [vec![4096], vec![64], vec![1500, 7, 333]] {
            assert_eq!(
                whole,
                run_chunked(&stream_config(), bytes, &sizes),
                "{name} {sizes:?}"
            );
        }
        // Read in place, whole and in pieces (`Parser::feed_in_place`).
        for sizes in [vec![], vec![4096], vec![1500, 7, 333]] {
            assert_eq!(
                whole,
                run_pieces_in_place(&stream_config(), pieces(bytes, &sizes)),
                "{name} in place {sizes:?}"
            );
        }
        let random: Vec<usize> = (0..64)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                (rng % 3000) as usize + 1
            })
            .collect();
        assert_eq!(
            whole,
            run_chunked(&stream_config(), bytes, &random),
            "{name} random"
        );
    }
}

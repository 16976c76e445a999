//! Chunking invariance: the events (rendered with offsets, raw bytes and decoded views)
//! and the final error (kind and offset) of any split of the input equal those of one
//! whole feed.
//!
//! Input layout: `flags`, `n`, then `n % 16` little-endian `u16` split points, then the
//! data. Flags: bit 0 implicit restart, bit 1 document mode, bit 2 read through
//! `spare_capacity`/`commit` instead of `feed`, bit 3 call `release_memory` after every
//! drain, bit 4 read each piece in place (`feed_in_place`, the events borrowing the piece
//! and each checked by `exercise`). Inputs up to 2 KiB are also fed one byte at a time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmpp_stream::{Config, Limits, Parser};
use xmpp_stream_fuzz::{
    config_from_byte, drain, exercise, parse_chunks, parse_whole, render, split_at_points,
};
use xmpp_stream_fuzz::{End, Outcome};

fn parse_with(config: &Config, chunks: &[&[u8]], flags: u8) -> Outcome {
    let mut parser = Parser::with_config(config.clone());
    let mut events = Vec::new();
    for chunk in chunks {
        if flags & 16 != 0 {
            let mut input = parser.feed_in_place(chunk);
            loop {
                match input.next_event() {
                    Ok(Some(event)) => {
                        exercise(&event, None);
                        events.push(render(&event));
                    }
                    Ok(None) => break,
                    Err(e) => {
                        return Outcome {
                            events,
                            end: End::from_error(e),
                        }
                    }
                }
            }
        } else if flags & 4 != 0 {
            let mut rest: &[u8] = chunk;
            while !rest.is_empty() {
                let n = parser.read_from(&mut rest).expect("reading from a slice");
                assert!(n > 0);
            }
        } else {
            parser.feed(chunk);
        }
        if let Err(e) = drain(&mut parser, &mut events, None) {
            return Outcome {
                events,
                end: End::from_error(e),
            };
        }
        if flags & 8 != 0 {
            parser.release_memory();
        }
    }
    let end = match parser.finish() {
        Ok(()) => End::Clean,
        Err(e) => End::from_error(e),
    };
    Outcome { events, end }
}

fuzz_target!(|data: &[u8]| {
    let [flags, n, rest @ ..] = data else {
        return;
    };
    let n = (*n % 16) as usize;
    if rest.len() < 2 * n {
        return;
    }
    let (points, input) = rest.split_at(2 * n);
    let points: Vec<usize> = points
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]) as usize)
        .collect();
    let flags = *flags;
    let config = config_from_byte(flags, Limits::default());
    let whole = parse_whole(&config, input, false);

    let chunks = split_at_points(input, &points);
    let chunked = parse_with(&config, &chunks, flags);
    assert_eq!(whole, chunked, "split at {points:?}");

    if input.len() <= 2048 {
        let bytewise = parse_chunks(&config, input.chunks(1), None);
        assert_eq!(whole, bytewise, "one byte at a time");
    }
});

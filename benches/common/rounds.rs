//! The interleaved timing every custom bench shares: the order of the contenders in each
//! round, the untimed read of the input before each run, and the (median, best) of each
//! contender's times. Depends on nothing but `std`, so that `minimal` can include it
//! without the rest of `common`.

use std::hint::black_box;
use std::time::Instant;

/// The order in which the contenders run in round `round` of an interleaved bench: a
/// different permutation each round (Fisher-Yates over a fixed-seed generator), so that
/// no contender always follows the same one. A cyclic rotation did: the contender after
/// the one-byte runs (which read only a prefix, for long) always started with the file
/// out of cache, and the one after a whole-file run always with it in (issue 11).
pub fn round_order(contenders: usize, round: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..contenders).collect();
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ (round as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
    for k in (1..contenders).rev() {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let r = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        order.swap(k, (r % (k as u64 + 1)) as usize);
    }
    order
}

/// Reads every byte of `data` (untimed, before each timed run): every contender starts
/// with the input as warm as the others, as a server's is after reading it from a socket.
pub fn warm(data: &[u8]) {
    let sum = data.chunks(8).fold(0u64, |s, c| {
        s ^ c.iter().fold(0u64, |w, &b| w << 8 | b as u64)
    });
    black_box(sum);
}

/// Runs contenders `0..contenders` `rounds` times each, in a new order each round
/// ([`round_order`]), `data` read untimed before each run ([`warm`]); `run(i)` runs
/// contender `i` (and checks what it returns). Returns each contender's (median, best)
/// time in seconds.
pub fn interleave(
    rounds: usize,
    contenders: usize,
    data: &[u8],
    mut run: impl FnMut(usize),
) -> Vec<(f64, f64)> {
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); contenders];
    for r in 0..rounds {
        for i in round_order(contenders, r) {
            warm(data);
            let t = Instant::now();
            run(i);
            times[i].push(t.elapsed().as_secs_f64());
        }
    }
    times
        .iter_mut()
        .map(|v| {
            v.sort_by(f64::total_cmp);
            (v[v.len() / 2], v[0])
        })
        .collect()
}

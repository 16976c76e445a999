//! Interleaved comparison (not criterion): every round runs each contender once on the
//! same file, in rotating order, so that load changes on a busy machine hit all of them
//! alike; prints the median and the minimum per contender in MB/s and the target ratios.
//! This mirrors how the issue will be checked (alternating runs on the same machine).
//!
//! `cargo bench --bench interleaved [-- ROUNDS [FILTER]]` (default 15 rounds, all peer
//! files). See benches/README.md.

mod common;

use common::*;
use std::time::Instant;

type Run<'a> = Box<dyn Fn() -> usize + 'a>;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let test = std::env::args().any(|a| a == "--test") || !std::env::args().any(|a| a == "--bench");
    let rounds: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(if test { 1 } else { 15 });
    let filter = args.get(1).cloned().unwrap_or_default();

    println!("Interleaved runs, {rounds} rounds; MB/s = 10^6 bytes/s; median (min-time) per contender.\n");
    println!(
        "| file | ours whole | ours 4096 | quick-xml NsReader+unescape | ours 1-byte* | rxml 1-byte* | \
         whole ÷ qx (≥2) | 4096 ÷ qx (≥2) | 1-byte ÷ rxml (≥3) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for f in peer_corpus() {
        if !f.name.contains(&filter) {
            continue;
        }
        let cfg = f.config();
        let d = &f.data[..];
        let (prefix, k) = f.prefix(ONE_BYTE_PREFIX);
        let contenders: Vec<(usize, usize, Run)> = vec![
            (
                d.len(),
                f.stanzas,
                Box::new(|| ours(d, usize::MAX, &cfg, true)),
            ),
            (d.len(), f.stanzas, Box::new(|| ours(d, 4096, &cfg, true))),
            (
                d.len(),
                f.stanzas,
                Box::new(|| quick_xml_nsreader_unescape(d)),
            ),
            (prefix.len(), k, Box::new(|| ours(prefix, 1, &cfg, true))),
            (prefix.len(), k, Box::new(|| rxml(prefix, 1, false))),
        ];
        let m = contenders.len();
        // XS_ONLY=i: run contender i once and nothing else (for `valgrind --tool=callgrind`
        // instruction counts; see benches/README.md).
        if let Some(i) = std::env::var("XS_ONLY")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
        {
            let (_, n, run) = &contenders[i];
            assert_eq!(run(), *n, "{}", f.name);
            continue;
        }
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); m];
        // One untimed warm-up run each.
        for (_, n, run) in &contenders {
            assert_eq!(run(), *n, "{}", f.name);
        }
        for r in 0..rounds {
            for j in 0..m {
                let i = (j + r) % m;
                let (_, n, run) = &contenders[i];
                let t = Instant::now();
                let got = run();
                times[i].push(t.elapsed().as_secs_f64());
                assert_eq!(got, *n, "{}", f.name);
            }
        }
        let stat = |i: usize| {
            let mut v = times[i].clone();
            v.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let bytes = contenders[i].0 as f64;
            (bytes / v[v.len() / 2] / 1e6, bytes / v[0] / 1e6)
        };
        let s: Vec<(f64, f64)> = (0..m).map(stat).collect();
        let cell = |x: (f64, f64)| format!("{:.0} ({:.0})", x.0, x.1);
        let rat = |a: (f64, f64), b: (f64, f64)| format!("{:.2} ({:.2})", a.0 / b.0, a.1 / b.1);
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            f.name,
            cell(s[0]),
            cell(s[1]),
            cell(s[2]),
            cell(s[3]),
            cell(s[4]),
            rat(s[0], s[2]),
            rat(s[1], s[2]),
            rat(s[3], s[4]),
        );
    }
    println!(
        "\n\\* on a prefix of at most {} KiB cut at a stanza end.",
        ONE_BYTE_PREFIX / 1024
    );
}

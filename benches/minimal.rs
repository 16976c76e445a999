//! The read-everything contenders alone: ours fed whole, in 4096-byte chunks and in place,
//! and quick-xml `NsReader`+unescape (rxml too with `--rxml`), in a binary with nothing
//! else in it, interleaved as `interleaved` runs them (a new order each round, the file
//! read untimed before each run), each result checked against quick-xml's.
//!
//! Why it exists: how fast quick-xml runs depends on the code the compiler lays out for
//! it, and that depends on what else in the binary calls into quick-xml. In the
//! `interleaved` bench a second caller of the same quick-xml code (an untimed reference,
//! or the timed loop inlined twice) made quick-xml's rows ~15 % slower than here. This
//! binary is the check that the ratios `interleaved` prints are not flattered by that:
//! its quick-xml has no other caller to share code with.
//!
//! `cargo bench --bench minimal [-- ROUNDS [FILTER] [--rxml]]` (default 31 rounds, the
//! six peer corpus files); without `--bench` (`cargo test --benches`) one round, the
//! assertions only. See benches/README.md.

// The corpus table, the read-everything contenders (the WebSocket ones are
// `interleaved`'s only) and the interleaved timing.
#[allow(dead_code)]
#[path = "common/files.rs"]
mod files;
#[allow(dead_code)]
#[path = "common/read_all.rs"]
mod read_all;
#[allow(dead_code)]
#[path = "common/rounds.rs"]
mod rounds;

use read_all::*;
use xmpp_stream::Config;

type Run<'a> = Box<dyn Fn() -> ReadSum + 'a>;

fn main() {
    // `cargo bench` passes `--bench` (without it, as under `cargo test --benches`: one
    // round, the assertions only); the first number is the rounds, the first other word
    // a filter on file names.
    let timed = std::env::args().any(|a| a == "--bench");
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let rounds = args
        .iter()
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(if timed { 31 } else { 1 })
        .max(1);
    let with_rxml = args.iter().any(|a| a == "--rxml");
    let filter = args
        .iter()
        .find(|a| a.parse::<usize>().is_err() && !a.starts_with("--"))
        .cloned()
        .unwrap_or_default();
    let cfg = Config::default();
    println!(
        "Read everything, contenders alone in this binary; {rounds} rounds; MB/s = 10^6 \
         bytes of input/s; median (best round).\n"
    );
    let mut head =
        "| file | ours whole | ours 4096 | ours in place | quick-xml NsReader+unescape |"
            .to_owned();
    if with_rxml {
        head.push_str(" rxml |");
    }
    head.push_str(" whole ÷ qx | 4096 ÷ qx | in place ÷ qx |");
    println!("{head}");
    println!("|---|{}", "---:|".repeat(head.matches('|').count() - 2));
    // The files every contender reads as one document.
    let peer_files = files::FILES.iter().filter(|f| f.3).map(|f| f.0);
    for name in peer_files.filter(|n| n.contains(&filter)) {
        let d = files::load(name);
        let want = quick_xml_read_all(&d);
        let mut runs: Vec<Run<'_>> = vec![
            Box::new(|| ours_read_all(&d, usize::MAX, &cfg)),
            Box::new(|| ours_read_all(&d, 4096, &cfg)),
            Box::new(|| ours_read_all_in_place(&d, &cfg)),
            Box::new(|| quick_xml_read_all(&d)),
        ];
        if with_rxml {
            runs.push(Box::new(|| rxml_read_all(&d, usize::MAX, true)));
        }
        let stats = rounds::interleave(rounds, runs.len(), &d, |i| {
            let got = (runs[i])();
            assert_eq!(got, want, "{name}: contender {i} read something else");
        });
        let mb = |s: f64| d.len() as f64 / s / 1e6;
        let cell = |(m, b): (f64, f64)| format!("{:.0} ({:.0})", mb(m), mb(b));
        let ratio = |k: usize| {
            format!(
                "{:.2} ({:.2})",
                stats[3].0 / stats[k].0,
                stats[3].1 / stats[k].1
            )
        };
        let mut row = format!("| {name} |");
        for s in &stats {
            row.push_str(&format!(" {} |", cell(*s)));
        }
        row.push_str(&format!(" {} | {} | {} |", ratio(0), ratio(1), ratio(2)));
        println!("{row}");
    }
}

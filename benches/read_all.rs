//! Interleaved runs of our parser with and without reading every view, on the peer corpus
//! (not criterion): every round runs each contender once on the same file, in a new order
//! each round, the file read untimed before each run; prints medians (and minima) in
//! MB/s. "Read everything" walks every element and
//! reads its `ns()`, `local_name()`, every attribute's `ns()`, `local_name()` and decoded
//! `value()`, and every text run's decoded `as_str()`: the work a user of the views does.
//!
//! `cargo bench --bench read_all [-- ROUNDS [FILTER]]` (default 15 rounds). With
//! `--test` (or without `--bench`) one round: the assertions only.

mod common;

use common::*;
use std::hint::black_box;
use xmpp_stream::{Element, Event, Node, Parser};

type Run<'a> = Box<dyn Fn() -> usize + 'a>;

/// Reads every name, namespace, attribute value and text of `e` and its descendants;
/// returns the bytes read.
fn read_element(e: &Element<'_>) -> usize {
    let mut n = e.ns().len() + e.local_name().len();
    for a in e.attrs() {
        n += a.ns().len() + a.local_name().len() + a.value().len();
    }
    for c in e.nodes() {
        n += match c {
            Node::Element(c) => read_element(&c),
            Node::Text(t) => t.as_str().len(),
        };
    }
    n
}

/// Our pipeline fed in `chunk`-byte pieces, reading every view of every stanza; returns
/// the number of stanzas.
#[inline(never)]
fn ours_read_all(data: &[u8], chunk: usize, config: &xmpp_stream::Config) -> usize {
    let mut p = Parser::with_config(config.clone());
    let mut n = 0;
    let mut bytes = 0;
    for c in data.chunks(chunk.max(1)) {
        p.feed(c);
        while let Some(ev) = p.next_event().expect("parse error") {
            if let Event::Stanza(s) = ev {
                bytes += read_element(&s.root());
                n += 1;
            }
        }
    }
    p.finish().expect("finish");
    black_box(bytes);
    n
}

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
    println!("Interleaved runs, {rounds} rounds; MB/s = 10^6 bytes/s; median (max).\n");
    println!("| file | parse only | read everything | read everything, 4096 | quick-xml NsReader+unescape |");
    println!("|---|---:|---:|---:|---:|");
    for f in peer_corpus() {
        if !f.name.contains(&filter) {
            continue;
        }
        let cfg = f.config();
        let d = &f.data[..];
        let contenders: Vec<Run> = vec![
            Box::new(|| ours(d, usize::MAX, &cfg, true)),
            Box::new(|| ours_read_all(d, usize::MAX, &cfg)),
            Box::new(|| ours_read_all(d, 4096, &cfg)),
            Box::new(|| quick_xml_nsreader_unescape(d)),
        ];
        let m = contenders.len();
        for run in &contenders {
            assert_eq!(run(), f.stanzas, "{}", f.name);
        }
        let times = interleave(rounds, m, d, |i| {
            let got = contenders[i]();
            assert_eq!(got, f.stanzas, "{}", f.name);
        });
        let mb = d.len() as f64 / 1e6;
        let cells: Vec<String> = times
            .iter()
            .map(|&(median, best)| format!("{:.0} ({:.0})", mb / median, mb / best))
            .collect();
        println!("| {} | {} |", f.name, cells.join(" | "));
    }
}

//! The cost of copying a stanza into an `OwnedStanza` and of reading the copy, per
//! stanza (not criterion: 15 rounds, medians, one thread): for each of c2s-chat,
//! s2c-mixed and s2c-payload, (a) `OwnedStanza::new` of every stanza, dropped at once
//! (allocation and free included); (b) `assign` into one reused value (the codec's
//! recycled path); (c) reading every owned copy (root name, every attribute value, every
//! child's name and text). Prints Markdown. `cargo bench --bench owned`; `OWNED_ROUNDS`
//! (15).

mod common;

use common::load;
use std::hint::black_box;
use std::time::Instant;
use xmpp_stream::{Config, Event, OwnedStanza, Parser};

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Calls `f` on every stanza of `data`; returns the nanoseconds spent inside `f`.
fn each_stanza(data: &[u8], mut f: impl FnMut(&xmpp_stream::Stanza<'_>)) -> f64 {
    let mut p = Parser::with_config(Config::default().with_implicit_restart(true));
    p.feed(data);
    let mut ns = 0.0;
    while let Some(e) = p.next_event().unwrap() {
        if let Event::Stanza(s) = e {
            let t = Instant::now();
            f(&s);
            ns += t.elapsed().as_nanos() as f64;
        }
    }
    ns
}

fn read(o: &OwnedStanza) -> usize {
    let v = o.view();
    let root = v.root();
    let mut n = root.local_name().len();
    for a in root.attrs() {
        n += a.value().len();
    }
    for c in root.children() {
        n += c.local_name().len() + c.ns().len() + c.text().len();
    }
    n
}

fn main() {
    let rounds: usize = std::env::var("OWNED_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    println!("| file | stanzas | new (ns/stanza) | assign (ns/stanza) | read copy (ns/stanza) |");
    println!("|---|---:|---:|---:|---:|");
    for name in ["c2s-chat", "s2c-mixed", "s2c-payload"] {
        let data = load(name);
        let mut owned = Vec::new();
        each_stanza(&data, |s| owned.push(OwnedStanza::new(s)));
        let n = owned.len() as f64;
        let (mut new, mut assign, mut reading) = (vec![], vec![], vec![]);
        let mut slot = owned[0].clone();
        drop(owned.remove(0));
        for _ in 0..rounds {
            new.push(each_stanza(&data, |s| drop(black_box(OwnedStanza::new(s)))) / n);
            assign.push(each_stanza(&data, |s| slot.assign(black_box(s))) / n);
            let t = Instant::now();
            for o in &owned {
                black_box(read(o));
            }
            reading.push(t.elapsed().as_nanos() as f64 / owned.len() as f64);
        }
        println!(
            "| {name} | {} | {:.0} | {:.0} | {:.0} |",
            n,
            median(&mut new),
            median(&mut assign),
            median(&mut reading)
        );
    }
}

//! The tokio drivers (not criterion: interleaved rounds, medians, one thread):
//!
//! 1. throughput over the same bytes in the same run: `FramedRead<_, XmppCodec>` (owned,
//!    recycled stanzas) against `io::AsyncReader` lending zero-copy events, each reading
//!    every stanza's root name; corpus files c2s-chat, s2c-mixed, s2c-payload, fed by
//!    an in-memory reader;
//! 2. scale: 10 000 concurrent connections over in-memory duplex streams, negotiated
//!    and given some traffic (tests/it/scale.rs), then: heap per idle connection (the
//!    counting allocator; the reader's own size included), and stanzas/s per core with
//!    all of them busy (rounds of 10 chat messages written to every connection, then
//!    every connection drained), for `AsyncReader` and the codec, interleaved.
//!
//! Prints Markdown. `cargo bench --features tokio --bench codec`; `CODEC_BENCH_ROUNDS`
//! (default 5).

mod common;

use common::load;
use futures_util::{FutureExt, StreamExt};
use std::hint::black_box;
use std::time::Instant;
use tokio::io::{AsyncWriteExt, DuplexStream};
use tokio_util::codec::FramedRead;
use xmpp_stream::codec::XmppCodec;
use xmpp_stream::io::AsyncReader;
use xmpp_stream::{Config, Event, OwnedEvent};

#[path = "../tests/it/support/alloc.rs"]
#[allow(dead_code)]
mod counting;

/// What tests/it/scale.rs expects at `crate::support`.
mod support {
    pub(crate) use super::counting as alloc;
}

#[path = "../tests/it/scale.rs"]
#[allow(dead_code)]
mod scale;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn block_on<F: core::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

async fn reader_pass(data: &[u8]) -> usize {
    let mut r = AsyncReader::with_config(data, Config::default().with_implicit_restart(true));
    let mut n = 0;
    while let Some(ev) = r.next_event().await.unwrap() {
        if let Event::Stanza(s) = ev {
            n += black_box(s.root().local_name()).len().min(1);
        }
    }
    n
}

async fn codec_pass(data: &[u8], idle_release: Option<usize>) -> usize {
    let config = Config::default()
        .with_implicit_restart(true)
        .with_idle_release(idle_release);
    let codec = XmppCodec::with_config(config);
    let mut f = FramedRead::new(data, codec);
    let mut n = 0;
    while let Some(ev) = f.next().await {
        if let OwnedEvent::Stanza(s) = ev.unwrap() {
            n += black_box(s.view().root().local_name()).len().min(1);
        }
    }
    n
}

fn throughput(rounds: usize) {
    println!("## Codec against AsyncReader (same bytes, same run, interleaved)\n");
    println!(
        "| file | MB | AsyncReader MB/s | codec MB/s | codec / AsyncReader | codec, idle release off, MB/s |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for name in ["c2s-chat", "s2c-mixed", "s2c-payload"] {
        let data = load(name);
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        let mbs = |t: Instant| data.len() as f64 / t.elapsed().as_secs_f64() / 1e6;
        for _ in 0..rounds {
            let t = Instant::now();
            let na = block_on(reader_pass(&data));
            a.push(mbs(t));
            let t = Instant::now();
            let nb = block_on(codec_pass(&data, Some(xmpp_stream::DEFAULT_IDLE_RELEASE)));
            b.push(mbs(t));
            let t = Instant::now();
            let nc = block_on(codec_pass(&data, None));
            c.push(mbs(t));
            assert_eq!((na, na), (nb, nc), "{name}: same stanzas");
            assert!(na > 0);
        }
        let (ma, mb, mc) = (median(&mut a), median(&mut b), median(&mut c));
        println!(
            "| {name} | {:.1} | {ma:.0} | {mb:.0} | {:.2} | {mc:.0} |",
            data.len() as f64 / 1e6,
            mb / ma
        );
    }
    println!();
}

/// Ten chat messages, what every busy connection receives per round.
fn batch() -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..10 {
        out.extend_from_slice(
            format!(
                "<message to='romeo@example.net' type='chat' id='b{i}'><body>Wherefore art \
                 thou, Romeo? ({i})</body></message>"
            )
            .as_bytes(),
        );
    }
    out
}

fn write(client: &mut DuplexStream, bytes: &[u8]) {
    client.write_all(bytes).now_or_never().unwrap().unwrap();
}

/// Negotiates `CONNECTIONS` connections with `open`/`drain`/`restart`, then times
/// `rounds` busy rounds; returns stanzas per second.
fn busy<T>(
    rounds: usize,
    open: impl Fn(DuplexStream) -> T,
    drain: impl Fn(&mut T) -> usize,
    restart: impl Fn(&mut T),
) -> f64 {
    let (first, second) = scale::traffic();
    let mut conns = Vec::with_capacity(scale::CONNECTIONS);
    for _ in 0..scale::CONNECTIONS {
        let (mut client, server) = tokio::io::duplex(64 * 1024);
        let mut r = open(server);
        write(&mut client, &first);
        drain(&mut r);
        restart(&mut r);
        for piece in second.chunks(2048) {
            write(&mut client, piece);
            drain(&mut r);
        }
        conns.push((client, r));
    }
    let batch = batch();
    let t = Instant::now();
    let mut stanzas = 0;
    for _ in 0..rounds {
        for (c, _) in conns.iter_mut() {
            write(c, &batch);
        }
        for (_, r) in conns.iter_mut() {
            stanzas += drain(r);
        }
    }
    assert_eq!(stanzas, rounds * 10 * scale::CONNECTIONS);
    stanzas as f64 / t.elapsed().as_secs_f64()
}

fn scale_figures(rounds: usize) {
    let config = Config::default();
    let idle_reader = scale::reader_per_idle_connection(scale::CONNECTIONS, &config);
    let idle_codec = scale::codec_per_idle_connection(scale::CONNECTIONS, &config);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        a.push(busy(
            rounds,
            |s| AsyncReader::with_config(s, config.clone()),
            scale::drain_reader,
            |r| r.restart(),
        ));
        b.push(busy(
            rounds,
            |s| FramedRead::new(s, XmppCodec::with_config(config.clone())),
            scale::drain_codec,
            |f| f.decoder_mut().restart(),
        ));
    }
    let (ma, mb) = (median(&mut a), median(&mut b));
    println!(
        "## {} concurrent connections (in-memory duplex, one thread)\n",
        scale::CONNECTIONS
    );
    println!("| driver | heap per idle connection (bytes, size_of included) | stanzas/s per core, all busy |");
    println!("|---|---:|---:|");
    println!(
        "| AsyncReader | {idle_reader} (size_of {}) | {ma:.0} |",
        core::mem::size_of::<AsyncReader<DuplexStream>>()
    );
    println!(
        "| FramedRead + XmppCodec | {idle_codec} (size_of {}) | {mb:.0} |",
        core::mem::size_of::<FramedRead<DuplexStream, XmppCodec>>()
    );
    println!();
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then one round
    // of the throughput part only, as a smoke test.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let rounds = std::env::var("CODEC_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 1 } else { 5 });
    throughput(rounds);
    if !smoke {
        scale_figures(rounds);
    }
}

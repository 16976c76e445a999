//! Our full pipeline (scan, validate, resolve namespaces, frame, build the stanza index)
//! on every corpus file, fed whole and in 4096-, 64- and 1-byte chunks; view access per
//! stanza; and linearity of one-byte feeding. See benches/README.md.
//!
//! Every timed closure asserts its stanza count (and the views bench its view sums).

mod common;

use common::*;
use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use std::time::Duration;
use xmpp_stream::{Config, Limits};

fn pipeline(c: &mut Criterion) {
    for f in corpus() {
        let cfg = f.config();
        let mut g = c.benchmark_group(format!("pipeline.{}", f.name));
        g.throughput(Throughput::Bytes(f.data.len() as u64));
        for (label, chunk) in [
            ("ours-whole", usize::MAX),
            ("ours-4096", 4096),
            ("ours-64", 64),
        ] {
            g.bench_with_input(BenchmarkId::new(label, f.name), &f.data, |b, d| {
                b.iter(|| assert_eq!(ours(d, chunk, &cfg, true), f.stanzas))
            });
        }

        // Views: to/from/id/type/xml:lang of every stanza and the body text of messages.
        // The expected sums come from quick-xml (an independent implementation) where it
        // can read the file as one document, else from one untimed run of ours.
        let expect = if f.peers {
            views_reference(&f.data)
        } else {
            ours_views(&f.data, &cfg)
        };
        assert_eq!(expect.stanzas, f.stanzas, "{}: view reference", f.name);
        g.bench_with_input(BenchmarkId::new("ours-views", f.name), &f.data, |b, d| {
            b.iter(|| assert_eq!(ours_views(d, &cfg), expect))
        });

        // One byte at a time, on a prefix cut at a stanza end (the throughput is that of
        // the prefix, so MB/s compare directly with the rows above).
        let (prefix, n) = f.prefix(ONE_BYTE_PREFIX);
        g.throughput(Throughput::Bytes(prefix.len() as u64));
        g.sampling_mode(SamplingMode::Flat).sample_size(20);
        g.bench_with_input(BenchmarkId::new("ours-1", f.name), prefix, |b, d| {
            b.iter(|| assert_eq!(ours(d, 1, &cfg, true), n))
        });
        g.finish();
    }
}

/// Ten times the bytes must cost at most twelve times the time when fed one byte at a
/// time: on a stream (N and ~10N bytes of s2c-mixed) and inside one large stanza (a
/// 64 KiB and a 640 KiB message body). Throughput is set per input, so a linear parser
/// shows the same MB/s for both sizes of a pair; `benches/report.py` prints the ratios.
fn linearity(c: &mut Criterion) {
    let mut g = c.benchmark_group("linearity");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    g.measurement_time(Duration::from_secs(8));

    let mixed = corpus()
        .into_iter()
        .find(|f| f.name == "s2c-mixed")
        .unwrap();
    let cfg = mixed.config();
    for (label, max) in [("200KiB", 200 * 1024), ("2000KiB", 2000 * 1024)] {
        let (prefix, n) = mixed.prefix(max);
        g.throughput(Throughput::Bytes(prefix.len() as u64));
        g.bench_with_input(BenchmarkId::new("s2c-mixed-1", label), prefix, |b, d| {
            b.iter(|| assert_eq!(ours(d, 1, &cfg, true), n))
        });
    }

    let mut limits = Limits::default();
    limits.max_stanza_bytes = 1 << 20;
    let cfg = Config::default().with_limits(limits);
    for (label, kib) in [("64KiB", 64), ("640KiB", 640)] {
        let data = one_big_stanza(kib * 1024);
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_with_input(BenchmarkId::new("one-stanza-1", label), &data, |b, d| {
            b.iter(|| assert_eq!(ours(d, 1, &cfg, true), 1))
        });
    }
    g.finish();
}

/// A stream with one message whose body has about `body` bytes of text, with a reference
/// and a line end now and then.
fn one_big_stanza(body: usize) -> Vec<u8> {
    let mut s = String::from(
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
         from='example.com' id='x' version='1.0'><message to='a@example.com' id='big' \
         type='chat'><body>",
    );
    let line = "Lorem ipsum dolor sit amet, consectetur &amp; adipiscing elit, s\u{e9}d do \
                eiusmod.\n";
    while s.len() < body {
        s.push_str(line);
    }
    s.push_str("</body></message></stream:stream>");
    s.into_bytes()
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = pipeline, linearity
}
criterion_main!(benches);

//! The peers on the same files in the same run as our pipeline, one criterion group per
//! corpus file (`peers.<file>`), so that the report puts them side by side. Every peer
//! reads the stream as one document (the `stream:stream` start tag is the root, depth-1
//! elements are the stanzas) and the bench asserts it counted as many depth-1 elements
//! as we count stanzas. Files with stream restarts or without a close are left out.
//! See benches/README.md.

mod common;

use common::*;
use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};

fn peers(c: &mut Criterion) {
    for f in peer_corpus() {
        let cfg = f.config();
        let n = f.stanzas;
        let mut g = c.benchmark_group(format!("peers.{}", f.name));
        g.throughput(Throughput::Bytes(f.data.len() as u64));
        let id = |peer: &str| BenchmarkId::new(peer, f.name);

        // Read everything (benches/common/read_all.rs), checked against quick-xml's and
        // rxml's checksum of the same reads.
        let all = quick_xml_read_all(&f.data);
        assert_eq!(all, rxml_read_all(&f.data, usize::MAX, true), "{}", f.name);
        g.bench_with_input(id("ours-read-all-whole"), &f.data, |b, d| {
            b.iter(|| assert_eq!(ours_read_all(d, usize::MAX, &cfg), all))
        });
        g.bench_with_input(id("ours-read-all-4096"), &f.data, |b, d| {
            b.iter(|| assert_eq!(ours_read_all(d, 4096, &cfg), all))
        });
        g.bench_with_input(id("quick-xml-read-all"), &f.data, |b, d| {
            b.iter(|| assert_eq!(quick_xml_read_all(d), all))
        });
        g.bench_with_input(id("rxml-read-all-whole"), &f.data, |b, d| {
            b.iter(|| assert_eq!(rxml_read_all(d, usize::MAX, true), all))
        });

        // Parse only: nothing read from the views.
        g.bench_with_input(id("ours-whole"), &f.data, |b, d| {
            b.iter(|| assert_eq!(ours(d, usize::MAX, &cfg, true), n))
        });
        g.bench_with_input(id("ours-4096"), &f.data, |b, d| {
            b.iter(|| assert_eq!(ours(d, 4096, &cfg, true), n))
        });
        g.bench_with_input(id("quick-xml-reader"), &f.data, |b, d| {
            b.iter(|| assert_eq!(quick_xml_reader(d), n))
        });
        g.bench_with_input(id("quick-xml-nsreader"), &f.data, |b, d| {
            b.iter(|| assert_eq!(quick_xml_nsreader(d), n))
        });
        g.bench_with_input(id("quick-xml-nsreader-unescape"), &f.data, |b, d| {
            b.iter(|| assert_eq!(quick_xml_nsreader_unescape(d), n))
        });
        g.bench_with_input(id("rxml-whole"), &f.data, |b, d| {
            b.iter(|| assert_eq!(rxml(d, usize::MAX, true), n))
        });
        g.bench_with_input(id("rxml-4096"), &f.data, |b, d| {
            b.iter(|| assert_eq!(rxml(d, 4096, true), n))
        });

        // The slow ones: fewer, flat samples.
        g.sampling_mode(SamplingMode::Flat).sample_size(20);
        g.bench_with_input(id("xml-rs"), &f.data, |b, d| {
            b.iter(|| assert_eq!(xml_rs(d), n))
        });

        // One byte at a time, ours and rxml on the same prefix (cut at a stanza end).
        let (prefix, k) = f.prefix(ONE_BYTE_PREFIX);
        g.throughput(Throughput::Bytes(prefix.len() as u64));
        g.bench_with_input(id("ours-1"), prefix, |b, d| {
            b.iter(|| assert_eq!(ours(d, 1, &cfg, true), k))
        });
        g.bench_with_input(id("rxml-1"), prefix, |b, d| {
            b.iter(|| assert_eq!(rxml(d, 1, false), k))
        });
        let all1 = rxml_read_all(prefix, usize::MAX, false);
        g.bench_with_input(id("ours-read-all-1"), prefix, |b, d| {
            b.iter(|| assert_eq!(ours_read_all(d, 1, &cfg), all1))
        });
        g.bench_with_input(id("rxml-read-all-1"), prefix, |b, d| {
            b.iter(|| assert_eq!(rxml_read_all(d, 1, false), all1))
        });
        g.finish();
    }
}

/// Features `xso` and `minidom`: corpus stanzas to `xmpp_parsers` values, three ways
/// (benches/common/typed.rs), one criterion group per file (`typed.<file>`).
#[cfg(all(feature = "xso", feature = "minidom"))]
fn typed(c: &mut Criterion) {
    for f in peer_corpus() {
        let cfg = f.config();
        let want = rxml_xso(&f.data);
        if want.built == 0 {
            // Component or server streams: no jabber:client stanza to build.
            continue;
        }
        let mut g = c.benchmark_group(format!("typed.{}", f.name));
        g.throughput(Throughput::Bytes(f.data.len() as u64));
        let id = |route: &str| BenchmarkId::new(route, f.name);
        g.bench_with_input(id("rxml-xso"), &f.data, |b, d| {
            b.iter(|| assert_eq!(rxml_xso(d), want))
        });
        g.bench_with_input(id("ours-minidom"), &f.data, |b, d| {
            b.iter(|| assert_eq!(ours_minidom(d, &cfg), want))
        });
        g.bench_with_input(id("ours-xso"), &f.data, |b, d| {
            b.iter(|| assert_eq!(ours_xso(d, &cfg), want))
        });
        g.finish();
    }
}

#[cfg(not(all(feature = "xso", feature = "minidom")))]
fn typed(_: &mut Criterion) {}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = peers, typed
}
criterion_main!(benches);

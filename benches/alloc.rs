//! Memory and allocation harness (not criterion timing): a counting global allocator, and
//! per corpus file
//!
//! 1. heap allocations per stanza, for us, quick-xml `NsReader` (with unescaping) and
//!    rxml, over a whole pass, over the second half of a pass, and for us in steady state
//!    (a second pass of the same file on the same parser after `restart()`);
//! 2. peak heap while parsing a 10 MB stream (s2c-mixed's stanzas repeated inside one
//!    stream) fed in 4096-byte chunks, against the largest stanza;
//! 3. idle heap of a parser sitting between stanzas after a header and some traffic,
//!    before and after releasing grown buffers, with `size_of` the parser.
//!
//! Prints Markdown. `cargo bench --bench alloc`. See benches/README.md.

mod common;

use common::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::io::BufReader;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use xmpp_stream::{Config, Event, Parser};

/// Counts allocations (`alloc`, `alloc_zeroed` and `realloc` calls) and live heap bytes,
/// with a resettable peak.
struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(n: usize) {
    let now = LIVE.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// counters are only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            ALLOCS.fetch_add(1, Relaxed);
            grow(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            ALLOCS.fetch_add(1, Relaxed);
            grow(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            ALLOCS.fetch_add(1, Relaxed);
            if new_size >= layout.size() {
                grow(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> usize {
    ALLOCS.load(Relaxed)
}

fn live() -> usize {
    LIVE.load(Relaxed)
}

/// Starts a peak measurement; returns the baseline.
fn peak_start() -> usize {
    let now = live();
    PEAK.store(now, Relaxed);
    now
}

fn peak() -> usize {
    PEAK.load(Relaxed)
}

const CHUNK: usize = 4096;

/// Allocation counts of one pass: total, and over the stanzas after the first half.
#[derive(Clone, Copy, Default)]
struct Pass {
    stanzas: usize,
    total: usize,
    second_half: usize,
    second_half_stanzas: usize,
}

impl Pass {
    fn per_stanza(&self) -> f64 {
        self.total as f64 / self.stanzas as f64
    }

    fn per_stanza_2nd(&self) -> f64 {
        self.second_half as f64 / self.second_half_stanzas.max(1) as f64
    }
}

/// Tracks the allocation counter at the half-way stanza.
struct Half {
    at: usize,
    start: usize,
    mark: Option<(usize, usize)>,
}

impl Half {
    fn new(expected: usize) -> Self {
        Half {
            at: expected / 2,
            start: allocs(),
            mark: None,
        }
    }

    #[inline]
    fn check(&mut self, n: usize) {
        if self.mark.is_none() && n >= self.at {
            self.mark = Some((allocs(), n));
        }
    }

    fn finish(self, n: usize) -> Pass {
        let end = allocs();
        let (m, mn) = self.mark.unwrap_or((end, n));
        Pass {
            stanzas: n,
            total: end - self.start,
            second_half: end - m,
            second_half_stanzas: n - mn,
        }
    }
}

/// One pass of `data` through `p`, in 4096-byte chunks.
fn ours_pass(p: &mut Parser, data: &[u8], expected: usize) -> Pass {
    let mut half = Half::new(expected);
    let mut n = 0;
    for c in data.chunks(CHUNK) {
        p.feed(c);
        while let Some(ev) = p.next_event().expect("parse error") {
            if let Event::Stanza(s) = ev {
                black_box(s.raw().len());
                n += 1;
            }
        }
        half.check(n);
    }
    half.finish(n)
}

fn rxml_pass(data: &[u8], expected: usize) -> Pass {
    let mut half = Half::new(expected);
    let mut p = rxml::Parser::new();
    let mut c = RxmlCount::default();
    for piece in data.chunks(CHUNK) {
        rxml_feed(&mut p, piece, false, &mut c);
        half.check(c.n);
    }
    rxml_feed(&mut p, &[], true, &mut c);
    half.finish(c.n)
}

fn fmt_per(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else {
        format!("{x:.2}")
    }
}

fn allocations_table(files: &[CorpusFile]) {
    println!("## Heap allocations per stanza\n");
    println!(
        "Fed in {CHUNK}-byte chunks (quick-xml: `NsReader` over the whole slice, with \
         attribute-value normalisation and text unescaping; rxml: its push `Parser`). \
         *pass*: all allocations of one pass over the file, parser construction included, \
         divided by its stanzas; *2nd half*: allocations while reading the second half of \
         the stanzas, divided by their number; *steady*: the file's stanzas twice in one \
         stream, allocations during the second copy per stanza (the target: 0); *after \
         restart*: total allocations of a second pass over the whole file on the same \
         parser after `restart()` (namespace table and header rebuilt).\n"
    );
    println!(
        "| file | stanzas | ours pass | ours 2nd half | **ours steady** | ours after restart | \
         quick-xml pass | quick-xml 2nd half | rxml pass | rxml 2nd half |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for f in files {
        let cfg = f.config();
        let a0 = allocs();
        let mut p = Parser::with_config(cfg.clone());
        let construct = allocs() - a0;
        let mut first = ours_pass(&mut p, &f.data, f.stanzas);
        first.total += construct;
        assert_eq!(first.stanzas, f.stanzas, "{}", f.name);
        p.finish().expect("finish");
        p.restart();
        let again = ours_pass(&mut p, &f.data, f.stanzas);
        assert_eq!(again.stanzas, f.stanzas, "{}: second pass", f.name);
        drop(p);
        let (twice, n2) = repeated_stream(f, 0, 2);
        let mut p = Parser::with_config(cfg.clone());
        let steady = ours_pass(&mut p, &twice, n2);
        assert_eq!(steady.stanzas, n2, "{}: twice", f.name);
        p.finish().expect("finish");
        drop(p);
        let (qx, rx) = if f.peers {
            let q = quick_xml_pass(&f.data, f.stanzas);
            let r = rxml_pass(&f.data, f.stanzas);
            assert_eq!(q.stanzas, f.stanzas, "{}: quick-xml", f.name);
            assert_eq!(r.stanzas, f.stanzas, "{}: rxml", f.name);
            (
                [fmt_per(q.per_stanza()), fmt_per(q.per_stanza_2nd())],
                [fmt_per(r.per_stanza()), fmt_per(r.per_stanza_2nd())],
            )
        } else {
            let na = || ["n/a".to_string(), "n/a".to_string()];
            (na(), na())
        };
        println!(
            "| {} | {} | {} | {} | **{}** ({} in {}) | {} | {} | {} | {} | {} |",
            f.name,
            f.stanzas,
            fmt_per(first.per_stanza()),
            fmt_per(first.per_stanza_2nd()),
            fmt_per(steady.per_stanza_2nd()),
            steady.second_half,
            steady.second_half_stanzas,
            again.total,
            qx[0],
            qx[1],
            rx[0],
            rx[1],
        );
    }
    println!();
}

/// quick-xml `NsReader` over the whole slice, doing what `quick_xml_nsreader_unescape`
/// does, with the half-way mark.
fn quick_xml_pass(data: &[u8], expected: usize) -> Pass {
    use quick_xml::events::Event as Q;
    let mut half = Half::new(expected);
    let mut r = quick_xml::NsReader::from_reader(data);
    let (mut depth, mut n) = (0u32, 0usize);
    loop {
        let (ns, ev) = r.read_resolved_event().expect("quick-xml");
        black_box(ns);
        match ev {
            Q::Start(e) => {
                if depth == 1 {
                    n += 1;
                    half.check(n);
                }
                depth += 1;
                qx_attrs(&r, &e);
            }
            Q::Empty(e) => {
                if depth == 1 {
                    n += 1;
                    half.check(n);
                }
                qx_attrs(&r, &e);
            }
            Q::End(_) => depth -= 1,
            Q::Text(t) => {
                black_box(t.xml10_content());
            }
            Q::CData(t) => {
                black_box(t.xml10_content());
            }
            Q::GeneralRef(g) => {
                black_box(qx_ref(&g));
            }
            Q::Eof => break,
            e => {
                black_box(e);
            }
        }
    }
    half.finish(n)
}

/// The stanzas of `f` (everything between the header and the last stanza's end)
/// repeated inside one stream until it is at least `min` bytes and holds at least `reps`
/// copies; and how many stanzas it holds.
fn repeated_stream(f: &CorpusFile, min: usize, reps: usize) -> (Vec<u8>, usize) {
    let ends = stanza_ends(&f.data, &f.config());
    let first = first_stanza_offset(&f.data, &f.config());
    let last = *ends.last().unwrap();
    let (head, body, tail) = (&f.data[..first], &f.data[first..last], &f.data[last..]);
    let mut out = Vec::with_capacity(min.max(reps * body.len()) + body.len() + head.len());
    out.extend_from_slice(head);
    let mut k = 0;
    while out.len() < min || k < reps {
        out.extend_from_slice(body);
        out.push(b'\n');
        k += 1;
    }
    out.extend_from_slice(tail);
    (out, k * ends.len())
}

fn first_stanza_offset(data: &[u8], cfg: &Config) -> usize {
    let mut p = Parser::with_config(cfg.clone());
    p.feed(data);
    while let Some(ev) = p.next_event().expect("parse error") {
        if let Event::Stanza(s) = ev {
            return s.offset() as usize;
        }
    }
    panic!("no stanza")
}

fn kib(n: usize) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

fn peak_table(mixed: &CorpusFile) {
    let cfg = mixed.config();
    let (data, expected) = repeated_stream(mixed, 10_000_000, 1);
    let largest = largest_stanza(&mixed.data, &cfg);
    println!("## Peak heap, 10 MB stream in {CHUNK}-byte chunks\n");
    println!(
        "s2c-mixed's stanzas repeated inside one stream: {} bytes, {expected} stanzas, \
         largest stanza {} ({largest} bytes). Peak = highest live heap above the baseline \
         taken just before the parser is built (the input itself is not counted). Target: \
         ours under 1 MiB above the largest stanza.\n",
        data.len(),
        kib(largest)
    );
    println!("| parser | peak heap | peak − largest stanza | allocations | allocations/stanza |");
    println!("|---|---:|---:|---:|---:|");
    let row = |name: &str, peak: usize, allocs: usize| {
        println!(
            "| {name} | {} | {} | {allocs} | {} |",
            kib(peak),
            if peak >= largest {
                kib(peak - largest)
            } else {
                format!("−{}", kib(largest - peak))
            },
            fmt_per(allocs as f64 / expected as f64)
        );
    };

    let base = peak_start();
    let a0 = allocs();
    {
        let mut p = Parser::with_config(cfg.clone());
        let pass = ours_pass(&mut p, &data, expected);
        assert_eq!(pass.stanzas, expected);
        p.finish().expect("finish");
    }
    row("xmpp-stream", peak() - base, allocs() - a0);

    let base = peak_start();
    let a0 = allocs();
    let pass = rxml_pass(&data, expected);
    assert_eq!(pass.stanzas, expected);
    row("rxml (4096-byte pieces)", peak() - base, allocs() - a0);

    let base = peak_start();
    let a0 = allocs();
    let n = quick_xml_streaming(&data, usize::MAX).0;
    assert_eq!(n, expected);
    row(
        "quick-xml NsReader + unescape (BufReader 4096, `read_resolved_event_into`)",
        peak() - base,
        allocs() - a0,
    );
    println!();
}

/// quick-xml reading from a `BufReader` of 4096 bytes with `read_resolved_event_into`
/// (how it reads a socket), stopping after `stop` stanzas; returns the count, and the
/// reader and its event buffer so the caller can measure what an idle one holds.
#[allow(clippy::type_complexity)]
fn quick_xml_streaming(
    data: &[u8],
    stop: usize,
) -> (usize, quick_xml::NsReader<BufReader<&[u8]>>, Vec<u8>) {
    use quick_xml::events::Event as Q;
    let mut r = quick_xml::NsReader::from_reader(BufReader::with_capacity(CHUNK, data));
    let mut buf = Vec::new();
    let (mut depth, mut n) = (0u32, 0usize);
    while n < stop {
        buf.clear();
        let (ns, ev) = r.read_resolved_event_into(&mut buf).expect("quick-xml");
        black_box(ns);
        match ev {
            Q::Start(e) => {
                if depth == 1 {
                    n += 1;
                }
                depth += 1;
                qx_attrs(&r, &e);
            }
            Q::Empty(e) => {
                if depth == 1 {
                    n += 1;
                }
                qx_attrs(&r, &e);
            }
            Q::End(_) => {
                depth -= 1;
            }
            Q::Text(t) => {
                black_box(t.xml10_content());
            }
            Q::CData(t) => {
                black_box(t.xml10_content());
            }
            Q::GeneralRef(g) => {
                black_box(qx_ref(&g));
            }
            Q::Eof => break,
            e => {
                black_box(e);
            }
        }
    }
    (n, r, buf)
}

fn idle_table(mixed: &CorpusFile) {
    let cfg = mixed.config();
    println!("## Idle heap between stanzas\n");
    println!(
        "A parser after the header and some s2c-mixed traffic, fed in {CHUNK}-byte chunks \
         and stopped right after a stanza. *heap*: live heap the parser holds (counted by \
         the allocator; for us also `heap_bytes()`); *released*: after \
         `release_memory()` (us), `release_temporaries()` (rxml), dropping the event buffer \
         (quick-xml, whose `BufReader` keeps its {CHUNK} bytes). Target: ours ≤ 1 KiB of \
         heap after release, plus `size_of`.\n"
    );
    println!(
        "| parser | traffic | size_of | heap | heap_bytes() | released heap | released heap_bytes() |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for (label, max) in [("20 stanzas", 0usize), ("1 MB", 1_000_000)] {
        let (prefix, n) = if max == 0 {
            let ends = stanza_ends(&mixed.data, &cfg);
            (&mixed.data[..ends[19]], 20)
        } else {
            mixed.prefix(max)
        };
        let label = format!("{label} ({} bytes)", prefix.len());

        // Ours.
        let base = live();
        let mut p = Parser::with_config(cfg.clone());
        let pass = ours_pass(&mut p, prefix, n);
        assert_eq!(pass.stanzas, n);
        let (heap, hb) = (live() - base, p.heap_bytes());
        p.release_memory();
        let (rheap, rhb) = (live() - base, p.heap_bytes());
        // Still usable after release: the rest of the stream parses.
        let rest = ours_pass(&mut p, &mixed.data[prefix.len()..], mixed.stanzas - n);
        assert_eq!(n + rest.stanzas, mixed.stanzas);
        p.finish().expect("finish");
        drop(p);
        println!(
            "| xmpp-stream | {label} | {} | {heap} | {hb} | **{rheap}** | {rhb} |",
            core::mem::size_of::<Parser>()
        );

        // rxml.
        let base = live();
        let mut p = rxml::Parser::new();
        let mut c = RxmlCount::default();
        for piece in prefix.chunks(CHUNK) {
            rxml_feed(&mut p, piece, false, &mut c);
        }
        assert_eq!(c.n, n);
        let heap = live() - base;
        rxml::Parse::release_temporaries(&mut p);
        let rheap = live() - base;
        drop(p);
        println!(
            "| rxml | {label} | {} | {heap} | – | {rheap} | – |",
            core::mem::size_of::<rxml::Parser>()
        );

        // quick-xml.
        let base = live();
        let (k, r, buf) = quick_xml_streaming(&mixed.data, n);
        assert_eq!(k, n);
        let heap = live() - base;
        drop(buf);
        let rheap = live() - base;
        drop(r);
        println!(
            "| quick-xml NsReader (BufReader {CHUNK}) | {label} | {} | {heap} | – | {rheap} | – |",
            core::mem::size_of::<quick_xml::NsReader<BufReader<&[u8]>>>()
                + core::mem::size_of::<Vec<u8>>()
        );
    }
    println!();
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: same work either
    // way (it takes a few seconds), the output is the point.
    let files = corpus();
    println!(
        "# xmpp-stream memory and allocations\n\n`cargo bench --bench alloc` ({} build)\n",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "optimised"
        }
    );
    allocations_table(&files);
    let mixed = files.iter().find(|f| f.name == "s2c-mixed").unwrap();
    peak_table(mixed);
    idle_table(mixed);

    println!("## Where a second pass after `restart()` allocates\n");
    for f in &files {
        let c = steady_culprits(f);
        if !c.is_empty() {
            println!("- {}: {}", f.name, c.join("; "));
        }
    }
}

/// Where the steady-state pass still allocates: (stanza index or feed, allocations).
fn steady_culprits(f: &CorpusFile) -> Vec<String> {
    let mut p = Parser::with_config(f.config());
    ours_pass(&mut p, &f.data, f.stanzas);
    p.finish().expect("finish");
    p.restart();
    let mut out = Vec::new();
    let mut n = 0;
    for (ci, c) in f.data.chunks(CHUNK).enumerate() {
        let a = allocs();
        p.feed(c);
        if allocs() > a {
            out.push(format!("feed #{ci}: {}", allocs() - a));
        }
        loop {
            let a = allocs();
            let ev = p.next_event().expect("parse error");
            let d = allocs() - a;
            let Some(ev) = ev else {
                if d > 0 {
                    out.push(format!("next_event→None after stanza {n}: {d}"));
                }
                break;
            };
            let what = match ev {
                Event::Header(_) => "header".to_string(),
                Event::Close => "close".to_string(),
                Event::Stanza(s) => {
                    n += 1;
                    format!("stanza {n} ({} bytes)", s.raw().len())
                }
                other => format!("{other:?}"),
            };
            if d > 0 {
                out.push(format!("{what}: {d}"));
            }
        }
    }
    out
}

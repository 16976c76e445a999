//! Interleaved comparison (not criterion): every round runs each contender once on the
//! same file, in a new order each round (no contender always follows the same one), the
//! file read untimed before each run (every contender starts with it as warm), so that
//! load changes on a busy machine and cache state hit all of them alike; prints the
//! median and the best round per contender in MB/s and the ratios.
//! This mirrors how the issue will be checked (alternating runs on the same machine).
//!
//! Every contender's result is asserted against an independent one on every run: the
//! read-everything walks (benches/common/read_all.rs) must fold to the same checksum as
//! quick-xml's (whole files) or rxml's (one-byte prefixes), the views row to what
//! quick-xml finds, the parse-only rows to the stanza count.
//!
//! `cargo bench --bench interleaved [-- ROUNDS [FILTER]]` (default 15 rounds, all peer
//! files). See benches/README.md.

mod common;

use common::*;

type Run<'a> = Box<dyn Fn() -> ReadSum + 'a>;

/// One timed contender: its label, the bytes it reads, the run, and what the run must
/// return.
struct Contender<'a> {
    label: &'static str,
    bytes: usize,
    run: Run<'a>,
    expect: ReadSum,
}

fn parse_only(n: usize) -> ReadSum {
    ReadSum { stanzas: n, sum: 0 }
}

/// The contenders on one file, in a fixed order (the `XS_ONLY` indices of
/// benches/README.md).
fn contenders<'a>(
    f: &'a CorpusFile,
    cfg: &'a xmpp_stream::Config,
    messages: &'a [Vec<u8>],
) -> Vec<Contender<'a>> {
    let d = &f.data[..];
    let (prefix, k) = f.prefix(ONE_BYTE_PREFIX);
    // The references, computed untimed by the peers; they must agree with each other.
    let qx = quick_xml_read_all(d);
    assert_eq!(
        qx,
        rxml_read_all(d, usize::MAX, true),
        "{}: quick-xml vs rxml",
        f.name
    );
    assert_eq!(qx.stanzas, f.stanzas, "{}", f.name);
    let rx1 = rxml_read_all(prefix, usize::MAX, false);
    assert_eq!(rx1.stanzas, k, "{}", f.name);
    let views = views_reference(d).fold();
    let qx_ws = quick_xml_websocket_read_all(messages);
    assert_eq!(qx_ws.stanzas, f.stanzas, "{}: messages", f.name);
    let c = |label, bytes, run: Run<'a>, expect| Contender {
        label,
        bytes,
        run,
        expect,
    };
    vec![
        c(
            "ours read-all whole",
            d.len(),
            Box::new(move || ours_read_all(d, usize::MAX, cfg)),
            qx,
        ),
        c(
            "ours read-all 4096",
            d.len(),
            Box::new(move || ours_read_all(d, 4096, cfg)),
            qx,
        ),
        c(
            "quick-xml read-all",
            d.len(),
            Box::new(move || quick_xml_read_all(d)),
            qx,
        ),
        c(
            "ours parse-only whole",
            d.len(),
            Box::new(move || parse_only(ours(d, usize::MAX, cfg, true))),
            parse_only(f.stanzas),
        ),
        c(
            "ours views whole",
            d.len(),
            Box::new(move || ours_views(d, cfg).fold()),
            views,
        ),
        c(
            "rxml read-all whole",
            d.len(),
            Box::new(move || rxml_read_all(d, usize::MAX, true)),
            qx,
        ),
        c(
            "ours read-all 1-byte*",
            prefix.len(),
            Box::new(move || ours_read_all(prefix, 1, cfg)),
            rx1,
        ),
        c(
            "rxml read-all 1-byte*",
            prefix.len(),
            Box::new(move || rxml_read_all(prefix, 1, false)),
            rx1,
        ),
        c(
            "ours parse-only 1-byte*",
            prefix.len(),
            Box::new(move || parse_only(ours(prefix, 1, cfg, true))),
            parse_only(k),
        ),
        c(
            "ours read-all in place",
            d.len(),
            Box::new(move || ours_read_all_in_place(d, cfg)),
            qx,
        ),
        c(
            "ours websocket read-all",
            messages.iter().map(Vec::len).sum(),
            Box::new(move || ours_websocket_read_all(messages)),
            qx_ws,
        ),
        c(
            "quick-xml websocket read-all",
            messages.iter().map(Vec::len).sum(),
            Box::new(move || quick_xml_websocket_read_all(messages)),
            qx_ws,
        ),
        c(
            "ours parse-only in place",
            d.len(),
            Box::new(move || parse_only(ours_in_place(d, cfg))),
            parse_only(f.stanzas),
        ),
    ]
}

/// Times each contender `rounds` times, in a new order each round ([`round_order`]), the
/// input `data` read untimed before each run ([`warm`]); (median, best) MB/s each.
fn measure(name: &str, data: &[u8], cs: &[Contender<'_>], rounds: usize) -> Vec<(f64, f64)> {
    // One untimed warm-up run each, checked.
    for c in cs {
        assert_eq!((c.run)(), c.expect, "{name}: {}", c.label);
    }
    let times = interleave(rounds, cs.len(), data, |i| {
        let got = (cs[i].run)();
        assert_eq!(got, cs[i].expect, "{name}: {}", cs[i].label);
    });
    times
        .iter()
        .zip(cs)
        .map(|(&(median, best), c)| {
            let bytes = c.bytes as f64;
            (bytes / median / 1e6, bytes / best / 1e6)
        })
        .collect()
}

fn cell(x: (f64, f64)) -> String {
    format!("{:.0} ({:.0})", x.0, x.1)
}

fn ratio(a: (f64, f64), b: (f64, f64)) -> String {
    format!("{:.2} ({:.2})", a.0 / b.0, a.1 / b.1)
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
    // XS_ONLY=i: run contender i `ROUNDS` times and nothing else (`--bench 1` for
    // `valgrind --tool=callgrind` instruction counts, more for `perf record`; see
    // benches/README.md).
    let only = std::env::var("XS_ONLY")
        .ok()
        .and_then(|v| v.parse::<usize>().ok());

    let mut results = Vec::new();
    for f in peer_corpus() {
        if !f.name.contains(&filter) {
            continue;
        }
        if std::env::var_os("XS_TYPED").is_some() {
            break;
        }
        let cfg = f.config();
        let messages = websocket_messages(&f.data, &cfg);
        let cs = contenders(&f, &cfg, &messages);
        if let Some(i) = only {
            // `ROUNDS` runs of it (one for callgrind; many for a sampling profiler).
            for _ in 0..rounds {
                assert_eq!((cs[i].run)(), cs[i].expect, "{}", f.name);
            }
            continue;
        }
        results.push((f.name, measure(f.name, &f.data, &cs, rounds)));
    }
    if only.is_some() {
        return;
    }

    println!(
        "Interleaved runs, {rounds} rounds; MB/s = 10^6 bytes of input/s; median (best round) \
         per contender.\n\nRead everything (every element's ns and local name, every \
         attribute's ns, local name and decoded value, every text's decoded string):\n"
    );
    println!(
        "| file | ours whole | ours 4096 | ours in place | quick-xml NsReader+unescape | \
         whole ÷ qx | 4096 ÷ qx | in place ÷ qx |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (name, s) in &results {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} |",
            cell(s[0]),
            cell(s[1]),
            cell(s[9]),
            cell(s[2]),
            ratio(s[0], s[2]),
            ratio(s[1], s[2]),
            ratio(s[9], s[2]),
        );
    }
    println!(
        "\nOther work, same run: parse only (nothing read; fed whole, and in place), the \
         to/from/id/type/xml:lang + message body view, rxml reading everything; one-byte \
         feeds*:\n"
    );
    println!(
        "| file | ours parse-only | ours parse-only in place | ours views | rxml read-all whole \
         | ours read-all 1-byte* | rxml read-all 1-byte* | 1-byte ÷ rxml | ours parse-only \
         1-byte* |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, s) in &results {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(s[3]),
            cell(s[12]),
            cell(s[4]),
            cell(s[5]),
            cell(s[6]),
            cell(s[7]),
            ratio(s[6], s[7]),
            cell(s[8]),
        );
    }
    println!(
        "\n\\* on a prefix of at most {} KiB cut at a stanza end.",
        ONE_BYTE_PREFIX / 1024
    );
    println!(
        "\nWebSocket (RFC 7395): every stanza of the file written on its own (declaring its \
         namespaces) as one message, everything read as above; ours `WebSocketParser` (each \
         message read in place), quick-xml `NsReader` over each message:\n"
    );
    println!("| file | ours WebSocketParser | quick-xml NsReader per message | ours ÷ qx |");
    println!("|---|---:|---:|---:|");
    for (name, s) in &results {
        println!(
            "| {name} | {} | {} | {} |",
            cell(s[10]),
            cell(s[11]),
            ratio(s[10], s[11])
        );
    }
    #[cfg(all(feature = "xso", feature = "minidom"))]
    typed_table(rounds, &filter);
}

/// Features `xso` and `minidom`: stanzas to `xmpp_parsers` values three ways
/// (benches/common/typed.rs), same run, checked equal.
#[cfg(all(feature = "xso", feature = "minidom"))]
fn typed_table(rounds: usize, filter: &str) {
    println!(
        "\nStanzas to xmpp-parsers values (every jabber:client message, presence and iq as \
         Message, Presence, Iq), fed whole:\n"
    );
    println!(
        "| file | (a) rxml + xso (tokio-xmpp) | (b) ours + minidom + TryFrom | (c) ours + xso | \
         values | (c) ÷ (a) | (c) ÷ (b) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for f in peer_corpus() {
        if !f.name.contains(filter) {
            continue;
        }
        let cfg = f.config();
        let d = &f.data[..];
        let want = rxml_xso(d);
        if want.built == 0 {
            // Component or server streams: no jabber:client stanza to build.
            continue;
        }
        let as_sum = |t: TypedSum| ReadSum {
            stanzas: t.built,
            sum: t.sum ^ (t.errors as u64) << 48,
        };
        let expect = as_sum(want);
        let runs: [(&'static str, Run<'_>); 3] = [
            ("rxml+xso", Box::new(move || as_sum(rxml_xso(d)))),
            ("ours+minidom", Box::new(|| as_sum(ours_minidom(d, &cfg)))),
            ("ours+xso", Box::new(|| as_sum(ours_xso(d, &cfg)))),
        ];
        let cs: Vec<Contender<'_>> = runs
            .into_iter()
            .map(|(label, run)| Contender {
                label,
                bytes: d.len(),
                run,
                expect,
            })
            .collect();
        // XS_TYPED=i: run typed contender i once, nothing else (for callgrind).
        if let Some(i) = std::env::var("XS_TYPED")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
        {
            assert_eq!((cs[i].run)(), cs[i].expect, "{}", f.name);
            continue;
        }
        let s = measure(f.name, &f.data, &cs, rounds);
        println!(
            "| {} | {} | {} | {} | {} ({} rejected) | {} | {} |",
            f.name,
            cell(s[0]),
            cell(s[1]),
            cell(s[2]),
            want.built,
            want.errors,
            ratio(s[2], s[0]),
            ratio(s[2], s[1]),
        );
    }
}

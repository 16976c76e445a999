//! The bundled corpus against its references: every stream's dump equals the expat
//! oracle's (corpus/golden, whole files or digests), every fault file fails with the
//! condition and offset of corpus/faults/EXPECTED.tsv, and every excerpt of
//! ../shared/corpus-external parses inside a stream (or is rejected as INDEX.tsv says).

mod common;

use common::{crate_file, dump_of, run_chunked, run_whole, stream_config};
use xmpp_stream::{Condition, Parser};

/// `lines bytes fnv1a64-hex`, as tools/golden_digest.py writes it.
fn digest(data: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    let lines = data.iter().filter(|&&b| b == b'\n').count();
    format!("{lines} {} {h:016x}", data.len())
}

fn dir_entries(rel: &str, ext: &str) -> Vec<std::path::PathBuf> {
    let dir = format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"));
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v
}

#[test]
fn streams_match_the_expat_oracle() {
    let streams = dir_entries("corpus/streams", "xml");
    assert!(streams.len() >= 7);
    for path in streams {
        let name = path.file_stem().unwrap().to_str().unwrap();
        let input = std::fs::read(&path).unwrap();
        let golden = format!("corpus/golden/{name}");
        for sizes in [&[][..], &[4096], &[61, 1, 999]] {
            let ours = dump_of(&input, sizes);
            if let Ok(want) =
                std::fs::read(format!("{}/{golden}.jsonl", env!("CARGO_MANIFEST_DIR")))
            {
                if ours != want {
                    let line = ours
                        .split(|&b| b == b'\n')
                        .zip(want.split(|&b| b == b'\n'))
                        .position(|(a, b)| a != b);
                    panic!("{name} ({sizes:?}): differs from {golden}.jsonl at line {line:?}");
                }
            } else {
                let want = String::from_utf8(crate_file(&format!("{golden}.digest"))).unwrap();
                assert_eq!(
                    digest(&ours),
                    want.trim(),
                    "{name} ({sizes:?}): dump differs from {golden}.digest; run tools/expat_dump.py on it and diff"
                );
            }
        }
    }
}

#[test]
fn fault_files_fail_where_expected() {
    let table = String::from_utf8(crate_file("corpus/faults/EXPECTED.tsv")).unwrap();
    let mut checked = 0;
    for row in table.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (file, condition, offset) = (cols[0], cols[1], cols[2].parse::<u64>().unwrap());
        let input = crate_file(&format!("corpus/faults/{file}"));
        for sizes in [&[][..], &[1], &[5, 3]] {
            let o = run_chunked(&stream_config(), &input, sizes);
            let e = o.error.unwrap_or_else(|| panic!("{file}: accepted"));
            assert_eq!(
                Condition::from_name(condition),
                Some(e.condition()),
                "{file}: {e}"
            );
            assert_eq!(e.offset(), offset, "{file}: {e:?}");
        }
        checked += 1;
    }
    assert!(checked >= 60, "{checked} fault files");
}

/// `(file, non_restricted, expat_in_stream)` rows of INDEX.tsv for XML excerpts.
fn external_index(root: &str) -> Vec<(String, String, String)> {
    let index = std::fs::read_to_string(format!("{root}/INDEX.tsv")).unwrap();
    let mut lines = index.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (f, nr, ex) = (col("file"), col("non_restricted"), col("expat_in_stream"));
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| c[f].ends_with(".xml"))
        .map(|c| (c[f].to_string(), c[nr].to_string(), c[ex].to_string()))
        .collect()
}

/// Some XEPs mark who sends what at the start of a line ("S: ", "C: ", "send: ",
/// "recv: "): documentation, not XML. The harness removes those markers.
fn strip_annotations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let marker = ["S: ", "C: ", "send: ", "recv: "]
            .into_iter()
            .find(|m| body.starts_with(m));
        out.push_str(indent);
        out.push_str(marker.map_or(body, |m| &body[m.len()..]));
    }
    out
}

/// The header wrapped around excerpts: the client stream plus the dialback prefix
/// (XEP-0220 examples use `db:` elements, declared on the stream header in practice).
const WRAP: &str = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' version='1.0'>";

#[test]
fn external_excerpts_parse_inside_a_stream() {
    let root = format!("{}/../shared/corpus-external", env!("CARGO_MANIFEST_DIR"));
    if !std::path::Path::new(&root).exists() {
        println!("SKIPPED: {root} is absent (shared corpus not available)");
        return;
    }
    let (mut parsed, mut rejected) = (0, 0);
    for (file, non_restricted, expat) in external_index(&root) {
        let bytes = std::fs::read(format!("{root}/{file}")).unwrap();
        let text = strip_annotations(&String::from_utf8(bytes).unwrap());
        // Excerpts that open their own stream are used as they are; the others get a
        // header, and a close unless they close the stream themselves.
        let has_header = text
            .replace("</stream:stream>", "")
            .contains("<stream:stream");
        let has_close = text.contains("</stream:stream>");
        let input = match (has_header, has_close) {
            // The excerpt's first newline is the XEP source's, not the stream's.
            (true, _) => text.trim_start().to_string(),
            (false, true) => format!("{WRAP}{text}"),
            (false, false) => format!("{WRAP}{text}</stream:stream>"),
        };
        let o = run_whole(&stream_config(), input.as_bytes());
        assert_eq!(
            o,
            run_chunked(&stream_config(), input.as_bytes(), &[1]),
            "{file}"
        );
        if !non_restricted.is_empty() {
            let e = o
                .error
                .unwrap_or_else(|| panic!("{file}: {non_restricted} accepted"));
            assert_eq!(e.condition(), Condition::RestrictedXml, "{file}: {e}");
            rejected += 1;
        } else if expat.starts_with("fail") {
            let e = o
                .error
                .unwrap_or_else(|| panic!("{file}: malformed excerpt accepted"));
            assert_eq!(e.condition(), Condition::NotWellFormed, "{file}: {e}");
            rejected += 1;
        } else {
            // Excerpts that show only the opening of a stream end inside it: fine.
            match o.error {
                None => {}
                Some(e) if has_header && e.condition() == Condition::Incomplete => {}
                Some(e) => panic!("{file}: {e}"),
            }
            assert!(!o.events.is_empty(), "{file}: no events");
            parsed += 1;
        }
    }
    println!("corpus-external: {parsed} parsed, {rejected} rejected as INDEX.tsv says");
    assert!(
        parsed >= 40 && rejected >= 3,
        "{parsed} parsed, {rejected} rejected"
    );
}

#[test]
fn every_stanza_has_its_raw_bytes() {
    for path in dir_entries("corpus/streams", "xml") {
        let input = std::fs::read(&path).unwrap();
        let mut p = Parser::with_config(stream_config());
        p.feed(&input);
        let mut covered = 0usize;
        while let Some(ev) = p.next_event().unwrap() {
            if let xmpp_stream::Event::Stanza(s) = ev {
                let at = s.offset() as usize;
                assert_eq!(&input[at..at + s.raw().len()], s.raw());
                assert!(s.raw().starts_with(b"<") && s.raw().ends_with(b">"));
                covered += s.raw().len();
            }
        }
        assert!(covered > input.len() / 2, "{}", path.display());
    }
}

/// The stanzas of a Prosody scansion script: the tab-indented blocks that follow a
/// "... sends:" or "... receives:" line.
fn scansion_stanzas(script: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in script.lines() {
        if let Some(block) = current.as_mut() {
            if line.starts_with('\t') || line.starts_with("    ") {
                block.push_str(line.trim_start());
                block.push('\n');
                continue;
            }
            blocks.push(current.take().unwrap_or_default());
        }
        let t = line.trim_end();
        if !t.starts_with('#') && (t.ends_with(" sends:") || t.ends_with(" receives:")) {
            current = Some(String::new());
        }
    }
    blocks.extend(current);
    blocks.retain(|b| b.trim_start().starts_with('<'));
    blocks
}

#[test]
fn prosody_scansion_stanzas_parse() {
    let root = format!(
        "{}/../shared/corpus-external/prosody-scansion",
        env!("CARGO_MANIFEST_DIR")
    );
    let Ok(dir) = std::fs::read_dir(&root) else {
        println!("SKIPPED: {root} is absent (shared corpus not available)");
        return;
    };
    let mut total = 0;
    for entry in dir.filter_map(|e| e.ok()) {
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "scs") {
            continue;
        }
        let script = std::fs::read_to_string(&path).unwrap();
        let stanzas = scansion_stanzas(&script);
        assert!(!stanzas.is_empty(), "{}", path.display());
        let input = format!("{WRAP}{}</stream:stream>", stanzas.concat());
        let o = run_whole(&stream_config(), input.as_bytes());
        assert_eq!(o.error, None, "{}", path.display());
        // Header, one event per stanza (a block may hold several), close.
        assert!(o.events.len() >= stanzas.len() + 2, "{}", path.display());
        assert_eq!(
            o,
            run_chunked(&stream_config(), input.as_bytes(), &[1, 2, 3])
        );
        total += stanzas.len();
    }
    println!("prosody scansion: {total} stanza blocks parsed");
    assert!(total >= 30, "{total}");
}

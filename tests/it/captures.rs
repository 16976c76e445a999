//! Real wire captures of the seed clients (corpus/captures, made by
//! `tests/interop/seeds.sh --captures corpus/captures`) against the expat oracle's dumps
//! beside them: each stream (cut at restarts) whole, one byte per feed and in odd pieces,
//! and each direction of a connection put back together (so the restarts themselves,
//! with or without a fresh `<?xml?>`, are parsed too).

use crate::support::corpus::files;
use crate::support::{crate_file, run_chunked, stream_config};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.split(|&c| c == b'\n')
        .zip(b.split(|&c| c == b'\n'))
        .position(|(x, y)| x != y)
}

/// `corpus/captures/*.xml`, sorted (so `NAME.c2s.1` comes before `NAME.c2s.2`).
fn captures() -> Vec<PathBuf> {
    files("corpus/captures", "xml")
}

fn golden(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path.with_extension("jsonl"))
        .unwrap_or_else(|e| panic!("{}: no oracle dump beside it: {e}", path.display()))
}

#[test]
fn every_capture_matches_the_expat_oracle() {
    let files = captures();
    assert!(
        files.len() >= 20,
        "only {} captures in corpus/captures",
        files.len()
    );
    for path in files {
        let input = std::fs::read(&path).unwrap();
        let want = golden(&path);
        assert!(
            !want.is_empty() && !want.windows(9).any(|w| w == b"\"error\":{"),
            "{}: the oracle's dump is empty or an error",
            path.display()
        );
        for sizes in [&[][..], &[1], &[7, 1, 4096, 3]] {
            let ours = run_chunked(&stream_config(), &input, sizes).dump();
            assert!(
                ours == want,
                "{} ({sizes:?}): differs from the oracle at line {:?}",
                path.display(),
                first_difference(&ours, &want)
            );
        }
    }
}

#[test]
fn each_direction_reassembled_parses_across_its_restarts() {
    // NAME.DIR.N.xml -> (NAME.DIR) -> the segments in order
    let mut dirs: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for path in captures() {
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        let (key, n) = stem.rsplit_once('.').expect("NAME.DIR.N.xml");
        assert!(n.parse::<u32>().is_ok(), "{stem}: no segment number");
        dirs.entry(key.to_string()).or_default().push(path);
    }
    assert!(dirs.len() >= 10);
    for (key, parts) in dirs {
        assert!(parts.len() >= 2, "{key}: no restart captured");
        let (mut input, mut want) = (Vec::new(), Vec::new());
        for p in &parts {
            input.extend(std::fs::read(p).unwrap());
            want.extend(golden(p));
        }
        for sizes in [&[][..], &[1], &[13, 2]] {
            let ours = run_chunked(&stream_config(), &input, sizes).dump();
            assert!(
                ours == want,
                "{key} ({sizes:?}): the whole direction differs from its segments' oracle dumps at line {:?}",
                first_difference(&ours, &want)
            );
        }
    }
}

#[test]
fn the_readme_names_every_capture() {
    let readme = String::from_utf8(crate_file("corpus/captures/README.md")).unwrap();
    for path in captures() {
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let pair = stem.split('.').next().unwrap();
        assert!(
            readme.contains(&format!("`{pair}`")),
            "corpus/captures/README.md does not say who made {stem}"
        );
    }
}

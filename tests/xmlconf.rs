//! The W3C XML conformance suite (xmlts20130923), read in place from `../shared/xmlconf/`
//! through its `manifest.tsv` (see that folder's README.md). The suite's files are for
//! internal use only: they are never copied into this crate, and the test is skipped, with
//! a message, when the folder is absent.
//!
//! Pass 1 runs every test by the `restricted` column (the file as is, as one document):
//! - `accept`: parses without error (and matches its canonical `output`, if any);
//! - `reject-not-wf`: rejected, with any error;
//! - `reject-restricted`: rejected with `restricted-xml`, or with another error only if the
//!   row is catalogued `not-wf` or is listed in [`OTHER_ERROR_ALLOWED`] (see there);
//! - `skip`: counted, not run.
//!
//! Pass 2 runs every `accept` test of the `restricted_nodoctype` column: where that column
//! differs from `restricted`, the harness first cuts out the DOCTYPE (which then only
//! declares elements). Each such file must parse, and the 60 with an `output` must give
//! exactly that file's bytes in James Clark's canonical form.
//!
//! Every file that is run is fed whole, one byte at a time and in 7-byte chunks; the three
//! outcomes (canonical form, or the error with its kind and offset) must be identical.
//!
//! Run with `cargo test --test xmlconf -- --nocapture` to see the counts.

#[path = "xmlconf/canonical.rs"]
mod canonical;
#[path = "xmlconf/doctype.rs"]
mod doctype;
#[path = "xmlconf/manifest.rs"]
mod manifest;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;
use xmpp_stream::{Condition, Config, Error, Event, Limits, Mode, Parser};

/// Tests that are known to fail, each with a one-line reason. The test fails both when a
/// test not listed here fails and when a listed one passes (so the list cannot go stale).
const EXCEPTIONS: &[(&str, &str)] = &[];

/// `reject-restricted` rows (well-formed per the catalog, but using a construct RFC 6120
/// section 11.1 forbids) that may be rejected with a condition other than `restricted-xml`,
/// because the file breaks a rule this parser must enforce *before* its first forbidden
/// construct is reached. Each entry names the test, the error kind the parser must report,
/// and the rule. (Rows catalogued `not-wf` are always allowed another condition; none is
/// classed `reject-restricted` in this release.)
const OTHER_ERROR_ALLOWED: &[(&str, &str, &str)] = &[];

// The totals of this suite release's manifest, asserted so that a damaged manifest or a
// reader bug cannot silently drop tests.
/// Rows (tests) in the manifest.
const EXPECTED_ROWS: usize = 2585;
/// Rows per `restricted` class.
const EXPECTED_CLASSES: &[(&str, usize)] = &[
    ("accept", 36),
    ("reject-not-wf", 979),
    ("reject-restricted", 929),
    ("skip", 641),
];
/// Rows whose `restricted_nodoctype` class is `accept`.
const EXPECTED_NODOCTYPE_ACCEPT: usize = 115;
/// Of those, rows that are `accept` only once their DOCTYPE is cut.
const EXPECTED_NODOCTYPE_CUT: usize = 79;
/// Of those, rows with a canonical `output` file.
const EXPECTED_CANONICAL_OUTPUTS: usize = 60;

/// Feed sizes whose outcome must equal the whole-file feed's.
const CHUNK_SIZES: &[usize] = &[1, 7];

/// What parsing one file gave.
#[derive(PartialEq, Eq)]
enum Outcome {
    /// The root element in canonical form; `finish` succeeded.
    Root(Vec<u8>),
    /// The first error, from `next_event` or `finish`.
    Rejected(Error),
    /// An event sequence no document can give (a header or close event, a second root,
    /// or a clean finish without a root).
    Strange(String),
}

impl fmt::Debug for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Root(c) => write!(f, "accepted: {}", String::from_utf8_lossy(c)),
            Outcome::Rejected(e) => write!(f, "rejected: {:?}: {e}", e.kind()),
            Outcome::Strange(s) => write!(f, "strange: {s}"),
        }
    }
}

/// Parses `input` as one document, fed in pieces of `chunk` bytes.
fn parse(input: &[u8], chunk: usize) -> Outcome {
    let mut parser = Parser::with_config(
        Config::default()
            .with_mode(Mode::Document)
            .with_limits(Limits::generous()),
    );
    let mut root = None;
    for piece in input.chunks(chunk) {
        parser.feed(piece);
        loop {
            match parser.next_event() {
                Ok(None) => break,
                Ok(Some(Event::Stanza(s))) if root.is_none() => {
                    root = Some(canonical::canonical(s.root()));
                }
                Ok(Some(event)) => return Outcome::Strange(format!("event {event:?}")),
                Err(e) => return Outcome::Rejected(e),
            }
        }
    }
    if let Err(e) = parser.finish() {
        return Outcome::Rejected(e);
    }
    match root {
        Some(c) => Outcome::Root(c),
        None => Outcome::Strange("finish() succeeded without a root element".into()),
    }
}

/// Parses `input` whole and with every feed size of [`CHUNK_SIZES`]; the whole-file
/// outcome, or a failure message if the feed sizes disagree.
fn parse_all_ways(input: &[u8]) -> Result<Outcome, String> {
    let whole = parse(input, input.len().max(1));
    for &chunk in CHUNK_SIZES {
        let other = parse(input, chunk);
        if other != whole {
            return Err(format!(
                "chunking: whole feed gave {whole:?}, {chunk}-byte feed gave {other:?}"
            ));
        }
    }
    Ok(whole)
}

/// Results of the whole run: how many rows of each (pass, class) gave each result, and
/// the failures.
#[derive(Default)]
struct Tally {
    counts: BTreeMap<(&'static str, String, String), usize>,
    failures: Vec<Failure>,
}

/// One failed run of one row.
struct Failure {
    pass: &'static str,
    class: String,
    id: String,
    message: String,
}

impl Tally {
    /// Counts a passed run under its label, or keeps the failure.
    fn record(
        &mut self,
        pass: &'static str,
        row: &manifest::Row<'_>,
        class: &str,
        result: Result<String, String>,
    ) {
        match result {
            Ok(label) => {
                *self
                    .counts
                    .entry((pass, class.to_string(), label))
                    .or_default() += 1
            }
            Err(message) => self.failures.push(Failure {
                pass,
                class: class.to_string(),
                id: row.get("id").to_string(),
                message: format!("{}: {message}", row.get("path")),
            }),
        }
    }

    /// Rows of `pass` and `class` that passed.
    fn passed(&self, pass: &str, class: &str) -> usize {
        self.counts
            .iter()
            .filter(|((p, c, _), _)| *p == pass && c == class)
            .map(|(_, n)| n)
            .sum()
    }

    /// Rows of `pass` and `class` that failed.
    fn failed(&self, pass: &str, class: &str) -> usize {
        self.failures
            .iter()
            .filter(|f| f.pass == pass && f.class == class)
            .count()
    }
}

/// `shared/xmlconf`, next to the crate.
fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/xmlconf")
}

/// The bytes of suite file `rel`; panics (naming it) if it cannot be read.
fn read(dir: &Path, rel: &str) -> Vec<u8> {
    std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Pass 1: one row by its `restricted` class. `Ok` carries what happened, for the counts.
fn run_restricted(dir: &Path, row: &manifest::Row<'_>) -> Result<String, String> {
    let (id, class) = (row.get("id"), row.get("restricted"));
    if class == "skip" {
        return Ok(format!("skipped ({})", row.get("reason")));
    }
    let outcome = parse_all_ways(&read(dir, row.get("path")))?;
    match (class, &outcome) {
        ("accept", Outcome::Root(got)) => {
            check_output(dir, row.get("output"), got)?;
            Ok("accepted".into())
        }
        ("reject-not-wf", Outcome::Rejected(e)) => Ok(format!("rejected, {}", e.condition())),
        ("reject-restricted", Outcome::Rejected(e))
            if e.condition() == Condition::RestrictedXml =>
        {
            Ok("rejected, restricted-xml".into())
        }
        ("reject-restricted", Outcome::Rejected(e)) => {
            let kind = format!("{:?}", e.kind());
            let listed = OTHER_ERROR_ALLOWED
                .iter()
                .any(|&(t, k, _)| t == id && k == kind);
            if row.get("type") == "not-wf" || listed {
                Ok(format!("rejected, {} ({kind}, allowed)", e.condition()))
            } else {
                Err(format!("expected restricted-xml, got {outcome:?}"))
            }
        }
        ("accept" | "reject-not-wf" | "reject-restricted", _) => {
            Err(format!("expected {class}, got {outcome:?}"))
        }
        _ => panic!("{id}: unknown class {class:?} in column `restricted`"),
    }
}

/// Pass 2: one row whose `restricted_nodoctype` class is `accept`.
fn run_nodoctype(dir: &Path, row: &manifest::Row<'_>) -> Result<String, String> {
    let mut input = read(dir, row.get("path"));
    let cut = row.get("restricted") != row.get("restricted_nodoctype");
    if cut {
        input = doctype::cut_element_only_doctype(&input)
            .ok_or("harness: no element-only DOCTYPE to cut")?;
    }
    let got = match parse_all_ways(&input)? {
        Outcome::Root(got) => got,
        outcome => {
            return Err(format!(
                "expected accept (cut DOCTYPE: {cut}), got {outcome:?}"
            ))
        }
    };
    let output = row.get("output");
    check_output(dir, output, &got)?;
    Ok(format!(
        "accepted{}{}",
        if cut {
            ", DOCTYPE cut"
        } else {
            " as is (no DOCTYPE)"
        },
        if output.is_empty() {
            ""
        } else {
            ", canonical output identical"
        }
    ))
}

/// Compares a canonical form with the expected `output` file (if the row has one).
fn check_output(dir: &Path, output: &str, got: &[u8]) -> Result<(), String> {
    if output.is_empty() {
        return Ok(());
    }
    let expected = read(dir, output);
    if got == expected {
        return Ok(());
    }
    Err(format!(
        "canonical form differs from {output}:\n  expected {:?}\n  got      {:?}",
        String::from_utf8_lossy(&expected),
        String::from_utf8_lossy(got)
    ))
}

/// Pass names, as printed.
const PASS1: &str = "pass 1 (restricted)";
/// See [`PASS1`].
const PASS2: &str = "pass 2 (restricted_nodoctype = accept)";

#[test]
fn w3c_xml_conformance_suite() {
    let dir = suite_dir();
    let manifest_path = dir.join("manifest.tsv");
    if !manifest_path.is_file() {
        println!(
            "SKIPPED: W3C XML conformance suite not found at {} (expected next to the crate, \
             as ../shared/xmlconf/manifest.tsv)",
            manifest_path.display()
        );
        return;
    }
    let started = Instant::now();
    let text = std::fs::read_to_string(&manifest_path).expect("manifest.tsv is UTF-8");
    let manifest = manifest::Manifest::parse(&text);

    let mut tally = Tally::default();
    let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut nodoctype_accept, mut nodoctype_cut, mut outputs) = (0, 0, 0);
    for row in manifest.rows() {
        let class = row.get("restricted");
        *classes.entry(class).or_default() += 1;
        tally.record(PASS1, &row, class, run_restricted(&dir, &row));
        if row.get("restricted_nodoctype") == "accept" {
            nodoctype_accept += 1;
            nodoctype_cut += usize::from(class != "accept");
            outputs += usize::from(!row.get("output").is_empty());
            tally.record(PASS2, &row, "accept", run_nodoctype(&dir, &row));
        }
    }

    // The manifest is the one this test was written against.
    assert_eq!(manifest.rows().count(), EXPECTED_ROWS, "manifest rows");
    let expected: BTreeMap<&str, usize> = EXPECTED_CLASSES.iter().copied().collect();
    assert_eq!(classes, expected, "rows per `restricted` class");
    assert_eq!(
        nodoctype_accept, EXPECTED_NODOCTYPE_ACCEPT,
        "restricted_nodoctype accept"
    );
    assert_eq!(nodoctype_cut, EXPECTED_NODOCTYPE_CUT, "DOCTYPEs to cut");
    assert_eq!(outputs, EXPECTED_CANONICAL_OUTPUTS, "canonical outputs");

    println!("W3C XML conformance suite, {EXPECTED_ROWS} tests");
    let mut last = None;
    for ((pass, class, label), n) in &tally.counts {
        if last != Some(pass) {
            println!("{pass}:");
            last = Some(pass);
        }
        println!("  {:<18} {label:<60} {n:>5}", class);
    }
    let exceptions: BTreeMap<&str, &str> = EXCEPTIONS.iter().copied().collect();
    let totals = expected
        .iter()
        .map(|(class, n)| (PASS1, *class, *n))
        .chain([(PASS2, "accept", EXPECTED_NODOCTYPE_ACCEPT)]);
    println!("summary:");
    for (pass, class, n) in totals {
        let (passed, failed) = (tally.passed(pass, class), tally.failed(pass, class));
        let known = tally
            .failures
            .iter()
            .filter(|f| f.pass == pass && f.class == class && exceptions.contains_key(&*f.id))
            .count();
        let verb = match class {
            "skip" => "skipped",
            "accept" => "accepted",
            _ => "rejected as expected",
        };
        println!(
            "  {pass:<40} {class:<18} {n:>5} rows: {passed:>5} {verb}, {known} exceptions, \
             {} other failures",
            failed - known
        );
        // Every row is accounted for, once per pass.
        assert_eq!(passed + failed, n, "{pass} total for {class}");
    }
    for f in &tally.failures {
        let known = exceptions
            .get(&*f.id)
            .map_or(String::new(), |r| format!(" [exception: {r}]"));
        println!("failure: {} {}{known}: {}", f.pass, f.id, f.message);
    }
    println!("time: {:.1?}", started.elapsed());

    let unexpected: Vec<String> = tally
        .failures
        .iter()
        .filter(|f| !exceptions.contains_key(&*f.id))
        .map(|f| format!("{} {}: {}", f.pass, f.id, f.message))
        .collect();
    let stale: Vec<&str> = exceptions
        .keys()
        .filter(|id| !tally.failures.iter().any(|f| f.id == **id))
        .copied()
        .collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} unexpected failure(s):\n{}\nexceptions that now pass (remove them): {stale:?}",
        unexpected.len(),
        unexpected.join("\n")
    );
}

#[test]
fn doctype_cut_handles_tricky_prologs() {
    let cut = |s: &str| doctype::cut_element_only_doctype(s.as_bytes()).map(String::from_utf8);
    assert_eq!(
        cut("<?xml version='1.0'?>\n<!DOCTYPE doc [\n<!ELEMENT doc (#PCDATA)>\n]>\n<doc/>"),
        Some(Ok("<?xml version='1.0'?>\n\n<doc/>".into()))
    );
    assert_eq!(cut("<!DOCTYPE doc><doc/>"), Some(Ok("<doc/>".into())));
    assert_eq!(
        cut("<!DOCTYPE doc [<!-- ]> --><!ELEMENT doc ANY>] ><doc/>"),
        Some(Ok("<doc/>".into()))
    );
    assert_eq!(cut("<!-- <!DOCTYPE doc> --><doc/>"), None);
    assert_eq!(cut("<!DOCTYPE doc SYSTEM 'a.dtd'><doc/>"), None);
    assert_eq!(
        cut("<!DOCTYPE doc [<!ATTLIST doc a CDATA 'x'>]><doc/>"),
        None
    );
    assert_eq!(cut("<!DOCTYPE doc [<!ELEMENT doc ANY>"), None);
    assert_eq!(cut("<doc><!DOCTYPE doc></doc>"), None);
}

//! The scanner alone, with a recording sink: exact token spans, whole and byte by byte.

use super::*;

/// Records tokens as strings with their exact spans; Content everywhere but before
/// the first tag.
#[derive(Default)]
struct Rec {
    out: Vec<String>,
    depth: usize,
    seen_root: bool,
}

impl Sink for Rec {
    fn start_tag(&mut self, _: &[u8], lt: usize, n: (usize, usize)) -> Result<(), Error> {
        self.out.push(format!("start@{lt} {}..{}", n.0, n.1));
        Ok(())
    }
    fn attribute(
        &mut self,
        _: &[u8],
        n: (usize, usize),
        v: (usize, usize),
        f: u8,
    ) -> Result<(), Error> {
        self.out
            .push(format!("attr {}..{}={}..{} f{f}", n.0, n.1, v.0, v.1));
        Ok(())
    }
    fn start_tag_end(&mut self, _: &[u8], empty: bool, end: usize) -> Result<(), Error> {
        self.out
            .push(format!("{}@{end}", if empty { "empty" } else { "open" }));
        if !empty {
            self.depth += 1;
        }
        self.seen_root = true;
        Ok(())
    }
    fn end_tag(&mut self, _: &[u8], lt: usize, n: (usize, usize), end: usize) -> Result<(), Error> {
        self.out.push(format!("end@{lt} {}..{} @{end}", n.0, n.1));
        self.depth -= 1;
        Ok(())
    }
    fn text(&mut self, _: &[u8], s: usize, e: usize, f: u8) -> Result<(), Error> {
        self.out.push(format!("text {s}..{e} f{f}"));
        Ok(())
    }
    fn markup_start(&mut self, _: usize) {}
    fn markup_kind(&mut self, _: usize, _: u8, document_start: bool) -> bool {
        document_start
    }
    fn declaration(&mut self, _: usize, _: usize) {}
    fn context(&self) -> Context {
        match (self.depth, self.seen_root) {
            (0, false) => Context::Outside(Outside::PROLOG),
            (0, true) => Context::Outside(Outside {
                text: ErrorKind::TextOutsideRoot,
                end_tag: Some(ErrorKind::ContentAfterRoot),
                start_tag: Some(ErrorKind::ContentAfterRoot),
            }),
            _ => Context::Content,
        }
    }
    fn outside_start_tag(&mut self, _: usize) {}
    fn event_ready(&self) -> bool {
        false
    }
    fn horizon(&self) -> usize {
        usize::MAX
    }
    fn horizon_error(&self, at: usize) -> Error {
        Error::new(ErrorKind::UnexpectedEof, at as u64)
    }
}

/// Scans `input` whole and byte by byte; both must record the same tokens.
fn tokens(input: &str) -> Result<Vec<String>, (ErrorKind, u64)> {
    let run = |step: usize| {
        let mut sc = Scanner::new(1024);
        let mut rec = Rec::default();
        let b = input.as_bytes();
        let mut n = 0;
        while n < b.len() {
            n = (n + step).min(b.len());
            sc.scan(&b[..n], &mut rec)
                .map_err(|e| (e.kind(), e.offset()))?;
        }
        Ok(rec.out)
    };
    let whole = run(input.len().max(1));
    assert_eq!(whole, run(1), "{input:?}");
    whole
}

#[test]
fn tokens_with_exact_spans() {
    assert_eq!(
        tokens("<a x='1' y = \"2&amp;\t\"><b/>t&lt;<![CDATA[c]]>\r</a>").unwrap(),
        [
            "start@0 1..2",
            "attr 3..4=6..7 f0",
            "attr 9..10=14..21 f9",
            "open@23",
            "start@23 24..25",
            "empty@27",
            "text 27..46 f7",
            "end@46 48..49 @50",
        ]
    );
    assert_eq!(
        tokens("<?xml version='1.0'?>\n<r/>").unwrap(),
        ["start@22 23..24", "empty@26"]
    );
    assert_eq!(tokens("<r>]]></r>"), Err((ErrorKind::CDataEndInText, 3)));
    assert_eq!(
        tokens("<r a='x'b='y'/>"),
        Err((ErrorKind::MissingWhitespace, 8))
    );
    assert_eq!(
        tokens("<r>&unknown;</r>"),
        Err((ErrorKind::EntityReference, 3))
    );
    assert_eq!(tokens("<r><!DOCTYPE"), Err((ErrorKind::Doctype, 3)));
    assert_eq!(tokens("<r/> x"), Err((ErrorKind::TextOutsideRoot, 5)));
}

/// `token` with every index moved by `at` (the digit after `f`, the flags, kept).
fn shifted(token: &str, at: usize) -> String {
    let mut out = String::new();
    let mut num = String::new();
    for ch in token.chars().chain([' ']) {
        if ch.is_ascii_digit() && !(num.is_empty() && out.ends_with('f')) {
            num.push(ch);
            continue;
        }
        if !num.is_empty() {
            out.push_str(&(num.parse::<usize>().unwrap() + at).to_string());
            num.clear();
        }
        out.push(ch);
    }
    out.pop();
    out
}

/// The space before an attribute: one space and a name take a shortcut in the start
/// tag, anything else the general path; both must give the same tokens and errors, with
/// and without the vectors (the scan takes them on 64 bytes or more: the tags are also
/// read inside a root padded past that).
#[test]
fn the_space_before_an_attribute_reads_alike_on_every_path() {
    let pad = "p".repeat(64);
    // Each tag's tokens after its start, with indices from its `<`.
    let ok: [(&str, &[&str]); 7] = [
        ("<a b='1'/>", &["attr 3..4=6..7 f0", "empty@10"]),
        (
            "<a  b='1' c='2'/>",
            &["attr 4..5=7..8 f0", "attr 10..11=13..14 f0", "empty@17"],
        ),
        (
            "<a\tb='1'\nc='2'>",
            &["attr 3..4=6..7 f0", "attr 9..10=12..13 f0", "open@15"],
        ),
        ("<a b='1' >", &["attr 3..4=6..7 f0", "open@10"]),
        ("<a b='1' />", &["attr 3..4=6..7 f0", "empty@11"]),
        ("<a é='1'/>", &["attr 3..5=7..8 f0", "empty@11"]),
        (
            "<a _:b='1' :c='2'/>",
            &["attr 3..6=8..9 f0", "attr 11..13=15..16 f0", "empty@19"],
        ),
    ];
    for (tag, after) in ok {
        let mut want = vec!["start@0 1..2".to_string()];
        want.extend(after.iter().map(|t| t.to_string()));
        assert_eq!(tokens(tag).unwrap(), want, "{tag:?}");
        let padded = format!("<r>{tag}{pad}</r>");
        let got = tokens(&padded).unwrap();
        let inner: Vec<String> = want.iter().map(|t| shifted(t, 3)).collect();
        assert_eq!(got[2..2 + inner.len()], inner[..], "{padded:?}");
    }
    let bad: [(&str, ErrorKind, u64); 4] = [
        ("<a 1='x'/>", ErrorKind::UnexpectedByte, 3),
        ("<a b='1'c='2'/>", ErrorKind::MissingWhitespace, 8),
        ("<a b='1' -c='2'/>", ErrorKind::UnexpectedByte, 9),
        (
            "<a b='1' c ='2' d= '3' e='4'x/>",
            ErrorKind::MissingWhitespace,
            28,
        ),
    ];
    for (tag, kind, at) in bad {
        assert_eq!(tokens(tag), Err((kind, at)), "{tag:?}");
        let padded = format!("<r>{tag}{pad}</r>");
        assert_eq!(tokens(&padded), Err((kind, at + 3)), "{tag:?}");
    }
}

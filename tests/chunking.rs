//! Property tests: any chunking of any input yields exactly the events (and the error, with
//! its offset) of one whole feed; no input panics.

mod common;

use common::*;
use proptest::prelude::*;
use xmpp_stream::{Config, Mode};

/// A generated element tree, serialised with varied but valid syntax.
#[derive(Debug, Clone)]
enum Gen {
    Elem {
        name: String,
        prefix: Option<usize>,
        attrs: Vec<(String, String, char)>,
        children: Vec<Gen>,
    },
    Text(String),
    CData(String),
}

const PREFIXES: [&str; 3] = ["a", "b", "x"];

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "m", "body", "x", "é", "item", "query", "n.1", "s-2", "_u", "属",
    ])
    .prop_map(String::from)
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a",
            " ",
            "\n",
            "\r\n",
            "\r",
            "\t",
            "&amp;",
            "&lt;",
            "&gt;",
            "&quot;",
            "&apos;",
            "&#233;",
            "&#x1F600;",
            "é",
            "日本",
            "😀",
            "]",
            "]]",
            ">",
            "'",
            "\"",
        ]),
        0..6,
    )
    .prop_map(|v| v.concat())
}

fn attr_value() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "v", " ", "\t", "\n", "\r\n", "&amp;", "&lt;", "&#9;", "&#x20;", "é", ">", "]]>",
        ]),
        0..5,
    )
    .prop_map(|v| v.concat())
}

fn tree() -> impl Strategy<Value = Gen> {
    let leaf = prop_oneof![
        text().prop_map(Gen::Text),
        "[a-z<&> \r\n]{0,8}".prop_map(|s| Gen::CData(s.replace("]]>", ""))),
    ];
    leaf.prop_recursive(5, 40, 5, |inner| {
        (
            name(),
            prop::option::of(0usize..3),
            prop::collection::vec(
                (name(), attr_value(), prop::sample::select(vec!['\'', '"'])),
                0..4,
            ),
            prop::collection::vec(inner, 0..5),
        )
            .prop_map(|(name, prefix, mut attrs, children)| {
                attrs.sort_by(|a, b| a.0.cmp(&b.0));
                attrs.dedup_by(|a, b| a.0 == b.0);
                Gen::Elem {
                    name,
                    prefix,
                    attrs,
                    children,
                }
            })
    })
}

fn write(g: &Gen, out: &mut String, depth: usize) {
    match g {
        Gen::Text(t) => out.push_str(&t.replace(']', "&#93;")),
        Gen::CData(t) => {
            out.push_str("<![CDATA[");
            out.push_str(t);
            out.push_str("]]>");
        }
        Gen::Elem {
            name,
            prefix,
            attrs,
            children,
        } => {
            let qname = match prefix {
                Some(p) => format!("{}:{name}", PREFIXES[*p]),
                None => name.clone(),
            };
            out.push('<');
            out.push_str(&qname);
            if depth == 0 {
                out.push_str(" xmlns:a='urn:a' xmlns:b=\"urn:b\"");
            }
            if let Some(2) = prefix {
                out.push_str(" xmlns:x='urn:x'");
            }
            for (k, v, q) in attrs {
                let v = if *q == '"' {
                    v.replace('"', "&quot;")
                } else {
                    v.replace('\'', "&apos;")
                };
                out.push_str(&format!(" {k} ={q}{v}{q}"));
            }
            if children.is_empty() && depth % 2 == 0 {
                out.push_str("/>");
                return;
            }
            out.push('>');
            for c in children {
                write(c, out, depth + 1);
            }
            out.push_str(&format!("</{qname} >"));
        }
    }
}

fn stream(stanzas: &[Gen]) -> String {
    let mut s = format!("<?xml version='1.0'?>{HEADER}");
    for (i, g) in stanzas.iter().enumerate() {
        s.push_str(["", " ", "\n", "\r\n\t"][i % 4]);
        match g {
            Gen::Elem { .. } => write(g, &mut s, 0),
            _ => s.push_str("<m/>"),
        }
    }
    s.push_str("</stream:stream>");
    s
}

fn check_chunkings(cfg: &Config, input: &[u8], sizes: &[usize]) -> Result<(), TestCaseError> {
    let whole = run_whole(cfg, input);
    let chunked = run_chunked(cfg, input, sizes);
    prop_assert_eq!(&whole, &chunked, "sizes {:?}", sizes);
    let bytewise = run_chunked(cfg, input, &[1]);
    prop_assert_eq!(&whole, &bytewise);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_streams_parse_and_chunking_is_invisible(
        stanzas in prop::collection::vec(tree(), 1..6),
        sizes in prop::collection::vec(1usize..40, 1..8),
    ) {
        let input = stream(&stanzas);
        let whole = run_whole(&stream_config(), input.as_bytes());
        prop_assert_eq!(whole.error, None, "{}", input);
        prop_assert_eq!(whole.events.len(), stanzas.len() + 2);
        check_chunkings(&stream_config(), input.as_bytes(), &sizes)?;
    }

    #[test]
    fn mutated_streams_fail_the_same_way_whatever_the_chunking(
        stanzas in prop::collection::vec(tree(), 1..4),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..4, any::<u8>()), 1..3),
        sizes in prop::collection::vec(1usize..20, 1..6),
    ) {
        let mut input = stream(&stanzas).into_bytes();
        for (at, op, byte) in edits {
            if input.is_empty() {
                break;
            }
            let i = at.index(input.len());
            let b = [b'<', b'>', b'&', b'\'', b'"', b'/', b':', b']', 0xC3, 0xFF, 0x01, byte][byte as usize % 12];
            match op {
                0 => { input.remove(i); }
                1 => input.insert(i, b),
                2 => input[i] = b,
                _ => { input.truncate(i); }
            }
        }
        check_chunkings(&stream_config(), &input, &sizes)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_chunk_invariantly(
        input in prop::collection::vec(
            prop_oneof![any::<u8>(), prop::sample::select(b"<>/&;'\"=:! ?[]xmlsa".to_vec())], 0..200),
        sizes in prop::collection::vec(1usize..9, 1..5),
        document in any::<bool>(),
    ) {
        let cfg = if document { Config::default().with_mode(Mode::Document) } else { stream_config() };
        check_chunkings(&cfg, &input, &sizes)?;
        let mut prefixed = HEADER.as_bytes().to_vec();
        prefixed.extend_from_slice(&input);
        check_chunkings(&stream_config(), &prefixed, &sizes)?;
    }
}

fn corpus_streams() -> Vec<(String, Vec<u8>)> {
    let dir = format!("{}/corpus/streams", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn corpus_files_chunk_invariantly() {
    let files = corpus_streams();
    assert!(
        files.len() >= 6,
        "corpus/streams holds {} files",
        files.len()
    );
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for (name, bytes) in &files {
        let whole = run_whole(&stream_config(), bytes);
        assert_eq!(whole.error, None, "{name}");
        // 1-byte feeds on the first 200 KB (the whole file is covered by the other sizes).
        let cut = &bytes[..bytes.len().min(200_000)];
        assert_eq!(
            run_whole(&stream_config(), cut),
            run_chunked(&stream_config(), cut, &[1]),
            "{name} 1-byte"
        );
        for sizes in [vec![4096], vec![64], vec![1500, 7, 333]] {
            assert_eq!(
                whole,
                run_chunked(&stream_config(), bytes, &sizes),
                "{name} {sizes:?}"
            );
        }
        let random: Vec<usize> = (0..64)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                (rng % 3000) as usize + 1
            })
            .collect();
        assert_eq!(
            whole,
            run_chunked(&stream_config(), bytes, &random),
            "{name} random"
        );
    }
}

//! The golden dumps of `corpus/golden`: the expat oracle's output for each corpus stream,
//! stored whole (`<name>.jsonl`) or, for large streams, as a digest (`<name>.digest`).

use super::corpus::{crate_file, crate_path};

/// `lines bytes fnv1a64-hex`, as tools/golden_digest.py writes it.
pub fn digest(data: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    let lines = data.iter().filter(|&&b| b == b'\n').count();
    format!("{lines} {} {h:016x}", data.len())
}

/// The golden dump of one stream.
#[derive(Debug, Clone)]
pub enum Golden {
    /// The whole dump.
    Dump(Vec<u8>),
    /// Its [`digest`] only.
    Digest(String),
}

impl Golden {
    /// The golden dump of corpus stream `name` (a file stem of `corpus/streams`).
    pub fn of(name: &str) -> Golden {
        match std::fs::read(crate_path(&format!("corpus/golden/{name}.jsonl"))) {
            Ok(dump) => Golden::Dump(dump),
            Err(_) => {
                let d = crate_file(&format!("corpus/golden/{name}.digest"));
                Golden::Digest(String::from_utf8(d).unwrap().trim().to_string())
            }
        }
    }

    /// Asserts that `ours` (a dump as xmppdump writes it) is this golden dump; `how` names
    /// the way it was produced, for the message.
    pub fn check(&self, name: &str, how: &str, ours: &[u8]) {
        match self {
            Golden::Dump(want) => {
                if ours != &want[..] {
                    let line = ours
                        .split(|&b| b == b'\n')
                        .zip(want.split(|&b| b == b'\n'))
                        .position(|(a, b)| a != b);
                    panic!("{name} ({how}): differs from corpus/golden/{name}.jsonl at line {line:?}");
                }
            }
            Golden::Digest(want) => assert_eq!(
                &digest(ours),
                want,
                "{name} ({how}): dump differs from corpus/golden/{name}.digest; run tools/expat_dump.py on it and diff"
            ),
        }
    }
}

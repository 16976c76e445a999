//! The corpus files the benches read, and what we know about each: one table, shared by
//! every bench (`common`) and by `minimal`, which includes only this and `read_all.rs`.

use std::path::PathBuf;

/// (name, depth-1 elements, has restarts, readable by the peers as one document).
pub const FILES: &[(&str, usize, bool, bool)] = &[
    ("c2s-chat", 5002, false, true),
    ("s2c-mixed", 2595, false, true),
    ("s2c-payload", 1249, false, true),
    ("pubsub-nested", 345, false, true),
    ("roster-push", 839, false, true),
    ("s2s-dialback", 123, false, true),
    ("c2s-negotiation", 93, true, false),
    ("s2c-negotiation", 108, true, false),
    // Ends between stanzas without `</stream:stream>`: fine for us, an error for the peers.
    ("s2c-unclosed", 62, false, false),
];

pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/streams")
}

pub fn load(name: &str) -> Vec<u8> {
    let path = corpus_dir().join(format!("{name}.xml"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

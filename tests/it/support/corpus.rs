//! The crate's bundled test data (`corpus/`) and the shared data next to the crate
//! (`../shared`), found and read in one place.

use std::path::{Path, PathBuf};

/// A path relative to the crate root.
pub fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Reads a file of the crate by path relative to the crate root.
pub fn crate_file(rel: &str) -> Vec<u8> {
    let p = crate_path(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The files of crate directory `rel` whose extension is `ext`, sorted by path.
pub fn files(rel: &str, ext: &str) -> Vec<PathBuf> {
    let dir = crate_path(rel);
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v
}

/// One stream of `corpus/streams`.
pub struct Stream {
    /// The file stem, e.g. `c2s-chat` (also the name of its golden dump).
    pub name: String,
    pub path: PathBuf,
    pub data: Vec<u8>,
}

/// Every stream of `corpus/streams`, sorted by name (at least the seven the corpus README
/// describes).
pub fn streams() -> Vec<Stream> {
    let v: Vec<Stream> = files("corpus/streams", "xml")
        .into_iter()
        .map(|path| Stream {
            name: path.file_stem().unwrap().to_str().unwrap().to_string(),
            data: std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
            path,
        })
        .collect();
    assert!(v.len() >= 7, "corpus/streams holds {} files", v.len());
    v
}

/// The directory `../shared/<rel>` next to the crate, or `None` (with a `SKIPPED` line on
/// stdout) when it is absent, as in a packaged crate or a clone without the shared data.
pub fn shared_dir(rel: &str) -> Option<PathBuf> {
    let root = crate_path("../shared").join(rel);
    if root.exists() {
        Some(root)
    } else {
        println!(
            "SKIPPED: {} is absent (shared data not available)",
            root.display()
        );
        None
    }
}

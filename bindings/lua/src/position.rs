//! Line and column numbers for `pos()` and error reports, counted as expat does: lines
//! from 1, columns in characters from 0 (lua-expat adds 1).

/// A position in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: u64,
    pub col: u64,
}

impl Default for Pos {
    fn default() -> Self {
        Pos { line: 1, col: 0 }
    }
}

fn chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64
}

impl Pos {
    /// The position after `bytes`, read from this one.
    pub(crate) fn after(self, bytes: &[u8]) -> Pos {
        match memchr::memrchr(b'\n', bytes) {
            None => Pos {
                line: self.line,
                col: self.col + chars(bytes),
            },
            Some(last) => Pos {
                line: self.line + memchr::memchr_iter(b'\n', bytes).count() as u64,
                col: chars(&bytes[last + 1..]),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_characters() {
        let p = Pos::default().after("ab\ncdé".as_bytes());
        assert_eq!(p, Pos { line: 2, col: 3 });
        assert_eq!(p.after(b"xy"), Pos { line: 2, col: 5 });
        assert_eq!(p.after(b"\n\n"), Pos { line: 4, col: 0 });
    }
}

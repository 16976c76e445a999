//! Finding the first repeated key among an element's attributes: one implementation for
//! both uniqueness rules (qualified names, XML 1.0 WFC "Unique Att Spec"; expanded names,
//! Namespaces in XML 1.0 section 6.3). Pairwise below a small count; above it, hashed,
//! sorted and compared within runs of equal hashes, so a peer sending thousands of
//! attributes costs O(n log n) and hash collisions cannot hide a duplicate.

/// Pairwise comparison up to this many keys (cheaper than hashing for the usual few).
const PAIRWISE_MAX: usize = 12;

/// Reusable storage for the hashed path: (hash, key index).
pub(crate) type Scratch = Vec<(u64, u32)>;

/// The smallest index `j` whose key equals the key of some index before it, among
/// `0..n`; `None` when all keys differ.
#[inline]
pub(crate) fn first_duplicate<K: PartialEq>(
    n: usize,
    key: impl Fn(usize) -> K,
    hash: impl Fn(&K) -> u64,
    scratch: &mut Scratch,
) -> Option<usize> {
    if n <= PAIRWISE_MAX {
        return (1..n).find(|&j| {
            let kj = key(j);
            (0..j).any(|i| key(i) == kj)
        });
    }
    scratch.clear();
    scratch.extend((0..n).map(|j| (hash(&key(j)), j as u32)));
    scratch.sort_unstable();
    let mut first: Option<usize> = None;
    let mut run = 0;
    while run < scratch.len() {
        let h = scratch[run].0;
        let end = run + scratch[run..].iter().take_while(|e| e.0 == h).count();
        // Within a run indices are ascending: the second equal key found is the later one.
        for b in run + 1..end {
            let jb = scratch[b].1 as usize;
            if first.is_some_and(|f| f <= jb) {
                break;
            }
            let kb = key(jb);
            if scratch[run..b].iter().any(|a| key(a.1 as usize) == kb) {
                first = Some(jb);
                break;
            }
        }
        run = end;
    }
    first
}

/// A byte string compared by an inlined loop: attribute names are a few bytes long, and
/// `[u8]`'s `==` calls `memcmp` for every pair of equal length (issue 11).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bytes<'a>(pub &'a [u8]);

impl PartialEq for Bytes<'_> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(other.0).all(|(a, b)| a == b)
    }
}

/// FNV-1a, 64 bits: fast on short names, and only used to group candidates (equality is
/// always checked on the keys).
pub(crate) fn fnv1a(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h = (h ^ x as u64).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dup(keys: &[&str], hash: impl Fn(&&str) -> u64) -> Option<usize> {
        first_duplicate(keys.len(), |j| keys[j], hash, &mut Vec::new())
    }

    #[test]
    fn bytes_compare_by_content() {
        assert_eq!(Bytes(b"to"), Bytes(b"to"));
        assert_ne!(Bytes(b"to"), Bytes(b"id"));
        assert_ne!(Bytes(b"to"), Bytes(b"top"));
        assert_eq!(Bytes(b""), Bytes(b""));
    }

    #[test]
    fn hash_is_stable_and_spreads() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fnv1a(b"to"), fnv1a(b"ot"));
    }

    #[test]
    fn both_paths_find_the_first_repeat() {
        let names: Vec<String> = (0..40).map(|k| format!("a{k}")).collect();
        for n in [3, 12, 13, 40] {
            let mut keys: Vec<&str> = names[..n].iter().map(|s| s.as_str()).collect();
            let h = |k: &&str| fnv1a(k.as_bytes());
            assert_eq!(dup(&keys, h), None, "{n}");
            // Repeats at n-1 and at 2: the first repeat is the earlier index.
            keys[n - 1] = keys[0];
            assert_eq!(dup(&keys, h), Some(n - 1), "{n}");
            keys[2] = keys[1];
            assert_eq!(dup(&keys, h), Some(2), "{n}");
        }
    }

    #[test]
    fn colliding_hashes_do_not_hide_a_repeat() {
        let keys: Vec<&str> = "x y x z y w v u t s r q p o".split(' ').collect();
        assert_eq!(dup(&keys, |_| 7), Some(2));
        assert_eq!(dup(&keys, |k| (k.as_bytes()[0] & 1) as u64), Some(2));
        let distinct: Vec<&str> = "a b c d e f g h i j k l m n".split(' ').collect();
        assert_eq!(dup(&distinct, |_| 7), None);
    }
}

//! `tusch batch --shard K/N`: a deterministic 1/N of the folder, so N machines share one
//! run with no coordinator. A document belongs to shard `1 + h mod N`, where `h` is the
//! first eight bytes (big-endian) of the sha256 of its path relative to the input folder,
//! written with `/` separators: the same on every machine, whatever the order of the
//! listing, and the N shards together are exactly the whole folder, each file once.

use std::path::Path;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// Shard `k` of `n` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("--shard ska vara K/N med 1 ≤ K ≤ N, t.ex. 2/4 (fick {s:?})");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k == 0 || k > n {
            return Err(bad());
        }
        Ok(Self { k, n })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl Shard {
    /// Whether the file at `rel` (relative to the input folder) is in this shard.
    pub fn contains(&self, rel: &Path) -> bool {
        shard_of(rel, self.n) == self.k
    }
}

/// The 1-based shard of `rel` among `n`.
pub fn shard_of(rel: &Path, n: u64) -> u64 {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let digest = Sha256::digest(parts.join("/").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    1 + u64::from_be_bytes(first) % n.max(1)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("2/4".parse::<Shard>().unwrap(), Shard { k: 2, n: 4 });
        assert_eq!("1/1".parse::<Shard>().unwrap(), Shard { k: 1, n: 1 });
        for bad in ["0/4", "5/4", "2/0", "2", "a/b", "2/4/6", "-1/4", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_file_is_in_exactly_one_shard_and_the_split_is_stable() {
        let files: Vec<String> = (0..200).map(|i| format!("mapp/{i}/brev {i}.pdf")).collect();
        let mut counts = [0usize; 4];
        for f in &files {
            let owners: Vec<u64> = (1..=4)
                .filter(|&k| Shard { k, n: 4 }.contains(Path::new(f)))
                .collect();
            assert_eq!(owners.len(), 1, "{f}");
            counts[(owners[0] - 1) as usize] += 1;
        }
        // Roughly even (200 files, 4 shards).
        assert!(counts.iter().all(|&c| (25..=75).contains(&c)), "{counts:?}");
        // Fixed forever: a changed hash would split a running multi-machine batch.
        assert_eq!(
            shard_of(Path::new("a/b.pdf"), 4),
            shard_of(Path::new("a/b.pdf"), 4)
        );
        assert_eq!(
            shard_of(Path::new("a/b.pdf"), 1000),
            1 + u64::from_be_bytes(Sha256::digest(b"a/b.pdf")[..8].try_into().unwrap()) % 1000
        );
    }
}

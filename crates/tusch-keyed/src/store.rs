//! The store: one JSON file of entries `{hash, kind, count, first, last}` plus the
//! per-installation secret the hashes are keyed with.
//!
//! The file holds hashes, counts, dates (and, for hand masks, the category chosen) only.
//! A hash is HMAC-SHA256 under the secret of a string normalised by [`crate::normalize`];
//! without the secret a hash cannot be checked against guesses, with it only a guess can
//! be confirmed. The file names the secret it was made with by a key id (the MAC of a
//! fixed label), so importing a list made with another secret is refused rather than
//! silently matching nothing.
//!
//! Writes are atomic: a temporary file beside the store, flushed, then renamed over it.
//! Concurrent writers are last-writer-wins per whole file (a desk's decisions are recorded
//! at export, a few a minute at most).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tusch_core::Category;

use crate::error::KeyedError;
use crate::hmac::{hex, HmacSha256};
use crate::normalize::{normalise, normalise_pnr};

/// The file format version.
pub const FORMAT: u32 = 1;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Learned: masked by hand where no detector found it.
    Mask,
    /// Learned: a suggestion rejected as not personal data.
    NotPersonal,
    /// A protected identity's name.
    ProtectedName,
    /// A protected identity's personnummer (12 digits).
    ProtectedPnr,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Mask,
        Kind::NotPersonal,
        Kind::ProtectedName,
        Kind::ProtectedPnr,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Mask => "mask",
            Kind::NotPersonal => "not_personal",
            Kind::ProtectedName => "protected_name",
            Kind::ProtectedPnr => "protected_pnr",
        }
    }
}

/// One entry. `Debug` shows the hash, which is safe: it is what the file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// HMAC-SHA256 of the normalised string, lower-case hex.
    pub hash: String,
    pub kind: Kind,
    /// How many decisions (or seeds) made it.
    pub count: u32,
    /// First and last decision, `YYYY-MM-DD`.
    pub first: String,
    pub last: String,
    /// The category of a hand mask, when the registrar chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreFile {
    format: u32,
    key_id: String,
    entries: Vec<Entry>,
}

/// The counts of one hash, over all kinds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub mask: u32,
    pub not_personal: u32,
    pub protected: u32,
    /// The category of the hand masks, when one was chosen.
    pub category: Option<Category>,
}

/// Counts and dates per kind, for `stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KindStats {
    pub entries: usize,
    pub decisions: u64,
    pub first: Option<String>,
    pub last: Option<String>,
}

/// A store loaded into memory with its secret.
pub struct KeyedStore {
    path: PathBuf,
    hasher: HmacSha256,
    key_id: String,
    entries: BTreeMap<(String, Kind), Entry>,
}

impl std::fmt::Debug for KeyedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedStore")
            .field("path", &self.path)
            .field("entries", &self.entries.len())
            .finish_non_exhaustive()
    }
}

/// The default secret: `secret.key` beside the store.
pub fn default_secret_path(store: &Path) -> PathBuf {
    store.with_file_name("secret.key")
}

/// Reads the 32-byte secret at `path`, creating it (mode 0600, from `/dev/urandom`) when
/// there is none.
pub fn load_or_create_secret(path: &Path) -> Result<[u8; 32], KeyedError> {
    let io = |source| KeyedError::Io {
        path: path.to_owned(),
        source,
    };
    match std::fs::read(path) {
        Ok(bytes) => {
            return <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| KeyedError::BadSecret {
                path: path.to_owned(),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let mut secret = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut secret))
        .map_err(|source| KeyedError::Io {
            path: PathBuf::from("/dev/urandom"),
            source,
        })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(mut f) => {
            f.write_all(&secret)
                .and_then(|()| f.sync_all())
                .map_err(io)?;
            Ok(secret)
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_secret(path),
        Err(e) => Err(io(e)),
    }
}

impl KeyedStore {
    /// Opens the store at `path` (empty when the file does not exist yet) with the secret
    /// at `secret` (default [`default_secret_path`]; created on first use).
    pub fn open(path: &Path, secret: Option<&Path>) -> Result<Self, KeyedError> {
        let secret_path = secret.map_or_else(|| default_secret_path(path), Path::to_owned);
        let hasher = HmacSha256::new(&load_or_create_secret(&secret_path)?);
        let key_id = hex(&hasher.mac(b"tusch-keyed key id v1")[..8]);
        let mut store = Self {
            path: path.to_owned(),
            hasher,
            key_id,
            entries: BTreeMap::new(),
        };
        if path.exists() {
            for e in store.read_file(path)? {
                store.entries.insert((e.hash.clone(), e.kind), e);
            }
        }
        Ok(store)
    }

    fn read_file(&self, path: &Path) -> Result<Vec<Entry>, KeyedError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyedError::Io {
            path: path.to_owned(),
            source,
        })?;
        let file: StoreFile = serde_json::from_str(&text).map_err(|e| KeyedError::Format {
            path: path.to_owned(),
            // serde_json's message names positions and expected types, never values.
            reason: format!("rad {}, kolumn {}", e.line(), e.column()),
        })?;
        if file.format != FORMAT {
            return Err(KeyedError::Format {
                path: path.to_owned(),
                reason: format!("okänt format {}", file.format),
            });
        }
        if file.key_id != self.key_id {
            return Err(KeyedError::WrongSecret {
                path: path.to_owned(),
            });
        }
        Ok(file.entries)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The keyed hash of an already normalised string.
    pub fn hash(&self, normalised: &str) -> String {
        hex(&self.hasher.mac(normalised.as_bytes()))
    }

    /// The keyed hash of `s` as an entry of `kind` would store it: normalised as a name
    /// or string, or as a personnummer for [`Kind::ProtectedPnr`].
    pub fn hash_of(&self, s: &str, kind: Kind) -> Result<String, KeyedError> {
        let norm = match kind {
            Kind::ProtectedPnr => {
                normalise_pnr(s, crate::today().0).ok_or(KeyedError::Invalid {
                    reason: "ett personnummer har 10 eller 12 siffror, med eller utan - eller +",
                })?
            }
            _ => normalise(s).ok_or(KeyedError::Invalid {
                reason: "texten måste ha mellan 1 och 4 ord",
            })?,
        };
        Ok(self.hash(&norm))
    }

    /// Records one decision (or seed) for a hash. Returns the entry's new count.
    pub fn record_hash(&mut self, hash: String, kind: Kind, category: Option<Category>) -> u32 {
        let today = crate::today().1;
        let e = self
            .entries
            .entry((hash.clone(), kind))
            .or_insert_with(|| Entry {
                hash,
                kind,
                count: 0,
                first: today.clone(),
                last: today.clone(),
                category: None,
            });
        e.count = e.count.saturating_add(1);
        e.last = today;
        if category.is_some() && category != Some(Category::Other) {
            e.category = category;
        }
        e.count
    }

    /// Normalises, hashes and records `s`.
    pub fn record(
        &mut self,
        s: &str,
        kind: Kind,
        category: Option<Category>,
    ) -> Result<u32, KeyedError> {
        let h = self.hash_of(s, kind)?;
        Ok(self.record_hash(h, kind, category))
    }

    /// Removes the entry of `s` of `kind`; whether there was one.
    pub fn remove(&mut self, s: &str, kind: Kind) -> Result<bool, KeyedError> {
        let h = self.hash_of(s, kind)?;
        Ok(self.entries.remove(&(h, kind)).is_some())
    }

    /// Removes every entry (a reset).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The counts of one hash.
    pub fn counts(&self, hash: &str) -> Counts {
        let mut c = Counts::default();
        for kind in Kind::ALL {
            if let Some(e) = self.entries.get(&(hash.to_owned(), kind)) {
                match kind {
                    Kind::Mask => {
                        c.mask = e.count;
                        c.category = e.category;
                    }
                    Kind::NotPersonal => c.not_personal = e.count,
                    Kind::ProtectedName | Kind::ProtectedPnr => c.protected += e.count,
                }
            }
        }
        c
    }

    /// Whether a hash has an entry of `kind`.
    pub fn contains(&self, hash: &str, kind: Kind) -> bool {
        self.entries.contains_key(&(hash.to_owned(), kind))
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// How many entries of `kind`.
    pub fn count(&self, kind: Kind) -> usize {
        self.entries.keys().filter(|(_, k)| *k == kind).count()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries, decisions and dates per kind.
    pub fn stats(&self) -> BTreeMap<&'static str, KindStats> {
        let mut out = BTreeMap::new();
        for kind in Kind::ALL {
            let mut s = KindStats::default();
            for e in self.entries.values().filter(|e| e.kind == kind) {
                s.entries += 1;
                s.decisions += u64::from(e.count);
                if s.first.as_ref().is_none_or(|f| e.first < *f) {
                    s.first = Some(e.first.clone());
                }
                if s.last.as_ref().is_none_or(|l| e.last > *l) {
                    s.last = Some(e.last.clone());
                }
            }
            out.insert(kind.as_str(), s);
        }
        out
    }

    /// Merges another store file made with the same secret: counts add up, dates widen.
    /// Returns how many entries were read.
    pub fn import(&mut self, path: &Path) -> Result<usize, KeyedError> {
        let entries = self.read_file(path)?;
        let n = entries.len();
        for e in entries {
            match self.entries.get_mut(&(e.hash.clone(), e.kind)) {
                Some(mine) => {
                    mine.count = mine.count.saturating_add(e.count);
                    if e.first < mine.first {
                        mine.first = e.first;
                    }
                    if e.last > mine.last {
                        mine.last = e.last;
                    }
                    if mine.category.is_none() {
                        mine.category = e.category;
                    }
                }
                None => {
                    self.entries.insert((e.hash.clone(), e.kind), e);
                }
            }
        }
        Ok(n)
    }

    /// Writes the store to its own path.
    pub fn save(&self) -> Result<(), KeyedError> {
        self.save_to(&self.path)
    }

    /// Writes the store to `path`, atomically (temporary file + rename).
    pub fn save_to(&self, path: &Path) -> Result<(), KeyedError> {
        let io = |source| KeyedError::Io {
            path: path.to_owned(),
            source,
        };
        let file = StoreFile {
            format: FORMAT,
            key_id: self.key_id.clone(),
            entries: self.entries.values().cloned().collect(),
        };
        let mut json = serde_json::to_vec_pretty(&file).map_err(|e| io(e.into()))?;
        json.push(b'\n');
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let written = std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(&json).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&tmp, path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(e));
        }
        Ok(())
    }
}

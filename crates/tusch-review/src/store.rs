//! Autosave files: one JSON file per document under the app data folder
//! (`$XDG_DATA_HOME/tusch/granskningar/<sha256>.json`), keyed by the document's content so a
//! renamed or moved copy finds its review, and a changed file does not get a stale one.
//!
//! Not a sidecar beside the original: registrars often open documents from read-only or
//! shared folders (the diarium's export, a colleague's share), and a file next to the
//! original would be a second record to manage. The file holds rectangles, states,
//! provisions and byte spans only — never document text.
//!
//! Writes are atomic (temporary file in the same folder, fsync, rename), so a crash leaves
//! either the previous save or the new one, never a torn file.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::ReviewError;
use crate::review::ReviewMask;

/// The version of the autosave format.
pub const SAVE_FORMAT: u32 = 1;

/// What is saved of one document's review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedReview {
    pub format: u32,
    pub sha256: String,
    pub page_count: usize,
    pub masks: Vec<ReviewMask>,
    /// The engine that made the suggestions (tool version, model name and hash), recorded in
    /// the exported plan. Absent in saves of older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
}

/// The folder autosave files live in.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// `$XDG_DATA_HOME/tusch/granskningar`, or `~/.local/share/tusch/granskningar`; a
    /// folder under the temp dir when neither is known (saves then last the session).
    pub fn default_location() -> Self {
        let base = crate::catalogue::xdg_dir("XDG_DATA_HOME", ".local/share")
            .unwrap_or_else(|| std::env::temp_dir().join("tusch"));
        Self::new(base.join("granskningar"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file a document's review is saved in.
    pub fn path_for(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{sha256}.json"))
    }

    /// Writes a review atomically.
    pub fn save(&self, saved: &SavedReview) -> Result<(), ReviewError> {
        let path = self.path_for(&saved.sha256);
        let err = |source| ReviewError::Save {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(err)?;
        let json = serde_json::to_vec(saved).map_err(|e| err(std::io::Error::other(e)))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".granskning-")
            .suffix(".part")
            .tempfile_in(&self.dir)
            .map_err(err)?;
        tmp.write_all(&json).map_err(err)?;
        tmp.as_file().sync_all().map_err(err)?;
        tmp.persist(&path).map_err(|e| err(e.error))?;
        Ok(())
    }

    /// The saved review of a document, if there is a usable one. A damaged or mismatched
    /// file is an error the caller shows, after which the document is analysed afresh.
    pub fn load(
        &self,
        sha256: &str,
        page_count: usize,
    ) -> Result<Option<SavedReview>, ReviewError> {
        let path = self.path_for(sha256);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ReviewError::Save { path, source: e }),
        };
        let bad = |reason: &str| ReviewError::BadSave {
            path: path.clone(),
            reason: reason.to_owned(),
        };
        let saved: SavedReview =
            serde_json::from_slice(&bytes).map_err(|_| bad("ogiltigt format"))?;
        if saved.format != SAVE_FORMAT {
            return Err(bad("okänd version"));
        }
        if saved.sha256 != sha256 || saved.page_count != page_count {
            return Err(bad("hör till ett annat dokument"));
        }
        if saved.masks.iter().any(|m| m.page >= page_count) {
            return Err(bad("sidnummer utanför dokumentet"));
        }
        Ok(Some(saved))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tusch_core::{Category, Rect};

    fn saved(sha: &str) -> SavedReview {
        SavedReview {
            engine: None,
            format: SAVE_FORMAT,
            sha256: sha.into(),
            page_count: 2,
            masks: vec![ReviewMask::manual(
                1,
                vec![Rect::new(1.0, 2.0, 3.0, 4.0)],
                Category::Person,
                crate::review::Origin::Manual,
            )],
        }
    }

    #[test]
    fn save_then_load_round_trips_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("g"));
        let s = saved("ab");
        store.save(&s).unwrap();
        store.save(&s).unwrap();
        assert_eq!(store.load("ab", 2).unwrap(), Some(s));
        let names: Vec<_> = std::fs::read_dir(store.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("ab.json")]);
    }

    #[test]
    fn missing_is_none_and_damaged_or_foreign_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        assert_eq!(store.load("cd", 2).unwrap(), None);
        std::fs::write(store.path_for("cd"), b"{not json").unwrap();
        assert!(store.load("cd", 2).is_err());
        store.save(&saved("ef")).unwrap();
        assert!(store.load("ef", 3).is_err(), "page count differs");
    }
}

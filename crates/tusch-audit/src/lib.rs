//! # tusch-audit
//!
//! The audit trail (issue 14): every document Tusch releases — an export from the desktop
//! app, each document of `tusch batch`, `tusch redact` — appends one line to a log, so a
//! kommun can show afterwards who released what, from which input, with how many masks
//! under which provisions, with which version and model.
//!
//! The crate knows nothing of the engine: a record is built from plain strings and counts
//! ([`AuditRecord::builder`]), so the CLI and the desktop app fill it from their own types.
//! It has no network code and no dependency on any other tusch crate.
//!
//! ```no_run
//! # fn main() -> Result<(), tusch_audit::AuditError> {
//! use tusch_audit::{AuditLog, AuditRecord, EventKind};
//! let record = AuditRecord::builder(
//!     EventKind::Batch,
//!     "in/beslut.pdf",
//!     tusch_audit::sha256_file("in/beslut.pdf")?,
//!     tusch_audit::sha256_file("ut/beslut.pdf")?,
//! )
//! .pages(2)
//! .mask(1, "person", Some("26 kap. 1 § OSL"), false)
//! .build();
//! AuditLog::open(tusch_audit::default_path()?)?.append(&record)?;
//! let summary = tusch_audit::verify(tusch_audit::default_path()?)?;
//! tusch_audit::export_csv(tusch_audit::default_path()?, std::io::stdout().lock())?;
//! # Ok(()) }
//! ```
//!
//! ## No document text, ever
//!
//! A record holds the input's file name (not its folder), sha256 hashes, page and mask
//! counts, category and provision names, the user, the host, the version and the model.
//! It has no field for text, rectangles or positions, and the builder takes none: what was
//! masked cannot be read back from the log. (A file name can itself name a person — "Beslut
//! Anna A.pdf" — which is why the log is created readable by its owner only, `0600`.)
//!
//! ## The file: JSON Lines in a hash chain
//!
//! One line per record, UTF-8, ending in `\n`:
//!
//! ```text
//! {"seq":1,"prev":"000…000","record":{"time":"2025-03-04T12:34:56Z",…}}
//! {"seq":2,"prev":"<sha256 of line 1>","record":{…}}
//! ```
//!
//! `seq` counts from 1; `prev` is the lower-case hex sha256 of the previous line's exact
//! bytes without its newline (64 zeros on the first line). A line that repaired a torn
//! tail also has `"repaired_torn_tail":true` and `torn_tail_bytes`. [`verify()`] walks the
//! chain and names the first broken line and why:
//!
//! - a line edited → the next line's `prev` no longer matches ([`Problem::Prev`]);
//! - a line deleted → the next line's `seq` jumps ([`Problem::Seq`]), or, the first line,
//!   the new first line's `prev` is not zeros ([`Problem::FirstPrev`]);
//! - lines swapped or copied → `seq` out of order;
//! - an interrupted write at the end → [`Problem::Torn`].
//!
//! What the chain cannot show, by itself:
//!
//! - **Lines cut from the end.** A log whose last lines were removed is a valid, shorter
//!   chain. Only an anchor kept outside the log shows it: the last `seq` and sha256, which
//!   [`verify()`] returns ([`VerifySummary::last_seq`], [`VerifySummary::last_sha256`]) and
//!   `tusch audit verify` prints, for IT to note (in the diarium, a ticket) now and then. A
//!   later log must still contain that line with that hash.
//! - **A rewrite from some line on.** The hashes are not keyed, so someone who can write
//!   the file can edit a line and recompute every line after it. The anchor catches that
//!   too (the anchored line's hash changes); so does a log on storage users cannot write,
//!   or copies sent elsewhere (syslog, backups).
//!
//! The log is a tamper-evident record of what this installation did, not a defence against
//! its administrator.
//!
//! ## Crash safety and concurrency
//!
//! See [`log`]: an exclusive `flock` per append, the last line read from the end,
//! one `write_all` of the line and its newline, `sync_data`. A crash leaves at most a torn
//! last line, which the next append truncates and records; lines before it are never
//! rewritten. Verification and export read under a shared lock.
//!
//! ## Where the log lives
//!
//! Per user by default, [`default_path`]: `$XDG_STATE_HOME/tusch/audit.jsonl`, or
//! `~/.local/state/tusch/audit.jsonl`. A system-wide log (`/var/log/tusch/audit.jsonl`,
//! mode `0640` through [`AuditLog::open_with_mode`]) is a matter of configuration
//! (`[audit] path`).

pub mod csv;
pub mod error;
pub mod log;
pub mod record;
pub mod verify;

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use csv::export_csv;
pub use error::{AuditError, Problem};
pub use log::{Appended, AuditLog, GENESIS_PREV};
pub use record::{AuditRecord, EventKind, PageMasks, ProvisionCount, RecordBuilder};
pub use verify::{verify, VerifySummary};

/// The per-user log: `$XDG_STATE_HOME/tusch/audit.jsonl` (an absolute `XDG_STATE_HOME`
/// only, as the XDG base directory specification says), else
/// `~/.local/state/tusch/audit.jsonl`.
pub fn default_path() -> Result<PathBuf, AuditError> {
    default_path_from(std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME"))
}

fn default_path_from(
    xdg_state_home: Option<OsString>,
    home: Option<OsString>,
) -> Result<PathBuf, AuditError> {
    let base = match xdg_state_home.map(PathBuf::from) {
        Some(p) if p.is_absolute() => p,
        _ => match home {
            Some(h) if !h.is_empty() => PathBuf::from(h).join(".local").join("state"),
            _ => return Err(AuditError::NoDefaultPath),
        },
    };
    Ok(base.join("tusch").join("audit.jsonl"))
}

/// The lower-case hex sha256 of a file, read in 1 MiB pieces.
pub fn sha256_file(path: impl AsRef<Path>) -> Result<String, AuditError> {
    let path = path.as_ref();
    let err = |source| AuditError::Hash {
        path: path.to_owned(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(err(e)),
        };
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// The lower-case hex sha256 of some bytes.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn default_path_follows_xdg_then_home() {
        assert_eq!(
            default_path_from(Some("/var/state".into()), Some("/home/a".into())).unwrap(),
            Path::new("/var/state/tusch/audit.jsonl")
        );
        // A relative XDG_STATE_HOME is ignored, as the specification says.
        assert_eq!(
            default_path_from(Some("rel".into()), Some("/home/a".into())).unwrap(),
            Path::new("/home/a/.local/state/tusch/audit.jsonl")
        );
        assert_eq!(
            default_path_from(None, Some("/home/a".into())).unwrap(),
            Path::new("/home/a/.local/state/tusch/audit.jsonl")
        );
        assert!(matches!(
            default_path_from(None, None),
            Err(AuditError::NoDefaultPath)
        ));
    }

    #[test]
    fn sha256_of_bytes_and_files() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(sha256_file(&p).unwrap(), sha256_hex(b"abc"));
        assert!(matches!(
            sha256_file(dir.path().join("saknas")),
            Err(AuditError::Hash { .. })
        ));
        assert_eq!(GENESIS_PREV.len(), 64);
    }
}

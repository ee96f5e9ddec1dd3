//! The log file: opening, locking, reading lines back, appending one.
//!
//! # One append
//!
//! 1. Open the file (`O_APPEND`, created `0600`), take an exclusive `flock`: appends from
//!    other threads and processes wait; readers (`verify`, `export_csv`) take a shared lock,
//!    so they never see a line half written.
//! 2. Read the last line backwards from the end of the file (not the whole log). If the
//!    file does not end in a newline, the bytes after the last newline are a torn tail: an
//!    append that was cut off before its write finished. A last line that ends in a newline
//!    but is not a log line is torn too (a power loss can persist the end of a write and not
//!    its beginning). Only that one final segment is ever treated as torn — each append
//!    repairs the tail before writing, so there can be no second — and anything unreadable
//!    before it is an error, never cut.
//! 3. Truncate the torn tail, if any; the new line then says so (`repaired_torn_tail`,
//!    `torn_tail_bytes`), so the repair itself is on the record.
//! 4. Write the new line and its newline with one `write_all`, then `sync_data`. If the
//!    write fails (a full disk), the file is cut back to where it was.
//!
//! A record the caller saw `append` return `Ok` for is on disk. A crash before that leaves
//! either nothing or a torn tail, and lines before it are never touched: the file is only
//! ever appended to, and truncated only back to the end of the last complete line.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};

use crate::error::AuditError;
use crate::record::AuditRecord;
use crate::sha256_hex;

/// The `prev` of the first line: 64 zeros.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The mode a new log file is created with: readable and writable by its owner only.
pub const DEFAULT_MODE: u32 = 0o600;

/// One line as written: the chain fields first, then the record.
#[derive(Serialize)]
struct LineOut<'a> {
    seq: u64,
    prev: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    repaired_torn_tail: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    torn_tail_bytes: Option<u64>,
    record: &'a AuditRecord,
}

/// One line as read back. `R` is how much of the record the reader needs: nothing to
/// check the chain (so a newer Tusch's records still verify and append), the whole
/// [`AuditRecord`] to export.
#[derive(Deserialize)]
pub(crate) struct Envelope<R> {
    pub seq: u64,
    pub prev: String,
    #[serde(default)]
    pub repaired_torn_tail: bool,
    pub record: R,
}

/// The audit log at one path. Holds no open file: every append opens, locks, writes,
/// syncs and closes, so a log moved away by rotation or an administrator is never written
/// through a stale handle, and nothing is held between documents.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
    #[cfg_attr(not(unix), allow(dead_code))]
    mode: u32,
}

/// What one append wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The new line's `seq`.
    pub seq: u64,
    /// The sha256 of the new line (the next line's `prev`; the anchor until then).
    pub sha256: String,
    /// Bytes of a torn tail removed before writing, if there was one.
    pub repaired_torn_tail: Option<u64>,
}

impl AuditLog {
    /// Opens the log at `path`, creating its folders and the file (mode `0600`) if needed.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, AuditError> {
        Self::open_with_mode(path, DEFAULT_MODE)
    }

    /// As [`AuditLog::open`], with the mode a new file gets on unix (the umask still
    /// applies): `0o640` for a system-wide log under `/var/log/tusch/` written by one
    /// account and read by a group (e.g. `adm`), `0o660` for one that several users write
    /// through a shared group. An existing file keeps its mode.
    pub fn open_with_mode(path: impl Into<PathBuf>, mode: u32) -> Result<Self, AuditError> {
        let log = Self {
            path: path.into(),
            mode,
        };
        if let Some(dir) = log.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| AuditError::CreateDir {
                path: dir.to_owned(),
                source,
            })?;
        }
        let created = match log.options().create_new(true).open(&log.path) {
            Ok(_) => true,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => false,
            Err(source) => return Err(log.err_open(source)),
        };
        if created {
            log.sync_dir();
        }
        // The file may exist but not be writable by this user: say so now, not at the
        // first export.
        log.options().open(&log.path).map_err(|e| log.err_open(e))?;
        Ok(log)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record as a new line of the chain (see the module documentation).
    pub fn append(&self, record: &AuditRecord) -> Result<Appended, AuditError> {
        let mut file = self
            .options()
            .open(&self.path)
            .map_err(|e| self.err_open(e))?;
        lock(&file, true).map_err(|source| AuditError::Lock {
            path: self.path.clone(),
            source,
        })?;
        let read_err = |source| AuditError::Read {
            path: self.path.clone(),
            source,
        };
        let write_err = |source| AuditError::Write {
            path: self.path.clone(),
            source,
        };
        let len = file.metadata().map_err(read_err)?.len();
        let tail = match read_tail(&mut file, len) {
            Ok(t) => t,
            Err(TailError::Io(e)) => return Err(read_err(e)),
            Err(TailError::Unreadable { start, source }) => {
                let line = count_newlines(&mut file, start).map_err(read_err)? + 1;
                return Err(AuditError::Unreadable {
                    path: self.path.clone(),
                    line,
                    source,
                });
            }
        };
        let torn = len - tail.keep;
        if torn > 0 {
            file.set_len(tail.keep).map_err(write_err)?;
        }
        let (seq, prev) = match &tail.last {
            Some((bytes, seq)) => (seq + 1, sha256_hex(bytes)),
            None => (1, GENESIS_PREV.to_owned()),
        };
        let mut line = serde_json::to_vec(&LineOut {
            seq,
            prev: &prev,
            repaired_torn_tail: torn > 0,
            torn_tail_bytes: (torn > 0).then_some(torn),
            record,
        })
        .map_err(AuditError::Encode)?;
        let sha256 = sha256_hex(&line);
        line.push(b'\n');
        if let Err(e) = file.write_all(&line).and_then(|()| file.sync_data()) {
            // Best effort: leave no partial line behind (the next append would repair
            // it anyway).
            let _ = file.set_len(tail.keep);
            return Err(write_err(e));
        }
        Ok(Appended {
            seq,
            sha256,
            repaired_torn_tail: (torn > 0).then_some(torn),
        })
        // The lock goes with the file.
    }

    fn options(&self) -> OpenOptions {
        let mut o = OpenOptions::new();
        o.read(true).append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(self.mode);
        }
        o
    }

    fn err_open(&self, source: io::Error) -> AuditError {
        AuditError::Open {
            path: self.path.clone(),
            source,
        }
    }

    /// Makes a new file's directory entry durable. Best effort: some file systems refuse to
    /// sync a directory, and the file's own lines are synced on every append regardless.
    fn sync_dir(&self) {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
    }
}

/// Takes an advisory lock, exclusive or shared, held until the file is closed. `flock`
/// through rustix (safe, and already a dependency of tempfile): `std::fs::File::lock` needs
/// Rust 1.89 and the workspace's rust-version is 1.88; switch when it moves.
#[cfg(unix)]
pub(crate) fn lock(file: &File, exclusive: bool) -> io::Result<()> {
    use rustix::fs::{flock, FlockOperation};
    let op = if exclusive {
        FlockOperation::LockExclusive
    } else {
        FlockOperation::LockShared
    };
    loop {
        match flock(file, op) {
            Ok(()) => return Ok(()),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(not(unix))]
compile_error!("tusch-audit locks its log with flock (unix only); use std's File::lock here");

/// The end of the file as append sees it.
struct Tail {
    /// Where the torn tail begins: `len` when there is none.
    keep: u64,
    /// The last complete line (without its newline) and its `seq`.
    last: Option<(Vec<u8>, u64)>,
}

enum TailError {
    Io(io::Error),
    /// A complete line before the torn tail (or two lines from the end) is not a log line.
    Unreadable {
        start: u64,
        source: serde_json::Error,
    },
}

impl From<io::Error> for TailError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

fn read_tail(file: &mut File, len: u64) -> Result<Tail, TailError> {
    let mut keep = len;
    let mut may_cut = true;
    if len > 0 && read_byte(file, len - 1)? != b'\n' {
        keep = segment_before(file, len)?.0;
        may_cut = false;
    }
    loop {
        if keep == 0 {
            return Ok(Tail { keep, last: None });
        }
        // keep - 1 is the newline that ends the last complete line.
        let (start, bytes) = segment_before(file, keep - 1)?;
        match serde_json::from_slice::<Envelope<IgnoredAny>>(&bytes) {
            Ok(env) => {
                return Ok(Tail {
                    keep,
                    last: Some((bytes, env.seq)),
                })
            }
            Err(_) if may_cut => {
                keep = start;
                may_cut = false;
            }
            Err(source) => return Err(TailError::Unreadable { start, source }),
        }
    }
}

fn read_byte(file: &mut File, at: u64) -> io::Result<u8> {
    let mut b = [0u8];
    file.seek(SeekFrom::Start(at))?;
    file.read_exact(&mut b)?;
    Ok(b[0])
}

/// The bytes from just after the last newline before `end` (or from the start of the
/// file) up to `end`, and where they start. Reads backwards in growing chunks, so a long
/// log costs one or two small reads.
fn segment_before(file: &mut File, end: u64) -> io::Result<(u64, Vec<u8>)> {
    let mut start = end;
    let mut acc: Vec<u8> = Vec::new();
    let mut chunk = 8 * 1024;
    while start > 0 {
        let from = start.saturating_sub(chunk);
        let mut piece = vec![0u8; (start - from) as usize];
        file.seek(SeekFrom::Start(from))?;
        file.read_exact(&mut piece)?;
        if let Some(i) = piece.iter().rposition(|&b| b == b'\n') {
            piece.drain(..=i);
            piece.extend_from_slice(&acc);
            return Ok((from + i as u64 + 1, piece));
        }
        piece.extend_from_slice(&acc);
        acc = piece;
        start = from;
        chunk = (chunk * 2).min(1 << 20);
    }
    Ok((0, acc))
}

/// Newlines in the first `upto` bytes: the 0-based line number of the line at `upto`.
fn count_newlines(file: &mut File, upto: u64) -> io::Result<u64> {
    file.seek(SeekFrom::Start(0))?;
    let mut r = BufReader::new(file.take(upto));
    let mut n = 0;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(n);
        }
        n += buf.iter().filter(|&&b| b == b'\n').count() as u64;
        let k = buf.len();
        r.consume(k);
    }
}

/// One line of the file as a reader sees it.
pub(crate) struct Line<'a> {
    /// 1-based line number.
    pub no: u64,
    /// The line without its newline.
    pub bytes: &'a [u8],
    pub newline: bool,
    /// Nothing follows it.
    pub last: bool,
}

/// What a line is.
pub(crate) enum Parsed<R> {
    Line(Envelope<R>),
    /// The final segment, incomplete: see the module documentation.
    Torn,
}

impl Line<'_> {
    /// Parses the line, telling a torn tail (no newline, or an unreadable last line)
    /// from an unreadable line in the middle of the log, which is an error.
    pub fn parse<R: DeserializeOwned>(&self, path: &Path) -> Result<Parsed<R>, AuditError> {
        if !self.newline {
            return Ok(Parsed::Torn);
        }
        match serde_json::from_slice::<Envelope<R>>(self.bytes) {
            Ok(env) => Ok(Parsed::Line(env)),
            Err(_) if self.last => Ok(Parsed::Torn),
            Err(source) => Err(AuditError::Unreadable {
                path: path.to_owned(),
                line: self.no,
                source,
            }),
        }
    }
}

/// Calls `f` for each line of the log, under a shared lock (appends wait until the
/// reading is done, so no line is seen half written).
pub(crate) fn each_line(
    path: &Path,
    mut f: impl FnMut(Line<'_>) -> Result<(), AuditError>,
) -> Result<(), AuditError> {
    let file = File::open(path).map_err(|source| AuditError::Open {
        path: path.to_owned(),
        source,
    })?;
    lock(&file, false).map_err(|source| AuditError::Lock {
        path: path.to_owned(),
        source,
    })?;
    let read_err = |source| AuditError::Read {
        path: path.to_owned(),
        source,
    };
    let mut r = BufReader::with_capacity(1 << 16, file);
    let mut buf = Vec::new();
    let mut no = 0;
    loop {
        buf.clear();
        if r.read_until(b'\n', &mut buf).map_err(read_err)? == 0 {
            return Ok(());
        }
        no += 1;
        let newline = buf.last() == Some(&b'\n');
        if newline {
            buf.pop();
        }
        let last = r.fill_buf().map_err(read_err)?.is_empty();
        f(Line {
            no,
            bytes: &buf,
            newline,
            last,
        })?;
    }
}

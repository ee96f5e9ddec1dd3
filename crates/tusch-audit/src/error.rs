//! Errors of the audit layer. Messages are Swedish (they reach kommun IT as they are), name
//! the log file and the line, and carry the cause as `source` rather than in the message.
//! A log line never holds document text, so no error can quote any.

use std::fmt;
use std::path::PathBuf;

/// Why the audit log could not be written, read, verified or exported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// Neither `XDG_STATE_HOME` nor `HOME` says where a per-user log belongs.
    #[error(
        "hittar ingen standardplats för granskningsloggen (varken XDG_STATE_HOME eller HOME är satt); ange sökvägen"
    )]
    NoDefaultPath,
    #[error("kunde inte skapa mappen {path} för granskningsloggen")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("kunde inte öppna granskningsloggen {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("kunde inte låsa granskningsloggen {path}")]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("kunde inte läsa granskningsloggen {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("kunde inte skriva till granskningsloggen {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A record that serde could not turn into JSON (cannot happen for [`crate::AuditRecord`]
    /// as it is; kept so `append` never panics).
    #[error("kunde inte skriva granskningsposten som JSON")]
    Encode(#[source] serde_json::Error),
    /// A complete line (ending in a newline) that is not a log line of this format.
    #[error("{path}: rad {line} är ingen giltig rad i granskningsloggen")]
    Unreadable {
        path: PathBuf,
        line: u64,
        #[source]
        source: serde_json::Error,
    },
    /// The chain is broken at `line` (1-based): see [`Problem`].
    #[error("{path}: rad {line}: {problem}")]
    Broken {
        path: PathBuf,
        line: u64,
        problem: Problem,
    },
    #[error("kunde inte läsa {path} för att beräkna dess sha256")]
    Hash {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("kunde inte skriva CSV-exporten")]
    Csv(#[source] std::io::Error),
}

impl AuditError {
    /// The 1-based line of the log where verification found the log broken or unreadable.
    pub fn line(&self) -> Option<u64> {
        match self {
            Self::Unreadable { line, .. } | Self::Broken { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// Whether this error says the log itself is damaged or tampered with (as opposed to
    /// the file not being readable at all). `tusch audit verify` exits 1 either way.
    pub fn is_broken_log(&self) -> bool {
        self.line().is_some()
    }
}

/// What is wrong with one line of the chain. Each says what was found, what was expected,
/// and what it usually means.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The line's `seq` is not one more than the line before's (or 1 on the first line).
    Seq { expected: u64, found: u64 },
    /// The first line's `prev` is not 64 zeros: lines before it were removed.
    FirstPrev,
    /// The line's `prev` is not the sha256 of the line before it.
    Prev { previous_line: u64 },
    /// The last line is incomplete: no newline at the end, or not valid JSON. A write was
    /// cut off (a crash, a power loss); the next append removes it and says so in its line.
    Torn { bytes: u64 },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Seq { expected, found } if found > expected => write!(
                f,
                "löpnumret är {found}, väntat {expected}: rader före denna har tagits bort eller flyttats"
            ),
            Self::Seq { expected, found } => write!(
                f,
                "löpnumret är {found}, väntat {expected}: raden har flyttats eller kopierats"
            ),
            Self::FirstPrev => write!(
                f,
                "första raden ska ha prev = 64 nollor: rader före den har tagits bort"
            ),
            Self::Prev { previous_line } => write!(
                f,
                "fältet prev stämmer inte med sha256 av rad {previous_line}: rad {previous_line} har ändrats, eller rader har tagits bort eller flyttats"
            ),
            Self::Torn { bytes } => write!(
                f,
                "raden är ofullständig ({bytes} byte): en skrivning avbröts, t.ex. vid en krasch; nästa tillägg tar bort den och noterar det i sin rad"
            ),
        }
    }
}

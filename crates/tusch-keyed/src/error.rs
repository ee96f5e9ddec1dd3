//! Errors of the keyed store. Messages are Swedish and name files, never strings or hashes.

use std::path::PathBuf;

/// Why the store or its secret could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyedError {
    #[error("kunde inte läsa eller skriva {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} är ingen giltig lista ({reason})")]
    Format { path: PathBuf, reason: String },
    #[error("nyckelfilen {path} är ogiltig: den ska innehålla exakt 32 byte")]
    BadSecret { path: PathBuf },
    #[error(
        "{path} är skapad med en annan nyckel; en delad lista kräver samma nyckelfil (secret.key) på alla datorer"
    )]
    WrongSecret { path: PathBuf },
    #[error("texten kan inte läggas till: {reason}")]
    Invalid { reason: &'static str },
}

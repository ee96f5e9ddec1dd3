//! Errors of the core crate.

use std::path::PathBuf;

/// A configuration file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("could not read configuration file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid configuration: {message}")]
    Parse { message: String },
    #[error("invalid configuration: {field} {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
}

//! Errors of the core crate.

/// A configuration text could not be used. The core only parses and validates text; which
/// file it came from is added by the loader (`tusch_engine::config`), which reads the files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Not TOML, an unknown key, or a value of the wrong type. `line` and `column` (1-based)
    /// point at the offending key or value when toml knows where it is.
    #[error("{}{message}", position(*line, *column))]
    Parse {
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// A value of the right type outside its allowed range.
    #[error("ogiltigt värde för {field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
}

fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("rad {l}, kolumn {c}: "),
        (Some(l), None) => format!("rad {l}: "),
        _ => String::new(),
    }
}

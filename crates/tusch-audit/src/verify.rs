//! Checking the chain, line by line, from the first.

use std::path::Path;

use serde::Deserialize;

use crate::error::{AuditError, Problem};
use crate::log::{each_line, Parsed, GENESIS_PREV};
use crate::sha256_hex;

/// An intact log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifySummary {
    /// Lines in the log (each one record).
    pub lines: u64,
    /// The last line's `seq` and sha256: the anchor. Noted outside the log (the diarium, a
    /// ticket, a printout), it is what shows later that no line was cut from the end or
    /// the end rewritten — the chain itself cannot (see the crate documentation).
    pub last_seq: Option<u64>,
    pub last_sha256: Option<String>,
    /// The time of the first and the last record.
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    /// The `seq` of each line that repaired a torn tail: a write was cut off before it
    /// (a crash or a power loss) and its record is not in the log.
    pub repaired: Vec<u64>,
}

/// The one record field verification reads (for the summary's times). Any other shape of
/// record is accepted: the chain covers the bytes, whatever version of Tusch wrote them.
#[derive(Deserialize)]
struct TimeOnly {
    #[serde(default)]
    time: Option<String>,
}

/// Verifies the log at `path`: every line is a log line, the `seq`s run 1, 2, 3, … and each
/// line's `prev` is the sha256 of the line before (64 zeros on the first). The first line
/// that fails is reported with its number and what is wrong ([`AuditError::Broken`],
/// [`AuditError::Unreadable`]); an incomplete last line is reported as such
/// ([`Problem::Torn`]).
///
/// An empty log is intact, with no lines. Reads under a shared lock, so appends wait.
pub fn verify(path: impl AsRef<Path>) -> Result<VerifySummary, AuditError> {
    let path = path.as_ref();
    let mut s = VerifySummary::default();
    let mut prev = GENESIS_PREV.to_owned();
    let broken = |line, problem| AuditError::Broken {
        path: path.to_owned(),
        line,
        problem,
    };
    each_line(path, |l| {
        let env = match l.parse::<TimeOnly>(path)? {
            Parsed::Line(env) => env,
            Parsed::Torn => {
                let bytes = l.bytes.len() as u64 + u64::from(l.newline);
                return Err(broken(l.no, Problem::Torn { bytes }));
            }
        };
        if env.seq != l.no {
            return Err(broken(
                l.no,
                Problem::Seq {
                    expected: l.no,
                    found: env.seq,
                },
            ));
        }
        if env.prev != prev {
            let problem = if l.no == 1 {
                Problem::FirstPrev
            } else {
                Problem::Prev {
                    previous_line: l.no - 1,
                }
            };
            return Err(broken(l.no, problem));
        }
        prev = sha256_hex(l.bytes);
        s.lines = l.no;
        s.last_seq = Some(env.seq);
        if env.repaired_torn_tail {
            s.repaired.push(env.seq);
        }
        if s.first_time.is_none() {
            s.first_time.clone_from(&env.record.time);
        }
        s.last_time = env.record.time;
        Ok(())
    })?;
    if s.lines > 0 {
        s.last_sha256 = Some(prev);
    }
    Ok(s)
}

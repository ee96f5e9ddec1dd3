//! # tusch-keyed
//!
//! One store, one format, for everything Tusch must remember about strings without
//! remembering the strings: the **learned list** (what registrars masked by hand, what they
//! rejected as not personal data) and the kommun's **protected identities** (skyddade
//! personuppgifter).
//!
//! Every entry is a keyed hash — HMAC-SHA256 under a 32-byte secret created per
//! installation ([`store::load_or_create_secret`]) — of a string normalised by one rule
//! ([`normalize`]), with a kind, a count and two dates ([`store::Entry`]). Nothing readable
//! is stored: to find a string again, every token and token n-gram (1 to 4 tokens) of a
//! page is normalised and hashed the same way and looked up ([`matcher`]).
//!
//! The crate plugs into the analyzer of `tusch-core` at its two seams:
//!
//! - [`ProtectedDetector`] (a [`tusch_core::Detector`]): every occurrence of a protected
//!   name or personnummer, as detector `skyddad_identitet`, score 1.0 — findings the
//!   analyzer never drops;
//! - [`LearnedDetector`] (detector `inlärd`): strings masked by hand before, with the
//!   decision count in the explanation; and [`LearnedSuppressor`] (a
//!   [`tusch_core::Suppressor`]): findings whose text registrars rejected
//!   `suppress_after` times more than they masked it.
//!
//! This crate reads and writes files (the store, the secret), so it is not part of
//! `tusch-core`; it depends on `tusch-core` only.

pub mod error;
pub mod hmac;
pub mod learned;
pub mod matcher;
pub mod normalize;
pub mod protected;
pub mod store;

use std::sync::{Arc, RwLock};

pub use error::KeyedError;
pub use learned::{LearnedDetector, LearnedSuppressor};
pub use protected::ProtectedDetector;
pub use store::{Counts, Entry, KeyedStore, Kind};

/// A store shared between the detectors that read it and the review session that records
/// decisions into it.
pub type SharedStore = Arc<RwLock<KeyedStore>>;

/// Wraps a store for sharing.
pub fn shared(store: KeyedStore) -> SharedStore {
    Arc::new(RwLock::new(store))
}

/// Today as (year, `YYYY-MM-DD`), in UTC, from the system clock.
pub fn today() -> (u32, String) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    (y as u32, format!("{y:04}-{m:02}-{d:02}"))
}

/// Days since 1970-01-01 to a calendar date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(19_782), (2024, 2, 29));
    }
}

//! Protected identities (skyddade personuppgifter): every occurrence of a name or
//! personnummer on the kommun's list.
//!
//! **What it finds.** Names: any token n-gram whose keyed hash is a `protected_name` entry.
//! Personnummer: every 10- or 12-digit number with or without `-`/`+` before the last four
//! digits, normalised to 12 digits — a 10-digit one is tried with both possible centuries —
//! whose hash is a `protected_pnr` entry.
//!
//! **Score and explanation.** 1.0, detector `skyddad_identitet`, rule `skyddad identitet`.
//! The analyzer never drops these findings (threshold, disabled categories, allow-list,
//! learned list), and the review app refuses to reject them without an override.
//!
//! **Example.** With "Vera Lind" on the list, "Vera Linds ansökan" and "VERA LIND" are
//! found; "Vera" alone is not (name propagation in the analyzer masks the parts).

use regex::Regex;
use std::sync::OnceLock;
use tusch_core::{Category, Detector, Explanation, Finding, Validation, PROTECTED_DETECTOR};

use crate::matcher::hits;
use crate::store::Kind;
use crate::SharedStore;

/// The rule name in explanations.
pub const RULE: &str = "skyddad identitet";

/// Finds the protected identities of a store.
#[derive(Debug, Clone)]
pub struct ProtectedDetector {
    store: SharedStore,
}

impl ProtectedDetector {
    pub fn new(store: SharedStore) -> Self {
        Self { store }
    }
}

fn pnr_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        #[allow(clippy::unwrap_used)] // a constant pattern
        Regex::new(r"(?:^|[^0-9])((?:\d{2})?\d{6}[-+]?\d{4})(?:$|[^0-9])").unwrap()
    })
}

fn explanation(validation: Validation) -> Explanation {
    Explanation::new(PROTECTED_DETECTOR, RULE, validation)
}

impl Detector for ProtectedDetector {
    fn name(&self) -> &'static str {
        PROTECTED_DETECTOR
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        let Ok(store) = self.store.read() else {
            return;
        };
        if store.count(Kind::ProtectedName) > 0 {
            for h in hits(&store, text) {
                if store_has(&store, text, &h.span, Kind::ProtectedName) {
                    out.push(Finding::new(
                        h.span,
                        Category::Person,
                        1.0,
                        explanation(Validation::NotApplicable),
                    ));
                }
            }
        }
        if store.count(Kind::ProtectedPnr) > 0 {
            // Overlapping candidates are found by restarting one byte after each start.
            let mut from = 0;
            while let Some(c) = pnr_pattern().captures_at(text, from) {
                let Some(m) = c.get(1) else { break };
                from = m.start() + 1;
                let raw = m.as_str();
                let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
                let candidates: Vec<String> = if digits.len() == 12 {
                    vec![digits]
                } else {
                    ["18", "19", "20"]
                        .iter()
                        .map(|c| format!("{c}{digits}"))
                        .collect()
                };
                if candidates
                    .iter()
                    .any(|c| store.contains(&store.hash(c), Kind::ProtectedPnr))
                {
                    out.push(Finding::new(
                        m.range(),
                        Category::Personnummer,
                        1.0,
                        explanation(Validation::Passed("skyddad lista".into())),
                    ));
                }
            }
        }
    }
}

/// Whether the n-gram at `span` is itself an entry of `kind` (a hit's counts merge kinds).
fn store_has(
    store: &crate::KeyedStore,
    text: &str,
    span: &std::ops::Range<usize>,
    kind: Kind,
) -> bool {
    crate::normalize::normalise(&text[span.clone()])
        .is_some_and(|n| store.contains(&store.hash(&n), kind))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{shared, KeyedStore};

    fn detector(dir: &std::path::Path) -> ProtectedDetector {
        let mut s = KeyedStore::open(&dir.join("skyddade.json"), None).unwrap();
        s.record("Vera Lind", Kind::ProtectedName, None).unwrap();
        s.record("19850317-2382", Kind::ProtectedPnr, None).unwrap();
        ProtectedDetector::new(shared(s))
    }

    #[test]
    fn finds_names_in_any_case_and_genitive_and_pnr_in_any_form() {
        let dir = tempfile::tempdir().unwrap();
        let d = detector(dir.path());
        let text = "Vera Linds ansökan. VERA LIND ringde. Vera kom. Pnr 850317-2382, 198503172382, 19850317-2383.";
        let mut out = Vec::new();
        d.detect(text, &mut out);
        let got: Vec<&str> = out.iter().map(|f| &text[f.span.clone()]).collect();
        assert_eq!(
            got,
            ["Vera Linds", "VERA LIND", "850317-2382", "198503172382"]
        );
        assert!(out.iter().all(|f| f.is_protected() && f.score == 1.0));
    }
}

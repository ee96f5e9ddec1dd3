//! The learned list: what the kommun's registrars decided, brought to the next document.
//!
//! **Suggestions** ([`LearnedDetector`], detector `inlärd`): a string masked by hand more
//! often than it was rejected is suggested wherever it occurs, with the category the
//! registrar chose (else Övrigt), score 0.9, and the number of decisions in the rule
//! ("maskerad för hand 3 gånger").
//!
//! **Suppression** ([`LearnedSuppressor`]): a finding whose text was rejected as not
//! personal data at least `suppress_after` times more than it was masked by hand is
//! dropped. "Consistent" is this difference: a hand mask of the same string cancels one
//! rejection. The analyzer never asks about protected identities or validated identifiers
//! (a personnummer passing date and Luhn checks), so those are never suppressed.

use tusch_core::{
    Category, Detector, Explanation, Finding, Suppressor, Validation, LEARNED_DETECTOR,
};

use crate::matcher::hits;
use crate::normalize::normalise;
use crate::SharedStore;

/// Suggests the strings masked by hand before.
#[derive(Debug, Clone)]
pub struct LearnedDetector {
    store: SharedStore,
}

impl LearnedDetector {
    pub fn new(store: SharedStore) -> Self {
        Self { store }
    }
}

/// The rule of a learned suggestion: the decision count, in Swedish.
pub fn rule(count: u32) -> String {
    if count == 1 {
        "maskerad för hand 1 gång".to_owned()
    } else {
        format!("maskerad för hand {count} gånger")
    }
}

impl Detector for LearnedDetector {
    fn name(&self) -> &'static str {
        LEARNED_DETECTOR
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        let Ok(store) = self.store.read() else {
            return;
        };
        for h in hits(&store, text) {
            let c = h.counts;
            if c.mask > c.not_personal {
                out.push(Finding::new(
                    h.span,
                    c.category.unwrap_or(Category::Other),
                    0.9,
                    Explanation::new(LEARNED_DETECTOR, &rule(c.mask), Validation::NotApplicable),
                ));
            }
        }
    }
}

/// Drops findings registrars keep rejecting.
#[derive(Debug, Clone)]
pub struct LearnedSuppressor {
    store: SharedStore,
    after: u32,
}

impl LearnedSuppressor {
    /// Suppresses after `after` (≥ 1) net rejections.
    pub fn new(store: SharedStore, after: u32) -> Self {
        Self {
            store,
            after: after.max(1),
        }
    }
}

impl Suppressor for LearnedSuppressor {
    fn name(&self) -> &'static str {
        LEARNED_DETECTOR
    }

    fn suppress(&self, text: &str, finding: &Finding) -> bool {
        let Some(norm) = text.get(finding.span.clone()).and_then(normalise) else {
            return false;
        };
        let Ok(store) = self.store.read() else {
            return false;
        };
        let c = store.counts(&store.hash(&norm));
        c.not_personal >= c.mask.saturating_add(self.after)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{shared, KeyedStore, Kind};
    use tusch_core::{Analyzer, DetectionPolicy};

    #[test]
    fn hand_masks_are_suggested_and_rejections_suppress_after_n() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = KeyedStore::open(&dir.path().join("inlard.json"), None).unwrap();
        s.record("Pärlemo", Kind::Mask, Some(Category::Person))
            .unwrap();
        s.record("Pärlemo", Kind::Mask, Some(Category::Person))
            .unwrap();
        for _ in 0..3 {
            s.record("Tor Nilsson", Kind::NotPersonal, None).unwrap();
        }
        // A validated personnummer is never suppressed, however often it was rejected.
        for _ in 0..5 {
            s.record("19850317-2382", Kind::NotPersonal, None).unwrap();
        }
        let store = shared(s);
        let text = "Familjen Pärlemos ärende. Projekt Tor Nilsson. Pnr 19850317-2382.";
        let found_by = |after: u32| {
            let mut a = Analyzer::new(DetectionPolicy::default());
            a.push_detector(Box::new(LearnedDetector::new(store.clone())));
            a.push_suppressor(Box::new(LearnedSuppressor::new(store.clone(), after)));
            a.analyze(&[text]).pages[0]
                .iter()
                .map(|f| (text[f.span.clone()].to_owned(), f.explanation.clone()))
                .collect::<Vec<_>>()
        };
        let found = found_by(3);
        let texts: Vec<&str> = found.iter().map(|(t, _)| t.as_str()).collect();
        assert!(texts.contains(&"Pärlemos"), "{texts:?}");
        assert!(texts.contains(&"19850317-2382"), "{texts:?}");
        assert!(!texts.iter().any(|t| t.contains("Nilsson")), "{texts:?}");
        let learned = found.iter().find(|(t, _)| t == "Pärlemos").unwrap();
        assert_eq!(learned.1.detector, "inlärd");
        assert_eq!(learned.1.rule, "maskerad för hand 2 gånger");
        // With a higher bar, three rejections are not yet enough.
        let found = found_by(4);
        assert!(
            found.iter().any(|(t, _)| t.contains("Nilsson")),
            "{found:?}"
        );
    }
}

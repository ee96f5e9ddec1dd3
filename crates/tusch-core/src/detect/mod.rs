//! Detectors: each finds one kind of personal data in a page's text.
//!
//! A detector is a pattern plus a validation step plus context words, in the manner of
//! Presidio's pattern recognisers: a passed checksum lifts the score to near certainty, a
//! failed one drops it, and a context word nearby ("personnummer", "tel", "konto") raises the
//! score of an unvalidated near-miss. Every finding carries an [`Explanation`].
//!
//! Each detector lives in a file of its own with a doc comment (what it finds, how it
//! validates, known false positives) and unit tests with positive and negative cases.
//!
//! Detectors see the page text exactly as the text layer holds it: lines are separated by
//! `"\r\n"`, and non-breaking spaces (U+00A0) and other Unicode spaces may occur where a
//! document has a space; patterns treat them as spaces.

use crate::finding::{Explanation, Finding};

pub mod util;

/// Finds personal data in text.
///
/// Implementations must be deterministic and must not log or keep the text they see.
pub trait Detector: Send + Sync {
    /// A stable name, used in explanations and reports.
    fn name(&self) -> &'static str;

    /// Appends findings for one page's text. Spans are byte ranges into `text`.
    fn detect(&self, text: &str, out: &mut Vec<Finding>);

    /// Detects on several pages at once. The default runs [`Detector::detect`] per page; a
    /// model-backed detector overrides it to batch its inference.
    fn detect_pages(&self, pages: &[&str]) -> Vec<Vec<Finding>> {
        pages
            .iter()
            .map(|t| {
                let mut out = Vec::new();
                self.detect(t, &mut out);
                out
            })
            .collect()
    }
}

/// The rule-based detectors, in a fixed order.
pub fn default_detectors() -> Vec<Box<dyn Detector>> {
    vec![]
}

/// Shorthand for detectors building explanations.
pub(crate) fn explain(
    detector: &str,
    rule: &str,
    validation: crate::finding::Validation,
) -> Explanation {
    Explanation::new(detector, rule, validation)
}

//! The NER model as a [`Detector`]: PER → person, LOC → location, ORG → organisation.

use std::collections::HashSet;
use std::sync::Arc;

use tusch_core::detect::util::fold_diacritics;
use tusch_core::lexicon::is_known_name;
use tusch_core::lexicon::{COMMON_WORDS, COMMON_WORDS_FOLDED};

use tusch_core::{Category, Detector, Explanation, Finding, Validation};

use crate::model::{Entity, NerModel};

/// Runs the model over all pages of a document in one batched pass.
///
/// Person entities made only of ordinary words are dropped (see [`CommonWords`]).
///
/// Only the entity types in `categories` become findings (by default only persons: see
/// `docs/configuration.md`). Every finding explains itself as detector `ner`, rule
/// `PER`/`LOC`/`ORG`, score the model's confidence; the model's name and hash are in the
/// plan's `engine` field.
///
/// The detector trait cannot fail, so when inference fails on a document the detector fails
/// closed: each page gets one finding over its whole text (category `other`, rule
/// `inference_failed`), so nothing is released unreviewed because the model broke.
#[derive(Debug, Clone)]
pub struct NerDetector {
    model: Arc<NerModel>,
    categories: Vec<Category>,
}

impl NerDetector {
    pub fn new(model: Arc<NerModel>, categories: Vec<Category>) -> Self {
        Self { model, categories }
    }

    pub fn model(&self) -> &Arc<NerModel> {
        &self.model
    }

    fn finding(&self, e: Entity) -> Option<Finding> {
        let category = category_of(&e.kind)?;
        if !self.categories.contains(&category) {
            return None;
        }
        Some(Finding::new(
            e.span,
            category,
            e.score,
            Explanation::new("ner", &e.kind, Validation::NotApplicable),
        ))
    }
}

/// The common-noun filter.
///
/// The model, seeing a capitalised word alone on a line, at the start of a form field or
/// in a table header ("Fordon", "Härmed", "Roll Namn"), sometimes calls it a person, with
/// high confidence. Such a person entity is dropped when every word of it is an ordinary
/// word — one the corpora write in lower case and never as a name, or one this document
/// itself writes in lower case — and none of them is a known first name or surname (SCB).
/// A name that is also a word ("Hans", "Björn", "Berg") is a known name and stays; a full
/// name rarely consists of ordinary words only. A word written without any å, ä or ö is
/// also compared with the words' forms without them, since OCR drops the marks.
struct CommonWords {
    /// The document's own lower-case words.
    own: HashSet<String>,
    /// The same, without diacritics.
    own_folded: HashSet<String>,
}

impl CommonWords {
    fn new(pages: &[&str]) -> Self {
        let mut own = HashSet::new();
        for text in pages {
            for w in text.split(|c: char| !c.is_alphanumeric()) {
                if w.chars().next().is_some_and(char::is_lowercase) {
                    own.insert(w.to_owned());
                }
            }
        }
        let own_folded = own.iter().map(|w| fold_diacritics(w)).collect();
        Self { own, own_folded }
    }

    fn is_common(&self, lower: &str) -> bool {
        if self.own.contains(lower) || COMMON_WORDS.contains(lower) {
            return true;
        }
        let folded = fold_diacritics(lower);
        folded == lower
            && (self.own_folded.contains(&folded) || COMMON_WORDS_FOLDED.contains(&folded))
    }

    fn only_common_words(&self, span: &str) -> bool {
        let mut words = span
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .peekable();
        words.peek().is_some()
            && words.all(|w| {
                let lower = w.to_lowercase();
                !is_known_name(w) && self.is_common(&lower)
            })
    }
}

/// The category of a model entity type; types the engine has no category for are ignored.
pub fn category_of(kind: &str) -> Option<Category> {
    match kind {
        "PER" => Some(Category::Person),
        "LOC" => Some(Category::Location),
        "ORG" => Some(Category::Organisation),
        _ => None,
    }
}

impl Detector for NerDetector {
    fn name(&self) -> &'static str {
        "ner"
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        out.extend(self.detect_pages(&[text]).into_iter().flatten());
    }

    fn detect_pages(&self, pages: &[&str]) -> Vec<Vec<Finding>> {
        match self.model.entities(pages) {
            Ok(per_page) => {
                let common = CommonWords::new(pages);
                per_page
                    .into_iter()
                    .zip(pages)
                    .map(|(es, text)| {
                        es.into_iter()
                            .filter(|e| {
                                e.kind != "PER" || !common.only_common_words(&text[e.span.clone()])
                            })
                            .filter_map(|e| self.finding(e))
                            .collect()
                    })
                    .collect()
            }
            Err(_) => pages
                .iter()
                .map(|text| {
                    let start = text.len() - text.trim_start().len();
                    let end = text.trim_end().len();
                    if start >= end {
                        return Vec::new();
                    }
                    vec![Finding::new(
                        start..end,
                        Category::Other,
                        1.0,
                        Explanation::new("ner", "inference_failed", Validation::NotApplicable),
                    )]
                })
                .collect(),
        }
    }
}

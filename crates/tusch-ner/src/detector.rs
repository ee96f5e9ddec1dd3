//! The NER model as a [`Detector`]: PER → person, LOC → location, ORG → organisation.

use std::sync::Arc;

use tusch_core::{Category, Detector, Explanation, Finding, Validation};

use crate::model::{Entity, NerModel};

/// Runs the model over all pages of a document in one batched pass.
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

/// Words the document itself writes in lower case somewhere.
///
/// The model, seeing a capitalised word at the start of a line, in a heading or in a table
/// ("Fordon", "Åtgärden", "Roll Namn"), sometimes calls it a person. A name is written
/// capitalised wherever it occurs; a common noun is written in lower case somewhere in the
/// same document. So a person entity all of whose words the document also writes in lower
/// case is dropped. A full name's words rarely all occur as lower-case words, and a name
/// that is also a word ("Hans", "Björn") is still found with its surname and then, by name
/// propagation, alone.
struct LowercaseWords(std::collections::HashSet<String>);

impl LowercaseWords {
    fn new(pages: &[&str]) -> Self {
        let mut set = std::collections::HashSet::new();
        for text in pages {
            for w in text.split(|c: char| !c.is_alphanumeric()) {
                if w.chars().next().is_some_and(char::is_lowercase) {
                    set.insert(w.to_owned());
                }
            }
        }
        Self(set)
    }

    fn all_words_in(&self, span: &str) -> bool {
        let mut words = span
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .peekable();
        words.peek().is_some() && words.all(|w| self.0.contains(&w.to_lowercase()))
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
                let common = LowercaseWords::new(pages);
                per_page
                    .into_iter()
                    .zip(pages)
                    .map(|(es, text)| {
                        es.into_iter()
                            .filter(|e| {
                                e.kind != "PER" || !common.all_words_in(&text[e.span.clone()])
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

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
            Ok(per_page) => per_page
                .into_iter()
                .map(|es| es.into_iter().filter_map(|e| self.finding(e)).collect())
                .collect(),
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

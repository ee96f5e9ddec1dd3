//! A fake classifier for tests: no weights, a rule from (window, position) to a label.
//!
//! It lets the real pre- and post-processing (tokenising, windows, batching, softmax, BIO
//! decoding, offsets) run in tests on any machine, and records the batches it was given.

use std::sync::Mutex;

use crate::classifier::TokenClassifier;
use crate::error::NerError;

type Rule = dyn Fn(&[i64], usize) -> (usize, f32) + Send + Sync;

/// Answers each token with the label its rule names, at the rule's logit strength.
pub struct FakeClassifier {
    num_labels: usize,
    rule: Box<Rule>,
    batches: Mutex<Vec<Vec<usize>>>,
}

impl std::fmt::Debug for FakeClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeClassifier")
            .field("num_labels", &self.num_labels)
            .finish_non_exhaustive()
    }
}

impl FakeClassifier {
    /// `rule(window ids, position)` returns `(label index, logit)`; every other label gets
    /// logit 0.
    pub fn new(
        num_labels: usize,
        rule: impl Fn(&[i64], usize) -> (usize, f32) + Send + Sync + 'static,
    ) -> Self {
        Self {
            num_labels,
            rule: Box::new(rule),
            batches: Mutex::new(Vec::new()),
        }
    }

    /// The sequence lengths of every batch classified so far.
    pub fn batches(&self) -> Vec<Vec<usize>> {
        self.batches.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

impl TokenClassifier for FakeClassifier {
    fn num_labels(&self) -> usize {
        self.num_labels
    }

    fn classify(&self, batch: &[Vec<i64>]) -> Result<Vec<Vec<Vec<f32>>>, NerError> {
        if let Ok(mut b) = self.batches.lock() {
            b.push(batch.iter().map(Vec::len).collect());
        }
        Ok(batch
            .iter()
            .map(|seq| {
                (0..seq.len())
                    .map(|t| {
                        let (label, logit) = (self.rule)(seq, t);
                        let mut row = vec![0.0; self.num_labels];
                        if let Some(x) = row.get_mut(label) {
                            *x = logit;
                        }
                        row
                    })
                    .collect()
            })
            .collect())
    }
}

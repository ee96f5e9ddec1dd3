//! # tusch-ner
//!
//! The project's Swedish named-entity model (`models/tusch-ner-sv`) as a detector.
//!
//! ```text
//! page texts ─ tokenizer (HF tokenizers, byte offsets, no truncation)
//!   → windows of max_length tokens, stride tokens shared       (windows.rs)
//!   → all windows of all pages, longest first, in batches      (model.rs)
//!   → TokenClassifier::classify: ids → logits                  (classifier.rs; fake.rs)
//!   → each token from the window where it is farthest from an edge
//!   → softmax, BIO decoding, entity score                      (decode.rs)
//!   → byte spans trimmed and extended to whole words
//!   → NerDetector: PER/LOC/ORG findings                        (detector.rs)
//! ```
//!
//! The model runs behind the two-method [`TokenClassifier`] trait, in the manner of ocrs's
//! `Model`: the real backend ([`OrtClassifier`]) is ONNX Runtime through `ort`, loaded at run
//! time from the project's `native/lib` (no download, no linking); tests use
//! [`fake::FakeClassifier`], so everything around the model is tested without weights.
//!
//! The loader checks `manifest.json`'s sha256 of the model and the tokenizer before using
//! them ([`load_model`]); `tusch-engine` puts the detector into the analyzer.
//! Nothing here logs or keeps document text; errors name files, never text.

pub mod classifier;
pub mod decode;
pub mod detector;
pub mod error;
pub mod fake;
pub mod locate;
pub mod manifest;
pub mod model;
pub mod windows;

pub use classifier::{OrtClassifier, TokenClassifier};
pub use detector::{category_of, NerDetector};
pub use error::NerError;
pub use locate::load_model;
pub use manifest::Manifest;
pub use model::{Entity, ModelInfo, NerModel, RunOptions};

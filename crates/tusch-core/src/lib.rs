//! # tusch-core
//!
//! The engine of Tusch, without any PDF library, shell, terminal or network: everything here
//! is a pure function of its inputs, so the CLI, the desktop app and the tests share it.
//!
//! The pipeline, staged so that a GUI can stop between steps:
//!
//! ```text
//! load → text layer → detect (Analyzer) → plan (RedactionPlan) → review
//!      → apply (rasterise + burn) → write image-only PDF → verify
//! ```
//!
//! This crate owns the middle: the [`TextLayer`] with one box per character, the
//! [`Detector`]s and the [`Analyzer`] with its [`policy`], the [`RedactionPlan`], and the
//! pixel operations in [`raster`]. Loading, rendering, writing and verifying PDFs live in
//! `tusch-pdf`.
//!
//! Personal data never leaves through this crate's diagnostics: `Debug` of a text layer or
//! an image shows only its shape, and errors carry paths and positions, never text.

pub mod analyzer;
pub mod detect;
pub mod error;
pub mod finding;
pub mod geom;
pub mod label;
pub mod lexicon;
pub mod plan;
pub mod policy;
pub mod raster;
pub mod text;

pub use analyzer::Suppressor;
pub use analyzer::{Analyzer, DocumentFindings};
pub use detect::Detector;
pub use error::ConfigError;
pub use finding::{
    Category, Explanation, Finding, Validation, LEARNED_DETECTOR, PROTECTED_DETECTOR,
};
pub use geom::{DisplayRect, PageGeometry, PixelRect, Rect, Rotation};
pub use plan::{Mask, MaskState, PagePlan, RedactionPlan};
pub use policy::{
    AuditPolicy, Config, DetectionPolicy, Encoding, LearnedPolicy, NerPolicy, OcrMode, OcrPolicy,
    OutputPolicy, OutputProfile, ProtectedPolicy,
};
pub use raster::GrayImage;
pub use text::{PageText, TextChar, TextLayer};

/// The engine version, recorded in every plan and report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

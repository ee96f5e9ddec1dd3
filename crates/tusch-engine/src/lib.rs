//! # tusch-engine
//!
//! The one redaction pipeline. An [`Engine`] is built once per process from the
//! configuration and its parts (the OCR engine and the name model, real or fake) and owns
//! every step, in the shape of ocrs' `OcrEngine`: public steps the desktop app can stop
//! between, plus one-call conveniences for the command line.
//!
//! ```text
//! Engine::new(config, parts)
//!   open(path)      → Document: PDF (pdfium) or images; per page the OCR decision
//!   text(doc)       → Vec<PageText>: own text layer, OCR, drawn annotations, unexplained ink
//!   detect(pages)   → findings (rules + the name model)
//!   plan(pages, findings, state) → RedactionPlan, stamped with the engine and model hash
//!   apply(doc, plan, out) → render + burn + encode (raster.rs) → temp file → verify → rename
//!   preview(doc, page)    → the very raster apply releases, scans included
//!   plan_file / redact_file: the steps in one call
//! ```
//!
//! Facts are computed in one place: the output resolution and encoding of a page
//! ([`raster`]), the rectangles a finding burns ([`tusch_core::plan::mask_rects`], through
//! [`Engine::mask_rects`]), the raster size guard ([`tusch_pdf::check_raster_size`]).
//!
//! Dependencies run one way: `tusch-core ← {tusch-pdf, tusch-ocr, tusch-ner} ←
//! tusch-engine ← {tusch-cli, tusch-review} ← src-tauri`. `tusch-pdf` knows only pdfium;
//! the decision what to read with OCR, image decoding and starting Tesseract live here.

pub mod config;
pub mod coverage;
pub mod engine;
pub mod error;
pub mod input;
pub mod pipeline;
pub mod raster;
pub mod tempname;

pub use config::{ConfigLoadError, ConfigPaths, LayeredConfig};
pub use engine::{Engine, NerPart, Parts, Planned, Redacted};
pub use error::EngineError;
pub use input::{Document, InputKind, OcrReason, OcrSummary, PageInfo};
pub use pipeline::{expectations, Applied, NoProgress, PageReading, Progress};
/// The keyed-hash store (learned list, protected identities), for the CLI and the app.
pub use tusch_keyed;
pub use tusch_pdf::{verify_file, VerifyExpectations, VerifyReport};

//! # tusch-pdf
//!
//! The only crate that links pdfium. It reads source PDFs ([`SourceDocument`]: open, text
//! layer with one box per character, rasterise), writes image-only PDFs from scratch
//! ([`writer`]), verifies outputs fail-closed ([`verify`]), and runs the whole redaction of
//! one document ([`pipeline`]).
//!
//! Nothing of a source document's objects ever reaches an output: the writer takes only
//! page sizes and pixels.

pub mod coverage;
pub mod document;
pub mod encode;
pub mod error;
pub mod library;
pub mod pipeline;
pub mod source;
pub mod verify;
pub mod writer;

pub use document::{Document, InputKind, OcrReason, OcrSummary, PageInfo};
pub use error::PdfError;
pub use pipeline::PageReading;
pub use source::SourceDocument;
pub use verify::{verify_bytes, verify_file, VerifyError, VerifyExpectations, VerifyReport};

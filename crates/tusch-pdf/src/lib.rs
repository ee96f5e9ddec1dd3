//! # tusch-pdf
//!
//! The only crate that links pdfium, and nothing else: it reads source PDFs
//! ([`SourceDocument`]: open, text layer with one box per character, images, annotations and
//! form fields, rasterise), writes image-only PDFs from scratch ([`writer`]) and verifies
//! outputs fail-closed ([`verify`]). It knows nothing of OCR, the name model or the order of
//! the pipeline: `tusch-engine` decides what to read, what to mask and what to write.
//!
//! Nothing of a source document's objects ever reaches an output: the writer takes only
//! page sizes and pixels.

pub mod encode;
pub mod error;
pub mod library;
pub mod source;
pub mod textdoc;
pub mod textlayer;
pub mod verify;
pub mod writer;

pub use error::{check_raster_size, PdfError};
pub use source::SourceDocument;
pub use verify::{
    released_images, verify_bytes, verify_file, SearchableExpectations, VerifyError,
    VerifyExpectations, VerifyReport,
};

//! # tusch-review
//!
//! Everything the desktop app does with a document under review, without any GUI toolkit,
//! so it is tested here without a window and the Tauri shell stays a set of one-line
//! adapters (the yaak pattern in STYLE.md).
//!
//! - [`review::Review`]: the masks of one document with their states, OSL provisions and
//!   manual boxes, and the undo/redo history. Pure data; no pdfium.
//! - [`document::Document`]: an open document (through tusch-engine), its text layer, its
//!   review, the preview (the raster the export releases), mask-all-occurrences and export.
//! - [`session::Session`]: the open documents of one request, the session's one
//!   [`tusch_engine::Engine`] (built by the first analysis, shared by all), and the
//!   autosaver.
//! - [`store::Store`]: the autosave files, one per document keyed by its sha256, written
//!   atomically. They hold rectangles, states and byte spans — never document text.
//! - [`catalogue::Catalogue`]: the OSL provisions a mask can be made under.
//! - [`select`]: the characters a rectangle dragged over a page touches.
//! - [`summary`]: the decision summary (underlag för beslut), without masked text.
//!
//! Long work (analysis, export) is split into a job taken out under the session lock and
//! run without it, so the window never waits for pdfium.

pub mod catalogue;
pub mod document;
pub mod error;
pub mod review;
pub mod select;
pub mod session;
pub mod store;
pub mod summary;

pub use catalogue::{Catalogue, Provision};
pub use document::{Document, DocumentView, ExportOutcome, MaskView, PageView};
pub use error::ReviewError;
pub use review::{Origin, Review, ReviewMask};
pub use select::{select_text, TextSelection};
pub use session::{AnalysisJob, EngineSlot, ExportJob, Session};
pub use store::{SavedReview, Store};
/// The audit trail every export appends to (`[audit]`).
pub use tusch_audit as audit;
/// The core types the window speaks in (categories, rectangles, mask states, the
/// configuration), so the desktop shell depends on this crate alone.
pub use tusch_core as core;
/// The configuration in layers, shared with the CLI (`tusch_engine::config`).
pub use tusch_engine::config;
pub use tusch_engine::NoProgress;

//! Errors of the engine layer. Each message says only what this layer knows (a file, a
//! page, a step); the cause from pdfium, Tesseract or the name model is carried as the
//! `source`, never formatted into the message. No message ever holds document text.

use std::path::PathBuf;

use tusch_pdf::{PdfError, VerifyError};

/// Why a document could not be opened, read, analysed or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    #[error("kunde inte läsa {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The PDF layer's own message (damaged, encrypted, too large a page, …).
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error("bildfilen kan inte läsas ({detail}); spara om den som PNG, JPEG eller TIFF och försök igen")]
    BadImage { detail: String },
    #[error("sidan {page} kunde inte läsas med OCR")]
    Ocr {
        page: usize,
        #[source]
        source: tusch_ocr::OcrError,
    },
    #[error("OCR behövs men kunde inte startas")]
    OcrUnavailable(#[source] tusch_ocr::OcrError),
    #[error("namnmodellen kunde inte laddas")]
    Ner(#[source] tusch_ner::NerError),
    /// The learned list or the list of protected identities (`[learned]`, `[protected]`).
    #[error("listan över inlärda beslut eller skyddade identiteter kunde inte användas")]
    Keyed(#[source] tusch_keyed::KeyedError),
    #[error("planen stämmer inte med dokumentet (sidantal eller sidstorlek)")]
    PlanMismatch,
    #[error("förhandsvisningen kunde inte avkodas")]
    Preview,
    #[error("sidan {page} finns inte")]
    NoSuchPage { page: usize },
    #[error("kunde inte skriva {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("skriver inte över originalfilen {path}")]
    OutputIsInput { path: PathBuf },
    #[error("resultatet klarade inte kontrollen och sparades inte")]
    Verification(#[from] VerifyError),
}

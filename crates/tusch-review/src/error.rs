//! Errors of the review layer. Messages are Swedish (they reach the registrar as they are)
//! and name files and pages, never document text.

use std::path::PathBuf;

use tusch_pdf::PdfError;

/// Why a review action could not be done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReviewError {
    #[error("{path}: {source}")]
    Pdf {
        path: PathBuf,
        #[source]
        source: PdfError,
    },
    #[error("dokumentet är inte öppet (det kan ha stängts)")]
    NoSuchDocument,
    #[error("maskeringen finns inte längre")]
    NoSuchMask,
    #[error("sidan {page} finns inte i dokumentet")]
    NoSuchPage { page: usize },
    #[error("dokumentet analyseras fortfarande; vänta tills förslagen visas")]
    NotReady,
    #[error("{remaining} förslag är inte avgjorda; godkänn eller avvisa dem innan export")]
    Undecided { remaining: usize },
    #[error("ingen text är vald")]
    NoText,
    #[error("rutan är för liten eller ligger utanför sidan")]
    BadBox,
    #[error("kunde inte spara granskningen i {path}: {source}")]
    Save {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "den sparade granskningen i {path} kunde inte läsas ({reason}); förslagen tas fram på nytt"
    )]
    BadSave { path: PathBuf, reason: String },
    #[error("sekretessförteckningen {path} kunde inte läsas: {reason}")]
    Catalogue { path: PathBuf, reason: String },
    #[error("namnmodellen kunde inte laddas: {0}")]
    Ner(#[source] tusch_ner::NerError),
    #[error("exporten misslyckades: {0}")]
    Export(#[source] PdfError),
    #[error("kunde inte skriva {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

//! Errors of the review layer. Messages are Swedish (they reach the registrar as they are)
//! and name files and pages, never document text.

use std::path::PathBuf;

use tusch_engine::EngineError;

/// Why a review action could not be done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReviewError {
    #[error("{path}")]
    Document {
        path: PathBuf,
        #[source]
        source: EngineError,
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
    #[error("kunde inte spara granskningen i {path}")]
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
    #[error("analysen kunde inte starta")]
    Engine(#[source] EngineError),
    #[error("exporten misslyckades")]
    Export(#[source] EngineError),
    #[error("exporten kunde inte föras in i granskningsloggen och sparades inte")]
    Audit(#[source] tusch_audit::AuditError),
    #[error(
        "maskeringen gäller en person med skyddad identitet och kan bara avvisas med ett avsiktligt undantag (override_protected)"
    )]
    ProtectedIdentity,
    #[error("den inlärda listan kunde inte uppdateras")]
    Learned(#[source] tusch_engine::tusch_keyed::KeyedError),
    #[error("kunde inte skriva {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ReviewError {
    /// A stable code for the window to branch on (the message is for the registrar and may
    /// be reworded): `document`, `no_such_document`, `no_such_mask`, `no_such_page`,
    /// `not_ready`, `undecided`, `no_text`, `bad_box`, `save`, `bad_save`, `catalogue`,
    /// `engine`, `export`, `audit`, `write`, `protected_identity`, `learned`.
    pub fn code(&self) -> &'static str {
        match self {
            ReviewError::Document { .. } => "document",
            ReviewError::NoSuchDocument => "no_such_document",
            ReviewError::NoSuchMask => "no_such_mask",
            ReviewError::NoSuchPage { .. } => "no_such_page",
            ReviewError::NotReady => "not_ready",
            ReviewError::Undecided { .. } => "undecided",
            ReviewError::NoText => "no_text",
            ReviewError::BadBox => "bad_box",
            ReviewError::Save { .. } => "save",
            ReviewError::BadSave { .. } => "bad_save",
            ReviewError::Catalogue { .. } => "catalogue",
            ReviewError::Engine(_) => "engine",
            ReviewError::Export(_) => "export",
            ReviewError::Audit(_) => "audit",
            ReviewError::Write { .. } => "write",
            ReviewError::ProtectedIdentity => "protected_identity",
            ReviewError::Learned(_) => "learned",
        }
    }
}

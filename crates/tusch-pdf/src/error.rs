//! Errors of the PDF layer. Messages name the file and page, never document text.

use std::path::PathBuf;

/// Why a PDF could not be read, rendered, written or verified.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    #[error("kunde inte läsa {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("filen är inte en PDF")]
    NotPdf,
    #[error("filen är tom (0 byte)")]
    EmptyFile,
    #[error("PDF-filen är lösenordsskyddad eller krypterad; ta bort skyddet och försök igen")]
    Encrypted,
    #[error("PDF-filen är skadad och kan inte läsas ({detail})")]
    Corrupt { detail: &'static str },
    #[error("PDF-filen är avkortad (slutmarkering saknas); kopiera filen på nytt")]
    Truncated,
    #[error("PDF-filen har inga sidor")]
    NoPages,
    #[error(
        "sidan {page} är för stor: {megapixels} megapixlar vid {dpi} DPI (gränsen är {limit})"
    )]
    PageTooLarge {
        page: usize,
        megapixels: u64,
        dpi: u32,
        limit: u32,
    },
    #[error("sidan {page} har en ogiltig storlek")]
    BadPageSize { page: usize },
    #[error("sidan {page} kunde inte {what}")]
    Page { page: usize, what: &'static str },
    #[error("PDF-biblioteket (pdfium) saknas: {0}")]
    Library(String),
    #[error("kunde inte skriva {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("skriver inte över originalfilen {path}")]
    OutputIsInput { path: PathBuf },
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
    #[error("resultatet klarade inte kontrollen och sparades inte: {0}")]
    Verification(#[from] crate::verify::VerifyError),
}

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
}

/// The one size guard for every raster Tusch makes (PDF pages and image inputs alike): at
/// most `limit` megapixels, and no side longer than 65,000 pixels (what pdfium and the PDF
/// writer can address).
pub fn check_raster_size(
    page: usize,
    w: u32,
    h: u32,
    dpi: u32,
    limit: u32,
) -> Result<(), PdfError> {
    let pixels = u64::from(w) * u64::from(h);
    if w == 0 || h == 0 {
        return Err(PdfError::BadPageSize { page });
    }
    if pixels > u64::from(limit) * 1_000_000 || w > MAX_SIDE_PX || h > MAX_SIDE_PX {
        return Err(PdfError::PageTooLarge {
            page,
            megapixels: pixels.div_ceil(1_000_000),
            dpi,
            limit,
        });
    }
    Ok(())
}

/// The longest side of any raster, in pixels.
pub const MAX_SIDE_PX: u32 = 65_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_caps_area_and_side_length() {
        assert!(check_raster_size(1, 1240, 1754, 150, 200).is_ok());
        assert!(matches!(
            check_raster_size(2, 20_000, 20_000, 600, 200),
            Err(PdfError::PageTooLarge { page: 2, .. })
        ));
        // A sliver: few megapixels, but a side no renderer can address.
        assert!(matches!(
            check_raster_size(3, 70_000, 10, 600, 200),
            Err(PdfError::PageTooLarge { page: 3, .. })
        ));
        assert!(matches!(
            check_raster_size(4, 0, 10, 150, 200),
            Err(PdfError::BadPageSize { page: 4 })
        ));
    }
}

//! The redaction of one document, as separate steps the CLI and the desktop app both call:
//!
//! ```text
//! Document::open (PDF or images) → extract_document_text (own text layer, or OCR per page)
//!   → Analyzer::analyze → RedactionPlan::from_findings
//!   → (review) → apply_plan: render + burn + encode → write temp file → verify → rename
//! ```
//!
//! pdfium calls are serialised by pdfium-render's global lock, so pages are rendered on a
//! rayon pool: while one thread is inside pdfium, the others burn masks and compress the
//! pages already rendered. OCR runs the same way: each page is rendered (serialised) and
//! then read by its own Tesseract process, so two cores read two pages at once.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tusch_core::{
    Analyzer, DisplayRect, DocumentFindings, MaskState, OcrPolicy, OutputPolicy, PageText,
    RedactionPlan,
};
use tusch_ocr::{recognize_page, OcrEngine, Tesseract};

use crate::document::{append_layer, orientation_degrees, Document, OcrReason, OcrSummary};
use crate::encode::{encode, encode_jpeg, snap_to_blocks};
use crate::error::PdfError;
use crate::source::SourceDocument;
use crate::verify::{verify_file, VerifyExpectations, VerifyReport};
use crate::writer::{ImagePdfWriter, OutputPage};

/// Told about progress; implementations must be cheap and thread-safe.
pub trait Progress: Sync {
    /// One page of the current document has been rendered, masked and encoded.
    fn page_done(&self) {}
    /// A document is open: it has `pages` pages, of which `ocr_pages` will be read with
    /// OCR (about two seconds each, against a few milliseconds for a text page).
    fn document_opened(&self, _pages: usize, _ocr_pages: usize) {}
    /// One page has been read with OCR.
    fn page_recognized(&self) {}
}

/// No progress reporting.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;
impl Progress for NoProgress {}

/// The text layer of every page, in order.
pub fn extract_text(doc: &SourceDocument) -> Result<Vec<PageText>, PdfError> {
    (0..doc.page_count()).map(|i| doc.page_text(i)).collect()
}

/// The text layer of every page of any input: the page's own text, OCR text, or both,
/// as decided per page when the document was opened ([`Document::pages`]). OCR'd pages
/// run in parallel, one engine process each. `engine` is used when given; otherwise
/// Tesseract is started (only if some page needs OCR) with the document's OCR languages.
pub fn extract_document_text(
    doc: &mut Document,
    engine: Option<&dyn OcrEngine>,
    max_megapixels: u32,
    progress: &dyn Progress,
) -> Result<Vec<PageText>, PdfError> {
    let (pages, summaries) = recognize_document_text(doc, engine, max_megapixels, progress)?;
    for (i, summary) in summaries.into_iter().enumerate() {
        if let Some(s) = summary {
            doc.set_ocr_summary(i, s);
        }
    }
    Ok(pages)
}

/// [`extract_document_text`] for a shared document (the desktop app keeps it behind an
/// `Arc` while pages render): the text layers and, per page, what OCR made of it.
pub fn recognize_document_text(
    doc: &Document,
    engine: Option<&dyn OcrEngine>,
    max_megapixels: u32,
    progress: &dyn Progress,
) -> Result<(Vec<PageText>, Vec<Option<OcrSummary>>), PdfError> {
    let ocr_pages = doc.pages().iter().filter(|p| p.reason.is_ocr()).count();
    progress.document_opened(doc.page_count(), ocr_pages);
    let owned;
    let engine: Option<&dyn OcrEngine> = match engine {
        Some(e) => Some(e),
        None if ocr_pages > 0 => {
            owned =
                Tesseract::new(&doc.ocr_policy().languages).map_err(PdfError::OcrUnavailable)?;
            Some(&owned)
        }
        None => None,
    };
    let describe = engine.map(|e| e.describe()).unwrap_or_default();
    let doc_ref: &Document = doc;
    let results: Vec<(PageText, Option<OcrSummary>)> = (0..doc_ref.page_count())
        .into_par_iter()
        .map(|i| {
            let mut page = doc_ref.native_text(i)?;
            let info = &doc_ref.pages()[i];
            let Some(engine) = engine.filter(|_| info.reason.is_ocr()) else {
                return Ok((page, None));
            };
            let dpi = doc_ref.ocr_dpi(i);
            let image = doc_ref.render_gray(i, dpi, max_megapixels)?;
            let ocr = recognize_page(engine, &image, dpi, &page.geometry).map_err(|source| {
                PdfError::Ocr {
                    page: i + 1,
                    source,
                }
            })?;
            drop(image);
            if info.reason == OcrReason::ImageOverText || info.reason == OcrReason::Forced {
                // Keep the page's own text and add what OCR read: a mask from either
                // covers its ink (recall first); duplicates only overlap.
                append_layer(&mut page.layer, &ocr.layer);
            } else {
                page.layer = ocr.layer;
            }
            progress.page_recognized();
            let summary = OcrSummary {
                dpi,
                orientation_degrees: orientation_degrees(ocr.orientation),
                skew_degrees: (ocr.skew_degrees * 10.0).round() / 10.0,
                words: ocr.words,
                mean_confidence: (ocr.mean_confidence * 10.0).round() / 10.0,
                engine: describe.clone(),
            };
            Ok((page, Some(summary)))
        })
        .collect::<Result<_, PdfError>>()?;
    Ok(results.into_iter().unzip())
}

/// Runs the analyzer over the document's pages.
pub fn analyze(pages: &[PageText], analyzer: &Analyzer) -> DocumentFindings {
    let texts: Vec<&str> = pages.iter().map(|p| p.layer.text()).collect();
    analyzer.analyze(&texts)
}

/// What [`plan_file`] returns: the open document, its text layers, the findings and the
/// plan.
pub type Planned = (Document, Vec<PageText>, DocumentFindings, RedactionPlan);

/// Open, extract, analyze and plan: everything up to review. Masks are `state` (the batch
/// CLI accepts all; the desktop app proposes). Any input ([`Document::open`]: PDF, PNG,
/// JPEG, TIFF); pages are read with OCR under the default `[ocr]` settings.
pub fn plan_file(
    input: &Path,
    analyzer: &Analyzer,
    output: &OutputPolicy,
    state: MaskState,
) -> Result<Planned, PdfError> {
    plan_document(
        input,
        analyzer,
        output,
        &OcrPolicy::default(),
        None,
        state,
        &NoProgress,
    )
}

/// [`plan_file`] with explicit OCR settings, an optional OCR engine (Tesseract when
/// `None`) and progress reporting.
pub fn plan_document(
    input: &Path,
    analyzer: &Analyzer,
    output: &OutputPolicy,
    ocr: &OcrPolicy,
    engine: Option<&dyn OcrEngine>,
    state: MaskState,
    progress: &dyn Progress,
) -> Result<Planned, PdfError> {
    let mut doc = Document::open(input, ocr)?;
    let pages = extract_document_text(&mut doc, engine, output.max_megapixels, progress)?;
    let findings = analyze(&pages, analyzer);
    let plan = RedactionPlan::from_findings(&pages, &findings, output.padding_pt, state);
    Ok((doc, pages, findings, plan))
}

/// What applying a plan produced.
#[derive(Debug, Clone)]
pub struct Applied {
    pub pages: usize,
    pub bytes: u64,
    pub verification: VerifyReport,
}

/// The rectangles the verifier must find black: every accepted mask, in output page space.
pub fn expectations(plan: &RedactionPlan) -> VerifyExpectations {
    VerifyExpectations {
        page_count: Some(plan.pages.len()),
        black: plan
            .pages
            .iter()
            .map(|p| {
                p.masks
                    .iter()
                    .filter(|m| m.state == MaskState::Accepted)
                    .flat_map(|m| m.rects.iter().map(|r| p.geometry.to_display(r)))
                    .collect::<Vec<DisplayRect>>()
            })
            .collect(),
    }
}

/// Renders every page, burns the plan's accepted masks, writes an image-only PDF to a
/// temporary file beside `out`, verifies it, and only then renames it to `out`. On any
/// failure nothing is left at `out` (an existing file there is untouched) and the
/// temporary file is removed.
///
/// Scanned pages ([`Document::scan_output_dpi`]) are written at the scan's own resolution
/// as JPEG, with masks grown to whole 8×8 JPEG blocks before encoding; other pages at
/// `policy.dpi` in `policy.encoding`.
pub fn apply_plan(
    doc: &Document,
    plan: &RedactionPlan,
    input: &Path,
    out: &Path,
    policy: &OutputPolicy,
    progress: &dyn Progress,
) -> Result<Applied, PdfError> {
    refuse_overwriting_input(input, out)?;
    if plan.pages.len() != doc.page_count() {
        return Err(PdfError::Corrupt {
            detail: "planen stämmer inte med dokumentets sidantal",
        });
    }
    let quality = doc.ocr_policy().jpeg_quality;
    let pages: Vec<OutputPage> = plan
        .pages
        .par_iter()
        .map(|page| {
            let scan_dpi = doc.scan_output_dpi(page.index);
            let dpi = scan_dpi.unwrap_or(policy.dpi);
            let mut img = doc.render_gray(page.index, dpi, policy.max_megapixels)?;
            for r in page.pixel_rects(dpi as f32, img.width, img.height) {
                let r = if scan_dpi.is_some() {
                    snap_to_blocks(&r, img.width, img.height)
                } else {
                    r
                };
                img.burn(&r);
            }
            let (w, h) = page.geometry.display_size();
            let image = if scan_dpi.is_some() {
                encode_jpeg(&img, quality)
            } else {
                encode(&img, policy.encoding)
            };
            progress.page_done();
            Ok(OutputPage {
                width_pt: w,
                height_pt: h,
                image,
            })
        })
        .collect::<Result<_, PdfError>>()?;

    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let write_err = |source| PdfError::Write {
        path: out.to_owned(),
        source,
    };
    let tmp = tempfile::Builder::new()
        .prefix(".tusch-")
        .suffix(".pdf.part")
        .tempfile_in(&dir)
        .map_err(write_err)?;
    {
        let file: &File = tmp.as_file();
        let mut w = ImagePdfWriter::new(BufWriter::new(file), pages.len()).map_err(write_err)?;
        for p in &pages {
            w.add_page(p).map_err(write_err)?;
        }
        let mut buf = w.finish().map_err(write_err)?;
        buf.flush().map_err(write_err)?;
    }
    tmp.as_file().sync_all().map_err(write_err)?;
    // The temporary file is private (0600); the finished output gets ordinary permissions.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(write_err)?;
    }
    let verification = verify_file(tmp.path(), &expectations(plan))?;
    let bytes = tmp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
    tmp.persist(out).map_err(|e| write_err(e.error))?;
    Ok(Applied {
        pages: pages.len(),
        bytes,
        verification,
    })
}

/// Errors out when `out` names the same file as `input` (also through links or `..`).
fn refuse_overwriting_input(input: &Path, out: &Path) -> Result<(), PdfError> {
    let same = match (std::fs::canonicalize(input), canonical_target(out)) {
        (Ok(a), Some(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(PdfError::OutputIsInput {
            path: out.to_owned(),
        });
    }
    Ok(())
}

/// The canonical path `out` will have, whether or not it exists yet.
fn canonical_target(out: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(out) {
        return Some(p);
    }
    let parent = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(out.file_name()?))
}

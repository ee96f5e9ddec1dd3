//! The redaction of one document, as separate steps the CLI and the desktop app both call:
//!
//! ```text
//! SourceDocument::open → extract_text → Analyzer::analyze → RedactionPlan::from_findings
//!   → (review) → apply_plan: render + burn + encode → write temp file → verify → rename
//! ```
//!
//! pdfium calls are serialised by pdfium-render's global lock, so pages are rendered on a
//! rayon pool: while one thread is inside pdfium, the others burn masks and compress the
//! pages already rendered.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tusch_core::{
    Analyzer, DisplayRect, DocumentFindings, MaskState, OutputPolicy, PageText, RedactionPlan,
};

use crate::encode::encode;
use crate::error::PdfError;
use crate::source::SourceDocument;
use crate::verify::{verify_file, VerifyExpectations, VerifyReport};
use crate::writer::{ImagePdfWriter, OutputPage};

/// Told about progress; implementations must be cheap and thread-safe.
pub trait Progress: Sync {
    /// One page of the current document has been rendered, masked and encoded.
    fn page_done(&self) {}
}

/// No progress reporting.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;
impl Progress for NoProgress {}

/// The text layer of every page, in order.
pub fn extract_text(doc: &SourceDocument) -> Result<Vec<PageText>, PdfError> {
    (0..doc.page_count()).map(|i| doc.page_text(i)).collect()
}

/// Runs the analyzer over the document's pages.
pub fn analyze(pages: &[PageText], analyzer: &Analyzer) -> DocumentFindings {
    let texts: Vec<&str> = pages.iter().map(|p| p.layer.text()).collect();
    analyzer.analyze(&texts)
}

/// Open, extract, analyze and plan: everything up to review. Masks are `state` (the batch
/// CLI accepts all; the desktop app proposes).
pub fn plan_file(
    input: &Path,
    analyzer: &Analyzer,
    output: &OutputPolicy,
    state: MaskState,
) -> Result<
    (
        SourceDocument,
        Vec<PageText>,
        DocumentFindings,
        RedactionPlan,
    ),
    PdfError,
> {
    let doc = SourceDocument::open(input)?;
    let pages = extract_text(&doc)?;
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
pub fn apply_plan(
    doc: &SourceDocument,
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
    let dpi = policy.dpi;
    let pages: Vec<OutputPage> = plan
        .pages
        .par_iter()
        .map(|page| {
            let mut img = doc.render_gray(page.index, dpi, policy.max_megapixels)?;
            for r in page.pixel_rects(dpi as f32, img.width, img.height) {
                img.burn(&r);
            }
            let (w, h) = page.geometry.display_size();
            let image = encode(&img, policy.encoding);
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

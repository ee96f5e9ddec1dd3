//! The steps of [`crate::Engine`], as functions of their inputs:
//!
//! ```text
//! Document::open (PDF or images) → recognize_document_text (own text layer, or OCR per page)
//!   → analyze → RedactionPlan::from_findings
//!   → (review) → apply_plan: release_page (render + burn + encode) → write temp file
//!   → verify → rename
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
    Analyzer, DisplayRect, DocumentFindings, GrayImage, OcrMode, OutputPolicy, PageGeometry,
    PageText, Rect, RedactionPlan, TextLayer,
};
use tusch_ocr::{recognize_page, recognize_region, OcrEngine};

use tusch_pdf::source::{PageAnnotation, SourceDocument};
use tusch_pdf::verify::{verify_file, SearchableExpectations, VerifyExpectations, VerifyReport};
use tusch_pdf::writer::{ImagePdfWriter, OutputPage};

use crate::coverage::{uncovered_regions, COVERAGE_DPI};
use crate::engine::LazyOcr;
use crate::error::EngineError;
use crate::input::{append_layer, orientation_degrees, Document, OcrReason, OcrSummary};
use crate::raster::release_page;

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
pub fn extract_text(doc: &SourceDocument) -> Result<Vec<PageText>, EngineError> {
    Ok((0..doc.page_count())
        .map(|i| doc.page_text(i))
        .collect::<Result<_, _>>()?)
}

/// What reading one page's text involved beyond its own text layer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageReading {
    /// What OCR made of the page, when the whole page was read with OCR.
    pub ocr: Option<OcrSummary>,
    /// Regions of ink the text layer does not explain whose OCR reading added words.
    pub ocr_regions: usize,
}

/// The text layer of every page of any input, and per page what reading it involved: the
/// page's own text, OCR text, or both, as decided per page when the document was opened
/// ([`Document::pages`]), plus what the text layer does not explain: the text of drawn
/// annotations and form fields, and ink read with OCR region by region
/// ([`crate::coverage`]). OCR'd pages run in parallel; `ocr` is only started if some page
/// or region needs it.
pub fn recognize_document_text(
    doc: &Document,
    ocr: &LazyOcr,
    max_megapixels: u32,
    progress: &dyn Progress,
) -> Result<(Vec<PageText>, Vec<PageReading>), EngineError> {
    let ocr_pages = doc.pages().iter().filter(|p| p.reason.is_ocr()).count();
    progress.document_opened(doc.page_count(), ocr_pages);
    let get_engine = || ocr.get();
    let seen = RegionCache::default();
    let doc_ref: &Document = doc;
    let results: Vec<(PageText, PageReading)> = (0..doc_ref.page_count())
        .into_par_iter()
        .map(|i| {
            let mut page = doc_ref.native_text(i)?;
            let info = &doc_ref.pages()[i];
            let mut reading = PageReading::default();
            if info.reason.is_ocr() {
                let engine = get_engine()?;
                let dpi = doc_ref.ocr_dpi(i);
                let image = doc_ref.render_gray(i, dpi, max_megapixels)?;
                let ocr =
                    recognize_page(engine, &image, dpi, &page.geometry).map_err(|source| {
                        EngineError::Ocr {
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
                reading.ocr = Some(OcrSummary {
                    dpi,
                    orientation_degrees: orientation_degrees(ocr.orientation),
                    skew_degrees: (ocr.skew_degrees * 10.0).round() / 10.0,
                    words: ocr.words,
                    mean_confidence: (ocr.mean_confidence * 10.0).round() / 10.0,
                    low_confidence_share: (ocr.doubtful_share * 1000.0).round() / 1000.0,
                    reread_lines: ocr.reread_lines,
                    poor_quality: ocr.poor_quality,
                    engine: engine.describe(),
                });
            } else if doc_ref.ocr_policy().mode != OcrMode::Never && doc_ref.pdf().is_some() {
                reading.ocr_regions = read_unexplained_ink(
                    doc_ref,
                    i,
                    &mut page,
                    max_megapixels,
                    &get_engine,
                    &seen,
                )?;
            }
            append_annotations(&mut page.layer, doc_ref.annotations(i));
            Ok((page, reading))
        })
        .collect::<Result<_, EngineError>>()?;
    Ok(results.into_iter().unzip())
}

/// Reads with OCR the ink of a text page that its text layer does not explain (images
/// with text, text drawn as outlines, annotation appearances, form fields, text in a font
/// that was not trusted) and adds the words to the page's layer. Returns how many regions
/// gave words (a logo gives none). A page whose ink is all explained costs one render at
/// [`COVERAGE_DPI`].
fn read_unexplained_ink<'e>(
    doc: &Document,
    index: usize,
    page: &mut PageText,
    max_megapixels: u32,
    get_engine: &dyn Fn() -> Result<&'e dyn OcrEngine, EngineError>,
    seen: &RegionCache,
) -> Result<usize, EngineError> {
    let geometry = page.geometry;
    let hidden = doc.invisible_chars(index);
    let explained_user: Vec<Rect> = page
        .layer
        .chars()
        .iter()
        .enumerate()
        .filter(|(k, _)| hidden.binary_search(&(*k as u32)).is_err())
        .filter_map(|(_, c)| c.rect)
        .collect();
    let explained: Vec<DisplayRect> = explained_user
        .iter()
        .map(|r| geometry.to_display(r))
        .collect();
    let low = doc.render_gray(index, COVERAGE_DPI, max_megapixels)?;
    let blocks = uncovered_regions(&low, COVERAGE_DPI, &explained);
    if blocks.is_empty() {
        return Ok(0);
    }
    // A letterhead's logo or a footer image is on every page, at the same place: it is
    // read once per document. The key is the region's pixels at the coverage resolution,
    // its place and the page's geometry, so only identical ink shares a reading.
    let keys: Vec<u64> = blocks
        .iter()
        .map(|b| region_key(&low, b, &geometry))
        .collect();
    drop(low);
    let missing: Vec<usize> = {
        let cache = seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (0..blocks.len())
            .filter(|&k| !cache.contains_key(&keys[k]))
            .collect()
    };
    if !missing.is_empty() {
        let engine = get_engine()?;
        let dpi = doc.ocr_policy().dpi;
        let image = doc.render_gray(index, dpi, max_megapixels)?;
        for &k in &missing {
            let (crop, region) = crop_region(&image, dpi, &blocks[k], &geometry);
            let layer = if crop.width < 8 || crop.height < 8 {
                TextLayer::new()
            } else {
                recognize_region(engine, &crop, dpi, &region)
                    .map_err(|source| EngineError::Ocr {
                        page: index + 1,
                        source,
                    })?
                    .layer
            };
            seen.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(keys[k], layer);
        }
    }
    let mut with_text = 0;
    let cache = seen
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for key in &keys {
        if let Some(layer) = cache.get(key) {
            let before = page.layer.chars().len();
            append_unexplained_words(&mut page.layer, layer, &explained_user);
            if page.layer.chars().len() > before {
                with_text += 1;
            }
        }
    }
    Ok(with_text)
}

/// Readings of unexplained regions already made in this document, by [`region_key`].
type RegionCache = std::sync::Mutex<std::collections::HashMap<u64, TextLayer>>;

/// Identifies a region's ink: its pixels in `low` (the page at [`COVERAGE_DPI`]), its
/// place and the page's geometry (the reading is stored in user space).
fn region_key(low: &GrayImage, block: &DisplayRect, geometry: &PageGeometry) -> u64 {
    use std::hash::{Hash, Hasher};
    let px = block.to_pixels(COVERAGE_DPI as f32, low.width, low.height);
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (px.x0, px.y0, px.x1, px.y1).hash(&mut h);
    for v in [
        geometry.crop.x0,
        geometry.crop.y0,
        geometry.crop.x1,
        geometry.crop.y1,
    ] {
        v.to_bits().hash(&mut h);
    }
    geometry.rotation.degrees().hash(&mut h);
    for y in px.y0..px.y1 {
        let row = (y * low.width) as usize;
        low.data[row + px.x0 as usize..row + px.x1 as usize].hash(&mut h);
    }
    h.finish()
}

/// The pixels of `block` (display points) cut from `image` (the whole page at `dpi`), and
/// the geometry that maps the cut-out's pixels to the page's user space: the block's own
/// rectangle in user space, turned like the page.
fn crop_region(
    image: &GrayImage,
    dpi: u32,
    block: &DisplayRect,
    geometry: &PageGeometry,
) -> (GrayImage, PageGeometry) {
    let px = block.to_pixels(dpi as f32, image.width, image.height);
    let (w, h) = (px.x1.saturating_sub(px.x0), px.y1.saturating_sub(px.y0));
    let mut data = Vec::with_capacity(w as usize * h as usize);
    for y in px.y0..px.y0 + h {
        let row = (y * image.width) as usize;
        data.extend_from_slice(&image.data[row + px.x0 as usize..row + (px.x0 + w) as usize]);
    }
    let s = 72.0 / dpi as f32;
    let aligned = DisplayRect {
        left: px.x0 as f32 * s,
        top: px.y0 as f32 * s,
        right: (px.x0 + w) as f32 * s,
        bottom: (px.y0 + h) as f32 * s,
    };
    (
        GrayImage {
            width: w,
            height: h,
            data,
        },
        PageGeometry {
            crop: geometry.from_display(&aligned),
            rotation: geometry.rotation,
        },
    )
}

/// Appends the words of `src` whose characters are not already explained by one of
/// `explained` (the page's own character boxes): OCR of a region also reads the edge of
/// the text-layer lines around it, which must not be doubled.
fn append_unexplained_words(dst: &mut TextLayer, src: &TextLayer, explained: &[Rect]) {
    let mut kept = TextLayer::new();
    let mut word: Vec<(char, Option<Rect>)> = Vec::new();
    let flush = |word: &mut Vec<(char, Option<Rect>)>, kept: &mut TextLayer| {
        if word.is_empty() {
            return;
        }
        let boxed: Vec<Rect> = word.iter().filter_map(|(_, r)| *r).collect();
        let inside = boxed
            .iter()
            .filter(|r| explained.iter().any(|e| centre_in(r, e)))
            .count();
        if boxed.is_empty() || inside * 2 < boxed.len() {
            if !kept.is_empty() {
                kept.push_unboxed(" ");
            }
            for (c, r) in word.iter() {
                kept.push(*c, *r);
            }
        }
        word.clear();
    };
    for (ch, rect) in src.iter() {
        if ch == '\r' || ch == '\n' {
            flush(&mut word, &mut kept);
            if !kept.is_empty() && !kept.text().ends_with('\n') {
                kept.push_unboxed("\r\n");
            }
            continue;
        }
        if ch.is_whitespace() {
            flush(&mut word, &mut kept);
            continue;
        }
        word.push((ch, rect));
    }
    flush(&mut word, &mut kept);
    append_layer(dst, &kept);
}

/// Whether the centre of `r` lies in `area`.
fn centre_in(r: &Rect, area: &Rect) -> bool {
    let (cx, cy) = ((r.x0 + r.x1) / 2.0, (r.y0 + r.y1) / 2.0);
    area.x0 <= cx && cx <= area.x1 && area.y0 <= cy && cy <= area.y1
}

/// Appends the text of drawn annotations and form fields, each on its own line, every
/// character boxed with the whole annotation: where a value is drawn inside its field is
/// up to the viewer, so a finding in it masks the field. When the page's text already
/// holds the value inside the annotation's rectangle — OCR of the drawn field read it,
/// with a box per character — the copy is left out, so a name in a long comment field
/// masks the name and not the whole field; a value OCR misread still gets the copy.
fn append_annotations(dst: &mut TextLayer, annotations: &[PageAnnotation]) {
    let compact = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    for a in annotations {
        let drawn_here = {
            let inside: String = dst
                .iter()
                .filter(|(_, r)| r.is_some_and(|r| centre_in(&r, &a.rect)))
                .map(|(ch, _)| ch)
                .collect();
            compact(&inside)
        };
        let value = compact(&a.text);
        if !value.is_empty() && drawn_here.contains(&value) {
            continue;
        }
        let mut layer = TextLayer::new();
        for (n, line) in a.text.lines().enumerate() {
            if n > 0 {
                layer.push_unboxed("\r\n");
            }
            for ch in line.chars() {
                layer.push(ch, (!ch.is_whitespace()).then_some(a.rect));
            }
        }
        append_layer(dst, &layer);
    }
}

/// Runs the analyzer over the document's pages.
pub fn analyze(pages: &[PageText], analyzer: &Analyzer) -> DocumentFindings {
    let texts: Vec<&str> = pages.iter().map(|p| p.layer.text()).collect();
    // What OCR read with low confidence: shaped like an identifier or after a label, it is
    // masked though no rule can read it (issue 12).
    let doubts: Vec<_> = pages.iter().map(|p| p.layer.uncertain_spans()).collect();
    analyzer.analyze_with_doubts(&texts, &doubts)
}

/// What applying a plan produced.
#[derive(Debug, Clone)]
pub struct Applied {
    pub pages: usize,
    pub bytes: u64,
    pub verification: VerifyReport,
}

/// The rectangles the verifier must find black: every accepted mask, in output page space,
/// each with the provision label printed in it when `labels` is on
/// (`[output] provision_labels`).
pub fn expectations(plan: &RedactionPlan, labels: bool) -> VerifyExpectations {
    let per_page: Vec<Vec<(DisplayRect, Option<String>)>> = plan
        .pages
        .iter()
        .map(tusch_core::label::page_labels)
        .collect();
    VerifyExpectations {
        page_count: Some(plan.pages.len()),
        black: per_page
            .iter()
            .map(|p| p.iter().map(|(r, _)| *r).collect())
            .collect(),
        labels: if labels {
            per_page
                .into_iter()
                .map(|p| p.into_iter().map(|(_, l)| l).collect())
                .collect()
        } else {
            Vec::new()
        },
        ..Default::default()
    }
}

/// What a `searchable` export needs besides the plan ([`crate::Engine::release`]); the
/// default is the `image` profile's nothing.
#[derive(Default)]
pub struct Release<'a> {
    /// Reads each released raster for the invisible text layer.
    pub ocr: Option<&'a dyn OcrEngine>,
    /// The text under the accepted masks ([`RedactionPlan::masked_strings`]): the verifier
    /// proves none of it is in the text layer. In memory only.
    pub masked: Vec<String>,
}

impl std::fmt::Debug for Release<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Release")
            .field("ocr", &self.ocr.map(|o| o.describe()))
            .field("masked", &self.masked.len())
            .finish()
    }
}

/// Renders every page, burns the plan's accepted masks, writes an image-only PDF to a
/// temporary file beside `out`, verifies it, and only then renames it to `out`. On any
/// failure nothing is left at `out` (an existing file there is untouched) and the
/// temporary file is removed.
///
/// Each page is [`release_page`]: scans at their own resolution as JPEG, with masks grown
/// to whole 8×8 blocks; other pages at `policy.dpi` in `policy.encoding`.
pub fn apply_plan(
    doc: &Document,
    plan: &RedactionPlan,
    input: &Path,
    out: &Path,
    policy: &OutputPolicy,
    release: &Release<'_>,
    progress: &dyn Progress,
) -> Result<Applied, EngineError> {
    refuse_overwriting_input(input, out)?;
    let searchable = policy.profile == tusch_core::OutputProfile::Searchable;
    if plan.pages.len() != doc.page_count() {
        return Err(EngineError::PlanMismatch);
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let write_err = |source| EngineError::Write {
        path: out.to_owned(),
        source,
    };
    // Named after this host and process (see `tempname`), so a later run can tell a dead
    // writer's leftover from a live one's.
    let tmp = tempfile::Builder::new()
        .prefix(&crate::tempname::prefix())
        .suffix(".pdf.part")
        .tempfile_in(&dir)
        .map_err(write_err)?;
    // The OCR text of each released page, as written: the verifier reads it back.
    let mut texts: Vec<String> = Vec::new();
    {
        let file: &File = tmp.as_file();
        let mut w = if searchable {
            ImagePdfWriter::searchable(BufWriter::new(file), plan.pages.len())
        } else {
            ImagePdfWriter::new(BufWriter::new(file), plan.pages.len())
        }
        .map_err(write_err)?;
        // Pages stream through: a few per core are rendered and encoded in parallel, then
        // written in order and dropped, so memory does not grow with the page count.
        let chunk = rayon::current_num_threads().max(1) * 4;
        for pages in plan.pages.chunks(chunk) {
            let encoded: Vec<OutputPage> = pages
                .par_iter()
                .map(|page| {
                    if page.index >= doc.page_count() || doc.geometry(page.index)? != page.geometry
                    {
                        return Err(EngineError::PlanMismatch);
                    }
                    let out = release_page(doc, page, policy, release.ocr)?;
                    progress.page_done();
                    Ok(out)
                })
                .collect::<Result<_, EngineError>>()?;
            for p in &encoded {
                w.add_page(p).map_err(write_err)?;
                if let Some(layer) = &p.layer {
                    texts.push(layer.text());
                }
            }
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
    let mut expect = expectations(plan, policy.provision_labels);
    if searchable {
        expect.searchable = Some(SearchableExpectations {
            text: texts,
            masked: release.masked.clone(),
            provisions: plan_provisions(plan),
        });
    }
    let verification = verify_file(tmp.path(), &expect)?;
    let bytes = tmp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
    tmp.persist(out).map_err(|e| write_err(e.error))?;
    Ok(Applied {
        pages: plan.pages.len(),
        bytes,
        verification,
    })
}

/// The provisions the plan's accepted masks are made under.
fn plan_provisions(plan: &RedactionPlan) -> Vec<String> {
    let mut p: Vec<String> = plan
        .pages
        .iter()
        .flat_map(|p| p.masks.iter())
        .filter(|m| m.state == tusch_core::MaskState::Accepted)
        .filter_map(|m| m.provision.clone())
        .collect();
    p.sort();
    p.dedup();
    p
}

/// Errors out when `out` names the same file as `input` (also through links or `..`).
fn refuse_overwriting_input(input: &Path, out: &Path) -> Result<(), EngineError> {
    let same = match (std::fs::canonicalize(input), canonical_target(out)) {
        (Ok(a), Some(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(EngineError::OutputIsInput {
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

//! One open document: the source PDF, its text layer once analysed, and its review.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};
use tusch_core::{
    analyzer::find_occurrences, plan::mask_rects, Category, DisplayRect, DocumentFindings, Mask,
    MaskState, OcrPolicy, OutputPolicy, PageGeometry, PagePlan, PageText, Rect, RedactionPlan,
    Validation,
};
use tusch_engine::Document as Input;
use tusch_engine::EngineError;

use tusch_engine::tusch_keyed::Kind as LearnedKind;

use crate::catalogue::Catalogue;
use crate::error::ReviewError;
use crate::review::{Origin, Review, ReviewMask};
use crate::select::select_text;
use crate::store::{SavedReview, SAVE_FORMAT};

/// Smallest box the registrar can draw, in points: smaller is a slip of the mouse.
const MIN_BOX_PT: f32 = 2.0;

/// Where a document is in its analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Status {
    /// Text extraction and detection are running; `done` of `total` pages have text.
    Analysing { done: usize, total: usize },
    /// Suggestions are in (analysed now, or restored from the autosave).
    Ready { restored: bool },
    /// Analysis failed; the message is for the registrar.
    Failed { message: String },
}

/// What an export produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportOutcome {
    pub output: PathBuf,
    pub pages: usize,
    pub bytes: u64,
    /// Accepted mask rectangles the verifier found black in the written file.
    pub masks_checked: usize,
    /// The verifier's checks, by name (all passed, or there would be no file).
    pub checks: Vec<String>,
    pub summary: Option<PathBuf>,
}

/// An open PDF under review.
#[derive(Debug)]
pub struct Document {
    pub id: u32,
    pub path: PathBuf,
    pub sha256: String,
    pub(crate) source: Arc<Input>,
    pub(crate) geometry: Vec<PageGeometry>,
    pub(crate) pages: Option<Arc<Vec<PageText>>>,
    pub review: Review,
    /// The engine that made the suggestions, as recorded in the plan.
    pub(crate) engine: Option<String>,
    pub status: Status,
    /// A note for the registrar about the autosave (e.g. a damaged one was ignored).
    pub note: Option<String>,
    pub last_export: Option<ExportOutcome>,
    /// What the learned list did on this document.
    pub learned: LearnedSummary,
}

/// What the learned list did on one document, for the window: counts only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LearnedSummary {
    /// Suggestions the learned list made (detector `inlärd`).
    pub suggested: usize,
    /// Decisions of this document recorded in the learned list (at export).
    pub decisions: usize,
    /// Whether they have been recorded.
    pub recorded: bool,
}

impl Document {
    /// Reads and opens the PDF and reads each page's size. Quick: no text, no rendering,
    /// so the window can show page frames at once.
    pub fn open(id: u32, path: &Path, ocr: &OcrPolicy) -> Result<Self, ReviewError> {
        let pdf_err = |source| ReviewError::Document {
            path: path.to_owned(),
            source,
        };
        let bytes = std::fs::read(path).map_err(|source| {
            pdf_err(EngineError::Read {
                path: path.to_owned(),
                source,
            })
        })?;
        let sha256 = hex(&Sha256::digest(&bytes));
        let source = Input::from_bytes(bytes, ocr).map_err(pdf_err)?;
        let geometry = (0..source.page_count())
            .map(|i| source.geometry(i))
            .collect::<Result<Vec<_>, _>>()
            .map_err(pdf_err)?;
        let total = geometry.len();
        Ok(Self {
            id,
            path: path.to_owned(),
            sha256,
            source: Arc::new(source),
            geometry,
            pages: None,
            review: Review::default(),
            engine: None,
            status: Status::Analysing { done: 0, total },
            note: None,
            last_export: None,
            learned: LearnedSummary::default(),
        })
    }

    pub fn page_count(&self) -> usize {
        self.geometry.len()
    }

    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    pub fn is_ready(&self) -> bool {
        matches!(self.status, Status::Ready { .. })
    }

    /// `<name>-maskerad.pdf` beside the original.
    pub fn default_output(&self) -> PathBuf {
        self.sibling("-maskerad.pdf")
    }

    /// `<name>-underlag.txt` beside the original.
    pub fn default_summary(&self) -> PathBuf {
        self.sibling("-underlag.txt")
    }

    fn sibling(&self, suffix: &str) -> PathBuf {
        let stem = self
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "dokument".into());
        self.path.with_file_name(format!("{stem}{suffix}"))
    }

    /// Installs the text layer and either the saved review or fresh proposals.
    pub fn install(&mut self, pages: Vec<PageText>, masks: Installed) {
        let restored = matches!(masks, Installed::Restored(_));
        self.review = match masks {
            Installed::Restored(saved) => {
                self.engine = saved.engine;
                Review::restored(saved.masks)
            }
            Installed::Fresh { masks, engine } => {
                self.engine = Some(engine);
                let mut r = Review::new(masks);
                // A fresh analysis is saved at once, so a crash right after it keeps the
                // proposals (and their ids) stable.
                r.mark_dirty();
                r
            }
        };
        self.pages = Some(Arc::new(pages));
        self.status = Status::Ready { restored };
    }

    /// What the autosaver writes.
    pub fn saved(&self) -> SavedReview {
        SavedReview {
            format: SAVE_FORMAT,
            sha256: self.sha256.clone(),
            page_count: self.page_count(),
            masks: self.review.masks().to_vec(),
            engine: self.engine.clone(),
        }
    }

    fn pages(&self) -> Result<&[PageText], ReviewError> {
        self.pages
            .as_deref()
            .map(Vec::as_slice)
            .ok_or(ReviewError::NotReady)
    }

    fn geometry_of(&self, page: usize) -> Result<&PageGeometry, ReviewError> {
        self.geometry
            .get(page)
            .ok_or(ReviewError::NoSuchPage { page: page + 1 })
    }

    /// The text a mask covers, when it came from the text layer.
    pub fn text_of(&self, mask: &ReviewMask) -> Option<&str> {
        let page = self.pages.as_ref()?.get(mask.page)?;
        page.layer.text().get(mask.span.clone()?)
    }

    /// The decisions of this review the learned list learns from (`docs/learned.md`), in
    /// memory only: each string rejected as not personal data, and each string masked by
    /// hand (text selection, "mask all occurrences", typed text) that no detector
    /// suggested — once per distinct string per document. Protected identities are never
    /// learned from; strings of more than four words cannot be entries and are left out.
    pub fn learned_decisions(&self) -> Vec<(String, LearnedKind, Option<Category>)> {
        let masks = self.review.masks();
        let detected: Vec<(usize, &std::ops::Range<usize>)> = masks
            .iter()
            .filter(|m| m.origin == Origin::Detected)
            .filter_map(|m| Some((m.page, m.span.as_ref()?)))
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for m in masks {
            if m.is_protected() || m.protected_override {
                continue;
            }
            let kind = match (m.origin, m.state) {
                (Origin::Detected, MaskState::Rejected) => LearnedKind::NotPersonal,
                (Origin::Manual | Origin::Occurrence, MaskState::Accepted) => {
                    let Some(span) = &m.span else { continue };
                    let found = detected
                        .iter()
                        .any(|(p, s)| *p == m.page && s.start < span.end && span.start < s.end);
                    if found {
                        continue;
                    }
                    LearnedKind::Mask
                }
                _ => continue,
            };
            let Some(text) = self.text_of(m) else {
                continue;
            };
            let Some(norm) = tusch_engine::tusch_keyed::normalize::normalise(text) else {
                continue;
            };
            if seen.insert((norm, kind)) {
                let category = (kind == LearnedKind::Mask).then_some(m.category);
                out.push((text.to_owned(), kind, category));
            }
        }
        out
    }

    /// Adds a box the registrar drew (display points, origin top-left), accepted.
    pub fn add_box(
        &mut self,
        page: usize,
        rect: DisplayRect,
        category: Category,
    ) -> Result<u64, ReviewError> {
        let r = self.box_in_page(page, rect)?;
        let ids = self.review.add(vec![ReviewMask::manual(
            page,
            vec![r],
            category,
            Origin::Manual,
        )]);
        ids.first().copied().ok_or(ReviewError::BadBox)
    }

    /// Masks the text the registrar dragged over (display points): the characters whose
    /// boxes the rectangle touches become one accepted mask, padded like the suggestions.
    pub fn mask_text(
        &mut self,
        page: usize,
        rect: DisplayRect,
        category: Category,
        padding_pt: f32,
    ) -> Result<u64, ReviewError> {
        let g = self.geometry_of(page)?;
        let area = g.from_display(&rect);
        let layer = &self
            .pages()?
            .iter()
            .find(|p| p.index == page)
            .ok_or(ReviewError::NoSuchPage { page: page + 1 })?
            .layer;
        let sel = select_text(layer, &area).ok_or(ReviewError::NoText)?;
        let rects = sel.rects.iter().map(|r| r.inflate(padding_pt)).collect();
        let mut m = ReviewMask::manual(page, rects, category, Origin::Manual);
        m.span = Some(sel.span);
        let ids = self.review.add(vec![m]);
        ids.first().copied().ok_or(ReviewError::NoText)
    }

    /// Replaces a mask's rectangles with one box (the registrar dragged its edges).
    pub fn resize(&mut self, id: u64, rect: DisplayRect) -> Result<(), ReviewError> {
        let page = self.review.mask(id).ok_or(ReviewError::NoSuchMask)?.page;
        let r = self.box_in_page(page, rect)?;
        self.review.set_rects(id, vec![r]);
        Ok(())
    }

    /// Masks the whole page (its visible area).
    pub fn mask_page(&mut self, page: usize) -> Result<u64, ReviewError> {
        let g = *self.geometry_of(page)?;
        let ids = self.review.add(vec![ReviewMask::manual(
            page,
            vec![g.crop],
            Category::Other,
            Origin::Page,
        )]);
        ids.first().copied().ok_or(ReviewError::BadBox)
    }

    fn box_in_page(&self, page: usize, rect: DisplayRect) -> Result<Rect, ReviewError> {
        let g = self.geometry_of(page)?;
        let (w, h) = g.display_size();
        let d = DisplayRect {
            left: rect.left.clamp(0.0, w),
            top: rect.top.clamp(0.0, h),
            right: rect.right.clamp(0.0, w),
            bottom: rect.bottom.clamp(0.0, h),
        };
        if !(d.right - d.left >= MIN_BOX_PT && d.bottom - d.top >= MIN_BOX_PT) {
            return Err(ReviewError::BadBox);
        }
        Ok(g.from_display(&d))
    }

    /// Masks that "mask all occurrences of `needle`" adds to this document: every
    /// whole-word occurrence in the text layer that no mask covers yet. Occurrences with a
    /// proposed or rejected mask are returned by id in `.1` to be accepted instead.
    pub fn occurrences(
        &self,
        needle: &str,
        category: Category,
        padding_pt: f32,
    ) -> Result<(Vec<ReviewMask>, Vec<u64>), ReviewError> {
        if needle.trim().is_empty() {
            return Err(ReviewError::NoText);
        }
        let mut new = Vec::new();
        let mut accept = Vec::new();
        for page in self.pages()? {
            for span in find_occurrences(page.layer.text(), needle) {
                let covering: Vec<&ReviewMask> = self
                    .review
                    .masks()
                    .iter()
                    .filter(|m| {
                        m.page == page.index
                            && m.span
                                .as_ref()
                                .is_some_and(|s| s.start < span.end && span.start < s.end)
                    })
                    .collect();
                if covering.iter().any(|m| m.state == MaskState::Accepted) {
                    continue;
                }
                if !covering.is_empty() {
                    accept.extend(covering.iter().map(|m| m.id));
                    continue;
                }
                let rects = mask_rects(&page.layer, &span, category, padding_pt);
                if rects.is_empty() {
                    continue;
                }
                let mut m = ReviewMask::manual(page.index, rects, category, Origin::Occurrence);
                m.span = Some(span);
                new.push(m);
            }
        }
        Ok((new, accept))
    }

    /// Applies [`Self::occurrences`] as one undoable change; returns how many were masked.
    pub fn mask_occurrences(
        &mut self,
        needle: &str,
        category: Category,
        padding_pt: f32,
    ) -> Result<usize, ReviewError> {
        let (new, accept) = self.occurrences(needle, category, padding_pt)?;
        let n = new.len() + accept.len();
        self.review.change(|masks, next_id| {
            for m in masks.iter_mut().filter(|m| accept.contains(&m.id)) {
                m.state = MaskState::Accepted;
            }
            for mut m in new {
                m.id = *next_id;
                *next_id += 1;
                masks.push(m);
            }
        });
        Ok(n)
    }

    /// The review as a redaction plan: every mask with its state and resolved provision.
    pub fn plan(&self, catalogue: &Catalogue) -> RedactionPlan {
        let pages = self
            .geometry
            .iter()
            .enumerate()
            .map(|(index, geometry)| PagePlan {
                index,
                geometry: *geometry,
                masks: self
                    .review
                    .masks()
                    .iter()
                    .filter(|m| m.page == index)
                    .map(|m| Mask {
                        rects: m.rects.clone(),
                        category: m.category,
                        score: m.score,
                        explanation: m.explanation.clone(),
                        state: m.state,
                        provision: resolved_provision(m, catalogue),
                    })
                    .collect(),
            })
            .collect();
        RedactionPlan {
            format: tusch_core::plan::PLAN_FORMAT,
            engine: self
                .engine
                .clone()
                .unwrap_or_else(|| format!("tusch {}", tusch_core::VERSION)),
            pages,
        }
    }

    /// The open PDF, to render from without holding the session lock.
    pub fn source_handle(&self) -> Arc<Input> {
        Arc::clone(&self.source)
    }

    /// Everything the window shows of the document.
    pub fn view(&self, catalogue: &Catalogue) -> DocumentView {
        let (proposed, accepted, rejected) = self.review.counts();
        DocumentView {
            id: self.id,
            name: self.name(),
            path: self.path.display().to_string(),
            pages: self
                .geometry
                .iter()
                .enumerate()
                .map(|(index, g)| {
                    let (w, h) = g.display_size();
                    PageView {
                        index,
                        width_pt: w,
                        height_pt: h,
                    }
                })
                .collect(),
            status: self.status.clone(),
            note: self.note.clone(),
            masks: self
                .review
                .masks()
                .iter()
                .map(|m| self.mask_view(m, catalogue))
                .collect(),
            proposed,
            accepted,
            rejected,
            can_undo: self.review.can_undo(),
            can_redo: self.review.can_redo(),
            default_output: self.default_output().display().to_string(),
            last_export: self.last_export.clone(),
            learned: LearnedSummary {
                suggested: self
                    .review
                    .masks()
                    .iter()
                    .filter(|m| m.explanation.detector == tusch_core::LEARNED_DETECTOR)
                    .count(),
                ..self.learned
            },
            protected: self
                .review
                .masks()
                .iter()
                .filter(|m| m.is_protected())
                .count(),
        }
    }

    fn mask_view(&self, m: &ReviewMask, catalogue: &Catalogue) -> MaskView {
        let g = self.geometry.get(m.page).copied().unwrap_or(PageGeometry {
            crop: Rect::new(0.0, 0.0, 1.0, 1.0),
            rotation: tusch_core::Rotation::R0,
        });
        MaskView {
            id: m.id,
            page: m.page,
            rects: m.rects.iter().map(|r| g.to_display(r)).collect(),
            category: m.category,
            category_label: m.category.label_sv(),
            state: m.state,
            provision: resolved_provision(m, catalogue),
            provision_is_default: m.provision.is_none(),
            origin: m.origin,
            detector: m.explanation.detector.clone(),
            rule: m.explanation.rule.clone(),
            validation: match &m.explanation.validation {
                Validation::Passed(c) => format!("kontroll godkänd: {c}"),
                Validation::Failed(c) => format!("kontroll ej godkänd: {c}"),
                Validation::NotApplicable => String::new(),
            },
            context: m.explanation.context,
            score: m.score,
            text: self.text_of(m).map(str::to_owned),
        }
    }
}

/// How a document's masks come in after analysis.
#[derive(Debug)]
pub enum Installed {
    Restored(SavedReview),
    /// Fresh suggestions, and the engine that made them.
    Fresh {
        masks: Vec<ReviewMask>,
        engine: String,
    },
}

/// Proposed masks for fresh findings.
pub fn proposals(
    pages: &[PageText],
    findings: &DocumentFindings,
    padding_pt: f32,
) -> Vec<ReviewMask> {
    let mut out = Vec::new();
    for (page, found) in pages.iter().zip(&findings.pages) {
        for f in found {
            let rects = mask_rects(&page.layer, &f.span, f.category, padding_pt);
            if rects.is_empty() {
                continue;
            }
            out.push(ReviewMask {
                id: 0,
                page: page.index,
                rects,
                category: f.category,
                score: f.score,
                explanation: f.explanation.clone(),
                state: MaskState::Proposed,
                provision: None,
                origin: Origin::Detected,
                span: Some(f.span.clone()),
                protected_override: false,
            });
        }
    }
    out
}

fn resolved_provision(m: &ReviewMask, catalogue: &Catalogue) -> Option<String> {
    m.provision
        .clone()
        .or_else(|| catalogue.default_for(m.category).map(str::to_owned))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A page's size in display points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PageView {
    pub index: usize,
    pub width_pt: f32,
    pub height_pt: f32,
}

/// The window's view of one document.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    pub id: u32,
    pub name: String,
    pub path: String,
    pub pages: Vec<PageView>,
    pub status: Status,
    pub note: Option<String>,
    pub masks: Vec<MaskView>,
    pub proposed: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub can_undo: bool,
    pub can_redo: bool,
    pub default_output: String,
    pub last_export: Option<ExportOutcome>,
    /// What the learned list did on this document (counts).
    pub learned: LearnedSummary,
    /// Masks over protected identities ("skyddad identitet").
    pub protected: usize,
}

/// One mask as the window shows it: display-space rectangles (points, origin top-left),
/// and the covered text for the side panel. `Debug` leaves the text out.
#[derive(Clone, Serialize)]
pub struct MaskView {
    pub id: u64,
    pub page: usize,
    pub rects: Vec<DisplayRect>,
    pub category: Category,
    pub category_label: &'static str,
    pub state: MaskState,
    pub provision: Option<String>,
    pub provision_is_default: bool,
    pub origin: Origin,
    pub detector: String,
    pub rule: String,
    pub validation: String,
    pub context: bool,
    pub score: f32,
    pub text: Option<String>,
}

impl std::fmt::Debug for MaskView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaskView")
            .field("id", &self.id)
            .field("page", &self.page)
            .field("category", &self.category)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// A page as an 8-bit grey PNG: the very raster the export releases (same resolution, a
/// scan at its own and through the same JPEG encoding), before masks are burned — the
/// window draws them over it ([`tusch_engine::raster::preview`]).
pub fn render_png(
    source: &Input,
    page: usize,
    policy: &OutputPolicy,
) -> Result<Vec<u8>, ReviewError> {
    if page >= source.page_count() {
        return Err(ReviewError::NoSuchPage { page: page + 1 });
    }
    let img = tusch_engine::raster::preview(source, page, None, policy).map_err(|source| {
        ReviewError::Document {
            path: PathBuf::from("förhandsvisning"),
            source,
        }
    })?;
    let mut out = Vec::with_capacity(img.data.len() / 4);
    let io = |e: png::EncodingError| ReviewError::Write {
        path: PathBuf::from("förhandsvisning"),
        source: std::io::Error::other(e),
    };
    {
        let mut enc = png::Encoder::new(&mut out, img.width, img.height);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut w = enc.write_header().map_err(io)?;
        w.write_image_data(&img.data).map_err(io)?;
        w.finish().map_err(io)?;
    }
    Ok(out)
}

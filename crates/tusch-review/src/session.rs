//! The open documents of one request, the jobs that run without the session lock, and the
//! autosaver.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tusch_core::{Category, Config, DisplayRect, MaskState, RedactionPlan};
use tusch_engine::pipeline::apply_plan;
use tusch_engine::{Document as Input, Engine, Progress};

use crate::catalogue::Catalogue;
use crate::document::{proposals, Document, DocumentView, ExportOutcome, Installed, Status};
use crate::error::ReviewError;
use crate::store::{SavedReview, Store};
use crate::summary;

/// The session's engine: built by the first analysis that needs it — loading and checking
/// the name model takes a second — and then shared by every document of the session, exactly
/// as the command-line tool builds it ([`Engine::from_config`]). A model that cannot be
/// loaded is an error (shown on the document), not a silent fallback to rules alone; the
/// next analysis tries again.
#[derive(Debug, Clone, Default)]
pub struct EngineSlot {
    engine: Arc<Mutex<Option<Arc<Engine>>>>,
    builds: Arc<AtomicUsize>,
}

impl EngineSlot {
    /// The engine, built now if this is the first call. Callers wait for one build rather
    /// than start a second.
    pub fn get(&self, config: &Config) -> Result<Arc<Engine>, ReviewError> {
        let mut slot = self.engine.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = slot.as_ref() {
            return Ok(Arc::clone(e));
        }
        let engine = Arc::new(Engine::from_config(config.clone()).map_err(ReviewError::Engine)?);
        self.builds.fetch_add(1, Ordering::Relaxed);
        *slot = Some(Arc::clone(&engine));
        Ok(engine)
    }

    /// The loaded name model's name and sha256, once the engine is built.
    pub fn model(&self) -> Option<(String, String)> {
        let slot = self.engine.lock().unwrap_or_else(|p| p.into_inner());
        let m = slot.as_ref()?.model()?;
        Some((m.name.clone(), m.model_sha256.clone()))
    }

    /// How many times an engine was built (the model loaded): one per session.
    pub fn builds(&self) -> usize {
        self.builds.load(Ordering::Relaxed)
    }
}

/// The open documents, the configuration and where reviews are saved.
#[derive(Debug)]
pub struct Session {
    pub config: Config,
    pub catalogue: Catalogue,
    pub store: Store,
    pub engine: EngineSlot,
    docs: Vec<Document>,
    next_id: u32,
}

impl Session {
    pub fn new(config: Config, catalogue: Catalogue, store: Store) -> Self {
        Self {
            config,
            catalogue,
            store,
            engine: EngineSlot::default(),
            docs: Vec::new(),
            next_id: 1,
        }
    }

    /// Opens a document (quick: no analysis) and returns its id. A document already open
    /// is not opened twice.
    pub fn open(&mut self, path: &Path) -> Result<u32, ReviewError> {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        if let Some(d) = self.docs.iter().find(|d| d.path == canonical) {
            return Ok(d.id);
        }
        let doc = Document::open(self.next_id, &canonical, &self.config.ocr)?;
        self.next_id += 1;
        let id = doc.id;
        self.docs.push(doc);
        Ok(id)
    }

    pub fn close(&mut self, id: u32) -> Result<(), ReviewError> {
        self.save_one(id)?;
        self.docs.retain(|d| d.id != id);
        Ok(())
    }

    pub fn documents(&self) -> &[Document] {
        &self.docs
    }

    pub fn doc(&self, id: u32) -> Result<&Document, ReviewError> {
        self.docs
            .iter()
            .find(|d| d.id == id)
            .ok_or(ReviewError::NoSuchDocument)
    }

    pub fn doc_mut(&mut self, id: u32) -> Result<&mut Document, ReviewError> {
        self.docs
            .iter_mut()
            .find(|d| d.id == id)
            .ok_or(ReviewError::NoSuchDocument)
    }

    fn ready_mut(&mut self, id: u32) -> Result<&mut Document, ReviewError> {
        let d = self.doc_mut(id)?;
        if !d.is_ready() {
            return Err(ReviewError::NotReady);
        }
        Ok(d)
    }

    pub fn view(&self, id: u32) -> Result<DocumentView, ReviewError> {
        Ok(self.doc(id)?.view(&self.catalogue))
    }

    pub fn views(&self) -> Vec<DocumentView> {
        self.docs.iter().map(|d| d.view(&self.catalogue)).collect()
    }

    /// The analysis of a document, to run without the lock. Looks up the autosave now, so
    /// a restored review skips detection (and its result can never differ from the save).
    pub fn analysis_job(&mut self, id: u32) -> Result<AnalysisJob, ReviewError> {
        let store = self.store.clone();
        let config = self.config.clone();
        let doc = self.doc_mut(id)?;
        let saved = match store.load(&doc.sha256, doc.page_count()) {
            Ok(s) => s,
            Err(e) => {
                doc.note = Some(e.to_string());
                None
            }
        };
        Ok(AnalysisJob {
            id,
            path: doc.path.clone(),
            source: Arc::clone(&doc.source),
            saved,
            config,
            engine: self.engine.clone(),
        })
    }

    /// Installs a finished analysis (if the document is still open).
    pub fn finish_analysis(&mut self, result: AnalysisResult) {
        let Ok(doc) = self.doc_mut(result.id) else {
            return;
        };
        if let Some(n) = result.notice {
            doc.note = Some(match doc.note.take() {
                Some(earlier) => format!("{earlier} {n}"),
                None => n,
            });
        }
        match result.outcome {
            Ok((pages, installed)) => doc.install(pages, installed),
            Err(e) => {
                doc.status = Status::Failed {
                    message: e.to_string(),
                }
            }
        }
    }

    /// Records analysis progress for the document's view.
    pub fn progress(&mut self, id: u32, done: usize) {
        if let Ok(d) = self.doc_mut(id) {
            if let Status::Analysing { total, .. } = d.status {
                d.status = Status::Analysing { done, total };
            }
        }
    }

    /// Sets the state of masks. Rejecting a protected identity is refused
    /// ([`ReviewError::ProtectedIdentity`]); see [`Session::set_state_override`].
    pub fn set_state(
        &mut self,
        id: u32,
        masks: &[u64],
        state: MaskState,
    ) -> Result<(), ReviewError> {
        self.set_state_override(id, masks, state, false)
    }

    /// [`Session::set_state`] with `override_protected`: `true` rejects protected
    /// identities too, deliberately, and records the override on each mask (it is saved with
    /// the review and listed in the decision summary).
    pub fn set_state_override(
        &mut self,
        id: u32,
        masks: &[u64],
        state: MaskState,
        override_protected: bool,
    ) -> Result<(), ReviewError> {
        let review = &mut self.ready_mut(id)?.review;
        if review.rejects_protected(masks, state) {
            if !override_protected {
                return Err(ReviewError::ProtectedIdentity);
            }
            review.override_protected(masks);
        } else {
            review.set_state(masks, state);
        }
        Ok(())
    }

    /// Decides every proposed mask (of one category, or all).
    pub fn decide_proposed(
        &mut self,
        id: u32,
        category: Option<Category>,
        state: MaskState,
    ) -> Result<(), ReviewError> {
        self.ready_mut(id)?.review.decide_proposed(category, state);
        Ok(())
    }

    pub fn set_provision(
        &mut self,
        id: u32,
        masks: &[u64],
        provision: Option<String>,
    ) -> Result<(), ReviewError> {
        self.ready_mut(id)?.review.set_provision(masks, provision);
        Ok(())
    }

    pub fn add_box(
        &mut self,
        id: u32,
        page: usize,
        rect: DisplayRect,
        category: Category,
    ) -> Result<u64, ReviewError> {
        self.ready_mut(id)?.add_box(page, rect, category)
    }

    /// Masks the text under a rectangle dragged on a page (see [`Document::mask_text`]).
    pub fn mask_text(
        &mut self,
        id: u32,
        page: usize,
        rect: DisplayRect,
        category: Category,
    ) -> Result<u64, ReviewError> {
        let padding = self.config.output.padding_pt;
        self.ready_mut(id)?.mask_text(page, rect, category, padding)
    }

    pub fn resize(&mut self, id: u32, mask: u64, rect: DisplayRect) -> Result<(), ReviewError> {
        self.ready_mut(id)?.resize(mask, rect)
    }

    pub fn remove(&mut self, id: u32, mask: u64) -> Result<(), ReviewError> {
        self.ready_mut(id)?.review.remove(mask);
        Ok(())
    }

    pub fn mask_page(&mut self, id: u32, page: usize) -> Result<u64, ReviewError> {
        self.ready_mut(id)?.mask_page(page)
    }

    /// Masks every occurrence of a mask's text (`mask`) or of `text`, in this document or
    /// in every open one. Returns how many occurrences were masked.
    pub fn mask_occurrences(
        &mut self,
        id: u32,
        mask: Option<u64>,
        text: Option<String>,
        all_documents: bool,
    ) -> Result<usize, ReviewError> {
        let padding = self.config.output.padding_pt;
        let doc = self.ready_mut(id)?;
        let (needle, category) = match mask {
            Some(m) => {
                let mask = doc.review.mask(m).ok_or(ReviewError::NoSuchMask)?;
                let text = doc.text_of(mask).ok_or(ReviewError::NoText)?.to_owned();
                (text, mask.category)
            }
            None => (text.ok_or(ReviewError::NoText)?, Category::Other),
        };
        let mut n = 0;
        for d in self.docs.iter_mut().filter(|d| d.is_ready()) {
            if d.id == id || all_documents {
                n += d.mask_occurrences(&needle, category, padding)?;
            }
        }
        Ok(n)
    }

    pub fn undo(&mut self, id: u32) -> Result<bool, ReviewError> {
        Ok(self.ready_mut(id)?.review.undo())
    }

    pub fn redo(&mut self, id: u32) -> Result<bool, ReviewError> {
        Ok(self.ready_mut(id)?.review.redo())
    }

    /// The export of a document, to run without the lock. Refused while suggestions are
    /// undecided: a proposed mask is not burned, and releasing it by oversight is the one
    /// mistake this tool must not make easy.
    pub fn export_job(&self, id: u32, output: Option<PathBuf>) -> Result<ExportJob, ReviewError> {
        self.export_job_with(id, output, ExportOptions::default())
    }

    /// [`Session::export_job`] with the export dialog's choices over the configuration's
    /// `[output]`.
    pub fn export_job_with(
        &self,
        id: u32,
        output: Option<PathBuf>,
        options: ExportOptions,
    ) -> Result<ExportJob, ReviewError> {
        let doc = self.doc(id)?;
        if !doc.is_ready() {
            return Err(ReviewError::NotReady);
        }
        let (proposed, _, _) = doc.review.counts();
        if proposed > 0 {
            return Err(ReviewError::Undecided {
                remaining: proposed,
            });
        }
        let output = output.unwrap_or_else(|| doc.default_output());
        let summary_path = summary_path_for(&output);
        let plan = doc.plan(&self.catalogue);
        let mut policy = self.config.output.clone();
        if let Some(on) = options.searchable {
            policy.profile = if on {
                tusch_core::OutputProfile::Searchable
            } else {
                tusch_core::OutputProfile::Image
            };
        }
        if let Some(on) = options.provision_labels {
            policy.provision_labels = on;
        }
        Ok(ExportJob {
            source: Arc::clone(&doc.source),
            input: doc.path.clone(),
            input_sha256: doc.sha256.clone(),
            audit: self.config.audit.clone(),
            model: self.engine.model(),
            summary_text: summary::text(doc, &plan, &output),
            summary_pdf: summary::pdf(
                &[summary::DocumentSummary::new(doc, &plan, &output)],
                &self.catalogue,
            ),
            plan,
            output,
            summary_path,
            policy,
            pages: doc.pages.clone(),
            engine: self.engine.clone(),
            config: self.config.clone(),
        })
    }

    /// Records a finished export, and teaches the learned list (`[learned] path`) the
    /// document's decisions ([`Session::learn`]). A learned list that cannot be written
    /// leaves a note on the document; the export itself stands.
    pub fn finish_export(&mut self, id: u32, outcome: &ExportOutcome) {
        if let Ok(d) = self.doc_mut(id) {
            d.last_export = Some(outcome.clone());
        }
        if let Err(e) = self.learn(id) {
            if let Ok(d) = self.doc_mut(id) {
                d.note = Some(e.to_string());
            }
        }
    }

    /// Records the document's decisions in the learned list, once per document and session:
    /// at export, so that clicks undone before it are never learned. Returns how many
    /// decisions were recorded (0 without a learned list).
    pub fn learn(&mut self, id: u32) -> Result<usize, ReviewError> {
        let doc = self.doc(id)?;
        if doc.learned.recorded || self.config.learned.path.is_none() {
            return Ok(0);
        }
        let decisions = doc.learned_decisions();
        let engine = self.engine.get(&self.config)?;
        let Some(store) = engine.learned() else {
            return Ok(0);
        };
        {
            let mut store = store.write().unwrap_or_else(|p| p.into_inner());
            for (text, kind, category) in &decisions {
                // Strings that cannot be entries were left out by learned_decisions.
                let _ = store.record(text, *kind, *category);
            }
            store.save().map_err(ReviewError::Learned)?;
        }
        let doc = self.doc_mut(id)?;
        doc.learned.recorded = true;
        doc.learned.decisions = decisions.len();
        Ok(decisions.len())
    }

    /// Writes every review with unsaved changes. Returns how many were written.
    pub fn save_dirty(&mut self) -> Result<usize, ReviewError> {
        let ids: Vec<u32> = self
            .docs
            .iter()
            .filter(|d| d.review.is_dirty())
            .map(|d| d.id)
            .collect();
        for id in &ids {
            self.save_one(*id)?;
        }
        Ok(ids.len())
    }

    fn save_one(&mut self, id: u32) -> Result<(), ReviewError> {
        let store = self.store.clone();
        let doc = self.doc_mut(id)?;
        if !doc.is_ready() || !doc.review.is_dirty() {
            return Ok(());
        }
        let saved: SavedReview = doc.saved();
        store.save(&saved)?;
        doc.review.mark_saved();
        Ok(())
    }
}

/// The export dialog's choices; `None` keeps the configuration's `[output]` setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportOptions {
    /// "Sökbar PDF (OCR-textlager)": the `searchable` profile.
    pub searchable: Option<bool>,
    /// "Skriv lagrum i rutorna": the provision printed in each box.
    pub provision_labels: Option<bool>,
}

/// `<out stem>-underlag.txt` beside the exported file.
fn summary_path_for(output: &Path) -> PathBuf {
    let stem = output
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dokument".into());
    let stem = stem.strip_suffix("-maskerad").unwrap_or(&stem).to_owned();
    output.with_file_name(format!("{stem}-underlag.txt"))
}

/// Text extraction and detection of one document, run off the lock.
#[derive(Debug)]
pub struct AnalysisJob {
    pub id: u32,
    path: PathBuf,
    source: Arc<Input>,
    saved: Option<SavedReview>,
    config: Config,
    engine: EngineSlot,
}

/// What [`AnalysisJob::run`] produced.
#[derive(Debug)]
pub struct AnalysisResult {
    pub id: u32,
    outcome: Result<(Vec<tusch_core::PageText>, Installed), ReviewError>,
    /// What the registrar must know about how the document was read (Swedish).
    notice: Option<String>,
}

impl AnalysisJob {
    /// Extracts the text layer page by page (telling `on_page` how many are done), then
    /// runs the detectors, unless a saved review is being restored.
    pub fn run(self, on_page: &(dyn Fn(usize) + Sync)) -> AnalysisResult {
        let mut notice = None;
        let outcome = (|| {
            let pdf_err = |source| ReviewError::Document {
                path: self.path.clone(),
                source,
            };
            // Native text layers and OCR (scanned pages, images) exactly as the CLI reads
            // them; progress counts the pages OCR has read, then all of them.
            let progress = PageCounter {
                done: AtomicUsize::new(0),
                on_page,
            };
            let engine = self.engine.get(&self.config)?;
            let (pages, readings) = engine.text(&self.source, &progress).map_err(pdf_err)?;
            notice = reading_notice(self.source.pages(), &readings);
            on_page(pages.len());
            let installed = match self.saved {
                Some(saved) => Installed::Restored(saved),
                None => {
                    let findings = engine.detect(&pages);
                    Installed::Fresh {
                        masks: proposals(&pages, &findings, engine.config().output.padding_pt),
                        engine: engine.description(),
                    }
                }
            };
            Ok((pages, installed))
        })();
        AnalysisResult {
            id: self.id,
            outcome,
            notice,
        }
    }
}

/// In Swedish, what the registrar must know about how a document was read: annotation text
/// that is not drawn (and so not in the masked copy), text layers that were not trusted,
/// and pages where images, stamps or fields without text were read with OCR — the places
/// to review with extra care. `None` when the text layer was all there was.
pub fn reading_notice(
    pages: &[tusch_engine::PageInfo],
    readings: &[tusch_engine::PageReading],
) -> Option<String> {
    let list = |v: Vec<usize>| {
        v.iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    let dropped: usize = pages.iter().map(|p| p.dropped_annotations).sum();
    if dropped > 0 {
        parts.push(format!(
            "{dropped} kommentar(er) har text som inte syns på sidan (t.ex. popup-anteckningar); \
             den texten följer inte med den maskerade kopian."
        ));
    }
    let untrusted: Vec<usize> = pages
        .iter()
        .filter(|p| p.untrusted_chars > 0)
        .map(|p| p.page)
        .collect();
    if !untrusted.is_empty() {
        parts.push(format!(
            "Textlagret stämmer inte med det som syns på sida {} (felaktig teckenkodning); \
             texten lästes med OCR – granska extra noga.",
            list(untrusted)
        ));
    }
    let regions: Vec<usize> = readings
        .iter()
        .enumerate()
        .filter(|(_, r)| r.ocr_regions > 0)
        .map(|(i, _)| i + 1)
        .collect();
    if !regions.is_empty() {
        parts.push(format!(
            "Bilder, stämplar eller fält utan textlager lästes med OCR på sida {}.",
            list(regions)
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Tells the analysis job's caller how many pages OCR has read.
struct PageCounter<'a> {
    done: AtomicUsize,
    on_page: &'a (dyn Fn(usize) + Sync),
}

impl Progress for PageCounter<'_> {
    fn page_recognized(&self) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        (self.on_page)(n);
    }
}

/// Rendering, burning, writing and verifying one document, run off the lock.
#[derive(Debug)]
pub struct ExportJob {
    source: Arc<Input>,
    input: PathBuf,
    plan: RedactionPlan,
    pub output: PathBuf,
    summary_path: PathBuf,
    summary_text: String,
    /// The decision summary as a tagged PDF, written beside the text one.
    summary_pdf: Vec<u8>,
    policy: tusch_core::OutputPolicy,
    input_sha256: String,
    audit: tusch_core::AuditPolicy,
    /// The name model of the session's engine (name, sha256), when one was loaded.
    model: Option<(String, String)>,
    /// The text layers the plan was made from: the searchable profile's verifier takes
    /// the masked strings from them.
    pages: Option<Arc<Vec<tusch_core::PageText>>>,
    engine: EngineSlot,
    config: Config,
}

impl ExportJob {
    /// Writes the image-only PDF through the engine's verified writer (temp file, verify,
    /// rename), then the decision summary beside it.
    pub fn run(self, progress: &dyn Progress) -> Result<ExportOutcome, ReviewError> {
        // The searchable profile reads the released pages with the session's OCR engine.
        let engine = match self.policy.profile {
            tusch_core::OutputProfile::Searchable => Some(self.engine.get(&self.config)?),
            tusch_core::OutputProfile::Image => None,
        };
        let pages: &[tusch_core::PageText] = self.pages.as_deref().map_or(&[], Vec::as_slice);
        let release = match &engine {
            Some(e) => tusch_engine::pipeline::Release {
                ocr: Some(e.ocr().map_err(ReviewError::Export)?),
                masked: self.plan.masked_strings(pages),
            },
            None => Default::default(),
        };
        let applied = apply_plan(
            &self.source,
            &self.plan,
            &self.input,
            &self.output,
            &self.policy,
            &release,
            progress,
        )
        .map_err(ReviewError::Export)?;
        // Fail-closed: a release the kommun cannot account for is not kept.
        if let Err(e) = self.record_in_audit_log() {
            let _ = std::fs::remove_file(&self.output);
            return Err(e);
        }
        let summary = summary::write(&self.summary_path, &self.summary_text)
            .ok()
            .map(|()| self.summary_path.clone());
        let pdf_path = self.summary_path.with_extension("pdf");
        let _ = summary::write_bytes(&pdf_path, &self.summary_pdf);
        Ok(ExportOutcome {
            output: self.output,
            pages: applied.pages,
            bytes: applied.bytes,
            masks_checked: applied.verification.masks_checked,
            checks: applied
                .verification
                .checks
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
            summary,
        })
    }
}

impl ExportJob {
    /// Appends the export to the audit log (`[audit]`): hashes, pages, masks per page,
    /// category and provision, manual or not, the model — never text.
    fn record_in_audit_log(&self) -> Result<(), ReviewError> {
        if !self.audit.enabled {
            return Ok(());
        }
        let path = match &self.audit.path {
            Some(p) => p.clone(),
            None => tusch_audit::default_path().map_err(ReviewError::Audit)?,
        };
        let output_sha = tusch_audit::sha256_file(&self.output).map_err(ReviewError::Audit)?;
        let mut record = tusch_audit::AuditRecord::builder(
            tusch_audit::EventKind::Export,
            &self.input,
            &self.input_sha256,
            output_sha,
        )
        .pages(self.plan.pages.len())
        .tool_version(tusch_core::VERSION)
        .output_profile(self.policy.profile.as_str());
        for page in &self.plan.pages {
            for m in page.masks.iter().filter(|m| m.state == MaskState::Accepted) {
                record = record.mask(
                    page.index + 1,
                    m.category.as_str(),
                    m.provision.as_deref(),
                    m.explanation.detector == "registrator",
                );
            }
        }
        if let Some((name, sha)) = &self.model {
            record = record.model(name, sha);
        }
        tusch_audit::AuditLog::open(path)
            .and_then(|log| log.append(&record.build()))
            .map_err(ReviewError::Audit)?;
        Ok(())
    }
}

/// Starts the autosaver: every `interval`, writes the reviews with unsaved changes. Errors
/// go to `on_error` (the window shows them) and are retried on the next tick.
pub fn spawn_autosaver(
    session: Arc<Mutex<Session>>,
    interval: Duration,
    on_error: impl Fn(ReviewError) + Send + 'static,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("tusch-autosave".into())
        .spawn(move || loop {
            std::thread::sleep(interval);
            let result = match session.lock() {
                Ok(mut s) => s.save_dirty(),
                // A command panicked while holding the lock. Saving what is there keeps
                // the registrar's earlier work; stopping would lose all of it.
                Err(poisoned) => poisoned.into_inner().save_dirty(),
            };
            if let Err(e) = result {
                on_error(e);
            }
        })
        .unwrap_or_else(|_| std::thread::spawn(|| {}))
}

//! [`Engine`]: the pipeline, built once per process. It owns the configuration, the
//! analyzer (rule detectors plus the name model, loaded and checked once), and the OCR
//! engine (Tesseract, started by the first page that needs it). The CLI, the batch runner
//! and the desktop app call its steps and glue nothing themselves.

use std::path::Path;
use std::sync::OnceLock;

use tusch_core::{
    Analyzer, Category, Config, DocumentFindings, GrayImage, MaskState, PageText, Rect,
    RedactionPlan, TextLayer,
};
use tusch_keyed::{KeyedStore, LearnedDetector, LearnedSuppressor, ProtectedDetector, SharedStore};
use tusch_ner::{ModelInfo, NerDetector};
use tusch_ocr::{OcrEngine, Tesseract};

use crate::error::EngineError;
use crate::input::Document;
use crate::pipeline::{self, Applied, PageReading, Progress};
use crate::raster;

/// What the engine is built from besides its configuration. The defaults are the real
/// parts: Tesseract and the model `[ner]` names. Tests put fakes in.
#[derive(Default)]
pub struct Parts {
    /// The OCR engine. `None`: Tesseract with `[ocr] languages`, started once, by the first
    /// page or region that needs it (a document with a good text layer never starts it).
    pub ocr: Option<Box<dyn OcrEngine>>,
    /// The name model. `None`: as `[ner]` says (loaded from `[ner] model_dir` or the
    /// bundled model, its hash checked; none when `enabled = false`).
    pub ner: Option<NerPart>,
}

impl std::fmt::Debug for Parts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parts")
            .field("ocr", &self.ocr.as_ref().map(|e| e.describe()))
            .field("ner", &self.ner.as_ref().map(|n| n.model.clone()))
            .finish()
    }
}

/// A name detector given instead of the configured model.
pub struct NerPart {
    pub detector: Box<dyn tusch_core::Detector>,
    /// What to record in plans; `None` for a fake.
    pub model: Option<ModelInfo>,
}

impl std::fmt::Debug for NerPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NerPart")
            .field("detector", &self.detector.name())
            .field("model", &self.model)
            .finish()
    }
}

/// The redaction pipeline. Build it once ([`Engine::new`]) and share it (`&Engine` is
/// `Sync`): every step takes the document it works on.
pub struct Engine {
    config: Config,
    analyzer: Analyzer,
    model: Option<ModelInfo>,
    ocr: LazyOcr,
    protected: Option<SharedStore>,
    learned: Option<SharedStore>,
    /// The provision each category's masks get in [`Engine::plan`] when none is chosen
    /// (the catalogue's defaults; empty unless [`Engine::with_provisions`] was called).
    provisions: std::collections::BTreeMap<Category, String>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("analyzer", &self.analyzer)
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

/// What [`Engine::plan_file`] returns: the open document, its text layers, the findings and
/// the plan.
#[derive(Debug)]
pub struct Planned {
    pub doc: Document,
    pub pages: Vec<PageText>,
    pub findings: DocumentFindings,
    pub plan: RedactionPlan,
}

/// What [`Engine::redact_file`] returns.
#[derive(Debug)]
pub struct Redacted {
    pub doc: Document,
    pub plan: RedactionPlan,
    pub applied: Applied,
}

impl Engine {
    /// Builds the engine: the analyzer from `[detection]`, plus the name model unless
    /// `[ner] enabled = false` or `parts` gives one. A model that cannot be loaded is an
    /// error, never a silent fallback to rules alone. With `[protected] path` the protected
    /// identities are a detector; with `[learned] path` the learned list is a detector and a
    /// suppressor (`tusch-keyed`). A list that cannot be read is an error too.
    pub fn new(config: Config, parts: Parts) -> Result<Self, EngineError> {
        let mut analyzer = Analyzer::new(config.detection.clone());
        let open = |path: &Option<std::path::PathBuf>, secret: &Option<std::path::PathBuf>| {
            path.as_deref()
                .map(|p| KeyedStore::open(p, secret.as_deref()).map(tusch_keyed::shared))
                .transpose()
                .map_err(EngineError::Keyed)
        };
        let protected = open(&config.protected.path, &config.protected.secret)?;
        if let Some(s) = &protected {
            analyzer.push_detector(Box::new(ProtectedDetector::new(s.clone())));
        }
        let learned = open(&config.learned.path, &config.learned.secret)?;
        if let Some(s) = &learned {
            analyzer.push_detector(Box::new(LearnedDetector::new(s.clone())));
            analyzer.push_suppressor(Box::new(LearnedSuppressor::new(
                s.clone(),
                config.learned.suppress_after,
            )));
        }
        let model = match parts.ner {
            Some(p) => {
                analyzer.push_detector(p.detector);
                p.model
            }
            None if config.ner.enabled => {
                let model =
                    std::sync::Arc::new(tusch_ner::load_model(&config).map_err(EngineError::Ner)?);
                let info = model.info().clone();
                analyzer.push_detector(Box::new(NerDetector::new(
                    model,
                    config.ner.categories.clone(),
                )));
                Some(info)
            }
            None => None,
        };
        let ocr = LazyOcr {
            given: parts.ocr,
            languages: config.ocr.languages.clone(),
            started: OnceLock::new(),
        };
        Ok(Self {
            config,
            analyzer,
            model,
            ocr,
            protected,
            learned,
            provisions: Default::default(),
        })
    }

    /// The engine, stamping each planned mask with its category's provision from
    /// `provisions` (a catalogue's defaults): what `tusch` prints in the boxes with
    /// `[output] provision_labels` and what the masks' alternate texts say.
    pub fn with_provisions(
        mut self,
        provisions: std::collections::BTreeMap<Category, String>,
    ) -> Self {
        self.provisions = provisions;
        self
    }

    /// [`Engine::new`] with the real parts.
    pub fn from_config(config: Config) -> Result<Self, EngineError> {
        Self::new(config, Parts::default())
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The list of protected identities, when `[protected] path` is set.
    pub fn protected(&self) -> Option<&SharedStore> {
        self.protected.as_ref()
    }

    /// The learned list, when `[learned] path` is set: the app records decisions into it,
    /// and the next analysis uses them.
    pub fn learned(&self) -> Option<&SharedStore> {
        self.learned.as_ref()
    }

    /// The OCR engine (Tesseract is started by the first call).
    pub fn ocr(&self) -> Result<&dyn OcrEngine, EngineError> {
        self.ocr.get()
    }

    /// The name model in use, when there is one.
    pub fn model(&self) -> Option<&ModelInfo> {
        self.model.as_ref()
    }

    /// What plans and reports record as their engine: `"tusch 0.1.0; tusch-ner-sv 0.1.0
    /// (sha256 …)"`, or the rules alone when the name model is off.
    pub fn description(&self) -> String {
        let base = format!("tusch {}", tusch_core::VERSION);
        match &self.model {
            Some(m) => format!("{base}; {}", m.label()),
            None => format!("{base}; NER avstängd"),
        }
    }

    /// Opens a PDF or an image file (recognised by content, never by name) and decides per
    /// page whether it is read with OCR, under this engine's `[ocr]` settings.
    pub fn open(&self, path: &Path) -> Result<Document, EngineError> {
        Document::open(path, &self.config.ocr)
    }

    /// [`Engine::open`] for bytes already read (the app hashes them first).
    pub fn open_bytes(&self, bytes: Vec<u8>) -> Result<Document, EngineError> {
        Document::from_bytes(bytes, &self.config.ocr)
    }

    /// Every page's text with a box per character: its own text layer, OCR, or both, plus
    /// what the text layer does not explain (see [`pipeline::recognize_document_text`]).
    /// Leaves `doc` as it is (the app shares it while pages render); [`Engine::read`]
    /// records what OCR found in it.
    pub fn text(
        &self,
        doc: &Document,
        progress: &dyn Progress,
    ) -> Result<(Vec<PageText>, Vec<PageReading>), EngineError> {
        pipeline::recognize_document_text(
            doc,
            &self.ocr,
            self.config.output.max_megapixels,
            progress,
        )
    }

    /// [`Engine::text`], recording per page what OCR found in the document's
    /// [`Document::pages`].
    pub fn read(
        &self,
        doc: &mut Document,
        progress: &dyn Progress,
    ) -> Result<Vec<PageText>, EngineError> {
        let (pages, readings) = self.text(doc, progress)?;
        doc.record_readings(readings);
        Ok(pages)
    }

    /// Runs every detector over the pages.
    pub fn detect(&self, pages: &[PageText]) -> DocumentFindings {
        pipeline::analyze(pages, &self.analyzer)
    }

    /// Findings to masks, each in `state`, stamped with this engine's description.
    pub fn plan(
        &self,
        pages: &[PageText],
        findings: &DocumentFindings,
        state: MaskState,
    ) -> RedactionPlan {
        let mut plan =
            RedactionPlan::from_findings(pages, findings, self.config.output.padding_pt, state);
        plan.engine = self.description();
        for m in plan.pages.iter_mut().flat_map(|p| p.masks.iter_mut()) {
            if m.provision.is_none() {
                m.provision = self.provisions.get(&m.category).cloned();
            }
        }
        plan
    }

    /// The rectangles a mask over `span` of `layer` burns (padding included): what
    /// [`Engine::plan`] puts in a plan, `tusch detect --json` prints and the app adds.
    pub fn mask_rects(
        &self,
        layer: &TextLayer,
        span: &std::ops::Range<usize>,
        category: Category,
    ) -> Vec<Rect> {
        tusch_core::plan::mask_rects(layer, span, category, self.config.output.padding_pt)
    }

    /// Renders every page, burns the plan's accepted masks, writes the image-only PDF to a
    /// temporary file beside `out`, verifies it and only then renames it to `out`.
    ///
    /// `pages` are the text layers the plan was made from: in the `searchable` profile the
    /// strings under the masks are taken from them, held in memory while the verifier
    /// proves that the OCR text layer holds none of them.
    pub fn apply(
        &self,
        doc: &Document,
        plan: &RedactionPlan,
        pages: &[PageText],
        input: &Path,
        out: &Path,
        progress: &dyn Progress,
    ) -> Result<Applied, EngineError> {
        let release = self.release(plan, pages)?;
        pipeline::apply_plan(
            doc,
            plan,
            input,
            out,
            &self.config.output,
            &release,
            progress,
        )
    }

    /// What the output profile needs besides the plan: for `searchable`, the OCR engine
    /// (the masked raster is read) and the masked strings of `pages`.
    pub fn release(
        &self,
        plan: &RedactionPlan,
        pages: &[PageText],
    ) -> Result<pipeline::Release<'_>, EngineError> {
        Ok(match self.config.output.profile {
            tusch_core::OutputProfile::Image => pipeline::Release::default(),
            tusch_core::OutputProfile::Searchable => pipeline::Release {
                ocr: Some(self.ocr.get()?),
                masked: plan.masked_strings(pages),
            },
        })
    }

    /// The page as the registrar reviews it: the very raster [`Engine::apply`] releases —
    /// same resolution, same encoding (JPEG for scans), decoded — with `plan`'s accepted
    /// masks burned in when given, or without masks (the app draws them over it).
    pub fn preview(
        &self,
        doc: &Document,
        index: usize,
        plan: Option<&tusch_core::PagePlan>,
    ) -> Result<GrayImage, EngineError> {
        raster::preview(doc, index, plan, &self.config.output)
    }

    /// The resolution page `index` is released (and previewed) at.
    pub fn output_dpi(&self, doc: &Document, index: usize) -> u32 {
        raster::output_dpi(doc, index, &self.config.output)
    }

    /// Open, read, detect and plan: everything up to review. Masks are `state` (batch
    /// accepts all; the app proposes).
    pub fn plan_file(
        &self,
        input: &Path,
        state: MaskState,
        progress: &dyn Progress,
    ) -> Result<Planned, EngineError> {
        let mut doc = self.open(input)?;
        let pages = self.read(&mut doc, progress)?;
        let findings = self.detect(&pages);
        let plan = self.plan(&pages, &findings, state);
        Ok(Planned {
            doc,
            pages,
            findings,
            plan,
        })
    }

    /// The whole redaction of one file with every finding accepted: what `tusch redact`
    /// and each document of `tusch batch` do.
    pub fn redact_file(
        &self,
        input: &Path,
        out: &Path,
        progress: &dyn Progress,
    ) -> Result<Redacted, EngineError> {
        let Planned {
            doc,
            pages,
            findings,
            plan,
        } = self.plan_file(input, MaskState::Accepted, progress)?;
        // What the output profile needs of the text (the masked strings, for `searchable`)
        // is taken now; the text layers themselves are freed before the pages are rendered
        // and verified, so a long document's text is not held twice.
        let release = self.release(&plan, &pages)?;
        drop((pages, findings));
        let applied = pipeline::apply_plan(
            &doc,
            &plan,
            input,
            out,
            &self.config.output,
            &release,
            progress,
        )?;
        Ok(Redacted { doc, plan, applied })
    }
}

/// The OCR engine given to [`Engine::new`], or Tesseract started on first use — once per
/// engine, so a batch of a thousand documents checks for Tesseract once.
pub struct LazyOcr {
    given: Option<Box<dyn OcrEngine>>,
    languages: String,
    started: OnceLock<Option<Tesseract>>,
}

impl LazyOcr {
    /// The engine, starting Tesseract if this is the first call.
    pub fn get(&self) -> Result<&dyn OcrEngine, EngineError> {
        if let Some(e) = &self.given {
            return Ok(e.as_ref());
        }
        match self
            .started
            .get_or_init(|| Tesseract::new(&self.languages).ok())
        {
            Some(t) => Ok(t),
            // Asked again for the error itself (OcrError is not Clone): a cheap failure.
            None => Err(EngineError::OcrUnavailable(
                Tesseract::new(&self.languages)
                    .err()
                    .unwrap_or(tusch_ocr::OcrError::Failed {
                        code: None,
                        detail: "Tesseract startade inte första gången".into(),
                    }),
            )),
        }
    }
}

impl std::fmt::Debug for LazyOcr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyOcr")
            .field("given", &self.given.as_ref().map(|e| e.describe()))
            .field("languages", &self.languages)
            .finish()
    }
}

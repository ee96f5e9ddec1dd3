//! `tusch batch-worker` (hidden): one of the processes `tusch batch` redacts in, so one
//! pathological document can be given a time and a memory limit, and killed, without
//! taking the batch down.
//!
//! The parent starts `jobs` workers, each `tusch batch-worker --memory-limit MB --threads T`
//! in a process group of its own. Over stdin and stdout, one JSON object per line:
//!
//! ```text
//! parent → worker   {"config": {…}}                      once: the effective configuration
//! worker → parent   {"ready": "<engine description>"}   the engine is built (model loaded)
//! parent → worker   {"input": …, "output": …, "report": …}      one document
//! worker → parent   {"steps": n} / {"step": 1}         progress in page steps
//! worker → parent   {"status": "done" | "skipped" | "failed", …}  its result
//! ```
//!
//! A worker redacts with the same [`Engine::redact_file`] as `tusch redact`; it writes the
//! output and its report, but never the audit log: it sends what the record needs
//! ([`Released`]) and the parent appends it, so one process owns the log. End of input
//! ends the worker.
//!
//! Re-runs: a document whose output and report are there, whose report names the same
//! input sha256, configuration and engine, and whose output still verifies against the
//! report's plan is answered `skipped` without being redone.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::{Deserialize, Serialize};
use tusch_core::{Category, Config};
use tusch_engine::Engine;

use crate::audit::Released;
use crate::report::{config_sha256, Report};

/// The first line a worker reads.
#[derive(Debug, Serialize, Deserialize)]
pub struct Setup {
    pub config: Config,
}

/// The worker's answer once its engine is built.
#[derive(Debug, Serialize, Deserialize)]
pub struct Ready {
    pub ready: String,
}

/// One document to redact.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub input: PathBuf,
    pub output: PathBuf,
    pub report: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Done,
    Skipped,
    Failed,
}

/// What happened to one document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocResult {
    pub status: Status,
    /// Why it failed, in Swedish (never document text).
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub pages: usize,
    #[serde(default)]
    pub ocr_pages: Vec<usize>,
    /// Pages OCR found hard to read (issue 12).
    #[serde(default)]
    pub poor_pages: Vec<usize>,
    /// Text pages with ink their text layer does not explain, read with OCR: (page,
    /// regions).
    #[serde(default)]
    pub ocr_regions: Vec<(usize, usize)>,
    #[serde(default)]
    pub masks: BTreeMap<Category, usize>,
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Masks over protected identities ("skyddad identitet"), and masks the learned list
    /// suggested ("inlärd").
    #[serde(default)]
    pub protected: usize,
    #[serde(default)]
    pub learned: usize,
    /// For the audit record (done documents only).
    #[serde(default)]
    pub released: Option<Released>,
}

impl DocResult {
    pub fn failed(reason: impl Into<String>) -> Self {
        Self {
            status: Status::Failed,
            reason: Some(reason.into()),
            pages: 0,
            ocr_pages: Vec::new(),
            poor_pages: Vec::new(),
            ocr_regions: Vec::new(),
            masks: BTreeMap::new(),
            warnings: Vec::new(),
            protected: 0,
            learned: 0,
            released: None,
        }
    }

    fn from_report(status: Status, report: &Report, released: Option<Released>) -> Self {
        Self {
            status,
            reason: None,
            pages: report.pages,
            ocr_pages: report
                .page_sources
                .iter()
                .filter(|p| p.ocr)
                .map(|p| p.page)
                .collect(),
            poor_pages: report
                .page_sources
                .iter()
                .filter(|p| p.poor_quality)
                .map(|p| p.page)
                .collect(),
            ocr_regions: report
                .page_sources
                .iter()
                .filter(|p| p.ocr_regions > 0)
                .map(|p| (p.page, p.ocr_regions))
                .collect(),
            masks: report.masks_by_category.clone(),
            protected: report.protected_masks,
            learned: report.learned_masks,
            warnings: if status == Status::Done {
                report.warnings()
            } else {
                Vec::new()
            },
            released,
        }
    }
}

/// Limits this process's address space (RLIMIT_AS) to `mb` MiB: an allocation beyond it
/// fails and the process aborts, which the parent reports as that document's failure.
fn limit_memory(mb: u64) -> anyhow::Result<()> {
    if mb == 0 {
        return Ok(());
    }
    let bytes = mb.saturating_mul(1024 * 1024);
    rustix::process::setrlimit(
        rustix::process::Resource::As,
        rustix::process::Rlimit {
            current: Some(bytes),
            maximum: Some(bytes),
        },
    )?;
    Ok(())
}

/// The worker's main loop.
pub fn run(memory_limit_mb: u64, threads: usize) -> anyhow::Result<ExitCode> {
    limit_memory(memory_limit_mb)?;
    // Pages render in parallel on rayon; the parent shares the cores among its workers.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build_global();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let Some(first) = lines.next() else {
        return Ok(ExitCode::SUCCESS);
    };
    let setup: Setup = serde_json::from_str(&first?)?;
    let config_sha = config_sha256(&setup.config);
    let mut config = setup.config;
    // The model's threads share the worker's part of the cores, as the pages do (`jobs`
    // workers each running one thread per core would oversubscribe the machine). How many
    // threads run changes no output, so the configuration's hash is taken before.
    if config.ner.threads == 0 {
        config.ner.threads = threads.clamp(1, 64);
    }
    let engine = Engine::from_config(config)?;
    send(&Ready {
        ready: engine.description(),
    })?;
    for line in lines {
        let job: Job = serde_json::from_str(&line?)?;
        let result = process(&job, &engine, &config_sha);
        send(&result)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes one line to the parent. Stdout is locked per line (progress comes from the
/// page threads), and a line is written whole.
fn send(value: &impl Serialize) -> anyhow::Result<()> {
    let mut line = serde_json::to_vec(value)?;
    line.push(b'\n');
    let mut out = std::io::stdout().lock();
    out.write_all(&line)?;
    out.flush()?;
    Ok(())
}

/// Progress lines for the parent's bar, in page steps as `tusch batch` always counted:
/// rendering and writing a page is one, reading a page with OCR another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// More steps to come (a document was opened).
    Steps(u64),
    /// Steps done.
    Step(u64),
}

struct LineProgress;

impl tusch_engine::Progress for LineProgress {
    fn page_done(&self) {
        let _ = send(&Step::Step(1));
    }
    fn document_opened(&self, pages: usize, ocr_pages: usize) {
        let _ = send(&Step::Steps((pages + ocr_pages) as u64));
    }
    fn page_recognized(&self) {
        let _ = send(&Step::Step(1));
    }
}

/// Redacts one document, or finds it already done.
fn process(job: &Job, engine: &Engine, config_sha: &str) -> DocResult {
    let result = (|| -> anyhow::Result<DocResult> {
        let input_sha = tusch_audit::sha256_file(&job.input)?;
        if let Some(report) = already_done(job, &input_sha, config_sha, engine) {
            return Ok(DocResult::from_report(Status::Skipped, &report, None));
        }
        if let Some(dir) = job.output.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let done = engine.redact_file(&job.input, &job.output, &LineProgress)?;
        let report = Report::new(
            &job.input,
            &job.output,
            &engine.config().output,
            &done.doc,
            done.plan,
            &done.applied.verification,
        )
        .with_provenance(&input_sha, config_sha);
        report.write(&job.report)?;
        let released = Released::new(input_sha, &job.output, &report, engine)?;
        Ok(DocResult::from_report(
            Status::Done,
            &report,
            Some(released),
        ))
    })();
    result.unwrap_or_else(|e| DocResult::failed(crate::chain(&*e)))
}

/// The report of an earlier run that made exactly this output: same input, configuration
/// and engine, and the output still verifies against its plan (all masks black, no text).
fn already_done(job: &Job, input_sha: &str, config_sha: &str, engine: &Engine) -> Option<Report> {
    if !job.output.is_file() {
        return None;
    }
    let report = Report::read(&job.report).ok()?;
    let same = report.input_sha256 == input_sha
        && report.config_sha256 == config_sha
        && report.engine == engine.description()
        && report.plan.engine == engine.description();
    if !same {
        return None;
    }
    // A searchable output's text layer cannot be checked without its OCR text (held only
    // while it is written): such an output is never taken as done, it is made again.
    if engine.config().output.profile != tusch_core::OutputProfile::Image {
        return None;
    }
    let expect = tusch_engine::expectations(&report.plan, report.provision_labels);
    tusch_engine::verify_file(&job.output, &expect).ok()?;
    Some(report)
}

/// The report's path beside an output: `<output>.json`.
pub fn report_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".json");
    PathBuf::from(name)
}

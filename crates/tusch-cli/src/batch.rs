//! `tusch batch`: every PDF and image under a folder (or one shard of it), each redacted in
//! a worker process with a time and a memory limit, one failure never stopping the rest.
//!
//! ```text
//! walk the folder → keep this --shard's files → remove stale .part files in the output
//!   → start `jobs` workers (worker.rs), each loading the engine once
//!   → hand out one document at a time; a worker answers done / skipped / failed
//!   → done: append its audit record (this process alone writes the log)
//!   → over the time limit, or crashed (memory limit, OOM killer): the worker's process
//!     group is killed, its .part files removed, the document failed, a new worker started
//!   → SIGINT / SIGTERM: workers killed, their .part files removed, exit 130 / 143
//!   → summary: Swedish text, or JSON with --json
//! ```

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{BufRead, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ExitCode, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tusch_core::{Category, Config};
use tusch_engine::InputKind;

use crate::audit::Trail;
use crate::shard::Shard;
use crate::worker::{report_path, DocResult, Job, Ready, Setup, Status, Step};
use crate::{signals, tempfiles};

/// How `tusch batch` runs, from its options.
#[derive(Debug, Clone)]
pub struct Options {
    /// Worker processes (documents at a time); `None`: one per core.
    pub jobs: Option<usize>,
    pub shard: Option<Shard>,
    /// Seconds one document may take; 0: no limit.
    pub time_limit: u64,
    /// MiB of address space a worker may use; 0: no limit.
    pub memory_limit: u64,
    pub json: bool,
}
/// Lists PDFs and images (by extension, any case) and other files under `dir`, skipping
/// `exclude`.
fn walk(dir: &Path, exclude: &Path, pdfs: &mut Vec<PathBuf>, other: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        other.push(dir.to_owned());
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if same_path(&p, exclude) {
            continue;
        }
        if p.is_dir() {
            walk(&p, exclude, pdfs, other);
        } else if InputKind::supported_extension(&p) {
            pdfs.push(p);
        } else {
            other.push(p);
        }
    }
}

/// The output's path relative to the output folder: a PDF keeps its name, an image gets
/// `.pdf` instead of its extension (`skanning.jpg` → `skanning.pdf`) unless another input
/// would then have the same output, in which case `.pdf` is appended (`skanning.jpg.pdf`).
fn output_name(rel: &Path, inputs: &[PathBuf], input_dir: &Path) -> PathBuf {
    let is_pdf = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if is_pdf(rel) {
        return rel.to_owned();
    }
    let replaced = rel.with_extension("pdf");
    let clash = inputs.iter().any(|other| {
        let o = other.strip_prefix(input_dir).unwrap_or(other);
        o != rel && (o == replaced || (!is_pdf(o) && o.with_extension("pdf") == replaced))
    });
    if clash {
        let mut s = rel.as_os_str().to_owned();
        s.push(".pdf");
        PathBuf::from(s)
    } else {
        replaced
    }
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// One document of the run.
struct Doc {
    input: PathBuf,
    /// Relative to the input folder.
    rel: PathBuf,
    output: PathBuf,
}

pub fn run(
    input_dir: &Path,
    out_dir: &Path,
    config: Config,
    opts: &Options,
) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(input_dir.is_dir(), "{} är ingen mapp", input_dir.display());
    anyhow::ensure!(
        !same_path(input_dir, out_dir),
        "utdatamappen får inte vara samma som indatamappen (originalen skulle skrivas över)"
    );
    std::fs::create_dir_all(out_dir)?;
    let started = Instant::now();
    // Leftovers of a run that was killed outright. A file another machine may still be
    // writing (a shared folder) is older than any document may take before it counts.
    let foreign_age = if opts.time_limit == 0 {
        Duration::from_secs(24 * 3600)
    } else {
        Duration::from_secs(opts.time_limit + 120)
    };
    let stale = tempfiles::remove_stale(out_dir, true, foreign_age);
    if stale > 0 {
        eprintln!(
            "tusch: tog bort {stale} kvarlämnad(e) temporär(a) fil(er) (.part) från en avbruten körning"
        );
    }

    let (mut inputs, mut other) = (Vec::new(), Vec::new());
    walk(input_dir, out_dir, &mut inputs, &mut other);
    let rel = |p: &Path| p.strip_prefix(input_dir).unwrap_or(p).to_owned();
    let in_shard = |p: &Path| opts.shard.is_none_or(|s| s.contains(&rel(p)));
    // Output names are decided over the whole folder, so every shard names alike.
    let docs: Vec<Doc> = inputs
        .iter()
        .filter(|p| in_shard(p))
        .map(|p| Doc {
            input: p.clone(),
            rel: rel(p),
            output: out_dir.join(output_name(&rel(p), &inputs, input_dir)),
        })
        .collect();
    other.retain(|p| in_shard(p));

    let trail = Trail::open(&config.audit)?;
    let (tx, rx) = mpsc::channel();
    {
        let tx = tx.clone();
        signals::watch(move |sig| {
            let _ = tx.send(Event::Signal(sig));
        })?;
    }
    let jobs = opts
        .jobs
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        })
        .max(1);
    // Page steps, as before worker processes: rendering and writing a page is one, reading
    // a page with OCR another (the slow one), so the bar moves with OCR.
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} sidsteg (OCR räknas som ett extra steg), {msg} [{elapsed_precise}]",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut pool = Pool {
        setup: serde_json::to_string(&Setup { config })?,
        exe: std::env::current_exe().context("kunde inte hitta tusch-programmet")?,
        memory_limit: opts.memory_limit,
        threads: {
            let cores = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2);
            cores.div_ceil(jobs).max(1)
        },
        tx,
        next_serial: 0,
        workers: HashMap::new(),
        out_dir: out_dir.to_owned(),
    };
    let results = match pool.run(&docs, jobs, opts, &trail, &rx, &bar) {
        Ok(r) => r,
        Err(Stop::Signal(sig)) => {
            bar.finish_and_clear();
            pool.kill_all();
            eprintln!(
                "tusch: avbruten ({}); arbetsprocesserna stoppade och temporära filer borttagna",
                signals::name(sig)
            );
            return Ok(ExitCode::from(signals::exit_code(sig)));
        }
        Err(Stop::Error(e)) => {
            bar.finish_and_clear();
            pool.kill_all();
            return Err(e);
        }
    };
    bar.finish_and_clear();
    pool.close();
    // The decision summary for the folder (issue 15), beside the outputs: made again only
    // when this run released something, so a re-run that skips everything changes nothing.
    if results.iter().any(|r| r.status == Status::Done) || !out_dir.join("underlag.pdf").exists() {
        crate::summary_pdf::write_for_folder(out_dir);
    }

    let summary = Summary::new(
        input_dir, out_dir, opts.shard, &docs, &results, &other, started,
    );
    if opts.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        print_text(input_dir, out_dir, &summary, &docs, &results, &other);
    }
    Ok(if summary.totals.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What the reader threads and the signal thread tell the main loop.
enum Event {
    /// A line from worker `serial`'s stdout.
    Line(u64, String),
    /// Worker `serial`'s stdout closed: it exited.
    Closed(u64),
    Signal(i32),
}

/// Why the run stopped early.
enum Stop {
    Signal(i32),
    Error(anyhow::Error),
}

struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    ready: bool,
    /// The document it works on, and since when.
    job: Option<(usize, Instant)>,
}

struct Pool {
    setup: String,
    exe: PathBuf,
    memory_limit: u64,
    threads: usize,
    tx: Sender<Event>,
    next_serial: u64,
    workers: HashMap<u64, Worker>,
    out_dir: PathBuf,
}

impl Pool {
    /// Starts one worker in a process group of its own (so a kill reaches the Tesseract
    /// processes it started, and Ctrl-C in a terminal reaches only the parent, which stops
    /// the workers itself).
    fn spawn(&mut self) -> anyhow::Result<()> {
        let mut child = std::process::Command::new(&self.exe)
            .arg("batch-worker")
            .arg("--memory-limit")
            .arg(self.memory_limit.to_string())
            .arg("--threads")
            .arg(self.threads.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0)
            // The memory limit bounds address space, which glibc's per-thread malloc arenas
            // (64 MiB reserved each) inflate without using; a few arenas suffice.
            .env(
                "MALLOC_ARENA_MAX",
                std::env::var_os("MALLOC_ARENA_MAX").unwrap_or_else(|| "4".into()),
            )
            .spawn()
            .context("kunde inte starta en arbetsprocess")?;
        let serial = self.next_serial;
        self.next_serial += 1;
        let mut stdin = child.stdin.take();
        if let Some(s) = stdin.as_mut() {
            // A worker that died at once shows as Closed below.
            let _ = writeln!(s, "{}", self.setup).and_then(|()| s.flush());
        }
        if let Some(stdout) = child.stdout.take() {
            let tx = self.tx.clone();
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(Event::Line(serial, line)).is_err() {
                        return;
                    }
                }
                let _ = tx.send(Event::Closed(serial));
            });
        }
        self.workers.insert(
            serial,
            Worker {
                child,
                stdin,
                ready: false,
                job: None,
            },
        );
        Ok(())
    }

    /// Kills worker `serial`'s process group, reaps it and removes its temporary files.
    /// Returns the document it was working on and how it ended.
    fn kill(&mut self, serial: u64) -> Option<(Option<usize>, std::process::ExitStatus)> {
        let mut w = self.workers.remove(&serial)?;
        let pid = w.child.id();
        if let Some(p) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process_group(p, rustix::process::Signal::KILL);
        }
        let _ = w.child.kill();
        let status = w.child.wait().ok()?;
        tempfiles::remove_of_process(&self.out_dir, pid, true);
        Some((w.job.map(|(i, _)| i), status))
    }

    fn kill_all(&mut self) {
        let serials: Vec<u64> = self.workers.keys().copied().collect();
        for s in serials {
            self.kill(s);
        }
        tempfiles::remove_of_process(&self.out_dir, std::process::id(), true);
    }

    /// Ends every worker: end of input, then wait.
    fn close(&mut self) {
        for (_, mut w) in self.workers.drain() {
            drop(w.stdin.take());
            let _ = w.child.wait();
        }
    }

    /// Runs every document. On a signal or an error every worker is killed first, and the
    /// documents they were on are abandoned.
    fn run(
        &mut self,
        docs: &[Doc],
        jobs: usize,
        opts: &Options,
        trail: &Trail,
        rx: &Receiver<Event>,
        bar: &ProgressBar,
    ) -> Result<Vec<DocResult>, Stop> {
        let result = self.run_all(docs, jobs, opts, trail, rx, bar);
        if result.is_err() {
            let serials: Vec<u64> = self.workers.keys().copied().collect();
            for serial in serials {
                if let Some((Some(i), _)) = self.kill(serial) {
                    abandon(&docs[i]);
                }
            }
        }
        result
    }

    fn run_all(
        &mut self,
        docs: &[Doc],
        jobs: usize,
        opts: &Options,
        trail: &Trail,
        rx: &Receiver<Event>,
        bar: &ProgressBar,
    ) -> Result<Vec<DocResult>, Stop> {
        let mut results: Vec<Option<DocResult>> = vec![None; docs.len()];
        let mut queue: VecDeque<usize> = (0..docs.len()).collect();
        let mut remaining = docs.len();
        for _ in 0..jobs.min(docs.len()) {
            self.spawn().map_err(Stop::Error)?;
        }
        let limit = Duration::from_secs(opts.time_limit);
        while remaining > 0 {
            // Hand out work to idle workers.
            for w in self.workers.values_mut() {
                if !w.ready || w.job.is_some() {
                    continue;
                }
                let Some(i) = queue.pop_front() else { break };
                let d = &docs[i];
                let job = Job {
                    input: d.input.clone(),
                    output: d.output.clone(),
                    report: report_path(&d.output),
                };
                let line = serde_json::to_string(&job).map_err(|e| Stop::Error(e.into()))?;
                if let Some(s) = w.stdin.as_mut() {
                    // A write to a dead worker fails; its Closed event fails the job.
                    let _ = writeln!(s, "{line}").and_then(|()| s.flush());
                }
                w.job = Some((i, Instant::now()));
            }
            let mut finished: Vec<(usize, DocResult)> = Vec::new();
            let mut replace = 0;
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(Event::Signal(sig)) => return Err(Stop::Signal(sig)),
                Ok(Event::Line(serial, line)) => {
                    let Some(w) = self.workers.get_mut(&serial) else {
                        continue;
                    };
                    if !w.ready {
                        if serde_json::from_str::<Ready>(&line).is_ok() {
                            w.ready = true;
                        }
                    } else if let Ok(step) = serde_json::from_str::<Step>(&line) {
                        match step {
                            Step::Steps(n) => bar.inc_length(n),
                            Step::Step(n) => bar.inc(n),
                        }
                    } else if let Some((i, _)) = w.job.take() {
                        let r = serde_json::from_str::<DocResult>(&line).unwrap_or_else(|_| {
                            DocResult::failed("arbetsprocessen svarade obegripligt")
                        });
                        finished.push((i, r));
                    }
                }
                Ok(Event::Closed(serial)) => {
                    let was_ready = self.workers.get(&serial).map(|w| w.ready);
                    if let Some((job, status)) = self.kill(serial) {
                        if was_ready == Some(false) {
                            return Err(Stop::Error(anyhow::anyhow!(
                                "en arbetsprocess avslutades innan den var redo ({}); se felet \
                                 ovan (är --memory-limit för lågt?)",
                                describe_exit(status, opts.memory_limit)
                            )));
                        }
                        if let Some(i) = job {
                            abandon(&docs[i]);
                            finished.push((
                                i,
                                DocResult::failed(describe_exit(status, opts.memory_limit)),
                            ));
                        }
                        replace += 1;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Stop::Error(anyhow::anyhow!("arbetsprocesserna försvann")))
                }
            }
            // Documents over the time limit: their worker is killed and replaced.
            if opts.time_limit > 0 {
                let late: Vec<u64> = self
                    .workers
                    .iter()
                    .filter(|(_, w)| w.job.is_some_and(|(_, t)| t.elapsed() > limit))
                    .map(|(s, _)| *s)
                    .collect();
                for serial in late {
                    if let Some((Some(i), _)) = self.kill(serial) {
                        abandon(&docs[i]);
                        finished.push((
                            i,
                            DocResult::failed(format!(
                                "överskred tidsgränsen på {} s (--time-limit)",
                                opts.time_limit
                            )),
                        ));
                    }
                    replace += 1;
                }
            }
            for (i, mut r) in finished {
                if r.status == Status::Done {
                    r = record(trail, &docs[i], r);
                }
                results[i] = Some(r);
                remaining -= 1;
                bar.set_message(format!("{}/{} filer", docs.len() - remaining, docs.len()));
            }
            let busy = self.workers.len();
            let wanted = queue.len().min(jobs.saturating_sub(busy));
            for _ in 0..replace.min(wanted) {
                self.spawn().map_err(Stop::Error)?;
            }
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| DocResult::failed("inget resultat")))
            .collect())
    }
}

/// Removes the output and report of a document whose worker was killed or died while on
/// it. The worker may have finished the output a moment before (its answer not yet read):
/// an output without its audit record must not stay, or a re-run would skip it as done.
/// An output from an earlier run being checked for a skip goes too, and is redone next
/// time (with a record of its own).
fn abandon(doc: &Doc) {
    let _ = std::fs::remove_file(&doc.output);
    let _ = std::fs::remove_file(report_path(&doc.output));
}

/// Appends a done document's audit record. If that fails, the output and its report are
/// removed and the document fails: nothing is released that is not on record.
fn record(trail: &Trail, doc: &Doc, r: DocResult) -> DocResult {
    let Some(released) = &r.released else {
        return r;
    };
    match trail.record(tusch_audit::EventKind::Batch, &doc.input, released) {
        Ok(()) => r,
        Err(e) => {
            abandon(doc);
            DocResult::failed(format!(
                "{}; utdatafilen togs bort (inget lämnas ut utan post i loggen)",
                crate::chain(&*e)
            ))
        }
    }
}

/// A worker's unexpected end, in Swedish.
fn describe_exit(status: std::process::ExitStatus, memory_limit: u64) -> String {
    match (status.signal(), status.code()) {
        (Some(9), _) => "arbetsprocessen dödades (SIGKILL), troligen av systemets minnesvakt \
                          (slut på minne)"
            .to_owned(),
        (Some(6), _) if memory_limit > 0 => format!(
            "arbetsprocessen avbröts (SIGABRT), troligen över minnesgränsen på {memory_limit} MB \
             (--memory-limit)"
        ),
        (Some(sig), _) => format!("arbetsprocessen kraschade (signal {sig})"),
        (None, Some(code)) => format!("arbetsprocessen avslutades oväntat (kod {code})"),
        (None, None) => "arbetsprocessen avslutades oväntat".to_owned(),
    }
}

/// The machine-readable summary (`--json`).
#[derive(Debug, Serialize)]
struct Summary {
    input_dir: PathBuf,
    output_dir: PathBuf,
    shard: Option<String>,
    seconds: f64,
    documents: Vec<DocSummary>,
    /// Files that are neither PDF nor image, not processed.
    other_files: Vec<PathBuf>,
    totals: Totals,
}

#[derive(Debug, Serialize)]
struct DocSummary {
    /// Relative to the input folder.
    input: PathBuf,
    /// Relative to the output folder.
    output: PathBuf,
    status: Status,
    reason: Option<String>,
    pages: usize,
    ocr_pages: Vec<usize>,
    masks: BTreeMap<Category, usize>,
    warnings: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
struct Totals {
    documents: usize,
    done: usize,
    skipped: usize,
    failed: usize,
    other_files: usize,
    /// Pages of done and skipped documents.
    pages: usize,
    /// Pages of the documents done in this run (what the speed is measured on).
    pages_done: usize,
    ocr_pages: usize,
    masks: BTreeMap<Category, usize>,
    /// Masks over protected identities, and masks the learned list suggested.
    protected: usize,
    learned: usize,
}

impl Summary {
    fn new(
        input_dir: &Path,
        out_dir: &Path,
        shard: Option<Shard>,
        docs: &[Doc],
        results: &[DocResult],
        other: &[PathBuf],
        started: Instant,
    ) -> Self {
        let mut totals = Totals {
            documents: docs.len(),
            other_files: other.len(),
            ..Totals::default()
        };
        let documents = docs
            .iter()
            .zip(results)
            .map(|(d, r)| {
                match r.status {
                    Status::Done => totals.done += 1,
                    Status::Skipped => totals.skipped += 1,
                    Status::Failed => totals.failed += 1,
                }
                totals.pages += r.pages;
                if r.status == Status::Done {
                    totals.pages_done += r.pages;
                }
                totals.ocr_pages += r.ocr_pages.len();
                totals.protected += r.protected;
                totals.learned += r.learned;
                for (c, n) in &r.masks {
                    *totals.masks.entry(*c).or_default() += n;
                }
                DocSummary {
                    input: d.rel.clone(),
                    output: d
                        .output
                        .strip_prefix(out_dir)
                        .unwrap_or(&d.output)
                        .to_owned(),
                    status: r.status,
                    reason: r.reason.clone(),
                    pages: r.pages,
                    ocr_pages: r.ocr_pages.clone(),
                    masks: r.masks.clone(),
                    warnings: r.warnings.clone(),
                }
            })
            .collect();
        Self {
            input_dir: input_dir.to_owned(),
            output_dir: out_dir.to_owned(),
            shard: shard.map(|s| s.to_string()),
            seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
            documents,
            other_files: other
                .iter()
                .map(|p| p.strip_prefix(input_dir).unwrap_or(p).to_owned())
                .collect(),
            totals,
        }
    }
}

fn print_text(
    input_dir: &Path,
    out_dir: &Path,
    summary: &Summary,
    docs: &[Doc],
    results: &[DocResult],
    other: &[PathBuf],
) {
    let t = &summary.totals;
    let mut poor_total = 0;
    let mut ocr_lines = Vec::new();
    let mut warning_lines = Vec::new();
    let mut failed = Vec::new();
    for (d, r) in docs.iter().zip(results) {
        let rel = d.rel.display();
        if r.status == Status::Failed {
            failed.push((rel, r.reason.clone().unwrap_or_default()));
            continue;
        }
        poor_total += r.poor_pages.len();
        if !r.ocr_regions.is_empty() {
            let list: Vec<String> = r
                .ocr_regions
                .iter()
                .map(|(page, n)| {
                    format!("sida {page} ({n} område{})", if *n == 1 { "" } else { "n" })
                })
                .collect();
            ocr_lines.push(format!(
                "  OCR av bilder, stämplar, fält m.m. utan textlager: {rel}: {}",
                list.join(", ")
            ));
        }
        if !r.ocr_pages.is_empty() {
            let list: Vec<String> = r.ocr_pages.iter().map(|n| n.to_string()).collect();
            ocr_lines.push(format!(
                "  OCR: {rel}: sida {} av {}",
                list.join(", "),
                r.pages
            ));
        }
        warning_lines.extend(r.warnings.iter().map(|w| format!("  VARNING: {w}")));
    }
    match summary.shard.as_deref() {
        Some(s) => println!(
            "Tusch batch: {} → {} (del {s})",
            input_dir.display(),
            out_dir.display()
        ),
        None => println!(
            "Tusch batch: {} → {}",
            input_dir.display(),
            out_dir.display()
        ),
    }
    println!(
        "  {} filer (PDF och bilder): {} klara, {} misslyckade, {} redan klara sedan tidigare \
         (hoppades över); {} andra filer hoppades över",
        t.documents, t.done, t.failed, t.skipped, t.other_files
    );
    let elapsed = summary.seconds.max(1e-9);
    println!(
        "  {} sidor maskerade på {:.1} s ({:.1} sidor/s){}, varav {} lästa med OCR{}",
        t.pages_done,
        summary.seconds,
        t.pages_done as f64 / elapsed,
        if t.pages > t.pages_done {
            format!(" och {} sidor klara sedan tidigare", t.pages - t.pages_done)
        } else {
            String::new()
        },
        t.ocr_pages,
        if poor_total > 0 {
            format!(" ({poor_total} svårlästa – granska dem manuellt, se VARNING nedan)")
        } else {
            String::new()
        }
    );
    for l in ocr_lines.iter().chain(&warning_lines) {
        println!("{l}");
    }
    let total: usize = t.masks.values().sum();
    println!("  {total} maskeringar:");
    for (c, n) in &t.masks {
        println!("    {:<24} {n}", c.label_sv());
    }
    if t.protected > 0 {
        println!(
            "  SKYDDAD IDENTITET: {} maskeringar (se VARNING ovan för vilka filer)",
            t.protected
        );
    }
    if t.learned > 0 {
        println!(
            "  {} maskeringar föreslagna av den inlärda listan (inlärd)",
            t.learned
        );
    }
    for p in other {
        let rel = p.strip_prefix(input_dir).unwrap_or(p);
        println!("  överhoppad (inte PDF eller bild): {}", rel.display());
    }
    for (rel, why) in &failed {
        println!("  MISSLYCKADES: {rel}: {why}");
    }
}

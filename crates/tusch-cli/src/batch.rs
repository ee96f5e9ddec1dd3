//! `tusch batch`: every PDF and image under a folder, in parallel, one failure never
//! stopping the rest. Progress counts steps per page: rendering and writing each page is
//! one, reading a page with OCR another (the slow one), so the bar moves with OCR.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use tusch_core::Category;
use tusch_engine::{Engine, InputKind, Progress};

use crate::report::Report;

struct Bar(ProgressBar);

impl Progress for Bar {
    fn page_done(&self) {
        self.0.inc(1);
    }
    fn document_opened(&self, pages: usize, ocr_pages: usize) {
        self.0.inc_length((pages + ocr_pages) as u64);
    }
    fn page_recognized(&self) {
        self.0.inc(1);
    }
}

/// What happened to one input file.
enum Outcome {
    Done {
        pages: usize,
        ocr_pages: Vec<usize>,
        /// Pages OCR found hard to read (issue 12).
        poor_pages: Vec<usize>,
        /// Text pages with ink their text layer does not explain, read with OCR: (page,
        /// regions).
        ocr_regions: Vec<(usize, usize)>,
        masks: BTreeMap<Category, usize>,
        warnings: Vec<String>,
    },
    Failed(String),
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

pub fn run(
    input_dir: &Path,
    out_dir: &Path,
    jobs: Option<usize>,
    engine: &Engine,
) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(input_dir.is_dir(), "{} är ingen mapp", input_dir.display());
    anyhow::ensure!(
        !same_path(input_dir, out_dir),
        "utdatamappen får inte vara samma som indatamappen (originalen skulle skrivas över)"
    );
    std::fs::create_dir_all(out_dir)?;
    let started = Instant::now();
    let (mut pdfs, mut skipped) = (Vec::new(), Vec::new());
    walk(input_dir, out_dir, &mut pdfs, &mut skipped);

    let jobs = jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()?;
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} sidsteg (OCR räknas som ett extra steg), {msg} [{elapsed_precise}]",
        )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let files_done = Mutex::new(0usize);
    let total_files = pdfs.len();
    let progress = Bar(bar.clone());

    let outcomes: Vec<(PathBuf, Outcome)> = pool.install(|| {
        pdfs.par_iter()
            .map(|input| {
                let rel = input.strip_prefix(input_dir).unwrap_or(input);
                let output = out_dir.join(output_name(rel, &pdfs, input_dir));
                let outcome = redact_one(input, &output, engine, &progress);
                if let Ok(mut n) = files_done.lock() {
                    *n += 1;
                    bar.set_message(format!("{}/{} filer", *n, total_files));
                }
                (rel.to_owned(), outcome)
            })
            .collect()
    });
    bar.finish_and_clear();
    crate::summary_pdf::write_for_folder(out_dir);

    let elapsed = started.elapsed().as_secs_f64();
    let mut pages = 0;
    let mut ocr_total = 0;
    let mut poor_total = 0;
    let mut masks: BTreeMap<Category, usize> = BTreeMap::new();
    let mut failed = Vec::new();
    let mut ocr_lines = Vec::new();
    let mut warning_lines = Vec::new();
    for (rel, o) in &outcomes {
        match o {
            Outcome::Done {
                pages: p,
                ocr_pages,
                poor_pages,
                ocr_regions,
                masks: m,
                warnings,
            } => {
                poor_total += poor_pages.len();
                if !ocr_regions.is_empty() {
                    let list: Vec<String> = ocr_regions
                        .iter()
                        .map(|(page, n)| {
                            format!("sida {page} ({n} område{})", if *n == 1 { "" } else { "n" })
                        })
                        .collect();
                    ocr_lines.push(format!(
                        "  OCR av bilder, stämplar, fält m.m. utan textlager: {}: {}",
                        rel.display(),
                        list.join(", ")
                    ));
                }
                pages += p;
                ocr_total += ocr_pages.len();
                if !ocr_pages.is_empty() {
                    let list: Vec<String> = ocr_pages.iter().map(|n| n.to_string()).collect();
                    ocr_lines.push(format!(
                        "  OCR: {}: sida {} av {p}",
                        rel.display(),
                        list.join(", ")
                    ));
                }
                warning_lines.extend(warnings.iter().map(|w| format!("  VARNING: {w}")));
                for (c, n) in m {
                    *masks.entry(*c).or_insert(0) += n;
                }
            }
            Outcome::Failed(why) => failed.push((rel, why)),
        }
    }
    println!(
        "Tusch batch: {} → {}",
        input_dir.display(),
        out_dir.display()
    );
    println!(
        "  {} filer (PDF och bilder): {} klara, {} misslyckade; {} andra filer hoppades över",
        outcomes.len(),
        outcomes.len() - failed.len(),
        failed.len(),
        skipped.len()
    );
    println!(
        "  {} sidor på {:.1} s ({:.1} sidor/s), varav {} lästa med OCR{}",
        pages,
        elapsed,
        pages as f64 / elapsed.max(1e-9),
        ocr_total,
        if poor_total > 0 {
            format!(" ({poor_total} svårlästa – granska dem manuellt, se VARNING nedan)")
        } else {
            String::new()
        }
    );
    for l in &ocr_lines {
        println!("{l}");
    }
    for l in &warning_lines {
        println!("{l}");
    }
    let total: usize = masks.values().sum();
    println!("  {total} maskeringar:");
    for (c, n) in &masks {
        println!("    {:<24} {n}", c.label_sv());
    }
    for p in &skipped {
        let rel = p.strip_prefix(input_dir).unwrap_or(p);
        println!("  överhoppad (inte PDF eller bild): {}", rel.display());
    }
    for (rel, why) in &failed {
        println!("  MISSLYCKADES: {}: {why}", rel.display());
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn redact_one(input: &Path, output: &Path, engine: &Engine, progress: &Bar) -> Outcome {
    let result = (|| -> anyhow::Result<Outcome> {
        if let Some(dir) = output.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let done = engine.redact_file(input, output, progress)?;
        let applied = done.applied;
        let report = Report::new(
            input,
            output,
            &engine.config().output,
            &done.doc,
            done.plan,
            &applied.verification,
        );
        let mut name = output.as_os_str().to_owned();
        name.push(".json");
        report.write(Path::new(&name))?;
        Ok(Outcome::Done {
            pages: applied.pages,
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
            warnings: report.warnings(),
            masks: report.masks_by_category,
        })
    })();
    result.unwrap_or_else(|e| Outcome::Failed(crate::chain(&*e)))
}

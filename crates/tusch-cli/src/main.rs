//! `tusch`: redact PDFs from the command line. Thin glue over `tusch-engine`: every command
//! builds one [`Engine`] and calls its steps.
//!
//! Exit codes: 0 success, 1 a document (or, in batch, some documents) failed or did not
//! verify, 2 a usage or configuration error (nothing was attempted).
#![allow(clippy::print_stdout)]

mod audit;
mod batch;
mod detect_text;
mod report;
mod summary_pdf;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tusch_core::{Config, MaskState, OutputProfile};
use tusch_engine::{Engine, NoProgress};

use crate::report::Report;

/// Tusch maskerar personuppgifter i PDF-filer och skriver verifierade bild-PDF:er.
#[derive(Parser, Debug)]
#[command(name = "tusch", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Maskera en PDF eller en inskannad bild (PNG, JPEG, TIFF) och skriv en verifierad
    /// bild-PDF.
    Redact {
        /// PDF eller bild att maskera (lämnas orörd).
        input: PathBuf,
        /// Var den maskerade PDF:en skrivs.
        #[arg(short, long)]
        output: PathBuf,
        /// Upplösning för resultatet (ersätter konfigurationens värde).
        #[arg(long)]
        dpi: Option<u32>,
        /// Konfigurationsfil (TOML), se docs/configuration.md.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Skriv en JSON-rapport över maskeringarna (utan maskerad text).
        #[arg(long)]
        report: Option<PathBuf>,
        /// Kör utan namnmodellen (NER): namn hittas då bara av reglerna.
        #[arg(long)]
        no_ner: bool,
        /// Sökbar PDF: samma sidbilder plus ett osynligt textlager från OCR av de maskerade
        /// sidorna, taggar och språk (ersätter [output] profile).
        #[arg(long)]
        searchable: bool,
    },
    /// Maskera alla PDF:er och bilder (PNG, JPEG, TIFF) i en mapp (rekursivt) till en
    /// utdatamapp.
    Batch {
        input_dir: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
        /// Antal filer som behandlas samtidigt (standard: antal kärnor).
        #[arg(long)]
        jobs: Option<usize>,
        #[arg(long)]
        dpi: Option<u32>,
        #[arg(long)]
        config: Option<PathBuf>,
        /// Kör utan namnmodellen (NER): namn hittas då bara av reglerna.
        #[arg(long)]
        no_ner: bool,
        /// Sökbara PDF:er (se `tusch redact --searchable`).
        #[arg(long)]
        searchable: bool,
    },
    /// Visa vad som skulle maskeras, utan att skriva någon PDF.
    Detect {
        input: PathBuf,
        /// Skriv fynden som JSON.
        #[arg(long)]
        json: bool,
        /// Visa även den hittade texten (skriv inte ut den i loggar).
        #[arg(long)]
        show_text: bool,
        #[arg(long)]
        config: Option<PathBuf>,
        /// Kör utan namnmodellen (NER): namn hittas då bara av reglerna.
        #[arg(long)]
        no_ner: bool,
    },
    /// Hitta personuppgifter i text: läser UTF-8 från standard in, ett dokument per rad, och
    /// skriver för varje rad en rad med en JSON-lista över fynd
    /// {"start", "end", "label", "score"} (teckenpositioner i raden). Alla detektorer;
    /// namnmodellens PER, LOC och ORG visas även när de inte maskeras.
    DetectText {
        #[arg(long)]
        config: Option<PathBuf>,
        /// Kör utan namnmodellen (NER): namn hittas då bara av reglerna.
        #[arg(long)]
        no_ner: bool,
    },
    /// Kontrollera att en PDF bara består av bilder: ingen text, inga metadata, inga
    /// anteckningar. Med --report kontrolleras även att varje maskering är helt svart.
    Verify {
        input: PathBuf,
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Granskningsloggen: kontrollera kedjan eller exportera den för diariet.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tusch: fel: {}", chain(&*e));
            if e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// A usage or configuration error: exit code 2, nothing was attempted.
#[derive(Debug)]
pub(crate) struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn usage(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::Error::new(UsageError(e.to_string()))
}

/// An error and its causes on one line.
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let cs = c.to_string();
        if !s.contains(&cs) {
            s.push_str(": ");
            s.push_str(&cs);
        }
        cur = c.source();
    }
    s
}

/// The engine every command uses, built once: rules plus the NER model unless it is
/// switched off (`--no-ner` or `[ner] enabled = false`). A model that cannot be loaded is an
/// error.
pub(crate) fn engine(mut config: Config, no_ner: bool) -> anyhow::Result<Engine> {
    if no_ner {
        config.ner.enabled = false;
    }
    // Labels and the masks' alternate texts need a provision per mask: the catalogue's
    // defaults per category (the kommun's own catalogue when it has one).
    let provisions =
        if config.output.provision_labels || config.output.profile == OutputProfile::Searchable {
            let catalogue =
                tusch_review::Catalogue::load(tusch_review::catalogue::config_dir().as_deref())
                    .map_err(|e| usage(chain(&e)))?;
            catalogue.defaults
        } else {
            Default::default()
        };
    Ok(Engine::from_config(config)?.with_provisions(provisions))
}

/// `--searchable` over the configuration's `[output] profile`.
fn searchable(mut config: Config, on: bool) -> Config {
    if on {
        config.output.profile = OutputProfile::Searchable;
    }
    config
}

pub(crate) fn load_config(path: Option<&Path>, dpi: Option<u32>) -> anyhow::Result<Config> {
    let mut config = match path {
        Some(p) => Config::load(p).map_err(|e| usage(chain(&e)))?,
        None => Config::default(),
    };
    if let Some(d) = dpi {
        if !(36..=600).contains(&d) {
            return Err(usage("--dpi måste vara mellan 36 och 600"));
        }
        config.output.dpi = d;
    }
    Ok(config)
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Redact {
            input,
            output,
            dpi,
            config,
            report,
            no_ner,
            searchable: on,
        } => {
            let config = searchable(load_config(config.as_deref(), dpi)?, on);
            let started = Instant::now();
            let engine = engine(config, no_ner)?;
            let done = engine
                .redact_file(&input, &output, &NoProgress)
                .with_context(|| input.display().to_string())?;
            let (doc, plan, applied) = (done.doc, done.plan, done.applied);
            let rep = Report::new(
                &input,
                &output,
                &engine.config().output,
                &doc,
                plan,
                &applied.verification,
            );
            for w in rep.warnings() {
                eprintln!("tusch: varning: {w}");
            }
            if let Some(r) = report {
                rep.write(&r)?;
            }
            let masks: usize = rep.masks_by_category.values().sum();
            println!(
                "{}: {} sidor ({} lästa med OCR), {} maskeringar, verifierad, {:.1} s",
                output.display(),
                applied.pages,
                rep.ocr_pages(),
                masks,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Batch {
            input_dir,
            output,
            jobs,
            dpi,
            config,
            no_ner,
            searchable: on,
        } => {
            let config = searchable(load_config(config.as_deref(), dpi)?, on);
            let engine = engine(config, no_ner)?;
            batch::run(&input_dir, &output, jobs, &engine)
        }
        Command::Detect {
            input,
            json,
            show_text,
            config,
            no_ner,
        } => {
            let config = load_config(config.as_deref(), None)?;
            let engine = engine(config, no_ner)?;
            detect(&input, json, show_text, &engine)
        }
        Command::DetectText { config, no_ner } => {
            let mut config = load_config(config.as_deref(), None)?;
            // Every entity type the model knows, masked by default or not.
            config.ner.categories = tusch_core::NerPolicy::MODEL_CATEGORIES.to_vec();
            let engine = engine(config, no_ner)?;
            detect_text::run(&engine)
        }
        Command::Verify { input, report } => {
            let expect = match report {
                Some(r) => {
                    let rep = Report::read(&r).with_context(|| r.display().to_string())?;
                    tusch_engine::expectations(&rep.plan, rep.provision_labels)
                }
                None => Default::default(),
            };
            match tusch_engine::verify_file(&input, &expect) {
                Ok(v) => {
                    println!(
                        "{}: godkänd ({} sidor; kontroller: {}; {} maskeringar svarta)",
                        input.display(),
                        v.pages,
                        v.checks.join(", "),
                        v.masks_checked
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    println!("{}: UNDERKÄND", input.display());
                    for f in &e.failures {
                        println!("  - {f}");
                    }
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Audit { command } => audit::run(command),
    }
}

fn detect(input: &Path, json: bool, show_text: bool, engine: &Engine) -> anyhow::Result<ExitCode> {
    let planned = engine
        .plan_file(input, MaskState::Proposed, &NoProgress)
        .with_context(|| input.display().to_string())?;
    let (pages, findings) = (&planned.pages, &planned.findings);
    let mut rows = Vec::new();
    for (page, found) in pages.iter().zip(&findings.pages) {
        let text = page.layer.text();
        for f in found {
            let chars = page.layer.char_range(&f.span);
            let mut row = serde_json::json!({
                "page": page.index + 1,
                "start": chars.start,
                "end": chars.end,
                "category": f.category,
                "score": f.score,
                "explanation": f.explanation,
                // Exactly what a redaction burns: padded, widened as the plan widens it.
                "rects": engine.mask_rects(&page.layer, &f.span, f.category),
            });
            if show_text {
                row["text"] = text[f.span.clone()].into();
            }
            rows.push(row);
        }
    }
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
    } else {
        for r in &rows {
            let e = &r["explanation"];
            write!(
                out,
                "sida {:>3}  {:<22} {:.2}  {}/{}",
                r["page"],
                r["category"].as_str().unwrap_or(""),
                r["score"].as_f64().unwrap_or(0.0),
                e["detector"].as_str().unwrap_or(""),
                e["rule"].as_str().unwrap_or("")
            )?;
            if let Some(t) = r.get("text").and_then(|t| t.as_str()) {
                write!(out, "  {}", t.replace(['\r', '\n'], " "))?;
            }
            writeln!(out)?;
        }
        if std::io::stdout().is_terminal() || rows.is_empty() {
            writeln!(out, "{} fynd", rows.len())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

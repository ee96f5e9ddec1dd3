//! `tusch`: redact PDFs from the command line. Thin glue over `tusch-engine`: every command
//! builds one [`Engine`] and calls its steps.
//!
//! Exit codes: 0 success, 1 a document (or, in batch, some documents) failed or did not
//! verify, 2 a usage or configuration error (nothing was attempted), 130 / 143 interrupted
//! by SIGINT / SIGTERM (temporary files removed).
//!
//! The commands live in their own files: `redact.rs`, `batch.rs` (with `worker.rs`,
//! `shard.rs`, `signals.rs`, `tempfiles.rs`), `detect_text.rs`, `audit.rs`; this file
//! holds the clap definitions, the Swedish help layout and the small commands.
#![allow(clippy::print_stdout)]

mod audit;
mod batch;
mod detect_text;
mod keyed;
mod redact;
mod report;
mod shard;
mod signals;
mod summary_pdf;
mod tempfiles;
mod worker;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tusch_core::{Config, MaskState, OutputProfile};
use tusch_engine::{Engine, NoProgress};

use crate::report::Report;

/// Tusch maskerar personuppgifter i PDF-filer och skriver verifierade bild-PDF:er.
///
/// Allt körs på den här datorn: inga dokument, ingen text och ingen telemetri skickas
/// någonstans. Varje utlämnat dokument förs in i granskningsloggen (se `tusch audit`).
#[derive(Parser, Debug)]
#[command(
    name = "tusch",
    version,
    disable_help_subcommand = true,
    disable_help_flag = true,
    disable_version_flag = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Visa hjälp (-h kort, --help utförligt).
    #[arg(short = 'h', long = "help", action = clap::ArgAction::Help, global = true)]
    help: Option<bool>,
    /// Visa versionen.
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Maskera en PDF eller en inskannad bild (PNG, JPEG, TIFF) och skriv en verifierad
    /// bild-PDF.
    Redact {
        /// PDF eller bild att maskera (lämnas orörd).
        #[arg(value_name = "FIL")]
        input: PathBuf,
        /// Var den maskerade PDF:en skrivs.
        #[arg(short, long, value_name = "UTFIL")]
        output: PathBuf,
        /// Upplösning för resultatet i DPI, 36–600 (ersätter konfigurationens värde).
        #[arg(long)]
        dpi: Option<u32>,
        /// Konfigurationsfil (TOML), se docs/configuration.md.
        #[arg(long, value_name = "FIL")]
        config: Option<PathBuf>,
        /// Skriv en JSON-rapport över maskeringarna (utan maskerad text).
        #[arg(long, value_name = "FIL")]
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
    ///
    /// Varje dokument körs i en egen arbetsprocess med tids- och minnesgräns; ett dokument
    /// som misslyckas stoppar inte de andra. En ny körning hoppar över dokument som redan
    /// är klara och verifierade (samma indata, konfiguration och motor). Se docs/batch.md.
    Batch {
        /// Mappen med dokument att maskera (lämnas orörd).
        #[arg(value_name = "INMAPP")]
        input_dir: PathBuf,
        /// Utdatamappen: en maskerad PDF och en JSON-rapport per dokument, i samma
        /// undermappar som i indatamappen.
        #[arg(short, long, value_name = "UTMAPP")]
        output: PathBuf,
        /// Antal dokument som behandlas samtidigt, i lika många arbetsprocesser (standard:
        /// antal kärnor).
        #[arg(long, value_name = "ANTAL")]
        jobs: Option<usize>,
        /// Behandla bara del K av N (t.ex. 2/4), för att dela en körning mellan N datorer
        /// utan samordning. Uppdelningen bestäms av filernas sökvägar och är densamma på
        /// alla datorer.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Tidsgräns per dokument i sekunder; ett dokument som tar längre tid avbryts och
        /// räknas som misslyckat (standard: 600; 0: ingen gräns).
        #[arg(
            long,
            value_name = "SEKUNDER",
            default_value_t = 600,
            hide_default_value = true
        )]
        time_limit: u64,
        /// Minnesgräns per arbetsprocess i MB (adressrymd); ett dokument som behöver mer
        /// avbryts och räknas som misslyckat (standard: 4096; 0: ingen gräns).
        #[arg(
            long,
            value_name = "MB",
            default_value_t = 4096,
            hide_default_value = true
        )]
        memory_limit: u64,
        /// Skriv en maskinläsbar sammanfattning (JSON) på standard ut i stället för texten.
        #[arg(long)]
        json: bool,
        /// Upplösning för resultatet i DPI, 36–600 (ersätter konfigurationens värde).
        #[arg(long)]
        dpi: Option<u32>,
        /// Konfigurationsfil (TOML), se docs/configuration.md.
        #[arg(long, value_name = "FIL")]
        config: Option<PathBuf>,
        /// Kör utan namnmodellen (NER): namn hittas då bara av reglerna.
        #[arg(long)]
        no_ner: bool,
        /// Sökbara PDF:er (se `tusch redact --searchable`).
        #[arg(long)]
        searchable: bool,
    },
    /// En arbetsprocess för `tusch batch` (intern: läser jobb på standard in).
    #[command(hide = true)]
    BatchWorker {
        /// Minnesgräns i MB (0: ingen).
        #[arg(long, default_value_t = 0)]
        memory_limit: u64,
        /// Trådar för sidorna.
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
    /// Visa vad som skulle maskeras, utan att skriva någon PDF.
    Detect {
        /// PDF eller bild att undersöka.
        #[arg(value_name = "FIL")]
        input: PathBuf,
        /// Skriv fynden som JSON.
        #[arg(long)]
        json: bool,
        /// Visa även den hittade texten (skriv inte ut den i loggar).
        #[arg(long)]
        show_text: bool,
        /// Konfigurationsfil (TOML), se docs/configuration.md.
        #[arg(long, value_name = "FIL")]
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
        /// Konfigurationsfil (TOML), se docs/configuration.md.
        #[arg(long, value_name = "FIL")]
        config: Option<PathBuf>,
        /// Kör utan namnmodellen (NER): namn hittas då bara av reglerna.
        #[arg(long)]
        no_ner: bool,
    },
    /// Kontrollera att en PDF bara består av bilder: ingen text, inga metadata, inga
    /// anteckningar. Med --report kontrolleras även att varje maskering är helt svart.
    Verify {
        /// PDF att kontrollera.
        #[arg(value_name = "FIL")]
        input: PathBuf,
        /// JSON-rapporten som skrevs med PDF:en (`tusch redact --report`, eller
        /// `<fil>.pdf.json` från `tusch batch`).
        #[arg(long, value_name = "FIL")]
        report: Option<PathBuf>,
    },
    /// Granskningsloggen: kontrollera kedjan eller exportera den för diariet.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Listan över personer med skyddad identitet ([protected] path): lagras som nyckelade
    /// hashar, aldrig som text.
    Protected {
        #[command(subcommand)]
        command: keyed::ProtectedCommand,
    },
    /// Den inlärda listan ([learned] path): registratorernas beslut som nyckelade hashar.
    Learned {
        #[command(subcommand)]
        command: keyed::LearnedCommand,
    },
    /// Visa den gällande konfigurationen som TOML och varifrån varje värde kommer:
    /// standardvärde, /etc/tusch/tusch.toml, ~/.config/tusch/tusch.toml eller --config.
    Config {
        /// Konfigurationsfil (TOML) överst, som för de andra kommandona.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Skriv manualsidan (troff, man(7)) på standard ut.
    #[command(hide = true)]
    Man,
}

/// The help layout with Swedish headings, for a command and all its subcommands.
fn swedish(cmd: clap::Command, bin: &str) -> clap::Command {
    let mut usage = cmd.clone().bin_name(bin);
    let usage = usage
        .render_usage()
        .to_string()
        .trim_start_matches("Usage: ")
        .replace("[OPTIONS]", "[FLAGGOR]");
    let cmd = cmd
        .override_usage(usage)
        .help_template(
            "{before-help}{about-with-newline}\nAnvändning: {usage}\n\n{all-args}{after-help}",
        )
        .subcommand_help_heading("Kommandon")
        .subcommand_value_name("KOMMANDO")
        .mut_args(|a| {
            if a.get_help_heading().is_some() {
                a
            } else if a.is_positional() {
                a.help_heading("Argument")
            } else {
                a.help_heading("Flaggor")
            }
        });
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    names.iter().fold(cmd, |cmd, name| {
        cmd.mut_subcommand(name, |c| swedish(c, &format!("{bin} {name}")))
    })
}

/// The command line as `tusch` parses it (and the man page shows it).
pub(crate) fn cli_command() -> clap::Command {
    use clap::CommandFactory;
    swedish(Cli::command(), "tusch")
}

fn main() -> ExitCode {
    use clap::FromArgMatches;
    let cli = match Cli::from_arg_matches(&cli_command().get_matches()) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
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

pub(crate) fn usage(e: impl std::fmt::Display) -> anyhow::Error {
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

/// The configuration in layers (defaults < /etc/tusch < ~/.config/tusch < `--config`,
/// `tusch_engine::config`), then `--dpi`.
pub(crate) fn load_config(path: Option<&Path>, dpi: Option<u32>) -> anyhow::Result<Config> {
    let mut config = tusch_engine::config::load_standard(path)
        .map_err(|e| usage(chain(&e)))?
        .config;
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
            redact::run(&input, &output, report.as_deref(), config, no_ner)
        }
        Command::Batch {
            input_dir,
            output,
            jobs,
            dpi,
            config,
            no_ner,
            shard,
            time_limit,
            memory_limit,
            json,
            searchable: on,
        } => {
            let mut config = searchable(load_config(config.as_deref(), dpi)?, on);
            if no_ner {
                config.ner.enabled = false;
            }
            // Checked here rather than by clap, so the message is Swedish and the exit
            // code that of every usage error.
            let shard = shard
                .map(|s| s.parse::<shard::Shard>().map_err(usage))
                .transpose()?;
            if jobs == Some(0) {
                return Err(usage("--jobs måste vara minst 1"));
            }
            let opts = batch::Options {
                jobs,
                shard,
                time_limit,
                memory_limit,
                json,
            };
            batch::run(&input_dir, &output, config, &opts)
        }
        Command::BatchWorker {
            memory_limit,
            threads,
        } => worker::run(memory_limit, threads),
        Command::Man => {
            let mut out = std::io::stdout().lock();
            man_page(&mut out)?;
            Ok(ExitCode::SUCCESS)
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
        Command::Protected { command } => keyed::protected(command),
        Command::Learned { command } => keyed::learned(command),
        Command::Config { config } => {
            let layered = tusch_engine::config::load_standard(config.as_deref())
                .map_err(|e| usage(chain(&e)))?;
            print!("{}", layered.annotated_toml());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The man page, `docs/man/tusch.1`: the top-level page from the clap definitions (the
/// Swedish help texts), then each visible subcommand's synopsis, description and options
/// as subsections.
pub(crate) fn man_page(out: &mut dyn Write) -> anyhow::Result<()> {
    let mut cmd = cli_command();
    cmd.build();
    clap_mangen::Man::new(cmd.clone()).render(out)?;
    for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
        let name = sub.get_name().to_owned();
        let sub = sub.clone().bin_name(format!("tusch {name}"));
        let man = clap_mangen::Man::new(sub);
        let mut buf = Vec::new();
        man.render_synopsis_section(&mut buf)?;
        man.render_description_section(&mut buf)?;
        man.render_options_section(&mut buf)?;
        writeln!(out, ".SH \"TUSCH {}\"", name.to_uppercase())?;
        // Sections of the subcommand become subsections of its own section.
        for line in String::from_utf8_lossy(&buf).lines() {
            match line.strip_prefix(".SH ") {
                Some(rest) => writeln!(out, ".SS {rest}")?,
                None => writeln!(out, "{line}")?,
            }
        }
    }
    Ok(())
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

//! `tusch audit verify` and `tusch audit export --csv`: the audit log (tusch-audit) for
//! kommun IT and the diarium. Writing the log is the engine's job; this only reads it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use tusch_audit::AuditError;

use crate::chain;

#[derive(Subcommand, Debug)]
pub(crate) enum AuditCommand {
    /// Kontrollera att granskningsloggens kedja är obruten.
    ///
    /// Visar om någon rad har ändrats, tagits bort eller flyttats. Avslutas med 0 om loggen
    /// är intakt och 1 om den är bruten, med raden och orsaken. Skriver ut ankaret (sista
    /// löpnummer och sha256) att anteckna utanför loggen: rader som tagits bort i slutet
    /// syns bara mot det.
    Verify {
        /// Loggfilen (standard: konfigurationens [audit] path, annars
        /// $XDG_STATE_HOME/tusch/audit.jsonl eller ~/.local/state/tusch/audit.jsonl).
        #[arg(value_name = "LOGG")]
        path: Option<PathBuf>,
    },
    /// Exportera granskningsloggen för diariet.
    ///
    /// En rad per utlämnat dokument: tid, användare, dator, fil, sha256, sidor, maskeringar
    /// per kategori och lagrum, manuella rutor, version, modell. En bruten kedja ger en
    /// varning, men exporten görs.
    Export {
        /// Som CSV (kommaseparerad, UTF-8, RFC 4180).
        #[arg(long, required = true)]
        csv: bool,
        /// Loggfilen (standard: som för `tusch audit verify`).
        #[arg(value_name = "LOGG")]
        path: Option<PathBuf>,
        /// Skriv exporten till den här filen i stället för till standard ut.
        #[arg(short, long, value_name = "FIL")]
        output: Option<PathBuf>,
    },
}

pub(crate) fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { path } => verify(&log_path(path)?),
        AuditCommand::Export {
            csv: _,
            path,
            output,
        } => export(&log_path(path)?, output.as_deref()),
    }
}

/// The log named on the command line, else the one `[audit] path` configures (in any
/// layer: a kommun's shared log in `/etc/tusch/tusch.toml`), else the user's own.
fn log_path(path: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(p) = path {
        return Ok(p);
    }
    let configured = tusch_engine::config::load_standard(None)
        .map_err(|e| crate::usage(chain(&e)))?
        .config
        .audit
        .path;
    match configured {
        Some(p) => Ok(p),
        None => Ok(tusch_audit::default_path()?),
    }
}

fn verify(path: &Path) -> anyhow::Result<ExitCode> {
    match tusch_audit::verify(path) {
        Ok(s) => {
            println!("{}: intakt, {} rader", path.display(), s.lines);
            if let (Some(first), Some(last)) = (&s.first_time, &s.last_time) {
                println!("  poster från {first} till {last}");
            }
            if let (Some(seq), Some(hash)) = (s.last_seq, &s.last_sha256) {
                println!("  ankare: löpnummer {seq}, sha256 {hash}");
                println!(
                    "  (anteckna ankaret utanför loggen: rader som tagits bort i slutet syns bara mot det)"
                );
            }
            for seq in &s.repaired {
                println!(
                    "  obs: rad {seq} reparerade en avbruten skrivning; den posten finns inte i loggen"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.is_broken_log() => {
            println!("{}: BRUTEN", path.display());
            match &e {
                AuditError::Broken { line, problem, .. } => println!("  rad {line}: {problem}"),
                AuditError::Unreadable { line, source, .. } => {
                    println!("  rad {line} är ingen giltig loggrad: {source}")
                }
                other => println!("  {}", chain(other)),
            }
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

fn export(path: &Path, output: Option<&Path>) -> anyhow::Result<ExitCode> {
    // The export shows the records as they stand; a broken chain is worth a warning, not
    // a refusal (IT needs the records most when something is wrong).
    match tusch_audit::verify(path) {
        Ok(_) => {}
        Err(e) if e.is_broken_log() => eprintln!(
            "tusch: varning: granskningsloggen är bruten ({}); exporten visar posterna som de står",
            chain(&e)
        ),
        Err(e) => return Err(e.into()),
    }
    match output {
        None => {
            tusch_audit::export_csv(path, std::io::stdout().lock())?;
        }
        Some(out) => {
            // Written beside the target and renamed, so a failed export leaves no half file.
            let dir = out
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let mut tmp = tempfile::Builder::new()
                .prefix(".tusch-export-")
                .suffix(".part")
                .tempfile_in(dir)
                .with_context(|| format!("kunde inte skriva {}", out.display()))?;
            let rows = tusch_audit::export_csv(path, tmp.as_file_mut())?;
            tmp.as_file_mut()
                .flush()
                .and_then(|()| tmp.as_file().sync_all())
                .with_context(|| format!("kunde inte skriva {}", out.display()))?;
            tmp.persist(out)
                .with_context(|| format!("kunde inte skriva {}", out.display()))?;
            eprintln!("{}: {rows} poster exporterade", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What the audit record of one released document is made of: hashes and counts, never
/// text. A batch worker sends it back to the parent, which alone appends to the log.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Released {
    pub input_sha256: String,
    pub output_sha256: String,
    pub pages: usize,
    /// `(page, category, provision, count)`, 1-based pages.
    pub masks: Vec<(usize, String, Option<String>, usize)>,
    /// The name model's name and version, and its sha256.
    pub model: Option<(String, String)>,
    /// The output profile (`image`, `searchable`).
    #[serde(default)]
    pub profile: String,
}

impl Released {
    /// From a written output and its report.
    pub fn new(
        input_sha256: String,
        output: &Path,
        report: &crate::report::Report,
        engine: &tusch_engine::Engine,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            input_sha256,
            output_sha256: tusch_audit::sha256_file(output)?,
            pages: report.pages,
            masks: report.mask_counts(),
            model: engine
                .model()
                .map(|m| (format!("{} {}", m.name, m.version), m.model_sha256.clone())),
            profile: report.profile.as_str().to_owned(),
        })
    }
}

/// The audit log as `[audit]` configures it, opened once per command: `None` inside when
/// `enabled = false`. Failing to open or write it is an error for the document
/// (fail-closed: what was released must be on record).
#[derive(Debug)]
pub(crate) struct Trail(Option<tusch_audit::AuditLog>);

impl Trail {
    pub fn open(policy: &tusch_core::AuditPolicy) -> anyhow::Result<Self> {
        if !policy.enabled {
            return Ok(Self(None));
        }
        let path = match &policy.path {
            Some(p) => p.clone(),
            None => tusch_audit::default_path()?,
        };
        let log = tusch_audit::AuditLog::open(&path)
            .with_context(|| format!("granskningsloggen {} kunde inte öppnas", path.display()))?;
        Ok(Self(Some(log)))
    }

    /// Appends one record for a released document (nothing when the trail is off).
    pub fn record(
        &self,
        event: tusch_audit::EventKind,
        input: &Path,
        released: &Released,
    ) -> anyhow::Result<()> {
        let Some(log) = &self.0 else {
            return Ok(());
        };
        let mut b = tusch_audit::AuditRecord::builder(
            event,
            input,
            &released.input_sha256,
            &released.output_sha256,
        )
        .pages(released.pages)
        .tool_version(tusch_core::VERSION)
        .output_profile(if released.profile.is_empty() {
            "image"
        } else {
            released.profile.as_str()
        });
        for (page, category, provision, n) in &released.masks {
            b = b.masks(*page, category, provision.as_deref(), false, *n);
        }
        if let Some((name, sha)) = &released.model {
            b = b.model(name, sha);
        }
        log.append(&b.build()).with_context(|| {
            format!(
                "granskningsloggen {} kunde inte skrivas",
                log.path().display()
            )
        })?;
        Ok(())
    }
}

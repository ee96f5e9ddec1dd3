//! `tusch redact`: one document, through the same engine as every other command, with its
//! audit record and with its temporary file removed if the command is interrupted.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use tusch_core::Config;
use tusch_engine::NoProgress;

use crate::audit::{Released, Trail};
use crate::report::Report;
use crate::{signals, tempfiles};

pub fn run(
    input: &Path,
    output: &Path,
    report: Option<&Path>,
    config: Config,
    no_ner: bool,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    // Opened before any work: a log that cannot be written stops the command at once.
    let trail = Trail::open(&config.audit)?;
    // Ctrl-C or SIGTERM: remove this process's temporary files beside the output (and the
    // report) before exiting. A finished output is only ever there verified.
    let dirs: Vec<std::path::PathBuf> = [Some(output), report]
        .into_iter()
        .flatten()
        .map(|p| match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => Path::new(".").to_owned(),
        })
        .collect();
    // Leftovers of an earlier run killed outright, beside the output only (a file from
    // another machine only when a day old).
    if let Some(dir) = dirs.first() {
        tempfiles::remove_stale(dir, false, std::time::Duration::from_secs(24 * 3600));
    }
    signals::watch(move |sig| {
        for d in &dirs {
            tempfiles::remove_of_process(d, std::process::id(), false);
        }
        eprintln!(
            "tusch: avbruten ({}); temporära filer borttagna",
            signals::name(sig)
        );
        std::process::exit(i32::from(signals::exit_code(sig)));
    })?;
    let engine = crate::engine(config, no_ner)?;
    let input_sha = tusch_audit::sha256_file(input)?;
    let done = engine
        .redact_file(input, output, &NoProgress)
        .with_context(|| input.display().to_string())?;
    let (doc, plan, applied) = (done.doc, done.plan, done.applied);
    let rep = Report::new(
        input,
        output,
        &engine.config().output,
        &doc,
        plan,
        &applied.verification,
    )
    .with_provenance(&input_sha, &crate::report::config_sha256(engine.config()));
    let released = Released::new(input_sha, output, &rep, &engine)?;
    if let Err(e) = trail.record(tusch_audit::EventKind::Redact, input, &released) {
        // Fail-closed: nothing is released that is not on record.
        let _ = std::fs::remove_file(output);
        return Err(e.context(format!(
            "{} togs bort (inget lämnas ut utan post i granskningsloggen)",
            output.display()
        )));
    }
    for w in rep.warnings() {
        eprintln!("tusch: varning: {w}");
    }
    if let Some(r) = report {
        rep.write(r)?;
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

//! `underlag.pdf` for a batch folder (issue 15; `tusch-underlag.pdf` when a document of the
//! batch is itself called `underlag.pdf`): the decision summary of every document
//! whose report is in the output folder, as a tagged PDF in Swedish. Built from the JSON
//! reports (categories, pages, provisions — never masked text); a mask without a provision
//! gets its category's default from the catalogue (the kommun's own when it has one).

use std::path::{Path, PathBuf};

use crate::report::Report;

/// Writes `out_dir/underlag.pdf`. A failure is reported on stderr and does not fail the
/// batch: the masked files are already written and verified.
pub fn write_for_folder(out_dir: &Path) {
    if let Err(e) = write(out_dir) {
        eprintln!("tusch: varning: underlag.pdf kunde inte skrivas: {e}");
    }
}

fn write(out_dir: &Path) -> anyhow::Result<()> {
    let catalogue =
        tusch_review::Catalogue::load(tusch_review::catalogue::config_dir().as_deref())?;
    let mut reports = Vec::new();
    collect(out_dir, &mut reports);
    reports.sort();
    let mut docs = Vec::new();
    for path in reports {
        let Ok(mut rep) = Report::read(&path) else {
            continue;
        };
        for m in rep.plan.pages.iter_mut().flat_map(|p| p.masks.iter_mut()) {
            if m.provision.is_none() {
                m.provision = catalogue.default_for(m.category).map(str::to_owned);
            }
        }
        let rel = path.strip_prefix(out_dir).unwrap_or(&path);
        let output = rel.with_extension("");
        docs.push(tusch_review::summary::DocumentSummary::from_plan(
            &rep.input, &rep.plan, &output,
        ));
    }
    let bytes = tusch_review::summary::pdf(&docs, &catalogue);
    // A document of the batch may itself be called underlag.pdf: never write over it.
    let name = if out_dir.join("underlag.pdf.json").exists() {
        "tusch-underlag.pdf"
    } else {
        "underlag.pdf"
    };
    crate::report::write_atomic(&out_dir.join(name), &bytes)
}

/// The reports (`<output>.pdf.json`) under `dir`.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.to_string_lossy().ends_with(".pdf.json") {
            out.push(p);
        }
    }
}

//! The JSON report written beside each output: where masks are and why — never the text.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tusch_core::{Category, OutputPolicy, RedactionPlan};

/// A report file. `plan` holds every mask (page, rectangles in the source page's user space,
/// category, detector, rule, validation, score); the rest summarises the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub tusch_version: String,
    /// The input's file name (not its full path).
    pub input: String,
    pub output: String,
    pub pages: usize,
    pub dpi: u32,
    pub encoding: tusch_core::Encoding,
    pub masks_by_category: BTreeMap<Category, usize>,
    pub verification: Verification,
    pub plan: RedactionPlan,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Verification {
    pub passed: bool,
    pub checks: Vec<String>,
    pub masks_checked: usize,
}

impl Report {
    pub fn new(
        input: &Path,
        output: &Path,
        policy: &OutputPolicy,
        plan: RedactionPlan,
        verification: &tusch_pdf::VerifyReport,
    ) -> Self {
        let name = |p: &Path| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        Self {
            tusch_version: tusch_core::VERSION.to_owned(),
            input: name(input),
            output: name(output),
            pages: plan.pages.len(),
            dpi: policy.dpi,
            encoding: policy.encoding,
            masks_by_category: plan.accepted_counts(),
            verification: Verification {
                passed: true,
                checks: verification
                    .checks
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                masks_checked: verification.masks_checked,
            },
            plan,
        }
    }

    /// Writes the report atomically (temporary file, then rename).
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        write_atomic(path, &serde_json::to_vec_pretty(self)?)
    }

    pub fn read(path: &Path) -> anyhow::Result<Self> {
        Ok(serde_json::from_slice(&std::fs::read(path)?)?)
    }
}

/// Writes bytes to a temporary file beside `path` and renames it into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".tusch-")
        .suffix(".part")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path)?;
    Ok(())
}

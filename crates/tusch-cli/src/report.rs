//! The JSON report written beside each output: where masks are and why — never the text.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tusch_core::{Category, Config, OutputPolicy, RedactionPlan};
use tusch_engine::raster::{is_jpeg, output_dpi};
use tusch_engine::Document;

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
    /// `image` or `searchable` (issue 15). Absent in reports of older versions: `image`.
    #[serde(default)]
    pub profile: tusch_core::OutputProfile,
    /// Whether the provision was printed in each box (`[output] provision_labels`).
    #[serde(default)]
    pub provision_labels: bool,
    pub masks_by_category: BTreeMap<Category, usize>,
    /// Accepted masks over a protected identity (detector `skyddad_identitet`): the report
    /// flags "skyddad identitet" when there are any.
    #[serde(default)]
    pub protected_masks: usize,
    /// Accepted masks the learned list suggested (detector `inlärd`); each mask's
    /// explanation in `plan` says so too.
    #[serde(default)]
    pub learned_masks: usize,
    /// Per page: where its text came from (own text layer and/or OCR) and why, and how it
    /// was written. Absent in reports of older versions.
    #[serde(default)]
    pub page_sources: Vec<PageSource>,
    /// Pages to check by hand, in Swedish: OCR found them hard to read (issue 12), e.g.
    /// "sida 2: sidan är svårläst – granska manuellt (OCR var osäker på 9 % av orden)".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub granska: Vec<String>,
    pub verification: Verification,
    /// What made this output, so a re-run of `tusch batch` can tell that it is still the
    /// output it would write: the input's sha256, the sha256 of the effective
    /// configuration ([`config_sha256`]) and the engine ([`tusch_engine::Engine::description`]).
    /// Empty in reports of older versions (which are then redone).
    #[serde(default)]
    pub input_sha256: String,
    #[serde(default)]
    pub config_sha256: String,
    #[serde(default)]
    pub engine: String,
    pub plan: RedactionPlan,
}

/// The sha256 of the configuration as it affects an output: the serialised [`Config`]
/// without `[audit]` (where the log is written changes no output).
pub fn config_sha256(config: &Config) -> String {
    use sha2::{Digest, Sha256};
    let mut config = config.clone();
    config.audit = Default::default();
    let bytes = serde_json::to_vec(&config).unwrap_or_default();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// How one page was read and written.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageSource {
    /// 1-based.
    pub page: usize,
    /// Whether the page was read with OCR.
    pub ocr: bool,
    /// Why (or why not): `image_input`, `no_text_layer`, `image_over_text`, `forced`,
    /// `untrusted_text_layer`, `text_layer`, `disabled`, `disabled_but_scanned`.
    pub reason: String,
    /// Characters of the text layer not trusted (their font's character map gives
    /// garbage): left out, their ink read with OCR.
    #[serde(default)]
    pub untrusted_chars: usize,
    /// Regions of ink the text layer does not explain (images with text, stamps, form
    /// fields, outlined text) whose OCR reading added words.
    #[serde(default)]
    pub ocr_regions: usize,
    /// Annotations and form fields whose text was analysed.
    #[serde(default)]
    pub annotations: usize,
    /// Annotation texts not drawn on the page (sticky notes' popups, hidden annotations):
    /// not in the output.
    #[serde(default)]
    pub dropped_annotations: usize,
    /// Visible characters in the page's own text layer and the share of the page its
    /// largest image covers.
    pub text_chars: usize,
    pub image_coverage: f32,
    /// What OCR found: resolution, orientation, words, mean confidence, engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr_result: Option<serde_json::Value>,
    /// OCR was unsure of many of the page's words: hard to read, to be checked by hand
    /// (issue 12). Words it was unsure of next to personal data are masked as `other`.
    #[serde(default)]
    pub poor_quality: bool,
    /// The output page's resolution and encoding (`jpeg` for scans).
    pub output_dpi: u32,
    pub output_encoding: String,
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
        doc: &Document,
        plan: RedactionPlan,
        verification: &tusch_engine::VerifyReport,
    ) -> Self {
        let page_sources: Vec<PageSource> = doc
            .pages()
            .iter()
            .enumerate()
            .map(|(i, p)| PageSource {
                page: p.page,
                ocr: p.reason.is_ocr(),
                reason: serde_json::to_value(p.reason)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                untrusted_chars: p.untrusted_chars,
                ocr_regions: p.ocr_regions,
                annotations: p.annotations,
                dropped_annotations: p.dropped_annotations,
                text_chars: p.text_chars,
                image_coverage: (p.image_coverage * 100.0).round() / 100.0,
                ocr_result: p.ocr.as_ref().and_then(|o| serde_json::to_value(o).ok()),
                poor_quality: p.ocr.as_ref().is_some_and(|o| o.poor_quality),
                output_dpi: output_dpi(doc, i, policy),
                output_encoding: if is_jpeg(doc, i) {
                    "jpeg".to_owned()
                } else {
                    serde_json::to_value(policy.encoding)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                },
            })
            .collect();
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
            profile: policy.profile,
            provision_labels: policy.provision_labels,
            masks_by_category: plan.accepted_counts(),
            protected_masks: count_by_detector(&plan, tusch_core::PROTECTED_DETECTOR),
            learned_masks: count_by_detector(&plan, tusch_core::LEARNED_DETECTOR),
            granska: page_sources
                .iter()
                .filter(|p| p.poor_quality)
                .map(poor_page_note)
                .collect(),
            page_sources,
            verification: Verification {
                passed: true,
                checks: verification
                    .checks
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                masks_checked: verification.masks_checked,
            },
            input_sha256: String::new(),
            config_sha256: String::new(),
            engine: plan.engine.clone(),
            plan,
        }
    }

    /// Records what made the output: the input's sha256 and the configuration's
    /// ([`config_sha256`] of the configuration as given, before a batch worker adjusts its
    /// threads).
    pub fn with_provenance(mut self, input_sha256: &str, config_sha256: &str) -> Self {
        self.input_sha256 = input_sha256.to_owned();
        self.config_sha256 = config_sha256.to_owned();
        self
    }

    /// Masks per 1-based page and category (with their provision, none in batch), for the
    /// audit record: `(page, category, provision, count)`.
    pub fn mask_counts(&self) -> Vec<(usize, String, Option<String>, usize)> {
        let mut counts: BTreeMap<(usize, String, Option<String>), usize> = BTreeMap::new();
        for page in &self.plan.pages {
            for m in &page.masks {
                if m.state != tusch_core::MaskState::Accepted {
                    continue;
                }
                let category = serde_json::to_value(m.category)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                *counts
                    .entry((page.index + 1, category, m.provision.clone()))
                    .or_default() += 1;
            }
        }
        counts
            .into_iter()
            .map(|((page, category, provision), n)| (page, category, provision, n))
            .collect()
    }

    /// Pages read with OCR.
    pub fn ocr_pages(&self) -> usize {
        self.page_sources.iter().filter(|p| p.ocr).count()
    }

    /// Things the user must know, in Swedish: pages that look scanned but were not read,
    /// annotation text that is not in the output, text layers that were not trusted.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.protected_masks > 0 {
            out.push(format!(
                "{}: skyddad identitet: {} maskering(ar) av personer på listan över skyddade \
                 personuppgifter; hantera handlingen därefter",
                self.input, self.protected_masks
            ));
        }
        for p in &self.page_sources {
            if p.reason == "disabled_but_scanned" {
                out.push(format!(
                    "{}: sidan {} ser inskannad ut men lästes inte med OCR ([ocr] mode = \"never\"); \
                     inget i den har maskerats",
                    self.input, p.page
                ));
            }
            if p.dropped_annotations > 0 {
                out.push(format!(
                    "{}: sidan {}: text i {} kommentar(er) som inte visas på sidan (t.ex. \
                     popup-anteckningar) finns inte med i den maskerade kopian",
                    self.input, p.page, p.dropped_annotations
                ));
            }
            if p.poor_quality {
                out.push(format!(
                    "{}: {}; osäkra ord vid personuppgifter har maskerats",
                    self.input,
                    poor_page_note(p)
                ));
            }
            if p.untrusted_chars > 0 {
                out.push(format!(
                    "{}: sidan {}: textlagret stämmer inte med det som syns ({} tecken i \
                     typsnitt med felaktig teckenkodning); sidan lästes med OCR där",
                    self.input, p.page, p.untrusted_chars
                ));
            }
        }
        out
    }

    /// Writes the report atomically (temporary file, then rename).
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        write_atomic(path, &serde_json::to_vec_pretty(self)?)
    }

    pub fn read(path: &Path) -> anyhow::Result<Self> {
        Ok(serde_json::from_slice(&std::fs::read(path)?)?)
    }
}

/// "sida N: sidan är svårläst – granska manuellt (OCR var osäker på X % av orden)".
fn poor_page_note(p: &PageSource) -> String {
    let share = p
        .ocr_result
        .as_ref()
        .and_then(|r| r["low_confidence_share"].as_f64())
        .unwrap_or(0.0);
    format!(
        "sida {}: sidan är svårläst – granska manuellt (OCR var osäker på {:.0} % av orden)",
        p.page,
        share * 100.0
    )
}

/// Writes bytes to a temporary file beside `path` and renames it into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&tusch_engine::tempname::prefix())
        .suffix(".part")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path)?;
    Ok(())
}

/// Accepted masks whose explanation names `detector`.
fn count_by_detector(plan: &RedactionPlan, detector: &str) -> usize {
    plan.pages
        .iter()
        .flat_map(|p| &p.masks)
        .filter(|m| {
            m.state == tusch_core::MaskState::Accepted && m.explanation.detector == detector
        })
        .count()
}

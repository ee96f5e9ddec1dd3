//! One audit record: what was released, by whom, where, when, and how it was masked.
//!
//! The record is plain data (strings and counts) so any caller — the batch CLI, the desktop
//! app's export — can fill it without this crate knowing the engine's types. It holds file
//! names, hashes, counts, category and provision names: never document text, never a
//! rectangle, never the full path of the input.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// What released the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// An export from the desktop app after review.
    Export,
    /// One document of `tusch batch`.
    Batch,
    /// `tusch redact` of one document.
    Redact,
}

impl EventKind {
    /// The name used in the log and in the CSV export.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Export => "export",
            Self::Batch => "batch",
            Self::Redact => "redact",
        }
    }
}

/// The masks on one page, counted by category (`person`, `personnummer`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMasks {
    /// 1-based page number.
    pub page: usize,
    pub by_category: BTreeMap<String, usize>,
}

/// A group of masks that share page, category, provision and origin, with their number.
///
/// Every mask of the document is counted in exactly one group, so the list is the
/// provision of each mask without repeating identical entries: a 60-page batch document
/// with 2,000 masks gives a few dozen groups, not 2,000 objects. Masks carry no identity
/// beyond these fields in the record (no rectangles, no text), so nothing is lost by
/// counting them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionCount {
    /// 1-based page number.
    pub page: usize,
    pub category: String,
    /// The OSL provision the masks were made under (`"26 kap. 1 § OSL"`); `None` when none
    /// was given (a batch run, or a mask the registrar left without one).
    pub provision: Option<String>,
    /// Drawn by hand in the app, rather than proposed by a detector.
    pub manual: bool,
    pub count: usize,
}

/// One released document. Serialised as the `record` of a log line.
///
/// Built with [`AuditRecord::builder`], which fills in the time, user and host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// UTC, RFC 3339, whole seconds: `2025-03-04T12:34:56Z`.
    pub time: String,
    /// The OS user: `$USER`, `$LOGNAME`, or `uid <n>`.
    pub user: String,
    /// The machine: `/etc/hostname`, `$HOSTNAME`, or `okänd`.
    pub host: String,
    pub event: EventKind,
    /// The input's file name, without its folder.
    pub input_name: String,
    /// Lower-case hex sha256 of the input file.
    pub input_sha256: String,
    /// Lower-case hex sha256 of the released (verified) output file.
    pub output_sha256: String,
    /// Pages in the document.
    pub pages: usize,
    /// Masks per page and category; pages without masks are left out.
    pub masks: Vec<PageMasks>,
    /// Every mask's provision, grouped (see [`ProvisionCount`]).
    pub provisions: Vec<ProvisionCount>,
    /// Masks drawn by hand (the `manual` groups of `provisions`, summed).
    pub manual_boxes: usize,
    /// The Tusch version that released the document.
    pub tool_version: String,
    /// The NER model (`"tusch-ner-sv 1.0.0"`), `None` when it did not run.
    pub model_name: Option<String>,
    /// The sha256 of the model file the loader checked.
    pub model_sha256: Option<String>,
    /// What kind of output was written: `"image"` (an image-only PDF) today.
    pub output_profile: String,
}

impl AuditRecord {
    /// Starts a record. `input` may be a path: only its file name is kept.
    pub fn builder(
        event: EventKind,
        input: impl AsRef<Path>,
        input_sha256: impl Into<String>,
        output_sha256: impl Into<String>,
    ) -> RecordBuilder {
        let input = input.as_ref();
        let input_name = input
            .file_name()
            .unwrap_or(input.as_os_str())
            .to_string_lossy()
            .into_owned();
        RecordBuilder {
            event,
            input_name,
            input_sha256: input_sha256.into(),
            output_sha256: output_sha256.into(),
            pages: 0,
            masks: BTreeMap::new(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            model_name: None,
            model_sha256: None,
            output_profile: "image".to_owned(),
            time: None,
            user: None,
            host: None,
        }
    }

    /// All masks of the document.
    pub fn total_masks(&self) -> usize {
        self.provisions.iter().map(|g| g.count).sum()
    }

    /// Masks per category over the whole document.
    pub fn masks_by_category(&self) -> BTreeMap<&str, usize> {
        let mut m = BTreeMap::new();
        for p in &self.masks {
            for (c, n) in &p.by_category {
                *m.entry(c.as_str()).or_default() += n;
            }
        }
        m
    }

    /// Masks per provision over the whole document; `None` for masks without one.
    pub fn masks_by_provision(&self) -> BTreeMap<Option<&str>, usize> {
        let mut m = BTreeMap::new();
        for g in &self.provisions {
            *m.entry(g.provision.as_deref()).or_default() += g.count;
        }
        m
    }
}

/// Builds an [`AuditRecord`] from plain strings and counts.
///
/// ```
/// use tusch_audit::{AuditRecord, EventKind};
/// let r = AuditRecord::builder(EventKind::Batch, "/in/beslut.pdf", "ab12", "cd34")
///     .pages(2)
///     .mask(1, "person", Some("26 kap. 1 § OSL"), false)
///     .masks(2, "personnummer", None, false, 3)
///     .model("tusch-ner-sv 1.0.0", "0123abcd")
///     .build();
/// assert_eq!(r.input_name, "beslut.pdf");
/// assert_eq!(r.total_masks(), 4);
/// ```
#[derive(Debug, Clone)]
pub struct RecordBuilder {
    event: EventKind,
    input_name: String,
    input_sha256: String,
    output_sha256: String,
    pages: usize,
    /// (page, category, provision, manual) → count.
    masks: BTreeMap<(usize, String, Option<String>, bool), usize>,
    tool_version: String,
    model_name: Option<String>,
    model_sha256: Option<String>,
    output_profile: String,
    time: Option<String>,
    user: Option<String>,
    host: Option<String>,
}

impl RecordBuilder {
    /// Pages in the document.
    pub fn pages(mut self, pages: usize) -> Self {
        self.pages = pages;
        self
    }

    /// One mask on 1-based `page`.
    pub fn mask(self, page: usize, category: &str, provision: Option<&str>, manual: bool) -> Self {
        self.masks(page, category, provision, manual, 1)
    }

    /// `count` masks on 1-based `page` that share category, provision and origin.
    pub fn masks(
        mut self,
        page: usize,
        category: &str,
        provision: Option<&str>,
        manual: bool,
        count: usize,
    ) -> Self {
        if count > 0 {
            let key = (
                page,
                category.to_owned(),
                provision.map(str::to_owned),
                manual,
            );
            *self.masks.entry(key).or_default() += count;
        }
        self
    }

    /// The Tusch version (default: this crate's, which is the workspace's).
    pub fn tool_version(mut self, version: impl Into<String>) -> Self {
        self.tool_version = version.into();
        self
    }

    /// The NER model that ran, and its sha256.
    pub fn model(mut self, name: impl Into<String>, sha256: impl Into<String>) -> Self {
        self.model_name = Some(name.into());
        self.model_sha256 = Some(sha256.into());
        self
    }

    /// The output profile (default `"image"`).
    pub fn output_profile(mut self, profile: impl Into<String>) -> Self {
        self.output_profile = profile.into();
        self
    }

    /// Overrides the time (default: now, see [`now_rfc3339`]).
    pub fn time(mut self, time: impl Into<String>) -> Self {
        self.time = Some(time.into());
        self
    }

    /// Overrides the user (default: [`current_user`]).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Overrides the host (default: [`current_host`]).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    pub fn build(self) -> AuditRecord {
        let mut pages: BTreeMap<usize, BTreeMap<String, usize>> = BTreeMap::new();
        let mut provisions = Vec::with_capacity(self.masks.len());
        let mut manual_boxes = 0;
        for ((page, category, provision, manual), count) in self.masks {
            *pages
                .entry(page)
                .or_default()
                .entry(category.clone())
                .or_default() += count;
            if manual {
                manual_boxes += count;
            }
            provisions.push(ProvisionCount {
                page,
                category,
                provision,
                manual,
                count,
            });
        }
        AuditRecord {
            time: self.time.unwrap_or_else(now_rfc3339),
            user: self.user.unwrap_or_else(current_user),
            host: self.host.unwrap_or_else(current_host),
            event: self.event,
            input_name: self.input_name,
            input_sha256: self.input_sha256,
            output_sha256: self.output_sha256,
            pages: self.pages,
            masks: pages
                .into_iter()
                .map(|(page, by_category)| PageMasks { page, by_category })
                .collect(),
            provisions,
            manual_boxes,
            tool_version: self.tool_version,
            model_name: self.model_name,
            model_sha256: self.model_sha256,
            output_profile: self.output_profile,
        }
    }
}

/// The current time as UTC RFC 3339 with whole seconds (`2025-03-04T12:34:56Z`). A clock
/// set before 1970 gives 1970-01-01T00:00:00Z rather than failing the export.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339_utc(secs)
}

/// Seconds since the Unix epoch as UTC RFC 3339.
pub fn rfc3339_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, <https://howardhinnant.github.io/date_algorithms.html>).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March first
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as u32, d as u32)
}

/// The OS user: `$USER`, else `$LOGNAME`, else `uid <n>`. The variables are what a login
/// shell and systemd set; the uid is the fallback a service without them still has.
pub fn current_user() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Some(v) = std::env::var_os(var) {
            let v = v.to_string_lossy();
            let v = v.trim();
            if !v.is_empty() {
                return v.to_owned();
            }
        }
    }
    #[cfg(unix)]
    {
        format!("uid {}", rustix::process::getuid().as_raw())
    }
    #[cfg(not(unix))]
    {
        "okänd".to_owned()
    }
}

/// The machine's name: `/etc/hostname`, else `$HOSTNAME`, else `okänd`.
pub fn current_host() -> String {
    let from_file = std::fs::read_to_string("/etc/hostname")
        .ok()
        .and_then(|s| s.lines().next().map(|l| l.trim().to_owned()));
    let from_env = || std::env::var_os("HOSTNAME").map(|h| h.to_string_lossy().trim().to_owned());
    from_file
        .filter(|h| !h.is_empty())
        .or_else(|| from_env().filter(|h| !h.is_empty()))
        .unwrap_or_else(|| "okänd".to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rfc3339_of_known_instants() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        // 2000-02-29 (a leap day in a century leap year) 12:34:56.
        assert_eq!(rfc3339_utc(951_827_696), "2000-02-29T12:34:56Z");
        assert_eq!(rfc3339_utc(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(rfc3339_utc(1_735_689_599), "2024-12-31T23:59:59Z");
        assert_eq!(rfc3339_utc(4_107_542_400), "2100-03-01T00:00:00Z");
    }

    #[test]
    fn civil_from_days_walks_every_day_of_four_centuries() {
        // Day by day from 1970 to 2370: each date follows the one before.
        let (mut y, mut m, mut d) = civil_from_days(0);
        assert_eq!((y, m, d), (1970, 1, 1));
        for z in 1..(400 * 366) {
            let next = civil_from_days(z);
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let len = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ][(m - 1) as usize];
            let expected = if d < len {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
            assert_eq!(next, expected, "day {z}");
            (y, m, d) = next;
        }
    }

    #[test]
    fn now_is_well_formed() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T', "{t}");
        assert!(t.as_str() > "2024-01-01");
    }

    #[test]
    fn builder_counts_pages_categories_provisions_and_manual_boxes() {
        let r = AuditRecord::builder(EventKind::Export, "/home/a/ärende 12/beslut.pdf", "i", "o")
            .pages(3)
            .mask(1, "person", Some("26 kap. 1 § OSL"), false)
            .mask(1, "person", Some("26 kap. 1 § OSL"), false)
            .mask(1, "personnummer", None, false)
            .masks(3, "other", Some("21 kap. 3 § OSL"), true, 2)
            .masks(2, "phone", None, false, 0)
            .time("2025-01-01T00:00:00Z")
            .user("handläggare")
            .host("kommun-pc")
            .build();
        assert_eq!(r.input_name, "beslut.pdf");
        assert_eq!(r.masks.len(), 2, "page 2 had no masks");
        assert_eq!(r.masks[0].page, 1);
        assert_eq!(r.masks[0].by_category["person"], 2);
        assert_eq!(r.masks[1].by_category["other"], 2);
        assert_eq!(r.provisions.len(), 3);
        assert_eq!(r.manual_boxes, 2);
        assert_eq!(r.total_masks(), 5);
        assert_eq!(r.masks_by_provision()[&None], 1);
        assert_eq!(r.masks_by_provision()[&Some("26 kap. 1 § OSL")], 2);
        assert_eq!(r.masks_by_category()["personnummer"], 1);
        assert_eq!(r.tool_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(r.output_profile, "image");
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains(r#""event":"export""#), "{json}");
        assert_eq!(serde_json::from_str::<AuditRecord>(&json).unwrap(), r);
    }

    #[test]
    fn user_and_host_are_never_empty() {
        assert!(!current_user().is_empty());
        assert!(!current_host().is_empty());
    }
}

//! Policy: what is masked, read from a TOML configuration file.
//!
//! Every field has a documented default, so an empty file (or none) is a valid configuration.
//! See `docs/configuration.md` for the file format with examples.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::finding::Category;

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub detection: DetectionPolicy,
    pub output: OutputPolicy,
    pub ner: NerPolicy,
    pub ocr: OcrPolicy,
    pub audit: AuditPolicy,
    pub protected: ProtectedPolicy,
    pub learned: LearnedPolicy,
}

/// `[protected]`: the kommun's list of people with protected identity (skyddade
/// personuppgifter), kept as keyed hashes by `tusch-keyed` (see `docs/learned.md`). Every
/// occurrence is masked, whatever the allow-list, the threshold or the learned list say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ProtectedPolicy {
    /// The list (a JSON file of hashes). Default: none, no list.
    pub path: Option<PathBuf>,
    /// The per-installation secret the hashes are keyed with. Default: `secret.key` beside
    /// the list; created (mode 0600) on first use.
    pub secret: Option<PathBuf>,
}

/// `[learned]`: what Tusch learns from the registrars' decisions (see `docs/learned.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LearnedPolicy {
    /// The learned list (a JSON file of hashes, counts and dates). Default: none, nothing
    /// is learned or used.
    pub path: Option<PathBuf>,
    /// The per-installation secret. Default: `secret.key` beside the list.
    pub secret: Option<PathBuf>,
    /// A rejected suggestion is suppressed once its text has been rejected this many times
    /// more than it has been masked by hand. Default 3.
    pub suppress_after: u32,
}

impl Default for LearnedPolicy {
    fn default() -> Self {
        Self {
            path: None,
            secret: None,
            suppress_after: 3,
        }
    }
}

/// `[audit]`: where every export and every document of a batch is recorded (one
/// hash-chained JSON line each, never document text; see `docs/audit.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditPolicy {
    /// The audit log. Unset: the user's own, `$XDG_STATE_HOME/tusch/audit.jsonl` (or
    /// `~/.local/state/tusch/audit.jsonl`); a kommun sets a shared one, e.g.
    /// `/var/log/tusch/audit.jsonl`.
    pub path: Option<std::path::PathBuf>,
    /// `false` turns the audit trail off (tests, trials). On by default.
    pub enabled: bool,
}

impl Default for AuditPolicy {
    fn default() -> Self {
        Self {
            path: None,
            enabled: true,
        }
    }
}

impl Config {
    /// Parses a configuration from TOML text: unknown keys, wrong types and out-of-range
    /// values are errors, with the line and column where toml can point at them.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| parse_error(text, &e))?;
        config.validate()?;
        Ok(config)
    }

    /// Parses one layer of a layered configuration: the text must be a valid configuration
    /// on its own (so an unknown key is reported with its line in the file it is in), and its
    /// table is returned for merging with the other layers.
    pub fn layer_from_toml(text: &str) -> Result<toml::Table, ConfigError> {
        Self::from_toml(text)?;
        toml::from_str(text).map_err(|e| parse_error(text, &e))
    }

    /// Builds a configuration from a (merged) table and validates it.
    pub fn from_table(table: toml::Table) -> Result<Self, ConfigError> {
        let config =
            Config::deserialize(toml::Value::Table(table)).map_err(|e| ConfigError::Parse {
                line: None,
                column: None,
                message: e.message().to_owned(),
            })?;
        config.validate()?;
        Ok(config)
    }

    /// The configuration as a TOML table: every key with its value (unset optional keys
    /// are absent).
    pub fn to_table(&self) -> toml::Table {
        // Plain data with string keys and no NaN: serialising cannot fail.
        toml::Table::try_from(self).unwrap_or_default()
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let d = &self.detection;
        if !(0.0..=1.0).contains(&d.threshold) {
            return Err(ConfigError::Invalid {
                field: "detection.threshold",
                reason: "måste vara mellan 0 och 1",
            });
        }
        let o = &self.output;
        if !(36..=600).contains(&o.dpi) {
            return Err(ConfigError::Invalid {
                field: "output.dpi",
                reason: "måste vara mellan 36 och 600",
            });
        }
        if !(0.0..=20.0).contains(&o.padding_pt) {
            return Err(ConfigError::Invalid {
                field: "output.padding_pt",
                reason: "måste vara mellan 0 och 20 punkter",
            });
        }
        if o.max_megapixels == 0 || o.max_megapixels > 1000 {
            return Err(ConfigError::Invalid {
                field: "output.max_megapixels",
                reason: "måste vara mellan 1 och 1000",
            });
        }
        let n = &self.ner;
        if !(1..=256).contains(&n.batch_size) {
            return Err(ConfigError::Invalid {
                field: "ner.batch_size",
                reason: "måste vara mellan 1 och 256",
            });
        }
        if n.threads > 64 {
            return Err(ConfigError::Invalid {
                field: "ner.threads",
                reason: "måste vara mellan 0 (automatiskt) och 64",
            });
        }
        if n.categories
            .iter()
            .any(|c| !NerPolicy::MODEL_CATEGORIES.contains(c))
        {
            return Err(ConfigError::Invalid {
                field: "ner.categories",
                reason: "får bara innehålla person, location och organisation",
            });
        }
        if !(1..=1000).contains(&self.learned.suppress_after) {
            return Err(ConfigError::Invalid {
                field: "learned.suppress_after",
                reason: "måste vara mellan 1 och 1000",
            });
        }
        let r = &self.ocr;
        if !(100..=600).contains(&r.dpi) {
            return Err(ConfigError::Invalid {
                field: "ocr.dpi",
                reason: "måste vara mellan 100 och 600",
            });
        }
        if !(72..=600).contains(&r.scan_max_dpi) {
            return Err(ConfigError::Invalid {
                field: "ocr.scan_max_dpi",
                reason: "måste vara mellan 72 och 600",
            });
        }
        if !(10..=100).contains(&r.jpeg_quality) {
            return Err(ConfigError::Invalid {
                field: "ocr.jpeg_quality",
                reason: "måste vara mellan 10 och 100",
            });
        }
        if r.languages
            .split('+')
            .any(|l| l.is_empty() || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return Err(ConfigError::Invalid {
                field: "ocr.languages",
                reason: "måste vara Tesseracts språkkoder förenade med +, t.ex. \"swe+eng\"",
            });
        }
        Ok(())
    }
}

/// The NER model (`tusch-ner`): whether it runs, where it is, how it uses the machine, and
/// which of its entity types are findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NerPolicy {
    /// Run the model. Default true. When the model cannot be loaded, redaction fails rather
    /// than silently running without it (names only rules would find could leak); set this
    /// to false to run on the rule detectors alone, knowingly.
    pub enabled: bool,
    /// The model folder (with `manifest.json`). Default: found automatically
    /// (`$TUSCH_MODEL_DIR`, beside the program, the installed share folder, the project's
    /// `models/tusch-ner-sv`).
    pub model_dir: Option<PathBuf>,
    /// ONNX Runtime threads in all. Default 0: one per available core. Each thread is a
    /// single-threaded session running windows of its own, which keeps small machines'
    /// cores busier than one session splitting each window across them.
    pub threads: usize,
    /// Text windows per inference call. Default 1: the shipped model is int8 with dynamic
    /// quantisation, whose activation scales are computed over the whole batch, so a window's
    /// result would depend on the windows batched with it; one window per call is also the
    /// fastest on CPU (no padding; measured in `benches/benches/ner.rs`).
    pub batch_size: usize,
    /// Entity types that become findings. Default `["person"]`: locations and organisations
    /// ("Göteborgs kommun", "Socialnämnden") are rarely personal data, so they are only
    /// masked when a kommun adds them here. `tusch detect-text` reports all three.
    pub categories: Vec<Category>,
}

impl NerPolicy {
    /// The entity types the model knows.
    pub const MODEL_CATEGORIES: [Category; 3] =
        [Category::Person, Category::Location, Category::Organisation];
}

impl Default for NerPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            model_dir: None,
            threads: 0,
            batch_size: 1,
            categories: vec![Category::Person],
        }
    }
}

/// When pages are read with OCR and how scanned pages are written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OcrPolicy {
    /// `auto` (default): OCR pages without a text layer and pages where an image covers
    /// much of the page (a scan, perhaps with an invisible text layer of unknown quality).
    /// `always`: every page. `never`: no page — a scanned page is then written without
    /// anything masked in it, which the report flags.
    pub mode: OcrMode,
    /// Resolution for OCR when the scan's own resolution is unknown, and the most OCR
    /// works at (a 600 DPI scan is read at this). Default 300, what Tesseract is trained
    /// for; lower is faster and loses small print.
    pub dpi: u32,
    /// Tesseract languages. Default `swe+eng`.
    pub languages: String,
    /// Scanned pages are written at their own resolution, never upsampled, but at most
    /// this. Default 300.
    pub scan_max_dpi: u32,
    /// JPEG quality (10–100) of scanned pages in the output. Default 75: text stays
    /// crisp, an A4 page at 300 DPI is a few hundred KB (see docs/architecture.md).
    pub jpeg_quality: u8,
}

impl Default for OcrPolicy {
    fn default() -> Self {
        Self {
            mode: OcrMode::Auto,
            dpi: 300,
            languages: "swe+eng".to_owned(),
            scan_max_dpi: 300,
            jpeg_quality: 75,
        }
    }
}

/// See [`OcrPolicy::mode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OcrMode {
    #[default]
    Auto,
    Always,
    Never,
}

/// What the analyzer reports and what is masked automatically.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectionPolicy {
    /// Findings scoring below this are dropped. Default 0.5: validated matches score
    /// 0.9–1.0, unvalidated patterns with a context word about 0.6–0.8, weak ones below 0.5.
    pub threshold: f32,
    /// Categories never reported (e.g. `["vehicle_plate"]`). Default: none.
    pub disabled: Vec<Category>,
    /// Strings never masked, matched case-insensitively (e.g. the kommun's own staff, the
    /// kommun's name). Default: none.
    pub allow: Vec<String>,
    /// Strings always masked, every occurrence, case-insensitively, genitive `-s` included.
    /// Default: none.
    pub deny: Vec<String>,
    /// Once a person's name is found, also mask every other occurrence of the full name, the
    /// first name alone and the surname alone. Default: true.
    pub propagate_names: bool,
}

impl Default for DetectionPolicy {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            disabled: Vec::new(),
            allow: Vec::new(),
            deny: Vec::new(),
            propagate_names: true,
        }
    }
}

/// How the output PDF is made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputPolicy {
    /// Raster resolution. Default 150: body text at 9 pt and up stays legible and an A4 page
    /// stays small (see `docs/architecture.md` for the measurements behind it).
    pub dpi: u32,
    /// Pixel encoding of the page images. Default `gray4`.
    pub encoding: Encoding,
    /// Extra margin around each character box, in points. Default 1.0: the loose glyph boxes
    /// already cover ascenders and descenders; the margin absorbs anti-aliasing.
    pub padding_pt: f32,
    /// A page whose raster would exceed this many megapixels is refused rather than
    /// rendered. Default 80 (A0 at 150 DPI is about 27).
    pub max_megapixels: u32,
    /// `image` (the default): pages are images and nothing else. `searchable`: the same
    /// images plus an invisible text layer made only by OCR of the masked pages, a tag
    /// tree and `/Lang (sv-SE)` (issue 15).
    pub profile: OutputProfile,
    /// Print the short form of each mask's provision ("OSL 26:1") in white inside the box,
    /// on losslessly stored pages. Default off for the command line; the app's export turns
    /// it on.
    pub provision_labels: bool,
}

/// What the output PDF holds besides the page images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputProfile {
    /// One image per page and nothing else: the safest copy for one requester.
    #[default]
    Image,
    /// The same images plus an invisible OCR text layer of the masked pages, tags and a
    /// language: a copy to publish (accessible, searchable).
    Searchable,
}

impl OutputProfile {
    pub fn as_str(self) -> &'static str {
        match self {
            OutputProfile::Image => "image",
            OutputProfile::Searchable => "searchable",
        }
    }
}

impl Default for OutputPolicy {
    fn default() -> Self {
        Self {
            dpi: 150,
            encoding: Encoding::default(),
            padding_pt: 1.0,
            max_megapixels: 80,
            profile: OutputProfile::Image,
            provision_labels: false,
        }
    }
}

/// How page pixels are stored in the output PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// 8-bit grey, Flate with PNG predictor: exact, largest.
    Gray8,
    /// 4-bit grey (16 levels), Flate: keeps anti-aliased glyph edges, a third of the size.
    #[default]
    Gray4,
    /// 1-bit black and white, Flate: smallest, jagged at low DPI.
    Bilevel,
}

/// A toml error with its byte span turned into a 1-based line and column.
fn parse_error(text: &str, e: &toml::de::Error) -> ConfigError {
    let (line, column) = match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (Some(line), Some(column))
        }
        None => (None, None),
    };
    ConfigError::Parse {
        line,
        column,
        message: e.message().trim_end().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(Config::from_toml("").unwrap(), Config::default());
    }

    #[test]
    fn full_file_parses() {
        let c = Config::from_toml(
            r#"
            [detection]
            threshold = 0.7
            disabled = ["vehicle_plate"]
            allow = ["Ankeby kommun"]
            deny = ["Kalle Anka"]
            [output]
            dpi = 200
            encoding = "gray8"
            [ner]
            enabled = false
            threads = 2
            batch_size = 16
            model_dir = "/opt/tusch/modell"
            categories = ["person", "organisation"]
            "#,
        )
        .unwrap();
        assert_eq!(c.detection.disabled, vec![Category::VehiclePlate]);
        assert_eq!(c.output.dpi, 200);
        assert_eq!(c.output.encoding, Encoding::Gray8);
        assert!(!c.ner.enabled);
        assert_eq!(c.ner.threads, 2);
        assert_eq!(c.ner.batch_size, 16);
        assert_eq!(c.ner.model_dir, Some(PathBuf::from("/opt/tusch/modell")));
        assert_eq!(
            c.ner.categories,
            vec![Category::Person, Category::Organisation]
        );
    }

    #[test]
    fn ocr_section() {
        let c =
            Config::from_toml("[ocr]\nmode = \"always\"\ndpi = 250\nlanguages = \"swe\"").unwrap();
        assert_eq!(c.ocr.mode, OcrMode::Always);
        assert_eq!(c.ocr.dpi, 250);
        assert!(Config::from_toml("[ocr]\nmode = \"sometimes\"").is_err());
        assert!(Config::from_toml("[ocr]\nlanguage = \"swe\"").is_err());
        assert!(Config::from_toml("[ocr]\nlanguages = \"swe;rm -rf\"").is_err());
        assert!(Config::from_toml("[ocr]\ndpi = 2000").is_err());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        assert!(Config::from_toml("[detection]\nthreshhold = 0.3").is_err());
        assert!(Config::from_toml("[detection]\nthreshold = 3").is_err());
        assert!(Config::from_toml("[output]\ndpi = 5").is_err());
        assert!(Config::from_toml("[detection]\ndisabled = [\"nonsense\"]").is_err());
        assert!(Config::from_toml("[ner]\nenable = false").is_err());
        assert!(Config::from_toml("[ner]\nbatch_size = 0").is_err());
        assert!(Config::from_toml("[ner]\ncategories = [\"phone\"]").is_err());
    }
}

#[cfg(test)]
mod audit_policy_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_audit_trail_is_on_by_default_and_its_path_configurable() {
        assert!(Config::default().audit.enabled);
        let c = Config::from_toml("[audit]\npath = \"/var/log/tusch/audit.jsonl\"\n").unwrap();
        assert!(c.audit.enabled);
        assert_eq!(
            c.audit.path.as_deref(),
            Some(std::path::Path::new("/var/log/tusch/audit.jsonl"))
        );
        assert!(
            !Config::from_toml("[audit]\nenabled = false\n")
                .unwrap()
                .audit
                .enabled
        );
        assert!(Config::from_toml("[audit]\nfil = \"x\"\n").is_err());
    }
}

#[cfg(test)]
mod layer_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_unknown_key_is_reported_with_its_line_and_column() {
        let e =
            Config::from_toml("[detection]\nthreshold = 0.6\n\n  threshhold = 0.3\n").unwrap_err();
        let ConfigError::Parse { line, column, .. } = &e else {
            panic!("{e:?}");
        };
        assert_eq!((*line, *column), (Some(4), Some(3)));
        let text = e.to_string();
        assert!(text.starts_with("rad 4, kolumn 3: "), "{text}");
        assert!(text.contains("threshhold"), "{text}");
    }

    #[test]
    fn a_layer_is_its_own_table_and_must_be_valid_alone() {
        let t = Config::layer_from_toml("[output]\ndpi = 200\n").unwrap();
        assert_eq!(t["output"]["dpi"].as_integer(), Some(200));
        assert!(t.get("detection").is_none());
        assert!(Config::layer_from_toml("[output]\ndpi = 5\n").is_err());
        assert!(Config::layer_from_toml("dpi = 200\n").is_err());
    }

    #[test]
    fn the_table_round_trips() {
        let c = Config::default();
        assert_eq!(Config::from_table(c.to_table()).unwrap(), c);
    }
}

#[cfg(test)]
mod keyed_policy_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn learned_and_protected_are_off_by_default_and_strict() {
        let c = Config::default();
        assert_eq!(c.protected.path, None);
        assert_eq!(c.learned.path, None);
        assert_eq!(c.learned.suppress_after, 3);
        let c = Config::from_toml(
            "[learned]\npath = \"/var/lib/tusch/inlard.json\"\nsuppress_after = 5\n[protected]\npath = \"/etc/tusch/skyddade.json\"\n",
        )
        .unwrap();
        assert_eq!(c.learned.suppress_after, 5);
        assert!(c.protected.path.is_some());
        assert!(Config::from_toml("[learned]\nsuppress_after = 0\n").is_err());
        assert!(Config::from_toml("[protected]\nnames = [\"x\"]\n").is_err());
    }
}

//! The configuration in layers, read from disk here so that `tusch-core` never touches it.
//!
//! ```text
//! built-in defaults            (Config::default(), tusch-core)
//!   < /etc/tusch/tusch.toml    the kommun's policy (the package ships it, all commented out)
//!   < $XDG_CONFIG_HOME/tusch/tusch.toml, else ~/.config/tusch/tusch.toml   the user's own
//!   < --config FILE            one run
//! ```
//!
//! Layers merge at the TOML-table level: a key set in a higher layer replaces the same key
//! of a lower one, whole (an `allow` list in the user's file replaces the kommun's, it does
//! not extend it); sections merge key by key, so a user who sets only `[output] dpi` keeps
//! the kommun's `[detection]`. Each file must be a valid configuration on its own: an unknown
//! key is an error naming the file, the line and the column, never ignored — a typo must
//! not silently weaken the policy. A missing system or user file is no error; a missing
//! `--config` file is.
//!
//! The layers are defaults, not enforcement: a user can override any key of the kommun's
//! file with their own or with `--config`. The CLI (every command) and the desktop app (through
//! `tusch-review`) load the same layers through [`load`]; `tusch config` prints the result
//! with [`LayeredConfig::annotated_toml`], saying where each value came from.
//!
//! The system and user paths come in through [`ConfigPaths`], so tests inject their own.
//! [`ConfigPaths::standard`] honours `TUSCH_SYSTEM_CONFIG` in place of
//! `/etc/tusch/tusch.toml`, for tests of the binaries and for trying a new policy before it
//! is installed.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use tusch_core::{Config, ConfigError};

/// The kommun's policy file, where the package installs its commented example.
pub const SYSTEM_CONFIG: &str = "/etc/tusch/tusch.toml";

/// Where the system and user layers are read from. `None` skips the layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPaths {
    pub system: Option<PathBuf>,
    pub user: Option<PathBuf>,
}

impl ConfigPaths {
    /// The paths of this process's environment: `$TUSCH_SYSTEM_CONFIG` or
    /// `/etc/tusch/tusch.toml`, and `$XDG_CONFIG_HOME/tusch/tusch.toml` or
    /// `$HOME/.config/tusch/tusch.toml`.
    pub fn standard() -> Self {
        Self::from_env(
            std::env::var_os("TUSCH_SYSTEM_CONFIG"),
            std::env::var_os("XDG_CONFIG_HOME"),
            std::env::var_os("HOME"),
        )
    }

    /// [`ConfigPaths::standard`] from given values of the three variables. A relative or
    /// empty `XDG_CONFIG_HOME` is ignored, as the XDG base directory specification says.
    pub fn from_env(
        system: Option<OsString>,
        xdg_config_home: Option<OsString>,
        home: Option<OsString>,
    ) -> Self {
        let system = match system {
            Some(s) if !s.is_empty() => PathBuf::from(s),
            _ => PathBuf::from(SYSTEM_CONFIG),
        };
        let user_dir = match xdg_config_home.map(PathBuf::from) {
            Some(d) if d.is_absolute() => Some(d),
            _ => home
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".config")),
        };
        Self {
            system: Some(system),
            user: user_dir.map(|d| d.join("tusch").join("tusch.toml")),
        }
    }
}

/// Which layer a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    /// `/etc/tusch/tusch.toml`: the kommun's policy.
    System,
    /// `~/.config/tusch/tusch.toml`: the user's own.
    User,
    /// `--config FILE`.
    CommandLine,
}

impl LayerKind {
    fn describe(self) -> &'static str {
        match self {
            LayerKind::System => "kommunens policy",
            LayerKind::User => "användarens egen",
            LayerKind::CommandLine => "--config",
        }
    }
}

/// One layer that was looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    pub kind: LayerKind,
    pub path: PathBuf,
    /// Whether the file existed and was read.
    pub found: bool,
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default.
    Default,
    /// The highest layer that set it.
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("standardvärde"),
            Origin::File(p) => write!(f, "från {}", p.display()),
        }
    }
}

/// Why the configuration could not be loaded. The message names the file; the cause (with
/// the line and column for a parse error) is the `source`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigLoadError {
    #[error("kunde inte läsa konfigurationsfilen {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("fel i konfigurationsfilen {path}")]
    Invalid {
        path: PathBuf,
        #[source]
        source: ConfigError,
    },
    /// Every file is valid alone but not together (cannot happen with today's keys, which
    /// are checked independently; kept so a future cross-key rule fails loudly).
    #[error("konfigurationen från {files} är ogiltig tillsammans")]
    Merged {
        files: String,
        #[source]
        source: ConfigError,
    },
}

/// The effective configuration and where each of its values came from.
#[derive(Debug, Clone)]
pub struct LayeredConfig {
    /// The merged, validated configuration.
    pub config: Config,
    /// Every layer looked for, lowest first.
    pub layers: Vec<Layer>,
    /// The merged table of every file's keys (what the files say, as written).
    merged: toml::Table,
    /// `section.key` → the file that set it last.
    origins: BTreeMap<String, PathBuf>,
}

/// Reads the layers (`paths`, then `explicit` from `--config`), merges and validates them.
pub fn load(
    paths: &ConfigPaths,
    explicit: Option<&Path>,
) -> Result<LayeredConfig, ConfigLoadError> {
    let mut wanted = Vec::new();
    if let Some(p) = &paths.system {
        wanted.push((LayerKind::System, p.clone()));
    }
    if let Some(p) = &paths.user {
        wanted.push((LayerKind::User, p.clone()));
    }
    if let Some(p) = explicit {
        wanted.push((LayerKind::CommandLine, p.to_owned()));
    }
    let mut layers = Vec::new();
    let mut merged = toml::Table::new();
    let mut origins = BTreeMap::new();
    for (kind, path) in wanted {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound && kind != LayerKind::CommandLine =>
            {
                layers.push(Layer {
                    kind,
                    path,
                    found: false,
                });
                continue;
            }
            Err(source) => return Err(ConfigLoadError::Read { path, source }),
        };
        let table = Config::layer_from_toml(&text).map_err(|source| ConfigLoadError::Invalid {
            path: path.clone(),
            source,
        })?;
        merge(&mut merged, table, &path, "", &mut origins);
        layers.push(Layer {
            kind,
            path,
            found: true,
        });
    }
    let config = Config::from_table(merged.clone()).map_err(|source| ConfigLoadError::Merged {
        files: layers
            .iter()
            .filter(|l| l.found)
            .map(|l| l.path.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        source,
    })?;
    Ok(LayeredConfig {
        config,
        layers,
        merged,
        origins,
    })
}

/// [`load`] with this process's [`ConfigPaths::standard`].
pub fn load_standard(explicit: Option<&Path>) -> Result<LayeredConfig, ConfigLoadError> {
    load(&ConfigPaths::standard(), explicit)
}

/// Merges `over` into `base`: tables key by key, anything else (numbers, strings, lists)
/// replaced whole. Records, for every value set, the file it came from.
fn merge(
    base: &mut toml::Table,
    over: toml::Table,
    file: &Path,
    prefix: &str,
    origins: &mut BTreeMap<String, PathBuf>,
) {
    for (key, value) in over {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => {
                merge(b, o, file, &path, origins);
            }
            (_, toml::Value::Table(o)) => {
                let mut fresh = toml::Table::new();
                merge(&mut fresh, o, file, &path, origins);
                base.insert(key, toml::Value::Table(fresh));
            }
            (_, v) => {
                origins.insert(path, file.to_owned());
                base.insert(key, v);
            }
        }
    }
}

impl LayeredConfig {
    /// Where `section.key` came from.
    pub fn origin(&self, section: &str, key: &str) -> Origin {
        match self.origins.get(&format!("{section}.{key}")) {
            Some(p) => Origin::File(p.clone()),
            None => Origin::Default,
        }
    }

    /// The files that were read, lowest layer first.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.layers
            .iter()
            .filter(|l| l.found)
            .map(|l| l.path.as_path())
    }

    /// The effective configuration as TOML, every key with a comment saying where its value
    /// came from (`# från /etc/tusch/tusch.toml`, `# standardvärde`); unset optional keys as
    /// comments. Valid TOML: it can be saved as a configuration file. In Swedish, for the
    /// kommun's IT.
    pub fn annotated_toml(&self) -> String {
        let mut out = String::from(
            "# Gällande konfiguration för tusch. Lager, från lägsta till högsta:\n\
             #   inbyggda standardvärden\n",
        );
        for l in &self.layers {
            let state = if l.found { "" } else { " (finns inte)" };
            out.push_str(&format!(
                "#   {} ({}){state}\n",
                l.path.display(),
                l.kind.describe()
            ));
        }
        out.push_str("# Ett värde i ett högre lager ersätter samma nyckel i ett lägre.\n");
        let defaults = self.config_defaults();
        for (section, keys) in &defaults {
            out.push_str(&format!("\n[{section}]\n"));
            let set = self.merged.get(section).and_then(toml::Value::as_table);
            for (key, default) in keys {
                let origin = self.origin(section, key);
                match set.and_then(|t| t.get(key)).or(default.as_ref()) {
                    Some(v) => out.push_str(&format!("{key} = {v}  # {origin}\n")),
                    None => out.push_str(&format!("# {key} = …  (inte satt; {origin})\n")),
                }
            }
        }
        out
    }

    /// Every section and key of the configuration with its default value (`None` for an
    /// optional key that is unset by default), in the order toml prints them.
    fn config_defaults(&self) -> BTreeMap<String, BTreeMap<String, Option<toml::Value>>> {
        let table = Config::default().to_table();
        let mut out: BTreeMap<String, BTreeMap<String, Option<toml::Value>>> = BTreeMap::new();
        for (section, keys) in &table {
            if let Some(keys) = keys.as_table() {
                let entry = out.entry(section.clone()).or_default();
                for (k, v) in keys {
                    entry.insert(k.clone(), Some(v.clone()));
                }
            }
        }
        // Optional keys unset by default are absent from the table: add them from the
        // schema, and whatever a file set (so a set optional key is printed too).
        for (section, key) in OPTIONAL_KEYS {
            out.entry((*section).to_owned())
                .or_default()
                .entry((*key).to_owned())
                .or_insert(None);
        }
        out
    }
}

/// The optional keys of [`Config`] (those with no default value), which its serialised
/// default cannot list. A test checks this list against the configuration's fields.
const OPTIONAL_KEYS: &[(&str, &str)] = &[("ner", "model_dir"), ("audit", "path")];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    struct Files {
        dir: tempfile::TempDir,
    }

    impl Files {
        fn new() -> Self {
            Self {
                dir: tempfile::tempdir().unwrap(),
            }
        }
        fn write(&self, name: &str, text: &str) -> PathBuf {
            let p = self.dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
            p
        }
        fn paths(&self) -> ConfigPaths {
            ConfigPaths {
                system: Some(self.dir.path().join("etc/tusch.toml")),
                user: Some(self.dir.path().join("home/.config/tusch/tusch.toml")),
            }
        }
    }

    #[test]
    fn each_layer_overrides_the_one_below() {
        let f = Files::new();
        let system = f.write(
            "etc/tusch.toml",
            "[output]\ndpi = 200\npadding_pt = 2.0\nmax_megapixels = 50\n",
        );
        let user = f.write(
            "home/.config/tusch/tusch.toml",
            "[output]\npadding_pt = 3.0\nmax_megapixels = 60\n",
        );
        let cli = f.write("run.toml", "[output]\nmax_megapixels = 70\n");
        let l = load(&f.paths(), Some(&cli)).unwrap();
        let o = &l.config.output;
        assert_eq!(o.encoding, tusch_core::Encoding::Gray4);
        assert_eq!(l.origin("output", "encoding"), Origin::Default);
        assert_eq!(o.dpi, 200);
        assert_eq!(l.origin("output", "dpi"), Origin::File(system.clone()));
        assert_eq!(o.padding_pt, 3.0);
        assert_eq!(l.origin("output", "padding_pt"), Origin::File(user.clone()));
        assert_eq!(o.max_megapixels, 70);
        assert_eq!(
            l.origin("output", "max_megapixels"),
            Origin::File(cli.clone())
        );
        assert_eq!(l.files().collect::<Vec<_>>(), [&*system, &*user, &*cli]);
    }

    #[test]
    fn sections_merge_key_by_key_and_lists_are_replaced_whole() {
        let f = Files::new();
        f.write(
            "etc/tusch.toml",
            "[detection]\nthreshold = 0.7\nallow = [\"Ankeby kommun\", \"Karin Handläggare\"]\n\
             [ner]\ncategories = [\"person\", \"organisation\"]\n",
        );
        f.write(
            "home/.config/tusch/tusch.toml",
            "[detection]\nallow = [\"Ankeby kommun\"]\n[output]\ndpi = 300\n",
        );
        let c = load(&f.paths(), None).unwrap().config;
        assert_eq!(c.detection.threshold, 0.7, "kept from the system layer");
        assert_eq!(
            c.detection.allow,
            ["Ankeby kommun"],
            "the user's list replaces it"
        );
        assert_eq!(c.ner.categories.len(), 2);
        assert_eq!(c.output.dpi, 300);
        assert!(c.detection.propagate_names, "the default");
    }

    #[test]
    fn missing_system_and_user_files_give_the_defaults_but_a_missing_config_file_is_an_error() {
        let f = Files::new();
        let l = load(&f.paths(), None).unwrap();
        assert_eq!(l.config, Config::default());
        assert_eq!(l.files().count(), 0);
        assert_eq!(l.layers.len(), 2);
        let e = load(&f.paths(), Some(&f.dir.path().join("nope.toml"))).unwrap_err();
        assert!(matches!(e, ConfigLoadError::Read { .. }), "{e:?}");
        assert!(e.to_string().contains("nope.toml"));
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_the_file_and_line() {
        let f = Files::new();
        f.write("etc/tusch.toml", "[output]\ndpi = 200\n");
        let user = f.write(
            "home/.config/tusch/tusch.toml",
            "# min egen\n[detection]\nthreshold = 0.6\nthreshhold = 0.3\n",
        );
        let e = load(&f.paths(), None).unwrap_err();
        let ConfigLoadError::Invalid { path, source } = &e else {
            panic!("{e:?}");
        };
        assert_eq!(path, &user);
        assert!(
            matches!(source, ConfigError::Parse { line: Some(4), .. }),
            "{source:?}"
        );
        let full = format!("{e}: {source}");
        assert!(full.contains(&user.display().to_string()), "{full}");
        assert!(full.contains("rad 4"), "{full}");
        assert!(full.contains("threshhold"), "{full}");
    }

    #[test]
    fn an_out_of_range_value_names_the_file() {
        let f = Files::new();
        let system = f.write("etc/tusch.toml", "[output]\ndpi = 5\n");
        let e = load(&f.paths(), None).unwrap_err();
        assert!(
            matches!(&e, ConfigLoadError::Invalid { path, source: ConfigError::Invalid { field: "output.dpi", .. } } if path == &system),
            "{e:?}"
        );
    }

    #[test]
    fn the_annotated_output_says_where_each_value_came_from_and_parses_back() {
        let f = Files::new();
        let system = f.write(
            "etc/tusch.toml",
            "[detection]\nthreshold = 0.7\nallow = [\"Ankeby kommun\"]\n[audit]\npath = \"/var/log/tusch/audit.jsonl\"\n",
        );
        let l = load(&f.paths(), None).unwrap();
        let text = l.annotated_toml();
        let from = format!("# från {}", system.display());
        assert!(
            text.contains(&format!("threshold = 0.7  {from}\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("allow = [\"Ankeby kommun\"]  {from}\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("path = \"/var/log/tusch/audit.jsonl\"  {from}\n")),
            "{text}"
        );
        assert!(text.contains("dpi = 150  # standardvärde\n"), "{text}");
        assert!(
            text.contains("# model_dir = …  (inte satt; standardvärde)\n"),
            "{text}"
        );
        assert!(
            text.contains("(finns inte)"),
            "the missing user layer is listed: {text}"
        );
        // What it prints is the configuration itself.
        assert_eq!(Config::from_toml(&text).unwrap(), l.config);
    }

    #[test]
    fn every_optional_key_is_listed() {
        // Config::default() with every optional key set, serialised: the keys absent from
        // the plain default's table must be exactly OPTIONAL_KEYS.
        let mut full = Config::default();
        full.ner.model_dir = Some("/m".into());
        full.audit.path = Some("/a".into());
        let (all, plain) = (full.to_table(), Config::default().to_table());
        let mut missing = Vec::new();
        for (section, keys) in &all {
            for key in keys.as_table().unwrap().keys() {
                if plain[section].get(key).is_none() {
                    missing.push((section.as_str(), key.as_str()));
                }
            }
        }
        missing.sort_unstable();
        let mut expected = OPTIONAL_KEYS.to_vec();
        expected.sort_unstable();
        assert_eq!(missing, expected);
    }

    /// The commented example the package installs as `/etc/tusch/tusch.toml`: as shipped it
    /// sets nothing, and with its settings uncommented every key it names is a real key.
    #[test]
    fn the_shipped_example_is_empty_and_its_commented_keys_are_real() {
        let example = include_str!("../../../packaging/tusch.toml");
        assert_eq!(
            Config::layer_from_toml(example).unwrap(),
            toml::Table::new()
        );
        let uncommented: String = example
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| is_setting(l))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(uncommented.matches(" = ").count() >= 15, "{uncommented}");
        Config::from_toml(&uncommented).unwrap();
    }

    /// `[section]` or `key = value`.
    fn is_setting(line: &str) -> bool {
        let section = line.starts_with('[') && line.ends_with(']') && !line.contains(' ');
        let key = line.split_once(" = ").is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        });
        section || key
    }

    #[test]
    fn standard_paths_follow_xdg() {
        let p = ConfigPaths::from_env(None, Some("/x/conf".into()), Some("/home/a".into()));
        assert_eq!(p.system.as_deref(), Some(Path::new(SYSTEM_CONFIG)));
        assert_eq!(
            p.user.as_deref(),
            Some(Path::new("/x/conf/tusch/tusch.toml"))
        );
        let p = ConfigPaths::from_env(
            Some("/t/s.toml".into()),
            Some("rel".into()),
            Some("/home/a".into()),
        );
        assert_eq!(p.system.as_deref(), Some(Path::new("/t/s.toml")));
        assert_eq!(
            p.user.as_deref(),
            Some(Path::new("/home/a/.config/tusch/tusch.toml"))
        );
        assert_eq!(ConfigPaths::from_env(None, None, None).user, None);
    }
}

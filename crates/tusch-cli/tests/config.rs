//! The configuration in layers as the `tusch` binary reads it: built-in defaults <
//! the system file (`TUSCH_SYSTEM_CONFIG` standing in for `/etc/tusch/tusch.toml`) < the
//! user's `$XDG_CONFIG_HOME/tusch/tusch.toml` < `--config`, and `tusch config`'s output.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary machine: a system file, a home folder, and nothing from the real machine's
/// /etc or home.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn new() -> Self {
        let m = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(m.home().join(".config/tusch")).unwrap();
        m
    }
    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }
    fn system(&self) -> PathBuf {
        self.dir.path().join("etc/tusch.toml")
    }
    fn user(&self) -> PathBuf {
        self.home().join(".config/tusch/tusch.toml")
    }
    fn write(&self, path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    fn tusch(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tusch"))
            .args(args)
            .env("TUSCH_SYSTEM_CONFIG", self.system())
            .env("HOME", self.home())
            .env_remove("XDG_CONFIG_HOME")
            .output()
            .unwrap()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn tusch_config_shows_all_four_layers_and_where_each_value_came_from() {
    let m = Machine::new();
    m.write(
        &m.system(),
        "# kommunens policy\n[detection]\nthreshold = 0.7\nallow = [\"Ankeby kommun\"]\n\
         [output]\ndpi = 200\npadding_pt = 2.0\nmax_megapixels = 50\n",
    );
    m.write(
        &m.user(),
        "[output]\npadding_pt = 3.0\nmax_megapixels = 60\n",
    );
    let run = m.dir.path().join("run.toml");
    m.write(&run, "[output]\nmax_megapixels = 70\n");
    let o = m.tusch(&["config", "--config", run.to_str().unwrap()]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let from = |p: &Path| format!("# från {}", p.display());
    for line in [
        format!("threshold = 0.7  {}", from(&m.system())),
        format!("allow = [\"Ankeby kommun\"]  {}", from(&m.system())),
        "deny = []  # standardvärde".to_owned(),
        format!("dpi = 200  {}", from(&m.system())),
        format!("padding_pt = 3.0  {}", from(&m.user())),
        format!("max_megapixels = 70  {}", from(&run)),
        "encoding = \"gray4\"  # standardvärde".to_owned(),
        "# model_dir = …  (inte satt; standardvärde)".to_owned(),
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing {line:?} in:\n{out}"
        );
    }
    for section in ["[audit]", "[detection]", "[ner]", "[ocr]", "[output]"] {
        assert!(out.lines().any(|l| l == section), "{section} in:\n{out}");
    }
    // The header lists the layers, lowest first.
    let sys = out.find(&m.system().display().to_string()).unwrap();
    let user = out.find(&m.user().display().to_string()).unwrap();
    let cli = out.find(&run.display().to_string()).unwrap();
    assert!(sys < user && user < cli, "{out}");
}

#[test]
fn without_files_tusch_config_prints_the_defaults() {
    let m = Machine::new();
    let o = m.tusch(&["config"]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(out.contains("(finns inte)"), "{out}");
    let values: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains(" = "))
        .collect();
    assert!(!values.is_empty());
    assert!(
        values.iter().all(|l| l.ends_with("# standardvärde")),
        "{out}"
    );
}

#[test]
fn an_unknown_key_stops_every_command_with_the_file_and_line() {
    let m = Machine::new();
    m.write(&m.system(), "[output]\ndpi = 200\n");
    m.write(
        &m.user(),
        "[detection]\nthreshold = 0.6\nthreshhold = 0.3\n",
    );
    let pdf = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/documents/beslut-bistand.pdf");
    let out = m.dir.path().join("ut.pdf");
    for args in [
        vec!["config"],
        vec!["detect", pdf.to_str().unwrap()],
        vec!["redact", pdf.to_str().unwrap(), "-o", out.to_str().unwrap()],
    ] {
        let o = m.tusch(&args);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&m.user().display().to_string()),
            "{args:?}: {err}"
        );
        assert!(err.contains("rad 3"), "{args:?}: {err}");
        assert!(err.contains("threshhold"), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    assert!(!out.exists());
}

#[test]
fn a_missing_config_file_is_an_error_but_missing_system_and_user_files_are_not() {
    let m = Machine::new();
    let o = m.tusch(&["config", "--config", "/finns/inte.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("/finns/inte.toml"));
}

//! Finding ONNX Runtime and the model folder, the way `tusch-pdf` finds pdfium.
//!
//! ONNX Runtime comes from the `onnxruntime` wheel on PyPI; `make setup` puts
//! `libonnxruntime.so` in the project's `native/lib/`. It is looked up, in order, at:
//!
//! 1. `$TUSCH_ONNXRUNTIME` (a file, or a folder holding `libonnxruntime.so`);
//! 2. beside the running executable, or in `lib/` or `../lib/tusch/` next to it (installed
//!    layouts), or one folder up (test and bench binaries live in `target/*/deps`);
//! 3. the project's `native/lib/`, as it was when the binary was built;
//! 4. `/usr/lib/tusch/`, where the Debian package installs it.
//!
//! The model folder (`tusch-ner-sv`, holding `manifest.json`) is looked up at the
//! configuration's `[ner] model_dir`, then `$TUSCH_MODEL_DIR`, then `models/tusch-ner-sv`
//! beside the executable (and one folder up), `../share/tusch/models/tusch-ner-sv` next to
//! it, the project's `models/tusch-ner-sv` as it was at build time, and finally
//! `/usr/share/tusch/models/tusch-ner-sv`, where the Debian package installs it.
//!
//! The installed `/usr/bin/tusch` and `/usr/bin/tusch-desktop` find `/usr/lib/tusch` and
//! `/usr/share/tusch/models` through the paths relative to the executable (`../lib/tusch`,
//! `../share/tusch/models`), before the checkout compiled into them; the absolute fallbacks
//! serve binaries run from elsewhere on a machine with the package installed.

use std::path::{Path, PathBuf};

const LIB_NAME: &str = "libonnxruntime.so";
const MODEL_NAME: &str = "tusch-ner-sv";

/// The folder `make setup` installs native libraries into, fixed at build time.
const PROJECT_LIB_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../native/lib");
/// The project's shipped models, fixed at build time.
const PROJECT_MODEL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models");
/// Where the Debian package installs ONNX Runtime.
const INSTALLED_LIB_DIR: &str = "/usr/lib/tusch";
/// Where the Debian package installs the models.
const INSTALLED_MODEL_DIR: &str = "/usr/share/tusch/models";

fn exe_dir() -> Option<PathBuf> {
    std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
}

/// Where ONNX Runtime would be loaded from, in search order (existing files only).
pub fn runtime_candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = std::env::var_os("TUSCH_ONNXRUNTIME") {
        let p = PathBuf::from(p);
        out.push(if p.is_dir() { p.join(LIB_NAME) } else { p });
    }
    if let Some(dir) = exe_dir() {
        out.push(dir.join(LIB_NAME));
        out.push(dir.join("lib").join(LIB_NAME));
        out.push(dir.join("../lib/tusch").join(LIB_NAME));
        if let Some(parent) = dir.parent() {
            out.push(parent.join(LIB_NAME));
        }
    }
    out.push(Path::new(PROJECT_LIB_DIR).join(LIB_NAME));
    out.push(Path::new(INSTALLED_LIB_DIR).join(LIB_NAME));
    out.into_iter().filter(|p| p.is_file()).collect()
}

/// Where the model would be loaded from, in search order (folders with a `manifest.json`
/// only). `configured` is the configuration's `[ner] model_dir`; when it is given it is the
/// only candidate, so a typo in it is an error rather than a silent fallback.
pub fn model_candidates(configured: Option<&Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = configured {
        out.push(p.to_owned());
    } else {
        if let Some(p) = std::env::var_os("TUSCH_MODEL_DIR") {
            out.push(PathBuf::from(p));
        }
        if let Some(dir) = exe_dir() {
            out.push(dir.join("models").join(MODEL_NAME));
            if let Some(parent) = dir.parent() {
                out.push(parent.join("models").join(MODEL_NAME));
            }
            out.push(dir.join("../share/tusch/models").join(MODEL_NAME));
        }
        out.push(Path::new(PROJECT_MODEL_DIR).join(MODEL_NAME));
        out.push(Path::new(INSTALLED_MODEL_DIR).join(MODEL_NAME));
    }
    out.into_iter()
        .filter(|p| p.join("manifest.json").is_file())
        .collect()
}

/// Loads the model named by the configuration (`[ner] model_dir`), or the first one
/// [`model_candidates`] finds, with the configuration's run options.
pub fn load_model(config: &tusch_core::Config) -> Result<crate::NerModel, crate::NerError> {
    let dir = model_candidates(config.ner.model_dir.as_deref())
        .into_iter()
        .next()
        .ok_or(crate::NerError::ModelNotFound)?;
    crate::NerModel::load(
        &dir,
        crate::RunOptions {
            threads: config.ner.threads,
            batch_size: config.ner.batch_size,
            sessions: 0,
        },
    )
}

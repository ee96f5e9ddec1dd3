//! Finding and loading pdfium.
//!
//! pdfium comes from the `pypdfium2` wheel on PyPI (Debian packages none); `make setup` puts
//! it in the project's `native/lib/`. The library is looked up, in order, at:
//!
//! 1. `$TUSCH_PDFIUM` (a file, or a folder holding `libpdfium.so`) — an explicit override;
//! 2. beside the running executable, or in `lib/` or `../lib/tusch/` next to it (installed
//!    layouts);
//! 3. the project's `native/lib/` folder, as it was when the binary was built;
//! 4. `/usr/lib/tusch/`, where the Debian package `tusch` installs it (`make deb`) — for a
//!    binary that is not itself in `/usr/bin` (a copy, a development build without
//!    `native/`).
//!
//! The installed `/usr/bin/tusch` finds `/usr/lib/tusch/libpdfium.so` at step 2, before the
//! project folder compiled into it, so a package never loads a library from the checkout it
//! was built in.
//!
//! pdfium-render keeps its bindings in one global per process, so there is exactly one
//! [`Pdfium`] per process, made on first use. Its `thread_safe` feature serialises every call,
//! which is what pdfium needs: it may be called from several threads, one call at a time.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pdfium_render::prelude::{Pdfium, PdfiumLibraryBindings, PdfiumLibraryBindingsAccessor};

use crate::error::PdfError;

const LIB_NAME: &str = "libpdfium.so";

/// The folder `make setup` installs native libraries into, fixed at build time.
const PROJECT_LIB_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../native/lib");
/// Where the Debian package installs the native libraries.
pub const INSTALLED_LIB_DIR: &str = "/usr/lib/tusch";

static PDFIUM: OnceLock<Result<Pdfium, String>> = OnceLock::new();

/// Where pdfium would be loaded from, in search order (existing files only).
pub fn candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = std::env::var_os("TUSCH_PDFIUM") {
        let p = PathBuf::from(p);
        out.push(if p.is_dir() { p.join(LIB_NAME) } else { p });
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        out.push(dir.join(LIB_NAME));
        out.push(dir.join("lib").join(LIB_NAME));
        out.push(dir.join("../lib/tusch").join(LIB_NAME));
        // Test and bench binaries live one level further down, in target/*/deps.
        if let Some(parent) = dir.parent() {
            out.push(parent.join(LIB_NAME));
        }
    }
    out.push(Path::new(PROJECT_LIB_DIR).join(LIB_NAME));
    out.push(Path::new(INSTALLED_LIB_DIR).join(LIB_NAME));
    out.into_iter().filter(|p| p.is_file()).collect()
}

/// The process-wide pdfium instance, loaded on first use.
pub fn pdfium() -> Result<&'static Pdfium, PdfError> {
    PDFIUM
        .get_or_init(|| {
            let Some(path) = candidates().into_iter().next() else {
                return Err(format!(
                    "{LIB_NAME} was not found beside the program, in $TUSCH_PDFIUM, in the \
                     project's native/lib (run `make setup`) or in {INSTALLED_LIB_DIR}"
                ));
            };
            let bindings = Pdfium::bind_to_library(&path)
                .map_err(|e| format!("could not load {}: {e}", path.display()))?;
            Ok(Pdfium::new(bindings))
        })
        .as_ref()
        .map_err(|e| PdfError::Library(e.clone()))
}

/// The raw function table of the loaded library.
pub(crate) fn bindings() -> Result<&'static dyn PdfiumLibraryBindings, PdfError> {
    Ok(pdfium()?.bindings())
}

//! What each command does, over the shared session, without any Tauri type: the commands
//! in `main.rs` are one-line adapters to these, and the tests below call them directly
//! against the engine with a fixture PDF — no webview.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use tusch_review::core::{Category, DisplayRect, MaskState};
use tusch_review::{Catalogue, DocumentView, ExportOutcome, ReviewError, Session};

/// The error the window receives: one Swedish sentence for the registrar, and a stable
/// code the window branches on ([`ReviewError::code`]; `app` for the shell's own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    pub code: &'static str,
    pub message: String,
}

impl IpcError {
    /// An error of the shell itself (a bad address, a note at start).
    pub fn app(message: impl Into<String>) -> Self {
        Self {
            code: "app",
            message: message.into(),
        }
    }
}

impl From<ReviewError> for IpcError {
    fn from(e: ReviewError) -> Self {
        // The cause chain carries paths and object kinds only (never document text).
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            let m = s.to_string();
            if !message.contains(&m) {
                message.push_str(": ");
                message.push_str(&m);
            }
            source = s.source();
        }
        Self {
            code: e.code(),
            message,
        }
    }
}

pub type Result<T> = std::result::Result<T, IpcError>;

/// The app's state: the session behind one lock, and the paths given on the command line.
#[derive(Debug, Clone)]
pub struct App {
    pub session: Arc<Mutex<Session>>,
    pub initial: Vec<PathBuf>,
}

impl App {
    pub fn lock(&self) -> MutexGuard<'_, Session> {
        // A command panicked while holding the lock. Carry on with the state as it is (the
        // registrar sees it in the view) rather than refuse every further command.
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs a change on one document and returns its new view.
    pub fn change(
        &self,
        id: u32,
        f: impl FnOnce(&mut Session) -> std::result::Result<(), ReviewError>,
    ) -> Result<DocumentView> {
        let mut s = self.lock();
        f(&mut s)?;
        Ok(s.view(id)?)
    }
}

/// Files that could not be opened, with the reason, beside the ones that could.
#[derive(Debug, Clone, Serialize)]
pub struct Opened {
    pub documents: Vec<DocumentView>,
    pub ids: Vec<u32>,
    pub errors: Vec<String>,
}

/// Opens the files (quickly: no analysis yet). The caller starts each analysis.
pub fn open(app: &App, paths: &[PathBuf]) -> Opened {
    let mut s = app.lock();
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        match s.open(p) {
            Ok(id) => ids.push(id),
            Err(e) => errors.push(IpcError::from(e).message),
        }
    }
    Opened {
        documents: s.views(),
        ids,
        errors,
    }
}

/// Runs a document's analysis (on the calling thread, without holding the lock during the
/// work), reporting pages done through `on_page`.
pub fn analyse(app: &App, id: u32, on_page: &(dyn Fn(usize) + Sync)) -> Result<DocumentView> {
    let job = app.lock().analysis_job(id)?;
    let session = Arc::clone(&app.session);
    let result = job.run(&|done| {
        if let Ok(mut s) = session.lock() {
            s.progress(id, done);
        }
        on_page(done);
    });
    let mut s = app.lock();
    s.finish_analysis(result);
    Ok(s.view(id)?)
}

pub fn set_state(app: &App, id: u32, masks: &[u64], state: MaskState) -> Result<DocumentView> {
    app.change(id, |s| s.set_state(id, masks, state))
}

/// [`set_state`] with the deliberate override that rejects a protected identity.
pub fn set_state_override(
    app: &App,
    id: u32,
    masks: &[u64],
    state: MaskState,
    override_protected: bool,
) -> Result<DocumentView> {
    if !override_protected {
        return set_state(app, id, masks, state);
    }
    app.change(id, |s| {
        s.set_state_override(id, masks, state, override_protected)
    })
}

pub fn decide_proposed(
    app: &App,
    id: u32,
    category: Option<Category>,
    state: MaskState,
) -> Result<DocumentView> {
    app.change(id, |s| s.decide_proposed(id, category, state))
}

pub fn set_provision(
    app: &App,
    id: u32,
    masks: &[u64],
    provision: Option<String>,
) -> Result<DocumentView> {
    app.change(id, |s| s.set_provision(id, masks, provision))
}

pub fn add_box(
    app: &App,
    id: u32,
    page: usize,
    rect: DisplayRect,
    category: Category,
) -> Result<DocumentView> {
    app.change(id, |s| s.add_box(id, page, rect, category).map(|_| ()))
}

/// Masks the text under a rectangle the registrar dragged over a page.
pub fn mask_text(
    app: &App,
    id: u32,
    page: usize,
    rect: DisplayRect,
    category: Category,
) -> Result<DocumentView> {
    app.change(id, |s| s.mask_text(id, page, rect, category).map(|_| ()))
}

pub fn resize(app: &App, id: u32, mask: u64, rect: DisplayRect) -> Result<DocumentView> {
    app.change(id, |s| s.resize(id, mask, rect))
}

pub fn remove(app: &App, id: u32, mask: u64) -> Result<DocumentView> {
    app.change(id, |s| s.remove(id, mask))
}

pub fn mask_page(app: &App, id: u32, page: usize) -> Result<DocumentView> {
    app.change(id, |s| s.mask_page(id, page).map(|_| ()))
}

/// How many occurrences were masked, and every document's new view (several may change).
#[derive(Debug, Clone, Serialize)]
pub struct Occurrences {
    pub count: usize,
    pub documents: Vec<DocumentView>,
}

pub fn mask_occurrences(
    app: &App,
    id: u32,
    mask: Option<u64>,
    text: Option<String>,
    all_documents: bool,
) -> Result<Occurrences> {
    let mut s = app.lock();
    let count = s.mask_occurrences(id, mask, text, all_documents)?;
    Ok(Occurrences {
        count,
        documents: s.views(),
    })
}

pub fn undo(app: &App, id: u32) -> Result<DocumentView> {
    app.change(id, |s| s.undo(id).map(|_| ()))
}

pub fn redo(app: &App, id: u32) -> Result<DocumentView> {
    app.change(id, |s| s.redo(id).map(|_| ()))
}

pub fn documents(app: &App) -> Vec<DocumentView> {
    app.lock().views()
}

pub fn catalogue(app: &App) -> Catalogue {
    app.lock().catalogue.clone()
}

/// A page as PNG at the export DPI; rendered without holding the lock.
pub fn page_png(app: &App, id: u32, page: usize) -> Result<Vec<u8>> {
    let (doc, policy) = {
        let s = app.lock();
        (s.doc(id)?.source_handle(), s.config.output.clone())
    };
    Ok(tusch_review::document::render_png(&doc, page, &policy)?)
}

/// Exports through the engine's verified writer; the lock is held only to take the job.
pub fn export(
    app: &App,
    id: u32,
    output: Option<&Path>,
    options: tusch_review::session::ExportOptions,
) -> Result<ExportOutcome> {
    let job = app
        .lock()
        .export_job_with(id, output.map(Path::to_path_buf), options)?;
    let outcome = job.run(&tusch_review::NoProgress)?;
    app.lock().finish_export(id, &outcome);
    Ok(outcome)
}

/// Saves every unsaved review now (window closing).
pub fn save_all(app: &App) -> Result<usize> {
    Ok(app.lock().save_dirty()?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tusch_review::core::Config;
    use tusch_review::Store;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/documents")
            .join(name)
    }

    /// The app with its autosaves in `store` and its audit log beside them (never the
    /// user's own log).
    fn app(store: &Path) -> App {
        let mut config = Config::default();
        config.audit.path = Some(store.join("audit.jsonl"));
        App {
            session: Arc::new(Mutex::new(Session::new(
                config,
                Catalogue::bundled(),
                Store::new(store),
            ))),
            initial: Vec::new(),
        }
    }

    /// Copies a fixture into `dir`, so exports land beside the copy.
    fn copy(name: &str, dir: &Path) -> PathBuf {
        let p = dir.join(name);
        std::fs::copy(fixture(name), &p).unwrap();
        p
    }

    #[test]
    fn open_analyse_decide_and_export_a_fixture() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(&dir.path().join("store"));
        let pdf = copy("beslut-bistand.pdf", dir.path());
        let opened = open(&app, &[pdf.clone(), dir.path().join("saknas.pdf")]);
        assert_eq!(opened.ids.len(), 1);
        assert_eq!(opened.errors.len(), 1);
        assert!(
            opened.errors[0].contains("kunde inte läsa"),
            "{:?}",
            opened.errors
        );
        let id = opened.ids[0];

        // Before analysis: page frames, but decisions are refused in Swedish.
        assert!(!opened.documents[0].pages.is_empty());
        let err = set_state(&app, id, &[0], MaskState::Accepted).unwrap_err();
        assert!(err.message.contains("analyseras"), "{err:?}");

        let pages = std::sync::atomic::AtomicUsize::new(0);
        let view = analyse(&app, id, &|n| {
            pages.store(n, std::sync::atomic::Ordering::SeqCst)
        })
        .unwrap();
        assert_eq!(pages.into_inner(), view.pages.len());
        assert!(view.masks.len() >= 3, "{} masks", view.masks.len());
        assert!(view.masks.iter().all(|m| m.text.is_some()));

        let png = page_png(&app, id, 0).unwrap();
        assert_eq!(&png[1..4], b"PNG");

        let err = export(&app, id, None, Default::default()).unwrap_err();
        assert!(err.message.contains("inte avgjorda"), "{err:?}");

        let rejected = view.masks[0].id;
        set_state(&app, id, &[rejected], MaskState::Rejected).unwrap();
        let view = decide_proposed(&app, id, None, MaskState::Accepted).unwrap();
        assert_eq!((view.proposed, view.rejected), (0, 1));

        let out = export(&app, id, None, Default::default()).unwrap();
        assert_eq!(out.output, dir.path().join("beslut-bistand-maskerad.pdf"));
        assert!(out.output.is_file());
        assert!(out.masks_checked >= view.accepted);
        let summary = std::fs::read_to_string(out.summary.unwrap()).unwrap();
        assert!(summary.contains("21 kap. 7 § OSL"), "{summary}");
        for m in &view.masks {
            let text = m.text.as_deref().unwrap();
            assert!(!summary.contains(text.trim()), "summary leaks masked text");
        }
        assert_eq!(
            std::fs::read(&pdf).unwrap(),
            std::fs::read(fixture("beslut-bistand.pdf")).unwrap()
        );

        // Issue 14: the export is in the audit log, hash-chained, with no masked text.
        let log = dir.path().join("store").join("audit.jsonl");
        let summary = tusch_review::audit::verify(&log).unwrap();
        assert_eq!(summary.lines, 1);
        let line = std::fs::read_to_string(&log).unwrap();
        assert!(line.contains("\"export\"") && line.contains("beslut-bistand.pdf"));
        assert!(
            line.contains("tusch-ner-sv"),
            "the model is recorded: {line}"
        );
        for m in &view.masks {
            if m.state == MaskState::Accepted {
                let text = m.text.as_deref().unwrap().trim();
                assert!(!line.contains(text), "the audit log leaks masked text");
            }
        }
    }

    #[test]
    fn dragging_over_a_finding_masks_its_text_and_undo_removes_it() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(&dir.path().join("store"));
        let pdf = copy("beslut-bistand.pdf", dir.path());
        let id = open(&app, &[pdf]).ids[0];
        let v = analyse(&app, id, &|_| {}).unwrap();
        let f = &v.masks[0];
        let r = f.rects[0];
        // A drag well inside the finding's first box: the text under it, not more.
        let (cx, cy) = ((r.left + r.right) / 2.0, (r.top + r.bottom) / 2.0);
        let drag = DisplayRect {
            left: r.left + 2.0,
            top: cy - 1.0,
            right: r.right - 2.0,
            bottom: cy + 1.0,
        };
        let after = mask_text(&app, id, f.page, drag, Category::Person).unwrap();
        assert_eq!(after.masks.len(), v.masks.len() + 1);
        let m = after.masks.iter().max_by_key(|m| m.id).unwrap();
        assert_eq!(
            (m.state, m.category, m.origin),
            (
                MaskState::Accepted,
                Category::Person,
                tusch_review::Origin::Manual
            )
        );
        let text = m.text.as_deref().unwrap();
        let found = f.text.as_deref().unwrap();
        assert!(!text.trim().is_empty() && found.contains(text.trim()));
        assert!(m.rects.iter().all(|x| x.left < cx && cx < x.right));

        // Beside every text: nothing to mask, said in Swedish.
        let empty = DisplayRect {
            left: 1.0,
            top: 1.0,
            right: 3.0,
            bottom: 3.0,
        };
        let err = mask_text(&app, id, f.page, empty, Category::Other).unwrap_err();
        assert!(err.message.contains("ingen text"), "{err:?}");

        assert_eq!(undo(&app, id).unwrap().masks.len(), v.masks.len());
    }

    #[test]
    fn reopening_restores_the_saved_review_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        let pdf = copy("bygglov-beslut.pdf", dir.path());
        let before = {
            let app = app(&store);
            let id = open(&app, std::slice::from_ref(&pdf)).ids[0];
            let v = analyse(&app, id, &|_| {}).unwrap();
            set_state(&app, id, &[v.masks[0].id], MaskState::Rejected).unwrap();
            set_provision(&app, id, &[v.masks[1].id], Some("26 kap. 1 § OSL".into())).unwrap();
            add_box(
                &app,
                id,
                0,
                DisplayRect {
                    left: 50.0,
                    top: 50.0,
                    right: 120.0,
                    bottom: 70.0,
                },
                Category::Other,
            )
            .unwrap();
            save_all(&app).unwrap();
            documents(&app).remove(0)
        };
        let app = app(&store);
        let id = open(&app, &[pdf]).ids[0];
        let after = analyse(&app, id, &|_| {}).unwrap();
        assert!(matches!(
            after.status,
            tusch_review::document::Status::Ready { restored: true }
        ));
        let key = |v: &DocumentView| {
            v.masks
                .iter()
                .map(|m| {
                    (
                        m.id,
                        m.page,
                        m.state,
                        m.provision.clone(),
                        format!("{:?}", m.rects),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&after), key(&before));
    }

    #[test]
    fn mask_all_occurrences_across_documents_and_undo() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(&dir.path().join("store"));
        let a = copy("beslut-bistand.pdf", dir.path());
        let b = copy("klagomal-medborgare.pdf", dir.path());
        let ids = open(&app, &[a, b]).ids;
        for id in &ids {
            analyse(&app, *id, &|_| {}).unwrap();
        }
        // "kommun" is ordinary text in both letters; masking it everywhere adds masks to both.
        let before: Vec<usize> = documents(&app).iter().map(|d| d.masks.len()).collect();
        let r = mask_occurrences(&app, ids[0], None, Some("kommun".into()), true).unwrap();
        assert!(r.count >= 2, "{}", r.count);
        let after: Vec<usize> = r.documents.iter().map(|d| d.masks.len()).collect();
        assert!(
            after[0] > before[0] && after[1] > before[1],
            "{before:?} {after:?}"
        );
        let v = undo(&app, ids[0]).unwrap();
        assert_eq!(v.masks.len(), before[0]);
        let v = redo(&app, ids[0]).unwrap();
        assert_eq!(v.masks.len(), after[0]);
    }

    #[test]
    fn whole_page_and_bad_boxes() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(&dir.path().join("store"));
        let id = open(&app, &[copy("epost-trad.pdf", dir.path())]).ids[0];
        let v = analyse(&app, id, &|_| {}).unwrap();
        let n = v.masks.len();
        let v = mask_page(&app, id, 0).unwrap();
        assert_eq!(v.masks.len(), n + 1);
        let err = add_box(
            &app,
            id,
            0,
            DisplayRect {
                left: 5.0,
                top: 5.0,
                right: 5.5,
                bottom: 5.5,
            },
            Category::Other,
        )
        .unwrap_err();
        assert!(err.message.contains("för liten"));
        assert!(mask_page(&app, id, 999).is_err());
    }
}

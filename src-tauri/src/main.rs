//! The Tusch desktop review app: a thin Tauri 2 shell. Every command is a one-line adapter
//! to `handlers`, which works on `tusch_review::Session` and is tested without a webview.
//!
//! Page images reach the webview through the `tusch://` URI scheme
//! (`tusch://localhost/page/<document>/<page>`), rendered off the main thread at the export
//! DPI. Analysis runs on its own thread per document and reports progress as events.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod handlers;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use handlers::{App, IpcError, Occurrences, Opened, Result};
use serde::Serialize;
use tauri::http::Response;
use tauri::{Emitter, Manager, State};
use tusch_review::core::{Category, Config, DisplayRect, MaskState};
use tusch_review::{Catalogue, DocumentView, ExportOutcome, Session, Store};

/// Analysis progress for one document.
#[derive(Debug, Clone, Serialize)]
struct AnalysisProgress {
    id: u32,
    done: usize,
    total: usize,
}

/// Opens files and starts their analysis on background threads.
fn open_and_analyse(app: &tauri::AppHandle, state: &App, paths: &[PathBuf]) -> Opened {
    let opened = handlers::open(state, paths);
    for &id in &opened.ids {
        let (app, state) = (app.clone(), state.clone());
        let total = opened
            .documents
            .iter()
            .find(|d| d.id == id)
            .map_or(0, |d| d.pages.len());
        std::thread::spawn(move || {
            let progress = |done| {
                let _ = app.emit("analysis-progress", AnalysisProgress { id, done, total });
            };
            // An emit fails only when the window is gone; nobody is left to tell.
            let _ = match handlers::analyse(&state, id, &progress) {
                Ok(view) => app.emit("document", view),
                Err(e) => app.emit("app-error", e),
            };
        });
    }
    opened
}

#[tauri::command]
fn initial_paths(state: State<'_, App>) -> Vec<String> {
    state
        .initial
        .iter()
        .map(|p| p.display().to_string())
        .collect()
}

#[tauri::command]
fn open_paths(app: tauri::AppHandle, state: State<'_, App>, paths: Vec<PathBuf>) -> Opened {
    open_and_analyse(&app, &state, &paths)
}

/// "Öppna…": a native file dialog for PDFs and images; the chosen files open exactly like
/// command-line paths. Async, so the blocking dialog waits on Tauri's thread pool, not on the
/// main thread that runs the GTK loop the dialog needs.
#[tauri::command]
async fn open_dialog(app: tauri::AppHandle, state: State<'_, App>) -> Result<Opened> {
    use tauri_plugin_dialog::DialogExt;
    let picked = app
        .dialog()
        .file()
        .set_title("Öppna dokument")
        .add_filter(
            "PDF och bilder",
            &["pdf", "png", "jpg", "jpeg", "tif", "tiff"],
        )
        .blocking_pick_files();
    let paths: Vec<PathBuf> = picked
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.into_path().ok())
        .collect();
    Ok(open_and_analyse(&app, &state, &paths))
}

#[tauri::command]
fn documents(state: State<'_, App>) -> Vec<DocumentView> {
    handlers::documents(&state)
}

#[tauri::command]
fn catalogue(state: State<'_, App>) -> Catalogue {
    handlers::catalogue(&state)
}

#[tauri::command]
fn set_state(
    state: State<'_, App>,
    id: u32,
    masks: Vec<u64>,
    value: MaskState,
    override_protected: Option<bool>,
) -> Result<DocumentView> {
    handlers::set_state_override(
        &state,
        id,
        &masks,
        value,
        override_protected.unwrap_or(false),
    )
}

#[tauri::command]
fn decide_proposed(
    state: State<'_, App>,
    id: u32,
    category: Option<Category>,
    value: MaskState,
) -> Result<DocumentView> {
    handlers::decide_proposed(&state, id, category, value)
}

#[tauri::command]
fn set_provision(
    state: State<'_, App>,
    id: u32,
    masks: Vec<u64>,
    provision: Option<String>,
) -> Result<DocumentView> {
    handlers::set_provision(&state, id, &masks, provision)
}

#[tauri::command]
fn add_box(
    state: State<'_, App>,
    id: u32,
    page: usize,
    rect: DisplayRect,
    category: Category,
) -> Result<DocumentView> {
    handlers::add_box(&state, id, page, rect, category)
}

#[tauri::command]
fn mask_text(
    state: State<'_, App>,
    id: u32,
    page: usize,
    rect: DisplayRect,
    category: Category,
) -> Result<DocumentView> {
    handlers::mask_text(&state, id, page, rect, category)
}

#[tauri::command]
fn resize_mask(
    state: State<'_, App>,
    id: u32,
    mask: u64,
    rect: DisplayRect,
) -> Result<DocumentView> {
    handlers::resize(&state, id, mask, rect)
}

#[tauri::command]
fn remove_mask(state: State<'_, App>, id: u32, mask: u64) -> Result<DocumentView> {
    handlers::remove(&state, id, mask)
}

#[tauri::command]
fn mask_page(state: State<'_, App>, id: u32, page: usize) -> Result<DocumentView> {
    handlers::mask_page(&state, id, page)
}

#[tauri::command]
fn mask_occurrences(
    state: State<'_, App>,
    id: u32,
    mask: Option<u64>,
    text: Option<String>,
    all: bool,
) -> Result<Occurrences> {
    handlers::mask_occurrences(&state, id, mask, text, all)
}

#[tauri::command]
fn undo(state: State<'_, App>, id: u32) -> Result<DocumentView> {
    handlers::undo(&state, id)
}

#[tauri::command]
fn redo(state: State<'_, App>, id: u32) -> Result<DocumentView> {
    handlers::redo(&state, id)
}

/// Async: runs on Tauri's thread pool, so the window stays responsive during the export.
#[tauri::command]
async fn export(
    state: State<'_, App>,
    id: u32,
    output: Option<PathBuf>,
    options: Option<tusch_review::session::ExportOptions>,
) -> Result<ExportOutcome> {
    handlers::export(&state, id, output.as_deref(), options.unwrap_or_default())
}

/// The page-image protocol: `tusch://localhost/page/<document>/<page>` → PNG.
fn page_response(state: &App, path: &str) -> Response<Vec<u8>> {
    let mut parts = path.trim_start_matches('/').split('/');
    let parsed = match (parts.next(), parts.next(), parts.next()) {
        (Some("page"), Some(d), Some(p)) => d.parse::<u32>().ok().zip(p.parse::<usize>().ok()),
        _ => None,
    };
    let result = match parsed {
        Some((id, page)) => handlers::page_png(state, id, page),
        None => Err(IpcError::app("okänd adress")),
    };
    let response = match result {
        Ok(png) => Response::builder()
            .header("Content-Type", "image/png")
            .header("Cache-Control", "no-store")
            .body(png),
        Err(e) => Response::builder()
            .status(404)
            .header("Content-Type", "text/plain; charset=utf-8")
            .body(e.message.into_bytes()),
    };
    response.unwrap_or_else(|_| Response::new(Vec::new()))
}

/// Files named on the command line (how a file manager's "open with" works); options that
/// a test driver or the desktop may add are ignored.
fn command_line_paths() -> Vec<PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_default();
    std::env::args_os()
        .skip(1)
        .filter(|a| !a.to_string_lossy().starts_with('-'))
        .map(|a| cwd.join(a))
        .collect()
}

/// The configuration in layers, as the CLI reads it (`/etc/tusch/tusch.toml`, then
/// `~/.config/tusch/tusch.toml`). A file that cannot be used is reported in the window and
/// the defaults are used.
fn load_config() -> (Config, Option<String>) {
    match tusch_review::config::load_standard(None) {
        Ok(l) => (l.config, None),
        Err(e) => {
            let mut message = e.to_string();
            let mut cause = std::error::Error::source(&e);
            while let Some(c) = cause {
                message.push_str(&format!(": {c}"));
                cause = c.source();
            }
            (
                Config::default(),
                Some(format!("{message}; standardinställningar används")),
            )
        }
    }
}

fn main() {
    let (config, config_note) = load_config();
    let config_dir = tusch_review::catalogue::config_dir();
    let (kommun_catalogue, catalogue_note) = match Catalogue::load(config_dir.as_deref()) {
        Ok(c) => (c, None),
        Err(e) => (Catalogue::bundled(), Some(e.to_string())),
    };
    let session = Arc::new(Mutex::new(Session::new(
        config,
        kommun_catalogue,
        Store::default_location(),
    )));
    let state = App {
        session: Arc::clone(&session),
        initial: command_line_paths(),
    };
    let notes: Vec<String> = config_note.into_iter().chain(catalogue_note).collect();

    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .register_asynchronous_uri_scheme_protocol("tusch", |ctx, request, responder| {
            let state = ctx.app_handle().state::<App>().inner().clone();
            let path = request.uri().path().to_owned();
            std::thread::spawn(move || responder.respond(page_response(&state, &path)));
        })
        .setup(move |app| {
            let handle = app.handle().clone();
            tusch_review::session::spawn_autosaver(session, Duration::from_millis(400), move |e| {
                drop(handle.emit("app-error", IpcError::from(e)))
            });
            for note in &notes {
                let _ = app.handle().emit("app-error", IpcError::app(note.clone()));
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { .. } = event {
                let _ = handlers::save_all(&window.state::<App>());
            }
        })
        .invoke_handler(tauri::generate_handler![
            initial_paths,
            open_paths,
            open_dialog,
            documents,
            catalogue,
            set_state,
            decide_proposed,
            set_provision,
            add_box,
            mask_text,
            resize_mask,
            remove_mask,
            mask_page,
            mask_occurrences,
            undo,
            redo,
            export,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        // No window could be made (no display, missing WebKitGTK): say so and exit non-zero.
        eprintln!("tusch-desktop: kunde inte starta fönstret: {e}");
        std::process::exit(1);
    }
}

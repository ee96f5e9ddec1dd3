//! The preview is the raster that will be released: a page rendered at the export DPI.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use tusch_core::OutputPolicy;
use tusch_review::Document;

#[test]
fn preview_is_a_png_of_the_page_at_the_export_dpi_with_ink_on_it() {
    let pdf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/documents/beslut-bistand.pdf");
    let doc = Document::open(1, &pdf, &tusch_core::OcrPolicy::default()).unwrap();
    let policy = OutputPolicy::default();
    let png = tusch_review::document::render_png(&doc.source_handle(), 0, &policy).unwrap();
    if let Some(p) = std::env::var_os("TUSCH_PREVIEW_OUT") {
        std::fs::write(p, &png).unwrap();
    }
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    // A4 at 150 DPI.
    assert_eq!((info.width, info.height), (1240, 1754));
    let dark = buf.iter().filter(|&&v| v < 128).count();
    assert!(dark > 2000, "the page has text, so dark pixels: {dark}");
    assert!(tusch_review::document::render_png(&doc.source_handle(), 9, &policy).is_err());
}

/// Issue 11: the registrar is told what a raster copy cannot carry and where OCR read ink
/// the text layer did not explain.
#[test]
fn the_review_says_which_annotation_text_is_dropped_and_what_ocr_read() {
    use std::sync::{Arc, Mutex};
    let pdf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/realworld/kommentarer-och-stampel.pdf");
    let store = tempfile::tempdir().unwrap();
    let s = Arc::new(Mutex::new(tusch_review::Session::new(
        tusch_core::Config::default(),
        tusch_review::Catalogue::bundled(),
        tusch_review::Store::new(store.path()),
    )));
    let id = s.lock().unwrap().open(&pdf).unwrap();
    let job = s.lock().unwrap().analysis_job(id).unwrap();
    let result = job.run(&|_| {});
    s.lock().unwrap().finish_analysis(result);
    let note = s.lock().unwrap().view(id).unwrap().note.unwrap_or_default();
    assert!(note.contains("popup-anteckningar"), "{note}");
    assert!(note.contains("lästes med OCR på sida 1"), "{note}");
}

/// Issue 10: the app loads the name model once per session, not once per document, and its
/// plans record the model, as the command line's do.
#[test]
fn issue_10_the_session_builds_one_engine_and_plans_record_the_model() {
    use std::sync::{Arc, Mutex};
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/documents");
    let store = tempfile::tempdir().unwrap();
    let s = Arc::new(Mutex::new(tusch_review::Session::new(
        tusch_core::Config::default(),
        tusch_review::Catalogue::bundled(),
        tusch_review::Store::new(store.path()),
    )));
    let mut ids = Vec::new();
    for name in ["beslut-bistand.pdf", "klagomal-medborgare.pdf"] {
        let id = s.lock().unwrap().open(&fixtures.join(name)).unwrap();
        let job = s.lock().unwrap().analysis_job(id).unwrap();
        let result = job.run(&|_| {});
        s.lock().unwrap().finish_analysis(result);
        ids.push(id);
    }
    let session = s.lock().unwrap();
    assert_eq!(
        session.engine.builds(),
        1,
        "one model load for two documents"
    );
    for id in ids {
        let doc = session.doc(id).unwrap();
        assert!(doc.is_ready(), "{:?}", doc.status);
        let plan = doc.plan(&session.catalogue);
        assert!(
            plan.engine.contains("tusch-ner-sv") && plan.engine.contains("sha256"),
            "{}",
            plan.engine
        );
    }
}

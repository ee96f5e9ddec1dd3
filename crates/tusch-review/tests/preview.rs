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

//! The text layer's boxes, mapped through `PageGeometry`, must land on the ink pdfium
//! renders — on rotated pages and on pages whose crop box does not start at 0,0.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use tusch_core::PixelRect;
use tusch_pdf::SourceDocument;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/documents")
        .join(name)
}

/// The share of visible characters whose box, in pixels, holds some dark pixel.
fn ink_hit_rate(doc: &SourceDocument, page: usize) -> (usize, f32) {
    let dpi = 100;
    let img = doc.render_gray(page, dpi, 80).unwrap();
    let text = doc.page_text(page).unwrap();
    let (mut total, mut hit) = (0, 0);
    for (c, tc) in text.layer.text().chars().zip(text.layer.chars()) {
        let Some(r) = tc.rect else { continue };
        if !c.is_alphanumeric() {
            continue;
        }
        total += 1;
        let p = text
            .geometry
            .to_display(&r)
            .to_pixels(dpi as f32, img.width, img.height);
        let dark = (p.y0..p.y1)
            .any(|y| (p.x0..p.x1).any(|x| img.data[(y * img.width + x) as usize] < 128));
        if dark {
            hit += 1;
        }
    }
    (total, hit as f32 / total.max(1) as f32)
}

#[test]
fn boxes_land_on_ink_on_rotated_pages() {
    let doc = SourceDocument::open(&fixture("roterade-sidor.pdf")).unwrap();
    assert_eq!(doc.page_count(), 3);
    let rotations: Vec<i32> = (0..3)
        .map(|i| doc.geometry(i).unwrap().rotation.degrees())
        .collect();
    assert_eq!(rotations, vec![90, 180, 270]);
    for page in 0..3 {
        let (n, rate) = ink_hit_rate(&doc, page);
        assert!(n > 50, "page {page}: only {n} characters");
        assert!(rate > 0.97, "page {page}: {rate} of boxes on ink");
    }
}

#[test]
fn boxes_land_on_ink_with_offset_crop_box() {
    let doc = SourceDocument::open(&fixture("beskuren-sida.pdf")).unwrap();
    let g = doc.geometry(0).unwrap();
    assert!(g.crop.x0 > 0.0 && g.crop.y0 > 0.0, "{g:?}");
    let (n, rate) = ink_hit_rate(&doc, 0);
    assert!(n > 50);
    assert!(rate > 0.97, "{rate}");
}

#[test]
fn burned_mask_covers_the_glyphs_and_nothing_else_changes() {
    let doc = SourceDocument::open(&fixture("roterade-sidor.pdf")).unwrap();
    let text = doc.page_text(0).unwrap();
    let mut img = doc.render_gray(0, 100, 80).unwrap();
    let before = img.clone();
    let span = 0..text.layer.text().len().min(40);
    let rects: Vec<PixelRect> = text
        .layer
        .rects_for(&span)
        .iter()
        .map(|r| {
            text.geometry
                .to_display(r)
                .to_pixels(100.0, img.width, img.height)
        })
        .collect();
    assert!(!rects.is_empty());
    for r in &rects {
        img.burn(r);
        assert!(img.is_black(r, 0));
    }
    let changed = before
        .data
        .iter()
        .zip(&img.data)
        .filter(|(a, b)| a != b)
        .count();
    let area: u32 = rects.iter().map(|r| (r.x1 - r.x0) * (r.y1 - r.y0)).sum();
    assert!(changed as u32 <= area);
}

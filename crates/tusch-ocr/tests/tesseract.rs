//! The real Tesseract on a page rendered from a fixture (pdftoppm, 300 DPI): words come
//! back, character boxes land where the upright reading put them when the page is turned,
//! and the OCR text has the fixture's text.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

use tusch_core::{GrayImage, PageGeometry, Rect, Rotation};
use tusch_ocr::{recognize_page, rotate_quarter, OcrEngine, Orientation, Tesseract};

fn render(page: u32) -> GrayImage {
    let dir = tempfile::tempdir().unwrap();
    let pdf = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/documents/parkering-fordon.pdf");
    let st = Command::new("pdftoppm")
        .args([
            "-r",
            "300",
            "-gray",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
        ])
        .arg(&pdf)
        .arg(dir.path().join("p"))
        .status()
        .expect("pdftoppm missing: run `make setup`");
    assert!(st.success());
    let f = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let bytes = std::fs::read(f).unwrap();
    // Binary PGM: "P5\n<w> <h>\n255\n" then the pixels.
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    let (w, h): (u32, u32) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    GrayImage {
        width: w,
        height: h,
        data: bytes[i + 1..].to_vec(),
    }
}

/// The image as it would be scanned turned a quarter clockwise.
fn turned_cw(img: &GrayImage) -> GrayImage {
    // rotate_quarter(x, Cw270) turns the content a quarter clockwise.
    rotate_quarter(img, Orientation::Cw270)
}

fn geometry(img: &GrayImage) -> PageGeometry {
    PageGeometry {
        crop: Rect::new(
            0.0,
            0.0,
            img.width as f32 * 72.0 / 300.0,
            img.height as f32 * 72.0 / 300.0,
        ),
        rotation: Rotation::R0,
    }
}

#[test]
fn reads_swedish_text_and_finds_a_turned_page() {
    let engine = Tesseract::new("swe+eng").expect("tesseract with swe+eng: run `make setup`");
    assert!(engine.describe().contains("tesseract"));
    let img = render(1);
    let upright = recognize_page(&engine, &img, 300, &geometry(&img)).unwrap();
    assert_eq!(upright.orientation, Orientation::Upright);
    assert!(upright.words > 50, "{upright:?}");
    assert!(upright.mean_confidence > 70.0);
    let text = upright.layer.text();
    assert!(text.contains("Ankeby kommun"), "kommun name");
    assert!(text.contains("KLM 482") || text.contains("KLM482"), "plate");
    assert!(text.contains("\r\n"));
    assert_eq!(
        upright.layer.boxed_len(),
        text.chars().filter(|c| !c.is_whitespace()).count()
    );

    let side = turned_cw(&img);
    let turned = recognize_page(&engine, &side, 300, &geometry(&side)).unwrap();
    assert_eq!(turned.orientation, Orientation::Cw90);
    // "Ankeby" on the turned page: its box is the upright box turned a quarter clockwise.
    let a = upright.layer.text().find("Ankeby").unwrap();
    let b = turned.layer.text().find("Ankeby").unwrap();
    let ra = upright.layer.rects_for(&(a..a + 6))[0];
    let rb = turned.layer.rects_for(&(b..b + 6))[0];
    let g = geometry(&side);
    let d = g.to_display(&rb);
    // Upright display (x, y) → turned display (H - y, x), H = upright page height.
    let (_, h_pt) = geometry(&img).display_size();
    let da = geometry(&img).to_display(&ra);
    assert!((d.left - (h_pt - da.bottom)).abs() < 3.0, "{d:?} vs {da:?}");
    assert!((d.top - da.left).abs() < 3.0, "{d:?} vs {da:?}");
}

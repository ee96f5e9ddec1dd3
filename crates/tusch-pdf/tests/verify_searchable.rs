//! The `searchable` profile's verifier (issue 15), on files made by the writer: invisible
//! OCR text equal to the stored text passes; a masked string in it, text the engine did not
//! store, or an alternate text naming another provision fails; and the same file checked as
//! an `image` output fails, because it holds text.
#![allow(clippy::unwrap_used)]

use tusch_core::{DisplayRect, Encoding, GrayImage};
use tusch_pdf::encode::encode;
use tusch_pdf::textlayer::{mask_alt, Figure, PageLayer, PlacedWord};
use tusch_pdf::writer::{ImagePdfWriter, OutputPage};
use tusch_pdf::{verify_bytes, SearchableExpectations, VerifyExpectations};

const MASK: DisplayRect = DisplayRect {
    left: 40.0,
    top: 40.0,
    right: 120.0,
    bottom: 55.0,
};

fn word(text: &str, x: f32, y: f32) -> PlacedWord {
    PlacedWord {
        text: text.into(),
        x,
        y,
        width: 8.0 * text.chars().count() as f32,
        size: 12.0,
    }
}

fn file(lines: Vec<Vec<PlacedWord>>, provision: Option<&str>) -> (Vec<u8>, String) {
    let mut img = GrayImage::white(417, 625);
    img.burn(&MASK.to_pixels(150.0, 417, 625));
    let layer = PageLayer {
        lines,
        figures: vec![Figure {
            alt: mask_alt(provision),
            rects: vec![MASK],
        }],
    };
    let text = layer.text();
    let mut w = ImagePdfWriter::searchable(Vec::new(), 1).unwrap();
    w.add_page(&OutputPage {
        width_pt: 200.0,
        height_pt: 300.0,
        image: encode(&img, Encoding::Gray4),
        layer: Some(layer),
    })
    .unwrap();
    (w.finish().unwrap(), text)
}

fn ordinary() -> Vec<Vec<PlacedWord>> {
    vec![
        vec![word("Beslut", 20.0, 200.0), word("om", 80.0, 200.0)],
        vec![word("Ärendet", 20.0, 180.0), word("gäller", 90.0, 180.0)],
    ]
}

fn expect(text: &str, masked: &[&str]) -> VerifyExpectations {
    VerifyExpectations {
        page_count: Some(1),
        black: vec![vec![MASK]],
        searchable: Some(SearchableExpectations {
            text: vec![text.to_owned()],
            masked: masked.iter().map(|s| (*s).to_owned()).collect(),
            provisions: vec!["26 kap. 1 § OSL".into()],
        }),
        ..Default::default()
    }
}

#[test]
fn invisible_ocr_text_equal_to_the_stored_text_passes() {
    let (pdf, text) = file(ordinary(), Some("26 kap. 1 § OSL"));
    assert_eq!(text, "Beslut om\nÄrendet gäller");
    let report = verify_bytes(&pdf, &expect(&text, &["Anna Svensson"])).unwrap();
    assert!(
        report.checks.contains(&"text-layer-invisible"),
        "{report:?}"
    );
    assert!(report.checks.contains(&"text-layer-pdfium"), "{report:?}");
}

#[test]
fn a_masked_string_in_the_invisible_text_fails() {
    let mut lines = ordinary();
    lines.push(vec![
        word("Anna", 20.0, 160.0),
        word("Svensson", 70.0, 160.0),
    ]);
    let (pdf, text) = file(lines, Some("26 kap. 1 § OSL"));
    let err = verify_bytes(&pdf, &expect(&text, &["anna  SVENSSON"])).unwrap_err();
    assert!(err.to_string().contains("masked string"), "{err}");
}

#[test]
fn text_the_engine_did_not_store_fails() {
    let (pdf, _) = file(ordinary(), None);
    let err = verify_bytes(&pdf, &expect("Beslut om", &[])).unwrap_err();
    assert!(err.to_string().contains("differs"), "{err}");
}

#[test]
fn an_alternate_text_naming_another_provision_fails() {
    let (pdf, text) = file(ordinary(), Some("Anna Svensson"));
    let err = verify_bytes(&pdf, &expect(&text, &[])).unwrap_err();
    assert!(err.to_string().contains("alternate text"), "{err}");
}

#[test]
fn a_searchable_file_checked_as_an_image_output_fails() {
    let (pdf, _) = file(ordinary(), None);
    let image = VerifyExpectations {
        page_count: Some(1),
        black: vec![vec![MASK]],
        ..Default::default()
    };
    let err = verify_bytes(&pdf, &image).unwrap_err();
    let e = err.to_string();
    assert!(e.contains("extractable text"), "{e}");
    assert!(e.contains("catalog has"), "{e}");
}

//! Issue 11 regressions, one per way a text-layer-only reading leaked, on documents from
//! real producers (`fixtures/realworld/`): what a reader sees reaches the text the
//! detectors read, and what is drawn reaches the raster that is released.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use tusch_core::{GrayImage, OcrPolicy, PageText};
use tusch_engine::{Document, Engine, NoProgress, OcrReason};
use tusch_pdf::source::AnnotationKind;

fn realworld(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/realworld")
        .join(name)
}

fn open(name: &str) -> Document {
    Document::open(&realworld(name), &OcrPolicy::default()).unwrap()
}

/// What the detectors read; the name model is not what these tests are about.
fn read(doc: &mut Document) -> Vec<PageText> {
    let mut config = tusch_core::Config::default();
    config.ner.enabled = false;
    config.output.max_megapixels = 80;
    let engine = Engine::from_config(config).unwrap();
    engine.read(doc, &NoProgress).unwrap()
}

/// Letters and digits only, lower case: the layer's spacing is not what is tested.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn dark_share(img: &GrayImage) -> f32 {
    img.data.iter().filter(|&&v| v < 128).count() as f32 / img.data.len() as f32
}

#[test]
fn issue_11_form_fields_without_appearance_streams_are_drawn_and_read() {
    let mut doc = open("e-tjanst-formular-utan-ap.pdf");
    assert!(doc.pdf().unwrap().has_form());
    let fields: Vec<_> = doc
        .annotations(0)
        .iter()
        .filter(|a| a.kind == AnnotationKind::FormField)
        .collect();
    assert!(fields.len() >= 6, "{fields:?}");
    // The value is drawn where the field is: the field's area has ink in the render.
    let page = doc.render_gray(0, 72, 80).unwrap();
    let g = doc.geometry(0).unwrap();
    let field = g
        .to_display(&fields[0].rect)
        .to_pixels(72.0, page.width, page.height);
    let mut crop = GrayImage::white(field.x1 - field.x0, field.y1 - field.y0);
    for y in field.y0..field.y1 {
        for x in field.x0..field.x1 {
            crop.data[((y - field.y0) * crop.width + (x - field.x0)) as usize] =
                page.data[(y * page.width + x) as usize];
        }
    }
    assert!(dark_share(&crop) > 0.01, "the field's value is not drawn");
    // The values reach the text the detectors read.
    let pages = read(&mut doc);
    let text = norm(pages[0].layer.text());
    for value in ["931130-4829", "553 18 Jönköping", "siri.ek@example.com"] {
        assert!(text.contains(&norm(value)), "a field value is not analysed");
    }
}

#[test]
fn issue_11_comment_text_is_read_and_undrawn_notes_are_counted() {
    let mut doc = open("kommentarer-och-stampel.pdf");
    let info = &doc.pages()[0];
    assert!(info.annotations >= 1, "{info:?}");
    assert!(info.dropped_annotations >= 1, "{info:?}");
    let pages = read(&mut doc);
    let text = norm(pages[0].layer.text());
    // The FreeText without an appearance stream, and the stamp drawn at 22°.
    assert!(text.contains(&norm("19720814-3391")));
    assert!(
        text.contains(&norm("Anna Berg")),
        "the rotated stamp is not read"
    );
    // The sticky note's popup is not drawn and not analysed as page text.
    assert!(!text.contains(&norm("Ingrid Nyström")));
}

#[test]
fn issue_11_a_font_with_a_wrong_character_map_is_not_trusted() {
    let mut doc = open("trasigt-typsnitt.pdf");
    let info = doc.pages()[0].clone();
    assert!(info.untrusted_chars > 100, "{info:?}");
    assert_eq!(info.reason, OcrReason::UntrustedTextLayer);
    let pages = read(&mut doc);
    let text = norm(pages[0].layer.text());
    assert!(text.contains(&norm("19640404-2860")));
    assert!(text.contains(&norm("701 41 Örebro")));
}

#[test]
fn issue_11_a_type3_font_without_a_character_map_is_not_trusted() {
    let doc = open("typ3-typsnitt.pdf");
    assert_eq!(doc.pages()[0].reason, OcrReason::UntrustedTextLayer);
    // Text turned into outlines by Ghostscript has no text layer at all.
    assert_eq!(doc.pages()[1].reason, OcrReason::NoTextLayer);
}

#[test]
fn issue_11_a_screenshot_pasted_into_a_letter_is_read() {
    let mut doc = open("brev-med-skarmklipp.pdf");
    assert_eq!(doc.pages()[0].reason, OcrReason::TextLayer);
    let native = norm(doc.native_text(0).unwrap().layer.text());
    assert!(!native.contains(&norm("oskar.lundgren@example.com")));
    let pages = read(&mut doc);
    assert!(doc.pages()[0].ocr_regions >= 1);
    let text = norm(pages[0].layer.text());
    for value in [
        "oskar.lundgren@example.com",
        "19790614-3511",
        "070-174 06 52",
    ] {
        assert!(text.contains(&norm(value)), "the screenshot is not read");
    }
}

#[test]
fn issue_11_a_page_whose_ink_is_all_explained_reads_nothing_more() {
    // A letter from the fixture generator: its only unexplained ink is the letterhead's
    // logo, which OCR reads as nothing, once per document.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/documents/beslut-bistand.pdf");
    let mut doc = Document::open(&path, &OcrPolicy::default()).unwrap();
    let native: Vec<String> = (0..doc.page_count())
        .map(|i| doc.native_text(i).unwrap().layer.text().to_owned())
        .collect();
    let pages = read(&mut doc);
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(doc.pages()[i].ocr_regions, 0);
        assert_eq!(p.layer.text(), native[i], "page {}", i + 1);
    }
}

#[test]
fn issue_11_an_invisible_ocr_layer_does_not_explain_the_scan_under_it() {
    // A scan pasted into a quarter of a letter, with a scanner's poor invisible OCR layer
    // over it that says "se bilaga" where the scan shows the personal data.
    let mut doc = open("osynligt-textlager.pdf");
    assert_eq!(doc.pages()[0].reason, OcrReason::TextLayer);
    assert!(!doc.invisible_chars(0).is_empty());
    let pages = read(&mut doc);
    let text = norm(pages[0].layer.text());
    for value in ["Karin Holmberg", "830209-6246", "702 10 Örebro"] {
        assert!(
            text.contains(&norm(value)),
            "the scan under invisible text is not read"
        );
    }
}

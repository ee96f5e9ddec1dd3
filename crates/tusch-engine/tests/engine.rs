//! Issue 10 regressions: the engine is the one pipeline, and what it previews, plans and
//! prints is what it releases.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use tusch_core::{
    Category, Config, Explanation, Mask, MaskState, OcrMode, PagePlan, Rect, Validation,
};
use tusch_engine::{Engine, NoProgress, OcrReason};

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(path)
}

/// Rules only: these tests are about the pipeline, not the name model.
fn rules_engine(config: Config) -> Engine {
    let mut config = config;
    config.ner.enabled = false;
    Engine::from_config(config).unwrap()
}

fn accepted(rect: Rect) -> Mask {
    Mask {
        rects: vec![rect],
        category: Category::Other,
        score: 1.0,
        explanation: Explanation::new("test", "box", Validation::NotApplicable),
        state: MaskState::Accepted,
        provision: None,
    }
}

#[test]
fn issue_10_the_preview_of_a_scanned_page_is_the_released_raster_pixel_for_pixel() {
    let engine = rules_engine(Config::default());
    let input = fixture("scans/beslut-bistand-skannad.pdf");
    let doc = engine.open(&input).unwrap();
    assert!(doc.pages()[0].scan, "the fixture is a scan");
    let geometry = doc.geometry(0).unwrap();
    let c = geometry.crop;
    let plan = tusch_core::RedactionPlan {
        format: tusch_core::plan::PLAN_FORMAT,
        engine: engine.description(),
        pages: (0..doc.page_count())
            .map(|i| PagePlan {
                index: i,
                geometry: doc.geometry(i).unwrap(),
                masks: if i == 0 {
                    // An odd-sized box, not on the 8×8 block grid, in the middle of the text.
                    vec![accepted(Rect::new(
                        c.x0 + 101.3,
                        c.y0 + 333.7,
                        c.x0 + 257.9,
                        c.y0 + 351.2,
                    ))]
                } else {
                    Vec::new()
                },
            })
            .collect(),
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ut.pdf");
    engine
        .apply(&doc, &plan, &[], &input, &out, &NoProgress)
        .unwrap();
    let released = tusch_pdf::released_images(&std::fs::read(&out).unwrap()).unwrap();

    let with_masks = engine.preview(&doc, 0, Some(&plan.pages[0])).unwrap();
    assert_eq!(
        (with_masks.width, with_masks.height),
        (released[0].width, released[0].height),
        "the preview has the scan's own resolution, as the output"
    );
    assert!(
        with_masks.data == released[0].data,
        "the preview with masks is the released page, pixel for pixel"
    );
    // Without masks (as the app shows it, masks drawn over): same raster, same encoding.
    let bare = engine.preview(&doc, 0, None).unwrap();
    assert_eq!(
        (bare.width, bare.height),
        (released[0].width, released[0].height)
    );
    let differing = bare
        .data
        .iter()
        .zip(&released[0].data)
        .filter(|(a, b)| a != b)
        .count();
    assert!(
        differing > 0,
        "the mask is burned only in the released page"
    );
    let dpi = engine.output_dpi(&doc, 0);
    assert_ne!(
        dpi,
        engine.config().output.dpi,
        "a scan keeps its own resolution"
    );
}

#[test]
fn issue_10_the_preview_of_a_text_page_is_the_released_raster() {
    let engine = rules_engine(Config::default());
    let input = fixture("documents/beslut-bistand.pdf");
    let planned = engine
        .plan_file(&input, MaskState::Accepted, &NoProgress)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ut.pdf");
    engine
        .apply(
            &planned.doc,
            &planned.plan,
            &planned.pages,
            &input,
            &out,
            &NoProgress,
        )
        .unwrap();
    let released = tusch_pdf::released_images(&std::fs::read(&out).unwrap()).unwrap();
    for (i, page) in planned.plan.pages.iter().enumerate() {
        let preview = engine.preview(&planned.doc, i, Some(page)).unwrap();
        assert!(preview.data == released[i].data, "page {}", i + 1);
    }
}

#[test]
fn issue_10_ocr_settings_reach_planning() {
    let input = fixture("scans/beslut-bistand-skannad.pdf");
    let mut config = Config::default();
    config.ocr.mode = OcrMode::Never;
    let never = rules_engine(config);
    let planned = never
        .plan_file(&input, MaskState::Proposed, &NoProgress)
        .unwrap();
    assert!(planned
        .doc
        .pages()
        .iter()
        .all(|p| p.reason == OcrReason::DisabledButScanned));
    assert!(planned.pages.iter().all(|p| p.layer.text().is_empty()));

    let mut config = Config::default();
    config.ocr.mode = OcrMode::Always;
    let text = fixture("documents/beslut-bistand.pdf");
    let always = rules_engine(config);
    let doc = always.open(&text).unwrap();
    assert!(doc.pages().iter().all(|p| p.reason == OcrReason::Forced));
}

#[test]
fn issue_10_plans_record_the_engine_and_masks_are_what_mask_rects_gives() {
    let engine = rules_engine(Config::default());
    let planned = engine
        .plan_file(
            &fixture("documents/beslut-bistand.pdf"),
            MaskState::Accepted,
            &NoProgress,
        )
        .unwrap();
    assert_eq!(planned.plan.engine, engine.description());
    assert!(planned.plan.engine.contains("NER avstängd"));
    let mut n = 0;
    for ((page, found), pp) in planned
        .pages
        .iter()
        .zip(&planned.findings.pages)
        .zip(&planned.plan.pages)
    {
        let from_findings: Vec<Vec<Rect>> = found
            .iter()
            .map(|f| engine.mask_rects(&page.layer, &f.span, f.category))
            .filter(|r| !r.is_empty())
            .collect();
        let planned_rects: Vec<Vec<Rect>> = pp.masks.iter().map(|m| m.rects.clone()).collect();
        assert_eq!(from_findings, planned_rects);
        n += planned_rects.len();
    }
    assert!(n > 5, "the fixture has personal data: {n} masks");
}

/// Issue 15: with `[output] provision_labels` each box shows its provision in white; the
/// export verifies (the verifier re-renders the labels), the preview is the released page
/// pixel for pixel, and every white pixel inside a mask lies inside the mask.
#[test]
fn issue_15_labels_are_burned_verified_and_previewed() {
    let mut config = Config::default();
    config.output.provision_labels = true;
    let provisions = Category::ALL
        .iter()
        .map(|c| (*c, "21 kap. 7 § OSL".to_owned()))
        .collect();
    let engine = rules_engine(config).with_provisions(provisions);
    let input = fixture("documents/beslut-bistand.pdf");
    let planned = engine
        .plan_file(&input, MaskState::Accepted, &NoProgress)
        .unwrap();
    assert!(planned.plan.pages[0]
        .masks
        .iter()
        .all(|m| m.provision.as_deref() == Some("21 kap. 7 § OSL")));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ut.pdf");
    let applied = engine
        .apply(
            &planned.doc,
            &planned.plan,
            &planned.pages,
            &input,
            &out,
            &NoProgress,
        )
        .unwrap();
    assert!(applied.verification.masks_checked > 0);
    let released = tusch_pdf::released_images(&std::fs::read(&out).unwrap()).unwrap();
    let preview = engine
        .preview(&planned.doc, 0, Some(&planned.plan.pages[0]))
        .unwrap();
    assert!(preview.data == released[0].data, "preview = release");
    // Some box holds a label: white pixels strictly inside a mask's pixels.
    let page = &planned.plan.pages[0];
    let dpi = engine.output_dpi(&planned.doc, 0) as f32;
    let white_in_masks: usize = page
        .pixel_rects(dpi, preview.width, preview.height)
        .iter()
        .map(|r| {
            (r.y0..r.y1)
                .flat_map(|y| (r.x0..r.x1).map(move |x| (x, y)))
                .filter(|&(x, y)| preview.data[(y * preview.width + x) as usize] == 255)
                .count()
        })
        .sum();
    assert!(white_in_masks > 100, "labels drawn ({white_in_masks} px)");
    // Without labels the same plan leaves every box black: the verifier told to expect
    // no labels rejects the labelled file.
    let strict = tusch_engine::expectations(&planned.plan, false);
    assert!(tusch_engine::verify_file(&out, &strict).is_err());
}

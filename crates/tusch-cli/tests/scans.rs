//! Scanned documents end to end (issue 5), in one `tusch batch` run over a mixed folder:
//! the simulated scans of `fixtures/scans/` (image-only PDFs with skew, a page turned 90°
//! and one 180°, a bilevel PNG, a JPEG photo, a 2-page fax TIFF), the text PDFs they were
//! made from, and a bad file.
//!
//! 1. The batch: every good file is written and verified, the bad one fails with a clear
//!    line, the report says which pages were read with OCR and why.
//! 2. Recall on the scans: every gold string of the source document (`fixtures/gold/`) is
//!    located in the *source's* text layer, each of its characters mapped through the
//!    known scan transform (resolution, skew, quarter turn, from `fixtures/scans/manifest.json`)
//!    onto the scan, and counted as masked when the middle of every character lies in a
//!    mask of the scan's report. The same measure on the text PDFs is the baseline: what
//!    the detectors find without OCR. Keep-rate: must-keep phrases with no mask on them.
//! 3. The sceptical user's check: OCR of the redacted scans must not read any masked
//!    string that OCR reads in the unredacted scans, and must still read the kept phrases.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::process::Command;

use regex::Regex;
use serde_json::Value;
use tusch_core::{MaskState, RedactionPlan};
use tusch_engine::pipeline::extract_text;
use tusch_pdf::SourceDocument;

mod common;
use common::{fixtures, legible, norm, ocr_pages};

fn locate(text: &str, needle: &str) -> Vec<Range<usize>> {
    let pattern = needle
        .split_whitespace()
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(r"\s+");
    Regex::new(&format!(r"(?:^|\b|\W)({pattern})(?:s|:s|'s)?(?:\b|\W|$)"))
        .unwrap()
        .captures_iter(text)
        .map(|c| c.get(1).unwrap().range())
        .collect()
}

/// How a source page became a scan page: pixels at `dpi`, rotated `skew` degrees
/// counter-clockwise about the centre (PIL's `rotate`), then the content turned `turn`
/// degrees clockwise.
#[derive(Clone, Copy)]
struct Transform {
    dpi: f32,
    skew: f32,
    turn: u32,
    /// Source page size in pixels at `dpi`.
    w: f32,
    h: f32,
    /// Rows per column of resolution: 0.5 for a fax at 200 × 100 DPI (rows sampled at
    /// half the resolution after the skew), 1 otherwise.
    y_scale: f32,
}

impl Transform {
    fn identity(dpi: f32, w_pt: f32, h_pt: f32) -> Self {
        Transform {
            dpi,
            skew: 0.0,
            turn: 0,
            w: w_pt * dpi / 72.0,
            h: h_pt * dpi / 72.0,
            y_scale: 1.0,
        }
    }

    /// Display points of an output page → pixels of the scan, per axis. For a fax whose
    /// rows have half the resolution the page's own height says where its rows are:
    /// a reader that takes the pixels as square makes the page half as tall.
    fn mask_scale(&self, page: &tusch_core::PagePlan) -> (f32, f32) {
        let s = self.dpi / 72.0;
        if self.y_scale == 1.0 {
            return (s, s);
        }
        let (_, h_pt) = page.geometry.display_size();
        (s, self.h * self.y_scale / h_pt)
    }

    /// A point of the source page (display points) → scan page pixels.
    fn apply(&self, x_pt: f32, y_pt: f32) -> (f32, f32) {
        let s = self.dpi / 72.0;
        let (x, y) = (x_pt * s, y_pt * s);
        let (cx, cy) = (self.w / 2.0, self.h / 2.0);
        let t = self.skew.to_radians();
        let (dx, dy) = (x - cx, y - cy);
        let (x, y) = (
            cx + dx * t.cos() + dy * t.sin(),
            cy - dx * t.sin() + dy * t.cos(),
        );
        match self.turn {
            90 => (self.h - y, x),
            180 => (self.w - x, self.h - y),
            270 => (y, self.w - x),
            _ => (x, y * self.y_scale),
        }
    }
}

/// Accepted mask rectangles of one output page, in pixels at `dpi` of the displayed page.
fn mask_pixels(plan: &RedactionPlan, page: usize, t: &Transform) -> Vec<(f32, f32, f32, f32)> {
    let p = &plan.pages[page];
    let (s, sy) = t.mask_scale(p);
    p.masks
        .iter()
        .filter(|m| m.state == MaskState::Accepted)
        .flat_map(|m| m.rects.iter())
        .map(|r| {
            let d = p.geometry.to_display(r);
            (d.left * s, d.top * sy, d.right * s, d.bottom * sy)
        })
        .collect()
}

/// Whether the middle of a character box (display points of the source page) is masked
/// on the scan: its centre and the corners of its middle half must all be under masks.
fn char_masked(r: &tusch_core::DisplayRect, t: &Transform, masks: &[(f32, f32, f32, f32)]) -> bool {
    let (cx, cy) = ((r.left + r.right) / 2.0, (r.top + r.bottom) / 2.0);
    let (hw, hh) = ((r.right - r.left) / 4.0, (r.bottom - r.top) / 4.0);
    [
        (cx, cy),
        (cx - hw, cy - hh),
        (cx + hw, cy - hh),
        (cx - hw, cy + hh),
        (cx + hw, cy + hh),
    ]
    .iter()
    .all(|&(x, y)| {
        let (px, py) = t.apply(x, y);
        masks
            .iter()
            .any(|&(l, tp, rt, b)| l <= px && px <= rt && tp <= py && py <= b)
    })
}

#[derive(Default)]
struct Tally {
    expected: usize,
    found: usize,
}

struct Measured {
    recall: BTreeMap<String, Tally>,
    kept: usize,
    keep_total: usize,
    missed: Vec<String>,
    /// (output file, 1-based page, gold text) of every string not fully masked.
    missed_text: Vec<(String, usize, String)>,
}

/// Measures recall and keep-rate of one output (its report) against the source's gold.
fn measure(
    source: &str,
    report: &Value,
    pages: &[(usize, Transform)],
    into: &mut Measured,
    label: &str,
) {
    let gold: Value = serde_json::from_slice(
        &std::fs::read(
            fixtures()
                .join("gold")
                .join(source.replace(".pdf", ".json")),
        )
        .unwrap(),
    )
    .unwrap();
    let doc = SourceDocument::open(&fixtures().join("documents").join(source)).unwrap();
    let text = extract_text(&doc).unwrap();
    let plan: RedactionPlan = serde_json::from_value(report["plan"].clone()).unwrap();
    for (out_page, (src_page, t)) in pages.iter().enumerate() {
        let layer = &text[*src_page].layer;
        let geom = text[*src_page].geometry;
        let masks = mask_pixels(&plan, out_page, t);
        let covered = |span: &Range<usize>| {
            let chars = layer.char_range(span);
            layer.chars()[chars]
                .iter()
                .filter_map(|c| c.rect)
                .all(|r| char_masked(&geom.to_display(&r), t, &masks))
        };
        for m in gold["must_mask"].as_array().unwrap() {
            if m["page"].as_u64().unwrap() as usize != src_page + 1 {
                continue;
            }
            let cat = m["category"].as_str().unwrap().to_owned();
            for span in locate(layer.text(), m["text"].as_str().unwrap()) {
                let tally = into.recall.entry(cat.clone()).or_default();
                tally.expected += 1;
                if covered(&span) {
                    tally.found += 1;
                } else {
                    let chars = layer.char_range(&span);
                    let boxes: Vec<_> =
                        layer.chars()[chars].iter().filter_map(|c| c.rect).collect();
                    let hit = boxes
                        .iter()
                        .filter(|r| char_masked(&geom.to_display(r), t, &masks))
                        .count();
                    let unmasked: Vec<usize> = boxes
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| !char_masked(&geom.to_display(r), t, &masks))
                        .map(|(i, _)| i)
                        .collect();
                    into.missed.push(format!(
                        "{label} p{} {cat} ({hit}/{} characters masked; not: {unmasked:?})",
                        out_page + 1,
                        boxes.len()
                    ));
                    into.missed_text.push((
                        label.to_owned(),
                        out_page + 1,
                        m["text"].as_str().unwrap().to_owned(),
                    ));
                }
            }
        }
        for k in gold["must_keep"].as_array().unwrap() {
            for span in locate(layer.text(), k.as_str().unwrap()) {
                into.keep_total += 1;
                let chars = layer.char_range(&span);
                let touched = layer.chars()[chars].iter().filter_map(|c| c.rect).any(|r| {
                    let d = geom.to_display(&r);
                    let (x, y) = t.apply((d.left + d.right) / 2.0, (d.top + d.bottom) / 2.0);
                    masks
                        .iter()
                        .any(|&(l, tp, rt, b)| l <= x && x <= rt && tp <= y && y <= b)
                });
                if !touched {
                    into.kept += 1;
                } else {
                    into.missed
                        .push(format!("{label} keep broken: {}", k.as_str().unwrap()));
                }
            }
        }
    }
}

/// Each page of a manifest entry: its 0-based source page and how it became the scan.
fn scan_pages(entry: &Value, doc: &SourceDocument) -> Vec<(usize, Transform)> {
    let dpi = entry["dpi"].as_f64().unwrap() as f32;
    entry["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let sp = p["source_page"].as_u64().unwrap() as usize - 1;
            let (w, h) = doc.geometry(sp).unwrap().display_size();
            let mut t = Transform::identity(dpi, w, h);
            t.skew = p["skew_ccw_degrees"].as_f64().unwrap() as f32;
            t.turn = p["turn_cw_degrees"].as_u64().unwrap() as u32;
            if let Some(dy) = entry["dpi_y"].as_f64() {
                t.y_scale = dy as f32 / dpi;
            }
            (sp, t)
        })
        .collect()
}

/// Each OCR'd page of a report names the quarter turn the page was scanned with, and its
/// skew within `tolerance` degrees.
fn check_orientation_and_skew(
    report: &Value,
    pages: &[(usize, Transform)],
    file: &str,
    tolerance: f32,
) {
    for (p, (_, t)) in report["page_sources"].as_array().unwrap().iter().zip(pages) {
        assert_eq!(
            p["ocr_result"]["orientation_degrees"].as_u64().unwrap() as u32,
            t.turn,
            "{file}: {p}"
        );
        let skew = p["ocr_result"]["skew_degrees"].as_f64().unwrap() as f32;
        assert!(
            (skew - t.skew).abs() <= tolerance,
            "{file}: skew {skew} against {}",
            t.skew
        );
    }
}

fn total(m: &Measured) -> (usize, usize) {
    m.recall
        .values()
        .fold((0, 0), |(e, f), t| (e + t.expected, f + t.found))
}

#[test]
fn mixed_folder_of_scans_images_and_text_pdfs() {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("scans/manifest.json")).unwrap())
            .unwrap();
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut sources = Vec::new();
    for e in manifest.as_array().unwrap() {
        let f = e["file"].as_str().unwrap();
        std::fs::copy(fixtures().join("scans").join(f), input.path().join(f)).unwrap();
        let s = e["source"].as_str().unwrap();
        if !sources.contains(&s) {
            std::fs::copy(fixtures().join("documents").join(s), input.path().join(s)).unwrap();
            sources.push(s);
        }
    }
    std::fs::write(
        input.path().join("trasig.jpg"),
        b"\xFF\xD8\xFF\xE0 not really",
    )
    .unwrap();

    let o = Command::new(env!("CARGO_BIN_EXE_tusch"))
        // Audit records go to a test folder, never to the real user's log.
        .env("XDG_STATE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .args(["batch"])
        .arg(input.path())
        .arg("-o")
        .arg(out.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    println!("{stdout}");
    assert!(!o.status.success(), "a bad file must make the batch exit 1");
    assert!(
        stdout.contains("MISSLYCKADES: trasig.jpg: bildfilen kan inte läsas"),
        "{stdout}"
    );
    assert!(
        stdout.contains("OCR: parkering-fordon-skannad.pdf: sida 1 av 1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("OCR: epost-trad-skannad.tif: sida 1, 2 av 2"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("OCR: beslut-bistand.pdf"),
        "text PDFs need no OCR: {stdout}"
    );

    let read_report = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(out.path().join(format!("{name}.json"))).unwrap())
            .unwrap()
    };
    let out_name = |f: &str| -> String {
        let p = Path::new(f);
        if p.extension().unwrap() == "pdf" {
            f.to_owned()
        } else {
            p.with_extension("pdf").to_string_lossy().into_owned()
        }
    };

    let mut scans = Measured {
        recall: BTreeMap::new(),
        kept: 0,
        keep_total: 0,
        missed: Vec::new(),
        missed_text: Vec::new(),
    };
    let mut texts = Measured {
        recall: BTreeMap::new(),
        kept: 0,
        keep_total: 0,
        missed: Vec::new(),
        missed_text: Vec::new(),
    };
    let mut measured_sources = Vec::new();
    for e in manifest.as_array().unwrap() {
        let f = e["file"].as_str().unwrap();
        let source = e["source"].as_str().unwrap();
        let report = read_report(&out_name(f));
        // The report names every page's reason and the output encoding.
        for p in report["page_sources"].as_array().unwrap() {
            assert_eq!(p["ocr"], true, "{f}: {p}");
            assert_eq!(p["output_encoding"], "jpeg", "{f}: {p}");
            // These scans read well: none is flagged as hard to read (issue 12).
            println!(
                "{f} p{}: low-confidence share {}",
                p["page"], p["ocr_result"]["low_confidence_share"]
            );
            assert_eq!(p["poor_quality"], false, "{f}: {p}");
            assert!(
                ["image_input", "no_text_layer"].contains(&p["reason"].as_str().unwrap()),
                "{f}: {p}"
            );
        }
        let doc = SourceDocument::open(&fixtures().join("documents").join(source)).unwrap();
        let pages = scan_pages(e, &doc);
        // Orientation found by OCR must match how the page was turned, and the skew the
        // page was scanned with, to a third of a degree.
        check_orientation_and_skew(&report, &pages, f, 0.35);
        measure(source, &report, &pages, &mut scans, f);
        // Baseline: the same pages of the text PDF, as the detectors see them without OCR.
        let text_report = read_report(source);
        assert!(text_report["page_sources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["ocr"] == false && p["reason"] == "text_layer"));
        let all_pages: Vec<(usize, Transform)> = pages
            .iter()
            .map(|(sp, _)| {
                let (w, h) = doc.geometry(*sp).unwrap().display_size();
                (*sp, Transform::identity(150.0, w, h))
            })
            .collect();
        let mut sub = text_report.clone();
        let plan = &mut sub["plan"]["pages"];
        let kept: Vec<Value> = all_pages.iter().map(|(sp, _)| plan[*sp].clone()).collect();
        *plan = Value::Array(kept);
        measure(source, &sub, &all_pages, &mut texts, source);
        measured_sources.push(source);
    }

    println!(
        "{:<22} {:>14} {:>14}",
        "category", "scan found/exp", "text found/exp"
    );
    let cats: Vec<&String> = texts.recall.keys().collect();
    for c in cats {
        let s = scans
            .recall
            .get(c)
            .map_or((0, 0), |t| (t.found, t.expected));
        let t = &texts.recall[c];
        println!(
            "{c:<22} {:>6}/{:<7} {:>6}/{:<7}",
            s.0, s.1, t.found, t.expected
        );
    }
    let (se, sf) = total(&scans);
    let (te, tf) = total(&texts);
    let scan_recall = sf as f64 / se as f64;
    let text_recall = tf as f64 / te as f64;
    println!("recall: scans {sf}/{se} = {scan_recall:.3}; same pages as text PDFs {tf}/{te} = {text_recall:.3}");
    println!(
        "keep-rate: scans {}/{}; text PDFs {}/{}",
        scans.kept, scans.keep_total, texts.kept, texts.keep_total
    );
    for m in &scans.missed {
        println!("scan: {m}");
    }
    assert_eq!(se, te, "the same gold strings are measured on both");
    // The issue's target is 0.97. Measured: 1.000 (177/177 with the photo, 157/157 before
    // it), as on the text PDFs of the same pages (0.924 when the OCR branch was built,
    // 0.949 before the OCR-tolerant readings: a plate's J read as ")", "Igh" for "lgh",
    // postorter without å/ä/ö, numbers and URLs split by OCR, columns joined into one
    // line). These scans were the development set; `held_out_scans` measures scans that
    // nothing was tuned on at first.
    assert!(
        scan_recall >= 0.97,
        "recall on scans {scan_recall:.3} below 0.97"
    );
    // Every keep phrase stays unmasked — including "Felmeddelandet visade denna adress" on
    // the photo at 4°, the line above a masked URL, which one rectangle around the whole
    // crooked URL line covered (masks on crooked lines are staircases).
    assert_eq!(
        scans.kept, scans.keep_total,
        "a keep phrase on a scan was masked"
    );

    // Every output verifies again with its report (masks black, JPEG tolerance).
    for e in manifest.as_array().unwrap() {
        let name = out_name(e["file"].as_str().unwrap());
        let o = Command::new(env!("CARGO_BIN_EXE_tusch"))
            // Audit records go to a test folder, never to the real user's log.
            .env("XDG_STATE_HOME", env!("CARGO_TARGET_TMPDIR"))
            .arg("verify")
            .arg(out.path().join(&name))
            .arg("--report")
            .arg(out.path().join(format!("{name}.json")))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }

    // OCR read-back of two scans (one turned 90°, one with a 180° page): what OCR reads
    // in the scan and the gold says is masked must not be readable in the output — for
    // every string the masks were meant to cover. Strings the detectors missed (counted in
    // the recall above, e.g. a plate OCR read as "BP) 317") are readable, of course; they
    // are listed, not counted as mask failures.
    let work = tempfile::tempdir().unwrap();
    let (mut readable, mut leaked, mut keep_b, mut keep_a) = (0, 0, 0, 0);
    let mut known_misses = 0;
    for (f, source) in [
        ("parkering-fordon-skannad.pdf", "parkering-fordon.pdf"),
        ("klagomal-medborgare-skannad.pdf", "klagomal-medborgare.pdf"),
    ] {
        let gold: Value = serde_json::from_slice(
            &std::fs::read(
                fixtures()
                    .join("gold")
                    .join(source.replace(".pdf", ".json")),
            )
            .unwrap(),
        )
        .unwrap();
        let tag = f.replace(".pdf", "");
        let before = ocr_pages(
            &fixtures().join("scans").join(f),
            work.path(),
            &format!("{tag}-a"),
            "1",
        );
        let after = ocr_pages(&out.path().join(f), work.path(), &format!("{tag}-b"), "1");
        for m in gold["must_mask"].as_array().unwrap() {
            let page = m["page"].as_u64().unwrap() as usize - 1;
            let needle = norm(m["text"].as_str().unwrap());
            if needle.len() < 4 || !norm(&before[page]).contains(&needle) {
                continue;
            }
            let missed = scans.missed_text.iter().any(|(file, p, t)| {
                file == f && *p == page + 1 && t == m["text"].as_str().unwrap()
            });
            if missed {
                known_misses += 1;
                if norm(&after[page]).contains(&needle) {
                    println!(
                        "readable (not detected): {f} p{} {}",
                        page + 1,
                        m["category"]
                    );
                }
                continue;
            }
            readable += 1;
            if norm(&after[page]).contains(&needle) {
                leaked += 1;
                println!("LEAK {f} p{} {}", page + 1, m["category"]);
            }
        }
        for k in gold["must_keep"].as_array().unwrap() {
            let needle = norm(k.as_str().unwrap());
            if norm(&before.concat()).contains(&needle) {
                keep_b += 1;
                if legible(&norm(&after.concat()), &needle) {
                    keep_a += 1;
                } else {
                    println!("keep phrase no longer read: {f} {k}");
                }
            }
        }
    }
    println!("OCR read-back: {readable} masked strings readable in the scans, {leaked} still readable after ({known_misses} undetected strings not counted); keep {keep_a}/{keep_b}");
    assert!(readable >= 10, "the OCR read-back itself is not working");
    assert_eq!(leaked, 0);
    assert!(keep_a as f64 >= 0.9 * keep_b as f64);
}

/// Scans of the four documents the OCR path was not developed against
/// (`fixtures/scans-heldout`, generated once by `fixtures/scan.py` and first measured before
/// any change was made for them): more skew (up to 3°), a page turned 270° and one 180°, a
/// G4 TIFF of a three-page protokoll and a JPEG photo. Recall and keep-rate as above.
#[test]
fn held_out_scans() {
    let (manifest, out, _) = batch_set("scans-heldout");
    let mut scans = Measured {
        recall: BTreeMap::new(),
        kept: 0,
        keep_total: 0,
        missed: Vec::new(),
        missed_text: Vec::new(),
    };
    for e in manifest.as_array().unwrap() {
        let f = e["file"].as_str().unwrap();
        let source = e["source"].as_str().unwrap();
        let name = Path::new(f).with_extension("pdf");
        let report: Value = serde_json::from_slice(
            &std::fs::read(out.path().join(format!("{}.json", name.display()))).unwrap(),
        )
        .unwrap();
        let doc = SourceDocument::open(&fixtures().join("documents").join(source)).unwrap();
        let pages = scan_pages(e, &doc);
        for p in report["page_sources"].as_array().unwrap() {
            assert_eq!(p["ocr"], true, "{f}: {p}");
            println!(
                "{f} p{}: low-confidence share {}",
                p["page"], p["ocr_result"]["low_confidence_share"]
            );
            assert_eq!(p["poor_quality"], false, "{f}: {p}");
        }
        check_orientation_and_skew(&report, &pages, f, 0.5);
        measure(source, &report, &pages, &mut scans, f);
    }
    for (c, t) in &scans.recall {
        println!("{c:<22} {:>4}/{:<4}", t.found, t.expected);
    }
    let (e, f) = total(&scans);
    let recall = f as f64 / e as f64;
    println!(
        "held-out recall {f}/{e} = {recall:.3}; keep-rate {}/{}",
        scans.kept, scans.keep_total
    );
    for m in &scans.missed {
        println!("held-out: {m}");
    }
    // First measured at 0.920 (92/100), before any change for these scans: a table OCR
    // could not read at 3° skew, numbers split across Tesseract's lines, a capital split
    // from a name, "123-47" for "123 47", a plusgiro under its label. After levelling skewed
    // pages before reading and the fixes for those: 0.990, and 1.000 once a name's mask runs
    // to the ends of its words ("Karl-Johan" read as "Karl-) ohan"). No longer blind, so
    // the floor is the issue's target.
    assert!(recall >= 0.97, "held-out recall {recall:.3} below 0.97");
    assert_eq!(scans.kept, scans.keep_total, "a keep phrase was masked");
}

/// Poor scans (issue 12, `fixtures/scans-poor`): office-scanner output at 200 and 300 DPI
/// saved as JPEG at quality 25–40, dust and speckle, blur, a dark edge and uneven light,
/// table pages, and a fax (1-bit, 200 × 100 DPI, Group 4 TIFF). Recall per category and
/// keep-rate as above; every page's OCR word count and mean confidence are printed.
#[test]
fn poor_scans() {
    let (manifest, out, stdout) = batch_set("scans-poor");
    let mut scans = Measured {
        recall: BTreeMap::new(),
        kept: 0,
        keep_total: 0,
        missed: Vec::new(),
        missed_text: Vec::new(),
    };
    let mut poor_pages: Vec<(String, usize)> = Vec::new();
    for e in manifest.as_array().unwrap() {
        let f = e["file"].as_str().unwrap();
        let source = e["source"].as_str().unwrap();
        let name = Path::new(f).with_extension("pdf");
        let report: Value = serde_json::from_slice(
            &std::fs::read(out.path().join(format!("{}.json", name.display()))).unwrap(),
        )
        .unwrap();
        let doc = SourceDocument::open(&fixtures().join("documents").join(source)).unwrap();
        let pages = scan_pages(e, &doc);
        for (n, p) in report["page_sources"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            assert_eq!(p["ocr"], true, "{f}: {p}");
            let r = &p["ocr_result"];
            println!(
                "{f} p{}: {} words, mean confidence {}, low-confidence share {}, {} lines read again, poor quality {}",
                n + 1,
                r["words"],
                r["mean_confidence"],
                r["low_confidence_share"],
                r["reread_lines"],
                p["poor_quality"],
            );
            if p["poor_quality"] == true {
                poor_pages.push((f.to_owned(), n + 1));
                // The report lists it in Swedish too.
                let note = format!("sida {}: sidan är svårläst – granska manuellt", n + 1);
                assert!(
                    report["granska"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|g| g.as_str().unwrap().starts_with(&note)),
                    "{f}: {}",
                    report["granska"]
                );
            }
        }
        measure(source, &report, &pages, &mut scans, f);
    }
    for (c, t) in &scans.recall {
        println!("{c:<22} {:>4}/{:<4}", t.found, t.expected);
    }
    let (e, f) = total(&scans);
    let recall = f as f64 / e as f64;
    println!(
        "poor-scan recall {f}/{e} = {recall:.3}; keep-rate {}/{}",
        scans.kept, scans.keep_total
    );
    for m in &scans.missed {
        println!("poor: {m}");
    }
    // Measured before any change for these scans: 0.783 (112/143), keep-rate 35/35. Then
    // 0.930 with a fax's rows stretched to square pixels, 0.951 with a second reading of
    // doubtful lines, 0.979 (140/143) with word boxes snapped to their ink and uncertain
    // words near personal data masked (`osaker_ocr`). The issue's targets:
    assert!(recall >= 0.97, "poor-scan recall {recall:.3} below 0.97");
    assert!(
        scans.kept as f64 >= 0.95 * scans.keep_total as f64,
        "keep-rate {}/{}",
        scans.kept,
        scans.keep_total
    );
    // Fail visible: every string still missed is on a page the batch summary and the
    // report flag as hard to read.
    for (file, page, _) in &scans.missed_text {
        assert!(
            poor_pages.contains(&(file.clone(), *page)),
            "a miss on {file} p{page}, a page not flagged as poor quality"
        );
    }
    assert!(
        stdout.contains("sidan är svårläst – granska manuellt"),
        "{stdout}"
    );
}

/// Copies a scan set's files (its `manifest.json`) to a fresh folder and runs `tusch batch`
/// over it as a registrar would. Returns the manifest, the output folder and what batch
/// printed (also printed here).
fn batch_set(name: &str) -> (Value, tempfile::TempDir, String) {
    let dir = fixtures().join(name);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    for e in manifest.as_array().unwrap() {
        let f = e["file"].as_str().unwrap();
        std::fs::copy(dir.join(f), input.path().join(f)).unwrap();
    }
    let o = Command::new(env!("CARGO_BIN_EXE_tusch"))
        // Audit records go to a test folder, never to the real user's log.
        .env("XDG_STATE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .args(["batch"])
        .arg(input.path())
        .arg("-o")
        .arg(out.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    println!("{stdout}");
    assert!(o.status.success(), "{stdout}");
    (manifest, out, stdout)
}

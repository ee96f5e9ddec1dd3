//! The `searchable` profile from the outside (issue 15): `tusch redact --searchable` on
//! fixture documents, then what a reader or a crawler gets. `pdftotext` finds the ordinary
//! phrases of the page and none of the masked strings (`tusch detect --json --show-text`);
//! OCR of the output's pages reads none of them either; `qpdf --check` passes; the file has
//! `/Lang` and a tag tree; the report records the profile.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod common;
use common::{fixtures, legible, norm, ocr_pages, two_at_a_time};

fn tusch(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tusch"))
        .args(args)
        .output()
        .unwrap()
}

/// The strings `tusch detect` finds in `pdf` (what the redaction masks), normalised.
fn masked_strings(pdf: &Path) -> Vec<String> {
    let o = tusch(&["detect", "--json", "--show-text", pdf.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let mut out: Vec<String> = rows
        .iter()
        .filter_map(|r| r["text"].as_str())
        .map(norm)
        .filter(|s| s.chars().count() >= 5)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn check(file: &str) -> Vec<String> {
    let input = fixtures().join("documents").join(file);
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("ut.pdf");
    let report = work.path().join("ut.json");
    let o = tusch(&[
        "redact",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--searchable",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(
        o.status.success(),
        "{file}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut problems = Vec::new();
    let rep: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(rep["profile"], "searchable", "{file}");

    let masked = masked_strings(&input);
    assert!(!masked.is_empty(), "{file}: nothing masked, nothing tested");

    // What a search engine or a copy-paste gets.
    let text = Command::new("pdftotext")
        .arg(&out)
        .arg("-")
        .output()
        .unwrap();
    assert!(text.status.success());
    let text = norm(&String::from_utf8_lossy(&text.stdout));
    for m in &masked {
        if text.contains(m.as_str()) {
            problems.push(format!("{file}: pdftotext finds a masked string"));
        }
    }
    let gold: Value = serde_json::from_slice(
        &std::fs::read(fixtures().join("gold").join(file.replace(".pdf", ".json"))).unwrap(),
    )
    .unwrap();
    let keep: Vec<String> = gold["must_keep"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| norm(k.as_str().unwrap()))
        .collect();
    let found = keep.iter().filter(|k| legible(&text, k)).count();
    println!(
        "{file}: pdftotext finds {found} of {} keep phrases",
        keep.len()
    );
    if (found as f64) < 0.8 * keep.len() as f64 {
        problems.push(format!(
            "{file}: pdftotext finds only {found} of {} keep phrases",
            keep.len()
        ));
    }

    // What a reader sees: OCR of the output's pages.
    let seen = norm(&ocr_pages(&out, work.path(), "b", "3").concat());
    for m in &masked {
        if seen.contains(m.as_str()) {
            problems.push(format!("{file}: OCR reads a masked string in the output"));
        }
    }

    let qpdf = Command::new("qpdf")
        .arg("--check")
        .arg(&out)
        .output()
        .unwrap();
    if !qpdf.status.success() {
        problems.push(format!(
            "{file}: qpdf --check: {}",
            String::from_utf8_lossy(&qpdf.stdout)
        ));
    }
    let doc = lopdf::Document::load(&out).unwrap();
    let catalog = doc.catalog().unwrap();
    for key in [&b"Lang"[..], b"StructTreeRoot", b"MarkInfo"] {
        if catalog.get(key).is_err() {
            problems.push(format!(
                "{file}: the catalog lacks /{}",
                String::from_utf8_lossy(key)
            ));
        }
    }
    problems
}

#[test]
fn searchable_output_has_ordinary_text_and_no_masked_string() {
    let files = ["beslut-bistand.pdf", "faktura-paminnelse.pdf"];
    let problems: Vec<String> = two_at_a_time(&files, |f| check(f))
        .into_iter()
        .flatten()
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn tusch_verify_rejects_a_searchable_output_checked_as_an_image_output() {
    let input = fixtures().join("documents/beslut-bistand.pdf");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("ut.pdf");
    let o = tusch(&[
        "redact",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--searchable",
        "--no-ner",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // `tusch verify` without a report checks the image profile: text fails.
    let v = tusch(&["verify", out.to_str().unwrap()]);
    assert!(!v.status.success());
}

/// `tusch batch --searchable` writes searchable outputs and `underlag.pdf` for the folder:
/// a tagged sv-SE PDF whose text names the document, pages and provisions, and none of
/// the masked strings.
#[test]
fn batch_searchable_writes_the_decision_summary_as_pdf() {
    let work = tempfile::tempdir().unwrap();
    let (inp, out) = (work.path().join("in"), work.path().join("ut"));
    std::fs::create_dir_all(&inp).unwrap();
    let src = fixtures().join("documents/faktura-paminnelse.pdf");
    std::fs::copy(&src, inp.join("faktura.pdf")).unwrap();
    let o = tusch(&[
        "batch",
        inp.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--searchable",
        "--no-ner",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let rep: Value =
        serde_json::from_slice(&std::fs::read(out.join("faktura.pdf.json")).unwrap()).unwrap();
    assert_eq!(rep["profile"], "searchable");
    let summary = out.join("underlag.pdf");
    let doc = lopdf::Document::load(&summary).unwrap();
    let catalog = doc.catalog().unwrap();
    assert!(catalog.get(b"Lang").is_ok() && catalog.get(b"StructTreeRoot").is_ok());
    let qpdf = Command::new("qpdf")
        .arg("--check")
        .arg(&summary)
        .output()
        .unwrap();
    assert!(qpdf.status.success());
    let text = Command::new("pdftotext")
        .arg(&summary)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    assert!(text.contains("Underlag för beslut om maskering"), "{text}");
    assert!(text.contains("faktura.pdf"), "{text}");
    assert!(text.contains("kap."), "the provisions are named: {text}");
    let flat = norm(&text);
    for m in masked_strings(&src) {
        assert!(!flat.contains(&m), "the summary holds a masked string");
    }
}

//! The sceptical user's check: read the output back with OCR. A masked string that OCR reads
//! in the original page must not be readable in the redacted page; ordinary phrases that OCR
//! reads in the original must still be readable.
//!
//! Tesseract (`-l swe`, `OMP_THREAD_LIMIT=1`) reads pages rendered by pdftoppm; both come
//! from Debian via `make setup`. Comparison ignores case, spaces and punctuation, so OCR's
//! small misreadings of spacing do not decide the outcome.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::{fixtures, legible, norm, ocr_pages, two_at_a_time};

#[test]
fn masked_text_cannot_be_read_back_and_ordinary_text_still_can() {
    let out = tempfile::tempdir().unwrap();
    let docs = fixtures().join("documents");
    let o = Command::new(env!("CARGO_BIN_EXE_tusch"))
        // Audit records go to a test folder, never to the real user's log.
        .env("XDG_STATE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .args([
            "batch",
            docs.to_str().unwrap(),
            "-o",
            out.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success());

    let mut golds: Vec<PathBuf> = std::fs::read_dir(fixtures().join("gold"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    golds.sort();
    let results = two_at_a_time(&golds, |g| check_document(g, out.path()));
    let (mut masked_readable_before, mut leaked, mut keep_before, mut keep_after) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    for (a, b, c, d, p) in results {
        masked_readable_before += a;
        leaked += b;
        keep_before += c;
        keep_after += d;
        problems.extend(p);
    }
    println!(
        "masked strings OCR reads in the originals: {masked_readable_before}; still readable after: {leaked}"
    );
    println!("must-keep phrases OCR reads in the originals: {keep_before}; still readable after: {keep_after}");
    for p in &problems {
        println!("{p}");
    }
    assert!(
        masked_readable_before > 40,
        "the OCR check itself is not working"
    );
    assert_eq!(
        leaked, 0,
        "masked text readable in the output: {problems:?}"
    );
    assert!(
        keep_after as f64 >= 0.95 * keep_before as f64,
        "ordinary text lost: {problems:?}"
    );
}

/// Returns (masked strings readable in the original, of those readable in the output,
/// keep phrases readable in the original, of those readable in the output, problems).
fn check_document(gold_path: &Path, out_dir: &Path) -> (usize, usize, usize, usize, Vec<String>) {
    let gold: Value = serde_json::from_slice(&std::fs::read(gold_path).unwrap()).unwrap();
    let file = gold["file"].as_str().unwrap();
    let work = tempfile::tempdir().unwrap();
    let before = ocr_pages(
        &fixtures().join("documents").join(file),
        work.path(),
        "a",
        "3",
    );
    let after = ocr_pages(&out_dir.join(file), work.path(), "b", "3");
    assert_eq!(before.len(), after.len(), "{file}");
    let (mut readable, mut leaked, mut keep_b, mut keep_a) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    // Names are found by the NER model (issue 3); this check covers what the rules mask.
    for m in gold["must_mask"].as_array().unwrap() {
        if m["category"] == "person" {
            continue;
        }
        let page = m["page"].as_u64().unwrap() as usize - 1;
        let needle = norm(m["text"].as_str().unwrap());
        if needle.len() < 4 || !norm(&before[page]).contains(&needle) {
            continue;
        }
        readable += 1;
        if norm(&after[page]).contains(&needle) {
            leaked += 1;
            problems.push(format!("LEAK {file} p{} {}", page + 1, m["category"]));
        }
    }
    let all_before = norm(&before.concat());
    let all_after = norm(&after.concat());
    for k in gold["must_keep"].as_array().unwrap() {
        let needle = norm(k.as_str().unwrap());
        if !all_before.contains(&needle) {
            continue;
        }
        keep_b += 1;
        if legible(&all_after, &needle) {
            keep_a += 1;
        } else {
            problems.push(format!("LOST {file}: {}", k.as_str().unwrap()));
        }
    }
    (readable, leaked, keep_b, keep_a, problems)
}

#[test]
fn legible_allows_one_ocr_slip_in_ten_characters_and_no_more() {
    let needle = norm("Tillståndet ska placeras");
    assert!(legible(&norm("x Tillståndet ska placeras y"), &needle));
    assert!(legible(&norm("illståndet ska placeras väl"), &needle));
    // 22 characters: two slips pass, three do not.
    assert!(legible(&norm("illstandet ska placeras"), &needle));
    assert!(!legible(&norm("ilstandet ska placeras"), &needle));
    assert!(!legible(&norm("ska placeras"), &needle));
    assert!(legible("", ""));
}

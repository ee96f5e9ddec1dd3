//! Recall and precision of the analyzer on the annotated fixtures in `fixtures/gold/`.
//!
//! Every must-mask string is located in the page's text layer (whitespace-tolerant) and
//! counts as found when every visible character of it lies inside a finding. A finding
//! counts as correct when it overlaps a must-mask string. Must-keep phrases must not be
//! touched at all. Prints a table per category; `cargo test -p tusch-pdf --test gold --
//! --nocapture` shows it.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use regex::Regex;
use serde_json::Value;
use tusch_core::Config;
use tusch_engine::pipeline::extract_text;
use tusch_engine::Engine;
use tusch_pdf::SourceDocument;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn locate(text: &str, needle: &str) -> Vec<Range<usize>> {
    let pattern = needle
        .split_whitespace()
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(r"\s+");
    // A name listed in the nominative also matches its genitive ("Svensson" in "Svenssons").
    Regex::new(&format!(r"(?:^|\b|\W)({pattern})(?:s|:s|'s)?(?:\b|\W|$)"))
        .unwrap()
        .captures_iter(text)
        .map(|c| c.get(1).unwrap().range())
        .collect()
}

#[derive(Default, Debug)]
struct Tally {
    expected: usize,
    found: usize,
}

/// Categories that the rule detectors must find completely.
const RULE_CATEGORIES: &[&str] = &[
    "personnummer",
    "phone",
    "email",
    "ip_address",
    "url",
    "address",
    "postal_code",
    "bank_account",
    "payment_card",
    "vehicle_plate",
    "property_designation",
    "date_of_birth",
];

#[test]
fn recall_and_precision_on_gold_fixtures() {
    // The default engine, as `tusch batch` runs it: rules and the NER model.
    let engine = Engine::from_config(Config::default()).unwrap_or_else(|e| {
        panic!("the NER model must load for the gold test (models/tusch-ner-sv): {e}")
    });
    let mut tally: BTreeMap<String, Tally> = BTreeMap::new();
    let (mut findings_total, mut findings_ok) = (0usize, 0usize);
    let mut missed = Vec::new();
    let mut extra = Vec::new();
    let mut kept_broken = Vec::new();
    let mut unlocated = Vec::new();
    let mut golds: Vec<_> = std::fs::read_dir(root().join("gold"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    golds.sort();
    assert!(golds.len() >= 8);
    for gold_path in golds {
        let gold: Value = serde_json::from_slice(&std::fs::read(&gold_path).unwrap()).unwrap();
        let file = gold["file"].as_str().unwrap();
        let doc = SourceDocument::open(&root().join("documents").join(file)).unwrap();
        let pages = extract_text(&doc).unwrap();
        let found = engine.detect(&pages);
        let mut gold_spans: Vec<Vec<Range<usize>>> = vec![Vec::new(); pages.len()];
        for m in gold["must_mask"].as_array().unwrap() {
            let text = m["text"].as_str().unwrap();
            let cat = m["category"].as_str().unwrap().to_owned();
            let page = m["page"].as_u64().unwrap() as usize - 1;
            let layer = pages[page].layer.text();
            let spans = locate(layer, text);
            if spans.is_empty() {
                unlocated.push(format!("{file} p{}: {cat}", page + 1));
                continue;
            }
            for span in spans {
                let t = tally.entry(cat.clone()).or_default();
                t.expected += 1;
                let covered = layer[span.clone()]
                    .char_indices()
                    .filter(|(_, c)| !c.is_whitespace())
                    .all(|(i, _)| {
                        let b = span.start + i;
                        found.pages[page]
                            .iter()
                            .any(|f| f.span.start <= b && b < f.span.end)
                    });
                if covered {
                    t.found += 1;
                } else {
                    missed.push(format!("{file} p{} {cat}: {text}", page + 1));
                }
                gold_spans[page].push(span);
            }
        }
        for (p, fs) in found.pages.iter().enumerate() {
            for f in fs {
                findings_total += 1;
                if gold_spans[p]
                    .iter()
                    .any(|g| g.start < f.span.end && f.span.start < g.end)
                {
                    findings_ok += 1;
                } else {
                    // Fixtures hold invented data only, so the text may be shown.
                    let e = &f.explanation;
                    extra.push(format!(
                        "{file} p{} {}/{}/{} {:.2}: {}",
                        p + 1,
                        f.category,
                        e.detector,
                        e.rule,
                        f.score,
                        pages[p].layer.text()[f.span.clone()].replace(['\r', '\n'], " ")
                    ));
                }
            }
        }
        for k in gold["must_keep"].as_array().unwrap() {
            let phrase = k.as_str().unwrap();
            for (p, page) in pages.iter().enumerate() {
                for span in locate(page.layer.text(), phrase) {
                    if found.pages[p]
                        .iter()
                        .any(|f| f.span.start < span.end && span.start < f.span.end)
                    {
                        kept_broken.push(format!("{file} p{}: {phrase}", p + 1));
                    }
                }
            }
        }
    }
    println!(
        "{:<22} {:>8} {:>8} {:>8}",
        "category", "expected", "found", "recall"
    );
    let (mut e, mut f) = (0, 0);
    for (cat, t) in &tally {
        e += t.expected;
        f += t.found;
        println!(
            "{cat:<22} {:>8} {:>8} {:>8.3}",
            t.expected,
            t.found,
            t.found as f64 / t.expected as f64
        );
    }
    println!("{:<22} {e:>8} {f:>8} {:>8.3}", "all", f as f64 / e as f64);
    println!(
        "precision (findings overlapping gold): {findings_ok}/{findings_total} = {:.3}",
        findings_ok as f64 / findings_total.max(1) as f64
    );
    for m in &missed {
        println!("missed: {m}");
    }
    for x in &extra {
        println!("not in gold: {x}");
    }
    assert!(
        unlocated.is_empty(),
        "gold strings not in text layer: {unlocated:?}"
    );
    let rule_misses: Vec<_> = missed
        .iter()
        .filter(|m| {
            RULE_CATEGORIES
                .iter()
                .any(|c| m.contains(&format!(" {c}:")))
        })
        .collect();
    assert!(
        rule_misses.is_empty(),
        "rule categories missed: {rule_misses:?}"
    );
    assert!(
        kept_broken.is_empty(),
        "must-keep phrases masked: {kept_broken:?}"
    );
    assert!(
        findings_ok as f64 >= 0.9 * findings_total as f64,
        "precision below 0.9: {findings_ok}/{findings_total}"
    );
}

//! Snapshot tests of the rule-based detectors over kommun-style texts.
//!
//! Each text in `tests/texts/*.txt` is analysed with the default policy, as one page whose
//! lines are separated by "\r\n" as in a real text layer. Every finding is rendered as its
//! line with carets under the span, followed by category, score, detector and rule, so a
//! reviewer sees what was found. A `.gold` file beside each text lists what must be masked
//! (and, after `~`, what may be masked or not);
//! `gold_recall_and_precision` checks that nothing in it is missed and nothing outside it is
//! masked.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::Path;

use tusch_core::{Analyzer, DetectionPolicy, Finding};

const TEXTS: &[&str] = &[
    "beslut_bygglov",
    "epost_socialtjanst",
    "faktura",
    "nara_missar",
    "utredning",
    "verkliga_dokument",
];

fn load(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/texts/{name}.txt"));
    let text = std::fs::read_to_string(path).unwrap();
    // The text layer separates lines with "\r\n".
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

fn analyze(text: &str) -> Vec<Finding> {
    let analyzer = Analyzer::new(DetectionPolicy::default());
    analyzer.analyze(&[text]).pages.remove(0)
}

/// One block per finding: the line number, the line, carets under the span.
fn render(text: &str, findings: &[Finding]) -> String {
    let mut out = String::new();
    let mut line_starts = vec![0];
    line_starts.extend(text.match_indices("\r\n").map(|(i, _)| i + 2));
    for f in findings {
        let line_no = line_starts.partition_point(|&s| s <= f.span.start) - 1;
        let line_start = line_starts[line_no];
        let line_end = text[line_start..]
            .find("\r\n")
            .map_or(text.len(), |i| line_start + i);
        let shown = |s: &str| -> String {
            s.chars()
                .map(|c| if c.is_whitespace() { ' ' } else { c })
                .collect()
        };
        let line = shown(&text[line_start..line_end]);
        let pad = text[line_start..f.span.start].chars().count();
        let end = f.span.end.min(line_end);
        let width = text[f.span.start..end].chars().count().max(1);
        let more = if f.span.end > line_end { "…" } else { "" };
        let e = &f.explanation;
        let validation = match &e.validation {
            tusch_core::Validation::Passed(c) => format!("passed {c}"),
            tusch_core::Validation::Failed(c) => format!("failed {c}"),
            tusch_core::Validation::NotApplicable => "-".to_owned(),
        };
        let _ = writeln!(out, "{:>3} | {line}", line_no + 1);
        let _ = writeln!(
            out,
            "    | {}{}{more} {} {:.2} {}/{} [{validation}]{}",
            " ".repeat(pad),
            "^".repeat(width),
            f.category,
            f.score,
            e.detector,
            e.rule,
            if e.context { " context" } else { "" },
        );
    }
    out
}

#[test]
fn snapshots() {
    for name in TEXTS {
        let text = load(name);
        let findings = analyze(&text);
        insta::assert_snapshot!(*name, render(&text, &findings));
    }
}

/// One line of a `.gold` file found in the text: the string, its byte range, and whether it
/// must be masked (`false` for `~` lines: ambiguous text that may be masked or not).
struct Gold {
    text: String,
    span: std::ops::Range<usize>,
    required: bool,
}

/// Every occurrence of every gold string.
fn gold_spans(name: &str, text: &str) -> Vec<Gold> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/texts/{name}.gold"));
    let gold = std::fs::read_to_string(path).unwrap();
    // The texts may hold NBSP or thin spaces where the gold file has a plain space; both
    // are longer than a space in UTF-8, so keep a map back to the text's offsets.
    let is_nbsp = |c: char| c == '\u{00A0}' || c == '\u{202F}';
    let normal: String = text
        .chars()
        .map(|c| if is_nbsp(c) { ' ' } else { c })
        .collect();
    let mut map = Vec::with_capacity(normal.len() + 1);
    for (i, c) in text.char_indices() {
        let n = if is_nbsp(c) { 1 } else { c.len_utf8() };
        map.extend(std::iter::repeat_n(i, n));
    }
    map.push(text.len());
    let mut out = Vec::new();
    for line in gold
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (g, required) = match line.strip_prefix('~') {
            Some(g) => (g, false),
            None => (line, true),
        };
        let hits: Vec<_> = normal.match_indices(g).collect();
        assert!(!hits.is_empty(), "{name}: gold {g:?} is not in the text");
        for (i, _) in hits {
            out.push(Gold {
                text: g.to_owned(),
                span: map[i]..map[i + g.len()],
                required,
            });
        }
    }
    out
}

#[test]
fn gold_recall_and_precision() {
    let (mut tp_gold, mut all_gold, mut tp_found, mut all_found) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    for name in TEXTS {
        let text = load(name);
        let findings = analyze(&text);
        let gold = gold_spans(name, &text);
        for g in gold.iter().filter(|g| g.required) {
            all_gold += 1;
            // Covered: every byte of the gold span lies in some finding.
            let covered =
                (g.span.start..g.span.end).all(|b| findings.iter().any(|f| f.span.contains(&b)));
            if covered {
                tp_gold += 1;
            } else {
                problems.push(format!("{name}: missed {:?}", g.text));
            }
        }
        for f in &findings {
            let overlaps = |g: &&Gold| g.span.start < f.span.end && f.span.start < g.span.end;
            if gold.iter().filter(overlaps).any(|g| g.required) {
                all_found += 1;
                tp_found += 1;
            } else if gold.iter().any(|g| overlaps(&g)) {
                // Ambiguous text: neither right nor wrong.
            } else {
                all_found += 1;
                problems.push(format!(
                    "{name}: over-masked {:?} ({})",
                    &text[f.span.clone()],
                    f.explanation.rule
                ));
            }
        }
    }
    let recall = tp_gold as f64 / all_gold as f64;
    let precision = tp_found as f64 / all_found as f64;
    eprintln!("gold: recall {recall:.3} ({tp_gold}/{all_gold}), precision {precision:.3} ({tp_found}/{all_found})");
    for p in &problems {
        eprintln!("  {p}");
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_detector_is_fast_on_a_page() {
    // A 3,000-character page, built from the texts; release builds are far faster than
    // this debug-build bound.
    let mut page = String::new();
    for name in TEXTS {
        page.push_str(&load(name));
    }
    let page: String = page.chars().take(3000).collect();
    let analyzer = Analyzer::new(DetectionPolicy::default());
    analyzer.analyze(&[&page]); // compile the regexes and load the lists once
    for d in tusch_core::detect::default_detectors() {
        let start = std::time::Instant::now();
        let runs = 20;
        for _ in 0..runs {
            let mut out = Vec::new();
            d.detect(&page, &mut out);
        }
        let per_page = start.elapsed() / runs;
        assert!(
            per_page < std::time::Duration::from_millis(20),
            "{} took {per_page:?} per page",
            d.name()
        );
    }
}

//! Proof by replay (issue 16): a simulated registrar works through 20 invented case
//! documents in order, deciding every suggestion from the gold (accept the true, reject the
//! false), masking by hand what was missed, and the learned list learns after each
//! document. Precision of the suggestions must rise, recall must never fall below the first
//! document's, and the learned file must hold none of the strings.
//!
//! Run: `cargo test --release -p tusch-engine --test replay -- --nocapture`
//! All people, streets, numbers and projects are invented.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeSet;
use std::ops::Range;

use tusch_core::{Category, Config};
use tusch_engine::tusch_keyed::normalize::normalise;
use tusch_engine::tusch_keyed::Kind;
use tusch_engine::{Engine, Parts};

/// A valid personnummer (date + Luhn) for a person born in 19`yy`.
fn pnr(yy: u32, mm: u32, dd: u32, serial: u32) -> String {
    let body = format!("{yy:02}{mm:02}{dd:02}{serial:03}");
    let sum: u32 = body
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap() * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    format!("19{}-{}{}", &body[..6], &body[6..], (10 - sum % 10) % 10)
}

/// Document `i`: its text and its gold (the personal data in it).
fn document(i: u32) -> (String, Vec<String>) {
    let first = ["Anders", "Birgitta", "Cecilia", "Dragan", "Elin"][i as usize % 5];
    let phone = format!("070-{:03} {:02} {:02}", 120 + i, 10 + i, 30 + i);
    let p = pnr(50 + i, 1 + i % 12, 1 + i % 28, 100 + i);
    let mut text = format!(
        "Tjänsteanteckning {i}\r\nÄrendet gäller familjen Pärlemo, som {first} Pärlemo \
         företräder. Vi nås på Kommunhuset, Selma Lagerlöfs väg 4, 123 45 Ankeby.\r\n"
    );
    let mut gold = vec![format!("{first} Pärlemo"), "Pärlemo".to_owned()];
    if i.is_multiple_of(2) {
        text.push_str(&format!(
            "Tjorven har ringt från {phone} om Projekt Astrid Lindgren.\r\n"
        ));
        gold.extend(["Tjorven".to_owned(), phone]);
    } else {
        text.push_str(&format!(
            "Blankett Sven Duva ifylld. Sökandens personnummer {p}; Tjorven hörs senare.\r\n"
        ));
        gold.extend([p, "Tjorven".to_owned()]);
    }
    (text, gold)
}

/// Every occurrence of each gold string (longest first; covered ones skipped).
fn gold_spans(text: &str, gold: &[String]) -> Vec<Range<usize>> {
    let mut g: Vec<&String> = gold.iter().collect();
    g.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut spans: Vec<Range<usize>> = Vec::new();
    for s in g {
        for (at, _) in text.match_indices(s.as_str()) {
            let span = at..at + s.len();
            if !spans
                .iter()
                .any(|x| x.start <= span.start && span.end <= x.end)
            {
                spans.push(span);
            }
        }
    }
    spans
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Standard base64, for checking the learned file.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..=c.len() {
            s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    s
}

#[test]
fn precision_rises_and_recall_never_falls_as_the_registrar_decides() {
    let dir = tempfile::tempdir().unwrap();
    let learned = dir.path().join("inlard.json");
    let config = Config::from_toml(&format!(
        "[ner]\nenabled = false\n[learned]\npath = {:?}\nsuppress_after = 3\n",
        learned.display().to_string()
    ))
    .unwrap();
    let engine = Engine::new(config, Parts::default()).unwrap();
    let store = engine.learned().unwrap().clone();

    let mut curve = Vec::new();
    let mut masked_by_hand: BTreeSet<String> = BTreeSet::new();
    let mut rejected: BTreeSet<String> = BTreeSet::new();
    println!("dok  förslag  rätt  fel  missade  precision  recall  inlärda");
    for i in 0..20 {
        let (text, gold) = document(i);
        let gold = gold_spans(&text, &gold);
        let found = engine.analyzer().analyze(&[text.as_str()]).pages.remove(0);
        let (mut right, mut wrong) = (0, 0);
        let mut decisions: BTreeSet<(String, Kind)> = BTreeSet::new();
        for f in &found {
            if gold.iter().any(|g| overlaps(g, &f.span)) {
                right += 1;
            } else {
                wrong += 1;
                let t = text[f.span.clone()].to_owned();
                rejected.insert(t.clone());
                decisions.insert((t, Kind::NotPersonal));
            }
        }
        let missed: Vec<&Range<usize>> = gold
            .iter()
            .filter(|g| !found.iter().any(|f| overlaps(g, &f.span)))
            .collect();
        for g in &missed {
            let t = text[(*g).clone()].to_owned();
            masked_by_hand.insert(t.clone());
            decisions.insert((t, Kind::Mask));
        }
        let learned_used = found
            .iter()
            .filter(|f| f.explanation.detector == "inlärd")
            .count();
        let precision = if found.is_empty() {
            1.0
        } else {
            right as f64 / found.len() as f64
        };
        let recall = (gold.len() - missed.len()) as f64 / gold.len() as f64;
        println!(
            "{:>3}  {:>7}  {right:>4}  {wrong:>3}  {:>7}  {precision:>9.2}  {recall:>6.2}  {learned_used:>7}",
            i + 1,
            found.len(),
            missed.len()
        );
        curve.push((precision, recall));
        // The learned list learns after each document, once per distinct string, as the
        // app does at export.
        let mut s = store.write().unwrap();
        let mut seen = BTreeSet::new();
        for (t, kind) in decisions {
            if seen.insert((normalise(&t), kind)) {
                let category = (kind == Kind::Mask).then_some(Category::Person);
                s.record(&t, kind, category).unwrap();
            }
        }
        s.save().unwrap();
    }
    let mean = |r: &[(f64, f64)]| r.iter().map(|x| x.0).sum::<f64>() / r.len() as f64;
    let (first5, last5) = (mean(&curve[..5]), mean(&curve[15..]));
    println!("precision: första 5 {first5:.2}, sista 5 {last5:.2}");
    assert!(last5 > first5, "precision must rise: {first5} → {last5}");
    let recall0 = curve[0].1;
    assert!(
        curve.iter().all(|c| c.1 >= recall0),
        "recall fell below the first document's: {curve:?}"
    );
    assert!(!masked_by_hand.is_empty() && !rejected.is_empty());

    let file = std::fs::read_to_string(&learned).unwrap();
    for s in masked_by_hand.iter().chain(&rejected) {
        for form in [s.clone(), s.to_lowercase(), s.to_uppercase()] {
            assert!(!file.contains(&form), "the learned file holds a string");
            for skip in 0..3.min(form.len()) {
                let b = base64(&form.as_bytes()[skip..]);
                let core: String = b.chars().take(b.len().saturating_sub(3)).collect();
                assert!(
                    core.len() < 4 || !file.contains(&core),
                    "the learned file holds base64"
                );
            }
        }
    }
}

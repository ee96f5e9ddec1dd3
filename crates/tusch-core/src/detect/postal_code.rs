//! Postnummer together with postort.
//!
//! # What it finds
//!
//! A Swedish postal code, `NNN NN` or `NNNNN` (optionally after `SE-` or `S-`), followed on
//! the same line by its postort: one or two capitalised words, or the same in capitals
//! (`123 45 Ankeby`, `SE-400 10 GÖTEBORG`, `194 30 Upplands Väsby`). The postal code and the
//! postort are one span. A postal code alone is not reported.
//!
//! # How it validates
//!
//! The code is looked up in the list of Swedish postal codes (`data/postnummer.txt`, 15,463
//! codes) and the postort in the list of postorter (`data/postorter.txt`, 1,707 names), both
//! from sjbrg/swedish-geodata (CC0), by binary search. A second word is part of the postort
//! only when the two words are a known postort ("Upplands Väsby"), so "123 45 Ankeby Tel" stops
//! at "Ankeby". Postorter are also recognised without their å, ä and ö ("VASTRA FROLUNDA",
//! "Orebro"), as OCR reads them off grey scans.
//!
//! | code in list | postort in list | `NNN NN` | `NNNNN` |
//! | --- | --- | --- | --- |
//! | yes | yes | 0.98 | 0.98 |
//! | yes | no | 0.95 | 0.85 |
//! | no | yes | 0.85 | 0.7 |
//! | no | no | 0.6 | 0.45 |
//!
//! A context word (postnummer, postadress, adress, bor, folkbokförd) adds 0.05.
//!
//! # Known false positives
//!
//! - A five-digit number that is a valid postal code followed by a capitalised word that is a
//!   postort ("12345 Ankeby" in a table) — rare outside addresses.
//!
//! # Examples
//!
//! ```text
//! Storgatan 1, 123 45 Ankeby          → 123 45 Ankeby
//! SE-400 10 GÖTEBORG                  → SE-400 10 GÖTEBORG (0.98)
//! 1 250 000 Kronor, 2024 Beslut       → not reported
//! ```

use std::sync::LazyLock;

use regex::Regex;

use super::address::street_ends_before;
use super::util::{fold_diacritics, has_context, is_hspace, WordList, DASH, HS};
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "postal_code";

static POSTNUMMER: LazyLock<WordList> =
    LazyLock::new(|| WordList::new(include_str!("../../data/postnummer.txt")));
static POSTORTER: LazyLock<WordList> =
    LazyLock::new(|| WordList::new(include_str!("../../data/postorter.txt")));

/// The postorter without å, ä, ö, sorted: what OCR and ASCII-only systems write.
static POSTORTER_FOLDED: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut v: Vec<String> = include_str!("../../data/postorter.txt")
        .lines()
        .map(|l| fold_diacritics(l.trim()))
        .filter(|l| !l.is_empty())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
});

/// Whether `ort` (lower-case) is a postort, spelt properly or without its diacritics.
fn is_postort(ort: &str) -> bool {
    POSTORTER.contains(ort)
        || POSTORTER_FOLDED
            .binary_search(&fold_diacritics(ort))
            .is_ok()
}

static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    let word = r"[A-ZÅÄÖÉÜ][\p{L}]+(?:-[A-ZÅÄÖÉÜ][\p{L}]+)?";
    let re = format!(
        r"(?:(?P<prefix>SE|S){DASH}?{HS}?)?(?P<a>[1-9][0-9]{{2}})(?:(?P<sp>{HS})|(?P<dash>-))?(?P<b>[0-9]{{2}}){HS}{{1,3}}(?P<w1>{word})(?:(?P<sep2>{HS}|-)(?P<w2>{word}))?"
    );
    Regex::new(&re).expect("postal code pattern compiles")
});

const CONTEXT: &[&str] = &[
    "postnummer",
    "postadress",
    "adress",
    "bor",
    "folkbokförd",
    "bostadsadress",
    "utdelningsadress",
];

/// Capitalised words that follow numbers but are no postort.
const NOT_ORT: &[&str] = &[
    "kronor", "kr", "sek", "euro", "eur", "personer", "st", "stycken", "kvm", "meter", "dagar",
    "år", "timmar", "procent", "ärenden", "beslut", "sida", "sidor", "bilaga", "kap",
];

/// Finds postnummer with postort; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct PostalCodeDetector;

/// Whether `code` (five ASCII digits) is a Swedish postal code in the list.
pub(crate) fn is_postnummer(code: &str) -> bool {
    POSTNUMMER.contains(code)
}

impl Detector for PostalCodeDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn reads_numbers(&self) -> bool {
        true
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        for caps in PATTERN.captures_iter(text) {
            let (Some(m), Some(a), Some(b), Some(w1)) =
                (caps.get(0), caps.name("a"), caps.name("b"), caps.name("w1"))
            else {
                continue;
            };
            let start = m.start();
            let mut before = text[..start].chars().rev();
            // Right after another number ("12 345 67" may be one number), only a listed
            // code before a listed postort counts: a table row read by pdfium as
            // "… 390719-1534 211 19 Malmö" when the street cell wrapped to the next line.
            let mut after_number = false;
            match (before.next(), before.next()) {
                (Some(p), _) if p.is_numeric() => continue,
                // After a house number: an address and its postal code in one row.
                (Some(p), Some(_)) if is_hspace(p) && street_ends_before(text, start) => {}
                (Some(p), Some(pp)) if is_hspace(p) && pp.is_ascii_digit() => {
                    after_number = true;
                }
                (Some(p), Some(pp))
                    if matches!(p, '-' | '/' | '.' | ',' | ':') && pp.is_ascii_digit() =>
                {
                    continue
                }
                _ => {}
            }
            let code = format!("{}{}", a.as_str(), b.as_str());
            let spaced = caps.name("sp").is_some();
            let w1_lower = w1.as_str().to_lowercase();
            if NOT_ORT.contains(&w1_lower.as_str()) {
                continue;
            }
            // The postort is two words only when the pair is a known postort.
            let mut end = w1.end();
            let mut ort_known = is_postort(&w1_lower);
            if let (Some(sep), Some(w2)) = (caps.name("sep2"), caps.name("w2")) {
                let pair = format!(
                    "{w1_lower}{}{}",
                    if sep.as_str() == "-" { "-" } else { " " },
                    w2.as_str().to_lowercase()
                );
                if is_postort(&pair) {
                    end = w2.end();
                    ort_known = true;
                }
            }
            if text[end..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let code_known = is_postnummer(&code);
            // "123-47 Farsta": OCR read the space as a dash. No one writes a postal code
            // so, but a listed code before a listed postort is still one.
            if caps.name("dash").is_some() && !(code_known && ort_known) {
                continue;
            }
            if after_number && !(code_known && ort_known && spaced) {
                continue;
            }
            let span = start..end;
            let (score, validation): (f32, Validation) = match (code_known, ort_known, spaced) {
                (true, true, _) => (0.98, Validation::Passed("postnummer+postort".into())),
                (true, false, true) => (0.95, Validation::Passed("postnummer".into())),
                (true, false, false) => (0.85, Validation::Passed("postnummer".into())),
                (false, true, true) => (0.85, Validation::Passed("postort".into())),
                (false, true, false) => (0.7, Validation::Passed("postort".into())),
                (false, false, true) => (0.6, Validation::Failed("postnummer".into())),
                (false, false, false) => (0.45, Validation::Failed("postnummer".into())),
            };
            let context = has_context(text, &span, CONTEXT, 60);
            let score = if context {
                (score + 0.05).min(0.99)
            } else {
                score
            };
            let rule = if caps.name("prefix").is_some() {
                "se-nnn_nn_ort"
            } else {
                "nnn_nn_ort"
            };
            out.push(Finding::new(
                span,
                Category::PostalCode,
                score,
                explain(NAME, rule, validation).with_context(context),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_11_a_listed_postal_code_after_a_personnummer_in_a_table_row() {
        let row = "Stig Dahlberg 390719-1534 211 19 Malmö 031-390 06 33";
        assert_eq!(found(row), vec![("211 19 Malmö", 0.98)]);
        // An unlisted pair after a number stays part of the number.
        assert!(found("Belopp 1 234 56 Xyzby").is_empty());
        assert!(found("Konto 1234 123 45 kronor").is_empty());
    }

    fn found(text: &str) -> Vec<(&str, f32)> {
        let mut out = Vec::new();
        PostalCodeDetector.detect(text, &mut out);
        out.iter()
            .map(|f| (&text[f.span.clone()], f.score))
            .collect()
    }

    fn masked(text: &str) -> Vec<&str> {
        crate::detect::testing::masked(&PostalCodeDetector, text)
    }

    #[test]
    fn the_lists_are_loaded() {
        assert!(POSTNUMMER.len() > 15_000);
        assert!(is_postnummer("11122"));
        assert!(POSTORTER.contains("upplands väsby"));
    }

    #[test]
    fn postorter_without_diacritics_are_known() {
        // OCR of the letterhead of fixtures/scans/beslut-bistand-skannad.pdf.
        assert_eq!(
            found("421 33 VASTRA FROLUNDA"),
            vec![("421 33 VASTRA FROLUNDA", 0.98)]
        );
        assert_eq!(found("701 41 Orebro"), vec![("701 41 Orebro", 0.98)]);
        // The space read as a dash: only a listed code with a listed postort.
        assert_eq!(
            found("Ekebyvägen 41, 123-47 Farsta"),
            vec![("123-47 Farsta", 0.98)]
        );
        assert!(found("Dnr 123-45 Ankeby").is_empty());
        // A pair that folds to no postort still stops after the first word.
        assert_eq!(masked("421 33 Vastra Tel"), vec!["421 33 Vastra"]);
    }

    #[test]
    fn code_and_ort_are_one_span() {
        assert_eq!(
            masked("Storgatan 1, 111 22 Stockholm"),
            vec!["111 22 Stockholm"]
        );
        assert_eq!(masked("SE-400 10 GÖTEBORG"), vec!["SE-400 10 GÖTEBORG"]);
        assert_eq!(
            masked("194 30 Upplands Väsby"),
            vec!["194 30 Upplands Väsby"]
        );
        assert_eq!(
            masked("111 22 Stockholm Tel 08-465 004 00"),
            vec!["111 22 Stockholm"]
        );
        assert_eq!(masked("11122 Stockholm"), vec!["11122 Stockholm"]);
        let f = found("111 22 Stockholm");
        assert!(f[0].1 >= 0.95);
    }

    /// An address and its postal code in two cells: a spreadsheet export joins them with a
    /// space, a text layer with a line break.
    #[test]
    fn a_postal_code_after_a_house_number() {
        assert_eq!(
            masked("Björkvägen 12 123 45 Mölnlycke"),
            vec!["123 45 Mölnlycke"]
        );
        assert_eq!(
            masked("Björkvägen 12 B, 435 30 Mölnlycke"),
            vec!["435 30 Mölnlycke"]
        );
        assert_eq!(
            masked("Björkvägen 12\r\n123 45 Mölnlycke"),
            vec!["123 45 Mölnlycke"]
        );
        // Not after a house number: part of a longer number.
        for t in [
            "Summa 12 123 45 Mölnlycke",
            "Kapitel 12 123 45 Mölnlycke",
            "1 250 000 Kronor",
            "storgatan 12 123 45 Mölnlycke",
        ] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
    }

    /// Two cells the text layer glued together: the label touches the postal code.
    #[test]
    fn a_code_glued_to_a_label_is_found() {
        assert_eq!(
            masked("Postadress111 22 Stockholm"),
            vec!["111 22 Stockholm"]
        );
        assert!(masked("1111 22 Stockholm").is_empty());
    }

    #[test]
    fn unknown_codes_and_orts() {
        // A fictive kommun: right shape, capitalised ort.
        let f = found("Box 123, 999 99 Ankeby");
        assert_eq!(f[0].0, "999 99 Ankeby");
        assert!((f[0].1 - 0.6).abs() < 1e-6);
        // Unspaced, unknown code and ort: below threshold.
        assert!(masked("99999 Ankeby").is_empty());
    }

    #[test]
    fn not_postal_codes() {
        for t in [
            "1 250 000 Kronor",
            "Summa 123 45 kr",
            "2024 Beslut",
            "123 45",
            "123 45 ankeby",
            "Dnr 2023-111 22 Stockholm",
            "12345678 Stockholm",
            "111 22 Kronor",
        ] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}

//! Swedish vehicle registration numbers.
//!
//! # What it finds
//!
//! Plates of the form `ABC 123`, `ABC123` and, since 2019, `ABC 12D` (the last character a
//! letter). Only capital letters count, and the letter group uses the letters Transportstyrelsen
//! issues: not I, Q, V, Å, Ä or Ö (the last character also never O).
//!
//! On a scan, one letter of the group may be an OCR confusion: a J read as `)`, `}` or `]`,
//! an O as `0`, a B as `8` (rules `…_ocr`, 0.05 lower).
//!
//! # How it validates
//!
//! A plate has no check digit, so the pattern plus a deny-list is all there is: three-letter
//! abbreviations that are written before a number in Swedish official text (currencies,
//! statutes, `SFS`, `KAP`, `OSL`, `LSS`, `SOL`, `EUR 100`, `SEK 500`, …) are never plates. The
//! number must stand alone (`ABC 123-45` is a code, not a plate). Scores: `ABC 123` 0.65,
//! `ABC123` and `ABC 12D` 0.6; a context word (regnr, reg.nr, registreringsnummer, fordon,
//! bil, bilen, …) raises it to 0.9.
//!
//! # Known false positives
//!
//! - Product codes, room numbers and other three-letter abbreviations with three digits
//!   ("KSF 123") score as plates; add them to the deny-list as they turn up.
//!
//! # Examples
//!
//! ```text
//! Bilen ABC 123 stod parkerad    → ABC 123 (0.9, context)
//! Reg.nr: MLB12F                 → MLB12F
//! SFS 2001, EUR 100, SEK 500, abc 123, ÅÄÖ 123 → not reported
//! ```

use std::sync::LazyLock;

use regex::Regex;

use super::util::{has_context, is_number_token, HS};
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "vehicle_plate";

static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)(?P<letters>[A-HJ-PR-UW-Z][A-HJ-PR-UW-Z08)}}\]]{{2}})(?P<sp>{HS})?(?P<digits>[0-9]{{2}})(?P<last>[0-9A-HJ-NPR-UW-Z])(?-u:\b)"
    ))
    .expect("plate pattern compiles")
});

/// Abbreviations written before numbers that are never plates.
const DENY: &[&str] = &[
    "EUR", "SEK", "USD", "NOK", "DKK", "GBP", "CHF", "JPY", "PLN", "CAD", "AUD", "SFS", "KAP",
    "OSL", "LSS", "SOL", "PBL", "PBF", "BBR", "AFS", "MBL", "LAS", "ABL", "FAP", "TEL", "FAX",
    "DNR", "REF", "OCR", "ART", "TOT", "SUM", "ANM", "BET", "ORG", "MOM", "APT", "NJA", "HFD",
    "KML", "LOU", "LOK", "GDP", "BNP", "EES", "EUF", "BRB", "FPL", "ARN", "TRF", "TSF", "FHM",
    "MSB", "SKR", "SKL", "SCB", "SGU", "ATL", "ABF", "PDF", "DOC", "PNG", "JPG", "UTF", "CET",
    "GMT", "UTC", "AKT", "TOM", "FOM", "MAX", "CAP", "COM", "NET", "PRO", "SDG", "LAN", "LED",
    "LCD", "USB", "RAM", "CPU", "MHZ", "GHZ", "KWH", "MWH", "GWH", "DBA",
];

const CONTEXT: &[&str] = &[
    "regnr",
    "reg.nr",
    "reg nr",
    "reg.nr.",
    "registreringsnummer",
    "registreringsnumret",
    "registreringsnr",
    "fordon",
    "fordonet",
    "fordonets",
    "bil",
    "bilen",
    "bilens",
    "personbil",
    "lastbil",
    "släpvagn",
    "släp",
    "mc",
    "motorcykel",
    "moped",
    "husbil",
    "parkerad",
    "parkering",
    "felparkering",
    "felparkerad",
    "parkeringsanmärkning",
    "parkeringstillstånd",
    "körde",
];

/// Finds vehicle registration numbers; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct VehiclePlateDetector;

impl Detector for VehiclePlateDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        for caps in PATTERN.captures_iter(text) {
            let (Some(m), Some(letters), Some(last)) =
                (caps.get(0), caps.name("letters"), caps.name("last"))
            else {
                continue;
            };
            let span = m.range();
            let Some((letters, misread)) = read_letters(letters.as_str()) else {
                continue;
            };
            if DENY.contains(&letters.as_str()) || !is_number_token(text, &span) {
                continue;
            }
            // "(AB) 123" is a bracketed abbreviation, not a plate with a J read as ")".
            if misread
                && text[..span.start]
                    .chars()
                    .next_back()
                    .is_some_and(|c| matches!(c, '(' | '[' | '{'))
            {
                continue;
            }
            let letter_last = last.as_str().bytes().all(|b| b.is_ascii_uppercase());
            let spaced = caps.name("sp").is_some();
            let context = has_context(text, &span, CONTEXT, 40);
            let (rule, base) = match (letter_last, spaced) {
                (true, _) => ("abc_12d", 0.6),
                (false, true) => ("abc_123", 0.65),
                (false, false) => ("abc123", 0.6),
            };
            let score = if context { 0.9 } else { base };
            // One letter read from an OCR confusion is one more doubt.
            let (rule, score) = if misread {
                let score = match (context, rule) {
                    (true, _) => 0.85,
                    (false, "abc_123") => 0.6,
                    (false, _) => 0.55,
                };
                (ocr_rule(rule), score)
            } else {
                (rule, score)
            };
            out.push(Finding::new(
                span,
                Category::VehiclePlate,
                score,
                explain(NAME, rule, Validation::NotApplicable).with_context(context),
            ));
        }
    }
}

/// The letter group as issued, and whether one of its characters was read through an OCR
/// confusion: a J that OCR read as `)`, `}` or `]`, an O read as `0`, a B read as `8`.
/// Two confusions in three characters is no longer a plate; a confusion in the first place
/// never matches the pattern.
fn read_letters(group: &str) -> Option<(String, bool)> {
    let mut misread = 0;
    let letters: String = group
        .chars()
        .map(|c| match c {
            ')' | '}' | ']' => {
                misread += 1;
                'J'
            }
            '0' => {
                misread += 1;
                'O'
            }
            '8' => {
                misread += 1;
                'B'
            }
            c => c,
        })
        .collect();
    (misread <= 1).then_some((letters, misread == 1))
}

fn ocr_rule(rule: &'static str) -> &'static str {
    match rule {
        "abc_12d" => "abc_12d_ocr",
        "abc_123" => "abc_123_ocr",
        _ => "abc123_ocr",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, f32)> {
        let mut out = Vec::new();
        VehiclePlateDetector.detect(text, &mut out);
        out.iter()
            .map(|f| (&text[f.span.clone()], f.score))
            .collect()
    }

    #[test]
    fn plates_with_exact_spans() {
        assert_eq!(found("Bilen ABC 123 stod"), vec![("ABC 123", 0.9)]);
        assert_eq!(found("Reg.nr: MLB12F."), vec![("MLB12F", 0.9)]);
        assert_eq!(found("XYZ789"), vec![("XYZ789", 0.6)]);
        assert_eq!(found("(GHJ 45K)"), vec![("GHJ 45K", 0.6)]);
        assert_eq!(found("ABC\u{00A0}123"), vec![("ABC\u{00A0}123", 0.65)]);
    }

    /// OCR of fixtures/scans/parkering-fordon-skannad.pdf read the J of "BPJ 317" as ")"
    /// and as "}".
    #[test]
    fn a_letter_misread_by_ocr_still_makes_a_plate() {
        assert_eq!(found("Fordon BP) 317 stod"), vec![("BP) 317", 0.85)]);
        assert_eq!(found("regnr BP} 317"), vec![("BP} 317", 0.85)]);
        assert_eq!(found("B0J 317"), vec![("B0J 317", 0.6)]);
        let mut out = Vec::new();
        VehiclePlateDetector.detect("BP] 317", &mut out);
        assert_eq!(out[0].explanation.rule, "abc_123_ocr");
        for t in ["(KS) 123", "[SN] 123", "B00 317", "B)) 317", "8P) 317"] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
    }

    #[test]
    fn not_plates() {
        for t in [
            "SFS 2001",
            "KAP 4",
            "OSL 26",
            "LSS 9",
            "SOL 4",
            "EUR 100",
            "SEK 500",
            "LVU 2",
            "abc 123",
            "Abc 123",
            "ÅÄÖ 123",
            "AIB 123",
            "ABQ 123",
            "ABC 12O",
            "ABC 1234",
            "ABCD 123",
            "ABC 123-45",
            "XABC 123",
        ] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}

//! Payment card numbers.
//!
//! # What it finds
//!
//! Card numbers of 13–19 digits, written in groups (`4111 1111 1111 1111`,
//! `3782 822463 10005`, `4111-1111-1111-1111`) or as one run (`4111111111111111`).
//!
//! # How it validates
//!
//! The Luhn check must pass and the number must start with a known issuer prefix of a
//! plausible length: Visa `4` (13, 16, 19), Mastercard `51`–`55` and `2221`–`2720` (16),
//! American Express `34`/`37` (15), Diners `36`, `300`–`305`, `38`/`39` (14–19), Discover and
//! UnionPay `6` (16–19), Maestro `50`, `56`–`58` (12–19), JCB `3528`–`3589` (16–19). Groups
//! must use one separator throughout. A grouped number scores 0.95, an ungrouped one 0.8;
//! a context word (kort, kortnummer, kreditkort, betalkort, visa, mastercard) raises it to
//! 0.98, while "ocr", "referens", "fakturanummer" before it lowers it below the threshold
//! (Swedish OCR payment references also carry a Luhn digit).
//!
//! A run that contains a valid personnummer in its `YYMMDD-NNNN` or twelve-digit form is
//! never a payment card.
//!
//! # Known false positives
//!
//! - A long Luhn-valid reference number without a label that starts like a card.
//!
//! # Examples
//!
//! ```text
//! Kortnummer 4111 1111 1111 1111   → the whole number (luhn, 0.98)
//! OCR 4111111111111111             → 0.4 (not masked)
//! 19811218-9876, 1 250 000 000 kr  → not reported
//! ```

use std::sync::LazyLock;

use regex::Regex;

use super::personnummer::is_valid_personnummer;
use super::util::{
    context_before, has_context, is_digit_bounded, luhn_valid, not_in_spaced_number, DASH, HS,
};
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "payment_card";

static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"[0-9]{{4,19}}(?:(?:{HS}|{DASH})[0-9]{{3,6}}){{0,4}}"
    ))
    .expect("card pattern compiles")
});

const CONTEXT: &[&str] = &[
    "kort",
    "kortnummer",
    "kortnr",
    "kreditkort",
    "betalkort",
    "bankkort",
    "kontokort",
    "visa",
    "mastercard",
    "amex",
    "american express",
    "card",
];

const NEGATIVE: &[&str] = &[
    "ocr",
    "ocr-nummer",
    "ocr-nr",
    "referens",
    "referensnummer",
    "fakturanummer",
    "fakturanr",
    "kundnummer",
    "avinummer",
    "dnr",
    "iban",
    "konto",
    "kontonummer",
];

/// Finds payment card numbers; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct PaymentCardDetector;

impl Detector for PaymentCardDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn reads_numbers(&self) -> bool {
        true
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        for m in PATTERN.find_iter(text) {
            let span = m.range();
            let s = m.as_str();
            if !is_digit_bounded(text, &span) || !not_in_spaced_number(text, &span) {
                continue;
            }
            let seps: Vec<char> = s.chars().filter(|c| !c.is_ascii_digit()).collect();
            if seps.windows(2).any(|w| w[0] != w[1]) {
                continue;
            }
            let digits = super::util::digits_of(s);
            if !(13..=19).contains(&digits.len()) || !luhn_valid(&digits) || !issuer_ok(&digits) {
                continue;
            }
            if contains_personnummer(s) {
                continue;
            }
            let grouped = !seps.is_empty();
            let context = has_context(text, &span, CONTEXT, 40);
            let mut score = match (context, grouped) {
                (true, _) => 0.98,
                (false, true) => 0.95,
                (false, false) => 0.8,
            };
            if context_before(text, span.start, NEGATIVE, 30) {
                score = 0.4;
            }
            out.push(Finding::new(
                span,
                Category::PaymentCard,
                score,
                explain(
                    NAME,
                    "card_number",
                    Validation::Passed("luhn+issuer".into()),
                )
                .with_context(context),
            ));
        }
    }
}

/// Whether the leading digits and the length fit a known card issuer.
fn issuer_ok(d: &str) -> bool {
    let len = d.len();
    let p = |n: usize| d[..n].parse::<u32>().unwrap_or(0);
    match d.as_bytes()[0] {
        b'4' => matches!(len, 13 | 16 | 19),
        b'5' => match p(2) {
            51..=55 => len == 16,
            50 | 56..=59 => (12..=19).contains(&len),
            _ => false,
        },
        b'2' => (2221..=2720).contains(&p(4)) && len == 16,
        b'3' => match p(2) {
            34 | 37 => len == 15,
            36 | 38 | 39 => (14..=19).contains(&len),
            30 => (300..=305).contains(&p(3)) && (14..=19).contains(&len),
            35 => (3528..=3589).contains(&p(4)) && (16..=19).contains(&len),
            _ => false,
        },
        b'6' => (16..=19).contains(&len),
        _ => false,
    }
}

/// Whether the written number holds a personnummer: its first group is `YYMMDD` or
/// `YYYYMMDD` followed by four digits that validate.
fn contains_personnummer(s: &str) -> bool {
    let groups: Vec<&str> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    if groups.len() >= 2 && (groups[0].len() == 6 || groups[0].len() == 8) && groups[1].len() == 4 {
        return is_valid_personnummer(&format!("{}{}", groups[0], groups[1]));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, f32)> {
        let mut out = Vec::new();
        PaymentCardDetector.detect(text, &mut out);
        out.iter()
            .map(|f| (&text[f.span.clone()], f.score))
            .collect()
    }

    fn masked(text: &str) -> Vec<&str> {
        crate::detect::testing::masked(&PaymentCardDetector, text)
    }

    #[test]
    fn grouped_and_ungrouped_cards() {
        assert_eq!(
            masked("Kort: 4111 1111 1111 1111."),
            vec!["4111 1111 1111 1111"]
        );
        assert_eq!(masked("4111-1111-1111-1111"), vec!["4111-1111-1111-1111"]);
        assert_eq!(masked("4111111111111111"), vec!["4111111111111111"]);
        assert_eq!(masked("Amex 3782 822463 10005"), vec!["3782 822463 10005"]);
        assert_eq!(masked("5555 4444 3333 1111"), vec!["5555 4444 3333 1111"]);
        assert_eq!(
            masked("kort 4111\u{00A0}1111\u{00A0}1111\u{00A0}1111"),
            vec!["4111\u{00A0}1111\u{00A0}1111\u{00A0}1111"]
        );
        assert!(found("kortnummer 4111 1111 1111 1111")[0].1 > 0.95);
    }

    #[test]
    fn a_number_glued_to_letters_is_found() {
        assert_eq!(masked("kortnr4111111111111111"), vec!["4111111111111111"]);
        assert_eq!(
            masked("Kort: 4111 1111 1111 1111godkänt"),
            vec!["4111 1111 1111 1111"]
        );
        assert!(masked("94111111111111111").is_empty());
    }

    #[test]
    fn a_personnummer_followed_by_digits_is_not_a_card() {
        // 4501011235123455 passes Luhn and starts like a Visa card, but its first groups
        // are the personnummer 450101-1235.
        assert!(luhn_valid("4501011235123455"));
        assert!(found("450101 1235 123455").is_empty());
    }

    #[test]
    fn not_cards() {
        for t in [
            "4111 1111 1111 1112",
            "1234 5678 9012 3456",
            "4111 1111-1111 1111",
            "19811218-9876",
            "1 250 000 000 kr",
            "OCR 4111111111111111",
            "Summa 4 111 111 111 111 111",
            "9111111111111111",
        ] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}

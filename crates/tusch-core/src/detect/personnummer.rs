//! Personnummer, samordningsnummer and the organisationsnummer of sole traders.
//!
//! # What it finds
//!
//! Swedish personal identity numbers in every written form: `YYMMDD-NNNN`, `YYMMDD+NNNN`
//! (the `+` marks someone aged 100 or more), `YYYYMMDD-NNNN`, `YYYYMMDDNNNN`, `YYMMDDNNNN`,
//! and a space (any Unicode space) or an en dash instead of the hyphen. A samordningsnummer
//! (the day plus 60) is reported under a rule of its own. A sole trader's organisationsnummer
//! *is* the owner's personnummer and is found the same way (rule
//! `organisationsnummer_enskild_firma` when an "org.nr" context word says so).
//!
//! A number wrapped over a line break or split over two table cells (`850317-\r\n2382`,
//! `8503\r\n17-2382`, a cell `850317` above a cell `2382`) is one finding over both parts,
//! the break included (the rule gets the suffix `_across_lines`), but only when the joined
//! number passes the date and Luhn checks and takes no valid number from either line.
//!
//! # How it validates
//!
//! The date must be a real calendar date (leap years included; for `YYMMDD` the century is
//! inferred, `+` meaning a hundred years older, which only matters for 29 February of year
//! 00), and the Luhn check must pass over the ten-digit form `YYMMDDNNNN`. The number must
//! not be part of a longer digit run; a letter may touch it (`pnr:8503172382,`,
//! `850317-2382x`). Both passing gives
//! 0.97–0.99. A *near-miss* (right shape, but the Luhn check or the date fails — a typo in a
//! real number is still a number to hide) scores 0.6–0.7 when a context word (personnummer,
//! pnr, pers.nr, födelsenummer, samordningsnummer, p-nr, "f." …) stands nearby, and 0.3
//! (below the default threshold) without one; a near-miss without any separator and without
//! context is not reported at all.
//!
//! A real organisationsnummer (a legal person: the "month" digits are 20 or more, as in
//! `556036-0793`) is not personal data and is never reported; nor is the 12-digit `16…` form.
//!
//! # Known false positives
//!
//! - A date-based reference number `YYMMDD-NNNN` that happens to pass the Luhn check (one in
//!   ten). When the word right before it is "dnr", "diarienummer", "fakturanummer", "ocr" or
//!   the like, the score drops below the threshold.
//! - A ten-digit mobile number written without separators (`0701740607`) can also be a valid
//!   samordningsnummer of someone born in 2007; with a phone context word ("tel", "mobil") it
//!   is left to the phone detector. Both are personal data, so either way it is masked.
//!
//! # Examples
//!
//! ```text
//! Personnummer: 811218-9876        → 811218-9876 (luhn, 0.99)
//! 19811218-9876 / 198112189876      → the whole number
//! 121212+1212                       → centenarian form
//! 811278-1235                       → samordningsnummer
//! Org.nr 556036-0793                → not reported (legal person)
//! 2024-03-15, Dnr 2023-000123, 5567-1234, 1 250 000 kr → not reported
//! ```

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::util::{
    has_context, is_digit_bounded, line_before, luhn_valid, not_in_spaced_number,
    number_line_joins, ACROSS_LINES, DASH, HS,
};
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "personnummer";

static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    let re = format!(
        r"(?P<c>18|19|20)?(?P<yy>[0-9]{{2}})(?P<mm>[0-9]{{2}})(?P<dd>[0-9]{{2}})(?P<sep>{DASH}|\+|{HS})?(?P<n>[0-9]{{4}})"
    );
    Regex::new(&re).expect("personnummer pattern compiles")
});

/// Words that say a personnummer is near (lower case, whole words).
const CONTEXT: &[&str] = &[
    "personnummer",
    "personnumret",
    "personnumer",
    "personnr",
    "person nr",
    "pers.nr",
    "pers nr",
    "persnr",
    "pers. nr",
    "pnr",
    "p-nr",
    "p.nr",
    "födelsenummer",
    "samordningsnummer",
    "samordningsnr",
    "f.",
    "född",
    "id-nummer",
    "identitetsnummer",
];

/// Words that make a sole trader's organisationsnummer out of a valid personnummer.
const ORG_CONTEXT: &[&str] = &[
    "organisationsnummer",
    "org.nr",
    "org nr",
    "orgnr",
    "org. nr",
    "org.nummer",
    "enskild firma",
    "enskild näringsidkare",
];

/// Words right before a number that make it a reference rather than a person.
const REFERENCE_WORDS: &[&str] = &[
    "dnr",
    "dnr.",
    "diarienummer",
    "diarienr",
    "ärendenummer",
    "ärendenr",
    "fakturanummer",
    "fakturanr",
    "ordernummer",
    "ordernr",
    "ocr",
    "ocr-nummer",
    "referensnummer",
];

const PHONE_CONTEXT: &[&str] = &[
    "tel",
    "tel.",
    "telefon",
    "mobil",
    "mob",
    "mobilnummer",
    "tfn",
    "sms",
    "ring",
];

/// Finds personnummer and samordningsnummer; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct PersonnummerDetector;

/// The result of checking the parts of a candidate number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Check {
    pub date_ok: bool,
    pub luhn_ok: bool,
    pub samordning: bool,
    /// The month digits are 20 or more: an organisationsnummer of a legal person.
    pub legal_person: bool,
}

/// Checks a personnummer given its parts. `century` is `Some(19)` etc. for the 12-digit
/// forms; `plus` is the `+` separator.
pub(crate) fn check(century: Option<u32>, yy: u32, mm: u32, dd: u32, n: &str, plus: bool) -> Check {
    let year = match century {
        Some(c) => c * 100 + yy,
        // Only 29 February of year 00 depends on the century: 2000 was a leap year, 1900
        // was not. Without a "+", someone born in "00" is under a hundred: 2000.
        None if plus => 1900 + yy,
        None => 2000 + yy,
    };
    let legal_person = century.is_none() && mm >= 20;
    let samordning = dd > 60;
    let day = if samordning { dd - 60 } else { dd };
    let date_ok = (1..=12).contains(&mm) && day >= 1 && day <= days_in_month(year, mm);
    let ten = format!("{yy:02}{mm:02}{dd:02}{n}");
    Check {
        date_ok,
        luhn_ok: luhn_valid(&ten),
        samordning,
        legal_person,
    }
}

pub(crate) fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

/// True when `digits` (10 or 12 ASCII digits, no separator) is a valid personnummer or
/// samordningsnummer. Used by other detectors so that a personnummer never becomes a phone
/// number or a payment card.
pub(crate) fn is_valid_personnummer(digits: &str) -> bool {
    let d = digits.as_bytes();
    if !d.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = |s: &str| s.parse::<u32>().unwrap_or(0);
    let (century, rest) = match d.len() {
        10 => (None, digits),
        12 => {
            let c = num(&digits[..2]);
            if !(18..=20).contains(&c) {
                return false;
            }
            (Some(c), &digits[2..])
        }
        _ => return false,
    };
    let c = check(
        century,
        num(&rest[..2]),
        num(&rest[2..4]),
        num(&rest[4..6]),
        &rest[6..],
        false,
    );
    c.date_ok && c.luhn_ok && !c.legal_person
}

impl Detector for PersonnummerDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn reads_numbers(&self) -> bool {
        true
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        let first = out.len();
        detect_in(text, out);
        // A number wrapped over a line break or split over two table cells: joined only
        // where the joined number passes the date and Luhn checks, and never over a valid
        // number on either line.
        for join in number_line_joins(text, "") {
            let mut more = Vec::new();
            detect_in(&join.text, &mut more);
            for mut f in more {
                let Some(span) = join.crossing_span(&f.span) else {
                    continue;
                };
                let takes_a_valid_number = out[first..].iter().any(|s| {
                    s.span.start < span.end
                        && span.start < s.span.end
                        && matches!(s.explanation.validation, Validation::Passed(_))
                });
                if !matches!(f.explanation.validation, Validation::Passed(_))
                    || takes_a_valid_number
                {
                    continue;
                }
                f.span = span;
                f.explanation.rule.push_str(ACROSS_LINES);
                out.push(f);
            }
        }
    }
}

/// The patterns over one text, without joining lines.
fn detect_in(text: &str, out: &mut Vec<Finding>) {
    for caps in PATTERN.captures_iter(text) {
        let (Some(m), Some(yy), Some(mm), Some(dd), Some(n)) = (
            caps.get(0),
            caps.name("yy"),
            caps.name("mm"),
            caps.name("dd"),
            caps.name("n"),
        ) else {
            continue;
        };
        let span = m.range();
        if !is_digit_bounded(text, &span) {
            continue;
        }
        let sep = caps.name("sep").map(|s| s.as_str());
        let spaced = sep.is_some_and(|s| s.chars().all(super::util::is_hspace));
        if spaced && !not_in_spaced_number(text, &span) {
            continue;
        }
        let century = caps.name("c").and_then(|c| c.as_str().parse::<u32>().ok());
        let num = |s: &str| s.parse::<u32>().unwrap_or(0);
        let plus = sep == Some("+");
        let c = check(
            century,
            num(yy.as_str()),
            num(mm.as_str()),
            num(dd.as_str()),
            n.as_str(),
            plus,
        );
        if c.legal_person {
            continue;
        }
        if let Some(f) = score(text, span, century.is_some(), sep, plus, c) {
            out.push(f);
        }
    }
}

fn score(
    text: &str,
    span: Range<usize>,
    long: bool,
    sep: Option<&str>,
    plus: bool,
    c: Check,
) -> Option<Finding> {
    let context = has_context(text, &span, CONTEXT, 40);
    let rule = match (long, sep, plus) {
        (_, _, true) => "yymmdd+nnnn",
        (true, Some(_), _) => "yyyymmdd-nnnn",
        (true, None, _) => "yyyymmddnnnn",
        (false, Some(s), _) if s.chars().all(super::util::is_hspace) => "yymmdd nnnn",
        (false, Some(_), _) => "yymmdd-nnnn",
        (false, None, _) => "yymmddnnnn",
    };
    let valid = c.date_ok && c.luhn_ok;
    let (score, validation) = if valid {
        let mut s = if sep.is_none() && !long { 0.97 } else { 0.99 };
        let first = text[span.clone()].as_bytes().first().copied();
        if sep.is_none() && first == Some(b'0') && has_context(text, &span, PHONE_CONTEXT, 30) {
            // Leave an unseparated number next to "tel" to the phone detector.
            s = 0.45;
        }
        if follows_reference_word(text, span.start) {
            s = 0.45;
        }
        (s, Validation::Passed("date+luhn".into()))
    } else {
        let failed = match (c.date_ok, c.luhn_ok) {
            (true, false) => "luhn",
            (false, true) => "date",
            _ => "date+luhn",
        };
        let s = match (context, sep.is_some() || long) {
            (true, _) if c.date_ok => 0.7,
            (true, _) => 0.6,
            (false, true) => 0.3,
            (false, false) => return None,
        };
        (s, Validation::Failed(failed.into()))
    };
    let rule = if valid && c.samordning {
        "samordningsnummer"
    } else if valid && has_context(text, &span, ORG_CONTEXT, 40) {
        "organisationsnummer_enskild_firma"
    } else {
        rule
    };
    Some(Finding::new(
        span,
        Category::Personnummer,
        score,
        explain(NAME, rule, validation).with_context(context),
    ))
}

/// Whether the word right before `at` (on the same line) is a reference-number word.
fn follows_reference_word(text: &str, at: usize) -> bool {
    let before =
        line_before(text, at, 24).trim_end_matches(|c: char| super::util::is_space(c) || c == ':');
    let last = before
        .rsplit(|c: char| super::util::is_space(c))
        .next()
        .unwrap_or("")
        .to_lowercase();
    REFERENCE_WORDS.contains(&last.as_str())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn found(text: &str) -> Vec<(&str, f32, String)> {
        crate::detect::testing::found(&PersonnummerDetector, text)
    }

    fn masked(text: &str) -> Vec<&str> {
        crate::detect::testing::masked(&PersonnummerDetector, text)
    }

    #[test]
    fn all_written_forms_are_found_with_exact_spans() {
        let t = "A 811218-9876, B 19811218-9876, C 198112189876, D 8112189876, E 811218 9876.";
        let f = found(t);
        assert_eq!(
            f.iter().map(|x| (x.0, x.2.as_str())).collect::<Vec<_>>(),
            vec![
                ("811218-9876", "yymmdd-nnnn"),
                ("19811218-9876", "yyyymmdd-nnnn"),
                ("198112189876", "yyyymmddnnnn"),
                ("8112189876", "yymmddnnnn"),
                ("811218 9876", "yymmdd nnnn"),
            ]
        );
        assert!(f.iter().all(|x| x.1 >= 0.95));
        let t = "Pnr: 811218\u{2013}9876 och 811218\u{00A0}9876";
        let spans: Vec<_> = {
            let mut out = Vec::new();
            PersonnummerDetector.detect(t, &mut out);
            out.into_iter().map(|f| f.span).collect()
        };
        assert_eq!(spans, vec![5..18, 23..35]);
    }

    #[test]
    fn centenarian_and_samordningsnummer() {
        assert_eq!(found("121212+1212")[0].2, "yymmdd+nnnn");
        let f = found("Samordningsnummer 811278-1235");
        assert_eq!(f[0].0, "811278-1235");
        assert_eq!(f[0].2, "samordningsnummer");
        // 29 February 2000 exists; 29 February 1900 does not.
        assert_eq!(masked("000229-1235"), vec!["000229-1235"]);
        assert!(masked("000229+1235").is_empty());
    }

    #[test]
    fn legal_person_organisationsnummer_is_not_flagged() {
        assert!(found("Org.nr 556036-0793").is_empty());
        assert!(found("5560360793").is_empty());
        // A sole trader's organisationsnummer is the owner's personnummer.
        let f = found("Org.nr 850317-2382");
        assert_eq!(f[0].0, "850317-2382");
        assert_eq!(f[0].2, "organisationsnummer_enskild_firma");
        let f = found("Org.nr 640823-3234 (enskild firma)");
        assert_eq!(f[0].0, "640823-3234");
        assert_eq!(f[0].2, "organisationsnummer_enskild_firma");
    }

    #[test]
    fn near_misses_need_context() {
        // Wrong Luhn digit.
        assert_eq!(masked("Personnummer: 811218-9875"), vec!["811218-9875"]);
        assert!((found("Personnummer: 811218-9875")[0].1 - 0.7).abs() < 1e-6);
        assert!(masked("Kod 811218-9875").is_empty());
        // Impossible date, with and without context.
        assert_eq!(masked("pnr 811318-9876"), vec!["811318-9876"]);
        assert!(masked("811318-9876").is_empty());
        // "f." (född) is a context word too.
        assert_eq!(masked("Anna Berg, f. 811218-9875"), vec!["811218-9875"]);
        // Unseparated near-misses without context are not reported at all.
        assert!(found("1234567890").is_empty());
    }

    #[test]
    fn ordinary_numbers_are_not_flagged() {
        for t in [
            "Beslut 2024-03-15",
            "SN 2024/1234",
            "Dnr 2023-000123",
            "faktura 5567-1234",
            "1 250 000 kr",
            "070-174 06 05",
            "08-465 004 00",
            "Summa 12 345 678,00",
            "2024-03-15 kl 13:30",
            "OCR 12345678901234",
        ] {
            assert!(masked(t).is_empty(), "{t}");
        }
    }

    #[test]
    fn parts_of_longer_numbers_are_not_flagged() {
        assert!(found("12811218-9876").is_empty());
        assert!(found("811218-98761").is_empty());
        assert!(found("2023/811218-9876").is_empty());
        assert!(found("811218-9876-01").is_empty());
        assert!(masked("1 811218 9876").is_empty());
        assert!(found("18503172382").is_empty());
        assert!(found("85031723821").is_empty());
    }

    /// A number glued to a letter or punctuation is still a whole number: only a digit
    /// right before or after makes it part of a longer one.
    #[test]
    fn a_number_glued_to_letters_is_found() {
        for (t, want) in [
            ("850317-2382x", "850317-2382"),
            ("pnr:8503172382,", "8503172382"),
            ("Pnr850317-2382", "850317-2382"),
            ("x811218-9876", "811218-9876"),
            ("19850317-2382Anna", "19850317-2382"),
        ] {
            assert_eq!(masked(t), vec![want], "{t}");
        }
    }

    /// A personnummer wrapped over a line break or split over two table cells is one
    /// finding over both parts, the break included.
    #[test]
    fn a_number_over_a_line_break_is_found_whole() {
        for (t, want) in [
            ("Personnummer: 850317-\r\n2382", "850317-\r\n2382"),
            ("8503\r\n17-2382", "8503\r\n17-2382"),
            ("Pnr 19850317-\r\n  2382 ", "19850317-\r\n  2382"),
            (
                "Personnummer\r\n850317\r\n2382\r\nTelefon",
                "850317\r\n2382",
            ),
        ] {
            assert_eq!(masked(t), vec![want], "{t}");
        }
        assert_eq!(found("850317-\r\n2382")[0].2, "yymmdd-nnnn_across_lines");
    }

    /// Only a joined number that passes the date and Luhn checks is joined.
    #[test]
    fn numbers_that_do_not_validate_are_not_joined() {
        for t in [
            "Personnummer: 850317-\r\n2383",
            "Sida 8503\r\n17-2381",
            "850317-\r\n\r\n2382",
            "Antal 12\r\n3456",
        ] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
        assert_eq!(masked("850317-2382\r\n12"), vec!["850317-2382"]);
    }

    #[test]
    fn a_spaced_number_in_a_table_row_is_found() {
        // Columns of a table joined by spaces in the text layer (fixture roterade-sidor p3).
        assert_eq!(
            masked("Linnea Svensson 870412 2384 0701740605"),
            vec!["870412 2384"]
        );
    }

    #[test]
    fn reference_words_and_phone_context_lower_the_score() {
        assert!(masked("Dnr 811218-9876").is_empty());
        assert!(masked("Mobil 0701740607").is_empty());
        assert_eq!(masked("Pnr 0501011233"), vec!["0501011233"]);
    }

    #[test]
    fn valid_check_helper() {
        assert!(is_valid_personnummer("8112189876"));
        assert!(is_valid_personnummer("198112189876"));
        assert!(!is_valid_personnummer("5560360793"));
        assert!(!is_valid_personnummer("8112189875"));
    }
}

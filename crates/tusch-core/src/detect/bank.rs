//! Bank account numbers: bankgiro, plusgiro, clearing + account, IBAN.
//!
//! # What it finds
//!
//! - Bankgiro `NNN-NNNN` / `NNNN-NNNN` (rule `bankgiro`).
//! - Plusgiro `N NN NN-N` … `NN NN NN-N`, up to eight digits (rule `plusgiro`).
//! - A clearing number and an account number: `8327-9, 123 456 789-0`,
//!   `konto 1234-12 345 67` (rule `clearing_account`), and a number right after a
//!   "kontonummer" or "clearingnummer" label: `Clearingnummer 6789 kontonummer 123456789`
//!   gives two findings (rules `clearing`, `account`).
//! - IBAN of any country, with or without spaces in groups of four (rule `iban`).
//! - A Nordea personkonto: clearing number 3300 and the holder's personnummer as the account
//!   number, `3300 850317-2382`, `3300-8503172382` (rule `nordea_personkonto`).
//!
//! # How it validates
//!
//! Bankgiro and plusgiro numbers carry a Luhn check digit. Because a Luhn-valid `NNNN-NNNN`
//! is also an invoice number one time in ten, a bankgiro needs a context word within 30
//! bytes ("bankgiro", "bg", "bankgironummer") to reach 0.95 and scores 0.45 without one; a
//! plusgiro, whose shape is even more common, is reported only next to "plusgiro", "pg" or
//! "postgiro" — on the same line before it, or alone on the line above (a table that OCR
//! reads one cell per line). A failed Luhn check next to a context word scores 0.55.
//! Clearing + account numbers have no uniform check digit across banks; the shape (a
//! four-digit clearing number not starting with 0, optionally with a fifth digit after a
//! dash, and an account of 6–12 digits) plus a context word (konto, kontonummer, clearing,
//! bank names …) gives 0.85; the shape alone 0.4.
//! A Nordea personkonto's account number must pass the personnummer checks (date and Luhn):
//! 0.99, so that the whole number is masked as an account and not only its personnummer.
//! IBANs are validated by ISO 13616 mod 97 and, for known countries, by length (SE: 24):
//! 0.98. A failed IBAN next to "iban" scores 0.6.
//!
//! # Known false positives
//!
//! - The kommun's own bankgiro on an invoice is an organisation's account; it is masked when
//!   labelled "Bankgiro". Use the allow-list for it.
//!
//! # Examples
//!
//! ```text
//! Bankgiro 5050-1055               → 5050-1055 (luhn, context, 0.95)
//! Plusgiro 4 81 23-4               → 4 81 23-4
//! Konto: 8327-9, 123 456 789-0     → 8327-9, 123 456 789-0
//! IBAN SE45 5000 0000 0583 9825 7466 → the whole IBAN (mod97)
//! Faktura 5567-1234, 2024-03-15    → not reported
//! ```

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::personnummer::is_valid_personnummer;
use super::util::{
    context_before, context_in_lines_above, has_context, is_digit_bounded, label_line_above,
    luhn_valid, DASH, HS,
};
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "bank";

static BANKGIRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"[0-9]{{3,4}}{DASH}[0-9]{{4}}")).expect("bankgiro pattern compiles")
});

static PLUSGIRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"[0-9]{{1,7}}(?:{HS}[0-9]{{2}}){{0,3}}{DASH}[0-9]"
    ))
    .expect("plusgiro pattern compiles")
});

static CLEARING_ACCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?P<clr>[1-9][0-9]{{3}}(?:{DASH}[0-9])?)(?:,{HS}*|{HS}*{DASH}{HS}*|{HS}+)(?P<acct>[0-9]+(?:(?:{HS}|{DASH})[0-9]+)*)"
    ))
    .expect("clearing pattern compiles")
});

/// Nordea's clearing number for personkonton, whose account number is a personnummer.
static PERSONKONTO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"3300(?:{HS}?{DASH}{HS}?|,{HS}?|{HS})?(?P<pn>[0-9]{{6}}{DASH}?[0-9]{{4}})"
    ))
    .expect("personkonto pattern compiles")
});

static LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?P<label>kontonummer|kontonr|konto|bankkonto|lönekonto|personkonto|sparkonto|clearingnummer|clearingnr|clearing|clnr)(?-u:\b)\.?:?{HS}*(?:(?i:nr)\.?:?{HS}*)?(?P<num>[0-9]+(?:(?:{HS}|{DASH})[0-9]+)*)"
    ))
    .expect("account label pattern compiles")
});

/// No word boundary at the end: an IBAN glued to a word ("…7466kr") is still one; the mod 97
/// check over the candidate ends (see [`BankDetector::iban`]) rejects a longer run.
static IBAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)[A-Z]{{2}}[0-9]{{2}}(?:{HS}?[A-Z0-9]{{4}}){{2,7}}(?:{HS}?[A-Z0-9]{{1,4}})?"
    ))
    .expect("iban pattern compiles")
});

const BG_CONTEXT: &[&str] = &[
    "bankgiro",
    "bankgironummer",
    "bankgironr",
    "bg",
    "bg-nr",
    "bg nr",
    "bg.",
    "bankgirot",
];
const PG_CONTEXT: &[&str] = &[
    "plusgiro",
    "plusgironummer",
    "plusgironr",
    "pg",
    "pg-nr",
    "pg nr",
    "postgiro",
    "plusgirot",
];
const ACCOUNT_CONTEXT: &[&str] = &[
    "konto",
    "kontot",
    "kontonummer",
    "kontonr",
    "kontonr.",
    "bankkonto",
    "lönekonto",
    "personkonto",
    "sparkonto",
    "clearing",
    "clearingnummer",
    "clearingnr",
    "clnr",
    "bank",
    "banken",
    "swedbank",
    "nordea",
    "handelsbanken",
    "seb",
    "danske bank",
    "länsförsäkringar",
    "sparbank",
    "sparbanken",
    "ica banken",
    "skandiabanken",
    "utbetalning",
    "insättning",
];

/// Known IBAN lengths; other countries are accepted at 15–34 characters.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("SE", 24),
    ("NO", 15),
    ("DK", 18),
    ("FI", 18),
    ("IS", 26),
    ("DE", 22),
    ("GB", 22),
    ("FR", 27),
    ("NL", 18),
    ("BE", 16),
    ("ES", 24),
    ("IT", 27),
    ("PL", 28),
    ("EE", 20),
    ("LV", 21),
    ("LT", 20),
    ("AT", 20),
    ("CH", 21),
    ("IE", 22),
    ("PT", 25),
];

/// Finds bank account numbers; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct BankDetector;

impl Detector for BankDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn reads_numbers(&self) -> bool {
        true
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        self.giro(text, out);
        let first = out.len();
        self.personkonto(text, out);
        self.accounts(text, out, first);
        self.iban(text, out);
    }
}

fn finding(
    span: Range<usize>,
    score: f32,
    rule: &str,
    validation: Validation,
    context: bool,
) -> Finding {
    Finding::new(
        span,
        Category::BankAccount,
        score,
        explain(NAME, rule, validation).with_context(context),
    )
}

impl BankDetector {
    fn giro(&self, text: &str, out: &mut Vec<Finding>) {
        for m in BANKGIRO.find_iter(text) {
            let span = m.range();
            if !is_digit_bounded(text, &span) {
                continue;
            }
            let digits = super::util::digits_of(m.as_str());
            let luhn = luhn_valid(&digits);
            let context = has_context(text, &span, BG_CONTEXT, 30);
            let score = match (luhn, context) {
                (true, true) => 0.95,
                (true, false) => 0.45,
                (false, true) => 0.55,
                (false, false) => continue,
            };
            let v = if luhn {
                Validation::Passed("luhn".into())
            } else {
                Validation::Failed("luhn".into())
            };
            out.push(finding(span, score, "bankgiro", v, context));
        }
        for m in PLUSGIRO.find_iter(text) {
            let span = m.range();
            let labelled = context_before(text, span.start, PG_CONTEXT, 30)
                || label_line_above(text, span.start, PG_CONTEXT);
            if !is_digit_bounded(text, &span) || !labelled {
                continue;
            }
            let digits = super::util::digits_of(m.as_str());
            if !(2..=8).contains(&digits.len()) {
                continue;
            }
            let luhn = luhn_valid(&digits);
            let (score, v) = if luhn {
                (0.95, Validation::Passed("luhn".into()))
            } else {
                (0.55, Validation::Failed("luhn".into()))
            };
            out.push(finding(span, score, "plusgiro", v, true));
        }
    }

    fn personkonto(&self, text: &str, out: &mut Vec<Finding>) {
        for caps in PERSONKONTO.captures_iter(text) {
            let (Some(m), Some(pn)) = (caps.get(0), caps.name("pn")) else {
                continue;
            };
            let span = m.range();
            if !is_digit_bounded(text, &span)
                || !is_valid_personnummer(&super::util::digits_of(pn.as_str()))
            {
                continue;
            }
            let context = has_context(text, &span, ACCOUNT_CONTEXT, 50);
            out.push(finding(
                span,
                0.99,
                "nordea_personkonto",
                Validation::Passed("date+luhn".into()),
                context,
            ));
        }
    }

    /// Clearing and account numbers; `first` is where this detector's account findings
    /// start in `out`, so a number already taken (a personkonto) is not taken again.
    fn accounts(&self, text: &str, out: &mut Vec<Finding>, first: usize) {
        // A rejected candidate gives back what it ate: in a table row the numbers stand
        // side by side ("19961226-7501 8397-2, 152 948 818-9"), and the pattern, starting
        // inside the personnummer, would otherwise swallow the account's clearing number.
        let mut pos = 0;
        while let Some(caps) = CLEARING_ACCOUNT.captures_at(text, pos) {
            let (Some(m), Some(clr), Some(acct)) =
                (caps.get(0), caps.name("clr"), caps.name("acct"))
            else {
                break;
            };
            pos = m.start() + 1;
            let acct_range = without_amount(text, acct.range());
            let Some(end) = trim_groups(text, acct_range, 6, 12) else {
                continue;
            };
            let span = m.start()..end;
            if !is_digit_bounded(text, &span)
                || !super::util::not_in_spaced_number(text, &(span.start..clr.end()))
                || out[first..]
                    .iter()
                    .any(|f| f.span.start < span.end && span.start < f.span.end)
            {
                continue;
            }
            pos = span.end;
            let context = has_context(text, &span, ACCOUNT_CONTEXT, 50);
            // A payment list: "Bankkonto (clearing, konto)" heads the column.
            let header = !context && context_in_lines_above(text, span.start, ACCOUNT_CONTEXT, 12);
            let score = if context {
                0.85
            } else if header {
                0.8
            } else {
                0.4
            };
            out.push(finding(
                span,
                score,
                "clearing_account",
                Validation::NotApplicable,
                context,
            ));
        }
        for caps in LABELLED.captures_iter(text) {
            let (Some(label), Some(num)) = (caps.name("label"), caps.name("num")) else {
                continue;
            };
            let label = label.as_str().to_lowercase();
            let is_clearing = label.starts_with("clearing") || label == "clnr";
            let (min, max, rule) = if is_clearing {
                (4, 5, "clearing")
            } else {
                (6, 16, "account")
            };
            let Some(end) = trim_groups(text, num.range(), min, max) else {
                continue;
            };
            let span = num.start()..end;
            if !is_digit_bounded(text, &span)
                || out[first..]
                    .iter()
                    .any(|f| f.span.start < span.end && span.start < f.span.end)
            {
                continue;
            }
            let score = if is_clearing { 0.7 } else { 0.8 };
            out.push(finding(span, score, rule, Validation::NotApplicable, true));
        }
    }

    fn iban(&self, text: &str, out: &mut Vec<Finding>) {
        for m in IBAN.find_iter(text) {
            // Try the longest candidate first, then shorter ones at group boundaries, so a
            // word after the IBAN that looks like a group does not spoil the check.
            let s = m.as_str();
            let mut ends: Vec<usize> = s
                .char_indices()
                .filter(|(i, c)| *i > 0 && super::util::is_hspace(*c))
                .map(|(i, _)| i)
                .collect();
            ends.push(s.len());
            let context = has_context(
                text,
                &m.range(),
                &["iban", "iban-nummer", "kontonummer", "konto"],
                40,
            );
            let mut best = None;
            for &e in ends.iter().rev() {
                let compact: String = s[..e]
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect();
                if iban_valid(&compact) {
                    best = Some(m.start()..m.start() + e);
                    break;
                }
            }
            match best {
                Some(span) => out.push(finding(
                    span,
                    0.98,
                    "iban",
                    Validation::Passed("mod97".into()),
                    context,
                )),
                None if context => out.push(finding(
                    m.range(),
                    0.6,
                    "iban",
                    Validation::Failed("mod97".into()),
                    true,
                )),
                None => {}
            }
        }
    }
}

/// Ends the number after as many digit groups as fit in `max` digits (dropping trailing
/// groups that follow a space), or `None` when fewer than `min` digits remain.
/// `range` without the amount at its end, when digit groups run on into an amount in the
/// next table cell ("152 948 818-9 3 450,00": the account ends before "3 450,00"). An
/// amount is a last group followed by a decimal comma, and at most one leading group of
/// one to three digits before it.
fn without_amount(text: &str, range: Range<usize>) -> Range<usize> {
    let after = &text[range.end..];
    let decimals = after.starts_with(',')
        && after[1..]
            .chars()
            .take(2)
            .filter(char::is_ascii_digit)
            .count()
            == 2;
    if !decimals {
        return range;
    }
    let s = &text[range.clone()];
    let Some(last) = s.rfind(|c: char| !c.is_ascii_digit()) else {
        return range.start..range.start;
    };
    let mut cut = last;
    let head = &s[..last];
    if s[last..].starts_with(' ') {
        if let Some(prev) = head.rfind(|c: char| !c.is_ascii_digit()) {
            let lead = &head[prev + 1..];
            if (1..=3).contains(&lead.len()) && head[prev..].starts_with(' ') {
                cut = prev;
            }
        }
    }
    range.start..range.start + s[..cut].trim_end().len()
}

fn trim_groups(text: &str, range: Range<usize>, min: usize, max: usize) -> Option<usize> {
    let s = &text[range.clone()];
    let mut groups: Vec<(usize, usize, bool)> = Vec::new(); // (end, digits so far, after space)
    let mut count = 0;
    let mut after_space = false;
    let mut in_group = false;
    for (i, c) in s.char_indices() {
        if c.is_ascii_digit() {
            count += 1;
            in_group = true;
        } else {
            if in_group {
                groups.push((i, count, after_space));
                after_space = true;
            }
            in_group = false;
            if !super::util::is_hspace(c) {
                after_space = false;
            }
        }
    }
    if in_group {
        groups.push((s.len(), count, after_space));
    }
    while groups.len() > 1 {
        let (_, n, sp) = groups[groups.len() - 1];
        if n > max && sp {
            groups.pop();
        } else {
            break;
        }
    }
    let (end, n, _) = *groups.last()?;
    (min..=max).contains(&n).then_some(range.start + end)
}

/// ISO 13616: country code, check digits, BBAN; mod 97 of the rearranged number is 1.
pub(crate) fn iban_valid(compact: &str) -> bool {
    let b = compact.as_bytes();
    if !(15..=34).contains(&b.len())
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    if let Some((_, len)) = IBAN_LENGTHS.iter().find(|(cc, _)| cc.as_bytes() == &b[..2]) {
        if *len != b.len() {
            return false;
        }
    }
    let mut rem: u32 = 0;
    for &c in b[4..].iter().chain(&b[..4]) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, f32, String)> {
        crate::detect::testing::found(&BankDetector, text)
    }

    fn masked(text: &str) -> Vec<&str> {
        crate::detect::testing::masked(&BankDetector, text)
    }

    #[test]
    fn bankgiro_needs_context() {
        assert_eq!(masked("Bankgiro 5050-1055"), vec!["5050-1055"]);
        assert_eq!(masked("BG: 123-4566"), vec!["123-4566"]);
        assert_eq!(found("Bankgiro 5050-1055")[0].1, 0.95);
        // Same number, no context: an invoice number as far as we know.
        assert!(masked("Faktura 5050-1055").is_empty());
        assert!(masked("faktura 5567-1234").is_empty());
    }

    #[test]
    fn plusgiro_with_context_only() {
        assert_eq!(masked("Plusgiro 4 81 23-4"), vec!["4 81 23-4"]);
        assert_eq!(masked("PG 48 12 34-3"), vec!["48 12 34-3"]);
        assert!(found("4 81 23-4").is_empty());
        // OCR of a payment table (fixtures/scans-heldout, faktura-paminnelse): one cell per
        // line.
        assert_eq!(
            masked("Bankgiro\r\n5402-7750\r\nPlusgiro\r\n48 77 12-2\r\nIBAN"),
            vec!["5402-7750", "48 77 12-2"]
        );
        assert!(found("Antal\r\n4 81 23-4").is_empty());
    }

    #[test]
    fn issue_11_accounts_under_a_column_header() {
        let text = "Namn Personnummer Bankkonto (clearing, konto) Belopp, kr\r\n\
            Louise Davidsson 19961226-7501 8397-2, 152 948 818-9 3 450,00\r\n\
            Björn Stenberg 431127-1656 6818, 351 140 328 2 875,50\r\n\
            Tuan Nguyen 19960322-6490 5189-23 13545 4 120,00";
        let got = masked(text);
        assert_eq!(
            got,
            vec![
                "8397-2, 152 948 818-9",
                "6818, 351 140 328",
                "5189-23 13545"
            ]
        );
        // Without a header, the shape alone is not enough.
        assert!(masked("Ärende 6818, 351 140 328 kronor").is_empty());
    }

    #[test]
    fn clearing_and_account() {
        assert_eq!(
            masked("Konto: 8327-9, 123 456 789-0"),
            vec!["8327-9, 123 456 789-0"]
        );
        assert_eq!(masked("konto 1234-12 345 67"), vec!["1234-12 345 67"]);
        let f = found("Clearingnummer 6789 kontonummer 123456789");
        assert_eq!(
            f.iter().map(|x| (x.0, x.2.as_str())).collect::<Vec<_>>(),
            vec![("6789", "clearing"), ("123456789", "account")]
        );
        assert!(masked("Datum 2024-03-15 12").is_empty());
    }

    #[test]
    fn nordea_personkonto() {
        for (t, want) in [
            ("Konto: 3300 850317-2382", "3300 850317-2382"),
            ("3300-8503172382", "3300-8503172382"),
            ("Kontonummer: 3300 8503172382", "3300 8503172382"),
            ("Nordea 3300, 850317-2382", "3300, 850317-2382"),
        ] {
            let f = found(t);
            assert_eq!(f.len(), 1, "{t}: {f:?}");
            assert_eq!(f[0].0, want, "{t}");
            assert_eq!(f[0].2, "nordea_personkonto");
            assert!(f[0].1 >= 0.99);
        }
        // The account number fails the personnummer checks: an ordinary account at best.
        assert!(found("3300 850317-2383")
            .iter()
            .all(|f| f.2 != "nordea_personkonto"));
        assert!(found("13300 8503172382")
            .iter()
            .all(|f| f.2 != "nordea_personkonto"));
    }

    #[test]
    fn iban_mod97() {
        let f = found("IBAN: SE45 5000 0000 0583 9825 7466, BIC ESSESESS");
        assert_eq!(f[0].0, "SE45 5000 0000 0583 9825 7466");
        assert_eq!(f[0].2, "iban");
        assert_eq!(
            masked("SE4550000000058398257466"),
            vec!["SE4550000000058398257466"]
        );
        assert_eq!(
            masked("GB82 WEST 1234 5698 7654 32"),
            vec!["GB82 WEST 1234 5698 7654 32"]
        );
        assert!(masked("SE45 5000 0000 0583 9825 7467").is_empty());
        assert!(iban_valid("DE89370400440532013000"));
        assert!(!iban_valid("DE89370400440532013001"));
    }

    /// Two cells the text layer glued together: the number touches the next label.
    #[test]
    fn a_number_glued_to_letters_is_found() {
        assert_eq!(masked("Bankgiro 5050-1055Förfallodatum"), vec!["5050-1055"]);
        assert_eq!(masked("Plusgiro 4 81 23-4kr"), vec!["4 81 23-4"]);
        assert_eq!(
            masked("konto 8327-9, 123 456 789-0Swedbank"),
            vec!["8327-9, 123 456 789-0"]
        );
        assert_eq!(
            masked("IBAN SE45 5000 0000 0583 9825 7466kr"),
            vec!["SE45 5000 0000 0583 9825 7466"]
        );
        assert!(masked("SE45 5000 0000 0583 9825 74661").is_empty());
        assert!(masked("Bankgiro 15050-1055").is_empty());
        assert!(masked("Bankgiro 5050-10551").is_empty());
    }

    #[test]
    fn ordinary_numbers_are_not_accounts() {
        for t in [
            "Beslut 2024-03-15",
            "Dnr 2023-000123",
            "1 250 000 kr",
            "811218-9876",
            "070-174 06 05",
            "SFS 2001:453",
            "Kontot är tomt sedan 2019.",
        ] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}

//! Telephone numbers.
//!
//! # What it finds
//!
//! Swedish numbers in the national form (a leading `0`: mobile `07X`, Stockholm `08`, area
//! codes `0XX` and `0XXX`, the non-geographic `010`) and the international forms `+46` and
//! `0046`, with an optional `(0)`, grouped with spaces (any Unicode space), dashes or not at
//! all: `070-174 06 05`, `070 174 06 05`, `0701740605`, `08-465 004 00`, `08-46500400`,
//! `031-390 06 00`, `0303-123 45`, `(08) 465 004 00`, `+46 70 174 06 05`,
//! `+46 (0)8 465 004 00`. A number wrapped over a line break or split over two table cells
//! (`070-174 06\r\n67`) is one finding over both parts, the break included (rule suffix
//! `_across_lines`), when the joined number has a valid Swedish shape and neither line holds
//! a whole number (nine or ten digits) that the joined reading would take digits from.
//! Other countries' numbers in the `+CC` form are found too (rule
//! `international`), since a foreign number is personal data as well.
//!
//! # How it validates
//!
//! A maximal run of digit groups is read from the start; groups after a space are dropped
//! from the end while the run is too long (so "070-174 06 05 2024" still yields the number).
//! The number must not touch another digit; a letter may touch it (`0701740667kl`). Then
//! the digit count and the leading digits are checked: 9–10 digits with the leading 0
//! (7–9 after `+46`; 8 digits only next to a context word); mobile numbers are `070`, `072`,
//! `073`, `076`, `079` with exactly ten digits; freephone `020`, shared-cost `077X` and
//! premium `0900`/`0939`/`0944` numbers belong to organisations and are skipped. A context
//! word (tel, telefon, mobil, mob, tfn, ring, sms, fax, växel) raises the score; a payment or
//! reference word on the same line (bankgiro, bg, plusgiro, konto, OCR, dnr, org.nr) lowers it
//! below the threshold.
//!
//! # Known false positives
//!
//! - A ten-digit reference number beginning with `0` and written without separators scores
//!   0.65 when no context word is near.
//! - A personnummer of someone born 2000–2009 written without separators is left to the
//!   personnummer detector unless a phone word is near; the `YYMMDD-NNNN` shape is never a
//!   phone number.
//!
//! # Examples
//!
//! ```text
//! Mobil: 070-174 06 05          → 070-174 06 05 (mobile, context, 0.95)
//! +46 (0)8 465 004 00           → the whole number, international form
//! Bankgiro 0123-4567, 2024-03-15, 123 45 Ankeby, 1 250 000 kr → not reported
//! ```

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::personnummer::is_valid_personnummer;
use super::util::{
    context_before, has_context, is_hspace, number_line_joins, ACROSS_LINES, DASH, HS,
};
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "phone";

static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    let sep = format!(r"(?:{HS}?{DASH}{HS}?|{HS})");
    let re = format!(
        r"(?:(?P<intl>\+|00)(?:(?P<se>46)|(?P<cc>[1-9][0-9]{{0,2}}))(?:{HS}|{DASH})?(?:\(0\){HS}?)?(?P<b1>[1-9][0-9]*(?:{sep}[0-9]+)*)|\((?P<area>0[1-9][0-9]{{0,2}})\){HS}?(?P<b2>[0-9]+(?:{sep}[0-9]+)*)|(?P<b3>0[1-9][0-9]*(?:{sep}[0-9]+)*))"
    );
    Regex::new(&re).expect("phone pattern compiles")
});

const CONTEXT: &[&str] = &[
    "tel",
    "tel.",
    "telefon",
    "telefonnummer",
    "telefonnr",
    "tfn",
    "mobil",
    "mob",
    "mob.",
    "mobilnummer",
    "mobiltelefon",
    "mobilnr",
    "ring",
    "ringa",
    "ringde",
    "sms",
    "sms:a",
    "fax",
    "växel",
    "direkt",
    "direktnummer",
    "hemtelefon",
    "arbetstelefon",
    "nås på",
    "phone",
    "mobile",
];

/// Words on the same line before a number that make it a payment or reference number.
const NEGATIVE: &[&str] = &[
    "bankgiro",
    "bankgironummer",
    "bg",
    "bg nr",
    "plusgiro",
    "pg",
    "postgiro",
    "konto",
    "kontonummer",
    "kontonr",
    "clearing",
    "clearingnummer",
    "ocr",
    "ocr-nummer",
    "dnr",
    "diarienummer",
    "org.nr",
    "orgnr",
    "organisationsnummer",
    "fakturanummer",
    "fakturanr",
    "kundnummer",
    "kundnr",
    "ordernummer",
    "artikelnummer",
    "personnummer",
    "pnr",
    "referensnummer",
];

/// Finds telephone numbers; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct PhoneDetector;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `0…`, `(0…)`.
    National,
    /// `+46`, `0046`.
    Swedish,
    /// `+CC` other than 46.
    Foreign,
}

impl Detector for PhoneDetector {
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
        // where the joined number has a valid shape, and never over a number that is whole
        // on its own line ("031-390 06 00\r\n12 st").
        for join in number_line_joins(text, " ") {
            let mut more = Vec::new();
            detect_in(&join.text, &mut more);
            for mut f in more {
                let Some(span) = join.crossing_span(&f.span) else {
                    continue;
                };
                // A whole number on either line stays as it is: the joined reading must
                // not take its digits.
                let takes_a_whole_number = out[first..].iter().any(|s| {
                    s.span.start < span.end
                        && span.start < s.span.end
                        && is_complete(&text[s.span.clone()])
                });
                if f.explanation.rule == "international" || takes_a_whole_number {
                    continue;
                }
                // The part before the break, if it was taken for a short number, is not one.
                let mut k = first;
                while k < out.len() {
                    if out[k].span.start == span.start && out[k].span.end <= span.end {
                        out.remove(k);
                    } else {
                        k += 1;
                    }
                }
                f.span = span;
                f.explanation.rule.push_str(ACROSS_LINES);
                out.push(f);
            }
        }
    }
}

/// Whether a found number has as many digits as a Swedish number usually has (nine or ten
/// in the national form), so that a digit group on the next line is not part of it.
fn is_complete(number: &str) -> bool {
    let digits = super::util::digits_of(number);
    let nsn = if number.starts_with('+') {
        digits.strip_prefix("46")
    } else if number.starts_with("00") {
        digits.strip_prefix("0046")
    } else {
        digits.strip_prefix('0')
    };
    // "+46 (0)8 …" writes the trunk 0 too.
    nsn.is_some_and(|d| d.trim_start_matches('0').len() >= 8)
}

/// The pattern over one text, without joining lines.
fn detect_in(text: &str, out: &mut Vec<Finding>) {
    let mut pos = 0;
    while pos < text.len() {
        let Some(caps) = PATTERN.captures_at(text, pos) else {
            break;
        };
        let Some(m) = caps.get(0) else { break };
        let (kind, body) = if let Some(b) = caps.name("b1") {
            let kind = if caps.name("se").is_some() {
                Kind::Swedish
            } else {
                Kind::Foreign
            };
            (kind, b)
        } else if let Some(b) = caps.name("b2") {
            (Kind::National, b)
        } else if let Some(b) = caps.name("b3") {
            (Kind::National, b)
        } else {
            break;
        };
        // Digits before the body that count: the area code in "(08) …".
        let area = caps.name("area").map_or("", |a| a.as_str());
        let groups = digit_groups(text, body.range());
        match accept(text, m.start(), kind, area, &groups) {
            Some(f) => {
                pos = f.span.end;
                out.push(f);
            }
            // Rescan from the second group, so a rejected start (a date, a longer
            // number) does not hide a number that follows it.
            None => {
                pos = groups.get(1).map_or(m.end(), |g| g.range.start);
            }
        }
    }
}

/// One run of digits in a candidate, and whether the separator before it was only spaces.
#[derive(Debug, Clone)]
struct Group {
    range: Range<usize>,
    after_space: bool,
    after_dash: bool,
}

fn digit_groups(text: &str, body: Range<usize>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut start = None;
    let mut sep_space = false;
    let mut sep_dash = false;
    for (i, c) in text[body.clone()].char_indices() {
        let i = body.start + i;
        if c.is_ascii_digit() {
            if start.is_none() {
                start = Some(i);
            }
        } else {
            if let Some(s) = start.take() {
                groups.push(Group {
                    range: s..i,
                    after_space: sep_space,
                    after_dash: sep_dash,
                });
                sep_space = true;
                sep_dash = false;
            }
            if !is_hspace(c) {
                sep_space = false;
                sep_dash = true;
            }
        }
    }
    if let Some(s) = start {
        groups.push(Group {
            range: s..body.end,
            after_space: sep_space,
            after_dash: sep_dash,
        });
    }
    groups
}

fn accept(text: &str, start: usize, kind: Kind, area: &str, groups: &[Group]) -> Option<Finding> {
    // Before the number: not glued to another number. A letter may touch it ("tel0701…").
    let mut before = text[..start].chars().rev();
    match (before.next(), before.next()) {
        (Some(p), _) if p.is_numeric() => return None,
        (Some(p), Some(pp))
            if matches!(p, '-' | '/' | '.' | ',' | ':' | '+') && pp.is_ascii_digit() =>
        {
            return None
        }
        _ => {}
    }
    let (min, max) = match kind {
        Kind::National => (8, 10),
        Kind::Swedish => (7, 9),
        Kind::Foreign => (6, 14),
    };
    let count = |gs: &[Group]| area.len() + gs.iter().map(|g| g.range.len()).sum::<usize>();
    let mut n = groups.len();
    while n > 1 && count(&groups[..n]) > max && groups[n - 1].after_space {
        n -= 1;
    }
    let groups = &groups[..n];
    let digits_total = count(groups);
    if digits_total < min || digits_total > max {
        return None;
    }
    let end = groups.last()?.range.end;
    let span = start..end;
    // After the number: not glued to more digits ("070-174 06 67kl" is a number).
    let mut after = text[end..].chars();
    match (after.next(), after.next()) {
        (Some(n), _) if n.is_numeric() => return None,
        (Some(n), Some(nn)) if matches!(n, '-' | '/' | '.' | ',' | ':') && nn.is_ascii_digit() => {
            return None
        }
        _ => {}
    }
    let mut digits = String::with_capacity(12);
    digits.push_str(area);
    for g in groups {
        digits.push_str(&text[g.range.clone()]);
    }
    let separated = groups.len() > 1 || !area.is_empty();
    if kind == Kind::National {
        // The YYMMDD-NNNN shape is a personnummer, never a phone number.
        if groups.len() == 2
            && groups[0].range.len() == 6
            && groups[1].range.len() == 4
            && groups[1].after_dash
        {
            return None;
        }
    }
    let context = has_context(text, &span, CONTEXT, 30);
    if kind == Kind::National && !separated && !context && is_valid_personnummer(&digits) {
        return None;
    }
    let nsn = match kind {
        Kind::National => digits.get(1..)?,
        _ => digits.as_str(),
    };
    let (rule, base) = match kind {
        Kind::Foreign => ("international", 0.7),
        _ => {
            let rule = classify(nsn)?;
            let base = match (kind, rule, separated) {
                (Kind::Swedish, _, _) => 0.9,
                (_, "mobile", true) => 0.85,
                (_, "mobile", false) => 0.75,
                (_, _, true) => 0.75,
                (_, _, false) => 0.65,
            };
            (rule, base)
        }
    };
    if kind == Kind::National && digits_total == min && !context {
        return None;
    }
    let mut score: f32 = if context {
        (base + 0.1f32).min(0.95)
    } else {
        base
    };
    if context_before(text, start, NEGATIVE, 30) {
        score = 0.4;
    }
    let rule = match kind {
        Kind::Swedish => match rule {
            "mobile" => "+46_mobile",
            _ => "+46_landline",
        },
        _ => rule,
    };
    Some(Finding::new(
        span,
        Category::Phone,
        score,
        explain(NAME, rule, Validation::Passed("digit-count+prefix".into())).with_context(context),
    ))
}

/// The kind of a Swedish national significant number (without the leading 0), or `None`
/// when its length or leading digits rule it out.
fn classify(nsn: &str) -> Option<&'static str> {
    let b = nsn.as_bytes();
    let len = b.len();
    match b.first()? {
        b'0' => None,
        b'7' => {
            let second = *b.get(1)?;
            (matches!(second, b'0' | b'2' | b'3' | b'6' | b'9') && len == 9).then_some("mobile")
        }
        b'2' if b.get(1) == Some(&b'0') => None,
        b'9' if nsn.starts_with("900") || nsn.starts_with("939") || nsn.starts_with("944") => None,
        b'1' if b.get(1) == Some(&b'0') => (len == 9).then_some("landline"),
        _ => (7..=9).contains(&len).then_some("landline"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn found(text: &str) -> Vec<(&str, f32, String)> {
        crate::detect::testing::found(&PhoneDetector, text)
    }

    fn masked(text: &str) -> Vec<&str> {
        crate::detect::testing::masked(&PhoneDetector, text)
    }

    #[test]
    fn usual_groupings_are_found_whole() {
        for n in [
            "070-174 06 05",
            "070 174 06 05",
            "0701740605",
            "070-1740605",
            "08-465 004 00",
            "08-46500400",
            "08 465 004 00",
            "031-390 06 00",
            "031-3900600",
            "0303-123 45",
            "(08) 465 004 00",
            "+46 70 174 06 05",
            "+46701740605",
            "+46 (0)8 465 004 00",
            "0046 70-174 06 05",
            "+46 31 390 06 00",
        ] {
            let t = format!("Ring {n}, tack.");
            assert_eq!(masked(&t), vec![n], "{n}");
        }
    }

    #[test]
    fn unicode_spaces_and_dashes() {
        let t = "Tel 070\u{2013}174\u{00A0}06\u{202F}05";
        assert_eq!(masked(t), vec!["070\u{2013}174\u{00A0}06\u{202F}05"]);
    }

    #[test]
    fn rules_and_scores() {
        let f = found("Mobil: 070-174 06 05");
        assert_eq!(f[0].2, "mobile");
        assert!(f[0].1 >= 0.9);
        let f = found("Växel 08-465 004 00");
        assert_eq!(f[0].2, "landline");
        let f = found("+46 70 174 06 05");
        assert_eq!(f[0].2, "+46_mobile");
        let f = found("+47 22 33 44 55");
        assert_eq!(f[0].2, "international");
    }

    #[test]
    fn trailing_numbers_are_trimmed() {
        assert_eq!(masked("tel 070-174 06 05 2024"), vec!["070-174 06 05"]);
        assert_eq!(
            masked("tel 2024-03-15 070-174 06 05"),
            vec!["070-174 06 05"]
        );
    }

    #[test]
    fn non_phone_numbers_are_not_flagged() {
        for t in [
            "811218-9876",
            "050101-1233",
            "Beslut 2024-03-15",
            "Belopp 1 250 000 kr",
            "123 45 Ankeby",
            "Bankgiro 0123-4567",
            "Bg 0701-7406",
            "Dnr 0123-456789",
            "08-03-2024",
            "kl 08:30",
            "020-12 34 56",
            "0771-12 34 56",
            "0900-123 45 67",
            "0012345",
            "0701740605123",
            "SN 2024/1234",
            "version 0.1.2",
        ] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
    }

    /// A number glued to the word after it (a text layer without the space, OCR) is found;
    /// only a digit beside it makes it part of a longer number.
    #[test]
    fn a_number_glued_to_letters_is_found() {
        for (t, want) in [
            ("070-174 06 67kl", "070-174 06 67"),
            ("ring 0701740667kl 9", "0701740667"),
            ("v0701740605", "0701740605"),
            ("Tel:031-390 06 12Mobil", "031-390 06 12"),
        ] {
            assert_eq!(masked(t), vec![want], "{t}");
        }
        for t in ["10701740667", "07017406671kl", "070-174 06 671"] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
    }

    /// A number wrapped over a line break or split over two table cells is one finding
    /// over both parts, the break included.
    #[test]
    fn a_number_over_a_line_break_is_found_whole() {
        for (t, want) in [
            ("Tel 070-174 06\r\n67", "070-174 06\r\n67"),
            ("Mobil: 070-\r\n174 06 67 (kvällstid)", "070-\r\n174 06 67"),
            ("Telefon 08-465 004\r\n00", "08-465 004\r\n00"),
            ("ring 0701\r\n  740667", "0701\r\n  740667"),
            ("Nås på +46 70 174 06\r\n67.", "+46 70 174 06\r\n67"),
        ] {
            assert_eq!(masked(t), vec![want], "{t}");
        }
        assert_eq!(found("Tel 070-174 06\r\n67")[0].2, "mobile_across_lines");
    }

    /// Joining is only for a number that validates and is not whole without the next line.
    #[test]
    fn numbers_are_not_joined_without_need() {
        assert_eq!(masked("Tel 031-390 06 00\r\n12 st"), vec!["031-390 06 00"]);
        assert_eq!(
            masked("Tel 070-174 06 05\r\n070-174 06 06"),
            vec!["070-174 06 05", "070-174 06 06"]
        );
        for t in [
            "Tel 070-174 06\r\n6",
            "Tel 070-174 06\r\n\r\n67",
            "Sida 070\r\n174",
            "+47 22 33\r\n44 55",
            "Datum 2024-03-15\r\n08 30",
        ] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
    }

    #[test]
    fn unseparated_personnummer_is_not_a_phone_without_context() {
        assert!(found("0501011233").is_empty());
        assert_eq!(masked("tel 0701740607"), vec!["0701740607"]);
    }

    #[test]
    fn eight_digits_need_context() {
        assert!(masked("0910-1234").is_empty());
        assert_eq!(masked("Tfn 0910-1234"), vec!["0910-1234"]);
    }
}

//! Dates of birth.
//!
//! # What it finds
//!
//! A date written right after a birth word: "född den 3 mars 1985", "född 3 mars 1985",
//! "född 1985-03-03", "f. 1985-03-03", "f. 3/3 1985", "födelsedatum: 1985-03-03",
//! "född 850303", "född 3:e mars 1985", and the year alone, "född år 1985" / "född 1985"
//! (rule `year_only`). The span is the date only, never the birth word.
//!
//! A plain date without a birth word is not reported: the date of a decision must stay
//! readable.
//!
//! # How it validates
//!
//! The date must exist in the calendar (leap years included) and lie between 1880 and 2099.
//! A full date scores 0.9; a year alone 0.6; a date that does not exist is not reported.
//!
//! # Known false positives
//!
//! - "f." also abbreviates other words ("f. d." = före detta is excluded; "s. 4 f." has no
//!   date after it). A date after "f." in another sense would be masked.
//!
//! # Examples
//!
//! ```text
//! född den 3 mars 1985 i Ankeby      → 3 mars 1985
//! Födelsedatum: 1985-03-03           → 1985-03-03
//! född år 1985                       → 1985 (0.6)
//! Beslutsdatum 2024-03-15            → not reported
//! ```

use std::sync::LazyLock;

use regex::Regex;

use super::personnummer::days_in_month;
use super::util::HS;
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "date_of_birth";

const MONTHS: &[(&str, u32)] = &[
    ("januari", 1),
    ("februari", 2),
    ("mars", 3),
    ("april", 4),
    ("maj", 5),
    ("juni", 6),
    ("juli", 7),
    ("augusti", 8),
    ("september", 9),
    ("oktober", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("okt", 10),
    ("nov", 11),
    ("dec", 12),
];

static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    let month = r"januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|okt|nov|dec";
    let re = format!(
        r"(?xi)
        (?:(?-u:\b)(?:född|födda|föddes|födelsedatum|födelsedag|födelseår|born|dob)|(?:^|[^\p{{L}}.])f\.)
        (?:{HS}*:)?{HS}*
        (?:(?:den|år|the|on){HS}+)?
        (?P<date>
            (?P<iso_y>(?:18|19|20)[0-9]{{2}})(?P<iso_s1>[-./])(?P<iso_m>[0-9]{{1,2}})(?P<iso_s2>[-./])(?P<iso_d>[0-9]{{1,2}})
          | (?P<t_d>[0-9]{{1,2}})(?::[ae])?{HS}*(?P<t_m>(?:{month}))\.?{HS}*(?P<t_y>(?:18|19|20)[0-9]{{2}})
          | (?P<n_d>[0-9]{{1,2}})(?P<n_s1>[./])(?P<n_m>[0-9]{{1,2}})(?P<n_s2>[./]|{HS}|{HS}?-{HS}?)(?P<n_y>(?:18|19|20)[0-9]{{2}}|[0-9]{{2}})
          | (?P<c_y>(?:18|19|20)[0-9]{{2}})(?P<c_m>[01][0-9])(?P<c_d>[0-3][0-9])
          | (?P<s_y>[0-9]{{2}})(?P<s_m>[01][0-9])(?P<s_d>[0-3][0-9])
          | (?P<y>(?:18|19|20)[0-9]{{2}})
        )
        "
    );
    Regex::new(&re).expect("date of birth pattern compiles")
});

/// Finds dates of birth after a birth word; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct DateOfBirthDetector;

impl Detector for DateOfBirthDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn reads_numbers(&self) -> bool {
        true
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        // Without a birth word there is nothing to find; most pages have none.
        let lower = text.to_lowercase();
        if !["föd", "f.", "born", "dob"]
            .iter()
            .any(|w| lower.contains(w))
        {
            return;
        }
        for caps in PATTERN.captures_iter(text) {
            let Some(date) = caps.name("date") else {
                continue;
            };
            let span = date.range();
            if text[span.end..]
                .chars()
                .next()
                .is_some_and(char::is_numeric)
                || text[span.end..].starts_with(['-', '/', ':'])
                    && text[span.end + 1..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_digit())
            {
                continue;
            }
            let g = |name: &str| caps.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
            let same = |a: &str, b: &str| {
                caps.name(a).map(|m| m.as_str()) == caps.name(b).map(|m| m.as_str())
            };
            // "1985-03.03" and "3/3.1985" mix separators: not a date as people write them.
            if !same("iso_s1", "iso_s2")
                || (matches!(caps.name("n_s2").map(|m| m.as_str()), Some("." | "/"))
                    && !same("n_s1", "n_s2"))
            {
                continue;
            }
            let (rule, ymd) =
                if let (Some(y), Some(m), Some(d)) = (g("iso_y"), g("iso_m"), g("iso_d")) {
                    ("iso_date", Some((y, m, d)))
                } else if let (Some(d), Some(y)) = (g("t_d"), g("t_y")) {
                    let m = caps
                        .name("t_m")
                        .map(|m| m.as_str().to_lowercase())
                        .and_then(|m| MONTHS.iter().find(|(name, _)| *name == m).map(|(_, n)| *n));
                    ("text_date", m.map(|m| (y, m, d)))
                } else if let (Some(d), Some(m), Some(y)) = (g("n_d"), g("n_m"), g("n_y")) {
                    let y = if y < 100 { 1900 + y } else { y };
                    ("numeric_date", Some((y, m, d)))
                } else if let (Some(y), Some(m), Some(d)) = (g("c_y"), g("c_m"), g("c_d")) {
                    ("yyyymmdd", Some((y, m, d)))
                } else if let (Some(y), Some(m), Some(d)) = (g("s_y"), g("s_m"), g("s_d")) {
                    ("yymmdd", Some((2000 + y, m, d)))
                } else if let Some(y) = g("y") {
                    ("year_only", (1880..=2099).contains(&y).then_some((y, 0, 0)))
                } else {
                    continue;
                };
            let Some((y, m, d)) = ymd else { continue };
            let (score, validation) = if rule == "year_only" {
                (0.6, Validation::NotApplicable)
            } else if (1880..=2099).contains(&y) || rule == "yymmdd" || rule == "numeric_date" {
                if (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m) {
                    (0.9, Validation::Passed("calendar".into()))
                } else {
                    continue;
                }
            } else {
                continue;
            };
            out.push(Finding::new(
                span,
                Category::DateOfBirth,
                score,
                explain(NAME, rule, validation).with_context(true),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, f32)> {
        let mut out = Vec::new();
        DateOfBirthDetector.detect(text, &mut out);
        out.iter()
            .map(|f| (&text[f.span.clone()], f.score))
            .collect()
    }

    #[test]
    fn dates_after_birth_words() {
        for (t, want) in [
            ("född den 3 mars 1985 i Ankeby", "3 mars 1985"),
            ("född 3 mars 1985", "3 mars 1985"),
            ("Född 3:e mars 1985", "3:e mars 1985"),
            ("född 1985-03-03", "1985-03-03"),
            ("Anna, f. 1985-03-03, bor", "1985-03-03"),
            ("f. 3/3 1985", "3/3 1985"),
            ("f. 3/3-1985", "3/3-1985"),
            ("Födelsedatum: 1985-03-03", "1985-03-03"),
            ("född 03.03.1985", "03.03.1985"),
            ("född 19850303", "19850303"),
            ("född 850303", "850303"),
            ("född 12 dec. 1985", "12 dec. 1985"),
            ("FÖDD 3 MARS 1985", "3 MARS 1985"),
            ("född 29 februari 2000", "29 februari 2000"),
        ] {
            assert_eq!(found(t), vec![(want, 0.9)], "{t}");
        }
    }

    #[test]
    fn a_date_glued_to_a_word_is_found() {
        assert_eq!(found("född 1985-03-03i Ankeby"), vec![("1985-03-03", 0.9)]);
        assert_eq!(found("f. 850303Anna"), vec![("850303", 0.9)]);
        assert!(found("född 1985-03-031").is_empty());
    }

    #[test]
    fn year_alone_scores_lower() {
        assert_eq!(found("född år 1985"), vec![("1985", 0.6)]);
        assert_eq!(found("Eleven är född 2012."), vec![("2012", 0.6)]);
    }

    #[test]
    fn plain_dates_and_impossible_dates_are_not_flagged() {
        for t in [
            "Beslutsdatum 2024-03-15",
            "den 3 mars 2024",
            "Sammanträde 2024-03-15 kl 13:30",
            "född 31 februari 1985",
            "född 1985-13-01",
            "f.d. 2020-01-01",
            "s. 4 f.",
            "ff. 2024-01-01",
            "född 1985-03-03-12",
            "född 811218-9876",
        ] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}

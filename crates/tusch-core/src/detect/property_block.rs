//! Fastighetsbeteckningar in towns: a kvarter name and a number.
//!
//! # What it finds
//!
//! The designation of a property in a town plan is the name of its block (kvarter) and a
//! number, without the colon of a rural designation: `Tornet 17`, `Nejlikan 4`,
//! `Stora Tornet 2`, written "fastigheten Tornet 17", "kv. Nejlikan 4", "kvarteret Tornet 17",
//! or in a table under a "Fastighet" header. Like a rural designation (`Ekeby 3:14`, found by
//! [`super::property`]) it leads to its owner through the land register.
//!
//! # How it validates
//!
//! A capitalised word and a number are everywhere ("Kapitel 4", "Bilaga 2", "Punkt 17"), so
//! a property word is required: fastighet, fastigheten, fastighetsbeteckning, fastighetsägare,
//! kv., kvarteret, tomt (whole words, any case) on the same line at most 40 bytes before the
//! name, or on one of the three lines above when the name starts its line (the header of a
//! table whose cells the text layer puts on lines of their own). The number is 1–999 without
//! a leading zero and must end the token: not a rural `3:14`, not part of `4 950` or
//! `12-14`. The block name must not be a word that is written before numbers (kapitel, sida,
//! punkt, bilaga, paragraf, vecka … — the deny-list of [`super::property`] and a few more) or
//! a street (`Björkvägen 12`, which [`super::address`] finds). Score 0.85.
//!
//! # Known false positives
//!
//! - A capitalised word and a number close after a property word that are something else
//!   ("Fastigheten har Rum 4" — rooms are denied, but not every such word is).
//!
//! # Examples
//!
//! ```text
//! Ansökan avser fastigheten Tornet 17.       → Tornet 17
//! kv. Nejlikan 4, kvarteret Tornet 17        → Nejlikan 4, Tornet 17
//! Fastighet\r\nÄgare\r\nNejlikan 4           → Nejlikan 4 (table header above)
//! Nejlikan 4 (no property word), fastigheten enligt kapitel 4, sida 4, punkt 17, § 4 → not reported
//! ```

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::property::{NOT_FIRST_WORD, NOT_TRAKT};
use super::util::{context_before, is_hspace, not_in_spaced_number, HS};
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "property_block";

static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    let word =
        r"(?:[A-ZÅÄÖÉÜ][a-zåäöéü]+(?:-[A-ZÅÄÖÉÜ]?[a-zåäöéü]+)?|[A-ZÅÄÖÉÜ]{2,}(?:-[A-ZÅÄÖÉÜ]+)?)";
    Regex::new(&format!(
        r"(?:(?P<w1>{word}){HS}+)?(?P<w2>{word}){HS}+(?P<num>[1-9][0-9]{{0,2}})"
    ))
    .expect("property block pattern compiles")
});

/// Property words (lower case, whole words).
const CONTEXT: &[&str] = &[
    "fastighet",
    "fastigheten",
    "fastigheter",
    "fastigheterna",
    "fastighetsbeteckning",
    "fastighetsbeteckningen",
    "fastighetsägare",
    "fastighetsägaren",
    "kv",
    "kv.",
    "kvarteret",
    "kvarter",
    "tomt",
    "tomten",
];

/// Capitalised words written before a number that are no block names, beyond
/// [`NOT_TRAKT`].
const NOT_BLOCK: &[&str] = &[
    "vecka",
    "v",
    "klass",
    "årskurs",
    "åk",
    "grupp",
    "år",
    "pris",
    "summa",
    "belopp",
    "totalt",
    "antal",
    "bilaga",
    "nummer",
    "lägenhet",
    "lgh",
    "plan",
    "detaljplan",
    "tomt",
    "tomten",
    "fastighet",
    "fastigheten",
    "kvarteret",
    "kvarter",
    "rum",
    "våningsplan",
    "byggnad",
    "byggnaden",
    "garage",
    "förråd",
    "post",
    "objekt",
    "alternativ",
    "bild",
    "foto",
    "ritning",
    "handling",
    "fråga",
    "frågan",
    "villkor",
    "villkoret",
    "skäl",
    "kostnad",
    "avgift",
    "taxa",
    "dag",
    "dagar",
    "timmar",
    "minuter",
];

/// Finds kvarter designations after a property word; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct PropertyBlockDetector;

impl Detector for PropertyBlockDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        // Most pages have no property word at all.
        let lower = text.to_lowercase();
        if !["fastighet", "kv", "tomt"]
            .iter()
            .any(|w| lower.contains(w))
        {
            return;
        }
        for caps in PATTERN.captures_iter(text) {
            let (Some(w2), Some(num)) = (caps.name("w2"), caps.name("num")) else {
                continue;
            };
            let w2_lower = w2.as_str().to_lowercase();
            if NOT_TRAKT.contains(&w2_lower.as_str())
                || NOT_BLOCK.contains(&w2_lower.as_str())
                || is_street(&w2_lower)
            {
                continue;
            }
            let start = match caps.name("w1") {
                Some(w1)
                    if !NOT_FIRST_WORD.contains(&w1.as_str().to_lowercase().as_str())
                        && !CONTEXT.contains(&w1.as_str().to_lowercase().as_str())
                        && !NOT_BLOCK.contains(&w1.as_str().to_lowercase().as_str()) =>
                {
                    w1.start()
                }
                _ => w2.start(),
            };
            let span = start..num.end();
            if !token_ends(text, &span) || !not_in_spaced_number(text, &(num.start()..num.end())) {
                continue;
            }
            let same_line = context_before(text, span.start, CONTEXT, 40);
            if !same_line && !header_above(text, span.start) {
                continue;
            }
            out.push(Finding::new(
                span,
                Category::PropertyDesignation,
                0.85,
                explain(NAME, "kvarter_nummer", Validation::NotApplicable).with_context(true),
            ));
        }
    }
}

/// A street name ("Björkvägen"), which the address detector finds with its number.
fn is_street(lower: &str) -> bool {
    super::address::COMPOUND
        .split('|')
        .any(|s| lower.len() > s.len() && lower.ends_with(s))
}

/// The name starts a token and the number ends one: not "3:14", "12-14", "4.5", "17a".
fn token_ends(text: &str, span: &Range<usize>) -> bool {
    if text[..span.start]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
    {
        return false;
    }
    let mut after = text[span.end..].chars();
    match (after.next(), after.next()) {
        (Some(c), _) if c.is_alphanumeric() => false,
        (Some(c), Some(d))
            if matches!(c, ':' | '/' | '.' | ',' | '-' | '–') && d.is_ascii_digit() =>
        {
            false
        }
        _ => true,
    }
}

/// Whether the name starts its line and one of the (up to three, non-empty, short) lines
/// above holds a property word: a table header over cells on lines of their own.
fn header_above(text: &str, at: usize) -> bool {
    let head = &text[..at];
    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
    if !head[line_start..].chars().all(is_hspace) {
        return false;
    }
    let mut end = line_start;
    for _ in 0..3 {
        let Some(above) = text[..end].strip_suffix('\n') else {
            return false;
        };
        let above = above.strip_suffix('\r').unwrap_or(above);
        let start = above.rfind('\n').map_or(0, |i| i + 1);
        let line = &above[start..];
        if line.trim().is_empty() || line.chars().count() > 80 {
            return false;
        }
        if context_before(text, above.len(), CONTEXT, 80) {
            return true;
        }
        end = start;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> Vec<&str> {
        crate::detect::testing::masked(&PropertyBlockDetector, text)
    }

    #[test]
    fn designations_after_a_property_word() {
        for (t, want) in [
            ("Ansökan avser fastigheten Tornet 17.", "Tornet 17"),
            ("Fastigheten Tornet 17 ska", "Tornet 17"),
            ("inom kv. Nejlikan 4, Ankeby", "Nejlikan 4"),
            ("i kvarteret Tornet 17 finns", "Tornet 17"),
            ("Fastighetsbeteckning: Nejlikan 4", "Nejlikan 4"),
            ("Fastighetsägare till Stora Tornet 2", "Stora Tornet 2"),
            ("KV. NEJLIKAN 4", "NEJLIKAN 4"),
        ] {
            assert_eq!(masked(t), vec![want], "{t}");
        }
        assert_eq!(
            masked("fastigheterna Tornet 17 och Tornet 18"),
            vec!["Tornet 17", "Tornet 18"]
        );
    }

    /// A table whose cells the text layer puts on lines of their own, or a row of cells
    /// joined by spaces under a header row.
    #[test]
    fn designations_under_a_table_header() {
        assert_eq!(
            masked("Fastighet\r\nÄgare\r\nNejlikan 4\r\nAnna Berg"),
            vec!["Nejlikan 4"]
        );
        assert_eq!(
            masked("Fastighet    Ägare\r\nTornet 17    Anna Berg"),
            vec!["Tornet 17"]
        );
    }

    #[test]
    fn not_designations() {
        for t in [
            // No property word: ambiguous.
            "Nejlikan 4",
            "Vi ses i Tornet 17 i morgon.",
            // Property word, but a document part, a number or a street.
            "Fastigheten, se Kapitel 4",
            "fastigheten enligt Sida 4",
            "Fastigheten: Punkt 17",
            "fastigheten § 4",
            "fastigheten Ekeby 3:14",
            "Fastighetsägare: Anna Berg, Björkvägen 12",
            "Kvarteret Eken omfattar cirka 4 950 kvm. Pris 4 950:- inklusive moms.",
            "fastigheten Tornet 12-14",
            "fastigheten Tornet 017",
            "Fastighet\r\n\r\nNejlikan 4",
            "Fastighet\r\nÄgare: Anna\r\nTelefon\r\nE-post\r\nNejlikan 4",
            "Fastigheten säljs.\r\nSe Nejlikan 4",
        ] {
            assert!(masked(t).is_empty(), "{t}: {:?}", masked(t));
        }
    }
}

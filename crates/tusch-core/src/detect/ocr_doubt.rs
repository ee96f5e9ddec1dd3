//! Fail visible: words OCR could not read with confidence where personal data is likely.
//!
//! # What it finds
//!
//! On a poor scan OCR misreads: a speck on a digit turns a personnummer's 1 into a 4
//! ("19560229-4535", confidence 20) and its check digit fails, a table rule glued to a
//! plate reads "|RTX59D_" (confidence 0), the value after "Personnummer:" comes out as
//! "1S6O2Z9-IS3S". No validating rule can find those, and a miss is the worst outcome.
//! The OCR engine says how sure it was of each word; the text layer marks the characters
//! of words read below its threshold as uncertain ([`crate::TextChar::uncertain`]). This
//! rule takes an uncertain word (or a run of them on one line, separated by spaces) when:
//!
//! - it is shaped like an identifier: at least nine digits once the letters OCR reads for
//!   digits (O, l, I, |, S, B) are counted as digits, and nothing but digits, those
//!   letters and `-`, `+`, `/`, `.`, spaces — a personnummer, a phone or account number
//!   whose check failed or whose digits OCR mangled (`shape:number`); or it holds an `@`
//!   (`shape:email`); or
//! - it is the value of a personal-data label: right after "Personnummer", "Namn",
//!   "Adress", "Telefon", "E-post", "Konto", "Reg.nr" … on the same line (over `:` and
//!   the like), or at the start of the next line when the label stands alone on its line
//!   (a table or form read one cell per line) (`label:<label>`).
//!
//! The finding is category other, rule `osaker_ocr`, validation `failed` with a check
//! that says why (`ocr_confidence_low;shape:number`), at exactly the default threshold
//! ([`crate::DetectionPolicy::threshold`], 0.5) like the unexplained-identifier safety net:
//! batch redaction masks it, a raised threshold leaves it to the registrar. A finding of a
//! validating rule over the same characters is merged with it by the analyzer.
//!
//! This is not a [`super::Detector`]: it needs to know which characters OCR was unsure
//! of, which plain text does not say. The analyzer runs it in its first step, for layers
//! that carry uncertain characters ([`crate::Analyzer::analyze_with_doubts`]).
//!
//! # How it validates
//!
//! It cannot: the word was not read. A date (`2024-01-23`: eight digits) or an amount is
//! never shaped like an identifier; a word of fewer than two letters or digits (a table
//! rule read as `|`, a speck read as `.`) is never taken.
//!
//! # Known false positives
//!
//! - A misread number that is not personal data (an invoice number of nine digits or more
//!   the engine was unsure of) is masked.
//! - A misread word after a label in running text ("skyddad adress hos …" has no colon and
//!   does not start a line, so it is not a label there).
//!
//! # Examples
//!
//! ```text
//! | 19560229-4535 |        (uncertain)           → 19560229-4535 (shape:number)
//! Personnummer: 1S6O2Z9    (uncertain)           → 1S6O2Z9 (label:personnummer)
//! Namn\r\nKarI Åstrnad     (uncertain)           → KarI Åstrnad (label:namn)
//! 2024-01-23, |, kl.09.05  (uncertain)           → not reported
//! ```

use std::ops::Range;

use super::explain;
use super::util::{fold_diacritics, is_hspace};
use crate::finding::{Category, Finding, Validation};
use crate::policy::DetectionPolicy;

const NAME: &str = "ocr";

/// The rule of every finding, Swedish as the registrars say it.
pub const RULE: &str = "osaker_ocr";

/// Personal-data labels, lower case and without diacritics (OCR drops them).
const LABELS: &[&str] = &[
    "personnummer",
    "personnr",
    "pers.nr",
    "pnr",
    "samordningsnummer",
    "fodelsedatum",
    "fodd",
    "namn",
    "sokande",
    "adress",
    "postadress",
    "folkbokforingsadress",
    "telefon",
    "telefonnummer",
    "tel",
    "mobil",
    "mobilnummer",
    "e-post",
    "epost",
    "mejl",
    "mail",
    "konto",
    "kontonummer",
    "clearingnummer",
    "bankgiro",
    "plusgiro",
    "iban",
    "registreringsnummer",
    "reg.nr",
    "regnr",
    "agare",
    "ombud",
    "kontaktperson",
    "vardnadshavare",
    "elev",
    "patient",
    "fastighetsbeteckning",
    "fastighet",
];

/// Letters OCR reads for digits (as in [`super::ocr_digits`]).
fn digit_like(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, 'O' | 'o' | 'I' | 'l' | '|' | 'S' | 'B')
}

/// Findings for the uncertain words of `text`: byte ranges `uncertain`, each a word or a
/// glued run of them, in order.
pub fn findings(text: &str, uncertain: &[Range<usize>]) -> Vec<Finding> {
    let score = DetectionPolicy::default().threshold;
    let mut out = Vec::new();
    for group in groups(text, uncertain) {
        let s = &text[group.clone()];
        if s.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
            continue;
        }
        let Some(why) = reason(text, &group) else {
            continue;
        };
        out.push(Finding::new(
            trimmed(text, group),
            Category::Other,
            score,
            explain(
                NAME,
                RULE,
                Validation::Failed(format!("ocr_confidence_low;{why}")),
            )
            .with_context(why.starts_with("label:")),
        ));
    }
    out
}

/// Uncertain spans joined when only horizontal space lies between them: "19560229" and
/// "-4535" read as two words are one number.
fn groups(text: &str, uncertain: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in uncertain {
        if r.end > text.len() || !text.is_char_boundary(r.start) || !text.is_char_boundary(r.end) {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.end <= r.start && text[last.end..r.start].chars().all(is_hspace) => {
                last.end = r.end;
            }
            _ => out.push(r.clone()),
        }
    }
    out
}

/// The span without the table rules and punctuation OCR glues to a cell's value
/// ("|RTX59D_", "(19491201").
fn trimmed(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let junk = |c: char| !c.is_alphanumeric() && !matches!(c, '+' | '@');
    let start = r.start + (s.len() - s.trim_start_matches(junk).len());
    let end = r.start + s.trim_end_matches(junk).len();
    if start < end {
        start..end
    } else {
        r
    }
}

/// Why an uncertain group is likely personal data, or `None`.
fn reason(text: &str, group: &Range<usize>) -> Option<String> {
    let s = &text[trimmed(text, group.clone())];
    // A label read doubtfully is a label ("Personnummer" in a header row), not a value.
    if as_label(s).is_some() {
        return None;
    }
    // An address: something, `@`, a domain with a dot ("offentlighets" read as
    // "off@ntlighets" is not one).
    if let Some((local, domain)) = s.split_once('@') {
        if !local.is_empty() && domain.trim_end_matches('.').contains('.') {
            return Some("shape:email".to_owned());
        }
    }
    let number_like = s
        .chars()
        .all(|c| digit_like(c) || matches!(c, '-' | '+' | '/' | '.') || is_hspace(c));
    let digits = s.chars().filter(|&c| digit_like(c)).count();
    let real_digits = s.chars().filter(char::is_ascii_digit).count();
    if number_like && digits >= 9 && real_digits * 2 >= digits {
        return Some("shape:number".to_owned());
    }
    label_before(text, group.start).map(|l| format!("label:{l}"))
}

/// The label that the value at `at` follows: the last word before it on its line (over
/// `:`, `.`, `|`, `-` and spaces), or, when the value starts its line, the previous line
/// when that line is a label alone (a table read one cell per line).
fn label_before(text: &str, at: usize) -> Option<&'static str> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..at]
        .trim_end_matches(|c: char| is_hspace(c) || matches!(c, ':' | '.' | '|' | '-' | '–'));
    if before.is_empty() {
        // The value starts its line: the line above, alone, is the label.
        let above_end = text[..line_start].trim_end_matches(['\r', '\n']).len();
        let above_start = text[..above_end].rfind('\n').map_or(0, |i| i + 1);
        return as_label(&text[above_start..above_end]);
    }
    // A label ends with ':' or starts the line (a table cell's header beside its value).
    let had_colon = text[line_start + before.len()..at].contains(':');
    let word_start = before
        .rfind(|c: char| is_hspace(c) || c == '|')
        .map_or(0, |i| i + 1);
    let word = &before[word_start..];
    let starts_line = before[..word_start]
        .chars()
        .all(|c| is_hspace(c) || matches!(c, '|' | '[' | '(' | '"'));
    if had_colon || starts_line {
        as_label(word)
    } else {
        None
    }
}

/// `s` as one of [`LABELS`], punctuation around it and diacritics ignored.
fn as_label(s: &str) -> Option<&'static str> {
    let w = s
        .trim()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let w = fold_diacritics(&w);
    LABELS.iter().copied().find(|l| *l == w)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The uncertain spans of `marked`: words between ⟨ and ⟩ (removed from the text).
    fn marked(m: &str) -> (String, Vec<Range<usize>>) {
        let mut text = String::new();
        let mut spans = Vec::new();
        let mut start = None;
        for c in m.chars() {
            match c {
                '⟨' => start = Some(text.len()),
                '⟩' => spans.push(start.take().unwrap()..text.len()),
                _ => text.push(c),
            }
        }
        (text, spans)
    }

    fn found(m: &str) -> Vec<(String, String)> {
        let (text, spans) = marked(m);
        findings(&text, &spans)
            .into_iter()
            .map(|f| {
                let Validation::Failed(why) = &f.explanation.validation else {
                    panic!("validation")
                };
                (text[f.span.clone()].to_owned(), why.clone())
            })
            .collect()
    }

    #[test]
    fn identifier_shapes() {
        assert_eq!(
            found("Ulf Åstrand | ⟨19560229-4535⟩ | Box 123"),
            vec![(
                "19560229-4535".into(),
                "ocr_confidence_low;shape:number".into()
            )]
        );
        // Two uncertain pieces of one number, a table rule glued on.
        assert_eq!(
            found("född 1949 ⟨(19491201⟩ ⟨-4885).⟩ Jag")[0].0,
            "19491201 -4885"
        );
        assert_eq!(found("⟨1S6O229-IS35⟩")[0].0, "1S6O229-IS35");
        assert_eq!(
            found("mejla ⟨nils.blom@exarnple.org⟩")[0].1,
            "ocr_confidence_low;shape:email"
        );
    }

    #[test]
    fn label_values() {
        let f = found("Personnummer: ⟨1S6O2Z9⟩");
        assert_eq!(
            f,
            vec![(
                "1S6O2Z9".into(),
                "ocr_confidence_low;label:personnummer".into()
            )]
        );
        assert_eq!(found("Namn\r\n⟨KarI⟩ ⟨Åstrnad⟩")[0].0, "KarI Åstrnad");
        assert_eq!(
            found("| Sokande | ⟨Torlelf⟩ Åstrand")[0].1,
            "ocr_confidence_low;label:sokande"
        );
        assert_eq!(found("Reg.nr: ⟨|RTX59D_⟩")[0].0, "RTX59D");
    }

    #[test]
    fn not_reported() {
        for m in [
            // Dates and times are not identifiers, a lone rule or speck is nothing.
            "| ⟨2024-01-23⟩ — ⟨kl.09.05⟩ | KLM482",
            "⟨|⟩ Sökande ⟨.⟩",
            // A label word in running text, not a label.
            "Jag har skyddad adress ⟨hos⟩ min dotter",
            // Confident words are not uncertain.
            "Personnummer: 19560229-4535",
            // Too few digits for an identifier.
            "Antal ⟨1234⟩",
            // A header cell under another, and a word with an @ that is no address.
            "Sökande\r\n⟨Personnummer⟩",
            "26 kap. 1 § ⟨off@ntlighets⟩- och sekretesslagen",
        ] {
            assert!(found(m).is_empty(), "{m}: {:?}", found(m));
        }
    }
}

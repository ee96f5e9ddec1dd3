//! Street addresses, c/o, Box and lägenhetsnummer.
//!
//! # What it finds
//!
//! - A street name and number, with an optional letter, range, floor and flat:
//!   `Storgatan 12 B`, `Ringvägen 4A`, `Lilla Torget 3`, `Västra Hamngatan 4`,
//!   `Gamla vägen 3`, `Dag Hammarskjölds väg 12`, `Storgatan 12-14`,
//!   `Storgatan 12, lgh 1102`, `Ringvägen 4 A, 2 tr`, `Storgatan 1 lägenhet nr 1102`
//!   (rule `street`). The street name ends in a Swedish street suffix, written together
//!   (`-gatan`, `-vägen`, `-gränd`, `-stigen`, `-allé`, `-backen`, `-torget`, `-torg`,
//!   `-platsen`, `-leden`, `-slingan`, `-stråket`, `-esplanaden`, `-kajen`, `-stranden`,
//!   `-promenaden`, …) or as a word of its own after one or two capitalised words (`Gamla
//!   vägen`, `Sergels torg`). Residential names ending in `-hagen`, `-liden`, `-kroken`,
//!   `-höjden` are found under rule `street_residential` with a lower score.
//! - `c/o Anna Berg` (rule `c_o`), `Box 123` (rule `box`), and a lägenhetsnummer on its own,
//!   `lgh 1102` (rule `lagenhetsnummer`).
//! - What OCR makes of these on a scan: suffixes and prefixes without their å, ä, ö
//!   (`Ringvagen 12 A`, `VASTRA HAMNGATAN 4`) and `Igh 1102` with a capital I for the l.
//!
//! # How it validates
//!
//! No list of streets exists, so the pattern is the validation: a capitalised name, a suffix
//! and a house number that is not part of a legal reference (`4 kap.`, `§`, `2001:453`).
//! Street 0.8 (0.9 with a context word: adress, bor på, bostadsadress, folkbokförd, …);
//! residential suffixes 0.7; compounds ending in `-plan` are mostly plans ("Detaljplan 12",
//! "Handlingsplan 2") and need a context word (0.45 without one); `c/o` 0.85; `Box` 0.7;
//! a lone lägenhetsnummer 0.75.
//!
//! # Known false positives
//!
//! - A road named in an ordinary sentence with a number after it ("Ringvägen 2 gånger").
//! - `Box 123` is more often the kommun's own postal address than a person's.
//!
//! # Examples
//!
//! ```text
//! Sökanden bor på Storgatan 12 B, lgh 1102.   → Storgatan 12 B, lgh 1102 (0.9)
//! c/o Anna Berg, Box 123                      → c/o Anna Berg / Box 123
//! 4 kap. 1 § Socialtjänstlagen (2001:453), Detaljplan 12 → not reported
//! ```

use std::sync::LazyLock;

use regex::Regex;

use super::util::{has_context, HS};
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "address";

/// Suffixes written together with the name ("Storgatan").
///
/// The forms without å, ä, ö (`vagen`, `grand`, `hojden`) are what OCR reads off a grey
/// or blurred scan, and what systems limited to ASCII print.
pub(crate) const COMPOUND: &str = "gatan|gata|vägen|väg|vagen|vag|gränd|gränden|grand|granden|stigen|stig|allé|allén|alle|allen|backe|backen|torget|torg|platsen|leden|slingan|stråket|straket|esplanaden|kajen|kaj|stranden|strand|promenaden|plan|hagen|liden|kroken|höjden|hojden";
/// Suffixes written as a word of their own ("Gamla vägen", "Sergels torg").
const SEPARATE: &str = "gatan|gata|vägen|väg|vagen|vag|gränd|grand|torget|torg|allé|alle|backe|backen|plan|platsen|plats|stigen|stig|leden|strand|kajen|kaj|promenaden|esplanaden";
/// Words that stand before a street name as part of it.
const PREFIX: &str = "Norra|Södra|Östra|Västra|Stora|Lilla|Gamla|Nya|Övre|Nedre|Inre|Yttre|Sankt|S:t|St\\.|Store|Lille|NORRA|SÖDRA|ÖSTRA|VÄSTRA|STORA|LILLA|GAMLA|NYA|ÖVRE|NEDRE|Sodra|Ostra|Vastra|Ovre|SODRA|OSTRA|VASTRA|OVRE";

static STREET: LazyLock<Regex> = LazyLock::new(|| {
    let cap = r"[A-ZÅÄÖÉÜ][a-zåäöéüß]+(?:-[A-ZÅÄÖÉÜ]?[a-zåäöéüß]+)?";
    let caps_word = r"[A-ZÅÄÖÉÜ][A-ZÅÄÖÉÜ]+";
    let re = format!(
        r"(?x)
        (?P<name>
            (?:(?:{PREFIX}){HS}+)?
            (?P<compound>[A-ZÅÄÖÉÜ][\p{{L}}-]+?(?i:{COMPOUND}))
          | (?:{cap}{HS}+)?(?:{cap}|{caps_word}){HS}+(?P<separate>(?i:{SEPARATE}))
        )
        {HS}+
        (?P<num>[1-9][0-9]{{0,3}})
        (?:[A-Za-z](?-u:\b)|{HS}[A-Z](?-u:\b))?
        (?:{HS}?[-–]{HS}?[0-9]{{1,4}}[A-Za-z]?(?-u:\b))?
        (?P<extra>(?:,?{HS}*(?:
              (?:(?i:lgh\.?|lägenhet(?:snummer)?)|[I1|]gh\.?)(?:{HS}*(?i:nr|nummer)\.?)?{HS}*[0-9]{{3,4}}(?-u:\b)
            | [0-9]{{1,2}}{HS}*(?i:tr)(?-u:\b)\.?
            | (?i:n\.b\.|nb|bv)(?-u:\b)
        )){{0,3}})
        "
    );
    Regex::new(&re).expect("street pattern compiles")
});

/// A line that is nothing but a street name: a table cell whose house number wrapped onto
/// the next line, which pdfium reads after the rest of the row ("Kyrkogårdsgatan" … "118 B").
static STREET_ALONE: LazyLock<Regex> = LazyLock::new(|| {
    let re = format!(
        r"^(?:(?:{PREFIX}){HS}+)?[A-ZÅÄÖÉÜ][\p{{L}}-]+?(?i:gatan|vägen|vagen|gränd|gränden|stigen|allén|backen|torget|leden|slingan|stråket)$"
    );
    Regex::new(&re).expect("street-alone pattern compiles")
});

static OTHER: LazyLock<Regex> = LazyLock::new(|| {
    let re = format!(
        r"(?P<co>(?-u:\b)(?i:c/o){HS}+[A-ZÅÄÖÉÜ][\p{{L}}'-]+(?:{HS}+(?:(?:von|af|de|van|der){HS}+)?[A-ZÅÄÖÉÜ][\p{{L}}'-]+){{0,2}})|(?P<box>(?-u:\b)(?:Box|BOX){HS}+[0-9]{{1,5}}(?-u:\b))|(?P<lgh>(?-u:\b)(?:(?i:lgh\.?|lägenhet(?:snummer)?)|[I1|]gh\.?)(?:{HS}*(?i:nr|nummer)\.?)?{HS}*[0-9]{{4}}(?-u:\b))"
    );
    Regex::new(&re).expect("address pattern compiles")
});

const CONTEXT: &[&str] = &[
    "adress",
    "adressen",
    "bor på",
    "bor",
    "boende",
    "bosatt",
    "bostadsadress",
    "folkbokförd",
    "folkbokföringsadress",
    "folkbokföringsadressen",
    "hemadress",
    "gatuadress",
    "postadress",
    "utdelningsadress",
    "adressändring",
    "flyttat till",
    "c/o",
];

/// Labels of an organisation's own address.
const ORG_CONTEXT: &[&str] = &[
    "besöksadress",
    "leveransadress",
    "godsadress",
    "besök",
    "kontor",
    "huvudkontor",
];

/// Words before "Box" on the same line that make it an organisation's box.
const BOX_OWNERS: &[&str] = &[
    "kommun",
    "kommunen",
    "region",
    "regionen",
    "ab",
    "myndighet",
    "myndigheten",
    "förvaltning",
    "förvaltningen",
    "nämnd",
    "nämnden",
    "länsstyrelsen",
    "domstol",
    "tingsrätt",
    "förening",
    "föreningen",
    "stiftelse",
    "bolag",
];

/// Compounds ending in a suffix that are ordinary words, never streets.
const NOT_STREETS: &[&str] = &[
    "arbetsplatsen",
    "parkeringsplatsen",
    "byggarbetsplatsen",
    "mötesplatsen",
    "hemmaplan",
    "bortaplan",
    "planen",
    "riksväg",
    "länsväg",
    "europaväg",
    "motorväg",
    "riksvag",
    "lansvag",
    "europavag",
    "motorvag",
];

/// Finds street addresses, c/o, Box and lägenhetsnummer; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct AddressDetector;

impl Detector for AddressDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        let first = out.len();
        // A street address never spans lines and always has a digit: run the costly pattern
        // only on lines with a digit.
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let line_start = offset;
            offset += line.len();
            if line.bytes().any(|b| b.is_ascii_digit()) {
                self.streets(text, line_start, line, out);
            }
        }
        // A street name alone on a line, with a house number wrapped away from it.
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let line_start = offset;
            offset += line.len();
            let trimmed = line
                .trim_end_matches(['\r', '\n'])
                .trim_end_matches(super::util::is_space);
            let lead = trimmed.len() - trimmed.trim_start_matches(super::util::is_space).len();
            let name = &trimmed[lead..];
            if name.is_empty() || !STREET_ALONE.is_match(name) {
                continue;
            }
            let start = line_start + lead;
            let span = start..start + name.len();
            if out[first..]
                .iter()
                .any(|f| f.span.start < span.end && span.start < f.span.end)
            {
                continue;
            }
            out.push(Finding::new(
                span,
                Category::Address,
                0.6,
                explain(NAME, "street_name_alone", Validation::NotApplicable),
            ));
        }
        let streets_end = out.len();
        for caps in OTHER.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            let span = m.range();
            if out[first..]
                .iter()
                .any(|f| f.span.start <= span.start && span.end <= f.span.end)
            {
                continue;
            }
            let (rule, score) = if caps.name("co").is_some() {
                ("c_o", 0.85)
            } else if caps.name("box").is_some() {
                // "Ankeby kommun, Box 100": an organisation's postal address.
                if super::util::context_before(text, span.start, BOX_OWNERS, 40) {
                    ("box", 0.45)
                } else {
                    ("box", 0.7)
                }
            } else {
                ("lagenhetsnummer", 0.75)
            };
            out.push(Finding::new(
                span,
                Category::Address,
                score,
                explain(NAME, rule, Validation::NotApplicable),
            ));
        }
        // "c/o Åberg, Norrbyvägen 3" is one address: extend the c/o over the street after it,
        // so the comma between them is masked too.
        for k in streets_end..out.len() {
            if out[k].explanation.rule != "c_o" {
                continue;
            }
            let end = out[k].span.end;
            let gap =
                text[end..].len() - text[end..].trim_start_matches([',', ' ', '\u{00A0}']).len();
            let next = out[first..streets_end]
                .iter()
                .find(|s| s.span.start == end + gap)
                .map(|s| s.span.end);
            if let Some(street_end) = next {
                out[k].span.end = street_end;
            }
        }
    }
}

impl AddressDetector {
    fn streets(&self, text: &str, line_start: usize, line: &str, out: &mut Vec<Finding>) {
        for caps in STREET.captures_iter(line) {
            let (Some(m), Some(num)) = (caps.get(0), caps.name("num")) else {
                continue;
            };
            let mut span = line_start + m.start()..line_start + m.end();
            let num_end = line_start + num.end();
            // The optional extras may have eaten a trailing comma or spaces.
            let trimmed =
                text[span.clone()].trim_end_matches(|c: char| c == ',' || super::util::is_space(c));
            span.end = span.start + trimmed.len();
            if !boundary_ok(text, span.start, span.end, num_end) {
                continue;
            }
            let word = caps
                .name("compound")
                .or_else(|| caps.name("separate"))
                .map_or(String::new(), |w| w.as_str().to_lowercase());
            if NOT_STREETS.contains(&word.as_str()) {
                continue;
            }
            let context = has_context(text, &span, CONTEXT, 40);
            // An organisation's visiting or delivery address, not where a person lives.
            let organisation = super::util::context_before(text, span.start, ORG_CONTEXT, 30);
            let (rule, base): (&str, f32) = if word.ends_with("plan") {
                ("street_plan", 0.45)
            } else if ["hagen", "liden", "kroken", "höjden", "hojden"]
                .iter()
                .any(|s| word.ends_with(s))
            {
                ("street_residential", 0.7)
            } else {
                ("street", 0.8)
            };
            let score = if organisation {
                0.45
            } else if context {
                base.max(0.8) + 0.1
            } else {
                base
            };
            out.push(Finding::new(
                span,
                Category::Address,
                score,
                explain(NAME, rule, Validation::NotApplicable).with_context(context),
            ));
        }
    }
}

/// Whether a street address (name and house number, perhaps a letter or a flat) ends right
/// before `at` on the same line, spaces and a comma skipped: the postal code after it
/// ("Björkvägen 12 123 45 Mölnlycke", a spreadsheet row whose cells the export joined with
/// a space) belongs to the address, not to a longer number.
pub(crate) fn street_ends_before(text: &str, at: usize) -> bool {
    let line = super::util::line_before(text, at, 160);
    let line = line.trim_end_matches(|c: char| super::util::is_hspace(c) || c == ',');
    let line_start = at - super::util::line_before(text, at, 160).len();
    if !line.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        return false;
    }
    STREET.captures_iter(line).any(|caps| {
        let (Some(m), Some(num)) = (caps.get(0), caps.name("num")) else {
            return false;
        };
        let trimmed = m
            .as_str()
            .trim_end_matches(|c: char| c == ',' || super::util::is_space(c));
        m.start() + trimmed.len() == line.len()
            && boundary_ok(
                text,
                line_start + m.start(),
                line_start + m.start() + trimmed.len(),
                line_start + num.end(),
            )
    })
}

/// The match is a whole token and its number is a house number, not a chapter, a section,
/// an SFS number or a property designation.
fn boundary_ok(text: &str, start: usize, end: usize, num_end: usize) -> bool {
    if text[..start]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
    {
        return false;
    }
    if text[end..]
        .chars()
        .next()
        .is_some_and(char::is_alphanumeric)
    {
        return false;
    }
    let after_num = &text[num_end..];
    let mut chars = after_num.chars();
    if let (Some(c), Some(d)) = (chars.next(), chars.next()) {
        if matches!(c, ':' | '/' | '.' | ',') && d.is_ascii_digit() {
            return false;
        }
    }
    let rest = after_num.trim_start_matches(|c: char| super::util::is_hspace(c) || c == '.');
    !(rest.starts_with('§')
        || rest.starts_with("kap")
        || rest.starts_with("st.")
        || rest.starts_with("p."))
}

#[cfg(test)]
mod tests {
    #[test]
    fn issue_11_a_street_name_alone_on_a_line_is_a_wrapped_table_cell() {
        let text = "Per-Olof 19441130- 803 20 Gävle\r\nKyrkogårdsgatan \r\nVästra Långgatan\r\nSöderberg 4738 118 B";
        let mut out = Vec::new();
        AddressDetector.detect(text, &mut out);
        let got: Vec<&str> = out.iter().map(|f| &text[f.span.clone()]).collect();
        assert_eq!(got, vec!["Kyrkogårdsgatan", "Västra Långgatan"]);
        // In running text, or as a heading with other words, a street name is not one.
        let mut out = Vec::new();
        AddressDetector.detect(
            "Vi möts på Storgatan i morgon.\r\nOm Storgatan och torget",
            &mut out,
        );
        assert!(out.is_empty());
    }

    use super::*;

    fn found(text: &str) -> Vec<(&str, f32, String)> {
        crate::detect::testing::found(&AddressDetector, text)
    }

    fn masked(text: &str) -> Vec<&str> {
        crate::detect::testing::masked(&AddressDetector, text)
    }

    #[test]
    fn streets_with_exact_spans() {
        for (t, want) in [
            ("Adress: Storgatan 12 B, 123 45 Ankeby", "Storgatan 12 B"),
            ("Ringvägen 4A", "Ringvägen 4A"),
            ("vid Lilla Torget 3.", "Lilla Torget 3"),
            ("Västra Hamngatan 4", "Västra Hamngatan 4"),
            ("på Gamla vägen 3 i byn", "Gamla vägen 3"),
            ("Dag Hammarskjölds väg 12", "Dag Hammarskjölds väg 12"),
            ("Sergels torg 1", "Sergels torg 1"),
            ("Storgatan 12-14", "Storgatan 12-14"),
            ("STORGATAN 7", "STORGATAN 7"),
            ("Karl-Johansgatan 3", "Karl-Johansgatan 3"),
            ("Björkallén 2", "Björkallén 2"),
            ("Solbacken 5", "Solbacken 5"),
        ] {
            assert_eq!(masked(t), vec![want], "{t}");
        }
    }

    #[test]
    fn flats_and_floors_are_part_of_the_span() {
        for (t, want) in [
            ("Storgatan 12, lgh 1102.", "Storgatan 12, lgh 1102"),
            (
                "Storgatan 12 lägenhet nr 1102",
                "Storgatan 12 lägenhet nr 1102",
            ),
            (
                "Storgatan 12 B, lgh nr 1102, ",
                "Storgatan 12 B, lgh nr 1102",
            ),
            ("Ringvägen 4 A, 2 tr", "Ringvägen 4 A, 2 tr"),
            ("Ringvägen 4, 1 tr, lgh 1001", "Ringvägen 4, 1 tr, lgh 1001"),
        ] {
            assert_eq!(masked(t), vec![want], "{t}");
        }
    }

    /// What OCR reads off scans (fixtures/scans): the ring dropped from å, the dots from
    /// ä and ö, and the l of lgh read as a capital I.
    #[test]
    fn ocr_readings_without_diacritics_and_with_i_for_l() {
        for (t, want) in [
            ("Ringvagen 12 A, 701 41 Orebro", "Ringvagen 12 A"),
            ("Lingonstigen 22, Igh 1203", "Lingonstigen 22, Igh 1203"),
            ("VASTRA HAMNGATAN 4", "VASTRA HAMNGATAN 4"),
            ("Kyrkogrand 3", "Kyrkogrand 3"),
            ("Solhojden 7", "Solhojden 7"),
            ("Kvarngatan 7 A Igh 1102", "Kvarngatan 7 A Igh 1102"),
            ("Igh 1102", "Igh 1102"),
        ] {
            assert_eq!(masked(t), vec![want], "{t}");
        }
    }

    #[test]
    fn a_street_before_a_postal_code_in_the_next_cell() {
        assert_eq!(
            masked("Björkvägen 12 435 30 Mölnlycke"),
            vec!["Björkvägen 12"]
        );
        let ends = |t: &str| street_ends_before(t, t.find("435").unwrap_or(0));
        assert!(ends("Björkvägen 12 435 30"));
        assert!(ends("Björkvägen 12 B, 435 30"));
        assert!(!ends("Kapitel 12 435 30"));
        assert!(!ends("Storgatan 2024/12 435 30"));
    }

    #[test]
    fn context_raises_the_score() {
        let f = found("Hon bor på Storgatan 12.");
        assert!(f[0].1 >= 0.9 && f[0].1 <= 1.0);
        assert_eq!(
            masked("Folkbokförd på Detaljplangatan 3"),
            vec!["Detaljplangatan 3"]
        );
    }

    #[test]
    fn an_organisations_visiting_address_stays_below_threshold() {
        assert!(masked("Besöksadress: Storgatan 1, Ankeby").is_empty());
    }

    #[test]
    fn an_organisations_box_stays_below_threshold() {
        assert!(masked("Ankeby kommun, Box 100, 999 88 Ankeby").is_empty());
    }

    #[test]
    fn c_o_box_and_flat() {
        assert_eq!(
            masked("c/o Anna Berg, Box 123"),
            vec!["c/o Anna Berg", "Box 123"]
        );
        assert_eq!(masked("C/O Per von Platen"), vec!["C/O Per von Platen"]);
        assert_eq!(masked("lgh 1102"), vec!["lgh 1102"]);
        // The c/o and the street after it are one span (fixture bygglov-beslut p2).
        let f = found("c/o Åberg, Norrbyvägen 3");
        assert_eq!(f[1].0, "c/o Åberg, Norrbyvägen 3");
        assert_eq!(found("c/o Anna Berg")[0].2, "c_o");
    }

    #[test]
    fn not_addresses() {
        for t in [
            "4 kap. 1 § socialtjänstlagen",
            "Socialtjänstlagen (2001:453)",
            "Plan- och bygglagen (2010:900) 9 kap. 2 §",
            "Detaljplan 12 gäller",
            "Översiktsplan 2030",
            "enligt vägen 3 km",
            "Vägen 3",
            "Ekeby 3:14",
            "Gatan 2",
            "Arbetsplatsen 2",
            "Väg 12",
            "Vag 12",
            "Vagen 3",
            "Riksväg 40",
            "Riksvag 40",
            "High 1203",
            "Ringvägen 2024/25",
            "storgatan 12",
        ] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}

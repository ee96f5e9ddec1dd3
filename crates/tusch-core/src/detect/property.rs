//! Fastighetsbeteckningar (property designations).
//!
//! # What it finds
//!
//! A trakt name of one or two capitalised (or all-capital) words followed by
//! `block:enhet`: `Ekeby 3:14`, `Norrby 12:7`, `Ankeby Kyrkbyn 1:23`, `STORA HAGA 4:5`.
//! A property identifies its owner through the land register, so in a bygglov decision about
//! a private house it is personal data.
//!
//! # How it validates
//!
//! There is no public list of trakt names, so the validation is negative: block and enhet
//! must be 1–999 and 1–9999 without leading zeros, the number must stand alone (not part of
//! `2016/17:180` or `13:30:00`), and the trakt must not be a word that is written before
//! numbers with a colon: times ("kl 13:30", "Tid 13:30", weekdays, months), statutes
//! ("SFS 2001:453", "Prop."), chapters and appendices ("Bilaga 2:1", "Kapitel 3:2"), scales
//! ("Skala 1:400"), Bible books ("Joh 3:16"), results and ratios. A first word that is an
//! ordinary sentence word ("Enligt Ekeby 3:14") is not part of the trakt. Score 0.75; a
//! context word (fastighet, fastigheten, fastighetsbeteckning, fastighetsägare, tomt) gives
//! 0.9.
//!
//! A town designation without a colon ("Tornet 17") is [`super::property_block`]'s.
//!
//! # Known false positives
//!
//! - A capitalised word that is not on the deny-list followed by a time or a ratio
//!   ("Avgång 13:30").
//!
//! # Examples
//!
//! ```text
//! Fastigheten Ekeby 3:14             → Ekeby 3:14 (0.9)
//! Ankeby Kyrkbyn 1:23                → Ankeby Kyrkbyn 1:23
//! kl 13:30, SFS 2001:453, Bilaga 2:1, Skala 1:400, Joh 3:16 → not reported
//! ```

use std::sync::LazyLock;

use regex::Regex;

use super::util::{has_context, HS};
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "property";

static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    let word =
        r"(?:[A-ZÅÄÖÉÜ][a-zåäöéü]+(?:-[A-ZÅÄÖÉÜ]?[a-zåäöéü]+)?|[A-ZÅÄÖÉÜ]{2,}(?:-[A-ZÅÄÖÉÜ]+)?)";
    Regex::new(&format!(
        r"(?:(?P<w1>{word}){HS}+)?(?P<w2>{word}){HS}+(?P<block>[1-9][0-9]{{0,2}}):(?P<unit>[1-9][0-9]{{0,3}})"
    ))
    .expect("property pattern compiles")
});

/// Words (lower case) written before `N:N` that are not trakt names.
pub(crate) const NOT_TRAKT: &[&str] = &[
    // times
    "kl",
    "klockan",
    "tid",
    "tiden",
    "tidpunkt",
    "start",
    "slut",
    "sluttid",
    "starttid",
    "lunch",
    "fika",
    "paus",
    "mötet",
    "möte",
    "sammanträdet",
    "sammanträde",
    "datum",
    "öppet",
    "stängt",
    "avgång",
    "ankomst",
    "måndag",
    "tisdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lördag",
    "söndag",
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
    "idag",
    "igår",
    "imorgon",
    "från",
    "till",
    // statutes and documents
    "sfs",
    "prop",
    "proposition",
    "sou",
    "ds",
    "dir",
    "bet",
    "rskr",
    "nja",
    "rå",
    "hfd",
    "kap",
    "kapitel",
    "bilaga",
    "bilagor",
    "punkt",
    "paragraf",
    "avsnitt",
    "tabell",
    "figur",
    "bild",
    "version",
    "sida",
    "sid",
    "s",
    "del",
    "fas",
    "etapp",
    "steg",
    "ärende",
    "protokoll",
    "paragrafen",
    "lag",
    "lagen",
    "förordning",
    "förordningen",
    "afs",
    "bbr",
    "eks",
    "pbl",
    "pbf",
    "osl",
    "lss",
    "sol",
    "lvu",
    "lvm",
    "fl",
    "kl",
    "mb",
    "dnr",
    "nr",
    "not",
    "fotnot",
    "mom",
    "moment",
    // scales, ratios, results
    "skala",
    "skalan",
    "skalor",
    "mått",
    "förhållande",
    "förhållandet",
    "resultat",
    "resultatet",
    "ställning",
    "ställningen",
    "matchen",
    "vann",
    "förlorade",
    "kvot",
    "andel",
    "odds",
    // Bible books
    "joh",
    "johannes",
    "matt",
    "matteus",
    "mark",
    "markus",
    "luk",
    "lukas",
    "apg",
    "rom",
    "kor",
    "gal",
    "ef",
    "fil",
    "kol",
    "tess",
    "tim",
    "tit",
    "filem",
    "hebr",
    "heb",
    "jak",
    "pet",
    "upp",
    "mos",
    "ps",
    "psaltaren",
    "ords",
    "pred",
    "jes",
    "jesaja",
    "jer",
    "hes",
    "dan",
    "hos",
    "jona",
    "mika",
    "sak",
    "mal",
    "job",
    "rut",
    "ester",
    "neh",
    "esra",
    "dom",
    "jos",
    "sam",
    "kung",
    "krön",
    "sal",
    "salen",
    "rum",
    "rummet",
    "lokal",
    "lokalen",
    "spår",
    "spåret",
    "hus",
    "huset",
    "våning",
    "trappa",
    "ingång",
    "port",
    "entré",
    "hållplats",
    "linje",
    "bana",
    "plats",
    "bord",
    "skåp",
    "hylla",
    "box",
    "fack",
    "nivå",
    "zon",
    "område",
    "sektion",
    "kvarter",
    "ruta",
    "rad",
    "kolumn",
    "cell",
];

/// Sentence words that can stand before a trakt but are not part of it.
pub(crate) const NOT_FIRST_WORD: &[&str] = &[
    "enligt",
    "se",
    "i",
    "av",
    "från",
    "till",
    "och",
    "samt",
    "inom",
    "på",
    "vid",
    "om",
    "för",
    "med",
    "den",
    "det",
    "fastigheten",
    "fastighet",
    "fastigheterna",
    "fastighetsbeteckning",
    "tomten",
    "tomt",
    "beträffande",
    "avseende",
    "gällande",
    "angående",
    "ang",
    "rörande",
    "bygglov",
    "ansökan",
    "beslut",
    "ärende",
    "ärendet",
    "adress",
    "inom",
    "granne",
    "grannfastigheten",
    "kommun",
    "kommunen",
    "lantmäteriet",
    "ägare",
];

const CONTEXT: &[&str] = &[
    "fastighet",
    "fastigheten",
    "fastigheterna",
    "fastighetsbeteckning",
    "fastighetsbeteckningen",
    "fastighetsägare",
    "fastighetsägaren",
    "fastighetsägarna",
    "tomt",
    "tomten",
    "grannfastighet",
    "grannfastigheten",
    "lagfart",
    "avstyckning",
    "fastighetsreglering",
];

/// Finds fastighetsbeteckningar; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct PropertyDetector;

impl Detector for PropertyDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        for caps in PATTERN.captures_iter(text) {
            let (Some(w2), Some(unit)) = (caps.name("w2"), caps.name("unit")) else {
                continue;
            };
            let w2_lower = w2.as_str().to_lowercase();
            if NOT_TRAKT.contains(&w2_lower.as_str()) {
                continue;
            }
            let start = match caps.name("w1") {
                Some(w1) if !NOT_FIRST_WORD.contains(&w1.as_str().to_lowercase().as_str()) => {
                    w1.start()
                }
                _ => w2.start(),
            };
            let span = start..unit.end();
            if text[..start]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let mut after = text[span.end..].chars();
            match (after.next(), after.next()) {
                (Some(c), _) if c.is_alphanumeric() => continue,
                (Some(c), Some(d))
                    if matches!(c, ':' | '/' | '.' | ',' | '-') && d.is_ascii_digit() =>
                {
                    continue
                }
                _ => {}
            }
            let context = has_context(text, &span, CONTEXT, 40);
            let score = if context { 0.9 } else { 0.75 };
            out.push(Finding::new(
                span,
                Category::PropertyDesignation,
                score,
                explain(NAME, "trakt_block_enhet", Validation::NotApplicable).with_context(context),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, f32)> {
        let mut out = Vec::new();
        PropertyDetector.detect(text, &mut out);
        out.iter()
            .map(|f| (&text[f.span.clone()], f.score))
            .collect()
    }

    #[test]
    fn designations_with_exact_spans() {
        assert_eq!(
            found("Fastigheten Ekeby 3:14 ska"),
            vec![("Ekeby 3:14", 0.9)]
        );
        assert_eq!(found("Norrby 12:7."), vec![("Norrby 12:7", 0.75)]);
        assert_eq!(
            found("på Ankeby Kyrkbyn 1:23"),
            vec![("Ankeby Kyrkbyn 1:23", 0.75)]
        );
        assert_eq!(found("STORA HAGA 4:5"), vec![("STORA HAGA 4:5", 0.75)]);
        assert_eq!(found("Enligt Ekeby 3:14"), vec![("Ekeby 3:14", 0.75)]);
        assert_eq!(
            found("Västra Sund-Bergby 2:101"),
            vec![("Västra Sund-Bergby 2:101", 0.75)]
        );
    }

    #[test]
    fn not_designations() {
        for t in [
            "4 kap. 1 §",
            "kl 13:30",
            "Kl 13:30",
            "Kl. 13:30",
            "Tid 13:30-15:00",
            "Måndag 13:30",
            "Socialtjänstlagen (2001:453)",
            "SFS 2001:453",
            "Prop. 2016/17:180",
            "Bilaga 2:1",
            "Skala 1:400",
            "Joh 3:16",
            "i förhållandet 3:1",
            "Resultat 3:1",
            "Lokal: Sal 3:2, Rum 2:14",
            "Mötet 13:30:00",
            "ekeby 3:14",
            "Ekeby 03:14",
            "Ekeby 3:14:2",
        ] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}

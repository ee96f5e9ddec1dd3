//! Person names, from gazetteers — until the NER model lands.
//!
//! # What it finds
//!
//! - A known Swedish first name followed by one or two capitalised words, with an optional
//!   particle (`von`, `af`, `de`, …): `Anna Berg`, `Anna Maria Berg`, `Per von Platen`,
//!   `Eva Lind-Berg`, `ANNA SVENSSON`, and the genitive `Anna Svenssons` / `Anna Berg:s`
//!   (the ending is part of the span) (rule `first_surname`).
//! - A known surname preceded by a capitalised word that is not a first name in the list
//!   (`Zlatko Andersson`) (rule `surname`).
//! - A known first name on its own, `Liam`, `Elins` (rule `first_name`), unless it is also an
//!   ordinary word or a place (see below).
//! - A surname that is also an ordinary word (Falk, Lund, Strand, Hammar, Ros, Berg, Björk,
//!   Lind, Holm) where it can only be a name: after a title or a role, `dr Falk`,
//!   `docent Lund`, `handläggare Strand`, `fru Ros` (rule `title_surname`, the span is the
//!   surname), and first in a list written surname first, `Strand, Gustav`, at the start of a
//!   line or after a field label, with a known first name after the comma (rule
//!   `surname_comma_first`). Without a title or a first name ("en röd ros", "vid stranden",
//!   "Lund är en stad") such a word is not a name.
//! - A capitalised name right after a person context word, even if in neither list:
//!   `Sökande: Xin Zhao`, `Hej Kerstin!`, `Med vänlig hälsning\r\nAnna Berg`,
//!   `Handläggare: …`, `Elev: …`, `Vårdnadshavare: …`, `Namn: …` (rule `context`).
//!
//! # How it validates
//!
//! First names are the SCB list of names borne by at least 20 people (`data/fornamn.txt`,
//! 22,488 names), surnames the SCB top 1,000 (`data/efternamn.txt`), both lower-cased and
//! searched by binary search. Many first names are also ordinary words or places ("Per",
//! "Bo", "Sten", "Rose", "Vi", "Till", "Maj", "Paris"); for those (`data/fornamn_ord.txt`,
//! derived from the SUC 3.0 and Webbnyheter corpora) the next word must be a known surname or
//! look like one (`-son`, `-berg`, `-ström`, `-qvist`, …). A name never continues into a
//! word that names an organisation or a document part ("kommun", "AB", "-förvaltningen",
//! "-nämnden", "Tel", "Datum", …), and never across punctuation; across a line break only into
//! a known surname.
//!
//! Scores: first name + surname 0.75 (0.8 when the surname is known), a first name alone
//! 0.6, ALL-CAPS with an unknown surname 0.6, known surname after an unknown capitalised word 0.6, context rule
//! 0.7 (0.85 when a part is a known name). A context word before any of them gives 0.85–0.9.
//!
//! # Known false positives
//!
//! - A first name at the start of a heading followed by a capitalised word ("Maria Kyrka",
//!   "Ester Fastigheter") — organisations named after people.
//! - After a context word, any capitalised word is taken ("Handläggare: Ankeby").
//! - A first name used as the name of a place, a ship, a brand or a church ("Maria" in "Maria
//!   församling", "Ford") scores 0.6.
//!
//! # Known misses
//!
//! - A name written without a first name from the list and without context ("Berg sa").
//! - A first name that is also an ordinary word, standing alone ("Per", "Bo", "Sten" as in
//!   "Per ringde"); name propagation in the analyzer finds it once the full name has been
//!   found elsewhere in the document.
//!
//! # Examples
//!
//! ```text
//! Sökande: Anna Berg                 → Anna Berg (context, 0.9)
//! Enligt Per Andersson               → Per Andersson
//! Per capita, Beslutet, Ankeby kommun, Stockholm → not reported
//! ```

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::util::is_hspace;
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "names";

use crate::lexicon::{EFTERNAMN, FORNAMN, FORNAMN_ORD};

static WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{L}[\p{L}\p{M}]*(?:[-'’]\p{L}[\p{L}\p{M}]*)*").expect("word pattern compiles")
});

/// How a context word must be followed by the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// A greeting: the name follows on the same line ("Hej Anna,").
    Greeting,
    /// A closing: the name follows on the same or a later line ("Med vänlig hälsning\r\nAnna").
    Closing,
    /// A form field: a colon, a tab or a line break after it ("Sökande: Anna").
    Field,
    /// A relation ("syster Åsa", "mormor Gunilla"): the next word must be a known first name.
    Relation,
}

/// Person context words, lower case, and how the name follows them.
const CONTEXT: &[(&str, Ctx)] = &[
    ("hej", Ctx::Greeting),
    ("hejsan", Ctx::Greeting),
    ("hallå", Ctx::Greeting),
    ("kära", Ctx::Greeting),
    ("bästa", Ctx::Greeting),
    ("med vänlig hälsning", Ctx::Closing),
    ("med vänliga hälsningar", Ctx::Closing),
    ("vänliga hälsningar", Ctx::Closing),
    ("vänlig hälsning", Ctx::Closing),
    ("bästa hälsningar", Ctx::Closing),
    ("mvh", Ctx::Closing),
    ("hälsningar", Ctx::Closing),
    ("sökande", Ctx::Field),
    ("sökanden", Ctx::Field),
    ("handläggare", Ctx::Field),
    ("handläggaren", Ctx::Field),
    ("elev", Ctx::Field),
    ("eleven", Ctx::Field),
    ("elevens namn", Ctx::Field),
    ("vårdnadshavare", Ctx::Field),
    ("vårdnadshavare 1", Ctx::Field),
    ("vårdnadshavare 2", Ctx::Field),
    ("klagande", Ctx::Field),
    ("klaganden", Ctx::Field),
    ("motpart", Ctx::Field),
    ("kontaktperson", Ctx::Field),
    ("namn", Ctx::Field),
    ("för- och efternamn", Ctx::Field),
    ("förnamn", Ctx::Field),
    ("efternamn", Ctx::Field),
    ("patient", Ctx::Field),
    ("brukare", Ctx::Field),
    ("anmälare", Ctx::Field),
    ("anmälaren", Ctx::Field),
    ("ombud", Ctx::Field),
    ("god man", Ctx::Field),
    ("förvaltare", Ctx::Field),
    ("förälder", Ctx::Field),
    ("mottagare", Ctx::Field),
    ("avsändare", Ctx::Field),
    ("underskrift", Ctx::Field),
    ("namnförtydligande", Ctx::Field),
    ("ordförande", Ctx::Field),
    ("sekreterare", Ctx::Field),
    ("justerare", Ctx::Field),
    ("föredragande", Ctx::Field),
    ("från", Ctx::Field),
    ("till", Ctx::Field),
    ("kopia", Ctx::Field),
    ("kund", Ctx::Field),
    ("fakturamottagare", Ctx::Field),
    ("fastighetsägare", Ctx::Field),
    ("utredare", Ctx::Field),
    ("socialsekreterare", Ctx::Field),
    ("er referens", Ctx::Field),
    ("vår referens", Ctx::Field),
    ("referens", Ctx::Field),
    ("barn", Ctx::Field),
    ("barnet", Ctx::Field),
    ("barnets namn", Ctx::Field),
    ("make", Ctx::Field),
    ("maka", Ctx::Field),
    ("sambo", Ctx::Field),
    ("delgivningsmottagare", Ctx::Field),
    ("anställd", Ctx::Field),
    ("arbetstagare", Ctx::Field),
    ("hyresgäst", Ctx::Field),
    ("tjänsteman", Ctx::Field),
    ("syster", Ctx::Relation),
    ("systern", Ctx::Relation),
    ("bror", Ctx::Relation),
    ("brodern", Ctx::Relation),
    ("mamma", Ctx::Relation),
    ("mamman", Ctx::Relation),
    ("pappa", Ctx::Relation),
    ("pappan", Ctx::Relation),
    ("mor", Ctx::Relation),
    ("modern", Ctx::Relation),
    ("far", Ctx::Relation),
    ("fadern", Ctx::Relation),
    ("mormor", Ctx::Relation),
    ("morfar", Ctx::Relation),
    ("farmor", Ctx::Relation),
    ("farfar", Ctx::Relation),
    ("moster", Ctx::Relation),
    ("faster", Ctx::Relation),
    ("morbror", Ctx::Relation),
    ("farbror", Ctx::Relation),
    ("dotter", Ctx::Relation),
    ("dottern", Ctx::Relation),
    ("son", Ctx::Relation),
    ("sonen", Ctx::Relation),
    ("sambo", Ctx::Relation),
    ("sambon", Ctx::Relation),
    ("make", Ctx::Relation),
    ("maken", Ctx::Relation),
    ("maka", Ctx::Relation),
    ("makan", Ctx::Relation),
    ("kurator", Ctx::Relation),
    ("kuratorn", Ctx::Relation),
    ("lärare", Ctx::Relation),
    ("läraren", Ctx::Relation),
    ("mentor", Ctx::Relation),
    ("mentorn", Ctx::Relation),
    ("rektor", Ctx::Relation),
    ("rektorn", Ctx::Relation),
    ("vän", Ctx::Relation),
    ("vännen", Ctx::Relation),
    ("väninna", Ctx::Relation),
    ("granne", Ctx::Relation),
    ("grannen", Ctx::Relation),
    ("pojkvän", Ctx::Relation),
    ("flickvän", Ctx::Relation),
    ("kusin", Ctx::Relation),
    ("kusinen", Ctx::Relation),
    ("styvpappa", Ctx::Relation),
    ("styvmamma", Ctx::Relation),
    ("bonuspappa", Ctx::Relation),
    ("bonusmamma", Ctx::Relation),
    ("eleven", Ctx::Relation),
    ("elev", Ctx::Relation),
    ("barnet", Ctx::Relation),
    ("pojken", Ctx::Relation),
    ("flickan", Ctx::Relation),
    ("handläggaren", Ctx::Relation),
    ("socialsekreteraren", Ctx::Relation),
    ("assistenten", Ctx::Relation),
    ("personlig assistent", Ctx::Relation),
    ("kontaktperson", Ctx::Relation),
    ("kontaktpersonen", Ctx::Relation),
    ("god man", Ctx::Relation),
    ("ombudet", Ctx::Relation),
    ("advokat", Ctx::Relation),
    ("advokaten", Ctx::Relation),
    ("vårdnadshavaren", Ctx::Relation),
];

/// Lower-case words that never belong to a name: organisations, document parts, places'
/// generic words, field labels.
const NOT_NAME: &[&str] = &[
    "kommun",
    "kommunen",
    "kommuns",
    "stad",
    "staden",
    "stads",
    "län",
    "läns",
    "region",
    "regionen",
    "ab",
    "hb",
    "kb",
    "aktiebolag",
    "aktiebolaget",
    "förening",
    "föreningen",
    "församling",
    "församlingen",
    "kyrka",
    "kyrkan",
    "kyrkogård",
    "skola",
    "skolan",
    "förskola",
    "förskolan",
    "gymnasium",
    "gymnasiet",
    "sjukhus",
    "sjukhuset",
    "vårdcentral",
    "vårdcentralen",
    "bygg",
    "fastigheter",
    "fastighet",
    "fastigheten",
    "konsult",
    "invest",
    "holding",
    "group",
    "gruppen",
    "stiftelse",
    "stiftelsen",
    "bolag",
    "bolaget",
    "kb",
    "tel",
    "telefon",
    "mobil",
    "mob",
    "tfn",
    "fax",
    "e-post",
    "epost",
    "mail",
    "adress",
    "box",
    "sida",
    "datum",
    "dnr",
    "diarienummer",
    "ärende",
    "ärendet",
    "beslut",
    "beslutet",
    "bilaga",
    "bilagor",
    "ansökan",
    "protokoll",
    "kallelse",
    "yttrande",
    "nämnd",
    "nämnden",
    "styrelse",
    "styrelsen",
    "förvaltning",
    "förvaltningen",
    "enhet",
    "enheten",
    "avdelning",
    "avdelningen",
    "kontor",
    "kontoret",
    "sektor",
    "sektorn",
    "utskott",
    "utskottet",
    "lag",
    "lagen",
    "kap",
    "kapitel",
    "paragraf",
    "och",
    "samt",
    "eller",
    "att",
    "som",
    "den",
    "det",
    "en",
    "ett",
    "i",
    "på",
    "av",
    "till",
    "från",
    "med",
    "för",
    "om",
    "vid",
    "under",
    "efter",
    "enligt",
    "se",
    "ej",
    "ingen",
    "inget",
    "nej",
    "ja",
    "okänd",
    "saknas",
    "uppgift",
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
    "måndag",
    "tisdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lördag",
    "söndag",
    "sverige",
    "svenska",
    "svensk",
    "handläggare",
    "sökande",
    "elev",
    "vårdnadshavare",
    "kontaktperson",
    "namn",
    "hej",
    "tack",
    "mvh",
    "hälsningar",
    "rektor",
    "chef",
    "enhetschef",
    "ordförande",
    "sekreterare",
    "ledamot",
    "ersättare",
    "jurist",
    "socialsekreterare",
    "bygglovshandläggare",
    "handläggaren",
    "org",
    "nr",
    "personnummer",
    "kr",
    "sek",
    "moms",
    "summa",
    "totalt",
    "faktura",
    "fakturanummer",
    "ocr",
    "bankgiro",
    "plusgiro",
    "iban",
    "bic",
    "swish",
    "www",
    "http",
    "https",
    "kl",
    "tid",
    "plats",
    "lokal",
    "närvarande",
    "frånvarande",
    "justering",
    "justeras",
    "paragrafer",
    "underskrift",
];

/// Words after a name that make it the name of an organisation.
const ORG_MARKERS: &[&str] = &[
    "ab",
    "hb",
    "kb",
    "aktiebolag",
    "bygg",
    "fastigheter",
    "konsult",
    "invest",
    "holding",
    "group",
    "gruppen",
    "förening",
    "föreningen",
    "stiftelse",
    "stiftelsen",
    "bolag",
    "bolaget",
    "kommun",
    "kommunen",
    "region",
    "regionen",
    "&",
    "och",
];

/// Endings of words that name organisations, units or streets, never persons.
const NOT_NAME_SUFFIXES: &[&str] = &[
    "förvaltningen",
    "nämnden",
    "kontoret",
    "enheten",
    "avdelningen",
    "styrelsen",
    "bolaget",
    "föreningen",
    "skolan",
    "förskolan",
    "kommun",
    "kommunen",
    "gatan",
    "vägen",
    "gränd",
    "torget",
    "sektionen",
    "verket",
    "myndigheten",
    "inspektionen",
    "domstolen",
    "rätten",
    "centralen",
    "huset",
    "center",
    "centret",
    "tjänsten",
    "service",
    "gruppen",
    "sektorn",
];

/// Endings that make an unknown word look like a Swedish surname.
const SURNAME_SUFFIXES: &[&str] = &[
    "son", "sson", "berg", "ström", "strom", "qvist", "kvist", "quist", "gren", "lund", "dahl",
    "dal", "holm", "blad", "stedt", "stam", "borg", "bäck", "sjö", "ling", "ius", "nen", "ander",
    "ell", "hed", "mark", "vall", "löf", "löv", "feldt", "felt", "gård", "heim", "ović", "ovic",
    "vić", "ski", "ska", "sky", "zadeh", "oglu", "oğlu", "ian", "yan", "stein", "mann", "dotter",
    "sdotter",
];

/// Capitalised words that are not first names but often stand before a surname in running
/// text, so they never start a `surname` match.
const NOT_BEFORE_SURNAME: &[&str] = &[
    "enligt",
    "till",
    "från",
    "och",
    "att",
    "med",
    "för",
    "av",
    "i",
    "på",
    "om",
    "den",
    "det",
    "detta",
    "denna",
    "dessa",
    "vid",
    "under",
    "efter",
    "inför",
    "hos",
    "se",
    "kommunen",
    "nämnden",
    "beslut",
    "beslutet",
    "herr",
    "fru",
    "dr",
    "doktor",
    "hej",
    "tack",
    "kontakta",
    "ring",
    "mvh",
    "sökande",
    "handläggare",
    "elev",
    "vårdnadshavare",
    "familjen",
    "eller",
    "samt",
    "när",
    "då",
    "men",
    "även",
    "också",
    "sedan",
    "som",
    "vi",
    "ni",
    "de",
    "han",
    "hon",
    "ingen",
    "alla",
    "bästa",
    "kära",
    "hälsningar",
    "namn",
    "rektor",
    "chef",
    "fröken",
    "statsrådet",
    "statsminister",
    "statsministern",
    "ministern",
    "docent",
    "docenten",
    "professor",
    "professorn",
    "direktör",
    "direktören",
    "vd",
    "ordföranden",
    "kommunalrådet",
    "biskop",
    "biskopen",
    "kung",
    "kungen",
    "drottning",
    "drottningen",
    "prins",
    "prinsessan",
];

/// Ordinary words that begin a sentence after a greeting or a field label; never a name.
const COMMON_WORDS: &[&str] = &[
    "jag",
    "du",
    "han",
    "hon",
    "vi",
    "ni",
    "de",
    "den",
    "det",
    "detta",
    "denna",
    "här",
    "där",
    "nu",
    "tack",
    "hoppas",
    "min",
    "mitt",
    "mina",
    "vår",
    "vårt",
    "våra",
    "er",
    "ert",
    "era",
    "angående",
    "gällande",
    "ang",
    "bifogar",
    "bifogat",
    "bifogad",
    "skulle",
    "kan",
    "vill",
    "har",
    "är",
    "var",
    "blir",
    "får",
    "önskar",
    "undrar",
    "saknas",
    "okänt",
    "okänd",
    "se",
    "enligt",
    "som",
    "alla",
    "ingen",
    "inga",
    "inte",
    "ja",
    "nej",
    "ok",
    "okej",
    "välkommen",
    "välkomna",
    "god",
    "trevlig",
    "hej",
    "tyvärr",
    "återkommer",
    "eftersom",
    "när",
    "om",
    "hos",
    "klass",
    "nuvarande",
    "mellan",
    "bland",
    "utan",
    "mot",
    "genom",
    "över",
];

/// Particles inside a name, written in lower case.
const PARTICLES: &[&str] = &[
    "von", "af", "de", "van", "der", "den", "la", "le", "du", "di", "da", "del", "al", "el", "bin",
    "ben",
];

/// Finds person names; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct NamesDetector;

/// How a token is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// "Anna", "Lind-Berg".
    Title,
    /// "ANNA", "LIND-BERG".
    Upper,
    /// Anything else: "anna", "von", "McDonald" counts as Title by its first letter.
    Lower,
}

/// What separates a token from the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    /// One to three spaces.
    Space,
    /// Whitespace with a line break.
    Line,
    /// Punctuation or a long run of spaces (a table column).
    Other,
}

#[derive(Debug)]
struct Token<'a> {
    range: Range<usize>,
    text: &'a str,
    lower: String,
    shape: Shape,
    /// The gap to the next token.
    gap: Gap,
}

impl Token<'_> {
    fn cap(&self) -> bool {
        self.shape != Shape::Lower
    }

    fn first_name(&self) -> bool {
        is_first_name(&self.lower)
    }

    fn ordinary(&self) -> bool {
        FORNAMN_ORD.contains(&self.lower)
    }

    fn not_name(&self) -> bool {
        NOT_NAME.contains(&self.lower.as_str())
            || NOT_NAME_SUFFIXES
                .iter()
                .any(|s| self.lower.ends_with(s) && self.lower.len() > s.len() + 1)
            || NOT_NAME_SUFFIXES.contains(&self.lower.as_str())
    }

    /// A known surname, also in the genitive and as a part of a double name.
    fn known_surname(&self) -> bool {
        let l = self.lower.as_str();
        let check = |w: &str| {
            EFTERNAMN.contains(w) || w.strip_suffix('s').is_some_and(|s| EFTERNAMN.contains(s))
        };
        check(l) || (l.contains('-') && l.split('-').all(|p| check(p) || looks_like_surname(p)))
    }

    fn surname_like(&self) -> bool {
        self.known_surname() || looks_like_surname(&self.lower)
    }
}

fn is_first_name(lower: &str) -> bool {
    FORNAMN.contains(lower)
        || (lower.contains('-') && lower.split('-').all(|p| FORNAMN.contains(p)))
}

fn looks_like_surname(lower: &str) -> bool {
    let l = lower
        .strip_suffix('s')
        .filter(|s| s.ends_with("son"))
        .unwrap_or(lower);
    l.chars().count() >= 5 && SURNAME_SUFFIXES.iter().any(|s| l.ends_with(s))
}

fn shape(word: &str) -> Shape {
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else {
        return Shape::Lower;
    };
    if !first.is_uppercase() {
        return Shape::Lower;
    }
    let rest: Vec<char> = letters.collect();
    if !rest.is_empty() && rest.iter().all(|c| c.is_uppercase()) {
        Shape::Upper
    } else {
        Shape::Title
    }
}

fn gap(s: &str) -> Gap {
    if s.is_empty() {
        return Gap::Other;
    }
    if s.chars().all(is_hspace) && s.chars().count() <= 3 && !s.contains('\t') {
        return Gap::Space;
    }
    if s.chars().all(char::is_whitespace) && s.matches('\n').count() <= 1 {
        return Gap::Line;
    }
    Gap::Other
}

fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens: Vec<Token<'_>> = WORD
        .find_iter(text)
        .map(|m| Token {
            range: m.range(),
            text: m.as_str(),
            lower: m.as_str().to_lowercase(),
            shape: shape(m.as_str()),
            gap: Gap::Other,
        })
        .collect();
    join_hyphenated_names(text, &mut tokens);
    for i in 0..tokens.len().saturating_sub(1) {
        let g = gap(&text[tokens[i].range.end..tokens[i + 1].range.start]);
        tokens[i].gap = g;
    }
    tokens
}

/// A name hyphenated at the end of a line ("Johans-\r\nson") is one token when the two
/// halves make a known name: without the hyphen when the second half is lower case (the
/// hyphen only breaks the line), with it when it is capitalised ("Lind-\r\nBerg", a double
/// name). Other hyphenated words ("kommun-\r\nfullmäktige") stay two tokens.
fn join_hyphenated_names<'a>(text: &'a str, tokens: &mut Vec<Token<'a>>) {
    let mut i = 0;
    while i + 1 < tokens.len() {
        let between = &text[tokens[i].range.end..tokens[i + 1].range.start];
        let wrapped = between
            .strip_prefix(['-', '\u{00AD}', '\u{2010}'])
            .map(|rest| rest.trim_matches(is_hspace))
            .is_some_and(|rest| rest == "\r\n" || rest == "\n");
        let next = &tokens[i + 1];
        let lower = if next.shape == Shape::Lower {
            format!("{}{}", tokens[i].lower, next.lower)
        } else {
            format!("{}-{}", tokens[i].lower, next.lower)
        };
        let known = EFTERNAMN.contains(&lower)
            || (FORNAMN.contains(&lower) && !FORNAMN_ORD.contains(&lower))
            || (lower.contains('-')
                && lower
                    .split('-')
                    .all(|p| EFTERNAMN.contains(p) || looks_like_surname(p)));
        if wrapped && tokens[i].cap() && known {
            let range = tokens[i].range.start..next.range.end;
            tokens[i] = Token {
                text: &text[range.clone()],
                range,
                lower,
                shape: tokens[i].shape,
                gap: Gap::Other,
            };
            tokens.remove(i + 1);
        }
        i += 1;
    }
}

impl Detector for NamesDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        let tokens = tokenize(text);
        let mut found: Vec<Finding> = Vec::new();
        let contexts = context_starts(text, &tokens);
        for (i, t) in tokens.iter().enumerate() {
            if !t.cap() {
                continue;
            }
            let context = contexts.iter().any(|&(c, _)| c == i);
            if let Some(f) = first_surname(text, &tokens, i, context) {
                found.push(f);
            } else if let Some(f) = surname_rule(text, &tokens, i, context) {
                found.push(f);
            } else if context {
                if let Some(f) = context_rule(text, &tokens, i) {
                    found.push(f);
                }
            } else if let Some(f) = lone_first_name(text, t) {
                found.push(f);
            }
        }
        found.extend(title_surnames(text, &tokens));
        found.extend(surnames_first(text, &tokens));
        out.extend(merge(found));
    }
}

/// Titles and roles written before a surname alone ("dr Falk", "handläggare Strand"),
/// lower case.
const TITLES: &[&str] = &[
    "dr",
    "doktor",
    "docent",
    "professor",
    "prof",
    "herr",
    "hr",
    "fru",
    "fröken",
    "frk",
    "handläggare",
    "handläggaren",
    "socialsekreterare",
    "socialsekreteraren",
    "kurator",
    "kuratorn",
    "rektor",
    "rektorn",
    "advokat",
    "advokaten",
    "läkare",
    "läkaren",
    "överläkare",
    "överläkaren",
    "distriktsläkare",
    "sjuksköterska",
    "sjuksköterskan",
    "skolsköterska",
    "skolsköterskan",
    "psykolog",
    "psykologen",
    "lärare",
    "läraren",
    "mentor",
    "mentorn",
    "specialpedagog",
    "specialpedagogen",
    "ordförande",
    "ordföranden",
    "enhetschef",
    "enhetschefen",
    "utredare",
    "utredaren",
    "jurist",
    "juristen",
    "domare",
    "rådman",
    "notarie",
    "kommissarie",
    "inspektör",
    "inspektören",
    "pastor",
    "kyrkoherde",
    "ledamot",
    "ledamoten",
    "ersättare",
    "ersättaren",
    "nämndeman",
];

/// Rule `title_surname`: a surname right after a title or a role ("dr Falk", "docent
/// Lund", "fru Ros"). The title makes a surname that is also an ordinary word a name.
fn title_surnames(text: &str, tokens: &[Token<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in tokens.windows(2) {
        let (title, name) = (&w[0], &w[1]);
        if !TITLES.contains(&title.lower.as_str()) || !name.cap() {
            continue;
        }
        // "dr Falk", "dr. Falk": one space, or a full stop and one space.
        let between = &text[title.range.end..name.range.start];
        let between = between.strip_prefix('.').unwrap_or(between);
        if between.is_empty() || !between.chars().all(is_hspace) || between.chars().count() > 2 {
            continue;
        }
        if !name.surname_like() || name.not_name() || name.text.chars().count() < 3 {
            continue;
        }
        out.push(finding(
            name.range.start..name_end(text, name),
            0.8,
            "title_surname",
            Validation::Passed("efternamn".into()),
            true,
        ));
    }
    out
}

/// Rule `surname_comma_first`: "Strand, Gustav" — a surname, a comma and a known first name
/// (and perhaps a second one), at the start of a line or after a field label, as lists of
/// participants and registers write names. The first name must not be an ordinary word.
fn surnames_first(text: &str, tokens: &[Token<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    for i in 0..tokens.len().saturating_sub(1) {
        let (surname, first) = (&tokens[i], &tokens[i + 1]);
        if !surname.cap() || !surname.surname_like() || surname.not_name() {
            continue;
        }
        let line_head = super::util::line_before(text, surname.range.start, 200);
        let head = line_head.trim_end_matches(is_hspace);
        if !(head.is_empty() || head.ends_with([':', '\t', ';', '|']) || line_head.ends_with('\t'))
        {
            continue;
        }
        let between = &text[surname.range.end..first.range.start];
        let Some(space) = between.strip_prefix(',') else {
            continue;
        };
        if space.is_empty() || !space.chars().all(is_hspace) || space.chars().count() > 2 {
            continue;
        }
        if first.shape != Shape::Title
            || !first.first_name()
            || first.ordinary()
            || first.not_name()
        {
            continue;
        }
        let mut end = i + 1;
        if let Some(second) = tokens.get(i + 2) {
            if first.gap == Gap::Space
                && second.shape == Shape::Title
                && second.first_name()
                && !second.ordinary()
                && !second.not_name()
            {
                end = i + 2;
            }
        }
        out.push(finding(
            surname.range.start..name_end(text, &tokens[end]),
            0.8,
            "surname_comma_first",
            Validation::Passed("efternamn+fornamn".into()),
            false,
        ));
    }
    out
}

/// Tokens that follow a person context word, with the kind of context.
fn context_starts(text: &str, tokens: &[Token<'_>]) -> Vec<(usize, Ctx)> {
    let mut starts = Vec::new();
    for i in 0..tokens.len() {
        for &(phrase, ctx) in CONTEXT {
            if phrase.split(' ').next() != Some(tokens[i].lower.as_str()) {
                continue;
            }
            let n = phrase.split(' ').count();
            if i + n >= tokens.len() {
                continue;
            }
            let words_match = phrase.split(' ').enumerate().all(|(k, w)| {
                tokens[i + k].lower == w && (k + 1 == n || tokens[i + k].gap == Gap::Space)
            });
            if !words_match {
                continue;
            }
            let last = &tokens[i + n - 1];
            let next = &tokens[i + n];
            let between = &text[last.range.end..next.range.start];
            let lines = between.matches('\n').count();
            let ok = match ctx {
                Ctx::Greeting => lines == 0 && between.chars().all(|c| is_hspace(c) || c == ','),
                Ctx::Closing => {
                    lines <= 3
                        && between
                            .chars()
                            .all(|c| c.is_whitespace() || matches!(c, ',' | '!' | '.' | ':'))
                }
                Ctx::Relation => lines == 0 && between.chars().all(is_hspace) && next.first_name(),
                Ctx::Field => {
                    // "Sökande: Anna", "Vårdnadshavare 1: Anna", "Sökande\tAnna", "Sökande\r\nAnna".
                    let t = between.trim_matches(|c: char| is_hspace(c) && c != '\t');
                    let t = t
                        .trim_start_matches(|c: char| c.is_ascii_digit())
                        .trim_start_matches(is_hspace);
                    lines <= 2
                        && ((t.starts_with(':') && t[1..].chars().all(char::is_whitespace))
                            || (!t.is_empty() && t.chars().all(char::is_whitespace)))
                }
            };
            if ok {
                starts.push((i + n, ctx));
            }
        }
    }
    starts
}

/// End of a name span, extended over a genitive written with a colon or an apostrophe.
fn name_end(text: &str, t: &Token<'_>) -> usize {
    let rest = &text[t.range.end..];
    for suffix in [":s", "'s", "’s"] {
        if let Some(after) = rest.strip_prefix(suffix) {
            if after.chars().next().is_none_or(|c| !c.is_alphanumeric()) {
                return t.range.end + suffix.len();
            }
        }
    }
    t.range.end
}

fn finding(
    range: Range<usize>,
    score: f32,
    rule: &str,
    validation: Validation,
    context: bool,
) -> Finding {
    Finding::new(
        range,
        Category::Person,
        score,
        explain(NAME, rule, validation).with_context(context),
    )
}

/// The index of the next name token after `i` (over one optional particle), if the gap is
/// a space (or a line break when `line_ok`).
fn next_name_token(tokens: &[Token<'_>], i: usize, line_ok: bool) -> Option<usize> {
    let gap_ok = |g: Gap| g == Gap::Space || (line_ok && g == Gap::Line);
    let j = i + 1;
    let t = tokens.get(j)?;
    if !gap_ok(tokens[i].gap) {
        return None;
    }
    if t.shape == Shape::Lower && PARTICLES.contains(&t.lower.as_str()) && t.gap == Gap::Space {
        let k = j + 1;
        return tokens.get(k).filter(|n| n.cap()).map(|_| k);
    }
    t.cap().then_some(j)
}

/// Rule `first_surname`: a known first name and one or two capitalised words after it.
fn first_surname(text: &str, tokens: &[Token<'_>], i: usize, context: bool) -> Option<Finding> {
    let first = &tokens[i];
    if !first.first_name() || first.not_name() {
        return None;
    }
    // A capitalised word directly before a first name makes it the surname part of something
    // else, handled from there; a lower-case "en"/"till" is fine.
    let j = next_name_token(tokens, i, true)?;
    let second = &tokens[j];
    if second.not_name() || second.text.len() < 2 {
        return None;
    }
    if tokens[i].gap == Gap::Line && !second.known_surname() {
        return None;
    }
    if first.shape == Shape::Upper && second.shape != Shape::Upper {
        return None;
    }
    // A particle ("von", "af") between the words makes it a name whatever the first word.
    let particle = j > i + 1;
    if first.ordinary() && !second.surname_like() && !particle {
        return None;
    }
    let mut end_tok = j;
    let mut surname_known = second.surname_like();
    if let Some(k) = next_name_token(tokens, j, false) {
        let third = &tokens[k];
        let same_case = (third.shape == Shape::Upper) == (second.shape == Shape::Upper)
            || third.shape == Shape::Upper;
        if !third.not_name()
            && same_case
            && (third.surname_like() || (second.first_name() && !second.surname_like()))
        {
            end_tok = k;
            surname_known |= third.surname_like();
        }
    }
    let base = match (
        first.shape == Shape::Upper,
        surname_known || tokens[end_tok].first_name(),
    ) {
        (true, false) => 0.6,
        (_, true) => 0.8,
        (false, false) => 0.75,
    };
    let score = if context { 0.9 } else { base };
    let validation = Validation::Passed(
        if surname_known {
            "fornamn+efternamn"
        } else {
            "fornamn"
        }
        .into(),
    );
    Some(finding(
        first.range.start..name_end(text, &tokens[end_tok]),
        score,
        "first_surname",
        validation,
        context,
    ))
}

/// Rule `surname`: a known surname after a capitalised word that is not a first name.
fn surname_rule(text: &str, tokens: &[Token<'_>], i: usize, context: bool) -> Option<Finding> {
    let first = &tokens[i];
    if first.first_name() && !first.ordinary()
        || first.not_name()
        || NOT_BEFORE_SURNAME.contains(&first.lower.as_str())
        || first.text.chars().count() < 2
    {
        return None;
    }
    let j = next_name_token(tokens, i, false)?;
    let second = &tokens[j];
    if !second.known_surname()
        || second.not_name()
        || (first.shape == Shape::Upper) != (second.shape == Shape::Upper)
    {
        return None;
    }
    // An ordinary-word first name ("Per", "Bo") before a known surname is a name.
    let score = if context {
        0.85
    } else if first.ordinary() {
        0.75
    } else {
        0.6
    };
    let rule = if first.ordinary() {
        "first_surname"
    } else {
        "surname"
    };
    Some(finding(
        first.range.start..name_end(text, second),
        score,
        rule,
        Validation::Passed("efternamn".into()),
        context,
    ))
}

/// Rule `first_name`: a known first name on its own ("Liam var frånvarande", "Elins
/// lärare"), unless it is also an ordinary word or place. On news text (SUC 3.0) such a token
/// is a person 95 % of the time.
fn lone_first_name(text: &str, t: &Token<'_>) -> Option<Finding> {
    if t.shape != Shape::Title || t.not_name() || t.text.chars().count() < 3 {
        return None;
    }
    let lower = t.lower.as_str();
    let name = if is_first_name(lower) {
        lower
    } else {
        // The genitive: "Elins", "Jonas'".
        lower.strip_suffix('s').filter(|s| is_first_name(s))?
    };
    if FORNAMN_ORD.contains(name) || FORNAMN_ORD.contains(lower) || COMMON_WORDS.contains(&lower) {
        return None;
    }
    Some(finding(
        t.range.start..name_end(text, t),
        0.6,
        "first_name",
        Validation::Passed("fornamn".into()),
        false,
    ))
}

/// Rule `context`: up to three capitalised words after a person context word.
fn context_rule(text: &str, tokens: &[Token<'_>], i: usize) -> Option<Finding> {
    let first = &tokens[i];
    if first.not_name()
        || NOT_BEFORE_SURNAME.contains(&first.lower.as_str())
        || COMMON_WORDS.contains(&first.lower.as_str())
        || first.text.chars().count() < 2
    {
        return None;
    }
    let mut end = i;
    let mut known = first.first_name() || first.known_surname();
    for _ in 0..2 {
        let Some(k) = next_name_token(tokens, end, false) else {
            break;
        };
        if tokens[k].not_name() {
            break;
        }
        known |= tokens[k].first_name() || tokens[k].known_surname();
        end = k;
    }
    // An organisation after the field ("Sökande: Ankeby Bygg AB") is no person.
    let mut k = end;
    for _ in 0..3 {
        if tokens[k].gap != Gap::Space {
            break;
        }
        k += 1;
        let Some(t) = tokens.get(k) else { break };
        if ORG_MARKERS.contains(&t.lower.as_str()) {
            return None;
        }
    }
    let score = if known { 0.85 } else { 0.7 };
    Some(finding(
        first.range.start..name_end(text, &tokens[end]),
        score,
        "context",
        Validation::NotApplicable,
        true,
    ))
}

/// Overlapping findings of this detector become one: the union, with the best score —
/// the analyzer's own merge, so both steps agree on what "overlapping" means.
fn merge(found: Vec<Finding>) -> Vec<Finding> {
    crate::finding::merge_overlaps(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, f32, String)> {
        crate::detect::testing::found(&NamesDetector, text)
    }

    fn masked(text: &str) -> Vec<&str> {
        crate::detect::testing::masked(&NamesDetector, text)
    }

    #[test]
    fn the_lists_are_loaded() {
        assert!(FORNAMN.len() > 20_000);
        assert!(FORNAMN.contains("anna") && FORNAMN.contains("åsa"));
        assert!(EFTERNAMN.contains("andersson"));
        assert!(FORNAMN_ORD.contains("per"));
    }

    #[test]
    fn first_name_and_surname() {
        for (t, want) in [
            ("Beslutet skickas till Anna Berg i dag.", "Anna Berg"),
            ("Anna Maria Berg har ansökt", "Anna Maria Berg"),
            ("enligt Anna Berg Lindqvist.", "Anna Berg Lindqvist"),
            ("Per von Platen", "Per von Platen"),
            ("Eva Lind-Berg", "Eva Lind-Berg"),
            ("Ann-Marie Öberg", "Ann-Marie Öberg"),
            ("ANNA SVENSSON", "ANNA SVENSSON"),
            ("i Anna Svenssons ansökan", "Anna Svenssons"),
            ("Anna Berg:s ansökan", "Anna Berg:s"),
            ("Per Andersson", "Per Andersson"),
            ("Bo Ek", "Bo Ek"),
            ("Anna BERG", "Anna BERG"),
            ("Kontakta Mohammed\r\nAndersson", "Mohammed\r\nAndersson"),
        ] {
            assert_eq!(masked(t), vec![want], "{t}");
        }
    }

    /// A surname hyphenated at the end of a line is one word when its halves make a known
    /// name; other words broken the same way are left alone.
    #[test]
    fn a_name_hyphenated_over_a_line_break() {
        for (t, want) in [
            (
                "Beslutet skickas till Anna Johans-\r\nson i dag.",
                "Anna Johans-\r\nson",
            ),
            ("Handläggare: Karls-\r\nson", "Karls-\r\nson"),
            ("Anna Lind-\r\nström ringde", "Anna Lind-\r\nström"),
        ] {
            assert_eq!(masked(t), vec![want], "{t}");
        }
        for t in ["Enligt kommun-\r\nfullmäktige", "Bygg-\r\nnadsnämnden"] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
    }

    /// Surnames that are also ordinary words are names after a title or before ", first
    /// name", and words elsewhere.
    #[test]
    fn common_noun_surnames_after_a_title_or_before_a_first_name() {
        for (t, want) in [
            ("Enligt dr Falk är", "Falk"),
            ("Dr. Falk har", "Falk"),
            ("docent Lund skriver", "Lund"),
            ("Ärendet har handläggare Strand.", "Strand"),
            ("fru Ros ringde", "Ros"),
            ("rektor Hammar:s beslut", "Hammar:s"),
            ("herr Björk", "Björk"),
        ] {
            let f = found(t);
            assert_eq!(masked(t), vec![want], "{t}");
            assert!(f.iter().any(|x| x.2 == "title_surname"), "{t}");
        }
        for (t, want) in [
            ("Strand, Gustav", "Strand, Gustav"),
            ("Deltagare:\r\nLund, Karin\r\n", "Lund, Karin"),
            ("Sökande: Berg, Erik", "Berg, Erik"),
            ("1.\tLind, Gustav", "Lind, Gustav"),
        ] {
            assert_eq!(masked(t).first().copied(), Some(want), "{t}");
        }
        // A first name at a line end runs on into a known surname on the next line
        // (`first_surname`): one span over the two list entries.
        assert_eq!(
            masked("Deltagare:\r\nLund, Karin\r\nHolm, Anna Maria"),
            vec!["Lund, Karin\r\nHolm, Anna Maria"]
        );
        assert_eq!(found("Strand, Gustav")[0].2, "surname_comma_first");
    }

    #[test]
    fn common_noun_surnames_without_a_title_or_first_name_are_words() {
        for t in [
            "en röd ros i vasen",
            "vid stranden",
            "Lund är en stad",
            "Strand och bad",
            "Holm, ö i skärgården",
            "Berg, sten och grus",
            "Lund, Malmö och Göteborg",
            "Falk, Ros och Lind",
            "professor i Lund",
            "handläggare Ankeby kommun",
            "dr Ankebyskolan",
        ] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
        // Not at the start of a line or after a label: "Lund" is the town.
        assert_eq!(masked("Vi bodde i Lund, Karin och jag"), vec!["Karin"]);
    }

    #[test]
    fn a_first_name_alone() {
        assert_eq!(
            found("att Liam varit"),
            vec![("Liam", 0.6, "first_name".to_owned())]
        );
        assert_eq!(masked("Elins lärare"), vec!["Elins"]);
        // Ordinary words that are also names, and headings, stay readable.
        for t in [
            "Per telefon",
            "Bo kvar",
            "Mark och vatten",
            "LIAM",
            "Bygg",
            "Åker",
        ] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
    }

    #[test]
    fn surname_after_unknown_first_name() {
        assert_eq!(masked("Qyrsa Andersson ringde"), vec!["Qyrsa Andersson"]);
        assert_eq!(found("Qyrsa Andersson")[0].2, "surname");
    }

    #[test]
    fn context_rule() {
        for (t, want) in [
            ("Sökande: Xin Zhao\r\n", "Xin Zhao"),
            ("Hej Kerstin!", "Kerstin"),
            (
                "Med vänlig hälsning\r\n\r\nAnna Berg\r\nHandläggare",
                "Anna Berg",
            ),
            ("Handläggare: Qwerty Uiop", "Qwerty Uiop"),
            ("Elev:\tNoa Ekdahl", "Noa Ekdahl"),
            ("Namn: Lars-Göran Ek", "Lars-Göran Ek"),
            ("Vårdnadshavare 1: FATIMA AHMADI", "FATIMA AHMADI"),
            ("bekräftade hans syster Åsa att", "Åsa"),
            ("Hej Kerstin,\r\nTack", "Kerstin"),
        ] {
            assert_eq!(masked(t), vec![want], "{t}");
        }
        let f = found("Sökande: Anna Berg");
        assert!(f[0].1 >= 0.85);
        assert_eq!(found("Hej Zyx")[0].1, 0.7);
    }

    #[test]
    fn a_name_does_not_run_into_the_next_line_or_a_street() {
        assert_eq!(masked("Anna, Beslutet"), vec!["Anna"]);
        assert_eq!(masked("Anna\r\nBeslut"), vec!["Anna"]);
        assert_eq!(masked("Anna Storgatan 12"), vec!["Anna"]);
    }

    #[test]
    fn ordinary_words_and_places_are_not_names() {
        for t in [
            "Beslutet fattades av Nämnden.",
            "Ankeby kommun, Stockholm",
            "Per capita räknat",
            "Per Capita",
            "Bo Kvar",
            "Till Ankeby kommun",
            "Vi Ses",
            "Maj Månad",
            "Handläggare: Bygglovsenheten",
            "Sökande: Ankeby Bygg AB",
            "Enligt Socialtjänstlagen",
            "Till sökanden",
            "Från och med",
            "Sten och Björn",
            "BESLUT OM BYGGLOV",
            "Kommunstyrelsen Ankeby",
            "Hej!\r\n\r\nJag skriver",
            "syster Ankeby",
            "Mvh\r\nBygglovsenheten",
        ] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}

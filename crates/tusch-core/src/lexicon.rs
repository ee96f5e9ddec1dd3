//! Word lists shared by the detectors, the NER model's filters and the PDF layer's
//! text-layer trust check, in one place (`data/`, see `data/README.md`).
//!
//! [`plausibility`] answers one question with them: is this text a language a reader of a
//! Swedish kommun's documents writes, or the garbage a font with a wrong character map
//! extracts? Real Swedish text — letters, tables of names and addresses, forms — has most
//! of its words in the common-word and name lists; a font whose `ToUnicode`/cmap maps
//! glyphs to the wrong letters gives words that are almost never in them (measured on the
//! fixture documents: 0.70–0.83 of words known as printed, 0.00–0.03 after a shifted or
//! permuted cmap).

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::detect::util::{fold_diacritics, WordList};

/// Lower-case Swedish words from the NER corpora that are never part of a person's name
/// there (`data/common_words.txt`).
/// First names (SCB), the first names that are also ordinary words, and common surnames:
/// the name lists every part of Tusch shares (the name detectors, the NER filter, OCR
/// repair), in one place.
pub(crate) static FORNAMN: LazyLock<WordList> =
    LazyLock::new(|| WordList::new(include_str!("../data/fornamn.txt")));
pub(crate) static FORNAMN_ORD: LazyLock<WordList> =
    LazyLock::new(|| WordList::new(include_str!("../data/fornamn_ord.txt")));
pub(crate) static EFTERNAMN: LazyLock<WordList> =
    LazyLock::new(|| WordList::new(include_str!("../data/efternamn.txt")));

/// Whether `word` (any case) is a first name from the SCB list that is not also an ordinary
/// word, or one of the common surnames. The NER detector uses it to keep a model finding
/// that its common-noun filter would otherwise drop; OCR repair to trust a reading.
pub fn is_known_name(word: &str) -> bool {
    let w = word.to_lowercase();
    (FORNAMN.contains(&w) && !FORNAMN_ORD.contains(&w)) || EFTERNAMN.contains(&w)
}

pub static COMMON_WORDS: LazyLock<WordList> =
    LazyLock::new(|| WordList::new(include_str!("../data/common_words.txt")));

/// The common words without å, ä, ö: on a grey scan OCR reads "Övriga" as "Ovriga".
pub static COMMON_WORDS_FOLDED: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../data/common_words.txt")
        .lines()
        .map(|l| fold_diacritics(l.trim()))
        .filter(|l| !l.is_empty())
        .collect()
});

/// Everyday English words (3+ letters): office documents quote English e-mail headers and
/// signatures, which must not look like garbage.
const ENGLISH: &[&str] = &[
    "the",
    "and",
    "for",
    "that",
    "with",
    "this",
    "from",
    "have",
    "are",
    "was",
    "were",
    "will",
    "would",
    "there",
    "their",
    "what",
    "which",
    "when",
    "where",
    "who",
    "about",
    "into",
    "than",
    "then",
    "them",
    "these",
    "those",
    "been",
    "being",
    "other",
    "more",
    "some",
    "such",
    "only",
    "also",
    "after",
    "before",
    "over",
    "under",
    "between",
    "through",
    "during",
    "without",
    "please",
    "regards",
    "best",
    "kind",
    "thank",
    "thanks",
    "you",
    "your",
    "our",
    "not",
    "can",
    "all",
    "any",
    "received",
    "subject",
    "date",
    "sent",
    "message",
    "original",
    "forwarded",
    "reply",
    "meeting",
    "attached",
    "attachment",
    "information",
    "address",
    "phone",
    "mobile",
    "email",
    "mail",
    "office",
    "department",
    "dear",
    "sincerely",
    "page",
    "name",
    "number",
    "file",
    "document",
    "report",
    "time",
    "day",
    "week",
    "year",
    "new",
    "one",
    "two",
    "three",
    "has",
    "had",
    "but",
    "our",
    "out",
    "use",
    "her",
    "his",
    "she",
    "him",
    "how",
    "may",
    "our",
    "get",
    "see",
    "way",
    "who",
    "did",
    "its",
    "let",
    "put",
    "say",
    "too",
    "yes",
    "via",
    "smtp",
    "esmtp",
    "esmtps",
    "mailto",
    "http",
    "https",
    "www",
    "com",
    "net",
    "org",
    "html",
    "pdf",
];

/// Whether `word` (any case) is an ordinary Swedish or English word or a known name.
pub fn is_known_word(word: &str) -> bool {
    let w = word.to_lowercase();
    COMMON_WORDS.contains(&w)
        || ENGLISH.contains(&w.as_str())
        || is_known_name(&w)
        || COMMON_WORDS_FOLDED.contains(&fold_diacritics(&w))
}

/// Weekday and month abbreviations (English and Swedish) that dates in e-mail headers and
/// printouts write next to their numbers ("Tue, 5 Mar 2024"); several are also first names
/// ("Jan", "Mar", "Tor"), so only their place next to a number tells.
const DATE_WORDS: &[&str] = &[
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "mån",
    "tis",
    "ons",
    "tor",
    "tors",
    "fre",
    "lör",
    "sön",
    "maj",
    "okt",
    "januari",
    "februari",
    "mars",
    "april",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// E-mail header field names a printed mail shows at the start of a line, followed by a
/// colon; the model sometimes calls the capitalised, hyphenated ones a person.
const HEADER_FIELDS: &[&str] = &[
    "return-path",
    "message-id",
    "content-type",
    "content-transfer-encoding",
    "reply-to",
    "in-reply-to",
    "delivered-to",
    "mime-version",
    "thread-topic",
    "thread-index",
    "received-spf",
    "authentication-results",
    "dkim-signature",
    "references",
    "importance",
    "received",
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "sent",
    "från",
    "till",
    "kopia",
    "ämne",
    "skickat",
    "datum",
    "bilagor",
    "bilaga",
    "attachments",
];

/// Whether the person finding `span` of `text` is not a name by its place: a weekday or
/// month abbreviation right next to a number (a date), or an e-mail header field name
/// followed by a colon ("Return-Path:", "X-Originating-IP:").
pub fn is_not_a_name(text: &str, span: &std::ops::Range<usize>) -> bool {
    let Some(word) = text.get(span.clone()) else {
        return false;
    };
    let word = word.trim();
    let lower = word.to_lowercase();
    let after = text[span.end..].trim_start_matches([' ', '\u{a0}', '.']);
    let before = text[..span.start].trim_end_matches([' ', '\u{a0}', ',']);
    if DATE_WORDS.contains(&lower.as_str()) {
        let digit_after = after.starts_with(|c: char| c.is_ascii_digit());
        let digit_before = before.ends_with(|c: char| c.is_ascii_digit());
        let comma_after = text[span.end..].starts_with(',');
        if digit_after || digit_before || comma_after {
            return true;
        }
    }
    let colon_after = text[span.end..].trim_start_matches(' ').starts_with(':');
    colon_after
        && !lower.contains(' ')
        && (HEADER_FIELDS.contains(&lower.as_str()) || lower.starts_with("x-"))
}

/// Endings of Swedish definite plurals and abstract nouns that no name has
/// ("Personuppgifterna", "Handlingarna", "Bedömningen", "Säkerheten", "Informationen").
const NOUN_ENDINGS: &[&str] = &[
    "erna", "arna", "orna", "ningen", "ningar", "ningarna", "heten", "heterna", "tionen", "tioner",
    "tionerna", "skapet", "skaperna",
];

/// Whether a person finding's text is made only of ordinary words: each word is a common
/// word (the corpora write it in lower case and never as a name) or ends like a Swedish
/// definite plural or abstract noun, and none is a known first name or surname. Such a
/// "name" is a form label or a heading the model or a context rule took for a person
/// ("Barnets", "Personuppgifterna"); a name that is also a word ("Berg", "Falk") is a known
/// name and stays.
pub fn only_ordinary_words(span_text: &str) -> bool {
    let mut words = span_text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 2)
        .peekable();
    words.peek().is_some()
        && words.all(|w| {
            let lower = w.to_lowercase();
            !is_known_name(&lower)
                && (COMMON_WORDS.contains(&lower)
                    || participle_of_common_verb(&lower)
                    || (lower.chars().count() >= 8
                        && NOUN_ENDINGS.iter().any(|e| lower.ends_with(e))))
        })
}

/// Whether `lower` is the past participle of a common first-conjugation verb: "bifogad",
/// "bifogat", "bifogade" from "bifoga" (the corpora's list has the infinitive, not every
/// form). A heading such as "FULLMAKT BIFOGAD" is not a name.
fn participle_of_common_verb(lower: &str) -> bool {
    let stem = lower
        .strip_suffix("de")
        .or_else(|| lower.strip_suffix('d'))
        .or_else(|| lower.strip_suffix('t'));
    // The list has whichever forms the corpora wrote in lower case: the infinitive, the
    // present ("bifogar") or the passive ("bifogas").
    stem.is_some_and(|s| {
        s.chars().count() >= 4
            && s.ends_with('a')
            && [String::new(), "r".into(), "s".into()]
                .iter()
                .any(|end| COMMON_WORDS.contains(&format!("{s}{end}")))
    })
}

/// How much of a text looks like real words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Plausibility {
    /// Words of three or more Latin letters.
    pub words: usize,
    /// Of those, words in the lists ([`is_known_word`]).
    pub known: usize,
    /// Visible characters.
    pub chars: usize,
    /// Of those, control characters, private-use characters and U+FFFD: what a font
    /// without a usable character map extracts.
    pub unmapped: usize,
    /// Of those, symbols that ordinary text rarely has (`! " # $ % & ' * + ; < = > ? @ [ \
    /// ] ^ ` { | } ~`): a font without a character map whose glyph numbers pdfium reads as
    /// character codes extracts runs of them (a Type3 font gave `!"#$%&'#())*"`).
    pub rare_symbols: usize,
}

/// Fewer words than this and the text says too little to be judged by its words.
pub const MIN_WORDS: usize = 6;

impl Plausibility {
    /// Adds the words and characters of `text`.
    pub fn add(&mut self, text: &str) {
        let mut word = String::new();
        let mut latin = true;
        let flush = |word: &mut String, latin: &mut bool, this: &mut Plausibility| {
            if *latin && word.chars().count() >= 3 {
                this.words += 1;
                if is_known_word(word) {
                    this.known += 1;
                }
            }
            word.clear();
            *latin = true;
        };
        for c in text.chars() {
            if c.is_whitespace() {
                flush(&mut word, &mut latin, self);
                continue;
            }
            self.chars += 1;
            if c.is_control() || c == '\u{FFFD}' || ('\u{E000}'..='\u{F8FF}').contains(&c) {
                self.unmapped += 1;
            }
            if "!\"#$%&'*+;<=>?@[\\]^`{|}~".contains(c) {
                self.rare_symbols += 1;
            }
            if c.is_alphabetic() {
                // Words in other scripts (Arabic, Cyrillic) are not judged: the lists are
                // Swedish and English.
                if !(c.is_ascii_alphabetic() || ('\u{C0}'..='\u{17F}').contains(&c)) {
                    latin = false;
                }
                word.push(c);
            } else {
                flush(&mut word, &mut latin, self);
            }
        }
        flush(&mut word, &mut latin, self);
    }

    pub fn of(text: &str) -> Self {
        let mut p = Self::default();
        p.add(text);
        p
    }

    /// Whether the text is garbage: most characters unmapped, or enough words to judge and
    /// almost none of them real. Short texts and texts in other scripts are given the
    /// benefit of the doubt (their ink is still checked against their boxes elsewhere).
    pub fn is_garbage(&self) -> bool {
        if self.chars >= 4 && self.unmapped * 3 >= self.chars {
            return true;
        }
        if self.chars >= 8 && self.rare_symbols * 4 >= self.chars {
            return true;
        }
        self.words >= MIN_WORDS && (self.known as f32) < 0.2 * self.words as f32
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A cmap shifted by one letter, as a broken font extracts.
    fn shifted(s: &str) -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphabetic() {
                    char::from(c as u8 + 1)
                } else {
                    c
                }
            })
            .collect()
    }

    const LETTER: &str = "Socialnämnden har beslutat att bevilja ekonomiskt bistånd till \
        Anna Berg för perioden januari. Beslutet kan överklagas hos förvaltningsrätten inom \
        tre veckor. Kontakta handläggaren Leila Ahmadi.";

    #[test]
    fn issue_11_dates_and_mail_headers_are_not_names() {
        let t = "Date: Tue, 5 Mar 2024 21:47:09 +0100\r\nReturn-Path: <a@example.net>\r\n\
            X-Originating-IP: [198.51.100.23]";
        for w in ["Tue", "Mar", "Return-Path", "X-Originating-IP"] {
            let start = t.find(w).unwrap();
            assert!(is_not_a_name(t, &(start..start + w.len())), "{w}");
        }
        // The same words as names.
        let t = "Handläggare Jan Berg och Tor Lind: se bilaga. Mar Andersson ringde.";
        for w in ["Jan", "Tor", "Mar"] {
            let start = t.find(w).unwrap();
            assert!(!is_not_a_name(t, &(start..start + w.len())), "{w}");
        }
        let start = t.find("Tor Lind").unwrap();
        assert!(!is_not_a_name(t, &(start..start + 8)));
    }

    #[test]
    fn issue_11_form_labels_are_ordinary_words_and_names_are_not() {
        for w in [
            "Barnets",
            "Personuppgifterna",
            "Handlingarna",
            "BEDÖMNINGEN",
            "FULLMAKT BIFOGAD",
            "Bifogade",
        ] {
            assert!(only_ordinary_words(w), "{w}");
        }
        for w in [
            "Berg",
            "Falk",
            "Anna Lund",
            "Leila Ahmadi",
            "Haddad",
            "Nguyen",
            "Sjöberg",
            "Ahmad",
            "Conrad",
            "Amanda",
        ] {
            assert!(!only_ordinary_words(w), "{w}");
        }
    }

    #[test]
    fn swedish_text_tables_and_english_are_plausible() {
        assert!(!Plausibility::of(LETTER).is_garbage());
        let table = "Namn Personnummer Adress Postnummer Ort Telefon\r\nAnna Andersson \
            850317-2382 Björkvägen 12 435 30 Mölnlycke\r\nErik Johansson Kvarngatan 7";
        assert!(!Plausibility::of(table).is_garbage());
        let english = "Received: from mail by smtp with ESMTPS. Please find the attached \
            document regarding the meeting. Best regards";
        assert!(!Plausibility::of(english).is_garbage());
        // Too little to judge, or another script: not called garbage.
        assert!(!Plausibility::of("Xqzv Wkrp").is_garbage());
        assert!(
            !Plausibility::of("مرحبا بكم في البلدية نحن هنا لمساعدتكم اليوم وغدا").is_garbage()
        );
    }

    #[test]
    fn a_wrong_cmap_and_unmapped_glyphs_are_garbage() {
        let g = shifted(LETTER);
        let p = Plausibility::of(&g);
        assert!(p.is_garbage(), "{p:?}");
        assert!(Plausibility::of("\u{3}\u{4}\u{5}\u{6} \u{FFFD}\u{FFFD}").is_garbage());
        assert!(Plausibility::of("\u{E001}\u{E002}\u{E003}\u{E004}\u{E005}").is_garbage());
        // A Type3 font without a character map, as pdfium extracts it.
        let type3 = "!\"#$%&'#())*\"$ +,-\".'(/0'*1%234\"2\"5678-9,31\"2\"5$\"$ ;\"-'+<='>?>@A??BB";
        assert!(
            Plausibility::of(type3).is_garbage(),
            "{:?}",
            Plausibility::of(type3)
        );
        // E-mail headers and legal references have some symbols, far fewer.
        let headers = "From: Anna Berg <anna.berg@example.com>; Sent: [2024-03-12] \
            Re: Ärende #4411 enligt 26 kap. 1 § OSL";
        assert!(!Plausibility::of(headers).is_garbage());
    }
}

//! Digits that OCR read as letters.
//!
//! On a scanned page OCR now and then reads a 0 as `O` or `o`, a 1 as `l`, `I` or `|`, a 5
//! as `S`, an 8 as `B`: "19870412-2384" becomes "1987O412-2384", and a personnummer with a
//! letter in it matches no pattern — the worst kind of miss. [`fold`] writes such digits back
//! as digits, in number-like tokens only, so the number detectors can run over the folded
//! text as a second reading (see [`crate::Analyzer::run_detectors`]).
//!
//! A token (a run of non-space characters) is folded when, apart from punctuation, it holds
//! only digits and these letters, at least two digits, and at least twice as many digits as
//! letters: "87O412-2384" and "O70-174" are numbers, "SOS", "Bo", "I" and "lgh" are not.
//! Each replacement is one ASCII byte for one ASCII byte, so every byte offset of the folded
//! text is the same as in the original and findings map back unchanged. What the folded text
//! yields still has to pass each detector's own validation (a date and the Luhn check for a
//! personnummer); only findings that cover a folded character are new.

use std::ops::Range;

use super::util::is_space;

/// The digit OCR most likely meant by a letter, or `None`.
fn as_digit(c: char) -> Option<u8> {
    match c {
        'O' | 'o' => Some(b'0'),
        'I' | 'l' | '|' => Some(b'1'),
        'S' => Some(b'5'),
        'B' => Some(b'8'),
        _ => None,
    }
}

/// The text with letters read for digits inside number-like tokens written back as digits,
/// and the byte ranges of the tokens that changed; `None` when nothing changed.
pub fn fold(text: &str) -> Option<(String, Vec<Range<usize>>)> {
    let mut bytes: Option<Vec<u8>> = None;
    let mut changed = Vec::new();
    let mut start = None;
    // Walk tokens: maximal runs of non-space characters.
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if !is_space(c) {
            start.get_or_insert(i);
            continue;
        }
        let Some(s) = start.take() else { continue };
        let token = &text[s..i];
        let (mut digits, mut letters) = (0usize, 0usize);
        let mut other_letter = false;
        for t in token.chars() {
            if t.is_ascii_digit() {
                digits += 1;
            } else if as_digit(t).is_some() {
                letters += 1;
            } else if t.is_alphanumeric() {
                other_letter = true;
            }
        }
        if other_letter || letters == 0 || digits < 2 || digits < 2 * letters {
            continue;
        }
        let b = bytes.get_or_insert_with(|| text.as_bytes().to_vec());
        for (k, t) in token.char_indices() {
            if let Some(d) = as_digit(t) {
                b[s + k] = d;
            }
        }
        changed.push(s..i);
    }
    let bytes = bytes?;
    // Only ASCII bytes were replaced by ASCII bytes: still UTF-8.
    String::from_utf8(bytes).ok().map(|t| (t, changed))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn folded(text: &str) -> Option<String> {
        fold(text).map(|(t, _)| t)
    }

    #[test]
    fn letters_in_numbers_become_digits() {
        assert_eq!(
            folded("Personnummer 1987O412-2384, tel O70-l74 06 05.").as_deref(),
            Some("Personnummer 19870412-2384, tel 070-174 06 05.")
        );
        assert_eq!(folded("(87O4l2-2384)").as_deref(), Some("(870412-2384)"));
        let (t, changed) = fold("Åsa 87O412-2384").unwrap();
        assert_eq!(&t[changed[0].clone()], "870412-2384");
        assert_eq!(t.len(), "Åsa 87O412-2384".len());
    }

    #[test]
    fn words_and_clean_numbers_are_left_alone() {
        for t in [
            "SOS Alarm, Bo Ek, I dag, lgh 1102, 870412-2384",
            "Box 123",
            "4O",
            "IOS",
            "Storgatan 1O",
        ] {
            assert_eq!(folded(t), None, "{t}");
        }
    }
}

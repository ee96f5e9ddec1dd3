//! Small helpers shared by the detectors.

use std::ops::Range;

/// True when `c` separates words the way a space does (including NBSP and thin spaces).
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{00A0}' || c == '\u{202F}' || c == '\u{2009}'
}

/// The Luhn (mod 10) check over a string of ASCII digits.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 {
                    dd - 9
                } else {
                    dd
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// Only the ASCII digits of `s`.
pub fn digits_of(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_digit()).collect()
}

/// Whether any of `words` (lower-case) occurs in the `window` bytes before `span` (or just
/// after it), as a whole word, case-insensitively.
pub fn has_context(text: &str, span: &Range<usize>, words: &[&str], window: usize) -> bool {
    let start = floor_char_boundary(text, span.start.saturating_sub(window));
    let end = ceil_char_boundary(text, (span.end + window / 3).min(text.len()));
    let before = text[start..span.start].to_lowercase();
    let after = text[span.end..end].to_lowercase();
    words
        .iter()
        .any(|w| contains_word(&before, w) || contains_word(&after, w))
}

fn contains_word(hay: &str, word: &str) -> bool {
    let mut from = 0;
    while let Some(pos) = hay[from..].find(word) {
        let s = from + pos;
        let e = s + word.len();
        let before_ok = hay[..s]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = hay[e..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return true;
        }
        from = e;
    }
    false
}

/// The largest char boundary `<= i`.
pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary `>= i`.
pub fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// True when the characters just before and after `span` are not letters or digits, i.e. the
/// match is a whole token (regex `\b` does not treat `-` and digits the way numbers need).
pub fn is_standalone(text: &str, span: &Range<usize>) -> bool {
    let before = text[..span.start].chars().next_back();
    let after = text[span.end..].chars().next();
    before.is_none_or(|c| !c.is_alphanumeric())
        && after.is_none_or(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_known_values() {
        assert!(luhn_valid("8112189876"));
        assert!(!luhn_valid("8112189875"));
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid(""));
    }

    #[test]
    fn context_is_a_whole_word() {
        let t = "Personnummer: 811218-9876";
        let s = t.find('8').unwrap();
        assert!(has_context(t, &(s..t.len()), &["personnummer"], 40));
        assert!(!has_context("Xpnr 811218-9876", &(5..16), &["pnr"], 40));
    }
}

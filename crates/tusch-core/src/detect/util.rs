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
    sum.is_multiple_of(10)
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
    before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
}

/// Patterns use the ASCII word boundary `(?-u:\b)` rather than `\b`: the Unicode one makes
/// the regex crate leave its fast DFA on any non-ASCII text (every Swedish page), which costs
/// a factor of ten. Where a letter such as "ö" next to a match matters, the detectors check
/// [`is_standalone`] afterwards.
///
/// A regex character class matching one horizontal space as documents write it: a plain
/// space, a tab, NBSP, the narrow and thin spaces and the other Unicode spaces. Line breaks are
/// not in it, so a pattern using it stays on one line.
pub const HS: &str = r"[\t\x20\u{00A0}\u{2000}-\u{200A}\u{202F}\u{205F}\u{3000}]";

/// A regex character class matching one dash as documents write it inside numbers: the ASCII
/// hyphen-minus, the Unicode hyphens, the figure dash, the en dash and the minus sign.
pub const DASH: &str = r"[-\u{2010}-\u{2013}\u{2212}]";

/// True when `c` is a horizontal space (see [`HS`]).
pub fn is_hspace(c: char) -> bool {
    c == ' '
        || c == '\t'
        || c == '\u{00A0}'
        || ('\u{2000}'..='\u{200A}').contains(&c)
        || c == '\u{202F}'
        || c == '\u{205F}'
        || c == '\u{3000}'
}

/// True when `span` is a whole number token: [`is_standalone`], and not glued to more digits
/// by a punctuation mark (`2024/1234-5`, `1.2.3.4.5`, `12-811218-9876`), so that a part of a
/// longer number is never taken for the whole.
pub fn is_number_token(text: &str, span: &Range<usize>) -> bool {
    if !is_standalone(text, span) {
        return false;
    }
    let mut before = text[..span.start].chars().rev();
    if let (Some(p), Some(pp)) = (before.next(), before.next()) {
        if matches!(
            p,
            '-' | '/' | '.' | ',' | '+' | ':' | '\u{2010}'..='\u{2013}'
        ) && pp.is_ascii_digit()
        {
            return false;
        }
    }
    let mut after = text[span.end..].chars();
    if let (Some(n), Some(nn)) = (after.next(), after.next()) {
        if matches!(n, '-' | '/' | '.' | ',' | ':' | '\u{2010}'..='\u{2013}') && nn.is_ascii_digit()
        {
            return false;
        }
    }
    true
}

/// True when `span` is a whole number as far as digits go: no digit right before or after it,
/// and not glued to more digits by a punctuation mark (`2024/1234-5`, `1.2.3.4.5`,
/// `12-811218-9876`), so that a part of a longer number is never taken for the whole.
///
/// Letters may touch the number. A text layer or an OCR reading often glues a number to the
/// word beside it ("070-174 06 67kl", "pnr:8503172382,", "850317-2382x"), and a number that
/// validates is personal data however it is glued; a word boundary (`\b`, or
/// [`is_standalone`]) would miss it. The number detectors use this; the patterns that are
/// made of letters and digits (registration numbers) keep [`is_number_token`].
pub fn is_digit_bounded(text: &str, span: &Range<usize>) -> bool {
    let mut before = text[..span.start].chars().rev();
    match (before.next(), before.next()) {
        (Some(p), _) if p.is_numeric() => return false,
        (Some(p), Some(pp))
            if matches!(
                p,
                '-' | '/' | '.' | ',' | '+' | ':' | '\u{2010}'..='\u{2013}'
            ) && pp.is_ascii_digit() =>
        {
            return false
        }
        _ => {}
    }
    let mut after = text[span.end..].chars();
    match (after.next(), after.next()) {
        (Some(n), _) if n.is_numeric() => false,
        (Some(n), Some(nn))
            if matches!(n, '-' | '/' | '.' | ',' | ':' | '\u{2010}'..='\u{2013}')
                && nn.is_ascii_digit() =>
        {
            false
        }
        _ => true,
    }
}

/// Two lines glued where a number may have been wrapped: the line before a break ends with a
/// digit (or a dash after a digit) and the line after it starts with one. Table cells in a
/// text layer are often separate lines too, so a number split over two cells is the same
/// case: "070-174 06\r\n67", "850317-\r\n2382", "8503\r\n17-2382".
///
/// A detector runs its pattern over [`LineJoin::text`] and keeps only what crosses the join
/// *and validates*: joining is a hypothesis that the checksum or the number's shape must
/// confirm, never a licence to read two plain numbers as one.
#[derive(Clone, PartialEq, Eq)]
pub struct LineJoin {
    /// The end of one line, `glue`, and the start of the next, without the break and the
    /// spaces around it.
    pub text: String,
    first_start: usize,
    first_len: usize,
    glue_len: usize,
    second_start: usize,
}

// Document text stays out of Debug output.
impl std::fmt::Debug for LineJoin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineJoin")
            .field("first_start", &self.first_start)
            .field("second_start", &self.second_start)
            .finish_non_exhaustive()
    }
}

impl LineJoin {
    /// The page span of a span of [`LineJoin::text`] that starts before the join and ends
    /// after it; `None` for a span on one side only.
    pub fn crossing_span(&self, span: &Range<usize>) -> Option<Range<usize>> {
        let second = self.first_len + self.glue_len;
        (span.start < self.first_len && span.end > second)
            .then(|| self.first_start + span.start..self.second_start + (span.end - second))
    }
}

/// Appended to the rule of a finding that [`LineJoin`] found over a line break, so the
/// explanation says the number was read across two lines.
pub const ACROSS_LINES: &str = "_across_lines";

/// Every line break with a digit (or a digit and a dash) before it and a digit after it,
/// as the two lines glued with `glue` in between. Only one break is ever crossed: the glued
/// text is the line before and the line after.
pub fn number_line_joins(text: &str, glue: &str) -> Vec<LineJoin> {
    let mut joins = Vec::new();
    for (nl, _) in text.match_indices('\n') {
        let head = text[..nl].strip_suffix('\r').unwrap_or(&text[..nl]);
        let first_end = head.trim_end_matches(is_hspace).len();
        let mut tail = head[..first_end].chars().rev();
        let ends_like_number = match (tail.next(), tail.next()) {
            (Some(c), _) if c.is_ascii_digit() => true,
            (Some(c), Some(d)) => matches!(c, '-' | '\u{2010}'..='\u{2013}') && d.is_ascii_digit(),
            _ => false,
        };
        let rest = &text[nl + 1..];
        let second_start = nl + 1 + (rest.len() - rest.trim_start_matches(is_hspace).len());
        if !ends_like_number || !text[second_start..].starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let first_start = head[..first_end].rfind('\n').map_or(0, |i| i + 1);
        let second_end = text[second_start..]
            .find(['\r', '\n'])
            .map_or(text.len(), |i| second_start + i);
        let mut joined = String::with_capacity(second_end - first_start);
        joined.push_str(&text[first_start..first_end]);
        joined.push_str(glue);
        joined.push_str(&text[second_start..second_end]);
        joins.push(LineJoin {
            text: joined,
            first_start,
            first_len: first_end - first_start,
            glue_len: glue.len(),
            second_start,
        });
    }
    joins
}

/// True when the span is not continued by a thousands group after a single space on either
/// side (`1 250 000`), for patterns that themselves allow a space between groups. A longer
/// number after a space (a table row: "870412 2384 0701740605") is a number of its own.
pub fn not_in_spaced_number(text: &str, span: &Range<usize>) -> bool {
    fn group_len(mut chars: impl Iterator<Item = char>) -> usize {
        if !chars.next().is_some_and(is_hspace) {
            return 0;
        }
        chars.take_while(char::is_ascii_digit).count()
    }
    let before = group_len(text[..span.start].chars().rev());
    let after = group_len(text[span.end..].chars());
    !(1..=3).contains(&before) && !(1..=3).contains(&after)
}

/// A sorted word list (one entry a line, byte order) embedded in the binary, searched by
/// binary search. The lists are built by hand-run scripts described in `data/README.md`.
#[derive(Debug)]
pub struct WordList {
    words: Vec<&'static str>,
}

impl WordList {
    /// Parses a list; lines are trimmed and empty lines skipped. The list is sorted here
    /// too, so an unsorted file cannot silently break the lookup.
    pub fn new(text: &'static str) -> Self {
        let mut words: Vec<&'static str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        words.sort_unstable();
        words.dedup();
        Self { words }
    }

    /// Whether `word` (already in the list's case) is in the list.
    pub fn contains(&self, word: &str) -> bool {
        self.words.binary_search(&word).is_ok()
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// `word` with the Swedish diacritics dropped: å and ä become a, ö becomes o, é e, ü u
/// (either case). OCR of a grey scan often loses the ring and the dots, and some systems
/// print names in ASCII only ("VASTRA FROLUNDA"); comparing folded forms finds them in
/// lists that spell them properly.
pub fn fold_diacritics(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'å' | 'ä' | 'à' | 'á' => 'a',
            'Å' | 'Ä' | 'À' | 'Á' => 'A',
            'ö' | 'ø' | 'ó' => 'o',
            'Ö' | 'Ø' | 'Ó' => 'O',
            'é' | 'è' => 'e',
            'É' | 'È' => 'E',
            'ü' => 'u',
            'Ü' => 'U',
            c => c,
        })
        .collect()
}

/// Whether one of `words` (lower-case) occurs as a whole word in the `window` bytes before
/// `at`, on the same line. For context that must be close and must not leak across lines,
/// e.g. a negative context word ("bankgiro") that should lower only the number it labels.
pub fn context_before(text: &str, at: usize, words: &[&str], window: usize) -> bool {
    let before = line_before(text, at, window).to_lowercase();
    words.iter().any(|w| contains_word(&before, w))
}

/// The text of the line holding byte offset `at`, up to `at`, at most `window` bytes.
pub fn line_before(text: &str, at: usize, window: usize) -> &str {
    let start = floor_char_boundary(text, at.saturating_sub(window));
    let seg = &text[start..at];
    match seg.rfind('\n') {
        Some(i) => &seg[i + 1..],
        None => seg,
    }
}

/// Whether the value at `at` starts its line and the line before is one of `words` alone
/// (a label, lower-case, punctuation around it ignored): a form or table cell read by OCR
/// one cell per line, "Plusgiro\r\n48 77 12-2".
/// Whether one of `words` (lower case, whole words) occurs in the `max_lines` lines before
/// the one holding byte `at`: a table's column header ("Bankkonto (clearing, konto)")
/// above its rows.
pub fn context_in_lines_above(text: &str, at: usize, words: &[&str], max_lines: usize) -> bool {
    let head = &text[..floor_char_boundary(text, at)];
    let Some(line_start) = head.rfind('\n') else {
        return false;
    };
    head[..line_start].rsplit('\n').take(max_lines).any(|line| {
        let lower = line.to_lowercase();
        words.iter().any(|w| contains_word(&lower, w))
    })
}

pub fn label_line_above(text: &str, at: usize, words: &[&str]) -> bool {
    let head = &text[..at];
    let Some(nl) = head.rfind('\n') else {
        return false;
    };
    if !head[nl + 1..].trim().is_empty() {
        return false;
    }
    let above = head[..nl].trim_end_matches(['\r', '\n']);
    let line = match above.rfind('\n') {
        Some(i) => &above[i + 1..],
        None => above,
    };
    let label = line
        .trim()
        .trim_matches(|c: char| c == ':' || c == '|' || c == '.' || c.is_whitespace())
        .to_lowercase();
    words.contains(&label.as_str())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_label_alone_on_the_line_above() {
        let t = "Bankgiro\r\n5402-7750\r\nPlusgiro:\r\n48 77 12-2";
        let at = t.find("48").unwrap();
        assert!(label_line_above(t, at, &["plusgiro"]));
        assert!(!label_line_above(t, t.find("5402").unwrap(), &["plusgiro"]));
        assert!(!label_line_above(
            "Plusgiro och\r\n48 77 12-2",
            14,
            &["plusgiro"]
        ));
        assert!(!label_line_above("48 77 12-2", 0, &["plusgiro"]));
    }

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

    #[test]
    fn number_tokens_are_not_parts_of_longer_numbers() {
        let t = "2024/1234-5 och 1234-5";
        assert!(!is_number_token(t, &(5..11)));
        assert!(is_number_token(t, &(16..22)));
        let t = "1 250 000";
        assert!(!not_in_spaced_number(t, &(2..5)));
        assert!(not_in_spaced_number(t, &(0..9)));
        let t = "870412 2384 0701740605";
        assert!(not_in_spaced_number(t, &(0..11)));
    }

    #[test]
    fn digit_boundaries_let_letters_touch_a_number() {
        let t = "850317-2382x";
        assert!(is_digit_bounded(t, &(0..11)));
        assert!(!is_standalone(t, &(0..11)));
        let t = "ring 0701740667kl 9";
        assert!(is_digit_bounded(t, &(5..15)));
        let t = "pnr:8503172382,";
        assert!(is_digit_bounded(t, &(4..14)));
        // Still never a part of a longer digit run.
        for (t, span) in [
            ("18503172382", 1..11),
            ("85031723821", 0..10),
            ("2024/1234-5", 5..11),
            ("12-850317-2382", 3..14),
            ("850317-2382-01", 0..11),
        ] {
            assert!(!is_digit_bounded(t, &span), "{t}");
        }
    }

    #[test]
    fn lines_are_joined_only_where_a_number_may_wrap() {
        let t = "Tel 070-174 06 \r\n  67 kl 9\r\nSida 2\r\n3 st\r\n850317-\r\n2382";
        let joins = number_line_joins(t, " ");
        let texts: Vec<&str> = joins.iter().map(|j| j.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["Tel 070-174 06 67 kl 9", "Sida 2 3 st", "850317- 2382"]
        );
        // "070-174 06 67" in the first join crosses; "Tel" alone does not.
        let j = &joins[0];
        let span = j.crossing_span(&(4..17)).unwrap();
        assert_eq!(&t[span], "070-174 06 \r\n  67");
        assert!(j.crossing_span(&(0..3)).is_none());
        assert!(j.crossing_span(&(16..18)).is_none());
        let joins = number_line_joins("8503\r\n17-2382", "");
        assert_eq!(joins[0].text, "850317-2382");
        assert_eq!(joins[0].crossing_span(&(0..11)), Some(0..13));
        assert!(number_line_joins("Ekeby\r\n12\r\nx", "").is_empty());
        assert!(format!("{:?}", joins[0]).find("8503").is_none());
    }

    #[test]
    fn word_list_sorts_and_finds() {
        let l = WordList::new("b\na\n\nc\n");
        assert!(l.contains("a") && l.contains("c") && !l.contains("d"));
        assert_eq!(l.len(), 3);
    }
}

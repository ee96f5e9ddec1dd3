//! Normalisation: the one rule that turns a string (a decision, an IT seed, a page's
//! n-gram) into what is hashed, so that "Åsa  Lindqvist", "ÅSA LINDQVISTS" and
//! "åsa lindqvist's" are one entry.
//!
//! The rule, in order:
//!
//! 1. **Tokens.** A token is a run of letters and digits; everything else (spaces, line
//!    breaks, hyphens, slashes, punctuation) separates tokens. A genitive ending written
//!    with an apostrophe or colon (`'s`, `’s`, `:s`) stays with its token. So
//!    "Anna-Karin" is two tokens, and "ÄR-2023/0412" is three.
//! 2. **Lower case**, by Unicode's rules (`Å` → `å`).
//! 3. **Genitive.** A trailing `'s`, `’s` or `:s` is removed; a trailing plain `s` is
//!    removed when the token is longer than 3 letters ("Annas" → "anna", "Lars" → "lar",
//!    "Ros" stays "ros"). The same rule runs on both sides, so a name ending in s
//!    ("Lars", "Hans") still matches itself; it also means "Hans" and the pronoun "han"
//!    share a hash — why single short first names make poor entries.
//! 4. **Joined** with one space: whitespace is collapsed by construction.
//!
//! Matching looks at n-grams of up to [`MAX_TOKENS`] tokens; longer strings cannot be
//! entries.

use std::ops::Range;

/// The most tokens an entry can have (the longest n-gram matched).
pub const MAX_TOKENS: usize = 4;

/// A token of a page: its byte span in the text and its normalised form.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    pub span: Range<usize>,
    pub norm: String,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the text.
        write!(f, "Token({:?})", self.span)
    }
}

/// The word tokens of `text`, in order, each normalised (rules 1–3).
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut iter = text.char_indices().peekable();
    while let Some((start, c)) = iter.next() {
        if !c.is_alphanumeric() {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, c)) = iter.peek() {
            if !c.is_alphanumeric() {
                break;
            }
            end = i + c.len_utf8();
            iter.next();
        }
        // An apostrophe or colon genitive belongs to the token.
        let rest = &text[end..];
        for sep in ['\'', '’', ':'] {
            if let Some(after) = rest.strip_prefix(sep) {
                if let Some(after_s) = after.strip_prefix(['s', 'S']) {
                    if after_s.chars().next().is_none_or(|c| !c.is_alphanumeric()) {
                        let len = sep.len_utf8() + 1;
                        end += len;
                        for _ in 0..2 {
                            iter.next();
                        }
                        break;
                    }
                }
            }
        }
        out.push(Token {
            span: start..end,
            norm: normalise_token(&text[start..end]),
        });
    }
    out
}

/// Rules 2 and 3 for one token.
fn normalise_token(token: &str) -> String {
    let lower = token.to_lowercase();
    for suffix in ["'s", "’s", ":s"] {
        if let Some(stem) = lower.strip_suffix(suffix) {
            return stem.to_owned();
        }
    }
    let letters = lower.chars().filter(|c| c.is_alphabetic()).count();
    if letters > 3 && lower.chars().all(char::is_alphabetic) {
        if let Some(stem) = lower.strip_suffix('s') {
            return stem.to_owned();
        }
    }
    lower
}

/// The normalised form of a whole string (rules 1–4), or `None` when it has no token or
/// more than [`MAX_TOKENS`].
pub fn normalise(s: &str) -> Option<String> {
    let t = tokens(s);
    if t.is_empty() || t.len() > MAX_TOKENS {
        return None;
    }
    Some(join(&t))
}

pub(crate) fn join(tokens: &[Token]) -> String {
    let mut s = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&t.norm);
    }
    s
}

/// A personnummer (or samordningsnummer) as 12 digits without separators. Accepts 10 or 12
/// digits with or without `-` or `+` before the last four; a 10-digit number gets the
/// century that makes the person 0–99 years old in `this_year` (100 or more with `+`).
pub fn normalise_pnr(s: &str, this_year: u32) -> Option<String> {
    let s = s.trim();
    let plus = s.contains('+');
    let digits: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | '+' | ' '))
        .collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || s.matches(['-', '+']).count() > 1 {
        return None;
    }
    match digits.len() {
        12 => Some(digits),
        10 => {
            let yy: u32 = digits[..2].parse().ok()?;
            let mut year = this_year - (this_year % 100) + yy;
            if year > this_year {
                year -= 100;
            }
            if plus {
                year -= 100;
            }
            Some(format!("{}{}", year / 100, digits))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_whitespace_and_genitive_are_one_form() {
        let want = Some("åsa lindqvist".to_owned());
        for s in [
            "Åsa Lindqvist",
            "ÅSA   LINDQVIST",
            "åsa\r\nlindqvist",
            "Åsa Lindqvists",
            "Åsa Lindqvist's",
            "Åsa Lindqvist’s",
            " Åsa Lindqvist: ",
        ] {
            assert_eq!(normalise(s), want, "{s:?}");
        }
        assert_eq!(normalise("Annas"), Some("anna".into()));
        assert_eq!(normalise("Ros"), Some("ros".into()));
        assert_eq!(normalise("SVT:s"), Some("svt".into()));
        assert_eq!(normalise("ÄR-2023/0412"), Some("är 2023 0412".into()));
        assert_eq!(
            normalise("12s"),
            Some("12s".into()),
            "digits are not genitive"
        );
        assert_eq!(normalise(" - "), None);
        assert_eq!(normalise("ett två tre fyra fem"), None);
    }

    #[test]
    fn tokens_keep_byte_spans() {
        let text = "Hos Åsa Lindqvist's, ärende ÄR-12.";
        let t = tokens(text);
        let got: Vec<&str> = t.iter().map(|t| &text[t.span.clone()]).collect();
        assert_eq!(got, ["Hos", "Åsa", "Lindqvist's", "ärende", "ÄR", "12"]);
        assert_eq!(t[2].norm, "lindqvist");
    }

    #[test]
    fn personnummer_forms() {
        for s in ["19850317-2382", "198503172382", "850317-2382", "8503172382"] {
            assert_eq!(
                normalise_pnr(s, 2025).as_deref(),
                Some("198503172382"),
                "{s}"
            );
        }
        assert_eq!(
            normalise_pnr("120317-2382", 2025).as_deref(),
            Some("201203172382")
        );
        assert_eq!(
            normalise_pnr("120317+2382", 2025).as_deref(),
            Some("191203172382")
        );
        assert_eq!(normalise_pnr("85031-2382", 2025), None);
        assert_eq!(normalise_pnr("abc", 2025), None);
    }
}

//! From per-token probabilities to entity spans in the page text.
//!
//! 1. softmax per token;
//! 2. BIO decoding on the arg-max labels, tolerant of what a model really emits: an `I-X`
//!    without a `B-X` starts an entity, an `I-Y` after `X` starts a new one;
//! 3. an entity's score is the mean over its tokens of the probability of its type
//!    (`P(B-X) + P(I-X)`), so a confident name split into pieces scores like a whole word;
//! 4. token offsets become byte ranges, trimmed of spaces and punctuation and extended to
//!    whole words — a name is never cut mid-word, whichever of its pieces the model missed;
//! 5. entities of one type that now overlap (two pieces of one hyphenated word) are joined.

use std::ops::Range;

/// What one output class means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Outside,
    Begin(usize),
    Inside(usize),
}

/// The model's labels, parsed once.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelSet {
    pub tags: Vec<Tag>,
    /// Entity type names (`"PER"`, …), indexed by the number in [`Tag`].
    pub types: Vec<String>,
}

impl LabelSet {
    /// Parses labels like `["O", "B-PER", "I-PER", …]`; unknown shapes are `Outside`.
    pub fn new(labels: &[String]) -> Self {
        let mut types: Vec<String> = Vec::new();
        let mut type_index = |t: &str| match types.iter().position(|x| x == t) {
            Some(i) => i,
            None => {
                types.push(t.to_owned());
                types.len() - 1
            }
        };
        let tags = labels
            .iter()
            .map(|l| match l.split_once('-') {
                Some(("B", t)) if !t.is_empty() => Tag::Begin(type_index(t)),
                Some(("I", t)) if !t.is_empty() => Tag::Inside(type_index(t)),
                _ => Tag::Outside,
            })
            .collect();
        Self { tags, types }
    }

    /// `P(B-X) + P(I-X)` for type `x`.
    fn type_prob(&self, probs: &[f32], x: usize) -> f32 {
        self.tags
            .iter()
            .zip(probs)
            .filter(|(t, _)| matches!(t, Tag::Begin(y) | Tag::Inside(y) if *y == x))
            .map(|(_, p)| p)
            .sum()
    }
}

/// Numerically stable softmax.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    if !(sum.is_finite() && sum > 0.0) {
        return vec![0.0; logits.len()];
    }
    exp.into_iter().map(|e| e / sum).collect()
}

/// An entity over a run of tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenEntity {
    pub kind: usize,
    pub tokens: Range<usize>,
    pub score: f32,
}

/// BIO decoding of per-token probabilities.
pub fn decode(probs: &[Vec<f32>], labels: &LabelSet) -> Vec<TokenEntity> {
    let mut out: Vec<TokenEntity> = Vec::new();
    let mut current: Option<(usize, usize)> = None; // (type, first token)
    let close = |out: &mut Vec<TokenEntity>, kind: usize, start: usize, end: usize| {
        let score = (start..end)
            .map(|t| labels.type_prob(&probs[t], kind))
            .sum::<f32>()
            / (end - start) as f32;
        out.push(TokenEntity {
            kind,
            tokens: start..end,
            score,
        });
    };
    for (t, p) in probs.iter().enumerate() {
        let best = p
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(i, _)| i);
        let tag = labels.tags.get(best).copied().unwrap_or(Tag::Outside);
        match (tag, current) {
            (Tag::Inside(x), Some((y, _))) if x == y => {}
            (Tag::Begin(x) | Tag::Inside(x), cur) => {
                if let Some((y, s)) = cur {
                    close(&mut out, y, s, t);
                }
                current = Some((x, t));
            }
            (Tag::Outside, cur) => {
                if let Some((y, s)) = cur {
                    close(&mut out, y, s, t);
                }
                current = None;
            }
        }
    }
    if let Some((y, s)) = current {
        close(&mut out, y, s, probs.len());
    }
    out
}

/// Characters that join the parts of one word: "Öberg-Lind", "O'Brien", "Berg:s".
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '‐' | '\'' | '’' | ':')
}

/// A byte range trimmed of non-alphanumeric characters at both ends and then extended to
/// whole words. `None` when nothing alphanumeric is left.
pub fn word_span(text: &str, span: Range<usize>) -> Option<Range<usize>> {
    let end = span.end.min(text.len());
    let start = span.start.min(end);
    if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return None;
    }
    let inner = &text[start..end];
    let lead = inner.len()
        - inner
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .len();
    let trail = inner.len() - inner.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    if lead + trail >= inner.len() {
        return None;
    }
    let (mut start, mut end) = (start + lead, end - trail);
    // Backwards: letters, or a joiner with a letter before it.
    loop {
        let mut before = text[..start].chars().rev();
        match (before.next(), before.next()) {
            (Some(c), _) if c.is_alphanumeric() => start -= c.len_utf8(),
            (Some(j), Some(c)) if is_joiner(j) && c.is_alphanumeric() => {
                start -= j.len_utf8() + c.len_utf8();
            }
            _ => break,
        }
    }
    loop {
        let mut after = text[end..].chars();
        match (after.next(), after.next()) {
            (Some(c), _) if c.is_alphanumeric() => end += c.len_utf8(),
            (Some(j), Some(c)) if is_joiner(j) && c.is_alphanumeric() => {
                end += j.len_utf8() + c.len_utf8();
            }
            _ => break,
        }
    }
    Some(start..end)
}

/// Joins overlapping spans of the same kind (sorted by start), keeping the higher score.
pub fn join_overlaps(
    mut spans: Vec<(Range<usize>, usize, f32)>,
) -> Vec<(Range<usize>, usize, f32)> {
    spans.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(a.1.cmp(&b.1)));
    let mut out: Vec<(Range<usize>, usize, f32)> = Vec::with_capacity(spans.len());
    for s in spans {
        if let Some(last) = out
            .iter_mut()
            .rev()
            .take_while(|l| l.0.end > s.0.start)
            .find(|l| l.1 == s.1)
        {
            last.0.end = last.0.end.max(s.0.end);
            last.2 = last.2.max(s.2);
            continue;
        }
        out.push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn labels() -> LabelSet {
        let l: Vec<String> = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        LabelSet::new(&l)
    }

    fn onehot(i: usize, p: f32) -> Vec<f32> {
        let mut v = vec![(1.0 - p) / 6.0; 7];
        v[i] = p;
        v
    }

    #[test]
    fn softmax_is_stable_and_sums_to_one() {
        let p = softmax(&[1000.0, 1000.0, -1000.0]);
        assert!((p[0] - 0.5).abs() < 1e-6 && (p[1] - 0.5).abs() < 1e-6 && p[2] < 1e-6);
        assert!((softmax(&[0.1, 0.2, 0.3]).iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert_eq!(softmax(&[f32::NAN, 1.0]), vec![0.0, 0.0]);
    }

    #[test]
    fn bio_joins_b_and_i_and_tolerates_i_without_b() {
        // O B-PER I-PER O I-LOC I-LOC B-PER B-PER I-ORG
        let seq = [0, 1, 2, 0, 4, 4, 1, 1, 6];
        let probs: Vec<Vec<f32>> = seq.iter().map(|&i| onehot(i, 0.9)).collect();
        let e = decode(&probs, &labels());
        let got: Vec<(usize, Range<usize>)> =
            e.iter().map(|e| (e.kind, e.tokens.clone())).collect();
        assert_eq!(
            got,
            vec![(0, 1..3), (1, 4..6), (0, 6..7), (0, 7..8), (2, 8..9)]
        );
        // Type probability: 0.9 plus I-PER's share of the rest.
        assert!((e[0].score - (0.9 + 0.1 / 6.0)).abs() < 1e-5);
    }

    #[test]
    fn entity_score_is_the_mean_of_its_tokens_type_probability() {
        let probs = vec![onehot(1, 0.9), onehot(2, 0.5)];
        let e = decode(&probs, &labels());
        assert_eq!(e.len(), 1);
        let expect = ((0.9 + 0.1 / 6.0) + (0.5 + 0.5 / 6.0)) / 2.0;
        assert!((e[0].score - expect).abs() < 1e-5, "{}", e[0].score);
    }

    #[test]
    fn spans_are_trimmed_and_extended_to_whole_words() {
        let t = "Till (Kerstin Öberg-Lind), Västerås.";
        let k = t.find("Kerstin").unwrap();
        // A token range starting at "(" and ending inside "Öberg".
        let got = word_span(t, k - 1..t.find("berg").unwrap() + 2).unwrap();
        assert_eq!(&t[got], "Kerstin Öberg-Lind");
        // A piece in the middle of a word grows to the word.
        let l = t.find("Lind").unwrap();
        assert_eq!(&t[word_span(t, l..l + 2).unwrap()], "Öberg-Lind");
        let v = t.find("ter").unwrap();
        assert_eq!(&t[word_span(t, v..v + 3).unwrap()], "Västerås");
        // Only punctuation: nothing.
        assert_eq!(word_span(t, t.len() - 1..t.len()), None);
        // Out of range or inside a character: nothing, never a panic.
        assert_eq!(word_span(t, 0..10_000).map(|r| r.end), Some(t.len() - 1));
        let a = t.find('å').unwrap();
        assert_eq!(word_span(t, a + 1..a + 2), None);
        // Colon genitive belongs to the word.
        let s = "Anna Berg:s bil";
        assert_eq!(&s[word_span(s, 5..7).unwrap()], "Berg:s");
    }

    #[test]
    fn overlapping_pieces_of_one_kind_join() {
        let j = join_overlaps(vec![(5..15, 0, 0.6), (0..10, 0, 0.9), (3..8, 1, 0.7)]);
        assert_eq!(j, vec![(0..15, 0, 0.9), (3..8, 1, 0.7)]);
    }
}

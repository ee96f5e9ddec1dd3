//! The text layer: a page's text with one box per character.
//!
//! Every `char` of [`TextLayer::text`] has exactly one [`TextChar`] entry, in order, holding
//! its byte offset and its box in user space (or `None` for characters the PDF library
//! generated, such as the line breaks between text lines). A detector's byte span therefore
//! maps to rectangles by lookup, never by searching for the text again — which is what makes
//! masks land on the right glyphs even when the same string occurs twice on a page.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::geom::{PageGeometry, Rect};

/// One character of a text layer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TextChar {
    /// Byte offset of the character in [`TextLayer::text`].
    pub byte: u32,
    /// The character's (loose) box in user space; `None` when it has no glyph.
    pub rect: Option<Rect>,
    /// OCR read the word this character belongs to with low confidence: what stands
    /// here may not be what the text says (see `detect::ocr_doubt`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uncertain: bool,
}

/// A page's text with a box per character. Its `Debug` output never shows the text.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TextLayer {
    text: String,
    chars: Vec<TextChar>,
}

impl fmt::Debug for TextLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Personal data must never reach logs: show only the shape of the layer.
        f.debug_struct("TextLayer")
            .field("bytes", &self.text.len())
            .field("chars", &self.chars.len())
            .finish()
    }
}

impl TextLayer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one character with its box.
    pub fn push(&mut self, c: char, rect: Option<Rect>) {
        self.push_read(c, rect, false);
    }

    /// Appends one character with its box, marked `uncertain` when OCR read it with low
    /// confidence.
    pub fn push_read(&mut self, c: char, rect: Option<Rect>, uncertain: bool) {
        let rect = rect.filter(|r| !r.is_degenerate());
        self.chars.push(TextChar {
            byte: self.text.len() as u32,
            rect,
            uncertain,
        });
        self.text.push(c);
    }

    /// Byte ranges of the runs of uncertain characters, in order.
    pub fn uncertain_spans(&self) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        for (i, c) in self.chars.iter().enumerate() {
            if !c.uncertain {
                continue;
            }
            let start = c.byte as usize;
            let end = self
                .chars
                .get(i + 1)
                .map_or(self.text.len(), |n| n.byte as usize);
            match out.last_mut() {
                Some(last) if last.end == start => last.end = end,
                _ => out.push(start..end),
            }
        }
        out
    }

    /// Appends a string whose characters all share no box (separators, generated text).
    pub fn push_unboxed(&mut self, s: &str) {
        for c in s.chars() {
            self.push(c, None);
        }
    }

    /// Appends every character of `other` with its box.
    pub fn extend_from(&mut self, other: &TextLayer) {
        let base = self.text.len() as u32;
        self.text.push_str(&other.text);
        self.chars.extend(other.chars.iter().map(|c| TextChar {
            byte: c.byte + base,
            ..*c
        }));
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn chars(&self) -> &[TextChar] {
        &self.chars
    }

    /// Each character with its box, in order (every `char` of the text has one entry).
    pub fn iter(&self) -> impl Iterator<Item = (char, Option<Rect>)> + '_ {
        self.text.chars().zip(self.chars.iter().map(|c| c.rect))
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Number of characters that carry a box (visible glyphs).
    pub fn boxed_len(&self) -> usize {
        self.chars.iter().filter(|c| c.rect.is_some()).count()
    }

    /// Index into [`Self::chars`] of the character that contains byte `byte`.
    pub fn char_index(&self, byte: usize) -> usize {
        match self
            .chars
            .binary_search_by(|c| (c.byte as usize).cmp(&byte))
        {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The character indices covered by a byte range.
    pub fn char_range(&self, span: &Range<usize>) -> Range<usize> {
        if span.start >= span.end || self.chars.is_empty() {
            return 0..0;
        }
        let first = self.char_index(span.start);
        let last = self.char_index(span.end - 1);
        first..last + 1
    }

    /// The boxes a mask over `span` covers: [`Self::rects_for`] of the span widened over
    /// brackets and quotes that touch it with no space between (`[198.51.100.23]`,
    /// `(070-174 06 05)`). On a scan OCR gives a box per word only and each character's box
    /// is an estimate; when OCR reads one bracket too many ("[198.51.100.23]}") the estimate
    /// for the last digit falls short of its ink. A mask that runs on to the word's end
    /// cannot fall short, and a masked bracket hides nothing anyone needs.
    ///
    /// With `whole_words` (a name), the span also runs on to the ends of the words it
    /// touches, trailing sentence punctuation aside: OCR turns "Karl-Johan" into
    /// "Karl-) ohan", and a name's mask should not stop inside a word of it.
    pub fn mask_rects_for(&self, span: &Range<usize>, whole_words: bool) -> Vec<Rect> {
        let text = self.text.as_str();
        if span.start >= span.end || span.end > text.len() {
            return self.rects_for(span);
        }
        let span = if whole_words {
            let in_word = |c: char| !c.is_whitespace();
            let mut start = span.start;
            while let Some(c) = text[..start].chars().next_back().filter(|&c| in_word(c)) {
                start -= c.len_utf8();
            }
            let mut end = span.end;
            while let Some(c) = text[end..].chars().next().filter(|&c| in_word(c)) {
                end += c.len_utf8();
            }
            let word_end = start
                + text[start..end]
                    .trim_end_matches([',', '.', ';', ':', '!', '?'])
                    .len();
            start..word_end.max(span.end)
        } else {
            span.clone()
        };
        let span = &span;
        let opening = |c: char| matches!(c, '(' | '[' | '{' | '<' | '"' | '\'' | '«' | '“' | '‘');
        let closing = |c: char| matches!(c, ')' | ']' | '}' | '>' | '"' | '\'' | '»' | '”' | '’');
        let mut start = span.start;
        while let Some(c) = text[..start].chars().next_back().filter(|&c| opening(c)) {
            start -= c.len_utf8();
        }
        let mut end = span.end;
        while let Some(c) = text[end..].chars().next().filter(|&c| closing(c)) {
            end += c.len_utf8();
        }
        self.rects_for(&(start..end))
    }

    /// The boxes of the characters in `span`, merged into one rectangle per run of
    /// characters on the same line. Characters without a box are skipped.
    ///
    /// A run also ends where adding the next character would make its rectangle much taller
    /// than the characters themselves: on a crooked scan (levelled for reading, its
    /// character boxes turned back) a line climbs or falls, and one rectangle around a long
    /// run of it — a URL, an address line — would cover parts of the lines above and below.
    /// Such a run becomes a staircase of rectangles, each starting where the one before
    /// ends, so no gap opens between them.
    pub fn rects_for(&self, span: &Range<usize>) -> Vec<Rect> {
        let mut out: Vec<Rect> = Vec::new();
        let mut last: Option<Rect> = None;
        // The tallest and widest character of the current run.
        let (mut max_h, mut max_w) = (0.0f32, 0.0f32);
        for c in &self.chars[self.char_range(span)] {
            let Some(r) = c.rect else { continue };
            match (out.last_mut(), last) {
                (Some(run), Some(prev)) if same_line(&prev, &r) => {
                    if steps(run, &prev, &r, max_h, max_w) {
                        let step = bridge(run, &prev, r);
                        out.push(step);
                        (max_h, max_w) = (r.height(), r.width());
                    } else {
                        *run = run.union(&r);
                        max_h = max_h.max(r.height());
                        max_w = max_w.max(r.width());
                    }
                }
                _ => {
                    out.push(r);
                    (max_h, max_w) = (r.height(), r.width());
                }
            }
            last = Some(r);
        }
        out
    }
}

/// Whether a run should end before `r` rather than grow across its line to more than 1.35
/// times its largest character: the line is crooked. Across the line is up and down for
/// ordinary text, sideways for text running down the page (`r` stacked below `prev`).
fn steps(run: &Rect, prev: &Rect, r: &Rect, max_h: f32, max_w: f32) -> bool {
    let u = run.union(r);
    if prev.vertical_overlap(r) > 0.5 {
        u.height() > 1.35 * max_h.max(r.height())
    } else {
        u.width() > 1.35 * max_w.max(r.width())
    }
}

/// `r` stretched along its line back to the end of `run`, the step before it.
fn bridge(run: &Rect, prev: &Rect, r: Rect) -> Rect {
    let mut step = r;
    if prev.vertical_overlap(&r) > 0.5 {
        if r.x0 > run.x1 {
            step.x0 = run.x1;
        } else if r.x1 < run.x0 {
            step.x1 = run.x0;
        }
    } else if r.y1 < run.y0 {
        // Down the page (user space y grows upwards).
        step.y1 = run.y0;
    } else if r.y0 > run.y1 {
        step.y0 = run.y1;
    }
    step
}

/// Two consecutive glyphs belong to one run when they share most of their height and the
/// horizontal gap between them is small relative to their size. A line break or a jump to
/// another column starts a new rectangle, so a mask never spans the text between.
///
/// Text that runs down the page (a page turned 90°, in user space) is one run too: glyphs
/// that are tall and narrow, or — as OCR boxes of a sideways scan are — that share nearly
/// the same horizontal extent, one right below the other. Without this every character of
/// a sideways line got its own box, with slivers of page between them.
fn same_line(a: &Rect, b: &Rect) -> bool {
    let size = a.height().max(b.height()).max(a.width()).max(1.0);
    let gap_x = (b.x0 - a.x1).max(a.x0 - b.x1);
    let gap_y = (b.y0 - a.y1).max(a.y0 - b.y1);
    let stacked = a.height() > 2.0 * a.width() || a.horizontal_overlap(b) > 0.8;
    let vertical_text = stacked && gap_y.abs() < size;
    (a.vertical_overlap(b) > 0.5 && gap_x < 2.0 * size)
        || (a.width() > 0.0 && b.width() > 0.0 && a.x0 < b.x1 && b.x0 < a.x1 && vertical_text)
}

/// The text of one page with the geometry needed to place its boxes on the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageText {
    /// 0-based page index.
    pub index: usize,
    pub geometry: PageGeometry,
    pub layer: TextLayer,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn layer(lines: &[(&str, f32)]) -> TextLayer {
        let mut t = TextLayer::new();
        for (n, (line, y)) in lines.iter().enumerate() {
            if n > 0 {
                t.push_unboxed("\r\n");
            }
            for (i, c) in line.chars().enumerate() {
                let x = 72.0 + 6.0 * i as f32;
                let rect = (c != ' ').then(|| Rect::new(x, *y, x + 5.0, y + 10.0));
                t.push(c, rect);
            }
        }
        t
    }

    #[test]
    fn uncertain_runs_and_appending_keep_their_flags() {
        let mut t = TextLayer::new();
        let r = Some(Rect::new(0.0, 0.0, 5.0, 10.0));
        for c in "Pnr ".chars() {
            t.push(c, r);
        }
        for c in "19560229-4535".chars() {
            t.push_read(c, r, true);
        }
        t.push_unboxed(" ");
        t.push_read('ö', r, true);
        assert_eq!(t.uncertain_spans(), vec![4..17, 18..20]);
        let mut u = TextLayer::new();
        u.push('x', r);
        u.extend_from(&t);
        assert_eq!(u.uncertain_spans(), vec![5..18, 19..21]);
        assert_eq!(u.text(), "xPnr 19560229-4535 ö");
        // Not written out when false: reports and stored sessions stay as they were.
        let json = serde_json::to_string(&u.chars()[0]).unwrap();
        assert!(!json.contains("uncertain"), "{json}");
    }

    #[test]
    fn span_maps_to_one_rect_per_line() {
        let t = layer(&[("Namn: Åsa Öberg", 700.0), ("Storgatan 1", 680.0)]);
        let start = t.text().find("Åsa").unwrap();
        let end = t.text().find("gatan").unwrap();
        let rects = t.rects_for(&(start..end));
        assert_eq!(rects.len(), 2, "{rects:?}");
        assert!((rects[0].x0 - (72.0 + 6.0 * 6.0)).abs() < 1e-3);
        assert!((rects[1].x1 - (72.0 + 6.0 * 3.0 + 5.0)).abs() < 1e-3);
    }

    #[test]
    fn a_mask_runs_on_over_touching_brackets() {
        let t = layer(&[("IP: [198.51.100.23]}, mobil (070-174 06 05).", 700.0)]);
        let ip = t.text().find("198").unwrap();
        let r = t.mask_rects_for(&(ip..ip + "198.51.100.23".len()), false);
        // From the "[" to the "}" (characters 4 to 19, 6 units apart, 5 wide).
        assert_eq!(r.len(), 1);
        assert!((r[0].x0 - (72.0 + 6.0 * 4.0)).abs() < 1e-3, "{r:?}");
        assert!((r[0].x1 - (72.0 + 6.0 * 19.0 + 5.0)).abs() < 1e-3, "{r:?}");
        // The comma and the full stop after a closing bracket stay unmasked.
        let ph = t.text().find("070").unwrap();
        let r = t.mask_rects_for(&(ph..ph + "070-174 06 05".len()), false);
        let close = t.text().find(").").unwrap();
        assert!(
            (r[0].x1 - (72.0 + 6.0 * close as f32 + 5.0)).abs() < 1e-3,
            "{r:?}"
        );
        // A name runs on to the ends of its words, not over the comma after them.
        let t = layer(&[("Till Karl-) ohan Holm, Ankeby", 700.0)]);
        let k = t.text().find("Karl").unwrap();
        let r = t.mask_rects_for(&(k..k + 4), true);
        assert!((r[0].x1 - (72.0 + 6.0 * 10.0 + 5.0)).abs() < 1e-3, "{r:?}");
        let h = t.text().find("Holm").unwrap();
        let r = t.mask_rects_for(&(h..h + 4), true);
        assert!(
            (r[0].x1 - (72.0 + 6.0 * (h as f32 + 3.0) + 5.0)).abs() < 1e-3,
            "{r:?}"
        );
    }

    /// A line of a crooked scan falls 1 unit per 6 characters (about 1.6°): a long span
    /// steps down in rectangles no taller than a third over a character, each beginning
    /// where the one before ends. A level line stays one rectangle, even with words of
    /// different heights.
    #[test]
    fn crooked_line_maps_to_a_staircase_without_gaps() {
        let mut t = TextLayer::new();
        for (i, c) in "Storgatan 12, 123 45 Ankeby och Lingonstigen 22"
            .chars()
            .enumerate()
        {
            let x = 72.0 + 6.0 * i as f32;
            let y = 700.0 - (i as f32 / 6.0).floor();
            t.push(c, (c != ' ').then(|| Rect::new(x, y, x + 5.0, y + 10.0)));
        }
        let rects = t.rects_for(&(0..t.text().len()));
        assert!(rects.len() >= 2, "{rects:?}");
        for pair in rects.windows(2) {
            assert!(
                pair[0].height() <= 13.5 && pair[1].height() <= 13.5,
                "{rects:?}"
            );
            assert!((pair[1].x0 - pair[0].x1).abs() < 1e-3, "gap: {rects:?}");
        }
        let mut level = layer(&[("som Högt", 700.0)]);
        // "som" has no ascender: its boxes are lower than "Högt"'s.
        for c in level.chars.iter_mut().take(3) {
            c.rect = c.rect.map(|r| Rect::new(r.x0, r.y0, r.x1, r.y1 - 4.0));
        }
        assert_eq!(level.rects_for(&(0..level.text().len())).len(), 1);
    }

    /// A plate on a scan turned 90°: OCR gives each character a box that is wider (across
    /// the line) than tall, stacked down the page, with the space unboxed.
    #[test]
    fn sideways_line_maps_to_one_rect() {
        let mut t = TextLayer::new();
        for (i, c) in "KLM 482".chars().enumerate() {
            let y = 520.0 - 6.0 * i as f32;
            t.push(c, (c != ' ').then(|| Rect::new(528.0, y - 5.5, 538.0, y)));
        }
        let rects = t.rects_for(&(0..t.text().len()));
        assert_eq!(rects.len(), 1, "{rects:?}");
        // Two sideways lines side by side stay two rectangles.
        let mut two = TextLayer::new();
        for (x, word) in [(528.0, "KLM"), (510.0, "482")] {
            for (i, c) in word.chars().enumerate() {
                let y = 520.0 - 6.0 * i as f32;
                two.push(c, Some(Rect::new(x, y - 5.5, x + 10.0, y)));
            }
            two.push_unboxed("\r\n");
        }
        assert_eq!(two.rects_for(&(0..two.text().len())).len(), 2);
    }

    #[test]
    fn multibyte_offsets_map_to_the_right_char() {
        let t = layer(&[("åäö abc", 700.0)]);
        let b = t.text().find("abc").unwrap();
        assert_eq!(t.char_index(b), 4);
        assert_eq!(t.char_range(&(b..b + 3)), 4..7);
    }

    #[test]
    fn debug_never_shows_text() {
        let t = layer(&[("19850303-1234", 700.0)]);
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("1985"), "{dbg}");
    }

    #[test]
    fn degenerate_boxes_are_dropped() {
        let mut t = TextLayer::new();
        t.push('x', Some(Rect::new(1.0, 1.0, 1.0, 5.0)));
        assert_eq!(t.boxed_len(), 0);
    }
}

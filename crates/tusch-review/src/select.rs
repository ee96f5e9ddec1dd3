//! Text selected on a page by dragging a rectangle over it: which characters of the page's
//! text layer it touches. Pure geometry over the layer (one box per character); no pdfium.

use std::ops::Range;

use tusch_core::{Rect, TextLayer};

/// The characters a drag rectangle touches.
#[derive(Debug, Clone, PartialEq)]
pub struct TextSelection {
    /// Bytes from the first to the last touched character, in reading order. For showing
    /// the text and finding a mask by its text; the rectangles below are what is masked.
    pub span: Range<usize>,
    /// The touched characters' boxes, merged into one rectangle per run of consecutive
    /// touched characters on one line, so nothing outside the drag between runs is masked.
    pub rects: Vec<Rect>,
}

/// The characters of `layer` whose boxes intersect `area` (both in user space), or `None`
/// when the rectangle touches no character with a box.
pub fn select_text(layer: &TextLayer, area: &Rect) -> Option<TextSelection> {
    let chars = layer.chars();
    let end_of = |i: usize| {
        chars
            .get(i + 1)
            .map_or(layer.text().len(), |next| next.byte as usize)
    };
    let hit = |i: usize| chars[i].rect.is_some_and(|r| r.intersects(area));
    let mut rects = Vec::new();
    let mut span: Option<Range<usize>> = None;
    let mut i = 0;
    while i < chars.len() {
        if !hit(i) {
            i += 1;
            continue;
        }
        // A run of touched characters; spaces without a box inside it do not break it.
        let start = i;
        let mut last = i;
        let mut j = i + 1;
        while j < chars.len() && (hit(j) || chars[j].rect.is_none()) {
            if hit(j) {
                last = j;
            }
            j += 1;
        }
        let run = chars[start].byte as usize..end_of(last);
        rects.extend(layer.rects_for(&run));
        span = Some(match span {
            Some(s) => s.start..run.end,
            None => run,
        });
        i = last + 1;
    }
    span.map(|span| TextSelection { span, rects })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two lines of 10-point characters, 6 points wide: "Anna Berg" over "tel 0701".
    fn layer() -> TextLayer {
        let mut l = TextLayer::new();
        for (i, c) in "Anna Berg".chars().enumerate() {
            let x = 10.0 + 6.0 * i as f32;
            let r = (c != ' ').then(|| Rect::new(x, 100.0, x + 6.0, 110.0));
            l.push(c, r);
        }
        l.push_unboxed("\n");
        for (i, c) in "tel 0701".chars().enumerate() {
            let x = 10.0 + 6.0 * i as f32;
            let r = (c != ' ').then(|| Rect::new(x, 80.0, x + 6.0, 90.0));
            l.push(c, r);
        }
        l
    }

    fn text(l: &TextLayer, s: &TextSelection) -> String {
        l.text()[s.span.clone()].to_owned()
    }

    #[test]
    fn a_drag_over_one_word_selects_exactly_that_word() {
        let l = layer();
        // Over "Berg" (x 40..64) on the upper line, touching neither "Anna" nor the line below.
        let s = select_text(&l, &Rect::new(42.0, 101.0, 60.0, 109.0)).expect("a selection");
        assert_eq!(text(&l, &s), "Berg");
        assert_eq!(s.rects, vec![Rect::new(40.0, 100.0, 64.0, 110.0)]);
    }

    #[test]
    fn a_drag_over_two_lines_keeps_one_rectangle_per_line_in_reading_order() {
        let l = layer();
        let s = select_text(&l, &Rect::new(11.0, 85.0, 20.0, 105.0)).expect("a selection");
        // "An" on the upper line and "te" on the lower: the span runs between them.
        assert_eq!(text(&l, &s), "Anna Berg\nte");
        assert_eq!(
            s.rects,
            vec![
                Rect::new(10.0, 100.0, 22.0, 110.0),
                Rect::new(10.0, 80.0, 22.0, 90.0)
            ]
        );
    }

    #[test]
    fn a_space_inside_the_drag_does_not_split_the_mask() {
        let l = layer();
        let s = select_text(&l, &Rect::new(11.0, 101.0, 63.0, 109.0)).expect("a selection");
        assert_eq!(text(&l, &s), "Anna Berg");
        assert_eq!(s.rects, vec![Rect::new(10.0, 100.0, 64.0, 110.0)]);
    }

    #[test]
    fn a_drag_beside_the_text_selects_nothing() {
        let l = layer();
        assert_eq!(select_text(&l, &Rect::new(200.0, 0.0, 300.0, 50.0)), None);
        assert_eq!(
            select_text(&TextLayer::new(), &Rect::new(0.0, 0.0, 1e4, 1e4)),
            None
        );
    }
}

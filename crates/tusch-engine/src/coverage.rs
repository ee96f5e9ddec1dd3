//! Ink coverage: what is drawn on a page that its text layer does not explain.
//!
//! A PDF's text layer says what text a page *claims* to have; the reader sees the ink. The
//! two differ wherever text is drawn without a text layer — a screenshot or a scanned
//! excerpt pasted into a letter, text turned into outlines, a stamp or comment drawn by an
//! annotation, a form field's value, a font whose character map lies — and a redaction tool
//! that only reads the text layer leaks exactly there, while reporting success.
//!
//! [`uncovered_regions`] compares the two on a low-resolution rendering of the page as it
//! will be released (annotations and form fields drawn): dark pixels under a trusted
//! character's box are explained; what is left, after thin rules and frames are taken out,
//! is grouped into blocks, and blocks big enough to hold a word are returned for OCR. A
//! page whose every mark is explained costs one small render and a pass over its pixels
//! (a few milliseconds at [`COVERAGE_DPI`]).

use tusch_core::{DisplayRect, GrayImage};

/// The resolution of the coverage check: 10-point text is 10 pixels tall, enough to tell
/// a word from a rule, and an A4 page is half a megapixel.
pub const COVERAGE_DPI: u32 = 72;

/// A pixel darker than this is ink: grey text in a screenshot is (an e-mail client's #aaa
/// metadata is 170), light shading and highlighter yellow (226) are not. Anti-aliased edges
/// of explained text fall inside the explained boxes' padding. On the fixture documents,
/// 200 instead of 160 costs 5 more OCR calls over 20 pages, none on the 60-page benchmark.
const DARK: u8 = 200;
/// Straight runs of ink at least this long (points) are rules, frames and table borders;
/// no glyph stroke of body text is this long.
const RULE_PT: f32 = 28.0;
/// Cells of this size (points) are counted as inked or not.
const CELL_PT: f32 = 4.0;
/// A cell is inked with at least this many unexplained dark pixels.
const CELL_MIN_INK: u32 = 2;
/// Smallest block worth reading (points): narrower than two characters or lower than
/// the smallest legible print holds no word of personal data.
const MIN_WIDTH_PT: f32 = 9.0;
const MIN_HEIGHT_PT: f32 = 4.0;
/// Least unexplained ink in a block, in pixels at [`COVERAGE_DPI`].
const MIN_BLOCK_INK: u32 = 30;
/// How far an explained character's box is grown before its ink counts as explained:
/// loose boxes miss italic overhangs and anti-aliased edges.
const EXPLAINED_PAD_PT: f32 = 1.5;
/// Margin added around a block before it is read, so OCR sees whole glyphs.
const BLOCK_MARGIN_PT: f32 = 4.0;

/// Blocks of ink on `image` (the page as displayed, rendered at `dpi`) that no rectangle
/// of `explained` (display points) accounts for, in display points, each with a margin.
/// Overlapping blocks are merged.
pub fn uncovered_regions(
    image: &GrayImage,
    dpi: u32,
    explained: &[DisplayRect],
) -> Vec<DisplayRect> {
    let (w, h) = (image.width as usize, image.height as usize);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let px_per_pt = dpi as f32 / 72.0;
    let mut ink: Vec<bool> = image.data.iter().map(|&v| v < DARK).collect();

    // Explained ink.
    let pad = EXPLAINED_PAD_PT * px_per_pt;
    for r in explained {
        let x0 = ((r.left * px_per_pt - pad).floor().max(0.0) as usize).min(w);
        let x1 = ((r.right * px_per_pt + pad).ceil().max(0.0) as usize).min(w);
        let y0 = ((r.top * px_per_pt - pad).floor().max(0.0) as usize).min(h);
        let y1 = ((r.bottom * px_per_pt + pad).ceil().max(0.0) as usize).min(h);
        for y in y0..y1 {
            ink[y * w + x0..y * w + x1].fill(false);
        }
    }

    // Rules: long horizontal and vertical runs (table borders, underlines, frames).
    let rule = (RULE_PT * px_per_pt).round().max(4.0) as usize;
    let mut rules = vec![false; w * h];
    for y in 0..h {
        let row = &ink[y * w..(y + 1) * w];
        let mut x = 0;
        while x < w {
            if !row[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < w && row[x] {
                x += 1;
            }
            if x - start >= rule {
                rules[y * w + start..y * w + x].fill(true);
            }
        }
    }
    for x in 0..w {
        let mut y = 0;
        while y < h {
            if !ink[y * w + x] {
                y += 1;
                continue;
            }
            let start = y;
            while y < h && ink[y * w + x] {
                y += 1;
            }
            if y - start >= rule {
                for yy in start..y {
                    rules[yy * w + x] = true;
                }
            }
        }
    }

    // Inked cells.
    let cell = (CELL_PT * px_per_pt).round().max(2.0) as usize;
    let (cw, ch) = (w.div_ceil(cell), h.div_ceil(cell));
    let mut count = vec![0u32; cw * ch];
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if ink[i] && !rules[i] {
                count[(y / cell) * cw + x / cell] += 1;
            }
        }
    }
    let on: Vec<bool> = count.iter().map(|&c| c >= CELL_MIN_INK).collect();

    // Blocks: inked cells joined across the gap between words (two cells) and between
    // lines (one cell).
    let mut label = vec![u32::MAX; cw * ch];
    let mut blocks: Vec<(usize, usize, usize, usize, u32)> = Vec::new();
    let mut stack = Vec::new();
    for start in 0..cw * ch {
        if !on[start] || label[start] != u32::MAX {
            continue;
        }
        let id = blocks.len() as u32;
        label[start] = id;
        stack.push(start);
        let (mut bx0, mut by0, mut bx1, mut by1, mut total) =
            (usize::MAX, usize::MAX, 0usize, 0usize, 0u32);
        while let Some(i) = stack.pop() {
            let (cx, cy) = (i % cw, i / cw);
            bx0 = bx0.min(cx);
            by0 = by0.min(cy);
            bx1 = bx1.max(cx);
            by1 = by1.max(cy);
            total += count[i];
            for dy in -2i64..=2 {
                for dx in -3i64..=3 {
                    let (nx, ny) = (cx as i64 + dx, cy as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= cw as i64 || ny >= ch as i64 {
                        continue;
                    }
                    let j = ny as usize * cw + nx as usize;
                    if on[j] && label[j] == u32::MAX {
                        label[j] = id;
                        stack.push(j);
                    }
                }
            }
        }
        blocks.push((bx0, by0, bx1, by1, total));
    }

    let to_pt = cell as f32 / px_per_pt;
    let (page_w, page_h) = (w as f32 / px_per_pt, h as f32 / px_per_pt);
    let mut out: Vec<DisplayRect> = blocks
        .into_iter()
        .filter(|b| b.4 >= MIN_BLOCK_INK)
        .map(|(x0, y0, x1, y1, _)| DisplayRect {
            left: x0 as f32 * to_pt,
            top: y0 as f32 * to_pt,
            right: (x1 + 1) as f32 * to_pt,
            bottom: (y1 + 1) as f32 * to_pt,
        })
        .filter(|r| r.right - r.left >= MIN_WIDTH_PT && r.bottom - r.top >= MIN_HEIGHT_PT)
        .map(|r| DisplayRect {
            left: (r.left - BLOCK_MARGIN_PT).max(0.0),
            top: (r.top - BLOCK_MARGIN_PT).max(0.0),
            right: (r.right + BLOCK_MARGIN_PT).min(page_w),
            bottom: (r.bottom + BLOCK_MARGIN_PT).min(page_h),
        })
        .collect();
    merge_overlapping(&mut out);
    out
}

/// Merges rectangles that overlap until none do.
fn merge_overlapping(rects: &mut Vec<DisplayRect>) {
    let mut merged = true;
    while merged {
        merged = false;
        'outer: for i in 0..rects.len() {
            for j in i + 1..rects.len() {
                let (a, b) = (rects[i], rects[j]);
                if a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom {
                    rects[i] = DisplayRect {
                        left: a.left.min(b.left),
                        top: a.top.min(b.top),
                        right: a.right.max(b.right),
                        bottom: a.bottom.max(b.bottom),
                    };
                    rects.swap_remove(j);
                    merged = true;
                    break 'outer;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A page at 72 DPI (one pixel a point) with "words": blocks of 5×8 glyph-like strokes.
    fn page() -> GrayImage {
        GrayImage::white(300, 400)
    }

    fn draw_word(img: &mut GrayImage, x: u32, y: u32, chars: u32) {
        for c in 0..chars {
            for dy in 0..8 {
                for dx in [0u32, 1, 3] {
                    let (px, py) = (x + c * 6 + dx, y + dy);
                    img.data[(py * img.width + px) as usize] = 0;
                }
            }
        }
    }

    fn fill(img: &mut GrayImage, x0: u32, y0: u32, x1: u32, y1: u32) {
        for y in y0..y1 {
            for x in x0..x1 {
                img.data[(y * img.width + x) as usize] = 0;
            }
        }
    }

    fn rect(x0: f32, y0: f32, x1: f32, y1: f32) -> DisplayRect {
        DisplayRect {
            left: x0,
            top: y0,
            right: x1,
            bottom: y1,
        }
    }

    #[test]
    fn explained_text_and_rules_leave_nothing_to_read() {
        let mut img = page();
        draw_word(&mut img, 20, 20, 10);
        draw_word(&mut img, 20, 40, 6);
        // A table: borders and an underline.
        fill(&mut img, 10, 100, 290, 101);
        fill(&mut img, 10, 150, 290, 151);
        fill(&mut img, 10, 100, 11, 151);
        fill(&mut img, 289, 100, 290, 151);
        let explained = [rect(20.0, 20.0, 80.0, 28.0), rect(20.0, 40.0, 56.0, 48.0)];
        assert!(uncovered_regions(&img, 72, &explained).is_empty());
    }

    #[test]
    fn text_without_a_text_layer_is_found_as_one_block() {
        let mut img = page();
        draw_word(&mut img, 20, 20, 10); // explained
                                         // An "image" of three lines of text further down, not in the text layer.
        draw_word(&mut img, 40, 200, 12);
        draw_word(&mut img, 40, 212, 8);
        draw_word(&mut img, 40, 224, 15);
        let regions = uncovered_regions(&img, 72, &[rect(20.0, 20.0, 80.0, 28.0)]);
        assert_eq!(regions.len(), 1, "{regions:?}");
        let r = regions[0];
        assert!(r.left <= 40.0 && r.right >= 40.0 + 15.0 * 6.0, "{r:?}");
        assert!(r.top <= 200.0 && r.bottom >= 232.0, "{r:?}");
        assert!(r.top > 28.0, "the explained line is not part of it: {r:?}");
    }

    #[test]
    fn grey_text_in_a_screenshot_is_ink_and_light_shading_is_not() {
        let mut img = page();
        draw_word(&mut img, 40, 200, 12);
        for v in img.data.iter_mut() {
            if *v == 0 {
                *v = 170; // #aaa, an e-mail client's grey metadata
            }
        }
        assert_eq!(uncovered_regions(&img, 72, &[]).len(), 1);
        let mut shaded = page();
        for y in 100..140 {
            for x in 10..290 {
                shaded.data[(y * shaded.width + x) as usize] = 226; // highlighter yellow
            }
        }
        assert!(uncovered_regions(&shaded, 72, &[]).is_empty());
    }

    #[test]
    fn specks_and_bullets_are_not_read() {
        let mut img = page();
        fill(&mut img, 50, 50, 52, 52);
        fill(&mut img, 100, 300, 104, 304);
        assert!(uncovered_regions(&img, 72, &[]).is_empty());
    }

    #[test]
    fn a_word_next_to_explained_text_is_found() {
        // A form field's value printed right after its label ("Namn: ______").
        let mut img = page();
        draw_word(&mut img, 20, 60, 5);
        draw_word(&mut img, 60, 60, 9);
        let regions = uncovered_regions(&img, 72, &[rect(20.0, 60.0, 50.0, 68.0)]);
        assert_eq!(regions.len(), 1, "{regions:?}");
        assert!(regions[0].left <= 60.0 && regions[0].right >= 60.0 + 9.0 * 6.0);
    }
}

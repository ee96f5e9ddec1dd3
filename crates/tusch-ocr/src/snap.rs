//! Word boxes moved out to the ink they belong to.
//!
//! Tesseract's LSTM engine places word boxes only roughly: on the poor scans its box for
//! "210514+3172" (200 DPI, JPEG quality 28) ended 28 pixels short, before "72", and the
//! box for "Växjö," on a fax began 13 pixels right of the "V". A mask split from such a
//! box leaves the last digits of a personnummer readable. So each word's left and right
//! edges are moved outwards while the ink of the word continues: over columns with ink in
//! the middle of the word's height, across gaps of up to three fifths of the height
//! (between "1" and "7" in Helvetica the gap is a third of it, as wide as a word space),
//! never into the box of another word on the same row, across a table rule, a wider gap,
//! or more than two heights. Edges are never moved inwards: recall first.

use tusch_core::GrayImage;

use crate::OcrWord;

/// Moves each horizontal word's left and right edges out over the ink that continues
/// it in `img` (the image the words were read from); see the module documentation.
pub fn snap_to_ink(words: &mut [OcrWord], img: &GrayImage) {
    let boxes: Vec<crate::PixelBox> = words.iter().map(|w| w.bbox).collect();
    for (i, w) in words.iter_mut().enumerate() {
        let b = w.bbox;
        // The words beside it on its row (boxes overlapping half the height): the edges
        // stop where they begin, so a box never takes in its neighbour's ink.
        let (mut left_limit, mut right_limit) = (0, img.width);
        for (j, o) in boxes.iter().enumerate() {
            let overlap = (b.top + b.height).min(o.top + o.height) as i64 - b.top.max(o.top) as i64;
            if j == i || overlap * 2 < b.height.min(o.height) as i64 {
                continue;
            }
            if o.left >= b.left + b.width {
                right_limit = right_limit.min(o.left);
            } else if o.left + o.width <= b.left {
                left_limit = left_limit.max(o.left + o.width);
            }
        }
        // Vertical words (read in place on a page turned on its side) and single narrow
        // glyphs are left alone.
        if b.height < 6 || b.width == 0 || b.height > 2 * b.width {
            continue;
        }
        if b.left + b.width > img.width || b.top + b.height > img.height {
            continue;
        }
        // The middle of the height: ascenders and descenders aside, clear of the rules
        // above and below a table cell that a box may touch.
        let (y0, y1) = (b.top + b.height / 5, b.top + b.height - b.height / 5);
        // Ink and paper levels from the box and a height of paper around it.
        let (sx0, sx1) = (
            b.left.saturating_sub(b.height),
            (b.left + b.width + b.height).min(img.width),
        );
        let Some(dark) = ink_level(img, sx0, sx1, b.top, b.top + b.height) else {
            continue;
        };
        let is_dark = |x: u32, y: u32| img.data[(y * img.width + x) as usize] < dark;
        // Rows beyond the box, above and below: a table rule runs on through them, the
        // stem of a letter does not.
        let (above, below) = (
            b.top.saturating_sub(b.height / 3)..b.top,
            b.top + b.height..(b.top + b.height + b.height / 3).min(img.height),
        );
        let inky = |x: u32| -> Option<bool> {
            let n = (y0..y1).filter(|&y| is_dark(x, y)).count() as u32;
            if n * 10 >= (y1 - y0) * 9 {
                let outside: Vec<u32> = above.clone().chain(below.clone()).collect();
                let beyond = outside.iter().filter(|&&y| is_dark(x, y)).count();
                if !outside.is_empty() && beyond * 10 >= outside.len() * 8 {
                    return None;
                }
            }
            Some(n >= 2)
        };
        let max_gap = (b.height * 3 / 5).max(2);
        let reach = 2 * b.height;
        // Right edge.
        let mut right = b.left + b.width;
        let (mut x, mut gap) = (right, 0);
        while x < right_limit && x < b.left + b.width + reach {
            match inky(x) {
                None => break,
                Some(true) => {
                    right = x + 1;
                    gap = 0;
                }
                Some(false) => {
                    gap += 1;
                    if gap > max_gap {
                        break;
                    }
                }
            }
            x += 1;
        }
        // Left edge.
        let mut left = b.left;
        let (mut x, mut gap) = (b.left, 0);
        while x > left_limit && x + reach > b.left {
            x -= 1;
            match inky(x) {
                None => break,
                Some(true) => {
                    left = x;
                    gap = 0;
                }
                Some(false) => {
                    gap += 1;
                    if gap > max_gap {
                        break;
                    }
                }
            }
        }
        w.bbox.left = left;
        w.bbox.width = right - left;
    }
}

/// The level below which a pixel of the band counts as ink: halfway between the word's
/// ink (its 5th percentile) and the paper around it (its 90th), or `None` when the box
/// holds no contrast to speak of.
fn ink_level(img: &GrayImage, x0: u32, x1: u32, y0: u32, y1: u32) -> Option<u8> {
    let mut hist = [0u32; 256];
    let mut n = 0u32;
    for y in y0..y1 {
        let row = (y * img.width) as usize;
        for &v in &img.data[row + x0 as usize..row + x1 as usize] {
            hist[v as usize] += 1;
            n += 1;
        }
    }
    let level = |share: f32| -> u32 {
        let target = (n as f32 * share) as u32;
        let mut sum = 0;
        for (v, c) in hist.iter().enumerate() {
            sum += c;
            if sum > target {
                return v as u32;
            }
        }
        255
    };
    let (ink, paper) = (level(0.05), level(0.90));
    (paper >= ink + 40).then(|| ((ink + paper) / 2) as u8)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::PixelBox;

    fn page_with(strokes: &[(u32, u32)]) -> GrayImage {
        let mut img = GrayImage {
            width: 400,
            height: 100,
            data: vec![220; 40_000],
        };
        for &(x0, x1) in strokes {
            for y in 40..70 {
                for x in x0..x1 {
                    img.data[(y * 400 + x) as usize] = 30;
                }
            }
        }
        img
    }

    fn word(left: u32, width: u32) -> OcrWord {
        OcrWord {
            text: "210514+3172".into(),
            bbox: PixelBox {
                left,
                top: 38,
                width,
                height: 34,
            },
            confidence: 92.0,
            block: 1,
            paragraph: 1,
            line: 1,
        }
    }

    #[test]
    fn a_box_that_ends_short_reaches_the_end_of_the_ink() {
        // Letters 100..130, 133..160, 172..190 (a gap as after a "1"); a speck-free page
        // after it. The box says 110..150.
        let img = page_with(&[(100, 130), (133, 160), (172, 190), (215, 240)]);
        let mut w = [word(110, 40)];
        snap_to_ink(&mut w, &img);
        assert_eq!(
            (w[0].bbox.left, w[0].bbox.left + w[0].bbox.width),
            (100, 190)
        );
    }

    #[test]
    fn rules_and_word_spaces_stop_it_and_it_never_shrinks() {
        let mut img = page_with(&[(100, 130), (160, 190)]);
        // A table rule right after the word.
        for y in 0..100 {
            img.data[y * 400 + 133] = 0;
        }
        let mut w = [word(100, 20)];
        snap_to_ink(&mut w, &img);
        assert_eq!((w[0].bbox.left, w[0].bbox.width), (100, 30));
        // The next word's box stops it, however narrow the gap.
        let img = page_with(&[(100, 130), (140, 170)]);
        let mut w = [word(100, 20), word(140, 30)];
        snap_to_ink(&mut w, &img);
        assert_eq!((w[0].bbox.left, w[0].bbox.width), (100, 30));
        // A box wider than its ink stays as it is.
        let img = page_with(&[(100, 130)]);
        let mut w = [word(90, 60)];
        snap_to_ink(&mut w, &img);
        assert_eq!((w[0].bbox.left, w[0].bbox.width), (90, 60));
    }
}

//! From OCR words to a text layer: one box per character, in user space of the page.

use tusch_core::{DisplayRect, GrayImage, PageGeometry, Rect, TextLayer};

use crate::{OcrWord, Orientation, PixelBox};

/// How wide a character is relative to an average one. OCR gives boxes per word only;
/// splitting a word in proportion to typical glyph widths puts each character's box closer
/// to its ink than an even split, so a mask over part of a word (a name followed by a
/// comma, "Svenssons" of which only "Svensson" is a name) stays on its letters.
fn char_weight(c: char) -> f32 {
    match c {
        'i' | 'l' | 'j' | 'I' | '!' | '|' | '.' | ',' | ':' | ';' | '\'' => 0.45,
        'f' | 't' | 'r' | '1' | '(' | ')' | '[' | ']' | '-' | '/' => 0.65,
        'm' | 'w' | '@' => 1.45,
        'M' | 'W' => 1.6,
        c if c.is_uppercase() => 1.2,
        _ => 1.0,
    }
}

/// Each character's box reaches this share of an average character width beyond its own
/// share of the word on both sides. The split is an estimate; the overlap means the
/// estimate's error lands inside a mask rather than beside it (recall first).
const CHAR_OVERLAP: f32 = 0.25;

/// Builds the text layer of a page from words recognised in an upright view of the page
/// image.
///
/// `words` are in reading order with boxes in pixels of the *upright* image;
/// `orientation` says how the page image (`width` × `height` pixels at `dpi`, the page as
/// displayed) had to be turned to become upright, so that every character box can be
/// turned back onto the page. Words are separated by a space, lines (a change of block,
/// paragraph or line number) by `\r\n` as pdfium separates text lines; separators have no
/// box. Each character's box has the word's full height: an axis-aligned word box from a
/// slightly skewed scan covers the word's ink, and so does each character's share of it.
pub fn build_layer(
    words: &[OcrWord],
    orientation: Orientation,
    width: u32,
    height: u32,
    dpi: u32,
    geometry: &PageGeometry,
) -> TextLayer {
    let mut layer = TextLayer::new();
    let mut prev: Option<((u32, u32, u32), &OcrWord)> = None;
    let to_pt = 72.0 / dpi.max(1) as f32;
    for w in words {
        let chars: Vec<char> = w.text.chars().filter(|c| !c.is_whitespace()).collect();
        if chars.is_empty() {
            continue;
        }
        let line = (w.block, w.paragraph, w.line);
        match prev {
            Some((p, pw)) if p == line && glued(pw, w) => {}
            Some((p, _)) if p == line => layer.push_unboxed(" "),
            Some(_) => layer.push_unboxed("\r\n"),
            None => {}
        }
        prev = Some((line, w));
        let b = &w.bbox;
        let (left, top) = (b.left as f32, b.top as f32);
        let (right, bottom) = (left + b.width as f32, top + b.height as f32);
        let total: f32 = chars.iter().map(|&c| char_weight(c)).sum();
        let unit = (right - left) / total.max(1e-3);
        let pad = unit * CHAR_OVERLAP;
        // A word standing upright (vertical text the engine read in place) cannot be split
        // along x: every character gets the whole word box, so a mask covers the word.
        if chars.len() >= 2 && (bottom - top) > 1.5 * (right - left) {
            let (l, t, r, bt) =
                unrotate_box((left, top, right, bottom), orientation, width, height);
            let display = DisplayRect {
                left: l * to_pt,
                top: t * to_pt,
                right: r * to_pt,
                bottom: bt * to_pt,
            };
            for &c in &chars {
                layer.push(c, Some(geometry.from_display(&display)));
            }
            continue;
        }
        let mut x = left;
        for &c in &chars {
            let x1 = x + unit * char_weight(c);
            let (l, r) = ((x - pad).max(left - pad), (x1 + pad).min(right + pad));
            let (l, t, r, bt) = unrotate_box((l, top, r, bottom), orientation, width, height);
            let display = DisplayRect {
                left: l * to_pt,
                top: t * to_pt,
                right: r * to_pt,
                bottom: bt * to_pt,
            };
            layer.push(c, Some(geometry.from_display(&display)));
            x = x1;
        }
    }
    layer
}

/// Whether two consecutive words of a line are one token that OCR split: a space OCR
/// inserted after a dot or at an `@` of an e-mail or web address
/// ("erik. johansson@ankeby . se"), or inside a run of digits ("2017-1 1-21").
///
/// Addresses: glued only when one side holds an `@` or the next piece is a common
/// top-level domain, and the gap is under one and a half average character widths (in
/// Courier the ink after a dot sits almost a cell away from the next letter; a real space
/// in an address does not occur). Digits: glued when the gap is far narrower than a
/// space (under a fifth of the text height). Ordinary words never merge.
fn glued(a: &OcrWord, b: &OcrWord) -> bool {
    let (Some(last), Some(first)) = (a.text.chars().last(), b.text.chars().next()) else {
        return false;
    };
    let gap = b.bbox.left as f32 - (a.bbox.left + a.bbox.width) as f32;
    if last.is_ascii_digit() && first.is_ascii_digit() {
        let h = a.bbox.height.min(b.bbox.height) as f32;
        return gap < 0.18 * h;
    }
    let joiner = |c: char| matches!(c, '.' | '@');
    if !(joiner(last) || joiner(first)) {
        return false;
    }
    let tld = {
        let t: String = b
            .text
            .trim_start_matches('.')
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        matches!(
            t.as_str(),
            "se" | "com" | "net" | "org" | "nu" | "eu" | "io" | "info"
        )
    };
    if !(a.text.contains('@') || b.text.contains('@') || tld) {
        return false;
    }
    let n = (a.text.chars().count() + b.text.chars().count()).max(1) as f32;
    let avg = (a.bbox.width + b.bbox.width) as f32 / n;
    gap < 1.5 * avg
}

/// Maps a box `(left, top, right, bottom)` in pixels of the upright view back to the page
/// image, which is `width` × `height` pixels and whose content is turned by `o`.
pub fn unrotate_box(
    (l, t, r, b): (f32, f32, f32, f32),
    o: Orientation,
    width: u32,
    height: u32,
) -> (f32, f32, f32, f32) {
    let (w, h) = (width as f32, height as f32);
    match o {
        Orientation::Upright => (l, t, r, b),
        // The upright view was made by turning the page image a quarter counter-clockwise:
        // upright (u, v) = page (y, W - x).
        Orientation::Cw90 => (w - b, l, w - t, r),
        Orientation::Cw180 => (w - r, h - b, w - l, h - t),
        // Turned a quarter clockwise: upright (u, v) = page (H - y, x).
        Orientation::Cw270 => (t, h - r, b, h - l),
    }
}

/// The upright view of an image whose content is turned clockwise by `o`.
pub fn rotate_quarter(img: &GrayImage, o: Orientation) -> GrayImage {
    let (w, h) = (img.width as usize, img.height as usize);
    let src = &img.data;
    match o {
        Orientation::Upright => img.clone(),
        Orientation::Cw180 => GrayImage {
            width: img.width,
            height: img.height,
            data: src.iter().rev().copied().collect(),
        },
        Orientation::Cw90 | Orientation::Cw270 => {
            // The upright view is h wide and w high.
            let mut data = vec![255u8; w * h];
            for v in 0..w {
                for u in 0..h {
                    let (x, y) = if o == Orientation::Cw90 {
                        (w - 1 - v, u)
                    } else {
                        (v, h - 1 - u)
                    };
                    data[v * h + u] = src[y * w + x];
                }
            }
            GrayImage {
                width: img.height,
                height: img.width,
                data,
            }
        }
    }
}

/// The pixel box of a rectangle of user space on a page image at `dpi` (for tests and
/// diagnostics: where a character box lands on the image).
pub fn user_rect_to_pixels(geometry: &PageGeometry, r: &Rect, dpi: u32) -> PixelBox {
    let d = geometry.to_display(r);
    let s = dpi as f32 / 72.0;
    let px = |v: f32| (v * s).round().max(0.0) as u32;
    PixelBox {
        left: px(d.left),
        top: px(d.top),
        width: px(d.right).saturating_sub(px(d.left)),
        height: px(d.bottom).saturating_sub(px(d.top)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tusch_core::Rotation;

    fn word(text: &str, left: u32, top: u32, width: u32, line: u32) -> OcrWord {
        OcrWord {
            text: text.into(),
            bbox: PixelBox {
                left,
                top,
                width,
                height: 40,
            },
            confidence: 90.0,
            block: 1,
            paragraph: 1,
            line,
        }
    }

    fn a4() -> PageGeometry {
        PageGeometry {
            crop: Rect::new(0.0, 0.0, 595.0, 842.0),
            rotation: Rotation::R0,
        }
    }

    #[test]
    fn words_become_lines_with_one_box_per_char() {
        let words = [
            word("Åsa", 300, 300, 120, 1),
            word("Öberg,", 450, 300, 240, 1),
            word("Storgatan", 300, 360, 360, 2),
        ];
        let l = build_layer(&words, Orientation::Upright, 2480, 3508, 300, &a4());
        assert_eq!(l.text(), "Åsa Öberg,\r\nStorgatan");
        assert_eq!(l.boxed_len(), "ÅsaÖberg,Storgatan".chars().count());
        // Every character box lies within its word's box (plus the overlap) in user space.
        let s = 72.0 / 300.0;
        let start = l.text().find("Öberg").unwrap();
        let r = l.rects_for(&(start..start + "Öberg".len()));
        assert_eq!(r.len(), 1);
        assert!(r[0].x0 >= 436.0 * s && r[0].x0 <= 450.0 * s, "{r:?}");
        // The comma is not part of the name's mask, but the mask reaches past the g.
        assert!(r[0].x1 < 690.0 * s && r[0].x1 > 660.0 * s, "{r:?}");
        // y: pixels from the top, user space from the bottom.
        assert!((r[0].y1 - (842.0 - 300.0 * s)).abs() < 0.01);
        assert!((r[0].y0 - (842.0 - 340.0 * s)).abs() < 0.01);
    }

    #[test]
    fn split_addresses_and_numbers_are_glued_ordinary_words_are_not() {
        let words = [
            word("erik.", 100, 300, 100, 1),
            word("johansson@ankeby", 204, 300, 330, 1),
            word(".", 536, 300, 8, 1),
            word("se", 548, 300, 40, 1),
            word("den", 700, 300, 60, 1),
            word("3", 764, 300, 20, 1),
        ];
        let l = build_layer(&words, Orientation::Upright, 2480, 3508, 300, &a4());
        // A real space (a third of the height or more) stays, even beside a dot.
        assert_eq!(l.text(), "erik.johansson@ankeby.se den 3");
        let words = [
            word("Nils.", 100, 300, 100, 1),
            word("Han", 110, 300, 60, 1),
        ];
        let l = build_layer(&words, Orientation::Upright, 2480, 3508, 300, &a4());
        assert_eq!(l.text(), "Nils. Han");
    }

    #[test]
    fn empty_words_are_skipped_and_low_confidence_kept() {
        let mut doubtful = word("19850303-1234", 100, 100, 300, 1);
        doubtful.confidence = 3.0;
        let words = [word(" ", 0, 0, 10, 1), doubtful];
        let l = build_layer(&words, Orientation::Upright, 1000, 1000, 300, &a4());
        assert_eq!(l.text(), "19850303-1234");
        assert_eq!(l.boxed_len(), 13);
    }

    #[test]
    fn rotation_round_trips_through_the_upright_view() {
        // A 4x3 image with distinct pixels; a box around one pixel must come back to it.
        let img = GrayImage {
            width: 4,
            height: 3,
            data: (0..12).collect(),
        };
        for o in [
            Orientation::Upright,
            Orientation::Cw90,
            Orientation::Cw180,
            Orientation::Cw270,
        ] {
            let up = rotate_quarter(&img, o);
            for v in 0..up.height {
                for u in 0..up.width {
                    let val = up.data[(v * up.width + u) as usize];
                    let (l, t, _, _) = unrotate_box(
                        (u as f32, v as f32, u as f32 + 1.0, v as f32 + 1.0),
                        o,
                        4,
                        3,
                    );
                    let (x, y) = (l as u32, t as u32);
                    assert_eq!(img.data[(y * 4 + x) as usize], val, "{o:?} at {u},{v}");
                }
            }
        }
    }

    #[test]
    fn page_rotate_and_crop_go_through_page_geometry() {
        // A page with a crop box offset and /Rotate 90: the character box must map back to
        // the same pixels through PageGeometry.
        let g = PageGeometry {
            crop: Rect::new(50.0, 60.0, 650.0, 860.0),
            rotation: Rotation::R90,
        };
        let words = [word("X", 200, 100, 40, 1)];
        let l = build_layer(&words, Orientation::Upright, 3333, 2500, 300, &g);
        let r = l.chars()[0].rect.unwrap();
        let px = user_rect_to_pixels(&g, &r, 300);
        assert_eq!(px.top, 100);
        assert_eq!(px.height, 40);
        assert!(px.left <= 200 && px.left + px.width >= 240, "{px:?}");
    }
}

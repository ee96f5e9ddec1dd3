//! From OCR words to a text layer: one box per character, in user space of the page.

use tusch_core::lexicon::is_known_name;
use tusch_core::{DisplayRect, GrayImage, PageGeometry, Rect, TextLayer};

use crate::{OcrWord, Orientation, PixelBox};

/// How wide a character is relative to an average one. OCR gives boxes per word only;
/// splitting a word in proportion to typical glyph widths puts each character's box closer
/// to its ink than an even split in a proportional font, so a mask over part of a word (a
/// name followed by a comma, "Svenssons" of which only "Svensson" is a name) stays on its
/// letters. A monospaced font is split evenly; each box covers both estimates.
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
    build_layer_levelled(words, orientation, 0.0, width, height, dpi, geometry)
}

/// [`build_layer`] for words read from a levelled copy of the upright view: the upright view
/// turned `levelled` degrees clockwise about its centre by [`crate::deskew::rotate`]. Each
/// character's box is turned back with it (the box around its four turned corners) before
/// it is turned onto the page, so a box stays on its ink however crooked the scan.
pub fn build_layer_levelled(
    words: &[OcrWord],
    orientation: Orientation,
    levelled: f32,
    width: u32,
    height: u32,
    dpi: u32,
    geometry: &PageGeometry,
) -> TextLayer {
    // The upright view's size: a quarter turn swaps the sides.
    let (up_w, up_h) = match orientation {
        Orientation::Cw90 | Orientation::Cw270 => (height, width),
        _ => (width, height),
    };
    let unlevel = |(l, t, r, b): (f32, f32, f32, f32)| -> (f32, f32, f32, f32) {
        if levelled == 0.0 {
            return (l, t, r, b);
        }
        let corners = [(l, t), (r, t), (l, b), (r, b)]
            .map(|(x, y)| crate::deskew::unrotate_point(x, y, levelled, up_w, up_h));
        corners.iter().fold(
            (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
            |(l, t, r, b), &(x, y)| (l.min(x), t.min(y), r.max(x), b.max(y)),
        )
    };
    let words = rejoin_split_numbers(words);
    let mut layer = TextLayer::new();
    let mut prev: Option<((u32, u32, u32), &OcrWord)> = None;
    let to_pt = 72.0 / dpi.max(1) as f32;
    for w in &words {
        let chars: Vec<char> = w.text.chars().filter(|c| !c.is_whitespace()).collect();
        if chars.is_empty() {
            continue;
        }
        let line = (w.block, w.paragraph, w.line);
        match prev {
            Some((p, pw)) if p == line && glued(pw, w) => {}
            Some((p, pw)) if p == line && !column_gap(pw, w) => layer.push_unboxed(" "),
            Some(_) => layer.push_unboxed("\r\n"),
            None => {}
        }
        prev = Some((line, w));
        // The characters of a word the engine was unsure of are marked: near a label or
        // shaped like an identifier, they are masked though no rule could read them.
        let uncertain = (0.0..crate::reread::DOUBTFUL_CONFIDENCE).contains(&w.confidence);
        let b = &w.bbox;
        let (left, top) = (b.left as f32, b.top as f32);
        let (right, bottom) = (left + b.width as f32, top + b.height as f32);
        let total: f32 = chars.iter().map(|&c| char_weight(c)).sum();
        let unit = (right - left) / total.max(1e-3);
        let pad = unit * CHAR_OVERLAP;
        // A word standing upright (vertical text the engine read in place) cannot be split
        // along x: every character gets the whole word box, so a mask covers the word.
        if chars.len() >= 2 && (bottom - top) > 1.5 * (right - left) {
            let (l, t, r, bt) = unrotate_box(
                unlevel((left, top, right, bottom)),
                orientation,
                width,
                height,
            );
            let display = DisplayRect {
                left: l * to_pt,
                top: t * to_pt,
                right: r * to_pt,
                bottom: bt * to_pt,
            };
            for &c in &chars {
                layer.push_read(c, Some(geometry.from_display(&display)), uncertain);
            }
            continue;
        }
        // Each character's box covers both its share by typical glyph widths and its share
        // of an even split: in a proportional font the first is right, in a monospaced one
        // (Courier in e-mail printouts and forms) the second, and over a long token such as
        // "[198.51.100.23]" the two drift apart by more than a character.
        let even = (right - left) / chars.len() as f32;
        let mut x = left;
        for (i, &c) in chars.iter().enumerate() {
            let x1 = x + unit * char_weight(c);
            let (e0, e1) = (left + even * i as f32, left + even * (i + 1) as f32);
            let (l, r) = (
                (x.min(e0) - pad).max(left - pad),
                (x1.max(e1) + pad).min(right + pad),
            );
            let (l, t, r, bt) =
                unrotate_box(unlevel((l, top, r, bottom)), orientation, width, height);
            let display = DisplayRect {
                left: l * to_pt,
                top: t * to_pt,
                right: r * to_pt,
                bottom: bt * to_pt,
            };
            layer.push_read(c, Some(geometry.from_display(&display)), uncertain);
            x = x1;
        }
    }
    layer
}

/// The skew of a page's text, as the slope of its lines (pixels down per pixel right, in
/// the upright view): the median over lines of three or more words of the Theil–Sen slope
/// through the words' vertical centres. Word centres wander with ascenders and descenders
/// ("som" against "Högt"), but over a line's length that averages out to a tenth of a
/// degree or so. 0 when no line is long enough to tell.
///
/// The skew is reported, not corrected: Tesseract deskews internally to read, and each
/// word's axis-aligned box holds all of the word's ink at any skew, so the character boxes
/// split from it do too. Making character boxes follow the slope inside a word was tried
/// and measured: at the skews of the fixtures (up to 1.8°) the safety margin such boxes
/// need makes them as tall as the word box, so it saved no masked area.
pub fn estimate_skew(words: &[OcrWord]) -> f32 {
    let mut lines: std::collections::BTreeMap<(u32, u32, u32), Vec<(f32, f32)>> =
        std::collections::BTreeMap::new();
    for w in words {
        if w.text.chars().filter(|c| c.is_alphanumeric()).count() < 2 || w.bbox.width == 0 {
            continue;
        }
        let b = &w.bbox;
        lines
            .entry((w.block, w.paragraph, w.line))
            .or_default()
            .push((
                b.left as f32 + b.width as f32 / 2.0,
                b.top as f32 + b.height as f32 / 2.0,
            ));
    }
    let mut slopes: Vec<f32> = Vec::new();
    for pts in lines.values().filter(|p| p.len() >= 3) {
        let mut pair: Vec<f32> = Vec::new();
        for (i, a) in pts.iter().enumerate() {
            for b in &pts[i + 1..] {
                // Only pairs far enough apart for the centres' wander not to dominate.
                if (b.0 - a.0).abs() > 200.0 {
                    pair.push((b.1 - a.1) / (b.0 - a.0));
                }
            }
        }
        if let Some(m) = median(&mut pair) {
            slopes.push(m);
        }
    }
    let slope = median(&mut slopes).unwrap_or(0.0);
    // Beyond about 6° Tesseract itself reads poorly; such a value is a misreading.
    if slope.abs() > 0.1 {
        0.0
    } else {
        slope
    }
}

fn median(v: &mut [f32]) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    Some(v[v.len() / 2])
}

/// Puts back together a number that Tesseract's layout analysis cut in two and filed under
/// different lines: on a form with two columns close together, "Org.nr 650711-2453" came
/// out as "650711-2" in one column's line and "453" in the next column's, with another
/// field's line between them. A word that ends in a digit or a dash is joined by a later
/// word that starts with a digit, stands right after it on the same row (boxes overlapping
/// vertically, gap under half the height), and completes a fixed-format number with it
/// (see [`fixed_format`]); the later word is moved up to follow it on its line.
fn rejoin_split_numbers(words: &[OcrWord]) -> Vec<OcrWord> {
    let mut out: Vec<OcrWord> = words.to_vec();
    let mut i = 0;
    while i < out.len() {
        let a = &out[i];
        let ends_number = a
            .text
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_digit() || c == '-');
        if ends_number && !fixed_format(&a.text) {
            let (a_right, a_top, a_bottom) = (
                (a.bbox.left + a.bbox.width) as f32,
                a.bbox.top as f32,
                (a.bbox.top + a.bbox.height) as f32,
            );
            let h = a.bbox.height as f32;
            let line = (a.block, a.paragraph, a.line);
            let found = out.iter().enumerate().skip(i + 1).find_map(|(j, b)| {
                let same_line_next = j == i + 1 && (b.block, b.paragraph, b.line) == line;
                if same_line_next || !b.text.starts_with(|c: char| c.is_ascii_digit()) {
                    return None;
                }
                let gap = b.bbox.left as f32 - a_right;
                let (b_top, b_bottom) = (b.bbox.top as f32, (b.bbox.top + b.bbox.height) as f32);
                let overlap = a_bottom.min(b_bottom) - a_top.max(b_top);
                let joined = format!("{}{}", a.text, b.text);
                (gap > -0.2 * h
                    && gap < 0.5 * h
                    && overlap > 0.6 * h.min(b.bbox.height as f32)
                    && fixed_format(&joined)
                    && !fixed_format(&b.text))
                .then_some(j)
            });
            if let Some(j) = found {
                let mut b = out.remove(j);
                (b.block, b.paragraph, b.line) = line;
                out.insert(i + 1, b);
            }
        }
        i += 1;
    }
    out
}

/// A gap between two words of one OCR line wider than this many times the taller word's
/// height is a jump to another column, not a space. Tesseract reads a letterhead's two
/// columns ("SN 2024/1234" at the left, "421 33 VÄSTRA FRÖLUNDA" at the right) as one line;
/// joined by a space, the right column's postal code would follow a number and read as
/// its continuation. A word space is about half the height; justified text stays far below
/// this.
const COLUMN_GAP: f32 = 2.5;

/// Whether the gap between two consecutive words of one OCR line separates columns; the
/// layer then breaks the line there as pdfium does between text runs.
fn column_gap(a: &OcrWord, b: &OcrWord) -> bool {
    let gap = b.bbox.left as f32 - (a.bbox.left + a.bbox.width) as f32;
    let h = a.bbox.height.max(b.bbox.height).max(1) as f32;
    gap > COLUMN_GAP * h
}

/// Whether two consecutive words of a line are one token that OCR split: a space OCR
/// inserted after a dot or at an `@` of an e-mail or web address
/// ("erik. johansson@ankeby . se"), or inside a number ("2017-1 1-21",
/// "2001:db8::12: 1b2").
///
/// Addresses: glued only when one side holds an `@` or the next piece is a common
/// top-level domain, and the gap is under one and a half average character widths (in
/// Courier the ink after a dot sits almost a cell away from the next letter; a real space
/// in an address does not occur). Numbers: glued when the gap is far narrower than a
/// space (under a fifth of the text height), or narrower than a space and the two pieces
/// together make a fixed-format number that neither is alone — a date, a personnummer, an
/// IP address. OCR splits those between two equal glyphs ("1 1") with a gap close to a
/// space's, and only the format tells the two apart. Ordinary words never merge.
fn glued(a: &OcrWord, b: &OcrWord) -> bool {
    let (Some(last), Some(first)) = (a.text.chars().last(), b.text.chars().next()) else {
        return false;
    };
    let gap = b.bbox.left as f32 - (a.bbox.left + a.bbox.width) as f32;
    let h = a.bbox.height.min(b.bbox.height) as f32;
    // OCR often splits a capital from the rest of its word ("J ohan", "Å berg",
    // "M argareta") with a gap as wide as a space. A lone capital followed by a lower-case
    // piece is glued when together they are a known first name or surname: then the name
    // detectors and the NER model see the name, and its mask covers the capital.
    let mut first_chars = a.text.chars();
    if let (Some(cap), None) = (first_chars.next(), first_chars.next()) {
        if cap.is_uppercase() && first.is_lowercase() && gap < 0.8 * h.max(1.0) {
            let rest: String = b.text.chars().take_while(|c| c.is_alphabetic()).collect();
            return is_known_name(&format!("{cap}{rest}"));
        }
    }
    let numeric = last.is_ascii_digit() || (last == ':' && is_ipv6_part(&a.text));
    // A dust speck before a personnummer's dash made OCR put the dash at the start of the
    // next piece: "(19491201 -4885)." (poor scans, issue 12).
    let dash_first = matches!(first, '-' | '+')
        && b.text[1..].starts_with(|c: char| c.is_ascii_digit())
        && last.is_ascii_digit();
    if dash_first {
        let joined = format!("{}{}", a.text, b.text);
        return gap < 0.5 * h && fixed_format(&joined) && !fixed_format(&a.text);
    }
    if numeric && first.is_ascii_hexdigit() {
        if last.is_ascii_digit() && first.is_ascii_digit() && gap < 0.18 * h {
            return true;
        }
        let joined = format!("{}{}", a.text, b.text);
        return gap < 0.5 * h
            && fixed_format(&joined)
            && !fixed_format(&a.text)
            && !fixed_format(&b.text);
    }
    // A web address has no spaces: after a piece that starts one ("nttps://e-tjanst"), a
    // piece that opens with a dot or a slash continues it (".ankeby.se/…"). A new
    // sentence never opens with those.
    let url_head = a.text.contains("://") || a.text.to_lowercase().starts_with("www.");
    if url_head && matches!(first, '.' | '/' | '?' | '&' | '=' | '#') {
        return gap < 1.5 * avg_char_width(a, b);
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
    gap < 1.5 * avg_char_width(a, b)
}

/// The mean width of a character over two words.
fn avg_char_width(a: &OcrWord, b: &OcrWord) -> f32 {
    let n = (a.text.chars().count() + b.text.chars().count()).max(1) as f32;
    (a.bbox.width + b.bbox.width) as f32 / n
}

/// A token (trailing punctuation and an opening parenthesis aside) in one of the formats
/// OCR is known to split: a date `YYYY-MM-DD`, a personnummer `YYMMDD-NNNN` or
/// `YYYYMMDD-NNNN` (`+` too), an IPv4 or IPv6 address.
fn fixed_format(token: &str) -> bool {
    let t = token
        .trim_start_matches('(')
        .trim_end_matches([',', '.', ';', ')', ':']);
    let groups: Vec<&str> = t.split('-').collect();
    let digits =
        |g: &str, n: &[usize]| n.contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit());
    let date = groups.len() == 3
        && digits(groups[0], &[4])
        && digits(groups[1], &[2])
        && digits(groups[2], &[2]);
    let pnr = {
        let (head, tail) = t.split_at(t.find(['-', '+']).unwrap_or(t.len()));
        digits(head, &[6, 8]) && tail.len() == 5 && digits(&tail[1..], &[4])
    };
    let ipv4 = {
        let parts: Vec<&str> = t.split('.').collect();
        parts.len() == 4 && parts.iter().all(|p| digits(p, &[1, 2, 3]))
    };
    let ipv6 = t.matches(':').count() >= 3
        && (t.contains("::") || t.matches(':').count() == 7)
        && t.split(':')
            .all(|g| g.len() <= 4 && g.bytes().all(|b| b.is_ascii_hexdigit()));
    date || pnr || ipv4 || ipv6
}

/// Whether a word is the beginning of an IPv6 address cut after a colon ("2001:db8::").
fn is_ipv6_part(word: &str) -> bool {
    word.matches(':').count() >= 2
        && word
            .split(':')
            .all(|g| g.len() <= 4 && g.bytes().all(|b| b.is_ascii_hexdigit()))
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
            word("den", 620, 300, 60, 1),
            word("3", 684, 300, 20, 1),
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
        // fixtures/scans/klagomal-medborgare-skannad.pdf: a URL in four pieces.
        let words = [
            word("nttps://e-tjanst", 267, 1521, 390, 1),
            word(".ankeby.", 672, 1517, 181, 1),
            word("se/felanmalan?email=kerstin.", 871, 1539, 682, 1),
            word("rask@example.com", 1575, 1557, 386, 1),
            word("Nästa", 2000, 1557, 100, 1),
        ];
        let l = build_layer(&words, Orientation::Upright, 2480, 3508, 300, &a4());
        assert_eq!(
            l.text(),
            "nttps://e-tjanst.ankeby.se/felanmalan?email=kerstin.rask@example.com Nästa"
        );
        let words = [
            word("https://www.ankeby.se.", 100, 300, 400, 1),
            word("Nästa", 520, 300, 100, 1),
        ];
        let l = build_layer(&words, Orientation::Upright, 2480, 3508, 300, &a4());
        assert_eq!(l.text(), "https://www.ankeby.se. Nästa");
    }

    #[test]
    fn numbers_split_near_a_space_are_glued_only_into_a_known_format() {
        // Gaps of 11 px at a height of 40: a third of the height, like a narrow space.
        let glue = |a: &str, b: &str| {
            let wa = word(a, 100, 300, 20 * a.len() as u32, 1);
            let wb = word(
                b,
                100 + 20 * a.len() as u32 + 11,
                300,
                20 * b.len() as u32,
                1,
            );
            build_layer(&[wa, wb], Orientation::Upright, 2480, 3508, 300, &a4())
                .text()
                .to_owned()
        };
        assert_eq!(glue("2017-1", "1-21,"), "2017-11-21,");
        assert_eq!(glue("2001:db8:4a1f:12::", "1b2,"), "2001:db8:4a1f:12::1b2,");
        assert_eq!(glue("870412-23", "84"), "870412-2384");
        assert_eq!(glue("203.0.11", "3.47"), "203.0.113.47");
        assert_eq!(glue("(19491201", "-4885)."), "(19491201-4885).");
        assert_eq!(glue("210514", "+3172"), "210514+3172");
        // A dash before a number that makes no known format is a minus or a range.
        assert_eq!(glue("1949", "-1955"), "1949 -1955");
        // Numbers that happen to stand side by side keep their space.
        assert_eq!(glue("031-390", "06"), "031-390 06");
        assert_eq!(glue("2024-03-15", "19870412"), "2024-03-15 19870412");
        assert_eq!(glue("8", "450"), "8 450");
        assert_eq!(glue("Tel:", "031"), "Tel: 031");
        // A wide gap is a real space even when the pieces would make a date.
        let wide = [
            word("2017-1", 100, 300, 120, 1),
            word("1-21", 240, 300, 80, 1),
        ];
        let l = build_layer(&wide, Orientation::Upright, 2480, 3508, 300, &a4());
        assert_eq!(l.text(), "2017-1 1-21");
    }

    #[test]
    fn skew_is_the_median_slope_of_the_lines() {
        // Three lines of four words, each falling 2 px per 100 px (1.15°), with the word
        // centres wandering by a few pixels as ascenders and descenders make them.
        let mut words = Vec::new();
        for line in 0..3u32 {
            for i in 0..4u32 {
                let left = 100 + 400 * i;
                let wander = [0, 3, -2, 1][i as usize];
                let top = (300 + 100 * line) as i32 + (left as i32 * 2 / 100) + wander;
                words.push(word("ordet", left, top as u32, 300, line));
            }
        }
        let slope = estimate_skew(&words);
        assert!((slope - 0.02).abs() < 0.003, "{slope}");
        // No line of three words: no estimate.
        assert_eq!(estimate_skew(&words[..2]), 0.0);
    }

    #[test]
    fn a_number_cut_into_two_lines_by_the_layout_is_rejoined() {
        // fixtures/scans-heldout/faktura-paminnelse-skannad.pdf: the personnummer's tail
        // filed under a later line, another field's line in between.
        let mut tail = word("453", 1450, 600, 70, 3);
        tail.block = 2;
        let words = [
            word("Org.nr", 1100, 600, 130, 1),
            word("650711-2", 1250, 600, 185, 1),
            word("Förfallodatum", 300, 660, 280, 2),
            tail,
            word("(enskild", 1540, 600, 150, 3),
        ];
        let l = build_layer(&words, Orientation::Upright, 2480, 3508, 300, &a4());
        assert!(
            l.text().starts_with("Org.nr 650711-2453\r\n"),
            "{:?}",
            l.text()
        );
        // A number on the next row is not pulled up, nor one that makes no known format.
        let words = [
            word("650711-2", 1250, 600, 185, 1),
            word("453", 1450, 660, 70, 2),
            word("031-390", 100, 800, 150, 3),
            word("06", 260, 800, 40, 4),
        ];
        let l = build_layer(&words, Orientation::Upright, 2480, 3508, 300, &a4());
        assert_eq!(l.text(), "650711-2\r\n453\r\n031-390\r\n06");
    }

    /// fixtures/scans/epost-trad-skannad.tif is Courier: every character is as wide as the
    /// next, and a split by typical proportional widths put the end of an IP address a
    /// character off its ink.
    #[test]
    fn characters_of_a_monospaced_word_keep_their_cells() {
        let text = "[198.51.100.23]}";
        let n = text.chars().count() as u32;
        let words = [word(text, 600, 300, 25 * n, 1)];
        let l = build_layer(&words, Orientation::Upright, 2480, 3508, 300, &a4());
        for (i, c) in l.chars().iter().enumerate() {
            let px = user_rect_to_pixels(&a4(), &c.rect.unwrap(), 300);
            let cell = (600 + 25 * i as u32, 600 + 25 * (i as u32 + 1));
            assert!(
                px.left <= cell.0 + 1 && px.left + px.width + 1 >= cell.1,
                "char {i}: {px:?} against cell {cell:?}"
            );
        }
    }

    #[test]
    fn a_capital_split_from_a_name_is_glued_back() {
        let pair = |a: &str, b: &str| {
            let wa = word(a, 100, 300, 30, 1);
            let wb = word(b, 148, 300, 20 * b.len() as u32, 1);
            build_layer(&[wa, wb], Orientation::Upright, 2480, 3508, 300, &a4())
                .text()
                .to_owned()
        };
        assert_eq!(pair("J", "ohan"), "Johan");
        assert_eq!(pair("Å", "berg,"), "Åberg,");
        assert_eq!(pair("M", "argareta"), "Margareta");
        // Not a name together: a one-letter word stays a word.
        assert_eq!(pair("I", "dag"), "I dag");
        assert_eq!(pair("K", "uratorn"), "K uratorn");
        assert_eq!(pair("A", "och"), "A och");
    }

    #[test]
    fn a_wide_gap_within_an_ocr_line_breaks_it_into_columns() {
        let words = [
            word("SN", 230, 550, 55, 1),
            word("2024/1234", 310, 550, 210, 1),
            word("421", 1340, 550, 70, 1),
            word("33", 1430, 550, 45, 1),
        ];
        let l = build_layer(&words, Orientation::Upright, 2480, 3508, 300, &a4());
        assert_eq!(l.text(), "SN 2024/1234\r\n421 33");
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

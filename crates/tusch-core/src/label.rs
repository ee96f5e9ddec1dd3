//! The provision printed in a mask (issue 15): "OSL 26:1" in white inside the black box.
//!
//! The glyphs come from a tiny 5 × 7 bitmap font compiled into the program, scaled by an
//! integer factor, so the burner (`tusch-engine`) and the verifier (`tusch-pdf`) draw
//! exactly the same pixels from the same text: the verifier proves a labelled box opaque by
//! re-rendering the label and requiring every pixel of the box to be black except the
//! label's own glyph pixels, which must be white. No font file, no anti-aliasing, nothing
//! that depends on a library version.
//!
//! Where the label goes is a pure function of the box in pixels ([`inward_pixels`], the
//! same rounding the verifier uses for the box) and the page's pixels per point, so the
//! verifier needs only the label's text.

use crate::geom::{DisplayRect, PixelRect};
use crate::plan::{MaskState, PagePlan};
use crate::raster::GrayImage;

/// Every accepted mask rectangle of a page in output (display) space, in plan order, with
/// the short form of its mask's provision when it has one that can be printed: the boxes
/// the burner labels and the verifier checks, in the same order.
pub fn page_labels(page: &PagePlan) -> Vec<(DisplayRect, Option<String>)> {
    page.masks
        .iter()
        .filter(|m| m.state == MaskState::Accepted)
        .flat_map(|m| {
            let text = m.provision.as_deref().and_then(short_form);
            m.rects
                .iter()
                .map(move |r| (page.geometry.to_display(r), text.clone()))
        })
        .collect()
}

/// Glyph width and height in font pixels; one blank column between glyphs.
const GLYPH_W: u32 = 5;
const GLYPH_H: u32 = 7;
const ADVANCE: u32 = GLYPH_W + 1;

/// Rows of a glyph, top first; bit 4 is the leftmost column.
type Glyph = [u8; 7];

fn glyph(c: char) -> Option<Glyph> {
    let g = match c {
        'A' => [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'D' => [0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'F' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'M' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'P' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'Q' => [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'X' => [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
        'Z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        'Å' => [0x04, 0x0A, 0x04, 0x0E, 0x11, 0x1F, 0x11],
        'Ä' => [0x0A, 0x00, 0x0E, 0x11, 0x1F, 0x11, 0x11],
        'Ö' => [0x0A, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E],
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        'k' => [0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12],
        'a' => [0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F],
        'p' => [0x00, 0x00, 0x1E, 0x11, 0x1E, 0x10, 0x10],
        ' ' => [0; 7],
        ':' => [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00],
        '.' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        '§' => [0x0E, 0x10, 0x0E, 0x11, 0x0E, 0x01, 0x0E],
        '-' => [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        '/' => [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00],
        _ => return None,
    };
    Some(g)
}

/// Whether every character of `text` has a glyph.
pub fn drawable(text: &str) -> bool {
    !text.trim().is_empty() && text.chars().all(|c| glyph(c).is_some())
}

/// The short form of a provision for the box: "26 kap. 1 § OSL" → "OSL 26:1",
/// "21 kap. 7 § första stycket OSL" → "OSL 21:7". A provision not written as
/// "N kap. M § LAW" is upper-cased as it is; `None` when the result has a character the
/// font lacks or is longer than 16 characters (the box then stays plain black).
pub fn short_form(provision: &str) -> Option<String> {
    let words: Vec<&str> = provision.split_whitespace().collect();
    let kap = words.iter().position(|w| *w == "kap." || *w == "kap");
    let para = words.iter().position(|w| *w == "§");
    let law = words
        .last()
        .filter(|w| w.len() >= 2 && w.chars().all(|c| c.is_ascii_uppercase()));
    let short = match (kap, para, law) {
        (Some(k), Some(p), Some(law)) if k >= 1 && p == k + 2 => {
            let chapter = words[k - 1];
            let section = words[k + 1];
            format!("{law} {chapter}:{section}").to_uppercase()
        }
        _ => provision.trim().to_uppercase(),
    };
    (drawable(&short) && short.chars().count() <= 16).then_some(short)
}

/// A box's pixels, rounded inwards: the area a verifier can require to be black, since the
/// burn rounded the same rectangle outwards. `sx` and `sy` are pixels per point.
pub fn inward_pixels(r: &DisplayRect, sx: f32, sy: f32, width: u32, height: u32) -> PixelRect {
    let x0 = ((r.left * sx).ceil().max(0.0) as u32).min(width);
    let y0 = ((r.top * sy).ceil().max(0.0) as u32).min(height);
    let x1 = ((r.right * sx).floor().max(0.0) as u32).min(width);
    let y1 = ((r.bottom * sy).floor().max(0.0) as u32).min(height);
    PixelRect { x0, y0, x1, y1 }
}

/// A label placed in a box: its text, top-left pixel and scale (font pixels to image
/// pixels).
#[derive(Clone, PartialEq, Eq)]
pub struct Label {
    glyphs: Vec<Glyph>,
    pub x: u32,
    pub y: u32,
    pub scale: u32,
}

impl std::fmt::Debug for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Label")
            .field("chars", &self.glyphs.len())
            .field("x", &self.x)
            .field("y", &self.y)
            .field("scale", &self.scale)
            .finish()
    }
}

/// Places `text` centred in `within` at the largest scale that fits with a margin of one
/// scaled font pixel on every side, no larger than the page's resolution allows (about
/// 7 pt tall: scale ⌊pixels per point⌋). `None` when even scale 1 does not fit, or the font
/// lacks a character.
pub fn place(text: &str, within: &PixelRect, px_per_pt: f32) -> Option<Label> {
    if !drawable(text) {
        return None;
    }
    let glyphs: Vec<Glyph> = text.chars().filter_map(glyph).collect();
    let n = glyphs.len() as u32;
    let (bw, bh) = (
        within.x1.saturating_sub(within.x0),
        within.y1.saturating_sub(within.y0),
    );
    let max_scale = (px_per_pt.floor() as u32).clamp(1, 8);
    (1..=max_scale).rev().find_map(|s| {
        let (w, h) = ((n * ADVANCE - 1) * s, GLYPH_H * s);
        if w + 2 * s > bw || h + 2 * s > bh {
            return None;
        }
        Some(Label {
            glyphs: glyphs.clone(),
            x: within.x0 + (bw - w) / 2,
            y: within.y0 + (bh - h) / 2,
            scale: s,
        })
    })
}

impl Label {
    /// The pixels the label may touch.
    pub fn bounds(&self) -> PixelRect {
        let n = self.glyphs.len() as u32;
        PixelRect {
            x0: self.x,
            y0: self.y,
            x1: self.x + (n * ADVANCE - 1) * self.scale,
            y1: self.y + GLYPH_H * self.scale,
        }
    }

    /// Whether pixel (`x`, `y`) of the image is one of the label's glyph pixels.
    pub fn is_ink(&self, x: u32, y: u32) -> bool {
        let b = self.bounds();
        if x < b.x0 || x >= b.x1 || y < b.y0 || y >= b.y1 {
            return false;
        }
        let (fx, fy) = ((x - self.x) / self.scale, (y - self.y) / self.scale);
        let (k, col) = ((fx / ADVANCE) as usize, fx % ADVANCE);
        if col >= GLYPH_W {
            return false;
        }
        self.glyphs
            .get(k)
            .is_some_and(|g| g[fy as usize] & (1 << (GLYPH_W - 1 - col)) != 0)
    }

    /// Paints the glyph pixels white.
    pub fn draw(&self, img: &mut GrayImage) {
        let b = self.bounds();
        for y in b.y0..b.y1.min(img.height) {
            for x in b.x0..b.x1.min(img.width) {
                if self.is_ink(x, y) {
                    img.data[(y * img.width + x) as usize] = 255;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn short_forms() {
        assert_eq!(short_form("26 kap. 1 § OSL").as_deref(), Some("OSL 26:1"));
        assert_eq!(short_form("21 kap. 7 § OSL").as_deref(), Some("OSL 21:7"));
        assert_eq!(short_form("osl").as_deref(), Some("OSL"));
        assert_eq!(short_form("Något helt annat & långt"), None);
    }

    #[test]
    fn labels_never_exceed_the_box() {
        for (w, h) in [(200, 40), (60, 12), (49, 11), (300, 9), (10, 200)] {
            let within = PixelRect {
                x0: 7,
                y0: 3,
                x1: 7 + w,
                y1: 3 + h,
            };
            if let Some(l) = place("OSL 26:1", &within, 4.2) {
                let b = l.bounds();
                assert!(b.x0 > within.x0 && b.y0 > within.y0, "{w}x{h}");
                assert!(b.x1 < within.x1 && b.y1 < within.y1, "{w}x{h}");
            }
        }
        let tiny = PixelRect {
            x0: 0,
            y0: 0,
            x1: 20,
            y1: 8,
        };
        assert!(place("OSL 26:1", &tiny, 2.0).is_none());
    }

    #[test]
    fn smaller_size_when_the_large_one_does_not_fit() {
        let big = PixelRect {
            x0: 0,
            y0: 0,
            x1: 400,
            y1: 60,
        };
        assert_eq!(place("OSL 26:1", &big, 4.2).unwrap().scale, 4);
        let small = PixelRect {
            x0: 0,
            y0: 0,
            x1: 120,
            y1: 60,
        };
        assert_eq!(place("OSL 26:1", &small, 4.2).unwrap().scale, 2);
    }

    #[test]
    fn drawn_pixels_are_the_ink_and_nothing_else() {
        let mut img = GrayImage::white(100, 30);
        img.data.fill(0);
        let within = PixelRect {
            x0: 0,
            y0: 0,
            x1: 100,
            y1: 30,
        };
        let l = place("OSL 26:1", &within, 2.1).unwrap();
        l.draw(&mut img);
        let mut white = 0;
        for y in 0..30 {
            for x in 0..100 {
                let v = img.data[(y * 100 + x) as usize];
                assert_eq!(v == 255, l.is_ink(x, y));
                white += usize::from(v == 255);
            }
        }
        assert!(white > 50);
    }
}

//! The invisible text layer of the `searchable` profile (issue 15), and the one encoding
//! both the writer and the verifier use for it.
//!
//! The words come only from OCR of the *released* page image (the engine reads the masked
//! raster), never from the source's text layer, so nothing under a mask can be in them.
//! They are written in the standard Helvetica font with `WinAnsiEncoding` (no embedding: a
//! reader never draws the glyphs, render mode 3 is invisible), each word placed over its ink
//! and stretched horizontally (`Tz`) to the width OCR measured, so selection and search
//! highlight the right place. A character WinAnsi cannot encode becomes `?` *before* the
//! text is stored, so the text the engine stores and the text the verifier reads back from
//! the file are the same string.

use std::fmt::Write as _;

use tusch_core::DisplayRect;

/// One word: its text (already [`winansi_text`]), the left end of its baseline and its
/// box width in PDF points (origin bottom-left of the output page), and the font size.
#[derive(Clone, PartialEq)]
pub struct PlacedWord {
    pub text: String,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub size: f32,
}

impl std::fmt::Debug for PlacedWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // OCR text is document text: never print it.
        f.debug_struct("PlacedWord")
            .field("chars", &self.text.chars().count())
            .field("x", &self.x)
            .field("y", &self.y)
            .finish()
    }
}

/// One mask, tagged as a figure whose alternate text a screen reader speaks
/// ("Maskerat enligt 26 kap. 1 § OSL").
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub alt: String,
    /// The mask's rectangles in display points of the output page (origin top-left).
    pub rects: Vec<DisplayRect>,
}

/// What the `searchable` profile adds to a page: OCR lines in reading order and the masks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageLayer {
    pub lines: Vec<Vec<PlacedWord>>,
    pub figures: Vec<Figure>,
}

impl PageLayer {
    /// The page's text as stored and as the verifier reads it back: words joined by a
    /// space, lines by a line break.
    pub fn text(&self) -> String {
        self.lines
            .iter()
            .map(|l| {
                l.iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The alternate text of a mask: "Maskerat enligt <provision>", or "Maskerat".
pub fn mask_alt(provision: Option<&str>) -> String {
    match provision {
        Some(p) if !p.trim().is_empty() => format!("Maskerat enligt {}", p.trim()),
        _ => "Maskerat".to_owned(),
    }
}

/// The neutral document title of every searchable output: no name, no file name.
pub const TITLE: &str = "Maskerad handling";
/// The document language.
pub const LANG: &str = "sv-SE";

/// WinAnsiEncoding's code points 0x80–0x9F (the rest of 0x20–0xFF is Latin-1).
const WIN_80: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

pub(crate) fn winansi_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if (0x20..0x7F).contains(&u) || (0xA0..=0xFF).contains(&u) {
        return Some(u as u8);
    }
    WIN_80
        .iter()
        .position(|&w| w == c && !(w as u32 >= 0x80 && w as u32 <= 0x9F))
        .map(|k| 0x80 + k as u8)
}

/// The character a WinAnsi byte stands for; `None` for bytes outside the encoding.
pub fn winansi_char(b: u8) -> Option<char> {
    match b {
        0x20..=0x7E | 0xA0..=0xFF => Some(char::from(b)),
        0x80..=0x9F => Some(WIN_80[usize::from(b - 0x80)]).filter(|c| (*c as u32) > 0xFF),
        _ => None,
    }
}

/// `s` as it survives WinAnsi: every character the encoding lacks becomes `?`, control
/// characters and whitespace become a space.
pub fn winansi_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_whitespace() || c.is_control() {
                ' '
            } else if winansi_byte(c).is_some() {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// Helvetica's advance width of `c` in thousandths of the font size (the standard AFM
/// widths; accented letters as their base letter).
pub(crate) fn helvetica_width(c: char) -> u32 {
    const ASCII: [u16; 95] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
        556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722,
        722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
        667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
        556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
        500, 334, 260, 334, 584,
    ];
    let u = c as u32;
    if (0x20..0x7F).contains(&u) {
        return u32::from(ASCII[(u - 0x20) as usize]);
    }
    match c {
        'Å' | 'Ä' | 'Á' | 'À' | 'Â' | 'Ã' | 'É' | 'È' | 'Ê' | 'Ë' | 'Ü' | 'Ú' => 667,
        'Ö' | 'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ø' => 778,
        'é' | 'è' | 'ê' | 'ë' | 'å' | 'ä' | 'á' | 'à' | 'â' | 'ö' | 'ó' | 'ò' | 'ô' | 'ø' | 'ü'
        | 'ú' => 556,
        '§' => 556,
        _ => 556,
    }
}

/// A PDF number with at most two decimals.
fn n2(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" || s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// The content stream of a searchable page: the image as an artifact, each mask as a
/// `/Figure` (an opaque black fill over the black of the image: it draws nothing new and
/// gives the figure its place), then each OCR line as a `/P` of invisible text (`3 Tr`).
/// Marked-content ids count figures first, then lines; the structure tree follows the same
/// order.
pub fn searchable_content(w: &str, h: &str, page_h: f32, layer: &PageLayer) -> String {
    let mut s = format!("/Artifact BMC q {w} 0 0 {h} 0 0 cm /Im0 Do Q EMC\n");
    let mut mcid = 0;
    for f in &layer.figures {
        let _ = write!(s, "/Figure << /MCID {mcid} >> BDC 0 g");
        for r in &f.rects {
            let _ = write!(
                s,
                " {} {} {} {} re",
                n2(r.left),
                n2(page_h - r.bottom),
                n2(r.right - r.left),
                n2(r.bottom - r.top)
            );
        }
        s.push_str(" f EMC\n");
        mcid += 1;
    }
    for line in &layer.lines {
        let _ = write!(s, "/P << /MCID {mcid} >> BDC BT 3 Tr");
        for word in line {
            let natural: u32 = word.text.chars().map(helvetica_width).sum();
            let natural_pt = natural as f32 * word.size / 1000.0;
            let tz = if natural_pt > 0.0 {
                (100.0 * word.width / natural_pt).clamp(10.0, 1000.0)
            } else {
                100.0
            };
            let hex: String = word
                .text
                .chars()
                .map(|c| format!("{:02X}", winansi_byte(c).unwrap_or(b'?')))
                .collect();
            let _ = write!(
                s,
                " /F1 {} Tf {} Tz 1 0 0 1 {} {} Tm <{hex}> Tj",
                n2(word.size),
                n2(tz),
                n2(word.x),
                n2(word.y)
            );
        }
        s.push_str(" ET EMC\n");
        mcid += 1;
    }
    s
}

/// A PDF text string: literal when plain ASCII, else UTF-16BE with a byte-order mark.
pub fn text_string(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_graphic() || c == ' ') && !s.contains(['(', ')', '\\']) {
        format!("({s})")
    } else {
        let mut hex = String::from("<FEFF");
        for u in s.encode_utf16() {
            let _ = write!(hex, "{u:04X}");
        }
        hex.push('>');
        hex
    }
}

/// Decodes a PDF text string's bytes (UTF-16BE with BOM, or PDFDocEncoding as Latin-1).
pub fn decode_text_string(b: &[u8]) -> String {
    if b.len() >= 2 && b[0] == 0xFE && b[1] == 0xFF {
        let units: Vec<u16> = b[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        b.iter().map(|&c| char::from(c)).collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn swedish_letters_survive_winansi() {
        let s = "Åsa Ärlig Östen é kr–";
        assert_eq!(winansi_text(s), s);
        assert_eq!(winansi_text("Ωx"), "?x");
        for c in s.chars() {
            assert_eq!(winansi_char(winansi_byte(c).unwrap()), Some(c));
        }
    }

    #[test]
    fn alt_texts() {
        assert_eq!(
            mask_alt(Some("26 kap. 1 § OSL")),
            "Maskerat enligt 26 kap. 1 § OSL"
        );
        assert_eq!(mask_alt(None), "Maskerat");
        assert_eq!(
            decode_text_string(&{
                let h = text_string("Maskerat enligt 26 kap. 1 § OSL");
                let h = h.trim_start_matches('<').trim_end_matches('>');
                (0..h.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap_or(0))
                    .collect::<Vec<u8>>()
            }),
            "Maskerat enligt 26 kap. 1 § OSL"
        );
    }
}

//! # tusch-ocr
//!
//! Scanned pages have no text layer, so nothing could be found in them. This crate turns a
//! page image into the *same* [`TextLayer`] the PDF path produces — every character with
//! its own box in user space, line breaks between lines, reading order kept — so every
//! detector, the NER model and the every-occurrence propagation work unchanged and the
//! masks land on the ink.
//!
//! The design follows the pipeline: an [`OcrEngine`] only recognises words with pixel
//! boxes (one required method, so tests run the real layer building with a fake engine);
//! [`recognize_page`] handles orientation (a page scanned on its side is turned upright
//! before recognition and its boxes turned back); [`build_layer`] splits each word's box
//! among its characters and maps pixels to PDF user space through the page's
//! [`PageGeometry`] — the one mapping the rest of Tusch uses.
//!
//! [`Tesseract`] is the engine: it calls the `tesseract` command from Debian with
//! `OMP_THREAD_LIMIT=1` (OpenMP inside one process made a page up to ten times slower on a
//! busy machine; Tusch parallelises across pages instead), passes the image on stdin (no
//! temporary file holds the page) and parses the TSV output.

pub mod deskew;
mod layer;
pub mod reread;
pub mod snap;
mod tesseract;

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use tusch_core::{GrayImage, PageGeometry, TextLayer};

pub use layer::{
    build_layer, build_layer_levelled, estimate_skew, rotate_quarter, unrotate_box,
    user_rect_to_pixels,
};
pub use tesseract::Tesseract;

/// A word as the engine saw it, in pixels of the image it was given.
#[derive(Clone, PartialEq)]
pub struct OcrWord {
    pub text: String,
    pub bbox: PixelBox,
    /// The engine's confidence, 0–100; negative when unknown.
    pub confidence: f32,
    /// Block, paragraph and line numbers: a change starts a new line in the text layer.
    pub block: u32,
    pub paragraph: u32,
    pub line: u32,
}

impl fmt::Debug for OcrWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Recognised words are document text: never print them.
        f.debug_struct("OcrWord")
            .field("chars", &self.text.chars().count())
            .field("bbox", &self.bbox)
            .field("confidence", &self.confidence)
            .finish()
    }
}

/// An axis-aligned box in pixels, origin top-left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PixelBox {
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
}

/// A page turned by a multiple of 90°: how far the *content* is turned clockwise from
/// upright. Turning the image counter-clockwise by the same amount makes it upright.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Orientation {
    #[default]
    #[serde(rename = "0")]
    Upright,
    #[serde(rename = "90")]
    Cw90,
    #[serde(rename = "180")]
    Cw180,
    #[serde(rename = "270")]
    Cw270,
}

impl Orientation {
    pub fn degrees(self) -> u32 {
        match self {
            Orientation::Upright => 0,
            Orientation::Cw90 => 90,
            Orientation::Cw180 => 180,
            Orientation::Cw270 => 270,
        }
    }

    pub fn from_degrees(deg: u32) -> Self {
        match deg % 360 {
            90 => Orientation::Cw90,
            180 => Orientation::Cw180,
            270 => Orientation::Cw270,
            _ => Orientation::Upright,
        }
    }
}

/// Why OCR failed. Messages tell the user what to do and never hold document text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OcrError {
    #[error(
        "OCR-programmet Tesseract ({program}) hittades inte; installera det med \
         `sudo apt-get install tesseract-ocr tesseract-ocr-swe tesseract-ocr-eng` (eller kör \
         `make setup`), eller stäng av OCR med [ocr] mode = \"never\""
    )]
    NotInstalled {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "Tesseract saknar språket {language}; installera paketet tesseract-ocr-{language} \
         (sudo apt-get install tesseract-ocr-{language}) eller ändra [ocr] languages"
    )]
    LanguageMissing { language: String },
    #[error("ogiltigt språk för OCR: {0:?} (till exempel \"swe+eng\")")]
    BadLanguages(String),
    #[error("Tesseract misslyckades (avslutningskod {code:?}): {detail}")]
    Failed { code: Option<i32>, detail: String },
    #[error("kunde inte köra Tesseract")]
    Io(#[source] std::io::Error),
}

/// Recognises words in a page image. Implementations must be usable from several threads
/// at once (each call is independent): pages are recognised in parallel.
pub trait OcrEngine: Send + Sync {
    /// The words of `image` (rendered at `dpi`) in reading order, boxes in its pixels.
    /// Words the engine is unsure of are still returned: for redaction, a doubtful word is
    /// better masked than missed.
    fn recognize(&self, image: &GrayImage, dpi: u32) -> Result<Vec<OcrWord>, OcrError>;

    /// The words of `image` read as one block of text lines (Tesseract's `--psm 6`), for
    /// [`reread`]'s strip of cut-out lines: page layout analysis would take the strip for
    /// columns or a table. The default reads it as a page.
    fn recognize_block(&self, image: &GrayImage, dpi: u32) -> Result<Vec<OcrWord>, OcrError> {
        self.recognize(image, dpi)
    }

    /// How the page's content is turned, when the engine can tell. The default cannot,
    /// and [`recognize_page`] then tries the other three turns itself.
    fn orientation(&self, _image: &GrayImage, _dpi: u32) -> Result<Option<Orientation>, OcrError> {
        Ok(None)
    }

    /// A short description for reports, e.g. "tesseract 5.3.0 swe+eng".
    fn describe(&self) -> String;
}

/// What OCR made of one page.
#[derive(Debug, Clone)]
pub struct PageOcr {
    /// The text layer in user space of the page.
    pub layer: TextLayer,
    /// How the content was turned on the page (0 when upright).
    pub orientation: Orientation,
    /// Number of words and their mean confidence (0–100).
    pub words: usize,
    pub mean_confidence: f32,
    /// How far the text lines are turned counter-clockwise in the upright view, degrees
    /// (a scan fed in slightly crooked): the angle the page was levelled by before reading
    /// plus what the word boxes still show.
    pub skew_degrees: f32,
    /// Share of the words (of two or more letters or digits) read with a confidence below
    /// [`reread::DOUBTFUL_CONFIDENCE`], in the first reading.
    pub doubtful_share: f32,
    /// Lines read a second time ([`reread`]); their words were added to the layer.
    pub reread_lines: usize,
    /// OCR was unsure of so many words ([`reread::POOR_SHARE`] or more) that the page is
    /// hard to read: what OCR missed may be missing from the masks too, and the page must
    /// be checked by hand.
    pub poor_quality: bool,
}

/// Below this, a page's recognition is doubtful enough to check its orientation: an
/// upright page of text gives dozens of words at 80–95.
const WEAK_WORDS: usize = 12;
const WEAK_CONFIDENCE: f32 = 65.0;

/// A recognition's quality: confident characters in horizontal words. Used to pick
/// between orientations. Tesseract reads a page turned on its side surprisingly well, as
/// vertical lines — but its word boxes then stand upright and cannot be split into
/// character boxes along the line, so such a reading counts as worthless.
fn quality(words: &[OcrWord]) -> f32 {
    let sum: f32 = words
        .iter()
        .map(|w| {
            w.confidence.max(0.0) * w.text.chars().filter(|c| c.is_alphanumeric()).count() as f32
        })
        .sum();
    sum * (1.0 - vertical_share(words))
}

/// The share of words of three or more characters whose box is taller than wide.
fn vertical_share(words: &[OcrWord]) -> f32 {
    let long: Vec<&OcrWord> = words
        .iter()
        .filter(|w| w.text.chars().count() >= 3)
        .collect();
    if long.is_empty() {
        return 0.0;
    }
    let vertical = long.iter().filter(|w| w.bbox.height > w.bbox.width).count();
    vertical as f32 / long.len() as f32
}

fn is_weak(words: &[OcrWord]) -> bool {
    if vertical_share(words) > 0.3 {
        return true;
    }
    let real: Vec<&OcrWord> = words
        .iter()
        .filter(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
        .collect();
    if real.len() < WEAK_WORDS {
        return true;
    }
    let mean = real.iter().map(|w| w.confidence.max(0.0)).sum::<f32>() / real.len() as f32;
    mean < WEAK_CONFIDENCE
}

/// Recognises a page image (the page as displayed, rendered at `dpi`) and builds its text
/// layer in user space of the page described by `geometry`.
///
/// Orientation: most scans are upright, so a portrait page is recognised as it is first;
/// only when that result is weak is the orientation asked for (or, if the engine cannot
/// tell, the other three turns tried) and the best result kept. A landscape page image is
/// as often a portrait letter fed in sideways as a landscape document, and reading it the
/// wrong way round costs a whole recognition for nothing, so its orientation is asked for
/// first (a fraction of a recognition) and it is read the way that answer says. An upright
/// portrait page costs one recognition; a sideways page one recognition and one orientation
/// check; a page upside down two recognitions and a check.
pub fn recognize_page(
    engine: &dyn OcrEngine,
    image: &GrayImage,
    dpi: u32,
    geometry: &PageGeometry,
) -> Result<PageOcr, OcrError> {
    // Each reading: the page turned by `o`, levelled if it is skewed; the words come with
    // the angle they were levelled by.
    // The image read is kept with its words: a poor page's doubtful lines are cut from it.
    let read = |o: Orientation| -> Result<(f32, Vec<OcrWord>, Cow<'_, GrayImage>), OcrError> {
        let upright = if o == Orientation::Upright {
            Cow::Borrowed(image)
        } else {
            Cow::Owned(rotate_quarter(image, o))
        };
        let skew = deskew::find_skew(&upright, dpi);
        if skew.abs() >= deskew::MIN_DESKEW_DEGREES {
            let level = deskew::rotate(&upright, skew);
            let words = engine.recognize(&level, dpi)?;
            Ok((skew, words, Cow::Owned(level)))
        } else {
            let words = engine.recognize(&upright, dpi)?;
            Ok((0.0, words, upright))
        }
    };
    let osd_first = image.width > image.height;
    let first = if osd_first {
        engine
            .orientation(image, dpi)?
            .unwrap_or(Orientation::Upright)
    } else {
        Orientation::Upright
    };
    let mut best = (first, read(first)?);
    if is_weak(&best.1 .1) {
        let all = [
            Orientation::Upright,
            Orientation::Cw90,
            Orientation::Cw180,
            Orientation::Cw270,
        ];
        let candidates: Vec<Orientation> = if osd_first {
            // The engine was asked already; its answer read weakly: try the other turns.
            all.into_iter().filter(|&o| o != first).collect()
        } else {
            match engine.orientation(image, dpi)? {
                Some(Orientation::Upright) => Vec::new(),
                Some(o) => vec![o],
                None => all.into_iter().filter(|&o| o != first).collect(),
            }
        };
        for o in candidates {
            let reading = read(o)?;
            if quality(&reading.1) > quality(&best.1 .1) {
                best = (o, reading);
            }
        }
    }
    let (orientation, (levelled, mut words, read_image)) = best;
    snap::snap_to_ink(&mut words, &read_image);
    let mut layer = build_layer_levelled(
        &words,
        orientation,
        levelled,
        image.width,
        image.height,
        dpi,
        geometry,
    );
    let (doubtful_share, _) = reread::doubtful_share(&words);
    let mut reread_lines = 0;
    if reread::needs_second_reading(&words) {
        let lines = reread::doubtful_lines(&words, read_image.width, read_image.height);
        let mut again = reread::reread_lines(engine, &read_image, dpi, &lines)?;
        snap::snap_to_ink(&mut again, &read_image);
        reread_lines = lines.len();
        let more = build_layer_levelled(
            &again,
            orientation,
            levelled,
            image.width,
            image.height,
            dpi,
            geometry,
        );
        append_reading(&mut layer, &more);
    }
    drop(read_image);
    Ok(PageOcr {
        layer,
        orientation,
        // A line rising to the right (negative slope, y grows downwards) is turned
        // counter-clockwise.
        skew_degrees: levelled - estimate_skew(&words).atan().to_degrees(),
        doubtful_share,
        reread_lines,
        poor_quality: doubtful_share >= reread::POOR_SHARE,
        words: words.len(),
        mean_confidence: mean_confidence(&words),
    })
}

/// Recognises a region cut from a page (an image pasted into a letter, a stamp, a form
/// field's value) and builds its text layer in user space of the region described by
/// `geometry`.
///
/// A region holds a few words, so [`recognize_page`]'s test for a weak reading (fewer
/// than a dozen words) would send almost every region through orientation detection and
/// three more readings. Here a region is read as it stands (levelled if skewed, up to 40°
/// for stamps), and only a region taller than wide that gave no confident word, or whose
/// words stand upright, goes through [`recognize_page`]'s quarter turns.
pub fn recognize_region(
    engine: &dyn OcrEngine,
    image: &GrayImage,
    dpi: u32,
    geometry: &PageGeometry,
) -> Result<PageOcr, OcrError> {
    let skew = deskew::find_skew_within(image, dpi, STAMP_DEGREES);
    if skew.abs() > deskew::MAX_DEGREES {
        // Turning a wide region by 20° or more would cut its corners off: read it on a
        // white margin, and map the margin into the geometry so boxes still land.
        let pad = image.width.max(image.height) / 3;
        let padded = pad_white(image, pad);
        let g = PageGeometry {
            crop: geometry.crop.inflate(pad as f32 * 72.0 / dpi as f32),
            rotation: geometry.rotation,
        };
        return read_region(engine, &padded, dpi, &g, skew);
    }
    read_region(engine, image, dpi, geometry, skew)
}

/// How far a region may be turned and still be levelled before reading: stamps and
/// comment boxes are drawn at any angle, a quarter turn is [`recognize_page`]'s business.
const STAMP_DEGREES: f32 = 40.0;

/// `img` with `pad` white pixels on every side.
fn pad_white(img: &GrayImage, pad: u32) -> GrayImage {
    let (w, h) = (img.width + 2 * pad, img.height + 2 * pad);
    let mut out = GrayImage::white(w, h);
    for y in 0..img.height {
        let src = (y * img.width) as usize;
        let dst = ((y + pad) * w + pad) as usize;
        out.data[dst..dst + img.width as usize]
            .copy_from_slice(&img.data[src..src + img.width as usize]);
    }
    out
}

fn read_region(
    engine: &dyn OcrEngine,
    image: &GrayImage,
    dpi: u32,
    geometry: &PageGeometry,
    skew: f32,
) -> Result<PageOcr, OcrError> {
    let (levelled, words) = if skew.abs() >= deskew::MIN_DESKEW_DEGREES {
        (skew, engine.recognize(&deskew::rotate(image, skew), dpi)?)
    } else {
        (0.0, engine.recognize(image, dpi)?)
    };
    let confident = words.iter().any(|w| {
        w.confidence >= 50.0 && w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 2
    });
    // Text turned a quarter (a margin note running up the page) reads as nothing or as
    // upright word boxes; a logo or a photo also reads as nothing, and is common on every
    // page of a letter, so only a region shaped like turned text gets the turns tried.
    let tall = image.height > image.width + image.width / 2;
    if (!confident && tall) || vertical_share(&words) > 0.3 {
        let turned = recognize_page(engine, image, dpi, geometry)?;
        if quality_of_layer(&turned) > 0.0 || words.is_empty() {
            return Ok(turned);
        }
    }
    let layer = build_layer_levelled(
        &words,
        Orientation::Upright,
        levelled,
        image.width,
        image.height,
        dpi,
        geometry,
    );
    Ok(PageOcr {
        layer,
        orientation: Orientation::Upright,
        skew_degrees: levelled,
        doubtful_share: reread::doubtful_share(&words).0,
        reread_lines: 0,
        poor_quality: false,
        words: words.len(),
        mean_confidence: mean_confidence(&words),
    })
}

/// Appends a second reading's layer after a line break: every detector sees both.
fn append_reading(layer: &mut TextLayer, more: &TextLayer) {
    if more.is_empty() {
        return;
    }
    if !layer.is_empty() {
        layer.push_unboxed("\r\n");
    }
    layer.extend_from(more);
}

/// The mean of the words' confidences (0–100), over the words that have one.
fn mean_confidence(words: &[OcrWord]) -> f32 {
    let scored: Vec<f32> = words
        .iter()
        .filter(|w| w.confidence >= 0.0)
        .map(|w| w.confidence)
        .collect();
    if scored.is_empty() {
        0.0
    } else {
        scored.iter().sum::<f32>() / scored.len() as f32
    }
}

/// Words times confidence of a finished reading (0 when it found nothing).
fn quality_of_layer(p: &PageOcr) -> f32 {
    p.words as f32 * p.mean_confidence
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tusch_core::{Rect, Rotation};

    /// Reads a page "correctly" only when it is shown upright (portrait, as the page was
    /// made); shown on its side it reads the lines as vertical words, like Tesseract does.
    struct Fake {
        osd: Option<Orientation>,
        reads: std::sync::atomic::AtomicUsize,
    }

    fn fake(osd: Option<Orientation>) -> Fake {
        Fake {
            osd,
            reads: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    impl OcrEngine for Fake {
        fn recognize(&self, image: &GrayImage, _dpi: u32) -> Result<Vec<OcrWord>, OcrError> {
            self.reads
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let upright = image.height > image.width;
            let words = (0..20)
                .map(|i| OcrWord {
                    text: format!("ord{i}"),
                    bbox: if upright {
                        PixelBox {
                            left: 10 + 50 * (i % 4),
                            top: 10 + 20 * (i / 4),
                            width: 40,
                            height: 12,
                        }
                    } else {
                        PixelBox {
                            left: 10 + 20 * (i / 4),
                            top: 10 + 50 * (i % 4),
                            width: 12,
                            height: 40,
                        }
                    },
                    confidence: 90.0,
                    block: 1,
                    paragraph: 1,
                    line: i / 4,
                })
                .collect();
            Ok(words)
        }
        fn orientation(&self, _: &GrayImage, _: u32) -> Result<Option<Orientation>, OcrError> {
            Ok(self.osd)
        }
        fn describe(&self) -> String {
            "fake".into()
        }
    }

    fn landscape_page() -> (GrayImage, PageGeometry) {
        (
            GrayImage::white(300, 200),
            PageGeometry {
                crop: Rect::new(0.0, 0.0, 300.0, 200.0),
                rotation: Rotation::R0,
            },
        )
    }

    #[test]
    fn page_on_its_side_is_turned_upright_by_osd() {
        let (img, g) = landscape_page();
        let engine = fake(Some(Orientation::Cw90));
        let r = recognize_page(&engine, &img, 72, &g).unwrap();
        assert_eq!(r.orientation, Orientation::Cw90);
        // A landscape image is checked first and read once, the right way round.
        assert_eq!(engine.reads.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert!(r.layer.text().starts_with("ord0 ord1 ord2 ord3\r\nord4"));
        // Boxes come back onto the landscape page: inside it, and standing upright
        // (the text runs down the page).
        for c in r.layer.chars().iter().filter_map(|c| c.rect) {
            assert!(
                c.x0 >= -5.0 && c.x1 <= 305.0 && c.y0 >= -5.0 && c.y1 <= 205.0,
                "{c:?}"
            );
        }
        let rects = r.layer.rects_for(&(0..4));
        let word = rects.iter().skip(1).fold(rects[0], |a, b| a.union(b));
        assert!(word.height() > 2.0 * word.width(), "{word:?}");
    }

    #[test]
    fn without_osd_every_turn_is_tried() {
        let (img, g) = landscape_page();
        let r = recognize_page(&fake(None), &img, 72, &g).unwrap();
        assert!(matches!(
            r.orientation,
            Orientation::Cw90 | Orientation::Cw270
        ));
        assert_eq!(r.words, 20);
    }

    #[test]
    fn upright_page_costs_one_recognition() {
        let img = GrayImage::white(200, 300);
        let g = PageGeometry {
            crop: Rect::new(0.0, 0.0, 200.0, 300.0),
            rotation: Rotation::R0,
        };
        // OSD would say 180, but an upright reading is strong, so it is never asked.
        let engine = fake(Some(Orientation::Cw180));
        let r = recognize_page(&engine, &img, 72, &g).unwrap();
        assert_eq!(r.orientation, Orientation::Upright);
        assert_eq!(engine.reads.load(std::sync::atomic::Ordering::Relaxed), 1);
    }

    #[test]
    fn a_landscape_page_the_engine_calls_upright_but_reads_weakly_tries_the_turns() {
        // OSD says upright, the upright reading is vertical words (weak): the other three
        // turns are tried and a sideways one wins.
        let (img, g) = landscape_page();
        let engine = fake(Some(Orientation::Upright));
        let r = recognize_page(&engine, &img, 72, &g).unwrap();
        assert!(matches!(
            r.orientation,
            Orientation::Cw90 | Orientation::Cw270
        ));
        assert_eq!(engine.reads.load(std::sync::atomic::Ordering::Relaxed), 4);
    }
}

//! One input document, whatever it is: a PDF (through pdfium) or image files (PNG, JPEG,
//! multi-page TIFF), each image a page. The CLI and the desktop app open every input here
//! and run the same pipeline over it.
//!
//! Opening also looks at every page's images, so later steps know which pages are scans
//! (an image covers the page), at what resolution they were scanned, and — once the text
//! is extracted — which pages were read with OCR and why. That decision is reported per
//! page ([`PageInfo`]).

use std::io::Cursor;
use std::path::Path;

use serde::Serialize;
use tusch_core::{GrayImage, OcrPolicy, PageGeometry, PageText, Rect, Rotation, TextLayer};
use tusch_ocr::Orientation;

use tusch_pdf::source::{sniff, AnnotationKind, FontRuns, PageAnnotation, SourceDocument, NO_FONT};
use tusch_pdf::PdfError;

use crate::error::EngineError;

/// Most pages an image file may have, and the largest image page in megapixels (an A0
/// scan at 600 DPI is about 140).
const MAX_IMAGE_PAGES: usize = 10_000;
const MAX_IMAGE_MEGAPIXELS: u64 = 200;

/// What kind of file an input is, from its first bytes (never its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    Pdf,
    Png,
    Jpeg,
    Tiff,
}

impl InputKind {
    /// Recognises a file by its signature. A file that is none of these is treated as a
    /// (broken) PDF, so its error says what a PDF reader would say.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(InputKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(InputKind::Jpeg)
        } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
            Some(InputKind::Tiff)
        } else if bytes[..bytes.len().min(1024)]
            .windows(5)
            .any(|w| w == b"%PDF-")
        {
            Some(InputKind::Pdf)
        } else {
            None
        }
    }

    /// Whether a file name has one of the extensions Tusch reads (any case).
    pub fn supported_extension(path: &Path) -> bool {
        path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["pdf", "png", "jpg", "jpeg", "tif", "tiff"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        })
    }
}

/// Why a page was or was not read with OCR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OcrReason {
    /// A page of an image file: there is no text layer.
    ImageInput,
    /// A PDF page without a text layer (a scan, or text drawn as outlines).
    NoTextLayer,
    /// An image covers at least half the page: a scan whose text layer (if any — an
    /// invisible OCR layer of unknown quality, a few stray characters) cannot be trusted to
    /// cover its visible text. The page's own text is kept *and* the OCR text added.
    ImageOverText,
    /// `[ocr] mode = "always"`.
    Forced,
    /// The page's text layer does not say what is printed: every character of it is in a
    /// font whose character map gives garbage (a wrong `ToUnicode`, a Type3 font without
    /// one). The page is read with OCR instead of its text layer.
    UntrustedTextLayer,
    /// Not read with OCR: the page's text layer is the visible text. Ink it does not
    /// explain (an image with text, an annotation, a form field) is still read with OCR,
    /// region by region ([`PageInfo::ocr_regions`]).
    TextLayer,
    /// Not read with OCR because `[ocr] mode = "never"`.
    Disabled,
    /// Not read with OCR although it looks scanned, because `[ocr] mode = "never"`:
    /// nothing in its image was found or masked.
    DisabledButScanned,
}

impl OcrReason {
    pub fn is_ocr(self) -> bool {
        matches!(
            self,
            OcrReason::ImageInput
                | OcrReason::NoTextLayer
                | OcrReason::ImageOverText
                | OcrReason::Forced
                | OcrReason::UntrustedTextLayer
        )
    }
}

/// What OCR made of a page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OcrSummary {
    /// The resolution the page was read at.
    pub dpi: u32,
    /// How the page's content was turned (clockwise degrees), as OCR found it.
    pub orientation_degrees: u32,
    /// How crooked the text lines are (counter-clockwise degrees, after the turn above),
    /// estimated from the word boxes; the masks cover the words at any such skew.
    pub skew_degrees: f32,
    pub words: usize,
    pub mean_confidence: f32,
    /// Share of the words OCR read with low confidence (0–1), and the lines it read a
    /// second time because of them.
    pub low_confidence_share: f32,
    pub reread_lines: usize,
    /// The page is hard to read (many low-confidence words): check it by hand.
    pub poor_quality: bool,
    pub engine: String,
}

/// Per page: whether it is a scan, whether it was read with OCR, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageInfo {
    /// 1-based page number (as in every user-facing message).
    pub page: usize,
    /// Visible characters in the page's own text layer.
    pub text_chars: usize,
    /// Share of the page covered by its largest image (0–1).
    pub image_coverage: f32,
    /// The resolution of that image as drawn (pixels per inch), when there is one.
    pub image_dpi: Option<f32>,
    /// Written as a scan: at the image's own resolution, JPEG.
    pub scan: bool,
    pub reason: OcrReason,
    pub ocr: Option<OcrSummary>,
    /// Characters of the text layer left out because their font's character map gives
    /// garbage (see [`tusch_core::lexicon::Plausibility`]); their ink is read with OCR.
    pub untrusted_chars: usize,
    /// Annotations and form fields whose text was analysed (drawn comments, stamps,
    /// field values).
    pub annotations: usize,
    /// Annotation texts that are not drawn on the page (a sticky note's popup, a hidden
    /// annotation): they are not in the released raster copy at all.
    pub dropped_annotations: usize,
    /// Regions of ink the text layer does not explain whose OCR reading added words.
    pub ocr_regions: usize,
}

enum Pages {
    Pdf(SourceDocument),
    Images(Vec<ImagePage>),
}

struct ImagePage {
    image: GrayImage,
    dpi: f32,
}

/// An open input document.
pub struct Document {
    kind: InputKind,
    pages: Pages,
    info: Vec<PageInfo>,
    /// The PDF's own text layers, read once when the document was opened (the OCR
    /// decision needs them) and handed out — moved, not copied, so a 1,000-page document
    /// holds its text once — by [`Document::native_text`]: only characters
    /// whose font is trusted.
    native: std::sync::Mutex<Vec<Option<PageText>>>,
    /// Fonts whose text is not trusted, to read a page's text again the same way.
    untrusted: std::collections::HashSet<String>,
    /// Per page, the text of drawn annotations and form fields.
    annotations: Vec<Vec<PageAnnotation>>,
    /// Per page, characters of `native` drawn invisibly.
    invisible: Vec<Vec<u32>>,
    ocr: OcrPolicy,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("kind", &self.kind)
            .field("pages", &self.info.len())
            .finish()
    }
}

impl Document {
    /// Opens a PDF or an image file (recognised by content, not name).
    pub fn open(path: &Path, ocr: &OcrPolicy) -> Result<Self, EngineError> {
        let bytes = std::fs::read(path).map_err(|source| EngineError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_bytes(bytes, ocr)
    }

    pub fn from_bytes(bytes: Vec<u8>, ocr: &OcrPolicy) -> Result<Self, EngineError> {
        match InputKind::sniff(&bytes) {
            Some(kind @ (InputKind::Png | InputKind::Jpeg | InputKind::Tiff)) => {
                let pages = decode_images(&bytes, kind)?;
                let info = pages
                    .iter()
                    .enumerate()
                    .map(|(i, p)| PageInfo {
                        page: i + 1,
                        text_chars: 0,
                        image_coverage: 1.0,
                        image_dpi: Some(p.dpi),
                        scan: true,
                        reason: if ocr.mode == tusch_core::OcrMode::Never {
                            OcrReason::DisabledButScanned
                        } else {
                            OcrReason::ImageInput
                        },
                        ocr: None,
                        untrusted_chars: 0,
                        annotations: 0,
                        dropped_annotations: 0,
                        ocr_regions: 0,
                    })
                    .collect();
                Ok(Self {
                    kind,
                    pages: Pages::Images(pages),
                    info,
                    native: std::sync::Mutex::new(Vec::new()),
                    untrusted: Default::default(),
                    annotations: Vec::new(),
                    invisible: Vec::new(),
                    ocr: ocr.clone(),
                })
            }
            _ => {
                sniff(&bytes)?;
                Self::from_pdf(SourceDocument::from_bytes(bytes)?, ocr)
            }
        }
    }

    /// Wraps an open PDF, looking at each page's text and images to decide OCR.
    ///
    /// Whether a font's text can be trusted is decided over the whole document (a font
    /// with a wrong character map is wrong on every page, and one page may hold too few of
    /// its words to tell): characters in an untrusted font are left out of the text layer,
    /// and their ink is read with OCR like any other ink the text layer does not explain.
    pub fn from_pdf(doc: SourceDocument, ocr: &OcrPolicy) -> Result<Self, EngineError> {
        let mut contents = Vec::with_capacity(doc.page_count());
        for i in 0..doc.page_count() {
            contents.push(doc.page_content(i)?);
        }
        let untrusted = untrusted_fonts(contents.iter().map(|c| (&c.text.layer, &c.fonts)));
        let mut info = Vec::with_capacity(doc.page_count());
        let mut native = Vec::with_capacity(doc.page_count());
        let mut annotations = Vec::with_capacity(doc.page_count());
        let mut invisible = Vec::with_capacity(doc.page_count());
        for (i, c) in contents.into_iter().enumerate() {
            let (layer, dropped, hidden) = without_fonts(&c.text.layer, &c.fonts, &untrusted);
            invisible.push(hidden);
            let mut page = decide(i, &c.text.geometry, &layer, &c.images, ocr);
            if dropped > 0 && page.text_chars == 0 && ocr.mode != tusch_core::OcrMode::Never {
                page.reason = OcrReason::UntrustedTextLayer;
            }
            page.untrusted_chars = dropped;
            page.dropped_annotations = c
                .annotations
                .iter()
                .filter(|a| a.kind == AnnotationKind::NotDrawn)
                .count();
            let drawn: Vec<PageAnnotation> = c
                .annotations
                .into_iter()
                .filter(|a| a.kind != AnnotationKind::NotDrawn)
                .collect();
            page.annotations = drawn.len();
            info.push(page);
            native.push(Some(PageText { layer, ..c.text }));
            annotations.push(drawn);
        }
        Ok(Self {
            kind: InputKind::Pdf,
            pages: Pages::Pdf(doc),
            info,
            native: std::sync::Mutex::new(native),
            untrusted,
            annotations,
            invisible,
            ocr: ocr.clone(),
        })
    }

    /// Indices into [`Document::native_text`]'s characters of text drawn invisibly (render
    /// mode 3 or 7, e.g. an OCR layer under a pasted scan): analysed, but it explains no
    /// ink, so the ink under it is read with OCR too.
    pub fn invisible_chars(&self, index: usize) -> &[u32] {
        self.invisible.get(index).map_or(&[], Vec::as_slice)
    }

    /// The text of the page's drawn annotations and form fields, with where they are drawn.
    pub fn annotations(&self, index: usize) -> &[PageAnnotation] {
        self.annotations.get(index).map_or(&[], Vec::as_slice)
    }

    /// Records per page what reading its text involved ([`crate::Engine::read`]), for
    /// reports.
    pub fn record_readings(&mut self, readings: Vec<crate::PageReading>) {
        for (p, r) in self.info.iter_mut().zip(readings) {
            if r.ocr.is_some() {
                p.ocr = r.ocr;
            }
            p.ocr_regions = r.ocr_regions;
        }
    }

    pub fn kind(&self) -> InputKind {
        self.kind
    }

    pub fn page_count(&self) -> usize {
        self.info.len()
    }

    /// Per page: scan or not, OCR or not and why, and (after text extraction) what OCR found.
    pub fn pages(&self) -> &[PageInfo] {
        &self.info
    }

    pub fn ocr_policy(&self) -> &OcrPolicy {
        &self.ocr
    }

    /// The PDF behind this document, when it is one.
    pub fn pdf(&self) -> Option<&SourceDocument> {
        match &self.pages {
            Pages::Pdf(d) => Some(d),
            Pages::Images(_) => None,
        }
    }

    pub fn geometry(&self, index: usize) -> Result<PageGeometry, EngineError> {
        match &self.pages {
            Pages::Pdf(d) => Ok(d.geometry(index)?),
            Pages::Images(p) => {
                let p = p.get(index).ok_or(PdfError::Page {
                    page: index + 1,
                    what: "hittas",
                })?;
                Ok(image_geometry(p))
            }
        }
    }

    /// The page's own text layer (empty for images): only characters in trusted fonts.
    /// The first call hands over the layer read when the document was opened; later calls
    /// read it again from the PDF, the same way.
    pub fn native_text(&self, index: usize) -> Result<PageText, EngineError> {
        match &self.pages {
            Pages::Pdf(d) => {
                let kept = self
                    .native
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .get_mut(index)
                    .and_then(Option::take);
                match kept {
                    Some(t) => Ok(t),
                    None => {
                        let c = d.page_content(index)?;
                        let (layer, _, _) = without_fonts(&c.text.layer, &c.fonts, &self.untrusted);
                        Ok(PageText { layer, ..c.text })
                    }
                }
            }
            Pages::Images(_) => Ok(PageText {
                index,
                geometry: self.geometry(index)?,
                layer: TextLayer::new(),
            }),
        }
    }

    /// The resolution to read a page with OCR at: the scan's own when known (no more than
    /// `[ocr] dpi`, no less than 200, below which Tesseract misses small print), else
    /// `[ocr] dpi`.
    pub fn ocr_dpi(&self, index: usize) -> u32 {
        let cap = self.ocr.dpi;
        match self.info.get(index).and_then(|p| p.image_dpi) {
            Some(d) if self.info[index].scan => (d.round() as u32).clamp(200.min(cap), cap),
            _ => cap,
        }
    }

    /// The resolution a scanned page is written at: its own, never upsampled, at most
    /// `[ocr] scan_max_dpi`. `None` for pages that are not scans (they use `[output] dpi`).
    pub fn scan_output_dpi(&self, index: usize) -> Option<u32> {
        let p = self.info.get(index)?;
        if !p.scan {
            return None;
        }
        let native = p.image_dpi?.round() as u32;
        Some(native.clamp(72, self.ocr.scan_max_dpi.max(72)))
    }

    /// Renders the page as displayed at `dpi` to 8-bit grey, at exactly
    /// [`PageGeometry::pixel_size`].
    pub fn render_gray(
        &self,
        index: usize,
        dpi: u32,
        max_megapixels: u32,
    ) -> Result<GrayImage, EngineError> {
        match &self.pages {
            Pages::Pdf(d) => Ok(d.render_gray(index, dpi, max_megapixels)?),
            Pages::Images(pages) => {
                let p = pages.get(index).ok_or(PdfError::Page {
                    page: index + 1,
                    what: "hittas",
                })?;
                let (w, h) = image_geometry(p).pixel_size(dpi as f32);
                tusch_pdf::check_raster_size(index + 1, w, h, dpi, max_megapixels)?;
                Ok(resample(&p.image, w, h))
            }
        }
    }
}

fn image_geometry(p: &ImagePage) -> PageGeometry {
    let s = 72.0 / p.dpi;
    PageGeometry {
        crop: Rect::new(
            0.0,
            0.0,
            p.image.width as f32 * s,
            p.image.height as f32 * s,
        ),
        rotation: Rotation::R0,
    }
}

/// The image at `w` × `h` (a copy when the size is the same; bilinear otherwise).
fn resample(img: &GrayImage, w: u32, h: u32) -> GrayImage {
    if (w, h) == (img.width, img.height) {
        return img.clone();
    }
    let Some(buf) = image::GrayImage::from_raw(img.width, img.height, img.data.clone()) else {
        return GrayImage::white(w, h);
    };
    let out = image::imageops::resize(&buf, w, h, image::imageops::FilterType::Triangle);
    GrayImage {
        width: w,
        height: h,
        data: out.into_raw(),
    }
}

/// Pages with less visible text than this and an image on them are read with OCR: a
/// scan with a page number or a stamp typed onto it is still a scan.
const FEW_CHARS: usize = 20;

/// The per-page OCR decision (see [`OcrReason`]).
fn decide(
    index: usize,
    geometry: &PageGeometry,
    layer: &TextLayer,
    images: &[tusch_pdf::source::PageImage],
    ocr: &OcrPolicy,
) -> PageInfo {
    let text = layer.text();
    let text_chars = layer
        .chars()
        .iter()
        .filter(|c| c.rect.is_some())
        .filter(|c| {
            text[c.byte as usize..]
                .chars()
                .next()
                .is_some_and(|ch| !ch.is_whitespace())
        })
        .count();
    let crop = geometry.crop;
    let page_area = crop.width() * crop.height();
    let mut coverage = 0.0f32;
    let mut dpi = None;
    for im in images {
        let b = &im.bounds;
        let w = (b.x1.min(crop.x1) - b.x0.max(crop.x0)).max(0.0);
        let h = (b.y1.min(crop.y1) - b.y0.max(crop.y0)).max(0.0);
        let c = w * h / page_area.max(1e-3);
        if c > coverage {
            coverage = c;
            dpi = Some(im.dpi());
        }
    }
    let coverage = coverage.min(1.0);
    let scanned = text_chars == 0 || coverage >= 0.5 || (text_chars < FEW_CHARS && coverage >= 0.1);
    let reason = match ocr.mode {
        tusch_core::OcrMode::Always => OcrReason::Forced,
        tusch_core::OcrMode::Never if scanned => OcrReason::DisabledButScanned,
        tusch_core::OcrMode::Never => OcrReason::Disabled,
        tusch_core::OcrMode::Auto if text_chars == 0 => OcrReason::NoTextLayer,
        tusch_core::OcrMode::Auto if scanned => OcrReason::ImageOverText,
        tusch_core::OcrMode::Auto => OcrReason::TextLayer,
    };
    PageInfo {
        page: index + 1,
        text_chars,
        image_coverage: coverage,
        image_dpi: dpi,
        // Written as a scan (own resolution, JPEG) only when one image is the page.
        scan: coverage >= 0.9 && dpi.is_some(),
        reason,
        ocr: None,
        untrusted_chars: 0,
        annotations: 0,
        dropped_annotations: 0,
        ocr_regions: 0,
    }
}

/// Fonts whose extracted text, over the whole document, is garbage
/// ([`tusch_core::lexicon::Plausibility::is_garbage`]).
fn untrusted_fonts<'a>(
    pages: impl Iterator<Item = (&'a TextLayer, &'a FontRuns)>,
) -> std::collections::HashSet<String> {
    use std::collections::HashMap;
    use tusch_core::lexicon::Plausibility;
    let mut per_font: HashMap<&'a str, Plausibility> = HashMap::new();
    for (layer, fonts) in pages {
        let mut run = String::new();
        let mut current = NO_FONT;
        for (i, (ch, _)) in layer.iter().enumerate() {
            let font = fonts.per_char.get(i).copied().unwrap_or(NO_FONT);
            if font != current {
                if let Some(name) = fonts.names.get(usize::from(current)) {
                    per_font.entry(name).or_default().add(&run);
                }
                run.clear();
                current = font;
            }
            if font == NO_FONT {
                continue;
            }
            run.push(ch);
        }
        if let Some(name) = fonts.names.get(usize::from(current)) {
            per_font.entry(name).or_default().add(&run);
        }
    }
    per_font
        .into_iter()
        .filter(|(_, p)| p.is_garbage())
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// `layer` without the characters in `untrusted` fonts (a space in their place, so words
/// on either side stay apart), how many visible characters went, and the indices (in the
/// new layer) of characters drawn invisibly, which explain no ink.
fn without_fonts(
    layer: &TextLayer,
    fonts: &FontRuns,
    untrusted: &std::collections::HashSet<String>,
) -> (TextLayer, usize, Vec<u32>) {
    let bad: Vec<bool> = fonts.names.iter().map(|n| untrusted.contains(n)).collect();
    let mut out = TextLayer::new();
    let mut dropped = 0;
    let mut invisible = Vec::new();
    let mut gap = false;
    for (i, (ch, rect)) in layer.iter().enumerate() {
        let font = fonts.per_char.get(i).copied().unwrap_or(NO_FONT);
        if bad.get(usize::from(font)).copied().unwrap_or(false) {
            if !ch.is_whitespace() {
                dropped += 1;
            }
            gap = true;
            continue;
        }
        if gap {
            out.push_unboxed(" ");
            gap = false;
        }
        if font != NO_FONT && fonts.is_invisible(font) {
            invisible.push(out.chars().len() as u32);
        }
        out.push(ch, rect);
    }
    (out, dropped, invisible)
}

fn bad(e: impl std::fmt::Display) -> EngineError {
    // Decoder messages name formats and limits, never pixels.
    let detail: String = e
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(120)
        .collect();
    EngineError::BadImage { detail }
}

/// A plausible scan resolution for an image of `w` × `h` pixels whose file says `dpi`.
/// Cameras write 72 for any photo; a resolution that makes the page smaller than 3 or
/// larger than 17 inches is not believed. Without one, 300 DPI (what scanners use for
/// documents), shrunk so that the page is at most A4-long when the image is very large.
fn plausible_dpi(w: u32, h: u32, dpi: Option<f32>) -> f32 {
    let long = w.max(h) as f32;
    match dpi {
        Some(d) if d.is_finite() && (3.0..=17.0).contains(&(long / d)) => d,
        _ => {
            if long / 300.0 > 17.0 {
                long / 11.69
            } else {
                300.0
            }
        }
    }
}

fn check_size(w: u32, h: u32) -> Result<(), EngineError> {
    if w == 0 || h == 0 {
        return Err(bad("bilden är tom"));
    }
    if u64::from(w) * u64::from(h) > MAX_IMAGE_MEGAPIXELS * 1_000_000 {
        return Err(bad(format!(
            "bilden är för stor: {} megapixlar",
            (u64::from(w) * u64::from(h)).div_ceil(1_000_000)
        )));
    }
    Ok(())
}

fn decode_images(bytes: &[u8], kind: InputKind) -> Result<Vec<ImagePage>, EngineError> {
    match kind {
        InputKind::Tiff => decode_tiff(bytes),
        _ => {
            let format = if kind == InputKind::Png {
                image::ImageFormat::Png
            } else {
                image::ImageFormat::Jpeg
            };
            let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
            let mut limits = image::Limits::default();
            limits.max_alloc = Some(MAX_IMAGE_MEGAPIXELS * 1_000_000 * 4);
            reader.limits(limits);
            let img = reader.decode().map_err(bad)?;
            check_size(img.width(), img.height())?;
            let gray = to_gray(img);
            let dpi = if kind == InputKind::Png {
                png_dpi(bytes)
            } else {
                jfif_dpi(bytes)
            };
            Ok(vec![ImagePage {
                dpi: plausible_dpi(gray.width, gray.height, dpi),
                image: gray,
            }])
        }
    }
}

/// Grey, with transparent parts on white (as a viewer shows them).
fn to_gray(img: image::DynamicImage) -> GrayImage {
    let (width, height) = (img.width(), img.height());
    let data = if img.color().has_alpha() {
        img.into_luma_alpha8()
            .pixels()
            .map(|p| {
                let (v, a) = (u32::from(p.0[0]), u32::from(p.0[1]));
                ((v * a + 255 * (255 - a) + 127) / 255) as u8
            })
            .collect()
    } else {
        img.into_luma8().into_raw()
    };
    GrayImage {
        width,
        height,
        data,
    }
}

/// The resolution in a PNG's pHYs chunk (pixels per metre), if any.
fn png_dpi(bytes: &[u8]) -> Option<f32> {
    let mut i = 8;
    while i + 12 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[i..i + 4].try_into().ok()?) as usize;
        let kind = &bytes[i + 4..i + 8];
        if kind == b"pHYs" && len == 9 && i + 17 <= bytes.len() {
            let x = u32::from_be_bytes(bytes[i + 8..i + 12].try_into().ok()?);
            return (bytes[i + 16] == 1 && x > 0).then_some(x as f32 * 0.0254);
        }
        if kind == b"IDAT" {
            return None;
        }
        i += 12 + len;
    }
    None
}

/// The resolution in a JPEG's JFIF header, if it gives one in dots per inch or cm.
fn jfif_dpi(bytes: &[u8]) -> Option<f32> {
    let app0 = bytes.get(2..20)?;
    if app0[0] != 0xFF || app0[1] != 0xE0 || &app0[4..9] != b"JFIF\0" {
        return None;
    }
    let unit = app0[11];
    let x = f32::from(u16::from_be_bytes([app0[12], app0[13]]));
    match unit {
        1 if x > 0.0 => Some(x),
        2 if x > 0.0 => Some(x * 2.54),
        _ => None,
    }
}

fn decode_tiff(bytes: &[u8]) -> Result<Vec<ImagePage>, EngineError> {
    use tiff::decoder::{Decoder, DecodingResult};
    use tiff::tags::Tag;
    use tiff::ColorType;
    let mut dec = Decoder::new(Cursor::new(bytes)).map_err(bad)?;
    let mut pages = Vec::new();
    loop {
        if pages.len() >= MAX_IMAGE_PAGES {
            return Err(bad("för många sidor"));
        }
        let (w, h) = dec.dimensions().map_err(bad)?;
        check_size(w, h)?;
        let color = dec.colortype().map_err(bad)?;
        // 0 = WhiteIsZero (usual for fax), 1 = BlackIsZero.
        let white_is_zero = dec
            .find_tag_unsigned::<u16>(Tag::PhotometricInterpretation)
            .ok()
            .flatten()
            == Some(0);
        let xres = dec
            .find_tag(Tag::XResolution)
            .ok()
            .flatten()
            .and_then(tiff_number);
        let unit = dec
            .find_tag_unsigned::<u16>(Tag::ResolutionUnit)
            .ok()
            .flatten()
            .unwrap_or(2);
        let dpi = xres.map(|x| if unit == 3 { x * 2.54 } else { x });
        let yres = dec
            .find_tag(Tag::YResolution)
            .ok()
            .flatten()
            .and_then(tiff_number)
            .map(|y| if unit == 3 { y * 2.54 } else { y });
        let n = w as usize * h as usize;
        let result = dec.read_image().map_err(bad)?;
        let mut data: Vec<u8> = match (color, result) {
            (ColorType::Gray(8), DecodingResult::U8(v)) if v.len() >= n => v[..n].to_vec(),
            (ColorType::Gray(16), DecodingResult::U16(v)) if v.len() >= n => {
                v[..n].iter().map(|&x| (x >> 8) as u8).collect()
            }
            (ColorType::Gray(1), DecodingResult::U8(v)) => {
                let row = (w as usize).div_ceil(8);
                if v.len() < row * h as usize {
                    return Err(bad("för lite bilddata"));
                }
                (0..h as usize)
                    .flat_map(|y| {
                        let r = &v[y * row..(y + 1) * row];
                        (0..w as usize).map(move |x| {
                            if r[x / 8] & (0x80 >> (x % 8)) != 0 {
                                255
                            } else {
                                0
                            }
                        })
                    })
                    .collect()
            }
            (ColorType::RGB(8), DecodingResult::U8(v)) if v.len() >= 3 * n => v
                .chunks_exact(3)
                .take(n)
                .map(|p| luma(p[0], p[1], p[2]))
                .collect(),
            (ColorType::RGBA(8), DecodingResult::U8(v)) if v.len() >= 4 * n => v
                .chunks_exact(4)
                .take(n)
                .map(|p| {
                    let (l, a) = (u32::from(luma(p[0], p[1], p[2])), u32::from(p[3]));
                    ((l * a + 255 * (255 - a) + 127) / 255) as u8
                })
                .collect(),
            (ColorType::Gray(_) | ColorType::RGB(_) | ColorType::RGBA(_), _) => {
                return Err(bad("bilddatan har fel längd"))
            }
            (other, _) => return Err(bad(format!("färgformatet {other:?} stöds inte"))),
        };
        if white_is_zero && matches!(color, ColorType::Gray(_)) {
            data.iter_mut().for_each(|v| *v = 255 - *v);
        }
        let image = square_pixels(
            GrayImage {
                width: w,
                height: h,
                data,
            },
            xres,
            yres,
        );
        let (w, h) = (image.width, image.height);
        pages.push(ImagePage {
            dpi: plausible_dpi(w, h, dpi),
            image,
        });
        if !dec.more_images() {
            break;
        }
        dec.next_image().map_err(bad)?;
    }
    Ok(pages)
}

/// A TIFF tag's number. Resolutions are RATIONAL (a fraction), which the tiff crate's
/// `into_f32` does not convert: until issue 12 every TIFF was taken for 300 DPI.
fn tiff_number(v: tiff::decoder::ifd::Value) -> Option<f32> {
    use tiff::decoder::ifd::Value;
    match v {
        Value::Rational(n, d) if d > 0 => Some(n as f32 / d as f32),
        Value::Float(f) => Some(f),
        Value::Double(f) => Some(f as f32),
        Value::Short(n) => Some(f32::from(n)),
        Value::Unsigned(n) => Some(n as f32),
        Value::List(l) => l.into_iter().next().and_then(tiff_number),
        _ => None,
    }
}

/// A fax in "normal" mode scans rows at half the resolution of its columns (204 × 98
/// DPI): taken as square pixels the page is half as tall, the output page too, and OCR
/// reads squashed letters (on a simulated 200 × 100 DPI fax of the protokoll, recall fell
/// from 1.0 to 0.85 of the names). Its rows are stretched to the columns' resolution.
fn square_pixels(img: GrayImage, xres: Option<f32>, yres: Option<f32>) -> GrayImage {
    let (Some(x), Some(y)) = (xres, yres) else {
        return img;
    };
    if !(x > 0.0 && y > 0.0 && x.is_finite() && y.is_finite()) || (x / y - 1.0).abs() < 0.02 {
        return img;
    }
    let h = (img.height as f32 * x / y)
        .round()
        .clamp(1.0, 4.0 * img.height as f32) as u32;
    if u64::from(img.width) * u64::from(h) > MAX_IMAGE_MEGAPIXELS * 1_000_000 {
        return img;
    }
    resample(&img, img.width, h)
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 77 + u32::from(g) * 150 + u32::from(b) * 29 + 128) >> 8) as u8
}

/// Appends `src`'s characters (with their boxes) to `dst` after a line break.
pub(crate) fn append_layer(dst: &mut TextLayer, src: &TextLayer) {
    if src.is_empty() {
        return;
    }
    if !dst.is_empty() {
        dst.push_unboxed("\r\n");
    }
    dst.extend_from(src);
}

/// Converts the OCR crate's orientation for reports.
pub(crate) fn orientation_degrees(o: Orientation) -> u32 {
    o.degrees()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn png(w: u32, h: u32, dpi_ppm: Option<u32>) -> Vec<u8> {
        let img = image::GrayImage::from_pixel(w, h, image::Luma([200u8]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        if let Some(ppm) = dpi_ppm {
            // Insert a pHYs chunk after IHDR (8 + 25 bytes).
            let mut chunk = Vec::new();
            chunk.extend_from_slice(&9u32.to_be_bytes());
            let mut body = b"pHYs".to_vec();
            body.extend_from_slice(&ppm.to_be_bytes());
            body.extend_from_slice(&ppm.to_be_bytes());
            body.push(1);
            chunk.extend_from_slice(&body);
            chunk.extend_from_slice(&[0, 0, 0, 0]); // CRC is not checked by png_dpi
            out.splice(33..33, chunk);
        }
        out
    }

    #[test]
    fn png_page_gets_its_resolution_and_a4_like_size() {
        let bytes = png(1240, 1754, Some(5906)); // 150 DPI
        assert!((png_dpi(&bytes).unwrap() - 150.0).abs() < 0.1);
        let doc = Document::from_bytes(png(1240, 1754, None), &OcrPolicy::default()).unwrap();
        assert_eq!(doc.kind(), InputKind::Png);
        assert_eq!(doc.page_count(), 1);
        let g = doc.geometry(0).unwrap();
        // Without a resolution, 300 DPI: 1240 px = 297.6 pt.
        assert!((g.crop.width() - 297.6).abs() < 0.1, "{g:?}");
        assert_eq!(doc.pages()[0].reason, OcrReason::ImageInput);
        assert_eq!(doc.scan_output_dpi(0), Some(300));
        let r = doc.render_gray(0, 150, 80).unwrap();
        assert_eq!((r.width, r.height), (620, 877));
    }

    /// Issue 12: a fax at 200 × 100 DPI is an A4 page, not half of one.
    #[test]
    fn issue_12_fax_rows_at_half_resolution_are_stretched() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/scans-poor/protokollsutdrag-fax-200x100.tif");
        let doc = Document::open(&path, &OcrPolicy::default()).unwrap();
        assert_eq!(doc.page_count(), 2);
        let (w, h) = doc.geometry(0).unwrap().display_size();
        assert!(
            (w - 595.4).abs() < 1.0 && (h - 842.0).abs() < 1.5,
            "{w} x {h}"
        );
        assert_eq!(doc.scan_output_dpi(0), Some(200));
        let img = square_pixels(GrayImage::white(10, 20), Some(200.0), Some(100.0));
        assert_eq!((img.width, img.height), (10, 40));
        let same = square_pixels(GrayImage::white(10, 20), Some(300.0), None);
        assert_eq!((same.width, same.height), (10, 20));
    }

    #[test]
    fn broken_images_are_clear_errors() {
        let mut bytes = png(100, 100, None);
        bytes.truncate(60);
        let e = Document::from_bytes(bytes, &OcrPolicy::default()).unwrap_err();
        assert!(matches!(e, EngineError::BadImage { .. }), "{e}");
        let e = Document::from_bytes(b"\xFF\xD8\xFFgarbage".to_vec(), &OcrPolicy::default())
            .unwrap_err();
        assert!(e.to_string().contains("bildfilen"), "{e}");
        let e =
            Document::from_bytes(b"II*\0\x08\0\0\0".to_vec(), &OcrPolicy::default()).unwrap_err();
        assert!(matches!(e, EngineError::BadImage { .. }), "{e}");
    }

    #[test]
    fn camera_resolution_is_not_believed() {
        assert_eq!(plausible_dpi(4000, 3000, Some(72.0)), 300.0);
        assert_eq!(plausible_dpi(8000, 6000, Some(72.0)), 8000.0 / 11.69);
        assert_eq!(plausible_dpi(2480, 3508, Some(300.0)), 300.0);
        assert_eq!(plausible_dpi(2480, 3508, None), 300.0);
    }
}

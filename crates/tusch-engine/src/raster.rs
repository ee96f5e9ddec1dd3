//! The released raster of a page, made in one place: its resolution, the masks burned into
//! it and its encoding. [`crate::Engine::apply`] writes it and [`crate::Engine::preview`]
//! shows it, so what the registrar reviews is what is released, scans included.

use tusch_core::{GrayImage, MaskState, OutputPolicy, OutputProfile, PagePlan};
use tusch_ocr::OcrEngine;
use tusch_pdf::encode::{decode, decode_jpeg, encode, encode_jpeg, snap_to_blocks, ImageFilter};
use tusch_pdf::textlayer::{mask_alt, winansi_text, Figure, PageLayer, PlacedWord};
use tusch_pdf::writer::{written_number, OutputPage};

use crate::error::EngineError;
use crate::input::Document;

/// The resolution page `index` is released at: a scan at its own resolution
/// ([`Document::scan_output_dpi`]: never upsampled, at most `[ocr] scan_max_dpi`), every
/// other page at `[output] dpi`.
pub fn output_dpi(doc: &Document, index: usize, policy: &OutputPolicy) -> u32 {
    doc.scan_output_dpi(index).unwrap_or(policy.dpi)
}

/// Whether page `index` is released as JPEG (a scan) rather than losslessly.
pub fn is_jpeg(doc: &Document, index: usize) -> bool {
    doc.scan_output_dpi(index).is_some()
}

/// Page `page.index` as released: rendered at [`output_dpi`], the plan's accepted masks
/// burned (on a scan, grown to whole 8×8 JPEG blocks so no block mixes mask and ink), and
/// encoded (JPEG for scans, `[output] encoding` otherwise). With `[output]
/// provision_labels` each box shows its provision; in the `searchable` profile the page
/// also gets its invisible text layer, read by `ocr` from the released pixels.
pub fn release_page(
    doc: &Document,
    page: &PagePlan,
    policy: &OutputPolicy,
    ocr: Option<&dyn OcrEngine>,
) -> Result<OutputPage, EngineError> {
    let index = page.index;
    let dpi = output_dpi(doc, index, policy);
    let jpeg = is_jpeg(doc, index);
    let mut img = doc.render_gray(index, dpi, policy.max_megapixels)?;
    for r in page.pixel_rects(dpi as f32, img.width, img.height) {
        let r = if jpeg {
            snap_to_blocks(&r, img.width, img.height)
        } else {
            r
        };
        img.burn(&r);
    }
    let (w, h) = page.geometry.display_size();
    if policy.provision_labels && !jpeg {
        draw_labels(&mut img, page, w, h);
    }
    let image = if jpeg {
        encode_jpeg(&img, doc.ocr_policy().jpeg_quality)
    } else {
        encode(&img, policy.encoding)
    };
    let mut out = OutputPage {
        width_pt: w,
        height_pt: h,
        image,
        layer: None,
    };
    if policy.profile == OutputProfile::Searchable {
        let ocr = ocr.ok_or_else(|| EngineError::Ocr {
            page: index + 1,
            source: tusch_ocr::OcrError::Failed {
                code: None,
                detail: "ingen OCR-motor för det sökbara textlagret".into(),
            },
        })?;
        // Only the released pixels are read: nothing under a mask can reach the text.
        let pixels = released_pixels(&out)?;
        out.layer = Some(searchable_layer(ocr, &pixels, dpi, w, h, page)?);
    }
    Ok(out)
}

/// The `searchable` profile's layer of one page: the words OCR reads in the released
/// raster, line by line in its reading order, each placed over its ink in points of the
/// output page; and each accepted mask as a figure with its provision as alternate text.
fn searchable_layer(
    ocr: &dyn OcrEngine,
    pixels: &GrayImage,
    dpi: u32,
    w_pt: f32,
    h_pt: f32,
    page: &PagePlan,
) -> Result<PageLayer, EngineError> {
    let words = ocr
        .recognize(pixels, dpi)
        .map_err(|source| EngineError::Ocr {
            page: page.index + 1,
            source,
        })?;
    let (kx, ky) = (
        w_pt / pixels.width.max(1) as f32,
        h_pt / pixels.height.max(1) as f32,
    );
    let mut lines: Vec<Vec<PlacedWord>> = Vec::new();
    let mut key = None;
    for word in &words {
        let text = winansi_text(word.text.trim());
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let k = (word.block, word.paragraph, word.line);
        if key != Some(k) || lines.is_empty() {
            lines.push(Vec::new());
            key = Some(k);
        }
        let b = &word.bbox;
        let height = b.height.max(1) as f32 * ky;
        if let Some(line) = lines.last_mut() {
            line.push(PlacedWord {
                text: text.to_owned(),
                x: b.left as f32 * kx,
                y: h_pt - (b.top + b.height) as f32 * ky,
                width: b.width.max(1) as f32 * kx,
                size: height,
            });
        }
    }
    // One font size per line (the tallest word's box), so a line reads as one run.
    for line in &mut lines {
        let size = line.iter().map(|w| w.size).fold(1.0f32, f32::max);
        for w in line.iter_mut() {
            w.size = size;
        }
    }
    let figures = page
        .masks
        .iter()
        .filter(|m| m.state == MaskState::Accepted)
        .map(|m| Figure {
            alt: mask_alt(m.provision.as_deref()),
            rects: m
                .rects
                .iter()
                .map(|r| page.geometry.to_display(r))
                .collect(),
        })
        .collect();
    Ok(PageLayer { lines, figures })
}

/// Prints each accepted mask's provision ("OSL 26:1") in white inside its boxes, after
/// every mask is burned. Only on losslessly stored pages: JPEG would ring around the white
/// glyphs, and the verifier could then prove the box opaque only by tolerating grey around
/// them — the label is dropped instead, so a scan's box stays plain black and is checked as
/// strictly as before. The box is the same inward-rounded area the verifier checks, with the
/// page size as the file states it ([`written_number`]), so the verifier re-renders the very
/// same glyph pixels from the label's text.
fn draw_labels(img: &mut GrayImage, page: &PagePlan, w_pt: f32, h_pt: f32) {
    let sx = img.width as f32 / written_number(w_pt);
    let sy = img.height as f32 / written_number(h_pt);
    for (rect, text) in tusch_core::label::page_labels(page) {
        let Some(text) = text else { continue };
        let within = tusch_core::label::inward_pixels(&rect, sx, sy, img.width, img.height);
        if let Some(label) = tusch_core::label::place(&text, &within, sx) {
            label.draw(img);
        }
    }
}

/// The pixels a viewer of the released file shows for this page: [`release_page`]'s image,
/// decoded.
pub fn released_pixels(page: &OutputPage) -> Result<GrayImage, EngineError> {
    let im = &page.image;
    let decoded = match im.filter {
        ImageFilter::Dct => decode_jpeg(&im.data, im.width, im.height),
        ImageFilter::Flate => decode(&im.data, im.width, im.height, im.bits_per_component, true),
    };
    decoded.map_err(|_| EngineError::Preview)
}

/// The page as the registrar reviews it: the very raster [`release_page`] makes — same
/// resolution, same encoding (JPEG for scans), decoded — with `plan`'s accepted masks burned
/// in when given, or without masks (the app draws them over it).
pub fn preview(
    doc: &Document,
    index: usize,
    plan: Option<&PagePlan>,
    policy: &OutputPolicy,
) -> Result<GrayImage, EngineError> {
    if index >= doc.page_count() {
        return Err(EngineError::NoSuchPage { page: index + 1 });
    }
    let bare;
    let page = match plan {
        Some(p) if p.index == index => p,
        Some(_) => return Err(EngineError::PlanMismatch),
        None => {
            bare = PagePlan {
                index,
                geometry: doc.geometry(index)?,
                masks: Vec::new(),
            };
            &bare
        }
    };
    // The preview is the raster alone: no text layer, so no OCR.
    let raster_only = OutputPolicy {
        profile: OutputProfile::Image,
        ..policy.clone()
    };
    released_pixels(&release_page(doc, page, &raster_only, None)?)
}

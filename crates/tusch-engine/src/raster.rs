//! The released raster of a page, made in one place: its resolution, the masks burned into
//! it and its encoding. [`crate::Engine::apply`] writes it and [`crate::Engine::preview`]
//! shows it, so what the registrar reviews is what is released, scans included.

use tusch_core::{GrayImage, OutputPolicy, PagePlan};
use tusch_pdf::encode::{decode, decode_jpeg, encode, encode_jpeg, snap_to_blocks, ImageFilter};
use tusch_pdf::writer::OutputPage;

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
/// encoded (JPEG for scans, `[output] encoding` otherwise).
pub fn release_page(
    doc: &Document,
    page: &PagePlan,
    policy: &OutputPolicy,
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
    let image = if jpeg {
        encode_jpeg(&img, doc.ocr_policy().jpeg_quality)
    } else {
        encode(&img, policy.encoding)
    };
    Ok(OutputPage {
        width_pt: w,
        height_pt: h,
        image,
    })
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
    released_pixels(&release_page(doc, page, policy)?)
}

//! The verifier on JPEG (DCTDecode) page images, as written for scanned pages: a burned,
//! block-aligned mask passes within the JPEG tolerance; a white or grey "mask" fails; a
//! JPEG carrying a comment or EXIF segment fails.
#![allow(clippy::unwrap_used)]

use tusch_core::{DisplayRect, GrayImage, PixelRect};
use tusch_pdf::encode::{encode_jpeg, snap_to_blocks, EncodedImage};
use tusch_pdf::writer::{ImagePdfWriter, OutputPage};
use tusch_pdf::{verify_bytes, VerifyExpectations};

/// A 200 × 300 px page at 72 DPI (so pixels = points) with text-like noise.
fn page() -> GrayImage {
    let (w, h) = (200u32, 300u32);
    let data = (0..w * h)
        .map(|i| if (i * 7919) % 13 < 3 { 20 } else { 230 })
        .collect();
    GrayImage {
        width: w,
        height: h,
        data,
    }
}

fn pdf(image: EncodedImage) -> Vec<u8> {
    let mut w = ImagePdfWriter::new(Vec::new(), 1).unwrap();
    w.add_page(&OutputPage {
        width_pt: 200.0,
        height_pt: 300.0,
        image,
        layer: None,
    })
    .unwrap();
    w.finish().unwrap()
}

fn expect(r: DisplayRect) -> VerifyExpectations {
    VerifyExpectations {
        page_count: Some(1),
        black: vec![vec![r]],
        ..Default::default()
    }
}

const MASK: DisplayRect = DisplayRect {
    left: 30.5,
    top: 41.2,
    right: 90.3,
    bottom: 55.9,
};

#[test]
fn burned_block_aligned_mask_in_jpeg_passes() {
    let mut img = page();
    let px = snap_to_blocks(
        &PixelRect {
            x0: 30,
            y0: 41,
            x1: 91,
            y1: 56,
        },
        200,
        300,
    );
    img.burn(&px);
    let bytes = pdf(encode_jpeg(&img, 50));
    let report = verify_bytes(&bytes, &expect(MASK)).unwrap();
    assert_eq!(report.masks_checked, 1);
}

#[test]
fn white_or_grey_mask_in_jpeg_is_rejected() {
    for level in [255u8, 128, 60] {
        let mut img = page();
        let r = PixelRect {
            x0: 24,
            y0: 40,
            x1: 96,
            y1: 64,
        };
        for y in r.y0..r.y1 {
            for x in r.x0..r.x1 {
                img.data[(y * 200 + x) as usize] = level;
            }
        }
        let bytes = pdf(encode_jpeg(&img, 90));
        let e = verify_bytes(&bytes, &expect(MASK)).unwrap_err();
        assert!(e.to_string().contains("not fully black"), "{level}: {e}");
    }
    // Not burned at all: the page's ink shows through.
    let bytes = pdf(encode_jpeg(&page(), 75));
    assert!(verify_bytes(&bytes, &expect(MASK)).is_err());
}

#[test]
fn jpeg_with_metadata_segments_is_rejected() {
    for segment in [
        &b"\xFF\xFE\x00\x0Dhemlig text"[..],
        &b"\xFF\xE1\x00\x0CExif\x00\x00abcd"[..],
    ] {
        let mut image = encode_jpeg(&page(), 75);
        // Insert the segment right after SOI.
        image.data.splice(2..2, segment.iter().copied());
        let bytes = pdf(image);
        let e = verify_bytes(&bytes, &VerifyExpectations::default()).unwrap_err();
        assert!(e.to_string().contains("metadata segment"), "{e}");
    }
}

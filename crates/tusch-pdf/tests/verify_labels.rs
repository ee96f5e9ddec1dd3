//! Provision labels in mask boxes (issue 15): a box with its label passes, because the
//! verifier re-renders the label from its text and allows exactly its glyph pixels (white);
//! any other non-black pixel in the box fails, and so does a label the verifier was not
//! told about.
#![allow(clippy::unwrap_used)]

use tusch_core::label::{inward_pixels, place};
use tusch_core::{DisplayRect, Encoding, GrayImage};
use tusch_pdf::encode::encode;
use tusch_pdf::writer::{written_number, ImagePdfWriter, OutputPage};
use tusch_pdf::{verify_bytes, VerifyExpectations};

const W_PT: f32 = 200.0;
const H_PT: f32 = 300.0;
/// 150 DPI: 2.083 pixels per point, labels at scale 2.
const W_PX: u32 = 417;
const H_PX: u32 = 625;

const MASK: DisplayRect = DisplayRect {
    left: 30.5,
    top: 41.2,
    right: 120.3,
    bottom: 60.9,
};

/// A page with text-like noise, the mask burned outwards and the label drawn as the engine
/// draws it. `tamper` changes one pixel afterwards.
fn labelled_page(tamper: Option<(u32, u32)>) -> (Vec<u8>, tusch_core::label::Label) {
    let mut img = GrayImage {
        width: W_PX,
        height: H_PX,
        data: (0..W_PX * H_PX)
            .map(|i| if (i * 7919) % 13 < 3 { 20 } else { 230 })
            .collect(),
    };
    let (sx, sy) = (
        W_PX as f32 / written_number(W_PT),
        H_PX as f32 / written_number(H_PT),
    );
    img.burn(&MASK.to_pixels(150.0, W_PX, H_PX));
    let within = inward_pixels(&MASK, sx, sy, W_PX, H_PX);
    let label = place("OSL 26:1", &within, sx).unwrap();
    label.draw(&mut img);
    if let Some((x, y)) = tamper {
        img.data[(y * W_PX + x) as usize] = 255;
    }
    let mut w = ImagePdfWriter::new(Vec::new(), 1).unwrap();
    w.add_page(&OutputPage {
        width_pt: W_PT,
        height_pt: H_PT,
        image: encode(&img, Encoding::Gray4),
        layer: None,
    })
    .unwrap();
    (w.finish().unwrap(), label)
}

fn expect(label: Option<&str>) -> VerifyExpectations {
    VerifyExpectations {
        page_count: Some(1),
        black: vec![vec![MASK]],
        labels: vec![vec![label.map(str::to_owned)]],
        ..Default::default()
    }
}

#[test]
fn a_drawn_label_passes_verification() {
    let (pdf, label) = labelled_page(None);
    assert_eq!(label.scale, 2);
    let report = verify_bytes(&pdf, &expect(Some("OSL 26:1"))).unwrap();
    assert_eq!(report.masks_checked, 1);
}

#[test]
fn a_changed_pixel_outside_the_glyphs_fails() {
    let (_, label) = labelled_page(None);
    let b = label.bounds();
    // Inside the label's bounds but between glyphs, and just beside the label.
    let spot = (b.x0..b.x1)
        .flat_map(|x| (b.y0..b.y1).map(move |y| (x, y)))
        .find(|&(x, y)| !label.is_ink(x, y))
        .unwrap();
    for at in [spot, (b.x0 - 1, b.y0)] {
        let (pdf, _) = labelled_page(Some(at));
        let err = verify_bytes(&pdf, &expect(Some("OSL 26:1"))).unwrap_err();
        assert!(err.to_string().contains("not fully black"), "{err}");
    }
}

#[test]
fn a_label_the_verifier_does_not_expect_fails() {
    let (pdf, _) = labelled_page(None);
    assert!(verify_bytes(&pdf, &expect(None)).is_err());
    assert!(verify_bytes(&pdf, &expect(Some("OSL 21:7"))).is_err());
}

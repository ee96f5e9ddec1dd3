//! Page images as PDF image streams: grey pixels packed to the chosen depth, PNG "Up"
//! predictor, zlib (Flate) — or, for scanned pages, baseline grey JPEG (DCT).
//!
//! The predictor turns the long runs of identical rows in text pages into zeros, which
//! Flate then compresses well; decoding is the inverse and is used by the verifier.

use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::Compression;
use tusch_core::{Encoding, GrayImage};

/// One page's image, ready to be written.
#[derive(Clone, PartialEq, Eq)]
pub struct EncodedImage {
    pub width: u32,
    pub height: u32,
    pub bits_per_component: u8,
    /// How `data` is compressed.
    pub filter: ImageFilter,
    /// zlib data with PNG predictors (`/Predictor 15`), or a baseline JPEG file.
    pub data: Vec<u8>,
}

/// The PDF filter of an image stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFilter {
    /// `/FlateDecode` with PNG predictors: lossless, for rendered text pages.
    Flate,
    /// `/DCTDecode`: baseline JPEG, one grey component, for scans and photos.
    Dct,
}

/// Encodes a grey page image as a baseline JPEG (one component, no metadata segments
/// beyond the JFIF header). Masks must be burned in before, and should be aligned to the
/// 8×8 blocks ([`snap_to_blocks`]) so each masked block is a constant that decodes to
/// black with no ringing from the ink beside it.
pub fn encode_jpeg(img: &GrayImage, quality: u8) -> EncodedImage {
    let mut data = Vec::with_capacity(img.data.len() / 8);
    let enc = jpeg_encoder::Encoder::new(&mut data, quality.clamp(1, 100));
    let ok = u16::try_from(img.width).is_ok() && u16::try_from(img.height).is_ok();
    let result = if ok {
        enc.encode(
            &img.data,
            img.width as u16,
            img.height as u16,
            jpeg_encoder::ColorType::Luma,
        )
    } else {
        Err(jpeg_encoder::EncodingError::BadImageData {
            length: 0,
            required: 0,
        })
    };
    if result.is_err() {
        // JPEG cannot hold more than 65,535 pixels a side; such a page is written
        // losslessly instead (callers cap sizes well below this).
        return encode(img, Encoding::Gray8);
    }
    EncodedImage {
        width: img.width,
        height: img.height,
        bits_per_component: 8,
        filter: ImageFilter::Dct,
        data,
    }
}

/// Grows a pixel rectangle outwards to whole 8×8 JPEG blocks (clamped to the image).
pub fn snap_to_blocks(r: &tusch_core::PixelRect, width: u32, height: u32) -> tusch_core::PixelRect {
    tusch_core::PixelRect {
        x0: r.x0 / 8 * 8,
        y0: r.y0 / 8 * 8,
        x1: (r.x1.div_ceil(8) * 8).min(width),
        y1: (r.y1.div_ceil(8) * 8).min(height),
    }
}

/// Decodes a JPEG image stream to 8-bit grey (colour is converted), for the verifier.
pub fn decode_jpeg(data: &[u8], width: u32, height: u32) -> Result<GrayImage, DecodeError> {
    let img = image::load_from_memory_with_format(data, image::ImageFormat::Jpeg)
        .map_err(|_| DecodeError::Jpeg)?;
    if img.width() != width || img.height() != height {
        return Err(DecodeError::Length);
    }
    let luma = img.into_luma8();
    Ok(GrayImage {
        width,
        height,
        data: luma.into_raw(),
    })
}

/// The JPEG marker segments of `data` up to the image data, or `None` when the stream is
/// not a well-formed JPEG. The verifier uses it to refuse comment and application
/// segments (EXIF, XMP, ICC, comments) — metadata that could carry text.
pub fn jpeg_markers(data: &[u8]) -> Option<Vec<u8>> {
    if data.get(..2) != Some(&[0xFF, 0xD8]) {
        return None;
    }
    let mut markers = Vec::new();
    let mut i = 2;
    loop {
        if *data.get(i)? != 0xFF {
            return None;
        }
        let m = *data.get(i + 1)?;
        if m == 0xFF {
            i += 1;
            continue;
        }
        markers.push(m);
        if m == 0xD9 {
            return Some(markers);
        }
        let len = usize::from(u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]));
        if m == 0xDA {
            // Start of scan: the entropy-coded data follows; later markers (RSTn, more
            // scans of a progressive file) carry no metadata we allow anyway.
            return Some(markers);
        }
        i += 2 + len;
    }
}

impl std::fmt::Debug for EncodedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodedImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bits_per_component", &self.bits_per_component)
            .field("bytes", &self.data.len())
            .finish()
    }
}

fn bits(encoding: Encoding) -> u8 {
    match encoding {
        Encoding::Gray8 => 8,
        Encoding::Gray4 => 4,
        Encoding::Bilevel => 1,
    }
}

/// Bytes per packed row at `bpc` bits per pixel.
pub fn row_bytes(width: u32, bpc: u8) -> usize {
    (width as usize * bpc as usize).div_ceil(8)
}

/// Packs one row of 8-bit grey into `bpc` bits per pixel. Black (0) stays exactly 0 at
/// every depth, so burned masks stay fully black.
fn pack_row(src: &[u8], bpc: u8, out: &mut Vec<u8>) {
    match bpc {
        8 => out.extend_from_slice(src),
        4 => out.extend(src.chunks(2).map(|p| {
            let hi = (u16::from(p[0]) * 15 + 127) / 255;
            let lo = p.get(1).map_or(0, |&v| (u16::from(v) * 15 + 127) / 255);
            ((hi << 4) | lo) as u8
        })),
        _ => out.extend(src.chunks(8).map(|p| {
            p.iter().enumerate().fold(
                0u8,
                |acc, (i, &v)| {
                    if v >= 128 {
                        acc | (0x80 >> i)
                    } else {
                        acc
                    }
                },
            )
        })),
    }
}

/// Encodes a grey page image.
pub fn encode(img: &GrayImage, encoding: Encoding) -> EncodedImage {
    let bpc = bits(encoding);
    let rb = row_bytes(img.width, bpc);
    let mut filtered = Vec::with_capacity((rb + 1) * img.height as usize);
    let mut prev = vec![0u8; rb];
    let mut cur = Vec::with_capacity(rb);
    for row in img.data.chunks_exact(img.width as usize) {
        cur.clear();
        pack_row(row, bpc, &mut cur);
        // PNG filter type 2 ("Up"): each byte minus the byte above it.
        filtered.push(2);
        filtered.extend(cur.iter().zip(&prev).map(|(c, p)| c.wrapping_sub(*p)));
        std::mem::swap(&mut prev, &mut cur);
    }
    let mut z = ZlibEncoder::new(Vec::with_capacity(filtered.len() / 8), Compression::new(6));
    // Writing to a Vec cannot fail.
    let _ = z.write_all(&filtered);
    let data = z.finish().unwrap_or_default();
    EncodedImage {
        width: img.width,
        height: img.height,
        bits_per_component: bpc,
        filter: ImageFilter::Flate,
        data,
    }
}

/// Why an image stream could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    #[error("the image data is not valid zlib")]
    Inflate,
    #[error("the image data has the wrong length for its size")]
    Length,
    #[error("unknown PNG predictor {0}")]
    Predictor(u8),
    #[error("unsupported bits per component {0}")]
    Depth(u8),
    #[error("the JPEG data cannot be decoded")]
    Jpeg,
}

/// Inverse of [`encode`]: zlib data with PNG predictors back to 8-bit grey (1- and 4-bit
/// values are scaled to 0–255).
pub fn decode(
    data: &[u8],
    width: u32,
    height: u32,
    bpc: u8,
    predictor: bool,
) -> Result<GrayImage, DecodeError> {
    if !matches!(bpc, 1 | 2 | 4 | 8) {
        return Err(DecodeError::Depth(bpc));
    }
    let rb = row_bytes(width, bpc);
    let expected = (rb + usize::from(predictor)) * height as usize;
    let mut raw = Vec::with_capacity(expected);
    let mut z = flate2::read::ZlibDecoder::new(data);
    std::io::copy(
        &mut std::io::Read::take(&mut z, expected as u64 + 1),
        &mut raw,
    )
    .map_err(|_| DecodeError::Inflate)?;
    if raw.len() < expected {
        return Err(DecodeError::Length);
    }
    let mut rows = Vec::with_capacity(rb * height as usize);
    let mut prev = vec![0u8; rb];
    let step = rb + usize::from(predictor);
    for chunk in raw[..expected].chunks_exact(step) {
        let (ft, src) = if predictor {
            (chunk[0], &chunk[1..])
        } else {
            (0, chunk)
        };
        let mut cur = src.to_vec();
        unfilter(ft, &mut cur, &prev)?;
        rows.extend_from_slice(&cur);
        prev = cur;
    }
    let mut out = Vec::with_capacity(width as usize * height as usize);
    let max = (1u16 << bpc) - 1;
    for row in rows.chunks_exact(rb) {
        for x in 0..width as usize {
            let bit = x * bpc as usize;
            let byte = row[bit / 8];
            let shift = 8 - bpc as usize - bit % 8;
            let v = (u16::from(byte) >> shift) & max;
            out.push((v * 255 / max) as u8);
        }
    }
    Ok(GrayImage {
        width,
        height,
        data: out,
    })
}

fn unfilter(ft: u8, cur: &mut [u8], prev: &[u8]) -> Result<(), DecodeError> {
    // One byte per pixel at every depth we write (grey, ≤ 8 bits).
    match ft {
        0 => {}
        1 => {
            for i in 1..cur.len() {
                cur[i] = cur[i].wrapping_add(cur[i - 1]);
            }
        }
        2 => {
            for (c, p) in cur.iter_mut().zip(prev) {
                *c = c.wrapping_add(*p);
            }
        }
        3 => {
            for i in 0..cur.len() {
                let left = if i > 0 { u16::from(cur[i - 1]) } else { 0 };
                cur[i] = cur[i].wrapping_add(((left + u16::from(prev[i])) / 2) as u8);
            }
        }
        4 => {
            for i in 0..cur.len() {
                let a = if i > 0 { i16::from(cur[i - 1]) } else { 0 };
                let b = i16::from(prev[i]);
                let c = if i > 0 { i16::from(prev[i - 1]) } else { 0 };
                let p = a + b - c;
                let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                let pred = if pa <= pb && pa <= pc {
                    a
                } else if pb <= pc {
                    b
                } else {
                    c
                };
                cur[i] = cur[i].wrapping_add(pred as u8);
            }
        }
        other => return Err(DecodeError::Predictor(other)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sample() -> GrayImage {
        let (w, h) = (37u32, 11u32);
        let data = (0..w * h).map(|i| ((i * 7919) % 256) as u8).collect();
        GrayImage {
            width: w,
            height: h,
            data,
        }
    }

    #[test]
    fn gray8_round_trips_exactly() {
        let img = sample();
        let e = encode(&img, Encoding::Gray8);
        assert_eq!(decode(&e.data, e.width, e.height, 8, true).unwrap(), img);
    }

    #[test]
    fn gray4_and_bilevel_keep_black_black_and_white_white() {
        let mut img = GrayImage::white(9, 3);
        img.data[4] = 0;
        img.data[5] = 120;
        for enc in [Encoding::Gray4, Encoding::Bilevel] {
            let e = encode(&img, enc);
            let d = decode(&e.data, 9, 3, e.bits_per_component, true).unwrap();
            assert_eq!(d.data[4], 0, "{enc:?}");
            assert_eq!(d.data[0], 255, "{enc:?}");
            assert_eq!(d.data[26], 255, "{enc:?}");
        }
    }

    #[test]
    fn jpeg_keeps_block_aligned_masks_black_and_has_no_metadata() {
        let mut img = sample();
        img.width = 40;
        img.height = 24;
        img.data = (0..40 * 24).map(|i| ((i * 7919) % 256) as u8).collect();
        let r = snap_to_blocks(
            &tusch_core::PixelRect {
                x0: 9,
                y0: 3,
                x1: 17,
                y1: 10,
            },
            40,
            24,
        );
        assert_eq!((r.x0, r.y0, r.x1, r.y1), (8, 0, 24, 16));
        img.burn(&r);
        let e = encode_jpeg(&img, 75);
        assert_eq!(e.filter, ImageFilter::Dct);
        let d = decode_jpeg(&e.data, 40, 24).unwrap();
        assert!(d.is_black(&r, 2), "masked blocks decode to black");
        let markers = jpeg_markers(&e.data).unwrap();
        assert!(
            markers.iter().all(|m| !matches!(m, 0xFE | 0xE1..=0xEF)),
            "{markers:x?}"
        );
        assert!(jpeg_markers(b"not a jpeg").is_none());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode(b"not zlib", 10, 10, 8, true).is_err());
        let e = encode(&sample(), Encoding::Gray8);
        assert_eq!(decode(&e.data, 37, 12, 8, true), Err(DecodeError::Length));
    }
}

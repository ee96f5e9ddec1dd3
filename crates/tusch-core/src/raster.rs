//! Pixels: an 8-bit grey page image, burning masks into it, and checking that they are black.

use std::fmt;

use crate::geom::PixelRect;

/// An 8-bit grey image, row-major, one byte per pixel, 0 = black.
#[derive(Clone, PartialEq, Eq)]
pub struct GrayImage {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl fmt::Debug for GrayImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The pixels are the document: never print them.
        f.debug_struct("GrayImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

impl GrayImage {
    /// A white image.
    pub fn white(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            data: vec![255; width as usize * height as usize],
        }
    }

    fn rows(&self, r: &PixelRect) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let x0 = r.x0.min(self.width) as usize;
        let x1 = r.x1.min(self.width) as usize;
        let w = self.width as usize;
        (r.y0.min(self.height)..r.y1.min(self.height)).map(move |y| {
            let base = y as usize * w;
            base + x0..base + x1.max(x0)
        })
    }

    /// Paints the rectangle opaque black.
    /// The image at half the resolution in both directions, each pixel the mean of a
    /// 2×2 block (an odd last row or column is dropped).
    pub fn half(&self) -> GrayImage {
        let (w, h) = ((self.width / 2).max(1), (self.height / 2).max(1));
        let src_w = self.width as usize;
        let mut data = Vec::with_capacity(w as usize * h as usize);
        for y in 0..h as usize {
            for x in 0..w as usize {
                let at = |dx: usize, dy: usize| {
                    let (sx, sy) = (
                        (2 * x + dx).min(src_w.saturating_sub(1)),
                        (2 * y + dy).min((self.height as usize).saturating_sub(1)),
                    );
                    u32::from(self.data[sy * src_w + sx])
                };
                data.push(((at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1) + 2) / 4) as u8);
            }
        }
        GrayImage {
            width: w,
            height: h,
            data,
        }
    }

    pub fn burn(&mut self, r: &PixelRect) {
        for row in self.rows(r).collect::<Vec<_>>() {
            self.data[row].fill(0);
        }
    }

    /// True when every pixel of the rectangle is at most `max_level` (0 = pure black).
    pub fn is_black(&self, r: &PixelRect, max_level: u8) -> bool {
        self.rows(r)
            .all(|row| self.data[row].iter().all(|&v| v <= max_level))
    }
}

/// Converts pdfium-style BGRA (or BGRx) pixels with a row stride to grey using integer
/// ITU-R BT.601 luma weights.
pub fn bgra_to_gray(bgra: &[u8], width: u32, height: u32, stride: usize) -> GrayImage {
    let w = width as usize;
    let mut data = Vec::with_capacity(w * height as usize);
    for y in 0..height as usize {
        let row = &bgra[y * stride..y * stride + w * 4];
        data.extend(row.chunks_exact(4).map(|p| {
            let (b, g, r) = (u32::from(p[0]), u32::from(p[1]), u32::from(p[2]));
            ((r * 77 + g * 150 + b * 29 + 128) >> 8) as u8
        }));
    }
    GrayImage {
        width,
        height,
        data,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn burn_then_check() {
        let mut img = GrayImage::white(10, 10);
        let r = PixelRect {
            x0: 2,
            y0: 3,
            x1: 5,
            y1: 20,
        };
        assert!(!img.is_black(&r, 0));
        img.burn(&r);
        assert!(img.is_black(&r, 0));
        assert_eq!(img.data[0], 255);
        assert_eq!(img.data.iter().filter(|&&v| v == 0).count(), 3 * 7);
    }

    #[test]
    fn half_averages_blocks() {
        let img = GrayImage {
            width: 5,
            height: 2,
            data: vec![0, 100, 200, 200, 7, 0, 100, 200, 200, 7],
        };
        let h = img.half();
        assert_eq!((h.width, h.height), (2, 1));
        assert_eq!(h.data, vec![50, 200]);
        assert_eq!(GrayImage::white(1, 1).half().data, vec![255]);
    }

    #[test]
    fn bgra_white_and_black() {
        let px = [255, 255, 255, 255, 0, 0, 0, 255];
        let g = bgra_to_gray(&px, 2, 1, 8);
        assert_eq!(g.data, vec![255, 0]);
    }
}

//! Typed positions.
//!
//! Three coordinate spaces exist and each has its own type, so a value can never be used in
//! the wrong one:
//!
//! * [`Rect`] — PDF user space of the *source* page, in points, y up. Text-layer character
//!   boxes and mask rectangles live here; this is what the redaction plan stores.
//! * [`DisplayRect`] — the page as a reader sees it (crop box applied, `/Rotate` applied), in
//!   points, origin top-left, y down. The output page has exactly this size.
//! * [`PixelRect`] — the rasterised page at a given DPI. Only the raster stage uses pixels.
//!
//! [`PageGeometry`] is the single place that maps between them.

use serde::{Deserialize, Serialize};

/// A rectangle in PDF user space (points, y up). `x0 <= x1`, `y0 <= y1`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rect {
    /// Builds a rectangle from two corners in any order.
    pub fn new(xa: f32, ya: f32, xb: f32, yb: f32) -> Self {
        Self {
            x0: xa.min(xb),
            y0: ya.min(yb),
            x1: xa.max(xb),
            y1: ya.max(yb),
        }
    }

    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }

    /// True when the rectangle has no area or holds a non-finite coordinate.
    pub fn is_degenerate(&self) -> bool {
        !(self.x0.is_finite() && self.x1.is_finite() && self.y0.is_finite() && self.y1.is_finite())
            || self.width() <= 0.0
            || self.height() <= 0.0
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, other: &Rect) -> Rect {
        Rect {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }

    /// Grows the rectangle by `d` points on every side.
    pub fn inflate(&self, d: f32) -> Rect {
        Rect {
            x0: self.x0 - d,
            y0: self.y0 - d,
            x1: self.x1 + d,
            y1: self.y1 + d,
        }
    }

    pub fn intersects(&self, other: &Rect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    /// Horizontal overlap as a fraction of the smaller width (0 when disjoint).
    pub fn horizontal_overlap(&self, other: &Rect) -> f32 {
        let overlap = self.x1.min(other.x1) - self.x0.max(other.x0);
        let w = self.width().min(other.width());
        if overlap <= 0.0 || w <= 0.0 {
            0.0
        } else {
            overlap / w
        }
    }

    /// Vertical overlap as a fraction of the smaller height (0 when disjoint).
    pub fn vertical_overlap(&self, other: &Rect) -> f32 {
        let overlap = self.y1.min(other.y1) - self.y0.max(other.y0);
        let h = self.height().min(other.height());
        if overlap <= 0.0 || h <= 0.0 {
            0.0
        } else {
            overlap / h
        }
    }
}

/// A rectangle on the displayed page: points, origin top-left, y down.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DisplayRect {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

impl DisplayRect {
    /// The pixels this rectangle touches at `dpi`, rounded outwards so that a mask always
    /// covers at least the area asked for, and clamped to the raster.
    pub fn to_pixels(&self, dpi: f32, width_px: u32, height_px: u32) -> PixelRect {
        let s = dpi / 72.0;
        let clamp = |v: f32, max: u32| -> u32 {
            if v.is_nan() || v <= 0.0 {
                0
            } else {
                (v as u32).min(max)
            }
        };
        PixelRect {
            x0: clamp((self.left * s).floor(), width_px),
            y0: clamp((self.top * s).floor(), height_px),
            x1: clamp((self.right * s).ceil(), width_px),
            y1: clamp((self.bottom * s).ceil(), height_px),
        }
    }
}

/// A half-open pixel rectangle `[x0, x1) × [y0, y1)`, origin top-left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PixelRect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl PixelRect {
    pub fn is_empty(&self) -> bool {
        self.x1 <= self.x0 || self.y1 <= self.y0
    }
}

/// Page rotation as given by the page's `/Rotate` entry: clockwise, a multiple of 90°.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Rotation {
    #[default]
    #[serde(rename = "0")]
    R0,
    #[serde(rename = "90")]
    R90,
    #[serde(rename = "180")]
    R180,
    #[serde(rename = "270")]
    R270,
}

impl Rotation {
    /// Normalises any multiple of 90 degrees (negative too); anything else is treated as 0,
    /// which is what PDF readers do with an invalid `/Rotate`.
    pub fn from_degrees(deg: i32) -> Self {
        match deg.rem_euclid(360) {
            90 => Rotation::R90,
            180 => Rotation::R180,
            270 => Rotation::R270,
            _ => Rotation::R0,
        }
    }

    pub fn degrees(self) -> i32 {
        match self {
            Rotation::R0 => 0,
            Rotation::R90 => 90,
            Rotation::R180 => 180,
            Rotation::R270 => 270,
        }
    }
}

/// What a page looks like to a reader: its visible area in user space and its rotation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PageGeometry {
    /// The crop box (the visible region) in user space.
    pub crop: Rect,
    pub rotation: Rotation,
}

impl PageGeometry {
    /// Width and height of the displayed page in points (rotation applied).
    pub fn display_size(&self) -> (f32, f32) {
        match self.rotation {
            Rotation::R0 | Rotation::R180 => (self.crop.width(), self.crop.height()),
            Rotation::R90 | Rotation::R270 => (self.crop.height(), self.crop.width()),
        }
    }

    /// The raster size at `dpi`, rounded to whole pixels.
    pub fn pixel_size(&self, dpi: f32) -> (u32, u32) {
        let (w, h) = self.display_size();
        let s = dpi / 72.0;
        (
            ((w * s).round() as u32).max(1),
            ((h * s).round() as u32).max(1),
        )
    }

    /// Maps a user-space point to display space (points, origin top-left, y down).
    pub fn point_to_display(&self, x: f32, y: f32) -> (f32, f32) {
        let c = &self.crop;
        // Unrotated display coordinates first: origin at the crop box's top-left corner.
        let (ux, uy) = (x - c.x0, c.y1 - y);
        let (w, h) = (c.width(), c.height());
        match self.rotation {
            Rotation::R0 => (ux, uy),
            // Turning the page a quarter clockwise moves its top-left corner to the top-right.
            Rotation::R90 => (h - uy, ux),
            Rotation::R180 => (w - ux, h - uy),
            Rotation::R270 => (uy, w - ux),
        }
    }

    /// Maps a user-space rectangle to display space.
    pub fn to_display(&self, r: &Rect) -> DisplayRect {
        let (ax, ay) = self.point_to_display(r.x0, r.y0);
        let (bx, by) = self.point_to_display(r.x1, r.y1);
        DisplayRect {
            left: ax.min(bx),
            top: ay.min(by),
            right: ax.max(bx),
            bottom: ay.max(by),
        }
    }

    /// Maps a display-space point back to user space (the inverse of [`Self::point_to_display`]).
    pub fn point_from_display(&self, dx: f32, dy: f32) -> (f32, f32) {
        let c = &self.crop;
        let (w, h) = (c.width(), c.height());
        let (ux, uy) = match self.rotation {
            Rotation::R0 => (dx, dy),
            Rotation::R90 => (dy, h - dx),
            Rotation::R180 => (w - dx, h - dy),
            Rotation::R270 => (w - dy, dx),
        };
        (ux + c.x0, c.y1 - uy)
    }

    /// Maps a display-space rectangle (e.g. a box drawn by the registrar) to user space.
    pub fn from_display(&self, d: &DisplayRect) -> Rect {
        let (ax, ay) = self.point_from_display(d.left, d.top);
        let (bx, by) = self.point_from_display(d.right, d.bottom);
        Rect::new(ax, ay, bx, by)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn geom(rotation: Rotation) -> PageGeometry {
        PageGeometry {
            crop: Rect::new(50.0, 60.0, 650.0, 860.0),
            rotation,
        }
    }

    #[test]
    fn unrotated_crop_offset_is_subtracted() {
        let g = geom(Rotation::R0);
        assert_eq!(g.display_size(), (600.0, 800.0));
        assert_eq!(g.point_to_display(50.0, 860.0), (0.0, 0.0));
        assert_eq!(g.point_to_display(650.0, 60.0), (600.0, 800.0));
    }

    #[test]
    fn quarter_turn_moves_top_left_to_top_right() {
        let g = geom(Rotation::R90);
        assert_eq!(g.display_size(), (800.0, 600.0));
        assert_eq!(g.point_to_display(50.0, 860.0), (800.0, 0.0));
        assert_eq!(g.point_to_display(650.0, 860.0), (800.0, 600.0));
    }

    #[test]
    fn half_turn_and_three_quarters() {
        let g = geom(Rotation::R180);
        assert_eq!(g.point_to_display(50.0, 860.0), (600.0, 800.0));
        let g = geom(Rotation::R270);
        assert_eq!(g.point_to_display(50.0, 860.0), (0.0, 600.0));
    }

    #[test]
    fn display_round_trip_for_every_rotation() {
        for r in [Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270] {
            let g = geom(r);
            let rect = Rect::new(100.0, 200.0, 180.0, 212.0);
            let back = g.from_display(&g.to_display(&rect));
            for (a, b) in [
                (rect.x0, back.x0),
                (rect.y0, back.y0),
                (rect.x1, back.x1),
                (rect.y1, back.y1),
            ] {
                assert!((a - b).abs() < 1e-3, "{r:?}: {rect:?} != {back:?}");
            }
        }
    }

    #[test]
    fn pixels_round_outwards_and_clamp() {
        let d = DisplayRect {
            left: 10.1,
            top: 10.1,
            right: 20.1,
            bottom: 2000.0,
        };
        let p = d.to_pixels(72.0, 100, 100);
        assert_eq!(
            p,
            PixelRect {
                x0: 10,
                y0: 10,
                x1: 21,
                y1: 100
            }
        );
    }

    #[test]
    fn rotation_normalises() {
        assert_eq!(Rotation::from_degrees(-90), Rotation::R270);
        assert_eq!(Rotation::from_degrees(450), Rotation::R90);
        assert_eq!(Rotation::from_degrees(45), Rotation::R0);
    }
}

//! Reading a source PDF through pdfium: open, text layer with character boxes, render.
//!
//! This is the only module with `unsafe` code: it calls pdfium's C API through
//! pdfium-render's function table, because the high-level wrapper hides the page and bitmap
//! handles needed to render at an exact pixel size and to read character boxes in bulk.
//! Every handle is owned by a guard that closes it on drop, so an early return cannot leak.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::path::Path;

use pdfium_render::prelude::{
    PdfiumLibraryBindings, FPDF_BITMAP, FPDF_DOCUMENT, FPDF_PAGE, FPDF_TEXTPAGE, FS_RECTF,
};
use tusch_core::raster::bgra_to_gray;
use tusch_core::{GrayImage, PageGeometry, PageText, Rect, Rotation, TextLayer};

use crate::error::PdfError;
use crate::library::bindings;

const FPDF_ERR_PASSWORD: u32 = 4;
const FPDF_ERR_SECURITY: u32 = 5;
const FPDF_ERR_FORMAT: u32 = 3;
const FPDF_ANNOT: i32 = 0x01;
const FPDF_BITMAP_BGRA: i32 = 4;
const FPDF_PAGEOBJ_IMAGE: i32 = 3;

/// Hard limits on what a page may ask of us, whatever the configuration says.
const MAX_PAGES: usize = 100_000;

/// An open source PDF. The bytes stay alive as long as the document, as pdfium reads them
/// in place.
pub struct SourceDocument {
    handle: FPDF_DOCUMENT,
    page_count: usize,
    // Dropped after `handle` is closed (see Drop).
    _bytes: Vec<u8>,
}

impl std::fmt::Debug for SourceDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceDocument")
            .field("page_count", &self.page_count)
            .finish()
    }
}

// SAFETY: pdfium-render's `thread_safe` feature serialises every pdfium call behind one
// global lock, so a document handle may be used from any thread, one call at a time.
unsafe impl Send for SourceDocument {}
unsafe impl Sync for SourceDocument {}

impl Drop for SourceDocument {
    fn drop(&mut self) {
        if let Ok(b) = bindings() {
            // SAFETY: the handle came from FPDF_LoadMemDocument64 and is closed only here.
            unsafe { b.FPDF_CloseDocument(self.handle) };
        }
    }
}

/// Checks the bytes look like a complete PDF before pdfium sees them. pdfium repairs
/// damaged files silently, which would turn a half-copied file into a shorter document; a
/// redaction tool must say so instead.
pub fn sniff(bytes: &[u8]) -> Result<(), PdfError> {
    if bytes.is_empty() {
        return Err(PdfError::EmptyFile);
    }
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(PdfError::NotPdf);
    }
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        // Without objects it was never a PDF body; with them, the end is missing.
        let has_objects = bytes.windows(4).any(|w| w == b" obj");
        return Err(if has_objects {
            PdfError::Truncated
        } else {
            PdfError::Corrupt {
                detail: "inga PDF-objekt",
            }
        });
    }
    Ok(())
}

impl SourceDocument {
    /// Reads and opens a PDF file. Encrypted files are refused, even with an empty user
    /// password: their owner asked for protection, and the output must not silently drop it.
    pub fn open(path: &Path) -> Result<Self, PdfError> {
        let bytes = std::fs::read(path).map_err(|source| PdfError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_bytes(bytes)
    }

    /// Opens a PDF held in memory.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, PdfError> {
        sniff(&bytes)?;
        let b = bindings()?;
        // SAFETY: `bytes` outlives the document (it is stored beside the handle).
        let handle = unsafe { b.FPDF_LoadMemDocument64(&bytes, None) };
        if handle.is_null() {
            // SAFETY: plain query of pdfium's last error code.
            let code = unsafe { b.FPDF_GetLastError() } as u32;
            return Err(match code {
                FPDF_ERR_PASSWORD | FPDF_ERR_SECURITY => PdfError::Encrypted,
                FPDF_ERR_FORMAT => PdfError::Corrupt {
                    detail: "ogiltig struktur",
                },
                _ => PdfError::Corrupt {
                    detail: "kunde inte tolkas",
                },
            });
        }
        let mut doc = SourceDocument {
            handle,
            page_count: 0,
            _bytes: bytes,
        };
        // SAFETY: valid document handle.
        let revision = unsafe { b.FPDF_GetSecurityHandlerRevision(handle) };
        if revision != -1 {
            return Err(PdfError::Encrypted);
        }
        // SAFETY: valid document handle.
        let count = unsafe { b.FPDF_GetPageCount(handle) };
        if count <= 0 {
            return Err(PdfError::NoPages);
        }
        let page_count = count as usize;
        if page_count > MAX_PAGES {
            return Err(PdfError::Corrupt {
                detail: "orimligt antal sidor",
            });
        }
        doc.page_count = page_count;
        Ok(doc)
    }

    pub fn page_count(&self) -> usize {
        self.page_count
    }

    fn page(&self, index: usize) -> Result<PageGuard, PdfError> {
        let b = bindings()?;
        // SAFETY: valid document handle; index < page_count is checked by callers.
        let handle = unsafe { b.FPDF_LoadPage(self.handle, index as i32) };
        if handle.is_null() {
            return Err(PdfError::Page {
                page: index + 1,
                what: "läsas in",
            });
        }
        Ok(PageGuard { b, handle })
    }

    /// The page's visible area and rotation.
    pub fn geometry(&self, index: usize) -> Result<PageGeometry, PdfError> {
        let page = self.page(index)?;
        page.geometry(index)
    }

    /// The page's text, one box per character, in user space.
    pub fn page_text(&self, index: usize) -> Result<PageText, PdfError> {
        let page = self.page(index)?;
        Self::text_of(&page, index)
    }

    /// The page's text and its images ([`Self::page_images`]), loading the page once.
    pub fn page_text_and_images(
        &self,
        index: usize,
    ) -> Result<(PageText, Vec<PageImage>), PdfError> {
        let page = self.page(index)?;
        Ok((Self::text_of(&page, index)?, Self::images_of(&page)))
    }

    fn text_of(page: &PageGuard, index: usize) -> Result<PageText, PdfError> {
        let geometry = page.geometry(index)?;
        let b = page.b;
        // SAFETY: valid page handle; the text page is closed by its guard.
        let text = TextPageGuard {
            b,
            handle: unsafe { b.FPDFText_LoadPage(page.handle) },
        };
        if text.handle.is_null() {
            return Err(PdfError::Page {
                page: index + 1,
                what: "textläsas",
            });
        }
        // SAFETY: valid text page handle.
        let n = unsafe { b.FPDFText_CountChars(text.handle) }.max(0);
        let mut layer = TextLayer::new();
        for i in 0..n {
            // SAFETY: 0 <= i < n for a valid text page.
            let code = unsafe { b.FPDFText_GetUnicode(text.handle, i) };
            let generated = unsafe { b.FPDFText_IsGenerated(text.handle, i) } == 1;
            let c = match char::from_u32(code) {
                Some('\0') | None => '\u{FFFD}',
                // pdfium reports a hyphen it treats as a soft line-end hyphen as U+0002.
                Some('\u{2}') => '-',
                Some(c) => c,
            };
            let rect = if generated {
                None
            } else {
                let mut r = FS_RECTF {
                    left: 0.0,
                    top: 0.0,
                    right: 0.0,
                    bottom: 0.0,
                };
                // SAFETY: valid text page and index, `r` is a valid out-pointer.
                let ok = unsafe { b.FPDFText_GetLooseCharBox(text.handle, i, &mut r) };
                (ok != 0).then(|| Rect::new(r.left, r.bottom, r.right, r.top))
            };
            layer.push(c, rect);
        }
        Ok(PageText {
            index,
            geometry,
            layer,
        })
    }

    /// The image objects drawn directly on the page: where they are (user space) and
    /// their size in pixels. Used to recognise scanned pages and their resolution.
    pub fn page_images(&self, index: usize) -> Result<Vec<PageImage>, PdfError> {
        let page = self.page(index)?;
        Ok(Self::images_of(&page))
    }

    fn images_of(page: &PageGuard) -> Vec<PageImage> {
        let b = page.b;
        // SAFETY: valid page handle.
        let n = unsafe { b.FPDFPage_CountObjects(page.handle) }.max(0);
        let mut out = Vec::new();
        for i in 0..n {
            // SAFETY: 0 <= i < n for a valid page; objects are owned by the page.
            let obj = unsafe { b.FPDFPage_GetObject(page.handle, i) };
            if obj.is_null() || unsafe { b.FPDFPageObj_GetType(obj) } != FPDF_PAGEOBJ_IMAGE {
                continue;
            }
            let (mut l, mut bt, mut r, mut t) = (0f32, 0f32, 0f32, 0f32);
            let (mut w, mut h) = (0u32, 0u32);
            // SAFETY: valid image object, valid out-pointers.
            let ok = unsafe { b.FPDFPageObj_GetBounds(obj, &mut l, &mut bt, &mut r, &mut t) } != 0
                && unsafe { b.FPDFImageObj_GetImagePixelSize(obj, &mut w, &mut h) } != 0;
            let bounds = Rect::new(l, bt, r, t);
            if ok && !bounds.is_degenerate() && w > 0 && h > 0 {
                out.push(PageImage {
                    bounds,
                    width_px: w,
                    height_px: h,
                });
            }
        }
        out
    }

    /// Renders the page at `dpi` to 8-bit grey, at exactly the size
    /// [`PageGeometry::pixel_size`] gives. Renders BGRA and converts: pdfium's grey bitmap
    /// format drops text with this pdfium build.
    pub fn render_gray(
        &self,
        index: usize,
        dpi: u32,
        max_megapixels: u32,
    ) -> Result<GrayImage, PdfError> {
        let page = self.page(index)?;
        let geometry = page.geometry(index)?;
        let (w, h) = geometry.pixel_size(dpi as f32);
        let pixels = u64::from(w) * u64::from(h);
        if pixels > u64::from(max_megapixels) * 1_000_000 || w > 65_000 || h > 65_000 {
            return Err(PdfError::PageTooLarge {
                page: index + 1,
                megapixels: pixels.div_ceil(1_000_000),
                dpi,
                limit: max_megapixels,
            });
        }
        let b = page.b;
        // SAFETY: positive size within limits; pdfium allocates the buffer.
        let bitmap = BitmapGuard {
            b,
            handle: unsafe {
                b.FPDFBitmap_CreateEx(
                    w as i32,
                    h as i32,
                    FPDF_BITMAP_BGRA,
                    std::ptr::null_mut::<c_void>(),
                    0,
                )
            },
        };
        if bitmap.handle.is_null() {
            return Err(PdfError::Page {
                page: index + 1,
                what: "renderas (minnet räckte inte)",
            });
        }
        // SAFETY: valid bitmap and page handles; the render covers the whole bitmap.
        unsafe {
            b.FPDFBitmap_FillRect(bitmap.handle, 0, 0, w as i32, h as i32, 0xFFFF_FFFF);
            b.FPDF_RenderPageBitmap(
                bitmap.handle,
                page.handle,
                0,
                0,
                w as i32,
                h as i32,
                0,
                FPDF_ANNOT,
            );
        }
        // SAFETY: valid bitmap handle.
        let stride = unsafe { b.FPDFBitmap_GetStride(bitmap.handle) }.max(0) as usize;
        let buf = unsafe { b.FPDFBitmap_GetBuffer(bitmap.handle) } as *const u8;
        if buf.is_null() || stride < w as usize * 4 {
            return Err(PdfError::Page {
                page: index + 1,
                what: "renderas",
            });
        }
        // SAFETY: pdfium's BGRA bitmap holds `stride * h` bytes and lives until the guard
        // drops, after this slice is last used.
        let bytes = unsafe { std::slice::from_raw_parts(buf, stride * h as usize) };
        Ok(bgra_to_gray(bytes, w, h, stride))
    }
}

/// An image drawn on a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageImage {
    /// Where it is drawn, in user space.
    pub bounds: Rect,
    pub width_px: u32,
    pub height_px: u32,
}

impl PageImage {
    /// Its resolution as drawn, in pixels per inch (independent of how it is turned).
    pub fn dpi(&self) -> f32 {
        let px = f64::from(self.width_px) * f64::from(self.height_px);
        let inches = f64::from(self.bounds.width()) * f64::from(self.bounds.height()) / 5184.0;
        (px / inches.max(1e-9)).sqrt() as f32
    }
}

struct PageGuard {
    b: &'static dyn PdfiumLibraryBindings,
    handle: FPDF_PAGE,
}

impl PageGuard {
    fn geometry(&self, index: usize) -> Result<PageGeometry, PdfError> {
        let mut r = FS_RECTF {
            left: 0.0,
            top: 0.0,
            right: 0.0,
            bottom: 0.0,
        };
        // SAFETY: valid page handle, valid out-pointer. The bounding box is the crop box
        // clipped to the media box: what a reader displays.
        let ok = unsafe { self.b.FPDF_GetPageBoundingBox(self.handle, &mut r) };
        let crop = Rect::new(r.left, r.bottom, r.right, r.top);
        if ok == 0 || crop.is_degenerate() {
            return Err(PdfError::BadPageSize { page: index + 1 });
        }
        // SAFETY: valid page handle. Returns quarter turns clockwise.
        let quarters = unsafe { self.b.FPDFPage_GetRotation(self.handle) };
        Ok(PageGeometry {
            crop,
            rotation: Rotation::from_degrees(quarters * 90),
        })
    }
}

impl Drop for PageGuard {
    fn drop(&mut self) {
        // SAFETY: the handle came from FPDF_LoadPage and is closed only here.
        unsafe { self.b.FPDF_ClosePage(self.handle) };
    }
}

struct TextPageGuard {
    b: &'static dyn PdfiumLibraryBindings,
    handle: FPDF_TEXTPAGE,
}

impl Drop for TextPageGuard {
    fn drop(&mut self) {
        if !self.handle.is_null() {
            // SAFETY: the handle came from FPDFText_LoadPage and is closed only here.
            unsafe { self.b.FPDFText_ClosePage(self.handle) };
        }
    }
}

struct BitmapGuard {
    b: &'static dyn PdfiumLibraryBindings,
    handle: FPDF_BITMAP,
}

impl Drop for BitmapGuard {
    fn drop(&mut self) {
        if !self.handle.is_null() {
            // SAFETY: the handle came from FPDFBitmap_CreateEx and is destroyed only here.
            unsafe { self.b.FPDFBitmap_Destroy(self.handle) };
        }
    }
}

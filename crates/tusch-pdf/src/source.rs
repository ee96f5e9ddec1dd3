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
    PdfiumLibraryBindings, FPDF_ANNOTATION, FPDF_BITMAP, FPDF_DOCUMENT, FPDF_FORMFILLINFO,
    FPDF_FORMHANDLE, FPDF_PAGE, FPDF_TEXTPAGE, FS_RECTF,
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
/// Text render modes that draw nothing (an OCR layer under a scan, hidden text).
const TEXT_INVISIBLE: i32 = 3;
const TEXT_CLIP_ONLY: i32 = 7;
/// Appended to the font name of invisible text runs, so they are their own "font".
const INVISIBLE_SUFFIX: &str = "\u{1}invisible";
/// `FPDF_GetFormType`: the document has no AcroForm (or XFA) form.
const FORMTYPE_NONE: i32 = 0;
/// Annotation subtypes (`FPDF_ANNOT_*`).
const ANNOT_FREETEXT: i32 = 3;
const ANNOT_POPUP: i32 = 16;
const ANNOT_WIDGET: i32 = 20;
/// Annotation flags: hidden, or not shown on screen.
const ANNOT_FLAG_HIDDEN: i32 = 1 << 1;
const ANNOT_FLAG_NOVIEW: i32 = 1 << 5;
/// Form field types whose value is text a reader sees (`FPDF_FORMFIELD_*`).
const FIELD_COMBOBOX: i32 = 4;
const FIELD_LISTBOX: i32 = 5;
const FIELD_TEXTFIELD: i32 = 6;

/// Hard limits on what a page may ask of us, whatever the configuration says.
const MAX_PAGES: usize = 100_000;

/// An open source PDF. The bytes stay alive as long as the document, as pdfium reads them
/// in place.
pub struct SourceDocument {
    handle: FPDF_DOCUMENT,
    page_count: usize,
    /// The form-fill environment when the document has an AcroForm: without it pdfium
    /// neither draws form fields nor reports their values, and a released e-service export
    /// would silently lose its content. Null when the document has no form.
    form: FPDF_FORMHANDLE,
    /// pdfium keeps a pointer to this until the environment is closed, so it lives on the
    /// heap, never moves, and is dropped after `form` is closed.
    _form_info: Option<Box<FPDF_FORMFILLINFO>>,
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
            if !self.form.is_null() {
                // SAFETY: the form handle came from FPDFDOC_InitFormFillEnvironment for
                // this document and is closed only here, before the document.
                unsafe { b.FPDFDOC_ExitFormFillEnvironment(self.form) };
            }
            // SAFETY: the handle came from FPDF_LoadMemDocument64 and is closed only here.
            unsafe { b.FPDF_CloseDocument(self.handle) };
        }
    }
}

/// A form-fill environment with no callbacks: Tusch never interacts with a form, it only
/// draws the fields and reads their values. JavaScript stays off (no platform given).
fn form_fill_info() -> Box<FPDF_FORMFILLINFO> {
    Box::new(FPDF_FORMFILLINFO {
        version: 2,
        Release: None,
        FFI_Invalidate: None,
        FFI_OutputSelectedRect: None,
        FFI_SetCursor: None,
        FFI_SetTimer: None,
        FFI_KillTimer: None,
        FFI_GetLocalTime: None,
        FFI_OnChange: None,
        FFI_GetPage: None,
        FFI_GetCurrentPage: None,
        FFI_GetRotation: None,
        FFI_ExecuteNamedAction: None,
        FFI_SetTextFieldFocus: None,
        FFI_DoURIAction: None,
        FFI_DoGoToAction: None,
        m_pJsPlatform: std::ptr::null_mut(),
        xfa_disabled: 1,
        FFI_DisplayCaret: None,
        FFI_GetCurrentPageIndex: None,
        FFI_SetCurrentPage: None,
        FFI_GotoURL: None,
        FFI_GetPageViewRect: None,
        FFI_PageEvent: None,
        FFI_PopupMenu: None,
        FFI_OpenFile: None,
        FFI_EmailTo: None,
        FFI_UploadTo: None,
        FFI_GetPlatform: None,
        FFI_GetLanguage: None,
        FFI_DownloadFromURL: None,
        FFI_PostRequestURL: None,
        FFI_PutRequestURL: None,
        FFI_OnFocusChange: None,
        FFI_DoURIActionWithKeyboardModifier: None,
    })
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
            form: std::ptr::null_mut(),
            _form_info: None,
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
        // SAFETY: valid document handle.
        if unsafe { b.FPDF_GetFormType(handle) } != FORMTYPE_NONE {
            let mut info = form_fill_info();
            // SAFETY: `info` is heap-allocated and kept beside the handle until the
            // environment is closed in Drop.
            let form = unsafe { b.FPDFDOC_InitFormFillEnvironment(handle, &mut *info) };
            if !form.is_null() {
                // Fields are drawn as printed, without the on-screen highlight.
                // SAFETY: valid form handle.
                unsafe { b.FPDF_RemoveFormFieldHighlight(form) };
                doc.form = form;
                doc._form_info = Some(info);
            }
        }
        Ok(doc)
    }

    /// Whether the document has an interactive form whose fields are drawn and read.
    pub fn has_form(&self) -> bool {
        !self.form.is_null()
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
        if !self.form.is_null() {
            // SAFETY: valid page and form handles; undone in PageGuard's Drop.
            unsafe { b.FORM_OnAfterLoadPage(handle, self.form) };
        }
        Ok(PageGuard {
            b,
            handle,
            form: self.form,
        })
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

    /// Everything on a page a reader may see, loading the page once: its text layer with
    /// the font of every character, its images, and the text of its annotations and form
    /// fields.
    pub fn page_content(&self, index: usize) -> Result<PageContent, PdfError> {
        let page = self.page(index)?;
        let (text, fonts) = Self::text_and_fonts_of(&page, index)?;
        Ok(PageContent {
            text,
            fonts,
            images: Self::images_of(&page),
            annotations: self.annotations_of(&page),
        })
    }

    fn text_of(page: &PageGuard, index: usize) -> Result<PageText, PdfError> {
        Self::text_and_fonts_of(page, index).map(|(t, _)| t)
    }

    fn text_and_fonts_of(page: &PageGuard, index: usize) -> Result<(PageText, FontRuns), PdfError> {
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
        let mut fonts = FontRuns::default();
        let mut last_object = std::ptr::null_mut();
        let mut font = NO_FONT;
        for i in 0..n {
            // The font is looked up only where the text object changes (a run of text).
            // SAFETY: 0 <= i < n for a valid text page.
            let object = unsafe { b.FPDFText_GetTextObject(text.handle, i) };
            if object != last_object {
                last_object = object;
                font = if object.is_null() {
                    NO_FONT
                } else {
                    let mut name = font_name(b, text.handle, i);
                    // SAFETY: a valid text object of this page.
                    let mode = unsafe { b.FPDFTextObj_GetTextRenderMode(object) };
                    if mode == TEXT_INVISIBLE || mode == TEXT_CLIP_ONLY {
                        name.push_str(INVISIBLE_SUFFIX);
                    }
                    fonts.id(&name)
                };
            }
            fonts.per_char.push(font);
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
        Ok((
            PageText {
                index,
                geometry,
                layer,
            },
            fonts,
        ))
    }

    /// The text of the page's annotations and form fields, with where they are drawn.
    fn annotations_of(&self, page: &PageGuard) -> Vec<PageAnnotation> {
        let b = page.b;
        // SAFETY: valid page handle.
        let n = unsafe { b.FPDFPage_GetAnnotCount(page.handle) }.max(0);
        let mut out = Vec::new();
        for i in 0..n {
            // SAFETY: 0 <= i < n; the annotation is closed by its guard.
            let annot = AnnotGuard {
                b,
                handle: unsafe { b.FPDFPage_GetAnnot(page.handle, i) },
            };
            if annot.handle.is_null() {
                continue;
            }
            // SAFETY: valid annotation handle.
            let subtype = unsafe { b.FPDFAnnot_GetSubtype(annot.handle) };
            let flags = unsafe { b.FPDFAnnot_GetFlags(annot.handle) };
            let mut r = FS_RECTF {
                left: 0.0,
                top: 0.0,
                right: 0.0,
                bottom: 0.0,
            };
            // SAFETY: valid annotation handle and out-pointer.
            if unsafe { b.FPDFAnnot_GetRect(annot.handle, &mut r) } == 0 {
                continue;
            }
            let rect = Rect::new(r.left, r.bottom, r.right, r.top);
            let hidden = flags & (ANNOT_FLAG_HIDDEN | ANNOT_FLAG_NOVIEW) != 0;
            if subtype == ANNOT_WIDGET {
                if self.form.is_null() || hidden {
                    continue;
                }
                // SAFETY: valid form and annotation handles.
                let kind = unsafe { b.FPDFAnnot_GetFormFieldType(self.form, annot.handle) };
                if !matches!(kind, FIELD_TEXTFIELD | FIELD_COMBOBOX | FIELD_LISTBOX) {
                    continue;
                }
                let text = utf16_string(|buf, len| {
                    // SAFETY: valid handles; `buf` holds `len` bytes (or is null with 0).
                    unsafe { b.FPDFAnnot_GetFormFieldValue(self.form, annot.handle, buf, len) }
                });
                if !text.trim().is_empty() && !rect.is_degenerate() {
                    out.push(PageAnnotation {
                        kind: AnnotationKind::FormField,
                        rect,
                        text,
                    });
                }
                continue;
            }
            if subtype == ANNOT_POPUP {
                // A popup shows its parent's text, which is reported with the parent.
                continue;
            }
            let text = utf16_string(|buf, len| {
                // SAFETY: valid annotation handle; `buf` holds `len` bytes (or is null).
                unsafe { b.FPDFAnnot_GetStringValue(annot.handle, "Contents", buf, len) }
            });
            if text.trim().is_empty() {
                continue;
            }
            // Only a FreeText annotation draws its /Contents on the page. Every other kind
            // (a sticky note, a highlight, a stamp, a shape) shows it in a popup, which a
            // raster copy cannot carry; what such an annotation draws (a stamp's
            // appearance) is ink, read like any other. Hidden annotations draw nothing.
            let kind = if hidden || subtype != ANNOT_FREETEXT {
                AnnotationKind::NotDrawn
            } else {
                AnnotationKind::Drawn
            };
            out.push(PageAnnotation { kind, rect, text });
        }
        out
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
        crate::error::check_raster_size(index + 1, w, h, dpi, max_megapixels)?;
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
            // Form fields are drawn by the form module, over the page, as a viewer shows
            // them (FPDF_RenderPageBitmap never draws widgets).
            if !self.form.is_null() {
                b.FPDF_FFLDraw(
                    self.form,
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

/// What [`SourceDocument::page_content`] reads of a page.
#[derive(Debug, Clone)]
pub struct PageContent {
    pub text: PageText,
    /// The font of every character of `text.layer`.
    pub fonts: FontRuns,
    pub images: Vec<PageImage>,
    pub annotations: Vec<PageAnnotation>,
}

/// The font of each character of a page's text layer, as an index into `names`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FontRuns {
    /// Font names as the PDF gives them (with any subset prefix, so two subsets of one
    /// family are two fonts: each has its own cmap).
    pub names: Vec<String>,
    /// One entry per character of the layer; [`NO_FONT`] where pdfium gave none.
    pub per_char: Vec<u16>,
}

/// The font index of characters without a font (generated spaces and line breaks).
pub const NO_FONT: u16 = u16::MAX;

impl FontRuns {
    /// Whether the font with this index draws its text invisibly (render mode 3 or 7):
    /// such text is analysed, but explains no ink.
    pub fn is_invisible(&self, id: u16) -> bool {
        self.names
            .get(usize::from(id))
            .is_some_and(|n| n.ends_with(INVISIBLE_SUFFIX))
    }

    fn id(&mut self, name: &str) -> u16 {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return i as u16;
        }
        if self.names.len() >= usize::from(NO_FONT) {
            return NO_FONT - 1;
        }
        self.names.push(name.to_owned());
        (self.names.len() - 1) as u16
    }
}

/// How an annotation's text reaches a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnotationKind {
    /// The value of a text field or choice field, drawn in the field.
    FormField,
    /// A FreeText comment drawn on the page; its text (`/Contents`) may differ from what
    /// its appearance draws, which is read as ink too.
    Drawn,
    /// Text that is not drawn on the page (the popup of a sticky note, a highlight, a
    /// stamp or a shape; a hidden annotation): it is not in the released raster.
    NotDrawn,
}

/// The text of one annotation or form field and where it is drawn (user space).
#[derive(Clone)]
pub struct PageAnnotation {
    pub kind: AnnotationKind,
    pub rect: Rect,
    pub text: String,
}

impl std::fmt::Debug for PageAnnotation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The text is document content: never printed.
        f.debug_struct("PageAnnotation")
            .field("kind", &self.kind)
            .field("rect", &self.rect)
            .field("chars", &self.text.chars().count())
            .finish()
    }
}

/// Reads a UTF-16LE string from a pdfium getter that returns the byte length it needs
/// (including the terminating NUL) when given a null buffer.
fn utf16_string(mut get: impl FnMut(*mut u16, std::ffi::c_ulong) -> std::ffi::c_ulong) -> String {
    let needed = get(std::ptr::null_mut(), 0) as usize;
    if needed <= 2 || needed > 1 << 20 {
        return String::new();
    }
    let mut buf = vec![0u16; needed.div_ceil(2)];
    let got = get(buf.as_mut_ptr(), (buf.len() * 2) as std::ffi::c_ulong) as usize;
    let len = (got.min(needed) / 2).saturating_sub(1);
    String::from_utf16_lossy(&buf[..len.min(buf.len())])
}

/// The name of the font of character `index`.
fn font_name(b: &'static dyn PdfiumLibraryBindings, text: FPDF_TEXTPAGE, index: i32) -> String {
    let mut flags = 0;
    // SAFETY: valid text page and index; a null buffer asks for the length.
    let needed = unsafe { b.FPDFText_GetFontInfo(text, index, std::ptr::null_mut(), 0, &mut flags) }
        as usize;
    if needed == 0 || needed > 4096 {
        return String::new();
    }
    let mut buf = vec![0u8; needed];
    // SAFETY: `buf` holds `needed` bytes.
    unsafe {
        b.FPDFText_GetFontInfo(
            text,
            index,
            buf.as_mut_ptr().cast::<c_void>(),
            needed as std::ffi::c_ulong,
            &mut flags,
        )
    };
    let end = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
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
    form: FPDF_FORMHANDLE,
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
        if !self.form.is_null() {
            // SAFETY: FORM_OnAfterLoadPage was called for this page with this form.
            unsafe { self.b.FORM_OnBeforeClosePage(self.handle, self.form) };
        }
        // SAFETY: the handle came from FPDF_LoadPage and is closed only here.
        unsafe { self.b.FPDF_ClosePage(self.handle) };
    }
}

struct AnnotGuard {
    b: &'static dyn PdfiumLibraryBindings,
    handle: FPDF_ANNOTATION,
}

impl Drop for AnnotGuard {
    fn drop(&mut self) {
        if !self.handle.is_null() {
            // SAFETY: the handle came from FPDFPage_GetAnnot and is closed only here.
            unsafe { self.b.FPDFPage_CloseAnnot(self.handle) };
        }
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

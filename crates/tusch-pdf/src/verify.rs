//! Verification of an output PDF, fail-closed.
//!
//! An output is kept only when all of these hold, checked on the bytes as written:
//!
//! 1. it parses, is not encrypted, and has the expected number of pages;
//! 2. the trailer has no `/Info`; the catalog holds nothing but `/Type` and `/Pages` (no
//!    XMP `/Metadata`, outline, names tree, attachments, forms, JavaScript, open action);
//! 3. every object in the file is the catalog, the page tree, a page, a page's content
//!    stream or an image — no fonts, annotations, or anything else;
//! 4. every page's resources hold only image XObjects and its content only draws them
//!    (`q`, `cm`, `Do`, `Q`);
//! 5. pdfium, opening the file independently, extracts no text from any page;
//! 6. when the masks are known: every mask rectangle, in the page image as decoded from the
//!    file, is fully black — exactly black in lossless (Flate) images; in JPEG (DCT) images
//!    of scanned pages no pixel lighter than [`JPEG_BLACK_TOLERANCE`], since the encoder's
//!    rounding may leave a level or two (the writer aligns masks to JPEG blocks, so ink
//!    beside a mask cannot ring into it). JPEG streams must be plain grey baseline or
//!    progressive JPEGs without comment or application segments other than JFIF/Adobe.
//!
//! The same checks run as `tusch verify` on any PDF (without step 6 unless a report is given).

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use lopdf::{Dictionary, Object, ObjectId};
use tusch_core::DisplayRect;

use crate::encode::{decode, decode_jpeg, jpeg_markers};

/// The lightest level a masked pixel of a JPEG page image may decode to. A white (255) or
/// grey mask fails; what JPEG rounding does to a black block (0–2) passes.
pub const JPEG_BLACK_TOLERANCE: u8 = 24;
use crate::source::SourceDocument;

/// What the verifier should expect of a file besides the general rules.
#[derive(Debug, Clone, Default)]
pub struct VerifyExpectations {
    /// The number of pages the output must have.
    pub page_count: Option<usize>,
    /// Per page, the rectangles (display space of the output page) that must be black.
    pub black: Vec<Vec<DisplayRect>>,
}

/// The result of a successful verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub pages: usize,
    /// The checks that ran, in order, by name.
    pub checks: Vec<&'static str>,
    /// How many mask rectangles were confirmed black.
    pub masks_checked: usize,
}

/// Every rule the file broke. Descriptions name pages and object kinds, never content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    pub failures: Vec<String>,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.failures.join("; "))
    }
}

impl std::error::Error for VerifyError {}

/// Verifies a file on disk.
pub fn verify_file(path: &Path, expect: &VerifyExpectations) -> Result<VerifyReport, VerifyError> {
    let unreadable = |e: std::io::Error| VerifyError {
        failures: vec![format!("cannot read the file: {e}")],
    };
    // The file is read twice rather than held twice: pdfium's text check takes the bytes
    // and frees them, then the structure and mask checks parse the file afresh. A
    // 1,000-page output is never in memory as bytes and as parsed objects at once.
    let mut text_failures = Vec::new();
    no_text(std::fs::read(path).map_err(unreadable)?, &mut text_failures);
    let doc = lopdf::Document::load(path).map_err(|_| VerifyError {
        failures: vec!["the file is not a readable PDF".into()],
    })?;
    checks(&doc, text_failures, expect)
}

/// The pixels of each page of a Tusch output, decoded as a viewer shows them: the one
/// image every page of an image-only PDF draws. For tests that compare what was released
/// with what was previewed, and for reading an output back with OCR.
pub fn released_images(bytes: &[u8]) -> Result<Vec<tusch_core::GrayImage>, VerifyError> {
    let fail = |m: &str| VerifyError {
        failures: vec![m.to_owned()],
    };
    let doc =
        lopdf::Document::load_mem(bytes).map_err(|_| fail("the file is not a readable PDF"))?;
    doc.get_pages()
        .values()
        .map(|id| {
            page_image(&doc, Some(*id))
                .map(|(image, ..)| image)
                .ok_or_else(|| fail("a page's image cannot be decoded"))
        })
        .collect()
}

/// Verifies a PDF held in memory.
pub fn verify_bytes(
    bytes: &[u8],
    expect: &VerifyExpectations,
) -> Result<VerifyReport, VerifyError> {
    verify_owned(bytes.to_vec(), expect)
}

/// The checks, on bytes the verifier owns: the raw bytes are freed as soon as the text
/// scan is done, so a 1,000-page output is not held twice (bytes and parsed objects) while
/// its masks are decoded.
fn verify_owned(bytes: Vec<u8>, expect: &VerifyExpectations) -> Result<VerifyReport, VerifyError> {
    let doc = match lopdf::Document::load_mem(&bytes) {
        Ok(d) => d,
        Err(_) => {
            return Err(VerifyError {
                failures: vec!["the file is not a readable PDF".into()],
            })
        }
    };
    let mut text_failures = Vec::new();
    // pdfium takes the bytes themselves (no copy) and frees them with its document.
    no_text(bytes, &mut text_failures);
    checks(&doc, text_failures, expect)
}

/// Every check but pdfium's text check, whose failures are given.
fn checks(
    doc: &lopdf::Document,
    text_failures: Vec<String>,
    expect: &VerifyExpectations,
) -> Result<VerifyReport, VerifyError> {
    let mut v = Verifier::default();
    v.check("structure", |f| structure(doc, f));
    let pages = doc.get_pages();
    if let Some(n) = expect.page_count {
        if pages.len() != n {
            v.failures
                .push(format!("expected {n} pages, found {}", pages.len()));
        }
    }
    v.check("no-text", |f| f.extend(text_failures));
    let mut masks_checked = 0;
    if !expect.black.is_empty() {
        v.check("masks-black", |f| {
            masks_checked = masks_black(doc, &pages, &expect.black, f);
        });
    }
    if v.failures.is_empty() {
        Ok(VerifyReport {
            pages: pages.len(),
            checks: v.checks,
            masks_checked,
        })
    } else {
        Err(VerifyError {
            failures: v.failures,
        })
    }
}

#[derive(Default)]
struct Verifier {
    checks: Vec<&'static str>,
    failures: Vec<String>,
}

impl Verifier {
    fn check(&mut self, name: &'static str, f: impl FnOnce(&mut Vec<String>)) {
        self.checks.push(name);
        f(&mut self.failures);
    }
}

fn name_of<'a>(d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    match d.get(key) {
        Ok(Object::Name(n)) => Some(n.as_slice()),
        _ => None,
    }
}

fn lossy(b: &[u8]) -> String {
    // Only PDF key and type names reach here, never content.
    String::from_utf8_lossy(b).chars().take(40).collect()
}

fn structure(doc: &lopdf::Document, failures: &mut Vec<String>) {
    if doc.is_encrypted() || doc.trailer.get(b"Encrypt").is_ok() {
        failures.push("the file is encrypted".into());
    }
    for (k, _) in doc.trailer.iter() {
        if !matches!(k.as_slice(), b"Size" | b"Root" | b"ID" | b"Prev") {
            failures.push(format!("the trailer has /{}", lossy(k)));
        }
    }
    let root = match doc.trailer.get(b"Root") {
        Ok(Object::Reference(id)) => *id,
        _ => {
            failures.push("the trailer has no catalog".into());
            return;
        }
    };
    let mut allowed: BTreeSet<ObjectId> = BTreeSet::from([root]);
    let catalog = match doc.get_dictionary(root) {
        Ok(c) => c,
        Err(_) => {
            failures.push("the catalog is missing".into());
            return;
        }
    };
    for (k, _) in catalog.iter() {
        if !matches!(k.as_slice(), b"Type" | b"Pages") {
            failures.push(format!("the catalog has /{}", lossy(k)));
        }
    }
    // Walk the page tree from the catalog, allowing only what a page needs.
    let mut stack: Vec<ObjectId> = match catalog.get(b"Pages") {
        Ok(Object::Reference(id)) => vec![*id],
        _ => {
            failures.push("the catalog has no page tree".into());
            return;
        }
    };
    while let Some(id) = stack.pop() {
        if !allowed.insert(id) && id != root {
            failures.push("the page tree has a cycle".into());
            return;
        }
        let Ok(node) = doc.get_dictionary(id) else {
            failures.push("a page tree node is missing".into());
            continue;
        };
        match name_of(node, b"Type") {
            Some(b"Pages") => {
                for (k, _) in node.iter() {
                    if !matches!(k.as_slice(), b"Type" | b"Kids" | b"Count" | b"Parent") {
                        failures.push(format!("a page tree node has /{}", lossy(k)));
                    }
                }
                if let Ok(Object::Array(kids)) = node.get(b"Kids") {
                    stack.extend(kids.iter().filter_map(|k| k.as_reference().ok()));
                }
            }
            Some(b"Page") => page_structure(doc, node, &mut allowed, failures),
            _ => failures.push("a page tree node has no valid /Type".into()),
        }
    }
    let mut stray: BTreeSet<String> = BTreeSet::new();
    for (id, obj) in &doc.objects {
        if allowed.contains(id) {
            continue;
        }
        let kind = match obj {
            Object::Dictionary(d) => name_of(d, b"Type").or(name_of(d, b"Subtype")),
            Object::Stream(s) => name_of(&s.dict, b"Type").or(name_of(&s.dict, b"Subtype")),
            _ => None,
        };
        // Object streams and xref streams are containers, not content.
        if matches!(kind, Some(b"ObjStm") | Some(b"XRef")) {
            continue;
        }
        stray
            .insert(kind.map_or_else(|| "untyped object".to_owned(), |k| format!("/{}", lossy(k))));
    }
    for s in stray {
        failures.push(format!(
            "the file holds an object not belonging to a page image: {s}"
        ));
    }
}

fn page_structure(
    doc: &lopdf::Document,
    page: &Dictionary,
    allowed: &mut BTreeSet<ObjectId>,
    failures: &mut Vec<String>,
) {
    for (k, _) in page.iter() {
        if !matches!(
            k.as_slice(),
            b"Type" | b"Parent" | b"MediaBox" | b"Resources" | b"Contents"
        ) {
            failures.push(format!("a page has /{}", lossy(k)));
        }
    }
    let resources = match page.get(b"Resources") {
        Ok(Object::Dictionary(d)) => Some(d),
        Ok(Object::Reference(id)) => {
            allowed.insert(*id);
            doc.get_dictionary(*id).ok()
        }
        _ => None,
    };
    let Some(resources) = resources else {
        failures.push("a page has no resources".into());
        return;
    };
    for (k, v) in resources.iter() {
        match k.as_slice() {
            b"XObject" => {
                let xobjects = match v {
                    Object::Dictionary(d) => Some(d),
                    Object::Reference(id) => {
                        allowed.insert(*id);
                        doc.get_dictionary(*id).ok()
                    }
                    _ => None,
                };
                for (_, x) in xobjects.into_iter().flat_map(|d| d.iter()) {
                    let Ok(id) = x.as_reference() else {
                        failures.push("an XObject is not a reference".into());
                        continue;
                    };
                    allowed.insert(id);
                    match doc.get_object(id) {
                        Ok(Object::Stream(s)) if name_of(&s.dict, b"Subtype") == Some(b"Image") => {
                            for (k, _) in s.dict.iter() {
                                if matches!(k.as_slice(), b"SMask" | b"Mask" | b"Metadata" | b"OC")
                                {
                                    failures.push(format!("an image has /{}", lossy(k)));
                                }
                            }
                            if name_of(&s.dict, b"Filter") == Some(b"DCTDecode") {
                                jpeg_structure(&s.content, failures);
                            }
                        }
                        _ => failures.push("an XObject is not an image (form or other)".into()),
                    }
                }
            }
            b"ProcSet" => {}
            other => failures.push(format!("page resources have /{}", lossy(other))),
        }
    }
    let contents: Vec<ObjectId> = match page.get(b"Contents") {
        Ok(Object::Reference(id)) => vec![*id],
        Ok(Object::Array(a)) => a.iter().filter_map(|o| o.as_reference().ok()).collect(),
        _ => Vec::new(),
    };
    for id in contents {
        allowed.insert(id);
        match doc.get_object(id) {
            Ok(Object::Stream(s)) => {
                let data = s
                    .decompressed_content()
                    .unwrap_or_else(|_| s.content.clone());
                if !only_draws_images(&data) {
                    failures.push("a page's content does more than draw its image".into());
                }
            }
            _ => failures.push("a page's content is not a stream".into()),
        }
    }
}

/// A JPEG image may hold only what pixels need: no comment (COM) and no application
/// segments except JFIF (APP0) and Adobe's colour transform flag (APP14) — EXIF, XMP and
/// ICC profiles can carry text such as names and places.
fn jpeg_structure(data: &[u8], failures: &mut Vec<String>) {
    match jpeg_markers(data) {
        None => failures.push("an image's JPEG data is malformed".into()),
        Some(markers) => {
            for m in markers {
                if m == 0xFE || (0xE1..=0xED).contains(&m) || m == 0xEF {
                    failures.push(format!(
                        "an image's JPEG data holds a metadata segment (0xFF{m:02X})"
                    ));
                }
            }
        }
    }
}

/// True when a content stream uses only `q`, `Q`, `cm`, `Do` with numeric and name operands.
fn only_draws_images(content: &[u8]) -> bool {
    let text = String::from_utf8_lossy(content);
    text.split_ascii_whitespace().all(|tok| {
        matches!(tok, "q" | "Q" | "cm" | "Do")
            || tok.parse::<f64>().is_ok()
            || (tok.starts_with('/') && tok[1..].chars().all(|c| c.is_ascii_alphanumeric()))
    })
}

fn no_text(bytes: Vec<u8>, failures: &mut Vec<String>) {
    match SourceDocument::from_bytes(bytes) {
        Ok(doc) => {
            for i in 0..doc.page_count() {
                match doc.page_text(i) {
                    Ok(t) if t.layer.text().trim().is_empty() => {}
                    Ok(_) => failures.push(format!("page {} has extractable text", i + 1)),
                    Err(e) => failures.push(format!("pdfium cannot read page {}: {e}", i + 1)),
                }
            }
        }
        Err(e) => failures.push(format!("pdfium cannot open the file: {e}")),
    }
}

/// Decodes each page's image from the file and checks the rectangles. Returns how many
/// rectangles were checked.
fn masks_black(
    doc: &lopdf::Document,
    pages: &std::collections::BTreeMap<u32, ObjectId>,
    black: &[Vec<DisplayRect>],
    failures: &mut Vec<String>,
) -> usize {
    use rayon::prelude::*;
    // Pages decode independently; in parallel this check costs about what writing did.
    let per_page: Vec<(usize, Vec<String>)> = black
        .par_iter()
        .enumerate()
        .filter(|(_, rects)| !rects.is_empty())
        .map(|(n, rects)| {
            let page_no = n + 1;
            let mut fails = Vec::new();
            let Some((image, w_pt, h_pt, lossy)) =
                page_image(doc, pages.get(&(page_no as u32)).copied())
            else {
                fails.push(format!("page {page_no}: its image cannot be decoded"));
                return (0, fails);
            };
            let sx = image.width as f32 / w_pt;
            let sy = image.height as f32 / h_pt;
            for r in rects {
                // Rounded inwards: the burn rounded outwards, so this area is inside it.
                let x0 = ((r.left * sx).ceil().max(0.0) as u32).min(image.width);
                let y0 = ((r.top * sy).ceil().max(0.0) as u32).min(image.height);
                let x1 = ((r.right * sx).floor().max(0.0) as u32).min(image.width);
                let y1 = ((r.bottom * sy).floor().max(0.0) as u32).min(image.height);
                let px = tusch_core::PixelRect { x0, y0, x1, y1 };
                let max_level = if lossy { JPEG_BLACK_TOLERANCE } else { 0 };
                if !image.is_black(&px, max_level) {
                    fails.push(format!(
                        "page {page_no}: a mask at ({:.0}, {:.0}) pt is not fully black",
                        r.left, r.top
                    ));
                }
            }
            (rects.len(), fails)
        })
        .collect();
    let mut checked = 0;
    for (n, f) in per_page {
        checked += n;
        failures.extend(f);
    }
    checked
}

/// The one image of a page with the page's width and height in points, and whether it is
/// lossy (JPEG).
fn page_image(
    doc: &lopdf::Document,
    page: Option<ObjectId>,
) -> Option<(tusch_core::GrayImage, f32, f32, bool)> {
    let page = doc.get_dictionary(page?).ok()?;
    let mb = match page.get(b"MediaBox").ok()? {
        Object::Array(a) if a.len() == 4 => a
            .iter()
            .map(|o| {
                o.as_float()
                    .ok()
                    .or_else(|| o.as_i64().ok().map(|i| i as f32))
            })
            .collect::<Option<Vec<f32>>>()?,
        _ => return None,
    };
    let (w_pt, h_pt) = (mb[2] - mb[0], mb[3] - mb[1]);
    let resources = match page.get(b"Resources").ok()? {
        Object::Dictionary(d) => d,
        Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        _ => return None,
    };
    let xobjects = match resources.get(b"XObject").ok()? {
        Object::Dictionary(d) => d,
        Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        _ => return None,
    };
    let (_, first) = xobjects.iter().next()?;
    let Object::Stream(s) = doc.get_object(first.as_reference().ok()?).ok()? else {
        return None;
    };
    let int = |k: &[u8]| s.dict.get(k).ok().and_then(|o| o.as_i64().ok());
    let width = u32::try_from(int(b"Width")?).ok()?;
    let height = u32::try_from(int(b"Height")?).ok()?;
    let bpc = u8::try_from(int(b"BitsPerComponent")?).ok()?;
    if name_of(&s.dict, b"ColorSpace") != Some(b"DeviceGray") {
        return None;
    }
    if name_of(&s.dict, b"Filter") == Some(b"DCTDecode") {
        let image = decode_jpeg(&s.content, width, height).ok()?;
        return Some((image, w_pt, h_pt, true));
    }
    if name_of(&s.dict, b"Filter") != Some(b"FlateDecode") {
        return None;
    }
    let predictor = match s.dict.get(b"DecodeParms") {
        Ok(Object::Dictionary(p)) => {
            p.get(b"Predictor").ok().and_then(|o| o.as_i64().ok()) >= Some(10)
        }
        _ => false,
    };
    let image = decode(&s.content, width, height, bpc, predictor).ok()?;
    Some((image, w_pt, h_pt, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_operators() {
        assert!(only_draws_images(b"q 595 0 0 842 0 0 cm /Im0 Do Q"));
        assert!(!only_draws_images(b"BT /F1 12 Tf (hej) Tj ET"));
        assert!(!only_draws_images(
            b"q 1 0 0 1 0 0 cm /Im0 Do Q 0 0 m 10 10 l S"
        ));
    }
}

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
//! In the `searchable` profile (issue 15, [`SearchableExpectations`]) the file may hold, in
//! this exact form and nothing more: an Info dictionary with the neutral title alone; in the
//! catalog `/Lang (sv-SE)`, `/MarkInfo`, `/ViewerPreferences << /DisplayDocTitle true >>`
//! and a tag tree of `/Document`, `/P` and `/Figure` elements whose only text is a figure's
//! alternate text ("Maskerat" or "Maskerat enligt <a provision of the plan>"); per page the
//! standard Helvetica (WinAnsi, not embedded) and content that draws the image, black
//! rectangles and text in render mode 3 (invisible) only. The text read back from the
//! content must equal the OCR text the engine stored for the released raster, pdfium may
//! extract no character that text lacks, and none of the plan's masked strings may occur in
//! either (case and whitespace ignored).
//! Everything else is as strict as for `image`; an `image` output with any text operator
//! still fails.
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
    /// Per page and parallel to `black`: the provision label printed in the rectangle, if
    /// any ([`tusch_core::label`]). On a lossless page the verifier re-renders it and allows
    /// exactly its glyph pixels, which must then be white; everything else in the box must
    /// still be black. Labels are never drawn on JPEG pages, so there they allow nothing.
    /// Empty: no labels anywhere.
    pub labels: Vec<Vec<Option<String>>>,
    /// `Some` for the `searchable` profile; `None`: the file must hold no text at all.
    pub searchable: Option<SearchableExpectations>,
}

/// What a `searchable` output's text layer must be.
#[derive(Clone, Default)]
pub struct SearchableExpectations {
    /// Per page, the OCR text of its released raster exactly as stored
    /// ([`crate::textlayer::PageLayer::text`]).
    pub text: Vec<String>,
    /// The plan's masked strings, held in memory during the export only: none may occur in
    /// the text layer.
    pub masked: Vec<String>,
    /// The provisions of the plan's masks: a figure's alternate text may name only these.
    pub provisions: Vec<String>,
}

impl fmt::Debug for SearchableExpectations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The text and the masked strings are document text: never print them.
        f.debug_struct("SearchableExpectations")
            .field("pages", &self.text.len())
            .field("masked", &self.masked.len())
            .field("provisions", &self.provisions)
            .finish()
    }
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
    pdfium_checks(
        std::fs::read(path).map_err(unreadable)?,
        expect.searchable.as_ref(),
        &mut text_failures,
    );
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
    pdfium_checks(bytes, expect.searchable.as_ref(), &mut text_failures);
    checks(&doc, text_failures, expect)
}

/// pdfium's reading of the file: no text at all (`image`), or exactly the stored OCR text
/// (`searchable`). Takes the bytes and frees them.
fn pdfium_checks(
    bytes: Vec<u8>,
    searchable: Option<&SearchableExpectations>,
    failures: &mut Vec<String>,
) {
    match searchable {
        None => no_text(bytes, failures),
        Some(s) => pdfium_text(&bytes, s, failures),
    }
}

/// Every check but pdfium's, whose failures are given.
fn checks(
    doc: &lopdf::Document,
    pdfium_failures: Vec<String>,
    expect: &VerifyExpectations,
) -> Result<VerifyReport, VerifyError> {
    let mut v = Verifier::default();
    let searchable = expect.searchable.as_ref();
    v.check("structure", |f| structure(doc, searchable, f));
    let pages = doc.get_pages();
    if let Some(n) = expect.page_count {
        if pages.len() != n {
            v.failures
                .push(format!("expected {n} pages, found {}", pages.len()));
        }
    }
    match searchable {
        None => v.check("no-text", |f| f.extend(pdfium_failures)),
        Some(s) => {
            v.check("text-layer-invisible", |f| text_layer(doc, &pages, s, f));
            v.check("text-layer-pdfium", |f| f.extend(pdfium_failures));
        }
    }
    let mut masks_checked = 0;
    if !expect.black.is_empty() {
        v.check("masks-black", |f| {
            masks_checked = masks_black(doc, &pages, &expect.black, &expect.labels, f);
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

fn structure(
    doc: &lopdf::Document,
    searchable: Option<&SearchableExpectations>,
    failures: &mut Vec<String>,
) {
    if doc.is_encrypted() || doc.trailer.get(b"Encrypt").is_ok() {
        failures.push("the file is encrypted".into());
    }
    let mut tagged: BTreeSet<ObjectId> = BTreeSet::new();
    for (k, v) in doc.trailer.iter() {
        match k.as_slice() {
            b"Size" | b"Root" | b"ID" | b"Prev" => {}
            b"Info" if searchable.is_some() => info_dict(doc, v, &mut tagged, failures),
            _ => failures.push(format!("the trailer has /{}", lossy(k))),
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
    for (k, v) in catalog.iter() {
        match (k.as_slice(), searchable) {
            (b"Type" | b"Pages", _) => {}
            (b"Lang", Some(_)) if string_is(doc, v, crate::textlayer::LANG) => {}
            (b"MarkInfo", Some(_)) if dict_is_flag(doc, v, b"Marked") => {}
            (b"ViewerPreferences", Some(_)) if dict_is_flag(doc, v, b"DisplayDocTitle") => {}
            (b"StructTreeRoot", Some(s)) => {
                struct_tree(doc, v, &s.provisions, &mut tagged, failures)
            }
            _ => failures.push(format!("the catalog has /{}", lossy(k))),
        }
    }
    allowed.extend(tagged);
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
            Some(b"Page") => {
                page_structure(doc, node, searchable.is_some(), &mut allowed, failures)
            }
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
    searchable: bool,
    allowed: &mut BTreeSet<ObjectId>,
    failures: &mut Vec<String>,
) {
    for (k, v) in page.iter() {
        match k.as_slice() {
            b"Type" | b"Parent" | b"MediaBox" | b"Resources" | b"Contents" => {}
            b"StructParents" if searchable && matches!(v, Object::Integer(_)) => {}
            _ => failures.push(format!("a page has /{}", lossy(k))),
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
            b"Font" if searchable => fonts(doc, v, allowed, failures),
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
                let ok = if searchable {
                    searchable_content_ok(&data)
                } else {
                    only_draws_images(&data)
                };
                if !ok {
                    failures.push("a page's content does more than draw its image".into());
                }
            }
            _ => failures.push("a page's content is not a stream".into()),
        }
    }
}

/// The Info dictionary of a searchable file: `/Title` alone, the neutral title.
fn info_dict(
    doc: &lopdf::Document,
    v: &Object,
    tagged: &mut BTreeSet<ObjectId>,
    failures: &mut Vec<String>,
) {
    let d = match v {
        Object::Reference(id) => {
            tagged.insert(*id);
            doc.get_dictionary(*id).ok()
        }
        Object::Dictionary(d) => Some(d),
        _ => None,
    };
    let ok = d.is_some_and(|d| {
        d.len() == 1
            && d.get(b"Title")
                .is_ok_and(|t| string_is(doc, t, crate::textlayer::TITLE))
    });
    if !ok {
        failures.push("the Info dictionary holds more than the neutral title".into());
    }
}

fn resolve<'a>(doc: &'a lopdf::Document, v: &'a Object) -> &'a Object {
    match v {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(v),
        _ => v,
    }
}

/// Whether `v` is a string whose text is `want`.
fn string_is(doc: &lopdf::Document, v: &Object, want: &str) -> bool {
    match resolve(doc, v) {
        Object::String(b, _) => crate::textlayer::decode_text_string(b) == want,
        _ => false,
    }
}

/// Whether `v` is a direct dictionary `<< /key true >>` and nothing else.
fn dict_is_flag(_doc: &lopdf::Document, v: &Object, key: &[u8]) -> bool {
    match v {
        Object::Dictionary(d) => d.len() == 1 && matches!(d.get(key), Ok(Object::Boolean(true))),
        _ => false,
    }
}

/// The tag tree: a root, a parent tree, and elements of type Document, P and Figure whose
/// only text is a figure's alternate text naming a provision of the plan.
fn struct_tree(
    doc: &lopdf::Document,
    v: &Object,
    provisions: &[String],
    tagged: &mut BTreeSet<ObjectId>,
    failures: &mut Vec<String>,
) {
    let Object::Reference(root) = v else {
        failures.push("the tag tree root is not a reference".into());
        return;
    };
    let allowed_alt = |a: &str| {
        a == crate::textlayer::mask_alt(None)
            || provisions
                .iter()
                .any(|p| a == crate::textlayer::mask_alt(Some(p)))
    };
    let mut stack = vec![*root];
    while let Some(id) = stack.pop() {
        if !tagged.insert(id) {
            continue;
        }
        let Ok(d) = doc.get_dictionary(id) else {
            failures.push("a tag tree node is missing".into());
            continue;
        };
        let children = |o: &Object, stack: &mut Vec<ObjectId>| match o {
            Object::Reference(r) => stack.push(*r),
            Object::Array(a) => stack.extend(a.iter().filter_map(|k| k.as_reference().ok())),
            _ => {}
        };
        match name_of(d, b"Type") {
            Some(b"StructTreeRoot") => {
                for (k, o) in d.iter() {
                    match k.as_slice() {
                        b"Type" | b"ParentTreeNextKey" => {}
                        b"K" => children(o, &mut stack),
                        b"ParentTree" => match o {
                            Object::Reference(pt) => {
                                tagged.insert(*pt);
                                let ok = doc
                                    .get_dictionary(*pt)
                                    .is_ok_and(|t| t.iter().all(|(k, _)| k.as_slice() == b"Nums"));
                                if !ok {
                                    failures.push("the parent tree holds more than numbers".into());
                                }
                            }
                            _ => failures.push("the parent tree is not a reference".into()),
                        },
                        _ => failures.push(format!("the tag tree root has /{}", lossy(k))),
                    }
                }
            }
            Some(b"StructElem") => {
                let kind = name_of(d, b"S");
                if !matches!(kind, Some(b"Document" | b"P" | b"Figure")) {
                    failures.push("a tag is not a Document, P or Figure".into());
                }
                for (k, o) in d.iter() {
                    match k.as_slice() {
                        b"Type" | b"S" | b"P" | b"Pg" => {}
                        b"K" => children(o, &mut stack),
                        b"Alt" if kind == Some(b"Figure") => {
                            let ok = match resolve(doc, o) {
                                Object::String(b, _) => {
                                    allowed_alt(&crate::textlayer::decode_text_string(b))
                                }
                                _ => false,
                            };
                            if !ok {
                                failures.push(
                                    "a figure's alternate text is not a mask's provision".into(),
                                );
                            }
                        }
                        _ => failures.push(format!("a tag has /{}", lossy(k))),
                    }
                }
            }
            _ => failures.push("a tag tree node has no valid /Type".into()),
        }
    }
}

/// A page's fonts: only the standard Helvetica, WinAnsi, nothing embedded.
fn fonts(
    doc: &lopdf::Document,
    v: &Object,
    allowed: &mut BTreeSet<ObjectId>,
    failures: &mut Vec<String>,
) {
    let d = match v {
        Object::Dictionary(d) => Some(d),
        Object::Reference(id) => {
            allowed.insert(*id);
            doc.get_dictionary(*id).ok()
        }
        _ => None,
    };
    let Some(d) = d else {
        failures.push("a page's font resources are malformed".into());
        return;
    };
    for (k, f) in d.iter() {
        let font = match f {
            Object::Reference(id) => {
                allowed.insert(*id);
                doc.get_dictionary(*id).ok()
            }
            _ => None,
        };
        let ok = k.as_slice() == b"F1"
            && font.is_some_and(|f| {
                f.len() == 4
                    && name_of(f, b"Type") == Some(b"Font")
                    && name_of(f, b"Subtype") == Some(b"Type1")
                    && name_of(f, b"BaseFont") == Some(b"Helvetica")
                    && name_of(f, b"Encoding") == Some(b"WinAnsiEncoding")
            });
        if !ok {
            failures.push("a page has a font other than the standard Helvetica".into());
        }
    }
}

/// A searchable page's content: the image, black rectangles, marked content and text in
/// render mode 3 only. Returns false on anything else, including text shown while the
/// render mode is not 3.
fn searchable_content_ok(content: &[u8]) -> bool {
    searchable_text(content).is_some()
}

/// The text a searchable page's content shows, one line per `BT … ET`, words joined by a
/// space — `None` when the content breaks a rule of the profile.
fn searchable_text(content: &[u8]) -> Option<String> {
    let ops = lopdf::content::Content::decode_strict(content).ok()?;
    let num = |o: &Object| {
        o.as_float()
            .ok()
            .or_else(|| o.as_i64().ok().map(|i| i as f32))
    };
    let mut mode_stack = vec![0i64];
    let mut in_text = false;
    let mut lines: Vec<String> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    for op in &ops.operations {
        let a = &op.operands;
        let all_num = a.iter().all(|o| num(o).is_some());
        match op.operator.as_str() {
            "q" if a.is_empty() && !in_text => mode_stack.push(*mode_stack.last()?),
            "Q" if a.is_empty() && !in_text && mode_stack.len() > 1 => {
                mode_stack.pop();
            }
            "cm" | "re" | "Tm" if a.len() == op_len(&op.operator) && all_num => {}
            "Do" if a.len() == 1 && matches!(a[0], Object::Name(_)) && !in_text => {}
            "f" if a.is_empty() && !in_text => {}
            "g" if a.len() == 1 && num(&a[0]) == Some(0.0) => {}
            "BMC" if matches!(&a[..], [Object::Name(n)] if n.as_slice() == b"Artifact") => {}
            "BDC" => match &a[..] {
                [Object::Name(n), Object::Dictionary(d)]
                    if matches!(n.as_slice(), b"P" | b"Figure")
                        && d.len() == 1
                        && matches!(d.get(b"MCID"), Ok(Object::Integer(_))) => {}
                _ => return None,
            },
            "EMC" if a.is_empty() => {}
            "BT" if a.is_empty() && !in_text => in_text = true,
            "ET" if a.is_empty() && in_text => {
                in_text = false;
                lines.push(std::mem::take(&mut words).join(" "));
            }
            "Tr" if a.len() == 1 && a[0].as_i64().ok() == Some(3) => {
                *mode_stack.last_mut()? = 3;
            }
            "Tf" if matches!(&a[..], [Object::Name(n), s] if n.as_slice() == b"F1" && num(s).is_some()) =>
                {}
            "Tz" if a.len() == 1 && all_num => {}
            "Tj" if in_text && *mode_stack.last()? == 3 => match &a[..] {
                [Object::String(b, _)] => words.push(
                    b.iter()
                        .map(|&c| crate::textlayer::winansi_char(c))
                        .collect::<Option<String>>()?,
                ),
                _ => return None,
            },
            _ => return None,
        }
    }
    (!in_text).then(|| lines.join("\n"))
}

fn op_len(op: &str) -> usize {
    match op {
        "re" => 4,
        _ => 6,
    }
}

/// Case and whitespace folded, for comparing text layers with masked strings.
fn fold(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the folded `needle` occurs in the folded `hay` as whole words.
fn occurs(hay: &str, needle: &str) -> bool {
    if needle.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
        return false;
    }
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    hay.match_indices(needle).any(|(i, m)| {
        boundary(hay[..i].chars().next_back()) && boundary(hay[i + m.len()..].chars().next())
    })
}

/// Each page's invisible text, read from its content, equals the stored OCR text and
/// holds none of the masked strings.
fn text_layer(
    doc: &lopdf::Document,
    pages: &std::collections::BTreeMap<u32, ObjectId>,
    expect: &SearchableExpectations,
    failures: &mut Vec<String>,
) {
    let masked: Vec<String> = expect.masked.iter().map(|m| fold(m)).collect();
    for (n, id) in pages.values().enumerate() {
        let page_no = n + 1;
        let content = doc.get_page_content(*id);
        let Some(text) = searchable_text(&content) else {
            failures.push(format!(
                "page {page_no}: the text layer is not invisible text only"
            ));
            continue;
        };
        if expect.text.get(n) != Some(&text) {
            failures.push(format!(
                "page {page_no}: the text layer differs from the OCR text of its image"
            ));
        }
        let folded = fold(&text);
        if masked.iter().any(|m| occurs(&folded, m)) {
            failures.push(format!(
                "page {page_no}: the text layer holds a masked string"
            ));
        }
    }
}

/// pdfium, opening the file independently, extracts nothing but the stored OCR text and no
/// masked string. Every character pdfium extracts (spaces aside) must be one of the stored
/// text's, counted with multiplicity; pdfium may leave some out (it drops a character
/// drawn over an identical one, as fake bold is made), never add any.
fn pdfium_text(bytes: &[u8], expect: &SearchableExpectations, failures: &mut Vec<String>) {
    use std::collections::BTreeMap;
    let counts = |s: &str| -> BTreeMap<char, usize> {
        let mut m = BTreeMap::new();
        for c in s.chars().filter(|c| !c.is_whitespace()) {
            *m.entry(c).or_insert(0) += 1;
        }
        m
    };
    let masked: Vec<String> = expect.masked.iter().map(|m| fold(m)).collect();
    match SourceDocument::from_bytes(bytes.to_vec()) {
        Ok(doc) => {
            for i in 0..doc.page_count() {
                match doc.page_text(i) {
                    Ok(t) => {
                        let got = t.layer.text();
                        let want = counts(expect.text.get(i).map(String::as_str).unwrap_or(""));
                        let extra: usize = counts(got)
                            .iter()
                            .map(|(c, n)| n.saturating_sub(want.get(c).copied().unwrap_or(0)))
                            .sum();
                        if extra > 0 {
                            failures.push(format!(
                                "page {}: pdfium extracts {extra} characters that are not in the OCR text",
                                i + 1
                            ));
                        }
                        let folded = fold(got);
                        if masked.iter().any(|m| occurs(&folded, m)) {
                            failures
                                .push(format!("page {}: pdfium extracts a masked string", i + 1));
                        }
                    }
                    Err(e) => failures.push(format!("pdfium cannot read page {}: {e}", i + 1)),
                }
            }
        }
        Err(e) => failures.push(format!("pdfium cannot open the file: {e}")),
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
    labels: &[Vec<Option<String>>],
    failures: &mut Vec<String>,
) -> usize {
    use rayon::prelude::*;
    use tusch_core::label::{inward_pixels, place, Label};
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
            let page_labels = labels.get(n).map(Vec::as_slice).unwrap_or(&[]);
            // The labels the burner drew: lossless pages only, re-rendered from their text.
            let drawn: Vec<Label> = if lossy {
                Vec::new()
            } else {
                rects
                    .iter()
                    .zip(page_labels)
                    .filter_map(|(r, text)| {
                        let within = inward_pixels(r, sx, sy, image.width, image.height);
                        place(text.as_deref()?, &within, sx)
                    })
                    .collect()
            };
            for r in rects {
                // Rounded inwards: the burn rounded outwards, so this area is inside it.
                let px = inward_pixels(r, sx, sy, image.width, image.height);
                let max_level = if lossy { JPEG_BLACK_TOLERANCE } else { 0 };
                let ok = if drawn.is_empty() {
                    image.is_black(&px, max_level)
                } else {
                    only_black_and_glyphs(&image, &px, &drawn)
                };
                if !ok {
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

/// True when every pixel of `px` is exactly black, except the glyph pixels of `labels`,
/// which must be exactly white: a label shows the provision and nothing of the source.
fn only_black_and_glyphs(
    image: &tusch_core::GrayImage,
    px: &tusch_core::PixelRect,
    labels: &[tusch_core::label::Label],
) -> bool {
    let (x1, y1) = (px.x1.min(image.width), px.y1.min(image.height));
    (px.y0..y1).all(|y| {
        (px.x0..x1).all(|x| {
            let v = image.data[(y * image.width + x) as usize];
            if labels.iter().any(|l| l.is_ink(x, y)) {
                v == 255
            } else {
                v == 0
            }
        })
    })
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

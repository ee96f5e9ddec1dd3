//! A small tagged text PDF: headings and paragraphs in Helvetica, A4, `/Lang (sv-SE)` — the
//! decision summary (underlag för beslut, issue 15) as a document to attach, accessible
//! (every heading and paragraph a structure element) and searchable (real text, WinAnsi).
//!
//! Only what it is given is written: the callers pass categories, pages and provisions,
//! never masked text.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::textlayer::{helvetica_width, text_string, winansi_byte, winansi_text, LANG};

/// One block of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// The document's title (`/H1`).
    Title(String),
    /// A section heading (`/H2`).
    Heading(String),
    /// A paragraph (`/P`), wrapped to the page width.
    Paragraph(String),
}

const PAGE_W: f32 = 595.276;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.7;

/// Lays out `blocks` and writes the PDF; `title` is the document title (Info and
/// `/DisplayDocTitle`).
pub fn text_pdf(title: &str, blocks: &[Block]) -> Vec<u8> {
    // Lines per page: (font, size, x, y, text, element index).
    struct Line {
        bold: bool,
        size: f32,
        y: f32,
        text: String,
        element: usize,
    }
    let mut pages: Vec<Vec<Line>> = vec![Vec::new()];
    let mut kinds: Vec<&'static str> = Vec::new();
    let mut y = PAGE_H - MARGIN;
    for (element, block) in blocks.iter().enumerate() {
        let (kind, bold, size, before) = match block {
            Block::Title(_) => ("H1", true, 16.0, 0.0),
            Block::Heading(_) => ("H2", true, 12.5, 10.0),
            Block::Paragraph(_) => ("P", false, 10.5, 3.0),
        };
        kinds.push(kind);
        let text = match block {
            Block::Title(t) | Block::Heading(t) | Block::Paragraph(t) => winansi_text(t),
        };
        let lead = size * 1.3;
        y -= before;
        for line in wrap(&text, size, PAGE_W - 2.0 * MARGIN) {
            if y - lead < MARGIN {
                pages.push(Vec::new());
                y = PAGE_H - MARGIN;
            }
            y -= lead;
            if let Some(p) = pages.last_mut() {
                p.push(Line {
                    bold,
                    size,
                    y,
                    text: line,
                    element,
                });
            }
        }
    }
    // Object numbers: 1 catalog, 2 pages, 3 font, 4 bold font, 5 info, 6 tree root,
    // 7 parent tree, 8 document element, 9.. elements, then two per page.
    let n_el = blocks.len();
    let first_page = 9 + n_el;
    let page_obj = |i: usize| first_page + 2 * i;
    // Each element's marked-content pieces: (page, mcid).
    let mut pieces: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n_el];
    let mut parent: Vec<Vec<usize>> = Vec::new();
    let mut contents: Vec<Vec<u8>> = Vec::new();
    for (pi, lines) in pages.iter().enumerate() {
        let mut s = String::new();
        let mut by_mcid: Vec<usize> = Vec::new();
        for l in lines {
            let mcid = by_mcid.len();
            by_mcid.push(l.element);
            pieces[l.element].push((pi, mcid));
            let hex: String = l
                .text
                .chars()
                .map(|c| format!("{:02X}", winansi_byte(c).unwrap_or(b'?')))
                .collect();
            let _ = writeln!(
                s,
                "/{} << /MCID {mcid} >> BDC BT /{} {:.1} Tf {MARGIN:.1} {:.2} Td <{hex}> Tj ET EMC",
                kinds[l.element],
                if l.bold { "F2" } else { "F1" },
                l.size,
                l.y
            );
        }
        parent.push(by_mcid);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = z.write_all(s.as_bytes());
        contents.push(z.finish().unwrap_or_default());
    }
    // Objects 1 ..= the last page's content stream.
    let total = first_page + 2 * pages.len() - 1;
    let mut out: Vec<u8> = Vec::new();
    let mut offsets = vec![0usize; total];
    out.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
    let mut obj = |out: &mut Vec<u8>, n: usize, body: &[u8]| {
        offsets[n - 1] = out.len();
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    obj(
        &mut out,
        1,
        format!(
            "<< /Type /Catalog /Pages 2 0 R /Lang {} /MarkInfo << /Marked true >> \
             /StructTreeRoot 6 0 R /ViewerPreferences << /DisplayDocTitle true >> >>",
            text_string(LANG)
        )
        .as_bytes(),
    );
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", page_obj(i)))
        .collect();
    obj(
        &mut out,
        2,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .as_bytes(),
    );
    for (n, face) in [(3, "Helvetica"), (4, "Helvetica-Bold")] {
        obj(
            &mut out,
            n,
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{face} /Encoding /WinAnsiEncoding >>"
            )
            .as_bytes(),
        );
    }
    obj(
        &mut out,
        5,
        format!("<< /Title {} >>", text_string(title)).as_bytes(),
    );
    obj(
        &mut out,
        6,
        format!(
            "<< /Type /StructTreeRoot /K 8 0 R /ParentTree 7 0 R /ParentTreeNextKey {} >>",
            pages.len()
        )
        .as_bytes(),
    );
    let nums: Vec<String> = parent
        .iter()
        .enumerate()
        .map(|(i, els)| {
            let refs: Vec<String> = els.iter().map(|e| format!("{} 0 R", 9 + e)).collect();
            format!("{i} [{}]", refs.join(" "))
        })
        .collect();
    obj(
        &mut out,
        7,
        format!("<< /Nums [{}] >>", nums.join(" ")).as_bytes(),
    );
    let all: Vec<String> = (0..n_el).map(|e| format!("{} 0 R", 9 + e)).collect();
    obj(
        &mut out,
        8,
        format!(
            "<< /Type /StructElem /S /Document /P 6 0 R /K [{}] >>",
            all.join(" ")
        )
        .as_bytes(),
    );
    for (e, kind) in kinds.iter().enumerate() {
        let k: Vec<String> = pieces[e]
            .iter()
            .map(|(p, m)| format!("<< /Type /MCR /Pg {} 0 R /MCID {m} >>", page_obj(*p)))
            .collect();
        obj(
            &mut out,
            9 + e,
            format!(
                "<< /Type /StructElem /S /{kind} /P 8 0 R /K [{}] >>",
                k.join(" ")
            )
            .as_bytes(),
        );
    }
    for (i, content) in contents.iter().enumerate() {
        obj(
            &mut out,
            page_obj(i),
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
                 /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R \
                 /StructParents {i} /Tabs /S >>",
                page_obj(i) + 1
            )
            .as_bytes(),
        );
        let mut body = format!(
            "<< /Length {} /Filter /FlateDecode >>\nstream\n",
            content.len()
        )
        .into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(b"\nendstream");
        obj(&mut out, page_obj(i) + 1, &body);
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", total + 1);
    for off in &offsets {
        let _ = writeln!(tail, "{off:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        total + 1
    );
    out.extend_from_slice(tail.as_bytes());
    out
}

/// Breaks `text` into lines no wider than `width` points at `size` (Helvetica widths; a
/// bold line is a little wider, so headings keep a margin).
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let w = |s: &str| s.chars().map(helvetica_width).sum::<u32>() as f32 * size * 1.05 / 1000.0;
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let candidate = if cur.is_empty() {
            word.to_owned()
        } else {
            format!("{cur} {word}")
        };
        if w(&candidate) > width && !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_owned();
        } else {
            cur = candidate;
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn summary_pdf_parses_with_tags_and_language() {
        let mut blocks = vec![Block::Title("Underlag för beslut".into())];
        for i in 0..80 {
            blocks.push(Block::Heading(format!("Avsnitt {i}")));
            blocks.push(Block::Paragraph(
                "Med stöd av 26 kap. 1 § OSL har uppgifter maskerats på sidorna 1, 2 och 3. "
                    .repeat(3),
            ));
        }
        let bytes = text_pdf("Underlag", &blocks);
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        assert!(doc.get_pages().len() > 1);
        // Every object in the cross-reference table is where it says (no offset 0).
        let xref = String::from_utf8_lossy(&bytes);
        let table = &xref[xref.rfind("\nxref\n").unwrap()..];
        assert_eq!(table.matches(" 00000 n ").count(), doc.objects.len());
        assert!(!table.contains("0000000000 00000 n"));
        let catalog = doc.catalog().unwrap();
        assert!(catalog.get(b"StructTreeRoot").is_ok());
        assert!(catalog.get(b"Lang").is_ok());
    }
}

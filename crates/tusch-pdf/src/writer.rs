//! Writing image-only PDFs from scratch.
//!
//! Nothing of the source document is copied: the writer knows only page sizes and pixels.
//! The file holds a catalog, a page tree, and per page one page object, one content stream
//! (`q W 0 0 H 0 0 cm /Im0 Do Q`) and one image. There is deliberately no Info dictionary,
//! no XMP metadata, no fonts, no annotations, outlines, names, forms or JavaScript — and no
//! way to add any.
//!
//! The `searchable` profile ([`ImagePdfWriter::searchable`], issue 15) writes the same
//! images and adds only what publishing needs, every piece of it checked by the verifier:
//! per page an invisible OCR text layer in the standard Helvetica font
//! ([`crate::textlayer`]), `/Lang (sv-SE)`, the neutral title "Maskerad handling" (an Info
//! dictionary with `/Title` alone, shown through `/DisplayDocTitle`), and a tag tree: a
//! `/Document` with, per page in order, one `/Figure` per mask (its `/Alt` the provision)
//! and one `/P` per OCR line. The catalog is written last, when the tree is known.

use std::io::{self, Write};

use crate::encode::{EncodedImage, ImageFilter};
use crate::textlayer::{searchable_content, text_string, PageLayer, LANG, TITLE};

/// One output page: its size in points (the displayed size of the source page) and image.
#[derive(Debug, Clone)]
pub struct OutputPage {
    pub width_pt: f32,
    pub height_pt: f32,
    pub image: EncodedImage,
    /// The `searchable` profile's text and mask figures; `None` in the `image` profile.
    pub layer: Option<PageLayer>,
}

/// The structure elements of one written page: the page object and, per marked-content
/// id, the element's type and alternate text.
#[derive(Debug)]
struct PageTags {
    page: usize,
    elements: Vec<(&'static str, Option<String>)>,
}

/// Writes an image-only PDF, one page at a time, in order.
#[derive(Debug)]
pub struct ImagePdfWriter<W: Write> {
    out: CountingWriter<W>,
    page_count: usize,
    written: usize,
    offsets: Vec<u64>,
    /// `Some` in the `searchable` profile: the tags of the pages written so far.
    tags: Option<Vec<PageTags>>,
}

/// Object numbers: 1 catalog, 2 page tree, then three per page (page, content, image).
fn page_obj(i: usize) -> usize {
    3 + 3 * i
}

impl<W: Write> ImagePdfWriter<W> {
    /// Starts a file that will hold exactly `page_count` pages.
    pub fn new(out: W, page_count: usize) -> io::Result<Self> {
        Self::start(out, page_count, false)
    }

    /// Starts a `searchable` file: every page must come with its [`OutputPage::layer`].
    pub fn searchable(out: W, page_count: usize) -> io::Result<Self> {
        Self::start(out, page_count, true)
    }

    fn start(out: W, page_count: usize, searchable: bool) -> io::Result<Self> {
        let mut w = Self {
            out: CountingWriter { inner: out, pos: 0 },
            page_count,
            written: 0,
            offsets: vec![0; 2 + 3 * page_count],
            tags: searchable.then(Vec::new),
        };
        // A binary comment line tells transfer tools the file is binary.
        w.out.write_all(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")?;
        if !searchable {
            w.begin(1)?;
            w.out
                .write_all(b"<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")?;
        }
        w.begin(2)?;
        let kids: Vec<String> = (0..page_count)
            .map(|i| format!("{} 0 R", page_obj(i)))
            .collect();
        write!(
            w.out,
            "<< /Type /Pages /Kids [{}] /Count {} >>\nendobj\n",
            kids.join(" "),
            page_count
        )?;
        Ok(w)
    }

    /// A new object number past the fixed ones.
    fn alloc(&mut self) -> usize {
        self.offsets.push(0);
        self.offsets.len()
    }

    /// The shared font of the text layer: its number is fixed, right after the pages.
    fn font_obj(&self) -> usize {
        3 + 3 * self.page_count
    }

    fn begin(&mut self, obj: usize) -> io::Result<()> {
        self.offsets[obj - 1] = self.out.pos;
        writeln!(self.out, "{obj} 0 obj")
    }

    /// Appends the next page.
    pub fn add_page(&mut self, page: &OutputPage) -> io::Result<()> {
        if self.written >= self.page_count {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "more pages than announced",
            ));
        }
        let (p, c, im) = (
            page_obj(self.written),
            page_obj(self.written) + 1,
            page_obj(self.written) + 2,
        );
        let (w, h) = (num(page.width_pt), num(page.height_pt));
        self.begin(p)?;
        let content: Vec<u8> = match (&mut self.tags, &page.layer) {
            (None, _) => {
                write!(
                    self.out,
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] \
                     /Resources << /XObject << /Im0 {im} 0 R >> >> /Contents {c} 0 R >>\nendobj\n"
                )?;
                format!("q {w} 0 0 {h} 0 0 cm /Im0 Do Q").into_bytes()
            }
            (Some(tags), Some(layer)) => {
                let font = 3 + 3 * self.page_count;
                let index = self.written;
                write!(
                    self.out,
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] \
                     /Resources << /XObject << /Im0 {im} 0 R >> /Font << /F1 {font} 0 R >> >> \
                     /Contents {c} 0 R /StructParents {index} >>\nendobj\n"
                )?;
                let mut elements: Vec<(&'static str, Option<String>)> = layer
                    .figures
                    .iter()
                    .map(|f| ("Figure", Some(f.alt.clone())))
                    .collect();
                elements.extend(layer.lines.iter().map(|_| ("P", None)));
                tags.push(PageTags { page: p, elements });
                let text = searchable_content(&w, &h, written_number(page.height_pt), layer);
                let mut z =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                z.write_all(text.as_bytes())?;
                z.finish()?
            }
            (Some(_), None) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "a searchable page without its text layer",
                ))
            }
        };
        self.begin(c)?;
        let filter = if self.tags.is_some() {
            " /Filter /FlateDecode"
        } else {
            ""
        };
        write!(
            self.out,
            "<< /Length {}{filter} >>\nstream\n",
            content.len()
        )?;
        self.out.write_all(&content)?;
        self.out.write_all(b"\nendstream\nendobj\n")?;
        let img = &page.image;
        self.begin(im)?;
        match img.filter {
            ImageFilter::Flate => write!(
                self.out,
                "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceGray \
                 /BitsPerComponent {bpc} /Filter /FlateDecode /DecodeParms << /Predictor 15 \
                 /Colors 1 /BitsPerComponent {bpc} /Columns {} >> /Length {} >>\nstream\n",
                img.width,
                img.height,
                img.width,
                img.data.len(),
                bpc = img.bits_per_component,
            )?,
            ImageFilter::Dct => write!(
                self.out,
                "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceGray \
                 /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
                img.width,
                img.height,
                img.data.len(),
            )?,
        }
        self.out.write_all(&img.data)?;
        self.out.write_all(b"\nendstream\nendobj\n")?;
        self.written += 1;
        Ok(())
    }

    /// Writes the cross-reference table and trailer and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        if self.written != self.page_count {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "fewer pages than announced",
            ));
        }
        let info = match self.tags.take() {
            Some(tags) => Some(self.write_tags(tags)?),
            None => None,
        };
        let xref = self.out.pos;
        let n = self.offsets.len() + 1;
        write!(self.out, "xref\n0 {n}\n0000000000 65535 f \n")?;
        for off in &self.offsets {
            writeln!(self.out, "{off:010} 00000 n ")?;
        }
        let info = info.map(|i| format!(" /Info {i} 0 R")).unwrap_or_default();
        write!(
            self.out,
            "trailer\n<< /Size {n} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n"
        )?;
        self.out.inner.flush()?;
        Ok(self.out.inner)
    }
}

impl<W: Write> ImagePdfWriter<W> {
    /// Writes the font, the Info dictionary, the tag tree and the catalog of a searchable
    /// file. Returns the Info dictionary's object number.
    fn write_tags(&mut self, tags: Vec<PageTags>) -> io::Result<usize> {
        let font = self.font_obj();
        while self.offsets.len() < font {
            self.offsets.push(0);
        }
        self.begin(font)?;
        self.out.write_all(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>\nendobj\n",
        )?;
        let info = self.alloc();
        self.begin(info)?;
        write!(self.out, "<< /Title {} >>\nendobj\n", text_string(TITLE))?;
        let root = self.alloc();
        let parent_tree = self.alloc();
        let document = self.alloc();
        // Element numbers, page by page, in marked-content order.
        let numbers: Vec<Vec<usize>> = tags
            .iter()
            .map(|t| t.elements.iter().map(|_| self.alloc()).collect())
            .collect();
        for (t, nums) in tags.iter().zip(&numbers) {
            for (mcid, ((kind, alt), &obj)) in t.elements.iter().zip(nums).enumerate() {
                self.begin(obj)?;
                let alt = alt
                    .as_deref()
                    .map(|a| format!(" /Alt {}", text_string(a)))
                    .unwrap_or_default();
                write!(
                    self.out,
                    "<< /Type /StructElem /S /{kind} /P {document} 0 R /Pg {} 0 R /K {mcid}{alt} >>\nendobj\n",
                    t.page
                )?;
            }
        }
        let all: Vec<String> = numbers
            .iter()
            .flatten()
            .map(|o| format!("{o} 0 R"))
            .collect();
        self.begin(document)?;
        write!(
            self.out,
            "<< /Type /StructElem /S /Document /P {root} 0 R /K [{}] >>\nendobj\n",
            all.join(" ")
        )?;
        let nums: Vec<String> = numbers
            .iter()
            .enumerate()
            .map(|(i, objs)| {
                let refs: Vec<String> = objs.iter().map(|o| format!("{o} 0 R")).collect();
                format!("{i} [{}]", refs.join(" "))
            })
            .collect();
        self.begin(parent_tree)?;
        write!(self.out, "<< /Nums [{}] >>\nendobj\n", nums.join(" "))?;
        self.begin(root)?;
        write!(
            self.out,
            "<< /Type /StructTreeRoot /K {document} 0 R /ParentTree {parent_tree} 0 R /ParentTreeNextKey {} >>\nendobj\n",
            tags.len()
        )?;
        self.begin(1)?;
        write!(
            self.out,
            "<< /Type /Catalog /Pages 2 0 R /Lang {} /MarkInfo << /Marked true >> \
             /StructTreeRoot {root} 0 R /ViewerPreferences << /DisplayDocTitle true >> >>\nendobj\n",
            text_string(LANG)
        )?;
        Ok(info)
    }
}

/// The value a reader of the written file gets back for `v`: what [`num`] writes, parsed
/// as a PDF reader parses it (lopdf: `f32::from_str`). The engine places mask labels with
/// the page size as the verifier will read it, so both compute the same pixels.
pub fn written_number(v: f32) -> f32 {
    num(v).parse().unwrap_or(v)
}

/// A PDF number with at most three decimals and no exponent.
fn num(v: f32) -> String {
    let s = format!("{:.3}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

#[derive(Debug)]
struct CountingWriter<W> {
    inner: W,
    pos: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::encode::encode;
    use tusch_core::{Encoding, GrayImage};

    #[test]
    fn numbers_are_plain() {
        assert_eq!(num(595.0), "595");
        assert_eq!(num(841.89), "841.89");
        assert_eq!(num(0.0), "0");
    }

    #[test]
    fn written_file_parses_and_has_nothing_but_images() {
        let img = encode(&GrayImage::white(20, 30), Encoding::Gray4);
        let page = OutputPage {
            width_pt: 100.0,
            height_pt: 150.0,
            image: img,
            layer: None,
        };
        let mut w = ImagePdfWriter::new(Vec::new(), 2).unwrap();
        w.add_page(&page).unwrap();
        assert!(w.add_page(&page).is_ok());
        assert!(w.add_page(&page).is_err());
        let bytes = w.finish().unwrap();
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        assert_eq!(doc.get_pages().len(), 2);
        assert!(doc.trailer.get(b"Info").is_err());
    }

    #[test]
    fn too_few_pages_is_an_error() {
        let w = ImagePdfWriter::new(Vec::new(), 1).unwrap();
        assert!(w.finish().is_err());
    }
}

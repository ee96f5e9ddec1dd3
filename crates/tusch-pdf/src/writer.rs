//! Writing image-only PDFs from scratch.
//!
//! Nothing of the source document is copied: the writer knows only page sizes and pixels.
//! The file holds a catalog, a page tree, and per page one page object, one content stream
//! (`q W 0 0 H 0 0 cm /Im0 Do Q`) and one image. There is deliberately no Info dictionary,
//! no XMP metadata, no fonts, no annotations, outlines, names, forms or JavaScript — and no
//! way to add any.

use std::io::{self, Write};

use crate::encode::{EncodedImage, ImageFilter};

/// One output page: its size in points (the displayed size of the source page) and image.
#[derive(Debug, Clone)]
pub struct OutputPage {
    pub width_pt: f32,
    pub height_pt: f32,
    pub image: EncodedImage,
}

/// Writes an image-only PDF, one page at a time, in order.
#[derive(Debug)]
pub struct ImagePdfWriter<W: Write> {
    out: CountingWriter<W>,
    page_count: usize,
    written: usize,
    offsets: Vec<u64>,
}

/// Object numbers: 1 catalog, 2 page tree, then three per page (page, content, image).
fn page_obj(i: usize) -> usize {
    3 + 3 * i
}

impl<W: Write> ImagePdfWriter<W> {
    /// Starts a file that will hold exactly `page_count` pages.
    pub fn new(out: W, page_count: usize) -> io::Result<Self> {
        let mut w = Self {
            out: CountingWriter { inner: out, pos: 0 },
            page_count,
            written: 0,
            offsets: vec![0; 2 + 3 * page_count],
        };
        // A binary comment line tells transfer tools the file is binary.
        w.out.write_all(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")?;
        w.begin(1)?;
        w.out
            .write_all(b"<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")?;
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
        write!(
            self.out,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] \
             /Resources << /XObject << /Im0 {im} 0 R >> >> /Contents {c} 0 R >>\nendobj\n"
        )?;
        let content = format!("q {w} 0 0 {h} 0 0 cm /Im0 Do Q");
        self.begin(c)?;
        write!(
            self.out,
            "<< /Length {} >>\nstream\n{content}\nendstream\nendobj\n",
            content.len()
        )?;
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
        let xref = self.out.pos;
        let n = self.offsets.len() + 1;
        write!(self.out, "xref\n0 {n}\n0000000000 65535 f \n")?;
        for off in &self.offsets {
            writeln!(self.out, "{off:010} 00000 n ")?;
        }
        write!(
            self.out,
            "trailer\n<< /Size {n} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        )?;
        self.out.inner.flush()?;
        Ok(self.out.inner)
    }
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

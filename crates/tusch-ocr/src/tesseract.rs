//! The Tesseract engine: the `tesseract` command from Debian, one process per call.
//!
//! Why the command and not the library: one process per page parallelises across cores
//! without sharing Tesseract's global state, a crash or hang cannot take Tusch down, and
//! Debian's packages (engine, `swe`, `eng`, `osd` data) are all it needs.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use tusch_core::GrayImage;

use crate::{OcrEngine, OcrError, OcrWord, Orientation, PixelBox};

/// Tesseract through its command-line tool.
#[derive(Debug, Clone)]
pub struct Tesseract {
    program: PathBuf,
    languages: String,
    /// Extra `-c name=value` settings and flags, e.g. `--oem 1`.
    extra: Vec<String>,
    version: String,
}

impl Tesseract {
    /// Finds `tesseract` (on `PATH`, or `$TUSCH_TESSERACT`) and checks that every language
    /// of `languages` (e.g. `"swe+eng"`) is installed.
    pub fn new(languages: &str) -> Result<Self, OcrError> {
        let program = std::env::var_os("TUSCH_TESSERACT")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("tesseract"));
        Self::with_program(program, languages)
    }

    pub fn with_program(program: PathBuf, languages: &str) -> Result<Self, OcrError> {
        let langs: Vec<&str> = languages.split('+').collect();
        if langs
            .iter()
            .any(|l| l.is_empty() || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return Err(OcrError::BadLanguages(languages.to_owned()));
        }
        let not_installed = |source| OcrError::NotInstalled {
            program: program.display().to_string(),
            source,
        };
        let out = Command::new(&program)
            .arg("--list-langs")
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::null())
            .output()
            .map_err(not_installed)?;
        // Tesseract 4 printed the list on stderr, 5 on stdout.
        let listing = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let installed: Vec<&str> = listing.lines().map(str::trim).collect();
        if let Some(missing) = langs.iter().find(|l| !installed.contains(l)) {
            return Err(OcrError::LanguageMissing {
                language: (*missing).to_owned(),
            });
        }
        let version = Command::new(&program)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .ok()
            .and_then(|o| {
                let all = [o.stdout, o.stderr].concat();
                String::from_utf8_lossy(&all)
                    .lines()
                    .next()
                    .map(|l| l.trim().to_owned())
            })
            .unwrap_or_else(|| "tesseract".to_owned());
        Ok(Self {
            program,
            languages: languages.to_owned(),
            extra: Vec::new(),
            version,
        })
    }

    /// Adds command-line arguments to every recognition call (benchmarks of `--oem`,
    /// `-c` settings).
    pub fn with_args(mut self, args: &[&str]) -> Self {
        self.extra.extend(args.iter().map(|s| (*s).to_owned()));
        self
    }

    /// Runs tesseract on `image` with `args` after the input and output names and returns
    /// its standard output.
    fn run(&self, image: &GrayImage, dpi: u32, args: &[&str]) -> Result<String, OcrError> {
        let mut child = Command::new(&self.program)
            .args(["stdin", "stdout", "--dpi", &dpi.to_string()])
            .args(args)
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| {
                if source.kind() == std::io::ErrorKind::NotFound {
                    OcrError::NotInstalled {
                        program: self.program.display().to_string(),
                        source,
                    }
                } else {
                    OcrError::Io(source)
                }
            })?;
        // The page goes in as a binary PGM on stdin: no temporary file ever holds it. It
        // is written from a thread so that a full stdout pipe cannot deadlock the two.
        let mut stdin = child.stdin.take().ok_or_else(|| {
            OcrError::Io(std::io::Error::other("tesseract has no standard input"))
        })?;
        let header = format!("P5\n{} {}\n255\n", image.width, image.height);
        let pixels = &image.data;
        let result = std::thread::scope(|s| {
            let writer = s.spawn(move || -> std::io::Result<()> {
                stdin.write_all(header.as_bytes())?;
                stdin.write_all(pixels)?;
                Ok(())
            });
            let mut stdout = Vec::new();
            let mut stderr = Vec::new();
            let mut out_pipe = child.stdout.take();
            let mut err_pipe = child.stderr.take();
            let reader = s.spawn(move || {
                if let Some(e) = err_pipe.as_mut() {
                    let _ = e.read_to_end(&mut stderr);
                }
                stderr
            });
            if let Some(o) = out_pipe.as_mut() {
                o.read_to_end(&mut stdout).map_err(OcrError::Io)?;
            }
            let stderr = reader.join().unwrap_or_default();
            let written = writer.join();
            let status = child.wait().map_err(OcrError::Io)?;
            if !status.success() {
                return Err(OcrError::Failed {
                    code: status.code(),
                    detail: first_error_line(&stderr),
                });
            }
            if let Ok(Err(e)) = written {
                return Err(OcrError::Io(e));
            }
            Ok(stdout)
        })?;
        Ok(String::from_utf8_lossy(&result).into_owned())
    }
}

/// The first line of tesseract's diagnostics that looks like an error. Its messages are
/// about files, languages and parameters, never the page's text; cut short anyway.
fn first_error_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .find(|l| l.contains("rror") || l.contains("annot") || l.contains("ailed"))
        .or_else(|| text.lines().next())
        .unwrap_or("inget felmeddelande");
    line.chars().take(160).collect()
}

impl OcrEngine for Tesseract {
    fn recognize(&self, image: &GrayImage, dpi: u32) -> Result<Vec<OcrWord>, OcrError> {
        let mut args = vec!["-l", self.languages.as_str(), "--psm", "3"];
        args.extend(self.extra.iter().map(String::as_str));
        args.push("tsv");
        let tsv = self.run(image, dpi, &args)?;
        Ok(parse_tsv(&tsv))
    }

    fn recognize_block(&self, image: &GrayImage, dpi: u32) -> Result<Vec<OcrWord>, OcrError> {
        let mut args = vec!["-l", self.languages.as_str(), "--psm", "6"];
        args.extend(self.extra.iter().map(String::as_str));
        args.push("tsv");
        let tsv = self.run(image, dpi, &args)?;
        Ok(parse_tsv(&tsv))
    }

    fn orientation(&self, image: &GrayImage, dpi: u32) -> Result<Option<Orientation>, OcrError> {
        // Orientation and script detection needs osd.traineddata (Debian:
        // tesseract-ocr-osd, pulled in by tesseract-ocr). Without it, or when it cannot
        // decide (too little text), say "unknown" and let the caller try the turns.
        //
        // OSD needs far less resolution than reading: at half of 300 DPI it gives the same
        // answers on the fixture scans in 0.5 s instead of 0.85 s.
        let half;
        let (image, dpi) = if dpi >= 300 {
            half = image.half();
            (&half, dpi / 2)
        } else {
            (image, dpi)
        };
        match self.run(image, dpi, &["--psm", "0", "-l", "osd"]) {
            Ok(out) => Ok(parse_osd(&out)),
            Err(OcrError::Failed { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn describe(&self) -> String {
        format!("{} {}", self.version, self.languages)
    }
}

/// Parses Tesseract's TSV: level 5 rows are words with their block, paragraph and line
/// numbers and a box in pixels. Malformed rows are skipped.
pub(crate) fn parse_tsv(tsv: &str) -> Vec<OcrWord> {
    tsv.lines()
        .filter_map(|row| {
            let f: Vec<&str> = row.splitn(12, '\t').collect();
            if f.len() < 12 || f[0] != "5" {
                return None;
            }
            let n = |i: usize| f[i].trim().parse::<u32>().ok();
            let text = f[11].trim();
            if text.is_empty() {
                return None;
            }
            Some(OcrWord {
                text: text.to_owned(),
                bbox: PixelBox {
                    left: n(6)?,
                    top: n(7)?,
                    width: n(8)?,
                    height: n(9)?,
                },
                confidence: f[10].trim().parse().unwrap_or(-1.0),
                block: n(2)?,
                paragraph: n(3)?,
                line: n(4)?,
            })
        })
        .filter(|w| w.bbox.width > 0 && w.bbox.height > 0)
        .collect()
}

/// Parses `--psm 0` output. "Rotate: R" is how far the image must be turned clockwise to be
/// upright, i.e. the content is turned R counter-clockwise = (360 - R) clockwise. An
/// orientation confidence below 1.5 is a guess (Tesseract's own documentation calls values
/// near 0 unreliable) and is reported as unknown.
pub(crate) fn parse_osd(out: &str) -> Option<Orientation> {
    let value = |key: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().parse::<f32>().ok())
    };
    let rotate = value("Rotate:")?;
    let confidence = value("Orientation confidence:")?;
    if confidence < 1.5 {
        return None;
    }
    Some(Orientation::from_degrees((360 - rotate as u32 % 360) % 360))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tsv_words_with_levels() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t2481\t3508\t-1\t\n\
                   4\t1\t1\t1\t1\t0\t258\t117\t1961\t83\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t350\t134\t194\t53\t91.359497\tAnkeby\n\
                   5\t1\t1\t1\t1\t2\t564\t134\t218\t42\t4.5\tkommun\n\
                   5\t1\t2\t1\t1\t1\t564\t134\t218\t42\t95\t \n\
                   5\tbroken\n";
        let w = parse_tsv(tsv);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].text, "Ankeby");
        assert_eq!(
            w[1].bbox,
            PixelBox {
                left: 564,
                top: 134,
                width: 218,
                height: 42
            }
        );
        assert!((w[1].confidence - 4.5).abs() < 1e-6);
        assert!(!format!("{:?}", w[0]).contains("Ankeby"));
    }

    #[test]
    fn osd_output() {
        let out = "Page number: 0\nOrientation in degrees: 270\nRotate: 90\nOrientation confidence: 7.2\nScript: Latin\n";
        assert_eq!(parse_osd(out), Some(Orientation::Cw270));
        let unsure = "Rotate: 90\nOrientation confidence: 0.4\n";
        assert_eq!(parse_osd(unsure), None);
        assert_eq!(parse_osd("garbage"), None);
    }

    #[test]
    fn missing_program_is_a_clear_error() {
        let e =
            Tesseract::with_program(PathBuf::from("/nonexistent/tesseract"), "swe").unwrap_err();
        assert!(matches!(e, OcrError::NotInstalled { .. }));
        assert!(e.to_string().contains("apt-get install tesseract-ocr"));
        let e = Tesseract::with_program(PathBuf::from("tesseract"), "swe;rm").unwrap_err();
        assert!(matches!(e, OcrError::BadLanguages(_)));
    }
}

//! Helpers shared by the integration tests that read outputs back with OCR.
//! Each test binary compiles this module on its own and uses all of it.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Lower-case letters and digits only: OCR's spacing and punctuation do not count.
pub fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `needle` occurs in `hay` with at most one edit (insertion, deletion or
/// substitution) per ten characters, both already [`norm`]ed. For phrases that must stay
/// readable: OCR of an output drops or swaps a letter here and there ("illståndet" at a
/// line start) where no mask is near, and that is OCR's noise, not a masking fault.
/// Approximate substring matching after Sellers (1980): the edit distance of `needle` to
/// the best-matching substring of `hay`.
pub fn legible(hay: &str, needle: &str) -> bool {
    let (h, n): (Vec<char>, Vec<char>) = (hay.chars().collect(), needle.chars().collect());
    let allowed = n.len() / 10;
    // col[i]: edits to match needle[..i] ending at the current position of hay.
    let mut col: Vec<usize> = (0..=n.len()).collect();
    if col[n.len()] <= allowed {
        return true;
    }
    for &c in &h {
        let mut diag = col[0];
        col[0] = 0;
        for i in 1..=n.len() {
            let next = (diag + usize::from(n[i - 1] != c))
                .min(col[i] + 1)
                .min(col[i - 1] + 1);
            diag = col[i];
            col[i] = next;
        }
        if col[n.len()] <= allowed {
            return true;
        }
    }
    false
}

/// OCR text of every page of a PDF, one string per page: pdftoppm at 200 DPI, then
/// `tesseract -l swe --psm <psm>` (1 also turns rotated pages upright).
pub fn ocr_pages(pdf: &Path, work: &Path, tag: &str, psm: &str) -> Vec<String> {
    let prefix = work.join(tag);
    let st = Command::new("pdftoppm")
        .args(["-r", "200", "-gray", "-png"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm missing: run `make setup`");
    assert!(st.success());
    let mut pngs: Vec<PathBuf> = std::fs::read_dir(work)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{tag}-"))
        })
        .collect();
    pngs.sort();
    pngs.iter()
        .map(|png| {
            let o = Command::new("tesseract")
                .env("OMP_THREAD_LIMIT", "1")
                .arg(png)
                .args(["-", "-l", "swe", "--psm", psm])
                .output()
                .expect("tesseract missing: run `make setup`");
            String::from_utf8_lossy(&o.stdout).into_owned()
        })
        .collect()
}

/// `check` on every item, two at a time: OCR read-back is the slow part and the machine has
/// two cores. Results in the items' order.
#[allow(dead_code)] // the scan tests read back page by page, not document by document
pub fn two_at_a_time<T: Sync, R: Send>(items: &[T], check: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let check = &check;
    items
        .chunks(2)
        .flat_map(|pair| {
            std::thread::scope(|sc| {
                let handles: Vec<_> = pair.iter().map(|x| sc.spawn(move || check(x))).collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect()
}

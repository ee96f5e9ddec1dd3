//! Throughput of scanned pages: end to end (render, Tesseract OCR with `-l swe+eng`,
//! detection with the rules and the NER model, JPEG output, verification) on the simulated
//! scans of `fixtures/scans/`: 8 pages at 300 DPI in five files — two image-only PDFs, a
//! PDF page turned 90°, a two-page TIFF and a JPEG photo, one page turned 180°.
//!
//! The files are processed the way `tusch batch` processes a folder: several documents at
//! once on a pool of one thread per core, pages within a document in parallel too, so a
//! slow page (one turned upside down costs an orientation check and a second reading) does
//! not leave a core idle. One document at a time is measured as well, as the desktop app
//! and `tusch redact` see it.
//!
//! Target on a 2-core machine: ≥ 1 scanned page/s at 300 DPI. Besides wall-clock time the
//! bench reports the CPU time per page that Tesseract used (from `/proc/self/stat`,
//! children's user + system time) and that Tusch itself used, which do not depend on what
//! else runs: with two idle cores, pages/s ≈ 2 / (both CPU times per page).
//!
//! It also runs the poor scans of `fixtures/scans-poor` (issue 12: 200 and 300 DPI, JPEG
//! quality 25–40, dust, a fax), where half the pages get a second reading of their doubtful
//! lines; `TUSCH_BENCH_QUICK=1` stops after that line.
//!
//! It also measures options: OCR at 250 and 200 DPI (the output stays at the scan's
//! 300 DPI), the LSTM engine only (`--oem 1`, what Debian's data holds anyway), and
//! skipping Tesseract's inverted-text pass (`-c tessedit_do_invert=0`).
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use tusch_core::Config;
use tusch_engine::{Engine, NoProgress, Parts};
use tusch_ocr::Tesseract;

/// CPU seconds this process itself used so far (rendering, levelling, NER, encoding,
/// verification — everything but Tesseract).
fn own_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime is field 14, stime 15.
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds used by waited-for child processes so far.
fn children_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): cutime is 16th, cstime 17th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Field n (1-based) is at index n - 3 after the name; clock ticks are 100 per second
    // on Linux.
    (ticks(13) + ticks(14)) / 100.0
}

/// One file through the whole pipeline; (pages, bytes written, masks).
fn redact_one(input: &Path, engine: &Engine, dir: &Path) -> (usize, u64, usize) {
    let name = input.file_name().unwrap().to_string_lossy();
    let out = dir.join(format!("{name}.pdf"));
    let done = engine.redact_file(input, &out, &NoProgress).unwrap();
    let masks = done.plan.accepted_counts().values().sum::<usize>();
    (done.applied.pages, done.applied.bytes, masks)
}

/// An engine as `tusch batch` builds it (rules and the NER model), with `ocr` for OCR.
fn engine(config: Config, ocr: Tesseract) -> Engine {
    Engine::new(
        config,
        Parts {
            ocr: Some(Box::new(ocr)),
            ner: None,
        },
    )
    .unwrap()
}

fn run(inputs: &[PathBuf], engine: &Engine, label: &str, folder: bool) {
    let dir = tempfile::tempdir().unwrap();
    let cpu0 = children_cpu();
    let own0 = own_cpu();
    let t = Instant::now();
    let results: Vec<(usize, u64, usize)> = if folder {
        inputs
            .par_iter()
            .map(|i| redact_one(i, engine, dir.path()))
            .collect()
    } else {
        inputs
            .iter()
            .map(|i| redact_one(i, engine, dir.path()))
            .collect()
    };
    let wall = t.elapsed().as_secs_f64();
    let cpu = children_cpu() - cpu0;
    let own = own_cpu() - own0;
    let pages: usize = results.iter().map(|r| r.0).sum();
    let bytes: u64 = results.iter().map(|r| r.1).sum();
    let masks: usize = results.iter().map(|r| r.2).sum();
    println!(
        "  {label:<40} {:>6.2} pages/s wall  {:>5.2} s OCR CPU/page + {:>4.2} s own  → {:>5.2} pages/s on 2 idle cores  {masks} masks  {:>4.0} KB/page",
        pages as f64 / wall,
        cpu / pages as f64,
        own / pages as f64,
        2.0 * pages as f64 / (cpu + own).max(1e-9),
        bytes as f64 / 1024.0 / pages as f64
    );
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/scans");
    let inputs: Vec<PathBuf> = [
        "beslut-bistand-skannad.pdf",
        "klagomal-medborgare-skannad.pdf",
        "parkering-fordon-skannad.pdf",
        "epost-trad-skannad.tif",
        "elevhalsa-anteckning-foto.jpg",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "tusch on 8 scanned pages (300 DPI) in 5 files, {threads} cores, load average {}:",
        load.split_whitespace().next().unwrap_or("?")
    );
    let base = Tesseract::new("swe+eng").expect("tesseract: run `make setup`");
    let default = engine(Config::default(), base.clone());
    run(
        &inputs,
        &default,
        "folder, as tusch batch (OCR at 300 DPI)",
        true,
    );
    run(
        &inputs,
        &default,
        "one document at a time, as tusch redact",
        false,
    );
    // Poor scans (issue 12): 10 pages at 200 and 300 DPI, JPEG quality 25–40, dust, a fax;
    // half of them get a second reading of their doubtful lines.
    let poor_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/scans-poor");
    let mut poor: Vec<PathBuf> = std::fs::read_dir(&poor_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x != "json"))
        .collect();
    poor.sort();
    run(
        &poor,
        &default,
        "poor scans (scans-poor, 10 pages), folder",
        true,
    );
    if std::env::var_os("TUSCH_BENCH_QUICK").is_some() {
        return;
    }
    for dpi in [250, 200] {
        let mut c = Config::default();
        c.ocr.dpi = dpi;
        run(
            &inputs,
            &engine(c, base.clone()),
            &format!("folder, OCR at {dpi} DPI"),
            true,
        );
    }
    let oem1 = engine(Config::default(), base.clone().with_args(&["--oem", "1"]));
    run(&inputs, &oem1, "folder, --oem 1", true);
    let noinv = engine(
        Config::default(),
        base.clone().with_args(&["-c", "tessedit_do_invert=0"]),
    );
    run(&inputs, &noinv, "folder, -c tessedit_do_invert=0", true);
    println!("  target >= 1 scanned page/s on 2 cores at 300 DPI (first line)");
}

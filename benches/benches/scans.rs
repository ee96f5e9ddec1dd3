//! Throughput of scanned pages: `tusch redact` end to end (render, Tesseract OCR with
//! `-l swe+eng`, detection, JPEG output, verification) on the simulated scans of
//! `fixtures/scans/` (4 A4 pages at 300 DPI, one with a page turned 180°).
//!
//! Target on a 2-core machine: ≥ 1 scanned page/s at 300 DPI. The machine is shared, so
//! besides wall-clock time the bench reports the CPU time Tesseract used per page (from
//! `/proc/self/stat`, children's user + system time), which does not depend on what else
//! runs: with two idle cores, pages/s ≈ 2 / (CPU seconds per page).
//!
//! It also measures options: OCR at 250 and 200 DPI (the output stays at the scan's
//! 300 DPI), the LSTM engine only (`--oem 1`, what Debian's data holds anyway), and
//! skipping Tesseract's inverted-text pass (`-c tessedit_do_invert=0`).
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use tusch_core::{Analyzer, Config, MaskState};
use tusch_ocr::{OcrEngine, Tesseract};
use tusch_pdf::pipeline::{apply_plan, plan_document, NoProgress};

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

fn run(inputs: &[PathBuf], config: &Config, engine: &dyn OcrEngine, label: &str) {
    let analyzer = Analyzer::new(config.detection.clone());
    let dir = tempfile::tempdir().unwrap();
    let cpu0 = children_cpu();
    let t = Instant::now();
    let mut pages = 0;
    let mut bytes = 0;
    let mut masks = 0;
    for input in inputs {
        let out = dir.path().join("out.pdf");
        let (doc, _p, _f, plan) = plan_document(
            input,
            &analyzer,
            &config.output,
            &config.ocr,
            Some(engine),
            MaskState::Accepted,
            &NoProgress,
        )
        .unwrap();
        masks += plan.accepted_counts().values().sum::<usize>();
        let applied = apply_plan(&doc, &plan, input, &out, &config.output, &NoProgress).unwrap();
        pages += applied.pages;
        bytes += applied.bytes;
    }
    let wall = t.elapsed().as_secs_f64();
    let cpu = children_cpu() - cpu0;
    println!(
        "  {label:<34} {:>6.2} pages/s wall  {:>5.2} s OCR CPU/page  → {:>5.2} pages/s on 2 idle cores  {masks} masks  {:>4.0} KB/page",
        pages as f64 / wall,
        cpu / pages as f64,
        2.0 * pages as f64 / cpu.max(1e-9),
        bytes as f64 / 1024.0 / pages as f64
    );
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/scans");
    let inputs = vec![
        root.join("beslut-bistand-skannad.pdf"),
        root.join("klagomal-medborgare-skannad.pdf"),
    ];
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "tusch on 4 scanned A4 pages (300 DPI), {threads} cores, load average {}:",
        load.split_whitespace().next().unwrap_or("?")
    );
    let base = Tesseract::new("swe+eng").expect("tesseract: run `make setup`");
    let default = Config::default();
    run(&inputs, &default, &base, "default (OCR at 300 DPI)");
    for dpi in [250, 200] {
        let mut c = Config::default();
        c.ocr.dpi = dpi;
        run(&inputs, &c, &base, &format!("OCR at {dpi} DPI"));
    }
    let oem1 = base.clone().with_args(&["--oem", "1"]);
    run(&inputs, &default, &oem1, "--oem 1");
    let noinv = base.clone().with_args(&["-c", "tessedit_do_invert=0"]);
    run(&inputs, &default, &noinv, "-c tessedit_do_invert=0");
    let mut c = Config::default();
    c.ocr.dpi = 250;
    run(&inputs, &c, &noinv, "250 DPI + tessedit_do_invert=0");
    println!("  target >= 1 scanned page/s on 2 cores (see the 'idle cores' column when the machine is shared)");
}

//! End-to-end throughput of `tusch redact` against plain rasterisation with
//! `pdftoppm -gray` at the same DPI on the same 60-page text document, in one run.
//!
//! Targets on a 2-core machine: ≥ 25 pages/s and ≤ 1.5× the time of pdftoppm. Each side
//! runs `ROUNDS` times and the best time counts, which discounts noise from other processes.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tusch_core::Config;
use tusch_engine::{Engine, NoProgress};

const ROUNDS: usize = 3;

fn best<F: FnMut()>(mut f: F) -> Duration {
    (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/bench-60.pdf");
    let config = Config::default();
    let dpi = config.output.dpi;
    // The same detectors as `tusch redact`: rules and the NER model.
    let engine = Engine::from_config(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.pdf");
    let mut pages = 0;
    let mut masks = 0;
    let tusch = best(|| {
        let done = engine.redact_file(&input, &out, &NoProgress).unwrap();
        masks = done.plan.accepted_counts().values().sum();
        pages = done.applied.pages;
    });
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    let prefix = dir.path().join("ppm");
    let pdftoppm = best(|| {
        let status = Command::new("pdftoppm")
            .args(["-gray", "-r", &dpi.to_string()])
            .arg(&input)
            .arg(&prefix)
            .status()
            .expect("pdftoppm (poppler-utils) must be installed: run `make setup`");
        assert!(status.success());
    });
    let pps = pages as f64 / tusch.as_secs_f64();
    let ratio = tusch.as_secs_f64() / pdftoppm.as_secs_f64();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("tusch end-to-end, {pages} pages at {dpi} DPI, {threads} cores (best of {ROUNDS}):");
    println!(
        "  tusch redact  {:>7.3} s  {:>6.1} pages/s  {masks} masks, output {:.0} KB/page",
        tusch.as_secs_f64(),
        pps,
        size as f64 / 1024.0 / pages.max(1) as f64
    );
    println!(
        "  pdftoppm -gray {:>6.3} s  {:>6.1} pages/s",
        pdftoppm.as_secs_f64(),
        pages as f64 / pdftoppm.as_secs_f64()
    );
    println!("  ratio tusch / pdftoppm: {ratio:.2}x");
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!("  target >= 25 pages/s: {}", verdict(pps >= 25.0));
    println!("  target <= 1.5x pdftoppm: {}", verdict(ratio <= 1.5));
}

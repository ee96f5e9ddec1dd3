//! NER speed: tokens per second of the shipped model (`models/tusch-ner-sv`) on realistic
//! Swedish kommun text — the text layers of `benches/data/bench-60.pdf` — with one
//! ONNX Runtime thread (per core) and with two, and the model's load time.
//!
//! Targets on this 2-core machine: ≥ 5,000 tokens/s per core, load ≤ 1 s. Each timing is
//! the best of `ROUNDS`, which discounts noise from other processes.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use tusch_core::Config;
use tusch_engine::pipeline::extract_text;
use tusch_ner::{NerModel, RunOptions};
use tusch_pdf::SourceDocument;

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
    let doc = SourceDocument::open(&input).unwrap();
    let pages = extract_text(&doc).unwrap();
    let texts: Vec<&str> = pages.iter().map(|p| p.layer.text()).collect();
    let dir = tusch_ner::locate::model_candidates(Config::default().ner.model_dir.as_deref())
        .into_iter()
        .next()
        .expect("models/tusch-ner-sv is missing (the model is merged from the training branch)");

    // The first load also loads ONNX Runtime itself; later loads are what a second
    // document-processing process pays again.
    let t = Instant::now();
    let first = NerModel::load(&dir, RunOptions::default()).unwrap();
    let cold = t.elapsed();
    let info = first.info().clone();
    drop(first);
    let warm = best(|| {
        NerModel::load(&dir, RunOptions::default()).unwrap();
    });

    let mut tokens = 0;
    let counter = NerModel::load(&dir, RunOptions::default()).unwrap();
    for t in &texts {
        tokens += counter.count_tokens(t).unwrap();
    }
    drop(counter);

    println!(
        "NER {} on {} pages of bench-60.pdf, {tokens} tokens (best of {ROUNDS}):",
        info.label(),
        texts.len()
    );
    println!(
        "  load: {:.3} s first (with ONNX Runtime), {:.3} s again",
        cold.as_secs_f64(),
        warm.as_secs_f64()
    );
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let mut per_core = 0.0;
    // (threads in all, sessions sharing them, windows per call)
    for (threads, sessions, batch_size) in [
        (1usize, 1usize, 1usize),
        (1, 1, 8),
        (2, 1, 1),
        (2, 1, 8),
        (2, 2, 1),
    ] {
        {
            let model = NerModel::load(
                &dir,
                RunOptions {
                    threads,
                    batch_size,
                    sessions,
                },
            )
            .unwrap();
            let mut entities = 0;
            let took = best(|| {
                entities = model
                    .entities(&texts)
                    .unwrap()
                    .iter()
                    .map(Vec::len)
                    .sum::<usize>();
            });
            let tps = tokens as f64 / took.as_secs_f64();
            if threads == 1 {
                per_core = f64::max(per_core, tps);
            }
            println!(
                "  {threads} thread(s) in {sessions} session(s), batch {batch_size}: {:>7.3} s  {:>8.0} tokens/s  {entities} entities",
                took.as_secs_f64(),
                tps
            );
        }
    }
    println!(
        "  target >= 5000 tokens/s per core: {} ({per_core:.0})",
        verdict(per_core >= 5000.0)
    );
    println!(
        "  target load <= 1 s: {} ({:.3} s)",
        verdict(cold <= Duration::from_secs(1)),
        cold.as_secs_f64()
    );
}

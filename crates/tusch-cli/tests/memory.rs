//! Issue 10: memory does not grow with the document. A 1,020-page text PDF (the 60-page
//! bench document 17 times, joined with qpdf) is redacted with the real engine — name
//! model on — and the process's peak resident memory, as GNU time reports it, stays under
//! 500 MB.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::path::PathBuf;
use std::process::Command;

const LIMIT_KB: u64 = 500 * 1024;

#[test]
fn issue_10_a_thousand_page_document_stays_under_500_mb() {
    let bench = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../benches/data/bench-60.pdf");
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("tusen-sidor.pdf");
    let mut qpdf = Command::new("qpdf");
    qpdf.arg("--empty").arg("--pages");
    for _ in 0..17 {
        qpdf.arg(&bench);
    }
    let status = qpdf
        .arg("--")
        .arg(&big)
        .status()
        .expect("qpdf (make setup)");
    assert!(status.success());
    let out = dir.path().join("ut.pdf");
    let o = Command::new("/usr/bin/time")
        .args(["-f", "peak-kb=%M"])
        .arg(env!("CARGO_BIN_EXE_tusch"))
        .arg("redact")
        .arg(&big)
        .arg("-o")
        .arg(&out)
        .env("XDG_STATE_HOME", dir.path())
        .output()
        .expect("GNU time (/usr/bin/time, make setup)");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let peak: u64 = err
        .lines()
        .find_map(|l| l.strip_prefix("peak-kb="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    println!(
        "1,020 pages: peak {} MB ({})",
        peak / 1024,
        String::from_utf8_lossy(&o.stdout).trim()
    );
    assert!(
        peak < LIMIT_KB,
        "peak resident memory {} MB, limit {} MB",
        peak / 1024,
        LIMIT_KB / 1024
    );
}

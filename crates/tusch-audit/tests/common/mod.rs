//! Helpers shared by the integration tests. Each test binary compiles this module on its
//! own and may not use all of it.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;

use tusch_audit::{AuditRecord, EventKind};

/// A record with fixed time, user and host, named `name`, with a few masks.
pub fn record(name: &str) -> AuditRecord {
    AuditRecord::builder(EventKind::Batch, name, "a".repeat(64), "b".repeat(64))
        .pages(2)
        .mask(1, "person", Some("26 kap. 1 § OSL"), false)
        .masks(2, "personnummer", None, false, 2)
        .mask(2, "other", Some("21 kap. 3 § OSL"), true)
        .model("tusch-ner-sv 1.0.0", "c".repeat(64))
        .time("2025-03-04T12:34:56Z")
        .user("handläggare")
        .host("kommun-pc")
        .build()
}

/// The log's lines, without their newlines.
pub fn lines(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap();
    let mut v: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    if v.last().is_some_and(Vec::is_empty) {
        v.pop();
    }
    v
}

/// Writes lines back, each with a newline.
pub fn write_lines(path: &Path, lines: &[Vec<u8>]) {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    std::fs::write(path, out).unwrap();
}

//! The hash chain: what append writes, what verify accepts, and every kind of damage it
//! names — an edited, deleted, moved, copied or unreadable line, a torn tail — and the one
//! it cannot see without an anchor (lines cut from the end).
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{lines, record, write_lines};
use tusch_audit::{AuditError, AuditLog, Problem, VerifySummary, GENESIS_PREV};

/// A log with `n` records named beslut-1.pdf … in a fresh folder (kept alive by the
/// returned guard).
fn log_with(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("tillstånd")
        .join("tusch")
        .join("audit.jsonl");
    let log = AuditLog::open(&path).unwrap();
    for i in 1..=n {
        log.append(&record(&format!("/ärenden/beslut-{i}.pdf")))
            .unwrap();
    }
    (dir, path)
}

fn broken(path: &Path) -> (u64, Problem, String) {
    match tusch_audit::verify(path) {
        Err(e @ AuditError::Broken { .. }) => {
            let msg = e.to_string();
            let AuditError::Broken { line, problem, .. } = e else {
                unreachable!()
            };
            (line, problem, msg)
        }
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

#[test]
fn append_then_verify_roundtrip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a").join("b").join("audit.jsonl");
    let log = AuditLog::open(&path).unwrap();
    assert!(path.exists(), "open creates the folders and the file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(
        tusch_audit::verify(&path).unwrap(),
        VerifySummary::default()
    );

    let mut last = None;
    for i in 1..=5 {
        let a = log.append(&record(&format!("beslut-{i}.pdf"))).unwrap();
        assert_eq!(a.seq, i);
        assert_eq!(a.repaired_torn_tail, None);
        last = Some(a);
    }
    let last = last.unwrap();
    let s = tusch_audit::verify(&path).unwrap();
    assert_eq!(s.lines, 5);
    assert_eq!(s.last_seq, Some(5));
    assert_eq!(s.last_sha256.as_deref(), Some(last.sha256.as_str()));
    assert_eq!(s.first_time.as_deref(), Some("2025-03-04T12:34:56Z"));
    assert!(s.repaired.is_empty());

    let ls = lines(&path);
    let first = String::from_utf8(ls[0].clone()).unwrap();
    assert!(
        first.starts_with(&format!(r#"{{"seq":1,"prev":"{GENESIS_PREV}","record":{{"#)),
        "{first}"
    );
    assert!(first.contains(r#""input_name":"beslut-1.pdf""#), "{first}");
    // Each prev is the sha256 of the line before, exactly as written.
    for w in ls.windows(2) {
        let next = String::from_utf8(w[1].clone()).unwrap();
        let hash = sha256(&w[0]);
        assert!(next.contains(&format!(r#""prev":"{hash}""#)), "{next}");
    }
    assert_eq!(sha256(&ls[4]), last.sha256);
    // Reopening an existing log changes nothing.
    AuditLog::open(&path).unwrap();
    assert_eq!(lines(&path).len(), 5);
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn an_edited_middle_line_breaks_the_chain_at_the_next_line_naming_it() {
    let (_d, path) = log_with(5);
    let mut ls = lines(&path);
    let s = String::from_utf8(ls[2].clone()).unwrap();
    // One byte of line 3's record: the file name beslut-3 becomes beslut-8.
    ls[2] = s.replace("beslut-3.pdf", "beslut-8.pdf").into_bytes();
    assert_ne!(ls[2], s.as_bytes());
    write_lines(&path, &ls);
    let (line, problem, msg) = broken(&path);
    assert_eq!(line, 4);
    assert_eq!(problem, Problem::Prev { previous_line: 3 });
    assert!(
        msg.contains("rad 4") && msg.contains("rad 3 har ändrats"),
        "{msg}"
    );
}

#[test]
fn a_deleted_middle_line_is_a_seq_gap() {
    let (_d, path) = log_with(5);
    let mut ls = lines(&path);
    ls.remove(2);
    write_lines(&path, &ls);
    let (line, problem, msg) = broken(&path);
    assert_eq!(line, 3);
    assert_eq!(
        problem,
        Problem::Seq {
            expected: 3,
            found: 4
        }
    );
    assert!(
        msg.contains("rad 3") && msg.contains("tagits bort"),
        "{msg}"
    );
}

#[test]
fn a_deleted_first_line_is_a_seq_gap_and_a_renumbered_one_a_bad_prev() {
    let (_d, path) = log_with(3);
    let mut ls = lines(&path);
    ls.remove(0);
    write_lines(&path, &ls);
    assert_eq!(
        broken(&path).1,
        Problem::Seq {
            expected: 1,
            found: 2
        }
    );
    // Renumbered to start at 1, the new first line still points at the deleted one.
    let s = String::from_utf8(ls[0].clone()).unwrap();
    ls[0] = s.replacen(r#""seq":2"#, r#""seq":1"#, 1).into_bytes();
    write_lines(&path, &ls);
    let (line, problem, _) = broken(&path);
    assert_eq!((line, problem), (1, Problem::FirstPrev));
}

#[test]
fn swapped_lines_are_out_of_order() {
    let (_d, path) = log_with(5);
    let mut ls = lines(&path);
    ls.swap(1, 2);
    write_lines(&path, &ls);
    let (line, problem, msg) = broken(&path);
    assert_eq!(line, 2);
    assert_eq!(
        problem,
        Problem::Seq {
            expected: 2,
            found: 3
        }
    );
    assert!(msg.contains("rad 2"), "{msg}");
}

#[test]
fn a_copied_line_is_out_of_order() {
    let (_d, path) = log_with(4);
    let mut ls = lines(&path);
    ls.insert(3, ls[2].clone());
    write_lines(&path, &ls);
    let (line, problem, msg) = broken(&path);
    assert_eq!(line, 4);
    assert_eq!(
        problem,
        Problem::Seq {
            expected: 4,
            found: 3
        }
    );
    assert!(msg.contains("kopierats"), "{msg}");
}

#[test]
fn an_unreadable_middle_line_is_named() {
    let (_d, path) = log_with(4);
    let mut ls = lines(&path);
    ls[1].truncate(20);
    write_lines(&path, &ls);
    let e = tusch_audit::verify(&path).unwrap_err();
    assert!(matches!(e, AuditError::Unreadable { line: 2, .. }), "{e:?}");
    assert_eq!(e.line(), Some(2));
    assert!(e.to_string().contains("rad 2"), "{e}");
    // Append refuses to chain onto a damaged log two lines from the end, and leaves it be.
    let (_d2, path2) = log_with(3);
    let mut ls = lines(&path2);
    ls[2].truncate(20);
    write_lines(&path2, &ls);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path2)
        .unwrap();
    f.write_all(b"{\"seq\":4,\"pr").unwrap();
    let before = std::fs::read(&path2).unwrap();
    let e = AuditLog::open(&path2)
        .unwrap()
        .append(&record("x.pdf"))
        .unwrap_err();
    assert!(matches!(e, AuditError::Unreadable { line: 3, .. }), "{e:?}");
    assert_eq!(std::fs::read(&path2).unwrap(), before);
}

#[test]
fn a_torn_tail_is_reported_then_repaired_by_the_next_append() {
    let (_d, path) = log_with(3);
    let before = std::fs::read(&path).unwrap();
    // Half of a line, as a write cut off by a crash leaves it.
    let half = &lines(&path)[2][..40];
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(half)
        .unwrap();
    let (line, problem, msg) = broken(&path);
    assert_eq!((line, problem), (4, Problem::Torn { bytes: 40 }));
    assert!(msg.contains("ofullständig"), "{msg}");

    let a = AuditLog::open(&path)
        .unwrap()
        .append(&record("efter.pdf"))
        .unwrap();
    assert_eq!(a.seq, 4);
    assert_eq!(a.repaired_torn_tail, Some(40));
    let after = std::fs::read(&path).unwrap();
    assert_eq!(
        &after[..before.len()],
        &before[..],
        "earlier lines untouched"
    );
    let s = tusch_audit::verify(&path).unwrap();
    assert_eq!(s.lines, 4);
    assert_eq!(s.repaired, vec![4]);
    let last = String::from_utf8(lines(&path)[3].clone()).unwrap();
    assert!(
        last.contains(r#""repaired_torn_tail":true,"torn_tail_bytes":40"#),
        "{last}"
    );
    // The repair is recorded once; the next line is ordinary.
    AuditLog::open(&path)
        .unwrap()
        .append(&record("sedan.pdf"))
        .unwrap();
    assert_eq!(tusch_audit::verify(&path).unwrap().repaired, vec![4]);
}

#[test]
fn a_last_line_with_a_newline_but_garbage_is_torn_too() {
    // A power loss can persist a write's last page (with the newline) but not its first:
    // zeros where the line began.
    let (_d, path) = log_with(2);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(&[0u8; 30]).unwrap();
    f.write_all(b"\"}}\n").unwrap();
    let (line, problem, _) = broken(&path);
    assert_eq!((line, problem), (3, Problem::Torn { bytes: 34 }));
    let a = AuditLog::open(&path)
        .unwrap()
        .append(&record("x.pdf"))
        .unwrap();
    assert_eq!((a.seq, a.repaired_torn_tail), (3, Some(34)));
    assert_eq!(tusch_audit::verify(&path).unwrap().lines, 3);
}

#[test]
fn a_torn_first_line_starts_the_chain_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    std::fs::write(&path, b"{\"seq\":1,\"prev\":\"00").unwrap();
    let a = AuditLog::open(&path)
        .unwrap()
        .append(&record("x.pdf"))
        .unwrap();
    assert_eq!((a.seq, a.repaired_torn_tail), (1, Some(19)));
    let first = String::from_utf8(lines(&path)[0].clone()).unwrap();
    assert!(first.contains(GENESIS_PREV), "{first}");
    assert_eq!(tusch_audit::verify(&path).unwrap().lines, 1);
}

#[test]
fn end_truncation_is_only_visible_against_the_anchor() {
    let (_d, path) = log_with(5);
    let anchor = tusch_audit::verify(&path).unwrap();
    let mut ls = lines(&path);
    ls.truncate(4);
    write_lines(&path, &ls);
    // The shorter chain is valid in itself…
    let now = tusch_audit::verify(&path).unwrap();
    assert_eq!(now.lines, 4);
    // …and differs from the anchor IT noted.
    assert_ne!(now.last_seq, anchor.last_seq);
    assert_ne!(now.last_sha256, anchor.last_sha256);
}

#[test]
fn records_of_another_shape_still_chain_and_verify() {
    // A newer Tusch may add or change record fields: the chain covers bytes, not a schema.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let line = format!(r#"{{"seq":1,"prev":"{GENESIS_PREV}","record":{{"framtida":[1,2]}}}}"#);
    std::fs::write(&path, format!("{line}\n")).unwrap();
    let a = AuditLog::open(&path)
        .unwrap()
        .append(&record("x.pdf"))
        .unwrap();
    assert_eq!(a.seq, 2);
    assert_eq!(tusch_audit::verify(&path).unwrap().lines, 2);
}

#[test]
fn a_missing_log_is_an_error_not_an_empty_log() {
    let dir = tempfile::tempdir().unwrap();
    let e = tusch_audit::verify(dir.path().join("saknas.jsonl")).unwrap_err();
    assert!(matches!(e, AuditError::Open { .. }), "{e:?}");
    assert!(!e.is_broken_log());
}

#[test]
fn no_document_text_field_exists_in_a_line() {
    // The record's keys are fixed: names, hashes, counts, categories, provisions.
    let (_d, path) = log_with(1);
    let v: serde_json::Value = serde_json::from_slice(&lines(&path)[0]).unwrap();
    let mut keys: Vec<&str> = v["record"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "event",
            "host",
            "input_name",
            "input_sha256",
            "manual_boxes",
            "masks",
            "model_name",
            "model_sha256",
            "output_profile",
            "output_sha256",
            "pages",
            "provisions",
            "time",
            "tool_version",
            "user"
        ]
    );
}

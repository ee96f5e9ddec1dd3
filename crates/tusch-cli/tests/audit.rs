//! `tusch audit` as IT runs it: verify's exit codes and lines, the CSV export, the default
//! log path.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use tusch_audit::{AuditLog, AuditRecord, EventKind};

fn tusch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusch"))
        .args(args)
        .output()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A log of `n` records at `path`.
fn write_log(path: &Path, n: usize) {
    let log = AuditLog::open(path).unwrap();
    for i in 1..=n {
        let r = AuditRecord::builder(
            EventKind::Batch,
            format!("beslut-{i}, bilaga.pdf"),
            "a".repeat(64),
            "b".repeat(64),
        )
        .pages(2)
        .mask(1, "person", Some("26 kap. 1 § OSL"), false)
        .time("2025-03-04T12:34:56Z")
        .build();
        log.append(&r).unwrap();
    }
}

#[test]
fn audit_verify_exits_0_on_an_intact_log_and_1_on_a_tampered_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 4);

    let o = tusch(&["audit", "verify", s(&path)]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("intakt, 4 rader"), "{out}");
    let anchor = tusch_audit::verify(&path).unwrap().last_sha256.unwrap();
    assert!(
        out.contains(&format!("ankare: löpnummer 4, sha256 {anchor}")),
        "{out}"
    );

    // Line 2 edited: the break shows at line 3, naming line 2.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("beslut-2,", "beslut-9,", 1)).unwrap();
    let o = tusch(&["audit", "verify", s(&path)]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("BRUTEN"), "{out}");
    assert!(
        out.contains("rad 3:") && out.contains("rad 2 har ändrats"),
        "{out}"
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn audit_verify_of_a_missing_log_fails_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let o = tusch(&["audit", "verify", s(&dir.path().join("saknas.jsonl"))]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("kunde inte öppna granskningsloggen"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn audit_uses_the_default_path_under_xdg_state_home() {
    let dir = tempfile::tempdir().unwrap();
    write_log(&dir.path().join("tusch").join("audit.jsonl"), 2);
    let o = Command::new(env!("CARGO_BIN_EXE_tusch"))
        .args(["audit", "verify"])
        .env("XDG_STATE_HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("intakt, 2 rader"), "{}", stdout(&o));
}

#[test]
fn audit_export_csv_to_stdout_and_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 2);

    let o = tusch(&["audit", "export", "--csv", s(&path)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<&str> = out.split("\r\n").collect();
    assert_eq!(rows.len(), 4, "{out:?}");
    assert!(rows[0].starts_with("löpnummer,tid,användare,dator,händelse,indatafil,"));
    assert!(
        rows[2].starts_with("2,2025-03-04T12:34:56Z,")
            && rows[2].contains(",batch,\"beslut-2, bilaga.pdf\",")
            && rows[2].contains(",person=1,26 kap. 1 § OSL=1,0,"),
        "{}",
        rows[2]
    );

    let csv = dir.path().join("diarium.csv");
    let o = tusch(&["audit", "export", "--csv", s(&path), "-o", s(&csv)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), out);
    assert!(
        stderr(&o).contains("2 poster exporterade"),
        "{}",
        stderr(&o)
    );

    // A broken chain still exports, with a warning.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("beslut-1,", "beslut-7,", 1)).unwrap();
    let o = tusch(&["audit", "export", "--csv", s(&path)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("varning: granskningsloggen är bruten"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("beslut-7, bilaga.pdf"));

    // --csv is the only format, and it must be asked for.
    assert_eq!(tusch(&["audit", "export", s(&path)]).status.code(), Some(2));
}

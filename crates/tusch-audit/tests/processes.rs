//! Other processes: a writer killed with SIGKILL in the middle of appending, and writers
//! appending at the same time. The test binary runs itself as the child (the test named
//! `child_appends` acts only when CHILD_ENV is set), as crates/tusch-review/tests/kill.rs
//! does.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::record;
use tusch_audit::{AuditError, AuditLog, Problem};

const CHILD_ENV: &str = "TUSCH_AUDIT_CHILD_LOG";
/// How many records the child appends; 0 = until it is killed.
const COUNT_ENV: &str = "TUSCH_AUDIT_CHILD_COUNT";
const TAG_ENV: &str = "TUSCH_AUDIT_CHILD_TAG";

/// The child: appends records to the log in CHILD_ENV, printing `OK <seq>` after each
/// append returned.
#[test]
fn child_appends() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let count: u64 = std::env::var(COUNT_ENV).unwrap().parse().unwrap();
    let tag = std::env::var(TAG_ENV).unwrap();
    let log = AuditLog::open(Path::new(&path)).unwrap();
    // A large record (many provision groups), so a write takes a little while.
    let mut b = tusch_audit::AuditRecord::builder(
        tusch_audit::EventKind::Batch,
        format!("{tag}.pdf"),
        "a".repeat(64),
        "b".repeat(64),
    )
    .pages(200)
    .host(tag.as_str());
    for page in 1..=200 {
        b = b.masks(page, "person", Some("26 kap. 1 § OSL"), false, page);
    }
    let big = b.build();
    let mut out = std::io::stdout().lock();
    // The harness's "test child_appends ... " has no newline of its own.
    writeln!(out).unwrap();
    let mut i = 0;
    while count == 0 || i < count {
        let a = log.append(&big).unwrap();
        writeln!(out, "OK {}", a.seq).unwrap();
        out.flush().unwrap();
        i += 1;
    }
}

fn spawn_child(log: &Path, count: u64, tag: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_appends",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, log)
        .env(COUNT_ENV, count.to_string())
        .env(TAG_ENV, tag)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn kill_9_during_appends_never_corrupts_earlier_lines() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path).unwrap();
    log.append(&record("före.pdf")).unwrap();
    // Kill after a few appends, then after more: each round must leave a log whose
    // acknowledged lines are intact, and which the next append continues.
    for (round, kill_after) in [3u64, 17, 40].into_iter().enumerate() {
        let mut child = spawn_child(&path, 0, &format!("barn-{round}"));
        // The last seq the child saw appended, and how many it appended.
        let (mut acked, mut appended) = (0, 0);
        // Kept open until the kill: a closed pipe would make the child fail on its own.
        let mut out = BufReader::new(child.stdout.take().unwrap());
        for line in out.by_ref().lines() {
            if let Some(seq) = line.unwrap().strip_prefix("OK ") {
                acked = seq.parse().unwrap();
                appended += 1;
                if appended >= kill_after {
                    break;
                }
            }
        }
        let st = Command::new("kill")
            .args(["-9", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
        let status = child.wait().unwrap();
        drop(out);
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(
                status.signal(),
                Some(9),
                "the child was killed, not finished"
            );
        }

        // Every line the child saw acknowledged is there and the chain holds; at most a
        // torn tail follows (SIGKILL cannot tear a single write(2) to a local file, a power
        // loss can: the torn-tail tests in chain.rs cover that).
        let lines = match tusch_audit::verify(&path) {
            Ok(s) => s.lines,
            Err(AuditError::Broken {
                line,
                problem: Problem::Torn { .. },
                ..
            }) => line - 1,
            Err(e) => panic!("round {round}: {e}"),
        };
        assert!(
            lines >= acked,
            "round {round}: {lines} lines, {acked} acked"
        );

        let a = log.append(&record(&format!("efter-{round}.pdf"))).unwrap();
        assert_eq!(a.seq, lines + 1);
        let s = tusch_audit::verify(&path).unwrap();
        assert_eq!(s.lines, lines + 1, "round {round}");
    }
}

#[test]
fn two_processes_appending_at_once_make_one_chain() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("delad").join("audit.jsonl");
    AuditLog::open(&path).unwrap();
    let mut a = spawn_child(&path, 100, "process-a");
    let mut b = spawn_child(&path, 100, "process-b");
    for c in [&mut a, &mut b] {
        let out = std::io::read_to_string(c.stdout.take().unwrap()).unwrap();
        assert_eq!(out.lines().filter(|l| l.starts_with("OK ")).count(), 100);
        assert!(c.wait().unwrap().success());
    }
    let s = tusch_audit::verify(&path).unwrap();
    assert_eq!(s.lines, 200);
    let text = std::fs::read_to_string(&path).unwrap();
    for tag in ["process-a", "process-b"] {
        let n = text
            .lines()
            .filter(|l| l.contains(&format!(r#""host":"{tag}""#)))
            .count();
        assert_eq!(n, 100, "{tag}");
    }
}

#[test]
fn two_threads_appending_at_once_make_one_chain() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    std::thread::scope(|s| {
        for t in 0..2 {
            let path = &path;
            s.spawn(move || {
                // Each thread its own AuditLog: flock excludes separate opens of the file
                // in one process as it does across processes.
                let log = AuditLog::open(path).unwrap();
                for i in 0..100 {
                    log.append(&record(&format!("tråd-{t}-{i}.pdf"))).unwrap();
                }
            });
        }
    });
    assert_eq!(tusch_audit::verify(&path).unwrap().lines, 200);
}

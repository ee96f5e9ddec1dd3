//! `tusch batch` at scale (issue 14): the audit record of every released document,
//! `--shard`, re-runs that skip what is done, the time limit, a crashed worker, SIGTERM and
//! SIGINT during writing, stale `.part` files, `--json`, Swedish help and the man page.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

/// `tusch` with audit records going to `state` (never the real user's log).
fn tusch_cmd(state: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tusch"));
    c.env("XDG_STATE_HOME", state);
    c
}

fn tusch(state: &Path, args: &[&str]) -> Output {
    tusch_cmd(state).args(args).output().unwrap()
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
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

/// A folder with the named fixture documents (`documents/` unless the name has a folder),
/// some of them in a subfolder.
fn folder(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (i, n) in names.iter().enumerate() {
        let src = if n.contains('/') {
            fixtures().join(n)
        } else {
            fixtures().join("documents").join(n)
        };
        let name = Path::new(n).file_name().unwrap();
        let dst = if i % 2 == 1 {
            dir.path().join("undermapp").join(name)
        } else {
            dir.path().join(name)
        };
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(src, dst).unwrap();
    }
    dir
}

/// A configuration file whose `[audit]` section is `audit`.
fn config(dir: &Path, audit: &str) -> PathBuf {
    let p = dir.join("tusch.toml");
    std::fs::write(&p, format!("[audit]\n{audit}\n")).unwrap();
    p
}

/// Every file under `dir`, relative, with `/`.
fn tree(dir: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

fn part_files(dir: &Path) -> Vec<String> {
    tree(dir)
        .into_iter()
        .filter(|f| f.rsplit('/').next().unwrap().starts_with(".tusch-") && f.ends_with(".part"))
        .collect()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(o), stderr(o)))
}

const THREE: [&str; 3] = [
    "beslut-bistand.pdf",
    "parkering-fordon.pdf",
    "klagomal-medborgare.pdf",
];

#[test]
fn batch_appends_one_audit_record_per_released_document_and_the_chain_verifies() {
    let input = folder(&THREE);
    let (out, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let log = work.path().join("logg").join("audit.jsonl");
    let cfg = config(work.path(), &format!("path = {:?}", s(&log)));
    let o = tusch(
        work.path(),
        &[
            "batch",
            s(input.path()),
            "-o",
            s(out.path()),
            "--config",
            s(&cfg),
            "--jobs",
            "2",
        ],
    );
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    let mut names = BTreeSet::new();
    for l in &lines {
        let r = &l["record"];
        assert_eq!(r["event"], "batch");
        assert_eq!(r["output_profile"], "image");
        assert_eq!(
            r["model_name"].as_str().unwrap().split(' ').next(),
            Some("tusch-ner-sv")
        );
        assert_eq!(r["model_sha256"].as_str().unwrap().len(), 64);
        assert!(r["pages"].as_u64().unwrap() >= 1);
        assert!(!r["masks"].as_array().unwrap().is_empty());
        for g in r["provisions"].as_array().unwrap() {
            assert!(
                g["provision"].is_null(),
                "batch masks have no provision: {g}"
            );
        }
        let name = r["input_name"].as_str().unwrap().to_owned();
        let rel = if name == "parkering-fordon.pdf" {
            format!("undermapp/{name}")
        } else {
            name.clone()
        };
        assert_eq!(
            r["input_sha256"].as_str().unwrap(),
            tusch_audit::sha256_file(input.path().join(&rel)).unwrap()
        );
        assert_eq!(
            r["output_sha256"].as_str().unwrap(),
            tusch_audit::sha256_file(out.path().join(&rel)).unwrap()
        );
        names.insert(name);
    }
    assert_eq!(names, THREE.iter().map(|n| n.to_string()).collect());
    let v = tusch(work.path(), &["audit", "verify", s(&log)]);
    assert_eq!(v.status.code(), Some(0), "{}", stdout(&v));
    assert!(stdout(&v).contains("intakt, 3 rader"), "{}", stdout(&v));
    // Nothing written to the default log.
    assert!(!work.path().join("tusch").exists());

    // A re-run releases nothing new, so records nothing.
    let o = tusch(
        work.path(),
        &[
            "batch",
            s(input.path()),
            "-o",
            s(out.path()),
            "--config",
            s(&cfg),
        ],
    );
    assert!(o.status.success(), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 3);
}

#[test]
fn audit_disabled_writes_no_record() {
    let input = folder(&THREE[..1]);
    let (out, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cfg = config(work.path(), "enabled = false");
    let o = tusch(
        work.path(),
        &[
            "batch",
            s(input.path()),
            "-o",
            s(out.path()),
            "--config",
            s(&cfg),
        ],
    );
    assert!(o.status.success(), "{}", stdout(&o));
    let o = tusch(
        work.path(),
        &[
            "redact",
            s(&input.path().join(THREE[0])),
            "-o",
            s(&out.path().join("r.pdf")),
            "--config",
            s(&cfg),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(tree(work.path()), BTreeSet::from(["tusch.toml".to_owned()]));
}

#[test]
fn redact_appends_a_redact_record_to_the_default_log() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("ut.pdf");
    let input = fixtures().join("documents").join(THREE[1]);
    let o = tusch(work.path(), &["redact", s(&input), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let log = work.path().join("tusch").join("audit.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 1);
    let l: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(l["record"]["event"], "redact");
    assert_eq!(l["record"]["input_name"], THREE[1]);
    assert_eq!(
        l["record"]["output_sha256"].as_str().unwrap(),
        tusch_audit::sha256_file(&out).unwrap()
    );
    assert!(tusch(work.path(), &["audit", "verify", s(&log)])
        .status
        .success());
}

#[test]
fn an_audit_log_that_cannot_be_written_releases_nothing() {
    let input = folder(&THREE[..1]);
    let (out, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // The log's folder is a file: the log cannot be created.
    std::fs::write(work.path().join("hinder"), b"").unwrap();
    let log = work.path().join("hinder").join("audit.jsonl");
    let cfg = config(work.path(), &format!("path = {:?}", s(&log)));
    let o = tusch(
        work.path(),
        &[
            "batch",
            s(input.path()),
            "-o",
            s(out.path()),
            "--config",
            s(&cfg),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("granskningsloggen"), "{}", stderr(&o));
    assert!(tree(out.path()).is_empty(), "{:?}", tree(out.path()));
}

#[test]
fn shards_together_are_exactly_one_whole_run() {
    let input = folder(&[
        "beslut-bistand.pdf",
        "parkering-fordon.pdf",
        "klagomal-medborgare.pdf",
        "bygglov-beslut.pdf",
        "faktura-paminnelse.pdf",
        "epost-trad.pdf",
    ]);
    let work = tempfile::tempdir().unwrap();
    let (whole, sharded) = (work.path().join("hel"), work.path().join("delad"));
    let o = tusch(
        work.path(),
        &["batch", s(input.path()), "-o", s(&whole), "--json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let all: BTreeSet<String> = json(&o)["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["input"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all.len(), 6);
    let mut seen = BTreeSet::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let o = tusch(
            work.path(),
            &[
                "batch",
                s(input.path()),
                "-o",
                s(&sharded),
                "--shard",
                &shard,
                "--json",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let j = json(&o);
        assert_eq!(j["shard"], shard.as_str());
        for d in j["documents"].as_array().unwrap() {
            assert_eq!(d["status"], "done", "{d}");
            assert!(
                seen.insert(d["input"].as_str().unwrap().to_owned()),
                "{d} in two shards"
            );
        }
    }
    assert_eq!(seen, all);
    assert_eq!(tree(&sharded), tree(&whole));
    // The same pixels: the outputs are byte-identical.
    for f in tree(&whole).iter().filter(|f| f.ends_with(".pdf")) {
        assert_eq!(
            std::fs::read(whole.join(f)).unwrap(),
            std::fs::read(sharded.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_bad_shard_is_a_usage_error() {
    let work = tempfile::tempdir().unwrap();
    for bad in ["0/4", "5/4", "2/0", "2", "a/b"] {
        let o = tusch(
            work.path(),
            &[
                "batch",
                s(work.path()),
                "-o",
                s(&work.path().join("ut")),
                "--shard",
                bad,
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        assert!(
            stderr(&o).starts_with("tusch: fel: --shard ska vara K/N"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn a_rerun_does_nothing_and_a_changed_input_is_redone() {
    let input = folder(&THREE);
    let (out, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let run = || {
        let o = tusch(
            work.path(),
            &["batch", s(input.path()), "-o", s(out.path()), "--json"],
        );
        assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
        json(&o)
    };
    let first = run();
    assert_eq!(first["totals"]["done"], 3);
    let mtimes = |dir: &Path| -> Vec<(String, SystemTime)> {
        tree(dir)
            .into_iter()
            .map(|f| {
                let m = std::fs::metadata(dir.join(&f)).unwrap().modified().unwrap();
                (f, m)
            })
            .collect()
    };
    let before = mtimes(out.path());
    std::thread::sleep(Duration::from_millis(20));
    let second = run();
    assert_eq!(second["totals"]["skipped"], 3, "{second}");
    assert_eq!(second["totals"]["done"], 0);
    assert_eq!(second["totals"]["masks"], first["totals"]["masks"]);
    assert_eq!(mtimes(out.path()), before, "a re-run rewrote a file");
    // The text summary says so too.
    let o = tusch(
        work.path(),
        &["batch", s(input.path()), "-o", s(out.path())],
    );
    assert!(
        stdout(&o).contains("0 klara, 0 misslyckade, 3 redan klara sedan tidigare"),
        "{}",
        stdout(&o)
    );

    // Another document under the same name is redone; the others are not.
    std::fs::copy(
        fixtures().join("documents/bygglov-beslut.pdf"),
        input.path().join("beslut-bistand.pdf"),
    )
    .unwrap();
    // An output that no longer verifies (its masks painted over) is redone too.
    let park = out.path().join("undermapp/parkering-fordon.pdf");
    let mut bytes = std::fs::read(&park).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0xff;
    std::fs::write(&park, bytes).unwrap();
    let third = run();
    let status: Vec<(String, String)> = third["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["input"].as_str().unwrap().to_owned(),
                d["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        status.contains(&("beslut-bistand.pdf".into(), "done".into())),
        "{status:?}"
    );
    assert!(
        status.contains(&("undermapp/parkering-fordon.pdf".into(), "done".into())),
        "{status:?}"
    );
    assert!(
        status.contains(&("klagomal-medborgare.pdf".into(), "skipped".into())),
        "{status:?}"
    );
}

#[test]
fn a_document_over_the_time_limit_fails_and_the_batch_goes_on() {
    let input = folder(&[
        "beslut-bistand.pdf",
        "scans/beslut-bistand-skannad.pdf",
        "parkering-fordon.pdf",
    ]);
    let (out, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let o = tusch(
        work.path(),
        &[
            "batch",
            s(input.path()),
            "-o",
            s(out.path()),
            "--jobs",
            "2",
            "--time-limit",
            "4",
        ],
    );
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}\n{}", stderr(&o));
    assert!(
        text.contains("3 filer (PDF och bilder): 2 klara, 1 misslyckade"),
        "{text}"
    );
    assert!(
        text.contains(
            "MISSLYCKADES: undermapp/beslut-bistand-skannad.pdf: överskred tidsgränsen på 4 s"
        ),
        "{text}"
    );
    let files = tree(out.path());
    assert!(files.contains("beslut-bistand.pdf"), "{files:?}");
    assert!(files.contains("parkering-fordon.pdf"), "{files:?}");
    assert!(!files.iter().any(|f| f.contains("skannad")), "{files:?}");
}

/// The processes whose parent is `pid`.
fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let c = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        out.extend(c.split_whitespace().filter_map(|p| p.parse::<u32>().ok()));
    }
    out
}

fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[test]
fn a_crashed_worker_fails_its_document_and_is_replaced() {
    // One worker: the scan first (sorted), then the text document.
    let input = folder(&["scans/beslut-bistand-skannad.pdf", "parkering-fordon.pdf"]);
    let (out, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let child = tusch_cmd(work.path())
        .args(["batch", s(input.path()), "-o", s(out.path()), "--jobs", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The worker is busy once it runs Tesseract on the scan: kill it then, as the OOM
    // killer would.
    let started = Instant::now();
    let worker = loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no worker running Tesseract"
        );
        let busy = children(child.id()).into_iter().find(|w| {
            children(*w)
                .iter()
                .any(|t| comm(*t).starts_with("tesseract"))
        });
        if let Some(w) = busy {
            break w;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let st = Command::new("kill")
        .args(["-KILL", &worker.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let o = child.wait_with_output().unwrap();
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}\n{}", stderr(&o));
    assert!(
        text.contains("2 filer (PDF och bilder): 1 klara, 1 misslyckade"),
        "{text}"
    );
    assert!(
        text.contains("MISSLYCKADES: beslut-bistand-skannad.pdf: arbetsprocessen dödades"),
        "{text}"
    );
    assert!(tree(out.path()).contains("undermapp/parkering-fordon.pdf"));
    assert!(part_files(out.path()).is_empty());
}

/// Starts a batch of eight documents, sends `signal` once a temporary file appears in the
/// output, and returns its exit status and what is left in the output folder.
fn interrupt_batch(signal: &str) -> (Option<i32>, Vec<String>, String) {
    let names = [
        "beslut-bistand.pdf",
        "parkering-fordon.pdf",
        "klagomal-medborgare.pdf",
        "bygglov-beslut.pdf",
        "faktura-paminnelse.pdf",
        "epost-trad.pdf",
        "elevhalsa-anteckning.pdf",
        "protokollsutdrag-ksau.pdf",
    ];
    let input = folder(&names);
    let (out, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut child: Child = tusch_cmd(work.path())
        .args(["batch", s(input.path()), "-o", s(out.path()), "--jobs", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    // While it writes: a .part file in the output; if none is caught in time, after a
    // short while anyway.
    loop {
        let parts = part_files(out.path());
        if !parts.is_empty() {
            println!("{signal} while writing {parts:?}");
            break;
        }
        if started.elapsed() > Duration::from_secs(30) || child.try_wait().unwrap().is_some() {
            println!("{signal} sent without having seen a .part file");
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let st = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let o = child.wait_with_output().unwrap();
    (o.status.code(), part_files(out.path()), stderr(&o))
}

#[test]
fn sigterm_during_writing_leaves_no_part_file() {
    let (code, parts, err) = interrupt_batch("-TERM");
    assert!(parts.is_empty(), "{parts:?}");
    assert_eq!(code, Some(143), "{err}");
    assert!(err.contains("avbruten (SIGTERM)"), "{err}");
}

#[test]
fn sigint_during_writing_leaves_no_part_file() {
    let (code, parts, err) = interrupt_batch("-INT");
    assert!(parts.is_empty(), "{parts:?}");
    assert_eq!(code, Some(130), "{err}");
}

#[test]
fn stale_part_files_are_removed_at_start_and_nothing_else() {
    let input = folder(&THREE[..1]);
    let (out, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sub = out.path().join("undermapp");
    std::fs::create_dir_all(&sub).unwrap();
    let host = tusch_engine::tempname::host_tag();
    // A process of this machine that has exited.
    let mut dead = Command::new("true").spawn().unwrap();
    let dead_pid = dead.id();
    dead.wait().unwrap();
    let old = SystemTime::now() - Duration::from_secs(3 * 24 * 3600);
    let write = |p: PathBuf, mtime: Option<SystemTime>| {
        std::fs::write(&p, b"%PDF-1.7 half-written").unwrap();
        if let Some(t) = mtime {
            std::fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
    };
    let gone = [
        sub.join(format!(".tusch-{host}-{dead_pid}-a1b2c3.pdf.part")),
        out.path().join(".tusch-Xa81kq.pdf.part"),
        out.path().join(".tusch-annanvard-4242-a1b2c3.pdf.part"),
    ];
    write(gone[0].clone(), None);
    write(gone[1].clone(), None);
    write(gone[2].clone(), Some(old));
    let kept = [
        // Another machine's, written just now: maybe still being written.
        out.path().join(".tusch-annanvard-4242-d4e5f6.pdf.part"),
        // A live process on this machine (this test).
        out.path().join(format!(
            ".tusch-{host}-{}-a1b2c3.pdf.part",
            std::process::id()
        )),
        // Not Tusch's.
        out.path().join("anteckning.part"),
        out.path().join(".tusch-notes.txt"),
    ];
    for k in &kept {
        write(k.clone(), None);
    }
    let o = tusch(
        work.path(),
        &["batch", s(input.path()), "-o", s(out.path())],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for g in &gone {
        assert!(!g.exists(), "{}", g.display());
    }
    for k in &kept {
        assert!(k.exists(), "{}", k.display());
    }
    assert!(stderr(&o).contains("tog bort 3"), "{}", stderr(&o));
}

#[test]
fn help_is_swedish_for_every_command() {
    let work = tempfile::tempdir().unwrap();
    let mut commands = vec![vec![]];
    for c in [
        "redact",
        "batch",
        "detect",
        "detect-text",
        "verify",
        "audit",
    ] {
        commands.push(vec![c]);
    }
    commands.push(vec!["audit", "verify"]);
    commands.push(vec!["audit", "export"]);
    for c in commands {
        for flag in ["-h", "--help"] {
            let mut args = c.clone();
            args.push(flag);
            let o = tusch(work.path(), &args);
            let text = stdout(&o);
            assert!(o.status.success(), "{args:?}");
            for english in [
                "Usage:",
                "Options:",
                "Arguments:",
                "Commands:",
                "Print help",
                "Print version",
                "[default",
                "[OPTIONS]",
                "command-line tool",
            ] {
                assert!(!text.contains(english), "{args:?}: {english}\n{text}");
            }
            assert!(text.contains("Användning: tusch"), "{args:?}\n{text}");
        }
    }
    // Every option has a text: no line in a flag list is a bare option.
    let o = tusch(work.path(), &["batch", "-h"]);
    for line in stdout(&o)
        .lines()
        .filter(|l| l.trim_start().starts_with('-'))
    {
        let words = line.split_whitespace().count();
        assert!(words >= 4, "option without help: {line}");
    }
}

#[test]
fn the_committed_man_page_is_current() {
    let work = tempfile::tempdir().unwrap();
    let o = tusch(work.path(), &["man"]);
    assert!(o.status.success());
    let committed = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/man/tusch.1"),
    )
    .unwrap_or_default();
    assert!(
        committed == stdout(&o),
        "docs/man/tusch.1 is stale: run `cargo run --release -p tusch-cli -- man > docs/man/tusch.1`"
    );
    assert!(committed.contains("tusch batch"));
    assert!(committed.contains("\\-\\-shard"));
}

#[test]
fn sigterm_during_redact_leaves_no_part_file() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("ut");
    std::fs::create_dir(&out).unwrap();
    // A stale file from a run killed outright goes too.
    std::fs::write(out.join(".tusch-Xa81kq.pdf.part"), b"%PDF").unwrap();
    // Sixty pages: the output is written for a while.
    let input = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../benches/data/bench-60.pdf");
    let mut child = tusch_cmd(work.path())
        .args([
            "redact",
            s(&input),
            "-o",
            s(&out.join("ut.pdf")),
            "--no-ner",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut seen = false;
    while started.elapsed() < Duration::from_secs(120) && child.try_wait().unwrap().is_none() {
        if part_files(&out).iter().any(|p| !p.contains("Xa81kq")) {
            seen = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(seen, "no temporary file while redacting");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(143), "{}", stderr(&o));
    assert!(part_files(&out).is_empty(), "{:?}", part_files(&out));
    assert!(!out.join("ut.pdf").exists());
}

#[test]
fn a_memory_limit_too_low_to_start_a_worker_is_a_clear_error() {
    let input = folder(&THREE[..1]);
    let (out, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let o = tusch(
        work.path(),
        &[
            "batch",
            s(input.path()),
            "-o",
            s(out.path()),
            "--memory-limit",
            "60",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("--memory-limit"), "{}", stderr(&o));
    assert!(part_files(out.path()).is_empty());
    assert!(!out.path().join(THREE[0]).exists());
}

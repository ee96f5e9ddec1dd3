//! Nothing is lost: a review survives the process being killed (SIGKILL, no chance to save
//! on exit). The test runs itself as a child process that opens a fixture, makes decisions
//! through the session with the app's autosaver running, waits just over one autosave
//! period, and reports; the parent then kills it and reopens the document in a fresh
//! session, which must restore every decision exactly.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tusch_core::{Category, Config, DisplayRect, MaskState};
use tusch_review::{Catalogue, Session, Store};

const CHILD_ENV: &str = "TUSCH_REVIEW_KILL_CHILD";
/// The autosave period the app uses.
const AUTOSAVE: Duration = Duration::from_millis(400);

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/documents/protokollsutdrag-ksau.pdf")
}

fn session(store: &Path) -> Session {
    Session::new(Config::default(), Catalogue::bundled(), Store::new(store))
}

fn open_and_analyse(s: &Arc<Mutex<Session>>, pdf: &Path) -> u32 {
    let id = s.lock().unwrap().open(pdf).unwrap();
    let job = s.lock().unwrap().analysis_job(id).unwrap();
    let result = job.run(&|_| {});
    s.lock().unwrap().finish_analysis(result);
    id
}

/// A fingerprint of a document's review: every mask's id, page, state, provision, rects.
fn fingerprint(s: &Session, id: u32) -> Vec<String> {
    s.view(id)
        .unwrap()
        .masks
        .iter()
        .map(|m| {
            format!(
                "{} {} {:?} {:?} {:?} {:?}",
                m.id, m.page, m.state, m.provision, m.origin, m.rects
            )
        })
        .collect()
}

/// The child: only runs when the parent sets CHILD_ENV to the store folder.
#[test]
fn child_makes_decisions_then_waits_to_be_killed() {
    let Some(store) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let pdf = PathBuf::from(std::env::var_os("TUSCH_REVIEW_KILL_PDF").unwrap());
    let s = Arc::new(Mutex::new(session(Path::new(&store))));
    tusch_review::session::spawn_autosaver(Arc::clone(&s), AUTOSAVE, |e| panic!("{e}"));
    let id = open_and_analyse(&s, &pdf);
    {
        let mut g = s.lock().unwrap();
        let masks: Vec<u64> = g.view(id).unwrap().masks.iter().map(|m| m.id).collect();
        assert!(masks.len() >= 3);
        g.set_state(id, &masks[..1], MaskState::Rejected).unwrap();
        g.set_provision(id, &masks[1..2], Some("26 kap. 1 § OSL".into()))
            .unwrap();
        g.decide_proposed(id, None, MaskState::Accepted).unwrap();
        g.add_box(
            id,
            0,
            DisplayRect {
                left: 72.0,
                top: 72.0,
                right: 200.0,
                bottom: 90.0,
            },
            Category::Other,
        )
        .unwrap();
    }
    // One autosave period and a margin: the promise is "at most about a second lost".
    std::thread::sleep(AUTOSAVE + Duration::from_millis(600));
    let fp = fingerprint(&s.lock().unwrap(), id);
    println!("READY {}", fp.len());
    for line in fp {
        println!("MASK {line}");
    }
    println!("END");
    loop {
        std::thread::sleep(Duration::from_secs(60));
    }
}

#[test]
fn a_killed_process_loses_no_decision() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let pdf = dir.path().join("protokoll.pdf");
    std::fs::copy(fixture(), &pdf).unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_makes_decisions_then_waits_to_be_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &store)
        .env("TUSCH_REVIEW_KILL_PDF", &pdf)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut expected = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(m) = line.strip_prefix("MASK ") {
            expected.push(m.to_owned());
        }
        if line == "END" {
            break;
        }
    }
    // std's Child::kill sends SIGKILL on Unix: no destructor, no exit handler runs.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(expected.len() >= 4, "child reported {expected:?}");

    let s = Arc::new(Mutex::new(session(&store)));
    let id = open_and_analyse(&s, &pdf);
    let g = s.lock().unwrap();
    assert!(matches!(
        g.doc(id).unwrap().status,
        tusch_review::document::Status::Ready { restored: true }
    ));
    assert_eq!(fingerprint(&g, id), expected);
    // The save holds no document text: not even the fixture's invented names.
    let saved = std::fs::read_to_string(g.store.path_for(&g.doc(id).unwrap().sha256)).unwrap();
    for m in g.view(id).unwrap().masks {
        if let Some(t) = m.text.filter(|t| t.trim().len() > 3) {
            assert!(!saved.contains(t.trim()), "autosave contains document text");
        }
    }
}

//! Protected identities (issue 14) through the engine: configured by `[protected] path`,
//! always masked, whatever NER, the allow-list, the threshold or the learned list say.
#![allow(clippy::unwrap_used)]

use tusch_core::Config;
use tusch_engine::tusch_keyed::{KeyedStore, Kind};
use tusch_engine::{Engine, Parts};

fn config(dir: &std::path::Path) -> Config {
    let list = dir.join("skyddade.json");
    let mut s = KeyedStore::open(&list, None).unwrap();
    s.record("Vera Lindgrund", Kind::ProtectedName, None)
        .unwrap();
    s.record("850317-2382", Kind::ProtectedPnr, None).unwrap();
    s.save().unwrap();
    let learned = dir.join("inlard.json");
    let mut l = KeyedStore::open(&learned, None).unwrap();
    for _ in 0..5 {
        l.record("Vera Lindgrund", Kind::NotPersonal, None).unwrap();
    }
    l.save().unwrap();
    Config::from_toml(&format!(
        "[ner]\nenabled = false\n[detection]\nallow = [\"Vera Lindgrund\"]\nthreshold = 1.0\ndisabled = [\"person\", \"personnummer\"]\n[protected]\npath = {:?}\n[learned]\npath = {:?}\nsuppress_after = 1\n",
        list.display().to_string(),
        learned.display().to_string()
    ))
    .unwrap()
}

#[test]
fn a_protected_name_is_masked_without_ner_and_despite_the_allow_list() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::new(config(dir.path()), Parts::default()).unwrap();
    assert!(engine.protected().is_some());
    let text = "Ansökan från VERA LINDGRUNDS ombud. Vera Lindgrund, 19850317-2382, bor kvar.";
    let found = engine.analyzer().analyze(&[text]);
    let got: Vec<(&str, &str)> = found.pages[0]
        .iter()
        .map(|f| (&text[f.span.clone()], f.explanation.detector.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("VERA LINDGRUNDS", "skyddad_identitet"),
            ("Vera Lindgrund", "skyddad_identitet"),
            ("19850317-2382", "skyddad_identitet"),
        ]
    );
    assert!(found.pages[0]
        .iter()
        .all(|f| f.is_protected() && f.score == 1.0));
}

#[test]
fn without_the_list_nothing_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.protected.path = None;
    let engine = Engine::new(c, Parts::default()).unwrap();
    let text = "Vera Lindgrund bor kvar.";
    assert!(engine.analyzer().analyze(&[text]).is_empty());
}

#[test]
fn a_list_made_with_another_secret_is_an_error_not_silence() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    let other = tempfile::tempdir().unwrap();
    c.protected.secret = Some(other.path().join("annan.key"));
    let e = Engine::new(c, Parts::default()).unwrap_err();
    assert!(matches!(e, tusch_engine::EngineError::Keyed(_)), "{e}");
}

//! The shipped model (`models/tusch-ner-sv`) through ONNX Runtime, as `tusch` runs it.
//!
//! This test needs the model and ONNX Runtime (`make setup`); it fails, with a message
//! saying so, when either is missing — it never passes without having run the model.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::OnceLock;

use tusch_core::Config;
use tusch_ner::{NerModel, RunOptions};

fn model() -> &'static NerModel {
    static MODEL: OnceLock<NerModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/tusch-ner-sv");
        assert!(
            dir.join("manifest.json").is_file(),
            "the NER model is missing: {} must hold manifest.json, model.onnx and \
             tokenizer.json (the trained model from the training branch)",
            dir.display()
        );
        NerModel::load(&dir, RunOptions::default()).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn entities(text: &str) -> Vec<(String, String)> {
    model().entities(&[text]).unwrap()[0]
        .iter()
        .map(|e| (text[e.span.clone()].to_owned(), e.kind.clone()))
        .collect()
}

#[test]
fn finds_both_names_in_a_case_note() {
    let got = entities("Handläggare Kerstin Öberg-Lind ringde till Mohammed Al-Hassan i Västerås.");
    let persons: Vec<&str> = got
        .iter()
        .filter(|(_, k)| k == "PER")
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(
        persons,
        vec!["Kerstin Öberg-Lind", "Mohammed Al-Hassan"],
        "{got:?}"
    );
}

#[test]
fn an_authority_is_not_a_person() {
    for text in [
        "Socialnämnden beslutade att bevilja ansökan.",
        "Göteborgs kommun har tagit emot er skrivelse.",
    ] {
        let got = entities(text);
        assert!(got.iter().all(|(_, k)| k != "PER"), "{text}: {got:?}");
    }
}

#[test]
fn page_text_with_line_breaks_and_a_long_page() {
    // Lines separated as in the text layer, and a page longer than one window.
    let mut page = String::from("Beslut\r\nSökande: Åsa Ängström\r\n");
    for _ in 0..60 {
        page.push_str("Nämnden har prövat ärendet enligt socialtjänstlagen och beslutar. ");
    }
    page.push_str("\r\nBeslutet har fattats av Jonas Eklund.");
    let got = entities(&page);
    let persons: Vec<&str> = got
        .iter()
        .filter(|(_, k)| k == "PER")
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(persons, vec!["Åsa Ängström", "Jonas Eklund"], "{got:?}");
}

#[test]
fn the_configured_model_loads() {
    let m = tusch_ner::load_model(&Config::default()).unwrap();
    assert_eq!(m.info().name, "tusch-ner-sv");
    assert!(model().load_time().as_secs_f64() > 0.0);
}

#[test]
fn a_page_gives_the_same_entities_whatever_pages_come_with_it() {
    // The int8 model quantises activations per call; with the default of one window per
    // call a page's result cannot depend on its neighbours.
    let a = "Beslut\r\nSökande: Åsa Ängström, Storgatan 1.\r\nHandläggare Kerstin Öberg-Lind";
    let b = "Kort.";
    let alone = model().entities(&[a]).unwrap();
    let together = model().entities(&[b, a, b]).unwrap();
    assert_eq!(alone[0], together[1]);
}

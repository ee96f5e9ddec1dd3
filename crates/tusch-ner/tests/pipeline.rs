//! The pre- and post-processing around the model, with a fake classifier and a small
//! Unigram tokenizer built like the real one (Metaspace pieces, `<s> … </s>`): windows,
//! stride, batching, BIO decoding, byte offsets with multi-byte characters, and the
//! detector inside the analyzer (name propagation from NER spans).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use tokenizers::Tokenizer;
use tusch_core::{Analyzer, Category, DetectionPolicy, Detector, Validation};
use tusch_ner::fake::FakeClassifier;
use tusch_ner::{Manifest, ModelInfo, NerDetector, NerModel, TokenClassifier};

const LABELS: [&str; 7] = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"];
const O: usize = 0;
const B_PER: usize = 1;
const I_PER: usize = 2;
const B_LOC: usize = 3;
const B_ORG: usize = 5;

/// Whole pieces the tokenizer prefers; any other text falls back to single characters.
const PIECES: &[&str] = &[
    "▁Handläggare",
    "▁Kerstin",
    "▁Öberg",
    "-",
    "Lind",
    "s",
    "▁ringde",
    "▁till",
    "▁Mohammed",
    "▁Al",
    "Hassan",
    "▁i",
    "▁Västerås",
    ".",
    "▁Socialnämnden",
    "▁beslutade",
    "▁ord",
    "▁Åsa",
    "▁Ängström",
    "▁Ovriga",
    "▁Asa",
];

fn tokenizer() -> Tokenizer {
    let mut chars: BTreeSet<char> = BTreeSet::new();
    for c in ('a'..='z').chain('A'..='Z').chain('0'..='9') {
        chars.insert(c);
    }
    chars.extend("åäöÅÄÖéü.,:;!?()-–'’\"𝔘名前😀".chars());
    let mut vocab: Vec<(String, f64)> = vec![
        ("<s>".into(), 0.0),
        ("<pad>".into(), 0.0),
        ("</s>".into(), 0.0),
        ("<unk>".into(), 0.0),
        ("▁".into(), -5.0),
    ];
    vocab.extend(PIECES.iter().map(|p| ((*p).to_owned(), -1.0)));
    for c in chars {
        if !PIECES.contains(&c.to_string().as_str()) {
            vocab.push((c.to_string(), -10.0));
        }
    }
    let special = |id: &str, n: usize| serde_json::json!({"id": id, "ids": [n], "tokens": [id]});
    let json = serde_json::json!({
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": 16, "strategy": "LongestFirst", "stride": 0},
        "padding": null,
        "added_tokens": [
            {"id": 0, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
            {"id": 1, "content": "<pad>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
            {"id": 2, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
            {"id": 3, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
        ],
        "normalizer": null,
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": "<s>", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "</s>", "type_id": 0}}
            ],
            "pair": [
                {"SpecialToken": {"id": "<s>", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "</s>", "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 0}},
                {"SpecialToken": {"id": "</s>", "type_id": 0}}
            ],
            "special_tokens": {"<s>": special("<s>", 0), "</s>": special("</s>", 2)}
        },
        "decoder": null,
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": false}
    });
    json.to_string().parse().unwrap()
}

fn manifest(max_length: usize, stride: usize) -> Manifest {
    serde_json::from_value(serde_json::json!({
        "name": "fake-ner", "version": "0", "model_file": "model.onnx", "model_sha256": "00",
        "tokenizer_file": "tokenizer.json", "tokenizer_sha256": "00", "labels": LABELS,
        "scheme": "BIO", "label_all_tokens": true, "max_length": max_length, "stride": stride,
        "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask"},
        "output": "logits"
    }))
    .unwrap()
}

fn info() -> ModelInfo {
    ModelInfo {
        name: "fake-ner".into(),
        version: "0".into(),
        model_sha256: "00".into(),
        dir: ".".into(),
    }
}

fn id(t: &Tokenizer, piece: &str) -> i64 {
    i64::from(t.token_to_id(piece).unwrap())
}

/// The usual fake: labels by piece, "Kerstin" begins a name only before "Öberg" (so other
/// occurrences are left to name propagation).
fn model_with(
    max_length: usize,
    stride: usize,
    batch: usize,
) -> (Arc<NerModel>, Arc<FakeClassifier>) {
    let t = tokenizer();
    let (kerstin, oberg, dash, lind, s) = (
        id(&t, "▁Kerstin"),
        id(&t, "▁Öberg"),
        id(&t, "-"),
        id(&t, "Lind"),
        id(&t, "s"),
    );
    let (mohammed, al, hassan) = (id(&t, "▁Mohammed"), id(&t, "▁Al"), id(&t, "Hassan"));
    let (vasteras, social, asa, angstrom) = (
        id(&t, "▁Västerås"),
        id(&t, "▁Socialnämnden"),
        id(&t, "▁Åsa"),
        id(&t, "▁Ängström"),
    );
    let fake = Arc::new(FakeClassifier::new(7, move |seq, i| {
        let next = seq.get(i + 1).copied();
        let prev = if i > 0 { seq[i - 1] } else { -1 };
        let x = seq[i];
        let label = if x == kerstin && next == Some(oberg) {
            B_PER
        } else if x == oberg || x == lind || (x == s && prev == lind) {
            I_PER
        } else if x == dash {
            // A real model sometimes misses a piece inside a name.
            O
        } else if x == mohammed || x == asa {
            B_PER
        } else if x == al || x == hassan || x == angstrom {
            I_PER
        } else if x == vasteras {
            B_LOC
        } else if x == social {
            B_ORG
        } else {
            O
        };
        (label, 5.0)
    }));
    let model = NerModel::from_parts(
        t,
        Box::new(SharedFake(fake.clone())),
        &manifest(max_length, stride),
        batch,
        info(),
    )
    .unwrap();
    (Arc::new(model), fake)
}

/// Lets a test keep a handle on the fake to inspect its batches.
struct SharedFake(Arc<FakeClassifier>);
impl TokenClassifier for SharedFake {
    fn num_labels(&self) -> usize {
        self.0.num_labels()
    }
    fn classify(&self, b: &[Vec<i64>]) -> Result<Vec<Vec<Vec<f32>>>, tusch_ner::NerError> {
        self.0.classify(b)
    }
}

fn found<'t>(model: &NerModel, text: &'t str) -> Vec<(&'t str, String)> {
    model.entities(&[text]).unwrap()[0]
        .iter()
        .map(|e| (&text[e.span.clone()], e.kind.clone()))
        .collect()
}

const SENTENCE: &str = "Handläggare Kerstin Öberg-Lind ringde till Mohammed Al-Hassan i Västerås.";

#[test]
fn names_map_to_whole_words_even_when_a_piece_is_missed() {
    let (m, _) = model_with(256, 64, 8);
    assert_eq!(
        found(&m, SENTENCE),
        vec![
            ("Kerstin Öberg-Lind", "PER".to_owned()),
            ("Mohammed Al-Hassan", "PER".to_owned()),
            ("Västerås", "LOC".to_owned()),
        ]
    );
    let e = &m.entities(&[SENTENCE]).unwrap()[0];
    assert!(e.iter().all(|e| e.score > 0.9 && e.score <= 1.0));
}

#[test]
fn byte_offsets_survive_multibyte_characters_before_the_name() {
    let (m, _) = model_with(256, 64, 8);
    let text = "😀 名前 𝔘 Åsa Ängström, ärende ö\r\nKerstin Öberg-Lind.";
    let got = found(&m, text);
    assert_eq!(
        got,
        vec![
            ("Åsa Ängström", "PER".to_owned()),
            ("Kerstin Öberg-Lind", "PER".to_owned())
        ]
    );
    let e = &m.entities(&[text]).unwrap()[0];
    let start_chars = text[..e[0].span.start].chars().count();
    assert_eq!(start_chars, 7);
}

#[test]
fn genitive_piece_is_left_out_of_the_seed() {
    let (m, _) = model_with(256, 64, 8);
    assert_eq!(
        found(&m, "Ärendet gäller Kerstin Öberg-Linds ansökan."),
        vec![("Kerstin Öberg-Lind", "PER".to_owned())]
    );
}

#[test]
fn empty_and_blank_text_give_nothing_and_cost_no_inference() {
    let (m, fake) = model_with(256, 64, 8);
    assert_eq!(m.entities(&[]).unwrap(), Vec::<Vec<_>>::new());
    let r = m.entities(&["", "   \r\n "]).unwrap();
    assert!(r.iter().all(Vec::is_empty));
    assert!(fake.batches().is_empty());
}

#[test]
fn long_text_is_windowed_and_every_name_found_once() {
    let (m, fake) = model_with(32, 8, 4);
    // 300 words with a name every 17 words, so names fall on every window position.
    let mut text = String::new();
    let mut expected = 0;
    for i in 0..300 {
        if i % 17 == 5 {
            text.push_str("Kerstin Öberg-Lind ");
            expected += 1;
        } else {
            text.push_str("ord ");
        }
    }
    let e = &m.entities(&[&text]).unwrap()[0];
    assert_eq!(e.len(), expected);
    assert!(e
        .iter()
        .all(|e| &text[e.span.clone()] == "Kerstin Öberg-Lind" && e.kind == "PER"));
    let batches = fake.batches();
    assert!(batches.len() > 3);
    assert!(batches
        .iter()
        .all(|b| b.len() <= 4 && b.iter().all(|&n| n <= 32)));
}

#[test]
fn tokens_near_a_window_edge_take_the_prediction_of_the_more_central_window() {
    // This fake only recognises "Mohammed" with 6 tokens of context on both sides, as a
    // model is weakest at the edges. With a stride of 16 every token has a window where it
    // is at least 8 tokens from an edge, so every name is found.
    let t = tokenizer();
    let mohammed = id(&t, "▁Mohammed");
    let fake = FakeClassifier::new(7, move |seq, i| {
        let margin = i.min(seq.len() - 1 - i);
        if seq[i] == mohammed && margin >= 6 {
            (B_PER, 5.0)
        } else {
            (O, 5.0)
        }
    });
    let m = NerModel::from_parts(t, Box::new(fake), &manifest(40, 16), 8, info()).unwrap();
    // Not at the very start or end of the text, where no window has context on both sides.
    let is_name = |i: usize| i % 7 == 3 && (10..390).contains(&i);
    let text: String = (0..400)
        .map(|i| if is_name(i) { "Mohammed " } else { "ord " })
        .collect();
    let names = m.entities(&[&text]).unwrap()[0].len();
    assert_eq!(names, (0..400).filter(|&i| is_name(i)).count());
}

#[test]
fn all_pages_of_a_document_are_batched_together() {
    let (m, fake) = model_with(256, 64, 3);
    let pages = [
        "Kerstin Öberg-Lind",
        "Mohammed Al-Hassan",
        "i Västerås",
        "ord",
        "",
    ];
    let r = m.entities(&pages).unwrap();
    assert_eq!(r.len(), 5);
    assert_eq!(r[1][0].kind, "PER");
    // 4 non-empty pages, 1 window each, plus the load-time warm-up none: 2 batches (3 + 1).
    let sizes: Vec<usize> = fake.batches().iter().map(Vec::len).collect();
    assert_eq!(sizes, vec![3, 1]);
}

#[test]
fn detector_maps_types_to_categories_and_explains_itself() {
    let (m, _) = model_with(256, 64, 8);
    let all = NerDetector::new(
        m.clone(),
        vec![Category::Person, Category::Location, Category::Organisation],
    );
    let text = "Socialnämnden beslutade. Mohammed Al-Hassan i Västerås.";
    let mut out = Vec::new();
    all.detect(text, &mut out);
    let got: Vec<(&str, Category, &str)> = out
        .iter()
        .map(|f| {
            (
                &text[f.span.clone()],
                f.category,
                f.explanation.rule.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("Socialnämnden", Category::Organisation, "ORG"),
            ("Mohammed Al-Hassan", Category::Person, "PER"),
            ("Västerås", Category::Location, "LOC"),
        ]
    );
    assert!(out.iter().all(|f| f.explanation.detector == "ner"
        && f.explanation.validation == Validation::NotApplicable));
    // The default: persons only.
    let persons = NerDetector::new(m, vec![Category::Person]);
    let mut out = Vec::new();
    persons.detect(text, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].category, Category::Person);
}

#[test]
fn ner_names_seed_every_occurrence_propagation() {
    let (m, _) = model_with(256, 64, 8);
    let analyzer = Analyzer::with_detectors(
        vec![Box::new(NerDetector::new(m, vec![Category::Person]))],
        DetectionPolicy::default(),
    );
    let pages = [
        "Sökande: Kerstin Öberg-Linds ansökan om bistånd.",
        "Öberg-Lind har ringt. Kerstin återkommer. KERSTIN ÖBERG-LIND skrev.",
    ];
    let f = analyzer.analyze(&pages);
    let texts: Vec<Vec<&str>> = f
        .pages
        .iter()
        .zip(pages)
        .map(|(p, t)| p.iter().map(|f| &t[f.span.clone()]).collect())
        .collect();
    assert_eq!(
        texts,
        vec![
            vec!["Kerstin Öberg-Linds"],
            vec!["Öberg-Lind", "Kerstin", "KERSTIN ÖBERG-LIND"]
        ]
    );
}

#[test]
fn a_person_made_of_ordinary_words_is_dropped_but_a_known_name_kept() {
    // This fake calls every capitalised whole-word piece a one-word person.
    let t = tokenizer();
    let persons: Vec<i64> = [
        "▁Handläggare",
        "▁Kerstin",
        "▁Ängström",
        "▁Mohammed",
        "▁Ovriga",
        "▁Asa",
    ]
    .iter()
    .map(|p| id(&t, p))
    .collect();
    let fake = FakeClassifier::new(7, move |seq, i| {
        if persons.contains(&seq[i]) {
            (B_PER, 5.0)
        } else {
            (O, 5.0)
        }
    });
    let m = NerModel::from_parts(t, Box::new(fake), &manifest(256, 64), 8, info()).unwrap();
    let d = NerDetector::new(Arc::new(m), vec![Category::Person]);
    let found = |pages: &[&str]| -> Vec<Vec<String>> {
        d.detect_pages(pages)
            .iter()
            .zip(pages)
            .map(|(fs, t)| fs.iter().map(|f| t[f.span.clone()].to_owned()).collect())
            .collect()
    };
    // "handläggare" is an ordinary word in the corpora; "Kerstin" and "Mohammed" are names
    // even where the document also writes them in lower case.
    assert_eq!(
        found(&["Handläggare\r\nKerstin ringde. Mohammed, mohammed."]),
        vec![vec!["Kerstin", "Mohammed"]]
    );
    // A word neither list knows is dropped only when the document (any page of it) also
    // writes it in lower case.
    assert_eq!(found(&["Ängström ringde."]), vec![vec!["Ängström"]]);
    assert_eq!(
        found(&["Ängström ringde.", "en ängström är en längdenhet."]),
        vec![Vec::<String>::new(), vec![]]
    );
    // OCR drops the dots of "Övriga" on a grey scan; the word is still ordinary. A name
    // that lost its ring ("Asa" for "Åsa") is no word and stays.
    assert_eq!(
        found(&["Ovriga två avgifter efterges. Asa ringde."]),
        vec![vec!["Asa"]]
    );
}

#[test]
fn a_failing_model_fails_closed() {
    struct Broken;
    impl TokenClassifier for Broken {
        fn num_labels(&self) -> usize {
            7
        }
        fn classify(&self, _: &[Vec<i64>]) -> Result<Vec<Vec<Vec<f32>>>, tusch_ner::NerError> {
            Err(tusch_ner::NerError::Inference {
                detail: "test".into(),
            })
        }
    }
    let m =
        NerModel::from_parts(tokenizer(), Box::new(Broken), &manifest(256, 64), 8, info()).unwrap();
    let d = NerDetector::new(Arc::new(m), vec![Category::Person]);
    let pages = ["  Kerstin ringde. ", ""];
    let r = d.detect_pages(&pages);
    assert_eq!(r[0].len(), 1);
    assert_eq!(&pages[0][r[0][0].span.clone()], "Kerstin ringde.");
    assert_eq!(r[0][0].explanation.rule, "inference_failed");
    assert!(r[1].is_empty());
}

#[test]
fn mismatched_classifier_is_a_typed_error() {
    let fake = FakeClassifier::new(5, |_, _| (0, 1.0));
    let e = NerModel::from_parts(tokenizer(), Box::new(fake), &manifest(256, 64), 8, info())
        .unwrap_err();
    assert!(matches!(e, tusch_ner::NerError::Shape { .. }));
}

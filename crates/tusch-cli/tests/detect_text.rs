//! `tusch detect-text` as a user runs it: one JSON line out per line in, character offsets,
//! flushed line by line; and the NER model's failure modes on the command line.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn run(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tusch"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may exit before reading (a missing model), closing the pipe early.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

fn lines(o: &Output) -> Vec<Value> {
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// (start, end, label) of each finding.
fn spans(v: &Value) -> Vec<(u64, u64, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["start"].as_u64().unwrap(),
                f["end"].as_u64().unwrap(),
                f["label"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn names_places_and_rules_with_character_offsets_one_line_each() {
    let input = "Handläggare Kerstin Öberg-Lind ringde till Mohammed Al-Hassan i Västerås.\n\
                 \n\
                 😀 Ring 070-174 06 12 eller skriv till ab1987@example.se.\r\n\
                 Kerstin Öberg-Lind återkom. Öberg-Lind är nöjd.";
    let o = run(&["detect-text"], input.as_bytes());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = lines(&o);
    assert_eq!(out.len(), 4);
    assert_eq!(
        spans(&out[0]),
        vec![
            (12, 30, "PER".into()),
            (43, 61, "PER".into()),
            (64, 72, "LOC".into())
        ]
    );
    for f in out[0].as_array().unwrap() {
        let s = f["score"].as_f64().unwrap();
        assert!((0.5..=1.0).contains(&s), "{f}");
    }
    assert_eq!(out[1], Value::Array(vec![]));
    // Offsets count characters: the emoji is one.
    assert_eq!(
        spans(&out[2]),
        vec![(7, 20, "phone".into()), (38, 55, "email".into())]
    );
    // The full name and, by propagation, the surname alone.
    assert_eq!(
        spans(&out[3]),
        vec![(0, 18, "PER".into()), (28, 38, "PER".into())]
    );
}

#[test]
fn output_is_flushed_line_by_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tusch"))
        .arg("detect-text")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    for text in ["Socialnämnden beslutade.", "Ring 070-174 06 12."] {
        writeln!(stdin, "{text}").unwrap();
        stdin.flush().unwrap();
        // The answer comes while stdin is still open.
        line.clear();
        stdout.read_line(&mut line).unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        assert!(spans(&v).iter().all(|(_, _, l)| l != "PER"), "{text}: {v}");
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn invalid_utf8_is_a_clear_error_after_the_good_lines() {
    let o = run(&["detect-text", "--no-ner"], b"ok\n\xff\xfe\nnever\n");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "[]\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("rad 2 är inte giltig UTF-8"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_missing_model_stops_with_a_swedish_error_unless_ner_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tusch.toml");
    std::fs::write(
        &config,
        format!(
            "[ner]\nmodel_dir = \"{}\"\n",
            dir.path().join("saknas").display()
        ),
    )
    .unwrap();
    let c = config.to_str().unwrap();
    let o = run(&["detect-text", "--config", c], b"Kerstin\n");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("namnmodellen") && err.contains("--no-ner"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
    // Knowingly without the model: rules only.
    let o = run(
        &["detect-text", "--config", c, "--no-ner"],
        b"Ring 070-174 06 12\n",
    );
    assert!(o.status.success());
    assert_eq!(spans(&lines(&o)[0]), vec![(5, 18, "phone".into())]);
    std::fs::write(&config, "[ner]\nenabled = false\n").unwrap();
    let o = run(&["detect-text", "--config", c], b"Ring 070-174 06 12\n");
    assert!(o.status.success());
}

#[test]
fn a_model_whose_checksum_does_not_match_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("tusch-ner-sv");
    std::fs::create_dir(&model).unwrap();
    let shipped =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/tusch-ner-sv");
    for f in ["manifest.json", "tokenizer.json"] {
        std::fs::copy(shipped.join(f), model.join(f)).unwrap();
    }
    std::fs::write(model.join("model.onnx"), b"not the model").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tusch"))
        .arg("detect-text")
        .env("TUSCH_MODEL_DIR", &model)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("kontrollsumman"), "{err}");
}

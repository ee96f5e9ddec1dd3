//! The `tusch` binary as a user runs it: bad input, batches, verification, never touching
//! the input.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tusch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusch"))
        // Audit records go to a test folder, never to the real user's log.
        .env("XDG_STATE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .args(args)
        .output()
        .unwrap()
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

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn bad_inputs_give_a_clear_one_line_error_and_no_output() {
    let cases = [
        ("encrypted.pdf", "lösenordsskyddad"),
        ("corrupt.pdf", "skadad"),
        ("truncated.pdf", "avkortad"),
        ("empty.pdf", "inga sidor"),
        ("not-a-pdf.pdf", "inte en PDF"),
        ("huge-page.pdf", "för stor"),
        ("notes.txt", "inte en PDF"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (file, expected) in cases {
        let out = dir.path().join("out.pdf");
        let o = tusch(&[
            "redact",
            s(&fixtures().join("bad").join(file)),
            "-o",
            s(&out),
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{file}: {err}");
        assert!(err.contains(expected), "{file}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{file}: {err}");
        assert!(!err.contains("panicked"), "{file}: {err}");
        assert!(
            files_in(dir.path()).is_empty(),
            "{file} left {:?}",
            files_in(dir.path())
        );
    }
}

#[test]
fn batch_of_a_mixed_folder_finishes_the_good_files_and_lists_the_bad() {
    let input = tempfile::tempdir().unwrap();
    let sub = input.path().join("underkatalog");
    std::fs::create_dir(&sub).unwrap();
    for f in ["beslut-bistand.pdf", "parkering-fordon.pdf"] {
        std::fs::copy(fixtures().join("documents").join(f), sub.join(f)).unwrap();
    }
    for f in ["encrypted.pdf", "truncated.pdf", "notes.txt"] {
        std::fs::copy(fixtures().join("bad").join(f), input.path().join(f)).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let o = tusch(&["batch", s(input.path()), "-o", s(out.path()), "--jobs", "2"]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains("4 filer (PDF och bilder): 2 klara, 2 misslyckade"),
        "{text}"
    );
    assert!(text.contains("MISSLYCKADES: encrypted.pdf"), "{text}");
    assert!(text.contains("MISSLYCKADES: truncated.pdf"), "{text}");
    assert!(
        text.contains("överhoppad (inte PDF eller bild): notes.txt"),
        "{text}"
    );
    assert_eq!(
        files_in(&out.path().join("underkatalog")),
        vec![
            "beslut-bistand.pdf",
            "beslut-bistand.pdf.json",
            "parkering-fordon.pdf",
            "parkering-fordon.pdf.json"
        ]
    );
    // The decision summary of the folder (issue 15).
    assert_eq!(files_in(out.path()), vec!["underkatalog", "underlag.pdf"]);
}

#[test]
fn batch_refuses_to_write_into_its_input_folder() {
    let input = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("documents/parkering-fordon.pdf"),
        input.path().join("a.pdf"),
    )
    .unwrap();
    let before = std::fs::read(input.path().join("a.pdf")).unwrap();
    let o = tusch(&["batch", s(input.path()), "-o", s(input.path())]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read(input.path().join("a.pdf")).unwrap(), before);
    let o = tusch(&[
        "redact",
        s(&input.path().join("a.pdf")),
        "-o",
        s(&input.path().join("./a.pdf")),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("originalfilen"), "{}", stderr(&o));
    assert_eq!(std::fs::read(input.path().join("a.pdf")).unwrap(), before);
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let o = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|_| panic!("{tool} missing: run `make setup`"));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn every_output_passes_tusch_verify_and_poppler_finds_nothing_but_images() {
    let docs = fixtures().join("documents");
    let hashes_before: Vec<Vec<u8>> = files_in(&docs)
        .iter()
        .map(|f| std::fs::read(docs.join(f)).unwrap())
        .collect();
    let out = tempfile::tempdir().unwrap();
    let o = tusch(&["batch", s(&docs), "-o", s(out.path())]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    for f in files_in(&docs) {
        let pdf = out.path().join(&f);
        let report = out.path().join(format!("{f}.json"));
        let v = tusch(&["verify", s(&pdf), "--report", s(&report)]);
        assert!(v.status.success(), "{f}: {}", stdout(&v));
        assert!(stdout(&v).contains("masks-black"), "{f}: {}", stdout(&v));
        let text = poppler("pdftotext", &[s(&pdf), "-"]);
        assert!(text.trim().is_empty(), "{f}: pdftotext found text");
        let fonts = poppler("pdffonts", &[s(&pdf)]);
        assert_eq!(
            fonts.lines().count(),
            2,
            "{f}: pdffonts lists fonts: {fonts}"
        );
        let info = poppler("pdfinfo", &[s(&pdf)]);
        for key in [
            "Title:",
            "Author:",
            "Creator:",
            "Producer:",
            "Subject:",
            "Keywords:",
        ] {
            assert!(!info.contains(key), "{f}: pdfinfo shows {key}");
        }
        assert!(info.contains("Metadata Stream: no"), "{f}: {info}");
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let images = poppler("pdfimages", &["-list", s(&pdf)]);
        assert_eq!(images.lines().count(), 2 + pages, "{f}: one image per page");
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        assert_eq!(report["pages"].as_u64().unwrap() as usize, pages);
    }
    let hashes_after: Vec<Vec<u8>> = files_in(&docs)
        .iter()
        .map(|f| std::fs::read(docs.join(f)).unwrap())
        .collect();
    assert!(hashes_before == hashes_after, "an input file changed");
}

#[test]
fn verify_rejects_text_pdfs_and_white_masks() {
    let doc = fixtures().join("documents/beslut-bistand.pdf");
    let o = tusch(&["verify", s(&doc)]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains("UNDERKÄND"), "{text}");
    assert!(text.contains("extractable text"), "{text}");
    assert!(text.contains("Font"), "{text}");

    // A report that claims a mask where the output is white must fail the check.
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("out.pdf");
    let report = dir.path().join("out.json");
    let o = tusch(&["redact", s(&doc), "-o", s(&pdf), "--report", s(&report)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut rep: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let fake = serde_json::json!({
        "rects": [{"x0": 300.0, "y0": 20.0, "x1": 360.0, "y1": 30.0}],
        "category": "other", "score": 1.0, "state": "accepted",
        "explanation": {"detector": "test", "rule": "test",
                        "validation": {"result": "not_applicable"}, "context": false}
    });
    rep["plan"]["pages"][0]["masks"]
        .as_array_mut()
        .unwrap()
        .push(fake);
    std::fs::write(&report, serde_json::to_vec(&rep).unwrap()).unwrap();
    let o = tusch(&["verify", s(&pdf), "--report", s(&report)]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("not fully black"), "{}", stdout(&o));
}

#[test]
fn verify_rejects_an_output_with_metadata_added() {
    let doc = fixtures().join("documents/parkering-fordon.pdf");
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("out.pdf");
    assert!(tusch(&["redact", s(&doc), "-o", s(&pdf)]).status.success());
    assert!(tusch(&["verify", s(&pdf)]).status.success());
    let mut d = lopdf::Document::load(&pdf).unwrap();
    let info = d.add_object(lopdf::dictionary! { "Author" => lopdf::Object::string_literal("x") });
    d.trailer.set("Info", info);
    let tampered = dir.path().join("tampered.pdf");
    d.save(&tampered).unwrap();
    let o = tusch(&["verify", s(&tampered)]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("/Info"), "{}", stdout(&o));
}

#[test]
fn detect_reports_findings_without_text_unless_asked() {
    let doc = fixtures().join("documents/beslut-bistand.pdf");
    let o = tusch(&["detect", s(&doc), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(rows.iter().any(|r| r["category"] == "personnummer"));
    assert!(rows.iter().all(|r| r.get("text").is_none()));
    assert!(!stdout(&o).contains("19870412-2384"));
    let o = tusch(&["detect", s(&doc), "--show-text"]);
    assert!(stdout(&o).contains("19870412-2384"));
}

/// Issue 10: `tusch detect --json` prints the rectangles a redaction burns (padded, widened
/// to whole words for names), not the bare character boxes.
#[test]
fn issue_10_detect_json_rectangles_are_the_burned_ones() {
    let input = fixtures().join("documents/beslut-bistand.pdf");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ut.pdf");
    let report = dir.path().join("ut.json");
    let o = tusch(&[
        "redact",
        s(&input),
        "-o",
        s(&out),
        "--report",
        s(&report),
        "--no-ner",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rep: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    // f32 values, printed through f64 by one writer and not the other: compared as f32.
    let rects = |v: &serde_json::Value| -> String {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                ["x0", "y0", "x1", "y1"]
                    .map(|k| format!("{}", r[k].as_f64().unwrap() as f32))
                    .join(",")
            })
            .collect::<Vec<_>>()
            .join(";")
    };
    let mut burned: Vec<String> = Vec::new();
    for page in rep["plan"]["pages"].as_array().unwrap() {
        for m in page["masks"].as_array().unwrap() {
            burned.push(format!("{}:{}", page["index"], rects(&m["rects"])));
        }
    }
    let o = tusch(&["detect", "--json", "--no-ner", s(&input)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut detected: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["rects"].as_array().unwrap().is_empty())
        .map(|r| format!("{}:{}", r["page"].as_u64().unwrap() - 1, rects(&r["rects"])))
        .collect();
    burned.sort();
    detected.sort();
    assert!(!burned.is_empty());
    assert_eq!(detected, burned);
}

/// Issue 10: exit codes 0 success, 1 a document failed, 2 a usage or configuration error.
#[test]
fn issue_10_exit_codes_tell_failure_from_misuse() {
    let dir = tempfile::tempdir().unwrap();
    let bad_config = dir.path().join("tusch.toml");
    std::fs::write(&bad_config, "[output]\ndpi = \"hög\"\n").unwrap();
    let input = fixtures().join("documents/beslut-bistand.pdf");
    let out = dir.path().join("ut.pdf");
    let o = tusch(&[
        "redact",
        s(&input),
        "-o",
        s(&out),
        "--config",
        s(&bad_config),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = tusch(&["redact", s(&input), "-o", s(&out), "--dpi", "5000"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = tusch(&["redact", "--no-such-option"]);
    assert_eq!(o.status.code(), Some(2));
    let o = tusch(&[
        "redact",
        s(&fixtures().join("bad/corrupt.pdf")),
        "-o",
        s(&out),
        "--no-ner",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!out.exists());
}

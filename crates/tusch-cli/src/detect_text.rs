//! `tusch detect-text`: findings in plain text, one document per line, one JSON line out
//! per line in — for evaluating the detectors on text corpora and for scripts.
//!
//! Offsets are in characters (Unicode scalar values) of the line, without its line ending
//! (`\n` or `\r\n`). Labels: `PER`, `LOC`, `ORG` for persons (the model's, the name list's
//! and propagated occurrences alike), locations and organisations; every other finding by
//! its category name (`personnummer`, `phone`, …). Each line is written and flushed before
//! the next is read, so the command can sit in a pipe.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use serde::Serialize;
use tusch_core::{Category, Finding};
use tusch_engine::Engine;

#[derive(Serialize)]
struct Row {
    start: usize,
    end: usize,
    label: &'static str,
    score: f32,
}

fn label(c: Category) -> &'static str {
    match c {
        Category::Person => "PER",
        Category::Location => "LOC",
        Category::Organisation => "ORG",
        other => other.as_str(),
    }
}

/// The findings of one line as character-offset rows.
fn rows(line: &str, found: &[Finding]) -> Vec<Row> {
    // Byte offset → character offset, for every character start and the end.
    let mut char_at = vec![0usize; line.len() + 1];
    let mut n = 0;
    for (i, c) in line.char_indices() {
        char_at[i] = n;
        n += 1;
        for k in 1..c.len_utf8() {
            char_at[i + k] = n;
        }
    }
    char_at[line.len()] = n;
    found
        .iter()
        .map(|f| Row {
            start: char_at[f.span.start],
            end: char_at[f.span.end],
            label: label(f.category),
            score: f.score,
        })
        .collect()
}

pub fn run(engine: &Engine) -> anyhow::Result<ExitCode> {
    let mut input = std::io::stdin().lock();
    let mut out = std::io::stdout().lock();
    let mut buf = Vec::new();
    let mut number = 0usize;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        number += 1;
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        let line = std::str::from_utf8(&buf).map_err(|e| {
            anyhow::anyhow!(
                "rad {number} är inte giltig UTF-8 (fel vid byte {}); spara texten som UTF-8",
                e.valid_up_to() + 1
            )
        })?;
        let found = engine.analyzer().analyze(&[line]);
        let page = found.pages.first().map(Vec::as_slice).unwrap_or_default();
        serde_json::to_writer(&mut out, &rows(line, page))?;
        writeln!(out)?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tusch_core::{Explanation, Validation};

    #[test]
    fn byte_spans_become_character_offsets() {
        let line = "Åsa Öst 😀 Ängel";
        let e = || Explanation::new("t", "t", Validation::NotApplicable);
        let a = line.find("Öst").unwrap_or(0);
        let b = line.find("Ängel").unwrap_or(0);
        let r = rows(
            line,
            &[
                Finding::new(0..a + "Öst".len(), Category::Person, 0.9, e()),
                Finding::new(b..line.len(), Category::Location, 0.7, e()),
                Finding::new(b..line.len(), Category::Phone, 0.7, e()),
            ],
        );
        assert_eq!((r[0].start, r[0].end, r[0].label), (0, 7, "PER"));
        assert_eq!((r[1].start, r[1].end, r[1].label), (10, 15, "LOC"));
        assert_eq!(r[2].label, "phone");
    }
}

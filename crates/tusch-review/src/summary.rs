//! The decision summary (underlag för beslut): which document, which pages, what category
//! was masked where and under which provision. It is filed with the decision and may be
//! released, so it never contains masked text — only categories, pages and provisions.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use tusch_core::{MaskState, RedactionPlan};

use crate::document::Document;
use crate::error::ReviewError;

/// The summary as plain text the registrar can paste into the decision.
pub fn text(doc: &Document, plan: &RedactionPlan, output: &Path) -> String {
    let mut s = String::new();
    let out_name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let _ = writeln!(s, "Underlag för beslut om maskering");
    let _ = writeln!(s);
    let _ = writeln!(s, "Handling: {}", doc.name());
    let _ = writeln!(s, "Kontrollsumma (SHA-256): {}", doc.sha256);
    let _ = writeln!(s, "Antal sidor: {}", plan.pages.len());
    let _ = writeln!(s, "Maskerad version: {out_name}");
    let (_, accepted, rejected) = doc.review.counts();
    let _ = writeln!(
        s,
        "Maskeringar: {accepted} (förslag som inte maskerades: {rejected})"
    );
    let protected = doc
        .review
        .masks()
        .iter()
        .filter(|m| m.is_protected() && m.state == MaskState::Accepted)
        .count();
    let overridden = doc
        .review
        .masks()
        .iter()
        .filter(|m| m.protected_override)
        .count();
    if protected > 0 {
        let _ = writeln!(
            s,
            "Skyddad identitet: {protected} maskeringar gäller personer med skyddad identitet"
        );
    }
    if overridden > 0 {
        let _ = writeln!(
            s,
            "Skyddad identitet: {overridden} maskeringar avvisade med avsiktligt undantag"
        );
    }
    let _ = writeln!(s);

    // Provision → category → pages.
    let mut by_provision: BTreeMap<String, BTreeMap<&'static str, Vec<usize>>> = BTreeMap::new();
    let mut whole_pages = Vec::new();
    for page in &plan.pages {
        for m in page.masks.iter().filter(|m| m.state == MaskState::Accepted) {
            let provision = m
                .provision
                .clone()
                .unwrap_or_else(|| "Ingen bestämmelse angiven".into());
            let pages = by_provision
                .entry(provision)
                .or_default()
                .entry(m.category.label_sv())
                .or_default();
            if pages.last() != Some(&(page.index + 1)) {
                pages.push(page.index + 1);
            }
            if m.explanation.rule == "hel sida" {
                whole_pages.push(page.index + 1);
            }
        }
    }
    if by_provision.is_empty() {
        let _ = writeln!(s, "Inga uppgifter har maskerats.");
    }
    for (provision, categories) in &by_provision {
        let _ = writeln!(s, "Med stöd av {provision}:");
        for (category, pages) in categories {
            let _ = writeln!(s, "  - {category}: {}", page_list(pages));
        }
        let _ = writeln!(s);
    }
    if !whole_pages.is_empty() {
        whole_pages.dedup();
        let _ = writeln!(s, "Hela sidan maskerad: {}", page_list(&whole_pages));
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "Per sida:");
    for page in &plan.pages {
        let masks: Vec<String> = page
            .masks
            .iter()
            .filter(|m| m.state == MaskState::Accepted)
            .map(|m| {
                format!(
                    "{} ({})",
                    m.category.label_sv(),
                    m.provision.as_deref().unwrap_or("ingen bestämmelse")
                )
            })
            .collect();
        if !masks.is_empty() {
            let _ = writeln!(s, "  Sida {}: {}", page.index + 1, masks.join(", "));
        }
    }
    s
}

fn page_list(pages: &[usize]) -> String {
    let word = if pages.len() == 1 { "sida" } else { "sidorna" };
    let list: Vec<String> = pages.iter().map(usize::to_string).collect();
    format!("{word} {}", list.join(", "))
}

/// Writes the summary atomically.
pub fn write(path: &Path, text: &str) -> Result<(), ReviewError> {
    let err = |source| ReviewError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".tusch-")
        .suffix(".txt.part")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(text.as_bytes()).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(err)?;
    }
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

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

/// One page of a summary: its 1-based number and, per mask, the category label and the
/// provision.
pub type PageMasks = (usize, Vec<(String, Option<String>)>);

/// One document of a decision summary: counts, categories and provisions per page — no
/// masked text.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentSummary {
    pub name: String,
    /// The input's SHA-256, when known.
    pub sha256: Option<String>,
    pub output: String,
    pub pages: usize,
    pub accepted: usize,
    /// Suggestions the registrar did not mask (the app); `None` in a batch.
    pub rejected: Option<usize>,
    /// Per page with masks (1-based): (category label, provision) per mask.
    pub per_page: Vec<PageMasks>,
    /// The engine and model versions, as recorded in the plan.
    pub engine: String,
}

impl DocumentSummary {
    /// A reviewed document of the app.
    pub fn new(doc: &Document, plan: &RedactionPlan, output: &Path) -> Self {
        let (_, _, rejected) = doc.review.counts();
        let mut s = Self::from_plan(&doc.name(), plan, output);
        s.sha256 = Some(doc.sha256.clone());
        s.rejected = Some(rejected);
        s
    }

    /// A document of a batch: every mask of the plan accepted.
    pub fn from_plan(name: &str, plan: &RedactionPlan, output: &Path) -> Self {
        let per_page: Vec<PageMasks> = plan
            .pages
            .iter()
            .map(|p| {
                (
                    p.index + 1,
                    p.masks
                        .iter()
                        .filter(|m| m.state == MaskState::Accepted)
                        .map(|m| (m.category.label_sv().to_owned(), m.provision.clone()))
                        .collect::<Vec<_>>(),
                )
            })
            .filter(|(_, m)| !m.is_empty())
            .collect();
        Self {
            name: name.to_owned(),
            sha256: None,
            output: output
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            pages: plan.pages.len(),
            accepted: per_page.iter().map(|(_, m)| m.len()).sum(),
            rejected: None,
            per_page,
            engine: plan.engine.clone(),
        }
    }
}

/// The decision summary of one request (the documents exported together, or a batch
/// folder) as a tagged PDF in Swedish: per document its pages, per page the categories and
/// provisions masked with counts, then the provisions' full wording from `catalogue` and
/// the tool and model versions. Never any masked text.
pub fn pdf(docs: &[DocumentSummary], catalogue: &crate::Catalogue) -> Vec<u8> {
    use tusch_pdf::textdoc::Block;
    let mut b = vec![Block::Title("Underlag för beslut om maskering".into())];
    b.push(Block::Paragraph(format!(
        "Handlingar: {}. Maskeringar totalt: {}.",
        docs.len(),
        docs.iter().map(|d| d.accepted).sum::<usize>()
    )));
    let mut used: std::collections::BTreeSet<String> = Default::default();
    let mut engines: std::collections::BTreeSet<String> = Default::default();
    for d in docs {
        b.push(Block::Heading(format!("Handling: {}", d.name)));
        let mut facts = format!(
            "Antal sidor: {}. Maskerad version: {}. Maskeringar: {}",
            d.pages, d.output, d.accepted
        );
        if let Some(r) = d.rejected {
            let _ = write!(facts, " (förslag som inte maskerades: {r})");
        }
        facts.push('.');
        if let Some(h) = &d.sha256 {
            let _ = write!(facts, " Kontrollsumma (SHA-256): {h}.");
        }
        b.push(Block::Paragraph(facts));
        if d.per_page.is_empty() {
            b.push(Block::Paragraph("Inga uppgifter har maskerats.".into()));
        }
        for (page, masks) in &d.per_page {
            // Category and provision → count.
            let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
            for (cat, prov) in masks {
                let prov = prov
                    .clone()
                    .unwrap_or_else(|| "ingen bestämmelse angiven".into());
                if prov != "ingen bestämmelse angiven" {
                    used.insert(prov.clone());
                }
                *counts.entry((cat.clone(), prov)).or_default() += 1;
            }
            let parts: Vec<String> = counts
                .iter()
                .map(|((cat, prov), n)| format!("{cat} ({prov}): {n}"))
                .collect();
            b.push(Block::Paragraph(format!(
                "Sida {page}: {}.",
                parts.join("; ")
            )));
        }
        if !d.engine.is_empty() {
            engines.insert(d.engine.clone());
        }
    }
    if !used.is_empty() {
        b.push(Block::Heading("Bestämmelser".into()));
        for id in &used {
            match catalogue.provisions.iter().find(|p| &p.id == id) {
                Some(p) => b.push(Block::Paragraph(format!(
                    "{} – {}: {}",
                    p.id, p.title, p.description
                ))),
                None => b.push(Block::Paragraph(id.clone())),
            }
        }
    }
    b.push(Block::Heading("Verktyg".into()));
    let mut tool = format!("Maskerat med Tusch {}.", tusch_core::VERSION);
    for e in &engines {
        let _ = write!(tool, " Motor och modell: {e}.");
    }
    b.push(Block::Paragraph(tool));
    tusch_pdf::textdoc::text_pdf("Underlag för beslut om maskering", &b)
}

/// Writes bytes atomically (the PDF summary).
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), ReviewError> {
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
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
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

fn page_list(pages: &[usize]) -> String {
    let word = if pages.len() == 1 { "sida" } else { "sidorna" };
    let list: Vec<String> = pages.iter().map(usize::to_string).collect();
    format!("{word} {}", list.join(", "))
}

/// Writes the summary atomically.
pub fn write(path: &Path, text: &str) -> Result<(), ReviewError> {
    write_bytes(path, text.as_bytes())
}

//! The redaction plan: every mask of a document, serialisable, and free of document text.
//!
//! The plan is what the batch CLI writes as its JSON report, what the desktop app will save
//! as the registrar works, and what the raster stage burns into the pixels. It stores
//! rectangles in user space of the source page ([`Rect`]) together with each page's
//! [`PageGeometry`], so it can be applied at any DPI.

use serde::{Deserialize, Serialize};

use crate::analyzer::DocumentFindings;
use crate::finding::{Category, Explanation};
use crate::geom::{PageGeometry, PixelRect, Rect};
use crate::text::PageText;

/// The version of the plan format.
pub const PLAN_FORMAT: u32 = 1;

/// Whether a mask is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaskState {
    Proposed,
    Accepted,
    Rejected,
}

/// One mask: the rectangles covering one finding (or one box the registrar drew).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mask {
    /// Rectangles in user space of the source page, padding included.
    pub rects: Vec<Rect>,
    pub category: Category,
    pub score: f32,
    pub explanation: Explanation,
    pub state: MaskState,
    /// The OSL provision the mask is made under, e.g. "26 kap. 1 § OSL".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provision: Option<String>,
}

/// The masks of one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PagePlan {
    /// 0-based page index.
    pub index: usize,
    pub geometry: PageGeometry,
    pub masks: Vec<Mask>,
}

impl PagePlan {
    /// The accepted masks' rectangles in pixels of a raster of this page at `dpi`.
    pub fn pixel_rects(&self, dpi: f32, width_px: u32, height_px: u32) -> Vec<PixelRect> {
        self.masks
            .iter()
            .filter(|m| m.state == MaskState::Accepted)
            .flat_map(|m| m.rects.iter())
            .map(|r| {
                self.geometry
                    .to_display(r)
                    .to_pixels(dpi, width_px, height_px)
            })
            .filter(|p| !p.is_empty())
            .collect()
    }
}

/// The one way a span of text becomes mask rectangles, for every caller (plans, the app's
/// "mask all occurrences", `tusch detect --json`): the characters' boxes, one per line run,
/// widened to whole words for a name (a name half masked is a name leaked), each grown by
/// `padding_pt` so no anti-aliased edge of a glyph shows beside the box. What this returns
/// is what is burned.
pub fn mask_rects(
    layer: &crate::TextLayer,
    span: &std::ops::Range<usize>,
    category: Category,
    padding_pt: f32,
) -> Vec<Rect> {
    layer
        .mask_rects_for(span, widens_to_whole_words(category))
        .iter()
        .map(|r| r.inflate(padding_pt))
        .collect()
}

/// Whether a finding of `category` is widened to the ends of the words it touches: names
/// are (the model may find "Anders" in "Anderssons"); identifiers are not (a personnummer
/// inside a longer token is masked as found).
pub fn widens_to_whole_words(category: Category) -> bool {
    category == Category::Person
}

/// Every mask of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedactionPlan {
    pub format: u32,
    /// The engine version that made the plan.
    pub engine: String,
    pub pages: Vec<PagePlan>,
}

impl RedactionPlan {
    /// The text under the accepted masks: per mask and page, each run of characters of the
    /// page's text layer whose box centre lies in one of the mask's rectangles (manual boxes
    /// included). Held in memory while an export is verified — the `searchable` profile's
    /// text layer must hold none of these — and never stored.
    pub fn masked_strings(&self, pages: &[PageText]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for page in &self.pages {
            let Some(text) = pages.iter().find(|p| p.index == page.index) else {
                continue;
            };
            let chars: Vec<(char, Option<Rect>)> = text.layer.iter().collect();
            for m in page.masks.iter().filter(|m| m.state == MaskState::Accepted) {
                let inside = |r: &Rect| {
                    let (cx, cy) = ((r.x0 + r.x1) / 2.0, (r.y0 + r.y1) / 2.0);
                    m.rects
                        .iter()
                        .any(|a| a.x0 <= cx && cx <= a.x1 && a.y0 <= cy && cy <= a.y1)
                };
                let mut run = String::new();
                for (c, r) in &chars {
                    match r {
                        Some(r) if inside(r) => run.push(*c),
                        // A space inside a run (between two masked words) stays in it.
                        None if c.is_whitespace() && !run.is_empty() => run.push(' '),
                        _ => {
                            let t = run.trim();
                            if !t.is_empty() {
                                out.push(t.to_owned());
                            }
                            run.clear();
                        }
                    }
                }
                let t = run.trim();
                if !t.is_empty() {
                    out.push(t.to_owned());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Turns findings into masks by looking up each finding's character boxes. `accept`
    /// decides each mask's initial state (the batch CLI accepts everything the policy kept).
    pub fn from_findings(
        pages: &[PageText],
        findings: &DocumentFindings,
        padding_pt: f32,
        state: MaskState,
    ) -> Self {
        let pages = pages
            .iter()
            .zip(findings.pages.iter())
            .map(|(page, found)| PagePlan {
                index: page.index,
                geometry: page.geometry,
                masks: found
                    .iter()
                    .filter_map(|f| {
                        let rects = mask_rects(&page.layer, &f.span, f.category, padding_pt);
                        (!rects.is_empty()).then(|| Mask {
                            rects,
                            category: f.category,
                            score: f.score,
                            explanation: f.explanation.clone(),
                            state,
                            provision: None,
                        })
                    })
                    .collect(),
            })
            .collect();
        Self {
            format: PLAN_FORMAT,
            engine: concat!("tusch ", env!("CARGO_PKG_VERSION")).to_owned(),
            pages,
        }
    }

    /// Accepted masks per category, for summaries.
    pub fn accepted_counts(&self) -> std::collections::BTreeMap<Category, usize> {
        let mut m = std::collections::BTreeMap::new();
        for mask in self.pages.iter().flat_map(|p| &p.masks) {
            if mask.state == MaskState::Accepted {
                *m.entry(mask.category).or_insert(0) += 1;
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::finding::{Finding, Validation};
    use crate::geom::Rotation;
    use crate::text::TextLayer;

    /// Issue 15: the text under accepted masks, for the searchable profile's verifier —
    /// runs of masked characters, a space between two masked words kept, a rejected mask's
    /// text left out.
    #[test]
    fn masked_strings_are_the_text_under_accepted_masks() {
        let mut layer = TextLayer::new();
        for (i, c) in "Anna Berg bor i Ankeby".chars().enumerate() {
            let x = 100.0 + 10.0 * i as f32;
            layer.push(c, (c != ' ').then(|| Rect::new(x, 500.0, x + 8.0, 512.0)));
        }
        let page = PageText {
            index: 0,
            geometry: PageGeometry {
                crop: Rect::new(0.0, 0.0, 600.0, 800.0),
                rotation: Rotation::R0,
            },
            layer,
        };
        let findings = DocumentFindings {
            pages: vec![vec![
                Finding::new(
                    0..9,
                    Category::Person,
                    1.0,
                    Explanation::new("t", "t", Validation::NotApplicable),
                ),
                Finding::new(
                    16..22,
                    Category::Location,
                    1.0,
                    Explanation::new("t", "t", Validation::NotApplicable),
                ),
            ]],
        };
        let mut plan = RedactionPlan::from_findings(
            std::slice::from_ref(&page),
            &findings,
            0.5,
            MaskState::Accepted,
        );
        assert_eq!(
            plan.masked_strings(std::slice::from_ref(&page)),
            ["Ankeby", "Anna Berg"]
        );
        plan.pages[0].masks[1].state = MaskState::Rejected;
        assert_eq!(plan.masked_strings(&[page]), ["Anna Berg"]);
    }

    #[test]
    fn finding_becomes_padded_mask_in_user_space() {
        let mut layer = TextLayer::new();
        for (i, c) in "ab 12".chars().enumerate() {
            let x = 100.0 + 10.0 * i as f32;
            layer.push(c, (c != ' ').then(|| Rect::new(x, 500.0, x + 8.0, 512.0)));
        }
        let page = PageText {
            index: 0,
            geometry: PageGeometry {
                crop: Rect::new(0.0, 0.0, 600.0, 800.0),
                rotation: Rotation::R0,
            },
            layer,
        };
        let findings = DocumentFindings {
            pages: vec![vec![Finding::new(
                3..5,
                Category::Other,
                1.0,
                Explanation::new("t", "t", Validation::NotApplicable),
            )]],
        };
        let plan = RedactionPlan::from_findings(&[page], &findings, 1.0, MaskState::Accepted);
        let m = &plan.pages[0].masks[0];
        assert_eq!(m.rects, vec![Rect::new(129.0, 499.0, 149.0, 513.0)]);
        let px = plan.pages[0].pixel_rects(72.0, 600, 800);
        assert_eq!(
            px,
            vec![PixelRect {
                x0: 129,
                y0: 287,
                x1: 149,
                y1: 301
            }]
        );
        let json = serde_json::to_string(&plan).unwrap();
        assert!(json.contains("\"state\":\"accepted\""));
    }
}

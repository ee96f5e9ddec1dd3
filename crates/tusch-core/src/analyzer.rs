//! The analyzer: runs the detectors over a document and applies the policy.
//!
//! The order is fixed and each step is a function of its own, so the GUI and the tests can
//! reason about them one at a time:
//!
//! 1. run every detector on every page;
//! 2. add deny-list matches (every occurrence, case-insensitive, genitive included);
//! 3. drop disabled categories and findings below the threshold;
//! 4. drop allow-listed text, then what a [`Suppressor`] (the learned list of `tusch-keyed`)
//!    says the registrars keep rejecting;
//! 5. propagate person names: every other occurrence of a found name — the full name, the
//!    first name alone, the surname alone, genitive forms — is flagged too, on every page;
//! 6. merge overlapping findings.
//!
//! Findings from the list of protected identities ([`Finding::is_protected`]) pass steps 3
//! and 4 untouched: a protected identity is masked whatever the threshold, the disabled
//! categories, the allow-list or the learned list say. Validated identifiers
//! ([`Finding::is_validated_identifier`]) are never suppressed either.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::detect::util::is_standalone;
use crate::detect::{default_detectors, Detector};
use crate::finding::{Category, Explanation, Finding, Validation};
use crate::policy::DetectionPolicy;

/// Findings for one document, one vector per page (in page order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentFindings {
    pub pages: Vec<Vec<Finding>>,
}

impl DocumentFindings {
    pub fn len(&self) -> usize {
        self.pages.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Drops findings the registrars have consistently rejected (step 4).
///
/// The analyzer never asks about protected identities or validated identifiers. An
/// implementation must not log or keep the text it sees.
pub trait Suppressor: Send + Sync {
    /// A stable name, for `Debug`.
    fn name(&self) -> &'static str;

    /// Whether `finding` over `text` (the page's text) should be dropped.
    fn suppress(&self, text: &str, finding: &Finding) -> bool;
}

/// Detectors plus the policy that filters their findings.
pub struct Analyzer {
    detectors: Vec<Box<dyn Detector>>,
    policy: DetectionPolicy,
    suppressors: Vec<Box<dyn Suppressor>>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.detectors.iter().map(|d| d.name()).collect();
        let suppressors: Vec<_> = self.suppressors.iter().map(|s| s.name()).collect();
        f.debug_struct("Analyzer")
            .field("detectors", &names)
            .field("suppressors", &suppressors)
            .field("policy", &self.policy)
            .finish()
    }
}

impl Analyzer {
    /// The rule-based detectors with the given policy.
    pub fn new(policy: DetectionPolicy) -> Self {
        Self::with_detectors(default_detectors(), policy)
    }

    pub fn with_detectors(detectors: Vec<Box<dyn Detector>>, policy: DetectionPolicy) -> Self {
        Self {
            detectors,
            policy,
            suppressors: Vec::new(),
        }
    }

    /// Adds a suppressor (e.g. the learned list), applied after the allow-list.
    pub fn push_suppressor(&mut self, suppressor: Box<dyn Suppressor>) {
        self.suppressors.push(suppressor);
    }

    /// Adds a detector (e.g. the NER model) after the rule-based ones.
    pub fn push_detector(&mut self, detector: Box<dyn Detector>) {
        self.detectors.push(detector);
    }

    pub fn policy(&self) -> &DetectionPolicy {
        &self.policy
    }

    pub fn detector_names(&self) -> Vec<&'static str> {
        self.detectors.iter().map(|d| d.name()).collect()
    }

    /// Runs the whole pipeline over the pages' texts.
    pub fn analyze(&self, pages: &[&str]) -> DocumentFindings {
        self.analyze_with_doubts(pages, &[])
    }

    /// [`Analyzer::analyze`] for pages read with OCR: `doubts[i]` are the byte ranges of
    /// page `i`'s text that OCR read with low confidence ([`crate::TextLayer::uncertain_spans`];
    /// missing pages have none). Uncertain words shaped like an identifier or following a
    /// personal-data label become findings in step 1 ([`crate::detect::ocr_doubt`]) and go
    /// through the same threshold, allow-list and merging as every other finding.
    pub fn analyze_with_doubts(
        &self,
        pages: &[&str],
        doubts: &[Vec<Range<usize>>],
    ) -> DocumentFindings {
        let mut found = self.run_detectors(pages);
        // A weekday or month next to a number, a mail header's field name, a form label made
        // of ordinary words: not a person, whichever detector said so (and so never
        // propagated to the rest of the document).
        for (text, f) in pages.iter().zip(found.iter_mut()) {
            f.retain(|x| {
                x.is_protected()
                    || x.category != Category::Person
                    || !(crate::lexicon::is_not_a_name(text, &x.span)
                        || text
                            .get(x.span.clone())
                            .is_some_and(crate::lexicon::only_ordinary_words))
            });
        }
        for ((text, f), d) in pages.iter().zip(found.iter_mut()).zip(doubts) {
            f.extend(crate::detect::ocr_doubt::findings(text, d));
        }
        for (text, f) in pages.iter().zip(found.iter_mut()) {
            f.extend(deny_list_matches(text, &self.policy.deny));
        }
        for f in &mut found {
            self.apply_threshold(f);
        }
        for (text, f) in pages.iter().zip(found.iter_mut()) {
            apply_allow_list(text, f, &self.policy.allow);
            self.apply_suppressors(text, f);
        }
        if self.policy.propagate_names {
            let extra = propagate_names(pages, &found);
            for ((text, f), more) in pages.iter().zip(found.iter_mut()).zip(extra) {
                let mut more = more;
                apply_allow_list(text, &mut more, &self.policy.allow);
                self.apply_suppressors(text, &mut more);
                f.extend(more);
            }
        }
        for f in &mut found {
            *f = merge_overlaps(std::mem::take(f));
        }
        DocumentFindings { pages: found }
    }

    /// Step 1: every detector on every page.
    pub fn run_detectors(&self, pages: &[&str]) -> Vec<Vec<Finding>> {
        let mut out: Vec<Vec<Finding>> = vec![Vec::new(); pages.len()];
        for d in &self.detectors {
            for (page, findings) in out.iter_mut().zip(d.detect_pages(pages)) {
                page.extend(findings);
            }
        }
        // A second reading for the number detectors, with the letters OCR reads for digits
        // ("1987O412-2384") written back; only findings over a changed token are new.
        for (text, page) in pages.iter().zip(out.iter_mut()) {
            let Some((folded, changed)) = crate::detect::ocr_digits::fold(text) else {
                continue;
            };
            for d in self.detectors.iter().filter(|d| d.reads_numbers()) {
                let mut more = Vec::new();
                d.detect(&folded, &mut more);
                page.extend(more.into_iter().filter_map(|mut f| {
                    let changed_inside = changed
                        .iter()
                        .any(|c| c.start < f.span.end && f.span.start < c.end);
                    changed_inside.then(|| {
                        f.explanation.rule.push_str("_ocr");
                        f
                    })
                }));
            }
        }
        for (text, page) in pages.iter().zip(out.iter_mut()) {
            // A detector bug must never turn into a panic when the span is sliced later.
            page.retain(|f| {
                f.span.start < f.span.end
                    && f.span.end <= text.len()
                    && text.is_char_boundary(f.span.start)
                    && text.is_char_boundary(f.span.end)
            });
        }
        out
    }

    fn apply_threshold(&self, findings: &mut Vec<Finding>) {
        let p = &self.policy;
        findings.retain(|f| {
            f.is_protected() || (f.score >= p.threshold && !p.disabled.contains(&f.category))
        });
    }

    /// Step 4, second half: what the suppressors drop, never a protected identity or a
    /// validated identifier.
    fn apply_suppressors(&self, text: &str, findings: &mut Vec<Finding>) {
        if self.suppressors.is_empty() {
            return;
        }
        findings.retain(|f| {
            f.is_protected()
                || f.is_validated_identifier()
                || !self.suppressors.iter().any(|s| s.suppress(text, f))
        });
    }
}

/// Case-insensitive, whole-word occurrences of `needle` in `text`, each extended over a
/// genitive ending (`s`, `'s`, `’s`, `:s`). Whitespace in the needle matches any run of
/// whitespace in the text, including line breaks.
pub fn find_occurrences(text: &str, needle: &str) -> Vec<Range<usize>> {
    find_occurrences_in(&LowerMap::new(text), text, needle)
}

/// [`find_occurrences`] with the lower-cased text prepared once, for searching many
/// needles in one page (name propagation searches hundreds).
fn find_occurrences_in(lower_map: &LowerMap, text: &str, needle: &str) -> Vec<Range<usize>> {
    let words: Vec<String> = needle.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = lower_map.lower[from..].find(words[0].as_str()) {
        let start_l = from + pos;
        from = start_l + words[0].len().max(1);
        let mut end_l = start_l + words[0].len();
        let mut ok = true;
        for w in &words[1..] {
            let rest = &lower_map.lower[end_l..];
            let ws = rest.len() - rest.trim_start().len();
            if ws == 0 || !rest[ws..].starts_with(w.as_str()) {
                ok = false;
                break;
            }
            end_l += ws + w.len();
        }
        if !ok {
            continue;
        }
        let (Some(start), Some(mut end)) = (lower_map.to_orig(start_l), lower_map.to_orig(end_l))
        else {
            continue;
        };
        end += genitive_len(&text[end..]);
        if is_standalone(text, &(start..end)) {
            out.push(start..end);
        }
    }
    out
}

/// Length of a genitive ending at the start of `rest`, if the ending is followed by a
/// word boundary.
fn genitive_len(rest: &str) -> usize {
    for suffix in ["s", "S", "'s", "'S", "’s", "’S", ":s", ":S"] {
        if let Some(after) = rest.strip_prefix(suffix) {
            if after.chars().next().is_none_or(|c| !c.is_alphanumeric()) {
                return suffix.len();
            }
        }
    }
    0
}

/// A lower-cased copy of a text with a map back to the original byte offsets (lower-casing
/// can change a character's length).
struct LowerMap {
    lower: String,
    /// (offset in lower, offset in original) at each character start, plus the end.
    map: Vec<(usize, usize)>,
}

impl LowerMap {
    fn new(text: &str) -> Self {
        let mut lower = String::with_capacity(text.len());
        let mut map = Vec::with_capacity(text.len() + 1);
        for (i, c) in text.char_indices() {
            map.push((lower.len(), i));
            lower.extend(c.to_lowercase());
        }
        map.push((lower.len(), text.len()));
        Self { lower, map }
    }

    fn to_orig(&self, lower_off: usize) -> Option<usize> {
        self.map
            .binary_search_by(|(l, _)| l.cmp(&lower_off))
            .ok()
            .map(|i| self.map[i].1)
    }
}

/// Step 2: the deny-list.
pub fn deny_list_matches(text: &str, deny: &[String]) -> Vec<Finding> {
    deny.iter()
        .flat_map(|entry| find_occurrences(text, entry))
        .map(|span| {
            Finding::new(
                span,
                Category::Other,
                1.0,
                Explanation::new("deny_list", "configured", Validation::NotApplicable),
            )
        })
        .collect()
}

/// Step 4: drops findings whose text is allow-listed or lies inside an allow-listed
/// occurrence.
pub fn apply_allow_list(text: &str, findings: &mut Vec<Finding>, allow: &[String]) {
    if allow.is_empty() {
        return;
    }
    let allowed: Vec<Range<usize>> = allow
        .iter()
        .flat_map(|a| find_occurrences(text, a))
        .collect();
    findings.retain(|f| {
        f.is_protected()
            || !allowed
                .iter()
                .any(|a| a.start <= f.span.start && f.span.end <= a.end)
    });
}

/// Step 5: every occurrence of every found person name, on every page.
///
/// Seeds are the person findings that survived the threshold. From each seed the full name
/// and each of its parts (the first name alone, the surname alone) are searched; a part must
/// start with a capital letter in the text, so that a name which is also an ordinary word
/// ("Sten", "Björn") is not masked where it is used as that word.
pub fn propagate_names(pages: &[&str], found: &[Vec<Finding>]) -> Vec<Vec<Finding>> {
    let mut full_names: BTreeSet<String> = BTreeSet::new();
    let mut parts: BTreeSet<String> = BTreeSet::new();
    let mut seed_score = 1.0f32;
    for (text, findings) in pages.iter().zip(found) {
        for f in findings.iter().filter(|f| f.category == Category::Person) {
            let name = strip_genitive(&text[f.span.clone()]);
            let words: Vec<&str> = name
                .split(|c: char| c.is_whitespace())
                .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
                .collect();
            if words.is_empty() {
                continue;
            }
            seed_score = seed_score.min(f.score);
            // A one-word name is searched as a part only: capitalised, so that a seed which
            // is also a word ("Fordon" at a line start) is not masked where it is that word.
            if words.len() > 1 {
                full_names.insert(words.join(" ").to_lowercase());
            }
            for w in words {
                if !NAME_PARTICLES.contains(&w.to_lowercase().as_str()) {
                    parts.insert(w.to_lowercase());
                }
            }
        }
    }
    let score = seed_score.max(0.6);
    pages
        .iter()
        .map(|text| {
            let lower_map = LowerMap::new(text);
            let mut out = Vec::new();
            for (names, rule) in [(&full_names, "full_name"), (&parts, "name_part")] {
                for n in names {
                    for span in find_occurrences_in(&lower_map, text, n) {
                        let starts_upper = text[span.clone()]
                            .chars()
                            .next()
                            .is_some_and(char::is_uppercase);
                        if rule == "name_part" && !starts_upper {
                            continue;
                        }
                        out.push(Finding::new(
                            span,
                            Category::Person,
                            score,
                            Explanation::new("name_propagation", rule, Validation::NotApplicable),
                        ));
                    }
                }
            }
            out
        })
        .collect()
}

/// Particles that are part of a name but never a name on their own.
const NAME_PARTICLES: &[&str] = &[
    "von", "af", "de", "van", "der", "den", "la", "le", "di", "da",
];

fn strip_genitive(name: &str) -> &str {
    let name = name.trim();
    for suffix in ["'s", "’s", ":s"] {
        if let Some(s) = name.strip_suffix(suffix) {
            return s;
        }
    }
    name
}

/// Step 6: overlapping findings become one ([`crate::finding::merge_overlaps`]).
pub use crate::finding::merge_overlaps;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    struct FixedPerson(&'static str);
    impl Detector for FixedPerson {
        fn name(&self) -> &'static str {
            "fixed_person"
        }
        fn detect(&self, text: &str, out: &mut Vec<Finding>) {
            if let Some(s) = text.find(self.0) {
                out.push(Finding::new(
                    s..s + self.0.len(),
                    Category::Person,
                    0.9,
                    Explanation::new("fixed_person", "test", Validation::NotApplicable),
                ));
            }
        }
    }

    fn texts<'a>(f: &DocumentFindings, pages: &[&'a str]) -> Vec<Vec<&'a str>> {
        f.pages
            .iter()
            .zip(pages)
            .map(|(p, t)| p.iter().map(|f| &t[f.span.clone()]).collect())
            .collect()
    }

    #[test]
    fn found_name_is_propagated_to_parts_genitive_and_other_pages() {
        let pages = [
            "Sökande: Åsa Lindqvist\r\nÅsa Lindqvists ansökan",
            "Lindqvist har ringt. ÅSA har lämnat in. En lindqvist i skogen.",
        ];
        let a = Analyzer::with_detectors(
            vec![Box::new(FixedPerson("Åsa Lindqvist"))],
            DetectionPolicy::default(),
        );
        let f = a.analyze(&pages);
        assert_eq!(
            texts(&f, &pages),
            vec![
                vec!["Åsa Lindqvist", "Åsa Lindqvists"],
                vec!["Lindqvist", "ÅSA"]
            ]
        );
    }

    /// OCR read a 0 as O and a 1 as l: the numbers are still found, from the folded
    /// reading, and say so; ordinary words with those letters are not numbers.
    #[test]
    fn numbers_with_letters_ocr_misread_are_found_on_a_second_reading() {
        let pages =
            ["Personnummer 1987O412-2384. Ring O70-l74 06 05. Vitamin B12, SOS Alarm, lgh 1102."];
        let a = Analyzer::new(DetectionPolicy::default());
        let f = a.analyze(&pages);
        let found: Vec<(&str, String)> = f.pages[0]
            .iter()
            .map(|x| (&pages[0][x.span.clone()], x.explanation.rule.clone()))
            .collect();
        assert!(
            found.contains(&("1987O412-2384", "yyyymmdd-nnnn_ocr".to_owned())),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|(t, r)| *t == "O70-l74 06 05" && r.ends_with("_ocr")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .all(|(t, _)| !t.contains("B12") && !t.contains("SOS")),
            "{found:?}"
        );
        // A misread digit that breaks the Luhn check is not rescued by folding.
        let pages = ["Ärende 1987O412-2385 i tabellen"];
        assert!(a.analyze(&pages).pages[0].is_empty());
    }

    #[test]
    fn a_one_word_seed_is_propagated_only_where_capitalised() {
        // (An ordinary word such as "Fordon" is no longer a person at all: the seed is a
        // word no list knows.)
        let pages = [
            "Tallbo: Volvo",
            "Nämnden flyttade tallboet. Inga tallbo. Tallbo igen.",
        ];
        let a = Analyzer::with_detectors(
            vec![Box::new(FixedPerson("Tallbo"))],
            DetectionPolicy::default(),
        );
        let f = a.analyze(&pages);
        assert_eq!(texts(&f, &pages), vec![vec!["Tallbo"], vec!["Tallbo"]]);
    }

    #[test]
    fn deny_list_matches_every_occurrence_with_genitive() {
        let text = "Kalle Anka ringde. KALLE ANKAS bil. Kalle\r\nAnka igen. Kalle Ankan nej.";
        let spans = deny_list_matches(text, &["kalle anka".into()]);
        let got: Vec<_> = spans.iter().map(|f| &text[f.span.clone()]).collect();
        assert_eq!(got, vec!["Kalle Anka", "KALLE ANKAS", "Kalle\r\nAnka"]);
    }

    #[test]
    fn allow_list_removes_staff_names() {
        let pages = ["Handläggare: Åsa Lindqvist"];
        let policy = DetectionPolicy {
            allow: vec!["åsa lindqvist".into()],
            ..DetectionPolicy::default()
        };
        let a = Analyzer::with_detectors(vec![Box::new(FixedPerson("Åsa Lindqvist"))], policy);
        assert!(a.analyze(&pages).is_empty());
    }

    #[test]
    fn threshold_and_disabled_categories_filter() {
        let pages = ["Åsa Lindqvist"];
        let policy = DetectionPolicy {
            threshold: 0.95,
            ..DetectionPolicy::default()
        };
        let a = Analyzer::with_detectors(vec![Box::new(FixedPerson("Åsa Lindqvist"))], policy);
        assert!(a.analyze(&pages).is_empty());
        let policy = DetectionPolicy {
            disabled: vec![Category::Person],
            ..DetectionPolicy::default()
        };
        let a = Analyzer::with_detectors(vec![Box::new(FixedPerson("Åsa Lindqvist"))], policy);
        assert!(a.analyze(&pages).is_empty());
    }

    #[test]
    fn overlaps_merge_to_the_stronger_category() {
        let e = || Explanation::new("t", "t", Validation::NotApplicable);
        let merged = merge_overlaps(vec![
            Finding::new(0..10, Category::Phone, 0.6, e()),
            Finding::new(5..15, Category::Personnummer, 0.99, e()),
            Finding::new(20..25, Category::Email, 0.9, e()),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].span, 0..15);
        assert_eq!(merged[0].category, Category::Personnummer);
    }

    #[test]
    fn bad_spans_from_a_detector_are_dropped_not_panicking() {
        struct Bad;
        impl Detector for Bad {
            fn name(&self) -> &'static str {
                "bad"
            }
            fn detect(&self, _text: &str, out: &mut Vec<Finding>) {
                let e = Explanation::new("bad", "bad", Validation::NotApplicable);
                out.push(Finding::new(1..2, Category::Other, 1.0, e.clone()));
                out.push(Finding::new(5..500, Category::Other, 1.0, e));
            }
        }
        let a = Analyzer::with_detectors(vec![Box::new(Bad)], DetectionPolicy::default());
        assert!(a.analyze(&["åäö"]).is_empty());
    }
}

//! The masks of one document under review and their history.
//!
//! Every change goes through [`Review::change`], which snapshots the masks for undo and marks
//! the review dirty for the autosaver. Snapshots are whole mask lists: a document has at most
//! a few thousand masks, so a copy costs microseconds and undo can never drift from the state.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use tusch_core::{Category, Explanation, MaskState, Rect, Validation};

/// How many changes can be undone.
const UNDO_LIMIT: usize = 500;

/// Where a mask came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A detector's suggestion.
    Detected,
    /// A box the registrar drew, or text the registrar selected.
    Manual,
    /// Added by "mask all occurrences".
    Occurrence,
    /// A whole page.
    Page,
}

/// One mask under review. Holds rectangles and a byte span into the page's text layer —
/// never the text itself, so the autosave file carries no document text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewMask {
    pub id: u64,
    /// 0-based page index.
    pub page: usize,
    /// Rectangles in user space of the source page, padding included.
    pub rects: Vec<Rect>,
    pub category: Category,
    pub score: f32,
    pub explanation: Explanation,
    pub state: MaskState,
    /// The OSL provision chosen for this mask; `None` means the category's default.
    #[serde(default)]
    pub provision: Option<String>,
    pub origin: Origin,
    /// The masked characters as a byte range into the page's text layer, when known.
    #[serde(default)]
    pub span: Option<Range<usize>>,
    /// A protected identity the registrar rejected with a deliberate override: a manual
    /// decision on record (and in the decision summary).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub protected_override: bool,
}

impl ReviewMask {
    /// Whether the mask covers a protected identity (`[protected]`).
    pub fn is_protected(&self) -> bool {
        self.explanation.detector == tusch_core::PROTECTED_DETECTOR
    }
}

impl ReviewMask {
    /// A mask the registrar made by hand: accepted at once.
    pub fn manual(page: usize, rects: Vec<Rect>, category: Category, origin: Origin) -> Self {
        let rule = match origin {
            Origin::Page => "hel sida",
            Origin::Occurrence => "alla förekomster",
            _ => "manuell",
        };
        Self {
            id: 0,
            page,
            rects,
            category,
            score: 1.0,
            explanation: Explanation::new("registrator", rule, Validation::NotApplicable),
            state: MaskState::Accepted,
            provision: None,
            origin,
            span: None,
            protected_override: false,
        }
    }
}

/// The review of one document: masks and undo/redo history.
#[derive(Debug, Clone, Default)]
pub struct Review {
    masks: Vec<ReviewMask>,
    next_id: u64,
    undo: Vec<Vec<ReviewMask>>,
    redo: Vec<Vec<ReviewMask>>,
    dirty: bool,
}

impl Review {
    /// A review of the given masks (ids are assigned here), not dirty.
    pub fn new(masks: Vec<ReviewMask>) -> Self {
        let mut r = Self::default();
        for mut m in masks {
            m.id = r.next_id;
            r.next_id += 1;
            r.masks.push(m);
        }
        r
    }

    /// A review restored from a save: ids are kept as saved.
    pub fn restored(masks: Vec<ReviewMask>) -> Self {
        let next_id = masks.iter().map(|m| m.id + 1).max().unwrap_or(0);
        Self {
            masks,
            next_id,
            ..Self::default()
        }
    }

    pub fn masks(&self) -> &[ReviewMask] {
        &self.masks
    }

    pub fn mask(&self, id: u64) -> Option<&ReviewMask> {
        self.masks.iter().find(|m| m.id == id)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Whether there are changes the autosaver has not written yet.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    pub fn mark_saved(&mut self) {
        self.dirty = false;
    }

    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// How many masks are in each state: (proposed, accepted, rejected).
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for m in &self.masks {
            match m.state {
                MaskState::Proposed => c.0 += 1,
                MaskState::Accepted => c.1 += 1,
                MaskState::Rejected => c.2 += 1,
            }
        }
        c
    }

    /// Applies `f` to the masks as one undoable change. Returns whether anything changed;
    /// a change that changes nothing leaves no history entry.
    pub fn change(&mut self, f: impl FnOnce(&mut Vec<ReviewMask>, &mut u64)) -> bool {
        let before = self.masks.clone();
        f(&mut self.masks, &mut self.next_id);
        if self.masks == before {
            return false;
        }
        self.undo.push(before);
        if self.undo.len() > UNDO_LIMIT {
            self.undo.remove(0);
        }
        self.redo.clear();
        self.dirty = true;
        true
    }

    /// Sets the state of the given masks.
    pub fn set_state(&mut self, ids: &[u64], state: MaskState) -> bool {
        self.change(|masks, _| {
            for m in masks.iter_mut().filter(|m| ids.contains(&m.id)) {
                m.state = state;
            }
        })
    }

    /// Whether setting `ids` to `state` would reject a protected identity.
    pub fn rejects_protected(&self, ids: &[u64], state: MaskState) -> bool {
        state == MaskState::Rejected
            && self
                .masks
                .iter()
                .any(|m| ids.contains(&m.id) && m.is_protected() && m.state != MaskState::Rejected)
    }

    /// Rejects protected identities deliberately: the override is kept on each mask.
    pub fn override_protected(&mut self, ids: &[u64]) -> bool {
        self.change(|masks, _| {
            for m in masks.iter_mut().filter(|m| ids.contains(&m.id)) {
                if m.is_protected() {
                    m.protected_override = true;
                }
                m.state = MaskState::Rejected;
            }
        })
    }

    /// Decides every still proposed mask (of one category, or all). Decisions already made
    /// are kept: "accept all" after rejecting one keeps that one rejected.
    pub fn decide_proposed(&mut self, category: Option<Category>, state: MaskState) -> bool {
        self.change(|masks, _| {
            for m in masks.iter_mut().filter(|m| {
                m.state == MaskState::Proposed && category.is_none_or(|c| m.category == c)
            }) {
                // "Reject all" never rejects a protected identity: it is accepted instead.
                m.state = if m.is_protected() {
                    MaskState::Accepted
                } else {
                    state
                };
            }
        })
    }

    /// Sets (or, with `None`, resets to the category default) the provision of masks.
    pub fn set_provision(&mut self, ids: &[u64], provision: Option<String>) -> bool {
        self.change(|masks, _| {
            for m in masks.iter_mut().filter(|m| ids.contains(&m.id)) {
                m.provision = provision.clone();
            }
        })
    }

    /// Adds masks; returns their ids.
    pub fn add(&mut self, new: Vec<ReviewMask>) -> Vec<u64> {
        let mut ids = Vec::new();
        self.change(|masks, next_id| {
            for mut m in new {
                m.id = *next_id;
                *next_id += 1;
                ids.push(m.id);
                masks.push(m);
            }
        });
        ids
    }

    /// Replaces a mask's rectangles (the registrar dragged its edges).
    pub fn set_rects(&mut self, id: u64, rects: Vec<Rect>) -> bool {
        self.change(|masks, _| {
            if let Some(m) = masks.iter_mut().find(|m| m.id == id) {
                m.rects = rects;
            }
        })
    }

    /// Removes a mask the registrar made (detected ones are rejected instead, so the
    /// decision stays on record).
    pub fn remove(&mut self, id: u64) -> bool {
        self.change(|masks, _| masks.retain(|m| m.id != id || m.origin == Origin::Detected))
    }

    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some(prev) => {
                self.redo.push(std::mem::replace(&mut self.masks, prev));
                self.dirty = true;
                true
            }
            None => false,
        }
    }

    pub fn redo(&mut self) -> bool {
        match self.redo.pop() {
            Some(next) => {
                self.undo.push(std::mem::replace(&mut self.masks, next));
                self.dirty = true;
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn detected(page: usize, category: Category) -> ReviewMask {
        ReviewMask {
            origin: Origin::Detected,
            state: MaskState::Proposed,
            ..ReviewMask::manual(
                page,
                vec![Rect::new(1.0, 1.0, 5.0, 5.0)],
                category,
                Origin::Detected,
            )
        }
    }

    fn review() -> Review {
        Review::new(vec![
            detected(0, Category::Personnummer),
            detected(0, Category::Person),
            detected(1, Category::Person),
        ])
    }

    #[test]
    fn accept_all_keeps_rejections() {
        let mut r = review();
        assert!(r.set_state(&[1], MaskState::Rejected));
        assert!(r.decide_proposed(None, MaskState::Accepted));
        let states: Vec<_> = r.masks().iter().map(|m| m.state).collect();
        assert_eq!(
            states,
            [
                MaskState::Accepted,
                MaskState::Rejected,
                MaskState::Accepted
            ]
        );
        assert_eq!(r.counts(), (0, 2, 1));
    }

    #[test]
    fn category_decision_touches_only_that_category() {
        let mut r = review();
        r.decide_proposed(Some(Category::Person), MaskState::Rejected);
        assert_eq!(r.counts(), (1, 0, 2));
    }

    #[test]
    fn undo_and_redo_walk_the_history() {
        let mut r = review();
        let start = r.masks().to_vec();
        r.set_state(&[0], MaskState::Accepted);
        let after_one = r.masks().to_vec();
        r.add(vec![ReviewMask::manual(
            1,
            vec![Rect::new(0.0, 0.0, 9.0, 9.0)],
            Category::Other,
            Origin::Manual,
        )]);
        assert_eq!(r.masks().len(), 4);
        assert!(r.undo());
        assert_eq!(r.masks(), after_one.as_slice());
        assert!(r.undo());
        assert_eq!(r.masks(), start.as_slice());
        assert!(!r.undo());
        assert!(r.redo());
        assert!(r.redo());
        assert_eq!(r.masks().len(), 4);
        assert!(!r.redo());
    }

    #[test]
    fn a_new_change_clears_redo_and_no_op_leaves_no_history() {
        let mut r = review();
        r.set_state(&[0], MaskState::Accepted);
        r.undo();
        assert!(r.can_redo());
        assert!(!r.set_state(&[0], MaskState::Proposed), "already proposed");
        assert!(r.can_redo(), "a no-op must not clear redo");
        r.set_state(&[2], MaskState::Rejected);
        assert!(!r.can_redo());
    }

    #[test]
    fn ids_are_unique_after_restore() {
        let mut r = review();
        r.set_state(&[0], MaskState::Accepted);
        let restored = Review::restored(r.masks().to_vec());
        let mut r2 = restored;
        let ids = r2.add(vec![ReviewMask::manual(
            0,
            vec![Rect::new(0.0, 0.0, 9.0, 9.0)],
            Category::Other,
            Origin::Manual,
        )]);
        assert_eq!(ids, vec![3]);
        assert!(!r2.can_undo() || r2.masks().len() == 4);
    }

    #[test]
    fn detected_masks_are_never_removed_only_rejected() {
        let mut r = review();
        assert!(!r.remove(0));
        let ids = r.add(vec![ReviewMask::manual(
            0,
            vec![Rect::new(0.0, 0.0, 9.0, 9.0)],
            Category::Other,
            Origin::Manual,
        )]);
        assert!(r.remove(ids[0]));
        assert_eq!(r.masks().len(), 3);
    }

    fn protected() -> ReviewMask {
        ReviewMask {
            explanation: Explanation::new(
                tusch_core::PROTECTED_DETECTOR,
                "skyddad identitet",
                Validation::NotApplicable,
            ),
            ..detected(0, Category::Person)
        }
    }

    /// Issue 14: a protected identity cannot be rejected without a deliberate override,
    /// and "reject all" accepts it instead.
    #[test]
    fn a_protected_identity_is_not_rejected_by_accident() {
        let mut r = Review::new(vec![protected(), detected(0, Category::Person)]);
        assert!(r.rejects_protected(&[0], MaskState::Rejected));
        assert!(!r.rejects_protected(&[1], MaskState::Rejected));
        assert!(!r.rejects_protected(&[0], MaskState::Accepted));
        r.decide_proposed(None, MaskState::Rejected);
        assert_eq!(r.mask(0).unwrap().state, MaskState::Accepted);
        assert_eq!(r.mask(1).unwrap().state, MaskState::Rejected);
        assert!(r.override_protected(&[0]));
        let m = r.mask(0).unwrap();
        assert_eq!((m.state, m.protected_override), (MaskState::Rejected, true));
        // The override is saved with the review.
        let saved = serde_json::to_string(m).unwrap();
        assert!(saved.contains("\"protected_override\":true"), "{saved}");
    }
}

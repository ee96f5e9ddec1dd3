//! Matching: every token n-gram of a page (1 to [`MAX_TOKENS`] tokens), normalised and
//! hashed, looked up in a store; a hit is the byte span from its first token's start to
//! its last token's end.

use std::ops::Range;

use crate::normalize::{join, tokens, MAX_TOKENS};
use crate::store::{Counts, KeyedStore};

/// One n-gram of a page that has an entry in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub span: Range<usize>,
    pub counts: Counts,
}

/// Every n-gram of `text` with an entry in `store`.
pub fn hits(store: &KeyedStore, text: &str) -> Vec<Hit> {
    if store.is_empty() {
        return Vec::new();
    }
    let toks = tokens(text);
    let mut out = Vec::new();
    for i in 0..toks.len() {
        for n in 1..=MAX_TOKENS.min(toks.len() - i) {
            let gram = &toks[i..i + n];
            let counts = store.counts(&store.hash(&join(gram)));
            if counts != Counts::default() {
                out.push(Hit {
                    span: gram[0].span.start..gram[n - 1].span.end,
                    counts,
                });
            }
        }
    }
    out
}

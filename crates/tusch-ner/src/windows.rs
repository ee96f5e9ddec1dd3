//! Sliding windows over a page's tokens.
//!
//! A page is usually longer than the model's window (`max_length` tokens, the special tokens
//! included). Windows of `width` tokens overlap by `stride` tokens; the last window is
//! aligned to the end of the page so that every window is full. A token seen by two windows
//! takes its prediction from the one where it is farthest from an edge, where the model has
//! the most context on both sides.

use std::ops::Range;

/// Token ranges of the windows covering `n` tokens.
///
/// `width` must be positive; `stride` is clamped below `width`.
pub fn plan(n: usize, width: usize, stride: usize) -> Vec<Range<usize>> {
    let width = width.max(1);
    if n <= width {
        // One window over the whole text (none for an empty one).
        return std::iter::once(0..n).filter(|_| n > 0).collect();
    }
    let step = width - stride.min(width - 1);
    let mut out = Vec::new();
    let mut start = 0;
    while start + width < n {
        out.push(start..start + width);
        start += step;
    }
    out.push(n - width..n);
    out
}

/// For each token, the index of the window it takes its prediction from.
pub fn assign(n: usize, windows: &[Range<usize>]) -> Vec<usize> {
    let mut best: Vec<(usize, usize)> = vec![(0, 0); n];
    let mut seen = vec![false; n];
    for (wi, w) in windows.iter().enumerate() {
        for t in w.clone() {
            // Distance to the nearer edge of the window.
            let margin = (t - w.start).min(w.end - 1 - t);
            if !seen[t] || margin > best[t].1 {
                best[t] = (wi, margin);
                seen[t] = true;
            }
        }
    }
    best.into_iter().map(|(w, _)| w).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::single_range_in_vec_init)]
    use super::*;

    #[test]
    fn short_text_is_one_window_and_empty_none() {
        assert_eq!(plan(0, 254, 64), Vec::<Range<usize>>::new());
        assert_eq!(plan(5, 254, 64), [0..5]);
        assert_eq!(plan(254, 254, 64), [0..254]);
    }

    #[test]
    fn long_text_windows_overlap_by_stride_and_end_at_the_end() {
        let w = plan(600, 254, 64);
        assert_eq!(w, vec![0..254, 190..444, 346..600]);
        for pair in w.windows(2) {
            assert!(pair[0].end - pair[1].start >= 64);
        }
        // Every window is full and every token covered.
        assert!(w.iter().all(|r| r.len() == 254));
        let a = assign(600, &w);
        assert_eq!(a.len(), 600);
    }

    #[test]
    fn overlapping_tokens_take_the_window_where_they_are_farthest_from_an_edge() {
        let w = plan(600, 254, 64);
        let a = assign(600, &w);
        // Token 200 is 53 from window 0's end but only 10 from window 1's start.
        assert_eq!(a[200], 0);
        // Token 240: 13 from window 0's end, 50 from window 1's start.
        assert_eq!(a[240], 1);
        assert_eq!(a[0], 0);
        assert_eq!(a[599], 2);
        // The switch happens in the middle of the overlap (190..254).
        let switch = (1..600).find(|&t| a[t] == 1).unwrap();
        assert_eq!(switch, 222);
    }

    #[test]
    fn stride_as_large_as_the_window_still_advances() {
        let w = plan(10, 4, 9);
        assert_eq!(w.first(), Some(&(0..4)));
        assert_eq!(w.last(), Some(&(6..10)));
    }
}

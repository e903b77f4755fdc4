//! Choosing a child, portable version: a branch-free prefix sum over the 8 counts (the loop
//! unrolls to adds and conditional moves).

use super::FAN;

/// See [`super::choose`].
#[inline(always)]
pub(super) fn choose(counts: [u32; FAN], r: u32) -> (usize, u32) {
    let (mut acc, mut below, mut child) = (0u32, 0u32, 0usize);
    for c in counts {
        acc = acc.wrapping_add(c);
        let before = acc <= r;
        below = if before { acc } else { below };
        child += usize::from(before);
    }
    (child.min(FAN - 1), below)
}

/// See [`super::choose_word`].
#[inline(always)]
pub(super) fn choose_word(words: [u64; FAN], r: u32) -> (usize, u32) {
    choose(words.map(u64::count_ones), r)
}

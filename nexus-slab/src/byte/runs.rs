//! [`RunTree`]: for every power-of-two stretch of a region's pages, the free pages at its
//! start, at its end, and its longest free run, so the lowest run of `n` free pages is found
//! in one descent (O(log pages)) however fragmented the region is.
//!
//! ```text
//!   node 1 (all pages)            pre / suf / max over its stretch
//!   node 2, node 3                 parent = combine(left, right)
//!   …
//!   leaves: one per 64-page word of the pool bitmap, read from that word
//! ```
//! The pool [`Bitmap`] stays the truth about which page is free; the tree summarizes it. A
//! single-page change (a class page taken or returned, the common case) only marks its leaf
//! stale in a second, small `Bitmap` (one bit per leaf); stale leaves are re-read, and their
//! ancestors recomputed, before the next run search. So class churn pays one bit, and a run
//! search pays for the leaves that changed since the last one.

use crate::bitmap::Bitmap;
use core::mem::size_of;

/// Pages per leaf: one level-0 word of the pool bitmap.
const LEAF: usize = 64;

/// Summary of a stretch of pages.
///
/// Invariant (when its leaf is not stale): `pre`, `suf` count the free pages at the start and
/// end of the stretch, `max` its longest free run; pages past the region count as taken.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
#[repr(C)]
pub(crate) struct Node {
    pre: u32,
    suf: u32,
    max: u32,
}

impl Node {
    /// The node over a 64-page leaf whose taken pages are the set bits of `taken`.
    fn leaf(taken: u64) -> Node {
        let free = !taken;
        let mut max = 0;
        let mut x = free;
        while x != 0 {
            x >>= x.trailing_zeros();
            let run = x.trailing_ones();
            max = max.max(run);
            x = x.checked_shr(run).unwrap_or(0);
        }
        Node {
            pre: free.trailing_ones(),
            suf: free.leading_ones(),
            max,
        }
    }

    /// The node over two adjacent stretches of `half` pages each.
    fn combine(l: Node, r: Node, half: u32) -> Node {
        Node {
            pre: if l.pre == half { half + r.pre } else { l.pre },
            suf: if r.suf == half { half + l.suf } else { r.suf },
            max: l.max.max(r.max).max(l.suf + r.pre),
        }
    }
}

/// The run summary tree of one region.
///
/// Invariants:
/// - `nodes` holds `2 × leaves` nodes (index 0 unused, 1 the root, `leaves + l` leaf `l`);
///   `leaves` is a power of two, at least `⌈pages / 64⌉`;
/// - every node whose stretch holds no stale leaf keeps [`Node`]'s invariant;
/// - `stale` has one bit per real leaf: set ⇔ that leaf (and its ancestors) may be out of date.
pub(crate) struct RunTree {
    nodes: *mut Node,
    leaves: usize,
    pages: usize,
    stale: Bitmap,
}

impl RunTree {
    fn shape(pages: usize) -> (usize, usize) {
        let words = pages.div_ceil(LEAF).max(1);
        (words, words.next_power_of_two())
    }

    /// Bytes of storage for a tree over `pages` pages (`pages <= MAX_PAGES`, so that every
    /// run length, up to `64 × leaves <= 2³¹`, fits a `u32`), aligned to 8.
    pub(crate) fn bytes_needed(pages: usize) -> usize {
        let (words, leaves) = Self::shape(pages);
        Bitmap::bytes_needed(words as u32) + (2 * leaves * size_of::<Node>()).next_multiple_of(8)
    }

    /// A tree over `pages` pages, all free, in `storage`.
    ///
    /// # Safety
    /// `storage` is valid for reads and writes of `bytes_needed(pages)` bytes, aligned to 8,
    /// used by nothing else and alive while the tree lives.
    pub(crate) unsafe fn in_place(storage: *mut u8, pages: usize) -> RunTree {
        let (words, leaves) = Self::shape(pages);
        // SAFETY: the first `Bitmap::bytes_needed(words)` bytes, 8-aligned (caller).
        let stale = unsafe { Bitmap::in_place(storage.cast(), words as u32) };
        // SAFETY: the nodes follow, inside the storage; 8-aligned, so 4-aligned.
        let nodes = unsafe { storage.add(Bitmap::bytes_needed(words as u32)) }.cast::<Node>();
        let tree = RunTree {
            nodes,
            leaves,
            pages,
            stale,
        };
        for l in 0..leaves {
            // SAFETY: `leaves + l < 2 × leaves`.
            unsafe { nodes.add(leaves + l).write(Node::leaf(tree.padding(l))) };
        }
        let mut half = LEAF as u32;
        let mut level = leaves;
        while level > 1 {
            for i in level / 2..level {
                // SAFETY: `2i + 1 < 2 × leaves`, children written before parents.
                unsafe {
                    nodes
                        .add(i)
                        .write(Node::combine(tree.node(2 * i), tree.node(2 * i + 1), half))
                };
            }
            half *= 2;
            level /= 2;
        }
        // SAFETY: index 0 is unused but inside the storage: give it a defined value.
        unsafe { nodes.write(Node::default()) };
        tree
    }

    /// Bits of leaf `l` that are past the region (taken for the tree's purposes).
    fn padding(&self, l: usize) -> u64 {
        let first = l * LEAF;
        if first >= self.pages {
            u64::MAX
        } else if self.pages - first >= LEAF {
            0
        } else {
            u64::MAX << (self.pages - first)
        }
    }

    #[inline(always)]
    fn node(&self, i: usize) -> Node {
        debug_assert!(i < 2 * self.leaves);
        // SAFETY: `i < 2 × leaves` (callers), initialized in `in_place`.
        unsafe { *self.nodes.add(i) }
    }

    /// Page `i` changed in the pool bitmap: its leaf is stale until the next [`Self::settle`].
    #[inline(always)]
    pub(crate) fn mark(&self, page: usize) {
        let leaf = page / LEAF;
        // Usually already stale (churn keeps hitting the same leaves): one bit test.
        if !self.stale.contains(leaf) {
            self.stale.occupy(leaf);
        }
    }

    /// Re-reads every stale leaf from `map` and recomputes its ancestors.
    pub(crate) fn settle(&mut self, map: &Bitmap) {
        let mut from = 0;
        while let Some(l) = self.stale.next_occupied(from) {
            self.stale.release(l, false);
            self.refresh(l, map);
            from = l + 1;
        }
    }

    /// Re-reads leaf `l` from `map` and recomputes its ancestors, stopping where nothing
    /// changes.
    fn refresh(&mut self, l: usize, map: &Bitmap) {
        // SAFETY: `l < ⌈pages / 64⌉`, a level-0 word of `map` (which indexes `pages` pages).
        let taken = unsafe { map.word(l) } | self.padding(l);
        let mut i = self.leaves + l;
        let mut node = Node::leaf(taken);
        let mut half = LEAF as u32;
        loop {
            if self.node(i) == node {
                return;
            }
            // SAFETY: `i < 2 × leaves`.
            unsafe { self.nodes.add(i).write(node) };
            if i == 1 {
                return;
            }
            let sibling = self.node(i ^ 1);
            let (left, right) = if i % 2 == 0 {
                (node, sibling)
            } else {
                (sibling, node)
            };
            node = Node::combine(left, right, half);
            half *= 2;
            i /= 2;
        }
    }

    /// Marks pages `first..first + n` changed and settles at once.
    pub(crate) fn refresh_pages(&mut self, first: usize, n: usize, map: &Bitmap) {
        for l in first / LEAF..=(first + n - 1) / LEAF {
            self.stale.release(l, false);
            self.refresh(l, map);
        }
    }

    /// The lowest page starting `n >= 1` free pages, or `None`. The tree must be settled.
    pub(crate) fn first_fit(&self, n: usize, map: &Bitmap) -> Option<usize> {
        let n32 = u32::try_from(n).ok()?;
        if self.node(1).max < n32 {
            return None;
        }
        let (mut i, mut start, mut len) = (1, 0, self.leaves * LEAF);
        while i < self.leaves {
            let half = len / 2;
            let (l, r) = (self.node(2 * i), self.node(2 * i + 1));
            if l.max >= n32 {
                i *= 2;
            } else if l.suf + r.pre >= n32 {
                return Some(start + half - l.suf as usize);
            } else {
                i = 2 * i + 1;
                start += half;
            }
            len = half;
        }
        // A leaf whose longest run is at least `n`, so `n <= 64`: the lowest bit starting `n`
        // free ones (bit p survives the shifts ⇔ bits p .. p + n are all free).
        let l = i - self.leaves;
        // SAFETY: `l < ⌈pages / 64⌉` (its node has free pages, so it is a real leaf).
        let mut m = !(unsafe { map.word(l) } | self.padding(l));
        let mut k = 1;
        while k < n {
            let s = (n - k).min(k);
            m &= m >> s;
            k += s;
        }
        debug_assert!(m != 0);
        Some(start + m.trailing_zeros() as usize)
    }

    /// Checks every node against the bitmap (tests only). The tree must be settled.
    #[cfg(test)]
    pub(crate) fn check(&self, map: &Bitmap) {
        let words = self.pages.div_ceil(LEAF).max(1);
        for l in 0..self.leaves {
            assert!(l >= words || !self.stale.contains(l), "leaf {l} is stale");
            let taken = if l < words {
                // SAFETY: a real leaf's word.
                (unsafe { map.word(l) }) | self.padding(l)
            } else {
                u64::MAX
            };
            assert_eq!(self.node(self.leaves + l), Node::leaf(taken), "leaf {l}");
        }
        let mut half = LEAF as u32;
        let mut level = self.leaves;
        while level > 1 {
            for i in level / 2..level {
                let expect = Node::combine(self.node(2 * i), self.node(2 * i + 1), half);
                assert_eq!(self.node(i), expect, "node {i}");
            }
            half *= 2;
            level /= 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_slab_test_support::Rng;

    #[test]
    fn leaf_summaries() {
        assert_eq!(
            Node::leaf(0),
            Node {
                pre: 64,
                suf: 64,
                max: 64
            }
        );
        assert_eq!(Node::leaf(u64::MAX), Node::default());
        let n = Node::leaf(0b1000_0110 | (1 << 63));
        assert_eq!(
            n,
            Node {
                pre: 1,
                suf: 0,
                max: 55
            }
        );
    }

    #[test]
    fn first_fit_matches_a_linear_scan() {
        let pages = if cfg!(miri) { 300 } else { 5000 };
        let mut store = std::vec![0u64; Bitmap::bytes_needed(pages as u32) / 8];
        let mut tree_store = std::vec![0u64; RunTree::bytes_needed(pages) / 8];
        // SAFETY: both vectors cover the bytes needed, aligned, outlive their users, and are
        // touched by nothing else meanwhile.
        let (map, mut tree) = unsafe {
            (
                Bitmap::in_place(store.as_mut_ptr(), pages as u32),
                RunTree::in_place(tree_store.as_mut_ptr().cast(), pages),
            )
        };
        tree.check(&map);
        let mut rng = nexus_slab_test_support::rng(0x1234_5678_9ABC_DEF1u64);
        for step in 0..if cfg!(miri) { 300 } else { 20_000 } {
            let x = rng.next_u64();
            let i = (x >> 20) as usize % pages;
            if x % 2 == 0 {
                map.occupy(i);
            } else {
                map.release(i, false);
            }
            tree.mark(i);
            if step % 7 == 0 {
                tree.settle(&map);
                for n in [1, 2, 3, 5, 64, 65, 200] {
                    let expect = (0..pages.saturating_sub(n - 1))
                        .find(|&s| (s..s + n).all(|p| !map.contains(p)));
                    assert_eq!(tree.first_fit(n, &map), expect, "step {step}, n {n}");
                }
            }
        }
        tree.settle(&map);
        tree.check(&map);
        drop((map, tree));
        drop((store, tree_store));
    }
}

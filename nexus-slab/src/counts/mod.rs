//! [`Counts`]: population counts over a [`Bitmap`]'s level-0 words, so the `r`-th set bit
//! (in index order) is found in O(levels) — the core of uniform random sampling
//! (feature `rand`).
//!
//! ```text
//!  level 1   [ 21 | 40 | 0 | ... ]        one u32 per 8 level-0 groups (4096 indices)
//!  level 0   [ 3 | 0 | 18 | 0 | ... ]     one u32 per group of 8 level-0 words (512 indices)
//!  bitmap    [w0 w1 .. w7][w8 .. w15]...  popcount of a word: its own count
//! ```
//! Every level has fan-out 8, so a node's children are 8 consecutive `u32`s (half a cache
//! line) and choosing a child is a branch-free prefix sum over them, with no mispredicted
//! exits (`sse2.rs` on x86_64, `scalar.rs` elsewhere). The top level has at most 8 entries;
//! their sum is the bitmap's population, which the owner already keeps, so there is no root.
//! A select is one choice per level, one over the popcounts of 8 words, one select-in-word.
//!
//! Cost on the owner's hot path, once the counts are active (from the first pick; before it,
//! one predicted branch): per insert or remove, one read-modify-write of a counter per
//! level, `⌈log₈(capacity / 64)⌉ − 1` levels (3 at 2¹⁶ slots, 4 at 2²⁰, 5 at 2²⁴).
//!
//! The bitmap knows nothing of this structure: only the typed slabs update it, after each
//! successful `acquire`/`release`/`set`, and only when the `rand` feature is on. The plain
//! bitmap's hot path (also the per-thread allocator's) stays free of counting.
//!
//! Like the bitmap, the counters live in one zeroed [`Region`] written only through its raw
//! pointer, so updates take `&self`.

use crate::bitmap::{Bitmap, GROUP};
use crate::memory::{MemOptions, Region};
use crate::Error;
use core::cell::Cell;

/// Children per node; equal to the bitmap's group so the bottom level reads whole groups.
const FAN: usize = GROUP;
/// `log2(FAN)`.
const FAN_SHIFT: u32 = FAN.trailing_zeros();
/// `log2` of the indices one level-0 counter covers: 8 words of 64 bits.
const BASE_SHIFT: u32 = 6 + FAN_SHIFT;
/// Enough levels for 2³² indices: 2³² / 2⁹ = 8⁸ counters at level 0, at most 8 at the top.
const MAX_LEVELS: usize = 8;

/// Population counts for one [`Bitmap`].
///
/// Invariants (for the bitmap this was made for, `capacity` indices, `W = ⌈capacity / 64⌉`
/// level-0 words):
/// - `level[j]` for `j < levels` has `⌈W / 8^(j+1)⌉` counters padded with zeros to a
///   multiple of 16 (at least 16), 64-byte aligned, all inside `region`;
/// - while `active`: counter `e` of level `j` equals the number of set bits among indices
///   `[e << shift(j), (e + 1) << shift(j))` with `shift(j) = 9 + 3j`, whenever no method of
///   the owner is running (the owner updates it right after every bitmap change). Until the
///   first pick the counts are inactive and not maintained: a slab that is never sampled pays
///   one predictable branch per insert and remove, not the counters (the `rand` feature is
///   then nearly free, which matters since any crate in a build can turn it on);
/// - `levels` is the least number of levels whose top has at most 8 counters (0 when
///   `W <= 8`: the top is then the level-0 words themselves).
pub(crate) struct Counts {
    level: [*mut u32; MAX_LEVELS],
    levels: usize,
    /// Maintained (and consistent with the bitmap) since the first [`Counts::activate`].
    active: Cell<bool>,
    region: Region,
}

impl Counts {
    /// All-zero counts for a bitmap of `capacity` indices; commits the counters covering the
    /// first `prefault` indices.
    pub(crate) fn new(capacity: u32, prefault: u32, opts: MemOptions) -> Result<Counts, Error> {
        let words = (capacity as usize).div_ceil(64).max(1);
        let mut sizes = [0usize; MAX_LEVELS];
        let (mut levels, mut n) = (0, words);
        while n > FAN {
            n = n.div_ceil(FAN);
            sizes[levels] = n.next_multiple_of(16);
            levels += 1;
        }
        debug_assert!(levels <= MAX_LEVELS);
        let total: usize = sizes.iter().sum();
        let region = Region::reserve(total * 4, 64, opts)?;
        let base = region.as_ptr().cast::<u32>();
        let mut level = [core::ptr::null_mut(); MAX_LEVELS];
        let mut at = 0;
        for (j, &size) in sizes.iter().enumerate().take(levels) {
            // SAFETY: `at + size <= total`: the level lies inside the region.
            level[j] = unsafe { base.add(at) };
            let covered = (prefault as usize).div_ceil(1 << (BASE_SHIFT + FAN_SHIFT * j as u32));
            // SAFETY: the region is fresh.
            unsafe { region.prefault(at * 4, covered * 4) }?;
            at += size;
        }
        Ok(Counts {
            level,
            levels,
            active: Cell::new(false),
            region,
        })
    }

    /// Brings the counts in line with `map` (the bitmap they follow) and keeps them so from
    /// now on: the first pick pays one pass over the bitmap's non-empty words.
    #[inline]
    pub(crate) fn activate(&self, map: &Bitmap) {
        if !self.active.get() {
            self.rebuild(map);
        }
    }

    #[cold]
    #[inline(never)]
    fn rebuild(&self, map: &Bitmap) {
        // The counters are all zero: nothing was counted while inactive.
        let mut w = 0;
        while let Some(found) = map.next_nonempty_word(w) {
            // SAFETY: `next_nonempty_word` returns words in range.
            let ones = unsafe { map.word(found) }.count_ones();
            self.bump_all(found as u32 * 64, ones);
            w = found + 1;
        }
        self.active.set(true);
    }

    /// Index `idx` was just set in the bitmap.
    #[inline(always)]
    pub(crate) fn add(&self, idx: u32) {
        if self.active.get() {
            self.bump_all(idx, 1);
        }
    }

    /// Index `idx` was just cleared in the bitmap.
    #[inline(always)]
    pub(crate) fn sub(&self, idx: u32) {
        if self.active.get() {
            self.bump_all(idx, u32::MAX);
        }
    }

    /// Adds `delta` (1, or -1 as `u32::MAX`, wrapping) to the counter over `idx` at every
    /// level: per level one load of the level's pointer, one shift, one read-modify-write.
    /// Out of line, so that a slab that never samples (counts inactive) carries only the
    /// `active` test in its inlined insert and remove.
    #[cold]
    #[inline(never)]
    fn bump_all(&self, idx: u32, delta: u32) {
        let bump = |j: usize| {
            let e = (idx >> (BASE_SHIFT + FAN_SHIFT * j as u32)) as usize;
            // SAFETY: callers pass `j < levels`; `idx < capacity`, so `e` is a counter of
            // level j (type invariant); written through the region's pointer. A decrement
            // follows a set bit's clearing, so the counter is at least 1.
            unsafe {
                let c = self.level[j].add(e);
                *c = (*c).wrapping_add(delta);
            }
        };
        // Unrolled by level count (a jump, then straight-line code): cheaper than a loop.
        match self.levels {
            0 => {}
            1 => bump(0),
            2 => (0..2).for_each(bump),
            3 => (0..3).for_each(bump),
            4 => (0..4).for_each(bump),
            5 => (0..5).for_each(bump),
            6 => (0..6).for_each(bump),
            7 => (0..7).for_each(bump),
            _ => (0..MAX_LEVELS).for_each(bump),
        }
    }

    /// The index of the set bit of rank `rank` (0-based, in index order) of `map`, the bitmap
    /// these counts follow.
    ///
    /// `rank` must be below the population the counts hold (the callers draw it below the
    /// slab's length, which the counts equal while active): a rank at or past it could steer
    /// the descent past the last real counter. Callers still check the returned index against
    /// the bitmap before trusting it: the counts steer, the bitmap decides.
    #[inline]
    pub(crate) fn select(&self, map: &Bitmap, rank: u32) -> usize {
        debug_assert!(self.active.get(), "select before the counts were activated");
        let mut r = rank;
        // The node being descended: its children are counters `8e .. 8e + 8` one level down.
        let mut e = 0usize;
        for j in (0..self.levels).rev() {
            let mut children = [0u32; FAN];
            for (i, c) in children.iter_mut().enumerate() {
                // SAFETY: `e` is 0 at the top or a counter of level j+1, so `8e + 7` is below
                // level j's padded size (type invariant).
                *c = unsafe { *self.level[j].add(e * FAN + i) };
            }
            let (child, below) = choose(children, r);
            r -= below;
            e = e * FAN + child;
        }
        // `e` is now a group of level-0 words.
        let mut words = [0u64; FAN];
        for (i, w) in words.iter_mut().enumerate() {
            // SAFETY: `e` is 0 or a level-0 counter, so `8e + 7` is inside level 0's last
            // group (bitmap type invariant: level 0 is padded to whole groups).
            *w = unsafe { map.padded_word(e * FAN + i) };
        }
        let (child, below) = choose_word(words, r);
        let w = e * FAN + child;
        // SAFETY: as above, `w` is inside level 0's padded groups.
        let word = unsafe { map.padded_word(w) };
        w * 64 + select_in_word(word, r - below) as usize
    }

    /// Checks every counter against the bitmap (tests only); activates the counts first.
    #[cfg(test)]
    pub(crate) fn check(&self, map: &Bitmap) {
        self.activate(map);
        let words = map.level0_words();
        let mut below: std::vec::Vec<u32> = (0..words.next_multiple_of(FAN))
            // SAFETY: inside the padded level 0.
            .map(|w| unsafe { map.padded_word(w) }.count_ones())
            .collect();
        for j in 0..self.levels {
            let sums: std::vec::Vec<u32> = below.chunks(FAN).map(|c| c.iter().sum()).collect();
            let padded = sums.len().next_multiple_of(16);
            for e in 0..padded {
                // SAFETY: inside level j's padded size.
                let got = unsafe { *self.level[j].add(e) };
                assert_eq!(
                    got,
                    sums.get(e).copied().unwrap_or(0),
                    "level {j} counter {e}"
                );
            }
            below = sums;
            below.resize(below.len().next_multiple_of(FAN), 0);
        }
        assert!(below.len() <= FAN, "top level has more than {FAN} counters");
    }

    /// Bytes of address space reserved for the counters.
    #[allow(dead_code)]
    pub(crate) fn reserved_bytes(&self) -> usize {
        self.region.len()
    }
}

// How a node's child is chosen: one interface, two implementations, selected here.
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
mod scalar;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2;
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
use scalar as imp;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use sse2 as imp;

/// Picks the child holding rank `r` among 8 counts: returns its position and the sum of the
/// counts before it. Branch-free, because the exit of a linear scan would be mispredicted on
/// almost every random pick.
///
/// If `r` is not below the sum (only possible if the counts were wrong), the position is
/// clamped to the last child so callers stay in bounds.
#[inline(always)]
fn choose(counts: [u32; FAN], r: u32) -> (usize, u32) {
    let (child, below) = imp::choose(counts, r);
    debug_assert!(
        below <= r && child < FAN,
        "rank {r} beyond the counts {counts:?}"
    );
    (child, below)
}

/// [`choose`] over the popcounts of 8 level-0 words.
#[inline(always)]
fn choose_word(words: [u64; FAN], r: u32) -> (usize, u32) {
    let (child, below) = imp::choose_word(words, r);
    debug_assert!(
        below <= r && child < FAN,
        "rank {r} beyond the words {words:x?}"
    );
    (child, below)
}

/// Position of the set bit of rank `k` in `x` (`k < x.count_ones()`); a position below 64
/// otherwise, meaningless.
///
/// Broadword: per-byte popcounts, their prefix sums by one multiply, the byte holding the bit
/// by a SWAR compare, then a 2 KiB table for the bit inside the byte. No branches. (BMI2's
/// `pdep` would do it in one instruction, but it is microcoded and slow on some CPUs still in
/// service, and not enabled by default on x86_64.)
#[inline(always)]
pub(crate) fn select_in_word(x: u64, k: u32) -> u32 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let s = x - ((x >> 1) & 0x5555_5555_5555_5555);
    let s = (s & 0x3333_3333_3333_3333) + ((s >> 2) & 0x3333_3333_3333_3333);
    let s = (s + (s >> 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    // Byte i: set bits in bytes 0..=i (at most 64, so no carry between bytes).
    let prefix = s.wrapping_mul(ONES);
    let k = u64::from(k & 63);
    // High bit of byte i set ⇔ prefix_i <= k ⇔ the bit lies beyond byte i. The subtraction
    // never borrows across bytes: 0x80 + k - prefix_i >= 0x80 - 64 > 0.
    let beyond = ((k * ONES) | HIGH).wrapping_sub(prefix) & HIGH;
    // Those bytes form a prefix (the sums only grow); their number is the target byte.
    let byte = (((beyond >> 7).wrapping_mul(ONES) >> 56) & 7) as u32;
    let before = ((prefix << 8) >> (8 * byte)) & 0xFF;
    let in_byte = ((x >> (8 * byte)) & 0xFF) as usize;
    let rank_in_byte = (k.wrapping_sub(before) & 7) as usize;
    8 * byte + u32::from(SELECT_IN_BYTE[in_byte][rank_in_byte])
}

/// `SELECT_IN_BYTE[b][k]`: position of the set bit of rank `k` in byte `b` (0 where `b` has
/// fewer than `k + 1` set bits).
static SELECT_IN_BYTE: [[u8; 8]; 256] = select_in_byte_table();

const fn select_in_byte_table() -> [[u8; 8]; 256] {
    let mut table = [[0u8; 8]; 256];
    let mut b = 0;
    while b < 256 {
        let (mut bit, mut k) = (0, 0);
        while bit < 8 {
            if b & (1 << bit) != 0 {
                table[b][k] = bit as u8;
                k += 1;
            }
            bit += 1;
        }
        b += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_slab_test_support::Rng;
    use std::vec::Vec;

    #[test]
    fn select_in_word_matches_a_scan() {
        let mut rng = nexus_slab_test_support::rng(0x9E37_79B9_7F4A_7C15u64);
        let rounds = if cfg!(miri) { 200 } else { 20_000 };
        for round in 0..rounds {
            let x = rng.next_u64();
            // Vary the density: sparse, dense and in between.
            let word = match round % 4 {
                0 => x,
                1 => x & (x >> 3) & (x >> 7),
                2 => x | (x << 5),
                _ => 1u64.rotate_left(x as u32 % 64) | (x & (1 << 63)),
            };
            let positions: Vec<u32> = (0..64).filter(|b| word & (1 << b) != 0).collect();
            for (k, &p) in positions.iter().enumerate() {
                assert_eq!(select_in_word(word, k as u32), p, "word {word:#x} k {k}");
            }
        }
        assert_eq!(select_in_word(u64::MAX, 63), 63);
        assert_eq!(select_in_word(1 << 63, 0), 63);
        assert_eq!(select_in_word(1, 0), 0);
    }

    #[test]
    fn choose_finds_the_child_and_the_sum_before_it() {
        let counts = [3, 0, 5, 0, 0, 1, 0, 2];
        let expect = [
            (0, 0),
            (0, 0),
            (0, 0),
            (2, 3),
            (2, 3),
            (2, 3),
            (2, 3),
            (2, 3),
            (5, 8),
            (7, 9),
            (7, 9),
        ];
        for (r, &e) in expect.iter().enumerate() {
            assert_eq!(choose(counts, r as u32), e, "rank {r}");
        }
    }

    #[test]
    fn implementations_agree() {
        let mut rng = nexus_slab_test_support::rng(0x853C_49E6_748F_EA9Bu64);
        let mut next = move || rng.next_u64();
        for round in 0..if cfg!(miri) { 60 } else { 100_000 } {
            let mut counts = [0u32; FAN];
            let mut words = [0u64; FAN];
            for i in 0..FAN {
                let v = next();
                // Zeros, small counts, and counts near the top of the u32 range.
                counts[i] = match round % 3 {
                    0 => (v % 3) as u32 * (v >> 40) as u32 % 50,
                    1 => (v >> 8) as u32 % 100_000,
                    _ => (v >> 32) as u32 / 8,
                };
                words[i] = if v % 4 == 0 { 0 } else { next() & next() };
            }
            let total: u32 = counts.iter().sum();
            let pops: u32 = words.iter().map(|w| w.count_ones()).sum();
            // Valid ranks only (below the total); past it the two may differ, both in bounds.
            for r in [0, 1, total / 3, total / 2, total.wrapping_sub(1)]
                .into_iter()
                .filter(|&r| r < total)
            {
                assert_eq!(
                    imp::choose(counts, r),
                    scalar::choose(counts, r),
                    "{counts:?} r {r}"
                );
            }
            for r in [0, 1, pops / 2, pops.wrapping_sub(1)]
                .into_iter()
                .filter(|&r| r < pops)
            {
                assert_eq!(
                    imp::choose_word(words, r),
                    scalar::choose_word(words, r),
                    "{words:x?} r {r}"
                );
            }
        }
    }

    #[test]
    fn select_walks_every_rank_in_order() {
        for cap in [1u32, 64, 500, 513, 4096, 4097, 40_000, 300_000] {
            // Under Miri the small shapes (one level, a level boundary at 512) suffice.
            if cfg!(miri) && cap > 600 {
                continue;
            }
            let map =
                Bitmap::new(cap, 0, crate::bitmap::Mode::Indexed, MemOptions::default()).unwrap();
            let counts = Counts::new(cap, 0, MemOptions::default()).unwrap();
            let mut rng = nexus_slab_test_support::rng(0x2545_F491_4F6C_DD1Du64 ^ u64::from(cap));
            let mut live = Vec::new();
            for i in 0..cap {
                let x = rng.next_u64();
                // Clustered: dense runs and long gaps.
                if (x % 7 == 0) || (i / 1000) % 5 == 2 {
                    assert!(map.occupy(i as usize));
                    counts.add(i);
                    live.push(i as usize);
                }
            }
            counts.check(&map);
            for (r, &idx) in live.iter().enumerate() {
                assert_eq!(counts.select(&map, r as u32), idx, "cap {cap} rank {r}");
            }
            for &idx in live.iter().step_by(3) {
                assert!(map.release(idx, false));
                counts.sub(idx as u32);
            }
            counts.check(&map);
            let live: Vec<usize> = live
                .into_iter()
                .enumerate()
                .filter(|(i, _)| i % 3 != 0)
                .map(|(_, v)| v)
                .collect();
            for (r, &idx) in live.iter().enumerate() {
                assert_eq!(counts.select(&map, r as u32), idx, "cap {cap} rank {r}");
            }
        }
    }
}

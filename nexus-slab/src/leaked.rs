//! [`LeakedSet`]: one bit per slot marking slots given up by `Slot::leak`, so `reclaim` can
//! never make a second owner of a slot that a `Slot` still owns.

use crate::memory::{MemOptions, Region};
use crate::Error;

/// A flat bitset over a tier's slots, in reserved memory (committed when first written).
///
/// Invariant: `words` holds `⌈capacity / 64⌉` zero-initialized `u64`s, written only through
/// the region's raw pointer.
pub(crate) struct LeakedSet {
    words: Region,
}

impl LeakedSet {
    pub(crate) fn new(capacity: u32) -> Result<LeakedSet, Error> {
        let bytes = (capacity as usize).div_ceil(64) * 8;
        Ok(LeakedSet {
            words: Region::reserve(bytes, 8, MemOptions::default())?,
        })
    }

    #[inline]
    fn word(&self, idx: u32) -> *mut u64 {
        debug_assert!((idx as usize / 64) * 8 < self.words.len());
        self.words
            .as_ptr()
            .cast::<u64>()
            .wrapping_add(idx as usize / 64)
    }

    /// Marks `idx` leaked.
    ///
    /// # Safety
    /// `idx` must be below the capacity given to [`LeakedSet::new`].
    pub(crate) unsafe fn insert(&self, idx: u32) {
        // SAFETY: in bounds by the caller's contract; raw-pointer write into our region.
        unsafe { *self.word(idx) |= 1 << (idx % 64) }
    }

    /// Bytes of address space reserved.
    /// (For the per-thread allocator's `stats`.)
    #[cfg(feature = "std")]
    pub(crate) fn reserved_bytes(&self) -> usize {
        self.words.len()
    }

    /// Marked slots (a walk over every word: for statistics).
    /// (For the per-thread allocator's `stats`.)
    #[cfg(feature = "std")]
    pub(crate) fn count(&self) -> u32 {
        let words = self.words.len() / 8;
        // SAFETY: `words` zero-initialized `u64`s in our region (type invariant), read only.
        (0..words)
            .map(|w| unsafe { *self.words.as_ptr().cast::<u64>().add(w) }.count_ones())
            .sum()
    }

    /// Whether `idx` is marked.
    ///
    /// # Safety
    /// `idx` must be below the capacity given to [`LeakedSet::new`].
    #[inline(always)]
    pub(crate) unsafe fn contains(&self, idx: u32) -> bool {
        // SAFETY: in bounds by the caller's contract; a read of our zero-initialized region.
        unsafe { *self.word(idx) & (1 << (idx % 64)) != 0 }
    }

    /// Clears `idx`; returns whether it was marked.
    ///
    /// # Safety
    /// `idx` must be below the capacity given to [`LeakedSet::new`].
    pub(crate) unsafe fn remove(&self, idx: u32) -> bool {
        let bit = 1u64 << (idx % 64);
        // SAFETY: in bounds by the caller's contract; raw-pointer access to our region.
        unsafe {
            let w = self.word(idx);
            let was = *w & bit != 0;
            *w &= !bit;
            was
        }
    }
}

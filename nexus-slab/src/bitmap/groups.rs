//! What the sampling counts (`crate::counts`) read of the bitmap: level 0 in whole aligned
//! groups of [`GROUP`] words, padding words included.

use super::{Bitmap, GROUP};

impl Bitmap {
    /// Level-0 word `w`, or a padding word (zero) past the last one.
    ///
    /// # Safety
    /// `w < words[0].next_multiple_of(GROUP)`: inside the last aligned group of level 0.
    #[inline(always)]
    pub(crate) unsafe fn padded_word(&self, w: usize) -> u64 {
        debug_assert!(w < self.words[0].next_multiple_of(GROUP));
        // SAFETY: level 0 is allocated in whole groups (type invariant) and the caller stays
        // inside the last one; padding words are zero-initialized like the rest of the region.
        unsafe { *self.occ.add(w) }
    }

    /// Number of level-0 words, `⌈capacity / 64⌉` (at least 1).
    #[cfg(test)]
    #[inline(always)]
    pub(crate) fn level0_words(&self) -> usize {
        self.words[0]
    }
}

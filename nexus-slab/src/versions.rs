//! [`Versions`]: a generation per slot, for keys that can tell a reused slot from theirs.
//! Kept beside the tier, never in the value's slot, and made only when a store first hands out
//! a [`VersionedKey`](crate::VersionedKey): a store that never does has none and pays nothing.

use crate::memory::{MemOptions, Region};
use crate::Error;

/// One `u32` per slot of a tier, in reserved memory (committed when first written).
///
/// Invariant: `words` holds `capacity` zero-initialized `u32`s, written only through the
/// region's raw pointer.
pub(crate) struct Versions {
    words: Region,
}

impl Versions {
    pub(crate) fn new(capacity: u32) -> Result<Versions, Error> {
        Ok(Versions {
            words: Region::reserve(capacity as usize * 4, 4, MemOptions::default())?,
        })
    }

    #[inline(always)]
    fn at(&self, idx: u32) -> *mut u32 {
        debug_assert!(idx as usize * 4 < self.words.len());
        self.words.as_ptr().cast::<u32>().wrapping_add(idx as usize)
    }

    /// The generation of slot `idx`.
    ///
    /// # Safety
    /// `idx` must be below the capacity given to [`Versions::new`].
    #[inline(always)]
    pub(crate) unsafe fn get(&self, idx: u32) -> u32 {
        // SAFETY: in bounds by the caller's contract; a read of our zeroed region.
        unsafe { *self.at(idx) }
    }

    /// Moves slot `idx` to its next generation (wrapping after 2³² reuses).
    ///
    /// # Safety
    /// `idx` must be below the capacity given to [`Versions::new`].
    #[inline]
    pub(crate) unsafe fn bump(&self, idx: u32) {
        // SAFETY: in bounds by the caller's contract; raw-pointer access to our region.
        unsafe { *self.at(idx) = (*self.at(idx)).wrapping_add(1) }
    }
}

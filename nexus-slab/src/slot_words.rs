//! [`SlotWords`]: one `u32` per slot of a tier, kept beside it (never in the value's slot):
//! the generations of versioned keys, and the owner counts of shared slots
//! ([`RcSlot`](crate::rc::RcSlot)). Each table is made the first time a store needs it, so
//! a store that never hands out a [`VersionedKey`](crate::VersionedKey) or an `RcSlot` has
//! none and pays nothing.

use crate::memory::{MemOptions, Region};
use crate::Error;
use core::ptr::NonNull;

/// One `u32` per slot of a tier, in reserved memory (committed when first written).
///
/// Invariant: `words` holds `capacity` zero-initialized `u32`s, written only through the
/// region's raw pointer.
pub(crate) struct SlotWords {
    words: Region,
}

impl SlotWords {
    pub(crate) fn new(capacity: u32) -> Result<SlotWords, Error> {
        Ok(SlotWords {
            words: Region::reserve(capacity as usize * 4, 4, MemOptions::default())?,
        })
    }

    /// Slot `idx`'s word, to read and write through (the region's provenance). It stays
    /// valid while the table lives.
    ///
    /// # Safety
    /// `idx` must be below the capacity given to [`SlotWords::new`].
    #[inline(always)]
    pub(crate) unsafe fn word(&self, idx: u32) -> NonNull<u32> {
        debug_assert!((idx as usize) < self.words.len() / 4);
        // SAFETY: `idx` is below the capacity (caller): inside the region, which is non-null.
        unsafe { NonNull::new_unchecked(self.words.as_ptr().cast::<u32>().add(idx as usize)) }
    }

    /// Slot `idx`'s word.
    ///
    /// # Safety
    /// As [`SlotWords::word`].
    #[inline(always)]
    pub(crate) unsafe fn get(&self, idx: u32) -> u32 {
        // SAFETY: in bounds (caller); a read of our zero-initialized region.
        unsafe { self.word(idx).read() }
    }

    /// Moves slot `idx`'s word on by one, wrapping (a generation after 2³² reuses).
    ///
    /// # Safety
    /// As [`SlotWords::word`].
    #[inline]
    pub(crate) unsafe fn bump(&self, idx: u32) {
        // SAFETY: in bounds (caller); raw-pointer access to our region.
        unsafe {
            let w = self.word(idx);
            w.write(w.read().wrapping_add(1));
        }
    }
}

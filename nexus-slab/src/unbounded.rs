//! [`UnboundedSlab`]: a slab that grows by tiers of doubling size without ever copying, whose
//! [`Slot`]s are tied to it by lifetime.
//!
//! ```
//! use nexus_slab::unbounded::UnboundedSlab;
//!
//! let slab = UnboundedSlab::with_chunk_capacity(4);
//! let first = slab.insert(0);
//! let addr: *const i32 = &*first;
//! let key = first.leak(); // now owned by its key
//! let rest: Vec<_> = (1..100).map(|i| slab.insert(i)).collect(); // five more tiers
//! assert_eq!(slab.len(), 100);
//! assert_eq!(*rest[98], 99);
//! // Found through its key after the growth: at the address it had before.
//! let access = slab.access();
//! assert!(std::ptr::eq(access.get(key).unwrap(), addr));
//! ```

use crate::direct::direct_slab_common;
use crate::store::Store;
use crate::tiers::TierConfig;
pub use crate::tiers::DEFAULT_CHUNK_CAPACITY;
use crate::{Error, Full};
use core::cell::Cell;

/// An owning handle into an [`UnboundedSlab`]; frees its slot when dropped.
pub type Slot<'a, T> = crate::slot::Slot<&'a UnboundedSlab<T>>;

/// A slab that grows by tiers (`chunk`, `2·chunk`, `4·chunk`, ... slots), each its own
/// reservation committed page by page. Nothing is ever moved or copied.
///
/// Reuse order: an insert takes the slot freed last (the slot freed last and up to 64 before
/// it are kept, newest first); when none is kept, every free slot of the lowest 64-slot group with one, in the
/// lowest tier with one, in index order; a new tier only when every tier is full. A
/// zero-sized `T` works: each slot still has its own address and key.
pub struct UnboundedSlab<T> {
    store: Store<T>,
    /// An [`Access`] to the slab is open.
    access: Cell<bool>,
}

// SAFETY: as for `BoundedSlab`: owned memory, borrowed slots, `T: Send` required.
unsafe impl<T: Send> Send for UnboundedSlab<T> {}

impl<T> Default for UnboundedSlab<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> UnboundedSlab<T> {
    /// A slab whose first tier holds [`DEFAULT_CHUNK_CAPACITY`] slots.
    ///
    /// # Panics
    /// If the OS refuses the first reservation.
    ///
    /// ```
    /// use nexus_slab::unbounded::UnboundedSlab;
    ///
    /// let slab = UnboundedSlab::<u64>::new();
    /// assert_eq!(slab.capacity(), nexus_slab::unbounded::DEFAULT_CHUNK_CAPACITY);
    /// ```
    #[track_caller]
    pub fn new() -> UnboundedSlab<T> {
        Self::with_chunk_capacity(DEFAULT_CHUNK_CAPACITY)
    }

    /// A slab whose first tier holds `chunk` slots (rounded up to a power of two).
    ///
    /// # Panics
    /// If `chunk` is 0 or above 2³¹, or the OS refuses the reservation;
    /// [`try_with_chunk_capacity`](UnboundedSlab::try_with_chunk_capacity) returns the error.
    ///
    /// ```
    /// use nexus_slab::unbounded::UnboundedSlab;
    ///
    /// let slab = UnboundedSlab::<u64>::with_chunk_capacity(100);
    /// assert_eq!(slab.capacity(), 128); // rounded up to a power of two
    /// ```
    #[track_caller]
    pub fn with_chunk_capacity(chunk: u32) -> UnboundedSlab<T> {
        match Self::try_with_chunk_capacity(chunk) {
            Ok(slab) => slab,
            Err(e) => panic!("UnboundedSlab::with_chunk_capacity({chunk}): {e}"),
        }
    }

    /// A slab whose first tier holds `chunk` slots, or why it cannot be made.
    ///
    /// ```
    /// use nexus_slab::unbounded::UnboundedSlab;
    ///
    /// assert!(UnboundedSlab::<u64>::try_with_chunk_capacity(64).is_ok());
    /// assert!(UnboundedSlab::<u64>::try_with_chunk_capacity(0).is_err());
    /// ```
    pub fn try_with_chunk_capacity(chunk: u32) -> Result<UnboundedSlab<T>, Error> {
        let config = TierConfig::unbounded(chunk);
        Ok(UnboundedSlab {
            store: Store::new(config)?,
            access: Cell::new(false),
        })
    }

    /// Moves `value` into a free slot (the one freed last, if any), growing when every tier is full.
    ///
    /// # Panics
    /// When the u32 index space is exhausted or the OS refuses a new tier; the value is
    /// dropped. [`try_insert`](UnboundedSlab::try_insert) hands it back instead.
    ///
    /// ```
    /// use nexus_slab::unbounded::UnboundedSlab;
    ///
    /// let slab = UnboundedSlab::with_chunk_capacity(2);
    /// let slots: Vec<_> = (0..5).map(|i| slab.insert(i)).collect(); // a second and third tier
    /// assert_eq!((slab.len(), *slots[4]), (5, 4));
    /// assert!(slab.capacity() >= 5);
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn insert(&self, value: T) -> Slot<'_, T> {
        match self.try_insert(value) {
            Ok(slot) => slot,
            Err(Full(value)) => {
                drop(value);
                let why = self.store.tiers().take_grow_error();
                grow_panic(self.capacity(), why)
            }
        }
    }

    /// Moves `value` into a free slot (the one freed last, if any), or hands it back if the slab cannot grow.
    ///
    /// ```
    /// use nexus_slab::unbounded::UnboundedSlab;
    ///
    /// let slab = UnboundedSlab::with_chunk_capacity(2);
    /// assert_eq!(*slab.try_insert(1).unwrap(), 1);
    /// ```
    #[inline(always)]
    pub fn try_insert(&self, value: T) -> Result<Slot<'_, T>, Full<T>> {
        match self.store.insert(value) {
            // SAFETY: freshly occupied and initialized; this is its only owner.
            Ok(ptr) => Ok(unsafe { crate::slot::Slot::from_raw(ptr, self) }),
            Err(value) => Err(Full(value)),
        }
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn grow_panic(capacity: u32, why: Option<Error>) -> ! {
    match why {
        Some(e) => panic!("UnboundedSlab cannot grow past {capacity} slots: {e}"),
        None => panic!("UnboundedSlab cannot grow past {capacity} slots"),
    }
}

direct_slab_common!(
    UnboundedSlab,
    "nexus_slab::unbounded::UnboundedSlab::with_chunk_capacity(4)"
);

#[cfg(test)]
mod tests {
    use super::UnboundedSlab;
    use std::vec::Vec;

    #[test]
    fn a_direct_slab_shrinks_under_live_slots() {
        let n = if cfg!(miri) { 200 } else { 50_000 };
        let slab = UnboundedSlab::<[u64; 8]>::with_chunk_capacity(64);
        let mut slots: Vec<_> = (0..n).map(|i| slab.insert([i; 8])).collect();
        slots.truncate(100);
        // `&self`: the slots that borrow the slab stay usable across it.
        slab.shrink();
        for (i, s) in slots.iter().enumerate() {
            assert_eq!(**s, [i as u64; 8]);
        }
        if let Some(pages) = slab.store.tiers().resident_pages() {
            assert!(pages.iter().sum::<usize>() <= 2, "{pages:?}");
        }
        let more: Vec<_> = (0..n).map(|i| slab.insert([i + 1; 8])).collect();
        assert!(more
            .iter()
            .enumerate()
            .all(|(i, s)| **s == [i as u64 + 1; 8]));
    }
}

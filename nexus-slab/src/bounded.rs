//! [`BoundedSlab`]: a fixed-capacity slab whose [`Slot`]s are tied to it by lifetime — for
//! when a per-thread `create_allocator!` does not fit (several slabs, made at run time).
//!
//! ```
//! use nexus_slab::bounded::BoundedSlab;
//!
//! let slab = BoundedSlab::with_capacity(1024);
//! let slot = slab.insert(42);
//! assert_eq!(*slot.get(), 42);
//! assert_eq!(slab.len(), 1);
//! drop(slot);
//! assert!(slab.is_empty());
//! ```

use crate::direct::direct_slab_common;
use crate::store::Store;
use crate::tiers::TierConfig;
use crate::{Error, Full};
use core::cell::Cell;

/// An owning handle into a [`BoundedSlab`]; frees its slot when dropped.
///
/// The slab is invariant in `T`, so a short-lived value cannot be slipped in through a
/// shorter view of a long-lived slab:
/// ```compile_fail
/// use nexus_slab::bounded::BoundedSlab;
/// fn shorten<'a, 's>(s: &'a BoundedSlab<&'static String>) -> &'a BoundedSlab<&'s String> {
///     s
/// }
/// ```
pub type Slot<'a, T> = crate::slot::Slot<&'a BoundedSlab<T>>;

/// A slab of at most `capacity` values, reserved up front and committed on demand; no value
/// ever moves.
///
/// Reuse order: an insert takes the slot freed last (the slab keeps the slot freed last
/// and up to 64 before it, handed out newest first); when none is kept, it takes every free slot of the lowest
/// 64-slot group that has one and hands them out in index order. So keys are small but not
/// "the lowest free index" (that is `HiSlab`'s promise). A zero-sized `T` works: each slot
/// still has its own address and key.
pub struct BoundedSlab<T> {
    store: Store<T>,
    /// An [`Access`] to the slab is open.
    access: Cell<bool>,
}

// SAFETY: the slab owns its values and memory outright; every `Slot` borrows it, so none can
// be left behind on the old thread. Moving it moves the `T`s: `T: Send` is required.
unsafe impl<T: Send> Send for BoundedSlab<T> {}

impl<T> BoundedSlab<T> {
    /// Reserves `capacity` slots.
    ///
    /// # Panics
    /// If the capacity is 0 or the OS refuses the reservation (a zero-sized `T` is fine:
    /// each slot still gets its own address);
    /// [`try_with_capacity`](BoundedSlab::try_with_capacity) returns the error instead.
    ///
    /// ```
    /// use nexus_slab::bounded::BoundedSlab;
    ///
    /// let slab = BoundedSlab::<u64>::with_capacity(100);
    /// assert_eq!(slab.capacity(), 100);
    /// ```
    #[track_caller]
    pub fn with_capacity(capacity: u32) -> BoundedSlab<T> {
        match Self::try_with_capacity(capacity) {
            Ok(slab) => slab,
            Err(e) => panic!("BoundedSlab::with_capacity({capacity}): {e}"),
        }
    }

    /// Reserves `capacity` slots, or says why it cannot.
    ///
    /// ```
    /// use nexus_slab::bounded::BoundedSlab;
    ///
    /// use nexus_slab::Error;
    ///
    /// assert!(BoundedSlab::<u64>::try_with_capacity(8).is_ok());
    /// assert!(matches!(BoundedSlab::<u64>::try_with_capacity(0), Err(Error::InvalidCapacity { .. })));
    /// ```
    pub fn try_with_capacity(capacity: u32) -> Result<BoundedSlab<T>, Error> {
        let config = TierConfig::bounded(capacity);
        Ok(BoundedSlab {
            store: Store::new(config)?,
            access: Cell::new(false),
        })
    }

    /// Moves `value` into a free slot (the one freed last, if any).
    ///
    /// # Panics
    /// When the slab is full (the value is dropped; the message names the capacity);
    /// [`try_insert`](BoundedSlab::try_insert) hands the value back instead.
    ///
    /// ```
    /// use nexus_slab::bounded::BoundedSlab;
    ///
    /// let slab = BoundedSlab::with_capacity(2);
    /// let slot = slab.insert(String::from("a"));
    /// assert_eq!((slot.as_str(), slab.len()), ("a", 1));
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn insert(&self, value: T) -> Slot<'_, T> {
        match self.try_insert(value) {
            Ok(slot) => slot,
            Err(Full(value)) => {
                drop(value);
                full_panic(self.capacity())
            }
        }
    }

    /// Moves `value` into a free slot (the one freed last, if any), or hands it back in
    /// `Full` when the slab is full.
    ///
    /// ```
    /// use nexus_slab::bounded::BoundedSlab;
    ///
    /// let slab = BoundedSlab::with_capacity(1);
    /// let _a = slab.try_insert('a').unwrap();
    /// assert_eq!(slab.try_insert('b').unwrap_err().0, 'b');
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
fn full_panic(capacity: u32) -> ! {
    panic!(
        "BoundedSlab is full: all {capacity} slots are in use (with_capacity({capacity})); \
         use try_insert to get the value back, or make it larger"
    )
}

direct_slab_common!(
    BoundedSlab,
    "nexus_slab::bounded::BoundedSlab::with_capacity(4)"
);

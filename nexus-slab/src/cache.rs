//! [`SlotCache`]: the slots freed last, handed out again first, in front of the tiers'
//! bitmaps — so a churning `Slot` allocator touches neither the bitmap nor the tier table.
//!
//! ```text
//!  free(p) ──push──► [ p₀ p₁ … pₙ₋₁ ] ──pop──► insert        (LIFO: the slot just freed is
//!                      │ full: the oldest half        ▲        still in cache)
//!                      ▼ goes back to the bitmap       │ empty: a whole bitmap word of free
//!                   bitmap ◄───────────────────────────┘ slots comes in at once
//! ```
//! A cached slot keeps its occupancy bit: for the bitmap it is taken, for the user it is free.
//! The store's `len`, `contains` and teardown subtract or skip the cached slots.

use core::cell::Cell;
use core::ptr::NonNull;

/// Slots a cache holds: a whole bitmap word of them, so a refill always fits.
pub(crate) const CACHE: usize = 64;

/// `len` of a closed cache: above `CACHE`, so both fast paths' single range test fails.
const CLOSED: usize = 1 << 31;

/// A LIFO stack of free slot addresses of one store.
///
/// Invariants:
/// - `len <= CACHE`, or `len == CLOSED` (then nothing is held);
/// - entries `0..len` (when not closed) are distinct slots of the owning store, occupied in
///   its bitmap, holding no value, owned by no `Slot`, not leaked.
///
/// A closed cache takes nothing: a per-thread allocator whose thread is exiting frees
/// through its slow path, which notices the last slot. Closing costs the fast paths nothing:
/// each compares `len` against a constant only.
pub(crate) struct SlotCache<T> {
    slots: [Cell<*mut T>; CACHE],
    len: Cell<usize>,
}

impl<T> SlotCache<T> {
    /// An empty, open cache.
    pub(crate) const fn new() -> SlotCache<T> {
        SlotCache {
            slots: [const { Cell::new(core::ptr::null_mut()) }; CACHE],
            len: Cell::new(0),
        }
    }

    /// The slot freed last, if any.
    #[inline(always)]
    pub(crate) fn pop(&self) -> Option<NonNull<T>> {
        let top = self.len.get().wrapping_sub(1);
        // Empty (0 wraps) or closed.
        if top >= CACHE {
            return None;
        }
        self.len.set(top);
        // SAFETY: `top < len <= CACHE` (invariant); entries below `len` are slot addresses,
        // never null.
        Some(unsafe { NonNull::new_unchecked(self.slots.get_unchecked(top).get()) })
    }

    /// Keeps `slot`; `false` (nothing kept) when the cache is full or closed.
    #[inline(always)]
    pub(crate) fn push(&self, slot: NonNull<T>) -> bool {
        let n = self.len.get();
        if n >= CACHE {
            return false;
        }
        // SAFETY: `n < CACHE`.
        unsafe { self.slots.get_unchecked(n) }.set(slot.as_ptr());
        self.len.set(n + 1);
        true
    }

    /// Slots held.
    #[inline(always)]
    pub(crate) fn len(&self) -> u32 {
        match self.len.get() {
            CLOSED => 0,
            n => n as u32,
        }
    }

    /// Room left: what a refill may push.
    #[inline(always)]
    pub(crate) fn room(&self) -> u32 {
        match self.len.get() {
            CLOSED => 0,
            n => (CACHE - n) as u32,
        }
    }

    /// `true` if `slot` is held (so free for the user although its bit is set).
    #[inline]
    pub(crate) fn contains(&self, slot: *mut T) -> bool {
        self.held().iter().any(|c| c.get() == slot)
    }

    /// The held entries, oldest first.
    fn held(&self) -> &[Cell<*mut T>] {
        &self.slots[..self.len() as usize]
    }

    /// Removes the `count` oldest entries (`count <= len`), passing each to `f`; the newer
    /// ones move down.
    pub(crate) fn drain_oldest(&self, count: u32, mut f: impl FnMut(NonNull<T>)) {
        let len = self.len();
        debug_assert!(count <= len);
        for c in &self.slots[..count as usize] {
            // SAFETY: entries below `len` are slot addresses, never null.
            f(unsafe { NonNull::new_unchecked(c.get()) });
        }
        for i in count..len {
            self.slots[(i - count) as usize].set(self.slots[i as usize].get());
        }
        if self.is_open() {
            self.len.set((len - count) as usize);
        }
    }

    /// Removes every entry, passing each to `f`.
    pub(crate) fn drain(&self, f: impl FnMut(NonNull<T>)) {
        self.drain_oldest(self.len(), f);
    }

    /// Lets no slot in from now on. The cache must be empty (drained).
    pub(crate) fn close(&self) {
        debug_assert_eq!(self.len.get(), 0, "closing a cache that holds slots");
        self.len.set(CLOSED);
    }

    /// `false` once [`close`](SlotCache::close)d.
    #[inline]
    pub(crate) fn is_open(&self) -> bool {
        self.len.get() != CLOSED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(x: &mut [u64], i: usize) -> NonNull<u64> {
        NonNull::from(&mut x[i])
    }

    #[test]
    fn last_in_first_out_up_to_the_limit() {
        let mut mem = [0u64; CACHE + 1];
        let base = mem.as_mut_ptr();
        let cache = SlotCache::<u64>::new();
        assert_eq!(cache.pop(), None);
        for i in 0..CACHE {
            assert!(cache.push(slot(&mut mem, i)));
        }
        assert!(!cache.push(slot(&mut mem, CACHE)), "full at CACHE");
        assert_eq!(cache.room(), 0);
        assert!(cache.contains(base.wrapping_add(3)));
        assert!(!cache.contains(base.wrapping_add(CACHE)));
        assert_eq!(
            cache.pop().map(NonNull::as_ptr),
            Some(base.wrapping_add(CACHE - 1))
        );
        let mut old = std::vec::Vec::new();
        cache.drain_oldest(2, |p| old.push(p.as_ptr()));
        assert_eq!(old, [base, base.wrapping_add(1)]);
        assert_eq!(cache.len() as usize, CACHE - 3);
        assert_eq!(
            cache.pop().map(NonNull::as_ptr),
            Some(base.wrapping_add(CACHE - 2))
        );
        let mut rest = 0;
        cache.drain(|_| rest += 1);
        assert_eq!(rest, CACHE - 4);
        assert_eq!(cache.pop(), None);
        cache.close();
        assert!(!cache.is_open());
        assert!(
            !cache.push(slot(&mut mem, 0)),
            "a closed cache keeps nothing"
        );
        assert_eq!(cache.pop(), None);
        assert_eq!((cache.len(), cache.room()), (0, 0));
    }
}

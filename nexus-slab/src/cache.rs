//! [`SlotCache`]: the slots freed last, handed out again first, in front of the tiers'
//! bitmaps — so a churning `Slot` allocator touches neither the bitmap nor the tier table.
//!
//! ```text
//!  free(p) ──► hot ──► insert          the slot freed last, at a fixed address: the churn
//!               │ taken: moves down    ▲ hot empty                         fast path
//!               ▼                      │
//!  [ p₀ p₁ … pₙ₋₁ ] ───────────────────┘ LIFO stack of up to 64 more
//!     │ full: the oldest half goes back to the bitmap
//!     ▼                ▲ empty: a whole bitmap word of free slots comes in at once
//!   bitmap ────────────┘
//! ```
//! A cached slot keeps its occupancy bit: for the bitmap it is taken, for the user it is free.
//! The store's `len`, `contains` and teardown subtract or skip the cached slots.
//!
//! The `hot` cell is there for the loop-carried chain of a churn: a free stores to it and the
//! next insert loads from it, one fixed address, instead of loading the stack's length and
//! then the entry that length points at.

use core::cell::Cell;
use core::ptr::NonNull;

/// Slots the stack holds (the hot cell holds one more): a whole bitmap word of them, so a
/// refill always fits.
pub(crate) const CACHE: usize = 64;

/// `len` of a closed cache: above `CACHE`, so the stack's single range tests fail.
const CLOSED: usize = 1 << 31;

/// `hot` when empty.
const HOT_EMPTY: usize = 0;
/// `hot` of a closed cache: not a slot address (a slot's address is at least its tier's base,
/// which is non-null and 64-aligned, so at least 64), and not empty, so a free passes it by.
const HOT_CLOSED: usize = 1;

/// The hot slot plus a LIFO stack of free slot addresses of one store.
///
/// Invariants:
/// - `hot` is `HOT_EMPTY`, `HOT_CLOSED` (exactly when `len == CLOSED`), or a slot address;
/// - `len <= CACHE`, or `len == CLOSED` (then nothing is held);
/// - the slot in `hot` and entries `0..len` (when not closed) are distinct slots of the
///   owning store, occupied in its bitmap, holding no value, owned by no `Slot`, not leaked.
///
/// A closed cache takes nothing: a per-thread allocator whose thread is exiting frees
/// through its slow path, which notices the last slot. Closing costs the fast paths nothing:
/// each tests `hot` and compares `len` against a constant only.
pub(crate) struct SlotCache<T> {
    hot: Cell<*mut T>,
    slots: [Cell<*mut T>; CACHE],
    len: Cell<usize>,
}

impl<T> SlotCache<T> {
    /// An empty, open cache.
    pub(crate) const fn new() -> SlotCache<T> {
        SlotCache {
            hot: Cell::new(core::ptr::null_mut()),
            slots: [const { Cell::new(core::ptr::null_mut()) }; CACHE],
            len: Cell::new(0),
        }
    }

    /// The slot freed last, if any.
    #[inline(always)]
    pub(crate) fn pop(&self) -> Option<NonNull<T>> {
        let hot = self.hot.get();
        if hot.addr() > HOT_CLOSED {
            self.hot.set(core::ptr::null_mut());
            // SAFETY: above `HOT_CLOSED`, so a slot address (invariant), never null.
            return Some(unsafe { NonNull::new_unchecked(hot) });
        }
        self.pop_stack()
    }

    /// The top of the stack, if any.
    #[inline(always)]
    fn pop_stack(&self) -> Option<NonNull<T>> {
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
        let old = self.hot.get();
        if old.addr() == HOT_EMPTY {
            self.hot.set(slot.as_ptr());
            return true;
        }
        self.push_behind(old, slot)
    }

    /// The hot cell is taken (or closed): its slot moves to the stack and `slot` takes its
    /// place, so the slot freed last is always the next one out. `false` (nothing changes)
    /// when the stack is full or closed.
    #[inline]
    fn push_behind(&self, old: *mut T, slot: NonNull<T>) -> bool {
        if !self.push_raw(old) {
            return false;
        }
        self.hot.set(slot.as_ptr());
        true
    }

    /// Pushes `slot` on the stack, past the hot cell (a refill, which must come out after
    /// what was freed since); `false` when it is full or closed.
    #[inline(always)]
    pub(crate) fn push_stack(&self, slot: NonNull<T>) -> bool {
        self.push_raw(slot.as_ptr())
    }

    /// Pushes `slot` (a slot address: the hot cell's, or one handed in) on the stack;
    /// `false` when it is full or closed. Only a full or closed stack refuses, so a closed
    /// cache's `HOT_CLOSED` is never stored.
    #[inline(always)]
    fn push_raw(&self, slot: *mut T) -> bool {
        let n = self.len.get();
        if n >= CACHE {
            return false;
        }
        // SAFETY: `n < CACHE`.
        unsafe { self.slots.get_unchecked(n) }.set(slot);
        self.len.set(n + 1);
        true
    }

    /// Slots on the stack (the hot one not counted).
    fn stack_len(&self) -> usize {
        match self.len.get() {
            CLOSED => 0,
            n => n,
        }
    }

    /// The hot slot, if one is held.
    fn hot(&self) -> Option<NonNull<T>> {
        let hot = self.hot.get();
        // SAFETY: above `HOT_CLOSED`: a slot address.
        (hot.addr() > HOT_CLOSED).then(|| unsafe { NonNull::new_unchecked(hot) })
    }

    /// Slots held.
    #[inline]
    pub(crate) fn len(&self) -> u32 {
        (self.stack_len() + usize::from(self.hot().is_some())) as u32
    }

    /// Room left on the stack: what a refill may push.
    #[inline]
    pub(crate) fn room(&self) -> u32 {
        match self.len.get() {
            CLOSED => 0,
            n => (CACHE - n) as u32,
        }
    }

    /// `true` if `slot` is held (so free for the user although its bit is set).
    #[inline]
    pub(crate) fn contains(&self, slot: *mut T) -> bool {
        self.hot.get() == slot
            || self.slots[..self.stack_len()]
                .iter()
                .any(|c| c.get() == slot)
    }

    /// Removes the `count` oldest stack entries (`count <= ` the stack's length), passing
    /// each to `f`; the newer ones move down. The hot slot stays.
    pub(crate) fn drain_oldest(&self, count: usize, mut f: impl FnMut(NonNull<T>)) {
        let len = self.stack_len();
        debug_assert!(count <= len);
        for c in &self.slots[..count] {
            // SAFETY: entries below `len` are slot addresses, never null.
            f(unsafe { NonNull::new_unchecked(c.get()) });
        }
        for i in count..len {
            self.slots[i - count].set(self.slots[i].get());
        }
        if self.is_open() {
            self.len.set(len - count);
        }
    }

    /// Removes every entry, the hot slot too, passing each to `f`.
    pub(crate) fn drain(&self, mut f: impl FnMut(NonNull<T>)) {
        if let Some(hot) = self.hot() {
            self.hot.set(core::ptr::null_mut());
            f(hot);
        }
        self.drain_oldest(self.stack_len(), f);
    }

    /// Lets no slot in from now on. The cache must be empty (drained).
    #[cfg(feature = "std")]
    pub(crate) fn close(&self) {
        debug_assert_eq!(self.len(), 0, "closing a cache that holds slots");
        self.len.set(CLOSED);
        self.hot.set(core::ptr::without_provenance_mut(HOT_CLOSED));
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
        let mut mem = [0u64; CACHE + 2];
        let base = mem.as_mut_ptr();
        let at = |i: usize| base.wrapping_add(i);
        let cache = SlotCache::<u64>::new();
        assert_eq!(cache.pop(), None);
        // The newest is in the hot cell, the CACHE before it on the stack.
        for i in 0..=CACHE {
            assert!(cache.push(slot(&mut mem, i)));
        }
        assert!(!cache.push(slot(&mut mem, CACHE + 1)), "full at CACHE + 1");
        assert_eq!((cache.len() as usize, cache.room()), (CACHE + 1, 0));
        assert!(cache.contains(at(0)) && cache.contains(at(CACHE)));
        assert!(!cache.contains(at(CACHE + 1)));
        assert_eq!(
            cache.pop().map(NonNull::as_ptr),
            Some(at(CACHE)),
            "hot first"
        );
        assert_eq!(
            cache.pop().map(NonNull::as_ptr),
            Some(at(CACHE - 1)),
            "then the top"
        );
        let mut old = std::vec::Vec::new();
        cache.drain_oldest(2, |p| old.push(p.as_ptr()));
        assert_eq!(old, [at(0), at(1)]);
        assert_eq!(cache.len() as usize, CACHE - 3);
        assert_eq!(cache.pop().map(NonNull::as_ptr), Some(at(CACHE - 2)));
        assert!(cache.push(slot(&mut mem, 0)), "into the empty hot cell");
        let mut rest = 0;
        cache.drain(|_| rest += 1);
        assert_eq!(rest, CACHE - 3);
        assert_eq!(cache.pop(), None);
        cache.close();
        assert!(!cache.is_open());
        assert!(
            !cache.push(slot(&mut mem, 0)),
            "a closed cache keeps nothing"
        );
        assert_eq!(cache.pop(), None);
        assert_eq!((cache.len(), cache.room()), (0, 0));
        assert!(!cache.contains(at(0)));
    }
}

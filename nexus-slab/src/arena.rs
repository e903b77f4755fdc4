//! [`Arena`]: a slab that never frees a value alone, so it can hand out plain `&mut T` for as
//! long as it lives — the arena mode of the slab: the same tiers and bitmaps as the other
//! slabs, with removal taken away.

use crate::raw::{Elem, Of};
use crate::store::Store;
use crate::tiers::{TierConfig, DEFAULT_CHUNK_CAPACITY};
use crate::{Error, Full};
use core::cell::Cell;
use core::fmt;
use core::ptr::NonNull;

/// Values allocated one by one and dropped all together: when the arena is dropped, or by
/// [`reset`](Arena::reset). Each [`alloc`](Arena::alloc) returns a `&mut T` that lives as
/// long as the borrow of the arena — no handle, no key, no free. The arena grows by tiers of
/// doubling size (`chunk`, `2·chunk`, ...), each its own reservation; nothing is ever moved,
/// so every reference stays valid while more values are allocated.
///
/// Unlike a bump allocator of bytes, it knows its values: their destructors run. Unlike a
/// `Vec`, it never moves them.
///
/// ```
/// use nexus_slab::arena::Arena;
///
/// let arena = Arena::new();
/// let root: &mut String = arena.alloc(String::from("root"));
/// let leaf: &mut String = arena.alloc(String::from("leaf")); // `root` is still usable
/// root.push('!');
/// assert_eq!((root.as_str(), leaf.as_str()), ("root!", "leaf"));
/// assert_eq!(arena.len(), 2);
/// // Dropping the arena drops both `String`s.
/// ```
///
/// Values may borrow from elsewhere, but not from the arena that holds them (a node with
/// `&'a Node<'a>` links into its own arena): the arena's `Drop` would then see them borrowed
/// while it runs, and telling the compiler that it does not look (`#[may_dangle]`, what
/// `typed-arena` relies on through `Vec`) is not available on stable Rust. Link such values
/// by index (a slab's `Key`) instead.
///
/// A reference cannot outlive its arena, nor survive a `reset`:
///
/// ```compile_fail,E0502
/// let mut arena = nexus_slab::arena::Arena::new();
/// let a = arena.alloc(1);
/// arena.reset();
/// assert_eq!(*a, 1);
/// ```
pub struct Arena<T> {
    /// Invariant: every occupied slot holds a value allocated here and not yet dropped,
    /// except the `left` slots of the run at `next`; no slot is freed except by `reset` and
    /// drop, which take `&mut self`.
    store: Store<T>,
    /// The next slot of the run taken last ([`Store::take_run`]): occupied, holding no value,
    /// with `left - 1` more after it, each `Of<T>`'s size further. Dangling when `left` is 0.
    next: Cell<NonNull<T>>,
    /// Slots of the run not yet handed out.
    left: Cell<u32>,
}

// SAFETY: the arena owns its memory and its values (sending it sends the `T`s); no `&T` it
// handed out can outlive the borrow of the arena that the send would need.
unsafe impl<T: Send> Send for Arena<T> {}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Arena<T> {
    /// An arena whose first tier holds [`DEFAULT_CHUNK_CAPACITY`] values.
    ///
    /// # Panics
    /// If the OS refuses the first reservation.
    ///
    /// ```
    /// let arena = nexus_slab::arena::Arena::<u64>::new();
    /// assert_eq!(arena.capacity(), nexus_slab::unbounded::DEFAULT_CHUNK_CAPACITY);
    /// ```
    #[track_caller]
    pub fn new() -> Arena<T> {
        Self::with_chunk_capacity(DEFAULT_CHUNK_CAPACITY)
    }

    /// An arena whose first tier holds `chunk` values (rounded up to a power of two).
    ///
    /// # Panics
    /// If `chunk` is 0 or above 2³¹, or the OS refuses the reservation;
    /// [`try_with_chunk_capacity`](Arena::try_with_chunk_capacity) returns the error.
    ///
    /// ```
    /// let arena = nexus_slab::arena::Arena::<u64>::with_chunk_capacity(100);
    /// assert_eq!(arena.capacity(), 128); // rounded up to a power of two
    /// ```
    #[track_caller]
    pub fn with_chunk_capacity(chunk: u32) -> Arena<T> {
        match Self::try_with_chunk_capacity(chunk) {
            Ok(arena) => arena,
            Err(e) => panic!("Arena::with_chunk_capacity({chunk}): {e}"),
        }
    }

    /// An arena whose first tier holds `chunk` values, or why it cannot be made.
    ///
    /// ```
    /// use nexus_slab::{arena::Arena, Error};
    ///
    /// assert!(matches!(
    ///     Arena::<u8>::try_with_chunk_capacity(0),
    ///     Err(Error::InvalidCapacity { .. })
    /// ));
    /// ```
    pub fn try_with_chunk_capacity(chunk: u32) -> Result<Arena<T>, Error> {
        Ok(Arena {
            store: Store::new(TierConfig::unbounded(chunk))?,
            next: Cell::new(NonNull::dangling()),
            left: Cell::new(0),
        })
    }

    /// Moves `value` into the arena and returns it, at the address it keeps until the arena
    /// is reset or dropped.
    ///
    /// # Panics
    /// When the u32 index space is exhausted or the OS refuses a new tier; the value is
    /// dropped. [`try_alloc`](Arena::try_alloc) hands it back instead.
    ///
    /// ```
    /// let arena = nexus_slab::arena::Arena::with_chunk_capacity(1);
    /// let first = arena.alloc(1u64);
    /// let addr: *const u64 = first;
    /// let rest: Vec<&mut u64> = (2..=100).map(|i| arena.alloc(i)).collect(); // new tiers
    /// assert!(std::ptr::eq(first, addr)); // the first value did not move
    /// assert_eq!(*first + *rest[98], 101);
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn alloc(&self, value: T) -> &mut T {
        match self.try_alloc(value) {
            Ok(v) => v,
            Err(Full(value)) => {
                drop(value);
                self.grow_panic()
            }
        }
    }

    /// Moves `value` into the arena, or hands it back if the arena cannot grow.
    ///
    /// ```
    /// let arena = nexus_slab::arena::Arena::with_chunk_capacity(2);
    /// let v = arena.try_alloc(5).unwrap();
    /// *v += 1;
    /// assert_eq!(*v, 6);
    /// ```
    #[inline(always)]
    #[expect(
        clippy::mut_from_ref,
        reason = "each call hands out a slot no other reference points to"
    )]
    pub fn try_alloc(&self, value: T) -> Result<&mut T, Full<T>> {
        let left = self.left.get();
        let ptr = if left != 0 {
            let ptr = self.next.get();
            // SAFETY: `left > 1` makes the next slot of the run `Of<T>`'s size further in
            // the same tier's region (field invariant); with `left == 1` the address is one
            // stride past the run's last slot, at most its region's end, and never
            // dereferenced (`left` becomes 0).
            self.next
                .set(unsafe { ptr.byte_add(Of::<T>::LAYOUT.size()) });
            self.left.set(left - 1);
            ptr
        } else {
            match self.next_run() {
                Some(ptr) => ptr,
                None => return Err(Full(value)),
            }
        };
        // SAFETY: a slot of the run: occupied, holding no value, referred to by nothing
        // (field invariant), aligned and inside a tier's region. Once written, no slot is
        // freed while `&self` is borrowed (invariant), so the reference stays valid and
        // unique for the borrow.
        unsafe {
            ptr.as_ptr().write(value);
            Ok(&mut *ptr.as_ptr())
        }
    }

    /// The run is used up: takes the next one and hands out its first slot.
    #[cold]
    #[inline(never)]
    fn next_run(&self) -> Option<NonNull<T>> {
        let (first, len) = self.store.take_run()?;
        // SAFETY: the run's slots are consecutive, `Of<T>`'s size apart; the address one
        // past its first is at most one past its last.
        self.next
            .set(unsafe { first.byte_add(Of::<T>::LAYOUT.size()) });
        self.left.set(len - 1);
        Some(first)
    }

    /// Gives back the slots of the run not handed out (before the store drops its values).
    fn return_run(&mut self) {
        let mut ptr = self.next.get();
        for _ in 0..self.left.replace(0) {
            // SAFETY: an occupied slot of the store holding no value, referred to by nothing
            // (field invariant); the next one is a stride further (or one past the run).
            unsafe {
                self.store.free(ptr);
                ptr = ptr.byte_add(Of::<T>::LAYOUT.size());
            }
        }
    }

    /// Values allocated (and not yet reset).
    ///
    /// ```
    /// let arena = nexus_slab::arena::Arena::new();
    /// arena.alloc('a');
    /// assert_eq!((arena.len(), arena.is_empty()), (1, false));
    /// ```
    #[inline]
    pub fn len(&self) -> u32 {
        self.store.len() - self.left.get()
    }

    /// `true` when no value is allocated.
    ///
    /// ```
    /// let mut arena = nexus_slab::arena::Arena::with_chunk_capacity(4);
    /// assert!(arena.is_empty());
    /// arena.alloc(1);
    /// assert!(!arena.is_empty());
    /// arena.reset();
    /// assert!(arena.is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Slots reserved so far (the tiers' capacities).
    ///
    /// ```
    /// let arena = nexus_slab::arena::Arena::with_chunk_capacity(4);
    /// for i in 0..5 {
    ///     arena.alloc(i);
    /// }
    /// assert_eq!(arena.capacity(), 4 + 8); // a second tier, twice the first
    /// ```
    #[inline]
    pub fn capacity(&self) -> u32 {
        self.store.capacity()
    }

    /// Drops every value, keeping the memory for the next ones (their addresses are reused).
    /// If a value's `Drop` panics, the others are still dropped and the arena is empty.
    ///
    /// ```
    /// let mut arena = nexus_slab::arena::Arena::new();
    /// arena.alloc(String::from("gone"));
    /// arena.reset();
    /// assert!(arena.is_empty());
    /// assert_eq!(arena.alloc(String::from("again")), "again");
    /// ```
    pub fn reset(&mut self) {
        self.return_run();
        crate::unwind::finish_on_unwind(&mut self.store, |store| store.drop_live());
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn grow_panic(&self) -> ! {
        let capacity = self.capacity();
        match self.store.tiers().take_grow_error() {
            Some(e) => panic!("Arena cannot grow past {capacity} values: {e}"),
            None => panic!("Arena cannot grow past {capacity} values"),
        }
    }
}

impl<T> Drop for Arena<T> {
    /// Gives back the unused run; the store then drops every value.
    fn drop(&mut self) {
        self.return_run();
    }
}

impl<T> fmt::Debug for Arena<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Arena")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;

//! [`HiSlab`]: an index slab over reserved memory. Insert takes the lowest free index found
//! through the hierarchical bitmap; values never move, so `insert` takes `&self`.

mod collection;
mod entry;
mod iter;

pub use entry::VacantEntry;
pub use iter::{Drain, IntoIter, Iter, IterMut};

#[cfg(feature = "rand")]
use crate::bitmap::Bitmap;
use crate::bitmap::Mode;
#[cfg(feature = "rand")]
use crate::counts::Counts;
use crate::memory::MemOptions;
use crate::raw::{Elem, Of, RawSlab};
use crate::{Error, Full};
use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;
use core::ops::{Index, IndexMut};

/// [`HiSlab`]'s `hot` when no slot is held there (never an index: indices are below the
/// capacity, a `u32`).
const NO_HOT: u32 = u32::MAX;

/// A slab of `T` addressed by stable `u32` indices.
///
/// `virtual_capacity` slots of address space are reserved when the slab is made; memory is
/// committed as slots are first used (or up front for `initial_capacity` slots). Nothing is
/// ever moved or reallocated, so an `&T` obtained earlier stays valid across `insert`.
///
/// ```
/// use nexus_slab::HiSlab;
///
/// // Reserve 65 536 slots of address space, pre-fault the first 1 024.
/// let mut slab = HiSlab::new(1024, 65_536).unwrap();
/// let a = slab.insert("a");
/// let b = slab.insert("b");
/// assert_eq!((a, b), (0, 1));
/// assert_eq!(slab[b], "b");
/// assert_eq!(slab.remove(a), Some("a"));
/// assert_eq!(slab.insert("c"), 0); // the lowest free index is reused
/// assert_eq!(slab.iter().map(|(i, v)| (i, *v)).collect::<Vec<_>>(), [(0, "c"), (1, "b")]);
/// ```
///
/// `HiSlab` is `Send` when `T` is, and never `Sync` (`insert` mutates through `&self`).
///
/// It is invariant in `T`: a slab of long-lived references cannot be lent out as a slab of
/// short-lived ones (which `insert(&self)` would turn into a use after free):
/// ```compile_fail
/// use nexus_slab::HiSlab;
/// fn shorten<'a, 's>(s: &'a HiSlab<&'static String>) -> &'a HiSlab<&'s String> {
///     s
/// }
/// ```
pub struct HiSlab<T> {
    raw: RawSlab,
    /// Population counts of `raw`'s bitmap, for sampling. Invariant: updated right after
    /// every change of the bitmap (in `try_insert`, `insert_at` and `release_bit`, which
    /// `release` and `settle` use), so they agree with it
    /// whenever no method is running.
    #[cfg(feature = "rand")]
    counts: Counts,
    /// The slot freed last, when it is the lowest free index: kept marked in the bitmap (and
    /// the counts) so that a churn's insert takes it back without a bitmap write, and its
    /// remove puts it here without one. `NO_HOT`: none.
    ///
    /// Invariant: when set, the slot holds no value, its bit is set, and every index below
    /// it is occupied, so it is the lowest free index: `insert` hands it out first. Every
    /// walk of the bitmap (iteration, `retain`, sampling) first gives it back
    /// ([`HiSlab::settle`]); while a walk borrows the slab only `insert` can run, which never
    /// sets it.
    hot: Cell<u32>,
    /// Owns `T`s, and is invariant in `T`: `insert` takes `&self`, so a covariant slab could
    /// be viewed as holding a shorter-lived `T` and handed a value that dies before it.
    _owns: crate::Invariant<T>,
}

// SAFETY: the slab owns its values and its memory outright (no shared state with any other
// object); moving it to another thread moves the `T`s, which needs `T: Send`.
unsafe impl<T: Send> Send for HiSlab<T> {}

impl<T> HiSlab<T> {
    /// The capacity of [`HiSlab::default`] and of a slab collected from an iterator of fewer
    /// values: 65 536 slots of address space (committed only as they are used; the
    /// `std::alloc` backend, off Linux and under Miri, allocates them up front).
    pub const DEFAULT_CAPACITY: u32 = 1 << 16;

    /// Reserves `capacity` slots (the most it will ever hold) and commits none yet:
    /// `HiSlab::new(0, capacity)`, panicking where that returns an error.
    ///
    /// ```
    /// use nexus_slab::HiSlab;
    /// let slab = HiSlab::with_capacity(1 << 20);
    /// assert_eq!(slab.insert('x'), 0);
    /// assert_eq!(slab.capacity(), 1 << 20);
    /// ```
    ///
    /// # Panics
    /// If the capacity's bytes do not fit the address space or the OS refuses the
    /// reservation; [`new`](HiSlab::new) returns the error instead.
    #[track_caller]
    pub fn with_capacity(capacity: u32) -> HiSlab<T> {
        match Self::new(0, capacity) {
            Ok(slab) => slab,
            Err(e) => panic!("HiSlab::with_capacity({capacity}): {e}"),
        }
    }

    /// Reserves `virtual_capacity` slots and pre-faults the first `initial_capacity`. A
    /// virtual capacity of 0 is accepted: the slab is then always full.
    ///
    /// Errors: `initial_capacity > virtual_capacity`, a capacity whose bytes do not fit the
    /// address space, or a reservation the OS refuses.
    ///
    /// ```
    /// use nexus_slab::{Error, HiSlab};
    ///
    /// let slab = HiSlab::<u64>::new(16, 1024).unwrap();
    /// assert_eq!((slab.capacity(), slab.len()), (1024, 0));
    /// assert!(matches!(HiSlab::<u64>::new(2, 1), Err(Error::InvalidCapacity { .. })));
    /// ```
    pub fn new(initial_capacity: u32, virtual_capacity: u32) -> Result<HiSlab<T>, Error> {
        let raw = RawSlab::new(
            virtual_capacity,
            initial_capacity,
            Of::<T>::LAYOUT,
            Mode::Indexed,
            MemOptions::default(),
        )?;
        Ok(HiSlab {
            #[cfg(feature = "rand")]
            counts: Counts::new(virtual_capacity, initial_capacity, MemOptions::default())?,
            raw,
            hot: Cell::new(NO_HOT),
            _owns: PhantomData,
        })
    }

    /// Pointer to slot `idx`, with the value region's provenance: writes through it are
    /// allowed.
    ///
    /// # Safety
    /// `idx < capacity`.
    #[inline(always)]
    pub(crate) unsafe fn slot(&self, idx: u32) -> *mut T {
        // SAFETY: the slab is made with `Of<T>`'s layout (`new`); `idx < capacity` (caller).
        unsafe { self.raw.slot::<Of<T>>(idx) }.as_ptr()
    }

    /// Frees `idx`; `false` if it was not occupied. The value is left in the slot for the
    /// caller to move out or drop, exactly once.
    ///
    /// The slot becomes the hot one when it is then the lowest free index (no bitmap write);
    /// otherwise it is cleared in the bitmap (and the sampling counts).
    #[inline(always)]
    fn release(&self, idx: u32) -> bool {
        let hot = self.hot.get();
        if idx == hot || !self.raw.contains(idx) {
            return false;
        }
        if hot == NO_HOT {
            if self.raw.lowest_free_once_released(idx) {
                self.hot.set(idx);
                return true;
            }
        } else if idx < hot {
            // Everything below `hot` was occupied: `idx` is now the lowest free index.
            self.release_bit(hot);
            self.hot.set(idx);
            return true;
        }
        self.release_bit(idx)
    }

    /// Clears occupied `idx` in the bitmap and the sampling counts.
    #[inline(always)]
    fn release_bit(&self, idx: u32) -> bool {
        let freed = self.raw.release(idx);
        #[cfg(feature = "rand")]
        if freed {
            self.counts.sub(idx);
        }
        freed
    }

    /// Gives the hot slot back to the bitmap, so that the bitmap says exactly which slots
    /// hold values: before any walk of it.
    #[inline]
    pub(crate) fn settle(&self) {
        let hot = self.hot.get();
        if hot != NO_HOT {
            self.hot.set(NO_HOT);
            self.release_bit(hot);
        }
    }

    /// Frees `idx` and drops its value in place (no move); `false` if it was vacant.
    ///
    /// The slot is freed before the value's `Drop` runs, so a panicking `Drop` leaves it
    /// freed exactly once.
    #[inline]
    pub(crate) fn drop_at(&mut self, idx: u32) -> bool {
        if !self.release(idx) {
            return false;
        }
        // SAFETY: the value was initialized and its slot is now free; dropped once.
        unsafe { self.slot(idx).drop_in_place() };
        true
    }

    /// The occupancy bitmap, for sampling.
    #[cfg(feature = "rand")]
    #[inline(always)]
    pub(crate) fn occupancy(&self) -> &Bitmap {
        self.settle();
        self.raw.bitmap()
    }

    /// The occupancy bitmap's population counts, for sampling.
    #[cfg(feature = "rand")]
    #[inline(always)]
    pub(crate) fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Inserts `value` at the lowest free index and returns that index.
    ///
    /// # Panics
    /// When the slab is full (the message names the capacity); `value` is dropped.
    /// [`try_insert`](HiSlab::try_insert) hands it back instead.
    ///
    /// ```
    /// let slab = nexus_slab::HiSlab::new(0, 8).unwrap();
    /// let a = slab.insert("a"); // `&self`: no `mut` needed
    /// let b = slab.insert("b");
    /// assert_eq!((a, b), (0, 1));
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn insert(&self, value: T) -> u32 {
        match self.try_insert(value) {
            Ok(idx) => idx,
            Err(Full(value)) => {
                drop(value);
                full_panic("HiSlab", "try_insert", self.capacity())
            }
        }
    }

    /// Inserts `value` at the lowest free index, or hands it back in [`Full`].
    ///
    /// ```
    /// use nexus_slab::{Full, HiSlab};
    ///
    /// let slab = HiSlab::new(0, 1).unwrap();
    /// assert_eq!(slab.try_insert('a'), Ok(0));
    /// assert_eq!(slab.try_insert('b'), Err(Full('b')));
    /// ```
    #[inline(always)]
    pub fn try_insert(&self, value: T) -> Result<u32, Full<T>> {
        let hot = self.hot.get();
        let idx = if hot != NO_HOT {
            // The lowest free index, still marked in the bitmap and the counts.
            self.hot.set(NO_HOT);
            hot
        } else {
            match self.raw.acquire() {
                Some(idx) => {
                    #[cfg(feature = "rand")]
                    self.counts.add(idx);
                    idx
                }
                None => return Err(Full(value)),
            }
        };
        // SAFETY: `idx < capacity`, so the slot is inside the value region; it was free, so
        // nothing else refers to its bytes.
        unsafe { self.slot(idx).write(value) };
        Ok(idx)
    }

    /// Puts `value` at `idx`, chosen by the caller (for `Clone` and deserialization); hands
    /// it back if `idx` is occupied or out of range.
    pub(crate) fn insert_at(&self, idx: u32, value: T) -> Result<(), T> {
        if idx == self.hot.get() {
            // Still marked in the bitmap and the counts.
            self.hot.set(NO_HOT);
        } else if self.raw.occupy(idx) {
            #[cfg(feature = "rand")]
            self.counts.add(idx);
        } else {
            return Err(value);
        }
        // SAFETY: `idx < capacity` (occupy checked it, or it was the hot slot), so the slot
        // is inside the value region; it was free, so nothing else refers to its bytes.
        unsafe { self.slot(idx).write(value) };
        Ok(())
    }

    /// The index the next insert will take (the lowest free one), and a handle that inserts
    /// there: for values that hold their own index. `None` when the slab is full.
    ///
    /// ```
    /// use nexus_slab::HiSlab;
    /// struct Node { id: u32, name: &'static str }
    ///
    /// let mut slab = HiSlab::new(0, 16).unwrap();
    /// let entry = slab.vacant_entry().unwrap();
    /// let id = entry.key();
    /// let node = entry.insert(Node { id, name: "root" });
    /// assert_eq!((node.id, node.name), (0, "root"));
    /// assert_eq!(slab[id].id, id);
    /// ```
    pub fn vacant_entry(&mut self) -> Option<VacantEntry<'_, T>> {
        let idx = match self.hot.get() {
            NO_HOT => {
                // The lowest free index: taken and given straight back, so the bitmap (and
                // the counts, never touched) are as they were; the next insert takes it.
                let idx = self.raw.acquire()?;
                self.raw.release(idx);
                idx
            }
            hot => hot,
        };
        Some(VacantEntry::new(self, idx))
    }

    /// Removes and returns the value at `idx`; `None` if vacant or out of range.
    ///
    /// ```
    /// let mut slab = nexus_slab::HiSlab::new(0, 8).unwrap();
    /// let i = slab.insert(String::from("x"));
    /// assert_eq!(slab.remove(i).as_deref(), Some("x"));
    /// assert_eq!(slab.remove(i), None); // vacant now
    /// assert_eq!(slab.remove(100), None); // out of range
    /// ```
    #[inline(always)]
    pub fn remove(&mut self, idx: u32) -> Option<T> {
        if self.release(idx) {
            // SAFETY: the slot was occupied (so initialized) and is now free: the value is
            // read out exactly once.
            Some(unsafe { self.slot(idx).read() })
        } else {
            None
        }
    }

    /// The value at `idx`, if occupied; `None` if vacant or out of range. (`slab[idx]`
    /// panics instead.)
    ///
    /// ```
    /// let slab = nexus_slab::HiSlab::new(0, 8).unwrap();
    /// let i = slab.insert(5);
    /// assert_eq!(slab.get(i), Some(&5));
    /// assert_eq!(slab.get(i + 1), None);
    /// ```
    #[inline(always)]
    pub fn get(&self, idx: u32) -> Option<&T> {
        // SAFETY: occupied slots hold initialized values; removal needs `&mut self`.
        self.is_occupied(idx).then(|| unsafe { &*self.slot(idx) })
    }

    /// The value at `idx` mutably, if occupied; `None` if vacant or out of range.
    ///
    /// ```
    /// let mut slab = nexus_slab::HiSlab::new(0, 8).unwrap();
    /// let i = slab.insert(5);
    /// *slab.get_mut(i).unwrap() += 1;
    /// assert_eq!(slab[i], 6);
    /// ```
    #[inline(always)]
    pub fn get_mut(&mut self, idx: u32) -> Option<&mut T> {
        // SAFETY: occupied and initialized; `&mut self` excludes every other reference.
        self.is_occupied(idx)
            .then(|| unsafe { &mut *self.slot(idx) })
    }

    /// The values at `N` distinct occupied indices, mutably at once; `None` if an index
    /// repeats or is vacant or out of range.
    ///
    /// ```
    /// use nexus_slab::HiSlab;
    /// let mut slab = HiSlab::new(0, 8).unwrap();
    /// let (a, b) = (slab.insert(1), slab.insert(2));
    /// if let Some([x, y]) = slab.get_disjoint_mut([a, b]) {
    ///     std::mem::swap(x, y);
    /// }
    /// assert_eq!((slab[a], slab[b]), (2, 1));
    /// assert!(slab.get_disjoint_mut([a, a]).is_none());
    /// assert!(slab.get_disjoint_mut([a, 7]).is_none());
    /// ```
    pub fn get_disjoint_mut<const N: usize>(&mut self, indices: [u32; N]) -> Option<[&mut T; N]> {
        for (i, idx) in indices.iter().enumerate() {
            if !self.is_occupied(*idx) || indices[..i].contains(idx) {
                return None;
            }
        }
        // SAFETY: every index is occupied (initialized) and they are distinct, so the
        // references do not overlap; `&mut self` excludes every other reference; the pointers
        // carry the region's provenance.
        Some(indices.map(|idx| unsafe { &mut *self.slot(idx) }))
    }

    /// The index of `value` if it is a live value of this slab (a reference obtained from
    /// it); `None` for any other reference. (A zero-sized `T` gets its own address per slot,
    /// its alignment apart, so this works for it too.)
    ///
    /// ```
    /// use nexus_slab::HiSlab;
    /// let slab = HiSlab::new(0, 8).unwrap();
    /// let idx = slab.insert(String::from("x"));
    /// let value = slab.get(idx).unwrap();
    /// assert_eq!(slab.key_of(value), Some(idx));
    /// assert_eq!(slab.key_of(&String::from("x")), None);
    /// ```
    pub fn key_of(&self, value: &T) -> Option<u32> {
        let idx = self.raw.index_of::<Of<T>>(value as *const T as usize)?;
        self.is_occupied(idx).then_some(idx)
    }

    /// The value at `idx` without checking occupancy: [`get`](HiSlab::get) checks; this
    /// does not.
    ///
    /// # Safety
    /// `idx` must be occupied.
    ///
    /// ```
    /// let slab = nexus_slab::HiSlab::new(0, 8).unwrap();
    /// let i = slab.insert(5);
    /// // SAFETY: `i` was just inserted and not removed.
    /// assert_eq!(unsafe { *slab.get_unchecked(i) }, 5);
    /// ```
    #[inline]
    pub unsafe fn get_unchecked(&self, idx: u32) -> &T {
        debug_assert!(
            self.is_occupied(idx),
            "get_unchecked({idx}) of a vacant slot"
        );
        // SAFETY: the caller guarantees the slot is occupied, hence initialized.
        unsafe { &*self.slot(idx) }
    }

    /// The value at `idx` mutably, without checking occupancy:
    /// [`get_mut`](HiSlab::get_mut) checks; this does not.
    ///
    /// # Safety
    /// `idx` must be occupied.
    ///
    /// ```
    /// let mut slab = nexus_slab::HiSlab::new(0, 8).unwrap();
    /// let i = slab.insert(5);
    /// // SAFETY: `i` was just inserted and not removed.
    /// unsafe { *slab.get_unchecked_mut(i) = 6 };
    /// assert_eq!(slab[i], 6);
    /// ```
    #[inline]
    pub unsafe fn get_unchecked_mut(&mut self, idx: u32) -> &mut T {
        debug_assert!(
            self.is_occupied(idx),
            "get_unchecked_mut({idx}) of a vacant slot"
        );
        // SAFETY: the caller guarantees occupancy; `&mut self` makes the borrow unique.
        unsafe { &mut *self.slot(idx) }
    }

    /// `true` if `idx` holds a value; `false` if vacant or out of range.
    ///
    /// ```
    /// let mut slab = nexus_slab::HiSlab::new(0, 8).unwrap();
    /// let i = slab.insert(());
    /// assert!(slab.is_occupied(i));
    /// slab.remove(i);
    /// assert!(!slab.is_occupied(i) && !slab.is_occupied(1 << 30));
    /// ```
    #[inline]
    pub fn is_occupied(&self, idx: u32) -> bool {
        idx != self.hot.get() && self.raw.contains(idx)
    }

    /// Number of live values.
    ///
    /// ```
    /// let slab = nexus_slab::HiSlab::new(0, 8).unwrap();
    /// slab.insert('a');
    /// slab.insert('b');
    /// assert_eq!(slab.len(), 2);
    /// ```
    #[inline]
    pub fn len(&self) -> u32 {
        self.raw.len() - u32::from(self.hot.get() != NO_HOT)
    }

    /// `true` when no value is live.
    ///
    /// ```
    /// let mut slab = nexus_slab::HiSlab::new(0, 8).unwrap();
    /// let i = slab.insert('a');
    /// assert!(!slab.is_empty());
    /// slab.remove(i);
    /// assert!(slab.is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The virtual capacity: the most values the slab can hold, however much is committed.
    ///
    /// ```
    /// let slab = nexus_slab::HiSlab::<u8>::new(4, 100).unwrap();
    /// assert_eq!(slab.capacity(), 100);
    /// ```
    #[inline]
    pub fn capacity(&self) -> u32 {
        self.raw.capacity()
    }

    /// Gives back to the OS every whole page of value memory that no value touches, keeping
    /// the addresses reserved: indices and values are untouched, and a page given back is
    /// committed again when an insert next lands in it. (A page shared with a live value
    /// stays; the bitmaps stay.) Off Linux, without the `mmap` feature and under Miri nothing
    /// is given back.
    ///
    /// ```
    /// # use nexus_slab::HiSlab;
    /// let mut slab = HiSlab::<[u64; 8]>::new(0, 1 << 20)?;
    /// for i in 0..100_000 {
    ///     slab.insert([i; 8]);
    /// }
    /// for i in 1_000..100_000 {
    ///     slab.remove(i);
    /// }
    /// slab.shrink(); // about 6 MB back to the OS; slots 0..1000 untouched
    /// assert_eq!(slab.get(999), Some(&[999; 8]));
    /// assert_eq!(slab.insert([7; 8]), 1_000); // faults its page back in
    /// # Ok::<(), nexus_slab::Error>(())
    /// ```
    pub fn shrink(&self) {
        // The hot slot holds no value: give its bit back so its page can go too.
        self.settle();
        self.raw.release_free_pages();
    }

    /// Drops every value. Memory stays reserved and committed ([`shrink`](HiSlab::shrink)
    /// gives it back). If a value's `Drop` panics, the rest are still dropped (a second
    /// panic aborts, as for `Vec`).
    ///
    /// ```
    /// let mut slab = nexus_slab::HiSlab::new(0, 8).unwrap();
    /// slab.insert(String::from("a"));
    /// slab.insert(String::from("b"));
    /// slab.clear();
    /// assert!(slab.is_empty());
    /// assert_eq!(slab.insert(String::from("c")), 0); // indices start over
    /// ```
    pub fn clear(&mut self) {
        crate::unwind::finish_on_unwind(self, |slab| slab.retain(|_, _| false));
    }

    /// Keeps the values for which `keep(index, &mut value)` returns `true`, dropping the
    /// others, in index order.
    ///
    /// If `keep` or a value's `Drop` panics, the slab stays consistent: a value is either
    /// still live or freed exactly once.
    ///
    /// ```
    /// let mut slab: nexus_slab::HiSlab<u32> = (0..6).collect();
    /// slab.retain(|idx, value| {
    ///     *value *= 10;
    ///     idx % 2 == 0
    /// });
    /// assert_eq!(slab.iter().collect::<Vec<_>>(), [(0, &0), (2, &20), (4, &40)]);
    /// ```
    pub fn retain(&mut self, mut keep: impl FnMut(u32, &mut T) -> bool) {
        self.settle();
        // A slot freed below `at` may become hot meanwhile: the walk never returns there.
        let mut at = 0;
        while let Some(idx) = self.raw.next_occupied(at) {
            at = idx + 1;
            // SAFETY: occupied, and `&mut self` makes the borrow unique.
            if !keep(idx, unsafe { &mut *self.slot(idx) }) {
                // Frees first, then drops: a panicking Drop leaves the slot freed once.
                self.drop_at(idx);
            }
        }
    }

    /// Removes every value, yielding `(index, value)` in index order; the memory stays
    /// reserved and committed. Values the iterator does not reach are dropped with it (if it
    /// is forgotten, they stay in the slab).
    ///
    /// ```
    /// use nexus_slab::HiSlab;
    /// let mut slab = HiSlab::new(0, 8).unwrap();
    /// slab.insert('a');
    /// slab.insert('b');
    /// assert_eq!(slab.drain().collect::<Vec<_>>(), [(0, 'a'), (1, 'b')]);
    /// assert!(slab.is_empty());
    /// ```
    pub fn drain(&mut self) -> Drain<'_, T> {
        Drain::new(self)
    }

    /// Iterates `(index, &value)` in index order, skipping empty regions.
    ///
    /// Inserting while iterating is allowed (`insert` takes `&self`); a value inserted behind
    /// the iterator's position is not visited, one ahead of it may be.
    ///
    /// ```
    /// let mut slab = nexus_slab::HiSlab::new(0, 8).unwrap();
    /// for c in ['a', 'b', 'c'] {
    ///     slab.insert(c);
    /// }
    /// slab.remove(1);
    /// assert_eq!(slab.iter().collect::<Vec<_>>(), [(0, &'a'), (2, &'c')]);
    /// ```
    #[inline]
    pub fn iter(&self) -> Iter<'_, T> {
        Iter::new(self)
    }

    /// Iterates `(index, &mut value)` in index order, skipping empty regions.
    ///
    /// ```
    /// let mut slab: nexus_slab::HiSlab<u32> = (1..4).collect();
    /// for (idx, value) in slab.iter_mut() {
    ///     *value += idx;
    /// }
    /// assert_eq!((slab[0], slab[1], slab[2]), (1, 3, 5));
    /// ```
    #[inline]
    pub fn iter_mut(&mut self) -> IterMut<'_, T> {
        IterMut::new(self)
    }

    /// Calls `f(index, &value)` for every live value in index order: a loop over
    /// [`iter`](HiSlab::iter).
    ///
    /// ```
    /// let slab: nexus_slab::HiSlab<u64> = (1..=4).collect();
    /// let mut sum = 0;
    /// slab.for_each_occupied(|_, v| sum += v);
    /// assert_eq!(sum, 10);
    /// ```
    #[inline]
    pub fn for_each_occupied(&self, mut f: impl FnMut(u32, &T)) {
        for (idx, value) in self.iter() {
            f(idx, value);
        }
    }
}

/// The panic of a full `insert`, out of line.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn full_panic(slab: &str, try_method: &str, capacity: u32) -> ! {
    panic!(
        "{slab} is full: all {capacity} slots are occupied (use {try_method} to get the value back)"
    )
}

#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn vacant_panic(slab: &str, idx: u32, capacity: u32) -> ! {
    if idx >= capacity {
        panic!("{slab} index {idx} is out of range (capacity {capacity})")
    }
    panic!("{slab} index {idx} is vacant (capacity {capacity})")
}

impl<T> Index<u32> for HiSlab<T> {
    type Output = T;

    /// # Panics
    /// If `idx` is vacant or out of range.
    #[inline(always)]
    #[track_caller]
    fn index(&self, idx: u32) -> &T {
        match self.get(idx) {
            Some(v) => v,
            None => vacant_panic("HiSlab", idx, self.capacity()),
        }
    }
}

impl<T> IndexMut<u32> for HiSlab<T> {
    /// # Panics
    /// If `idx` is vacant or out of range.
    #[inline]
    #[track_caller]
    fn index_mut(&mut self, idx: u32) -> &mut T {
        let cap = self.capacity();
        match self.get_mut(idx) {
            Some(v) => v,
            None => vacant_panic("HiSlab", idx, cap),
        }
    }
}

impl<T> Drop for HiSlab<T> {
    fn drop(&mut self) {
        if core::mem::needs_drop::<T>() {
            self.clear();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for HiSlab<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a, T> IntoIterator for &'a HiSlab<T> {
    type Item = (u32, &'a T);
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<'a, T> IntoIterator for &'a mut HiSlab<T> {
    type Item = (u32, &'a mut T);
    type IntoIter = IterMut<'a, T>;
    fn into_iter(self) -> IterMut<'a, T> {
        self.iter_mut()
    }
}

impl<T> IntoIterator for HiSlab<T> {
    type Item = (u32, T);
    type IntoIter = IntoIter<T>;
    fn into_iter(self) -> IntoIter<T> {
        IntoIter::new(self)
    }
}

#[cfg(test)]
mod tests;

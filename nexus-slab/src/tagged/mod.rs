//! [`TaggedHiSlab`]: a [`HiSlab`] plus a second hierarchical bitmap marking a subset of its
//! live elements ("tagged"), with its own summaries, so walking the tagged elements skips
//! untagged regions as fast as plain iteration skips empty ones.

mod collection;
mod iter;

pub use iter::{IterTagged, IterTaggedMut};

use crate::bitmap::{Bitmap, Mode};
#[cfg(feature = "rand")]
use crate::counts::Counts;
use crate::hislab::{self, HiSlab};
use crate::memory::MemOptions;
use crate::{Error, Full};
use core::cell::Cell;
use core::fmt;
use core::ops::{Index, IndexMut};

/// A [`HiSlab`] whose elements can be tagged, with iteration and sampling over the tagged
/// subset that cost in proportion to it, not to the slab.
///
/// Every method of [`HiSlab`] is here with the same meaning; removing an element in any way
/// (`remove`, `retain`, `clear`, `into_iter`, the `retain_tagged` filter) also drops its tag.
///
/// ```
/// use nexus_slab::TaggedHiSlab;
///
/// let mut slab = TaggedHiSlab::new(0, 1024).unwrap();
/// let a = slab.insert("a"); // not tagged
/// let b = slab.insert_tagged("b"); // inserted and tagged at once
/// assert!(slab.tag(a));
/// assert!(!slab.tag(a)); // already tagged
/// assert!(slab.untag(b));
/// assert!(slab.is_tagged(a) && !slab.is_tagged(b));
///
/// let c = slab.insert_tagged("c");
/// let tagged: Vec<_> = slab.iter_tagged().map(|(i, v)| (i, *v)).collect();
/// assert_eq!(tagged, [(a, "a"), (c, "c")]);
///
/// slab.retain_tag(|_, v| *v != "a"); // untags "a", keeps it
/// assert!(slab.get(a).is_some() && !slab.is_tagged(a));
/// slab.retain_tagged(|_, _| false); // removes the tagged ones ("c")
/// assert_eq!(slab.len(), 2);
/// assert_eq!(slab.remove(c), None);
/// ```
///
/// `TaggedHiSlab` is `Send` when `T` is, and never `Sync` (`insert_tagged` writes the tag
/// bitmap through `&self`):
///
/// ```compile_fail,E0277
/// fn sync<S: Sync>(_: &S) {}
/// sync(&nexus_slab::TaggedHiSlab::<u32>::new(0, 8).unwrap());
/// ```
///
/// ```
/// fn send<S: Send>(_: S) {}
/// send(nexus_slab::TaggedHiSlab::<u32>::new(0, 8).unwrap());
/// ```
pub struct TaggedHiSlab<T> {
    slab: HiSlab<T>,
    /// Invariant: every set bit is an occupied index of `slab` (tags ⊆ live).
    tags: Bitmap,
    /// Invariant: the number of set bits in `tags`.
    tagged: Cell<u32>,
    /// Population counts of `tags`. Invariant: updated right after every change of `tags`
    /// (in `set_tag`, `clear_tag` and `retain`, which clears the tags of what it removes).
    #[cfg(feature = "rand")]
    tag_counts: Counts,
}

// SAFETY: the slab owns its values and all its memory (the inner slab, the tag bitmap and
// counters are not shared with any other object); moving it to another thread moves the `T`s,
// which needs `T: Send`.
unsafe impl<T: Send> Send for TaggedHiSlab<T> {}

impl<T> TaggedHiSlab<T> {
    /// Reserves `virtual_capacity` slots and pre-faults the first `initial_capacity`, as
    /// [`HiSlab::new`].
    pub fn new(initial_capacity: u32, virtual_capacity: u32) -> Result<TaggedHiSlab<T>, Error> {
        let slab = HiSlab::new(initial_capacity, virtual_capacity)?;
        Self::untagged(slab, initial_capacity)
    }

    /// Reserves `capacity` slots and commits none yet, as [`HiSlab::with_capacity`].
    ///
    /// # Panics
    /// If the capacity's bytes do not fit the address space or the OS refuses the
    /// reservation; [`new`](TaggedHiSlab::new) returns the error instead.
    #[track_caller]
    pub fn with_capacity(capacity: u32) -> TaggedHiSlab<T> {
        match Self::new(0, capacity) {
            Ok(slab) => slab,
            Err(e) => panic!("TaggedHiSlab::with_capacity({capacity}): {e}"),
        }
    }

    /// `slab` with no element tagged; the tag bitmap's first `initial_capacity` bits
    /// committed.
    pub(crate) fn untagged(
        slab: HiSlab<T>,
        initial_capacity: u32,
    ) -> Result<TaggedHiSlab<T>, Error> {
        let virtual_capacity = slab.capacity();
        let opts = MemOptions::default();
        Ok(TaggedHiSlab {
            tags: Bitmap::new(virtual_capacity, initial_capacity, Mode::Indexed, opts)?,
            tagged: Cell::new(0),
            #[cfg(feature = "rand")]
            tag_counts: Counts::new(virtual_capacity, initial_capacity, opts)?,
            slab,
        })
    }

    /// Sets the tag bit of `idx`, which must be live; `false` if it was already set.
    /// `&self`: the tag bitmap and counters are written through their regions' raw pointers.
    #[inline]
    fn set_tag(&self, idx: u32) -> bool {
        debug_assert!(self.slab.is_occupied(idx));
        let set = self.tags.occupy(idx as usize);
        if set {
            self.tagged.set(self.tagged.get() + 1);
            #[cfg(feature = "rand")]
            self.tag_counts.add(idx);
        }
        set
    }

    /// Clears the tag bit of `idx`; `false` if it was not set (or out of range).
    #[inline]
    fn clear_tag(&self, idx: u32) -> bool {
        let cleared = self.tags.release(idx as usize, false);
        if cleared {
            self.tagged.set(self.tagged.get() - 1);
            #[cfg(feature = "rand")]
            self.tag_counts.sub(idx);
        }
        cleared
    }

    // ---- the HiSlab API -------------------------------------------------------------------

    /// Inserts `value` untagged at the lowest free index; see [`HiSlab::insert`].
    ///
    /// # Panics
    /// When the slab is full (the message names the capacity); `value` is dropped.
    #[inline(always)]
    #[track_caller]
    pub fn insert(&self, value: T) -> u32 {
        match self.slab.try_insert(value) {
            Ok(idx) => idx,
            Err(Full(value)) => {
                drop(value);
                hislab::full_panic("TaggedHiSlab", "try_insert", self.capacity())
            }
        }
    }

    /// Inserts `value` untagged, or hands it back in [`Full`]; see [`HiSlab::try_insert`].
    #[inline(always)]
    pub fn try_insert(&self, value: T) -> Result<u32, Full<T>> {
        self.slab.try_insert(value)
    }

    /// Removes and returns the value at `idx`, dropping its tag; `None` if vacant or out of
    /// range.
    #[inline(always)]
    pub fn remove(&mut self, idx: u32) -> Option<T> {
        let value = self.slab.remove(idx)?;
        self.clear_tag(idx);
        Some(value)
    }

    /// The value at `idx`, if occupied.
    #[inline]
    pub fn get(&self, idx: u32) -> Option<&T> {
        self.slab.get(idx)
    }

    /// The value at `idx` mutably, if occupied.
    #[inline]
    pub fn get_mut(&mut self, idx: u32) -> Option<&mut T> {
        self.slab.get_mut(idx)
    }

    /// The value at `idx` without checking occupancy: [`get`](Self::get) checks; this does
    /// not.
    ///
    /// # Safety
    /// `idx` must be occupied.
    #[inline]
    pub unsafe fn get_unchecked(&self, idx: u32) -> &T {
        // SAFETY: forwarded contract: `idx` is occupied.
        unsafe { self.slab.get_unchecked(idx) }
    }

    /// The value at `idx` mutably, without checking occupancy: [`get_mut`](Self::get_mut)
    /// checks; this does not.
    ///
    /// # Safety
    /// `idx` must be occupied.
    #[inline]
    pub unsafe fn get_unchecked_mut(&mut self, idx: u32) -> &mut T {
        // SAFETY: forwarded contract: `idx` is occupied.
        unsafe { self.slab.get_unchecked_mut(idx) }
    }

    /// `true` if `idx` holds a value.
    #[inline]
    pub fn is_occupied(&self, idx: u32) -> bool {
        self.slab.is_occupied(idx)
    }

    /// Number of live values, tagged or not.
    #[inline]
    pub fn len(&self) -> u32 {
        self.slab.len()
    }

    /// `true` when no value is live.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.slab.is_empty()
    }

    /// The virtual capacity: the most values the slab can hold.
    #[inline]
    pub fn capacity(&self) -> u32 {
        self.slab.capacity()
    }

    /// [`HiSlab::shrink`]: gives back to the OS every whole page of value memory that no
    /// value touches; indices, values and tags are untouched.
    pub fn shrink(&self) {
        self.as_hislab().shrink()
    }

    /// Drops every value (and every tag). Memory stays reserved ([`shrink`](Self::shrink)
    /// gives it back). If a value's `Drop` panics,
    /// the rest are still dropped (a second panic aborts, as for `Vec` and [`HiSlab::clear`]).
    pub fn clear(&mut self) {
        crate::unwind::finish_on_unwind(self, |slab| slab.retain(|_, _| false));
    }

    /// Keeps the values for which `keep(index, &mut value)` returns `true`, dropping the
    /// others (and their tags), in index order.
    ///
    /// If `keep` or a value's `Drop` panics, the slab stays consistent: a value is either
    /// still live (with its tag) or freed and untagged exactly once.
    pub fn retain(&mut self, mut keep: impl FnMut(u32, &mut T) -> bool) {
        let (slab, tags, tagged) = (&mut self.slab, &self.tags, &self.tagged);
        #[cfg(feature = "rand")]
        let tag_counts = &self.tag_counts;
        slab.retain(|idx, value| {
            let kept = keep(idx, value);
            if !kept && tags.release(idx as usize, false) {
                // Untagged before the slab frees the slot and drops the value.
                tagged.set(tagged.get() - 1);
                #[cfg(feature = "rand")]
                tag_counts.sub(idx);
            }
            kept
        });
    }

    /// Iterates `(index, &value)` over every live value in index order; see [`HiSlab::iter`].
    #[inline]
    pub fn iter(&self) -> hislab::Iter<'_, T> {
        self.slab.iter()
    }

    /// Iterates `(index, &mut value)` over every live value in index order.
    #[inline]
    pub fn iter_mut(&mut self) -> hislab::IterMut<'_, T> {
        self.slab.iter_mut()
    }

    /// Calls `f(index, &value)` for every live value in index order.
    #[inline]
    pub fn for_each_occupied(&self, f: impl FnMut(u32, &T)) {
        self.slab.for_each_occupied(f);
    }

    // ---- tags -----------------------------------------------------------------------------

    /// Inserts `value` at the lowest free index and tags it.
    ///
    /// # Panics
    /// When the slab is full (the message names the capacity); `value` is dropped and
    /// nothing is tagged.
    ///
    /// ```
    /// let slab = nexus_slab::TaggedHiSlab::new(0, 16).unwrap();
    /// let idx = slab.insert_tagged("pending");
    /// assert!(slab.is_tagged(idx));
    /// assert_eq!(slab.tagged_len(), 1);
    /// ```
    #[inline]
    #[track_caller]
    pub fn insert_tagged(&self, value: T) -> u32 {
        match self.try_insert_tagged(value) {
            Ok(idx) => idx,
            Err(Full(value)) => {
                drop(value);
                hislab::full_panic("TaggedHiSlab", "try_insert_tagged", self.capacity())
            }
        }
    }

    /// Inserts `value` and tags it, or hands it back in [`Full`] (nothing tagged).
    ///
    /// ```
    /// let slab = nexus_slab::TaggedHiSlab::new(0, 1).unwrap();
    /// assert_eq!(slab.try_insert_tagged('a'), Ok(0));
    /// assert_eq!(slab.try_insert_tagged('b').unwrap_err().0, 'b');
    /// assert_eq!(slab.tagged_len(), 1);
    /// ```
    #[inline]
    pub fn try_insert_tagged(&self, value: T) -> Result<u32, Full<T>> {
        let idx = self.slab.try_insert(value)?;
        self.set_tag(idx);
        Ok(idx)
    }

    /// Tags the live element at `idx`. `false` if it was already tagged, or `idx` is vacant
    /// or out of range.
    ///
    /// ```
    /// let mut slab = nexus_slab::TaggedHiSlab::new(0, 16).unwrap();
    /// let idx = slab.insert('a');
    /// assert!(slab.tag(idx));
    /// assert!(!slab.tag(idx)); // already tagged
    /// assert!(!slab.tag(idx + 1)); // vacant
    /// ```
    #[inline]
    pub fn tag(&mut self, idx: u32) -> bool {
        self.slab.is_occupied(idx) && self.set_tag(idx)
    }

    /// Untags `idx`, keeping its value. `false` if it was not tagged (vacant or out of range
    /// included).
    ///
    /// ```
    /// let mut slab = nexus_slab::TaggedHiSlab::new(0, 16).unwrap();
    /// let idx = slab.insert_tagged('a');
    /// assert!(slab.untag(idx));
    /// assert!(!slab.untag(idx));
    /// assert_eq!(slab[idx], 'a'); // the value stays
    /// ```
    #[inline]
    pub fn untag(&mut self, idx: u32) -> bool {
        self.clear_tag(idx)
    }

    /// The values at `N` distinct occupied indices, mutably at once; `None` if an index
    /// repeats or is vacant; see [`HiSlab::get_disjoint_mut`].
    pub fn get_disjoint_mut<const N: usize>(&mut self, indices: [u32; N]) -> Option<[&mut T; N]> {
        self.slab.get_disjoint_mut(indices)
    }

    /// The index of `value` if it is a live value of this slab; see [`HiSlab::key_of`].
    pub fn key_of(&self, value: &T) -> Option<u32> {
        self.slab.key_of(value)
    }

    /// The index the next (untagged) insert takes, and a handle that inserts there; see
    /// [`HiSlab::vacant_entry`]. Tag it afterwards with [`tag`](TaggedHiSlab::tag).
    pub fn vacant_entry(&mut self) -> Option<hislab::VacantEntry<'_, T>> {
        // A vacant index is never tagged (tags ⊆ live), so an untagged insert keeps that.
        self.slab.vacant_entry()
    }

    /// Removes every value, yielding `(index, value)` in index order; see
    /// [`HiSlab::drain`]. Every tag is cleared first (a forgotten drain leaves the values it
    /// did not reach live and untagged).
    ///
    /// ```
    /// use nexus_slab::TaggedHiSlab;
    /// let mut slab = TaggedHiSlab::new(0, 8).unwrap();
    /// slab.insert('a');
    /// slab.insert_tagged('b');
    /// assert_eq!(slab.drain().collect::<Vec<_>>(), [(0, 'a'), (1, 'b')]);
    /// assert_eq!((slab.len(), slab.tagged_len()), (0, 0));
    /// ```
    pub fn drain(&mut self) -> hislab::Drain<'_, T> {
        self.retain_tag(|_, _| false);
        self.slab.drain()
    }

    /// `true` if `idx` is live and tagged.
    ///
    /// ```
    /// let mut slab = nexus_slab::TaggedHiSlab::new(0, 16).unwrap();
    /// let (a, b) = (slab.insert(1), slab.insert_tagged(2));
    /// assert!(!slab.is_tagged(a) && slab.is_tagged(b));
    /// slab.remove(b);
    /// assert!(!slab.is_tagged(b)); // removing clears the tag
    /// ```
    #[inline]
    pub fn is_tagged(&self, idx: u32) -> bool {
        self.tags.contains(idx as usize)
    }

    /// Number of tagged values (O(1)).
    ///
    /// ```
    /// let slab = nexus_slab::TaggedHiSlab::new(0, 16).unwrap();
    /// slab.insert(1);
    /// slab.insert_tagged(2);
    /// slab.insert_tagged(3);
    /// assert_eq!((slab.len(), slab.tagged_len()), (3, 2));
    /// ```
    #[inline]
    pub fn tagged_len(&self) -> u32 {
        self.tagged.get()
    }

    /// Calls `f(index, &value)` for every tagged value in index order, skipping untagged
    /// regions through the tag bitmap's summaries.
    ///
    /// ```
    /// let slab = nexus_slab::TaggedHiSlab::new(0, 16).unwrap();
    /// for i in 0..10 {
    ///     if i % 3 == 0 { slab.insert_tagged(i); } else { slab.insert(i); }
    /// }
    /// let mut seen = Vec::new();
    /// slab.for_each_tagged(|_, v| seen.push(*v));
    /// assert_eq!(seen, [0, 3, 6, 9]);
    /// ```
    #[inline]
    pub fn for_each_tagged(&self, mut f: impl FnMut(u32, &T)) {
        for (idx, value) in self.iter_tagged() {
            f(idx, value);
        }
    }

    /// Iterates `(index, &value)` over the tagged values in index order.
    ///
    /// Inserting (tagged or not) while iterating is allowed; an element tagged behind the
    /// iterator's position is not visited, one ahead of it may be.
    #[inline]
    pub fn iter_tagged(&self) -> IterTagged<'_, T> {
        IterTagged::new(self)
    }

    /// Iterates `(index, &mut value)` over the tagged values in index order.
    #[inline]
    pub fn iter_tagged_mut(&mut self) -> IterTaggedMut<'_, T> {
        IterTaggedMut::new(self)
    }

    /// Among the tagged values, in index order, keeps those for which
    /// `keep(index, &mut value)` returns `true` and removes (drops) the others. Untagged
    /// values are not visited.
    ///
    /// If `keep` or a value's `Drop` panics, the slab stays consistent: an element is either
    /// still live and tagged, or untagged, freed and dropped exactly once.
    ///
    /// ```
    /// let mut slab = nexus_slab::TaggedHiSlab::new(0, 16).unwrap();
    /// let keep = slab.insert_tagged(1);
    /// let drop_me = slab.insert_tagged(2);
    /// let untagged = slab.insert(3);
    /// slab.retain_tagged(|_, v| *v != 2);
    /// assert!(slab.is_tagged(keep) && !slab.is_occupied(drop_me));
    /// assert_eq!(slab[untagged], 3); // not visited
    /// ```
    pub fn retain_tagged(&mut self, mut keep: impl FnMut(u32, &mut T) -> bool) {
        let mut at = 0;
        while let Some(idx) = self.tags.next_occupied(at) {
            at = idx + 1;
            // SAFETY: tagged implies live (tags ⊆ live); `&mut self` makes the borrow unique.
            let value = unsafe { &mut *self.slab.slot(idx as u32) };
            if !keep(idx as u32, value) {
                // Untag, free, then drop: a panicking Drop leaves nothing half-removed.
                self.clear_tag(idx as u32);
                self.slab.drop_at(idx as u32);
            }
        }
    }

    /// Among the tagged values, in index order, untags (but keeps) those for which
    /// `keep(index, &value)` returns `false`.
    ///
    /// ```
    /// let mut slab = nexus_slab::TaggedHiSlab::new(0, 16).unwrap();
    /// let a = slab.insert_tagged(1);
    /// let b = slab.insert_tagged(2);
    /// slab.retain_tag(|_, v| *v == 1);
    /// assert!(slab.is_tagged(a) && !slab.is_tagged(b));
    /// assert_eq!(slab.len(), 2); // nothing removed
    /// ```
    pub fn retain_tag(&mut self, mut keep: impl FnMut(u32, &T) -> bool) {
        let mut at = 0;
        while let Some(idx) = self.tags.next_occupied(at) {
            at = idx + 1;
            // SAFETY: tagged implies live; no `&mut T` exists while `keep` runs.
            let value = unsafe { &*self.slab.slot(idx as u32) };
            if !keep(idx as u32, value) {
                self.clear_tag(idx as u32);
            }
        }
    }

    /// The inner slab (every element, tagged or not), read-only.
    ///
    /// ```
    /// let slab = nexus_slab::TaggedHiSlab::new(0, 16).unwrap();
    /// slab.insert(1);
    /// slab.insert_tagged(2);
    /// let all: Vec<_> = slab.as_hislab().iter().map(|(_, v)| *v).collect();
    /// assert_eq!(all, [1, 2]);
    /// ```
    #[inline]
    pub fn as_hislab(&self) -> &HiSlab<T> {
        &self.slab
    }

    /// The inner slab, for the sampling and iteration layers.
    #[inline(always)]
    pub(crate) fn slab(&self) -> &HiSlab<T> {
        &self.slab
    }

    /// The tag bitmap.
    #[inline(always)]
    pub(crate) fn tags(&self) -> &Bitmap {
        &self.tags
    }

    /// The tag bitmap's population counts.
    #[cfg(feature = "rand")]
    #[inline(always)]
    pub(crate) fn tag_counts(&self) -> &Counts {
        &self.tag_counts
    }

    /// Checks the tag invariants (tests only).
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        self.tags.check_invariants();
        let mut n = 0;
        let mut at = 0;
        while let Some(idx) = self.tags.next_occupied(at) {
            assert!(self.slab.is_occupied(idx as u32), "tagged {idx} is vacant");
            n += 1;
            at = idx + 1;
        }
        assert_eq!(n, self.tagged.get(), "tag count");
        #[cfg(feature = "rand")]
        self.tag_counts.check(&self.tags);
        #[cfg(feature = "rand")]
        self.slab.counts().check(self.slab.occupancy());
    }
}

impl<T> Index<u32> for TaggedHiSlab<T> {
    type Output = T;

    /// # Panics
    /// If `idx` is vacant or out of range.
    #[inline]
    #[track_caller]
    fn index(&self, idx: u32) -> &T {
        match self.slab.get(idx) {
            Some(v) => v,
            None => hislab::vacant_panic("TaggedHiSlab", idx, self.capacity()),
        }
    }
}

impl<T> IndexMut<u32> for TaggedHiSlab<T> {
    /// # Panics
    /// If `idx` is vacant or out of range.
    #[inline]
    #[track_caller]
    fn index_mut(&mut self, idx: u32) -> &mut T {
        let cap = self.capacity();
        match self.slab.get_mut(idx) {
            Some(v) => v,
            None => hislab::vacant_panic("TaggedHiSlab", idx, cap),
        }
    }
}

/// Lists the indices of the tagged elements, for `Debug`.
struct TaggedIndices<'a, T>(&'a TaggedHiSlab<T>);

impl<T> fmt::Debug for TaggedIndices<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter_tagged().map(|(i, _)| i))
            .finish()
    }
}

impl<T: fmt::Debug> fmt::Debug for TaggedHiSlab<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaggedHiSlab")
            .field("values", &self.slab)
            .field("tagged", &TaggedIndices(self))
            .finish()
    }
}

impl<'a, T> IntoIterator for &'a TaggedHiSlab<T> {
    type Item = (u32, &'a T);
    type IntoIter = hislab::Iter<'a, T>;
    fn into_iter(self) -> hislab::Iter<'a, T> {
        self.iter()
    }
}

impl<'a, T> IntoIterator for &'a mut TaggedHiSlab<T> {
    type Item = (u32, &'a mut T);
    type IntoIter = hislab::IterMut<'a, T>;
    fn into_iter(self) -> hislab::IterMut<'a, T> {
        self.iter_mut()
    }
}

impl<T> IntoIterator for TaggedHiSlab<T> {
    type Item = (u32, T);
    type IntoIter = hislab::IntoIter<T>;
    /// Moves every value out in index order. The tags go with the slab: the tag bitmap is
    /// released here, so no removed element keeps a tag.
    fn into_iter(self) -> hislab::IntoIter<T> {
        let TaggedHiSlab { slab, .. } = self;
        slab.into_iter()
    }
}

#[cfg(test)]
mod tests;

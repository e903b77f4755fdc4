//! The standard collection traits on [`TaggedHiSlab`]: `Default`, `Clone` (same indices,
//! same tags), `FromIterator` and `Extend` (untagged).

use super::TaggedHiSlab;
use crate::hislab::HiSlab;

impl<T> Default for TaggedHiSlab<T> {
    /// An empty slab of [`HiSlab::DEFAULT_CAPACITY`] slots.
    ///
    /// # Panics
    /// If the OS refuses the reservation.
    #[track_caller]
    fn default() -> Self {
        TaggedHiSlab::with_capacity(HiSlab::<T>::DEFAULT_CAPACITY)
    }
}

impl<T: Clone> Clone for TaggedHiSlab<T> {
    /// A slab of the same capacity with a clone of every value at the same index, tagged
    /// where the original's is.
    ///
    /// ```
    /// use nexus_slab::TaggedHiSlab;
    /// let slab = TaggedHiSlab::new(0, 8).unwrap();
    /// slab.insert("a");
    /// let b = slab.insert_tagged("b");
    /// let copy = slab.clone();
    /// assert!(copy.is_tagged(b) && copy.tagged_len() == 1);
    /// assert!(copy.iter().eq(slab.iter()));
    /// ```
    ///
    /// # Panics
    /// If the OS refuses a reservation, or a value's `clone` panics.
    #[track_caller]
    fn clone(&self) -> Self {
        let copy = match TaggedHiSlab::untagged(self.slab.clone(), 0) {
            Ok(copy) => copy,
            Err(e) => panic!("TaggedHiSlab::clone: {e}"),
        };
        for (idx, _) in self.iter_tagged() {
            copy.set_tag(idx);
        }
        copy
    }
}

impl<T> FromIterator<T> for TaggedHiSlab<T> {
    /// The values untagged at indices 0, 1, 2, ..., as [`HiSlab`]'s `from_iter`.
    #[track_caller]
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let slab: HiSlab<T> = iter.into_iter().collect();
        match TaggedHiSlab::untagged(slab, 0) {
            Ok(slab) => slab,
            Err(e) => panic!("TaggedHiSlab::from_iter: {e}"),
        }
    }
}

impl<T> Extend<T> for TaggedHiSlab<T> {
    /// Inserts every value untagged, each at the lowest free index.
    ///
    /// # Panics
    /// When the slab fills up, as [`insert`](TaggedHiSlab::insert) does.
    #[track_caller]
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for value in iter {
            self.insert(value);
        }
    }
}

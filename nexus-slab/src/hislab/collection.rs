//! The standard collection traits on [`HiSlab`]: `Default`, `Clone` (same indices),
//! `FromIterator` and `Extend`.

use super::HiSlab;
use alloc::vec::Vec;

impl<T> Default for HiSlab<T> {
    /// An empty slab of [`HiSlab::DEFAULT_CAPACITY`] slots.
    ///
    /// # Panics
    /// If the OS refuses the reservation.
    #[track_caller]
    fn default() -> Self {
        HiSlab::with_capacity(HiSlab::<T>::DEFAULT_CAPACITY)
    }
}

impl<T: Clone> Clone for HiSlab<T> {
    /// A slab of the same capacity holding a clone of every value at the same index.
    ///
    /// ```
    /// use nexus_slab::HiSlab;
    /// let mut slab = HiSlab::new(0, 8).unwrap();
    /// let (a, b) = (slab.insert("a"), slab.insert("b"));
    /// slab.remove(a);
    /// let copy = slab.clone();
    /// assert_eq!(copy.get(b), Some(&"b"));
    /// assert_eq!(copy.get(a), None);
    /// assert_eq!(copy.capacity(), slab.capacity());
    /// ```
    ///
    /// # Panics
    /// If the OS refuses the reservation, or a value's `clone` panics (the values cloned so
    /// far are dropped with the partial copy).
    #[track_caller]
    fn clone(&self) -> Self {
        let copy = match HiSlab::new(0, self.capacity()) {
            Ok(copy) => copy,
            Err(e) => panic!("HiSlab::clone: {e}"),
        };
        for (idx, value) in self.iter() {
            let placed = copy.insert_at(idx, value.clone());
            debug_assert!(placed.is_ok(), "index {idx} of a fresh slab is free");
        }
        copy
    }
}

impl<T> FromIterator<T> for HiSlab<T> {
    /// A slab holding the values at indices 0, 1, 2, ..., with room for
    /// `max(count, DEFAULT_CAPACITY)` values.
    ///
    /// ```
    /// use nexus_slab::HiSlab;
    /// let slab: HiSlab<char> = "abc".chars().collect();
    /// assert_eq!(slab[2], 'c');
    /// assert_eq!(slab.capacity(), HiSlab::<char>::DEFAULT_CAPACITY);
    /// ```
    ///
    /// # Panics
    /// If the iterator yields more than `u32::MAX - 1` values or the OS refuses the
    /// reservation.
    #[track_caller]
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let values: Vec<T> = iter.into_iter().collect();
        let count = match u32::try_from(values.len()) {
            Ok(n) if n < u32::MAX => n,
            _ => panic!(
                "HiSlab::from_iter: {} values do not fit u32 indices",
                values.len()
            ),
        };
        let slab = HiSlab::with_capacity(count.max(HiSlab::<T>::DEFAULT_CAPACITY));
        slab.extend_shared(values);
        slab
    }
}

impl<T> Extend<T> for HiSlab<T> {
    /// Inserts every value, each at the lowest free index.
    ///
    /// # Panics
    /// When the slab fills up, as [`insert`](HiSlab::insert) does (the values inserted so far
    /// stay).
    #[track_caller]
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.extend_shared(iter);
    }
}

impl<T> HiSlab<T> {
    #[track_caller]
    fn extend_shared<I: IntoIterator<Item = T>>(&self, iter: I) {
        for value in iter {
            self.insert(value);
        }
    }
}

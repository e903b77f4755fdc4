//! [`VacantEntry`]: the index before the value, for values that hold their own index.

use super::HiSlab;

/// The index the next insert into a [`HiSlab`] takes; see [`HiSlab::vacant_entry`]. It
/// borrows the slab mutably, so nothing else can take that index first. Dropping it unused
/// changes nothing.
pub struct VacantEntry<'a, T> {
    slab: &'a mut HiSlab<T>,
    idx: u32,
}

impl<'a, T> VacantEntry<'a, T> {
    pub(super) fn new(slab: &'a mut HiSlab<T>, idx: u32) -> Self {
        VacantEntry { slab, idx }
    }

    /// The index [`insert`](VacantEntry::insert) will put the value at.
    pub fn key(&self) -> u32 {
        self.idx
    }

    /// Puts `value` at [`key`](VacantEntry::key) and returns it, borrowed for the slab's
    /// borrow.
    pub fn insert(self, value: T) -> &'a mut T {
        let inserted = self.slab.insert_at(self.idx, value);
        assert!(inserted.is_ok(), "a vacant entry's index is free");
        // SAFETY: just written (occupied, initialized); the entry's `&'a mut` borrow of the
        // slab is consumed here, so this is the only reference.
        unsafe { &mut *self.slab.slot(self.idx) }
    }
}

impl<T> core::fmt::Debug for VacantEntry<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VacantEntry")
            .field("key", &self.idx)
            .finish()
    }
}

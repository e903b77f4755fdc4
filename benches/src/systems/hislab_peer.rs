//! The `hislab` crate (0.2.6): `u32` keys into one `mmap` reservation, free slots found
//! through a hierarchical bitmap.

use super::IndexSlab;

/// `hislab::HiSlab` 0.2.6: lowest free index first; grows by committing pages of its
/// reservation, never by copying.
pub struct HislabPeer<V: 'static>(hislab::HiSlab<V>);

impl<V: 'static> IndexSlab<V> for HislabPeer<V> {
    type Handle = u32;
    const NAME: &'static str = "hislab 0.2.6";
    const OURS: bool = false;
    const ITERATES: bool = true;

    /// Reserves and pre-faults `capacity` slots (`HiSlab::new(capacity, capacity)`).
    fn with_capacity(capacity: usize) -> Self {
        let cap = u32::try_from(capacity).expect("capacity fits u32");
        HislabPeer(hislab::HiSlab::new(cap, cap).expect("hislab reservation"))
    }

    /// Reserves `max_len` slots and pre-faults none (`HiSlab::new(0, max_len)`).
    fn growable(max_len: usize) -> Self {
        let cap = u32::try_from(max_len).expect("capacity fits u32");
        HislabPeer(hislab::HiSlab::new(0, cap).expect("hislab reservation"))
    }

    #[inline(always)]
    fn insert(&mut self, value: V) -> u32 {
        self.0.insert(value)
    }

    /// `slab[key]`: checks the occupancy bit, panics on a vacant key.
    #[inline(always)]
    fn get<'a>(&'a self, handle: &'a u32) -> &'a V {
        &self.0[*handle]
    }

    #[inline(always)]
    fn remove(&mut self, handle: u32) -> V {
        self.0.remove(handle).expect("live key")
    }

    #[inline(always)]
    fn for_each_live(&self, mut f: impl FnMut(&V)) {
        self.0.for_each_occupied(|_, v| f(v));
    }
}

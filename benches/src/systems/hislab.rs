//! This project's index slab.

use super::IndexSlab;
use nexus_slab::HiSlab;

/// [`HiSlab`]: `u32` keys, values in reserved memory, lowest free index first.
pub struct HiSlabSystem<V>(HiSlab<V>);

impl<V> IndexSlab<V> for HiSlabSystem<V> {
    type Handle = u32;
    const NAME: &'static str = "HiSlab";
    const OURS: bool = true;
    const ITERATES: bool = true;

    /// Reserves and pre-faults `capacity` slots.
    fn with_capacity(capacity: usize) -> Self {
        let cap = u32::try_from(capacity).expect("capacity fits u32");
        HiSlabSystem(HiSlab::new(cap, cap).expect("HiSlab reservation"))
    }

    /// Reserves `max_len` slots and pre-faults none: pages are committed on first use.
    fn growable(max_len: usize) -> Self {
        let cap = u32::try_from(max_len).expect("capacity fits u32");
        HiSlabSystem(HiSlab::new(0, cap).expect("HiSlab reservation"))
    }

    #[inline(always)]
    fn insert(&mut self, value: V) -> u32 {
        self.0.insert(value)
    }

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

    fn shrink(&mut self) -> bool {
        self.0.shrink();
        true
    }
}

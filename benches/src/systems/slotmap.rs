//! The `slotmap` crate: generational keys over a `Vec` of versioned slots.

use super::IndexSlab;
use slotmap::{DefaultKey, SlotMap};

/// `slotmap::SlotMap`: 8-byte generational keys; grows by reallocating its `Vec`.
pub struct SlotMapSystem<V>(SlotMap<DefaultKey, V>);

impl<V> IndexSlab<V> for SlotMapSystem<V> {
    type Handle = DefaultKey;
    const NAME: &'static str = "slotmap";
    const OURS: bool = false;
    const ITERATES: bool = true;

    fn with_capacity(capacity: usize) -> Self {
        SlotMapSystem(SlotMap::with_capacity(capacity))
    }

    fn growable(_max_len: usize) -> Self {
        SlotMapSystem(SlotMap::new())
    }

    #[inline(always)]
    fn insert(&mut self, value: V) -> DefaultKey {
        self.0.insert(value)
    }

    #[inline(always)]
    fn get<'a>(&'a self, handle: &'a DefaultKey) -> &'a V {
        &self.0[*handle]
    }

    #[inline(always)]
    fn remove(&mut self, handle: DefaultKey) -> V {
        self.0.remove(handle).expect("live key")
    }

    #[inline(always)]
    fn for_each_live(&self, mut f: impl FnMut(&V)) {
        for v in self.0.values() {
            f(v);
        }
    }
}

//! The `slab` crate: a `Vec` of entries with a free list threaded through the vacant ones.

use super::IndexSlab;

/// `slab::Slab`: `usize` keys; grows by reallocating (and copying) its `Vec`.
pub struct SlabSystem<V>(slab::Slab<V>);

impl<V> IndexSlab<V> for SlabSystem<V> {
    type Handle = usize;
    const NAME: &'static str = "slab";
    const OURS: bool = false;
    const ITERATES: bool = true;

    fn with_capacity(capacity: usize) -> Self {
        SlabSystem(slab::Slab::with_capacity(capacity))
    }

    fn growable(_max_len: usize) -> Self {
        SlabSystem(slab::Slab::new())
    }

    #[inline(always)]
    fn insert(&mut self, value: V) -> usize {
        self.0.insert(value)
    }

    #[inline(always)]
    fn get<'a>(&'a self, handle: &'a usize) -> &'a V {
        &self.0[*handle]
    }

    #[inline(always)]
    fn remove(&mut self, handle: usize) -> V {
        self.0.remove(handle)
    }

    #[inline(always)]
    fn for_each_live(&self, mut f: impl FnMut(&V)) {
        for (_, v) in self.0.iter() {
            f(v);
        }
    }

    /// `shrink_to_fit`: drops the vacant entries past the last occupied one.
    fn shrink(&mut self) -> bool {
        self.0.shrink_to_fit();
        true
    }
}

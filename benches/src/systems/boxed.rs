//! `Box` from the system allocator: one heap allocation per value, no container.

use super::IndexSlab;

/// `Box<V>` (the global allocator, glibc's `malloc` on Linux): the box is the handle; there
/// is no index of live values, so it does not iterate.
pub struct BoxSystem;

impl<V> IndexSlab<V> for BoxSystem {
    type Handle = Box<V>;
    const NAME: &'static str = "Box";
    const OURS: bool = false;
    const ITERATES: bool = false;

    fn with_capacity(_capacity: usize) -> Self {
        BoxSystem
    }

    fn growable(_max_len: usize) -> Self {
        BoxSystem
    }

    #[inline(always)]
    fn insert(&mut self, value: V) -> Box<V> {
        Box::new(value)
    }

    #[inline(always)]
    fn get<'a>(&'a self, handle: &'a Box<V>) -> &'a V {
        handle
    }

    #[inline(always)]
    fn remove(&mut self, handle: Box<V>) -> V {
        *handle
    }

    /// Never called (`ITERATES` is false): there is nothing to walk.
    fn for_each_live(&self, _f: impl FnMut(&V)) {}
}

//! The systems measured, behind one trait.
//!
//! Adding a system is one small impl of [`IndexSlab`] in its own file here, plus one line in
//! [`each_system`]. The handle need not be `Copy`: a `Box<V>` is its own handle, and an
//! owning RAII slot (which frees on drop) fits the same way: `get` borrows through the
//! handle, `remove` consumes it.
//!
//! Systems with a different interface (a byte allocator taking a `Layout`) get a trait and a
//! registry of their own beside this one, with workloads of their own.

mod allocator;
mod boxed;
mod hislab;
mod hislab_peer;
mod nexus2;
mod slab;
mod slotmap;

pub use self::allocator::{BoundedAllocator, PerThread, UnboundedAllocator};
pub use self::boxed::BoxSystem;
pub use self::hislab::HiSlabSystem;
pub use self::hislab_peer::HislabPeer;
pub use self::nexus2::{Nexus2Bounded, Nexus2Unbounded};
pub use self::slab::SlabSystem;
pub use self::slotmap::SlotMapSystem;

/// A store of `V` addressed by handles: the operations every workload is made of.
///
/// Each method is what a caller of the system would write for that operation, with the
/// system's own checks (a `get` of a vacant key panics, as `slab[key]` does).
pub trait IndexSlab<V>: Sized {
    /// What `insert` returns and the caller keeps.
    type Handle;
    /// Name in tables and charts.
    const NAME: &'static str;
    /// `true` for this project's systems (ratios are printed for them).
    const OURS: bool;
    /// `false` when the system keeps no index of its values, so cannot iterate them
    /// ([`for_each_live`](IndexSlab::for_each_live) is then never called).
    const ITERATES: bool;

    /// A store set up for `capacity` live values (what a caller who knows the size writes).
    fn with_capacity(capacity: usize) -> Self;
    /// An empty store that will grow to at most `max_len` values as needed (what a caller
    /// who does not know the size writes; the growth workload starts here).
    fn growable(max_len: usize) -> Self;
    /// Stores `value`.
    fn insert(&mut self, value: V) -> Self::Handle;
    /// The value behind `handle` (which must be live).
    fn get<'a>(&'a self, handle: &'a Self::Handle) -> &'a V;
    /// Takes the value behind `handle` (which must be live) out of the store.
    fn remove(&mut self, handle: Self::Handle) -> V;
    /// Calls `f` for every live value, in the system's own order.
    fn for_each_live(&self, f: impl FnMut(&V));
    /// Gives memory back to the OS with the system's own call for it (`shrink`,
    /// `shrink_to_fit`), keeping every live value and handle; `false` when it has none.
    fn shrink(&mut self) -> bool {
        false
    }
}

/// Something done once per system, for values of type `V`.
pub trait Visit<V> {
    /// Called once for each system, in table order.
    fn visit<S: IndexSlab<V>>(&mut self);
}

/// Calls `v.visit::<S>()` for every system, ours first. The one list of systems.
pub fn each_system<V: crate::payload::Payload, T: Visit<V>>(v: &mut T) {
    v.visit::<HiSlabSystem<V>>();
    v.visit::<BoundedAllocator<V>>();
    v.visit::<UnboundedAllocator<V>>();
    v.visit::<SlabSystem<V>>();
    v.visit::<SlotMapSystem<V>>();
    v.visit::<Nexus2Bounded<V>>();
    v.visit::<Nexus2Unbounded<V>>();
    v.visit::<HislabPeer<V>>();
    v.visit::<BoxSystem>();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::{Payload, V32};

    /// Every system stores, returns and iterates the same values.
    struct Contract;

    impl Visit<V32> for Contract {
        fn visit<S: IndexSlab<V32>>(&mut self) {
            for mut s in [S::with_capacity(100), S::growable(100)] {
                let handles: Vec<_> = (0..100).map(|i| s.insert(V32::new(i))).collect();
                for (i, h) in handles.iter().enumerate() {
                    assert_eq!(s.get(h).touch(), i as u64, "{}", S::NAME);
                }
                let mut kept = Vec::new();
                for (i, h) in handles.into_iter().enumerate() {
                    if i % 3 == 0 {
                        kept.push(h);
                    } else {
                        assert_eq!(s.remove(h).touch(), i as u64, "{}", S::NAME);
                    }
                }
                if S::ITERATES {
                    let mut seen = Vec::new();
                    s.for_each_live(|v| seen.push(v.touch()));
                    seen.sort_unstable();
                    assert_eq!(seen, (0..100).step_by(3).collect::<Vec<_>>(), "{}", S::NAME);
                }
                for h in kept {
                    s.remove(h);
                }
            }
        }
    }

    #[test]
    fn every_system_keeps_the_contract() {
        each_system(&mut Contract);
    }
}

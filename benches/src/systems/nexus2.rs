//! nexus-slab 2.4 from crates.io: slabs of `SlotCell`s with a pointer free list threaded
//! through the vacant ones, handing out 8-byte `Slot` pointers that are freed explicitly.

use super::IndexSlab;
use nexus_slab_2::{bounded, unbounded, Slot};

/// Slots per chunk of [`Nexus2Unbounded`]: the first tier of this project's unbounded
/// allocator has as many.
pub const CHUNK: usize = 4096;

/// `nexus_slab::bounded::Slab` (2.4): one `Vec` of `capacity` slots, every slot written into
/// the free list at construction; full at `capacity`.
pub struct Nexus2Bounded<V>(bounded::Slab<V>);

/// `nexus_slab::unbounded::Slab` (2.4): bounded chunks of [`CHUNK`] slots added as needed,
/// nothing copied; a free finds its chunk by scanning the chunks' address ranges.
pub struct Nexus2Unbounded<V>(unbounded::Slab<V>);

// SAFETY (the contract both slabs' unsafe constructors ask for, upheld by every workload and
// test of this crate):
// - a `Slot` goes back only to the store that made it: each workload builds one store per
//   system and round and passes that store's handles to it alone;
// - every slot is freed (`remove` is `take`) before the store is dropped (the workloads end
//   with `drop_all` or their own removes); the memory probe forgets its handles and then the
//   store itself, so nothing is freed under a live handle;
// - no `Slot` outlives its store: generic code cannot dereference a handle, only pass it to
//   `get` or `remove`, which borrow the store;
// - one thread: the store and its handles never leave the thread that made them (`Slot` is
//   `!Send`).

/// The operations both slabs share (`alloc`, deref, `take`); `$make` builds one, given the
/// capacity or the growth workload's `max_len`.
macro_rules! nexus2_system {
    ($ty:ident, $name:literal, |$n:ident| $make:expr, $growable_doc:literal) => {
        impl<V> IndexSlab<V> for $ty<V> {
            type Handle = Slot<V>;
            const NAME: &'static str = $name;
            const OURS: bool = false;
            /// Occupied slots are known only to their handles: there is nothing to walk.
            const ITERATES: bool = false;

            fn with_capacity($n: usize) -> Self {
                // SAFETY: the contract above.
                $ty(unsafe { $make })
            }

            #[doc = $growable_doc]
            fn growable($n: usize) -> Self {
                // SAFETY: the contract above.
                $ty(unsafe { $make })
            }

            #[inline(always)]
            fn insert(&mut self, value: V) -> Slot<V> {
                self.0.alloc(value)
            }

            #[inline(always)]
            fn get<'a>(&'a self, handle: &'a Slot<V>) -> &'a V {
                handle
            }

            #[inline(always)]
            fn remove(&mut self, handle: Slot<V>) -> V {
                self.0.take(handle)
            }

            /// Never called (`ITERATES` is false).
            fn for_each_live(&self, _f: impl FnMut(&V)) {}
        }
    };
}

nexus2_system!(
    Nexus2Bounded,
    "nexus2 bounded",
    |n| bounded::Slab::with_capacity(n),
    "It cannot grow: all `max_len` slots are made (and written) up front, before the growth \
     workload times anything."
);

// The capacity is not used (as by this project's unbounded allocator): chunks are made as
// inserts need them. Made up front, they would all be scanned by a free that finds its chunk
// last.
nexus2_system!(
    Nexus2Unbounded,
    "nexus2 unbounded",
    |_n| unbounded::Slab::with_chunk_capacity(CHUNK),
    "No chunk until the first insert."
);

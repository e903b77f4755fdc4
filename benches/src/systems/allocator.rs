//! This project's per-thread allocator (`create_allocator!`): 8-byte RAII `Slot`s that free
//! on drop, bounded or unbounded. There is one allocator per thread and value type, so each
//! system (re)initializes it when a workload builds a store.

use super::IndexSlab;
use crate::payload::{V256, V32, V64};
use core::marker::PhantomData;
use core::ops::Deref;

/// A value type with a per-thread allocator of its own.
pub trait PerThread: Sized + 'static {
    /// The allocator's RAII handle.
    type Slot: Deref<Target = Self>;
    /// Shuts this thread's allocator down (every slot of the previous store has been
    /// dropped) and builds it again: bounded to `capacity`, or unbounded when `None`.
    fn restart(capacity: Option<u32>);
    /// `insert`.
    fn insert(value: Self) -> Self::Slot;
    /// `Slot::into_inner`: the value out, the slot freed.
    fn into_inner(slot: Self::Slot) -> Self;
    /// `shrink`: every whole free page back to the OS.
    fn shrink();
}

macro_rules! per_thread {
    ($($name:ident: $t:ty),*) => {$(
        nexus_slab::create_allocator!($name, $t);

        impl PerThread for $t {
            type Slot = $name::Slot;

            fn restart(capacity: Option<u32>) {
                if $name::is_initialized() {
                    $name::shutdown().expect("the previous store's slots were all dropped");
                }
                match capacity {
                    Some(n) => $name::init().bounded(n).build(),
                    None => $name::init().unbounded().build(),
                }
            }

            #[inline(always)]
            fn insert(value: Self) -> $name::Slot {
                $name::insert(value)
            }

            #[inline(always)]
            fn into_inner(slot: $name::Slot) -> Self {
                slot.into_inner()
            }

            fn shrink() {
                $name::shrink()
            }
        }
    )*};
}

per_thread!(alloc_v32: V32, alloc_v64: V64, alloc_v256: V256);

/// `create_allocator!(name, V)` built `bounded(n)`: one reservation, committed on demand.
pub struct BoundedAllocator<V>(PhantomData<V>);

/// `create_allocator!(name, V)` built `unbounded()`: tiers of doubling size (first tier
/// 4096 slots), nothing ever copied.
pub struct UnboundedAllocator<V>(PhantomData<V>);

macro_rules! allocator_system {
    ($ty:ident, $name:literal, |$cap:ident| $capacity:expr) => {
        impl<V: PerThread> IndexSlab<V> for $ty<V> {
            type Handle = V::Slot;
            const NAME: &'static str = $name;
            const OURS: bool = true;
            const ITERATES: bool = false;

            fn with_capacity($cap: usize) -> Self {
                V::restart($capacity);
                $ty(PhantomData)
            }

            /// The bounded allocator reserves `max_len` slots and commits none up front
            /// (as `HiSlab::new(0, max_len)`); the unbounded one starts with one tier.
            fn growable($cap: usize) -> Self {
                V::restart($capacity);
                $ty(PhantomData)
            }

            #[inline(always)]
            fn insert(&mut self, value: V) -> V::Slot {
                V::insert(value)
            }

            #[inline(always)]
            fn get<'a>(&'a self, handle: &'a V::Slot) -> &'a V {
                handle
            }

            #[inline(always)]
            fn remove(&mut self, handle: V::Slot) -> V {
                V::into_inner(handle)
            }

            /// Never called (`ITERATES` is false): slots are owned by their handles.
            fn for_each_live(&self, _f: impl FnMut(&V)) {}

            fn shrink(&mut self) -> bool {
                V::shrink();
                true
            }
        }
    };
}

allocator_system!(BoundedAllocator, "alloc bounded", |capacity| Some(
    u32::try_from(capacity).expect("capacity fits u32")
));
allocator_system!(UnboundedAllocator, "alloc unbounded", |_capacity| None);

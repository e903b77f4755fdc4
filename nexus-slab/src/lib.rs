#![doc = include_str!("../README.md")]
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

pub mod access;
#[cfg(feature = "std")]
pub mod allocator;
pub mod arena;
mod bitmap;
pub mod bounded;
mod buffer;
pub mod byte;
mod cache;
pub mod claim;
#[cfg(feature = "rand")]
mod counts;
mod direct;
mod error;
mod hislab;
mod key;
mod leaked;
mod memory;
mod raw;
pub mod rc;
#[cfg(feature = "std")]
mod remote;
#[cfg(feature = "rand")]
mod sample;
#[cfg(feature = "std")]
pub mod send_slot;
#[cfg(feature = "serde")]
mod serde;
pub mod slot;
mod slot_words;
mod store;
mod tagged;
mod tiers;
pub mod unbounded;
mod unwind;

pub use buffer::{AutoGuard, BufferSlab};
pub use error::{Error, Full, SlotsRemaining};
pub use hislab::HiSlab;
pub use key::{Key, VersionedKey};
pub use tagged::TaggedHiSlab;

/// Ownership of `T`s, invariant in `T`: for containers that insert through `&self`, where a
/// covariant `T` would let a short-lived value into a long-lived container.
pub(crate) type Invariant<T> = core::marker::PhantomData<(T, fn(T) -> T)>;

/// The `rand` crate this one samples with (feature `rand`), so callers name the same
/// `Rng` trait: `nexus_slab::rand::Rng`.
#[cfg(feature = "rand")]
pub use rand;

/// Iterator types of [`HiSlab`].
pub mod hislab_iter {
    pub use crate::hislab::{IntoIter, Iter, IterMut};
}

/// Generates `pub mod $name`: one slab allocator per thread for `$T`, with 8-byte RAII
/// [`Slot`](slot::Slot) handles (a `Box` replacement) and 4-byte [`Key`]s.
///
/// ```
/// use nexus_slab::create_allocator;
///
/// #[derive(Debug, PartialEq)]
/// struct Order { price: u64, quantity: u32 }
///
/// create_allocator!(order_alloc, Order);
///
/// fn main() {
///     order_alloc::init().bounded(1024).build();
///     let mut slot = order_alloc::insert(Order { price: 100, quantity: 10 });
///     assert_eq!(slot.price, 100);
///     slot.get_mut().quantity = 50;
///     assert_eq!(std::mem::size_of::<order_alloc::Slot>(), 8);
///     drop(slot);
///     assert_eq!(order_alloc::len(), 0);
/// }
/// ```
///
/// The module holds the types `Slot`, `RcSlot`, `Claim`, `Access` and `Builder`, and the
/// functions `init()`, `insert`, `try_insert`, `insert_with`, `insert_rc`, `claim`, `alloc` /
/// `try_alloc` (arena mode), `access` / `try_access` (the thread's [`Access`](access::Access):
/// key-following without `unsafe`), `contains_key`, `get_unchecked(_mut)`, `reclaim`, `len`,
/// `capacity`, `is_empty`, `is_initialized`, `stats`, `shrink` and `shutdown`. They forward to
/// the functions of [`allocator`], where each has an example; see there for the life cycle.
///
/// Invoke it at module level. The type is resolved where you wrote it (any name works,
/// `Slot` and `Allocator` included), through a type alias placed beside the module; a module
/// declared inside a function body cannot see the function's items, so there the error is
/// `cannot find type create_allocator_must_be_invoked_at_module_level_not_in_a_function_NAME`.
///
/// A `Slot` cannot leave its thread:
/// ```compile_fail,E0277
/// nexus_slab::create_allocator!(nums, u64);
/// fn main() {
///     nums::init().bounded(4).build();
///     let slot = nums::insert(1);
///     std::thread::spawn(move || drop(slot)); // error: `Slot` is not `Send`
/// }
/// ```
/// and cannot be used after `into_inner` moved the value out:
/// ```compile_fail,E0382
/// nexus_slab::create_allocator!(nums, u64);
/// fn main() {
///     nums::init().bounded(4).build();
///     let slot = nums::insert(1);
///     let v = slot.into_inner();
///     assert_eq!(*slot, v); // error: use of moved value
/// }
/// ```
/// nor shared between threads:
/// ```compile_fail,E0277
/// nexus_slab::create_allocator!(nums, u64);
/// fn assert_sync<T: Sync>() {}
/// fn main() { assert_sync::<nums::Slot>(); }
/// ```
#[cfg(feature = "macros")]
#[macro_export]
macro_rules! create_allocator {
    ($($input:tt)*) => {
        $crate::__private::create_allocator_impl! { $crate; $($input)* }
    };
}

/// What generated code names; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use core::option::Option;
    pub use core::result::Result;
    #[cfg(feature = "macros")]
    pub use nexus_slab_macros::create_allocator_impl;
    #[cfg(feature = "std")]
    pub use std::thread_local;
}

/// Iterator types of [`TaggedHiSlab`]'s tagged subset (its other iterators are
/// [`HiSlab`]'s, in [`hislab_iter`]).
pub mod tagged_iter {
    pub use crate::tagged::{IterTagged, IterTaggedMut};
}

//! Slab allocators for programs that churn millions of same-type objects: stable addresses,
//! O(1) insert and remove through a hierarchical bitmap, memory reserved up front and committed
//! on demand, so the tail stays flat while the container grows.
//!
//! - [`HiSlab`]: an index slab (`u32` keys) over reserved address space.
//! - [`TaggedHiSlab`]: a `HiSlab` with a second bitmap marking a subset ("tagged"), iterated
//!   and sampled at a cost proportional to the subset.
//! - [`BufferSlab`]: a pool of aligned `N`-byte buffers handed out as RAII [`AutoGuard`]s.
//!
//! # Features
//! - `std` (default): `std::error::Error` impls; per-thread allocators.
//! - `mmap` (default, Linux): reservations through `mmap(MAP_NORESERVE)`, huge pages,
//!   pre-fault, `mlock`. Without it, off Linux, and always under Miri, memory comes from
//!   `std::alloc` with the same API (the whole capacity is allocated up front there).
//! - `rand`: uniform random sampling over live and tagged elements (`random_occupied`,
//!   `random_tagged`, ...), re-exporting the `rand` crate as `nexus_slab::rand`
//!   when enabled. Insert and remove then also update population counts.
//!
//! Without `std` (`--no-default-features`) the crate is `no_std` + `alloc`.
#![no_std]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod bitmap;
mod buffer;
#[cfg(feature = "rand")]
mod counts;
mod error;
mod hislab;
mod key;
mod memory;
mod raw;
#[cfg(feature = "rand")]
mod sample;
mod tagged;

pub use buffer::{AutoGuard, BufferSlab};
pub use error::{Error, Full, SlotsRemaining};
pub use hislab::HiSlab;
pub use key::Key;
pub use tagged::TaggedHiSlab;

/// The `rand` crate this one samples with (feature `rand`), so callers name the same
/// `Rng` trait: `nexus_slab::rand::Rng`.
#[cfg(feature = "rand")]
pub use rand;

/// Iterator types of [`HiSlab`].
pub mod hislab_iter {
    pub use crate::hislab::{IntoIter, Iter, IterMut};
}

/// Iterator types of [`TaggedHiSlab`]'s tagged subset (its other iterators are
/// [`HiSlab`]'s, in [`hislab_iter`]).
pub mod tagged_iter {
    pub use crate::tagged::{IterTagged, IterTaggedMut};
}

//! Slab allocators for programs that churn millions of same-type objects: stable addresses,
//! O(1) insert and remove through a hierarchical bitmap, memory reserved up front and committed
//! on demand, so the tail stays flat while the container grows.
//!
//! - [`HiSlab`]: an index slab (`u32` keys) over reserved address space.
//! - [`byte`]: a `no_std` byte allocator (size-class slabs and a page pool) over memory
//!   regions the caller hands in; usable as the global allocator.
//!
//! # Features
//! - `std` (default): `std::error::Error` impls; per-thread allocators.
//! - `mmap` (default, Linux): reservations through `mmap(MAP_NORESERVE)`, huge pages,
//!   pre-fault, `mlock`. Without it, off Linux, and always under Miri, memory comes from
//!   `std::alloc` with the same API (the whole capacity is allocated up front there).
//!
//! Without `std` (`--no-default-features`) the crate is `no_std` + `alloc`.
#![no_std]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod bitmap;
pub mod byte;
mod error;
mod hislab;
mod key;
mod memory;
mod raw;

pub use error::{Error, Full, SlotsRemaining};
pub use hislab::HiSlab;
pub use key::Key;

/// Iterator types of [`HiSlab`].
pub mod hislab_iter {
    pub use crate::hislab::{IntoIter, Iter, IterMut};
}

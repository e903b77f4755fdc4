//! Frees from other threads: what a [`SendSlot`](crate::send_slot::SendSlot) dropped away
//! from its owner needs to find the owner and hand the slot back without a lock.
//!
//! - [`spans`]: a global map from a 1 MiB granule of address space to the owner whose
//!   tier holds it (two loads), filled when a per-thread store makes a tier and cleared
//!   when it releases it; per-thread tiers are reserved 1 MiB-aligned, so no two owners
//!   share a granule.
//! - [`list`]: each owner's remote-free list: a push is one compare-and-swap and writes the
//!   link into the freed slot itself (no allocation); the owner takes the whole list in one
//!   swap. After the owner's thread exits, the same word says "orphaned" and a count tells
//!   the last free to release the memory.
//!
//! The typed side (who drains when, what an exiting thread does) is
//! `allocator/send.rs`.

pub(crate) mod list;
pub(crate) mod spans;

use core::ptr::NonNull;
pub(crate) use list::RemoteList;

/// One owner (one thread's store of one per-thread allocator), as other threads see it:
/// reached through [`spans`] from any of its slots' addresses. The typed record that holds it
/// (`allocator::send::Record<V>`) starts with it (`repr(C)`), so a pointer to one is a pointer
/// to the other.
#[repr(C)]
pub(crate) struct Remote {
    pub(crate) list: RemoteList,
    /// Releases the record and the orphaned store in it; called once, by whoever sees the
    /// last sendable slot freed after the owner's thread exited ([`RemoteList::leave`] or
    /// [`RemoteList::settle`] returned `true`).
    pub(crate) release: unsafe fn(NonNull<Remote>),
}

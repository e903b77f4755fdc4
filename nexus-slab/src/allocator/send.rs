//! Sendable slots of a per-thread allocator ([`SendSlot`]): their insert, their free on the
//! owner's thread and on any other, the owner taking back what other threads freed, and
//! what an exiting thread does while some of its slots are out.
//!
//! Each store has a [`Record`], made and registered in the span map when the store is
//! installed: other threads reach it from a slot's address (`remote::spans`) and push onto
//! its list (`remote::list`). The owner counts its sendable slots (`Local::sent`), so that
//! it knows when every live slot is out on other threads.
//!
//! ```text
//!  thread exit, live == sent (only sendable slots left)
//!     │  swap ORPHANED: take back what was pushed; the store moves into the Record
//!     ▼
//!  ORPHANED ── each later free: leave() ── the last one: release (store and Record)
//! ```

use super::{local, Allocator, Local, PerThread, DEAD};
use crate::remote::list::{Chain, InSlot, Links};
use crate::remote::{spans, Remote, RemoteList};
use crate::send_slot::SendSlot;
use crate::slot::SlotOwner;
use crate::store::Store;
use crate::{Error, Full};
use alloc::boxed::Box;
use core::cell::UnsafeCell;
use core::ptr::NonNull;

/// One store's record: its remote-free list, and the store itself once its thread has exited
/// (boxed then, so that the record of a live store is a few words).
#[repr(C)]
pub(crate) struct Record<V> {
    remote: Remote,
    /// The store after its thread exited (moved here by [`orphan`]); `None` before.
    store: UnsafeCell<Option<Box<Store<V>>>>,
}

/// A record for `store`, with every tier of it registered under it.
pub(super) fn attach<V>(store: &Store<V>) -> Result<NonNull<Record<V>>, Error> {
    let record = NonNull::from(Box::leak(Box::new(Record {
        remote: Remote {
            list: RemoteList::new(),
            release: release::<V>,
        },
        store: UnsafeCell::new(None),
    })));
    if let Err(e) = store.tiers().register(record.cast()) {
        // SAFETY: just leaked above, registered nowhere.
        drop(unsafe { Box::from_raw(record.as_ptr()) });
        return Err(e);
    }
    Ok(record)
}

/// Frees a record whose store is gone and which no sendable slot refers to.
///
/// # Safety
/// Made by [`attach`], its store dropped (so unregistered), no sendable slot of it live.
pub(super) unsafe fn detach<V>(record: NonNull<Record<V>>) {
    // SAFETY: caller; its store field is `None` (the store was never orphaned).
    drop(unsafe { Box::from_raw(record.as_ptr()) });
}

/// `insert_send` of the generated module: as `insert`, but the handle may be sent to and
/// dropped on any thread.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let slot = nums::insert_send(7);
///     std::thread::spawn(move || assert_eq!(*slot, 7)).join().unwrap();
///     assert_eq!(nums::len(), 0); // the slot came back
/// }
/// ```
#[inline(always)]
#[track_caller]
pub fn insert<A: Allocator<V>, V>(value: V) -> SendSlot<A, V> {
    match try_insert::<A, V>(value) {
        Ok(slot) => slot,
        Err(Full(value)) => {
            drop(value);
            super::full::<A, V>()
        }
    }
}

/// `try_insert_send` of the generated module: as `insert_send`, but hands the value back in
/// [`Full`] when the allocator is full.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(1).build();
///     let kept = nums::try_insert_send(1).unwrap();
///     assert_eq!(nums::try_insert_send(2).unwrap_err().0, 2);
///     drop(kept);
///     assert!(nums::try_insert_send(2).is_ok());
/// }
/// ```
#[inline(always)]
#[track_caller]
pub fn try_insert<A: Allocator<V>, V>(value: V) -> Result<SendSlot<A, V>, Full<V>> {
    const {
        assert!(
            size_of::<V>() >= size_of::<*mut u8>(),
            "insert_send needs a value of at least 8 bytes (a slot freed on another thread \
             holds the remote-free list's link); wrap a smaller one, e.g. in a u64"
        )
    };
    match super::alloc::<A, V>() {
        Some(ptr) => {
            let local = local::<A, V>();
            local.sent_made.set(local.sent_made.get().wrapping_add(1));
            // SAFETY: the slot is free, in this allocator's store, aligned and unaliased: the
            // value is written once, straight into it; counted as sent just above.
            Ok(unsafe {
                ptr.as_ptr().write(value);
                SendSlot::from_raw(ptr)
            })
        }
        None => Err(Full(value)),
    }
}

/// Frees the slot of a [`SendSlot`]: into this thread's store if it is the owner's, else
/// onto the owner's remote-free list.
///
/// # Safety
/// `ptr` is the slot of a live `SendSlot` of `A` (from any thread's store), its value dropped
/// or moved out; the handle is never used again.
#[inline(always)]
pub(crate) unsafe fn free<A: Allocator<V>, V>(ptr: NonNull<V>) {
    // SAFETY: forwarded contract.
    if !unsafe { free_if_local::<A, V>(ptr) } {
        // SAFETY: forwarded contract; not this thread's, so another store's.
        unsafe { free_remote(ptr.cast()) }
    }
}

/// Frees the slot into this thread's store if it is one of its slots: `true`, else `false`
/// (untouched).
///
/// # Safety
/// As [`free`].
#[inline(always)]
unsafe fn free_if_local<A: Allocator<V>, V>(ptr: NonNull<V>) -> bool {
    let local = local::<A, V>();
    if !local.store().tiers().holds(ptr.as_ptr().addr()) {
        return false;
    }
    local.sent_back.set(local.sent_back.get().wrapping_add(1));
    // SAFETY: a slot of this thread's store, valueless, owned by the caller alone.
    unsafe { PerThread::<A, V>::new().free(ptr) };
    true
}

/// A sendable slot freed away from its owner: onto the owner's list, or, if the owner's
/// thread has exited, counted off (the last one releases the owner's memory).
///
/// # Safety
/// As [`free`], and `slot` is not a slot of this thread's store.
#[cold]
#[inline(never)]
unsafe fn free_remote(slot: NonNull<u8>) {
    // SAFETY: forwarded contract.
    let owner = unsafe { owner_of(slot) };
    // SAFETY: forwarded contract: a chain of one.
    unsafe { hand_back(owner, slot.as_ptr(), slot.as_ptr(), 1) }
}

/// The owner of a sendable slot that is not this thread's.
///
/// # Safety
/// `slot` is the slot of a live `SendSlot` of another thread's store (or an orphaned one).
#[inline]
unsafe fn owner_of(slot: NonNull<u8>) -> NonNull<Remote> {
    match spans::owner_of(slot.as_ptr().addr()) {
        Some(owner) => owner,
        None => unreachable!("a sendable slot's tier is registered until its last slot is freed"),
    }
}

/// For a [`FreeBatch`](crate::send_slot::FreeBatch): frees the slot if it is this thread's
/// (`None`), else gives its owner and address, for the batch to hand back later.
///
/// # Safety
/// As [`free`].
#[inline]
pub(crate) unsafe fn free_or_batch<A: Allocator<V>, V>(
    ptr: NonNull<V>,
) -> Option<(NonNull<Remote>, NonNull<u8>)> {
    // SAFETY: forwarded contract.
    if unsafe { free_if_local::<A, V>(ptr) } {
        return None;
    }
    // SAFETY: forwarded contract; not this thread's, so another store's.
    Some((unsafe { owner_of(ptr.cast()) }, ptr.cast()))
}

/// Links a batched slot to the one batched before it (`next`, null for the first).
///
/// # Safety
/// `slot` is a valueless sendable slot of at least 8 bytes held by the caller alone.
#[inline]
pub(crate) unsafe fn link(slot: NonNull<u8>, next: *mut u8) {
    // SAFETY: forwarded contract.
    unsafe { InSlot.set(slot, next) }
}

/// Hands a chain of `len` slots, `first` (newest) to `last`, back to `owner`: onto its list
/// in one compare-and-swap, or, if its thread has exited, counted off (and the memory
/// released if they were the last). Touches the record no more after that.
///
/// # Safety
/// The slots are valueless sendable slots of `owner` (at least 8 bytes each), held by the
/// caller alone, linked from `first` to `last` with [`link`], never touched again.
pub(crate) unsafe fn hand_back(owner: NonNull<Remote>, first: *mut u8, last: *mut u8, len: usize) {
    let (Some(first), Some(last)) = (NonNull::new(first), NonNull::new(last)) else {
        unreachable!("a chain has slots")
    };
    // SAFETY: the record lives while one of its sendable slots does (these, until the push
    // or the leave below; neither touches it afterwards).
    let remote = unsafe { owner.as_ref() };
    // SAFETY: forwarded contract.
    if !unsafe { remote.list.push_chain(first, last, &InSlot) } && remote.list.leave_many(len) {
        // SAFETY: the last sendable slots of an orphaned store: nobody else refers to it.
        unsafe { (remote.release)(owner) }
    }
}

/// The owner takes back every slot other threads freed; how many.
#[inline]
pub(super) fn drain<V>(local: &Local<V>) -> u32 {
    let Some(record) = local.remote.get() else {
        return 0;
    };
    // SAFETY: the record of this thread's live store.
    let list = &unsafe { record.as_ref() }.remote.list;
    if list.is_empty() {
        return 0;
    }
    take_back(local, list.take())
}

/// Frees every slot of `chain` into this thread's store.
#[cold]
#[inline(never)]
fn take_back<V>(local: &Local<V>, mut chain: Chain) -> u32 {
    let mut n = 0;
    // SAFETY: the slots were pushed with `InSlot`.
    while let Some(slot) = unsafe { chain.next(&InSlot) } {
        n += 1;
        // SAFETY: a sendable slot of this store, freed (valueless) by its last handle and
        // referred to by nothing since.
        unsafe { local.store().free(slot.cast()) };
    }
    local.sent_back.set(local.sent_back.get().wrapping_add(n));
    n
}

/// The thread is exiting and every live slot is sendable and out: take back what was
/// freed; if some are still out, move the store into the record for the last of them to
/// release.
///
/// # Safety
/// The store is live (`LIVE` or `EXITING`), every live slot of it is a sendable slot
/// (`len() == sent()`), no borrow of it is in use, and no later code on this thread uses the
/// allocator's store except through the empty one left behind.
pub(super) unsafe fn orphan<V>(local: &Local<V>) {
    let Some(record) = local.remote.get() else {
        unreachable!("a live store has its record")
    };
    // SAFETY: the record of this thread's live store.
    take_back(local, unsafe { record.as_ref() }.remote.list.orphan());
    let out = local.sent();
    if out == 0 {
        debug_assert_eq!(local.store().len(), 0);
        // SAFETY: live, no slot live (none sendable, no other: caller); no borrow in use.
        // Nobody else refers to the record: every sendable slot came back.
        unsafe { local.teardown(DEAD) };
        return;
    }
    debug_assert_eq!(local.store().len(), out);
    // SAFETY: no borrow of the store is in use; the live slots are all sendable ones, whose
    // memory moves with the store (the tiers stay where they are).
    let store = Box::new(unsafe { local.take_store() });
    local.remote.set(None);
    local.sent_made.set(0);
    local.sent_back.set(0);
    local.state.set(DEAD);
    // SAFETY: the record is live (sendable slots are out) and its store field unused; the
    // write happens before the settle (AcqRel), so the releaser sees it.
    unsafe { *record.as_ref().store.get() = Some(store) };
    // SAFETY: as above; after `settle` the record is touched only if it returned `true`.
    if unsafe { record.as_ref() }.remote.list.settle(out as usize) {
        // SAFETY: every sendable slot has left: nobody else refers to the record.
        unsafe { release::<V>(record.cast()) }
    }
}

/// Releases an orphaned store's memory (without dropping any value: its live slots were all
/// sendable, and each was freed) and its record.
///
/// # Safety
/// `remote` is the `Remote` of a `Record<V>` holding an orphaned store, and nobody else
/// refers to it: every sendable slot has been freed.
unsafe fn release<V>(remote: NonNull<Remote>) {
    // SAFETY: a `Record<V>` starts with its `Remote` (`repr(C)`); made by `attach`'s box;
    // nobody else refers to it (caller).
    let record = unsafe { Box::from_raw(remote.cast::<Record<V>>().as_ptr()) };
    // SAFETY: written by `orphan` before the settle this release follows.
    let Some(store) = (unsafe { (*record.store.get()).take() }) else {
        unreachable!("released after orphaning")
    };
    // SAFETY: every occupied slot was a sendable slot whose value its handle dropped.
    unsafe { (*store).discard() };
    drop(record);
}

#[cfg(test)]
mod tests;

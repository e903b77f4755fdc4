//! An owner's remote-free list: many threads push freed slots, the owner takes them all.
//!
//! The head is one pointer word: null (empty), a slot (the newest pushed, whose first 8 bytes
//! hold the next one's address), or [`ORPHANED`] once the owner's thread has exited. A push
//! reads the head, writes it into its slot and swings the head to the slot with one
//! compare-and-swap (`Release`: the link and everything the pusher did to the slot, such as
//! dropping its value, happen before the owner's take). The owner takes the whole chain
//! with one `swap` (`Acquire`). Pushes never pop, so there is no ABA: a head that comes back
//! to the same slot between a pusher's read and its compare-and-swap still has the chain
//! the pusher linked to behind it.
//!
//! A chain of slots (a batch freed together) is pushed the same way, its oldest slot linked
//! to the head ([`RemoteList::push_chain`]); a single free is a chain of one.
//!
//! Orphaning: the exiting owner swaps in `ORPHANED` (taking what was pushed), then
//! [`RemoteList::settle`]s the number of sendable slots still out. A pusher that finds
//! `ORPHANED` [`RemoteList::leave_many`]s (its chain's length) instead. `out` is counted with wrapping arithmetic: the
//! leaves that come before the settle take it below zero, the settle adds the slots that
//! were out, and exactly one of them (the settle or a leave) sees it reach zero and releases
//! the memory. The protocol is model-checked under `loom` (`RUSTFLAGS="--cfg loom"`, tests
//! below).

#[cfg(loom)]
use loom::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

#[cfg(not(loom))]
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use core::ptr::{self, NonNull};

/// The head once the owner's thread has exited. No slot lives at address 1 (tiers are
/// 64-byte aligned at least).
const ORPHANED: *mut u8 = ptr::without_provenance_mut(1);

/// Where a freed slot keeps the address of the next one in the list.
///
/// # Safety
/// `set` followed by `get` on the same slot returns what was set, when the two are ordered
/// by the list's own synchronization (the pusher's `Release`, the owner's `Acquire`).
pub(crate) unsafe trait Links {
    /// Stores `next` as the link of `slot`.
    ///
    /// # Safety
    /// `slot` is a free slot owned by the caller, valid for the link's bytes.
    unsafe fn set(&self, slot: NonNull<u8>, next: *mut u8);
    /// The link of `slot`.
    ///
    /// # Safety
    /// `slot` was pushed and taken back by the owner.
    unsafe fn get(&self, slot: NonNull<u8>) -> *mut u8;
}

/// The link kept in the slot's own first 8 bytes (its value is gone, so they are free);
/// unaligned, since a slot is aligned only to its value.
pub(crate) struct InSlot;

// SAFETY: a plain write and read of the same bytes.
unsafe impl Links for InSlot {
    #[inline(always)]
    unsafe fn set(&self, slot: NonNull<u8>, next: *mut u8) {
        // SAFETY: the caller owns the slot and it has 8 bytes (the per-thread allocator
        // refuses sendable slots of smaller values).
        unsafe { slot.cast::<*mut u8>().as_ptr().write_unaligned(next) }
    }

    #[inline(always)]
    unsafe fn get(&self, slot: NonNull<u8>) -> *mut u8 {
        // SAFETY: written by `set` before the push that the owner's take synchronized with.
        unsafe { slot.cast::<*mut u8>().as_ptr().read_unaligned() }
    }
}

/// The remote-free list of one owner.
///
/// Every field must stay an atomic (interior mutability): a pusher whose exchange succeeded,
/// or a leaver that was not the last, is still inside a `&self` method when the owner or the
/// last leaver may free the record holding the list (the pattern of `Arc`'s drop). Memory
/// behind a shared reference to an `UnsafeCell` may be freed meanwhile; a plain field here
/// would make that undefined behavior.
pub(crate) struct RemoteList {
    head: AtomicPtr<u8>,
    /// After orphaning: sendable slots still out, wrapping (see the module docs).
    out: AtomicUsize,
}

impl RemoteList {
    pub(crate) fn new() -> RemoteList {
        RemoteList {
            head: AtomicPtr::new(ptr::null_mut()),
            out: AtomicUsize::new(0),
        }
    }

    /// Pushes the free slot `slot` for the owner to take back: `true`, or `false` if the
    /// owner's thread has exited (then the caller must [`RemoteList::leave`]).
    ///
    /// # Safety
    /// `slot` is a slot of this list's owner held by the caller and holding no value, never
    /// touched by the caller again; `links` is what the owner reads the chain with.
    #[cfg(test)]
    pub(crate) unsafe fn push(&self, slot: NonNull<u8>, links: &impl Links) -> bool {
        // SAFETY: a chain of one slot (forwarded contract).
        unsafe { self.push_chain(slot, slot, links) }
    }

    /// Pushes a chain of free slots, `first` (newest) to `last` (oldest), each linked to the
    /// next older one with `links`, in one compare-and-swap: `true`, or `false` if the owner's
    /// thread has exited (then the caller must [`RemoteList::leave_many`] the chain's length).
    ///
    /// # Safety
    /// Every slot of the chain is a slot of this list's owner held by the caller and holding
    /// no value, never touched by the caller again; the links from `first` reach `last`;
    /// `links` is what the owner reads the chain with.
    #[inline]
    pub(crate) unsafe fn push_chain(
        &self,
        first: NonNull<u8>,
        last: NonNull<u8>,
        links: &impl Links,
    ) -> bool {
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            if head == ORPHANED {
                return false;
            }
            // SAFETY: the caller owns the free slots until the exchange below publishes them.
            unsafe { links.set(last, head) };
            match self.head.compare_exchange_weak(
                head,
                first.as_ptr(),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => head = now,
            }
        }
    }

    /// `true` if nothing waits to be taken (one relaxed load: the owner's check before a
    /// [`RemoteList::take`]).
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.head.load(Ordering::Relaxed).is_null()
    }

    /// The owner takes every slot pushed so far.
    pub(crate) fn take(&self) -> Chain {
        let head = self.head.swap(ptr::null_mut(), Ordering::Acquire);
        debug_assert_ne!(head, ORPHANED, "taken after orphaning");
        Chain(head)
    }

    /// The exiting owner: from now on pushes fail; takes what was pushed before.
    pub(crate) fn orphan(&self) -> Chain {
        let head = self.head.swap(ORPHANED, Ordering::Acquire);
        debug_assert_ne!(head, ORPHANED, "orphaned twice");
        Chain(head)
    }

    /// The orphaning owner: `out` sendable slots are still out. `true` if none is (every one
    /// has left meanwhile): the caller releases the memory.
    pub(crate) fn settle(&self, out: usize) -> bool {
        let before = self.out.fetch_add(out, Ordering::AcqRel);
        before.wrapping_add(out) == 0
    }

    /// A sendable slot freed after orphaning. `true` if it was the last: the caller
    /// releases the memory.
    #[cfg(test)]
    pub(crate) fn leave(&self) -> bool {
        self.leave_many(1)
    }

    /// `n` sendable slots freed after orphaning (a chain that found the list orphaned).
    /// `true` if they were the last: the caller releases the memory.
    pub(crate) fn leave_many(&self, n: usize) -> bool {
        self.out.fetch_sub(n, Ordering::AcqRel) == n
    }
}

/// Slots taken from a [`RemoteList`], newest first; read with the [`Links`] they were pushed
/// with.
pub(crate) struct Chain(*mut u8);

impl Chain {
    /// The next slot.
    ///
    /// # Safety
    /// `links` is the one the slots were pushed with.
    #[inline]
    pub(crate) unsafe fn next(&mut self, links: &impl Links) -> Option<NonNull<u8>> {
        let slot = NonNull::new(self.0)?;
        // SAFETY: a pushed slot, taken with `Acquire` after its push's `Release`.
        self.0 = unsafe { links.get(slot) };
        Some(slot)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn slots(n: usize) -> Vec<u64> {
        (0..n as u64).collect()
    }

    /// Slot `i` of the slots at `base` (every slot derived from one base pointer, so none
    /// invalidates another).
    fn addr(base: *mut u64, i: usize) -> NonNull<u8> {
        NonNull::new(base.wrapping_add(i)).unwrap().cast()
    }

    fn drain(chain: &mut Chain) -> Vec<NonNull<u8>> {
        // SAFETY: pushed with `InSlot`.
        core::iter::from_fn(|| unsafe { chain.next(&InSlot) }).collect()
    }

    #[test]
    fn a_take_gets_every_push_newest_first_and_empties_the_list() {
        let mut slots = slots(3);
        let v = slots.as_mut_ptr();
        let list = RemoteList::new();
        assert!(list.is_empty());
        for i in 0..3 {
            // SAFETY: a free 8-byte slot, not touched again until taken.
            assert!(unsafe { list.push(addr(v, i), &InSlot) });
        }
        assert!(!list.is_empty());
        let got = drain(&mut list.take());
        assert_eq!(got, [2, 1, 0].map(|i| addr(v, i)));
        assert!(list.is_empty() && drain(&mut list.take()).is_empty());
    }

    #[test]
    fn a_chain_lands_whole_in_one_push() {
        let mut slots = slots(4);
        let v = slots.as_mut_ptr();
        let list = RemoteList::new();
        // SAFETY: free 8-byte slots, not touched again until taken.
        assert!(unsafe { list.push(addr(v, 0), &InSlot) });
        // The chain 3 → 2 → 1, linked as a batch links it.
        // SAFETY: as above.
        unsafe {
            InSlot.set(addr(v, 3), addr(v, 2).as_ptr());
            InSlot.set(addr(v, 2), addr(v, 1).as_ptr());
            assert!(list.push_chain(addr(v, 3), addr(v, 1), &InSlot));
        }
        assert_eq!(drain(&mut list.take()), [3, 2, 1, 0].map(|i| addr(v, i)));
        let _empty = list.orphan();
        // SAFETY: as above.
        assert!(!unsafe { list.push_chain(addr(v, 3), addr(v, 3), &InSlot) });
        assert!(!list.leave_many(2) && list.settle(2), "both out came back");
    }

    #[test]
    fn after_orphaning_pushes_fail_and_exactly_one_party_releases() {
        let mut slots = slots(4);
        let v = slots.as_mut_ptr();
        let list = RemoteList::new();
        // SAFETY: as above.
        assert!(unsafe { list.push(addr(v, 0), &InSlot) });
        assert_eq!(drain(&mut list.orphan()), [addr(v, 0)]);
        // SAFETY: as above.
        assert!(!unsafe { list.push(addr(v, 1), &InSlot) });
        assert!(!list.leave(), "one of three left before the settle");
        assert!(!list.settle(3), "two are still out");
        assert!(!list.leave());
        assert!(list.leave(), "the last one releases");
    }

    #[test]
    fn a_settle_after_every_leave_releases() {
        let list = RemoteList::new();
        let _empty = list.orphan();
        assert!(!list.leave() && !list.leave());
        assert!(list.settle(2));
    }
}

/// The protocol under `loom`: every interleaving of two remote frees against the owner's
/// take, and against its orphaning. Run with
/// `RUSTFLAGS="--cfg loom" cargo test -p nexus-slab --lib --release remote::list`.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::cell::UnsafeCell;
    use loom::sync::Arc;
    use loom::thread;
    use std::vec::Vec;

    /// Slots 0..N with their links in loom cells, so loom checks that each link write
    /// happens before its read. A slot's address stands for itself: index + 8 (never null
    /// nor `ORPHANED`).
    struct Table {
        links: Vec<UnsafeCell<usize>>,
        /// The value each slot held, dropped by its pusher before the push.
        values: Vec<UnsafeCell<u64>>,
    }

    fn slot(i: usize) -> NonNull<u8> {
        NonNull::new(ptr::without_provenance_mut(i + 8)).unwrap()
    }

    fn index(p: NonNull<u8>) -> usize {
        p.as_ptr().addr() - 8
    }

    // SAFETY: each link is its own loom cell; loom checks the ordering.
    unsafe impl Links for Table {
        unsafe fn set(&self, slot: NonNull<u8>, next: *mut u8) {
            self.links[index(slot)].with_mut(|l| unsafe { *l = next.addr() });
        }
        unsafe fn get(&self, slot: NonNull<u8>) -> *mut u8 {
            self.links[index(slot)].with(|l| ptr::without_provenance_mut(unsafe { *l }))
        }
    }

    fn table(n: usize) -> Table {
        Table {
            links: (0..n).map(|_| UnsafeCell::new(0)).collect(),
            values: (0..n).map(|i| UnsafeCell::new(i as u64)).collect(),
        }
    }

    /// A remote free: the value is dropped (written), then the slot pushed.
    fn free(list: &RemoteList, t: &Table, i: usize) -> bool {
        t.values[i].with_mut(|v| unsafe { *v = u64::MAX });
        // SAFETY: slot `i` belongs to this thread until pushed.
        unsafe { list.push(slot(i), t) }
    }

    /// The owner reuses what it takes: reads (and rewrites) each value.
    fn take_all(chain: &mut Chain, t: &Table) -> Vec<usize> {
        let mut got = Vec::new();
        // SAFETY: pushed with `t`.
        while let Some(s) = unsafe { chain.next(t) } {
            let i = index(s);
            t.values[i].with_mut(|v| unsafe {
                assert_eq!(*v, u64::MAX, "the pusher's drop is visible");
                *v = i as u64;
            });
            got.push(i);
        }
        got
    }

    #[test]
    fn two_remote_frees_against_the_owners_takes() {
        loom::model(|| {
            let list = Arc::new(RemoteList::new());
            let t = Arc::new(table(2));
            let pushers: Vec<_> = (0..2)
                .map(|i| {
                    let (list, t) = (list.clone(), t.clone());
                    thread::spawn(move || assert!(free(&list, &t, i)))
                })
                .collect();
            let mut got = take_all(&mut list.take(), &t);
            for p in pushers {
                p.join().unwrap();
            }
            got.extend(take_all(&mut list.take(), &t));
            got.sort();
            assert_eq!(got, [0, 1], "each freed slot taken exactly once");
        });
    }

    #[test]
    fn a_chain_and_a_single_free_against_the_owners_takes() {
        loom::model(|| {
            let list = Arc::new(RemoteList::new());
            let t = Arc::new(table(3));
            let batcher = {
                let (list, t) = (list.clone(), t.clone());
                thread::spawn(move || {
                    // A batch of slots 1 and 2: values dropped, linked 2 → 1, pushed at once.
                    for i in [1, 2] {
                        t.values[i].with_mut(|v| unsafe { *v = u64::MAX });
                    }
                    // SAFETY: slots 1 and 2 belong to this thread until pushed.
                    unsafe {
                        t.set(slot(2), slot(1).as_ptr());
                        assert!(list.push_chain(slot(2), slot(1), &*t));
                    }
                })
            };
            let single = {
                let (list, t) = (list.clone(), t.clone());
                thread::spawn(move || assert!(free(&list, &t, 0)))
            };
            let mut got = take_all(&mut list.take(), &t);
            batcher.join().unwrap();
            single.join().unwrap();
            got.extend(take_all(&mut list.take(), &t));
            got.sort();
            assert_eq!(got, [0, 1, 2], "each freed slot taken exactly once");
        });
    }

    #[test]
    fn two_remote_frees_against_the_owners_exit() {
        loom::model(|| {
            let list = Arc::new(RemoteList::new());
            let t = Arc::new(table(2));
            let released = Arc::new(AtomicUsize::new(0));
            let pushers: Vec<_> = (0..2)
                .map(|i| {
                    let (list, t, released) = (list.clone(), t.clone(), released.clone());
                    thread::spawn(move || {
                        if !free(&list, &t, i) && list.leave() {
                            released.fetch_add(1, Ordering::Relaxed);
                        }
                    })
                })
                .collect();
            // The owner exits with both slots out.
            let taken = take_all(&mut list.orphan(), &t).len();
            if list.settle(2 - taken) {
                released.fetch_add(1, Ordering::Relaxed);
            }
            for p in pushers {
                p.join().unwrap();
            }
            assert_eq!(released.load(Ordering::Relaxed), 1, "released exactly once");
        });
    }
}

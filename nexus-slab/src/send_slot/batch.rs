//! [`FreeBatch`]: sendable slots freed on another thread, handed back to their owner a chain
//! at a time.

use super::{Free, SendSlot};
use crate::allocator::{send, Allocator, Marks};
use crate::remote::Remote;
use core::marker::PhantomData;
use core::ptr::{self, NonNull};

/// How many slots a batch holds before it hands them back on its own.
const BATCH: usize = 64;

/// Frees [`SendSlot`]s on a thread other than their owner's, handing the slots back to the
/// owner's remote-free list a chain at a time: one compare-and-swap per chain instead of one
/// per slot. For a consumer that drains a queue of sendable slots.
///
/// [`push`](FreeBatch::push) drops the value at once and keeps the slot; consecutive slots of
/// the same owner form one chain, handed back when a slot of another owner comes, when
/// 64 are held, on [`flush`](FreeBatch::flush), and when the batch drops. Until
/// then the owner cannot reuse them: flush a batch when the queue is drained. A slot pushed on
/// its owner's thread is freed at once, as a drop would. A batch forgotten with `mem::forget`
/// keeps its slots for good (their owner's memory with them).
///
/// ```
/// use std::sync::mpsc;
///
/// nexus_slab::create_allocator!(orders, [u64; 2]);
///
/// fn main() {
///     orders::init().bounded(64).build();
///     let (tx, rx) = mpsc::channel();
///     for i in 0..10 {
///         tx.send(orders::insert_send([i, i])).unwrap();
///     }
///     drop(tx);
///     std::thread::spawn(move || {
///         let mut batch = orders::FreeBatch::new();
///         for order in rx {
///             batch.push(order); // the value is dropped here, the slot kept
///         }
///         assert_eq!(batch.len(), 10);
///     }) // the batch drops: ten slots back to their owner in one compare-and-swap
///     .join()
///     .unwrap();
///     assert_eq!(orders::len(), 0);
/// }
/// ```
pub struct FreeBatch<A: Allocator<V>, V> {
    /// The owner of the chain held (`None`: empty).
    owner: Option<NonNull<Remote>>,
    /// The newest slot of the chain (each linked to the one before it) and the oldest.
    first: *mut u8,
    last: *mut u8,
    len: usize,
    _marks: Marks<A, V>,
}

impl<A: Allocator<V>, V> FreeBatch<A, V> {
    /// An empty batch.
    ///
    /// ```
    /// nexus_slab::create_allocator!(nums, u64);
    ///
    /// fn main() {
    ///     assert!(nums::FreeBatch::new().is_empty());
    /// }
    /// ```
    pub const fn new() -> Self {
        FreeBatch {
            owner: None,
            first: ptr::null_mut(),
            last: ptr::null_mut(),
            len: 0,
            _marks: PhantomData,
        }
    }

    /// Drops the slot's value now and frees the slot: at once on its owner's thread, else
    /// with the batch's chain (see the type's docs). If the value's `Drop` panics, the slot
    /// is freed on its own first.
    ///
    /// ```
    /// nexus_slab::create_allocator!(nums, u64);
    ///
    /// fn main() {
    ///     nums::init().bounded(4).build();
    ///     let slot = nums::insert_send(1);
    ///     std::thread::spawn(move || {
    ///         let mut batch = nums::FreeBatch::new();
    ///         batch.push(slot);
    ///         assert_eq!(batch.len(), 1);
    ///         batch.flush();
    ///         assert!(batch.is_empty());
    ///     })
    ///     .join()
    ///     .unwrap();
    ///     assert_eq!(nums::len(), 0);
    /// }
    /// ```
    pub fn push(&mut self, slot: SendSlot<A, V>) {
        let ptr = slot.into_raw();
        let unwind = Free::<A, V>(ptr, PhantomData);
        // SAFETY: initialized and owned by the handle given up above; dropped once. If it
        // panics, `unwind` frees the slot.
        unsafe { ptr.as_ptr().drop_in_place() };
        core::mem::forget(unwind);
        // SAFETY: a sendable slot of `A`, its value dropped, referred to by nothing else.
        let Some((owner, slot)) = (unsafe { send::free_or_batch::<A, V>(ptr) }) else {
            return; // this thread's own: freed
        };
        if self.owner != Some(owner) {
            self.flush();
            self.owner = Some(owner);
            self.last = slot.as_ptr();
        }
        // SAFETY: the slot is held by the batch alone, valueless and at least 8 bytes; the
        // oldest's link is set when the chain is pushed.
        unsafe { send::link(slot, self.first) };
        self.first = slot.as_ptr();
        self.len += 1;
        if self.len == BATCH {
            self.flush();
        }
    }

    /// Hands the slots held back to their owner.
    pub fn flush(&mut self) {
        let Some(owner) = self.owner.take() else {
            return;
        };
        let (first, last, len) = (self.first, self.last, self.len);
        (self.first, self.last, self.len) = (ptr::null_mut(), ptr::null_mut(), 0);
        // SAFETY: `owner`'s slots, `first` to `last` linked by `push`, held by the batch
        // alone; the owner's record lives while they are out.
        unsafe { send::hand_back(owner, first, last, len) }
    }

    /// Slots held, not yet handed back.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` if no slot is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<A: Allocator<V>, V> Default for FreeBatch<A, V> {
    fn default() -> Self {
        FreeBatch::new()
    }
}

impl<A: Allocator<V>, V> Drop for FreeBatch<A, V> {
    fn drop(&mut self) {
        self.flush();
    }
}

//! The per-thread allocators behind [`create_allocator!`](crate::create_allocator): the
//! thread-local state, its life cycle, and the functions the generated module forwards to.
//!
//! # Per-thread state without a per-operation toll
//! The state ([`Local`]) is a `const`-initialized thread-local with no destructor, so reaching
//! it is one thread-pointer-relative address: no lazy-initialization check, no destructor
//! registration check. Releasing memory at thread exit is the job of a second thread-local,
//! an [`ExitGuard`], registered once by `init()` and never touched on the fast path.
//!
//! # Life cycle
//! ```text
//!  UNINIT ──init().build()──► LIVE ──shutdown() with 0 live──► UNINIT
//!                              │
//!                 thread exit (ExitGuard drops)
//!                              ▼
//!               0 live? ──yes──► DEAD (memory released)
//!                 │no
//!                 ▼
//!              EXITING ──last Slot dropped──► DEAD (memory released)
//! ```
//! A `Slot` can be dropped during or after thread-local destruction (from another
//! thread-local's destructor): `Local` has no destructor, so it is never destroyed while the
//! thread runs, and the memory is released only when no slot is live. Slots leaked with
//! [`Slot::leak`](crate::slot::Slot::leak) and never reclaimed keep the memory forever (by
//! design: they are live).

mod builder;
pub(crate) mod send;

pub use builder::{BoundedBuilder, Builder, UnboundedBuilder};
pub use send::{insert as insert_send, try_insert as try_insert_send};

use crate::access::Access;
use crate::slot::{Slot, SlotOwner};
use crate::store::Store;
use crate::tiers::TierConfig;
use crate::{Error, Full, Key, SlotsRemaining};
use core::cell::{Cell, UnsafeCell};
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ptr::NonNull;

const UNINIT: u8 = 0;
const LIVE: u8 = 1;
const EXITING: u8 = 2;
const DEAD: u8 = 3;

/// One thread's allocator state for one `create_allocator!` allocator.
///
/// Invariant: `store` is always a valid store: the one `init` built while `state` is `LIVE` or
/// `EXITING`, else an empty one (`Store::empty`: no slot, never grows, so every insert reaches the slow
/// path, which tells the states apart). Every live `Slot` of this allocator points into it.
/// In `EXITING` its cache is closed, so every free takes the slow path and the last one
/// releases the memory.
///
/// The insert and free fast paths touch only the store's cache: no state test. The
/// `ManuallyDrop` keeps `Local` free of drop glue, so the thread-local has no destructor.
pub struct Local<T> {
    store: UnsafeCell<ManuallyDrop<Store<T>>>,
    state: Cell<u8>,
    /// An [`Access`](crate::access::Access) is open on this thread. Kept here, not in the
    /// store, so that a `shutdown()` and `init()` inside the access do not reset it.
    access: Cell<bool>,
    /// The store's record for frees from other threads (`send.rs`): `Some` exactly while
    /// the store is the one `init` built.
    remote: Cell<Option<NonNull<send::Record<T>>>>,
    /// Sendable slots made, and sendable slots back (freed on this thread or taken back
    /// from the list): live ones = made − back, wrapping ([`Local::sent`]). Two counters, so
    /// that an insert and a free on this thread each bump their own (no chain of
    /// read-modify-writes through one word from insert to free).
    sent_made: Cell<u32>,
    sent_back: Cell<u32>,
}

impl<T> Local<T> {
    /// The state before `init()`.
    #[expect(
        clippy::new_without_default,
        reason = "const-constructed inside thread_local!"
    )]
    pub const fn new() -> Local<T> {
        Local {
            store: UnsafeCell::new(ManuallyDrop::new(Store::empty())),
            state: Cell::new(UNINIT),
            access: Cell::new(false),
            remote: Cell::new(None),
            sent_made: Cell::new(0),
            sent_back: Cell::new(0),
        }
    }

    /// The store (the empty one unless initialized).
    #[inline(always)]
    fn store(&self) -> &Store<T> {
        // SAFETY: always a valid store (invariant); only `install` and `teardown` replace it,
        // and neither is called while a borrow from here is in use.
        unsafe { &*self.store.get() }
    }

    /// `true` in the states where the store is the one `init` built.
    #[inline(always)]
    fn is_live(&self) -> bool {
        // LIVE or EXITING
        self.state.get().wrapping_sub(LIVE) <= EXITING - LIVE
    }

    /// Drops the store in place and puts `store` there instead (in place: a store is a few
    /// KiB, and every copy on the stack is stack memory touched).
    ///
    /// # Safety
    /// No borrow of the store is in use, and no `Slot` points into it.
    unsafe fn replace(&self, store: Store<T>) {
        // SAFETY: the cell holds a valid store (invariant), dropped once here and replaced at
        // once; no borrow of it is in use and no slot points into it (caller). A store with
        // no live slot drops no value, so nothing can re-enter this allocator meanwhile.
        unsafe {
            let slot = &mut *self.store.get();
            ManuallyDrop::drop(slot);
            core::ptr::write(slot, ManuallyDrop::new(store));
        }
    }

    /// Releases the store's memory and moves to state `next`.
    ///
    /// # Safety
    /// The store is live with no slot live in it, and no borrow of it is in use.
    unsafe fn teardown(&self, next: u8) {
        debug_assert!(self.is_live() && self.store().len() == 0);
        debug_assert_eq!(self.sent(), 0);
        self.state.set(next);
        // SAFETY: no borrow of the store is in use and no `Slot` points into it (no live
        // slot) (caller).
        unsafe { self.replace(Store::empty()) };
        if let Some(record) = self.remote.take() {
            // SAFETY: its store was just dropped; no sendable slot is live (none is).
            unsafe { send::detach(record) };
        }
    }

    /// Live sendable slots, wherever they are.
    #[inline]
    fn sent(&self) -> u32 {
        self.sent_made.get().wrapping_sub(self.sent_back.get())
    }

    /// Moves the store out, leaving the empty one.
    ///
    /// # Safety
    /// No borrow of the store is in use; the caller keeps every live slot's memory alive.
    unsafe fn take_store(&self) -> Store<T> {
        // SAFETY: the cell holds a valid store (invariant), read once and replaced at once;
        // no borrow of it is in use (caller).
        unsafe {
            let slot = &mut *self.store.get();
            let store = ManuallyDrop::take(slot);
            core::ptr::write(slot, ManuallyDrop::new(Store::empty()));
            store
        }
    }
}

/// Implemented by the marker type `create_allocator!` generates, tying the value type `V` to
/// its thread-local. (`V` is a parameter rather than an associated type so that a private
/// value type keeps the impl private instead of leaking through it.)
///
/// # Safety
/// `local()` must return a pointer to a thread-local `Local<V>` used by no other marker,
/// valid for the whole life of the calling thread; `register_exit_guard` must make an
/// [`ExitGuard<Self, V>`] thread-local live on this thread and return `true`, or return
/// `false` when it cannot (the thread is exiting).
pub unsafe trait Allocator<V>: 'static {
    /// The allocator's name, for messages.
    const NAME: &'static str;
    /// This thread's state.
    fn local() -> *const Local<V>;
    /// Registers this thread's [`ExitGuard`]; `false` if the thread is already exiting.
    fn register_exit_guard() -> bool;
}

/// Type-level marks of an allocator marker and its value type: no ownership, `Send + Sync`
/// neutral (the handles' own fields decide that).
pub(crate) type Marks<A, V> = PhantomData<(fn() -> A, fn() -> V)>;

/// What a per-thread [`Slot`] frees into: zero-sized, so the `Slot` is one pointer.
pub struct PerThread<A, V>(Marks<A, V>);

impl<A, V> PerThread<A, V> {
    #[inline(always)]
    const fn new() -> Self {
        PerThread(PhantomData)
    }
}

impl<A, V> Clone for PerThread<A, V> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<A, V> Copy for PerThread<A, V> {}

#[inline(always)]
fn local<'a, A: Allocator<V>, V>() -> &'a Local<V> {
    // SAFETY: valid for the thread's life (trait contract); the borrow stays on this thread
    // (`Local` is `!Sync`) and within the calling function.
    unsafe { &*in_register(A::local()) }
}

/// `ptr`, unchanged, but through an empty `asm!` the compiler cannot see into, so it sits in
/// a register: the fields of the thread-local are then addressed from it
/// (`disp(%reg)`) instead of through the `fs` segment (`%fs:disp`), whose loads forward the
/// churn's stores measurably slower (5.0 against 3.4 cycles for a 32-byte churn here). The
/// asm is pure, so a loop computes it once. Miri and other architectures get `ptr` as is.
#[inline(always)]
fn in_register<T>(ptr: *const T) -> *const T {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    {
        let mut p = ptr;
        #[expect(
            clippy::pointers_in_nomem_asm_block,
            reason = "the asm passes the pointer through untouched; it reads nothing"
        )]
        // SAFETY: the template is empty: the register holding `p` comes back unchanged; no
        // memory, stack or flags are touched.
        unsafe {
            core::arch::asm!("/* {0} */", inout(reg) p, options(pure, nomem, nostack, preserves_flags));
        }
        p
    }
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    {
        ptr
    }
}

/// Releases the allocator's memory when the thread exits (or, if slots are still live then,
/// when the last one drops). Only the thread-local `create_allocator!` generates holds one.
#[doc(hidden)]
pub struct ExitGuard<A: Allocator<V>, V>(Marks<A, V>);

impl<A: Allocator<V>, V> ExitGuard<A, V> {
    /// A guard for the generated thread-local. There is no safe twin: only `create_allocator!`
    /// makes one, for the thread-local it generates.
    ///
    /// # Safety
    /// Only the exit-guard thread-local of `A` may hold it: dropping it ends the allocator's
    /// life on this thread.
    pub const unsafe fn new() -> ExitGuard<A, V> {
        ExitGuard(PhantomData)
    }
}

impl<A: Allocator<V>, V> Drop for ExitGuard<A, V> {
    fn drop(&mut self) {
        let local = local::<A, V>();
        if local.state.get() == LIVE {
            send::drain(local);
            let live = local.store().len();
            if live == 0 {
                // SAFETY: live, no slot live; the borrow above has ended.
                unsafe { local.teardown(DEAD) };
            } else if live == local.sent() {
                // SAFETY: live; every live slot is a sendable one; the borrow has ended;
                // the allocator is DEAD afterwards on this thread.
                unsafe { send::orphan(local) };
            } else {
                // From now on every free takes the slow path, which sees the last one.
                local.store().close_cache();
                local.state.set(EXITING);
            }
        }
    }
}

// SAFETY: pointers passed in come from this allocator's store (the `Slot` invariant); the
// store stays the one they point into while any slot is live (`Local` invariant), and `Local`
// is never destroyed while the thread runs.
unsafe impl<A: Allocator<V>, V> SlotOwner for PerThread<A, V> {
    type Value = V;

    #[inline(always)]
    unsafe fn free(&self, ptr: NonNull<V>) {
        if !local::<A, V>().store().cache().push(ptr) {
            // SAFETY: forwarded contract.
            unsafe { free_slow::<A, V>(ptr) };
        }
    }

    #[inline]
    fn key_of(&self, ptr: NonNull<V>) -> Key {
        local::<A, V>().store().key_of(ptr)
    }

    #[inline]
    unsafe fn leak(&self, ptr: NonNull<V>) -> Key {
        // SAFETY: a live `Slot` exists, so this is its store; forwarded contract.
        unsafe { local::<A, V>().store().leak(ptr) }
    }

    #[inline]
    fn contains_key(&self, key: Key) -> bool {
        contains_key::<A, V>(key)
    }

    fn name(&self) -> &'static str {
        A::NAME
    }

    #[inline(always)]
    fn key_owned(&self, key: Key) -> Option<NonNull<V>> {
        local::<A, V>().store().key_owned(key)
    }

    #[inline(always)]
    fn key_owned_versioned(&self, key: crate::VersionedKey) -> Option<NonNull<V>> {
        local::<A, V>().store().key_owned_versioned(key)
    }

    fn enable_versions(&self) -> Result<(), Error> {
        local::<A, V>().store().enable_versions()
    }

    fn versioned_key(&self, key: Key) -> Option<crate::VersionedKey> {
        local::<A, V>().store().versioned_key(key)
    }

    #[inline]
    unsafe fn leak_versioned(&self, ptr: NonNull<V>) -> crate::VersionedKey {
        // SAFETY: a live `Slot` exists, so this is its store; forwarded contract.
        unsafe { local::<A, V>().store().leak_versioned(ptr) }
    }

    #[inline]
    fn take_key_owned_versioned(&self, key: crate::VersionedKey) -> Option<NonNull<V>> {
        local::<A, V>().store().reclaim_versioned(key)
    }

    #[inline]
    fn take_key_owned(&self, key: Key) -> Option<NonNull<V>> {
        local::<A, V>().store().reclaim(key)
    }

    #[inline]
    fn try_insert(&self, value: V) -> Result<Slot<Self>, Full<V>> {
        try_insert::<A, V>(value)
    }

    #[inline]
    #[track_caller]
    fn insert(&self, value: V) -> Slot<Self> {
        insert::<A, V>(value)
    }

    #[inline]
    fn access_flag(&self) -> &Cell<bool> {
        &local::<A, V>().access
    }

    #[inline]
    #[track_caller]
    fn claim(&self) -> Option<NonNull<V>> {
        let ptr = alloc::<A, V>()?;
        if local::<A, V>().store().mark_claimed(ptr).is_err() {
            // SAFETY: just taken by `alloc`, holding no value, referred to by nothing.
            unsafe { self.free(ptr) };
            return None;
        }
        Some(ptr)
    }

    unsafe fn end_claim(&self, ptr: NonNull<V>) {
        // SAFETY: a live claim exists, so this is its store; forwarded contract.
        unsafe { local::<A, V>().store().end_claim(ptr) }
    }

    unsafe fn shared_count(&self, ptr: NonNull<V>) -> Result<NonNull<u32>, Error> {
        // SAFETY: a live handle exists, so this is its store; forwarded contract.
        unsafe { local::<A, V>().store().shared_count(ptr) }
    }
}

/// A free that the cache did not take: it is full (its oldest half goes back to the bitmap)
/// or closed because the thread is exiting (then the memory goes when the last slot does).
///
/// # Safety
/// As [`SlotOwner::free`].
#[cold]
#[inline(never)]
unsafe fn free_slow<A: Allocator<V>, V>(ptr: NonNull<V>) {
    let local = local::<A, V>();
    // SAFETY: forwarded contract; the borrow of the store ends here.
    unsafe { local.store().free_uncached(ptr) };
    if local.state.get() == EXITING {
        finish_exit(local);
    }
}

/// The thread has exited and a slot was just freed: release the memory if it was the last.
#[cold]
#[inline(never)]
fn finish_exit<T>(local: &Local<T>) {
    send::drain(local);
    let live = local.store().len();
    if live == 0 {
        // SAFETY: EXITING is a live state; no slot live; the borrow above has ended.
        unsafe { local.teardown(DEAD) };
    } else if live == local.sent() {
        // SAFETY: EXITING is live; every live slot is a sendable one; the borrow has ended;
        // the allocator is DEAD afterwards.
        unsafe { send::orphan(local) };
    }
}

/// The cache is empty: before `init` (or after release) panic, else take slots from the
/// bitmaps. Out of line, and it never sees the value, which stays in the caller's registers.
#[cold]
#[inline(never)]
#[track_caller]
fn alloc_slow<A: Allocator<V>, V>() -> Option<NonNull<V>> {
    let local = local::<A, V>();
    if !local.is_live() {
        not_initialized(A::NAME, local.state.get())
    }
    // Slots freed on other threads first: they are the ones this thread used last.
    if send::drain(local) > 0 {
        if let Some(ptr) = local.store().cache().pop() {
            return Some(ptr);
        }
    }
    local.store().refill()
}

/// A free slot: the cache's top, else [`alloc_slow`].
#[inline(always)]
#[track_caller]
fn alloc<A: Allocator<V>, V>() -> Option<NonNull<V>> {
    match local::<A, V>().store().cache().pop() {
        Some(ptr) => Some(ptr),
        None => alloc_slow::<A, V>(),
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn not_initialized(name: &str, state: u8) -> ! {
    if state == DEAD {
        panic!("allocator `{name}` was released at thread exit; it cannot be used from a later thread-local destructor")
    }
    panic!(
        "allocator `{name}` is not initialized on this thread: call {name}::init().bounded(n).build() \
         or {name}::init().unbounded().build() first"
    )
}

#[cold]
#[inline(never)]
#[track_caller]
fn full<A: Allocator<V>, V>() -> ! {
    let local = local::<A, V>();
    if !local.is_live() {
        not_initialized(A::NAME, local.state.get())
    }
    let s = local.store();
    let (capacity, why, growable) = (
        s.capacity(),
        s.tiers().take_grow_error(),
        s.tiers().growable(),
    );
    let name = A::NAME;
    match (growable, why) {
        (false, _) => panic!(
            "allocator `{name}` is full: all {capacity} slots are in use (bounded({capacity})); \
             use try_insert to get the value back, or build it larger"
        ),
        (true, Some(e)) => panic!("allocator `{name}` cannot grow past {capacity} slots: {e}"),
        (true, None) => panic!("allocator `{name}` cannot grow past {capacity} slots"),
    }
}

/// The store, or the "call init()" panic.
#[inline(always)]
#[track_caller]
fn store<'a, A: Allocator<V>, V>() -> &'a Store<V> {
    let local = local::<A, V>();
    if !local.is_live() {
        not_initialized(A::NAME, local.state.get())
    }
    local.store()
}

/// `claim` of the generated module: a free slot reserved to build a value in place (see
/// [`Claim`](crate::claim::Claim)); `None` when full.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let claim = nums::claim().unwrap();
///     let key = claim.key();
///     let slot = claim.write(3);
///     assert_eq!((*slot, slot.key()), (3, key));
/// }
/// ```
#[inline]
#[track_caller]
pub fn claim<A: Allocator<V>, V>() -> Option<crate::claim::Claim<PerThread<A, V>>> {
    crate::claim::Claim::new(PerThread::new())
}

/// `insert` of the generated module: moves a value into a slot of this thread's allocator.
/// Panics when full (naming the allocator and its capacity) or before `init()`.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let slot = nums::insert(7);
///     assert_eq!((*slot, nums::len()), (7, 1));
///     assert_eq!(std::mem::size_of_val(&slot), 8);
/// }
/// ```
#[inline(always)]
#[track_caller]
pub fn insert<A: Allocator<V>, V>(value: V) -> Slot<PerThread<A, V>> {
    match alloc::<A, V>() {
        // SAFETY: the slot is free, in this allocator's store, aligned and unaliased: the
        // value is written once, straight into it; the `Slot` is its only owner.
        Some(ptr) => unsafe {
            ptr.as_ptr().write(value);
            Slot::from_raw(ptr, PerThread::new())
        },
        None => {
            drop(value);
            full::<A, V>()
        }
    }
}

/// `try_insert` of the generated module: as `insert`, but hands the value back in
/// [`Full`] when the allocator is full.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let kept: Vec<_> = (0..4).map(nums::insert).collect();
///     assert_eq!(nums::try_insert(9).unwrap_err().0, 9); // all 4 slots in use
///     drop(kept);
///     assert!(nums::try_insert(9).is_ok());
/// }
/// ```
#[inline(always)]
#[track_caller]
pub fn try_insert<A: Allocator<V>, V>(value: V) -> Result<Slot<PerThread<A, V>>, Full<V>> {
    match alloc::<A, V>() {
        // SAFETY: as in `insert`.
        Some(ptr) => Ok(unsafe {
            ptr.as_ptr().write(value);
            Slot::from_raw(ptr, PerThread::new())
        }),
        None => Err(Full(value)),
    }
}

/// `insert_with` of the generated module: the slot is taken first and `make` gets its key,
/// so a value can hold its own key. Panics when full (before `make` runs) or before `init()`.
/// If `make` panics, the slot is freed and nothing is left behind.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let slot = nums::insert_with(|key| key.index() as u64 * 10);
///     assert_eq!(*slot, slot.key().index() as u64 * 10);
/// }
/// ```
#[inline]
#[track_caller]
pub fn insert_with<A: Allocator<V>, V>(make: impl FnOnce(Key) -> V) -> Slot<PerThread<A, V>> {
    /// Frees a slot that never got its value, if `make` unwinds.
    struct Unwritten<A: Allocator<V>, V>(NonNull<V>, Marks<A, V>);
    impl<A: Allocator<V>, V> Drop for Unwritten<A, V> {
        fn drop(&mut self) {
            // SAFETY: a slot this allocator just handed out, holding no value, owned by
            // nothing else: freed once, here.
            unsafe { PerThread::<A, V>::new().free(self.0) }
        }
    }
    let Some(ptr) = alloc::<A, V>() else {
        full::<A, V>()
    };
    let guard = Unwritten::<A, V>(ptr, PhantomData);
    let key = local::<A, V>().store().key_of(ptr);
    let value = make(key);
    core::mem::forget(guard);
    // SAFETY: as in `insert`: free, in this store, aligned, unaliased; written once.
    unsafe {
        ptr.as_ptr().write(value);
        Slot::from_raw(ptr, PerThread::new())
    }
}

/// `contains_key` of the generated module: false for `Key::NONE`, out of range, vacant, and
/// before `init`.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let slot = nums::insert(1);
///     let key = slot.key();
///     assert!(nums::contains_key(key));
///     drop(slot);
///     assert!(!nums::contains_key(key) && !nums::contains_key(nexus_slab::Key::NONE));
/// }
/// ```
#[inline]
pub fn contains_key<A: Allocator<V>, V>(key: Key) -> bool {
    local::<A, V>().store().contains(key)
}

/// `get_unchecked` of the generated module: reaches any live slot by key without a check.
/// [`Access::get`] checks (and reaches key-owned slots only); this does not.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let slot = nums::insert(5);
///     // SAFETY: the slot is live and nothing mutates it meanwhile.
///     assert_eq!(unsafe { *nums::get_unchecked(slot.key()) }, 5);
/// }
/// ```
///
/// # Safety
/// `key` names a live slot of this thread's allocator holding a value (not a claimed one),
/// the returned reference is not used
/// after that slot is freed, and no `&mut` to the value is used meanwhile.
#[inline]
#[track_caller]
pub unsafe fn get_unchecked<A: Allocator<V>, V>(key: Key) -> &'static V {
    // SAFETY: live by contract; the reference's lifetime is the caller's to respect.
    unsafe { store::<A, V>().get_unchecked(key).as_ref() }
}

/// `get_unchecked_mut` of the generated module. [`Access::get_mut`] checks (and reaches
/// key-owned slots only); this does not.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let key = nums::insert(5).leak();
///     // SAFETY: the slot is live and no other reference to it is in use.
///     unsafe { *nums::get_unchecked_mut(key) += 1 };
///     assert_eq!(*nums::reclaim(key).unwrap(), 6);
/// }
/// ```
///
/// # Safety
/// As [`get_unchecked`], and no other reference to the value is used meanwhile.
#[inline]
#[track_caller]
pub unsafe fn get_unchecked_mut<A: Allocator<V>, V>(key: Key) -> &'static mut V {
    // SAFETY: live and unaliased by contract.
    unsafe { store::<A, V>().get_unchecked(key).as_mut() }
}

/// `reclaim` of the generated module: a `Slot` again for a slot given up by
/// [`Slot::leak`]; `None` unless `key` is one. Panics while an [`Access`] is open.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let key = nums::insert(5).leak();
///     let slot = nums::reclaim(key).unwrap();
///     assert!(nums::reclaim(key).is_none()); // `slot` owns it now
///     assert_eq!(*slot, 5);
/// }
/// ```
#[inline]
#[track_caller]
pub fn reclaim<A: Allocator<V>, V>(key: Key) -> Option<Slot<PerThread<A, V>>> {
    if local::<A, V>().access.get() {
        crate::access::reclaim_while_open(A::NAME)
    }
    let ptr = store::<A, V>().reclaim(key)?;
    // SAFETY: live and leaked, so no `Slot` owns it; the leaked mark is cleared, so this is
    // its only owner.
    Some(unsafe { Slot::from_raw(ptr, PerThread::new()) })
}

/// `access` of the generated module: opens this thread's [`Access`] to the allocator's
/// key-owned values; panics if one is open.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let mut nodes = nums::access();
///     let key = nodes.insert(1);
///     *nodes.get_mut(key).unwrap() += 1;
///     assert_eq!(nodes.remove(key), Some(2));
/// }
/// ```
#[inline]
#[track_caller]
pub fn access<A: Allocator<V>, V>() -> Access<PerThread<A, V>> {
    Access::open(PerThread::new())
}

/// `try_access` of the generated module: `None` if an [`Access`] is open on this thread.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let open = nums::try_access().unwrap();
///     assert!(nums::try_access().is_none());
///     drop(open);
///     assert!(nums::try_access().is_some());
/// }
/// ```
#[inline]
pub fn try_access<A: Allocator<V>, V>() -> Option<Access<PerThread<A, V>>> {
    Access::try_open(PerThread::new())
}

/// `stats` of the generated module: what the allocator holds now on this thread.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let slot = nums::insert(1);
///     let key = nums::insert(2).leak();
///     let stats = nums::stats();
///     assert_eq!((stats.live, stats.key_owned, stats.capacity, stats.tiers), (2, 1, 4, 1));
///     # drop((slot, nums::reclaim(key)));
/// }
/// ```
pub fn stats<A: Allocator<V>, V>() -> Stats {
    send::drain(local::<A, V>());
    let store = local::<A, V>().store();
    let tiers = store.tiers();
    Stats {
        live: store.len(),
        key_owned: store.key_owned_count(),
        sent: local::<A, V>().sent(),
        capacity: store.capacity(),
        tiers: tiers.count() as u32,
        reserved_bytes: tiers.reserved_bytes(),
    }
}

/// What a per-thread allocator holds now (all zero before `init()`); from `name::stats()`.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     assert!(nums::stats().reserved_bytes > 0);
///     nums::shutdown().unwrap();
///     assert_eq!(nums::stats(), Default::default());
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Live slots: owned by a `Slot` or by their key.
    pub live: u32,
    /// Of those, the key-owned ones (given up by `Slot::leak` or inserted through an
    /// [`Access`]).
    pub key_owned: u32,
    /// Of those, the sendable ones (`insert_send`), on this thread or out on others; those
    /// freed on other threads are taken back before counting.
    pub sent: u32,
    /// Slots reserved so far (every tier's).
    pub capacity: u32,
    /// Tiers made so far (1 for a bounded allocator).
    pub tiers: u32,
    /// Address space reserved for values, bitmaps and leaked sets, in bytes (committed only
    /// as it is used: see `shrink` for giving it back).
    pub reserved_bytes: usize,
}

/// `len` of the generated module: live slots on this thread (0 before `init`).
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let a = nums::insert(1);
///     let _b = nums::insert(2);
///     assert_eq!(nums::len(), 2);
///     drop(a);
///     assert_eq!(nums::len(), 1);
/// }
/// ```
#[inline]
pub fn len<A: Allocator<V>, V>() -> u32 {
    send::drain(local::<A, V>());
    local::<A, V>().store().len()
}

/// `capacity` of the generated module: slots reserved now on this thread (0 before `init`).
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(256).build();
///     assert_eq!(nums::capacity(), 256);
/// }
/// ```
#[inline]
pub fn capacity<A: Allocator<V>, V>() -> u32 {
    local::<A, V>().store().capacity()
}

/// `shrink` of the generated module: gives back every whole free page (nothing before
/// `init`).
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().unbounded().build();
///     let slots: Vec<_> = (0..1000).map(nums::insert).collect();
///     drop(slots);
///     nums::shrink(); // the pages the values used go back to the OS (with `mmap`, on Linux)
///     assert_eq!(*nums::insert(1), 1); // and fault back in when used
/// }
/// ```
pub fn shrink<A: Allocator<V>, V>() {
    send::drain(local::<A, V>());
    local::<A, V>().store().shrink()
}

/// Resident value pages per tier of this thread's allocator (`None`: unknown). For tests.
#[cfg(test)]
pub(crate) fn resident_pages<A: Allocator<V>, V>() -> Option<std::vec::Vec<usize>> {
    local::<A, V>().store().tiers().resident_pages()
}

/// `true` once `init().….build()` succeeded on this thread (and until `shutdown`).
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     assert!(nums::is_initialized());
///     nums::shutdown().unwrap();
///     assert!(!nums::is_initialized());
/// }
/// ```
#[inline]
pub fn is_initialized<A: Allocator<V>, V>() -> bool {
    local::<A, V>().is_live()
}

/// Releases the memory if no slot is live (then `init` may be called again); otherwise
/// reports how many are and keeps working. `Ok` if not initialized.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(4).build();
///     let slot = nums::insert(1);
///     assert_eq!(nums::shutdown().unwrap_err().count, 1);
///     drop(slot); // still working
///     nums::shutdown().unwrap();
///     nums::init().bounded(8).build(); // may be set up again
/// }
/// ```
pub fn shutdown<A: Allocator<V>, V>() -> Result<(), SlotsRemaining> {
    let local = local::<A, V>();
    if !local.is_live() {
        return Ok(());
    }
    send::drain(local);
    match local.store().len() {
        0 => {
            let next = if local.state.get() == EXITING {
                DEAD
            } else {
                UNINIT
            };
            // SAFETY: live (checked above), no slot live; the borrows above have ended.
            unsafe { local.teardown(next) };
            Ok(())
        }
        count => Err(SlotsRemaining {
            count,
            sent: local.sent(),
        }),
    }
}

/// Installs a store made per `config` (its tiers aligned to span-map granules, and
/// registered, for frees from other threads); the error if already initialized or the
/// store cannot be made.
fn install<A: Allocator<V>, V>(mut config: TierConfig) -> Result<(), Error> {
    let local = local::<A, V>();
    match local.state.get() {
        UNINIT => {}
        DEAD => return Err(Error::ThreadExiting { allocator: A::NAME }),
        _ => return Err(Error::AlreadyInitialized { allocator: A::NAME }),
    }
    // Without the guard nothing would release the memory: refuse rather than leak.
    if !A::register_exit_guard() {
        return Err(Error::ThreadExiting { allocator: A::NAME });
    }
    config.mem.align = crate::remote::spans::GRANULE;
    let store = Store::new(config)?;
    let record = send::attach(&store)?;
    // SAFETY: UNINIT: the cell holds the empty store: no borrow of it is in use and no slot
    // points into it.
    unsafe { local.replace(store) };
    local.remote.set(Some(record));
    local.sent_made.set(0);
    local.sent_back.set(0);
    local.state.set(LIVE);
    Ok(())
}

#[cfg(test)]
mod tests;

//! [`Slot`]: the owning handle of one value in a slab — a `Box` whose memory comes from a
//! slab. One type serves every slab kind; what differs is the owner it frees into:
//! a zero-sized per-thread allocator marker (8-byte slot) or a borrowed direct slab.

use crate::rc::RcSlot;
use crate::Key;
use core::fmt;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::{Deref, DerefMut};
use core::pin::Pin;
use core::ptr::NonNull;

/// Where a [`Slot`] came from and frees into. Implemented by this crate's slabs and by the
/// allocator markers `create_allocator!` generates; not meant to be implemented by hand.
///
/// # Safety
/// `Slot` and [`Access`](crate::access::Access) trust what an implementor returns. It must
/// guarantee:
/// - the slab's memory outlives every `Slot` naming it and every pointer it hands out, and
///   an occupied slot that no `Slot` and no key owns (given up by `Slot::into_mut`, or of a
///   forgotten handle) is neither freed nor dropped while the owner can still be used: for
///   as long as `O: 'a` holds for any `'a` a caller picks;
/// - the slab's own teardown drops only slots that hold a value (never a claimed one);
/// - `insert` and `try_insert` return a `Slot` for a slot that holds the value and that no
///   other `Slot` owns, and no key owns;
/// - `key_owned` and `key_owned_versioned` return only slots that hold an initialized value
///   and are owned by their key (by no `Slot`); `take_key_owned` and
///   `take_key_owned_versioned` return such a slot and clear its key's ownership, so the
///   caller becomes its only owner;
/// - `free` and `leak`, called as their own `# Safety` sections require (those are the
///   caller's duties), free the slot or make it key-owned, and nothing else;
/// - `claim` returns only free slots it has made occupied, holding no value and owned by
///   nobody but the caller, and marked so that teardown never drops them until `end_claim`;
/// - `shared_count` returns a word that belongs to that slot alone and stays valid while the
///   slot is occupied;
/// - every copy of an owner names the same slab, and `access_flag` the same cell.
pub unsafe trait SlotOwner: Copy {
    /// The type of the values in the owner's slots.
    type Value;

    /// Frees the slot at `ptr`; its value was already dropped or moved out.
    ///
    /// # Safety
    /// `ptr` is an occupied slot of this owner, owned by the caller's `Slot`.
    unsafe fn free(&self, ptr: NonNull<Self::Value>);

    /// The key of the slot at `ptr`.
    fn key_of(&self, ptr: NonNull<Self::Value>) -> Key;

    /// Marks the slot at `ptr` leaked and returns its key.
    ///
    /// # Safety
    /// `ptr` is an occupied slot of this owner whose `Slot` is being forgotten.
    unsafe fn leak(&self, ptr: NonNull<Self::Value>) -> Key;

    /// `true` if `key` names an occupied slot.
    fn contains_key(&self, key: Key) -> bool;

    /// The owner's name for messages: the allocator's name, or the direct slab's type.
    #[doc(hidden)]
    fn name(&self) -> &'static str;

    /// The slot of `key` if its key owns it (given up by [`Slot::leak`] or inserted through
    /// an [`Access`](crate::access::Access)): occupied, initialized, owned by no `Slot`.
    #[doc(hidden)]
    fn key_owned(&self, key: Key) -> Option<NonNull<Self::Value>>;

    /// The slot of `key` if its key owns it and its generation is `key`'s.
    #[doc(hidden)]
    fn key_owned_versioned(&self, key: crate::VersionedKey) -> Option<NonNull<Self::Value>>;

    /// Turns versioned keys on for the owner (idempotent); `Err` if the OS refuses the memory
    /// they need.
    #[doc(hidden)]
    fn enable_versions(&self) -> Result<(), crate::Error>;

    /// The versioned key of key-owned `key`; `None` if it is not key-owned. Versions on.
    #[doc(hidden)]
    fn versioned_key(&self, key: Key) -> Option<crate::VersionedKey>;

    /// Marks the slot at `ptr` leaked and returns its versioned key. Versions on.
    ///
    /// # Safety
    /// As [`SlotOwner::leak`].
    #[doc(hidden)]
    unsafe fn leak_versioned(&self, ptr: NonNull<Self::Value>) -> crate::VersionedKey;

    /// [`take_key_owned`](SlotOwner::take_key_owned) for a versioned key: `None` if stale.
    #[doc(hidden)]
    fn take_key_owned_versioned(&self, key: crate::VersionedKey) -> Option<NonNull<Self::Value>>;

    /// Clears the key-owned mark of `key` and returns its slot, whose owner the caller
    /// becomes; `None` unless `key` is key-owned.
    #[doc(hidden)]
    fn take_key_owned(&self, key: Key) -> Option<NonNull<Self::Value>>;

    /// Moves `value` into a slot, or hands it back when full.
    #[doc(hidden)]
    fn try_insert(&self, value: Self::Value) -> Result<Slot<Self>, crate::Full<Self::Value>>;

    /// Moves `value` into a slot; when full, drops it and panics with the owner's message.
    #[doc(hidden)]
    #[track_caller]
    fn insert(&self, value: Self::Value) -> Slot<Self>;

    /// `true` while an [`Access`](crate::access::Access) to this owner is open.
    #[doc(hidden)]
    fn access_flag(&self) -> &core::cell::Cell<bool>;

    /// A free slot, occupied now and holding no value, for the caller to write or free;
    /// `None` when full (a per-thread allocator panics before `init`).
    #[doc(hidden)]
    #[track_caller]
    fn claim(&self) -> Option<NonNull<Self::Value>>;

    /// The claim of the slot at `ptr` ends: its value was just written, or it is about to be
    /// freed unused. Until then the owner never drops the slot as a value.
    ///
    /// # Safety
    /// `ptr` came from [`claim`](SlotOwner::claim) of this owner and is still occupied.
    #[doc(hidden)]
    unsafe fn end_claim(&self, ptr: NonNull<Self::Value>);

    /// The owner-count word of the slot at `ptr`, kept beside the slab; `Err` if the OS
    /// refuses the memory of its table. Valid while the slot is occupied.
    ///
    /// # Safety
    /// `ptr` is an occupied slot of this owner.
    #[doc(hidden)]
    unsafe fn shared_count(&self, ptr: NonNull<Self::Value>) -> Result<NonNull<u32>, crate::Error>;
}

/// An owning handle to a value in a slab: dereferences to it, drops it and frees the slot
/// when dropped. Like `Box<T>`, but the memory comes from a slab and stays at one address.
///
/// Invariant: `ptr` is an occupied slot of `owner`, holding an initialized value that this
/// `Slot` owns exclusively (no other `Slot` for it exists; a leaked slot has none).
///
/// `Slot` is neither `Send` nor `Sync`: it frees into a slab owned by one thread.
///
/// ```
/// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
/// let mut slot = slab.insert(vec![1, 2]);
/// slot.push(3); // through `DerefMut`, as with a `Box`
/// assert_eq!((slot.len(), slab.len()), (3, 1));
/// drop(slot); // drops the `Vec` and frees the slot
/// assert!(slab.is_empty());
/// ```
pub struct Slot<O: SlotOwner> {
    ptr: NonNull<O::Value>,
    owner: O,
    _owns: PhantomData<O::Value>,
}

impl<O: SlotOwner> Slot<O> {
    /// Wraps an occupied slot.
    ///
    /// # Safety
    /// `ptr` is an occupied slot of `owner` holding an initialized value, and no other
    /// `Slot` owns it.
    #[inline(always)]
    pub(crate) unsafe fn from_raw(ptr: NonNull<O::Value>, owner: O) -> Self {
        Slot {
            ptr,
            owner,
            _owns: PhantomData,
        }
    }

    /// A shared reference to the value in the slot (what `*slot` gives through `Deref`).
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(2);
    /// let slot = slab.insert(7);
    /// assert_eq!(*slot.get(), 7);
    /// ```
    #[inline(always)]
    pub fn get(&self) -> &O::Value {
        // SAFETY: initialized and owned by `self` (type invariant); shared borrow of self.
        unsafe { self.ptr.as_ref() }
    }

    /// An exclusive reference to the value in the slot (what `*slot = ...` uses through
    /// `DerefMut`).
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(2);
    /// let mut slot = slab.insert(7);
    /// *slot.get_mut() += 1;
    /// assert_eq!(*slot, 8);
    /// ```
    #[inline(always)]
    pub fn get_mut(&mut self) -> &mut O::Value {
        // SAFETY: initialized and exclusively owned by `self`; `&mut self` makes it unique.
        unsafe { self.ptr.as_mut() }
    }

    /// Puts `value` in the slot and returns the old one. The address does not change.
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(2);
    /// let mut slot = slab.insert(String::from("old"));
    /// let addr = slot.as_ptr();
    /// assert_eq!(slot.replace(String::from("new")), "old");
    /// assert_eq!((slot.as_ptr(), slot.as_str()), (addr, "new"));
    /// ```
    #[inline]
    pub fn replace(&mut self, value: O::Value) -> O::Value {
        core::mem::replace(self.get_mut(), value)
    }

    /// Moves the value out and frees the slot.
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(2);
    /// let slot = slab.insert(String::from("out"));
    /// assert_eq!(slot.into_inner(), "out");
    /// assert!(slab.is_empty());
    /// ```
    #[inline(always)]
    pub fn into_inner(self) -> O::Value {
        let this = ManuallyDrop::new(self);
        // SAFETY: initialized and owned; read once, then the slot is freed and `this` is
        // never dropped, so the value is not dropped twice.
        unsafe {
            let value = this.ptr.as_ptr().read();
            this.owner.free(this.ptr);
            value
        }
    }

    /// Gives up the handle without freeing or dropping: the pointer, for the owner's own
    /// leak paths.
    #[inline(always)]
    pub(crate) fn into_raw(self) -> NonNull<O::Value> {
        ManuallyDrop::new(self).ptr
    }

    /// Pins the value where it is, as `Box::into_pin` does: values in a slab never move,
    /// so a `!Unpin` value (a future, an intrusive node, a self-referential struct) can be
    /// used through `Pin<&mut T>` ([`Pin::as_mut`]). The `Pin` drop guarantee holds: the
    /// slot is not reused before the value's destructor has run in place (dropping the
    /// `Pin<Slot>` runs it; so does dropping a direct slab that still holds a forgotten
    /// one; a forgotten one in a per-thread allocator keeps its slot, and the memory, for
    /// good).
    ///
    /// ```
    /// use core::pin::Pin;
    /// use nexus_slab::bounded::BoundedSlab;
    ///
    /// let slab = BoundedSlab::with_capacity(4);
    /// let mut pinned = slab.insert(String::from("stays put")).into_pin();
    /// let s: Pin<&mut String> = pinned.as_mut();
    /// assert_eq!(&*s, "stays put");
    /// pinned.set(String::from("replaced in place"));
    /// assert_eq!(*pinned, "replaced in place");
    /// ```
    #[inline]
    pub fn into_pin(self) -> Pin<Self> {
        // SAFETY: `Slot` never moves its value: `Deref`/`DerefMut` hand out references to the
        // slot itself, and every way to move the value out or to give up the `Slot`
        // (`into_inner`, `replace`, `get_mut`, `leak`, `into_mut`, `into_rc`) needs the `Slot`
        // by value or `&mut Slot`, which `Pin` withholds. The slot is freed only after the
        // value is dropped in place: by the `Slot`'s `Drop`, or, for a forgotten one, by a
        // direct slab's drop (`drop_live`); a per-thread allocator never frees it.
        unsafe { Pin::new_unchecked(self) }
    }

    /// Shares the value among several owners: see [`RcSlot`]. The count lives beside the
    /// slab, so the slot, its key and its address stay what they were.
    ///
    /// # Panics
    /// If the OS refuses the memory for the tier's table of counts (made when its first slot
    /// is shared); [`try_into_rc`](Slot::try_into_rc) hands the `Slot` back instead.
    ///
    /// ```
    /// use nexus_slab::rc::RcSlot;
    ///
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(2);
    /// let slot = slab.insert(5);
    /// let key = slot.key();
    /// let shared = slot.into_rc();
    /// let other = shared.clone();
    /// assert_eq!((*other, RcSlot::strong_count(&shared)), (5, 2));
    /// assert_eq!(RcSlot::key(&shared), key); // the same slot
    /// ```
    #[inline]
    #[track_caller]
    pub fn into_rc(self) -> RcSlot<O> {
        match self.try_into_rc() {
            Ok(rc) => rc,
            Err((slot, e)) => panic!("{}: cannot share {:?}: {e}", slot.owner.name(), slot.key()),
        }
    }

    /// [`into_rc`](Slot::into_rc), with the `Slot` and the error handed back if the OS
    /// refuses the memory for the tier's table of counts.
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(2);
    /// let shared = slab.insert(5).try_into_rc().map_err(|(_, e)| e).unwrap();
    /// assert_eq!(*shared.clone(), 5);
    /// ```
    pub fn try_into_rc(self) -> Result<RcSlot<O>, (Self, crate::Error)> {
        // SAFETY: the slot is occupied and ours (type invariant).
        match unsafe { self.owner.shared_count(self.ptr) } {
            Ok(count) => {
                let owner = self.owner;
                let ptr = self.into_raw();
                // SAFETY: the slot holds an initialized value that the forgotten `Slot`
                // owned alone; `count` is its own word, which nothing else uses while it is
                // occupied (zero since it was freed last: the last `RcSlot`'s drop and
                // `try_unwrap` reset it).
                Ok(unsafe { RcSlot::from_slot(ptr, count, owner) })
            }
            Err(e) => Err((self, e)),
        }
    }

    /// The slot's [`Key`] (its index), for links between nodes. It stays the same for the
    /// slot's life; a freed slot's key may name a later value.
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let a = slab.insert('a');
    /// let b = slab.insert('b');
    /// assert_ne!(a.key(), b.key());
    /// assert!(slab.contains_key(a.key()));
    /// ```
    #[inline]
    pub fn key(&self) -> Key {
        self.owner.key_of(self.ptr)
    }

    /// Gives up ownership without dropping the value: the slot stays occupied and its key is
    /// returned. Take it back with the allocator's `reclaim(key)`; until then only `unsafe`
    /// `get_unchecked(key)` reaches the value. A slot leaked and never reclaimed stays
    /// occupied (for a direct slab, until the slab drops).
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let key = slab.insert(String::from("kept")).leak();
    /// assert_eq!(slab.len(), 1); // still live, owned by its key
    /// assert_eq!(slab.access().get(key).map(String::as_str), Some("kept"));
    /// let slot = slab.reclaim(key).unwrap(); // owned by a `Slot` again
    /// assert_eq!(*slot, "kept");
    /// ```
    #[inline]
    pub fn leak(self) -> Key {
        let this = ManuallyDrop::new(self);
        // SAFETY: occupied and owned by `this`, which is forgotten.
        unsafe { this.owner.leak(this.ptr) }
    }

    /// Gives up ownership for a plain `&mut T`, as `Box::leak` does: the arena mode of a
    /// slab. The value is never dropped through the reference and its slot is never freed
    /// alone: no key reaches it (`reclaim` and the [`Access`](crate::access::Access) refuse
    /// it) and it counts as live. A direct slab drops it when the slab drops, which the
    /// borrow ends first; a per-thread allocator keeps it, and the thread's memory, for
    /// good (`shutdown()` counts it among the live slots), so there the reference is
    /// `'static`. `name::alloc` and the direct slabs' `alloc` insert and call this.
    ///
    /// ```
    /// use nexus_slab::unbounded::UnboundedSlab;
    ///
    /// let slab = UnboundedSlab::with_chunk_capacity(64);
    /// let mut names: Vec<&mut String> = (0..3).map(|i| slab.alloc(format!("n{i}"))).collect();
    /// names[0].push('!'); // plain references, all usable at once; nothing moves
    /// assert_eq!(*names[0], "n0!");
    /// assert_eq!(slab.len(), 3);
    /// // The three `String`s are dropped when `slab` is.
    /// ```
    ///
    /// The reference cannot outlive the slab:
    ///
    /// ```compile_fail,E0597
    /// let r;
    /// {
    ///     let slab = nexus_slab::bounded::BoundedSlab::with_capacity(1);
    ///     r = slab.alloc(1);
    /// }
    /// assert_eq!(*r, 1);
    /// ```
    #[inline]
    pub fn into_mut<'a>(self) -> &'a mut O::Value
    where
        O: 'a,
    {
        let ptr = self.into_raw();
        // SAFETY: the slot holds an initialized value that the forgotten `Slot` owned
        // alone; nothing else reaches it (it is not key-owned, so no `reclaim` or `Access`
        // finds it, and no `Slot` or `RcSlot` names it), so the reference is unique. Its
        // memory outlives `'a`: `O: 'a` keeps a direct slab borrowed for `'a` (its drop,
        // the one thing that frees a live slot, needs the slab by value), and a per-thread
        // store is never released while a slot is live.
        unsafe { &mut *ptr.as_ptr() }
    }

    /// `true` while the slot is occupied — always, for a `Slot` you hold (kept for code that
    /// checks handles defensively; it costs one bitmap read).
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(2);
    /// assert!(slab.insert(1).is_valid());
    /// ```
    #[inline]
    pub fn is_valid(&self) -> bool {
        self.owner.contains_key(self.key())
    }

    /// A raw pointer to the value, valid while this `Slot` lives. The address never changes.
    ///
    /// ```
    /// let slab = nexus_slab::unbounded::UnboundedSlab::with_chunk_capacity(1);
    /// let first = slab.insert(1u64);
    /// let addr = first.as_ptr();
    /// let more: Vec<_> = (0..100).map(|i| slab.insert(i)).collect(); // grows by new tiers
    /// assert_eq!(first.as_ptr(), addr); // the first value did not move
    /// assert_eq!(more.len(), 100);
    /// ```
    #[inline(always)]
    pub fn as_ptr(&self) -> *const O::Value {
        self.ptr.as_ptr()
    }

    /// A raw mutable pointer to the value, valid while this `Slot` lives.
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(2);
    /// let mut slot = slab.insert(1u32);
    /// let p = slot.as_mut_ptr();
    /// // SAFETY: `p` points at the slot's initialized value, and `slot` is not used meanwhile.
    /// unsafe { p.write(2) };
    /// assert_eq!(*slot, 2);
    /// ```
    #[inline(always)]
    pub fn as_mut_ptr(&mut self) -> *mut O::Value {
        self.ptr.as_ptr()
    }
}

/// Frees its slot when dropped, after the value's destructor (even if that panics): so a
/// panicking `Drop` of the value still frees the slot once, and a `Drop` that inserts into the
/// same slab cannot be handed the slot it is still dropping.
///
/// Invariant: `ptr` is an occupied slot of `owner` that the guard's maker owned alone and
/// whose value is dropped (or never written) by the time the guard drops.
pub(crate) struct FreeOnDrop<'a, O: SlotOwner> {
    pub(crate) ptr: NonNull<O::Value>,
    pub(crate) owner: &'a O,
}

impl<O: SlotOwner> Drop for FreeOnDrop<'_, O> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: an occupied slot of `owner`, its value gone, owned by nobody else (type
        // invariant).
        unsafe { self.owner.free(self.ptr) }
    }
}

impl<O: SlotOwner> Drop for Slot<O> {
    #[inline(always)]
    fn drop(&mut self) {
        let _free = FreeOnDrop {
            ptr: self.ptr,
            owner: &self.owner,
        };
        // SAFETY: the value is initialized and owned by `self`; dropped exactly once, before
        // the guard frees the slot.
        unsafe { self.ptr.as_ptr().drop_in_place() }
    }
}

impl<O: SlotOwner> Deref for Slot<O> {
    type Target = O::Value;
    #[inline(always)]
    fn deref(&self) -> &O::Value {
        self.get()
    }
}

impl<O: SlotOwner> DerefMut for Slot<O> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut O::Value {
        self.get_mut()
    }
}

impl<O: SlotOwner> fmt::Debug for Slot<O>
where
    O::Value: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Slot")
            .field("key", &self.key())
            .field("value", self.get())
            .finish()
    }
}

impl<O: SlotOwner> AsRef<O::Value> for Slot<O> {
    fn as_ref(&self) -> &O::Value {
        self.get()
    }
}

impl<O: SlotOwner> AsMut<O::Value> for Slot<O> {
    fn as_mut(&mut self) -> &mut O::Value {
        self.get_mut()
    }
}

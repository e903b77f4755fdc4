//! [`Claim`]: a slot taken before its value exists, so a value is built in place — field by
//! field, through `&mut MaybeUninit<T>` — instead of on the stack and then copied in.

use crate::slot::{Slot, SlotOwner};
use crate::Key;
use core::fmt;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr::NonNull;

/// A reserved, uninitialized slot: it knows its [`Key`] and address already, becomes a
/// [`Slot`] once written, and frees itself if dropped unused. Made by `name::claim()` on a
/// per-thread allocator and `claim()` on the direct slabs.
///
/// While claimed the slot counts as occupied (`len()`, `contains_key`), but no
/// [`Access`](crate::access::Access) reaches it and it is never dropped as a value: a
/// forgotten `Claim` (`mem::forget`) keeps its slot, a per-thread allocator's for good and a
/// direct slab's until the slab drops, which frees it and drops nothing there.
///
/// A 64 KiB value built in the slot, never on the stack:
///
/// ```
/// use nexus_slab::unbounded::UnboundedSlab;
///
/// struct Book {
///     id: u64,
///     levels: [u64; 8192],
/// }
///
/// let slab = UnboundedSlab::<Book>::with_chunk_capacity(4);
/// let mut claim = slab.claim().unwrap();
/// let key = claim.key();
/// let book = claim.as_mut_ptr();
/// // SAFETY: `book` is the claimed slot: valid for writes, aligned; each field is written
/// // through a raw pointer to it, never through a `&mut Book` to uninitialized memory.
/// let slot = unsafe {
///     (&raw mut (*book).id).write(7);
///     let levels = (&raw mut (*book).levels).cast::<u64>();
///     for i in 0..8192 {
///         levels.add(i).write(i as u64);
///     }
///     claim.assume_init()
/// };
/// assert_eq!((slot.id, slot.levels[8191]), (7, 8191));
/// assert_eq!(slot.key(), key);
/// ```
///
/// Invariant: `ptr` is an occupied slot of `owner` holding no value, owned by this `Claim`
/// alone (no `Slot`, no key).
pub struct Claim<O: SlotOwner> {
    ptr: NonNull<O::Value>,
    owner: O,
    _owns: PhantomData<O::Value>,
}

impl<O: SlotOwner> Claim<O> {
    /// A free slot of `owner`, occupied now; `None` when full.
    #[inline]
    #[track_caller]
    pub(crate) fn new(owner: O) -> Option<Self> {
        let ptr = owner.claim()?;
        Some(Claim {
            ptr,
            owner,
            _owns: PhantomData,
        })
    }

    /// The key the value will have, known before the value exists (so the value can hold it).
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let claim = slab.claim().unwrap();
    /// let key = claim.key();
    /// assert_eq!(claim.write(1).key(), key);
    /// ```
    #[inline]
    pub fn key(&self) -> Key {
        self.owner.key_of(self.ptr)
    }

    /// The slot's address, valid for writes of one `T` (aligned, uninitialized), where the
    /// value will stay.
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::<u64>::with_capacity(4);
    /// let mut claim = slab.claim().unwrap();
    /// let p = claim.as_mut_ptr();
    /// // SAFETY: `p` is valid for a write of one `u64`, which initializes the slot.
    /// let slot = unsafe {
    ///     p.write(9);
    ///     claim.assume_init()
    /// };
    /// assert_eq!((*slot, slot.as_ptr()), (9, p.cast_const()));
    /// ```
    #[inline]
    pub fn as_mut_ptr(&mut self) -> *mut O::Value {
        self.ptr.as_ptr()
    }

    /// The slot as `MaybeUninit<T>`, to write in place ([`MaybeUninit::write`], or field by
    /// field through [`MaybeUninit::as_mut_ptr`]).
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let mut claim = slab.claim().unwrap();
    /// claim.as_uninit().write(String::from("built in place"));
    /// // SAFETY: the slot was just written with a whole `String`.
    /// let slot = unsafe { claim.assume_init() };
    /// assert_eq!(*slot, "built in place");
    /// ```
    #[inline]
    pub fn as_uninit(&mut self) -> &mut MaybeUninit<O::Value> {
        // SAFETY: the slot is ours alone (type invariant), aligned and sized for a `T`, so for
        // a `MaybeUninit<T>`, which any bytes initialize.
        unsafe { self.ptr.cast::<MaybeUninit<O::Value>>().as_mut() }
    }

    /// Moves `value` into the slot: its owning [`Slot`].
    ///
    /// ```
    /// use nexus_slab::bounded::BoundedSlab;
    ///
    /// struct Node { me: nexus_slab::Key, label: &'static str }
    ///
    /// let slab = BoundedSlab::with_capacity(4);
    /// let claim = slab.claim().unwrap();
    /// let me = claim.key();
    /// let node = claim.write(Node { me, label: "root" });
    /// assert_eq!(node.me, node.key());
    /// ```
    #[inline]
    pub fn write(self, value: O::Value) -> Slot<O> {
        let this = ManuallyDrop::new(self);
        // SAFETY: the slot is ours alone, valid for a write of one `T`; it then holds the
        // value, which the new `Slot` owns alone (this `Claim` is forgotten).
        unsafe {
            this.ptr.as_ptr().write(value);
            this.owner.end_claim(this.ptr);
            Slot::from_raw(this.ptr, this.owner)
        }
    }

    /// The slot as a [`Slot`], its value written through [`as_mut_ptr`](Claim::as_mut_ptr)
    /// or [`as_uninit`](Claim::as_uninit). [`write`](Claim::write) is the safe twin: it
    /// moves a whole value in; this trusts that one is there.
    ///
    /// # Safety
    /// The slot holds a fully initialized, valid `T`.
    #[inline]
    pub unsafe fn assume_init(self) -> Slot<O> {
        let this = ManuallyDrop::new(self);
        // SAFETY: initialized (caller); owned by the new `Slot` alone (`this` is forgotten);
        // `ptr` came from `claim` and is occupied.
        unsafe {
            this.owner.end_claim(this.ptr);
            Slot::from_raw(this.ptr, this.owner)
        }
    }
}

impl<O: SlotOwner> Drop for Claim<O> {
    /// Frees the slot unused; nothing is dropped (a value written through
    /// [`as_uninit`](Claim::as_uninit) and not turned into a `Slot` is leaked, as with
    /// `MaybeUninit`).
    fn drop(&mut self) {
        // SAFETY: an occupied slot of `owner` from its `claim`, ours alone, holding no value.
        unsafe {
            self.owner.end_claim(self.ptr);
            self.owner.free(self.ptr)
        }
    }
}

impl<O: SlotOwner> fmt::Debug for Claim<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claim").field("key", &self.key()).finish()
    }
}

#[cfg(test)]
mod tests;

//! [`RcSlot`]: a value in a slab with several owners, like `Rc<T>`, whose count lives beside
//! the slab instead of beside the value.
//!
//! The count is a `u32` per slot in a table kept beside each tier (made when
//! the tier's first slot is shared), so the value's slot, its key and its address are the
//! ones it had as a [`Slot`], and a slab whose values are never shared has no table. Each
//! `RcSlot` keeps a pointer to its count: `clone` and `drop` touch the count word directly
//! (one load and one store), with no search for the tier that holds the address.

use crate::slot::{FreeOnDrop, Slot, SlotOwner};
use crate::Key;
use core::fmt;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::Deref;
use core::ptr::NonNull;

/// A shared handle to a value in a slab: `clone` adds an owner, the last one dropped drops
/// the value and frees the slot. Made from a [`Slot`] ([`Slot::into_rc`], or
/// `name::insert_rc` / `insert_rc` on the direct slabs); 16 bytes for a per-thread
/// allocator (the value's address and its count's), 24 for a direct slab.
///
/// It hands out `&T` only, as `Rc<T>` does: put a `Cell` or `RefCell` inside `T` for what
/// several owners change. [`get_mut`](RcSlot::get_mut) gives `&mut T` to the only owner.
///
/// A cycle of `RcSlot`s (a value holding an `RcSlot` to itself, directly or through others)
/// is never freed: its values are never dropped and its slots stay occupied (and counted by
/// `len()`), as with `Rc`. It never frees anything twice.
///
/// `RcSlot` is neither `Send` nor `Sync`, like [`Slot`].
///
/// ```
/// use nexus_slab::bounded::BoundedSlab;
///
/// let slab = BoundedSlab::with_capacity(16);
/// let order = slab.insert(String::from("buy 100 @ 42")).into_rc();
/// let in_level = order.clone(); // a price level's reference
/// let in_map = order.clone(); // an id map's reference
/// assert_eq!(nexus_slab::rc::RcSlot::strong_count(&order), 3);
/// drop(order);
/// drop(in_level);
/// assert_eq!(slab.len(), 1); // still owned by the map
/// assert_eq!(*in_map, "buy 100 @ 42");
/// drop(in_map); // the last owner: the value is dropped, the slot freed
/// assert_eq!(slab.len(), 0);
/// ```
///
/// Invariant: `ptr` is an occupied slot of `owner` holding an initialized value; `count`
/// points to that slot's owner-count word, which equals the number of `RcSlot`s for the slot
/// (at least 1); no `Slot` owns the slot and its key does not.
pub struct RcSlot<O: SlotOwner> {
    ptr: NonNull<O::Value>,
    count: NonNull<u32>,
    owner: O,
    _owns: PhantomData<O::Value>,
}

impl<O: SlotOwner> RcSlot<O> {
    /// The first owner of the slot a `Slot` owned.
    ///
    /// # Safety
    /// `ptr` is an occupied slot of `owner` holding an initialized value, owned by no `Slot`
    /// and not by its key; `count` is its owner-count word (from
    /// [`SlotOwner::shared_count`]), which reads 0.
    #[inline]
    pub(crate) unsafe fn from_slot(ptr: NonNull<O::Value>, count: NonNull<u32>, owner: O) -> Self {
        // SAFETY: the word is the slot's own and valid while it is occupied (caller).
        unsafe {
            debug_assert_eq!(count.read(), 0, "a slot shared twice");
            count.write(1);
        }
        RcSlot {
            ptr,
            count,
            owner,
            _owns: PhantomData,
        }
    }

    /// The number of owners (`RcSlot`s) of this value.
    ///
    /// ```
    /// use nexus_slab::rc::RcSlot;
    ///
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(2);
    /// let a = slab.insert_rc(1);
    /// let b = a.clone();
    /// assert_eq!(RcSlot::strong_count(&a), 2);
    /// drop(b);
    /// assert_eq!(RcSlot::strong_count(&a), 1);
    /// ```
    #[inline]
    pub fn strong_count(this: &Self) -> u32 {
        // SAFETY: the slot is occupied while `this` lives (type invariant), so its word is
        // valid; only `RcSlot`s of this slot, all on this thread, write it.
        unsafe { this.count.read() }
    }

    /// `true` if both own the same value (the same slot), whatever the values compare as.
    ///
    /// ```
    /// use nexus_slab::rc::RcSlot;
    ///
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(2);
    /// let (a, b) = (slab.insert_rc(1), slab.insert_rc(1));
    /// assert!(RcSlot::ptr_eq(&a, &a.clone()));
    /// assert!(!RcSlot::ptr_eq(&a, &b));
    /// ```
    #[inline]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        this.ptr == other.ptr
    }

    /// The slot's [`Key`], the one the `Slot` it was made from had.
    ///
    /// ```
    /// use nexus_slab::rc::RcSlot;
    ///
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(2);
    /// let a = slab.insert_rc(1);
    /// assert!(slab.contains_key(RcSlot::key(&a)));
    /// ```
    #[inline]
    pub fn key(this: &Self) -> Key {
        this.owner.key_of(this.ptr)
    }

    /// The value's address; it never changes.
    ///
    /// ```
    /// use nexus_slab::rc::RcSlot;
    ///
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(2);
    /// let slot = slab.insert(1);
    /// let addr = slot.as_ptr();
    /// let a = slot.into_rc();
    /// assert_eq!(RcSlot::as_ptr(&a), addr);
    /// ```
    #[inline]
    pub fn as_ptr(this: &Self) -> *const O::Value {
        this.ptr.as_ptr()
    }

    /// The value, mutably, if `this` is its only owner.
    ///
    /// ```
    /// use nexus_slab::{bounded::BoundedSlab, rc::RcSlot};
    ///
    /// let slab = BoundedSlab::with_capacity(4);
    /// let mut a = slab.insert(1).into_rc();
    /// *RcSlot::get_mut(&mut a).unwrap() += 1;
    /// let b = a.clone();
    /// assert!(RcSlot::get_mut(&mut a).is_none()); // shared: no `&mut`
    /// drop(b);
    /// assert_eq!(*a, 2);
    /// ```
    #[inline]
    pub fn get_mut(this: &mut Self) -> Option<&mut O::Value> {
        if Self::strong_count(this) != 1 {
            return None;
        }
        // SAFETY: the only owner, borrowed mutably: no other reference to the value exists.
        Some(unsafe { this.ptr.as_mut() })
    }

    /// The only owner's `Slot` back (the count is cleared); `Err(this)` if it has others.
    ///
    /// ```
    /// use nexus_slab::{bounded::BoundedSlab, rc::RcSlot};
    ///
    /// let slab = BoundedSlab::with_capacity(4);
    /// let a = slab.insert(String::from("x")).into_rc();
    /// let b = a.clone();
    /// let a = RcSlot::try_unwrap(a).unwrap_err(); // two owners
    /// drop(b);
    /// let slot = RcSlot::try_unwrap(a).unwrap();
    /// assert_eq!(slot.into_inner(), "x");
    /// ```
    pub fn try_unwrap(this: Self) -> Result<Slot<O>, Self> {
        if Self::strong_count(&this) != 1 {
            return Err(this);
        }
        let this = ManuallyDrop::new(this);
        // SAFETY: the word is valid (occupied slot); 0 marks the slot as no longer shared.
        unsafe { this.count.write(0) };
        // SAFETY: occupied, initialized, and `this` was its only owner; now the `Slot` is.
        Ok(unsafe { Slot::from_raw(this.ptr, this.owner) })
    }

    /// The value, if `this` is its only owner (the slot is freed); `None` otherwise, and
    /// `this` is dropped (as `Rc::into_inner`).
    pub fn into_inner(this: Self) -> Option<O::Value> {
        Self::try_unwrap(this).ok().map(Slot::into_inner)
    }
}

impl<O: SlotOwner> Clone for RcSlot<O> {
    /// One more owner.
    ///
    /// # Panics
    /// Past `u32::MAX` owners (nothing changes then).
    #[inline]
    fn clone(&self) -> Self {
        let n = Self::strong_count(self);
        if n == u32::MAX {
            too_many_owners(self.owner.name());
        }
        // SAFETY: as in `strong_count`.
        unsafe { self.count.write(n + 1) };
        RcSlot {
            ptr: self.ptr,
            count: self.count,
            owner: self.owner,
            _owns: PhantomData,
        }
    }
}

#[cold]
#[inline(never)]
fn too_many_owners(name: &str) -> ! {
    panic!(
        "{name}: an RcSlot cannot have more than {} owners",
        u32::MAX
    )
}

impl<O: SlotOwner> Drop for RcSlot<O> {
    /// One owner fewer; the last drops the value in place and frees the slot (freed even if
    /// the value's `Drop` panics).
    #[inline]
    fn drop(&mut self) {
        let n = Self::strong_count(self) - 1;
        // SAFETY: as in `strong_count`.
        unsafe { self.count.write(n) };
        if n != 0 {
            return;
        }
        // The count reads 0 again, as a slot that was never shared: the next value in the
        // slot starts from there.
        let _free = FreeOnDrop {
            ptr: self.ptr,
            owner: &self.owner,
        };
        // SAFETY: the last owner: the value is initialized and nobody else refers to it;
        // dropped once, before the guard frees the slot.
        unsafe { self.ptr.as_ptr().drop_in_place() }
    }
}

impl<O: SlotOwner> Deref for RcSlot<O> {
    type Target = O::Value;
    #[inline(always)]
    fn deref(&self) -> &O::Value {
        // SAFETY: initialized while any owner lives (type invariant); shared access only.
        unsafe { self.ptr.as_ref() }
    }
}

impl<O: SlotOwner> AsRef<O::Value> for RcSlot<O> {
    fn as_ref(&self) -> &O::Value {
        self
    }
}

impl<O: SlotOwner> fmt::Debug for RcSlot<O>
where
    O::Value: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RcSlot")
            .field("key", &Self::key(self))
            .field("owners", &Self::strong_count(self))
            .field("value", &**self)
            .finish()
    }
}

#[cfg(test)]
mod tests;

//! [`Access`]: following keys without `unsafe`.
//!
//! A slot has one of two owners. A [`Slot`] owns the value it points to, like a `Box`. A
//! **key-owned** slot has no `Slot`: it was given up with [`Slot::leak`] or inserted through
//! [`Access::insert`], and belongs to whatever holds its [`Key`] (a list's head, a node's
//! `next`). An `Access` is the one door to key-owned values: `get` and `get_mut` follow a key
//! to its value, `insert` and `remove` add and take them, `reclaim` turns one back into a
//! `Slot`.
//!
//! # Why this is sound
//! - **One `Access` at a time** per allocator (per thread) or per direct slab: opening a
//!   second panics ([`try_access`](crate::bounded::BoundedSlab::try_access) says `None`), so
//!   the borrow checker's rules on the `Access` (`&self` for `get`, `&mut self` for `get_mut`
//!   and `remove`) are the rules on every key-owned value.
//! - **A `Slot`'s value is never reachable through a key**: `get(slot.key())` is `None` until
//!   the slot is leaked, so a `Slot`'s `DerefMut` or drop cannot alias a reference the
//!   `Access` handed out.
//! - **A key-owned value is freed only through the `Access`** (`remove`, `reclaim`, both
//!   `&mut self`): the allocator's own `reclaim(key)` panics while an `Access` is open, and
//!   memory is released only when no slot is live (`shutdown`, thread exit), which a
//!   key-owned value prevents. A reference from `get` therefore outlives neither its value
//!   nor its memory.
//!
//! The check per hop is one bit in the leaked set beside the tier (never in the value's slot);
//! the bounds check and the address come from the same tier entry `get_unchecked` reads.
//!
//! A [`Key`] says nothing about reuse: after `remove(k)`, a later insert may take the same
//! slot, and `get(k)` then returns the new value. Keep keys only while their nodes are
//! linked, or use [`VersionedKey`]s (`insert_versioned`, `get_versioned`, ...): 8 bytes that
//! carry the slot's generation, which moves on whenever a slot stops being key-owned, so a
//! stale one finds nothing. Versions are kept beside the tier, made the first time a store
//! hands out a versioned key; one that never does has none. They tell reuse apart within one
//! store: a key from another slab, or from before a per-thread allocator's `shutdown()`, is
//! as foreign to them as to a plain key.

use crate::slot::{Slot, SlotOwner};
use crate::{Full, Key, VersionedKey};
use core::fmt;
use core::marker::PhantomData;

/// The door to key-owned values (see the [module docs](self)): follows keys to values without
/// `unsafe`, inserts and removes them. One is open at a time per allocator and thread (per
/// direct slab); dropping it closes it. `!Send`, `!Sync`.
///
/// ```
/// use nexus_slab::bounded::BoundedSlab;
/// use nexus_slab::Key;
///
/// struct Node { value: u32, next: Key }
///
/// let slab = BoundedSlab::with_capacity(16);
/// let mut nodes = slab.access();
/// let tail = nodes.insert(Node { value: 2, next: Key::NONE });
/// let head = nodes.insert(Node { value: 1, next: tail });
///
/// let (mut at, mut sum) = (head, 0);
/// while let Some(node) = nodes.get(at) {
///     sum += node.value;
///     at = node.next;
/// }
/// assert_eq!(sum, 3);
///
/// nodes.get_mut(head).unwrap().value = 10;
/// assert_eq!(nodes.remove(head).map(|n| n.value), Some(10));
/// assert!(nodes.get(head).is_none());
/// ```
pub struct Access<O: SlotOwner> {
    owner: O,
    /// `!Send + !Sync`: the flag it clears belongs to one thread's allocator.
    _local: PhantomData<*const ()>,
}

impl<O: SlotOwner> Access<O> {
    /// Opens the owner's access, or `None` if one is open.
    #[inline]
    pub(crate) fn try_open(owner: O) -> Option<Access<O>> {
        let flag = owner.access_flag();
        if flag.get() {
            return None;
        }
        flag.set(true);
        Some(Access {
            owner,
            _local: PhantomData,
        })
    }

    /// Opens the owner's access; panics if one is open.
    #[inline]
    #[track_caller]
    pub(crate) fn open(owner: O) -> Access<O> {
        match Self::try_open(owner) {
            Some(access) => access,
            None => already_open(owner.name()),
        }
    }

    /// The value of key-owned `key`; `None` for a vacant slot, a slot a [`Slot`] owns,
    /// [`Key::NONE`] and any key out of range.
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let mut list = slab.access();
    /// let key = list.insert("key-owned");
    /// let slot = slab.insert("slot-owned");
    /// assert_eq!(list.get(key), Some(&"key-owned"));
    /// assert_eq!(list.get(slot.key()), None); // its `Slot` owns it
    /// assert_eq!(list.get(nexus_slab::Key::NONE), None);
    /// ```
    #[inline(always)]
    pub fn get(&self, key: Key) -> Option<&O::Value> {
        // SAFETY: key-owned: initialized and owned by no `Slot`; only this `Access` (the one
        // open) reaches it safely, and it cannot be freed while `&self` is borrowed (module
        // docs), so the shared borrow is valid for the reference's life.
        self.owner.key_owned(key).map(|ptr| unsafe { ptr.as_ref() })
    }

    /// The value of key-owned `key`, mutably; `None` as for [`get`](Access::get).
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let mut list = slab.access();
    /// let key = list.insert(1);
    /// *list.get_mut(key).unwrap() += 1;
    /// assert_eq!(list.get(key), Some(&2));
    /// ```
    #[inline(always)]
    pub fn get_mut(&mut self, key: Key) -> Option<&mut O::Value> {
        // SAFETY: as in `get`; `&mut self` makes this the only reference the `Access` has
        // handed out that is still usable.
        self.owner
            .key_owned(key)
            .map(|mut ptr| unsafe { ptr.as_mut() })
    }

    /// The values of `N` distinct key-owned keys, mutably at once (e.g. a node and its two
    /// neighbours when unlinking it); `None` if a key repeats or is not key-owned.
    ///
    /// ```
    /// use nexus_slab::unbounded::UnboundedSlab;
    ///
    /// let slab = UnboundedSlab::new();
    /// let mut a = slab.access();
    /// let (x, y) = (a.insert(1), a.insert(2));
    /// if let Some([x, y]) = a.get_disjoint_mut([x, y]) {
    ///     core::mem::swap(x, y);
    /// }
    /// assert_eq!((a.get(x), a.get(y)), (Some(&2), Some(&1)));
    /// assert!(a.get_disjoint_mut([x, x]).is_none());
    /// ```
    pub fn get_disjoint_mut<const N: usize>(
        &mut self,
        keys: [Key; N],
    ) -> Option<[&mut O::Value; N]> {
        for (i, k) in keys.iter().enumerate() {
            if keys[..i].contains(k) {
                return None;
            }
        }
        let mut ptrs = [core::ptr::NonNull::dangling(); N];
        for (p, &k) in ptrs.iter_mut().zip(&keys) {
            *p = self.owner.key_owned(k)?;
        }
        // SAFETY: as in `get_mut`; the keys are distinct, so the slots are, and no two of the
        // references overlap.
        Some(ptrs.map(|mut p| unsafe { p.as_mut() }))
    }

    /// `true` if `key` is key-owned (what [`get`](Access::get) would find).
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let mut list = slab.access();
    /// let key = list.insert(1);
    /// assert!(list.contains(key));
    /// list.remove(key);
    /// assert!(!list.contains(key));
    /// ```
    #[inline]
    pub fn contains(&self, key: Key) -> bool {
        self.owner.key_owned(key).is_some()
    }

    /// Moves `value` into a key-owned slot and returns its key. Panics when full, as the
    /// owner's `insert` does (the message names it and its capacity).
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let list = slab.access(); // `insert` takes `&self`
    /// let (a, b) = (list.insert('a'), list.insert('b'));
    /// assert_ne!(a, b);
    /// assert_eq!(slab.len(), 2);
    /// ```
    #[inline]
    #[track_caller]
    pub fn insert(&self, value: O::Value) -> Key {
        self.owner.insert(value).leak()
    }

    /// Moves `value` into a key-owned slot, or hands it back in `Full` when full.
    ///
    /// ```
    /// use nexus_slab::{bounded::BoundedSlab, Full};
    ///
    /// let slab = BoundedSlab::with_capacity(1);
    /// let list = slab.access();
    /// assert!(list.try_insert('a').is_ok());
    /// assert_eq!(list.try_insert('b'), Err(Full('b')));
    /// ```
    #[inline]
    pub fn try_insert(&self, value: O::Value) -> Result<Key, Full<O::Value>> {
        self.owner.try_insert(value).map(Slot::leak)
    }

    /// Moves `value` into a key-owned slot and returns its [`VersionedKey`]. Panics when full,
    /// as [`insert`](Access::insert) does, or if the OS refuses the memory the versions need
    /// (the first time only; the value is then dropped).
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let mut list = slab.access();
    /// let old = list.insert_versioned("old");
    /// assert_eq!(list.remove_versioned(old), Some("old"));
    /// let new = list.insert_versioned("new"); // may reuse the slot
    /// assert_eq!(list.get_versioned(old), None); // stale
    /// assert_eq!(list.get_versioned(new), Some(&"new"));
    /// ```
    #[inline]
    #[track_caller]
    pub fn insert_versioned(&self, value: O::Value) -> VersionedKey {
        self.versions_on();
        let ptr = self.owner.insert(value).into_raw();
        // SAFETY: just inserted, owned by the `Slot` given up above; versions are on.
        unsafe { self.owner.leak_versioned(ptr) }
    }

    /// The [`VersionedKey`] of key-owned `key` (it names the value there now); `None` if
    /// `key` is not key-owned. Panics if the OS refuses the memory versions need (the first
    /// time only).
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let list = slab.access();
    /// let key = list.insert(7);
    /// let versioned = list.versioned(key).unwrap();
    /// assert_eq!(list.get_versioned(versioned), Some(&7));
    /// assert_eq!(list.versioned(nexus_slab::Key::NONE), None);
    /// ```
    #[track_caller]
    pub fn versioned(&self, key: Key) -> Option<VersionedKey> {
        self.versions_on();
        self.owner.versioned_key(key)
    }

    /// Turns versions on for the owner, or panics naming it.
    #[inline(always)]
    #[track_caller]
    fn versions_on(&self) {
        if let Err(e) = self.owner.enable_versions() {
            versions_refused(self.owner.name(), e)
        }
    }

    /// The value of `key` if its slot is key-owned and still the one `key` was made for;
    /// `None` for a stale key (its slot removed, whatever it holds now).
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let mut list = slab.access();
    /// let key = list.insert_versioned(1);
    /// assert_eq!(list.get_versioned(key), Some(&1));
    /// list.remove_versioned(key);
    /// list.insert(2); // the same slot again, a new generation
    /// assert_eq!(list.get_versioned(key), None);
    /// ```
    #[inline(always)]
    pub fn get_versioned(&self, key: VersionedKey) -> Option<&O::Value> {
        // SAFETY: as in `get`: key-owned, lent for `&self`.
        self.owner
            .key_owned_versioned(key)
            .map(|ptr| unsafe { ptr.as_ref() })
    }

    /// The value of `key` mutably, if not stale; see [`get_versioned`](Access::get_versioned).
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let mut list = slab.access();
    /// let key = list.insert_versioned(1);
    /// *list.get_versioned_mut(key).unwrap() = 5;
    /// assert_eq!(list.get_versioned(key), Some(&5));
    /// ```
    #[inline(always)]
    pub fn get_versioned_mut(&mut self, key: VersionedKey) -> Option<&mut O::Value> {
        // SAFETY: as in `get_mut`.
        self.owner
            .key_owned_versioned(key)
            .map(|mut ptr| unsafe { ptr.as_mut() })
    }

    /// `true` if `key` is key-owned and not stale.
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let mut list = slab.access();
    /// let key = list.insert_versioned(1);
    /// assert!(list.contains_versioned(key));
    /// list.remove_versioned(key);
    /// assert!(!list.contains_versioned(key));
    /// ```
    #[inline]
    pub fn contains_versioned(&self, key: VersionedKey) -> bool {
        self.owner.key_owned_versioned(key).is_some()
    }

    /// Takes the value of `key` out and frees the slot; `None` (and nothing changes) if `key`
    /// is stale or not key-owned.
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let mut list = slab.access();
    /// let key = list.insert_versioned(String::from("x"));
    /// assert_eq!(list.remove_versioned(key).as_deref(), Some("x"));
    /// assert_eq!(list.remove_versioned(key), None); // stale now
    /// assert!(slab.is_empty());
    /// ```
    #[inline]
    pub fn remove_versioned(&mut self, key: VersionedKey) -> Option<O::Value> {
        let ptr = self.owner.take_key_owned_versioned(key)?;
        // SAFETY: it was key-owned at `key`'s generation, mark cleared: this `Slot` is its
        // only owner; `&mut self`: no reference from `get` is live.
        Some(unsafe { Slot::from_raw(ptr, self.owner) }.into_inner())
    }

    /// Takes the value of key-owned `key` out and frees the slot; `None` (and nothing
    /// changes) if `key` is not key-owned.
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let mut list = slab.access();
    /// let key = list.insert(String::from("x"));
    /// assert_eq!(list.remove(key).as_deref(), Some("x"));
    /// assert_eq!(list.remove(key), None);
    /// assert!(slab.is_empty());
    /// ```
    #[inline]
    pub fn remove(&mut self, key: Key) -> Option<O::Value> {
        self.reclaim(key).map(Slot::into_inner)
    }

    /// Gives key-owned `key` a [`Slot`] again (the value stays where it is); `None` if `key`
    /// is not key-owned, so a second owner is never made.
    ///
    /// ```
    /// let slab = nexus_slab::bounded::BoundedSlab::with_capacity(4);
    /// let mut list = slab.access();
    /// let key = list.insert(String::from("x"));
    /// let slot = list.reclaim(key).unwrap(); // owned by a `Slot` now
    /// assert!(list.reclaim(key).is_none() && list.get(key).is_none());
    /// assert_eq!(*slot, "x");
    /// ```
    #[inline]
    pub fn reclaim(&mut self, key: Key) -> Option<Slot<O>> {
        let ptr = self.owner.take_key_owned(key)?;
        // SAFETY: it was key-owned, so it holds a value no `Slot` owns; the mark is cleared,
        // so this `Slot` is its only owner. `&mut self`: no reference from `get` is live.
        Some(unsafe { Slot::from_raw(ptr, self.owner) })
    }
}

impl<O: SlotOwner> Drop for Access<O> {
    #[inline]
    fn drop(&mut self) {
        self.owner.access_flag().set(false);
    }
}

impl<O: SlotOwner> fmt::Debug for Access<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Access")
            .field("owner", &self.owner.name())
            .finish_non_exhaustive()
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn already_open(name: &str) -> ! {
    panic!(
        "`{name}`: an Access is already open (one at a time per allocator and thread, or per \
         direct slab); pass the open one by reference, or use try_access"
    )
}

#[cold]
#[inline(never)]
#[track_caller]
fn versions_refused(name: &str, e: crate::Error) -> ! {
    panic!("`{name}`: the memory for versioned keys could not be reserved: {e}")
}

/// The panic of an owner's `reclaim(key)` while an [`Access`] is open.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn reclaim_while_open(name: &str) -> ! {
    panic!(
        "`{name}`: reclaim(key) while an Access is open could free a value the Access has lent \
         out; call reclaim on the open Access instead"
    )
}

#[cfg(test)]
mod tests;

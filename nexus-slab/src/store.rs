//! [`Store<T>`]: typed values over [`Tiers`] — turns (tier, offset) into `*mut T` and back,
//! writes values in and drops them out. Shared by the bounded and unbounded direct slabs and
//! the per-thread allocators.

use crate::tiers::{TierConfig, Tiers};
use crate::{Error, Key};
use core::alloc::Layout;
use core::marker::PhantomData;
use core::ptr::NonNull;

/// Slots of `T` over tiers.
///
/// Invariant: a slot holds an initialized `T` exactly while its bit is set, except inside
/// [`Store::free`]'s caller contract (the value is dropped or moved out right before).
pub(crate) struct Store<T> {
    tiers: Tiers,
    /// Owns `T`s and is invariant in `T` (insertion goes through `&self`; see `HiSlab`).
    _owns: crate::Invariant<T>,
}

impl<T> Store<T> {
    /// Bytes between slots: the size, or for a zero-sized `T` its alignment, so that every
    /// slot still has its own address (and a `Slot` pointer still names its index).
    const STRIDE: usize = if size_of::<T>() == 0 {
        align_of::<T>()
    } else {
        size_of::<T>()
    };

    pub(crate) fn new(config: TierConfig) -> Result<Store<T>, Error> {
        // A size that is a multiple of the alignment is always a valid layout.
        let elem = Layout::from_size_align(Self::STRIDE, align_of::<T>())
            .expect("stride is a multiple of align");
        Ok(Store {
            tiers: Tiers::new(elem, config)?,
            _owns: PhantomData,
        })
    }

    #[inline(always)]
    fn slot_ptr(&self, t: usize, off: u32) -> NonNull<T> {
        // SAFETY: callers pass `t < count`, `off < tier capacity`: the pointer is inside the
        // tier's value region, which is never null.
        unsafe {
            let base = self.tiers.tier(t).raw.base();
            NonNull::new_unchecked(base.add(off as usize * Self::STRIDE).cast::<T>())
        }
    }

    /// Moves `value` into the lowest free slot, or hands it back when full.
    #[inline(always)]
    pub(crate) fn insert(&self, value: T) -> Result<NonNull<T>, T> {
        match self.tiers.acquire_addr(Self::STRIDE) {
            Some(addr) => {
                let ptr = addr.cast::<T>();
                // SAFETY: the slot was free: nothing refers to its bytes; the address is
                // inside a tier's region, with its provenance, aligned (stride and base are
                // multiples of the alignment), never null.
                unsafe {
                    ptr.write(value);
                    Ok(NonNull::new_unchecked(ptr))
                }
            }
            None => Err(value),
        }
    }

    /// Frees the slot at `ptr` without touching its bytes.
    ///
    /// # Safety
    /// `ptr` was returned by [`Store::insert`] of this store and is still occupied; its value
    /// has been (or is being) dropped or moved out, and no reference to it is used afterwards.
    #[inline(always)]
    pub(crate) unsafe fn free(&self, ptr: NonNull<T>) {
        let located = self.tiers.locate(ptr.as_ptr() as usize, Self::STRIDE);
        debug_assert!(
            located.is_some(),
            "freeing a pointer this store never handed out"
        );
        if let Some((t, off)) = located {
            let freed = self.tiers.release(t, off);
            debug_assert!(freed, "double free of slot {off} in tier {t}");
        }
    }

    /// The key of the slot at `ptr` (handed out by this store).
    #[inline]
    pub(crate) fn key_of(&self, ptr: NonNull<T>) -> Key {
        match self.tiers.locate(ptr.as_ptr() as usize, Self::STRIDE) {
            Some((t, off)) => Key::new(self.tiers.start(t) + off),
            None => Key::NONE,
        }
    }

    /// The slot of `key`, unchecked.
    ///
    /// # Safety
    /// `key` must be occupied.
    #[inline]
    pub(crate) unsafe fn get_unchecked(&self, key: Key) -> NonNull<T> {
        debug_assert!(
            self.tiers.contains(key.index()),
            "get_unchecked of vacant {key:?}"
        );
        let (t, off) = self.tiers.split(key.index());
        self.slot_ptr(t, off)
    }

    /// `true` if `key` names an occupied slot.
    #[inline]
    pub(crate) fn contains(&self, key: Key) -> bool {
        self.tiers.contains(key.index())
    }

    /// Marks the slot at `ptr` as leaked (owned by no `Slot`) and returns its key.
    ///
    /// # Safety
    /// `ptr` is an occupied slot of this store whose owning `Slot` is being forgotten.
    pub(crate) unsafe fn leak(&self, ptr: NonNull<T>) -> Key {
        let key = self.key_of(ptr);
        let (t, off) = self.tiers.split(key.index());
        // SAFETY: `key_of` found the slot, so `t < count` and `off` is in the tier.
        unsafe { self.tiers.tier(t).leaked.insert(off) };
        key
    }

    /// Takes back a leaked slot: its pointer, if `key` is occupied and was leaked.
    pub(crate) fn reclaim(&self, key: Key) -> Option<NonNull<T>> {
        if !self.tiers.contains(key.index()) {
            return None;
        }
        let (t, off) = self.tiers.split(key.index());
        // SAFETY: occupied, so `t < count` and `off` is in the tier.
        unsafe { self.tiers.tier(t).leaked.remove(off) }.then(|| self.slot_ptr(t, off))
    }

    pub(crate) fn len(&self) -> u32 {
        self.tiers.len()
    }

    pub(crate) fn capacity(&self) -> u32 {
        self.tiers.capacity()
    }

    pub(crate) fn tiers(&self) -> &Tiers {
        &self.tiers
    }
}

impl<T> Store<T> {
    /// Drops every live value, freeing each slot before dropping its value.
    fn drop_live(&self) {
        for t in 0..self.tiers.count() {
            // SAFETY: `t < count`.
            let raw = &unsafe { self.tiers.tier(t) }.raw;
            let mut at = 0;
            while let Some(off) = raw.next_occupied(at) {
                at = off + 1;
                raw.release(off);
                // SAFETY: occupied, so initialized; freed first so a panicking Drop leaves
                // the slot freed once; dropped exactly once.
                unsafe { self.slot_ptr(t, off).as_ptr().drop_in_place() };
            }
        }
    }
}

impl<T> Drop for Store<T> {
    /// Drops the values still live (leaked ones: owned slots cannot outlive the store). If
    /// one's `Drop` panics, the rest are still dropped (a second panic aborts, as for `Vec`).
    fn drop(&mut self) {
        if !core::mem::needs_drop::<T>() {
            return;
        }
        crate::unwind::finish_on_unwind(self, |store| store.drop_live());
    }
}

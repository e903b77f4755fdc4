//! [`Store<T>`]: typed values over [`Tiers`] — turns (tier, offset) into `*mut T` and back,
//! keeps the [`SlotCache`] of slots freed last in front of the bitmaps, drops what is left.
//! Shared by the bounded and unbounded direct slabs and the per-thread allocators.
//!
//! The fast paths are a cache pop ([`Store::alloc`]) and a cache push
//! ([`Store::free`]); the bitmaps are touched once per 64 slots, out of line.

use crate::cache::{SlotCache, CACHE};
use crate::raw::{Elem, Of};
use crate::tiers::{TierConfig, Tiers};
use crate::{Error, Key, VersionedKey};
use core::marker::PhantomData;
use core::ptr::NonNull;

/// Slots of `T` over tiers.
///
/// Invariant: a slot holds an initialized `T` exactly while its bit is set and it is not in
/// `cache`, except inside [`Store::free`]'s caller contract (the value is dropped or moved
/// out right before), between [`Store::alloc`] and the caller's write, while it is marked
/// claimed ([`Store::claim`] until [`Store::end_claim`]: a `Claim`, which may be forgotten),
/// and for the slots of an arena's run not yet handed out ([`Store::take_run`]).
pub(crate) struct Store<T> {
    cache: SlotCache<T>,
    tiers: Tiers,
    /// Owns `T`s and is invariant in `T` (insertion goes through `&self`; see `HiSlab`).
    _owns: crate::Invariant<T>,
}

impl<T> Store<T> {
    /// A store of `T`s (slots laid out as [`Of<T>`]: a zero-sized `T` still gets its own
    /// address per slot, so a `Slot` pointer still names its index).
    pub(crate) fn new(config: TierConfig) -> Result<Store<T>, Error> {
        Ok(Store {
            cache: SlotCache::new(),
            tiers: Tiers::new(Of::<T>::LAYOUT, config)?,
            _owns: PhantomData,
        })
    }

    /// A store with no slot that never grows (see [`Tiers::empty`]).
    #[cfg(feature = "std")]
    pub(crate) const fn empty() -> Store<T> {
        Store {
            cache: SlotCache::new(),
            tiers: Tiers::empty(),
            _owns: PhantomData,
        }
    }

    /// Slot `off` of tier `t`.
    ///
    /// # Safety
    /// `t < tiers.count()` and `off` is below tier `t`'s capacity.
    #[inline(always)]
    unsafe fn slot_ptr(&self, t: usize, off: u32) -> NonNull<T> {
        // SAFETY: `t < count`, and `off` is in the tier (caller); every tier is made with
        // `Of<T>`'s layout (`new`).
        unsafe { self.tiers.tier(t).raw.slot::<Of<T>>(off) }
    }

    /// Takes a free slot for the caller to write a value into right away: the slot freed
    /// last, else a word of slots from the bitmaps (out of line). `None` when full.
    #[inline(always)]
    pub(crate) fn alloc(&self) -> Option<NonNull<T>> {
        match self.cache.pop() {
            Some(ptr) => Some(ptr),
            None => self.refill(),
        }
    }

    /// Takes a free slot for a `Claim`, marked claimed until [`Store::end_claim`], so that
    /// [`Store::drop_live`] never drops it as a value even if the `Claim` is forgotten.
    /// `None` when full, or if the OS refuses the memory of the tier's set of claimed slots.
    pub(crate) fn claim(&self) -> Option<NonNull<T>> {
        let ptr = self.alloc()?;
        if self.mark_claimed(ptr).is_err() {
            // SAFETY: just taken by `alloc`, holding no value, referred to by nothing.
            unsafe { self.free(ptr) };
            return None;
        }
        Some(ptr)
    }

    /// Marks the occupied slot at `ptr` claimed; `Err` if the OS refuses the memory of the
    /// tier's set of claimed slots (the caller then frees the slot).
    pub(crate) fn mark_claimed(&self, ptr: NonNull<T>) -> Result<(), Error> {
        let Some((t, off)) = self.tiers.locate::<Of<T>>(ptr.as_ptr() as usize) else {
            unreachable!("a slot this store handed out")
        };
        // SAFETY: `locate` found the slot: `t < count`, `off` in the tier.
        unsafe { self.tiers.mark_claimed(t, off) }
    }

    /// Clears the claimed mark of the slot at `ptr` (its value was just written, or it is
    /// about to be freed unused).
    ///
    /// # Safety
    /// `ptr` is an occupied slot of this store.
    pub(crate) unsafe fn end_claim(&self, ptr: NonNull<T>) {
        if let Some((t, off)) = self.tiers.locate::<Of<T>>(ptr.as_ptr() as usize) {
            // SAFETY: `locate` found the slot: `t < count`, `off` in the tier.
            unsafe { self.tiers.unmark_claimed(t, off) }
        }
    }

    /// Moves `value` into a free slot, or hands it back when full.
    #[inline(always)]
    pub(crate) fn insert(&self, value: T) -> Result<NonNull<T>, T> {
        match self.alloc() {
            Some(ptr) => {
                // SAFETY: the slot is free: nothing refers to its bytes; the address is inside
                // a tier's region, with its provenance, aligned (stride and base are multiples
                // of the alignment), never null.
                unsafe { ptr.as_ptr().write(value) };
                Ok(ptr)
            }
            None => Err(value),
        }
    }

    /// The cache is empty: take a word of free slots from the bitmaps, hand out its lowest
    /// and cache the others (as many as the cache takes; the rest go back).
    #[cold]
    #[inline(never)]
    pub(crate) fn refill(&self) -> Option<NonNull<T>> {
        debug_assert_eq!(self.cache.len(), 0);
        let (t, first, bits) = self.tiers.acquire_word()?;
        let low = bits.trailing_zeros();
        let mut rest = bits & (bits - 1);
        let mut room = self.cache.room();
        // Highest first, so that pops go up through the word.
        while rest != 0 {
            let b = 63 - rest.leading_zeros();
            rest &= !(1 << b);
            if room > 0 {
                room -= 1;
                // SAFETY: `acquire_word` gave tier `t` and bits of a word inside it.
                let pushed = self
                    .cache
                    .push_stack(unsafe { self.slot_ptr(t, first + b) });
                debug_assert!(pushed);
            } else {
                // SAFETY: as above.
                let freed = unsafe { self.tiers.release(t, first + b) };
                debug_assert!(freed);
            }
        }
        // SAFETY: as above.
        Some(unsafe { self.slot_ptr(t, first + low) })
    }

    /// For a bump allocator (the [`Arena`](crate::arena::Arena)): takes a word of free slots
    /// from the bitmaps and returns its lowest run of consecutive slots as `(first, length)`,
    /// slot `i` of the run `i` strides past `first` (`Of<T>`'s size); the word's other slots
    /// go back. `None` when full. Every slot of the run is occupied and holds no value: the
    /// caller writes each before use, and gives back the ones it does not use with
    /// [`Store::free`] (their contract is the one `alloc`'s slots have).
    #[cold]
    #[inline(never)]
    pub(crate) fn take_run(&self) -> Option<(NonNull<T>, u32)> {
        let (t, first, bits) = self.tiers.acquire_word()?;
        let low = bits.trailing_zeros();
        let len = (bits >> low).trailing_ones();
        let run = if len == 64 {
            u64::MAX
        } else {
            ((1u64 << len) - 1) << low
        };
        let mut rest = bits & !run;
        while rest != 0 {
            let b = rest.trailing_zeros();
            rest &= rest - 1;
            // SAFETY: `acquire_word` gave tier `t` and bits of a word inside it.
            let freed = unsafe { self.tiers.release(t, first + b) };
            debug_assert!(freed);
        }
        // SAFETY: as above; the run's slots are consecutive offsets of tier `t`, so
        // `Of<T>`'s size apart in its region.
        Some((unsafe { self.slot_ptr(t, first + low) }, len))
    }

    /// Frees the slot at `ptr` without touching its bytes.
    ///
    /// # Safety
    /// `ptr` was returned by [`Store::alloc`] (or [`Store::claim`], or is a slot of a
    /// [`Store::take_run`] run) of this store and is still occupied; its value, if it had
    /// one, has been (or is being) dropped or moved out, and no reference to it is used
    /// afterwards.
    #[inline(always)]
    pub(crate) unsafe fn free(&self, ptr: NonNull<T>) {
        if !self.cache.push(ptr) {
            // SAFETY: forwarded contract.
            unsafe { self.free_uncached(ptr) };
        }
    }

    /// Frees `ptr` with the cache full (its oldest half goes back to the bitmaps first) or
    /// closed (`ptr` goes straight back).
    ///
    /// # Safety
    /// As [`Store::free`].
    #[cold]
    #[inline(never)]
    pub(crate) unsafe fn free_uncached(&self, ptr: NonNull<T>) {
        if !self.cache.is_open() {
            // SAFETY: forwarded contract.
            unsafe { self.release(ptr) };
            return;
        }
        // SAFETY: cached slots are occupied slots of this store holding no value.
        self.cache
            .drain_oldest(CACHE / 2, |old| unsafe { self.release(old) });
        let pushed = self.cache.push(ptr);
        debug_assert!(pushed);
    }

    /// Clears the bit of the slot at `ptr`.
    ///
    /// # Safety
    /// As [`Store::free`], and `ptr` is not in the cache.
    #[inline]
    unsafe fn release(&self, ptr: NonNull<T>) {
        let located = self.tiers.locate::<Of<T>>(ptr.as_ptr() as usize);
        debug_assert!(
            located.is_some(),
            "freeing a pointer this store never handed out"
        );
        if let Some((t, off)) = located {
            // SAFETY: `locate` gives an existing tier.
            let freed = unsafe { self.tiers.release(t, off) };
            debug_assert!(freed, "double free of slot {off} in tier {t}");
        }
    }

    /// Gives every cached slot back to the bitmaps and lets no new one in: from now on each
    /// free goes through [`Store::free_uncached`] (the per-thread allocator's exit path).
    #[cfg(feature = "std")]
    pub(crate) fn close_cache(&self) {
        self.flush_cache();
        self.cache.close();
    }

    /// Gives every cached slot back to the bitmaps.
    fn flush_cache(&self) {
        // SAFETY: cached slots are occupied slots of this store holding no value.
        self.cache.drain(|ptr| unsafe { self.release(ptr) });
    }

    /// Gives back to the OS every whole page of value memory that no live slot touches, in
    /// every tier (the cache is emptied first, so the slots it held count as free).
    pub(crate) fn shrink(&self) {
        self.flush_cache();
        self.tiers.release_free_pages();
    }

    /// The cache, for the per-thread allocator's inline free.
    #[inline(always)]
    #[cfg(feature = "std")]
    pub(crate) fn cache(&self) -> &SlotCache<T> {
        &self.cache
    }

    /// The key of the slot at `ptr` (handed out by this store).
    #[inline]
    pub(crate) fn key_of(&self, ptr: NonNull<T>) -> Key {
        match self.tiers.locate::<Of<T>>(ptr.as_ptr() as usize) {
            Some((t, off)) => Key::new(self.tiers.start(t) + off),
            None => Key::NONE,
        }
    }

    /// The slot of `key`, unchecked.
    ///
    /// # Safety
    /// `key` must be occupied and hold a value (not claimed).
    #[inline]
    pub(crate) unsafe fn get_unchecked(&self, key: Key) -> NonNull<T> {
        debug_assert!(
            self.tiers.contains(key.index()),
            "get_unchecked of vacant {key:?}"
        );
        let (t, off) = self.tiers.split(key.index());
        // SAFETY: an occupied key is in a tier: `t < count`, `off` in the tier.
        unsafe { self.slot_ptr(t, off) }
    }

    /// `true` if `key` names an occupied slot (its bit is set and it is not cached).
    #[inline]
    pub(crate) fn contains(&self, key: Key) -> bool {
        if !self.tiers.contains(key.index()) {
            return false;
        }
        if self.cache.len() == 0 {
            return true;
        }
        let (t, off) = self.tiers.split(key.index());
        // SAFETY: occupied (checked above), so in a tier.
        !self
            .cache
            .contains(unsafe { self.slot_ptr(t, off) }.as_ptr())
    }

    /// Marks the slot at `ptr` as leaked (owned by no `Slot`) and returns its key.
    ///
    /// # Safety
    /// `ptr` is an occupied slot of this store whose owning `Slot` is being forgotten.
    pub(crate) unsafe fn leak(&self, ptr: NonNull<T>) -> Key {
        // SAFETY: forwarded contract.
        unsafe { self.leak_at(ptr) }.0
    }

    /// [`Store::leak`], also giving the slot's tier and offset.
    ///
    /// # Safety
    /// As [`Store::leak`].
    #[inline]
    unsafe fn leak_at(&self, ptr: NonNull<T>) -> (Key, usize, u32) {
        let located = self.tiers.locate::<Of<T>>(ptr.as_ptr() as usize);
        debug_assert!(
            located.is_some(),
            "leaking a pointer this store never handed out"
        );
        let Some((t, off)) = located else {
            return (Key::NONE, 0, 0);
        };
        // SAFETY: `locate` found the slot: `t < count`, `off` in the tier.
        unsafe { self.tiers.tier(t).leaked.insert(off) };
        (Key::new(self.tiers.start(t) + off), t, off)
    }

    /// [`Store::leak`], returning the versioned key. Versions must be on
    /// ([`Store::enable_versions`]).
    ///
    /// # Safety
    /// As [`Store::leak`].
    #[inline]
    pub(crate) unsafe fn leak_versioned(&self, ptr: NonNull<T>) -> VersionedKey {
        // SAFETY: forwarded contract.
        let (key, t, off) = unsafe { self.leak_at(ptr) };
        // SAFETY: `leak_at` located the slot in tier `t`.
        VersionedKey::new(key, unsafe { self.tiers.version(t, off) })
    }

    /// The owner-count word of the slot at `ptr` (zero until it is first shared), for an
    /// [`RcSlot`](crate::rc::RcSlot); `Err` if the OS refuses the memory of the tier's table.
    ///
    /// # Safety
    /// `ptr` is an occupied slot of this store.
    pub(crate) unsafe fn shared_count(&self, ptr: NonNull<T>) -> Result<NonNull<u32>, Error> {
        let located = self.tiers.locate::<Of<T>>(ptr.as_ptr() as usize);
        let Some((t, off)) = located else {
            unreachable!("sharing a pointer this store never handed out")
        };
        // SAFETY: `locate` found the slot: `t < count`, `off` in the tier.
        unsafe { self.tiers.shared_count(t, off) }
    }

    /// Turns versions on (idempotent; one flag test once on); `Err` if the OS refuses the
    /// memory they need.
    #[inline]
    pub(crate) fn enable_versions(&self) -> Result<(), Error> {
        self.tiers.enable_versions()
    }

    /// The slot of `key` if it is leaked (owned by its key, not by a `Slot`), so it holds a
    /// value. One bit test beside [`Store::get_unchecked`]'s address arithmetic.
    #[inline(always)]
    pub(crate) fn key_owned(&self, key: Key) -> Option<NonNull<T>> {
        let (t, off) = self.tiers.split(key.index());
        if t >= self.tiers.count() {
            return None;
        }
        // SAFETY: `t < count`.
        let tier = unsafe { self.tiers.tier(t) };
        // (An offset can pass the tier's capacity: a bounded tier of 1,000 spans 1,024.)
        // SAFETY: `off` is below the capacity the set was made with.
        let leaked = off < tier.raw.capacity() && unsafe { tier.leaked.contains(off) };
        // SAFETY: `t < count` and `off` below the tier's capacity (checked above).
        leaked.then(|| unsafe { self.slot_ptr(t, off) })
    }

    /// Takes back a leaked slot: its pointer, if `key` is occupied and was leaked. (A cached
    /// slot's bit is set, but it was freed by its `Slot`, so it is never marked leaked.) Its
    /// generation moves on, so no [`VersionedKey`] handed out for it finds it again.
    #[inline]
    pub(crate) fn reclaim(&self, key: Key) -> Option<NonNull<T>> {
        self.take_leaked(key, None)
    }

    /// Takes back leaked `key` if its generation is `key`'s ([`Store::reclaim`] for a
    /// versioned key).
    #[inline]
    pub(crate) fn reclaim_versioned(&self, key: VersionedKey) -> Option<NonNull<T>> {
        self.take_leaked(key.key(), Some(key.version()))
    }

    /// Clears the leaked mark of `key` (if `version` is given, only at that generation) and
    /// moves its generation on: the slot, now the caller's to own.
    #[inline(always)]
    fn take_leaked(&self, key: Key, version: Option<u32>) -> Option<NonNull<T>> {
        let (t, off) = self.tiers.split(key.index());
        if t >= self.tiers.count() {
            return None;
        }
        // SAFETY: `t < count`.
        let tier = unsafe { self.tiers.tier(t) };
        // A leaked slot is occupied; the offset can pass the capacity (see `key_owned`).
        if off >= tier.raw.capacity() {
            return None;
        }
        if let Some(v) = version {
            // SAFETY: `t < count`, `off` below the tier's capacity.
            if unsafe { self.tiers.version(t, off) } != v {
                return None;
            }
        }
        // SAFETY: as above.
        if !unsafe { tier.leaked.remove(off) } {
            return None;
        }
        // SAFETY: as above.
        unsafe { self.tiers.bump_version(t, off) };
        // SAFETY: as above.
        Some(unsafe { self.slot_ptr(t, off) })
    }

    /// The versioned key of leaked `key` (`None` if it is not leaked). Versions must be on.
    pub(crate) fn versioned_key(&self, key: Key) -> Option<VersionedKey> {
        self.key_owned(key)?;
        let (t, off) = self.tiers.split(key.index());
        // SAFETY: key-owned, so `t < count` and `off` is in the tier.
        let version = unsafe { self.tiers.version(t, off) };
        Some(VersionedKey::new(key, version))
    }

    /// The slot of `key` if it is leaked and its generation is still `key`'s: one load more
    /// than [`Store::key_owned`].
    #[inline(always)]
    pub(crate) fn key_owned_versioned(&self, key: VersionedKey) -> Option<NonNull<T>> {
        let (t, off) = self.tiers.split(key.key().index());
        if t >= self.tiers.count() {
            return None;
        }
        // SAFETY: `t < count`.
        let tier = unsafe { self.tiers.tier(t) };
        // SAFETY: `off` below the capacity the set and the versions were made with.
        let live = off < tier.raw.capacity()
            && unsafe { tier.leaked.contains(off) }
            && unsafe { self.tiers.version(t, off) } == key.version();
        // SAFETY: `t < count` and `off` below the tier's capacity (checked above).
        live.then(|| unsafe { self.slot_ptr(t, off) })
    }

    /// Key-owned (leaked) slots.
    /// (For the per-thread allocator's `stats`.)
    #[cfg(feature = "std")]
    pub(crate) fn key_owned_count(&self) -> u32 {
        self.tiers.leaked_count()
    }

    /// Live slots: set bits less cached slots.
    pub(crate) fn len(&self) -> u32 {
        self.tiers.len() - self.cache.len()
    }

    pub(crate) fn capacity(&self) -> u32 {
        self.tiers.capacity()
    }

    pub(crate) fn tiers(&self) -> &Tiers {
        &self.tiers
    }
}

impl<T> Store<T> {
    /// Drops every live value, freeing each slot before dropping its value: the store is
    /// then empty and usable (the per-thread allocator and the slabs call it at drop, an
    /// arena's `reset` at any time).
    pub(crate) fn drop_live(&self) {
        self.flush_cache();
        for t in 0..self.tiers.count() {
            // SAFETY: `t < count`.
            let raw = &unsafe { self.tiers.tier(t) }.raw;
            let mut at = 0;
            while let Some(off) = raw.next_occupied(at) {
                at = off + 1;
                // A forgotten `Claim`'s slot holds no value: freed, not dropped.
                // SAFETY: `t < count`, `off` in the tier.
                let claimed = unsafe { self.tiers.is_claimed(t, off) };
                // Through the tiers, so the tier counts as non-full again (an arena's
                // `reset` allocates here next).
                // SAFETY: `t < count`.
                unsafe { self.tiers.release(t, off) };
                if claimed {
                    // SAFETY: as above.
                    unsafe { self.tiers.unmark_claimed(t, off) };
                    continue;
                }
                // SAFETY: `off` is an occupied slot of tier `t < count`, not claimed and not in
                // the cache (flushed above), so initialized (invariant; an arena gives its
                // run back before calling this);
                // freed first so a panicking Drop leaves the slot freed once; dropped exactly
                // once.
                unsafe { self.slot_ptr(t, off).as_ptr().drop_in_place() };
            }
        }
    }
}

impl<T> Store<T> {
    /// Releases the memory (and the tiers' span-map entries) without dropping any value:
    /// an orphaned per-thread store, whose live slots were all freed by handles on other
    /// threads that dropped the values themselves.
    ///
    /// # Safety
    /// No slot holds a value.
    #[cfg(feature = "std")]
    pub(crate) unsafe fn discard(self) {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: read once; `this` is never used or dropped again (the cache owns nothing).
        drop(unsafe { core::ptr::read(&this.tiers) });
    }
}

impl<T> Drop for Store<T> {
    /// Drops the values still live: key-owned ones, and those of handles forgotten with
    /// `mem::forget` (every other handle borrows the store's owner, so it is gone); a
    /// forgotten `Claim`'s slot is freed without a drop. If
    /// one's `Drop` panics, the rest are still dropped (a second panic aborts, as for `Vec`).
    fn drop(&mut self) {
        if !core::mem::needs_drop::<T>() {
            // The tiers release the memory; no value needs dropping.
            return;
        }
        crate::unwind::finish_on_unwind(self, |store| store.drop_live());
    }
}

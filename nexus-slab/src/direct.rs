//! What the two direct slabs share: the [`SlotOwner`](crate::slot::SlotOwner) impl and the
//! key-based methods, stamped onto each by one macro so they cannot drift apart.

/// Implements `SlotOwner` for `&'a $slab<T>` and the common methods on `$slab<T>`, which must
/// have fields `store: Store<T>` and `access: Cell<bool>` (an [`Access`](crate::access::Access)
/// is open), and inherent `insert` and `try_insert`. `$make` is an expression making a slab of
/// at least 4 slots, for the examples.
macro_rules! direct_slab_common {
    ($slab:ident, $make:literal) => {
        // SAFETY: each method forwards to the slab's store, which keeps the promises the trait
        // lists (`Store`'s invariant and methods); every `Slot`, `RcSlot` and `Claim` borrows
        // the slab, so the slab and its memory outlive them.
        unsafe impl<'a, T> $crate::slot::SlotOwner for &'a $slab<T> {
            type Value = T;
            #[inline(always)]
            unsafe fn free(&self, ptr: core::ptr::NonNull<T>) {
                // SAFETY: forwarded contract.
                unsafe { self.store.free(ptr) }
            }
            #[inline]
            fn key_of(&self, ptr: core::ptr::NonNull<T>) -> $crate::Key {
                self.store.key_of(ptr)
            }
            #[inline]
            unsafe fn leak(&self, ptr: core::ptr::NonNull<T>) -> $crate::Key {
                // SAFETY: forwarded contract.
                unsafe { self.store.leak(ptr) }
            }
            #[inline]
            fn contains_key(&self, key: $crate::Key) -> bool {
                self.store.contains(key)
            }
            fn name(&self) -> &'static str {
                stringify!($slab)
            }
            #[inline(always)]
            fn key_owned(&self, key: $crate::Key) -> Option<core::ptr::NonNull<T>> {
                self.store.key_owned(key)
            }
            #[inline(always)]
            fn key_owned_versioned(
                &self,
                key: $crate::VersionedKey,
            ) -> Option<core::ptr::NonNull<T>> {
                self.store.key_owned_versioned(key)
            }
            fn enable_versions(&self) -> Result<(), $crate::Error> {
                self.store.enable_versions()
            }
            fn versioned_key(&self, key: $crate::Key) -> Option<$crate::VersionedKey> {
                self.store.versioned_key(key)
            }
            #[inline]
            unsafe fn leak_versioned(&self, ptr: core::ptr::NonNull<T>) -> $crate::VersionedKey {
                // SAFETY: forwarded contract.
                unsafe { self.store.leak_versioned(ptr) }
            }
            #[inline]
            fn take_key_owned_versioned(
                &self,
                key: $crate::VersionedKey,
            ) -> Option<core::ptr::NonNull<T>> {
                self.store.reclaim_versioned(key)
            }
            #[inline]
            fn take_key_owned(&self, key: $crate::Key) -> Option<core::ptr::NonNull<T>> {
                self.store.reclaim(key)
            }
            #[inline]
            fn try_insert(&self, value: T) -> Result<Slot<'a, T>, $crate::Full<T>> {
                $slab::try_insert(self, value)
            }
            #[inline]
            #[track_caller]
            fn insert(&self, value: T) -> Slot<'a, T> {
                $slab::insert(self, value)
            }
            #[inline]
            fn access_flag(&self) -> &core::cell::Cell<bool> {
                &self.access
            }
            #[inline]
            fn claim(&self) -> Option<core::ptr::NonNull<T>> {
                self.store.claim()
            }
            unsafe fn end_claim(&self, ptr: core::ptr::NonNull<T>) {
                // SAFETY: forwarded contract.
                unsafe { self.store.end_claim(ptr) }
            }
            unsafe fn shared_count(
                &self,
                ptr: core::ptr::NonNull<T>,
            ) -> Result<core::ptr::NonNull<u32>, $crate::Error> {
                // SAFETY: forwarded contract.
                unsafe { self.store.shared_count(ptr) }
            }
        }

        /// The door to this slab's key-owned values: see [`Access`](crate::access::Access).
        pub type Access<'a, T> = $crate::access::Access<&'a $slab<T>>;

        impl<T> core::fmt::Debug for $slab<T> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($slab))
                    .field("len", &self.len())
                    .field("capacity", &self.capacity())
                    .finish_non_exhaustive()
            }
        }

        impl<T> $slab<T> {
            /// Moves `value` into a slot shared by every clone of the returned
            /// [`RcSlot`](crate::rc::RcSlot); the last one dropped frees it.
            ///
            /// # Panics
            /// As `insert`, and if the OS refuses the memory for the tier's table of counts
            /// (made when its first slot is shared).
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// let a = slab.insert_rc(String::from("shared"));
            /// let b = a.clone();
            /// drop(a);
            /// assert_eq!((b.as_str(), slab.len()), ("shared", 1));
            /// drop(b); // the last owner frees the slot
            /// assert!(slab.is_empty());
            /// ```
            #[inline]
            #[track_caller]
            pub fn insert_rc(&self, value: T) -> $crate::rc::RcSlot<&Self> {
                self.insert(value).into_rc()
            }

            /// Reserves a free slot to build a value in place (see
            /// [`Claim`](crate::claim::Claim)); `None` when full. Dropped unused, the claim
            /// frees the slot.
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// let claim = slab.claim().unwrap();
            /// let key = claim.key();
            /// let slot = claim.write(5);
            /// assert_eq!((*slot, slot.key()), (5, key));
            /// ```
            #[inline]
            pub fn claim(&self) -> Option<$crate::claim::Claim<&Self>> {
                $crate::claim::Claim::new(self)
            }

            /// Arena mode: moves `value` into a slot for good and returns a plain `&mut T`
            /// to it, which lives as long as the borrow of the slab (see
            /// [`Slot::into_mut`](crate::slot::Slot::into_mut)). The value is dropped when
            /// the slab is; its slot is never freed before.
            ///
            /// # Panics
            /// As `insert`: when the slab is full (the value is dropped);
            /// [`try_alloc`](Self::try_alloc) hands it back instead.
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// let (a, b) = (slab.alloc(1), slab.alloc(2)); // both `&mut` at once
            /// *a += *b;
            /// assert_eq!((*a, slab.len()), (3, 2));
            /// ```
            #[inline]
            #[track_caller]
            pub fn alloc(&self, value: T) -> &mut T {
                self.insert(value).into_mut()
            }

            /// Arena mode, handing `value` back in `Full` when the slab is full: see
            /// [`alloc`](Self::alloc).
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// let r = slab.try_alloc(String::from("kept")).unwrap();
            /// r.push('!');
            /// assert_eq!(r.as_str(), "kept!");
            /// ```
            #[inline]
            pub fn try_alloc(&self, value: T) -> Result<&mut T, $crate::Full<T>> {
                self.try_insert(value).map(|slot| slot.into_mut())
            }

            /// Opens the slab's [`Access`]: follows keys to key-owned values (given up by
            /// [`Slot::leak`] or inserted through the `Access`) without `unsafe`. One is open
            /// at a time; `Slot`s stay usable beside it.
            ///
            /// # Panics
            /// If an `Access` to this slab is already open; [`try_access`](Self::try_access)
            /// returns `None` instead.
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// let first = slab.insert(0);
            /// let list = slab.access();
            /// let key = list.insert(1);
            /// assert_eq!((list.get(key), *first), (Some(&1), 0)); // `Slot`s stay usable
            /// ```
            #[inline]
            #[track_caller]
            pub fn access(&self) -> Access<'_, T> {
                $crate::access::Access::open(self)
            }

            /// Opens the slab's [`Access`], or `None` if one is already open.
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// let open = slab.try_access().unwrap();
            /// let key = open.insert(1);
            /// assert!(slab.try_access().is_none());
            /// drop(open);
            /// assert_eq!(slab.try_access().unwrap().get(key), Some(&1));
            /// ```
            #[inline]
            pub fn try_access(&self) -> Option<Access<'_, T>> {
                $crate::access::Access::try_open(self)
            }

            /// Live slots: those a `Slot`, `RcSlot` or `Claim` holds, key-owned ones and
            /// arena values.
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// let slot = slab.insert(1);
            /// let key = slab.insert(2).leak();
            /// assert_eq!(slab.len(), 2);
            /// drop(slot);
            /// assert_eq!(slab.len(), 1);
            /// # drop(slab.reclaim(key));
            /// ```
            #[inline]
            pub fn len(&self) -> u32 {
                self.store.len()
            }

            /// `true` when no slot is live.
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// assert!(slab.is_empty());
            /// let _slot = slab.insert(1);
            /// assert!(!slab.is_empty());
            /// ```
            #[inline]
            pub fn is_empty(&self) -> bool {
                self.store.len() == 0
            }

            /// Slots reserved so far.
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// assert!(slab.capacity() >= 4);
            /// let _slot = slab.insert(1);
            /// assert!(slab.capacity() >= slab.len());
            /// ```
            #[inline]
            pub fn capacity(&self) -> u32 {
                self.store.capacity()
            }

            /// Gives back to the OS every whole page of memory that no live slot touches,
            /// emptied tiers included, keeping the addresses reserved: live values and keys
            /// are untouched, and a page given back is committed again when an insert next
            /// lands in it. (A page shared by a live slot stays.) The slab commits memory
            /// ahead of its inserts again as they reach the given-back pages. Off Linux,
            /// without the `mmap` feature and under Miri nothing is given back.
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// let slots: Vec<_> = (0..4).map(|i| slab.insert([i; 512])).collect();
            /// drop(slots);
            /// slab.shrink(); // `&self`: works beside live slots too
            /// assert_eq!(*slab.insert([7; 512]), [7; 512]);
            /// ```
            pub fn shrink(&self) {
                self.store.shrink()
            }

            /// `true` if `key` names a live slot; false for `Key::NONE`, out of range, vacant.
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// let slot = slab.insert(1);
            /// let key = slot.key();
            /// assert!(slab.contains_key(key));
            /// drop(slot);
            /// assert!(!slab.contains_key(key) && !slab.contains_key(nexus_slab::Key::NONE));
            /// ```
            #[inline]
            pub fn contains_key(&self, key: $crate::Key) -> bool {
                self.store.contains(key)
            }

            /// The value of `key`, unchecked: [`Access::get`](crate::access::Access::get)
            /// checks (and reaches key-owned slots only); this does not.
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// let slot = slab.insert(1);
            /// // SAFETY: the slot is live and nothing mutates it meanwhile.
            /// assert_eq!(unsafe { *slab.get_unchecked(slot.key()) }, 1);
            /// ```
            ///
            /// # Safety
            /// `key` must name a live slot holding a value (not a [`Claim`](crate::claim::Claim)ed one),
            /// and no `&mut` to that value may exist while the
            /// returned reference is used.
            #[inline]
            pub unsafe fn get_unchecked(&self, key: $crate::Key) -> &T {
                // SAFETY: live by the caller's contract, so initialized; no `&mut` aliases.
                unsafe { self.store.get_unchecked(key).as_ref() }
            }

            /// The value of `key` mutably, unchecked:
            /// [`Access::get_mut`](crate::access::Access::get_mut) checks (and reaches
            /// key-owned slots only); this does not.
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// let key = slab.insert(1).leak();
            /// // SAFETY: the slot is live and no other reference to it is in use.
            /// unsafe { *slab.get_unchecked_mut(key) = 2 };
            /// assert_eq!(*slab.reclaim(key).unwrap(), 2);
            /// ```
            ///
            /// # Safety
            /// `key` must name a live slot holding a value (not a [`Claim`](crate::claim::Claim)ed one),
            /// and no other reference to that value (including
            /// through its `Slot`) may be used while the returned one is.
            #[inline]
            #[expect(
                clippy::mut_from_ref,
                reason = "the slot memory is not owned by `&self`; the caller guarantees uniqueness"
            )]
            pub unsafe fn get_unchecked_mut(&self, key: $crate::Key) -> &mut T {
                // SAFETY: live by the caller's contract; uniqueness by the caller's contract;
                // the pointer has the region's provenance.
                unsafe { self.store.get_unchecked(key).as_mut() }
            }

            /// Takes back a slot given up by [`Slot::leak`]; `None` if `key` is not a leaked
            /// live slot (so a second owner can never be made).
            ///
            /// # Panics
            /// While an [`Access`] to the slab is open (it may have lent the value out): call
            /// [`Access::reclaim`](crate::access::Access::reclaim) on it instead.
            ///
            /// ```
            #[doc = concat!("let slab = ", $make, ";")]
            /// let key = slab.insert(String::from("x")).leak();
            /// let slot = slab.reclaim(key).unwrap();
            /// assert!(slab.reclaim(key).is_none()); // owned by `slot` now
            /// assert_eq!(*slot, "x");
            /// ```
            #[inline]
            #[track_caller]
            pub fn reclaim(&self, key: $crate::Key) -> Option<Slot<'_, T>> {
                if self.access.get() {
                    $crate::access::reclaim_while_open(stringify!($slab))
                }
                let ptr = self.store.reclaim(key)?;
                // SAFETY: live and leaked: no `Slot` owns it; the leaked mark is now cleared,
                // so this becomes its only owner.
                Some(unsafe { $crate::slot::Slot::from_raw(ptr, self) })
            }
        }
    };
}

pub(crate) use direct_slab_common;

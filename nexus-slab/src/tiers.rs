//! [`Tiers`]: the storage under the Slot allocators. A bounded store is one tier; an
//! unbounded one adds tiers whose capacities double (`chunk`, `2·chunk`, `4·chunk`, ...).
//!
//! ```text
//!  index i ──(+ chunk)──► j ──lzcnt──► tier t = log2(j) - log2(chunk),  offset = j - (chunk << t)
//!  tier 0: [0, chunk)   tier 1: [chunk, 3·chunk)   tier 2: [3·chunk, 7·chunk)  ...
//! ```
//! The tier table is a fixed array: adding a tier writes one new entry and copies nothing;
//! no value and no metadata ever moves, so every address is stable for the slot's life.
//! Each tier is a [`RawSlab`] (its own reservation: committed page by page as it fills)
//! plus a [`LeakedSet`].
//!
//! Free slots are found in the lowest tier that has one (`nonfull` mask, one `tzcnt`), then
//! in that tier's bitmap, a whole word (up to 64 slots) at a time: they go to the store's
//! [`SlotCache`](crate::cache::SlotCache), which hands out the slot freed last first. (No
//! index order is promised here.)

use crate::bitmap::Mode;
use crate::leaked::LeakedSet;
use crate::memory::MemOptions;
use crate::raw::{Elem, RawSlab};
#[cfg(feature = "std")]
use crate::remote::Remote;
use crate::slot_words::SlotWords;
use crate::Error;
use core::alloc::Layout;
use core::cell::{Cell, OnceCell, UnsafeCell};
use core::mem::MaybeUninit;
use core::ptr::NonNull;

/// Bytes a store of values up to [`DEFAULT_AHEAD_MAX_SIZE`] commits ahead of its inserts
/// unless told otherwise (see [`TierConfig::ahead`]): 16 pages, about 32 µs of
/// `MADV_POPULATE_WRITE` where a page costs 2 µs (measured on a virtual machine; bare metal
/// is faster), within the 50 µs one insert may pay, while a million 32-byte inserts take 512
/// such commits instead of 8,192 faults.
pub(crate) const DEFAULT_AHEAD: usize = 64 << 10;

/// The largest value for which committing ahead is the default: a 64 KiB batch then serves
/// at least 1,024 inserts, so at most 0.1% of inserts pay for one and p99.9 stays clear of
/// it. Larger values would put a batch's cost into the p99.9: at 256 bytes, one insert in 256
/// paid about 70k cycles where a single fault costs 11k (measured), so they fault on demand
/// unless `populate_ahead` says otherwise.
pub(crate) const DEFAULT_AHEAD_MAX_SIZE: usize = 64;

/// Tiers of at least this many bytes get `MADV_HUGEPAGE` when huge pages are asked for;
/// smaller ones would commit a 2 MiB page for a tier that may never fill it.
pub(crate) const HUGE_TIER_BYTES: usize = 4 << 20;

/// Slots in the first tier of an unbounded store unless told otherwise
/// ([`UnboundedSlab::new`](crate::unbounded::UnboundedSlab::new), and the per-thread
/// allocator's builder): 4096, so the tiers hold 4 Ki, 8 Ki, 16 Ki ... slots.
pub const DEFAULT_CHUNK_CAPACITY: u32 = 4096;

/// Enough tiers to cover 2³² - 1 indices from a chunk of one slot.
pub(crate) const MAX_TIERS: usize = 33;

/// One tier: slots `[start, start + raw.capacity())` of the store.
pub(crate) struct Tier {
    pub(crate) raw: RawSlab,
    pub(crate) leaked: LeakedSet,
    /// Set once the store hands out versioned keys (and for every tier made after).
    pub(crate) versions: OnceCell<SlotWords>,
    /// The owner counts of shared slots, made when the tier's first slot is shared.
    pub(crate) shared: OnceCell<SlotWords>,
    /// Slots taken by a `Claim` and not yet written (occupied, holding no value), made when
    /// the tier's first slot is claimed: `drop_live` skips them.
    pub(crate) claimed: OnceCell<LeakedSet>,
}

/// How a store is laid out and backed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TierConfig {
    /// Bounded: the capacity. Unbounded: the first tier's capacity (rounded up to a power of
    /// two).
    pub(crate) first: u32,
    pub(crate) growable: bool,
    /// Slots to reserve (and pre-fault, if `prefault`) when the store is made.
    pub(crate) initial: u32,
    pub(crate) prefault: bool,
    pub(crate) mem: MemOptions,
    /// Bytes to commit ahead of the highest slot handed out in each tier (0: none, every page
    /// faults in when first touched; `None`: [`DEFAULT_AHEAD`] for values up to
    /// [`DEFAULT_AHEAD_MAX_SIZE`] bytes, else none). Committed a whole batch at a time, when a
    /// word of slots reaches past what is committed, from the cold path that takes a bitmap
    /// word, so the insert fast path never checks.
    pub(crate) ahead: Option<usize>,
}

impl TierConfig {
    /// An unbounded store whose first tier holds `chunk` slots, nothing reserved up front.
    pub(crate) fn unbounded(chunk: u32) -> TierConfig {
        TierConfig {
            first: chunk,
            growable: true,
            initial: 0,
            prefault: false,
            mem: MemOptions::default(),
            ahead: None,
        }
    }

    /// A bounded store of `capacity` slots, committed as it fills.
    pub(crate) fn bounded(capacity: u32) -> TierConfig {
        TierConfig {
            growable: false,
            ..TierConfig::unbounded(capacity)
        }
    }
}

/// The tier table.
///
/// Invariants:
/// - entries `0..count` of `table` are initialized and never moved or rewritten until drop;
/// - bit t of `nonfull` is set only if `t < count`, and is clear when tier t is full
///   (`acquire_word` clears it when it fills the tier; `release` sets it again);
/// - tier `t` holds indices `[chunk·(2ᵗ - 1), chunk·(2ᵗ - 1) + capacity_t)`, `chunk = 1 << shift`;
/// - when `ahead != 0`, every slot is handed out by [`Tiers::acquire_word`], which commits
///   ahead right after (the [`RawSlab`] invariant for slabs that commit ahead).
pub(crate) struct Tiers {
    table: UnsafeCell<[MaybeUninit<Tier>; MAX_TIERS]>,
    /// Tier `t`'s value region as `(base address, byte length)`, packed apart from the tiers
    /// so `locate` scans one small array; `(0, 0)` past `count`.
    spans: [Cell<(usize, usize)>; MAX_TIERS],
    /// The last tier's span, beside `count` (`(0, 0)` with no tier): what `holds` checks
    /// first, without indexing by `count`.
    last: Cell<(usize, usize)>,
    count: Cell<usize>,
    nonfull: Cell<u64>,
    shift: u32,
    growable: bool,
    elem: Layout,
    mem: MemOptions,
    ahead: usize,
    /// Why the last growth failed, for the panic message of a full `insert`.
    grow_error: Cell<Option<Error>>,
    /// Versioned keys were handed out: every tier has its `versions`, and a slot's
    /// generation moves on whenever it stops being key-owned.
    versioned: Cell<bool>,
    /// The owner every tier is registered under in the span map ([`Tiers::register`]):
    /// tiers made later are registered as they are made, and all are unregistered at drop.
    #[cfg(feature = "std")]
    owner: Cell<Option<NonNull<Remote>>>,
}

impl Tiers {
    /// A store of `elem`-sized slots per `config`.
    pub(crate) fn new(elem: Layout, config: TierConfig) -> Result<Tiers, Error> {
        debug_assert!(
            elem.size() > 0,
            "the typed layer gives zero-sized types a stride"
        );
        if config.first == 0 || (config.growable && config.first > 1 << 31) {
            return Err(Error::InvalidCapacity {
                reason: if config.growable {
                    "the chunk capacity must be between 1 and 2^31"
                } else {
                    "a bounded allocator needs a capacity of at least 1"
                },
                requested: config.first.into(),
                maximum: if config.growable {
                    1 << 31
                } else {
                    u32::MAX.into()
                },
            });
        }
        let first = if config.growable {
            config.first.next_power_of_two()
        } else {
            config.first
        };
        if config.initial > first && !config.growable {
            return Err(Error::InvalidCapacity {
                reason: "the initial capacity exceeds the bounded capacity",
                requested: config.initial.into(),
                maximum: first.into(),
            });
        }
        // For a bounded store every index (< first) must map to tier 0: chunk >= first.
        let shift = u64::from(first).next_power_of_two().trailing_zeros();
        let tiers = Tiers {
            table: UnsafeCell::new([const { MaybeUninit::uninit() }; MAX_TIERS]),
            spans: [const { Cell::new((0, 0)) }; MAX_TIERS],
            last: Cell::new((0, 0)),
            count: Cell::new(0),
            nonfull: Cell::new(0),
            shift,
            growable: config.growable,
            elem,
            mem: config.mem,
            ahead: config
                .ahead
                .unwrap_or(if elem.size() <= DEFAULT_AHEAD_MAX_SIZE {
                    DEFAULT_AHEAD
                } else {
                    0
                }),
            grow_error: Cell::new(None),
            versioned: Cell::new(false),
            #[cfg(feature = "std")]
            owner: Cell::new(None),
        };
        let first_tier = tiers.make_tier(first, config.initial.min(first), config.prefault)?;
        // SAFETY: the table is empty; entry 0 is written once.
        unsafe { tiers.push(0, first_tier) };
        while tiers.capacity() < config.initial {
            tiers.grow(config.prefault)?;
        }
        Ok(tiers)
    }

    /// A store with no tier that never grows: what a per-thread allocator holds before
    /// `init` and after its memory is released. Every insert finds it full.
    #[cfg(feature = "std")]
    pub(crate) const fn empty() -> Tiers {
        Tiers {
            table: UnsafeCell::new([const { MaybeUninit::uninit() }; MAX_TIERS]),
            spans: [const { Cell::new((0, 0)) }; MAX_TIERS],
            last: Cell::new((0, 0)),
            count: Cell::new(0),
            nonfull: Cell::new(0),
            shift: 0,
            growable: false,
            elem: Layout::new::<u8>(),
            mem: MemOptions {
                huge_pages: false,
                mlock: false,
                align: 0,
            },
            ahead: 0,
            grow_error: Cell::new(None),
            versioned: Cell::new(false),
            owner: Cell::new(None),
        }
    }

    fn make_tier(&self, capacity: u32, prefault: u32, prefault_on: bool) -> Result<Tier, Error> {
        let prefault = if prefault_on { prefault } else { 0 };
        let bytes = (capacity as usize).saturating_mul(self.elem.size());
        let mem = MemOptions {
            huge_pages: self.mem.huge_pages && bytes >= HUGE_TIER_BYTES,
            ..self.mem
        };
        let raw = RawSlab::new(capacity, prefault, self.elem, Mode::Pool, mem)?;
        let leaked = LeakedSet::new(capacity)?;
        let versions = OnceCell::new();
        if self.versioned.get() {
            let _ = versions.set(SlotWords::new(capacity)?);
        }
        Ok(Tier {
            raw,
            leaked,
            versions,
            shared: OnceCell::new(),
            claimed: OnceCell::new(),
        })
    }

    /// Appends `tier` as entry `t`, which must be the next one.
    ///
    /// # Panics
    /// If `t != count`: a tier was added while this one was being made (a global allocator
    /// re-entering this store); sizes are per index, so it must not land elsewhere.
    ///
    /// # Safety
    /// `t < MAX_TIERS`.
    unsafe fn push(&self, t: usize, tier: Tier) {
        assert_eq!(
            self.count.get(),
            t,
            "a tier was added re-entrantly while tier {t} was being made"
        );
        debug_assert!(t < MAX_TIERS);
        let span = tier.raw.span();
        // SAFETY: entry `t` is uninitialized and nobody refers to it (entries are handed out
        // only below `count`); the write goes through the `UnsafeCell` pointer and touches no
        // other entry.
        unsafe { (*self.table.get())[t].as_mut_ptr().write(tier) };
        self.spans[t].set(span);
        self.last.set(span);
        self.count.set(t + 1);
        self.nonfull.set(self.nonfull.get() | 1 << t);
    }

    /// Registers every tier, and every one made from now on, under `owner` in the span map,
    /// so that a slot freed on another thread finds its owner from its address. The tiers
    /// must have been made granule-aligned (`MemOptions::align`). On an error nothing stays
    /// registered.
    #[cfg(feature = "std")]
    pub(crate) fn register(&self, owner: NonNull<Remote>) -> Result<(), Error> {
        debug_assert!(self.owner.get().is_none(), "registered twice");
        let spans = &self.spans[..self.count.get()];
        for (t, span) in spans.iter().enumerate() {
            let (base, bytes) = span.get();
            if let Err(e) = crate::remote::spans::register(base, bytes, owner) {
                for done in &spans[..t] {
                    let (base, bytes) = done.get();
                    crate::remote::spans::unregister(base, bytes);
                }
                return Err(e);
            }
        }
        self.owner.set(Some(owner));
        Ok(())
    }

    /// Tier `t`.
    ///
    /// # Safety
    /// `t < count`.
    #[inline(always)]
    pub(crate) unsafe fn tier(&self, t: usize) -> &Tier {
        debug_assert!(t < self.count.get());
        // SAFETY: entries below `count` are initialized and never written again until drop.
        unsafe {
            (*self
                .table
                .get()
                .cast_const()
                .cast::<MaybeUninit<Tier>>()
                .add(t))
            .assume_init_ref()
        }
    }

    /// Number of tiers.
    #[inline(always)]
    pub(crate) fn count(&self) -> usize {
        self.count.get()
    }

    /// First index of tier `t` (an existing tier: it fits in `u32`).
    #[inline(always)]
    pub(crate) fn start(&self, t: usize) -> u32 {
        debug_assert!(self.start_wide(t) <= u32::MAX as u64);
        self.start_wide(t) as u32
    }

    /// First index tier `t` would have, unclamped (may exceed the u32 index space).
    #[inline(always)]
    fn start_wide(&self, t: usize) -> u64 {
        ((1u64 << t) - 1) << self.shift
    }

    /// Splits an index into (tier, offset): in a bounded store, tier 0 and the index itself
    /// (an index past the capacity gives an offset past it, which every caller checks); in
    /// an unbounded one, one leading-zeros count.
    ///
    /// The bounded case is a branch on a flag fixed at construction, so always predicted: it
    /// takes the leading-zeros arithmetic and the tier entry it selects off the chain of
    /// dependent loads that a walk from node to node is (10.3 against 3.5 cycles per hop of
    /// the key-walk workload here). An unbounded store keeps the arithmetic: a compare for
    /// tier 0 would be mispredicted wherever keys of several tiers are mixed.
    #[inline(always)]
    pub(crate) fn split(&self, idx: u32) -> (usize, u32) {
        if !self.growable {
            return (0, idx);
        }
        self.split_upper(idx)
    }

    /// [`Tiers::split`] of an unbounded store.
    #[inline(always)]
    fn split_upper(&self, idx: u32) -> (usize, u32) {
        let j = idx as u64 + (1u64 << self.shift);
        let t = (63 - j.leading_zeros() - self.shift) as usize;
        (t, (j - (1u64 << (t as u32 + self.shift))) as u32)
    }

    /// Takes every free slot of the lowest bitmap word that has one, in the lowest tier that
    /// has one, growing when every tier is full: `(tier, offset of the word's first slot,
    /// bits taken)` (bit `b` set: offset `first + b` is now the caller's). `None` when full
    /// and unable to grow (the reason is kept for the panic message).
    #[inline]
    pub(crate) fn acquire_word(&self) -> Option<(usize, u32, u64)> {
        loop {
            let mask = self.nonfull.get();
            if mask != 0 {
                let t = mask.trailing_zeros() as usize;
                // SAFETY: `nonfull` bits are below `count` (invariant).
                let raw = &unsafe { self.tier(t) }.raw;
                match raw.acquire_word() {
                    Some((first, bits)) => {
                        if self.ahead != 0 {
                            let upto = first + (64 - bits.leading_zeros());
                            // SAFETY: with `ahead` on, every slot of the tier was handed out
                            // here, each followed by this call (type invariant), and `upto`
                            // ends the word just taken.
                            unsafe { raw.populate_ahead(upto, self.ahead) };
                        }
                        if raw.len() == raw.capacity() {
                            // Keep the mask exact, so the next refill never visits a full tier.
                            self.nonfull.set(mask & !(1 << t));
                        }
                        return Some((t, first, bits));
                    }
                    None => self.nonfull.set(mask & !(1 << t)),
                }
            } else if let Err(e) = self.grow(false) {
                self.grow_error.set(Some(e));
                return None;
            }
        }
    }

    /// Takes one free slot, the lowest, as (tier, offset), for tests: a word from
    /// [`Tiers::acquire_word`], the rest of it given back.
    #[cfg(test)]
    pub(crate) fn acquire(&self) -> Option<(usize, u32)> {
        let (t, first, bits) = self.acquire_word()?;
        let low = bits.trailing_zeros();
        let mut rest = bits & (bits - 1);
        while rest != 0 {
            // SAFETY: `acquire_word` gave an existing tier.
            assert!(unsafe { self.release(t, first + rest.trailing_zeros()) });
            rest &= rest - 1;
        }
        Some((t, first + low))
    }

    /// Adds the next tier.
    fn grow(&self, prefault: bool) -> Result<(), Error> {
        let t = self.count.get();
        let start = self.start_wide(t);
        // Indices stop below u32::MAX (Key::NONE).
        let room = (u32::MAX as u64).saturating_sub(start);
        if !self.growable || t >= MAX_TIERS || room == 0 {
            // One slot more than the store has is what was asked for; what it has is the most
            // it can have (the bounded capacity, or every index below u32::MAX).
            let capacity = u64::from(self.capacity());
            return Err(Error::InvalidCapacity {
                reason: if self.growable {
                    "the u32 index space is exhausted"
                } else {
                    "a bounded allocator does not grow"
                },
                requested: capacity + 1,
                maximum: capacity,
            });
        }
        let capacity = (1u64 << (t as u32 + self.shift)).min(room) as u32;
        let tier = self.make_tier(capacity, capacity, prefault)?;
        #[cfg(feature = "std")]
        if let Some(owner) = self.owner.get() {
            let (base, bytes) = tier.raw.span();
            crate::remote::spans::register(base, bytes, owner)?;
        }
        // SAFETY: `t < MAX_TIERS` checked above.
        unsafe { self.push(t, tier) };
        Ok(())
    }

    /// Frees (tier, offset); `false` if it was not occupied.
    ///
    /// # Safety
    /// `t < count`.
    #[inline(always)]
    pub(crate) unsafe fn release(&self, t: usize, off: u32) -> bool {
        // SAFETY: `t < count` (caller).
        let freed = unsafe { self.tier(t) }.raw.release(off);
        let mask = self.nonfull.get();
        if mask & (1 << t) == 0 {
            // Written only when it changes: an unconditional store would make the next
            // insert's read of the mask wait on this one.
            self.nonfull.set(mask | 1 << t);
        }
        freed
    }

    /// Gives back every whole page of value memory that no occupied slot touches, in every
    /// tier (an empty tier gives back all of its pages; it stays reserved).
    pub(crate) fn release_free_pages(&self) {
        for t in 0..self.count.get() {
            // SAFETY: `t < count`.
            unsafe { self.tier(t) }.raw.release_free_pages();
        }
    }

    /// Pages of value memory resident in RAM, per tier, or `None` where the backend cannot
    /// tell. For tests.
    #[cfg(test)]
    pub(crate) fn resident_pages(&self) -> Option<std::vec::Vec<usize>> {
        // SAFETY: `t < count`.
        (0..self.count.get())
            .map(|t| unsafe { self.tier(t) }.raw.resident_pages(0, usize::MAX))
            .collect()
    }

    /// The tier and offset holding `addr`, a slot address handed out by this store. Scans
    /// every tier's span without an early exit, so the loop has no branch to mispredict when
    /// slots are spread across tiers (one compare and a conditional move per tier).
    #[inline(always)]
    pub(crate) fn locate<E: Elem>(&self, addr: usize) -> Option<(usize, u32)> {
        debug_assert_eq!(E::LAYOUT, self.elem, "tiers read as another element");
        let count = self.count.get();
        let (mut found, mut delta) = (usize::MAX, 0);
        for (t, span) in self.spans[..count.min(MAX_TIERS)].iter().enumerate() {
            let (base, bytes) = span.get();
            let d = addr.wrapping_sub(base);
            if d < bytes {
                found = t;
                delta = d;
            }
        }
        (found != usize::MAX).then(|| (found, (delta / E::LAYOUT.size()) as u32))
    }

    /// `true` if `addr` lies in one of the tiers' value regions. The last tier first (a
    /// bounded store's only one, an unbounded store's largest, which holds at least half
    /// of its slots): one compare, and the others only if that misses.
    #[inline(always)]
    pub(crate) fn holds(&self, addr: usize) -> bool {
        let (base, bytes) = self.last.get();
        addr.wrapping_sub(base) < bytes || (self.count.get() > 1 && self.holds_below(addr))
    }

    /// `true` if `addr` lies in one of the tiers before the last.
    #[cold]
    #[inline(never)]
    fn holds_below(&self, addr: usize) -> bool {
        let last = self.count.get().min(MAX_TIERS) - 1;
        self.spans[..last].iter().any(|span| {
            let (base, bytes) = span.get();
            addr.wrapping_sub(base) < bytes
        })
    }

    /// `true` if `idx` is occupied.
    #[inline]
    pub(crate) fn contains(&self, idx: u32) -> bool {
        let (t, off) = self.split(idx);
        // SAFETY: `t < count` checked first.
        t < self.count.get() && unsafe { self.tier(t) }.raw.contains(off)
    }

    /// Bytes of address space reserved by every tier (values, bitmaps, leaked sets).
    /// (For the per-thread allocator's `stats`.)
    #[cfg(feature = "std")]
    pub(crate) fn reserved_bytes(&self) -> usize {
        (0..self.count.get())
            .map(|t| {
                // SAFETY: `t < count`.
                let tier = unsafe { self.tier(t) };
                tier.raw.reserved_bytes() + tier.leaked.reserved_bytes()
            })
            .sum()
    }

    /// Key-owned (leaked) slots of every tier.
    /// (For the per-thread allocator's `stats`.)
    #[cfg(feature = "std")]
    pub(crate) fn leaked_count(&self) -> u32 {
        // SAFETY: `t < count`.
        (0..self.count.get())
            .map(|t| unsafe { self.tier(t) }.leaked.count())
            .sum()
    }

    /// Makes every tier's [`SlotWords`] (and every later tier's): from now on a slot's
    /// generation moves on whenever it stops being key-owned. Idempotent.
    #[inline(always)]
    pub(crate) fn enable_versions(&self) -> Result<(), Error> {
        if self.versioned.get() {
            return Ok(());
        }
        self.make_versions()
    }

    /// The first [`Tiers::enable_versions`]: every tier's versions made.
    #[cold]
    #[inline(never)]
    fn make_versions(&self) -> Result<(), Error> {
        for t in 0..self.count.get() {
            // SAFETY: `t < count`.
            let tier = unsafe { self.tier(t) };
            if tier.versions.get().is_none() {
                let _ = tier.versions.set(SlotWords::new(tier.raw.capacity())?);
            }
        }
        self.versioned.set(true);
        Ok(())
    }

    /// The owner-count word of offset `off` of tier `t`, making the tier's table of them on
    /// first use; `Err` if the OS refuses its memory. The word stays valid while the tier
    /// lives.
    ///
    /// # Safety
    /// `t < count` and `off` is below tier `t`'s capacity.
    pub(crate) unsafe fn shared_count(&self, t: usize, off: u32) -> Result<NonNull<u32>, Error> {
        // SAFETY: `t < count` (caller).
        let tier = unsafe { self.tier(t) };
        if tier.shared.get().is_none() {
            let _ = tier.shared.set(SlotWords::new(tier.raw.capacity())?);
        }
        match tier.shared.get() {
            // SAFETY: `off` is below the capacity the table was made with (caller).
            Some(words) => Ok(unsafe { words.word(off) }),
            None => unreachable!("set just above"),
        }
    }

    /// Marks offset `off` of tier `t` claimed (occupied, no value yet), making the tier's set
    /// of claimed slots on first use; `Err` if the OS refuses its memory.
    ///
    /// # Safety
    /// `t < count` and `off` is below tier `t`'s capacity.
    pub(crate) unsafe fn mark_claimed(&self, t: usize, off: u32) -> Result<(), Error> {
        // SAFETY: `t < count` (caller).
        let tier = unsafe { self.tier(t) };
        if tier.claimed.get().is_none() {
            let _ = tier.claimed.set(LeakedSet::new(tier.raw.capacity())?);
        }
        if let Some(set) = tier.claimed.get() {
            // SAFETY: `off` is below the capacity the set was made with (caller).
            unsafe { set.insert(off) };
        }
        Ok(())
    }

    /// Clears the claimed mark of offset `off` of tier `t` (its value is written, or the
    /// claim is given up).
    ///
    /// # Safety
    /// `t < count` and `off` is below tier `t`'s capacity.
    pub(crate) unsafe fn unmark_claimed(&self, t: usize, off: u32) {
        // SAFETY: `t < count` (caller).
        if let Some(set) = unsafe { self.tier(t) }.claimed.get() {
            // SAFETY: `off` is below the capacity the set was made with (caller).
            unsafe { set.remove(off) };
        }
    }

    /// `true` if offset `off` of tier `t` is claimed and holds no value.
    ///
    /// # Safety
    /// `t < count` and `off` is below tier `t`'s capacity.
    #[inline]
    pub(crate) unsafe fn is_claimed(&self, t: usize, off: u32) -> bool {
        // SAFETY: `t < count` (caller); `off` below the set's capacity (caller).
        unsafe { self.tier(t) }
            .claimed
            .get()
            .is_some_and(|set| unsafe { set.contains(off) })
    }

    /// The generation of offset `off` of tier `t` (0 while versions are off).
    ///
    /// # Safety
    /// `t < count` and `off` below tier `t`'s capacity.
    #[inline(always)]
    pub(crate) unsafe fn version(&self, t: usize, off: u32) -> u32 {
        // SAFETY: forwarded contract.
        unsafe { self.tier(t).versions.get().map_or(0, |v| v.get(off)) }
    }

    /// Moves the generation of offset `off` of tier `t` on (nothing while versions are off).
    ///
    /// # Safety
    /// As [`Tiers::version`].
    #[inline]
    pub(crate) unsafe fn bump_version(&self, t: usize, off: u32) {
        if self.versioned.get() {
            // SAFETY: forwarded contract; versioned, so every tier has its versions.
            unsafe {
                if let Some(v) = self.tier(t).versions.get() {
                    v.bump(off);
                }
            }
        }
    }

    /// Live slots.
    pub(crate) fn len(&self) -> u32 {
        // SAFETY: `t < count`.
        (0..self.count.get())
            .map(|t| unsafe { self.tier(t) }.raw.len())
            .sum()
    }

    /// Slots reserved so far.
    pub(crate) fn capacity(&self) -> u32 {
        // SAFETY: `t < count`.
        (0..self.count.get())
            .map(|t| unsafe { self.tier(t) }.raw.capacity())
            .sum()
    }

    /// Why growth last failed, if it did.
    pub(crate) fn take_grow_error(&self) -> Option<Error> {
        self.grow_error.take()
    }

    /// Whether the store grows (for the per-thread allocator's messages).
    #[cfg(feature = "std")]
    pub(crate) fn growable(&self) -> bool {
        self.growable
    }
}

impl Drop for Tiers {
    fn drop(&mut self) {
        #[cfg(feature = "std")]
        if self.owner.get().is_some() {
            for span in &self.spans[..self.count.get()] {
                let (base, bytes) = span.get();
                crate::remote::spans::unregister(base, bytes);
            }
        }
        for t in 0..self.count.get() {
            // SAFETY: entries below `count` are initialized; each is dropped once, here.
            unsafe { self.table.get_mut()[t].assume_init_drop() };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::raw::Of;

    fn unbounded(chunk: u32) -> Tiers {
        Tiers::new(Of::<u64>::LAYOUT, TierConfig::unbounded(chunk)).unwrap()
    }

    #[test]
    fn split_is_the_inverse_of_start_plus_offset() {
        for shift in [0u32, 1, 4, 12] {
            let tiers = unbounded(1 << shift);
            let probes = [
                0u32,
                1,
                2,
                3,
                4095,
                4096,
                12_287,
                12_288,
                1 << 20,
                u32::MAX - 1,
            ];
            for idx in probes {
                let (t, off) = tiers.split(idx);
                assert_eq!(
                    tiers.start(t) as u64 + off as u64,
                    idx as u64,
                    "shift {shift} idx {idx}"
                );
                assert!((off as u64) < 1u64 << (t as u32 + shift));
            }
        }
    }

    #[test]
    fn grows_by_doubling_without_moving_anything() {
        let n = if cfg!(miri) { 40 } else { 5000 };
        let tiers = unbounded(4);
        let mut seen = std::vec::Vec::new();
        for i in 0..n {
            let (t, off) = tiers.acquire().unwrap();
            assert_eq!(tiers.start(t) + off, i, "lowest free index first");
            // SAFETY: `t < count`, `off` in the tier, which is made for `u64`s.
            seen.push(unsafe { tiers.tier(t).raw.slot::<Of<u64>>(off) }.as_ptr() as usize);
        }
        assert_eq!(tiers.capacity(), 4 * ((1 << tiers.count()) - 1));
        for (i, &addr) in seen.iter().enumerate() {
            let (t, off) = tiers.locate::<Of<u64>>(addr).unwrap();
            assert_eq!(tiers.start(t) + off, i as u32);
        }
        // SAFETY: tier 0 exists.
        assert!(unsafe { tiers.release(0, 3) });
        // SAFETY: as above.
        assert!(!unsafe { tiers.release(0, 3) });
        assert_eq!(tiers.acquire(), Some((0, 3)));
        assert_eq!(tiers.len(), n);
    }

    #[test]
    fn each_tier_commits_at_most_one_batch_ahead() {
        let tiers = unbounded(64);
        if tiers.resident_pages().is_none() {
            return; // the heap backend: residency is unknown
        }
        let page = crate::memory::page_size();
        // Through several tiers (64 · (2⁹ - 1) slots), writing nothing: only the batches
        // committed ahead are resident.
        let mut taken = 0;
        while tiers.count() < 10 {
            let (_, _, bits) = tiers.acquire_word().unwrap();
            taken += bits.count_ones() as usize;
        }
        let pages = tiers.resident_pages().unwrap();
        let last = pages.len() - 1;
        for (t, &p) in pages.iter().enumerate() {
            // SAFETY: `t < count`.
            let bytes = unsafe { tiers.tier(t) }.raw.capacity() as usize * 8;
            if t < last {
                // Filled: every page was reached, so every page was committed ahead.
                assert_eq!(p, bytes.div_ceil(page), "tier {t}");
            } else {
                // One word (512 bytes) in use: one batch past it.
                let (low, high) = (DEFAULT_AHEAD / page, DEFAULT_AHEAD / page + 1);
                assert!((low..=high).contains(&p), "tier {t}: {p} pages resident");
            }
        }
        assert_eq!(tiers.len() as usize, taken);
    }

    #[test]
    fn values_above_64_bytes_fault_on_demand_by_default() {
        for (size, ahead) in [(8, DEFAULT_AHEAD), (64, DEFAULT_AHEAD), (72, 0), (256, 0)] {
            let elem = Layout::from_size_align(size, 8).unwrap();
            let tiers = Tiers::new(elem, TierConfig::unbounded(64)).unwrap();
            assert_eq!(tiers.ahead, ahead, "{size}-byte values");
            let config = TierConfig {
                ahead: Some(4096),
                ..TierConfig::unbounded(64)
            };
            assert_eq!(Tiers::new(elem, config).unwrap().ahead, 4096, "asked for");
        }
    }

    #[test]
    fn commit_ahead_can_be_turned_off() {
        let config = TierConfig {
            ahead: Some(0),
            ..TierConfig::unbounded(1 << 12)
        };
        let tiers = Tiers::new(Layout::new::<u64>(), config).unwrap();
        for _ in 0..10 {
            tiers.acquire_word().unwrap();
        }
        if let Some(pages) = tiers.resident_pages() {
            assert_eq!(
                pages.iter().sum::<usize>(),
                0,
                "nothing written, nothing committed"
            );
        }
    }

    #[test]
    fn bounded_is_one_tier_and_reports_full() {
        let config = TierConfig {
            initial: 5,
            prefault: true,
            ..TierConfig::bounded(5)
        };
        let tiers = Tiers::new(Layout::new::<u64>(), config).unwrap();
        for i in 0..5 {
            assert_eq!(tiers.acquire(), Some((0, i)));
        }
        assert_eq!(tiers.acquire(), None);
        // The capacity (5), not the tier's power-of-two span (8).
        assert_eq!(
            tiers.take_grow_error(),
            Some(Error::InvalidCapacity {
                reason: "a bounded allocator does not grow",
                requested: 6,
                maximum: 5,
            })
        );
        assert!(!tiers.contains(5) && tiers.contains(4) && !tiers.contains(u32::MAX));
    }

    #[test]
    fn bad_configs_are_errors() {
        let bad = [
            TierConfig::bounded(0),
            TierConfig {
                initial: 5,
                ..TierConfig::bounded(4)
            },
            TierConfig::unbounded(u32::MAX),
        ];
        for config in bad {
            assert!(matches!(
                Tiers::new(Layout::new::<u64>(), config),
                Err(Error::InvalidCapacity { .. })
            ));
        }
    }

    #[cfg(all(feature = "mmap", target_os = "linux", not(miri)))]
    #[test]
    fn growth_stops_at_the_u32_index_space() {
        use std::string::ToString;
        let tiers = Tiers::new(Layout::new::<u8>(), TierConfig::unbounded(1 << 31)).unwrap();
        tiers.grow(false).unwrap();
        // 2³¹ + (2³¹ - 1): every index below u32::MAX (Key::NONE).
        assert_eq!(tiers.capacity(), u32::MAX);
        assert_eq!(tiers.split(u32::MAX - 1), (1, (1 << 31) - 2));
        let err = tiers.grow(false).unwrap_err();
        assert!(
            err.to_string().contains("u32 index space is exhausted"),
            "{err}"
        );
        let max = u64::from(u32::MAX);
        assert!(
            matches!(err, Error::InvalidCapacity { requested, maximum, .. }
                if requested == max + 1 && maximum == max),
            "the numbers are the store's: {err:?}"
        );
    }
}

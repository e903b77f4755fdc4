//! [`RawSlab`]: the non-generic core every slab in this crate stands on — the occupancy
//! bitmap, the reserved value memory and the live count. It hands out and takes back indices,
//! and it is the one place an index becomes an address ([`RawSlab::slot`]). An address
//! becomes an index here too ([`RawSlab::index_of`]), except for a `Slot`'s pointer in a
//! store of tiers, where `Tiers::locate` finds the tier in its own table of spans (branch
//! free, no tier dereferenced) and divides by the same stride. The typed layers above own
//! the values.

use crate::bitmap::{Bitmap, Mode};
use crate::memory::{MemOptions, Region};
use crate::Error;
use core::alloc::Layout;
use core::cell::Cell;
use core::marker::PhantomData;
use core::ptr::NonNull;

/// What a slab's slots hold, as the raw layer sees it: the layout every slot is made with
/// (its size is the stride between slots) and the type a slot's address points at. Naming
/// the element by a type gives [`RawSlab::slot`] its stride as a constant (a shift or a
/// multiply by an immediate, not a load and a multiply on the path from key to value).
pub(crate) trait Elem {
    /// What a slot's address points at.
    type Value;
    /// One slot: `LAYOUT.size()` bytes apart, each aligned to `LAYOUT.align()`.
    const LAYOUT: Layout;
}

/// Slots of `T`: `T`'s size apart, or for a zero-sized `T` its alignment apart, so that every
/// slot still has its own address (a pointer still names its index).
pub(crate) struct Of<T>(PhantomData<T>);

impl<T> Elem for Of<T> {
    type Value = T;
    const LAYOUT: Layout = {
        let stride = if size_of::<T>() == 0 {
            align_of::<T>()
        } else {
            size_of::<T>()
        };
        // A size that is a multiple of the alignment (both are, for any Rust type) is a valid
        // layout.
        match Layout::from_size_align(stride, align_of::<T>()) {
            Ok(layout) => layout,
            Err(_) => panic!("a type's size is a multiple of its alignment"),
        }
    };
}

/// Index bookkeeping plus value memory for `capacity` slots of one element layout.
///
/// Invariants:
/// - `values` holds `capacity` slots of `elem.size()` bytes each, aligned to `elem.align()`;
///   slot `i` starts at `values.as_ptr() + i * elem.size()`;
/// - `len` equals the number of occupied bits in `bitmap`;
/// - `stride == elem.size()`;
/// - for a slab that commits ahead ([`RawSlab::populate_ahead`]): no slot with a byte at or
///   past `committed` holds a value (its owner hands slots out only through
///   [`RawSlab::acquire_word`], each followed by `populate_ahead`);
/// - the typed layer above keeps: a slot's bytes hold an initialized value exactly while its
///   bit is set (it writes the value right after `acquire`, and moves or drops it out right
///   around `release`).
pub(crate) struct RawSlab {
    bitmap: Bitmap,
    values: Region,
    len: Cell<u32>,
    stride: usize,
    /// Bytes of `values` from the start committed so far, as far as this slab knows: the
    /// pre-faulted part, then what [`RawSlab::populate_ahead`] committed.
    committed: Cell<usize>,
}

impl RawSlab {
    /// Reserves `capacity` slots of `elem`, pre-faulting the first `prefault`; `mode` says
    /// what the bitmap keeps and which free slot comes first.
    pub(crate) fn new(
        capacity: u32,
        prefault: u32,
        elem: Layout,
        mode: Mode,
        opts: MemOptions,
    ) -> Result<RawSlab, Error> {
        if prefault > capacity {
            return Err(Error::InvalidCapacity {
                reason: "the initial capacity exceeds the virtual capacity",
                requested: prefault.into(),
                maximum: capacity.into(),
            });
        }
        let max_slots = (isize::MAX as usize)
            .checked_div(elem.size())
            .unwrap_or(usize::MAX);
        let bytes = (capacity as usize)
            .checked_mul(elem.size())
            .filter(|&b| b <= isize::MAX as usize)
            .ok_or(Error::InvalidCapacity {
                reason: "capacity × element size does not fit the address space",
                requested: capacity.into(),
                maximum: max_slots.min(u32::MAX as usize) as u64,
            })?;
        let values = Region::reserve(bytes, elem.align().max(64).max(opts.align), opts)?;
        let prefaulted = prefault as usize * elem.size();
        // SAFETY: the region is fresh.
        unsafe { values.prefault(0, prefaulted) }?;
        // A locked region is committed whole when it is locked: nothing to commit ahead.
        let committed = if opts.mlock { bytes } else { prefaulted };
        let bitmap = Bitmap::new(capacity, prefault, mode, opts)?;
        Ok(RawSlab {
            bitmap,
            values,
            len: Cell::new(0),
            stride: elem.size(),
            committed: Cell::new(committed),
        })
    }

    /// Takes the lowest free index, or `None` when full.
    #[inline(always)]
    pub(crate) fn acquire(&self) -> Option<u32> {
        let idx = self.bitmap.acquire()?;
        self.len.set(self.len.get() + 1);
        Some(idx as u32)
    }

    /// Takes index `idx`, chosen by the caller; `false` (nothing changes) if it is occupied or
    /// out of range.
    #[inline]
    pub(crate) fn occupy(&self, idx: u32) -> bool {
        let taken = self.bitmap.occupy(idx as usize);
        if taken {
            self.len.set(self.len.get() + 1);
        }
        taken
    }

    /// Takes every free index of the lowest word that has one: `(first index of the word,
    /// bits taken)`, or `None` when full.
    #[inline]
    pub(crate) fn acquire_word(&self) -> Option<(u32, u64)> {
        let (w, bits) = self.bitmap.acquire_word()?;
        self.len.set(self.len.get() + bits.count_ones());
        Some(((w * 64) as u32, bits))
    }

    /// Commits memory ahead of use: once the slots below `upto` reach past the committed
    /// frontier, commits the value bytes from the frontier to `batch` past them, and the
    /// bitmap words that cover them, so the inserts that reach them take no page fault. So
    /// each commit is one whole batch (the fewer commits, the fewer inserts that pay one) and
    /// at most one batch is committed past the slots handed out. A refusal leaves the pages to
    /// fault in on demand. For slabs that hand slots out a word at a time: call it after each
    /// [`RawSlab::acquire_word`], with the word's end.
    ///
    /// # Safety
    /// No slot with a byte at or past the frontier holds a value, and none past `upto` is
    /// occupied (the type invariant for slabs that commit ahead, and `upto` is the end of
    /// the word just taken).
    #[inline]
    pub(crate) unsafe fn populate_ahead(&self, upto: u32, batch: usize) {
        let end = upto as usize * self.stride;
        let frontier = self.committed.get();
        if frontier >= self.values.len() || frontier >= end {
            return;
        }
        // SAFETY: forwarded contract.
        unsafe { self.commit_ahead(frontier, end, (end + batch).min(self.values.len())) };
    }

    /// Commits the value bytes `[frontier, to)` and the bitmap words of the slots in
    /// `[end, to)`, and moves the frontier to `to`.
    ///
    /// # Safety
    /// No slot with a byte at or past `frontier` holds a value, and no slot at or past `end`
    /// is occupied.
    #[cold]
    #[inline(never)]
    unsafe fn commit_ahead(&self, frontier: usize, end: usize, to: usize) {
        // SAFETY: no slot at or past the frontier holds a value (caller contract).
        unsafe { self.values.populate(frontier, to.saturating_sub(frontier)) };
        // Words wholly at or past `end`'s slot: no bit of theirs is set.
        let first_word = (end / self.stride).div_ceil(64);
        let last_word = (to / self.stride).div_ceil(64);
        // SAFETY: as above, those words are all zero.
        unsafe { self.bitmap.populate_words(first_word, last_word) };
        self.committed.set(to.max(frontier));
    }

    /// Gives back every whole page of value memory that no occupied slot touches (a free
    /// slot holds no value: type invariant), keeping the addresses reserved. The frontier moves down to the end of the last occupied slot, so
    /// [`RawSlab::populate_ahead`] commits the given-back tail again as it is reached.
    pub(crate) fn release_free_pages(&self) {
        if self.stride == 0 || self.values.len() == 0 {
            return;
        }
        let stride = self.stride;
        // First byte past the last occupied run seen.
        let mut gap = 0;
        let mut at = 0;
        while let Some(first) = self.bitmap.next_occupied(at) {
            // SAFETY: `gap..first·stride` is the bytes of free slots only (and the end of
            // none that is occupied): no value is there, nothing reads them back.
            unsafe { self.values.decommit(gap, first * stride - gap) };
            match self.bitmap.next_free(first + 1) {
                Some(free) => {
                    gap = free * stride;
                    at = free;
                }
                None => {
                    gap = self.bitmap.capacity() * stride;
                    at = self.bitmap.capacity();
                }
            }
        }
        // SAFETY: as above: every slot from `gap` on is free.
        unsafe { self.values.decommit(gap, self.values.len() - gap) };
        self.committed.set(self.committed.get().min(gap));
    }

    /// Pages of value memory in `[offset, offset + len)` resident in RAM, or `None` where
    /// the backend cannot tell. For tests.
    #[cfg(test)]
    pub(crate) fn resident_pages(&self, offset: usize, len: usize) -> Option<usize> {
        self.values.resident_pages(offset, len)
    }

    /// Frees `idx`; `false` if it was not occupied (or out of range).
    #[inline(always)]
    pub(crate) fn release(&self, idx: u32) -> bool {
        let len = self.len.get();
        // A full slab's freed slot is its only free one, hence the lowest.
        let only_free = len as usize == self.bitmap.capacity();
        let freed = self.bitmap.release(idx as usize, only_free);
        if freed {
            self.len.set(len - 1);
        }
        freed
    }

    /// `true` if, once occupied `idx` is freed, no free index is below it.
    #[inline(always)]
    pub(crate) fn lowest_free_once_released(&self, idx: u32) -> bool {
        self.bitmap.lowest_free_once_released(idx as usize)
    }

    /// `true` if `idx` is occupied.
    #[inline(always)]
    pub(crate) fn contains(&self, idx: u32) -> bool {
        self.bitmap.contains(idx as usize)
    }

    /// Bytes of address space reserved: values and bitmap.
    /// (For the per-thread allocator's `stats`.)
    #[cfg(feature = "std")]
    pub(crate) fn reserved_bytes(&self) -> usize {
        self.values.len() + self.bitmap.reserved_bytes()
    }

    /// Live slots.
    #[inline]
    pub(crate) fn len(&self) -> u32 {
        self.len.get()
    }

    /// Slots reserved.
    #[inline]
    pub(crate) fn capacity(&self) -> u32 {
        self.bitmap.capacity() as u32
    }

    /// Slot `idx`: the one place an index becomes an address. The pointer has the value
    /// region's provenance (writes through it are allowed) and is aligned to `E::LAYOUT`.
    ///
    /// # Safety
    /// - the slab was made with `E::LAYOUT` as its element layout;
    /// - `idx < self.capacity()`.
    #[inline(always)]
    pub(crate) unsafe fn slot<E: Elem>(&self, idx: u32) -> NonNull<E::Value> {
        debug_assert_eq!(
            E::LAYOUT.size(),
            self.stride,
            "a slab read as another element"
        );
        debug_assert!(idx < self.capacity(), "slot {idx} of {}", self.capacity());
        let offset = idx as usize * E::LAYOUT.size();
        // SAFETY: `idx < capacity` and the stride is `E`'s (caller), so `offset` is inside the
        // value region (`capacity × stride` bytes, at most `isize::MAX`: checked in `new`) or,
        // for a stride of 0, is 0; the region's base is non-null, so the sum is too. The
        // base is aligned to at least `E::LAYOUT.align()` and the stride is a multiple of it.
        unsafe { NonNull::new_unchecked(self.values.as_ptr().add(offset)).cast() }
    }

    /// The index of the slot that starts at `addr` (occupied or not), or `None` if `addr` is
    /// not the start of one of this slab's slots. The inverse of [`RawSlab::slot`], for a slab
    /// made with `E::LAYOUT`.
    #[inline]
    pub(crate) fn index_of<E: Elem>(&self, addr: usize) -> Option<u32> {
        debug_assert_eq!(
            E::LAYOUT.size(),
            self.stride,
            "a slab read as another element"
        );
        let stride = E::LAYOUT.size();
        let offset = addr.wrapping_sub(self.values.as_ptr() as usize);
        if stride == 0 || offset >= self.values.len() || offset % stride != 0 {
            return None;
        }
        Some((offset / stride) as u32)
    }

    /// The value region as `(first address, length in bytes)`.
    #[inline]
    pub(crate) fn span(&self) -> (usize, usize) {
        (self.values.as_ptr() as usize, self.values.len())
    }

    /// The bitmap, for iteration.
    #[inline(always)]
    pub(crate) fn bitmap(&self) -> &Bitmap {
        &self.bitmap
    }

    /// Lowest occupied index `>= from`.
    #[inline]
    pub(crate) fn next_occupied(&self, from: u32) -> Option<u32> {
        self.bitmap.next_occupied(from as usize).map(|i| i as u32)
    }

    /// Highest occupied index below `end`.
    #[inline]
    pub(crate) fn prev_occupied_below(&self, end: u32) -> Option<u32> {
        let upto = end.checked_sub(1)?;
        self.bitmap.prev_occupied(upto as usize).map(|i| i as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::page_size;
    #[cfg(all(feature = "mmap", target_os = "linux", not(miri)))]
    use crate::memory::refuse_populate;
    use std::vec::Vec;

    type V = [u64; 8];
    const SIZE: usize = size_of::<V>();

    fn pool(capacity: u32) -> RawSlab {
        RawSlab::new(
            capacity,
            0,
            Of::<V>::LAYOUT,
            Mode::Pool,
            MemOptions::default(),
        )
        .unwrap()
    }

    /// Takes a word and commits ahead after it, as the tiers do; returns the end of the
    /// word in bytes.
    fn take_word(raw: &RawSlab, ahead: usize) -> usize {
        let (first, bits) = raw.acquire_word().unwrap();
        let upto = first + (64 - bits.leading_zeros());
        // SAFETY: every slot was taken here, each word followed by this call.
        unsafe { raw.populate_ahead(upto, ahead) };
        upto as usize * SIZE
    }

    fn write(raw: &RawSlab, idx: u32, v: u64) {
        // SAFETY: made for `V`; `idx` is below the capacity and occupied by the test.
        unsafe { raw.slot::<Of<V>>(idx).write([v; 8]) }
    }

    fn read(raw: &RawSlab, idx: u32) -> u64 {
        // SAFETY: as `write`, and written before.
        unsafe { raw.slot::<Of<V>>(idx).read()[7] }
    }

    #[test]
    fn commits_ahead_by_at_most_one_batch() {
        let ahead = 64 << 10;
        let raw = pool(1 << 16);
        let Some(0) = raw.resident_pages(0, usize::MAX) else {
            return; // the heap backend: residency is unknown
        };
        let page = page_size();
        let mut commits = 0;
        let mut resident = 0;
        for _ in 0..200 {
            let end = take_word(&raw, ahead);
            // The slots handed out are committed before they are used, and nothing past one
            // batch beyond them (no value was written: only the batches are resident).
            assert_eq!(raw.resident_pages(0, end), Some(end.div_ceil(page)));
            assert_eq!(raw.resident_pages(end + ahead, usize::MAX), Some(0));
            let now = raw.resident_pages(0, usize::MAX).unwrap();
            commits += usize::from(now != resident);
            resident = now;
        }
        // 200 words of 64 slots of 64 bytes: 800 KiB, in whole batches (each one batch past
        // the word that reached the frontier, so a word's worth more than a batch).
        let total = 200 * 64 * SIZE;
        assert!(
            (total.div_ceil(ahead + 64 * SIZE)..=total.div_ceil(ahead)).contains(&commits),
            "{commits} commits"
        );
    }

    #[cfg(all(feature = "mmap", target_os = "linux", not(miri)))]
    #[test]
    fn a_refused_commit_leaves_pages_to_fault_on_demand() {
        let ahead = 64 << 10;
        let raw = pool(1 << 14);
        let Some(0) = raw.resident_pages(0, usize::MAX) else {
            return;
        };
        refuse_populate(Some(libc::ENOMEM));
        let end = take_word(&raw, ahead);
        refuse_populate(None);
        assert_eq!(raw.resident_pages(end, ahead), Some(0), "nothing committed");
        // The slots still work: their pages fault in when written.
        for idx in 0..64 {
            write(&raw, idx, idx.into());
        }
        assert_eq!(read(&raw, 63), 63);
    }

    #[cfg(all(feature = "mmap", target_os = "linux", not(miri)))]
    #[test]
    fn a_kernel_without_populate_write_gets_its_pages_touched() {
        let ahead = 64 << 10;
        let raw = pool(1 << 14);
        let Some(0) = raw.resident_pages(0, usize::MAX) else {
            return;
        };
        refuse_populate(Some(libc::EINVAL));
        let end = take_word(&raw, ahead);
        refuse_populate(None);
        let page = page_size();
        assert_eq!(
            raw.resident_pages(end, ahead - page),
            Some((ahead - page) / page),
            "committed by touching"
        );
        for idx in 0..64 {
            write(&raw, idx, idx.into());
        }
        // The touch wrote only zeros, and only past the slots in use.
        assert_eq!(read(&raw, 63), 63);
    }

    /// Every slot taken and written; returns the slab.
    fn full_pool(capacity: u32) -> RawSlab {
        let raw = pool(capacity);
        while raw.len() < capacity {
            take_word(&raw, 64 << 10);
        }
        for idx in 0..capacity {
            write(&raw, idx, idx.into());
        }
        raw
    }

    #[test]
    fn shrink_gives_back_the_pages_above_the_last_live_slot() {
        let capacity = if cfg!(miri) { 256 } else { 1 << 16 };
        let raw = full_pool(capacity);
        let live = capacity / 10;
        for idx in live..capacity {
            assert!(raw.release(idx));
        }
        raw.release_free_pages();
        if let Some(pages) = raw.resident_pages(0, usize::MAX) {
            // The live slots' pages, the last of them partly live; nothing else.
            assert_eq!(pages, (live as usize * SIZE).div_ceil(page_size()));
        }
        for idx in 0..live {
            assert_eq!(read(&raw, idx), u64::from(idx), "live values untouched");
        }
        // The next slots handed out are in given-back pages: they come back as zeros and
        // take values again.
        let end = take_word(&raw, 64 << 10);
        assert!(end > live as usize * SIZE);
        let idx = live.next_multiple_of(64);
        // SAFETY: in the word just taken, never written since the page was given back.
        let fresh = unsafe { raw.slot::<Of<V>>(idx).read() };
        if raw.resident_pages(0, 0).is_some() {
            assert_eq!(fresh, [0; 8]);
        }
        write(&raw, idx, 7);
        assert_eq!(read(&raw, idx), 7);
    }

    #[test]
    fn shrink_keeps_every_page_a_live_slot_touches() {
        let capacity = if cfg!(miri) { 512 } else { 1 << 14 };
        let raw = full_pool(capacity);
        let page = page_size();
        let per_page = (page / SIZE) as u32;
        // Free every slot of the odd pages, and all but one slot of the even ones.
        let kept: Vec<u32> = (0..capacity / per_page)
            .filter(|p| p % 2 == 0)
            .map(|p| p * per_page + p % per_page)
            .collect();
        for idx in 0..capacity {
            if !kept.contains(&idx) {
                assert!(raw.release(idx));
            }
        }
        raw.release_free_pages();
        if let Some(pages) = raw.resident_pages(0, usize::MAX) {
            assert_eq!(pages, kept.len());
        }
        for &idx in &kept {
            assert_eq!(read(&raw, idx), u64::from(idx));
        }
    }
}

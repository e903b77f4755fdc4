//! [`RawSlab`]: the non-generic core every slab in this crate stands on — the occupancy
//! bitmap, the reserved value memory and the live count. It hands out and takes back indices;
//! the typed layers above turn an index into a `*mut T` and own the values.

use crate::bitmap::{Bitmap, Mode};
use crate::memory::{MemOptions, Region};
use crate::Error;
use core::alloc::Layout;
use core::cell::Cell;

/// Index bookkeeping plus value memory for `capacity` slots of one element layout.
///
/// Invariants:
/// - `values` holds `capacity` slots of `elem.size()` bytes each, aligned to `elem.align()`;
///   slot `i` starts at `values.as_ptr() + i * elem.size()`;
/// - `len` equals the number of occupied bits in `bitmap`;
/// - the typed layer above keeps: a slot's bytes hold an initialized value exactly while its
///   bit is set (it writes the value right after `acquire`, and moves or drops it out right
///   around `release`).
pub(crate) struct RawSlab {
    bitmap: Bitmap,
    values: Region,
    len: Cell<u32>,
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
        let values = Region::reserve(bytes, elem.align().max(64), opts)?;
        values.prefault(0, prefault as usize * elem.size())?;
        let bitmap = Bitmap::new(capacity, prefault, mode, opts)?;
        Ok(RawSlab {
            bitmap,
            values,
            len: Cell::new(0),
        })
    }

    /// Takes the lowest free index, or `None` when full.
    #[inline(always)]
    pub(crate) fn acquire(&self) -> Option<u32> {
        let idx = self.bitmap.acquire()?;
        self.len.set(self.len.get() + 1);
        Some(idx as u32)
    }

    /// Takes every free index of the lowest word that has one: `(first index of the word,
    /// bits taken)`, or `None` when full.
    #[inline]
    pub(crate) fn acquire_word(&self) -> Option<(u32, u64)> {
        let (w, bits) = self.bitmap.acquire_word()?;
        self.len.set(self.len.get() + bits.count_ones());
        Some(((w * 64) as u32, bits))
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

    /// Start of slot 0. Writes through it are allowed (allocation provenance).
    #[inline(always)]
    pub(crate) fn base(&self) -> *mut u8 {
        self.values.as_ptr()
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
}

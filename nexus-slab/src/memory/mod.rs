//! Memory reservations: address space reserved up front, committed on demand.
//!
//! One interface, [`Region`], two backends selected here and nowhere else:
//! - `mmap.rs` (Linux with feature `mmap`, not under Miri): anonymous `MAP_NORESERVE` mappings,
//!   so reserving far more than RAM succeeds and pages are committed on first touch;
//!   pre-faulting with `MADV_POPULATE_WRITE`, `MADV_HUGEPAGE`, `mlock`.
//! - `heap.rs` (everywhere else, and always under Miri): one zeroed `std::alloc` block.
//!
//! Invariant of every backend: a `Region`'s bytes are zeroed when reserved, stay at the same
//! address until the `Region` drops, and are readable and writable for `len()` bytes.

#[cfg(all(feature = "mmap", target_os = "linux", not(miri)))]
mod mmap;
#[cfg(all(feature = "mmap", target_os = "linux", not(miri)))]
use mmap as backend;

#[cfg(not(all(feature = "mmap", target_os = "linux", not(miri))))]
mod heap;
#[cfg(not(all(feature = "mmap", target_os = "linux", not(miri))))]
use heap as backend;

use crate::Error;
use core::ptr::NonNull;

/// The size of the pages [`Region::decommit`] gives back and [`Region::prefault`] commits.
#[cfg(test)]
pub(crate) fn page_size() -> usize {
    backend::page_size()
}

/// Makes every later pre-fault on this thread fail as if the kernel returned `errno`
/// (`None`: stop). `EINVAL` is what a kernel without `MADV_POPULATE_WRITE` returns. For tests
/// of the fallbacks (the heap backend never asks the kernel).
#[cfg(all(test, feature = "mmap", target_os = "linux", not(miri)))]
pub(crate) fn refuse_populate(errno: Option<i32>) {
    mmap::tests::REFUSE_POPULATE.set(errno);
}

/// How a reservation should be backed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MemOptions {
    /// Ask for transparent huge pages (best effort: refused advice is not an error).
    pub huge_pages: bool,
    /// Lock the whole region into RAM (commits it); refusal is an error.
    pub mlock: bool,
    /// Align value regions to at least this many bytes (0: only what the values need);
    /// per-thread tiers are aligned to a span-map granule.
    pub align: usize,
}

/// A reserved block of zeroed memory at a fixed address.
///
/// Invariant: `ptr` is aligned to the requested alignment and valid for reads and writes of
/// `len` bytes until drop; when `len == 0`, `ptr` is dangling but aligned and nothing is owned.
pub(crate) struct Region {
    ptr: NonNull<u8>,
    len: usize,
    /// Locked into RAM (`mlock`): [`Region::decommit`] keeps such pages.
    locked: bool,
    inner: backend::Mapping,
}

impl Region {
    /// Reserves `len` zeroed bytes aligned to `align` (a power of two).
    pub(crate) fn reserve(len: usize, align: usize, opts: MemOptions) -> Result<Region, Error> {
        debug_assert!(align.is_power_of_two());
        if len == 0 {
            if opts.mlock {
                // Nothing to lock, but refuse the same way a non-empty region would on a
                // backend that cannot lock, so the option never silently means nothing.
                backend::check_mlock_supported(0)?;
            }
            // An aligned dangling pointer: `align` is a non-zero power of two.
            let ptr = NonNull::new(core::ptr::without_provenance_mut::<u8>(align))
                .unwrap_or(NonNull::dangling());
            return Ok(Region {
                ptr,
                len: 0,
                locked: opts.mlock,
                inner: backend::Mapping::empty(),
            });
        }
        let (ptr, inner) = backend::reserve(len, align, opts)?;
        Ok(Region {
            ptr,
            len,
            locked: opts.mlock,
            inner,
        })
    }

    /// Commits `[offset, offset + len)` now, so first accesses take no page fault.
    /// Clamped to the region. Errors: the kernel refused to commit (e.g. `ENOMEM`).
    ///
    /// # Safety
    /// Every page wholly inside the range holds no value anyone reads back: on kernels
    /// without `MADV_POPULATE_WRITE` the pages are committed by writing a zero to each.
    /// Fresh (never written, or decommitted) memory always qualifies.
    pub(crate) unsafe fn prefault(&self, offset: usize, len: usize) -> Result<(), Error> {
        let Some((start, end)) = self.clamp(offset, len) else {
            return Ok(());
        };
        // SAFETY: `start..end` lies within the region (clamped), which is valid for reads and
        // writes by the type invariant; the caller vouches for the pages' contents.
        unsafe { backend::prefault(self.ptr.as_ptr().add(start), end - start) }
    }

    /// [`Region::prefault`] as a best effort, for memory committed ahead of use: a refusal
    /// (`ENOMEM`, a kernel without `MADV_POPULATE_WRITE` whose fallback also fails) leaves the
    /// pages to fault in on first touch, as they would have anyway.
    ///
    /// # Safety
    /// As [`Region::prefault`].
    pub(crate) unsafe fn populate(&self, offset: usize, len: usize) {
        // SAFETY: forwarded contract.
        if let Err(_refused) = unsafe { self.prefault(offset, len) } {
            // Nothing is lost: the pages are still mapped and fault in on demand.
        }
    }

    /// Gives the whole pages inside `[offset, offset + len)` back to the OS (clamped to the
    /// region); a part-page at either end is kept. The range stays reserved at the same
    /// address; a page given back reads as zeros and is committed again when next touched.
    /// Returns the bytes given back: 0 on the heap backend, which cannot give memory back, and
    /// for a locked region, whose pages stay locked (and resident) until it drops.
    ///
    /// # Safety
    /// No byte of a page wholly inside the range holds anything that will be read back
    /// (no value, no reference into it): after this those bytes are zero.
    pub(crate) unsafe fn decommit(&self, offset: usize, len: usize) -> usize {
        let Some((start, end)) = self.clamp(offset, len).filter(|_| !self.locked) else {
            return 0;
        };
        let page = backend::page_size();
        let base = self.ptr.as_ptr() as usize;
        let first = (base + start).next_multiple_of(page);
        let last = (base + end) & !(page - 1);
        if last <= first {
            return 0;
        }
        // SAFETY: `first..last` is whole pages inside the region (rounded inwards); the
        // caller vouches that nothing in them is read back.
        unsafe { backend::decommit(self.ptr.as_ptr().add(first - base), last - first) }
    }

    /// Pages of `[offset, offset + len)` resident in RAM now, or `None` where the backend
    /// cannot tell (the heap backend). For tests.
    #[cfg(test)]
    pub(crate) fn resident_pages(&self, offset: usize, len: usize) -> Option<usize> {
        let (start, end) = self.clamp(offset, len)?;
        // SAFETY: `start..end` lies within the region.
        unsafe { backend::resident_pages(self.ptr.as_ptr().add(start), end - start) }
    }

    /// `[offset, offset + len)` clamped to the region, `None` when empty.
    fn clamp(&self, offset: usize, len: usize) -> Option<(usize, usize)> {
        let start = offset.min(self.len);
        let end = offset.saturating_add(len).min(self.len);
        (end > start).then_some((start, end))
    }

    /// Start of the region. Writes through it are allowed: it carries the allocation's
    /// provenance, never a shared reference's.
    #[inline(always)]
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Length in bytes.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        if self.len != 0 {
            // SAFETY: `ptr`/`len` are exactly what `backend::reserve` returned for `inner`,
            // and this is the only release of them.
            unsafe { backend::release(self.ptr, self.len, &self.inner) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroed_aligned_and_writable() {
        for align in [8usize, 64, 4096, 1 << 16] {
            let r = Region::reserve(3 * 4096 + 5, align, MemOptions::default()).unwrap();
            assert_eq!(r.as_ptr() as usize % align, 0);
            // SAFETY: fresh memory.
            unsafe { r.prefault(0, r.len()) }.unwrap();
            // SAFETY: the region is valid for `len` bytes.
            let bytes = unsafe { core::slice::from_raw_parts_mut(r.as_ptr(), r.len()) };
            assert!(bytes.iter().all(|&b| b == 0));
            bytes.fill(0xAB);
            assert!(bytes.iter().all(|&b| b == 0xAB));
        }
    }

    #[test]
    fn empty_region_is_aligned() {
        let r = Region::reserve(0, 4096, MemOptions::default()).unwrap();
        assert_eq!(r.as_ptr() as usize % 4096, 0);
        // SAFETY: nothing is there.
        unsafe { r.prefault(0, 100) }.unwrap();
    }

    #[cfg(all(feature = "mmap", target_os = "linux", not(miri)))]
    #[test]
    fn reserves_far_more_than_ram() {
        // 256 GiB of address space on a machine with far less RAM.
        let r = Region::reserve(256 << 30, 64, MemOptions::default()).unwrap();
        // Touch a page in the middle: committed on demand.
        // SAFETY: the offset is inside the region.
        unsafe { r.as_ptr().add(100 << 30).write(1) };
    }

    #[cfg(all(feature = "mmap", target_os = "linux", not(miri)))]
    #[test]
    fn refusal_is_an_error_with_errno() {
        // More than the 47-bit user address space.
        let err = Region::reserve(1 << 50, 64, MemOptions::default())
            .err()
            .unwrap();
        assert!(
            matches!(
                err,
                Error::ReservationRefused {
                    os_error: Some(_),
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

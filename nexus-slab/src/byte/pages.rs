//! Regions and their page pool: where a region's metadata goes, which pages are free (a
//! [`Bitmap`] built in place), what each page is used for (a [`PageDesc`] per page), and
//! first-fit runs of pages (through the [`RunTree`]).
//!
//! ```text
//!  start ┌────────┬────────┬──────────┬─────────────────┬─────┬────────┬────────┬───
//!        │ header │ bitmap │ run tree │ PageDesc × pages│ pad │ page 0 │ page 1 │ …
//!        └────────┴────────┴──────────┴─────────────────┴─────┴────────┴────────┴───
//!                 metadata: ≈ 2.6% of the pages                ↑ aligned to PAGE_SIZE
//! ```
//! Everything the allocator knows lives in the memory it was handed: nothing is allocated,
//! and user memory (the pages) is never read or written by the allocator.

use super::runs::RunTree;
use super::size_class::{CLASS_SIZE, EMPTY_PAGE};
use super::slots::PageSlots;
use super::{AllocError, AllocResult};
use crate::bitmap::Bitmap;
use core::mem::{align_of, size_of};
use core::ptr;

/// Page size: the unit the pool hands out, the span of one class page, and the largest
/// alignment a class slot can have. 4096 is the common MMU page, so a region that is a run of
/// OS pages loses nothing to padding, and a class page indexes at most 512 slots.
pub const PAGE_SIZE: usize = 4096;

/// Most pages one region uses (8 TiB): page counts fit the bitmap's `u32` indices and the
/// run tree's `u32` run lengths with room to spare. A larger region uses its first part.
pub(crate) const MAX_PAGES: usize = 1 << 31;

/// `PageDesc::kind` of a page that is in the pool.
pub(crate) const KIND_FREE: u8 = 0xFF;
/// `PageDesc::kind` of the first page of a large allocation.
pub(crate) const KIND_LARGE: u8 = 0xFE;
/// `PageDesc::kind` of the other pages of a large allocation.
pub(crate) const KIND_LARGE_TAIL: u8 = 0xFD;

/// What one page is used for. Values below `CLASSES` in `kind` are class indices.
///
/// Invariants:
/// - `kind` agrees with the pool bitmap: `KIND_FREE` ⇔ the page's bit is clear;
/// - `page` is the page's address, with the region's provenance, and never changes;
/// - for a class page: `slots` tracks its slots and `live` counts the occupied ones; `next`
///   and `prev` link it into its class's partial list exactly while it is neither full nor
///   the class's current page (null otherwise, and always null for other pages); `slots`
///   means nothing for other pages;
/// - for `KIND_LARGE`: `live` is the run's length in pages; the next `live - 1` descriptors
///   are `KIND_LARGE_TAIL`.
#[repr(C)]
pub(crate) struct PageDesc {
    pub(crate) slots: PageSlots,
    pub(crate) page: *mut u8,
    pub(crate) next: *mut PageDesc,
    pub(crate) prev: *mut PageDesc,
    pub(crate) live: u32,
    pub(crate) kind: u8,
}

/// The head of a region, written at its start.
///
/// Invariants:
/// - `[start, end)` is the caller's range; everything below lies inside it;
/// - `data` is aligned to `PAGE_SIZE`, carries the region's provenance, and
///   `data + pages × PAGE_SIZE <= end`;
/// - `descs` points to `pages` descriptors; `map` indexes `pages` pages (bit set ⇔ the page
///   is not in the pool) over words inside the metadata; `free_pages` counts its clear bits;
/// - `tree` summarizes `map` over `pages` pages (stale leaves marked), in storage inside the
///   metadata;
/// - `next` is the region at the next higher address, or null.
pub(crate) struct RegionHeader {
    pub(crate) next: *mut RegionHeader,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) data: *mut u8,
    pub(crate) pages: usize,
    pub(crate) descs: *mut PageDesc,
    pub(crate) free_pages: usize,
    pub(crate) map: Bitmap,
    tree: RunTree,
}

/// Where the parts of a region go, as offsets from its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) header: usize,
    pub(crate) words: usize,
    pub(crate) tree: usize,
    pub(crate) descs: usize,
    pub(crate) data: usize,
    pub(crate) pages: usize,
}

/// Lays a region `[start, start + size)` out, or says why it cannot hold one page.
pub(crate) fn plan(start: usize, size: usize) -> AllocResult<Plan> {
    let end = start.checked_add(size).ok_or(AllocError::InvalidParam)?;
    if start == 0 {
        return Err(AllocError::InvalidParam);
    }
    let align_up = |x: usize, a: usize| x.checked_add(a - 1).map(|y| y & !(a - 1));
    let header = align_up(start, align_of::<RegionHeader>()).ok_or(AllocError::InvalidParam)?;
    // Every step is checked: a region ending near the top of the address space must get
    // `InvalidParam`, never a wrapped layout.
    let words = header
        .checked_add(size_of::<RegionHeader>())
        .and_then(|x| align_up(x, 8))
        .filter(|&w| w <= end)
        .ok_or(AllocError::InvalidParam)?;
    let layout = |pages: usize| -> Option<(usize, usize, usize)> {
        let tree = align_up(words.checked_add(Bitmap::bytes_needed(pages as u32))?, 8)?;
        let descs = align_up(
            tree.checked_add(RunTree::bytes_needed(pages))?,
            align_of::<PageDesc>(),
        )?;
        let data = align_up(
            descs.checked_add(pages.checked_mul(size_of::<PageDesc>())?)?,
            PAGE_SIZE,
        )?;
        let data_end = data.checked_add(pages.checked_mul(PAGE_SIZE)?)?;
        (data_end <= end).then_some((tree, descs, data))
    };
    // An upper bound from the bytes per page, then down to the first count that fits (the
    // padding makes it at most a couple of steps).
    // In eighths of a byte: a page, its descriptor, its bit in the pool bitmap (the run tree
    // adds less than half a byte per page; the loop below absorbs it).
    let per_page_8ths = 8 * (PAGE_SIZE + size_of::<PageDesc>()) + 1;
    let room = end.saturating_sub(words);
    let mut pages =
        (room / per_page_8ths * 8 + room % per_page_8ths * 8 / per_page_8ths).min(MAX_PAGES);
    loop {
        if pages == 0 {
            return Err(AllocError::InvalidParam);
        }
        if let Some((tree, descs, data)) = layout(pages) {
            return Ok(Plan {
                header: header - start,
                words: words - start,
                tree: tree - start,
                descs: descs - start,
                data: data - start,
                pages,
            });
        }
        pages -= 1;
    }
}

impl RegionHeader {
    /// Writes a region's metadata into it, all pages free, and returns its header.
    ///
    /// # Safety
    /// - `base` is valid for reads and writes of `size` bytes, for as long as the allocator
    ///   that will own the region lives, and nothing else accesses them meanwhile (apart from
    ///   the allocations it hands out);
    /// - `plan == plan(base.addr(), size)`.
    pub(crate) unsafe fn write(base: *mut u8, size: usize, plan: Plan) -> *mut RegionHeader {
        let start = base.addr();
        // SAFETY: every offset of the plan lies inside `[0, size)` (how `plan` lays it out).
        let (header, words, tree, descs, data) = unsafe {
            (
                base.add(plan.header).cast::<RegionHeader>(),
                base.add(plan.words).cast::<u64>(),
                base.add(plan.tree),
                base.add(plan.descs).cast::<PageDesc>(),
                base.add(plan.data),
            )
        };
        // SAFETY: `words` is 8-aligned and covers `bytes_needed(pages)` bytes before `descs`,
        // inside the region, used by nothing else, and alive as long as the header.
        let map = unsafe { Bitmap::in_place(words, plan.pages as u32) };
        // SAFETY: `tree` is 8-aligned and covers `RunTree::bytes_needed(pages)` bytes before
        // `descs`, inside the region, used by nothing else, alive as long as the header.
        let tree = unsafe { RunTree::in_place(tree, plan.pages) };
        for i in 0..plan.pages {
            // SAFETY: descriptor `i` lies inside the region and is aligned (plan); the page
            // pointer stays inside the region (`data + pages × PAGE_SIZE <= end`).
            unsafe {
                descs.add(i).write(PageDesc {
                    slots: PageSlots::FULL,
                    page: data.add(i * PAGE_SIZE),
                    next: ptr::null_mut(),
                    prev: ptr::null_mut(),
                    live: 0,
                    kind: KIND_FREE,
                })
            };
        }
        // SAFETY: the header's place is aligned and inside the region (plan).
        unsafe {
            header.write(RegionHeader {
                next: ptr::null_mut(),
                start,
                end: start + size,
                data,
                pages: plan.pages,
                descs,
                free_pages: plan.pages,
                map,
                tree,
            })
        };
        header
    }

    /// `true` if `[start, end)` shares a byte with this region's range.
    pub(crate) fn overlaps(&self, start: usize, end: usize) -> bool {
        start < self.end && self.start < end
    }

    /// Bytes of pages.
    pub(crate) fn page_bytes(&self) -> usize {
        self.pages * PAGE_SIZE
    }

    /// The descriptor of page `i < pages`.
    #[inline(always)]
    pub(crate) fn desc(&self, i: usize) -> *mut PageDesc {
        debug_assert!(i < self.pages);
        self.descs.wrapping_add(i)
    }

    /// Takes the lowest free page for class `class` and returns its descriptor, reset to
    /// all slots free.
    pub(crate) fn take_class_page(&mut self, class: usize) -> Option<*mut PageDesc> {
        let i = self.map.acquire()?;
        self.tree.mark(i);
        self.free_pages -= 1;
        let d = self.desc(i);
        // SAFETY: `i < pages` (the bitmap's capacity); the descriptor is initialized and only
        // the allocator (through `&mut self`) touches it.
        unsafe {
            debug_assert_eq!((*d).kind, KIND_FREE);
            (*d).kind = class as u8;
            (*d).live = 0;
            (*d).slots = EMPTY_PAGE[class];
            debug_assert!((*d).next.is_null() && (*d).prev.is_null());
        }
        debug_assert!(CLASS_SIZE[class] <= PAGE_SIZE);
        Some(d)
    }

    /// Takes the lowest-addressed run of `n >= 1` free pages whose first page is aligned to
    /// `align` (a power of two, at least `PAGE_SIZE`), marks it as one large allocation, and
    /// returns its first page.
    pub(crate) fn take_run(&mut self, n: usize, align: usize) -> Option<*mut u8> {
        if self.free_pages < n {
            return None;
        }
        self.tree.settle(&self.map);
        let found = if align == PAGE_SIZE {
            self.tree.first_fit(n, &self.map)
        } else {
            self.find_aligned_run(n, align)
        };
        let first = found?;
        for i in first..first + n {
            let fresh = self.map.occupy(i);
            debug_assert!(fresh);
            // SAFETY: `i < pages` (the search stays inside); only the allocator touches it.
            unsafe { (*self.desc(i)).kind = KIND_LARGE_TAIL };
        }
        self.tree.refresh_pages(first, n, &self.map);
        self.free_pages -= n;
        let d = self.desc(first);
        // SAFETY: as above. `n <= pages <= MAX_PAGES`, so it fits a `u32`.
        unsafe {
            (*d).kind = KIND_LARGE;
            (*d).live = n as u32;
            Some((*d).page)
        }
    }

    /// First fit for an alignment above the page size, which the run tree does not know:
    /// walks the free runs upwards from the first page, each step one `next_free` and one
    /// `next_occupied` (O(levels)), skipping full and empty stretches through the bitmap's
    /// summaries. O(free runs below the one it takes).
    fn find_aligned_run(&self, n: usize, align: usize) -> Option<usize> {
        let mut from = 0;
        loop {
            let start = self.map.next_free(from)?;
            let end = self.map.next_occupied(start).unwrap_or(self.pages);
            // First page at or after `start` whose address is aligned.
            let addr = self.data.addr() + start * PAGE_SIZE;
            let skip = (addr.wrapping_neg() & (align - 1)) / PAGE_SIZE;
            if let Some(last) = start.checked_add(skip).and_then(|f| f.checked_add(n)) {
                if last <= end {
                    return Some(start + skip);
                }
            }
            if end >= self.pages {
                return None;
            }
            from = end;
        }
    }

    /// Checks the run tree against the bitmap (tests only).
    #[cfg(test)]
    pub(crate) fn check_tree(&mut self) {
        self.tree.settle(&self.map);
        self.tree.check(&self.map);
    }

    /// Returns page `i` to the pool.
    pub(crate) fn free_page(&mut self, i: usize) {
        let d = self.desc(i);
        // SAFETY: `i < pages`; only the allocator touches descriptors.
        unsafe {
            (*d).kind = KIND_FREE;
            debug_assert!((*d).next.is_null() && (*d).prev.is_null());
        }
        let was_taken = self.map.release(i, false);
        debug_assert!(was_taken);
        self.tree.mark(i);
        self.free_pages += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_fits_metadata_and_pages_inside_the_region() {
        for (start, size) in [
            (0x10_0000, 64 << 20),
            (0x10_0008, 3 * PAGE_SIZE),
            (0x10_0000, 2 * PAGE_SIZE),
            (0x1234_5671, 1 << 30),
        ] {
            let p = plan(start, size).unwrap();
            assert!(p.pages > 0);
            assert_eq!((start + p.data) % PAGE_SIZE, 0);
            assert!(p.header + size_of::<RegionHeader>() <= p.words);
            assert!(p.words + Bitmap::bytes_needed(p.pages as u32) <= p.tree);
            assert!(p.tree + RunTree::bytes_needed(p.pages) <= p.descs);
            assert!(p.descs + p.pages * size_of::<PageDesc>() <= p.data);
            assert!(p.data + p.pages * PAGE_SIZE <= size);
            // Not wasteful: what is left over is less than a page and its descriptor, plus
            // the padding to a page boundary.
            assert!(
                size - (p.data + p.pages * PAGE_SIZE) < 2 * PAGE_SIZE,
                "{p:?}"
            );
        }
    }

    #[test]
    fn plan_near_the_top_of_the_address_space_is_invalid_not_wrapped() {
        for size in [0, 15, 200, 4096] {
            assert_eq!(
                plan(usize::MAX - size, size).err(),
                Some(AllocError::InvalidParam),
                "{size}"
            );
        }
    }

    #[test]
    fn plan_refuses_what_cannot_hold_a_page() {
        assert_eq!(plan(0x10_0000, 0), Err(AllocError::InvalidParam));
        assert_eq!(plan(0x10_0000, PAGE_SIZE), Err(AllocError::InvalidParam));
        // Misaligned: two pages' worth of bytes, but only one page boundary pair inside.
        assert_eq!(
            plan(0x10_0001, PAGE_SIZE + 512),
            Err(AllocError::InvalidParam)
        );
        assert_eq!(plan(0, 1 << 20), Err(AllocError::InvalidParam));
        assert_eq!(plan(usize::MAX - 10, 100), Err(AllocError::InvalidParam));
    }
}

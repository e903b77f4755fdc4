//! [`SlabByteAllocator`]: routes a layout to a size class or to the page pool, keeps each
//! class's current and partial pages, checks every free, and keeps the byte counts.

use super::pages::{self, PageDesc, RegionHeader, KIND_FREE, KIND_LARGE, PAGE_SIZE};
use super::size_class::{class_of, class_of_small, slot_index, CLASSES, CLASS_SIZE, MAX_SMALL};
use super::{AllocError, AllocResult, BaseAllocator, ByteAllocator};
use core::alloc::Layout;
use core::fmt;
use core::ptr::{self, NonNull};

/// The pages one size class allocates from.
///
/// Invariants:
/// - `current` is null or a page of this class; it is never on the partial list;
/// - `partial` heads a doubly linked list (through `PageDesc::next/prev`) of exactly the
///   pages of this class that are neither full nor `current`; each has at least one live slot.
#[derive(Clone, Copy)]
struct Class {
    current: *mut PageDesc,
    partial: *mut PageDesc,
}

impl Class {
    const EMPTY: Class = Class {
        current: ptr::null_mut(),
        partial: ptr::null_mut(),
    };
}

/// A byte allocator over caller-provided regions: 36 size classes of slab pages for requests
/// up to 4096 bytes, runs of 4096-byte pages above (see the [module docs](super)).
///
/// It never allocates: its own state is this struct plus metadata inside the regions. It is
/// `Send` but not `Sync`; for a global allocator wrap it in
/// [`LockedSlabByteAllocator`](super::LockedSlabByteAllocator).
///
/// # Accounting
/// At every moment `total_bytes() == used_bytes() + available_bytes()`:
/// - `total_bytes`: bytes of the pages of every region (what each region holds after its
///   metadata and the padding to a page boundary);
/// - `used_bytes`: what live allocations take: the slot size of its class for a small one,
///   its pages (`⌈size / 4096⌉ × 4096`) for a large one; zero-sized allocations take nothing;
/// - `available_bytes`: the rest: free pages, free slots of class pages, and the few bytes at
///   the end of a class page that no slot fits in. It is not a promise that one allocation of
///   that size succeeds.
///
/// ```
/// # use core::alloc::Layout;
/// # use nexus_slab::byte::{BaseAllocator, ByteAllocator, SlabByteAllocator};
/// # let region = Layout::from_size_align(1 << 16, 4096).unwrap();
/// # let base = unsafe { std::alloc::alloc(region) };
/// # let mut heap = SlabByteAllocator::new();
/// # unsafe { heap.add_memory(base.expose_provenance(), region.size()) }.unwrap();
/// let small = heap.alloc(Layout::from_size_align(1, 1).unwrap()).unwrap();
/// let large = heap.alloc(Layout::from_size_align(5000, 8).unwrap()).unwrap();
/// assert_eq!(heap.used_bytes(), 8 + 2 * 4096); // the smallest class; two whole pages
/// assert_eq!(heap.total_bytes(), heap.used_bytes() + heap.available_bytes());
/// # drop(heap);
/// # unsafe { std::alloc::dealloc(base, region) };
/// ```
///
/// Invariants:
/// - `regions` is null or the lowest-addressed region; the list ascends and never shrinks;
///   no two regions overlap;
/// - `total` is the sum of the regions' page bytes; `used` the sum above over live
///   allocations;
/// - `classes[c]` keeps `Class`'s invariants for class `c`.
pub struct SlabByteAllocator {
    regions: *mut RegionHeader,
    classes: [Class; CLASSES],
    total: usize,
    used: usize,
}

// SAFETY: the allocator owns everything its pointers reach (the regions were handed over for
// its life, with no other user); nothing is tied to a thread.
unsafe impl Send for SlabByteAllocator {}

impl Default for SlabByteAllocator {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for SlabByteAllocator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlabByteAllocator")
            .field("total_bytes", &self.total)
            .field("used_bytes", &self.used)
            .finish_non_exhaustive()
    }
}

/// Why a `dealloc` was refused: the pointer, the layout, and what did not match.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BadDealloc {
    addr: usize,
    layout: Layout,
    why: Why,
}

#[derive(Debug, Clone, Copy)]
enum Why {
    ZeroSized,
    OutsideRegions,
    Metadata,
    FreePage,
    OtherUse { kind: u8 },
    NotSlotStart { slot_size: usize },
    SlotFree { slot: usize, page: usize },
    NotRunStart,
    RunLength { pages: u32 },
}

impl fmt::Display for BadDealloc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (addr, layout) = (self.addr, self.layout);
        write!(
            f,
            "SlabByteAllocator::dealloc({addr:#x}, size {}, align {}): ",
            layout.size(),
            layout.align()
        )?;
        match self.why {
            Why::ZeroSized => f.write_str(
                "a zero-sized layout, but not the dangling pointer alloc returns for one",
            )?,
            Why::OutsideRegions => f.write_str("the address is outside every region")?,
            Why::Metadata => f.write_str("the address is in a region's metadata, not its pages")?,
            Why::FreePage => f.write_str("not allocated: its page is free (double free?)")?,
            Why::OtherUse { kind } => match kind {
                k if (k as usize) < CLASSES => write!(
                    f,
                    "the page holds {}-byte slots, which this layout does not map to \
                     (wrong layout, or a pointer this allocator never handed out)",
                    CLASS_SIZE[k as usize]
                )?,
                _ => f.write_str(
                    "the page belongs to a large allocation, which this layout does not map \
                     to (wrong layout, or a pointer this allocator never handed out)",
                )?,
            },
            Why::NotSlotStart { slot_size } => write!(
                f,
                "not the start of a {slot_size}-byte slot (a pointer this allocator never \
                 handed out)"
            )?,
            Why::SlotFree { slot, page } => write!(
                f,
                "not allocated: slot {slot} of the page at {page:#x} is already free \
                 (double free?)"
            )?,
            Why::NotRunStart => f.write_str(
                "inside a large allocation, not at its start (a pointer this allocator never \
                 handed out)",
            )?,
            Why::RunLength { pages } => write!(
                f,
                "the large allocation there spans {pages} page(s), not what this layout needs \
                 (wrong layout)"
            )?,
        }
        f.write_str("; free each pointer once, with the layout it was allocated with")
    }
}

impl SlabByteAllocator {
    /// An allocator with no memory: every `alloc` fails with [`AllocError::NoMemory`] until
    /// [`BaseAllocator::init`] or [`BaseAllocator::add_memory`] gives it a region.
    ///
    /// ```
    /// use core::alloc::Layout;
    /// use nexus_slab::byte::{AllocError, ByteAllocator, SlabByteAllocator};
    ///
    /// let mut heap = SlabByteAllocator::new();
    /// assert_eq!(heap.total_bytes(), 0);
    /// assert_eq!(heap.alloc(Layout::new::<u8>()), Err(AllocError::NoMemory));
    /// ```
    pub const fn new() -> SlabByteAllocator {
        SlabByteAllocator {
            regions: ptr::null_mut(),
            classes: [Class::EMPTY; CLASSES],
            total: 0,
            used: 0,
        }
    }

    /// Adds the region `[base, base + size)`, keeping `base`'s provenance for every pointer
    /// into it.
    ///
    /// # Safety
    /// As [`BaseAllocator::add_memory`], with `base` carrying the provenance of the range.
    pub(crate) unsafe fn add_region(&mut self, base: *mut u8, size: usize) -> AllocResult {
        let start = base.addr();
        let end = start.saturating_add(size);
        let mut prev: *mut RegionHeader = ptr::null_mut();
        let mut next = self.regions;
        // SAFETY: every region header in the list is initialized and only read here.
        unsafe {
            let mut r = self.regions;
            while !r.is_null() {
                if (*r).overlaps(start, end) {
                    return Err(AllocError::MemoryOverlap);
                }
                if (*r).start < start {
                    prev = r;
                    next = (*r).next;
                }
                r = (*r).next;
            }
        }
        let plan = pages::plan(start, size)?;
        // SAFETY: the caller hands `[base, base + size)` over to us (this function's
        // contract); it overlaps no region we have; `plan` is its layout.
        let header = unsafe { RegionHeader::write(base, size, plan) };
        // SAFETY: `header` was just written; `prev` is null or a live header.
        unsafe {
            (*header).next = next;
            if prev.is_null() {
                self.regions = header;
            } else {
                (*prev).next = header;
            }
            self.total += (*header).page_bytes();
        }
        Ok(())
    }

    /// Frees `pos` like [`ByteAllocator::dealloc`], but reports what the checks catch (a
    /// double free, a pointer it never handed out, a layout of another size class or page
    /// count) as [`AllocError::NotAllocated`] instead of panicking; nothing changes then. A
    /// layout of the same class or page count as the allocation's is not told apart.
    ///
    /// There is no safe twin: freeing a pointer is `unsafe` whichever way it is checked
    /// ([`ByteAllocator::dealloc`] panics where this returns `Err`).
    ///
    /// # Safety
    /// If this returns `Ok`, `pos` was freed: the caller must not use it again.
    /// ```
    /// # use core::alloc::Layout;
    /// # use nexus_slab::byte::{BaseAllocator, ByteAllocator, SlabByteAllocator};
    /// # let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// # let base = unsafe { std::alloc::alloc(region) };
    /// # let mut heap = SlabByteAllocator::new();
    /// # unsafe { heap.add_memory(base.expose_provenance(), region.size()) }.unwrap();
    /// use nexus_slab::byte::AllocError;
    /// let layout = Layout::new::<u64>();
    /// let p = heap.alloc(layout).unwrap();
    /// // SAFETY: `p` is not used after it is freed.
    /// unsafe {
    ///     assert_eq!(heap.try_dealloc(p, layout), Ok(()));
    ///     assert_eq!(heap.try_dealloc(p, layout), Err(AllocError::NotAllocated)); // twice
    /// }
    /// # drop(heap);
    /// # unsafe { std::alloc::dealloc(base, region) };
    /// ```
    pub unsafe fn try_dealloc(&mut self, pos: NonNull<u8>, layout: Layout) -> AllocResult {
        self.dealloc_checked(pos, layout)
            .map_err(|_| AllocError::NotAllocated)
    }

    /// Bytes of the pages that size classes and large allocations hold: what allocations
    /// took from the pool, including free slots and tail bytes of class pages. The
    /// fragmentation of a workload is `live requested bytes / page_bytes_in_use()`.
    ///
    /// ```
    /// # use core::alloc::Layout;
    /// # use nexus_slab::byte::{BaseAllocator, ByteAllocator, SlabByteAllocator};
    /// # let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// # let base = unsafe { std::alloc::alloc(region) };
    /// # let mut heap = SlabByteAllocator::new();
    /// # unsafe { heap.add_memory(base.expose_provenance(), region.size()) }.unwrap();
    /// use nexus_slab::byte::PAGE_SIZE;
    /// assert_eq!(heap.page_bytes_in_use(), 0);
    /// let p = heap.alloc(Layout::new::<u32>()).unwrap(); // takes one page for its class
    /// assert_eq!(heap.page_bytes_in_use(), PAGE_SIZE);
    /// # unsafe { heap.dealloc(p, Layout::new::<u32>()) };
    /// # drop(heap);
    /// # unsafe { std::alloc::dealloc(base, region) };
    /// ```
    pub fn page_bytes_in_use(&self) -> usize {
        let mut free = 0;
        let mut r = self.regions;
        while !r.is_null() {
            // SAFETY: headers in the list are initialized; only read here.
            unsafe {
                free += (*r).free_pages;
                r = (*r).next;
            }
        }
        self.total - free * PAGE_SIZE
    }

    /// The region whose range holds `addr`, or null.
    #[inline(always)]
    fn region_of(&self, addr: usize) -> *mut RegionHeader {
        let mut r = self.regions;
        // SAFETY: headers in the list are initialized; only read here.
        unsafe {
            while !r.is_null() && addr.wrapping_sub((*r).start) >= (*r).end - (*r).start {
                r = (*r).next;
            }
        }
        r
    }

    /// The class path of `alloc`: a slot from the class's current page.
    #[inline(always)]
    fn alloc_small(&mut self, class: usize) -> AllocResult<NonNull<u8>> {
        let d = self.classes[class].current;
        // SAFETY: `current` is null or a live descriptor of this class (Class invariant).
        if d.is_null() || unsafe { (*d).slots.is_full() } {
            return self.alloc_refill(class);
        }
        // SAFETY: `d` is live and not full.
        unsafe { Ok(self.take_slot(d, class)) }
    }

    /// Takes a slot of `d`.
    ///
    /// # Safety
    /// `d` is a live descriptor of a page of `class` that is not full.
    #[inline(always)]
    unsafe fn take_slot(&mut self, d: *mut PageDesc, class: usize) -> NonNull<u8> {
        // SAFETY: `d` is live (caller); descriptors are touched only through `&mut self`.
        unsafe {
            let slot = (*d).slots.take();
            (*d).live += 1;
            self.used += CLASS_SIZE[class];
            // `slot < slots_per_page(class)`, so the slot lies inside the page, and the page
            // pointer (region provenance) is non-null.
            NonNull::new_unchecked((*d).page.add(slot * CLASS_SIZE[class]))
        }
    }

    /// The current page is full or missing: take a partial page, or a fresh one from the
    /// lowest region that has a free page.
    #[cold]
    #[inline(never)]
    fn alloc_refill(&mut self, class: usize) -> AllocResult<NonNull<u8>> {
        let head = self.classes[class].partial;
        let d = if !head.is_null() {
            // SAFETY: `head` is a live descriptor on this class's partial list.
            unsafe { self.unlink_partial(class, head) };
            head
        } else {
            let mut r = self.regions;
            loop {
                if r.is_null() {
                    return Err(AllocError::NoMemory);
                }
                // SAFETY: headers in the list are initialized; `&mut self` makes this the
                // only access.
                if let Some(d) = unsafe { (*r).take_class_page(class) } {
                    break d;
                }
                // SAFETY: as above.
                r = unsafe { (*r).next };
            }
        };
        // The old current page, if any, is full: it leaves every list until a free makes it
        // partial again.
        self.classes[class].current = d;
        // SAFETY: `d` is a live page of this class with a free slot.
        unsafe { Ok(self.take_slot(d, class)) }
    }

    /// Removes `d` from `class`'s partial list.
    ///
    /// # Safety
    /// `d` is on that list.
    unsafe fn unlink_partial(&mut self, class: usize, d: *mut PageDesc) {
        // SAFETY: `d` and its neighbours are live descriptors of the list (caller).
        unsafe {
            let (next, prev) = ((*d).next, (*d).prev);
            if prev.is_null() {
                self.classes[class].partial = next;
            } else {
                (*prev).next = next;
            }
            if !next.is_null() {
                (*next).prev = prev;
            }
            (*d).next = ptr::null_mut();
            (*d).prev = ptr::null_mut();
        }
    }

    /// Pushes `d` on `class`'s partial list.
    ///
    /// # Safety
    /// `d` is a live page of `class`, on no list.
    unsafe fn push_partial(&mut self, class: usize, d: *mut PageDesc) {
        let head = self.classes[class].partial;
        // SAFETY: `d` and `head` (if any) are live descriptors (caller, Class invariant).
        unsafe {
            (*d).next = head;
            (*d).prev = ptr::null_mut();
            if !head.is_null() {
                (*head).prev = d;
            }
        }
        self.classes[class].partial = d;
    }

    /// Large path of `alloc`: a run of pages, first fit by address.
    #[inline(never)]
    fn alloc_pages(&mut self, layout: Layout) -> AllocResult<NonNull<u8>> {
        let n = layout.size().div_ceil(PAGE_SIZE);
        let align = layout.align().max(PAGE_SIZE);
        let mut r = self.regions;
        while !r.is_null() {
            // SAFETY: headers in the list are initialized; `&mut self` makes this the only
            // access.
            if let Some(p) = unsafe { (*r).take_run(n, align) } {
                self.used += n * PAGE_SIZE;
                // SAFETY: a page address inside a region, never null.
                return Ok(unsafe { NonNull::new_unchecked(p) });
            }
            // SAFETY: as above.
            r = unsafe { (*r).next };
        }
        Err(AllocError::NoMemory)
    }

    /// Everything but the common small case: zero-sized, over-aligned, large.
    #[inline(never)]
    fn alloc_other(&mut self, layout: Layout) -> AllocResult<NonNull<u8>> {
        if layout.size() == 0 {
            return Ok(dangling(layout));
        }
        match class_of(layout) {
            Some(class) => self.alloc_small(class),
            None => self.alloc_pages(layout),
        }
    }

    /// Frees `pos` if it is a live allocation of `layout`; otherwise says why, changing
    /// nothing. Safe to call with any pointer: it only reads metadata.
    #[inline]
    pub(crate) fn dealloc_checked(
        &mut self,
        pos: NonNull<u8>,
        layout: Layout,
    ) -> Result<(), BadDealloc> {
        let addr = pos.as_ptr().addr();
        let bad = |why| BadDealloc { addr, layout, why };
        if layout.size() == 0 {
            return if pos == dangling(layout) {
                Ok(())
            } else {
                Err(bad(Why::ZeroSized))
            };
        }
        let class = class_of(layout);
        let r = self.region_of(addr);
        if r.is_null() {
            return Err(bad(Why::OutsideRegions));
        }
        // SAFETY: a live header of our list. Descriptors and headers are touched only through
        // `&mut self`, and the methods called below while this reference lives touch class
        // state and descriptors, never the header.
        let region = unsafe { &mut *r };
        let offset = addr.wrapping_sub(region.data.addr());
        if offset >= region.page_bytes() {
            return Err(bad(Why::Metadata));
        }
        let page = offset / PAGE_SIZE;
        let d = region.desc(page);
        // SAFETY: `page < pages`; descriptors are initialized and touched only through
        // `&mut self`.
        let kind = unsafe { (*d).kind };
        let Some(class) = class else {
            return self.free_run(region, page, layout, addr, kind);
        };
        if kind as usize != class {
            return Err(bad(if kind == KIND_FREE {
                Why::FreePage
            } else {
                Why::OtherUse { kind }
            }));
        }
        let in_page = offset % PAGE_SIZE;
        let slot = slot_index(class, in_page);
        let slot_size = CLASS_SIZE[class];
        // The slot must start exactly here, and lie whole inside the page (not in the tail
        // bytes no slot fits in): `slot < slots_per_page(class)`, without a division.
        if slot * slot_size != in_page || in_page + slot_size > PAGE_SIZE {
            return Err(bad(Why::NotSlotStart { slot_size }));
        }
        // SAFETY: `d` is a live descriptor of a page of `class`; `slot` is one of its slots.
        unsafe {
            let was_full = (*d).slots.is_full();
            if !(*d).slots.give_back(slot) {
                return Err(bad(Why::SlotFree {
                    slot,
                    page: (*d).page.addr(),
                }));
            }
            (*d).live -= 1;
            self.used -= slot_size;
            if d == self.classes[class].current {
                return Ok(());
            }
            let empty = (*d).live == 0;
            match (was_full, empty) {
                // Was on no list; now has a free slot.
                (true, false) => self.push_partial(class, d),
                // Was on no list (a one-slot page); back to the pool.
                (true, true) => region.free_page(page),
                (false, true) => {
                    self.unlink_partial(class, d);
                    region.free_page(page);
                }
                (false, false) => {}
            }
        }
        Ok(())
    }

    /// Large path of `dealloc`: page `page` of `region` must start a run of exactly the pages
    /// `layout` needs.
    #[inline(never)]
    fn free_run(
        &mut self,
        region: &mut RegionHeader,
        page: usize,
        layout: Layout,
        addr: usize,
        kind: u8,
    ) -> Result<(), BadDealloc> {
        let bad = |why| Err(BadDealloc { addr, layout, why });
        let n = layout.size().div_ceil(PAGE_SIZE);
        let d = region.desc(page);
        match kind {
            KIND_FREE => return bad(Why::FreePage),
            KIND_LARGE => {}
            pages::KIND_LARGE_TAIL => return bad(Why::NotRunStart),
            kind => return bad(Why::OtherUse { kind }),
        }
        // SAFETY: `page < pages`; the descriptor is initialized.
        let (run, start) = unsafe { ((*d).live, (*d).page.addr()) };
        if start != addr {
            return bad(Why::NotRunStart);
        }
        if run as usize != n {
            return bad(Why::RunLength { pages: run });
        }
        for i in page..page + n {
            region.free_page(i);
        }
        self.used -= n * PAGE_SIZE;
        Ok(())
    }

    /// Checks the class lists and counts against the bitmaps (tests only).
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        use super::size_class::slots_per_page;
        let mut used = 0;
        let mut total = 0;
        let mut r = self.regions;
        let mut last_end = 0;
        while !r.is_null() {
            // SAFETY: a live header, with no reference to it in use; settling the tree only
            // re-reads the bitmap.
            unsafe { (*r).check_tree() };
            // SAFETY: headers in the list are initialized.
            let region = unsafe { &*r };
            assert!(
                region.start >= last_end,
                "regions out of order or overlapping"
            );
            last_end = region.end;
            total += region.page_bytes();
            let mut free = 0;
            let mut i = 0;
            while i < region.pages {
                // SAFETY: `i < pages`.
                let d = unsafe { &*region.desc(i) };
                assert_eq!(d.kind == KIND_FREE, !region.map.contains(i), "page {i}");
                match d.kind {
                    KIND_FREE => free += 1,
                    KIND_LARGE => {
                        used += d.live as usize * PAGE_SIZE;
                        i += d.live as usize;
                        continue;
                    }
                    k => {
                        let c = k as usize;
                        assert!(c < CLASSES, "page {i} has stray kind {k}");
                        let slots = slots_per_page(c);
                        let live = (0..slots).filter(|&s| d.slots.contains(s)).count();
                        assert_eq!(live, d.live as usize, "page {i}");
                        used += live * CLASS_SIZE[c];
                        let is_current = ptr::eq(d, self.classes[c].current);
                        let listed = self.on_partial_list(c, d);
                        assert_eq!(
                            listed,
                            !is_current && live < slots,
                            "page {i}: class {c} listing"
                        );
                        assert!(is_current || live > 0, "page {i}: empty class page kept");
                    }
                }
                i += 1;
            }
            assert_eq!(free, region.free_pages);
            r = region.next;
        }
        assert_eq!(total, self.total);
        assert_eq!(used, self.used);
    }

    #[cfg(test)]
    fn on_partial_list(&self, class: usize, d: &PageDesc) -> bool {
        let mut p = self.classes[class].partial;
        while !p.is_null() {
            if ptr::eq(p, d) {
                return true;
            }
            // SAFETY: list members are live descriptors.
            p = unsafe { (*p).next };
        }
        false
    }
}

/// The pointer a zero-sized allocation gets: its alignment as an address, no provenance.
#[inline(always)]
fn dangling(layout: Layout) -> NonNull<u8> {
    // SAFETY: an alignment is a non-zero power of two.
    unsafe { NonNull::new_unchecked(ptr::without_provenance_mut(layout.align())) }
}

impl BaseAllocator for SlabByteAllocator {
    /// Adds the first region, like [`BaseAllocator::add_memory`].
    ///
    /// Called again, it adds another region (the same as `add_memory`); nothing is reset.
    ///
    /// # Panics
    /// If `add_memory` would return an error (the region overlaps one the allocator has, as
    /// when `init` is called twice with the same range, or cannot hold a page); call
    /// `add_memory` to handle the error instead.
    ///
    /// Example: [`BaseAllocator::init`].
    #[track_caller]
    unsafe fn init(&mut self, start: usize, size: usize) {
        // SAFETY: the caller's contract is add_memory's.
        if let Err(e) = unsafe { self.add_memory(start, size) } {
            panic!("SlabByteAllocator::init({start:#x}, {size}): {e}");
        }
    }

    /// Adds the region `[start, start + size)`. Its start is rounded up for the metadata and
    /// the first page boundary; its pages' bytes add to [`ByteAllocator::total_bytes`].
    ///
    /// # Errors
    /// [`AllocError::MemoryOverlap`] if it overlaps a region the allocator has;
    /// [`AllocError::InvalidParam`] if it is null, wraps around the address space, or cannot
    /// hold one page plus its metadata. Nothing changes then.
    ///
    /// Example: [`BaseAllocator::add_memory`].
    unsafe fn add_memory(&mut self, start: usize, size: usize) -> AllocResult {
        let base = ptr::with_exposed_provenance_mut::<u8>(start);
        // SAFETY: the caller exposed the range's provenance and hands it over (contract).
        unsafe { self.add_region(base, size) }
    }
}

impl ByteAllocator for SlabByteAllocator {
    /// Allocates `layout`: a slot of a size class up to 4096 bytes (any alignment up to
    /// 4096), whole pages above (any alignment a region can place).
    ///
    /// A zero-sized layout gets a dangling pointer whose address is its alignment; it takes
    /// no memory, and `dealloc` accepts exactly that pointer back.
    ///
    /// # Errors
    /// [`AllocError::NoMemory`] when no free slot or run of pages fits; never panics.
    ///
    /// Example: [`ByteAllocator::alloc`].
    #[inline]
    fn alloc(&mut self, layout: Layout) -> AllocResult<NonNull<u8>> {
        let size = layout.size();
        if size.wrapping_sub(1) < MAX_SMALL && layout.align() <= 8 {
            return self.alloc_small(class_of_small(size));
        }
        self.alloc_other(layout)
    }

    /// Frees an allocation, after checking that `pos` is a live one of `layout`'s size class or
    /// page count.
    ///
    /// # Panics
    /// If `pos` is not a live allocation of `layout` (freed twice, never handed out by this
    /// allocator, or freed with another layout), naming the address and the layout. Nothing
    /// changes before the check, so the allocator stays consistent after the panic.
    ///
    /// Example: [`ByteAllocator::dealloc`].
    #[inline]
    #[track_caller]
    unsafe fn dealloc(&mut self, pos: NonNull<u8>, layout: Layout) {
        if let Err(e) = self.dealloc_checked(pos, layout) {
            bad_dealloc(e)
        }
    }

    /// Bytes of the pages of every region (see [`SlabByteAllocator`]'s accounting).
    ///
    /// Example: [`ByteAllocator::total_bytes`].
    #[inline]
    fn total_bytes(&self) -> usize {
        self.total
    }

    /// Bytes live allocations take: class slot sizes and large allocations' pages.
    ///
    /// Example: [`ByteAllocator::used_bytes`].
    #[inline]
    fn used_bytes(&self) -> usize {
        self.used
    }

    /// `total_bytes() - used_bytes()`: free pages, free slots, class pages' tail bytes.
    ///
    /// Example: [`ByteAllocator::available_bytes`].
    #[inline]
    fn available_bytes(&self) -> usize {
        self.total - self.used
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn bad_dealloc(e: BadDealloc) -> ! {
    panic!("{e}")
}

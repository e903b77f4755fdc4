//! Byte allocators side by side: nexus-slab's [`SlabByteAllocator`] and its peers
//! (`talc`, `buddy_system_allocator`, `linked_list_allocator`) behind one small trait, each
//! over a fresh page-aligned [`Region`]. The workloads that time them are
//! `workloads/byte_churn.rs` and `workloads/byte_mixed.rs`.

use nexus_slab::byte::{BaseAllocator, ByteAllocator, SlabByteAllocator};
use std::alloc::Layout;
use std::ptr::NonNull;

/// One allocator under test, owning the region it was built over.
pub trait BenchAlloc {
    /// Name in tables and charts (at most 16 characters).
    const NAME: &'static str;

    /// An allocator over `[base, base + size)`.
    ///
    /// # Safety
    /// The range is valid for reads and writes, page-aligned, and used by nothing else while
    /// the allocator lives.
    unsafe fn over(base: *mut u8, size: usize) -> Self;

    /// Allocates (`layout.size() > 0`); `None` when out of memory.
    fn alloc(&mut self, layout: Layout) -> Option<NonNull<u8>>;

    /// Frees.
    ///
    /// # Safety
    /// `ptr` is a live allocation of this allocator with `layout`.
    unsafe fn dealloc(&mut self, ptr: NonNull<u8>, layout: Layout);

    /// Bytes the allocator has taken from its region for the live allocations, when it can
    /// tell: nexus-slab, the pages its size classes and large allocations hold
    /// (`page_bytes_in_use`, free slots of class pages included); buddy_system, the blocks it
    /// handed out after rounding up to a power of two (`stats_alloc_actual`). talc and
    /// linked_list keep no such count (`None`).
    fn taken_bytes(&self) -> Option<usize> {
        None
    }
}

/// nexus-slab's byte allocator.
pub struct Nexus(SlabByteAllocator);

impl BenchAlloc for Nexus {
    const NAME: &'static str = "nexus-slab";

    unsafe fn over(base: *mut u8, size: usize) -> Self {
        let mut a = SlabByteAllocator::new();
        // SAFETY: the caller hands the range over; its provenance is exposed here.
        unsafe { a.add_memory(base.expose_provenance(), size) }.expect("region refused");
        Nexus(a)
    }

    #[inline]
    fn alloc(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        self.0.alloc(layout).ok()
    }

    #[inline]
    unsafe fn dealloc(&mut self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller's contract.
        unsafe { self.0.dealloc(ptr, layout) }
    }

    fn taken_bytes(&self) -> Option<usize> {
        Some(self.0.page_bytes_in_use())
    }
}

/// `talc` (dlmalloc-style boundary tags and binned free lists).
pub struct Talc(talc::base::Talc<talc::source::Manual, talc::DefaultBinning>);

impl BenchAlloc for Talc {
    const NAME: &'static str = "talc";

    unsafe fn over(base: *mut u8, size: usize) -> Self {
        let mut t = talc::base::Talc::new(talc::source::Manual);
        // SAFETY: the caller hands the range over.
        unsafe { t.claim(base, size) }.expect("region refused");
        Talc(t)
    }

    #[inline]
    fn alloc(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        // SAFETY: the trait requires a non-zero size.
        unsafe { self.0.allocate(layout) }
    }

    #[inline]
    unsafe fn dealloc(&mut self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller's contract.
        unsafe { self.0.deallocate(ptr.as_ptr(), layout) }
    }
}

/// `buddy_system_allocator` (power-of-two buddies, 32 orders).
pub struct Buddy(buddy_system_allocator::Heap<32>);

impl BenchAlloc for Buddy {
    const NAME: &'static str = "buddy_system";

    unsafe fn over(base: *mut u8, size: usize) -> Self {
        let mut h = buddy_system_allocator::Heap::<32>::new();
        let start = base.expose_provenance();
        // SAFETY: the caller hands the range over; its provenance is exposed.
        unsafe { h.add_to_heap(start, start + size) };
        Buddy(h)
    }

    #[inline]
    fn alloc(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        self.0.alloc(layout).ok()
    }

    #[inline]
    unsafe fn dealloc(&mut self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller's contract.
        unsafe { self.0.dealloc(ptr, layout) }
    }

    fn taken_bytes(&self) -> Option<usize> {
        Some(self.0.stats_alloc_actual())
    }
}

/// `linked_list_allocator` (one address-ordered free list, first fit).
pub struct LinkedList(linked_list_allocator::Heap);

impl BenchAlloc for LinkedList {
    const NAME: &'static str = "linked_list";

    unsafe fn over(base: *mut u8, size: usize) -> Self {
        // SAFETY: the caller hands the range over.
        LinkedList(unsafe { linked_list_allocator::Heap::new(base, size) })
    }

    #[inline]
    fn alloc(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        self.0.allocate_first_fit(layout).ok()
    }

    #[inline]
    unsafe fn dealloc(&mut self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller's contract.
        unsafe { self.0.deallocate(ptr, layout) }
    }
}

/// A page-aligned block from the system allocator, freed on drop.
pub struct Region {
    ptr: *mut u8,
    layout: Layout,
}

impl Region {
    /// `size` bytes, aligned to 4096.
    pub fn new(size: usize) -> Region {
        let layout = Layout::from_size_align(size, 4096).expect("region size");
        // SAFETY: non-zero size.
        let ptr = unsafe { std::alloc::alloc(layout) };
        assert!(!ptr.is_null(), "could not allocate a {size}-byte region");
        Region { ptr, layout }
    }

    /// An allocator of type `A` over this region.
    pub fn allocator<A: BenchAlloc>(&mut self) -> A {
        // SAFETY: the region is valid and page-aligned; `&mut self` keeps it from being given
        // to a second allocator while this one is in use (the caller drops it first).
        unsafe { A::over(self.ptr, self.layout.size()) }
    }

    /// First byte.
    pub fn start(&self) -> usize {
        self.ptr.addr()
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { std::alloc::dealloc(self.ptr, self.layout) }
    }
}

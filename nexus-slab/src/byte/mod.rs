//! A `no_std` byte allocator built from slabs: [`SlabByteAllocator`] serves any [`Layout`]
//! from memory regions the caller hands in, without allocating, so it can be the global
//! allocator ([`LockedSlabByteAllocator`]).
//!
//! # Design
//! ```text
//!  alloc(layout) ──┬─ size 0 ─────────────▶ dangling, aligned pointer (nothing taken)
//!                  ├─ ≤ 4096 B, align ≤ 4096 ─▶ size class (36 of them, size_class.rs)
//!                  │     current page ─▶ lowest free slot in its 512-bit PageSlots (slots.rs)
//!                  │     full? ─▶ a partial page of the class, else a page from the pool
//!                  └─ larger ─────────────▶ a run of pages from the pool (pages.rs)
//!  pool: per region a hierarchical Bitmap over its pages, built in place in the region's
//!        own metadata (single pages: lowest free page), and a run tree (runs.rs) over it:
//!        free pages at each end and longest free run of every power-of-two stretch, so the
//!        lowest run of n free pages is one descent.
//! ```
//! - **Pages** are [`PAGE_SIZE`] (4096) bytes. Each region starts with its metadata (a header,
//!   the pool bitmap, the run tree, one 104-byte descriptor per page: about 2.6% of the
//!   region), then its pages. The allocator never reads or writes the memory it hands out.
//! - **Classes** hold pages; a class page's slots are found by a two-level bitmap in its
//!   descriptor. A page that empties goes back to the pool, except the class's current page,
//!   kept so that alloc/free churn of one size does not bounce a page in and out of the pool
//!   (so each class keeps at most one empty page).
//! - **Large** requests take `⌈size / 4096⌉` pages, aligned to the layout's alignment (any
//!   power of two the region can place). Free runs coalesce by construction: a run is just
//!   clear bits, and clearing a large allocation's bits merges it with its neighbours.
//! - **Checks**: `dealloc` finds the page from the address, then checks that the page's use
//!   agrees with the layout and that the slot (or run) is live. A double free, a pointer it
//!   never handed out, or a layout of another size class or page count panics naming the
//!   address and the layout, before anything changes (a wrong layout of the same class or
//!   page count is not told apart: `dealloc`'s contract requires the allocation's layout); [`SlabByteAllocator::try_dealloc`] reports it as
//!   [`AllocError::NotAllocated`] instead.
//! - **Cost**: alloc and dealloc of a small size are O(1) (a few loads, two bit scans), and
//!   so is moving a page between a class and the pool (it marks one run-tree leaf stale);
//!   dealloc first finds the region, O(regions). A large alloc is O(log pages) plus the stale
//!   leaves it settles and the pages it marks; a large dealloc is O(pages). A large alignment
//!   above 4096 falls back to walking the free runs from the region's start.
//!
//! # Example
//! ```
//! use core::alloc::Layout;
//! use nexus_slab::byte::{BaseAllocator, ByteAllocator, SlabByteAllocator};
//!
//! let layout = Layout::from_size_align(1 << 20, 4096).unwrap();
//! let region = unsafe { std::alloc::alloc(layout) };
//! let mut heap = SlabByteAllocator::new();
//! // SAFETY: the block is ours for the allocator's life, and stays untouched otherwise.
//! unsafe { heap.add_memory(region.expose_provenance(), layout.size()) }.unwrap();
//!
//! let p = heap.alloc(Layout::new::<[u64; 4]>()).unwrap();
//! assert_eq!(heap.used_bytes(), 32);
//! assert_eq!(heap.total_bytes(), heap.used_bytes() + heap.available_bytes());
//! // SAFETY: `p` came from `heap.alloc` with this layout and is freed once.
//! unsafe { heap.dealloc(p, Layout::new::<[u64; 4]>()) };
//! assert_eq!(heap.used_bytes(), 0);
//! # drop(heap);
//! # unsafe { std::alloc::dealloc(region, layout) };
//! ```

mod allocator;
mod global;
mod pages;
mod runs;
mod size_class;
mod slots;
#[cfg(test)]
mod tests;

pub use allocator::SlabByteAllocator;
pub use global::LockedSlabByteAllocator;
pub use pages::PAGE_SIZE;

use core::alloc::Layout;
use core::fmt;
use core::ptr::NonNull;

/// Why an allocator operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocError {
    /// The argument cannot be used: a region that is null, wraps the address space, or is too
    /// small or too misaligned to hold one page plus its metadata.
    InvalidParam,
    /// The region overlaps one the allocator already has.
    MemoryOverlap,
    /// No free memory can satisfy the request (it may fit after frees or `add_memory`).
    NoMemory,
    /// The pointer was not allocated by this allocator with this layout, or was already freed.
    NotAllocated,
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AllocError::InvalidParam => {
                "invalid region: null, wrapping, or too small or misaligned to hold one \
                 4096-byte page plus its metadata"
            }
            AllocError::MemoryOverlap => "the region overlaps one the allocator already has",
            AllocError::NoMemory => {
                "out of memory: no free slot or run of pages fits the request; free memory or \
                 add a region"
            }
            AllocError::NotAllocated => {
                "the pointer was not allocated here with this layout, or was already freed"
            }
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for AllocError {}

/// The result of allocator operations.
pub type AllocResult<T = ()> = Result<T, AllocError>;

/// Giving memory to an allocator.
pub trait BaseAllocator {
    /// Gives the allocator its first region, `[start, start + size)`. There is no safe twin:
    /// only the caller knows the memory is free to hand over.
    ///
    /// # Safety
    /// As [`BaseAllocator::add_memory`].
    ///
    /// ```
    /// use core::alloc::Layout;
    /// use nexus_slab::byte::{BaseAllocator, ByteAllocator, SlabByteAllocator};
    ///
    /// let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// let base = unsafe { std::alloc::alloc(region) };
    /// let mut heap = SlabByteAllocator::new();
    /// // SAFETY: the block is the allocator's alone until it is dropped.
    /// unsafe { heap.init(base.expose_provenance(), region.size()) };
    /// assert!(heap.total_bytes() > 0 && heap.used_bytes() == 0);
    /// drop(heap);
    /// // SAFETY: allocated above with this layout; the allocator is gone.
    /// unsafe { std::alloc::dealloc(base, region) };
    /// ```
    unsafe fn init(&mut self, start: usize, size: usize);

    /// Gives the allocator another region, `[start, start + size)`.
    ///
    /// # Safety
    /// The range must be memory valid for reads and writes, whose address has been exposed
    /// (`ptr.expose_provenance()`, or it comes from outside Rust's abstract machine, like
    /// memory set aside by a linker script), that nothing else uses for as long as the
    /// allocator lives, except through the allocations it hands out.
    ///
    /// There is no safe twin: only the caller knows the memory is free to hand over.
    ///
    /// ```
    /// # use core::alloc::Layout;
    /// # use nexus_slab::byte::{BaseAllocator, ByteAllocator, SlabByteAllocator};
    /// # let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// # let base = unsafe { std::alloc::alloc(region) };
    /// # let mut heap = SlabByteAllocator::new();
    /// # unsafe { heap.add_memory(base.expose_provenance(), region.size()) }.unwrap();
    /// // Two regions; the second overlaps the first and is refused.
    /// let more = unsafe { std::alloc::alloc(region) };
    /// let before = heap.total_bytes();
    /// // SAFETY: a fresh block, the allocator's alone until it is dropped.
    /// unsafe { heap.add_memory(more.expose_provenance(), region.size()) }.unwrap();
    /// assert_eq!(heap.total_bytes(), 2 * before);
    /// let overlap = unsafe { heap.add_memory(more.expose_provenance() + 4096, 4096) };
    /// assert_eq!(overlap, Err(nexus_slab::byte::AllocError::MemoryOverlap));
    /// # drop(heap);
    /// # unsafe { std::alloc::dealloc(more, region) };
    /// # unsafe { std::alloc::dealloc(base, region) };
    /// ```
    unsafe fn add_memory(&mut self, start: usize, size: usize) -> AllocResult;
}

/// Allocating and freeing bytes from the regions a [`BaseAllocator`] was given, and the byte
/// counts of what it holds.
pub trait ByteAllocator: BaseAllocator {
    /// Allocates memory for `layout`: aligned to `layout.align()`, at least
    /// `layout.size()` bytes; [`AllocError::NoMemory`] when nothing free fits.
    ///
    /// ```
    /// # use core::alloc::Layout;
    /// # use nexus_slab::byte::{BaseAllocator, ByteAllocator, SlabByteAllocator};
    /// # let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// # let base = unsafe { std::alloc::alloc(region) };
    /// # let mut heap = SlabByteAllocator::new();
    /// # unsafe { heap.add_memory(base.expose_provenance(), region.size()) }.unwrap();
    /// let big = Layout::from_size_align(8192, 8192).unwrap();
    /// let p = heap.alloc(big).unwrap();
    /// assert_eq!(p.as_ptr() as usize % 8192, 0);
    /// let huge = Layout::from_size_align(1 << 20, 8).unwrap();
    /// assert_eq!(heap.alloc(huge), Err(nexus_slab::byte::AllocError::NoMemory));
    /// # drop(heap);
    /// # unsafe { std::alloc::dealloc(base, region) };
    /// ```
    fn alloc(&mut self, layout: Layout) -> AllocResult<NonNull<u8>>;

    /// Frees memory that [`ByteAllocator::alloc`] returned.
    ///
    /// # Safety
    /// `pos` must have been returned by `alloc` on this allocator with this `layout`, not
    /// freed since, and not be used after this call.
    ///
    /// There is no safe twin; [`SlabByteAllocator::try_dealloc`] returns an error where this
    /// panics.
    ///
    /// ```
    /// # use core::alloc::Layout;
    /// # use nexus_slab::byte::{BaseAllocator, ByteAllocator, SlabByteAllocator};
    /// # let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// # let base = unsafe { std::alloc::alloc(region) };
    /// # let mut heap = SlabByteAllocator::new();
    /// # unsafe { heap.add_memory(base.expose_provenance(), region.size()) }.unwrap();
    /// let layout = Layout::new::<u64>();
    /// let p = heap.alloc(layout).unwrap();
    /// assert_eq!(heap.used_bytes(), 8);
    /// // SAFETY: `p` came from `heap.alloc(layout)` and is freed once.
    /// unsafe { heap.dealloc(p, layout) };
    /// assert_eq!(heap.used_bytes(), 0);
    /// # drop(heap);
    /// # unsafe { std::alloc::dealloc(base, region) };
    /// ```
    unsafe fn dealloc(&mut self, pos: NonNull<u8>, layout: Layout);

    /// Bytes of the pages of every region the allocator has (its metadata excluded): what
    /// allocations can share.
    ///
    /// ```
    /// # use core::alloc::Layout;
    /// # use nexus_slab::byte::{BaseAllocator, ByteAllocator, SlabByteAllocator};
    /// # let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// # let base = unsafe { std::alloc::alloc(region) };
    /// # let mut heap = SlabByteAllocator::new();
    /// # unsafe { heap.add_memory(base.expose_provenance(), region.size()) }.unwrap();
    /// assert!(heap.total_bytes() > 0 && heap.total_bytes() <= 1 << 16);
    /// assert_eq!(heap.total_bytes() % nexus_slab::byte::PAGE_SIZE, 0);
    /// # drop(heap);
    /// # unsafe { std::alloc::dealloc(base, region) };
    /// ```
    fn total_bytes(&self) -> usize;

    /// Bytes taken by live allocations, rounded up to their size class or to whole pages.
    ///
    /// ```
    /// # use core::alloc::Layout;
    /// # use nexus_slab::byte::{BaseAllocator, ByteAllocator, SlabByteAllocator};
    /// # let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// # let base = unsafe { std::alloc::alloc(region) };
    /// # let mut heap = SlabByteAllocator::new();
    /// # unsafe { heap.add_memory(base.expose_provenance(), region.size()) }.unwrap();
    /// let p = heap.alloc(Layout::from_size_align(5, 1).unwrap()).unwrap();
    /// assert!(heap.used_bytes() >= 5);
    /// # unsafe { heap.dealloc(p, Layout::from_size_align(5, 1).unwrap()) };
    /// # drop(heap);
    /// # unsafe { std::alloc::dealloc(base, region) };
    /// ```
    fn used_bytes(&self) -> usize;

    /// `total_bytes() - used_bytes()`: what is left, though not necessarily in one piece.
    ///
    /// ```
    /// # use core::alloc::Layout;
    /// # use nexus_slab::byte::{BaseAllocator, ByteAllocator, SlabByteAllocator};
    /// # let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// # let base = unsafe { std::alloc::alloc(region) };
    /// # let mut heap = SlabByteAllocator::new();
    /// # unsafe { heap.add_memory(base.expose_provenance(), region.size()) }.unwrap();
    /// let before = heap.available_bytes();
    /// let p = heap.alloc(Layout::new::<[u8; 64]>()).unwrap();
    /// assert_eq!(heap.available_bytes(), before - 64);
    /// # unsafe { heap.dealloc(p, Layout::new::<[u8; 64]>()) };
    /// # drop(heap);
    /// # unsafe { std::alloc::dealloc(base, region) };
    /// ```
    fn available_bytes(&self) -> usize;
}

//! [`LockedSlabByteAllocator`]: a [`SlabByteAllocator`] behind a spin lock, as a
//! [`GlobalAlloc`].
//!
//! The lock is a test-and-test-and-set spin lock on one `AtomicBool`: without an OS there is
//! nothing to park a thread on, and the critical sections are short and bounded (a class
//! alloc or free is a few dozen instructions; the longest is a large allocation's page
//! search). It is not fair and not reentrant. The allocator never panics while holding it:
//! a bad `dealloc` releases the lock first, so the panic machinery can still allocate.

use super::allocator::{BadDealloc, SlabByteAllocator};
use super::{AllocResult, BaseAllocator, ByteAllocator};
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicBool, Ordering};

/// A [`SlabByteAllocator`] that can be shared between threads and installed with
/// `#[global_allocator]`.
///
/// ```no_run
/// use core::cell::UnsafeCell;
/// use nexus_slab::byte::LockedSlabByteAllocator;
///
/// const HEAP: usize = 16 << 20;
/// #[repr(C, align(4096))]
/// struct Heap(UnsafeCell<[u8; HEAP]>);
/// // SAFETY: only the allocator touches the bytes, under its lock.
/// unsafe impl Sync for Heap {}
/// static MEMORY: Heap = Heap(UnsafeCell::new([0; HEAP]));
///
/// #[global_allocator]
/// // SAFETY: `MEMORY` is used by nothing but this allocator, for the whole program.
/// static GLOBAL: LockedSlabByteAllocator =
///     unsafe { LockedSlabByteAllocator::with_region(UnsafeCell::raw_get(&MEMORY.0).cast(), HEAP) };
///
/// fn main() {
///     let v: Vec<u32> = (0..1000).collect();
///     assert!(GLOBAL.used_bytes() >= 4000);
/// #   drop(v);
/// }
/// ```
///
/// Invariant: `state` is accessed only by the holder of `locked` (through `Guard`).
pub struct LockedSlabByteAllocator {
    locked: AtomicBool,
    state: UnsafeCell<State>,
}

struct State {
    heap: SlabByteAllocator,
    /// A region given to `with_region`, added on first use.
    pending: Option<(*mut u8, usize)>,
}

// SAFETY: `state` is only reached through the lock, which hands out one `&mut` at a time and
// orders accesses (Acquire on lock, Release on unlock). The pending pointer is memory handed
// over for the program's life, usable from any thread.
unsafe impl Sync for LockedSlabByteAllocator {}
// SAFETY: as above; moving the allocator moves ownership of its regions with it.
unsafe impl Send for LockedSlabByteAllocator {}

impl Default for LockedSlabByteAllocator {
    fn default() -> Self {
        Self::new()
    }
}

/// The lock held: derefs to the allocator; unlocks on drop.
struct Guard<'a> {
    lock: &'a LockedSlabByteAllocator,
}

impl Deref for Guard<'_> {
    type Target = SlabByteAllocator;
    fn deref(&self) -> &SlabByteAllocator {
        // SAFETY: the guard holds the lock (type invariant), so no other reference to the
        // state exists.
        unsafe { &(*self.lock.state.get()).heap }
    }
}

impl DerefMut for Guard<'_> {
    fn deref_mut(&mut self) -> &mut SlabByteAllocator {
        // SAFETY: as in `deref`; `&mut self` makes this the only reference through the guard.
        unsafe { &mut (*self.lock.state.get()).heap }
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.lock.locked.store(false, Ordering::Release);
    }
}

impl LockedSlabByteAllocator {
    /// An allocator with no memory; give it some with [`LockedSlabByteAllocator::add_memory`].
    ///
    /// ```
    /// let heap = nexus_slab::byte::LockedSlabByteAllocator::new();
    /// assert_eq!(heap.total_bytes(), 0);
    /// ```
    pub const fn new() -> LockedSlabByteAllocator {
        LockedSlabByteAllocator {
            locked: AtomicBool::new(false),
            state: UnsafeCell::new(State {
                heap: SlabByteAllocator::new(),
                pending: None,
            }),
        }
    }

    /// An allocator over `[start, start + size)`, added on first use (so it can initialize a
    /// `static`). If the region is refused (too small), allocations fail.
    ///
    /// # Safety
    /// `start` must be valid for reads and writes of `size` bytes for the rest of the program,
    /// and nothing else may use that memory.
    ///
    /// There is no safe twin: [`new`](Self::new) makes an allocator with no memory, which
    /// `unsafe` [`add_memory`](Self::add_memory) then fills.
    ///
    /// ```
    /// use core::alloc::{GlobalAlloc, Layout};
    /// use nexus_slab::byte::LockedSlabByteAllocator;
    ///
    /// let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// let base = unsafe { std::alloc::alloc(region) };
    /// // SAFETY: the block is the allocator's alone until it is dropped.
    /// let heap = unsafe { LockedSlabByteAllocator::with_region(base, region.size()) };
    /// let layout = Layout::new::<u64>();
    /// // SAFETY: `layout` is not zero-sized; `p` is freed once, with it.
    /// unsafe {
    ///     let p = heap.alloc(layout); // the region is added here, on first use
    ///     assert!(!p.is_null() && heap.used_bytes() == 8);
    ///     heap.dealloc(p, layout);
    /// }
    /// drop(heap);
    /// // SAFETY: allocated above with this layout; the allocator is gone.
    /// unsafe { std::alloc::dealloc(base, region) };
    /// ```
    pub const unsafe fn with_region(start: *mut u8, size: usize) -> LockedSlabByteAllocator {
        LockedSlabByteAllocator {
            locked: AtomicBool::new(false),
            state: UnsafeCell::new(State {
                heap: SlabByteAllocator::new(),
                pending: Some((start, size)),
            }),
        }
    }

    /// Adds a region, as [`BaseAllocator::add_memory`].
    ///
    /// # Safety
    /// As [`BaseAllocator::add_memory`], for the life of this allocator.
    ///
    /// There is no safe twin: only the caller knows the memory is free to hand over.
    ///
    /// ```
    /// use core::alloc::{GlobalAlloc, Layout};
    /// use nexus_slab::byte::LockedSlabByteAllocator;
    ///
    /// let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// let base = unsafe { std::alloc::alloc(region) };
    /// let heap = LockedSlabByteAllocator::new();
    /// // SAFETY: the block is the allocator's alone until it is dropped.
    /// unsafe { heap.add_memory(base.expose_provenance(), region.size()) }.unwrap();
    /// assert!(heap.total_bytes() > 0);
    /// # drop(heap);
    /// # unsafe { std::alloc::dealloc(base, region) };
    /// ```
    pub unsafe fn add_memory(&self, start: usize, size: usize) -> AllocResult {
        // SAFETY: the caller's contract.
        unsafe { self.lock().add_memory(start, size) }
    }

    /// [`ByteAllocator::total_bytes`] of the inner allocator.
    ///
    /// ```
    /// # use core::alloc::{GlobalAlloc, Layout};
    /// # use nexus_slab::byte::LockedSlabByteAllocator;
    /// #
    /// # let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// # let base = unsafe { std::alloc::alloc(region) };
    /// # let heap = LockedSlabByteAllocator::new();
    /// # // SAFETY: the block is the allocator's alone until it is dropped.
    /// # unsafe { heap.add_memory(base.expose_provenance(), region.size()) }.unwrap();
    /// assert_eq!(heap.total_bytes(), heap.used_bytes() + heap.available_bytes());
    /// assert!(heap.total_bytes() > 0);
    /// # drop(heap);
    /// # unsafe { std::alloc::dealloc(base, region) };
    /// ```
    pub fn total_bytes(&self) -> usize {
        self.lock().total_bytes()
    }

    /// [`ByteAllocator::used_bytes`] of the inner allocator.
    ///
    /// ```
    /// # use core::alloc::{GlobalAlloc, Layout};
    /// # use nexus_slab::byte::LockedSlabByteAllocator;
    /// #
    /// # let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// # let base = unsafe { std::alloc::alloc(region) };
    /// # let heap = LockedSlabByteAllocator::new();
    /// # // SAFETY: the block is the allocator's alone until it is dropped.
    /// # unsafe { heap.add_memory(base.expose_provenance(), region.size()) }.unwrap();
    /// let layout = Layout::new::<[u8; 32]>();
    /// // SAFETY: not zero-sized; freed once, with its layout.
    /// unsafe {
    ///     let p = heap.alloc(layout);
    ///     assert_eq!(heap.used_bytes(), 32);
    ///     heap.dealloc(p, layout);
    /// }
    /// assert_eq!(heap.used_bytes(), 0);
    /// # drop(heap);
    /// # unsafe { std::alloc::dealloc(base, region) };
    /// ```
    pub fn used_bytes(&self) -> usize {
        self.lock().used_bytes()
    }

    /// [`ByteAllocator::available_bytes`] of the inner allocator.
    ///
    /// ```
    /// # use core::alloc::{GlobalAlloc, Layout};
    /// # use nexus_slab::byte::LockedSlabByteAllocator;
    /// #
    /// # let region = Layout::from_size_align(1 << 16, 4096).unwrap();
    /// # let base = unsafe { std::alloc::alloc(region) };
    /// # let heap = LockedSlabByteAllocator::new();
    /// # // SAFETY: the block is the allocator's alone until it is dropped.
    /// # unsafe { heap.add_memory(base.expose_provenance(), region.size()) }.unwrap();
    /// assert_eq!(heap.available_bytes(), heap.total_bytes()); // nothing allocated yet
    /// # drop(heap);
    /// # unsafe { std::alloc::dealloc(base, region) };
    /// ```
    pub fn available_bytes(&self) -> usize {
        self.lock().available_bytes()
    }

    /// Takes the lock, adding a pending region first.
    #[inline]
    fn lock(&self) -> Guard<'_> {
        if self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_contended();
        }
        let guard = Guard { lock: self };
        // SAFETY: the lock is held.
        if unsafe { (*self.state.get()).pending.is_some() } {
            add_pending(self);
        }
        guard
    }

    /// Spins reading (not writing) the flag until it looks free, then retries.
    #[cold]
    #[inline(never)]
    fn lock_contended(&self) {
        loop {
            while self.locked.load(Ordering::Relaxed) {
                core::hint::spin_loop();
            }
            if self
                .locked
                .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }
}

/// First use: adds the region given to `with_region`. Called with the lock held.
#[cold]
#[inline(never)]
fn add_pending(lock: &LockedSlabByteAllocator) {
    // SAFETY: the caller holds the lock, so this is the only access to the state.
    let state = unsafe { &mut *lock.state.get() };
    if let Some((start, size)) = state.pending.take() {
        // SAFETY: `with_region`'s contract: the memory is ours for the program's life. A
        // refusal leaves the allocator empty; allocations then fail.
        let _ = unsafe { state.heap.add_region(start, size) };
    }
}

// SAFETY: `alloc` returns memory of the layout's size and alignment, or null; `dealloc`
// frees only live allocations (and aborts otherwise); the lock serializes every access.
unsafe impl GlobalAlloc for LockedSlabByteAllocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.lock().alloc(layout) {
            Ok(p) => p.as_ptr(),
            Err(_) => ptr::null_mut(),
        }
    }

    /// Frees `ptr`. A pointer that is not a live allocation of `layout` aborts the process
    /// after printing why: unwinding out of a global allocator is undefined behaviour.
    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some(pos) = NonNull::new(ptr) else {
            return;
        };
        let result = self.lock().dealloc_checked(pos, layout);
        // The guard is dropped: the lock is free before any panic machinery runs.
        if let Err(e) = result {
            abort_bad_dealloc(e)
        }
    }
}

/// Panics with `e` in a way that cannot unwind: the panic hook prints the message, then the
/// panic in `Bomb`'s drop during unwinding aborts.
#[cold]
#[inline(never)]
fn abort_bad_dealloc(e: BadDealloc) -> ! {
    struct Bomb;
    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("aborting: a global allocator must not unwind");
        }
    }
    let _bomb = Bomb;
    panic!("{e}")
}

//! Byte allocators side by side: nexus-slab's [`SlabByteAllocator`] and its peers
//! (`talc`, `buddy_system_allocator`, `linked_list_allocator`) behind one small trait, each
//! over a fresh page-aligned region; workloads that return per-operation cycle samples; and
//! the fragmentation left by the mixed workload.
//!
//! Timing: the time-stamp counter (`lfence; rdtsc; lfence` … `rdtscp; lfence`), read once per
//! batch of operations, the batch's cycles divided by its length. Elsewhere than x86_64 the
//! samples are nanoseconds from `Instant`.

use nexus_slab::byte::{BaseAllocator, ByteAllocator, SlabByteAllocator};
use std::alloc::Layout;
use std::hint::black_box;
use std::ptr::NonNull;

/// One allocator under test, owning the region it was built over.
pub trait BenchAlloc {
    /// Name in reports.
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
    /// tell (pages held, or blocks after rounding).
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
    const NAME: &'static str = "buddy_system_allocator";

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
    const NAME: &'static str = "linked_list_allocator";

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

/// A timestamp taken before a batch.
#[inline(always)]
pub fn start_stamp() -> u64 {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: lfence and rdtsc exist on every x86_64 CPU.
    unsafe {
        use core::arch::x86_64::{_mm_lfence, _rdtsc};
        _mm_lfence();
        let t = _rdtsc();
        _mm_lfence();
        t
    }
    #[cfg(not(target_arch = "x86_64"))]
    fallback_now()
}

/// A timestamp taken after a batch: waits for the batch's instructions to finish.
#[inline(always)]
pub fn stop_stamp() -> u64 {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: rdtscp and lfence exist on every x86_64 CPU this runs on (rdtscp since 2006).
    unsafe {
        use core::arch::x86_64::{__rdtscp, _mm_lfence};
        let mut aux = 0;
        let t = __rdtscp(&mut aux);
        _mm_lfence();
        t
    }
    #[cfg(not(target_arch = "x86_64"))]
    fallback_now()
}

#[cfg(not(target_arch = "x86_64"))]
fn fallback_now() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static T0: OnceLock<Instant> = OnceLock::new();
    T0.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// A xorshift64 generator: deterministic, the same stream for every allocator.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded (any non-zero seed).
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    /// Next value.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Log-uniform size in `8 ..= 16384`: an octave `[8·2^k, 16·2^k)` uniformly, then a size
    /// uniformly inside it.
    #[inline]
    pub fn mixed_size(&mut self) -> usize {
        let r = self.next_u64();
        let lo = 8usize << (r % 11);
        (lo + (r >> 8) as usize % lo).min(16384)
    }
}

/// Operations per timestamp pair.
pub const BATCH: usize = 32;

/// Churn of one size: each sample is the cycles of one alloc + dealloc pair, averaged over a
/// batch of [`BATCH`] allocations followed by their [`BATCH`] frees (in allocation order).
pub fn churn<A: BenchAlloc>(a: &mut A, size: usize, samples: usize) -> Vec<u64> {
    let layout = Layout::from_size_align(size, 8).expect("layout");
    let mut held = [NonNull::<u8>::dangling(); BATCH];
    let mut out = Vec::with_capacity(samples);
    let warmup = samples / 10 + 10;
    for round in 0..warmup + samples {
        let t0 = start_stamp();
        for slot in held.iter_mut() {
            *slot = a.alloc(layout).expect("churn: out of memory");
        }
        for &p in held.iter() {
            // SAFETY: allocated just above with `layout`, freed once.
            unsafe { a.dealloc(black_box(p), layout) };
        }
        let t1 = stop_stamp();
        if round >= warmup {
            out.push((t1 - t0) / BATCH as u64);
        }
    }
    out
}

/// What the mixed workload measured.
pub struct Mixed {
    /// Cycles per alloc + dealloc pair, per batch of [`BATCH`] steps.
    pub samples: Vec<u64>,
    /// Requested bytes of the live allocations at the end.
    pub live_bytes: usize,
    /// Highest end address of a live allocation minus the region's start, at the end.
    pub extent: usize,
    /// What the allocator says it has taken for them ([`BenchAlloc::taken_bytes`]).
    pub taken: Option<usize>,
}

/// Mixed sizes (log-uniform 8 B … 16 KiB) with random lifetimes: fills `live` allocations,
/// then each step frees a random live one and allocates a new random size in its place.
/// Every allocator sees the same sequence.
pub fn mixed<A: BenchAlloc>(
    a: &mut A,
    region_start: usize,
    live: usize,
    steps: usize,
    seed: u64,
) -> Mixed {
    let mut rng = Rng::new(seed);
    let mut held: Vec<(NonNull<u8>, Layout)> = (0..live)
        .map(|_| {
            let l = Layout::from_size_align(rng.mixed_size(), 8).expect("layout");
            (a.alloc(l).expect("mixed: out of memory while filling"), l)
        })
        .collect();
    let mut samples = Vec::with_capacity(steps / BATCH);
    for _ in 0..steps / BATCH {
        let t0 = start_stamp();
        for _ in 0..BATCH {
            let r = rng.next_u64();
            let i = (r >> 32) as usize % live;
            let (p, l) = held[i];
            // SAFETY: a live allocation of `l`, freed once (replaced just below).
            unsafe { a.dealloc(p, l) };
            let l = Layout::from_size_align(rng.mixed_size(), 8).expect("layout");
            held[i] = (a.alloc(l).expect("mixed: out of memory"), l);
        }
        let t1 = stop_stamp();
        samples.push((t1 - t0) / BATCH as u64);
    }
    let live_bytes = held.iter().map(|(_, l)| l.size()).sum();
    let extent = held
        .iter()
        .map(|(p, l)| p.as_ptr().addr() + l.size() - region_start)
        .max()
        .unwrap_or(0);
    let taken = a.taken_bytes();
    for (p, l) in held {
        // SAFETY: live allocations, each freed once.
        unsafe { a.dealloc(p, l) };
    }
    Mixed {
        samples,
        live_bytes,
        extent,
        taken,
    }
}

/// The `q`-quantile (0.0 ..= 1.0) of `samples`, sorting them.
pub fn quantile(samples: &mut [u64], q: f64) -> u64 {
    if samples.is_empty() {
        return 0;
    }
    samples.sort_unstable();
    let i = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[i]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs<A: BenchAlloc>() {
        let mut region = Region::new(64 << 20);
        let start = region.start();
        let mut a: A = region.allocator();
        assert_eq!(churn(&mut a, 64, 20).len(), 20);
        let m = mixed(&mut a, start, 1000, 2000, 7);
        assert_eq!(m.samples.len(), 2000 / BATCH);
        assert!(m.live_bytes > 0 && m.extent >= m.live_bytes);
        drop(a);
    }

    #[test]
    fn every_allocator_runs_every_workload() {
        runs::<Nexus>();
        runs::<Talc>();
        runs::<Buddy>();
        runs::<LinkedList>();
    }

    #[test]
    fn sizes_span_8_to_16k() {
        let mut r = Rng::new(1);
        let sizes: Vec<usize> = (0..10_000).map(|_| r.mixed_size()).collect();
        assert!(sizes.iter().all(|&s| (8..=16384).contains(&s)));
        assert!(sizes.iter().any(|&s| s < 16) && sizes.iter().any(|&s| s > 8192));
    }
}

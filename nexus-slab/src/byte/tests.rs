//! Tests of the byte allocator: a proptest model, bad input, and refused frees. Regions come
//! from `std::alloc` with their provenance exposed, as the `usize` interface requires.

use super::size_class::{class_of, CLASS_SIZE};
use super::*;
use proptest::prelude::*;
use std::alloc::{alloc, dealloc};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::vec::Vec;

/// A page-aligned block from the global allocator, freed on drop.
struct Arena {
    ptr: *mut u8,
    layout: Layout,
}

impl Arena {
    fn new(size: usize) -> Arena {
        let layout = Layout::from_size_align(size, PAGE_SIZE).unwrap();
        // SAFETY: `size > 0` in every test.
        let ptr = unsafe { alloc(layout) };
        assert!(!ptr.is_null());
        Arena { ptr, layout }
    }

    /// The block's address, with its provenance exposed for `add_memory`.
    fn start(&self) -> usize {
        self.ptr.expose_provenance()
    }

    fn size(&self) -> usize {
        self.layout.size()
    }

    fn contains(&self, p: NonNull<u8>, size: usize) -> bool {
        let a = p.as_ptr().addr();
        a >= self.start() && a + size <= self.start() + self.size()
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { dealloc(self.ptr, self.layout) }
    }
}

/// An allocator over a fresh arena of `size` bytes. The arena outlives every use of the
/// allocator in each test (declared first, dropped last).
fn heap(size: usize) -> (Arena, SlabByteAllocator) {
    let arena = Arena::new(size);
    let mut heap = SlabByteAllocator::new();
    // SAFETY: the arena is exposed, valid, and used only through the allocator.
    unsafe { heap.add_memory(arena.start(), arena.size()) }.unwrap();
    (arena, heap)
}

/// Bytes `used_bytes` charges for a live allocation of `layout`.
fn charge(layout: Layout) -> usize {
    match layout.size() {
        0 => 0,
        _ => match class_of(layout) {
            Some(c) => CLASS_SIZE[c],
            None => layout.size().div_ceil(PAGE_SIZE) * PAGE_SIZE,
        },
    }
}

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).unwrap()
}

fn accounting_holds(h: &SlabByteAllocator) {
    assert_eq!(h.total_bytes(), h.used_bytes() + h.available_bytes());
}

/// One live allocation of the model.
struct Live {
    ptr: NonNull<u8>,
    layout: Layout,
    fill: u8,
}

impl Live {
    fn bytes(&self) -> &[u8] {
        // SAFETY: a live allocation of `layout.size()` bytes, owned by the test.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.layout.size()) }
    }

    fn fill(&self) {
        // SAFETY: as above; written through the pointer `alloc` returned.
        unsafe { self.ptr.as_ptr().write_bytes(self.fill, self.layout.size()) }
    }

    fn check(&self) {
        assert!(
            self.bytes().iter().all(|&b| b == self.fill),
            "allocation at {:?} ({:?}) was overwritten: overlap",
            self.ptr,
            self.layout
        );
    }
}

#[derive(Debug, Clone)]
enum Op {
    Alloc { size: usize, align_log: u32 },
    Free { pick: usize },
}

fn op() -> impl Strategy<Value = Op> {
    let max = if cfg!(miri) {
        3 * PAGE_SIZE
    } else {
        20 * PAGE_SIZE
    };
    prop_oneof![
        3 => (1usize..=512, 0u32..=4).prop_map(|(size, align_log)| Op::Alloc { size, align_log }),
        2 => (0usize..=max, 0u32..=13).prop_map(|(size, align_log)| Op::Alloc { size, align_log }),
        4 => any::<usize>().prop_map(|pick| Op::Free { pick }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { nexus_slab_test_support::cases(256) },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_programs_match_the_model(ops in prop::collection::vec(op(), 1..if cfg!(miri) { 40 } else { 400 })) {
        let size = if cfg!(miri) { 24 * PAGE_SIZE } else { 256 * PAGE_SIZE };
        let (arena, mut h) = heap(size);
        let mut live: Vec<Live> = Vec::new();
        let mut used = 0;
        for (step, op) in ops.into_iter().enumerate() {
            match op {
                Op::Alloc { size, align_log } => {
                    let l = layout(size, 1 << align_log);
                    match h.alloc(l) {
                        Ok(p) => {
                            prop_assert_eq!(p.as_ptr().addr() % l.align(), 0, "step {}", step);
                            if size > 0 {
                                prop_assert!(arena.contains(p, size), "step {}: out of the region", step);
                            }
                            let a = Live { ptr: p, layout: l, fill: step as u8 };
                            a.fill();
                            used += charge(l);
                            live.push(a);
                        }
                        Err(e) => {
                            prop_assert_eq!(e, AllocError::NoMemory);
                            // A class request is refused only when no page is free (its
                            // class has no partial page either, or it would have been used).
                            if size > 0 && class_of(l).is_some() {
                                prop_assert_eq!(h.page_bytes_in_use(), h.total_bytes(), "step {}", step);
                            }
                        }
                    }
                }
                Op::Free { pick } => {
                    if !live.is_empty() {
                        let a = live.swap_remove(pick % live.len());
                        a.check();
                        // SAFETY: a live allocation with its layout, freed once.
                        unsafe { h.dealloc(a.ptr, a.layout) };
                        used -= charge(a.layout);
                    }
                }
            }
            prop_assert_eq!(h.used_bytes(), used, "step {}", step);
            accounting_holds(&h);
            h.check_invariants();
            if step % 16 == 0 {
                live.iter().for_each(Live::check);
            }
        }
        for a in live.drain(..) {
            a.check();
            // SAFETY: as above.
            unsafe { h.dealloc(a.ptr, a.layout) };
        }
        prop_assert_eq!(h.used_bytes(), 0);
        h.check_invariants();
        // Only each class's kept current page can remain.
        prop_assert!(h.page_bytes_in_use() <= super::size_class::CLASSES * PAGE_SIZE);
    }
}

#[test]
fn small_and_large_round_trip_with_exact_accounting() {
    let (_arena, mut h) = heap(64 * PAGE_SIZE);
    let total = h.total_bytes();
    assert!((60 * PAGE_SIZE..=64 * PAGE_SIZE).contains(&total));
    assert_eq!(h.used_bytes(), 0);
    let a = h.alloc(layout(24, 8)).unwrap();
    assert_eq!(h.used_bytes(), 24);
    let b = h.alloc(layout(100, 4)).unwrap();
    assert_eq!(h.used_bytes(), 24 + 104);
    let c = h.alloc(layout(3 * PAGE_SIZE + 1, 8)).unwrap();
    assert_eq!(h.used_bytes(), 24 + 104 + 4 * PAGE_SIZE);
    assert_eq!(c.as_ptr().addr() % PAGE_SIZE, 0);
    accounting_holds(&h);
    // SAFETY: each pointer is live, with its layout, freed once.
    unsafe {
        h.dealloc(b, layout(100, 4));
        h.dealloc(c, layout(3 * PAGE_SIZE + 1, 8));
        h.dealloc(a, layout(24, 8));
    }
    assert_eq!(h.used_bytes(), 0);
    assert_eq!(h.available_bytes(), total);
    h.check_invariants();
}

#[test]
fn alignment_up_to_the_page_for_classes_and_beyond_for_pages() {
    let (_arena, mut h) = heap(256 * PAGE_SIZE);
    let mut held = Vec::new();
    for align_log in 0..=15 {
        for size in [1, 7, 24, 100, 1000, 4096, 5000] {
            let l = layout(size, 1 << align_log);
            let p = h.alloc(l).unwrap();
            assert_eq!(p.as_ptr().addr() % l.align(), 0, "{l:?}");
            held.push((p, l));
        }
    }
    accounting_holds(&h);
    for (p, l) in held {
        // SAFETY: live, with its layout, freed once.
        unsafe { h.dealloc(p, l) };
    }
    assert_eq!(h.used_bytes(), 0);
    h.check_invariants();
}

#[test]
fn exhaustion_is_no_memory_and_everything_comes_back() {
    let (_arena, mut h) = heap(32 * PAGE_SIZE);
    assert_eq!(
        h.alloc(layout(h.total_bytes() + 1, 8)),
        Err(AllocError::NoMemory)
    );
    assert_eq!(
        h.alloc(layout(1 << 40, 8)),
        Err(AllocError::NoMemory),
        "bigger than any region"
    );
    let l = layout(PAGE_SIZE, 8);
    let mut held = Vec::new();
    while let Ok(p) = h.alloc(l) {
        held.push(p);
    }
    assert_eq!(held.len() * PAGE_SIZE, h.total_bytes());
    assert_eq!(h.available_bytes(), 0);
    assert_eq!(h.alloc(layout(8, 8)), Err(AllocError::NoMemory));
    assert_eq!(h.alloc(layout(2 * PAGE_SIZE, 8)), Err(AllocError::NoMemory));
    // Free every other page: plenty of bytes, but no two adjacent pages.
    for p in held.iter().step_by(2) {
        // SAFETY: live, with its layout, freed once.
        unsafe { h.dealloc(*p, l) };
    }
    assert_eq!(h.alloc(layout(2 * PAGE_SIZE, 8)), Err(AllocError::NoMemory));
    for p in held.iter().skip(1).step_by(2) {
        // SAFETY: as above.
        unsafe { h.dealloc(*p, l) };
    }
    // Coalesced: one run again, but for the last page, which the 4096-byte class keeps as
    // its current page.
    assert_eq!(h.page_bytes_in_use(), PAGE_SIZE);
    let all = layout(h.total_bytes() - PAGE_SIZE, PAGE_SIZE);
    let p = h.alloc(all).unwrap();
    // SAFETY: as above.
    unsafe { h.dealloc(p, all) };
    assert_eq!(h.used_bytes(), 0);
    h.check_invariants();
}

#[test]
fn empty_class_pages_go_back_to_the_pool() {
    let (_arena, mut h) = heap(64 * PAGE_SIZE);
    let l = layout(64, 8);
    let ptrs: Vec<_> = (0..10 * PAGE_SIZE / 64)
        .map(|_| h.alloc(l).unwrap())
        .collect();
    assert_eq!(h.page_bytes_in_use(), 10 * PAGE_SIZE);
    for p in &ptrs {
        // SAFETY: live, with its layout, freed once.
        unsafe { h.dealloc(*p, l) };
    }
    // The class keeps its current page only.
    assert_eq!(h.page_bytes_in_use(), PAGE_SIZE);
    h.check_invariants();
}

#[test]
fn several_regions_serve_and_take_back() {
    let a1 = Arena::new(8 * PAGE_SIZE);
    let a2 = Arena::new(8 * PAGE_SIZE);
    let mut h = SlabByteAllocator::new();
    // SAFETY: exposed arenas, used only through the allocator, outliving it.
    unsafe {
        h.init(a1.start(), a1.size());
        h.add_memory(a2.start(), a2.size()).unwrap();
    }
    let l = layout(2 * PAGE_SIZE, 8);
    let mut held = Vec::new();
    while let Ok(p) = h.alloc(l) {
        held.push(p);
    }
    assert!(held.iter().any(|&p| a1.contains(p, l.size())));
    assert!(held.iter().any(|&p| a2.contains(p, l.size())));
    accounting_holds(&h);
    h.check_invariants();
    for p in held {
        // SAFETY: live, with its layout, freed once.
        unsafe { h.dealloc(p, l) };
    }
    assert_eq!(h.used_bytes(), 0);
    h.check_invariants();
}

#[test]
fn overlapping_regions_are_refused_and_adjacent_ones_accepted() {
    let arena = Arena::new(32 * PAGE_SIZE);
    let s = arena.start();
    let half = 16 * PAGE_SIZE;
    let mut h = SlabByteAllocator::new();
    // SAFETY: (all) parts of one exposed arena, each handed over at most once.
    unsafe {
        h.add_memory(s, half).unwrap();
        let total = h.total_bytes();
        assert_eq!(h.add_memory(s, half), Err(AllocError::MemoryOverlap));
        assert_eq!(
            h.add_memory(s + half - 1, 4 * PAGE_SIZE),
            Err(AllocError::MemoryOverlap)
        );
        assert_eq!(h.add_memory(s - 8, 16), Err(AllocError::MemoryOverlap));
        assert_eq!(h.total_bytes(), total, "a refusal changes nothing");
        h.add_memory(s + half, half).unwrap();
    }
    h.check_invariants();
}

#[test]
fn unusable_regions_are_invalid_param() {
    let arena = Arena::new(4 * PAGE_SIZE);
    let mut h = SlabByteAllocator::new();
    // SAFETY: (all) an exposed arena; refused regions are never touched.
    unsafe {
        assert_eq!(h.add_memory(0, 1 << 20), Err(AllocError::InvalidParam));
        assert_eq!(
            h.add_memory(arena.start(), 0),
            Err(AllocError::InvalidParam)
        );
        assert_eq!(
            h.add_memory(arena.start(), PAGE_SIZE),
            Err(AllocError::InvalidParam),
            "one page leaves no room for its metadata"
        );
        assert_eq!(
            h.add_memory(arena.start() + 1, PAGE_SIZE + 200),
            Err(AllocError::InvalidParam),
            "misaligned: no whole page after the metadata"
        );
        assert_eq!(
            h.add_memory(usize::MAX - 100, 200),
            Err(AllocError::InvalidParam)
        );
        // Ends exactly at the top of the address space: the layout arithmetic must not wrap
        // (it once did, and wrote outside the region).
        for size in [15, 64, 4096] {
            assert_eq!(
                h.add_memory(usize::MAX - size, size),
                Err(AllocError::InvalidParam),
                "size {size}"
            );
        }
    }
    assert_eq!(h.total_bytes(), 0);
    assert_eq!(h.alloc(layout(8, 8)), Err(AllocError::NoMemory));
}

#[test]
#[should_panic(expected = "overlaps one the allocator already has")]
fn init_twice_with_the_same_region_panics() {
    let arena = Arena::new(8 * PAGE_SIZE);
    let mut h = SlabByteAllocator::new();
    // SAFETY: an exposed arena handed over once (the second call is refused).
    unsafe {
        h.init(arena.start(), arena.size());
        h.init(arena.start(), arena.size());
    }
}

#[test]
fn zero_sized_layouts_get_a_dangling_aligned_pointer_and_take_nothing() {
    let (_arena, mut h) = heap(8 * PAGE_SIZE);
    for align in [1, 8, 64, 1 << 20] {
        let l = layout(0, align);
        let p = h.alloc(l).unwrap();
        assert_eq!(p.as_ptr().addr(), align);
        assert_eq!(h.used_bytes(), 0);
        // SAFETY: returned by alloc for this layout.
        unsafe { h.dealloc(p, l) };
    }
    let real = h.alloc(layout(8, 8)).unwrap();
    // SAFETY: refused without touching anything.
    let refused = unsafe { h.try_dealloc(real, layout(0, 8)) };
    assert_eq!(refused, Err(AllocError::NotAllocated));
    // SAFETY: live, with its layout, freed once.
    unsafe { h.dealloc(real, layout(8, 8)) };
}

/// Runs `bad` (which must panic), then checks the allocator is unchanged and still works.
fn panics_and_stays_consistent(
    h: &mut SlabByteAllocator,
    bad: impl FnOnce(&mut SlabByteAllocator),
) {
    let used = h.used_bytes();
    let err = catch_unwind(AssertUnwindSafe(|| bad(h))).expect_err("should have panicked");
    let msg = err
        .downcast_ref::<std::string::String>()
        .cloned()
        .unwrap_or_default();
    assert!(msg.contains("SlabByteAllocator::dealloc(0x"), "{msg}");
    assert_eq!(h.used_bytes(), used);
    h.check_invariants();
    let p = h.alloc(layout(40, 8)).unwrap();
    // SAFETY: live, with its layout, freed once.
    unsafe { h.dealloc(p, layout(40, 8)) };
}

#[test]
fn bad_frees_panic_without_changing_anything() {
    let (arena, mut h) = heap(32 * PAGE_SIZE);
    let small = layout(48, 8);
    let large = layout(2 * PAGE_SIZE, 8);
    let s = h.alloc(small).unwrap();
    let keep = h.alloc(small).unwrap();
    let g = h.alloc(large).unwrap();
    let keep_large = h.alloc(large).unwrap();
    // SAFETY: (all below) the frees are refused before anything changes; the two real frees
    // are of live allocations with their layouts.
    unsafe {
        h.dealloc(s, small);
        h.dealloc(g, large);
        panics_and_stays_consistent(&mut h, |h| h.dealloc(s, small));
        panics_and_stays_consistent(&mut h, |h| h.dealloc(g, large));
        panics_and_stays_consistent(&mut h, |h| h.dealloc(keep.add(8), small));
        panics_and_stays_consistent(&mut h, |h| h.dealloc(keep, layout(200, 8)));
        panics_and_stays_consistent(&mut h, |h| h.dealloc(keep, large));
        panics_and_stays_consistent(&mut h, |h| h.dealloc(keep_large, small));
        panics_and_stays_consistent(&mut h, |h| h.dealloc(keep_large, layout(PAGE_SIZE * 3, 8)));
        panics_and_stays_consistent(&mut h, |h| h.dealloc(keep_large.add(PAGE_SIZE), large));
        panics_and_stays_consistent(&mut h, |h| {
            h.dealloc(NonNull::new_unchecked(arena.ptr.add(64)), small)
        });
        let outside = NonNull::new_unchecked(std::ptr::without_provenance_mut::<u8>(0x1000));
        panics_and_stays_consistent(&mut h, |h| h.dealloc(outside, small));
        assert_eq!(h.try_dealloc(s, small), Err(AllocError::NotAllocated));
        h.dealloc(keep, small);
        h.dealloc(keep_large, large);
    }
    assert_eq!(h.used_bytes(), 0);
}

#[test]
#[should_panic(expected = "is already free (double free?)")]
fn double_free_of_a_slot_panics() {
    let (_arena, mut h) = heap(8 * PAGE_SIZE);
    let l = layout(32, 8);
    let p = h.alloc(l).unwrap();
    let _other = h.alloc(l).unwrap();
    // SAFETY: the first free is valid; the second is the bug under test, refused before any
    // change.
    unsafe {
        h.dealloc(p, l);
        h.dealloc(p, l);
    }
}

#[test]
#[should_panic(expected = "its page is free (double free?)")]
fn double_free_of_pages_panics() {
    let (_arena, mut h) = heap(8 * PAGE_SIZE);
    let l = layout(3 * PAGE_SIZE, 8);
    let p = h.alloc(l).unwrap();
    // SAFETY: as above.
    unsafe {
        h.dealloc(p, l);
        h.dealloc(p, l);
    }
}

#[test]
#[should_panic(expected = "not the start of a 64-byte slot")]
fn foreign_pointer_inside_a_region_panics() {
    let (_arena, mut h) = heap(8 * PAGE_SIZE);
    let l = layout(64, 8);
    let p = h.alloc(l).unwrap();
    // SAFETY: refused before any change.
    unsafe { h.dealloc(p.add(1), l) };
}

#[test]
fn locked_allocator_serves_threads() {
    use core::alloc::GlobalAlloc;
    let arena = Arena::new(if cfg!(miri) { 64 } else { 1024 } * PAGE_SIZE);
    // SAFETY: the arena outlives the allocator and is used only through it.
    let g = unsafe { LockedSlabByteAllocator::with_region(arena.ptr, arena.size()) };
    let (threads, rounds) = if cfg!(miri) { (2, 20) } else { (4, 5000) };
    std::thread::scope(|s| {
        for t in 0..threads {
            let g = &g;
            s.spawn(move || {
                let mut held = Vec::new();
                for i in 0..rounds {
                    let l = layout(8 + (i * 37 + t * 11) % 6000, 8);
                    // SAFETY: a non-zero-sized layout.
                    let p = unsafe { g.alloc(l) };
                    assert!(!p.is_null());
                    // SAFETY: a fresh allocation of `l.size()` bytes.
                    unsafe { p.write_bytes(t as u8, l.size()) };
                    held.push((p, l));
                    if i % 3 == 0 || held.len() > 64 {
                        let (p, l) = held.swap_remove(i % held.len());
                        // SAFETY: live, ours, with its layout.
                        unsafe {
                            assert_eq!(*p, t as u8);
                            g.dealloc(p, l);
                        }
                    }
                }
                for (p, l) in held {
                    // SAFETY: as above.
                    unsafe { g.dealloc(p, l) };
                }
            });
        }
    });
    assert_eq!(g.used_bytes(), 0);
    assert_eq!(g.total_bytes(), g.used_bytes() + g.available_bytes());
}

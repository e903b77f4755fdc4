//! `LockedSlabByteAllocator` as the program's global allocator, over a static 64 MiB region:
//! collections grow and drop, threads share it, and the accounting holds afterwards.
//!
//! Runs without the libtest harness (`harness = false`), so no other thread allocates while
//! the accounting is compared.

use nexus_slab::byte::{LockedSlabByteAllocator, PAGE_SIZE};
use nexus_slab_test_support::Rng;
use std::cell::UnsafeCell;
use std::collections::{BTreeMap, HashMap};

const ARENA_SIZE: usize = 64 << 20;

/// The heap: page-aligned bytes in a `static`, reached only through the allocator.
#[repr(C, align(4096))]
struct Arena(UnsafeCell<[u8; ARENA_SIZE]>);

// SAFETY: the bytes are handed to the allocator, which serializes every access with its lock.
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena(UnsafeCell::new([0; ARENA_SIZE]));

#[global_allocator]
// SAFETY: `ARENA` is valid for the whole program and used by nothing but this allocator.
static GLOBAL: LockedSlabByteAllocator = unsafe {
    LockedSlabByteAllocator::with_region(UnsafeCell::raw_get(&ARENA.0).cast(), ARENA_SIZE)
};

fn check_identity(when: &str) {
    let (total, used, available) = (
        GLOBAL.total_bytes(),
        GLOBAL.used_bytes(),
        GLOBAL.available_bytes(),
    );
    assert_eq!(total, used + available, "{when}: total != used + available");
    // Only the metadata and the padding to a page boundary are missing from the total.
    assert!(
        (ARENA_SIZE / 100 * 97..=ARENA_SIZE).contains(&total),
        "{when}: total {total}"
    );
}

/// `count` natively, a 200th of it (at least 8) under Miri, where each allocation is slow.
fn n(count: u64) -> u64 {
    if cfg!(miri) {
        (count / 200).max(8)
    } else {
        count
    }
}

/// Grows and drops the usual collections; returns a checksum so nothing is optimized out.
fn workload(seed: u64, scale: u64) -> u64 {
    let mut sum = 0u64;
    let mut rng = nexus_slab_test_support::rng(seed | 1);
    let mut next = move || rng.next_u64();
    // Vec growth by doubling, through every class and into pages.
    let mut v: Vec<u64> = Vec::new();
    for i in 0..n(40_000 * scale) {
        v.push(i);
    }
    sum += v.iter().sum::<u64>();
    drop(v);
    // Many small strings.
    let mut strings: Vec<String> = (0..n(4_000 * scale))
        .map(|i| format!("string number {i}"))
        .collect();
    for s in strings.iter_mut().step_by(3) {
        s.push_str(" grown past its first capacity, into a larger class");
    }
    sum += strings.iter().map(|s| s.len() as u64).sum::<u64>();
    strings.retain(|s| s.len() % 2 == 0);
    drop(strings);
    // A BTreeMap of boxed slices of random sizes, half removed, then cleared.
    let mut tree = BTreeMap::new();
    for i in 0..n(2_000 * scale) {
        let len = (next() % 3000) as usize;
        tree.insert(i, vec![i as u8; len].into_boxed_slice());
    }
    for i in (0..n(2_000 * scale)).step_by(2) {
        tree.remove(&i);
    }
    sum += tree.values().map(|b| b.len() as u64).sum::<u64>();
    tree.clear();
    // A HashMap growing through its rehashes, with values of pages.
    let mut map: HashMap<u64, Vec<u8>> = HashMap::new();
    for i in 0..n(10_000 * scale) {
        let len = if i % 500 == 0 {
            3 * PAGE_SIZE + 17
        } else {
            (i % 64) as usize
        };
        map.insert(next(), vec![7; len]);
    }
    sum += map.values().map(|v| v.len() as u64).sum::<u64>();
    drop(map);
    sum
}

fn main() {
    // The first allocation (std's runtime set-up) already added the region.
    check_identity("at start");
    let baseline = GLOBAL.used_bytes();

    let sum = workload(0x9E37_79B9_7F4A_7C15, 5);
    assert!(sum > 0);
    check_identity("after the single-threaded workload");
    assert_eq!(
        GLOBAL.used_bytes(),
        baseline,
        "every byte the workload allocated must come back"
    );

    // Threads share the allocator through its spin lock.
    let handles: Vec<_> = (0..4u64)
        .map(|t| std::thread::spawn(move || workload(t + 1, 2)))
        .collect();
    for h in handles {
        assert!(h.join().expect("worker panicked") > 0);
    }
    check_identity("after the threads");

    // Out of memory is a null pointer (so `try_reserve` fails), never a crash.
    let mut huge: Vec<u8> = Vec::new();
    assert!(huge.try_reserve_exact(ARENA_SIZE).is_err());
    check_identity("after a refused allocation");
    println!(
        "byte_global_alloc: ok (used {} of {} bytes; baseline {baseline})",
        GLOBAL.used_bytes(),
        GLOBAL.total_bytes()
    );
}

//! `Arena`: stable addresses across growth, every value dropped once (at drop and at reset),
//! panicking `Drop` during reset, zero-sized values, bad capacities.

use super::Arena;
use crate::Error;
use nexus_slab_test_support::{panic_message, tracked};
use std::cell::Cell;
use std::rc::Rc;
use std::string::String;
use std::vec::Vec;

#[test]
fn addresses_survive_growth_and_values_drop_with_the_arena() {
    let drops = Rc::new(Cell::new(0));
    let n = if cfg!(miri) { 100 } else { 10_000 };
    {
        let arena = Arena::with_chunk_capacity(4);
        let refs: Vec<&mut _> = (0..n)
            .map(|_| arena.alloc(tracked(&drops, false)))
            .collect();
        let first: *const _ = &*refs[0];
        let capacity = arena.capacity();
        let more: Vec<&mut _> = (0..n)
            .map(|_| arena.alloc(tracked(&drops, false)))
            .collect();
        assert!(arena.capacity() > capacity, "grew");
        assert!(std::ptr::eq(&*refs[0], first));
        let mut addrs: Vec<usize> = refs
            .iter()
            .chain(&more)
            .map(|r| &**r as *const _ as usize)
            .collect();
        addrs.sort_unstable();
        addrs.dedup();
        assert_eq!(addrs.len(), 2 * n, "every value its own slot");
        assert_eq!(arena.len() as usize, 2 * n);
        assert_eq!(drops.get(), 0);
    }
    assert_eq!(drops.get(), 2 * n, "each dropped once with the arena");
}

#[test]
fn reset_drops_everything_and_reuses_the_memory() {
    let drops = Rc::new(Cell::new(0));
    let mut arena = Arena::with_chunk_capacity(8);
    for _ in 0..20 {
        arena.alloc(tracked(&drops, false));
    }
    let capacity = arena.capacity();
    arena.reset();
    assert_eq!((drops.get(), arena.len()), (20, 0));
    for _ in 0..20 {
        arena.alloc(tracked(&drops, false));
    }
    assert_eq!(
        arena.capacity(),
        capacity,
        "no new tier: the memory was reused"
    );
    drop(arena);
    assert_eq!(drops.get(), 40);
}

#[test]
fn len_counts_values_not_the_slots_taken_ahead_and_zero_sized_values_get_addresses() {
    // The arena takes a bitmap word of slots at a time: `len` must not count the ones not
    // yet handed out, and a run of zero-sized values still steps by its stride.
    let arena = Arena::with_chunk_capacity(256);
    let mut addrs = Vec::new();
    for i in 0..200u32 {
        addrs.push(arena.alloc(i) as *const u32 as usize);
        assert_eq!(arena.len(), i + 1);
    }
    assert!(addrs.windows(2).all(|w| w[1] > w[0]), "in address order");
    let zst = Arena::with_chunk_capacity(128);
    let z: Vec<usize> = (0..100)
        .map(|_| zst.alloc(()) as *const () as usize)
        .collect();
    let mut sorted = z.clone();
    sorted.dedup();
    assert_eq!((sorted.len(), zst.len()), (100, 100));
}

#[test]
fn a_panicking_drop_in_reset_still_drops_the_rest() {
    let drops = Rc::new(Cell::new(0));
    let mut arena = Arena::with_chunk_capacity(4);
    for i in 0..10 {
        arena.alloc(tracked(&drops, i == 3));
    }
    let msg = panic_message(|| arena.reset());
    assert!(msg.contains("on purpose"), "{msg}");
    assert_eq!((drops.get(), arena.len()), (10, 0));
    arena.alloc(tracked(&drops, false));
    assert_eq!(arena.len(), 1, "usable after the panic");
}

#[test]
fn zero_sized_values_and_bad_capacities() {
    let arena = Arena::new();
    let a: *const () = arena.alloc(());
    let b: *const () = arena.alloc(());
    assert_ne!(a, b, "each its own address");
    assert!(matches!(
        Arena::<u8>::try_with_chunk_capacity(0),
        Err(Error::InvalidCapacity { .. })
    ));
    let msg = panic_message(|| drop(Arena::<u8>::with_chunk_capacity(0)));
    assert!(msg.contains("Arena::with_chunk_capacity(0)"), "{msg}");
    assert_eq!(
        std::format!("{:?}", Arena::<u8>::with_chunk_capacity(4)),
        "Arena { len: 0, capacity: 4, .. }"
    );
}

// The arena mode of the other slabs: `Slot::into_mut`, `alloc` / `try_alloc`.

#[test]
fn a_direct_slab_in_arena_mode_drops_its_values_with_it_and_no_key_reaches_them() {
    use crate::bounded::BoundedSlab;
    use crate::unbounded::UnboundedSlab;
    let drops = Rc::new(Cell::new(0));
    {
        let slab = BoundedSlab::with_capacity(2);
        let a = slab.alloc(tracked(&drops, false));
        let key = slab.insert(tracked(&drops, false)).leak();
        let b = match slab.try_alloc(tracked(&drops, false)) {
            Ok(_) => panic!("the slab is full"),
            Err(crate::Full(v)) => v,
        };
        drop(b);
        assert_eq!(drops.get(), 1, "the value handed back is the caller's");
        let mut access = slab.access();
        assert!(access.get(key).is_some(), "a key-owned slot is reachable");
        for k in 0..2 {
            let k = crate::Key::new(k);
            if k != key {
                assert!(access.get(k).is_none(), "an arena value is not key-owned");
                assert!(access.reclaim(k).is_none());
            }
        }
        drop(access);
        a.explode = false; // a plain `&mut`, usable beside the slab's other calls
        assert_eq!(slab.len(), 2);
    }
    assert_eq!(drops.get(), 3, "both values dropped with the slab");

    let slab = UnboundedSlab::with_chunk_capacity(2);
    let refs: Vec<&mut u32> = (0..50).map(|i| slab.alloc(i)).collect();
    let sum: u32 = refs.iter().map(|r| **r).sum();
    assert_eq!(sum, 49 * 50 / 2);
    assert_eq!(slab.len(), 50);
}

crate::create_allocator!(static_arena, String);

#[test]
#[cfg_attr(miri, ignore = "values allocated for good are, by design, never freed")]
fn a_per_thread_arena_value_is_static_and_keeps_the_allocator_live() {
    let value: &'static mut String = std::thread::spawn(|| {
        static_arena::init().bounded(2).build();
        let v = static_arena::alloc(String::from("kept"));
        let other = static_arena::insert(String::from("freed"));
        assert_eq!(static_arena::stats().live, 2);
        drop(other);
        assert!(static_arena::shutdown().is_err(), "the arena value is live");
        assert!(static_arena::reclaim(crate::Key::new(0)).is_none());
        assert!(static_arena::try_alloc(String::from("a")).is_ok());
        let full = static_arena::try_alloc(String::from("b")).unwrap_err();
        assert_eq!(full.0, "b");
        v
    })
    .join()
    .unwrap();
    // The thread is gone; its allocator kept the memory the value lives in.
    value.push('!');
    assert_eq!(value, "kept!");
}

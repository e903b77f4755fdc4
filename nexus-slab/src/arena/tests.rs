//! `Arena`: stable addresses across growth, every value dropped once (at drop and at reset),
//! panicking `Drop` during reset, zero-sized values, bad capacities.

use super::Arena;
use crate::Error;
use nexus_slab_test_support::{panic_message, tracked};
use std::cell::Cell;
use std::rc::Rc;
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

//! The direct slabs: slots tied to their slab by lifetime.

use nexus_slab::bounded::BoundedSlab;
use nexus_slab::unbounded::UnboundedSlab;
use nexus_slab::{Full, Key};
use std::cell::Cell;

#[test]
fn bounded_full_hands_the_value_back_and_keeps_working() {
    let slab = BoundedSlab::with_capacity(2);
    let a = slab.insert(String::from("a"));
    let _b = slab.try_insert(String::from("b")).unwrap();
    let Full(back) = slab.try_insert(String::from("c")).unwrap_err();
    assert_eq!(back, "c");
    drop(a);
    assert_eq!(slab.insert(back).key(), Key::new(0));
}

#[test]
fn bounded_insert_panics_when_full_naming_the_capacity_and_keeps_working() {
    let slab = BoundedSlab::with_capacity(2);
    let _a = slab.insert(1u8);
    let b = slab.insert(2u8);
    let err =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| slab.insert(3))).unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(
        msg.contains("BoundedSlab is full: all 2 slots") && msg.contains("try_insert"),
        "{msg}"
    );
    drop(b);
    assert_eq!(*slab.insert(4), 4);
}

#[test]
fn bounded_capacity_errors() {
    assert!(BoundedSlab::<u64>::try_with_capacity(0).is_err());
    let msg = std::panic::catch_unwind(|| BoundedSlab::<u64>::with_capacity(0)).unwrap_err();
    assert!(msg
        .downcast_ref::<String>()
        .unwrap()
        .contains("BoundedSlab::with_capacity(0)"));
}

#[test]
fn zero_sized_values_get_distinct_slots() {
    let slab = BoundedSlab::with_capacity(3);
    let slots: Vec<_> = (0..3).map(|_| slab.insert(())).collect();
    let keys: Vec<u32> = slots.iter().map(|s| s.key().index()).collect();
    assert_eq!(keys, [0, 1, 2]);
    assert!(slab.try_insert(()).is_err());
    drop(slots);
    assert!(slab.is_empty());
}

#[test]
fn leaked_values_drop_with_the_slab() {
    thread_local!(static DROPS: Cell<u32> = const { Cell::new(0) });
    struct D;
    impl Drop for D {
        fn drop(&mut self) {
            DROPS.with(|d| d.set(d.get() + 1));
        }
    }
    {
        let slab = UnboundedSlab::with_chunk_capacity(1);
        let k = slab.insert(D).leak();
        let _live = slab.insert(D);
        assert!(slab.contains_key(k));
        let s = slab.reclaim(k).unwrap();
        let _k = s.leak();
        let _more: Vec<_> = (0..10).map(|_| slab.insert(D)).collect();
    }
    DROPS.with(|d| assert_eq!(d.get(), 12));
}

#[test]
fn unbounded_addresses_never_move() {
    let slab = UnboundedSlab::with_chunk_capacity(16);
    let n = if cfg!(miri) { 300 } else { 10_000 };
    // The first `n` values are handed to their keys, with the address each had.
    let before: Vec<_> = (0..n)
        .map(|i| {
            let slot = slab.insert(i);
            let addr: *const u32 = &*slot;
            (slot.leak(), addr)
        })
        .collect();
    let capacity = slab.capacity();
    let more: Vec<_> = (n..2 * n).map(|i| slab.insert(i)).collect();
    assert!(slab.capacity() > capacity, "the slab grew");
    assert_eq!(slab.len(), 2 * n);
    // Looked up through the tiers after the growth, each is where it was, intact.
    let mut access = slab.access();
    for (i, &(key, addr)) in before.iter().enumerate() {
        let value = access.get(key).unwrap();
        assert!(std::ptr::eq(value, addr), "value {i} moved");
        assert_eq!(*value, i as u32);
    }
    assert!(more.iter().zip(n..).all(|(s, i)| **s == i));
    for (key, _) in before {
        assert!(access.remove(key).is_some());
    }
}

#[test]
fn freed_slots_are_never_dropped_again_with_the_slab() {
    thread_local!(static DROPS: Cell<u32> = const { Cell::new(0) });
    struct D;
    impl Drop for D {
        fn drop(&mut self) {
            DROPS.with(|d| d.set(d.get() + 1));
        }
    }
    {
        let slab = BoundedSlab::with_capacity(500);
        // Freed slots sit in the slab's cache of recently freed slots (and, past its size,
        // back in the bitmap); only the three leaked values are live when the slab drops.
        let slots: Vec<_> = (0..400).map(|_| slab.insert(D)).collect();
        let mut keys = Vec::new();
        for (i, s) in slots.into_iter().enumerate() {
            if i % 100 == 7 {
                keys.push(s.leak());
            } else {
                drop(s);
            }
        }
        assert_eq!(DROPS.with(Cell::get), 396);
        assert_eq!(slab.len(), 4);
        for k in (0..400).map(Key::new) {
            assert_eq!(slab.contains_key(k), keys.contains(&k), "{k:?}");
        }
    }
    DROPS.with(|d| assert_eq!(d.get(), 400));
}

use super::*;
use nexus_slab_test_support::tracked;
use proptest::prelude::*;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, vec};

#[test]
fn initial_above_virtual_is_an_error() {
    let err = HiSlab::<u64>::new(10, 5).err().unwrap();
    assert!(matches!(
        err,
        Error::InvalidCapacity {
            requested: 10,
            maximum: 5,
            ..
        }
    ));
    assert!(
        err.to_string()
            .contains("initial capacity exceeds the virtual capacity"),
        "{err}"
    );
}

#[cfg(all(feature = "mmap", target_os = "linux", not(miri)))]
#[test]
fn reserves_u32_index_space_of_64_byte_values() {
    // ~256 GiB of address space on a machine with far less RAM.
    let slab = HiSlab::<[u64; 8]>::new(0, u32::MAX - 1).unwrap();
    assert_eq!(slab.insert([7; 8]), 0);
    assert_eq!(slab.capacity(), u32::MAX - 1);
}

#[cfg(all(feature = "mmap", target_os = "linux", not(miri)))]
#[test]
fn os_refusal_is_an_error_naming_the_errno() {
    // 2³² slots of 1 MiB each: 4 PiB, beyond any address space.
    let err = HiSlab::<[u8; 1 << 20]>::new(0, u32::MAX).err().unwrap();
    match err {
        Error::ReservationRefused {
            os_error: Some(_), ..
        }
        | Error::InvalidCapacity { .. } => {}
        other => panic!("unexpected {other:?}"),
    }
    // Within isize but beyond the 47-bit user address space: the OS must refuse.
    let err = HiSlab::<[u8; 1 << 16]>::new(0, 1 << 31).err().unwrap();
    assert!(
        matches!(
            err,
            Error::ReservationRefused {
                os_error: Some(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("refused"), "{err}");
}

#[test]
fn insert_at_capacity_panics_naming_capacity_and_leaves_no_phantom() {
    let slab = HiSlab::new(0, 3).unwrap();
    for i in 0..3u32 {
        assert_eq!(slab.insert(i), i);
    }
    let drops = Rc::new(Cell::new(0));
    let err = catch_unwind(AssertUnwindSafe(|| {
        slab.insert(tracked(&drops, false).drops.get() as u32)
    }))
    .err()
    .unwrap();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.contains("all 3 slots"), "{msg}");
    assert_eq!(slab.len(), 3);
    assert!(!slab.is_occupied(3));
    assert_eq!(slab.iter().count(), 3);
}

#[test]
fn full_insert_drops_the_value_and_try_insert_hands_it_back() {
    let drops = Rc::new(Cell::new(0));
    let slab = HiSlab::new(0, 1).unwrap();
    slab.insert(tracked(&drops, false));
    let Full(back) = slab.try_insert(tracked(&drops, false)).unwrap_err();
    assert_eq!(drops.get(), 0);
    drop(back);
    assert_eq!(drops.get(), 1);
    let _ = catch_unwind(AssertUnwindSafe(|| slab.insert(tracked(&drops, false))));
    assert_eq!(drops.get(), 2, "the value of a panicking insert is dropped");
    assert_eq!(slab.len(), 1);
}

#[test]
fn vacant_and_out_of_range_are_none() {
    let mut slab = HiSlab::new(0, 8).unwrap();
    let i = slab.insert(5u8);
    assert_eq!(slab.remove(i), Some(5));
    assert_eq!(slab.remove(i), None);
    assert_eq!(slab.remove(8), None);
    assert_eq!(slab.remove(u32::MAX), None);
    assert_eq!(slab.get(i), None);
    assert_eq!(slab.get(100), None);
    assert_eq!(slab.get_mut(u32::MAX), None);
    assert!(!slab.is_occupied(u32::MAX));
}

#[test]
fn index_of_vacant_panics_naming_the_index() {
    let slab = HiSlab::new(0, 8).unwrap();
    slab.insert(1u8);
    let err = catch_unwind(AssertUnwindSafe(|| slab[3])).err().unwrap();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(
        msg.contains("index 3 is vacant") && msg.contains("capacity 8"),
        "{msg}"
    );
    let err = catch_unwind(AssertUnwindSafe(|| slab[9])).err().unwrap();
    assert!(err
        .downcast_ref::<String>()
        .unwrap()
        .contains("index 9 is out of range"));
}

#[test]
fn index_and_index_mut() {
    let mut slab = HiSlab::new(0, 8).unwrap();
    let i = slab.insert(String::from("a"));
    slab[i].push('b');
    slab[i] = slab[i].clone() + "c";
    assert_eq!(slab[i], "abc");
}

#[test]
fn panicking_drop_frees_once_and_the_slab_keeps_working() {
    let drops = Rc::new(Cell::new(0));
    let mut slab = HiSlab::new(0, 16).unwrap();
    let a = slab.insert(tracked(&drops, false));
    let b = slab.insert(tracked(&drops, true));
    let c = slab.insert(tracked(&drops, false));
    // remove hands the value out; dropping it panics outside the slab.
    let v = slab.remove(b).unwrap();
    assert!(catch_unwind(AssertUnwindSafe(|| drop(v))).is_err());
    assert_eq!((slab.len(), drops.get()), (2, 1));
    // A panicking drop inside retain: freed once, len right.
    let b = slab.insert(tracked(&drops, true));
    assert!(catch_unwind(AssertUnwindSafe(|| slab.retain(|i, _| i != b))).is_err());
    assert_eq!((slab.len(), drops.get()), (2, 2));
    assert!(!slab.is_occupied(b) && slab.is_occupied(a) && slab.is_occupied(c));
    // A panicking drop inside clear: the rest stay live and consistent.
    slab.insert(tracked(&drops, true));
    assert!(catch_unwind(AssertUnwindSafe(|| slab.clear())).is_err());
    assert_eq!(slab.len() as usize, slab.iter().count());
    slab.clear();
    assert_eq!((slab.len(), drops.get()), (0, 5));
    assert_eq!(slab.insert(tracked(&drops, false)), 0);
}

#[test]
fn drop_drops_every_value_once() {
    let drops = Rc::new(Cell::new(0));
    {
        let mut slab = HiSlab::new(4, 200).unwrap();
        for _ in 0..150 {
            slab.insert(tracked(&drops, false));
        }
        for i in (0..150).step_by(3) {
            drop(slab.remove(i));
        }
        assert_eq!(drops.get(), 50);
    }
    assert_eq!(drops.get(), 150);
}

#[test]
fn iter_stays_exhausted_after_none() {
    let slab = HiSlab::new(0, 128).unwrap();
    for i in 0..64u32 {
        slab.insert(i);
    }
    let mut it = slab.iter();
    assert_eq!(it.by_ref().count(), 64);
    slab.insert(64);
    assert!(it.next().is_none(), "fused");
}

#[test]
fn a_panicking_drop_during_drop_still_drops_the_rest() {
    let drops = Rc::new(Cell::new(0));
    let slab = HiSlab::new(0, 8).unwrap();
    slab.insert(tracked(&drops, true));
    slab.insert(tracked(&drops, false));
    slab.insert(tracked(&drops, false));
    assert!(catch_unwind(AssertUnwindSafe(|| drop(slab))).is_err());
    assert_eq!(drops.get(), 3);
}

#[test]
fn into_iter_yields_owned_values_and_drops_the_rest() {
    let drops = Rc::new(Cell::new(0));
    let slab = HiSlab::new(0, 100).unwrap();
    for _ in 0..10 {
        slab.insert(tracked(&drops, false));
    }
    let mut it = slab.into_iter();
    assert_eq!(it.len(), 10);
    let (i0, v0) = it.next().unwrap();
    let (i1, v1) = it.next().unwrap();
    assert_eq!((i0, i1), (0, 1));
    drop(v0);
    assert_eq!(drops.get(), 1);
    drop(it);
    assert_eq!(drops.get(), 9);
    drop(v1);
    assert_eq!(drops.get(), 10);
}

#[test]
fn zero_sized_values() {
    let mut slab = HiSlab::new(0, 1000).unwrap();
    for i in 0..1000 {
        assert_eq!(slab.insert(()), i);
    }
    assert!(slab.try_insert(()).is_err());
    assert_eq!(slab.remove(500), Some(()));
    assert_eq!(slab.insert(()), 500);
    assert_eq!(slab.iter().count(), 1000);
}

#[test]
fn over_aligned_values() {
    #[repr(align(64))]
    struct A64(u8);
    #[repr(align(4096))]
    struct A4096(u8);
    let s64 = HiSlab::new(2, 10).unwrap();
    let s4k = HiSlab::new(2, 10).unwrap();
    for i in 0..10u8 {
        let a = s64.insert(A64(i));
        let b = s4k.insert(A4096(i));
        assert_eq!(s64.get(a).map(|v| v as *const A64 as usize % 64), Some(0));
        assert_eq!(
            s4k.get(b).map(|v| v as *const A4096 as usize % 4096),
            Some(0)
        );
        assert_eq!((s64[a].0, s4k[b].0), (i, i));
    }
}

#[test]
fn references_stay_valid_across_inserts_and_iteration() {
    let slab = HiSlab::new(0, 5000).unwrap();
    let first = slab.insert(String::from("first"));
    let r = slab.get(first).unwrap();
    let mut seen = 0;
    for (i, v) in slab.iter() {
        // Inserting while an iterator is live: nothing moves.
        if i < 3 {
            slab.insert(format!("{i}-{v}"));
        }
        seen += 1;
    }
    for i in 0..4000 {
        slab.insert(i.to_string());
    }
    assert_eq!(r, "first");
    assert!(seen >= 1);
}

#[test]
fn iter_mut_and_for_each_and_retain() {
    let mut slab = HiSlab::new(0, 300).unwrap();
    for i in 0..300u32 {
        slab.insert(i);
    }
    slab.retain(|i, v| {
        *v *= 2;
        i % 7 == 0
    });
    for (_, v) in &mut slab {
        *v += 1;
    }
    let mut got = vec![];
    slab.for_each_occupied(|i, v| got.push((i, *v)));
    let want: Vec<_> = (0..300u32)
        .filter(|i| i % 7 == 0)
        .map(|i| (i, 2 * i + 1))
        .collect();
    assert_eq!(got, want);
    assert_eq!(slab.iter_mut().len(), want.len());
    assert_eq!(format!("{:?}", HiSlab::<u8>::new(0, 4).unwrap()), "{}");
}

#[derive(Debug, Clone)]
enum Op {
    Insert(u16),
    Remove(u32),
    Get(u32),
    Mutate(u32, u16),
    Iter,
    Retain(u8),
    Clear,
    Vacant(u16),
    Disjoint(u32, u32),
    /// Drain, keeping the first `n` values taken (the rest drop with the iterator).
    Drain(u8),
    Extend(u8, u16),
    /// Replace the slab with its clone.
    Clone,
}

fn op() -> impl Strategy<Value = Op> {
    let idx = 0u32..80;
    prop_oneof![
        6 => any::<u16>().prop_map(Op::Insert),
        4 => idx.clone().prop_map(Op::Remove),
        2 => idx.clone().prop_map(Op::Get),
        1 => (idx, any::<u16>()).prop_map(|(i, v)| Op::Mutate(i, v)),
        1 => Just(Op::Iter),
        1 => (1u8..5).prop_map(Op::Retain),
        1 => (0u8..20).prop_map(|x| if x == 0 { Op::Clear } else { Op::Iter }),
        1 => any::<u16>().prop_map(Op::Vacant),
        1 => (0u32..80, 0u32..80).prop_map(|(a, b)| Op::Disjoint(a, b)),
        1 => (0u8..30).prop_map(|x| if x < 3 { Op::Drain(x) } else { Op::Iter }),
        1 => (0u8..4, any::<u16>()).prop_map(|(n, v)| Op::Extend(n, v)),
        1 => Just(Op::Clone),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 8 } else { nexus_slab_test_support::cases(512) },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Random programs against a BTreeMap model, checked after every step.
    #[test]
    fn model(ops in proptest::collection::vec(op(), 1..if cfg!(miri) { 60 } else { 300 })) {
        const CAP: u32 = 70;
        let mut slab = HiSlab::new(5, CAP).unwrap();
        let mut model: BTreeMap<u32, u16> = BTreeMap::new();
        for op in ops {
            match op {
                Op::Insert(v) => {
                    let expect = (0..CAP).find(|i| !model.contains_key(i));
                    match (slab.try_insert(v), expect) {
                        (Ok(i), Some(e)) => { prop_assert_eq!(i, e); model.insert(i, v); }
                        (Err(Full(back)), None) => prop_assert_eq!(back, v),
                        (got, want) => prop_assert!(false, "insert: got {:?}, want {:?}", got.ok(), want),
                    }
                }
                Op::Remove(i) => prop_assert_eq!(slab.remove(i), model.remove(&i)),
                Op::Get(i) => prop_assert_eq!(slab.get(i), model.get(&i)),
                Op::Mutate(i, v) => {
                    if let (Some(s), Some(m)) = (slab.get_mut(i), model.get_mut(&i)) { *s = v; *m = v; }
                }
                Op::Iter => {
                    let got: Vec<(u32, u16)> = slab.iter().map(|(i, v)| (i, *v)).collect();
                    let want: Vec<(u32, u16)> = model.iter().map(|(i, v)| (*i, *v)).collect();
                    prop_assert_eq!(got, want);
                }
                Op::Retain(m) => {
                    slab.retain(|_, v| *v % u16::from(m) != 0);
                    model.retain(|_, v| *v % u16::from(m) != 0);
                }
                Op::Clear => { slab.clear(); model.clear(); }
                Op::Vacant(v) => {
                    let expect = (0..CAP).find(|i| !model.contains_key(i));
                    match (slab.vacant_entry(), expect) {
                        (Some(e), Some(want)) => {
                            prop_assert_eq!(e.key(), want);
                            prop_assert_eq!(*e.insert(v), v);
                            model.insert(want, v);
                        }
                        (None, None) => {}
                        (got, want) => prop_assert!(false, "vacant_entry: got {:?}, want {:?}", got, want),
                    }
                }
                Op::Disjoint(a, b) => {
                    let ok = a != b && model.contains_key(&a) && model.contains_key(&b);
                    match slab.get_disjoint_mut([a, b]) {
                        Some([x, y]) => {
                            prop_assert!(ok);
                            core::mem::swap(x, y);
                            let (ma, mb) = (model[&a], model[&b]);
                            model.insert(a, mb);
                            model.insert(b, ma);
                        }
                        None => prop_assert!(!ok),
                    }
                }
                Op::Drain(n) => {
                    let mut drain = slab.drain();
                    prop_assert_eq!(drain.len(), model.len());
                    let taken: Vec<(u32, u16)> = drain.by_ref().take(usize::from(n)).collect();
                    drop(drain);
                    let want: Vec<(u32, u16)> =
                        model.iter().take(usize::from(n)).map(|(i, v)| (*i, *v)).collect();
                    prop_assert_eq!(taken, want);
                    model.clear();
                }
                Op::Extend(n, v) => {
                    let free = (0..CAP).filter(|i| !model.contains_key(i)).count();
                    if usize::from(n) <= free {
                        slab.extend(core::iter::repeat_n(v, usize::from(n)));
                        for _ in 0..n {
                            let i = (0..CAP).find(|i| !model.contains_key(i)).unwrap();
                            model.insert(i, v);
                        }
                    }
                }
                Op::Clone => {
                    let copy = slab.clone();
                    prop_assert_eq!(copy.capacity(), slab.capacity());
                    slab = copy;
                }
            }
            // Without walking the bitmap (a walk gives the hot slot back): every index
            // answers as the model does, so a freed lowest slot kept hot reads as vacant.
            prop_assert_eq!(slab.len() as usize, model.len());
            for i in 0..CAP + 2 {
                prop_assert_eq!(slab.is_occupied(i), model.contains_key(&i), "index {}", i);
            }
        }
        let got: Vec<(u32, u16)> = slab.iter().map(|(i, v)| (i, *v)).collect();
        let want: Vec<(u32, u16)> = model.iter().map(|(i, v)| (*i, *v)).collect();
        prop_assert_eq!(got, want);
        slab.raw.bitmap().check_invariants();
        #[cfg(feature = "rand")]
        slab.counts.check(slab.raw.bitmap());
    }
}

#[cfg(feature = "rand")]
#[test]
fn sampling_counts_are_built_on_first_pick_then_kept() {
    use crate::rand::rngs::SmallRng;
    use crate::rand::SeedableRng;
    let n = if cfg!(miri) { 700 } else { 20_000 };
    let mut slab = HiSlab::new(0, n).unwrap();
    for i in 0..n {
        slab.insert(i);
    }
    for i in (0..n).filter(|i| i % 7 != 0) {
        slab.remove(i);
    }
    // Nothing was counted so far; the first pick builds the counts from the bitmap.
    let mut rng = SmallRng::seed_from_u64(7);
    let (idx, v) = slab.random_occupied(&mut rng).unwrap();
    assert_eq!((idx % 7, *v), (0, idx));
    slab.counts().check(slab.occupancy());
    // From now on every insert and remove keeps them.
    for i in (0..n).filter(|i| i % 7 == 3) {
        slab.insert(i);
    }
    slab.remove(0);
    slab.counts().check(slab.occupancy());
    assert_eq!(
        slab.random_occupied_unique(&mut rng, n as usize).len(),
        slab.len() as usize
    );
}

#[test]
fn the_slot_freed_last_comes_back_first_when_it_is_the_lowest() {
    let mut slab = HiSlab::new(0, 300).unwrap();
    for i in 0..200u32 {
        assert_eq!(slab.insert(i), i);
    }
    // Churn on the lowest free index: freed, vacant to every query, handed out again.
    for round in 0..3 {
        assert_eq!(
            slab.remove(5),
            Some(if round == 0 { 5 } else { 1000 + round - 1 })
        );
        assert!(!slab.is_occupied(5) && slab.get(5).is_none() && slab.remove(5).is_none());
        assert_eq!(slab.len(), 199);
        assert_eq!(slab.insert(1000 + round), 5);
    }
    // A lower free slot takes over; the higher one goes back to the bitmap, and both come
    // back lowest first.
    assert_eq!(slab.remove(150), Some(150));
    assert_eq!(slab.remove(7), Some(7));
    assert_eq!(slab.remove(3), Some(3));
    assert_eq!(slab.len(), 197);
    assert_eq!(slab.iter().count(), 197, "a walk sees no hot slot");
    assert_eq!(
        (slab.insert(0), slab.insert(0), slab.insert(0)),
        (3, 7, 150)
    );
    assert_eq!(slab.insert(0), 200);
    slab.raw.bitmap().check_invariants();
}

#[test]
fn capacity_zero_is_a_slab_that_is_always_full() {
    let slab = HiSlab::<u64>::new(0, 0).unwrap();
    assert_eq!(slab.try_insert(7).err().map(|Full(v)| v), Some(7));
    assert!(slab.is_empty() && slab.capacity() == 0 && slab.get(0).is_none());
    assert_eq!(slab.iter().count(), 0);
}

#[test]
fn shrink_keeps_values_and_indices_and_gives_back_free_pages() {
    let n: u32 = if cfg!(miri) { 300 } else { 100_000 };
    let mut slab = HiSlab::<[u64; 8]>::new(0, 1 << 20).unwrap();
    for i in 0..n {
        assert_eq!(slab.insert([i.into(); 8]), i);
    }
    let live = n / 10;
    for i in live..n {
        assert_eq!(slab.remove(i), Some([i.into(); 8]));
    }
    // The freed slot kept hot is given back too.
    slab.remove(live - 1);
    slab.shrink();
    if let Some(pages) = slab.raw.resident_pages(0, usize::MAX) {
        let page = crate::memory::page_size();
        assert_eq!(pages, ((live as usize - 1) * 64).div_ceil(page));
    }
    assert_eq!(slab.len(), live - 1);
    for i in 0..live - 1 {
        assert_eq!(slab.get(i), Some(&[i.into(); 8]));
    }
    assert_eq!(slab.get(live - 1), None);
    // Lowest free index first, as before; the pages come back as values land.
    for i in live - 1..n {
        assert_eq!(slab.insert([u64::from(i) + 1; 8]), i);
    }
    for i in live - 1..n {
        assert_eq!(slab.get(i), Some(&[u64::from(i) + 1; 8]));
    }
}

#[test]
fn vacant_entry_names_the_index_the_insert_takes_and_changes_nothing_unused() {
    let mut slab = HiSlab::new(0, 3).unwrap();
    for i in 0..3u32 {
        assert_eq!(slab.insert(i), i);
    }
    assert!(slab.vacant_entry().is_none(), "full");
    slab.remove(1); // now the hot slot
    assert_eq!(slab.vacant_entry().unwrap().key(), 1);
    assert_eq!(slab.len(), 2);
    assert!(!slab.is_occupied(1));
    slab.remove(0);
    slab.remove(2);
    // Not hot: taken from the bitmap and given back.
    assert_eq!(
        format!("{:?}", slab.vacant_entry().unwrap()),
        "VacantEntry { key: 0 }"
    );
    assert!(slab.is_empty());
    let e = slab.vacant_entry().unwrap();
    let k = e.key();
    *e.insert(10) += 1;
    assert_eq!(slab.get(k), Some(&11));
    assert_eq!(slab.insert(20), 1);
    slab.raw.bitmap().check_invariants();
}

#[test]
fn drain_takes_everything_and_drops_what_it_does_not_yield() {
    let drops = Rc::new(Cell::new(0));
    let mut slab = HiSlab::new(0, 16).unwrap();
    for _ in 0..6 {
        slab.insert(tracked(&drops, false));
    }
    slab.remove(2);
    assert_eq!(drops.get(), 1);
    let mut d = slab.drain();
    assert_eq!(d.len(), 5);
    let (i, first) = d.next().unwrap();
    assert_eq!((i, d.len()), (0, 4));
    drop(d);
    assert_eq!(
        drops.get(),
        5,
        "the four not yielded dropped with the iterator"
    );
    drop(first);
    assert!(slab.is_empty());
    assert_eq!(
        slab.insert(tracked(&drops, false)),
        0,
        "memory stays; indices restart"
    );
    // A forgotten drain leaves the values it did not reach in the slab.
    slab.insert(tracked(&drops, false));
    let mut d = slab.drain();
    drop(d.next());
    core::mem::forget(d);
    assert_eq!(slab.len(), 1);
    assert_eq!(slab.iter().map(|(i, _)| i).collect::<Vec<_>>(), [1]);
}

#[test]
fn clone_keeps_every_index_and_a_panicking_clone_leaks_nothing() {
    let mut slab = HiSlab::new(0, 100).unwrap();
    for i in 0..50u32 {
        slab.insert(format!("v{i}"));
    }
    for i in (0..50).filter(|i| i % 3 != 0) {
        slab.remove(i);
    }
    slab.remove(0); // hot in the original
    let copy = slab.clone();
    assert!(copy.iter().eq(slab.iter()));
    assert_eq!(copy.len(), slab.len());
    copy.raw.bitmap().check_invariants();

    struct Bomb(u32, Rc<Cell<usize>>);
    impl Clone for Bomb {
        fn clone(&self) -> Self {
            assert!(self.0 != 3, "clone panics on purpose");
            Bomb(self.0, self.1.clone())
        }
    }
    impl Drop for Bomb {
        fn drop(&mut self) {
            self.1.set(self.1.get() + 1);
        }
    }
    let drops = Rc::new(Cell::new(0));
    let bombs = HiSlab::new(0, 8).unwrap();
    for i in 0..5 {
        bombs.insert(Bomb(i, drops.clone()));
    }
    let err = catch_unwind(AssertUnwindSafe(|| drop(bombs.clone()))).unwrap_err();
    assert!(err.downcast_ref::<&str>().unwrap().contains("on purpose"));
    assert_eq!(
        drops.get(),
        3,
        "the three clones made so far dropped with the copy"
    );
    drop(bombs);
    assert_eq!(drops.get(), 8);
}

#[test]
fn collect_extend_default_and_key_of() {
    let mut slab: HiSlab<u64> = (10..15).collect();
    assert_eq!(slab.len(), 5);
    assert_eq!(slab[4], 14);
    assert_eq!(slab.capacity(), HiSlab::<u64>::DEFAULT_CAPACITY);
    slab.remove(1);
    slab.extend([20, 21]);
    assert_eq!((slab[1], slab[5]), (20, 21));
    let d: HiSlab<u8> = HiSlab::default();
    assert_eq!((d.len(), d.capacity()), (0, HiSlab::<u8>::DEFAULT_CAPACITY));

    let r = slab.get(3).unwrap();
    assert_eq!(slab.key_of(r), Some(3));
    assert_eq!(slab.key_of(&13), None, "a reference from elsewhere");
    let other: HiSlab<u64> = HiSlab::new(0, 8).unwrap();
    other.insert(13);
    assert_eq!(
        slab.key_of(other.get(0).unwrap()),
        None,
        "another slab's value"
    );
    let mut units = HiSlab::new(0, 4).unwrap();
    units.insert(());
    units.insert(());
    assert_eq!(
        units.key_of(units.get(1).unwrap()),
        Some(1),
        "a zero-sized value has its own address"
    );
    assert_eq!(units.key_of(&()), None, "a unit from elsewhere");
    units.remove(1);
    assert_eq!(units.key_of(&units[0]), Some(0));

    let it = slab.iter();
    let copy = it.clone();
    assert!(it.eq(copy));

    let err = catch_unwind(|| HiSlab::<[u8; 1 << 32]>::with_capacity(u32::MAX - 1)).unwrap_err();
    assert!(err
        .downcast_ref::<String>()
        .unwrap()
        .starts_with("HiSlab::with_capacity(4294967294): "));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 6 } else { nexus_slab_test_support::cases(256) },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Every iterator taken from both ends meets in the middle: each live value once, in
    /// index order from the front and reverse order from the back (including the slot a
    /// removal keeps hot, which the owning iterators make as they go).
    #[test]
    fn iterators_are_double_ended(
        live in prop::collection::btree_set(0u32..300, 0..120),
        ends in prop::collection::vec(any::<bool>(), 0..140),
    ) {
        let mut slab = HiSlab::new(0, 300).unwrap();
        for i in 0..300u32 { slab.insert(i); }
        for i in 0..300u32 { if !live.contains(&i) { slab.remove(i); } }
        let model: Vec<u32> = live.iter().copied().collect();
        fn walk<I: DoubleEndedIterator<Item = u32>>(mut it: I, ends: &[bool]) -> Vec<u32> {
            let (mut front, mut back) = (Vec::new(), Vec::new());
            for &from_back in ends {
                let next = if from_back { it.next_back() } else { it.next() };
                match (next, from_back) {
                    (Some(i), false) => front.push(i),
                    (Some(i), true) => back.push(i),
                    (None, _) => break,
                }
            }
            front.extend(it.by_ref());
            assert!(it.next().is_none() && it.next_back().is_none(), "fused at both ends");
            back.reverse();
            front.extend(back);
            front
        }
        prop_assert_eq!(walk(slab.iter().map(|(i, v)| { assert_eq!(i, *v); i }), &ends), model.clone());
        prop_assert_eq!(walk(slab.iter_mut().map(|(i, v)| { *v += 1000; i }), &ends), model.clone());
        prop_assert!(slab.iter().all(|(i, v)| *v == i + 1000));
        let mut copy = slab.clone();
        prop_assert_eq!(walk(copy.drain().map(|(i, v)| { assert_eq!(v, i + 1000); i }), &ends), model.clone());
        prop_assert!(copy.is_empty());
        copy.raw.bitmap().check_invariants();
        prop_assert_eq!(walk(slab.into_iter().map(|(i, _)| i), &ends), model);
    }
}

#[test]
fn iter_mut_reports_its_length_from_both_ends() {
    let mut slab: HiSlab<u8> = (0..10).collect();
    let mut it = slab.iter_mut();
    it.next();
    it.next_back();
    assert_eq!(it.len(), 8);
    assert_eq!(it.next_back().map(|(i, _)| i), Some(8));
    assert_eq!(
        it.rev().map(|(i, _)| i).collect::<Vec<_>>(),
        [7, 6, 5, 4, 3, 2, 1]
    );
}

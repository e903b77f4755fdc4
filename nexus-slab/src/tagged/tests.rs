use super::*;
use nexus_slab_test_support::panic_message;
use proptest::prelude::*;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::vec::Vec;
use std::{format, vec};

/// Counts its drops; panics in `Drop` when `explode` is set.
struct Tracked {
    id: u32,
    drops: Rc<Cell<usize>>,
    explode: bool,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
        if self.explode {
            panic!("Tracked::drop panics on purpose");
        }
    }
}

fn tracked(id: u32, drops: &Rc<Cell<usize>>, explode: bool) -> Tracked {
    Tracked {
        id,
        drops: drops.clone(),
        explode,
    }
}

fn tagged_ids(slab: &TaggedHiSlab<Tracked>) -> Vec<u32> {
    slab.iter_tagged().map(|(_, v)| v.id).collect()
}

#[test]
fn tag_untag_and_bad_indices() {
    let mut slab = TaggedHiSlab::new(0, 100).unwrap();
    let a = slab.insert(1u8);
    let b = slab.insert_tagged(2u8);
    assert!(!slab.is_tagged(a) && slab.is_tagged(b));
    assert!(slab.tag(a) && !slab.tag(a) && !slab.tag(b));
    assert!(slab.untag(a) && !slab.untag(a));
    // Vacant, out of range: false, nothing changes.
    for idx in [50, 100, u32::MAX] {
        assert!(!slab.tag(idx) && !slab.untag(idx) && !slab.is_tagged(idx));
    }
    assert_eq!(slab.tagged_len(), 1);
    // Removing drops the tag; the slot's next occupant starts untagged.
    assert_eq!(slab.remove(b), Some(2));
    assert!(!slab.is_tagged(b));
    assert_eq!(slab.insert(3), b);
    assert!(!slab.is_tagged(b));
    assert_eq!(slab.tagged_len(), 0);
    slab.check_invariants();
}

#[test]
fn insert_tagged_while_iterating() {
    let slab = TaggedHiSlab::new(0, 300).unwrap();
    for i in 0..100u32 {
        if i % 3 == 0 {
            slab.insert_tagged(i);
        } else {
            slab.insert(i);
        }
    }
    let mut seen = 0;
    for (idx, v) in slab.iter_tagged() {
        if idx < 100 {
            assert_eq!((idx, idx % 3), (*v, 0));
        } else {
            assert!(
                *v >= 1000,
                "only values inserted during the walk live past 100"
            );
        }
        // `&self` insert while a shared iterator is live: the slab never moves values.
        slab.insert_tagged(1000 + idx);
        seen += 1;
        if seen > 150 {
            break;
        }
    }
    assert!(seen >= 34);
    slab.check_invariants();
}

#[test]
fn full_insert_tagged_tags_nothing() {
    let slab = TaggedHiSlab::new(0, 2).unwrap();
    slab.insert(0u8);
    slab.insert(1u8);
    let Full(back) = slab.try_insert_tagged(9).unwrap_err();
    assert_eq!(back, 9);
    assert_eq!(slab.tagged_len(), 0);
    let err = catch_unwind(AssertUnwindSafe(|| slab.insert_tagged(7))).unwrap_err();
    let msg = err.downcast_ref::<std::string::String>().unwrap();
    assert!(msg.contains("all 2 slots"), "{msg}");
    slab.check_invariants();
}

#[test]
fn retain_tagged_removes_only_tagged_failures() {
    let drops = Rc::new(Cell::new(0));
    let mut slab = TaggedHiSlab::new(0, 200).unwrap();
    for i in 0..150 {
        if i % 2 == 0 {
            slab.insert_tagged(tracked(i, &drops, false));
        } else {
            slab.insert(tracked(i, &drops, false));
        }
    }
    let mut visited = vec![];
    slab.retain_tagged(|idx, v| {
        visited.push(idx);
        v.id % 4 == 0
    });
    assert_eq!(visited, (0..150).step_by(2).collect::<Vec<_>>());
    assert_eq!(drops.get(), 37); // the ids ≡ 2 (mod 4)
    assert_eq!(slab.len(), 150 - 37);
    assert_eq!(tagged_ids(&slab), (0..150).step_by(4).collect::<Vec<_>>());
    slab.check_invariants();
    drop(slab);
    assert_eq!(drops.get(), 150);
}

#[test]
fn retain_tag_untags_and_keeps() {
    let mut slab = TaggedHiSlab::new(0, 200).unwrap();
    for i in 0..100u32 {
        slab.insert_tagged(i);
    }
    slab.retain_tag(|_, v| v % 10 == 0);
    assert_eq!(slab.len(), 100);
    assert_eq!(
        slab.iter_tagged().map(|(i, _)| i).collect::<Vec<_>>(),
        (0..100).step_by(10).collect::<Vec<_>>()
    );
    for (_, v) in slab.iter_tagged_mut() {
        *v += 1;
    }
    assert_eq!(slab.iter_tagged_mut().len(), 10);
    let mut sum = 0;
    slab.for_each_tagged(|_, v| sum += v);
    assert_eq!(sum, (0..100).step_by(10).map(|v| v + 1).sum::<u32>());
    slab.check_invariants();
}

#[test]
fn retain_clear_and_into_iter_drop_tags() {
    let drops = Rc::new(Cell::new(0));
    let mut slab = TaggedHiSlab::new(0, 100).unwrap();
    for i in 0..60 {
        slab.insert_tagged(tracked(i, &drops, false));
    }
    slab.retain(|_, v| v.id >= 30);
    assert_eq!(slab.tagged_len(), 30);
    assert!(!slab.is_tagged(0) && slab.is_tagged(30));
    slab.check_invariants();
    // Freed slots come back untagged.
    let i = slab.insert(tracked(99, &drops, false));
    assert_eq!(i, 0);
    assert!(!slab.is_tagged(0));
    slab.clear();
    assert_eq!((slab.len(), slab.tagged_len()), (0, 0));
    assert!(slab.iter_tagged().next().is_none());
    slab.check_invariants();
    for i in 0..10 {
        slab.insert_tagged(tracked(i, &drops, false));
    }
    let before = drops.get();
    let mut it = slab.into_iter();
    let (idx, first) = it.next().unwrap();
    assert_eq!((idx, first.id), (0, 0));
    drop(first);
    drop(it);
    assert_eq!(drops.get(), before + 10);
}

#[test]
fn panicking_drop_in_retain_tagged_leaves_the_slab_consistent() {
    let drops = Rc::new(Cell::new(0));
    let mut slab = TaggedHiSlab::new(0, 50).unwrap();
    for i in 0..20 {
        slab.insert_tagged(tracked(i, &drops, i == 6));
    }
    let r = catch_unwind(AssertUnwindSafe(|| {
        slab.retain_tagged(|_, v| v.id % 2 == 1)
    }));
    assert!(r.is_err());
    // 0, 2, 4 removed; 6 untagged and freed, then its Drop panicked; 7.. not visited.
    slab.check_invariants();
    assert_eq!(drops.get(), 4);
    assert!(!slab.is_occupied(6) && !slab.is_tagged(6));
    assert!(slab.is_tagged(8) && slab.is_tagged(7));
    // A panicking keep closure changes nothing for the element it was asked about.
    let r = catch_unwind(AssertUnwindSafe(|| {
        slab.retain_tagged(|idx, _| {
            if idx == 8 {
                panic!("keep panics")
            } else {
                true
            }
        })
    }));
    assert!(r.is_err());
    assert!(slab.is_tagged(8) && slab.is_occupied(8));
    slab.check_invariants();
    let r = catch_unwind(AssertUnwindSafe(|| {
        slab.retain(|idx, _| {
            if idx == 9 {
                panic!("keep panics")
            } else {
                idx < 7
            }
        })
    }));
    assert!(r.is_err());
    slab.check_invariants();
    assert!(slab.is_tagged(9) && !slab.is_occupied(8));
    drop(slab);
    assert_eq!(drops.get(), 20);
}

#[test]
fn debug_lists_values_and_tags() {
    let slab = TaggedHiSlab::new(0, 8).unwrap();
    slab.insert('a');
    slab.insert_tagged('b');
    assert_eq!(
        format!("{slab:?}"),
        "TaggedHiSlab { values: {0: 'a', 1: 'b'}, tagged: [1] }"
    );
}

#[test]
fn tagged_iteration_skips_untagged_regions() {
    let cap = if cfg!(miri) { 5_000 } else { 300_000 };
    let slab = TaggedHiSlab::new(0, cap).unwrap();
    let marks = [0, 63, 64, 4095, 4096, cap - 1];
    for i in 0..cap {
        if marks.contains(&i) {
            slab.insert_tagged(i);
        } else {
            slab.insert(i);
        }
    }
    let got: Vec<u32> = slab
        .iter_tagged()
        .map(|(i, v)| {
            assert_eq!(i, *v);
            i
        })
        .collect();
    assert_eq!(got, marks);
}

#[derive(Debug, Clone)]
enum Op {
    Insert(u16),
    InsertTagged(u16),
    Remove(u32),
    Tag(u32),
    Untag(u32),
    RetainTagged(u8),
    RetainTag(u8),
    Retain(u8),
    MutateTagged(u16),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    let idx = 0u32..80;
    prop_oneof![
        4 => any::<u16>().prop_map(Op::Insert),
        4 => any::<u16>().prop_map(Op::InsertTagged),
        3 => idx.clone().prop_map(Op::Remove),
        3 => idx.clone().prop_map(Op::Tag),
        2 => idx.prop_map(Op::Untag),
        1 => (1u8..5).prop_map(Op::RetainTagged),
        1 => (1u8..5).prop_map(Op::RetainTag),
        1 => (1u8..5).prop_map(Op::Retain),
        1 => any::<u16>().prop_map(Op::MutateTagged),
        1 => (0u8..10).prop_map(|x| if x == 0 { Op::Clear } else { Op::Tag(u32::from(x)) }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 6 } else { nexus_slab_test_support::cases(512) },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Random programs against a `BTreeMap<index, (value, tagged)>` model, checked after
    /// every step (values, tags, counts, and the bitmaps' own invariants).
    #[test]
    fn model(ops in proptest::collection::vec(op(), 1..if cfg!(miri) { 50 } else { 300 })) {
        const CAP: u32 = 70;
        let mut slab = TaggedHiSlab::new(5, CAP).unwrap();
        let mut model: BTreeMap<u32, (u16, bool)> = BTreeMap::new();
        for op in ops {
            match op {
                Op::Insert(v) | Op::InsertTagged(v) => {
                    let tag = matches!(op, Op::InsertTagged(_));
                    let expect = (0..CAP).find(|i| !model.contains_key(i));
                    let got = if tag { slab.try_insert_tagged(v) } else { slab.try_insert(v) };
                    match (got, expect) {
                        (Ok(i), Some(e)) => { prop_assert_eq!(i, e); model.insert(i, (v, tag)); }
                        (Err(Full(back)), None) => prop_assert_eq!(back, v),
                        (got, want) => prop_assert!(false, "insert: got {:?}, want {:?}", got.ok(), want),
                    }
                }
                Op::Remove(i) => prop_assert_eq!(slab.remove(i), model.remove(&i).map(|(v, _)| v)),
                Op::Tag(i) => {
                    let want = matches!(model.get(&i), Some((_, false)));
                    prop_assert_eq!(slab.tag(i), want);
                    if let Some(e) = model.get_mut(&i) { e.1 = true; }
                }
                Op::Untag(i) => {
                    let want = matches!(model.get(&i), Some((_, true)));
                    prop_assert_eq!(slab.untag(i), want);
                    if let Some(e) = model.get_mut(&i) { e.1 = false; }
                }
                Op::RetainTagged(m) => {
                    slab.retain_tagged(|_, v| *v % u16::from(m) != 0);
                    model.retain(|_, (v, t)| !*t || *v % u16::from(m) != 0);
                }
                Op::RetainTag(m) => {
                    slab.retain_tag(|_, v| *v % u16::from(m) != 0);
                    for (v, t) in model.values_mut() {
                        if *t && *v % u16::from(m) == 0 { *t = false; }
                    }
                }
                Op::Retain(m) => {
                    slab.retain(|_, v| *v % u16::from(m) != 0);
                    model.retain(|_, (v, _)| *v % u16::from(m) != 0);
                }
                Op::MutateTagged(x) => {
                    for (_, v) in slab.iter_tagged_mut() { *v ^= x; }
                    for (v, t) in model.values_mut() { if *t { *v ^= x; } }
                }
                Op::Clear => { slab.clear(); model.clear(); }
            }
            prop_assert_eq!(slab.len() as usize, model.len());
            let tagged: Vec<(u32, u16)> = slab.iter_tagged().map(|(i, v)| (i, *v)).collect();
            let want: Vec<(u32, u16)> =
                model.iter().filter(|(_, (_, t))| *t).map(|(i, (v, _))| (*i, *v)).collect();
            prop_assert_eq!(slab.tagged_len() as usize, want.len());
            prop_assert_eq!(tagged, want);
            let all: Vec<(u32, u16)> = slab.iter().map(|(i, v)| (i, *v)).collect();
            let want: Vec<(u32, u16)> = model.iter().map(|(i, (v, _))| (*i, *v)).collect();
            prop_assert_eq!(all, want);
            for i in 0..CAP + 2 {
                prop_assert_eq!(slab.is_tagged(i), matches!(model.get(&i), Some((_, true))));
            }
        }
        slab.check_invariants();
    }
}

#[test]
fn clear_still_drops_the_rest_after_a_panicking_drop() {
    use nexus_slab_test_support::tracked;
    let drops = std::rc::Rc::new(std::cell::Cell::new(0));
    let mut slab = TaggedHiSlab::new(0, 8).unwrap();
    slab.insert_tagged(tracked(&drops, true));
    slab.insert(tracked(&drops, false));
    slab.insert_tagged(tracked(&drops, false));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| slab.clear()));
    assert!(r.is_err());
    assert_eq!(drops.get(), 3);
    assert_eq!((slab.len(), slab.tagged_len()), (0, 0));
}

#[test]
fn shrink_keeps_values_and_tags() {
    let n: u32 = if cfg!(miri) { 200 } else { 20_000 };
    let mut slab = TaggedHiSlab::<[u64; 8]>::new(0, n).unwrap();
    for i in 0..n {
        slab.insert_tagged([i.into(); 8]);
    }
    for i in 10..n {
        slab.remove(i);
    }
    slab.shrink();
    assert_eq!((slab.len(), slab.tagged_len()), (10, 10));
    for i in 0..10 {
        assert_eq!(slab.get(i), Some(&[i.into(); 8]));
        assert!(slab.is_tagged(i));
    }
    assert_eq!(slab.insert([1; 8]), 10);
}

#[test]
fn panics_name_taggedhislab_and_its_own_methods() {
    let mut slab = TaggedHiSlab::new(0, 2).unwrap();
    slab.insert(1u8);
    slab.insert_tagged(2u8);
    let msg = panic_message(|| {
        slab.insert(3);
    });
    assert!(
        msg.starts_with("TaggedHiSlab is full: all 2 slots") && msg.contains("use try_insert "),
        "{msg}"
    );
    let msg = panic_message(|| {
        slab.insert_tagged(3);
    });
    assert!(
        msg.starts_with("TaggedHiSlab is full") && msg.contains("use try_insert_tagged "),
        "{msg}"
    );
    slab.remove(0);
    let msg = panic_message(|| {
        let _ = slab[0];
    });
    assert_eq!(msg, "TaggedHiSlab index 0 is vacant (capacity 2)");
    let msg = panic_message(|| slab[5] = 0);
    assert_eq!(msg, "TaggedHiSlab index 5 is out of range (capacity 2)");
    assert_eq!(slab[1], 2, "still usable");
}

#[test]
fn the_collection_methods_keep_tags_in_step() {
    let mut slab: TaggedHiSlab<u32> = (0..10).collect();
    assert_eq!((slab.len(), slab.tagged_len()), (10, 0));
    for i in [2, 5, 7] {
        slab.tag(i);
    }
    slab.remove(0); // the hot slot of the inner slab
    let copy = slab.clone();
    assert!(copy.iter().eq(slab.iter()));
    assert_eq!(
        copy.iter_tagged().map(|(i, _)| i).collect::<Vec<_>>(),
        [2, 5, 7]
    );
    copy.tags.check_invariants();

    let e = slab.vacant_entry().unwrap();
    assert_eq!(e.key(), 0);
    e.insert(100);
    assert!(!slab.is_tagged(0));
    if let Some([a, b]) = slab.get_disjoint_mut([2, 5]) {
        core::mem::swap(a, b);
    }
    assert_eq!((slab[2], slab[5]), (5, 2));
    assert!(
        slab.is_tagged(2) && slab.is_tagged(5),
        "tags stay with the index"
    );
    assert_eq!(slab.key_of(&slab[7]), Some(7));
    slab.extend([40, 41]);
    assert_eq!(slab.len(), 12);

    let drained: Vec<(u32, u32)> = slab.drain().take(2).collect();
    assert_eq!(drained, [(0, 100), (1, 1)]);
    assert_eq!((slab.len(), slab.tagged_len()), (0, 0));
    slab.tags.check_invariants();
    assert_eq!(slab.insert_tagged(9), 0);
    assert_eq!(slab.iter_tagged().count(), 1);

    let d = TaggedHiSlab::<u8>::default();
    assert_eq!(d.capacity(), HiSlab::<u8>::DEFAULT_CAPACITY);
}

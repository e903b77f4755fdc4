//! Random programs against the per-thread allocator API, checked after every step against a
//! model (`BTreeMap<key, value>` plus the set of leaked keys). The allocator promises a free
//! slot, not the lowest one, so the model checks that a new key was free.

use nexus_slab::{create_allocator, Full, Key};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

create_allocator!(model_bounded, u32);
create_allocator!(model_unbounded, u32);

#[derive(Debug, Clone)]
enum Op {
    Insert(u32),
    Drop(usize),
    IntoInner(usize),
    Replace(usize, u32),
    Leak(usize),
    Reclaim(u32),
    Contains(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => any::<u32>().prop_map(Op::Insert),
        3 => any::<usize>().prop_map(Op::Drop),
        1 => any::<usize>().prop_map(Op::IntoInner),
        1 => (any::<usize>(), any::<u32>()).prop_map(|(i, v)| Op::Replace(i, v)),
        1 => any::<usize>().prop_map(Op::Leak),
        2 => (0u32..80).prop_map(Op::Reclaim),
        1 => (0u32..80).prop_map(Op::Contains),
    ]
}

macro_rules! run_model {
    ($alloc:ident, $cap:expr, $ops:expr) => {{
        let cap: Option<u32> = $cap;
        let mut slots: Vec<$alloc::Slot> = Vec::new();
        let mut model: BTreeMap<u32, u32> = BTreeMap::new();
        let mut leaked: BTreeSet<u32> = BTreeSet::new();
        for op in $ops {
            match op {
                Op::Insert(v) => {
                    match $alloc::try_insert(v) {
                        Ok(s) => {
                            // Any free slot (the allocator reuses recently freed ones first).
                            let k = s.key().index();
                            prop_assert!(
                                model.insert(k, v).is_none(),
                                "slot {} handed out twice",
                                k
                            );
                            if let Some(cap) = cap {
                                prop_assert!(k < cap);
                            }
                            slots.push(s);
                        }
                        Err(Full(back)) => {
                            prop_assert_eq!(back, v);
                            prop_assert_eq!(Some(model.len() as u32), cap);
                        }
                    }
                }
                Op::Drop(i) if !slots.is_empty() => {
                    let s = slots.swap_remove(i % slots.len());
                    model.remove(&s.key().index());
                }
                Op::IntoInner(i) if !slots.is_empty() => {
                    let s = slots.swap_remove(i % slots.len());
                    let k = s.key().index();
                    prop_assert_eq!(Some(s.into_inner()), model.remove(&k));
                }
                Op::Replace(i, v) if !slots.is_empty() => {
                    let n = slots.len();
                    let s = &mut slots[i % n];
                    let old = s.replace(v);
                    prop_assert_eq!(Some(old), model.insert(s.key().index(), v));
                }
                Op::Leak(i) if !slots.is_empty() => {
                    let s = slots.swap_remove(i % slots.len());
                    leaked.insert(s.leak().index());
                }
                Op::Reclaim(k) => {
                    let got = $alloc::reclaim(Key::new(k));
                    prop_assert_eq!(got.is_some(), leaked.remove(&k));
                    if let Some(s) = got {
                        prop_assert_eq!(*s, model[&k]);
                        slots.push(s);
                    }
                }
                Op::Contains(k) => {
                    prop_assert_eq!($alloc::contains_key(Key::new(k)), model.contains_key(&k));
                }
                _ => {}
            }
            prop_assert_eq!($alloc::len() as usize, model.len());
            for s in &slots {
                prop_assert_eq!(Some(&**s), model.get(&s.key().index()));
            }
        }
        drop(slots);
        for k in leaked {
            drop($alloc::reclaim(Key::new(k)).expect("leaked slots are reclaimable"));
        }
        prop_assert_eq!($alloc::len(), 0);
        prop_assert!($alloc::shutdown().is_ok());
    }};
}

proptest! {
    // Under Miri a case takes seconds: a few cases there; natively the full count, unless
    // PROPTEST_CASES says otherwise (.ci/valgrind).
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) {
            4
        } else {
            std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
        },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn bounded(ops in proptest::collection::vec(op(), 1..200)) {
        model_bounded::init().bounded(40).build();
        run_model!(model_bounded, Some(40), ops);
    }

    #[test]
    fn unbounded(ops in proptest::collection::vec(op(), 1..200)) {
        model_unbounded::init().unbounded().chunk_capacity(2).build();
        run_model!(model_unbounded, None, ops);
    }
}

//! `TaggedHiSlab` against a `BTreeMap<index, (value, tagged)>` model: random programs of
//! inserts, tags, removals and bulk filters, with the whole observable state compared after
//! every step.

use nexus_slab::{Full, TaggedHiSlab};
use proptest::prelude::*;
use std::collections::BTreeMap;

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
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    // Indices run past the capacity, so out-of-range calls are exercised too.
    let idx = 0u32..110;
    prop_oneof![
        5 => any::<u16>().prop_map(Op::Insert),
        5 => any::<u16>().prop_map(Op::InsertTagged),
        3 => idx.clone().prop_map(Op::Remove),
        3 => idx.clone().prop_map(Op::Tag),
        2 => idx.prop_map(Op::Untag),
        1 => (1u8..6).prop_map(Op::RetainTagged),
        1 => (1u8..6).prop_map(Op::RetainTag),
        1 => (1u8..6).prop_map(Op::Retain),
        1 => (0u8..8).prop_map(|x| if x == 0 { Op::Clear } else { Op::Untag(u32::from(x)) }),
    ]
}

type Model = BTreeMap<u32, (u16, bool)>;

fn check(slab: &TaggedHiSlab<u16>, model: &Model, cap: u32) -> Result<(), TestCaseError> {
    prop_assert_eq!(slab.len() as usize, model.len());
    let tagged: Vec<(u32, u16)> = slab.iter_tagged().map(|(i, v)| (i, *v)).collect();
    let want: Vec<(u32, u16)> = model
        .iter()
        .filter(|(_, (_, t))| *t)
        .map(|(i, (v, _))| (*i, *v))
        .collect();
    prop_assert_eq!(&tagged, &want);
    let mut each = Vec::new();
    slab.for_each_tagged(|i, v| each.push((i, *v)));
    prop_assert_eq!(&each, &want);
    let all: Vec<(u32, u16)> = slab.iter().map(|(i, v)| (i, *v)).collect();
    let want_all: Vec<(u32, u16)> = model.iter().map(|(i, (v, _))| (*i, *v)).collect();
    prop_assert_eq!(all, want_all);
    for i in 0..cap + 5 {
        prop_assert_eq!(slab.is_tagged(i), matches!(model.get(&i), Some((_, true))));
        prop_assert_eq!(slab.get(i), model.get(&i).map(|(v, _)| v));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn tagged_slab_matches_the_model(ops in proptest::collection::vec(op(), 1..400)) {
        const CAP: u32 = 100;
        let mut slab = TaggedHiSlab::new(10, CAP).unwrap();
        let mut model = Model::new();
        for op in ops {
            match op {
                Op::Insert(v) | Op::InsertTagged(v) => {
                    let tag = matches!(op, Op::InsertTagged(_));
                    let expect = (0..CAP).find(|i| !model.contains_key(i));
                    let got = if tag { slab.try_insert_tagged(v) } else { slab.try_insert(v) };
                    match (got, expect) {
                        (Ok(i), Some(e)) => {
                            prop_assert_eq!(i, e);
                            model.insert(i, (v, tag));
                        }
                        (Err(Full(back)), None) => prop_assert_eq!(back, v),
                        (got, want) => prop_assert!(false, "insert: {:?} vs {:?}", got.ok(), want),
                    }
                }
                Op::Remove(i) => prop_assert_eq!(slab.remove(i), model.remove(&i).map(|(v, _)| v)),
                Op::Tag(i) => {
                    prop_assert_eq!(slab.tag(i), matches!(model.get(&i), Some((_, false))));
                    if let Some(e) = model.get_mut(&i) {
                        e.1 = true;
                    }
                }
                Op::Untag(i) => {
                    prop_assert_eq!(slab.untag(i), matches!(model.get(&i), Some((_, true))));
                    if let Some(e) = model.get_mut(&i) {
                        e.1 = false;
                    }
                }
                Op::RetainTagged(m) => {
                    let mut visited = Vec::new();
                    slab.retain_tagged(|i, v| {
                        visited.push(i);
                        *v % u16::from(m) != 0
                    });
                    let want: Vec<u32> =
                        model.iter().filter(|(_, (_, t))| *t).map(|(i, _)| *i).collect();
                    prop_assert_eq!(visited, want);
                    model.retain(|_, (v, t)| !*t || *v % u16::from(m) != 0);
                }
                Op::RetainTag(m) => {
                    slab.retain_tag(|_, v| *v % u16::from(m) != 0);
                    for (v, t) in model.values_mut() {
                        if *v % u16::from(m) == 0 {
                            *t = false;
                        }
                    }
                }
                Op::Retain(m) => {
                    slab.retain(|_, v| *v % u16::from(m) != 0);
                    model.retain(|_, (v, _)| *v % u16::from(m) != 0);
                }
                Op::Clear => {
                    slab.clear();
                    model.clear();
                }
            }
            check(&slab, &model, CAP)?;
        }
        // Owned iteration yields every value once, in index order.
        let owned: Vec<(u32, u16)> = slab.into_iter().collect();
        let want: Vec<(u32, u16)> = model.iter().map(|(i, (v, _))| (*i, *v)).collect();
        prop_assert_eq!(owned, want);
    }
}

#[test]
fn hislab_api_is_all_there() {
    let mut slab = TaggedHiSlab::new(0, 16).unwrap();
    let a = slab.insert(String::from("a"));
    let b = slab.insert_tagged(String::from("b"));
    slab[a].push('!');
    assert_eq!(&slab[a], "a!");
    assert!(slab.is_occupied(b) && !slab.is_occupied(5));
    assert_eq!(slab.capacity(), 16);
    assert!(!slab.is_empty());
    // SAFETY: `a` is occupied.
    assert_eq!(unsafe { slab.get_unchecked(a) }, "a!");
    // SAFETY: `b` is occupied.
    unsafe { slab.get_unchecked_mut(b) }.push('?');
    for (_, v) in &mut slab {
        v.push('.');
    }
    let all: Vec<(u32, &String)> = (&slab).into_iter().collect();
    assert_eq!(all.len(), 2);
    assert_eq!(slab.iter_mut().count(), 2);
    let mut seen = 0;
    slab.for_each_occupied(|_, _| seen += 1);
    assert_eq!(seen, 2);
    assert_eq!(slab.get_mut(b).map(|s| s.as_str()), Some("b?."));
    assert_eq!(slab.as_hislab().len(), 2);
    let r = std::panic::catch_unwind(|| {
        let slab = TaggedHiSlab::<u8>::new(0, 4).unwrap();
        slab[3]
    });
    assert!(r.is_err());
}

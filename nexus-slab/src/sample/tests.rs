use crate::{HiSlab, TaggedHiSlab};
use nexus_slab_test_support::{chi_square, rng, Rng};
use std::collections::{BTreeMap, BTreeSet};
use std::vec::Vec;

/// A sparse slab: `live` values spread over a large capacity, everything else removed.
fn sparse(cap: u32, live: u32) -> (HiSlab<u32>, Vec<u32>) {
    let mut slab = HiSlab::new(0, cap).unwrap();
    let step = cap / live;
    let mut keep = Vec::new();
    for i in 0..cap {
        slab.insert(i);
    }
    for i in 0..cap {
        // Uneven gaps: clusters and holes, not a regular grid.
        let wanted = i % step == (i / step) % 3 && keep.len() < live as usize;
        if wanted {
            keep.push(i);
        } else {
            slab.remove(i);
        }
    }
    (slab, keep)
}

#[test]
fn picks_are_uniform_over_live_elements() {
    // 50 live among a sparse slab; fixed seed, so the outcome is deterministic.
    let cap = if cfg!(miri) { 3_000 } else { 1 << 20 };
    let draws = if cfg!(miri) { 2_000 } else { 200_000 };
    let (slab, keep) = sparse(cap, 50);
    assert_eq!(keep.len(), 50);
    let mut rng = rng(0x5EED);
    let mut counts = BTreeMap::new();
    for _ in 0..draws {
        let (idx, v) = slab.random_occupied(&mut rng).unwrap();
        assert_eq!(idx, *v);
        *counts.entry(idx).or_insert(0u32) += 1;
    }
    assert!(counts.keys().all(|k| keep.contains(k)));
    let chi = chi_square(&counts, keep.len(), draws);
    // 49 degrees of freedom: mean 49, p = 1e-6 near 107. 150 cannot be reached by chance
    // with this fixed seed, and a biased pick (one element twice as likely) far exceeds it.
    assert!(chi < 150.0, "chi-square {chi} over 49 degrees of freedom");
    if !cfg!(miri) {
        assert_eq!(counts.len(), 50, "every live element drawn");
    }
}

#[test]
fn tagged_picks_are_uniform_over_tagged_elements() {
    let cap = if cfg!(miri) { 2_000 } else { 100_000 };
    let draws = if cfg!(miri) { 1_000 } else { 100_000 };
    let slab = TaggedHiSlab::new(0, cap).unwrap();
    let mut tagged = Vec::new();
    for i in 0..cap {
        if i % (cap / 40) == 7 {
            slab.insert_tagged(i);
            tagged.push(i);
        } else {
            slab.insert(i);
        }
    }
    assert_eq!(slab.count_tagged(), 40);
    let mut rng = rng(42);
    let mut counts = BTreeMap::new();
    for _ in 0..draws {
        let (idx, _) = slab.random_tagged(&mut rng).unwrap();
        assert!(slab.is_tagged(idx));
        *counts.entry(idx).or_insert(0u32) += 1;
    }
    let chi = chi_square(&counts, tagged.len(), draws);
    assert!(chi < 125.0, "chi-square {chi} over 39 degrees of freedom");
}

#[test]
fn empty_populations_give_nothing() {
    let mut rng = rng(1);
    let mut slab = HiSlab::<u8>::new(0, 100).unwrap();
    assert!(slab.random_occupied(&mut rng).is_none());
    assert!(slab.random_occupied_mut(&mut rng).is_none());
    assert!(slab.random_occupied_many(&mut rng, 10).is_empty());
    assert!(slab.random_occupied_unique(&mut rng, 10).is_empty());
    assert_eq!(slab.count_occupied(), 0);
    let mut tagged = TaggedHiSlab::<u8>::new(0, 100).unwrap();
    tagged.insert(1);
    assert!(tagged.random_tagged(&mut rng).is_none());
    assert!(tagged.random_tagged_mut(&mut rng).is_none());
    assert!(tagged.random_tagged_many(&mut rng, 10).is_empty());
    assert!(tagged.random_tagged_unique(&mut rng, 10).is_empty());
    assert_eq!(tagged.random_occupied(&mut rng).map(|(i, _)| i), Some(0));
    assert_eq!(
        tagged.random_occupied_mut(&mut rng).map(|(i, _)| i),
        Some(0)
    );
    // A zero-capacity slab.
    let none = HiSlab::<u8>::new(0, 0).unwrap();
    assert!(none.random_occupied(&mut rng).is_none());
}

#[test]
fn unique_picks_are_distinct_and_exactly_min_n_len() {
    let mut rng = rng(9);
    let cap = if cfg!(miri) { 1_500 } else { 50_000 };
    let (slab, keep) = sparse(cap, 120);
    let live: BTreeSet<u32> = keep.iter().copied().collect();
    // Floyd (small n), the walk (large n), and n beyond len.
    for n in [0, 1, 5, 29, 30, 31, 60, 119, 120, 121, 10_000] {
        let got = slab.random_occupied_unique(&mut rng, n);
        assert_eq!(got.len(), n.min(120), "n {n}");
        let set: BTreeSet<u32> = got.iter().map(|(i, _)| *i).collect();
        assert_eq!(set.len(), got.len(), "duplicates for n {n}");
        assert!(set.is_subset(&live));
        assert!(got.iter().all(|(i, v)| i == *v));
    }
    // Every element can appear: small samples, many rounds.
    let mut seen = BTreeSet::new();
    for _ in 0..if cfg!(miri) { 60 } else { 400 } {
        seen.extend(
            slab.random_occupied_unique(&mut rng, 3)
                .into_iter()
                .map(|(i, _)| i),
        );
    }
    if !cfg!(miri) {
        assert_eq!(seen, live);
    }
}

#[test]
fn unique_subsets_are_uniform() {
    // Choose 2 of 5 (the selection-sampling walk, as n * 4 >= len): each of the 10 pairs
    // about equally often, and each element equally often first.
    let mut slab = HiSlab::new(0, 64).unwrap();
    for i in 0..64u32 {
        slab.insert(i);
    }
    for i in 0..64 {
        if ![3, 9, 17, 40, 63].contains(&i) {
            slab.remove(i);
        }
    }
    let mut rng = rng(77);
    let draws = if cfg!(miri) { 500 } else { 20_000 };
    let mut pairs = BTreeMap::new();
    let mut firsts = BTreeMap::new();
    for _ in 0..draws {
        let mut two: Vec<u32> = slab
            .random_occupied_unique(&mut rng, 2)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        *firsts.entry(two[0]).or_insert(0u32) += 1;
        two.sort_unstable();
        *pairs.entry((two[0] << 8) | two[1]).or_insert(0u32) += 1;
    }
    // 9 and 4 degrees of freedom.
    assert!(chi_square(&pairs, 10, draws) < 45.0, "{pairs:?}");
    assert!(
        chi_square(&firsts, 5, draws) < 30.0,
        "order is not uniform: {firsts:?}"
    );

    // Choose 3 of 40 (Floyd's algorithm, as n * 4 < len): every element equally often.
    for i in 0..64 {
        if slab.get(i).is_none() {
            slab.insert(i);
        }
    }
    for i in 40..64 {
        slab.remove(i);
    }
    let mut hits = BTreeMap::new();
    for _ in 0..draws {
        for (i, _) in slab.random_occupied_unique(&mut rng, 3) {
            *hits.entry(i).or_insert(0u32) += 1;
        }
    }
    assert!(chi_square(&hits, 40, 3 * draws) < 120.0, "{hits:?}");
}

#[test]
fn many_picks_repeat_and_cover() {
    let mut rng = rng(3);
    let slab = HiSlab::new(0, 1000).unwrap();
    for i in 0..4u32 {
        slab.insert(i);
    }
    let got = slab.random_occupied_many(&mut rng, 100);
    assert_eq!(got.len(), 100);
    let distinct: BTreeSet<u32> = got.iter().map(|(i, _)| *i).collect();
    assert_eq!(distinct.len(), 4);
    let tagged = TaggedHiSlab::new(0, 1000).unwrap();
    for i in 0..10u32 {
        if i % 2 == 1 {
            tagged.insert_tagged(i);
        } else {
            tagged.insert(i);
        }
    }
    let got = tagged.random_tagged_many(&mut rng, 50);
    assert_eq!(got.len(), 50);
    assert!(got.iter().all(|(i, v)| i % 2 == 1 && i == *v));
    let unique = tagged.random_tagged_unique(&mut rng, 3);
    assert_eq!(unique.len(), 3);
    assert_eq!(tagged.random_occupied_many(&mut rng, 7).len(), 7);
    assert_eq!(tagged.random_occupied_unique(&mut rng, 70).len(), 10);
    assert_eq!(tagged.count_occupied(), 10);
}

#[test]
fn mutable_picks_write_through() {
    let mut rng = rng(5);
    let mut slab = TaggedHiSlab::new(0, 100).unwrap();
    for i in 0..10u32 {
        slab.insert_tagged(i);
    }
    for _ in 0..20 {
        let (idx, v) = slab.random_tagged_mut(&mut rng).unwrap();
        *v += 100;
        assert!(slab[idx] >= 100);
    }
    let mut plain = HiSlab::new(0, 10).unwrap();
    plain.insert(1u8);
    *plain.random_occupied_mut(&mut rng).unwrap().1 = 7;
    assert_eq!(plain[0], 7);
}

#[test]
fn counts_follow_every_operation() {
    // Random program; the counters are checked against the bitmaps along the way, and every
    // rank selects the element of that rank.
    let cap = if cfg!(miri) { 600 } else { 20_000 };
    let mut slab = TaggedHiSlab::new(0, cap).unwrap();
    let mut rng = rng(0x2545_F491_4F6C_DD1Du64);
    let steps = if cfg!(miri) { 1_500 } else { 100_000 };
    for step in 0..steps {
        let x = rng.next_u64();
        let i = (x >> 33) as u32 % cap;
        match x % 8 {
            0..=2 => {
                let _ = slab.try_insert(step);
            }
            3 => {
                let _ = slab.try_insert_tagged(step);
            }
            4 => {
                slab.remove(i);
            }
            5 => {
                slab.tag(i);
            }
            6 => {
                slab.untag(i);
            }
            _ if step % 500 == 0 => slab.retain_tagged(|_, v| *v % 3 != 0),
            _ if step % 700 == 0 => slab.retain(|_, v| *v % 5 != 0),
            _ if step % 900 == 0 => slab.retain_tag(|_, v| *v % 2 != 0),
            _ => {}
        }
        if step % (steps / 10) == 0 {
            slab.check_invariants();
            let live: Vec<u32> = slab.iter().map(|(i, _)| i).collect();
            let pop = slab.as_hislab().population();
            for (r, &idx) in live.iter().enumerate() {
                assert_eq!(pop.select(r as u32), idx);
            }
            let tagged: Vec<u32> = slab.iter_tagged().map(|(i, _)| i).collect();
            let pop = slab.tag_population();
            for (r, &idx) in tagged.iter().enumerate() {
                assert_eq!(pop.select(r as u32), idx);
            }
        }
    }
    slab.clear();
    slab.check_invariants();
}

#[cfg(all(feature = "mmap", target_os = "linux", not(miri)))]
#[test]
fn whole_u32_index_space() {
    // 8 counter levels; the values region is reserved, not committed.
    let mut slab = HiSlab::<u8>::new(0, u32::MAX).unwrap();
    let mut rng = rng(11);
    slab.insert(1);
    slab.insert(2);
    let mut seen = BTreeSet::new();
    for _ in 0..200 {
        seen.insert(slab.random_occupied(&mut rng).unwrap().0);
    }
    assert_eq!(seen, BTreeSet::from([0, 1]));
    assert_eq!(slab.remove(0), Some(1));
    assert_eq!(
        slab.random_occupied(&mut rng).map(|(i, v)| (i, *v)),
        Some((1, 2))
    );
}

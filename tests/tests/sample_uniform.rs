//! Random sampling through the public API (needs the `rand` feature): uniformity with a
//! fixed seed, and the bad-input cases.
#![cfg(feature = "rand")]

use nexus_slab::rand::rngs::SmallRng;
use nexus_slab::rand::{Rng, SeedableRng};
use nexus_slab::{HiSlab, TaggedHiSlab};
use std::collections::{BTreeMap, BTreeSet};

fn chi_square(counts: &BTreeMap<u32, u32>, categories: usize, draws: u32) -> f64 {
    let expected = f64::from(draws) / categories as f64;
    let seen: f64 = counts
        .values()
        .map(|&c| (f64::from(c) - expected).powi(2) / expected)
        .sum();
    seen + (categories - counts.len()) as f64 * expected
}

/// Generic over the RNG, as callers write it: `R: Rng + ?Sized` accepts `&mut dyn Rng`.
fn pick_dyn(slab: &HiSlab<u32>, rng: &mut dyn Rng) -> u32 {
    slab.random_occupied(rng).unwrap().0
}

#[test]
#[cfg_attr(
    miri,
    ignore = "the statistic needs 100 000 draws over a million slots; the sampling paths run under Miri in the library's own tests"
)]
fn fifty_live_among_a_million_slots() {
    let cap = 1 << 20;
    let mut slab = HiSlab::new(0, cap).unwrap();
    for i in 0..cap {
        slab.insert(i);
    }
    // 50 survivors at irregular positions, two of them adjacent, one at each end.
    let mut keep: BTreeSet<u32> = (0..48u32).map(|k| k * k * 433 + k * 7).collect();
    keep.insert(keep.iter().next_back().unwrap() + 1);
    keep.insert(cap - 1);
    assert_eq!(keep.len(), 50);
    slab.retain(|i, _| keep.contains(&i));
    assert_eq!(slab.count_occupied(), 50);

    let mut rng = SmallRng::seed_from_u64(2024);
    let draws = 100_000;
    let mut counts = BTreeMap::new();
    for _ in 0..draws {
        let idx = pick_dyn(&slab, &mut rng);
        *counts.entry(idx).or_insert(0u32) += 1;
    }
    assert_eq!(counts.keys().copied().collect::<BTreeSet<_>>(), keep);
    let chi = chi_square(&counts, 50, draws);
    assert!(chi < 150.0, "chi-square {chi} over 49 degrees of freedom");
}

#[test]
fn sampling_nothing() {
    let mut rng = SmallRng::seed_from_u64(0);
    let slab = TaggedHiSlab::<u8>::new(0, 10).unwrap();
    assert!(slab.random_occupied(&mut rng).is_none());
    assert!(slab.random_tagged(&mut rng).is_none());
    assert!(slab.random_tagged_many(&mut rng, 5).is_empty());
    assert!(slab.random_occupied_unique(&mut rng, 5).is_empty());
    slab.insert(3);
    assert!(slab.random_tagged(&mut rng).is_none());
    assert_eq!(slab.random_occupied_many(&mut rng, 4).len(), 4);
    assert_eq!(slab.random_occupied_unique(&mut rng, 4).len(), 1);
    assert_eq!((slab.count_occupied(), slab.count_tagged()), (1, 0));
}

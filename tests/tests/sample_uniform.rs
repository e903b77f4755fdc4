//! Random sampling through the public API (needs the `rand` feature): `&mut dyn Rng` from a
//! caller, a sparse million-slot slab, and the bad-input cases. (Uniformity is measured by
//! the library's own tests, `sample/tests.rs`, with a chi-square test.)
#![cfg(feature = "rand")]

use nexus_slab::rand::rngs::SmallRng;
use nexus_slab::rand::{Rng, SeedableRng};
use nexus_slab::{HiSlab, TaggedHiSlab};
use std::collections::BTreeSet;

/// Generic over the RNG, as callers write it: `R: Rng + ?Sized` accepts `&mut dyn Rng`.
fn pick_dyn(slab: &HiSlab<u32>, rng: &mut dyn Rng) -> u32 {
    slab.random_occupied(rng).unwrap().0
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a million slots; the sampling paths run under Miri in the library's own tests"
)]
fn a_callers_dyn_rng_reaches_every_live_slot_of_a_million() {
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
    let mut seen = BTreeSet::new();
    for _ in 0..20_000 {
        let idx = pick_dyn(&slab, &mut rng);
        assert!(keep.contains(&idx), "{idx} is not live");
        seen.insert(idx);
    }
    assert_eq!(seen, keep, "every live element is reached");
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

//! Seeded random sequences from `rand`'s `SmallRng`: every system sees the same sequence, and
//! a run can be repeated exactly.

use rand::seq::SliceRandom;
use rand::SeedableRng;

pub use rand::rngs::SmallRng;

/// A generator from `seed`.
pub fn seeded(seed: u64) -> SmallRng {
    SmallRng::seed_from_u64(seed)
}

/// A uniformly shuffled `0..n`.
pub fn permutation(rng: &mut SmallRng, n: u32) -> Vec<u32> {
    let mut v: Vec<u32> = (0..n).collect();
    v.shuffle(rng);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt as _;

    #[test]
    fn permutation_holds_every_index_once() {
        let mut p = permutation(&mut seeded(1), 1000);
        assert_ne!(p[..10], (0..10).collect::<Vec<_>>()[..]);
        p.sort_unstable();
        assert_eq!(p, (0..1000).collect::<Vec<_>>());
        let mut r = seeded(2);
        assert!((0..1000).all(|_| r.random_range(0..7u32) < 7));
    }
}

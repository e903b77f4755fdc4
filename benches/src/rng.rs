//! A small seeded generator (SplitMix64): every system sees the same random sequence, and a
//! run can be repeated exactly.

/// SplitMix64 (Steele, Lea, Flood 2014): one add, three xor-shift-multiplies.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub const fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift (bias below 2⁻³² for the sizes used).
    pub fn below(&mut self, n: u32) -> u32 {
        (((self.next_u64() >> 32) * u64::from(n)) >> 32) as u32
    }

    /// A uniformly shuffled `0..n` (Fisher–Yates).
    pub fn permutation(&mut self, n: u32) -> Vec<u32> {
        let mut v: Vec<u32> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.below(i + 1);
            v.swap(i as usize, j as usize);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_holds_every_index_once() {
        let mut p = Rng::new(1).permutation(1000);
        assert_ne!(p[..10], (0..10).collect::<Vec<_>>()[..]);
        p.sort_unstable();
        assert_eq!(p, (0..1000).collect::<Vec<_>>());
        let mut r = Rng::new(2);
        assert!((0..1000).all(|_| r.below(7) < 7));
    }
}

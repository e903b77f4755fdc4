//! Uniform random sampling over the live elements of a [`HiSlab`] and the tagged elements of
//! a [`TaggedHiSlab`] (feature `rand`).
//!
//! A pick draws a rank `r` uniformly below the population, then finds the element of rank
//! `r` by descending the population counts ([`Counts`]): O(levels), no walk over the slab,
//! no allocation. The counts only steer the descent; the element found is checked against
//! the bitmap before a reference to it is made.

use crate::bitmap::Bitmap;
use crate::counts::Counts;
use crate::{HiSlab, TaggedHiSlab};
use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use rand::{Rng, RngExt};

/// The indices to sample from: a bitmap, its population counts and its population.
struct Population<'a> {
    map: &'a Bitmap,
    counts: &'a Counts,
    /// Invariant: the number of set bits of `map`.
    len: u32,
}

impl Population<'_> {
    /// The index of rank `rank < len`, in index order.
    #[inline]
    fn select(&self, rank: u32) -> u32 {
        let idx = self.counts.select(self.map, rank);
        debug_assert!(self.map.contains(idx), "rank {rank} selected unset {idx}");
        idx as u32
    }

    /// One index, uniform over the population; `None` when it is empty.
    #[inline]
    fn pick<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        Some(self.select(rng.random_range(0..self.len)))
    }

    /// `n` independent uniform picks (repeats possible); empty when the population is.
    fn pick_many<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<u32> {
        if self.len == 0 {
            return Vec::new();
        }
        (0..n).filter_map(|_| self.pick(rng)).collect()
    }

    /// `min(n, len)` distinct indices, a uniform random subset, in random order.
    fn pick_unique<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<u32> {
        let len = self.len;
        let k = n.min(len as usize) as u32;
        if k == 0 {
            return Vec::new();
        }
        let mut picked = if u64::from(k) * 4 >= u64::from(len) {
            self.unique_by_walk(rng, k)
        } else {
            self.unique_by_floyd(rng, k)
        };
        // Both methods yield index order; shuffle so the order carries no information.
        for i in (1..picked.len()).rev() {
            let j = rng.random_range(0..=i as u32) as usize;
            picked.swap(i, j);
        }
        picked
    }

    /// Selection sampling (Knuth's algorithm S) in one walk over the population: each
    /// element is taken with probability `still needed / still unseen`. O(len), used when
    /// `k` is a large share of it anyway.
    fn unique_by_walk<R: Rng + ?Sized>(&self, rng: &mut R, k: u32) -> Vec<u32> {
        let mut out = Vec::with_capacity(k as usize);
        let (mut needed, mut unseen) = (k, self.len);
        let mut at = 0;
        while needed > 0 {
            let Some(idx) = self.map.next_occupied(at) else {
                break;
            };
            at = idx + 1;
            if rng.random_range(0..unseen) < needed {
                out.push(idx as u32);
                needed -= 1;
            }
            unseen -= 1;
        }
        debug_assert_eq!(needed, 0);
        out
    }

    /// Floyd's algorithm over ranks: `k` distinct ranks with `k` draws, then one descent per
    /// rank. O(k · (log k + levels)), independent of the slab's size.
    fn unique_by_floyd<R: Rng + ?Sized>(&self, rng: &mut R, k: u32) -> Vec<u32> {
        let mut ranks = BTreeSet::new();
        for j in self.len - k..self.len {
            let t = rng.random_range(0..=j);
            if !ranks.insert(t) {
                ranks.insert(j);
            }
        }
        ranks.into_iter().map(|r| self.select(r)).collect()
    }
}

/// Sampling over the live elements. Needs the `rand` feature.
///
/// Each pick is uniform over the live elements and costs O(levels) (a few dozen ns), however
/// large and however sparse the slab: population counts kept alongside the bitmap steer
/// the search. The counts are built at a slab's first pick; from then on they cost a few
/// instructions per level on every insert and remove (before it, one predicted branch),
/// which is why they exist only with the `rand` feature.
///
/// ```
/// use nexus_slab::rand::{rngs::SmallRng, SeedableRng};
/// use nexus_slab::HiSlab;
///
/// let mut rng = SmallRng::seed_from_u64(7);
/// let mut slab = HiSlab::new(0, 1 << 20).unwrap();
/// for i in 0..100u32 {
///     slab.insert(i * 10);
/// }
/// let (idx, value) = slab.random_occupied(&mut rng).unwrap();
/// assert_eq!(*value, idx * 10);
/// if let Some((_, value)) = slab.random_occupied_mut(&mut rng) {
///     *value += 1;
/// }
/// assert_eq!(slab.random_occupied_many(&mut rng, 500).len(), 500); // with repeats
/// let unique = slab.random_occupied_unique(&mut rng, 1000); // at most `len` items
/// assert_eq!(unique.len(), 100);
/// assert_eq!(slab.count_occupied(), 100);
/// slab.clear();
/// assert!(slab.random_occupied(&mut rng).is_none());
/// ```
impl<T> HiSlab<T> {
    fn population(&self) -> Population<'_> {
        // One settling for the whole pick: the bitmap then says exactly which slots are live.
        let map = self.occupancy();
        self.counts().activate(map);
        Population {
            map,
            counts: self.counts(),
            len: self.len(),
        }
    }

    /// A live element chosen uniformly at random, with its index; `None` when empty.
    ///
    /// ```
    /// use nexus_slab::rand::{rngs::SmallRng, SeedableRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(7);
    /// let mut slab: nexus_slab::HiSlab<u32> = (0..10).collect();
    /// let (idx, value) = slab.random_occupied(&mut rng).unwrap();
    /// assert_eq!(slab[idx], *value);
    /// slab.clear();
    /// assert!(slab.random_occupied(&mut rng).is_none());
    /// ```
    #[inline]
    pub fn random_occupied<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<(u32, &T)> {
        let idx = self.population().pick(rng)?;
        self.get(idx).map(|v| (idx, v))
    }

    /// A live element chosen uniformly at random, mutably; `None` when empty.
    ///
    /// ```
    /// use nexus_slab::rand::{rngs::SmallRng, SeedableRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(7);
    /// let mut slab: nexus_slab::HiSlab<u32> = (0..10).collect();
    /// let (idx, value) = slab.random_occupied_mut(&mut rng).unwrap();
    /// *value = 100;
    /// assert_eq!(slab[idx], 100);
    /// ```
    #[inline]
    pub fn random_occupied_mut<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Option<(u32, &mut T)> {
        let idx = self.population().pick(rng)?;
        self.get_mut(idx).map(|v| (idx, v))
    }

    /// `n` independent uniform picks (the same element may come back several times); empty
    /// when the slab is.
    ///
    /// ```
    /// use nexus_slab::rand::{rngs::SmallRng, SeedableRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(7);
    /// let slab: nexus_slab::HiSlab<u32> = (0..3).collect();
    /// let picks = slab.random_occupied_many(&mut rng, 10); // more picks than elements
    /// assert_eq!(picks.len(), 10);
    /// assert!(picks.iter().all(|&(idx, v)| slab[idx] == *v));
    /// ```
    pub fn random_occupied_many<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<(u32, &T)> {
        let picks = self.population().pick_many(rng, n);
        self.resolve(picks)
    }

    /// `min(n, len)` distinct live elements: a uniform random subset, in random order.
    ///
    /// ```
    /// use nexus_slab::rand::{rngs::SmallRng, SeedableRng};
    ///
    /// let mut rng = SmallRng::seed_from_u64(7);
    /// let slab: nexus_slab::HiSlab<u32> = (0..5).collect();
    /// let mut picks: Vec<u32> = slab.random_occupied_unique(&mut rng, 10).iter().map(|p| p.0).collect();
    /// picks.sort();
    /// assert_eq!(picks, [0, 1, 2, 3, 4]); // each once: all 5, not 10
    /// ```
    pub fn random_occupied_unique<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<(u32, &T)> {
        let picks = self.population().pick_unique(rng, n);
        self.resolve(picks)
    }

    /// Number of live elements (the population sampled from), as `usize`: `len()` widened.
    ///
    /// ```
    /// let slab: nexus_slab::HiSlab<u32> = (0..5).collect();
    /// assert_eq!(slab.count_occupied(), 5);
    /// ```
    #[inline]
    pub fn count_occupied(&self) -> usize {
        self.len() as usize
    }

    /// Turns picked indices into `(index, &T)`, checking each against the bitmap.
    fn resolve(&self, picks: Vec<u32>) -> Vec<(u32, &T)> {
        picks
            .into_iter()
            .filter_map(|i| self.get(i).map(|v| (i, v)))
            .collect()
    }
}

/// Sampling over the live elements (as [`HiSlab`]'s) and over the tagged ones. Needs the
/// `rand` feature.
///
/// ```
/// use nexus_slab::rand::{rngs::SmallRng, SeedableRng};
/// use nexus_slab::TaggedHiSlab;
///
/// let mut rng = SmallRng::seed_from_u64(1);
/// let slab = TaggedHiSlab::new(0, 1 << 16).unwrap();
/// for i in 0..1000u32 {
///     if i % 100 == 0 {
///         slab.insert_tagged(i);
///     } else {
///         slab.insert(i);
///     }
/// }
/// let (idx, _) = slab.random_tagged(&mut rng).unwrap();
/// assert!(slab.is_tagged(idx) && idx % 100 == 0);
/// assert_eq!(slab.count_tagged(), 10);
/// assert_eq!(slab.random_tagged_unique(&mut rng, 50).len(), 10);
/// ```
impl<T> TaggedHiSlab<T> {
    fn tag_population(&self) -> Population<'_> {
        self.tag_counts().activate(self.tags());
        Population {
            map: self.tags(),
            counts: self.tag_counts(),
            len: self.tagged_len(),
        }
    }

    /// A live element chosen uniformly at random; see [`HiSlab::random_occupied`].
    #[inline]
    pub fn random_occupied<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<(u32, &T)> {
        self.slab().random_occupied(rng)
    }

    /// A live element chosen uniformly at random, mutably; `None` when empty.
    #[inline]
    pub fn random_occupied_mut<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Option<(u32, &mut T)> {
        let idx = self.slab().population().pick(rng)?;
        self.get_mut(idx).map(|v| (idx, v))
    }

    /// `n` independent uniform picks among the live elements (repeats possible).
    pub fn random_occupied_many<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<(u32, &T)> {
        self.slab().random_occupied_many(rng, n)
    }

    /// `min(n, len)` distinct live elements, in random order.
    pub fn random_occupied_unique<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<(u32, &T)> {
        self.slab().random_occupied_unique(rng, n)
    }

    /// Number of live elements, as `usize`.
    #[inline]
    pub fn count_occupied(&self) -> usize {
        self.len() as usize
    }

    /// A tagged element chosen uniformly at random, with its index; `None` when nothing is
    /// tagged. O(levels), whatever the share of tagged elements.
    #[inline]
    pub fn random_tagged<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<(u32, &T)> {
        let idx = self.tag_population().pick(rng)?;
        self.get(idx).map(|v| (idx, v))
    }

    /// A tagged element chosen uniformly at random, mutably; `None` when nothing is tagged.
    #[inline]
    pub fn random_tagged_mut<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Option<(u32, &mut T)> {
        let idx = self.tag_population().pick(rng)?;
        self.get_mut(idx).map(|v| (idx, v))
    }

    /// `n` independent uniform picks among the tagged elements (repeats possible); empty
    /// when nothing is tagged.
    pub fn random_tagged_many<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<(u32, &T)> {
        let picks = self.tag_population().pick_many(rng, n);
        self.slab().resolve(picks)
    }

    /// `min(n, tagged)` distinct tagged elements: a uniform random subset, in random order.
    pub fn random_tagged_unique<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<(u32, &T)> {
        let picks = self.tag_population().pick_unique(rng, n);
        self.slab().resolve(picks)
    }

    /// Number of tagged elements, as `usize`.
    #[inline]
    pub fn count_tagged(&self) -> usize {
        self.tagged_len() as usize
    }
}

#[cfg(test)]
mod tests;

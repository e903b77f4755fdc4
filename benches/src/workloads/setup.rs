//! Building stores and the operation bodies, shared by the report and the criterion benches
//! so both time exactly the same code.

use crate::payload::Payload;
use crate::rng::Rng;
use crate::systems::IndexSlab;
use std::hint::black_box;

/// Seed of every random sequence (positions, orders, which slots stay live).
pub const SEED: u64 = 0x5EED_5EED_5EED_5EED;

/// Inserts `n` values (seeded `0..n`); returns their handles in insertion order.
pub fn fill<V: Payload, S: IndexSlab<V>>(s: &mut S, n: usize) -> Vec<S::Handle> {
    (0..n as u64).map(|i| s.insert(V::new(i))).collect()
}

/// Removes every value (so a `Box` handle is freed the same way as a slab slot).
pub fn drop_all<V, S: IndexSlab<V>>(mut s: S, handles: Vec<S::Handle>) {
    for h in handles {
        s.remove(h);
    }
}

/// A store of capacity `slots`, filled, then thinned to `percent`% live (which ones chosen at
/// random with `seed`); returns it with the live handles.
pub fn sparse<V: Payload, S: IndexSlab<V>>(
    slots: usize,
    percent: usize,
    seed: u64,
) -> (S, Vec<S::Handle>) {
    let mut s = S::with_capacity(slots);
    let handles = fill(&mut s, slots);
    let keep_count = slots * percent / 100;
    let mut keep = vec![false; slots];
    for &i in &Rng::new(seed).permutation(slots as u32)[..keep_count] {
        keep[i as usize] = true;
    }
    let mut kept = Vec::with_capacity(keep_count);
    for (h, k) in handles.into_iter().zip(keep) {
        if k {
            kept.push(h);
        } else {
            s.remove(h);
        }
    }
    (s, kept)
}

/// Positions in `0..live`, `len` of them, uniformly random.
pub fn positions(live: usize, len: usize, seed: u64) -> Vec<u32> {
    let mut r = Rng::new(seed);
    (0..len).map(|_| r.below(live as u32)).collect()
}

/// Insert a value, read it, remove it (the churn operation). The value, the handle and the
/// removed value all pass through `black_box`.
#[inline(always)]
pub fn churn_once<V: Payload, S: IndexSlab<V>>(s: &mut S, seed: u64) {
    let h = black_box(s.insert(black_box(V::new(seed))));
    black_box(s.get(&h).touch());
    black_box(s.remove(h));
}

/// Read the value behind `h` (the random-get operation).
#[inline(always)]
pub fn get_once<V: Payload, S: IndexSlab<V>>(s: &S, h: &S::Handle) {
    black_box(s.get(black_box(h)).touch());
}

/// Remove the value at position `p` of `handles` and insert a new one (the steady-churn
/// operation). `handles` keeps its length; its order changes (`swap_remove`).
#[inline(always)]
pub fn replace_once<V: Payload, S: IndexSlab<V>>(
    s: &mut S,
    handles: &mut Vec<S::Handle>,
    p: usize,
    seed: u64,
) {
    let old = handles.swap_remove(p);
    black_box(s.remove(black_box(old)));
    handles.push(black_box(s.insert(black_box(V::new(seed)))));
}

/// Sum of one word of every live value (the iteration operation, one full pass).
#[inline(always)]
pub fn visit_all<V: Payload, S: IndexSlab<V>>(s: &S) -> u64 {
    let mut sum = 0u64;
    s.for_each_live(|v| sum = sum.wrapping_add(v.touch()));
    black_box(sum)
}

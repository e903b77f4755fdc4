//! Building stores and the operation bodies, shared by the report and the criterion benches
//! so both time exactly the same code.

use super::busy::Busywork;
use crate::payload::Payload;
use crate::rng::{permutation, seeded};
use crate::systems::IndexSlab;
use rand::RngExt as _;
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
    for &i in &permutation(&mut seeded(seed), slots as u32)[..keep_count] {
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
    let mut r = seeded(seed);
    (0..len).map(|_| r.random_range(0..live as u32)).collect()
}

/// Insert a value, read it, remove it (the churn operation), the way the peers' own benches
/// write it: the value is built in registers and goes straight into `insert` (so it is
/// stored once, into its slot), only the reference `get` returns goes through `black_box`,
/// and the removed value is dropped.
#[inline(always)]
pub fn churn_once<V: Payload, S: IndexSlab<V>>(s: &mut S, seed: u64) {
    let h = s.insert(V::new(seed));
    black_box(s.get(&h));
    drop(s.remove(h));
}

/// Read the value behind `h` (the random-get operation).
#[inline(always)]
pub fn get_once<V: Payload, S: IndexSlab<V>>(s: &S, h: &S::Handle) {
    black_box(s.get(black_box(h)).touch());
}

/// Insert a value and keep its handle at the end of `handles` (the first half of the batch
/// operation): only the reference to the handle where it is kept goes through `black_box`.
#[inline(always)]
pub fn insert_kept<V: Payload, S: IndexSlab<V>>(
    s: &mut S,
    handles: &mut Vec<S::Handle>,
    seed: u64,
) {
    handles.push(s.insert(V::new(seed)));
    black_box(handles.last());
}

/// Remove the value at position `p` of `handles` and insert a new one (the steady-churn
/// operation): the removed value is dropped, the new one built in registers, and only the
/// reference to its handle where it is kept goes through `black_box`. `handles` keeps its
/// length; its order changes (`swap_remove`).
#[inline(always)]
pub fn replace_once<V: Payload, S: IndexSlab<V>>(
    s: &mut S,
    handles: &mut Vec<S::Handle>,
    p: usize,
    seed: u64,
) {
    let old = handles.swap_remove(p);
    drop(s.remove(old));
    insert_kept(s, handles, seed);
}

/// One timestamp pair of churn: `ops` churn operations with `OP`, each followed by a
/// [`Busywork`] block with `PAD`; without `OP`, the blocks alone (the loaded loop's
/// baseline). `seed` advances by `ops`.
#[inline(always)]
pub fn churn_loop<V: Payload, S: IndexSlab<V>, const OP: bool, const PAD: bool>(
    s: &mut S,
    seed: &mut u64,
    ops: usize,
    busy: &mut Busywork,
) {
    // The seed in a local, whose address never escapes: it stays in a register.
    let mut sd = *seed;
    for _ in 0..ops {
        if OP {
            churn_once(s, sd);
        }
        sd += 1;
        if PAD {
            busy.block();
        }
    }
    *seed = sd;
}

/// One timestamp pair of batch: `len` inserts, then the `len` removes in insertion order
/// (`handles` is empty before and after), a [`Busywork`] block after each insert and each
/// remove with `PAD`; without `OP`, the `2 × len` blocks alone.
#[inline(always)]
pub fn batch_loop<V: Payload, S: IndexSlab<V>, const OP: bool, const PAD: bool>(
    s: &mut S,
    handles: &mut Vec<S::Handle>,
    seed: &mut u64,
    len: usize,
    busy: &mut Busywork,
) {
    let mut sd = *seed;
    for _ in 0..len {
        if OP {
            insert_kept(s, handles, sd);
        }
        sd += 1;
        if PAD {
            busy.block();
        }
    }
    *seed = sd;
    if OP {
        for h in handles.drain(..) {
            drop(s.remove(h));
            if PAD {
                busy.block();
            }
        }
    } else if PAD {
        for _ in 0..len {
            busy.block();
        }
    }
}

/// One timestamp pair of steady churn: a [`replace_once`] at each position of `ps` with
/// `OP`, each followed by a [`Busywork`] block with `PAD`; without `OP`, the blocks alone.
#[inline(always)]
pub fn steady_loop<V: Payload, S: IndexSlab<V>, const OP: bool, const PAD: bool>(
    s: &mut S,
    handles: &mut Vec<S::Handle>,
    ps: &[u32],
    seed: &mut u64,
    busy: &mut Busywork,
) {
    let mut sd = *seed;
    for &p in ps {
        if OP {
            replace_once(s, handles, p as usize, sd);
        }
        sd += 1;
        if PAD {
            busy.block();
        }
    }
    *seed = sd;
}

/// Sum of one word of every live value (the iteration operation, one full pass).
#[inline(always)]
pub fn visit_all<V: Payload, S: IndexSlab<V>>(s: &S) -> u64 {
    let mut sum = 0u64;
    s.for_each_live(|v| sum = sum.wrapping_add(v.touch()));
    black_box(sum)
}

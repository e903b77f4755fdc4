//! Sampling: one uniformly random live value of a store whose slots are 1% live (at three
//! slot counts), and one uniformly random tagged value among 1% tagged.
//!
//! HiSlab answers with `random_occupied` / `random_tagged` (population counts, O(levels)).
//! The peer is what a user of `slab` writes: a random key below `capacity()`, again until it
//! is occupied (and, for the tagged table, until the value's flag is set). That costs
//! O(1 / density) tries and is uniform too. Both draw from the same seeded `SmallRng`.
//!
//! Every contender reads the value it picked (the report's rule), and the peer has to read
//! it anyway to see whether the slot is occupied. The `no read` rows time our pick alone
//! (the index and a reference, the value's cache line not touched): what the call itself
//! costs, apart from the cache miss on a random value of a large store.

use super::setup::SEED;
use super::tagged_iterate::{flagged_slab, one_in_100, tagged_store, Item, TAG_SEED};
use super::{batched, binary_size, take_turns, Contender, Ctx, LatencyTable, Outcome, Presets};
use super::{TableInfo, Workload};
use crate::payload::{Payload, V32};
use crate::timing::UNIT;
use nexus_slab::rand::rngs::SmallRng;
use nexus_slab::rand::{RngExt, SeedableRng};
use nexus_slab::HiSlab;
use std::hint::black_box;

/// The sampling workload.
pub const WORKLOAD: Workload = Workload {
    name: "sample",
    describe: "one random live value, 1% live, 64 Ki / 1 Mi / 16 Mi slots; and a tagged one",
    run: |ctx, progress| {
        run(ctx, progress)
            .into_iter()
            .map(Outcome::Latency)
            .collect()
    },
};

/// The tables of the default and `--quick` runs (their ids name the sizes, which the tests'
/// preset shrinks): 64 Ki slots.
pub const SLOTS_64KI: &str = "sample_64Ki_32B";
/// 1 Mi slots.
pub const SLOTS_1MI: &str = "sample_1Mi_32B";
/// 16 Mi slots.
pub const SLOTS_16MI: &str = "sample_16Mi_32B";
/// The tagged table.
pub const TAGGED: &str = "sample_tagged-1pct-of-1Mi_32B";

/// Its sizes.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Slot counts of the stores, a table each (1% of the slots live).
    pub slots: [u32; 3],
    /// Samples per contender in each table (all rounds together).
    pub samples: usize,
}

/// Its sizes in each preset.
pub const SIZES: Presets<Sizes> = Presets {
    full: Sizes {
        slots: [1 << 16, 1 << 20, 1 << 24],
        samples: 10_000,
    },
    quick: Sizes {
        slots: [1 << 16, 1 << 20, 1 << 24],
        samples: 1_000,
    },
    tiny: Sizes {
        slots: [1 << 10, 1 << 12, 1 << 14],
        samples: 20,
    },
};

/// Picks per timestamp pair (fewer than the other batched workloads: a rejection-sampling
/// pick costs about a hundred tries at 1% density).
const PICKS: usize = 64;

/// Least warm-up per contender and round: enough random picks to bring the bitmap and
/// counts of a 16 Mi-slot store (2 MiB and more) into the caches after the store is built
/// (a `--quick` run's tenth of its samples is not: its 16 Mi pick read 190–200 cycles
/// instead of about 120).
const WARMUP_MS: u64 = 50;

/// Seed of the live subset.
const LIVE_SEED: u64 = SEED ^ 0x11FE;

/// `slots` slots filled, then thinned to `live` (each kept when `live[i]`).
fn sparse_hislab(live: &[bool]) -> HiSlab<V32> {
    let slots = u32::try_from(live.len()).expect("fits u32");
    let mut s = HiSlab::new(slots, slots).expect("HiSlab reservation");
    for i in 0..slots {
        s.insert(V32::new(u64::from(i)));
    }
    s.retain(|i, _| live[i as usize]);
    s
}

/// The same for `slab::Slab` (created `with_capacity(slots)`).
fn sparse_slab(live: &[bool]) -> slab::Slab<V32> {
    let mut s = slab::Slab::with_capacity(live.len());
    for i in 0..live.len() {
        s.insert(V32::new(i as u64));
    }
    s.retain(|i, _| live[i]);
    s
}

/// A random key below `range`, again until `accept` takes the value there: the rejection
/// sampling a user of `slab` writes.
#[inline(always)]
fn reject<'a, T>(
    s: &'a slab::Slab<T>,
    range: usize,
    rng: &mut SmallRng,
    accept: impl Fn(&T) -> bool,
) -> (usize, &'a T) {
    loop {
        let k = rng.random_range(0..range);
        if let Some(v) = s.get(k) {
            if accept(v) {
                return (k, v);
            }
        }
    }
}

fn method(what: &str, ctx: &Ctx) -> String {
    let cfg = &ctx.cfg;
    format!(
        "op = one uniformly random {what} and a read of it (`no read`: the pick alone); \
         HiSlab: its sampling method, slab: a random key below capacity() until it hits \
         (rejection); SmallRng seeded alike; at least {WARMUP_MS} ms of picks unrecorded, then \
         {PICKS} ops per timestamp pair, {} samples in {} rounds, \
         per-op = (pair − overhead) / {PICKS}, resolution {:.2} {UNIT}/op",
        SIZES.of(cfg).samples,
        cfg.extra_rounds,
        ctx.clock.resolution() as f64 / PICKS as f64
    )
}

/// Table id at `slots` slots.
fn id(slots: u32) -> String {
    format!("{}_{}_32B", WORKLOAD.name, binary_size(u64::from(slots)))
}

/// Table id of the tagged table with `live` values.
fn tagged_id(live: u32) -> String {
    format!(
        "{}_tagged-1pct-of-{}_32B",
        WORKLOAD.name,
        binary_size(u64::from(live))
    )
}

/// One table per slot count, then the tagged table.
fn run(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> Vec<LatencyTable> {
    let cfg = &ctx.cfg;
    let samples = SIZES.of(cfg).samples;
    let mut out = Vec::new();
    for slots in SIZES.of(cfg).slots {
        let live = one_in_100(slots, LIVE_SEED);
        let count = live.iter().filter(|&&l| l).count();
        let live = &live[..];
        let contenders = vec![
            Contender::new("HiSlab", true, move |rounds| {
                let s = sparse_hislab(live);
                let mut rng = SmallRng::seed_from_u64(SEED);
                batched(ctx, samples.div_ceil(rounds), PICKS, WARMUP_MS, || {
                    let (k, v) = s.random_occupied(&mut rng).expect("live values");
                    black_box((k, v.touch()));
                })
            }),
            Contender::new("HiSlab (no read)", true, move |rounds| {
                let s = sparse_hislab(live);
                let mut rng = SmallRng::seed_from_u64(SEED);
                batched(ctx, samples.div_ceil(rounds), PICKS, WARMUP_MS, || {
                    let (k, v) = s.random_occupied(&mut rng).expect("live values");
                    black_box((k, v as *const V32));
                })
            }),
            Contender::new("slab rejection", false, move |rounds| {
                let s = sparse_slab(live);
                let range = s.capacity();
                let mut rng = SmallRng::seed_from_u64(SEED);
                batched(ctx, samples.div_ceil(rounds), PICKS, WARMUP_MS, || {
                    let (k, v) = reject(&s, range, &mut rng, |_| true);
                    black_box((k, v.touch()));
                })
            }),
        ];
        let size = binary_size(u64::from(slots));
        let info = TableInfo {
            workload: WORKLOAD.name,
            id: id(slots),
            title: format!("{} {size} slots 1% live, 32-byte values", WORKLOAD.name),
            method: format!(
                "{}; {slots} slots, {count} live (each kept with probability 1/100)",
                method("live value", ctx)
            ),
            value_bytes: V32::BYTES,
        };
        out.push(take_turns(info, cfg.extra_rounds, contenders, progress));
    }

    let n = cfg.tagged_live;
    let tags = one_in_100(n, TAG_SEED);
    let count = tags.iter().filter(|&&t| t).count();
    let tags = &tags[..];
    let contenders = vec![
        Contender::new("TaggedHiSlab", true, move |rounds| {
            let s = tagged_store(tags);
            let mut rng = SmallRng::seed_from_u64(SEED);
            batched(ctx, samples.div_ceil(rounds), PICKS, WARMUP_MS, || {
                let (k, v) = s.random_tagged(&mut rng).expect("tagged values");
                black_box((k, v.touch()));
            })
        }),
        Contender::new("Tagged (no read)", true, move |rounds| {
            let s = tagged_store(tags);
            let mut rng = SmallRng::seed_from_u64(SEED);
            batched(ctx, samples.div_ceil(rounds), PICKS, WARMUP_MS, || {
                let (k, v) = s.random_tagged(&mut rng).expect("tagged values");
                black_box((k, v as *const Item));
            })
        }),
        Contender::new("slab rejection", false, move |rounds| {
            let s = flagged_slab(tags);
            let range = s.capacity();
            let mut rng = SmallRng::seed_from_u64(SEED);
            batched(ctx, samples.div_ceil(rounds), PICKS, WARMUP_MS, || {
                let (k, v) = reject(&s, range, &mut rng, |v| v.tagged);
                black_box((k, v.touch()));
            })
        }),
    ];
    let size = binary_size(u64::from(n));
    let info = TableInfo {
        workload: WORKLOAD.name,
        id: tagged_id(n),
        title: format!("{} tagged, 1% of {size} live, 32-byte values", WORKLOAD.name),
        method: format!(
            "{}; {n} live values (every slot), {count} tagged (each with probability 1/100; \
             slab: a flag in the value)",
            method("tagged value", ctx)
        ),
        value_bytes: std::mem::size_of::<Item>(),
    };
    out.push(take_turns(info, cfg.extra_rounds, contenders, progress));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_constants_are_the_default_runs_ids() {
        use crate::workloads::Config;
        for cfg in [Config::full(), Config::quick()] {
            let ids: Vec<String> = SIZES.of(&cfg).slots.map(id).into();
            assert_eq!(ids, [SLOTS_64KI, SLOTS_1MI, SLOTS_16MI]);
            assert_eq!(tagged_id(cfg.tagged_live), TAGGED);
        }
    }

    #[test]
    fn both_samplers_pick_only_live_values() {
        let live = one_in_100(4096, LIVE_SEED);
        let h = sparse_hislab(&live);
        let s = sparse_slab(&live);
        assert_eq!(h.len() as usize, s.len());
        assert_eq!(s.capacity(), 4096);
        let mut rng = SmallRng::seed_from_u64(SEED);
        for _ in 0..200 {
            let (k, v) = h.random_occupied(&mut rng).unwrap();
            assert!(live[k as usize] && v.touch() == u64::from(k));
            let (k, v) = reject(&s, s.capacity(), &mut rng, |_| true);
            assert!(live[k] && v.touch() == k as u64);
        }
    }
}

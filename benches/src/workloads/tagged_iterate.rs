//! Tagged iteration: visit the tagged values of a `TaggedHiSlab` (1% of its live values),
//! against what a user without tags writes: iterate every live value and test a flag kept
//! in the value (on `HiSlab` and on `slab::Slab`). The figure is per tagged value.

use super::setup::SEED;
use super::{take_turns, Contender, Ctx, LatencyTable, Outcome, TableInfo, Workload};
use crate::rng::seeded;
use rand::RngExt as _;
use crate::stats::Recorder;
use crate::timing::{start, stop};
use nexus_slab::{HiSlab, TaggedHiSlab};
use std::hint::black_box;

/// The tagged-iteration workload.
pub const WORKLOAD: Workload = Workload {
    name: "tagged-iterate",
    describe: "visit the 1% tagged of 1 Mi live values; against all + filter; per tagged",
    run: |ctx, progress| vec![Outcome::Latency(run(ctx, progress))],
};

/// The table of the default and `--quick` runs (its id names the live count, which the
/// tests' preset shrinks).
pub const TABLE: &str = "tagged-iterate_1pct-of-1Mi_32B";

/// A 32-byte value carrying its own "tagged" flag (the filter of the peers tests it; the
/// tagged store keeps it too, so every store holds the same bytes).
#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub(crate) struct Item {
    /// Whether the value belongs to the subset.
    pub tagged: bool,
    words: [u64; 3],
}

impl Item {
    /// A value built from `seed`, flagged or not.
    #[inline(always)]
    pub(crate) fn new(seed: u64, tagged: bool) -> Item {
        Item {
            tagged,
            words: [seed; 3],
        }
    }

    /// Reads the value (one word: it lies in one cache line).
    #[inline(always)]
    pub(crate) fn touch(&self) -> u64 {
        self.words[0]
    }
}

/// Which of `n` values are tagged (or live): each with probability 1/100, from `seed`.
pub(crate) fn one_in_100(n: u32, seed: u64) -> Vec<bool> {
    let mut r = seeded(seed);
    (0..n).map(|_| r.random_ratio(1, 100)).collect()
}

/// Seed of the tagged subset (the sampling workload's tagged table uses the same).
pub(crate) const TAG_SEED: u64 = SEED ^ 0x7A66;

/// A `TaggedHiSlab` of `tags.len()` live values (no vacant slot), `tags[i]` tagged.
pub(crate) fn tagged_store(tags: &[bool]) -> TaggedHiSlab<Item> {
    let n = u32::try_from(tags.len()).expect("fits u32");
    let s = TaggedHiSlab::new(n, n).expect("TaggedHiSlab reservation");
    for (i, &t) in tags.iter().enumerate() {
        let v = Item::new(i as u64, t);
        if t {
            s.insert_tagged(v);
        } else {
            s.insert(v);
        }
    }
    s
}

/// A `slab::Slab` of `tags.len()` live values, flagged as `tags` says.
pub(crate) fn flagged_slab(tags: &[bool]) -> slab::Slab<Item> {
    let mut s = slab::Slab::with_capacity(tags.len());
    for (i, &t) in tags.iter().enumerate() {
        s.insert(Item::new(i as u64, t));
    }
    s
}

/// Times `passes` full passes (after 2 unrecorded ones); each sample is one pass, divided by
/// `found` values.
fn passes(ctx: &Ctx, passes: usize, found: usize, mut pass: impl FnMut() -> u64) -> Recorder {
    let mut rec = Recorder::new(found.max(1) as u64);
    let warmup = 2;
    for i in 0..warmup + passes {
        let t0 = start();
        black_box(pass());
        let t1 = stop();
        if i >= warmup {
            rec.record(ctx.clock.elapsed(t0, t1));
        }
    }
    rec
}

/// Table id with `live` values.
pub(crate) fn id(live: u32) -> String {
    format!(
        "{}_1pct-of-{}_32B",
        WORKLOAD.name,
        super::binary_size(u64::from(live))
    )
}

/// The tagged-iteration table.
fn run(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> LatencyTable {
    let cfg = &ctx.cfg;
    let live = cfg.tagged_live;
    let tags = one_in_100(live, TAG_SEED);
    let found = tags.iter().filter(|&&t| t).count();
    let n = cfg.iter_passes;
    let tags = &tags[..];
    let contenders = vec![
        Contender::new("TaggedHiSlab", true, move |rounds| {
            let s = tagged_store(tags);
            passes(ctx, n.div_ceil(rounds), found, || {
                let mut sum = 0u64;
                s.for_each_tagged(|_, v| sum = sum.wrapping_add(v.touch()));
                sum
            })
        }),
        Contender::new("HiSlab + filter", true, move |rounds| {
            let s = HiSlab::new(live, live).expect("HiSlab reservation");
            for (i, &t) in tags.iter().enumerate() {
                s.insert(Item::new(i as u64, t));
            }
            passes(ctx, n.div_ceil(rounds), found, || {
                let mut sum = 0u64;
                s.for_each_occupied(|_, v| {
                    if v.tagged {
                        sum = sum.wrapping_add(v.touch());
                    }
                });
                sum
            })
        }),
        Contender::new("slab + filter", false, move |rounds| {
            let s = flagged_slab(tags);
            passes(ctx, n.div_ceil(rounds), found, || {
                let mut sum = 0u64;
                for (_, v) in s.iter() {
                    if v.tagged {
                        sum = sum.wrapping_add(v.touch());
                    }
                }
                sum
            })
        }),
    ];
    let size = super::binary_size(u64::from(live));
    let info = TableInfo {
        workload: WORKLOAD.name,
        id: id(live),
        title: format!("{} 1% of {size} live, 32-byte values", WORKLOAD.name),
        method: format!(
            "op = visiting (reading) one tagged value: {live} live values (every slot), {found} \
             tagged (each with probability 1/100); TaggedHiSlab for_each_tagged, the others \
             visit every live value and test a flag in it; one full pass per timestamp pair, \
             {n} passes in {} rounds, per-op = (pass − overhead) / {found}",
            cfg.extra_rounds
        ),
        value_bytes: std::mem::size_of::<Item>(),
    };
    take_turns(info, cfg.extra_rounds, contenders, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_constant_is_the_default_runs_id() {
        use crate::workloads::Config;
        for cfg in [Config::full(), Config::quick()] {
            assert_eq!(id(cfg.tagged_live), TABLE);
        }
    }

    #[test]
    fn the_stores_agree_on_the_tagged_values() {
        assert_eq!(std::mem::size_of::<Item>(), 32);
        let tags = one_in_100(5_000, TAG_SEED);
        let expect: Vec<u64> = (0..5_000u64).filter(|&i| tags[i as usize]).collect();
        assert!(!expect.is_empty());
        let t = tagged_store(&tags);
        let mut got = Vec::new();
        t.for_each_tagged(|_, v| got.push(v.touch()));
        assert_eq!(got, expect);
        let s = flagged_slab(&tags);
        let got: Vec<u64> = s
            .iter()
            .filter(|(_, v)| v.tagged)
            .map(|(_, v)| v.touch())
            .collect();
        assert_eq!(got, expect);
    }
}

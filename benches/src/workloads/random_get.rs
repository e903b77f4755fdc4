//! Random get: read live values in a random order fixed before timing.

use super::setup::{drop_all, fill, get_once, SEED};
use super::{every_system, BySize, Ctx, Measure, Outcome, SystemTables, Workload};
use crate::payload::Payload;
use crate::rng::{permutation, seeded};
use crate::stats::Recorder;
use crate::systems::IndexSlab;
use crate::timing::{start, stop, UNIT};

/// The random-get workload.
pub const WORKLOAD: Workload = Workload {
    name: "random-get",
    describe: "read one of 100k live values in a precomputed random order",
    run,
};

/// Its tables.
pub const TABLES: BySize = BySize {
    b32: "random-get_32B",
    b256: "random-get_256B",
};

fn run(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> Vec<Outcome> {
    let cfg = &ctx.cfg;
    let t = SystemTables {
        workload: WORKLOAD.name,
        ids: TABLES,
        title: WORKLOAD.name.to_string(),
        method: format!(
            "op = get (read) of one of {} live values, random order precomputed; {} ops per \
             timestamp pair, {} samples in {} rounds, per-op = (pair − overhead) / {}, \
             resolution {:.2} {UNIT}/op",
            cfg.live,
            cfg.batch,
            cfg.samples,
            cfg.rounds,
            cfg.batch,
            ctx.clock.resolution() as f64 / cfg.batch as f64
        ),
        rounds: cfg.rounds,
    };
    every_system(ctx, t, &RandomGet, progress).into()
}

/// The random-get workload.
pub(crate) struct RandomGet;

impl Measure for RandomGet {
    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Recorder> {
        let cfg = &ctx.cfg;
        debug_assert_eq!(rounds, cfg.rounds);
        let mut s = S::with_capacity(cfg.live);
        let handles = fill(&mut s, cfg.live);
        // A random order of all live values, walked in batches; a batch that would run
        // past the end starts again from the beginning.
        let perm = permutation(&mut seeded(SEED), cfg.live as u32);
        let mut rec = Recorder::new(cfg.batch as u64);
        let mut at = 0;
        for i in 0..cfg.warmup() + cfg.samples_per_round() {
            if at + cfg.batch > perm.len() {
                at = 0;
            }
            let order = &perm[at..at + cfg.batch];
            let t0 = start();
            for &k in order {
                get_once(&s, &handles[k as usize]);
            }
            let t1 = stop();
            at += cfg.batch;
            if i >= cfg.warmup() {
                rec.record(ctx.clock.elapsed(t0, t1));
            }
        }
        drop_all(s, handles);
        Some(rec)
    }
}

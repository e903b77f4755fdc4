//! Random get: read live values in a random order fixed before timing.

use super::setup::{drop_all, fill, get_once, SEED};
use super::{Config, Ctx, Measure, Measured};
use crate::payload::Payload;
use crate::rng::Rng;
use crate::stats::Recorder;
use crate::systems::IndexSlab;
use crate::timing::{start, stop};

/// The random-get workload.
pub(crate) struct RandomGet;

impl Measure for RandomGet {
    fn rounds(&self, cfg: &Config) -> usize {
        cfg.rounds
    }

    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Measured> {
        let cfg = &ctx.cfg;
        debug_assert_eq!(rounds, cfg.rounds);
        let mut s = S::with_capacity(cfg.live);
        let handles = fill(&mut s, cfg.live);
        // A random order of all live values, walked in batches; a batch that would run
        // past the end starts again from the beginning.
        let perm = Rng::new(SEED).permutation(cfg.live as u32);
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
        Some(rec.into())
    }
}

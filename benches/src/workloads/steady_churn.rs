//! Steady churn: at a fixed live count, remove a random live value and insert a new one.

use super::setup::{drop_all, fill, positions, replace_once, SEED};
use super::{Config, Ctx, Measure, Measured};
use crate::payload::Payload;
use crate::stats::Recorder;
use crate::systems::IndexSlab;
use crate::timing::{start, stop};

/// Positions precomputed (then cycled through).
const POSITIONS: usize = 1 << 16;

/// The steady-churn workload.
pub(crate) struct SteadyChurn;

impl Measure for SteadyChurn {
    fn rounds(&self, cfg: &Config) -> usize {
        cfg.rounds
    }

    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Measured> {
        let cfg = &ctx.cfg;
        debug_assert_eq!(rounds, cfg.rounds);
        let mut s = S::with_capacity(cfg.live);
        let mut handles = fill(&mut s, cfg.live);
        let pos = positions(cfg.live, POSITIONS.max(cfg.batch), SEED);
        let mut rec = Recorder::new(cfg.batch as u64);
        let mut at = 0;
        let mut seed = cfg.live as u64;
        for i in 0..cfg.warmup() + cfg.samples_per_round() {
            if at + cfg.batch > pos.len() {
                at = 0;
            }
            let ps = &pos[at..at + cfg.batch];
            let t0 = start();
            for &p in ps {
                replace_once(&mut s, &mut handles, p as usize, seed);
                seed += 1;
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

//! Iteration: visit every live value of a store of `iter_slots` slots of which `percent`%
//! are live (chosen at random). The figure is per live value.

use super::setup::{drop_all, sparse, visit_all, SEED};
use super::{Config, Ctx, Measure, Measured};
use crate::payload::Payload;
use crate::stats::Recorder;
use crate::systems::IndexSlab;
use crate::timing::{start, stop};

/// The iteration workload at one live fraction.
pub(crate) struct Iterate {
    /// Percent of slots live.
    pub percent: usize,
}

impl Measure for Iterate {
    /// Two: each round builds its (large) store afresh, which costs more than its passes.
    fn rounds(&self, _cfg: &Config) -> usize {
        2
    }

    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Measured> {
        if !S::ITERATES {
            return None;
        }
        let cfg = &ctx.cfg;
        let (s, kept) = sparse::<V, S>(cfg.iter_slots, self.percent, SEED);
        let mut rec = Recorder::new(kept.len().max(1) as u64);
        let warmup = 2;
        for i in 0..warmup + cfg.iter_passes.div_ceil(rounds) {
            let t0 = start();
            visit_all(&s);
            let t1 = stop();
            if i >= warmup {
                rec.record(ctx.clock.elapsed(t0, t1));
            }
        }
        drop_all(s, kept);
        Some(rec.into())
    }
}

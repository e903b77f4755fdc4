//! Churn: insert a value, read it, remove it, repeated on an otherwise empty store.

use super::setup::churn_once;
use super::{Config, Ctx, Measure, Measured};
use crate::payload::Payload;
use crate::stats::Recorder;
use crate::systems::IndexSlab;
use crate::timing::{start, stop};

/// Capacity every store is created with for churn and batch.
pub(crate) const CAPACITY: usize = 1 << 20;

/// The churn workload.
pub(crate) struct Churn;

impl Measure for Churn {
    fn rounds(&self, cfg: &Config) -> usize {
        cfg.rounds
    }

    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Measured> {
        let cfg = &ctx.cfg;
        debug_assert_eq!(rounds, cfg.rounds);
        let mut s = S::with_capacity(CAPACITY);
        let mut rec = Recorder::new(cfg.batch as u64);
        let mut seed = 0u64;
        for i in 0..cfg.warmup() + cfg.samples_per_round() {
            let t0 = start();
            for _ in 0..cfg.batch {
                churn_once(&mut s, seed);
                seed += 1;
            }
            let t1 = stop();
            if i >= cfg.warmup() {
                rec.record(ctx.clock.elapsed(t0, t1));
            }
        }
        Some(rec.into())
    }
}

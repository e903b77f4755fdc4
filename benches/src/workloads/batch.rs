//! Batch: insert 64 values, then remove the 64 in insertion order.

use super::{Config, Ctx, Measure, Measured};
use crate::payload::Payload;
use crate::stats::Recorder;
use crate::systems::IndexSlab;
use crate::timing::{start, stop};
use std::hint::black_box;

/// The batch workload.
pub(crate) struct Batch;

impl Measure for Batch {
    fn rounds(&self, cfg: &Config) -> usize {
        cfg.rounds
    }

    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Measured> {
        let cfg = &ctx.cfg;
        debug_assert_eq!(rounds, cfg.rounds);
        let mut s = S::with_capacity(super::churn::CAPACITY);
        let mut handles = Vec::with_capacity(cfg.batch_len);
        let mut rec = Recorder::new(cfg.batch_len as u64);
        let mut seed = 0u64;
        for i in 0..cfg.warmup() + cfg.samples_per_round() {
            let t0 = start();
            for _ in 0..cfg.batch_len {
                handles.push(black_box(s.insert(black_box(V::new(seed)))));
                seed += 1;
            }
            for h in handles.drain(..) {
                black_box(s.remove(h));
            }
            let t1 = stop();
            if i >= cfg.warmup() {
                rec.record(ctx.clock.elapsed(t0, t1));
            }
        }
        Some(rec.into())
    }
}

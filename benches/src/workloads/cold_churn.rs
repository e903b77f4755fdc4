//! Cold churn: the churn operation timed alone, after walking a buffer larger than the
//! last-level cache so the store's metadata and values are no longer cached.

use super::setup::churn_once;
use super::{Config, Ctx, Measure, Measured};
use crate::payload::Payload;
use crate::stats::Recorder;
use crate::systems::IndexSlab;
use crate::timing::{start, stop};
use std::cell::Cell;
use std::hint::black_box;

/// The cold-churn workload, holding the buffer it walks.
pub(crate) struct ColdChurn {
    buf: Vec<Cell<u64>>,
}

impl ColdChurn {
    /// A workload walking `flush_bytes` bytes between operations.
    pub(crate) fn new(flush_bytes: usize) -> ColdChurn {
        // Written once so every page is faulted in before timing.
        ColdChurn {
            buf: (0..flush_bytes / 8).map(|_| Cell::new(1)).collect(),
        }
    }

    /// Increments one word of every cache line of the buffer. Writing (rather than only
    /// reading) leaves the lines dirty, which evicted the stores' lines more reliably here.
    fn flush(&self) {
        for c in self.buf.iter().step_by(8) {
            c.set(c.get().wrapping_add(1));
        }
        black_box(&self.buf);
    }
}

impl Measure for ColdChurn {
    fn rounds(&self, cfg: &Config) -> usize {
        cfg.rounds
    }

    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Measured> {
        let cfg = &ctx.cfg;
        let mut s = S::with_capacity(super::churn::CAPACITY);
        let mut rec = Recorder::new(1);
        let samples = cfg.cold_samples.div_ceil(rounds);
        let warmup = (samples / 10).max(1);
        for i in 0..warmup + samples {
            self.flush();
            let t0 = start();
            churn_once(&mut s, i as u64);
            let t1 = stop();
            if i >= warmup {
                rec.record(ctx.clock.elapsed(t0, t1));
            }
        }
        Some(rec.into())
    }
}

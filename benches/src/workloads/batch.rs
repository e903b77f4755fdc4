//! Batch: insert 64 values, then remove the 64 in insertion order; in the tight or the
//! loaded loop.

use super::busy::Busywork;
use super::loops::{round, timed, Loop, Shape};
use super::setup::batch_loop;
use super::{Config, Ctx, Measure, Measured};
use crate::payload::Payload;
use crate::systems::IndexSlab;

/// The batch workload in one loop.
pub(crate) struct Batch {
    /// The loop.
    pub lp: Loop,
}

impl Measure for Batch {
    fn rounds(&self, cfg: &Config) -> usize {
        cfg.rounds
    }

    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Measured> {
        let cfg = &ctx.cfg;
        debug_assert_eq!(rounds, cfg.rounds);
        let mut s = S::with_capacity(super::churn::CAPACITY);
        let len = cfg.batch_len;
        let mut handles = Vec::with_capacity(len);
        let mut busy = Busywork::new();
        let mut seed = 0u64;
        let rec = round(cfg, self.lp, len, |shape| {
            let (s, h, seed, busy) = (&mut s, &mut handles, &mut seed, &mut busy);
            match shape {
                Shape::Op => timed(&ctx.clock, || {
                    batch_loop::<V, S, true, false>(s, h, seed, len, busy);
                }),
                Shape::OpAndBlock => timed(&ctx.clock, || {
                    batch_loop::<V, S, true, true>(s, h, seed, len, busy);
                }),
                Shape::Block => timed(&ctx.clock, || {
                    batch_loop::<V, S, false, true>(s, h, seed, len, busy);
                }),
            }
        });
        Some(rec.into())
    }
}

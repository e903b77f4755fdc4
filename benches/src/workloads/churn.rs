//! Churn: insert a value, read it, remove it, repeated on an otherwise empty store; in the
//! tight or the loaded loop.

use super::busy::Busywork;
use super::loops::{round, timed, Loop, Shape};
use super::setup::churn_loop;
use super::{Config, Ctx, Measure, Measured};
use crate::payload::Payload;
use crate::systems::IndexSlab;

/// Capacity every store is created with for churn and batch.
pub(crate) const CAPACITY: usize = 1 << 20;

/// The churn workload in one loop.
pub(crate) struct Churn {
    /// The loop.
    pub lp: Loop,
}

impl Measure for Churn {
    fn rounds(&self, cfg: &Config) -> usize {
        cfg.rounds
    }

    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Measured> {
        let cfg = &ctx.cfg;
        debug_assert_eq!(rounds, cfg.rounds);
        let mut s = S::with_capacity(CAPACITY);
        let mut busy = Busywork::new();
        let mut seed = 0u64;
        let ops = cfg.loop_ops(self.lp);
        let rec = round(cfg, self.lp, ops, |shape| {
            let (s, seed, busy) = (&mut s, &mut seed, &mut busy);
            match shape {
                Shape::Op => timed(&ctx.clock, || {
                    churn_loop::<V, S, true, false>(s, seed, ops, busy);
                }),
                Shape::OpAndBlock => timed(&ctx.clock, || {
                    churn_loop::<V, S, true, true>(s, seed, ops, busy);
                }),
                Shape::Block => timed(&ctx.clock, || {
                    churn_loop::<V, S, false, true>(s, seed, ops, busy);
                }),
            }
        });
        Some(rec.into())
    }
}

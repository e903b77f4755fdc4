//! Steady churn: at a fixed live count, remove a random live value and insert a new one; in
//! the tight or the loaded loop.

use super::busy::Busywork;
use super::loops::{round, timed, Loop, Shape};
use super::setup::{drop_all, fill, positions, steady_loop, SEED};
use super::{Config, Ctx, Measure, Measured};
use crate::payload::Payload;
use crate::systems::IndexSlab;

/// Positions precomputed (then cycled through).
pub(crate) const POSITIONS: usize = 1 << 16;

/// The steady-churn workload in one loop.
pub(crate) struct SteadyChurn {
    /// The loop.
    pub lp: Loop,
}

impl Measure for SteadyChurn {
    fn rounds(&self, cfg: &Config) -> usize {
        cfg.rounds
    }

    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Measured> {
        let cfg = &ctx.cfg;
        debug_assert_eq!(rounds, cfg.rounds);
        let ops = cfg.loop_ops(self.lp);
        let mut s = S::with_capacity(cfg.live);
        let mut handles = fill(&mut s, cfg.live);
        let pos = positions(cfg.live, POSITIONS.max(ops), SEED);
        let mut busy = Busywork::new();
        let mut at = 0;
        let mut seed = cfg.live as u64;
        let rec = round(cfg, self.lp, ops, |shape| {
            if at + ops > pos.len() {
                at = 0;
            }
            let ps = &pos[at..at + ops];
            at += ops;
            let (s, h, seed, busy) = (&mut s, &mut handles, &mut seed, &mut busy);
            match shape {
                Shape::Op => timed(&ctx.clock, || {
                    steady_loop::<V, S, true, false>(s, h, ps, seed, busy);
                }),
                Shape::OpAndBlock => timed(&ctx.clock, || {
                    steady_loop::<V, S, true, true>(s, h, ps, seed, busy);
                }),
                Shape::Block => timed(&ctx.clock, || {
                    steady_loop::<V, S, false, true>(s, h, ps, seed, busy);
                }),
            }
        });
        drop_all(s, handles);
        Some(rec.into())
    }
}

//! Steady churn: at a fixed live count, remove a random live value and insert a new one; in
//! the tight or the loaded loop.

use super::busy::Busywork;
use super::loops::{self, round, timed, Loop, Shape};
use super::setup::{drop_all, fill, positions, steady_loop, SEED};
use super::{every_system, BySize, Ctx, Measure, Outcome, SystemTables, Workload};
use crate::payload::Payload;
use crate::stats::Recorder;
use crate::systems::IndexSlab;

/// The steady-churn workload.
pub const WORKLOAD: Workload = Workload {
    name: "steady-churn",
    describe: "100k live: remove a random value, insert one; op = the pair; tight and loaded",
    run,
};

/// Tables of the tight loop.
pub const TIGHT: BySize = BySize {
    b32: "steady-churn_tight_32B",
    b256: "steady-churn_tight_256B",
};

/// Tables of the loaded loop.
pub const LOADED: BySize = BySize {
    b32: "steady-churn_loaded_32B",
    b256: "steady-churn_loaded_256B",
};

fn run(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> Vec<Outcome> {
    let what = format!(
        "op = remove a random live value + insert a new one, {} live",
        ctx.cfg.live
    );
    let mut out = Vec::new();
    for (lp, ids) in [(Loop::Tight, TIGHT), (Loop::Loaded, LOADED)] {
        let t = SystemTables {
            workload: WORKLOAD.name,
            ids,
            title: format!("{} {}", WORKLOAD.name, lp.name()),
            method: loops::method(ctx, &what, lp, ctx.cfg.loop_ops(lp)),
            rounds: ctx.cfg.rounds,
        };
        out.extend(every_system(ctx, t, &SteadyChurn { lp }, progress));
    }
    out
}

/// Positions precomputed (then cycled through).
pub(crate) const POSITIONS: usize = 1 << 16;

/// The steady-churn workload in one loop.
pub(crate) struct SteadyChurn {
    /// The loop.
    pub lp: Loop,
}

impl Measure for SteadyChurn {
    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Recorder> {
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
        Some(rec)
    }
}

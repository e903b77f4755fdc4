//! Churn: insert a value, read it, remove it, repeated on an otherwise empty store; in the
//! tight or the loaded loop.

use super::busy::Busywork;
use super::loops::{self, round, timed, Loop, Shape};
use super::setup::churn_loop;
use super::{every_system, BySize, Ctx, Measure, Outcome, SystemTables, Workload};
use crate::payload::Payload;
use crate::stats::Recorder;
use crate::systems::IndexSlab;

/// The churn workload.
pub const WORKLOAD: Workload = Workload {
    name: "churn",
    describe: "insert, read, remove one value; op = the triple; tight and loaded loops",
    run,
};

/// Tables of the tight loop.
pub const TIGHT: BySize = BySize {
    b32: "churn_tight_32B",
    b256: "churn_tight_256B",
};

/// Tables of the loaded loop.
pub const LOADED: BySize = BySize {
    b32: "churn_loaded_32B",
    b256: "churn_loaded_256B",
};

/// Capacity every store is created with for churn and batch.
pub(crate) const CAPACITY: usize = 1 << 20;

/// The churn workload in one loop.
pub(crate) struct Churn {
    /// The loop.
    pub lp: Loop,
}

fn run(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> Vec<Outcome> {
    let what = format!("op = insert + get + remove of one value, empty store of capacity {CAPACITY}");
    let mut out = Vec::new();
    for (lp, ids) in [(Loop::Tight, TIGHT), (Loop::Loaded, LOADED)] {
        let t = SystemTables {
            workload: WORKLOAD.name,
            ids,
            title: format!("{} {}", WORKLOAD.name, lp.name()),
            method: loops::method(ctx, &what, lp, ctx.cfg.loop_ops(lp)),
            rounds: ctx.cfg.rounds,
        };
        out.extend(every_system(ctx, t, &Churn { lp }, progress));
    }
    out
}

impl Measure for Churn {
    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Recorder> {
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
        Some(rec)
    }
}

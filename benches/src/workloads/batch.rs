//! Batch: insert 64 values, then remove the 64 in insertion order; in the tight or the
//! loaded loop.

use super::busy::Busywork;
use super::loops::{self, round, timed, Loop, Shape};
use super::setup::batch_loop;
use super::{every_system, BySize, Ctx, Measure, Outcome, SystemTables, Workload};
use crate::payload::Payload;
use crate::stats::Recorder;
use crate::systems::IndexSlab;

/// The batch workload.
pub const WORKLOAD: Workload = Workload {
    name: "batch",
    describe: "insert 64 values then remove the 64; op = insert + remove; tight and loaded",
    run,
};

/// Tables of the tight loop.
pub const TIGHT: BySize = BySize {
    b32: "batch_tight_32B",
    b256: "batch_tight_256B",
};

/// Tables of the loaded loop.
pub const LOADED: BySize = BySize {
    b32: "batch_loaded_32B",
    b256: "batch_loaded_256B",
};

fn run(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> Vec<Outcome> {
    let len = ctx.cfg.batch_len;
    let what = format!("op = one insert + one remove: {len} inserts then the {len} removes");
    let mut out = Vec::new();
    for (lp, ids) in [(Loop::Tight, TIGHT), (Loop::Loaded, LOADED)] {
        let t = SystemTables {
            workload: WORKLOAD.name,
            ids,
            title: format!("{} {}", WORKLOAD.name, lp.name()),
            method: loops::method(ctx, &what, lp, len),
            rounds: ctx.cfg.rounds,
        };
        out.extend(every_system(ctx, t, &Batch { lp }, progress));
    }
    out
}

/// The batch workload in one loop.
pub(crate) struct Batch {
    /// The loop.
    pub lp: Loop,
}

impl Measure for Batch {
    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Recorder> {
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
        Some(rec)
    }
}

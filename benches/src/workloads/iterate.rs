//! Iteration: visit every live value of a store of [`SLOTS`] slots of which `percent`%
//! are live (chosen at random). The figure is per live value.

use super::setup::{drop_all, sparse, visit_all, SEED};
use super::{every_system, BySize, Ctx, Measure, Outcome, Presets, SystemTables, Workload};
use crate::payload::Payload;
use crate::stats::Recorder;
use crate::systems::IndexSlab;
use crate::timing::{start, stop};

/// The iteration workload.
pub const WORKLOAD: Workload = Workload {
    name: "iterate",
    describe: "visit the live values of 1 Mi slots (1% / 50% live); per value",
    run,
};

/// Slots of the store.
pub const SLOTS: Presets<usize> = Presets {
    full: 1 << 20,
    quick: 1 << 20,
    tiny: 4_096,
};

/// Tables at 1% live.
pub const PCT1: BySize = BySize {
    b32: "iterate_1pct_32B",
    b256: "iterate_1pct_256B",
};

/// Tables at 50% live.
pub const PCT50: BySize = BySize {
    b32: "iterate_50pct_32B",
    b256: "iterate_50pct_256B",
};

/// Rounds: two, each building its (large) store afresh, which costs more than its passes.
const ROUNDS: usize = 2;

fn run(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> Vec<Outcome> {
    let mut out = Vec::new();
    for (percent, ids) in [(1, PCT1), (50, PCT50)] {
        let t = SystemTables {
            workload: WORKLOAD.name,
            ids,
            title: format!("{} {percent}pct", WORKLOAD.name),
            method: format!(
                "op = visiting (reading) one live value: one full pass over {} slots \
                 with {percent}% live per timestamp pair, {} passes in 2 rounds, \
                 per-op = (pass − overhead) / live",
                SLOTS.of(&ctx.cfg),
                ctx.cfg.iter_passes
            ),
            rounds: ROUNDS,
        };
        out.extend(every_system(ctx, t, &Iterate { percent }, progress));
    }
    out
}

/// The iteration workload at one live fraction.
pub(crate) struct Iterate {
    /// Percent of slots live.
    pub percent: usize,
}

impl Measure for Iterate {
    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Recorder> {
        if !S::ITERATES {
            return None;
        }
        let cfg = &ctx.cfg;
        let (s, kept) = sparse::<V, S>(*SLOTS.of(cfg), self.percent, SEED);
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
        Some(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timing::Clock;
    use crate::workloads::Config;

    /// The four systems that keep an index of their values iterate; the five others cannot.
    #[test]
    fn only_the_indexed_systems_iterate() {
        let ctx = Ctx {
            cfg: Config::tiny(),
            clock: Clock::raw(),
            exe: None,
        };
        for o in run(&ctx, &mut |_| {}) {
            let Outcome::Latency(t) = o else {
                panic!("a latency table")
            };
            assert_eq!((t.rows.len(), t.not_run.len()), (4, 5), "{}", t.id);
        }
    }
}

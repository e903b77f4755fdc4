//! The two loops churn, batch and steady churn are timed in, and how a round of each is
//! recorded.
//!
//! - `tight`: the operations back to back, as the peers' own benches write them (the value
//!   built in registers and passed straight to `insert`, only a reference escapes).
//! - `loaded`: every operation followed by a [`Busywork`](super::busy::Busywork) block of
//!   about 100 instructions, reported as the marginal cost over the block alone: what an
//!   operation adds to a program that does other work between operations, where a store's
//!   dependency chains can overlap with that work (or not).

use super::{Config, Ctx};
use crate::stats::Recorder;
use crate::timing::{start, stop, Clock, UNIT};

/// One of the two loops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loop {
    /// Operations back to back.
    Tight,
    /// Every operation beside a block of independent work, the block alone subtracted.
    Loaded,
}

impl Loop {
    /// Both loops, in report order.
    pub const ALL: [Loop; 2] = [Loop::Tight, Loop::Loaded];

    /// The name in table ids (`churn_tight_32B`).
    pub fn name(self) -> &'static str {
        match self {
            Loop::Tight => "tight",
            Loop::Loaded => "loaded",
        }
    }

    /// How the loop is built and its figure computed, for a table's method line.
    pub fn method(self) -> &'static str {
        match self {
            Loop::Tight => {
                "tight loop: each value built in registers and passed straight to insert; \
                 only a reference goes through black_box (the one get returns in churn, the \
                 new handle where it is kept in batch and steady churn); removed values are \
                 dropped, not read"
            }
            Loop::Loaded => {
                "loaded loop: the tight loop's ops, each followed by one block of ~100 \
                 instructions of independent work (2 rounds of xorshift-multiply over 4 words \
                 no store touches; batch: one block after every insert and every remove); \
                 right before, in the same round, the same loop with the block alone is \
                 timed; per-op = (sample − median block-alone sample, clamped at 0) / ops"
            }
        }
    }
}

/// The method line of a table timed in loop `lp` with `ops` operations per timestamp pair:
/// `what` (what one op is), then how the loop is built and the samples were taken.
pub(crate) fn method(ctx: &Ctx, what: &str, lp: Loop, ops: usize) -> String {
    let cfg = &ctx.cfg;
    format!(
        "{what}; {}; {ops} ops per timestamp pair, {} samples in {} rounds, \
         per-op = (pair − overhead) / {ops}, resolution {:.2} {UNIT}/op",
        lp.method(),
        cfg.samples,
        cfg.rounds,
        ctx.clock.resolution() as f64 / ops as f64
    )
}

/// What one timestamp pair of a loop workload runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The operations alone (the tight loop).
    Op,
    /// Each operation followed by the block (the loaded loop).
    OpAndBlock,
    /// The block alone, as many times as the loaded loop runs it (its baseline).
    Block,
}

/// Times `f` between one timestamp pair; the clock's overhead subtracted.
#[inline(always)]
pub(crate) fn timed(clock: &Clock, f: impl FnOnce()) -> u64 {
    let t0 = start();
    f();
    let t1 = stop();
    clock.elapsed(t0, t1)
}

/// One round of a loop workload: `pair(shape)` runs and times one timestamp pair of `ops`
/// operations. Tight: warm-up, then the recorded samples. Loaded: first the block alone
/// (warm-up, then as many samples as will be recorded) for its median, then the loaded loop,
/// each sample recorded less that median (at least 0).
pub(crate) fn round(
    cfg: &Config,
    lp: Loop,
    ops: usize,
    mut pair: impl FnMut(Shape) -> u64,
) -> Recorder {
    let (warmup, samples) = (cfg.warmup(), cfg.samples_per_round());
    let mut rec = Recorder::new(ops as u64);
    let (shape, baseline) = match lp {
        Loop::Tight => (Shape::Op, 0),
        Loop::Loaded => {
            let mut alone = Vec::with_capacity(samples);
            for i in 0..warmup + samples {
                let dt = pair(Shape::Block);
                if i >= warmup {
                    alone.push(dt);
                }
            }
            alone.sort_unstable();
            (
                Shape::OpAndBlock,
                alone.get(alone.len() / 2).copied().unwrap_or(0),
            )
        }
    };
    for i in 0..warmup + samples {
        let dt = pair(shape);
        if i >= warmup {
            rec.record(dt.saturating_sub(baseline));
        }
    }
    rec
}

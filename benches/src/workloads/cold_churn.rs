//! Cold churn: the churn operation timed alone, after walking a buffer larger than the
//! last-level cache so the store's metadata and values are no longer cached.

use super::setup::churn_once;
use super::{every_system, BySize, Ctx, Measure, Outcome, Presets, SystemTables, Workload};
use crate::payload::Payload;
use crate::stats::Recorder;
use crate::systems::IndexSlab;
use crate::timing::{start, stop, UNIT};
use std::cell::Cell;
use std::hint::black_box;

/// The cold-churn workload.
pub const WORKLOAD: Workload = Workload {
    name: "cold-churn",
    describe: "churn triple timed alone after walking a 32 MiB buffer",
    run,
};

/// Its tables.
pub const TABLES: BySize = BySize {
    b32: "cold-churn_32B",
    b256: "cold-churn_256B",
};

/// Its sizes.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Timed operations per system (all rounds together).
    pub samples: usize,
    /// Bytes walked to flush the caches.
    pub flush_bytes: usize,
}

/// Its sizes in each preset.
pub const SIZES: Presets<Sizes> = Presets {
    full: Sizes {
        samples: 1_000,
        flush_bytes: 32 << 20,
    },
    quick: Sizes {
        samples: 100,
        flush_bytes: 32 << 20,
    },
    tiny: Sizes {
        samples: 4,
        flush_bytes: 1 << 16,
    },
};

fn run(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> Vec<Outcome> {
    let sizes = *SIZES.of(&ctx.cfg);
    let t = SystemTables {
        workload: WORKLOAD.name,
        ids: TABLES,
        title: WORKLOAD.name.to_string(),
        method: format!(
            "op = insert + get (read) + remove, timed alone after walking a {} MiB buffer, \
             {} samples in {} rounds, overhead subtracted, resolution {} {UNIT}",
            sizes.flush_bytes >> 20,
            sizes.samples,
            ctx.cfg.rounds,
            ctx.clock.resolution()
        ),
        rounds: ctx.cfg.rounds,
    };
    let m = ColdChurn::new(sizes.flush_bytes, sizes.samples);
    every_system(ctx, t, &m, progress).into()
}

/// The cold-churn workload, holding the buffer it walks.
pub(crate) struct ColdChurn {
    buf: Vec<Cell<u64>>,
    samples: usize,
}

impl ColdChurn {
    /// A workload walking `flush_bytes` bytes between operations, `samples` of them timed.
    pub(crate) fn new(flush_bytes: usize, samples: usize) -> ColdChurn {
        // Written once so every page is faulted in before timing.
        ColdChurn {
            buf: (0..flush_bytes / 8).map(|_| Cell::new(1)).collect(),
            samples,
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
    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Recorder> {
        let mut s = S::with_capacity(super::churn::CAPACITY);
        let mut rec = Recorder::new(1);
        let samples = self.samples.div_ceil(rounds);
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
        Some(rec)
    }
}

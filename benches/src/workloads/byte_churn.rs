//! Byte-allocator churn of one size: 32 allocations of the same layout, then their 32 frees
//! (in allocation order), per timestamp pair; one op is one alloc + dealloc pair. nexus-slab's
//! `SlabByteAllocator` against `talc`, `buddy_system_allocator` and `linked_list_allocator`,
//! each over a fresh page-aligned region per round.

use super::{take_turns, Contender, Ctx, LatencyTable, Outcome, TableInfo, Workload};
use crate::byte_alloc::{BenchAlloc, Buddy, LinkedList, Nexus, Region, Talc};
use crate::stats::Recorder;
use crate::timing::{start, stop, UNIT};
use std::alloc::Layout;
use std::hint::black_box;
use std::ptr::NonNull;

/// The byte allocators' churn workload.
pub const WORKLOAD: Workload = Workload {
    name: "byte-churn",
    describe: "byte allocators: 32 allocs then 32 deallocs of 64 / 256 / 4096 B; op = the pair",
    run: |ctx, progress| {
        TABLES
            .iter()
            .map(|&(size, id)| Outcome::Latency(table(ctx, size, id, progress)))
            .collect()
    },
};

/// The table of 64-byte requests.
pub const B64: &str = "byte-churn_64B";
/// The table of 256-byte requests.
pub const B256: &str = "byte-churn_256B";
/// The table of 4096-byte requests.
pub const B4096: &str = "byte-churn_4096B";

/// Request sizes, one table each.
const TABLES: [(usize, &str); 3] = [(64, B64), (256, B256), (4096, B4096)];

/// Alloc + dealloc pairs per timestamp pair (in churn and in the mixed workload).
pub(crate) const BATCH: usize = 32;

/// Region per allocator and round (32 live blocks of at most 4096 bytes need far less).
const REGION: usize = 16 << 20;

/// Records `samples` samples of one call of `batch` each, `ops` operations per call. A tenth
/// as many calls (at least one) run first, unrecorded.
#[inline(always)]
pub(crate) fn timed(ctx: &Ctx, samples: usize, ops: usize, mut batch: impl FnMut()) -> Recorder {
    let mut rec = Recorder::new(ops as u64);
    let warm = (samples / 10).max(1);
    for i in 0..warm + samples {
        let t0 = start();
        batch();
        let t1 = stop();
        if i >= warm {
            rec.record(ctx.clock.elapsed(t0, t1));
        }
    }
    rec
}

/// One round of `A`: a fresh region and allocator, `samples` batches.
fn round<A: BenchAlloc>(ctx: &Ctx, size: usize, samples: usize) -> Recorder {
    let layout = Layout::from_size_align(size, 8).expect("layout");
    let mut region = Region::new(REGION);
    let mut a: A = region.allocator();
    let mut held = [NonNull::<u8>::dangling(); BATCH];
    let rec = timed(ctx, samples, BATCH, || {
        for slot in held.iter_mut() {
            *slot = black_box(a.alloc(layout).expect("byte churn: out of memory"));
        }
        for &p in held.iter() {
            // SAFETY: allocated just above with `layout`, freed once.
            unsafe { a.dealloc(black_box(p), layout) };
        }
    });
    drop(a);
    drop(region);
    rec
}

fn contender<A: BenchAlloc>(ctx: &Ctx, size: usize, ours: bool) -> Contender<'_> {
    let samples = ctx.cfg.samples;
    Contender::new(A::NAME, ours, move |rounds| {
        round::<A>(ctx, size, samples.div_ceil(rounds))
    })
}

/// One table: churn of `size`-byte requests.
fn table(ctx: &Ctx, size: usize, id: &str, progress: &mut dyn FnMut(&str)) -> LatencyTable {
    debug_assert_eq!(id, format!("{}_{size}B", WORKLOAD.name));
    let cfg = &ctx.cfg;
    let contenders = vec![
        contender::<Nexus>(ctx, size, true),
        contender::<Talc>(ctx, size, false),
        contender::<Buddy>(ctx, size, false),
        contender::<LinkedList>(ctx, size, false),
    ];
    let info = TableInfo {
        workload: WORKLOAD.name,
        id: id.to_string(),
        title: format!("{}, {size}-byte requests (align 8)", WORKLOAD.name),
        method: format!(
            "op = one alloc + one dealloc: {BATCH} allocs then their {BATCH} deallocs per \
             timestamp pair, each allocator over a fresh {} MiB region per round, {} samples in \
             {} rounds, per-op = (pair − overhead) / {BATCH}, resolution {:.2} {UNIT}/op",
            REGION >> 20,
            cfg.samples,
            cfg.rounds,
            ctx.clock.resolution() as f64 / BATCH as f64
        ),
        value_bytes: size,
    };
    take_turns(info, cfg.rounds, contenders, progress)
}

//! Byte-allocator mixed workload: request sizes log-uniform from 8 B to 16 KiB, random
//! lifetimes. Each round fills `live` allocations ([`SIZES`]), then each step frees a uniformly
//! random live one and allocates a new random size in its place; one op is that dealloc +
//! alloc pair, `BATCH` (32) of them per timestamp pair. Every allocator and every round sees the
//! same sequence (one seed).
//!
//! After the last round's steps, the live allocations give the fragmentation table: bytes in
//! use (the requested sizes) against what the allocator took from its region for them
//! ([`BenchAlloc::taken_bytes`], where it keeps a count) and against the extent (highest end
//! address of a live allocation − region start, for every allocator alike).

use super::byte_churn::{timed, BATCH};
use super::{take_turns, Contender, Ctx, LatencyTable, Outcome, Presets, TableInfo, Workload};
use crate::byte_alloc::{BenchAlloc, Buddy, LinkedList, Nexus, Region, Talc};
use crate::rng::{seeded, SmallRng};
use rand::{Rng as _, RngExt as _};
use crate::stats::Recorder;
use crate::timing::UNIT;
use std::alloc::Layout;
use std::cell::RefCell;
use std::ptr::NonNull;

/// The byte allocators' mixed workload.
pub const WORKLOAD: Workload = Workload {
    name: "byte-mixed",
    describe: "byte allocators: 8 B … 16 KiB, 100k live, random lifetimes; and fragmentation",
    run: |ctx, progress| {
        let (latency, frag) = run(ctx, progress);
        vec![Outcome::Latency(latency), Outcome::Fragmentation(frag)]
    },
};

/// The latency table.
pub const TABLE: &str = "byte-mixed_8B-16KiB";

/// Its sizes.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Live allocations.
    pub live: usize,
    /// Steps (dealloc + alloc pairs) per allocator, all rounds together.
    pub steps: usize,
    /// The same for `linked_list_allocator`, which walks its free list on every alloc.
    pub list_steps: usize,
}

/// Its sizes in each preset.
pub const SIZES: Presets<Sizes> = Presets {
    full: Sizes {
        live: 100_000,
        steps: 1_000_000,
        list_steps: 50_000,
    },
    quick: Sizes {
        live: 100_000,
        steps: 100_000,
        list_steps: 5_000,
    },
    tiny: Sizes {
        live: 1_000,
        steps: 2_048,
        list_steps: 640,
    },
};

/// The seed of the size and victim sequence.
const SEED: u64 = 0x5EED;

/// Smallest request.
const MIN: usize = 8;

/// Largest request.
const MAX: usize = 16 << 10;

/// Log-uniform size in `8 ..= 16384`: one of the 11 octaves `[8·2^k, 16·2^k)` uniformly,
/// then a size uniformly inside it (16384 itself when the last octave's top is drawn).
#[inline]
fn mixed_size(rng: &mut SmallRng) -> usize {
    let r = rng.next_u64();
    let lo = MIN << (r % 11);
    (lo + (r >> 8) as usize % lo).min(MAX)
}

/// Region per allocator and round: 10 KiB per live allocation (the mean request is about
/// 2.2 KiB), rounded up to a power of two (1 GiB for 100k live).
fn region_bytes(live: usize) -> usize {
    (live * (10 << 10)).next_power_of_two()
}

/// One allocator's fragmentation at the end of the mixed workload.
#[derive(Debug, Clone)]
pub struct FragRow {
    /// Allocator name.
    pub system: &'static str,
    /// This project's allocator.
    pub ours: bool,
    /// Requested bytes of the live allocations.
    pub in_use: usize,
    /// What the allocator took from its region for them, when it keeps a count.
    pub taken: Option<usize>,
    /// Highest end address of a live allocation − the region's start.
    pub extent: usize,
}

impl FragRow {
    /// `in_use / taken`, when the allocator keeps a count.
    pub fn per_taken(&self) -> Option<f64> {
        self.taken
            .filter(|&t| t > 0)
            .map(|t| self.in_use as f64 / t as f64)
    }

    /// `in_use / extent`.
    pub fn per_extent(&self) -> f64 {
        self.in_use as f64 / self.extent.max(1) as f64
    }
}

/// The fragmentation table.
#[derive(Debug, Clone)]
pub struct FragTable {
    /// Table id (file stem).
    pub id: String,
    /// Live allocations.
    pub live: usize,
    /// One row per allocator, with the steps it ran in the round measured.
    pub rows: Vec<(FragRow, usize)>,
}

impl FragTable {
    /// The row of `system`.
    pub fn row(&self, system: &str) -> Option<&FragRow> {
        self.rows
            .iter()
            .map(|(r, _)| r)
            .find(|r| r.system == system)
    }
}

/// One round of `A`: fill, `steps` timed steps, then the fragmentation of what is live.
fn round<A: BenchAlloc>(ctx: &Ctx, live: usize, steps: usize, ours: bool) -> (Recorder, FragRow) {
    let mut region = Region::new(region_bytes(live));
    let start = region.start();
    let mut a: A = region.allocator();
    let mut rng = seeded(SEED);
    let mut held: Vec<(NonNull<u8>, Layout)> = (0..live)
        .map(|_| {
            let l = Layout::from_size_align(mixed_size(&mut rng), 8).expect("layout");
            (
                a.alloc(l).expect("byte mixed: out of memory while filling"),
                l,
            )
        })
        .collect();
    let n = u32::try_from(live).expect("live count fits u32");
    let rec = timed(ctx, steps.div_ceil(BATCH), BATCH, || {
        for _ in 0..BATCH {
            let i = rng.random_range(0..n) as usize;
            let (p, l) = held[i];
            // SAFETY: a live allocation of `l`, freed once (replaced just below).
            unsafe { a.dealloc(p, l) };
            let l = Layout::from_size_align(mixed_size(&mut rng), 8).expect("layout");
            held[i] = (a.alloc(l).expect("byte mixed: out of memory"), l);
        }
    });
    let frag = FragRow {
        system: A::NAME,
        ours,
        in_use: held.iter().map(|(_, l)| l.size()).sum(),
        taken: a.taken_bytes(),
        extent: held
            .iter()
            .map(|(p, l)| p.as_ptr().addr() + l.size() - start)
            .max()
            .unwrap_or(0),
    };
    // The live allocations are not freed one by one: the allocator and its region go
    // together (none of the four needs its blocks back first, and freeing 100k blocks into
    // linked_list's address-ordered free list would take longer than its timed steps).
    drop(a);
    drop(region);
    (rec, frag)
}

fn contender<'a, A: BenchAlloc>(
    ctx: &'a Ctx,
    steps: usize,
    ours: bool,
    frag: &'a RefCell<Vec<(FragRow, usize)>>,
) -> Contender<'a> {
    let live = SIZES.of(&ctx.cfg).live;
    Contender::new(A::NAME, ours, move |rounds| {
        let per_round = steps.div_ceil(rounds);
        let (rec, row) = round::<A>(ctx, live, per_round, ours);
        // The last round's figures stay.
        let mut f = frag.borrow_mut();
        f.retain(|(r, _)| r.system != A::NAME);
        f.push((row, per_round));
        rec
    })
}

/// The latency table and the fragmentation table.
fn run(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> (LatencyTable, FragTable) {
    let cfg = &ctx.cfg;
    let sizes = SIZES.of(cfg);
    let frag = RefCell::new(Vec::new());
    let (steps, list_steps) = (sizes.steps, sizes.list_steps);
    let contenders = vec![
        contender::<Nexus>(ctx, steps, true, &frag),
        contender::<Talc>(ctx, steps, false, &frag),
        contender::<Buddy>(ctx, steps, false, &frag),
        contender::<LinkedList>(ctx, list_steps, false, &frag),
    ];
    let rounds = cfg.rounds;
    let info = TableInfo {
        workload: WORKLOAD.name,
        id: TABLE.to_string(),
        title: format!(
            "{}, sizes 8 B … 16 KiB log-uniform, {} live",
            WORKLOAD.name, sizes.live
        ),
        method: format!(
            "op = dealloc a random live allocation + alloc a new random size in its place \
             (align 8), {BATCH} ops per timestamp pair, after filling {} live; each allocator \
             over a fresh {} MiB region per round, the same seed for all; {steps} steps in \
             {rounds} rounds, except linked_list: {list_steps} steps in {rounds} \
             rounds, shortened because it walks its free list on every alloc (fewer steps also \
             leave its free list shorter, which if anything favours it); per-op = (pair − overhead) / {BATCH}, resolution {:.2} {UNIT}/op",
            sizes.live,
            region_bytes(sizes.live) >> 20,
            ctx.clock.resolution() as f64 / BATCH as f64
        ),
        value_bytes: MAX,
    };
    let latency = take_turns(info, rounds, contenders, progress);
    let table = FragTable {
        id: format!("{}_fragmentation", WORKLOAD.name),
        live: sizes.live,
        rows: frag.into_inner(),
    };
    (latency, table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_span_8_to_16k() {
        let mut r = seeded(1);
        let sizes: Vec<usize> = (0..10_000).map(|_| mixed_size(&mut r)).collect();
        assert!(sizes.iter().all(|&s| (MIN..=MAX).contains(&s)));
        assert!(sizes.iter().any(|&s| s < 16) && sizes.iter().any(|&s| s > 8192));
    }
}

//! Arena: allocate one 32-byte value, keeping every one until the arena goes. nexus-slab's
//! `Arena` (typed, stable addresses, values dropped) against `typed-arena` (typed, values
//! dropped, stable addresses) and `bumpalo` (bytes: never runs a destructor).
//!
//! Each round makes a fresh arena of every kind and allocates into it without freeing:
//! growth (new tiers, chunks, pages faulting in) is part of what is measured, for all three
//! alike; the arena is dropped after the round, outside the timing.

use super::{batched, take_turns, Contender, Ctx, LatencyTable, Outcome, TableInfo, Workload};
use crate::payload::{Payload, V32};
use crate::stats::Recorder;
use crate::timing::UNIT;
use std::hint::black_box;

/// The arena workload.
pub const WORKLOAD: Workload = Workload {
    name: "arena",
    describe: "allocate a 32-byte value and keep it: Arena against typed-arena and bumpalo",
    run: |ctx, progress| vec![Outcome::Latency(table(ctx, progress))],
};

/// The table.
pub const ALLOC_32B: &str = "arena_alloc_32B";

/// Our arena's name in the table.
pub const OURS: &str = "Arena";

/// `typed-arena`'s name in the table.
pub const TYPED_ARENA: &str = "typed-arena";

/// One contender's round: `samples` timestamp pairs of `ops` allocations each into `arena`
/// (each value made from a new seed), keeping them all; the arena is dropped after the timing.
fn keep_allocating<A>(
    ctx: &Ctx,
    samples: usize,
    ops: usize,
    arena: A,
    alloc: impl Fn(&A, V32),
) -> Recorder {
    let mut seed = 0u64;
    let rec = batched(ctx, samples, ops, 0, || {
        seed += 1;
        alloc(&arena, V32::new(seed));
    });
    drop(arena);
    rec
}

fn table(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> LatencyTable {
    let cfg = &ctx.cfg;
    let (ops, samples) = (cfg.batch, cfg.samples);
    let per_round = move |rounds: usize| samples.div_ceil(rounds);
    let contenders = vec![
        Contender::new(OURS, true, move |rounds| {
            let arena = nexus_slab::arena::Arena::<V32>::new();
            keep_allocating(ctx, per_round(rounds), ops, arena, |a, v| {
                black_box(a.alloc(v));
            })
        }),
        Contender::new(TYPED_ARENA, false, move |rounds| {
            let arena = typed_arena::Arena::<V32>::new();
            keep_allocating(ctx, per_round(rounds), ops, arena, |a, v| {
                black_box(a.alloc(v));
            })
        }),
        Contender::new("bumpalo", false, move |rounds| {
            keep_allocating(ctx, per_round(rounds), ops, bumpalo::Bump::new(), |b, v| {
                black_box(b.alloc(v));
            })
        }),
    ];
    let info = TableInfo {
        workload: WORKLOAD.name,
        id: ALLOC_32B.to_string(),
        title: format!("{} alloc, 32 B values kept", WORKLOAD.name),
        method: format!(
            "op = allocate one 32-byte value and keep it (Arena::alloc; typed_arena::Arena::alloc; \
             bumpalo::Bump::alloc), a fresh arena per round, growth included; {ops} ops per \
             timestamp pair, {samples} samples in {} rounds, per-op = (pair − overhead) / {ops}, \
             resolution {:.2} {UNIT}/op",
            cfg.rounds,
            ctx.clock.resolution() as f64 / ops as f64
        ),
        value_bytes: 32,
    };
    take_turns(info, cfg.rounds, contenders, progress)
}

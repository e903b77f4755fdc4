//! In place: make a 4 KiB value, put it in a slot, drop it. `insert(make())` builds the value
//! on the stack and copies it into the slot; `claim()` writes it in the slot itself, field by
//! field through the claimed slot's pointer, and `assume_init` makes it the `Slot`. `Box::new`
//! (the system allocator, the value built first) for reference.

use super::{batched, take_turns, Contender, Ctx, LatencyTable, Outcome, TableInfo, Workload};
use crate::timing::UNIT;
use std::hint::black_box;

/// The in-place workload.
pub const WORKLOAD: Workload = Workload {
    name: "in-place",
    describe: "a 4 KiB value into a slot: insert(make()) against claim() and writing it in place",
    run: |ctx, progress| vec![Outcome::Latency(table(ctx, progress))],
};

/// The table.
pub const INSERT_4096B: &str = "in-place_insert_4096B";

/// `insert(make())`'s name in the table.
pub const INSERT: &str = "alloc insert";

/// `claim()`'s name in the table.
pub const CLAIM: &str = "alloc claim";

/// The words of a value.
const WORDS: usize = 512;

/// A 4 KiB value.
pub struct Page(pub [u64; WORDS]);

nexus_slab::create_allocator!(in_place_pages, Page);

/// The value for `seed`, built where it is returned to.
#[inline(always)]
fn make(seed: u64) -> Page {
    Page(core::array::from_fn(|k| seed.wrapping_add(k as u64)))
}

fn table(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> LatencyTable {
    let cfg = &ctx.cfg;
    let (ops, samples) = (cfg.loop_batch, cfg.samples);
    let per_round = move |rounds: usize| samples.div_ceil(rounds);
    if !in_place_pages::is_initialized() {
        in_place_pages::init().bounded(1024).build();
    }
    let contenders = vec![
        Contender::new(INSERT, true, move |rounds| {
            let mut seed = 0u64;
            batched(ctx, per_round(rounds), ops, 0, || {
                seed += 1;
                let slot = in_place_pages::insert(make(black_box(seed)));
                drop(black_box(slot));
            })
        }),
        Contender::new(CLAIM, true, move |rounds| {
            let mut seed = 0u64;
            batched(ctx, per_round(rounds), ops, 0, || {
                seed += 1;
                let s = black_box(seed);
                let mut claim = in_place_pages::claim().expect("1024 slots, one in use");
                let words = claim.as_mut_ptr().cast::<u64>();
                // SAFETY: the claimed slot is valid for writes of one `Page` (`WORDS` u64s,
                // aligned); every word is written before `assume_init`.
                let slot = unsafe {
                    for k in 0..WORDS {
                        words.add(k).write(s.wrapping_add(k as u64));
                    }
                    claim.assume_init()
                };
                drop(black_box(slot));
            })
        }),
        Contender::new("Box::new", false, move |rounds| {
            let mut seed = 0u64;
            batched(ctx, per_round(rounds), ops, 0, || {
                seed += 1;
                let b = Box::new(make(black_box(seed)));
                drop(black_box(b));
            })
        }),
    ];
    let info = TableInfo {
        workload: WORKLOAD.name,
        id: INSERT_4096B.to_string(),
        title: format!("{} insert, 4096 B values", WORKLOAD.name),
        method: format!(
            "op = build a 4096-byte value (512 words from a seed) + put it in a slot + drop it \
             (name::insert(make()); name::claim() + the words written through as_mut_ptr + \
             assume_init; Box::new(make())); {ops} ops per timestamp pair, {samples} samples in \
             {} rounds, per-op = (pair − overhead) / {ops}, resolution {:.2} {UNIT}/op",
            cfg.rounds,
            ctx.clock.resolution() as f64 / ops as f64
        ),
        value_bytes: WORDS * 8,
    };
    take_turns(info, cfg.rounds, contenders, progress)
}

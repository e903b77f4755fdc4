//! Buffer pool: take a 4096-byte buffer, write its first 64 bytes (or all 4096), give it
//! back. `BufferSlab<4096>` (`allocate`, the guard dropped) against a fresh
//! `vec![0u8; 4096]` and a zeroed `Box<[u8; 4096]>` (the system allocator).
//!
//! Not the same work: `vec!` and the zeroed `Box` hand out zeroed memory (calloc: a
//! recycled chunk is cleared, 4096 bytes), while a `BufferSlab` buffer holds whatever its
//! previous guard left in it. That difference is what a caller saves by using the pool.

use super::{batched, take_turns, Contender, Ctx, LatencyTable, Outcome, TableInfo, Workload};
use crate::timing::UNIT;
use nexus_slab::BufferSlab;
use std::hint::black_box;

/// The buffer-pool workload.
pub const WORKLOAD: Workload = Workload {
    name: "buffer-pool",
    describe: "4096-byte buffer: take, write 64 B (or all), give back; against vec! and Box",
    run: |ctx, progress| {
        vec![
            Outcome::Latency(table(ctx, 64, WRITE64, progress)),
            Outcome::Latency(table(ctx, N, WRITE4096, progress)),
        ]
    },
};

/// The table with 64 bytes written.
pub const WRITE64: &str = "buffer-pool_write64_4096B";

/// The table with all 4096 bytes written.
pub const WRITE4096: &str = "buffer-pool_write4096_4096B";

/// Buffer size.
const N: usize = 4096;

/// Writes `bytes` bytes of `buf` (a byte that changes every call) and hands it to
/// `black_box`, so the writes cannot be dropped.
#[inline(always)]
fn write(buf: &mut [u8], bytes: usize, seed: &mut u8) {
    *seed = seed.wrapping_add(1);
    buf[..bytes].fill(black_box(*seed));
    black_box(buf);
}

/// One table: every contender takes, writes `bytes` and frees a buffer per op.
fn table(ctx: &Ctx, bytes: usize, id: &str, progress: &mut dyn FnMut(&str)) -> LatencyTable {
    debug_assert_eq!(id, format!("{}_write{bytes}_{N}B", WORKLOAD.name));
    let cfg = &ctx.cfg;
    let (ops, samples) = (cfg.batch, cfg.samples);
    let contenders = vec![
        Contender::new("BufferSlab", true, move |rounds| {
            let pool = BufferSlab::<N>::new(16, 1024).expect("BufferSlab reservation");
            let mut seed = 0u8;
            batched(ctx, samples.div_ceil(rounds), ops, 0, || {
                let mut g = pool.allocate();
                write(g.as_slice_mut(), bytes, &mut seed);
                drop(black_box(g));
            })
        }),
        Contender::new("vec![0u8; 4096]", false, move |rounds| {
            let mut seed = 0u8;
            batched(ctx, samples.div_ceil(rounds), ops, 0, || {
                let mut v = vec![0u8; N];
                write(&mut v, bytes, &mut seed);
                drop(black_box(v));
            })
        }),
        Contender::new("Box<[u8; 4096]>", false, move |rounds| {
            let mut seed = 0u8;
            batched(ctx, samples.div_ceil(rounds), ops, 0, || {
                let b = Box::<[u8; N]>::new_zeroed();
                // SAFETY: all-zero bytes are a valid `[u8; N]`.
                let mut b = unsafe { b.assume_init() };
                write(&mut b[..], bytes, &mut seed);
                drop(black_box(b));
            })
        }),
    ];
    let info = TableInfo {
        workload: WORKLOAD.name,
        id: id.to_string(),
        title: format!("{} write {bytes} B, {N}-byte buffers", WORKLOAD.name),
        method: format!(
            "op = take a buffer + write its first {bytes} bytes + free it (BufferSlab::<{N}>::\
             allocate and drop the guard; vec![0u8; {N}]; Box::<[u8; {N}]>::new_zeroed); \
             {ops} ops per timestamp pair, {samples} samples in {} rounds, \
             per-op = (pair − overhead) / {ops}, resolution {:.2} {UNIT}/op",
            cfg.rounds,
            ctx.clock.resolution() as f64 / ops as f64
        ),
        value_bytes: N,
    };
    take_turns(info, cfg.rounds, contenders, progress)
}

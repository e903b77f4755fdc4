//! Quick cycle counts for sampling, tagged iteration and the buffer pool (x86_64, `rdtsc`):
//!
//! ```text
//! cargo run --release -p nexus-slab --features rand --example perf [pick|tagged|buffer]
//! ```
//! Each figure is the median (or the minimum, for whole passes) over many batches, so a
//! preempted batch does not move it. `rdtsc` counts reference cycles.

use nexus_slab::rand::rngs::SmallRng;
use nexus_slab::rand::{Rng, SeedableRng};
use nexus_slab::{BufferSlab, HiSlab, TaggedHiSlab};
use std::hint::black_box;

#[cfg(target_arch = "x86_64")]
fn cycles() -> u64 {
    // SAFETY: `rdtsc` only reads the time-stamp counter; it has no memory effects.
    unsafe { core::arch::x86_64::_rdtsc() }
}

#[cfg(not(target_arch = "x86_64"))]
fn cycles() -> u64 {
    // Elsewhere: nanoseconds since the first call, in place of cycles.
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// Median cycles per call of `op`, over `batches` batches of `per_batch` calls.
fn median_per_op(batches: usize, per_batch: u32, mut op: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..batches)
        .map(|_| {
            let t0 = cycles();
            for _ in 0..per_batch {
                op();
            }
            (cycles() - t0) as f64 / f64::from(per_batch)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Minimum cycles of one run of `op` over `runs` runs.
fn min_cycles(runs: usize, mut op: impl FnMut()) -> u64 {
    (0..runs)
        .map(|_| {
            let t0 = cycles();
            op();
            cycles() - t0
        })
        .min()
        .unwrap_or(0)
}

/// The same "random" 1% on every run.
fn one_percent(seed: u64) -> impl FnMut() -> bool {
    let mut rng = SmallRng::seed_from_u64(seed);
    move || rng.next_u64() % 100 == 0
}

fn pick() {
    for cap in [1u32 << 16, 1 << 20, 1 << 24] {
        let mut slab = HiSlab::<u64>::new(0, cap).expect("reservation");
        for i in 0..cap {
            slab.insert(u64::from(i));
        }
        let mut keep = one_percent(0x9E37_79B9_7F4A_7C15);
        slab.retain(|_, _| keep());
        let mut rng = SmallRng::seed_from_u64(3);
        let c = median_per_op(2000, 1000, || {
            black_box(slab.random_occupied(&mut rng));
        });
        println!(
            "random_occupied, {cap:>8} slots, {:>6} live: {c:6.1} cycles/pick (median)",
            slab.len()
        );
    }
}

fn tagged() {
    let cap = 1u32 << 20;
    let slab = TaggedHiSlab::<u64>::new(cap, cap).expect("reservation");
    let mut tag = one_percent(0x2545_F491_4F6C_DD1D);
    for i in 0..cap {
        if tag() {
            slab.insert_tagged(u64::from(i));
        } else {
            slab.insert(u64::from(i));
        }
    }
    let tagged = min_cycles(30, || {
        let mut sum = 0u64;
        slab.for_each_tagged(|_, v| sum = sum.wrapping_add(*v));
        black_box(sum);
    });
    let filtered = min_cycles(30, || {
        let mut sum = 0u64;
        slab.for_each_occupied(|i, v| {
            if slab.is_tagged(i) {
                sum = sum.wrapping_add(*v);
            }
        });
        black_box(sum);
    });
    println!(
        "{} of {cap} tagged: for_each_tagged {tagged} cycles, all + filter {filtered} cycles, \
         ratio {:.3}",
        slab.count_tagged(),
        tagged as f64 / filtered as f64
    );
    let mut rng = SmallRng::seed_from_u64(3);
    let c = median_per_op(2000, 1000, || {
        black_box(slab.random_tagged(&mut rng));
    });
    println!("random_tagged: {c:.1} cycles/pick (median)");
}

fn buffer() {
    let pool = BufferSlab::<4096>::new(64, 1024).expect("reservation");
    let _held: Vec<_> = (0..10).map(|_| pool.allocate()).collect();
    for bytes in [0usize, 64, 4096] {
        let slab = median_per_op(200, 10_000, || {
            let mut g = pool.allocate();
            g.as_slice_mut()[..bytes].fill(black_box(7));
            black_box(g.as_ptr());
        });
        let vec = median_per_op(200, 10_000, || {
            let mut v = vec![0u8; 4096];
            v[..bytes].fill(black_box(7));
            black_box(v.as_ptr());
        });
        println!(
            "4096-byte buffer, write {bytes:>4} bytes: BufferSlab {slab:6.1}, \
             vec![0u8; 4096] {vec:6.1} cycles, ratio {:.3}",
            slab / vec
        );
    }
}

fn main() {
    let which = std::env::args().nth(1);
    let run = |name: &str| which.as_deref().is_none_or(|w| w == name);
    if run("pick") {
        pick();
    }
    if run("tagged") {
        tagged();
    }
    if run("buffer") {
        buffer();
    }
}

//! Quick latency table of the byte allocators: p50 / p99 / p99.9 cycles per alloc + dealloc
//! pair for churn of one size (64 B, 256 B, 4096 B) and a mixed workload (8 B … 16 KiB,
//! random lifetimes, 100k live), the fragmentation it leaves, and nexus-slab's p50 ratios.
//!
//! `cargo run --release -p nexus-slab-benches --bin byte_quick [-- --quick] [--nexus-only]`

use nexus_slab_benches::byte_alloc::{
    churn, mixed, quantile, BenchAlloc, Buddy, LinkedList, Nexus, Region, Talc,
};

/// One allocator's results: p50 per workload, in the order of `WORKLOADS`.
struct Row {
    name: &'static str,
    p50: Vec<u64>,
}

const WORKLOADS: [&str; 4] = ["churn 64 B", "churn 256 B", "churn 4096 B", "mixed"];

struct Config {
    churn_samples: usize,
    live: usize,
    steps: usize,
}

fn print_line(name: &str, workload: &str, samples: &mut [u64]) -> u64 {
    let (p50, p99, p999) = (
        quantile(samples, 0.5),
        quantile(samples, 0.99),
        quantile(samples, 0.999),
    );
    println!("{name:<24} {workload:<14} {p50:>8} {p99:>8} {p999:>8}");
    p50
}

fn run<A: BenchAlloc>(cfg: &Config, steps: usize) -> Row {
    let mut p50 = Vec::new();
    for size in [64, 256, 4096] {
        let mut region = Region::new(64 << 20);
        let mut a: A = region.allocator();
        let mut s = churn(&mut a, size, cfg.churn_samples);
        drop(a);
        p50.push(print_line(A::NAME, &format!("churn {size} B"), &mut s));
    }
    let mut region = Region::new(1 << 30);
    let start = region.start();
    let mut a: A = region.allocator();
    let mut m = mixed(&mut a, start, cfg.live, steps, 0x5EED);
    drop(a);
    p50.push(print_line(A::NAME, "mixed", &mut m.samples));
    let frag = |taken: usize| m.live_bytes as f64 / taken as f64;
    match m.taken {
        Some(t) => println!(
            "{:<24} {:<14} live {} B; in use / taken {:.3} (taken {} B); in use / extent {:.3}",
            A::NAME,
            "fragmentation",
            m.live_bytes,
            frag(t),
            t,
            frag(m.extent)
        ),
        None => println!(
            "{:<24} {:<14} live {} B; in use / extent {:.3} (extent {} B)",
            A::NAME,
            "fragmentation",
            m.live_bytes,
            frag(m.extent),
            m.extent
        ),
    }
    Row { name: A::NAME, p50 }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let cfg = if quick {
        Config {
            churn_samples: 20_000,
            live: 100_000,
            steps: 100_000,
        }
    } else {
        Config {
            churn_samples: 200_000,
            live: 100_000,
            steps: 1_000_000,
        }
    };
    // The linked list walks its free list on every allocation (O(free blocks)): far fewer
    // mixed steps keep its run short; its samples are as valid, just fewer.
    let list_steps = cfg.steps / 20;
    println!("cycles per alloc + dealloc pair (rdtsc, batches of 32)");
    println!(
        "{:<24} {:<14} {:>8} {:>8} {:>8}",
        "allocator", "workload", "p50", "p99", "p99.9"
    );
    if std::env::args().any(|a| a == "--nexus-only") {
        // For profiling the allocator alone.
        run::<Nexus>(&cfg, cfg.steps);
        return;
    }
    let rows = [
        run::<Nexus>(&cfg, cfg.steps),
        run::<Talc>(&cfg, cfg.steps),
        run::<Buddy>(&cfg, cfg.steps),
        run::<LinkedList>(&cfg, list_steps),
    ];
    println!();
    println!("nexus-slab p50 / peer p50 (lower is better)");
    for peer in &rows[1..] {
        let ratios: Vec<String> = WORKLOADS
            .iter()
            .zip(rows[0].p50.iter().zip(&peer.p50))
            .map(|(w, (&ours, &theirs))| format!("{w}: {:.2}x", ours as f64 / theirs.max(1) as f64))
            .collect();
        println!("  vs {:<22} {}", peer.name, ratios.join(", "));
    }
}

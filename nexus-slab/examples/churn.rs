//! Insert + remove churn on a `HiSlab`, for instruction counts under callgrind:
//!
//! ```text
//! cargo build --release -p nexus-slab --example churn [--features rand]
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/churn 1000000
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/churn 0
//! ```
//! The difference of the two totals over the iteration count is the cost of one pair. An
//! optional second argument sets the virtual capacity (default 2²⁰): with `rand`, the number
//! of population-count levels updated per operation grows with it (⌈log₈(capacity / 64)⌉ − 1).
use nexus_slab::HiSlab;
use std::hint::black_box;

fn main() {
    let pairs: u32 = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().expect("iteration count"));
    let capacity: u32 = std::env::args()
        .nth(2)
        .map_or(1 << 20, |a| a.parse().expect("capacity"));
    let mut slab = HiSlab::<u64>::new(1 << 16, capacity).expect("reservation");
    // A few thousand live values below, so the churn works on a word in the middle.
    for i in 0..5_000 {
        slab.insert(i);
    }
    for i in 0..pairs {
        let idx = slab.insert(black_box(u64::from(i)));
        black_box(slab.remove(black_box(idx)));
    }
    black_box(&slab);
}

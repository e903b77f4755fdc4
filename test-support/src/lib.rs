//! What the tests of `nexus-slab` share, its unit tests and the `tests` crate alike: one
//! seeded RNG, one chi-square statistic, drop-counting values, the proptest case count, and
//! the message of a panic caught.

use rand::rngs::SmallRng;
use rand::SeedableRng;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

pub use rand::{Rng, RngExt};

/// A fast RNG seeded with `seed`: the same sequence on every run, so a failure repeats.
pub fn rng(seed: u64) -> SmallRng {
    SmallRng::seed_from_u64(seed)
}

/// Pearson's chi-square statistic of `counts` (draws per category seen) against a uniform
/// expectation over `categories` categories and `draws` draws. Categories never drawn
/// contribute `expected` each.
pub fn chi_square(counts: &BTreeMap<u32, u32>, categories: usize, draws: u32) -> f64 {
    let expected = f64::from(draws) / categories as f64;
    let seen: f64 = counts
        .values()
        .map(|&c| (f64::from(c) - expected).powi(2) / expected)
        .sum();
    seen + (categories - counts.len()) as f64 * expected
}

/// Counts its drops; panics in `Drop` when `explode` is set.
pub struct Tracked {
    /// Incremented by each drop.
    pub drops: Rc<Cell<usize>>,
    /// Panic in `Drop` (after counting).
    pub explode: bool,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
        if self.explode {
            panic!("Tracked::drop panics on purpose");
        }
    }
}

/// A `Tracked` counting into `drops`.
pub fn tracked(drops: &Rc<Cell<usize>>, explode: bool) -> Tracked {
    Tracked {
        drops: drops.clone(),
        explode,
    }
}

/// Proptest cases for a model test: `native`, unless `PROPTEST_CASES` says otherwise (what
/// `.ci/valgrind` sets, where every case runs tens of times slower; the full count runs
/// natively and under the sanitizers). Miri's counts are set at each test.
pub fn cases(native: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(native)
}

/// The message `f` panics with (`""` if the payload is not a string).
///
/// # Panics
/// If `f` returns instead.
pub fn panic_message(f: impl FnOnce()) -> String {
    let err =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("expected a panic");
    match err.downcast::<String>() {
        Ok(s) => *s,
        Err(e) => e
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

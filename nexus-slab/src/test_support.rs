//! Values for tests: drop counting and panicking `Drop`.

use std::cell::Cell;
use std::rc::Rc;

/// Counts its drops; panics in `Drop` when `explode` is set.
pub(crate) struct Tracked {
    pub(crate) drops: Rc<Cell<usize>>,
    pub(crate) explode: bool,
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
pub(crate) fn tracked(drops: &Rc<Cell<usize>>, explode: bool) -> Tracked {
    Tracked {
        drops: drops.clone(),
        explode,
    }
}

/// Proptest cases for a model test: `native`, unless `PROPTEST_CASES` says otherwise (what
/// `.ci/valgrind` sets, where every case runs tens of times slower; the full count runs
/// natively and under the sanitizers). Miri's counts are set at each test.
pub(crate) fn cases(native: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(native)
}

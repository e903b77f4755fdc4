//! The workloads: one file each, registered by one line in the `registry!` list below.
//!
//! A workload's file holds all of it: a `pub const WORKLOAD: Workload` (its name, the line
//! `--help` prints, and its `run`), its table ids as constants (the targets refer to them),
//! its own sizes per preset where it has any ([`Presets`]), the method line of each table,
//! and its contenders. Every table is measured by the one harness ([`harness`]): the
//! contenders take turns round by round with the same clock and recording. A workload over
//! the [`IndexSlab`](crate::systems::IndexSlab) systems implements [`Measure`] once, generic
//! over the system, and [`every_system`] makes every system a contender; a workload whose
//! contenders do not share that trait writes them as closures ([`Contender`]).
//!
//! Per-operation workloads time a batch of operations between one pair of timestamps and
//! report batch time / operations; tail workloads (growth, cold churn, remote free) time each
//! operation alone. The clock's empty-pair overhead is subtracted from every sample either
//! way. Churn, batch and steady churn are timed in two loops ([`loops`]): `tight`, and
//! `loaded` (beside a block of independent work, reported as the cost over the block alone).

pub mod busy;
pub mod config;
pub mod harness;
pub mod loops;
pub mod results;
pub mod setup;

pub use self::config::{Config, Preset, Presets};
pub use self::harness::{
    batched, binary_size, every_system, systems, take_turns, take_turns_split, BySize, Contender,
    Measure, SystemTables, TableInfo,
};
pub use self::results::{GrowthFigures, LatencyTable, Outcome, Row};
use crate::timing::Clock;
use std::path::PathBuf;

/// One workload of the report: what its file declares.
#[derive(Debug)]
pub struct Workload {
    /// The name used on the command line, in table ids and in file names.
    pub name: &'static str,
    /// One line saying what is measured (`--help`).
    pub describe: &'static str,
    /// Runs it for every contender: its tables in report order.
    pub run: Run,
}

/// How a workload runs: every table, in report order. `progress` is told which table and
/// contender starts next (`"TABLE NAME"`).
pub type Run = fn(&Ctx, &mut dyn FnMut(&str)) -> Vec<Outcome>;

/// Declares the workload modules and [`Workload::ALL`], in report order: one line each.
macro_rules! registry {
    ($($m:ident,)*) => {
        $(pub mod $m;)*

        impl Workload {
            /// Every workload, in report order.
            pub const ALL: &'static [&'static Workload] = &[$(&$m::WORKLOAD),*];
        }
    };
}

registry! {
    churn,
    batch,
    random_get,
    key_walk,
    steady_churn,
    growth,
    iterate,
    cold_churn,
    memory,
    sample,
    tagged_iterate,
    buffer_pool,
    in_place,
    arena,
    byte_churn,
    byte_mixed,
    remote_free,
}

impl Workload {
    /// The workload called `name`.
    pub fn from_name(name: &str) -> Option<&'static Workload> {
        Workload::ALL.iter().copied().find(|w| w.name == name)
    }
}

/// What a workload needs: sizes, the calibrated clock, and the report binary.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Sizes and counts.
    pub cfg: Config,
    /// The clock.
    pub clock: Clock,
    /// The report binary, which the workloads measuring in fresh processes (memory, growth's
    /// fresh variant) run again as their child; `None`: those measure nothing in children
    /// (memory reports why, growth makes its warm tables only).
    pub exe: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for w in Workload::ALL {
            assert_eq!(Workload::from_name(w.name).map(|x| x.name), Some(w.name));
            let same = Workload::ALL.iter().filter(|x| x.name == w.name).count();
            assert_eq!(same, 1, "{}", w.name);
        }
        assert!(Workload::from_name("nope").is_none());
    }

    /// Every workload at tiny sizes, in this process (no children: memory and growth's
    /// fresh variant are covered with the binary in `tests/`).
    #[test]
    fn every_workload_runs_at_tiny_sizes() {
        let ctx = Ctx {
            cfg: Config::tiny(),
            clock: Clock::raw(),
            exe: None,
        };
        let mut ids = Vec::new();
        for w in Workload::ALL {
            let outcomes = (w.run)(&ctx, &mut |_| {});
            assert!(!outcomes.is_empty(), "{}", w.name);
            for outcome in outcomes {
                let t = match outcome {
                    Outcome::Latency(t) => t,
                    Outcome::Fragmentation(f) => {
                        assert!(f.id.starts_with(w.name), "{}", f.id);
                        assert!(!f.rows.is_empty(), "{}", f.id);
                        for (r, steps) in &f.rows {
                            assert!(*steps > 0 && r.in_use > 0, "{}", r.system);
                            assert!(r.extent >= r.in_use, "{}", r.system);
                        }
                        continue;
                    }
                    Outcome::Memory(m) => {
                        assert!(!m.rows.is_empty() && m.rows.iter().all(|r| r.rss_growth.is_err()));
                        continue;
                    }
                };
                assert_eq!(t.workload, w.name, "{}", t.id);
                assert!(t.id.starts_with(w.name), "{}", t.id);
                assert!(!ids.contains(&t.id), "two tables {}", t.id);
                assert!(t.rows.len() >= 3, "{}", t.id);
                for r in &t.rows {
                    assert!(!t.not_run.contains(&r.system), "{} {}", t.id, r.system);
                    assert!(r.summary.samples > 0, "{} {}", t.id, r.system);
                    assert!(r.summary.p50 <= r.summary.max, "{} {}", t.id, r.system);
                    assert_eq!(r.growth.is_some(), t.has_series(), "{}", t.id);
                    if r.growth.is_some() {
                        assert!(!r.series.is_empty(), "{} {}", t.id, r.system);
                    }
                }
                ids.push(t.id);
            }
        }
    }
}

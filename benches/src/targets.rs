//! The figures HiSlab is expected to meet, checked against a run's tables.

use crate::workloads::{LatencyTable, Outcome};

/// How a target is measured.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// HiSlab p50 / slab p50 in the table with this id.
    RatioToSlab(&'static str),
    /// HiSlab's RSS growth in the memory table, MiB.
    MemoryMiB,
}

/// One target: what, how, the limit.
struct Target {
    what: &'static str,
    kind: Kind,
    limit: f64,
}

const TARGETS: [Target; 6] = [
    Target {
        what: "churn, 32 B",
        kind: Kind::RatioToSlab("churn_32B"),
        limit: 1.0,
    },
    Target {
        what: "steady churn, 100k live, 32 B",
        kind: Kind::RatioToSlab("steady-churn_32B"),
        limit: 1.0,
    },
    Target {
        what: "random get among 100k, 32 B",
        kind: Kind::RatioToSlab("random-get_32B"),
        limit: 1.05,
    },
    Target {
        what: "iterate 1 Mi slots, 1% live, 32 B (per live value)",
        kind: Kind::RatioToSlab("iterate_1pct_32B"),
        limit: 0.05,
    },
    Target {
        what: "iterate 1 Mi slots, 50% live, 32 B (per live value)",
        kind: Kind::RatioToSlab("iterate_50pct_32B"),
        limit: 1.0,
    },
    Target {
        what: "memory, 1 Mi live 64 B values: RSS growth",
        kind: Kind::MemoryMiB,
        limit: 65.5,
    },
];

/// A target checked against a run.
#[derive(Debug, Clone)]
pub struct Check {
    /// What is compared.
    pub what: &'static str,
    /// HiSlab's figure: a ratio to slab at p50, or MiB.
    pub figure: f64,
    /// The limit (the figure must be at most this).
    pub limit: f64,
    /// Unit of `figure` and `limit`: `x slab (p50)` or `MiB`.
    pub unit: &'static str,
    /// `figure <= limit`.
    pub holds: bool,
}

fn p50_ratio(table: &LatencyTable) -> Option<f64> {
    let ours = table.row("HiSlab")?.summary.p50;
    let slab = table.row("slab")?.summary.p50;
    (slab > 0.0).then(|| ours / slab)
}

/// Every target whose table is in `outcomes` (a run of some workloads checks only those).
pub fn check(outcomes: &[Outcome]) -> Vec<Check> {
    TARGETS
        .iter()
        .filter_map(|t| {
            let (figure, unit) = match t.kind {
                Kind::RatioToSlab(id) => {
                    let table = outcomes.iter().find_map(|o| match o {
                        Outcome::Latency(l) if l.id == id => Some(l),
                        _ => None,
                    })?;
                    (p50_ratio(table)?, "x slab (p50)")
                }
                Kind::MemoryMiB => {
                    let bytes = outcomes.iter().find_map(|o| match o {
                        Outcome::Memory(m) => m.row("HiSlab")?.rss_growth.clone().ok(),
                        _ => None,
                    })?;
                    (bytes as f64 / (1u64 << 20) as f64, "MiB")
                }
            };
            Some(Check {
                what: t.what,
                figure,
                limit: t.limit,
                unit,
                holds: figure <= t.limit,
            })
        })
        .collect()
}

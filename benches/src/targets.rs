//! The figures this project's systems are expected to meet, checked against a run's tables.

use crate::timing::UNIT;
use crate::workloads::{LatencyTable, Outcome};

/// How a target is measured.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// HiSlab p50 / slab p50 in the table with this id.
    RatioToSlab(&'static str),
    /// p50 of system `ours` / p50 of system `peer` in table `table`; `unit` names the peer.
    Ratio {
        table: &'static str,
        ours: &'static str,
        peer: &'static str,
        unit: &'static str,
    },
    /// p50 of `system` in `table`, in clock cycles (checked only where the clock counts
    /// cycles).
    CyclesP50 {
        table: &'static str,
        system: &'static str,
    },
    /// HiSlab's RSS growth in the memory table, MiB.
    MemoryMiB,
}

/// One target: what, how, the limit.
struct Target {
    what: &'static str,
    kind: Kind,
    limit: f64,
}

const TARGETS: [Target; 12] = [
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
    Target {
        what: "random_occupied (pick alone), 64 Ki slots, 1% live",
        kind: Kind::CyclesP50 {
            table: "sample_64Ki_32B",
            system: "HiSlab (no read)",
        },
        limit: 200.0,
    },
    Target {
        what: "random_occupied (pick alone), 1 Mi slots, 1% live",
        kind: Kind::CyclesP50 {
            table: "sample_1Mi_32B",
            system: "HiSlab (no read)",
        },
        limit: 200.0,
    },
    Target {
        what: "random_occupied (pick alone), 16 Mi slots, 1% live",
        kind: Kind::CyclesP50 {
            table: "sample_16Mi_32B",
            system: "HiSlab (no read)",
        },
        limit: 200.0,
    },
    Target {
        what: "for_each_tagged, 1% of 1 Mi (per tagged value)",
        kind: Kind::Ratio {
            table: "tagged-iterate_1pct-of-1Mi_32B",
            ours: "TaggedHiSlab",
            peer: "slab + filter",
            unit: "x slab+filter",
        },
        limit: 0.05,
    },
    Target {
        what: "for_each_tagged, 1% of 1 Mi (per tagged value)",
        kind: Kind::Ratio {
            table: "tagged-iterate_1pct-of-1Mi_32B",
            ours: "TaggedHiSlab",
            peer: "HiSlab + filter",
            unit: "x HiSlab+filt.",
        },
        limit: 0.05,
    },
    Target {
        what: "BufferSlab<4096>: allocate + write 64 B + drop",
        kind: Kind::Ratio {
            table: "buffer-pool_write64_4096B",
            ours: "BufferSlab",
            peer: "vec![0u8; 4096]",
            unit: "x vec! (p50)",
        },
        limit: 0.3,
    },
];

/// A target checked against a run.
#[derive(Debug, Clone)]
pub struct Check {
    /// What is compared.
    pub what: &'static str,
    /// Our figure: a ratio to a peer at p50, a p50 in cycles, or MiB.
    pub figure: f64,
    /// The limit (the figure must be at most this).
    pub limit: f64,
    /// Unit of `figure` and `limit`: `x slab (p50)` (or another peer), `cycles (p50)` or
    /// `MiB`.
    pub unit: &'static str,
    /// `figure <= limit`.
    pub holds: bool,
}

fn p50_ratio(table: &LatencyTable, ours: &str, peer: &str) -> Option<f64> {
    let ours = table.row(ours)?.summary.p50;
    let peer = table.row(peer)?.summary.p50;
    (peer > 0.0).then(|| ours / peer)
}

fn latency<'a>(outcomes: &'a [Outcome], id: &str) -> Option<&'a LatencyTable> {
    outcomes.iter().find_map(|o| match o {
        Outcome::Latency(l) if l.id == id => Some(l),
        _ => None,
    })
}

/// Every target whose table is in `outcomes` (a run of some workloads checks only those).
pub fn check(outcomes: &[Outcome]) -> Vec<Check> {
    TARGETS
        .iter()
        .filter_map(|t| {
            let (figure, unit) = match t.kind {
                Kind::RatioToSlab(id) => (
                    p50_ratio(latency(outcomes, id)?, "HiSlab", "slab")?,
                    "x slab (p50)",
                ),
                Kind::Ratio {
                    table,
                    ours,
                    peer,
                    unit,
                } => (p50_ratio(latency(outcomes, table)?, ours, peer)?, unit),
                Kind::CyclesP50 { table, system } => {
                    if UNIT != "cycles" {
                        return None;
                    }
                    (
                        latency(outcomes, table)?.row(system)?.summary.p50,
                        "cycles (p50)",
                    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::{contender_table_ids, Config};

    /// A target naming a table no run produces would silently never be checked.
    #[test]
    fn targets_name_tables_of_the_default_run() {
        let ids = contender_table_ids(&Config::full());
        for t in &TARGETS {
            if let Kind::Ratio { table, .. } | Kind::CyclesP50 { table, .. } = t.kind {
                assert!(
                    ids.iter().any(|i| i == table),
                    "{}: no table {table}",
                    t.what
                );
            }
        }
    }
}

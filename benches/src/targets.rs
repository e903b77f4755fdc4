//! The figures this project's systems are expected to meet, checked against a run's tables.

//!
//! Each target names its table by the constant the workload's file declares and makes it
//! with, so a table renamed or dropped breaks the build here instead of leaving a target that
//! is never checked.

use crate::stats::Summary;
use crate::timing::UNIT;
use crate::workloads::{
    arena, batch, buffer_pool, byte_churn, byte_mixed, churn, growth, in_place, iterate, key_walk,
    random_get, remote_free, sample, steady_churn, tagged_iterate, LatencyTable, Outcome, Row,
};

/// The percentile (or total) a ratio compares.
#[derive(Debug, Clone, Copy)]
enum At {
    /// Median.
    P50,
    /// Mean (where the cost comes in rare large batches, as an arena's page faults do, the
    /// median alone flatters).
    Mean,
    /// 99.9th percentile.
    P999,
    /// 99.99th percentile.
    P9999,
    /// Growth: wall time per insert of a run without per-insert timestamps.
    Wall,
}

/// How a target is measured.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// HiSlab p50 / slab p50 in the table with this id.
    RatioToSlab(&'static str),
    /// `at` of system `ours` / `at` of system `peer` in table `table`; `unit` names the peer.
    Ratio {
        table: &'static str,
        ours: &'static str,
        peer: &'static str,
        at: At,
        unit: &'static str,
    },
    /// p50 of `system` in `table`, in clock cycles (checked only where the clock counts
    /// cycles).
    CyclesP50 {
        table: &'static str,
        system: &'static str,
    },
    /// p50 of `ours` less p50 of `base` in `table`, in clock cycles (checked only where the
    /// clock counts cycles): what a safe path costs over its unchecked twin.
    CyclesOver {
        table: &'static str,
        ours: &'static str,
        base: &'static str,
    },
    /// HiSlab's RSS growth in the memory table, MiB.
    MemoryMiB,
    /// RSS growth per value of `system` in the memory table, bytes.
    BytesPerValue(&'static str),
    /// In use / taken of byte allocator `system` after the mixed workload (at least `limit`).
    InUsePerTaken(&'static str),
    /// RSS of `system` after the memory workload's top-90% removal and shrink, over the least
    /// a store can keep (the values left in whole pages plus a bit per value).
    TopKeptOverIdeal(&'static str),
    /// Share of the removed values' bytes `system` gives back after the random-90% removal
    /// and shrink (at least `limit`).
    RandomReturned(&'static str),
}

/// One target: what, how, the limit.
struct Target {
    what: &'static str,
    kind: Kind,
    limit: f64,
}

/// A p50 ratio of `ours` to `peer` in `table`.
const fn p50(
    table: &'static str,
    ours: &'static str,
    peer: &'static str,
    unit: &'static str,
) -> Kind {
    Kind::Ratio {
        table,
        ours,
        peer,
        at: At::P50,
        unit,
    }
}

/// The per-thread allocator's targets for one of its two builds (`name` is the system).
macro_rules! allocator_targets {
    ($name:literal) => {
        [
            Target {
                what: concat!($name, ": random get among 100k, 32 B"),
                kind: p50(random_get::TABLES.b32, $name, "Box", "x Box (p50)"),
                limit: 1.1,
            },
            Target {
                what: concat!($name, ": memory, per live 64 B value"),
                kind: Kind::BytesPerValue($name),
                limit: ALLOCATOR_BYTES_PER_VALUE,
            },
        ]
    };
}

/// 64 bytes of value plus the bitmaps' bits per slot: the occupancy bit with its "full"
/// summaries (1 + 1/64 + 1/4096 + … bits) and the leaked-slot bit that lets `reclaim` refuse
/// a second owner (1 bit): ≈ 2.016 bits ≈ 0.252 bytes. No per-slot header.
const ALLOCATOR_BYTES_PER_VALUE: f64 = 64.0 + (2.0 + 1.0 / 64.0 + 1.0 / 4096.0) / 8.0;

const HISLAB: [Target; 4] = [
    Target {
        what: "random get among 100k, 32 B",
        kind: Kind::RatioToSlab(random_get::TABLES.b32),
        limit: 1.05,
    },
    Target {
        what: "iterate 1 Mi slots, 1% live, 32 B (per live value)",
        kind: Kind::RatioToSlab(iterate::PCT1.b32),
        limit: 0.05,
    },
    Target {
        what: "iterate 1 Mi slots, 50% live, 32 B (per live value)",
        kind: Kind::RatioToSlab(iterate::PCT50.b32),
        limit: 1.0,
    },
    Target {
        what: "memory, 1 Mi live 64 B values: RSS growth",
        kind: Kind::MemoryMiB,
        limit: 65.5,
    },
];

const ALLOC_BOUNDED: [Target; 2] = allocator_targets!("alloc bounded");
const ALLOC_UNBOUNDED: [Target; 2] = allocator_targets!("alloc unbounded");

/// The table of workload module `$m` in loop `$lp` at `$size`-byte values.
macro_rules! loop_table {
    ($m:ident, "tight", $size:tt) => {
        by_size!($m::TIGHT, $size)
    };
    ($m:ident, "loaded", $size:tt) => {
        by_size!($m::LOADED, $size)
    };
}

/// The table of `$ids` (a `BySize`) at `$size`-byte values.
macro_rules! by_size {
    ($ids:expr, 32) => {
        $ids.b32
    };
    ($ids:expr, 256) => {
        $ids.b256
    };
}

/// A p50 ratio in one loop: `ours` / `peer` in the table of workload module `$m` (named
/// `$workload`) in loop `$lp` at `$size`-byte values.
macro_rules! in_loop {
    ($lp:tt, $m:ident, $workload:literal, $size:tt, $ours:literal, $peer:literal,
     $unit:literal, $limit:expr) => {
        Target {
            what: concat!($ours, ": ", $workload, " ", $lp, ", ", $size, " B"),
            kind: p50(loop_table!($m, $lp, $size), $ours, $peer, $unit),
            limit: $limit,
        }
    };
}

/// Each row as two targets, one in the tight loop and one in the loaded loop.
macro_rules! in_both_loops {
    ($(($($row:tt)*)),* $(,)?) => {
        &[$(in_loop!("tight", $($row)*), in_loop!("loaded", $($row)*),)*]
    };
}

/// Churn, batch and steady churn (32 B unless the row says otherwise; steady churn with 100k
/// live), in both loops unless a target names one.
const LOOPS: &[Target] = in_both_loops! {
    (churn, "churn", 32, "alloc bounded", "nexus2 bounded", "x nexus2 bnd", 1.2),
    (churn, "churn", 32, "alloc bounded", "slab", "x slab (p50)", 1.0),
    (churn, "churn", 256, "alloc bounded", "nexus2 bounded", "x nexus2 bnd", 1.0),
    (steady_churn, "steady-churn", 32, "alloc bounded", "nexus2 bounded", "x nexus2 bnd", 0.9),
    (steady_churn, "steady-churn", 32, "alloc bounded", "slab", "x slab (p50)", 0.9),
    (steady_churn, "steady-churn", 32, "HiSlab", "slab", "x slab (p50)", 1.0),
    (churn, "churn", 32, "alloc unbounded", "alloc bounded", "x alloc bnd", 1.1),
    (steady_churn, "steady-churn", 32, "alloc unbounded", "alloc bounded", "x alloc bnd", 1.1),
    (churn, "churn", 32, "HiSlab", "hislab 0.2.6", "x hislab 0.2.6", 0.5),
    (batch, "batch", 32, "HiSlab", "hislab 0.2.6", "x hislab 0.2.6", 0.5),
    (steady_churn, "steady-churn", 32, "HiSlab", "hislab 0.2.6", "x hislab 0.2.6", 0.5),
    (churn, "churn", 32, "alloc bounded", "hislab 0.2.6", "x hislab 0.2.6", 0.5),
    (batch, "batch", 32, "alloc bounded", "hislab 0.2.6", "x hislab 0.2.6", 0.5),
    (steady_churn, "steady-churn", 32, "alloc bounded", "hislab 0.2.6", "x hislab 0.2.6", 0.5),
    (churn, "churn", 32, "alloc unbounded", "hislab 0.2.6", "x hislab 0.2.6", 0.5),
    (batch, "batch", 32, "alloc unbounded", "hislab 0.2.6", "x hislab 0.2.6", 0.5),
    (steady_churn, "steady-churn", 32, "alloc unbounded", "hislab 0.2.6", "x hislab 0.2.6", 0.5),
};

/// HiSlab's churn against slab, whose limit differs between the loops.
const HISLAB_CHURN: [Target; 2] = [
    in_loop!(
        "tight",
        churn,
        "churn",
        32,
        "HiSlab",
        "slab",
        "x slab (p50)",
        1.5
    ),
    in_loop!(
        "loaded",
        churn,
        "churn",
        32,
        "HiSlab",
        "slab",
        "x slab (p50)",
        0.8
    ),
];

/// Our unbounded allocator growing from empty to 1 Mi values: `at` against `peer` in the
/// growth table of `variant` (`fresh` or `warm`), 32-byte values.
macro_rules! growth {
    ($variant:ident, $what:literal, $peer:literal, $at:ident, $unit:literal, $limit:expr) => {
        Target {
            what: concat!(
                "alloc unbounded: growth ",
                stringify!($variant),
                " 0 → 1 Mi, 32 B, ",
                $what
            ),
            kind: Kind::Ratio {
                table: growth::B32.$variant,
                ours: "alloc unbounded",
                peer: $peer,
                at: At::$at,
                unit: $unit,
            },
            limit: $limit,
        }
    };
}

/// Growth: in a new process per run (fresh), and in the report's process after other
/// workloads (warm), where the system allocator hands `slab` pages already faulted in.
const GROWTH: [Target; 5] = [
    growth!(fresh, "p99.9", "slab", P999, "x slab p99.9", 0.25),
    growth!(
        fresh,
        "p99.99",
        "nexus2 unbounded",
        P9999,
        "x nexus2 unb p99.99",
        0.2
    ),
    growth!(fresh, "wall", "slab", Wall, "x slab wall", 1.1),
    growth!(fresh, "p50", "slab", P50, "x slab (p50)", 1.5),
    growth!(warm, "p99.9", "slab", P999, "x slab p99.9", 1.0),
];

const CONTENDERS: [Target; 6] = [
    Target {
        what: "random_occupied (pick alone), 64 Ki slots, 1% live",
        kind: Kind::CyclesP50 {
            table: sample::SLOTS_64KI,
            system: "HiSlab (no read)",
        },
        limit: 200.0,
    },
    Target {
        what: "random_occupied (pick alone), 1 Mi slots, 1% live",
        kind: Kind::CyclesP50 {
            table: sample::SLOTS_1MI,
            system: "HiSlab (no read)",
        },
        limit: 200.0,
    },
    Target {
        what: "random_occupied (pick alone), 16 Mi slots, 1% live",
        kind: Kind::CyclesP50 {
            table: sample::SLOTS_16MI,
            system: "HiSlab (no read)",
        },
        limit: 200.0,
    },
    Target {
        what: "for_each_tagged, 1% of 1 Mi (per tagged value)",
        kind: p50(
            tagged_iterate::TABLE,
            "TaggedHiSlab",
            "slab + filter",
            "x slab+filter",
        ),
        limit: 0.05,
    },
    Target {
        what: "for_each_tagged, 1% of 1 Mi (per tagged value)",
        kind: p50(
            tagged_iterate::TABLE,
            "TaggedHiSlab",
            "HiSlab + filter",
            "x HiSlab+filt.",
        ),
        limit: 0.05,
    },
    Target {
        what: "BufferSlab<4096>: allocate + write 64 B + drop",
        kind: p50(
            buffer_pool::WRITE64,
            "BufferSlab",
            "vec![0u8; 4096]",
            "x vec! (p50)",
        ),
        limit: 0.3,
    },
];

const BYTE: [Target; 8] = [
    Target {
        what: "byte alloc: churn 64 B",
        kind: p50(
            byte_churn::B64,
            "nexus-slab",
            "buddy_system",
            "x buddy (p50)",
        ),
        limit: 0.5,
    },
    Target {
        what: "byte alloc: churn 64 B",
        kind: p50(byte_churn::B64, "nexus-slab", "talc", "x talc (p50)"),
        limit: 1.0,
    },
    Target {
        what: "byte alloc: churn 256 B",
        kind: p50(
            byte_churn::B256,
            "nexus-slab",
            "buddy_system",
            "x buddy (p50)",
        ),
        limit: 0.5,
    },
    Target {
        what: "byte alloc: churn 256 B",
        kind: p50(byte_churn::B256, "nexus-slab", "talc", "x talc (p50)"),
        limit: 1.0,
    },
    Target {
        what: "byte alloc: churn 4096 B",
        kind: p50(
            byte_churn::B4096,
            "nexus-slab",
            "buddy_system",
            "x buddy (p50)",
        ),
        limit: 0.5,
    },
    Target {
        what: "byte alloc: churn 4096 B",
        kind: p50(byte_churn::B4096, "nexus-slab", "talc", "x talc (p50)"),
        limit: 1.0,
    },
    Target {
        what: "byte alloc: mixed 8 B … 16 KiB, 100k live",
        kind: p50(byte_mixed::TABLE, "nexus-slab", "talc", "x talc (p50)"),
        limit: 1.0,
    },
    Target {
        what: "byte alloc: fragmentation after mixed",
        kind: Kind::InUsePerTaken("nexus-slab"),
        limit: 0.8,
    },
];

/// Giving memory back after 90% of 1 Mi 64-byte values are removed.
const SHRINK: [Target; 4] = [
    Target {
        what: "HiSlab: shrink after removing the top 90%",
        kind: Kind::TopKeptOverIdeal("HiSlab"),
        limit: 1.05,
    },
    Target {
        what: "alloc unbounded: shrink after removing the top 90%",
        kind: Kind::TopKeptOverIdeal("alloc unbounded"),
        limit: 1.05,
    },
    Target {
        what: "HiSlab: shrink after removing 90% at random",
        kind: Kind::RandomReturned("HiSlab"),
        limit: 0.5,
    },
    Target {
        what: "alloc unbounded: shrink after removing 90% at random",
        kind: Kind::RandomReturned("alloc unbounded"),
        limit: 0.5,
    },
];

/// Arena and in-place construction: `Arena::alloc` of a 32-byte value within 1.2x
/// `typed-arena`'s, at the median and on average (our arena commits memory ahead in batches,
/// which moves page faults out of the median into the tail); `claim()` writing a 4 KiB value
/// in place at most 0.8x `insert(make())`, which builds it and copies it in.
const ARENA: [Target; 3] = [
    Target {
        what: "Arena::alloc 32 B vs typed-arena, p50",
        kind: p50(
            arena::ALLOC_32B,
            arena::OURS,
            arena::TYPED_ARENA,
            "x typed-arena (p50)",
        ),
        limit: 1.2,
    },
    Target {
        what: "Arena::alloc 32 B vs typed-arena, mean",
        kind: Kind::Ratio {
            table: arena::ALLOC_32B,
            ours: arena::OURS,
            peer: arena::TYPED_ARENA,
            at: At::Mean,
            unit: "x typed-arena mean",
        },
        limit: 1.2,
    },
    Target {
        what: "claim() in place vs insert(make()), 4 KiB",
        kind: p50(
            in_place::INSERT_4096B,
            in_place::CLAIM,
            in_place::INSERT,
            "x insert (p50)",
        ),
        limit: 0.8,
    },
];

/// Every target, grouped by component.
/// Safe key-following: `Access::get` at most 2 cycles per hop over `get_unchecked`; versioned
/// keys at most 2 cycles over plain ones, per insert + remove and per hop.
const KEY_WALK: [Target; 4] = [
    Target {
        what: "versioned insert + remove over plain, Access",
        kind: Kind::CyclesOver {
            table: key_walk::INSERT_REMOVE,
            ours: "Access versioned",
            base: "Access",
        },
        limit: 2.0,
    },
    Target {
        what: "get_versioned per hop over get, in-order list",
        kind: Kind::CyclesOver {
            table: key_walk::IN_ORDER,
            ours: "alloc Acc. vers.",
            base: "alloc Access",
        },
        limit: 2.0,
    },
    Target {
        what: "Access::get per hop over get_unchecked, in-order list",
        kind: Kind::CyclesOver {
            table: key_walk::IN_ORDER,
            ours: "alloc Access",
            base: "alloc unchecked",
        },
        limit: 2.0,
    },
    Target {
        what: "Access::get per hop over get_unchecked, shuffled list",
        kind: Kind::CyclesOver {
            table: key_walk::SHUFFLED,
            ours: "alloc Access",
            base: "alloc unchecked",
        },
        limit: 2.0,
    },
];

/// Sendable slots. Freed on another thread and reused by the owner, at most half `Box`'s
/// cost: the ratio is taken on the per-object table, whose every sample is one object's
/// insert (with the reuse it includes) plus its remote drop, so its p50 is the median cost
/// of an object, not the sum of the two sides' medians (a ratio compares two rows of one
/// table; the per-object rows are the sums). On the owner's thread, a `SendSlot`'s insert +
/// drop at most 1 cycle over a `Slot`'s (p50, the same allocator, churn's tight loop).
const SEND: [Target; 2] = [
    Target {
        what: "SendSlot: remote free + reuse vs Box, 2 threads",
        kind: p50(
            remote_free::PER_OBJECT,
            remote_free::SEND_SLOT,
            remote_free::BOX,
            "x Box (p50)",
        ),
        limit: 0.5,
    },
    Target {
        what: "SendSlot insert + drop on its owner over Slot",
        kind: Kind::CyclesOver {
            table: remote_free::OWNER_LOCAL,
            ours: remote_free::SEND_SLOT,
            base: remote_free::SLOT,
        },
        limit: 1.0,
    },
];

fn targets() -> impl Iterator<Item = &'static Target> {
    HISLAB
        .iter()
        .chain(&HISLAB_CHURN)
        .chain(LOOPS)
        .chain(&ALLOC_BOUNDED)
        .chain(&ALLOC_UNBOUNDED)
        .chain(&GROWTH)
        .chain(&SHRINK)
        .chain(&CONTENDERS)
        .chain(&KEY_WALK)
        .chain(&ARENA)
        .chain(&SEND)
        .chain(&BYTE)
}

/// A target checked against a run.
#[derive(Debug, Clone)]
pub struct Check {
    /// What is compared.
    pub what: &'static str,
    /// Our figure: a ratio to a peer at p50, a p50 in cycles, or MiB.
    pub figure: f64,
    /// The limit: the figure must be at most this (at least, when `at_least`).
    pub limit: f64,
    /// The figure must be at least `limit` (a fraction of memory used well), not at most.
    pub at_least: bool,
    /// Unit of `figure` and `limit`: `x slab (p50)` (or another peer and percentile),
    /// `cycles (p50)`, `MiB`, `bytes/value` or `in use/taken`.
    pub unit: &'static str,
    /// `figure <= limit` (`>=` when `at_least`).
    pub holds: bool,
    /// The least and the greatest of the figure and its value in each round alone (the
    /// figure itself for a target measured once).
    pub min: f64,
    /// See `min`.
    pub max: f64,
}

impl Check {
    /// The limit lies inside `min..=max` (and the spread is not a single point): some
    /// round meets it and some does not, so the run cannot say.
    pub fn within_noise(&self) -> bool {
        self.min < self.max && self.min <= self.limit && self.limit <= self.max
    }

    /// `holds`, `MISSES`, or `within noise`.
    pub fn verdict(&self) -> &'static str {
        if self.within_noise() {
            "within noise"
        } else if self.holds {
            "holds"
        } else {
            "MISSES"
        }
    }
}

/// The figure `at` picks from a summary (`None` for the wall time, which is not in it).
fn pick(at: At, s: &Summary) -> Option<f64> {
    match at {
        At::P50 => Some(s.p50),
        At::Mean => Some(s.mean),
        At::P999 => Some(s.p999),
        At::P9999 => Some(s.p9999),
        At::Wall => None,
    }
}

/// `ours / peer` at `at`: of the merged rounds, and of each round alone (round `k` of one
/// against round `k` of the other).
fn ratio(table: &LatencyTable, ours: &str, peer: &str, at: At) -> Option<(f64, Vec<f64>)> {
    let (o, p) = (table.row(ours)?, table.row(peer)?);
    let whole = |r: &Row| match at {
        At::Wall => r.growth.map(|g| g.wall_ns),
        _ => pick(at, &r.summary),
    };
    let (a, b) = (whole(o)?, whole(p)?);
    let each: Vec<f64> = match at {
        At::Wall => o
            .round_wall_ns
            .iter()
            .zip(&p.round_wall_ns)
            .map(|(a, b)| a / b)
            .collect(),
        _ => o
            .rounds
            .iter()
            .zip(&p.rounds)
            .filter_map(|(a, b)| Some(pick(at, a)? / pick(at, b)?))
            .collect(),
    };
    (b > 0.0).then(|| (a / b, each.into_iter().filter(|v| v.is_finite()).collect()))
}

fn latency<'a>(outcomes: &'a [Outcome], id: &str) -> Option<&'a LatencyTable> {
    outcomes.iter().find_map(|o| match o {
        Outcome::Latency(l) if l.id == id => Some(l),
        _ => None,
    })
}

/// Every target whose table is in `outcomes` (a run of some workloads checks only those).
pub fn check(outcomes: &[Outcome]) -> Vec<Check> {
    targets()
        .filter_map(|t| {
            let mut rounds = Vec::new();
            let (figure, unit) = match t.kind {
                Kind::RatioToSlab(id) => {
                    let (f, each) = ratio(latency(outcomes, id)?, "HiSlab", "slab", At::P50)?;
                    rounds = each;
                    (f, "x slab (p50)")
                }
                Kind::Ratio {
                    table,
                    ours,
                    peer,
                    at,
                    unit,
                } => {
                    let (f, each) = ratio(latency(outcomes, table)?, ours, peer, at)?;
                    rounds = each;
                    (f, unit)
                }
                Kind::CyclesP50 { table, system } => {
                    if UNIT != "cycles" {
                        return None;
                    }
                    let r = latency(outcomes, table)?.row(system)?;
                    rounds = r.rounds.iter().map(|s| s.p50).collect();
                    (r.summary.p50, "cycles (p50)")
                }
                Kind::CyclesOver { table, ours, base } => {
                    if UNIT != "cycles" {
                        return None;
                    }
                    let t = latency(outcomes, table)?;
                    let (o, b) = (t.row(ours)?, t.row(base)?);
                    rounds = o
                        .rounds
                        .iter()
                        .zip(&b.rounds)
                        .map(|(o, b)| o.p50 - b.p50)
                        .collect();
                    (o.summary.p50 - b.summary.p50, "cycles over (p50)")
                }
                Kind::MemoryMiB => {
                    let bytes = outcomes.iter().find_map(|o| match o {
                        Outcome::Memory(m) => m.row("HiSlab")?.rss_growth.clone().ok(),
                        _ => None,
                    })?;
                    (bytes as f64 / (1u64 << 20) as f64, "MiB")
                }
                Kind::BytesPerValue(system) => {
                    let per = outcomes.iter().find_map(|o| match o {
                        Outcome::Memory(m) => {
                            let b = m.row(system)?.rss_growth.clone().ok()?;
                            Some(b as f64 / m.values.max(1) as f64)
                        }
                        _ => None,
                    })?;
                    (per, "bytes/value")
                }
                Kind::TopKeptOverIdeal(system) => {
                    let x = outcomes.iter().find_map(|o| match o {
                        Outcome::Memory(m) => m.top_kept_over_ideal(system),
                        _ => None,
                    })?;
                    (x, "x least")
                }
                Kind::RandomReturned(system) => {
                    let x = outcomes.iter().find_map(|o| match o {
                        Outcome::Memory(m) => m.random_returned_share(system),
                        _ => None,
                    })?;
                    (x, "freed returned")
                }
                Kind::InUsePerTaken(system) => {
                    let f = outcomes.iter().find_map(|o| match o {
                        Outcome::Fragmentation(f) => f.row(system)?.per_taken(),
                        _ => None,
                    })?;
                    (f, "in use/taken")
                }
            };
            let at_least = matches!(t.kind, Kind::InUsePerTaken(_) | Kind::RandomReturned(_));
            let (min, max) = rounds
                .iter()
                .fold((figure, figure), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            Some(Check {
                what: t.what,
                figure,
                limit: t.limit,
                at_least,
                unit,
                holds: if at_least {
                    figure >= t.limit
                } else {
                    figure <= t.limit
                },
                min,
                max,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(figure: f64, min: f64, max: f64, limit: f64) -> Check {
        Check {
            what: "t",
            figure,
            limit,
            at_least: false,
            unit: "x",
            holds: figure <= limit,
            min,
            max,
        }
    }

    #[test]
    fn a_limit_inside_the_spread_is_within_noise() {
        assert_eq!(check(0.9, 0.8, 1.1, 1.0).verdict(), "within noise");
        assert_eq!(check(0.9, 0.8, 0.95, 1.0).verdict(), "holds");
        assert_eq!(check(1.2, 1.1, 1.3, 1.0).verdict(), "MISSES");
        assert_eq!(check(1.0, 1.0, 1.0, 1.0).verdict(), "holds");
    }

    /// The unit column of the targets table is 19 characters wide.
    #[test]
    fn units_fit_their_column() {
        for t in targets() {
            if let Kind::Ratio { unit, .. } = t.kind {
                assert!(unit.chars().count() <= 19, "{unit}");
            }
        }
    }
}

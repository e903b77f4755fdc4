//! Text tables for stdout.

use crate::stats::Summary;
use crate::targets::Check;
use crate::timing::UNIT;
use crate::workloads::byte_mixed::FragTable;
use crate::workloads::memory::{MemoryTable, Removal};
use crate::workloads::LatencyTable;
use std::fmt::Write;

/// A figure with sensible precision: one decimal below 100, none above.
pub fn num(v: f64) -> String {
    if v < 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

/// `ours / best peer` at one percentile, with the best peer's name.
pub fn ratio_to_best_peer(
    table: &LatencyTable,
    system: &str,
    pick: impl Fn(&Summary) -> f64,
) -> Option<(f64, &'static str)> {
    let ours = pick(&table.row(system)?.summary);
    let best = table
        .rows
        .iter()
        .filter(|r| !r.ours)
        .min_by(|a, b| pick(&a.summary).total_cmp(&pick(&b.summary)))?;
    let peer = pick(&best.summary);
    (peer > 0.0).then(|| (ours / peer, best.system))
}

/// Width of the system-name column (the longest name, "alloc unbounded", fits).
const NAME: usize = 16;

/// The table of one workload, with a ratio line for each of our systems.
pub fn latency(t: &LatencyTable) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", t.title);
    let _ = writeln!(s, "  {}", t.method);
    // Growth: wall time per insert and page faults, after the unit of the percentiles.
    let growth = t.rows.iter().any(|r| r.growth.is_some());
    if growth {
        let _ = writeln!(
            s,
            "  wall ns/op = a run of the same loop without the timestamps, timed as a whole \
             (Instant) / inserts, median of as many runs; faults/Mi = minor page faults \
             (getrusage ru_minflt) during the insert loop per 1 Mi inserts, mean of all runs \
             (the store's creation, the handle and sample buffers not counted)"
        );
    }
    let extra = |wall: &str, faults: &str| {
        if growth {
            format!("{wall:>12} {faults:>11}")
        } else {
            String::new()
        }
    };
    let unit_width = if growth { UNIT.len() + 3 } else { 0 };
    let _ = writeln!(
        s,
        "  {:<NAME$} {:>9} {:>9} {:>9} {:>9} {:>11}  {:<unit_width$}{}",
        "system",
        "p50",
        "p99",
        "p99.9",
        "p99.99",
        "max",
        "unit",
        extra("wall ns/op", "faults/Mi")
    );
    for r in &t.rows {
        let [p50, p99, p999, p9999, max] = r.summary.values();
        let (wall, faults) = match r.growth {
            Some(g) => (
                num(g.wall_ns),
                g.faults_per_mi.map_or("-".into(), |f| format!("{f:.0}")),
            ),
            None => ("-".into(), "-".into()),
        };
        let _ = writeln!(
            s,
            "  {:<NAME$} {:>9} {:>9} {:>9} {:>9} {:>11}  {:<unit_width$}{}",
            r.system,
            num(p50),
            num(p99),
            num(p999),
            num(p9999),
            num(max),
            format!("{UNIT}/op"),
            extra(&wall, &faults)
        );
    }
    if !t.not_run.is_empty() {
        let _ = writeln!(
            s,
            "  not run (the system's API cannot do this): {}",
            t.not_run.join(", ")
        );
    }
    if t.has_series() {
        let _ = writeln!(
            s,
            "  total per run (sum of the timed inserts, overhead subtracted): {}",
            t.rows
                .iter()
                .map(|r| format!(
                    "{} {:.1} M{UNIT}",
                    r.system,
                    r.summary.total(t.rounds as u64) / 1e6
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for r in t.rows.iter().filter(|r| r.ours) {
        let at_p50 = ratio_to_best_peer(t, r.system, |s| s.p50);
        let at_p999 = ratio_to_best_peer(t, r.system, |s| s.p999);
        if let (Some((a, pa)), Some((b, pb))) = (at_p50, at_p999) {
            let _ = writeln!(
                s,
                "  {} / best peer: {a:.2}x at p50 (best peer at p50: {pa}); \
                 {b:.2}x at p99.9 (best at p99.9: {pb})",
                r.system
            );
        }
    }
    s
}

/// The memory table.
pub fn memory(m: &MemoryTable) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "memory, {} live {}-byte values", m.values, m.value_bytes);
    let _ = writeln!(
        s,
        "  anonymous RSS growth (/proc/self/statm resident less shared: code pages faulted in \
         on first use are not counted) while the values are inserted into a store created \
         empty; one fresh process per system; handles kept in a vector whose pages were touched \
         before the first reading, so they are not counted"
    );
    let _ = writeln!(
        s,
        "  {:<NAME$} {:>10} {:>12}",
        "system", "RSS MiB", "bytes/value"
    );
    for r in &m.rows {
        match &r.rss_growth {
            Ok(b) => {
                let _ = writeln!(
                    s,
                    "  {:<NAME$} {:>10.1} {:>12.1}",
                    r.system,
                    *b as f64 / (1u64 << 20) as f64,
                    *b as f64 / m.values as f64
                );
            }
            Err(e) => {
                let _ = writeln!(s, "  {:<NAME$} not measured: {e}", r.system);
            }
        }
    }
    let best_peer = m
        .rows
        .iter()
        .filter(|r| !r.ours)
        .filter_map(|r| Some((r.rss_growth.clone().ok()?, r.system)))
        .min();
    for r in m.rows.iter().filter(|r| r.ours) {
        if let (Ok(ours), Some((peer, name))) = (&r.rss_growth, best_peer) {
            if peer > 0 {
                let _ = writeln!(
                    s,
                    "  {} / best peer: {:.2}x (best peer: {name})",
                    r.system,
                    *ours as f64 / peer as f64
                );
            }
        }
    }
    s.push_str(&memory_removals(m));
    s
}

/// The memory table's second part: what is left after removing 90% of the values, and after
/// giving memory back.
fn memory_removals(m: &MemoryTable) -> String {
    let mib = |b: u64| b as f64 / (1u64 << 20) as f64;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\nmemory after removing 90% of {} live {}-byte values, then shrink\n  {} values \
         left: the top 90% (the last inserted) or 90% at random removed; then the system's \
         call that gives memory back (HiSlab and alloc: shrink(), slab: shrink_to_fit(); '-': \
         it has none); one fresh process per system and pattern; MiB of RSS growth over the \
         process before the store was made",
        m.values,
        m.value_bytes,
        m.left()
    );
    let _ = writeln!(
        s,
        "  {:<NAME$} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "system", "full", "top rm", "shrunk", "rand rm", "shrunk", "returned"
    );
    for r in &m.rows {
        let (Some(top), Some(rand)) = (r.readings(Removal::Top), r.readings(Removal::Random))
        else {
            let why = r
                .removals
                .iter()
                .find_map(|(_, x)| x.clone().err())
                .unwrap_or_default();
            let _ = writeln!(s, "  {:<NAME$} not measured: {why}", r.system);
            continue;
        };
        let opt = |b: Option<u64>| b.map_or("-".to_string(), |b| format!("{:.1}", mib(b)));
        let share = m
            .random_returned_share(r.system)
            .map_or("-".to_string(), |f| format!("{:.1}%", f * 100.0));
        let _ = writeln!(
            s,
            "  {:<NAME$} {:>8.1} {:>9.1} {:>9} {:>9.1} {:>9} {:>9}",
            r.system,
            mib(top.full),
            mib(top.removed),
            opt(top.shrunk),
            mib(rand.removed),
            opt(rand.shrunk),
            share
        );
    }
    let _ = writeln!(
        s,
        "  least a store can keep after the top removal: {:.2} MiB ({} values in 4 KiB \
         pages + 1 bit per value inserted); returned = share of the removed values' bytes \
         given back after the random removal",
        mib(m.ideal_after_top()),
        m.left()
    );
    for r in m.rows.iter().filter(|r| r.ours) {
        if let Some(x) = m.top_kept_over_ideal(r.system) {
            let _ = writeln!(
                s,
                "  {} after top removal + shrink / least: {x:.3}x",
                r.system
            );
        }
    }
    s
}

/// The byte allocators' fragmentation table.
pub fn fragmentation(f: &FragTable) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "byte-mixed fragmentation, {} live allocations after the last round",
        f.live
    );
    let _ = writeln!(
        s,
        "  in use = requested bytes of the live allocations; taken = what the allocator took \
         from its region for them (nexus-slab: pages held by size classes and large \
         allocations, free slots included; buddy_system: blocks after rounding up to a power \
         of two; talc, linked_list: no count); extent = highest end of a live allocation − \
         region start (every allocator; includes nexus-slab's region metadata, 2.6%)"
    );
    let _ = writeln!(
        s,
        "  {:<NAME$} {:>8} {:>10} {:>10} {:>10} {:>13} {:>14}",
        "allocator",
        "steps",
        "in use MiB",
        "taken MiB",
        "extent MiB",
        "in use/taken",
        "in use/extent"
    );
    let mib = |b: usize| b as f64 / (1u64 << 20) as f64;
    for (r, steps) in &f.rows {
        let _ = writeln!(
            s,
            "  {:<NAME$} {:>8} {:>10.1} {:>10} {:>10.1} {:>13} {:>14.3}",
            r.system,
            steps,
            mib(r.in_use),
            r.taken.map_or("-".into(), |t| format!("{:.1}", mib(t))),
            mib(r.extent),
            r.per_taken().map_or("-".into(), |v| format!("{v:.3}")),
            r.per_extent()
        );
    }
    s
}

/// A target's figure with its spread over the rounds: `0.912 [0.874–0.951]`.
pub fn figure_with_spread(c: &Check) -> String {
    format!("{:.3} [{:.3}–{:.3}]", c.figure, c.min, c.max)
}

/// The targets table.
pub fn targets(checks: &[Check]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "targets (ratios are ours / the peer the unit names, at p50 unless the unit names \
         another percentile; cycles are TSC ticks)"
    );
    let _ = writeln!(
        s,
        "  figure = of all rounds merged [min–max = the least and greatest of it and of each \
         round alone]; within noise = the limit lies inside that spread"
    );
    let _ = writeln!(
        s,
        "  {:<52} {:>27} {:>8}  {:<19} result",
        "target", "figure [min–max]", "limit", "unit"
    );
    for c in checks {
        let _ = writeln!(
            s,
            "  {:<52} {:>27} {:>8}  {:<19} {}",
            c.what,
            figure_with_spread(c),
            format!("{}{:.3}", if c.at_least { "≥" } else { "≤" }, c.limit),
            c.unit,
            c.verdict()
        );
    }
    s
}

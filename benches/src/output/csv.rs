//! CSV files: the same figures as the text tables, one row per system and table.

use crate::targets::Check;
use crate::timing::UNIT;
use crate::workloads::byte_mixed::FragTable;
use crate::workloads::memory::MemoryTable;
use crate::workloads::LatencyTable;
use std::fmt::Write;

/// `latency.csv`: one row per table and system. The growth workload's wall time per insert
/// (ns) and minor page faults per 2^20 inserts are in the last two columns (empty for the
/// other workloads).
pub fn latency(tables: &[&LatencyTable]) -> String {
    let mut s = String::from(
        "table,workload,value_bytes,system,ours,p50,p99,p99_9,p99_99,max,mean,unit,samples,ops_per_sample,wall_ns_per_op,minor_faults_per_mi\n",
    );
    for t in tables {
        for r in &t.rows {
            let [p50, p99, p999, p9999, max] = r.summary.values();
            let (wall, faults) = match r.growth {
                Some(g) => (
                    format!("{:.3}", g.wall_ns),
                    g.faults_per_mi.map_or(String::new(), |f| format!("{f:.1}")),
                ),
                None => (String::new(), String::new()),
            };
            let _ = writeln!(
                s,
                "{},{},{},{},{},{p50:.3},{p99:.3},{p999:.3},{p9999:.3},{max:.3},{:.3},{UNIT}/op,{},{},{wall},{faults}",
                t.id,
                t.workload,
                t.value_bytes,
                r.system,
                r.ours,
                r.summary.mean,
                r.summary.samples,
                r.summary.ops_per_sample
            );
        }
    }
    s
}

/// `growth_series.csv`: the slowest insert of each stretch (smallest over the runs), per
/// table and system.
pub fn growth_series(tables: &[&LatencyTable]) -> String {
    let mut s = String::from("table,system,first_insert,last_insert,max_min_over_runs,unit\n");
    for t in tables {
        for r in &t.rows {
            for (i, v) in r.series.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "{},{},{},{},{v:.0},{UNIT}",
                    t.id,
                    r.system,
                    i * t.bucket_len,
                    (i + 1) * t.bucket_len - 1
                );
            }
        }
    }
    s
}

/// `memory.csv`.
pub fn memory(m: &MemoryTable) -> String {
    let mut s = String::from(
        "system,ours,values,value_bytes,rss_growth_bytes,rss_growth_mib,bytes_per_value\n",
    );
    for r in &m.rows {
        match &r.rss_growth {
            Ok(b) => {
                let _ = writeln!(
                    s,
                    "{},{},{},{},{b},{:.3},{:.2}",
                    r.system,
                    r.ours,
                    m.values,
                    m.value_bytes,
                    *b as f64 / (1u64 << 20) as f64,
                    *b as f64 / m.values as f64
                );
            }
            Err(_) => {
                let _ = writeln!(
                    s,
                    "{},{},{},{},,,",
                    r.system, r.ours, m.values, m.value_bytes
                );
            }
        }
    }
    s
}

/// `memory_removal.csv`: the readings after removing 90% of the values and giving memory
/// back (bytes of RSS growth; `shrunk_bytes` empty when the system has no such call).
pub fn memory_removal(m: &MemoryTable) -> String {
    let mut s = String::from(
        "system,ours,values,value_bytes,removal,full_bytes,removed_bytes,shrunk_bytes\n",
    );
    for r in &m.rows {
        for (removal, readings) in &r.removals {
            if let Ok(x) = readings {
                let shrunk = x.shrunk.map(|b| b.to_string()).unwrap_or_default();
                let _ = writeln!(
                    s,
                    "{},{},{},{},{},{},{},{shrunk}",
                    r.system,
                    r.ours,
                    m.values,
                    m.value_bytes,
                    removal.name(),
                    x.full,
                    x.removed
                );
            }
        }
    }
    s
}

/// `fragmentation.csv`: the byte allocators after the mixed workload (sizes in bytes).
pub fn fragmentation(f: &FragTable) -> String {
    let mut s = String::from(
        "table,allocator,ours,live_allocations,steps,in_use_bytes,taken_bytes,extent_bytes,in_use_per_taken,in_use_per_extent\n",
    );
    for (r, steps) in &f.rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{steps},{},{},{},{},{:.4}",
            f.id,
            r.system,
            r.ours,
            f.live,
            r.in_use,
            r.taken.map_or(String::new(), |t| t.to_string()),
            r.extent,
            r.per_taken().map_or(String::new(), |v| format!("{v:.4}")),
            r.per_extent()
        );
    }
    s
}

/// `targets.csv` (`bound` is `at_most` or `at_least`).
pub fn targets(checks: &[Check]) -> String {
    let mut s = String::from("target,figure,unit,bound,limit,holds\n");
    for c in checks {
        let _ = writeln!(
            s,
            "\"{}\",{:.4},{},{},{},{}",
            c.what,
            c.figure,
            c.unit,
            if c.at_least { "at_least" } else { "at_most" },
            c.limit,
            c.holds
        );
    }
    s
}

//! CSV files: the same figures as the text tables, one row per system and table.

use crate::targets::Check;
use crate::timing::UNIT;
use crate::workloads::memory::MemoryTable;
use crate::workloads::LatencyTable;
use std::fmt::Write;

/// `latency.csv`: one row per table and system.
pub fn latency(tables: &[&LatencyTable]) -> String {
    let mut s = String::from(
        "table,workload,value_bytes,system,ours,p50,p99,p99_9,p99_99,max,unit,samples,ops_per_sample\n",
    );
    for t in tables {
        for r in &t.rows {
            let [p50, p99, p999, p9999, max] = r.summary.values();
            let _ = writeln!(
                s,
                "{},{},{},{},{},{p50:.3},{p99:.3},{p999:.3},{p9999:.3},{max:.3},{UNIT}/op,{},{}",
                t.id,
                t.workload.name(),
                t.value_bytes,
                r.system,
                r.ours,
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

/// `targets.csv`.
pub fn targets(checks: &[Check]) -> String {
    let mut s = String::from("target,figure,unit,limit,holds\n");
    for c in checks {
        let _ = writeln!(
            s,
            "\"{}\",{:.4},{},{},{}",
            c.what, c.figure, c.unit, c.limit, c.holds
        );
    }
    s
}

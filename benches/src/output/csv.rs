//! CSV files: the same figures as the text tables, one row per system and table, written
//! with the `csv` crate (fields quoted where they hold a comma, a quote or a newline).

use crate::targets::Check;
use crate::timing::UNIT;
use crate::workloads::byte_mixed::FragTable;
use crate::workloads::memory::MemoryTable;
use crate::workloads::LatencyTable;

/// Rows of string fields, the first the header, as CSV text.
fn write(rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(&r).expect("writing to a Vec cannot fail");
    }
    let bytes = w.into_inner().expect("flushing to a Vec cannot fail");
    String::from_utf8(bytes).expect("every field is a String")
}

/// The header's names as fields.
fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn f3(v: f64) -> String {
    format!("{v:.3}")
}

/// `latency.csv`: one row per table and system. The growth workload's wall time per insert
/// (ns) and minor page faults per 2^20 inserts follow the sample counts (empty for the
/// other workloads); the 25th and 75th percentiles come last.
pub fn latency(tables: &[&LatencyTable]) -> String {
    let mut rows = vec![header(&[
        "table",
        "workload",
        "value_bytes",
        "system",
        "ours",
        "p50",
        "p99",
        "p99_9",
        "p99_99",
        "max",
        "mean",
        "unit",
        "samples",
        "ops_per_sample",
        "wall_ns_per_op",
        "minor_faults_per_mi",
        "p25",
        "p75",
    ])];
    for t in tables {
        for r in &t.rows {
            let (wall, faults) = match r.growth {
                Some(g) => (
                    format!("{:.3}", g.wall_ns),
                    g.faults_per_mi.map_or(String::new(), |f| format!("{f:.1}")),
                ),
                None => (String::new(), String::new()),
            };
            let mut row = vec![
                t.id.clone(),
                t.workload.to_string(),
                t.value_bytes.to_string(),
                r.system.to_string(),
                r.ours.to_string(),
            ];
            row.extend(r.summary.values().map(f3));
            row.extend([
                f3(r.summary.mean),
                format!("{UNIT}/op"),
                r.summary.samples.to_string(),
                r.summary.ops_per_sample.to_string(),
                wall,
                faults,
                f3(r.summary.p25),
                f3(r.summary.p75),
            ]);
            rows.push(row);
        }
    }
    write(rows)
}

/// `growth_series.csv`: the slowest insert of each stretch (smallest over the runs), per
/// table and system.
pub fn growth_series(tables: &[&LatencyTable]) -> String {
    let mut rows = vec![header(&[
        "table",
        "system",
        "first_insert",
        "last_insert",
        "max_min_over_runs",
        "unit",
    ])];
    for t in tables {
        for r in &t.rows {
            for (i, v) in r.series.iter().enumerate() {
                rows.push(vec![
                    t.id.clone(),
                    r.system.to_string(),
                    (i * t.bucket_len).to_string(),
                    ((i + 1) * t.bucket_len - 1).to_string(),
                    format!("{v:.0}"),
                    UNIT.to_string(),
                ]);
            }
        }
    }
    write(rows)
}

/// `memory.csv`.
pub fn memory(m: &MemoryTable) -> String {
    let mut rows = vec![header(&[
        "system",
        "ours",
        "values",
        "value_bytes",
        "rss_growth_bytes",
        "rss_growth_mib",
        "bytes_per_value",
    ])];
    for r in &m.rows {
        let mut row = vec![
            r.system.to_string(),
            r.ours.to_string(),
            m.values.to_string(),
            m.value_bytes.to_string(),
        ];
        match &r.rss_growth {
            Ok(b) => row.extend([
                b.to_string(),
                format!("{:.3}", *b as f64 / (1u64 << 20) as f64),
                format!("{:.2}", *b as f64 / m.values as f64),
            ]),
            Err(_) => row.extend([String::new(), String::new(), String::new()]),
        }
        rows.push(row);
    }
    write(rows)
}

/// `memory_removal.csv`: the readings after removing 90% of the values and giving memory
/// back (bytes of RSS growth; `shrunk_bytes` empty when the system has no such call).
pub fn memory_removal(m: &MemoryTable) -> String {
    let mut rows = vec![header(&[
        "system",
        "ours",
        "values",
        "value_bytes",
        "removal",
        "full_bytes",
        "removed_bytes",
        "shrunk_bytes",
    ])];
    for r in &m.rows {
        for (removal, readings) in &r.removals {
            if let Ok(x) = readings {
                rows.push(vec![
                    r.system.to_string(),
                    r.ours.to_string(),
                    m.values.to_string(),
                    m.value_bytes.to_string(),
                    removal.name().to_string(),
                    x.full.to_string(),
                    x.removed.to_string(),
                    x.shrunk.map(|b| b.to_string()).unwrap_or_default(),
                ]);
            }
        }
    }
    write(rows)
}

/// `fragmentation.csv`: the byte allocators after the mixed workload (sizes in bytes).
pub fn fragmentation(f: &FragTable) -> String {
    let mut rows = vec![header(&[
        "table",
        "allocator",
        "ours",
        "live_allocations",
        "steps",
        "in_use_bytes",
        "taken_bytes",
        "extent_bytes",
        "in_use_per_taken",
        "in_use_per_extent",
    ])];
    for (r, steps) in &f.rows {
        rows.push(vec![
            f.id.to_string(),
            r.system.to_string(),
            r.ours.to_string(),
            f.live.to_string(),
            steps.to_string(),
            r.in_use.to_string(),
            r.taken.map_or(String::new(), |t| t.to_string()),
            r.extent.to_string(),
            r.per_taken().map_or(String::new(), |v| format!("{v:.4}")),
            format!("{:.4}", r.per_extent()),
        ]);
    }
    write(rows)
}

/// `targets.csv` (`bound` is `at_most` or `at_least`; `holds` is the merged figure against
/// the limit; `min` and `max` the spread over the rounds; `result` is `holds`, `misses` or
/// `within_noise`).
pub fn targets(checks: &[Check]) -> String {
    let mut rows = vec![header(&[
        "target", "figure", "unit", "bound", "limit", "holds", "min", "max", "result",
    ])];
    for c in checks {
        rows.push(vec![
            c.what.to_string(),
            format!("{:.4}", c.figure),
            c.unit.to_string(),
            if c.at_least { "at_least" } else { "at_most" }.to_string(),
            c.limit.to_string(),
            c.holds.to_string(),
            format!("{:.4}", c.min),
            format!("{:.4}", c.max),
            c.verdict().to_lowercase().replace(' ', "_"),
        ]);
    }
    write(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_and_quotes_are_quoted() {
        let text = write([
            header(&["a", "b"]),
            vec!["x, y".into(), "say \"hi\"".into()],
        ]);
        assert_eq!(text, "a,b\n\"x, y\",\"say \"\"hi\"\"\"\n");
    }
}

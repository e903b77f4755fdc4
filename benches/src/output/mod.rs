//! What a run produces: text tables on stdout, CSV files and SVG charts in `target/report/`.

pub mod csv;
pub mod svg;
pub mod table;

use crate::targets::Check;
use crate::workloads::Outcome;
use std::io;
use std::path::{Path, PathBuf};

/// `target/report/` of the workspace: under `CARGO_TARGET_DIR` when set, else the `target/`
/// beside this crate.
pub fn report_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("report")
}

/// Writes the CSV files and one SVG per latency table into `dir` (created if needed);
/// returns the files written.
pub fn write_dir(dir: &Path, outcomes: &[Outcome], checks: &[Check]) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    let mut put = |name: &str, text: String| -> io::Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        written.push(path);
        Ok(())
    };
    let tables: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Latency(t) => Some(t),
            Outcome::Memory(_) | Outcome::Fragmentation(_) => None,
        })
        .collect();
    if !tables.is_empty() {
        put("latency.csv", csv::latency(&tables))?;
    }
    let growth: Vec<_> = tables.iter().copied().filter(|t| t.has_series()).collect();
    if !growth.is_empty() {
        put("growth_series.csv", csv::growth_series(&growth))?;
    }
    for o in outcomes {
        match o {
            Outcome::Memory(m) => {
                put("memory.csv", csv::memory(m))?;
                put("memory_removal.csv", csv::memory_removal(m))?;
            }
            Outcome::Fragmentation(f) => put("fragmentation.csv", csv::fragmentation(f))?,
            Outcome::Latency(_) => {}
        }
    }
    if !checks.is_empty() {
        put("targets.csv", csv::targets(checks))?;
    }
    for t in &tables {
        let svg = if t.has_series() {
            svg::growth_chart(t)
        } else {
            svg::percentile_chart(t)
        };
        put(&format!("{}.svg", t.id), svg)?;
    }
    Ok(written)
}

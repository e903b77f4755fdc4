//! What a run produces: text tables on stdout, CSV files and SVG charts in `target/report/`.

pub mod csv;
pub mod svg;
pub mod table;

use crate::targets::Check;
use crate::workloads::Outcome;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub use svg::RunInfo;

impl RunInfo {
    /// This run: the CPU model given, the commit checked out where this crate was built
    /// (`git rev-parse --short HEAD`, or `unknown`), now, and this process's arguments.
    pub fn now(cpu: String) -> RunInfo {
        let commit = std::process::Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "unknown".into());
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut args = std::env::args();
        let exe = args.next().unwrap_or_default();
        let exe = Path::new(&exe)
            .file_name()
            .map_or(exe.clone(), |n| n.to_string_lossy().into_owned());
        // The output directory is this machine's business, not the chart's: shown as DIR.
        let mut after_out = false;
        let command = std::iter::once(exe)
            .chain(args.map(|a| {
                if core::mem::replace(&mut after_out, a == "--out") {
                    "DIR".to_string()
                } else if a.starts_with("--out=") {
                    "--out=DIR".to_string()
                } else if a.is_empty() || a.contains([' ', '"', '\'', '\\']) {
                    format!("'{}'", a.replace('\'', r"'\''"))
                } else {
                    a
                }
            }))
            .collect::<Vec<_>>()
            .join(" ");
        RunInfo {
            cpu,
            commit,
            date: utc(secs),
            command,
        }
    }
}

/// `YYYY-MM-DD HH:MM UTC` of `secs` after the Unix epoch (the civil-from-days algorithm of
/// Howard Hinnant's `chrono`-compatible date library).
fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let (hh, mm) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02} UTC")
}

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
pub fn write_dir(
    dir: &Path,
    outcomes: &[Outcome],
    checks: &[Check],
    run: &RunInfo,
) -> io::Result<Vec<PathBuf>> {
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
            svg::growth_chart(t, run)
        } else {
            svg::percentile_chart(t, run)
        };
        put(&format!("{}.svg", t.id), svg)?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::utc(951_782_400 + 3_660), "2000-02-29 01:01 UTC");
        assert_eq!(super::utc(1_798_761_600), "2027-01-01 00:00 UTC");
    }
}

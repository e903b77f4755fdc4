//! Resident memory: how much the process's RSS grows while one system takes `n` live 64-byte
//! values, each system measured in a fresh child process (so memory freed by an earlier
//! workload, or by another system, cannot be reused and hide the cost).
//!
//! The child is the report binary itself, run as `report --memory-probe SYSTEM N`. Handles
//! are not kept (a `Box` is leaked; the process exits right after), so only the store's own
//! memory counts.

use crate::payload::{Payload, V64};
use crate::systems::{each_system, IndexSlab, Visit};
use std::hint::black_box;
use std::path::Path;
use std::process::Command;

/// The command-line flag that runs a probe.
pub const PROBE_FLAG: &str = "--memory-probe";

/// One system's figure.
#[derive(Debug, Clone)]
pub struct MemoryRow {
    /// System name.
    pub system: &'static str,
    /// One of this project's systems.
    pub ours: bool,
    /// RSS growth in bytes, or why it could not be measured.
    pub rss_growth: Result<u64, String>,
}

/// The memory table.
#[derive(Debug, Clone)]
pub struct MemoryTable {
    /// Values inserted.
    pub values: usize,
    /// Bytes per value.
    pub value_bytes: usize,
    /// One row per system.
    pub rows: Vec<MemoryRow>,
}

impl MemoryTable {
    /// The row of `system`.
    pub fn row(&self, system: &str) -> Option<&MemoryRow> {
        self.rows.iter().find(|r| r.system == system)
    }
}

/// Resident anonymous bytes of this process: `/proc/self/statm`'s resident pages less its
/// shared (file-backed) ones. File-backed pages are the binary's code, faulted in the first
/// time a path runs (measured at about 100 KiB for the first inserts of a store, a tenth of
/// a byte per value at 1 Mi values), which is no memory the store keeps for its values.
pub fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let mut fields = statm.split_whitespace().skip(1);
    let resident: u64 = fields.next()?.parse().ok()?;
    let shared: u64 = fields.next()?.parse().ok()?;
    Some(resident.saturating_sub(shared) * page_size())
}

fn page_size() -> u64 {
    #[cfg(unix)]
    {
        // SAFETY: sysconf has no memory-safety preconditions.
        let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        if p > 0 {
            return p as u64;
        }
    }
    4096
}

struct Names(Vec<(&'static str, bool)>);

impl Visit<V64> for Names {
    fn visit<S: IndexSlab<V64>>(&mut self) {
        self.0.push((S::NAME, S::OURS));
    }
}

/// Runs the probe of every system, each in a child `exe --memory-probe NAME n`.
pub fn run_with(exe: &Path, n: usize, progress: &mut dyn FnMut(&str)) -> MemoryTable {
    let mut names = Names(Vec::new());
    each_system(&mut names);
    let rows = names
        .0
        .into_iter()
        .map(|(system, ours)| {
            progress(&format!("memory {system}"));
            let rss_growth = Command::new(exe)
                .args([PROBE_FLAG, system, &n.to_string()])
                .output()
                .map_err(|e| format!("could not start the probe: {e}"))
                .and_then(|out| {
                    let text = String::from_utf8_lossy(&out.stdout);
                    text.trim().parse::<u64>().map_err(|_| {
                        format!(
                            "probe failed: {}",
                            String::from_utf8_lossy(&out.stderr).trim()
                        )
                    })
                });
            MemoryRow {
                system,
                ours,
                rss_growth,
            }
        })
        .collect();
    MemoryTable {
        values: n,
        value_bytes: V64::BYTES,
        rows,
    }
}

/// Runs the probes with this executable as the child.
pub fn run(n: usize, progress: &mut dyn FnMut(&str)) -> MemoryTable {
    match std::env::current_exe() {
        Ok(exe) => run_with(&exe, n, progress),
        Err(e) => {
            let mut names = Names(Vec::new());
            each_system(&mut names);
            MemoryTable {
                values: n,
                value_bytes: V64::BYTES,
                rows: names
                    .0
                    .into_iter()
                    .map(|(system, ours)| MemoryRow {
                        system,
                        ours,
                        rss_growth: Err(format!("no executable path: {e}")),
                    })
                    .collect(),
            }
        }
    }
}

struct Probe {
    system: String,
    n: usize,
    result: Option<Result<u64, String>>,
}

impl Visit<V64> for Probe {
    fn visit<S: IndexSlab<V64>>(&mut self) {
        if S::NAME != self.system {
            return;
        }
        let measure = || {
            let before = rss_bytes().ok_or("no /proc/self/statm")?;
            let mut s = S::growable(self.n);
            for i in 0..self.n {
                // A leaked Box stays resident, which is the point; other handles are plain
                // integers.
                std::mem::forget(black_box(s.insert(V64::new(i as u64))));
            }
            let after = rss_bytes().ok_or("no /proc/self/statm")?;
            // The store is forgotten with its handles (the process exits next): a store whose
            // slots are freed only through their handles may not be dropped under live ones.
            std::mem::forget(black_box(s));
            Ok(after.saturating_sub(before))
        };
        self.result = Some(measure());
    }
}

/// The probe itself (in the child): RSS growth in bytes while `system` takes `n` values.
pub fn probe(system: &str, n: usize) -> Result<u64, String> {
    let mut p = Probe {
        system: system.to_string(),
        n,
        result: None,
    };
    each_system(&mut p);
    p.result
        .unwrap_or_else(|| Err(format!("no system called {system:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_runs_and_rejects_unknown_systems() {
        if rss_bytes().is_none() {
            return; // no procfs here
        }
        // Other tests run in parallel in this process, so the figure itself is not checked.
        assert!(probe("slab", 1 << 12).is_ok());
        assert!(probe("nonexistent", 1).is_err());
    }
}

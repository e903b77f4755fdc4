//! Resident memory: how much the process's RSS grows while one system takes `n` live 64-byte
//! values, then what is left after 90% of them are removed (the top 90% by insertion order,
//! or 90% at random) and after the system's own call for giving memory back (`shrink()`,
//! `shrink_to_fit()`), where it has one. Each system and removal pattern is measured in a
//! fresh child process (so memory freed by an earlier workload, or by another system, cannot
//! be reused and hide the cost).
//!
//! The child is the report binary itself, run as `report --memory-probe SYSTEM N PATTERN`.
//! Handles are kept in a vector whose pages are touched before the first reading, so only
//! the store's own memory counts.

use super::{Ctx, Outcome, Presets, Workload};
use crate::payload::{Payload, V64};
use crate::rng::{permutation, seeded};
use crate::systems::{each_system, IndexSlab, Visit};
use std::hint::black_box;
use std::path::Path;
use std::process::Command;

/// The memory workload.
pub const WORKLOAD: Workload = Workload {
    name: "memory",
    describe: "RSS growth for 1 Mi live 64-byte values (fresh process each)",
    run: |ctx, progress| vec![Outcome::Memory(run(ctx, progress))],
};

/// Values inserted.
pub const VALUES: Presets<usize> = Presets {
    full: 1 << 20,
    quick: 1 << 20,
    tiny: 4_096,
};

/// The command-line flag that runs a probe.
pub const PROBE_FLAG: &str = "--memory-probe";

/// Which 90% of the values a probe removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// The last 90% inserted: what is left is the lowest slots, in a few pages.
    Top,
    /// 90% at random (a fixed seed): what is left is spread over every page.
    Random,
}

impl Removal {
    /// Both, in table order.
    pub const ALL: [Removal; 2] = [Removal::Top, Removal::Random];

    /// Its command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Removal::Top => "top90",
            Removal::Random => "random90",
        }
    }

    fn parse(s: &str) -> Option<Removal> {
        Removal::ALL.into_iter().find(|r| r.name() == s)
    }
}

/// RSS growth over the process before the store was made, at three points of one probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readings {
    /// Every value live.
    pub full: u64,
    /// After removing 90% of them.
    pub removed: u64,
    /// After the system's call that gives memory back (`None`: it has none).
    pub shrunk: Option<u64>,
}

/// One system's figures.
#[derive(Debug, Clone)]
pub struct MemoryRow {
    /// System name.
    pub system: &'static str,
    /// One of this project's systems.
    pub ours: bool,
    /// RSS growth in bytes with every value live (from the top-90% probe), or why it could
    /// not be measured.
    pub rss_growth: Result<u64, String>,
    /// Each removal pattern's readings, in [`Removal::ALL`] order.
    pub removals: Vec<(Removal, Result<Readings, String>)>,
}

impl MemoryRow {
    /// The readings of `removal`, if measured.
    pub fn readings(&self, removal: Removal) -> Option<Readings> {
        self.removals
            .iter()
            .find(|(r, _)| *r == removal)
            .and_then(|(_, x)| x.clone().ok())
    }
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

    /// Values left after a removal (10%).
    pub fn left(&self) -> usize {
        self.values / 10
    }

    /// The least a store can keep for the values left after the top-90% removal: their
    /// bytes in whole 4 KiB pages, plus one occupancy bit per value inserted (the bitmap over
    /// the slots the store reached).
    pub fn ideal_after_top(&self) -> u64 {
        ((self.left() * self.value_bytes).next_multiple_of(4096) + self.values / 8) as u64
    }

    /// After the top-90% removal and the shrink, `system`'s RSS over
    /// [`ideal_after_top`](Self::ideal_after_top) (`None`: not measured, or no shrink).
    pub fn top_kept_over_ideal(&self, system: &str) -> Option<f64> {
        let shrunk = self.row(system)?.readings(Removal::Top)?.shrunk?;
        Some(shrunk as f64 / self.ideal_after_top() as f64)
    }

    /// After the random-90% removal and the shrink (or the removal alone, for a system with
    /// no shrink), the share of the removed values' bytes given back to the OS.
    pub fn random_returned_share(&self, system: &str) -> Option<f64> {
        let r = self.row(system)?.readings(Removal::Random)?;
        let after = r.shrunk.unwrap_or(r.removed);
        let freed = (self.values - self.left()) * self.value_bytes;
        Some(r.full.saturating_sub(after) as f64 / freed as f64)
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

/// Runs the probes of every system, each in a child `exe --memory-probe NAME n PATTERN`.
pub fn run_with(exe: &Path, n: usize, progress: &mut dyn FnMut(&str)) -> MemoryTable {
    let mut names = Names(Vec::new());
    each_system(&mut names);
    let rows = names
        .0
        .into_iter()
        .map(|(system, ours)| {
            progress(&format!("memory {system}"));
            let removals: Vec<(Removal, Result<Readings, String>)> = Removal::ALL
                .into_iter()
                .map(|removal| (removal, run_child(exe, system, n, removal)))
                .collect();
            let rss_growth = removals[0].1.clone().map(|r| r.full);
            MemoryRow {
                system,
                ours,
                rss_growth,
                removals,
            }
        })
        .collect();
    MemoryTable {
        values: n,
        value_bytes: V64::BYTES,
        rows,
    }
}

/// One child: its three readings.
fn run_child(exe: &Path, system: &str, n: usize, removal: Removal) -> Result<Readings, String> {
    let out = Command::new(exe)
        .args([PROBE_FLAG, system, &n.to_string(), removal.name()])
        .output()
        .map_err(|e| format!("could not start the probe: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse_readings(text.trim()).ok_or_else(|| {
        format!(
            "probe failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )
    })
}

/// `FULL REMOVED SHRUNK` (`-` when there is no shrink), as [`format_readings`] writes it.
fn parse_readings(line: &str) -> Option<Readings> {
    let mut f = line.split_whitespace();
    let full = f.next()?.parse().ok()?;
    let removed = f.next()?.parse().ok()?;
    let shrunk = match f.next()? {
        "-" => None,
        x => Some(x.parse().ok()?),
    };
    f.next().is_none().then_some(Readings {
        full,
        removed,
        shrunk,
    })
}

/// The child's output line.
pub fn format_readings(r: &Readings) -> String {
    match r.shrunk {
        Some(s) => format!("{} {} {s}", r.full, r.removed),
        None => format!("{} {} -", r.full, r.removed),
    }
}

/// Runs the probes with the report binary as the child.
pub fn run(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> MemoryTable {
    let n = *VALUES.of(&ctx.cfg);
    match &ctx.exe {
        Some(exe) => run_with(exe, n, progress),
        None => {
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
                        rss_growth: Err("no executable path to run the probes".into()),
                        removals: Vec::new(),
                    })
                    .collect(),
            }
        }
    }
}

struct Probe {
    system: String,
    n: usize,
    removal: Removal,
    result: Option<Result<Readings, String>>,
}

impl Visit<V64> for Probe {
    fn visit<S: IndexSlab<V64>>(&mut self) {
        if S::NAME != self.system {
            return;
        }
        self.result = Some(readings::<S>(self.n, self.removal));
    }
}

/// Fills an `S` with `n` values, removes 90% of them as `removal` says, gives memory back;
/// the RSS growth at each step.
fn readings<S: IndexSlab<V64>>(n: usize, removal: Removal) -> Result<Readings, String> {
    let rss = || rss_bytes().ok_or("no /proc/self/statm");
    // Everything the probe itself needs is allocated and touched before the first reading.
    let order: Vec<u32> = match removal {
        Removal::Top => (n / 10..n).map(|i| i as u32).collect(),
        Removal::Random => {
            let mut all = permutation(&mut seeded(0x5eed_0f90), n as u32);
            all.truncate(n - n / 10);
            all
        }
    };
    let mut handles: Vec<Option<S::Handle>> = Vec::with_capacity(n);
    // SAFETY: writes zeros to the vector's own spare capacity (committing its pages); the
    // length stays 0, so no element is read as a value.
    unsafe {
        handles
            .as_mut_ptr()
            .cast::<u8>()
            .write_bytes(0, n * size_of::<Option<S::Handle>>())
    };
    let before = rss()?;
    let mut s = S::growable(n);
    for i in 0..n {
        handles.push(Some(black_box(s.insert(V64::new(i as u64)))));
    }
    let full = rss()?.saturating_sub(before);
    for &i in &order {
        let h = handles[i as usize]
            .take()
            .expect("each index is removed once");
        black_box(s.remove(h));
    }
    let removed = rss()?.saturating_sub(before);
    let shrunk = if s.shrink() {
        Some(rss()?.saturating_sub(before))
    } else {
        None
    };
    // The store is forgotten with its handles (the process exits next): a store whose slots
    // are freed only through their handles may not be dropped under live ones.
    std::mem::forget(black_box(handles));
    std::mem::forget(black_box(s));
    Ok(Readings {
        full,
        removed,
        shrunk,
    })
}

/// The probe itself (in the child): the readings of `system` for `n` values and `removal`
/// (`top90` or `random90`).
pub fn probe(system: &str, n: usize, removal: &str) -> Result<Readings, String> {
    let removal =
        Removal::parse(removal).ok_or_else(|| format!("no removal pattern called {removal:?}"))?;
    let mut p = Probe {
        system: system.to_string(),
        n,
        removal,
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
        // Other tests run in parallel in this process, so the figures are not checked.
        for removal in Removal::ALL {
            let r = probe("HiSlab", 1 << 12, removal.name()).unwrap();
            assert!(r.shrunk.is_some(), "HiSlab has shrink()");
            let line = format_readings(&r);
            assert_eq!(parse_readings(&line), Some(r), "{line}");
        }
        assert_eq!(probe("slotmap", 1 << 10, "top90").unwrap().shrunk, None);
        assert!(probe("nonexistent", 1, "top90").is_err());
        assert!(probe("slab", 1, "bottom").is_err());
        assert_eq!(parse_readings("1 2"), None);
        assert_eq!(parse_readings("1 2 - 4"), None);
    }
}

//! Growth: from an empty store to `len` values ([`SIZES`]), each insert timed alone. A store that
//! grows by reallocating shows the copy here; one that maps fresh memory shows its page
//! faults.
//!
//! Two variants, a table each:
//! - **fresh**: every run in a new process, the report binary run again as
//!   `report --growth-probe KIND SYSTEM BYTES N BUCKETS OVERHEAD` (its figures come back as
//!   text on stdout): no system can be handed pages that an earlier workload, or another
//!   system, faulted in and freed;
//! - **warm**: in the report's own process, after the workloads run before it, whose freed
//!   memory the system allocator may hand out again already faulted in (a store that takes
//!   its memory from `malloc` gains; one that maps its own does not).
//!
//! A run is one of two kinds. A *timed* run reads the clock around every insert (the
//! percentiles and the chart's series); a *wall* run is the same loop without the
//! timestamps, timed as a whole with [`Instant`] (wall ns per insert: the fenced timestamp
//! pairs would otherwise add about as much as a cheap insert costs). Both count the minor
//! page faults taken during the insert loop (`getrusage`). The store is created before the
//! loop and dropped after it, neither timed nor counted; the handle and sample buffers are
//! allocated and every page of them written before it.

use super::harness::turns;
use super::{binary_size, Contender, Ctx, GrowthFigures, LatencyTable, Outcome, Presets, Row};
use super::Workload;
use crate::payload::{Payload, V256, V32, V64};
use crate::stats::{Recorder, Summary};
use crate::systems::{each_system, IndexSlab, Visit};
use crate::timing::{start, stop, Clock, UNIT};
use std::fmt::Write;
use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The command-line flag that runs one growth in the report binary (the fresh variant's
/// child).
pub const PROBE_FLAG: &str = "--growth-probe";

/// The growth workload.
pub const WORKLOAD: Workload = Workload {
    name: "growth",
    describe: "empty to 1 Mi values, every insert timed alone; fresh process per run, and warm",
    run: |ctx, progress| {
        tables(ctx, progress)
            .into_iter()
            .map(Outcome::Latency)
            .collect()
    },
};

/// Its sizes.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Values inserted.
    pub len: usize,
    /// Rounds of the warm variant (in the report's process): each a timed run of every
    /// system (fresh store each, the systems taking turns), their samples merged, then a
    /// wall-time run of every system.
    pub rounds: usize,
    /// Rounds of the fresh variant: as `rounds`, each run in a new process.
    pub fresh_rounds: usize,
    /// Points in the chart (each the slowest insert of its stretch).
    pub buckets: usize,
}

const FULL: Sizes = Sizes {
    len: 1 << 20,
    rounds: 4,
    fresh_rounds: 3,
    buckets: 512,
};

/// Its sizes in each preset.
pub const SIZES: Presets<Sizes> = Presets {
    full: FULL,
    quick: Sizes {
        rounds: 1,
        fresh_rounds: 1,
        ..FULL
    },
    tiny: Sizes {
        len: 4_096,
        rounds: 1,
        fresh_rounds: 1,
        buckets: 16,
    },
};

/// What a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A timestamp pair around every insert.
    Timed,
    /// The loop timed as a whole, no timestamps inside.
    Wall,
}

impl Kind {
    /// The name on the probe's command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Timed => "timed",
            Kind::Wall => "wall",
        }
    }

    fn from_name(name: &str) -> Option<Kind> {
        [Kind::Timed, Kind::Wall]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

/// One growth run: what to run, where the fresh variant's child is told it on its command
/// line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Timed or wall.
    pub kind: Kind,
    /// The system's name (as in the tables).
    pub system: String,
    /// Bytes per value: 32, 64 or 256.
    pub bytes: usize,
    /// Values inserted.
    pub n: usize,
    /// Points of the chart's series (timed runs).
    pub buckets: usize,
    /// The clock's empty-pair overhead, subtracted from every sample (the parent's).
    pub overhead: u64,
}

/// What one run produced.
pub struct Run {
    /// Minor page faults taken during the insert loop (`None` where `getrusage` is missing).
    pub faults: Option<u64>,
    /// Nanoseconds the whole insert loop took.
    pub loop_ns: u64,
    /// Timed runs: every insert's sample, overhead subtracted.
    pub rec: Option<Recorder>,
    /// Timed runs: the slowest insert of each stretch of `n.div_ceil(buckets)` inserts.
    pub series: Vec<u64>,
}

impl Probe {
    /// The arguments after [`PROBE_FLAG`].
    pub fn args(&self) -> Vec<String> {
        vec![
            self.kind.name().to_string(),
            self.system.clone(),
            self.bytes.to_string(),
            self.n.to_string(),
            self.buckets.to_string(),
            self.overhead.to_string(),
        ]
    }

    /// The probe from the arguments after [`PROBE_FLAG`].
    pub fn parse(args: &[String]) -> Result<Probe, String> {
        let usage =
            || format!("usage: report {PROBE_FLAG} timed|wall SYSTEM BYTES N BUCKETS OVERHEAD");
        let [kind, system, bytes, n, buckets, overhead] = args else {
            return Err(usage());
        };
        let number = |what: &str, s: &str| {
            s.parse::<u64>()
                .map_err(|_| format!("{what} {s:?}: not a number ({})", usage()))
        };
        let probe = Probe {
            kind: Kind::from_name(kind)
                .ok_or_else(|| format!("no run kind {kind:?} ({})", usage()))?,
            system: system.clone(),
            bytes: number("BYTES", bytes)? as usize,
            n: number("N", n)? as usize,
            buckets: number("BUCKETS", buckets)? as usize,
            overhead: number("OVERHEAD", overhead)?,
        };
        if probe.n == 0 || probe.buckets == 0 {
            return Err(format!("N and BUCKETS must be at least 1 ({})", usage()));
        }
        Ok(probe)
    }

    /// Runs the growth in this process.
    pub fn run_here(&self) -> Result<Run, String> {
        let mut find = Find {
            probe: self,
            clock: Clock::with_overhead(self.overhead),
            run: None,
        };
        match self.bytes {
            32 => each_system::<V32, _>(&mut find),
            64 => each_system::<V64, _>(&mut find),
            256 => each_system::<V256, _>(&mut find),
            b => return Err(format!("no {b}-byte values (32, 64 or 256)")),
        }
        find.run
            .ok_or_else(|| format!("no system called {:?}", self.system))
    }

    /// Runs the growth in a new process, `exe PROBE_FLAG ARGS…` (`exe` being the report
    /// binary), and reads its figures.
    pub fn run_in_child(&self, exe: &Path) -> Result<Run, String> {
        let out = Command::new(exe)
            .arg(PROBE_FLAG)
            .args(self.args())
            .output()
            .map_err(|e| format!("could not start {}: {e}", exe.display()))?;
        if !out.status.success() {
            return Err(format!(
                "the probe failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        decode(&String::from_utf8_lossy(&out.stdout), self.kind)
    }
}

/// The child's side: runs the probe the arguments after [`PROBE_FLAG`] describe and returns
/// what it prints.
pub fn probe_main(args: &[String]) -> Result<String, String> {
    let probe = Probe::parse(args)?;
    Ok(encode(&probe.run_here()?))
}

struct Find<'a> {
    probe: &'a Probe,
    clock: Clock,
    run: Option<Run>,
}

impl<V: Payload> Visit<V> for Find<'_> {
    fn visit<S: IndexSlab<V>>(&mut self) {
        if S::NAME == self.probe.system {
            let p = self.probe;
            self.run = Some(grow::<V, S>(p.kind, p.n, p.buckets, &self.clock));
        }
    }
}

/// Minor page faults of this process so far.
fn minor_faults() -> Option<u64> {
    #[cfg(unix)]
    {
        // SAFETY: `rusage` is plain data; all-zero is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `usage` is a valid, writable `rusage`.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0 {
            return Some(usage.ru_minflt as u64);
        }
    }
    None
}

/// Writes one byte in every 4096 of `v`'s spare capacity, so the pages behind it are faulted
/// in before the insert loop and its pushes take no fault there.
fn prefault<T>(v: &mut Vec<T>) {
    let spare = v.spare_capacity_mut();
    let len = std::mem::size_of_val(spare);
    let base = spare.as_mut_ptr().cast::<u8>();
    for offset in (0..len).step_by(4096) {
        // SAFETY: `offset < len`: the byte is inside the spare capacity, memory this vector
        // owns and holds nothing in (uninitialized `MaybeUninit<T>`s, which any bytes may
        // fill). Volatile, so the write is not left out as dead.
        unsafe { base.add(offset).write_volatile(0) };
    }
}

/// One growth of `S` from empty to `n` values in this process.
fn grow<V: Payload, S: IndexSlab<V>>(kind: Kind, n: usize, buckets: usize, clock: &Clock) -> Run {
    let mut handles: Vec<S::Handle> = Vec::with_capacity(n);
    prefault(&mut handles);
    let mut samples: Vec<u64> = Vec::with_capacity(if kind == Kind::Timed { n } else { 0 });
    prefault(&mut samples);
    let mut s = S::growable(n);
    // The first reading of each clock maps nothing new during the loop.
    black_box(Instant::now());
    let faults_before = minor_faults();
    let began = Instant::now();
    match kind {
        Kind::Timed => {
            for i in 0..n {
                let v = black_box(V::new(i as u64));
                let t0 = start();
                let h = s.insert(v);
                let t1 = stop();
                handles.push(black_box(h));
                samples.push(clock.elapsed(t0, t1));
            }
        }
        Kind::Wall => {
            for i in 0..n {
                let v = black_box(V::new(i as u64));
                let h = s.insert(v);
                handles.push(black_box(h));
            }
        }
    }
    let loop_ns = began.elapsed().as_nanos() as u64;
    let faults = minor_faults()
        .zip(faults_before)
        .map(|(after, before)| after.saturating_sub(before));
    super::setup::drop_all(s, handles);
    let (rec, series) = match kind {
        Kind::Timed => {
            let bucket_len = n.div_ceil(buckets.max(1));
            let mut rec = Recorder::new(1);
            let mut series = vec![0u64; n.div_ceil(bucket_len)];
            for (i, &dt) in samples.iter().enumerate() {
                rec.record(dt);
                let b = &mut series[i / bucket_len];
                *b = (*b).max(dt);
            }
            (Some(rec), series)
        }
        Kind::Wall => (None, Vec::new()),
    };
    Run {
        faults,
        loop_ns,
        rec,
        series,
    }
}

/// The probe's output: `faults F` (or `faults -`), `loop_ns L`, and for a timed run
/// `series S…` and one `count VALUE COUNT` line per histogram bucket.
pub fn encode(run: &Run) -> String {
    let mut s = String::new();
    match run.faults {
        Some(f) => {
            let _ = writeln!(s, "faults {f}");
        }
        None => s.push_str("faults -\n"),
    }
    let _ = writeln!(s, "loop_ns {}", run.loop_ns);
    if let Some(rec) = &run.rec {
        s.push_str("series");
        for v in &run.series {
            let _ = write!(s, " {v}");
        }
        s.push('\n');
        for (v, c) in rec.counts() {
            let _ = writeln!(s, "count {v} {c}");
        }
    }
    s
}

/// Reads what [`encode`] wrote for a run of `kind`.
pub fn decode(text: &str, kind: Kind) -> Result<Run, String> {
    let bad = |line: &str| format!("unreadable probe output line {line:?}");
    let mut faults = None;
    let mut loop_ns = None;
    let mut series = None;
    let mut rec = Recorder::new(1);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut words = line.split_whitespace();
        let key = words.next().unwrap_or_default();
        let rest: Vec<&str> = words.collect();
        let numbers = || {
            rest.iter()
                .map(|w| w.parse::<u64>().map_err(|_| bad(line)))
                .collect::<Result<Vec<_>, _>>()
        };
        match (key, rest.as_slice()) {
            ("faults", ["-"]) => faults = Some(None),
            ("faults", [_]) => faults = Some(Some(numbers()?[0])),
            ("loop_ns", [_]) => loop_ns = Some(numbers()?[0]),
            ("series", _) => series = Some(numbers()?),
            ("count", [_, _]) => {
                let vc = numbers()?;
                rec.record_n(vc[0], vc[1]);
            }
            _ => return Err(bad(line)),
        }
    }
    let faults = faults.ok_or("no faults line in the probe's output")?;
    let loop_ns = loop_ns.ok_or("no loop_ns line in the probe's output")?;
    let (rec, series) = match kind {
        Kind::Timed => {
            let series = series.ok_or("no series line in a timed probe's output")?;
            if rec.samples() == 0 {
                return Err("no samples in a timed probe's output".into());
            }
            (Some(rec), series)
        }
        Kind::Wall => (None, Vec::new()),
    };
    Ok(Run {
        faults,
        loop_ns,
        rec,
        series,
    })
}

/// One system's runs so far.
struct Acc {
    system: &'static str,
    ours: bool,
    rec: Option<Recorder>,
    /// Each timed run's summary, in the order they ran.
    rounds: Vec<Summary>,
    /// Per point, the smallest of the runs' figures (a spike stays only if it comes back in
    /// every run, as a reallocation does at the same insert; a preemption does not).
    series: Vec<f64>,
    faults: Vec<u64>,
    wall_ns: Vec<f64>,
}

impl Acc {
    fn add(&mut self, run: Run, n: usize) {
        if let Some(f) = run.faults {
            self.faults.push(f);
        }
        match run.rec {
            Some(rec) => {
                self.rounds.push(rec.summary());
                match &mut self.rec {
                    Some(acc) => acc.merge(&rec),
                    None => self.rec = Some(rec),
                }
                if self.series.is_empty() {
                    self.series = run.series.iter().map(|&v| v as f64).collect();
                } else {
                    for (a, b) in self.series.iter_mut().zip(run.series) {
                        *a = a.min(b as f64);
                    }
                }
            }
            None => self.wall_ns.push(run.loop_ns as f64 / n as f64),
        }
    }

    fn row(self, n: usize) -> Option<Row> {
        let mut wall = self.wall_ns.clone();
        wall.sort_by(f64::total_cmp);
        let median = match wall.len() {
            0 => f64::NAN,
            k if k % 2 == 1 => wall[k / 2],
            k => (wall[k / 2 - 1] + wall[k / 2]) / 2.0,
        };
        let faults_per_mi = if self.faults.is_empty() {
            None
        } else {
            let mean = self.faults.iter().sum::<u64>() as f64 / self.faults.len() as f64;
            Some(mean * (1u64 << 20) as f64 / n as f64)
        };
        Some(Row {
            system: self.system,
            ours: self.ours,
            summary: self.rec?.summary(),
            rounds: self.rounds,
            series: self.series,
            round_wall_ns: self.wall_ns,
            growth: Some(GrowthFigures {
                wall_ns: median,
                faults_per_mi,
            }),
        })
    }
}

/// One system as the growth's contenders see it: its name, and a run of it here.
type Grow = (&'static str, bool, fn(Kind, usize, usize, &Clock) -> Run);

/// One run of `kind` of every system, in [`each_system`] order.
struct Systems(Vec<Grow>);

impl<V: Payload> Visit<V> for Systems {
    fn visit<S: IndexSlab<V>>(&mut self) {
        self.0.push((S::NAME, S::OURS, grow::<V, S>));
    }
}

/// The tables at 32-byte values.
pub const B32: Variants = Variants {
    fresh: "growth_fresh_32B",
    warm: "growth_warm_32B",
};

/// The tables at 256-byte values.
pub const B256: Variants = Variants {
    fresh: "growth_fresh_256B",
    warm: "growth_warm_256B",
};

/// The ids of the two variants' tables at one value size.
#[derive(Debug, Clone, Copy)]
pub struct Variants {
    /// A new process per run.
    pub fresh: &'static str,
    /// In the report's process.
    pub warm: &'static str,
}

/// Rounds of the fresh variant and of the warm one.
fn rounds_for(sizes: &Sizes, fresh: bool) -> usize {
    if fresh {
        sizes.fresh_rounds.max(1)
    } else {
        sizes.rounds.max(1)
    }
}

/// One variant at one value size: `rounds` rounds, each a pass of timed runs over every
/// system and then a pass of wall runs (so no run follows the same system's other run).
fn table<V: Payload>(
    ctx: &Ctx,
    id: &str,
    exe: Option<&Path>,
    progress: &mut dyn FnMut(&str),
) -> LatencyTable {
    let sizes = SIZES.of(&ctx.cfg);
    let fresh = exe.is_some();
    debug_assert_eq!(
        id,
        format!("growth_{}_{}B", if fresh { "fresh" } else { "warm" }, V::BYTES)
    );
    let rounds = rounds_for(sizes, fresh);
    let warm_rounds = rounds_for(sizes, false);
    let (n, buckets) = (sizes.len, sizes.buckets.max(1));
    let mut systems = Systems(Vec::new());
    each_system::<V, _>(&mut systems);
    let mut contenders: Vec<Contender<'_, Run>> = Vec::new();
    for kind in [Kind::Timed, Kind::Wall] {
        for &(name, ours, grow) in &systems.0 {
            contenders.push(Contender::new(name, ours, move |_| match exe {
                None => grow(kind, n, buckets, &ctx.clock),
                Some(exe) => {
                    let probe = Probe {
                        kind,
                        system: name.to_string(),
                        bytes: V::BYTES,
                        n,
                        buckets,
                        overhead: ctx.clock.overhead(),
                    };
                    // A probe that fails is a bug of this crate or of the system (the warm
                    // variant would fail the same way): stop rather than print a table short
                    // of a row.
                    probe
                        .run_in_child(exe)
                        .unwrap_or_else(|e| panic!("{id} {name}: {e}"))
                }
            }));
        }
    }
    let mut accs: Vec<Acc> = Vec::new();
    turns(id, rounds, &mut contenders, progress, |i, run| {
        let (system, ours) = contender(&systems, i);
        let acc = match accs.iter().position(|a| a.system == system) {
            Some(i) => &mut accs[i],
            None => {
                accs.push(Acc {
                    system,
                    ours,
                    rec: None,
                    rounds: Vec::new(),
                    series: Vec::new(),
                    faults: Vec::new(),
                    wall_ns: Vec::new(),
                });
                accs.last_mut().expect("just pushed")
            }
        };
        acc.add(run, n);
    });
    let (title, where_run) = if fresh {
        (
            format!(
                "growth fresh (a new process per run), {}-byte values",
                V::BYTES
            ),
            format!(
                "each run in a new process (report {PROBE_FLAG}); {rounds} timed run(s) \
                 merged{}",
                if rounds < warm_rounds {
                    format!(
                        " (the warm table has {warm_rounds}: fewer here to bound the report's \
                         time)"
                    )
                } else {
                    String::new()
                }
            ),
        )
    } else {
        (
            format!(
                "growth warm (in the report's process, after the workloads before it), \
                 {}-byte values",
                V::BYTES
            ),
            format!(
                "in the report's own process, after the workloads before it and this \
                 table's earlier runs (its allocator may hand out pages they freed, already \
                 faulted in); {rounds} timed run(s) merged"
            ),
        )
    };
    let method = format!(
        "op = one insert into a store started empty (its creation not timed), timed alone, up \
         to {} values; {where_run}; overhead subtracted, resolution {} {UNIT}",
        binary_size(n as u64),
        ctx.clock.resolution()
    );
    LatencyTable {
        workload: WORKLOAD.name,
        id: id.to_string(),
        title,
        method,
        value_bytes: V::BYTES,
        bucket_len: n.div_ceil(buckets),
        rounds,
        rows: accs.into_iter().filter_map(|a| a.row(n)).collect(),
        not_run: Vec::new(),
    }
}

/// The name and ownership of contender `i` (timed runs of every system, then wall runs).
fn contender(systems: &Systems, i: usize) -> (&'static str, bool) {
    let (name, ours, _) = systems.0[i % systems.0.len()];
    (name, ours)
}

/// Every growth table: fresh and warm at 32 and at 256 bytes (fresh first at each size). The
/// fresh runs' children are `ctx.exe`, the report binary; without it only the warm tables
/// are made.
pub fn tables(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> Vec<LatencyTable> {
    let exe = ctx.exe.as_deref();
    let mut out = Vec::new();
    if let Some(exe) = exe {
        out.push(table::<V32>(ctx, B32.fresh, Some(exe), progress));
    }
    out.push(table::<V32>(ctx, B32.warm, None, progress));
    if let Some(exe) = exe {
        out.push(table::<V256>(ctx, B256.fresh, Some(exe), progress));
    }
    out.push(table::<V256>(ctx, B256.warm, None, progress));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(kind: Kind, system: &str) -> Probe {
        Probe {
            kind,
            system: system.into(),
            bytes: 32,
            n: 1 << 12,
            buckets: 16,
            overhead: 0,
        }
    }

    #[test]
    fn arguments_round_trip() {
        let p = probe(Kind::Wall, "alloc unbounded");
        assert_eq!(Probe::parse(&p.args()), Ok(p));
        let bad = |args: &[&str]| {
            Probe::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>()).is_err()
        };
        assert!(bad(&["timed", "slab", "32", "4096", "16"]));
        assert!(bad(&["slow", "slab", "32", "4096", "16", "0"]));
        assert!(bad(&["timed", "slab", "32", "4k", "16", "0"]));
        assert!(bad(&["timed", "slab", "32", "0", "16", "0"]));
    }

    #[test]
    fn output_round_trips() {
        for kind in [Kind::Timed, Kind::Wall] {
            let run = probe(kind, "slab").run_here().expect("slab runs");
            let back = decode(&encode(&run), kind).expect("parses");
            assert_eq!(back.loop_ns, run.loop_ns);
            assert_eq!(back.faults, run.faults);
            assert_eq!(back.series, run.series);
            assert_eq!(
                back.rec.as_ref().map(Recorder::summary),
                run.rec.as_ref().map(Recorder::summary)
            );
            if kind == Kind::Timed {
                assert_eq!(run.series.len(), 16);
                assert_eq!(run.rec.as_ref().map(Recorder::samples), Some(1 << 12));
            }
        }
        assert!(decode("loop_ns 5\n", Kind::Wall).is_err());
        assert!(decode("faults 1\nloop_ns 5\n", Kind::Timed).is_err());
        assert!(decode("faults 1\nloop_ns 5\nweird 3\n", Kind::Wall).is_err());
    }

    #[test]
    fn warm_tables_at_tiny_sizes() {
        let ctx = Ctx {
            cfg: crate::workloads::Config::tiny(),
            clock: Clock::raw(),
            exe: None,
        };
        let tables = tables(&ctx, &mut |_| {});
        let ids: Vec<_> = tables.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, [B32.warm, B256.warm]);
        for t in &tables {
            assert_eq!(t.rows.len(), 9, "{}", t.id);
            for r in &t.rows {
                let g = r.growth.expect("growth figures");
                assert!(g.wall_ns > 0.0, "{} {}", t.id, r.system);
                assert_eq!(r.series.len(), SIZES.tiny.buckets, "{}", t.id);
            }
        }
    }

    #[test]
    fn unknown_systems_and_sizes_are_refused() {
        assert!(probe(Kind::Timed, "nonexistent").run_here().is_err());
        let mut p = probe(Kind::Timed, "slab");
        p.bytes = 48;
        assert!(p.run_here().is_err());
    }
}

//! The workloads: one file each, each generic over the system ([`IndexSlab`]) and the value
//! type, run for every system by [`run`].
//!
//! Per-operation workloads time a batch of operations between one pair of timestamps and
//! report batch time / operations; tail workloads (growth, cold churn) time each operation
//! alone. The clock's empty-pair overhead is subtracted from every sample either way. Churn,
//! batch and steady churn are timed in two loops ([`loops`]): `tight`, and `loaded` (beside
//! a block of independent work, reported as the cost over the block alone).
//!
//! Six workloads measure things that do not fit [`IndexSlab`] (following keys, random
//! sampling, tagged iteration, a buffer pool, and the byte allocators' churn and mixed
//! workloads): each of
//! them has its own short list of contenders, written as plain functions in its own file, and
//! runs them in turns through `take_turns` with the same clock, rounds and recording as the
//! others.

mod batch;
mod buffer_pool;
pub mod busy;
mod byte_churn;
pub mod byte_mixed;
mod churn;
mod cold_churn;
pub mod growth;
mod iterate;
mod key_walk;
pub mod loops;
pub mod memory;
mod random_get;
mod sample;
pub mod setup;
mod steady_churn;
mod tagged_iterate;

use crate::payload::{Payload, V256, V32};
use crate::stats::{Recorder, Summary};
use crate::systems::{each_system, IndexSlab, Visit};
use crate::timing::{start, stop, Clock, UNIT};

/// One workload of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Insert, read, remove one value, repeated.
    Churn,
    /// Insert 64 values, then remove them.
    Batch,
    /// Read live values in a random order.
    RandomGet,
    /// Follow the keys of a 100k-node linked list: `Access` against `get_unchecked` and the
    /// peers' `get`.
    KeyWalk,
    /// Remove a random live value and insert a new one, at a fixed live count.
    SteadyChurn,
    /// Insert into an empty store up to 1 Mi values, each insert timed alone.
    Growth,
    /// Visit every live value of 1 Mi slots, 1% or 50% of them live.
    Iterate,
    /// Churn with the caches flushed before each operation.
    ColdChurn,
    /// Resident memory of 1 Mi live 64-byte values.
    Memory,
    /// One uniformly random live (or tagged) element, against rejection sampling on `slab`.
    Sample,
    /// Visit the tagged elements of a `TaggedHiSlab`, against iterating all and filtering.
    TaggedIterate,
    /// Take a 4096-byte buffer from a `BufferSlab`, write it, give it back; against `vec!`.
    BufferPool,
    /// Byte allocators: alloc + dealloc churn of one size (64, 256, 4096 B).
    ByteChurn,
    /// Byte allocators: sizes 8 B … 16 KiB, random lifetimes; and the fragmentation left.
    ByteMixed,
}

impl Workload {
    /// Every workload, in report order.
    pub const ALL: [Workload; 14] = [
        Workload::Churn,
        Workload::Batch,
        Workload::RandomGet,
        Workload::KeyWalk,
        Workload::SteadyChurn,
        Workload::Growth,
        Workload::Iterate,
        Workload::ColdChurn,
        Workload::Memory,
        Workload::Sample,
        Workload::TaggedIterate,
        Workload::BufferPool,
        Workload::ByteChurn,
        Workload::ByteMixed,
    ];

    /// The name used on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Churn => "churn",
            Workload::Batch => "batch",
            Workload::RandomGet => "random-get",
            Workload::KeyWalk => "key-walk",
            Workload::SteadyChurn => "steady-churn",
            Workload::Growth => "growth",
            Workload::Iterate => "iterate",
            Workload::ColdChurn => "cold-churn",
            Workload::Memory => "memory",
            Workload::Sample => "sample",
            Workload::TaggedIterate => "tagged-iterate",
            Workload::BufferPool => "buffer-pool",
            Workload::ByteChurn => "byte-churn",
            Workload::ByteMixed => "byte-mixed",
        }
    }

    /// One line saying what is measured.
    pub fn describe(self) -> &'static str {
        match self {
            Workload::Churn => {
                "insert, read, remove one value; op = the triple; tight and loaded loops"
            }
            Workload::Batch => {
                "insert 64 values then remove the 64; op = insert + remove; tight and loaded"
            }
            Workload::RandomGet => "read one of 100k live values in a precomputed random order",
            Workload::KeyWalk => {
                "walk a 100k-node linked list key by key (in order / shuffled); op = one hop"
            }
            Workload::SteadyChurn => {
                "100k live: remove a random value, insert one; op = the pair; tight and loaded"
            }
            Workload::Growth => {
                "empty to 1 Mi values, every insert timed alone; fresh process per run, and warm"
            }
            Workload::Iterate => "visit the live values of 1 Mi slots (1% / 50% live); per value",
            Workload::ColdChurn => "churn triple timed alone after walking a 32 MiB buffer",
            Workload::Memory => "RSS growth for 1 Mi live 64-byte values (fresh process each)",
            Workload::Sample => {
                "one random live value, 1% live, 64 Ki / 1 Mi / 16 Mi slots; and a tagged one"
            }
            Workload::TaggedIterate => {
                "visit the 1% tagged of 1 Mi live values; against all + filter; per tagged"
            }
            Workload::BufferPool => {
                "4096-byte buffer: take, write 64 B (or all), give back; against vec! and Box"
            }
            Workload::ByteChurn => {
                "byte allocators: 32 allocs then 32 deallocs of 64 / 256 / 4096 B; op = the pair"
            }
            Workload::ByteMixed => {
                "byte allocators: 8 B … 16 KiB, 100k live, random lifetimes; and fragmentation"
            }
        }
    }

    /// The workload called `name`.
    pub fn from_name(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }
}

/// Sizes and sample counts of a run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Samples per system for the batched workloads (all rounds together).
    pub samples: usize,
    /// Rounds the samples of churn, batch, random get, steady churn and cold churn are split
    /// into, the systems taking turns.
    pub rounds: usize,
    /// Operations per timestamp pair in random get.
    pub batch: usize,
    /// Operations per timestamp pair in churn and steady churn, tight loop.
    pub loop_batch: usize,
    /// Operations per timestamp pair in churn and steady churn, loaded loop: more than the
    /// tight loop's, because a marginal cost of a fraction of a cycle is the figure there and
    /// the clock's step is divided by this.
    pub loaded_batch: usize,
    /// Values inserted then removed per timestamp pair in the batch workload.
    pub batch_len: usize,
    /// Live values in random get and steady churn.
    pub live: usize,
    /// Values inserted by the growth workload.
    pub growth_len: usize,
    /// Rounds of the growth workload's warm variant (in the report's process): each a timed
    /// run of every system (fresh store each, the systems taking turns), their samples
    /// merged, then a wall-time run of every system.
    pub growth_rounds: usize,
    /// Rounds of the growth workload's fresh variant: as `growth_rounds`, each run in a new
    /// process.
    pub growth_fresh_rounds: usize,
    /// Points in the growth chart (each the slowest insert of its stretch).
    pub growth_buckets: usize,
    /// Slots in the iteration workload.
    pub iter_slots: usize,
    /// Full passes timed per system in the iteration workload (over two rounds, each on a
    /// freshly built store).
    pub iter_passes: usize,
    /// Timed operations per system in cold churn (all rounds together).
    pub cold_samples: usize,
    /// Bytes walked to flush the caches in cold churn.
    pub flush_bytes: usize,
    /// Values in the memory workload.
    pub memory_len: usize,
    /// Slot counts of the sampling workload's stores (1% of the slots live).
    pub sample_slots: [u32; 3],
    /// Live values of the tagged stores (tagged iteration and tagged sampling; 1% tagged).
    pub tagged_live: u32,
    /// Samples per system in each sampling table (all rounds together).
    pub picks_samples: usize,
    /// Rounds of the sampling and tagged-iteration workloads (each round builds its large
    /// stores afresh).
    pub extra_rounds: usize,
    /// Live allocations in the byte allocators' mixed workload.
    pub mixed_live: usize,
    /// Steps (dealloc + alloc pairs) per allocator in the mixed workload, all rounds together.
    pub mixed_steps: usize,
    /// The same for `linked_list_allocator`, which walks its free list on every alloc.
    pub mixed_list_steps: usize,
}

impl Config {
    /// The default run.
    pub fn full() -> Config {
        Config {
            samples: 40_000,
            rounds: 5,
            batch: 256,
            loop_batch: 64,
            loaded_batch: 256,
            batch_len: 64,
            live: 100_000,
            growth_len: 1 << 20,
            growth_rounds: 4,
            growth_fresh_rounds: 3,
            growth_buckets: 512,
            iter_slots: 1 << 20,
            iter_passes: 100,
            cold_samples: 1_000,
            flush_bytes: 32 << 20,
            memory_len: 1 << 20,
            sample_slots: [1 << 16, 1 << 20, 1 << 24],
            tagged_live: 1 << 20,
            picks_samples: 10_000,
            extra_rounds: 2,
            mixed_live: 100_000,
            mixed_steps: 1_000_000,
            mixed_list_steps: 50_000,
        }
    }

    /// `--quick`: the same sizes, fewer samples.
    pub fn quick() -> Config {
        Config {
            samples: 4_000,
            rounds: 2,
            growth_rounds: 1,
            growth_fresh_rounds: 1,
            iter_passes: 10,
            cold_samples: 100,
            picks_samples: 1_000,
            mixed_steps: 100_000,
            mixed_list_steps: 5_000,
            ..Config::full()
        }
    }

    /// Tiny sizes, for tests of the plumbing (figures meaningless).
    pub fn tiny() -> Config {
        Config {
            samples: 20,
            rounds: 2,
            batch: 8,
            loop_batch: 8,
            loaded_batch: 8,
            batch_len: 8,
            live: 1_000,
            growth_len: 4_096,
            growth_rounds: 1,
            growth_fresh_rounds: 1,
            growth_buckets: 16,
            iter_slots: 4_096,
            iter_passes: 2,
            cold_samples: 4,
            flush_bytes: 1 << 16,
            memory_len: 4_096,
            sample_slots: [1 << 10, 1 << 12, 1 << 14],
            tagged_live: 1 << 12,
            picks_samples: 20,
            extra_rounds: 2,
            mixed_live: 1_000,
            mixed_steps: 2_048,
            mixed_list_steps: 640,
        }
    }

    /// Operations per timestamp pair of churn and steady churn in loop `lp`.
    pub fn loop_ops(&self, lp: loops::Loop) -> usize {
        match lp {
            loops::Loop::Tight => self.loop_batch,
            loops::Loop::Loaded => self.loaded_batch,
        }
    }

    /// Batched samples in one round.
    pub fn samples_per_round(&self) -> usize {
        self.samples.div_ceil(self.rounds.max(1))
    }

    /// Warm-up samples before the recorded ones, in each round.
    pub fn warmup(&self) -> usize {
        (self.samples_per_round() / 10).max(1)
    }
}

/// What a workload needs: sizes and the calibrated clock.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Sizes and counts.
    pub cfg: Config,
    /// The clock.
    pub clock: Clock,
}

/// One system's figures in one table.
#[derive(Debug, Clone)]
pub struct Row {
    /// System name.
    pub system: &'static str,
    /// One of this project's systems.
    pub ours: bool,
    /// Per-operation percentiles.
    pub summary: Summary,
    /// Growth only: the slowest insert in each stretch of `growth_len / growth_buckets`
    /// inserts, the smallest such figure over the rounds (a spike that recurs in every run);
    /// empty for other workloads.
    pub series: Vec<f64>,
    /// Growth only: wall time per insert and page faults.
    pub growth: Option<GrowthFigures>,
}

/// What the growth workload measures beside the percentiles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrowthFigures {
    /// Nanoseconds per insert of a whole growth run without per-insert timestamps (the
    /// median of the runs).
    pub wall_ns: f64,
    /// Minor page faults taken during a run's insert loop, per 2^20 inserts (the mean of all
    /// runs); `None` where they cannot be counted.
    pub faults_per_mi: Option<f64>,
}

/// The figures of one workload at one value size (or one variant), one row per system.
#[derive(Debug, Clone)]
pub struct LatencyTable {
    /// The workload.
    pub workload: Workload,
    /// File stem and table key, e.g. `churn_32B`.
    pub id: String,
    /// Heading, e.g. `churn, 32-byte values`.
    pub title: String,
    /// What one operation is and how samples were taken.
    pub method: String,
    /// Bytes per value.
    pub value_bytes: usize,
    /// Growth only: inserts covered by each point of `Row::series` (0 for other workloads).
    pub bucket_len: usize,
    /// Rounds the samples were taken in (for growth, whole runs from empty).
    pub rounds: usize,
    /// One row per system, in [`each_system`] order.
    pub rows: Vec<Row>,
    /// Systems that cannot do this workload (no row), in [`each_system`] order.
    pub not_run: Vec<&'static str>,
}

impl LatencyTable {
    /// The row of `system`.
    pub fn row(&self, system: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.system == system)
    }
}

/// What one system produced in one round of a workload.
pub(crate) struct Measured {
    rec: Recorder,
}

impl From<Recorder> for Measured {
    fn from(rec: Recorder) -> Measured {
        Measured { rec }
    }
}

impl Measured {
    /// Adds another round's samples.
    fn merge(&mut self, other: Measured) {
        self.rec.merge(&other.rec);
    }
}

/// A workload's measurement for one system, generic over it.
///
/// The samples are split into rounds and the systems take turns round by round, so a slow
/// drift of the machine (a neighbour's load, what the caches hold) falls on all of them
/// alike instead of on whichever ran at the wrong moment.
pub(crate) trait Measure {
    /// Rounds to split the samples into.
    fn rounds(&self, cfg: &Config) -> usize;
    /// Runs one round of the workload on `S` holding `V` (a `1 / rounds` share of the
    /// samples, each round on a fresh store); `None` when `S` cannot do it.
    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Measured>;
}

struct Collect<'a, M> {
    measure: &'a M,
    ctx: &'a Ctx,
    rounds: usize,
    progress: &'a mut dyn FnMut(&str),
    acc: Vec<(&'static str, bool, Measured)>,
    not_run: Vec<&'static str>,
}

impl<V: Payload, M: Measure> Visit<V> for Collect<'_, M> {
    fn visit<S: IndexSlab<V>>(&mut self) {
        (self.progress)(S::NAME);
        match self.measure.measure::<V, S>(self.ctx, self.rounds) {
            Some(m) => match self.acc.iter_mut().find(|(name, _, _)| *name == S::NAME) {
                Some((_, _, acc)) => acc.merge(m),
                None => self.acc.push((S::NAME, S::OURS, m)),
            },
            None if !self.not_run.contains(&S::NAME) => self.not_run.push(S::NAME),
            None => {}
        }
    }
}

/// Runs `measure` for every system with values `V` and gathers the table.
fn table<V: Payload, M: Measure>(
    workload: Workload,
    variant: &str,
    method: String,
    measure: &M,
    ctx: &Ctx,
    progress: &mut dyn FnMut(&str),
) -> LatencyTable {
    let size = format!("{}B", V::BYTES);
    let (id, title) = if variant.is_empty() {
        (
            format!("{}_{size}", workload.name()),
            format!("{}, {}-byte values", workload.name(), V::BYTES),
        )
    } else {
        (
            format!("{}_{variant}_{size}", workload.name()),
            format!("{} {variant}, {}-byte values", workload.name(), V::BYTES),
        )
    };
    let prefix = id.clone();
    let mut label = |system: &str| progress(&format!("{prefix} {system}"));
    let rounds = measure.rounds(&ctx.cfg).max(1);
    let mut c = Collect {
        measure,
        ctx,
        rounds,
        progress: &mut label,
        acc: Vec::new(),
        not_run: Vec::new(),
    };
    for _ in 0..rounds {
        each_system::<V, _>(&mut c);
    }
    let rows = c
        .acc
        .into_iter()
        .map(|(system, ours, m)| Row {
            system,
            ours,
            summary: m.rec.summary(),
            series: Vec::new(),
            growth: None,
        })
        .collect();
    LatencyTable {
        workload,
        id,
        title,
        method,
        value_bytes: V::BYTES,
        bucket_len: 0,
        rounds,
        rows,
        not_run: c.not_run,
    }
}

/// A contender in a workload whose systems do not share [`IndexSlab`]: its name in the
/// table, whether it is this project's, and one round of its measurement (given the number
/// of rounds, it builds what it needs, records its share of the samples and frees it all).
pub(crate) struct Contender<'a> {
    /// Name in tables and charts (at most 16 characters).
    pub name: &'static str,
    /// One of this project's systems (bold in charts; ratio lines are printed for it).
    pub ours: bool,
    /// One round.
    pub round: Box<dyn FnMut(usize) -> Recorder + 'a>,
}

impl<'a> Contender<'a> {
    /// A contender from its name, ownership and round.
    pub(crate) fn new(
        name: &'static str,
        ours: bool,
        round: impl FnMut(usize) -> Recorder + 'a,
    ) -> Contender<'a> {
        Contender {
            name,
            ours,
            round: Box::new(round),
        }
    }
}

/// The heading and method of a table, and what it is filed under.
pub(crate) struct TableInfo {
    /// File stem and table key.
    pub id: String,
    /// Heading.
    pub title: String,
    /// What one operation is and how samples were taken.
    pub method: String,
    /// Bytes per value (or per buffer).
    pub value_bytes: usize,
}

/// Runs `contenders` in turns, round by round (as [`table`] does for the [`IndexSlab`]
/// systems), and gathers the table; rows in `contenders` order.
pub(crate) fn take_turns(
    workload: Workload,
    info: TableInfo,
    rounds: usize,
    mut contenders: Vec<Contender<'_>>,
    progress: &mut dyn FnMut(&str),
) -> LatencyTable {
    let rounds = rounds.max(1);
    let mut acc: Vec<Option<Recorder>> = contenders.iter().map(|_| None).collect();
    for _ in 0..rounds {
        for (c, slot) in contenders.iter_mut().zip(acc.iter_mut()) {
            progress(&format!("{} {}", info.id, c.name));
            let rec = (c.round)(rounds);
            match slot {
                Some(a) => a.merge(&rec),
                None => *slot = Some(rec),
            }
        }
    }
    let rows = contenders
        .iter()
        .zip(acc)
        .filter_map(|(c, rec)| {
            Some(Row {
                system: c.name,
                ours: c.ours,
                summary: rec?.summary(),
                series: Vec::new(),
                growth: None,
            })
        })
        .collect();
    LatencyTable {
        workload,
        id: info.id,
        title: info.title,
        method: info.method,
        value_bytes: info.value_bytes,
        bucket_len: 0,
        rounds,
        rows,
        not_run: Vec::new(),
    }
}

/// Records `samples` samples of `ops` calls of `op` each: the timing loop of the workloads
/// with contenders of their own. Unrecorded samples come first: a tenth as many (at least
/// one), and more until `warmup_ms` milliseconds have passed, so a large store's metadata is
/// as warm in a `--quick` run as in a full one.
#[inline(always)]
pub(crate) fn batched(
    ctx: &Ctx,
    samples: usize,
    ops: usize,
    warmup_ms: u64,
    mut op: impl FnMut(),
) -> Recorder {
    let mut rec = Recorder::new(ops as u64);
    let begun = std::time::Instant::now();
    let min_warm = std::time::Duration::from_millis(warmup_ms);
    let (mut warm, mut recorded) = (0, 0);
    // One loop with one call site of `op` for warm-up and recording alike: a second copy of
    // the loop changed the code generated for the cheapest op (BufferSlab, 7 → 10 cycles).
    while recorded < samples {
        let t0 = start();
        for _ in 0..ops {
            op();
        }
        let t1 = stop();
        if warm < (samples / 10).max(1) || begun.elapsed() < min_warm {
            warm += 1;
        } else {
            rec.record(ctx.clock.elapsed(t0, t1));
            recorded += 1;
        }
    }
    rec
}

/// `64Ki`, `1Mi`, `16Mi`: a power-of-two count in binary units (plain digits otherwise).
pub(crate) fn binary_size(n: u64) -> String {
    if n >= 1 << 20 && n.trailing_zeros() >= 20 {
        format!("{}Mi", n >> 20)
    } else if n >= 1 << 10 && n.trailing_zeros() >= 10 {
        format!("{}Ki", n >> 10)
    } else {
        n.to_string()
    }
}

/// Ids of the tables of the sampling, tagged-iteration and buffer-pool workloads at the
/// sizes of `cfg` (for checking that the targets name tables a run produces).
pub fn contender_table_ids(cfg: &Config) -> Vec<String> {
    let mut ids = key_walk::ids();
    ids.extend(cfg.sample_slots.iter().map(|&n| sample::id(n)));
    ids.push(sample::tagged_id(cfg.tagged_live));
    ids.push(tagged_iterate::id(cfg.tagged_live));
    ids.extend([64, 4096].map(buffer_pool::id));
    ids.extend(byte_churn::SIZES.map(byte_churn::id));
    ids.push(byte_mixed::id());
    ids
}

/// What a workload produced.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Latency percentiles.
    Latency(LatencyTable),
    /// Resident memory.
    Memory(memory::MemoryTable),
    /// Byte allocators' fragmentation after the mixed workload.
    Fragmentation(byte_mixed::FragTable),
}

/// Runs `workload` for every system (both value sizes where it applies). `progress` is told
/// which table and system starts next.
pub fn run(workload: Workload, ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> Vec<Outcome> {
    let cfg = &ctx.cfg;
    // A per-op figure moves in steps of (clock step / ops per sample).
    let step = |ops: usize| ctx.clock.resolution() as f64 / ops as f64;
    let batched = |what: &str| {
        format!(
            "{what}; {} ops per timestamp pair, {} samples in {} rounds, \
             per-op = (pair − overhead) / {}, resolution {:.2} {UNIT}/op",
            cfg.batch,
            cfg.samples,
            cfg.rounds,
            cfg.batch,
            step(cfg.batch)
        )
    };
    // Churn, batch and steady churn: `ops` operations per timestamp pair, in loop `lp`.
    let looped = |what: &str, lp: loops::Loop, ops: usize| {
        format!(
            "{what}; {}; {ops} ops per timestamp pair, {} samples in {} rounds, \
             per-op = (pair − overhead) / {ops}, resolution {:.2} {UNIT}/op",
            lp.method(),
            cfg.samples,
            cfg.rounds,
            step(ops)
        )
    };
    let mut out = Vec::new();
    macro_rules! both_sizes {
        ($variant:expr, $method:expr, $m:expr) => {{
            let m = $m;
            out.push(Outcome::Latency(table::<V32, _>(
                workload, $variant, $method, &m, ctx, progress,
            )));
            out.push(Outcome::Latency(table::<V256, _>(
                workload, $variant, $method, &m, ctx, progress,
            )));
        }};
    }
    match workload {
        Workload::Churn => {
            for lp in loops::Loop::ALL {
                both_sizes!(
                    lp.name(),
                    looped(
                        &format!(
                            "op = insert + get + remove of one value, empty store of capacity {}",
                            churn::CAPACITY
                        ),
                        lp,
                        cfg.loop_ops(lp)
                    ),
                    churn::Churn { lp }
                );
            }
        }
        Workload::Batch => {
            for lp in loops::Loop::ALL {
                both_sizes!(
                    lp.name(),
                    looped(
                        &format!(
                            "op = one insert + one remove: {} inserts then the {} removes",
                            cfg.batch_len, cfg.batch_len
                        ),
                        lp,
                        cfg.batch_len
                    ),
                    batch::Batch { lp }
                );
            }
        }
        Workload::RandomGet => both_sizes!(
            "",
            batched(&format!(
                "op = get (read) of one of {} live values, random order precomputed",
                cfg.live
            )),
            random_get::RandomGet
        ),
        Workload::SteadyChurn => {
            for lp in loops::Loop::ALL {
                both_sizes!(
                    lp.name(),
                    looped(
                        &format!(
                            "op = remove a random live value + insert a new one, {} live",
                            cfg.live
                        ),
                        lp,
                        cfg.loop_ops(lp)
                    ),
                    steady_churn::SteadyChurn { lp }
                );
            }
        }
        Workload::Growth => {
            // The fresh variant's children are this binary, run again with the probe flag.
            let exe = std::env::current_exe()
                .expect("the report's own path, to run the fresh growth probes");
            out.extend(
                growth::run(ctx, Some(&exe), progress)
                    .into_iter()
                    .map(Outcome::Latency),
            );
        }
        Workload::Iterate => {
            for percent in [1, 50] {
                both_sizes!(
                    &format!("{percent}pct"),
                    format!(
                        "op = visiting (reading) one live value: one full pass over {} slots \
                         with {percent}% live per timestamp pair, {} passes in 2 rounds, \
                         per-op = (pass − overhead) / live",
                        cfg.iter_slots, cfg.iter_passes
                    ),
                    iterate::Iterate { percent }
                );
            }
        }
        Workload::ColdChurn => both_sizes!(
            "",
            format!(
                "op = insert + get (read) + remove, timed alone after walking a {} MiB buffer, \
                 {} samples in {} rounds, overhead subtracted, resolution {} {UNIT}",
                cfg.flush_bytes >> 20,
                cfg.cold_samples,
                cfg.rounds,
                ctx.clock.resolution()
            ),
            cold_churn::ColdChurn::new(cfg.flush_bytes)
        ),
        Workload::Memory => {
            out.push(Outcome::Memory(memory::run(cfg.memory_len, progress)));
        }
        Workload::Sample => {
            out.extend(sample::run(ctx, progress).into_iter().map(Outcome::Latency));
        }
        Workload::TaggedIterate => {
            out.push(Outcome::Latency(tagged_iterate::run(ctx, progress)));
        }
        Workload::KeyWalk => {
            out.extend(
                key_walk::run(ctx, progress)
                    .into_iter()
                    .map(Outcome::Latency),
            );
        }
        Workload::BufferPool => {
            out.extend(
                buffer_pool::run(ctx, progress)
                    .into_iter()
                    .map(Outcome::Latency),
            );
        }
        Workload::ByteChurn => {
            out.extend(
                byte_churn::run(ctx, progress)
                    .into_iter()
                    .map(Outcome::Latency),
            );
        }
        Workload::ByteMixed => {
            let (latency, frag) = byte_mixed::run(ctx, progress);
            out.push(Outcome::Latency(latency));
            out.push(Outcome::Fragmentation(frag));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for w in Workload::ALL {
            assert_eq!(Workload::from_name(w.name()), Some(w));
        }
        assert_eq!(Workload::from_name("nope"), None);
    }

    #[test]
    fn every_latency_workload_runs_at_tiny_sizes() {
        let ctx = Ctx {
            cfg: Config::tiny(),
            clock: Clock::raw(),
        };
        let mut contender_ids = Vec::new();
        for w in Workload::ALL {
            // Memory and growth's fresh variant spawn processes (the report binary): covered by
            // their own tests (growth's in `tests/`, with the binary); the warm variant here.
            let outcomes = match w {
                Workload::Memory => continue,
                Workload::Growth => growth::run(&ctx, None, &mut |_| {})
                    .into_iter()
                    .map(Outcome::Latency)
                    .collect(),
                _ => run(w, &ctx, &mut |_| {}),
            };
            for outcome in outcomes {
                let t = match outcome {
                    Outcome::Latency(t) => t,
                    Outcome::Fragmentation(f) => {
                        assert_eq!(w, Workload::ByteMixed);
                        assert_eq!(f.rows.len(), 4);
                        for (r, steps) in &f.rows {
                            assert!(*steps > 0 && r.in_use > 0, "{}", r.system);
                            assert!(r.extent >= r.in_use, "{}", r.system);
                        }
                        continue;
                    }
                    Outcome::Memory(_) => panic!("{w:?} gave a memory table"),
                };
                if matches!(
                    w,
                    Workload::Sample
                        | Workload::TaggedIterate
                        | Workload::BufferPool
                        | Workload::ByteChurn
                        | Workload::ByteMixed
                        | Workload::KeyWalk
                ) {
                    contender_ids.push(t.id.clone());
                }
                // Nine systems; the four that keep an index of their values iterate; the
                // workloads with contenders of their own have three (or four).
                let expect = match w {
                    Workload::Iterate => 4,
                    Workload::TaggedIterate | Workload::BufferPool | Workload::Sample => 3,
                    Workload::ByteChurn | Workload::ByteMixed => 4,
                    Workload::KeyWalk if t.id.contains("insert-remove") => 4,
                    Workload::KeyWalk => 9,
                    _ => 9,
                };
                assert_eq!(t.rows.len(), expect, "{}", t.id);
                if w == Workload::Iterate {
                    assert_eq!(t.not_run.len(), 5, "{}", t.id);
                }
                for r in &t.rows {
                    assert!(r.summary.samples > 0, "{} {}", t.id, r.system);
                    assert!(r.summary.p50 <= r.summary.max, "{} {}", t.id, r.system);
                    assert_eq!(r.growth.is_some(), w == Workload::Growth, "{}", t.id);
                    if let Some(g) = r.growth {
                        assert!(g.wall_ns > 0.0, "{} {}", t.id, r.system);
                        assert_eq!(r.series.len(), ctx.cfg.growth_buckets, "{}", t.id);
                    }
                }
            }
        }
        assert_eq!(contender_ids, contender_table_ids(&ctx.cfg));
    }
}

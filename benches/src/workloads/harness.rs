//! The one harness: a table's contenders take turns, round by round.
//!
//! A [`Contender`] is a name and one round of its measurement: given the number of rounds,
//! it builds what it needs, records its share of the samples (with the workload's own timing
//! loop and the calibrated clock) and frees it all. The samples are split into rounds and the
//! contenders take turns round by round, so a slow drift of the machine (a neighbour's load,
//! what the caches hold) falls on all of them alike instead of on whichever ran at the wrong
//! moment. A measurement whose round yields several figures per sample (a producer's and a
//! consumer's cost of the same objects) makes one table of each ([`take_turns_split`]).
//!
//! The [`IndexSlab`] systems become contenders through one adapter, [`systems`]: a workload
//! written once, generic over the system ([`Measure`]), has every system of
//! [`each_system`] as a contender.

use super::{Ctx, LatencyTable, Outcome, Row};
use crate::payload::{Payload, V256, V32};
use crate::stats::{Recorder, Summary};
use crate::systems::{each_system, IndexSlab, Visit};
use crate::timing::{start, stop};

/// One round of a contender: the number of rounds in, its results out (`None`: it cannot do
/// this workload).
type Round<'a, T> = Box<dyn FnMut(usize) -> Option<T> + 'a>;

/// A contender in one table: its name, whether it is this project's, and one round of its
/// measurement.
pub struct Contender<'a, T = Recorder> {
    /// Name in tables and charts (at most 16 characters).
    pub name: &'static str,
    /// One of this project's systems (bold in charts; ratio lines are printed for it).
    pub ours: bool,
    round: Round<'a, T>,
}

impl<'a, T> Contender<'a, T> {
    /// A contender that runs every round.
    pub fn new(name: &'static str, ours: bool, mut round: impl FnMut(usize) -> T + 'a) -> Self {
        Contender::maybe(name, ours, move |rounds| Some(round(rounds)))
    }

    /// A contender whose round may say it cannot do the workload (`None`: no row, a name in
    /// the table's "not run" list).
    pub fn maybe(
        name: &'static str,
        ours: bool,
        round: impl FnMut(usize) -> Option<T> + 'a,
    ) -> Self {
        Contender {
            name,
            ours,
            round: Box::new(round),
        }
    }
}

/// Runs `contenders` in turns, `rounds` rounds (at least one), each told the number of
/// rounds; hands each result to `keep` with the contender's index as it comes. `progress`
/// is told `"{id} {name}"` before each round of each contender.
pub fn turns<T>(
    id: &str,
    rounds: usize,
    contenders: &mut [Contender<'_, T>],
    progress: &mut dyn FnMut(&str),
    mut keep: impl FnMut(usize, T),
) {
    let rounds = rounds.max(1);
    for _ in 0..rounds {
        for (i, c) in contenders.iter_mut().enumerate() {
            progress(&format!("{id} {}", c.name));
            if let Some(x) = (c.round)(rounds) {
                keep(i, x);
            }
        }
    }
}

/// The heading and method of a table, and what it is filed under.
pub struct TableInfo {
    /// The workload's name.
    pub workload: &'static str,
    /// File stem and table key.
    pub id: String,
    /// Heading.
    pub title: String,
    /// What one operation is and how samples were taken.
    pub method: String,
    /// Bytes per value (or per buffer).
    pub value_bytes: usize,
}

/// Runs `contenders` in turns (see [`turns`]) and gathers the table: rows in `contenders`
/// order, each contender's rounds merged; those that could not run listed as not run.
pub fn take_turns(
    info: TableInfo,
    rounds: usize,
    contenders: Vec<Contender<'_>>,
    progress: &mut dyn FnMut(&str),
) -> LatencyTable {
    let contenders = contenders
        .into_iter()
        .map(|c| {
            let mut round = c.round;
            Contender::maybe(c.name, c.ours, move |rounds| round(rounds).map(|rec| [rec]))
        })
        .collect();
    let [table] = take_turns_split([info], rounds, contenders, progress);
    table
}

/// As [`take_turns`], for a measurement whose every round gives `N` recorders, one per
/// table (a producer's and a consumer's cost of the same objects, and their sum): the `k`-th
/// recorder of each round goes to the table of `infos[k]`. Every table has the contenders'
/// rows in `contenders` order; `progress` is told the first table's id.
pub fn take_turns_split<const N: usize>(
    infos: [TableInfo; N],
    rounds: usize,
    mut contenders: Vec<Contender<'_, [Recorder; N]>>,
    progress: &mut dyn FnMut(&str),
) -> [LatencyTable; N] {
    let rounds = rounds.max(1);
    let mut acc: Vec<[Merged; N]> = contenders
        .iter()
        .map(|_| core::array::from_fn(|_| Merged::default()))
        .collect();
    let id = infos.first().map_or(String::new(), |i| i.id.clone());
    turns(&id, rounds, &mut contenders, progress, |i, recs| {
        for (m, rec) in acc[i].iter_mut().zip(recs) {
            m.add(rec);
        }
    });
    let mut tables = infos.map(|info| LatencyTable {
        workload: info.workload,
        id: info.id,
        title: info.title,
        method: info.method,
        value_bytes: info.value_bytes,
        bucket_len: 0,
        rounds,
        rows: Vec::new(),
        not_run: Vec::new(),
    });
    for (c, merged) in contenders.iter().zip(acc) {
        for (t, m) in tables.iter_mut().zip(merged) {
            match m.0 {
                Some((rec, each)) => t.rows.push(Row {
                    system: c.name,
                    ours: c.ours,
                    summary: rec.summary(),
                    rounds: each,
                    series: Vec::new(),
                    growth: None,
                    round_wall_ns: Vec::new(),
                }),
                None => t.not_run.push(c.name),
            }
        }
    }
    tables
}

/// One contender's rounds in one table: merged, with each round's summary in the order
/// they ran (`None` before the first).
#[derive(Default)]
struct Merged(Option<(Recorder, Vec<Summary>)>);

impl Merged {
    fn add(&mut self, rec: Recorder) {
        match &mut self.0 {
            Some((all, each)) => {
                each.push(rec.summary());
                all.merge(&rec);
            }
            none => {
                let first = rec.summary();
                *none = Some((rec, vec![first]));
            }
        }
    }
}

/// A workload's measurement for one system, generic over it.
pub trait Measure {
    /// Runs one round of the workload on `S` holding `V` (a `1 / rounds` share of the
    /// samples, each round on a fresh store); `None` when `S` cannot do it.
    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, rounds: usize) -> Option<Recorder>;
}

/// One round of `m` on one system.
type SystemRound<M> = fn(&M, &Ctx, usize) -> Option<Recorder>;

/// Every system as a contender measuring `m` with values `V`, in [`each_system`] order.
pub fn systems<'a, V: Payload, M: Measure>(m: &'a M, ctx: &'a Ctx) -> Vec<Contender<'a>> {
    struct Gather<M>(Vec<(&'static str, bool, SystemRound<M>)>);
    impl<V: Payload, M: Measure> Visit<V> for Gather<M> {
        fn visit<S: IndexSlab<V>>(&mut self) {
            self.0.push((S::NAME, S::OURS, |m, ctx, rounds| {
                m.measure::<V, S>(ctx, rounds)
            }));
        }
    }
    let mut g = Gather(Vec::new());
    each_system::<V, _>(&mut g);
    g.0.into_iter()
        .map(|(name, ours, round)| Contender::maybe(name, ours, move |r| round(m, ctx, r)))
        .collect()
}

/// A table's id at each value size of the systems' tables.
#[derive(Debug, Clone, Copy)]
pub struct BySize {
    /// 32-byte values.
    pub b32: &'static str,
    /// 256-byte values.
    pub b256: &'static str,
}

/// Two tables of one workload over every system, at 32- and at 256-byte values.
pub struct SystemTables {
    /// The workload's name.
    pub workload: &'static str,
    /// The tables' ids: `{title with '_' for ' '}_{bytes}B`.
    pub ids: BySize,
    /// Heading before the value size (`churn tight`).
    pub title: String,
    /// What one operation is and how samples were taken.
    pub method: String,
    /// Rounds the samples are split into.
    pub rounds: usize,
}

/// Runs `m` for every system, with 32-byte values then with 256-byte ones.
pub fn every_system<M: Measure>(
    ctx: &Ctx,
    t: SystemTables,
    m: &M,
    progress: &mut dyn FnMut(&str),
) -> [Outcome; 2] {
    fn one<V: Payload, M: Measure>(
        ctx: &Ctx,
        t: &SystemTables,
        id: &str,
        m: &M,
        progress: &mut dyn FnMut(&str),
    ) -> Outcome {
        debug_assert_eq!(id, format!("{}_{}B", t.title.replace(' ', "_"), V::BYTES));
        let info = TableInfo {
            workload: t.workload,
            id: id.to_string(),
            title: format!("{}, {}-byte values", t.title, V::BYTES),
            method: t.method.clone(),
            value_bytes: V::BYTES,
        };
        Outcome::Latency(take_turns(
            info,
            t.rounds,
            systems::<V, M>(m, ctx),
            progress,
        ))
    }
    [
        one::<V32, M>(ctx, &t, t.ids.b32, m, progress),
        one::<V256, M>(ctx, &t, t.ids.b256, m, progress),
    ]
}

/// Records `samples` samples of `ops` calls of `op` each: the timing loop of the workloads
/// with contenders of their own. Unrecorded samples come first: a tenth as many (at least
/// one), and more until `warmup_ms` milliseconds have passed, so a large store's metadata is
/// as warm in a `--quick` run as in a full one.
#[inline(always)]
pub fn batched(
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
pub fn binary_size(n: u64) -> String {
    if n >= 1 << 20 && n.trailing_zeros() >= 20 {
        format!("{}Mi", n >> 20)
    } else if n >= 1 << 10 && n.trailing_zeros() >= 10 {
        format!("{}Ki", n >> 10)
    } else {
        n.to_string()
    }
}

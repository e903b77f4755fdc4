//! Criterion benches: one group per operation, the systems as `BenchmarkId`s, throughput in
//! elements. The operation bodies are the report's own (`workloads::setup`).
//!
//! `cargo bench -p nexus-slab-benches` (add `-- --quick` for a short run).

use criterion::measurement::WallTime;
use criterion::Throughput;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion};
use nexus_slab_benches::payload::{Payload, V256, V32};
use nexus_slab_benches::systems::{each_system, IndexSlab, Visit};
use nexus_slab_benches::workloads::setup::{
    churn_once, drop_all, fill, get_once, positions, replace_once, sparse, visit_all, SEED,
};
use std::time::Duration;

/// Capacity of the store in the churn group (the report's churn uses the same).
const CHURN_CAPACITY: usize = 1 << 20;
/// Live values in random get and steady churn.
const LIVE: usize = 100_000;
/// Operations per timed iteration in random get and steady churn.
const OPS: usize = 64;
/// Slots in the iteration group (smaller than the report's 1 Mi, to keep the run short).
const ITER_SLOTS: usize = 1 << 18;

fn id<V: Payload, S: IndexSlab<V>>(variant: &str) -> BenchmarkId {
    BenchmarkId::new(S::NAME, format!("{variant}{}B", V::BYTES))
}

struct InsertGetRemove<'a, 'g>(&'a mut BenchmarkGroup<'g, WallTime>);

impl<V: Payload> Visit<V> for InsertGetRemove<'_, '_> {
    fn visit<S: IndexSlab<V>>(&mut self) {
        let mut s = S::with_capacity(CHURN_CAPACITY);
        let mut seed = 0u64;
        self.0.bench_function(id::<V, S>(""), |b| {
            b.iter(|| {
                churn_once(&mut s, seed);
                seed += 1;
            })
        });
    }
}

struct RandomGet<'a, 'g>(&'a mut BenchmarkGroup<'g, WallTime>);

impl<V: Payload> Visit<V> for RandomGet<'_, '_> {
    fn visit<S: IndexSlab<V>>(&mut self) {
        let mut s = S::with_capacity(LIVE);
        let handles = fill(&mut s, LIVE);
        let order = positions(LIVE, 1 << 16, SEED);
        let mut at = 0;
        self.0.bench_function(id::<V, S>(""), |b| {
            b.iter(|| {
                at = (at + OPS) % (order.len() - OPS);
                for &k in &order[at..at + OPS] {
                    get_once(&s, &handles[k as usize]);
                }
            })
        });
        drop_all(s, handles);
    }
}

struct SteadyChurn<'a, 'g>(&'a mut BenchmarkGroup<'g, WallTime>);

impl<V: Payload> Visit<V> for SteadyChurn<'_, '_> {
    fn visit<S: IndexSlab<V>>(&mut self) {
        let mut s = S::with_capacity(LIVE);
        let mut handles = fill(&mut s, LIVE);
        let pos = positions(LIVE, 1 << 16, SEED);
        let (mut at, mut seed) = (0, LIVE as u64);
        self.0.bench_function(id::<V, S>(""), |b| {
            b.iter(|| {
                at = (at + OPS) % (pos.len() - OPS);
                for &p in &pos[at..at + OPS] {
                    replace_once(&mut s, &mut handles, p as usize, seed);
                    seed += 1;
                }
            })
        });
        drop_all(s, handles);
    }
}

struct Iterate<'a, 'g> {
    group: &'a mut BenchmarkGroup<'g, WallTime>,
    percent: usize,
}

impl<V: Payload> Visit<V> for Iterate<'_, '_> {
    fn visit<S: IndexSlab<V>>(&mut self) {
        if !S::ITERATES {
            return;
        }
        let (s, kept) = sparse::<V, S>(ITER_SLOTS, self.percent, SEED);
        self.group
            .throughput(Throughput::Elements(kept.len() as u64));
        self.group
            .bench_function(id::<V, S>(&format!("{}pct/", self.percent)), |b| {
                b.iter(|| visit_all(&s))
            });
        drop_all(s, kept);
    }
}

fn group<'c>(c: &'c mut Criterion, name: &str, elements: u64) -> BenchmarkGroup<'c, WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(elements));
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(2));
    g
}

fn insert_get_remove(c: &mut Criterion) {
    let mut g = group(c, "insert_get_remove", 1);
    each_system::<V32, _>(&mut InsertGetRemove(&mut g));
    each_system::<V256, _>(&mut InsertGetRemove(&mut g));
    g.finish();
}

fn random_get(c: &mut Criterion) {
    let mut g = group(c, "random_get", OPS as u64);
    each_system::<V32, _>(&mut RandomGet(&mut g));
    each_system::<V256, _>(&mut RandomGet(&mut g));
    g.finish();
}

fn steady_churn(c: &mut Criterion) {
    let mut g = group(c, "steady_churn", OPS as u64);
    each_system::<V32, _>(&mut SteadyChurn(&mut g));
    each_system::<V256, _>(&mut SteadyChurn(&mut g));
    g.finish();
}

fn iterate(c: &mut Criterion) {
    let mut g = group(c, "iterate", 1);
    for percent in [1, 50] {
        each_system::<V32, _>(&mut Iterate {
            group: &mut g,
            percent,
        });
        each_system::<V256, _>(&mut Iterate {
            group: &mut g,
            percent,
        });
    }
    g.finish();
}

criterion_group!(slabs, insert_get_remove, random_get, steady_churn, iterate);
criterion_main!(slabs);

//! What a workload produces: latency tables, and the memory and fragmentation tables.

use super::{byte_mixed, memory};
use crate::stats::Summary;

/// One system's figures in one table.
#[derive(Debug, Clone)]
pub struct Row {
    /// System name.
    pub system: &'static str,
    /// One of this project's systems.
    pub ours: bool,
    /// Per-operation percentiles.
    pub summary: Summary,
    /// The same, of each round alone, in the order the rounds ran (a target's figure per
    /// round gives its spread).
    pub rounds: Vec<Summary>,
    /// Growth only: the slowest insert in each stretch of `len / buckets` inserts (the
    /// growth's sizes), the smallest such figure over the rounds (a spike that recurs in every
    /// run); empty for other workloads.
    pub series: Vec<f64>,
    /// Growth only: wall time per insert and page faults.
    pub growth: Option<GrowthFigures>,
    /// Growth only: wall time per insert of each wall run, in the order they ran (empty for
    /// other workloads).
    pub round_wall_ns: Vec<f64>,
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
    /// The workload's name.
    pub workload: &'static str,
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
    /// One row per contender, in the order they ran.
    pub rows: Vec<Row>,
    /// Systems that cannot do this workload (no row), in the order they would have run.
    pub not_run: Vec<&'static str>,
}

impl LatencyTable {
    /// The row of `system`.
    pub fn row(&self, system: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.system == system)
    }

    /// `true` for a growth table: its rows carry a series of the slowest insert per stretch
    /// (charted against the insert number) and the growth figures.
    pub fn has_series(&self) -> bool {
        self.bucket_len > 0
    }
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

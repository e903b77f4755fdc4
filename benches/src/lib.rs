//! Shared measurement code for the `report` binary and the criterion benches.
//!
//! - [`timing`]: the clock (TSC on x86-64, `Instant` elsewhere) and its calibrated overhead.
//! - [`pin`]: pinning the measuring thread to one CPU.
//! - [`payload`]: the values stored (32, 64 and 256 bytes).
//! - [`rng`]: seeded `SmallRng` sequences (from `rand`), so every system sees the same one.
//! - [`stats`]: recording samples into an HDR histogram and reading percentiles.
//! - [`systems`]: the [`IndexSlab`](systems::IndexSlab) trait and one file per system measured.
//! - [`workloads`]: one file per workload, registered by one line; one harness runs every
//!   table's contenders in turns (the systems through one adapter, generic over them).
//! - [`targets`]: the figures this project's systems are expected to meet, checked against a
//!   run.
//! - [`warmup`]: faulting memory in once before timing.
//! - [`output`]: text tables, CSV and SVG charts.
//! - [`byte_alloc`]: the byte allocators (ours, talc, buddy, linked list) behind one trait;
//!   their workloads are `byte-churn` and `byte-mixed` in [`workloads`].

pub mod byte_alloc;
pub mod output;
pub mod payload;
pub mod pin;
pub mod rng;
pub mod stats;
pub mod systems;
pub mod targets;
pub mod timing;
pub mod warmup;
pub mod workloads;

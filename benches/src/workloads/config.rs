//! The sizes of a run: what several workloads share, here in [`Config`]; what one workload
//! alone uses, in that workload's file as a [`Presets`] of its own sizes.

use super::loops::Loop;

/// Which sizes a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// The default run.
    Full,
    /// `--quick`: the same sizes, fewer samples.
    Quick,
    /// Tiny sizes, for tests of the plumbing (figures meaningless).
    Tiny,
}

/// One workload's own sizes in each preset (a `const` in the workload's file).
#[derive(Debug, Clone, Copy)]
pub struct Presets<T> {
    /// The default run.
    pub full: T,
    /// `--quick`.
    pub quick: T,
    /// Tests.
    pub tiny: T,
}

impl<T> Presets<T> {
    /// The sizes of `cfg`'s preset.
    pub fn of(&self, cfg: &Config) -> &T {
        match cfg.preset {
            Preset::Full => &self.full,
            Preset::Quick => &self.quick,
            Preset::Tiny => &self.tiny,
        }
    }
}

/// Sizes and sample counts several workloads share.
#[derive(Debug, Clone)]
pub struct Config {
    /// The preset these are (workloads read their own sizes for it).
    pub preset: Preset,
    /// Samples per system for the batched workloads (all rounds together).
    pub samples: usize,
    /// Rounds the samples of the batched workloads are split into, the systems taking turns.
    pub rounds: usize,
    /// Operations per timestamp pair in random get (and hops in key walk, ops in buffer pool).
    pub batch: usize,
    /// Operations per timestamp pair in churn and steady churn, tight loop.
    pub loop_batch: usize,
    /// Operations per timestamp pair in churn and steady churn, loaded loop: more than the
    /// tight loop's, because a marginal cost of a fraction of a cycle is the figure there and
    /// the clock's step is divided by this.
    pub loaded_batch: usize,
    /// Values inserted then removed per timestamp pair in the batch workload.
    pub batch_len: usize,
    /// Live values in random get, steady churn and key walk.
    pub live: usize,
    /// Full passes timed per system in the iteration workloads (all rounds together).
    pub iter_passes: usize,
    /// Live values of the tagged stores (tagged iteration and tagged sampling; 1% tagged).
    pub tagged_live: u32,
    /// Rounds of the sampling and tagged-iteration workloads (each round builds its large
    /// stores afresh).
    pub extra_rounds: usize,
}

impl Config {
    /// The default run.
    pub fn full() -> Config {
        Config {
            preset: Preset::Full,
            samples: 40_000,
            rounds: 5,
            batch: 256,
            loop_batch: 64,
            loaded_batch: 256,
            batch_len: 64,
            live: 100_000,
            iter_passes: 100,
            tagged_live: 1 << 20,
            extra_rounds: 2,
        }
    }

    /// `--quick`: the same sizes, fewer samples.
    pub fn quick() -> Config {
        Config {
            preset: Preset::Quick,
            samples: 4_000,
            rounds: 2,
            iter_passes: 10,
            ..Config::full()
        }
    }

    /// Tiny sizes, for tests of the plumbing (figures meaningless).
    pub fn tiny() -> Config {
        Config {
            preset: Preset::Tiny,
            samples: 20,
            rounds: 2,
            batch: 8,
            loop_batch: 8,
            loaded_batch: 8,
            batch_len: 8,
            live: 1_000,
            iter_passes: 2,
            tagged_live: 1 << 12,
            extra_rounds: 2,
        }
    }

    /// Operations per timestamp pair of churn and steady churn in loop `lp`.
    pub fn loop_ops(&self, lp: Loop) -> usize {
        match lp {
            Loop::Tight => self.loop_batch,
            Loop::Loaded => self.loaded_batch,
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

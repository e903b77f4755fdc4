//! Samples go into an HDR histogram; percentiles come out of it.
//!
//! A sample may cover several operations (a batch between one pair of timestamps): the
//! histogram records the whole batch, and [`Summary`] divides by the operations per sample,
//! so per-operation figures keep their fractional part.

use hdrhistogram::Histogram;

/// Records samples (in clock units) for one system in one workload.
pub struct Recorder {
    hist: Histogram<u64>,
    ops_per_sample: u64,
}

impl Recorder {
    /// A recorder whose samples each cover `ops_per_sample` operations.
    pub fn new(ops_per_sample: u64) -> Recorder {
        Recorder {
            // 3 significant digits: a recorded value is within 0.1% of the sample.
            hist: Histogram::new(3).expect("3 significant digits is a valid precision"),
            ops_per_sample: ops_per_sample.max(1),
        }
    }

    /// Records one sample.
    #[inline]
    pub fn record(&mut self, value: u64) {
        // The histogram resizes itself, so recording never fails for any u64.
        self.hist
            .record(value)
            .expect("auto-resizing histogram records every value");
    }

    /// Adds `other`'s samples (which must cover as many operations per sample).
    pub fn merge(&mut self, other: &Recorder) {
        assert_eq!(self.ops_per_sample, other.ops_per_sample);
        self.hist
            .add(&other.hist)
            .expect("auto-resizing histogram takes every value");
    }

    /// Records one sample `count` times.
    pub fn record_n(&mut self, value: u64, count: u64) {
        self.hist
            .record_n(value, count)
            .expect("auto-resizing histogram records every value");
    }

    /// Number of samples recorded.
    pub fn samples(&self) -> u64 {
        self.hist.len()
    }

    /// Operations per sample.
    pub fn ops_per_sample(&self) -> u64 {
        self.ops_per_sample
    }

    /// The samples as `(value, count)` pairs, one per histogram bucket that has any, in
    /// increasing order; each value is the highest of its bucket, so recording every pair
    /// again (with [`Recorder::record_n`]) rebuilds the same histogram: percentiles, mean and
    /// max come out unchanged. How a child process sends its samples to the report.
    pub fn counts(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.hist
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
    }

    /// Per-operation percentiles.
    pub fn summary(&self) -> Summary {
        let n = self.ops_per_sample as f64;
        let q = |p: f64| self.hist.value_at_quantile(p) as f64 / n;
        Summary {
            p25: q(0.25),
            p50: q(0.50),
            p75: q(0.75),
            p99: q(0.99),
            p999: q(0.999),
            p9999: q(0.9999),
            max: self.hist.max() as f64 / n,
            mean: self.hist.mean() / n,
            samples: self.hist.len(),
            ops_per_sample: self.ops_per_sample,
            curve: CURVE.map(q),
        }
    }
}

/// The quantiles of [`Summary::curve`], the points of a chart's percentile curve.
pub const CURVE: [f64; 9] = [0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 0.99999];

/// Percentiles of one system in one workload, per operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// 25th percentile (the lower end of the median's spread in charts).
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// 99.99th percentile.
    pub p9999: f64,
    /// Largest sample.
    pub max: f64,
    /// Mean (from the histogram's buckets: within 0.1% of the samples' mean).
    pub mean: f64,
    /// Samples recorded.
    pub samples: u64,
    /// Operations per sample (the values above are divided by it).
    pub ops_per_sample: u64,
    /// The value at each quantile of [`CURVE`].
    pub curve: [f64; CURVE.len()],
}

impl Summary {
    /// Column names of [`Summary::values`].
    pub const COLUMNS: [&'static str; 5] = ["p50", "p99", "p99.9", "p99.99", "max"];

    /// Sum over all operations of one run when every run made `samples / runs` samples —
    /// `mean × samples × ops per sample / runs` — here for the growth workload (one run per
    /// round), whose rounds are whole runs.
    pub fn total(&self, runs: u64) -> f64 {
        self.mean * (self.samples * self.ops_per_sample) as f64 / runs.max(1) as f64
    }

    /// The five figures in [`Summary::COLUMNS`] order.
    pub fn values(&self) -> [f64; 5] {
        [self.p50, self.p99, self.p999, self.p9999, self.max]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_per_operation() {
        let mut r = Recorder::new(10);
        for v in 1..=1000u64 {
            r.record(v * 10);
        }
        r.record(0);
        let s = r.summary();
        assert_eq!(s.samples, 1001);
        assert!((s.p50 - 500.0).abs() <= 1.0, "{s:?}");
        assert!(
            (s.p25 - 250.0).abs() <= 1.0 && (s.p75 - 750.0).abs() <= 1.0,
            "{s:?}"
        );
        assert_eq!(s.curve[2], s.p50);
        // The histogram keeps 3 significant digits: values come back within 0.1%.
        assert!((s.max - 1000.0).abs() <= 1.0, "{s:?}");
    }

    #[test]
    fn counts_rebuild_the_same_histogram() {
        let mut r = Recorder::new(1);
        for v in [
            0u64,
            1,
            26,
            26,
            52,
            999,
            1_000,
            1_001,
            123_456,
            9_876_543_210,
        ] {
            r.record(v);
        }
        let mut again = Recorder::new(1);
        for (v, n) in r.counts() {
            again.record_n(v, n);
        }
        assert_eq!(again.summary(), r.summary());
        assert_eq!(
            again.counts().collect::<Vec<_>>(),
            r.counts().collect::<Vec<_>>()
        );
    }
}

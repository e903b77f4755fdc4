//! Growth: from an empty store to `growth_len` values, each insert timed alone. A store that
//! grows by reallocating shows the copy here.

use super::{Config, Ctx, Measure, Measured};
use crate::payload::Payload;
use crate::stats::Recorder;
use crate::systems::IndexSlab;
use crate::timing::{start, stop};
use std::hint::black_box;

/// The growth workload.
pub(crate) struct Growth;

impl Measure for Growth {
    fn rounds(&self, cfg: &Config) -> usize {
        cfg.growth_rounds
    }

    /// One growth per round (`_rounds` is `growth_rounds`).
    fn measure<V: Payload, S: IndexSlab<V>>(&self, ctx: &Ctx, _rounds: usize) -> Option<Measured> {
        let cfg = &ctx.cfg;
        let n = cfg.growth_len;
        let bucket_len = n.div_ceil(cfg.growth_buckets.max(1));
        let mut series = vec![0f64; n.div_ceil(bucket_len)];
        let mut rec = Recorder::new(1);
        let mut s = S::growable(n);
        // Handle storage is allocated (and its pages faulted) outside the timed region.
        let mut handles = Vec::with_capacity(n);
        for i in 0..n {
            let v = black_box(V::new(i as u64));
            let t0 = start();
            let h = s.insert(v);
            let t1 = stop();
            let dt = ctx.clock.elapsed(t0, t1);
            handles.push(black_box(h));
            rec.record(dt);
            let b = &mut series[i / bucket_len];
            *b = b.max(dt as f64);
        }
        super::setup::drop_all(s, handles);
        Some(Measured { rec, series })
    }
}

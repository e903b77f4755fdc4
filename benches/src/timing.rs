//! The clock: `lfence; rdtsc` to start and `rdtscp; lfence` to stop on x86-64 (TSC ticks,
//! reported as "cycles"), `std::time::Instant` nanoseconds elsewhere.
//!
//! The cost of an empty start/stop pair is measured once ([`Clock::calibrate`]) and
//! subtracted from every sample ([`Clock::elapsed`]).

/// Unit of the values [`start`] and [`stop`] return.
#[cfg(target_arch = "x86_64")]
pub const UNIT: &str = "cycles";
/// Unit of the values [`start`] and [`stop`] return.
#[cfg(not(target_arch = "x86_64"))]
pub const UNIT: &str = "ns";

/// Timestamp before the timed code: `lfence; rdtsc`. The fence keeps earlier instructions
/// from finishing after the read.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn start() -> u64 {
    use core::arch::x86_64::{_mm_lfence, _rdtsc};
    // SAFETY: `lfence` and `rdtsc` are part of every x86-64 CPU; they read a counter and
    // order loads, touching no memory of ours.
    unsafe {
        _mm_lfence();
        _rdtsc()
    }
}

/// Timestamp after the timed code: `rdtscp; lfence`. `rdtscp` waits for earlier
/// instructions; the fence keeps later ones from starting before the read.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn stop() -> u64 {
    use core::arch::x86_64::{__rdtscp, _mm_lfence};
    let mut aux = 0u32;
    // SAFETY: `rdtscp` (present on every CPU this runs on: the report checks with
    // `tsc_available` at start-up) writes the processor id into `aux`, a local we own; `lfence` touches no
    // memory.
    unsafe {
        let t = __rdtscp(&mut aux);
        _mm_lfence();
        t
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn epoch() -> std::time::Instant {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(std::time::Instant::now)
}

/// Timestamp before the timed code, in nanoseconds since the first call.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub fn start() -> u64 {
    epoch().elapsed().as_nanos() as u64
}

/// Timestamp after the timed code, in nanoseconds since the first call.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub fn stop() -> u64 {
    epoch().elapsed().as_nanos() as u64
}

/// `true` when the CPU has `rdtscp` (always checked before the TSC clock is used).
pub fn tsc_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        cpuid_rdtscp()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        true
    }
}

/// `rdtscp` is reported in cpuid leaf 0x8000_0001, EDX bit 27.
#[cfg(target_arch = "x86_64")]
fn cpuid_rdtscp() -> bool {
    use core::arch::x86_64::__cpuid;
    // Leaf 0x8000_0000 gives the highest extended leaf, checked before 0x8000_0001 is read.
    let max = __cpuid(0x8000_0000).eax;
    max >= 0x8000_0001 && __cpuid(0x8000_0001).edx & (1 << 27) != 0
}

/// The clock with its measured start/stop overhead.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    overhead: u64,
    resolution: u64,
}

impl Clock {
    /// Measures the overhead: the median of `pairs` empty start/stop pairs (after a warm-up
    /// of the same length).
    pub fn calibrate(pairs: usize) -> Clock {
        let pairs = pairs.max(1);
        let mut samples = Vec::with_capacity(pairs);
        for round in 0..2 {
            samples.clear();
            for _ in 0..pairs {
                let t0 = start();
                let t1 = stop();
                samples.push(t1.wrapping_sub(t0));
            }
            if round == 1 {
                break;
            }
        }
        samples.sort_unstable();
        Clock {
            overhead: samples[samples.len() / 2],
            resolution: resolution(),
        }
    }

    /// A clock that subtracts `overhead` (another process's calibration, so that figures
    /// taken in a child process are corrected exactly as the parent's are); its resolution
    /// is measured here.
    pub fn with_overhead(overhead: u64) -> Clock {
        Clock {
            overhead,
            resolution: resolution(),
        }
    }

    /// A clock that subtracts nothing (for tests and for callers that want raw figures).
    pub const fn raw() -> Clock {
        Clock {
            overhead: 0,
            resolution: 1,
        }
    }

    /// The usual step between two different readings of the clock, in [`UNIT`]: a single
    /// operation cheaper than this cannot be resolved (some virtualized TSCs advance in steps
    /// of tens of ticks).
    pub fn resolution(&self) -> u64 {
        self.resolution
    }

    /// The overhead of one empty start/stop pair, in [`UNIT`].
    pub fn overhead(&self) -> u64 {
        self.overhead
    }

    /// `t1 - t0` less the overhead, never below zero (a pair read backwards, as after a
    /// migration between CPUs whose counters differ, counts as zero).
    #[inline(always)]
    pub fn elapsed(&self, t0: u64, t1: u64) -> u64 {
        t1.saturating_sub(t0).saturating_sub(self.overhead)
    }
}

/// The counter without fences: back-to-back reads as close together as the CPU allows, so
/// the step seen is the counter's own, not the time a fenced read takes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn read_unfenced() -> u64 {
    // SAFETY: `rdtsc` is part of every x86-64 CPU and touches no memory of ours.
    unsafe { core::arch::x86_64::_rdtsc() }
}

#[cfg(not(target_arch = "x86_64"))]
fn read_unfenced() -> u64 {
    start()
}

/// The most common step between successive different clock readings (the mode: robust to
/// the odd preemption, and to counters that dither between neighbouring values).
fn resolution() -> u64 {
    let mut steps = Vec::with_capacity(1001);
    let mut prev = read_unfenced();
    while steps.len() < 1001 {
        let t = read_unfenced();
        if t != prev {
            steps.push(t.wrapping_sub(prev));
            prev = t;
        }
    }
    steps.sort_unstable();
    let mut best = (0usize, steps[0]);
    let mut run = (0usize, steps[0]);
    for &s in &steps {
        run = if s == run.1 { (run.0 + 1, s) } else { (1, s) };
        if run.0 > best.0 {
            best = run;
        }
    }
    best.1
}

/// Estimated ticks per microsecond of the clock (TSC frequency / 10⁶), measured against
/// `Instant` over `millis` milliseconds. On the `Instant` fallback this is 1000.
pub fn ticks_per_us(millis: u64) -> f64 {
    let i0 = std::time::Instant::now();
    let t0 = start();
    while i0.elapsed().as_millis() < u128::from(millis) {
        std::hint::spin_loop();
    }
    let t1 = stop();
    let us = i0.elapsed().as_secs_f64() * 1e6;
    t1.wrapping_sub(t0) as f64 / us
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_moves_forward_and_subtracts_overhead() {
        assert!(tsc_available());
        let c = Clock::calibrate(100);
        let t0 = start();
        let t1 = stop();
        assert!(t1 >= t0);
        assert_eq!(c.elapsed(10, 5), 0, "a backwards pair saturates at zero");
        assert_eq!(Clock::raw().elapsed(3, 10), 7);
    }
}

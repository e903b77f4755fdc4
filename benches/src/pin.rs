//! Pinning the measuring thread to one CPU, so the TSC and the caches it measures stay put.

/// What [`pin_to_one_cpu`] achieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pinning {
    /// Pinned to this CPU.
    Pinned(usize),
    /// The OS refused (or this platform has no affinity call); the reason.
    NotPinned(String),
}

impl std::fmt::Display for Pinning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pinning::Pinned(cpu) => write!(f, "pinned to CPU {cpu}"),
            Pinning::NotPinned(why) => write!(f, "not pinned ({why})"),
        }
    }
}

/// Pins the calling thread to `cpu`, or to the highest-numbered CPU it may run on when
/// `cpu` is `None`. Refusal is reported, never fatal.
#[cfg(target_os = "linux")]
pub fn pin_to_one_cpu(cpu: Option<usize>) -> Pinning {
    // SAFETY: `cpu_set_t` is plain data; all-zero is the empty set.
    let mut allowed: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: pid 0 is this thread; `allowed` is a valid, writable set of `size` bytes.
    if unsafe { libc::sched_getaffinity(0, size, &mut allowed) } != 0 {
        return Pinning::NotPinned(format!(
            "sched_getaffinity: {}",
            std::io::Error::last_os_error()
        ));
    }
    let max = libc::CPU_SETSIZE as usize;
    // SAFETY: `i < CPU_SETSIZE`, in range of the set.
    let is_allowed = |i: usize| unsafe { libc::CPU_ISSET(i, &allowed) };
    let target = match cpu {
        Some(c) if c < max && is_allowed(c) => c,
        Some(c) => return Pinning::NotPinned(format!("CPU {c} is not allowed for this process")),
        None => match (0..max).rev().find(|&i| is_allowed(i)) {
            Some(c) => c,
            None => return Pinning::NotPinned("no CPU allowed".into()),
        },
    };
    // SAFETY: as above, plain data.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `target < CPU_SETSIZE`.
    unsafe { libc::CPU_SET(target, &mut set) };
    // SAFETY: pid 0 is this thread; `set` is a valid set of `size` bytes.
    if unsafe { libc::sched_setaffinity(0, size, &set) } != 0 {
        return Pinning::NotPinned(format!(
            "sched_setaffinity: {}",
            std::io::Error::last_os_error()
        ));
    }
    Pinning::Pinned(target)
}

/// Pins the calling thread (not supported on this platform: always reports so).
#[cfg(not(target_os = "linux"))]
pub fn pin_to_one_cpu(_cpu: Option<usize>) -> Pinning {
    Pinning::NotPinned("no affinity call on this platform".into())
}

//! Pinning the measuring thread to one CPU, so the TSC and the caches it measures stay put;
//! and the second thread of a two-thread workload to another one.

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
    match set_affinity(target) {
        Ok(()) => Pinning::Pinned(target),
        Err(why) => Pinning::NotPinned(why),
    }
}

/// Restricts the calling thread to `cpu` alone (`cpu < CPU_SETSIZE`).
#[cfg(target_os = "linux")]
fn set_affinity(cpu: usize) -> Result<(), String> {
    // SAFETY: `cpu_set_t` is plain data; all-zero is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `cpu < CPU_SETSIZE` (caller).
    unsafe { libc::CPU_SET(cpu, &mut set) };
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: pid 0 is this thread; `set` is a valid set of `size` bytes.
    if unsafe { libc::sched_setaffinity(0, size, &set) } != 0 {
        return Err(format!(
            "sched_setaffinity: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// The CPU the calling thread is pinned to: the one CPU its affinity allows, or `None` when
/// it allows several (or the platform has no affinity call).
#[cfg(target_os = "linux")]
pub fn pinned_cpu() -> Option<usize> {
    // SAFETY: as in `pin_to_one_cpu`.
    let mut allowed: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: as in `pin_to_one_cpu`.
    if unsafe { libc::sched_getaffinity(0, size, &mut allowed) } != 0 {
        return None;
    }
    // SAFETY: `i < CPU_SETSIZE`, in range of the set.
    let mut cpus =
        (0..libc::CPU_SETSIZE as usize).filter(|&i| unsafe { libc::CPU_ISSET(i, &allowed) });
    match (cpus.next(), cpus.next()) {
        (Some(cpu), None) => Some(cpu),
        _ => None,
    }
}

/// The CPU the calling thread is pinned to (not supported on this platform: never).
#[cfg(not(target_os = "linux"))]
pub fn pinned_cpu() -> Option<usize> {
    None
}

/// Pins the calling thread to a CPU other than `not`: the highest configured CPU the OS
/// accepts. For a second thread of a two-thread measurement: a thread inherits the
/// affinity of the thread that spawned it (one CPU, once the report has pinned itself), so
/// this asks the OS for each CPU in turn instead of choosing among the current affinity;
/// the OS refuses the CPUs outside the process's cpuset. Refusal is reported, never fatal.
#[cfg(target_os = "linux")]
pub fn pin_to_another_cpu(not: Option<usize>) -> Pinning {
    // SAFETY: `sysconf` reads a system constant.
    let configured = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_CONF) };
    let max = usize::try_from(configured)
        .unwrap_or(1)
        .min(libc::CPU_SETSIZE as usize);
    let mut last = String::from("no other CPU");
    for cpu in (0..max).rev().filter(|&c| Some(c) != not) {
        match set_affinity(cpu) {
            Ok(()) => return Pinning::Pinned(cpu),
            Err(why) => last = why,
        }
    }
    Pinning::NotPinned(last)
}

/// Pins the calling thread to another CPU (not supported on this platform: always reports
/// so).
#[cfg(not(target_os = "linux"))]
pub fn pin_to_another_cpu(_not: Option<usize>) -> Pinning {
    Pinning::NotPinned("no affinity call on this platform".into())
}

/// Pins the calling thread (not supported on this platform: always reports so).
#[cfg(not(target_os = "linux"))]
pub fn pin_to_one_cpu(_cpu: Option<usize>) -> Pinning {
    Pinning::NotPinned("no affinity call on this platform".into())
}

//! mmap backend (Linux): anonymous private `MAP_NORESERVE` mappings. Reserving costs address
//! space only; a page is committed when first touched or when pre-faulted here.

use crate::Error;
use core::ptr::NonNull;

/// `MADV_POPULATE_WRITE` (Linux 5.14); defined here so older libc headers still build.
const MADV_POPULATE_WRITE: libc::c_int = 23;

/// The whole mapping, which may be larger than the region when over-aligned.
pub(super) struct Mapping {
    base: *mut u8,
    len: usize,
}

impl Mapping {
    pub(super) fn empty() -> Mapping {
        Mapping {
            base: core::ptr::null_mut(),
            len: 0,
        }
    }
}

pub(super) fn check_mlock_supported(_bytes: usize) -> Result<(), Error> {
    Ok(())
}

fn errno() -> i32 {
    // SAFETY: `__errno_location` returns this thread's errno slot, always valid to read.
    unsafe { *libc::__errno_location() }
}

pub(super) fn page_size() -> usize {
    // SAFETY: sysconf has no memory-safety preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 {
        p as usize
    } else {
        4096
    }
}

pub(super) fn reserve(
    len: usize,
    align: usize,
    opts: super::MemOptions,
) -> Result<(NonNull<u8>, Mapping), Error> {
    let page = page_size();
    let refused = |os_error| Error::ReservationRefused {
        bytes: len,
        os_error,
    };
    // Mappings are page-aligned; only a larger alignment needs slack to trim.
    let slack = if align > page { align } else { 0 };
    let map_len = len
        .checked_add(page - 1)
        .map(|l| l & !(page - 1))
        .and_then(|l| l.checked_add(slack))
        .ok_or(refused(None))?;
    // SAFETY: a fresh anonymous mapping at an address the kernel picks; no existing memory
    // is affected.
    let base = unsafe {
        libc::mmap(
            core::ptr::null_mut(),
            map_len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return Err(refused(Some(errno())));
    }
    let base = base.cast::<u8>();
    let start = (base as usize).next_multiple_of(align.max(1));
    let mapping = Mapping { base, len: map_len };
    // SAFETY: `start - base < slack`, and `start + len <= base + map_len`, so the pointer
    // stays inside the mapping.
    let ptr = unsafe { base.add(start - base as usize) };
    if opts.huge_pages {
        // Best effort by contract: THP may be disabled ("never") and the advice refused;
        // the memory works the same without it, so the result is deliberately not an error.
        // SAFETY: advising our own mapping; MADV_HUGEPAGE never changes contents.
        let _ = unsafe { libc::madvise(base.cast(), map_len, libc::MADV_HUGEPAGE) };
    }
    if opts.mlock {
        // SAFETY: locking our own mapping; no contents change.
        if unsafe { libc::mlock(ptr.cast(), len) } != 0 {
            let err = Error::MlockRefused {
                bytes: len,
                os_error: Some(errno()),
            };
            // SAFETY: the mapping was created above and is not referenced anywhere else.
            unsafe { unmap(&mapping) };
            return Err(err);
        }
    }
    // SAFETY: mmap never returns null on success.
    Ok((unsafe { NonNull::new_unchecked(ptr) }, mapping))
}

/// # Safety
/// `ptr..ptr + len` must lie inside a live mapping from [`reserve`].
pub(super) unsafe fn prefault(ptr: *mut u8, len: usize) -> Result<(), Error> {
    let page = page_size();
    let start = (ptr as usize) & !(page - 1);
    let end = (ptr as usize + len).next_multiple_of(page);
    loop {
        #[cfg(test)]
        if let Some(code) = tests::REFUSE_POPULATE.get() {
            // A refusal injected by a test, as the kernel would give it.
            match code {
                libc::EINVAL => break,
                code => {
                    return Err(Error::ReservationRefused {
                        bytes: len,
                        os_error: Some(code),
                    })
                }
            }
        }
        // SAFETY: advising pages of our own mapping (caller contract); MADV_POPULATE_WRITE
        // faults them in writable without changing their contents.
        let rc =
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, MADV_POPULATE_WRITE) };
        if rc == 0 {
            return Ok(());
        }
        match errno() {
            libc::EINTR | libc::EAGAIN => continue,
            // Kernel older than 5.14: the advice is unknown. Touch the pages instead.
            libc::EINVAL => break,
            code => {
                return Err(Error::ReservationRefused {
                    bytes: len,
                    os_error: Some(code),
                })
            }
        }
    }
    // Fallback: write a zero to each page that lies wholly inside the range. Pages partly
    // outside it may hold live values and are left alone; the caller vouches that the whole
    // pages hold nothing read back.
    let mut p = (ptr as usize).next_multiple_of(page);
    while p + page <= ptr as usize + len {
        // SAFETY: `p` is inside the caller's range, in our mapping, and not referenced by
        // anyone (see above).
        unsafe { ptr.add(p - ptr as usize).write_volatile(0) };
        p += page;
    }
    Ok(())
}

/// Gives whole pages back: `MADV_DONTNEED`, after which they read as zeros and are committed
/// again on the next touch. (`MADV_FREE` would let the kernel take them only under memory
/// pressure, so RSS would not fall when asked, and a page could come back holding old bytes
/// or zeros; this crate wants memory returned when `shrink` is called, and known contents.)
/// Returns the bytes given back, 0 if the kernel refused.
///
/// # Safety
/// `ptr..ptr + len` is whole pages inside a live mapping from [`reserve`], holding nothing
/// read back.
pub(super) unsafe fn decommit(ptr: *mut u8, len: usize) -> usize {
    // SAFETY: advising pages of our own mapping that hold nothing (caller contract).
    let rc = unsafe { libc::madvise(ptr.cast(), len, libc::MADV_DONTNEED) };
    if rc == 0 {
        len
    } else {
        // EINVAL (locked pages) or EAGAIN: the pages stay committed, which is always safe.
        0
    }
}

/// Resident pages of `ptr..ptr + len` (`mincore`), for tests.
///
/// # Safety
/// `ptr..ptr + len` lies inside a live mapping from [`reserve`].
#[cfg(test)]
pub(super) unsafe fn resident_pages(ptr: *mut u8, len: usize) -> Option<usize> {
    let page = page_size();
    let start = (ptr as usize) & !(page - 1);
    let end = (ptr as usize + len).next_multiple_of(page);
    let mut vec = std::vec![0u8; (end - start) / page];
    // SAFETY: `vec` has one byte per page of the range, which is inside our mapping.
    let rc = unsafe { libc::mincore(start as *mut libc::c_void, end - start, vec.as_mut_ptr()) };
    (rc == 0).then(|| vec.iter().filter(|&&b| b & 1 != 0).count())
}

/// # Safety
/// `mapping` must be a live mapping from [`reserve`], unmapped once.
unsafe fn unmap(mapping: &Mapping) {
    // SAFETY: caller contract. munmap of our own mapping cannot fail with valid arguments.
    let rc = unsafe { libc::munmap(mapping.base.cast(), mapping.len) };
    debug_assert_eq!(rc, 0, "munmap failed: errno {}", errno());
}

/// # Safety
/// `mapping` must come from one [`reserve`] call, released once.
pub(super) unsafe fn release(_ptr: NonNull<u8>, _len: usize, mapping: &Mapping) {
    // SAFETY: caller contract.
    unsafe { unmap(mapping) }
}

#[cfg(test)]
pub(super) mod tests {
    use core::cell::Cell;

    std::thread_local! {
        /// When set, `prefault` on this thread fails as if the kernel returned this errno
        /// (`EINVAL`: a kernel without `MADV_POPULATE_WRITE`, which falls back to touching).
        pub(crate) static REFUSE_POPULATE: Cell<Option<i32>> = const { Cell::new(None) };
    }
}

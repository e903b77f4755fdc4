//! Heap backend: one zeroed block from the global allocator. Used without the `mmap`
//! feature, off Linux, and always under Miri. Everything is committed up front (the OS may
//! still back a large block lazily), so `prefault` does nothing here, and nothing is given back.

extern crate alloc;

use crate::Error;
use alloc::alloc::{alloc_zeroed, dealloc, Layout};
use core::ptr::NonNull;

/// The layout the block was allocated with.
pub(super) struct Mapping {
    layout: Option<Layout>,
}

impl Mapping {
    pub(super) fn empty() -> Mapping {
        Mapping { layout: None }
    }
}

pub(super) fn check_mlock_supported(bytes: usize) -> Result<(), Error> {
    Err(Error::MlockRefused {
        bytes,
        os_error: None,
    })
}

pub(super) fn reserve(
    len: usize,
    align: usize,
    opts: super::MemOptions,
) -> Result<(NonNull<u8>, Mapping), Error> {
    if opts.mlock {
        check_mlock_supported(len)?;
    }
    let layout = Layout::from_size_align(len, align).map_err(|_| Error::ReservationRefused {
        bytes: len,
        os_error: None,
    })?;
    // SAFETY: `len > 0` (the caller handles empty regions), so the layout is non-zero-sized.
    let ptr = unsafe { alloc_zeroed(layout) };
    let ptr = NonNull::new(ptr).ok_or(Error::ReservationRefused {
        bytes: len,
        os_error: None,
    })?;
    Ok((
        ptr,
        Mapping {
            layout: Some(layout),
        },
    ))
}

/// # Safety
/// `ptr..ptr + len` must lie inside a live block from [`reserve`].
pub(super) unsafe fn prefault(_ptr: *mut u8, _len: usize) -> Result<(), Error> {
    // `alloc_zeroed` already gave committed (or OS-lazily-backed) memory; nothing to do.
    Ok(())
}

/// The page size assumed for rounding (nothing is given back on this backend).
pub(super) fn page_size() -> usize {
    4096
}

/// The global allocator's block cannot be given back in part: nothing happens.
///
/// # Safety
/// None beyond [`super::Region::decommit`]'s.
pub(super) unsafe fn decommit(_ptr: *mut u8, _len: usize) -> usize {
    0
}

/// Unknown on this backend.
///
/// # Safety
/// None.
#[cfg(test)]
pub(super) unsafe fn resident_pages(_ptr: *mut u8, _len: usize) -> Option<usize> {
    None
}

/// # Safety
/// `ptr`, `len`, `mapping` must come from one [`reserve`] call, released once.
pub(super) unsafe fn release(ptr: NonNull<u8>, _len: usize, mapping: &Mapping) {
    if let Some(layout) = mapping.layout {
        // SAFETY: allocated by `alloc_zeroed` with exactly this layout (caller contract).
        unsafe { dealloc(ptr.as_ptr(), layout) }
    }
}

//! [`BufferSlab`]: a pool of fixed-size byte buffers over reserved memory, handed out as
//! RAII [`AutoGuard`]s. The untyped [`RawSlab`] does all the bookkeeping; this layer only
//! fixes the buffer layout and ties each buffer's lifetime to a guard.

use crate::bitmap::Mode;
use crate::memory::MemOptions;
use crate::raw::{Elem, RawSlab};
use crate::Error;
use core::alloc::Layout;
use core::fmt;
use core::marker::PhantomData;
use core::ptr::NonNull;

/// A pool of `N`-byte buffers with stable addresses.
///
/// Buffer `i` starts at `base + i * STRIDE`. Every buffer is aligned to
/// [`ALIGN`](BufferSlab::ALIGN) `= max(64, min(N.next_power_of_two(), 4096))`, and the stride
/// is `N` rounded up to a multiple of it ([`STRIDE`](BufferSlab::STRIDE)): for instance
/// `N = 100` gives 128-byte buffers 128 bytes apart, `N = 4096` 4096, `N = 5000` 8192
/// (5000 rounded up to whole 4096-byte pages).
///
/// **Contents of a fresh buffer:** not zeroed. A buffer holds zeros the first time its slot
/// is used and afterwards whatever the previous guard left in it. Reading those bytes is not
/// undefined behaviour (the memory is always initialized: it is zeroed when reserved and only
/// ever written with bytes), but it may expose data of an earlier user of the same pool:
/// clear it (`as_slice_mut().fill(0)`) if that matters. Skipping the zeroing keeps `allocate`
/// O(1) instead of O(N).
///
/// ```
/// use nexus_slab::BufferSlab;
///
/// // Pre-fault 4 buffers, reserve room for 128.
/// let pool = BufferSlab::<4096>::new(4, 128).unwrap();
/// let mut a = pool.allocate(); // panics when the pool is full
/// let b = pool.try_allocate().unwrap(); // None when the pool is full
/// a.as_slice_mut()[..5].copy_from_slice(b"hello");
/// assert_eq!(&a.as_slice()[..5], b"hello");
/// assert_eq!((a.index(), b.index()), (0, 1));
/// assert_eq!(a.as_ptr() as usize % 4096, 0);
/// drop(a); // frees buffer 0
/// assert_eq!(pool.allocate().index(), 0);
/// ```
///
/// `BufferSlab` is neither `Send` nor `Sync`, and neither are its guards:
///
/// ```compile_fail,E0277
/// fn send<S: Send>(_: S) {}
/// send(nexus_slab::BufferSlab::<64>::new(0, 8).unwrap());
/// ```
///
/// ```compile_fail,E0277
/// let pool = nexus_slab::BufferSlab::<64>::new(0, 8).unwrap();
/// let guard = pool.allocate();
/// std::thread::scope(|s| {
///     s.spawn(move || drop(guard));
/// });
/// ```
///
/// A guard cannot outlive its pool:
///
/// ```compile_fail,E0597
/// let guard = {
///     let pool = nexus_slab::BufferSlab::<64>::new(0, 8).unwrap();
///     pool.allocate()
/// };
/// ```
pub struct BufferSlab<const N: usize> {
    /// Slots of `STRIDE` bytes aligned to `ALIGN`. Invariant: a slot is occupied exactly
    /// while one `AutoGuard` for it is live.
    raw: RawSlab,
    /// `!Send + !Sync` (`RawSlab` already is; this says so on purpose).
    _not_send_sync: PhantomData<*mut u8>,
}

impl<const N: usize> BufferSlab<N> {
    /// Alignment of every buffer: `max(64, min(N.next_power_of_two(), 4096))`.
    pub const ALIGN: usize = {
        if N >= 4096 {
            4096
        } else if N <= 64 {
            64
        } else {
            N.next_power_of_two()
        }
    };

    /// Distance between consecutive buffers: `N` rounded up to a multiple of
    /// [`ALIGN`](BufferSlab::ALIGN) (0 when `N` is 0). Every buffer starts on an `ALIGN`
    /// boundary; the `STRIDE - N` bytes after a buffer belong to nobody.
    pub const STRIDE: usize = {
        // `N` above `usize::MAX - 4096` cannot be rounded up; `new` refuses it.
        if N > usize::MAX - 4096 {
            0
        } else {
            N.next_multiple_of(Self::ALIGN)
        }
    };

    /// The largest `N` a `BufferSlab` can lay out: a buffer rounded up to its 4096-byte
    /// alignment must stay within `isize::MAX`.
    pub const MAX_N: usize = (isize::MAX as usize + 1) - 4096;

    /// One buffer's slot: `STRIDE` bytes aligned to `ALIGN`; `None` when `N` is above
    /// [`MAX_N`](BufferSlab::MAX_N).
    const SLOT_LAYOUT: Option<Layout> = match Layout::from_size_align(Self::STRIDE, Self::ALIGN) {
        Ok(layout) if N == 0 || Self::STRIDE != 0 => Some(layout),
        _ => None,
    };

    /// Reserves `virtual_capacity` buffers of address space and pre-faults the first
    /// `initial_capacity`. A capacity of 0 is accepted: every `allocate` then finds the pool
    /// full.
    ///
    /// Errors: `N` above [`MAX_N`](BufferSlab::MAX_N) (`Error::ElementTooLarge`),
    /// `initial_capacity > virtual_capacity` or `N × capacity` beyond the address space
    /// (`Error::InvalidCapacity`), or a reservation the OS refuses.
    pub fn new(initial_capacity: u32, virtual_capacity: u32) -> Result<BufferSlab<N>, Error> {
        let layout = Self::SLOT_LAYOUT.ok_or(Error::ElementTooLarge {
            size: N,
            maximum: Self::MAX_N,
        })?;
        let raw = RawSlab::new(
            virtual_capacity,
            initial_capacity,
            layout,
            Mode::Pool,
            MemOptions::default(),
        )?;
        Ok(BufferSlab {
            raw,
            _not_send_sync: PhantomData,
        })
    }

    /// Takes a free buffer (the lowest-indexed one).
    ///
    /// # Panics
    /// When every buffer is in use; the message names the capacity.
    /// [`try_allocate`](BufferSlab::try_allocate) returns `None` instead.
    #[inline]
    #[track_caller]
    pub fn allocate(&self) -> AutoGuard<'_, N> {
        match self.try_allocate() {
            Some(guard) => guard,
            None => full_panic(N, self.capacity()),
        }
    }

    /// Takes a free buffer, or `None` when every buffer is in use.
    #[inline]
    pub fn try_allocate(&self) -> Option<AutoGuard<'_, N>> {
        let idx = self.raw.acquire()?;
        Some(AutoGuard {
            pool: self,
            // SAFETY: the slab is made with `SLOT_LAYOUT` (`new`), and an acquired index is below
            // the capacity.
            ptr: unsafe { self.raw.slot::<Self>(idx) },
            idx,
        })
    }

    /// Buffers handed out and not yet given back (a guard gives its buffer back when dropped).
    #[inline]
    pub fn len(&self) -> u32 {
        self.raw.len()
    }

    /// `true` when no buffer is in use.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.raw.len() == 0
    }

    /// The virtual capacity: the most buffers in use at once.
    #[inline]
    pub fn capacity(&self) -> u32 {
        self.raw.capacity()
    }

    /// Gives back to the OS every whole page that no buffer in use touches, keeping the
    /// addresses reserved; a page given back is committed again (zeroed) when a buffer in it
    /// is next allocated. Off Linux, without the `mmap` feature and under Miri nothing is
    /// given back.
    pub fn shrink(&self) {
        self.raw.release_free_pages();
    }

    /// `true` if buffer `idx` is in use.
    #[inline]
    pub fn is_allocated(&self, idx: u32) -> bool {
        self.raw.contains(idx)
    }
}

/// A pool's slots as the raw layer sees them: bytes, `STRIDE` apart.
impl<const N: usize> Elem for BufferSlab<N> {
    type Value = u8;
    // A pool is only made when its layout exists (`new`); the fallback is never a slab's.
    const LAYOUT: Layout = match Self::SLOT_LAYOUT {
        Some(layout) => layout,
        None => Layout::new::<u8>(),
    };
}

impl<const N: usize> fmt::Debug for BufferSlab<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufferSlab")
            .field("buffer_size", &N)
            .field("stride", &Self::STRIDE)
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .finish()
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn full_panic(size: usize, capacity: u32) -> ! {
    panic!(
        "BufferSlab<{size}> is full: all {capacity} buffers are in use (use try_allocate to get None instead)"
    )
}

/// Exclusive use of one buffer of a [`BufferSlab`]; dropping it frees the buffer.
///
/// Dereferences to nothing: use [`as_slice`](AutoGuard::as_slice) /
/// [`as_slice_mut`](AutoGuard::as_slice_mut), or [`as_ptr`](AutoGuard::as_ptr) for I/O.
pub struct AutoGuard<'a, const N: usize> {
    pool: &'a BufferSlab<N>,
    /// Start of the buffer. Invariant: valid for reads and writes of `N` initialized bytes,
    /// aligned to `BufferSlab::<N>::ALIGN`, used by no one else while this guard lives
    /// (slot `idx` is occupied for exactly as long), with the region's provenance.
    ptr: NonNull<u8>,
    idx: u32,
}

impl<const N: usize> AutoGuard<'_, N> {
    /// The buffer's `N` bytes.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr` is valid for `N` initialized bytes that only this guard uses (field
        // invariant); the slice borrows the guard, so it cannot outlive the buffer.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), N) }
    }

    /// The buffer's `N` bytes, mutably.
    #[inline]
    pub fn as_slice_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `as_slice`; `&mut self` makes the borrow unique.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), N) }
    }

    /// Raw pointer to the buffer's first byte, valid for reads and writes of `N` bytes while
    /// this guard lives (and no slice from it is borrowed in a conflicting way).
    #[inline]
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// The buffer's index in its pool.
    #[inline]
    pub fn index(&self) -> u32 {
        self.idx
    }
}

impl<const N: usize> Drop for AutoGuard<'_, N> {
    #[inline]
    fn drop(&mut self) {
        let freed = self.pool.raw.release(self.idx);
        debug_assert!(freed, "buffer {} freed twice", self.idx);
    }
}

impl<const N: usize> fmt::Debug for AutoGuard<'_, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AutoGuard")
            .field("index", &self.idx)
            .field("len", &N)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;
    use std::vec::Vec;

    #[test]
    fn stride_and_alignment() {
        assert_eq!((BufferSlab::<0>::ALIGN, BufferSlab::<0>::STRIDE), (64, 0));
        assert_eq!((BufferSlab::<1>::ALIGN, BufferSlab::<1>::STRIDE), (64, 64));
        assert_eq!(
            (BufferSlab::<64>::ALIGN, BufferSlab::<64>::STRIDE),
            (64, 64)
        );
        assert_eq!(
            (BufferSlab::<100>::ALIGN, BufferSlab::<100>::STRIDE),
            (128, 128)
        );
        assert_eq!(
            (BufferSlab::<256>::ALIGN, BufferSlab::<256>::STRIDE),
            (256, 256)
        );
        assert_eq!(
            (BufferSlab::<4096>::ALIGN, BufferSlab::<4096>::STRIDE),
            (4096, 4096)
        );
        assert_eq!(
            (BufferSlab::<5000>::ALIGN, BufferSlab::<5000>::STRIDE),
            (4096, 8192)
        );
        assert_eq!(
            (BufferSlab::<65536>::ALIGN, BufferSlab::<65536>::STRIDE),
            (4096, 65536)
        );
    }

    fn check_pool<const N: usize>(count: u32) {
        let pool = BufferSlab::<N>::new(1, count).unwrap();
        let mut guards = Vec::new();
        for i in 0..count {
            let mut g = pool.allocate();
            assert_eq!(g.index(), i);
            assert_eq!(
                g.as_ptr() as usize % BufferSlab::<N>::ALIGN,
                0,
                "N {N} buffer {i}"
            );
            assert_eq!(g.as_slice().len(), N);
            g.as_slice_mut().fill(i as u8 + 1);
            guards.push(g);
        }
        assert!(pool.try_allocate().is_none());
        for (i, g) in guards.iter().enumerate() {
            assert!(
                g.as_slice().iter().all(|&b| b == i as u8 + 1),
                "buffer {i} overlapped"
            );
        }
        for w in guards.windows(2) {
            let gap = w[1].as_ptr() as usize - w[0].as_ptr() as usize;
            assert_eq!(gap, BufferSlab::<N>::STRIDE, "N {N}: buffers STRIDE apart");
        }
        // Free the middle one: it is handed out again, with the old bytes still there.
        let mid = guards.remove(count as usize / 2);
        let idx = mid.index();
        drop(mid);
        assert!(!pool.is_allocated(idx));
        let again = pool.allocate();
        assert_eq!(again.index(), idx);
        assert!(again.as_slice().iter().all(|&b| b == idx as u8 + 1));
        assert_eq!(pool.len(), count);
    }

    #[test]
    fn buffers_are_aligned_disjoint_and_reused() {
        check_pool::<1>(5);
        check_pool::<64>(5);
        check_pool::<100>(5);
        check_pool::<256>(5);
        check_pool::<4096>(4);
        check_pool::<5000>(3);
        check_pool::<65536>(if cfg!(miri) { 2 } else { 5 });
    }

    #[test]
    fn fresh_buffers_start_zeroed() {
        let pool = BufferSlab::<300>::new(0, 4).unwrap();
        let g = pool.allocate();
        assert!(g.as_slice().iter().all(|&b| b == 0));
    }

    #[test]
    fn full_pool_panics_naming_the_capacity() {
        let pool = BufferSlab::<64>::new(0, 2).unwrap();
        let _a = pool.allocate();
        let _b = pool.allocate();
        assert!(pool.try_allocate().is_none());
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            drop(pool.allocate());
        }))
        .unwrap_err();
        let msg = err.downcast_ref::<std::string::String>().unwrap();
        assert!(msg.contains("all 2 buffers"), "{msg}");
        assert!(msg.contains("BufferSlab<64>"), "{msg}");
        let debug = std::format!("{pool:?}");
        assert!(
            debug.contains("stride: 64") && debug.contains("len: 2"),
            "{debug}"
        );
        // Still usable after the panic.
        drop(_a);
        assert_eq!(pool.allocate().index(), 0);
    }

    #[test]
    fn zero_sized_buffers() {
        let pool = BufferSlab::<0>::new(0, 3).unwrap();
        let a = pool.allocate();
        let b = pool.allocate();
        assert!(a.as_slice().is_empty() && b.as_slice().is_empty());
        assert_eq!(b.index(), 1);
    }

    #[test]
    fn bad_capacities_are_errors() {
        assert!(matches!(
            BufferSlab::<64>::new(5, 4),
            Err(Error::InvalidCapacity {
                requested: 5,
                maximum: 4,
                ..
            })
        ));
        // A size that cannot be laid out is the size's fault, whatever the capacity.
        let max = BufferSlab::<0>::MAX_N;
        for cap in [0, 4] {
            let err = BufferSlab::<{ usize::MAX / 2 }>::new(0, cap).err().unwrap();
            assert_eq!(
                err,
                Error::ElementTooLarge {
                    size: usize::MAX / 2,
                    maximum: max
                }
            );
            assert!(err.to_string().contains("element of"), "{err}");
            assert!(matches!(
                BufferSlab::<{ usize::MAX }>::new(0, cap),
                Err(Error::ElementTooLarge {
                    size: usize::MAX,
                    ..
                })
            ));
        }
        // The largest size that lays out gets past the size check (the reservation of four
        // such buffers is then the OS's to refuse or the capacity check's to reject).
        assert!(!matches!(
            BufferSlab::<{ (isize::MAX as usize + 1) - 4096 }>::new(0, 4),
            Err(Error::ElementTooLarge { .. })
        ));
        // Capacity 0 is accepted: a pool that is always full.
        let empty = BufferSlab::<64>::new(0, 0).unwrap();
        assert!(empty.try_allocate().is_none());
    }

    #[test]
    fn shrink_keeps_buffers_in_use() {
        let n = if cfg!(miri) { 8 } else { 256 };
        let pool = BufferSlab::<4096>::new(0, n).unwrap();
        let mut guards: Vec<_> = (0..n).map(|_| pool.allocate()).collect();
        for (i, g) in guards.iter_mut().enumerate() {
            g.as_slice_mut().fill(i as u8);
        }
        let kept: Vec<_> = guards.drain(..).step_by(4).collect();
        pool.shrink();
        if let Some(pages) = pool.raw.resident_pages(0, usize::MAX) {
            assert_eq!(pages, kept.len(), "one page per buffer in use");
        }
        for g in &kept {
            assert!(g.as_slice().iter().all(|&b| b == g.index() as u8));
        }
        let again = pool.allocate();
        assert_eq!(again.index(), 1);
        assert_eq!(again.as_slice().len(), 4096);
    }
}

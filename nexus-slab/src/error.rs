//! The error types: [`Error`] for set-up failures, [`Full`] for a value that did not fit,
//! [`SlotsRemaining`] for a refused shutdown.

use core::fmt;

/// Why a slab or allocator could not be created or configured.
///
/// Every variant names what was asked for, so the message alone says what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The requested capacity cannot be honoured (for instance `initial > virtual`, or
    /// `capacity × size_of::<T>()` does not fit the address space).
    InvalidCapacity {
        /// What was wrong with it.
        reason: &'static str,
        /// The capacity asked for, in slots.
        requested: u64,
        /// The largest capacity that would have been accepted here, in slots.
        maximum: u64,
    },
    /// The operating system (or the global allocator) refused to reserve the memory.
    ReservationRefused {
        /// Bytes of address space requested.
        bytes: usize,
        /// The OS error number (`errno`), when the refusal came from a system call.
        os_error: Option<i32>,
    },
    /// The per-thread allocator was already initialized on this thread.
    AlreadyInitialized {
        /// The allocator's name (the first argument of `create_allocator!`).
        allocator: &'static str,
    },
    /// The allocator cannot be initialized because this thread is exiting: its thread-local
    /// destructors are running, and the hook that releases the memory has already run.
    ThreadExiting {
        /// The allocator's name.
        allocator: &'static str,
    },
    /// Locking the memory into RAM (`mlock`) was refused.
    MlockRefused {
        /// Bytes that were to be locked.
        bytes: usize,
        /// The OS error number (`errno`), or `None` when this build's backend cannot lock memory.
        os_error: Option<i32>,
    },
    /// A per-thread allocator's tier could not be entered in the span map through which
    /// other threads free its sendable slots: it lies at or above the 2⁴⁸ bytes of address
    /// space the map covers (no Linux on x86-64 or AArch64 maps there unless asked to), or
    /// the OS refused the map's own memory.
    SpanMapRefused {
        /// The tier's start address.
        address: usize,
        /// The tier's length in bytes.
        bytes: usize,
    },
    /// An element (a `BufferSlab`'s buffer) is too large to lay out: its size rounded up to
    /// its alignment would pass `isize::MAX`. The capacity is not what is wrong.
    ElementTooLarge {
        /// The element size asked for, in bytes.
        size: usize,
        /// The largest element size accepted, in bytes.
        maximum: usize,
    },
}

/// Writes `": <os error text>"` for an errno, or nothing.
fn write_os_error(f: &mut fmt::Formatter<'_>, os_error: Option<i32>) -> fmt::Result {
    match os_error {
        #[cfg(feature = "std")]
        Some(code) => write!(f, ": {}", std::io::Error::from_raw_os_error(code)),
        #[cfg(not(feature = "std"))]
        Some(code) => write!(f, ": os error {code}"),
        None => Ok(()),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::InvalidCapacity { reason, requested, maximum } => write!(
                f,
                "invalid capacity {requested} (at most {maximum} here): {reason}"
            ),
            Error::ReservationRefused { bytes, os_error } => {
                write!(f, "reserving {bytes} bytes of address space was refused")?;
                write_os_error(f, os_error)?;
                f.write_str("; ask for a smaller capacity")
            }
            Error::AlreadyInitialized { allocator } => write!(
                f,
                "allocator `{allocator}` is already initialized on this thread; call init() once per thread"
            ),
            Error::ThreadExiting { allocator } => write!(
                f,
                "allocator `{allocator}` cannot be initialized: this thread is exiting (its \
                 thread-local destructors are running and its release hook has run)"
            ),
            Error::MlockRefused { bytes, os_error: None } => write!(
                f,
                "locking {bytes} bytes was refused: this build's memory backend cannot lock memory \
                 (build for Linux with the `mmap` feature, or turn mlock off)"
            ),
            Error::MlockRefused { bytes, os_error } => {
                write!(f, "locking {bytes} bytes into RAM was refused")?;
                write_os_error(f, os_error)?;
                f.write_str("; raise RLIMIT_MEMLOCK (ulimit -l) or turn mlock off")
            }
            Error::SpanMapRefused { address, bytes } if address.checked_add(bytes).is_some_and(|end| end <= 1 << 48) => write!(
                f,
                "the span map that lets other threads free a per-thread allocator's slots could \
                 not enter {bytes} bytes at {address:#x}: the OS refused the map's memory"
            ),
            Error::SpanMapRefused { address, bytes } => write!(
                f,
                "the span map that lets other threads free a per-thread allocator's slots could \
                 not enter {bytes} bytes at {address:#x}: it covers addresses below 2^48 only"
            ),
            Error::ElementTooLarge { size, maximum } => write!(
                f,
                "an element of {size} bytes cannot be laid out (at most {maximum} bytes): \
                 rounded up to its alignment it would pass isize::MAX"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

/// A value that could not be inserted because the slab was full, handed back to the caller.
///
/// ```
/// use nexus_slab::{Full, HiSlab};
/// let slab = HiSlab::new(0, 1).unwrap();
/// slab.insert(String::from("first"));
/// let full = slab.try_insert(String::from("second")).unwrap_err();
/// assert_eq!(format!("{full:?}"), r#"Full("second")"#);
/// let Full(back) = full;
/// assert_eq!(back, "second");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Full<T>(pub T);

impl<T> Full<T> {
    /// The value that did not fit, handed back to the caller (the same as `.0`).
    #[inline]
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Shows the value handed back: `Full("second")`. (For a `T` without `Debug`, `unwrap` of a
/// `Result<_, Full<T>>` is not available; take the value with `unwrap_or_else`, `ok()` or a
/// `match`.)
impl<T: fmt::Debug> fmt::Debug for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Full").field(&self.0).finish()
    }
}

impl<T> fmt::Display for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the slab is full; the value was handed back")
    }
}

#[cfg(feature = "std")]
impl<T: fmt::Debug> std::error::Error for Full<T> {}

/// `shutdown` was refused because slots are still live; the allocator keeps working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SlotsRemaining {
    /// How many slots were live.
    pub count: u32,
    /// Of those, how many are sendable slots (`insert_send`) not yet freed: on this thread
    /// or out on others (slots freed on other threads are taken back before counting).
    pub sent: u32,
}

impl fmt::Display for SlotsRemaining {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} slot(s) are still live", self.count)?;
        if self.sent > 0 {
            write!(
                f,
                " ({} of them sendable, possibly on other threads)",
                self.sent
            )?;
        }
        f.write_str("; drop them before shutdown (the allocator keeps working)")
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SlotsRemaining {}

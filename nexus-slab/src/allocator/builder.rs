//! `init()` → [`Builder`] → [`BoundedBuilder`] / [`UnboundedBuilder`] → `build()`.

use super::{install, Allocator, Marks};
use crate::memory::MemOptions;
use crate::tiers::{TierConfig, DEFAULT_CHUNK_CAPACITY};
use crate::Error;
use core::marker::PhantomData;
/// Memory options shared by every builder.
#[derive(Debug, Clone, Copy, Default)]
struct Options {
    mem: MemOptions,
    prefault: bool,
    ahead: Option<usize>,
}

/// Adds the memory options to a builder type.
macro_rules! memory_options {
    ($ty:ident) => {
        impl<A: Allocator<V>, V> $ty<A, V> {
            /// Ask for transparent huge pages for the tiers of 4 MiB or more (Linux with
            /// `mmap`; best effort, silently declined where THP is off). Smaller tiers keep
            /// 4 KiB pages: a 2 MiB page would commit more than they may ever use. A huge
            /// page costs one fault of hundreds of microseconds when first touched, and tens
            /// of milliseconds when the kernel must compact memory to find one.
            pub fn huge_pages(mut self, on: bool) -> Self {
                self.opts.mem.huge_pages = on;
                self
            }

            /// Lock the memory into RAM as it is reserved (commits it). `build` panics and
            /// `try_build` errs if the OS refuses (see `ulimit -l`).
            pub fn mlock(mut self, on: bool) -> Self {
                self.opts.mem.mlock = on;
                self
            }

            /// Bytes of memory to commit ahead of the inserts; 0 turns it off. The default
            /// is 64 KiB for values of up to 64 bytes, where a batch serves at least 1,024
            /// inserts (at most 0.1% pay for one, so p99 and p99.9 stay flat), and off for
            /// larger ones, where a batch would serve fewer and its cost (about 70k cycles
            /// where measured, against 11k for one page fault) would land in the p99.9
            /// while clearing the p99. They are committed a batch at a time, when a word of 64 slots reaches
            /// past what is committed, on the path that takes a fresh bitmap word (never the
            /// insert's fast path): the inserts that reach them take no page fault, one
            /// insert in each batch pays for the batch (about 2 µs a page where measured),
            /// and at most one batch is committed beyond the highest slot in use. With
            /// `huge_pages(true)` a batch that reaches a new 2 MiB page commits the whole
            /// page: one fault of about 0.3 ms, and up to 16 ms when the kernel compacts
            /// memory first (measured on a virtual machine).
            pub fn populate_ahead(mut self, bytes: usize) -> Self {
                self.opts.ahead = Some(bytes);
                self
            }

            /// Commit the memory up front (the bounded capacity, or the unbounded `capacity`)
            /// so first uses take no page fault.
            pub fn prefault(mut self, on: bool) -> Self {
                self.opts.prefault = on;
                self
            }
        }
    };
}

/// Configures this thread's allocator; from the generated `init()`.
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     let builder: nums::Builder = nums::init();
///     builder.bounded(16).build();
///     assert_eq!(nums::capacity(), 16);
/// }
/// ```
#[must_use = "a builder does nothing until .bounded(n).build() or .unbounded().build()"]
pub struct Builder<A: Allocator<V>, V> {
    opts: Options,
    _a: Marks<A, V>,
}

impl<A: Allocator<V>, V> Builder<A, V> {
    /// Starts a configuration with every memory option off or at its default; the
    /// generated `init()` calls this.
    #[expect(
        clippy::new_without_default,
        reason = "reached through the generated init()"
    )]
    pub fn new() -> Self {
        Builder {
            opts: Options::default(),
            _a: PhantomData,
        }
    }

    /// A fixed capacity of `capacity` slots: one reservation, never grows.
    pub fn bounded(self, capacity: u32) -> BoundedBuilder<A, V> {
        BoundedBuilder {
            opts: self.opts,
            capacity,
            _a: PhantomData,
        }
    }

    /// Grows by tiers of doubling size (first tier: `chunk_capacity`, default
    /// [`DEFAULT_CHUNK_CAPACITY`]); never copies.
    pub fn unbounded(self) -> UnboundedBuilder<A, V> {
        UnboundedBuilder {
            opts: self.opts,
            chunk: DEFAULT_CHUNK_CAPACITY,
            capacity: 0,
            _a: PhantomData,
        }
    }
}

/// A bounded configuration; finish with [`build`](BoundedBuilder::build).
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().bounded(64).prefault(true).build();
///     assert_eq!((nums::capacity(), nums::stats().tiers), (64, 1));
///     assert!(nums::init().bounded(8).try_build().is_err()); // already initialized
/// }
/// ```
#[must_use = "call .build() to install the allocator"]
pub struct BoundedBuilder<A: Allocator<V>, V> {
    opts: Options,
    capacity: u32,
    _a: Marks<A, V>,
}

impl<A: Allocator<V>, V> BoundedBuilder<A, V> {
    /// Installs the allocator on this thread, or says why it cannot (already initialized,
    /// capacity 0 or too large, reservation or mlock refused).
    pub fn try_build(self) -> Result<(), Error> {
        let config = TierConfig {
            first: self.capacity,
            growable: false,
            initial: if self.opts.prefault { self.capacity } else { 0 },
            prefault: self.opts.prefault,
            mem: self.opts.mem,
            ahead: self.opts.ahead,
        };
        install::<A, V>(config)
    }

    /// Installs the allocator on this thread.
    ///
    /// # Panics
    /// With the reason `try_build` would return.
    #[track_caller]
    pub fn build(self) {
        let capacity = self.capacity;
        if let Err(e) = self.try_build() {
            panic!("{}::init().bounded({capacity}).build(): {e}", A::NAME)
        }
    }
}

/// An unbounded configuration; finish with [`build`](UnboundedBuilder::build).
///
/// ```
/// nexus_slab::create_allocator!(nums, u64);
///
/// fn main() {
///     nums::init().unbounded().chunk_capacity(16).capacity(40).build();
///     assert!(nums::capacity() >= 40); // tiers of 16, 32, ... reserved up front
///     let slots: Vec<_> = (0..100).map(nums::insert).collect(); // and more as it grows
///     assert_eq!(nums::len(), 100);
///     # drop(slots);
/// }
/// ```
#[must_use = "call .build() to install the allocator"]
pub struct UnboundedBuilder<A: Allocator<V>, V> {
    opts: Options,
    chunk: u32,
    capacity: u32,
    _a: Marks<A, V>,
}

impl<A: Allocator<V>, V> UnboundedBuilder<A, V> {
    /// Slots in the first tier (rounded up to a power of two; 1 ..= 2³¹); each next tier
    /// doubles.
    pub fn chunk_capacity(mut self, chunk: u32) -> Self {
        self.chunk = chunk;
        self
    }

    /// Reserve tiers for at least `capacity` slots now (pre-faulted with `prefault(true)`).
    pub fn capacity(mut self, capacity: u32) -> Self {
        self.capacity = capacity;
        self
    }

    /// Installs the allocator on this thread, or says why it cannot.
    pub fn try_build(self) -> Result<(), Error> {
        let config = TierConfig {
            first: self.chunk,
            growable: true,
            initial: self.capacity,
            prefault: self.opts.prefault,
            mem: self.opts.mem,
            ahead: self.opts.ahead,
        };
        install::<A, V>(config)
    }

    /// Installs the allocator on this thread.
    ///
    /// # Panics
    /// With the reason `try_build` would return.
    #[track_caller]
    pub fn build(self) {
        if let Err(e) = self.try_build() {
            panic!("{}::init().unbounded().build(): {e}", A::NAME)
        }
    }
}

memory_options!(Builder);
memory_options!(BoundedBuilder);
memory_options!(UnboundedBuilder);

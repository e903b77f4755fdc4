//! [`SendSlot`]: a per-thread allocator's slot that may be dropped on any thread, and
//! [`FreeBatch`]: many of them freed back to their owner with one compare-and-swap.

mod batch;

pub use batch::FreeBatch;

use crate::allocator::{send, Allocator, Marks};
use core::fmt;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;

/// A value in a slot of a per-thread allocator (`name::insert_send`), owned like a `Box`,
/// that can be sent to and dropped on another thread: 8 bytes, `Send` when the value is.
///
/// Dropped on the thread that inserted it (its owner), it frees as a [`Slot`] does (into
/// the owner's cache). Dropped anywhere else, the value is dropped there and the slot is
/// pushed onto the owner's remote-free list: one compare-and-swap, no lock, no allocation.
/// The owner takes the whole list back in one swap the next time its cached free slots run
/// out. If the owner's thread has exited, its memory stays until the last of its sendable
/// slots is freed, and that free releases it.
///
/// The value needs at least a pointer's size, 8 bytes on 64-bit targets (a freed slot holds
/// the list's link); `insert_send` of a smaller one fails the build (a post-monomorphization
/// error, so `cargo build` reports it and `cargo check` does not).
///
/// The owner's memory is released after its thread exits only if, by then, every live slot
/// is sendable: a plain `Slot` leaked (`Slot::leak` with its key never reclaimed,
/// `mem::forget`) keeps the memory for good, as it does without sendable slots.
///
/// ```
/// nexus_slab::create_allocator!(orders, [u64; 4]);
///
/// fn main() {
///     orders::init().bounded(1024).build();
///     let order = orders::insert_send([1, 2, 3, 4]);
///     assert_eq!(std::mem::size_of_val(&order), 8);
///     let total = std::thread::spawn(move || {
///         let total: u64 = order.iter().sum();
///         drop(order); // freed on another thread: back onto the owner's list
///         total
///     })
///     .join()
///     .unwrap();
///     assert_eq!(total, 10);
///     // The owner takes the slot back when it needs one (here, in `len`).
///     assert_eq!(orders::len(), 0);
/// }
/// ```
///
/// [`Slot`]: crate::slot::Slot
pub struct SendSlot<A: Allocator<V>, V> {
    ptr: NonNull<V>,
    _owns: PhantomData<V>,
    _marks: Marks<A, V>,
}

// SAFETY: the handle owns its value (sent with it, so `V: Send`) and its slot, whose memory
// stays until the handle frees it from whichever thread (the owner's store outlives its
// thread while sendable slots are out); freeing from another thread goes through the owner's
// lock-free list.
unsafe impl<A: Allocator<V>, V: Send> Send for SendSlot<A, V> {}

// SAFETY: `&SendSlot` only gives `&V`.
unsafe impl<A: Allocator<V>, V: Sync> Sync for SendSlot<A, V> {}

impl<A: Allocator<V>, V> SendSlot<A, V> {
    /// Wraps an occupied slot.
    ///
    /// # Safety
    /// `ptr` is an occupied slot of `A`'s store on this thread, holding an initialized
    /// value, counted as sent (`send::insert`), and owned by nothing else.
    #[inline(always)]
    pub(crate) unsafe fn from_raw(ptr: NonNull<V>) -> Self {
        SendSlot {
            ptr,
            _owns: PhantomData,
            _marks: PhantomData,
        }
    }

    /// A shared reference to the value (what `*slot` gives).
    ///
    /// ```
    /// nexus_slab::create_allocator!(nums, u64);
    ///
    /// fn main() {
    ///     nums::init().bounded(4).build();
    ///     assert_eq!(*nums::insert_send(7).get(), 7);
    /// }
    /// ```
    #[inline(always)]
    pub fn get(&self) -> &V {
        // SAFETY: initialized and owned by `self`; the memory outlives the handle.
        unsafe { self.ptr.as_ref() }
    }

    /// A mutable reference to the value.
    ///
    /// ```
    /// nexus_slab::create_allocator!(nums, u64);
    ///
    /// fn main() {
    ///     nums::init().bounded(4).build();
    ///     let mut slot = nums::insert_send(7);
    ///     *slot.get_mut() += 1;
    ///     assert_eq!(*slot, 8);
    /// }
    /// ```
    #[inline(always)]
    pub fn get_mut(&mut self) -> &mut V {
        // SAFETY: as in `get`, and `&mut self` makes it unique.
        unsafe { self.ptr.as_mut() }
    }

    /// The value's address (stable for the handle's life).
    ///
    /// ```
    /// nexus_slab::create_allocator!(nums, u64);
    ///
    /// fn main() {
    ///     nums::init().bounded(4).build();
    ///     let slot = nums::insert_send(7);
    ///     assert_eq!(slot.as_ptr().cast_const(), &*slot as *const u64);
    /// }
    /// ```
    #[inline(always)]
    pub fn as_ptr(&self) -> *mut V {
        self.ptr.as_ptr()
    }

    /// Moves the value out and frees the slot (on this thread or back to its owner).
    ///
    /// ```
    /// nexus_slab::create_allocator!(names, String);
    ///
    /// fn main() {
    ///     names::init().bounded(4).build();
    ///     let slot = names::insert_send(String::from("bid"));
    ///     let name = std::thread::spawn(move || slot.into_inner()).join().unwrap();
    ///     assert_eq!((name.as_str(), names::len()), ("bid", 0));
    /// }
    /// ```
    pub fn into_inner(self) -> V {
        let this = ManuallyDrop::new(self);
        // SAFETY: initialized and owned by `this`, read once; the slot is freed right after
        // and the handle is never dropped.
        let value = unsafe { this.ptr.as_ptr().read() };
        // SAFETY: a sent slot of `A` whose value was moved out, freed once.
        unsafe { send::free::<A, V>(this.ptr) };
        value
    }
}

impl<A: Allocator<V>, V> SendSlot<A, V> {
    /// Gives up the handle without dropping or freeing: the slot's address (for
    /// [`FreeBatch`], which drops the value and frees the slot itself).
    fn into_raw(self) -> NonNull<V> {
        ManuallyDrop::new(self).ptr
    }
}

/// Frees the slot after the value's destructor, even if that panics.
pub(crate) struct Free<A: Allocator<V>, V>(pub(crate) NonNull<V>, pub(crate) Marks<A, V>);

impl<A: Allocator<V>, V> Drop for Free<A, V> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: the slot of a `SendSlot` being dropped, its value gone: freed once.
        unsafe { send::free::<A, V>(self.0) }
    }
}

impl<A: Allocator<V>, V> Drop for SendSlot<A, V> {
    #[inline(always)]
    fn drop(&mut self) {
        let _free = Free::<A, V>(self.ptr, PhantomData);
        // SAFETY: initialized and owned by `self`; dropped exactly once, before the guard
        // frees the slot.
        unsafe { self.ptr.as_ptr().drop_in_place() }
    }
}

impl<A: Allocator<V>, V> Deref for SendSlot<A, V> {
    type Target = V;
    #[inline(always)]
    fn deref(&self) -> &V {
        self.get()
    }
}

impl<A: Allocator<V>, V> DerefMut for SendSlot<A, V> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut V {
        self.get_mut()
    }
}

impl<A: Allocator<V>, V> AsRef<V> for SendSlot<A, V> {
    fn as_ref(&self) -> &V {
        self.get()
    }
}

impl<A: Allocator<V>, V> AsMut<V> for SendSlot<A, V> {
    fn as_mut(&mut self) -> &mut V {
        self.get_mut()
    }
}

impl<A: Allocator<V>, V: fmt::Debug> fmt::Debug for SendSlot<A, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SendSlot").field(self.get()).finish()
    }
}

//! Iterators over a [`HiSlab`]: word at a time, skipping empty regions through the bitmap's
//! `live` summaries.

use super::HiSlab;
use crate::bitmap::Cursor;
use core::iter::FusedIterator;
use core::marker::PhantomData;

/// `(index, &T)` in index order; see [`HiSlab::iter`].
///
/// Not an `ExactSizeIterator`: `insert` takes `&self`, so values may be added while it runs.
///
/// ```
/// let slab: nexus_slab::HiSlab<char> = "abc".chars().collect();
/// let mut it = slab.iter();
/// assert_eq!(it.next(), Some((0, &'a')));
/// assert_eq!(it.next_back(), Some((2, &'c'))); // from both ends
/// assert_eq!(it.next(), Some((1, &'b')));
/// assert_eq!(it.next(), None);
/// ```
pub struct Iter<'a, T> {
    slab: &'a HiSlab<T>,
    cursor: Cursor,
    /// One past the last index the front has yielded.
    front: u32,
    /// The lowest index the back has yielded (the capacity before): the front stops there.
    back: u32,
}

impl<'a, T> Iter<'a, T> {
    pub(super) fn new(slab: &'a HiSlab<T>) -> Self {
        slab.settle();
        Iter {
            slab,
            cursor: Cursor::new(),
            front: 0,
            back: slab.capacity(),
        }
    }
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = (u32, &'a T);

    #[inline]
    fn next(&mut self) -> Option<(u32, &'a T)> {
        let idx = self.cursor.next(self.slab.raw.bitmap())?;
        if idx >= self.back {
            self.front = self.back;
            return None;
        }
        self.front = idx + 1;
        // SAFETY: the bit was set when its word was loaded, and only `&mut self` methods can
        // clear it, which the shared borrow `'a` excludes: the slot is live and initialized.
        Some((idx, unsafe { &*self.slab.slot(idx) }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.slab.capacity() as usize))
    }
}

impl<'a, T> DoubleEndedIterator for Iter<'a, T> {
    /// The highest live index not yet yielded from either end.
    #[inline]
    fn next_back(&mut self) -> Option<(u32, &'a T)> {
        let idx = self.slab.raw.prev_occupied_below(self.back)?;
        if idx < self.front {
            return None;
        }
        self.back = idx;
        // SAFETY: as in `next`: occupied, and no slot is freed while `'a` lasts.
        Some((idx, unsafe { &*self.slab.slot(idx) }))
    }
}

impl<T> FusedIterator for Iter<'_, T> {}

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Iter {
            slab: self.slab,
            cursor: self.cursor.clone(),
            front: self.front,
            back: self.back,
        }
    }
}

/// `(index, &mut T)` in index order; see [`HiSlab::iter_mut`].
///
/// ```
/// let mut slab: nexus_slab::HiSlab<u32> = (0..3).collect();
/// for (_, v) in &mut slab {
///     *v *= 2;
/// }
/// assert_eq!(slab.iter_mut().rev().map(|(_, v)| *v).collect::<Vec<_>>(), [4, 2, 0]);
/// ```
pub struct IterMut<'a, T> {
    slab: *const HiSlab<T>,
    cursor: Cursor,
    /// The lowest index the back has yielded (the capacity before).
    back: u32,
    /// Values not yet yielded from either end: the two ends meet when it reaches 0.
    remaining: usize,
    _borrow: PhantomData<&'a mut HiSlab<T>>,
}

impl<'a, T> IterMut<'a, T> {
    pub(super) fn new(slab: &'a mut HiSlab<T>) -> Self {
        slab.settle();
        let remaining = slab.len() as usize;
        IterMut {
            back: slab.capacity(),
            slab,
            cursor: Cursor::new(),
            remaining,
            _borrow: PhantomData,
        }
    }
}

impl<'a, T> Iterator for IterMut<'a, T> {
    type Item = (u32, &'a mut T);

    #[inline]
    fn next(&mut self) -> Option<(u32, &'a mut T)> {
        // SAFETY: `slab` came from a `&'a mut HiSlab` that this iterator holds exclusively;
        // reading the bitmap through a shared view does not overlap any `&mut T` handed out
        // (values and bitmap are separate memory).
        let slab = unsafe { &*self.slab };
        if self.remaining == 0 {
            return None;
        }
        let idx = self.cursor.next(slab.raw.bitmap())?;
        self.remaining -= 1;
        // SAFETY: the slot is occupied; each index is yielded once, so the `&mut T`s are
        // disjoint; the pointer carries the region's provenance, not a shared reference's.
        Some((idx, unsafe { &mut *slab.slot(idx) }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<'a, T> DoubleEndedIterator for IterMut<'a, T> {
    #[inline]
    fn next_back(&mut self) -> Option<(u32, &'a mut T)> {
        if self.remaining == 0 {
            return None;
        }
        // SAFETY: as in `next`.
        let slab = unsafe { &*self.slab };
        let idx = slab.raw.prev_occupied_below(self.back)?;
        self.back = idx;
        self.remaining -= 1;
        // SAFETY: as in `next`: occupied, and not yet yielded by either end (`remaining`
        // counts exactly those, and each end takes the nearest one), so disjoint.
        Some((idx, unsafe { &mut *slab.slot(idx) }))
    }
}

impl<T> ExactSizeIterator for IterMut<'_, T> {}
impl<T> FusedIterator for IterMut<'_, T> {}

/// Owned `(index, T)` in index order; see `HiSlab::into_iter`. Values not taken are dropped
/// with the iterator.
///
/// ```
/// let mut slab: nexus_slab::HiSlab<String> = ["a", "b", "c"].map(String::from).into_iter().collect();
/// slab.remove(1);
/// let owned: Vec<(u32, String)> = slab.into_iter().collect();
/// assert_eq!(owned, [(0, "a".to_string()), (2, "c".to_string())]);
/// ```
pub struct IntoIter<T> {
    slab: HiSlab<T>,
    at: u32,
    /// The lowest index taken from the back (the capacity before).
    back: u32,
}

impl<T> IntoIter<T> {
    pub(super) fn new(slab: HiSlab<T>) -> Self {
        // Its own removes may make a slot behind `at` hot: the walk never returns there.
        slab.settle();
        let back = slab.capacity();
        IntoIter { slab, at: 0, back }
    }
}

impl<T> Iterator for IntoIter<T> {
    type Item = (u32, T);

    #[inline]
    fn next(&mut self) -> Option<(u32, T)> {
        take_front(&mut self.slab, &mut self.at, self.back)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.slab.len() as usize;
        (n, Some(n))
    }
}

impl<T> DoubleEndedIterator for IntoIter<T> {
    #[inline]
    fn next_back(&mut self) -> Option<(u32, T)> {
        take_back(&mut self.slab, self.at, &mut self.back)
    }
}

impl<T> ExactSizeIterator for IntoIter<T> {}
impl<T> FusedIterator for IntoIter<T> {}

/// `(index, T)` in index order, removed from the slab; see [`HiSlab::drain`].
pub struct Drain<'a, T> {
    slab: &'a mut HiSlab<T>,
    at: u32,
    /// The lowest index taken from the back (the capacity before).
    back: u32,
}

impl<'a, T> Drain<'a, T> {
    pub(super) fn new(slab: &'a mut HiSlab<T>) -> Self {
        // Its own removes may make a slot behind `at` hot: the walk never returns there.
        slab.settle();
        let back = slab.capacity();
        Drain { slab, at: 0, back }
    }
}

impl<T> Iterator for Drain<'_, T> {
    type Item = (u32, T);

    #[inline]
    fn next(&mut self) -> Option<(u32, T)> {
        take_front(self.slab, &mut self.at, self.back)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.slab.len() as usize;
        (n, Some(n))
    }
}

impl<T> Drop for Drain<'_, T> {
    fn drop(&mut self) {
        self.for_each(drop);
    }
}

impl<T> DoubleEndedIterator for Drain<'_, T> {
    #[inline]
    fn next_back(&mut self) -> Option<(u32, T)> {
        take_back(self.slab, self.at, &mut self.back)
    }
}

impl<T> ExactSizeIterator for Drain<'_, T> {}
impl<T> FusedIterator for Drain<'_, T> {}

/// Removes the lowest live value in `[*at, back)` and moves `*at` past it. The removal may
/// keep the slot hot (its bit set): below `*at`, where neither end looks again.
#[inline]
fn take_front<T>(slab: &mut HiSlab<T>, at: &mut u32, back: u32) -> Option<(u32, T)> {
    let idx = slab.raw.next_occupied(*at).filter(|&i| i < back)?;
    // Indices are below the capacity, at most `u32::MAX`: `idx + 1` cannot overflow.
    *at = idx + 1;
    Some((idx, slab.remove(idx)?))
}

/// Removes the highest live value in `[at, *back)` and moves `*back` down to it. A slot the
/// removal keeps hot is `*back` itself, or one below `at`, which neither end looks at again.
#[inline]
fn take_back<T>(slab: &mut HiSlab<T>, at: u32, back: &mut u32) -> Option<(u32, T)> {
    let idx = slab.raw.prev_occupied_below(*back).filter(|&i| i >= at)?;
    *back = idx;
    Some((idx, slab.remove(idx)?))
}

//! Iterators over the tagged elements of a [`TaggedHiSlab`]: they walk the tag bitmap word
//! at a time, skipping untagged regions through its `live` summaries.

use super::TaggedHiSlab;
use crate::bitmap::Cursor;
use core::iter::FusedIterator;
use core::marker::PhantomData;

/// `(index, &T)` over the tagged elements in index order; see [`TaggedHiSlab::iter_tagged`].
///
/// ```
/// let slab = nexus_slab::TaggedHiSlab::new(0, 16).unwrap();
/// slab.insert('a');
/// let b = slab.insert_tagged('b');
/// let tagged: Vec<_> = slab.iter_tagged().collect();
/// assert_eq!(tagged, [(b, &'b')]);
/// ```
pub struct IterTagged<'a, T> {
    slab: &'a TaggedHiSlab<T>,
    cursor: Cursor,
}

impl<'a, T> IterTagged<'a, T> {
    pub(super) fn new(slab: &'a TaggedHiSlab<T>) -> Self {
        IterTagged {
            slab,
            cursor: Cursor::new(),
        }
    }
}

impl<'a, T> Iterator for IterTagged<'a, T> {
    type Item = (u32, &'a T);

    #[inline]
    fn next(&mut self) -> Option<(u32, &'a T)> {
        let idx = self.cursor.next(self.slab.tags())?;
        // SAFETY: the tag bit was set when its word was loaded, so the element was live
        // (tags ⊆ live); only `&mut self` methods remove elements, which the shared borrow
        // `'a` excludes: the slot is live and initialized.
        Some((idx, unsafe { &*self.slab.slab().slot(idx) }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.slab.capacity() as usize))
    }
}

impl<T> FusedIterator for IterTagged<'_, T> {}

/// `(index, &mut T)` over the tagged elements in index order; see
/// [`TaggedHiSlab::iter_tagged_mut`].
///
/// ```
/// let mut slab = nexus_slab::TaggedHiSlab::new(0, 16).unwrap();
/// let a = slab.insert(1);
/// let b = slab.insert_tagged(2);
/// for (_, v) in slab.iter_tagged_mut() {
///     *v *= 10;
/// }
/// assert_eq!((slab[a], slab[b]), (1, 20));
/// ```
pub struct IterTaggedMut<'a, T> {
    slab: *const TaggedHiSlab<T>,
    cursor: Cursor,
    remaining: usize,
    _borrow: PhantomData<&'a mut TaggedHiSlab<T>>,
}

impl<'a, T> IterTaggedMut<'a, T> {
    pub(super) fn new(slab: &'a mut TaggedHiSlab<T>) -> Self {
        let remaining = slab.tagged_len() as usize;
        IterTaggedMut {
            slab,
            cursor: Cursor::new(),
            remaining,
            _borrow: PhantomData,
        }
    }
}

impl<'a, T> Iterator for IterTaggedMut<'a, T> {
    type Item = (u32, &'a mut T);

    #[inline]
    fn next(&mut self) -> Option<(u32, &'a mut T)> {
        // SAFETY: `slab` came from a `&'a mut TaggedHiSlab` that this iterator holds
        // exclusively; reading the bitmaps through a shared view does not overlap any `&mut T`
        // handed out (values and bitmaps are separate memory).
        let slab = unsafe { &*self.slab };
        let idx = self.cursor.next(slab.tags())?;
        self.remaining -= 1;
        // SAFETY: tagged implies live; each index is yielded once, so the `&mut T`s are
        // disjoint; the pointer carries the value region's provenance, not a shared
        // reference's.
        Some((idx, unsafe { &mut *slab.slab().slot(idx) }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T> ExactSizeIterator for IterTaggedMut<'_, T> {}
impl<T> FusedIterator for IterTaggedMut<'_, T> {}

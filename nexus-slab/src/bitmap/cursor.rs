//! [`Cursor`]: a walk over the set bits of a bitmap's level-0 words, in index order; the
//! iterators of `HiSlab` and `TaggedHiSlab` (its tag bitmap too) stand on it.

use super::Bitmap;

/// Walks the set bits of the level-0 words in order. Holds no borrow: the typed iterators
/// around it do. (Also walks the tag bitmap of a `TaggedHiSlab`.)
#[derive(Clone)]
pub(crate) struct Cursor {
    /// Next word to load.
    next_word: usize,
    /// Index of bit 0 of `bits`.
    base: usize,
    /// Bits of the current word not yet yielded.
    bits: u64,
}

impl Cursor {
    pub(crate) const fn new() -> Cursor {
        Cursor {
            next_word: 0,
            base: 0,
            bits: 0,
        }
    }

    /// The next set bit of `map` at or after the position reached, in index order.
    #[inline]
    pub(crate) fn next(&mut self, map: &Bitmap) -> Option<u32> {
        while self.bits == 0 {
            let Some(w) = map.next_nonempty_word(self.next_word) else {
                // Stay exhausted even if values are inserted later (`FusedIterator`).
                self.next_word = usize::MAX;
                return None;
            };
            self.next_word = w + 1;
            self.base = w * 64;
            // SAFETY: `next_nonempty_word` returns words in range.
            self.bits = unsafe { map.word(w) };
        }
        let b = self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some((self.base + b) as u32)
    }
}

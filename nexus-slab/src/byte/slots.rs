//! [`PageSlots`]: the occupancy bitmap of one class page — the foundation bitmap's two lowest
//! levels, fixed at 512 slots.
//!
//! A page holds at most `4096 / 8 = 512` slots, so the hierarchy is always exactly two levels:
//! eight occupancy words and one summary word whose bit `w` says "word `w` is all ones". Same
//! conventions as the crate's `Bitmap` (1 = occupied, padding counts as occupied, search the
//! summary then the word), but stored inline in the page descriptor: the general `Bitmap`
//! keeps six level pointers, a hint and its storage handle (about 200 bytes) to index at most
//! 72 bytes of bits, once per 4 KiB page. The page pool, whose size is the region's, does use
//! the general `Bitmap` (built in place over the region's metadata).

const ALL: u64 = u64::MAX;

/// Most slots a page can hold (the 8-byte class).
pub(crate) const MAX_SLOTS: usize = 512;
const WORDS: usize = MAX_SLOTS / 64;

/// Occupancy of the slots of one class page.
///
/// Invariants (from [`PageSlots::empty`] on):
/// - bit `i % 64` of `occ[i / 64]` is set ⇔ slot `i` is handed out, for `i < slots`;
///   bits at or past `slots` are set (padding), so they are never found free;
/// - bit `w` of `full` is set ⇔ `occ[w] == ALL`; bits `w >= WORDS` are set. So the page is
///   full ⇔ `full == ALL`.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct PageSlots {
    occ: [u64; WORDS],
    full: u64,
}

impl PageSlots {
    /// All-occupied: the state of a descriptor whose page is not a class page.
    pub(crate) const FULL: PageSlots = PageSlots {
        occ: [ALL; WORDS],
        full: ALL,
    };

    /// All of `slots` (`1..=MAX_SLOTS`) free, the rest padding.
    pub(crate) const fn empty(slots: usize) -> PageSlots {
        let mut s = PageSlots::FULL;
        let mut w = 0;
        while w < WORDS {
            let first = w * 64;
            if first < slots {
                s.occ[w] = if slots - first >= 64 {
                    0
                } else {
                    ALL << (slots - first)
                };
                s.full &= !(1 << w);
            }
            w += 1;
        }
        s
    }

    /// `true` when every slot is handed out.
    #[inline(always)]
    pub(crate) fn is_full(&self) -> bool {
        self.full == ALL
    }

    /// Marks the lowest free slot occupied and returns it. The page must not be full.
    #[inline(always)]
    pub(crate) fn take(&mut self) -> usize {
        debug_assert!(!self.is_full());
        let w = (!self.full).trailing_zeros() as usize;
        // `full` bit `w` clear ⇒ `w < WORDS` (padding bits are set) and `occ[w] != ALL`.
        let word = self.occ[w];
        let bit = (!word).trailing_zeros() as usize;
        let new = word | (1 << bit);
        self.occ[w] = new;
        if new == ALL {
            self.full |= 1 << w;
        }
        w * 64 + bit
    }

    /// Frees slot `i` (`i < slots`). Returns `false`, changing nothing, if it was free.
    #[inline(always)]
    pub(crate) fn give_back(&mut self, i: usize) -> bool {
        debug_assert!(i < MAX_SLOTS);
        let (w, mask) = (i / 64, 1u64 << (i % 64));
        let word = self.occ[w];
        if word & mask == 0 {
            return false;
        }
        self.occ[w] = word & !mask;
        self.full &= !(1 << w);
        true
    }

    /// `true` if slot `i` is handed out.
    #[cfg(test)]
    pub(crate) fn contains(&self, i: usize) -> bool {
        self.occ[i / 64] & (1 << (i % 64)) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_lowest_first_and_refills_freed_slots() {
        for slots in [1, 2, 3, 63, 64, 65, 85, 128, 341, 512] {
            let mut s = PageSlots::empty(slots);
            for i in 0..slots {
                assert!(!s.is_full(), "slots {slots}");
                assert_eq!(s.take(), i);
            }
            assert!(s.is_full());
            assert!(s.give_back(slots / 2));
            assert!(!s.give_back(slots / 2), "double free must be refused");
            assert!(!s.contains(slots / 2));
            assert_eq!(s.take(), slots / 2);
            assert!(s.is_full());
            for i in 0..slots {
                assert!(s.give_back(i));
            }
            assert_eq!(s.take(), 0);
        }
    }
}

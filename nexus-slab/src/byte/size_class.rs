//! Size classes: which slot size serves a small request, how many slots a class page holds,
//! and slot index ↔ page offset without a division.
//!
//! Classes run every 8 bytes from 8 to 128, then four per doubling (×1.25, ×1.5, ×1.75, ×2)
//! up to [`PAGE_SIZE`]: 36 classes.
//!
//! Internal waste (`slot − request`, over the slot): under 25% for every request of more than
//! 24 bytes (the worst is 25 → 32, 21.9%, and 129 → 160, 19.4%); below that the 8-byte granule
//! bounds it to 7 bytes (9 → 16, 17 → 24). Every slot size is a multiple of 8, so every slot of
//! a page-aligned class page is 8-aligned; a larger power-of-two alignment is met by taking the
//! first class at least as large whose size is a multiple of it (the powers of two 16 … 4096 are
//! all classes, so one always exists up to the page size).

use super::pages::PAGE_SIZE;
use super::slots::PageSlots;
use core::alloc::Layout;

/// Number of size classes.
pub(crate) const CLASSES: usize = 36;

/// The largest request served by a class; larger ones take whole pages.
pub(crate) const MAX_SMALL: usize = PAGE_SIZE;

/// Slot size of each class, ascending.
pub(crate) const CLASS_SIZE: [usize; CLASSES] = class_sizes();

/// Class of a request of `8g − 7 ..= 8g` bytes, at index `g` (`g` in `1..=512`; index 0 is
/// unused: zero-sized requests never reach a class).
static CLASS_OF_GRANULE: [u8; MAX_SMALL / 8 + 1] = class_of_granule();

/// `⌈2³² / size⌉` per class: `(offset × RECIPROCAL) >> 32 == offset / size` exactly for every
/// `offset < PAGE_SIZE` (the rounding error is below `size`, and `offset × size < 2³²`).
static RECIPROCAL: [u64; CLASSES] = reciprocals();

/// A class page with every slot free, per class: copied into a descriptor when a page joins
/// the class.
pub(crate) static EMPTY_PAGE: [PageSlots; CLASSES] = empty_pages();

const fn empty_pages() -> [PageSlots; CLASSES] {
    let sizes = class_sizes();
    let mut pages = [PageSlots::FULL; CLASSES];
    let mut c = 0;
    while c < CLASSES {
        pages[c] = PageSlots::empty(PAGE_SIZE / sizes[c]);
        c += 1;
    }
    pages
}

const fn class_sizes() -> [usize; CLASSES] {
    let mut sizes = [0; CLASSES];
    let mut i = 0;
    while i < 16 {
        sizes[i] = 8 * (i + 1);
        i += 1;
    }
    let mut base = 128;
    while i < CLASSES {
        let mut q = 5;
        while q <= 8 {
            sizes[i] = base * q / 4;
            i += 1;
            q += 1;
        }
        base *= 2;
    }
    sizes
}

const fn class_of_granule() -> [u8; MAX_SMALL / 8 + 1] {
    let sizes = class_sizes();
    let mut table = [0u8; MAX_SMALL / 8 + 1];
    let mut g = 1;
    let mut c = 0;
    while g < table.len() {
        while sizes[c] < g * 8 {
            c += 1;
        }
        table[g] = c as u8;
        g += 1;
    }
    table
}

const fn reciprocals() -> [u64; CLASSES] {
    let sizes = class_sizes();
    let mut r = [0u64; CLASSES];
    let mut c = 0;
    while c < CLASSES {
        r[c] = (1u64 << 32).div_ceil(sizes[c] as u64);
        c += 1;
    }
    r
}

/// The class serving `layout`, or `None` when it needs whole pages (more than [`MAX_SMALL`]
/// bytes, or an alignment above the page size). `layout.size()` must be non-zero.
///
/// A pure function of the layout: `dealloc` recomputes it and must land on the same class.
#[inline]
pub(crate) fn class_of(layout: Layout) -> Option<usize> {
    let size = layout.size();
    debug_assert!(size != 0);
    if size > MAX_SMALL {
        return None;
    }
    let class = CLASS_OF_GRANULE[size.div_ceil(8)] as usize;
    if layout.align() <= 8 {
        return Some(class);
    }
    aligned_class(class, layout.align())
}

/// The class of a request of `size` bytes, `1..=MAX_SMALL`, aligned to at most 8: one load.
#[inline(always)]
pub(crate) fn class_of_small(size: usize) -> usize {
    debug_assert!((1..=MAX_SMALL).contains(&size));
    CLASS_OF_GRANULE[size.div_ceil(8)] as usize
}

/// First class from `class` up whose slot size is a multiple of `align`.
#[inline(never)]
fn aligned_class(class: usize, align: usize) -> Option<usize> {
    if align > PAGE_SIZE {
        return None;
    }
    (class..CLASSES).find(|&c| CLASS_SIZE[c] % align == 0)
}

/// Slots of `class` in one page.
#[cfg(test)]
pub(crate) fn slots_per_page(class: usize) -> usize {
    PAGE_SIZE / CLASS_SIZE[class]
}

/// `offset / CLASS_SIZE[class]` for `offset < PAGE_SIZE`, by multiplication.
#[inline(always)]
pub(crate) fn slot_index(class: usize, offset: usize) -> usize {
    debug_assert!(offset < PAGE_SIZE);
    ((offset as u64 * RECIPROCAL[class]) >> 32) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_ascend_in_8s_and_cover_the_small_range() {
        assert_eq!(CLASS_SIZE[0], 8);
        assert_eq!(CLASS_SIZE[CLASSES - 1], MAX_SMALL);
        for w in CLASS_SIZE.windows(2) {
            assert!(w[0] < w[1] && w[1] % 8 == 0, "{w:?}");
        }
    }

    #[test]
    fn every_request_gets_the_smallest_fitting_class_and_waste_is_bounded() {
        for size in 1..=MAX_SMALL {
            let c = class_of(Layout::from_size_align(size, 1).unwrap()).unwrap();
            assert!(CLASS_SIZE[c] >= size, "size {size}");
            assert!(c == 0 || CLASS_SIZE[c - 1] < size, "size {size}");
            let waste = CLASS_SIZE[c] - size;
            if size > 24 {
                assert!(4 * waste < CLASS_SIZE[c], "size {size}: waste {waste}");
            } else {
                assert!(waste < 8, "size {size}: waste {waste}");
            }
        }
    }

    #[test]
    fn alignment_picks_a_class_of_aligned_slots() {
        for align_log in 0..=12 {
            let align = 1usize << align_log;
            for size in (1..=MAX_SMALL).step_by(if cfg!(miri) { 61 } else { 1 }) {
                let layout = Layout::from_size_align(size, align).unwrap();
                let c = class_of(layout).unwrap();
                assert!(CLASS_SIZE[c] >= size);
                assert_eq!(CLASS_SIZE[c] % align.max(8), 0, "{layout:?}");
            }
        }
        let big = Layout::from_size_align(64, 2 * PAGE_SIZE).unwrap();
        assert_eq!(class_of(big), None);
        assert_eq!(class_of(Layout::new::<[u8; MAX_SMALL + 1]>()), None);
    }

    #[test]
    fn slot_index_is_exact_division() {
        for (c, &size) in CLASS_SIZE.iter().enumerate() {
            // Every offset natively; under Miri a prime stride still crosses every slot.
            for offset in (0..PAGE_SIZE).step_by(if cfg!(miri) { 7 } else { 1 }) {
                assert_eq!(slot_index(c, offset), offset / size, "class {c}");
            }
        }
    }
}

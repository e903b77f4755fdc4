//! The span map: which owner's tier holds an address, for a free on another thread.
//!
//! Address space is cut into 1 MiB granules; a two-level table (the top level static, a
//! leaf of 65,536 entries per 64 GiB of address space, made on first use and kept for the
//! life of the process) holds, per granule, the [`Remote`] whose tier covers it. Per-thread
//! tiers are reserved aligned to a granule ([`GRANULE`]), so a granule belongs to one tier
//! at most and a tier's entries are its own. A lookup is two dependent loads.
//!
//! The granule is a trade: every tier touches at least one page of a leaf, and tiers near
//! each other in address space share it (one page covers 512 MiB here; with 64 KiB
//! granules each of an unbounded allocator's tiers touched a page of its own, 0.04 bytes per
//! live value in the memory workload). The alignment costs address space only with `mmap`
//! (the slack is never touched); with the `std::alloc` backend it is the allocator's.
//!
//! Lifetime: a tier's entries are written when its owner registers it (before any slot of
//! it can be sent) and cleared before its memory is released (after the last slot is
//! freed), so a lookup of a live slot's address always finds that slot's owner.
//!
//! Addresses up to 2⁴⁸ are covered: what x86-64 and AArch64 Linux hand out unless asked
//! for more. A tier above that cannot be registered (an error, never a wrong owner).

use super::Remote;
use crate::memory::{MemOptions, Region};
use crate::Error;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicPtr, Ordering};

/// Bytes per granule: the alignment of every per-thread tier.
pub(crate) const GRANULE: usize = 1 << GRANULE_SHIFT;
const GRANULE_SHIFT: u32 = 20;
const LEAF_BITS: u32 = 16;
const TOP_BITS: u32 = 48 - GRANULE_SHIFT - LEAF_BITS;

struct Leaf([AtomicPtr<Remote>; 1 << LEAF_BITS]);

static TOP: [AtomicPtr<Leaf>; 1 << TOP_BITS] =
    [const { AtomicPtr::new(ptr::null_mut()) }; 1 << TOP_BITS];

/// The (top, leaf) position of `addr`'s granule; `None` above 2⁴⁸.
fn position(addr: usize) -> Option<(usize, usize)> {
    let granule = addr >> GRANULE_SHIFT;
    let top = granule >> LEAF_BITS;
    (top < 1 << TOP_BITS).then_some((top, granule & ((1 << LEAF_BITS) - 1)))
}

/// The leaf at `top`, made if missing; `None` if the OS refuses one. Leaves are reserved
/// like tiers (`memory::Region`: on Linux an untouched mapping, committed a page at a time as
/// entries are written), not from the global allocator, whose accounting they would skew
/// for good: they are kept for the life of the process.
fn leaf(top: usize) -> Option<&'static Leaf> {
    let slot = &TOP[top];
    let mut leaf = slot.load(Ordering::Acquire);
    if leaf.is_null() {
        let region =
            Region::reserve(size_of::<Leaf>(), align_of::<Leaf>(), MemOptions::default()).ok()?;
        let fresh = region.as_ptr().cast::<Leaf>();
        match slot.compare_exchange(ptr::null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => {
                // Published: kept for the life of the process.
                core::mem::forget(region);
                leaf = fresh;
            }
            // Another thread's leaf is there: ours is released (`region` drops).
            Err(won) => leaf = won,
        }
    }
    // SAFETY: a published leaf is never released; its memory was zeroed when reserved, and
    // all-zero bytes are a valid `Leaf` (null pointers).
    Some(unsafe { &*leaf })
}

/// Every granule of `[base, base + len)`, as (top, leaf) positions; `None` if any lies above
/// 2⁴⁸.
fn granules(base: usize, len: usize) -> Option<impl Iterator<Item = (usize, usize)>> {
    debug_assert_eq!(base % GRANULE, 0, "per-thread tiers are granule-aligned");
    let last = base.checked_add(len.max(1) - 1)?;
    position(last)?;
    Some(
        (base >> GRANULE_SHIFT..=last >> GRANULE_SHIFT)
            .map(|g| (g >> LEAF_BITS, g & ((1 << LEAF_BITS) - 1))),
    )
}

/// Records `owner` as the owner of the granules of `[base, base + len)`.
///
/// Errors: the range lies above 2⁴⁸, or the allocator refused a leaf (entries written so far
/// are cleared).
pub(crate) fn register(base: usize, len: usize, owner: NonNull<Remote>) -> Result<(), Error> {
    let refused = Error::SpanMapRefused {
        address: base,
        bytes: len,
    };
    let Some(all) = granules(base, len) else {
        return Err(refused);
    };
    for (top, at) in all {
        let Some(leaf) = leaf(top) else {
            unregister(base, len);
            return Err(refused);
        };
        leaf.0[at].store(owner.as_ptr(), Ordering::Release);
    }
    Ok(())
}

/// Clears the granules of `[base, base + len)` (before their memory is released).
pub(crate) fn unregister(base: usize, len: usize) {
    let Some(all) = granules(base, len) else {
        return;
    };
    for (top, at) in all {
        let leaf = TOP[top].load(Ordering::Acquire);
        // SAFETY: a published leaf is never freed.
        if let Some(leaf) = unsafe { leaf.as_ref() } {
            leaf.0[at].store(ptr::null_mut(), Ordering::Release);
        }
    }
}

/// The owner of the tier holding `addr`; `None` if no registered tier does.
#[inline]
pub(crate) fn owner_of(addr: usize) -> Option<NonNull<Remote>> {
    let (top, at) = position(addr)?;
    // SAFETY: a published leaf is never freed.
    let leaf = unsafe { TOP[top].load(Ordering::Acquire).as_ref() }?;
    NonNull::new(leaf.0[at].load(Ordering::Acquire))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registered_range_maps_to_its_owner_until_unregistered() {
        let owner = NonNull::<Remote>::dangling();
        // Above x86-64's user half (never mapped there), inside the map.
        let base = (1 << 48) - 8 * GRANULE;
        register(base, 3 * GRANULE + 5, owner).unwrap();
        for addr in [base, base + GRANULE, base + 3 * GRANULE + 4] {
            assert_eq!(owner_of(addr), Some(owner));
        }
        assert_eq!(owner_of(base - 1), None);
        assert_eq!(owner_of(base + 4 * GRANULE), None);
        unregister(base, 3 * GRANULE + 5);
        assert_eq!(owner_of(base), None);
    }

    #[test]
    fn addresses_above_the_map_are_refused_not_misfiled() {
        let owner = NonNull::<Remote>::dangling();
        let refused = register((1 << 48) - GRANULE, 2 * GRANULE, owner).unwrap_err();
        assert_eq!(
            refused,
            Error::SpanMapRefused {
                address: (1 << 48) - GRANULE,
                bytes: 2 * GRANULE
            }
        );
        assert!(
            std::format!("{refused}").contains("below 2^48"),
            "{refused}"
        );
        assert_eq!(owner_of(1 << 48), None);
        assert_eq!(owner_of((1 << 48) - GRANULE), None);
    }
}

//! `Claim`: keys before values, freed when unused, full and uninitialized allocators, a value
//! larger than its thread's stack built in place.

use crate::bounded::BoundedSlab;
use crate::unbounded::UnboundedSlab;
use crate::{create_allocator, Key};
use nexus_slab_test_support::panic_message;
use std::string::String;
use std::vec::Vec;

#[test]
fn a_claim_knows_its_key_and_frees_itself_unused() {
    let slab = BoundedSlab::<String>::with_capacity(2);
    let claim = slab.claim().unwrap();
    let key = claim.key();
    assert_eq!(slab.len(), 1, "a claimed slot counts as occupied");
    assert!(slab.contains_key(key));
    assert!(slab.access().get(key).is_none(), "but no Access reaches it");
    drop(claim);
    assert!(slab.is_empty() && !slab.contains_key(key));
    let slot = slab.claim().unwrap().write(String::from("v"));
    assert_eq!(
        (slot.key(), slot.as_str()),
        (key, "v"),
        "the same slot again"
    );
}

#[test]
fn a_full_slab_gives_no_claim_and_stays_usable() {
    let slab = BoundedSlab::<u8>::with_capacity(1);
    let held = slab.claim().unwrap();
    assert!(slab.claim().is_none());
    assert!(slab.try_insert(1).is_err());
    drop(held);
    assert_eq!(*slab.claim().unwrap().write(3), 3);
}

#[test]
fn a_panic_before_the_write_frees_the_slot() {
    let slab = BoundedSlab::<String>::with_capacity(1);
    let msg = panic_message(|| {
        let _claim = slab.claim().unwrap();
        panic!("building the value failed");
    });
    assert!(msg.contains("failed"));
    assert!(slab.is_empty());
    assert!(slab.claim().is_some());
}

#[test]
fn written_through_maybe_uninit() {
    let slab = UnboundedSlab::<(u64, [u8; 3])>::with_chunk_capacity(2);
    let keys: Vec<Key> = (0..10u64)
        .map(|i| {
            let mut claim = slab.claim().unwrap();
            claim.as_uninit().write((i, [i as u8; 3]));
            // SAFETY: written whole just above.
            unsafe { claim.assume_init() }.leak()
        })
        .collect();
    let access = slab.access();
    for (i, &k) in keys.iter().enumerate() {
        assert_eq!(access.get(k), Some(&(i as u64, [i as u8; 3])));
    }
}

/// 4 MiB, four times the stack of the thread that builds it.
// (Miri does not enforce a stack size: a smaller value there.)
const WORDS: usize = if cfg!(miri) { 8 * 1024 } else { 512 * 1024 };

struct Big {
    id: u64,
    words: [u64; WORDS],
}

#[test]
fn a_value_larger_than_the_stack_is_built_in_place() {
    // The slab (15 KiB of tier table) is made here and moved in: the small stack holds only
    // what building the value takes.
    let slab = BoundedSlab::<Big>::with_capacity(2);
    let built = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let mut claim = slab.claim().unwrap();
            let p = claim.as_mut_ptr();
            // SAFETY: `p` is the claimed slot, valid and aligned for one `Big`; each field is
            // written through a raw pointer, never through a reference to the whole value.
            let big = unsafe {
                (&raw mut (*p).id).write(9);
                let words = (&raw mut (*p).words).cast::<u64>();
                for i in 0..WORDS {
                    words.add(i).write(i as u64 * 3);
                }
                claim.assume_init()
            };
            (big.id, big.words[WORDS - 1], big.words.iter().sum::<u64>())
        })
        .unwrap()
        .join()
        .unwrap();
    let n = WORDS as u64;
    assert_eq!(built, (9, (n - 1) * 3, 3 * n * (n - 1) / 2));
}

create_allocator!(claimed, String);

#[test]
fn per_thread_claims() {
    std::thread::spawn(|| {
        let msg = panic_message(|| drop(claimed::claim()));
        assert!(msg.contains("not initialized"), "{msg}");
        claimed::init().bounded(1).build();
        let claim = claimed::claim().unwrap();
        let key = claim.key();
        assert!(claimed::claim().is_none(), "full");
        assert!(
            claimed::shutdown().is_err(),
            "a claim keeps the allocator live"
        );
        let slot = claim.write(String::from("in place"));
        assert_eq!(slot.key(), key);
        drop(slot);
        assert_eq!(claimed::shutdown(), Ok(()));
    })
    .join()
    .unwrap();
}

#[test]
fn a_forgotten_claim_is_freed_by_its_slab_and_nothing_is_dropped_there() {
    // A fresh slot, a slot whose bytes still hold a freed value, and a slot partly written
    // through `as_uninit`: the slab's drop must free each without dropping anything in it.
    let slab = BoundedSlab::<std::boxed::Box<u64>>::with_capacity(4);
    drop(slab.insert(std::boxed::Box::new(7))); // its bytes keep the freed Box's pointer
    core::mem::forget(slab.claim().unwrap()); // that slot again, from the cache
    core::mem::forget(slab.claim().unwrap()); // a fresh one
    let kept = slab.insert(std::boxed::Box::new(9));
    assert_eq!(slab.len(), 3);
    drop(slab.claim().unwrap()); // a claim dropped unused still frees its slot
    assert_eq!(slab.len(), 3);
    assert_eq!(**kept, 9);
    drop(kept);
    drop(slab); // Miri: no drop of a stale or uninitialized Box

    let slab = UnboundedSlab::<String>::with_chunk_capacity(2);
    let mut claim = slab.claim().unwrap();
    // Written, never made a `Slot`: leaked, as a forgotten `MaybeUninit` would be (an empty
    // `String`, which owns no memory, so Miri's leak check has nothing to report).
    claim.as_uninit().write(String::new());
    core::mem::forget(claim);
    let claims: Vec<_> = (0..5).map(|_| slab.claim().unwrap()).collect();
    for c in claims {
        core::mem::forget(c); // across tiers
    }
    let slot = slab.claim().unwrap().write(String::from("a Slot"));
    assert_eq!(slab.len(), 7);
    drop(slot);
    drop(slab);
}

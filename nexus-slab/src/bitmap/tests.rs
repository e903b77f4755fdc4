//! The bitmap against a set model, its summaries' invariants, and its edges.

use super::*;
use nexus_slab_test_support::Rng;
use std::collections::BTreeSet;
use std::vec;
use std::vec::Vec;

fn map(cap: u32) -> Bitmap {
    Bitmap::new(cap, 0, Mode::Indexed, MemOptions::default()).unwrap()
}

#[test]
fn fills_lowest_first_and_reports_full() {
    for cap in [0u32, 1, 63, 64, 65, 4095, 4096, 4097, 70_000] {
        if cfg!(miri) && cap > 5000 {
            continue;
        }
        let m = map(cap);
        for i in 0..cap as usize {
            assert_eq!(m.acquire(), Some(i), "cap {cap}");
        }
        assert_eq!(m.acquire(), None, "cap {cap} should be full");
        m.check_invariants();
        if cap > 0 {
            assert!(m.release(cap as usize / 2, false));
            assert!(!m.release(cap as usize / 2, false));
            assert_eq!(m.acquire(), Some(cap as usize / 2));
            assert_eq!(m.acquire(), None);
        }
        m.check_invariants();
    }
}

#[test]
fn without_live_summaries_the_same_answers() {
    let m = Bitmap::new(10_000, 0, Mode::Pool, MemOptions::default()).unwrap();
    for _ in 0..10_000 {
        m.acquire().unwrap();
    }
    for i in (0..10_000).filter(|i| i % 1000 != 7) {
        assert!(m.release(i, false));
    }
    m.check_invariants();
    assert_eq!(m.next_occupied(0), Some(7));
    assert_eq!(m.next_occupied(8), Some(1007));
    assert_eq!(m.next_occupied(9008), None);
    assert_eq!(m.acquire(), Some(0));
}

#[test]
fn acquire_word_takes_whole_words_lowest_first() {
    for cap in [1u32, 63, 64, 65, 100, 4097, 70_000] {
        if cfg!(miri) && cap > 5000 {
            continue;
        }
        let m = Bitmap::new(cap, 0, Mode::Pool, MemOptions::default()).unwrap();
        let n = cap as usize;
        let mut taken = 0;
        let mut next = 0;
        while let Some((w, bits)) = m.acquire_word() {
            assert_eq!(w * 64 + bits.trailing_zeros() as usize, next, "cap {cap}");
            taken += bits.count_ones() as usize;
            next = (w + 1) * 64;
        }
        assert_eq!(taken, n, "cap {cap}: every index once");
        assert_eq!(m.acquire(), None, "cap {cap}");
        m.check_invariants();
        // Holes in two words: the lower word's come back first, then the other's.
        let mut holes = vec![n - 1, n / 2, 0];
        holes.dedup();
        for &i in &holes {
            assert!(m.release(i, false));
        }
        let mut back = Vec::new();
        while let Some((w, mut bits)) = m.acquire_word() {
            while bits != 0 {
                back.push(w * 64 + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
        let mut want = holes.clone();
        want.sort_unstable();
        assert_eq!(back, want, "cap {cap}");
        m.check_invariants();
    }
}

#[test]
fn releasing_the_only_free_index_moves_the_hint_to_it() {
    let cap = if cfg!(miri) { 4100 } else { 70_000 };
    let m = map(cap);
    for _ in 0..cap {
        m.acquire().unwrap();
    }
    for i in [cap as usize - 1, 4097, 5, 64 * 64 + 1] {
        assert!(m.release(i, true));
        m.check_invariants();
        assert_eq!(m.acquire(), Some(i));
        assert_eq!(m.acquire(), None);
    }
}

#[test]
fn out_of_range_is_never_occupied() {
    let m = map(100);
    assert!(!m.release(100, false));
    assert!(!m.release(usize::MAX, false));
    assert!(!m.contains(100));
    assert_eq!(m.next_occupied(100), None);
}

#[test]
fn next_occupied_skips_empty_regions() {
    let cap = if cfg!(miri) { 9000 } else { 300_000 };
    let m = map(cap);
    for _ in 0..cap {
        m.acquire().unwrap();
    }
    let keep: BTreeSet<usize> = [0, 1, 63, 64, 4095, 4096, 4097, 8191, 8999]
        .into_iter()
        .collect();
    for i in 0..cap as usize {
        if !keep.contains(&i) {
            assert!(m.release(i, false));
        }
    }
    m.check_invariants();
    let mut seen = Vec::new();
    let mut at = 0;
    while let Some(i) = m.next_occupied(at) {
        seen.push(i);
        at = i + 1;
    }
    assert_eq!(seen, keep.iter().copied().collect::<Vec<_>>());
    // Backwards, over every position, with stale live bits left by the releases.
    for upto in (0..cap as usize).step_by(if cfg!(miri) { 37 } else { 1 }) {
        assert_eq!(
            m.prev_occupied(upto),
            keep.range(..=upto).next_back().copied(),
            "upto {upto}"
        );
    }
    assert_eq!(m.prev_occupied(usize::MAX), Some(8999));
}

#[test]
fn random_program_matches_a_set() {
    // A deterministic xorshift drives acquire/release; the model is a BTreeSet.
    let cap = if cfg!(miri) { 700 } else { 20_000 };
    let m = map(cap);
    let mut model = BTreeSet::new();
    let mut free: BTreeSet<usize> = (0..cap as usize).collect();
    let mut rng = nexus_slab_test_support::rng(0x9E37_79B9_7F4A_7C15u64);
    let steps = if cfg!(miri) { 1_500 } else { 200_000 };
    for step in 0..steps {
        let x = rng.next_u64();
        if x % 3 != 0 {
            let expect = free.pop_first();
            assert_eq!(m.acquire(), expect, "step {step}");
            if let Some(i) = expect {
                model.insert(i);
            }
        } else {
            let i = (x >> 20) as usize % cap as usize;
            let was = model.remove(&i);
            if was {
                free.insert(i);
            }
            assert_eq!(m.release(i, false), was, "step {step}");
        }
        if step % 997 == 0 {
            m.check_invariants();
            let first = model.iter().next().copied();
            assert_eq!(m.next_occupied(0), first);
            let probe = (x >> 7) as usize % cap as usize;
            assert_eq!(
                m.prev_occupied(probe),
                model.range(..=probe).next_back().copied(),
                "step {step}"
            );
        }
    }
    m.check_invariants();
}

#[test]
fn occupy_marks_any_index_and_keeps_summaries() {
    for cap in [1u32, 64, 65, 4096, 4097, 70_000] {
        if cfg!(miri) && cap > 5000 {
            continue;
        }
        let m = map(cap);
        let last = cap as usize - 1;
        for i in [last, 0, last / 2, last / 3] {
            let fresh = !m.contains(i);
            assert_eq!(m.occupy(i), fresh, "cap {cap} idx {i}");
            assert!(!m.occupy(i), "second occupy of {i}");
            assert!(m.contains(i));
        }
        assert!(!m.occupy(cap as usize));
        m.check_invariants();
        assert_eq!(m.next_occupied(0), Some(0));
        assert_eq!(m.next_occupied(last / 2 + 1), (last > 0).then_some(last));
        // `acquire` still finds the lowest free index after arbitrary sets.
        let first_free = (0..cap as usize).find(|&i| !m.contains(i));
        assert_eq!(m.acquire(), first_free);
        for i in 0..cap as usize {
            m.occupy(i);
        }
        m.check_invariants();
        assert_eq!(m.acquire(), None);
        for i in 0..cap as usize {
            assert!(m.release(i, false));
        }
        m.check_invariants();
        assert_eq!(m.next_occupied(0), None);
    }
}

#[test]
fn bytes_needed_matches_an_owned_bitmap() {
    for cap in [0u32, 1, 64, 65, 4096, 4097, 262_144, 262_145] {
        let m = map(cap);
        let (words, levels) = shape(cap as usize);
        let unpadded = (words[0] + words[1..levels].iter().map(|w| 2 * w).sum::<usize>()) * 8;
        assert_eq!(Bitmap::bytes_needed(cap), m.reserved_bytes(), "cap {cap}");
        assert!(Bitmap::bytes_needed(cap) >= unpadded, "cap {cap}");
        assert!(
            Bitmap::bytes_needed(cap) - unpadded <= 2 * GROUP * 8,
            "cap {cap}"
        );
    }
}

#[test]
fn in_place_matches_a_set_with_occupy_and_next_free() {
    // Dirty storage: `in_place` must clear it.
    let cap = if cfg!(miri) { 5_000u32 } else { 70_000 };
    let mut store = vec![u64::MAX; Bitmap::bytes_needed(cap) / 8];
    // SAFETY: the vector covers `bytes_needed(cap)` aligned bytes, outlives the bitmap
    // and is not touched while it lives.
    let m = unsafe { Bitmap::in_place(store.as_mut_ptr(), cap) };
    assert_eq!(m.reserved_bytes(), 0);
    // The model is the set of free indices.
    let mut free: BTreeSet<usize> = (0..cap as usize).collect();
    let mut rng = nexus_slab_test_support::rng(0x2545_F491_4F6C_DD1Du64);
    let steps = if cfg!(miri) { 1_500 } else { 200_000 };
    for step in 0..steps {
        let x = rng.next_u64();
        let i = (x >> 16) as usize % cap as usize;
        match x % 4 {
            0 => assert_eq!(m.occupy(i), free.remove(&i), "step {step}"),
            1 => assert_eq!(m.release(i, false), free.insert(i), "step {step}"),
            2 => assert_eq!(m.acquire(), free.pop_first(), "step {step}"),
            _ => {
                let expect = free.range(i..).next().copied();
                assert_eq!(m.next_free(i), expect, "step {step}");
            }
        }
        if step % 4999 == 0 {
            m.check_invariants();
        }
    }
    assert!(!m.occupy(cap as usize));
    assert_eq!(m.next_free(cap as usize), None);
    m.check_invariants();
    drop(m);
    drop(store);
}

#[test]
fn next_free_skips_full_stretches() {
    let cap = if cfg!(miri) { 9000 } else { 300_000 };
    let m = map(cap);
    for _ in 0..cap {
        m.acquire().unwrap();
    }
    assert_eq!(m.next_free(0), None);
    let holes = [4097usize, 8191, cap as usize - 1];
    for &hole in &holes {
        assert!(m.release(hole, false));
    }
    m.check_invariants();
    assert_eq!(m.next_free(0), Some(4097));
    assert_eq!(m.next_free(4097), Some(4097));
    assert_eq!(m.next_free(4098), Some(8191));
    assert_eq!(m.next_free(8192), Some(cap as usize - 1));
    assert_eq!(m.next_free(cap as usize - 1), Some(cap as usize - 1));
}

#[cfg(all(feature = "mmap", target_os = "linux", not(miri)))]
#[test]
fn full_u32_index_space() {
    let m = map(u32::MAX);
    assert_eq!(m.levels, 6);
    assert_eq!(m.acquire(), Some(0));
    assert!(m.release(0, false));
    assert!(!m.contains(u32::MAX as usize - 1));
}

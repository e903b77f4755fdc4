use crate::{create_allocator, Error, Full, Key, SlotsRemaining};
use nexus_slab_test_support::panic_message;
use nexus_slab_test_support::Tracked;
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::string::{String, ToString};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::vec::Vec;
use std::{format, thread, thread_local, vec};

create_allocator!(words, String);

#[test]
fn slot_is_eight_bytes_and_option_too() {
    assert_eq!(size_of::<words::Slot>(), 8);
    assert_eq!(size_of::<Option<words::Slot>>(), 8);
    assert_eq!(size_of::<Key>(), 4);
}

#[test]
fn quick_start_life_cycle() {
    assert!(!words::is_initialized());
    words::init().bounded(4).build();
    assert!(words::is_initialized());
    let mut a = words::insert("a".to_string());
    let b = words::insert("b".to_string());
    assert_eq!((a.key().index(), b.key().index()), (0, 1));
    a.push('!');
    assert_eq!(a.replace("x".into()), "a!");
    assert_eq!(*a, "x");
    assert_eq!(format!("{b:?}"), r#"Slot { key: Key(1), value: "b" }"#);
    assert!(words::contains_key(a.key()));
    assert_eq!(b.into_inner(), "b");
    assert_eq!(words::len(), 1);
    drop(a);
    assert!(words::is_empty());
    words::shutdown().unwrap();
    assert!(!words::is_initialized());
}

create_allocator!(small, u64);

#[test]
fn full_bounded_panics_naming_allocator_and_capacity_and_try_insert_hands_back() {
    small::init().bounded(2).build();
    let _a = small::insert(1);
    let _b = small::insert(2);
    let msg = panic_message(|| drop(small::insert(3)));
    assert!(
        msg.contains("`small` is full") && msg.contains("all 2 slots"),
        "{msg}"
    );
    let Err(Full(v)) = small::try_insert(4) else {
        panic!("expected Full")
    };
    assert_eq!(v, 4);
    assert_eq!(small::len(), 2);
}

create_allocator!(never_init, u64);

#[test]
fn use_before_init_panics_saying_to_call_init() {
    let msg = panic_message(|| drop(never_init::insert(1)));
    assert!(
        msg.contains("not initialized") && msg.contains("never_init::init()"),
        "{msg}"
    );
    let msg = panic_message(|| drop(never_init::try_insert(1)));
    assert!(msg.contains("init()"), "{msg}");
    let msg = panic_message(|| drop(never_init::reclaim(Key::new(0))));
    assert!(msg.contains("init()"), "{msg}");
    assert_eq!((never_init::len(), never_init::capacity()), (0, 0));
    assert!(!never_init::contains_key(Key::new(0)));
    assert_eq!(never_init::shutdown(), Ok(()));
}

create_allocator!(twice, u64);

#[test]
fn second_init_errs_and_build_panics() {
    twice::init().bounded(8).build();
    let err = twice::init().bounded(8).try_build().unwrap_err();
    assert_eq!(err, Error::AlreadyInitialized { allocator: "twice" });
    let msg = panic_message(|| twice::init().unbounded().build());
    assert!(msg.contains("already initialized"), "{msg}");
    // Still working.
    assert_eq!(*twice::insert(5), 5);
}

create_allocator!(bad_cap, u64);

#[test]
fn impossible_capacities_are_errors() {
    assert!(matches!(
        bad_cap::init().bounded(0).try_build(),
        Err(Error::InvalidCapacity { .. })
    ));
    assert!(matches!(
        bad_cap::init()
            .unbounded()
            .chunk_capacity(u32::MAX)
            .try_build(),
        Err(Error::InvalidCapacity { .. })
    ));
    assert!(!bad_cap::is_initialized());
    bad_cap::init().bounded(1).build();
}

create_allocator!(refused, [u8; 1 << 20]);

#[cfg(all(feature = "mmap", target_os = "linux", not(miri)))]
#[test]
fn os_refusal_is_an_error() {
    // 2³² - 1 slots of 1 MiB: far beyond the address space.
    let err = refused::init().bounded(u32::MAX).try_build().unwrap_err();
    assert!(
        matches!(
            err,
            Error::ReservationRefused { .. } | Error::InvalidCapacity { .. }
        ),
        "{err}"
    );
    let msg = panic_message(|| refused::init().bounded(u32::MAX).build());
    assert!(msg.contains("refused::init().bounded(4294967295)"), "{msg}");
    assert!(!refused::is_initialized());
}

create_allocator!(remaining, u64);

#[test]
fn shutdown_with_live_slots_is_refused_and_keeps_working() {
    remaining::init().bounded(8).build();
    let a = remaining::insert(1);
    let b = remaining::insert(2);
    assert_eq!(
        remaining::shutdown(),
        Err(SlotsRemaining { count: 2, sent: 0 })
    );
    let c = remaining::insert(3);
    assert_eq!(*a + *b + *c, 6);
    drop((a, b, c));
    assert_eq!(remaining::shutdown(), Ok(()));
    // And again from scratch.
    remaining::init().unbounded().chunk_capacity(2).build();
    assert_eq!(remaining::insert(9).key().index(), 0);
}

create_allocator!(keys, u32);

#[test]
fn contains_key_and_reclaim_never_make_a_second_owner() {
    keys::init().unbounded().chunk_capacity(4).build();
    let a = keys::insert(10);
    let ka = a.key();
    assert!(keys::contains_key(ka));
    assert!(!keys::contains_key(Key::NONE));
    assert!(!keys::contains_key(Key::new(3)), "vacant");
    assert!(!keys::contains_key(Key::new(1_000_000)), "out of range");
    assert!(
        keys::reclaim(ka).is_none(),
        "owned by a live Slot: no second owner"
    );
    let leaked = a.leak();
    assert_eq!(leaked, ka);
    // SAFETY: live and not aliased.
    assert_eq!(unsafe { *keys::get_unchecked(leaked) }, 10);
    // SAFETY: live and not aliased.
    unsafe { *keys::get_unchecked_mut(leaked) += 1 };
    let back = keys::reclaim(leaked).expect("a leaked live slot");
    assert!(keys::reclaim(leaked).is_none(), "reclaimed once");
    assert_eq!(back.into_inner(), 11);
    assert!(!keys::contains_key(ka));
    assert!(keys::reclaim(ka).is_none(), "vacant");
}

create_allocator!(growing, [u64; 4]);

#[test]
fn unbounded_grows_without_moving_anything() {
    growing::init().unbounded().chunk_capacity(8).build();
    let n = if cfg!(miri) { 100 } else { 20_000 };
    let slots: Vec<growing::Slot> = (0..n).map(|i| growing::insert([i; 4])).collect();
    let addrs: Vec<*const [u64; 4]> = slots.iter().map(|s| s.as_ptr()).collect();
    assert!(growing::capacity() >= n as u32);
    for (i, s) in slots.iter().enumerate() {
        assert_eq!(s.key().index(), i as u32);
        assert_eq!(**s, [i as u64; 4]);
        assert_eq!(s.as_ptr(), addrs[i]);
    }
    drop(slots);
    assert_eq!(growing::len(), 0);
    assert_eq!(
        growing::insert([0; 4]).key().index(),
        n as u32 - 1,
        "the slot freed last comes back first"
    );
}

create_allocator!(tracked, Tracked);

#[test]
fn drops_once_and_a_panicking_drop_frees_the_slot() {
    tracked::init().bounded(4).build();
    let drops = Rc::new(Cell::new(0));
    let a = tracked::insert(Tracked {
        drops: drops.clone(),
        explode: false,
    });
    let b = tracked::insert(Tracked {
        drops: drops.clone(),
        explode: true,
    });
    drop(a);
    assert_eq!((drops.get(), tracked::len()), (1, 1));
    assert!(catch_unwind(AssertUnwindSafe(|| drop(b))).is_err());
    assert_eq!(
        (drops.get(), tracked::len()),
        (2, 0),
        "freed once despite the panic"
    );
    let slots: Vec<_> = (0..4)
        .map(|_| {
            tracked::insert(Tracked {
                drops: drops.clone(),
                explode: false,
            })
        })
        .collect();
    let mut keys = slots.iter().map(|s| s.key().index()).collect::<Vec<_>>();
    keys.sort_unstable();
    assert_eq!(keys, vec![0, 1, 2, 3]);
    drop(slots);
    assert_eq!(drops.get(), 6);
}

/// A value whose `Drop` inserts into its own allocator.
struct Reentrant(u32);

impl Drop for Reentrant {
    fn drop(&mut self) {
        if self.0 > 0 {
            // Must not be handed the slot being dropped.
            let next = reentrant::insert(Reentrant(self.0 - 1));
            assert_eq!(next.0, self.0 - 1);
        }
    }
}

create_allocator!(reentrant, Reentrant);

#[test]
fn drop_that_inserts_into_the_same_allocator() {
    // Each level of the chain holds one more slot while the one below drops: 6 at most.
    reentrant::init().bounded(6).build();
    drop(reentrant::insert(Reentrant(5)));
    assert_eq!(reentrant::len(), 0);
}

create_allocator!(per_thread, usize);

#[test]
fn each_thread_has_its_own_allocator() {
    let handles: Vec<_> = (0..3)
        .map(|t| {
            thread::spawn(move || {
                assert!(!per_thread::is_initialized());
                per_thread::init().bounded(16).build();
                let slots: Vec<_> = (0..10).map(|i| per_thread::insert(t * 100 + i)).collect();
                assert_eq!(per_thread::len(), 10);
                slots.iter().map(|s| **s).sum::<usize>()
            })
        })
        .collect();
    let sums: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(sums, vec![45, 1045, 2045]);
}

/// Counts drops in a static, so a thread's teardown can be observed from outside it.
struct CountedDrop(&'static AtomicUsize);

impl Drop for CountedDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

create_allocator!(at_exit, CountedDrop);

thread_local! {
    static HOLDER: RefCell<Vec<at_exit::Slot>> = const { RefCell::new(Vec::new()) };
}

#[test]
fn slots_dropped_after_the_exit_guard_are_fine() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    thread::spawn(|| {
        // HOLDER's destructor is registered before the allocator's exit guard; destructors
        // run in reverse order of registration, so the guard runs first (3 slots live:
        // EXITING) and the slots drop afterwards, the last one releasing the memory.
        HOLDER.with(|_| ());
        at_exit::init().unbounded().chunk_capacity(2).build();
        for _ in 0..3 {
            let slot = at_exit::insert(CountedDrop(&DROPS));
            HOLDER.with(|h| h.borrow_mut().push(slot));
        }
    })
    .join()
    .unwrap();
    assert_eq!(DROPS.load(Ordering::SeqCst), 3);
}

#[test]
fn thread_exit_with_no_live_slot_releases_at_once() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    thread::spawn(|| {
        at_exit::init().bounded(4).build();
        drop(at_exit::insert(CountedDrop(&DROPS)));
    })
    .join()
    .unwrap();
    assert_eq!(DROPS.load(Ordering::SeqCst), 1);
}

create_allocator!(late, u64);

#[test]
fn init_after_the_exit_hook_ran_is_refused_not_leaked() {
    use std::sync::atomic::AtomicU8;
    static OUTCOME: AtomicU8 = AtomicU8::new(0);
    struct LateInit;
    impl Drop for LateInit {
        fn drop(&mut self) {
            let code = match late::init().bounded(4).try_build() {
                Err(Error::ThreadExiting { allocator: "late" }) => 1,
                Err(_) => 2,
                Ok(()) => 3,
            };
            OUTCOME.store(code, Ordering::SeqCst);
        }
    }
    thread_local!(static LATE: RefCell<Option<LateInit>> = const { RefCell::new(None) });
    thread::spawn(|| {
        // LATE's destructor is registered first, so it runs after the allocator's exit hook.
        LATE.with(|l| *l.borrow_mut() = Some(LateInit));
        late::init().bounded(4).build();
        late::shutdown().unwrap();
    })
    .join()
    .unwrap();
    assert_eq!(OUTCOME.load(Ordering::SeqCst), 1, "ThreadExiting expected");
}

create_allocator!(options, [u64; 8]);

#[test]
fn memory_options_build_or_say_why() {
    let built = options::init()
        .bounded(512)
        .huge_pages(true)
        .prefault(true)
        .mlock(true)
        .try_build();
    if cfg!(all(feature = "mmap", target_os = "linux", not(miri))) {
        // Root or a large enough RLIMIT_MEMLOCK: locked; otherwise the refusal names errno.
        match built {
            Ok(()) => {
                assert_eq!(options::capacity(), 512);
                assert_eq!(options::insert([1; 8])[7], 1);
            }
            Err(Error::MlockRefused {
                os_error: Some(_), ..
            }) => {}
            Err(e) => panic!("unexpected {e}"),
        }
    } else {
        // The heap backend cannot lock memory, and says so instead of ignoring the option.
        let err = built.unwrap_err();
        assert!(
            matches!(err, Error::MlockRefused { os_error: None, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("cannot lock memory"), "{err}");
        assert!(!options::is_initialized());
    }
}

create_allocator!(exactly_full, u32);

#[test]
fn fills_to_exactly_capacity_after_churn() {
    exactly_full::init().bounded(100).build();
    // Churn first, so the reuse-recent hint points at a word in the middle.
    for round in 0..3 {
        let slots: Vec<_> = (0..100).map(exactly_full::insert).collect();
        assert!(exactly_full::try_insert(0).is_err(), "round {round}");
        let mut keys: Vec<u32> = slots.iter().map(|s| s.key().index()).collect();
        keys.sort_unstable();
        assert_eq!(keys, (0..100).collect::<Vec<_>>(), "round {round}");
        drop(slots);
    }
}

create_allocator!(cached, u64);

#[test]
fn freed_slots_in_the_cache_are_vacant_to_every_query() {
    cached::init().bounded(300).build();
    // More frees than the cache holds: the oldest half of it goes back to the bitmap.
    let slots: Vec<_> = (0..300).map(cached::insert).collect();
    let keys: Vec<Key> = slots.iter().map(|s| s.key()).collect();
    assert!(cached::try_insert(0).is_err());
    let (gone, kept) = keys.split_at(200);
    let mut slots = slots;
    let kept_slots = slots.split_off(200);
    drop(slots);
    assert_eq!(cached::len(), 100);
    for &k in gone {
        assert!(!cached::contains_key(k), "{k:?} was freed");
        assert!(cached::reclaim(k).is_none(), "{k:?} was freed");
    }
    for (&k, s) in kept.iter().zip(&kept_slots) {
        assert!(cached::contains_key(k));
        assert_eq!(s.key(), k);
    }
    // Every freed slot comes back exactly once, then the allocator is full again.
    let again: Vec<_> = (0..200).map(cached::insert).collect();
    let mut back: Vec<u32> = again.iter().map(|s| s.key().index()).collect();
    back.sort_unstable();
    let mut want: Vec<u32> = gone.iter().map(|k| k.index()).collect();
    want.sort_unstable();
    assert_eq!(back, want);
    assert!(cached::try_insert(0).is_err());
    drop((again, kept_slots));
    assert_eq!(cached::len(), 0);
    assert_eq!(cached::shutdown(), Ok(()));
}

#[test]
fn many_slots_outliving_the_exit_guard_release_the_memory_with_the_last() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    thread::spawn(|| {
        HOLDER.with(|_| ());
        at_exit::init().bounded(200).build();
        // Some churn first, so the cache holds slots when the guard closes it.
        drop(
            (0..100)
                .map(|_| at_exit::insert(CountedDrop(&DROPS)))
                .collect::<Vec<_>>(),
        );
        for _ in 0..150 {
            let slot = at_exit::insert(CountedDrop(&DROPS));
            HOLDER.with(|h| h.borrow_mut().push(slot));
        }
    })
    .join()
    .unwrap();
    assert_eq!(DROPS.load(Ordering::SeqCst), 250);
}

create_allocator!(shrinking, [u64; 8]);

#[test]
fn shrink_gives_back_emptied_tiers_and_keeps_live_slots() {
    shrinking::init().unbounded().chunk_capacity(64).build();
    let n = if cfg!(miri) { 300 } else { 100_000 };
    let mut slots: Vec<shrinking::Slot> = (0..n).map(|i| shrinking::insert([i; 8])).collect();
    let keys: Vec<Key> = slots.iter().map(|s| s.key()).collect();
    let before = crate::allocator::resident_pages::<shrinking::Allocator, [u64; 8]>();
    // Keep the first two tiers' slots and one in every 1024 above.
    let kept: Vec<shrinking::Slot> = slots
        .drain(..)
        .enumerate()
        .filter(|(i, _)| *i < 192 || i % 1024 == 0)
        .map(|(_, s)| s)
        .collect();
    shrinking::shrink();
    for s in &kept {
        let i = u64::from(s.key().index());
        assert_eq!(**s, [i; 8], "live values untouched");
        assert_eq!(s.key(), keys[i as usize], "keys untouched");
    }
    if let (Some(before), Some(after)) = (
        before,
        crate::allocator::resident_pages::<shrinking::Allocator, [u64; 8]>(),
    ) {
        let (before, after): (usize, usize) = (before.iter().sum(), after.iter().sum());
        // One 64-byte value in 1024 keeps one 4 KiB page (64 values) in 16.
        assert!(
            after * 10 < before,
            "{after} of {before} pages still resident"
        );
    }
    // Inserts land in given-back pages again and work.
    let again: Vec<shrinking::Slot> = (0..n).map(|i| shrinking::insert([i + 1; 8])).collect();
    for (i, s) in again.iter().enumerate() {
        assert_eq!(**s, [i as u64 + 1; 8]);
    }
    for s in &kept {
        let i = u64::from(s.key().index());
        assert_eq!(**s, [i; 8]);
    }
    drop((kept, again));
    shrinking::shrink();
    if let Some(after) = crate::allocator::resident_pages::<shrinking::Allocator, [u64; 8]>() {
        assert_eq!(
            after.iter().sum::<usize>(),
            0,
            "nothing live: nothing resident"
        );
    }
    shrinking::shutdown().unwrap();
    // Before init: nothing to do.
    shrinking::shrink();
}

create_allocator!(locked, [u64; 8]);

#[test]
fn shrink_keeps_locked_pages_locked() {
    let built = locked::init().bounded(4096).mlock(true).try_build();
    if built.is_err() {
        return; // the heap backend, or RLIMIT_MEMLOCK too small: covered elsewhere
    }
    let slots: Vec<locked::Slot> = (0..4096).map(|i| locked::insert([i; 8])).collect();
    let before = crate::allocator::resident_pages::<locked::Allocator, [u64; 8]>();
    drop(slots);
    locked::shrink();
    assert_eq!(
        crate::allocator::resident_pages::<locked::Allocator, [u64; 8]>(),
        before,
        "mlock keeps every page resident; shrink gives nothing back"
    );
    assert_eq!(locked::insert([9; 8])[0], 9);
}

struct SelfKeyed {
    me: Key,
    payload: String,
}

create_allocator!(self_keyed, SelfKeyed);

#[test]
fn insert_with_hands_the_value_its_own_key_and_a_panic_frees_the_slot() {
    self_keyed::init().bounded(2).build();
    let a = self_keyed::insert_with(|me| SelfKeyed {
        me,
        payload: "a".to_string(),
    });
    assert_eq!(a.me, a.key());
    // The slot is taken before `make` runs: it is not handed out again inside it, nor
    // reachable by key (it holds no value yet).
    let b = self_keyed::insert_with(|me| {
        assert!(self_keyed::reclaim(me).is_none());
        assert!(self_keyed::access().get(me).is_none());
        assert_eq!(self_keyed::len(), 2);
        SelfKeyed {
            me,
            payload: "b".to_string(),
        }
    });
    assert_ne!(a.me, b.me);
    drop(b);
    let msg = panic_message(|| {
        self_keyed::insert_with(|_| panic!("make panics on purpose"));
    });
    assert_eq!(msg, "make panics on purpose");
    assert_eq!(self_keyed::len(), 1, "the slot went back");
    let c = self_keyed::insert_with(|me| SelfKeyed {
        me,
        payload: "c".to_string(),
    });
    let msg = panic_message(|| {
        self_keyed::insert_with(|_| unreachable!("full: make never runs"));
    });
    assert!(msg.contains("`self_keyed` is full"), "{msg}");
    assert_eq!((a.payload.as_str(), c.payload.as_str()), ("a", "c"));
}

#[test]
fn stats_count_live_key_owned_capacity_and_tiers() {
    assert_eq!(small::stats(), crate::allocator::Stats::default());
    small::init().unbounded().chunk_capacity(64).build();
    let slots: Vec<_> = (0..100).map(small::insert).collect();
    let keys: Vec<Key> = slots.into_iter().take(30).map(|s| s.leak()).collect();
    let s = small::stats();
    assert_eq!((s.live, s.key_owned, s.capacity, s.tiers), (30, 30, 192, 2));
    assert!(s.reserved_bytes >= 192 * 8, "{s:?}");
    let mut a = small::access();
    for k in keys {
        a.remove(k);
    }
    drop(a);
    assert_eq!((small::stats().live, small::stats().key_owned), (0, 0));
    small::shutdown().unwrap();
}

//! `RcSlot`: counts against a model under clone/drop storms, the last owner's drop, cycles,
//! panicking `Drop`s, reuse of a shared slot, tiers, and the per-thread allocator's life cycle.

use super::RcSlot;
use crate::bounded::BoundedSlab;
use crate::unbounded::UnboundedSlab;
use crate::{create_allocator, SlotsRemaining};
use nexus_slab_test_support::{panic_message, rng, tracked, RngExt, Tracked};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::string::String;
use std::vec::Vec;

#[test]
fn counts_follow_a_storm_of_clones_and_drops() {
    let slab = BoundedSlab::with_capacity(64);
    let drops = Rc::new(Cell::new(0));
    let mut rng = rng(7);
    let steps = if cfg!(miri) { 400 } else { 20_000 };
    // Owners of each of 8 shared values; values dropped so far.
    let mut owners: Vec<Vec<RcSlot<&BoundedSlab<Tracked>>>> = Vec::new();
    let mut made = 0;
    for step in 0..steps {
        match rng.random_range(0..4) {
            0 if owners.len() < 8 => {
                owners.push(Vec::from([slab.insert(tracked(&drops, false)).into_rc()]));
                made += 1;
            }
            1 | 0 if !owners.is_empty() => {
                let v = rng.random_range(0..owners.len());
                let one = owners[v][0].clone();
                owners[v].push(one);
            }
            _ if !owners.is_empty() => {
                let v = rng.random_range(0..owners.len());
                let i = rng.random_range(0..owners[v].len());
                drop(owners[v].swap_remove(i));
                if owners[v].is_empty() {
                    owners.swap_remove(v);
                }
            }
            _ => {}
        }
        for group in &owners {
            for rc in group {
                assert_eq!(
                    RcSlot::strong_count(rc) as usize,
                    group.len(),
                    "step {step}"
                );
            }
        }
        assert_eq!(drops.get(), made - owners.len(), "step {step}");
        assert_eq!(slab.len() as usize, owners.len(), "step {step}");
    }
    drop(owners);
    assert_eq!(drops.get(), made);
    assert!(slab.is_empty());
}

#[test]
fn the_last_owner_drops_the_value_once_and_frees_the_slot() {
    let slab = BoundedSlab::with_capacity(2);
    let drops = Rc::new(Cell::new(0));
    let a = slab.insert(tracked(&drops, false)).into_rc();
    let key = RcSlot::key(&a);
    let b = a.clone();
    assert!(RcSlot::ptr_eq(&a, &b));
    drop(a);
    assert_eq!((drops.get(), slab.len()), (0, 1));
    assert!(slab.contains_key(key));
    drop(b);
    assert_eq!((drops.get(), slab.len()), (1, 0));
    assert!(!slab.contains_key(key));
}

#[test]
fn a_reused_slot_starts_counting_from_one() {
    let slab = BoundedSlab::with_capacity(1);
    let a = slab.insert(1).into_rc();
    let a2 = a.clone();
    drop((a, a2));
    // The same (only) slot again, shared again.
    let b = slab.insert(2).into_rc();
    assert_eq!(RcSlot::strong_count(&b), 1);
    let slot = RcSlot::try_unwrap(b).unwrap();
    // Unwrapped: shared once more from zero.
    let c = slot.into_rc();
    assert_eq!((RcSlot::strong_count(&c), *c), (1, 2));
}

#[test]
fn get_mut_try_unwrap_and_into_inner_need_the_only_owner() {
    let slab = BoundedSlab::with_capacity(4);
    let mut a = slab.insert(String::from("x")).into_rc();
    RcSlot::get_mut(&mut a).unwrap().push('y');
    let b = a.clone();
    assert!(RcSlot::get_mut(&mut a).is_none());
    let a = RcSlot::try_unwrap(a).unwrap_err();
    assert_eq!(RcSlot::into_inner(b), None, "another owner remains");
    assert_eq!(RcSlot::strong_count(&a), 1);
    assert_eq!(RcSlot::into_inner(a).as_deref(), Some("xy"));
    assert!(slab.is_empty());
}

#[test]
fn a_cycle_leaks_and_never_frees_twice() {
    struct Node {
        me: RefCell<Option<RcSlot<&'static BoundedSlab<Node>>>>,
        drops: Rc<Cell<usize>>,
    }
    impl Drop for Node {
        fn drop(&mut self) {
            self.drops.set(self.drops.get() + 1);
        }
    }
    // The cycle's value borrows its own slab, so the slab is `'static`: boxed, and freed at
    // the end once the test has broken the cycle by hand.
    let boxed = std::boxed::Box::into_raw(std::boxed::Box::new(BoundedSlab::with_capacity(2)));
    // SAFETY: `boxed` is a live allocation, freed only at the end of the test.
    let slab: &'static BoundedSlab<Node> = unsafe { &*boxed };
    let drops = Rc::new(Cell::new(0));
    let a = slab
        .insert(Node {
            me: RefCell::new(None),
            drops: drops.clone(),
        })
        .into_rc();
    *a.me.borrow_mut() = Some(a.clone());
    assert_eq!(RcSlot::strong_count(&a), 2);
    let node = RcSlot::as_ptr(&a);
    drop(a);
    assert_eq!(drops.get(), 0, "a cycle is never dropped");
    assert_eq!(slab.len(), 1, "and keeps its slot");
    // The other slot still works.
    assert!(slab
        .try_insert(Node {
            me: RefCell::new(None),
            drops: drops.clone()
        })
        .is_ok());
    assert_eq!(drops.get(), 1);
    // Break the cycle: the value's own handle is the last owner.
    // SAFETY: the cycle keeps the value alive and its slot occupied; only `&` is taken.
    let last = unsafe { &*node }.me.borrow_mut().take();
    drop(last);
    assert_eq!(drops.get(), 2);
    assert!(slab.is_empty());
    // SAFETY: no handle into the slab is left; `boxed` came from `Box::into_raw` above.
    drop(unsafe { std::boxed::Box::from_raw(boxed) });
}

#[test]
fn a_panicking_drop_with_several_owners_frees_once_and_the_slab_stays_usable() {
    let slab = BoundedSlab::with_capacity(2);
    let drops = Rc::new(Cell::new(0));
    let a = slab.insert(tracked(&drops, true)).into_rc();
    let b = a.clone();
    let c = a.clone();
    drop(a);
    drop(b);
    assert_eq!(drops.get(), 0, "not the last owner: no drop");
    let msg = panic_message(move || drop(c));
    assert!(msg.contains("on purpose"), "{msg}");
    assert_eq!(
        (drops.get(), slab.len()),
        (1, 0),
        "dropped once, slot freed"
    );
    let again = slab.insert(tracked(&drops, false)).into_rc();
    assert_eq!(RcSlot::strong_count(&again), 1);
}

#[test]
fn shared_slots_in_several_tiers_each_count_on_their_own() {
    let slab = UnboundedSlab::with_chunk_capacity(2);
    let n = if cfg!(miri) { 20 } else { 300 };
    let all: Vec<_> = (0..n).map(|i| slab.insert(i).into_rc()).collect();
    let twice: Vec<_> = all.iter().step_by(3).cloned().collect();
    for (i, rc) in all.iter().enumerate() {
        let owners = if i % 3 == 0 { 2 } else { 1 };
        assert_eq!((RcSlot::strong_count(rc), **rc), (owners, i));
    }
    drop(all);
    assert_eq!(slab.len() as usize, twice.len());
    assert!(twice.iter().zip((0..).step_by(3)).all(|(rc, i)| **rc == i));
}

#[test]
fn debug_shows_key_owners_and_value() {
    let slab = BoundedSlab::with_capacity(2);
    let _zero = slab.insert(0);
    let a = slab.insert(5).into_rc();
    let _b = a.clone();
    assert_eq!(
        std::format!("{a:?}"),
        "RcSlot { key: Key(1), owners: 2, value: 5 }"
    );
}

create_allocator!(shared_orders, String);

#[test]
fn per_thread_shared_slots_hold_the_allocator_until_the_last_owner_goes() {
    std::thread::spawn(|| {
        shared_orders::init().bounded(8).build();
        let a = shared_orders::insert_rc(String::from("order"));
        assert_eq!(size_of::<shared_orders::RcSlot>(), 16);
        let b = a.clone();
        drop(a);
        assert_eq!(
            shared_orders::shutdown(),
            Err(SlotsRemaining { count: 1, sent: 0 }),
            "a shared slot is live"
        );
        assert_eq!(*b, "order");
        drop(b);
        assert_eq!(shared_orders::shutdown(), Ok(()));
        // Before init, as `insert`.
        let msg = panic_message(|| drop(shared_orders::insert_rc(String::new())));
        assert!(msg.contains("not initialized"), "{msg}");
    })
    .join()
    .unwrap();
}

#[test]
fn per_thread_shared_slot_outlives_the_thread_exit_in_a_thread_local() {
    std::thread_local! {
        static KEPT: RefCell<Option<shared_orders::RcSlot>> = const { RefCell::new(None) };
    }
    std::thread::spawn(|| {
        shared_orders::init().bounded(2).build();
        let a = shared_orders::insert_rc(String::from("kept"));
        KEPT.with(|k| *k.borrow_mut() = Some(a.clone()));
        drop(a);
        // The thread exits with one owner in a thread-local: the allocator's memory stays
        // until that owner's destructor drops it, whichever order the destructors run in.
    })
    .join()
    .unwrap();
}

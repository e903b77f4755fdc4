//! `Access`: what no safe program may do through it, each run under Miri (a dangling or
//! aliased reference is a Miri error even where the values would happen to compare equal).

use crate::bounded::BoundedSlab;
use crate::unbounded::UnboundedSlab;
use crate::{create_allocator, Full, Key, VersionedKey};
use nexus_slab_test_support::panic_message;
use nexus_slab_test_support::tracked;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::string::String;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::vec::Vec;
use std::{thread, thread_local};

struct Node {
    value: u64,
    next: Key,
}

create_allocator!(nodes, Node);

fn node(value: u64, next: Key) -> Node {
    Node { value, next }
}

#[test]
fn keys_reach_key_owned_values_only() {
    nodes::init().bounded(1000).build();
    let mut a = nodes::access();
    let owned = nodes::insert(node(1, Key::NONE));
    assert!(
        a.get(owned.key()).is_none(),
        "a Slot's value is not reachable by key"
    );
    assert!(a.get_mut(owned.key()).is_none());
    let k = owned.leak();
    assert_eq!(a.get(k).map(|n| n.value), Some(1));
    // Vacant, the sentinel, past the capacity inside the tier's power-of-two span, past it.
    for stray in [
        Key::new(5),
        Key::NONE,
        Key::new(1000),
        Key::new(1023),
        Key::new(4096),
    ] {
        assert!(a.get(stray).is_none() && !a.contains(stray), "{stray:?}");
        assert!(a.remove(stray).is_none() && a.reclaim(stray).is_none());
    }
    let slot = a.reclaim(k).expect("key-owned");
    assert!(a.get(k).is_none(), "a reclaimed slot has an owner again");
    assert_eq!(slot.value, 1);
    drop(slot);
    drop(a);
    nodes::shutdown().unwrap();
}

#[test]
fn a_slot_dropped_inside_the_access_leaves_its_references_valid() {
    nodes::init().bounded(64).build();
    let a = nodes::access();
    let k = a.insert(node(7, Key::NONE));
    let r = a.get(k).unwrap();
    let slot = nodes::insert(node(8, k));
    let slot_key = slot.key();
    drop(slot);
    // The freed slot is taken again; `r` points elsewhere and stays valid.
    let again = a.insert(node(9, Key::NONE));
    assert_eq!(again, slot_key);
    assert_eq!(r.value, 7);
    drop(a);
    let mut a = nodes::access();
    assert_eq!(a.remove(k).unwrap().value, 7);
    assert_eq!(a.remove(again).unwrap().value, 9);
}

#[test]
fn a_slots_deref_mut_inside_the_access_does_not_alias() {
    nodes::init().unbounded().chunk_capacity(2).build();
    let mut a = nodes::access();
    let k = a.insert(node(1, Key::NONE));
    let mut slot = nodes::insert(node(2, k));
    let r = a.get(k).unwrap();
    slot.value += 40; // `&mut` to the Slot's value while `r` lives: distinct slots
    slot.next = Key::NONE;
    assert_eq!((r.value, slot.value), (1, 42));
    let m = a.get_mut(k).unwrap();
    m.value = 3;
    slot.value = 4;
    assert_eq!((m.value, slot.value), (3, 4));
    a.remove(k);
}

#[test]
fn one_access_at_a_time_and_shared_gets_nest() {
    nodes::init().bounded(8).build();
    let a = nodes::access();
    let k = a.insert(node(5, Key::NONE));
    assert!(nodes::try_access().is_none());
    let msg = panic_message(|| drop(nodes::access()));
    assert!(msg.contains("`nodes`: an Access is already open"), "{msg}");
    // The panic above left the open one open.
    assert!(nodes::try_access().is_none());
    // Two shared references to one value through the one `Access`.
    let (x, y) = (a.get(k).unwrap(), a.get(k).unwrap());
    assert_eq!(x.value + y.value, 10);
    drop(a);
    let mut b = nodes::try_access().expect("closed on drop");
    assert_eq!(b.remove(k).unwrap().value, 5);
}

#[test]
fn reclaim_outside_the_access_panics_while_it_is_open() {
    nodes::init().bounded(8).build();
    let a = nodes::access();
    let k = a.insert(node(1, Key::NONE));
    let r = a.get(k).unwrap();
    let msg = panic_message(|| drop(nodes::reclaim(k)));
    assert!(msg.contains("call reclaim on the open Access"), "{msg}");
    assert_eq!(r.value, 1);
    drop(a);
    assert_eq!(nodes::reclaim(k).unwrap().value, 1);
}

#[test]
fn shutdown_and_init_inside_the_access() {
    nodes::init().bounded(8).build();
    let mut a = nodes::access();
    let k = a.insert(node(1, Key::NONE));
    // A key-owned value is live: the memory stays.
    assert_eq!(nodes::shutdown().unwrap_err().count, 1);
    assert_eq!(a.get(k).unwrap().value, 1);
    a.remove(k);
    nodes::shutdown().unwrap();
    assert!(a.get(k).is_none());
    nodes::init().unbounded().chunk_capacity(4).build();
    let k2 = a.insert(node(2, Key::NONE));
    assert_eq!(a.get(k2).unwrap().value, 2);
    assert!(nodes::try_access().is_none(), "still the one open access");
    a.remove(k2);
}

#[test]
fn a_panic_inside_the_access_closes_it_and_keeps_the_values() {
    nodes::init().bounded(8).build();
    let k = nodes::access().insert(node(1, Key::NONE));
    let msg = panic_message(|| {
        let mut a = nodes::access();
        a.get_mut(k).unwrap().value = 2;
        panic!("inside");
    });
    assert_eq!(msg, "inside");
    let mut a = nodes::try_access().expect("closed by the unwind");
    assert_eq!(a.remove(k).unwrap().value, 2);
}

struct Reenter;

impl Drop for Reenter {
    fn drop(&mut self) {
        let _ = reenter::access();
    }
}

create_allocator!(reenter, Reenter);

#[test]
fn a_value_whose_drop_opens_an_access_inside_one_panics_and_leaves_it_open() {
    reenter::init().bounded(4).build();
    let mut a = reenter::access();
    let k = a.insert(Reenter);
    let slot = a.reclaim(k).unwrap();
    let msg = panic_message(move || drop(slot));
    assert!(msg.contains("already open"), "{msg}");
    assert!(reenter::try_access().is_none());
    assert_eq!(reenter::len(), 0, "the slot was still freed once");
    drop(a);
}

static LATE_DROPS: AtomicUsize = AtomicUsize::new(0);

struct Late(u32);

impl Drop for Late {
    fn drop(&mut self) {
        LATE_DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

create_allocator!(late, Late);

#[test]
fn an_access_in_a_thread_local_destructor_after_the_allocators_exit() {
    struct Holder(Vec<Key>);
    impl Drop for Holder {
        fn drop(&mut self) {
            // The allocator's exit guard has run (it was registered later, so it is
            // destroyed first): the key-owned values keep the memory, the `Access` still
            // reaches them, and removing the last one releases it.
            let mut a = late::access();
            for &k in &self.0 {
                assert_eq!(a.remove(k).map(|v| v.0), Some(k.index()));
            }
            assert_eq!(late::len(), 0);
            assert!(!late::is_initialized(), "released with the last value");
            assert!(a.get(self.0[0]).is_none());
        }
    }
    thread_local!(static HOLDER: RefCell<Option<Holder>> = const { RefCell::new(None) });
    let before = LATE_DROPS.load(Ordering::SeqCst);
    thread::spawn(|| {
        HOLDER.with(|h| *h.borrow_mut() = Some(Holder(Vec::new())));
        late::init().bounded(16).build();
        let a = late::access();
        let keys: Vec<Key> = (0..4).map(|i| a.insert(Late(i))).collect();
        assert_eq!(
            keys.iter().map(|k| k.index()).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        HOLDER.with(|h| h.borrow_mut().as_mut().unwrap().0 = keys);
    })
    .join()
    .unwrap();
    assert_eq!(LATE_DROPS.load(Ordering::SeqCst) - before, 4);
}

#[test]
fn direct_slabs_lend_key_owned_values_beside_their_slots() {
    let slab = BoundedSlab::with_capacity(1000);
    let mut a = slab.access();
    let k = a.insert(String::from("linked"));
    let mut slot = slab.insert(String::from("owned"));
    assert!(a.get(slot.key()).is_none());
    let r = a.get(k).unwrap();
    slot.push('!');
    assert_eq!((r.as_str(), slot.as_str()), ("linked", "owned!"));
    assert!(slab.try_access().is_none());
    let msg = panic_message(|| drop(slab.access()));
    assert!(
        msg.contains("`BoundedSlab`: an Access is already open"),
        "{msg}"
    );
    let msg = panic_message(|| drop(slab.reclaim(k)));
    assert!(msg.contains("`BoundedSlab`: reclaim(key) while"), "{msg}");
    assert!(
        a.get(Key::new(1010)).is_none(),
        "past the capacity, inside the span"
    );
    drop(slot);
    assert_eq!(a.remove(k).as_deref(), Some("linked"));
    drop(a);
    assert!(slab.is_empty());

    let slab = UnboundedSlab::with_chunk_capacity(2);
    let a = slab.access();
    let keys: Vec<Key> = (0..100).map(|i| a.insert(i)).collect();
    assert!(keys.iter().enumerate().all(|(i, &k)| a.get(k) == Some(&i)));
    assert!(a.get(Key::new(u32::MAX - 1)).is_none());
    drop(a);
    // Leaked values are the slab's to drop.
}

create_allocator!(tiny, u8);

#[test]
fn try_insert_hands_the_value_back_and_insert_panics_naming_the_owner() {
    let slab = BoundedSlab::with_capacity(1);
    let a = slab.access();
    let _k = a.insert(String::from("a"));
    let Full(back) = a.try_insert(String::from("b")).unwrap_err();
    assert_eq!(back, "b");
    let msg = panic_message(|| {
        a.insert(back);
    });
    assert!(msg.contains("BoundedSlab is full: all 1 slots"), "{msg}");

    tiny::init().bounded(1).build();
    let mut a = tiny::access();
    let k = a.insert(1);
    let msg = panic_message(|| {
        a.insert(2);
    });
    assert!(msg.contains("allocator `tiny` is full"), "{msg}");
    // A key-owned value keeps the thread's memory past its exit (by design: it is live).
    assert_eq!(a.remove(k), Some(1));
}

#[test]
fn get_disjoint_mut_wants_distinct_key_owned_keys() {
    let slab = UnboundedSlab::with_chunk_capacity(4);
    let mut a = slab.access();
    let ks: Vec<Key> = (0..6).map(|i| a.insert(i * 10)).collect();
    let owned = slab.insert(99);
    let [x, y, z] = a.get_disjoint_mut([ks[0], ks[5], ks[2]]).unwrap();
    (*x, *y, *z) = (*z, *x, *y);
    assert_eq!(
        [a.get(ks[0]), a.get(ks[5]), a.get(ks[2])],
        [Some(&20), Some(&0), Some(&50)]
    );
    assert!(a.get_disjoint_mut([ks[1], ks[3], ks[1]]).is_none());
    assert!(a.get_disjoint_mut([ks[1], owned.key()]).is_none());
    assert!(a.get_disjoint_mut([ks[1], Key::NONE]).is_none());
    assert_eq!(a.get_disjoint_mut::<0>([]), Some([]));
}

#[test]
fn removed_values_drop_once_and_a_reused_slot_answers_for_its_new_value() {
    let drops = Rc::new(Cell::new(0));
    let slab = BoundedSlab::with_capacity(4);
    let mut a = slab.access();
    let k = a.insert(tracked(&drops, false));
    let gone = a.remove(k).unwrap();
    assert_eq!(drops.get(), 0, "moved out, not dropped");
    drop(gone);
    assert_eq!(drops.get(), 1);
    assert!(a.get(k).is_none() && a.remove(k).is_none());
    // A key carries no generation: the next insert reuses the slot, and the old key finds
    // the new value (documented on `Access`).
    let k2 = a.insert(tracked(&drops, false));
    assert_eq!(k2, k);
    assert!(a.get(k).is_some());
    drop(a);
    drop(slab);
    assert_eq!(drops.get(), 2, "a key-owned value drops with the slab");
}

#[test]
fn full_and_slot_show_their_value_in_debug() {
    let slab = BoundedSlab::with_capacity(1);
    let slot = slab.insert(String::from("a"));
    assert_eq!(
        std::format!("{slot:?}"),
        r#"Slot { key: Key(0), value: "a" }"#
    );
    let full = slab.try_insert(String::from("b")).unwrap_err();
    assert_eq!(std::format!("{full:?}"), r#"Full("b")"#);
}

#[test]
fn versioned_keys_tell_a_reused_slot_from_theirs() {
    let slab = UnboundedSlab::with_chunk_capacity(2);
    let mut a = slab.access();
    // Plain key-owned values first: versions are turned on later, for them too.
    let plain = a.insert(String::from("plain"));
    let v_plain = a.versioned(plain).unwrap();
    assert_eq!(v_plain.version(), 0);
    let owned = slab.insert(String::from("owned"));
    assert_eq!(
        a.versioned(owned.key()),
        None,
        "a Slot's key has no versioned key"
    );
    assert_eq!(a.versioned(Key::NONE), None);

    // Across several tiers made after versions were turned on.
    let keys: Vec<_> = (0..20)
        .map(|i| a.insert_versioned(std::format!("v{i}")))
        .collect();
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(
            a.get_versioned(*k).map(String::as_str),
            Some(&*std::format!("v{i}"))
        );
    }
    let k = keys[7];
    assert_eq!(a.remove_versioned(k).as_deref(), Some("v7"));
    assert!(a.remove_versioned(k).is_none() && !a.contains_versioned(k));
    // The slot is reused: by a key-owned value, then by a Slot leaked again.
    let again = a.insert_versioned(String::from("again"));
    assert_eq!(again.key(), k.key());
    assert_ne!(again.version(), k.version());
    assert!(a.get_versioned(k).is_none(), "stale");
    assert_eq!(
        a.get(k.key()).map(String::as_str),
        Some("again"),
        "the plain key aliases"
    );
    let slot = a.reclaim(again.key()).unwrap();
    assert!(a.get_versioned(again).is_none(), "reclaimed: stale too");
    let leaked = slot.leak();
    assert_eq!(leaked, k.key());
    let v2 = a.versioned(leaked).unwrap();
    assert!(a.get_versioned(again).is_none() && a.get_versioned(v2).is_some());
    *a.get_versioned_mut(v2).unwrap() = String::from("changed");
    assert_eq!(a.get(leaked).map(String::as_str), Some("changed"));
    // The allocator's own reclaim moves the generation on as well.
    drop(a);
    let slot = slab.reclaim(v_plain.key()).unwrap();
    let back = slot.leak();
    let a = slab.access();
    assert!(a.get_versioned(v_plain).is_none());
    assert_eq!(a.versioned(back).unwrap().version(), 1);

    // Raw round trip and Debug.
    assert_eq!(VersionedKey::from_raw(v2.into_raw()), v2);
    assert_eq!(
        std::format!("{:?}", VersionedKey::from_raw(3 << 32 | 5)),
        "Key(5)v3"
    );
    drop(owned);
}

#[test]
fn versioned_keys_on_the_per_thread_allocator() {
    nodes::init().bounded(4).build();
    let mut a = nodes::access();
    let k = a.insert_versioned(node(1, Key::NONE));
    assert_eq!(a.get_versioned(k).map(|n| n.value), Some(1));
    assert_eq!(a.remove_versioned(k).map(|n| n.value), Some(1));
    let k2 = a.insert_versioned(node(2, Key::NONE));
    assert_eq!(k2.key(), k.key());
    assert!(a.get_versioned(k).is_none());
    assert_eq!(nodes::len(), 1);
    a.remove_versioned(k2);
}

use crate::{create_allocator, SlotsRemaining};
use nexus_slab_test_support::panic_message;
use std::string::{String, ToString};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::vec::Vec;
use std::{format, thread};

create_allocator!(orders, [u64; 2]);

fn assert_send<T: Send>(_: &T) {}

#[test]
fn a_sendable_slot_is_eight_bytes_send_and_frees_locally_on_its_owner() {
    orders::init().bounded(8).build();
    let mut slot = orders::insert_send([1, 2]);
    assert_send(&slot);
    assert_eq!(size_of_val(&slot), 8);
    assert_eq!(size_of::<Option<orders::SendSlot>>(), 8);
    slot[0] = 5;
    assert_eq!((*slot, orders::len()), ([5, 2], 1));
    assert_eq!(format!("{slot:?}"), "SendSlot([5, 2])");
    let addr = slot.as_ptr();
    drop(slot);
    assert_eq!(orders::len(), 0);
    // Freed into the owner's cache: the next insert gets the same slot.
    assert_eq!(orders::insert([9, 9]).as_ptr(), addr);
    orders::shutdown().unwrap();
}

#[test]
fn a_slot_dropped_on_another_thread_comes_back_to_its_owner() {
    orders::init().bounded(2).build();
    let a = orders::insert_send([1, 1]);
    let b = orders::insert_send([2, 2]);
    let (pa, pb) = (a.as_ptr() as usize, b.as_ptr() as usize);
    assert!(
        orders::try_insert_send([3, 3]).is_err(),
        "both slots are out"
    );
    let sums = thread::spawn(move || {
        let sums = (a.iter().sum::<u64>(), b.iter().sum::<u64>());
        drop((a, b));
        sums
    })
    .join()
    .unwrap();
    assert_eq!(sums, (2, 4));
    // Full until taken back: the insert's slow path takes the list back first.
    let c = orders::insert_send([4, 4]);
    let d = orders::insert([5, 5]);
    let mut got = [c.as_ptr() as usize, d.as_ptr() as usize];
    got.sort();
    let mut want = [pa, pb];
    want.sort();
    assert_eq!(got, want, "the same two slots, reused");
    drop((c, d));
    orders::shutdown().unwrap();
}

#[test]
fn shutdown_counts_the_sendable_slots_out_on_other_threads() {
    orders::init().bounded(8).build();
    let (give, take) = mpsc::channel::<orders::SendSlot>();
    let (done, wait) = mpsc::channel::<()>();
    let holder = thread::spawn(move || {
        let held = take.recv().unwrap();
        wait.recv().unwrap();
        drop(held);
    });
    give.send(orders::insert_send([1, 2])).unwrap();
    let _local = orders::insert([3, 4]);
    let refused = orders::shutdown().unwrap_err();
    assert_eq!(refused, SlotsRemaining { count: 2, sent: 1 });
    assert!(
        refused.to_string().contains("1 of them sendable"),
        "{refused}"
    );
    done.send(()).unwrap();
    holder.join().unwrap();
    drop(_local);
    orders::shutdown().unwrap();
}

create_allocator!(names, String);

/// Counts the `Tally`s dropped.
struct Tally(Arc<AtomicUsize>, u64);

impl Drop for Tally {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

create_allocator!(tallies, Tally);

#[test]
fn an_owner_that_exits_keeps_its_memory_until_the_last_sendable_slot_is_freed() {
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = drops.clone();
    let (early, late, local_at_exit) = thread::spawn(move || {
        tallies::init().unbounded().build();
        let early = tallies::insert_send(Tally(counter.clone(), 1));
        let late = tallies::insert_send(Tally(counter.clone(), 2));
        // A plain slot dropped on the way out (in its thread-local's destructor) must not
        // end the store: the sendable ones are still out.
        let local = tallies::insert(Tally(counter, 3));
        let local_at_exit = tallies::len();
        drop(local);
        (early, late, local_at_exit)
    })
    .join()
    .unwrap();
    assert_eq!(local_at_exit, 3);
    assert_eq!(
        early.1, 1,
        "the memory is still there after its owner exited"
    );
    drop(early);
    assert_eq!(drops.load(Ordering::Relaxed), 2);
    let late = thread::spawn(move || {
        assert_eq!(late.1, 2);
        late
    })
    .join()
    .unwrap();
    drop(late); // the last one releases the store (Miri checks that nothing leaks)
    assert_eq!(drops.load(Ordering::Relaxed), 3);
}

#[test]
fn slots_freed_before_the_owner_exits_are_taken_back_at_exit() {
    let (give, take) = mpsc::channel::<names::SendSlot>();
    let owner = thread::spawn(move || {
        names::init().bounded(4).build();
        for i in 0..3 {
            give.send(names::insert_send(i.to_string())).unwrap();
        }
    });
    let got: Vec<String> = take.iter().map(|s| s.into_inner()).collect();
    owner.join().unwrap();
    assert_eq!(got, ["0", "1", "2"]);
}

#[test]
fn into_inner_on_another_thread_moves_the_value_out_and_frees_the_slot() {
    names::init().bounded(1).build();
    let slot = names::insert_send("bid".into());
    let v = thread::spawn(move || slot.into_inner()).join().unwrap();
    assert_eq!(v, "bid");
    assert_eq!(names::len(), 0);
    drop(names::insert_send("ask".into()));
    names::shutdown().unwrap();
}

/// Panics when dropped if `.0` is set.
struct Grenade(bool, #[expect(dead_code, reason = "ballast")] u64);

impl Drop for Grenade {
    fn drop(&mut self) {
        if self.0 {
            panic!("boom");
        }
    }
}

create_allocator!(grenades, Grenade);

#[test]
fn a_panicking_drop_on_another_thread_still_frees_the_slot() {
    grenades::init().bounded(1).build();
    let slot = grenades::insert_send(Grenade(true, 0));
    let msg = thread::spawn(move || panic_message(move || drop(slot)))
        .join()
        .unwrap();
    assert!(msg.contains("boom"), "{msg}");
    assert_eq!(grenades::len(), 0);
    drop(grenades::insert_send(Grenade(false, 1)));
    grenades::shutdown().unwrap();
}

#[test]
fn a_sendable_slot_before_init_panics_with_the_init_message() {
    let msg = panic_message(|| drop(names::insert_send(String::new())));
    assert!(msg.contains("`names` is not initialized"), "{msg}");
}

create_allocator!(churn, u64);

/// Two threads, each the owner of its slots and the dropper of the other's: what Miri runs
/// under many schedules (`.ci/miri` pass 4).
#[test]
fn two_threads_free_each_others_slots() {
    let rounds = if cfg!(miri) { 20 } else { 20_000 };
    let (to_b, from_a) = mpsc::sync_channel::<churn::SendSlot>(8);
    let (to_a, from_b) = mpsc::sync_channel::<churn::SendSlot>(8);
    let run = move |to: mpsc::SyncSender<churn::SendSlot>,
                    from: mpsc::Receiver<churn::SendSlot>,
                    tag: u64| {
        churn::init().bounded(64).build();
        let mut seen = 0;
        for i in 0..rounds {
            to.send(churn::insert_send(tag + i)).unwrap();
            let theirs = from.recv().unwrap();
            assert_eq!(
                *theirs & (1 << 40),
                tag ^ (1 << 40),
                "the other thread's value"
            );
            seen += 1;
            drop(theirs);
        }
        drop(to);
        seen
    };
    let b = thread::spawn(move || run(to_a, from_a, 1 << 40));
    let a = run(to_b, from_b, 0);
    assert_eq!((a, b.join().unwrap()), (rounds, rounds));
}

create_allocator!(tiered, [u64; 2]);

/// `true` if nothing waits on this thread's remote-free list of `tiered`.
fn tiered_list_is_empty() -> bool {
    let local = super::super::local::<tiered::Allocator, [u64; 2]>();
    let record = local.remote.get().unwrap();
    // SAFETY: the record of this thread's live store.
    unsafe { record.as_ref() }.remote.list.is_empty()
}

#[test]
fn a_sendable_slot_of_an_earlier_tier_still_frees_locally_on_its_owner() {
    tiered::init().unbounded().chunk_capacity(64).build();
    let slots: Vec<_> = (0..300).map(|i| tiered::insert_send([i, i])).collect();
    assert!(tiered::stats().tiers >= 3);
    for slot in slots {
        drop(slot);
        assert!(
            tiered_list_is_empty(),
            "freed locally, not through the list"
        );
    }
    assert_eq!(tiered::stats().sent, 0);
    tiered::shutdown().unwrap();
}

#[test]
fn a_batch_hands_chains_back_per_owner_and_frees_its_own_threads_slots_at_once() {
    orders::init().bounded(256).build();
    let theirs: Vec<_> = (0..150).map(|i| orders::insert_send([i, i])).collect();
    let held = thread::spawn(move || {
        orders::init().bounded(8).build();
        let mut batch = orders::FreeBatch::new();
        // One of this thread's own: freed at once, not batched.
        batch.push(orders::insert_send([7, 7]));
        assert_eq!((batch.len(), orders::len()), (0, 0));
        let mut seen = Vec::new();
        for slot in theirs {
            batch.push(slot);
            seen.push(batch.len());
        }
        // 64 at most: a chain is handed back as it fills.
        assert_eq!(seen[63], 0);
        assert_eq!(*seen.iter().max().unwrap(), 63);
        let held = batch.len();
        orders::shutdown().unwrap();
        held // the rest are handed back as the batch drops
    })
    .join()
    .unwrap();
    assert_eq!(held, 150 % 64);
    assert_eq!(orders::len(), 0, "every slot came back");
    orders::shutdown().unwrap();
}

#[test]
fn a_batch_flushed_after_its_owner_exited_releases_the_memory() {
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = drops.clone();
    let slots = thread::spawn(move || {
        tallies::init().bounded(4).build();
        (0..3)
            .map(|i| tallies::insert_send(Tally(counter.clone(), i)))
            .collect::<Vec<_>>()
    })
    .join()
    .unwrap();
    let mut batch = tallies::FreeBatch::new();
    for slot in slots {
        batch.push(slot);
    }
    assert_eq!(drops.load(Ordering::Relaxed), 3, "values dropped as pushed");
    drop(batch); // the last three of an orphaned store: released (Miri checks no leak)
}

#[test]
fn a_panicking_drop_in_a_batch_still_frees_the_slot() {
    grenades::init().bounded(2).build();
    let slot = grenades::insert_send(Grenade(true, 0));
    let calm = grenades::insert_send(Grenade(false, 1));
    thread::spawn(move || {
        let mut batch = grenades::FreeBatch::new();
        let msg = panic_message(|| batch.push(slot));
        assert!(msg.contains("boom"), "{msg}");
        batch.push(calm);
        assert_eq!(batch.len(), 1);
    })
    .join()
    .unwrap();
    assert_eq!(grenades::len(), 0);
    grenades::shutdown().unwrap();
}

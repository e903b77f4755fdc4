//! Sendable slots under load: four threads, each the owner of its slots and the dropper of
//! the others'. Every value is dropped exactly once (a bit per value, set by its `Drop`),
//! none is lost (every bit set at the end), and two of the owners exit while their slots are
//! still queued on the others, so orphaned stores are released by the last remote free
//! (under Miri, whose leak check fails the run if one is not). One thread frees through a
//! `FreeBatch`, and the last slots of each are freed in batches, after two owners exited.
#![forbid(unsafe_code)]

use nexus_slab::create_allocator;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Barrier, OnceLock};
use std::thread;

const THREADS: usize = 4;
/// Sendable slots each thread makes: 2 million cross-thread frees in all (fewer under Miri).
const PER_THREAD: usize = if cfg!(miri) { 40 } else { 500_000 };

/// One bit per value: set when it is dropped.
fn dropped() -> &'static [AtomicU64] {
    static BITS: OnceLock<Vec<AtomicU64>> = OnceLock::new();
    BITS.get_or_init(|| {
        (0..(THREADS * PER_THREAD).div_ceil(64))
            .map(|_| AtomicU64::new(0))
            .collect()
    })
}

static DROPS: AtomicUsize = AtomicUsize::new(0);

struct Item {
    id: usize,
    owner: usize,
}

impl Drop for Item {
    fn drop(&mut self) {
        let bit = 1 << (self.id % 64);
        let before = dropped()[self.id / 64].fetch_or(bit, Ordering::Relaxed);
        assert_eq!(before & bit, 0, "value {} dropped twice", self.id);
        DROPS.fetch_add(1, Ordering::Relaxed);
    }
}

create_allocator!(items, Item);

#[test]
fn four_threads_free_each_others_slots_and_nothing_is_lost_or_freed_twice() {
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..THREADS)
        .map(|_| mpsc::channel::<items::SendSlot>())
        .unzip();
    let start = Barrier::new(THREADS);
    thread::scope(|s| {
        for (me, inbox) in receivers.into_iter().enumerate() {
            let outs = senders.clone();
            let start = &start;
            s.spawn(move || {
                items::init().unbounded().build();
                start.wait();
                for i in 0..PER_THREAD {
                    let slot = items::insert_send(Item {
                        id: me * PER_THREAD + i,
                        owner: me,
                    });
                    // Every other thread in turn, in an order that differs per thread.
                    let to = (me + 1 + (i * (me + 1)) % (THREADS - 1)) % THREADS;
                    // A closed inbox (its thread has exited) hands the slot back: dropped here.
                    drop(outs[to].send(slot));
                    // Thread 3 frees through a batch (a chain per owner, one CAS each), the
                    // others one by one.
                    let mut batch = items::FreeBatch::new();
                    while let Ok(theirs) = inbox.try_recv() {
                        assert_ne!(theirs.owner, me, "only other threads' slots arrive");
                        if me == 3 {
                            batch.push(theirs);
                        } else {
                            drop(theirs);
                        }
                    }
                    drop(batch);
                }
                drop(outs);
                if me < 2 {
                    // Exit now: what others hold of this thread's slots orphans its store,
                    // and the slots queued in this inbox are dropped with it.
                    return;
                }
                // What is left, batched, so that chains meet owners that have exited.
                let mut batch = items::FreeBatch::new();
                for theirs in inbox {
                    batch.push(theirs);
                }
            });
        }
        drop(senders);
    });
    assert_eq!(DROPS.load(Ordering::Relaxed), THREADS * PER_THREAD);
    for (w, word) in dropped().iter().enumerate() {
        let want = if (w + 1) * 64 <= THREADS * PER_THREAD {
            u64::MAX
        } else {
            (1 << ((THREADS * PER_THREAD) % 64)) - 1
        };
        assert_eq!(
            word.load(Ordering::Relaxed),
            want,
            "values {}.. lost",
            w * 64
        );
    }
}

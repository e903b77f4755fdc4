//! Remote free: a 32-byte value made on one thread and freed on another, its memory then
//! reused by the first. The producer (this thread, where the report is pinned) makes the
//! values and hands them over a ring to a consumer thread pinned to another CPU, which reads
//! each one and frees it. Three ways to do that:
//!
//! - `SendSlot` (ours): `name::insert_send`; the consumer drops the handle, which drops the
//!   value there and pushes the slot onto the producer's remote-free list (one CAS). The
//!   producer takes the whole list back in one swap when its cache of free slots runs dry,
//!   inside a later insert: the reuse is timed in the inserts, where it happens.
//! - `SendSlot, FreeBatch` (ours): the same handles, freed on the consumer through a
//!   `FreeBatch`, which drops each value and links its slot into a chain, handed back with
//!   one CAS whenever the ring is drained (and every 64): the CAS paid once per chain.
//! - `Box`: `Box::new`; the consumer drops the box (the system allocator frees another
//!   thread's block).
//! - `channel to owner`: what a `!Send` `Slot` allows. The producer inserts with
//!   `name::insert`, keeps the `Slot` and lends the value's address; the consumer reads the
//!   value through it and sends the address back on a second ring; before each insert the
//!   producer checks that ring and drops the `Slot` of every address back (in the order lent,
//!   which the rings keep). The value stays in its slot (no copy), as with the other two; a
//!   key sent back for `reclaim` would not do, since the consumer, holding only the address,
//!   has no key to send.
//!
//! Fair: every contender moves the same 8-byte item (the handle, the box, the address)
//! through the same ring; the consumer reads every value before freeing it, untimed; waiting
//! on a ring (spinning) is never timed. What is timed, each alone between a timestamp pair,
//! is the allocator's work on each side: each insert, with the taking back it includes
//! (SendSlot's when its cache is empty, the channel's check of its return ring every time,
//! each counted in the insert that does it), and each free (for the channel, the trip back
//! it needs instead). One object's producer and consumer figures are also summed: the
//! per-object table, its cost wherever it is paid, which the target compares.
//!
//! A second table is the owner's thread alone, in churn's tight loop: insert, a reference
//! through `black_box`, drop. A `SendSlot` against a `Slot` of the same allocator: what
//! sendability costs where it is not used (`Box` for reference).

use super::loops::{self, round, timed, Loop};
use super::{
    take_turns, take_turns_split, Contender, Ctx, LatencyTable, Outcome, Presets, TableInfo,
    Workload,
};
use crate::payload::{Payload, V32};
use crate::pin::{pin_to_another_cpu, pinned_cpu, Pinning};
use crate::stats::Recorder;
use crate::timing::{start, stop, Clock, UNIT};
use std::cell::{RefCell, UnsafeCell};
use std::collections::VecDeque;
use std::hint::black_box;
use std::mem::MaybeUninit;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The remote-free workload.
pub const WORKLOAD: Workload = Workload {
    name: "remote-free",
    describe: "32 B values made on one thread, freed on another (SendSlot, Box, a channel back); \
               owner-local SendSlot vs Slot",
    run,
};

/// Producer and consumer: each object's cost on the producer's thread.
pub const PRODUCER: &str = "remote-free_producer_32B";

/// Producer and consumer: each object's cost on the consumer's thread.
pub const CONSUMER: &str = "remote-free_consumer_32B";

/// Producer and consumer: each object's producer and consumer figures summed.
pub const PER_OBJECT: &str = "remote-free_per-object_32B";

/// Insert + drop on the owner's thread, tight loop.
pub const OWNER_LOCAL: &str = "remote-free_owner-local_32B";

/// Our sendable slot's name in the tables.
pub const SEND_SLOT: &str = "SendSlot";

/// Our sendable slot freed through a [`FreeBatch`](nexus_slab::send_slot::FreeBatch) on the
/// consumer, handed back whenever the ring is drained (and every 64).
pub const SEND_BATCH: &str = "SendSlot, FreeBatch";

/// `Box`'s name in the tables.
pub const BOX: &str = "Box";

/// The `!Send` slot sent back to its owner, in the producer/consumer tables.
pub const CHANNEL: &str = "channel to owner";

/// The `!Send` slot, in the owner-local table.
pub const SLOT: &str = "Slot";

/// Objects each contender of the producer/consumer tables sends (all rounds together).
pub const OBJECTS: Presets<usize> = Presets {
    full: 1_000_000,
    quick: 100_000,
    tiny: 64,
};

/// Slots of the producer's allocators (`bounded`): far above the most a round has out at
/// once (two rings, the one the consumer holds, the remote-free list and the cache).
const CAPACITY: u32 = 4096;

/// Slots of the owner-local allocator, as churn's stores.
const CHURN_CAPACITY: u32 = 1 << 20;

nexus_slab::create_allocator!(remote_sent, V32);
nexus_slab::create_allocator!(remote_kept, V32);
nexus_slab::create_allocator!(remote_churn, V32);

fn run(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = two_threads(ctx, progress)
        .into_iter()
        .map(Outcome::Latency)
        .collect();
    out.push(Outcome::Latency(owner_local(ctx, progress)));
    out
}

/// Items a ring holds: room for the producer to run some microseconds ahead of the
/// consumer, in 2 KiB.
const RING: usize = 256;

/// An index on a line of its own: 128 bytes, since x86's spatial prefetcher fetches lines in
/// pairs, so the producer's stores and the consumer's do not share one.
#[repr(align(128))]
struct Padded(AtomicUsize);

/// The transport of every contender: a bounded single-producer/single-consumer ring of
/// 8-byte items. `tail` counts the items pushed, `head` those popped (both only grow; count
/// `c` lives in `items[c % RING]`). Used through the one [`Tx`] and one [`Rx`] that
/// [`Ring::split`] hands out; each keeps its own count and the other's as last read, so the
/// other's line is read again only when the ring looks full (or empty).
struct Ring<T> {
    head: Padded,
    tail: Padded,
    items: [UnsafeCell<MaybeUninit<T>>; RING],
}

// SAFETY: the items are reached only through one `Tx` and one `Rx` (`split` borrows the ring
// mutably while they live): the `Tx` writes a slot only once the `Rx` has released it
// (`head`, stored with release, loaded with acquire), the `Rx` reads a slot only once the
// `Tx` has published it (`tail`, the same). `T: Send`: each item moves to the other thread.
unsafe impl<T: Send> Sync for Ring<T> {}

impl<T> Ring<T> {
    fn new() -> Self {
        const {
            assert!(
                size_of::<T>() == size_of::<usize>(),
                "every contender sends one word"
            )
        };
        Ring {
            head: Padded(AtomicUsize::new(0)),
            tail: Padded(AtomicUsize::new(0)),
            items: [const { UnsafeCell::new(MaybeUninit::uninit()) }; RING],
        }
    }

    /// The producer's end and the consumer's.
    fn split(&mut self) -> (Tx<'_, T>, Rx<'_, T>) {
        let (head, tail) = (*self.head.0.get_mut(), *self.tail.0.get_mut());
        let ring = &*self;
        (Tx { ring, tail, head }, Rx { ring, head, tail })
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        let (head, tail) = (*self.head.0.get_mut(), *self.tail.0.get_mut());
        for c in head..tail {
            // SAFETY: pushed and never popped: initialized, owned by the ring, dropped once.
            unsafe { self.items[c % RING].get_mut().assume_init_drop() };
        }
    }
}

/// The producer's end of a [`Ring`].
struct Tx<'a, T> {
    ring: &'a Ring<T>,
    /// Items pushed.
    tail: usize,
    /// Items popped, as last read.
    head: usize,
}

impl<T> Tx<'_, T> {
    /// `true` if one more item fits.
    #[inline(always)]
    fn has_room(&mut self) -> bool {
        if self.tail - self.head < RING {
            return true;
        }
        self.head = self.ring.head.0.load(Ordering::Acquire);
        self.tail - self.head < RING
    }

    /// Pushes `item` (the caller has seen [`Tx::has_room`]; panics if it did not).
    #[inline(always)]
    fn push(&mut self, item: T) {
        assert!(self.has_room(), "push onto a full ring");
        // SAFETY: the slot of count `tail` was never used or its item was popped (`head`
        // acquired since): nothing else reaches it until the store below publishes it.
        unsafe { (*self.ring.items[self.tail % RING].get()).write(item) };
        self.tail += 1;
        self.ring.tail.0.store(self.tail, Ordering::Release);
    }

    /// Pushes `item`, waiting (untimed) while the ring is full, calling `meanwhile` then.
    #[inline(always)]
    fn push_waiting(&mut self, item: T, mut meanwhile: impl FnMut()) {
        let mut spins = 0;
        while !self.has_room() {
            meanwhile();
            backoff(&mut spins);
        }
        self.push(item);
    }
}

/// The consumer's end of a [`Ring`].
struct Rx<'a, T> {
    ring: &'a Ring<T>,
    /// Items popped.
    head: usize,
    /// Items pushed, as last read.
    tail: usize,
}

impl<T> Rx<'_, T> {
    /// `true` if an item is there.
    #[inline(always)]
    fn is_ready(&mut self) -> bool {
        if self.head != self.tail {
            return true;
        }
        self.tail = self.ring.tail.0.load(Ordering::Acquire);
        self.head != self.tail
    }

    /// The oldest item, if any.
    #[inline(always)]
    fn pop(&mut self) -> Option<T> {
        if !self.is_ready() {
            return None;
        }
        // SAFETY: count `head` is below `tail` (acquired): pushed, published, not popped; read
        // once, and the slot is handed back to the `Tx` only by the store below.
        let item = unsafe { (*self.ring.items[self.head % RING].get()).assume_init_read() };
        self.head += 1;
        self.ring.head.0.store(self.head, Ordering::Release);
        Some(item)
    }

    /// The oldest item, waiting (untimed) for one.
    #[inline(always)]
    fn pop_waiting(&mut self) -> T {
        let mut spins = 0;
        loop {
            if let Some(item) = self.pop() {
                return item;
            }
            backoff(&mut spins);
        }
    }
}

/// One wait on a ring: a pause; after 4096 in a row, a yield each time, in case both
/// threads share one CPU (pinning refused, one CPU).
#[inline]
fn backoff(spins: &mut u32) {
    if *spins < 4096 {
        *spins += 1;
        std::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
}

/// The channel's item: the address of a value whose `Slot` the producer keeps.
struct Lent(NonNull<V32>);

// SAFETY: the consumer only reads the value through it, between receiving it and sending it
// back; meanwhile the producer keeps the `Slot` (the slot stays occupied, the value in place)
// and neither touches the value nor drops the `Slot` until the address is back. The rings'
// release/acquire pairs order the insert's write before the consumer's read, and that read
// before the producer's drop.
unsafe impl Send for Lent {}

/// `f` timed alone, the clock's overhead subtracted; with what it returned.
#[inline(always)]
fn time<R>(clock: &Clock, f: impl FnOnce() -> R) -> (R, u64) {
    let t0 = start();
    let r = f();
    let t1 = stop();
    (r, clock.elapsed(t0, t1))
}

/// A figure per object of a round, every page written before the timing starts.
fn figures(n: usize) -> Vec<u64> {
    vec![u64::MAX; n]
}

/// A round's recorders: each object's producer figure, its consumer figure, their sum. The
/// first tenth of the objects (at least one) are not recorded: the consumer's thread is new
/// each round.
fn parts(producer: &[u64], consumer: &[u64]) -> [Recorder; 3] {
    let warm = (producer.len() / 10).max(1);
    let mut recs = [(); 3].map(|()| Recorder::new(1));
    for (&p, &c) in producer.iter().zip(consumer).skip(warm) {
        recs[0].record(p);
        recs[1].record(c);
        recs[2].record(p + c);
    }
    recs
}

/// Where the consumer ran, as the last round reported it.
type ConsumerPin = RefCell<Option<Pinning>>;

/// One round of `SendSlot` or `Box`: `n` objects made by `make` here, each timed; each sent,
/// read and freed on the consumer by the function `freer` makes there, which times itself:
/// `free(item, drained)`, `drained` when the ring had nothing more (a batch hands back then).
fn one_way<T: Send + Deref<Target = V32>, F: FnMut(T, bool) -> u64>(
    clock: Clock,
    n: usize,
    pin: &ConsumerPin,
    make: impl Fn(u64) -> T,
    freer: impl FnOnce() -> F + Send,
) -> [Recorder; 3] {
    let mut ring = Ring::<T>::new();
    let (mut tx, mut rx) = ring.split();
    let mut made = figures(n);
    let not = pinned_cpu();
    let (freed, pinning) = std::thread::scope(|s| {
        let consumer = s.spawn(move || {
            let pinning = pin_to_another_cpu(not);
            let mut freed = figures(n);
            let mut free = freer();
            for f in &mut freed {
                let item = rx.pop_waiting();
                black_box(item.touch());
                let drained = !rx.is_ready();
                *f = free(item, drained);
            }
            (freed, pinning)
        });
        for (i, m) in made.iter_mut().enumerate() {
            let (item, dt) = time(&clock, || make(i as u64));
            *m = dt;
            tx.push_waiting(item, || {});
        }
        consumer.join().expect("the consumer does not panic")
    });
    *pin.borrow_mut() = Some(pinning);
    parts(&made, &freed)
}

/// The consumer's free of `SendSlot` and `Box`: a drop, timed.
fn dropper<T>(clock: Clock) -> impl FnMut(T, bool) -> u64 {
    move |item, _| time(&clock, || drop(item)).1
}

/// The producer's side of the channel: the `Slot`s it keeps for the addresses it has lent,
/// and the end of the ring they come back on.
struct Owner<'a> {
    back: Rx<'a, Lent>,
    kept: VecDeque<remote_kept::Slot>,
    /// Objects back so far.
    returned: usize,
}

impl Owner<'_> {
    /// Frees every object whose address is back: the address off the return ring, its
    /// `Slot` off the front of the kept ones, the `Slot` dropped. How many.
    #[inline(always)]
    fn take_back(&mut self) -> usize {
        let mut n = 0;
        while let Some(lent) = self.back.pop() {
            let slot = self.kept.pop_front().expect("a lent value's Slot is kept");
            assert!(
                slot.as_ptr() == lent.0.as_ptr().cast_const(),
                "addresses come back in the order they were lent"
            );
            drop(slot);
            n += 1;
        }
        self.returned += n;
        n
    }
}

/// One round of the channel: `n` objects inserted here and lent to the consumer, which
/// reads each and sends its address back (each send timed). Before each insert the producer
/// takes back what is back, timed with the insert; while the ring out is full it checks
/// again, and a check that dropped some is added to that object's figure.
fn round_trip(clock: Clock, n: usize, pin: &ConsumerPin) -> [Recorder; 3] {
    let (mut out, mut back) = (Ring::<Lent>::new(), Ring::<Lent>::new());
    let (mut tx, mut rx) = out.split();
    let (mut back_tx, back_rx) = back.split();
    let mut owner = Owner {
        back: back_rx,
        // At most both rings' worth out, and the one the consumer holds.
        kept: VecDeque::with_capacity(2 * RING + 2),
        returned: 0,
    };
    let mut made = figures(n);
    let not = pinned_cpu();
    let (sent, pinning) = std::thread::scope(|s| {
        let consumer = s.spawn(move || {
            let pinning = pin_to_another_cpu(not);
            let mut sent = figures(n);
            for f in &mut sent {
                let lent = rx.pop_waiting();
                // SAFETY: see `Lent`: the value is live and unchanged until it is sent back.
                black_box(unsafe { lent.0.as_ref() }.touch());
                let mut spins = 0;
                while !back_tx.has_room() {
                    backoff(&mut spins);
                }
                *f = time(&clock, || back_tx.push(lent)).1;
            }
            (sent, pinning)
        });
        for (i, m) in made.iter_mut().enumerate() {
            let (slot, mut dt) = time(&clock, || {
                owner.take_back();
                remote_kept::insert(V32::new(i as u64))
            });
            let lent = Lent(NonNull::from(&*slot));
            owner.kept.push_back(slot);
            tx.push_waiting(lent, || {
                // Polls that find nothing are the wait; one that drops some is work.
                let (back, t) = time(&clock, || owner.take_back());
                if back > 0 {
                    dt += t;
                }
            });
            *m = dt;
        }
        // The last ones back belong to no later insert: taken back untimed.
        let mut spins = 0;
        while owner.returned < n {
            if owner.take_back() == 0 {
                backoff(&mut spins);
            }
        }
        consumer.join().expect("the consumer does not panic")
    });
    *pin.borrow_mut() = Some(pinning);
    parts(&made, &sent)
}

/// The producer/consumer tables: producer side, consumer side, per object.
fn two_threads(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> [LatencyTable; 3] {
    let cfg = &ctx.cfg;
    let objects = *OBJECTS.of(cfg);
    let per_round = move |rounds: usize| objects.div_ceil(rounds).max(2);
    if !remote_sent::is_initialized() {
        remote_sent::init().bounded(CAPACITY).build();
    }
    if !remote_kept::is_initialized() {
        remote_kept::init().bounded(CAPACITY).build();
    }
    let pin: ConsumerPin = RefCell::new(None);
    let (pin, clock) = (&pin, ctx.clock);
    let contenders = vec![
        Contender::new(SEND_SLOT, true, move |rounds| {
            one_way(
                clock,
                per_round(rounds),
                pin,
                |seed| remote_sent::insert_send(V32::new(seed)),
                || dropper(clock),
            )
        }),
        Contender::new(SEND_BATCH, true, move |rounds| {
            one_way(
                clock,
                per_round(rounds),
                pin,
                |seed| remote_sent::insert_send(V32::new(seed)),
                || {
                    let mut batch = remote_sent::FreeBatch::new();
                    move |item, drained| {
                        let mut dt = time(&clock, || batch.push(item)).1;
                        if drained {
                            dt += time(&clock, || batch.flush()).1;
                        }
                        dt
                    }
                },
            )
        }),
        Contender::new(BOX, false, move |rounds| {
            one_way(
                clock,
                per_round(rounds),
                pin,
                |seed| Box::new(V32::new(seed)),
                || dropper(clock),
            )
        }),
        // Built on our allocator, but the design the sendable slot replaces: a peer, so
        // that the ratio lines compare SendSlot with it.
        Contender::new(CHANNEL, false, move |rounds| {
            round_trip(clock, per_round(rounds), pin)
        }),
    ];
    let info = |id: &str, side: &str, what: &str| TableInfo {
        workload: WORKLOAD.name,
        id: id.to_string(),
        title: format!(
            "{} producer/consumer: {side}, 32 B values, 2 threads",
            WORKLOAD.name
        ),
        method: what.to_string(),
        value_bytes: 32,
    };
    let infos = [
        info(
            PRODUCER,
            "producer side",
            "op = one object's cost on the producer's thread: name::insert_send (a slot from \
             the cache; when the cache is empty, the remote-free list taken back in one swap \
             and its slots freed into the store, else the bitmap); Box::new; channel to \
             owner: a check of the return ring, dropping the kept Slot of every address back \
             (FIFO), then name::insert (a check while the ring out is full counted when it \
             dropped some; the last ones of a round taken back untimed)",
        ),
        info(
            CONSUMER,
            "consumer side",
            "op = one object's cost on the consumer's thread, after it has taken the item off \
             the ring and read the value: SendSlot drop (the value dropped, the slot pushed \
             onto the owner's remote-free list, one CAS); SendSlot, FreeBatch: FreeBatch::push (the \
             value dropped, the slot linked into the batch's chain) and, when the ring is \
             drained (or 64 are held), the chain pushed with one CAS, counted in that \
             object's figure; Box drop (the system allocator's \
             free of another thread's block); channel to owner: the address sent back on a \
             second ring (waiting for room untimed)",
        ),
        info(
            PER_OBJECT,
            "per object",
            "op = one object's producer figure + its consumer figure (the two tables above, \
             the same object's): what an object costs wherever it is paid",
        ),
    ];
    let mut tables = take_turns_split(infos, cfg.rounds, contenders, progress);
    let consumer = pin
        .borrow()
        .as_ref()
        .map_or_else(|| "no round ran".to_string(), Pinning::to_string);
    let producer = pinned_cpu().map_or_else(
        || "not pinned".to_string(),
        |cpu| format!("pinned to CPU {cpu}"),
    );
    let how = format!(
        "{objects} objects per contender in {} rounds, the first tenth of each round not \
         recorded; each op timed alone between a timestamp pair, overhead subtracted, \
         resolution {} {UNIT}; transport: a {RING}-entry single-producer/single-consumer ring \
         of 8-byte items (the SendSlot, the Box, the address), spun on untimed; the consumer \
         reads each value (one word per cache line) before freeing it, untimed; producer: the \
         report's thread ({producer}), consumer: a thread of each round ({consumer}); the \
         producer's allocators bounded({CAPACITY})",
        cfg.rounds,
        ctx.clock.resolution()
    );
    for t in &mut tables {
        t.method = format!("{}; {how}", t.method);
    }
    tables
}

/// A contender of the owner-local table: churn's tight loop, `op(seed)` per op.
fn tight<'a>(
    ctx: &'a Ctx,
    name: &'static str,
    ours: bool,
    op: impl Fn(u64) + 'a,
) -> Contender<'a> {
    let (cfg, ops) = (&ctx.cfg, ctx.cfg.loop_ops(Loop::Tight));
    Contender::new(name, ours, move |rounds| {
        debug_assert_eq!(rounds, cfg.rounds);
        let mut seed = 0u64;
        round(cfg, Loop::Tight, ops, |_| {
            timed(&ctx.clock, || {
                // The seed in a local, whose address never escapes: it stays in a register.
                let mut sd = seed;
                for _ in 0..ops {
                    op(sd);
                    sd += 1;
                }
                seed = sd;
            })
        })
    })
}

/// Insert + drop on the owner's thread: `SendSlot` against `Slot` on one allocator.
fn owner_local(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> LatencyTable {
    if !remote_churn::is_initialized() {
        remote_churn::init().bounded(CHURN_CAPACITY).build();
    }
    let contenders = vec![
        tight(ctx, SEND_SLOT, true, |seed| {
            let slot = remote_churn::insert_send(V32::new(seed));
            black_box(&*slot);
            drop(slot);
        }),
        tight(ctx, SLOT, true, |seed| {
            let slot = remote_churn::insert(V32::new(seed));
            black_box(&*slot);
            drop(slot);
        }),
        tight(ctx, BOX, false, |seed| {
            let b = Box::new(V32::new(seed));
            black_box(&*b);
            drop(b);
        }),
    ];
    let ops = ctx.cfg.loop_ops(Loop::Tight);
    let what = format!(
        "op = insert + drop of one value on the thread that owns the allocator, a reference \
         to it through black_box (name::insert_send and the SendSlot dropped; name::insert \
         and the Slot dropped: the same bounded({CHURN_CAPACITY}) allocator, otherwise empty; \
         Box::new for reference)"
    );
    let info = TableInfo {
        workload: WORKLOAD.name,
        id: OWNER_LOCAL.to_string(),
        title: format!(
            "{} owner-local churn, 32 B values, 1 thread",
            WORKLOAD.name
        ),
        method: loops::method(ctx, &what, Loop::Tight, ops),
        value_bytes: 32,
    };
    take_turns(info, ctx.cfg.rounds, contenders, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_keeps_order_and_drops_what_is_left() {
        let mut ring = Ring::<Box<u64>>::new();
        let (mut tx, mut rx) = ring.split();
        for round in 0..3u64 {
            for i in 0..RING as u64 {
                assert!(tx.has_room());
                tx.push(Box::new(round * 1000 + i));
            }
            assert!(!tx.has_room());
            for i in 0..RING as u64 {
                assert_eq!(*rx.pop().expect("pushed"), round * 1000 + i);
            }
            assert!(rx.pop().is_none());
        }
        tx.push(Box::new(1));
        // One item left in the ring: dropped with it (Miri would see a leak).
    }

    #[test]
    fn the_ring_carries_items_across_threads() {
        let mut ring = Ring::<Box<u64>>::new();
        let (mut tx, mut rx) = ring.split();
        let n = 10_000u64;
        let sum = std::thread::scope(|s| {
            let consumer = s.spawn(move || (0..n).map(|_| *rx.pop_waiting()).sum::<u64>());
            for i in 0..n {
                tx.push_waiting(Box::new(i), || {});
            }
            consumer.join().unwrap()
        });
        assert_eq!(sum, n * (n - 1) / 2);
    }
}

//! Key walk: follow the links of a list of 100k nodes, each hop reading the node its key names
//! and taking the next key from it: a chain of dependent loads, the cost of a node-based
//! structure. It prices the safe key-following `Access` against `get_unchecked` on the same
//! allocator (bounded and unbounded), and both against the peers' checked `get`.
//!
//! Two link orders: `in-order` (node i links to node i + 1: every hop hits the cache, so
//! what a check adds shows) and `shuffled` (a random cycle: every hop a cache miss, as in a
//! long-lived structure). The list is a cycle, so a walk never ends; a sample is `batch` hops.

use super::setup::SEED;
use super::{batched, take_turns, Contender, Ctx, LatencyTable, Outcome, TableInfo, Workload};
use crate::rng::{permutation, seeded};
use crate::timing::UNIT;
use nexus_slab::bounded::BoundedSlab;
use nexus_slab::{HiSlab, Key, VersionedKey};
use std::hint::black_box;

/// The key-walk workload.
pub const WORKLOAD: Workload = Workload {
    name: "key-walk",
    describe: "walk a 100k-node linked list key by key (in order / shuffled); op = one hop",
    run: |ctx, progress| {
        run(ctx, progress)
            .into_iter()
            .map(Outcome::Latency)
            .collect()
    },
};

/// The walk of the in-order list.
pub const IN_ORDER: &str = "key-walk_in-order_32B";

/// The walk of the shuffled list.
pub const SHUFFLED: &str = "key-walk_shuffled_32B";

/// Insert + remove of one node.
pub const INSERT_REMOVE: &str = "key-walk_insert-remove_32B";

/// A 32-byte node: the link and the payload a real node would carry.
#[derive(Clone, Copy)]
#[repr(C)]
struct Node {
    next: Key,
    payload: [u32; 7],
}

nexus_slab::create_allocator!(walk_nodes, Node);

/// The node linked by versioned keys (8 bytes: the payload is 4 bytes shorter).
#[derive(Clone, Copy)]
#[repr(C)]
struct VNode {
    next: VersionedKey,
    payload: [u32; 6],
}

nexus_slab::create_allocator!(walk_vnodes, VNode);

/// The same node for `slab` (index links).
#[derive(Clone, Copy)]
#[repr(C)]
struct IndexNode {
    next: u32,
    payload: [u32; 7],
}

/// The same node for `slotmap`: its keys are 8 bytes, so the payload is 4 bytes shorter.
#[derive(Clone, Copy)]
#[repr(C)]
struct MapNode {
    next: slotmap::DefaultKey,
    payload: [u32; 6],
}

/// The link order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// Node i links to node i + 1 (the last to the first).
    InOrder,
    /// A random cycle through every node.
    Shuffled,
}

impl Order {
    const ALL: [Order; 2] = [Order::InOrder, Order::Shuffled];

    fn name(self) -> &'static str {
        match self {
            Order::InOrder => "in-order",
            Order::Shuffled => "shuffled",
        }
    }

    /// `succ[i]`: the position the node at position `i` links to, over `n` nodes.
    fn successors(self, n: usize) -> Vec<u32> {
        let cycle: Vec<u32> = match self {
            Order::InOrder => (0..n as u32).collect(),
            Order::Shuffled => permutation(&mut seeded(SEED ^ 0x4B57), n as u32),
        };
        let mut succ = vec![0u32; n];
        for (i, &at) in cycle.iter().enumerate() {
            succ[at as usize] = cycle[(i + 1) % n];
        }
        succ
    }
}

impl Order {
    /// Table id.
    fn id(self) -> &'static str {
        match self {
            Order::InOrder => IN_ORDER,
            Order::Shuffled => SHUFFLED,
        }
    }
}

/// The versioned list: `n` key-owned nodes linked by versioned keys, and its first key.
fn versioned_list(succ: &[u32]) -> VersionedKey {
    if walk_vnodes::is_initialized() {
        walk_vnodes::shutdown().expect("the previous list was freed");
    }
    walk_vnodes::init().bounded(succ.len() as u32).build();
    let mut a = walk_vnodes::access();
    let none = VersionedKey::from_raw(u64::MAX);
    let keys: Vec<VersionedKey> = (0..succ.len())
        .map(|i| {
            a.insert_versioned(VNode {
                next: none,
                payload: [i as u32; 6],
            })
        })
        .collect();
    for (i, &s) in succ.iter().enumerate() {
        a.get_versioned_mut(keys[i]).expect("live").next = keys[s as usize];
    }
    keys[0]
}

fn free_versioned_list(start: VersionedKey) {
    let mut a = walk_vnodes::access();
    let mut at = start;
    while let Some(node) = a.remove_versioned(at) {
        at = node.next;
    }
}

fn payload(i: usize) -> [u32; 7] {
    [i as u32; 7]
}

/// The per-thread allocator's list: `n` key-owned nodes linked by `succ`, and its first key.
/// Bounded to `n`, or unbounded (default chunk: 100k nodes span five tiers).
fn allocator_list(succ: &[u32], bounded: bool) -> Key {
    if walk_nodes::is_initialized() {
        walk_nodes::shutdown().expect("the previous list was freed");
    }
    if bounded {
        walk_nodes::init().bounded(succ.len() as u32).build();
    } else {
        walk_nodes::init().unbounded().build();
    }
    let mut a = walk_nodes::access();
    let keys: Vec<Key> = (0..succ.len())
        .map(|i| {
            a.insert(Node {
                next: Key::NONE,
                payload: payload(i),
            })
        })
        .collect();
    for (i, &s) in succ.iter().enumerate() {
        a.get_mut(keys[i]).expect("key-owned").next = keys[s as usize];
    }
    keys[0]
}

fn free_allocator_list(start: Key) {
    let mut a = walk_nodes::access();
    let mut at = start;
    while let Some(node) = a.remove(at) {
        at = node.next;
    }
}

/// The key-walk tables.
fn run(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> Vec<LatencyTable> {
    let cfg = &ctx.cfg;
    let n = cfg.live;
    let hops = cfg.batch;
    let samples = |rounds: usize| cfg.samples.div_ceil(rounds);
    let mut out = Vec::new();
    for order in Order::ALL {
        let succ = order.successors(n);
        let succ = &succ[..];
        let access = |name, bounded| {
            Contender::new(name, true, move |rounds| {
                let start = allocator_list(succ, bounded);
                let a = walk_nodes::access();
                let mut at = start;
                let rec = batched(ctx, samples(rounds), hops, 0, || {
                    if let Some(node) = a.get(at) {
                        at = node.next;
                    }
                });
                black_box(at);
                drop(a);
                free_allocator_list(start);
                rec
            })
        };
        let unchecked = |name, bounded| {
            Contender::new(name, true, move |rounds| {
                let start = allocator_list(succ, bounded);
                let mut at = start;
                let rec = batched(ctx, samples(rounds), hops, 0, || {
                    // SAFETY: every key of the cycle names a live node, none is freed or
                    // written during the walk.
                    at = unsafe { walk_nodes::get_unchecked(at) }.next;
                });
                black_box(at);
                free_allocator_list(start);
                rec
            })
        };
        let contenders = vec![
            access("alloc Access", true),
            unchecked("alloc unchecked", true),
            Contender::new("alloc Acc. vers.", true, move |rounds| {
                let start = versioned_list(succ);
                let a = walk_vnodes::access();
                let mut at = start;
                let rec = batched(ctx, samples(rounds), hops, 0, || {
                    if let Some(node) = a.get_versioned(at) {
                        at = node.next;
                    }
                });
                black_box(at);
                drop(a);
                free_versioned_list(start);
                rec
            }),
            access("alloc unb. Access", false),
            unchecked("alloc unb. unchk.", false),
            Contender::new("BoundedSlab Acc.", true, move |rounds| {
                let slab = BoundedSlab::with_capacity(n as u32);
                let a = slab.access();
                let keys: Vec<Key> = (0..n)
                    .map(|i| {
                        a.insert(Node {
                            next: Key::NONE,
                            payload: payload(i),
                        })
                    })
                    .collect();
                let mut a = a;
                for (i, &s) in succ.iter().enumerate() {
                    a.get_mut(keys[i]).expect("key-owned").next = keys[s as usize];
                }
                let mut at = keys[0];
                let rec = batched(ctx, samples(rounds), hops, 0, || {
                    if let Some(node) = a.get(at) {
                        at = node.next;
                    }
                });
                black_box(at);
                rec
            }),
            Contender::new("HiSlab get", true, move |rounds| {
                let s = HiSlab::new(n as u32, n as u32).expect("HiSlab reservation");
                for (i, &next) in succ.iter().enumerate() {
                    s.insert(IndexNode {
                        next,
                        payload: payload(i),
                    });
                }
                let mut at = 0u32;
                let rec = batched(ctx, samples(rounds), hops, 0, || {
                    if let Some(node) = s.get(at) {
                        at = node.next;
                    }
                });
                black_box(at);
                rec
            }),
            Contender::new("slab", false, move |rounds| {
                let mut s = slab::Slab::with_capacity(n);
                for (i, &next) in succ.iter().enumerate() {
                    s.insert(IndexNode {
                        next,
                        payload: payload(i),
                    });
                }
                let mut at = 0u32;
                let rec = batched(ctx, samples(rounds), hops, 0, || {
                    if let Some(node) = s.get(at as usize) {
                        at = node.next;
                    }
                });
                black_box(at);
                rec
            }),
            Contender::new("slotmap", false, move |rounds| {
                let mut s = slotmap::SlotMap::with_capacity(n);
                let keys: Vec<slotmap::DefaultKey> = (0..n)
                    .map(|i| {
                        s.insert(MapNode {
                            next: slotmap::DefaultKey::default(),
                            payload: [i as u32; 6],
                        })
                    })
                    .collect();
                for (i, &succ) in succ.iter().enumerate() {
                    s[keys[i]].next = keys[succ as usize];
                }
                let mut at = keys[0];
                let rec = batched(ctx, samples(rounds), hops, 0, || {
                    if let Some(node) = s.get(at) {
                        at = node.next;
                    }
                });
                black_box(at);
                rec
            }),
        ];
        debug_assert_eq!(order.id(), format!("{}_{}_32B", WORKLOAD.name, order.name()));
        let info = TableInfo {
            workload: WORKLOAD.name,
            id: order.id().to_string(),
            title: format!("key-walk {}, 32-byte nodes", order.name()),
            method: format!(
                "op = one hop of a walk around a cycle of {n} linked nodes ({}): read the node \
                 a key names, take its next key; {hops} hops per timestamp pair, {} samples \
                 in {} rounds, per-op = (pair − overhead) / {hops}, resolution {:.2} {UNIT}/op",
                match order {
                    Order::InOrder => "node i links to node i + 1",
                    Order::Shuffled => "a random cycle",
                },
                cfg.samples,
                cfg.rounds,
                ctx.clock.resolution() as f64 / hops as f64
            ),
            value_bytes: 32,
        };
        out.push(take_turns(info, cfg.rounds, contenders, progress));
    }
    out.push(churn(ctx, progress));
    out
}

/// Insert + remove of one key-owned node through the `Access`, plain and versioned (what
/// versions cost on the write side), beside `Slot` insert + drop and `slab`'s insert + remove.
fn churn(ctx: &Ctx, progress: &mut dyn FnMut(&str)) -> LatencyTable {
    let cfg = &ctx.cfg;
    let ops = cfg.loop_batch;
    let samples = |rounds: usize| cfg.samples.div_ceil(rounds);
    let node = |i: u32| Node {
        next: Key::NONE,
        payload: [i; 7],
    };
    let restart = || {
        if walk_nodes::is_initialized() {
            walk_nodes::shutdown().expect("the previous store was freed");
        }
        walk_nodes::init().bounded(1024).build();
    };
    let contenders = vec![
        Contender::new("Access", true, move |rounds| {
            restart();
            let mut a = walk_nodes::access();
            let mut i = 0u32;
            batched(ctx, samples(rounds), ops, 0, || {
                i = i.wrapping_add(1);
                let k = a.insert(node(i));
                black_box(a.remove(black_box(k)));
            })
        }),
        Contender::new("Access versioned", true, move |rounds| {
            restart();
            let mut a = walk_nodes::access();
            let mut i = 0u32;
            batched(ctx, samples(rounds), ops, 0, || {
                i = i.wrapping_add(1);
                let k = a.insert_versioned(node(i));
                black_box(a.remove_versioned(black_box(k)));
            })
        }),
        Contender::new("Slot", true, move |rounds| {
            restart();
            let mut i = 0u32;
            batched(ctx, samples(rounds), ops, 0, || {
                i = i.wrapping_add(1);
                black_box(walk_nodes::insert(node(i)).into_inner());
            })
        }),
        Contender::new("slab", false, move |rounds| {
            let mut s = slab::Slab::with_capacity(1024);
            let mut i = 0u32;
            let rec = batched(ctx, samples(rounds), ops, 0, || {
                i = i.wrapping_add(1);
                let k = s.insert(IndexNode {
                    next: 0,
                    payload: [i; 7],
                });
                black_box(s.remove(black_box(k)));
            });
            black_box(s.len());
            rec
        }),
    ];
    let info = TableInfo {
        workload: WORKLOAD.name,
        id: INSERT_REMOVE.to_string(),
        title: "key-walk insert-remove, 32-byte nodes".to_string(),
        method: format!(
            "op = insert one key-owned node and remove it by key (Access; versioned: \
             insert_versioned + remove_versioned), Slot insert + into_inner, slab insert + \
             remove; tight loop, {ops} ops per timestamp pair, {} samples in {} rounds, \
             per-op = (pair − overhead) / {ops}, resolution {:.2} {UNIT}/op",
            cfg.samples,
            cfg.rounds,
            ctx.clock.resolution() as f64 / ops as f64
        ),
        value_bytes: 32,
    };
    take_turns(info, cfg.rounds, contenders, progress)
}

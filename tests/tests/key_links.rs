//! Node-based structures linked by `Key`, written as a user would with no `unsafe` at all: a
//! doubly linked list on the per-thread allocator (the seed's example, grown up) and an order
//! book whose price levels are such lists, on the per-thread allocator and on a
//! `BoundedSlab`. Each is checked step by step against a model built from std collections.
#![forbid(unsafe_code)]

use nexus_slab::bounded::BoundedSlab;
use nexus_slab::{create_allocator, Key};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap, VecDeque};

/// `cases` cases; no failure file (Miri has no file system to write it to).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// A doubly linked list whose nodes are key-owned slots of a per-thread allocator.

struct Node {
    value: u64,
    prev: Key,
    next: Key,
}

create_allocator!(list_nodes, Node);

/// The list owns its nodes through their keys; every operation takes the thread's `Access`.
struct List {
    head: Key,
    tail: Key,
    len: usize,
}

impl List {
    fn new() -> List {
        List {
            head: Key::NONE,
            tail: Key::NONE,
            len: 0,
        }
    }

    fn push_back(&mut self, a: &mut list_nodes::Access, value: u64) -> Key {
        let k = a.insert(Node {
            value,
            prev: self.tail,
            next: Key::NONE,
        });
        match a.get_mut(self.tail) {
            Some(tail) => tail.next = k,
            None => self.head = k,
        }
        self.tail = k;
        self.len += 1;
        k
    }

    fn push_front(&mut self, a: &mut list_nodes::Access, value: u64) -> Key {
        let k = a.insert(Node {
            value,
            prev: Key::NONE,
            next: self.head,
        });
        match a.get_mut(self.head) {
            Some(head) => head.prev = k,
            None => self.tail = k,
        }
        self.head = k;
        self.len += 1;
        k
    }

    /// Unlinks `k` from anywhere in the list and returns its value.
    fn remove(&mut self, a: &mut list_nodes::Access, k: Key) -> Option<u64> {
        let node = a.remove(k)?;
        match a.get_mut(node.prev) {
            Some(prev) => prev.next = node.next,
            None => self.head = node.next,
        }
        match a.get_mut(node.next) {
            Some(next) => next.prev = node.prev,
            None => self.tail = node.prev,
        }
        self.len -= 1;
        Some(node.value)
    }

    fn pop_front(&mut self, a: &mut list_nodes::Access) -> Option<u64> {
        let head = self.head;
        self.remove(a, head)
    }

    fn values(&self, a: &list_nodes::Access) -> Vec<u64> {
        let mut out = Vec::with_capacity(self.len);
        let mut at = self.head;
        while let Some(node) = a.get(at) {
            out.push(node.value);
            at = node.next;
        }
        out
    }

    fn values_backwards(&self, a: &list_nodes::Access) -> Vec<u64> {
        let mut out = Vec::with_capacity(self.len);
        let mut at = self.tail;
        while let Some(node) = a.get(at) {
            out.push(node.value);
            at = node.prev;
        }
        out
    }

    fn clear(&mut self, a: &mut list_nodes::Access) {
        while self.pop_front(a).is_some() {}
    }
}

#[derive(Debug, Clone)]
enum ListOp {
    PushBack(u64),
    PushFront(u64),
    Remove(usize),
    PopFront,
    Walk,
}

fn list_op() -> impl Strategy<Value = ListOp> {
    prop_oneof![
        4 => any::<u64>().prop_map(ListOp::PushBack),
        2 => any::<u64>().prop_map(ListOp::PushFront),
        3 => any::<usize>().prop_map(ListOp::Remove),
        1 => Just(ListOp::PopFront),
        1 => Just(ListOp::Walk),
    ]
}

fn run_list(ops: &[ListOp]) {
    if !list_nodes::is_initialized() {
        list_nodes::init().unbounded().chunk_capacity(4).build();
    }
    let mut a = list_nodes::access();
    let mut list = List::new();
    // The model: (key, value) in list order.
    let mut model: VecDeque<(Key, u64)> = VecDeque::new();
    for op in ops {
        match *op {
            ListOp::PushBack(v) => model.push_back((list.push_back(&mut a, v), v)),
            ListOp::PushFront(v) => model.push_front((list.push_front(&mut a, v), v)),
            ListOp::Remove(i) if !model.is_empty() => {
                let (k, v) = model.remove(i % model.len()).unwrap();
                assert_eq!(list.remove(&mut a, k), Some(v));
                assert_eq!(list.remove(&mut a, k), None, "removed twice");
            }
            ListOp::Remove(_) => assert_eq!(list.remove(&mut a, Key::new(0)), None),
            ListOp::PopFront => assert_eq!(list.pop_front(&mut a), model.pop_front().map(|e| e.1)),
            ListOp::Walk => {}
        }
        let forward: Vec<u64> = model.iter().map(|e| e.1).collect();
        assert_eq!(list.values(&a), forward);
        let mut backward = forward;
        backward.reverse();
        assert_eq!(list.values_backwards(&a), backward);
        assert_eq!(list.len, model.len());
        assert_eq!(list_nodes::len() as usize, model.len());
    }
    list.clear(&mut a);
    assert_eq!(list_nodes::len(), 0);
}

proptest! {
    #![proptest_config(config(if cfg!(miri) { 3 } else { 64 }))]
    #[test]
    fn a_linked_list_without_unsafe_matches_a_vecdeque(
        ops in prop::collection::vec(list_op(), 0..if cfg!(miri) { 40 } else { 400 })
    ) {
        run_list(&ops);
    }
}

#[test]
fn the_seeds_list_linked_and_walked() {
    list_nodes::init().bounded(1000).build();
    let mut a = list_nodes::access();
    let mut list = List::new();
    let one = list.push_back(&mut a, 1);
    list.push_back(&mut a, 2);
    list.push_front(&mut a, 0);
    assert_eq!(list.values(&a), [0, 1, 2]);
    assert_eq!(list.remove(&mut a, one), Some(1));
    assert_eq!(list.values(&a), [0, 2]);
    // Nodes and `Slot`s live side by side: an owned value is not a list node.
    let owned = list_nodes::insert(Node {
        value: 9,
        prev: Key::NONE,
        next: Key::NONE,
    });
    assert!(a.get(owned.key()).is_none());
    drop(owned);
    list.clear(&mut a);
    drop(a);
    list_nodes::shutdown().unwrap();
}

// ---------------------------------------------------------------------------------------
// An order book: price levels are doubly linked lists of orders in time priority. Adds go at
// a level's tail, cancels unlink from anywhere, matches take from the best level's head.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Side {
    Buy,
    Sell,
}

#[derive(Debug)]
struct Order {
    id: u64,
    side: Side,
    price: u32,
    qty: u32,
    prev: Key,
    next: Key,
}

#[derive(Debug, Default, Clone, Copy)]
struct Level {
    head: Key,
    tail: Key,
    qty: u64,
}

/// A fill: (resting order id, quantity).
type Fill = (u64, u32);

/// Where the orders live: the per-thread allocator's `Access`, or a `BoundedSlab`'s. Both
/// `Access` types have the same methods; the trait only lets one book serve both.
trait Orders {
    fn insert(&mut self, o: Order) -> Key;
    fn get(&self, k: Key) -> Option<&Order>;
    fn get_mut(&mut self, k: Key) -> Option<&mut Order>;
    fn remove(&mut self, k: Key) -> Option<Order>;
}

create_allocator!(order_alloc, Order);

impl Orders for order_alloc::Access {
    fn insert(&mut self, o: Order) -> Key {
        order_alloc::Access::insert(self, o)
    }
    fn get(&self, k: Key) -> Option<&Order> {
        order_alloc::Access::get(self, k)
    }
    fn get_mut(&mut self, k: Key) -> Option<&mut Order> {
        order_alloc::Access::get_mut(self, k)
    }
    fn remove(&mut self, k: Key) -> Option<Order> {
        order_alloc::Access::remove(self, k)
    }
}

impl Orders for nexus_slab::bounded::Access<'_, Order> {
    fn insert(&mut self, o: Order) -> Key {
        nexus_slab::bounded::Access::insert(self, o)
    }
    fn get(&self, k: Key) -> Option<&Order> {
        nexus_slab::bounded::Access::get(self, k)
    }
    fn get_mut(&mut self, k: Key) -> Option<&mut Order> {
        nexus_slab::bounded::Access::get_mut(self, k)
    }
    fn remove(&mut self, k: Key) -> Option<Order> {
        nexus_slab::bounded::Access::remove(self, k)
    }
}

#[derive(Default)]
struct Book {
    bids: BTreeMap<u32, Level>,
    asks: BTreeMap<u32, Level>,
    by_id: HashMap<u64, Key>,
}

impl Book {
    fn levels(&mut self, side: Side) -> &mut BTreeMap<u32, Level> {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }

    /// Rests an order at its level's tail.
    fn rest(&mut self, o: &mut impl Orders, id: u64, side: Side, price: u32, qty: u32) {
        let level = *self.levels(side).entry(price).or_default();
        let k = o.insert(Order {
            id,
            side,
            price,
            qty,
            prev: level.tail,
            next: Key::NONE,
        });
        let mut level = level;
        match o.get_mut(level.tail) {
            Some(tail) => tail.next = k,
            None => level.head = k,
        }
        level.tail = k;
        level.qty += u64::from(qty);
        self.levels(side).insert(price, level);
        self.by_id.insert(id, k);
    }

    /// Unlinks and frees the order at `k`.
    fn unlink(&mut self, o: &mut impl Orders, k: Key) -> Order {
        let order = o.remove(k).expect("linked orders are key-owned");
        let levels = self.levels(order.side);
        let level = levels.get_mut(&order.price).expect("its level exists");
        match o.get_mut(order.prev) {
            Some(prev) => prev.next = order.next,
            None => level.head = order.next,
        }
        match o.get_mut(order.next) {
            Some(next) => next.prev = order.prev,
            None => level.tail = order.prev,
        }
        level.qty -= u64::from(order.qty);
        if level.head.is_none() {
            levels.remove(&order.price);
        }
        self.by_id.remove(&order.id);
        order
    }

    fn cancel(&mut self, o: &mut impl Orders, id: u64) -> Option<u32> {
        let k = *self.by_id.get(&id)?;
        Some(self.unlink(o, k).qty)
    }

    /// Matches an incoming order against the other side from the best level's head, and rests
    /// what is left.
    fn submit(
        &mut self,
        o: &mut impl Orders,
        id: u64,
        side: Side,
        price: u32,
        mut qty: u32,
    ) -> Vec<Fill> {
        let mut fills = Vec::new();
        let other = match side {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        };
        while qty > 0 {
            let best = match other {
                Side::Sell => self.asks.first_key_value(),
                Side::Buy => self.bids.last_key_value(),
            };
            let Some((&level_price, level)) = best else {
                break;
            };
            let crosses = match side {
                Side::Buy => level_price <= price,
                Side::Sell => level_price >= price,
            };
            if !crosses {
                break;
            }
            let head = level.head;
            let resting = o.get_mut(head).expect("a level's head is key-owned");
            let take = resting.qty.min(qty);
            fills.push((resting.id, take));
            qty -= take;
            if take == resting.qty {
                self.unlink(o, head);
            } else {
                resting.qty -= take;
                self.levels(other).get_mut(&level_price).unwrap().qty -= u64::from(take);
            }
        }
        if qty > 0 {
            self.rest(o, id, side, price, qty);
        }
        fills
    }

    /// Walks a level head to tail: (id, qty) in time priority.
    fn walk(&self, o: &impl Orders, side: Side, price: u32) -> Vec<(u64, u32)> {
        let levels = match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        };
        let mut out = Vec::new();
        let mut at = levels.get(&price).map_or(Key::NONE, |l| l.head);
        while let Some(order) = o.get(at) {
            out.push((order.id, order.qty));
            at = order.next;
        }
        out
    }

    fn clear(&mut self, o: &mut impl Orders) {
        let keys: Vec<Key> = self.by_id.values().copied().collect();
        for k in keys {
            self.unlink(o, k);
        }
    }
}

/// The model: per side and price, a queue of (id, qty).
#[derive(Default)]
struct ModelBook {
    levels: BTreeMap<(Side, u32), VecDeque<(u64, u32)>>,
}

impl ModelBook {
    fn submit(&mut self, id: u64, side: Side, price: u32, mut qty: u32) -> Vec<Fill> {
        let mut fills = Vec::new();
        let other = if side == Side::Buy {
            Side::Sell
        } else {
            Side::Buy
        };
        while qty > 0 {
            let best = self
                .levels
                .keys()
                .filter(|(s, p)| {
                    *s == other
                        && match side {
                            Side::Buy => *p <= price,
                            Side::Sell => *p >= price,
                        }
                })
                .copied()
                .reduce(|a, b| match side {
                    Side::Buy => a.min(b),
                    Side::Sell => a.max(b),
                });
            let Some(at) = best else { break };
            let queue = self.levels.get_mut(&at).unwrap();
            let front = queue.front_mut().unwrap();
            let take = front.1.min(qty);
            fills.push((front.0, take));
            qty -= take;
            front.1 -= take;
            if front.1 == 0 {
                queue.pop_front();
                if queue.is_empty() {
                    self.levels.remove(&at);
                }
            }
        }
        if qty > 0 {
            self.levels
                .entry((side, price))
                .or_default()
                .push_back((id, qty));
        }
        fills
    }

    fn cancel(&mut self, id: u64) -> Option<u32> {
        let (&at, queue) = self
            .levels
            .iter_mut()
            .find(|(_, q)| q.iter().any(|e| e.0 == id))?;
        let i = queue.iter().position(|e| e.0 == id).unwrap();
        let qty = queue.remove(i).unwrap().1;
        if queue.is_empty() {
            self.levels.remove(&at);
        }
        Some(qty)
    }
}

#[derive(Debug, Clone)]
enum BookOp {
    Submit(bool, u32, u32),
    Cancel(u64),
}

fn book_op() -> impl Strategy<Value = BookOp> {
    prop_oneof![
        3 => (any::<bool>(), 95u32..106, 1u32..50).prop_map(|(b, p, q)| BookOp::Submit(b, p, q)),
        2 => (0u64..400).prop_map(BookOp::Cancel),
    ]
}

fn run_book(o: &mut impl Orders, ops: &[BookOp]) {
    let mut book = Book::default();
    let mut model = ModelBook::default();
    for (id, op) in (0u64..).zip(ops) {
        match *op {
            BookOp::Submit(buy, price, qty) => {
                let side = if buy { Side::Buy } else { Side::Sell };
                assert_eq!(
                    book.submit(o, id, side, price, qty),
                    model.submit(id, side, price, qty)
                );
            }
            BookOp::Cancel(id) => assert_eq!(book.cancel(o, id), model.cancel(id)),
        }
        for (&(side, price), queue) in &model.levels {
            assert_eq!(book.walk(o, side, price), Vec::from(queue.clone()));
            let levels = if side == Side::Buy {
                &book.bids
            } else {
                &book.asks
            };
            let total: u64 = queue.iter().map(|e| u64::from(e.1)).sum();
            assert_eq!(levels[&price].qty, total);
        }
        assert_eq!(book.bids.len() + book.asks.len(), model.levels.len());
    }
    book.clear(o);
}

proptest! {
    #![proptest_config(config(if cfg!(miri) { 2 } else { 48 }))]
    #[test]
    fn an_order_book_on_the_per_thread_allocator_matches_its_model(
        ops in prop::collection::vec(book_op(), 0..if cfg!(miri) { 30 } else { 400 })
    ) {
        if !order_alloc::is_initialized() {
            order_alloc::init().unbounded().chunk_capacity(8).build();
        }
        let mut a = order_alloc::access();
        run_book(&mut a, &ops);
        prop_assert_eq!(order_alloc::len(), 0);
    }

    #[test]
    fn an_order_book_on_a_bounded_slab_matches_its_model(
        ops in prop::collection::vec(book_op(), 0..if cfg!(miri) { 30 } else { 400 })
    ) {
        let slab = BoundedSlab::with_capacity(512);
        let mut a = slab.access();
        run_book(&mut a, &ops);
        drop(a);
        prop_assert!(slab.is_empty());
    }
}

//! The per-thread allocators of `create_allocator!` (one of 16-byte values with a heap part,
//! one of a zero-sized type) driven by a program and checked against a model after every
//! operation: keys handed out are free and in range, bounded allocators are full exactly at
//! their capacity, unbounded ones grow a tier exactly when full, leaked slots come back
//! through `reclaim` and nothing else does, `shutdown` is refused (with the count) while
//! slots are live, and `init` works again after it. Values count their drops.
//!
//! Each input ends with every slot dropped and the allocator shut down, so the next one
//! starts clean; or, with flag bit 1, the program runs on a thread of its own, which exits
//! with the allocator still initialized (the thread-exit release), its last slots maybe
//! dropped by another thread-local's destructor.
//!
//! Input: `[flags, m, x, y]`: flag bit 0 picks the zero-sized allocator, bit 1 a thread of
//! its own, bit 2 registers the holding thread-local before `init`; `m x y` the first
//! configuration (see `Config::decode`). Then 4-byte operations `[code, a, b, c]` (see
//! `Run::apply`).

#![no_main]

use fuzz_support::{must_panic, trace, Op, Reader, Tracked, Value, Zst};
use libfuzzer_sys::fuzz_target;
use nexus_slab::allocator::PerThread;
use nexus_slab::slot::{Slot, SlotOwner};
use nexus_slab::{create_allocator, Error, Full, Key, SlotsRemaining};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

create_allocator!(vals, Tracked);
create_allocator!(zsts, Zst);

fuzz_target!(|data: &[u8]| run(data));

#[derive(Debug, Clone, Copy)]
enum Config {
    Bounded {
        cap: u32,
        prefault: bool,
        ahead: Option<usize>,
    },
    Unbounded {
        chunk: u32,
        reserve: u32,
        prefault: bool,
        ahead: Option<usize>,
    },
}

impl Config {
    /// `m`: bit 0 unbounded, bit 1 a larger range, bit 2 prefault, bit 3 populate_ahead of
    /// `y × 512` bytes (0 turns it off). Bounded: capacity `xy % 130` (or `% 5000`), 0 being
    /// refused. Unbounded: chunk capacity `x % 65` (0 refused), reserve `y % 200` with bit 1.
    fn decode(m: u8, x: u8, y: u8) -> Config {
        let prefault = m & 4 != 0;
        let ahead = (m & 8 != 0).then_some(usize::from(y) * 512);
        if m & 1 == 0 {
            let raw = u32::from(x) | u32::from(y) << 8;
            let cap = raw % if m & 2 != 0 { 5000 } else { 130 };
            Config::Bounded {
                cap,
                prefault,
                ahead,
            }
        } else {
            Config::Unbounded {
                chunk: u32::from(x % 65),
                reserve: if m & 2 != 0 { u32::from(y % 200) } else { 0 },
                prefault,
                ahead,
            }
        }
    }

    fn valid(&self) -> bool {
        match *self {
            Config::Bounded { cap, .. } => cap > 0,
            Config::Unbounded { chunk, .. } => chunk > 0,
        }
    }

    /// The capacity right after `build`.
    fn initial_capacity(&self) -> u32 {
        match *self {
            Config::Bounded { cap, .. } => cap,
            Config::Unbounded { chunk, reserve, .. } => {
                let first = chunk.next_power_of_two();
                let mut cap = first;
                while cap < reserve {
                    cap = 2 * cap + first;
                }
                cap
            }
        }
    }
}

/// One generated allocator module, as a type.
trait Alloc: 'static {
    type V: Value;
    type O: SlotOwner<Value = Self::V>;
    fn try_build(cfg: Config) -> Result<(), Error>;
    fn build(cfg: Config);
    fn insert(v: Self::V) -> Slot<Self::O>;
    fn try_insert(v: Self::V) -> Result<Slot<Self::O>, Full<Self::V>>;
    fn contains_key(k: Key) -> bool;
    fn reclaim(k: Key) -> Option<Slot<Self::O>>;
    /// # Safety
    /// `k` is live; the reference is dropped before the slot is freed.
    unsafe fn get_unchecked(k: Key) -> &'static Self::V;
    /// # Safety
    /// As `get_unchecked`, and no other reference is in use.
    unsafe fn get_unchecked_mut(k: Key) -> &'static mut Self::V;
    fn len() -> u32;
    fn is_empty() -> bool;
    fn capacity() -> u32;
    fn is_initialized() -> bool;
    fn shrink();
    fn shutdown() -> Result<(), SlotsRemaining>;
    /// Touches the thread-local that holds slots past the program's end (registering its
    /// destructor).
    fn touch_held();
    /// Leaves `slots` to that thread-local, dropped when the thread exits.
    fn hold(slots: Vec<Slot<Self::O>>);
}

macro_rules! alloc_type {
    ($marker:ident, $m:ident, $v:ty, $held:ident) => {
        thread_local! {
            static $held: RefCell<Vec<$m::Slot>> = const { RefCell::new(Vec::new()) };
        }

        struct $marker;

        impl Alloc for $marker {
            type V = $v;
            type O = PerThread<$m::Allocator, $v>;

            fn try_build(cfg: Config) -> Result<(), Error> {
                match cfg {
                    Config::Bounded {
                        cap,
                        prefault,
                        ahead,
                    } => {
                        let b = $m::init().prefault(prefault);
                        let b = match ahead {
                            Some(n) => b.populate_ahead(n),
                            None => b,
                        };
                        b.bounded(cap).try_build()
                    }
                    Config::Unbounded {
                        chunk,
                        reserve,
                        prefault,
                        ahead,
                    } => {
                        let b = $m::init()
                            .unbounded()
                            .chunk_capacity(chunk)
                            .capacity(reserve);
                        let b = b.prefault(prefault);
                        let b = match ahead {
                            Some(n) => b.populate_ahead(n),
                            None => b,
                        };
                        b.try_build()
                    }
                }
            }
            fn build(cfg: Config) {
                match cfg {
                    Config::Bounded { cap, prefault, .. } => {
                        $m::init().bounded(cap).prefault(prefault).build()
                    }
                    Config::Unbounded {
                        chunk,
                        reserve,
                        prefault,
                        ..
                    } => $m::init()
                        .prefault(prefault)
                        .unbounded()
                        .capacity(reserve)
                        .chunk_capacity(chunk)
                        .build(),
                }
            }
            fn insert(v: $v) -> $m::Slot {
                $m::insert(v)
            }
            fn try_insert(v: $v) -> Result<$m::Slot, Full<$v>> {
                $m::try_insert(v)
            }
            fn contains_key(k: Key) -> bool {
                $m::contains_key(k)
            }
            fn reclaim(k: Key) -> Option<$m::Slot> {
                $m::reclaim(k)
            }
            unsafe fn get_unchecked(k: Key) -> &'static $v {
                // SAFETY: forwarded contract.
                unsafe { $m::get_unchecked(k) }
            }
            unsafe fn get_unchecked_mut(k: Key) -> &'static mut $v {
                // SAFETY: forwarded contract.
                unsafe { $m::get_unchecked_mut(k) }
            }
            fn len() -> u32 {
                $m::len()
            }
            fn is_empty() -> bool {
                $m::is_empty()
            }
            fn capacity() -> u32 {
                $m::capacity()
            }
            fn is_initialized() -> bool {
                $m::is_initialized()
            }
            fn shrink() {
                $m::shrink()
            }
            fn shutdown() -> Result<(), SlotsRemaining> {
                $m::shutdown()
            }
            fn touch_held() {
                $held.with(|h| h.borrow().len());
            }
            fn hold(slots: Vec<$m::Slot>) {
                $held.with(|h| h.borrow_mut().extend(slots));
            }
        }
    };
}

alloc_type!(Vals, vals, Tracked, HELD_VALS);
alloc_type!(Zsts, zsts, Zst, HELD_ZSTS);

/// A program run against one allocator, with its model.
struct Run<A: Alloc> {
    config: Option<Config>,
    slots: Vec<Slot<A::O>>,
    /// Every live key (owned by a slot or leaked) and its value.
    model: BTreeMap<u32, u32>,
    leaked: BTreeSet<u32>,
    /// The capacity last seen (unbounded allocators grow).
    cap: u32,
    step: u32,
}

impl<A: Alloc> Run<A> {
    fn new() -> Run<A> {
        assert!(
            !A::is_initialized(),
            "an earlier input left the allocator initialized"
        );
        assert_eq!(A::V::live(), 0, "an earlier input left values alive");
        Run {
            config: None,
            slots: Vec::new(),
            model: BTreeMap::new(),
            leaked: BTreeSet::new(),
            cap: 0,
            step: 0,
        }
    }

    fn full(&self) -> bool {
        matches!(self.config, Some(Config::Bounded { cap, .. }) if self.model.len() as u32 == cap)
    }

    fn init(&mut self, cfg: Config, panicking: bool) {
        let expect_ok = self.config.is_none() && cfg.valid();
        if panicking {
            if expect_ok {
                A::build(cfg);
            } else {
                let msg = must_panic(|| A::build(cfg));
                assert!(msg.contains("init()"), "{msg}");
            }
        } else {
            match A::try_build(cfg) {
                Ok(()) => assert!(expect_ok, "{cfg:?} built over {:?}", self.config),
                Err(Error::AlreadyInitialized { .. }) => assert!(self.config.is_some()),
                Err(Error::InvalidCapacity { .. }) => {
                    assert!(self.config.is_none() && !cfg.valid(), "{cfg:?}")
                }
                Err(e) => panic!("{cfg:?}: unexpected {e:?}"),
            }
        }
        if expect_ok {
            self.config = Some(cfg);
            self.cap = cfg.initial_capacity();
        }
    }

    fn value(&self, v: u32) -> u32 {
        A::V::norm(v)
    }

    /// A new slot came back: its key was free and is in range; an unbounded allocator grew
    /// (by one doubling tier) only if it was full.
    fn took(&mut self, slot: Slot<A::O>, v: u32, len_before: usize) {
        let k = slot.key();
        assert!(k.is_some());
        let cap = A::capacity();
        match self.config.expect("initialized") {
            Config::Bounded { cap: c, .. } => assert_eq!(cap, c),
            Config::Unbounded { chunk, .. } => {
                if cap != self.cap {
                    assert_eq!(len_before as u32, self.cap, "grew while not full");
                    assert_eq!(cap, 2 * self.cap + chunk.next_power_of_two(), "tier size");
                    self.cap = cap;
                }
            }
        }
        assert!(k.index() < cap, "{k:?} beyond capacity {cap}");
        assert!(
            self.model.insert(k.index(), self.value(v)).is_none(),
            "{k:?} handed out while live"
        );
        assert!(slot.is_valid() && A::contains_key(k));
        self.slots.push(slot);
    }

    fn insert(&mut self, v: u32, try_: bool) {
        let len = self.model.len();
        if self.config.is_none() {
            let msg = if try_ {
                must_panic(|| A::try_insert(A::V::make(v)))
            } else {
                must_panic(|| A::insert(A::V::make(v)))
            };
            assert!(msg.contains("not initialized"), "{msg}");
            return;
        }
        let full = self.full();
        if try_ {
            match A::try_insert(A::V::make(v)) {
                Ok(slot) => {
                    assert!(!full, "a full allocator took a value");
                    self.took(slot, v, len);
                }
                Err(Full(back)) => {
                    assert!(full, "refused with {len} live of {}", A::capacity());
                    assert_eq!(back.value(), self.value(v), "Full hands the value back");
                }
            }
        } else if full {
            let msg = must_panic(|| A::insert(A::V::make(v)));
            assert!(msg.contains("is full"), "{msg}");
        } else {
            let slot = A::insert(A::V::make(v));
            self.took(slot, v, len);
        }
    }

    /// A slot of `slots`, by selector.
    fn pick(&self, sel: u16) -> Option<usize> {
        (!self.slots.is_empty()).then(|| usize::from(sel) % self.slots.len())
    }

    /// A key from a selector: an owned one, a leaked one, one near the capacity, or any.
    fn raw_key(&self, sel: u16) -> u32 {
        let r = u32::from(sel >> 2);
        match sel & 3 {
            0 if !self.slots.is_empty() => self.slots[r as usize % self.slots.len()].key().index(),
            1 => r % (self.cap + 4),
            2 if !self.leaked.is_empty() => *self
                .leaked
                .iter()
                .nth(r as usize % self.leaked.len())
                .unwrap(),
            _ if r >= 0x3FFE => u32::MAX - (r & 1),
            _ => r,
        }
    }

    fn take(&mut self, i: usize) -> (Slot<A::O>, u32) {
        let slot = self.slots.swap_remove(i);
        let k = slot.key().index();
        let v = self.model.remove(&k).expect("a slot's key is live");
        assert_eq!(slot.value(), v, "slot {k}'s value");
        (slot, v)
    }

    /// Drops every slot, takes back every leaked one and drops it too.
    fn drop_all(&mut self) {
        self.slots.clear();
        for k in std::mem::take(&mut self.leaked) {
            let slot = A::reclaim(Key::new(k)).expect("a leaked slot comes back");
            assert_eq!(slot.value(), self.model[&k]);
            drop(slot);
        }
        self.model.clear();
        assert_eq!(A::len(), 0);
    }

    fn apply(&mut self, op: Op) {
        let v = u32::from(op.ab()) | u32::from(op.c) << 16;
        match op.code % 18 {
            0 | 1 => self.insert(v, op.code % 18 == 1),
            2 => {
                if let Some(i) = self.pick(op.ab()) {
                    let (slot, _) = self.take(i);
                    let k = slot.key();
                    drop(slot);
                    assert!(!A::contains_key(k), "{k:?} live after its slot dropped");
                }
            }
            3 => {
                if let Some(i) = self.pick(op.ab()) {
                    let (slot, v) = self.take(i);
                    let k = slot.key();
                    let value = slot.into_inner();
                    assert_eq!(value.value(), v);
                    assert!(!A::contains_key(k), "{k:?} live after into_inner");
                    drop(value);
                }
            }
            4 => {
                if let Some(i) = self.pick(op.ab()) {
                    let new = self.value(u32::from(op.c) * 0x0101_0101);
                    let slot = &mut self.slots[i];
                    let k = slot.key().index();
                    let old = slot.replace(A::V::make(new));
                    assert_eq!(old.value(), self.model[&k]);
                    self.model.insert(k, new);
                }
            }
            5 => {
                if let Some(i) = self.pick(op.ab()) {
                    let new = self.value(u32::from(op.c) * 0x0001_0001 + 7);
                    let slot = &mut self.slots[i];
                    let k = slot.key().index();
                    if op.c & 1 == 0 {
                        slot.set_value(new);
                    } else {
                        slot.get_mut().set_value(new);
                    }
                    assert_eq!(slot.get().value(), new);
                    self.model.insert(k, new);
                }
            }
            6 => {
                if let Some(i) = self.pick(op.ab()) {
                    let slot = self.slots.swap_remove(i);
                    let k = slot.key();
                    assert_eq!(slot.leak(), k, "leak returns the slot's key");
                    assert!(A::contains_key(k), "a leaked slot stays live");
                    assert!(self.leaked.insert(k.index()));
                }
            }
            7 if !self.leaked.is_empty() => {
                let n = usize::from(op.ab()) % self.leaked.len();
                let k = *self.leaked.iter().nth(n).unwrap();
                let slot = A::reclaim(Key::new(k)).expect("a leaked key comes back");
                assert_eq!(slot.key().index(), k);
                assert_eq!(slot.value(), self.model[&k]);
                self.leaked.remove(&k);
                assert!(A::reclaim(Key::new(k)).is_none(), "reclaimed twice");
                self.slots.push(slot);
            }
            7 | 8 => {
                let k = self.raw_key(op.ab());
                if self.config.is_none() {
                    let msg = must_panic(|| A::reclaim(Key::new(k)));
                    assert!(msg.contains("not initialized"), "{msg}");
                    return;
                }
                match A::reclaim(Key::new(k)) {
                    Some(slot) => {
                        assert!(self.leaked.remove(&k), "reclaim({k}) of a key not leaked");
                        assert_eq!(slot.value(), self.model[&k]);
                        self.slots.push(slot);
                    }
                    None => assert!(!self.leaked.contains(&k), "leaked {k} not reclaimed"),
                }
            }
            9 => {
                let k = self.raw_key(op.ab());
                assert_eq!(
                    A::contains_key(Key::new(k)),
                    self.model.contains_key(&k),
                    "contains_key({k})"
                );
                assert!(!A::contains_key(Key::NONE));
            }
            10 => {
                if let Some(i) = self.pick(op.ab()) {
                    let slot = &self.slots[i];
                    let k = slot.key();
                    assert!(slot.is_valid() && A::contains_key(k));
                    assert_eq!(self.model.get(&k.index()), Some(&slot.value()));
                    assert!(!self.leaked.contains(&k.index()));
                    // A key owned by a slot is not leaked: reclaim refuses it.
                    assert!(A::reclaim(k).is_none(), "reclaim of an owned {k:?}");
                }
            }
            11 => {
                A::shrink();
                self.check(true);
            }
            12 => match A::shutdown() {
                Ok(()) => {
                    assert!(
                        self.model.is_empty(),
                        "shut down with {} live",
                        self.model.len()
                    );
                    self.config = None;
                    self.cap = 0;
                }
                Err(SlotsRemaining { count, .. }) => {
                    assert!(self.config.is_some());
                    assert_eq!(count as usize, self.model.len());
                }
            },
            13 => self.init(Config::decode(op.a, op.b, op.c), op.a & 0x40 != 0),
            14 => {
                let n = op.ab() % 600;
                for j in 0..n {
                    if self.full() || self.config.is_none() {
                        break;
                    }
                    self.insert(self.step << 10 | u32::from(j), true);
                }
                if self.full() {
                    self.insert(0, true);
                }
            }
            15 => {
                // Drop every `every`-th slot.
                let every = 1 + usize::from(op.a % 4);
                let mut kept = Vec::new();
                for (i, slot) in std::mem::take(&mut self.slots).into_iter().enumerate() {
                    if i.is_multiple_of(every) {
                        self.model.remove(&slot.key().index());
                    } else {
                        kept.push(slot);
                    }
                }
                self.slots = kept;
            }
            16 if !self.leaked.is_empty() => {
                let n = usize::from(op.ab()) % self.leaked.len();
                let k = *self.leaked.iter().nth(n).unwrap();
                // SAFETY: `k` is leaked, so live; the references end here.
                unsafe {
                    assert_eq!(A::get_unchecked(Key::new(k)).value(), self.model[&k]);
                    if op.c & 1 != 0 {
                        let new = self.value(u32::from(op.c) << 8);
                        A::get_unchecked_mut(Key::new(k)).set_value(new);
                        self.model.insert(k, new);
                    }
                }
            }
            16 => {}
            _ => {
                // Start over with another configuration.
                self.drop_all();
                assert!(A::shutdown().is_ok());
                self.config = None;
                self.cap = 0;
                self.init(Config::decode(op.a, op.b, op.c), false);
            }
        }
    }

    fn check(&self, full: bool) {
        assert_eq!(A::is_initialized(), self.config.is_some());
        assert_eq!(A::len() as usize, self.model.len());
        assert_eq!(A::is_empty(), self.model.is_empty());
        assert_eq!(A::capacity(), self.cap);
        assert_eq!(A::V::live(), self.model.len() as i64, "values alive");
        assert_eq!(self.slots.len() + self.leaked.len(), self.model.len());
        if full || self.model.len() <= 64 || self.step.is_multiple_of(16) {
            let mut keys = BTreeSet::new();
            for slot in &self.slots {
                let k = slot.key().index();
                assert_eq!(self.model.get(&k), Some(&slot.value()), "slot {k}");
                assert!(keys.insert(k), "two slots with key {k}");
            }
            for &k in &self.leaked {
                assert!(keys.insert(k), "leaked {k} also owned");
                assert!(A::contains_key(Key::new(k)));
            }
            assert!(keys.iter().eq(self.model.keys()));
        }
    }
}

/// Runs the program; `thread_exit`: leave the allocator initialized (the slots to the
/// holding thread-local when `hold`), for the thread's exit to release.
fn program<A: Alloc>(r: &mut Reader, first: Config, thread_exit: bool, hold: bool) {
    let mut run = Run::<A>::new();
    run.init(first, false);
    run.check(true);
    while let Some(op) = r.op() {
        trace(|| format!("{:3} {op:?} (code {})", run.step, op.code % 18));
        run.apply(op);
        run.check(false);
        run.step += 1;
    }
    run.check(true);
    if thread_exit {
        // Leaked slots would keep the memory forever: take them back first.
        for k in std::mem::take(&mut run.leaked) {
            run.slots
                .push(A::reclaim(Key::new(k)).expect("a leaked slot comes back"));
        }
        if hold {
            A::hold(std::mem::take(&mut run.slots));
        }
        return;
    }
    run.drop_all();
    assert!(A::shutdown().is_ok());
    assert!(!A::is_initialized());
    assert_eq!(A::V::live(), 0);
}

fn go<A: Alloc>(data: &[u8], flags: u8, first: Config) {
    let (thread, hold) = (flags & 2 != 0, flags & 4 != 0);
    if !thread {
        program::<A>(&mut Reader::new(data), first, false, false);
        return;
    }
    let data = data.to_vec();
    std::thread::spawn(move || {
        if hold {
            // Registered before `init` registers the allocator's exit guard.
            A::touch_held();
        }
        program::<A>(&mut Reader::new(&data), first, true, hold);
    })
    .join()
    .expect("the program's thread");
    assert_eq!(A::V::live(), 0, "values alive after the thread exited");
}

fn run(data: &[u8]) {
    let mut r = Reader::new(data);
    let flags = r.u8();
    let first = Config::decode(r.u8(), r.u8(), r.u8());
    let rest = &data[data.len().min(4)..];
    trace(|| format!("flags {flags:#x}, {first:?}"));
    if flags & 1 == 0 {
        go::<Vals>(rest, flags, first);
    } else {
        go::<Zsts>(rest, flags, first);
    }
}

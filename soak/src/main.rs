//! Soak test of nexus-slab: the byte allocator is the process's `#[global_allocator]`, and two
//! threads churn, for `--seconds N` (default 120):
//! - the per-thread allocator (`create_allocator!`, unbounded): values with a checksum and a
//!   heap payload of random size, some of them in sendable slots (`insert_send`) that the
//!   other thread checks and drops, so their slots go back through the remote-free list;
//! - a `HiSlab` per thread: entries with a heap `String` of random length;
//! - direct heap allocations of random layouts (size and alignment), grown and shrunk with
//!   `realloc`, some of them (and some payloads) freed by the other thread.
//!
//! Sizes, lifetimes and choices come from a seeded RNG (`--seed`); each store's live count
//! rises and falls in waves up to `--max-live` (default 100,000 per store per thread),
//! sometimes down to zero, where the store is `shrink()`ed. Every second each thread checks
//! every live value it holds. At the end everything is dropped and checked: the per-thread
//! allocators are empty and shut down, the HiSlabs empty, the byte allocator's used bytes
//! exactly what they were before the threads started, and the resident memory outside the
//! byte allocator's arena within [`RSS_TOLERANCE`] of the start (the arena itself keeps the
//! pages it touched: the byte allocator never returns memory to the OS; its growth is
//! printed). Any mismatch exits with status 1.

use nexus_slab::byte::LockedSlabByteAllocator;
use nexus_slab::HiSlab;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use std::alloc::Layout;
use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::process::ExitCode;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::time::{Duration, Instant};

/// The heap of the whole process: 1 GiB of `.bss`, committed by the kernel as it is touched.
const ARENA_SIZE: usize = 1 << 30;

/// Resident memory outside the arena may exceed its start value by this much at the end:
/// what legitimately stays is the two worker threads' stacks (glibc caches freed stacks for
/// reuse, with the pages they touched), their TLS blocks and whatever glibc allocated for
/// itself. The per-thread allocators unmap their memory at `shutdown()` and the HiSlabs at
/// drop (after `shrink()`), so none of their memory may stay.
const RSS_TOLERANCE: usize = 4 << 20;

/// Page-aligned bytes in a `static`, reached only through the allocator.
#[repr(C, align(4096))]
struct Arena(UnsafeCell<MaybeUninit<[u8; ARENA_SIZE]>>);

// SAFETY: the bytes are handed to the allocator, which serializes every access with its lock.
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena(UnsafeCell::new(MaybeUninit::uninit()));

#[global_allocator]
// SAFETY: `ARENA` lives for the whole program and nothing but this allocator uses its bytes.
static GLOBAL: LockedSlabByteAllocator = unsafe {
    LockedSlabByteAllocator::with_region(UnsafeCell::raw_get(&ARENA.0).cast(), ARENA_SIZE)
};

fn arena_start() -> usize {
    UnsafeCell::raw_get(&ARENA.0).addr()
}

/// `true` if `[addr, addr + len)` lies inside the arena.
fn in_arena(addr: usize, len: usize) -> bool {
    let start = arena_start();
    addr >= start && addr - start <= ARENA_SIZE && len <= ARENA_SIZE - (addr - start)
}

// ---------------------------------------------------------------------------------------
// Patterns: every byte of every payload is a function of (seed, position).

/// Word `i` of the pattern of `seed` (splitmix64 of the pair).
#[inline]
fn word(seed: u64, i: u64) -> u64 {
    let mut z = seed.wrapping_add(i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Fills `buf` with the pattern of `seed`, each byte passed through `map`.
fn fill(buf: &mut [u8], seed: u64, map: fn(u8) -> u8) {
    let mut chunks = buf.chunks_exact_mut(8);
    let mut i = 0;
    for c in chunks.by_ref() {
        for (b, w) in c.iter_mut().zip(word(seed, i).to_le_bytes()) {
            *b = map(w);
        }
        i += 1;
    }
    let rest = chunks.into_remainder();
    for (b, w) in rest.iter_mut().zip(word(seed, i).to_le_bytes()) {
        *b = map(w);
    }
}

/// The first position where `buf` differs from the pattern of `seed`, if any.
fn mismatch(buf: &[u8], seed: u64, map: fn(u8) -> u8) -> Option<usize> {
    let mut chunks = buf.chunks_exact(8);
    let mut i = 0;
    for c in chunks.by_ref() {
        let want = word(seed, i).to_le_bytes().map(map);
        if c != want {
            let at = c.iter().zip(want).position(|(a, b)| *a != b).unwrap_or(0);
            return Some(i as usize * 8 + at);
        }
        i += 1;
    }
    let rest = chunks.remainder();
    let want = word(seed, i).to_le_bytes().map(map);
    rest.iter()
        .zip(want)
        .position(|(a, b)| *a != b)
        .map(|at| i as usize * 8 + at)
}

fn raw(b: u8) -> u8 {
    b
}

/// Printable ASCII (`@` ..= DEL), so a pattern is a valid `String`.
fn ascii(b: u8) -> u8 {
    0x40 | (b & 0x3f)
}

// ---------------------------------------------------------------------------------------
// The three kinds of live things.

/// A per-thread allocator value: header fields under a checksum, and a patterned payload.
struct Value {
    /// Thread number in the top byte, a per-thread counter below.
    id: u64,
    seed: u64,
    payload: Vec<u8>,
    check: u64,
}

nexus_slab::create_allocator!(values, Value);

fn value_check(id: u64, seed: u64, len: usize) -> u64 {
    word(
        id ^ 0xA5A5_A5A5_A5A5_A5A5,
        seed ^ (len as u64).rotate_left(32),
    )
}

impl Value {
    fn new(id: u64, seed: u64, len: usize) -> Value {
        let mut payload = vec![0; len];
        fill(&mut payload, seed, raw);
        Value {
            id,
            seed,
            payload,
            check: value_check(id, seed, len),
        }
    }

    fn verify(&self, thread: usize) -> Result<(), String> {
        if self.id >> 56 != thread as u64 {
            return Err(format!("value {:#x} belongs to another thread", self.id));
        }
        if self.check != value_check(self.id, self.seed, self.payload.len()) {
            return Err(format!(
                "value {:#x}: checksum {:#x} does not match its header (seed {:#x}, len {})",
                self.id,
                self.check,
                self.seed,
                self.payload.len()
            ));
        }
        check_heap(
            "value payload",
            self.payload.as_ptr(),
            self.payload.capacity(),
        )?;
        match mismatch(&self.payload, self.seed, raw) {
            None => Ok(()),
            Some(at) => Err(format!(
                "value {:#x}: payload of {} bytes differs from its pattern at byte {at}",
                self.id,
                self.payload.len()
            )),
        }
    }
}

/// A `HiSlab` entry: its own index, and a patterned heap string.
struct Entry {
    idx: u32,
    seed: u64,
    text: String,
}

impl Entry {
    fn text(seed: u64, len: usize) -> String {
        let mut bytes = vec![0; len];
        fill(&mut bytes, seed, ascii);
        String::from_utf8(bytes).expect("the pattern is ASCII")
    }

    fn verify(&self, idx: u32) -> Result<(), String> {
        if self.idx != idx {
            return Err(format!(
                "HiSlab slot {idx} holds the entry of slot {}",
                self.idx
            ));
        }
        check_heap("entry text", self.text.as_ptr(), self.text.capacity())?;
        match mismatch(self.text.as_bytes(), self.seed, ascii) {
            None => Ok(()),
            Some(at) => Err(format!(
                "HiSlab slot {idx}: text of {} bytes differs from its pattern at byte {at}",
                self.text.len()
            )),
        }
    }
}

/// A heap buffer (from a `Vec`/`String` with capacity) must lie in the arena.
fn check_heap(what: &str, ptr: *const u8, capacity: usize) -> Result<(), String> {
    if capacity == 0 || in_arena(ptr.addr(), capacity) {
        Ok(())
    } else {
        Err(format!(
            "{what} at {ptr:p} (capacity {capacity}) is outside the byte allocator's arena"
        ))
    }
}

/// A direct heap allocation of a random layout, filled with the pattern of `seed`.
///
/// Invariant: `ptr` was returned by the global allocator for `layout` (non-zero size), is
/// owned by this `Block` alone, and its `layout.size()` bytes are initialized.
struct Block {
    ptr: NonNull<u8>,
    layout: Layout,
    seed: u64,
}

// SAFETY: a `Block` owns its allocation exclusively, and the global allocator may free it
// from any thread.
unsafe impl Send for Block {}

impl Block {
    fn new(layout: Layout, seed: u64) -> Block {
        assert!(layout.size() > 0);
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { std::alloc::alloc(layout) };
        let Some(ptr) = NonNull::new(p) else {
            std::alloc::handle_alloc_error(layout)
        };
        // SAFETY: `ptr` is valid for writes of `layout.size()` bytes; zeroing initializes them.
        unsafe { ptr.as_ptr().write_bytes(0, layout.size()) };
        let mut block = Block { ptr, layout, seed };
        fill(block.bytes_mut(), seed, raw);
        block
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: the type invariant: valid, initialized, owned.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.layout.size()) }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: the type invariant; `&mut self` makes this the only reference.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.layout.size()) }
    }

    fn verify(&self) -> Result<(), String> {
        let (addr, size, align) = (
            self.ptr.as_ptr().addr(),
            self.layout.size(),
            self.layout.align(),
        );
        if addr % align != 0 {
            return Err(format!(
                "block at {addr:#x} (size {size}) is not {align}-aligned"
            ));
        }
        if !in_arena(addr, size) {
            return Err(format!(
                "block at {addr:#x} (size {size}) is outside the byte allocator's arena"
            ));
        }
        match mismatch(self.bytes(), self.seed, raw) {
            None => Ok(()),
            Some(at) => Err(format!(
                "block at {addr:#x} (size {size}, align {align}) differs from its pattern at \
                 byte {at}"
            )),
        }
    }

    /// `realloc`s to `new_size`; checks that the common prefix survived, then refills with
    /// the pattern of `seed`.
    fn resize(&mut self, new_size: usize, seed: u64) -> Result<(), String> {
        let old = self.layout.size();
        let new_layout = Layout::from_size_align(new_size, self.layout.align())
            .map_err(|e| format!("layout {new_size}/{}: {e}", self.layout.align()))?;
        assert!(new_size > 0);
        // SAFETY: `ptr` was allocated by the global allocator with `self.layout` (invariant);
        // `new_size` is non-zero and, with this alignment, a valid layout (checked above).
        let p = unsafe { std::alloc::realloc(self.ptr.as_ptr(), self.layout, new_size) };
        let Some(ptr) = NonNull::new(p) else {
            std::alloc::handle_alloc_error(new_layout)
        };
        self.ptr = ptr;
        self.layout = new_layout;
        if new_size > old {
            // SAFETY: `realloc` made `[0, new_size)` valid; the bytes past `old` are not yet
            // initialized, zeroing initializes them.
            unsafe { ptr.as_ptr().add(old).write_bytes(0, new_size - old) };
        }
        let keep = old.min(new_size);
        let prefix = mismatch(&self.bytes()[..keep], self.seed, raw);
        self.seed = seed;
        fill(self.bytes_mut(), seed, raw);
        match prefix {
            None => Ok(()),
            Some(at) => Err(format!(
                "realloc {old} -> {new_size} bytes (align {}) lost byte {at} of the old contents",
                self.layout.align()
            )),
        }
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        // SAFETY: allocated by the global allocator with `self.layout` (invariant); freed once.
        unsafe { std::alloc::dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

/// What one thread hands the other to check and free.
enum Msg {
    /// Joins the receiver's direct allocations, to be freed there later.
    Block(Block),
    /// A removed value's payload.
    Payload { seed: u64, bytes: Vec<u8> },
    /// A removed HiSlab entry's text.
    Text { seed: u64, text: String },
    /// A per-thread allocator value in a sendable slot, dropped by the receiver: its slot
    /// goes back to the sender's remote-free list.
    Value(values::SendSlot),
}

impl Msg {
    fn verify(&self) -> Result<(), String> {
        match self {
            Msg::Block(b) => b.verify(),
            Msg::Value(v) => v.verify((v.id >> 56) as usize),
            Msg::Payload { seed, bytes } => match mismatch(bytes, *seed, raw) {
                None => check_heap("sent payload", bytes.as_ptr(), bytes.capacity()),
                Some(at) => Err(format!(
                    "a payload of {} bytes sent from the other thread differs at byte {at}",
                    bytes.len()
                )),
            },
            Msg::Text { seed, text } => match mismatch(text.as_bytes(), *seed, ascii) {
                None => check_heap("sent text", text.as_ptr(), text.capacity()),
                Some(at) => Err(format!(
                    "a text of {} bytes sent from the other thread differs at byte {at}",
                    text.len()
                )),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------
// Random sizes and live-set waves.

/// A direct allocation's size: mostly small (every size class), some of pages.
fn heap_size(rng: &mut SmallRng) -> usize {
    match rng.random_range(0..100u32) {
        0..70 => rng.random_range(1..=64),
        70..90 => rng.random_range(65..=1024),
        90..99 => rng.random_range(1025..=4096),
        _ => rng.random_range(4097..=65536),
    }
}

/// A direct allocation's alignment: mostly ≤ 16, some up to a page, rarely above (the
/// page pool's aligned search).
fn heap_align(rng: &mut SmallRng) -> usize {
    match rng.random_range(0..1000u32) {
        0 => 1 << rng.random_range(13..=16u32),
        1..50 => 1 << rng.random_range(5..=12u32),
        _ => 1 << rng.random_range(0..=4u32),
    }
}

/// A value's payload length (0: no allocation).
fn payload_len(rng: &mut SmallRng) -> usize {
    if rng.random_range(0..10u32) == 0 {
        rng.random_range(129..=2048)
    } else {
        rng.random_range(0..=128)
    }
}

/// A HiSlab entry's text length.
fn text_len(rng: &mut SmallRng) -> usize {
    rng.random_range(0..=200)
}

/// A store's live count rises to a random peak, then falls to a random trough (zero a
/// quarter of the time), and again.
struct Wave {
    max: usize,
    target: usize,
    rising: bool,
}

enum Step {
    Insert,
    Remove,
    /// The store just reached its trough: shrink it, then insert.
    Bottom,
}

impl Wave {
    fn new(max: usize, rng: &mut SmallRng) -> Wave {
        Wave {
            max,
            target: rng.random_range(max / 8..=max),
            rising: true,
        }
    }

    fn step(&mut self, live: usize, rng: &mut SmallRng) -> Step {
        let mut bottom = false;
        if self.rising && live >= self.target {
            self.rising = false;
            self.target = if rng.random_range(0..4u32) == 0 {
                0
            } else {
                rng.random_range(0..=live / 4)
            };
        } else if !self.rising && live <= self.target {
            self.rising = true;
            self.target = rng.random_range(self.max / 8..=self.max);
            bottom = true;
        }
        if bottom {
            Step::Bottom
        } else if live == 0 || rng.random_bool(if self.rising { 0.7 } else { 0.3 }) {
            Step::Insert
        } else {
            Step::Remove
        }
    }
}

// ---------------------------------------------------------------------------------------
// Counts and shared state.

/// What one thread did.
#[derive(Default, Clone, Copy)]
struct Counts {
    value_insert: u64,
    value_remove: u64,
    value_mutate: u64,
    value_replace: u64,
    slab_insert: u64,
    slab_remove: u64,
    slab_mutate: u64,
    heap_alloc: u64,
    heap_free: u64,
    heap_realloc: u64,
    sent_payload: u64,
    sent_value: u64,
    sent_text: u64,
    sent_block: u64,
    send_full: u64,
    received: u64,
    shrinks: u64,
    verify_passes: u64,
    checked: u64,
    peak_values: usize,
    peak_slab: usize,
    peak_heap: usize,
    errors: u64,
    end: End,
}

/// The stores' state after a thread dropped everything.
#[derive(Clone, Copy)]
struct End {
    /// `values::len()` after every slot was dropped.
    values_len: u32,
    /// `values::shutdown()` returned `Ok`.
    shutdown_ok: bool,
    /// `HiSlab::len()` and the entries its iterator walks after every key was removed.
    slab_len: u32,
    slab_walked: usize,
}

impl Default for End {
    fn default() -> End {
        End {
            values_len: u32::MAX,
            shutdown_ok: false,
            slab_len: u32::MAX,
            slab_walked: usize::MAX,
        }
    }
}

impl Counts {
    fn ops(&self) -> u64 {
        self.value_insert
            + self.value_remove
            + self.value_mutate
            + self.value_replace
            + self.slab_insert
            + self.slab_remove
            + self.slab_mutate
            + self.heap_alloc
            + self.heap_free
            + self.heap_realloc
    }
}

/// Set on the first error anywhere: both threads stop churning and tear down.
static FAILED: AtomicBool = AtomicBool::new(false);

/// Each thread's operations so far and live counts, for the progress lines.
struct Progress {
    ops: AtomicU64,
    live: [AtomicUsize; 3],
}

static PROGRESS: [Progress; 2] = [const {
    Progress {
        ops: AtomicU64::new(0),
        live: [const { AtomicUsize::new(0) }; 3],
    }
}; 2];

struct Config {
    seconds: u64,
    seed: u64,
    max_live: usize,
}

// ---------------------------------------------------------------------------------------
// One worker thread.

struct Worker {
    thread: usize,
    rng: SmallRng,
    next_id: u64,
    counts: Counts,
    slots: Vec<values::Slot>,
    slab: HiSlab<Entry>,
    keys: Vec<u32>,
    blocks: Vec<Block>,
    tx: Option<SyncSender<Msg>>,
    rx: Receiver<Msg>,
}

impl Worker {
    fn fail(&mut self, what: &str, e: String) {
        self.counts.errors += 1;
        FAILED.store(true, Ordering::Relaxed);
        eprintln!("soak: thread {}: {what}: {e}", self.thread);
    }

    fn seed(&mut self) -> u64 {
        self.rng.random()
    }

    /// A quarter of what is removed goes to the other thread to be checked and freed there.
    fn send(&mut self, msg: Msg) {
        if self.rng.random_range(0..4u32) != 0 {
            return;
        }
        let Some(tx) = &self.tx else {
            return;
        };
        let count = match msg {
            Msg::Payload { .. } => &mut self.counts.sent_payload,
            Msg::Text { .. } => &mut self.counts.sent_text,
            Msg::Block(_) => &mut self.counts.sent_block,
            Msg::Value(_) => &mut self.counts.sent_value,
        };
        match tx.try_send(msg) {
            Ok(()) => *count += 1,
            Err(TrySendError::Full(_)) => self.counts.send_full += 1,
            Err(TrySendError::Disconnected(_)) => {
                // The other thread stopped (an error there); free here.
                self.tx = None;
            }
        }
    }

    fn receive(&mut self, msg: Msg, keep: bool) {
        self.counts.received += 1;
        if let Err(e) = msg.verify() {
            self.fail("received", e);
        }
        match msg {
            Msg::Block(b) if keep => self.blocks.push(b),
            _ => {}
        }
    }

    fn drain(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            self.receive(msg, true);
        }
    }

    fn value_op(&mut self, wave: &mut Wave) {
        let live = self.slots.len();
        if live > 0 && self.rng.random_range(0..10u32) == 0 {
            let i = self.rng.random_range(0..live);
            let (seed, len) = (self.seed(), payload_len(&mut self.rng));
            if self.rng.random_bool(0.5) {
                // In place: the payload is resized (realloc) and refilled.
                let thread = self.thread;
                let v = self.slots[i].get_mut();
                let r = v.verify(thread);
                v.payload.resize(len, 0);
                if len < v.payload.capacity() / 2 {
                    v.payload.shrink_to_fit();
                }
                fill(&mut v.payload, seed, raw);
                v.seed = seed;
                v.check = value_check(v.id, seed, len);
                self.counts.value_mutate += 1;
                if let Err(e) = r {
                    self.fail("mutate", e);
                }
            } else {
                let id = self.new_id();
                let old = self.slots[i].replace(Value::new(id, seed, len));
                self.counts.value_replace += 1;
                if let Err(e) = old.verify(self.thread) {
                    self.fail("replace", e);
                }
            }
            return;
        }
        match wave.step(live, &mut self.rng) {
            Step::Bottom => {
                values::shrink();
                self.counts.shrinks += 1;
                self.value_insert();
            }
            Step::Insert => self.value_insert(),
            Step::Remove => {
                let i = self.rng.random_range(0..live);
                let slot = self.slots.swap_remove(i);
                self.counts.value_remove += 1;
                if let Err(e) = slot.verify(self.thread) {
                    self.fail("remove", e);
                }
                if self.rng.random_bool(0.25) {
                    // A sendable slot instead, which the other thread frees (or, when `send`
                    // keeps it, this one does).
                    drop(slot);
                    let (id, seed, len) = (self.new_id(), self.seed(), payload_len(&mut self.rng));
                    self.send(Msg::Value(values::insert_send(Value::new(id, seed, len))));
                } else if self.rng.random_bool(0.5) {
                    drop(slot);
                } else {
                    let v = slot.into_inner();
                    if !v.payload.is_empty() {
                        self.send(Msg::Payload {
                            seed: v.seed,
                            bytes: v.payload,
                        });
                    }
                }
            }
        }
        self.counts.peak_values = self.counts.peak_values.max(self.slots.len());
    }

    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        ((self.thread as u64) << 56) | self.next_id
    }

    fn value_insert(&mut self) {
        let id = self.new_id();
        let (seed, len) = (self.seed(), payload_len(&mut self.rng));
        let slot = values::insert(Value::new(id, seed, len));
        self.slots.push(slot);
        self.counts.value_insert += 1;
    }

    fn slab_op(&mut self, wave: &mut Wave) {
        let live = self.keys.len();
        if live > 0 && self.rng.random_range(0..10u32) == 0 {
            let k = self.keys[self.rng.random_range(0..live)];
            let (seed, len) = (self.seed(), text_len(&mut self.rng));
            self.counts.slab_mutate += 1;
            let Some(e) = self.slab.get_mut(k) else {
                return self.fail("mutate", format!("HiSlab slot {k} is vacant"));
            };
            let r = e.verify(k);
            // The string's buffer is kept and resized (realloc), then refilled.
            let mut bytes = std::mem::take(&mut e.text).into_bytes();
            bytes.resize(len, 0);
            fill(&mut bytes, seed, ascii);
            e.text = String::from_utf8(bytes).expect("the pattern is ASCII");
            e.seed = seed;
            if let Err(e) = r {
                self.fail("mutate", e);
            }
            return;
        }
        match wave.step(live, &mut self.rng) {
            Step::Bottom => {
                self.slab.shrink();
                self.counts.shrinks += 1;
                self.slab_insert();
            }
            Step::Insert => self.slab_insert(),
            Step::Remove => {
                let k = self.keys.swap_remove(self.rng.random_range(0..live));
                self.counts.slab_remove += 1;
                match self.slab.remove(k) {
                    None => self.fail("remove", format!("HiSlab slot {k} is vacant")),
                    Some(e) => {
                        if let Err(err) = e.verify(k) {
                            self.fail("remove", err);
                        }
                        if !e.text.is_empty() {
                            self.send(Msg::Text {
                                seed: e.seed,
                                text: e.text,
                            });
                        }
                    }
                }
            }
        }
        self.counts.peak_slab = self.counts.peak_slab.max(self.keys.len());
    }

    fn slab_insert(&mut self) {
        let (seed, len) = (self.seed(), text_len(&mut self.rng));
        let text = Entry::text(seed, len);
        // The index is known only after the insert; write it in through `get_mut`.
        match self.slab.try_insert(Entry {
            idx: u32::MAX,
            seed,
            text,
        }) {
            Ok(k) => {
                if let Some(e) = self.slab.get_mut(k) {
                    e.idx = k;
                    self.keys.push(k);
                } else {
                    self.fail(
                        "insert",
                        format!("HiSlab::get_mut({k}) after its insert: None"),
                    );
                }
            }
            Err(_) => self.fail("insert", "HiSlab full".to_string()),
        }
        self.counts.slab_insert += 1;
    }

    fn heap_op(&mut self, wave: &mut Wave) {
        let live = self.blocks.len();
        if live > 0 && self.rng.random_range(0..10u32) == 0 {
            let i = self.rng.random_range(0..live);
            let (size, seed) = (heap_size(&mut self.rng), self.seed());
            self.counts.heap_realloc += 1;
            let r = self.blocks[i].verify();
            let r = r.and(self.blocks[i].resize(size, seed));
            if let Err(e) = r {
                self.fail("realloc", e);
            }
            return;
        }
        match wave.step(live, &mut self.rng) {
            Step::Bottom | Step::Insert => {
                let layout =
                    Layout::from_size_align(heap_size(&mut self.rng), heap_align(&mut self.rng))
                        .expect("sizes and alignments are small");
                let seed = self.seed();
                self.blocks.push(Block::new(layout, seed));
                self.counts.heap_alloc += 1;
            }
            Step::Remove => {
                let b = self.blocks.swap_remove(self.rng.random_range(0..live));
                self.counts.heap_free += 1;
                if let Err(e) = b.verify() {
                    self.fail("free", e);
                }
                self.send(Msg::Block(b));
            }
        }
        self.counts.peak_heap = self.counts.peak_heap.max(self.blocks.len());
    }

    /// Checks every live value of every store.
    fn verify_all(&mut self) {
        self.counts.verify_passes += 1;
        let mut errors = Vec::new();
        let stats = values::stats();
        if (stats.live - stats.sent) as usize != self.slots.len() {
            errors.push(format!(
                "values::stats(): {} live, {} of them sendable, but {} slots live",
                stats.live,
                stats.sent,
                self.slots.len()
            ));
        }
        for s in &self.slots {
            if !values::contains_key(s.key()) {
                errors.push(format!(
                    "values::contains_key({:?}) is false for a live slot",
                    s.key()
                ));
            }
            if let Err(e) = s.verify(self.thread) {
                errors.push(e);
            }
        }
        if self.slab.len() as usize != self.keys.len() {
            errors.push(format!(
                "HiSlab::len() {} but {} keys live",
                self.slab.len(),
                self.keys.len()
            ));
        }
        for &k in &self.keys {
            match self.slab.get(k) {
                None => errors.push(format!("HiSlab slot {k} is vacant")),
                Some(e) => {
                    if let Err(e) = e.verify(k) {
                        errors.push(e);
                    }
                }
            }
        }
        let mut walked = 0;
        for (k, e) in self.slab.iter() {
            walked += 1;
            if e.idx != k {
                errors.push(format!("HiSlab iteration: slot {k} holds entry {}", e.idx));
            }
        }
        if walked != self.keys.len() {
            errors.push(format!(
                "HiSlab iteration walked {walked} entries, {} live",
                self.keys.len()
            ));
        }
        for b in &self.blocks {
            if let Err(e) = b.verify() {
                errors.push(e);
            }
        }
        self.counts.checked += (self.slots.len() + self.keys.len() + self.blocks.len()) as u64;
        for e in errors.into_iter().take(20) {
            self.fail("verify", e);
        }
    }

    fn publish(&self) {
        let p = &PROGRESS[self.thread];
        p.ops.store(self.counts.ops(), Ordering::Relaxed);
        p.live[0].store(self.slots.len(), Ordering::Relaxed);
        p.live[1].store(self.keys.len(), Ordering::Relaxed);
        p.live[2].store(self.blocks.len(), Ordering::Relaxed);
    }

    /// Drops everything and checks that the stores are empty.
    fn teardown(&mut self) {
        // Stop sending; take what the other thread still sends until it stops too.
        self.tx = None;
        while let Ok(msg) = self.rx.recv() {
            self.receive(msg, false);
        }
        self.verify_all();

        drop(std::mem::take(&mut self.slots));
        // The sendable slots the other thread received come back as it drops them.
        let waited = Instant::now();
        while values::stats().sent > 0 && waited.elapsed() < Duration::from_secs(30) {
            std::thread::yield_now();
        }
        self.counts.end.values_len = values::len();
        values::shrink();
        match values::shutdown() {
            Ok(()) => self.counts.end.shutdown_ok = true,
            Err(e) => eprintln!("soak: thread {}: values::shutdown(): {e}", self.thread),
        }

        for k in std::mem::take(&mut self.keys) {
            match self.slab.remove(k) {
                None => self.fail("teardown", format!("HiSlab slot {k} is vacant")),
                Some(e) => {
                    if let Err(err) = e.verify(k) {
                        self.fail("teardown", err);
                    }
                }
            }
        }
        self.counts.end.slab_len = self.slab.len();
        self.counts.end.slab_walked = self.slab.iter().count();
        self.slab.shrink();

        drop(std::mem::take(&mut self.blocks));
        self.publish();
    }
}

fn run_worker(thread: usize, cfg: &Config, tx: SyncSender<Msg>, rx: Receiver<Msg>) -> Counts {
    values::init().unbounded().build();
    let capacity = u32::try_from(cfg.max_live * 2 + 1024).expect("--max-live fits a u32");
    let slab = HiSlab::new(0, capacity).expect("HiSlab::new");
    let mut rng = SmallRng::seed_from_u64(word(cfg.seed, thread as u64));
    let mut waves = [
        Wave::new(cfg.max_live, &mut rng),
        Wave::new(cfg.max_live, &mut rng),
        Wave::new(cfg.max_live, &mut rng),
    ];
    let mut w = Worker {
        thread,
        rng,
        next_id: 0,
        counts: Counts::default(),
        slots: Vec::new(),
        slab,
        keys: Vec::new(),
        blocks: Vec::new(),
        tx: Some(tx),
        rx,
    };
    let start = Instant::now();
    let deadline = start + Duration::from_secs(cfg.seconds);
    let mut next_verify = start + Duration::from_secs(1);
    'churn: loop {
        for _ in 0..1024 {
            match w.rng.random_range(0..3u32) {
                0 => w.value_op(&mut waves[0]),
                1 => w.slab_op(&mut waves[1]),
                _ => w.heap_op(&mut waves[2]),
            }
        }
        w.drain();
        w.publish();
        let now = Instant::now();
        if now >= next_verify {
            w.verify_all();
            next_verify = Instant::now() + Duration::from_secs(1);
        }
        if now >= deadline || FAILED.load(Ordering::Relaxed) {
            break 'churn;
        }
    }
    w.teardown();
    w.counts
}

// ---------------------------------------------------------------------------------------
// Memory figures.

fn page_size() -> usize {
    // SAFETY: `sysconf` only reads a configuration value.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(n).unwrap_or(4096)
}

/// Resident bytes of the process, from `/proc/self/statm`.
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("read /proc/self/statm");
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("/proc/self/statm: resident pages");
    pages * page_size()
}

/// Resident bytes of the arena, from `mincore` (a stack buffer: no heap use).
fn arena_resident() -> usize {
    let page = page_size();
    const CHUNK: usize = 4096;
    let mut vec = [0u8; CHUNK];
    let mut resident = 0;
    let mut offset = 0;
    while offset < ARENA_SIZE {
        let len = (ARENA_SIZE - offset).min(CHUNK * page);
        let addr = (arena_start() + offset) as *mut libc::c_void;
        // SAFETY: `[addr, addr + len)` is part of the arena's mapping and page-aligned;
        // `vec` has room for one byte per page of it. `mincore` reads no memory there.
        let rc = unsafe { libc::mincore(addr, len, vec.as_mut_ptr()) };
        assert_eq!(rc, 0, "mincore: {}", std::io::Error::last_os_error());
        resident += vec[..len.div_ceil(page)]
            .iter()
            .filter(|&&b| b & 1 != 0)
            .count()
            * page;
        offset += len;
    }
    resident
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
}

// ---------------------------------------------------------------------------------------

fn parse_args() -> Result<Config, String> {
    let mut cfg = Config {
        seconds: 120,
        seed: 0x5EED_0F50_A4ED,
        max_live: 100_000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| -> Result<u64, String> {
            let v = args.next().ok_or(format!("{name} needs a value"))?;
            let v = v.replace('_', "");
            match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => v.parse(),
            }
            .map_err(|e| format!("{name} {v}: {e}"))
        };
        match a.as_str() {
            "--seconds" => cfg.seconds = value("--seconds")?,
            "--seed" => cfg.seed = value("--seed")?,
            "--max-live" => {
                cfg.max_live = usize::try_from(value("--max-live")?).map_err(|e| e.to_string())?;
                if !(8..=1 << 30).contains(&cfg.max_live) {
                    return Err("--max-live must be 8 ..= 2^30".into());
                }
            }
            "-h" | "--help" => {
                println!("usage: soak [--seconds N (120)] [--seed S] [--max-live N (100000)]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(cfg)
}

/// Sums `used + available == total`, taken with no other thread running.
fn identity_holds() -> bool {
    GLOBAL.total_bytes() == GLOBAL.used_bytes() + GLOBAL.available_bytes()
}

fn main() -> ExitCode {
    let cfg = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("soak: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "soak: {} s, seed {:#x}, up to {} live per store per thread, 2 threads; heap: \
         LockedSlabByteAllocator over a {} arena",
        cfg.seconds,
        cfg.seed,
        cfg.max_live,
        mib(ARENA_SIZE)
    );
    let mut ok = true;
    let mut check = |good: bool, what: String| {
        println!("  [{}] {what}", if good { "ok" } else { "FAIL" });
        ok &= good;
    };

    let arena_start_res = arena_resident();
    let rss_start = rss();
    let used_start = GLOBAL.used_bytes();
    let identity_start = identity_holds();

    let (tx01, rx01) = sync_channel::<Msg>(1024);
    let (tx10, rx10) = sync_channel::<Msg>(1024);
    let started = Instant::now();
    let mut peak_used = used_start;
    let counts: [Counts; 2] = std::thread::scope(|s| {
        let cfg = &cfg;
        let h0 = s.spawn(move || run_worker(0, cfg, tx01, rx10));
        let h1 = s.spawn(move || run_worker(1, cfg, tx10, rx01));
        let mut next = 10;
        while !(h0.is_finished() && h1.is_finished()) {
            std::thread::sleep(Duration::from_millis(200));
            peak_used = peak_used.max(GLOBAL.used_bytes());
            let t = started.elapsed().as_secs();
            if t >= next && !(h0.is_finished() || h1.is_finished()) {
                next = t + 10;
                let live = |i: usize| {
                    let p = &PROGRESS[i];
                    let l: Vec<_> = p.live.iter().map(|a| a.load(Ordering::Relaxed)).collect();
                    format!("{} ops, live {:?}", p.ops.load(Ordering::Relaxed), l)
                };
                println!(
                    "  t={t:>4}s  heap used {:>10}  thread 0: {}  thread 1: {}",
                    mib(GLOBAL.used_bytes()),
                    live(0),
                    live(1)
                );
            }
        }
        [h0.join(), h1.join()].map(|r| {
            r.unwrap_or_else(|_| {
                FAILED.store(true, Ordering::Relaxed);
                Counts {
                    errors: 1,
                    ..Counts::default()
                }
            })
        })
    });
    let elapsed = started.elapsed();
    // Nothing the threads made is alive now (`counts` is plain numbers on the stack).
    let used_end = GLOBAL.used_bytes();
    let identity_end = identity_holds();
    let rss_end = rss();
    let arena_end_res = arena_resident();

    println!("\nran {:.1} s", elapsed.as_secs_f64());
    println!(
        "{:<34}{:>16}{:>16}{:>16}",
        "operations", "thread 0", "thread 1", "total"
    );
    type Field = fn(&Counts) -> u64;
    let rows: [(&str, Field); 24] = [
        ("per-thread allocator: insert", |c| c.value_insert),
        ("per-thread allocator: remove", |c| c.value_remove),
        ("per-thread allocator: mutate", |c| c.value_mutate),
        ("per-thread allocator: replace", |c| c.value_replace),
        ("HiSlab: insert", |c| c.slab_insert),
        ("HiSlab: remove", |c| c.slab_remove),
        ("HiSlab: mutate", |c| c.slab_mutate),
        ("heap: alloc", |c| c.heap_alloc),
        ("heap: remove (free here or send)", |c| c.heap_free),
        ("heap: realloc", |c| c.heap_realloc),
        ("sent to be freed by the other:", |_| 0),
        ("  value payloads", |c| c.sent_payload),
        ("  sendable slots", |c| c.sent_value),
        ("  HiSlab texts", |c| c.sent_text),
        ("  heap blocks (kept there a while)", |c| c.sent_block),
        ("  not sent (channel full)", |c| c.send_full),
        ("received and checked", |c| c.received),
        ("shrink() at a trough", |c| c.shrinks),
        ("verification passes", |c| c.verify_passes),
        ("values checked in them", |c| c.checked),
        ("peak live: per-thread allocator", |c| c.peak_values as u64),
        ("peak live: HiSlab", |c| c.peak_slab as u64),
        ("peak live: heap blocks", |c| c.peak_heap as u64),
        ("errors", |c| c.errors),
    ];
    for (name, f) in rows {
        if name.ends_with(':') {
            println!("{name}");
            continue;
        }
        let (a, b) = (f(&counts[0]), f(&counts[1]));
        println!("{name:<34}{a:>16}{b:>16}{:>16}", a + b);
    }
    let total_ops: u64 = counts.iter().map(Counts::ops).sum();
    println!(
        "{:<34}{:>16}{:>16}{:>16}",
        "all store operations",
        counts[0].ops(),
        counts[1].ops(),
        total_ops
    );
    println!(
        "({:.2} M store operations/s; every insert, alloc and mutation also allocates \
         through the global allocator)",
        total_ops as f64 / elapsed.as_secs_f64() / 1e6
    );

    println!("\nfinal checks");
    let errors: u64 = counts.iter().map(|c| c.errors).sum();
    check(
        errors == 0 && !FAILED.load(Ordering::Relaxed),
        format!("{errors} errors (failed verifications, vacant keys, a full HiSlab)"),
    );
    for (t, c) in counts.iter().enumerate() {
        let e = c.end;
        check(
            e.values_len == 0 && e.shutdown_ok,
            format!(
                "thread {t}: per-thread allocator len() {} after dropping every slot; \
                 shutdown() {}",
                e.values_len,
                if e.shutdown_ok { "Ok" } else { "Err" }
            ),
        );
        check(
            e.slab_len == 0 && e.slab_walked == 0,
            format!(
                "thread {t}: HiSlab len() {}, {} entries iterated, after removing every key",
                e.slab_len, e.slab_walked
            ),
        );
    }
    check(
        identity_start && identity_end,
        "byte allocator: total == used + available, before and after".to_string(),
    );
    check(
        used_end == used_start,
        format!("byte allocator used bytes: {used_start} before, {used_end} after"),
    );
    let other_start = rss_start.saturating_sub(arena_start_res);
    let other_end = rss_end.saturating_sub(arena_end_res);
    check(
        other_end <= other_start + RSS_TOLERANCE,
        format!(
            "RSS outside the arena: {} before, {} after (tolerance +{})",
            mib(other_start),
            mib(other_end),
            mib(RSS_TOLERANCE)
        ),
    );
    println!(
        "  [info] RSS: {} before, {} after; the arena's resident pages: {} before, {} after \
         (the byte allocator keeps the pages it touched: it never returns memory to the OS); \
         heap used at most {} (sampled every 200 ms)",
        mib(rss_start),
        mib(rss_end),
        mib(arena_start_res),
        mib(arena_end_res),
        mib(peak_used)
    );
    if ok {
        println!("soak: ok");
        ExitCode::SUCCESS
    } else {
        println!("soak: FAILED");
        ExitCode::FAILURE
    }
}

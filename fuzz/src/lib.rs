//! What the fuzz targets share: a byte reader that turns the fuzzer's input into a program,
//! values that count their own drops, and a way to call something that must panic.
//!
//! Inputs are decoded by hand (not with `arbitrary`) so that a program is easy to write as
//! bytes: each target reads a fixed header, then 4-byte operations `[code, a, b, c]` until
//! the input runs out (missing bytes read as 0). The seed corpus is written that way
//! (`make_seeds.py`).

use std::any::Any;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Once, OnceLock};

/// Reads the fuzzer's bytes front to back; past the end every read gives 0.
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// Little-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from(self.u8()) | u16::from(self.u8()) << 8
    }

    /// The next operation, `[code, a, b, c]`; `None` once the input is used up.
    pub fn op(&mut self) -> Option<Op> {
        if self.is_empty() {
            return None;
        }
        Some(Op {
            code: self.u8(),
            a: self.u8(),
            b: self.u8(),
            c: self.u8(),
        })
    }
}

/// One 4-byte operation: a code and three argument bytes.
#[derive(Debug, Clone, Copy)]
pub struct Op {
    pub code: u8,
    pub a: u8,
    pub b: u8,
    pub c: u8,
}

impl Op {
    /// `a` and `b` as a little-endian `u16`.
    pub fn ab(&self) -> u16 {
        u16::from(self.a) | u16::from(self.b) << 8
    }

    /// `a`, `b`, `c` as a little-endian 24-bit number.
    pub fn abc(&self) -> u32 {
        u32::from(self.ab()) | u32::from(self.c) << 16
    }
}

/// Values of [`Tracked`] alive now, over every thread (a slab that drops a value twice or
/// never shows here at once).
static TRACKED_LIVE: AtomicI64 = AtomicI64::new(0);
/// Values of [`Zst`] alive now.
static ZST_LIVE: AtomicI64 = AtomicI64::new(0);

/// A value with a heap part: a double drop is a double free for AddressSanitizer, a value
/// never dropped a leak, a value read from the wrong place a mismatch between `v` and `*heap`
/// (or a wild read). Counts its instances in [`Tracked::live`].
#[derive(PartialEq, Eq)]
pub struct Tracked {
    v: u32,
    heap: Box<u32>,
}

impl Tracked {
    pub fn new(v: u32) -> Tracked {
        TRACKED_LIVE.fetch_add(1, Ordering::Relaxed);
        Tracked {
            v,
            heap: Box::new(v),
        }
    }

    /// The value; panics if its two copies disagree (the bytes were overwritten).
    pub fn get(&self) -> u32 {
        assert_eq!(self.v, *self.heap, "a value's two copies disagree");
        self.v
    }

    pub fn set(&mut self, v: u32) {
        self.get();
        self.v = v;
        *self.heap = v;
    }

    /// Instances alive now.
    pub fn live() -> i64 {
        TRACKED_LIVE.load(Ordering::Relaxed)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.get();
        TRACKED_LIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for Tracked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.get())
    }
}

/// A zero-sized value that counts its instances.
#[derive(Debug)]
pub struct Zst;

impl Zst {
    pub fn new() -> Zst {
        ZST_LIVE.fetch_add(1, Ordering::Relaxed);
        Zst
    }

    pub fn live() -> i64 {
        ZST_LIVE.load(Ordering::Relaxed)
    }
}

impl Default for Zst {
    fn default() -> Zst {
        Zst::new()
    }
}

impl Drop for Zst {
    fn drop(&mut self) {
        ZST_LIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A value type the allocator target is generic over: a [`Tracked`] keeps its number, a
/// [`Zst`] keeps nothing (its number reads back as 0).
pub trait Value: Sized + 'static {
    fn make(v: u32) -> Self;
    fn value(&self) -> u32;
    fn set_value(&mut self, v: u32);
    fn live() -> i64;
    /// What `value()` gives back for a value made from `v`.
    fn norm(v: u32) -> u32;
}

impl Value for Tracked {
    fn make(v: u32) -> Self {
        Tracked::new(v)
    }
    fn value(&self) -> u32 {
        self.get()
    }
    fn set_value(&mut self, v: u32) {
        self.set(v)
    }
    fn live() -> i64 {
        Tracked::live()
    }
    fn norm(v: u32) -> u32 {
        v
    }
}

impl Value for Zst {
    fn make(_: u32) -> Self {
        Zst::new()
    }
    fn value(&self) -> u32 {
        0
    }
    fn set_value(&mut self, _: u32) {}
    fn live() -> i64 {
        Zst::live()
    }
    fn norm(_: u32) -> u32 {
        0
    }
}

thread_local! {
    /// Set while [`must_panic`] runs its closure: the panic hook then stays quiet.
    static EXPECTING: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

/// Runs `f`, which must panic, and returns the panic's message; panics itself (a crash for
/// the fuzzer) if `f` returns.
///
/// libFuzzer's panic hook aborts the process on any panic, caught or not; this wraps that
/// hook once so that a panic raised inside `f` is neither printed nor fatal.
#[track_caller]
pub fn must_panic<R>(f: impl FnOnce() -> R) -> String {
    HOOK.call_once(|| {
        let fuzzer_hook = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !EXPECTING.with(Cell::get) {
                fuzzer_hook(info)
            }
        }));
    });
    EXPECTING.with(|e| e.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    EXPECTING.with(|e| e.set(false));
    match result {
        Ok(_) => panic!("expected a panic, but the call returned"),
        Err(payload) => message(payload),
    }
}

fn message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

/// Prints the decoded program when `FUZZ_TRACE` is set (for reading a crash's input back).
pub fn trace(what: impl FnOnce() -> String) {
    static ON: OnceLock<bool> = OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("FUZZ_TRACE").is_some()) {
        eprintln!("{}", what());
    }
}

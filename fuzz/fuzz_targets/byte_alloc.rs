//! `SlabByteAllocator` over several regions taken from `std::alloc`, driven by random
//! allocations and frees and checked after every operation: blocks are aligned, inside a
//! region and never overlap (each is filled with its own byte and read back before it is
//! freed), `used_bytes` is what the documented size classes charge,
//! `total_bytes == used_bytes + available_bytes`, and `try_dealloc` refuses, changing
//! nothing, every pointer that is not the start of a live block (double frees, interior
//! pointers, foreign pointers) and every layout of another size class or page count.
//!
//! Input: `[regions, p, e, m]` then `p e m` per further region (1 to 4 regions, see
//! `RegionSpec::decode`), then 4-byte operations `[code, a, b, c]` (see `Heap::apply`).

#![no_main]

use fuzz_support::{trace, Op, Reader};
use libfuzzer_sys::fuzz_target;
use nexus_slab::byte::{AllocError, BaseAllocator, ByteAllocator, SlabByteAllocator, PAGE_SIZE};
use std::alloc::Layout;
use std::collections::{BTreeMap, VecDeque};
use std::ptr::{self, NonNull};

fuzz_target!(|data: &[u8]| run(data));

/// The slot sizes of the size classes, as the module documents them: every 8 bytes from 8
/// to 128, then four per doubling (×1.25, ×1.5, ×1.75, ×2) up to the page size.
fn class_sizes() -> Vec<usize> {
    let mut sizes: Vec<usize> = (1..=16).map(|i| 8 * i).collect();
    let mut base = 128;
    while base < PAGE_SIZE {
        sizes.extend((5..=8).map(|q| base * q / 4));
        base *= 2;
    }
    sizes
}

/// How the allocator serves a layout: nothing, a slot of a class (its size), or pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zero,
    Class(usize),
    Pages(usize),
}

fn kind(classes: &[usize], l: Layout) -> Kind {
    if l.size() == 0 {
        return Kind::Zero;
    }
    if l.size() <= PAGE_SIZE && l.align() <= PAGE_SIZE {
        // The first class at least as large whose size is a multiple of the alignment.
        let s = classes
            .iter()
            .copied()
            .find(|&s| s >= l.size() && s % l.align() == 0)
            .expect("the page size is a class");
        return Kind::Class(s);
    }
    Kind::Pages(l.size().div_ceil(PAGE_SIZE))
}

/// Bytes `used_bytes` charges for a live block of this kind.
fn charge(k: Kind) -> usize {
    match k {
        Kind::Zero => 0,
        Kind::Class(s) => s,
        Kind::Pages(n) => n * PAGE_SIZE,
    }
}

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).expect("a valid layout")
}

/// A layout from a byte, for the refused-free checks: sizes across classes and page counts.
fn some_layout(c: u8) -> Layout {
    const SIZES: [usize; 12] = [
        1, 8, 24, 100, 129, 512, 4096, 4097, 8192, 12288, 40000, 65536,
    ];
    layout(SIZES[usize::from(c) % SIZES.len()], 1 << ((c >> 4) % 13))
}

/// A region: `len` bytes at `start`, inside a page-aligned block of our own.
struct Region {
    block: *mut u8,
    block_layout: Layout,
    start: usize,
    len: usize,
}

impl Region {
    fn new(len: usize, misalign: usize) -> Region {
        let block_layout = layout(len + misalign, PAGE_SIZE);
        // SAFETY: non-zero size.
        let block = unsafe { std::alloc::alloc(block_layout) };
        assert!(!block.is_null(), "out of memory for a region");
        // The allocator takes addresses: expose the block's provenance.
        let start = block.wrapping_add(misalign).expose_provenance();
        Region {
            block,
            block_layout,
            start,
            len,
        }
    }

    fn contains(&self, addr: usize, len: usize) -> bool {
        addr >= self.start && addr + len <= self.start + self.len
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout; the allocator is gone by now.
        unsafe { std::alloc::dealloc(self.block, self.block_layout) }
    }
}

/// Region sizes from three bytes: `2 + p % 160` pages plus up to a page more, starting up
/// to 2 KiB past a page boundary.
struct RegionSpec {
    len: usize,
    misalign: usize,
}

impl RegionSpec {
    fn decode(p: u8, e: u8, m: u8) -> RegionSpec {
        RegionSpec {
            len: (2 + usize::from(p) % 160) * PAGE_SIZE + usize::from(e) * 17 % PAGE_SIZE,
            misalign: usize::from(m) * 8,
        }
    }
}

struct Block {
    ptr: NonNull<u8>,
    layout: Layout,
    kind: Kind,
    fill: u8,
}

impl Block {
    fn fill(&self) {
        // SAFETY: a live block of `layout.size()` bytes that only this target writes.
        unsafe { self.ptr.as_ptr().write_bytes(self.fill, self.layout.size()) }
    }

    fn check(&self) {
        // SAFETY: as in `fill`.
        let bytes = unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.layout.size()) };
        if let Some(at) = bytes.iter().position(|&b| b != self.fill) {
            panic!(
                "block {:?} ({:?}) overwritten at +{at}: {:#x} instead of {:#x}",
                self.ptr, self.layout, bytes[at], self.fill
            );
        }
    }
}

/// The allocator, its regions, and the model.
struct Heap {
    // Declared first: dropped before the regions it points into.
    heap: SlabByteAllocator,
    regions: Vec<Region>,
    classes: Vec<usize>,
    live: Vec<Block>,
    /// Start → end of the bytes each live block (not zero-sized) is charged for.
    spans: BTreeMap<usize, usize>,
    /// Recently freed blocks, for double frees.
    freed: VecDeque<(NonNull<u8>, Layout)>,
    used: usize,
    total: usize,
    step: u32,
}

impl Heap {
    fn new() -> Heap {
        Heap {
            heap: SlabByteAllocator::new(),
            regions: Vec::new(),
            classes: class_sizes(),
            live: Vec::new(),
            spans: BTreeMap::new(),
            freed: VecDeque::new(),
            used: 0,
            total: 0,
            step: 0,
        }
    }

    fn add_region(&mut self, spec: RegionSpec) {
        let r = Region::new(spec.len, spec.misalign);
        let before = self.heap.total_bytes();
        // SAFETY: the range is ours, exposed, and used only through the allocator from now
        // until the allocator is dropped (before the region).
        unsafe { self.heap.add_memory(r.start, r.len) }.expect("a region of two pages or more");
        let added = self.heap.total_bytes() - before;
        assert_eq!(added % PAGE_SIZE, 0, "whole pages");
        assert!(added > 0 && added <= r.len, "{added} of {} bytes", r.len);
        // Metadata is about 2.6% of a region, plus the padding to a page boundary.
        assert!(
            added + 2 * PAGE_SIZE + r.len / 25 >= r.len,
            "{added} of {} bytes",
            r.len
        );
        self.total += added;
        self.regions.push(r);
    }

    /// `add_memory` refuses overlapping, null, wrapping and too-small regions, changing
    /// nothing. (It refuses them before it touches the range.)
    fn add_bad(&mut self, op: Op) {
        let before = self.heap.total_bytes();
        let r = &self.regions[usize::from(op.a) % self.regions.len()];
        let (start, len, want) = match op.c % 4 {
            0 => {
                // Overlapping an existing region, from inside or from just before it.
                let off = usize::from(op.b) * 64 % r.len;
                let start = if op.c & 4 != 0 {
                    r.start - PAGE_SIZE.min(r.start)
                } else {
                    r.start + off
                };
                (
                    start,
                    2 * PAGE_SIZE + usize::from(op.b) * 64,
                    AllocError::MemoryOverlap,
                )
            }
            1 => (0, 64 * PAGE_SIZE, AllocError::InvalidParam),
            2 => (
                usize::MAX - 4 * PAGE_SIZE,
                8 * PAGE_SIZE,
                AllocError::InvalidParam,
            ),
            _ => {
                // Too small for one page and its metadata (fresh memory of our own).
                let tiny = Region::new(PAGE_SIZE + usize::from(op.b) % 64, 0);
                // SAFETY: ours and exposed; refused, so never used by the allocator.
                let got = unsafe { self.heap.add_memory(tiny.start, tiny.len) };
                assert_eq!(
                    got,
                    Err(AllocError::InvalidParam),
                    "a {}-byte region",
                    tiny.len
                );
                assert_eq!(self.heap.total_bytes(), before);
                return;
            }
        };
        // SAFETY: refused before anything is read or written (checked here).
        let got = unsafe { self.heap.add_memory(start, len) };
        assert_eq!(got, Err(want), "add_memory({start:#x}, {len})");
        assert_eq!(self.heap.total_bytes(), before);
    }

    fn alloc(&mut self, l: Layout) {
        let k = kind(&self.classes, l);
        let pages_before = self.heap.page_bytes_in_use();
        match self.heap.alloc(l) {
            Ok(ptr) => {
                let addr = ptr.as_ptr().addr();
                assert_eq!(addr % l.align(), 0, "{l:?} at {addr:#x}");
                let grew = self.heap.page_bytes_in_use() - pages_before;
                match k {
                    Kind::Zero => {
                        assert_eq!(addr, l.align(), "a zero-sized block is its alignment");
                        assert_eq!(grew, 0);
                    }
                    Kind::Class(_) => assert!(grew == 0 || grew == PAGE_SIZE, "{grew}"),
                    Kind::Pages(n) => assert_eq!(grew, n * PAGE_SIZE),
                }
                if k != Kind::Zero {
                    let end = addr + charge(k);
                    assert!(
                        self.regions.iter().any(|r| r.contains(addr, charge(k))),
                        "{l:?} at {addr:#x} is outside every region"
                    );
                    if let Some((&s, &e)) = self.spans.range(..=addr).next_back() {
                        assert!(e <= addr, "{l:?} at {addr:#x} overlaps [{s:#x}, {e:#x})");
                    }
                    if let Some((&s, &e)) = self.spans.range(addr..).next() {
                        assert!(s >= end, "{l:?} at {addr:#x} overlaps [{s:#x}, {e:#x})");
                    }
                    self.spans.insert(addr, end);
                }
                self.used += charge(k);
                let fill = (self.step as u8).wrapping_mul(31).wrapping_add(7);
                let b = Block {
                    ptr,
                    layout: l,
                    kind: k,
                    fill,
                };
                b.fill();
                self.live.push(b);
            }
            Err(e) => {
                assert_eq!(e, AllocError::NoMemory, "{l:?}");
                assert_ne!(k, Kind::Zero, "a zero-sized alloc cannot fail");
                if let Kind::Class(_) = k {
                    // Refused only when no page is free.
                    assert_eq!(pages_before, self.heap.total_bytes(), "{l:?} refused");
                }
                assert_eq!(self.heap.page_bytes_in_use(), pages_before);
            }
        }
    }

    /// Frees live block `i` (`try_`: with `try_dealloc`, which must accept it).
    fn free(&mut self, i: usize, try_: bool) {
        let b = self.live.swap_remove(i);
        b.check();
        let pages_before = self.heap.page_bytes_in_use();
        if try_ {
            // SAFETY: a live block with its layout; not used again.
            let got = unsafe { self.heap.try_dealloc(b.ptr, b.layout) };
            assert_eq!(
                got,
                Ok(()),
                "try_dealloc of live {:?} ({:?})",
                b.ptr,
                b.layout
            );
        } else {
            // SAFETY: as above.
            unsafe { self.heap.dealloc(b.ptr, b.layout) };
        }
        self.forget(&b, pages_before);
    }

    /// The model's side of a free.
    fn forget(&mut self, b: &Block, pages_before: usize) {
        let shrank = pages_before - self.heap.page_bytes_in_use();
        match b.kind {
            Kind::Zero => assert_eq!(shrank, 0),
            Kind::Class(_) => assert!(shrank == 0 || shrank == PAGE_SIZE, "{shrank}"),
            Kind::Pages(n) => assert_eq!(shrank, n * PAGE_SIZE),
        }
        self.used -= charge(b.kind);
        if b.kind != Kind::Zero {
            self.spans.remove(&b.ptr.as_ptr().addr());
            self.freed.push_back((b.ptr, b.layout));
            if self.freed.len() > 64 {
                self.freed.pop_front();
            }
        }
    }

    /// `try_dealloc(addr, l)` of an address where no live block starts must be refused,
    /// and change nothing.
    fn refuse(&mut self, addr: usize, l: Layout) {
        let starts_here = self.spans.contains_key(&addr);
        if starts_here || l.size() == 0 {
            return;
        }
        let (used, pages) = (self.heap.used_bytes(), self.heap.page_bytes_in_use());
        let p = NonNull::new(ptr::with_exposed_provenance_mut::<u8>(addr)).expect("non-null");
        // SAFETY: refused (checked here), so nothing is freed.
        let got = unsafe { self.heap.try_dealloc(p, l) };
        assert_eq!(
            got,
            Err(AllocError::NotAllocated),
            "try_dealloc({addr:#x}, {l:?})"
        );
        assert_eq!(self.heap.used_bytes(), used);
        assert_eq!(self.heap.page_bytes_in_use(), pages);
    }

    fn pick(&self, sel: u16) -> Option<usize> {
        (!self.live.is_empty()).then(|| usize::from(sel) % self.live.len())
    }

    fn apply(&mut self, op: Op) {
        match op.code % 16 {
            0..=2 => self.alloc(layout(1 + usize::from(op.ab()) % 512, 1 << (op.c % 5))),
            3 => self.alloc(layout(1 + usize::from(op.ab()), 1 << (op.c % 15))),
            4 => {
                // Sizes at page multiples and one either side.
                let k = usize::from(op.a % 17) * PAGE_SIZE;
                let size = (k + usize::from(op.b % 3)).saturating_sub(1).max(1);
                self.alloc(layout(size, 1 << (op.c % 13)));
            }
            5 => self.alloc(layout(0, 1 << (op.c % 13))),
            6 | 7 => {
                if let Some(i) = self.pick(op.ab()) {
                    self.free(i, false);
                }
            }
            8 => {
                if let Some(i) = self.pick(op.ab()) {
                    self.free(i, true);
                }
            }
            9 => {
                // Double free.
                if !self.freed.is_empty() {
                    let (p, l) = self.freed[usize::from(op.ab()) % self.freed.len()];
                    self.refuse(p.as_ptr().addr(), l);
                }
            }
            10 => {
                // Inside a live block.
                if let Some(i) = self.pick(op.ab()) {
                    let b = &self.live[i];
                    let len = charge(b.kind);
                    if len > 1 {
                        let addr = b.ptr.as_ptr().addr() + 1 + usize::from(op.c) * 37 % (len - 1);
                        self.refuse(addr, some_layout(op.c));
                    }
                }
            }
            11 => {
                // A live block with another layout: refused unless the allocator cannot tell
                // it apart (the same class or page count), when it frees the block.
                if let Some(i) = self.pick(op.ab()) {
                    let other = some_layout(op.c);
                    let b = &self.live[i];
                    if b.kind == Kind::Zero {
                        return;
                    }
                    let same = kind(&self.classes, other) == b.kind;
                    let (used, pages) = (self.heap.used_bytes(), self.heap.page_bytes_in_use());
                    // SAFETY: if it is accepted the block is forgotten below.
                    let got = unsafe { self.heap.try_dealloc(b.ptr, other) };
                    if same {
                        assert_eq!(got, Ok(()), "{:?} freed as {other:?}", b.layout);
                        let b = self.live.swap_remove(i);
                        b.check();
                        self.forget(&b, pages);
                    } else {
                        assert_eq!(
                            got,
                            Err(AllocError::NotAllocated),
                            "{:?} freed as {other:?}",
                            b.layout
                        );
                        assert_eq!(self.heap.used_bytes(), used);
                        assert_eq!(self.heap.page_bytes_in_use(), pages);
                        b.check();
                    }
                }
            }
            12 => {
                // Anywhere in a region: metadata, free pages, free slots, inside blocks.
                let r = &self.regions[usize::from(op.a) % self.regions.len()];
                let addr = r.start + usize::from(op.ab()) * 8 % r.len;
                self.refuse(addr, some_layout(op.c));
            }
            13 => {
                // Outside every region.
                let local = 0u64;
                let boxed = Box::new(0u64);
                let addr = match op.a % 5 {
                    0 => ptr::addr_of!(local).expose_provenance(),
                    1 => (&*boxed as *const u64).expose_provenance(),
                    2 => PAGE_SIZE * (1 + usize::from(op.b)),
                    3 => usize::MAX - 4095,
                    _ => {
                        // A zero-sized layout with a pointer other than its dangling one.
                        let l = layout(0, 1 << (op.c % 13));
                        let p = NonNull::new(ptr::without_provenance_mut::<u8>(l.align() * 2 + 8))
                            .unwrap();
                        // SAFETY: refused, nothing freed.
                        let got = unsafe { self.heap.try_dealloc(p, l) };
                        assert_eq!(got, Err(AllocError::NotAllocated));
                        return;
                    }
                };
                if !self.regions.iter().any(|r| r.contains(addr, 1)) {
                    self.refuse(addr, some_layout(op.c));
                }
            }
            14 => {
                if self.regions.len() < 6 && op.c & 0x80 == 0 {
                    self.add_region(RegionSpec::decode(op.a, op.b, op.c));
                } else {
                    self.add_bad(op);
                }
            }
            _ => {
                if op.a & 1 == 0 {
                    // Free every `every`-th block.
                    let every = 1 + usize::from(op.b % 4);
                    let mut i = self.live.len();
                    while i > 0 {
                        i -= 1;
                        if i.is_multiple_of(every) {
                            self.free(i, op.c & 1 != 0);
                        }
                    }
                } else {
                    self.live.iter().for_each(Block::check);
                }
            }
        }
    }

    fn check(&self) {
        let h = &self.heap;
        assert_eq!(h.used_bytes(), self.used, "used_bytes");
        assert_eq!(h.total_bytes(), self.total, "total_bytes");
        assert_eq!(h.total_bytes(), h.used_bytes() + h.available_bytes());
        let pages = h.page_bytes_in_use();
        assert!(
            h.used_bytes() <= pages && pages <= h.total_bytes(),
            "page_bytes_in_use {pages}"
        );
        assert_eq!(pages % PAGE_SIZE, 0);
        if self.step.is_multiple_of(16) {
            self.live.iter().for_each(Block::check);
        }
    }
}

fn run(data: &[u8]) {
    let mut r = Reader::new(data);
    let n = 1 + r.u8() % 4;
    let mut h = Heap::new();
    for _ in 0..n {
        let spec = RegionSpec::decode(r.u8(), r.u8(), r.u8());
        trace(|| {
            format!(
                "region of {} bytes, {} past a page",
                spec.len, spec.misalign
            )
        });
        h.add_region(spec);
    }
    h.check();
    while let Some(op) = r.op() {
        trace(|| format!("{:3} {op:?} (code {})", h.step, op.code % 16));
        h.apply(op);
        h.check();
        h.step += 1;
    }
    while !h.live.is_empty() {
        h.free(h.live.len() - 1, false);
    }
    assert_eq!(h.heap.used_bytes(), 0);
    // Each class keeps at most its current page once everything is freed.
    assert!(h.heap.page_bytes_in_use() <= h.classes.len() * PAGE_SIZE);
}

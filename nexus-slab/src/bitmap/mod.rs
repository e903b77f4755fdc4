//! The hierarchical occupancy bitmap: which indices are live, the lowest free one, the next
//! live one, each in O(levels) with levels = ⌈log64(capacity)⌉ (at most 6 for 2³² indices).
//!
//! ```text
//!  level 2   full: [1 0 ..]   live: [1 1 ..]        one bit per level-1 word
//!  level 1   full: [1 1 0 ..] live: [1 1 1 ..]      one bit per level-0 word
//!  level 0   occ : [!0][!0][0b1011..]..             one bit per index
//! ```
//! - `occ` bit i ⇔ index i is occupied.
//! - `full[k]` bit b of word w ⇒ word `64w + b` of level k-1 is all ones (for k-1 = 0, the
//!   occupancy word; otherwise the `full` word): a subset, the mirror of `live`. Remove clears
//!   bits as words stop being full; insert never sets them; the search for a non-full word
//!   sets the stale ones it meets (a clear bit over a full child). Padding bits past the last
//!   child are set, so a search never leaves the arrays.
//! - `live[k]` bit b of word w ⇐ word `64w + b` of level k-1 is non-zero: a superset. Insert
//!   sets live bits as words become non-zero; remove never clears them; iteration clears the
//!   stale ones it meets (a set bit over an empty child), so each stale bit costs O(1) once.
//!   Iteration is O(levels) per live run plus O(1) per word emptied since the last pass, and
//!   remove touches no summary at all.
//!
//! Insert touches no summary (unless a word's live bit was cleared by iteration); remove
//! touches the `full` summaries only when a word that was full loses a bit, and the change
//! stops climbing at the first level that was not full. `hint` remembers the lowest level-0 word that may
//! hold a free bit, so an insert usually reads a single word and never descends.
//!
//! A bitmap in [`Mode::Pool`] keeps no `live` summaries: pools and the tiers under the
//! per-thread allocators never iterate, and without them a single-value churn touches one
//! word and no summary at all. Iteration over such a bitmap scans level 0 linearly (used only
//! at drop).
//!
//! The whole structure lives in one zeroed block of words — a [`Region`] it owns
//! ([`Bitmap::new`]) or caller-provided storage ([`Bitmap::in_place`], used by the byte
//! allocator, which may not allocate) — written only through its raw pointer (never through a
//! reference), so operations take `&self` and a live iterator can coexist with inserts. The
//! type is `!Sync` through the `Cell`.

use crate::memory::{MemOptions, Region};
use crate::Error;
use core::cell::Cell;

mod cursor;
#[cfg(any(test, feature = "rand"))]
mod groups;

pub(crate) use cursor::Cursor;

/// What a bitmap keeps, and which free index [`Bitmap::acquire`] hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `live` summaries for iteration; the lowest free index (index slabs: compact, and
    /// the contract of `HiSlab`).
    Indexed,
    /// No `live` summaries; the lowest free index (buffer pools and the tiers under the
    /// `Slot` allocators, which put a cache of recently freed slots in front of the bitmap).
    Pool,
}

/// Enough levels for 2³² indices: 64⁶ = 2³⁶.
const MAX_LEVELS: usize = 6;
const ALL: u64 = u64::MAX;
/// What [`Bitmap::live_probe`] points to when there are no level-1 live words: every bit
/// set, so no insert ever tries to set one.
static ALL_LIVE: u64 = ALL;

/// [`Bitmap::acquire_or_none`]'s "every index is taken" (never an index: capacities fit in
/// `u32`).
const NONE: usize = usize::MAX;

/// Level-0 words per 64-byte line: level 0 is allocated in whole aligned groups of this many.
pub(crate) const GROUP: usize = 8;

/// A hierarchical bitmap over `capacity` indices.
///
/// Invariants:
/// - every `full`/`live` summary bit agrees with its child word, as the module docs say;
/// - `hint < words[0]`, and every word below `hint` at level 0 is all ones (so `acquire`
///   hands out the lowest free index);
/// - `occ` bits at or past `capacity` are never set;
/// - `occ` is 64-byte aligned and readable for `words[0].next_multiple_of(GROUP)` words; the
///   padding words past `words[0]` are zero and never written.
pub(crate) struct Bitmap {
    occ: *mut u64,
    /// `full[k]`, `live[k]` for `1 <= k < levels`; index 0 unused.
    full: [*mut u64; MAX_LEVELS],
    live: [*mut u64; MAX_LEVELS],
    /// The level-1 `live` words when they are kept (`track_live` and `levels > 1`), else
    /// [`ALL_LIVE`]: a word whose bits all read "set", so the insert's one test of a word's
    /// live bit never has to ask first whether there is one. Only read through; the words it
    /// points to are written only through `live[1]`.
    live_probe: *const u64,
    /// `usize::MAX` when `live_probe` is `live[1]`, else 0 (so every probe reads
    /// `ALL_LIVE[0]`).
    probe_mask: usize,
    /// A level-0 word whose live bit is known to be set (`usize::MAX`: none), so a churn that
    /// empties and refills one word does not probe the summary each time. Only iteration
    /// clears live bits, and it forgets this word when it does.
    live_known: Cell<usize>,
    /// Words per level.
    words: [usize; MAX_LEVELS],
    levels: usize,
    capacity: usize,
    /// Whether the `live` summaries are kept (else they are unused and never written).
    track_live: bool,
    hint: Cell<usize>,
    storage: Storage,
}

/// Where a [`Bitmap`]'s words live.
enum Storage {
    /// A reservation the bitmap owns and releases on drop.
    Owned(Region),
    /// Words the caller provided to [`Bitmap::in_place`]; the caller keeps them alive.
    Borrowed,
}

/// Words per level and the number of levels for `capacity` indices.
const fn shape(capacity: usize) -> ([usize; MAX_LEVELS], usize) {
    let mut words = [0usize; MAX_LEVELS];
    words[0] = if capacity == 0 {
        1
    } else {
        capacity.div_ceil(64)
    };
    let mut levels = 1;
    while words[levels - 1] > 1 {
        words[levels] = words[levels - 1].div_ceil(64);
        levels += 1;
    }
    debug_assert!(levels <= MAX_LEVELS);
    (words, levels)
}

/// Words before level 0 (the summaries, padded to a whole number of [`GROUP`]s) and words in
/// all, for `capacity` indices with or without `live` summaries. Level 0 is padded with zero
/// words to a whole number of groups too, so any aligned group of words can be read without a
/// bounds check.
const fn layout(capacity: usize, track_live: bool) -> (usize, usize) {
    let (words, levels) = shape(capacity);
    let per_level = if track_live { 2 } else { 1 };
    let mut summary = 0;
    let mut k = 1;
    while k < levels {
        summary += per_level * words[k];
        k += 1;
    }
    let summary = summary.next_multiple_of(GROUP);
    (summary, summary + words[0].next_multiple_of(GROUP))
}

impl Bitmap {
    /// A bitmap for `capacity` indices, all free. Commits the words covering the first
    /// `prefault` indices now.
    pub(crate) fn new(
        capacity: u32,
        prefault: u32,
        mode: Mode,
        opts: MemOptions,
    ) -> Result<Bitmap, Error> {
        let (summary_words, total) = layout(capacity as usize, mode == Mode::Indexed);
        let region = Region::reserve(total * 8, 64, opts)?;
        // SAFETY: the region is fresh.
        unsafe { region.prefault(0, summary_words * 8 + (prefault as usize).div_ceil(64) * 8) }?;
        let base = region.as_ptr().cast::<u64>();
        // SAFETY: the region is `layout(..).1` zeroed words aligned to 64, owned by the bitmap
        // from here on and written only through it.
        Ok(unsafe { Bitmap::carve(base, capacity, mode, Storage::Owned(region)) })
    }

    /// Bytes of word storage a bitmap over `capacity` indices needs: what [`Bitmap::in_place`]
    /// expects its `words` to cover.
    pub(crate) const fn bytes_needed(capacity: u32) -> usize {
        layout(capacity as usize, true).1 * 8
    }

    /// A bitmap for `capacity` indices, all free, over caller-provided words, in
    /// [`Mode::Indexed`]. The words are zeroed (and the summary padding set) here. Level 0 is
    /// then only as aligned as `words` (the sampling counts, which read it in line-aligned
    /// groups, only run over owned bitmaps).
    ///
    /// # Safety
    /// - `words` is valid for reads and writes of [`Bitmap::bytes_needed`]`(capacity)` bytes
    ///   and aligned to 8;
    /// - nothing else reads or writes those bytes while the returned bitmap lives (it writes
    ///   through `words` from `&self`), and they stay allocated for that long.
    pub(crate) unsafe fn in_place(words: *mut u64, capacity: u32) -> Bitmap {
        // SAFETY: valid for `bytes_needed(capacity)` bytes (caller contract).
        unsafe {
            words
                .cast::<u8>()
                .write_bytes(0, Self::bytes_needed(capacity))
        };
        // SAFETY: just zeroed; aligned, exclusive and alive as long as the bitmap (caller).
        unsafe { Bitmap::carve(words, capacity, Mode::Indexed, Storage::Borrowed) }
    }

    /// Lays the levels out over `base`: small summary levels first (top down, full then live),
    /// then level 0 after the padded summaries; sets the padding bits.
    ///
    /// # Safety
    /// `base` points to `layout(capacity, mode == Indexed).1` zeroed words, aligned to 8, that
    /// the bitmap may read and write until it drops (owned through `storage`, or by the
    /// caller).
    unsafe fn carve(base: *mut u64, capacity: u32, mode: Mode, storage: Storage) -> Bitmap {
        let capacity = capacity as usize;
        let track_live = mode == Mode::Indexed;
        let (words, levels) = shape(capacity);
        let (summary_words, _) = layout(capacity, track_live);
        let per_level = if track_live { 2 } else { 1 };
        let mut full = [core::ptr::null_mut(); MAX_LEVELS];
        let mut live = [core::ptr::null_mut(); MAX_LEVELS];
        let mut at = 0;
        for k in (1..levels).rev() {
            // SAFETY: `at + per_level * words[k] <= summary_words`, inside the storage.
            unsafe {
                full[k] = base.add(at);
                if track_live {
                    live[k] = base.add(at + words[k]);
                }
            }
            at += per_level * words[k];
        }
        debug_assert!(at <= summary_words);
        // SAFETY: level 0 follows the padded summaries, inside the storage.
        let occ = unsafe { base.add(summary_words) };
        let (live_probe, probe_mask) = if track_live && levels > 1 {
            (live[1].cast_const(), usize::MAX)
        } else {
            (&raw const ALL_LIVE, 0)
        };
        let map = Bitmap {
            occ,
            full,
            live,
            live_probe,
            probe_mask,
            live_known: Cell::new(usize::MAX),
            words,
            levels,
            capacity,
            track_live,
            hint: Cell::new(0),
            storage,
        };
        // Padding: children past the last one of each summary level count as full.
        for k in 1..levels {
            let children = words[k - 1];
            if children % 64 != 0 {
                let last = words[k] - 1;
                // SAFETY: `last < words[k]`; written through the storage's pointer.
                unsafe { *map.full[k].add(last) |= ALL << (children % 64) };
            }
        }
        map
    }

    /// Commits the memory of level-0 words `[first, last)` (clamped) ahead of use, best
    /// effort (see [`Region::populate`]). Words the caller provided are left alone.
    ///
    /// # Safety
    /// Every word in the range is zero (no index of theirs is occupied).
    pub(crate) unsafe fn populate_words(&self, first: usize, last: usize) {
        let last = last.min(self.words[0]);
        if let (Storage::Owned(region), true) = (&self.storage, first < last) {
            let offset = self.occ as usize - region.as_ptr() as usize + first * 8;
            // SAFETY: the range is level-0 words, all zero (caller contract): nothing in the
            // pages wholly inside it is read back other than as zeros.
            unsafe { region.populate(offset, (last - first) * 8) };
        }
    }

    /// Number of indices.
    #[inline(always)]
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Level-0 word `w`.
    ///
    /// # Safety
    /// `w` must be a level-0 word index (`w < ⌈capacity / 64⌉`, or 0).
    #[inline(always)]
    pub(crate) unsafe fn word(&self, w: usize) -> u64 {
        debug_assert!(w < self.words[0]);
        // SAFETY: in bounds by the caller's contract; the region is live and initialized.
        unsafe { *self.occ.add(w) }
    }

    /// Level-0 word `w`, to write through (the region's provenance).
    ///
    /// # Safety
    /// `w < words[0]`.
    #[inline(always)]
    unsafe fn occ_ptr(&self, w: usize) -> *mut u64 {
        debug_assert!(w < self.words[0]);
        // SAFETY: `w < words[0]` (caller): inside level 0.
        unsafe { self.occ.add(w) }
    }

    /// `true` if `idx` is occupied; `false` for free or out-of-range indices.
    #[inline(always)]
    pub(crate) fn contains(&self, idx: usize) -> bool {
        // SAFETY: `idx < capacity` so `idx / 64 < words[0]`.
        idx < self.capacity && unsafe { self.word(idx / 64) } & (1 << (idx % 64)) != 0
    }

    /// Marks the lowest free index occupied and returns it, or `None` when every index is
    /// taken (nothing changes then).
    #[inline(always)]
    pub(crate) fn acquire(&self) -> Option<usize> {
        let idx = self.acquire_or_none();
        (idx != NONE).then_some(idx)
    }

    /// [`Bitmap::acquire`] with [`NONE`] for "full": the slow paths return a plain index, so
    /// the fast path's result needs no test of an `Option` tag merged from them (the one
    /// comparison left folds away where the index is known to be below the capacity).
    ///
    /// The fast path reads the hint word and writes it back; finding another word, and the
    /// summaries, are out of line.
    #[inline(always)]
    fn acquire_or_none(&self) -> usize {
        let w = self.hint.get();
        // SAFETY: `hint < words[0]` (invariant).
        let word = unsafe { self.word(w) };
        if word == ALL {
            return self.acquire_slow();
        }
        let bit = (!word).trailing_zeros() as usize;
        let idx = w * 64 + bit;
        if idx >= self.capacity {
            // The last word, its slots below the capacity all taken.
            return self.acquire_slow();
        }
        let new = word | (1 << bit);
        // SAFETY: `w < words[0]`; writes go through the region's pointer.
        unsafe { *self.occ_ptr(w) = new };
        if word == 0 && w != self.live_known.get() {
            return self.live_up_then(w, idx);
        }
        // A word that fills is not marked in the `full` summaries: the next search that
        // meets it does that (see `next_nonfull_word`).
        idx
    }

    /// `acquire` took `idx` in word `w`, which was empty: make sure its live bit is set, and
    /// remember that it is.
    #[inline(never)]
    fn live_up_then(&self, w: usize, idx: usize) -> usize {
        self.live_up(w);
        self.live_known.set(w);
        idx
    }

    /// Marks every free index of the lowest word that has one occupied, and returns the word
    /// and the bits taken (non-zero), or `None` when every index is taken. For callers that
    /// keep their own cache of free slots (the tiers): one bitmap write per 64 slots.
    #[inline]
    pub(crate) fn acquire_word(&self) -> Option<(usize, u64)> {
        debug_assert!(
            !self.track_live,
            "indexed bitmaps hand out one index at a time"
        );
        let mut w = self.hint.get();
        // SAFETY: `hint < words[0]` (invariant).
        let mut word = unsafe { self.word(w) };
        if word == ALL {
            w = self.next_nonfull_word(w + 1)?;
            self.hint.set(w);
            // SAFETY: returned words are in range.
            word = unsafe { self.word(w) };
        }
        let taken = !word & self.in_range(w);
        if taken == 0 {
            // Only the last word has bits past the capacity, and every word below the hint
            // is full: nothing is free.
            return None;
        }
        let new = word | taken;
        // SAFETY: `w < words[0]`; written through the region's pointer.
        unsafe { *self.occ_ptr(w) = new };
        Some((w, taken))
    }

    /// The bits of level-0 word `w` that are indices (all of them but in the last word).
    #[inline(always)]
    fn in_range(&self, w: usize) -> u64 {
        let past = self.capacity.saturating_sub(w * 64);
        if past >= 64 {
            ALL
        } else {
            (1u64 << past) - 1
        }
    }

    /// The hint word is full (or, being the last word, has no free bit below the capacity):
    /// take the lowest free index above it. Every word below the hint is full, so the search
    /// starts at the hint's own summary word and climbs only as far as it must.
    #[cold]
    #[inline(never)]
    fn acquire_slow(&self) -> usize {
        let from = self.hint.get();
        // SAFETY: `hint < words[0]`.
        let w = if unsafe { self.word(from) } == ALL {
            match self.next_nonfull_word(from + 1) {
                Some(w) => w,
                None => return NONE,
            }
        } else {
            from
        };
        // SAFETY: `w < words[0]`.
        let word = unsafe { self.word(w) };
        let bit = (!word).trailing_zeros() as usize;
        let idx = w * 64 + bit;
        if bit == 64 || idx >= self.capacity {
            // The last word, with its slots below the capacity all taken.
            return NONE;
        }
        self.hint.set(w);
        let new = word | (1 << bit);
        // SAFETY: `w < words[0]`; written through the region's pointer.
        unsafe { *self.occ_ptr(w) = new };
        if word == 0 {
            self.live_up(w);
        }
        idx
    }

    /// Frees `idx`. Returns `false` (and changes nothing) if it was free or out of range.
    ///
    /// `only_free` says the caller knows no other index is free (its count says the bitmap
    /// was full): then `idx` becomes the lowest free one and the hint moves to it, so the
    /// next insert reads one word instead of searching.
    #[inline(always)]
    pub(crate) fn release(&self, idx: usize, only_free: bool) -> bool {
        if idx >= self.capacity {
            return false;
        }
        let w = idx / 64;
        let mask = 1u64 << (idx % 64);
        // SAFETY: `idx < capacity` so `w < words[0]`.
        let word = unsafe { self.word(w) };
        if word & mask == 0 {
            return false;
        }
        let new = word & !mask;
        // SAFETY: as above; written through the region's pointer.
        unsafe { *self.occ_ptr(w) = new };
        if word == ALL {
            self.full_down(w);
        }
        if only_free || w < self.hint.get() {
            self.hint.set(w);
        }
        true
    }

    /// `true` if every index below occupied `idx` is occupied, so that once `idx` is freed
    /// it is the lowest free index: its word is below the hint (full, as every word there),
    /// or is the hint word with every bit below `idx` set.
    #[inline(always)]
    pub(crate) fn lowest_free_once_released(&self, idx: usize) -> bool {
        debug_assert!(self.contains(idx));
        let (w, hint) = (idx / 64, self.hint.get());
        if w != hint {
            return w < hint;
        }
        let below = (1u64 << (idx % 64)) - 1;
        // SAFETY: `idx` is occupied, so below the capacity: `w < words[0]`.
        let word = unsafe { self.word(w) };
        word & below == below
    }

    /// Marks `idx` occupied. Returns `false` (and changes nothing) if it was already
    /// occupied or is out of range. For callers that choose the index themselves (a tag, a run
    /// of pages found with [`Bitmap::next_free`]); [`Bitmap::acquire`] stays the way to take a
    /// free index.
    #[inline]
    pub(crate) fn occupy(&self, idx: usize) -> bool {
        if idx >= self.capacity {
            return false;
        }
        let w = idx / 64;
        let mask = 1u64 << (idx % 64);
        // SAFETY: `idx < capacity` so `w < words[0]`.
        let word = unsafe { self.word(w) };
        if word & mask != 0 {
            return false;
        }
        let new = word | mask;
        // SAFETY: as above; written through the storage's pointer. Setting a bit keeps the
        // hint invariant (words below it stay all ones).
        unsafe { *self.occ_ptr(w) = new };
        if word == 0 {
            self.live_up(w);
        }
        true
    }

    /// Word `child` of level `k - 1` is all ones: set its `full` bit at level `k`, and
    /// upwards while words fill. Only the search calls it (lazily, for a stale bit).
    #[cold]
    fn full_up_from(&self, k: usize, mut child: usize) {
        for k in k..self.levels {
            let (pw, bit) = (child / 64, 1u64 << (child % 64));
            // SAFETY: `child < words[k-1]` so `pw < words[k]`.
            let new = unsafe {
                let p = self.full[k].add(pw);
                *p |= bit;
                *p
            };
            if new != ALL {
                break;
            }
            child = pw;
        }
    }

    /// Level-0 word `w` stopped being all ones.
    #[inline(always)]
    fn full_down(&self, mut child: usize) {
        for k in 1..self.levels {
            let (pw, bit) = (child / 64, 1u64 << (child % 64));
            // SAFETY: `child < words[k-1]` so `pw < words[k]`.
            let old = unsafe {
                let p = self.full[k].add(pw);
                let old = *p;
                *p = old & !bit;
                old
            };
            if old != ALL {
                break;
            }
            child = pw;
        }
    }

    /// Level-0 word `w` became non-zero: make sure its `live` bit is set. The bit is usually
    /// set already (live bits are cleared only by iteration), so only that test is inline.
    #[inline(always)]
    fn live_up(&self, child: usize) {
        if !self.live_bit(child) {
            self.live_up_slow(child);
        }
    }

    /// Whether level-0 word `child`'s live bit is set (always, without live summaries).
    #[inline(always)]
    fn live_bit(&self, child: usize) -> bool {
        // SAFETY: either `live_probe` is `live[1]` and the mask keeps `child / 64`, which is
        // below `words[1]` as `child < words[0]`; or it is `ALL_LIVE` and the mask makes the
        // offset 0. Either way a readable, initialized word.
        let word = unsafe { *self.live_probe.add((child / 64) & self.probe_mask) };
        word & (1 << (child % 64)) != 0
    }

    /// Sets live bits from level 1 up to the first one already set.
    #[inline(never)]
    fn live_up_slow(&self, mut child: usize) {
        for k in 1..self.levels {
            let (pw, bit) = (child / 64, 1u64 << (child % 64));
            // SAFETY: `child < words[k-1]` so `pw < words[k]`.
            let old = unsafe {
                let p = self.live[k].add(pw);
                let old = *p;
                if old & bit != 0 {
                    break;
                }
                *p = old | bit;
                old
            };
            if old != 0 {
                break;
            }
            child = pw;
        }
    }

    /// Word `child` of level `k - 1` is empty: clear its stale live bit at level `k`, and
    /// upwards while words become empty.
    #[cold]
    fn clear_stale(&self, mut k: usize, mut child: usize) {
        self.live_known.set(usize::MAX);
        while k < self.levels {
            let (pw, bit) = (child / 64, 1u64 << (child % 64));
            // SAFETY: `child < words[k-1]` so `pw < words[k]`.
            let new = unsafe {
                let p = self.live[k].add(pw);
                *p &= !bit;
                *p
            };
            if new != 0 {
                break;
            }
            child = pw;
            k += 1;
        }
    }

    /// Lowest level-0 word at index `>= w` that is non-zero, skipping empty regions through
    /// the `live` summaries.
    #[inline]
    pub(crate) fn next_nonempty_word(&self, w: usize) -> Option<usize> {
        if w >= self.words[0] {
            return None;
        }
        // SAFETY: `w < words[0]`.
        if unsafe { self.word(w) } != 0 {
            return Some(w);
        }
        self.next_nonempty_word_slow(w)
    }

    #[inline(never)]
    fn next_nonempty_word_slow(&self, w: usize) -> Option<usize> {
        if !self.track_live {
            // SAFETY: every `w` in the range is a level-0 word.
            return (w..self.words[0]).find(|&w| unsafe { self.word(w) } != 0);
        }
        self.search::<false>(w)
    }

    /// Highest level-0 word at index `<= w` that is non-zero, skipping empty regions through
    /// the `live` summaries (read only: a stale summary bit it meets is stepped over, not
    /// repaired).
    pub(crate) fn prev_nonempty_word(&self, w: usize) -> Option<usize> {
        let w = w.min(self.words[0].checked_sub(1)?);
        // SAFETY: `w < words[0]`.
        if unsafe { self.word(w) } != 0 {
            return Some(w);
        }
        if w == 0 {
            return None;
        }
        if !self.track_live || self.levels == 1 {
            // SAFETY: every `w` in the range is a level-0 word.
            return (0..w).rev().find(|&w| unsafe { self.word(w) } != 0);
        }
        self.search_back(w - 1)
    }

    /// The highest non-empty level-0 word `<= w`: climbs the `live` summaries from `w` and
    /// descends from the highest candidate; a candidate whose child is empty (a stale bit)
    /// sends the search on below it. `track_live` and `levels > 1` hold.
    fn search_back(&self, w: usize) -> Option<usize> {
        // At level k, look for a set live bit at position <= p.
        let (mut k, mut p) = (1, w);
        loop {
            if k == self.levels {
                return None;
            }
            let wk = p / 64;
            // SAFETY: `p` is a child index of level k - 1, so `wk < words[k]`.
            let m = unsafe { *self.live[k].add(wk) } & (ALL >> (63 - p % 64));
            if m == 0 {
                if wk == 0 {
                    return None;
                }
                p = wk - 1;
                k += 1;
                continue;
            }
            let (mut level, mut b) = (k - 1, wk * 64 + 63 - m.leading_zeros() as usize);
            loop {
                // SAFETY: `b` is the child of a set live bit, so not padding:
                // `b < words[level]`.
                let word = unsafe { self.view::<false>(level, b) };
                if word == 0 {
                    if b == 0 {
                        return None;
                    }
                    k = level + 1;
                    p = b - 1;
                    break;
                }
                if level == 0 {
                    return Some(b);
                }
                b = b * 64 + 63 - word.leading_zeros() as usize;
                level -= 1;
            }
        }
    }

    /// Highest occupied index `<= upto`.
    #[inline]
    pub(crate) fn prev_occupied(&self, upto: usize) -> Option<usize> {
        let upto = upto.min(self.capacity.checked_sub(1)?);
        let w = upto / 64;
        // SAFETY: `upto < capacity` so `w < words[0]`.
        let word = unsafe { self.word(w) } & (ALL >> (63 - upto % 64));
        if word != 0 {
            return Some(w * 64 + 63 - word.leading_zeros() as usize);
        }
        let w = self.prev_nonempty_word(w.checked_sub(1)?)?;
        // SAFETY: returned words are in range.
        Some(w * 64 + 63 - unsafe { self.word(w) }.leading_zeros() as usize)
    }

    /// Lowest occupied index `>= from`.
    #[inline]
    pub(crate) fn next_occupied(&self, from: usize) -> Option<usize> {
        if from >= self.capacity {
            return None;
        }
        let w = from / 64;
        // SAFETY: `from < capacity` so `w < words[0]`.
        let word = unsafe { self.word(w) } & (ALL << (from % 64));
        if word != 0 {
            return Some(w * 64 + word.trailing_zeros() as usize);
        }
        let w = self.next_nonempty_word(w + 1)?;
        // SAFETY: returned words are in range.
        Some(w * 64 + unsafe { self.word(w) }.trailing_zeros() as usize)
    }

    /// Lowest free index `>= from`, skipping full stretches through the `full` summaries.
    #[inline]
    pub(crate) fn next_free(&self, from: usize) -> Option<usize> {
        if from >= self.capacity {
            return None;
        }
        let w = from / 64;
        // SAFETY: `from < capacity` so `w < words[0]`.
        let free = !unsafe { self.word(w) } & (ALL << (from % 64));
        let idx = if free != 0 {
            w * 64 + free.trailing_zeros() as usize
        } else {
            let w = self.next_nonfull_word(w + 1)?;
            // SAFETY: returned words are in range.
            w * 64 + (!unsafe { self.word(w) }).trailing_zeros() as usize
        };
        // Bits past `capacity` in the last word are clear but are not indices.
        (idx < self.capacity).then_some(idx)
    }

    /// Lowest level-0 word at index `>= w` that is not all ones: the mirror of
    /// [`Bitmap::next_nonempty_word_slow`] over the `full` summaries. A clear `full` bit over
    /// a full child is stale (inserts never set them): the search sets it where it finds one
    /// and goes on from the next child, so each stale bit costs O(1) once.
    fn next_nonfull_word(&self, w: usize) -> Option<usize> {
        if w >= self.words[0] {
            return None;
        }
        // SAFETY: `w < words[0]`.
        if unsafe { self.word(w) } != ALL {
            return Some(w);
        }
        self.search::<true>(w)
    }

    /// Word `i` of level `level` as a search sees it: for `FREE`, the complement of the
    /// occupancy or `full` word (a set bit: a free index, or a child that may have one);
    /// otherwise the occupancy or `live` word (a set bit: an occupied index, or a child that
    /// may have one).
    ///
    /// # Safety
    /// `i < words[level]`; for `!FREE` at `level >= 1`, `track_live`.
    #[inline(always)]
    unsafe fn view<const FREE: bool>(&self, level: usize, i: usize) -> u64 {
        // SAFETY: caller contract; `full[k]` exists for `1 <= k < levels`, `live[k]` too when
        // `track_live`.
        unsafe {
            match (level, FREE) {
                (0, false) => self.word(i),
                (0, true) => !self.word(i),
                (_, false) => *self.live[level].add(i),
                (_, true) => !*self.full[level].add(i),
            }
        }
    }

    /// The lowest level-0 word at index `>= w` whose [`view`](Bitmap::view) is non-zero
    /// (`FREE`: not all ones; else: not empty), climbing the summaries from `w` and
    /// descending from the first candidate. Both summaries are lazy (`full` a subset, `live`
    /// a superset), so a candidate can be stale, its child's view zero: the search repairs
    /// that summary bit (sets the `full` bit, clears the `live` bit) and goes on from the next
    /// child, so each stale bit costs O(1) once. For `!FREE`, `track_live` must hold.
    fn search<const FREE: bool>(&self, w: usize) -> Option<usize> {
        // Climb: at level k, look for a set view bit at position >= p (padding bits are set
        // in `full` and never in `live`, so the view never finds one).
        let (mut k, mut p) = (1, w);
        loop {
            if k == self.levels {
                return None;
            }
            let wk = p / 64;
            if wk >= self.words[k] {
                return None;
            }
            // SAFETY: `wk < words[k]`.
            let m = unsafe { self.view::<FREE>(k, wk) } & (ALL << (p % 64));
            if m == 0 {
                p = wk + 1;
                k += 1;
                continue;
            }
            // Descend from bit `b` of level k: word `b` of level k-1.
            let (mut level, mut b) = (k - 1, wk * 64 + m.trailing_zeros() as usize);
            loop {
                // SAFETY: `b` is the child of a set view bit, so not padding:
                // `b < words[level]`.
                let word = unsafe { self.view::<FREE>(level, b) };
                if word == 0 {
                    // Stale: repair it, then resume the climb just after it, at its level.
                    if FREE {
                        self.full_up_from(level + 1, b);
                    } else {
                        self.clear_stale(level + 1, b);
                    }
                    k = level + 1;
                    p = b + 1;
                    break;
                }
                if level == 0 {
                    return Some(b);
                }
                b = b * 64 + word.trailing_zeros() as usize;
                level -= 1;
            }
        }
    }

    /// Checks every summary bit against its children (tests only).
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        let known = self.live_known.get();
        if known != usize::MAX {
            assert!(known < self.words[0], "live_known {known} out of range");
            assert!(self.live_bit(known), "live_known {known} has no live bit");
        }
        for k in 1..self.levels {
            for b in 0..self.words[k] * 64 {
                let (w, bit) = (b / 64, 1u64 << (b % 64));
                // SAFETY: `w < words[k]`.
                let (f, l) = unsafe {
                    (
                        *self.full[k].add(w) & bit != 0,
                        self.track_live && *self.live[k].add(w) & bit != 0,
                    )
                };
                if b >= self.words[k - 1] {
                    assert!(f && !l, "padding bit {b} at level {k}");
                    continue;
                }
                // SAFETY: `b < words[k-1]`.
                let child = unsafe {
                    if k == 1 {
                        *self.occ.add(b)
                    } else {
                        *self.full[k - 1].add(b)
                    }
                };
                // SAFETY: `b < words[k-1]`.
                if !self.track_live {
                    assert!(
                        !f || child == ALL,
                        "full bit {b} at level {k} over a word not full"
                    );
                    continue;
                }
                // SAFETY: `b < words[k-1]`.
                let child_live = unsafe {
                    if k == 1 {
                        *self.occ.add(b)
                    } else {
                        *self.live[k - 1].add(b)
                    }
                };
                assert!(
                    !f || child == ALL,
                    "full bit {b} at level {k} over a word not full"
                );
                if child_live != 0 {
                    assert!(
                        l,
                        "live bit {b} at level {k} must be set over a non-empty word"
                    );
                }
            }
        }
        for w in 0..self.hint.get() {
            // SAFETY: `w < hint < words[0]`.
            let word = unsafe { self.word(w) };
            assert_eq!(word, ALL, "word {w} below the hint is not full");
        }
        for i in self.capacity..self.words[0] * 64 {
            assert!(!self.contains_raw(i), "bit {i} past capacity is set");
        }
        for w in self.words[0]..self.words[0].next_multiple_of(GROUP) {
            // SAFETY: `w` is a padding word of the last group.
            assert_eq!(unsafe { self.padded_word(w) }, 0, "padding word {w}");
        }
        if matches!(self.storage, Storage::Owned(_)) {
            // Owned storage is 64-aligned; caller-provided words need only be 8-aligned.
            assert_eq!(self.occ as usize % 64, 0, "level 0 is not line-aligned");
        }
    }

    #[cfg(test)]
    fn contains_raw(&self, i: usize) -> bool {
        // SAFETY: callers pass `i < words[0] * 64`.
        (unsafe { self.word(i / 64) } & (1 << (i % 64))) != 0
    }

    /// Bytes of address space reserved for the bitmap (0 for borrowed words).
    /// (For the per-thread allocator's `stats`.)
    #[cfg(feature = "std")]
    pub(crate) fn reserved_bytes(&self) -> usize {
        match &self.storage {
            Storage::Owned(region) => region.len(),
            Storage::Borrowed => 0,
        }
    }
}

#[cfg(test)]
mod tests;

//! `HiSlab` and `TaggedHiSlab` driven in lockstep by one program and checked against a
//! `BTreeMap` model after every operation: an insert takes the lowest free index (or is
//! refused exactly when the slab is full), and `len`, occupancy, values, tags and iteration
//! order agree with the model. Values count their drops, so a value dropped twice or never
//! shows at once.
//!
//! Input: `[cap lo, cap hi, initial, unused]`, then 4-byte operations `[code, a, b, c]`
//! (see `apply`). The top two bits of the capacity word choose its range: 0..70 (twice as
//! likely), 0..300 or 0..5000 (several bitmap levels).

#![no_main]

use fuzz_support::{must_panic, trace, Op, Reader, Tracked};
use libfuzzer_sys::fuzz_target;
use nexus_slab::rand::rngs::SmallRng;
use nexus_slab::rand::SeedableRng;
use nexus_slab::{Error, Full, HiSlab, TaggedHiSlab};
use std::collections::{BTreeMap, BTreeSet};

fuzz_target!(|data: &[u8]| run(data));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    v: u32,
    tagged: bool,
}

/// What the slabs should hold: an entry per index, an occupancy bitset for the lowest free
/// index and for index order, and the live indices in no order, for picking one in O(1).
struct Model {
    cap: u32,
    slots: Vec<Option<Entry>>,
    words: Vec<u64>,
    live: Vec<u32>,
    /// Where each live index sits in `live`.
    pos: Vec<u32>,
    /// Every word below this one is full.
    full_below: usize,
    tagged: u32,
}

impl Model {
    fn new(cap: u32) -> Model {
        Model {
            cap,
            slots: vec![None; cap as usize],
            words: vec![0; (cap as usize).div_ceil(64)],
            live: Vec::new(),
            pos: vec![0; cap as usize],
            full_below: 0,
            tagged: 0,
        }
    }

    fn len(&self) -> u32 {
        self.live.len() as u32
    }

    fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Free indices in ascending order.
    fn frees(&self) -> impl Iterator<Item = u32> + '_ {
        let from = self.full_below;
        self.words[from..]
            .iter()
            .enumerate()
            .flat_map(move |(w, &bits)| {
                Bits(!bits)
                    .map(move |b| ((from + w) * 64 + b) as u32)
                    .filter(move |&i| i < self.cap)
            })
    }

    /// Live indices and entries in ascending order.
    fn entries(&self) -> impl Iterator<Item = (u32, Entry)> + '_ {
        self.words.iter().enumerate().flat_map(move |(w, &bits)| {
            Bits(bits).map(move |b| {
                let i = w * 64 + b;
                (i as u32, self.slots[i].expect("a set bit is live"))
            })
        })
    }

    fn lowest_free(&self) -> Option<u32> {
        self.frees().next()
    }

    /// The next `n` indices inserts would take, in order (fewer if the slab fills).
    fn next_free(&self, n: usize) -> Vec<u32> {
        self.frees().take(n).collect()
    }

    fn insert(&mut self, v: u32, tagged: bool) -> Option<u32> {
        let i = self.lowest_free()?;
        let w = i as usize / 64;
        self.words[w] |= 1 << (i % 64);
        if self.words[w] == u64::MAX {
            while self.words.get(self.full_below) == Some(&u64::MAX) {
                self.full_below += 1;
            }
        }
        self.slots[i as usize] = Some(Entry { v, tagged });
        self.pos[i as usize] = self.live.len() as u32;
        self.live.push(i);
        self.tagged += u32::from(tagged);
        Some(i)
    }

    fn remove(&mut self, i: u32) -> Option<Entry> {
        let e = self.slots.get_mut(i as usize)?.take()?;
        self.words[i as usize / 64] &= !(1 << (i % 64));
        self.full_below = self.full_below.min(i as usize / 64);
        let at = self.pos[i as usize] as usize;
        self.live.swap_remove(at);
        if let Some(&moved) = self.live.get(at) {
            self.pos[moved as usize] = at as u32;
        }
        self.tagged -= u32::from(e.tagged);
        Some(e)
    }

    fn set_tag(&mut self, i: u32, on: bool) -> bool {
        match self.slots.get_mut(i as usize) {
            Some(Some(e)) if e.tagged != on => {
                e.tagged = on;
                if on {
                    self.tagged += 1;
                } else {
                    self.tagged -= 1;
                }
                true
            }
            _ => false,
        }
    }

    fn clear(&mut self) {
        for &i in &self.live {
            self.slots[i as usize] = None;
        }
        self.live.clear();
        self.words.fill(0);
        self.full_below = 0;
        self.tagged = 0;
    }

    fn get(&self, i: u32) -> Option<Entry> {
        self.slots.get(i as usize).copied().flatten()
    }

    fn set_value(&mut self, i: u32, v: u32) {
        self.slots[i as usize]
            .as_mut()
            .expect("live in the model")
            .v = v;
    }

    fn values(&self) -> Vec<(u32, u32)> {
        self.entries().map(|(i, e)| (i, e.v)).collect()
    }

    fn tagged_values(&self) -> Vec<(u32, u32)> {
        self.entries()
            .filter(|(_, e)| e.tagged)
            .map(|(i, e)| (i, e.v))
            .collect()
    }

    /// An index from a selector: mostly a live one, else one near the capacity, or any
    /// (out of range included, `u32::MAX` too).
    fn pick(&self, sel: u16) -> u32 {
        let r = u32::from(sel >> 2);
        match sel & 3 {
            0 | 1 if !self.live.is_empty() => self.live[r as usize % self.live.len()],
            2 => r % (self.cap + 2),
            3 if r == 0x3FFF => u32::MAX,
            _ => r,
        }
    }
}

/// The set bits of a word, lowest first.
struct Bits(u64);

impl Iterator for Bits {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let b = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(b)
    }
}

/// Whether `retain` keeps `(i, v)`: a hash of both and the operation's seed; the seed's top
/// bit makes keeping rare instead of common.
fn keeps(seed: u16, i: u32, v: u32) -> bool {
    let h = (i.wrapping_mul(0x9E37_79B9) ^ v.wrapping_mul(0x85EB_CA6B) ^ u32::from(seed))
        .wrapping_mul(0xC2B2_AE35);
    let two = (h >> 13) & 3;
    if seed & 0x8000 == 0 {
        two != 0
    } else {
        two == 0
    }
}

struct State {
    initial: u32,
    model: Model,
    plain: HiSlab<Tracked>,
    tagged: TaggedHiSlab<Tracked>,
    step: u32,
}

fn pairs<'a>(it: impl Iterator<Item = (u32, &'a Tracked)>) -> Vec<(u32, u32)> {
    it.map(|(i, t)| (i, t.get())).collect()
}

impl State {
    fn new(cap: u32, initial: u32) -> State {
        State {
            initial,
            model: Model::new(cap),
            plain: HiSlab::new(initial, cap).expect("a small slab"),
            tagged: TaggedHiSlab::new(initial, cap).expect("a small slab"),
            step: 0,
        }
    }

    fn cap(&self) -> u32 {
        self.model.cap
    }

    fn check(&self, full: bool) {
        let m = &self.model;
        assert_eq!(self.plain.len(), m.len());
        assert_eq!(self.tagged.len(), m.len());
        assert_eq!(self.plain.is_empty(), m.is_empty());
        assert_eq!(self.tagged.is_empty(), m.is_empty());
        assert_eq!(self.plain.capacity(), m.cap);
        assert_eq!(self.tagged.capacity(), m.cap);
        assert_eq!(self.tagged.tagged_len(), m.tagged);
        assert_eq!(self.tagged.count_tagged(), m.tagged as usize);
        assert_eq!(self.plain.count_occupied(), m.live.len());
        assert_eq!(Tracked::live(), 2 * i64::from(m.len()), "values alive");
        if full || m.live.len() <= 128 || self.step.is_multiple_of(32) {
            let values = m.values();
            assert_eq!(pairs(self.plain.iter()), values, "HiSlab::iter");
            assert_eq!(pairs(self.tagged.iter()), values, "TaggedHiSlab::iter");
            assert_eq!(
                pairs(self.tagged.iter_tagged()),
                m.tagged_values(),
                "iter_tagged"
            );
            for (i, e) in m.entries() {
                assert!(self.plain.is_occupied(i) && self.tagged.is_occupied(i));
                assert_eq!(self.tagged.is_tagged(i), e.tagged, "is_tagged({i})");
            }
        }
    }

    /// Occupancy, values and tags of the indices around `k`, and of the edges.
    fn check_around(&self, k: u32) {
        let cap = self.cap();
        let around = k.saturating_sub(2)..=k.saturating_add(2);
        let edges = [
            0,
            cap.saturating_sub(1),
            cap,
            cap.saturating_add(1),
            u32::MAX,
        ];
        for i in around.chain(edges) {
            let e = self.model.get(i);
            assert_eq!(self.plain.is_occupied(i), e.is_some(), "is_occupied({i})");
            assert_eq!(self.tagged.is_occupied(i), e.is_some(), "is_occupied({i})");
            assert_eq!(
                self.plain.get(i).map(Tracked::get),
                e.map(|e| e.v),
                "get({i})"
            );
            assert_eq!(
                self.tagged.get(i).map(Tracked::get),
                e.map(|e| e.v),
                "get({i})"
            );
            assert_eq!(
                self.tagged.is_tagged(i),
                e.is_some_and(|e| e.tagged),
                "is_tagged({i})"
            );
        }
    }

    fn apply(&mut self, op: Op) {
        let v = u32::from(op.ab()) | u32::from(op.c) << 16;
        let code = op.code % 23;
        match code {
            // insert / insert_tagged (panics when full) and their try_ forms
            0..=3 => {
                let (tag, try_) = (code & 1 != 0, code & 2 != 0);
                self.insert(v, tag, try_);
            }
            4 => {
                let k = self.model.pick(op.ab());
                let want = self.model.remove(k).map(|e| e.v);
                assert_eq!(self.plain.remove(k).map(|t| t.get()), want, "remove({k})");
                assert_eq!(self.tagged.remove(k).map(|t| t.get()), want, "remove({k})");
                self.check_around(k);
            }
            5 => {
                let k = self.model.pick(op.ab());
                self.check_around(k);
            }
            // get_mut, or IndexMut on a live index
            6 => {
                let k = self.model.pick(op.ab());
                let new = u32::from(op.c) * 0x0101_0101;
                let live = self.model.get(k).is_some();
                if op.c & 1 == 0 || !live {
                    assert_eq!(self.plain.get_mut(k).map(|t| t.set(new)).is_some(), live);
                    assert_eq!(self.tagged.get_mut(k).map(|t| t.set(new)).is_some(), live);
                } else {
                    self.plain[k].set(new);
                    self.tagged[k].set(new);
                }
                if live {
                    self.model.set_value(k, new);
                }
                self.check_around(k);
            }
            7 => {
                let k = self.model.pick(op.ab());
                let want = self.model.set_tag(k, true);
                assert_eq!(self.tagged.tag(k), want, "tag({k})");
                self.check_around(k);
            }
            8 => {
                let k = self.model.pick(op.ab());
                let want = self.model.set_tag(k, false);
                assert_eq!(self.tagged.untag(k), want, "untag({k})");
                self.check_around(k);
            }
            9 => self.retain(op.ab()),
            10 => self.retain_tagged(op.ab()),
            11 => self.retain_tag(op.ab()),
            12 => {
                if op.c & 3 == 0 {
                    self.plain.clear();
                    self.tagged.clear();
                    self.model.clear();
                } else {
                    self.for_each();
                }
            }
            13 => self.iter_mut(op.c),
            14 => self.iter_insert(op),
            15 => {
                self.plain.shrink();
                self.tagged.shrink();
                self.check(true);
            }
            16 => self.fill(op),
            17 => {
                let start = u32::from(op.ab()) % (self.cap() + 1);
                for k in start..start.saturating_add(u32::from(op.c)) {
                    let want = self.model.remove(k).map(|e| e.v);
                    assert_eq!(self.plain.remove(k).map(|t| t.get()), want, "remove({k})");
                    assert_eq!(self.tagged.remove(k).map(|t| t.get()), want, "remove({k})");
                }
            }
            18 => self.sample(op),
            19 => self.consume(op.a),
            20 => {
                let k = self.model.pick(op.ab());
                match self.model.get(k) {
                    Some(e) => {
                        assert_eq!(self.plain[k].get(), e.v);
                        assert_eq!(self.tagged[k].get(), e.v);
                    }
                    None => {
                        let what = if k >= self.cap() {
                            "out of range"
                        } else {
                            "vacant"
                        };
                        let msg = must_panic(|| self.plain[k].get());
                        assert!(msg.contains(what), "{msg}");
                        let msg = must_panic(|| self.tagged[k].get());
                        assert!(msg.contains(what), "{msg}");
                    }
                }
            }
            21 => {
                // Debug output: the map of values, and the tagged indices.
                if self.model.live.len() <= 64 {
                    let values: BTreeMap<u32, u32> = self.model.values().into_iter().collect();
                    assert_eq!(format!("{:?}", self.plain), format!("{values:?}"));
                    let tags: Vec<u32> = self
                        .model
                        .tagged_values()
                        .into_iter()
                        .map(|(i, _)| i)
                        .collect();
                    assert_eq!(
                        format!("{:?}", self.tagged),
                        format!("TaggedHiSlab {{ values: {values:?}, tagged: {tags:?} }}")
                    );
                }
            }
            _ => self.iter_tagged_mut(op.c),
        }
    }

    fn insert(&mut self, v: u32, tag: bool, try_: bool) {
        let want = self.model.lowest_free();
        let (plain, tagged) = (&self.plain, &self.tagged);
        let got = if try_ {
            let p = match plain.try_insert(Tracked::new(v)) {
                Ok(i) => Some(i),
                Err(Full(back)) => {
                    assert_eq!(back.get(), v, "Full hands the value back");
                    None
                }
            };
            let t = match if tag {
                tagged.try_insert_tagged(Tracked::new(v))
            } else {
                tagged.try_insert(Tracked::new(v))
            } {
                Ok(i) => Some(i),
                Err(Full(back)) => {
                    assert_eq!(back.get(), v, "Full hands the value back");
                    None
                }
            };
            assert_eq!(p, t, "both slabs take the same index");
            p
        } else if want.is_some() {
            let p = plain.insert(Tracked::new(v));
            let t = if tag {
                tagged.insert_tagged(Tracked::new(v))
            } else {
                tagged.insert(Tracked::new(v))
            };
            assert_eq!(p, t, "both slabs take the same index");
            Some(p)
        } else {
            let cap = self.cap();
            let msg = must_panic(|| plain.insert(Tracked::new(v)));
            assert!(msg.contains(&format!("all {cap} slots")), "{msg}");
            let msg = if tag {
                must_panic(|| tagged.insert_tagged(Tracked::new(v)))
            } else {
                must_panic(|| tagged.insert(Tracked::new(v)))
            };
            assert!(msg.contains(&format!("all {cap} slots")), "{msg}");
            None
        };
        assert_eq!(got, want, "insert takes the lowest free index");
        if want.is_some() {
            self.model.insert(v, tag);
        }
    }

    fn fill(&mut self, op: Op) {
        let n = u32::from(op.ab()) % 1024;
        let tag_every = 1 + u32::from(op.c % 8);
        for j in 0..n {
            let v = self.step.wrapping_mul(1024).wrapping_add(j);
            let tag = op.c & 0x80 != 0 && j % tag_every == 0;
            self.insert(v, tag, true);
            if self.model.lowest_free().is_none() {
                // One more try, refused, then stop.
                self.insert(v, tag, true);
                break;
            }
        }
    }

    fn retain(&mut self, seed: u16) {
        let want = self.model.values();
        for which in 0..2 {
            let mut seen = Vec::new();
            let visit = |i: u32, t: &mut Tracked| {
                let v = t.get();
                seen.push((i, v));
                let keep = keeps(seed, i, v);
                if keep {
                    t.set(v.wrapping_add(1));
                }
                keep
            };
            if which == 0 {
                self.plain.retain(visit);
            } else {
                self.tagged.retain(visit);
            }
            assert_eq!(seen, want, "retain visits every value in index order");
        }
        for (i, v) in want {
            if keeps(seed, i, v) {
                self.model.set_value(i, v.wrapping_add(1));
            } else {
                self.model.remove(i);
            }
        }
    }

    fn retain_tagged(&mut self, seed: u16) {
        let want = self.model.tagged_values();
        let mut seen = Vec::new();
        self.tagged.retain_tagged(|i, t| {
            let v = t.get();
            seen.push((i, v));
            let keep = keeps(seed, i, v);
            if keep {
                t.set(v ^ 0x5555);
            }
            keep
        });
        assert_eq!(
            seen, want,
            "retain_tagged visits the tagged values in index order"
        );
        // The plain slab follows by hand.
        for (i, v) in want {
            if keeps(seed, i, v) {
                self.model.set_value(i, v ^ 0x5555);
                self.plain.get_mut(i).expect("live").set(v ^ 0x5555);
            } else {
                self.model.remove(i);
                assert_eq!(self.plain.remove(i).map(|t| t.get()), Some(v));
            }
        }
    }

    fn retain_tag(&mut self, seed: u16) {
        let want = self.model.tagged_values();
        let mut seen = Vec::new();
        self.tagged.retain_tag(|i, t| {
            seen.push((i, t.get()));
            keeps(seed, i, t.get())
        });
        assert_eq!(
            seen, want,
            "retain_tag visits the tagged values in index order"
        );
        for (i, v) in want {
            if !keeps(seed, i, v) {
                self.model.set_tag(i, false);
            }
        }
    }

    fn for_each(&self) {
        let mut seen = Vec::new();
        self.plain.for_each_occupied(|i, t| seen.push((i, t.get())));
        assert_eq!(seen, self.model.values(), "for_each_occupied");
        seen.clear();
        self.tagged
            .for_each_occupied(|i, t| seen.push((i, t.get())));
        assert_eq!(seen, self.model.values(), "for_each_occupied");
        seen.clear();
        self.tagged.for_each_tagged(|i, t| seen.push((i, t.get())));
        assert_eq!(seen, self.model.tagged_values(), "for_each_tagged");
        let all: Vec<(u32, u32)> = (&self.plain)
            .into_iter()
            .map(|(i, t)| (i, t.get()))
            .collect();
        assert_eq!(all, self.model.values(), "&HiSlab: IntoIterator");
    }

    fn iter_mut(&mut self, c: u8) {
        let f = |v: u32| v.wrapping_mul(3).wrapping_add(u32::from(c));
        let want = self.model.values();
        let mut seen = Vec::new();
        for (i, t) in self.plain.iter_mut() {
            let v = t.get();
            seen.push((i, v));
            t.set(f(v));
        }
        assert_eq!(seen, want, "iter_mut");
        seen.clear();
        for (i, t) in &mut self.tagged {
            let v = t.get();
            seen.push((i, v));
            t.set(f(v));
        }
        assert_eq!(seen, want, "TaggedHiSlab::iter_mut");
        for (i, v) in want {
            self.model.set_value(i, f(v));
        }
    }

    fn iter_tagged_mut(&mut self, c: u8) {
        let f = |v: u32| v ^ (u32::from(c) << 8 | 1);
        let want = self.model.tagged_values();
        let mut seen = Vec::new();
        for (i, t) in self.tagged.iter_tagged_mut() {
            let v = t.get();
            seen.push((i, v));
            t.set(f(v));
        }
        assert_eq!(seen, want, "iter_tagged_mut");
        for (i, v) in want {
            self.model.set_value(i, f(v));
            self.plain.get_mut(i).expect("live").set(f(v));
        }
    }

    /// Iterates while inserting (`insert` takes `&self`): every value present before is
    /// visited once, in index order; a value inserted during the walk is visited only if it
    /// landed ahead of the walk (index order forbids the rest), with its own value.
    fn iter_insert(&mut self, op: Op) {
        let n = 1 + usize::from(op.a % 8);
        let every = 1 + usize::from(op.b % 4);
        let tag = op.c & 1 != 0;
        let at = self.model.next_free(n);
        let value = |j: usize| 0xA000_0000 | (self.step << 4) | j as u32;
        for which in 0..2 {
            // The plain slab walks everything with plain inserts; the tagged one walks its
            // tagged subset with tagged inserts when `tag`, else everything.
            let before: BTreeMap<u32, u32> = if which == 1 && tag {
                self.model.tagged_values().into_iter().collect()
            } else {
                self.model.values().into_iter().collect()
            };
            let mut added = BTreeMap::new();
            let mut done = 0;
            let insert = |done: &mut usize, added: &mut BTreeMap<u32, u32>| {
                let v = value(*done);
                let i = match (which, tag) {
                    (0, _) => self.plain.insert(Tracked::new(v)),
                    (_, true) => self.tagged.insert_tagged(Tracked::new(v)),
                    (_, false) => self.tagged.insert(Tracked::new(v)),
                };
                assert_eq!(
                    i, at[*done],
                    "insert during iteration takes the lowest free index"
                );
                added.insert(i, v);
                *done += 1;
            };
            let mut seen = BTreeSet::new();
            let mut last = None;
            let mut walk = |i: u32, v: u32, done: &mut usize, added: &mut BTreeMap<u32, u32>| {
                assert!(last < Some(i), "index order: {i} after {last:?}");
                last = Some(i);
                let want = before.get(&i).or_else(|| added.get(&i));
                assert_eq!(
                    want,
                    Some(&v),
                    "iteration yields {i}: not live, or a wrong value"
                );
                seen.insert(i);
                if seen.len().is_multiple_of(every) && *done < at.len() {
                    insert(done, added);
                }
            };
            match (which, tag) {
                (0, _) => {
                    for (i, t) in self.plain.iter() {
                        walk(i, t.get(), &mut done, &mut added);
                    }
                }
                (_, true) => {
                    for (i, t) in self.tagged.iter_tagged() {
                        walk(i, t.get(), &mut done, &mut added);
                    }
                }
                (_, false) => {
                    for (i, t) in self.tagged.iter() {
                        walk(i, t.get(), &mut done, &mut added);
                    }
                }
            }
            while done < at.len() {
                insert(&mut done, &mut added);
            }
            for i in before.keys() {
                assert!(seen.contains(i), "iteration skipped live {i}");
            }
        }
        for (j, &i) in at.iter().enumerate() {
            assert_eq!(self.model.insert(value(j), tag), Some(i));
        }
    }

    fn sample(&mut self, op: Op) {
        let n = usize::from(op.c % 16);
        let seed = u64::from(op.ab()) | u64::from(self.step) << 16;
        let mut rng = SmallRng::seed_from_u64(seed);
        let model = &self.model;
        let live = |(i, v): (u32, &Tracked)| {
            assert_eq!(
                model.get(i).map(|e| e.v),
                Some(v.get()),
                "sampled {i}: not live"
            );
            i
        };
        let tagged = |(i, v): (u32, &Tracked)| {
            let e = model.get(i);
            assert_eq!(e.map(|e| e.v), Some(v.get()), "sampled {i}: not live");
            assert!(e.unwrap().tagged, "sampled {i}: not tagged");
            i
        };
        let len = model.live.len();
        let tlen = model.tagged as usize;
        for slab in [&self.plain, self.tagged.as_hislab()] {
            assert_eq!(slab.random_occupied(&mut rng).map(live).is_some(), len > 0);
            let many: Vec<u32> = slab
                .random_occupied_many(&mut rng, n)
                .into_iter()
                .map(live)
                .collect();
            assert_eq!(many.len(), if len > 0 { n } else { 0 });
            let unique: Vec<u32> = slab
                .random_occupied_unique(&mut rng, n)
                .into_iter()
                .map(live)
                .collect();
            assert_eq!(unique.len(), n.min(len));
            assert_eq!(
                unique.iter().collect::<BTreeSet<_>>().len(),
                unique.len(),
                "distinct"
            );
        }
        let t = &self.tagged;
        assert_eq!(t.random_occupied(&mut rng).map(live).is_some(), len > 0);
        assert_eq!(
            t.random_occupied_many(&mut rng, n)
                .into_iter()
                .map(live)
                .count(),
            if len > 0 { n } else { 0 }
        );
        assert_eq!(
            t.random_occupied_unique(&mut rng, n)
                .into_iter()
                .map(live)
                .count(),
            n.min(len)
        );
        assert_eq!(t.random_tagged(&mut rng).map(tagged).is_some(), tlen > 0);
        let many: Vec<u32> = t
            .random_tagged_many(&mut rng, n)
            .into_iter()
            .map(tagged)
            .collect();
        assert_eq!(many.len(), if tlen > 0 { n } else { 0 });
        let unique: Vec<u32> = t
            .random_tagged_unique(&mut rng, n)
            .into_iter()
            .map(tagged)
            .collect();
        assert_eq!(unique.len(), n.min(tlen));
        assert_eq!(
            unique.iter().collect::<BTreeSet<_>>().len(),
            unique.len(),
            "distinct"
        );
        // The `_mut` picks change the value they land on; the other slab follows by hand.
        let new = 0xB000_0000 | self.step;
        if let Some((i, t)) = self.plain.random_occupied_mut(&mut rng) {
            assert_eq!(self.model.get(i).map(|e| e.v), Some(t.get()));
            t.set(new);
            self.model.set_value(i, new);
            self.tagged.get_mut(i).expect("live").set(new);
        } else {
            assert_eq!(len, 0);
        }
        if let Some((i, t)) = self.tagged.random_occupied_mut(&mut rng) {
            assert_eq!(self.model.get(i).map(|e| e.v), Some(t.get()));
            t.set(new + 1);
            self.model.set_value(i, new + 1);
            self.plain.get_mut(i).expect("live").set(new + 1);
        } else {
            assert_eq!(len, 0);
        }
        if let Some((i, t)) = self.tagged.random_tagged_mut(&mut rng) {
            let e = self.model.get(i).expect("live");
            assert!(e.tagged && e.v == t.get(), "random_tagged_mut({i})");
            t.set(new + 2);
            self.model.set_value(i, new + 2);
            self.plain.get_mut(i).expect("live").set(new + 2);
        } else {
            assert_eq!(self.model.tagged, 0);
        }
    }

    /// Consumes both slabs with `into_iter` (stopping after `take` values; the iterator's
    /// drop drops the rest) and goes on with fresh ones.
    fn consume(&mut self, take: u8) {
        let cap = self.cap();
        let plain = std::mem::replace(&mut self.plain, HiSlab::new(self.initial, cap).unwrap());
        let tagged = std::mem::replace(
            &mut self.tagged,
            TaggedHiSlab::new(self.initial, cap).unwrap(),
        );
        let want = self.model.values();
        let k = usize::from(take);
        let got: Vec<(u32, u32)> = plain
            .into_iter()
            .take(k)
            .map(|(i, t)| (i, t.get()))
            .collect();
        assert_eq!(got[..], want[..k.min(want.len())], "into_iter");
        let got: Vec<(u32, u32)> = tagged
            .into_iter()
            .take(k)
            .map(|(i, t)| (i, t.get()))
            .collect();
        assert_eq!(
            got[..],
            want[..k.min(want.len())],
            "TaggedHiSlab::into_iter"
        );
        self.model.clear();
        assert_eq!(
            Tracked::live(),
            0,
            "into_iter dropped what it did not yield"
        );
    }
}

fn run(data: &[u8]) {
    assert_eq!(Tracked::live(), 0);
    let mut r = Reader::new(data);
    let sel = r.u16();
    let cap = u32::from(sel)
        % match sel >> 14 {
            0 | 1 => 70,
            2 => 300,
            _ => 5000,
        };
    let initial = u32::from(r.u8()) % (cap + 1);
    let _unused = r.u8();
    trace(|| format!("HiSlab::new({initial}, {cap})"));
    // An initial capacity above the virtual one is refused.
    let too_many = |e: Error| matches!(e, Error::InvalidCapacity { .. });
    assert!(HiSlab::<Tracked>::new(cap + 1, cap)
        .err()
        .is_some_and(too_many));
    assert!(TaggedHiSlab::<Tracked>::new(cap + 1, cap)
        .err()
        .is_some_and(too_many));
    let mut s = State::new(cap, initial);
    while let Some(op) = r.op() {
        trace(|| format!("{:3} {op:?} (code {})", s.step, op.code % 23));
        s.apply(op);
        s.check(false);
        s.step += 1;
    }
    s.check(true);
    drop(s);
    assert_eq!(Tracked::live(), 0, "dropping the slabs drops every value");
}

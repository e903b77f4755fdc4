#!/usr/bin/env python3
"""Writes the seed corpus, fuzz/corpus/<target>/<name>: a few short programs per target in
the targets' input format (a 4-byte header, then 4-byte operations [code, a, b, c]; see the
doc comment at the top of each target). Run from anywhere; rewrites the files it owns."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def op(code, a=0, b=0, c=0):
    return bytes([code, a, b, c])


def op16(code, ab=0, c=0):
    return op(code, ab & 0xFF, ab >> 8, c)


# ---- hislab_ops: header [cap lo, cap hi, initial, 0]; codes are taken % 23 --------------
INSERT, INSERT_TAGGED, TRY_INSERT, TRY_INSERT_TAGGED = 0, 1, 2, 3
REMOVE, LOOK, GET_MUT, TAG, UNTAG = 4, 5, 6, 7, 8
RETAIN, RETAIN_TAGGED, RETAIN_TAG, CLEAR, ITER_MUT, ITER_INSERT = 9, 10, 11, 12, 13, 14
SHRINK, FILL, REMOVE_RANGE, SAMPLE, INTO_ITER, INDEX, DEBUG, ITER_TAGGED_MUT = (
    15, 16, 17, 18, 19, 20, 21, 22)


def live(n):
    """Selector of the n-th live index (selector bits 0-1 = 0)."""
    return n << 2


def raw(i):
    """Selector of index i itself (bits 0-1 = 3)."""
    return i << 2 | 3


def hislab(cap_word, initial, ops):
    return bytes([cap_word & 0xFF, cap_word >> 8, initial, 0]) + b"".join(ops)


HISLAB = {
    # Capacity 10: fill past full (a panicking insert, a refused try_insert), free holes
    # and refill them lowest first, tag some, look around, iterate.
    "small_full_and_holes": hislab(10, 3, [
        *[op16(INSERT, i + 1) for i in range(10)],
        op16(INSERT, 99),
        op16(TRY_INSERT, 98),
        op16(REMOVE, raw(7)), op16(REMOVE, raw(2)), op16(REMOVE, raw(5)),
        op16(INSERT, 20), op16(INSERT_TAGGED, 21), op16(TRY_INSERT_TAGGED, 22),
        op16(TAG, raw(0)), op16(UNTAG, raw(2)), op16(TAG, raw(9)),
        op16(LOOK, raw(5)), op16(INDEX, raw(3)), op16(INDEX, raw(11)),
        op16(GET_MUT, raw(4), 7), op(CLEAR, 0, 0, 1), op(DEBUG),
        op(ITER_MUT, 0, 0, 3), op(ITER_TAGGED_MUT, 0, 0, 5),
    ]),
    # Capacity 69 (two bitmap words): fill with every third tagged, then filter with
    # retain, retain_tagged and retain_tag, iterate while inserting, consume.
    "two_words_retain": hislab(69, 0, [
        op16(FILL, 1000, 0x80 | 2),
        op16(RETAIN, 0x1234), op16(RETAIN_TAGGED, 0x0042), op16(RETAIN_TAG, 0x8001),
        op(ITER_INSERT, 5, 1, 0), op(ITER_INSERT, 7, 0, 1),
        op16(SAMPLE, 0x77, 9), op(DEBUG),
        op(INTO_ITER, 10), op16(FILL, 30, 0x81),
    ]),
    # Capacity 4999 (three levels): fill it whole, punch a range and single holes,
    # give pages back, refill, sample.
    "large_levels_shrink": hislab(49999, 200, [
        *[op16(FILL, 1023, 0x87) for _ in range(5)],
        op16(TRY_INSERT, 1),
        op16(REMOVE_RANGE, 64, 255), op16(REMOVE_RANGE, 4000, 200),
        op16(REMOVE, raw(4095)), op16(REMOVE, raw(4096)),
        op(SHRINK), op16(INSERT, 5), op16(INSERT_TAGGED, 6),
        op16(SAMPLE, 0x1, 15), op16(RETAIN, 0x9999), op(SHRINK),
        op16(FILL, 600, 0), op(INTO_ITER, 3),
    ]),
    # Capacity 0: always full; every index out of range.
    "zero_capacity": hislab(0, 0, [
        op16(INSERT, 1), op16(TRY_INSERT_TAGGED, 2), op16(INDEX, raw(0)),
        op16(REMOVE, raw(0)), op16(TAG, raw(0)), op16(SAMPLE, 3, 4), op(SHRINK),
        op(ITER_INSERT, 2, 0, 1),
    ]),
    # Tags: tag and untag around, sample among the tagged, mutate through the tagged
    # iterator, then drop them all with retain_tagged.
    "tags": hislab(40, 40, [
        *[op16(INSERT_TAGGED if i % 2 else INSERT, i) for i in range(24)],
        *[op16(TAG, raw(i)) for i in range(0, 24, 3)],
        *[op16(UNTAG, raw(i)) for i in range(1, 24, 4)],
        op16(SAMPLE, 0x4242, 6), op(ITER_TAGGED_MUT, 0, 0, 9), op(DEBUG),
        op16(RETAIN_TAGGED, 0x8000), op16(RETAIN_TAGGED, 0x0000), op(CLEAR, 0, 0, 0),
        op16(INSERT_TAGGED, 1), op(ITER_INSERT, 3, 2, 1),
    ]),
}

# ---- allocator_ops: header [flags, m, x, y]; codes are taken % 18 -----------------------
A_INSERT, A_TRY_INSERT, A_DROP, A_INTO_INNER, A_REPLACE, A_MUTATE, A_LEAK = 0, 1, 2, 3, 4, 5, 6
A_RECLAIM_LEAKED, A_RECLAIM, A_CONTAINS, A_KEY, A_SHRINK, A_SHUTDOWN, A_INIT = (
    7, 8, 9, 10, 11, 12, 13)
A_FILL, A_DROP_SOME, A_LEAKED_GET, A_RESTART = 14, 15, 16, 17


def key_live(n):
    return n << 2


def key_near(n):
    return n << 2 | 1


def allocator(flags, m, x, y, ops):
    return bytes([flags, m, x, y]) + b"".join(ops)


ALLOCATOR = {
    # Bounded to 8: fill past full, free and reuse, leak and reclaim, refused shutdown,
    # then start over unbounded.
    "bounded_life_cycle": allocator(0, 0, 8, 0, [
        *[op16(A_INSERT, i) for i in range(9)],
        op16(A_TRY_INSERT, 50),
        op16(A_DROP, 3), op16(A_INTO_INNER, 1), op16(A_REPLACE, 0, 4), op16(A_MUTATE, 2, 3),
        op16(A_LEAK, 0), op16(A_LEAK, 1), op16(A_LEAKED_GET, 0, 1),
        op16(A_CONTAINS, key_live(0)), op16(A_CONTAINS, key_near(9)), op16(A_KEY, 1),
        op16(A_RECLAIM, key_live(1)), op16(A_RECLAIM_LEAKED, 0), op16(A_SHUTDOWN),
        op16(A_INIT, 0x0005), op(A_RESTART, 1, 4, 0), op16(A_FILL, 40),
    ]),
    # The zero-sized allocator, unbounded from chunks of 2: grow tier by tier, drop some,
    # give pages back, shut down and come back bounded.
    "zst_unbounded_growth": allocator(1, 1, 2, 0, [
        op16(A_FILL, 100), op(A_DROP_SOME, 1), op16(A_CONTAINS, key_near(50)),
        op(A_SHRINK), op16(A_FILL, 60), op16(A_LEAK, 7), op16(A_SHUTDOWN),
        op(A_DROP_SOME, 0), op16(A_RECLAIM_LEAKED, 0), op(A_DROP_SOME, 0),
        op16(A_SHUTDOWN), op(A_INIT, 0, 16, 0), op16(A_FILL, 20),
    ]),
    # On a thread of its own, with the slots left to a thread-local registered before
    # init: the thread's exit releases the allocator.
    "thread_exit_with_slots": allocator(6, 0, 20, 0, [
        *[op16(A_INSERT, i) for i in range(12)],
        op16(A_LEAK, 4), op16(A_DROP, 2), op16(A_INSERT, 77),
    ]),
    # Not initialized (a bounded capacity of 0 is refused): insert and reclaim panic,
    # contains_key is false, shutdown is Ok; then a panicking build, and build twice.
    "uninitialized": allocator(0, 0, 0, 0, [
        op16(A_INSERT, 1), op16(A_TRY_INSERT, 2), op16(A_RECLAIM, key_near(0)),
        op16(A_CONTAINS, key_near(0)), op(A_SHRINK), op16(A_SHUTDOWN),
        op(A_INIT, 0x40, 0, 0), op(A_INIT, 0x41, 0, 0), op(A_INIT, 0x40, 3, 0),
        op(A_INIT, 0x40, 3, 0), op16(A_INSERT, 5),
    ]),
    # Unbounded with a reserve, prefault and commit-ahead.
    "unbounded_reserve_prefault": allocator(0, 15, 3, 100, [
        op16(A_FILL, 500), op(A_DROP_SOME, 0, 2), op16(A_FILL, 200),
        *[op16(A_LEAK, i) for i in range(5)], op(A_SHRINK),
        *[op16(A_RECLAIM_LEAKED, 0) for _ in range(5)], op(A_RESTART, 2, 0x40, 0x13),
        op16(A_FILL, 599),
    ]),
}

# ---- byte_alloc: header [regions, p, e, m] + [p, e, m] per further region; % 16 ---------
B_SMALL, B_ANY, B_PAGES, B_ZERO, B_FREE, B_TRY_FREE = 0, 3, 4, 5, 6, 8
B_DOUBLE, B_INTERIOR, B_WRONG, B_REGION_ADDR, B_OUTSIDE, B_ADD, B_SWEEP = (
    9, 10, 11, 12, 13, 14, 15)


def byte_alloc(regions, ops):
    n = len(regions)
    head = bytes([n - 1]) + b"".join(bytes(r) for r in regions)
    return head + b"".join(ops)


BYTE = {
    # One region of 16 pages: small blocks of several classes and alignments, frees,
    # double frees and pointers into blocks.
    "small_classes": byte_alloc([(14, 0, 0)], [
        *[op16(B_SMALL, s, a) for s, a in
          [(7, 0), (23, 3), (100, 1), (511, 4), (0, 0), (63, 2), (200, 3), (8, 4)]],
        op16(B_FREE, 1), op16(B_TRY_FREE, 2), op16(B_DOUBLE, 0), op16(B_DOUBLE, 1),
        op16(B_INTERIOR, 0, 5), op16(B_WRONG, 1, 0x06), op16(B_WRONG, 2, 0x03),
        op16(B_REGION_ADDR, 0), op16(B_REGION_ADDR, 515, 1), op(B_SWEEP, 1),
    ]),
    # Two regions: large blocks up to 64 KiB and around page multiples, wrong layouts,
    # pointers outside every region.
    "large_runs": byte_alloc([(40, 3, 1), (20, 200, 9)], [
        op16(B_ANY, 65535, 0), op16(B_ANY, 4096, 12), op16(B_ANY, 9000, 13),
        op(B_PAGES, 3, 0, 12), op(B_PAGES, 3, 2, 0), op(B_PAGES, 1, 1, 6),
        op16(B_WRONG, 0, 0x0A), op16(B_WRONG, 1, 0x07), op16(B_INTERIOR, 0, 200),
        op(B_OUTSIDE, 0), op(B_OUTSIDE, 1), op(B_OUTSIDE, 2, 9), op(B_OUTSIDE, 3),
        op(B_OUTSIDE, 4, 0, 3), op16(B_FREE, 0), op16(B_DOUBLE, 0), op(B_SWEEP, 0, 0, 1),
    ]),
    # Small regions until memory runs out, then frees, another region, bad regions.
    "exhaust_and_grow": byte_alloc([(0, 0, 0), (1, 50, 200)], [
        *[op16(B_ANY, 12000, 0) for _ in range(4)],
        *[op16(B_SMALL, 300, 0) for _ in range(30)],
        op(B_SWEEP, 0, 1, 0), op(B_ADD, 6, 0, 0), op16(B_ANY, 20000, 0),
        op(B_ADD, 0, 10, 0x80), op(B_ADD, 0, 10, 0x84), op(B_ADD, 0, 0, 0x81),
        op(B_ADD, 0, 0, 0x82), op(B_ADD, 0, 5, 0x83),
    ]),
    # Zero-sized and over-aligned blocks.
    "zero_and_aligned": byte_alloc([(60, 0, 0)], [
        op(B_ZERO, 0, 0, 0), op(B_ZERO, 0, 0, 12), op16(B_SMALL, 1, 4),
        op16(B_ANY, 100, 14), op16(B_ANY, 5000, 14), op16(B_ANY, 1, 12),
        op16(B_WRONG, 3, 0x06), op16(B_FREE, 0), op16(B_FREE, 0), op(B_SWEEP, 0, 0, 0),
    ]),
}


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


write("hislab_ops", HISLAB)
write("allocator_ops", ALLOCATOR)
write("byte_alloc", BYTE)

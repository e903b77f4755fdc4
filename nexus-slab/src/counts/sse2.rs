//! Choosing a child with SSE2 (part of every x86_64 target): prefix sums of the 8 counts in
//! two vectors, one unsigned compare against the rank, a movemask. For the bottom level the 8
//! words are popcounted in vectors too (SWAR to byte counts, then `psadbw` sums each word's
//! bytes), which without the `popcnt` instruction is several times cheaper than 8 scalar
//! popcounts.

use super::FAN;
use core::arch::x86_64::{
    __m128i, _mm_add_epi32, _mm_add_epi8, _mm_and_si128, _mm_castsi128_ps, _mm_cmpgt_epi32,
    _mm_loadu_si128, _mm_movemask_ps, _mm_sad_epu8, _mm_set1_epi32, _mm_set1_epi8,
    _mm_setzero_si128, _mm_shuffle_epi32, _mm_slli_si128, _mm_srli_epi64, _mm_storeu_si128,
    _mm_sub_epi8, _mm_unpacklo_epi64, _mm_xor_si128,
};

/// See [`super::choose`].
#[inline(always)]
pub(super) fn choose(counts: [u32; FAN], r: u32) -> (usize, u32) {
    // SAFETY: SSE2 is enabled at compile time (this file is selected only then); the two
    // unaligned loads read the 32 bytes of the local array.
    unsafe {
        let p = counts.as_ptr().cast::<__m128i>();
        pick(_mm_loadu_si128(p), _mm_loadu_si128(p.add(1)), r)
    }
}

/// See [`super::choose_word`].
#[inline(always)]
pub(super) fn choose_word(words: [u64; FAN], r: u32) -> (usize, u32) {
    // SAFETY: SSE2 is enabled at compile time; the four unaligned loads read the 64 bytes of
    // the local array.
    unsafe {
        let p = words.as_ptr().cast::<__m128i>();
        let lo = pack(
            popcount2(_mm_loadu_si128(p)),
            popcount2(_mm_loadu_si128(p.add(1))),
        );
        let hi = pack(
            popcount2(_mm_loadu_si128(p.add(2))),
            popcount2(_mm_loadu_si128(p.add(3))),
        );
        pick(lo, hi, r)
    }
}

/// Popcounts of the two 64-bit lanes of `v`, as two 64-bit lanes.
///
/// # Safety
/// SSE2 must be available (it is on every x86_64 target).
#[inline(always)]
unsafe fn popcount2(v: __m128i) -> __m128i {
    // SAFETY: the caller guarantees SSE2; these intrinsics only compute on registers.
    unsafe {
        let m1 = _mm_set1_epi8(0x55);
        let m2 = _mm_set1_epi8(0x33);
        let m4 = _mm_set1_epi8(0x0F);
        let v = _mm_sub_epi8(v, _mm_and_si128(_mm_srli_epi64(v, 1), m1));
        let v = _mm_add_epi8(
            _mm_and_si128(v, m2),
            _mm_and_si128(_mm_srli_epi64(v, 2), m2),
        );
        let v = _mm_and_si128(_mm_add_epi8(v, _mm_srli_epi64(v, 4)), m4);
        _mm_sad_epu8(v, _mm_setzero_si128())
    }
}

/// Four 32-bit lanes `[a0, a1, b0, b1]` from the 64-bit lanes of `a` and `b` (each < 2³²).
///
/// # Safety
/// SSE2 must be available.
#[inline(always)]
unsafe fn pack(a: __m128i, b: __m128i) -> __m128i {
    // SAFETY: the caller guarantees SSE2; register-only intrinsics.
    unsafe {
        // Lanes 0 and 2 (the low halves of the 64-bit lanes) to positions 0 and 1.
        let a = _mm_shuffle_epi32::<0b00_00_10_00>(a);
        let b = _mm_shuffle_epi32::<0b00_00_10_00>(b);
        _mm_unpacklo_epi64(a, b)
    }
}

/// The choice over counts `lo` (children 0..4) and `hi` (children 4..8).
///
/// # Safety
/// SSE2 must be available.
#[inline(always)]
unsafe fn pick(lo: __m128i, hi: __m128i, r: u32) -> (usize, u32) {
    // SAFETY: the caller guarantees SSE2; the stores write the local array's 32 bytes.
    unsafe {
        // Inclusive prefix sums: within each vector, then carry lo's total into hi.
        let lo = _mm_add_epi32(lo, _mm_slli_si128::<4>(lo));
        let lo = _mm_add_epi32(lo, _mm_slli_si128::<8>(lo));
        let hi = _mm_add_epi32(hi, _mm_slli_si128::<4>(hi));
        let hi = _mm_add_epi32(hi, _mm_slli_si128::<8>(hi));
        let hi = _mm_add_epi32(hi, _mm_shuffle_epi32::<0b11_11_11_11>(lo));
        // prefix > r, unsigned: flip the sign bits and compare signed.
        let bias = _mm_set1_epi32(i32::MIN);
        let rv = _mm_set1_epi32((r ^ 0x8000_0000) as i32);
        let gt_lo = _mm_cmpgt_epi32(_mm_xor_si128(lo, bias), rv);
        let gt_hi = _mm_cmpgt_epi32(_mm_xor_si128(hi, bias), rv);
        let mask = _mm_movemask_ps(_mm_castsi128_ps(gt_lo))
            | (_mm_movemask_ps(_mm_castsi128_ps(gt_hi)) << 4);
        // Prefix sums only grow, so the lanes above r are a suffix and the first of them is
        // the child. (Bit 7 forces the last child if none is, which only wrong counts do.)
        let child = (mask as u32 | 0x80).trailing_zeros() as usize;
        // `prefix[child - 1]`, or 0 for child 0.
        let mut prefix = [0u32; FAN + 1];
        let out = prefix.as_mut_ptr().add(1).cast::<__m128i>();
        _mm_storeu_si128(out, lo);
        _mm_storeu_si128(out.add(1), hi);
        (child, prefix[child])
    }
}

//! The block of independent work the loaded loops put beside every operation: a few rounds
//! of xorshift and multiply over four words of its own, which no store ever touches.

use std::hint::black_box;

/// Rounds of the block: 2 rounds × 4 words × (3 shift-xor pairs + 1 multiply), with the
/// loads, stores and register copies, come to about 100 instructions (checked with objdump;
/// see `block`).
const ROUNDS: usize = 2;

/// An odd 64-bit constant (from the fractional part of the golden ratio).
const MUL: u64 = 0x9E37_79B9_7F4A_7C15;

/// Four words of state, on the stack of the measuring loop (so in L1), that the block reads
/// and writes and nothing else touches.
#[derive(Debug, Clone)]
pub struct Busywork {
    words: [u64; 4],
}

impl Default for Busywork {
    fn default() -> Busywork {
        Busywork::new()
    }
}

impl Busywork {
    /// State seeded with four different non-zero words.
    pub fn new() -> Busywork {
        Busywork {
            words: [1u64, 2, 3, 4].map(|i| i.wrapping_mul(MUL)),
        }
    }

    /// One block. The state's address goes through `black_box` first (so the compiler
    /// must assume anything may have changed it): the block loads the words from memory,
    /// cannot be computed ahead or hoisted out of a loop, and stores its result back (the
    /// next `black_box` may read it). The four words are independent chains, so the block
    /// has the instruction-level parallelism of ordinary code.
    #[inline(always)]
    pub fn block(&mut self) {
        black_box(&mut self.words);
        for _ in 0..ROUNDS {
            for w in self.words.iter_mut() {
                let mut x = *w;
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *w = x.wrapping_mul(MUL);
            }
        }
    }

    /// One word of the state (for tests).
    pub fn word(&self, i: usize) -> u64 {
        self.words[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_changes_every_word() {
        let mut b = Busywork::new();
        let before: Vec<u64> = (0..4).map(|i| b.word(i)).collect();
        b.block();
        for (i, w) in before.into_iter().enumerate() {
            assert_ne!(b.word(i), w);
        }
    }
}

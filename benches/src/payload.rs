//! The values stored: `W` machine words, built from a seed so the compiler cannot know them.

/// A value a workload stores.
pub trait Payload: Sized + 'static + crate::systems::PerThread {
    /// Size in bytes.
    const BYTES: usize;
    /// A value derived from `seed` (every word written).
    fn new(seed: u64) -> Self;
    /// Reads the value: one word from each 64-byte cache line it covers, so a `get` pays
    /// for every line of the value, not just an address or its first line.
    fn touch(&self) -> u64;
}

/// `W` words: `8 * W` bytes, 8-byte aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
pub struct Words<const W: usize>(pub [u64; W]);

impl<const W: usize> Words<W> {
    #[inline(always)]
    fn from_seed(seed: u64) -> Self {
        Words([seed; W])
    }

    #[inline(always)]
    fn read(&self) -> u64 {
        // Reading only the first word would let a store whose slots are exactly 256 bytes
        // apart use a quarter of the cache sets (every first word at the same offset in a
        // 256-byte period); a caller reading the whole value does not see that.
        let mut x = 0;
        let mut i = 0;
        while i < W {
            x ^= self.0[i];
            i += 8;
        }
        x
    }
}

/// The payload sizes measured. Each is a concrete type because each needs a per-thread
/// allocator of its own (`create_allocator!` is per type; see `systems::allocator`).
macro_rules! payloads {
    ($($w:literal),*) => {$(
        impl Payload for Words<$w> {
            const BYTES: usize = 8 * $w;

            #[inline(always)]
            fn new(seed: u64) -> Self {
                Self::from_seed(seed)
            }

            #[inline(always)]
            fn touch(&self) -> u64 {
                self.read()
            }
        }
    )*};
}

payloads!(4, 8, 32);

/// A 32-byte value.
pub type V32 = Words<4>;
/// A 64-byte value (the memory workload).
pub type V64 = Words<8>;
/// A 256-byte value.
pub type V256 = Words<32>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_what_the_names_say() {
        assert_eq!(std::mem::size_of::<V32>(), V32::BYTES);
        assert_eq!(V32::BYTES, 32);
        assert_eq!(std::mem::size_of::<V64>(), 64);
        assert_eq!(std::mem::size_of::<V256>(), 256);
        assert_eq!(V32::new(7).touch(), 7);
        // Four lines, four equal words: they cancel out under xor.
        assert_eq!(V256::new(7).touch(), 0);
    }
}

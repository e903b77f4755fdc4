//! Bringing the process to a steady state before anything is timed.
//!
//! On a virtual machine, memory the guest has not touched for a while can cost several times
//! more to fault in than memory it just freed (the host backs it lazily). Whichever system
//! runs first in a workload that takes fresh memory would pay that alone, so the report
//! faults in and frees a large block once at start-up.

use std::hint::black_box;

/// Writes every page of a `bytes`-sized block, then frees it.
pub fn fault_in_and_release(bytes: usize) {
    let mut block = vec![0u8; bytes];
    for page in block.chunks_mut(4096) {
        page[0] = 1;
    }
    black_box(&mut block);
}

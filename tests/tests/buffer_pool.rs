//! `BufferSlab`: alignment and stride for several sizes, many live guards, reuse on drop.

use nexus_slab::{AutoGuard, BufferSlab};

fn exercise<const N: usize>(count: u32) {
    // Miri interprets every byte compared: fewer buffers there.
    let count = if cfg!(miri) { count.min(3) } else { count };
    let align = N.next_power_of_two().clamp(64, 4096);
    assert_eq!(BufferSlab::<N>::ALIGN, align);
    assert_eq!(BufferSlab::<N>::STRIDE % align, 0);
    assert!(BufferSlab::<N>::STRIDE >= N);
    let pool = BufferSlab::<N>::new(2, count).unwrap();
    let mut guards: Vec<AutoGuard<'_, N>> = (0..count).map(|_| pool.allocate()).collect();
    assert!(pool.try_allocate().is_none());
    for (i, g) in guards.iter_mut().enumerate() {
        assert_eq!(g.index(), i as u32);
        assert_eq!(g.as_ptr() as usize % align, 0, "N = {N}, buffer {i}");
        let fill = (i as u8).wrapping_mul(37).wrapping_add(1);
        g.as_slice_mut().fill(fill);
    }
    // Distinct buffers never overlap, and sit exactly STRIDE apart.
    for w in guards.windows(2) {
        assert_eq!(
            w[1].as_ptr() as usize - w[0].as_ptr() as usize,
            BufferSlab::<N>::STRIDE
        );
    }
    for (i, g) in guards.iter().enumerate() {
        let fill = (i as u8).wrapping_mul(37).wrapping_add(1);
        assert!(g.as_slice() == vec![fill; N], "N = {N}, buffer {i}");
    }
    assert_eq!(pool.len(), count);
    let freed = guards.swap_remove(1);
    drop(freed);
    assert_eq!(pool.len(), count - 1);
    // The lowest free buffer comes back, with its old contents (documented: no zeroing).
    let again = pool.try_allocate().unwrap();
    assert_eq!(again.index(), 1);
    assert!(again.as_slice() == vec![38; N]);
    drop(again);
    drop(guards);
    assert!(pool.is_empty());
}

#[test]
fn alignment_and_stride_for_common_sizes() {
    exercise::<64>(100);
    exercise::<256>(50);
    exercise::<4096>(20);
    exercise::<65536>(6);
    exercise::<100>(10);
    exercise::<3000>(10);
}

#[test]
fn full_pool() {
    let pool = BufferSlab::<128>::new(0, 3).unwrap();
    let held: Vec<_> = (0..3).map(|_| pool.allocate()).collect();
    assert!(pool.try_allocate().is_none());
    let msg = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = pool.allocate();
    }))
    .unwrap_err();
    let msg = msg.downcast_ref::<String>().unwrap();
    assert!(msg.contains("3 buffers"), "{msg}");
    drop(held);
    assert!(pool.try_allocate().is_some());
    assert!(BufferSlab::<128>::new(4, 3).is_err());
    assert!(format!("{pool:?}").contains("stride: 128"));
}

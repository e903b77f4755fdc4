// A pinned `!Unpin` value gives no `&mut T` to move it out with.
use std::marker::PhantomPinned;

nexus_slab::create_allocator!(pinned, (u32, PhantomPinned));

fn main() {
    pinned::init().bounded(4).build();
    let mut p = pinned::insert((1, PhantomPinned)).into_pin();
    let _moved = std::mem::replace(&mut *p, (2, PhantomPinned));
}

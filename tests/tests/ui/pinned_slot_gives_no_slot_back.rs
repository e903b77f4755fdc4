// A pinned `!Unpin` value's `Slot` cannot be taken back out of the `Pin` (`into_inner` or
// `leak` would then move the value or hand its slot to a key).
use std::marker::PhantomPinned;
use std::pin::Pin;

nexus_slab::create_allocator!(pinned, (u32, PhantomPinned));

fn main() {
    pinned::init().bounded(4).build();
    let p = pinned::insert((1, PhantomPinned)).into_pin();
    let _slot = Pin::into_inner(p);
}

//! The seed README's examples, as tests: a linked list of `Key`s, a stable buffer kept alive
//! with `leak`, and key serialization. (Its quick start is `create_allocator!`'s doc example.)

use nexus_slab::{create_allocator, Key};

struct Node {
    value: i32,
    next: Key,
    prev: Key,
}

create_allocator!(node_alloc, Node);

#[test]
fn linked_list_of_keys() {
    node_alloc::init().bounded(1000).build();
    let mut head = node_alloc::insert(Node {
        value: 1,
        next: Key::NONE,
        prev: Key::NONE,
    });
    let head_key = head.key();
    let tail = node_alloc::insert(Node {
        value: 2,
        next: Key::NONE,
        prev: head_key,
    });
    head.get_mut().next = tail.key();

    // Walk it forward through keys.
    let mut values = vec![];
    let mut at = head_key;
    while at.is_some() {
        assert!(node_alloc::contains_key(at));
        // SAFETY: `at` names a live node (both Slots are alive) and no `&mut` is in use.
        let node = unsafe { node_alloc::get_unchecked(at) };
        values.push(node.value);
        at = node.next;
    }
    assert_eq!(values, [1, 2]);
    assert_eq!(tail.prev, head_key);
    assert_eq!(std::mem::size_of::<Node>(), 12, "two 4-byte links");
}

create_allocator!(buffer_alloc, [u8; 4096]);

fn get_stable_buffer() -> (*const u8, Key) {
    if !buffer_alloc::is_initialized() {
        buffer_alloc::init().bounded(100).build();
    }
    let slot = buffer_alloc::insert([7u8; 4096]);
    let ptr = slot.as_ptr() as *const u8;
    // Keep it alive; the key is for later clean-up.
    (ptr, slot.leak())
}

#[test]
fn stable_buffer_with_leak_and_reclaim() {
    let (ptr, key) = get_stable_buffer();
    for _ in 0..50 {
        drop(buffer_alloc::insert([0; 4096])); // churn around it
    }
    // SAFETY: the leaked slot is live; nothing else writes it.
    assert_eq!(unsafe { *ptr.add(4095) }, 7);
    assert_eq!(buffer_alloc::len(), 1);
    let slot = buffer_alloc::reclaim(key).expect("leaked and live");
    assert_eq!(slot.as_ptr() as *const u8, ptr);
    drop(slot);
    assert_eq!(buffer_alloc::len(), 0);
}

create_allocator!(serial_alloc, u64);

#[test]
fn key_serialization() {
    serial_alloc::init().unbounded().build();
    let key = serial_alloc::insert(99).leak();
    let raw: u32 = key.into_raw();
    let back = Key::from_raw(raw);
    assert!(serial_alloc::contains_key(back));
    // SAFETY: live (leaked, not reclaimed), no `&mut` in use.
    assert_eq!(unsafe { *serial_alloc::get_unchecked(back) }, 99);
    assert_eq!(
        serial_alloc::reclaim(back).map(|s| s.into_inner()),
        Some(99)
    );
}

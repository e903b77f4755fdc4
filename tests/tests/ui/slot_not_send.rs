nexus_slab::create_allocator!(nums, u64);

fn main() {
    nums::init().bounded(4).build();
    let slot = nums::insert(1);
    std::thread::spawn(move || drop(slot));
}

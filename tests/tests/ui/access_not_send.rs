nexus_slab::create_allocator!(nums, u64);

fn main() {
    nums::init().bounded(4).build();
    let access = nums::access();
    std::thread::spawn(move || drop(access));
}

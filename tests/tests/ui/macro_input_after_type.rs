nexus_slab::create_allocator!(two, u64, u32);

fn main() {}

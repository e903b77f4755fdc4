nexus_slab::create_allocator!(123, u64);

fn main() {}

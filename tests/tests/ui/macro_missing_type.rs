nexus_slab::create_allocator!(missing_type);

fn main() {}

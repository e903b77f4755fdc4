//! The `create_allocator!` proc-macro of `nexus-slab`. Use it through `nexus_slab::create_allocator`.

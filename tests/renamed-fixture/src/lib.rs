//! A crate that knows the library only as `renamed_slab`: if `create_allocator!` named
//! `::nexus_slab` anywhere, this would not compile.

renamed_slab::create_allocator!(pairs, (u8, u16),);

/// Inserts a pair through the generated allocator and reads it back.
pub fn round_trip(pair: (u8, u16)) -> (u8, u16) {
    if !pairs::is_initialized() {
        pairs::init().bounded(4).build();
    }
    pairs::insert(pair).into_inner()
}

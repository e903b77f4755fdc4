//! `create_allocator!` works with no prelude, from nested modules, with generic and private
//! value types, and through a renamed dependency (the macro passes `$crate`, never a fixed
//! crate name).

mod no_prelude {
    #![no_implicit_prelude]
    ::nexus_slab::create_allocator!(bytes, ::std::vec::Vec<u8>);
}

mod nested {
    pub mod deeper {
        /// Private to `deeper`: the generated module must not leak it.
        #[derive(Debug, PartialEq)]
        struct Secret(u32);

        nexus_slab::create_allocator!(secrets, Secret);

        pub fn round_trip() -> u32 {
            secrets::init().bounded(2).build();
            let s = secrets::insert(Secret(7));
            s.into_inner().0
        }
    }
}

#[test]
fn no_prelude_generic_type() {
    no_prelude::bytes::init()
        .unbounded()
        .chunk_capacity(2)
        .build();
    let mut v = no_prelude::bytes::insert(vec![1, 2]);
    v.push(3);
    assert_eq!(*v, [1, 2, 3]);
}

#[test]
fn private_type_in_nested_module() {
    assert_eq!(nested::deeper::round_trip(), 7);
}

#[test]
fn renamed_dependency_and_trailing_comma() {
    assert_eq!(renamed_fixture::round_trip((1, 2)), (1, 2));
}

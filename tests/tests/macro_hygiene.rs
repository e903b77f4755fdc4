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

/// Value types named like the generated module's own items: each is resolved where the
/// caller wrote it, never as the module's item of the same name.
mod names_the_module_defines {
    #[derive(Debug, PartialEq)]
    pub struct Slot(pub u32);
    #[derive(Debug, PartialEq)]
    pub struct Allocator(pub u32);
    #[derive(Debug, PartialEq)]
    pub struct Builder(pub u32);
    #[derive(Debug, PartialEq)]
    pub struct Value(pub u32);
    #[derive(Debug, PartialEq)]
    pub struct Access(pub u32);

    nexus_slab::create_allocator!(slots, Slot);
    nexus_slab::create_allocator!(allocators, Allocator);
    nexus_slab::create_allocator!(builders, Builder);
    nexus_slab::create_allocator!(values, Value);
    nexus_slab::create_allocator!(accesses, Access);
}

#[test]
fn value_types_named_like_the_modules_items() {
    use names_the_module_defines::*;
    slots::init().bounded(2).build();
    let s: slots::Slot = slots::insert(Slot(1));
    assert_eq!(*s, Slot(1));
    allocators::init().bounded(2).build();
    assert_eq!(allocators::insert(Allocator(2)).into_inner(), Allocator(2));
    builders::init().bounded(2).build();
    assert_eq!(*builders::insert(Builder(3)), Builder(3));
    values::init().bounded(2).build();
    let v: values::Value = Value(4);
    assert_eq!(*values::insert(v), Value(4));
    accesses::init().bounded(2).build();
    let mut a = accesses::access();
    let k = a.insert(Access(5));
    assert_eq!(a.get(k), Some(&Access(5)));
    // Key-owned values keep the thread's memory past its exit: take it back.
    assert_eq!(a.remove(k), Some(Access(5)));
}

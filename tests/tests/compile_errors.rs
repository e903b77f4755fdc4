//! What must not compile, with the compiler's message pinned (`ui/*.stderr`): malformed
//! macro input, the macro inside a function, handles and slabs leaving their thread (`Send`,
//! `Sync`), guards and accesses outliving their slab, slabs that are invariant in `T`, and
//! the borrow rules an `Access` carries over to key-owned values. Run `TRYBUILD=overwrite cargo test
//! -p nexus-slab-tests --test compile_errors` to rewrite the `.stderr` files after a
//! deliberate change, and read the diff.

#[test]
#[cfg_attr(miri, ignore = "runs the compiler")]
fn misuse_is_a_compile_error_with_a_message_that_says_why() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}

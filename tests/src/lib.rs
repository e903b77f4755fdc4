//! Integration, model and compile-error tests of nexus-slab (the README's examples are
//! nexus-slab's own doc tests).
//!
//! # What must not compile
//!
//! Malformed macro input, the macro inside a function, handles leaving their thread and
//! borrow conflicts through an `Access` are compile errors whose messages are pinned in
//! `tests/ui/*.stderr` (the `compile_errors` test, with `trybuild`).

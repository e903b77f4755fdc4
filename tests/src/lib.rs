#![doc = include_str!("../../README.md")]
//!
//! # Macro input errors
//!
//! `create_allocator!` rejects malformed input with a `compile_error!` naming the usage:
//! ```compile_fail
//! nexus_slab::create_allocator!(123, u64);
//! fn main() {}
//! ```
//! ```compile_fail
//! nexus_slab::create_allocator!(missing_type);
//! fn main() {}
//! ```
//! ```compile_fail
//! nexus_slab::create_allocator!(two, u64, u32);
//! fn main() {}
//! ```

//! Shared measurement code for the report binary and the criterion benches.

pub mod byte_alloc;

// A bounded slab of long-lived references cannot be viewed as one of short-lived ones
// (`insert(&self)` would then store a reference that dies before the slab).
use nexus_slab::bounded::BoundedSlab;

fn shorten<'a, 's>(s: &'a BoundedSlab<&'static String>) -> &'a BoundedSlab<&'s String> {
    s
}

fn main() {}

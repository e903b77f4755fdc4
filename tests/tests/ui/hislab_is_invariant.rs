// A HiSlab of long-lived references cannot be viewed as one of short-lived ones
// (`insert(&self)` would then store a reference that dies before the slab).
use nexus_slab::HiSlab;

fn shorten<'a, 's>(s: &'a HiSlab<&'static String>) -> &'a HiSlab<&'s String> {
    s
}

fn main() {}

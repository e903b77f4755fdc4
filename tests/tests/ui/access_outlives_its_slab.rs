use nexus_slab::bounded::BoundedSlab;

fn main() {
    let nodes = {
        let slab = BoundedSlab::<u32>::with_capacity(4);
        slab.access()
    };
    drop(nodes);
}

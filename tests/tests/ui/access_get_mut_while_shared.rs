use nexus_slab::bounded::BoundedSlab;

fn main() {
    let slab = BoundedSlab::with_capacity(4);
    let mut nodes = slab.access();
    let k = nodes.insert(1u32);
    let shared = nodes.get(k).unwrap();
    let exclusive = nodes.get_mut(k).unwrap(); // two live references to one value
    *exclusive += 1;
    assert_eq!(*shared, 1);
}

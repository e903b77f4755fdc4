use nexus_slab::unbounded::UnboundedSlab;

fn main() {
    let slab = UnboundedSlab::new();
    let mut nodes = slab.access();
    let k = nodes.insert(String::from("node"));
    let value = nodes.get(k).unwrap();
    nodes.remove(k); // would free what `value` points at
    println!("{value}");
}

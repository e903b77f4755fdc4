// A BufferSlab belongs to one thread.
fn send<S: Send>(_: S) {}

fn main() {
    send(nexus_slab::BufferSlab::<64>::new(0, 8).unwrap());
}

// A guard frees into its pool's thread: it cannot be dropped on another.
fn main() {
    let pool = nexus_slab::BufferSlab::<64>::new(0, 8).unwrap();
    let guard = pool.allocate();
    std::thread::scope(|s| {
        s.spawn(move || drop(guard));
    });
}

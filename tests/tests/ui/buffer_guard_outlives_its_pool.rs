// A guard borrows its pool: it cannot outlive it.
fn main() {
    let _guard = {
        let pool = nexus_slab::BufferSlab::<64>::new(0, 8).unwrap();
        pool.allocate()
    };
}

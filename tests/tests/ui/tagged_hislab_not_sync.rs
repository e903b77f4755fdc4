// `insert_tagged` writes the tag bitmap through `&self`: a TaggedHiSlab is never `Sync`.
fn sync<S: Sync>(_: &S) {}

fn main() {
    sync(&nexus_slab::TaggedHiSlab::<u32>::new(0, 8).unwrap());
}

struct Order {
    price: u64,
}

fn main() {
    nexus_slab::create_allocator!(orders, Order);
    orders::init().bounded(4).build();
    let _ = orders::insert(Order { price: 1 }).price;
}

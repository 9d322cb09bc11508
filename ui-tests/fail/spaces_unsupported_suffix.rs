handcraft::spaces! {
    pub space Counts = count: {0, 1u8, 2};
}

fn main() {
    let _ = <Counts as handcraft::Space>::DIM;
}

handcraft::spaces! {
    pub space Indices = indices: 0..0;
}

fn main() {
    let _ = <Indices as handcraft::Space>::DIM;
}

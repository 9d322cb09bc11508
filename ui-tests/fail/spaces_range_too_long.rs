handcraft::spaces! {
    pub space Indices = indices: 0..2000000;
}

fn main() {
    let _ = <Indices as handcraft::Space>::DIM;
}

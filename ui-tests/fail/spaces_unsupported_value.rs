handcraft::spaces! {
    pub space Bytes = bytes: {b"a", "b"};
}

fn main() {
    let _ = <Bytes as handcraft::Space>::DIM;
}

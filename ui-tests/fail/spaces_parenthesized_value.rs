handcraft::spaces! {
    pub space Pairs = pair: {(1, 2), (3)};
}

fn main() {
    let _ = <Pairs as handcraft::Space>::DIM;
}

handcraft::spaces! {
    pub space Tokens = tokens: {"a", "b"};
    pub space Tokens = tokens: {"c"};
}

fn main() {
    let _ = <Tokens as handcraft::Space>::DIM;
}

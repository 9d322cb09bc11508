handcraft::spaces! {
    pub space One = one
    pub space Tokens = tokens: {"a", "b"};
}

fn main() {
    let _ = <Tokens as handcraft::Space>::DIM;
    let _ = <One as handcraft::Space>::DIM;
}

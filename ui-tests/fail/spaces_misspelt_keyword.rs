handcraft::spaces! {
    pub spcae Tokens = tokens: {"a", "b"};
    pub space One = one;
}

fn main() {
    let _ = <Tokens as handcraft::Space>::DIM;
    let _ = <One as handcraft::Space>::DIM;
}

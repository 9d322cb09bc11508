handcraft::spaces! {
    pub space Tokens = tokens: {"a", "b"};
    #[cfg(feature = "extra")]
    pub space Extra = extra;
}

fn main() {
    let _ = <Tokens as handcraft::Space>::DIM;
}

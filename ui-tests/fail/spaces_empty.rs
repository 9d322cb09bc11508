handcraft::spaces! {
    pub space Tokens = tokens: {};
    pub space One = one;
    pub space Residual = Tokens | One;
}

fn main() {
    let _ = <Residual as handcraft::Space>::DIM;
}

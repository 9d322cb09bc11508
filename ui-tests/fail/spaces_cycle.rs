handcraft::spaces! {
    pub space One = one;
    pub space Tokens = tokens: {"a"};
    pub space Residual = Input | One;
    pub space Input = Tokens | Residual;
}

fn main() {
    let _ = <Residual as handcraft::Space>::DIM;
}

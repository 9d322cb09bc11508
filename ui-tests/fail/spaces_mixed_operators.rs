handcraft::spaces! {
    pub space Tokens = tokens: {"a", "b"};
    pub space Indices = indices: 0..4;
    pub space One = one;
    pub space Residual = Tokens | Indices + One;
}

fn assert_subspace<Sub: handcraft::Subspace<Sup>, Sup: handcraft::Space>() {}

fn main() {
    assert_subspace::<One, Residual>();
}

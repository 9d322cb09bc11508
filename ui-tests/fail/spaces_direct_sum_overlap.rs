handcraft::spaces! {
    pub space Tokens = tokens: {"a", "b", "BOS"};
    pub space Bos = tokens: {"BOS"};
    pub space Input = Tokens + Bos;
}

fn assert_subspace<Sub: handcraft::Subspace<Sup>, Sup: handcraft::Space>() {}

fn main() {
    assert_subspace::<Bos, Input>();
}

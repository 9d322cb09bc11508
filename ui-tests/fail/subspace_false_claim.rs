use handcraft::Sequence;

handcraft::spaces! {
    space Tokens = tokens: {"a", "b"};
    space One = one;
    space Residual = Tokens | One;
    space Indices = indices: 0..4;
}

fn main() {
    let indices = Sequence::<Indices>::zeros(2);
    let _ = indices.embed::<Residual>();
}

use handcraft::Sequence;

handcraft::spaces! {
    space Tokens = tokens: {"a", "b"};
}

handcraft::spaces! {
    space SameTokens = tokens: {"a", "b"};
    space One = one;
    space Residual = SameTokens | One;
}

fn main() {
    // Relations hold only between spaces declared in one block.
    let tokens = Sequence::<Tokens>::zeros(2);
    let _ = tokens.embed::<Residual>();
}

use handcraft::Vector;

handcraft::spaces! {
    space Tokens = tokens: {"a", "b"};
    space One = one;
    space Residual = Tokens | One;
}

fn main() {
    let tokens = Vector::<Tokens>::zeros();
    let _ = tokens.restrict::<Residual>();
}

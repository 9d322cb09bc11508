use handcraft::{Linear, Sequence};

handcraft::spaces! {
    space Tokens = tokens: {"a", "b"};
    space Indices = indices: 0..2;
    space One = one;
}

fn main() {
    let map = Linear::<Tokens, One>::zeros();
    let indices = Sequence::<Indices>::zeros(3);
    let _ = map.apply(&indices);
}

use handcraft::Vector;

handcraft::spaces! {
    space Tokens = tokens: {"a", "b"};
    space Indices = indices: 0..2;
}

fn main() {
    let tokens = Vector::<Tokens>::zeros();
    let indices = Vector::<Indices>::zeros();
    let _sum = &tokens + &indices;
}

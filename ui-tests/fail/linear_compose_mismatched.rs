use handcraft::Linear;

handcraft::spaces! {
    space A = a: {1, 2};
    space B = b: {1, 2};
    space C = c: {1, 2};
    space D = d: {1, 2};
}

fn main() {
    let first = Linear::<A, B>::zeros();
    let second = Linear::<C, D>::zeros();
    let _ = first.then(&second);
}

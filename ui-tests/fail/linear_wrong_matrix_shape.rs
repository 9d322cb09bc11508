use handcraft::nalgebra::SMatrix;
use handcraft::Linear;

handcraft::spaces! {
    space Tokens = tokens: {"a", "b", "c"};
    space One = one;
}

fn main() {
    // `Tokens -> One` needs a 3x1 matrix.
    let matrix = SMatrix::<f64, 2, 1>::zeros();
    let _ = Linear::<Tokens, One>::from_matrix(&matrix);
}

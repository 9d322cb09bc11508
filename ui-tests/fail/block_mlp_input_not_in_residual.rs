//! An MLP whose input space is missing from the residual stream.

use handcraft::{Linear, Mlp};

handcraft::spaces! {
    space Input = input: 0..3;
    space Hidden = hidden: 0..4;
    space Output = {y1, y2};
    space One = one;
    space Residual = Output | One;
}

fn main() {
    let _mlp = Mlp::<Residual, Hidden>::new(
        Linear::<Input, Hidden>::zeros(),
        Linear::<Hidden, Output>::zeros(),
    );
}

//! An MLP whose second layer reads a hidden space other than the one its first layer writes.

use handcraft::{Linear, Mlp};

handcraft::spaces! {
    space Input = input: 0..3;
    space Hidden = hidden: 0..4;
    space OtherHidden = other: 0..4;
    space Output = {y1, y2};
    space Residual = Input | Output;
}

fn main() {
    let _mlp = Mlp::<Residual, Hidden>::new(
        Linear::<Input, Hidden>::zeros(),
        Linear::<OtherHidden, Output>::zeros(),
    );
}

//! A series that appends an MLP of another residual stream.

use handcraft::{Linear, Mlp, Series};

handcraft::spaces! {
    space X = x;
    space Y = y;
    space Z = z;
    space Hidden = h;
    space Residual = X | Y;
    space OtherResidual = X | Z;
}

fn main() {
    let mlp = Mlp::<OtherResidual, Hidden>::new(
        Linear::<X, Hidden>::zeros(),
        Linear::<Hidden, X>::zeros(),
    );
    let _series = Series::<Residual>::new().then(mlp);
}

//! A multi-head whose heads live in different residual streams.

use handcraft::{AttentionHead, Linear, MultiAttentionHead, ScalarBilinear};

handcraft::spaces! {
    space X = x;
    space Y = y;
    space Residual = X | Y;
    space OtherResidual = X | Y;
}

fn main() {
    let head = AttentionHead::<Residual>::new(
        ScalarBilinear::<X, X>::zeros(),
        Linear::<X, Y>::zeros(),
        false,
    );
    let other = AttentionHead::<OtherResidual>::new(
        ScalarBilinear::<X, X>::zeros(),
        Linear::<X, Y>::zeros(),
        false,
    );
    let _layer = MultiAttentionHead::new([head, other]);
}

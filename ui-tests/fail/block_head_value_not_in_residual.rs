//! An attention head whose value space is missing from the residual stream.

use handcraft::{AttentionHead, Linear, ScalarBilinear};

handcraft::spaces! {
    space Query = query: 0..3;
    space Key = key: 0..3;
    space Value = value: {"a", "b"};
    space Output = output: {"a", "b"};
    space Residual = Query | Key | Output;
}

fn main() {
    let _head = AttentionHead::<Residual>::new(
        ScalarBilinear::<Query, Key>::zeros(),
        Linear::<Value, Output>::zeros(),
        false,
    );
}

//! The `shift_by_2` program, rebuilt through the typed API from the craft blocks of
//! `tests/fixtures/programs/shift_by_2.json`:
//! shift_by(2, tokens): tokens shifted right by 2, first two positions None.

use handcraft::assemble::Model;
use handcraft::{AttentionHead, Series};
use serde_json::Value as Json;

use super::{bilinear, bos, causal, head_json, linear};

handcraft::spaces! {
    pub space Tokens = tokens: {"BOS", "PAD", "a", "b", "c"};
    pub space Indices = indices: 0..5;
    pub space Output = "shift_by(2)_1": {"a", "b", "c"};
    pub space One = one;
    pub space Residual = Indices | One | Output | Tokens;
    pub space TokensBOS = tokens: {"BOS"};
    pub space B0Query = One | Indices | TokensBOS;
    pub space B0Key = Indices | TokensBOS;
    pub space B0Value = tokens: {"BOS", "a", "b", "c"};
}

/// Rebuilds the model from the fixture's craft blocks, with `Residual` as its residual stream.
pub fn model(fixture: &Json) -> Model<Residual> {
    let series = Series::new().then(AttentionHead::<Residual>::new(
        bilinear::<B0Query, B0Key>(head_json(fixture, 0, 0)),
        linear::<B0Value, Output>(&head_json(fixture, 0, 0)["w_ov"]["matrix"]),
        causal(fixture, 0, 0),
    ));
    Model::builder(series)
        .tokens::<Tokens>(bos(fixture))
        .indices::<Indices>()
        .categorical_output::<Output>()
        .build()
        .expect("the fixture's spaces form a valid model")
}

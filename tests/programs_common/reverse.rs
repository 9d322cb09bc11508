//! The `reverse` program, rebuilt through the typed API from the craft blocks of
//! `tests/fixtures/programs/reverse.json`:
//! make_reverse(tokens): the token sequence reversed.

use handcraft::assemble::Model;
use handcraft::{AttentionHead, Mlp, Series};
use serde_json::Value as Json;

use super::{bilinear, bos, causal, head_json, linear, mlp_json};

handcraft::spaces! {
    pub space Tokens = tokens: {"BOS", "PAD", "a", "b", "c"};
    pub space Indices = indices: 0..5;
    pub space Output = reverse_1: {"a", "b", "c"};
    pub space Length5 = length_5: 0..6;
    pub space Length5SelectorWidthAttnOutput = length_5_selector_width_attn_output;
    pub space One = one;
    pub space OppIdx13 = "opp_idx-1_3": -5..5;
    pub space OppIdx4 = opp_idx_4: -4..6;
    pub space Residual = Indices | Length5 | Length5SelectorWidthAttnOutput | One | OppIdx13 | OppIdx4 | Output | Tokens;
    pub space TokensBOSABC = tokens: {"BOS", "a", "b", "c"};
    pub space B0Query = One | TokensBOSABC;
    pub space B0Value = tokens: {"BOS"};
    pub space B1InputNames = {length_5_selector_width_attn_output, one};
    pub space B1Input = B1InputNames | B0Value;
    pub space B1HiddenNames = {_hidden_clean_bos_, _hidden_length_5_start};
    pub space HiddenLength5 = _hidden_length_5_: {(1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (4, 0), (4, 1), (5, 0), (5, 1)};
    pub space B1Hidden = B1HiddenNames | HiddenLength5;
    pub space B1Output = Length5SelectorWidthAttnOutput | Length5;
    pub space B2Input = One | Indices | Length5;
    pub space B2Hidden = _hidden_opp_idx_4_: {("length_5", 0, "indices", 0), ("length_5", 0, "indices", 1), ("length_5", 0, "indices", 2), ("length_5", 0, "indices", 3), ("length_5", 0, "indices", 4), ("length_5", 1, "indices", 0), ("length_5", 1, "indices", 1), ("length_5", 1, "indices", 2), ("length_5", 1, "indices", 3), ("length_5", 1, "indices", 4), ("length_5", 2, "indices", 0), ("length_5", 2, "indices", 1), ("length_5", 2, "indices", 2), ("length_5", 2, "indices", 3), ("length_5", 2, "indices", 4), ("length_5", 3, "indices", 0), ("length_5", 3, "indices", 1), ("length_5", 3, "indices", 2), ("length_5", 3, "indices", 3), ("length_5", 3, "indices", 4), ("length_5", 4, "indices", 0), ("length_5", 4, "indices", 1), ("length_5", 4, "indices", 2), ("length_5", 4, "indices", 3), ("length_5", 4, "indices", 4), ("length_5", 5, "indices", 0), ("length_5", 5, "indices", 1), ("length_5", 5, "indices", 2), ("length_5", 5, "indices", 3), ("length_5", 5, "indices", 4)};
    pub space B4Query = One | OppIdx13 | B0Value;
    pub space B4Key = Indices | B0Value;
}

/// Rebuilds the model from the fixture's craft blocks, with `Residual` as its residual stream.
pub fn model(fixture: &Json) -> Model<Residual> {
    let series = Series::new()
        .then(AttentionHead::<Residual>::new(
            bilinear::<B0Query, TokensBOSABC>(head_json(fixture, 0, 0)),
            linear::<B0Value, Length5SelectorWidthAttnOutput>(
                &head_json(fixture, 0, 0)["w_ov"]["matrix"],
            ),
            causal(fixture, 0, 0),
        ))
        .then(Mlp::<Residual, B1Hidden>::new(
            linear::<B1Input, B1Hidden>(&mlp_json(fixture, 1)["fst"]),
            linear::<B1Hidden, B1Output>(&mlp_json(fixture, 1)["snd"]),
        ))
        .then(Mlp::<Residual, B2Hidden>::new(
            linear::<B2Input, B2Hidden>(&mlp_json(fixture, 2)["fst"]),
            linear::<B2Hidden, OppIdx4>(&mlp_json(fixture, 2)["snd"]),
        ))
        .then(Mlp::<Residual, OppIdx13>::new(
            linear::<OppIdx4, OppIdx13>(&mlp_json(fixture, 3)["fst"]),
            linear::<OppIdx13, OppIdx13>(&mlp_json(fixture, 3)["snd"]),
        ))
        .then(AttentionHead::<Residual>::new(
            bilinear::<B4Query, B4Key>(head_json(fixture, 4, 0)),
            linear::<TokensBOSABC, Output>(&head_json(fixture, 4, 0)["w_ov"]["matrix"]),
            causal(fixture, 4, 0),
        ));
    Model::builder(series)
        .tokens::<Tokens>(bos(fixture))
        .indices::<Indices>()
        .categorical_output::<Output>()
        .build()
        .expect("the fixture's spaces form a valid model")
}

//! The `sort_unique` program, rebuilt through the typed API from the craft blocks of
//! `tests/fixtures/programs/sort_unique.json`:
//! make_sort_unique(tokens, tokens): sort tokens ascending, assuming unique tokens.

use handcraft::assemble::Model;
use handcraft::{AttentionHead, Mlp, Series};
use serde_json::Value as Json;

use super::{bilinear, bos, causal, head_json, linear, mlp_json};

handcraft::spaces! {
    pub space Tokens = tokens: {1, 2, 3, 4, "BOS", "PAD"};
    pub space Indices = indices: 0..5;
    pub space Output = sort_1: 1..5;
    pub space One = one;
    pub space TargetPos3 = target_pos_3: 0..6;
    pub space TargetPos3SelectorWidthAttnOutput = target_pos_3_selector_width_attn_output;
    pub space Residual = Indices | One | Output | TargetPos3 | TargetPos3SelectorWidthAttnOutput | Tokens;
    pub space B0QueryTokens = tokens: {1, 2, 3, 4, "BOS"};
    pub space B0Query = One | B0QueryTokens;
    pub space B0Value = tokens: {"BOS"};
    pub space B1InputNames = {one, target_pos_3_selector_width_attn_output};
    pub space B1Input = B1InputNames | B0Value;
    pub space B1HiddenNames = {_hidden_clean_bos_, _hidden_target_pos_3_start};
    pub space HiddenTargetPos3 = _hidden_target_pos_3_: {(1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (4, 0), (4, 1), (5, 0), (5, 1)};
    pub space B1Hidden = B1HiddenNames | HiddenTargetPos3;
    pub space B1Output = TargetPos3SelectorWidthAttnOutput | TargetPos3;
    pub space B2Query = One | Indices | B0Value;
    pub space B2Key = TargetPos3 | B0Value;
}

/// Rebuilds the model from the fixture's craft blocks, with `Residual` as its residual stream.
pub fn model(fixture: &Json) -> Model<Residual> {
    let series = Series::new()
        .then(AttentionHead::<Residual>::new(
            bilinear::<B0Query, B0QueryTokens>(head_json(fixture, 0, 0)),
            linear::<B0Value, TargetPos3SelectorWidthAttnOutput>(
                &head_json(fixture, 0, 0)["w_ov"]["matrix"],
            ),
            causal(fixture, 0, 0),
        ))
        .then(Mlp::<Residual, B1Hidden>::new(
            linear::<B1Input, B1Hidden>(&mlp_json(fixture, 1)["fst"]),
            linear::<B1Hidden, B1Output>(&mlp_json(fixture, 1)["snd"]),
        ))
        .then(AttentionHead::<Residual>::new(
            bilinear::<B2Query, B2Key>(head_json(fixture, 2, 0)),
            linear::<B0QueryTokens, Output>(&head_json(fixture, 2, 0)["w_ov"]["matrix"]),
            causal(fixture, 2, 0),
        ));
    Model::builder(series)
        .tokens::<Tokens>(bos(fixture))
        .indices::<Indices>()
        .categorical_output::<Output>()
        .build()
        .expect("the fixture's spaces form a valid model")
}

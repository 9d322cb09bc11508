//! The `sort` program, rebuilt through the typed API from the craft blocks of
//! `tests/fixtures/programs/sort.json`:
//! make_sort(tokens, tokens, max_seq_len=5, min_key=1): sort that tolerates repeated keys (keys
//! made unique as x + min_key*i/max_seq_len).

use handcraft::assemble::Model;
use handcraft::{AttentionHead, Mlp, Series};
use serde_json::Value as Json;

use super::{bilinear, bos, causal, head_json, linear, mlp_json};

handcraft::spaces! {
    pub space Tokens = tokens: {1, 2, 3, 4, "BOS", "PAD"};
    pub space Indices = indices: 0..5;
    pub space Output = sort_1: 1..5;
    pub space One = one;
    pub space SequenceMap5 = sequence_map_5: {1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2, 3.4, 3.6, 3.8, 4.0, 4.2, 4.4, 4.6, 4.8};
    pub space TargetPos3 = target_pos_3: 0..6;
    pub space TargetPos3SelectorWidthAttnOutput = target_pos_3_selector_width_attn_output;
    pub space Residual = Indices | One | SequenceMap5 | Output | TargetPos3 | TargetPos3SelectorWidthAttnOutput | Tokens;
    pub space B0InputTokens = tokens: 1..5;
    pub space B0Input = One | Indices | B0InputTokens;
    pub space B0Hidden = _hidden_sequence_map_5_: {("tokens", 1, "indices", 0), ("tokens", 1, "indices", 1), ("tokens", 1, "indices", 2), ("tokens", 1, "indices", 3), ("tokens", 1, "indices", 4), ("tokens", 2, "indices", 0), ("tokens", 2, "indices", 1), ("tokens", 2, "indices", 2), ("tokens", 2, "indices", 3), ("tokens", 2, "indices", 4), ("tokens", 3, "indices", 0), ("tokens", 3, "indices", 1), ("tokens", 3, "indices", 2), ("tokens", 3, "indices", 3), ("tokens", 3, "indices", 4), ("tokens", 4, "indices", 0), ("tokens", 4, "indices", 1), ("tokens", 4, "indices", 2), ("tokens", 4, "indices", 3), ("tokens", 4, "indices", 4)};
    pub space TokensBOS = tokens: {"BOS"};
    pub space B1Query = One | SequenceMap5 | TokensBOS;
    pub space B1Key = SequenceMap5 | TokensBOS;
    pub space B2InputNames = {one, target_pos_3_selector_width_attn_output};
    pub space B2Input = B2InputNames | TokensBOS;
    pub space B2HiddenNames = {_hidden_clean_bos_, _hidden_target_pos_3_start};
    pub space HiddenTargetPos3 = _hidden_target_pos_3_: {(1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (4, 0), (4, 1), (5, 0), (5, 1)};
    pub space B2Hidden = B2HiddenNames | HiddenTargetPos3;
    pub space B2Output = TargetPos3SelectorWidthAttnOutput | TargetPos3;
    pub space B3Query = One | Indices | TokensBOS;
    pub space B3Key = TargetPos3 | TokensBOS;
    pub space B3Value = tokens: {1, 2, 3, 4, "BOS"};
}

/// Rebuilds the model from the fixture's craft blocks, with `Residual` as its residual stream.
pub fn model(fixture: &Json) -> Model<Residual> {
    let series = Series::new()
        .then(Mlp::<Residual, B0Hidden>::new(
            linear::<B0Input, B0Hidden>(&mlp_json(fixture, 0)["fst"]),
            linear::<B0Hidden, SequenceMap5>(&mlp_json(fixture, 0)["snd"]),
        ))
        .then(AttentionHead::<Residual>::new(
            bilinear::<B1Query, B1Key>(head_json(fixture, 1, 0)),
            linear::<TokensBOS, TargetPos3SelectorWidthAttnOutput>(
                &head_json(fixture, 1, 0)["w_ov"]["matrix"],
            ),
            causal(fixture, 1, 0),
        ))
        .then(Mlp::<Residual, B2Hidden>::new(
            linear::<B2Input, B2Hidden>(&mlp_json(fixture, 2)["fst"]),
            linear::<B2Hidden, B2Output>(&mlp_json(fixture, 2)["snd"]),
        ))
        .then(AttentionHead::<Residual>::new(
            bilinear::<B3Query, B3Key>(head_json(fixture, 3, 0)),
            linear::<B3Value, Output>(&head_json(fixture, 3, 0)["w_ov"]["matrix"]),
            causal(fixture, 3, 0),
        ));
    Model::builder(series)
        .tokens::<Tokens>(bos(fixture))
        .indices::<Indices>()
        .categorical_output::<Output>()
        .build()
        .expect("the fixture's spaces form a valid model")
}

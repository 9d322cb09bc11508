//! The `count_a` program, rebuilt through the typed API from the craft blocks of
//! `tests/fixtures/programs/count_a.json`:
//! make_count(tokens, 'a'): number of 'a' tokens, at every position.

use handcraft::assemble::Model;
use handcraft::{AttentionHead, Mlp, Series};
use serde_json::Value as Json;

use super::{bilinear, bos, causal, head_json, linear, mlp_json};

handcraft::spaces! {
    pub space Tokens = tokens: {"BOS", "PAD", "a", "b", "c"};
    pub space Indices = indices: 0..5;
    pub space Output = count_a_1: 0..6;
    pub space CountA1SelectorWidthAttnOutput = count_a_1_selector_width_attn_output;
    pub space One = one;
    pub space Residual = Output | CountA1SelectorWidthAttnOutput | Indices | One | Tokens;
    pub space TokensBOSABC = tokens: {"BOS", "a", "b", "c"};
    pub space B0Query = One | TokensBOSABC;
    pub space B0Value = tokens: {"BOS"};
    pub space B1InputNames = {count_a_1_selector_width_attn_output, one};
    pub space B1Input = B1InputNames | B0Value;
    pub space B1HiddenNames = {_hidden_clean_bos_, _hidden_count_a_1_start};
    pub space HiddenCountA1 = _hidden_count_a_1_: {(1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (4, 0), (4, 1), (5, 0), (5, 1)};
    pub space B1Hidden = B1HiddenNames | HiddenCountA1;
    pub space B1Output = CountA1SelectorWidthAttnOutput | Output;
}

/// Rebuilds the model from the fixture's craft blocks, with `Residual` as its residual stream.
pub fn model(fixture: &Json) -> Model<Residual> {
    let series = Series::new()
        .then(AttentionHead::<Residual>::new(
            bilinear::<B0Query, TokensBOSABC>(head_json(fixture, 0, 0)),
            linear::<B0Value, CountA1SelectorWidthAttnOutput>(
                &head_json(fixture, 0, 0)["w_ov"]["matrix"],
            ),
            causal(fixture, 0, 0),
        ))
        .then(Mlp::<Residual, B1Hidden>::new(
            linear::<B1Input, B1Hidden>(&mlp_json(fixture, 1)["fst"]),
            linear::<B1Hidden, B1Output>(&mlp_json(fixture, 1)["snd"]),
        ));
    Model::builder(series)
        .tokens::<Tokens>(bos(fixture))
        .indices::<Indices>()
        .categorical_output::<Output>()
        .build()
        .expect("the fixture's spaces form a valid model")
}

//! The `pair_balance` program, rebuilt through the typed API from the craft blocks of
//! `tests/fixtures/programs/pair_balance.json`:
//! make_pair_balance(tokens, '(', ')'): running (#open - #close)/(i+1) (numerical).

use handcraft::assemble::Model;
use handcraft::{AttentionHead, Mlp, MultiAttentionHead, Series};
use serde_json::Value as Json;

use super::{bilinear, bos, causal, head_json, linear, mlp_json};

handcraft::spaces! {
    pub space Tokens = tokens: {"(", ")", "BOS", "PAD", "a"};
    pub space Indices = indices: 0..6;
    pub numerical space Output = pair_balance_1;
    pub space BoolsClose7 = bools_close_7;
    pub space BoolsOpen5 = bools_open_5;
    pub space Closes3 = closes_3;
    pub space One = one;
    pub space Opens2 = opens_2;
    pub space PairBalance1 = pair_balance_1;
    pub space Residual = BoolsClose7 | BoolsOpen5 | Closes3 | Indices | One | Opens2 | PairBalance1 | Tokens;
    pub space B0Input = tokens: {"(", ")", "a"};
    pub space B0Hidden = {bools_close_7, bools_open_5};
    pub space TokensBOS = tokens: {"BOS"};
    pub space B1H0Query = One | Indices | TokensBOS;
    pub space B1H0Key = Indices | TokensBOS;
    pub space B1H0Value = BoolsOpen5 | TokensBOS;
    pub space B1H1Value = BoolsClose7 | TokensBOS;
    pub space B2Input = {closes_3, opens_2};
    pub space HiddenPairBalance1X = _hidden_pair_balance_1_x: {-1, 1};
    pub space HiddenPairBalance1Y = _hidden_pair_balance_1_y: {-1, 1};
    pub space B2Hidden = HiddenPairBalance1X | HiddenPairBalance1Y;
}

/// Rebuilds the model from the fixture's craft blocks, with `Residual` as its residual stream.
pub fn model(fixture: &Json) -> Model<Residual> {
    let series = Series::new()
        .then(Mlp::<Residual, B0Hidden>::new(
            linear::<B0Input, B0Hidden>(&mlp_json(fixture, 0)["fst"]),
            linear::<B0Hidden, B0Hidden>(&mlp_json(fixture, 0)["snd"]),
        ))
        .then(MultiAttentionHead::new([
            AttentionHead::<Residual>::new(
                bilinear::<B1H0Query, B1H0Key>(head_json(fixture, 1, 0)),
                linear::<B1H0Value, Opens2>(&head_json(fixture, 1, 0)["w_ov"]["matrix"]),
                causal(fixture, 1, 0),
            ),
            AttentionHead::<Residual>::new(
                bilinear::<B1H0Query, B1H0Key>(head_json(fixture, 1, 1)),
                linear::<B1H1Value, Closes3>(&head_json(fixture, 1, 1)["w_ov"]["matrix"]),
                causal(fixture, 1, 1),
            ),
        ]))
        .then(Mlp::<Residual, B2Hidden>::new(
            linear::<B2Input, B2Hidden>(&mlp_json(fixture, 2)["fst"]),
            linear::<B2Hidden, PairBalance1>(&mlp_json(fixture, 2)["snd"]),
        ));
    Model::builder(series)
        .tokens::<Tokens>(bos(fixture))
        .indices::<Indices>()
        .numerical_output::<Output>()
        .build()
        .expect("the fixture's spaces form a valid model")
}

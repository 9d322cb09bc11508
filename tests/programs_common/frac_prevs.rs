//! The `frac_prevs` program, rebuilt through the typed API from the craft blocks of
//! `tests/fixtures/programs/frac_prevs.json`:
//! make_frac_prevs(tokens=='x'): fraction of positions <= i holding 'x' (numerical).

use handcraft::assemble::Model;
use handcraft::{AttentionHead, Mlp, Series};
use serde_json::Value as Json;

use super::{bilinear, bos, causal, head_json, linear, mlp_json};

handcraft::spaces! {
    pub space Tokens = tokens: {"BOS", "PAD", "x", "y", "z"};
    pub space Indices = indices: 0..6;
    pub numerical space Output = frac_prevs_1;
    pub space FracPrevs1 = frac_prevs_1;
    pub space Map3 = map_3;
    pub space One = one;
    pub space Residual = FracPrevs1 | Indices | Map3 | One | Tokens;
    pub space B0Input = tokens: {"x", "y", "z"};
    pub space TokensBOS = tokens: {"BOS"};
    pub space B1Query = One | Indices | TokensBOS;
    pub space B1Key = Indices | TokensBOS;
    pub space B1Value = Map3 | TokensBOS;
}

/// Rebuilds the model from the fixture's craft blocks, with `Residual` as its residual stream.
pub fn model(fixture: &Json) -> Model<Residual> {
    let series = Series::new()
        .then(Mlp::<Residual, Map3>::new(
            linear::<B0Input, Map3>(&mlp_json(fixture, 0)["fst"]),
            linear::<Map3, Map3>(&mlp_json(fixture, 0)["snd"]),
        ))
        .then(AttentionHead::<Residual>::new(
            bilinear::<B1Query, B1Key>(head_json(fixture, 1, 0)),
            linear::<B1Value, FracPrevs1>(&head_json(fixture, 1, 0)["w_ov"]["matrix"]),
            causal(fixture, 1, 0),
        ));
    Model::builder(series)
        .tokens::<Tokens>(bos(fixture))
        .indices::<Indices>()
        .numerical_output::<Output>()
        .build()
        .expect("the fixture's spaces form a valid model")
}

//! The `nary_sequencemap` program, rebuilt through the typed API from the craft blocks of
//! `tests/fixtures/programs/nary_sequencemap.json`:
//! make_nary_sequencemap(lambda x,y,z: x*y+z, tokens, indices, Map(lambda t: 2-t, tokens)).

use handcraft::assemble::Model;
use handcraft::{Mlp, Series};
use serde_json::Value as Json;

use super::{bos, linear, mlp_json};

handcraft::spaces! {
    pub space Tokens = tokens: {0, 1, 2, "BOS", "PAD"};
    pub space Indices = indices: 0..4;
    pub space Output = nary_1: 0..9;
    pub space One = one;
    pub space SequenceMap2 = sequence_map_2: {(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 0), (0, 1, 1), (0, 1, 2), (0, 2, 0), (0, 2, 1), (0, 2, 2), (0, 3, 0), (0, 3, 1), (0, 3, 2), (1, 0, 0), (1, 0, 1), (1, 0, 2), (1, 1, 0), (1, 1, 1), (1, 1, 2), (1, 2, 0), (1, 2, 1), (1, 2, 2), (1, 3, 0), (1, 3, 1), (1, 3, 2), (2, 0, 0), (2, 0, 1), (2, 0, 2), (2, 1, 0), (2, 1, 1), (2, 1, 2), (2, 2, 0), (2, 2, 1), (2, 2, 2), (2, 3, 0), (2, 3, 1), (2, 3, 2)};
    pub space SequenceMap3 = sequence_map_3: {(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1), (1, 2), (1, 3), (2, 0), (2, 1), (2, 2), (2, 3)};
    pub space TwoMinusTok4 = two_minus_tok_4: 0..3;
    pub space Residual = Indices | Output | One | SequenceMap2 | SequenceMap3 | Tokens | TwoMinusTok4;
    pub space B0InputTokens = tokens: 0..3;
    pub space B0Input = One | Indices | B0InputTokens;
    pub space HiddenSequenceMap3 = _hidden_sequence_map_3_: {("tokens", 0, "indices", 0), ("tokens", 0, "indices", 1), ("tokens", 0, "indices", 2), ("tokens", 0, "indices", 3), ("tokens", 1, "indices", 0), ("tokens", 1, "indices", 1), ("tokens", 1, "indices", 2), ("tokens", 1, "indices", 3), ("tokens", 2, "indices", 0), ("tokens", 2, "indices", 1), ("tokens", 2, "indices", 2), ("tokens", 2, "indices", 3)};
    pub space B0Hidden = HiddenSequenceMap3 | TwoMinusTok4;
    pub space B0Output = SequenceMap3 | TwoMinusTok4;
    pub space B1Input = One | SequenceMap3 | TwoMinusTok4;
    pub space B1Hidden = _hidden_sequence_map_2_: {("sequence_map_3", (0, 0), "two_minus_tok_4", 0), ("sequence_map_3", (0, 0), "two_minus_tok_4", 1), ("sequence_map_3", (0, 0), "two_minus_tok_4", 2), ("sequence_map_3", (0, 1), "two_minus_tok_4", 0), ("sequence_map_3", (0, 1), "two_minus_tok_4", 1), ("sequence_map_3", (0, 1), "two_minus_tok_4", 2), ("sequence_map_3", (0, 2), "two_minus_tok_4", 0), ("sequence_map_3", (0, 2), "two_minus_tok_4", 1), ("sequence_map_3", (0, 2), "two_minus_tok_4", 2), ("sequence_map_3", (0, 3), "two_minus_tok_4", 0), ("sequence_map_3", (0, 3), "two_minus_tok_4", 1), ("sequence_map_3", (0, 3), "two_minus_tok_4", 2), ("sequence_map_3", (1, 0), "two_minus_tok_4", 0), ("sequence_map_3", (1, 0), "two_minus_tok_4", 1), ("sequence_map_3", (1, 0), "two_minus_tok_4", 2), ("sequence_map_3", (1, 1), "two_minus_tok_4", 0), ("sequence_map_3", (1, 1), "two_minus_tok_4", 1), ("sequence_map_3", (1, 1), "two_minus_tok_4", 2), ("sequence_map_3", (1, 2), "two_minus_tok_4", 0), ("sequence_map_3", (1, 2), "two_minus_tok_4", 1), ("sequence_map_3", (1, 2), "two_minus_tok_4", 2), ("sequence_map_3", (1, 3), "two_minus_tok_4", 0), ("sequence_map_3", (1, 3), "two_minus_tok_4", 1), ("sequence_map_3", (1, 3), "two_minus_tok_4", 2), ("sequence_map_3", (2, 0), "two_minus_tok_4", 0), ("sequence_map_3", (2, 0), "two_minus_tok_4", 1), ("sequence_map_3", (2, 0), "two_minus_tok_4", 2), ("sequence_map_3", (2, 1), "two_minus_tok_4", 0), ("sequence_map_3", (2, 1), "two_minus_tok_4", 1), ("sequence_map_3", (2, 1), "two_minus_tok_4", 2), ("sequence_map_3", (2, 2), "two_minus_tok_4", 0), ("sequence_map_3", (2, 2), "two_minus_tok_4", 1), ("sequence_map_3", (2, 2), "two_minus_tok_4", 2), ("sequence_map_3", (2, 3), "two_minus_tok_4", 0), ("sequence_map_3", (2, 3), "two_minus_tok_4", 1), ("sequence_map_3", (2, 3), "two_minus_tok_4", 2)};
}

/// Rebuilds the model from the fixture's craft blocks, with `Residual` as its residual stream.
pub fn model(fixture: &Json) -> Model<Residual> {
    let series = Series::new()
        .then(Mlp::<Residual, B0Hidden>::new(
            linear::<B0Input, B0Hidden>(&mlp_json(fixture, 0)["fst"]),
            linear::<B0Hidden, B0Output>(&mlp_json(fixture, 0)["snd"]),
        ))
        .then(Mlp::<Residual, B1Hidden>::new(
            linear::<B1Input, B1Hidden>(&mlp_json(fixture, 1)["fst"]),
            linear::<B1Hidden, SequenceMap2>(&mlp_json(fixture, 1)["snd"]),
        ))
        .then(Mlp::<Residual, Output>::new(
            linear::<SequenceMap2, Output>(&mlp_json(fixture, 2)["fst"]),
            linear::<Output, Output>(&mlp_json(fixture, 2)["snd"]),
        ));
    Model::builder(series)
        .tokens::<Tokens>(bos(fixture))
        .indices::<Indices>()
        .categorical_output::<Output>()
        .build()
        .expect("the fixture's spaces form a valid model")
}

//! The craft models of compiled programs from `tests/fixtures/programs/`, rebuilt from their
//! blocks' parts and evaluated on the recorded inputs: the residual after every block must
//! match the reference's craft evaluation.

mod common;

use handcraft::block::{BlockParts, HeadParts, MlpParts};
use handcraft::nalgebra::DMatrix;
use handcraft::{Block, Sequence, Series, Space};
use serde_json::Value as Json;

handcraft::spaces! {
    space ReverseIndices = indices: 0..5;
    space ReverseLength = length_5: 0..6;
    space ReverseLengthAttention = length_5_selector_width_attn_output;
    space ReverseOne = one;
    space ReverseOpposite = "opp_idx-1_3": -5..5;
    space ReverseOppositeIndex = opp_idx_4: -4..6;
    space Reversed = reverse_1: {"a", "b", "c"};
    space ReverseTokens = tokens: {"BOS", "PAD", "a", "b", "c"};
    space ReverseResidual = ReverseIndices | ReverseLength | ReverseLengthAttention | ReverseOne
        | ReverseOpposite | ReverseOppositeIndex | Reversed | ReverseTokens;
}

handcraft::spaces! {
    space PairNames = {bools_close_7, bools_open_5, closes_3, one, opens_2, pair_balance_1};
    space PairIndices = indices: 0..6;
    space PairTokens = tokens: {"(", ")", "BOS", "PAD", "a"};
    space PairResidual = PairNames | PairIndices | PairTokens;
}

handcraft::spaces! {
    space FracNames = {frac_prevs_1, map_3, one};
    space FracIndices = indices: 0..6;
    space FracTokens = tokens: {"BOS", "PAD", "x", "y", "z"};
    space FracResidual = FracNames | FracIndices | FracTokens;
}

handcraft::spaces! {
    space SortIndices = indices: 0..5;
    space SortOne = one;
    space SortMap = sequence_map_5: {
        1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8,
        3.0, 3.2, 3.4, 3.6, 3.8, 4.0, 4.2, 4.4, 4.6, 4.8
    };
    space Sorted = sort_1: 1..5;
    space SortTarget = target_pos_3: 0..6;
    space SortTargetAttention = target_pos_3_selector_width_attn_output;
    space SortTokens = tokens: {1, 2, 3, 4, "BOS", "PAD"};
    space SortResidual = SortIndices | SortOne | SortMap | Sorted | SortTarget
        | SortTargetAttention | SortTokens;
}

fn head_parts(json: &Json) -> HeadParts {
    HeadParts {
        query: common::basis(&json["w_qk"]["left_space"]),
        key: common::basis(&json["w_qk"]["right_space"]),
        w_qk: common::rows(&json["w_qk"]["matrix"]["data"]),
        value: common::basis(&json["w_ov"]["input_space"]),
        output: common::basis(&json["w_ov"]["output_space"]),
        w_ov: common::rows(&json["w_ov"]["matrix"]["data"]),
        causal: json["causal"].as_bool().expect("causal flag"),
    }
}

fn mlp_parts(json: &Json) -> MlpParts {
    MlpParts {
        input: common::basis(&json["input_space"]),
        hidden: common::directions(&json["hidden_space"]),
        output: common::basis(&json["output_space"]),
        fst: common::rows(&json["fst"]["data"]),
        snd: common::rows(&json["snd"]["data"]),
    }
}

/// Rebuilds a program's craft model over `R` from the parts of its blocks.
fn craft_series<R: Space>(program: &Json) -> Series<R> {
    let mut series = Series::new();
    for block in program["craft_blocks"].as_array().expect("craft blocks") {
        let parts = if block["type"] == "attn" {
            let heads = block["heads"].as_array().expect("heads");
            BlockParts::Attention(heads.iter().map(head_parts).collect())
        } else {
            BlockParts::Mlp(mlp_parts(&block["mlp"]))
        };
        series = series.then(Block::from_parts(parts).expect("block fits the residual"));
    }
    series
}

/// Evaluates a program's craft model on every recorded input and compares the residual
/// after each block; returns the number of inputs compared.
fn check_program<R: Space>(name: &str) -> usize {
    let program = common::load(&format!("programs/{name}.json"));
    assert_eq!(
        common::basis(&program["residual_space"]).labels(),
        R::basis().labels(),
        "{name}: declared residual differs from the fixture's"
    );
    let series = craft_series::<R>(&program);

    let mut compared = 0;
    for (case, evaluation) in program["evaluations"]
        .as_array()
        .expect("evaluations")
        .iter()
        .enumerate()
    {
        let Some(residuals) = evaluation["craft_residuals_after_each_block"].as_array() else {
            continue;
        };
        let embeddings = common::rows(&evaluation["assembled_residuals"]["input_embeddings"]);
        let input = Sequence::<R>::from_fn(embeddings.nrows(), |position, d| {
            embeddings[(position, d.index())]
        });

        let result = series.evaluate(&input).expect("finite input");
        assert_eq!(
            result.blocks().len(),
            residuals.len(),
            "{name}: block count"
        );
        for (index, (block, expected)) in result.blocks().iter().zip(residuals).enumerate() {
            let actual = DMatrix::from_column_slice(
                input.len(),
                R::DIM,
                block.residual().matrix().as_slice(),
            );
            common::assert_close(
                &actual,
                &common::rows(expected),
                1e-12,
                &format!("{name}, case {case}, residual after block {index}"),
            );
        }
        compared += 1;
    }
    compared
}

#[test]
fn reverse_craft_model_matches_reference() {
    assert_eq!(check_program::<ReverseResidual>("reverse"), 5);
}

#[test]
fn pair_balance_craft_model_matches_reference() {
    assert_eq!(check_program::<PairResidual>("pair_balance"), 5);
}

#[test]
fn frac_prevs_causal_craft_model_matches_reference() {
    assert_eq!(check_program::<FracResidual>("frac_prevs_causal"), 5);
}

#[test]
fn sort_craft_model_matches_reference() {
    assert_eq!(check_program::<SortResidual>("sort"), 5);
}

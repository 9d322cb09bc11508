//! Attention heads and multi-heads built with the typed API from the reference's fixtures, and
//! compared with its outputs.

mod block_common;
mod common;

use block_common::{assert_basis, assert_sequence, bilinear, linear, sequence};
use handcraft::{AttentionHead, Block, MultiAttentionHead, Space, Subspace};
use serde_json::Value as Json;

handcraft::spaces! {
    space Query = q: 0..3;
    space Key = k: 0..3;
    space Value = v: {"a", "b"};
    space Output = o: {"a", "b"};
    space Residual = Query | Key | Value | Output;

    space Letters = t: {"x", "y", "z"};
}

handcraft::spaces! {
    space A = a: 0..2;
    space B = b: 0..3;
    space C = c;
    space Out12 = out: 1..3;
    space Out23 = out: 2..4;
    space MultiResidual = A | B | C | Out12 | Out23;
}

/// Builds the fixture head `json` over the declared spaces.
fn head<R, Q, K, V, O>(json: &Json) -> AttentionHead<R>
where
    R: Space,
    Q: Subspace<R>,
    K: Subspace<R>,
    V: Subspace<R>,
    O: Subspace<R>,
{
    assert_basis::<Q>(&json["w_qk"]["left_space"], "query space");
    assert_basis::<K>(&json["w_qk"]["right_space"], "key space");
    assert_basis::<V>(&json["w_ov"]["input_space"], "value space");
    assert_basis::<O>(&json["w_ov"]["output_space"], "output space");
    let causal = json["causal"].as_bool().expect("causal flag");
    AttentionHead::new(
        bilinear::<Q, K>(&json["w_qk"]["matrix"]),
        linear::<V, O>(&json["w_ov"]["matrix"]),
        causal,
    )
}

/// Checks one of the `attention_head_*` fixtures over `Residual` and returns the head's
/// evaluation for further checks.
fn check_head_fixture(name: &str) -> handcraft::block::HeadEvaluation<Residual> {
    let fixture = common::load(&format!("craft/{name}.json"));
    assert_basis::<Residual>(&fixture["residual_space"], name);
    let head = head::<Residual, Query, Key, Value, Output>(&fixture["block"]);
    let input = sequence::<Residual>(&fixture["input"]);

    let evaluation = head.evaluate(&input).expect("finite input");
    assert_sequence(&evaluation.output(), &fixture["expected_output"], name);
    assert_eq!(
        head.apply(&input).expect("finite input"),
        evaluation.output(),
        "{name}: apply and evaluate differ"
    );
    evaluation
}

fn assert_rows_sum_to_one(weights: &handcraft::nalgebra::DMatrix<f64>, what: &str) {
    for (query, row) in weights.row_iter().enumerate() {
        assert!(
            (row.sum() - 1.0).abs() < 1e-12,
            "{what}: weights of query {query} sum to {}",
            row.sum()
        );
    }
}

#[test]
fn head_noncausal_matches_reference() {
    let evaluation = check_head_fixture("attention_head_noncausal");
    assert_eq!(evaluation.logits().shape(), (5, 5));
    assert_rows_sum_to_one(evaluation.weights(), "noncausal");
}

#[test]
fn head_noncausal_single_position_matches_reference() {
    let evaluation = check_head_fixture("attention_head_noncausal_len1");
    assert_eq!(evaluation.weights().as_slice(), [1.0]);
}

#[test]
fn head_causal_matches_reference() {
    let evaluation = check_head_fixture("attention_head_causal_len5");
    assert_rows_sum_to_one(evaluation.weights(), "causal");
    for query in 0..5 {
        for key in query + 1..5 {
            assert_eq!(
                evaluation.logits()[(query, key)],
                f64::NEG_INFINITY,
                "logit of query {query}, key {key} is not masked"
            );
            assert_eq!(
                evaluation.weights()[(query, key)],
                0.0,
                "weight of query {query}, key {key} is not zero"
            );
        }
    }
    // Query position 0 attends only to itself.
    assert_eq!(evaluation.weights()[(0, 0)], 1.0);
}

#[test]
fn head_causal_single_position_matches_reference() {
    let evaluation = check_head_fixture("attention_head_causal_len1");
    assert_eq!(evaluation.weights().as_slice(), [1.0]);
}

#[test]
fn head_float_weights_matches_reference() {
    let evaluation = check_head_fixture("attention_head_float_weights");
    assert_eq!(evaluation.logits().shape(), (6, 6));
    assert_rows_sum_to_one(evaluation.weights(), "float weights");
}

#[test]
fn head_logits_have_no_scaling() {
    // Logits are Q · W · Kᵀ exactly, with no 1/sqrt(d) factor: recompute one by hand.
    let fixture = common::load("craft/attention_head_noncausal.json");
    let head = head::<Residual, Query, Key, Value, Output>(&fixture["block"]);
    let input = sequence::<Residual>(&fixture["input"]);
    let evaluation = head.evaluate(&input).expect("finite input");

    let w_qk = common::rows(&fixture["block"]["w_qk"]["matrix"]["data"]);
    let x = block_common::dmatrix(&input);
    let (query_offset, key_offset) = (5, 0); // q:0..3 are columns 5..8, k:0..3 columns 0..3
    let (query, key) = (3, 1);
    let mut expected = 0.0;
    for i in 0..3 {
        for j in 0..3 {
            expected += x[(query, query_offset + i)] * w_qk[(i, j)] * x[(key, key_offset + j)];
        }
    }
    let logit = evaluation.logits()[(query, key)];
    assert!(
        (logit - expected).abs() < 1e-12,
        "logit is {logit}, expected {expected}"
    );
}

#[test]
fn head_uniform_causal_averages_prefix() {
    let fixture = common::load("craft/attention_head_uniform_causal.json");
    assert_basis::<Letters>(&fixture["residual_space"], "residual");
    let head = head::<Letters, Letters, Letters, Letters, Letters>(&fixture["block"]);
    let input = sequence::<Letters>(&fixture["input"]);

    let evaluation = head.evaluate(&input).expect("finite input");
    assert_sequence(
        &evaluation.output(),
        &fixture["expected_output"],
        "uniform causal",
    );
    // Zero logits: position 3 weighs positions 0..=3 equally.
    for key in 0..4 {
        assert_eq!(evaluation.weights()[(3, key)], 0.25);
    }
}

fn multi_head_fixture() -> (Json, MultiAttentionHead<MultiResidual>) {
    let fixture = common::load("craft/multi_attention_head_3.json");
    assert_basis::<MultiResidual>(&fixture["residual_space"], "multi-head residual");
    let heads = &fixture["block"]["heads"];
    let layer = MultiAttentionHead::new([
        head::<MultiResidual, A, B, C, Out12>(&heads[0]),
        head::<MultiResidual, B, A, A, Out23>(&heads[1]),
        head::<MultiResidual, C, C, B, Out12>(&heads[2]),
    ]);
    (fixture, layer)
}

#[test]
fn multi_head_sums_heads_as_reference() {
    let (fixture, layer) = multi_head_fixture();
    let input = sequence::<MultiResidual>(&fixture["input"]);

    let output = layer.apply(&input).expect("finite input");
    assert_sequence(&output, &fixture["expected_output"], "multi-head output");
}

#[test]
fn multi_head_per_head_outputs_match_reference() {
    let (fixture, layer) = multi_head_fixture();
    let input = sequence::<MultiResidual>(&fixture["input"]);

    let evaluations = layer.evaluate(&input).expect("finite input");
    assert_eq!(evaluations.len(), 3);
    for (index, evaluation) in evaluations.iter().enumerate() {
        let what = format!("head {index}");
        assert_sequence(
            &evaluation.output(),
            &fixture["per_head_output"][index],
            &what,
        );
        let alone = layer.heads()[index].apply(&input).expect("finite input");
        assert_sequence(&alone, &fixture["per_head_output"][index], &what);
    }
}

#[test]
fn multi_head_second_head_is_causal() {
    let (_, layer) = multi_head_fixture();
    let causal: Vec<bool> = layer.heads().iter().map(|h| h.parts().causal).collect();
    assert_eq!(causal, [false, true, false]);
}

#[test]
fn multi_head_nesting_flattens() {
    let (_, layer) = multi_head_fixture();
    let heads = layer.heads().to_vec();

    let nested = MultiAttentionHead::new([heads[0].clone()]).with(MultiAttentionHead::new([
        heads[1].clone(),
        heads[2].clone(),
    ]));
    assert_eq!(nested.head_count(), 3);
    assert_eq!(nested, layer);

    let one_more = nested.with(heads[0].clone());
    assert_eq!(one_more.head_count(), 4);
}

#[test]
fn multi_head_empty_writes_nothing() {
    let (fixture, _) = multi_head_fixture();
    let input = sequence::<MultiResidual>(&fixture["input"]);
    let layer = MultiAttentionHead::<MultiResidual>::new([]);

    assert_eq!(layer.head_count(), 0);
    let output = layer.apply(&input).expect("finite input");
    assert!(output.matrix().iter().all(|&v| v == 0.0));
}

#[test]
fn multi_head_block_parts_keep_every_head() {
    let (fixture, layer) = multi_head_fixture();
    let block = Block::from(layer);
    let handcraft::block::BlockParts::Attention(heads) = block.parts() else {
        panic!("an attention layer erased to MLP parts");
    };
    assert_eq!(heads.len(), 3);
    let first = &fixture["block"]["heads"][0];
    assert_eq!(heads[0].query, common::basis(&first["w_qk"]["left_space"]));
    assert_eq!(
        heads[0].w_qk,
        common::rows(&first["w_qk"]["matrix"]["data"])
    );
    assert_eq!(
        heads[0].w_ov,
        common::rows(&first["w_ov"]["matrix"]["data"])
    );
}

#[test]
fn head_from_parts_equals_typed_head() {
    let fixture = common::load("craft/attention_head_causal_len5.json");
    let typed = head::<Residual, Query, Key, Value, Output>(&fixture["block"]);
    let rebuilt =
        AttentionHead::<Residual>::from_parts(typed.parts().clone()).expect("valid parts");
    assert_eq!(rebuilt, typed);

    let input = sequence::<Residual>(&fixture["input"]);
    assert_sequence(
        &rebuilt.apply(&input).expect("finite input"),
        &fixture["expected_output"],
        "head from parts",
    );
}

#[test]
fn head_reports_logit_overflow() {
    let head = AttentionHead::<Residual>::new(
        handcraft::ScalarBilinear::<Query, Key>::from_fn(|_, _| 1e300),
        handcraft::Linear::<Value, Output>::zeros(),
        false,
    );
    // Finite input whose logits exceed f64::MAX: 1e300 · 1e10.
    let input = handcraft::Sequence::<Residual>::from_fn(2, |_, d| {
        if d.to_string().starts_with('k') {
            1e10
        } else {
            1.0
        }
    });

    let error = head.apply(&input).unwrap_err();
    let handcraft::Error::Overflow {
        block,
        stage,
        position,
        value,
    } = error
    else {
        panic!("expected an overflow error, got {error:?}");
    };
    assert_eq!((block, stage, position), (0, "attention logits", 0));
    assert_eq!(value, f64::INFINITY);
}

#[test]
fn head_rejects_empty_sequence() {
    let fixture = common::load("craft/attention_head_noncausal.json");
    let head = head::<Residual, Query, Key, Value, Output>(&fixture["block"]);

    let empty = handcraft::Sequence::<Residual>::zeros(0);
    assert_eq!(
        head.apply(&empty).unwrap_err(),
        handcraft::Error::EmptySequence
    );
    assert_eq!(
        MultiAttentionHead::from(head).apply(&empty).unwrap_err(),
        handcraft::Error::EmptySequence
    );
}

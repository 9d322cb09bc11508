//! Series of blocks with residual connections, built with the typed API from the reference's
//! fixtures and compared with its residual stream after every block.

mod block_common;
mod common;

use block_common::{assert_basis, assert_sequence, bilinear, dmatrix, linear, sequence};
use handcraft::block::BlockParts;
use handcraft::{
    AttentionHead, Block, Dir, Error, Linear, Mlp, ScalarBilinear, Sequence, Series, Space,
};
use serde_json::Value as Json;

handcraft::spaces! {
    space Pos = pos: 0..4;
    space Tok = tok: {"a", "b", "c"};
    space M = m;
    space One = one;
    space N = n: 0..2;
    space Hid = hid: 0..3;
    space Final = "final";
    space MOne = M | One;
    space MN = M | N;
    space Residual = Final | M | N | One | Pos | Tok;

    space Extra = extra1;
    space Zz = zz: {5};
    space WideInput = Residual | Extra | Zz;
}

handcraft::spaces! {
    space FromNames = {a, b};
    space FromValues = c: {1, 2};
    space From = FromNames | FromValues;
    space ToNames = {b, d};
    space ToValues = c: {2, 3};
    space To = ToNames | ToValues;
}

/// Builds the fixture series `json` over `Residual`: head, MLP, causal head.
fn series(json: &Json) -> Series<Residual> {
    assert_basis::<Residual>(&json["residual_space"], "series residual");
    let blocks = &json["blocks"];

    let first = &blocks[0];
    assert_basis::<Pos>(&first["w_qk"]["left_space"], "first head query");
    let first = AttentionHead::<Residual>::new(
        bilinear::<Pos, Pos>(&first["w_qk"]["matrix"]),
        linear::<Tok, M>(&first["w_ov"]["matrix"]),
        first["causal"].as_bool().expect("causal flag"),
    );

    let second = &blocks[1];
    assert_basis::<Hid>(&second["hidden_space"], "MLP hidden");
    let second = Mlp::<Residual, Hid>::new(
        linear::<MOne, Hid>(&second["fst"]),
        linear::<Hid, N>(&second["snd"]),
    );

    let third = &blocks[2];
    let third = AttentionHead::<Residual>::new(
        bilinear::<N, Tok>(&third["w_qk"]["matrix"]),
        linear::<MN, Final>(&third["w_ov"]["matrix"]),
        third["causal"].as_bool().expect("causal flag"),
    );

    Series::new().then(first).then(second).then(third)
}

#[test]
fn series_matches_reference_after_each_block() {
    let fixture = common::load("craft/series_head_mlp_head.json");
    let series = series(&fixture["block"]);
    let input = sequence::<Residual>(&fixture["input"]);

    let evaluation = series.evaluate(&input).expect("finite input");
    assert_eq!(evaluation.blocks().len(), 3);
    for (index, block) in evaluation.blocks().iter().enumerate() {
        assert_sequence(
            block.residual(),
            &fixture["residual_after_each_block"][index],
            &format!("residual after block {index}"),
        );
    }
    assert_sequence(evaluation.output(), &fixture["expected_output"], "output");
}

#[test]
fn series_block_outputs_are_residual_differences() {
    let fixture = common::load("craft/series_head_mlp_head.json");
    let series = series(&fixture["block"]);
    let input = sequence::<Residual>(&fixture["input"]);

    let evaluation = series.evaluate(&input).expect("finite input");
    let mut before = common::rows(&fixture["input"]["data"]);
    for (index, block) in evaluation.blocks().iter().enumerate() {
        let after = common::rows(&fixture["residual_after_each_block"][index]["data"]);
        common::assert_close(
            &dmatrix(&block.output()),
            &(&after - &before),
            1e-12,
            &format!("output of block {index}"),
        );
        before = after;
    }
}

#[test]
fn series_records_heads_only_for_attention() {
    let fixture = common::load("craft/series_head_mlp_head.json");
    let series = series(&fixture["block"]);
    let input = sequence::<Residual>(&fixture["input"]);

    let evaluation = series.evaluate(&input).expect("finite input");
    let head_counts: Vec<usize> = evaluation
        .blocks()
        .iter()
        .map(|b| b.heads().len())
        .collect();
    assert_eq!(head_counts, [1, 0, 1]);

    let last = &evaluation.blocks()[2].heads()[0];
    assert_eq!(last.logits().shape(), (4, 4));
    assert_eq!(last.logits()[(0, 3)], f64::NEG_INFINITY);
    assert_eq!(last.weights()[(0, 0)], 1.0);
    assert_eq!(last.output(), evaluation.blocks()[2].output());
}

#[test]
fn series_apply_equals_evaluate_output() {
    let fixture = common::load("craft/series_head_mlp_head.json");
    let series = series(&fixture["block"]);
    let input = sequence::<Residual>(&fixture["input"]);

    let output = series.apply(&input).expect("finite input");
    assert_sequence(&output, &fixture["expected_output"], "apply");
    let evaluated = series.evaluate(&input).expect("finite input").into_output();
    assert_eq!(output, evaluated);
}

#[test]
fn series_drops_input_directions_outside_residual() {
    let fixture = common::load("craft/series_input_with_extra_directions.json");
    let series = series(&fixture["block"]);
    let input = sequence::<WideInput>(&fixture["input"]);
    // The extra directions carry values, so dropping them is observable.
    assert!(input.restrict::<Extra>().matrix().iter().any(|&v| v != 0.0));

    let evaluation = series.evaluate_projected(&input).expect("finite input");
    assert_sequence(evaluation.output(), &fixture["expected_output"], "output");
    assert_sequence(
        evaluation.input(),
        &serde_json::json!({
            "basis": fixture["residual_space"],
            "data": dmatrix(&input.project::<Residual>()).row_iter()
                .map(|row| row.iter().copied().collect::<Vec<f64>>())
                .collect::<Vec<_>>(),
        }),
        "projected input",
    );
}

#[test]
fn series_projected_input_reports_nonfinite_extra_direction() {
    let mut input = Sequence::<WideInput>::zeros(2).into_matrix();
    let extra = WideInput::basis()
        .index_of(&handcraft::BasisDirection::new("extra1"))
        .expect("extra1 is declared");
    input[(1, extra)] = f64::NAN;
    let input = Sequence::<WideInput>::from_matrix(input);

    let Error::NonFiniteInput {
        position,
        direction,
        ..
    } = Series::<Residual>::new()
        .evaluate_projected(&input)
        .unwrap_err()
    else {
        panic!("expected a non-finite input error");
    };
    assert_eq!((position, direction.as_str()), (1, "extra1"));
}

#[test]
fn project_partial_overlap_matches_reference() {
    let fixture = common::load("craft/project_partial_overlap.json");
    assert_basis::<From>(&fixture["from_space"], "from");
    assert_basis::<To>(&fixture["to_space"], "to");

    let map = Linear::<From, To>::project();
    assert_eq!(map.to_dmatrix(), common::rows(&fixture["expected"]["data"]));

    // An empty series over `To` only projects its input.
    let input = sequence::<From>(&fixture["input"]);
    let evaluation = Series::<To>::new()
        .evaluate_projected(&input)
        .expect("finite input");
    assert!(evaluation.blocks().is_empty());
    assert_sequence(
        evaluation.output(),
        &fixture["expected_output"],
        "projection",
    );
}

#[test]
fn series_then_flattens_series() {
    let fixture = common::load("craft/series_head_mlp_head.json");
    let whole = series(&fixture["block"]);
    let blocks = whole.blocks().to_vec();

    let first_two: Series<Residual> = blocks[..2].iter().cloned().collect();
    let rebuilt = Series::new().then(first_two).then(blocks[2].clone());
    assert_eq!(rebuilt.len(), 3);
    assert_eq!(rebuilt, whole);
}

#[test]
fn series_rebuilt_from_parts_matches_reference() {
    let fixture = common::load("craft/series_head_mlp_head.json");
    let parts = series(&fixture["block"]).parts();
    assert!(matches!(parts[1], BlockParts::Mlp(_)));

    let rebuilt: Series<Residual> = parts
        .into_iter()
        .map(Block::from_parts)
        .collect::<Result<_, _>>()
        .expect("parts fit the residual");
    let input = sequence::<Residual>(&fixture["input"]);
    let output = rebuilt.apply(&input).expect("finite input");
    assert_sequence(&output, &fixture["expected_output"], "from parts");
}

#[test]
fn series_empty_returns_input() {
    let fixture = common::load("craft/series_head_mlp_head.json");
    let input = sequence::<Residual>(&fixture["input"]);
    let series = Series::<Residual>::default();

    assert!(series.is_empty());
    assert_eq!(series.apply(&input).expect("finite input"), input);
    assert_eq!(
        *series.evaluate(&input).expect("finite input").output(),
        input
    );
}

#[test]
fn series_rejects_empty_sequence() {
    let fixture = common::load("craft/series_head_mlp_head.json");
    let series = series(&fixture["block"]);

    assert_eq!(
        series.evaluate(&Sequence::zeros(0)).unwrap_err(),
        Error::EmptySequence
    );
    assert_eq!(
        series.apply(&Sequence::zeros(0)).unwrap_err(),
        Error::EmptySequence
    );
}

#[test]
fn series_names_block_with_overflowing_values() {
    let fixture = common::load("craft/series_head_mlp_head.json");
    // `m` reaches magnitudes above 1 after the first block, so `m · f64::MAX` overflows.
    let huge = AttentionHead::<Residual>::new(
        ScalarBilinear::<Pos, Pos>::zeros(),
        Linear::<M, Final>::from_fn(|_, _| f64::MAX),
        false,
    );
    let series = series(&fixture["block"]).then(huge);
    let input = sequence::<Residual>(&fixture["input"]);

    for error in [
        series.apply(&input).unwrap_err(),
        series.evaluate(&input).unwrap_err(),
    ] {
        let Error::Overflow { block, stage, .. } = error else {
            panic!("expected an overflow error, got {error:?}");
        };
        assert_eq!(block, 3);
        assert_eq!(stage, "values");
    }
}

#[test]
fn series_names_block_whose_sum_overflows() {
    // Each block adds f64::MAX to `final`; the second sum is infinite.
    let to_final = Mlp::<Residual, Hid>::new(
        Linear::<One, Hid>::from_fn(|_, h| if h.index() == 0 { 1.0 } else { 0.0 }),
        Linear::<Hid, Final>::from_fn(|_, _| f64::MAX),
    );
    let series = Series::new().then(to_final.clone()).then(to_final);
    let one = Dir::<Residual>::find(&handcraft::BasisDirection::new("one")).expect("declared");
    let input = Sequence::<Residual>::one_hot(&[one, one]);

    let expected = Error::NonFiniteOutput {
        block: 1,
        position: 0,
        direction: "final".into(),
        value: f64::INFINITY,
    };
    assert_eq!(series.apply(&input).unwrap_err(), expected);
    assert_eq!(series.evaluate(&input).unwrap_err(), expected);
}

#[test]
fn block_from_parts_rejects_query_outside_residual() {
    let fixture = common::load("craft/series_head_mlp_head.json");
    let BlockParts::Attention(mut heads) = series(&fixture["block"]).blocks()[0].parts() else {
        panic!("first block is attention");
    };
    heads[0].query = Extra::basis().clone();
    heads[0].w_qk = handcraft::nalgebra::DMatrix::zeros(1, 4);

    let error = Block::<Residual>::from_parts(BlockParts::Attention(heads)).unwrap_err();
    assert_eq!(
        error,
        Error::NotInResidual {
            role: "query",
            direction: "extra1".into(),
            residual: "Residual".into(),
        }
    );
}

#[test]
fn block_from_parts_rejects_wrong_head_shape() {
    let fixture = common::load("craft/series_head_mlp_head.json");
    let BlockParts::Attention(mut heads) = series(&fixture["block"]).blocks()[0].parts() else {
        panic!("first block is attention");
    };
    heads[0].w_ov = handcraft::nalgebra::DMatrix::zeros(1, 3);

    let error = Block::<Residual>::from_parts(BlockParts::Attention(heads)).unwrap_err();
    assert_eq!(
        error,
        Error::MatrixShape {
            matrix: "w_ov",
            rows: 1,
            columns: 3,
            expected_rows: 3,
            expected_columns: 1,
        }
    );
}

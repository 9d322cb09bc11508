//! Selector width rebuilt through the typed API: the reference's weights with the reference's
//! parameters, and exact widths up to the maximum sequence length where the reference's
//! decoding fails.

mod chamber_support;
mod common;

use chamber_support::{assert_head_eq, assert_mlp_eq, assert_sequence_close, sequence};
use common::{basis, direction, load, number};
use handcraft::chamber::{SelectorWidth, SelectorWidthBlock};
use handcraft::{Dir, Error, Sequence, Series, Space};
use serde_json::Value as Json;

mod small {
    handcraft::spaces! {
        pub space Query = q: 0..4;
        pub space Key = k: 0..4;
        pub numerical space Width = w;
        pub space Widths = w: 0..6;
        pub space AttnOut = sw_selector_width_attn_output;
        pub space Bos = bos;
        pub space One = one;
        pub space NumericalResidual = Query | Key | Width | AttnOut | Bos | One;
        pub space CategoricalResidual = Query | Key | Widths | AttnOut | Bos | One;
    }
}

mod long {
    handcraft::spaces! {
        pub space Query = query: 0..65;
        pub space Key = key: 0..64;
        pub numerical space Count = count;
        pub space Counts = counts: 0..65;
        pub space AttnOut = count_selector_width_attn_output;
        pub space Bos = bos;
        pub space One = one;
        pub space Residual = Query | Key | Count | Counts | AttnOut | Bos | One;
    }
}

type Predicate = fn(Dir<small::Query>, Dir<small::Key>) -> bool;

fn same_value(q: Dir<small::Query>, k: Dir<small::Key>) -> bool {
    q.value_i64() == k.value_i64()
}

fn key_at_most_query(q: Dir<small::Query>, k: Dir<small::Key>) -> bool {
    k.value_i64() <= q.value_i64()
}

/// Sets a fixture's causal flag, coldness, large number and label on a selector width.
fn with_fixture_params<Out: Space, R: Space>(
    fixture: &Json,
    attn_fn: Predicate,
    width: SelectorWidth<small::Query, small::Key, Out, small::AttnOut, small::Bos, small::One>,
) -> SelectorWidth<small::Query, small::Key, Out, small::AttnOut, small::Bos, small::One> {
    let params = &fixture["params"];
    assert_eq!(small::Query::basis(), &basis(&params["query_space"]));
    assert_eq!(small::Key::basis(), &basis(&params["key_space"]));
    assert_eq!(Out::basis(), &basis(&params["output_space"]));
    assert_eq!(R::basis(), &basis(&fixture["block"]["residual_space"]));
    for entry in fixture["attn_fn"]["table"].as_array().unwrap() {
        let query = Dir::find(&direction(&entry["query"])).unwrap();
        let key = Dir::find(&direction(&entry["key"])).unwrap();
        assert_eq!(attn_fn(query, key), entry["output"].as_bool().unwrap());
    }
    width
        .causal(params["causal"].as_bool().unwrap())
        .softmax_coldness(number(&params["softmax_coldness"]))
        .large_number(number(&params["mlp_large_number"]))
        .label(params["label"].as_str().unwrap())
}

/// Checks the block's weights against the fixture's series and its residuals on every input.
fn check<R: Space>(block: SelectorWidthBlock<R>, fixture: &Json) {
    let blocks = &fixture["block"]["blocks"];
    assert_head_eq(block.head().parts(), &blocks[0]);
    assert_mlp_eq(block.mlp().parts(), &blocks[1]);
    assert_eq!(block.large_number(), 100.0);

    let series = Series::from(block);
    for (case, evaluation) in fixture["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let input = sequence::<R>(&evaluation["input"]);
        let result = series.evaluate(&input).unwrap();
        assert_sequence_close(
            result.blocks()[0].residual(),
            &evaluation["residual_after_attention"],
            &format!("case {case}: after attention"),
        );
        assert_sequence_close(
            result.output(),
            &evaluation["expected_output"],
            &format!("case {case}: output"),
        );
    }
}

fn check_numerical_fixture(name: &str, attn_fn: Predicate) {
    use small::*;
    let fixture = load(&format!("chamber/{name}.json"));
    assert_eq!(fixture["params"]["categorical_output"], false);
    let width = SelectorWidth::<Query, Key, Width, AttnOut, Bos, One>::numerical(attn_fn, 5);
    let block = with_fixture_params::<Width, NumericalResidual>(&fixture, attn_fn, width)
        .build::<NumericalResidual>()
        .unwrap();
    check(block, &fixture);
}

fn check_categorical_fixture(name: &str, attn_fn: Predicate) {
    use small::*;
    let fixture = load(&format!("chamber/{name}.json"));
    assert_eq!(fixture["params"]["categorical_output"], true);
    let width = SelectorWidth::<Query, Key, Widths, AttnOut, Bos, One>::categorical(attn_fn, 5);
    let block = with_fixture_params::<Widths, CategoricalResidual>(&fixture, attn_fn, width)
        .build::<CategoricalResidual>()
        .unwrap();
    check(block, &fixture);
}

#[test]
fn selector_width_numerical() {
    check_numerical_fixture("selector_width_numerical", key_at_most_query);
}

#[test]
fn selector_width_numerical_causal() {
    check_numerical_fixture("selector_width_numerical_causal", |_, _| true);
}

#[test]
fn selector_width_categorical() {
    check_categorical_fixture("selector_width_categorical", same_value);
}

#[test]
fn selector_width_categorical_causal() {
    check_categorical_fixture("selector_width_categorical_causal", key_at_most_query);
}

/// Returns a sequence of BOS and 64 positions: position `p` contains key `p - 1` and query
/// `p - 1 + shift`, so with the predicate `key < query` it selects `p - 1 + shift` keys,
/// causal or not.
fn long_input(shift: usize) -> Sequence<long::Residual> {
    Sequence::from_fn(65, |position, d| {
        let label = d.to_string();
        let on = if position == 0 {
            label == "bos" || label == "one"
        } else {
            label == "one"
                || label == format!("key:{}", position - 1)
                || label == format!("query:{}", position - 1 + shift)
        };
        if on {
            1.0
        } else {
            0.0
        }
    })
}

fn key_below_query(q: Dir<long::Query>, k: Dir<long::Key>) -> bool {
    k.value_i64() < q.value_i64()
}

#[test]
fn numerical_width_exact_up_to_64() {
    use long::*;
    // The reference's L = 100 blends neighbouring widths from width 7 on.
    for causal in [false, true] {
        let block =
            SelectorWidth::<Query, Key, Count, AttnOut, Bos, One>::numerical(key_below_query, 64)
                .causal(causal)
                .build::<Residual>()
                .unwrap();
        let series = Series::from(block);
        for shift in [0, 1] {
            let output = series.apply(&long_input(shift)).unwrap();
            let count = output.restrict::<Count>();
            let count_direction = Dir::<Count>::from_index(0).unwrap();
            assert_eq!(count.get(0, count_direction), 0.0, "causal {causal}: BOS");
            for position in 1..=64 {
                let width = (position - 1 + shift) as f64;
                assert_eq!(
                    count.get(position, count_direction),
                    width,
                    "causal {causal}, width {width}"
                );
            }
            let attn_out = output.restrict::<AttnOut>();
            assert_eq!(
                attn_out.get(0, Dir::from_index(0).unwrap()),
                0.0,
                "BOS cleared"
            );
        }
    }
}

#[test]
fn categorical_width_exact_up_to_64() {
    use long::*;
    // The reference's L = 100 decodes 11 selected keys as 10.
    for causal in [false, true] {
        let block = SelectorWidth::<Query, Key, Counts, AttnOut, Bos, One>::categorical(
            key_below_query,
            64,
        )
        .causal(causal)
        .build::<Residual>()
        .unwrap();
        let series = Series::new().then(block);
        for shift in [0, 1] {
            let counts = series
                .apply(&long_input(shift))
                .unwrap()
                .restrict::<Counts>();
            for position in 0..=64 {
                // BOS writes nothing; position p has width p - 1 + shift.
                let width = (position > 0).then(|| (position - 1 + shift) as i64);
                for direction in Dir::<Counts>::all() {
                    let expected = if direction.value_i64() == width {
                        1.0
                    } else {
                        0.0
                    };
                    assert_eq!(
                        counts.get(position, direction),
                        expected,
                        "causal {causal}, position {position}, {direction}"
                    );
                }
            }
        }
    }
}

#[test]
fn chosen_large_number_separates_longest_widths() {
    use long::*;
    let block =
        SelectorWidth::<Query, Key, Count, AttnOut, Bos, One>::numerical(key_below_query, 64)
            .build::<Residual>()
            .unwrap();
    // Widths 63 and 64 give outputs 1/64 and 1/65, 1/4160 apart: 4 · 4160 = 16640 ≤ 2^15.
    assert_eq!(block.large_number(), 32768.0);
}

#[test]
fn reference_large_number_too_small_is_error() {
    use long::*;
    let error =
        SelectorWidth::<Query, Key, Count, AttnOut, Bos, One>::numerical(key_below_query, 64)
            .large_number(100.0)
            .build::<Residual>()
            .unwrap_err();
    let gap = 1.0 / 64.0 - 1.0 / 65.0;
    assert_eq!(
        error,
        Error::LargeNumberTooSmall {
            large_number: 100.0,
            lower: "0.015384615384615385 (width 64)".into(),
            upper: "0.015625 (width 63)".into(),
            minimum: 2.0 / gap,
        }
    );
}

#[test]
fn reference_large_number_fits_up_to_width_6() {
    use long::*;
    // 1/7 - 1/8 = 1/56 needs L ≥ 112, so L = 100 separates widths up to 6 only.
    let build = |max_seq_len| {
        SelectorWidth::<Query, Key, Count, AttnOut, Bos, One>::numerical(
            key_below_query,
            max_seq_len,
        )
        .large_number(100.0)
        .build::<Residual>()
    };
    assert!(build(6).is_ok());
    assert!(matches!(
        build(7),
        Err(Error::LargeNumberTooSmall { large_number, .. }) if large_number == 100.0
    ));
}

#[test]
fn low_coldness_is_error() {
    use long::*;
    let build = |coldness| {
        SelectorWidth::<Query, Key, Count, AttnOut, Bos, One>::numerical(key_below_query, 64)
            .softmax_coldness(coldness)
            .build::<Residual>()
    };
    // At coldness 3, the 64 unselected keys of a width-0 query take weight 64·e^-3 ≈ 3.2,
    // which moves its attention output from 1 to about 0.24, past the ramp below 1.
    let Err(Error::ColdnessTooLow {
        coldness,
        max_seq_len,
        minimum,
    }) = build(3.0)
    else {
        panic!("coldness 3 is accepted");
    };
    assert_eq!(coldness, 3.0);
    assert_eq!(max_seq_len, 64);

    // At the reported minimum every width is still exact.
    let series = Series::from(build(minimum).unwrap());
    for shift in [0, 1] {
        let count = series
            .apply(&long_input(shift))
            .unwrap()
            .restrict::<Count>();
        for position in 1..=64 {
            let width = (position - 1 + shift) as f64;
            assert_eq!(
                count.get(position, Dir::from_index(0).unwrap()),
                width,
                "coldness {minimum}, width {width}"
            );
        }
    }
}

#[test]
fn categorical_output_without_width_is_error() {
    use small::*;
    let error = SelectorWidth::<Query, Key, Widths, AttnOut, Bos, One>::categorical(same_value, 8)
        .build::<CategoricalResidual>()
        .unwrap_err();
    assert_eq!(
        error,
        Error::MissingWidth {
            width: 6,
            max_seq_len: 8,
            space: "Widths".into(),
            basis: "{w:0, w:1, w:2, w:3, w:4, w:5}".into(),
        }
    );
}

#[test]
fn parts_equal_built_block() {
    use small::*;
    let width =
        SelectorWidth::<Query, Key, Width, AttnOut, Bos, One>::numerical(same_value, 5).label("sw");
    let parts = width.parts().unwrap();
    let block = width.build::<NumericalResidual>().unwrap();
    assert_eq!(&parts.head, block.head().parts());
    assert_eq!(&parts.mlp, block.mlp().parts());
    assert_eq!(parts.large_number, block.large_number());
}

#[test]
fn huge_max_seq_len_is_error() {
    use long::*;
    // Widths near 2^30 differ by about 2^-60 in attention output: no L separates them.
    let error =
        SelectorWidth::<Query, Key, Count, AttnOut, Bos, One>::numerical(key_below_query, 1 << 30)
            .parts()
            .unwrap_err();
    assert!(matches!(error, Error::ValuesTooClose { .. }), "{error:?}");
}

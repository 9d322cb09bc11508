//! Categorical attention rebuilt through the typed API: weights equal the reference's exactly,
//! outputs within 1e-12, and the reference's construction error is an error here too.

mod chamber_support;
mod common;

use chamber_support::{assert_head_eq, assert_sequence_close, sequence};
use common::{basis, direction, load, number};
use handcraft::chamber::CategoricalAttention;
use handcraft::{AttentionHead, Dir, Disjoint, Error, Space, Subspace, Vector};
use serde_json::Value as Json;

/// The spaces of most fixtures: four query and key values, three values and outputs.
mod letters {
    handcraft::spaces! {
        pub space Query = q: 0..4;
        pub space Key = k: 0..4;
        pub space Values = v: {"a", "b", "c"};
        pub space Output = o: {"a", "b", "c"};
        pub space Bos = bos;
        pub space One = one;
        pub space Residual = Query | Key | Values | Output | Bos | One;
    }
}

/// The spaces of the fixtures where BOS is paired with an output direction of its own.
mod bos_output {
    handcraft::spaces! {
        pub space Query = q: 0..4;
        pub space Key = k: 0..4;
        pub space Values = v: {"a", "b", "c"};
        pub space Output = o: {"_bos", "a", "b", "c"};
        pub space Bos = bos;
        pub space One = one;
        pub space Residual = Query | Key | Values | Output | Bos | One;
    }
}

/// Query and key are one token space, and BOS is one of its values.
mod shared {
    handcraft::spaces! {
        pub space Tokens = tokens: {"x", "y", "z"};
        pub space Bos = tokens: {"BOS"};
        pub space Values = val: {1};
        pub space Output = agg;
        pub space One = one;
        pub space Residual = Tokens | Bos | Values | Output | One;
    }
}

/// Builds the fixture's head through the typed API, after checking that the declared spaces
/// are the fixture's and that `attn_fn` reproduces the fixture's table.
fn build<Q, K, V, O, Bos, One, R>(
    fixture: &Json,
    attn_fn: impl Fn(Dir<Q>, Dir<K>) -> bool + Copy,
) -> Result<AttentionHead<R>, Error>
where
    Q: Subspace<R>,
    K: Subspace<R>,
    V: Subspace<R>,
    O: Subspace<R>,
    Bos: Subspace<R> + Disjoint<One>,
    One: Subspace<R>,
    R: Space,
{
    let params = &fixture["params"];
    assert_eq!(Q::basis(), &basis(&params["query_space"]), "query space");
    assert_eq!(K::basis(), &basis(&params["key_space"]), "key space");
    assert_eq!(V::basis(), &basis(&params["value_space"]), "value space");
    assert_eq!(O::basis(), &basis(&params["output_space"]), "output space");
    assert_eq!(Bos::basis(), &basis(&params["bos_space"]), "BOS space");
    assert_eq!(One::basis(), &basis(&params["one_space"]), "one space");

    for entry in fixture["attn_fn"]["table"].as_array().unwrap() {
        let query = Dir::<Q>::find(&direction(&entry["query"])).unwrap();
        let key = Dir::<K>::find(&direction(&entry["key"])).unwrap();
        let expected = entry["output"].as_bool().unwrap();
        assert_eq!(attn_fn(query, key), expected, "attn_fn({query}, {key})");
    }

    let mut head = CategoricalAttention::<Q, K, V, O, Bos, One>::new(attn_fn)
        .causal(params["causal"].as_bool().unwrap())
        .always_attend_to_bos(params["always_attend_to_bos"].as_bool().unwrap())
        .use_bos_for_default_output(params["use_bos_for_default_output"].as_bool().unwrap())
        .softmax_coldness(number(&params["softmax_coldness"]));
    let default_output = &params["default_output"];
    if !default_output.is_null() {
        assert_eq!(
            O::basis(),
            &basis(&default_output["basis"]),
            "default output basis"
        );
        let magnitudes: Vec<f64> = default_output["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(number)
            .collect();
        head = head.default_output(Vector::from_slice(&magnitudes).unwrap());
    }
    head.build::<R>()
}

/// Checks the head's weights and its output on every recorded input.
fn check<R: Space>(head: &AttentionHead<R>, fixture: &Json) {
    assert_head_eq(head.parts(), &fixture["block"]);
    for (case, evaluation) in fixture["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let input = sequence::<R>(&evaluation["input"]);
        let output = head.apply(&input).unwrap();
        assert_sequence_close(
            &output,
            &evaluation["expected_output"],
            &format!("case {case}"),
        );
    }
}

fn same_value<Q: Space, K: Space>(q: Dir<Q>, k: Dir<K>) -> bool {
    q.value() == k.value()
}

fn check_letters(name: &str, attn_fn: fn(Dir<letters::Query>, Dir<letters::Key>) -> bool) {
    use letters::*;
    let fixture = load(&format!("chamber/{name}.json"));
    let head = build::<Query, Key, Values, Output, Bos, One, Residual>(&fixture, attn_fn).unwrap();
    check(&head, &fixture);
}

#[test]
fn categorical_attn_base() {
    check_letters("categorical_attn_base", same_value);
}

#[test]
fn categorical_attn_causal() {
    check_letters("categorical_attn_causal", same_value);
}

#[test]
fn categorical_attn_coldness_1() {
    check_letters("categorical_attn_coldness_1", same_value);
}

#[test]
fn categorical_attn_coldness_10_lt() {
    check_letters("categorical_attn_coldness_10_lt", |q, k| {
        k.value_i64() < q.value_i64()
    });
}

#[test]
fn categorical_attn_default_output() {
    check_letters("categorical_attn_default_output", same_value);
}

#[test]
fn categorical_attn_false() {
    check_letters("categorical_attn_false", |_, _| false);
}

#[test]
fn categorical_attn_true() {
    check_letters("categorical_attn_true", |_, _| true);
}

#[test]
fn categorical_attn_always_bos() {
    use bos_output::*;
    let fixture = load("chamber/categorical_attn_always_bos.json");
    let head =
        build::<Query, Key, Values, Output, Bos, One, Residual>(&fixture, same_value).unwrap();
    check(&head, &fixture);
}

#[test]
fn categorical_attn_always_bos_default() {
    use bos_output::*;
    let fixture = load("chamber/categorical_attn_always_bos_default.json");
    let head =
        build::<Query, Key, Values, Output, Bos, One, Residual>(&fixture, same_value).unwrap();
    check(&head, &fixture);
}

#[test]
fn categorical_attn_shared_qk_space() {
    use shared::*;
    let fixture = load("chamber/categorical_attn_shared_qk_space.json");
    let head =
        build::<Tokens, Tokens, Values, Output, Bos, One, Residual>(&fixture, same_value).unwrap();
    check(&head, &fixture);
}

#[test]
fn bos_without_output_is_error() {
    use letters::*;
    let fixture = load("chamber/categorical_attn_no_bos_default_error.json");
    assert_eq!(fixture["expect_error"], "KeyError");
    let error =
        build::<Query, Key, Values, Output, Bos, One, Residual>(&fixture, same_value).unwrap_err();
    assert_eq!(error, Error::BosWithoutOutput { bos: "bos".into() });
}

#[test]
fn parts_equal_built_head() {
    use letters::*;
    let builder =
        CategoricalAttention::<Query, Key, Values, Output, Bos, One>::new(same_value).causal(true);
    let head = builder.build::<Residual>().unwrap();
    assert_eq!(&builder.parts().unwrap(), head.parts());
}

#[test]
fn value_output_count_mismatch_is_error() {
    use bos_output::*;
    // Three value directions cannot pair with four output directions unless BOS is paired too.
    let error = CategoricalAttention::<Query, Key, Values, Output, Bos, One>::new(same_value)
        .build::<Residual>()
        .unwrap_err();
    assert_eq!(
        error,
        Error::ValueOutputMismatch {
            values: "{v:a, v:b, v:c}".into(),
            value_count: 3,
            space: "Output".into(),
            outputs: "{o:_bos, o:a, o:b, o:c}".into(),
            output_count: 4,
        }
    );
}

#[test]
fn coldness_must_be_positive_and_finite() {
    use letters::*;
    for coldness in [0.0, -1.0, f64::INFINITY, f64::NAN] {
        let error = CategoricalAttention::<Query, Key, Values, Output, Bos, One>::new(same_value)
            .softmax_coldness(coldness)
            .build::<Residual>()
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::InvalidParameter {
                    parameter: "softmax coldness",
                    ..
                }
            ),
            "coldness {coldness}: {error:?}"
        );
    }
}

#[test]
fn default_output_must_be_finite() {
    use letters::*;
    let output = Vector::<Output>::from_slice(&[0.0, f64::NAN, 0.0]).unwrap();
    let error = CategoricalAttention::<Query, Key, Values, Output, Bos, One>::new(same_value)
        .default_output(output)
        .build::<Residual>()
        .unwrap_err();
    assert!(matches!(
        error,
        Error::InvalidParameter {
            parameter: "default output entry",
            ..
        }
    ));
}

#[test]
fn unmatched_query_reads_default_output() {
    use letters::*;
    // Position 1 selects nothing (query 3, only key 0 present), so it copies BOS's value: the
    // default output.
    let default = Vector::<Output>::from_slice(&[0.0, 2.0, 0.0]).unwrap();
    let head = CategoricalAttention::<Query, Key, Values, Output, Bos, One>::new(same_value)
        .default_output(default)
        .build::<Residual>()
        .unwrap();
    let input = handcraft::Sequence::<Residual>::from_fn(2, |position, d| {
        let label = d.to_string();
        let on = match position {
            0 => label == "bos" || label == "one",
            _ => ["one", "q:3", "k:0", "v:a"].contains(&label.as_str()),
        };
        if on {
            1.0
        } else {
            0.0
        }
    });
    let output = head.apply(&input).unwrap().restrict::<Output>();
    let b = Dir::<Output>::with_value("b").unwrap();
    assert!((output.get(1, b) - 2.0).abs() < 1e-12);
}

#[test]
fn bos_equal_to_one_is_error() {
    use letters::*;
    // `build` requires `Bos: Disjoint<One>`; `parts` checks it at run time.
    let error = CategoricalAttention::<Query, Key, Values, Output, One, One>::new(same_value)
        .parts()
        .unwrap_err();
    assert_eq!(
        error,
        Error::OverlappingInputs {
            first: "One".into(),
            second: "One".into(),
            direction: "one".into(),
        }
    );
}

//! Lookup-table MLPs on categorical inputs rebuilt through the typed API, against the
//! reference's weights and outputs, and the cases where the reference is wrong.

mod chamber_support;
mod common;

use chamber_support::{
    assert_matrix_close, assert_mlp_eq, assert_sequence_close, row_vectors, sequence,
};
use common::{basis, direction, load, number, rows};
use handcraft::chamber::{CategoricalMlp, CategoricalToNumericalMlp, SequenceMapMlp};
use handcraft::nalgebra::DMatrix;
use handcraft::{BasisDirection, Dir, Error, Mlp, PrivateHidden, Sequence, Space};
use serde_json::Value as Json;

mod doubling {
    handcraft::spaces! {
        pub space X = x: 0..5;
        pub space Y = y: 0..4;
        pub space Residual = X | Y;
    }
}

mod scores {
    handcraft::spaces! {
        pub space Letters = c: {"a", "b", "c", "d"};
        pub numerical space Num = num;
        pub space Residual = Letters | Num;
    }
}

mod pairs {
    handcraft::spaces! {
        pub space X = x: 0..3;
        pub space Y = y: {"a", "b"};
        pub space Z = z: {"a0", "a1", "b0", "b1", "b2"};
        pub space One = one;
        pub space Residual = X | Y | Z | One;
    }
}

/// Checks an MLP's hidden preactivation and output on every recorded input.
fn check_evaluations<R: Space>(mlp: &Mlp<R, PrivateHidden>, fixture: &Json) {
    for (case, evaluation) in fixture["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let input = sequence::<R>(&evaluation["input"]);
        let preactivation = mlp.preactivation(&input).unwrap();
        let expected = rows(&evaluation["hidden_preactivation"]);
        assert_matrix_close(&preactivation, &expected, &format!("case {case}: hidden"));
        let output = mlp.apply(&input).unwrap();
        assert_sequence_close(
            &output,
            &evaluation["expected_output"],
            &format!("case {case}"),
        );
    }
}

#[test]
fn map_categorical_mlp() {
    use doubling::*;
    let fixture = load("chamber/map_categorical_mlp.json");
    assert_eq!(X::basis(), &basis(&fixture["params"]["input_space"]));
    assert_eq!(Y::basis(), &basis(&fixture["params"]["output_space"]));

    // y = 2x mod 5; y = 4 is not in the output space, so the function returns None there.
    let double = |x: Dir<X>| Dir::<Y>::with_value((2 * x.value_i64()?) % 5).ok();
    for entry in fixture["function"]["table"].as_array().unwrap() {
        let x = Dir::<X>::find(&direction(&entry["input"])).unwrap();
        let y = Dir::<Y>::find(&direction(&entry["output"])).ok();
        assert_eq!(double(x), y, "f({x})");
    }

    let mlp = CategoricalMlp::<X, Y>::new(double)
        .build::<Residual>()
        .unwrap();
    assert_mlp_eq(mlp.parts(), &fixture["block"]);
    check_evaluations(&mlp, &fixture);
}

#[test]
fn categorical_value_outside_output_is_error() {
    use doubling::*;
    // f(v) = 10·v: f(x:1) = 10 has no direction in `Y`; the reference writes zero silently.
    let error = CategoricalMlp::<X, Y>::new(|x| x.value_i64().map(|v| 10 * v))
        .build::<Residual>()
        .unwrap_err();
    assert_eq!(
        error,
        Error::FunctionValueNotInSpace {
            input: "x:1".into(),
            output: "10".into(),
            space: "Y".into(),
            basis: "{y:0, y:1, y:2, y:3}".into(),
        }
    );
}

#[test]
fn categorical_mlp_looks_up_values() {
    use doubling::*;
    // An integer result is looked up by value, a float one snaps to the nearest value.
    let by_integer = CategoricalMlp::<X, Y>::new(|x| x.value_i64().filter(|v| *v < 4))
        .parts()
        .unwrap();
    let by_float = CategoricalMlp::<X, Y>::new(|x| {
        let v = x.value_f64()?;
        (v < 4.0).then(|| 1.0 / (1.0 / (v + 1.0)) - 1.0)
    })
    .parts()
    .unwrap();
    assert_eq!(by_integer, by_float);
    assert_eq!(by_integer.fst, {
        let mut identity = DMatrix::zeros(5, 4);
        identity.fill_with_identity();
        identity
    });
}

#[test]
fn non_negative_table_matches_reference_weights() {
    use scores::*;
    // With no negative value the weights are the reference's: one hidden unit labelled like
    // the output, the table in the first layer, the identity in the second.
    let table = [1.5, 2.0, 0.0, 10.0];
    let mlp = CategoricalToNumericalMlp::<Letters, Num>::new(|d| table[d.index()])
        .build::<Residual>()
        .unwrap();
    let parts = mlp.parts();
    assert_eq!(parts.hidden, vec![BasisDirection::new("num")]);
    assert_eq!(parts.fst.as_slice(), table);
    assert_eq!(parts.snd.as_slice(), [1.0]);
}

#[test]
fn map_categorical_to_numerical_mlp_keeps_negative_values() {
    use scores::*;
    let fixture = load("chamber/map_categorical_to_numerical_mlp.json");
    assert_eq!(Letters::basis(), &basis(&fixture["params"]["input_space"]));
    let table: Vec<f64> = fixture["function"]["table"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| number(&entry["output"]))
        .collect();
    let mlp = CategoricalToNumericalMlp::<Letters, Num>::new(|d| table[d.index()])
        .build::<Residual>()
        .unwrap();

    // f(b) = -2: a second hidden unit carries the negative part, so the weights differ from
    // the reference's single unit. Its first column is the reference's table clipped at 0.
    let parts = mlp.parts();
    assert_eq!(
        parts.hidden,
        vec![
            BasisDirection::new("num"),
            BasisDirection::new("num_negative")
        ]
    );
    let reference_fst = rows(&fixture["block"]["fst"]["data"]);
    for (row, &value) in table.iter().enumerate() {
        assert_eq!(
            parts.fst[(row, 0)],
            reference_fst[(row, 0)].max(0.0),
            "row {row}"
        );
        assert_eq!(
            parts.fst[(row, 1)],
            (-value).max(0.0),
            "row {row}, negative part"
        );
    }
    assert_eq!(parts.snd.as_slice(), [1.0, -1.0]);

    for (case, evaluation) in fixture["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let input = sequence::<Residual>(&evaluation["input"]);
        let weights = input.restrict::<Letters>();
        let linear: f64 = Dir::<Letters>::all()
            .map(|letter| weights.get(0, letter) * table[letter.index()])
            .sum();
        let output = mlp.apply(&input).unwrap().restrict::<Num>();
        assert!(
            (output.matrix()[(0, 0)] - linear).abs() < 1e-12,
            "case {case}: output {} is not {linear}",
            output.matrix()[(0, 0)]
        );
        // The reference applies the ReLU after its table, so f(c:b) = -2 comes out as 0.
        let reference = row_vectors(&evaluation["expected_output"]["data"])[0][4];
        assert_eq!(reference, linear.max(0.0), "case {case}: reference");
    }
}

#[test]
fn categorical_to_numerical_non_finite_is_error() {
    use scores::*;
    let error = CategoricalToNumericalMlp::<Letters, Num>::new(|d| {
        if d.value_str() == Some("c") {
            f64::INFINITY
        } else {
            1.0
        }
    })
    .build::<Residual>()
    .unwrap_err();
    assert_eq!(
        error,
        Error::NonFiniteFunctionValue {
            input: "c:c".into(),
            output: f64::INFINITY,
        }
    );
}

/// z = str(y) + str(x); pairs whose concatenation is not in `Z` map to zero.
fn concatenate(x: Dir<pairs::X>, y: Dir<pairs::Y>) -> Option<Dir<pairs::Z>> {
    let value = format!("{}{}", y.value_str()?, x.value_i64()?);
    Dir::with_value(value).ok()
}

#[test]
fn sequence_map_categorical_mlp() {
    use pairs::*;
    let fixture = load("chamber/sequence_map_categorical_mlp.json");
    let params = &fixture["params"];
    assert_eq!(X::basis(), &basis(&params["input1_space"]));
    assert_eq!(Y::basis(), &basis(&params["input2_space"]));
    assert_eq!(Z::basis(), &basis(&params["output_space"]));
    assert_eq!(params["hidden_name"], "__hidden__");
    for entry in fixture["function"]["table"].as_array().unwrap() {
        let x = Dir::<X>::find(&direction(&entry["input1"])).unwrap();
        let y = Dir::<Y>::find(&direction(&entry["input2"])).unwrap();
        let z = Dir::<Z>::find(&direction(&entry["output"])).ok();
        assert_eq!(concatenate(x, y), z, "f({x}, {y})");
    }

    let mlp = SequenceMapMlp::<X, Y, Z, One>::new(concatenate)
        .build::<Residual>()
        .unwrap();
    assert_mlp_eq(mlp.parts(), &fixture["block"]);
    check_evaluations(&mlp, &fixture);
}

#[test]
fn sequence_map_same_inputs_is_error() {
    use pairs::*;
    let fixture = load("chamber/sequence_map_categorical_mlp_same_inputs_error.json");
    assert_eq!(fixture["expect_error"], "ValueError");
    assert_eq!(X::basis(), &basis(&fixture["params"]["input1_space"]));
    assert_eq!(X::basis(), &basis(&fixture["params"]["input2_space"]));

    // `build` would not compile for `X` twice; `build_checked` reports it at run time.
    let error = SequenceMapMlp::<X, X, Z, One>::new(|_, _| None::<Dir<Z>>)
        .build_checked::<Residual>()
        .unwrap_err();
    assert_eq!(
        error,
        Error::OverlappingInputs {
            first: "X".into(),
            second: "X".into(),
            direction: "x:0".into(),
        }
    );
}

#[test]
fn sequence_map_value_outside_output_is_error() {
    use pairs::*;
    // Looking the concatenation up by value, "a2" is not an output value.
    let error = SequenceMapMlp::<X, Y, Z, One>::new(|x, y| {
        Some(format!("{}{}", y.value_str()?, x.value_i64()?))
    })
    .build::<Residual>()
    .unwrap_err();
    assert_eq!(
        error,
        Error::FunctionValueNotInSpace {
            input: "(x:2, y:a)".into(),
            output: "a2".into(),
            space: "Z".into(),
            basis: "{z:a0, z:a1, z:b0, z:b1, z:b2}".into(),
        }
    );
}

#[test]
fn sequence_map_ignores_positions_with_one_input() {
    use pairs::*;
    let mlp = SequenceMapMlp::<X, Y, Z, One>::new(concatenate)
        .build::<Residual>()
        .unwrap();
    // Only `x:1` and `one`: every hidden unit stays at or below 0.
    let input = Sequence::<Residual>::from_fn(1, |_, d| {
        if ["one", "x:1"].contains(&d.to_string().as_str()) {
            1.0
        } else {
            0.0
        }
    });
    let output = mlp.apply(&input).unwrap();
    assert!(output.matrix().iter().all(|v| *v == 0.0));
}

//! Discretising MLPs and the linear sequence map rebuilt through the typed API: the reference's
//! weights with the reference's large number, exact values where the reference blends them,
//! and construction errors for functions and value sets that cannot be built.

mod chamber_support;
mod common;

use chamber_support::{assert_matrix_close, assert_mlp_eq, assert_sequence_close, sequence};
use common::{basis, load, number, rows, value};
use handcraft::chamber::{LinearSequenceMap, NumericalMlp, NumericalToCategoricalMlp};
use handcraft::{BasisDirection, Dir, Error, Mlp, PrivateHidden, Sequence, Space, Value};
use serde_json::Value as Json;

mod numbers {
    handcraft::spaces! {
        pub numerical space X = x;
        pub numerical space Y = y;
        pub space One = one;
        pub space Residual = X | Y | One;
    }
}

mod flags {
    handcraft::spaces! {
        pub numerical space X = x;
        pub space Y = y: {false, true};
        pub space One = one;
        pub space Residual = X | Y | One;
    }
}

mod widths {
    handcraft::spaces! {
        pub numerical space X = x;
        pub space Y = y: 0..5;
        pub space Small = y: {1, 2};
        pub space Wide = w: 0..65;
        pub space One = one;
        pub space Residual = X | Y | Wide | One;
        pub space SmallResidual = X | Small | One;
    }
}

mod linear {
    handcraft::spaces! {
        pub numerical space X = x;
        pub numerical space Y = y;
        pub numerical space Out = out;
        pub space Residual = X | Y | Out;
    }
}

/// Returns the fixture's input value set.
fn input_values(fixture: &Json) -> Vec<f64> {
    fixture["params"]["input_value_set"]
        .as_array()
        .unwrap()
        .iter()
        .map(number)
        .collect()
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

/// Checks a numerical function against the fixture's table (`null` where it is undefined).
fn check_numerical_table(fixture: &Json, f: impl Fn(f64) -> Option<f64>) {
    for entry in fixture["function"]["table"].as_array().unwrap() {
        let x = number(&entry["input"]);
        let expected = (!entry["output"].is_null()).then(|| number(&entry["output"]));
        assert_eq!(f(x), expected, "f({x})");
    }
}

/// Builds a numerical fixture with the reference's large number and checks it.
fn check_numerical_fixture(name: &str, f: impl Fn(f64) -> Option<f64> + Copy) {
    use numbers::*;
    let fixture = load(&format!("chamber/{name}.json"));
    let params = &fixture["params"];
    assert_eq!(
        Residual::basis(),
        &basis(&fixture["block"]["residual_space"])
    );
    check_numerical_table(&fixture, f);

    let large_number = number(&params["large_number"]);
    let mlp = NumericalMlp::<X, Y, One>::new(f, input_values(&fixture))
        .large_number(large_number)
        .hidden_name(params["hidden_name"].as_str().unwrap())
        .build::<Residual>()
        .unwrap();
    assert_eq!(mlp.large_number(), large_number);
    assert_mlp_eq(mlp.mlp().parts(), &fixture["block"]);
    check_evaluations(mlp.mlp(), &fixture);
}

#[test]
fn map_numerical_mlp_reciprocal() {
    // 1/x is undefined at 0 (the reference's ZeroDivisionError), so 0 is dropped.
    check_numerical_fixture("map_numerical_mlp_reciprocal", |x| {
        (x != 0.0).then(|| 1.0 / x)
    });
}

#[test]
fn map_numerical_mlp_square() {
    check_numerical_fixture("map_numerical_mlp_square", |x| Some(x * x));
}

#[test]
fn map_numerical_mlp_square_l10() {
    check_numerical_fixture("map_numerical_mlp_square_L10", |x| Some(x * x));
}

#[test]
fn map_numerical_to_categorical_mlp_bool() {
    use flags::*;
    let fixture = load("chamber/map_numerical_to_categorical_mlp_bool.json");
    assert_eq!(
        Residual::basis(),
        &basis(&fixture["block"]["residual_space"])
    );
    let is_large = |x: f64| Some(x > 2.0);
    for entry in fixture["function"]["table"].as_array().unwrap() {
        let expected = value(&entry["output"]);
        assert_eq!(
            is_large(number(&entry["input"])).map(Value::Bool),
            Some(expected)
        );
    }

    let mlp = NumericalToCategoricalMlp::<X, Y, One>::new(is_large, input_values(&fixture))
        .large_number(number(&fixture["params"]["large_number"]))
        .build::<Residual>()
        .unwrap();
    assert_mlp_eq(mlp.mlp().parts(), &fixture["block"]);
    check_evaluations(mlp.mlp(), &fixture);
}

#[test]
fn map_numerical_to_categorical_mlp_sw() {
    use widths::*;
    let fixture = load("chamber/map_numerical_to_categorical_mlp_sw.json");
    // Python's round is half to even; no input here is a tie.
    let width = |x: f64| Some((1.0 / x - 1.0).round_ties_even() as i64);
    for entry in fixture["function"]["table"].as_array().unwrap() {
        let expected = entry["output"].as_i64();
        assert_eq!(width(number(&entry["input"])), expected);
    }

    let mlp = NumericalToCategoricalMlp::<X, Y, One>::new(width, input_values(&fixture))
        .large_number(number(&fixture["params"]["large_number"]))
        .build::<Residual>()
        .unwrap();
    assert_mlp_eq(mlp.mlp().parts(), &fixture["block"]);
    for (case, evaluation) in fixture["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        // The fixture's residual lacks `Wide`; project it in.
        let fixture_basis = basis(&evaluation["input"]["basis"]);
        let input = Sequence::<Residual>::from_rows_in_basis(
            &fixture_basis,
            &chamber_support::row_vectors(&evaluation["input"]["data"]),
        )
        .unwrap();
        let expected = Sequence::<Residual>::from_rows_in_basis(
            &fixture_basis,
            &chamber_support::row_vectors(&evaluation["expected_output"]["data"]),
        )
        .unwrap();
        let output = mlp.mlp().apply(&input).unwrap();
        for (a, e) in output.matrix().iter().zip(expected.matrix().iter()) {
            assert!((a - e).abs() <= 1e-12, "case {case}: {a} is not {e}");
        }
    }
}

#[test]
fn close_inputs_keep_their_values() {
    use numbers::*;
    // The reference's L = 100 puts 0 on the ramp of the threshold at 0.005, so the identity
    // on {0, 0.01} gives 0.005 at x = 0. The chosen L keeps both inputs off the ramp.
    let identity = NumericalMlp::<X, Y, One>::new(Some, [0.0, 0.01])
        .build::<Residual>()
        .unwrap();
    assert_eq!(identity.large_number(), 512.0);

    let input = Sequence::<Residual>::from_fn(2, |position, d| match d.to_string().as_str() {
        "one" => 1.0,
        "x" => [0.0, 0.01][position],
        _ => 0.0,
    });
    let output = identity.mlp().apply(&input).unwrap().restrict::<Y>();
    let y = Dir::<Y>::from_index(0).unwrap();
    assert_eq!(output.get(0, y), 0.0);
    assert!((output.get(1, y) - 0.01).abs() <= 1e-15);
}

#[test]
fn too_small_large_number_is_error() {
    use numbers::*;
    let error = NumericalMlp::<X, Y, One>::new(Some, [0.0, 0.01, 1.0])
        .large_number(100.0)
        .build::<Residual>()
        .unwrap_err();
    assert_eq!(
        error,
        Error::LargeNumberTooSmall {
            large_number: 100.0,
            lower: "0".into(),
            upper: "0.01".into(),
            minimum: 200.0,
        }
    );
}

#[test]
fn chosen_large_number_maps_inputs_exactly() {
    use numbers::*;
    let inputs = [-3.0, -0.5, 0.0, 0.001, 0.002, 1.0, 7.25, 100.0];
    let f = |x: f64| Some(x * x - 3.0);
    let mlp = NumericalMlp::<X, Y, One>::new(f, inputs)
        .build::<Residual>()
        .unwrap();
    // The closest inputs are 0.001 apart: L is the power of two at or above 4 / 0.001.
    assert_eq!(mlp.large_number(), 4096.0);

    let input =
        Sequence::<Residual>::from_fn(inputs.len(), |position, d| match d.to_string().as_str() {
            "one" => 1.0,
            "x" => inputs[position],
            _ => 0.0,
        });
    let output = mlp.mlp().apply(&input).unwrap().restrict::<Y>();
    let y = Dir::<Y>::from_index(0).unwrap();
    for (position, &x) in inputs.iter().enumerate() {
        let expected = f(x).unwrap();
        let error = (output.get(position, y) - expected).abs();
        assert!(
            error <= 1e-12 * expected.abs().max(1.0),
            "f({x}) = {} instead of {expected}",
            output.get(position, y)
        );
    }
}

#[test]
fn float_results_land_on_their_category() {
    use widths::*;
    // 1/x - 1 on x = 1/(w + 1) is w up to rounding: 1/(1/49) - 1 is 48.00000000000001.
    assert_eq!(1.0 / (1.0 / 49.0) - 1.0, 48.00000000000001);
    let inputs: Vec<f64> = (0..=64).map(|w| 1.0 / (w as f64 + 1.0)).collect();
    let mlp = NumericalToCategoricalMlp::<X, Wide, One>::new(|x| Some(1.0 / x - 1.0), inputs)
        .build::<Residual>()
        .unwrap();

    let input = Sequence::<Residual>::from_fn(65, |position, d| match d.to_string().as_str() {
        "one" => 1.0,
        "x" => 1.0 / (position as f64 + 1.0),
        _ => 0.0,
    });
    let output = mlp.mlp().apply(&input).unwrap().restrict::<Wide>();
    for width in 0..=64 {
        for direction in Dir::<Wide>::all() {
            let expected = if direction.value_i64() == Some(width) {
                1.0
            } else {
                0.0
            };
            assert_eq!(
                output.get(width as usize, direction),
                expected,
                "width {width}, {direction}"
            );
        }
    }
}

#[test]
fn function_undefined_everywhere_is_error() {
    use numbers::*;
    // 1/x on {0}: the function returns None at 0, so nothing is left to map.
    let error = NumericalMlp::<X, Y, One>::new(|x| (x != 0.0).then(|| 1.0 / x), [0.0])
        .build::<Residual>()
        .unwrap_err();
    assert_eq!(
        error,
        Error::FunctionUndefined {
            values: "{0}".into()
        }
    );
}

#[test]
fn empty_value_set_is_error() {
    use numbers::*;
    let error = NumericalMlp::<X, Y, One>::new(Some, [])
        .build::<Residual>()
        .unwrap_err();
    assert_eq!(error, Error::EmptyValueSet { space: "X".into() });
}

#[test]
fn non_finite_input_value_is_error() {
    use numbers::*;
    let error = NumericalMlp::<X, Y, One>::new(Some, [0.0, f64::NAN])
        .build::<Residual>()
        .unwrap_err();
    assert_eq!(
        error,
        Error::InvalidParameter {
            parameter: "input value",
            value: "NaN".into(),
            expected: "a finite number",
        }
    );
}

#[test]
fn non_finite_function_value_is_error() {
    use numbers::*;
    // Rust's 1/0 is infinite rather than an error; a function should return None there.
    let error = NumericalMlp::<X, Y, One>::new(|x| Some(1.0 / x), [0.0, 1.0])
        .build::<Residual>()
        .unwrap_err();
    assert_eq!(
        error,
        Error::NonFiniteFunctionValue {
            input: "0".into(),
            output: f64::INFINITY,
        }
    );
}

#[test]
fn categorical_value_outside_output_is_error() {
    use widths::*;
    // f(v) = 10·v into {1, 2}: f(1) = 10 is no output value.
    let error = NumericalToCategoricalMlp::<X, Small, One>::new(|v| Some(10.0 * v), [1.0, 2.0])
        .build::<SmallResidual>()
        .unwrap_err();
    assert_eq!(
        error,
        Error::FunctionValueNotInSpace {
            input: "1".into(),
            output: "10".into(),
            space: "Small".into(),
            basis: "{y:1, y:2}".into(),
        }
    );
}

#[test]
fn hidden_name_prefixes_hidden_labels() {
    use numbers::*;
    let mlp = NumericalMlp::<X, Y, One>::new(Some, [0.0, 1.0])
        .hidden_name("_hidden_f_")
        .build::<Residual>()
        .unwrap();
    let step = |i: i64| {
        BasisDirection::with_value(
            "_hidden_f_",
            Value::Tuple(vec![Value::Int(1), Value::Int(i)]),
        )
    };
    assert_eq!(
        mlp.mlp().parts().hidden,
        vec![step(0), step(1), BasisDirection::new("_hidden_f_start")]
    );
}

fn check_linear_fixture(name: &str) {
    use linear::*;
    let fixture = load(&format!("chamber/{name}.json"));
    let params = &fixture["params"];
    assert_eq!(
        Residual::basis(),
        &basis(&fixture["block"]["residual_space"])
    );
    let mlp = LinearSequenceMap::<X, Y, Out>::new(
        number(&params["input1_factor"]),
        number(&params["input2_factor"]),
    )
    .hidden_name(params["hidden_name"].as_str().unwrap())
    .build::<Residual>()
    .unwrap();
    assert_mlp_eq(mlp.parts(), &fixture["block"]);
    check_evaluations(&mlp, &fixture);
}

#[test]
fn linear_sequence_map_numerical_mlp() {
    check_linear_fixture("linear_sequence_map_numerical_mlp");
}

#[test]
fn linear_sequence_map_numerical_mlp_sum() {
    check_linear_fixture("linear_sequence_map_numerical_mlp_sum");
}

#[test]
fn linear_sequence_map_non_finite_factor_is_error() {
    use linear::*;
    let error = LinearSequenceMap::<X, Y, Out>::new(1.0, f64::NAN)
        .build::<Residual>()
        .unwrap_err();
    assert_eq!(
        error,
        Error::InvalidParameter {
            parameter: "linear sequence map factor",
            value: "NaN".into(),
            expected: "a finite number",
        }
    );
}

#[test]
fn input_equal_to_one_is_error() {
    use numbers::*;
    // `build` requires `X: Disjoint<One>`; `parts` checks it at run time.
    let error = NumericalMlp::<X, Y, X>::new(Some, [0.0, 1.0])
        .parts()
        .unwrap_err();
    assert_eq!(
        error,
        Error::OverlappingInputs {
            first: "X".into(),
            second: "X".into(),
            direction: "x".into(),
        }
    );
}

//! The programs that have golden data, written by hand, against the reference's compiled
//! programs: the dense parameters, and the decoded output of every recorded input from both the
//! typed model and its exported files.

mod common;

#[path = "../examples/common/programs/mod.rs"]
mod programs;

use handcraft::assemble::Model;
use handcraft::dense::{Decoded, DenseModel};
use handcraft::export::{tensors, ExportOptions, Layout};
use handcraft::Space;
use serde_json::Value as Json;

/// Numerical outputs agree with the reference's within this absolute difference; the
/// reference's dense model runs in float32.
const NUMERICAL_TOLERANCE: f64 = 1e-5;

/// A parameter agrees with the reference's float32 value within this relative difference,
/// which covers rounding our float64 weight to float32.
const PARAMETER_TOLERANCE: f64 = 1e-6;

fn strings(json: &Json) -> Vec<String> {
    json.as_array()
        .expect("a list")
        .iter()
        .map(|item| item.as_str().expect("a string").to_owned())
        .collect()
}

/// Returns a fixture token as the vocabulary writes it: strings as they are, integers in
/// decimal.
fn token_text(json: &Json) -> String {
    match json {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Appends the numbers of a nested list to `out`, in row-major order.
fn flatten(json: &Json, out: &mut Vec<f64>) {
    match json {
        Json::Array(items) => items.iter().for_each(|item| flatten(item, out)),
        other => out.push(common::number(other)),
    }
}

fn assert_parameters_match<R: Space>(fixture_file: &str, model: &Model<R>) {
    let fixture = common::load(fixture_file);
    let labels = model.spaces().residual().labels();
    assert_eq!(
        labels,
        strings(&fixture["residual_labels"]),
        "residual labels"
    );

    let weights = model.assemble().expect("the model assembles");
    let shape = weights.shape();
    let config = &fixture["model_config"];
    assert_eq!(shape.num_layers as u64, config["num_layers"], "num_layers");
    assert_eq!(shape.num_heads as u64, config["num_heads"], "num_heads");
    assert_eq!(shape.key_size as u64, config["key_size"], "key_size");
    assert_eq!(
        shape.mlp_hidden_size as u64, config["mlp_hidden_size"],
        "mlp_hidden_size"
    );
    assert_eq!(
        weights.causal().expect("one causal flag"),
        config["causal"],
        "causal"
    );

    let ours = tensors(&weights, Layout::Tracr);
    let mut expected_count = 0;
    for (module, parameters) in fixture["params"].as_object().expect("params by module") {
        for (parameter, expected) in parameters.as_object().expect("params by name") {
            expected_count += 1;
            let name = format!("{module}/{parameter}");
            let tensor = ours
                .iter()
                .find(|t| t.name == name)
                .unwrap_or_else(|| panic!("no tensor `{name}`"));
            let shape: Vec<usize> = expected["shape"]
                .as_array()
                .expect("a shape")
                .iter()
                .map(|n| n.as_u64().expect("a size") as usize)
                .collect();
            assert_eq!(tensor.shape, shape, "shape of `{name}`");

            let mut values = Vec::new();
            flatten(&expected["data"], &mut values);
            for (i, (&a, &e)) in tensor.data.iter().zip(&values).enumerate() {
                assert!(
                    (a - e).abs() <= PARAMETER_TOLERANCE * e.abs().max(1.0),
                    "`{name}` entry {i} is {a}, the reference's is {e}"
                );
            }
        }
    }
    assert_eq!(ours.len(), expected_count, "number of tensors");
}

/// Checks one decoded output against the reference's.
fn assert_same_output(actual: &Json, expected: &Json, what: &str) {
    match (actual.as_f64(), expected.as_f64()) {
        (Some(a), Some(e)) if expected.is_f64() || actual.is_f64() => assert!(
            (a - e).abs() <= NUMERICAL_TOLERANCE,
            "{what}: output {a}, the reference's is {e}"
        ),
        _ => assert_eq!(actual, expected, "{what}"),
    }
}

fn assert_outputs_match<R: Space>(fixture_file: &str, model: &Model<R>) {
    let fixture = common::load(fixture_file);

    // A small verification sample keeps the debug build fast; the export's own tests cover it.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let options = ExportOptions::default().exhaustive_limit(0).sample_size(20);
    model
        .export(dir.path(), &options)
        .expect("the export verifies");
    let dense = DenseModel::load(dir.path()).expect("the export loads");
    let output_values = model.spaces().output_values();

    let cases = fixture["evaluations"].as_array().expect("evaluations");
    assert!(!cases.is_empty(), "the fixture has evaluations");
    for case in cases {
        let tokens: Vec<String> = case["input"]
            .as_array()
            .expect("an input")
            .iter()
            .map(token_text)
            .collect();
        let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
        let ids = programs::encode(model, &tokens).expect("known tokens");
        let expected_ids: Vec<usize> =
            serde_json::from_value(case["input_ids"].clone()).expect("ids");
        assert_eq!(ids, expected_ids, "token ids of {tokens:?}");

        let typed = programs::run(model, &tokens).expect("the typed model runs");
        let forward = dense.forward(&ids).expect("the dense model runs");
        let from_file: Vec<Json> = forward
            .decoded()
            .iter()
            .map(|decoded| match (decoded, &output_values) {
                (Decoded::Category(id), Some(values)) => values[*id].clone(),
                (Decoded::Number(x), _) => Json::from(*x),
                (Decoded::Category(id), None) => panic!("category {id} of a numerical output"),
            })
            .collect();

        let expected = case["decoded"].as_array().expect("decoded outputs");
        let meaning = case["rasp_output"].as_array().expect("program outputs");
        assert_eq!(typed.len(), expected.len(), "positions of {tokens:?}");
        // Position 0 is BOS; positions where the program is undefined decode to anything.
        for position in 1..expected.len() {
            if meaning[position - 1].is_null() {
                continue;
            }
            let what = format!("input {tokens:?}, position {position}");
            assert_same_output(
                &typed[position],
                &expected[position],
                &format!("typed model, {what}"),
            );
            assert_same_output(
                &from_file[position],
                &expected[position],
                &format!("exported file, {what}"),
            );
        }
    }
}

/// Declares the two tests of a program: its parameters and its outputs.
macro_rules! golden_program {
    ($parameters:ident, $outputs:ident, $fixture:literal, $build:expr) => {
        #[test]
        fn $parameters() {
            assert_parameters_match($fixture, &$build.expect("the program builds"));
        }

        #[test]
        fn $outputs() {
            assert_outputs_match($fixture, &$build.expect("the program builds"));
        }
    };
}

golden_program!(
    length_parameters_match_reference,
    length_outputs_match_reference,
    "programs/length.json",
    programs::length::build()
);
golden_program!(
    count_parameters_match_reference,
    count_outputs_match_reference,
    "programs/count_a.json",
    programs::count::build()
);
golden_program!(
    hist_parameters_match_reference,
    hist_outputs_match_reference,
    "programs/hist.json",
    programs::hist::build::<programs::hist::small::Spaces>()
);
golden_program!(
    shift_by_parameters_match_reference,
    shift_by_outputs_match_reference,
    "programs/shift_by_2.json",
    programs::shift_by::build()
);
golden_program!(
    sort_parameters_match_reference,
    sort_outputs_match_reference,
    "programs/sort.json",
    programs::sort::build()
);
golden_program!(
    pair_balance_parameters_match_reference,
    pair_balance_outputs_match_reference,
    "programs/pair_balance.json",
    programs::pair_balance::build()
);
golden_program!(
    nary_sequencemap_parameters_match_reference,
    nary_sequencemap_outputs_match_reference,
    "programs/nary_sequencemap.json",
    programs::nary_sequencemap::build()
);
golden_program!(
    reverse_as_compiled_parameters_match_reference,
    reverse_as_compiled_outputs_match_reference,
    "programs/reverse.json",
    programs::reverse::as_compiled::build()
);

/// The hand-written `reverse` has other spaces than the reference's (2 layers instead of 4),
/// so only its outputs are compared.
#[test]
fn reverse_outputs_match_reference() {
    let model = programs::reverse::build::<programs::reverse::small::Spaces>();
    assert_outputs_match("programs/reverse.json", &model.expect("the program builds"));
}
golden_program!(
    sort_unique_parameters_match_reference,
    sort_unique_outputs_match_reference,
    "programs/sort_unique.json",
    programs::sort_unique::build::<programs::sort_unique::small::Spaces>()
);
golden_program!(
    frac_prevs_parameters_match_reference,
    frac_prevs_outputs_match_reference,
    "programs/frac_prevs.json",
    programs::frac_prevs::build::<programs::frac_prevs::small::Spaces>(false)
);
golden_program!(
    frac_prevs_causal_parameters_match_reference,
    frac_prevs_causal_outputs_match_reference,
    "programs/frac_prevs_causal.json",
    programs::frac_prevs::build::<programs::frac_prevs::small::Spaces>(true)
);

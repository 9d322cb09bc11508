//! Export of every compiled program of `tests/fixtures/programs/`: verified files in both
//! layouts, whose forward pass gives the reference's decoded outputs and, under the reference's
//! attention convention, the reference's assembled residual stream.

mod common;
mod programs_common;

use handcraft::assemble::Model;
use handcraft::dense::{Decoded, DenseModel};
use handcraft::export::{AttentionScaling, Dtype, ExportOptions, Layout};
use handcraft::Space;
use serde_json::Value as Json;

fn strings(json: &Json) -> Vec<String> {
    json.as_array()
        .unwrap()
        .iter()
        .map(|t| match t {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// Returns `n + n² + … + n^max_len`.
fn input_count(n: u64, max_len: u32) -> u64 {
    (1..=max_len).map(|len| n.pow(len)).sum()
}

/// Checks that the decoded output of the dense file equals the reference's craft model on
/// every recorded evaluation.
fn check_decoded(name: &str, fixture: &Json, dense: &DenseModel) {
    for evaluation in fixture["evaluations"].as_array().unwrap() {
        let input = strings(&evaluation["input"]);
        let output = dense.forward(&dense.encode(&input).unwrap()).unwrap();
        let expected = evaluation["craft_decoded"].as_array().unwrap();
        assert_eq!(expected.len(), input.len(), "{name} {input:?}");
        for (position, want) in expected.iter().enumerate().skip(1) {
            let found = output.decoded()[position];
            match found {
                Decoded::Category(_) => {
                    assert_eq!(
                        &dense.decoded_json(found),
                        want,
                        "{name} {input:?} position {position}"
                    );
                }
                Decoded::Number(x) => {
                    let want = want.as_f64().unwrap();
                    assert!(
                        (x - want).abs() <= 1e-4,
                        "{name} {input:?} position {position}: {x} vs {want}"
                    );
                }
            }
        }
    }
}

fn check_export<R: Space>(name: &str, fixture: &Json, model: Model<R>) {
    let tokens = fixture["tokens_space"].as_array().unwrap().len() as u64;
    let max_len = fixture["max_seq_len"].as_u64().unwrap() as u32;

    // The tracr layout in f32, every input checked.
    let dir = tempfile::tempdir().unwrap();
    let report = model
        .export(dir.path(), &ExportOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let verification = report.verification();
    assert!(verification.exhaustive, "{name}");
    assert_eq!(
        verification.inputs_checked,
        input_count(tokens - 1, max_len),
        "{name}"
    );
    assert!(verification.outputs_agree, "{name}");
    assert!(
        verification.max_residual_error < 1e-5,
        "{name}: {}",
        verification.max_residual_error
    );
    assert_eq!(verification.cases.len(), 64, "{name}");
    check_decoded(name, fixture, &DenseModel::load(dir.path()).unwrap());

    // The transformer-lens layout in f64, on a sample, which keeps the debug-build test fast.
    let dir = tempfile::tempdir().unwrap();
    let options = ExportOptions::default()
        .layout(Layout::TransformerLens)
        .dtype(Dtype::F64)
        .exhaustive_limit(0)
        .sample_size(100);
    let report = model
        .export(dir.path(), &options)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let verification = report.verification();
    assert!(!verification.exhaustive, "{name}");
    // The sample, plus one single-token and one maximum-length input per non-BOS token.
    assert_eq!(
        verification.inputs_checked,
        100 + 2 * (tokens - 1),
        "{name}"
    );
    assert!(
        verification.max_residual_error < 1e-12,
        "{name}: {}",
        verification.max_residual_error
    );
    check_decoded(name, fixture, &DenseModel::load(dir.path()).unwrap());
}

program_tests!(exports_verified, crate::check_export);

fn check_reference_residuals<R: Space>(name: &str, fixture: &Json, model: Model<R>) {
    let dir = tempfile::tempdir().unwrap();
    let options = ExportOptions::default()
        .attention_scaling(AttentionScaling::Reference)
        .exhaustive_limit(0)
        .sample_size(100);
    model
        .export(dir.path(), &options)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let dense = DenseModel::load(dir.path()).unwrap();
    assert_eq!(
        dense.config().causal,
        fixture["model_config"]["causal"].as_bool().unwrap(),
        "{name}"
    );

    for evaluation in fixture["evaluations"].as_array().unwrap() {
        let Some(residuals) = evaluation.get("assembled_residuals") else {
            continue;
        };
        let input = strings(&evaluation["input"]);
        let output = dense.forward(&dense.encode(&input).unwrap()).unwrap();
        let halves = residuals["after_each_half_layer"].as_array().unwrap();
        let expected = common::rows(halves.last().unwrap());
        for position in 0..input.len() {
            for (column, &value) in output.residual(position).iter().enumerate() {
                let want = expected[(position, column)];
                assert!(
                    (value - want).abs() <= 1e-5 * want.abs().max(1.0),
                    "{name} {input:?} position {position} column {column}: {value} vs {want}"
                );
            }
        }
        check_decoded(name, fixture, &dense);
    }
}

// Under the reference's convention (`q·k / sqrt(key_size)`) the dense file reproduces the
// reference's assembled residual stream, recorded in float32.
program_tests!(reference_residuals, crate::check_reference_residuals);

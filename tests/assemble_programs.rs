//! Assembly of every compiled program of `tests/fixtures/programs/`, rebuilt through the typed
//! API, against the reference's dense parameters and residual labels.

mod common;
mod programs_common;

use handcraft::assemble::Model;
use handcraft::export::{tensors, Layout};
use handcraft::Space;
use serde_json::Value as Json;

/// Compares the tracr-layout tensors of the assembled model with the fixture's `params`.
fn check_params<R: Space>(name: &str, fixture: &Json, model: Model<R>) {
    let weights = model.assemble().unwrap_or_else(|e| panic!("{name}: {e}"));
    let labels: Vec<String> = fixture["residual_labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        weights.spaces().residual().labels(),
        labels,
        "{name}: residual labels"
    );

    let params = fixture["params"].as_object().unwrap();
    let expected_count: usize = params.values().map(|p| p.as_object().unwrap().len()).sum();
    let tensors = tensors(&weights, Layout::Tracr);
    assert_eq!(tensors.len(), expected_count, "{name}: tensor count");
    for tensor in &tensors {
        let (module, param) = tensor.name.rsplit_once('/').unwrap();
        let expected = &params[module][param];
        let shape: Vec<usize> = expected["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(tensor.shape, shape, "{name}: shape of {}", tensor.name);
        let values = flatten(&expected["data"]);
        assert_eq!(
            values.len(),
            tensor.data.len(),
            "{name}: size of {}",
            tensor.name
        );
        for (i, (a, e)) in tensor.data.iter().zip(&values).enumerate() {
            let tolerance = 1e-6 * e.abs().max(1.0);
            assert!(
                (a - e).abs() <= tolerance,
                "{name}: {} entry {i} is {a}, expected {e}",
                tensor.name
            );
        }
    }
}

fn flatten(json: &Json) -> Vec<f64> {
    match json {
        Json::Array(items) => items.iter().flat_map(flatten).collect(),
        other => vec![common::number(other)],
    }
}

program_tests!(params_match_reference, crate::check_params);

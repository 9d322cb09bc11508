//! The `handcraft` binary on exported models: `inspect`, `run`, `verify`, `--help`, and the
//! exit code 2 with a clear message for every kind of bad input.

mod common;
mod programs_common;

use std::path::Path;
use std::process::{Command, Output};

use handcraft::assemble::Model;
use handcraft::export::{ExportOptions, Layout};
use handcraft::{AttentionHead, Dir, Linear, Mlp, ScalarBilinear, Series};
use serde_json::Value as Json;

handcraft::spaces! {
    space Tokens = tokens: {"BOS", "a", "b"};
    space TokenA = tokens: {"a"};
    space Indices = indices: 0..3;
    space One = one;
    space Count = count;
    space Hidden = h;
    space Double = double;
    numerical space Out = double;
    space Residual = Tokens | Indices | One | Count | Double;
}

/// Builds a causal model whose output is twice the fraction of `a` tokens up to each
/// position, BOS included.
fn double_fraction() -> Model<Residual> {
    let mean = AttentionHead::<Residual>::new(
        ScalarBilinear::<One, Indices>::zeros(),
        Linear::<TokenA, Count>::from_fn(|_, _| 1.0),
        true,
    );
    let double = Mlp::<Residual, Hidden>::new(
        Linear::<Count, Hidden>::from_fn(|_, _| 1.0),
        Linear::<Hidden, Double>::from_fn(|_, _| 2.0),
    );
    Model::builder(Series::new().then(mean).then(double))
        .tokens::<Tokens>(Dir::with_value("BOS").unwrap())
        .indices::<Indices>()
        .numerical_output::<Out>()
        .build()
        .unwrap()
}

fn exported(layout: Layout) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    double_fraction()
        .export(dir.path(), &ExportOptions::default().layout(layout))
        .unwrap();
    dir
}

fn handcraft(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handcraft"))
        .args(args)
        .output()
        .expect("the handcraft binary runs")
}

fn path(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Asserts exit code 2, no output on stdout, and an error message containing `expected`.
fn assert_input_error(output: &Output, expected: &str) {
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(output));
    assert_eq!(stdout(output), "");
    assert!(
        stderr(output).contains(expected),
        "stderr: {}",
        stderr(output)
    );
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn help_describes_every_command() {
    let main = handcraft(&["--help"]);
    assert_eq!(main.status.code(), Some(0));
    for command in ["inspect", "run", "verify"] {
        assert!(stdout(&main).contains(command), "{}", stdout(&main));
        let help = handcraft(&[command, "--help"]);
        assert_eq!(help.status.code(), Some(0), "{command}");
        assert!(
            stdout(&help).contains("Usage: handcraft"),
            "{command}: {}",
            stdout(&help)
        );
        assert!(
            stdout(&help).contains("<DIR>"),
            "{command}: {}",
            stdout(&help)
        );
    }
    assert!(stdout(&handcraft(&["run", "--help"])).contains("--json"));
}

#[test]
fn missing_command_is_usage_error() {
    let output = handcraft(&[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("Usage: handcraft"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn inspect_prints_configuration() {
    let dir = exported(Layout::TransformerLens);
    let output = handcraft(&["inspect", path(dir.path())]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let expected_lines = [
        "layout: transformer-lens, dtype: F32, format: handcraft-dense version 1",
        "layers: 1, heads per layer: 1, key size: 3, MLP hidden size: 1, d_model: 9",
        "attention: causal, logit scale 1 (exact: the typed model's unscaled q·k)",
        "vocabulary (3): BOS a b; BOS is `BOS`; at most 3 tokens after BOS",
        "output (numerical): double",
        "  indices (3): 0 1 2",
        "  tokens (3): BOS a b",
        "  count",
        "    query reads nothing",
        "    key reads   indices:{0,1,2}",
        "    value reads tokens:{a}",
        "    writes      count",
        "  mlp (1 of 1 hidden units used):",
        "    reads  count",
        "    writes double",
        "verification: 14 inputs checked (every input), outputs agree: true",
        "  max residual error 0, max output error 0, output tolerance 1.00e-4, 14 stored cases",
    ];
    for line in expected_lines {
        assert!(
            text.lines().any(|l| l == line),
            "missing line `{line}` in:\n{text}"
        );
    }
}

#[test]
fn run_prints_decoded_outputs() {
    let dir = exported(Layout::Tracr);
    let output = handcraft(&["run", path(dir.path()), "BOS", "a", "b", "a"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert_eq!(lines[0], "position token  output");
    assert_eq!(lines[1], "0        BOS    -");
    assert_eq!(lines[2], "1        a      1.0");
    assert!(
        lines[3].starts_with("2        b      0.666666"),
        "{}",
        lines[3]
    );
    assert_eq!(lines[4], "3        a      1.0");
}

#[test]
fn run_json_has_final_residual() {
    let dir = exported(Layout::TransformerLens);
    let output = handcraft(&["run", path(dir.path()), "BOS", "b", "a", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: Json = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["input"], serde_json::json!(["BOS", "b", "a"]));
    assert_eq!(json["input_ids"], serde_json::json!([0, 2, 1]));
    assert_eq!(json["output"][0], Json::Null);
    assert_eq!(json["output"][1], 0.0);
    let labels = json["residual_labels"].as_array().unwrap();
    let residual = json["residual"].as_array().unwrap();
    assert_eq!(residual.len(), 3);
    assert!(residual
        .iter()
        .all(|row| row.as_array().unwrap().len() == labels.len()));
    let double = labels.iter().position(|l| l == "double").unwrap();
    let last = residual[2][double].as_f64().unwrap();
    assert!((last - 2.0 / 3.0).abs() < 1e-6, "{last}");
}

#[test]
fn run_categorical_program() {
    let fixture = common::load("programs/count_a.json");
    let dir = tempfile::tempdir().unwrap();
    let options = ExportOptions::default().exhaustive_limit(0).sample_size(50);
    programs_common::count_a::model(&fixture)
        .export(dir.path(), &options)
        .unwrap();
    let output = handcraft(&["run", path(dir.path()), "BOS", "a", "b", "a", "c"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let outputs: Vec<String> = stdout(&output)
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().last().unwrap().to_owned())
        .collect();
    // `count_a` writes the number of `a` tokens in the whole input at every position.
    assert_eq!(outputs, ["-", "2", "2", "2", "2"]);
}

#[test]
fn verify_accepts_fresh_export() {
    let dir = exported(Layout::Tracr);
    let output = handcraft(&["verify", path(dir.path())]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "14 of 14 stored cases agree\n");
}

#[test]
fn verify_reports_changed_case() {
    let dir = exported(Layout::Tracr);
    let config_path = dir.path().join("config.json");
    let mut config: Json = serde_json::from_slice(&std::fs::read(&config_path).unwrap()).unwrap();
    config["verification"]["cases"][0]["expected"][1] = 0.25.into();
    std::fs::write(&config_path, serde_json::to_vec(&config).unwrap()).unwrap();

    let output = handcraft(&["verify", path(dir.path())]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("MISMATCH [BOS, a]: position 1 decodes 1.0, stored 0.25"),
        "{text}"
    );
    assert!(text.contains("13 of 14 stored cases agree"), "{text}");
}

#[test]
fn unknown_token_lists_vocabulary() {
    let dir = exported(Layout::Tracr);
    let output = handcraft(&["run", path(dir.path()), "BOS", "a", "z"]);
    assert_input_error(
        &output,
        "unknown token `z` at position 2; the vocabulary is [BOS, a, b]",
    );
}

#[test]
fn tokens_after_double_dash_may_start_with_hyphen() {
    let dir = exported(Layout::Tracr);
    let output = handcraft(&["run", path(dir.path()), "--", "BOS", "-a"]);
    assert_input_error(&output, "unknown token `-a` at position 1");
}

#[test]
fn missing_bos_is_input_error() {
    let dir = exported(Layout::Tracr);
    let output = handcraft(&["run", path(dir.path()), "a", "b"]);
    assert_input_error(
        &output,
        "the input must start with the BOS token `BOS`, but starts with `a`",
    );
}

#[test]
fn too_long_input_is_input_error() {
    let dir = exported(Layout::Tracr);
    let output = handcraft(&["run", path(dir.path()), "BOS", "a", "a", "a", "a"]);
    assert_input_error(
        &output,
        "the input has 4 tokens after BOS but the model accepts at most 3",
    );
}

#[test]
fn missing_directory_is_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent");
    for command in ["inspect", "verify"] {
        let output = handcraft(&[command, path(&missing)]);
        assert_input_error(&output, "config.json` not found");
    }
    assert!(!missing.exists());
}

#[test]
fn corrupt_config_is_input_error() {
    let dir = exported(Layout::Tracr);
    std::fs::write(dir.path().join("config.json"), b"{ not json").unwrap();
    let output = handcraft(&["inspect", path(dir.path())]);
    assert_input_error(&output, "invalid config.json");
}

#[test]
fn truncated_tensors_are_input_error() {
    let dir = exported(Layout::Tracr);
    let tensors = dir.path().join("model.safetensors");
    let bytes = std::fs::read(&tensors).unwrap();
    std::fs::write(&tensors, &bytes[..bytes.len() / 2]).unwrap();
    let output = handcraft(&["run", path(dir.path()), "BOS", "a"]);
    assert_input_error(&output, "invalid model.safetensors");
}

#[test]
fn wrong_layout_is_input_error() {
    let (tracr, lens) = (exported(Layout::Tracr), exported(Layout::TransformerLens));
    std::fs::copy(
        tracr.path().join("model.safetensors"),
        lens.path().join("model.safetensors"),
    )
    .unwrap();
    let output = handcraft(&["verify", path(lens.path())]);
    assert_input_error(
        &output,
        "model.safetensors metadata `layout` does not match config.json",
    );
}

#[test]
fn config_not_matching_tensors_is_input_error() {
    let dir = exported(Layout::Tracr);
    let config_path = dir.path().join("config.json");
    let mut config: Json = serde_json::from_slice(&std::fs::read(&config_path).unwrap()).unwrap();
    config["mlp_hidden_size"] = 2.into();
    std::fs::write(&config_path, serde_json::to_vec(&config).unwrap()).unwrap();
    let output = handcraft(&["inspect", path(dir.path())]);
    assert_input_error(
        &output,
        "tensor `transformer/layer_0/mlp/linear_1/w` has shape [9, 1] but config.json implies [9, 2]",
    );
}

#[test]
fn commands_write_nothing() {
    let dir = exported(Layout::Tracr);
    let before = file_names(dir.path());
    handcraft(&["inspect", path(dir.path())]);
    handcraft(&["run", path(dir.path()), "BOS", "a"]);
    handcraft(&["run", path(dir.path()), "BOS", "q"]);
    handcraft(&["verify", path(dir.path())]);
    assert_eq!(file_names(dir.path()), before);
}

//! Export mechanics: the files each layout writes, the attention contract in `config.json`,
//! verification failures, and atomic replacement of an export directory.

use std::collections::BTreeMap;
use std::path::Path;

use handcraft::assemble::Model;
use handcraft::dense::DenseModel;
use handcraft::export::{AttentionScaling, Dtype, ExportError, ExportOptions, Layout};
use handcraft::{AttentionHead, Dir, Linear, Mlp, ScalarBilinear, Series};
use safetensors::SafeTensors;
use serde_json::Value as Json;

handcraft::spaces! {
    space Tokens = tokens: {"BOS", "a", "b"};
    space TokenA = tokens: {"a"};
    space Indices = indices: 0..2;
    space One = one;
    space Out = out: {"a", "b"};
    space OutA = out: {"a"};
    space OutB = out: {"b"};
    space Hidden = h;
    space Residual = Tokens | Indices | One | Out;
}

/// Builds a model whose decoded output depends on how sharp its attention is: `out:a` is the
/// attention paid to `a` tokens (logit 2 against 0), `out:b` is the constant 0.7. Unscaled,
/// one `a` among BOS, `a`, `b` gets weight 0.787 and wins; scaled by 1/sqrt(3) it gets 0.613.
fn attention_sensitive_model() -> Model<Residual> {
    let head = AttentionHead::<Residual>::new(
        ScalarBilinear::<One, Tokens>::from_fn(|_, key| {
            if key.value_str() == Some("a") {
                2.0
            } else {
                0.0
            }
        }),
        Linear::<TokenA, OutA>::from_fn(|_, _| 1.0),
        false,
    );
    let constant = Mlp::<Residual, Hidden>::new(
        Linear::<One, Hidden>::from_fn(|_, _| 1.0),
        Linear::<Hidden, OutB>::from_fn(|_, _| 0.7),
    );
    Model::builder(Series::new().then(head).then(constant))
        .tokens::<Tokens>(Dir::with_value("BOS").unwrap())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap()
}

fn read_config(dir: &Path) -> Json {
    serde_json::from_slice(&std::fs::read(dir.join("config.json")).unwrap()).unwrap()
}

/// Tensor name to dtype and shape.
type TensorTable = BTreeMap<String, (String, Vec<usize>)>;

/// Returns the name, dtype and shape of every tensor, and the metadata.
fn read_tensors(dir: &Path) -> (TensorTable, BTreeMap<String, String>) {
    let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let tensors = file
        .tensors()
        .into_iter()
        .map(|(name, view)| (name, (view.dtype().to_string(), view.shape().to_vec())))
        .collect();
    let (_, metadata) = SafeTensors::read_metadata(&bytes).unwrap();
    let metadata = metadata.metadata().clone().unwrap().into_iter().collect();
    (tensors, metadata)
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
fn export_writes_exactly_two_files() {
    let dir = tempfile::tempdir().unwrap();
    attention_sensitive_model()
        .export(dir.path(), &ExportOptions::default())
        .unwrap();
    assert_eq!(file_names(dir.path()), ["config.json", "model.safetensors"]);
}

#[test]
fn transformer_lens_layout_names_and_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let options = ExportOptions::default().layout(Layout::TransformerLens);
    attention_sensitive_model()
        .export(dir.path(), &options)
        .unwrap();
    let (tensors, metadata) = read_tensors(dir.path());

    // d_model 8, one layer, one head of width 3, one hidden unit, 3 tokens, 3 positions.
    let f32 = |shape: &[usize]| ("F32".to_owned(), shape.to_vec());
    let expected: TensorTable = [
        ("embed.W_E", f32(&[3, 8])),
        ("pos_embed.W_pos", f32(&[3, 8])),
        ("blocks.0.attn.W_Q", f32(&[1, 8, 3])),
        ("blocks.0.attn.W_K", f32(&[1, 8, 3])),
        ("blocks.0.attn.W_V", f32(&[1, 8, 3])),
        ("blocks.0.attn.W_O", f32(&[1, 3, 8])),
        ("blocks.0.attn.b_Q", f32(&[1, 3])),
        ("blocks.0.attn.b_K", f32(&[1, 3])),
        ("blocks.0.attn.b_V", f32(&[1, 3])),
        ("blocks.0.attn.b_O", f32(&[8])),
        ("blocks.0.mlp.W_in", f32(&[8, 1])),
        ("blocks.0.mlp.b_in", f32(&[1])),
        ("blocks.0.mlp.W_out", f32(&[1, 8])),
        ("blocks.0.mlp.b_out", f32(&[8])),
        ("unembed.W_U", f32(&[8, 2])),
        ("unembed.b_U", f32(&[2])),
    ]
    .into_iter()
    .map(|(name, shape)| (name.to_owned(), shape))
    .collect();
    assert_eq!(tensors, expected);

    assert_eq!(metadata["layout"], "transformer-lens");
    let labels: Vec<String> = serde_json::from_str(&metadata["residual_labels"]).unwrap();
    let expected = [
        "indices:0",
        "indices:1",
        "one",
        "out:a",
        "out:b",
        "tokens:BOS",
        "tokens:a",
        "tokens:b",
    ];
    assert_eq!(labels, expected);
}

#[test]
fn tracr_layout_matches_transformer_lens_weights() {
    let model = attention_sensitive_model();
    let (tracr, lens) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    model
        .export(tracr.path(), &ExportOptions::default())
        .unwrap();
    let options = ExportOptions::default().layout(Layout::TransformerLens);
    model.export(lens.path(), &options).unwrap();
    let (tracr, lens) = (
        DenseModel::load(tracr.path()).unwrap(),
        DenseModel::load(lens.path()).unwrap(),
    );

    // Both layouts load into the same per-head weights; the tracr layout's unembedding is
    // built from the output labels, the transformer-lens one is read from `unembed.W_U`.
    assert_eq!(tracr.usage(), lens.usage());
    for input in [["BOS", "a", "b"], ["BOS", "b", "a"]] {
        let ids = tracr.encode(&input).unwrap();
        assert_eq!(tracr.forward(&ids).unwrap(), lens.forward(&ids).unwrap());
    }
}

#[test]
fn tracr_layout_has_no_unembedding_tensor() {
    let dir = tempfile::tempdir().unwrap();
    attention_sensitive_model()
        .export(dir.path(), &ExportOptions::default().dtype(Dtype::F64))
        .unwrap();
    let (tensors, metadata) = read_tensors(dir.path());
    let names: Vec<&str> = tensors.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "pos_embed/embeddings",
            "token_embed/embeddings",
            "transformer/layer_0/attn/key/b",
            "transformer/layer_0/attn/key/w",
            "transformer/layer_0/attn/linear/b",
            "transformer/layer_0/attn/linear/w",
            "transformer/layer_0/attn/query/b",
            "transformer/layer_0/attn/query/w",
            "transformer/layer_0/attn/value/b",
            "transformer/layer_0/attn/value/w",
            "transformer/layer_0/mlp/linear_1/b",
            "transformer/layer_0/mlp/linear_1/w",
            "transformer/layer_0/mlp/linear_2/b",
            "transformer/layer_0/mlp/linear_2/w",
        ]
    );
    assert!(tensors.values().all(|(dtype, _)| dtype == "F64"));
    assert_eq!(tensors["transformer/layer_0/attn/query/w"].1, [8, 3]);
    assert_eq!(metadata["layout"], "tracr");
}

#[test]
fn config_states_exact_attention_contract() {
    let dir = tempfile::tempdir().unwrap();
    let options = ExportOptions::default().layout(Layout::TransformerLens);
    attention_sensitive_model()
        .export(dir.path(), &options)
        .unwrap();
    let config = read_config(dir.path());

    assert_eq!(config["layout"], "transformer-lens");
    assert_eq!(config["attention_scaling"], "exact");
    assert_eq!(config["attention_logit_scale"], 1.0);
    assert_eq!(config["causal"], false);
    assert_eq!(config["num_layers"], 1);
    assert_eq!(config["num_heads"], 1);
    assert_eq!(config["key_size"], 3);
    assert_eq!(config["mlp_hidden_size"], 1);
    assert_eq!(config["d_model"], 8);
    assert_eq!(config["vocab"], serde_json::json!(["BOS", "a", "b"]));
    assert_eq!(config["bos"], "BOS");
    assert_eq!(config["max_seq_len"], 2);
    assert_eq!(
        config["output"]["labels"],
        serde_json::json!(["out:a", "out:b"])
    );
    assert_eq!(config["output"]["categorical"], true);
    assert_eq!(config["output"]["values"], serde_json::json!(["a", "b"]));

    let lens = &config["transformer_lens"];
    assert_eq!(lens["use_attn_scale"], false);
    assert_eq!(lens["attn_scale"], 1.0);
    assert_eq!(lens["attention_dir"], "bidirectional");
    assert_eq!(lens["d_head"], 3);
    assert_eq!(lens["n_ctx"], 3);
    assert_eq!(lens["d_vocab"], 3);
    assert_eq!(lens["d_vocab_out"], 2);
    assert_eq!(lens["act_fn"], "relu");
    assert_eq!(lens["normalization_type"], Json::Null);
    assert_eq!(lens["positional_embedding_type"], "standard");

    let verification = &config["verification"];
    // Two tokens after BOS, at most two positions: 2 + 4 inputs.
    assert_eq!(verification["inputs_checked"], 6);
    assert_eq!(verification["exhaustive"], true);
    assert_eq!(verification["cases"].as_array().unwrap().len(), 6);
    assert_eq!(
        verification["cases"][2],
        serde_json::json!({"input": ["BOS", "a", "a"], "expected": [null, "a", "a"]})
    );
}

#[test]
fn tracr_config_has_no_transformer_lens_section() {
    let dir = tempfile::tempdir().unwrap();
    attention_sensitive_model()
        .export(dir.path(), &ExportOptions::default())
        .unwrap();
    let config = read_config(dir.path());
    assert_eq!(config["layout"], "tracr");
    assert_eq!(config.get("transformer_lens"), None);
}

/// The reference divides logits by sqrt(key_size). That softens this model's attention enough
/// to change the output of `BOS a b`, so the export fails and names the input.
#[test]
fn reference_scaling_disagreement_fails_export() {
    let dir = tempfile::tempdir().unwrap();
    let options = ExportOptions::default().attention_scaling(AttentionScaling::Reference);
    let error = attention_sensitive_model()
        .export(dir.path(), &options)
        .unwrap_err();
    let ExportError::Disagreement {
        input,
        position,
        expected,
        found,
        hint,
    } = error
    else {
        panic!("expected a disagreement, got {error}");
    };
    assert_eq!(input, "[BOS, a, b]");
    assert_eq!(position, 1);
    assert_eq!(expected, "\"a\"");
    assert_eq!(found, "\"b\"");
    assert!(hint.contains("exact convention"), "{hint}");
    assert!(file_names(dir.path()).is_empty());
}

#[test]
fn reference_scaling_config_divides_by_sqrt_key_size() {
    // Without the MLP's constant, every output agrees under both conventions.
    let head = AttentionHead::<Residual>::new(
        ScalarBilinear::<One, Tokens>::from_fn(|_, _| 0.0),
        Linear::<TokenA, OutA>::from_fn(|_, _| 1.0),
        true,
    );
    let model = Model::builder(Series::new().then(head))
        .tokens::<Tokens>(Dir::with_value("BOS").unwrap())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = ExportOptions::default()
        .layout(Layout::TransformerLens)
        .attention_scaling(AttentionScaling::Reference);
    model.export(dir.path(), &options).unwrap();
    let config = read_config(dir.path());

    assert_eq!(config["attention_scaling"], "reference");
    assert_eq!(config["attention_logit_scale"], 1.0 / 3f64.sqrt());
    assert_eq!(config["causal"], true);
    assert_eq!(config["transformer_lens"]["use_attn_scale"], true);
    assert_eq!(config["transformer_lens"]["attn_scale"], 3f64.sqrt());
    assert_eq!(config["transformer_lens"]["attention_dir"], "causal");
}

#[test]
fn failed_export_keeps_previous_export() {
    let dir = tempfile::tempdir().unwrap();
    attention_sensitive_model()
        .export(dir.path(), &ExportOptions::default())
        .unwrap();
    let config = std::fs::read(dir.path().join("config.json")).unwrap();
    let tensors = std::fs::read(dir.path().join("model.safetensors")).unwrap();

    let options = ExportOptions::default().attention_scaling(AttentionScaling::Reference);
    let error = attention_sensitive_model().export(dir.path(), &options);
    assert!(matches!(error, Err(ExportError::Disagreement { .. })));

    assert_eq!(file_names(dir.path()), ["config.json", "model.safetensors"]);
    assert_eq!(
        std::fs::read(dir.path().join("config.json")).unwrap(),
        config
    );
    assert_eq!(
        std::fs::read(dir.path().join("model.safetensors")).unwrap(),
        tensors
    );
}

#[test]
fn export_replaces_previous_export() {
    let dir = tempfile::tempdir().unwrap();
    let model = attention_sensitive_model();
    model.export(dir.path(), &ExportOptions::default()).unwrap();
    let options = ExportOptions::default().layout(Layout::TransformerLens);
    model.export(dir.path(), &options).unwrap();

    assert_eq!(file_names(dir.path()), ["config.json", "model.safetensors"]);
    assert_eq!(read_config(dir.path())["layout"], "transformer-lens");
    assert!(DenseModel::load(dir.path()).is_ok());
}

#[test]
fn export_into_file_path_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("occupied");
    std::fs::write(&file, b"not a directory").unwrap();
    let error = attention_sensitive_model()
        .export(&file, &ExportOptions::default())
        .unwrap_err();
    assert_eq!(
        error,
        ExportError::Io {
            path: file.display().to_string(),
            message: "exists and is not a directory".into(),
        }
    );
    assert_eq!(file_names(dir.path()), ["occupied"]);
}

#[test]
fn export_creates_missing_directories() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("a/b/model");
    attention_sensitive_model()
        .export(&target, &ExportOptions::default())
        .unwrap();
    assert_eq!(file_names(&target), ["config.json", "model.safetensors"]);
}

#[test]
fn stored_cases_agree_with_files() {
    let dir = tempfile::tempdir().unwrap();
    attention_sensitive_model()
        .export(dir.path(), &ExportOptions::default())
        .unwrap();
    let outcomes = DenseModel::load(dir.path())
        .unwrap()
        .check_stored_cases()
        .unwrap();
    assert_eq!(outcomes.len(), 6);
    assert!(outcomes.iter().all(|outcome| outcome.mismatch.is_none()));
}

#[test]
fn f32_overflow_fails_export() {
    let huge = Mlp::<Residual, Hidden>::new(
        Linear::<One, Hidden>::from_fn(|_, _| 1e300),
        Linear::<Hidden, OutB>::from_fn(|_, _| 0.0),
    );
    let model = Model::builder(Series::new().then(huge))
        .tokens::<Tokens>(Dir::with_value("BOS").unwrap())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let error = model
        .export(dir.path(), &ExportOptions::default())
        .unwrap_err();
    assert_eq!(
        error,
        ExportError::F32Overflow {
            tensor: "transformer/layer_0/mlp/linear_1/w".into(),
            value: 1e300,
        }
    );
    assert!(file_names(dir.path()).is_empty());
}

#[test]
fn verification_reports_f32_rounding() {
    let constant = Mlp::<Residual, Hidden>::new(
        Linear::<One, Hidden>::from_fn(|_, _| 1.0),
        Linear::<Hidden, OutB>::from_fn(|_, _| 0.1),
    );
    let model = Model::builder(Series::new().then(constant))
        .tokens::<Tokens>(Dir::with_value("BOS").unwrap())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap();

    // 0.1 has no exact f32 form: f32(0.1) - 0.1 is about 1.49e-9.
    let dir = tempfile::tempdir().unwrap();
    let f32_report = model.export(dir.path(), &ExportOptions::default()).unwrap();
    let error = f32_report.verification().max_residual_error;
    assert!((error - (f64::from(0.1f32) - 0.1)).abs() < 1e-15, "{error}");
    assert_eq!(f32_report.verification().max_output_error, error);

    let f64_report = model
        .export(dir.path(), &ExportOptions::default().dtype(Dtype::F64))
        .unwrap();
    assert_eq!(f64_report.verification().max_residual_error, 0.0);
}

#[test]
fn empty_series_exports_with_tied_outputs() {
    let model = Model::builder(Series::<Residual>::new())
        .tokens::<Tokens>(Dir::with_value("BOS").unwrap())
        .indices::<Indices>()
        .categorical_output::<Out>()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report = model.export(dir.path(), &ExportOptions::default()).unwrap();
    assert_eq!(report.config().num_layers, 0);

    // Every output is zero, a tie between `a` and `b`: 2 inputs of one token and 4 of two.
    let verification = report.verification();
    assert_eq!(verification.tied_outputs, 2 + 4 * 2);
    for case in &verification.cases {
        assert!(case.expected.iter().all(Json::is_null), "{case:?}");
    }
    let outcomes = DenseModel::load(dir.path())
        .unwrap()
        .check_stored_cases()
        .unwrap();
    assert!(outcomes.iter().all(|outcome| outcome.mismatch.is_none()));
}

#[test]
fn invalid_tolerance_fails_export() {
    let dir = tempfile::tempdir().unwrap();
    for tolerance in [-1.0, f64::NAN, f64::INFINITY] {
        let options = ExportOptions::default().output_tolerance(tolerance);
        let error = attention_sensitive_model()
            .export(dir.path(), &options)
            .unwrap_err();
        assert!(
            matches!(
                error,
                ExportError::InvalidOption {
                    option: "output_tolerance",
                    ..
                }
            ),
            "{error}"
        );
    }
    assert!(file_names(dir.path()).is_empty());
}

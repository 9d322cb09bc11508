//! Reading exports back: every inconsistency between the files is an error that names it, and
//! no corrupted file makes the loader panic.

use std::sync::OnceLock;

use handcraft::assemble::Model;
use handcraft::dense::{DenseError, DenseModel};
use handcraft::export::{ExportOptions, Layout};
use handcraft::{AttentionHead, Dir, Linear, Mlp, ScalarBilinear, Series};
use proptest::prelude::*;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

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

/// Builds a causal model: `count` is the fraction of `a` tokens up to each position, and
/// `double` is twice that.
fn model() -> Model<Residual> {
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

/// Exports the model and returns the directory with its config and tensors.
fn export(layout: Layout) -> (tempfile::TempDir, Json, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    model()
        .export(dir.path(), &ExportOptions::default().layout(layout))
        .unwrap();
    let config =
        serde_json::from_slice(&std::fs::read(dir.path().join("config.json")).unwrap()).unwrap();
    let tensors = std::fs::read(dir.path().join("model.safetensors")).unwrap();
    (dir, config, tensors)
}

fn load_edited(config: &Json, tensors: &[u8]) -> Result<DenseModel, DenseError> {
    DenseModel::from_bytes(&serde_json::to_vec(config).unwrap(), tensors)
}

fn mismatch_field(error: DenseError) -> String {
    match error {
        DenseError::ConfigMismatch { field, .. } => field,
        other => panic!("expected a config mismatch, got {other}"),
    }
}

#[test]
fn exported_model_runs() {
    let (dir, _, _) = export(Layout::Tracr);
    let model = DenseModel::load(dir.path()).unwrap();
    let output = model
        .forward(&model.encode(&["BOS", "a", "b", "a"]).unwrap())
        .unwrap();
    let doubles: Vec<f64> = (1..4).map(|p| output.logits(p)[0]).collect();
    // Fractions of `a` up to each position, BOS included: 1/2, 1/3, 2/4.
    let expected = [1.0, 2.0 / 3.0, 1.0];
    for (found, want) in doubles.iter().zip(expected) {
        assert!((found - want).abs() < 1e-6, "{doubles:?}");
    }
}

#[test]
fn missing_directory_fails() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing");
    let error = DenseModel::load(&missing).unwrap_err();
    assert_eq!(
        error,
        DenseError::MissingFile {
            path: missing.join("config.json").display().to_string()
        }
    );
}

#[test]
fn missing_tensors_file_fails() {
    let (dir, _, _) = export(Layout::Tracr);
    std::fs::remove_file(dir.path().join("model.safetensors")).unwrap();
    let error = DenseModel::load(dir.path()).unwrap_err();
    let path = dir.path().join("model.safetensors");
    assert_eq!(
        error,
        DenseError::MissingFile {
            path: path.display().to_string()
        }
    );
}

#[test]
fn invalid_json_fails() {
    let (_, _, tensors) = export(Layout::Tracr);
    let error = DenseModel::from_bytes(b"{\"layout\": ", &tensors).unwrap_err();
    assert!(matches!(error, DenseError::InvalidConfig { .. }), "{error}");
}

#[test]
fn unknown_layout_fails() {
    let (_, mut config, tensors) = export(Layout::Tracr);
    config["layout"] = "onnx".into();
    let error = load_edited(&config, &tensors).unwrap_err();
    let DenseError::InvalidConfig { message } = error else {
        panic!("expected an invalid config, got {error}");
    };
    assert!(message.contains("unknown variant `onnx`"), "{message}");
}

#[test]
fn tensors_of_other_layout_fail() {
    let (_, config, _) = export(Layout::TransformerLens);
    let (_, _, tracr_tensors) = export(Layout::Tracr);
    let error = load_edited(&config, &tracr_tensors).unwrap_err();
    let DenseError::MetadataMismatch { key, .. } = error else {
        panic!("expected a metadata mismatch, got {error}");
    };
    assert_eq!(key, "layout");
}

#[test]
fn transformer_lens_layout_without_section_fails() {
    let (_, mut config, tensors) = export(Layout::Tracr);
    config["layout"] = "transformer-lens".into();
    assert_eq!(
        mismatch_field(load_edited(&config, &tensors).unwrap_err()),
        "transformer_lens"
    );
}

#[test]
fn truncated_tensors_fail() {
    let (_, config, tensors) = export(Layout::Tracr);
    let error = load_edited(&config, &tensors[..tensors.len() - 10]).unwrap_err();
    assert!(
        matches!(error, DenseError::InvalidTensors { .. }),
        "{error}"
    );
}

#[test]
fn changed_weight_fails_checksum() {
    let (_, config, mut tensors) = export(Layout::Tracr);
    let last = tensors.len() - 1;
    tensors[last] ^= 0x01;
    let error = load_edited(&config, &tensors).unwrap_err();
    assert!(matches!(error, DenseError::Checksum { .. }), "{error}");
}

#[test]
fn layer_count_mismatch_fails() {
    let (_, mut config, tensors) = export(Layout::Tracr);
    config["num_layers"] = 3.into();
    let error = load_edited(&config, &tensors).unwrap_err();
    assert_eq!(
        error,
        DenseError::TensorCount {
            layout: "tracr",
            expected: 38,
            found: 14,
        }
    );
}

#[test]
fn key_size_mismatch_fails() {
    let (_, mut config, tensors) = export(Layout::Tracr);
    let key_size = config["key_size"].as_u64().unwrap();
    config["key_size"] = (key_size + 1).into();
    let error = load_edited(&config, &tensors).unwrap_err();
    let DenseError::TensorShape { name, .. } = error else {
        panic!("expected a shape mismatch, got {error}");
    };
    assert_eq!(name, "transformer/layer_0/attn/query/w");
}

#[test]
fn dtype_mismatch_fails() {
    let (_, mut config, tensors) = export(Layout::Tracr);
    config["dtype"] = "f64".into();
    let error = load_edited(&config, &tensors).unwrap_err();
    assert_eq!(
        error,
        DenseError::TensorDtype {
            name: "token_embed/embeddings".into(),
            expected: "F64".into(),
            found: "F32".into(),
        }
    );
}

/// A change to a parsed `config.json`.
type ConfigEdit = fn(&mut Json);

#[test]
fn config_inconsistencies_name_the_field() {
    let (_, config, tensors) = export(Layout::TransformerLens);
    let edits: [(&str, ConfigEdit); 8] = [
        ("residual_labels", |c| c["d_model"] = 99.into()),
        ("bos", |c| c["bos"] = "START".into()),
        ("vocab", |c| c["vocab"][2] = "a".into()),
        ("output.labels", |c| {
            c["output"]["labels"][0] = "nowhere".into()
        }),
        ("attention_logit_scale", |c| {
            c["attention_logit_scale"] = 0.5.into()
        }),
        ("transformer_lens.attn_scale", |c| {
            c["transformer_lens"]["use_attn_scale"] = true.into();
            c["transformer_lens"]["attn_scale"] = 2.0.into();
        }),
        ("transformer_lens.n_ctx", |c| {
            c["transformer_lens"]["n_ctx"] = 7.into()
        }),
        ("transformer_lens.attention_dir", |c| {
            c["transformer_lens"]["attention_dir"] = "bidirectional".into()
        }),
    ];
    for (field, edit) in edits {
        let mut edited = config.clone();
        edit(&mut edited);
        assert_eq!(
            mismatch_field(load_edited(&edited, &tensors).unwrap_err()),
            field
        );
    }
}

#[test]
fn other_format_version_fails() {
    let (_, mut config, tensors) = export(Layout::Tracr);
    config["format_version"] = 2.into();
    let error = load_edited(&config, &tensors).unwrap_err();
    assert!(
        matches!(error, DenseError::UnsupportedFormat { version: 2, .. }),
        "{error}"
    );
}

#[test]
fn encode_rejects_bad_input() {
    let (dir, _, _) = export(Layout::Tracr);
    let model = DenseModel::load(dir.path()).unwrap();
    assert_eq!(
        model.encode(&["BOS", "a", "z"]),
        Err(DenseError::UnknownToken {
            token: "z".into(),
            position: 2,
            vocabulary: "[BOS, a, b]".into(),
        })
    );
    assert_eq!(
        model.encode(&["a", "b"]),
        Err(DenseError::MissingBos {
            bos: "BOS".into(),
            found: "a".into()
        })
    );
    assert_eq!(
        model.encode(&["BOS", "a", "BOS"]),
        Err(DenseError::BosNotFirst {
            bos: "BOS".into(),
            position: 2
        })
    );
    assert_eq!(
        model.encode(&["BOS", "a", "a", "a", "a"]),
        Err(DenseError::TooLong {
            tokens: 4,
            max_seq_len: 3
        })
    );
    assert_eq!(model.encode::<&str>(&[]), Err(DenseError::EmptyInput));
}

#[test]
fn forward_rejects_bad_ids() {
    let (dir, _, _) = export(Layout::Tracr);
    let model = DenseModel::load(dir.path()).unwrap();
    assert_eq!(
        model.forward(&[0, 3]),
        Err(DenseError::TokenId {
            id: 3,
            vocab_size: 3
        })
    );
    assert_eq!(
        model.forward(&[0, 1, 1, 1, 1]),
        Err(DenseError::TooLong {
            tokens: 4,
            max_seq_len: 3
        })
    );
    assert_eq!(model.forward(&[]), Err(DenseError::EmptyInput));
}

/// One corruption of an export: which file, and what happens to its bytes.
#[derive(Debug, Clone)]
enum Corruption {
    Truncate {
        config: bool,
        keep: usize,
    },
    Flip {
        config: bool,
        index: usize,
        mask: u8,
    },
    Insert {
        config: bool,
        index: usize,
        bytes: Vec<u8>,
    },
    SetNumber {
        field: usize,
        value: u64,
    },
    /// Flips a byte of the tensors file and updates the checksum in the config, so the
    /// corruption reaches the checks and the forward pass behind the checksum.
    FlipBehindChecksum {
        index: usize,
        mask: u8,
    },
}

const NUMBER_FIELDS: [&str; 7] = [
    "num_layers",
    "num_heads",
    "key_size",
    "mlp_hidden_size",
    "d_model",
    "max_seq_len",
    "format_version",
];

fn corruption() -> impl Strategy<Value = Corruption> {
    prop_oneof![
        (any::<bool>(), any::<usize>())
            .prop_map(|(config, keep)| Corruption::Truncate { config, keep }),
        (any::<bool>(), any::<usize>(), 1..=255u8).prop_map(|(config, index, mask)| {
            Corruption::Flip {
                config,
                index,
                mask,
            }
        }),
        (
            any::<bool>(),
            any::<usize>(),
            prop::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(config, index, bytes)| Corruption::Insert {
                config,
                index,
                bytes
            }),
        (0..NUMBER_FIELDS.len(), prop_oneof![0..64u64, any::<u64>()])
            .prop_map(|(field, value)| Corruption::SetNumber { field, value }),
        (any::<usize>(), 1..=255u8)
            .prop_map(|(index, mask)| Corruption::FlipBehindChecksum { index, mask }),
    ]
}

fn corrupt(config: &[u8], tensors: &[u8], corruption: &Corruption) -> (Vec<u8>, Vec<u8>) {
    let (mut config, mut tensors) = (config.to_vec(), tensors.to_vec());
    match corruption {
        Corruption::Truncate { config: c, keep } => {
            let bytes = if *c { &mut config } else { &mut tensors };
            let keep = keep % (bytes.len() + 1);
            bytes.truncate(keep);
        }
        Corruption::Flip {
            config: c,
            index,
            mask,
        } => {
            let bytes = if *c { &mut config } else { &mut tensors };
            let index = index % bytes.len();
            bytes[index] ^= mask;
        }
        Corruption::Insert {
            config: c,
            index,
            bytes: extra,
        } => {
            let bytes = if *c { &mut config } else { &mut tensors };
            let index = index % (bytes.len() + 1);
            bytes.splice(index..index, extra.iter().copied());
        }
        Corruption::SetNumber { field, value } => {
            let mut json: Json = serde_json::from_slice(&config).unwrap();
            json[NUMBER_FIELDS[*field]] = (*value).into();
            config = serde_json::to_vec(&json).unwrap();
        }
        Corruption::FlipBehindChecksum { index, mask } => {
            let index = index % tensors.len();
            tensors[index] ^= mask;
            let digest: String = Sha256::digest(&tensors)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let mut json: Json = serde_json::from_slice(&config).unwrap();
            json["tensors"]["sha256"] = digest.into();
            config = serde_json::to_vec(&json).unwrap();
        }
    }
    (config, tensors)
}

/// Runs whatever a loaded model offers, so a corruption that loads is exercised too.
fn exercise(model: &DenseModel) {
    let bos = model.config().bos.clone();
    let first = model.config().vocab.iter().find(|t| **t != bos).cloned();
    if let Some(token) = first {
        let _ = model.encode(&[bos, token]).map(|ids| model.forward(&ids));
    }
    let _ = model.check_stored_cases();
    let _ = model.usage();
}

/// Returns the bytes of `config.json` and `model.safetensors` of an export, made once per
/// layout.
fn exported_bytes(layout: Layout) -> &'static (Vec<u8>, Vec<u8>) {
    static TRACR: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    static LENS: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    let cell = match layout {
        Layout::Tracr => &TRACR,
        _ => &LENS,
    };
    cell.get_or_init(|| {
        let (_, config, tensors) = export(layout);
        (serde_json::to_vec(&config).unwrap(), tensors)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn corrupted_exports_never_panic(corruption in corruption(), lens in any::<bool>()) {
        let layout = if lens { Layout::TransformerLens } else { Layout::Tracr };
        let (config, tensors) = exported_bytes(layout);
        let (config, tensors) = corrupt(config, tensors, &corruption);
        if let Ok(model) = DenseModel::from_bytes(&config, &tensors) {
            exercise(&model);
        }
    }
}

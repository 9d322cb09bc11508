//! Reading an export directory: the config, its consistency, and the tensors of either layout.

use std::collections::HashMap;
use std::path::Path;

use safetensors::{Dtype as FileDtype, SafeTensors};
use sha2::{Digest, Sha256};

use crate::dense::error::DenseError;
use crate::dense::model::DenseModel;
use crate::dense::sparse::SparseRows;
use crate::dense::weights::{Head, Layer, Mlp};
use crate::export::{
    schema, AttentionScaling, Dtype, ExportConfig, Layout, Sizes, CONFIG_FILE, FORMAT,
    FORMAT_VERSION, TENSORS_FILE,
};

/// Reads `config.json` and `model.safetensors` from `dir`.
pub(crate) fn load_dir(dir: &Path) -> Result<DenseModel, DenseError> {
    load_files(&dir.join(CONFIG_FILE), &dir.join(TENSORS_FILE))
}

/// Reads a config and a tensors file from the given paths.
pub(crate) fn load_files(config: &Path, tensors: &Path) -> Result<DenseModel, DenseError> {
    let config_bytes = read(config)?;
    let tensor_bytes = read(tensors)?;
    load_bytes(&config_bytes, &tensor_bytes)
}

fn read(path: &Path) -> Result<Vec<u8>, DenseError> {
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => DenseError::MissingFile {
            path: path.display().to_string(),
        },
        _ => DenseError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        },
    })
}

/// Parses and checks a config and a tensors file given as bytes.
pub(crate) fn load_bytes(config: &[u8], tensors: &[u8]) -> Result<DenseModel, DenseError> {
    let config: ExportConfig =
        serde_json::from_slice(config).map_err(|e| DenseError::InvalidConfig {
            message: e.to_string(),
        })?;
    check_config(&config)?;

    let file = SafeTensors::deserialize(tensors).map_err(|e| DenseError::InvalidTensors {
        message: e.to_string(),
    })?;
    check_metadata(&config, tensors)?;
    let mut named = read_tensors(&config, &file)?;
    check_checksum(&config, tensors)?;

    Ok(build(config, &mut named))
}

/// Returns an error for field `field` with `message`.
fn mismatch(field: &str, message: impl Into<String>) -> DenseError {
    DenseError::ConfigMismatch {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// Checks the config against itself: sizes, vocabulary, output and attention contract.
fn check_config(config: &ExportConfig) -> Result<(), DenseError> {
    if config.format != FORMAT || config.format_version != FORMAT_VERSION {
        return Err(DenseError::UnsupportedFormat {
            format: config.format.clone(),
            version: config.format_version,
            expected_format: FORMAT,
            expected_version: FORMAT_VERSION,
        });
    }
    for (field, value) in [
        ("num_heads", config.num_heads),
        ("key_size", config.key_size),
        ("mlp_hidden_size", config.mlp_hidden_size),
        ("d_model", config.d_model),
        ("max_seq_len", config.max_seq_len),
    ] {
        if value == 0 {
            return Err(mismatch(field, "must be at least 1"));
        }
    }
    if config.residual_labels.len() != config.d_model {
        return Err(mismatch(
            "residual_labels",
            format!(
                "has {} labels but d_model is {}",
                config.residual_labels.len(),
                config.d_model
            ),
        ));
    }
    check_vocabulary(config)?;
    check_output(config)?;
    check_scale(config)?;
    if config.layout == Layout::TransformerLens {
        check_transformer_lens(config)?;
    }
    Ok(())
}

fn check_vocabulary(config: &ExportConfig) -> Result<(), DenseError> {
    if config.vocab.len() < 2 {
        return Err(mismatch("vocab", "needs BOS and at least one other token"));
    }
    for (i, token) in config.vocab.iter().enumerate() {
        if config.vocab[..i].contains(token) {
            return Err(mismatch("vocab", format!("token `{token}` appears twice")));
        }
    }
    if !config.vocab.contains(&config.bos) {
        return Err(mismatch("bos", format!("`{}` is not in vocab", config.bos)));
    }
    Ok(())
}

fn check_output(config: &ExportConfig) -> Result<(), DenseError> {
    let output = &config.output;
    if output.labels.is_empty() {
        return Err(mismatch("output.labels", "is empty"));
    }
    if let Some(label) = output
        .labels
        .iter()
        .find(|label| !config.residual_labels.contains(label))
    {
        return Err(mismatch(
            "output.labels",
            format!("`{label}` is not a residual label"),
        ));
    }
    match (&output.values, output.categorical) {
        (Some(values), true) if values.len() == output.labels.len() => Ok(()),
        (Some(values), true) => Err(mismatch(
            "output.values",
            format!(
                "has {} values for {} labels",
                values.len(),
                output.labels.len()
            ),
        )),
        (None, true) => Err(mismatch(
            "output.values",
            "is missing for a categorical output",
        )),
        (_, false) if output.labels.len() != 1 => Err(mismatch(
            "output.labels",
            format!(
                "a numerical output has one label, not {}",
                output.labels.len()
            ),
        )),
        (_, false) => Ok(()),
    }
}

/// Returns the logit scale the config's attention convention requires.
pub(crate) fn expected_scale(scaling: AttentionScaling, key_size: usize) -> f64 {
    match scaling {
        AttentionScaling::Exact => 1.0,
        AttentionScaling::Reference => 1.0 / (key_size as f64).sqrt(),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

fn check_scale(config: &ExportConfig) -> Result<(), DenseError> {
    let expected = expected_scale(config.attention_scaling, config.key_size);
    if !close(config.attention_logit_scale, expected) {
        return Err(mismatch(
            "attention_logit_scale",
            format!(
                "is {} but attention_scaling `{:?}` with key_size {} needs {expected}",
                config.attention_logit_scale, config.attention_scaling, config.key_size
            ),
        ));
    }
    Ok(())
}

fn check_transformer_lens(config: &ExportConfig) -> Result<(), DenseError> {
    let Some(tl) = &config.transformer_lens else {
        return Err(mismatch(
            "transformer_lens",
            "is missing; the transformer-lens layout needs it",
        ));
    };
    let sizes = [
        ("transformer_lens.n_layers", tl.n_layers, config.num_layers),
        ("transformer_lens.d_model", tl.d_model, config.d_model),
        ("transformer_lens.d_head", tl.d_head, config.key_size),
        ("transformer_lens.n_heads", tl.n_heads, config.num_heads),
        ("transformer_lens.d_mlp", tl.d_mlp, config.mlp_hidden_size),
        (
            "transformer_lens.n_ctx",
            tl.n_ctx,
            config.max_seq_len.saturating_add(1),
        ),
        ("transformer_lens.d_vocab", tl.d_vocab, config.vocab.len()),
        (
            "transformer_lens.d_vocab_out",
            tl.d_vocab_out,
            config.output.labels.len(),
        ),
    ];
    for (field, found, expected) in sizes {
        if found != expected {
            return Err(mismatch(
                field,
                format!("is {found} but should be {expected}"),
            ));
        }
    }
    let direction = if config.causal {
        "causal"
    } else {
        "bidirectional"
    };
    let texts = [
        ("transformer_lens.act_fn", tl.act_fn.as_str(), "relu"),
        (
            "transformer_lens.attention_dir",
            tl.attention_dir.as_str(),
            direction,
        ),
        (
            "transformer_lens.positional_embedding_type",
            tl.positional_embedding_type.as_str(),
            "standard",
        ),
    ];
    for (field, found, expected) in texts {
        if found != expected {
            return Err(mismatch(
                field,
                format!("is `{found}` but should be `{expected}`"),
            ));
        }
    }
    if let Some(norm) = &tl.normalization_type {
        return Err(mismatch(
            "transformer_lens.normalization_type",
            format!("is `{norm}` but the model has no layer norm, so it should be null"),
        ));
    }
    let divisor = if tl.use_attn_scale {
        tl.attn_scale
    } else {
        1.0
    };
    if !close(1.0 / divisor, config.attention_logit_scale) {
        return Err(mismatch(
            "transformer_lens.attn_scale",
            format!(
                "divides logits by {divisor}, but attention_logit_scale {} needs the divisor {}",
                config.attention_logit_scale,
                1.0 / config.attention_logit_scale
            ),
        ));
    }
    Ok(())
}

/// Checks that the safetensors metadata names the config's layout and residual labels.
fn check_metadata(config: &ExportConfig, tensors: &[u8]) -> Result<(), DenseError> {
    let (_, metadata) =
        SafeTensors::read_metadata(tensors).map_err(|e| DenseError::InvalidTensors {
            message: e.to_string(),
        })?;
    let empty = HashMap::new();
    let entries = metadata.metadata().as_ref().unwrap_or(&empty);

    let layout = entries.get("layout").map(String::as_str);
    if layout != Some(config.layout.name()) {
        return Err(DenseError::MetadataMismatch {
            key: "layout".into(),
            message: format!(
                "the file says {layout:?}, config.json says `{}`",
                config.layout.name()
            ),
        });
    }

    let labels: Option<Vec<String>> = entries
        .get("residual_labels")
        .and_then(|text| serde_json::from_str(text).ok());
    if labels.as_ref() != Some(&config.residual_labels) {
        return Err(DenseError::MetadataMismatch {
            key: "residual_labels".into(),
            message: "the labels differ from config.json's residual_labels".into(),
        });
    }
    Ok(())
}

fn check_checksum(config: &ExportConfig, tensors: &[u8]) -> Result<(), DenseError> {
    let found = sha256_hex(tensors);
    let found_bytes = tensors.len() as u64;
    if found != config.tensors.sha256 || found_bytes != config.tensors.bytes {
        return Err(DenseError::Checksum {
            expected: config.tensors.sha256.clone(),
            found,
            expected_bytes: config.tensors.bytes,
            found_bytes,
        });
    }
    Ok(())
}

/// Returns the SHA-256 of `bytes` in lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Checks names, dtypes, shapes and values of every tensor, and returns their data.
fn read_tensors(
    config: &ExportConfig,
    file: &SafeTensors<'_>,
) -> Result<HashMap<String, Vec<f64>>, DenseError> {
    let sizes = checked_sizes(config)?;

    // The layout has a fixed number of tensors per layer, so a config whose layer count does
    // not fit the file is rejected before the schema is built.
    let per_layer: u64 = 12;
    let fixed: u64 = match config.layout {
        Layout::Tracr => 2,
        Layout::TransformerLens => 4,
    };
    let expected = (config.num_layers as u64)
        .checked_mul(per_layer)
        .and_then(|n| n.checked_add(fixed));
    if expected != Some(file.len() as u64) {
        return Err(DenseError::TensorCount {
            layout: config.layout.name(),
            expected: expected.unwrap_or(u64::MAX),
            found: file.len(),
        });
    }

    let dtype = match config.dtype {
        Dtype::F32 => FileDtype::F32,
        Dtype::F64 => FileDtype::F64,
    };
    let mut named = HashMap::new();
    for (name, shape) in schema(config.layout, &sizes) {
        let view = file.tensor(&name).map_err(|_| DenseError::MissingTensor {
            name: name.clone(),
            layout: config.layout.name(),
        })?;
        if view.dtype() != dtype {
            return Err(DenseError::TensorDtype {
                name,
                expected: dtype.to_string(),
                found: view.dtype().to_string(),
            });
        }
        if view.shape() != shape.as_slice() {
            return Err(DenseError::TensorShape {
                name,
                expected: shape,
                found: view.shape().to_vec(),
            });
        }
        let values = decode(view.data(), config.dtype);
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            return Err(DenseError::NonFiniteTensor {
                name,
                index,
                value: values[index],
            });
        }
        named.insert(name, values);
    }
    Ok(named)
}

/// Returns the config's sizes after checking that no tensor's element count overflows.
fn checked_sizes(config: &ExportConfig) -> Result<Sizes, DenseError> {
    let sizes = Sizes {
        num_layers: config.num_layers,
        num_heads: config.num_heads,
        key_size: config.key_size,
        mlp_hidden_size: config.mlp_hidden_size,
        d_model: config.d_model,
        vocab_size: config.vocab.len(),
        n_ctx: config
            .max_seq_len
            .checked_add(1)
            .ok_or_else(|| mismatch("max_seq_len", "is too large"))?,
        output_size: config.output.labels.len(),
    };
    let products = [
        [sizes.num_heads, sizes.key_size, sizes.d_model],
        [sizes.vocab_size, sizes.d_model, 1],
        [sizes.n_ctx, sizes.d_model, 1],
        [sizes.mlp_hidden_size, sizes.d_model, 1],
        [sizes.output_size, sizes.d_model, 1],
    ];
    for factors in products {
        if factors
            .iter()
            .try_fold(1usize, |a, &b| a.checked_mul(b))
            .is_none()
        {
            return Err(mismatch("d_model", "tensor sizes overflow"));
        }
    }
    Ok(sizes)
}

/// Decodes little-endian floats; the length was checked by the safetensors parser.
fn decode(bytes: &[u8], dtype: Dtype) -> Vec<f64> {
    match dtype {
        Dtype::F32 => bytes
            .chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        Dtype::F64 => bytes
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect(),
    }
}

/// Takes a tensor checked by [`read_tensors`].
fn take(named: &mut HashMap<String, Vec<f64>>, name: &str) -> Vec<f64> {
    // `read_tensors` inserted every schema name, so the entry is present.
    named.remove(name).unwrap_or_default()
}

/// Rearranges the checked tensors into per-head matrices.
fn build(config: ExportConfig, named: &mut HashMap<String, Vec<f64>>) -> DenseModel {
    let d = config.d_model;
    let k = config.key_size;
    let h_count = config.num_heads;
    let m = config.mlp_hidden_size;
    let (token_embedding, position_embedding) = match config.layout {
        Layout::Tracr => (
            take(named, "token_embed/embeddings"),
            take(named, "pos_embed/embeddings"),
        ),
        Layout::TransformerLens => (take(named, "embed.W_E"), take(named, "pos_embed.W_pos")),
    };

    let mut layers = Vec::with_capacity(config.num_layers);
    for l in 0..config.num_layers {
        let layer = match config.layout {
            Layout::Tracr => {
                let prefix = format!("transformer/layer_{l}");
                let query = take(named, &format!("{prefix}/attn/query/w"));
                let key = take(named, &format!("{prefix}/attn/key/w"));
                let value = take(named, &format!("{prefix}/attn/value/w"));
                let output = take(named, &format!("{prefix}/attn/linear/w"));
                let query_bias = take(named, &format!("{prefix}/attn/query/b"));
                let key_bias = take(named, &format!("{prefix}/attn/key/b"));
                let value_bias = take(named, &format!("{prefix}/attn/value/b"));
                let heads = (0..h_count)
                    .map(|h| {
                        Head::new(
                            [
                                column_block(&query, d, h_count * k, h * k, k),
                                column_block(&key, d, h_count * k, h * k, k),
                                column_block(&value, d, h_count * k, h * k, k),
                                output[h * k * d..(h + 1) * k * d].to_vec(),
                            ],
                            [
                                query_bias[h * k..(h + 1) * k].to_vec(),
                                key_bias[h * k..(h + 1) * k].to_vec(),
                                value_bias[h * k..(h + 1) * k].to_vec(),
                            ],
                            k,
                            d,
                        )
                    })
                    .collect();
                let mlp = Mlp::new(
                    [
                        take(named, &format!("{prefix}/mlp/linear_1/w")),
                        take(named, &format!("{prefix}/mlp/linear_2/w")),
                    ],
                    [
                        take(named, &format!("{prefix}/mlp/linear_1/b")),
                        take(named, &format!("{prefix}/mlp/linear_2/b")),
                    ],
                    m,
                    d,
                );
                Layer::new(heads, take(named, &format!("{prefix}/attn/linear/b")), mlp)
            }
            Layout::TransformerLens => {
                let prefix = format!("blocks.{l}");
                let query = take(named, &format!("{prefix}.attn.W_Q"));
                let key = take(named, &format!("{prefix}.attn.W_K"));
                let value = take(named, &format!("{prefix}.attn.W_V"));
                let output = take(named, &format!("{prefix}.attn.W_O"));
                let query_bias = take(named, &format!("{prefix}.attn.b_Q"));
                let key_bias = take(named, &format!("{prefix}.attn.b_K"));
                let value_bias = take(named, &format!("{prefix}.attn.b_V"));
                let heads = (0..h_count)
                    .map(|h| {
                        Head::new(
                            [
                                query[h * d * k..(h + 1) * d * k].to_vec(),
                                key[h * d * k..(h + 1) * d * k].to_vec(),
                                value[h * d * k..(h + 1) * d * k].to_vec(),
                                output[h * k * d..(h + 1) * k * d].to_vec(),
                            ],
                            [
                                query_bias[h * k..(h + 1) * k].to_vec(),
                                key_bias[h * k..(h + 1) * k].to_vec(),
                                value_bias[h * k..(h + 1) * k].to_vec(),
                            ],
                            k,
                            d,
                        )
                    })
                    .collect();
                let mlp = Mlp::new(
                    [
                        take(named, &format!("{prefix}.mlp.W_in")),
                        take(named, &format!("{prefix}.mlp.W_out")),
                    ],
                    [
                        take(named, &format!("{prefix}.mlp.b_in")),
                        take(named, &format!("{prefix}.mlp.b_out")),
                    ],
                    m,
                    d,
                );
                Layer::new(heads, take(named, &format!("{prefix}.attn.b_O")), mlp)
            }
        };
        layers.push(layer);
    }

    let outputs = config.output.labels.len();
    let (unembedding, unembedding_bias) = match config.layout {
        Layout::TransformerLens => (take(named, "unembed.W_U"), take(named, "unembed.b_U")),
        Layout::Tracr => {
            // The tracr layout has no unembedding tensor: the output labels select columns.
            let mut matrix = vec![0.0; d * outputs];
            for (j, label) in config.output.labels.iter().enumerate() {
                if let Some(row) = config.residual_labels.iter().position(|l| l == label) {
                    matrix[row * outputs + j] = 1.0;
                }
            }
            (matrix, vec![0.0; outputs])
        }
    };

    DenseModel {
        unembedding: sparse(unembedding, d, outputs),
        config,
        token_embedding,
        position_embedding,
        layers,
        unembedding_bias,
    }
}

fn sparse(matrix: Vec<f64>, rows: usize, columns: usize) -> SparseRows {
    SparseRows::from_row_major(&matrix, rows, columns)
}

/// Copies columns `start .. start + width` of a row-major `[rows, columns]` matrix.
fn column_block(
    matrix: &[f64],
    rows: usize,
    columns: usize,
    start: usize,
    width: usize,
) -> Vec<f64> {
    let mut block = Vec::with_capacity(rows * width);
    for row in 0..rows {
        block.extend_from_slice(&matrix[row * columns + start..row * columns + start + width]);
    }
    block
}
